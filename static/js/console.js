/* The console: live counts and turnout; waiting delegates and splits re-fetched when they change. */
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) { return; }
  var eventId = parseInt(root.getAttribute("data-event"), 10);
  var seen = { pending: null, splits: null };

  function setText(scope, field, text) {
    var el = scope.querySelector('[data-field="' + field + '"]');
    if (el && el.textContent !== text) { el.textContent = text; }
    return el;
  }

  function refreshPart(part, data) {
    var key = JSON.stringify(data || []);
    if (seen[part] === null) { seen[part] = key; return; }
    if (seen[part] === key) { return; }
    seen[part] = key;
    var container = document.getElementById(part + "-list");
    if (container && container.contains(document.activeElement)) { return; } // never yank focus away
    fetch("/events/" + eventId + "/console/" + part, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || !container) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        container.replaceChildren.apply(container, Array.prototype.slice.call(doc.body.childNodes));
      });
  }

  function render(state) {
    state.contracts.forEach(function (c) {
      var row = root.querySelector('tr[data-contract="' + CSS.escape(c.code) + '"]');
      if (!row) { return; }
      var tag = setText(row, "status", c.status);
      if (tag) { tag.className = "tag " + c.status; }
      setText(row, "turnout", c.voted + " of " + c.holders);
      Object.keys(c.counts).forEach(function (level) { setText(row, "count-" + level, String(c.counts[level])); });
      setText(row, "split", String(c.split));
      setText(row, "modal", c.modal || "-");
    });
    (state.organisations || []).forEach(function (o) {
      var row = root.querySelector('tr[data-org="' + CSS.escape(o.code) + '"]');
      if (!row) { return; }
      setText(row, "delegates", String(o.delegates));
      setText(row, "open", o.open_voted + " of " + o.open_held);
    });
    refreshPart("pending", state.pending);
    refreshPart("splits", state.splits);
  }

  Live.connect({
    auth: { audience: "console", event: eventId },
    handlers: { state: render },
    lostText: "Live updates paused: connection lost. Reconnecting...",
    onRefused: function () { window.location.reload(); }
  });
})();
