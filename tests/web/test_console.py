"""The facilitator's console through the Flask test client: sign-in, imports, delegates, voting, exports."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV
from tests.helpers import csrf_token


def post(client: FlaskClient, path: str, page: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """Submit a form the way a browser would: with the CSRF token from the page it is on."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)}, **kwargs)


def new_event(client: FlaskClient) -> int:
    response = post(client, "/events", "/", {"name": "North East event"})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def upload(client: FlaskClient, event: int, kind: str, data: bytes, filename: str = "file.csv") -> Any:
    return post(
        client,
        f"/events/{event}/import/{kind}",
        f"/events/{event}",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_console_pages_need_the_facilitator(client: FlaskClient, password: str) -> None:
    for path in ("/", "/events/1", "/events/1/projector", "/events/1/matrix.csv", "/templates/contracts.csv"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_wrong_password_and_no_password_are_refused(client: FlaskClient, app: Any) -> None:
    page = post(client, "/login", "/login", {"password": "anything at all"})
    assert page.status_code == 401
    assert "No facilitator password has been set yet" in page.get_data(as_text=True)


def test_sign_in_rejects_a_wrong_password_and_needs_csrf(client: FlaskClient, password: str) -> None:
    assert client.post("/login", data={"password": password}).status_code == 400  # no CSRF token
    wrong = post(client, "/login", "/login", {"password": "not the password"})
    assert wrong.status_code == 401
    assert "That password is not right." in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_bad_import_lists_every_problem_and_imports_nothing(facilitator: FlaskClient) -> None:
    event = new_event(facilitator)
    assert upload(facilitator, event, "organisations", ORGANISATIONS_CSV).status_code == 302
    bad = (
        b"contract,contract_name,organisation,annual_value_gbp,activity\n1,Acute,00Q,12x,1\n1,Acute,ZZ,5,1\n"
    )
    page = upload(facilitator, event, "contracts", bad, "contracts.csv")
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "There is a problem with contracts.csv" in text
    assert "Line 2, column annual_value_gbp" in text
    assert "Line 3, column organisation" in text
    assert "0 contracts loaded" in text


def test_a_whole_round_from_the_console(facilitator: FlaskClient, app: Any) -> None:
    event = new_event(facilitator)
    assert upload(facilitator, event, "organisations", ORGANISATIONS_CSV).status_code == 302
    assert upload(facilitator, event, "contracts", CONTRACTS_CSV).status_code == 302
    console = facilitator.get(f"/events/{event}").get_data(as_text=True)
    assert "3 organisations and 3 contracts loaded." in console

    shown = post(
        facilitator, f"/events/{event}/delegates", f"/events/{event}", {"organisation": "00Q", "name": "Ann"}
    )
    link = re.search(r"http://voting\.test/j/[A-Za-z0-9_-]+", shown.get_data(as_text=True))
    assert link, "the new delegate's link is shown once"
    assert "<svg" in shown.get_data(as_text=True)

    opened = post(
        facilitator, f"/events/{event}/voting", f"/events/{event}", {"action": "open", "contract": ["1", "3"]}
    )
    assert opened.status_code == 302
    assert "Voting opened on 1, 3." in facilitator.get(f"/events/{event}").get_data(as_text=True)

    phone = app.test_client()
    phone.get(link.group(0).replace("http://voting.test", ""))
    vote_page = phone.get("/vote").get_data(as_text=True)
    vote_id = re.search(
        r'name="contract" value="1">\s*<input type="hidden" name="vote_id" value="([^"]+)"', vote_page
    )
    assert vote_id
    saved = phone.post(
        "/vote",
        data={
            "contract": "1",
            "level": "2",
            "vote_id": vote_id.group(1),
            "csrf_token": csrf_token(phone, "/vote"),
        },
    )
    assert saved.status_code == 303
    assert "Vote saved: contract 1, level 2." in phone.get("/vote").get_data(as_text=True)

    sheet = post(facilitator, f"/events/{event}/qr-sheet", f"/events/{event}", {})
    assert sheet.get_data(as_text=True).count('class="card"') == 1
    assert "Ann" in sheet.get_data(as_text=True)
    # Printing issued a new link: the old one no longer works.
    assert app.test_client().get(link.group(0).replace("http://voting.test", "")).status_code == 404

    matrix = facilitator.get(f"/events/{event}/matrix.csv")
    assert matrix.headers["Content-Disposition"] == 'attachment; filename="matrix.csv"'
    rows = list(csv.reader(io.StringIO(matrix.get_data().decode("utf-8-sig"))))
    assert rows[:4] == [
        ["CCG", "1", "2", "3"],
        ["Alpha CCG", "2", "NA", ""],
        ["Beta CCG", "", "", ""],
        ["Gamma CCG", "NA", "", ""],
    ]
    workbook = load_workbook(io.BytesIO(facilitator.get(f"/events/{event}/matrix.xlsx").get_data()))
    assert [c.value for c in workbook.active[2]][:4] == ["Alpha CCG", 2, "NA", None]

    closed = post(
        facilitator, f"/events/{event}/voting", f"/events/{event}", {"action": "close", "scope": "all"}
    )
    assert closed.status_code == 302
    assert "Voting closed on 1, 3." in facilitator.get(f"/events/{event}").get_data(as_text=True)


def test_templates_download_with_the_right_headers(facilitator: FlaskClient) -> None:
    contracts = facilitator.get("/templates/contracts.csv")
    assert (
        contracts.get_data()
        .decode("utf-8-sig")
        .splitlines()[0]
        .startswith("contract,contract_name,organisation,annual_value_gbp,activity")
    )
    organisations = facilitator.get("/templates/organisations.xlsx")
    assert load_workbook(io.BytesIO(organisations.get_data())).active["A1"].value == "code"
    assert facilitator.get("/templates/nothing.csv").status_code == 404


def test_resolving_a_split_from_the_console(
    facilitator: FlaskClient, app: Any, make_event: Any, make_delegate: Any
) -> None:
    from voting.extensions import db
    from voting.models import Delegate, Event
    from voting.services import contracts, votes

    event = make_event()
    first, second = make_delegate(event["id"], "00R", "Bo"), make_delegate(event["id"], "00R", "Cy")
    with app.app_context():
        contracts.open_contracts(db.session.get(Event, event["id"]), ["1"])
        votes.cast_vote(db.session.get(Delegate, first["id"]), "1", 2, "vote-0001-aaaa")
        votes.cast_vote(db.session.get(Delegate, second["id"]), "1", 3, "vote-0002-bbbb")
    console = facilitator.get(f"/events/{event['id']}").get_data(as_text=True)
    assert "00R on contract 1 is split 2/3" in console
    refused = post(
        facilitator,
        f"/events/{event['id']}/resolve",
        f"/events/{event['id']}",
        {"contract": "1", "organisation": "00R", "level": "4"},
    )
    assert "Choose one of the tied levels (2 or 3)." in facilitator.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    post(
        facilitator,
        f"/events/{event['id']}/resolve",
        f"/events/{event['id']}",
        {"contract": "1", "organisation": "00R", "level": "3"},
    )
    matrix = facilitator.get(f"/events/{event['id']}/matrix.csv").get_data().decode("utf-8-sig")
    assert "Beta CCG,3,," in matrix


def test_the_console_turns_away_everyone_waiting_after_confirming_how_many(
    app: Any, facilitator: FlaskClient
) -> None:
    from voting.extensions import db
    from voting.models import ActionLog, Delegate, Event
    from voting.services import delegates

    event_id = new_event(facilitator)
    upload(facilitator, event_id, "organisations", ORGANISATIONS_CSV)
    with app.app_context():
        event = db.session.get(Event, event_id)
        for name in ("Walk In 1", "Walk In 2", "Walk In 3"):
            delegates.request_admission(event, "00R", name)
        admitted, _token = delegates.create_delegate(event, "00Q", "Ann")
    page = facilitator.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Yes, turn away all 3 people waiting." in page
    ids = re.findall(r'<input type="hidden" name="delegate" value="(\d+)">', page)
    assert len(ids) == 3
    path, where = f"/events/{event_id}/delegates/turn-away-waiting", f"/events/{event_id}"
    with app.app_context():  # someone asks to join after the console drew its list
        late, _token = delegates.request_admission(db.session.get(Event, event_id), "00S", "Late")
    unconfirmed = post(facilitator, path, where, {"delegate": ids}, follow_redirects=True)
    assert "Tick the box to confirm how many people to turn away." in unconfirmed.get_data(as_text=True)
    done = post(facilitator, path, where, {"delegate": ids, "confirm": "3"}, follow_redirects=True)
    assert "Turned away 3 people who were waiting." in done.get_data(as_text=True)
    with app.app_context():
        status = dict(db.session.execute(db.select(Delegate.name, Delegate.status)).all())
        logged = db.session.scalars(db.select(ActionLog).where(ActionLog.action == "turn_away_waiting")).all()
    assert status == {
        "Walk In 1": "revoked",
        "Walk In 2": "revoked",
        "Walk In 3": "revoked",
        "Late": "pending",  # not on the list the facilitator confirmed
        "Ann": "active",
    }
    assert [entry.detail for entry in logged] == [f"3 waiting: {','.join(sorted(ids, key=int))}"]
