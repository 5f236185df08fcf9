// The account summary's trend charts: data from the page's json_script, each line against its target.
(function () {
  "use strict";
  const source = document.getElementById("portal-charts");
  if (!source || typeof Chart === "undefined") return;
  const BRAND = "#1f6f8b", ABANDONED = "#d08c2a", TARGET = "#6b7280", MISSED = "#b3261e";

  const missed = (value, spec) =>
    value !== null && spec.target !== undefined && (spec.better === "higher" ? value < spec.target : value > spec.target);

  const build = (spec) => {
    const canvas = document.getElementById(spec.id);
    if (!canvas) return null;
    if (spec.kind === "stacked") {
      return new Chart(canvas, {
        type: "bar",
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map((d, i) => ({ label: d.label, data: d.data, backgroundColor: i ? ABANDONED : BRAND })),
        },
        options: { maintainAspectRatio: false, animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      });
    }
    const data = spec.datasets[0].data;
    return new Chart(canvas, {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: [
          {
            label: spec.datasets[0].label, data: data, borderColor: BRAND, spanGaps: true,
            pointBackgroundColor: data.map((v) => (missed(v, spec) ? MISSED : BRAND)),
            pointRadius: data.map((v) => (missed(v, spec) ? 5 : 3)),
          },
          { label: "Target", data: spec.labels.map(() => spec.target), borderColor: TARGET, borderDash: [6, 4], pointRadius: 0 },
        ],
      },
      options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: spec.unit !== "of 5" } } },
    });
  };

  window.portalCharts = JSON.parse(source.textContent).map(build);
})();
