"""Helpers for the Chromium tests: launching Debian's Chromium, signing in, opening phones and the
projector, recording every request a page makes, running axe-core, saving screenshots."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, expect

ROOT = Path(__file__).resolve().parents[2]
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
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
CONSOLE = {"width": 1280, "height": 900}
SCREENSHOTS = ROOT / "docs" / "screenshots"

# axe-core is vendored for the tests only (tests/vendor, by scripts/vendor-assets) and never served by
# the app. The pages' CSP allows scripts from 'self' only, so the tests answer a same-origin address
# with the file themselves (page.route) and inject it with page.add_script_tag(url=...).
AXE = ROOT / "tests" / "vendor" / "axe.min.js"
AXE_PATH = "/__tests__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium: Playwright is not allowed to download a browser of its own."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


class Traffic:
    """Every URL any watched page asked for (none may leave the server under test), and every
    script error or Content-Security-Policy refusal on those pages (there must be none)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.urls: list[str] = []
        self.problems: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: script error: {error}"))
        page.on("console", lambda message: self._console(page, message.type, message.text))
        return page

    def _console(self, page: Page, kind: str, text: str) -> None:
        if kind == "error" and "Content Security Policy" in text:
            self.problems.append(f"{page.url}: {text}")

    def elsewhere(self) -> list[str]:
        """Requests that went anywhere but the server (data: URLs never leave the browser)."""
        return [
            url
            for url in self.urls
            if not (url.startswith(f"{self.base_url}/") or url == self.base_url or url.startswith("data:"))
        ]

    def assert_local(self) -> None:
        """No request left 127.0.0.1 (the server under test), and no page had a script error."""
        assert not self.problems, "\n".join(self.problems)
        assert self.urls, "no requests were recorded"
        assert all(url.startswith("http://127.0.0.1:") or url.startswith("data:") for url in self.urls)
        assert not self.elsewhere(), f"requests left the server under test: {self.elsewhere()}"


def new_page(browser: Browser, traffic: Traffic, viewport: dict[str, int], **options: Any) -> Page:
    """A page in a fresh context (its own cookies and storage), watched for requests."""
    context: BrowserContext = browser.new_context(viewport=viewport, **options)  # type: ignore[arg-type]
    return traffic.watch(context.new_page())


def sign_in(page: Page, base_url: str, password: str = PASSWORD) -> None:
    """The facilitator signs in on /login."""
    page.goto(f"{base_url}/login")
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def open_projector(browser: Browser, traffic: Traffic, base_url: str, event_id: int) -> Page:
    """The projector laptop: a signed-in full-HD window on the event's projector page."""
    projector = new_page(browser, traffic, PROJECTOR)
    sign_in(projector, base_url)
    projector.goto(f"{base_url}/events/{event_id}/projector")
    return projector


def open_phone(browser: Browser, traffic: Traffic, link: str) -> Page:
    """A delegate's phone (390x844) following a personal link."""
    phone = new_page(browser, traffic, PHONE, is_mobile=True, has_touch=True)
    phone.goto(link)
    return phone


def vote(phone: Page, contract: str, level: int, traffic: Traffic) -> None:
    """Tap a level and see "Vote saved" (only shown once the server has the vote)."""
    phone.click(f"label[for=level-{contract}-{level}]")
    try:
        expect(phone.locator(f"#state-{contract}")).to_have_text(f"Vote saved: level {level}.")
    except AssertionError as error:
        checked = phone.evaluate(
            "(c) => [...document.querySelectorAll(`#contract-${c} input[name=level]`)].map(x => x.checked)",
            contract,
        )
        raise AssertionError(
            f"{error}\nphone at {phone.url}, levels checked: {checked}, "
            f"connection: {phone.locator('#connection').inner_text()!r}, "
            f"outbox: {phone.evaluate('JSON.stringify(localStorage)')}, problems: {traffic.problems}"
        ) from error


def cell(page: Page, org: str, contract: str) -> Any:
    """One matrix cell (projector, or a phone's Stage 3 table)."""
    return page.locator(f'td[data-org="{org}"][data-col="{contract}"]')


def matrix_on_screen(page: Page) -> list[list[str]]:
    """The projector's matrix as the room sees it: header row, then one row per CCG."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#matrix tr')).map(
            tr => Array.from(tr.children).map(td => td.textContent.trim()))"""
    )


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now (WCAG 2.0/2.1 A and AA too)."""
    page.wait_for_load_state("load")  # a page still loading has no <head> to add axe to
    origin = page.evaluate("location.origin")
    if not page.evaluate("typeof window.axe === 'object'"):
        handler: Callable[[Route], None] = lambda route: route.fulfill(  # noqa: E731
            path=str(AXE), content_type="text/javascript"
        )
        page.route(f"{origin}{AXE_PATH}", handler)
        page.add_script_tag(url=f"{origin}{AXE_PATH}")
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary}))
            }));
        }""",
        WCAG_TAGS,
    )


def describe(violations: list[dict[str, Any]]) -> str:
    """axe's findings as a reader would want them: rule, why, where, what to fix."""
    lines = []
    for violation in violations:
        lines.append(
            f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:10]:
            lines.append(f"      at {node['target']}")
            lines.append(f"         {node['html'][:200]}")
            for line in (node["summary"] or "").splitlines():
                lines.append(f"         {line}")
        if len(violation["nodes"]) > 10:
            lines.append(f"      ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


class AxeReport:
    """Runs axe on each named page and state; fails once at the end, listing every violation."""

    def __init__(self) -> None:
        self.checked: list[str] = []
        self.failures: dict[str, list[dict[str, Any]]] = {}

    def check(self, page: Page, name: str) -> None:
        violations = run_axe(page)
        self.checked.append(name)
        if violations:
            self.failures[name] = violations

    def assert_clean(self) -> None:
        report = "\n".join(f"{name}:\n{describe(found)}" for name, found in self.failures.items())
        assert not self.failures, (
            f"axe found WCAG 2.2 AA violations on {len(self.failures)} page(s):\n{report}"
        )

    def summary(self) -> str:
        return json.dumps(
            {"checked": self.checked, "violations": {k: len(v) for k, v in self.failures.items()}}
        )


def screenshot(page: Page, name: str, full_page: bool = False) -> None:
    """Save docs/screenshots/<name>.png (overwritten on every run; the README shows them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page, animations="disabled")
