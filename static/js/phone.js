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

  // What the server holds for this delegate, per contract: {level, round}. It comes from the page,
  // from every snapshot (connect, reconnect, resync) and from each saved vote; a push that shows the
  // contract in a new round (a reset, a Stage 3 re-run) means the server no longer holds it.
  var mine = {};
  // Per contract: the audit-chain position of the newest news of this phone's vote (the page's
  // data-as-of, a snapshot's as_of, a vote answer's seq). Seqs follow commit order, so a snapshot
  // read before a vote was committed, even if it arrives after the vote's answer, is older news
  // and does not undo that vote here.
  var newest = {};
  var pageAsOf = parseInt(root.getAttribute("data-as-of"), 10) || 0;
  var shown = {}; // per contract: the truth the state line last told, so a repeat push says nothing new

  function section(code) { return document.getElementById("contract-" + code); }
  function roundOf(code) {
    var s = section(code);
    return s ? parseInt(s.getAttribute("data-round"), 10) || 1 : 1;
  }
  function setState(code, text, kind) {
    var line = document.getElementById("state-" + code);
    if (!line) { return; }
    // Only a real change is written: a live region may announce a rewrite of the same words.
    if (line.textContent !== text) { line.textContent = text; }
    line.className = "vote-state " + (kind || "");
  }
  function check(code, level) {
    var s = section(code);
    if (!s) { return; }
    s.querySelectorAll('input[name="level"]').forEach(function (input) {
      input.checked = level !== null && parseInt(input.value, 10) === level;
    });
  }
  function held(code) {
    var vote = mine[code];
    return vote && vote.round === roundOf(code) ? vote : null;
  }
  // The newest vote still to send, if it was made in this round (an older one will be refused).
  function pending(code) {
    var item = Outbox.latest("contract-" + code);
    return item && (!item.round || item.round === roundOf(code)) ? item : null;
  }

  // Show exactly what the server holds (or what is on its way to it): the radios and the state line.
  function show(code) {
    var s = section(code);
    if (!s) { return; }
    var status = s.getAttribute("data-status");
    var vote = held(code);
    var waiting = pending(code);
    check(code, waiting ? waiting.level : vote ? vote.level : null);
    var truth = [status, roundOf(code), vote ? vote.level : "", waiting ? waiting.vote_id : ""].join("|");
    if (shown[code] === truth) { return; }
    shown[code] = truth;
    if (status === "closed") {
      setState(code, "Voting on this contract has closed." + (vote ? " Your vote: " + vote.level + "." : ""), "");
    } else if (status === "open" && waiting) {
      return; // the outbox says how sending it goes
    } else if (status === "open" && vote) {
      setState(code, "Vote saved: level " + vote.level + ".", "saved");
    } else if (status === "open") {
      setState(code, "Voting is open. Not voted yet.", "");
    } else {
      setState(code, "", "");
    }
  }

  document.querySelectorAll("section.ballot[data-contract][data-vote]").forEach(function (s) {
    var level = parseInt(s.getAttribute("data-vote"), 10);
    var code = s.getAttribute("data-contract");
    newest[code] = pageAsOf;
    if (level) { mine[code] = { level: level, round: roundOf(code) }; }
  });

  Outbox.register("vote", {
    key: function (item) { return "contract-" + item.contract; },
    url: function () { return "/api/v1/vote"; },
    body: function (item) { return { contract: item.contract, level: item.level, vote_id: item.vote_id, round: item.round }; },
    waiting: function (item, connected) { setState(item.contract, connected ? "Sending your vote..." : OFFLINE, "sending"); },
    done: function (item, response, body) {
      var current = !item.round || item.round === roundOf(item.contract);
      if (response.ok && current) {
        mine[item.contract] = { level: item.level, round: roundOf(item.contract) };
        newest[item.contract] = Math.max(newest[item.contract] || 0, body.seq || 0);
      }
      delete shown[item.contract]; // the line said "Sending...": tell the truth again
      show(item.contract);
      if (!response.ok) {
        // Refused (closed, restarted...): the radios show what the server holds, the line says why.
        setState(item.contract, body.error || "Your vote was not accepted.", "error");
      }
    }
  });

  document.querySelectorAll("form.vote-form").forEach(function (form) {
    var code = form.querySelector('input[name="contract"]').value;
    var clicked = false;
    function queue(level) { Outbox.add("vote", { contract: code, level: level, round: roundOf(code) }); }
    // A tap on the level already checked fires no "change", but it is a vote all the same: a tap
    // (or Space) is a click on the radio; "change" alone is kept for browsers that pick without one.
    form.addEventListener("click", function (e) {
      if (!e.target || e.target.name !== "level") { return; }
      clicked = true;
      setTimeout(function () { clicked = false; }, 0);
      queue(parseInt(e.target.value, 10));
    });
    form.addEventListener("change", function (e) {
      if (e.target && e.target.name === "level" && !clicked) { queue(parseInt(e.target.value, 10)); }
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

  // Votes left over from before a reload: show them as pending and resend (one made in an earlier
  // round is resent too, and the server's refusal is shown).
  Outbox.items().forEach(function (item) {
    if (item.kind && item.kind !== "vote") { return; }
    var newest = pending(item.contract);
    if (!newest || newest.vote_id !== item.vote_id) { return; }
    check(item.contract, item.level);
    setState(item.contract, "Not sent yet. Sending when connected...", "sending");
  });

  function applyContracts(ballot, late) {
    var anyOpen = false;
    if (ballot.votes) { // this phone's own snapshot: what the server held for it when it was read
      var asOf = typeof ballot.as_of === "number" ? ballot.as_of : 0;
      var listed = {};
      ballot.contracts.forEach(function (c) { listed[c.code] = true; });
      Object.keys(mine).forEach(function (code) { if (!listed[code]) { delete mine[code]; } });
      ballot.contracts.forEach(function (c) {
        if (asOf < (newest[c.code] || 0)) { return; } // read before a vote this phone already has
        newest[c.code] = asOf;
        if (ballot.votes[c.code] !== undefined) {
          mine[c.code] = { level: ballot.votes[c.code], round: c.round || 1 };
        } else {
          delete mine[c.code];
        }
      });
    }
    ballot.contracts.forEach(function (c) {
      var s = section(c.code);
      if (!s) { if (c.status === "open") { window.location.reload(); } return; }
      s.setAttribute("data-status", c.status);
      if (typeof c.round === "number") { s.setAttribute("data-round", String(c.round)); }
      var vote = held(c.code);
      if (!vote) { delete mine[c.code]; } // removed by a reset or re-run: never shown as saved again
      // From Stage 3 on, a closed contract is shown by its stage part, not by its old vote.
      s.hidden = c.status === "ready" || (c.status === "closed" && (late || (!vote && !pending(c.code))));
      s.querySelector("fieldset").disabled = c.status !== "open";
      var confirm = document.getElementById("confirm-" + c.code);
      if (confirm) { confirm.hidden = c.status === "open"; }
      if (c.status === "open") { anyOpen = true; }
      show(c.code);
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
