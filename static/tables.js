// A table wider than the screen scrolls inside its own box (style.css); such a box must be
// reachable with the keyboard, so it gets a tab stop, and only while it scrolls.
"use strict";
function markScrollingTables() {
  for (const table of document.querySelectorAll("table")) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.setAttribute("tabindex", "0");
    } else if (table.getAttribute("tabindex") === "0") {
      table.removeAttribute("tabindex");
    }
  }
}
document.addEventListener("DOMContentLoaded", markScrollingTables);
window.addEventListener("resize", markScrollingTables);
