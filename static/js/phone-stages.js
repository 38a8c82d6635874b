/* The phone's later parts with JavaScript: declarations, Stage 3 "Are we sure?" and Stage 4 "Who
   and how". Each form posts to the JSON API instead and says "Sending...", then what was saved or
   the server's sentence, in the aria-live line beside it. Nothing is queued: these are deliberate
   acts, so after a lost connection the delegate sends again. Ballot pushes keep Stage 3 (cells,
   flags, what the CCG confirmed) up to date in place, so a reason being typed is never lost;
   Stage 4 reloads when an arrangement itself changes. Text is only ever set with textContent. */
(function () {
  "use strict";
  var root = document.getElementById("phone");
  if (!root) { return; }
  var OFFLINE = "Not sent: no connection. Please try again when the connection is back.";
  var levels = {};
  document.querySelectorAll("#stage3 .legend li").forEach(function (item) {
    var number = item.querySelector(".cell");
    if (number) { levels[number.textContent] = item.textContent.slice(number.textContent.length); }
  });

  function say(line, text, kind) {
    if (!line) { return; }
    line.textContent = text;
    line.className = "vote-state " + (kind || "");
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": Live.csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (response.status === 401) { window.location.reload(); }
        return { ok: response.ok, status: response.status, body: json || {} };
      });
    });
  }
  /* Send a form's data; busy buttons are disabled; the outcome goes to `line`. */
  function submit(form, line, url, body, saved) {
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    say(line, "Sending...", "sending");
    function done() { buttons.forEach(function (b) { b.disabled = false; }); }
    post(url, body).then(function (result) {
      done();
      if (result.ok) { saved(result.body); } else { say(line, result.body.error || "That was not saved. Please try again.", "error"); }
    }, function () { done(); say(line, OFFLINE, "error"); });
  }
  function field(form, name) { var x = form.querySelector('[name="' + name + '"]'); return x ? x.value : ""; }

  /* Declarations */
  document.querySelectorAll("form.declare-form").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var line = document.getElementById(form.getAttribute("data-state"));
      var text = form.querySelector('[name="interest"]');
      var contract = field(form, "contract");
      submit(form, line, "/api/v1/declarations", { contract: contract, interest: text.value }, function () {
        var list = document.getElementById(form.getAttribute("data-list"));
        if (list) {
          var item = document.createElement("li");
          item.textContent = "You declared an interest: " + text.value.trim().replace(/\s+/g, " ");
          list.appendChild(item);
          list.hidden = false;
        }
        text.value = "";
        say(line, "Interest declared for contract " + contract + ". The facilitator can see it.", "saved");
      });
    });
  });

  /* Stage 3 */
  function single(cell) { return /^[1-5]$/.test(cell); }
  function positionText(cell) {
    if (single(cell)) { return "Your CCG's position: level " + cell + " (" + (levels[cell] || "") + ")."; }
    if (cell.indexOf("/") !== -1) { return "Your CCG's delegates are tied (" + cell + "). Choose a level below and give a reason."; }
    return "Your CCG has no position on this contract yet. Choose a level below and give a reason.";
  }
  function statusText(status, cell) {
    if (status === "confirmed") { return "Confirmed: level " + cell + "."; }
    if (status === "amended") { return "Changed: now level " + cell + "."; }
    return "";
  }
  function showPosition(code, cell) {
    var position = document.getElementById("position-" + code);
    if (position) { position.textContent = positionText(cell); }
    var block = document.getElementById("confirm-" + code);
    if (!block) { return; }
    var confirm = block.querySelector("form.confirm-form");
    confirm.hidden = !single(cell);
    confirm.querySelector("button").textContent = "Confirm level " + (single(cell) ? cell : "");
    confirm.setAttribute("data-level", single(cell) ? cell : "");
    if (!single(cell)) { block.querySelector("details.change").open = true; }
  }

  document.querySelectorAll("form.confirm-form, form.amend-form").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var code = field(form, "contract");
      var action = field(form, "action");
      var picked = form.querySelector('input[name="level"]:checked');
      var reason = form.querySelector('[name="reason"]');
      var body = { contract: code, action: action, level: picked ? parseInt(picked.value, 10) : null, reason: reason ? reason.value : "" };
      var line = document.getElementById("confirm-state-" + code);
      submit(form, line, "/api/v1/confirmations", body, function () {
        if (action === "amend") {
          var cell = String(body.level);
          say(line, statusText("amended", cell), "saved");
          showPosition(code, cell);
          reason.value = "";
          form.closest("details").open = false;
        } else {
          say(line, statusText("confirmed", form.getAttribute("data-level") || "") || "Confirmed.", "saved");
        }
      });
    });
  });

  function applyStage3(view) {
    var cells = {};
    document.querySelectorAll("#neighbours td[data-org]").forEach(function (td) {
      cells[td.getAttribute("data-org") + "\u0000" + td.getAttribute("data-col")] = td;
    });
    var own = [];
    view.rows.forEach(function (row) {
      if (row.self) { own = row.cells; }
      row.cells.forEach(function (cell, index) {
        var td = cells[row.code + "\u0000" + view.contracts[index]];
        if (!td) { return; }
        td.textContent = cell || "-";
        td.className = "cell " + Live.cellClass(cell);
      });
    });
    view.contracts.forEach(function (code, index) {
      var cell = own[index] || "";
      showPosition(code, cell);
      var flags = document.getElementById("flags-" + code);
      if (flags) {
        while (flags.firstChild) { flags.removeChild(flags.firstChild); }
        view.flags.forEach(function (flag) {
          if (flag.contract !== code) { return; }
          var p = document.createElement("p");
          p.className = "flag";
          var strong = document.createElement("strong");
          strong.textContent = "Are you sure?";
          p.appendChild(strong);
          p.appendChild(document.createTextNode(" " + flag.message));
          flags.appendChild(p);
        });
        flags.hidden = !flags.firstChild;
      }
      var line = document.getElementById("confirm-state-" + code);
      var text = statusText(view.status[code] || "", cell);
      if (line && text) { say(line, text, "saved"); } else if (line && /\bsaved\b/.test(line.className)) { say(line, "", ""); }
    });
  }

  /* Stage 4 */
  function signature(a) { // as templates/delegate/_stage4.html writes data-sig
    var r = a.rule;
    return [a.key, a.level, a.coordinator, a.model, a.members.map(function (m) { return m.organisation; }).join(","),
      r.kind, r.threshold, r.at_least ? "True" : "False", r.quorum, r.majority_binds_all ? "True" : "False",
      r.on_disagreement].join("|");
  }

  document.querySelectorAll("form.arrangement-form").forEach(function (form) {
    form.querySelectorAll('button[name="ballot"]').forEach(function (button) {
      button.addEventListener("click", function (e) {
        e.preventDefault();
        var key = form.getAttribute("data-key");
        var topic = form.getAttribute("data-topic");
        var line = document.getElementById(form.getAttribute("data-own"));
        var choice = button.value;
        submit(form, line, "/api/v1/arrangements/" + encodeURIComponent(key) + "/ballot", { topic: topic, ballot: choice }, function (body) {
          form.querySelectorAll('button[name="ballot"]').forEach(function (b) { b.classList.toggle("chosen", b === button); });
          say(line, "Your vote: " + button.getAttribute("data-label") + ".", "saved");
          var ccg = document.getElementById(form.getAttribute("data-ccg"));
          if (ccg && body.ccg) { ccg.textContent = body.ccg.text; }
          var decision = document.getElementById(form.getAttribute("data-decision"));
          if (decision && body.reason) { decision.textContent = body.reason; }
        });
      });
    });
  });

  /* Another delegate of the CCG voting changes where the CCG stands: the push says so. */
  function applyStage4(view, own) {
    var shown = document.querySelectorAll("section.arrangement[data-key]");
    var changed = shown.length !== view.arrangements.length;
    view.arrangements.forEach(function (a, index) {
      var s = shown[index];
      if (!s || s.getAttribute("data-key") !== a.key || s.getAttribute("data-sig") !== signature(a)) { changed = true; return; }
      s.querySelectorAll("p.decision").forEach(function (p) {
        var decision = a.decisions[p.getAttribute("data-topic")];
        if (decision && p.textContent !== decision.reason) { p.textContent = decision.reason; }
      });
      s.querySelectorAll("p.ccg-position").forEach(function (p) {
        var decision = a.decisions[p.getAttribute("data-topic")];
        var mine = decision && decision.positions ? decision.positions[own] : null;
        var text = mine ? mine.text : "Your CCG has not voted yet.";
        if (decision && p.textContent !== text) { p.textContent = text; }
      });
    });
    return changed;
  }

  window.PhoneStages = {
    /* Bring the stage's part up to date; true when the page must be drawn again. */
    apply: function (ballot) {
      var stage = root.getAttribute("data-stage");
      if (ballot.levels) { levels = ballot.levels; }
      if (stage === "3" && ballot.stage3) { applyStage3(ballot.stage3); }
      if (stage === "4" && ballot.stage4) { return applyStage4(ballot.stage4, (ballot.organisation || {}).code); }
      if ((stage === "3" && ballot.stage3 && !document.getElementById("stage3")) ||
          (stage === "4" && ballot.stage4 && !document.getElementById("stage4"))) { return true; } // it was being prepared
      return false;
    }
  };
})();
