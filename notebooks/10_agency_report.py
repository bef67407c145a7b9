# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python (Thai HRD workbook)
#     language: python
#     name: thai-hrd-workbook
# ---

# %% [markdown] tags=["remove-from-report"]
# # 10 · รายงานหน่วยงาน / Agency report
#
# One agency's report for one fiscal year, converted to `reports/<year>/<agency>.html` by the
# runner (`workbook run`). Sections in a manager's order: scorecard, staff satisfaction,
# ecosystem/skillsets/mindset/personas, IDP and innovation, citizen trust, position among all
# agencies, methods. The notebook reads only the aggregate tables of stages 02-05 (never respondent
# rows), so its executed copy holds aggregates alone. Wording: `helpers.reports.agency` and
# `config/reports.yaml`; charts: `helpers.reports.charts`. Cells tagged
# `remove-from-report` (like this
# one) and the code never reach the HTML.

# %% tags=["parameters"]
year: int = 2565  # fiscal year, B.E. (a C.E. year such as 2022 is accepted)
agency: str = ""  # agency code, see data/raw/reference/agencies.csv; empty: the largest

# %% tags=["imports"]
from helpers.core import years
from helpers.reports import charts
from helpers.reports.agency import TREND_SERIES, AgencyReport
from helpers.reports.formatting import show
from helpers.reports.funnel import funnel_figure

charts.setup_fonts()

# %%
year = years.parse(year)
r = AgencyReport(year, agency)
show(r.header_html())

# %% [markdown]
# <h2 id="scorecard-heading">สรุปผลตัวชี้วัด <span class="en">/ Scorecard</span></h2>

# %%
show(r.verdict_html() + r.scorecard_html())

# %% [markdown]
# <h2 class="new-page">1. ความพึงพอใจต่อการพัฒนาบุคลากร <span class="en">/ Staff satisfaction
# with development (A5)</span></h2>

# %%
show(f"<p>{r.indicator_sentence('A5')}</p>")
show(
    charts.figure_html(
        charts.trend_chart(
            r.trend("A5"),
            title="ดัชนีความพึงพอใจ: หน่วยงาน กระทรวง ทั้งประเทศ / Satisfaction index over time",
            ylabel="ดัชนี (0–100) / Index (0–100)",
            target=r.target_value("A5"),
            series_order=TREND_SERIES,
        ),
        alt=r.trend_alt("A5"),
        caption="เส้นทึบ: หน่วยงานนี้ พร้อมช่วงความเชื่อมั่น 95% / Solid line: this agency with "
        "its 95% interval. Medians are of published agency values; the ministry median is shown "
        "when two or more of its agencies have one.",
    )
)

# %% [markdown]
# <h3>คำตอบรายข้อ <span class="en">/ Answers item by item</span></h3>

# %%
show(
    charts.figure_html(
        charts.item_chart(r.items(), title="ร้อยละของคำตอบรายข้อ / Answers by item (%)"),
        alt=r.items_alt(),
    )
)
show(r.strengths_challenges_html())

# %% [markdown]
# <h3>ปัจจัยที่สัมพันธ์กับความพึงพอใจ <span class="en">/ What goes with satisfaction
# here</span></h3>

# %%
show(
    charts.figure_html(
        charts.bar_chart(
            r.satisfaction_drivers(),
            title="สหสัมพันธ์กับดัชนีความพึงพอใจ / Correlation with the satisfaction index",
            xlabel="สหสัมพันธ์ (r) / Correlation (r)",
            xlim=(-1, 1),
        ),
        alt="Bar chart of the correlation of each driver with the satisfaction index in this "
        "agency.",
    )
)
show(r.drivers_html())

# %% [markdown]
# <h2 class="new-page">2. ระบบนิเวศ ทักษะ กรอบความคิด และคุณลักษณะ <span class="en">/ Ecosystem,
# skillsets, mindset and the four personas</span></h2>
#
# คะแนน 0–100 เทียบกับมัธยฐานและควอร์ไทล์บนของทุกหน่วยงาน / Scores 0–100 (strongly disagree =
# 0, strongly agree = 100) against the median and upper quartile of all agencies.

# %%
show(
    charts.figure_html(
        charts.benchmark_chart(
            r.measures(("construct", "persona")),
            title="ระบบนิเวศ ทักษะ กรอบความคิด และคุณลักษณะ / Constructs and personas",
            xlabel="คะแนน (0–100) / Score (0–100)",
            xlim=(0, 100),
        ),
        alt=r.measures_alt(("construct", "persona"), "construct and persona scores"),
    )
)
show(r.suppressed_measures_note(("construct", "persona")))

# %% [markdown]
# <h2>3. แผนพัฒนารายบุคคลและนวัตกรรม <span class="en">/ IDP and innovation (A3, A4,
# A6)</span></h2>

# %%
show(r.indicators_html(("A3", "A4", "A6")))
show(
    charts.figure_html(
        charts.benchmark_chart(
            r.percent_indicators(("A3", "A6")),
            title="IDP และผลงานเชิงนวัตกรรม / IDP carried out and innovative work",
            xlabel="ร้อยละ / Percent",
            xlim=(0, 100),
        ),
        alt="Dot chart of A3 and A6 for this agency against the government median and "
        "upper quartile.",
    )
)

# %% [markdown]
# <h2 class="new-page">4. ความเชื่อมั่นของผู้รับบริการ <span class="en">/ Citizen trust
# (A7)</span></h2>

# %%
show(f"<p>{r.indicator_sentence('A7')}</p>")
show(
    charts.figure_html(
        charts.trend_chart(
            r.trend("A7"),
            title="ร้อยละผู้รับบริการที่เชื่อมั่น / Service users with high trust over time",
            ylabel="ร้อยละ / Percent",
            target=r.target_value("A7"),
            series_order=TREND_SERIES,
        ),
        alt=r.trend_alt("A7"),
    )
)
show(
    charts.figure_html(
        charts.benchmark_chart(
            r.measures("driver"),
            title="ปัจจัยขับเคลื่อนความเชื่อมั่น 5 ด้าน / The five drivers of trust (OECD)",
            xlabel="คะแนนเฉลี่ย (0–10) / Mean score (0–10)",
            xlim=(0, 10),
        ),
        alt=r.measures_alt("driver", "the five OECD drivers of trust"),
    )
)
show(r.suppressed_measures_note("driver"))

# %% [markdown]
# <h2 class="new-page">5. ตำแหน่งเทียบกับทุกหน่วยงาน <span class="en">/ Where the agency
# stands</span></h2>
#
# แผนภาพกรวย: จุดที่อยู่นอกเส้นประแตกต่างจากมัธยฐานเกินกว่าความคลาดเคลื่อนจากการสุ่ม / Funnel
# plots: a point outside the dashed (95%) or dotted (99.8%) limits differs from the median of
# all agencies by more than sampling variation alone would explain; small agencies have wider
# limits.

# %%
for code in ("A5", "A7"):
    points, limits, centre, _ = r.funnel(code)
    text = r.funnel_text(code)
    show(funnel_figure(points, limits, centre, code, text, focus=r.agency))
    show(f"<p>{r.funnel_sentence(code)}</p>")

# %% [markdown]
# <h2 class="new-page">6. วิธีการและคุณภาพข้อมูล <span class="en">/ Methods and data
# quality</span></h2>

# %%
show(r.methods_html())
