"""Entry point for the real server: the only module that monkey-patches, before anything else.

Run with `voting serve` (which starts this file), or `python wsgi.py --host H --port P`.
SOCKETIO_ASYNC_MODE chooses eventlet (default), gevent or threading.
"""

import os
import warnings

# eventlet announces its maintenance mode on import; the README explains the choice, so say it once there.
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE") or "eventlet"
if ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import logging  # noqa: E402

from voting import create_app, logs  # noqa: E402
from voting.extensions import socketio  # noqa: E402

app = create_app({"SOCKETIO_ASYNC_MODE": ASYNC_MODE})
app.extensions["voting_publisher"].ensure_running()  # countdowns close votes even before anyone connects


def main() -> None:
    """Serve the app until interrupted."""
    parser = argparse.ArgumentParser(description="Serve the voting app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    logs.configure(logging.INFO)
    options: dict[str, object] = {"log_output": False}
    if ASYNC_MODE == "eventlet":
        # eventlet refuses connections past 1,024 unless told otherwise; a national event needs more.
        options["max_size"] = 10_000
    print(f"Serving on http://{args.host}:{args.port} ({ASYNC_MODE})", flush=True)
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, **options)


if __name__ == "__main__":
    main()
