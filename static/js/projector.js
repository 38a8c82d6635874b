/* The projector: redraw counts and matrix cells from each snapshot. No reload, ever. */
(function () {
  "use strict";
  var root = document.getElementById("projector");
  if (!root) { return; }
  var eventId = parseInt(root.getAttribute("data-event"), 10);

  function render(state) {
    var open = state.contracts.filter(function (c) { return c.status === "open"; });
    var current = open[0];
    var title = document.getElementById("current-title");
    title.textContent = current
      ? "Now voting: contract " + current.code + ". " + current.name + (open.length > 1 ? " (and " + (open.length - 1) + " more)" : "")
      : "Voting is not open";
    var max = 1;
    if (current) { Object.keys(current.counts).forEach(function (k) { max = Math.max(max, current.counts[k]); }); }
    document.querySelectorAll("#bars .bar").forEach(function (bar) {
      var level = bar.getAttribute("data-level");
      var n = current ? current.counts[level] : 0;
      bar.querySelector('[data-field="count"]').textContent = String(n);
      bar.querySelector('[data-field="fill"]').style.height = Math.round((n / max) * 110) + "px";
    });
    document.getElementById("turnout").textContent = current
      ? current.voted + " of " + current.holders + " CCGs have voted" + (current.split ? " (" + current.split + " split)" : "")
      : "";
    var openCodes = {};
    open.forEach(function (c) { openCodes[c.code] = true; });
    document.querySelectorAll("#matrix thead th[data-col]").forEach(function (th) {
      th.classList.toggle("open-col", !!openCodes[th.getAttribute("data-col")]);
    });
    var columns = state.matrix.columns;
    var known = document.querySelectorAll("#matrix tbody tr").length;
    if (known !== state.matrix.rows.length || document.querySelectorAll("#matrix thead th[data-col]").length !== columns.length) {
      window.location.reload(); // organisations or contracts were re-imported: redraw the table
      return;
    }
    state.matrix.rows.forEach(function (row) {
      row.cells.forEach(function (cell, i) {
        var td = root.querySelector('td[data-org="' + CSS.escape(row.code) + '"][data-col="' + CSS.escape(columns[i]) + '"]');
        if (!td) { return; }
        var text = cell === "" ? "-" : cell;
        if (td.textContent !== text) { td.textContent = text; }
        td.className = "cell " + Live.cellClass(cell);
      });
    });
  }

  Live.connect({
    auth: { audience: "projector", event: eventId },
    handlers: { state: render },
    lostText: "Connection to the server lost. Reconnecting by itself...",
    onRefused: function () { window.location.reload(); }
  });
})();
