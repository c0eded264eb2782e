// The transfer form: show only the destination field that fits the chosen direction; without JavaScript both
// stay visible.
(function () {
  var radios = document.querySelectorAll("input[name=direction]");
  function update() {
    var chosen = document.querySelector("input[name=direction]:checked");
    document.querySelectorAll("[data-for-direction]").forEach(function (el) {
      el.hidden = chosen !== null && el.getAttribute("data-for-direction") !== chosen.value;
    });
  }
  radios.forEach(function (r) { r.addEventListener("change", update); });
  update();
})();
