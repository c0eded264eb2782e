// The funding ledger: on the entry form, show the fields the chosen direction needs; on the summary, draw the
// yearly chart from the numbers the page also shows as a table.
(function () {
  var directions = document.querySelectorAll("input[name=direction]");
  var source = document.getElementById("id_source");
  var enterprise = document.getElementById("id_enterprise");
  function syncForm() {
    var checked = document.querySelector("input[name=direction]:checked");
    document.querySelectorAll("fieldset[data-direction]").forEach(function (fieldset) {
      fieldset.hidden = Boolean(checked) && fieldset.dataset.direction !== checked.value;
    });
    if (source && enterprise) {
      var wrapper = enterprise.closest(".mb-3") || enterprise.parentNode;
      wrapper.hidden = source.value !== "enterprise" && !enterprise.classList.contains("is-invalid");
    }
  }
  if (directions.length) {
    directions.forEach(function (radio) { radio.addEventListener("change", syncForm); });
    if (source) source.addEventListener("change", syncForm);
    syncForm();
  }

  var data = document.getElementById("fund-chart-data");
  var canvas = document.getElementById("fund-chart");
  if (!data || !canvas || !window.Chart) return;
  var d = JSON.parse(data.textContent);
  function yuan(value) {
    return "¥" + Number(value).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: d.labels,
      datasets: [
        { label: d.incomeLabel, data: d.income.map(Number), backgroundColor: "#b3121b" },
        { label: d.expenseLabel, data: d.expense.map(Number), backgroundColor: "#868e96" }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return "¥" + Number(v).toLocaleString("zh-CN"); } } } },
      plugins: { tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + yuan(ctx.parsed.y); } } } }
    }
  });
})();
