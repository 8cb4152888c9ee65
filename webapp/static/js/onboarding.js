/* onboarding behaviour (loaded on every page, acts only on its own data- attributes) */

// Documents page (documents branch): refuse a too-large file before it is sent, with the same
// message the server gives; the server still checks everything (413 / field error).
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var input = ev.target;
    if (!input.matches || !input.matches('form[data-max-bytes] input[type="file"]')) { return; }
    var form = input.form;
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    var file = input.files && input.files[0];
    var tooBig = !!(file && max && file.size > max);
    input.setCustomValidity(tooBig ? form.getAttribute("data-too-large") : "");
    var err = document.getElementById(input.id + "-error");
    if (err) {
      err.textContent = tooBig ? form.getAttribute("data-too-large") : "";
      err.hidden = !tooBig;
    }
    input.setAttribute("aria-invalid", tooBig ? "true" : "false");
    if (tooBig) { input.reportValidity(); }
  });
}());

(function () {
  "use strict";
  // A field checked by htmx gets its error element replaced: keep the input's aria state and the
  // field's red outline in step with the message that came back.
  document.addEventListener("htmx:afterSwap", function (ev) {
    var el = ev.detail && ev.detail.target;
    if (!el || !el.id || el.id.slice(-6) !== "-error" || !el.classList.contains("field-error")) { return; }
    var fresh = document.getElementById(el.id) || el;
    var input = document.getElementById(el.id.slice(0, -6));
    var wrapper = input && input.closest(".field");
    var bad = !fresh.hidden && fresh.textContent.trim() !== "";
    if (wrapper) { wrapper.classList.toggle("has-error", bad); }
    if (input) {
      input.setAttribute("aria-invalid", bad ? "true" : "false");
      var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== fresh.id; });
      if (bad) { ids.push(fresh.id); }
      if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); } else { input.removeAttribute("aria-describedby"); }
    }
  });
}());
