/* Search-as-you-type pickers (buildingparty/autocomplete.py): a text input with data-autocomplete-url becomes
   a Tom Select box that asks the endpoint for at most 20 matches and submits the chosen row's id. Without this
   script the input stays a plain text search the server understands. */
(function () {
  "use strict";
  if (typeof TomSelect === "undefined") return;

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function init(input) {
    var url = input.dataset.autocompleteUrl;
    var free = input.dataset.autocompleteFree; // filter forms: typed text is a search of its own
    var chosen = input.dataset.autocompleteValue;
    var options = [];
    var text = input.value.trim();
    if (chosen) {
      options.push({ value: chosen, text: text });
      input.value = chosen;
    } else if (text && free) {
      options.push({ value: text, text: text });
    }
    // The search box sits in the dropdown, so the field keeps its height while one types; an optional field
    // can be emptied again.
    var plugins = ["dropdown_input"];
    if (!input.required) plugins.push("clear_button");
    new TomSelect(input, {
      plugins: plugins,
      maxItems: 1,
      valueField: "value",
      labelField: "text",
      searchField: [],
      options: options,
      items: options.map(function (o) { return o.value; }),
      create: Boolean(free),
      persist: false,
      placeholder: input.dataset.autocompletePlaceholder || "",
      loadThrottle: 250,
      // The server has matched by name, initials and code: show what it sent, in its order.
      score: function () { return function () { return 1; }; },
      shouldLoad: function (query) { return query.length >= 1; },
      load: function (query, callback) {
        var self = this;
        var address = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
        fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { self.clearOptions(); callback(data.results); })
          .catch(function () { callback(); });
      },
      render: {
        no_results: function () {
          return '<div class="no-results">' + escapeHtml(input.dataset.autocompleteEmpty) + "</div>";
        },
        option_create: function (data, escape) {
          return '<div class="create">' + escape((free || "%s").replace("%s", data.input)) + "</div>";
        },
      },
    });
  }

  document.querySelectorAll("input[data-autocomplete-url]").forEach(init);
})();
