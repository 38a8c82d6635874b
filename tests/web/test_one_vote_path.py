"""One vote path: the phone's plain form post, the API vote and the facilitator's proxy vote all
go through the group-commit writer and leave the same sealed audit rows; the hooks that decide how
transactions begin and chain audit records are installed by create_app, not by importing a module."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.helpers import csrf_token
from voting import audit
from voting.extensions import db
from voting.models import Event, VoteAudit
from voting.models.chain import AuditLink
from voting.services import contracts
from voting.services.group_commit import group_commit

Factory = Callable[..., dict[str, Any]]
ROOT = Path(__file__).resolve().parents[2]


def jobs(app: Flask) -> int:
    """How many votes the group-commit writer has committed so far."""
    with app.app_context():
        return group_commit().jobs


def test_the_form_post_the_api_vote_and_a_proxy_vote_all_go_through_group_commit(
    app: Flask,
    client: FlaskClient,
    api_headers: dict[str, str],
    make_event: Factory,
    make_delegate: Factory,
) -> None:
    event = make_event()
    ann, bob, cal = (
        make_delegate(event["id"], org, name)
        for org, name in (("00Q", "Ann"), ("00R", "Bob"), ("00Q", "Cal"))
    )
    with app.app_context():
        contracts.open_contracts(db.session.get(Event, event["id"]), ["1"])
    phone = app.test_client()
    phone.get(f"/j/{ann['token']}")
    page = phone.get("/vote").get_data(as_text=True)
    vote_id = re.search(r'name="vote_id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"contract": "1", "level": "2", "vote_id": vote_id, "csrf_token": csrf_token(phone, "/vote")}

    before = jobs(app)
    answer = phone.post("/vote", data=form, follow_redirects=True)
    assert "Vote saved: contract 1, level 2." in answer.get_data(as_text=True)
    # The form post went through the writer (it used to join the request's own transaction).
    assert jobs(app) == before + 1

    sent = {"contract": "1", "level": 3, "vote_id": "api-vote-path-01"}
    answer = client.post("/api/v1/vote", json=sent, headers={"Authorization": f"Bearer {bob['token']}"})
    assert answer.status_code == 200 and answer.get_json()["level"] == 3
    assert jobs(app) == before + 2

    proxy = {"delegate": cal["id"], "contract": "1", "level": 4, "vote_id": "proxy-vote-path-01"}
    answer = client.post(f"/api/v1/events/{event['id']}/proxy-vote", json=proxy, headers=api_headers)
    assert answer.status_code == 200 and answer.get_json()["level"] == 4
    assert jobs(app) == before + 3

    with app.app_context():
        records = db.session.scalars(select(VoteAudit).order_by(VoteAudit.id)).all()
        assert [(r.delegate_id, r.new_level, r.entered_by) for r in records] == [
            (ann["id"], 2, "delegate"),
            (bob["id"], 3, "delegate"),
            (cal["id"], 4, "facilitator"),
        ]
        links = db.session.scalars(select(AuditLink).where(AuditLink.kind == "vote")).all()
        assert sorted(link.record_id for link in links) == [r.id for r in records]  # each one chained
        verdict = audit.verify(event["id"])
        assert verdict.broken is None and verdict.difference is None and verdict.unsealed == 0


def test_importing_installs_no_hook_and_create_app_installs_each_once(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        from sqlalchemy import event, text
        from sqlalchemy.engine import Engine
        from sqlalchemy.orm import Session

        import voting.audit as audit
        import voting.db_setup as db_setup

        def installed():
            return [
                event.contains(Engine, "connect", db_setup._sqlite_pragmas),
                event.contains(Engine, "begin", db_setup._begin),
                event.contains(Session, "after_flush", audit._link_new_records),
            ]

        print(installed())
        from voting import create_app
        from voting.extensions import db
        for n in range(2):
            app = create_app({{
                "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/app.sqlite3",
                "SECRET_KEY": "test", "INSTANCE_PATH": "{tmp_path}/instance{{n}}",
            }})
        print(installed())
        with app.app_context():  # one BEGIN IMMEDIATE: a second hook would begin twice and fail
            with db_setup.write_transaction() as connection:
                print(connection.execute(text("SELECT 1")).scalar())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["[False, False, False]", "[True, True, True]", "1"]
