// Print buttons (data-print: decision letter, conversation report); no inline script: CSP.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
