/* Polls on the phone. Answers go through the outbox like votes ("saved" only once the server has
   them). Polls that open later are drawn here from the ballot push, with the same markup as
   templates/delegate/_polls.html; polls that close are disabled in place. Text is only ever set
   with textContent. */
(function () {
  "use strict";
  var root = document.getElementById("phone");
  var container = document.getElementById("polls");
  if (!root || !container) { return; }
  var Outbox = window.PhoneOutbox;
  var ANONYMOUS = "Anonymous: your answer is counted but not stored with your name, and can't be changed once sent.";
  var NAMED = "Your answer is kept with your name. You can change it while the poll is open.";
  var COUNTED = "Answer saved and counted anonymously. It can't be changed.";
  var ANSWERED = "You have answered this poll. Anonymous answers can't be changed.";
  var OFFLINE = "Not sent yet: no connection. Your answer will be sent when the connection is back.";

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function section(id) { return document.getElementById("poll-" + id); }
  function anonymous(id) { var s = section(id); return !!s && s.getAttribute("data-anonymous") === "yes"; }
  function setState(id, text, kind) {
    var line = document.getElementById("poll-state-" + id);
    if (!line) { return; }
    line.textContent = text;
    line.className = "vote-state " + (kind || "");
  }
  function label(kind, option) {
    if (kind === "scale" && option === "1") { return "1 (lowest)"; }
    if (kind === "scale" && option === "5") { return "5 (highest)"; }
    return option;
  }
  function input(id, answer) {
    var s = section(id);
    if (!s) { return null; }
    var found = null;
    s.querySelectorAll('input[name="answer"]').forEach(function (x) { if (x.value === answer) { found = x; } });
    return found;
  }
  function labelOf(id, answer) {
    var x = input(id, answer);
    return x ? x.getAttribute("data-label") : answer;
  }
  function lock(id, locked) { // an anonymous answer, once sent, is final
    var s = section(id);
    if (!s) { return; }
    if (locked) { s.setAttribute("data-locked", "yes"); } else { s.removeAttribute("data-locked"); }
    s.querySelector("fieldset").disabled = locked || s.getAttribute("data-status") !== "open";
  }
  function pending(id) { return Outbox.latest("poll-" + id); }

  Outbox.register("poll", {
    key: function (item) { return "poll-" + item.poll; },
    url: function (item) { return "/api/v1/polls/" + encodeURIComponent(item.poll) + "/answer"; },
    body: function (item) { return { answer: item.answer, vote_id: item.vote_id }; },
    waiting: function (item, connected) {
      setState(item.poll, connected ? "Sending your answer..." : OFFLINE, "sending");
    },
    done: function (item, response, body, newer) {
      if (response.ok) {
        if (newer) { return; }
        if (anonymous(item.poll)) { lock(item.poll, true); setState(item.poll, COUNTED, "saved"); return; }
        setState(item.poll, "Answer saved. Your answer: " + labelOf(item.poll, item.answer) + ".", "saved");
        return;
      }
      if (anonymous(item.poll)) { lock(item.poll, response.status === 409); }
      setState(item.poll, body.error || "Your answer was not accepted.", "error");
    }
  });

  function send(id, answer) {
    if (anonymous(id)) { lock(id, true); }
    Outbox.add("poll", { poll: parseInt(id, 10), answer: answer });
  }

  function wire(s) {
    var id = s.getAttribute("data-poll");
    var form = s.querySelector("form");
    var isAnonymous = s.getAttribute("data-anonymous") === "yes";
    form.addEventListener("change", function (e) {
      // A named answer can be changed, so a tap is enough; an anonymous one waits for "Send answer".
      if (!isAnonymous && e.target && e.target.name === "answer") { send(id, e.target.value); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var picked = form.querySelector('input[name="answer"]:checked');
      if (picked) { send(id, picked.value); } else { setState(id, "Choose an answer first.", "error"); }
    });
    var button = form.querySelector("button.save");
    if (isAnonymous) { button.textContent = "Send answer (it can't be changed)"; } else { button.hidden = true; }
    // A named answer tapped while the page was still loading (before this script ran) is sent now.
    var early = form.querySelector('input[name="answer"]:checked');
    if (!isAnonymous && early && !early.defaultChecked && !pending(id)) { send(id, early.value); }
  }

  function build(poll) {
    var id = String(poll.id);
    var s = el("section", {
      "class": "ballot poll", id: "poll-" + id, "data-poll": id, "data-kind": poll.kind, "data-status": "open",
      "data-anonymous": poll.anonymous ? "yes" : "no", "aria-labelledby": "poll-title-" + id
    });
    s.appendChild(el("p", { "class": "kicker" }, "Poll"));
    s.appendChild(el("h2", { id: "poll-title-" + id }, poll.question));
    s.appendChild(el("p", { "class": "nhsuk-hint" }, poll.anonymous ? ANONYMOUS : NAMED));
    var form = el("form", { method: "post", action: container.getAttribute("data-action"), "class": "poll-form" });
    var group = el("div", { "class": "nhsuk-form-group" });
    var fieldset = el("fieldset", { "class": "nhsuk-fieldset", "aria-describedby": "poll-state-" + id });
    fieldset.appendChild(el("legend", { "class": "nhsuk-fieldset__legend nhsuk-u-visually-hidden" }, poll.question));
    var radios = el("div", { "class": "nhsuk-radios", "data-module": "nhsuk-radios" });
    poll.options.forEach(function (option, index) {
      var inputId = "poll-" + id + "-" + (index + 1);
      var item = el("div", { "class": "nhsuk-radios__item" });
      item.appendChild(el("input", {
        "class": "nhsuk-radios__input", type: "radio", id: inputId, name: "answer", value: option,
        "data-label": label(poll.kind, option), required: "required"
      }));
      item.appendChild(el("label", { "class": "nhsuk-label nhsuk-radios__label", "for": inputId }, label(poll.kind, option)));
      radios.appendChild(item);
    });
    fieldset.appendChild(radios);
    group.appendChild(fieldset);
    form.appendChild(group);
    form.appendChild(el("button", { type: "submit", "class": "nhsuk-button save" }, "Send answer"));
    s.appendChild(form);
    s.appendChild(el("p", { "class": "vote-state", id: "poll-state-" + id, role: "status", "aria-live": "polite" }, ""));
    return s;
  }

  function insert(s, id) { // polls in the order they were made (ids ascend)
    var after = null;
    container.querySelectorAll("section.poll").forEach(function (other) {
      if (!after && parseInt(other.getAttribute("data-poll"), 10) > id) { after = other; }
    });
    container.insertBefore(s, after);
  }

  function announce(text) {
    var line = document.getElementById("announce");
    if (line) { line.textContent = text; }
  }

  function apply(ballot) {
    if (!Array.isArray(ballot.polls)) { return; }
    var open = {};
    ballot.polls.forEach(function (poll) {
      open[poll.id] = true;
      var s = section(poll.id);
      if (!s) {
        s = build(poll);
        insert(s, poll.id);
        wire(s);
        announce("A new poll has opened: " + poll.question);
      } else if (s.getAttribute("data-status") !== "open") {
        s.setAttribute("data-status", "open");
        lock(poll.id, s.getAttribute("data-locked") === "yes");
        setState(poll.id, "This poll is open again.", "");
      }
    });
    container.querySelectorAll("section.poll").forEach(function (s) {
      var id = s.getAttribute("data-poll");
      if (open[id] || s.getAttribute("data-status") !== "open") { return; }
      s.setAttribute("data-status", "closed");
      s.querySelector("fieldset").disabled = true;
      var picked = s.querySelector('input[name="answer"]:checked');
      var yours = picked && !anonymous(id) && !pending(id) ? " Your answer: " + picked.getAttribute("data-label") + "." : "";
      setState(id, "This poll has closed." + yours, "");
    });
    // Only the snapshot sent to this phone carries its own answers; the CCG's pushes do not.
    Object.keys(ballot.poll_answers || {}).forEach(function (id) {
      var answer = ballot.poll_answers[id];
      var x = input(id, answer);
      if (!x || pending(id) || anonymous(id) || section(id).getAttribute("data-status") !== "open") { return; }
      x.checked = true;
      setState(id, "Your answer: " + x.getAttribute("data-label") + ".", "saved");
    });
    (ballot.polls_answered || []).forEach(function (id) {
      if (!anonymous(id) || pending(id) || section(id).getAttribute("data-status") !== "open") { return; }
      lock(id, true);
      setState(id, ANSWERED, "saved");
    });
  }

  container.querySelectorAll("section.poll").forEach(wire);
  // Answers left over from before a reload: show them as pending (the outbox resends them).
  Outbox.items().forEach(function (item) {
    if (item.kind !== "poll" || !section(item.poll)) { return; }
    var x = input(item.poll, item.answer);
    if (x) { x.checked = true; }
    if (anonymous(item.poll)) { lock(item.poll, true); }
    setState(item.poll, "Not sent yet. Sending when connected...", "sending");
  });

  window.PhonePolls = {
    apply: apply,
    anyOpen: function () { return !!container.querySelector('section.poll[data-status="open"]'); }
  };
})();
