// The building survey: the per-floor chart on a campaign's page, and "add a row" on the visit form.
// Both are enhancements: the page shows the numbers as a table, and the form works with its one blank row.
(function () {
  "use strict";

  var data = document.getElementById("floor-chart-data");
  var canvas = document.getElementById("floor-chart");
  if (data && canvas && window.Chart) {
    var d = JSON.parse(data.textContent);
    // Highest floor at the top, like the building.
    var rev = function (list) { return list.slice().reverse(); };
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: rev(d.floor_labels),
        datasets: [
          { label: d.labels.complete, data: rev(d.complete), backgroundColor: "#198754" },
          { label: d.labels.incomplete, data: rev(d.incomplete), backgroundColor: "#ffc107" },
          { label: d.labels.not_visited, data: rev(d.not_visited), backgroundColor: "#dee2e6" }
        ]
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: true }
        },
        plugins: { legend: { position: "top" } }
      }
    });
  }

  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var rows = document.getElementById(prefix + "-rows");
    if (!total || !template || !rows) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      var added = rows.lastElementChild;
      var first = added && added.querySelector("input:not([type=hidden]), textarea, select");
      if (first) { first.focus(); }
    });
  });
})();
