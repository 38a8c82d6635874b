"""How long does the app take to build one coalesced screen push, as CCGs and votes grow?

    .venv/bin/python scripts/bench_lib/push_cost.py 100 1000 3000      # phones (five per CCG)

For each size: builds an event in-process (threading mode, a temporary SQLite file, the app's own
services: ceil(N/5) CCGs x 20 contracts, every CCG holding every contract, N delegates, all open), then
fills in votes directly in the `vote` table (0, 1,000, 5,000, 20,000, 60,000 - as far as N x 20 allows)
and times the publisher's `screen_pushes(event, seq)` - what the background task does up to ten times a
second: once as the first build after a restart (the event's tally is built from the `vote` table),
then after each of five rounds of 30 votes cast through the real vote service (a push's worth at
300 votes a second; median of 5), with the JSON encoding of its two payloads. Under eventlet a build
runs without yielding, so its duration is also how late everything else on the server is, every push.

It imports the app and uses its services; it is a measurement, not part of the benchmark run.
"""

from __future__ import annotations

import json
import math
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from voting import create_app
from voting.config import TestingConfig
from voting.db_setup import begin_read
from voting.extensions import db
from voting.models import Event
from voting.realtime.publish import screen_pushes
from voting.services import contracts, delegates, events, imports, tallies, votes
from voting.services.voters import Voter

VOTE_STEPS = (0, 1_000, 5_000, 20_000, 60_000)
VOTES_PER_PUSH = 30  # 300 votes a second, ten pushes a second


def build(phones: int, folder: Path) -> tuple[Any, int]:
    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'push-cost.sqlite3'}",
        SECRET_KEY="push-cost",
        PUBLIC_BASE_URL="http://push-cost.invalid",
        INSTANCE_PATH=str(folder / "instance"),
    )
    app = create_app(config)
    app.extensions["voting_publisher"].stop()  # builds are timed here, not in its background thread
    orgs = [f"B{i:04d}" for i in range(1, math.ceil(phones / 5) + 1)]
    with app.app_context():
        event = events.create_event("Push cost")
        organisations = "code,name,neighbours\n" + "".join(f"{c},{c} CCG,\n" for c in orgs)
        imports.import_organisations(event, organisations.encode())
        rows = ["contract,contract_name,organisation,annual_value_gbp,activity"]
        rows += [f"{k},Contract {k},{org},1000000,100" for k in range(1, 21) for org in orgs]
        imports.import_contracts(event, ("\n".join(rows) + "\n").encode())
        for i in range(phones):
            delegates.create_delegate(event, orgs[i // 5], f"Delegate {i + 1}")
        contracts.open_contracts(event, None)
        return app, event.id


def fill_votes(app: Any, event_id: int, total: int, rng: random.Random) -> None:
    with app.app_context():
        people = db.session.execute(
            text("SELECT id, organisation_id FROM delegate WHERE event_id = :e ORDER BY id"), {"e": event_id}
        ).all()
        contract_ids = (
            db.session.execute(
                text("SELECT id FROM contract WHERE event_id = :e ORDER BY position"), {"e": event_id}
            )
            .scalars()
            .all()
        )
        have = {(c, d) for c, d in db.session.execute(text("SELECT contract_id, delegate_id FROM vote"))}
        free = [(c, d, o) for c in contract_ids for d, o in people if (c, d) not in have]
        slots = free[: max(0, total - len(have))]
        if slots:
            db.session.execute(
                text(
                    "INSERT INTO vote (event_id, contract_id, delegate_id, organisation_id, level, updated_at) "
                    "VALUES (:e, :c, :d, :o, :level, '2026-01-01 00:00:00')"
                ),
                [{"e": event_id, "c": c, "d": d, "o": o, "level": rng.randint(1, 5)} for c, d, o in slots],
            )
            db.session.commit()


def _build(app: Any, event_id: int) -> tuple[float, list[Any]]:
    with app.app_context():
        started = time.perf_counter()
        begin_read()  # as the publisher does
        event = db.session.get(Event, event_id)
        pushes = screen_pushes(event, 1)
        db.session.remove()
        return time.perf_counter() - started, pushes


def _cast(app: Any, event_id: int, count: int, rng: random.Random) -> None:
    """`count` votes through the real vote service (each changes a total by one level)."""
    with app.app_context():
        people = (
            db.session.execute(text("SELECT id FROM delegate WHERE event_id = :e"), {"e": event_id})
            .scalars()
            .all()
        )
        codes = (
            db.session.execute(text("SELECT code FROM contract WHERE event_id = :e"), {"e": event_id})
            .scalars()
            .all()
        )
        db.session.rollback()
        for _ in range(count):
            voter = Voter(rng.choice(people))
            votes.cast_vote(voter, rng.choice(codes), rng.randint(1, 5), secrets.token_urlsafe(12))
        db.session.remove()


def time_push(
    app: Any, event_id: int, rng: random.Random, repeats: int = 5
) -> tuple[float, float, float, int]:
    """(first build after a restart, build after VOTES_PER_PUSH new votes, JSON encode, payload bytes)."""
    with app.app_context():
        tallies.forget(event_id)  # the votes were written straight into the table: start afresh
    first, _pushes = _build(app, event_id)
    runs = []
    for _ in range(repeats):
        _cast(app, event_id, VOTES_PER_PUSH, rng)
        built, pushes = _build(app, event_id)
        started = time.perf_counter()
        size = sum(len(json.dumps(payload)) for _name, payload, _room in pushes)
        runs.append((built, time.perf_counter() - started, size))
    runs.sort()
    built, encode, size = runs[len(runs) // 2]
    return first, built, encode, size


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000]
    rng = random.Random(6)
    print(
        "| phones | CCGs | votes in the event | first build after a restart (ms) "
        f"| build one push, {VOTES_PER_PUSH} new votes (ms) | JSON encode (ms) | console + projector payload (KiB) |"
    )
    print("|--:|--:|--:|--:|--:|--:|--:|")
    for phones in sizes:
        with tempfile.TemporaryDirectory(prefix="voting-push-cost-") as folder:
            app, event_id = build(phones, Path(folder))
            for votes in VOTE_STEPS:
                if votes > phones * 20:
                    break
                fill_votes(app, event_id, votes, rng)
                first_s, build_s, encode_s, size = time_push(app, event_id, rng)
                print(
                    f"| {phones} | {math.ceil(phones / 5)} | {votes} | {first_s * 1000:.0f} | {build_s * 1000:.1f} | "
                    f"{encode_s * 1000:.1f} | {size / 1024:.0f} |",
                    flush=True,
                )
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


if __name__ == "__main__":
    main()
