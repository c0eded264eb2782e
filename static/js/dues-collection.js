// The dues collection report: due and collected by month, with the collection rate, from the page's own data.
(function () {
  var canvas = document.getElementById("dues-chart");
  if (!canvas || !window.Chart) { return; }
  var d = JSON.parse(document.getElementById("dues-chart-data").textContent);
  new Chart(canvas, {
    data: {
      labels: d.labels,
      datasets: [
        {type: "bar", label: d.dueLabel, data: d.due.map(Number), backgroundColor: "#868e96", yAxisID: "y"},
        {type: "bar", label: d.collectedLabel, data: d.collected.map(Number), backgroundColor: "#b3121b", yAxisID: "y"},
        {type: "line", label: d.rateLabel, data: d.rate, borderColor: "#198754", backgroundColor: "#198754", yAxisID: "rate", spanGaps: true}
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        y: {beginAtZero: true, position: "left"},
        rate: {beginAtZero: true, max: 100, position: "right", grid: {drawOnChartArea: false}, ticks: {callback: function (v) { return v + "%"; }}}
      }
    }
  });
})();
