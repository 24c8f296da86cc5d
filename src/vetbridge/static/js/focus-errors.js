// After a failed submit: move focus to the error summary (it links to each field) and say
// in the page title that there is an error, for screen-reader and keyboard users.
(function () {
  var prefix = document.documentElement.getAttribute("data-error-title") || "Error";
  // French typography: a (no-break) space before the colon.
  prefix += document.documentElement.lang === "fr" ? "\u00a0:" : ":";
  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (!summary) { return; }
    if (document.title.indexOf(prefix + " ") !== 0) { document.title = prefix + " " + document.title; }
    summary.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  document.addEventListener("htmx:afterSettle", function (e) { focusSummary(e.target); });
})();
