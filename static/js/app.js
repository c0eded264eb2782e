// Small progressive enhancements; every page works without them.
document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
