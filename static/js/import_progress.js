// Follow a running import: poll its status and reload the page when it has moved on.
(() => {
  const card = document.getElementById("progress-card");
  if (!card) return;
  const url = card.dataset.poll;
  const read = card.querySelector("[data-testid=rows-read]");
  const rejected = card.querySelector("[data-testid=rows-rejected]");
  const bar = document.getElementById("progress-bar");
  const format = (n) => Number(n).toLocaleString();
  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const batch = await response.json();
        read.textContent = format(batch.rows_read);
        rejected.textContent = format(batch.rows_rejected);
        if (batch.percent !== null) bar.style.width = batch.percent + "%";
        if (!["uploaded", "validating", "importing"].includes(batch.status)) {
          window.location.reload();
          return;
        }
      }
    } catch (error) { /* the server may be busy; try again */ }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 500);
})();
