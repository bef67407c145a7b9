"""The reports in a real browser: Debian's chromium (installed by `make browser`, which
`make test` runs), driven headless by Playwright from the file system with the network off.
Screenshots go to build/screenshots/ for people to look at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

SCREENSHOTS = REPO / "build" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if path:
        return path
    if os.environ.get("HRD_SKIP_BROWSER") == "1":
        pytest.skip("HRD_SKIP_BROWSER=1: browser test skipped on request")
    pytest.fail("chromium is not installed: run `make browser` (Debian package chromium)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


def _open(browser, path: Path, shot: str, *, full_page: bool = True):
    """Load a report offline; return the page and what went wrong while loading it."""
    context = browser.new_context(viewport={"width": 1100, "height": 1400}, offline=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url[:80]}"))

    def request(r) -> None:
        if not r.url.startswith(("file:", "data:")):
            problems.append(f"remote request: {r.url[:80]}")

    page.on("request", request)
    page.goto(path.as_uri(), wait_until="load")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=full_page)
    return context, page, problems


def _images_loaded(page) -> tuple[int, int]:
    """(figures and images, those rendered): an inline SVG chart counts when it has an
    accessible name and a non-empty box, an image when it loaded."""
    return page.evaluate(
        "() => { const i = Array.from(document.images);"
        " const s = Array.from(document.querySelectorAll('figure.chart svg'));"
        " const ok = i.filter(x => x.complete && x.naturalWidth > 0).length"
        "  + s.filter(x => x.getAttribute('aria-label') && x.getBoundingClientRect().width > 100"
        "   && x.getBoundingClientRect().height > 50).length;"
        " return [i.length + s.length, ok]; }"
    )


def test_an_agency_report_renders_in_chromium(built, browser):
    path = sorted((built / "reports/2565").glob("[0-9]*.html"))[0]
    context, page, problems = _open(browser, path, "agency_report")
    try:
        assert problems == []
        total, loaded = _images_loaded(page)
        assert total >= 8 and loaded == total
        rows = page.locator("#scorecard tbody tr")
        assert rows.count() == 7
        codes = [rows.nth(i).get_attribute("data-indicator") for i in range(7)]
        assert codes == ["A1", "A2", "A3", "A4", "A5", "A6", "A7"]
        assert page.locator("#scorecard").is_visible()
        assert page.locator("h1").inner_text().strip()
        # the Thai face is the embedded one, so the reader's fonts do not matter
        assert page.evaluate("document.fonts.check('16px \"Workbook Thai\"', 'ก')")
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
    finally:
        context.close()


def test_the_scorecard_fits_on_the_first_printed_a4_page(built, browser):
    """Laid out at the printable width of A4 (210 mm less 2 x 12 mm margins) with the print
    stylesheet, the header and the whole scorecard end above the printable height."""
    mm = 96 / 25.4
    width, height = round((210 - 24) * mm), round((297 - 28) * mm)
    path = sorted((built / "reports/2565").glob("[0-9]*.html"))[0]
    context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
    try:
        page = context.new_page()
        page.goto(path.as_uri(), wait_until="load")
        page.emulate_media(media="print")
        bottom = page.evaluate(
            "() => { const t = document.getElementById('scorecard');"
            " return t.getBoundingClientRect().bottom + window.scrollY; }"
        )
        assert bottom < height, f"scorecard ends at {bottom:.0f} px; the page holds {height}"
        assert (
            page.evaluate(
                "() => getComputedStyle(document.querySelector('h2.new-page')).breakBefore"
            )
            == "page"
        )
        page.screenshot(path=str(SCREENSHOTS / "agency_report_print.png"))
    finally:
        context.close()


def test_the_overview_renders_in_chromium(built, browser):
    context, page, problems = _open(browser, built / "reports/2565/overview.html", "overview")
    try:
        assert problems == []
        total, loaded = _images_loaded(page)
        assert total >= 5 and loaded == total
        assert page.locator("#scorecard tbody tr").count() == 3  # O1-O3
    finally:
        context.close()


def test_the_index_renders_and_its_filter_works(built, browser):
    context, page, problems = _open(browser, built / "reports/index.html", "index")
    try:
        assert problems == []
        rows = page.locator("#reports tbody tr")
        total = rows.count()
        assert total >= 18
        code = rows.nth(0).locator("td").nth(1).inner_text().strip()
        page.fill("#filter", code)
        visible = page.locator("#reports tbody tr:visible")
        assert 1 <= visible.count() < total
        assert all(code in visible.nth(i).inner_text() for i in range(visible.count()))
        page.fill("#filter", "")
        assert page.locator("#reports tbody tr:visible").count() == total
    finally:
        context.close()
