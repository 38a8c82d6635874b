"""Real Chromium against the real server: a poll opened while the phone page is open appears on it
by itself, and the answer tapped there is saved."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from tests.e2e.browser import Traffic, open_phone
from tests.e2e.conftest import LiveServer


def test_a_poll_opened_during_the_event_is_answered_without_a_reload(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    traffic = Traffic(live_server.url)
    phone = open_phone(browser, traffic, event["links"][0])
    expect(phone.locator("#none-open")).to_be_visible()
    phone.evaluate("window.__sameDocument = true")  # gone if the page reloads

    api, base = event["api"], f"{event['base']}/events/{event['id']}"
    created = api.post(
        f"{base}/polls",
        json={"kind": "yes_no_unsure", "question": "Do we have an appetite for collaboration?"},
        timeout=5,
    )
    assert created.status_code == 201, created.text
    poll_id = created.json()["id"]
    assert api.post(f"{base}/polls/{poll_id}/open", timeout=5).status_code == 200

    poll = phone.locator(f"#poll-{poll_id}")
    expect(poll).to_be_visible()
    expect(poll.locator("h2")).to_have_text("Do we have an appetite for collaboration?")
    expect(phone.locator("#none-open")).to_be_hidden()
    phone.click(f"label[for=poll-{poll_id}-1]")  # Yes
    expect(phone.locator(f"#poll-state-{poll_id}")).to_have_text("Answer saved. Your answer: Yes.")
    assert phone.evaluate("window.__sameDocument === true"), "the page reloaded"

    phone.click(f"label[for=poll-{poll_id}-3]")  # a named answer can be changed: Unsure
    expect(phone.locator(f"#poll-state-{poll_id}")).to_have_text("Answer saved. Your answer: Unsure.")
    results = api.get(f"{base}/polls/{poll_id}", timeout=5).json()["results"]
    assert results["overall"] == {"Yes": 0, "No": 0, "Unsure": 1}

    assert api.post(f"{base}/polls/{poll_id}/close", timeout=5).status_code == 200
    expect(phone.locator(f"#poll-state-{poll_id}")).to_have_text("This poll has closed. Your answer: Unsure.")
    expect(phone.locator("#none-open")).to_be_visible()
    assert phone.evaluate("window.__sameDocument === true"), "the page reloaded"
    traffic.assert_local()
