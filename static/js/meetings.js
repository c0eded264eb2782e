// The meeting form: show the party-lesson fields only for the kinds they belong to. Without this script every
// field shows.
(function () {
  var kind = document.getElementById("id_kind");
  if (!kind) return;
  var sync = function () {
    document.querySelectorAll("[data-meeting-kinds]").forEach(function (el) {
      el.hidden = el.getAttribute("data-meeting-kinds").split(" ").indexOf(kind.value) < 0;
    });
  };
  kind.addEventListener("change", sync);
  sync();
})();
