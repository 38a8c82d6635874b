/* The delegate's phone: contract votes, and the live ballot that keeps every part of the page up
   to date. A vote is kept in the outbox (phone-outbox.js) until the server acknowledges it;
   "saved" is shown only after the server has it. Polls are in phone-polls.js, declarations and
   Stages 3 and 4 in phone-stages.js. */
(function () {
  "use strict";
  var root = document.getElementById("phone");
  if (!root) { return; }
  var Outbox = window.PhoneOutbox;
  var OFFLINE = "Not sent yet: no connection. Your vote will be sent when the connection is back.";

  function setState(code, text, kind) {
    var line = document.getElementById("state-" + code);
    if (!line) { return; }
    line.textContent = text;
    line.className = "vote-state " + (kind || "");
  }
  function check(code, level) {
    var input = document.getElementById("level-" + code + "-" + level);
    if (input) { input.checked = true; }
  }
  function pending(code) { return Outbox.latest("contract-" + code); }

  Outbox.register("vote", {
    key: function (item) { return "contract-" + item.contract; },
    url: function () { return "/api/v1/vote"; },
    body: function (item) { return { contract: item.contract, level: item.level, vote_id: item.vote_id }; },
    waiting: function (item, connected) { setState(item.contract, connected ? "Sending your vote..." : OFFLINE, "sending"); },
    done: function (item, response, body, newer) {
      if (!response.ok) { setState(item.contract, body.error || "Your vote was not accepted.", "error"); return; }
      if (!newer) { setState(item.contract, "Vote saved: level " + item.level + ".", "saved"); }
    }
  });

  document.querySelectorAll("form.vote-form").forEach(function (form) {
    var code = form.querySelector('input[name="contract"]').value;
    function queue(level) { Outbox.add("vote", { contract: code, level: level }); }
    form.addEventListener("change", function (e) {
      if (e.target && e.target.name === "level") { queue(parseInt(e.target.value, 10)); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var picked = form.querySelector('input[name="level"]:checked');
      if (picked) { queue(parseInt(picked.value, 10)); }
    });
    form.querySelector("button.save").hidden = true; // with JavaScript a tap is enough
    // A level tapped while the page was still loading (before this script ran) is sent now.
    var picked = form.querySelector('input[name="level"]:checked');
    if (picked && !picked.defaultChecked && !pending(code)) { queue(parseInt(picked.value, 10)); }
  });

  // Votes left over from before a reload: show them as pending and resend.
  Outbox.items().forEach(function (item) {
    if (item.kind && item.kind !== "vote") { return; }
    check(item.contract, item.level);
    setState(item.contract, "Not sent yet. Sending when connected...", "sending");
  });

  function applyContracts(ballot, late) {
    var anyOpen = false;
    ballot.contracts.forEach(function (c) {
      var section = document.getElementById("contract-" + c.code);
      if (!section) { if (c.status === "open") { window.location.reload(); } return; }
      var was = section.getAttribute("data-status");
      section.setAttribute("data-status", c.status);
      var mine = ballot.votes ? ballot.votes[c.code] : undefined;
      var waiting = pending(c.code);
      // From Stage 3 on, a closed contract is shown by its stage part, not by its old vote.
      section.hidden = c.status === "ready" || (c.status === "closed" && (late || (mine === undefined && !waiting)));
      section.querySelector("fieldset").disabled = c.status !== "open";
      var confirm = document.getElementById("confirm-" + c.code);
      if (confirm) { confirm.hidden = c.status === "open"; }
      if (c.status === "open") { anyOpen = true; }
      if (mine !== undefined && !waiting) { check(c.code, mine); }
      if (c.status === "closed" && was !== "closed") {
        setState(c.code, "Voting on this contract has closed." + (mine !== undefined ? " Your vote: " + mine + "." : ""), "");
      } else if (c.status === "open" && was !== "open") {
        setState(c.code, "Voting is open.", "");
      } else if (mine !== undefined && !waiting && c.status === "open") {
        setState(c.code, "Vote saved: level " + mine + ".", "saved");
      }
    });
    return anyOpen;
  }

  function applyBallot(ballot) {
    if (ballot.status && ballot.status !== root.getAttribute("data-status")) { window.location.reload(); return; }
    if (root.getAttribute("data-status") !== "active") { return; } // waiting to be admitted: nothing to show yet
    // A new stage changes the whole page; the outbox is in localStorage, so nothing unsent is lost.
    if (typeof ballot.stage === "number" && String(ballot.stage) !== root.getAttribute("data-stage")) {
      window.location.reload();
      return;
    }
    var anyOpen = applyContracts(ballot, ballot.stage >= 3);
    if (window.PhonePolls) { PhonePolls.apply(ballot); }
    if (window.PhoneStages && PhoneStages.apply(ballot)) { window.location.reload(); return; }
    var none = document.getElementById("none-open");
    if (none) { none.hidden = anyOpen || (window.PhonePolls ? PhonePolls.anyOpen() : false); }
  }

  Live.connect({
    auth: { audience: "delegate" },
    handlers: { ballot: applyBallot, status_changed: function () { window.location.reload(); } },
    lostText: "Connection lost. Reconnecting... Your votes and answers are kept on this phone.",
    reconnectedText: "",
    onConnect: function () { Outbox.setConnected(true); },
    onRefused: function () { window.location.reload(); }
  });
  window.addEventListener("online", Outbox.flush);
  setInterval(Outbox.flush, 5000);
})();
