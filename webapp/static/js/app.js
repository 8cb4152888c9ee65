/* LinkDesk behaviour: loaded once, no inline script anywhere (strict CSP). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Auto-submit selects marked data-autosubmit (shop and language switches).
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  // Copy buttons: <button data-copy="text">.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-copy]");
    if (!btn) { return; }
    ev.preventDefault();
    var text = btn.getAttribute("data-copy");
    var done = function () {
      var old = btn.textContent;
      btn.textContent = btn.getAttribute("data-copied-label") || "✓";
      setTimeout(function () { btn.textContent = old; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, done);
    } else {
      var ta = document.createElement("textarea");
      ta.value = text; document.body.appendChild(ta); ta.select();
      try { document.execCommand("copy"); } catch (e) { /* ignore */ }
      document.body.removeChild(ta); done();
    }
  });

  // "Select all" checkboxes: <input type=checkbox data-check-all="name">.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el.matches || !el.matches("[data-check-all]")) { return; }
    var name = el.getAttribute("data-check-all");
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (cb) { cb.checked = el.checked; });
  });

  // Plotly charts: <div data-figure='{json}'> drawn on load and after every htmx swap.
  function drawCharts(root) {
    if (!window.Plotly) { return; }
    (root || document).querySelectorAll("[data-figure]").forEach(function (el) {
      if (el.dataset.drawn === "1") { return; }
      try {
        var fig = JSON.parse(el.getAttribute("data-figure"));
        window.Plotly.newPlot(el, fig.data || [], fig.layout || {}, { responsive: true, displaylogo: false });
        el.dataset.drawn = "1";
      } catch (e) { el.textContent = el.getAttribute("data-error-label") || "Chart unavailable"; }
    });
  }

  // Global loading bar for every htmx request.
  var inflight = 0;
  function busy(delta) {
    inflight = Math.max(0, inflight + delta);
    document.body.classList.toggle("is-loading", inflight > 0);
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:beforeRequest", function () { busy(1); });
  document.addEventListener("htmx:afterRequest", function () { busy(-1); });
  document.addEventListener("htmx:afterSettle", function (ev) { drawCharts(ev.target); });
  // Move focus to the flash region when an htmx error lands there, for screen-reader users.
  document.addEventListener("htmx:responseError", function () {
    var flash = document.getElementById("flash");
    if (flash) { flash.setAttribute("tabindex", "-1"); flash.focus(); }
  });
  // Keep the CSRF token fresh on htmx requests from the meta tag (body hx-headers carries it too).
  document.addEventListener("htmx:configRequest", function (ev) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { ev.detail.headers["X-CSRFToken"] = meta.getAttribute("content"); }
  });
}());
