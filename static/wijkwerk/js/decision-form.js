// The decision form (cases/provisions, application page): only the chosen outcome's
// fieldsets are shown (each names its outcomes in data-outcomes), and the "preview the letter"
// button for browsers without JavaScript is hidden (the preview follows the form by HTMX).
// Without JavaScript every fieldset stays visible and the server takes only the chosen
// outcome's fields. No inline script: CSP.
(function () {
  function sync(form) {
    var checked = form.querySelector('input[name="outcome"]:checked');
    var outcome = checked ? checked.value : "";
    form.querySelectorAll("fieldset[data-outcomes]").forEach(function (fieldset) {
      fieldset.hidden = fieldset.dataset.outcomes.split(" ").indexOf(outcome) === -1;
    });
  }

  function init(root) {
    var forms = Array.prototype.slice.call(root.querySelectorAll("form[data-decision-form]"));
    if (root.matches && root.matches("form[data-decision-form]")) forms.push(root);
    forms.forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      form.querySelectorAll("[data-without-js]").forEach(function (button) {
        button.hidden = true;
      });
      form.addEventListener("change", function (event) {
        if (event.target.name === "outcome") sync(form);
      });
      sync(form);
    });
  }

  init(document);
  // a form swapped in by HTMX (posted with errors) is set up again
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
