// A table wider than its column can be scrolled sideways; let keyboard users reach it
// (tabindex) and tell screen-reader users what the region is (its caption or heading).
(function () {
  function mark(root) {
    root.querySelectorAll("table").forEach(function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
        if (!table.hasAttribute("aria-label") && !table.querySelector("caption")) {
          var heading = table.closest("section") && table.closest("section").querySelector("h2, h3");
          if (heading) { table.setAttribute("aria-label", heading.textContent.trim()); }
        }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { mark(document); });
  document.addEventListener("htmx:afterSettle", function (e) { mark(e.target); });
  window.addEventListener("resize", function () { mark(document); });
})();
