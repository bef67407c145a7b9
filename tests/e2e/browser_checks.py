"""What tests/e2e/test_browser.py checks on a page loaded in Chromium, one function per check.

Each check runs JavaScript in the page (Playwright's ``page.evaluate``) and returns a list of
problems as sentences that name the offending element (tag, class, the first 40 characters of
its text) and the numbers, so that a failure says what to fix; an empty list is a pass. They
take a Playwright page and know nothing of the report generator, so they can be tried on any
HTML page (the test module only decides which pages, widths and expectations)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

# WCAG 2.1 A and AA, nothing else (no best practices, no experimental rules).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
TOLERANCE = 1  # px, for rounding in layout
MAX_LISTED = 25  # problems listed in full; the rest are counted

# Shared by the snippets below: what an element is called in a message, whether it is shown,
# whether it is hidden for sighted readers only (screen-reader text), and its own text.
_PRELUDE = (
    f"const TOL = {TOLERANCE};"
    + r"""
const ownText = (el) => Array.from(el.childNodes)
  .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.data).join(' ')
  .replace(/\s+/g, ' ').trim();
const name = (el, text) => {
  const cls = (el.getAttribute('class') || '').trim().split(/\s+/).filter(Boolean);
  const t = (text === undefined ? ownText(el) || el.textContent : text)
    .replace(/\s+/g, ' ').trim().slice(0, 40);
  return '<' + el.tagName.toLowerCase() + (cls.length ? '.' + cls.join('.') : '') + '> "'
    + t + '"';
};
const shown = (el) => el.getClientRects().length > 0
  && (!el.checkVisibility || el.checkVisibility({visibilityProperty: true}));
const srOnly = (el) => {
  for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
    if (e.classList.contains('sr-only') || e.classList.contains('visually-hidden')) {
      return true;
    }
    const s = getComputedStyle(e);
    if ((s.position === 'absolute' || s.position === 'fixed') && s.clip && s.clip !== 'auto') {
      return true;
    }
    if (/inset\(\s*50%/.test(s.clipPath || '')) { return true; }
    const r = e.getBoundingClientRect();
    if ((r.width <= 1 || r.height <= 1) && s.overflowX !== 'visible') { return true; }
  }
  return false;
};
const inSvg = (el) => el instanceof SVGElement || el.closest('svg') !== null;
const round = (x) => Math.round(x * 10) / 10;
"""
)


def _js(body: str) -> str:
    return "(arg) => {" + _PRELUDE + body + "}"


def _listed(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_LISTED:
        return problems
    return [*problems[:MAX_LISTED], f"... and {len(problems) - MAX_LISTED} more"]


# 1. No sideways scroll ---------------------------------------------------------------------

_SIDEWAYS = _js(r"""
const width = arg || window.innerWidth;
const root = document.documentElement.scrollWidth;
// with the root element narrower than the viewport (the print view), the root's scrollWidth
// is the viewport's: measure the body's overflow instead
const total = arg
  ? Math.max(Math.round(document.body.getBoundingClientRect().left) + document.body.scrollWidth,
    root > window.innerWidth ? root : 0)
  : root;
if (total <= width + TOL) { return []; }
// the outermost elements that reach past the right edge, to say what to fix
const out = [arg
  ? `page is wider than the printable width: content reaches ${total} px > ${width}`
  : `page scrolls sideways: scrollWidth ${total} > innerWidth ${width}`];
const wide = Array.from(document.body.querySelectorAll('*')).filter((el) => {
  if (inSvg(el) && !(el instanceof SVGSVGElement)) { return false; }
  if (!shown(el)) { return false; }
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.right > width + TOL;
});
for (const el of wide) {
  if (wide.some((other) => other !== el && other.contains(el))) { continue; }
  const r = el.getBoundingClientRect();
  out.push(`  reaches past the edge: ${name(el)} right ${round(r.right)}, width ${round(r.width)}`);
}
return out;
""")


def sideways_scroll(page, width: int | None = None) -> list[str]:
    """The page is no wider than the viewport (``documentElement.scrollWidth`` against
    ``innerWidth``, or against ``width`` when the root element is given that width, as the
    print view does; 1 px allowed); on failure, the outermost elements that stick out."""
    return _listed(page.evaluate(_SIDEWAYS, width))


# 2. Text stays in its box ------------------------------------------------------------------

_TEXT_BOXES = _js(r"""
// inside <main> and <header>; a page without <main> is checked whole (its missing landmark is
// the landmark check's failure)
const inScope = document.querySelector('main')
  ? (el) => el.closest('main, header') !== null
  : (el) => document.body.contains(el);
const skip = (el) => !el || el.closest('style, script, noscript, template') || inSvg(el);
const out = [];
// elements that hold text themselves
const holders = new Set();
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  if (n.data.trim() && !skip(n.parentElement)) { holders.add(n.parentElement); }
}
for (const el of holders) {
  if (!inScope(el) || !shown(el) || srOnly(el)) { continue; }
  const s = getComputedStyle(el);
  if (s.overflowX === 'visible' && ['block', 'table-cell', 'list-item'].includes(s.display)
      && el.scrollWidth > el.clientWidth + TOL) {
    out.push(`text overflows its box: ${name(el)} scrollWidth ${el.scrollWidth}`
      + ` > clientWidth ${el.clientWidth}`);
  }
}
// text spilling out of its table cell
for (const cell of document.querySelectorAll('td, th')) {
  if (!inScope(cell) || skip(cell) || !shown(cell) || srOnly(cell)) { continue; }
  const box = cell.getBoundingClientRect();
  let left = Infinity, right = -Infinity, top = Infinity, bottom = -Infinity;
  const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let n = texts.nextNode(); n; n = texts.nextNode()) {
    if (!n.data.trim() || skip(n.parentElement) || srOnly(n.parentElement)) { continue; }
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      if (r.width <= 0 || r.height <= 0) { continue; }
      left = Math.min(left, r.left); right = Math.max(right, r.right);
      top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom);
    }
  }
  if (left === Infinity) { continue; }
  if (left < box.left - TOL || right > box.right + TOL || top < box.top - TOL
      || bottom > box.bottom + TOL) {
    out.push(`text spills out of its cell: ${name(cell, cell.textContent)} text`
      + ` [${round(left)}, ${round(right)}] x [${round(top)}, ${round(bottom)}]`
      + ` outside cell [${round(box.left)}, ${round(box.right)}]`
      + ` x [${round(box.top)}, ${round(box.bottom)}]`);
  }
}
// sibling cells of one row on top of each other
for (const row of document.querySelectorAll('tr')) {
  if (!inScope(row) || skip(row) || !shown(row)) { continue; }
  const cells = Array.from(row.children)
    .filter((c) => (c.tagName === 'TD' || c.tagName === 'TH') && shown(c) && !srOnly(c));
  for (let i = 0; i < cells.length; i++) {
    for (let j = i + 1; j < cells.length; j++) {
      const a = cells[i].getBoundingClientRect(), b = cells[j].getBoundingClientRect();
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > TOL && h > TOL) {
        out.push(`cells overlap by ${round(w)} x ${round(h)} px:`
          + ` ${name(cells[i], cells[i].textContent)} [${round(a.left)}, ${round(a.right)}]`
          + ` and ${name(cells[j], cells[j].textContent)}`
          + ` [${round(b.left)}, ${round(b.right)}]`);
      }
    }
  }
}
return out;
""")


def text_box_problems(page) -> list[str]:
    """Every shown element that holds text itself (inside ``<main>`` and ``<header>``, not
    screen-reader-only, not inside an SVG): a block, list item or table cell with
    ``overflow: visible`` is not wider inside than its box (``scrollWidth`` against
    ``clientWidth``); the text of every table cell lies within the cell; the cells of a row do
    not overlap. 1 px allowed each time."""
    return _listed(page.evaluate(_TEXT_BOXES))


# 3. axe-core -------------------------------------------------------------------------------


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations: rule id, how many elements, the first one's
    selector and the rule's summary. The page's context needs ``bypass_csp=True``."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{v['id']} ({v.get('impact')}, {len(v['nodes'])} element(s)), first"
        f" {' '.join(map(str, v['nodes'][0]['target'])) if v['nodes'] else '-'}: {v['help']}"
        for v in found
    ]


# 4. English marked as English --------------------------------------------------------------

_LANG = _js(r"""
const out = [];
const lang = document.documentElement.getAttribute('lang');
if (lang !== 'th') { out.push(`<html lang> is ${JSON.stringify(lang)}, not "th"`); }
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const el = n.parentElement;
  if (!el || el.closest('style, script')) { continue; }
  const word = n.data.match(/[A-Za-z]{2,}/);
  if (!word) { continue; }
  const holder = el.closest('[lang]');
  const code = holder ? holder.getAttribute('lang') : null;
  if (code !== null && /^en(-|$)/i.test(code)) { continue; }
  out.push(`English without lang="en" (nearest lang ${JSON.stringify(code)}):`
    + ` ${name(el, n.data)} (word "${word[0]}")`);
}
return out;
""")


def lang_problems(page) -> list[str]:
    """WCAG 3.1.2: ``<html lang="th">``, and every text node of the body (not in ``<style>``
    or ``<script>``) with a Latin word of two letters or more has, as its nearest ancestor with
    a ``lang`` attribute, one that says English (``en``, ``en-…``); in an SVG the ``<text>`` and
    ``<tspan>`` elements count as ancestors like any other."""
    return _listed(page.evaluate(_LANG))


# 5. Landmarks and charts -------------------------------------------------------------------

_LANDMARKS = _js(r"""
const out = [];
const mains = document.querySelectorAll('main').length;
if (mains !== 1) { out.push(`${mains} <main> elements; there must be exactly one`); }
const roles = document.querySelectorAll('[role="main"]:not(main)').length;
if (roles) { out.push(`${roles} other element(s) with role="main"`); }
const charts = Array.from(document.querySelectorAll('figure.chart svg'))
  .filter((svg) => !svg.parentElement.closest('svg'));
charts.forEach((svg, i) => {
  const role = svg.getAttribute('role');
  const label = (svg.getAttribute('aria-label') || '').trim();
  if (role !== 'img' || !label) {
    out.push(`chart ${i + 1} (${name(svg.closest('figure'), svg.closest('figure').textContent)}):`
      + ` role ${JSON.stringify(role)}, aria-label ${JSON.stringify(label.slice(0, 40))}`);
  }
});
return out;
""")


def landmark_problems(page) -> list[str]:
    """Exactly one ``<main>``; every chart (``figure.chart svg``) has ``role="img"`` and a
    non-empty ``aria-label``."""
    return _listed(page.evaluate(_LANDMARKS))


def chart_count(page) -> int:
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('figure.chart svg'))"
        ".filter((s) => !s.parentElement.closest('svg')).length"
    )


# 6. Links ----------------------------------------------------------------------------------


def links(page) -> list[tuple[str, str]]:
    """(href as written, href as the browser resolves it) of every link on the page."""
    return [
        (raw, url)
        for raw, url in page.evaluate(
            "() => Array.from(document.querySelectorAll('a[href], area[href]'))"
            ".map((a) => [a.getAttribute('href'), a.href])"
        )
    ]


def file_of(url: str) -> Path | None:
    """The file a ``file:`` URL points at (its #fragment and ?query dropped)."""
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(url2pathname(unquote(parts.path))).resolve()


def link_problems(page, expected: dict[str, Path]) -> list[str]:
    """No link to http(s); every relative link resolves to a file that exists (its
    #fragment dropped); and every file of ``expected`` (a description -> path) is linked."""
    problems: list[str] = []
    linked: set[Path] = set()
    for raw, url in links(page):
        scheme = urlsplit(url).scheme
        if scheme in ("http", "https") or raw.strip().startswith("//"):
            problems.append(f"link to the web: {raw!r}")
            continue
        target = file_of(url)
        if target is None:
            continue  # mailto: and the like
        linked.add(target)
        if not target.is_file():
            problems.append(f"broken link: {raw!r} -> {target} does not exist")
    for what, path in expected.items():
        if path.resolve() not in linked:
            problems.append(f"no link to {what} ({path.name})")
    return _listed(problems)


# 8. Print ----------------------------------------------------------------------------------

_CHART_TEXT = _js(r"""
const charts = Array.from(document.querySelectorAll('figure.chart svg'))
  .filter((svg) => !svg.parentElement.closest('svg'));
return charts.map((svg, i) => {
  const box = svg.getBoundingClientRect();
  const vb = svg.viewBox && svg.viewBox.baseVal;
  const texts = [];
  for (const t of svg.querySelectorAll('text, tspan')) {
    const own = Array.from(t.childNodes)
      .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.data).join('').trim();
    if (!own) { continue; }
    const m = t.getScreenCTM();
    texts.push({text: own.slice(0, 40), size: parseFloat(getComputedStyle(t).fontSize),
      ctm: m ? Math.sqrt(Math.abs(m.a * m.d - m.b * m.c)) : null});
  }
  return {chart: i + 1, label: (svg.getAttribute('aria-label') || '').slice(0, 40),
    width: box.width, shown: shown(svg), viewBoxWidth: vb ? vb.width : 0, texts};
});
""")


def chart_text_points(page) -> list[dict]:
    """For every chart shown, its scale (CSS px per viewBox unit: rendered width over viewBox
    width) and each text's size on paper in pt: its font size in its own units times the CSS
    px per unit at the text (its screen CTM, which is the chart's scale unless the text or a
    group is scaled or the viewBox is letterboxed) times 0.75 pt per CSS px."""
    charts = []
    for chart in page.evaluate(_CHART_TEXT):
        if not chart["shown"] or not chart["width"]:
            continue
        scale = chart["width"] / chart["viewBoxWidth"] if chart["viewBoxWidth"] else 1.0
        for text in chart["texts"]:
            text["per_unit"] = text["ctm"] if text["ctm"] else scale
            text["pt"] = text["size"] * text["per_unit"] * 0.75
        charts.append({**chart, "scale": scale})
    return charts


def small_chart_text(page, minimum: float = 7.9) -> list[str]:
    problems = []
    for chart in chart_text_points(page):
        for text in chart["texts"]:
            if text["pt"] < minimum:
                problems.append(
                    f"chart {chart['chart']} ({chart['label']!r}): text {text['text']!r}"
                    f" prints at {text['pt']:.1f} pt (font size {text['size']:g} units x"
                    f" {text['per_unit']:.3f} px per unit x 0.75; the chart is"
                    f" {chart['width']:.0f} px wide for a viewBox {chart['viewBoxWidth']:g} wide)"
                )
    return _listed(problems)


_HEADING_BREAKS = _js(r"""
return Array.from(document.querySelectorAll('h2, h3'))
  .filter((h) => !['avoid', 'avoid-page'].includes(getComputedStyle(h).breakAfter))
  .map((h) => `${name(h, h.textContent)} has break-after: ${getComputedStyle(h).breakAfter}`);
""")


def heading_break_problems(page) -> list[str]:
    """In print, every h2 and h3 stays with what follows (computed ``break-after: avoid``)."""
    return _listed(page.evaluate(_HEADING_BREAKS))


def printed_pages(pdf: bytes, shots: Path, prefix: str, dpi: int = 100) -> list[float]:
    """Render every page of ``pdf`` to ``shots/<prefix>_p<n>.png`` (earlier renders of that
    prefix removed) and return, per page, the share of its pixel rows holding ink (any pixel
    darker than 240 of 255 in grey)."""
    import numpy as np
    import pypdfium2

    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob(f"{prefix}_p*.png"):
        old.unlink()
    inked = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number in range(len(document)):
            page = document[number]
            image = page.render(scale=dpi / 72).to_pil()
            page.close()
            image.save(shots / f"{prefix}_p{number + 1}.png")
            grey = np.asarray(image.convert("L"))
            inked.append(float((grey < 240).any(axis=1).mean()))
    finally:
        document.close()
    return inked


# 7. The index filter -----------------------------------------------------------------------

_REPORT_ROWS = _js(r"""
const seen = new Set();
const rows = [];
for (const a of document.querySelectorAll('a[href]')) {
  const m = a.href.match(/\/(\d{4})\/([^\/?#]+)\.html(?:[?#].*)?$/);
  if (!m || m[2] === 'overview') { continue; }
  const row = a.closest('tr, li, [role="row"]') || a;
  if (seen.has(row)) { continue; }
  seen.add(row);
  rows.push({year: m[1], code: decodeURIComponent(m[2]), shown: shown(row)});
}
return rows;
""")


def report_rows(page) -> list[dict]:
    """The index's rows (the table row or list item around each link to an agency report):
    year, agency code and whether the row is shown."""
    return page.evaluate(_REPORT_ROWS)


_STATUS = r"""() => Array.from(document.querySelectorAll(
    '[role="status"], [aria-live]:not([aria-live="off"])'))
  .map((el) => el.textContent.replace(/\s+/g, ' ').trim()).join(' | ')"""


def status_text(page) -> str | None:
    """The text of the live regions (``role="status"`` or ``aria-live``), None without any."""
    if not page.evaluate(
        '() => document.querySelectorAll(\'[role="status"], [aria-live]:not([aria-live="off"])\')'
        ".length"
    ):
        return None
    return page.evaluate(_STATUS)


# Newly shown text that says nothing matched (Thai or English).
NO_MATCH = re.compile(
    r"ไม่พบ|ไม่มี.*(ตรง|รายงาน|ผล)|no (matching|match|results?|reports?)|nothing (found|matches)"
    r"|not found",
    re.IGNORECASE,
)

_SHOWN_TEXTS = _js(r"""
const texts = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const el = n.parentElement;
  if (!el || el.closest('style, script') || !n.data.trim() || !shown(el)) { continue; }
  texts.push(el.textContent.replace(/\s+/g, ' ').trim());
}
return texts;
""")


def shown_texts(page) -> set[str]:
    """The text of every shown element that holds text itself."""
    return set(page.evaluate(_SHOWN_TEXTS))


def settle(page, probe, timeout_ms: int = 2000, step_ms: int = 100):
    """Wait until ``probe(page)`` gives the same answer twice in a row (a filter may update
    after a short delay); return that answer."""
    last = probe(page)
    for _ in range(timeout_ms // step_ms):
        page.wait_for_timeout(step_ms)
        now = probe(page)
        if now == last:
            return now
        last = now
    return last
