"""`voting audit verify` proves what the exports show: the votes table and every frozen stage
version are replayed from the sealed chain and compared, and a chain re-hashed without the audit
key (kept outside the database) is caught."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from tests.unit.test_steering_fixtures import run_all_stages
from voting import audit
from voting.cli import main
from voting.domain.replay import replay_votes
from voting.extensions import db


@pytest.fixture
def finished(app: Flask) -> dict[str, Any]:
    """The Annex 2 event carried through all four stages (indicative, confirmed, arrangements frozen)."""
    return run_all_stages(app)


def plain_sha256(prev: str, kind: str, record: dict[str, Any]) -> str:
    """What an attacker holding only the database file computes: the link without the key."""
    body = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev}|{kind}|{body}".encode()).hexdigest()


def proven(verdict: audit.Verdict) -> bool:
    """What `voting audit verify` calls intact: unbroken, every link sealed, the tables as the records say."""
    return verdict.broken is None and verdict.difference is None and verdict.unsealed == 0


def rehash_from(event_id: int, first_seq: int) -> None:
    """Recompute every link from `first_seq` on with plain SHA-256, as an attacker would."""
    links = db.session.execute(
        text("SELECT id, seq, kind, record_id, prev_hash FROM audit_link WHERE event_id = :e ORDER BY seq"),
        {"e": event_id},
    ).all()
    prev = audit.GENESIS
    for link in links:
        if link.seq >= first_seq:
            model = audit.KINDS[link.kind]
            record = audit.canonical(db.session.get(model, link.record_id))
            digest = plain_sha256(prev, link.kind, record)
            db.session.execute(
                text("UPDATE audit_link SET prev_hash = :p, hash = :h WHERE id = :id"),
                {"p": prev, "h": digest, "id": link.id},
            )
            prev = digest
        else:
            prev = db.session.execute(
                text("SELECT hash FROM audit_link WHERE id = :id"), {"id": link.id}
            ).scalar_one()
    db.session.commit()
    db.session.expire_all()


def test_a_finished_event_is_proven(app: Flask, runner: Any, finished: dict[str, Any]) -> None:
    with app.app_context():
        verdict = audit.verify(finished["id"])
        assert proven(verdict) and verdict.notes == ()
        assert verdict.links > 100 and verdict.head == audit.head(finished["id"])
    result = runner.invoke(main, ["audit", "verify", "--event", str(finished["id"])])
    assert result.exit_code == 0, result.output
    assert "sealed with the audit key; votes and frozen versions match them" in result.output


def test_fifty_votes_changed_by_sql_are_named(app: Flask, runner: Any, finished: dict[str, Any]) -> None:
    """The matrix is built from the `vote` table: a changed row must not pass as intact."""
    with app.app_context():
        rows = db.session.execute(
            text(
                "SELECT id, contract_id, delegate_id, level FROM vote ORDER BY contract_id, delegate_id LIMIT 50"
            )
        ).all()
        assert len(rows) == 50
        for row in rows:
            db.session.execute(
                text("UPDATE vote SET level = :l WHERE id = :id"), {"l": row.level % 5 + 1, "id": row.id}
            )
        db.session.commit()
        first = rows[0]
        code = db.session.execute(
            text("SELECT code FROM contract WHERE id = :id"), {"id": first.contract_id}
        ).scalar_one()
        expected = (
            f"Vote of delegate {first.delegate_id} on contract {code} is level {first.level % 5 + 1} "
            f"in the table but level {first.level} by the audit records."
        )
        verdict = audit.verify(finished["id"])
        assert verdict.broken is None and verdict.difference == expected
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1 and expected in result.output and "TABLES DIFFER" in result.output


@pytest.mark.parametrize(
    ("kind", "named"),
    [
        ("indicative", "Indicative matrix version 1 in the table is not the matrix that was frozen"),
        ("confirmed", "Confirmed matrix version 1 in the table is not the matrix that was frozen"),
        ("arrangements", "Arrangements version 1 in the table differs from what was frozen"),
    ],
)
def test_a_frozen_version_changed_by_sql_is_named(
    app: Flask, finished: dict[str, Any], kind: str, named: str
) -> None:
    with app.app_context():
        version_id, raw = db.session.execute(
            text("SELECT id, payload FROM stage_version WHERE event_id = :e AND kind = :k"),
            {"e": finished["id"], "k": kind},
        ).one()
        payload = json.loads(raw)
        if kind == "arrangements":
            payload["arrangements"][0]["coordinator"] = "B"
        else:
            cells = payload["rows"][0]["cells"]
            cells[0] = "5" if cells[0] != "5" else "4"
        db.session.execute(
            text("UPDATE stage_version SET payload = :p WHERE id = :id"),
            {"p": json.dumps(payload), "id": version_id},
        )
        db.session.commit()
        verdict = audit.verify(finished["id"])
        assert verdict.difference and verdict.difference.startswith(named), verdict.difference


def truncate(event_id: int, newest: int) -> None:
    """Delete the newest vote records with their links, and put the `vote` table back to match."""
    doomed = (
        db.session.execute(
            text("SELECT id FROM vote_audit WHERE event_id = :e ORDER BY id DESC LIMIT :n"),
            {"e": event_id, "n": newest},
        )
        .scalars()
        .all()
    )
    first_seq = db.session.execute(
        text("SELECT min(seq) FROM audit_link WHERE kind = 'vote' AND record_id >= :first"),
        {"first": min(doomed)},
    ).scalar_one()
    db.session.execute(
        text("DELETE FROM audit_link WHERE event_id = :e AND seq >= :s"), {"e": event_id, "s": first_seq}
    )
    db.session.execute(text("DELETE FROM vote_audit WHERE id >= :first"), {"first": min(doomed)})
    later = (
        db.session.execute(
            text(
                "SELECT id FROM action_log WHERE event_id = :e AND id NOT IN (SELECT record_id FROM audit_link WHERE kind = 'action')"
            ),
            {"e": event_id},
        )
        .scalars()
        .all()
    )
    for action_id in later:  # the actions after the deleted votes go too (their links are gone)
        db.session.execute(text("DELETE FROM action_log WHERE id = :id"), {"id": action_id})
    db.session.execute(text("DELETE FROM stage_version WHERE event_id = :e"), {"e": event_id})  # frozen later
    records = [
        ("vote", {"contract": c, "delegate": d, "new": n})
        for c, d, n in db.session.execute(
            text(
                "SELECT contract_id, delegate_id, new_level FROM vote_audit WHERE event_id = :e ORDER BY id"
            ),
            {"e": event_id},
        )
    ]
    db.session.execute(text("DELETE FROM vote WHERE event_id = :e"), {"e": event_id})
    for (contract, delegate), level in replay_votes(records).items():
        db.session.execute(
            text(
                "INSERT INTO vote (event_id, contract_id, delegate_id, organisation_id, level, updated_at) "
                "SELECT :e, :c, id, organisation_id, :l, CURRENT_TIMESTAMP FROM delegate WHERE id = :d"
            ),
            {"e": event_id, "c": contract, "d": delegate, "l": level},
        )
    db.session.commit()


def test_deleting_the_newest_records_and_rehashing_without_the_key_fails(
    app: Flask, runner: Any, finished: dict[str, Any]
) -> None:
    """An attacker with the database file deletes the last 5 votes and everything after them, makes
    the tables match, then re-hashes (plain SHA-256: they have no key). Verify does not pass it."""
    with app.app_context():
        before = audit.verify(finished["id"]).links
        truncate(finished["id"], 5)
        rehash_from(finished["id"], 1)  # the whole chain, so nothing mixes sealed and unsealed links
        verdict = audit.verify(finished["id"])
        assert verdict.links < before and verdict.broken is None and verdict.difference is None
        assert verdict.unsealed == verdict.links and not proven(verdict)
        assert "written without the audit key" in verdict.notes[0]
    result = runner.invoke(main, ["audit", "verify", "--event", str(finished["id"])])
    assert result.exit_code == 2 and "NOT SEALED" in result.output, result.output
    assert "anyone with the database file could have rewritten them" in result.output


def test_rehashing_only_the_changed_end_without_the_key_is_named(
    app: Flask, finished: dict[str, Any]
) -> None:
    with app.app_context():
        truncate(finished["id"], 5)
        last = db.session.execute(
            text("SELECT max(seq) FROM audit_link WHERE event_id = :e"), {"e": finished["id"]}
        ).scalar_one()
        record_id = db.session.execute(
            text("SELECT record_id FROM audit_link WHERE event_id = :e AND seq = :s"),
            {"e": finished["id"], "s": last - 3},
        ).scalar_one()
        rehash_from(finished["id"], last - 3)
        verdict = audit.verify(finished["id"])
        assert verdict.broken is not None and f"link {last - 3}" in verdict.broken.lower()
        assert f"record {record_id})" in verdict.broken
        assert "hashed without the audit key after links sealed with it" in verdict.broken


def test_pure_truncation_without_mending_the_votes_is_named(app: Flask, finished: dict[str, Any]) -> None:
    """Delete the newest vote records and their links only: the `vote` table still holds the votes."""
    with app.app_context():
        newest = db.session.execute(
            text(
                "SELECT id, contract_id, delegate_id FROM vote_audit WHERE event_id = :e ORDER BY id DESC LIMIT 1"
            ),
            {"e": finished["id"]},
        ).one()
        db.session.execute(
            text("DELETE FROM audit_link WHERE kind = 'vote' AND record_id = :id"), {"id": newest.id}
        )
        db.session.execute(text("DELETE FROM vote_audit WHERE id = :id"), {"id": newest.id})
        db.session.commit()
        verdict = audit.verify(finished["id"])
        assert verdict.broken is not None and "missing" in verdict.broken  # later actions' links jump


def test_a_head_handed_out_before_a_truncation_is_missed(
    app: Flask, runner: Any, finished: dict[str, Any]
) -> None:
    """Deleting the newest records and mending every table leaves a shorter chain that is still
    sealed; a head printed in an earlier export shows what is missing."""
    with app.app_context():
        printed = audit.head(finished["id"])
        truncate(finished["id"], 5)
        assert proven(audit.verify(finished["id"]))  # the key alone cannot tell
    event = str(finished["id"])
    result = runner.invoke(main, ["audit", "verify", "--event", event, "--head", printed])
    assert result.exit_code == 1, result.output
    assert f"the head {printed} handed out earlier is not in the chain" in result.output
    with app.app_context():
        kept = db.session.execute(text("SELECT hash FROM audit_link WHERE seq = 10")).scalar_one()
    result = runner.invoke(main, ["audit", "verify", "--event", event, "--head", kept])
    assert result.exit_code == 0 and "is link 10 of the chain" in result.output


def test_a_confirmation_changed_by_sql_is_named(app: Flask, finished: dict[str, Any]) -> None:
    """Stage 3 amendments feed the confirmed matrix: a changed one must not pass."""
    with app.app_context():
        row = db.session.execute(
            text("SELECT id FROM confirmation WHERE action = 'amend' ORDER BY id")
        ).first()
        db.session.execute(text("UPDATE confirmation SET level = 4 WHERE id = :id"), {"id": row.id})
        db.session.commit()
        verdict = audit.verify(finished["id"])
        assert verdict.difference and verdict.difference.startswith(
            f"Confirmation {row.id} in the table (J, contract 7: amend at level 4) is not what action record"
        ), verdict.difference


def test_a_split_resolution_changed_by_sql_is_named(app: Flask, world: Any) -> None:
    from voting.services import contracts, facilitation, votes

    for delegate, level in ((world.ann, 2), (world.bob, 3)):
        votes.cast_vote(delegate, "1", level, f"split-{delegate.id}-vote")
    contracts.close_contracts(world.event, ["1"])
    contracts.resolve_split(world.event, "1", "00Q", 3)
    assert proven(audit.verify(world.event.id))
    db.session.execute(text("UPDATE resolution SET level = 2"))
    db.session.commit()
    assert audit.verify(world.event.id).difference == (
        "The split of CCG 00Q on contract 1 is settled at level 2 in the table but settled at level 3 "
        "by the audit records."
    )
    facilitation.reset_contract(
        world.event, "1"
    )  # a reset clears the resolution, in the table and the replay
    assert proven(audit.verify(world.event.id))


def test_an_event_written_before_the_key_says_so(
    app: Flask, runner: Any, make_event: Any, make_delegate: Any
) -> None:
    """Links written by the app before it kept a key are plain SHA-256: verify says what that means."""
    key = app.config["AUDIT_KEY"]
    app.config["AUDIT_KEY"] = None  # the app as it was before this change
    event = make_event()
    make_delegate(event["id"], "00Q", "Ann")
    app.config["AUDIT_KEY"] = key
    with app.app_context():
        old = audit.verify(event["id"])
        assert old.broken is None and old.difference is None and old.unsealed == old.links > 0
    make_delegate(event["id"], "00R", "Bea")  # the event goes on after the upgrade: these are sealed
    with app.app_context():
        later = audit.verify(event["id"])
        assert later.broken is None and later.unsealed == old.links < later.links
    result = runner.invoke(main, ["audit", "verify", "--event", str(event["id"])])
    assert result.exit_code == 2 and "NOT SEALED" in result.output
    assert (
        f"{old.links} of {later.links} links were written without the audit key (before this version"
        in result.output
    )
