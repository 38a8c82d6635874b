"""WCAG 2.2 AA in real Chromium: axe-core (tags wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa) on every
page and state a facilitator, a delegate or the room sees, from Stage 1 to the steering pack. Zero
violations is the bar; a failure lists every violation by page, rule and element. The phone is also
used at 320px with the text at 200%: nothing may need sideways scrolling."""

from __future__ import annotations

import re
import uuid
from typing import Any

import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import (
    CONSOLE,
    PASSWORD,
    PHONE,
    AxeReport,
    Traffic,
    new_page,
    open_phone,
    open_projector,
    run_axe,
    screenshot,
    sign_in,
)
from tests.e2e.conftest import LiveServer
from voting.activity_demo import activity_csv
from voting.demo_data import annex2_votes, contracts_csv, organisations_csv

BAD_CONTRACTS = b"contract,contract_name,organisation,annual_value_gbp,activity\n1,Acute,A,lots,1\n"


class Api:
    """The facilitator's API token and each delegate's token, for setting the scene quickly."""

    def __init__(self, live_server: LiveServer) -> None:
        token = live_server.cli("api-token").strip().splitlines()[-1]
        self.base = f"{live_server.url}/api/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.phones: dict[str, dict[str, str]] = {}

    def call(self, method: str, path: str, expect_status: int = 200, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.base}{path}", timeout=30, **kwargs)
        assert response.status_code == expect_status, (path, response.status_code, response.text[:300])
        return response.json() if response.content else None

    def as_phone(self, code: str, path: str, body: dict[str, Any]) -> Any:
        response = requests.post(
            f"{self.base}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.phones[code]['token']}"},
            timeout=10,
        )
        assert response.status_code == 200, (path, response.text[:300])
        return response.json()


def phone_stage(phone: Page, stage: int) -> None:
    """A stage change redraws the phone by itself; wait until it has."""
    expect(phone.locator("#phone")).to_have_attribute("data-stage", str(stage), timeout=10_000)


def test_every_page_and_state_meets_wcag_2_2_aa(browser: Browser, live_server: LiveServer) -> None:
    live_server.cli("set-password", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    url = live_server.url
    api = Api(live_server)
    axe = AxeReport()
    traffic = Traffic(url)

    made = api.call("post", "/events", 201, json={"name": "North East engagement event"})
    event, join_code = made["id"], made["join_code"]
    api.call("put", f"/events/{event}/organisations", data=organisations_csv())
    api.call("put", f"/events/{event}/contracts", data=contracts_csv())
    for code in sorted({org for org, _c, _l in annex2_votes()} | {"J", "P"}):
        api.phones[code] = api.call(
            "post", f"/events/{event}/delegates", 201, json={"organisation": code, "name": f"{code} lead"}
        )

    # The facilitator: sign in (and a wrong password), the events list, the console.
    console = new_page(browser, traffic, CONSOLE)
    console.goto(f"{url}/login")
    # First, that axe really runs here: a button with no name must be found.
    console.evaluate("document.querySelector('main').append(document.createElement('button'))")
    assert "button-name" in {v["id"] for v in run_axe(console)}, "axe-core did not run"
    console.reload()
    axe.check(console, "sign in")
    console.fill("#password", "wrong")
    console.get_by_role("button", name="Sign in").click()
    expect(console.locator(".nhsuk-error-summary")).to_be_visible()
    axe.check(console, "sign in with an error")
    sign_in(console, url)
    axe.check(console, "events")
    console.goto(f"{url}/events/{event}")
    axe.check(console, "console, stage 1")
    console.set_input_files(
        "#file-contracts", {"name": "contracts.csv", "mimeType": "text/csv", "buffer": BAD_CONTRACTS}
    )
    console.get_by_role("button", name="Upload contracts").click()
    expect(console.locator("#import-problems")).to_contain_text("Line 2, column annual_value_gbp")
    axe.check(console, "console with import problems")
    console.goto(f"{url}/events/{event}")
    console.select_option("#delegate-org", "A")
    console.fill("#delegate-name", "Zed")
    console.get_by_role("button", name="Add delegate and show link").click()
    expect(console.locator("h1")).to_have_text("Link for Zed")
    axe.check(console, "a new delegate's link")

    # A delegate without a personal link: the event code, the form, a mistake, then waiting.
    newcomer = new_page(browser, traffic, PHONE, is_mobile=True, has_touch=True)
    newcomer.goto(f"{url}/join")
    axe.check(newcomer, "join by event code")
    newcomer.fill("#code", "NOPE00")
    newcomer.get_by_role("button", name="Continue").click()
    expect(newcomer.locator(".nhsuk-error-summary")).to_be_visible()  # the answer page has loaded
    axe.check(newcomer, "join by event code, wrong code")
    newcomer.fill("#code", join_code)
    newcomer.get_by_role("button", name="Continue").click()
    expect(newcomer.get_by_label("Your CCG")).to_be_visible()
    axe.check(newcomer, "join: choose your CCG")
    newcomer.get_by_label("Your CCG").select_option("A")
    newcomer.get_by_role("button", name="Ask to join").click()
    expect(newcomer.locator(".nhsuk-error-summary")).to_contain_text("Type your name")
    axe.check(newcomer, "join with an error")
    newcomer.get_by_label("Your name").fill("Yan")
    newcomer.get_by_role("button", name="Ask to join").click()
    expect(newcomer.locator("h2")).to_have_text("Waiting to be let in")
    axe.check(newcomer, "waiting to be admitted")
    screenshot(newcomer, "phone-waiting")
    # A second walk-in (the same phone asking again), so the console offers to turn away both.
    newcomer.goto(f"{url}/e/{join_code}")
    newcomer.get_by_label("Your CCG").select_option("A")
    newcomer.get_by_label("Your name").fill("Yan again")
    newcomer.get_by_role("button", name="Ask to join").click()
    expect(newcomer.locator("h2")).to_have_text("Waiting to be let in")

    # Stage 1: the projector, and a poll on a phone and on the projector.
    projector = open_projector(browser, traffic, url, event)
    expect(projector.locator("#connection")).to_be_empty()
    axe.check(projector, "projector, stage 1")
    phone = open_phone(browser, traffic, api.phones["A"]["join_url"])
    expect(phone.locator("#none-open")).to_be_visible()
    axe.check(phone, "phone, nothing open")
    poll = api.call(
        "post",
        f"/events/{event}/polls",
        201,
        json={"kind": "yes_no_unsure", "question": "Do we have an appetite for collaboration?"},
    )["id"]
    api.call("post", f"/events/{event}/polls/{poll}/open")
    expect(phone.locator(f"#poll-{poll}")).to_be_visible()
    axe.check(phone, "phone, poll open")
    phone.click(f"label[for=poll-{poll}-1]")
    expect(phone.locator(f"#poll-state-{poll}")).to_have_text("Answer saved. Your answer: Yes.")
    axe.check(phone, "phone, poll answered")
    screenshot(phone, "phone-poll")
    expect(projector.locator("#poll-panel")).to_be_visible()
    axe.check(projector, "projector, poll open")
    api.call("post", f"/events/{event}/polls/{poll}/close")

    # Stage 2: a vote open, saved, sent while offline, closed.
    api.call("post", f"/events/{event}/stage", json={"stage": 2})
    phone_stage(phone, 2)
    api.call("post", f"/events/{event}/contracts/1/open")
    expect(phone.locator("#contract-1 fieldset")).to_be_enabled()
    axe.check(phone, "phone, vote open")
    phone.click("label[for=level-1-2]")
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 2.")
    axe.check(phone, "phone, vote saved")
    expect(projector.locator("#current-title")).to_contain_text("contract 1")
    axe.check(projector, "projector, stage 2, voting")
    console.goto(f"{url}/events/{event}")
    expect(console.get_by_role("button", name="Turn away all 2 waiting")).to_be_visible()
    axe.check(console, "console, stage 2, voting")
    phone.context.set_offline(True)
    phone.click("label[for=level-1-3]")
    expect(phone.locator("#state-1")).to_contain_text("Not sent yet")
    axe.check(phone, "phone, offline")
    phone.context.set_offline(False)
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 3.", timeout=10_000)

    # One-handed at 320px with the text at 200%: no sideways scrolling, the levels still work.
    phone.set_viewport_size({"width": 320, "height": 640})
    phone.evaluate("document.documentElement.style.fontSize = '200%'")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways"
    phone.locator("label[for=level-1-4]").scroll_into_view_if_needed()
    phone.click("label[for=level-1-4]")
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 4.")
    axe.check(phone, "phone, 320px wide, text at 200%")
    screenshot(phone, "phone-320-text-200")
    phone.evaluate("document.documentElement.style.fontSize = ''")
    phone.set_viewport_size(PHONE)

    api.call("post", f"/events/{event}/contracts/1/close")
    expect(phone.locator("#state-1")).to_contain_text("Voting on this contract has closed.")
    axe.check(phone, "phone, vote closed")

    # The Annex 2 votes, then Stage 3: are we sure?
    for contract in range(1, 21):
        api.call("post", f"/events/{event}/contracts/{contract}/open")
    for org, contract, level in annex2_votes():
        api.as_phone(org, "/vote", {"contract": contract, "level": level, "vote_id": uuid.uuid4().hex})
    for contract in range(1, 21):
        api.call("post", f"/events/{event}/contracts/{contract}/close")
    api.call("post", f"/events/{event}/stage", json={"stage": 3})
    doubter = open_phone(browser, traffic, api.phones["J"]["join_url"])
    expect(doubter.locator("#stage3")).to_be_visible()
    expect(doubter.locator(".flag").first).to_be_visible()
    axe.check(doubter, "phone, stage 3 with flags")
    screenshot(doubter, "phone-stage-3")
    doubter.locator("#confirm-7 details.change summary").click()
    axe.check(doubter, "phone, stage 3, changing a position")
    phone_stage(phone, 3)
    axe.check(phone, "phone, stage 3")
    expect(projector.locator("#stage-panel")).to_be_visible()
    axe.check(projector, "projector, stage 3")
    console.goto(f"{url}/events/{event}")
    axe.check(console, "console, stage 3")
    for org in ("J", "P"):
        for contract in ("7", "14"):
            api.as_phone(
                org,
                "/confirmations",
                {"contract": contract, "action": "amend", "level": 1, "reason": "Alone"},
            )

    # Stage 4: who and how? A proposal for the phone to vote on.
    api.call("post", f"/events/{event}/stage", json={"stage": 4})
    cluster = next(
        a for a in api.call("get", f"/events/{event}/arrangements")["arrangements"] if a["contract"] == "1"
    )
    api.call(
        "patch",
        f"/events/{event}/arrangements/{cluster['key']}",
        json={"coordinator": cluster["suggested_coordinator"], "model": cluster["suggested_model"]},
    )
    phone_stage(phone, 4)
    phone.reload()
    expect(phone.locator("section.arrangement").first).to_be_visible()
    axe.check(phone, "phone, stage 4")
    phone.locator("section.arrangement .answers button").first.click()
    expect(phone.locator("section.arrangement .vote-state.saved").first).to_be_visible()
    axe.check(phone, "phone, stage 4, voted")
    screenshot(phone, "phone-stage-4")
    expect(projector.locator("#stage-title")).to_contain_text("Who and how")
    axe.check(projector, "projector, stage 4")
    screenshot(projector, "projector-stage-4")
    console.goto(f"{url}/events/{event}")
    axe.check(console, "console, stage 4")

    # Records: a frozen version, the activity explorer, the steering report; an unknown page.
    console.get_by_role("link", name=re.compile(r"Indicative version 1")).click()
    expect(console.locator("h1")).to_contain_text("ndicative")
    axe.check(console, "frozen indicative version")
    api.call("put", f"/events/{event}/activity", data=activity_csv())
    console.goto(f"{url}/events/{event}/activity")
    ccg = console.locator("#pick-ccg option").first.get_attribute("value")
    provider = console.locator("#pick-provider option").first.get_attribute("value")
    console.goto(f"{url}/events/{event}/activity?ccg={ccg}&provider={provider}")
    expect(console.locator("#provider-view")).to_be_visible()
    axe.check(console, "activity explorer")
    console.goto(f"{url}/events/{event}/steering-pack.html")
    axe.check(console, "steering report")
    console.goto(f"{url}/events/{event}/no-such-page")
    axe.check(console, "page not found")

    # Last, because printing it issues new links: the QR sheet.
    console.goto(f"{url}/events/{event}")
    console.get_by_role("button", name="Print QR sheet of personal links").click()
    expect(console.locator(".sheet .card").first).to_be_visible()
    axe.check(console, "QR sheet")

    assert len(axe.checked) >= 35, axe.summary()
    axe.assert_clean()
    traffic.assert_local()
