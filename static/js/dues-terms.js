// A dues standard (a member's declaration, a secretary's form): show the base only for kinds that have one, and
// only the payer field the chosen payer needs. Without JavaScript every field stays visible; the server checks
// the same rules.
(function () {
  var baseKinds = ["employed", "self_employed", "retired"];
  function wrapper(id) { var el = document.getElementById(id); return el ? (el.closest(".mb-3") || el.parentNode) : null; }
  function checked(name) { var el = document.querySelector("input[name=" + name + "]:checked"); return el ? el.value : ""; }
  function invalid(id) { var el = document.getElementById(id); return el && el.classList.contains("is-invalid"); }
  function sync() {
    var base = wrapper("id_declared_base"), name = wrapper("id_payer_name");
    if (base) base.hidden = baseKinds.indexOf(checked("kind")) < 0 && !invalid("id_declared_base");
    if (name) name.hidden = checked("payer") !== "other" && !invalid("id_payer_name");
  }
  document.querySelectorAll("input[name=kind], input[name=payer]").forEach(function (r) { r.addEventListener("change", sync); });
  sync();
})();
