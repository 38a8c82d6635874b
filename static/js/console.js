/* The console: live counts and turnout; waiting delegates and splits re-fetched when they change. */
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) { return; }
  var eventId = parseInt(root.getAttribute("data-event"), 10);
  var renderedStage = parseInt(root.getAttribute("data-stage"), 10);
  var submitting = false; // a form is on its way: its answer page will show the new state
  document.addEventListener("submit", function () { submitting = true; });
  var TAG_COLOURS = { open: "green", closed: "grey", ready: "blue" }; // as templates/_macros.html
  var seen = { pending: null, splits: null, polls: null, stage3: null, stage4: null, interests: null };

  function setText(scope, field, text) {
    var el = scope.querySelector('[data-field="' + field + '"]');
    if (el && el.textContent !== text) { el.textContent = text; }
    return el;
  }

  function refreshPart(part, data) {
    var key = JSON.stringify(data === undefined ? null : data);
    if (!(part in seen) || seen[part] === null) { seen[part] = key; return; }
    if (seen[part] === key) { return; }
    var container = document.getElementById(part + "-list");
    // Never yank focus (or a half-filled form) away: try again on the next push.
    if (container && container.contains(document.activeElement) && document.activeElement !== document.body) { return; }
    seen[part] = key;
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
      if (tag) { tag.className = "nhsuk-tag nhsuk-tag--" + (TAG_COLOURS[c.status] || "white"); }
      setText(row, "turnout", c.voted + " of " + c.holders);
      Object.keys(c.counts).forEach(function (level) { setText(row, "count-" + level, String(c.counts[level])); });
      setText(row, "split", String(c.split));
      setText(row, "modal", c.modal || "-");
      setText(row, "flags", c.results_hidden ? "hidden" : "");
      var countdown = row.querySelector('[data-field="countdown"]');
      if (countdown) { countdown.setAttribute("data-closes-at", c.closes_at || ""); }
    });
    (state.organisations || []).forEach(function (o) {
      var row = root.querySelector('tr[data-org="' + CSS.escape(o.code) + '"]');
      if (!row) { return; }
      setText(row, "delegates", String(o.delegates));
      setText(row, "open", o.open_voted + " of " + o.open_held);
    });
    refreshPart("pending", state.pending);
    refreshPart("splits", state.splits);
    refreshPart("polls", state.polls);
    refreshPart("stage3", state.stage3);
    refreshPart("stage4", state.stage4);
    refreshPart("interests", state.declarations);
    if (state.stage !== renderedStage && !submitting) { window.location.reload(); return; }
    tickCountdowns(state);
  }

  var skew = 0;
  function tickCountdowns(state) {
    if (state && state.now) { skew = Date.parse(state.now) - Date.now(); }
  }
  setInterval(function () {
    root.querySelectorAll("[data-closes-at]").forEach(function (el) {
      var at = el.getAttribute("data-closes-at");
      if (!at) { el.textContent = ""; return; }
      var left = Math.max(0, Math.round((Date.parse(at) - (Date.now() + skew)) / 1000));
      el.textContent = left > 0 ? "closes in " + left + "s" : "closing";
    });
  }, 1000);

  Live.connect({
    auth: { audience: "console", event: eventId },
    handlers: { state: render },
    lostText: "Live updates paused: connection lost. Reconnecting...",
    onRefused: function () { window.location.reload(); }
  });
})();
