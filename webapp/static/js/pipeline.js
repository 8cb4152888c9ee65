/* Creator pipeline: keep keyboard focus on a card after htmx moves it to another column. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var moved = document.querySelector("[data-moved]");
    if (!moved) { return; }
    moved.removeAttribute("data-moved");
    var first = moved.querySelector(".pl-actions button, .pl-actions a");
    (first || moved).focus();
    if (moved.scrollIntoView) { moved.scrollIntoView({ block: "nearest", inline: "nearest" }); }
  });
}());
