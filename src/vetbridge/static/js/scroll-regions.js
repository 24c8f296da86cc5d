// A table or a panel wider than its column can be scrolled sideways; let keyboard users reach
// it (tabindex) and tell screen-reader users what the region is (its caption or heading).
(function () {
  function scrolls(el) {
    var overflow = getComputedStyle(el).overflowX;
    return (overflow === "auto" || overflow === "scroll") && el.scrollWidth > el.clientWidth + 1;
  }
  function named(el) {
    return el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby") ||
      (el.tagName === "TABLE" && el.querySelector("caption"));
  }
  function mark(root) {
    var scope = root.querySelectorAll ? root : document;
    scope.querySelectorAll("table, .panel, .table-scroll").forEach(function (el) {
      if (scrolls(el)) {
        if (!el.hasAttribute("tabindex")) {
          el.setAttribute("tabindex", "0");
          el.setAttribute("data-scroll-marked", "");
        }
        if (!named(el)) {
          var box = el.closest("section");
          var heading = (el.tagName === "SECTION" ? el : box) &&
            (el.tagName === "SECTION" ? el : box).querySelector("h1, h2, h3");
          if (heading) { el.setAttribute("aria-label", heading.textContent.trim()); }
        }
        if (el.tagName !== "TABLE" && !el.hasAttribute("role") && el.tagName !== "SECTION") {
          el.setAttribute("role", "region");
        }
      } else if (el.hasAttribute("data-scroll-marked")) {
        // Wide again (window resized): no tab stop where nothing scrolls.
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scroll-marked");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { mark(document); });
  document.addEventListener("htmx:afterSettle", function (e) { mark(e.target); });
  window.addEventListener("resize", function () { mark(document); });
})();
