// Click-to-call: ask the server to place the call, then follow its record until Twilio reports the end.
(() => {
  const box = document.getElementById("click-to-call");
  if (!box) return;
  const button = box.querySelector("button");
  const progress = box.querySelector("[data-testid=call-progress]");
  const texts = document.getElementById("call-texts").dataset;
  const text = (key) => texts[key.replace(/-([a-z])/g, (_m, c) => c.toUpperCase())] || "";
  const finals = ["completed", "busy", "no-answer", "failed", "canceled", "not_placed"];

  function show(call) {
    let line = call.message || text(call.status);
    if (call.person_status) {
      line += " " + text("person-" + call.person_status).replace("{s}", call.person_duration_seconds || 0);
    }
    progress.textContent = line;
    progress.className = "small mt-1 " + (call.placed === false ? "text-danger" : "text-body");
    if (call.suggested_disposition) {
      const suggested = document.querySelector(`[data-testid=disp-${call.suggested_disposition}]`);
      if (suggested) {
        suggested.classList.add("border", "border-3", "border-warning");
        const label = suggested.cloneNode(true);
        label.querySelectorAll("kbd").forEach((key) => key.remove());  // the shortcut is not part of the name
        progress.textContent += " " + text("suggest") + " " + label.textContent.trim();
      }
    }
    const field = document.getElementById("call-id");
    if (field && call.id) field.value = call.id;
  }

  async function follow(id) {
    const response = await fetch(box.dataset.statusUrl.replace(/0$/, id), { headers: { Accept: "application/json" } });
    if (response.ok) {
      const call = await response.json();
      show(call);
      if (finals.includes(call.status) && (call.person_status || call.status !== "completed" || call.placed === false)) {
        button.disabled = false;
        return;
      }
    }
    setTimeout(() => follow(id), 1000);
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    progress.textContent = text("requested");
    const response = await fetch(box.dataset.callUrl, {
      method: "POST", headers: { "X-CSRFToken": box.dataset.csrf, Accept: "application/json" },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      progress.textContent = (body.error && body.error.message) || response.statusText;
      progress.className = "small mt-1 text-danger";
      button.disabled = false;
      return;
    }
    show(body);
    if (body.placed) follow(body.id); else button.disabled = false;
  });
})();
