// The admin's periodic task form (django-celery-beat): under the crontab field, show the chosen schedule in
// words. django-celery-beat ships this as an inline script; here it is a static file for the
// Content-Security-Policy.
(function () {
  var script = document.getElementById("periodic-task-overrides");
  var data = document.getElementById("readable-crontabs");
  var $ = window.django && window.django.jQuery;
  if (!script || !data || !$) return;
  var readable = JSON.parse(data.textContent);
  var help = script.getAttribute("data-crontab-help") || "";
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    var el = $(".field-crontab .help");
    el.text(help);
    el.append(document.createElement("br"), document.createTextNode("Translation: " + readable[$("#id_crontab").val()]));
  });
})();
