"""Re-importing organisations and contracts into an event that is already in use."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV
from voting.extensions import db
from voting.models import Contract, Delegate, Event, Holding, Neighbour, Organisation, Vote
from voting.services import imports
from voting.services.snapshots import event_matrix
from voting.services.votes import cast_vote

ORGS_WITHOUT_GAMMA = b"code,name,neighbours\n00Q,Alpha CCG,00R\n00R,Beta CCG,00Q\n"


def counts() -> dict[str, int]:
    """Rows per table, to prove a refused import changed nothing."""
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Organisation, Contract, Holding, Neighbour, Delegate, Vote)
    }


def contracts_without(*drop: bytes) -> bytes:
    lines = CONTRACTS_CSV.splitlines(keepends=True)
    return b"".join(line for line in lines if not any(line.startswith(prefix) for prefix in drop))


def test_reimport_cannot_drop_an_organisation_with_delegates(world: SimpleNamespace) -> None:
    before = counts()
    n, problems = imports.import_organisations(world.event, ORGS_WITHOUT_GAMMA)
    assert n == 0
    assert [p.to_dict() for p in problems] == [
        {
            "line": 1,
            "column": "code",
            "message": "Organisation '00S' already has delegates or votes, so it must stay in the file.",
        }
    ]
    db.session.rollback()
    assert counts() == before
    matrix, _p, _v = event_matrix(world.event)
    assert [row.name for row in matrix.rows] == ["Alpha CCG", "Beta CCG", "Gamma CCG"]


def test_reimport_can_drop_an_organisation_nobody_uses(app: Flask, make_event: Callable[..., Any]) -> None:
    ids = make_event()
    with app.app_context():
        event = db.session.get(Event, ids["id"])
        n, problems = imports.import_organisations(event, ORGS_WITHOUT_GAMMA)
        assert (n, problems) == (2, [])
        matrix, _p, _v = event_matrix(event)
        assert [row.code for row in matrix.rows] == ["00Q", "00R"]
        # Gamma's holdings went with it; the contract itself stays for the others.
        assert matrix.row_labels("00R") == ["", "", ""]


def test_reimport_renames_and_keeps_delegates(world: SimpleNamespace) -> None:
    renamed = ORGANISATIONS_CSV.replace(b"Alpha CCG", b"Alpha and Omega CCG")
    n, problems = imports.import_organisations(world.event, renamed)
    assert (n, problems) == (3, [])
    matrix, _p, _v = event_matrix(world.event)
    assert matrix.rows[0].name == "Alpha and Omega CCG"
    assert db.session.get(Delegate, world.ann.id).organisation.code == "00Q"


def test_reimport_cannot_drop_a_holding_with_votes(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 2, "vote-keep-me")
    before = counts()
    n, problems = imports.import_contracts(world.event, contracts_without(b"1,Acute - North FT,00Q"))
    assert n == 0
    assert [p.message for p in problems] == [
        "00Q has already voted on contract 1; keep that row in the file."
    ]
    db.session.rollback()
    assert counts() == before
    matrix, _p, _v = event_matrix(world.event)
    assert matrix.cell("00Q", "1") == "2"


def test_reimport_cannot_drop_a_contract_with_votes(world: SimpleNamespace) -> None:
    cast_vote(world.gus, "3", 5, "vote-keep-111")
    before = counts()
    n, problems = imports.import_contracts(world.event, contracts_without(b"3,"))
    assert n == 0
    assert any("00S has already voted on contract 3" in p.message for p in problems)
    db.session.rollback()
    assert counts() == before


def test_reimport_may_drop_holdings_without_votes(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 2, "vote-keep-me")
    n, problems = imports.import_contracts(world.event, contracts_without(b"3,NHS 111,00S"))
    assert (n, problems) == (6, [])
    matrix, _p, _v = event_matrix(world.event)
    assert matrix.cell("00S", "3") == "NA"
    assert matrix.cell("00Q", "1") == "2"


def test_reimport_keeps_contract_status_and_votes(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 4, "vote-keep-me")
    n, problems = imports.import_contracts(world.event, CONTRACTS_CSV)
    assert (n, problems) == (7, [])
    statuses = dict(db.session.execute(select(Contract.code, Contract.status)).all())
    assert statuses == {"1": "open", "2": "ready", "3": "open"}
    matrix, _p, _v = event_matrix(world.event)
    assert matrix.cell("00Q", "1") == "4"


def test_bad_file_reports_problems_and_imports_nothing(world: SimpleNamespace) -> None:
    before = counts()
    bad = CONTRACTS_CSV + b"4,New contract,00Z,100,\n"
    n, problems = imports.import_contracts(world.event, bad)
    assert n == 0
    assert problems and problems[0].line == 9
    assert problems[0].column == "organisation"
    db.session.rollback()
    assert counts() == before
