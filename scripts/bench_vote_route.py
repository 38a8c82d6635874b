"""Time POST /api/v1/vote through the in-process test client (SQLite in a temp folder).

Usage: .venv/bin/python scripts/bench_vote_route.py [votes]   (prints votes per second)
Used to choose the schema library (README): run it on two trees in the same shell run and compare.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV
from voting import create_app
from voting.config import TestingConfig
from voting.extensions import db
from voting.services import contracts, delegates, events, imports


def main(count: int) -> None:
    folder = Path(tempfile.mkdtemp())
    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'bench.db'}",
        SECRET_KEY="bench-secret",
        INSTANCE_PATH=str(folder / "instance"),
    )
    app = create_app(config)
    with app.app_context():
        event = events.create_event("Bench")
        imports.import_organisations(event, ORGANISATIONS_CSV)
        imports.import_contracts(event, CONTRACTS_CSV)
        contracts.open_contracts(event, ["1", "2", "3"])
        tokens = [delegates.create_delegate(event, "00Q", f"D{i}")[1] for i in range(count // 50 + 1)]
    client = app.test_client()
    started = time.perf_counter()
    for n in range(count):
        token = tokens[n // 50]  # 50 votes per delegate: under the 60-in-10-seconds throttle
        body = {"contract": "1", "level": n % 5 + 1, "vote_id": f"bench-vote-{n:08d}"}
        answer = client.post("/api/v1/vote", json=body, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.get_json()
    took = time.perf_counter() - started
    app.extensions["voting_publisher"].stop()
    with app.app_context():
        db.engine.dispose()
    print(f"{count} votes in {took:.2f} s: {count / took:.0f} votes/s, {took / count * 1000:.3f} ms each")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
