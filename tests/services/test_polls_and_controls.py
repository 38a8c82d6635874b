"""Polls, facilitation controls, interests and the screen and phone views, at the service layer."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import inspect, select

from voting.errors import Closed, Refusal
from voting.extensions import db
from voting.models import ActionLog, Contract, PollReceipt, PollTally, VoteAudit
from voting.models.base import utcnow
from voting.services import contracts, facilitation, interests, phones, polls, screens, stage3, votes
from voting.services.events import find_contract
from voting.web import http_status


def contract(world: SimpleNamespace, code: str) -> Contract:
    found = find_contract(world.event.id, code)
    assert found is not None
    return found


def test_an_anonymous_answer_keeps_no_link_to_what_was_answered(world: SimpleNamespace) -> None:
    poll = polls.create_poll(world.event, "yes_no_unsure", "Appetite?", None, anonymous=True)
    polls.set_status(poll, "open")
    polls.answer(world.ann, poll.id, "yes", "anon-vote-001")
    polls.answer(world.bob, poll.id, "no", "anon-vote-002")
    tallies = {(t.answer, t.count) for t in db.session.scalars(select(PollTally))}
    assert tallies == {("Yes", 1), ("No", 1)}
    receipt_columns = {c.key for c in inspect(PollReceipt).columns}
    assert receipt_columns == {"poll_id", "delegate_id", "vote_id"}  # no answer, no time, no id
    assert polls.own_answers(world.ann) == {}
    assert polls.answered_polls(world.ann) == {poll.id}
    with pytest.raises(Refusal, match="already answered this anonymous poll") as refused:
        polls.answer(world.ann, poll.id, "no", "anon-vote-003")
    assert http_status(refused.value) == 409


def test_a_closed_poll_keeps_its_results_and_can_reopen(world: SimpleNamespace) -> None:
    poll = polls.create_poll(world.event, "choice", "Who leads?", ["Lead CCG", "CSS"], anonymous=False)
    polls.set_status(poll, "open")
    polls.answer(world.bea, poll.id, "css", "named-vote-01")
    polls.set_status(poll, "closed")
    assert poll.closed_at is not None
    assert polls.results(poll)["by_org"] == {"00R": {"Lead CCG": 0, "CSS": 1}}
    polls.set_status(poll, "open")
    polls.answer(world.bea, poll.id, "Lead CCG", "named-vote-02")
    assert polls.own_answers(world.bea) == {poll.id: "Lead CCG"}
    assert polls.results(poll)["overall"] == {"Lead CCG": 1, "CSS": 0}
    with pytest.raises(Refusal, match="Choose open or close"):
        polls.set_status(poll, "paused")


def test_the_timer_closes_a_vote_at_its_countdown(world: SimpleNamespace) -> None:
    assert facilitation.start_countdown(world.event, None, "30") == ["1", "3"]  # 2 is not open
    due = utcnow() - timedelta(seconds=1)
    contract(world, "1").closes_at = due
    db.session.commit()
    with pytest.raises(Refusal, match="closed at") as refused:
        votes.cast_vote(world.ann, "1", 2, "after-the-bell")
    assert http_status(refused.value) == 423
    assert facilitation.close_due() == [world.event.id]
    closed = contract(world, "1")
    assert (closed.status, closed.closed_at) == ("closed", due)
    assert contract(world, "3").status == "open"
    log = db.session.scalars(select(ActionLog).where(ActionLog.action == "close")).all()
    assert [(entry.actor, entry.detail) for entry in log] == [("timer", "1 (countdown)")]
    assert facilitation.close_due() == []


@pytest.mark.sqlite_only
def test_the_timer_finding_nothing_due_never_waits_for_the_write_lock(world: SimpleNamespace) -> None:
    """Three times a second: it must not queue behind another process's write (a `voting` command)."""
    db.session.rollback()
    other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        started = time.monotonic()
        assert facilitation.close_due() == []
        assert time.monotonic() - started < 4  # busy_timeout is 5 s: it did not wait for the lock
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_resetting_twice_in_the_same_second_audits_both(world: SimpleNamespace, monkeypatch: Any) -> None:
    monkeypatch.setattr(facilitation, "utcnow", lambda: datetime(2012, 6, 1, 10, 0, 0))
    for vote_id in ("first-round-1", "second-round-1"):
        votes.cast_vote(world.ann, "1", 2, vote_id)
        contracts.close_contracts(world.event, ["1"])
        assert facilitation.reset_contract(world.event, "1") == 1
        contracts.open_contracts(world.event, ["1"])
    removed = db.session.scalars(select(VoteAudit).where(VoteAudit.entered_by == "reset")).all()
    assert [(a.delegate_id, a.old_level, a.new_level) for a in removed] == [(world.ann.id, 2, None)] * 2


def test_hiding_reports_only_what_changed(world: SimpleNamespace) -> None:
    assert facilitation.set_results_hidden(world.event, ["1"], True) == ["1"]
    assert facilitation.set_results_hidden(world.event, None, True) == ["2", "3"]
    assert facilitation.set_results_hidden(world.event, ["1"], True) == []
    with pytest.raises(Refusal, match="There is no contract 7"):
        facilitation.set_results_hidden(world.event, ["7"], False)


def test_excluding_declared_votes_changes_positions_not_votes(world: SimpleNamespace) -> None:
    votes.cast_vote(world.ann, "1", 2, "ann-vote-0001")
    votes.cast_vote(world.bob, "1", 3, "bob-vote-0001")
    interests.declare(world.bob, "1", "My federation provides the service")
    state = screens.console_state(world.event)
    assert state["matrix"]["rows"][0]["cells"][0] == "2/3"
    assert state["declarations"][0]["interest"] == "My federation provides the service"
    interests.set_exclude_declared(world.event, True)
    state = screens.console_state(world.event)
    assert state["matrix"]["rows"][0]["cells"][0] == "2"
    assert state["contracts"][0]["votes"]["3"] == 0
    assert votes.own_votes(world.bob) == {"1": 3}  # the vote is kept, only left out


CONSOLE: dict[str, Any] = {
    "contracts": [
        {
            "code": "1",
            "results_hidden": True,
            "counts": {"2": 1},
            "votes": {"2": 2},
            "split": 0,
            "modal": "2",
        },
        {
            "code": "2",
            "results_hidden": False,
            "counts": {"3": 1},
            "votes": {"3": 1},
            "split": 0,
            "modal": "3",
        },
    ],
    "matrix": {
        "columns": ["1", "2"],
        "rows": [
            {"code": "A", "cells": ["2", "3"]},
            {"code": "B", "cells": ["", "NA"]},
            {"code": "C", "cells": ["NA", "2/3"]},
        ],
    },
    "polls": [
        {"id": 1, "results_hidden": True, "results": {"total": 4}},
        {"id": 2, "results_hidden": False, "results": {"total": 2}},
    ],
    "declarations": [{"delegate": "Dr Who"}],
    "pending": [],
    "organisations": [],
    "splits": [],
    "stage3": {
        "matrix": {
            "columns": ["2", "1"],
            "rows": [{"code": "A", "cells": ["3", "2"]}, {"code": "B", "cells": ["NA", ""]}],
        }
    },
}


def test_the_projector_view_masks_hidden_results_and_drops_people() -> None:
    before = json.dumps(CONSOLE, sort_keys=True)
    view = screens.projector_view(CONSOLE)
    assert json.dumps(CONSOLE, sort_keys=True) == before  # the console's copy is untouched
    assert not {"declarations", "pending", "organisations", "splits"} & set(view)
    hidden, shown = view["contracts"]
    assert (hidden["counts"], hidden["votes"], hidden["split"], hidden["modal"]) == (None, None, None, "")
    assert shown == CONSOLE["contracts"][1]
    assert [r["cells"] for r in view["matrix"]["rows"]] == [["✓", "3"], ["", "NA"], ["NA", "2/3"]]
    assert [p["results"] for p in view["polls"]] == [None, {"total": 2}]
    assert [r["cells"] for r in view["stage3"]["matrix"]["rows"]] == [["3", "✓"], ["NA", ""]]


def test_a_ccgs_phones_see_only_its_own_arrangements(world: SimpleNamespace) -> None:
    context = {
        "stage4": {
            "arrangements": [
                {"key": "1:2:1", "members": [{"organisation": "00Q"}, {"organisation": "00R"}]},
                {"key": "2:3:1", "members": [{"organisation": "00R"}, {"organisation": "00S"}]},
            ]
        }
    }
    alpha = world.ann.organisation
    assert [a["key"] for a in phones.stage_view(world.event, alpha, context)["stage4"]["arrangements"]] == [
        "1:2:1"
    ]
    assert phones.stage_view(world.event, alpha, {}) == {}
    assert phones.stage_context(world.event) == {}  # stage 1: nothing stage-specific


def test_a_poll_countdown_closes_it_on_the_servers_clock(app: Any) -> None:
    from datetime import timedelta

    from voting.extensions import db
    from voting.models import Poll
    from voting.models.base import utcnow
    from voting.services import events, facilitation, polls

    with app.app_context():
        event = events.create_event("Countdown")
        poll = polls.create_poll(event, "scale", "How ready are we?", None, False)
        polls.set_status(poll, "open")
        polls.start_countdown(poll, 5)
        assert poll.closes_at is not None
        poll.closes_at = utcnow() - timedelta(seconds=1)  # as if five seconds had passed
        db.session.commit()
        assert facilitation.close_due() == [event.id]
        assert db.session.get(Poll, poll.id).status == "closed"


def test_before_a_stage_has_its_frozen_result_the_screens_show_nothing_of_it(
    world: SimpleNamespace, monkeypatch: Any
) -> None:
    """The read paths ask whether the previous stage's result exists; they no longer catch every
    refusal and show it as "nothing yet" (a refusal of any other kind now surfaces)."""
    for stage in (3, 4):
        world.event.stage = stage
        db.session.commit()
        assert phones.stage_context(world.event) == {}
        console = screens.console_state(world.event)
        assert "stage3" not in console and "stage4" not in console
    world.event.stage = 3
    db.session.commit()
    monkeypatch.setattr(stage3, "indicative_version", lambda event: object())
    monkeypatch.setattr(stage3, "working", lambda event: (_ for _ in ()).throw(Closed("Not now.")))
    with pytest.raises(Closed, match="Not now."):
        phones.stage_context(world.event)
