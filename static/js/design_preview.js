/* Live preview of the draw design: sends the form to the preview endpoint and fills the table. */
(function () {
  "use strict";
  const form = document.getElementById("design-form");
  const table = document.getElementById("preview");
  const body = table.querySelector("tbody");
  const message = document.getElementById("preview-message");
  const excluded = document.getElementById("preview-excluded");
  let timer = null, sequence = 0;

  function value(name) { const el = form.elements[name]; return el ? el.value : ""; }

  function showGroups() {
    const active = [value("method"), value("reserve_mode"), value("population"), value("stratify_by")];
    form.querySelectorAll("[data-method]").forEach(function (el) {
      el.classList.toggle("d-none", !active.includes(el.dataset.method));
    });
  }

  function cell(text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  function margin(m) { return m === null || m === undefined ? "—" : "±" + (m * 100).toFixed(1) + "%"; }

  function fraction(f) { return f === null || f === undefined ? "—" : (f * 100).toFixed(1) + "%"; }

  function row(label, r, cls) {
    const tr = document.createElement("tr");
    if (cls) tr.className = cls;
    tr.append(cell(label), cell(r.N.toLocaleString(), "num"), cell(r.n.toLocaleString(), "num"),
              cell(r.reserves.toLocaleString(), "num"), cell(fraction(r.fraction), "num"),
              cell(margin(r.margin), "num"));
    return tr;
  }

  function labelFor(name) {
    const el = form.querySelector("label[for='" + name + "']");
    return el ? el.textContent.trim() + "：" : "";
  }

  /* Say next to each rate field how its value was read ("read as 95%"), or nothing if it was not. */
  function showReadings(readings) {
    form.querySelectorAll("[data-reading-for]").forEach(function (el) {
      const shown = (readings || {})[el.dataset.readingFor];
      el.textContent = shown ? form.dataset.readAs.replace("__VALUE__", shown) : "";
    });
  }

  function render(data) {
    showReadings(data.readings);
    message.classList.add("d-none");
    if (!data.ok) {
      const problems = data.problems ? Object.entries(data.problems).map(([k, v]) => labelFor(k) + v) : [];
      message.textContent = data.message || problems.join(" ");
      message.classList.remove("d-none");
      return;
    }
    body.replaceChildren();
    const crossed = data.strata.some((s) => s.value !== null);
    data.counties.forEach(function (c) {
      body.append(row(c.county + " " + c.label, c, crossed ? "fw-semibold table-light" : ""));
      if (crossed) {
        data.strata.filter((s) => s.county === c.county).forEach((s) => body.append(row("\u2003" + s.label, s)));
      }
    });
    body.append(row(table.dataset.totalLabel, data.total, "fw-bold border-top"));
    excluded.textContent = data.excluded ? table.dataset.excludedLabel + " " + data.excluded.toLocaleString() : "";
    table.dataset.ready = String(sequence);
  }

  function refresh() {
    const params = new URLSearchParams(new FormData(form));
    ["csrf_token", "reason", "seed_text", "seed_mode"].forEach((k) => params.delete(k));
    const mine = ++sequence;
    fetch(form.dataset.previewUrl + "?" + params.toString(), {headers: {"Accept": "application/json"}})
      .then((r) => r.json())
      .then((data) => { if (mine === sequence) render(data); })
      .catch(() => {});
  }

  function schedule() { showGroups(); clearTimeout(timer); timer = setTimeout(refresh, 250); }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  showGroups();
  refresh();
})();
