// The letter form: click a merge field to insert it at the cursor; show the fields of the chosen audience.
(function () {
  var body = document.getElementById("id_body");
  var audience = document.getElementById("id_audience");
  if (!body) return;
  document.querySelectorAll("[data-merge-field]").forEach(function (button) {
    button.addEventListener("click", function () {
      body.setRangeText("{" + button.dataset.mergeField + "}", body.selectionStart, body.selectionEnd, "end");
      body.focus();
    });
  });
  function showFields() {
    document.querySelectorAll("[data-audience-fields]").forEach(function (list) {
      list.hidden = Boolean(audience.value) && list.dataset.audienceFields !== audience.value;
    });
  }
  if (audience) {
    audience.addEventListener("change", showFields);
    showFields();
  }
})();
