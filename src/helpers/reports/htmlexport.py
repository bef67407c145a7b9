"""Executed notebooks to self-contained HTML reports, and the page every report shares.

A report page has no code, no prompts, no tracebacks and no reference to anything outside the
file: styles and fonts are inline, figures are inline SVG, and a Content-Security-Policy
forbids the browser to fetch anything else (a second line of defence behind escaping).
Only ``text/html`` and ``text/markdown`` outputs and markdown cells reach the page; streams
(warnings, prints), errors, plain-text reprs and the parameters cells are dropped.
"""

from __future__ import annotations

import copy
import functools
import html
import re
from typing import Any

from helpers.reports.fonts import font_face_css

REMOVED_TAGS = frozenset(
    {"parameters", "injected-parameters", "papermill-error-cell-tag", "remove-from-report"}
)
KEPT_MIMETYPES = ("text/html", "text/markdown")

# Thai government faces first (TH Sarabun New is the official face since 2010), then the
# face embedded in every report, then common system faces.
FONT_STACK = (
    '"TH Sarabun New", "TH SarabunPSK", "Sarabun", "Workbook Thai", "Noto Sans Thai", '
    '"Leelawadee UI", "Tahoma", sans-serif'
)

CSS = """
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --band: #f3f5f8;
  --met: #dff3e4; --met-ink: #11602a; --not-met: #fde8e8; --not-met-ink: #8a1c1c;
  --neutral: #eef0f3; --accent: #1f4e79; --notice: #fff4d6; --notice-line: #8a6100; }
* { box-sizing: border-box; }
html { font-family: FONT_STACK; font-size: 16px; font-size-adjust: 0.5; color: var(--ink);
  line-height: 1.55; -webkit-print-color-adjust: exact; print-color-adjust: exact;
  -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 62rem; padding: 1.5rem 1.25rem 3rem; background: #fff;
  overflow-wrap: break-word; }
main { display: block; }
h1 { font-size: 1.7rem; line-height: 1.3; margin: 0 0 .25rem; color: var(--accent); }
h2 { font-size: 1.3rem; line-height: 1.35; margin: 2rem 0 .5rem; padding-bottom: .2rem;
  border-bottom: 2px solid var(--accent); color: var(--accent); }
h3 { font-size: 1.1rem; line-height: 1.35; margin: 1.25rem 0 .4rem; }
.en { display: block; color: var(--muted); font-weight: normal; font-size: .92em; }
h1 .en, h2 .en, h3 .en { font-size: .8em; }
.en-inline, .status .en { display: inline; }
p, li { max-width: 48rem; }
li + li { margin-top: .35rem; }
a { color: var(--accent); }
a.anchor-link { display: none; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0;
  overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .95rem; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
thead th { background: var(--band); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td .nowrap, .nowrap { white-space: nowrap; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
table.scorecard, table.fixed { table-layout: fixed; font-size: .9rem; }
.scorecard col.c-ind { width: 31%; } .scorecard col.c-val { width: 16%; }
.scorecard col.c-tgt { width: 11%; } .scorecard col.c-st { width: 16%; }
.scorecard col.c-chg { width: 15%; } .scorecard col.c-rank { width: 11%; }
.cell-label { display: none; }
.report-header { border-top: 6px solid var(--accent); padding-top: .75rem; }
.report-nav { font-size: .9rem; margin: 0 0 .75rem; }
.report-nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: .25rem 1.25rem; }
.report-nav li { max-width: none; margin: 0; }
.report-nav a { display: inline-block; padding: .2rem 0; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr));
  gap: .5rem 1.5rem; margin: .75rem 0; padding: .75rem 1rem; background: var(--band); }
.facts div { font-size: .95rem; margin: 0; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; font-weight: bold; font-size: 1.05rem; }
.facts dd .en { font-weight: normal; }
.facts small { display: block; color: var(--muted); font-weight: normal; font-size: .85rem; }
.status { display: inline-block; padding: .05rem .45rem; border-radius: .25rem;
  border: 1px solid currentColor; font-weight: bold; }
.status-met { background: var(--met); color: var(--met-ink); }
.status-not_met { background: var(--not-met); color: var(--not-met-ink); }
.status-no_data, .status-suppressed, .status-no_target, .status-provisional {
  background: var(--neutral); color: var(--ink); }
.status-provisional { font-weight: normal; border-style: dashed; }
.status-no_data, .status-suppressed, .status-no_target { color: var(--muted); }
.notice { border: 2px solid var(--notice-line); background: var(--notice);
  padding: .6rem .9rem; margin: .75rem 0; border-radius: .25rem; }
.notice p { margin: .2rem 0; max-width: none; }
.note, .suppressed-note { color: var(--muted); font-size: .9rem; }
.verdict { border-left: 4px solid var(--accent); background: var(--band);
  padding: .5rem .9rem; margin: .75rem 0; }
.verdict p { margin: .3rem 0; max-width: none; }
.change-sig { font-weight: bold; }
figure.chart { margin: 1rem 0; text-align: center; }
figure.chart img, figure.chart svg { max-width: 100%; height: auto; }
figure.chart svg, figure.chart svg text { font-size-adjust: none; }
figcaption { color: var(--muted); font-size: .9rem; text-align: left; margin-top: .25rem; }
.two-col { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
[hidden] { display: none !important; }
.no-match { border-left: 4px solid var(--notice-line); background: var(--notice);
  padding: .4rem .8rem; }
.filter { margin: .5rem 0 1rem; }
.filter input { font: inherit; padding: .35rem .6rem; width: min(30rem, 100%);
  border: 1px solid var(--muted); border-radius: .25rem; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem;
  border-top: 1px solid var(--line); padding-top: .5rem; }
@media (max-width: 48rem) {
  body { padding: 1rem .75rem 2rem; }
  h1 { font-size: 1.45rem; }
  .two-col { grid-template-columns: 1fr; }
  table.stack, table.stack tbody, table.stack tr, table.stack td, table.stack th {
    display: block; width: auto; }
  table.stack { table-layout: auto; border: 0; }
  table.stack caption { display: block; }
  table.stack colgroup { display: none; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); clip-path: inset(50%); }
  table.stack tr { border: 1px solid var(--line); border-radius: .25rem;
    margin: 0 0 .75rem; padding: .35rem .6rem; }
  table.stack td, table.stack th { border: 0; padding: .25rem 0; text-align: left;
    white-space: normal; }
  table.stack td + td { border-top: 1px dotted var(--line); }
  table.stack .cell-label { display: block; color: var(--muted); font-size: .8rem;
    font-weight: normal; }
  table.stack .cell-label .en { display: inline; font-size: 1em; }
  table.stack .cell-label .en::before { content: " / "; }
  /* a number on a card: its label left, the number right, on one line when they fit */
  table.stack td.num { display: flex; flex-wrap: wrap; justify-content: space-between;
    align-items: baseline; column-gap: 1rem; }
  table.stack td.num .cell-label { flex: 1 1 12rem; text-align: left; }
  table.stack td.num .cell-value { margin-left: auto; text-align: right; }
}
@page { size: A4; margin: 12mm 12mm 14mm; }
@media print {
  html { font-size: 9.5pt; line-height: 1.45; }
  body { max-width: none; padding: 0; }
  h1 { font-size: 1.35rem; }
  .report-nav, .filter, .no-print { display: none; }
  .report-header { padding-top: .3rem; border-top-width: 4px; }
  .report-header p { margin: .2rem 0; font-size: .85rem; }
  .facts { grid-template-columns: repeat(3, 1fr); gap: .15rem 1rem; padding: .35rem .6rem;
    margin: .4rem 0; }
  .facts div { font-size: .8rem; } .facts dd { font-size: .95rem; }
  .facts small { font-size: .75rem; }
  h2 { font-size: 1.1rem; margin: .8rem 0 .3rem; }
  h3 { margin: .6rem 0 .25rem; }
  h2, h3 { break-after: avoid; page-break-after: avoid; break-inside: avoid; }
  /* a heading is a notebook cell of its own: keep that cell with the output that follows */
  .text_cell:has(h2, h3) { break-after: avoid; page-break-after: avoid; }
  h2.new-page { break-before: page; }
  .verdict, .notice { padding: .25rem .6rem; margin: .4rem 0; font-size: .8rem; }
  .verdict p, .notice p { margin: .1rem 0; }
  table.scorecard { font-size: .78rem; margin: .2rem 0 .4rem; line-height: 1.25; }
  .scorecard th, .scorecard td { padding: .12rem .3rem; }
  .scorecard caption { display: none; }
  .status { padding: 0 .2rem; }
  .note { font-size: .75rem; }
  p { margin: .45em 0; }
  ul.methods { font-size: .76rem; line-height: 1.35; padding-left: 1.1rem; }
  ul.methods li + li { margin-top: .15rem; }
  p, li { orphans: 2; widows: 2; break-inside: avoid; }
  figure, .verdict, .notice, .facts, tr, li, caption { break-inside: avoid; }
  caption { break-after: avoid; }
  tbody tr:first-child { break-before: avoid; }
  #scorecard, #returns, #ocsc-trend { break-inside: avoid; }
  figure.chart { margin: .5rem 0; }
  /* each chart at helpers.reports.charts.PRINT_SCALE of its natural size */
  figure.chart svg { width: var(--print-width, auto); max-width: 100%; }
  a { color: inherit; text-decoration: none; }
}
/* --- agency report sections of issue 15 (helpers.reports.agency_sections) --- */
table.item-table, table.breakdown-table, table.profile-table { font-size: .88rem; }
tr.group-row th { background: var(--band); font-weight: bold; }
tr.overall-row th, tr.overall-row td { background: #f8f9fb; }
.withheld { color: var(--muted); }
.placeholder-mark { color: var(--notice-line); font-weight: bold; }
p.download { margin: .25rem 0 1rem; font-size: .9rem; }
.profile-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(17rem, 1fr));
  gap: 0 1rem; }
.profile-grid table { margin: .25rem 0 .5rem; }
.actions ol, .top-items ol { padding-left: 1.4rem; }
.actions .prompts p { margin: .2rem 0; }
.actions .prompts ul { margin: .1rem 0 .4rem; padding-left: 1.2rem; }
.model-estimate .facts { grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); }
@media (max-width: 48rem) {
  table.stack tr.group-row { border: 0; background: none; padding: 0; margin: .75rem 0 .25rem; }
  table.stack tr.group-row th { background: none; padding: 0; }
  table.stack td[colspan] { text-align: left; }
}
@media print {
  table.item-table, table.breakdown-table, table.profile-table { font-size: .74rem;
    margin: .2rem 0 .4rem; line-height: 1.3; }
  .item-table th, .item-table td, .breakdown-table th, .breakdown-table td,
  .profile-table th, .profile-table td { padding: .08rem .25rem; }
  .profile-grid { grid-template-columns: repeat(3, 1fr); gap: 0 .6rem; }
  .profile-table .en, .breakdown-table tbody .en { font-size: .85em; }
  .actions, .top-items { font-size: .82rem; }
  .actions li + li { margin-top: .15rem; }
}
""".replace("FONT_STACK", FONT_STACK)


def esc(value: Any) -> str:
    """HTML-escape any value (quotes too), after turning it into text."""
    return html.escape("" if value is None else str(value), quote=True)


# ----------------------------------------------------------------------------- audit markers
#
# Every figure a report shows from survey answers carries, invisibly, the respondents it rests
# on: ``data-sources="2565/staff/A5 01001=159; 2564/staff/A5 01001=170"`` (groups of
# ``year/survey/measure`` followed by ``scope=n``, ``?`` where the report does not know n).
# ``workbook audit`` (helpers.audit.confidentiality) recounts every one from the respondent rows
# and fails on any below the threshold or not matching; the markers never change what the reader
# sees.
# Measures: ``respondents``, ``A3``/``A5``/``A6``/``A7``, ``item:<column>`` (answers to one
# item), ``construct:<name>`` (construct score), ``corr:<driver>`` (pairs with the
# satisfaction index).


def sources(year: Any, survey: str, measure: str, counts: dict[str, Any]) -> str:
    """The audit marker of one group: ``'2565/staff/A5 01001=159'`` ('' when no scope)."""
    parts = []
    for scope, n in counts.items():
        try:
            shown = str(int(n))
        except (TypeError, ValueError):  # None, NaN, pd.NA: not known
            shown = "?"
        parts.append(f"{scope}={shown}")
    return f"{int(year)}/{survey}/{measure} {' '.join(parts)}" if parts else ""


def join_sources(*markers: Any) -> str:
    """Several markers as one: groups with the same ``year/survey/measure`` merged, repeats
    and empty ones dropped, order kept."""
    groups: dict[str, dict[str, None]] = {}
    for marker in markers:
        for part in str(marker or "").split(";"):
            head, _, scopes = part.strip().partition(" ")
            if head:
                groups.setdefault(head, {}).update(dict.fromkeys(scopes.split()))
    return "; ".join(f"{head} {' '.join(scopes)}".strip() for head, scopes in groups.items())


def sources_attr(*markers: Any) -> str:
    """`` data-sources="..."`` for an element, or '' when there is nothing to mark."""
    joined = join_sources(*markers)
    return f' data-sources="{esc(joined)}"' if joined else ""


def marked(html_text: str, *markers: Any) -> str:
    """``html_text`` in a ``<span>`` carrying its audit marker; unchanged without a marker."""
    attr = sources_attr(*markers)
    return f"<span{attr}>{html_text}</span>" if attr else html_text


def _csp(script: bool) -> str:
    scripts = "'unsafe-inline'" if script else "'none'"
    return (
        "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
        f"script-src {scripts}; base-uri 'none'; form-action 'none'"
    )


# ----------------------------------------------------------------------------- language of parts
#
# A Thai page (``<html lang="th">``) must mark its English parts (WCAG 3.1.2) so that a screen
# reader switches voice and a browser hyphenates and spells them as English. The report code
# puts whole English sentences and labels in ``<span class="en" lang="en">``; what is left over
# (an English term inside a Thai label from the codebooks, chart text) is marked here, by one
# rule: a run of Latin-script text holding a word of two letters or more is English. Codes
# (A5), symbols (n, r, p) and numbers stay in the page's language.

_MARKUP = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)([^>]*?)(/?)>", re.DOTALL)
_LANG = re.compile(r"""\blang\s*=\s*["']?([A-Za-z-]+)""")
_LATIN_RUN = re.compile(
    r"[A-Za-z(\[\"'“‘<][A-Za-z0-9 .,;:!?'’“”\"()\[\]&%+\-–—/=<>…·]*[A-Za-z0-9.)\]%'’”\">]"
    r"|[A-Za-z]{2,}"
)
_WORD = re.compile(r"[A-Za-z]{2,}")
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
_RAW_TEXT = frozenset({"style", "script", "title", "textarea"})


def _mark_runs(text: str, in_svg: bool) -> str:
    """Escaped ``text`` with its English runs wrapped (``<tspan>`` inside SVG text)."""
    plain = html.unescape(text)
    out, last = [], 0
    for run in _LATIN_RUN.finditer(plain):
        if not _WORD.search(run.group()):
            continue
        out.append(html.escape(plain[last : run.start()]))
        tag = "tspan" if in_svg else "span"
        out.append(f'<{tag} lang="en">{html.escape(run.group())}</{tag}>')
        last = run.end()
    if not out:
        return text
    out.append(html.escape(plain[last:]))
    return "".join(out)


def mark_english(markup: str) -> str:
    """``markup`` with every English run outside a ``lang="en"`` element marked ``lang="en"``
    (see above). Text of ``style``, ``script``, ``title`` and ``textarea`` is left alone."""
    parts = _MARKUP.split(markup)
    stack: list[tuple[str, bool]] = []  # (open element, its text is English)
    for i, part in enumerate(parts):
        if not part:
            continue
        if i % 2:  # markup
            tag = _TAG.match(part)
            if not tag or part.startswith("<!"):
                continue
            closing, name, attrs, self_closing = tag.groups()
            name = name.lower()
            if closing:
                while stack:
                    if stack.pop()[0] == name:
                        break
            elif not self_closing and name not in _VOID:
                lang = _LANG.search(attrs)
                english = (
                    lang.group(1).lower().startswith("en")
                    if lang
                    else (stack[-1][1] if stack else False)
                )
                stack.append((name, english))
            continue
        if not stack or stack[-1][1] or stack[-1][0] in _RAW_TEXT or not _WORD.search(part):
            continue
        names = {name for name, _ in stack}
        if "svg" in names and not names & {"text", "tspan"}:
            continue
        parts[i] = _mark_runs(part, in_svg="svg" in names)
    return "".join(parts)


def page(title: str, body: str, *, lang: str = "th", script: str | None = None) -> str:
    """A complete HTML document around ``body`` (already escaped HTML; its English parts are
    marked by :func:`mark_english`). ``title`` is text."""
    if lang == "th":
        body = mark_english(body)
    script_tag = f"<script>{script}</script>" if script else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_csp(bool(script))}">\n'
        f"<title>{esc(title)}</title>\n<style>{font_face_css()}\n{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n{script_tag}</body>\n</html>\n"
    )


def report_cells(notebook: Any) -> Any:
    """A copy of ``notebook`` with only what a report shows (see the module docstring)."""
    nb = copy.deepcopy(notebook)
    kept = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVED_TAGS or cell.cell_type == "raw":
            continue
        if cell.cell_type == "code":
            outputs = []
            for output in cell.get("outputs", []):
                if output.get("output_type") not in ("display_data", "execute_result"):
                    continue
                data = {m: v for m, v in output.get("data", {}).items() if m in KEPT_MIMETYPES}
                if data:
                    output["data"] = data
                    output["metadata"] = {}
                    outputs.append(output)
            cell.outputs = outputs
            if not outputs:
                continue
        kept.append(cell)
    nb.cells = kept
    return nb


@functools.cache
def _exporter() -> Any:
    """One HTML exporter per process (building one costs ~50 ms; converting ~30 ms)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class Exporter(HTMLExporter):
        """nbconvert's HTML exporter without its closing pass, which parses the whole page
        again with BeautifulSoup (~0.1 s a report, as long as the rest of the conversion) to
        give images without an alt text a placeholder (every chart here has its own) and to
        make ``jp-`` cells focusable (the basic template used here has none)."""

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(parent=self))
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return Exporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )


def notebook_to_html(notebook: Any, title: str) -> str:
    """The report page of an executed notebook."""
    body, _ = _exporter().from_notebook_node(report_cells(notebook))
    footer = (
        "<footer><p>แนวทางการพัฒนาบุคลากรภาครัฐ พ.ศ. 2563–2565"
        '<span class="en" lang="en">Public Sector Personnel Development Guideline '
        "B.E. 2563–2565</span></p></footer>"
    )
    return page(title, f"<main>{body}</main>{footer}")
