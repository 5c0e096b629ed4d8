// Ask before a destructive step: a form with data-confirm="…" submits only after the reader agrees.
// (An inline onsubmit handler would be blocked by the Content-Security-Policy.)
(function () {
  if (window.spotcheckConfirm) return;
  window.spotcheckConfirm = true;
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
