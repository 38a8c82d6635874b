"""Real Chromium against the real server: phones vote with one tap, the projector follows within a second."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV
from tests.e2e.conftest import LiveServer

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "facilitator password for e2e"


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def event(live_server: LiveServer) -> dict[str, Any]:
    """An event with the sample CCGs and contracts, three delegates, contract 1 not yet open."""
    live_server.cli("set-password", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    token = live_server.cli("api-token").strip().splitlines()[-1]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    base = f"{live_server.url}/api/v1"
    event_id = api.post(f"{base}/events", json={"name": "Browser round"}, timeout=5).json()["id"]
    for kind, body in (("organisations", ORGANISATIONS_CSV), ("contracts", CONTRACTS_CSV)):
        assert api.put(f"{base}/events/{event_id}/{kind}", data=body, timeout=5).status_code == 200
    links = [
        api.post(
            f"{base}/events/{event_id}/delegates", json={"organisation": org, "name": name}, timeout=5
        ).json()["join_url"]
        for org, name in (("00Q", "Ann"), ("00R", "Bo"), ("00R", "Cy"))
    ]
    return {"id": event_id, "api": api, "base": base, "links": links}


def requests_stay_local(page: Page, seen: list[str]) -> None:
    page.on("request", lambda request: seen.append(request.url))


def open_projector(browser: Browser, live_server: LiveServer, event_id: int, seen: list[str]) -> Page:
    projector = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    requests_stay_local(projector, seen)
    projector.goto(f"{live_server.url}/login")
    projector.fill("#password", PASSWORD)
    projector.click("button[type=submit]")
    projector.goto(f"{live_server.url}/events/{event_id}/projector")
    return projector


def open_phone(browser: Browser, link: str, seen: list[str]) -> Page:
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    requests_stay_local(phone, seen)
    phone.goto(link)
    return phone


def cell(page: Page, org: str, contract: str) -> Any:
    return page.locator(f'td[data-org="{org}"][data-col="{contract}"]')


def test_phones_vote_and_the_projector_follows(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    seen: list[str] = []
    projector = open_projector(browser, live_server, event["id"], seen)
    phones = [open_phone(browser, link, seen) for link in event["links"]]
    expect(phones[0].locator("#none-open")).to_be_visible()
    expect(cell(projector, "00Q", "1")).to_have_text("-")
    expect(cell(projector, "00S", "1")).to_have_text("NA")

    event["api"].post(f"{event['base']}/events/{event['id']}/contracts/1/open", timeout=5)
    expect(phones[0].locator("#contract-1")).to_be_visible()  # the page opened the vote by itself
    expect(phones[0].locator("#contract-1")).to_contain_text("£25,000,000")
    expect(projector.locator("#current-title")).to_contain_text("contract 1")

    for phone, level in zip(phones, (2, 2, 3), strict=True):
        started = time.monotonic()
        phone.click(f"label[for=level-1-{level}]")
        expect(phone.locator("#state-1")).to_have_text(f"Vote saved: level {level}.")
        if phone is phones[0]:
            expect(cell(projector, "00Q", "1")).to_have_text("2", timeout=1000)
            assert time.monotonic() - started < 1.5
    expect(cell(projector, "00R", "1")).to_have_text("2/3", timeout=1000)
    phones[2].click("label[for=level-1-2]")  # Cy changes their mind
    expect(phones[2].locator("#state-1")).to_have_text("Vote saved: level 2.")
    expect(cell(projector, "00R", "1")).to_have_text("2", timeout=1000)
    expect(projector.locator("#turnout")).to_have_text("2 of 2 CCGs have voted")

    event["api"].post(f"{event['base']}/events/{event['id']}/contracts/1/close", timeout=5)
    expect(phones[0].locator("#state-1")).to_contain_text("Voting on this contract has closed.")
    assert all(url.startswith(live_server.url) for url in seen), [
        u for u in seen if not u.startswith(live_server.url)
    ]


def test_a_vote_made_offline_is_sent_once_when_back_online(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    seen: list[str] = []
    event["api"].post(f"{event['base']}/events/{event['id']}/contracts/1/open", timeout=5)
    phone = open_phone(browser, event["links"][0], seen)
    expect(phone.locator("#contract-1")).to_be_visible()
    phone.context.set_offline(True)
    phone.click("label[for=level-1-4]")
    expect(phone.locator("#state-1")).to_contain_text("Not sent yet")
    state = event["api"].get(f"{event['base']}/events/{event['id']}", timeout=5).json()
    assert state["contracts"][0]["votes"]["4"] == 0, "nothing reached the server while offline"

    phone.context.set_offline(False)
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 4.", timeout=10_000)
    state = event["api"].get(f"{event['base']}/events/{event['id']}", timeout=5).json()
    assert state["contracts"][0]["votes"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}
    phone.reload()  # nothing left in the phone's outbox to send again
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 4.")
    state = event["api"].get(f"{event['base']}/events/{event['id']}", timeout=5).json()
    assert state["contracts"][0]["votes"]["4"] == 1
