// Service statistics: the bar chart of requests by category, from the numbers the page also shows as a table.
(function () {
  var canvas = document.getElementById("services-chart");
  if (!canvas || !window.Chart) { return; }
  var data = JSON.parse(document.getElementById("services-chart-data").textContent);
  new Chart(canvas, {
    type: "bar",
    data: {labels: data.labels, datasets: [{label: data.label, data: data.volume, backgroundColor: "#b3121b"}]},
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {x: {beginAtZero: true, ticks: {precision: 0}}},
      plugins: {legend: {display: false}}
    }
  });
})();
