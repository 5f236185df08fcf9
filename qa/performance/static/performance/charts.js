// Draws every <canvas data-chart="ID">, reading its data from the JSON script element ID (Django's json_script),
// and every <canvas data-chart-url="URL">, fetching its data from this service once the page is on screen.
// Spec: {type: "line"|"bar", labels: [...], series: [{label, axis: "percent"|"seconds", data: [...]}]}; null is a gap.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const COLORS = ["#1f6f8b", "#1e7b34", "#9a6700", "#b3261e", "#6a4c93"];
  const AXES = {
    percent: {title: "%", min: 0, max: 100},
    seconds: {title: "seconds", min: 0},
  };

  function draw(canvas, spec) {
    const used = [];
    const datasets = spec.series.map(function (series, i) {
      const color = COLORS[i % COLORS.length];
      if (used.indexOf(series.axis) < 0) used.push(series.axis);
      return {
        label: series.label, data: series.data, yAxisID: series.axis, borderColor: color,
        backgroundColor: spec.type === "bar" ? color + "cc" : color + "33", spanGaps: true, tension: 0, pointRadius: 3,
      };
    });
    const scales = {};
    used.forEach(function (axis, i) {
      const known = AXES[axis] || {title: axis};
      scales[axis] = {
        position: i === 0 ? "left" : "right", min: known.min, max: known.max,
        title: {display: true, text: known.title}, grid: {drawOnChartArea: i === 0},
      };
    });
    new Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels, datasets: datasets},
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: {mode: "index", intersect: false}, scales: scales,
      },
    });
    canvas.dataset.drawn = "true";
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (source) draw(canvas, JSON.parse(source.textContent));
  });
  document.querySelectorAll("canvas[data-chart-url]").forEach(function (canvas) {
    fetch(canvas.dataset.chartUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { if (!response.ok) throw new Error("chart data: " + response.status); return response.json(); })
      .then(function (spec) { draw(canvas, spec); })
      .catch(function () { canvas.setAttribute("aria-label", "The chart could not be loaded."); });
  });
})();
