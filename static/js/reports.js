/* Charts of the statistics pages (Chart.js, vendored): rates with their interval whiskers, and progress.
   The page puts its figures in <script type="application/json" id="chart-data">. */
(function () {
  "use strict";
  // A chart's height grows with its counties; set here, since the page may not carry inline styles (CSP).
  document.querySelectorAll(".chart-box[data-height]").forEach(function (box) {
    box.style.height = box.dataset.height + "px";
  });
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var text = data.text;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }

  /* Draw each bar's interval as a whisker, the worst case as a hollow diamond, and the tolerable rate. */
  var whiskers = {
    id: "whiskers",
    afterDatasetsDraw: function (chart) {
      var r = data.rates, ctx = chart.ctx, x = chart.scales.x, y = chart.scales.y;
      ctx.save();
      ctx.lineWidth = 1.5;
      r.labels.forEach(function (_label, i) {
        if (r.low[i] === null) return;  /* too few resolved units: no estimate to draw */
        var cy = y.getPixelForValue(i);
        ctx.strokeStyle = "#212529";
        ctx.beginPath();
        ctx.moveTo(x.getPixelForValue(r.low[i]), cy); ctx.lineTo(x.getPixelForValue(r.high[i]), cy);
        [r.low[i], r.high[i]].forEach(function (v) {
          ctx.moveTo(x.getPixelForValue(v), cy - 5); ctx.lineTo(x.getPixelForValue(v), cy + 5);
        });
        ctx.stroke();
        if (r.worst[i] !== null && r.worst[i] > (r.p[i] || 0)) {
          var wx = x.getPixelForValue(r.worst[i]);
          ctx.strokeStyle = "#b35c00";
          ctx.beginPath();
          ctx.moveTo(wx, cy - 5); ctx.lineTo(wx + 5, cy); ctx.lineTo(wx, cy + 5); ctx.lineTo(wx - 5, cy); ctx.closePath();
          ctx.stroke();
        }
      });
      if (data.tolerable) {
        var tx = x.getPixelForValue(data.tolerable);
        ctx.strokeStyle = "#dc3545"; ctx.setLineDash([5, 4]);
        ctx.beginPath(); ctx.moveTo(tx, chart.chartArea.top); ctx.lineTo(tx, chart.chartArea.bottom); ctx.stroke();
      }
      ctx.restore();
    }
  };

  var ratesCanvas = document.getElementById("rates-chart");
  if (ratesCanvas) {
    var r = data.rates;
    var top = Math.max.apply(null, r.high.concat(r.worst, [data.tolerable || 0]).filter(function (v) { return v !== null; }));
    new Chart(ratesCanvas, {
      type: "bar",
      data: {
        labels: r.labels,
        datasets: [
          { label: text.rate, data: r.p, backgroundColor: "rgba(13, 110, 253, 0.55)", borderColor: "#0d6efd", borderWidth: 1,
            maxBarThickness: 18 },
          { label: text.interval, data: [], backgroundColor: "#212529" },
          { label: text.worst, data: [], backgroundColor: "#b35c00" },
          { label: text.tolerable, data: [], backgroundColor: "#dc3545" }
        ]
      },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false,
        datasets: { bar: { grouped: false } },  /* the other datasets only label the legend */
        scales: { x: { min: 0, max: Math.min(1, Math.ceil((top + 0.02) * 20) / 20), ticks: { callback: function (v) { return pct(v); } } },
                  y: { ticks: { autoSkip: false } } },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: function (c) {
            var i = c.dataIndex;
            return text.rate + " " + pct(r.p[i]) + " (" + pct(r.low[i]) + "–" + pct(r.high[i]) + "); " + text.worst + " " + pct(r.worst[i]);
          } } }
        }
      },
      plugins: [whiskers]
    });
  }

  var progressCanvas = document.getElementById("progress-chart");
  if (progressCanvas) {
    var p = data.progress;
    if (!p.days.length) {
      var note = document.createElement("p");
      note.className = "text-muted small";
      note.textContent = text.no_progress;
      progressCanvas.replaceWith(note);
      return;
    }
    var series = [["tasks", "#adb5bd"], ["closed", "#0d6efd"], ["verified", "#198754"], ["with_discrepancy", "#dc3545"]];
    new Chart(progressCanvas, {
      type: "line",
      data: {
        labels: p.days,
        datasets: series.map(function (s) {
          return { label: text[s[0]], data: p[s[0]], borderColor: s[1], backgroundColor: s[1], pointRadius: 2, tension: 0.15 };
        })
      },
      options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } },
                 plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } } }
    });
  }

  /* Printing lays the page out anew (A4 width) without a resize event: redraw every chart to its box
     first, or a chart drawn for the screen is cut off at the paper's edge. */
  function fitCharts() {
    Object.keys(Chart.instances).forEach(function (id) { Chart.instances[id].resize(); });
  }
  window.addEventListener("beforeprint", fitCharts);
  if (window.matchMedia) {
    window.matchMedia("print").addEventListener("change", function (event) { if (event.matches) { fitCharts(); } });
  }
})();
