// Disable a submit button marked data-once after the first click, so a double click submits once.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.once) {
    setTimeout(() => { button.disabled = true; }, 0);
  }
});
