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
# runner: O1-O3, the distribution of every agency indicator, ministries, targets reached, funnel
# plots, the model results with their caveats, the trend over the guideline period, and links to
# every agency report of the year. Reads only the aggregate tables of stages 02-05. Wording:
# `helpers.reports.overview` (Thai first, English below; chart texts as (Thai, English) pairs).

# %% tags=["parameters"]
year: int = 2565  # fiscal year, B.E. (a C.E. year such as 2022 is accepted)

# %% tags=["imports"]
from helpers.core import years
from helpers.reports import charts, overview
from helpers.reports.formatting import provisional_targets, show
from helpers.reports.funnel import funnel_figure

charts.setup_fonts()

# %%
year = years.parse(year)
o = overview.OverviewReport(year)
show(o.header_html())

# %% [markdown]
# <h2 id="scorecard-heading">ตัวชี้วัดระดับสำนักงาน ก.พ. (O1–O3)<span class="en" lang="en">OCSC
# indicators (O1–O3)</span></h2>

# %%
show(o.ocsc_scorecard_html())

# %% [markdown]
# <h2 id="targets-heading">ผลเทียบกับค่าเป้าหมาย (A1–A7)<span class="en" lang="en">Results against
# the targets (A1–A7)</span></h2>

# %%
show(o.targets_html())

# %% [markdown]
# <h2>การกระจายของค่าตัวชี้วัดระหว่างหน่วยงาน<span class="en" lang="en">How
# agencies are spread</span></h2>

# %%
show(o.returns_html())
survey_codes = ("A3", "A5", "A6", "A7")
frame, targets = o.distribution(survey_codes)
show(
    charts.figure_html(
        charts.distribution_chart(
            frame,
            title="ตัวชี้วัดจากแบบสำรวจ / Survey indicators across agencies",
            xlabel="ร้อยละ หรือ ดัชนี (0–100) / Percent or index (0–100)",
            target=targets,
            target_label=charts.PROVISIONAL_TARGET_LABEL
            if provisional_targets()
            else charts.TARGET_LABEL,
        ),
        alt=o.distribution_alt(survey_codes),
        caption=o.distribution_caption(),
    )
)

# %% [markdown]
# <h2>เปรียบเทียบรายกระทรวง<span class="en" lang="en">Ministries compared</span></h2>

# %%
show(o.ministries_html())

# %% [markdown]
# <h2>แผนภาพกรวย<span class="en" lang="en">Funnel plots</span></h2>
#
# <p>แผนภาพกรวยแสดงค่าของแต่ละหน่วยงานเทียบกับจำนวนผู้ตอบ
# ค่าของหน่วยงานที่มีผู้ตอบน้อยย่อมคลาดเคลื่อนจากการสุ่มได้มากกว่า
# ขอบเขตควบคุม 95% และ 99.8% จึงกว้างเมื่อมีผู้ตอบน้อย และแคบลงเมื่อมีผู้ตอบมาก
# หน่วยงานที่อยู่นอกขอบเขตควบคุม 99.8% มีค่าต่างจากค่ากลางมากเกินกว่าที่ความคลาดเคลื่อนจากการสุ่มจะอธิบายได้<span
# class="en" lang="en">A funnel plot shows each agency's value against its number of
# respondents. Small agencies vary more by chance, so the 95% and 99.8% control limits are wide
# for few respondents and narrow for many. An agency outside the 99.8% control limits differs
# from the centre by more than sampling variation would explain.</span></p>

# %%
for code in ("A5", "A7"):
    points, limits, centre, _ = o.funnel(code)
    show(funnel_figure(points, limits, centre, code, o.funnel_alt(code)))
    show(o.funnel_html(code))

# %% [markdown]
# <h2>ผลจากแบบจำลองทางสถิติ<span class="en" lang="en">What the models
# say</span></h2>
#
# <h3>ความพึงพอใจโดยรวมของบุคลากร<span class="en" lang="en">Staff overall satisfaction</span></h3>

# %%
show(
    charts.figure_html(
        charts.coefficient_chart(
            o.staff_drivers(),
            title="ปัจจัยของความพึงพอใจโดยรวม / Drivers of overall satisfaction",
            xlabel="ล็อกออดส์ต่อ 1 หน่วย / Log-odds per unit",
        ),
        alt=o.staff_drivers_alt(),
        caption=o.coefficient_caption(),
    )
)
show(o.staff_model_html())

# %% [markdown]
# <h3>การพัฒนาบุคลากรกับความเชื่อมั่นของผู้รับบริการ<span class="en" lang="en">Staff development and
# citizen trust</span></h3>

# %%
show(o.panel_html())

# %% [markdown]
# <h3>ความเชื่อมั่นของผู้รับบริการ<span class="en" lang="en">Citizen trust</span></h3>

# %%
show(
    charts.figure_html(
        charts.coefficient_chart(
            o.trust_drivers(),
            title="ปัจจัยของความเชื่อมั่น / Drivers of citizen trust",
            xlabel="จุดร้อยละต่อ 1 ส่วนเบี่ยงเบนมาตรฐาน / Percentage points per SD",
        ),
        alt=o.trust_drivers_alt(),
        caption=o.coefficient_caption(),
    )
)
show(o.trust_model_html())
show(o.caveats_html())

# %% [markdown]
# <h2>แนวโน้มตลอดช่วงแนวทาง พ.ศ. 2563–2565<span class="en" lang="en">Trend over the guideline
# period</span></h2>

# %%
show(
    charts.figure_html(
        charts.trend_chart(
            o.trend(survey_codes),
            title=(
                "มัธยฐานของค่าตัวชี้วัดของทุกหน่วยงาน รายปีงบประมาณ / "
                "Median of all agencies' values, by fiscal year"
            ),
            ylabel="ร้อยละ หรือ ดัชนี / Percent or index",
        ),
        alt=o.trend_alt(survey_codes),
        caption=o.trend_caption(),
    )
)
show(o.ocsc_trend_html())

# %% [markdown]
# <h2 id="groups-heading">ผลจำแนกตามกลุ่มบุคลากร<span class="en" lang="en">Results by staff
# group</span></h2>
#
# <p>รวมทุกหน่วยงานที่เผยแพร่ผลของตัวชี้วัดนั้นได้ หน่วยงานที่มีผู้ตอบน้อยกว่าเกณฑ์ไม่ถูกนับรวม
# เพื่อไม่ให้คำนวณผลของหน่วยงานนั้นย้อนกลับได้<span class="en" lang="en">Over every agency whose own
# result for the measure is published; agencies below the reporting threshold are left out, so
# that their results cannot be worked out.</span></p>

# %%
show(o.groups_html())

# %% [markdown]
# <h2>หมายเหตุวิธีการ<span class="en" lang="en">Notes on methods</span></h2>

# %%
show(o.methods_html())

# %% [markdown]
# <h2 id="agency-reports" class="no-print">รายงานหน่วยงาน<span class="en" lang="en">Agency
# reports</span></h2>

# %%
show(o.agency_reports_html())
