/* The verification form: submit once, and after a refused submission focus the first question in error. */
(function () {
  "use strict";
  var form = document.querySelector(".verification-form"), sent = false;
  if (!form) { return; }
  form.addEventListener("submit", function (event) { if (sent) { event.preventDefault(); } sent = true; });
  var first = form.querySelector("[aria-invalid=true]");
  if (first) {
    first.scrollIntoView({ block: "center" });
    first.focus({ preventScroll: true });
  }
})();
