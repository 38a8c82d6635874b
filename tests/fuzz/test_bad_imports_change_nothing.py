"""A refused import changes nothing: every row of every table is the same before and after.

Through the API, for all three imports (organisations, contracts, activity), on an event that has
delegates, votes and activity: fixed bad files of each kind (empty, wrong columns, bad cells, a bad
last line, Windows-1252, damaged XLSX, a re-import that would drop what has votes, a body over the
5 MB limit), then hypothesis-generated files. A file that is accepted replaces what it replaces,
and becomes the new "before".
"""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV
from tests.fuzz.conftest import World
from tests.fuzz.test_import_fuzz import csv_files, workbook
from voting.activity_demo import activity_csv
from voting.extensions import db

KINDS = {"organisations": "organisations", "contracts": "contracts", "activity": "activity"}
BAD_FILES: dict[str, list[bytes]] = {
    "organisations": [
        b"",
        b"\xef\xbb\xbf",
        b"code,name\n00Q,Alpha\n",  # a column missing
        ORGANISATIONS_CSV + b"00T,,00X\n",  # a bad last line
        ORGANISATIONS_CSV.replace(
            b"00S,Gamma CCG,00R", b"00S,Gamma \xa3 CCG,00Z"
        ),  # cp1252, unknown neighbour
        b"code,name,neighbours\n00Q,Alpha CCG,\n",  # would drop organisations that have delegates and votes
        b"PK\x03\x04 not really a workbook",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old .xls",
    ],
    "contracts": [
        b"contract,contract_name,organisation,annual_value_gbp\n",
        CONTRACTS_CSV + b"4,New,00Z,100,\n",  # an organisation not in the event
        CONTRACTS_CSV + b"4,New,00Q,12x,\n",  # not a number
        CONTRACTS_CSV.replace(b"1,Acute - North FT,00R,18000000,9000\n", b""),  # drops a holding with a vote
        b'contract,contract_name,organisation,annual_value_gbp,activity\n"1,NHS 111,00Q,1,\n',  # stray quote
    ],
    "activity": [
        b"ccg_code,ccg_name\n",
        activity_csv() + b"99X,Other name,RZZ,Zulu FT,10,20,5,1\n",  # name changes, elective > all
        activity_csv() + activity_csv().split(b"\n", 2)[1] + b"\n",  # a pair twice
    ],
}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(table.select())), key=repr)
        for table in db.metadata.sorted_tables
    }


def put(client: FlaskClient, world: World, event: int, kind: str, data: bytes) -> Any:
    headers = {"Authorization": f"Bearer {world.facilitator}", "Content-Type": "text/csv"}
    return client.put(f"/api/v1/events/{event}/{KINDS[kind]}", data=data, headers=headers)


def check_refused_changes_nothing(
    app: Flask, client: FlaskClient, world: World, kind: str, data: bytes
) -> int:
    event = world.events[1]  # delegates, a vote's worth of state, polls, activity
    with app.app_context():
        before = snapshot()
    response = put(client, world, event, kind, data)
    assert response.status_code in (200, 413, 422), response.get_data(as_text=True)
    if response.status_code == 200:
        return 200
    body = response.get_json()
    if response.status_code == 422:
        assert body["errors"] and all({"line", "column", "message"} <= set(e) for e in body["errors"])
    with app.app_context():
        assert snapshot() == before
    return int(response.status_code)


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_every_bad_file_is_refused_and_changes_nothing(
    app: Flask, client: FlaskClient, world: World, kind: str
) -> None:
    vote = {"contract": "1", "level": 3, "vote_id": "keep-this-vote"}
    headers = {"Authorization": f"Bearer {world.delegates['2']}"}
    assert client.post("/api/v1/vote", json=vote, headers=headers).status_code == 200
    files = [*BAD_FILES[kind], workbook([["nothing", "useful"], [1, 2]])]
    for data in files:
        assert check_refused_changes_nothing(app, client, world, kind, data) == 422, data[:80]
    too_large = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    assert check_refused_changes_nothing(app, client, world, kind, too_large) == 413


@settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_files_change_nothing_unless_accepted(
    app: Flask, client: FlaskClient, world: World, data: st.DataObject
) -> None:
    kind = data.draw(st.sampled_from(sorted(KINDS)), label="kind")
    file = data.draw(csv_files(kind), label="file")
    event(f"{kind}: {check_refused_changes_nothing(app, client, world, kind, file)}")
