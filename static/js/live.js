/* Shared by every live page: one Socket.IO connection, a status line, and snapshot ordering.
   Every (re)connection starts with a full snapshot; pushes older than the newest seen are dropped. */
(function () {
  "use strict";

  function connect(options) {
    var banner = document.getElementById("connection");
    var lastSeq = 0;
    var everConnected = false;
    var socket = io({ auth: options.auth, reconnectionDelayMax: 5000, timeout: 8000 });

    function say(text) { if (banner) { banner.textContent = text; } }

    socket.on("connect", function () {
      lastSeq = 0; // the server sends a full snapshot first on every connection
      say(everConnected ? (options.reconnectedText || "") : "");
      everConnected = true;
      if (options.onConnect) { options.onConnect(socket); }
    });
    socket.on("disconnect", function (reason) {
      say(options.lostText || "Connection lost. Reconnecting...");
      // The server dropped us on purpose (admitted, removed): ask again, the handshake decides.
      if (reason === "io server disconnect") { setTimeout(function () { socket.connect(); }, 500); }
    });
    socket.on("connect_error", function (error) {
      say((options.lostText || "Connection lost. Reconnecting...") + (error && error.data ? "" : ""));
      if (options.onRefused && error && error.message && error.message.indexOf("xhr") === -1 && error.message.indexOf("websocket") === -1 && error.message.indexOf("timeout") === -1) {
        options.onRefused(error.message);
      }
    });
    Object.keys(options.handlers || {}).forEach(function (name) {
      socket.on(name, function (payload) {
        if (payload && typeof payload.seq === "number") {
          if (payload.seq < lastSeq) { return; }
          lastSeq = payload.seq;
        }
        options.handlers[name](payload);
      });
    });
    return socket;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function cellClass(cell) {
    if (cell === "NA") { return "na"; }
    if (cell === "") { return "none"; }
    if (cell.indexOf("/") !== -1) { return "split"; }
    return "level-" + cell;
  }

  window.Live = { connect: connect, csrfToken: csrfToken, cellClass: cellClass };
})();
