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

# %% [markdown]
# # 01 · ทำความสะอาดข้อมูลนำเข้า / Clean the inputs
#
# อ่านไฟล์ดิบทุกไฟล์ของปีงบประมาณ ปรับให้ตรงตามคู่มือรหัส (codebook) ตรวจสอบกับ schema
# แล้วบันทึกลง `data/processed/<ปี>/clean/` ทุกแถวของข้อมูลดิบถูกนับ: เก็บไว้ หรือแยกออกพร้อมเหตุผล
#
# Reads every raw file of the fiscal year, normalises it to the codebooks, validates it against
# the declared schema and writes `data/processed/<year>/clean/`. Every raw row is accounted for:
# kept, or set aside with a reason (rules in `helpers.ingest.cleaning`). Raw files are only read.

# %% tags=["parameters"]
year: int = 2565  # fiscal year, B.E. (a C.E. year such as 2022 is accepted)

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers.core import config, years
from helpers.ingest import cleaning
from helpers.ingest.registry import load_registry

pd.set_option("display.max_colwidth", 80)

# %%
year = years.parse(year)
result = cleaning.run_cleaning(year)
ledger = result.ledger
display(
    Markdown(
        f"**{years.label(result.year)} · {years.label(result.year, 'en')}** — raw folder "
        f"`{result.folder.name}`: {len(ledger)} files, {ledger['rows_read'].sum():,} rows read, "
        f"{ledger['rows_kept'].sum():,} kept, {ledger['rows_set_aside'].sum():,} set aside."
    )
)

# %% [markdown]
# ## บัญชีแถวข้อมูล / Row ledger
# แถวที่อ่าน = แถวที่เก็บ + แถวที่แยกออก สำหรับทุกไฟล์ · rows read = kept + set aside, for every file.

# %%
display(
    ledger[
        [
            "instrument",
            "file",
            "encoding",
            "rows_read",
            "rows_kept",
            "rows_set_aside",
            "value_issues",
        ]
    ]
)
assert (ledger["rows_read"] == ledger["rows_kept"] + ledger["rows_set_aside"]).all()

# %% [markdown]
# ## คำเตือน / Warnings
# คำถามที่ไม่มีในไฟล์ และข้อมูลที่อาจนับซ้ำ · questions missing from a file, and suspected double
# counts (the same responses in two files).

# %%
display(Markdown("\n".join(f"- {w}" for w in result.warnings) or "_None._"))

# %% [markdown]
# ## หัวคอลัมน์ที่จับคู่โดยความคล้าย / Headers matched by similarity or pinned
# ตรวจสอบได้ด้วย `workbook columns --year <ปี>` · review with `workbook columns --year <year>`;
# correct a match in the year folder's `_columns.yaml`.

# %%
matched = result.header_map[result.header_map["how"].isin(["fuzzy", "pinned"])]
display(matched if len(matched) else Markdown("_None._"))

# %% [markdown]
# ## แถวที่แยกออกตามเหตุผล / Rows set aside, by reason

# %%
display(result.reasons())

# %% [markdown]
# ## หน่วยงานที่ไม่พบในทะเบียน / Agencies not in the registry
# ชื่อที่ไม่ตรงกับทะเบียนหน่วยงาน ตรงกับหลายหน่วยงาน หรือรหัสกับชื่อไม่ตรงกัน พร้อมหน่วยงานที่ใกล้เคียง ·
# names that matched no registry entry, fit two agencies, or disagree with their code, with the
# candidates: correct the raw file or add an alias to the registry, then rerun.

# %%
display(result.unknown_agencies())

# %% [markdown]
# ## ค่าที่อ่านไม่ได้ (เก็บแถวไว้ ค่าเป็นค่าว่าง) / Unreadable answers (row kept, value missing)

# %%
issues = result.value_issues
display(
    issues.groupby(["instrument", "column"]).size().rename("cells").reset_index()
    if len(issues)
    else Markdown("_None._")
)

# %% [markdown]
# ## ข้อมูลส่วนบุคคล / Direct identifiers
# คอลัมน์ที่ระบุตัวบุคคลถูกตัดทิ้งตั้งแต่การอ่าน และข้อความอิสระถูกลบเลขบัตรประชาชน โทรศัพท์ และอีเมล ·
# identifier columns are dropped on read; ID numbers, phone numbers and e-mails are removed from
# free text.

# %%
display(
    ledger[
        [
            "file",
            "identifier_columns_dropped",
            "identifiers_scrubbed_from_text",
            "extra_columns_ignored",
        ]
    ]
)

# %% [markdown]
# ## จำนวนผู้ตอบต่อหน่วยงาน / Respondents per agency
# หน่วยงานที่มีผู้ตอบน้อยกว่าเกณฑ์จะไม่แสดงผลในรายงาน · agencies below the threshold get no
# published result.

# %%
threshold = config.pipeline()["confidentiality"]["min_respondents"]
respondents = cleaning.respondents_by_agency(result, load_registry(), threshold)
display(
    Markdown(
        f"{len(respondents)} agencies with data; {int(respondents['below_threshold'].sum())} below "
        f"{threshold} respondents in at least one survey."
    )
)
display(respondents.sort_values("staff_survey").head(15))
