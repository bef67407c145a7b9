"""The reports in a real browser: Debian's chromium (installed by `make browser`, which
`make test` runs), driven headless by Playwright from the file system with the network off.

Four pages of the end-to-end build (issue 14): the report of the agency with the most staff
respondents in 2565 (``agency_large``), the report of an agency whose staff results are
suppressed (fewer than 10 respondents; the return-based indicators still show, so it is
partly suppressed: ``agency_small``), the 2565 overview and the index. Each is opened once at
each of 320, 390, 768 and 1366 px and once in print emulation at the printable width of A4
(``print``), and the checks of tests/e2e/browser_checks.py run on it: no sideways scroll, no
text out of its box, axe-core's WCAG 2.1 A/AA rules (390 and 1366 px), English marked as
English, one ``<main>`` and named charts, links, the index filter, and print (pages, chart text
size, headings kept with what follows). Screenshots of every width and every printed page go
to build/screenshots/ for people to look at.

To run against a project built already (faster than the session's `built` fixture), set
HRD_BROWSER_PROJECT to its root: a project the `workbook` command has run, with demo data for
2563-2565 like the `built` fixture's.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO
from tests.e2e import browser_checks as checks

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

YEAR = 2565
PAGES = ("agency_large", "agency_small", "overview", "index")
WIDTHS = (320, 390, 768, 1366)
PRINT = "print"
AXE_WIDTHS = (390, 1366)
HEIGHT = 900
# A4 and its printable area with the reports' @page margins (14 mm top and bottom, 12 mm at
# the sides), in CSS px. Chromium prints the page area at the printable width but answers media
# queries with the width of the whole sheet: the print view does the same (see `view`).
MM = 96 / 25.4
A4 = (round(210 * MM), round(297 * MM))
A4_PRINTABLE = (round((210 - 24) * MM), round((297 - 28) * MM))
# A4 pages. Issue 14 asked "about 6" for a large agency: with every chart present (three item
# panels, two trends, four dot or bar charts, two funnels) the largest agencies printed on 7.
# Issue 15 added the action section (about a page), the full item table (about 1.5), the
# results by staff group (about 1.5) and the respondent profile: 12.
MAX_PRINTED = {"agency_large": 12, "agency_small": 7, "overview": 10}
# The sections of issue 15, by the id of their heading.
SECTION_IDS = ("actions-heading", "items-heading", "groups-heading", "profile-heading")
MIN_INK = 0.25  # of a printed page's height, every page but the last
MIN_CHART_PT = 7.9  # 8 pt, less rounding
MIN_FIGURES = {"agency_large": 8, "agency_small": 1, "overview": 5, "index": 0}
NONSENSE = "qxzvj"

VIEWS = [(key, width) for key in PAGES for width in (*WIDTHS, PRINT)]


def _id(view: tuple[str, int | str]) -> str:
    return f"{view[0]}-{view[1]}"


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if path:
        return path
    if os.environ.get("HRD_SKIP_BROWSER") == "1":
        pytest.skip("HRD_SKIP_BROWSER=1: browser test skipped on request")
    pytest.fail("chromium is not installed: run `make browser` (Debian package chromium)")


@dataclass(frozen=True)
class Site:
    """The built project and the agencies the pages are picked for."""

    root: Path
    large: str
    small: str

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def path(self, key: str) -> Path:
        return {
            "agency_large": self.reports / f"{YEAR}/{self.large}.html",
            "agency_small": self.reports / f"{YEAR}/{self.small}.html",
            "overview": self.reports / f"{YEAR}/overview.html",
            "index": self.reports / "index.html",
        }[key]

    def code(self, key: str) -> str | None:
        return {"agency_large": self.large, "agency_small": self.small}.get(key)

    def agency_reports(self, year: int | str = "*") -> list[Path]:
        return sorted(p for p in self.reports.glob(f"{year}/*.html") if p.stem != "overview")

    def registry(self) -> pd.DataFrame:
        path = self.root / "data/raw/reference/agencies.csv"
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        return table.set_index("agency_code", drop=False)


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest) -> Site:
    given = os.environ.get("HRD_BROWSER_PROJECT")
    root = Path(given) if given else request.getfixturevalue("built")
    table = pd.read_parquet(root / f"data/processed/{YEAR}/indicators/indicators.parquet")
    built = {p.stem for p in (root / "reports" / str(YEAR)).glob("*.html")}
    a5 = table[(table["indicator"] == "A5") & table["agency_code"].isin(built)]
    large = a5.sort_values("respondents", ascending=False, na_position="last")
    small = sorted(a5.loc[a5["status"] == "suppressed", "agency_code"])
    assert len(large) and small, "the build has no large or no suppressed agency in A5"
    return Site(root, large["agency_code"].iloc[0], small[0])


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


def _load(page, url: str) -> None:
    page.goto(url, wait_until="load")
    page.evaluate("() => document.fonts.ready.then(() => true)")


@dataclass(frozen=True)
class View:
    key: str
    width: int | str
    page: object  # playwright.sync_api.Page
    path: Path

    def say(self, problems: list[str]) -> str:
        return f"{self.key} at {self.width}: {len(problems)} problem(s)\n" + "\n".join(problems)


@pytest.fixture(scope="module", params=VIEWS, ids=_id)
def view(request: pytest.FixtureRequest, browser, site: Site):
    """One page at one width, or in print emulation laid out at the printable width of A4,
    opened once for every check of that width. The context bypasses the pages'
    Content-Security-Policy so that axe-core can be injected (and the print view's style
    added); test_renders_offline_under_its_csp loads each page under it.

    The print view is what Chromium does when it prints (measured with page.pdf): media queries
    see the width of the sheet (794 px for A4) while the page is laid out at the printable
    width (703 px). A 703 px viewport would apply a page's narrow-screen rules (say
    ``@media (max-width: 48rem)``), which the printer does not; so the viewport is the sheet
    and the root element is given the printable width."""
    key, width = request.param
    printing = width == PRINT
    viewport = {"width": A4[0], "height": A4[1]} if printing else {"width": width, "height": HEIGHT}
    context = browser.new_context(viewport=viewport, offline=True, bypass_csp=True)
    try:
        page = context.new_page()
        _load(page, site.path(key).as_uri())
        if printing:
            page.emulate_media(media="print")
            page.add_style_tag(content=f"html {{ width: {A4_PRINTABLE[0]}px !important; }}")
        else:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{key}_{width}.png"), full_page=True)
        yield View(key, width, page, site.path(key))
    finally:
        context.close()


def _views(*, pages=PAGES, widths=(*WIDTHS, PRINT)):
    views = [v for v in VIEWS if v[0] in pages and v[1] in widths]
    return pytest.mark.parametrize("view", views, indirect=True, ids=_id)


# Layout at every width and in print ----------------------------------------------------------


def test_no_sideways_scroll(view: View):
    printable = A4_PRINTABLE[0] if view.width == PRINT else None
    problems = checks.sideways_scroll(view.page, printable)
    assert not problems, view.say(problems)


def test_text_stays_in_its_box(view: View):
    problems = checks.text_box_problems(view.page)
    assert not problems, view.say(problems)


@_views(widths=AXE_WIDTHS)
def test_axe_finds_no_wcag_2_1_aa_violation(view: View):
    problems = checks.axe_violations(view.page)
    assert not problems, view.say(problems)


# What does not depend on the width: read at 1366 px -------------------------------------------


@_views(widths=(1366,))
def test_english_is_marked_as_english(view: View):
    problems = checks.lang_problems(view.page)
    assert not problems, view.say(problems)


@_views(widths=(1366,))
def test_one_main_landmark_and_named_charts(view: View):
    problems = checks.landmark_problems(view.page)
    assert not problems, view.say(problems)


def _expected_links(site: Site, key: str) -> dict[str, Path]:
    reports = site.reports
    if key == "index":
        found = {f"the {p.parent.name} overview": p for p in reports.glob("*/overview.html")}
        found.update({f"report {p.parent.name}/{p.name}": p for p in site.agency_reports()})
        return found
    if key == "overview":
        return {f"report {p.parent.name}/{p.name}": p for p in site.agency_reports(YEAR)}
    code = site.code(key)
    found = {
        f"the {YEAR} overview": reports / f"{YEAR}/overview.html",
        "the index": reports / "index.html",
    }
    for other in sorted(reports.glob(f"*/{code}.html")):
        if other.parent.name != str(YEAR):
            found[f"the agency's {other.parent.name} report"] = other
    return found


@_views(widths=(1366,))
def test_links_lead_to_the_other_reports(view: View, site: Site):
    """An agency report links to its year's overview, to the index and to its reports of the
    other years that were built; the overview to every agency report of its year; the index to
    every report and every overview. Every relative link resolves to a file; none goes to the
    web."""
    expected = _expected_links(site, view.key)
    if view.key == "agency_large":  # the demo builds 2563-2565 for every agency
        assert any("agency's" in what for what in expected), "no other year's report built"
    problems = checks.link_problems(view.page, expected)
    assert not problems, view.say(problems)


# Print ----------------------------------------------------------------------------------------


@_views(widths=(PRINT,))
def test_printed_pages(view: View):
    """A4 through Chromium's PDF printer: the agency reports and the overview within
    :data:`MAX_PRINTED` pages; no page but the last is nearly empty (a quarter of its height
    inked at least). Every page is rendered to build/screenshots/<page>_print_p<n>.png."""
    pdf = view.page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    inked = checks.printed_pages(pdf, SCREENSHOTS, f"{view.key}_print")
    pages = len(inked)
    print(f"{view.key}: {pages} printed A4 page(s), inked {[f'{s:.0%}' for s in inked]}")
    record = SCREENSHOTS / "printed_pages.json"
    counts = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    record.write_text(json.dumps({**counts, view.key: pages}, indent=1), encoding="utf-8")
    problems = []
    limit = MAX_PRINTED.get(view.key)
    if limit is not None and pages > limit:
        problems.append(f"{pages} printed pages; at most {limit}")
    for number, share in enumerate(inked[:-1], start=1):
        if share < MIN_INK:
            problems.append(
                f"page {number} of {pages} is nearly empty: ink on {share:.0%} of its height"
                f" (at least {MIN_INK:.0%}; see {view.key}_print_p{number}.png)"
            )
    assert not problems, view.say(problems)


@_views(widths=(PRINT,))
def test_chart_text_is_at_least_8_pt_on_paper(view: View):
    """Laid out at the printable width of A4, every text of every chart is 8 pt or more."""
    if checks.chart_count(view.page):
        sizes = checks.chart_text_points(view.page)
        assert sizes, view.say(["no chart is shown in print"])
        assert any(c["texts"] for c in sizes), view.say(["the printed charts hold no text"])
    problems = checks.small_chart_text(view.page, MIN_CHART_PT)
    assert not problems, view.say(problems)


@_views(widths=(PRINT,))
def test_headings_stay_with_what_follows_in_print(view: View):
    problems = checks.heading_break_problems(view.page)
    problems += view.page.evaluate(
        "() => Array.from(document.querySelectorAll('.new-page'))"
        ".filter((h) => getComputedStyle(h).breakBefore !== 'page')"
        ".map((h) => `${h.textContent.trim().slice(0, 40)}: a .new-page heading with`"
        " + ` break-before: ${getComputedStyle(h).breakBefore}`)"
    )
    assert not problems, view.say(problems)


@_views(pages=("agency_large", "agency_small"), widths=(PRINT,))
def test_the_scorecard_fits_on_the_first_printed_page(view: View):
    """Laid out at the printable width of A4 with the print stylesheet, the header and the
    whole scorecard end above the printable height."""
    bottom = view.page.evaluate(
        "() => document.getElementById('scorecard').getBoundingClientRect().bottom + window.scrollY"
    )
    height = A4_PRINTABLE[1]
    assert bottom < height, f"the scorecard ends at {bottom:.0f} px; the page holds {height}"


# What a director acts on and the tables people take away (issue 15) --------------------------


@_views(pages=("agency_large",), widths=(390, PRINT))
def test_action_item_group_and_profile_sections_are_shown(view: View):
    """The action section, the item results, the results by staff group and the respondent
    profile are on the large agency's page, on a phone and on paper (the layout checks above
    cover them like the rest of the page)."""
    missing = view.page.evaluate(
        "(ids) => ids.filter((id) => { const h = document.getElementById(id);"
        " return !h || !h.getClientRects().length; })",
        list(SECTION_IDS),
    )
    assert not missing, view.say([f"section #{m} is not shown" for m in missing])


@_views(pages=("agency_large",), widths=(390,))
def test_each_download_gives_a_csv_that_excel_reads(view: View):
    """Each of the report's three downloads (scorecard, items, staff groups) is saved by the
    browser, offline, as a CSV file: UTF-8 with a byte order mark (Excel on Thai Windows reads
    Thai right only with it), CRLF line ends, a header and rows of the same width."""
    links = view.page.locator("a.download")
    assert links.count() == 3, view.say([f"{links.count()} download links, not 3"])
    for number in range(links.count()):
        with view.page.expect_download() as info:
            links.nth(number).click()
        download = info.value
        data = Path(download.path()).read_bytes()
        assert download.suggested_filename.endswith(".csv")
        assert data.startswith(codecs.BOM_UTF8) and b"\r\n" in data
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) > 1 and len({len(row) for row in rows}) == 1
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in rows[0][0]), rows[0]


@_views(pages=("agency_large",), widths=(PRINT,))
def test_download_links_are_not_printed(view: View):
    shown = view.page.evaluate(
        "() => Array.from(document.querySelectorAll('a.download'))"
        ".filter((a) => a.getClientRects().length).length"
    )
    assert shown == 0, view.say([f"{shown} download link(s) printed"])


# Each page under its own Content-Security-Policy ----------------------------------------------


def _platform_fonts(page, selector: str) -> list[dict]:
    """The fonts Chromium drew ``selector``'s text with (DevTools protocol)."""
    session = page.context.new_cdp_session(page)
    try:
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})
        return session.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    finally:
        session.detach()


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


@pytest.mark.parametrize("key", PAGES)
def test_renders_offline_under_its_csp(browser, site: Site, key: str):
    """With the page's own Content-Security-Policy in force and the network off: no console
    error, no page error, no request but file: and data:, every chart and image drawn, the
    embedded Thai face used, and the page's main table complete."""
    context = browser.new_context(viewport={"width": 1366, "height": HEIGHT}, offline=True)
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url[:80]}"))
        page.on(
            "request",
            lambda r: (
                r.url.startswith(("file:", "data:"))
                or problems.append(f"remote request: {r.url[:80]}")
            ),
        )
        _load(page, site.path(key).as_uri())
        assert problems == []
        total, loaded = _images_loaded(page)
        assert total >= MIN_FIGURES[key] and loaded == total, (total, loaded)
        assert page.locator("h1").first.inner_text().strip()
        # the Thai face is the embedded one, so the reader's fonts do not matter
        fonts = _platform_fonts(page, "h1")
        assert any(f["isCustomFont"] and f["glyphCount"] for f in fonts), fonts
        if key.startswith("agency"):
            rows = page.locator("#scorecard tbody tr")
            codes = [rows.nth(i).get_attribute("data-indicator") for i in range(rows.count())]
            assert codes == ["A1", "A2", "A3", "A4", "A5", "A6", "A7"]
            assert page.locator("#scorecard").is_visible()
        elif key == "overview":
            assert page.locator("#scorecard tbody tr").count() == 3  # O1-O3
        else:
            assert len(checks.report_rows(page)) == len(site.agency_reports())
    finally:
        context.close()


# The index's filter ---------------------------------------------------------------------------

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def _fields(registry: pd.DataFrame, year: str, code: str) -> list[str]:
    """What a reader may look an index row up by."""
    fields = [year, str(int(year) - 543), year.translate(THAI_DIGITS), code]
    if code in registry.index:
        row = registry.loc[code]
        fields += [row["name_th"], row["name_en"], row["ministry_th"], row["ministry_en"]]
        fields += [a for a in row["aliases"].split(";") if a]
    return [f.casefold() for f in fields if f]


def _matches(query: str, fields: list[str]) -> bool:
    """The query is in one field, or each of its words is in some field."""
    q = query.casefold().strip()
    return any(q in f for f in fields) or all(any(w in f for f in fields) for w in q.split())


def _shown_rows(page) -> tuple[tuple[str, str, bool], ...]:
    return tuple((r["year"], r["code"], r["shown"]) for r in checks.report_rows(page))


def _queries(site: Site, rows) -> list[tuple[str, str, object]]:
    """(what, query, the rows it must show) for the index filter."""
    registry = site.registry()
    codes = sorted({code for _, code, _ in rows})
    known = [c for c in codes if c in registry.index]
    # a ministry by its English name, preferably one that is not part of its agency's name
    plain = [c for c in known if registry.loc[c, "ministry_en"] not in registry.loc[c, "name_en"]]
    ministry = registry.loc[(plain or known)[0], "ministry_en"]
    same = {c for c in known if registry.loc[c, "ministry_en"] == ministry}
    year = str(YEAR)
    queries = [
        ("the agency code", site.large, lambda y, c: c == site.large),
        ("the English ministry name", ministry, lambda y, c: c in same),
        ("the C.E. year", str(YEAR - 543), lambda y, c: y == year),
        ("the year in Thai digits", year.translate(THAI_DIGITS), lambda y, c: y == year),
    ]
    aliases = [(c, a) for c in known for a in registry.loc[c, "aliases"].split(";") if a]
    if aliases:
        owner, alias = aliases[0]
        queries.append(("an alias", alias, lambda y, c: c == owner))
    return queries


def _filter_problems(site: Site, what: str, query: str, must, rows) -> list[str]:
    registry = site.registry()
    shown = [(y, c) for y, c, s in rows if s]
    problems = []
    if not shown:
        problems.append(f"{what} {query!r}: no row shown")
    for y, c in shown:
        if not _matches(query, _fields(registry, y, c)):
            problems.append(f"{what} {query!r}: shows {y}/{c}, which does not match")
    for y, c, s in rows:
        if must(y, c) and not s:
            problems.append(f"{what} {query!r}: hides {y}/{c}, which matches")
    return problems


def test_the_index_filter(browser, site: Site):
    """Typing into the index's filter shows the matching rows and only them (an agency code,
    an English ministry name, the C.E. year, the year in Thai digits, an alias); a query that
    matches nothing shows no row and a message saying so; the count of rows shown is a live
    region (role="status" or aria-live) whose text follows the query."""
    context = browser.new_context(viewport={"width": 1366, "height": HEIGHT}, offline=True)
    try:
        page = context.new_page()
        _load(page, site.path("index").as_uri())
        rows = _shown_rows(page)
        total = len(rows)
        assert total == len(site.agency_reports()) and all(s for _, _, s in rows)
        start = checks.status_text(page)
        problems = []
        if start is None:
            problems.append('no element with role="status" or aria-live for the count of rows')
        before = checks.shown_texts(page)
        box = page.locator('#filter, input[type="search"]').first

        def probe(p):
            return _shown_rows(p), checks.status_text(p)

        for what, query, must in _queries(site, rows):
            box.fill(query)
            rows_now, status = checks.settle(page, probe)
            problems += _filter_problems(site, what, query, must, rows_now)
            if start is not None and sum(s for *_, s in rows_now) != total and status == start:
                problems.append(f"{what} {query!r}: the count still says {status!r}")
        box.fill(NONSENSE)
        rows_now, status = checks.settle(page, probe)
        if any(s for _, _, s in rows_now):
            problems.append(f"nonsense {NONSENSE!r} shows {sum(s for *_, s in rows_now)} row(s)")
        if start is not None and status == start:
            problems.append(f"nonsense {NONSENSE!r}: the count still says {status!r}")
        said = [t for t in checks.shown_texts(page) - before if checks.NO_MATCH.search(t)]
        if not said:
            problems.append(f"nonsense {NONSENSE!r}: no message that nothing matched is shown")
        box.fill("")
        rows_now, status = checks.settle(page, probe)
        if not all(s for *_, s in rows_now):
            problems.append("an empty filter does not show every row again")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_the_index_takes_a_query_from_its_address(browser, site: Site):
    """index.html#q=<code> opens with the filter filled in and only that agency's rows."""
    context = browser.new_context(viewport={"width": 1366, "height": HEIGHT}, offline=True)
    try:
        page = context.new_page()
        _load(page, site.path("index").as_uri() + f"#q={site.large}")
        rows = checks.settle(page, _shown_rows)
        problems = _filter_problems(site, "#q=", site.large, lambda y, c: c == site.large, rows)
        value = page.locator('#filter, input[type="search"]').first.input_value()
        if value.strip() != site.large:
            problems.append(f"the filter box holds {value!r}, not {site.large!r}")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
