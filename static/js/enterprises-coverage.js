// Party coverage of the enterprises: the stacked bar chart, from the numbers the page also shows as a table.
(function () {
  var canvas = document.getElementById("coverage-chart");
  if (!canvas || !window.Chart) { return; }
  var data = JSON.parse(document.getElementById("coverage-data").textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        {label: canvas.dataset.withLabel, data: data.with_members, backgroundColor: "#b3121b"},
        {label: canvas.dataset.withoutLabel, data: data.without_members, backgroundColor: "#adb5bd"}
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}},
      plugins: {legend: {position: "bottom"}}
    }
  });
})();
