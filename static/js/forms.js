// Disable a submit button marked data-once after the first click, so a double click submits once.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.once) {
    setTimeout(() => { button.disabled = true; }, 0);
  }
});

// Ask before a destructive step: a submit button marked data-confirm="question" submits only when confirmed.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
