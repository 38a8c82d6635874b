"""A withdrawn link, an ended sign-in and a revoked API token are withdrawn on every process at once:
two real `voting serve` processes on one PostgreSQL and one Redis, and the `voting` command beside
them (a third process that serves no connections)."""

from __future__ import annotations

import re
import time
from typing import Any

import requests
import socketio

from tests.e2e.conftest import LiveServer
from tests.scaleout.conftest import Cluster, Event

PASSWORD = "scale-out facilitator password"
NOT_VALID = {"error": "Your voting link is not valid. Please scan your QR code again."}
FORM_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
META_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
LINK = re.compile(r"/j/([A-Za-z0-9_-]{40,})")
VOTES = [("00Q", "1", 2), ("00R", "1", 2), ("00R", "2", 2), ("00S", "2", 3), ("00Q", "3", 4), ("00R", "3", 4)]


def browser_signed_in(server: LiveServer) -> requests.Session:
    """A browser signed in to the console of this process."""
    browser = requests.Session()
    token = FORM_CSRF.search(browser.get(f"{server.url}/login", timeout=10).text)
    assert token
    answer = browser.post(
        f"{server.url}/login",
        data={"password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    return browser


def live(server: LiveServer, browser: requests.Session | None, auth: dict[str, Any]) -> socketio.Client:
    """A Socket.IO connection to this process, with the browser's cookie when one is given."""
    client = socketio.Client(reconnection=False)
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items()) if browser else ""
    client.connect(
        server.url, auth=auth, headers={"Cookie": cookie} if cookie else {}, transports=["websocket"]
    )
    assert client.connected
    return client


def dropped(client: socketio.Client, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not client.connected:
            return True
        time.sleep(0.05)
    return False


def test_a_reissue_on_one_process_withdraws_the_old_link_on_the_other_for_every_action(
    cluster: Cluster,
) -> None:
    """Before: process B remembered the old token and the phone's session named only the delegate,
    so on B the old link still answered polls, declared interests, confirmed and cast Stage 4 ballots."""
    a, b = cluster.start("a"), cluster.start("b")
    event = Event(a, ["00Q", "00R", "00S"], open_contracts=())
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {event.token}"
    e = f"{a.url}/api/v1/events/{event.id}"
    assert api.post(f"{e}/stage", json={"stage": 2}, timeout=10).status_code == 200
    for code in ("1", "2", "3"):
        assert api.post(f"{e}/contracts/{code}/open", timeout=10).status_code == 200
    poll = api.post(f"{e}/polls", json={"kind": "yes_no_unsure", "question": "Appetite?"}, timeout=10).json()
    assert api.post(f"{e}/polls/{poll['id']}/open", timeout=10).status_code == 200
    tokens = dict(zip(("00Q", "00R", "00S"), event.phones, strict=True))
    old = tokens["00R"]
    [(ann,)] = cluster.sql("SELECT id FROM delegate WHERE event_id = %s AND name = 'P1'", event.id)

    # On B: the old token in use (B has seen it), a phone joined with it, and that phone's socket.
    bad = requests.post(
        f"{b.url}/api/v1/vote", data="?", headers={"Authorization": f"Bearer {old}"}, timeout=10
    )
    assert bad.status_code == 400
    phone = requests.Session()
    assert phone.get(f"{b.url}/j/{old}", timeout=10).status_code == 200  # followed to /vote
    csrf = META_CSRF.search(phone.get(f"{b.url}/vote", timeout=10).text)
    assert csrf
    phone_socket = live(b, phone, {"audience": "delegate"})

    # On A: the facilitator prints a QR sheet for Ann alone, which reissues her link.
    a.cli("set-password", "--password", PASSWORD)
    console = browser_signed_in(a)
    page = console.get(f"{a.url}/events/{event.id}", timeout=10).text
    form_token = FORM_CSRF.search(page)
    assert form_token
    sheet = console.post(
        f"{a.url}/events/{event.id}/qr-sheet", data={"delegate": str(ann), "csrf_token": form_token.group(1)}
    )
    assert sheet.status_code == 200
    [new] = set(LINK.findall(sheet.text))
    tokens["00R"] = new

    def on_b(path: str, body: dict[str, Any], as_phone: bool) -> tuple[int, Any]:
        if as_phone:
            answer = phone.post(
                f"{b.url}/api/v1{path}", json=body, headers={"X-CSRFToken": csrf.group(1)}, timeout=10
            )
        else:
            answer = requests.post(
                f"{b.url}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {old}"}, timeout=10
            )
        return answer.status_code, answer.json()

    for n, as_phone in enumerate((False, True)):
        vote_id = f"old-link-{n:02d}-vote"
        assert on_b("/vote", {"contract": "1", "level": 5, "vote_id": vote_id}, as_phone) == (401, NOT_VALID)
        assert on_b(f"/polls/{poll['id']}/answer", {"answer": "yes", "vote_id": vote_id}, as_phone) == (
            401,
            NOT_VALID,
        )
        assert on_b("/declarations", {"contract": "1", "interest": "My practice"}, as_phone) == (
            401,
            NOT_VALID,
        )
    assert dropped(phone_socket), "the phone's open connection on B is closed"

    for n, (org, code, level) in enumerate(VOTES):  # the new link works, on B too
        body = {"contract": code, "level": level, "vote_id": f"setup-vote-{n:02d}"}
        answer = requests.post(
            f"{b.url}/api/v1/vote", json=body, headers={"Authorization": f"Bearer {tokens[org]}"}, timeout=10
        )
        assert answer.status_code == 200, answer.text
    for code in ("1", "2", "3"):
        assert api.post(f"{e}/contracts/{code}/close", timeout=10).status_code == 200
    assert api.post(f"{e}/stage", json={"stage": 3}, timeout=10).status_code == 200
    confirm = {"contract": "2", "action": "confirm"}
    for as_phone in (False, True):
        assert on_b("/confirmations", confirm, as_phone) == (401, NOT_VALID)
    confirmed = requests.post(
        f"{b.url}/api/v1/confirmations", json=confirm, headers={"Authorization": f"Bearer {new}"}, timeout=10
    )
    assert confirmed.status_code == 200, confirmed.text
    amend = {"contract": "3", "action": "amend", "level": 4, "reason": "We join the regional 111"}
    amended = requests.post(
        f"{a.url}/api/v1/confirmations",
        json=amend,
        headers={"Authorization": f"Bearer {tokens['00S']}"},
        timeout=10,
    )
    assert amended.status_code == 200, amended.text
    assert api.post(f"{e}/stage", json={"stage": 4}, timeout=10).status_code == 200
    assert (
        api.patch(
            f"{e}/arrangements/1:2:1", json={"coordinator": "00Q", "quorum": "2"}, timeout=10
        ).status_code
        == 200
    )
    ballot = {"topic": "coordinator", "ballot": "no"}
    for as_phone in (False, True):
        assert on_b("/arrangements/1:2:1/ballot", ballot, as_phone) == (401, NOT_VALID)

    stored = cluster.sql(
        "SELECT (SELECT count(*) FROM vote WHERE delegate_id = %s AND level = 5),"
        " (SELECT count(*) FROM poll_receipt WHERE delegate_id = %s),"
        " (SELECT count(*) FROM declaration WHERE delegate_id = %s),"
        " (SELECT count(*) FROM arrangement_ballot ab JOIN organisation o ON o.id = ab.organisation_id"
        "   WHERE o.event_id = %s AND o.code = '00R')",
        ann,
        ann,
        ann,
        event.id,
    )
    assert stored == [(0, 0, 0, 0)], "nothing the old link sent was stored"
    cast = requests.post(
        f"{b.url}/api/v1/arrangements/1:2:1/ballot",
        json=ballot,
        headers={"Authorization": f"Bearer {new}"},
        timeout=10,
    )
    assert cast.status_code == 200, cast.text


def test_sign_out_and_set_password_from_the_command_line_close_screens_on_every_process(
    cluster: Cluster,
) -> None:
    """Before: sign-out closed only the screens of the process it reached, and `voting set-password`
    (a process with no connections) closed none; the cookie itself kept working until then."""
    a, b = cluster.start("a"), cluster.start("b")
    event = Event(a, [], open_contracts=())
    a.cli("set-password", "--password", PASSWORD)

    browser = browser_signed_in(a)
    on_b = live(b, browser, {"audience": "projector", "event": event.id})
    page = browser.get(f"{a.url}/events/{event.id}", timeout=10).text
    form_token = FORM_CSRF.search(page)
    assert form_token
    copied = dict(browser.cookies.items())
    browser.post(f"{a.url}/logout", data={"csrf_token": form_token.group(1)}, timeout=10)
    assert dropped(on_b), "signing out on A closes the sign-in's screen on B"
    stale = requests.get(f"{b.url}/events/{event.id}", cookies=copied, allow_redirects=False, timeout=10)
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]

    browser = browser_signed_in(b)
    screens = [
        live(a, browser, {"audience": "console", "event": event.id}),
        live(b, browser, {"audience": "projector", "event": event.id}),
    ]
    a.cli("set-password", "--password", PASSWORD + " changed")
    assert all(dropped(screen) for screen in screens), "the command's password change closes both"
    for server in (a, b):
        answer = browser.get(f"{server.url}/events/{event.id}", allow_redirects=False, timeout=10)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_revoking_an_api_token_closes_its_screens_on_every_process(cluster: Cluster) -> None:
    """Before: a screen opened with a revoked token stayed open on every process."""
    a, b = cluster.start("a"), cluster.start("b")
    event = Event(a, [], open_contracts=())
    kept = a.cli("api-token").strip().splitlines()[-1]
    revoked_on_a = live(a, None, {"audience": "console", "event": event.id, "token": event.token})
    revoked_on_b = live(b, None, {"audience": "projector", "event": event.id, "token": event.token})
    stays = live(b, None, {"audience": "projector", "event": event.id, "token": kept})
    number = next(
        line.split("\t")[0] for line in a.cli("api-token", "--list").splitlines() if line.startswith("1\t")
    )
    assert a.cli("api-token", "--revoke", number).strip() == f"API token {number} revoked."
    assert dropped(revoked_on_a) and dropped(revoked_on_b)
    assert stays.connected, "a screen opened with another token stays"
    stays.disconnect()
