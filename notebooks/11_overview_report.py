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
# # 11 · ภาพรวมทั้งประเทศ / Government-wide overview
#
# The overview for OCSC of one fiscal year, converted to `reports/<year>/overview.html` by the
# runner: O1-O3, the distribution of every agency indicator, ministries, targets met and
# missed, funnel plots, the model results with their caveats, and the trend over the guideline
# period. Reads only the aggregate tables of stages 02-05. Wording: `helpers.reports.overview`.

# %% tags=["parameters"]
year: int = 2565  # fiscal year, B.E. (a C.E. year such as 2022 is accepted)

# %% tags=["imports"]
from helpers.core import years
from helpers.reports import charts, overview
from helpers.reports.formatting import show
from helpers.reports.funnel import funnel_figure

charts.setup_fonts()

# %%
year = years.parse(year)
o = overview.OverviewReport(year)
show(o.header_html())

# %% [markdown]
# <h2 id="scorecard-heading">ตัวชี้วัดระดับสำนักงาน ก.พ. <span class="en">/ OCSC indicators
# (O1–O3)</span></h2>

# %%
show(o.ocsc_scorecard_html())

# %% [markdown]
# <h2>ผลตามเป้าหมาย <span class="en">/ Targets met and missed (A1–A7)</span></h2>

# %%
show(o.targets_html())

# %% [markdown]
# <h2 class="new-page">การกระจายของค่าตัวชี้วัด <span class="en">/ How agencies are
# spread</span></h2>
#
# แต่ละจุดคือหนึ่งหน่วยงานที่มีค่าเผยแพร่ได้; เครื่องหมายแสดงเป้าหมาย / Each point is one agency
# with a published value; the marker shows the target.

# %%
survey_codes = ("A3", "A5", "A6", "A7")
frame, targets = o.distribution(survey_codes)
show(
    charts.figure_html(
        charts.distribution_chart(
            frame,
            title="ตัวชี้วัดจากแบบสำรวจ / Survey indicators across agencies",
            xlabel="ร้อยละ หรือ ดัชนี (0–100) / Percent or index (0–100)",
            target=targets,
        ),
        alt=o.distribution_alt(survey_codes),
    )
)
show(o.returns_html())

# %% [markdown]
# <h2>เปรียบเทียบรายกระทรวง <span class="en">/ Ministries compared</span></h2>

# %%
show(o.ministries_html())

# %% [markdown]
# <h2 class="new-page">แผนภาพกรวย <span class="en">/ Funnel plots</span></h2>

# %%
for code in ("A5", "A7"):
    points, limits, centre, _ = o.funnel(code)
    show(funnel_figure(points, limits, centre, code, o.funnel_outliers(code)))
    show(f"<p>{o.funnel_outliers_html(code)}</p>")

# %% [markdown]
# <h2 class="new-page">ผลจากแบบจำลอง <span class="en">/ What the models say</span></h2>

# %%
show(
    charts.figure_html(
        charts.coefficient_chart(
            o.staff_drivers(),
            title="ปัจจัยของความพึงพอใจโดยรวม / Drivers of overall satisfaction",
            xlabel="log-odds ต่อหนึ่งหน่วย (95%) / log-odds per unit (95% CI)",
        ),
        alt="Coefficient chart of the proportional-odds model of overall satisfaction.",
    )
)
show(
    charts.figure_html(
        charts.coefficient_chart(
            o.trust_drivers(),
            title="ปัจจัยของความเชื่อมั่น / Drivers of citizen trust",
            xlabel="จุดร้อยละต่อ 1 SD (95%) / percentage points per SD (95% CI)",
        ),
        alt="Average marginal effects of the five trust drivers on the share with high trust.",
    )
)
show(o.models_html())

# %% [markdown]
# <h2 class="new-page">แนวโน้มตลอดช่วงแนวทาง <span class="en">/ Trend over the guideline
# period</span></h2>

# %%
show(
    charts.figure_html(
        charts.trend_chart(
            o.trend(survey_codes),
            title="มัธยฐานของหน่วยงานตามปี / Median agency value by year",
            ylabel="ร้อยละ หรือ ดัชนี / Percent or index",
        ),
        alt=o.trend_alt(survey_codes),
    )
)
show(o.ocsc_trend_html())
