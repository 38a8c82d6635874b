"""Run a server script exactly as its own `__main__`, with a loop-lateness probe inside the process.

    python serve_probed.py SCRIPT [ARGS...]        (env: BENCH_PROBE_FILE, SOCKETIO_ASYNC_MODE)

`voting serve` is `os.execv(python, [python, wsgi.py, --host, H, --port, P])`; the benchmark runs
`python serve_probed.py wsgi.py --host H --port P` instead, which does the same thing after two extra
steps: it monkey-patches first (as wsgi.py itself does first; doing it twice is harmless) and starts
a ThreadLoopProbe - a green thread under eventlet or gevent - that appends its samples to
BENCH_PROBE_FILE once a second. Nothing in the app is changed or imported differently.
"""

import os
import sys
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated.*")
MODE = os.environ.get("SOCKETIO_ASYNC_MODE") or "gevent"  # as wsgi.py
if MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import runpy  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # scripts/, for bench_lib

from bench_lib.probe import ThreadLoopProbe  # noqa: E402


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit("usage: serve_probed.py SCRIPT [ARGS...]")
    script = str(Path(sys.argv[1]).resolve())
    sink = os.environ.get("BENCH_PROBE_FILE")
    if sink:
        ThreadLoopProbe(
            interval=float(os.environ.get("BENCH_PROBE_INTERVAL", "0.01")), sink=sink, flush_every=0.25
        ).start()  # written often enough that a phase of about a second has its samples
    sys.argv = [script, *sys.argv[2:]]
    sys.path.insert(0, str(Path(script).parent))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
