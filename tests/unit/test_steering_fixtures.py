"""Shared set-up for the steering pack tests: the Annex 2 event carried through all four stages.

No tests here; tests/unit/test_steering_*.py and tests/web/test_steering.py import from it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask

from voting import create_app
from voting.config import TestingConfig
from voting.demo_data import annex2_votes, contracts_csv, organisations_csv
from voting.exports.steering import gather_pack
from voting.extensions import db
from voting.models import Event, StageVersion
from voting.services import (
    contracts,
    delegates,
    events,
    imports,
    interests,
    polls,
    stage3,
    stage4,
    stages,
    votes,
)

EVENT_NAME = "North East engagement event"
J_REASON = "J will contract alone as the others do"
EVIL = '=HYPERLINK("http://evil.example/","Click")'
EVIL_REASON = "-1 because no neighbour wants a cluster"


def _polls(event: Event, people: dict[str, Any]) -> None:
    """A named Stage 1 appetite poll and an anonymous scale poll, answered and closed."""
    named = polls.create_poll(
        event, "yes_no_unsure", "Do we have an appetite for collaboration?", None, False
    )
    secret = polls.create_poll(event, "scale", "How confident are you?", None, True)
    for poll in (named, secret):
        polls.set_status(poll, "open")
    for org, answer in (("A", "Yes"), ("B", "Yes"), ("C", "Unsure")):
        polls.answer(people[org], named.id, answer, secrets.token_urlsafe(12))
    for org, answer in (("A", "4"), ("G", "2")):
        polls.answer(people[org], secret.id, answer, secrets.token_urlsafe(12))
    for poll in (named, secret):
        polls.set_status(poll, "closed")


def run_all_stages(app: Flask) -> dict[str, Any]:
    """Stage 1 polls, Stage 2 votes, Stage 3 amendments with reasons, Stage 4 finalised; returns ids."""
    with app.app_context():
        event = events.create_event(EVENT_NAME)
        imports.import_organisations(event, organisations_csv())
        imports.import_contracts(event, contracts_csv())
        people, tokens = {}, {}
        for org in contracts.organisations_of(event):
            people[org.code], tokens[org.code] = delegates.create_delegate(
                event, org.code, f"{org.name} lead"
            )
        _polls(event, people)
        interests.declare(people["C"], "4", EVIL)
        stages.move_to(event, 2)
        contracts.open_contracts(event)
        for org, contract, level in annex2_votes():
            votes.cast_vote(people[org], contract, level, secrets.token_urlsafe(12))
        votes.cast_vote(people["A"], "1", 3, secrets.token_urlsafe(12))  # changed her mind ...
        votes.cast_vote(people["A"], "1", 2, secrets.token_urlsafe(12))  # ... and back
        contracts.close_contracts(event)
        stages.move_to(event, 3)
        stage3.confirm(people["J"], "7", "amend", 1, J_REASON)
        stage3.confirm(people["P"], "7", "amend", 1, EVIL_REASON)
        stage3.confirm(people["A"], "1", "confirm")
        stages.move_to(event, 4)
        for contract, org in (("14", "J"), ("14", "P")):
            stage4.edit(event, "move", contract=contract, organisation=org, to=None)
        key = next(a.key for a in stage4.load(event) if a.contract == "1")
        stage4.update(
            event,
            key,
            {
                "coordinator": "A",
                "model": "lead_ccg",
                "rule_kind": "majority",
                "rule_threshold": "2/3",
                "rule_at_least": True,
                "quorum": "4",
                "majority_binds_all": False,
                "on_disagreement": "A CCG may leave at year end if the others are not harmed",
                "cost_method": "equal",
            },
        )
        stage4.contribute(event, key, "A", "Contract lead", "2 days a month", "Chairs the oversight board")
        for org in ("A", "B", "C", "D"):
            stage4.cast_ballot(people[org], key, "coordinator", "yes")
        version = stages.finalise(event)
        db.session.commit()
        return {"id": event.id, "key": key, "tokens": tokens, "arrangements_version": version.id}


def make_app(folder: Path) -> Flask:
    """An app on its own SQLite file, configured like the `app` fixture in tests/conftest.py."""
    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'steering.sqlite3'}",
        SECRET_KEY="test-secret-key-not-for-production",
        PUBLIC_BASE_URL="http://voting.test",
        INSTANCE_PATH=str(folder / "instance"),
    )
    return create_app(config)


def finished_event(folder: Path) -> Iterator[SimpleNamespace]:
    """For module-scoped fixtures: the finished event, its pack and its frozen payloads by kind."""
    app = make_app(folder)
    ids = run_all_stages(app)
    with app.app_context():
        event = db.session.get(Event, ids["id"])
        pack = gather_pack(event)
        frozen = {
            version.kind: json.loads(version.payload)
            for version in db.session.query(StageVersion).filter_by(event_id=ids["id"])
        }
        db.session.rollback()
    yield SimpleNamespace(app=app, ids=ids, pack=pack, frozen=frozen)
    app.extensions["voting_publisher"].stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
