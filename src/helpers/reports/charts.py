"""Report charts with Thai + English text, embedded in HTML as inline SVG (text kept as text).

Fonts are vendored in ``assets/fonts`` (Laksaman regular and bold, TLWG's version of the
government face TH Sarabun New, GPL-2+ with the font exception; :mod:`helpers.reports.fonts`)
and registered with matplotlib at run time, so no system font or internet access is needed.
:func:`setup_fonts` applies the report style globally; the chart builders also apply it for
the figures they make, so they render correctly whether or not it was called.

Builders create :class:`matplotlib.figure.Figure` objects directly (not through pyplot), so a
Jupyter inline backend never displays them: embed them with :func:`figure_html`. Charts are
meant to survive greyscale printing: series differ by marker, line style or hatching as well
as by colour. They print at their natural size on A4: at most :data:`WIDTH_IN` by
:data:`MAX_HEIGHT_IN` inches (a builder refuses more rows than that holds), every text at least
:data:`MIN_TEXT_PT` points and inside the figure, every mark at least 3:1 against white. Thai
labels break between words (PyThaiNLP's dictionary tokenizer), never inside one.

A frame row may carry its audit marker in the column :data:`SOURCES` (see
:func:`helpers.reports.htmlexport.sources`): the markers of the rows a chart actually plots end
up in the ``data-sources`` attribute of its ``<svg>``, for ``workbook audit``; nothing visible
changes.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec

import numpy as np
import pandas as pd

from helpers.core.years import BE_OFFSET
from helpers.reports.fonts import FONT_FAMILY, register_fonts
from helpers.reports.htmlexport import sources_attr

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "FONT_FAMILY",
    "bar_chart",
    "benchmark_chart",
    "coefficient_chart",
    "distribution_chart",
    "figure_html",
    "funnel_chart",
    "item_chart",
    "setup_fonts",
    "trend_chart",
]

SOURCES = "_sources"  # optional frame column: the audit marker of each row
# Optional frame column: why a row has no value, written where the value would be. A row
# without a value and without this text is skipped. Withheld (fewer respondents than the
# reporting threshold, :func:`withheld`) and "no data" (nothing collected, :data:`NO_DATA`) are
# told apart everywhere.
MISSING = "_missing"
# Optional item-chart columns: the answer wording of each item's scale (positive, neutral,
# negative), e.g. agree/disagree or satisfied/dissatisfied; the legend follows them.
ANSWER_LABELS = ("answer_positive", "answer_neutral", "answer_negative")

NO_DATA = "ไม่มีข้อมูล / No data"


def withheld(k: int) -> str:
    """The words for a figure withheld because fewer than ``k`` people answered."""
    return f"ไม่เผยแพร่ (ผู้ตอบน้อยกว่า {k} คน) / Not published (fewer than {k} respondents)"


TARGET_LABEL = "ค่าเป้าหมาย / Target"
PROVISIONAL_TARGET_LABEL = "ค่าเป้าหมายชั่วคราว / Provisional target"  # while not confirmed
FOCUS_LABEL = "หน่วยงานนี้ / This agency"

WIDTH_IN = 6.5  # A4 portrait text width with ~2 cm margins
# Charts print at PRINT_SCALE of their natural size (the page's print stylesheet reads it from
# each chart's --print-width), never shrunk further to fit: at most WIDTH_IN wide (A4 printable
# width 7.3 in) and MAX_HEIGHT_IN tall (printable height about 10.5 in), every text at least
# MIN_TEXT_PT, so that it is at least 8 pt on paper.
PRINT_SCALE = 0.8
MAX_HEIGHT_IN = round(8.5 / PRINT_SCALE, 2)  # 8.5 in on paper
MIN_TEXT_PT = 8.0 / PRINT_SCALE
LINESPACING = 0.8  # the Thai font's line box is tall; 0.8 still clears stacked marks
EMPTY_HEIGHT = 2.6
LEGEND_ROW_IN = 0.27
SIDE_LEGEND_IN = 2.1  # a legend beside the plot: the width of its labels
SIDE_LEGEND_FOOT_IN = 0.05  # the least room below a legend beside the plot

INK = "#222222"
BLUE = "#1f4e79"
VERMILION = "#c8501e"
GREY = "#6e6e6e"
MID_GREY = "#767676"  # the lightest grey with 4.5:1 against white
NEUTRAL = "#8c8c8c"  # item chart: neutral answers (3.4:1 against white)
NEGATIVE = "#d06a3a"  # item chart: negative answers (3.6:1 against white)
LIGHT = "#bdbdbd"  # not for data marks: below 3:1 against white
PALETTE = (BLUE, VERMILION, GREY, "#2a8a66", "#a0527a", "#b8860b")
# Every colour a data mark may take; each has at least 3:1 against white (WCAG 1.4.11).
MARK_COLOURS = (*PALETTE, INK, MID_GREY, NEUTRAL, NEGATIVE)
MARKERS = ("o", "s", "^", "D", "v", "P")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)))

_RC: dict[str, Any] = {
    "font.family": [FONT_FAMILY, "DejaVu Sans"],
    "font.size": 10.5,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlepad": 10,
    "axes.labelsize": 10.5,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": True,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.frameon": False,
    "legend.fontsize": 10,
    "lines.linewidth": 1.8,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "text.color": INK,
    "text.parse_math": False,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "helpers.charts",  # a fixed salt: stable SVG ids (its old module name)
}

P = ParamSpec("P")


def setup_fonts() -> None:
    """Register the vendored Thai fonts and set the report style in ``matplotlib.rcParams``."""
    import matplotlib

    register_fonts()
    matplotlib.rcParams.update(_RC)


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    register_fonts()
    with matplotlib.rc_context(_RC):
        yield


def _styled(func: Callable[P, Figure]) -> Callable[P, Figure]:
    """Build with the report style, and refuse a figure too big to print at its full size."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with _style():
            fig = func(*args, **kwargs)
        width, height = fig.get_size_inches()
        if width > WIDTH_IN + 1e-9 or height > MAX_HEIGHT_IN + 1e-9:
            raise ValueError(
                f"{func.__name__}: a chart {width:.1f} x {height:.1f} in is bigger than the "
                f"{WIDTH_IN} x {MAX_HEIGHT_IN} in that fit an A4 page when printed; "
                "give it fewer rows."
            )
        return fig

    return wrapper


_SVG_ID = re.compile(r'\bid="([^"]+)"')
_SVG_FONT = "font-family: 'Laksaman', 'DejaVu Sans'"
CSS_PX_PER_PT = 96 / 72


def _svg_markup(fig: Figure) -> tuple[str, float, float]:
    """The figure as inline SVG markup ready for an HTML page, and its size in points.

    Text stays text (``svg.fonttype: none``) in the report's embedded Thai face, so the browser
    shapes Thai itself and print is vector-sharp. The SVG is exactly the figure's size (no
    cropping: the chart builders keep everything inside the figure), so a chart prints at the
    size it was laid out for. The XML prologue and metadata (with its date and URLs) are
    dropped, and ids get a prefix from the content so that several charts on one page never
    share an id.
    """
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.BytesIO()
    with _style(), matplotlib.rc_context({"svg.fonttype": "none"}), _text_measured_once():
        # Straight to the SVG canvas: ``savefig`` would first lay the figure out through a
        # whole draw it throws away, a third of a chart's time; drawn once, the constrained
        # layout runs at the start of that draw with the same SVG text metrics.
        canvas = fig.canvas
        try:
            FigureCanvasSVG(fig).print_svg(buffer, metadata={"Date": None})
        finally:
            fig.set_canvas(canvas)
    text = buffer.getvalue().decode("utf-8")
    text = text[text.index("<svg") :].strip()
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    text = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", text)
    text = text.replace(_SVG_FONT, "font-family: 'Workbook Thai', 'Laksaman', sans-serif")
    prefix = _content_id(text) + "-"
    ids = set(_SVG_ID.findall(text))
    text = _SVG_ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = re.sub(
        r'(url\(#|href="#)([^)"]+)',
        lambda m: m.group(1) + (prefix + m.group(2) if m.group(2) in ids else m.group(2)),
        text,
    )
    size = re.match(r'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"', text)
    width, height = (float(size.group(1)), float(size.group(2))) if size else (0.0, 0.0)
    return text, width, height


# (text, font files, kerning factor, last-resort font) -> (width, height, descent) in points at
# matplotlib's TextToPath.FONT_SCALE: what shaping a text costs, kept for the process
_TEXT_METRICS: dict[tuple[Any, ...], tuple[float, float, float]] = {}
_TEXT_METRICS_MAX = 50_000


@contextmanager
def _text_measured_once() -> Iterator[None]:
    """Within: every SVG renderer matplotlib makes measures a distinct text once per process.

    Each chart's renderer comes with its own ``TextToPath``, whose measurements die with it, so
    every chart shaped the same tick labels, legends and Thai titles again (about 0.09 s of a
    report's 1.2 s, measured). The renderer takes its ``TextToPath`` from ``matplotlib.text``;
    here that name is, for the time of one print, a subclass that remembers. The numbers are
    those it would compute (the same arithmetic; SVG compared byte for byte in the tests).
    """
    from matplotlib import text as mtext

    original = mtext.TextToPath
    mtext.TextToPath = _measuring_text_to_path()
    try:
        yield
    finally:
        mtext.TextToPath = original


@functools.cache
def _measuring_text_to_path() -> type:
    import matplotlib
    from matplotlib.font_manager import fontManager
    from matplotlib.textpath import TextToPath

    class MeasuringOnce(TextToPath):
        def get_text_width_height_descent(self, s, prop, ismath):  # type: ignore[no-untyped-def]
            if ismath:
                return super().get_text_width_height_descent(s, prop, ismath)
            key = (
                s,
                tuple(fontManager._find_fonts_by_props(prop)),
                matplotlib.rcParams["text.kerning_factor"],
                matplotlib.rcParams["font.enable_last_resort"],
            )
            unscaled = _TEXT_METRICS.get(key)
            if unscaled is None:
                at_scale = prop.copy()
                at_scale.set_size(self.FONT_SCALE)
                unscaled = super().get_text_width_height_descent(s, at_scale, ismath)
                if len(_TEXT_METRICS) >= _TEXT_METRICS_MAX:
                    _TEXT_METRICS.clear()
                _TEXT_METRICS[key] = unscaled
            scale = prop.get_size_in_points() / self.FONT_SCALE
            return tuple(value * scale for value in unscaled)

    return MeasuringOnce


def _content_id(*parts: str) -> str:
    """An HTML id from content (deterministic; different content, different id)."""
    digest = hashlib.sha1("\0".join(parts).encode("utf-8")).hexdigest()[:12]
    # letters only: a run of digits in a page reads as a phone number to `workbook audit`
    return "c" + digest.translate(str.maketrans("0123456789", "ghijklmnop"))


def _keep_sources(fig: Figure, data: pd.DataFrame) -> None:
    """Remember the audit markers of the rows ``fig`` plots (column :data:`SOURCES`)."""
    if SOURCES not in getattr(data, "columns", ()):
        return
    found = [s for s in data[SOURCES] if isinstance(s, str) and s]
    fig._workbook_sources = [*getattr(fig, "_workbook_sources", []), *found]


Bilingual = str | tuple[str, str]  # (Thai, English); a plain str is one text for both


def _pair(text: Bilingual | None, what: str) -> tuple[str, str]:
    if text is None:
        return "", ""
    if isinstance(text, str):
        return text, ""
    if isinstance(text, tuple) and len(text) == 2 and all(isinstance(t, str) for t in text):
        return text
    raise TypeError(f"figure_html: {what} must be a str or a (Thai, English) tuple of str.")


def figure_html(fig: Figure, alt: Bilingual, caption: Bilingual | None = None) -> str:
    """Embed ``fig`` as inline SVG inside ``<figure class="chart">`` and close it.

    ``alt`` describes the chart to someone who cannot see it; ``alt`` and ``caption`` may each
    be a (Thai, English) pair. The Thai alt is the SVG's accessible name (``aria-label``; no
    ``<title>``, whose text could not mark the English terms a Thai alt holds), the English
    one its description (``aria-describedby`` a visually hidden paragraph in
    ``lang="en"``); a Thai caption is followed by its English in
    ``<span class="en" lang="en">``. A plain ``str`` is used as before: as the accessible name,
    and as the whole caption. The audit markers of what the chart plots are in
    ``data-sources``. The SVG's ``width``/``height`` are the figure's size in CSS pixels (its
    ``viewBox`` in points), so the browser's natural size is the size the chart was laid out
    for."""
    alt_th, alt_en = _pair(alt, "alt")
    caption_th, caption_en = _pair(caption, "caption")
    if not alt_th.strip() or (isinstance(alt, tuple) and not alt_en.strip()):
        raise ValueError("figure_html needs a non-empty alt text describing the chart.")
    marker = sources_attr(*getattr(fig, "_workbook_sources", []))
    svg, width, height = _svg_markup(fig)
    _close(fig)
    label = html.escape(alt_th, quote=True)
    described = ""
    description = ""
    if alt_en.strip():
        # unique on a page: the SVG's content (its ids' prefix) and both texts
        desc_id = _content_id(svg, alt_th, alt_en) + "-desc"
        described = f' aria-describedby="{desc_id}"'
        description = (
            f'<p id="{desc_id}" class="sr-only" lang="en">{html.escape(alt_en, quote=True)}</p>'
        )
    svg = re.sub(
        r'^<svg([^>]*?)width="[\d.]+pt" height="[\d.]+pt"',
        lambda m: (
            f'<svg role="img" aria-label="{label}"{described}{marker}{m.group(1)}'
            f'width="{round(width * CSS_PX_PER_PT)}" height="{round(height * CSS_PX_PER_PT)}" '
            f'style="--print-width: {round(width * CSS_PX_PER_PT * PRINT_SCALE)}px"'
        ),
        svg,
        count=1,
    )
    figcaption = ""
    if caption_th or caption_en:
        english = (
            f'<span class="en" lang="en">{html.escape(caption_en, quote=True)}</span>'
            if caption_en
            else ""
        )
        figcaption = f"<figcaption>{html.escape(caption_th, quote=True)}{english}</figcaption>"
    return f'<figure class="chart">{svg}{description}{figcaption}</figure>'


def _close(fig: Figure) -> None:
    if fig.canvas.manager is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)


# Text wrapping. Thai is written without spaces between words, so lines break between the words
# PyThaiNLP's dictionary tokenizer (newmm) finds, at spaces, and after a "/" or a dash joining
# two parts; never inside a word. A word longer than the line stays whole (on its own line).
_NEVER_STARTS_A_LINE = frozenset("ๆฯ/)")  # Thai repetition and abbreviation marks, "/", ")"
_BREAK_AFTER = frozenset("/–")


def _visible_len(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch) != "Mn")


def _is_thai(ch: str) -> bool:
    return "\u0e01" <= ch <= "\u0e5b"


def warm_word_breaker() -> None:
    """Load PyThaiNLP's word breaker and dictionary now (about half a second): the kernel server
    calls this once (``kernel_preload`` in config/pipeline.yaml), so that the report kernels
    forked from it do not each pay it at their first Thai chart label."""
    _pieces("ผู้รับบริการ")


# Entries of PyThaiNLP's dictionary that are two words, not one, and make its tokenizer cut a
# real word on a tie: with การตาม, "ดำเนินการตาม" becomes ดำเนิน|การตาม instead of ดำเนินการ|ตาม.
NOT_WORDS = frozenset({"การตาม"})


@functools.lru_cache(maxsize=1)
def _dictionary() -> Any:
    """PyThaiNLP's word list without :data:`NOT_WORDS`, as the tokenizer's trie."""
    from pythainlp.corpus import thai_words
    from pythainlp.util import dict_trie

    return dict_trie(set(thai_words()) - NOT_WORDS)


@functools.lru_cache(maxsize=2048)
def _pieces(text: str) -> tuple[tuple[bool, str], ...]:
    """``text`` (single spaces) cut where a line may break: (a space precedes it, piece)."""
    if any(_is_thai(ch) for ch in text):
        # Imported here, not with the module: importing PyThaiNLP and loading its dictionary
        # costs about half a second, paid only by a process that wraps Thai text.
        from pythainlp.tokenize import word_tokenize

        tokens = word_tokenize(
            text, engine="newmm", custom_dict=_dictionary(), keep_whitespace=True
        )
    else:
        tokens = re.split(r"( )", text)
    words, offset = set(), 0
    for token in tokens:
        offset += len(token)
        words.add(offset)
    pieces: list[tuple[bool, str]] = []
    start, space = 0, False
    for i in range(1, len(text)):
        before, ch = text[i - 1], text[i]
        if ch == " " or before == " ":
            if ch == " " and i + 1 < len(text) and text[i + 1] not in _NEVER_STARTS_A_LINE:
                pieces.append((space, text[start:i]))
                start, space = i + 1, True
            continue
        if ch in _NEVER_STARTS_A_LINE or i == start:
            continue
        between_thai_words = i in words and _is_thai(before) and _is_thai(ch)
        after_joiner = (
            before in _BREAK_AFTER
            and ch.isalpha()
            and (before == "/" or (i >= 2 and _is_thai(text[i - 2]) and _is_thai(ch)))
        )
        if between_thai_words or after_joiner:
            pieces.append((space, text[start:i]))
            start, space = i, False
    pieces.append((space, text[start:]))
    return tuple(p for p in pieces if p[1])


def _fill(pieces: Sequence[tuple[bool, str]], sizes: Sequence[int], width: int) -> list[str]:
    """Greedy lines of at most ``width`` visible characters; ``sizes`` are the pieces' visible
    lengths (a line's is their sum plus its spaces: combining marks belong to one piece)."""
    lines: list[str] = []
    current, length = "", 0
    for (space, piece), size in zip(pieces, sizes, strict=True):
        gap = 1 if space and current else 0
        if current and length + gap + size > width:
            lines.append(current)
            current, length = piece, size
        else:
            current = f"{current}{' ' if gap else ''}{piece}"
            length += gap + size
    if current:
        lines.append(current)
    return lines


@functools.lru_cache(maxsize=4096)
def _wrap_text(text: str, width: int) -> str:
    text = " ".join(text.split())
    pieces = _pieces(text)
    sizes = [_visible_len(piece) for _, piece in pieces]
    lines = _fill(pieces, sizes, width)
    narrowest = width  # as many lines, as even as they can be
    while narrowest > 1 and len(_fill(pieces, sizes, narrowest - 1)) == len(lines):
        narrowest -= 1
    wrapped = "\n".join(_fill(pieces, sizes, narrowest))
    thai, slash, english = text.partition(" / ")
    if "\n" in wrapped and slash and english:  # rather "ไทย /" and "English" on lines of their own
        parts = f"{_wrap_text(thai + ' /', width)}\n{_wrap_text(english, width)}"
        if parts.count("\n") <= wrapped.count("\n"):
            return parts
    return wrapped


def _wrap(text: object, width: int) -> str:
    """``text`` in lines of at most ``width`` characters (combining marks do not count), broken
    only between words; a word longer than ``width`` has a line to itself."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _wrap_text(str(text), width)


@functools.lru_cache(maxsize=1024)
def _wrap_to(text: str, inches: float, size: float, weight: str = "normal") -> str:
    """``text`` wrapped (:func:`_wrap`) so that no line is wider than ``inches`` at ``size``
    points, as far as its words allow."""
    chars = _visible_len(text)
    while chars > 1:
        wrapped = _wrap(text, chars)
        if max(_text_width_in(line, size, weight) for line in wrapped.split("\n")) <= inches:
            return wrapped
        chars -= 1
    return _wrap(text, 1)


TITLE_WIDTH_IN = WIDTH_IN - 0.3


def _title(ax: Axes, title: str, **kwargs: Any) -> None:
    """The chart's title, centred on the figure (not the axes, which the row labels push to the
    right) and wrapped to fit it."""
    from matplotlib.transforms import blended_transform_factory

    size, weight = _RC["axes.titlesize"], _RC["axes.titleweight"]
    ax.set_title(_wrap_to(title, TITLE_WIDTH_IN, size, weight), linespacing=LINESPACING, **kwargs)
    fig = ax.get_figure()
    ax.title.set_transform(
        blended_transform_factory(fig.transFigure, ax.transAxes) + ax.titleOffsetTrans
    )
    ax.title.set_x(0.5)


def _new_figure(height: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
    ax = fig.add_subplot()
    return fig, ax


def _no_data(ax: Axes, text: str = NO_DATA) -> None:
    ax.text(
        0.5,
        0.5,
        _wrap(text, 60),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=12,
        color=GREY,
        linespacing=LINESPACING,
    )
    ax.set_xticks([])
    ax.set_yticks([])


@functools.lru_cache(maxsize=4096)
def _text_width_in(text: str, size: float, weight: str = "normal") -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    register_fonts()
    prop = FontProperties(family=[FONT_FAMILY, "DejaVu Sans"], size=size, weight=weight)
    return text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0] / 72


def _legend(
    fig: Figure, handles: Sequence[Any], labels: Sequence[str], *, side: bool = False
) -> None:
    """Legend below the axes in as many columns as fit; the figure grows to make room.

    With ``side``, the legend stands right of the axes instead, one entry under the other, each
    label's Thai over its English, both wrapped to :data:`SIDE_LEGEND_IN`: for charts whose plot
    does not need the whole width (a few years, a funnel), this keeps the figure short on paper.
    """
    if not handles:
        return
    if side:
        import matplotlib

        size = _RC["legend.fontsize"]
        stacked = [
            "\n".join(_wrap_to(part, SIDE_LEGEND_IN, size) for part in label.split(" / ", 1))
            for label in labels
        ]
        # on the axes, not the figure: it starts below the title, which keeps the full width
        legend = fig.axes[0].legend(
            handles,
            stacked,
            loc="upper left",
            bbox_to_anchor=(1.03, 1.0),
            borderaxespad=0.0,
            handlelength=2.6,
            labelspacing=0.7,
        )
        for text in legend.get_texts():
            text.set_linespacing(LINESPACING)
        # The legend hangs from the top of the plot, below the title: the figure must hold the
        # title, the title's pad, the legend and a foot. Text sizes do not depend on the layout,
        # so they are measured without laying the figure out (a layout pass per chart cost a
        # report about 0.3 s). The plot's top lies 0.12-0.13 in more than the title's height
        # below the figure's top (measured), within the pad (10 pt, 0.14 in).
        ax = fig.axes[0]
        needed = (
            ax.title.get_window_extent().height / fig.dpi
            + matplotlib.rcParams["axes.titlepad"] / 72
            + legend.get_window_extent().height / fig.dpi
            + SIDE_LEGEND_FOOT_IN
        )
        fig.set_figheight(max(fig.get_figheight(), needed))
        return
    ncol = _legend_columns(labels)
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncol=ncol,
        handlelength=2.6,
        labelspacing=0.2,
        columnspacing=1.4,
    )
    rows = math.ceil(len(labels) / ncol)
    fig.set_figheight(fig.get_figheight() + LEGEND_ROW_IN * rows)


def _numeric(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce")
    return out


def _row_heights(labels: Sequence[str], base: float = 0.32, per_line: float = 0.19) -> float:
    return sum(base + per_line * (label.count("\n") + 1) for label in labels)


def _rows_figure(
    labels: Sequence[str], title: str, xlabel: str, *, top: float = 1.2, base: float = 0.32
) -> tuple[Figure, Axes]:
    """A figure for one row per label, tall enough for the (wrapped) labels, titled."""
    fig, ax = _new_figure(top + _row_heights(labels, base=base) if labels else EMPTY_HEIGHT)
    _title(ax, title)
    ax.set_xlabel(xlabel)
    return fig, ax


def _label_axis(
    ax: Axes, labels: Sequence[str], heights: Sequence[float] | None = None
) -> np.ndarray:
    """One row per label from the top: at 0, 1, 2... or, given ``heights``, each row as tall
    as its height (from 0 down)."""
    if heights is None:
        edges = np.arange(len(labels) + 1, dtype=float) - 0.5
    else:
        edges = np.concatenate([[0.0], np.cumsum(heights, dtype=float)])
    positions = (edges[:-1] + edges[1:]) / 2
    ax.set_yticks(positions, labels)
    ax.set_ylim(edges[-1], edges[0])
    ax.tick_params(axis="y", length=0)
    for text in ax.get_yticklabels():
        text.set_linespacing(LINESPACING)
    return positions


def _year_label(year: int) -> str:
    return f"{year}\n({year - BE_OFFSET})"


def _fmt(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}".replace("-", "\u2212")


def _reasons(frame: pd.DataFrame) -> pd.Series:
    """The :data:`MISSING` text of each row ('' where there is none)."""
    if MISSING not in getattr(frame, "columns", ()):
        return pd.Series("", index=frame.index, dtype=object)
    return frame[MISSING].map(lambda v: v if isinstance(v, str) else "")


def _series_style(slot: int, focus: bool) -> dict[str, Any]:
    """The look of a trend series, fixed by its slot in ``series_order`` (not by which series
    happen to have values), so a series never takes another's style. The focus series (the
    first of ``series_order``) is the boldest mark."""
    colour = PALETTE[slot % len(PALETTE)]
    return {
        "color": colour,
        "marker": MARKERS[slot % len(MARKERS)],
        "linestyle": LINESTYLES[slot % len(LINESTYLES)],
        "linewidth": 2.8 if focus else 1.5,
        "markersize": 8.5 if focus else 5.5,
        "markeredgecolor": "white" if focus else colour,
        "markeredgewidth": 1.0,
        "markerfacecolor": "white" if slot % len(PALETTE) == 2 else colour,
        "zorder": 20 if focus else 10 - slot,
    }


@_styled
def trend_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    ylabel: str,
    target: float | None = None,
    target_label: str = TARGET_LABEL,
    series_order: Sequence[str] | None = None,
) -> Figure:
    """Lines per ``series`` over B.E. ``fiscal_year`` with optional CI bars and target line.

    Each series' style follows its place in ``series_order`` (series not named there come
    after), whether or not the others have values. The first series of ``series_order`` is the
    focus (this agency): drawn boldest, on top, and its years without a value but with a
    :data:`MISSING` text are labelled with that text (in the legend when it has no value at
    all)."""
    fig, ax = _new_figure(2.5 if len(frame) else EMPTY_HEIGHT)
    _title(ax, title)
    ax.set_xlabel("ปีงบประมาณ พ.ศ. (ค.ศ.) / Fiscal year B.E. (C.E.)")
    ax.set_ylabel(ylabel.replace(" / ", "\n"), linespacing=LINESPACING)  # Thai over English
    data = _numeric(frame, ["fiscal_year", "value", "ci_low", "ci_high"])
    focus = str(series_order[0]) if series_order else None
    gaps = pd.DataFrame(columns=["fiscal_year", "text"])
    if len(data) and focus is not None and {"series", "fiscal_year"} <= set(data.columns):
        reasons = _reasons(data)
        hole = (
            (data["series"].astype(str) == focus)
            & data["value"].isna()
            & data["fiscal_year"].notna()
            & (reasons != "")
        )
        gaps = pd.DataFrame(
            {"fiscal_year": data.loc[hole, "fiscal_year"].astype(int), "text": reasons[hole]}
        ).drop_duplicates("fiscal_year")
    data = data.dropna(subset=["fiscal_year", "value"]) if len(data) else data
    _keep_sources(fig, data)
    if data.empty:
        _no_data(ax, "; ".join(dict.fromkeys(gaps["text"])) or NO_DATA)
        return fig
    data["fiscal_year"] = data["fiscal_year"].astype(int)
    data["series"] = data["series"].astype(str)
    present = list(dict.fromkeys(data["series"]))
    slots = {str(s): i for i, s in enumerate(dict.fromkeys(series_order or []))}
    for name in present:
        slots.setdefault(name, len(slots))
    order = [s for s in slots if s in present or (s == focus and len(gaps))]
    years = sorted(set(data["fiscal_year"]) | set(gaps["fiscal_year"]))
    has_ci = {"ci_low", "ci_high"} <= set(data.columns)
    with_ci = [
        s
        for s in order
        if has_ci and data.loc[data["series"] == s, ["ci_low", "ci_high"]].notna().all(axis=1).any()
    ]
    handles, labels = [], []
    notes: list[tuple[int, str]] = []
    for name in order:
        style = _series_style(slots[name], name == focus)
        if name not in present:  # the focus without any value: say why, in its own style
            (line,) = ax.plot([], [], **style)
            handles.append(line)
            # the whole Thai, then the whole English: "หน่วยงานนี้: ไม่เผยแพร่ (…) / This agency: …"
            why = list(dict.fromkeys(gaps["text"]))
            name_th, _, name_en = name.partition(" / ")
            why_th = "; ".join(w.partition(" / ")[0] for w in why)
            why_en = "; ".join((w.partition(" / ")[2] or w).lower() for w in why)
            labels.append(f"{name_th}: {why_th} / {name_en or name_th}: {why_en}")
            continue
        rows = data[data["series"] == name].groupby("fiscal_year").first()
        rows = rows.reindex(years)
        shift = 0.0
        if name in with_ci and len(with_ci) > 1:
            shift = 0.07 * (with_ci.index(name) - (len(with_ci) - 1) / 2)
        x = np.asarray(years, dtype=float) + shift
        (line,) = ax.plot(x, rows["value"].to_numpy(dtype=float), label=name, **style)
        if name in with_ci:
            ok = rows[["value", "ci_low", "ci_high"]].notna().all(axis=1).to_numpy()
            value = rows["value"].to_numpy(dtype=float)[ok]
            low = np.clip(value - rows["ci_low"].to_numpy(dtype=float)[ok], 0, None)
            high = np.clip(rows["ci_high"].to_numpy(dtype=float)[ok] - value, 0, None)
            ax.errorbar(
                x[ok],
                value,
                yerr=[low, high],
                fmt="none",
                ecolor=style["color"],
                elinewidth=1.6 if name == focus else 1.1,
                capsize=3,
                zorder=style["zorder"] - 0.5,
            )
        if name == focus:
            notes = [
                (year, f"{name.split(' / ')[0]}: {text.split(' / ')[0]}")
                for year, text in zip(gaps["fiscal_year"], gaps["text"], strict=True)
                if year not in set(rows.dropna(subset=["value"]).index)
            ]
        handles.append(line)
        labels.append(name)
    if has_ci and with_ci:
        handles.append(_ci_handle())
        labels.append("ช่วงความเชื่อมั่น 95% / 95% CI")
    if target is not None and not pd.isna(target):
        handles.append(
            ax.axhline(target, color=INK, linestyle=(0, (6, 3)), linewidth=1.1, zorder=2)
        )
        labels.append(target_label)
    ax.set_xticks(years, [_year_label(y) for y in years])
    for text in ax.get_xticklabels():
        text.set_linespacing(LINESPACING)
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.grid(axis="y", color="#e3e3e3", linewidth=0.7)
    ax.set_axisbelow(True)
    _gap_notes(ax, notes, data, target)
    _legend(fig, handles, labels, side=True)
    return fig


def _gap_notes(
    ax: Axes, notes: Sequence[tuple[int, str]], data: pd.DataFrame, target: float | None
) -> None:
    """Write why the focus has no value in a year, at the bottom of the plot or, when values
    of that year (or the target) lie there, at its top."""
    ax.autoscale_view()
    low, high = ax.get_ylim()
    for year, text in notes:
        columns = [c for c in ("value", "ci_low", "ci_high") if c in data.columns]
        values = data.loc[data["fiscal_year"] == year, columns]
        values = [v for v in values.to_numpy(dtype=float).ravel() if not np.isnan(v)]
        if target is not None and not pd.isna(target):
            values.append(float(target))
        at_bottom = all((v - low) / ((high - low) or 1) > 0.3 for v in values)
        ax.annotate(
            _wrap(text, 18),
            xy=(year, 0 if at_bottom else 1),
            xycoords=("data", "axes fraction"),
            xytext=(0, 4 if at_bottom else -4),
            textcoords="offset points",
            ha="center",
            va="bottom" if at_bottom else "top",
            fontsize=MIN_TEXT_PT,
            color=INK,
            linespacing=LINESPACING,
            zorder=25,
            bbox={  # a line passing behind stays visible, the words stay legible
                "boxstyle": "round,pad=0.2",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.85,
            },
        )


def _ci_handle() -> Any:
    from matplotlib.lines import Line2D

    return Line2D([], [], color=INK, marker="|", markersize=10, linestyle="none", linewidth=1)


DEFAULT_ANSWERS = ("เชิงบวก / Positive", "เป็นกลาง / Neutral", "เชิงลบ / Negative")

# The item chart's rows, in inches (its y axis counts inches): each row as tall as its label.
ITEM_LABEL_PT = MIN_TEXT_PT
ITEM_LABEL_IN = 3.55  # the widest label line (the bars keep about 2.7 in)
ITEM_ROW_IN = 0.25  # a row whose label is one line
ITEM_LINE_IN = 0.17  # each further line
ITEM_BAR_IN = 0.18
ITEM_TOP_IN = 0.36  # the title
ITEM_BOTTOM_IN = 0.53  # tick labels, the axis label, margins
ITEM_LEGEND_ROW_PT = 18.6  # a legend row of entries at the legend font size
ITEM_LEGEND_GAP_PT = 8.0  # between a panel's legend and what is above it
NOTE_PT = MIN_TEXT_PT  # values and notes written on a chart
NOTE_WIDTH_IN = WIDTH_IN - ITEM_LABEL_IN - 0.3  # a note written where a row's bars would be


@_styled
def item_chart(frame: pd.DataFrame, *, title: str) -> Figure:
    """Stacked positive/neutral/negative percent bars per survey item, in the frame's order.

    The legend follows each item's answer scale (columns :data:`ANSWER_LABELS`): items of
    different scales are drawn in separate panels, each with its own legend. A row without
    percentages but with a :data:`MISSING` text keeps its place and shows that text.

    The chart prints at its full size, so it holds only as many items as fit a page: the 18
    agreement items of the staff survey do, its 22 items together do not. More raise
    ``ValueError`` (draw one chart per answer scale, or fewer items a chart)."""
    columns = ["percent_positive", "percent_neutral", "percent_negative"]
    data = _numeric(frame, columns)
    if len(data):
        reasons = _reasons(data)
        shown = data[columns].notna().all(axis=1)
        keep = shown | (reasons != "")
        data = data[keep].copy()
        data[MISSING] = reasons[keep].where(~shown[keep], "")
    if not len(data) or "label" not in data.columns:
        fig, ax = _rows_figure([], title, "ร้อยละ / Percent", top=1.3)
        _no_data(ax)
        return fig
    if not data[columns].notna().all(axis=1).any():  # nothing to draw: say why, once
        fig, ax = _rows_figure([], title, "ร้อยละ / Percent", top=1.3)
        _keep_sources(fig, data.iloc[0:0])
        _no_data(ax, "; ".join(dict.fromkeys(data[MISSING])))
        return fig
    answers = [
        tuple(
            str(row[c]) if c in data.columns and isinstance(row[c], str) else default
            for c, default in zip(ANSWER_LABELS, DEFAULT_ANSWERS, strict=True)
        )
        for _, row in data.iterrows()
    ]
    data = data.assign(_answers=answers)
    groups = list(dict.fromkeys(answers))
    labels = {
        key: [
            _wrap_to(str(x), ITEM_LABEL_IN, ITEM_LABEL_PT)
            for x in data.loc[data["_answers"] == key, "label"]
        ]
        for key in groups
    }
    notes = {  # why a row has no bars, written across the bars' room
        key: [
            _wrap_to(str(x), NOTE_WIDTH_IN, NOTE_PT) if x else ""
            for x in data.loc[data["_answers"] == key, MISSING]
        ]
        for key in groups
    }
    rows = {
        key: np.array(
            [
                ITEM_ROW_IN + ITEM_LINE_IN * max(label.count("\n"), note.count("\n"))
                for label, note in zip(labels[key], notes[key], strict=True)
            ]
        )
        for key in groups
    }
    legend_rows = {key: math.ceil(len(key) / _legend_columns(key)) for key in groups}
    legends_in = sum(_panel_legend_pt(legend_rows[k]) / 72 for k in groups)
    height = ITEM_TOP_IN + ITEM_BOTTOM_IN + legends_in + sum(rows[k].sum() for k in groups)
    if height > MAX_HEIGHT_IN:
        raise ValueError(
            f"item_chart: {len(data)} items need a chart {height:.1f} in tall, more than the "
            f"{MAX_HEIGHT_IN} in that fit an A4 page when printed; draw one chart per "
            "answer scale (the frame's `scale` column), or fewer items."
        )
    from matplotlib.figure import Figure
    from matplotlib.transforms import blended_transform_factory, offset_copy

    fig = Figure(figsize=(WIDTH_IN, height))
    fig.set_layout_engine("constrained", h_pad=0.03, hspace=0)
    axes = fig.subplots(
        len(groups), 1, height_ratios=[rows[k].sum() for k in groups], squeeze=False
    )[:, 0]
    _keep_sources(fig, data[data[MISSING] == ""])
    colours = (BLUE, NEUTRAL, NEGATIVE)
    hatches = ("", "--", "////")  # dots: 250 KB of SVG
    for ax, key in zip(axes, groups, strict=True):
        part = data[data["_answers"] == key]
        y = _label_axis(ax, labels[key], rows[key])
        for text in ax.get_yticklabels():
            text.set_fontsize(ITEM_LABEL_PT)
        left = np.zeros(len(part))
        handles = []
        for name, colour, hatch, column in zip(key, colours, hatches, columns, strict=True):
            width = np.nan_to_num(part[column].to_numpy(dtype=float))
            bars = ax.barh(
                y,
                width,
                left=left,
                height=ITEM_BAR_IN,
                color=colour,
                hatch=hatch or None,
                hatchcolor="white",
                edgecolor="white",
                linewidth=0.8,
                label=name,
            )
            handles.append(bars)
            left = left + width
        for yi, positive, note in zip(
            y, part["percent_positive"].to_numpy(dtype=float), notes[key], strict=True
        ):
            if note:
                ax.text(
                    1,
                    yi,
                    note,
                    ha="left",
                    va="center",
                    color=INK,
                    fontsize=NOTE_PT,
                    linespacing=LINESPACING,
                )
                continue
            inside = positive >= 9
            ax.text(
                positive - 1.2 if inside else positive + 1.2,
                yi,
                f"{positive:.0f}%",
                ha="right" if inside else "left",
                va="center",
                color="white" if inside else INK,
                fontweight="bold",
                fontsize=NOTE_PT,
                bbox=None if inside else {"facecolor": "white", "edgecolor": "none", "pad": 0.6},
            )
        ax.set_xlim(0, 100)
        ax.set_xticks(range(0, 101, 20))
        ax.spines["left"].set_visible(False)
        # each panel's legend just above its bars, from the left edge of the figure
        legend = ax.legend(
            handles,
            key,
            loc="lower left",
            bbox_to_anchor=(0.01, 1),  # x: the figure's left edge, y: the panel's top
            bbox_transform=offset_copy(
                blended_transform_factory(fig.transFigure, ax.transAxes),
                fig=fig,
                y=2,
                units="points",
            ),
            ncol=_legend_columns(key),
            handlelength=2.6,
            columnspacing=1.4,
            labelspacing=0.2,
            borderaxespad=0,
            borderpad=0.2,
        )
        legend.set_in_layout(False)  # its room is the title pad below, not a narrower axes
        pad = _panel_legend_pt(legend_rows[key])
        if ax is axes[0]:
            _title(ax, title, pad=pad)
        else:  # an empty title holds the room of the legend
            ax.set_title(" ", pad=pad - 16, fontsize=MIN_TEXT_PT)
    axes[-1].set_xlabel("ร้อยละ / Percent")
    for ax in axes[:-1]:
        ax.tick_params(axis="x", labelbottom=False)
    return fig


def _panel_legend_pt(rows: int) -> float:
    """The room of a legend of ``rows`` rows drawn just above a panel, in points."""
    return ITEM_LEGEND_ROW_PT * rows + 4 + ITEM_LEGEND_GAP_PT


def _legend_columns(labels: Sequence[str]) -> int:
    """As many legend columns as fit the figure's width."""
    size = _RC["legend.fontsize"]
    # an entry: its handle (2.6 em), the pad to its text (0.8 em), the column spacing (1.4 em);
    # matplotlib fills the columns one after the other (np.array_split)
    widths = np.array([_text_width_in(label, size) + 4.8 * size / 72 for label in labels])
    for k in range(len(labels), 0, -1):
        if sum(column.max() for column in np.array_split(widths, k)) <= WIDTH_IN - 0.1:
            return k
    return 1


@_styled
def benchmark_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    xlim: tuple[float, float] | None = None,
) -> Figure:
    """Agency value with CI against government median, upper quartile and ministry median."""
    columns = ["value", "ci_low", "ci_high", "gov_median", "gov_q3", "ministry_median"]
    data = _numeric(frame, columns)
    if len(data):
        reasons = _reasons(data)
        keep = data["value"].notna() | (reasons != "")
        data = data[keep].copy()
        data[MISSING] = reasons[keep].where(data["value"].isna(), "")
    labels = [_wrap(label, 52) for label in data.get("label", pd.Series(dtype=str))]
    if len(data) and data["value"].isna().all():  # nothing to draw: say why, once
        fig, ax = _rows_figure([], title, xlabel, base=0.2)
        _no_data(ax, "; ".join(dict.fromkeys(data[MISSING])))
        return fig
    fig, ax = _rows_figure(labels, title, xlabel, base=0.2)
    _keep_sources(fig, data)
    if data.empty:
        _no_data(ax)
        return fig
    y = _label_axis(ax, labels)
    handles, names = [], []
    benchmarks = [  # lighter than the agency's own dot, which stays the boldest mark
        ("gov_median", "มัธยฐานของทุกหน่วยงาน / Median of all agencies", "|", INK, 13, 1.5, "none"),
        ("gov_q3", "ควอร์ไทล์บน / Upper quartile", "D", GREY, 7, 1.2, "none"),
        ("ministry_median", "มัธยฐานกระทรวง / Ministry median", "s", VERMILION, 7.5, 1.2, "none"),
    ]
    size = _RC["ytick.labelsize"]
    label_in = max(_text_width_in(line, size) for label in labels for line in label.split("\n"))
    room = WIDTH_IN - 0.5 - label_in  # for a note: from the axes' left edge to the figure's
    for yi, reason in zip(y, data[MISSING], strict=True):
        if reason:
            ax.annotate(
                _wrap_to(reason, room, NOTE_PT),
                xy=(0, yi),
                xycoords=("axes fraction", "data"),
                xytext=(4, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=NOTE_PT,
                color=INK,
                linespacing=LINESPACING,
            )
    if {"ci_low", "ci_high"} <= set(data.columns):
        ok = data[["ci_low", "ci_high"]].notna().all(axis=1).to_numpy()
        value = data["value"].to_numpy(dtype=float)
        low = np.clip(value - data["ci_low"].to_numpy(dtype=float), 0, None)
        high = np.clip(data["ci_high"].to_numpy(dtype=float) - value, 0, None)
        if ok.any():
            ax.errorbar(
                value[ok],
                y[ok],
                xerr=[low[ok], high[ok]],
                fmt="none",
                ecolor=BLUE,
                elinewidth=2.0,
                capsize=3.5,
                zorder=5,
            )
    (agency,) = ax.plot(
        data["value"].to_numpy(dtype=float),
        y,
        linestyle="none",
        marker="o",
        markersize=9,
        color=BLUE,
        markeredgecolor="white",
        markeredgewidth=0.8,
        zorder=6,
    )
    handles.append(agency)
    names.append("หน่วยงาน / This agency")
    for column, name, marker, colour, size, edge, face in benchmarks:
        if column not in data.columns or data[column].isna().all():
            continue
        (handle,) = ax.plot(
            data[column].to_numpy(dtype=float),
            y,
            linestyle="none",
            marker=marker,
            markersize=size,
            markeredgewidth=edge,
            markeredgecolor=colour,
            markerfacecolor=face,
            color=colour,
            zorder=4,
        )
        handles.append(handle)
        names.append(name)
    if xlim is not None:
        ax.set_xlim(*xlim)
    _finish_rows(ax)
    _legend(fig, handles, names)
    return fig


def _finish_rows(ax: Axes) -> None:
    """Charts with one row per label: vertical grid lines behind, no left spine."""
    ax.grid(axis="x", color="#e3e3e3", linewidth=0.7)
    ax.set_axisbelow(True)
    ax.spines["left"].set_visible(False)


@_styled
def funnel_chart(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    centre: float,
    focus: str | None = None,
) -> Figure:
    """Funnel plot: all agencies in grey, 95 % and 99.8 % limits, the focus agency highlighted."""
    fig, ax = _new_figure(2.5 if len(points) else EMPTY_HEIGHT)
    _title(ax, title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel.replace(" / ", "\n"), linespacing=LINESPACING)  # Thai over English
    pts = _numeric(points, ["n", "value"])
    pts = pts.dropna(subset=["n", "value"]) if len(pts) else pts
    pts = pts[pts["n"] > 0] if len(pts) else pts
    _keep_sources(fig, pts)
    if pts.empty:
        _no_data(ax)
        return fig
    lim = _numeric(limits, ["n", "lower_95", "upper_95", "lower_99.8", "upper_99.8"])
    lim = lim.dropna(subset=["n"]).sort_values("n") if len(lim) else lim
    n_min, n_max = float(pts["n"].min()), float(pts["n"].max())
    if n_max > 10 * n_min:
        from matplotlib.ticker import LogLocator, NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(_plain_formatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
    handles, names = [], []
    is_focus = (
        pts["agency_code"].astype(str) == str(focus)
        if focus is not None and "agency_code" in pts.columns
        else pd.Series(False, index=pts.index)
    )
    others = pts[~is_focus]
    handles.append(
        ax.scatter(
            others["n"],
            others["value"],
            s=24,
            facecolor="none",
            edgecolor=MID_GREY,
            linewidth=1.0,
            zorder=3,
        )
    )
    names.append("หน่วยงานอื่น / Other agencies" if is_focus.any() else "หน่วยงาน / Agencies")
    handles.append(ax.axhline(centre, color=INK, linewidth=1.2, zorder=2))
    names.append("มัธยฐานของทุกหน่วยงาน / Median of all agencies")
    for level, style, name in (
        ("95", (0, (5, 3)), "ขอบเขตควบคุม 95% / 95% control limits"),
        ("99.8", (0, (1, 2)), "ขอบเขตควบคุม 99.8% / 99.8% control limits"),
    ):
        lower, upper = f"lower_{level}", f"upper_{level}"
        if not len(lim) or not {lower, upper} <= set(lim.columns):
            continue
        kwargs = {"color": GREY, "linestyle": style, "linewidth": 1.3, "zorder": 2}
        (line,) = ax.plot(lim["n"], lim[upper], **kwargs)
        ax.plot(lim["n"], lim[lower], **kwargs)
        handles.append(line)
        names.append(name)
    chosen = pts[is_focus]
    if len(chosen):
        (marker,) = ax.plot(
            chosen["n"].to_numpy(dtype=float),
            chosen["value"].to_numpy(dtype=float),
            linestyle="none",
            marker="D",
            markersize=11,
            color=BLUE,
            markeredgecolor=INK,
            markeredgewidth=1.0,
            label=FOCUS_LABEL,
            zorder=6,
        )
        marker.set_gid("focus")
        handles.insert(0, marker)
        names.insert(0, FOCUS_LABEL)
        _annotate_focus(ax, float(chosen["n"].iloc[0]), float(chosen["value"].iloc[0]))
    if len(lim):
        lo = min(n_min, float(lim["n"].min()))
        hi = max(n_max, float(lim["n"].max()))
        if ax.get_xscale() == "log":
            ax.set_xlim(lo / 1.15, hi * 1.15)
        else:
            pad = 0.03 * (hi - lo or 1)
            ax.set_xlim(max(0.0, lo - pad), hi + pad)
    _legend(fig, handles, names, side=True)
    return fig


def _plain_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: f"{x:,.0f}")


def _annotate_focus(ax: Axes, x: float, y: float) -> None:
    ax.autoscale_view()
    fx, fy = ax.transLimits.transform(ax.transScale.transform((x, y)))
    dx = -40 if fx > 0.6 else 40
    dy = -30 if fy > 0.6 else 30
    ax.annotate(
        FOCUS_LABEL,
        xy=(x, y),
        xytext=(dx, dy),
        textcoords="offset points",
        ha="right" if dx < 0 else "left",
        va="top" if dy < 0 else "bottom",
        fontsize=10,
        fontweight="bold",
        color=INK,
        linespacing=LINESPACING,
        arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 0.9, "shrinkB": 6},
        bbox={
            "boxstyle": "round,pad=0.25",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.8,
        },
        zorder=7,
    )


@_styled
def distribution_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    target: Mapping[str, float] | None = None,
    target_label: str = TARGET_LABEL,
) -> Figure:
    """Box plus jittered strip of agency values per indicator ``label``; optional targets."""
    data = _numeric(frame, ["value"])
    data = data.dropna(subset=["label", "value"]) if len(data) else data
    order = list(dict.fromkeys(data["label"].astype(str))) if len(data) else []
    labels = [_wrap(label, 30) for label in order]
    fig, ax = _rows_figure(labels, title, xlabel, base=0.5)
    _keep_sources(fig, data)
    if data.empty:
        _no_data(ax)
        return fig
    y = np.arange(len(order), dtype=float)
    groups = [
        data.loc[data["label"].astype(str) == name, "value"].to_numpy(float) for name in order
    ]
    ax.boxplot(
        groups,
        positions=y,
        orientation="horizontal",
        widths=0.55,
        showfliers=False,
        whis=(0, 100),
        patch_artist=True,
        boxprops={"facecolor": "#dde6f0", "edgecolor": BLUE, "linewidth": 1.0},
        medianprops={"color": BLUE, "linewidth": 2.2},
        whiskerprops={"color": BLUE, "linewidth": 1.0},
        capprops={"color": BLUE, "linewidth": 1.0},
        zorder=2,
    )
    _label_axis(ax, labels)
    rng = np.random.default_rng(2563)
    for yi, values in zip(y, groups, strict=True):
        jitter = rng.uniform(-0.17, 0.17, size=len(values))
        ax.scatter(
            values,
            yi + jitter,
            s=14,
            color=INK,
            alpha=0.55,
            linewidth=0,
            zorder=3,
        )
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Patch(facecolor="#dde6f0", edgecolor=BLUE, label="ช่วงระหว่างควอร์ไทล์ / Interquartile range"),
        Line2D([], [], color=BLUE, linewidth=2.2, label="มัธยฐาน / Median"),
        Line2D([], [], color=INK, alpha=0.55, marker="o", linestyle="none", markersize=4.5),
    ]
    names = [
        "ช่วงระหว่างควอร์ไทล์ / Interquartile range",
        "มัธยฐาน / Median",
        "หน่วยงาน / Agency",
    ]
    targets = {str(k): v for k, v in (target or {}).items() if v is not None and not pd.isna(v)}
    hits = [(yi, targets[name]) for yi, name in zip(y, order, strict=True) if name in targets]
    if hits:
        (handle,) = ax.plot(
            [v for _, v in hits],
            [yi for yi, _ in hits],
            linestyle="none",
            marker="v",
            markersize=9,
            color=VERMILION,
            markeredgecolor=INK,
            markeredgewidth=0.7,
            zorder=4,
        )
        for yi, v in hits:
            ax.vlines(v, yi - 0.36, yi + 0.36, color=VERMILION, linewidth=1.4, zorder=4)
        handles.append(handle)
        names.append(target_label)
    _finish_rows(ax)
    _legend(fig, handles, names)
    return fig


@_styled
def coefficient_chart(frame: pd.DataFrame, *, title: str, xlabel: str) -> Figure:
    """Dot-and-whisker plot of ``estimate`` with ``ci_low``-``ci_high`` and a line at 0."""
    data = _numeric(frame, ["estimate", "ci_low", "ci_high"])
    data = data.dropna(subset=["estimate"]) if len(data) else data
    labels = [_wrap(label, 40) for label in data.get("label", pd.Series(dtype=str))]
    fig, ax = _rows_figure(labels, title, xlabel, top=1.3)
    _keep_sources(fig, data)
    if data.empty:
        _no_data(ax)
        return fig
    y = _label_axis(ax, labels)
    ax.axvline(0, color=GREY, linewidth=1.0, linestyle=(0, (4, 3)), zorder=1)
    estimate = data["estimate"].to_numpy(dtype=float)
    missing = np.full_like(estimate, np.nan)
    low = data["ci_low"].to_numpy(dtype=float) if "ci_low" in data else missing
    high = data["ci_high"].to_numpy(dtype=float) if "ci_high" in data else missing
    ok = ~(np.isnan(low) | np.isnan(high))
    if ok.any():
        ax.errorbar(
            estimate[ok],
            y[ok],
            xerr=[np.clip(estimate - low, 0, None)[ok], np.clip(high - estimate, 0, None)[ok]],
            fmt="none",
            ecolor=BLUE,
            elinewidth=1.6,
            capsize=3.5,
            zorder=2,
        )
    excludes = ok & ((low > 0) | (high < 0))
    handles, names = [], []
    for mask, face, name in (
        (excludes, BLUE, "ช่วงความเชื่อมั่นไม่คร่อม 0 / Interval excludes 0"),
        (~excludes, "white", "ช่วงความเชื่อมั่นคร่อม 0 หรือไม่มี / Interval includes 0 or n/a"),
    ):
        if mask.any():
            (handle,) = ax.plot(
                estimate[mask],
                y[mask],
                linestyle="none",
                marker="o",
                markersize=7.5,
                markerfacecolor=face,
                markeredgecolor=BLUE,
                markeredgewidth=1.6,
                zorder=3,
            )
            handles.append(handle)
            names.append(name)
    _finish_rows(ax)
    _legend(fig, handles, names)
    return fig


@_styled
def bar_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    xlim: tuple[float, float] | None = None,
) -> Figure:
    """Horizontal bars of ``value`` per ``label`` with the value (and ``note``) written on them.
    Rows without a value are left out; when none has one, the :data:`MISSING` text of the rows
    says why (withheld is not "no data")."""
    data = _numeric(frame, ["value"])
    reasons = [r for r in _reasons(data) if r] if len(data) else []
    data = data.dropna(subset=["value"]) if len(data) else data
    labels = [_wrap(label, 40) for label in data.get("label", pd.Series(dtype=str))]
    fig, ax = _rows_figure(labels, title, xlabel, base=0.24)
    _keep_sources(fig, data)
    if data.empty:
        _no_data(ax, "; ".join(dict.fromkeys(reasons)) or NO_DATA)
        return fig
    y = _label_axis(ax, labels)
    values = data["value"].to_numpy(dtype=float)
    ax.barh(y, values, height=0.62, color=BLUE, edgecolor="none", zorder=2)
    span = max(abs(values).max(), 1e-12)
    digits = 2 if span < 10 else 1
    notes = data["note"] if "note" in data.columns else pd.Series([None] * len(data))
    lo, hi = xlim if xlim is not None else (min(0.0, values.min()), max(0.0, values.max()))
    gap = 0.01 * ((hi - lo) or 1)
    for yi, value, note in zip(y, values, notes, strict=True):
        text = _fmt(value, digits)
        if note is not None and not (isinstance(note, float) and math.isnan(note)) and str(note):
            text = f"{text}  {note}"
        inside = value < 0 and value - lo < 0.15 * (hi - lo) and -value >= 0.15 * (hi - lo)
        ax.text(
            value + (gap if value >= 0 or inside else -gap),
            yi,
            text,
            ha="left" if value >= 0 or inside else "right",
            va="center",
            fontsize=NOTE_PT,
            color="white" if inside else INK,
            clip_on=False,
        )
    if (values < 0).any():
        ax.axvline(0, color=INK, linewidth=0.8, zorder=3)
    if xlim is not None:
        ax.set_xlim(*xlim)
    else:
        pad = 0.18 * ((hi - lo) or 1)
        ax.set_xlim(lo - (pad if values.min() < 0 else 0), hi + (pad if values.max() > 0 else 0))
    _finish_rows(ax)
    return fig
