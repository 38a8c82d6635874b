"""Entry point for the real server: the only module that monkey-patches, before anything else.

Run with `voting serve` (which starts this file), or `python wsgi.py --host H --port P`.
SOCKETIO_ASYNC_MODE chooses gevent (default), eventlet or threading.
"""

import os
import warnings

# eventlet announces its maintenance mode on import; the README explains the choice, so say it once there.
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

# gevent by default: in back-to-back runs of scripts/bench it carried more votes than eventlet on the
# same machine (docs/performance.md, "Async modes side by side"). eventlet and threading stay supported.
ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE") or "gevent"
if ASYNC_MODE == "eventlet" and (os.environ.get("DATABASE_URL") or "").startswith("postgresql+psycopg:"):
    raise SystemExit(
        "psycopg 3 blocks eventlet while it waits for PostgreSQL, so every phone would stall: "
        "use DATABASE_URL=postgresql+psycopg2://... (see docs/deployment.md)."
    )
if ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()  # this already gives psycopg2 its green wait callback, if importable
    from eventlet.support import psycopg2_patcher

    # Said explicitly because everything rests on it: unpatched, psycopg2 waits for PostgreSQL inside
    # C and freezes every connection (tests/scaleout/test_driver_cooperates.py). psycopg 3 has no
    # such hook under eventlet: refused above.
    psycopg2_patcher.make_psycopg_green()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()  # the same wait callback, for gevent's hub

import argparse  # noqa: E402
import logging  # noqa: E402
import socket  # noqa: E402

from voting import create_app, logs  # noqa: E402
from voting.backup import hold_serving_lock  # noqa: E402
from voting.extensions import socketio  # noqa: E402
from voting.schema import SchemaError  # noqa: E402

try:
    app = create_app({"SOCKETIO_ASYNC_MODE": ASYNC_MODE})  # upgrades the database to the newest schema
except SchemaError as error:
    raise SystemExit(str(error)) from None
# Held until this process ends: `voting restore` refuses while it is (voting/backup.py).
SERVING_LOCK = hold_serving_lock(app.config["SQLALCHEMY_DATABASE_URI"])
app.extensions["voting_publisher"].ensure_running()  # countdowns close votes even before anyone connects


BACKLOG = 1024  # connections the kernel queues while the server is busy (eventlet's default is 50)
MAX_CONNECTIONS = 10_000  # eventlet.wsgi refuses connections past 1,024 unless told otherwise


def serve_eventlet(host: str, port: int) -> None:
    """What socketio.run does under eventlet, with a listen backlog a hall of phones needs.

    socketio.run() opens its socket with eventlet.listen()'s backlog of 50: when the hub is busy,
    a burst of phones opening connections overflows it and the kernel drops them (the phone retries
    a second later). TCP_NODELAY: small pushes and small answers go out at once instead of waiting
    on Nagle's algorithm; Linux copies it from the listening socket to every accepted one.
    """
    import eventlet.wsgi

    family, _type, _proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listener = eventlet.listen(address, family, backlog=BACKLOG)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    eventlet.wsgi.server(listener, app, log_output=False, max_size=MAX_CONNECTIONS)


def main() -> None:
    """Serve the app until interrupted."""
    parser = argparse.ArgumentParser(description="Serve the voting app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    logs.configure(logging.INFO)
    print(f"Serving on http://{args.host}:{args.port} ({ASYNC_MODE})", flush=True)
    if ASYNC_MODE == "eventlet":
        serve_eventlet(args.host, args.port)
        return
    # `voting serve` (a Flask CLI command) starts this file with FLASK_RUN_FROM_CLI set, and app.run()
    # then returns at once instead of serving (werkzeug's guard against a blocking call in the CLI).
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    options: dict[str, object] = {"log_output": False}
    if ASYNC_MODE == "gevent":
        options["backlog"] = BACKLOG
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, **options)


if __name__ == "__main__":
    main()
