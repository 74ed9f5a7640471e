// The main menu collapses behind a disclosure button below 768 px (app.css). Without this
// script the button stays hidden and the menu open. No inline script: CSP.
(function () {
  var toggle = document.querySelector("[data-menu-toggle]");
  if (!toggle) return;
  var menu = document.getElementById(toggle.getAttribute("aria-controls"));
  var header = toggle.closest(".topbar");
  if (!menu || !header) return;

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  // the page you are on, for screen readers and in bold
  menu.querySelectorAll("nav a[href]").forEach(function (link) {
    if (link.pathname === window.location.pathname) link.setAttribute("aria-current", "page");
  });

  header.classList.add("menu-collapsible");
  toggle.hidden = false;
  setOpen(false);
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  // Escape closes the open menu and puts focus back on its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
    if (toggle.offsetParent === null) return; // desktop: the button is not shown
    setOpen(false);
    toggle.focus();
  });
})();
