"""An event with delegates, contracts 1 and 3 open (2 still ready), inside an app context."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from voting.extensions import db
from voting.models import Delegate, Event
from voting.services import contracts


@pytest.fixture
def world(
    app: Flask, make_event: Callable[..., dict[str, Any]], make_delegate: Callable[..., dict[str, Any]]
) -> Iterator[SimpleNamespace]:
    """Alpha (00Q) holds 1 and 3; Beta (00R) holds 1, 2, 3; Gamma (00S) holds 2 and 3."""
    ids = make_event()
    people = {
        "ann": make_delegate(ids["id"], "00Q", "Ann"),
        "bob": make_delegate(ids["id"], "00Q", "Bob"),
        "bea": make_delegate(ids["id"], "00R", "Bea"),
        "gus": make_delegate(ids["id"], "00S", "Gus"),
    }
    with app.app_context():
        event = db.session.get(Event, ids["id"])
        contracts.open_contracts(event, ["1", "3"])
        found = {name: db.session.get(Delegate, p["id"]) for name, p in people.items()}
        yield SimpleNamespace(event=event, **found)


@pytest.fixture
def scratch(app: Flask) -> Iterator[Callable[[], list[str]]]:
    """A table of its own, and a way to read what was committed to it."""
    with app.app_context():
        db.session.execute(text("CREATE TABLE scratch (name TEXT PRIMARY KEY)"))
        db.session.commit()

    def committed() -> list[str]:
        with app.app_context():
            names = list(db.session.scalars(text("SELECT name FROM scratch ORDER BY name")))
            db.session.remove()
            return names

    yield committed
