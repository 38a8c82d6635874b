/* The projector: redraws from each snapshot - the open poll, the open contract's counts, Stage 3
   flags or Stage 4 arrangements, and the matrix. It never reloads unless the table's shape changed. */
(function () {
  "use strict";
  var root = document.getElementById("projector");
  if (!root) { return; }
  var eventId = parseInt(root.getAttribute("data-event"), 10);
  var skew = 0;
  var closesAt = null;

  function byId(id) { return document.getElementById(id); }
  function show(id, visible) { byId(id).hidden = !visible; }
  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }
  function item(list, text) { var li = document.createElement("li"); li.textContent = text; list.appendChild(li); return li; }

  function renderContract(current, open) {
    byId("current-title").textContent = current
      ? "Now voting: contract " + current.code + ". " + current.name + (open.length > 1 ? " (and " + (open.length - 1) + " more)" : "")
      : "Voting is not open";
    var hidden = !!(current && current.results_hidden);
    show("hidden-note", hidden);
    show("bars", !hidden);
    var counts = current && current.counts ? current.counts : null;
    var max = 1;
    if (counts) { Object.keys(counts).forEach(function (k) { max = Math.max(max, counts[k]); }); }
    document.querySelectorAll("#bars .bar").forEach(function (bar) {
      var n = counts ? counts[bar.getAttribute("data-level")] : 0;
      bar.querySelector('[data-field="count"]').textContent = String(n);
      bar.querySelector('[data-field="fill"]').style.height = Math.round((n / max) * 110) + "px";
    });
    byId("turnout").textContent = current
      ? current.voted + " of " + current.holders + " CCGs have voted" + (current.split ? " (" + current.split + " split)" : "")
      : "";
    closesAt = current && current.closes_at ? Date.parse(current.closes_at) : null;
  }

  function renderPoll(poll) {
    byId("poll-question").textContent = poll.question + (poll.anonymous ? " (anonymous)" : "");
    var list = byId("poll-bars");
    clear(list);
    if (!poll.results) {
      item(list, "Results are hidden until the facilitator reveals them.");
      byId("poll-total").textContent = "";
      return;
    }
    var total = poll.results.total + " answer" + (poll.results.total === 1 ? "" : "s");
    if (!poll.results.overall) { // an anonymous poll shows its counts only once closed (docs/security.md)
      item(list, poll.results.withheld);
      byId("poll-total").textContent = total;
      return;
    }
    var max = 1;
    poll.options.forEach(function (o) { max = Math.max(max, poll.results.overall[o]); });
    poll.options.forEach(function (o) {
      var li = document.createElement("li");
      var label = document.createElement("span"); label.textContent = o;
      var fill = document.createElement("span"); fill.className = "pfill";
      fill.style.width = Math.round((poll.results.overall[o] / max) * 100) + "%";
      var count = document.createElement("span"); count.className = "pcount"; count.textContent = String(poll.results.overall[o]);
      li.appendChild(label); li.appendChild(fill); li.appendChild(count);
      list.appendChild(li);
    });
    var mean = poll.results.mean !== null && poll.results.mean !== undefined ? " - average " + poll.results.mean.toFixed(1) : "";
    byId("poll-total").textContent = total + mean;
  }

  function renderStage(state) {
    var list = byId("stage-items");
    clear(list);
    if (state.stage === 3 && state.stage3) {
      var s3 = state.stage3;
      byId("stage-title").textContent = "Are we sure? Check your row against your neighbours'";
      byId("stage-summary").textContent = s3.flags_open + " open flag" + (s3.flags_open === 1 ? "" : "s") + " of " + s3.flags_total +
        "; " + s3.confirmed + " positions confirmed, " + s3.amended + " changed";
      s3.open_flags.slice(0, 8).forEach(function (f) { item(list, f.organisation + ", contract " + f.contract + ": " + f.kind.replace("_", " ")); });
      return true;
    }
    if (state.stage === 4 && state.stage4) {
      var s4 = state.stage4;
      byId("stage-title").textContent = "Who and how: " + s4.arrangements.length + " arrangements";
      byId("stage-summary").textContent = s4.problems.length
        ? s4.problems.length + " gap" + (s4.problems.length === 1 ? "" : "s") + " or contradiction" + (s4.problems.length === 1 ? "" : "s") + " to fix"
        : "Every CCG holding a contract is in exactly one arrangement";
      s4.arrangements.filter(function (a) { return a.members.length > 1; }).slice(0, 12).forEach(function (a) {
        item(list, "Contract " + a.contract + " (level " + a.level + "): " + a.members.map(function (m) { return m.organisation; }).join(", ") +
          (a.coordinator ? " - led by " + a.coordinator : ""));
      });
      return true;
    }
    return false;
  }

  function renderMatrix(matrix, openCodes) {
    var columns = matrix.columns;
    var headers = document.querySelectorAll("#matrix thead th[data-col]");
    if (document.querySelectorAll("#matrix tbody tr").length !== matrix.rows.length || headers.length !== columns.length) {
      window.location.reload(); // organisations or contracts were re-imported: redraw the table
      return;
    }
    headers.forEach(function (th) { th.classList.toggle("open-col", !!openCodes[th.getAttribute("data-col")]); });
    matrix.rows.forEach(function (row) {
      row.cells.forEach(function (cell, i) {
        var td = root.querySelector('td[data-org="' + CSS.escape(row.code) + '"][data-col="' + CSS.escape(columns[i]) + '"]');
        if (!td) { return; }
        var text = cell === "" ? "-" : cell;
        if (td.textContent !== text) { td.textContent = text; }
        td.className = "cell " + (cell === "\u2713" ? "none" : Live.cellClass(cell));
      });
    });
  }

  function render(state) {
    if (state.now) { skew = Date.parse(state.now) - Date.now(); }
    byId("stage-line").textContent = "Stage " + state.stage + ": " + (state.stages ? state.stages[String(state.stage)] : "");
    var open = state.contracts.filter(function (c) { return c.status === "open"; });
    var polls = (state.polls || []).filter(function (p) { return p.status === "open"; });
    var poll = polls[polls.length - 1];
    var openCodes = {};
    open.forEach(function (c) { openCodes[c.code] = true; });
    var stagePanel = !poll && !open.length && renderStage(state);
    show("poll-panel", !!poll);
    show("current", !poll && !stagePanel);
    show("stage-panel", !!stagePanel);
    if (poll) { renderPoll(poll); }
    renderContract(open[0], open);
    var matrix = (state.stage4 && state.stage4.matrix) || (state.stage3 && state.stage3.matrix) || state.matrix;
    renderMatrix(matrix, openCodes);
    fit();
  }

  /* The whole matrix must stay on one screen, as large as it can be read from the back of the room:
     a small event gets large type; otherwise shrink a step at a time only when it would not fit (the
     Stage 3 and 4 summaries take room above it). */
  function fit() {
    var table = byId("matrix");
    var big = !table.classList.contains("dense-server");
    table.classList.remove("compact", "large");
    if (big) { table.classList.remove("dense"); }
    var root = document.documentElement;
    var fits = function () {
      return root.scrollHeight <= window.innerHeight && root.scrollWidth <= window.innerWidth;
    };
    if (big) {
      table.classList.add("large");
      if (!fits()) { table.classList.remove("large"); }
    }
    if (!fits()) { table.classList.add("compact"); }
    if (!fits()) { table.classList.add("dense"); }
  }
  window.addEventListener("resize", fit);

  setInterval(function () {
    var el = byId("countdown");
    if (!closesAt) { el.textContent = ""; return; }
    var left = Math.max(0, Math.round((closesAt - (Date.now() + skew)) / 1000));
    el.textContent = left > 0 ? "Voting closes in " + left + " s" : "Voting has closed";
  }, 250);

  Live.connect({
    auth: { audience: "projector", event: eventId },
    handlers: { state: render },
    lostText: "Connection to the server lost. Reconnecting by itself...",
    onRefused: function () { window.location.reload(); }
  });
})();
