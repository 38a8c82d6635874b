"""The hash-chained audit log: intact after real use, and any change, deletion or insertion is named."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import text

from voting import audit
from voting.cli import main
from voting.extensions import db
from voting.models import Delegate, Event
from voting.services import contracts, votes


def cast(app: Any, event: dict[str, Any], delegate: dict[str, Any], level: int) -> None:
    with app.app_context():
        votes.cast_vote(db.session.get(Delegate, delegate["id"]), "1", level, secrets.token_urlsafe(12))


def prepared(app: Any, make_event: Any, make_delegate: Any) -> dict[str, Any]:
    event = make_event()
    ann = make_delegate(event["id"], "00Q", "Ann")
    with app.app_context():
        contracts.open_contracts(db.session.get(Event, event["id"]), ["1"])
    for level in (2, 3, 4):
        cast(app, event, ann, level)
    return event


def test_real_use_leaves_an_intact_chain(app: Any, runner: Any, make_event: Any, make_delegate: Any) -> None:
    event = prepared(app, make_event, make_delegate)
    with app.app_context():
        verdict = audit.verify(event["id"])
        assert verdict.broken is None
        assert verdict.links >= 7  # event, 2 imports, delegate, open, 3 votes
        assert verdict.head == audit.head(event["id"]) != audit.GENESIS
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output


def test_a_changed_vote_record_is_named(app: Any, runner: Any, make_event: Any, make_delegate: Any) -> None:
    event = prepared(app, make_event, make_delegate)
    with app.app_context():
        record = db.session.execute(
            text("SELECT id FROM vote_audit ORDER BY id LIMIT 1 OFFSET 1")
        ).scalar_one()
        db.session.execute(text("UPDATE vote_audit SET new_level = 5 WHERE id = :id"), {"id": record})
        db.session.commit()
        verdict = audit.verify(event["id"])
        assert verdict.broken and f"vote record {record}" in verdict.broken and "changed" in verdict.broken
    result = runner.invoke(main, ["audit", "verify", "--event", str(event["id"])])
    assert result.exit_code == 1 and "BROKEN" in result.output


def test_deleted_and_smuggled_records_are_named(app: Any, make_event: Any, make_delegate: Any) -> None:
    event = prepared(app, make_event, make_delegate)
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO action_log (event_id, actor, action, detail, at) VALUES (:e, 'x', 'forged', '', '2026-01-01')"
            ),
            {"e": event["id"]},
        )
        db.session.commit()
        assert "not in the chain" in (audit.verify(event["id"]).broken or "")
        db.session.execute(text("DELETE FROM action_log WHERE action = 'forged'"))
        last_vote = db.session.execute(text("SELECT max(id) FROM vote_audit")).scalar_one()
        db.session.execute(text("DELETE FROM vote_audit WHERE id = :id"), {"id": last_vote})
        db.session.commit()
        assert "deleted" in (audit.verify(event["id"]).broken or "")


def test_exports_carry_the_chain_head(
    app: Any, facilitator: Any, client: Any, api_headers: Any, make_event: Any, make_delegate: Any
) -> None:
    event = prepared(app, make_event, make_delegate)
    with app.app_context():
        current = audit.head(event["id"])
    csv_text = facilitator.get(f"/events/{event['id']}/matrix.csv").get_data().decode("utf-8-sig")
    assert f"Audit chain head,{current}" in csv_text
    pack = facilitator.get(f"/events/{event['id']}/steering-pack.json").get_json()
    assert pack["audit_head"] == current
    matrix = client.get(f"/api/v1/events/{event['id']}/matrix.json", headers=api_headers).get_json()
    assert matrix["audit_head"] == current and matrix["rows"][0]["cells"][0] == "4"
