/* The task page's result buttons: one click records once, an appointment needs its time, keys 1-9 press them. */
(function () {
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var sent = false;
  form.addEventListener("submit", function (event) {
    // One click records once: later clicks are ignored (the server also refuses a second record).
    if (sent) { event.preventDefault(); return; }
    var button = event.submitter;
    if (button && button.value === "appointment" && !document.getElementById("appointment_at").value) {
      event.preventDefault();
      document.getElementById("appointment_at").focus();
      return;
    }
    sent = true;
  });
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) return;
    var button = form.querySelector('button[data-shortcut="' + event.key + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });
})();
