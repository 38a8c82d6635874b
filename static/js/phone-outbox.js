/* The phone's outbox. Every vote and poll answer is kept on the phone (localStorage, keyed by a
   vote_id made here) until the server acknowledges it, and resent strictly in order after a
   reconnect, reload or restart, so the last choice made is the one that stands. Each kind of
   item ("vote", "poll") registers how it is sent and how its progress is shown. */
(function () {
  "use strict";
  var root = document.getElementById("phone");
  if (!root) { return; }
  var KEY = "voting-outbox-" + root.getAttribute("data-event");
  var kinds = {};
  var memory = null; // only when localStorage refuses (private browsing on some older phones)
  var sending = false;
  var connected = false;

  function load() {
    if (memory) { return memory.slice(); }
    try {
      var items = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) { return []; }
  }
  function save(items) {
    try { localStorage.setItem(KEY, JSON.stringify(items)); memory = null; } catch (e) { memory = items.slice(); }
  }
  function kindOf(item) { return item.kind || "vote"; } // items saved before polls existed are votes
  function keyOf(item) {
    var kind = kinds[kindOf(item)];
    return kind ? kind.key(item) : "";
  }
  function latest(key, items) {
    var found = null;
    (items || load()).forEach(function (item) { if (keyOf(item) === key) { found = item; } });
    return found;
  }
  function newVoteId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes); // works on plain-HTTP venue LANs, unlike randomUUID
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function add(kind, fields) {
    var item = { kind: kind, vote_id: newVoteId(), at: Date.now() };
    Object.keys(fields).forEach(function (name) { item[name] = fields[name]; });
    var items = load();
    items.push(item);
    save(items);
    kinds[kind].waiting(item, connected);
    flush();
    return item;
  }

  function flush() {
    if (sending) { return; }
    var items = load();
    var item = items[0];
    if (!item) { return; }
    var kind = kinds[kindOf(item)];
    if (!kind) { save(items.slice(1)); flush(); return; } // nothing on this page can send it
    sending = true;
    fetch(kind.url(item), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": Live.csrfToken() },
      body: JSON.stringify(kind.body(item))
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        sending = false;
        if (response.status >= 500 || response.status === 429) { throw new Error("retry later"); }
        var rest = load().filter(function (x) { return x.vote_id !== item.vote_id; });
        save(rest);
        kind.done(item, response, body || {}, latest(keyOf(item), rest));
        if (response.status === 401) { window.location.reload(); return; }
        flush();
      });
    }).catch(function () {
      sending = false;
      kind.waiting(item, false);
    });
  }

  window.PhoneOutbox = {
    /* kind: {key(item), url(item), body(item), waiting(item, connected), done(item, response, body, newer)} */
    register: function (name, kind) { kinds[name] = kind; },
    add: add,
    flush: flush,
    items: load,
    latest: function (key) { return latest(key); },
    setConnected: function (value) { connected = value; if (value) { flush(); } }
  };
})();
