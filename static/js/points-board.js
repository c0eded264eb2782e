// The points board: the bar chart of members' points (horizontal past twelve bars), from the page's own data.
(function () {
  var canvas = document.getElementById("points-chart");
  if (!canvas || !window.Chart) { return; }
  var data = JSON.parse(document.getElementById("points-data").textContent);
  var horizontal = data.labels.length > 12;
  new Chart(canvas, {
    type: "bar",
    data: {labels: data.labels, datasets: [{label: canvas.dataset.label, data: data.values, backgroundColor: "#b3121b"}]},
    options: {
      indexAxis: horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {x: {beginAtZero: true, ticks: {precision: 0}}, y: {beginAtZero: true, ticks: {precision: 0}}},
      plugins: {legend: {display: false}}
    }
  });
})();
