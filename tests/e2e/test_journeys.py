"""Real Chromium against the real server (`voting serve`, gevent, in a subprocess): the journeys of
the facilitator, three delegates' phones and the projector, each asserting what the person sees and
that no request left 127.0.0.1."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, Route, expect

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV
from tests.e2e.browser import (
    CONSOLE,
    PASSWORD,
    Traffic,
    cell,
    matrix_on_screen,
    new_page,
    open_phone,
    open_projector,
    screenshot,
    sign_in,
    vote,
)
from tests.e2e.conftest import LiveServer

BAD_CONTRACTS = (
    b"contract,contract_name,organisation,annual_value_gbp,activity\n1,Acute,00Q,12x,1\n1,Acute,ZZ,5,1\n"
)


def csv_file(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "text/csv", "buffer": data}


def tab_to(page: Page, selector: str, limit: int = 250) -> None:
    """Move focus with the Tab key only, as a keyboard user would, until it reaches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def open_console(browser: Browser, traffic: Traffic, live_server: LiveServer, event_id: int) -> Page:
    console = new_page(browser, traffic, CONSOLE)
    sign_in(console, live_server.url)
    console.goto(f"{live_server.url}/events/{event_id}")
    expect(console.locator("#connection")).to_be_empty()  # the live connection is up
    return console


def open_contract_1_by_keyboard(console: Page) -> None:
    """The facilitator ticks contract 1 and opens it without touching the mouse."""
    console.locator("h1").click()  # start from the top of the page, as after loading it
    tab_to(console, "#pick-1")
    console.keyboard.press("Space")
    expect(console.locator("#pick-1")).to_be_checked()
    tab_to(console, 'button[name="action"][value="open"]')
    console.keyboard.press("Enter")
    expect(console.locator(".nhsuk-notification-banner--success")).to_contain_text("Voting opened on 1.")
    expect(console.locator('tr[data-contract="1"] [data-field="status"]')).to_have_text("open")


def wait_for_vote(phone: Page, contract: str = "1", stage: str = "2") -> None:
    """Opening the first vote moves the event to Stage 2, which redraws the phone page by itself."""
    expect(phone.locator("#phone")).to_have_attribute("data-stage", stage)
    expect(phone.locator(f"#contract-{contract}")).to_be_visible()
    expect(phone.locator(f"#contract-{contract} fieldset")).to_be_enabled()
    expect(phone.locator(f"#contract-{contract} button.save")).to_be_hidden()  # the page's script is running


def test_facilitator_loads_the_files_adds_delegates_and_prints_the_qr_sheet(
    browser: Browser, live_server: LiveServer
) -> None:
    live_server.cli("set-password", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    traffic = Traffic(live_server.url)
    page = new_page(browser, traffic, CONSOLE)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login?next=/")
    page.fill("#password", "not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()  # the NHS error summary takes focus so it is read out first
    expect(summary).to_contain_text("That password is not right.")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("h1")).to_have_text("Events")
    page.get_by_label("Event name").fill("Tees Valley engagement event")
    page.get_by_role("button", name="Create event").click()
    expect(page.locator("h1")).to_have_text("Tees Valley engagement event")
    expect(page.locator(".nhsuk-header__service-name")).to_have_text("Collaborative commissioning vote")
    expect(page.locator(".nhsuk-header svg, .nhsuk-header img")).to_have_count(0)  # no NHS logo

    page.set_input_files("#file-organisations", csv_file("organisations.csv", ORGANISATIONS_CSV))
    page.get_by_role("button", name="Upload organisations").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Imported 3 organisations rows from organisations.csv."
    )

    # A bad contracts file first: nothing is imported and every problem is listed by line and column.
    page.set_input_files("#file-contracts", csv_file("contracts.csv", BAD_CONTRACTS))
    page.get_by_role("button", name="Upload contracts").click()
    problems = page.locator("#import-problems")
    expect(problems).to_be_focused()
    expect(problems.locator("h2")).to_have_text("There is a problem with contracts.csv")
    expect(problems).to_contain_text("Nothing was imported. Fix these 2 problems and upload the file again.")
    expect(problems.locator("li").nth(0)).to_contain_text("Line 2, column annual_value_gbp:")
    expect(problems.locator("li").nth(1)).to_contain_text("Line 3, column organisation:")
    expect(page.locator("#file-contracts-error")).to_contain_text("The file contracts.csv has 2 problems")
    expect(page.get_by_text("3 organisations and 0 contracts loaded.")).to_be_visible()
    screenshot(page, "console-import-problems")
    problems.get_by_role("link").first.click()  # the summary's links lead to the file field
    expect(page.locator("#file-contracts")).to_be_focused()

    page.set_input_files("#file-contracts", csv_file("contracts.csv", CONTRACTS_CSV))
    page.get_by_role("button", name="Upload contracts").click()
    expect(page.get_by_text("3 organisations and 3 contracts loaded.")).to_be_visible()
    expect(page.locator("#import-problems")).to_have_count(0)

    for org, name in (("00Q", "Ann Able"), ("00R", "Bo Baker")):
        page.select_option("#delegate-org", org)
        page.fill("#delegate-name", name)
        page.get_by_role("button", name="Add delegate and show link").click()
        expect(page.locator("h1")).to_have_text(f"Link for {name}")
        expect(page.locator(".url")).to_contain_text(f"{live_server.url}/j/")
        expect(page.get_by_role("img", name=f"QR code for {name}'s voting link")).to_be_visible()
        page.get_by_role("button", name="Back to the console").click()

    page.get_by_role("button", name="Print QR sheet of personal links").click()
    expect(page.locator("h1")).to_have_text("QR sheet for Tees Valley engagement event")
    cards = page.locator(".sheet .card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Ann Able")
    expect(cards.nth(1)).to_contain_text("Bo Baker")
    expect(cards.nth(0).locator(".url")).to_contain_text(f"{live_server.url}/j/")
    page.evaluate("window.print = () => { window.__printed = true; }")  # no print dialog in a test
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed === true")
    screenshot(page, "qr-sheet")
    traffic.assert_local()


def test_three_phones_vote_and_the_projector_follows_within_a_second(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    traffic = Traffic(live_server.url)
    projector = open_projector(browser, traffic, live_server.url, event["id"])
    console = open_console(browser, traffic, live_server, event["id"])
    ann = open_phone(browser, traffic, event["links"][0])
    bo = open_phone(browser, traffic, event["links"][1])
    expect(ann.locator("#none-open")).to_be_visible()
    expect(cell(projector, "00Q", "1")).to_have_text("-")
    expect(cell(projector, "00S", "1")).to_have_text("NA")

    # The third delegate has no personal link: the event code from the projector, then admission.
    code = projector.locator(".join-box .code").inner_text()
    dee = open_phone(browser, traffic, f"{live_server.url}/join")
    dee.get_by_label("Join an event").fill(code)
    dee.get_by_role("button", name="Continue").click()
    dee.get_by_label("Your CCG").select_option(label="Beta CCG")
    dee.get_by_label("Your name").fill("Dee")
    dee.get_by_role("button", name="Ask to join").click()
    expect(dee.locator("h2")).to_have_text("Waiting to be let in")
    admit = console.get_by_role("button", name="Admit Dee")
    expect(admit).to_be_visible()  # the console lists the request by itself
    admit.click()
    expect(console.locator(".nhsuk-notification-banner--success")).to_contain_text("Dee admitted.")
    expect(dee.locator("#phone")).to_have_attribute("data-status", "active")  # the phone moved on by itself
    expect(dee.locator("h1")).to_have_text("Beta CCG")

    open_contract_1_by_keyboard(console)
    for phone in (ann, bo, dee):
        wait_for_vote(phone)
    expect(ann.locator("#contract-1")).to_contain_text("£25,000,000")
    expect(projector.locator("#current-title")).to_contain_text("contract 1")

    # What a screen reader announces: the question, the CCG's figures and each level.
    group = ann.get_by_role("group", name="Which configuration does your CCG prefer for contract 1?")
    expect(group).to_have_attribute("aria-describedby", "figures-1 state-1")
    expect(ann.locator("#figures-1")).to_contain_text("Your CCG's annual value £25,000,000")
    for level, label in ((1, "Individual CCG"), (2, "Small clusters of CCGs"), (5, "National")):
        expect(group.get_by_role("radio", name=f"{level} {label}")).to_be_visible()
    expect(ann.locator("#state-1")).to_have_attribute("role", "status")

    for phone, level, org, shown in ((ann, 2, "00Q", "2"), (bo, 2, "00R", "2"), (dee, 3, "00R", "2/3")):
        tapped = time.monotonic()
        if phone is bo:  # Bo uses the keyboard only: Tab into the levels, then an arrow key
            tab_to(bo, "#level-1-1")
            bo.keyboard.press("ArrowDown")
            expect(bo.locator("#level-1-2")).to_be_focused()
            expect(bo.locator("#state-1")).to_have_text("Vote saved: level 2.")
        else:
            vote(phone, "1", level, traffic)
        saved = time.monotonic()
        expect(cell(projector, org, "1")).to_have_text(shown, timeout=1000)
        assert time.monotonic() - saved < 1.0, "the projector took more than a second"
        assert time.monotonic() - tapped < 2.0
    expect(projector.locator('#bars .bar[data-level="2"] [data-field="count"]')).to_have_text("1")

    vote(dee, "1", 2, traffic)  # Dee changes her mind
    expect(cell(projector, "00R", "1")).to_have_text("2", timeout=1000)
    expect(projector.locator("#turnout")).to_have_text("2 of 2 CCGs have voted")
    expect(projector.locator('#bars .bar[data-level="2"] [data-field="count"]')).to_have_text("2")
    expect(console.locator('tr[data-contract="1"] [data-field="count-2"]')).to_have_text("2")
    expect(console.locator('tr[data-contract="1"] [data-field="turnout"]')).to_have_text("2 of 2")

    screenshot(ann, "phone")
    screenshot(projector, "projector")
    console.locator("#voting").scroll_into_view_if_needed()
    screenshot(console, "console")

    console.get_by_role("button", name="Close all").click()
    for phone in (ann, bo, dee):
        expect(phone.locator("#state-1")).to_contain_text("Voting on this contract has closed.")
    expect(projector.locator("#current-title")).to_have_text("Voting is not open")
    screenshot(ann, "phone-closed")
    traffic.assert_local()


def test_a_vote_made_offline_is_sent_once_and_saved_only_when_the_server_has_it(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    traffic = Traffic(live_server.url)
    state_url = f"{event['base']}/events/{event['id']}"
    event["api"].post(f"{state_url}/contracts/1/open", timeout=5)
    phone = open_phone(browser, traffic, event["links"][0])
    wait_for_vote(phone)
    phone.context.set_offline(True)
    phone.click("label[for=level-1-4]")
    expect(phone.locator("#state-1")).to_contain_text("Not sent yet")
    assert event["api"].get(state_url, timeout=5).json()["contracts"][0]["votes"]["4"] == 0

    phone.context.set_offline(False)
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 4.", timeout=10_000)
    assert event["api"].get(state_url, timeout=5).json()["contracts"][0]["votes"] == {
        "1": 0,
        "2": 0,
        "3": 0,
        "4": 1,
        "5": 0,
    }
    phone.reload()  # nothing left in the phone's outbox to send again
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 4.")
    expect(phone.locator("#level-1-4")).to_be_checked()
    assert event["api"].get(state_url, timeout=5).json()["contracts"][0]["votes"]["4"] == 1
    traffic.assert_local()


def test_a_tap_made_while_the_page_is_still_loading_is_not_lost(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    """On slow venue wifi the levels can be on screen before the page's script has arrived."""
    traffic = Traffic(live_server.url)
    event["api"].post(f"{event['base']}/events/{event['id']}/contracts/1/open", timeout=5)
    phone = new_page(browser, traffic, {"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    held: list[Route] = []
    phone.route("**/static/js/phone.js", lambda route: held.append(route))  # the last script is slow
    phone.goto(event["links"][0], wait_until="commit")
    expect(phone.locator("#contract-1")).to_be_visible()
    phone.click("label[for=level-1-3]")
    expect(phone.locator("#level-1-3")).to_be_checked()
    expect(phone.locator("#state-1")).to_have_text("Voting is open. Not voted yet.")  # not sent: not saved
    assert len(held) == 1
    held[0].continue_()
    expect(phone.locator("#state-1")).to_have_text("Vote saved: level 3.")
    votes = (
        event["api"].get(f"{event['base']}/events/{event['id']}", timeout=5).json()["contracts"][0]["votes"]
    )
    assert votes["3"] == 1
    traffic.assert_local()


def test_phones_and_projector_recover_by_themselves_when_the_server_restarts(
    browser: Browser, live_server: LiveServer, event: dict[str, Any]
) -> None:
    traffic = Traffic(live_server.url)
    event["api"].post(f"{event['base']}/events/{event['id']}/contracts/1/open", timeout=5)
    projector = open_projector(browser, traffic, live_server.url, event["id"])
    ann = open_phone(browser, traffic, event["links"][0])
    bo = open_phone(browser, traffic, event["links"][1])
    for phone, level in ((ann, 2), (bo, 3)):
        wait_for_vote(phone)
        vote(phone, "1", level, traffic)
    expect(cell(projector, "00R", "1")).to_have_text("3")
    before = matrix_on_screen(projector)

    live_server.kill()
    expect(projector.locator("#connection")).to_contain_text("Reconnecting", timeout=15_000)
    expect(ann.locator("#connection")).to_contain_text("Reconnecting", timeout=15_000)
    screenshot(ann, "phone-reconnecting")
    bo.click("label[for=level-1-1]")  # a vote while the server is down waits on the phone
    expect(bo.locator("#state-1")).to_contain_text("Not sent yet")

    live_server.start()
    for page in (projector, ann, bo):
        expect(page.locator("#connection")).to_be_empty(timeout=20_000)
    expect(bo.locator("#state-1")).to_have_text("Vote saved: level 1.", timeout=10_000)
    expect(ann.locator("#state-1")).to_have_text("Vote saved: level 2.")
    expect(ann.locator("#level-1-2")).to_be_checked()
    expect(cell(projector, "00R", "1")).to_have_text("1")
    after = matrix_on_screen(projector)
    before[2][1] = "1"  # Beta CCG's cell: the vote sent once the server was back
    assert after == before

    vote(ann, "1", 5, traffic)  # live again: a new vote reaches the projector within a second
    expect(cell(projector, "00Q", "1")).to_have_text("5", timeout=1000)
    traffic.assert_local()


def test_the_downloaded_csv_and_xlsx_match_the_matrix_on_screen(
    browser: Browser, live_server: LiveServer, event: dict[str, Any], tmp_path: Path
) -> None:
    traffic = Traffic(live_server.url)
    base = f"{event['base']}/events/{event['id']}"
    for contract in ("1", "3"):
        event["api"].post(f"{base}/contracts/{contract}/open", timeout=5)
    projector = open_projector(browser, traffic, live_server.url, event["id"])
    ann = open_phone(browser, traffic, event["links"][0])
    bo = open_phone(browser, traffic, event["links"][1])
    cy = open_phone(browser, traffic, event["links"][2])
    for phone, votes in ((ann, {"1": 2, "3": 4}), (bo, {"1": 3}), (cy, {"1": 2, "3": 5})):
        for contract, level in votes.items():
            wait_for_vote(phone, contract)
            vote(phone, contract, level, traffic)
    expect(cell(projector, "00R", "1")).to_have_text("2/3")
    expect(cell(projector, "00R", "3")).to_have_text("5")
    on_screen = matrix_on_screen(projector)
    assert on_screen[0] == ["CCG", "1", "2", "3"]
    assert on_screen[1:] == [
        ["Alpha CCG", "2", "NA", "4"],
        ["Beta CCG", "2/3", "-", "5"],
        ["Gamma CCG", "NA", "-", "-"],
    ]

    console = open_console(browser, traffic, live_server, event["id"])
    with console.expect_download() as csv_download:
        console.get_by_role("link", name="Matrix as CSV").click()
    assert csv_download.value.suggested_filename == "matrix.csv"
    rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [[text or "-" for text in row] for row in rows[: len(on_screen)]] == on_screen

    with console.expect_download() as xlsx_download:
        console.get_by_role("link", name="Matrix as Excel (XLSX)").click()
    assert xlsx_download.value.suggested_filename == "matrix.xlsx"
    xlsx_download.value.save_as(tmp_path / "matrix.xlsx")  # openpyxl goes by the file's extension
    sheet = load_workbook(tmp_path / "matrix.xlsx").active
    cells = [
        ["-" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert [row[: len(on_screen[0])] for row in cells[: len(on_screen)]] == on_screen
    traffic.assert_local()
