"""Report charts: Thai glyphs render with the vendored font, Thai lines break between words,
every chart prints at its full size on A4 with legible text and marks, HTML embedding is safe,
accessible and deterministic, and every builder copes with empty frames and missing values."""

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
from matplotlib.legend import Legend
from matplotlib.text import Text

from helpers.core import config
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
    assert out.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2  # label, caption
    assert "http:" not in out
    assert "https:" not in out
    assert out.startswith('<figure class="chart"><svg role="img" aria-label="&lt;script&gt;')
    assert "<title>" not in out  # its text could not mark English terms with lang
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


def test_text_measured_once_gives_the_same_svg_and_is_used(monkeypatch) -> None:
    """Text metrics kept across charts: the charts are byte for byte those drawn with
    matplotlib's own measuring, and a second drawing shapes no text again."""
    import contextlib

    import matplotlib.text

    builds = [BUILDERS[name] for name in ("item", "trend", "benchmark", "funnel")]

    def draw_all(order: list) -> list[str]:
        return [charts.figure_html(build(make()), "chart") for make, build, _ in order]

    with monkeypatch.context() as plain:
        plain.setattr(charts, "_text_measured_once", contextlib.nullcontext)
        reference = draw_all(builds)
    monkeypatch.setattr(charts, "_TEXT_METRICS", {})
    assert draw_all(builds) == reference
    kept = len(charts._TEXT_METRICS)
    assert kept > 20  # the renderers measured through the keeping TextToPath
    assert draw_all(builds[::-1])[::-1] == reference
    assert len(charts._TEXT_METRICS) == kept  # every text of the second round was kept
    assert matplotlib.text.TextToPath is charts._measuring_text_to_path().__mro__[1]  # restored


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
        assert ax.get_ylabel() == THAI_Y.replace(" / ", "\n")  # Thai over English


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


def _unstacked(label: str) -> str:
    """A legend label without its line breaks, spaces and the Thai / English slash."""
    return re.sub(r"[\s/]", "", label)


def _side_legend(fig) -> list[str]:
    """The labels of a legend beside the plot (Thai over English, wrapped), unstacked."""
    (legend,) = [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    return [_unstacked(t.get_text()) for t in legend.get_texts()]


def test_side_legend_stacks_thai_over_english_beside_the_plot() -> None:
    fig = charts.trend_chart(trend_frame(), title="t", ylabel="y", target=75)
    texts = [
        t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
    ]
    assert texts[0] == "หน่วยงาน\nAgency"
    assert all("\n" in text for text in texts)
    assert not fig.legends  # beside the plot, not below it
    fig.canvas.draw()
    legend = fig.axes[0].get_legend().get_window_extent()
    plot = fig.axes[0].get_window_extent()
    assert legend.x0 >= plot.x1  # right of the plot
    assert legend.y1 <= plot.y1 + 1 and legend.y0 >= 0  # from the plot's top, inside the figure


def test_a_side_legend_taller_than_the_plot_grows_the_figure_not_past_its_foot() -> None:
    """Four indicators named in full (the overview's trend): the legend holds 16 lines; the
    figure grows until the whole legend is inside it."""
    names = [
        "A3 ร้อยละของบุคลากรที่มีและดำเนินการตามแผนพัฒนารายบุคคล (IDP) / Staff with an IDP being "
        "carried out (%)",
        "A5 ดัชนีความพึงพอใจต่อการพัฒนาบุคลากร (0-100) / Staff satisfaction with development "
        "(index 0-100)",
        "A6 ร้อยละของบุคลากรที่มีผลงานเชิงนวัตกรรม / Staff whose work shows innovation (%)",
        "A7 ร้อยละของผู้รับบริการที่เชื่อมั่นในหน่วยงาน / Service users with high trust (%)",
    ]
    frame = pd.DataFrame(
        [
            {"series": name, "fiscal_year": year, "value": 40.0 + 5 * i + year - 2563}
            for i, name in enumerate(names)
            for year in (2563, 2564, 2565)
        ]
    )
    fig = charts.trend_chart(frame, title="t", ylabel="y")
    fig.draw_without_rendering()
    legend = fig.axes[0].get_legend().get_window_extent()
    assert legend.y0 >= 0.04 * fig.dpi and legend.y1 <= fig.bbox.y1
    assert fig.get_figheight() <= charts.MAX_HEIGHT_IN


def test_trend_chart_years_series_order_and_target() -> None:
    frame = trend_frame()
    fig = charts.trend_chart(
        frame, title="t", ylabel="y", target=75, series_order=[GOVERNMENT, AGENCY]
    )
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["2563\n(2020)", "2564\n(2021)", "2565\n(2022)", "2566\n(2023)"]
    legend = _side_legend(fig)
    assert legend[:3] == [_unstacked(GOVERNMENT), _unstacked(AGENCY), _unstacked(MINISTRY)]
    assert _unstacked(charts.TARGET_LABEL) in legend
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
        assert charts._text_width_in(line, charts.ITEM_LABEL_PT) <= charts.ITEM_LABEL_IN
        assert unicodedata.category(line[0]) != "Mn"
    assert_breaks_between_words(ITEM, labels[0])
    assert ax.get_ylim()[0] > ax.get_ylim()[1]
    assert {"72%", "55%", "6%"} <= {t.get_text() for t in ax.texts}
    hatches = {p.get_hatch() for p in ax.patches}
    assert len(hatches) == 3
    legend = [t.get_text() for t in ax.get_legend().get_texts()]  # above the bars
    assert legend == list(charts.DEFAULT_ANSWERS)
    taller = charts.item_chart(pd.concat([frame] * 3, ignore_index=True), title="t")
    assert taller.get_figheight() > fig.get_figheight()


def test_benchmark_chart_legend_explains_markers() -> None:
    fig = charts.benchmark_chart(benchmark_frame(), title="t", xlabel="x", xlim=(0, 100))
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [
        "หน่วยงาน / This agency",
        "มัธยฐานของทุกหน่วยงาน / Median of all agencies",
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


# HTML: bilingual alt text and caption

ALT = ("แผนภูมิแท่ง <ทดสอบ>", "Bar chart <test> & more")
CAPTION = ('คำอธิบาย "ภาพ"', "Caption 'of' the chart")


def test_figure_html_with_thai_and_english_alt_and_caption() -> None:
    frame = bar_frame().assign(**{charts.SOURCES: ["2565/staff/A3 01001=10", ""]})
    out = charts.figure_html(charts.bar_chart(frame, title="t", xlabel="x"), ALT, CAPTION)
    match = re.fullmatch(
        r'<figure class="chart"><svg role="img" aria-label="([^"]*)" aria-describedby="([^"]+)"'
        r' data-sources="([^"]*)"[^>]*>.*</svg>'
        r'<p id="([^"]+)" class="sr-only" lang="en">([^<]*)</p>'
        r'<figcaption>([^<]*)<span class="en" lang="en">([^<]*)</span></figcaption></figure>',
        out,
        flags=re.DOTALL,
    )
    assert match, out[:300]
    label, described, marker, pid, english, caption_th, caption_en = match.groups()
    assert label == "แผนภูมิแท่ง &lt;ทดสอบ&gt;"
    assert described == pid and out.count(f'id="{pid}"') == 1
    assert english == "Bar chart &lt;test&gt; &amp; more"
    assert caption_th == "คำอธิบาย &quot;ภาพ&quot;"
    assert caption_en == "Caption &#x27;of&#x27; the chart"
    assert marker == "2565/staff/A3 01001=10"  # the audit marker, as with a plain alt


def test_figure_html_description_ids_are_stable_and_unique_on_a_page() -> None:
    def page() -> str:  # two charts with the same alt text
        return "".join(
            charts.figure_html(build(make()), ALT)
            for make, build, _ in (BUILDERS["bar"], BUILDERS["trend"])
        )

    first = page()
    assert first == page()  # deterministic: no counter, no randomness
    described = re.findall(r'aria-describedby="([^"]+)"', first)
    assert len(described) == 2 and described[0] != described[1]
    ids = re.findall(r'\bid="([^"]+)"', first)
    assert len(ids) == len(set(ids)) and set(described) <= set(ids)
    other = charts.figure_html(build_bar(), ("แผนภูมิแท่ง", "Another description"))
    again = charts.figure_html(build_bar(), ("แผนภูมิแท่ง", "Yet another description"))
    assert re.search(r'aria-describedby="([^"]+)"', other).group(1) != re.search(
        r'aria-describedby="([^"]+)"', again
    ).group(1)  # the same chart described otherwise: another id


def build_bar() -> Figure:
    return charts.bar_chart(bar_frame(), title=THAI_TITLE, xlabel=THAI_X)


def test_figure_html_keeps_plain_strings() -> None:
    out = charts.figure_html(build_bar(), "bars", "A caption")
    assert 'aria-label="bars"' in out and "aria-describedby" not in out and "sr-only" not in out
    assert out.endswith("<figcaption>A caption</figcaption></figure>")
    both = charts.figure_html(build_bar(), ALT, "Only one caption")
    assert both.endswith("<figcaption>Only one caption</figcaption></figure>")


@pytest.mark.parametrize("alt", [("แผนภูมิ", ""), ("", "Chart"), ("   ", " ")])
def test_figure_html_requires_both_alt_texts(alt: tuple[str, str]) -> None:
    with pytest.raises(ValueError, match="alt"):
        charts.figure_html(Figure(), alt)


def test_figure_html_rejects_other_alt_types() -> None:
    with pytest.raises(TypeError, match="alt"):
        charts.figure_html(Figure(), ("th", "en", "extra"))  # type: ignore[arg-type]


def test_figure_html_natural_size_is_the_figure_size() -> None:
    for name, (make, build, _) in BUILDERS.items():
        fig = build(make())
        width, height = fig.get_size_inches()
        out = charts.figure_html(fig, ALT)
        svg = re.search(r"<svg[^>]*>", out).group(0)
        assert re.search(r'viewBox="0 0 [\d.]+ [\d.]+"', svg), name
        assert f'width="{round(width * 96)}"' in svg, name  # CSS px: 96 per inch
        assert f'height="{round(height * 96)}"' in svg, name


# Thai line breaks: between words only


def newmm_boundaries(text: str) -> set[int]:
    from pythainlp.tokenize import word_tokenize

    offsets, at = set(), 0
    for token in word_tokenize(text, engine="newmm", keep_whitespace=True):
        at += len(token)
        offsets.add(at)
    return offsets


def assert_breaks_between_words(text: str, wrapped: str) -> None:
    """Every line of ``wrapped`` ends on a word boundary (newmm) of ``text``, at a space or
    after a "/"; nothing else changes."""
    text = " ".join(text.split())
    boundaries = newmm_boundaries(text)
    at = 0
    lines = wrapped.split("\n")
    for line in lines:
        assert line and text.startswith(line, at), (text, wrapped)
        at += len(line)
        if line is lines[-1]:
            break
        assert at in boundaries or text[at - 1] == "/", (text[:at], text[at:])
        assert text[at] not in "ๆฯ/)", (text[:at], text[at:])
        at += text[at] == " "
    assert at == len(text)


def item_labels() -> list[str]:
    """Every item label of the staff survey as the agency report shows it."""
    from helpers.reports.agency import REVERSED_MARK

    book = config.codebook("staff_survey")
    mark = REVERSED_MARK.split(" / ")[0]
    return [f"{c.th} {mark}" if c.reverse else c.th for c in book.items()]


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("ผู้รับบริการ", 8),
        ("ต่อเนื่อง", 5),
        ("จำเป็น", 4),
        ("ความเชื่อมั่นของผู้รับบริการ", 12),
        ("ความเชื่อมั่นของผู้รับบริการ", 20),
        ("ผู้บังคับบัญชาสนับสนุนให้ท่านเรียนรู้และพัฒนาตนเองอย่างต่อเนื่อง", 18),
    ],
)
def test_wrap_never_breaks_a_thai_word(text: str, width: int) -> None:
    wrapped = charts._wrap(text, width)
    assert_breaks_between_words(text, wrapped)
    for word in ("ผู้รับ", "บริการ", "ต่อเนื่อง", "จำเป็น", "ความเชื่อมั่น"):
        if word in text:
            assert any(word in line for line in wrapped.split("\n")), (word, wrapped)
    for line in wrapped.split("\n"):  # longer only when it is one word
        assert charts._visible_len(line) <= width or len(newmm_boundaries(line)) == 1


def test_wrap_keeps_short_words_and_whole_words() -> None:
    assert charts._wrap("ผู้รับบริการ", 8) == "ผู้รับบริการ"  # 8 characters: fits
    assert charts._wrap("ต่อเนื่อง", 3) == "ต่อเนื่อง"  # one word, longer than the line
    assert charts._wrap("จำเป็น", 2) == "จำเป็น"
    assert charts._wrap("short words only", 45) == "short words only"
    assert charts._wrap("  spaced \n  out  ", 45) == "spaced out"
    assert charts._wrap(np.nan, 45) == ""
    assert charts._wrap(None, 45) == ""
    assert charts._wrap("กลาง ๆ / Neutral", 6) == "กลาง ๆ /\nNeutral"  # ๆ and / end a line
    assert charts._wrap("ร้อยละ/Percent", 8) == "ร้อยละ/\nPercent"  # after "/" between parts
    assert charts._wrap("(0–100) Index", 7) == "(0–100)\nIndex"  # no break inside "(0–100)"


@pytest.mark.parametrize("width", [12, 18, 30, 40])
def test_item_labels_break_only_between_words_within_the_width(width: int) -> None:
    labels = item_labels()
    assert len(labels) == 22
    for label in labels:
        wrapped = charts._wrap(label, width)
        assert_breaks_between_words(label, wrapped)
        for line in wrapped.split("\n"):  # longer only when it cannot break
            assert charts._visible_len(line) <= width or charts._wrap(line, 1) == line, line


def test_item_chart_labels_break_between_words_and_fit_their_column() -> None:
    for scale in ("agree5", "amount5"):
        fig = charts.item_chart(staff_items(scale), title=THAI_TITLE)
        shown = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
        by_text = {re.sub(r"\s", "", label): label for label in item_labels()}
        for label in shown:
            assert_breaks_between_words(by_text[re.sub(r"\s", "", label)], label)
            for line in label.split("\n"):
                assert charts._text_width_in(line, charts.ITEM_LABEL_PT) <= charts.ITEM_LABEL_IN


def test_wrap_is_cached() -> None:
    charts._wrap_text.cache_clear()
    for _ in range(3):
        charts._wrap(ITEM, 30)
    info = charts._wrap_text.cache_info()
    assert info.misses == 1 and info.hits == 2


def test_wrap_never_splits_a_cluster() -> None:
    text = "ก" + "ที่นั่นปั้นกี่ญี่ปุ่น" * 6
    for line in charts._wrap(text, 10).split("\n"):
        assert unicodedata.category(line[0]) != "Mn"
        assert line[0] not in "ะาำ"
        assert line[-1] not in "เแโใไ"
    assert_breaks_between_words(text, charts._wrap(text, 10))


# print: every chart at its natural size on A4 (6.5 x 8.5 in at most), text at least 8 pt


def staff_items(scale: str) -> pd.DataFrame:
    """The items of one answer scale as the agency report gives them to the item chart."""
    from helpers.reports.agency import REVERSED_ANSWERS, SCALE_ANSWERS

    rng = np.random.default_rng(len(scale))
    rows = []
    for label, column in zip(item_labels(), config.codebook("staff_survey").items(), strict=True):
        if column.scale != scale:
            continue
        answers = (REVERSED_ANSWERS if column.reverse else SCALE_ANSWERS)[scale]
        positive, neutral = rng.uniform(40, 65), rng.uniform(15, 30)
        rows.append(
            {
                "item": column.name,
                "scale": scale,
                "label": label,
                "percent_positive": positive,
                "percent_neutral": neutral,
                "percent_negative": 100 - positive - neutral,
                **dict(zip(charts.ANSWER_LABELS, answers, strict=True)),
                charts.MISSING: "",
            }
        )
    frame = pd.DataFrame(rows)
    frame.loc[2, ["percent_positive", "percent_neutral", "percent_negative"]] = np.nan
    frame.loc[2, charts.MISSING] = charts.withheld(10)  # a withheld item keeps its row
    return frame


CONSTRUCTS = [
    "ระบบนิเวศการเรียนรู้ / Learning ecosystem",
    "กรอบทักษะ / Skillsets",
    "กรอบความคิด / Mindset",
    "มองภาพใหญ่และเข้าใจภารกิจขององค์กร / Big Picture Thinker",
    "นวัตกรที่เน้นสร้างผลสัมฤทธิ์ / Result-oriented Innovator",
    "ยึดมั่นในมาตรฐานจริยธรรม / Person of Integrity",
    "ให้ความสำคัญกับการทำงานบูรณาการ / Professional Collaborator",
]
INDICATORS = [
    "A3 Staff with an IDP being carried out (%)",
    "A5 Staff satisfaction with development (index 0-100)",
    "A6 Staff whose work shows innovation (%)",
    "A7 Service users with high trust (%)",
]


def realistic_trend() -> pd.DataFrame:
    frame = trend_frame()
    gap = (frame["series"] == AGENCY) & (frame["fiscal_year"] == 2564)
    frame.loc[gap, ["value", "ci_low", "ci_high"]] = np.nan
    frame[charts.MISSING] = ""
    frame.loc[gap, charts.MISSING] = charts.withheld(10)
    return frame


def realistic_benchmark() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    value = rng.uniform(55, 70, len(CONSTRUCTS))
    value[3] = np.nan  # withheld: the row says why
    return pd.DataFrame(
        {
            "label": CONSTRUCTS,
            "value": value,
            "ci_low": value - 3,
            "ci_high": value + 3,
            "gov_median": value - 2,
            "gov_q3": value + 4,
            "ministry_median": value - 5,
            charts.MISSING: ["", "", "", charts.withheld(10), "", "", ""],
        }
    )


def realistic_funnel() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(2)
    n = np.round(rng.lognormal(5, 1, 38)) + 20
    points = pd.DataFrame(
        {
            "agency_code": [f"{i:05d}" for i in range(38)],
            "n": n,
            "value": 60 + rng.normal(0, 40 / np.sqrt(n)),
        }
    )
    limits = kpi.funnel_limits(60, np.geomspace(n.min() * 0.8, n.max() * 1.2, 80), percent=True)
    return points, limits


def realistic_distribution() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "label": np.repeat(INDICATORS, 38),
            "value": rng.uniform(20, 75, 38 * len(INDICATORS)),
        }
    )


def realistic_coefficients() -> pd.DataFrame:
    estimate = np.array([0.83, 0.39, 0.35, 0.47, -0.05])
    return pd.DataFrame(
        {
            "label": [
                *CONSTRUCTS[:3],
                "การดำเนินการตาม IDP / IDP carried out",
                "ภาระงาน / Workload",
            ],
            "estimate": estimate,
            "ci_low": estimate - 0.06,
            "ci_high": estimate + 0.06,
        }
    )


def realistic_bars() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": [*CONSTRUCTS[:3], "การดำเนินการตาม IDP / IDP carried out"],
            "value": [0.45, 0.33, -0.31, 0.11],
        }
    )


def _funnel(points: pd.DataFrame, limits: pd.DataFrame, focus: str | None) -> Figure:
    return charts.funnel_chart(
        points,
        limits,
        title="A5: แผนภาพกรวย / Funnel plot",
        xlabel="จำนวนผู้ตอบ / Respondents",
        ylabel="ดัชนี (0–100) / Index (0–100)",
        centre=60,
        focus=focus,
    )


# Every chart function with frames like the reports' (long Thai and English labels, wrapped
# titles, withheld rows, legends); the titles are the reports' longest.
REALISTIC: dict[str, Callable[[], Figure]] = {
    "trend": lambda: charts.trend_chart(
        realistic_trend(),
        title="ดัชนีความพึงพอใจ: หน่วยงาน กระทรวง ทั้งประเทศ / Satisfaction index over time",
        ylabel="ดัชนี (0–100) / Index (0–100)",
        target=75,
        series_order=[AGENCY, MINISTRY, GOVERNMENT],
    ),
    "trend, no data": lambda: charts.trend_chart(
        trend_frame().iloc[0:0], title=THAI_TITLE, ylabel=THAI_Y
    ),
    "item, agree5": lambda: charts.item_chart(
        staff_items("agree5"), title="ร้อยละของคำตอบรายข้อ / Answers by item (%)"
    ),
    "item, amount5": lambda: charts.item_chart(
        staff_items("amount5"), title="ร้อยละของคำตอบรายข้อ / Answers by item (%)"
    ),
    "item, 16 two-line labels": lambda: charts.item_chart(
        staff_items("agree5").iloc[[1, 14, 15, 16, 17] * 3 + [1]],
        title="ร้อยละของคำตอบรายข้อ / Answers by item (%)",
    ),
    "benchmark": lambda: charts.benchmark_chart(
        realistic_benchmark(),
        title="ระบบนิเวศ ทักษะ กรอบความคิด และคุณลักษณะ / Constructs and personas",
        xlabel="คะแนน (0–100) / Score (0–100)",
        xlim=(0, 100),
    ),
    "funnel": lambda: _funnel(*realistic_funnel(), focus="00007"),
    "funnel, no focus": lambda: _funnel(*realistic_funnel(), focus=None),
    "distribution": lambda: charts.distribution_chart(
        realistic_distribution(),
        title="ตัวชี้วัดจากแบบสำรวจ / Survey indicators across agencies",
        xlabel="ร้อยละ หรือ ดัชนี (0–100) / Percent or index (0–100)",
        target={INDICATORS[0]: 80, INDICATORS[2]: 50},
    ),
    "coefficient": lambda: charts.coefficient_chart(
        realistic_coefficients(),
        title="ปัจจัยของความพึงพอใจโดยรวม / Drivers of overall satisfaction",
        xlabel="log-odds ต่อหนึ่งหน่วย (95%) / log-odds per unit (95% CI)",
    ),
    "bar": lambda: charts.bar_chart(
        realistic_bars(),
        title="สหสัมพันธ์กับดัชนีความพึงพอใจ / Correlation with the satisfaction index",
        xlabel="สหสัมพันธ์ (r) / Correlation (r)",
        xlim=(-1, 1),
    ),
    "bar, withheld": lambda: charts.bar_chart(
        realistic_bars().assign(
            value=np.nan, **{charts.MISSING: "ไม่วิเคราะห์ (ผู้ตอบน้อยกว่า 30 คน) / Not analysed"}
        ),
        title="สหสัมพันธ์กับดัชนีความพึงพอใจ / Correlation with the satisfaction index",
        xlabel="สหสัมพันธ์ (r) / Correlation (r)",
    ),
}


def drawn_texts(fig: Figure) -> list[Text]:
    """The texts a reader sees: visible, not blank, and no tick label of a tick outside the
    axis limits (matplotlib does not draw those)."""
    fig.draw_without_rendering()
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * max(abs(low), abs(high), 1)
            for ticks, locs in (
                (axis.get_major_ticks(), axis.get_majorticklocs()),
                (axis.get_minor_ticks(), axis.get_minorticklocs()),
            ):
                for tick, loc in zip(ticks, locs, strict=False):
                    if not low - slack <= loc <= high + slack:
                        hidden |= {id(tick.label1), id(tick.label2)}
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden
    ]


def assert_printable(fig: Figure, name: str = "") -> None:
    """The figure prints at its natural size on A4 portrait: at most WIDTH_IN x MAX_HEIGHT_IN,
    every text it shows at least 8 pt and inside the figure (nothing clipped)."""
    width, height = fig.get_size_inches()
    assert width <= charts.WIDTH_IN + 1e-9, (name, width)
    assert height <= charts.MAX_HEIGHT_IN + 1e-9, (name, height)
    texts = drawn_texts(fig)
    assert texts, name
    for text in texts:
        assert text.get_fontsize() >= charts.MIN_TEXT_PT >= 8, (name, text.get_text())
    renderer = fig._get_renderer()
    box = fig.bbox
    legends = [a for a in fig.findobj(Legend) if a.get_visible()]
    for artist in [*texts, *legends]:
        extent = artist.get_window_extent(renderer)
        inside = (
            extent.x0 >= box.x0 - 1
            and extent.y0 >= box.y0 - 1
            and extent.x1 <= box.x1 + 1
            and extent.y1 <= box.y1 + 1
        )
        what = artist.get_text() if isinstance(artist, Text) else "legend"
        assert inside, (name, what, extent.extents / fig.dpi, (width, height))


@pytest.mark.parametrize("name", REALISTIC)
def test_every_chart_prints_with_text_of_at_least_8_pt_on_paper(name: str) -> None:
    assert_printable(REALISTIC[name](), name)


@pytest.mark.parametrize("name", BUILDERS)
def test_every_chart_prints_at_full_size_with_small_and_empty_frames(name: str) -> None:
    make, build, _ = BUILDERS[name]
    assert_printable(build(make()), name)
    assert_printable(build(make().iloc[0:0]), name)


def test_the_printable_check_catches_small_text_big_figures_and_clipping() -> None:
    fig = charts.bar_chart(bar_frame(), title=THAI_TITLE, xlabel=THAI_X)
    fig.axes[0].texts[0].set_fontsize(9)  # 7.2 pt on paper
    with pytest.raises(AssertionError):
        assert_printable(fig)
    fig = charts.bar_chart(bar_frame(), title=THAI_TITLE, xlabel=THAI_X)
    fig.set_figheight(charts.MAX_HEIGHT_IN + 0.5)
    with pytest.raises(AssertionError):
        assert_printable(fig)
    fig = charts.bar_chart(bar_frame(), title=THAI_TITLE, xlabel=THAI_X)
    fig.axes[0].set_title("ชื่อยาวมาก / A very long title " * 4)  # unwrapped: runs off the page
    with pytest.raises(AssertionError):
        assert_printable(fig)


def test_item_chart_fits_one_answer_scale_and_refuses_more_than_a_page() -> None:
    agree = charts.item_chart(staff_items("agree5"), title=THAI_TITLE)  # 18 items, 2 panels
    assert len(agree.axes) == 2  # the reverse-coded item has its own legend
    assert agree.get_figheight() <= charts.MAX_HEIGHT_IN
    both = pd.concat([staff_items("agree5"), staff_items("amount5")], ignore_index=True)
    with pytest.raises(ValueError, match=r"item_chart: 22 items .* one chart per answer scale"):
        charts.item_chart(both, title=THAI_TITLE)


def test_item_chart_rows_are_as_tall_as_their_labels_and_notes() -> None:
    fig = charts.item_chart(staff_items("agree5"), title=THAI_TITLE)
    fig.draw_without_rendering()
    for ax in fig.axes:
        lines = [t.get_text().count("\n") for t in ax.get_yticklabels()]
        for text in ax.texts:  # the withheld row's note is longer than its label
            row = int(np.argmin(np.abs(ax.get_yticks() - text.get_position()[1])))
            lines[row] = max(lines[row], text.get_text().count("\n"))
        rows = sum(charts.ITEM_ROW_IN + charts.ITEM_LINE_IN * n for n in lines)
        assert ax.get_ylim()[0] == pytest.approx(rows)  # the y axis counts inches
        height = ax.get_position().height * fig.get_figheight()
        assert height == pytest.approx(rows, rel=0.08)  # so bars are ITEM_BAR_IN thick


def test_other_charts_refuse_more_rows_than_a_page() -> None:
    many = pd.DataFrame({"label": [f"แถว {i} / Row {i}" for i in range(30)], "value": 1.0})
    with pytest.raises(ValueError, match=r"bar_chart: a chart .* bigger than"):
        charts.bar_chart(many, title="t", xlabel="x")


# contrast (WCAG 1.4.11): every data mark at least 3:1 against the white background


def _luminance(colour) -> float:
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(colour)
    channels = [a * c + (1 - a) for c in (r, g, b)]  # over white
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def _with_alpha(colour, alpha: float | None) -> tuple[float, ...] | None:
    from matplotlib.colors import to_rgba

    if colour is None or (isinstance(colour, str) and colour.lower() == "none"):
        return None
    rgba = to_rgba(colour)
    if alpha is not None:
        rgba = (*rgba[:3], rgba[3] * alpha)
    if rgba[3] == 0 or rgba[:3] == (1.0, 1.0, 1.0):  # nothing drawn, or a white separator
        return None
    return rgba


def _mark_colours(fig: Figure) -> dict[tuple[float, ...], str]:
    """The colours of everything drawn in a figure except text, backgrounds, axes (spines,
    ticks, gridlines), legend frames and text boxes: lines, markers, bars, boxes, scatter
    points, arrows, and the legend's samples of them, with their alpha over white. A filled
    shape outlined in a colour of at least 3:1 is told by its outline, so its fill is left out
    (the box of a box plot). White is left out: it separates marks."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig.draw_without_rendering()
    skip = {id(fig.patch)}
    for ax in fig.axes:
        skip.add(id(ax.patch))
        skip |= {id(spine) for spine in ax.spines.values()}
        for axis in (ax.xaxis, ax.yaxis):
            skip |= {id(a) for a in axis.findobj()}
    for legend in fig.findobj(Legend):
        skip.add(id(legend.legendPatch))
    for text in fig.findobj(Text):
        if text.get_bbox_patch() is not None:
            skip.add(id(text.get_bbox_patch()))
    found: dict[tuple[float, ...], str] = {}

    def keep(colour, alpha, what) -> None:
        rgba = _with_alpha(colour, alpha)
        if rgba is not None:
            found.setdefault(rgba, what)

    for artist in fig.findobj(lambda a: isinstance(a, (Line2D, Collection, Patch))):
        if id(artist) in skip or not artist.get_visible():
            continue
        alpha = artist.get_alpha()
        what = f"{type(artist).__name__} {artist.get_label()}"
        if isinstance(artist, Line2D):
            if artist.get_linestyle() not in ("None", "none", "") and artist.get_linewidth() > 0:
                keep(artist.get_color(), alpha, what)
            if artist.get_marker() not in ("None", "none", "", None, "|", "_"):
                keep(artist.get_markerfacecolor(), alpha, what)
            if artist.get_marker() not in ("None", "none", "", None):
                keep(artist.get_markeredgecolor(), alpha, what)
            continue
        if isinstance(artist, Collection):
            faces, edges = list(artist.get_facecolors()), list(artist.get_edgecolors())
            widths = artist.get_linewidths()
        else:
            faces, edges, widths = (
                [artist.get_facecolor()],
                [artist.get_edgecolor()],
                [artist.get_linewidth()],
            )
        drawn_edges = max(widths, default=0) > 0
        if drawn_edges:
            for edge in edges:
                keep(edge, None, what)
        outlined = drawn_edges and all(
            _with_alpha(e, None) is not None and contrast_with_white(e) >= 3 for e in edges
        )
        filled = not isinstance(artist, Patch) or artist.get_fill()
        if filled and not outlined:
            for face in faces:
                keep(face, None, what)
    return found


MARKED = {
    **{name: (lambda m=make, b=build: b(m())) for name, (make, build, _) in BUILDERS.items()},
    **{
        f"realistic {name}": make
        for name, make in REALISTIC.items()
        if "no data" not in name and "withheld" not in name  # nothing drawn
    },
}


def test_every_mark_colour_constant_has_3_to_1_against_white() -> None:
    for colour in charts.MARK_COLOURS:
        assert contrast_with_white(colour) >= 3, colour


@pytest.mark.parametrize("name", MARKED)
def test_every_mark_drawn_has_3_to_1_against_white(name: str) -> None:
    colours = _mark_colours(MARKED[name]())
    assert colours, name
    for colour, what in colours.items():
        assert contrast_with_white(colour) >= 3, (name, what, colour)


def test_the_contrast_check_sees_light_marks() -> None:
    fig = charts.funnel_chart(
        funnel_points(), funnel_limits(), title="t", xlabel="x", ylabel="y", centre=60, focus="AG3"
    )
    fig.axes[0].collections[0].set_edgecolor(charts.LIGHT)  # the other agencies, too light
    assert any(contrast_with_white(c) < 3 for c in _mark_colours(fig))
    fig = charts.distribution_chart(distribution_frame(), title="t", xlabel="x")
    fig.axes[0].collections[0].set_alpha(0.3)  # the agency points, too faint
    assert any(contrast_with_white(c) < 3 for c in _mark_colours(fig))


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


def test_the_word_breaker_can_be_loaded_ahead_of_the_first_label() -> None:
    import sys

    charts.warm_word_breaker()
    assert "pythainlp.tokenize" in sys.modules
    assert charts._pieces.cache_info().currsize >= 1
