/* creators behaviour (loaded on every page, acts only on its own data- attributes) */
(function () {
  "use strict";

  // Debounced text filters send their own request while typing; the 'change' they fire on blur
  // must not send the same search again (and push a duplicate history entry).
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.matches && el.matches("[data-creator-filters] [data-debounced]")) { ev.stopPropagation(); }
  }, true);

  // "Select this page" ticks every row checkbox of the results.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el.matches || !el.matches("[data-select-page]")) { return; }
    var form = el.closest("form");
    if (!form) { return; }
    form.querySelectorAll("[data-row-check]").forEach(function (cb) { cb.checked = el.checked; });
  });

  // The creator detail opens in a side drawer; Escape or the close button closes it.
  function panel() { return document.getElementById("creator-panel"); }
  document.addEventListener("htmx:afterSwap", function (ev) {
    var p = panel();
    if (p && ev.detail && ev.detail.target === p) {
      p.classList.add("open");
      var h = p.querySelector("h2");
      if (h) { h.setAttribute("tabindex", "-1"); h.focus({ preventScroll: true }); }
    }
    var results = document.getElementById("creator-results");
    if (results) { results.setAttribute("aria-busy", "false"); }
  });
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var form = ev.target && ev.target.closest && ev.target.closest("[data-creator-filters]");
    var results = document.getElementById("creator-results");
    if (form && results) { results.setAttribute("aria-busy", "true"); }
  });
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-close-panel]");
    var p = panel();
    if (btn && p) { ev.preventDefault(); p.classList.remove("open"); }
  });
  document.addEventListener("keydown", function (ev) {
    var p = panel();
    if (ev.key === "Escape" && p && p.classList.contains("open")) { p.classList.remove("open"); }
  });
}());
