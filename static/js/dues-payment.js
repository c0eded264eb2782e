// The dues payment form: show the 代交 payer only for a payment on the member's behalf, the consent only for
// several months and the branch decision only for months more than six back or ahead; and show what the
// chosen months owe, as the server computes it. Without JavaScript every field stays visible, the page shows
// what the first months owe, and the server checks everything again.
(function () {
  var WINDOW = 6;

  function monthIndex(value) {
    var m = /^(\d{4})-(\d{2})/.exec(value || "");
    return m ? Number(m[1]) * 12 + Number(m[2]) - 1 : null;
  }

  document.querySelectorAll("[data-payment-form]").forEach(function (form) {
    var method = form.querySelector("[name=method]");
    var first = form.querySelector("[name=first_month]");
    var last = form.querySelector("[name=last_month]");
    var owed = form.querySelector("[data-owed]");
    var url = form.getAttribute("data-owed-url");
    var now = new Date();
    var current = now.getFullYear() * 12 + now.getMonth();
    var asked = 0;

    function keepShown(el) {
      return Boolean(el.querySelector(".is-invalid")) || Array.prototype.some.call(
        el.querySelectorAll("input[type=text], input[type=date], textarea"), function (input) { return input.value; }
      );
    }

    function update() {
      form.querySelectorAll("[data-for-method]").forEach(function (el) {
        el.hidden = method.value !== el.getAttribute("data-for-method") && !keepShown(el);
      });
      var a = monthIndex(first.value), b = monthIndex(last.value);
      var shown = {
        several: a !== null && b !== null && a !== b,
        beyond: (a !== null && a < current - WINDOW) || (b !== null && b > current + WINDOW)
      };
      form.querySelectorAll("[data-for-months]").forEach(function (el) {
        el.hidden = !shown[el.getAttribute("data-for-months")] && !keepShown(el);
      });
    }

    function fetchOwed() {
      if (!owed || !url || !first.value || !last.value) return;
      var ask = ++asked;
      var query = "?first_month=" + encodeURIComponent(first.value) + "&last_month=" + encodeURIComponent(last.value);
      fetch(url + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (ask !== asked || !data) return;
          owed.textContent = data.text;
          owed.hidden = !data.text;
        })
        .catch(function () { /* the server checks the amount when the form is sent */ });
    }

    [method, first, last].forEach(function (el) {
      el.addEventListener("change", update);
      el.addEventListener("input", update);
    });
    [first, last].forEach(function (el) { el.addEventListener("change", fetchOwed); });
    update();
  });
})();
