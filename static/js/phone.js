/* The delegate's phone. A vote is kept on the phone (localStorage, keyed by its vote_id) until
   the server acknowledges it, and resent after a reconnect, reload or restart. "Saved" is shown
   only after the server has it. */
(function () {
  "use strict";
  var root = document.getElementById("phone");
  if (!root) { return; }
  var OUTBOX = "voting-outbox-" + root.getAttribute("data-event");
  var sending = false;
  var connected = false;

  function loadOutbox() {
    try { return JSON.parse(localStorage.getItem(OUTBOX) || "[]"); } catch (e) { return []; }
  }
  function saveOutbox(items) {
    try { localStorage.setItem(OUTBOX, JSON.stringify(items)); } catch (e) { /* private mode: memory only */ }
  }
  function newVoteId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes); // works on plain-HTTP venue LANs, unlike randomUUID
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function stateLine(code) { return document.getElementById("state-" + code); }
  function setState(code, text, kind) {
    var line = stateLine(code);
    if (!line) { return; }
    line.textContent = text;
    line.className = "vote-state " + (kind || "");
  }
  function latestFor(code, items) {
    var found = null;
    items.forEach(function (item) { if (item.contract === code) { found = item; } });
    return found;
  }
  function check(code, level) {
    var input = document.getElementById("level-" + code + "-" + level);
    if (input) { input.checked = true; }
  }

  function queue(code, level) {
    var items = loadOutbox();
    items.push({ vote_id: newVoteId(), contract: code, level: level, at: Date.now() });
    saveOutbox(items);
    setState(code, connected ? "Sending your vote..." : "Not sent yet: no connection. Your vote will be sent when the connection is back.", "sending");
    flush();
  }

  function flush() {
    if (sending) { return; }
    var items = loadOutbox();
    if (!items.length) { return; }
    var item = items[0]; // strictly in order, so the last choice made is the one that stands
    sending = true;
    fetch("/api/v1/vote", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": Live.csrfToken() },
      body: JSON.stringify({ contract: item.contract, level: item.level, vote_id: item.vote_id })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        sending = false;
        if (response.status >= 500 || response.status === 429) { throw new Error("retry later"); }
        var rest = loadOutbox().filter(function (x) { return x.vote_id !== item.vote_id; });
        saveOutbox(rest);
        var newer = latestFor(item.contract, rest);
        if (response.ok) {
          if (!newer) { setState(item.contract, "Vote saved: level " + item.level + ".", "saved"); }
        } else {
          setState(item.contract, body.error || "Your vote was not accepted.", "error");
          if (response.status === 401) { window.location.reload(); return; }
        }
        flush();
      });
    }).catch(function () {
      sending = false;
      var code = item.contract;
      setState(code, "Not sent yet: no connection. Your vote will be sent when the connection is back.", "sending");
    });
  }

  document.querySelectorAll("form.vote-form").forEach(function (form) {
    var code = form.querySelector('input[name="contract"]').value;
    form.addEventListener("change", function (e) {
      if (e.target && e.target.name === "level") { queue(code, parseInt(e.target.value, 10)); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var picked = form.querySelector('input[name="level"]:checked');
      if (picked) { queue(code, parseInt(picked.value, 10)); }
    });
    form.querySelector("button.save").hidden = true; // with JavaScript a tap is enough
  });

  // Votes left over from before a reload: show them as pending and resend.
  loadOutbox().forEach(function (item) {
    check(item.contract, item.level);
    setState(item.contract, "Not sent yet. Sending when connected...", "sending");
  });

  function applyBallot(ballot) {
    if (ballot.status && ballot.status !== root.getAttribute("data-status")) { window.location.reload(); return; }
    if (root.getAttribute("data-status") !== "active") { return; } // waiting to be admitted: nothing to show yet
    var anyOpen = false;
    var pending = loadOutbox();
    ballot.contracts.forEach(function (c) {
      var section = document.getElementById("contract-" + c.code);
      if (!section) { if (c.status === "open") { window.location.reload(); } return; }
      var was = section.getAttribute("data-status");
      section.setAttribute("data-status", c.status);
      var mine = ballot.votes ? ballot.votes[c.code] : undefined;
      section.hidden = c.status === "ready" || (c.status === "closed" && mine === undefined && !latestFor(c.code, pending));
      section.querySelector("fieldset").disabled = c.status !== "open";
      if (c.status === "open") { anyOpen = true; }
      if (mine !== undefined && !latestFor(c.code, pending)) { check(c.code, mine); }
      if (c.status === "closed" && was !== "closed") {
        setState(c.code, "Voting on this contract has closed." + (mine !== undefined ? " Your vote: " + mine + "." : ""), "");
      } else if (c.status === "open" && was !== "open") {
        setState(c.code, "Voting is open.", "");
      } else if (mine !== undefined && !latestFor(c.code, pending) && c.status === "open") {
        setState(c.code, "Vote saved: level " + mine + ".", "saved");
      }
    });
    var none = document.getElementById("none-open");
    if (none) { none.hidden = anyOpen; }
  }

  Live.connect({
    auth: { audience: "delegate" },
    handlers: { ballot: applyBallot, status_changed: function () { window.location.reload(); } },
    lostText: "Connection lost. Reconnecting... Your votes are kept on this phone.",
    reconnectedText: "",
    onConnect: function () { connected = true; flush(); },
    onRefused: function () { window.location.reload(); }
  });
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
})();
