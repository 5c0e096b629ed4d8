// The assignment table: a box ticks every task of the page, the count of ticked tasks follows, and
// ticking a task chooses "the ticked tasks" rather than "all matching".
(() => {
  const all = document.getElementById("tick-page");
  const ticks = () => Array.from(document.querySelectorAll(".task-tick"));
  const count = document.querySelector("[data-testid=picked-count]");
  const picked = document.getElementById("scope-picked");
  const update = () => {
    const n = ticks().filter((box) => box.checked).length;
    if (count) count.textContent = String(n);
    if (all) all.checked = n > 0 && n === ticks().length;
    if (n && picked) picked.checked = true;
  };
  if (all) all.addEventListener("change", () => { ticks().forEach((box) => { box.checked = all.checked; }); update(); });
  ticks().forEach((box) => box.addEventListener("change", update));
  update();
})();
