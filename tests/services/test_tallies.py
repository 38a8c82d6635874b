"""In-memory copies - live tallies, the screens' layout, voters' identities - always say what the
database says: after any sequence of votes, changes, resets and re-imports, and with a second
process writing to the same database."""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import CONTRACTS_CSV
from voting import create_app
from voting.db_setup import begin_read
from voting.domain.aggregation import Position, summarise_contract
from voting.errors import Refusal
from voting.extensions import db
from voting.models import Delegate, Event
from voting.services import contracts, delegates, facilitation, imports, interests, tallies
from voting.services.snapshots import event_matrix, event_state
from voting.services.votes import cast_vote
from voting.web import http_status

# The sample contracts with one more holding: 00S now also holds contract 1.
MORE_HOLDINGS = CONTRACTS_CSV + b"1,Acute - North FT,00S,1000000,100\n"


@contextmanager
def reading(app: Flask) -> Iterator[None]:
    """What the publisher does: its own app context and a read transaction (copies are kept)."""
    with app.app_context():
        begin_read()
        try:
            yield
        finally:
            db.session.remove()


def live_state(app: Flask, event_id: int) -> dict[str, Any]:
    """The console state from the kept (incrementally updated) tally and layout."""
    with reading(app):
        return event_state(db.session.get(Event, event_id), for_console=True)


def fresh_state(app: Flask, event_id: int) -> dict[str, Any]:
    """The same, counted from scratch: outside a read transaction nothing is kept or reused."""
    with app.app_context():
        try:
            return event_state(db.session.get(Event, event_id), for_console=True)
        finally:
            db.session.remove()


def assert_says_what_the_database_says(app: Flask, event_id: int) -> None:
    live = live_state(app, event_id)
    assert live == fresh_state(app, event_id)
    with app.app_context():
        matrix, positions, delegate_votes = event_matrix(db.session.get(Event, event_id))
        db.session.remove()
    assert live["matrix"]["rows"] == [
        {"code": row.code, "name": row.name, "cells": matrix.row_labels(row.code)} for row in matrix.rows
    ]
    for contract in live["contracts"]:
        holders = [
            org for (org, code), cell in matrix.cells.items() if code == contract["code"] and cell != "NA"
        ]
        summary = summarise_contract(
            {org: positions.get((org, contract["code"]), Position()) for org in holders}, holders
        )
        assert contract["counts"] == {str(level): n for level, n in summary.counts.items()}
        assert (contract["voted"], contract["split"], contract["modal"]) == (
            summary.voted,
            summary.split,
            summary.modal_label,
        )
        votes = Counter(delegate_votes.get(contract["code"], []))
        assert contract["votes"] == {str(level): votes[level] for level in range(1, 6)}
    splits = [
        {"contract": code, "organisation": org, "levels": [int(x) for x in cell.split("/")]}
        for (org, code), cell in matrix.cells.items()
        if "/" in cell
    ]
    assert live["splits"] == splits


def step(event_id: int, people: list[int], rng: random.Random, sent: list[tuple[int, str, int, str]]) -> None:
    """One random thing a hall and its facilitator might do."""
    event = db.session.get(Event, event_id)
    code = rng.choice(["1", "2", "3"])
    roll = rng.random()
    try:
        if roll < 0.55:
            delegate = db.session.get(Delegate, rng.choice(people))
            vote_id = secrets.token_urlsafe(9)
            level = rng.randint(1, 5)
            cast_vote(delegate, code, level, vote_id)
            sent.append((delegate.id, code, level, vote_id))
        elif roll < 0.62 and sent:
            delegate_id, sent_code, level, vote_id = rng.choice(sent)  # a resend: never counts twice
            cast_vote(db.session.get(Delegate, delegate_id), sent_code, level, vote_id)
        elif roll < 0.68:
            contracts.close_contracts(event, [code])
        elif roll < 0.76:
            contracts.open_contracts(event, [code])
        elif roll < 0.80:
            contracts.close_contracts(event, [code])
            facilitation.reset_contract(event, code)
            contracts.open_contracts(event, [code])
        elif roll < 0.86:
            split = event_state(event, for_console=True)["splits"]
            if split:
                chosen = rng.choice(split)
                contracts.resolve_split(
                    event, chosen["contract"], chosen["organisation"], chosen["levels"][-1]
                )
        elif roll < 0.89:
            interests.declare(
                db.session.get(Delegate, rng.choice(people)), code, "My practice provides this."
            )
        elif roll < 0.92:
            interests.set_exclude_declared(event, not event.exclude_declared)
        elif roll < 0.94:
            imports.import_contracts(event, rng.choice([CONTRACTS_CSV, MORE_HOLDINGS]))
        elif roll < 0.96:
            added, _token = delegates.create_delegate(event, rng.choice(["00Q", "00R", "00S"]), "Late")
            people.append(added.id)
        elif roll < 0.98:
            delegates.revoke(db.session.get(Delegate, rng.choice(people)))
        else:
            facilitation.set_results_hidden(event, [code], rng.random() < 0.5)
    except Refusal:
        pass  # refused (closed, not held, revoked ...): nothing changed
    finally:
        db.session.rollback()  # end this context's transaction (and its write lock) between steps


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_live_state_equals_a_rebuild_after_random_votes_changes_and_resets(
    app: Flask, world: SimpleNamespace, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilds: list[int] = []  # times a new tally was kept (a throwaway count for one read is not one)

    class Kept(dict[int, tallies.Tally]):
        def __setitem__(self, event: int, tally: tallies.Tally) -> None:
            if self.get(event) is not tally:
                rebuilds.append(event)
            super().__setitem__(event, tally)

    with app.app_context():
        tallies._store().by_event = Kept(tallies._store().by_event)
    rng = random.Random(seed)
    people = [world.ann.id, world.bob.id, world.bea.id, world.gus.id]
    for name in ("Cat", "Dan", "Eve"):
        people.append(delegates.create_delegate(world.event, "00R", name)[0].id)
    sent: list[tuple[int, str, int, str]] = []
    event_id = world.event.id
    db.session.rollback()  # this context holds no transaction (nor lock) while others read and write
    assert_says_what_the_database_says(app, event_id)
    for n in range(160):
        step(event_id, people, rng, sent)
        if n % 4 == 0:
            assert_says_what_the_database_says(app, event_id)
    assert_says_what_the_database_says(app, event_id)
    # The kept tally was brought up to date from the audit every time, never rebuilt: built once at
    # most (the publisher's background task may have built it before this test started counting).
    # A read whose snapshot is older than the kept tally counts on its own and keeps the newer tally.
    assert rebuilds in ([], [event_id])


def test_a_second_process_sees_the_first_ones_votes_and_closures(
    app: Flask, world: SimpleNamespace, tmp_path: Any
) -> None:
    event_id, bea_id = world.event.id, world.bea.id
    db.session.rollback()  # this context holds no write lock while the other process starts
    other = create_app({**app.config, "INSTANCE_PATH": str(tmp_path / "other")})  # same database file
    other.extensions["voting_publisher"].stop()
    try:
        assert live_state(other, event_id) == fresh_state(app, event_id)
        cast_vote(world.ann, "1", 2, "first-vote-a")
        cast_vote(world.bob, "1", 3, "first-vote-b")
        assert live_state(other, event_id)["matrix"]["rows"][0]["cells"] == ["2/3", "NA", ""]
        contracts.close_contracts(world.event, ["1"])
        facilitation.reset_contract(world.event, "1")
        assert live_state(other, event_id) == fresh_state(app, event_id)
        db.session.rollback()
        with other.app_context():
            bea = db.session.get(Delegate, bea_id)
            with pytest.raises(Refusal) as refused:
                cast_vote(bea, "1", 4, "too-late-1")  # closed by the first process: refused here too
            assert http_status(refused.value) == 423
            cast_vote(bea, "3", 4, "other-process-1")
            db.session.remove()
        assert live_state(app, event_id) == fresh_state(other, event_id)
        assert live_state(app, event_id)["matrix"]["rows"][1]["cells"] == ["", "", "4"]
    finally:
        with other.app_context():
            db.session.remove()


def test_a_tally_that_cannot_vouch_for_itself_is_rebuilt(app: Flask, world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 2, "vouch-vote-1")
    live_state(app, world.event.id)
    kept = app.extensions["voting_tallies"].by_event[world.event.id]
    ((contract_id, delegate_id),) = kept.votes
    kept.set_vote(contract_id, delegate_id, world.ann.organisation_id, 5)  # as if it had missed a change
    cast_vote(world.ann, "1", 3, "vouch-vote-2")  # the audit's old level (2) is not what it holds (5)
    assert_says_what_the_database_says(app, world.event.id)
    assert app.extensions["voting_tallies"].by_event[world.event.id] is not kept


def vote(client: FlaskClient, token: str, contract: str, level: int) -> Any:
    return client.post(
        "/api/v1/vote",
        json={"contract": contract, "level": level, "vote_id": secrets.token_urlsafe(12)},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_remembered_voters_are_checked_in_every_vote(
    app: Flask, client: FlaskClient, make_event: Callable[..., dict[str, Any]]
) -> None:
    event_id = make_event()["id"]
    with app.app_context():
        event = db.session.get(Event, event_id)
        contracts.open_contracts(event, ["1"])
        ann, token = delegates.create_delegate(event, "00Q", "Ann")
        ann_id = ann.id
    assert vote(client, token, "1", 2).status_code == 200  # the token is now remembered
    with app.app_context():
        (_ann, new_token), *_ = delegates.reissue_links(db.session.get(Event, event_id))
    assert vote(client, token, "1", 3).status_code == 401  # the old link stopped at once
    assert vote(client, new_token, "1", 3).status_code == 200
    with app.app_context():
        delegates.revoke(db.session.get(Delegate, ann_id))
    refused = vote(client, new_token, "1", 4)
    assert refused.status_code == 403
    assert "withdrawn" in refused.get_json()["error"]


def test_a_read_older_than_the_kept_tally_counts_alone_and_keeps_the_newer_one(
    app: Flask, world: SimpleNamespace
) -> None:
    contract_id = next(c.id for c in world.event.contracts if c.code == "1")
    event_id, ann_id = world.event.id, world.ann.id
    db.session.rollback()  # the fixture's context holds no transaction (nor lock) from here on
    with app.app_context():  # a reader whose snapshot is taken before the vote
        begin_read()
        event = db.session.get(Event, event_id)
        with app.app_context():
            cast_vote(db.session.get(Delegate, ann_id), "1", 4, "vote-newer-0001")
            with reading(app):  # a newer reader brings the kept tally forward
                newer = tallies.current(db.session.get(Event, event_id))
                kept = tallies._store().by_event[event_id]
        assert newer.contract_votes[contract_id][4] == 1
        seen = tallies.current(event)  # the older snapshot: the vote is not there yet
        assert seen.contract_votes.get(contract_id, {}).get(4, 0) == 0
        assert tallies._store().by_event[event_id] is kept  # the newer tally was not thrown away


def test_level_counts_count_every_level_with_zeros() -> None:
    """Counted delegate votes per level, 1 to 5, zeros included (the contract column's bar chart)."""
    counts = tallies.Counts({}, {}, frozenset(), {7: Counter([1, 3, 3, 5, 3])})
    assert counts.level_counts(7) == {1: 1, 2: 0, 3: 3, 4: 0, 5: 1}
    assert counts.level_counts(8) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}  # nobody has voted on it
