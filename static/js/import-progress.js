// An import run's page (templates/buildingparty/imports/run_detail.html): while the run is going, poll its
// progress URL (data-import-progress) and move the bars; reload once it has finished to show the result.
(function () {
  var card = document.querySelector("[data-import-progress]");
  if (!card) {
    return;
  }
  var url = card.getAttribute("data-import-progress");
  var INTERVAL_MS = 1500;

  function show(data) {
    var total = Math.max(data.rows_total, 1);
    ["rows_total", "rows_checked", "rows_written"].forEach(function (key) {
      card.querySelectorAll('[data-count="' + key + '"]').forEach(function (el) {
        el.textContent = data[key];
      });
    });
    ["rows_checked", "rows_written"].forEach(function (key) {
      var bar = card.querySelector('[data-bar="' + key + '"]');
      if (bar) {
        bar.setAttribute("aria-valuenow", data[key]);
        bar.setAttribute("aria-valuemax", data.rows_total);
        bar.firstElementChild.style.width = Math.min(100, Math.round((100 * data[key]) / total)) + "%";
      }
    });
    var label = card.querySelector("[data-state-label]");
    if (label) {
      label.textContent = data.state_label;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          window.setTimeout(poll, INTERVAL_MS * 4);
          return;
        }
        show(data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, INTERVAL_MS);
        }
      })
      .catch(function () {
        window.setTimeout(poll, INTERVAL_MS * 4);
      });
  }

  window.setTimeout(poll, INTERVAL_MS);
})();
