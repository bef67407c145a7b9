"""Report charts: Thai glyphs render with the vendored font, HTML embedding is safe and
deterministic, and every builder copes with empty frames and missing values."""

from __future__ import annotations

import base64
import io
import re
import unicodedata
import warnings
from collections.abc import Callable

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager

from helpers.indicators import kpi
from helpers.reports import charts, fonts

MISSING_GLYPH = ".*Glyph .* missing.*"
THAI_TITLE = "ผู้ใต้บังคับบัญชาที่ได้รับการพัฒนา / Staff developed"
THAI_X = "ร้อยละ (0–100) / Percent (0–100)"
THAI_Y = "คะแนน (0–100) / Index (0–100)"
AGENCY = "หน่วยงาน / Agency"
MINISTRY = "กระทรวง (มัธยฐาน) / Ministry median"
GOVERNMENT = "ทั้งประเทศ (มัธยฐาน) / Government median"
ITEM = "ผู้บังคับบัญชาของข้าพเจ้าสนับสนุนให้ข้าพเจ้าได้รับการพัฒนาอย่างต่อเนื่องและเหมาะสมกับตำแหน่งงาน"


def trend_frame() -> pd.DataFrame:
    rows = []
    for series, base in ((AGENCY, 70.0), (MINISTRY, 66.0), (GOVERNMENT, 64.0)):
        for i, year in enumerate((2563, 2564, 2565, 2566)):
            ci = series == AGENCY
            rows.append(
                {
                    "fiscal_year": year,
                    "series": series,
                    "value": base + 2 * i,
                    "ci_low": base + 2 * i - 4 if ci else np.nan,
                    "ci_high": base + 2 * i + 4 if ci else np.nan,
                }
            )
    return pd.DataFrame(rows)


def item_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": [ITEM, "ข้าพเจ้าได้รับการฝึกอบรม / I get training", "ฤๅษีญี่ปุ่นปั้นฎีกา"],
            "percent_positive": [72.5, 55.0, 6.0],
            "percent_neutral": [17.5, 25.0, 30.0],
            "percent_negative": [10.0, 20.0, 64.0],
        }
    )


def benchmark_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["A3 แผนพัฒนารายบุคคล / IDP", "A5 ความพึงพอใจ / Satisfaction"],
            "value": [62.0, 71.0],
            "ci_low": [55.0, 67.0],
            "ci_high": [69.0, 75.0],
            "gov_median": [58.0, 68.0],
            "gov_q3": [66.0, 73.0],
            "ministry_median": [60.0, np.nan],
        }
    )


def funnel_points() -> pd.DataFrame:
    n = np.array([40, 90, 150, 400, 800, 1500, 2500])
    return pd.DataFrame(
        {
            "n": n,
            "value": [70.0, 52.0, 61.0, 58.0, 63.0, 60.5, 57.0],
            "agency_code": [f"AG{i}" for i in range(len(n))],
        }
    )


def funnel_limits() -> pd.DataFrame:
    return kpi.funnel_limits(60, np.geomspace(20, 3000, 40), percent=True)


def distribution_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "label": np.repeat(["A3 แผนพัฒนา / IDP", "A7 ความเชื่อมั่น / Trust"], 15),
            "value": np.concatenate([rng.normal(60, 8, 15), rng.normal(75, 6, 15)]),
        }
    )


def coefficient_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["ผู้บังคับบัญชาสนับสนุน / Manager support", "ภาระงาน / Workload"],
            "estimate": [0.42, -0.05],
            "ci_low": [0.30, -0.2],
            "ci_high": [0.54, 0.1],
        }
    )


def bar_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["สำนักนายกรัฐมนตรี / Office of the PM", "กระทรวงการคลัง / Finance"],
            "value": [85.7, 62.5],
            "note": ["(6/7)", None],
        }
    )


Builder = Callable[[pd.DataFrame], Figure]

BUILDERS: dict[str, tuple[Callable[[], pd.DataFrame], Builder, bool]] = {
    # name: (sample frame, builder, has y label given by the caller)
    "trend": (
        trend_frame,
        lambda f: charts.trend_chart(
            f, title=THAI_TITLE, ylabel=THAI_Y, target=75, series_order=[AGENCY, MINISTRY]
        ),
        True,
    ),
    "item": (item_frame, lambda f: charts.item_chart(f, title=THAI_TITLE), False),
    "benchmark": (
        benchmark_frame,
        lambda f: charts.benchmark_chart(f, title=THAI_TITLE, xlabel=THAI_X, xlim=(0, 100)),
        False,
    ),
    "funnel": (
        funnel_points,
        lambda f: charts.funnel_chart(
            f,
            funnel_limits(),
            title=THAI_TITLE,
            xlabel=THAI_X,
            ylabel=THAI_Y,
            centre=60,
            focus="AG3",
        ),
        True,
    ),
    "distribution": (
        distribution_frame,
        lambda f: charts.distribution_chart(
            f, title=THAI_TITLE, xlabel=THAI_X, target={"A3 แผนพัฒนา / IDP": 70}
        ),
        False,
    ),
    "coefficient": (
        coefficient_frame,
        lambda f: charts.coefficient_chart(f, title=THAI_TITLE, xlabel=THAI_X),
        False,
    ),
    "bar": (bar_frame, lambda f: charts.bar_chart(f, title=THAI_TITLE, xlabel=THAI_X), False),
}


def render(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    return buffer.getvalue()


def with_nan_rows(frame: pd.DataFrame) -> pd.DataFrame:
    value = next(c for c in ("value", "estimate", "percent_positive") if c in frame.columns)
    blank = frame.iloc[[0]].copy()
    blank[value] = np.nan
    if "percent_neutral" in blank.columns:
        blank[["percent_neutral", "percent_negative"]] = np.nan
    if "label" in blank.columns:
        blank["label"] = "แถวว่าง / Blank row"
    if "series" in blank.columns:
        blank["fiscal_year"] = 2567
    return pd.concat([frame, blank], ignore_index=True)


def no_data_shown(fig: Figure) -> bool:
    return any(t.get_text() == charts.NO_DATA for t in fig.axes[0].texts)


# fonts


def test_vendored_fonts_are_the_declared_family_with_licence() -> None:
    for path in fonts.FONT_FILES.values():
        assert FontProperties(fname=path).get_name() == charts.FONT_FAMILY
    assert sum(p.stat().st_size for p in fonts.FONT_FILES.values()) < 1_000_000
    assert (fonts.FONT_DIR / "LICENSE.txt").is_file()
    assert (fonts.FONT_DIR / "README.md").is_file()


def test_setup_fonts_is_idempotent_and_sets_the_style() -> None:
    with matplotlib.rc_context():
        charts.setup_fonts()
        charts.setup_fonts()
        family = matplotlib.rcParams["font.family"]
        assert family[0] == charts.FONT_FAMILY
        assert "DejaVu Sans" in family
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["axes.spines.right"] is False
    registered = [str(e.fname) for e in fontManager.ttflist]
    for path in fonts.FONT_FILES.values():
        assert registered.count(str(path)) == 1


def test_default_font_misses_thai_glyphs() -> None:
    with (
        matplotlib.rc_context({"font.family": ["DejaVu Sans"]}),
        pytest.warns(UserWarning, match=MISSING_GLYPH),
    ):
        fig = Figure()
        fig.text(0.1, 0.5, THAI_TITLE)
        render(fig)


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_render_thai_without_missing_glyphs(name: str) -> None:
    make, build, _ = BUILDERS[name]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=MISSING_GLYPH)
        fig = build(make())
        assert render(fig).startswith(b"\x89PNG")


def test_thai_text_in_own_figure_after_setup_fonts() -> None:
    with matplotlib.rc_context(), warnings.catch_warnings():
        charts.setup_fonts()
        warnings.filterwarnings("error", message=MISSING_GLYPH)
        fig = Figure()
        fig.text(0.1, 0.5, ITEM)
        render(fig)


# HTML


def test_figure_html_escapes_and_embeds() -> None:
    hostile = "<script>alert(1)</script>"
    out = charts.figure_html(charts.bar_chart(bar_frame(), title="t", xlabel="x"), hostile, hostile)
    assert "<script>" not in out
    assert out.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3  # label, title, caption
    assert "http:" not in out
    assert "https:" not in out
    assert out.startswith('<figure class="chart"><svg role="img" aria-label="&lt;script&gt;')
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in out
    assert "<figcaption>" in out
    assert out.endswith("</figure>")
    assert "<?xml" not in out and "<metadata>" not in out and "<!DOCTYPE" not in out


def test_figure_html_size_attributes_are_css_pixels() -> None:
    fig = charts.bar_chart(bar_frame(), title="t", xlabel="x")
    out = charts.figure_html(fig, "bars")
    view = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', out)
    width, height = float(view.group(1)), float(view.group(2))  # points
    assert f'width="{round(width * 96 / 72)}"' in out
    assert f'height="{round(height * 96 / 72)}"' in out
    assert "<figcaption>" not in out


def test_figure_html_text_is_text_in_the_embedded_face() -> None:
    out = charts.figure_html(charts.bar_chart(bar_frame(), title="ทดสอบไทย", xlabel="x"), "b")
    assert ">ทดสอบไทย</text>" in out  # the browser shapes Thai with the embedded font
    assert "font-family: 'Workbook Thai'" in out and "'DejaVu Sans'" not in out


def test_several_figures_on_one_page_never_share_an_id() -> None:
    one = charts.figure_html(charts.bar_chart(bar_frame(), title="a", xlabel="x"), "a")
    two = charts.figure_html(charts.trend_chart(trend_frame(), title="b", ylabel="y"), "b")
    ids = re.findall(r'\bid="([^"]+)"', one + two)
    assert len(ids) == len(set(ids))
    for ref in re.findall(r'(?:url\(#|href="#)([^)"]+)', one + two):
        assert ref in ids


@pytest.mark.parametrize("alt", ["", "   "])
def test_figure_html_requires_alt(alt: str) -> None:
    with pytest.raises(ValueError, match="alt"):
        charts.figure_html(Figure(), alt)


@pytest.mark.parametrize("name", ["trend", "distribution", "funnel"])
def test_figure_html_is_deterministic(name: str) -> None:
    make, build, _ = BUILDERS[name]
    first = charts.figure_html(build(make()), "chart", "caption")
    second = charts.figure_html(build(make()), "chart", "caption")
    assert first == second


def test_figure_html_closes_pyplot_figures() -> None:
    import matplotlib.pyplot as plt

    fig = plt.figure()
    charts.figure_html(fig, "empty")
    assert not plt.fignum_exists(fig.number)


def test_font_face_css_is_self_contained() -> None:
    css = fonts.font_face_css()
    assert css.count("@font-face") == 2
    assert css.count("data:font/") == 2
    assert 'font-family: "Workbook Thai"' in css
    assert "font-weight: 700" in css
    assert "http:" not in css
    assert "https:" not in css
    urls = re.findall(r"base64,([^\"]+)\"", css)
    assert base64.b64decode(urls[0]) == fonts.FONT_FILES["normal"].read_bytes()
    assert base64.b64decode(urls[1]) == fonts.FONT_FILES["bold"].read_bytes()
    assert fonts.font_face_css() is css


# builders: labels, empty frames, missing values


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_set_title_and_labels(name: str) -> None:
    make, build, has_ylabel = BUILDERS[name]
    ax = build(make()).axes[0]
    assert ax.get_title() == THAI_TITLE
    if name == "item":
        assert ax.get_xlabel() == "ร้อยละ / Percent"
    elif name != "trend":
        assert ax.get_xlabel() == THAI_X
    if has_ylabel:
        assert ax.get_ylabel() == THAI_Y


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_show_no_data_for_empty_frames(name: str) -> None:
    make, build, _ = BUILDERS[name]
    for empty in (make().iloc[0:0], pd.DataFrame()):
        fig = build(empty)
        assert no_data_shown(fig)
        assert fig.axes[0].get_title() == THAI_TITLE
        render(fig)


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_show_no_data_when_all_values_missing(name: str) -> None:
    make, build, _ = BUILDERS[name]
    frame = make()
    for column in ("value", "estimate", "percent_positive"):
        if column in frame.columns:
            frame[column] = np.nan
    assert no_data_shown(build(frame))


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_skip_nan_rows(name: str) -> None:
    make, build, _ = BUILDERS[name]
    fig = build(with_nan_rows(make()))
    assert not no_data_shown(fig)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert not any("แถวว่าง" in label for label in labels)
    if name == "trend":
        assert "2567\n(2024)" not in [t.get_text() for t in ax.get_xticklabels()]
    render(fig)


# individual charts


def test_trend_chart_years_series_order_and_target() -> None:
    frame = trend_frame()
    fig = charts.trend_chart(
        frame, title="t", ylabel="y", target=75, series_order=[GOVERNMENT, AGENCY]
    )
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["2563\n(2020)", "2564\n(2021)", "2565\n(2022)", "2566\n(2023)"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:3] == [GOVERNMENT, AGENCY, MINISTRY]
    assert charts.TARGET_LABEL in legend
    lines = [line for line in ax.get_lines() if line.get_label() in (AGENCY, MINISTRY, GOVERNMENT)]
    assert len({(line.get_marker(), str(line.get_linestyle())) for line in lines}) == 3


def test_item_chart_keeps_order_and_wraps_thai() -> None:
    frame = item_frame()
    fig = charts.item_chart(frame, title="t")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert [re.sub(r"\s", "", label) for label in labels] == [
        re.sub(r"\s", "", label) for label in frame["label"]
    ]
    assert labels[0].replace("\n", "") == ITEM
    lines = labels[0].split("\n")
    assert len(lines) >= 2
    for line in lines:
        assert sum(unicodedata.category(c) != "Mn" for c in line) <= 45
        assert unicodedata.category(line[0]) != "Mn"
    assert ax.get_ylim()[0] > ax.get_ylim()[1]
    assert {"72%", "55%", "6%"} <= {t.get_text() for t in ax.texts}
    hatches = {p.get_hatch() for p in ax.patches}
    assert len(hatches) == 3
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == list(charts.DEFAULT_ANSWERS)
    taller = charts.item_chart(pd.concat([frame] * 3, ignore_index=True), title="t")
    assert taller.get_figheight() > fig.get_figheight()


def test_benchmark_chart_legend_explains_markers() -> None:
    fig = charts.benchmark_chart(benchmark_frame(), title="t", xlabel="x", xlim=(0, 100))
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [
        "หน่วยงาน / This agency",
        "มัธยฐานทั้งประเทศ / Government median",
        "ควอร์ไทล์บน / Upper quartile",
        "มัธยฐานกระทรวง / Ministry median",
    ]
    assert fig.axes[0].get_xlim() == (0, 100)
    markers = {h.get_marker() for h in fig.legends[0].legend_handles}
    assert len(markers) == 4


def test_funnel_chart_highlights_focus_and_uses_log_scale() -> None:
    fig = charts.funnel_chart(
        funnel_points(), funnel_limits(), title="t", xlabel="x", ylabel="y", centre=60, focus="AG3"
    )
    ax = fig.axes[0]
    focus = [line for line in ax.get_lines() if line.get_gid() == "focus"]
    assert len(focus) == 1
    assert focus[0].get_label() == charts.FOCUS_LABEL
    assert list(focus[0].get_xdata()) == [400]
    assert list(focus[0].get_ydata()) == [58.0]
    assert any(t.get_text() == charts.FOCUS_LABEL for t in ax.texts)
    assert ax.get_xscale() == "log"
    styles = {str(line.get_linestyle()) for line in ax.get_lines()}
    assert len(styles) >= 3

    narrow = funnel_points().iloc[3:6]
    linear = charts.funnel_chart(
        narrow, funnel_limits(), title="t", xlabel="x", ylabel="y", centre=60, focus="nobody"
    )
    assert linear.axes[0].get_xscale() == "linear"
    assert not [line for line in linear.axes[0].get_lines() if line.get_gid() == "focus"]


def test_distribution_chart_targets_and_labels() -> None:
    fig = charts.distribution_chart(
        distribution_frame(), title="t", xlabel="x", target={"A7 ความเชื่อมั่น / Trust": 80}
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "A3 แผนพัฒนา / IDP",
        "A7 ความเชื่อมั่น / Trust",
    ]
    assert charts.TARGET_LABEL in [t.get_text() for t in fig.legends[0].get_texts()]


def test_coefficient_chart_zero_line() -> None:
    ax = charts.coefficient_chart(coefficient_frame(), title="t", xlabel="x").axes[0]
    assert any(
        list(line.get_xdata()) == [0, 0] for line in ax.get_lines() if len(line.get_xdata()) == 2
    )


def test_bar_chart_value_labels_and_notes() -> None:
    ax = charts.bar_chart(bar_frame(), title="t", xlabel="x", xlim=(0, 100)).axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["85.7  (6/7)", "62.5"]
    assert ax.get_xlim() == (0, 100)


def test_wrap_never_splits_a_cluster() -> None:
    text = "ก" + "ที่นั่นปั้นกี่ญี่ปุ่น" * 6
    for line in charts._wrap(text, 10).split("\n"):
        assert unicodedata.category(line[0]) != "Mn"
        assert line[0] not in "ะาำ"
        assert line[-1] not in "เแโใไ"
    assert charts._wrap("short words only", 45) == "short words only"
    assert charts._wrap(np.nan, 45) == ""


def test_figure_html_marks_the_respondents_of_the_rows_it_plots() -> None:
    frame = bar_frame().assign(value=[0.4, np.nan, 0.1, 0.2][: len(bar_frame())])
    marks = [f"2565/staff/corr:m{i} 01001={100 + i}" for i in range(len(frame))]
    frame[charts.SOURCES] = marks
    out = charts.figure_html(charts.bar_chart(frame, title="t", xlabel="x"), "bars")
    svg = re.match(r"<figure class=\"chart\">(<svg[^>]*>)", out).group(1)
    shown = re.search(r'data-sources="([^"]*)"', svg).group(1)
    plotted = [m for m, v in zip(marks, frame["value"], strict=True) if not np.isnan(v)]
    assert shown == "; ".join(plotted) and marks[1] not in shown  # the NaN row is not drawn
    plain = charts.figure_html(charts.bar_chart(bar_frame(), title="t", xlabel="x"), "bars")
    assert "data-sources" not in plain


# contrast (WCAG 1.4.11): every data mark at least 3:1 against the white background


def _luminance(colour) -> float:
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(colour)
    channels = [a * c + (1 - a) for c in (r, g, b)]  # over white
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def _mark_colours(fig: Figure) -> set[tuple[float, ...]]:
    """The colours of the data marks of every axes (lines, markers, bars, scatter points),
    leaving out white and transparent ones (outlines and fills that carry nothing)."""
    from matplotlib.colors import to_rgba

    found = []
    for ax in fig.axes:
        for line in ax.lines:
            if line.get_linestyle() not in ("None", "none", "") and line.get_linewidth() > 0:
                found.append(line.get_color())
            if line.get_marker() not in ("None", "none", "", None):
                found += [line.get_markerfacecolor(), line.get_markeredgecolor()]
        for collection in ax.collections:
            found += list(collection.get_facecolors()) + list(collection.get_edgecolors())
        for patch in ax.patches:
            found.append(patch.get_facecolor())
    out = set()
    for colour in found:
        if isinstance(colour, str) and colour.lower() == "none":
            continue
        rgba = to_rgba(colour)
        if rgba[3] == 0 or rgba[:3] == (1.0, 1.0, 1.0):
            continue
        out.add(rgba)
    return out


def test_every_mark_colour_has_3_to_1_against_white() -> None:
    for colour in charts.MARK_COLOURS:
        assert contrast_with_white(colour) >= 3, colour
    for name in ("trend", "item", "benchmark", "funnel", "bar"):
        make, build, _ = BUILDERS[name]
        colours = _mark_colours(build(make()))
        assert colours, name
        for colour in colours:
            assert contrast_with_white(colour) >= 3, (name, colour)


def test_the_focus_is_the_boldest_mark_of_the_trend_and_funnel() -> None:
    fig = charts.trend_chart(trend_frame(), title="t", ylabel="y", series_order=[AGENCY])
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    others = [lines[MINISTRY], lines[GOVERNMENT]]
    assert all(lines[AGENCY].get_linewidth() > o.get_linewidth() for o in others)
    assert all(lines[AGENCY].get_markersize() > o.get_markersize() for o in others)
    assert all(lines[AGENCY].get_zorder() > o.get_zorder() for o in others)
    fig = charts.funnel_chart(
        funnel_points(), funnel_limits(), title="t", xlabel="x", ylabel="y", centre=60, focus="AG3"
    )
    focus = next(line for line in fig.axes[0].get_lines() if line.get_gid() == "focus")
    assert focus.get_zorder() > max(c.get_zorder() for c in fig.axes[0].collections)
