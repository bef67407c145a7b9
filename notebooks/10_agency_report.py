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
# runner (`workbook run`). Sections in a manager's order: scorecard, from results to action,
# staff satisfaction, ecosystem/skillsets/mindset/personas, IDP and innovation, citizen trust,
# position among all agencies, item results, results by staff group, who answered, methods.
# The notebook reads only the aggregate tables of stages 02-05 (never respondent rows), so its
# executed copy holds aggregates alone. Wording: `helpers.reports.agency` and
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
# <h2 id="scorecard-heading">สรุปผลตัวชี้วัด <span class="en" lang="en">Scorecard</span></h2>

# %%
show(r.verdict_html() + r.scorecard_html() + r.download_html("scorecard"))

# %% [markdown]
# <h2 id="actions-heading">จากผลสู่การปฏิบัติ <span class="en" lang="en">From results to
# action</span></h2>

# %%
show(r.actions_html())

# %% [markdown]
# <h2>1. ความพึงพอใจต่อการพัฒนาบุคลากร <span class="en" lang="en">Staff satisfaction
# with development (A5)</span></h2>

# %%
show(r.indicator_sentence("A5") + r.model_estimate_html())
show(
    charts.figure_html(
        charts.trend_chart(
            r.trend("A5"),
            title="ดัชนีความพึงพอใจต่อการพัฒนาบุคลากร รายปีงบประมาณ / Satisfaction index by fiscal year",
            ylabel="ดัชนี / Index",
            target=r.target_value("A5"),
            target_label=r.target_label,
            series_order=TREND_SERIES,
        ),
        alt=r.trend_alt("A5"),
        caption=r.trend_caption("A5"),
    )
)

# %% [markdown]
# <h3>คำตอบรายข้อ <span class="en" lang="en">Answers item by item</span></h3>

# %%
note = r.missing_note(r.items(), "คำตอบรายข้อ / Answers by item")
for _scale, items, title in [] if note else r.item_panels():
    show(charts.figure_html(charts.item_chart(items, title=title), alt=r.items_alt(items)))
show(note + r.strengths_challenges_html())

# %% [markdown]
# <h3>ปัจจัยที่สัมพันธ์กับความพึงพอใจ <span class="en" lang="en">What goes with satisfaction
# here</span></h3>

# %%
drivers = r.satisfaction_drivers()
title = "สหสัมพันธ์กับดัชนีความพึงพอใจ / Correlation with the satisfaction index"
show(
    r.missing_note(drivers, title)
    or charts.figure_html(
        charts.bar_chart(
            drivers, title=title, xlabel="สหสัมพันธ์ (r) / Correlation (r)", xlim=(-1, 1)
        ),
        alt=r.drivers_alt(),
    )
)
show(r.drivers_html())

# %% [markdown]
# <h2>2. ระบบนิเวศ ทักษะ กรอบความคิด และคุณลักษณะ <span class="en" lang="en">Ecosystem,
# skillsets, mindset and the four personas</span></h2>
#
# <p>คะแนน 0–100 (ไม่เห็นด้วยอย่างยิ่ง = 0, เห็นด้วยอย่างยิ่ง = 100) เทียบกับมัธยฐานและควอร์ไทล์บน
# ของทุกหน่วยงาน<span class="en" lang="en">Scores 0–100 (strongly disagree = 0, strongly agree =
# 100) against the median and upper quartile of all agencies.</span></p>

# %%
measures = r.measures(("construct", "persona"))
title = (
    "ระบบนิเวศการเรียนรู้ กรอบทักษะ กรอบความคิด และคุณลักษณะ 4 ด้าน / "
    "Learning ecosystem, skillsets, mindset and the four personas"
)
show(
    r.missing_note(measures, title)
    or charts.figure_html(
        charts.benchmark_chart(
            measures, title=title, xlabel="คะแนน (0–100) / Score (0–100)", xlim=(0, 100)
        ),
        alt=r.measures_alt(
            ("construct", "persona"),
            ("คะแนนระบบนิเวศ ทักษะ กรอบความคิด และคุณลักษณะ", "construct and persona scores"),
        ),
    )
    + r.suppressed_measures_note(("construct", "persona"))
)

# %% [markdown]
# <h2>3. แผนพัฒนารายบุคคลและนวัตกรรม <span class="en" lang="en">IDP and innovation (A3, A4,
# A6)</span></h2>

# %%
show(r.indicators_html(("A3", "A4", "A6")))
percents = r.percent_indicators(("A3", "A6"))
title = (
    "การดำเนินการตามแผนพัฒนารายบุคคล (IDP) และผลงานเชิงนวัตกรรม / IDP carried out and innovative work"
)
show(
    r.missing_note(percents, title)
    or charts.figure_html(
        charts.benchmark_chart(percents, title=title, xlabel="ร้อยละ / Percent", xlim=(0, 100)),
        alt=r.percent_indicators_alt(("A3", "A6")),
    )
)

# %% [markdown]
# <h2>4. ความเชื่อมั่นของผู้รับบริการ <span class="en" lang="en">Citizen trust
# (A7)</span></h2>

# %%
show(r.indicator_sentence("A7"))
show(
    charts.figure_html(
        charts.trend_chart(
            r.trend("A7"),
            title="ร้อยละของผู้รับบริการที่เชื่อมั่นในหน่วยงาน รายปีงบประมาณ / "
            "Service users with high trust (%), by fiscal year",
            ylabel="ร้อยละ / Percent",
            target=r.target_value("A7"),
            target_label=r.target_label,
            series_order=TREND_SERIES,
        ),
        alt=r.trend_alt("A7"),
        caption=r.trend_caption("A7"),
    )
)
drivers = r.measures("driver")
title = "ปัจจัยขับเคลื่อนความเชื่อมั่น 5 ด้าน (ตามกรอบของ OECD) / The five drivers of trust (OECD)"
show(
    r.missing_note(drivers, title)
    or charts.figure_html(
        charts.benchmark_chart(
            drivers, title=title, xlabel="คะแนนเฉลี่ย (0–10) / Mean score (0–10)", xlim=(0, 10)
        ),
        alt=r.measures_alt(
            "driver", ("คะแนนปัจจัยขับเคลื่อนความเชื่อมั่น 5 ด้าน", "the five OECD drivers of trust")
        ),
    )
    + r.suppressed_measures_note("driver")
)

# %% [markdown]
# <h2>5. ตำแหน่งเทียบกับทุกหน่วยงาน <span class="en" lang="en">Where the agency
# stands</span></h2>
#
# <p>ในแผนภาพกรวย จุดที่อยู่นอกเส้นประ (ขอบเขตควบคุม 95%) หรือเส้นจุด (ขอบเขตควบคุม 99.8%)
# ต่างจากมัธยฐานของทุกหน่วยงานมากเกินกว่าที่ความคลาดเคลื่อนจากการสุ่มจะอธิบายได้
# หน่วยงานที่มีผู้ตอบน้อยมีขอบเขตควบคุมกว้างกว่า<span class="en" lang="en">Funnel plots: a point outside
# the dashed (95%) or dotted (99.8%) control limits differs from the median of all agencies by
# more than sampling variation alone would explain; agencies with few respondents have wider
# limits.</span></p>

# %%
for code in ("A5", "A7"):
    points, limits, centre, _ = r.funnel(code)
    text = r.funnel_text(code)
    show(funnel_figure(points, limits, centre, code, text, focus=r.agency))
    show(r.funnel_sentence(code))

# %% [markdown]
# <h2 id="items-heading">6. ผลรายข้อคำถาม <span class="en" lang="en">Item results</span></h2>

# %%
show(r.top_bottom_html())

# %% [markdown]
# <h3>ผลรายข้อทั้งหมด <span class="en" lang="en">Every item</span></h3>

# %%
show(r.item_table_html() + r.download_html("items"))

# %% [markdown]
# <h2 id="groups-heading">7. ผลจำแนกตามกลุ่มบุคลากร <span class="en" lang="en">Results by
# staff group</span></h2>

# %%
show(r.breakdowns_html() + r.download_html("breakdowns"))

# %% [markdown]
# <h2 id="profile-heading">8. ผู้ตอบแบบสำรวจ <span class="en" lang="en">Who
# answered</span></h2>

# %%
show(r.caution_html() + r.profile_html())

# %% [markdown]
# <h2>9. วิธีการและคุณภาพข้อมูล <span class="en" lang="en">Methods and data
# quality</span></h2>

# %%
show(r.methods_html())
