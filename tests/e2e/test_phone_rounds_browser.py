"""Real Chromium against the real server: after a reset, a Stage 3 re-run or a close and reopen, the
phone shows exactly what the server holds for the delegate - live, without a reload - and tapping a
level (even the one chosen before) casts it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import PHONE, Traffic, new_page, open_phone, vote
from tests.e2e.conftest import LiveServer

NOT_VOTED = "Voting is open. Not voted yet."
RESTARTED = (
    "Voting on contract 1 was restarted after you sent this vote, so it was not counted. Please vote again."
)


class Facilitator:
    """The facilitator's API calls on the sample event, each expected to succeed."""

    def __init__(self, event: dict[str, Any]) -> None:
        self.api, self.url = event["api"], f"{event['base']}/events/{event['id']}"

    def post(self, path: str, **body: Any) -> None:
        answer = self.api.post(f"{self.url}/{path}", json=body or None, timeout=5)
        assert answer.status_code == 200, answer.text

    def state(self) -> dict[str, Any]:
        return dict(self.api.get(self.url, timeout=5).json())

    def cell(self, org: str, contract: str) -> str:
        """The CCG's position on the contract in the server's matrix."""
        matrix = self.state()["matrix"]
        row = next(r for r in matrix["rows"] if r["code"] == org)
        return str(row["cells"][matrix["columns"].index(contract)])

    def counts(self, contract: str = "1") -> dict[str, int]:
        """Delegates' votes per level on the contract, as the server counts them."""
        found = next(c for c in self.state()["contracts"] if c["code"] == contract)
        return {level: n for level, n in found["votes"].items() if n}


def checked(phone: Page, contract: str = "1") -> list[str]:
    return phone.eval_on_selector_all(
        f"#contract-{contract} input[name=level]", "inputs => inputs.filter(i => i.checked).map(i => i.value)"
    )


def shows_no_vote(phone: Page) -> None:
    """Visible, open, nothing selected, and the state line says so."""
    expect(phone.locator("#contract-1")).to_be_visible()
    expect(phone.locator("#contract-1 fieldset")).to_be_enabled()
    expect(phone.locator("#state-1")).to_have_text(NOT_VOTED)
    expect(phone.locator("#contract-1 input[name=level]:checked")).to_have_count(0)


def same_page(phone: Page) -> None:
    assert phone.evaluate("window.__samePage === true"), "the phone page reloaded"


def phone_votes_2(browser: Browser, traffic: Traffic, event: dict[str, Any]) -> tuple[Page, Facilitator]:
    facilitator = Facilitator(event)
    facilitator.post("contracts/1/open")
    phone = open_phone(browser, traffic, event["links"][0])  # Ann of Alpha CCG (00Q)
    expect(phone.locator("#contract-1 fieldset")).to_be_enabled()
    expect(phone.locator("#state-1")).to_have_text(NOT_VOTED)
    phone.evaluate("window.__samePage = true")  # gone if the page reloads
    vote(phone, "1", 2, traffic)
    assert facilitator.cell("00Q", "1") == "2"
    return phone, facilitator


def test_after_a_reset_the_phone_shows_no_vote_and_the_same_level_counts_again(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    traffic = Traffic(live_server.url)
    phone, facilitator = phone_votes_2(browser, traffic, event)
    facilitator.post("contracts/1/close")
    expect(phone.locator("#state-1")).to_have_text("Voting on this contract has closed. Your vote: 2.")
    facilitator.post("contracts/1/reset")
    expect(phone.locator("#contract-1")).to_be_hidden()  # ready again: nothing to vote on yet
    assert facilitator.cell("00Q", "1") == ""
    facilitator.post("contracts/1/open")
    shows_no_vote(phone)
    same_page(phone)

    vote(phone, "1", 2, traffic)  # the level chosen before the reset: a tap casts it
    assert checked(phone) == ["2"]
    assert facilitator.cell("00Q", "1") == "2"
    assert facilitator.counts() == {"2": 1}
    phone.reload()  # and the page as the server draws it says the same
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 2.")
    assert checked(phone) == ["2"]
    traffic.assert_local()


def test_a_vote_tapped_offline_before_a_reset_is_refused_not_saved(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    """The outbox does not slip a vote from before the reset into the new round."""
    traffic = Traffic(live_server.url)
    phone, facilitator = phone_votes_2(browser, traffic, event)
    phone.context.set_offline(True)
    phone.click("label[for=level-1-4]")
    expect(phone.locator("#state-1")).to_contain_text("Not sent yet")
    facilitator.post("contracts/1/close")
    facilitator.post("contracts/1/reset")
    facilitator.post("contracts/1/open")
    phone.context.set_offline(False)
    expect(phone.locator("#state-1")).to_have_text(RESTARTED, timeout=15_000)
    expect(phone.locator("#contract-1 input[name=level]:checked")).to_have_count(0)
    assert facilitator.cell("00Q", "1") == ""
    assert facilitator.counts() == {}
    assert phone.evaluate("localStorage.length === 0 || !/level/.test(JSON.stringify(localStorage))")
    vote(phone, "1", 4, traffic)
    assert facilitator.counts() == {"4": 1}
    traffic.assert_local()


def test_a_stage_3_rerun_shows_no_vote_and_counts_the_new_one(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    traffic = Traffic(live_server.url)
    phone, facilitator = phone_votes_2(browser, traffic, event)
    facilitator.post("contracts/1/close")
    facilitator.post("stage", stage=3)
    expect(phone.locator("#phone")).to_have_attribute("data-stage", "3")  # a new stage redraws the page
    phone.evaluate("window.__samePage = true")
    for rerun in (1, 2):
        facilitator.post("contracts/1/rerun")
        shows_no_vote(phone)
        same_page(phone)
        vote(phone, "1", 2, traffic)
        assert facilitator.counts() == {"2": 1}, f"re-run {rerun}"
        facilitator.post("contracts/1/close")
    working = event["api"].get(f"{facilitator.url}/stage3", timeout=5).json()["stage3"]["matrix"]
    alpha = next(row for row in working["rows"] if row["code"] == "00Q")
    assert alpha["cells"][working["columns"].index("1")] == "2"  # Stage 3 counts the re-run's vote
    traffic.assert_local()


def test_closing_and_reopening_shows_the_kept_vote_and_a_tap_on_it_is_sent(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    traffic = Traffic(live_server.url)
    phone, facilitator = phone_votes_2(browser, traffic, event)
    facilitator.post("contracts/1/close")
    expect(phone.locator("#state-1")).to_have_text("Voting on this contract has closed. Your vote: 2.")
    facilitator.post("contracts/1/open")
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 2.")  # reopening keeps the vote
    assert checked(phone) == ["2"]
    assert facilitator.cell("00Q", "1") == "2"

    sent = len([url for url in traffic.urls if url.endswith("/api/v1/vote")])
    with phone.expect_response(lambda r: r.url.endswith("/api/v1/vote")) as answer:
        phone.click("label[for=level-1-2]")  # the level already checked: still a vote
    assert answer.value.status == 200
    assert answer.value.json()["duplicate"] is False
    assert len([url for url in traffic.urls if url.endswith("/api/v1/vote")]) == sent + 1
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 2.")
    assert facilitator.counts() == {"2": 1}
    same_page(phone)
    traffic.assert_local()


# Keeps the phone's Socket.IO client reachable from the test (window.__socket), so a snapshot the
# server really sent can be handed to the page's own "ballot" handler again, later.
KEEP_SOCKET = """
(() => {
  let wrapped;
  Object.defineProperty(window, "io", {
    configurable: true,
    get() { return wrapped; },
    set(io) {
      wrapped = function (...args) { window.__socket = io(...args); return window.__socket; };
      Object.assign(wrapped, io);
    },
  });
})();
"""


def test_a_snapshot_read_before_the_vote_does_not_undo_it_when_it_arrives_after_the_answer(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    """The phone's snapshot is read in its own transaction; one read before the vote was committed
    can reach the phone after the vote's answer (the connect snapshot racing a tap made while the
    page loaded). Its as_of is below the answer's seq, so the phone keeps saying the vote is saved."""
    traffic = Traffic(live_server.url)
    facilitator = Facilitator(event)
    facilitator.post("contracts/1/open")
    phone = new_page(browser, traffic, PHONE, is_mobile=True, has_touch=True)
    phone.add_init_script(KEEP_SOCKET)
    phone.goto(event["links"][0])
    expect(phone.locator("#state-1")).to_have_text(NOT_VOTED)
    stale = phone.evaluate(
        """() => new Promise((resolve) => {
             window.__socket.once("ballot", resolve);  // the snapshot read now, before the vote
             window.__socket.emit("resync");
           })"""
    )
    assert stale["votes"] == {} and isinstance(stale["as_of"], int)

    vote(phone, "1", 3, traffic)
    phone.evaluate("window.__samePage = true")  # gone if the page reloads (and draws the server's truth)
    # Delivered again now, after the vote's answer, as a connect snapshot is (live.js takes the
    # first message of a connection whatever its seq): push order says nothing of commit order.
    stale["seq"] = 2**53 - 1
    phone.evaluate("(b) => window.__socket.listeners('ballot').forEach((handle) => handle(b))", stale)
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 3.")
    assert checked(phone) == ["3"]
    same_page(phone)
    assert facilitator.counts() == {"3": 1}

    phone.reload()  # and the page as the server draws it says the same
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 3.")
    assert checked(phone) == ["3"]
    traffic.assert_local()
