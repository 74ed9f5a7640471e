// Long forms in steps (<details> sections) with an error summary; no inline script: CSP.
// Without this script everything still works: the summary is focused by its autofocus, its
// links jump to the fields (the browser opens a closed <details> it jumps into), and a step
// simply shows no count.
//
// 1. A link in the error summary opens the step that holds its field and focuses the field.
// 2. After an htmx swap: the error summary takes focus; when the page's main content was
//    replaced (the saved report), focus goes to it, so a screen reader starts there.
// 3. Each step's summary line counts what was answered ("7 of 13").
(function () {
  "use strict";
  if (window.wijkwerkFormSteps) return; // loaded again by an htmx history restore
  window.wijkwerkFormSteps = true;

  function openSteps(element) {
    for (var node = element; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    openSteps(target);
    target.focus();
    var group = target.closest("fieldset") || target;
    group.scrollIntoView({ block: "center" });
  });

  function counts(form) {
    form.querySelectorAll("[data-step-status]").forEach(function (status) {
      var step = status.closest("details");
      var groups = step.querySelectorAll("fieldset.choice-row");
      var answered = 0;
      groups.forEach(function (group) {
        var checked = group.querySelector("input[type=radio]:checked");
        if (checked && checked.value !== "not_asked") answered += 1;
      });
      status.textContent = (status.getAttribute("data-template") || "{answered} / {total}")
        .replace("{answered}", answered)
        .replace("{total}", groups.length);
    });
  }

  function start(root) {
    (root.matches && root.matches("form.steps") ? [root] : [])
      .concat(Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll("form.steps") : []))
      .forEach(function (form) {
        counts(form);
        form.addEventListener("change", function () { counts(form); });
      });
  }

  start(document);

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var summary = document.querySelector("[data-error-summary]");
    if (summary && event.detail.elt && (event.detail.elt === summary.closest("form") || event.detail.elt.contains(summary))) {
      start(summary.closest("form"));
      summary.focus();
      return;
    }
    var main = document.getElementById("main");
    if (main && (document.activeElement === document.body || !document.activeElement)) {
      main.focus();
    }
  });
})();
