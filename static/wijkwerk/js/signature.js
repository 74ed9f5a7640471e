// The signature pad of the resident's view of the plan (templates/cases/plans/resident_view.html).
// Without JavaScript only the typed signature is offered; with it, "Drawn signature" shows a
// canvas drawn on with a finger, pen or mouse (pointer events). On sending, the drawing goes
// into the hidden field as a PNG data address; the server checks it (size, real PNG).
// Keyboard users sign with their typed name. No inline script: CSP.
(function () {
  "use strict";
  document.querySelectorAll("[data-signature-form]").forEach(function (form) {
    var pad = form.querySelector("[data-signature-pad]");
    var typed = form.querySelector("[data-signature-typed]");
    var canvas = form.querySelector("[data-signature-canvas]");
    var image = form.querySelector("input[name$='signature_image']");
    var radios = form.querySelectorAll("input[name$='signature_method']");
    if (!pad || !canvas || !image || !canvas.getContext) return;
    form.querySelectorAll("[data-signature-drawn-choice]").forEach(function (el) { el.hidden = false; });

    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";

    function method() {
      var picked = "typed";
      radios.forEach(function (radio) { if (radio.checked) picked = radio.value; });
      return picked;
    }
    function show() {
      var isDrawn = method() === "drawn";
      pad.hidden = !isDrawn;
      if (typed) typed.hidden = isDrawn;
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      context.lineTo(p.x + 0.1, p.y + 0.1);
      context.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    form.querySelector("[data-signature-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      image.value = "";
    });
    radios.forEach(function (radio) { radio.addEventListener("change", show); });
    form.addEventListener("submit", function () {
      image.value = method() === "drawn" && drawn ? canvas.toDataURL("image/png") : "";
    });
    show();
  });
})();
