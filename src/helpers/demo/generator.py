"""Synthetic raw inputs with known truths: ``python -m helpers.demo``.

Writes realistic, messy raw files for fiscal years 2563-2565 under ``data/raw/<year folder>/``
and beside them ``_truth.json``: the planted parameters, per-agency truths, the respondents each
agency should keep after cleaning and every fault planted in every file. The output depends
only on the seed (``numpy.random.default_rng``), never on the clock or global random state.

Generative model (the same text is written to ``_truth.json`` under ``formulas``)
-------------------------------------------------------------------------------
Staff, respondent i of agency j in year t:
    position level ~ the agency's headcount shares (registry ``hc_<level>``); its position type
    from ``scales.yaml``; age from the level, tenure from age; gender plausible.
    latent (ecosystem, skillsets, mindset) = agency shift + N(0, R), correlations 0.4.
    item = clip(round(mean + 0.9 latent + N(0, 0.7)), 1, 5); eco5 is generated reversed.
    idp_made ~ Bern(p_idp_jt), rising over the years; idp_carried_out | idp_made ~ Bern(0.8).
    innovative_work = 1[0.5 z_skl + sqrt(0.75) e > Phi^-1(1 - a6_j)], so its rate is a6_j.
    y* = b_eco (eco_mean - 3) + b_skl (skl_mean - 3) + b_mnd (mnd_mean - 3) + b_idp idp_carried
         + u_j + d_jt + logistic noise; sat_overall = 1 + #(y* > cut-points).
    sat1-sat3 = 1 + #(y* + N(0, 1) > cut-points).
Citizen, respondent k of agency j in year t:
    drivers 0-10 = clip(round(6.2 + 1.9 (agency shift + N(0, R))), 0, 10), correlations 0.5.
    z = drivers standardised over the year's valid respondents (population sd).
    P(high) = logistic(a0 + sum_d theta_d z_d + v_jt),
    v_jt = lambda (A3_jt - mean A3) / 0.1 + N(0, 0.2), A3_jt = 0.8 p_idp_jt.
    trust = 5 for a random 12 %, else uniform on 6..10 if high and on 0..4 if low.
    satisfaction = clip(round(1 + 0.4 trust + N(0, 0.7)), 1, 5).
Agency returns: A1 met by agencies whose maturity is below a share rising over the years;
    FC level rising; innovation outputs ~ Poisson, larger for larger agencies; HR counts
    ~ Binomial(headcount, true A3 / A6 rate).

Files (``DEMO_LAYOUTS``): each year's files are written the way the tools that make real ones
write them. 2563: a cp874 staff CSV keyed from paper forms (Thai labels, B.E. dates, agency
name variants, ages in years, national ID and phone columns, response ids numbered 1..n within
each agency), a citizen workbook, an agency return with Thai headers and a correction, the OCSC
return. 2564: the staff survey in two parts (a UTF-8-with-BOM CSV and a workbook, some rows in
English labels or Thai digits, agency codes that lost their leading zero), and the workbook
saved again by Excel as ``staff_survey_2564_part2.csv`` (the same rows, times as Thai Windows
shows them, ``15/3/2564 9:05``, without seconds): a re-export that cleaning must count once; a
cp874 citizen CSV; workbooks for the returns. 2565 (folder ``2022``): the staff survey as a
workbook (English labels, shuffled columns, extra columns) and, for the other half of the
agencies, a Google Forms export (``staff_survey_2565_google.csv``: timestamp ``15/3/2022,
10:20:30`` and e-mail columns, numbered Thai question texts, the construct items as one grid
``7. ความคิดเห็นต่อการพัฒนาบุคลากร [item]``, a few texts edited, Thai answer labels, agencies as
names or ``03007 กรมสรรพากร``, no response id); the citizen survey as a UTF-8 CSV and a Microsoft
Forms export opened in Excel on a US-locale PC (``citizen_survey_2565_msforms.csv``: ID 1..n,
start and completion times month-first ``6/15/2022 9:05``, anonymous e-mail and blank name,
answers ``มาก (4)``); the agency return as Excel "Unicode Text" (UTF-16, tab-separated,
``agency_return_2565.txt``).

Faults are extra rows or cells (blank rows, duplicate submissions, agencies that are not in the
registry, dates outside the fiscal year, invalid optional answers, identifiers in comments in
local styles: ``0 2123 4567``, ``(02) 123 4567``, ``08-1234-5678``, ``+66 81 234 5678``,
``1-2345-67890-12-3``); a row carries at most one, so the counts in ``planted_faults`` are
exactly what cleaning should report. A survey tool's export has only the faults a tool's file
can have: rows the same twice (not resubmissions: without an id that follows a respondent a
resubmission is another respondent), text typed into an "other" box as the invalid answer.
In the re-export every usable row is a duplicate of the original's (which cleaning keeps: its
time has seconds, and ``.xlsx`` is the later file by name), so its ``duplicate_submission`` is
its rows less the blank, unknown-agency and out-of-year ones; the respondents kept per agency
are unchanged.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import re
import shutil
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit, ndtri

from helpers.core import atomic, config, paths
from helpers.core.config import Column, Scale
from helpers.core.thai import THAI_DIGITS
from helpers.core.years import BE_OFFSET, fiscal_year_bounds, is_year_name
from helpers.core.years import parse as parse_year
from helpers.ingest.cleaning import year_files
from helpers.ingest.registry import AgencyMatcher, load_registry

INSTRUMENTS = ("staff_survey", "citizen_survey", "agency_return", "ocsc_return")
GUIDELINE_YEARS = (2563, 2564, 2565)
SCALES = ("demo", "national")
NATIONAL_YEAR = 2565
NATIONAL_TOTALS = {"staff_survey": 400_000, "citizen_survey": 60_000}
FORM_VERSION = "2563.1"
FAULT_KINDS = (
    "blank_row",
    "duplicate_submission",
    "unknown_agency",
    "outside_fiscal_year",
    "superseded_submission",
    "invalid_value",
    "identifier_in_comment",
)

# Agencies and sample sizes.
N_SMALL = 2  # the smallest registry agencies, always in the demo (fewer than 10 respondents)
STAFF_RATE = (0.02, 0.08)
STAFF_CLIP = (3, 1500)
CITIZEN_SAMPLE = {True: 400, False: 100}  # service agency -> respondents per year
NATIONAL_CITIZEN_WEIGHT = {True: 4, False: 1}

# Staff model.
STAFF_B = {"b_eco": 0.9, "b_skl": 0.4, "b_mnd": 0.3, "b_idp": 0.5}
CONSTRUCTS = {"ecosystem": ("b_eco", 3.3), "skillsets": ("b_skl", 3.4), "mindset": ("b_mnd", 3.8)}
# Persona items load on (ecosystem, skillsets, mindset).
PERSONA_LOADINGS = {
    "per1": (0, 0.5, 0.5), "per2": (0, 1, 0), "per3": (0, 0, 1), "per4": (0.3, 0.3, 0.4),
}  # fmt: skip
CUTPOINTS = (-2.5, -1.1, 0.6, 2.6)
SIGMA_U = 0.35
CONSTRUCT_CORR = 0.4
IDP_CARRIED = 0.8
CHANGE_YEAR = 2565
CHANGES = {"improving": (5, 0.8), "declining": (3, -0.8)}  # (agencies, d_jt in CHANGE_YEAR)
LEVEL_AGE = {
    "exec_junior": 54, "exec_senior": 57, "dir_junior": 50, "dir_senior": 54,
    "acad_practitioner": 30, "acad_professional": 38, "acad_senior_professional": 47,
    "acad_expert": 53, "acad_advisory": 57, "gen_operational": 33, "gen_experienced": 42,
    "gen_senior": 50, "gen_special": 53,
}  # fmt: skip
STAFF_GENDER = {"male": 0.40, "female": 0.57, "other": 0.01, "not_stated": 0.02}

# Citizen model.
THETA = {
    "reliability": 0.8, "responsiveness": 0.5, "integrity": 0.6, "openness": 0.3, "fairness": 0.4,
}  # fmt: skip
A0 = 0.3
LAMBDA = 0.25
A3_UNIT = 0.1
SIGMA_V = 0.2
NEUTRAL_SHARE = 0.12
DRIVER_CORR = 0.5
CITIZEN_GENDER = {"male": 0.46, "female": 0.51, "other": 0.01, "not_stated": 0.02}
CITIZEN_AGE = {"under_30": 0.2, "30_39": 0.25, "40_49": 0.25, "50_plus": 0.3}
REGION_BASE = {"bangkok": 0.22, "central": 0.24, "north": 0.17, "northeast": 0.24, "south": 0.13}
CHANNEL = {"counter": 0.45, "online": 0.33, "phone": 0.14, "mobile_unit": 0.08}

# Agency and OCSC returns.
A1_BOTH_SHARE = {2563: 0.55, 2564: 0.70, 2565: 0.85}
OCSC_LEVELS = {2563: (3, 3), 2564: (4, 4), 2565: (5, 4)}  # (o1_level, o3_level)

FORMULAS = {
    "staff": (
        "y* = b_eco*(eco_mean-3) + b_skl*(skl_mean-3) + b_mnd*(mnd_mean-3) + b_idp*idp_carried"
        " + u_j + d_jt + e, e ~ Logistic(0,1); sat_overall = 1 + #(y* > cutpoints);"
        " sat1..sat3 = 1 + #(y* + N(0,1) > cutpoints); eco_mean = mean(eco1..eco4, 6-eco5),"
        " skl_mean = mean(skl1..skl4), mnd_mean = mean(mnd1..mnd5), items as generated;"
        " idp_carried = idp_made*idp_carried_out; u_j ~ N(0, sigma_u)"
    ),
    "staff_binary": (
        "idp_made ~ Bern(p_idp_jt); idp_carried_out | idp_made=1 ~ Bern(0.8), missing otherwise;"
        " innovative_work = 1[0.5*z_skl + sqrt(0.75)*e > Phi^-1(1 - a6_jt)] so P = a6_jt"
    ),
    "citizen": (
        "P(high trust) = logistic(a0 + sum_d theta_d*z_d + v_jt), z_d = driver d standardised"
        " over the year's valid respondents (population sd); v_jt = lambda*(A3_jt - a3_centre)"
        "/a3_unit + N(0, sigma_v); A3_jt = 0.8*p_idp_jt; trust = 5 with probability"
        " neutral_share (independent of everything), else U{6..10} if high, U{0..4} if low;"
        " AME_d = theta_d * mean(p(1-p)) over the valid non-neutral respondents"
    ),
    "agency_return": (
        "a1 both met when maturity_j < share_t; hr_staff_with_idp ~ Bin(headcount, A3_jt);"
        " hr_staff_innovative ~ Bin(headcount, a6_jt); a4 ~ Poisson(1 + 2*sqrt(headcount/1000)"
        "*(1 + 0.25*t))"
    ),
}

COMMENTS = (
    "อยากให้มีหลักสูตรออนไลน์ที่เรียนได้ทุกเวลา",
    "ควรจัดสรรเวลาสำหรับการเรียนรู้ในเวลาราชการ",
    "หลักสูตรด้านดิจิทัลมีประโยชน์มาก",
    "อยากให้ผู้บริหารสนับสนุนการพัฒนามากขึ้น",
    "ภาระงานมากจนไม่มีเวลาเข้าอบรม",
    "ขอบคุณที่รับฟังความคิดเห็น",
)
CITIZEN_COMMENTS = (
    "เจ้าหน้าที่ให้บริการดีมาก",
    "รอคิวนานเกินไป",
    "ระบบออนไลน์ใช้งานง่าย",
    "ควรเพิ่มช่องทางการติดต่อ",
    "ขอบคุณค่ะ",
)
IDENTIFIER_COMMENTS = {
    "phone": "ถ้ามีคำถามติดต่อกลับได้ที่ {}",
    "national_id": "เลขบัตรประชาชนของข้าพเจ้าคือ {} เผื่อต้องการตรวจสอบ",
    "email": "ส่งเอกสารเพิ่มเติมได้ที่ {}",
}
# Phone numbers as Thais write them: Bangkok landlines (02 + 7 digits) and mobiles (0 + 6/8/9 +
# 8 digits), grouped by spaces, dashes, dots or parentheses, some with the country code.
LANDLINE_STYLES = ("0{a}{b}{c}", "0 {a}{b} {c}", "0-{a}{b}-{c}", "(0{a}) {b} {c}", "0{a}-{b}-{c}")
MOBILE_STYLES = (
    "0{a}{b}{c}", "0{a}-{b}-{c}", "0{a}{b}{c}", "0{p}-{q}-{c}", "0{a}.{b}.{c}",
    "+66 {a} {b} {c}", "(+66) {a}-{b}-{c}",
)  # fmt: skip
# 1234567890123 (twice as often), 1-2345-67890-12-3, 1 2345 67890 12 3
NATIONAL_ID_STYLES = ("{}{}{}{}{}", "{}{}{}{}{}", "{}-{}-{}-{}-{}", "{} {} {} {} {}")
GIVEN_NAMES = ("สมชาย", "สมหญิง", "วิชัย", "สุดา", "ประเสริฐ", "กาญจนา", "อนุชา", "พรทิพย์")
SURNAMES = ("ใจดี", "รักไทย", "ศรีสุข", "มั่นคง", "ทองดี", "บุญมา")
LATIN_NAMES = ("somchai", "somying", "wichai", "suda", "prasert", "kanchana", "anucha", "pornthip")
MAIL_DOMAINS = ("gmail.com", "hotmail.com", "example.go.th")
CLERK_NOTES = ("บันทึกจากแบบสอบถามกระดาษ", "ตรวจสอบแล้ว", "ผู้ตอบขอแก้ไขคำตอบ")

# Agencies that are not in the registry, as respondents write them: departments that do not
# exist, offices of another level (provincial, district, school area), and (per row) the real
# ministry of the agency where its department was asked for. Each is checked against the
# registry matcher before it is written.
FICTITIOUS_AGENCIES = (
    "กรมพัฒนาทักษะดิจิทัลภาครัฐ",
    "กรมส่งเสริมนวัตกรรมท้องถิ่น",
    "กรมบริหารจัดการน้ำชุมชน",
    "กรมส่งเสริมเศรษฐกิจสร้างสรรค์",
    "กรมกิจการผู้บริโภค",
    "สำนักงานส่งเสริมการเรียนรู้ภาครัฐ",
)
LOCAL_OFFICES = (
    "สำนักงานจังหวัดเชียงใหม่",
    "สำนักงานจังหวัดขอนแก่น",
    "สำนักงานสาธารณสุขจังหวัดนครราชสีมา",
    "สำนักงานพาณิชย์จังหวัดสงขลา",
    "สำนักงานเกษตรจังหวัดลำปาง",
    "สำนักงานแรงงานจังหวัดชลบุรี",
    "สำนักงานคลังจังหวัดภูเก็ต",
    "ที่ว่าการอำเภอเมืองพิษณุโลก",
    "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาอุดรธานี เขต 1",
)
# How the registry matcher reads a name that cleaning does not report as unknown_agency.
NOT_UNKNOWN = ("ambiguous", "conflict")

# Survey tools. Google Forms heads each column with the question's text, numbered; a grid's rows
# become "<stem> [<row>]". Headers here are the codebook's Thai texts, some edited a little as
# a form's author would (a word added, "(ถ้ามี)"), which cleaning matches by similarity.
GOOGLE_GRID = "ความคิดเห็นต่อการพัฒนาบุคลากร"
GOOGLE_GRID_CONSTRUCTS = ("ecosystem", "skillsets", "mindset", "persona")
GOOGLE_TEXTS = {
    "agency": "หน่วยงานที่ท่านสังกัด",
    "eco2": "“หน่วยงาน” จัดสรรทรัพยากร (งบประมาณ เครื่องมือ สื่อการเรียนรู้)\nเพียงพอต่อการพัฒนา",
    "eco4": "วัฒนธรรมองค์กรส่งเสริมการแลกเปลี่ยนเรียนรู้ และการทดลองสิ่งใหม่ๆ",
    "skl1": "ท่านมีทักษะดิจิทัลที่เพียงพอต่อการปฏิบัติงาน",
    "sat1": "ความพึงพอใจต่อโอกาสในการพัฒนาที่หน่วยงานของท่านจัดให้",
    "sat_overall": "โดยรวมแล้วท่านพึงพอใจต่อการพัฒนาบุคลากรของหน่วยงานในระดับใด",
    "idp_made": "ท่านมีแผนพัฒนารายบุคคล (IDP) ในปีนี้หรือไม่",
    "comment": "ข้อเสนอแนะเพิ่มเติม (ถ้ามี)",
}
# Microsoft Forms: ID (its numbering), start and completion times, e-mail and name (anonymous
# respondents: "anonymous" and blank), last modified time, then the questions' texts unnumbered.
MSFORMS_TEXTS = {
    "agency": "หน่วยงานที่ท่านรับบริการ",
    "drv_integrity": "เจ้าหน้าที่ปฏิบัติงานอย่างซื่อสัตย์ และไม่รับสินบน",
    "drv_fairness": "หน่วยงานปฏิบัติต่อประชาชนทุกคนอย่างเท่าเทียมกัน",
}
MSFORMS_TOOL_COLUMNS = ("ID", "Start time", "Completion time", "Email", "Name")
MSFORMS_LAST_MODIFIED = "Last modified time"

# Faults.
CHANGEABLE = {"staff_survey": ("per1", "per2", "per3", "per4"), "citizen_survey": ("satisfaction",)}
INVALID_CELLS = {
    "staff_survey": (("per1", "per2", "per3", "per4"), ("7", "9", "6")),
    "citizen_survey": (("drv_openness", "drv_fairness", "satisfaction"), ("abc", "11", "12")),
}
# A survey tool only writes answers its form offers; an invalid answer there is the text typed
# into a question's "other" (อื่นๆ) box.
OTHER_ANSWERS = {
    "staff_survey": ("position_level", ("พนักงานราชการ", "ลูกจ้างประจำ", "ลูกจ้างชั่วคราว")),
    "citizen_survey": ("channel", ("ไปรษณีย์", "ผ่านแอปพลิเคชัน LINE", "ญาติมาติดต่อแทน")),
}
WHITESPACE_COLUMNS = ("response_id", "agency", "gender")
WHITESPACE_SHARE = 0.02
# Agency written as: name, name with extra inner spaces, trailing spaces, สนง., code.
NAME_VARIANT_P = (0.5, 0.12, 0.12, 0.08, 0.18)
TO_THAI_DIGITS = str.maketrans("0123456789", THAI_DIGITS)


# ----------------------------------------------------------------------------- file layouts


@dataclass(frozen=True)
class Style:
    """How values are written in one raw file."""

    likert: str = "number"  # "number", "th" labels or "th_numbered" ("มาก (4)")
    binary: str = "th"  # "th" or "en" labels
    categories: str = "th"
    dates: str = "ce_iso"  # see _date_cells
    agency: str = "code"  # see _agency_cells
    percent: str = "number"  # or "text": "80%", "ร้อยละ 80"
    age_in_years: bool = False
    en_row_share: float = 0.0  # rows answered with English labels
    alt_yes_no_share: float = 0.0  # rows answering yes/no with มี/ไม่มี
    thai_digit_share: float = 0.0  # numeric cells written with Thai digits
    identifier_comments: bool = False


@dataclass(frozen=True)
class FileSpec:
    """One raw file of an instrument."""

    name: str
    instrument: str
    encoding: str  # "cp874", "utf-8-sig", "utf-8", "utf-16" (Excel "Unicode Text") or "xlsx"
    style: Style
    part: tuple[int, int] = (1, 1)  # (k, parts): the agencies, split by code
    thai_headers: bool = False
    identifiers: tuple[tuple[str, str], ...] = ()  # (header, kind), after the agency column
    extras: tuple[tuple[str, str], ...] = ()  # (header, kind), columns not in the codebook
    form_version: bool = False
    shuffle_columns: bool = False
    resubmission: bool = False
    crlf: bool = False
    delimiter: str = ","
    made_by: str = ""  # "google_forms", "microsoft_forms" or "" (typed or kept in a spreadsheet)
    # "global" (S2565-000123, the same in every file), "per_agency" (1..n in each agency),
    # "tool" (the survey tool's 1..n in the file) or "none" (no id column)
    response_ids: str = "global"
    copy_of: str = ""  # a re-export of this file (the same rows, times without seconds)


_STAFF_64 = Style(
    dates="ce_iso",
    agency="code_lost_zero",
    en_row_share=0.04,
    thai_digit_share=0.02,
    identifier_comments=True,
)
_GOOGLE = Style(
    likert="th", dates="google_dmy", agency="name_or_code_name", identifier_comments=True
)
_MSFORMS = Style(likert="th_numbered", dates="us_mdy_hm", agency="name", identifier_comments=True)
DEMO_LAYOUTS = {
    2563: (
        FileSpec(
            "staff_survey_2563.csv", "staff_survey", "cp874",
            Style(likert="th", dates="be_dmy_hm", agency="th_variants", age_in_years=True,
                  alt_yes_no_share=0.15, thai_digit_share=0.1),
            identifiers=(("เลขประจำตัวประชาชน", "national_id"), ("เบอร์โทร", "phone")),
            extras=(("หมายเหตุผู้บันทึก", "clerk_note"),),
            crlf=True,
            response_ids="per_agency",
        ),
        FileSpec(
            "citizen_survey_2563.xlsx", "citizen_survey", "xlsx",
            Style(dates="native", agency="th_variants", thai_digit_share=0.05),
        ),
        FileSpec(
            "agency_return_2563.csv", "agency_return", "utf-8-sig",
            Style(dates="be_dmy", agency="th_variants", percent="text"),
            thai_headers=True,
            identifiers=(("ผู้ประสานงาน", "person_name"), ("เบอร์โทรผู้ประสานงาน", "phone")),
            resubmission=True,
            crlf=True,
        ),
        FileSpec("ocsc_return_2563.csv", "ocsc_return", "utf-8", Style(dates="be_dmy")),
    ),
    2564: (
        FileSpec("staff_survey_2564_part1.csv", "staff_survey", "utf-8-sig", _STAFF_64,
                 part=(1, 2), form_version=True, crlf=True),
        FileSpec("staff_survey_2564_part2.xlsx", "staff_survey", "xlsx",
                 replace(_STAFF_64, dates="native"), part=(2, 2), form_version=True),
        # the same workbook saved again as "CSV UTF-8" by Excel on Thai Windows
        FileSpec("staff_survey_2564_part2.csv", "staff_survey", "utf-8-sig",
                 replace(_STAFF_64, dates="be_dmy_hm_excel"), part=(2, 2), form_version=True,
                 crlf=True, copy_of="staff_survey_2564_part2.xlsx"),
        FileSpec(
            "citizen_survey_2564.csv", "citizen_survey", "cp874",
            Style(dates="ce_iso", agency="code_lost_zero"),
            identifiers=(("เบอร์โทรศัพท์", "phone"),),
            crlf=True,
        ),
        FileSpec("agency_return_2564.xlsx", "agency_return", "xlsx",
                 Style(binary="en", dates="native")),
        FileSpec("ocsc_return_2564.xlsx", "ocsc_return", "xlsx", Style(dates="native")),
    ),
    2565: (
        FileSpec(
            "staff_survey_2565.xlsx", "staff_survey", "xlsx",
            Style(binary="en", categories="en", dates="ymd_mixed", agency="code_or_en"),
            extras=(("survey_channel", "survey_channel"), ("duration_minutes", "duration")),
            shuffle_columns=True,
            part=(1, 2),
        ),
        # Google Sheets "Download: CSV" of the form's responses (a Thai-locale sheet)
        FileSpec(
            "staff_survey_2565_google.csv", "staff_survey", "utf-8", _GOOGLE,
            identifiers=(("ที่อยู่อีเมล", "email"),),
            part=(2, 2), made_by="google_forms", response_ids="none",
        ),
        FileSpec(
            "citizen_survey_2565.csv", "citizen_survey", "utf-8",
            Style(categories="en", dates="ymd_mixed", agency="code_or_en"),
            identifiers=(("email", "email"),),
            part=(1, 2),
        ),
        # Microsoft Forms responses opened in Excel on a US-locale PC, saved as "CSV UTF-8"
        FileSpec(
            "citizen_survey_2565_msforms.csv", "citizen_survey", "utf-8-sig", _MSFORMS,
            identifiers=(("Email", "anonymous"), ("Name", "blank")),
            part=(2, 2), made_by="microsoft_forms", response_ids="tool", crlf=True,
        ),
        # Excel "Save as: Unicode Text" on Thai Windows: UTF-16 with a byte-order mark, tabs
        FileSpec("agency_return_2565.txt", "agency_return", "utf-16", Style(dates="be_dmy"),
                 delimiter="\t", crlf=True),
        FileSpec("ocsc_return_2565.csv", "ocsc_return", "utf-8", Style(dates="ce_date")),
    ),
}  # fmt: skip


def layout(scale: str, year: int) -> tuple[FileSpec, ...]:
    """The raw files written for one fiscal year (B.E.)."""
    if scale == "demo":
        return DEMO_LAYOUTS[year]
    dates = Style(dates="ce_date")
    return (
        FileSpec(f"staff_survey_{year}.csv", "staff_survey", "utf-8", Style()),
        FileSpec(f"citizen_survey_{year}.csv", "citizen_survey", "utf-8", Style()),
        FileSpec(f"agency_return_{year}.csv", "agency_return", "utf-8", dates),
        FileSpec(f"ocsc_return_{year}.csv", "ocsc_return", "utf-8", dates),
    )


# ----------------------------------------------------------------------------- agency world


@dataclass
class World:
    """The selected agencies and every agency-level parameter, for all guideline years."""

    seed: int
    scale: str
    scales: dict[str, Scale]
    books: dict[str, config.Codebook]
    matcher: AgencyMatcher
    agencies: pd.DataFrame  # selected registry rows, sorted by code
    small: np.ndarray  # bool per agency
    service: np.ndarray  # bool per agency
    headcount: dict[int, np.ndarray]
    n_staff: dict[int, np.ndarray]
    n_citizen: np.ndarray
    p_idp: dict[int, np.ndarray]
    a6: np.ndarray
    u: np.ndarray
    d: dict[int, np.ndarray]
    changes: dict[str, list[str]]
    construct_shift: np.ndarray  # (J, 3)
    level_cum: np.ndarray  # (J, levels) cumulative shares
    driver_shift: np.ndarray  # (J, 5)
    region_cum: np.ndarray  # (J, regions)
    a3_centre: float
    v: dict[int, np.ndarray]
    maturity: np.ndarray
    fc_base: np.ndarray

    @property
    def size(self) -> int:
        return len(self.agencies)

    @property
    def codes(self) -> np.ndarray:
        return self.agencies["agency_code"].to_numpy(dtype=object)

    def a3(self, year: int) -> np.ndarray:
        return self.p_idp[year] * IDP_CARRIED

    def respondents(self, instrument: str, year: int) -> np.ndarray:
        return self.n_staff[year] if instrument == "staff_survey" else self.n_citizen


def _rng(seed: int, *keys: int) -> np.random.Generator:
    """An independent stream for (seed, keys): a year's data does not depend on other years."""
    return np.random.default_rng([seed, *keys])


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder)."""
    share = weights / weights.sum() * total
    counts = np.floor(share).astype(np.int64)
    counts[np.argsort(counts - share, kind="stable")[: total - counts.sum()]] += 1
    return counts


def _select_agencies(registry: pd.DataFrame, n: int, rng: np.random.Generator) -> np.ndarray:
    """Registry rows of the demo: the smallest agencies, one per ministry, then a seeded draw."""
    if not N_SMALL <= n <= len(registry):
        raise ValueError(f"agencies must be from {N_SMALL} to {len(registry)} (or 'all'), got {n}")
    chosen = list(np.argsort(registry["headcount_total"].to_numpy(), kind="stable")[:N_SMALL])
    ministries = registry["ministry_code"].to_numpy()
    for ministry in rng.permutation(np.unique(ministries)):
        if len(chosen) < n and ministry not in ministries[chosen]:
            chosen.append(rng.choice(np.flatnonzero(ministries == ministry)))
    rest = np.setdiff1d(np.arange(len(registry)), chosen)
    chosen += list(rng.choice(rest, n - len(chosen), replace=False))
    return np.sort(np.array(chosen))


def _probabilities(scale: Scale, shares: dict[str, float]) -> np.ndarray:
    return np.array([shares[p.code] for p in scale.points])


def _staff_sizes(
    headcount: dict[int, np.ndarray], rate: np.ndarray, small: np.ndarray, scale: str, rng
) -> dict[int, np.ndarray]:
    """Valid staff respondents per agency and year."""
    if scale == "national":
        return {
            t: _allocate(NATIONAL_TOTALS["staff_survey"], headcount[t] * rate)
            for t in GUIDELINE_YEARS
        }
    sizes = {}
    for t in GUIDELINE_YEARS:
        n = np.rint(headcount[t] * rate * rng.lognormal(0, 0.1, len(rate)))
        sizes[t] = np.clip(n, *STAFF_CLIP).astype(np.int64)
    # The smallest stays under 10 every year; the next only in the first year.
    for rank, j in enumerate(np.flatnonzero(small)):
        for t in GUIDELINE_YEARS:
            high = 10 if rank == 0 or t == GUIDELINE_YEARS[0] else 15
            sizes[t][j] = rng.integers(4, high)
    return sizes


def _changes(small: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Positions of the improving and declining agencies (never the small ones)."""
    candidates = rng.permutation(np.flatnonzero(~small))
    size = len(small)
    wanted = {
        "improving": min(CHANGES["improving"][0], size // 4),
        "declining": min(CHANGES["declining"][0], size // 6),
    }
    return {
        "improving": np.sort(candidates[: wanted["improving"]]),
        "declining": np.sort(candidates[wanted["improving"] : sum(wanted.values())]),
    }


def _citizen_sizes(service: np.ndarray, scale: str) -> np.ndarray:
    """Valid citizen respondents per agency (the same every year)."""
    if scale == "national":
        weights = np.where(service, NATIONAL_CITIZEN_WEIGHT[True], NATIONAL_CITIZEN_WEIGHT[False])
        return _allocate(NATIONAL_TOTALS["citizen_survey"], weights)
    return np.where(service, CITIZEN_SAMPLE[True], CITIZEN_SAMPLE[False])


def _idp_rates(size: int, rng: np.random.Generator) -> dict[int, np.ndarray]:
    """True share of staff with an IDP: 0.40-0.70 in the first year, rising, at most 0.9."""
    rates, level = {}, rng.uniform(0.40, 0.70, size)
    for t in GUIDELINE_YEARS:
        rates[t] = np.minimum(level, 0.9)
        level = level + rng.uniform(0.03, 0.10, size)
    return rates


def build_world(root: Path | None, seed: int, scale: str, agencies: int | str) -> World:
    """Draw the agencies and their parameters (all guideline years, whatever is written)."""
    registry = load_registry(root)
    scales = config.scales(root)
    rng = _rng(seed, 0)
    if scale == "national" or agencies == "all":
        picked = np.arange(len(registry))
    else:
        picked = _select_agencies(registry, int(agencies), rng)
    chosen = registry.iloc[picked].reset_index(drop=True)
    size = len(chosen)
    smallest = registry.nsmallest(N_SMALL, "headcount_total")["agency_code"]
    small = chosen["agency_code"].isin(smallest).to_numpy() & (scale == "demo")
    headcount = {
        t: np.rint(chosen["headcount_total"] * (1 + rng.normal(0, 0.02, size))).to_numpy("int64")
        for t in GUIDELINE_YEARS
    }
    rate = rng.uniform(*STAFF_RATE, size)
    service = np.zeros(size, bool)
    service[rng.permutation(size)[: (size + 1) // 2]] = True
    p_idp = _idp_rates(size, rng)
    a3_centre = float(np.mean([p * IDP_CARRIED for p in p_idp.values()]))
    v = {
        t: LAMBDA * (p_idp[t] * IDP_CARRIED - a3_centre) / A3_UNIT + rng.normal(0, SIGMA_V, size)
        for t in GUIDELINE_YEARS
    }
    changes = _changes(small, rng)
    d = {t: np.zeros(size) for t in GUIDELINE_YEARS}
    for kind, positions in changes.items():
        d[CHANGE_YEAR][positions] = CHANGES[kind][1]
    shares = chosen[[f"hc_{p.code}" for p in scales["position_level"].points]].to_numpy(float)
    region = rng.dirichlet(_probabilities(scales["region"], REGION_BASE) * 15, size)
    return World(
        seed=seed,
        scale=scale,
        scales=scales,
        books=config.codebooks(root),
        matcher=AgencyMatcher(registry),
        agencies=chosen,
        small=small,
        service=service,
        headcount=headcount,
        n_staff=_staff_sizes(headcount, rate, small, scale, rng),
        n_citizen=_citizen_sizes(service, scale),
        p_idp=p_idp,
        a6=rng.uniform(0.2, 0.6, size),
        u=rng.normal(0, SIGMA_U, size),
        d=d,
        changes={k: chosen["agency_code"].iloc[v].tolist() for k, v in changes.items()},
        construct_shift=rng.normal(0, 0.25, (size, 3)),
        level_cum=np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1),
        driver_shift=rng.normal(0, 0.35, (size, len(THETA))),
        region_cum=np.cumsum(region, axis=1),
        a3_centre=a3_centre,
        v=v,
        maturity=rng.uniform(0, 1, size),
        fc_base=rng.integers(1, 3, size),
    )


# ----------------------------------------------------------------------------- respondents


def _chol(corr: float, k: int) -> np.ndarray:
    """Cholesky factor of a k x k matrix with unit diagonal and ``corr`` elsewhere."""
    return np.linalg.cholesky(np.full((k, k), corr) + (1 - corr) * np.eye(k))


def _likert(latent: np.ndarray, mean: float, rng: np.random.Generator) -> np.ndarray:
    noisy = mean + 0.9 * latent + rng.normal(0, 0.7, latent.shape)
    return np.clip(np.rint(noisy), 1, 5).astype(np.int8)


def _draw_category(cum: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per row of a matrix of cumulative probabilities."""
    picked = (rng.random(len(cum))[:, None] > cum).sum(axis=1)
    return np.minimum(picked, cum.shape[1] - 1).astype(np.int8)


def _band(scale: Scale, values: np.ndarray) -> np.ndarray:
    """Position of the band (``from`` bounds in scales.yaml) holding each number."""
    lows = np.array([p.extra["from"] for p in scale.points])
    return (np.searchsorted(lows, values, side="right") - 1).astype(np.int8)


def _field_dates(year: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Survey submission times in the field period, June to August of the fiscal year."""
    start = np.datetime64(f"{year - BE_OFFSET}-06-01T00:00:00", "s")
    days = rng.integers(0, 92, n).astype("timedelta64[D]")
    return start + days + rng.integers(8 * 3600, 17 * 3600, n).astype("timedelta64[s]")


def _outside_dates(year: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Times outside the fiscal year: October after it ends, or June before it starts."""
    ce = year - BE_OFFSET
    late = rng.random(n) < 0.5
    start = np.where(late, np.datetime64(f"{ce}-10-05", "s"), np.datetime64(f"{ce - 1}-06-01", "s"))
    days = rng.integers(0, 50, n).astype("timedelta64[D]")
    return start + days + rng.integers(8 * 3600, 17 * 3600, n).astype("timedelta64[s]")


def _comments(pool: tuple[str, ...], n: int, share: float, rng) -> np.ndarray:
    cells = np.full(n, "", dtype=object)
    some = rng.random(n) < share
    cells[some] = np.array(pool, dtype=object)[rng.integers(0, len(pool), some.sum())]
    return cells


def _staff_rows(world: World, year: int, agency: np.ndarray, _valid: np.ndarray, rng) -> tuple:
    """Typed staff answers: categories as positions in their scale, items as codes."""
    n = len(agency)
    scales, book = world.scales, world.books["staff_survey"]
    level_points = scales["position_level"].points
    type_codes = [p.code for p in scales["position_type"].points]
    level = _draw_category(world.level_cum[agency], rng)
    level_type = np.array([type_codes.index(p.extra["type"]) for p in level_points], np.int8)
    mean_age = np.array([LEVEL_AGE[p.code] for p in level_points])[level]
    age = np.clip(np.rint(mean_age + rng.normal(0, 6, n)), 21, 60).astype(np.int64)
    tenure = np.clip(age - 21 - rng.integers(0, 8, n), 0, 39)
    own = rng.standard_normal((n, 3)) @ _chol(CONSTRUCT_CORR, 3).T
    latent = world.construct_shift[agency] + own
    rows = {
        "_agency": agency,
        "submitted_at": _field_dates(year, n, rng),
        "position_type": level_type[level],
        "position_level": level,
        "gender": rng.choice(
            len(STAFF_GENDER), n, p=_probabilities(scales["gender"], STAFF_GENDER)
        ),
        "age": age,
        "age_band": _band(scales["age_band"], age),
        "tenure_band": _band(scales["tenure_band"], tenure),
    }
    ystar = world.u[agency] + world.d[year][agency] + rng.logistic(0, 1, n)
    for k, (construct, (b_name, mean)) in enumerate(CONSTRUCTS.items()):
        forward = []
        for item in book.items(construct):
            value = _likert(latent[:, k], mean, rng)
            forward.append(value)
            rows[item.name] = 6 - value if item.reverse else value
        ystar += STAFF_B[b_name] * (np.mean(forward, axis=0) - 3)
    for item, loading in PERSONA_LOADINGS.items():
        rows[item] = _likert(latent @ np.array(loading), 3.7, rng)
    made = rng.random(n) < world.p_idp[year][agency]
    carried = made & (rng.random(n) < IDP_CARRIED)
    ystar += STAFF_B["b_idp"] * carried
    for item in ("sat1", "sat2", "sat3"):
        rows[item] = _ordinal(ystar + rng.normal(0, 1, n))
    rows["sat_overall"] = _ordinal(ystar)
    rows["idp_made"] = made.astype(np.int8)
    rows["idp_carried_out"] = np.where(made, carried, -1).astype(np.int8)
    innovative = 0.5 * own[:, 1] + np.sqrt(0.75) * rng.standard_normal(n)
    rows["innovative_work"] = (innovative > ndtri(1 - world.a6[agency])).astype(np.int8)
    rows["comment"] = _comments(COMMENTS, n, 0.08, rng)
    return pd.DataFrame(rows), {}


def _ordinal(ystar: np.ndarray) -> np.ndarray:
    return (1 + (ystar[:, None] > np.array(CUTPOINTS)).sum(axis=1)).astype(np.int8)


def _citizen_rows(world: World, year: int, agency: np.ndarray, valid: np.ndarray, rng) -> tuple:
    """Typed citizen answers and the year's trust-model statistics (over ``valid`` rows)."""
    n = len(agency)
    scales = world.scales
    latent = (
        world.driver_shift[agency]
        + rng.standard_normal((n, len(THETA))) @ _chol(DRIVER_CORR, len(THETA)).T
    )
    drivers = np.clip(np.rint(6.2 + 1.9 * latent), 0, 10).astype(np.int8)
    mean, sd = drivers[valid].mean(axis=0), drivers[valid].std(axis=0)
    p = expit(A0 + ((drivers - mean) / sd) @ np.array(list(THETA.values())) + world.v[year][agency])
    neutral = rng.random(n) < NEUTRAL_SHARE
    high = rng.random(n) < p
    trust = np.where(neutral, 5, np.where(high, rng.integers(6, 11, n), rng.integers(0, 5, n)))
    rows = {
        "_agency": agency,
        "submitted_at": _field_dates(year, n, rng),
        "channel": rng.choice(len(CHANNEL), n, p=_probabilities(scales["channel"], CHANNEL)),
        "region": _draw_category(world.region_cum[agency], rng),
        "gender": rng.choice(
            len(CITIZEN_GENDER), n, p=_probabilities(scales["gender"], CITIZEN_GENDER)
        ),
        "age_band": rng.choice(
            len(CITIZEN_AGE), n, p=_probabilities(scales["age_band"], CITIZEN_AGE)
        ),
        **{f"drv_{name}": drivers[:, k] for k, name in enumerate(THETA)},
        "trust": trust.astype(np.int8),
        "satisfaction": np.clip(np.rint(1 + 0.4 * trust + rng.normal(0, 0.7, n)), 1, 5).astype(
            np.int8
        ),
        "comment": _comments(CITIZEN_COMMENTS, n, 0.06, rng),
    }
    kept = valid & ~neutral
    slope = float(np.mean(p[kept] * (1 - p[kept])))
    stats = {
        "ame": {name: theta * slope for name, theta in THETA.items()},
        "driver_mean": dict(zip(THETA, mean.tolist(), strict=True)),
        "driver_sd": dict(zip(THETA, sd.tolist(), strict=True)),
        "high_trust_share": float(np.mean(high[kept])),
    }
    return pd.DataFrame(rows), stats


GENERATORS: dict[str, Callable] = {"staff_survey": _staff_rows, "citizen_survey": _citizen_rows}


# ----------------------------------------------------------------------------- cell writers


def _label_table(scale: Scale, lang: str) -> np.ndarray:
    """Labels by code (likert/binary) with '' at index -1 for a missing answer."""
    table = np.full(max(scale.codes) + 2, "", dtype=object)
    for point in scale.points:
        table[point.code] = point.aliases[0] if lang == "alias" else getattr(point, lang)
    return table


def _category_table(scale: Scale, lang: str) -> np.ndarray:
    return np.array([p.th if lang == "th" else p.en for p in scale.points], dtype=object)


def _with_thai_digits(values: np.ndarray, share: float, rng) -> np.ndarray:
    """Numbers with a share of the cells written in Thai digits (as text)."""
    if not share:
        return values
    cells = values.astype(object)
    pick = rng.random(len(values)) < share
    cells[pick] = pd.Series(values[pick]).astype(str).str.translate(TO_THAI_DIGITS).tolist()
    return cells


def _date_cells(values: pd.Series, how: str, rng) -> np.ndarray:
    """Date-times written as B.E. dd/mm/yyyy, ISO C.E., mixed-era yyyy-mm-dd, native, or as
    survey tools and Excel write them:

    - ``google_dmy``: Google Sheets with a Thai-locale owner, ``15/3/2022, 10:20:30``;
    - ``us_mdy_hm``: Excel on a US-locale PC saving a date-time cell as CSV, ``3/15/2022 9:05``;
    - ``be_dmy_hm_excel``: Excel on Thai Windows (Buddhist calendar) doing the same,
      ``15/3/2565 9:05``: the seconds are lost.
    """
    if how == "native":
        return values.dt.to_pydatetime().to_numpy(dtype=object)
    be = (values.dt.year + BE_OFFSET).astype(str)
    day, month = values.dt.day.astype(str), values.dt.month.astype(str)
    year, hour = values.dt.year.astype(str), values.dt.hour.astype(str)
    formats = {
        "google_dmy": lambda: (
            day + "/" + month + "/" + year + ", " + hour + values.dt.strftime(":%M:%S")
        ),
        "us_mdy_hm": lambda: (
            month + "/" + day + "/" + year + " " + hour + values.dt.strftime(":%M")
        ),
        "be_dmy_hm_excel": lambda: (
            day + "/" + month + "/" + be + " " + hour + values.dt.strftime(":%M")
        ),
        "be_dmy_hm": lambda: values.dt.strftime("%d/%m/") + be + values.dt.strftime(" %H:%M"),
        "be_dmy": lambda: values.dt.strftime("%d/%m/") + be,
        "ce_iso": lambda: values.dt.strftime("%Y-%m-%d %H:%M:%S"),
        "ce_date": lambda: values.dt.strftime("%Y-%m-%d"),
        "ymd_mixed": lambda: (be + values.dt.strftime("-%m-%d")).where(
            rng.random(len(values)) < 0.4, values.dt.strftime("%Y-%m-%d")
        ),
    }
    return formats[how]().to_numpy(dtype=object)


def _spaced(name: str) -> str:
    """The name with extra spaces after its first word (กรม  สรรพากร)."""
    for prefix in ("สำนักงาน", "กรม", "กระทรวง"):
        if name.startswith(prefix) and len(name) > len(prefix):
            return f"{prefix}  {name[len(prefix) :]}"
    return name.replace(" ", "   ")


def _name_variants(world: World) -> np.ndarray:
    """Per agency: name, extra inner spaces, trailing spaces, สนง. for สำนักงาน, code."""
    return np.array(
        [
            [name, _spaced(name), name + "   ", name.replace("สำนักงาน", "สนง.", 1), code]
            for name, code in zip(world.agencies["name_th"], world.codes, strict=True)
        ],
        dtype=object,
    )


def _agency_cells(world: World, agency: np.ndarray, how: str, rng) -> np.ndarray:
    codes = world.codes[agency]
    n = len(agency)
    if how == "th_variants":
        variant = rng.choice(len(NAME_VARIANT_P), n, p=NAME_VARIANT_P)
        return _name_variants(world)[agency, variant]
    names = world.agencies["name_th"].to_numpy(dtype=object)[agency]
    if how == "name":
        return names
    if how == "name_or_code_name":  # a form's list of agencies: "กรมสรรพากร", "03007 กรมสรรพากร"
        return np.where(rng.random(n) < 0.3, codes + " " + names, names)
    if how == "code_lost_zero":
        lost = rng.random(n) < 0.25
        codes[lost] = [code.lstrip("0") for code in codes[lost]]
    if how == "code_or_en":
        english = rng.random(n) < 0.2
        codes[english] = world.agencies["name_en"].to_numpy(dtype=object)[agency[english]]
    return codes


def _is_unknown(matcher: AgencyMatcher, text: str) -> bool:
    """Whether cleaning reads ``text`` as an agency not in the registry (``unknown_agency``), not
    as a registry agency, nor as one fitting two agencies or conflicting with its code."""
    if matcher.match(text) is not None:
        return False
    resolve = getattr(matcher, "resolve", None)
    return resolve is None or getattr(resolve(text), "how", None) not in NOT_UNKNOWN


def _unknown_agency_names(world: World, agency: np.ndarray, rng) -> list[str]:
    """For rows of these agencies, an agency written as one the registry does not have: a
    department that does not exist, an office of another level (provincial, district), or the
    agency's ministry where its department was asked for."""
    ministries = world.agencies["ministry_th"].to_numpy(dtype=object)
    pools = (FICTITIOUS_AGENCIES, LOCAL_OFFICES)
    names = []
    for j in agency:
        kind = int(rng.integers(0, 3))
        first = ministries[j] if kind == 2 else pools[kind][int(rng.integers(len(pools[kind])))]
        for text in (first, *FICTITIOUS_AGENCIES, *LOCAL_OFFICES):
            if _is_unknown(world.matcher, text):
                names.append(text)
                break
        else:
            raise RuntimeError("every planted unknown agency name matches a registry agency")
    return names


def _national_ids(n: int, rng) -> np.ndarray:
    """Valid 13-digit Thai national ID numbers (mod-11 check digit), some written in groups
    (1-2345-67890-12-3, 1 2345 67890 12 3)."""
    digits = rng.integers(0, 10, (n, 12))
    digits[:, 0] = rng.integers(1, 9, n)
    check = (11 - (digits @ np.arange(13, 1, -1)) % 11) % 10
    number = (digits @ (10 ** np.arange(12, 0, -1)) + check).astype(str)
    styles = rng.integers(0, len(NATIONAL_ID_STYLES), n)
    return np.array(
        [
            NATIONAL_ID_STYLES[k].format(x[:1], x[1:5], x[5:10], x[10:12], x[12:])
            for x, k in zip(number, styles, strict=True)
        ],
        dtype=object,
    )


def _phones(n: int, rng) -> np.ndarray:
    """Thai phone numbers in local styles: mobiles (081-234-5678, 08-1234-5678, 081.234.5678,
    +66 81 234 5678, (+66) 81-234-5678) and Bangkok landlines (0 2123 4567, (02) 123 4567)."""
    mobile = rng.random(n) < 0.7
    prefix = rng.choice([6, 8, 9], n)
    rest = rng.integers(0, 10**8, n)
    landline = rng.integers(0, 10**7, n)
    styles = rng.random(n)
    cells = []
    for i in range(n):
        if mobile[i]:
            digits = f"{prefix[i]}{rest[i]:08d}"  # 9 digits after the trunk 0
            a, b, c = digits[:2], digits[2:5], digits[5:]
            style = MOBILE_STYLES[int(styles[i] * len(MOBILE_STYLES))]
            cells.append(style.format(a=a, b=b, c=c, p=a[0], q=a[1] + b))
        else:
            digits = f"2{landline[i]:07d}"  # 8 digits after the trunk 0
            style = LANDLINE_STYLES[int(styles[i] * len(LANDLINE_STYLES))]
            cells.append(style.format(a=digits[0], b=digits[1:4], c=digits[4:]))
    return np.array(cells, dtype=object)


def _pick(pool: tuple[str, ...], n: int, rng) -> pd.Series:
    return pd.Series(np.array(pool, dtype=object)[rng.integers(0, len(pool), n)])


def _emails(n: int, rng) -> np.ndarray:
    local = _pick(LATIN_NAMES, n, rng) + "." + _pick(tuple("abcdefghkmnprstw"), n, rng)
    return (local + "@" + _pick(MAIL_DOMAINS, n, rng)).to_numpy(dtype=object)


def _person_names(n: int, rng) -> np.ndarray:
    return (_pick(GIVEN_NAMES, n, rng) + " " + _pick(SURNAMES, n, rng)).to_numpy(dtype=object)


def _clerk_notes(n: int, rng) -> np.ndarray:
    return _comments(CLERK_NOTES, n, 0.1, rng)


def _survey_channels(n: int, rng) -> np.ndarray:
    return np.where(rng.random(n) < 0.85, "online", "paper").astype(object)


def _durations(n: int, rng) -> np.ndarray:
    return rng.integers(4, 41, n)


def _anonymous(n: int, _rng) -> np.ndarray:
    return np.full(n, "anonymous", dtype=object)


def _blank(n: int, _rng) -> np.ndarray:
    return np.full(n, "", dtype=object)


COLUMN_MAKERS: dict[str, Callable[[int, np.random.Generator], np.ndarray]] = {
    "national_id": _national_ids,
    "phone": _phones,
    "email": _emails,
    "person_name": _person_names,
    "clerk_note": _clerk_notes,
    "survey_channel": _survey_channels,
    "duration": _durations,
    "anonymous": _anonymous,
    "blank": _blank,
}


def _identifier_comments(n: int, rng) -> list[str]:
    """Comments holding exactly one phone number, national ID or e-mail address each."""
    kinds = rng.choice(list(IDENTIFIER_COMMENTS), n)
    return [IDENTIFIER_COMMENTS[k].format(COLUMN_MAKERS[k](1, rng)[0]) for k in kinds]


# ----------------------------------------------------------------------------- formatting


def _format_column(world: World, col: Column, rows: pd.DataFrame, style: Style, masks, rng):
    """One codebook column written in the file's style."""
    if col.type == "text":
        return rows[col.name].to_numpy() if col.name in rows else np.full(len(rows), FORM_VERSION)
    if col.type == "datetime":
        return _date_cells(rows[col.name], style.dates, rng)
    if col.type == "agency":
        return _agency_cells(world, rows["_agency"].to_numpy(), style.agency, rng)
    values = rows[col.name].to_numpy()
    if col.type == "category":
        if col.name == "age_band" and style.age_in_years:
            return _with_thai_digits(rows["age"].to_numpy(), style.thai_digit_share, rng)
        return _category_table(world.scales[col.scale], style.categories)[values]
    if col.type in {"likert", "binary"}:
        return _scale_cells(world.scales[col.scale], values, col.type, style, masks, rng)
    if col.type == "score":
        return _with_thai_digits(values, style.thai_digit_share, rng)
    if col.type == "percent" and style.percent == "text":
        text = values.astype(str).astype(object)
        return np.where(rng.random(len(values)) < 0.5, text + "%", "ร้อยละ " + text)
    return values


def _scale_cells(scale: Scale, values, kind: str, style: Style, masks, rng) -> np.ndarray:
    """Likert or yes/no answers: labels or numbers, with English and มี/ไม่มี rows."""
    mode = style.likert if kind == "likert" else style.binary
    if mode == "number":
        cells = _with_thai_digits(values, style.thai_digit_share, rng).astype(object)
    elif mode == "th_numbered":  # "มาก (4)"
        labels = _label_table(scale, "th")[values]
        cells = np.where(values >= 0, labels + " (" + values.astype(str).astype(object) + ")", "")
        cells = cells.astype(object)
    else:
        cells = _label_table(scale, mode)[values]
    if kind == "binary" and masks["alt"].any():
        alt = masks["alt"] & (values >= 0)
        cells[alt] = _label_table(scale, "alias")[values[alt]]
    english = masks["en"]
    cells[english] = _label_table(scale, "en")[values[english]]
    return cells


def _format(world: World, spec: FileSpec, rows: pd.DataFrame, rng) -> pd.DataFrame:
    """Typed rows -> the cells of the raw file, under codebook column names."""
    book = world.books[spec.instrument]
    n = len(rows)
    masks = {
        "en": rng.random(n) < spec.style.en_row_share,
        "alt": rng.random(n) < spec.style.alt_yes_no_share,
    }
    columns = {}
    for col in book.columns:
        if col.name == book.version_column and not spec.form_version:
            continue
        if col.name == book.id_column and spec.response_ids == "none":
            continue
        columns[col.name] = _format_column(world, col, rows, spec.style, masks, rng)
        if col.type == "agency":
            for header, kind in spec.identifiers:
                columns[header] = COLUMN_MAKERS[kind](n, rng)
    for header, kind in spec.extras:
        columns[header] = COLUMN_MAKERS[kind](n, rng)
    if spec.made_by == "microsoft_forms":  # opened the form 1.5 to 15 minutes before sending
        took = pd.to_timedelta(rng.integers(90, 900, n), unit="s")
        columns["Start time"] = _date_cells(rows["submitted_at"] - took, spec.style.dates, rng)
        columns[MSFORMS_LAST_MODIFIED] = np.full(n, "", dtype=object)
    frame = pd.DataFrame(columns)
    if spec.shuffle_columns:
        frame = frame[list(rng.permutation(frame.columns))]
    return frame


_ENGLISH_TAG = re.compile(r"\s*\([A-Za-z][A-Za-z -]*\)$")  # ' (Big Picture Thinker)'


def _google_headers(frame: pd.DataFrame, spec: FileSpec, world: World) -> pd.DataFrame:
    """Columns as Google Forms exports them: the timestamp, the e-mail collected, then each
    question's text numbered in form order, the construct items as one grid question."""
    book = world.books[spec.instrument]
    names, number, grid = {"submitted_at": "ประทับเวลา"}, 0, 0
    for col in book.columns:
        if col.name not in frame or col.name in names:
            continue
        text = GOOGLE_TEXTS.get(col.name, _ENGLISH_TAG.sub("", col.th))
        if col.construct in GOOGLE_GRID_CONSTRUCTS:
            if not grid:  # the grid is one question: one number for all its rows
                number += 1
                grid = number
            names[col.name] = f"{grid}. {GOOGLE_GRID} [{text}]"
        else:
            number += 1
            names[col.name] = f"{number}. {text}"
    tool = ["submitted_at", *(header for header, _ in spec.identifiers)]
    order = tool + [c for c in frame.columns if c not in tool]
    return frame[order].rename(columns=names)


def _msforms_headers(frame: pd.DataFrame, spec: FileSpec, world: World) -> pd.DataFrame:
    """Columns as Microsoft Forms exports them: ID, start and completion time, e-mail, name,
    last modified time, then each question's text."""
    book = world.books[spec.instrument]
    names = {"response_id": "ID", "submitted_at": "Completion time"}
    names |= {c.name: MSFORMS_TEXTS.get(c.name, c.th) for c in book.columns if c.name not in names}
    frame = frame.rename(columns=names)
    tool = [*MSFORMS_TOOL_COLUMNS, MSFORMS_LAST_MODIFIED]
    return frame[tool + [c for c in frame.columns if c not in tool]]


def _headers(frame: pd.DataFrame, spec: FileSpec, world: World) -> pd.DataFrame:
    if spec.made_by == "google_forms":
        return _google_headers(frame, spec, world)
    if spec.made_by == "microsoft_forms":
        return _msforms_headers(frame, spec, world)
    names = {}
    if spec.thai_headers:
        names = {c.name: c.th for c in world.books[spec.instrument].columns}
    if spec.style.age_in_years:
        names["age_band"] = "age"
    return frame.rename(columns=names)


# ----------------------------------------------------------------------------- faults


def _set_cells(frame: pd.DataFrame, positions: np.ndarray, column: str, values) -> None:
    if frame[column].dtype != object:
        frame[column] = frame[column].astype(object)
    frame.iloc[positions, frame.columns.get_loc(column)] = values


def _fault_counts(spec: FileSpec, rng) -> dict[str, int]:
    counts = dict.fromkeys(FAULT_KINDS, 0)
    counts["blank_row"] = int(rng.integers(2, 5))
    counts["duplicate_submission"] = int(rng.integers(3, 7))
    counts["unknown_agency"] = int(rng.integers(1, 4))
    counts["outside_fiscal_year"] = int(rng.integers(1, 4))
    counts["invalid_value"] = int(rng.integers(2, 5))
    if spec.style.identifier_comments:
        counts["identifier_in_comment"] = int(rng.integers(2, 5))
    return counts


def _plant_row_faults(spec: FileSpec, rows: pd.DataFrame, counts: dict, year: int, rng):
    """Outside-year dates, identifier comments and resubmitted copies; marks each row's role.

    A third of the duplicates are exact copies (the same row twice), the rest resubmissions (a
    later copy, half with one answer changed, under the same response id). Without an id that
    tells respondents apart across submissions (none, or a survey tool's numbering, which gives
    a resubmission a new number) a resubmission is another respondent to cleaning, so such
    files only get exact copies."""
    counts = dict(counts)
    outside = (rows["_role"] == "outside_fiscal_year").to_numpy()
    rows.loc[outside, "submitted_at"] = _outside_dates(year, int(outside.sum()), rng)
    pool = np.flatnonzero((rows["_role"] == "valid").to_numpy())
    sizes = []
    for kind in ("duplicate_submission", "invalid_value", "identifier_in_comment"):
        counts[kind] = min(counts[kind], len(pool) - sum(sizes))
        sizes.append(counts[kind])
    duplicated, invalid, identifier = np.split(
        rng.choice(pool, sum(sizes), replace=False), np.cumsum(sizes)[:2]
    )
    rows.loc[invalid, "_role"] = "invalid_value"
    rows.loc[identifier, "_role"] = "identifier_in_comment"
    rows.loc[identifier, "comment"] = _identifier_comments(len(identifier), rng)
    rows.loc[duplicated, "_role"] = "duplicated"
    exact = len(duplicated) // 3  # copied cell for cell after formatting
    if spec.response_ids in ("none", "tool"):
        exact = len(duplicated)
    rows["_twin"] = False
    rows.loc[duplicated[:exact], "_twin"] = True
    copies = _resubmissions(rows.loc[duplicated[exact:]], spec.instrument, rng)
    return pd.concat([rows, copies], ignore_index=True), counts


def _resubmissions(originals: pd.DataFrame, instrument: str, rng) -> pd.DataFrame:
    """Later copies of submissions; half of them change one answer."""
    copies = originals.assign(_role="resubmission", _twin=False)
    delay = 86_400 + rng.integers(0, 2 * 86_400, len(copies))
    copies["submitted_at"] = copies["submitted_at"] + pd.to_timedelta(delay, unit="s")
    changed = np.flatnonzero(rng.random(len(copies)) < 0.5)
    for position, column in zip(
        changed, rng.choice(CHANGEABLE[instrument], len(changed)), strict=True
    ):
        where = copies.columns.get_loc(column)
        copies.iloc[position, where] = copies.iloc[position, where] % 5 + 1
    return copies


def _stray_whitespace(frame: pd.DataFrame, rng) -> None:
    """Spaces around a few text values."""
    for column in WHITESPACE_COLUMNS:
        pick = np.flatnonzero(rng.random(len(frame)) < WHITESPACE_SHARE)
        text = frame[column].iloc[pick].astype(str).to_numpy(dtype=object)
        side = rng.integers(0, 3, len(pick))
        padded = np.where(side == 0, " " + text, np.where(side == 1, text + "  ", " " + text + " "))
        _set_cells(frame, pick, column, padded.tolist())


def _plant_cell_faults(world: World, spec: FileSpec, frame, rows: pd.DataFrame, rng) -> None:
    """Agencies not in the registry and invalid optional answers on the rows marked for them
    (in a survey tool's export: text typed into an "other" box)."""
    roles = rows["_role"].to_numpy()
    unknown = np.flatnonzero(roles == "unknown_agency")
    names = _unknown_agency_names(world, rows["_agency"].to_numpy()[unknown], rng)
    _set_cells(frame, unknown, "agency", names)
    invalid = np.flatnonzero(roles == "invalid_value")
    if spec.made_by:
        column, tokens = OTHER_ANSWERS[spec.instrument]
        _set_cells(frame, invalid, column, rng.choice(tokens, len(invalid)).tolist())
        return
    columns, tokens = INVALID_CELLS[spec.instrument]
    chosen = rng.choice(columns, len(invalid))
    values = rng.choice(tokens, len(invalid))
    for column in np.unique(chosen):
        _set_cells(frame, invalid[chosen == column], column, values[chosen == column].tolist())


def _add_copies_and_blanks(frame: pd.DataFrame, rows: pd.DataFrame, blanks: int, rng):
    """Exact copies right after their originals and blank rows inside the table."""
    twins = np.flatnonzero(rows["_twin"].to_numpy())
    empty = pd.DataFrame("", index=range(blanks), columns=frame.columns)
    keys = np.concatenate(
        [np.arange(len(frame)), twins + 0.5, rng.integers(1, len(frame), blanks) - 0.25]
    )
    combined = pd.concat([frame, frame.iloc[twins], empty], ignore_index=True)
    return combined.iloc[np.argsort(keys, kind="stable")].reset_index(drop=True), len(twins)


# ----------------------------------------------------------------------------- instruments


def _numbered_by_agency(rows: pd.DataFrame) -> pd.Series:
    """Response ids 1..n within each agency, in submission order (paper forms numbered by the
    coordinator of each agency)."""
    order = rows.sort_values(["_agency", "submitted_at"], kind="stable")
    numbers = order.groupby("_agency").cumcount() + 1
    return numbers.reindex(rows.index).astype(str).astype(object)


def _respondent_file(world: World, spec: FileSpec, rows, counts: dict, year: int, rng):
    if spec.response_ids == "per_agency":
        rows["response_id"] = _numbered_by_agency(rows)
    rows, counts = _plant_row_faults(spec, rows, counts, year, rng)
    if spec.response_ids == "per_agency":  # keyed agency by agency, in the forms' order
        number = rows["response_id"].astype(np.int64)
        order = np.lexsort((rows["submitted_at"].to_numpy(), number, rows["_agency"].to_numpy()))
        rows = rows.iloc[order].reset_index(drop=True)
    else:
        rows = rows.sort_values("submitted_at", kind="stable", ignore_index=True)
    if spec.response_ids == "tool":  # the tool numbers responses as they arrive
        rows["response_id"] = np.arange(1, len(rows) + 1).astype(str).astype(object)
    frame = _format(world, spec, rows, rng)
    if not spec.made_by:  # typed or pasted by hand
        _stray_whitespace(frame, rng)
    _plant_cell_faults(world, spec, frame, rows, rng)
    frame, twins = _add_copies_and_blanks(frame, rows, counts["blank_row"], rng)
    resubmitted = int((rows["_role"] == "resubmission").sum())
    counts["duplicate_submission"] = resubmitted + twins
    return _headers(frame, spec, world), {**counts, "rows_written": len(frame)}


def _reexport(world: World, frame: pd.DataFrame, faults: dict, spec: FileSpec, rng):
    """The same rows saved again as CSV by Excel: date-time cells written as the PC's locale
    shows them, without seconds; everything else as it was.

    Cleaning keeps one copy of each response: the original's (its time has the seconds, so it
    is the later submission, or the same minute in the later file by name, ``.xlsx`` after
    ``.csv``). Every row of this file that survives the earlier rules (blank, unknown agency,
    outside the fiscal year) is set aside as a duplicate submission."""
    book = world.books[spec.instrument]
    column = book.column(book.date_column).th if spec.thai_headers else book.date_column
    copy = frame.copy()
    cells = copy[column].astype(object)
    dated = cells.map(lambda v: isinstance(v, dt.datetime)).to_numpy(dtype=bool)
    when = pd.Series(pd.to_datetime(list(cells[dated])), dtype="datetime64[ns]")
    cells[dated] = _date_cells(when, spec.style.dates, rng)
    copy[column] = cells
    counts = dict(faults)
    counts["duplicate_submission"] = faults["rows_written"] - sum(
        faults[k] for k in ("blank_row", "unknown_agency", "outside_fiscal_year")
    )
    return copy, counts


def _part_of(world: World, specs: tuple[FileSpec, ...]) -> np.ndarray:
    """The file each agency's respondents go to (parts split the agencies by code)."""
    file_of = np.zeros(world.size, dtype=np.int64)
    for i, spec in enumerate(specs):
        k, parts = spec.part
        file_of[np.array_split(np.arange(world.size), parts)[k - 1]] = i
    return file_of


def _respondent_files(world: World, instrument: str, year: int, specs, rng):
    """The files of a survey: valid respondents plus extra fault rows, drawn from one model;
    then the re-exports of some of them."""
    made = tuple(spec for spec in specs if not spec.copy_of)
    counts = [_fault_counts(spec, rng) for spec in made]
    file_of = _part_of(world, made)
    n_valid = world.respondents(instrument, year)
    agency = [np.repeat(np.arange(world.size), n_valid)]
    role = [np.full(len(agency[0]), "valid", dtype=object)]
    files = [file_of[agency[0]]]
    for i, count in enumerate(counts):
        members = np.flatnonzero(file_of == i)
        for kind in ("unknown_agency", "outside_fiscal_year"):
            agency.append(rng.choice(members, count[kind]))
            role.append(np.full(count[kind], kind, dtype=object))
            files.append(np.full(count[kind], i))
    agency, role, files = (np.concatenate(a) for a in (agency, role, files))
    rows, stats = GENERATORS[instrument](world, year, agency, role == "valid", rng)
    prefix = f"{instrument[0].upper()}{year}-"
    ids = np.char.add(prefix, np.char.zfill(np.arange(1, len(rows) + 1).astype(str), 6))
    rows.insert(0, "response_id", ids.astype(object))
    rows["_role"] = role
    out = {}
    for i, spec in enumerate(made):
        part = rows[files == i].reset_index(drop=True)
        out[spec.name] = (spec, *_respondent_file(world, spec, part, counts[i], year, rng))
    for spec in specs:
        if spec.copy_of:
            _, frame, faults = out[spec.copy_of]
            out[spec.name] = (spec, *_reexport(world, frame, faults, spec, rng))
    return [out[spec.name] for spec in specs], stats


def _office_times(day: str, n: int, rng, days: int) -> np.ndarray:
    start = np.datetime64(day, "s")
    offset = rng.integers(0, days, n).astype("timedelta64[D]")
    return start + offset + rng.integers(8 * 3600, 17 * 3600, n).astype("timedelta64[s]")


def _return_rows(world: World, year: int, rng) -> pd.DataFrame:
    """Typed agency returns, one per agency, reported in October-November after the year."""
    size = world.size
    t = GUIDELINE_YEARS.index(year)
    both = world.maturity < A1_BOTH_SHARE[year]
    partial = rng.integers(0, 3, size)  # guideline only, strategy only, neither
    fc_level = np.clip(world.fc_base + t + (rng.random(size) < 0.3), 1, 5)
    covered = np.clip(2 + 2 * fc_level + rng.integers(0, 3, size), 0, 13)
    headcount = world.headcount[year]
    return pd.DataFrame(
        {
            "_agency": np.arange(size),
            "reported_at": _office_times(f"{year - BE_OFFSET}-10-05", size, rng, 55),
            "a1_plan_guideline": (both | (partial == 0)).astype(np.int8),
            "a1_plan_strategy": (both | (partial == 1)).astype(np.int8),
            "a2_fc_level": fc_level,
            "a2_levels_covered_pct": np.rint(100 * covered / 13).astype(np.int64),
            "a4_innovation_outputs": rng.poisson(
                1 + 2 * np.sqrt(headcount / 1000) * (1 + 0.25 * t)
            ),
            "headcount": headcount,
            "hr_staff_with_idp": rng.binomial(headcount, world.a3(year)),
            "hr_staff_innovative": rng.binomial(headcount, world.a6),
        }
    )


def _with_resubmission(rows: pd.DataFrame, rng) -> tuple[pd.DataFrame, int]:
    """One agency's first return has errors; its correction is appended, reported later."""
    j = int(rng.integers(len(rows)))
    correction = rows.iloc[[j]].copy()
    rows.loc[j, "reported_at"] -= pd.Timedelta(days=int(rng.integers(3, 11)))
    rows.loc[j, "hr_staff_with_idp"] = int(rows.loc[j, "hr_staff_with_idp"] * 0.7)
    rows.loc[j, "a4_innovation_outputs"] += 2
    return pd.concat([rows, correction], ignore_index=True), j


def _return_files(world: World, instrument: str, year: int, specs, rng):
    (spec,) = specs
    rows = _return_rows(world, year, rng)
    final = rows.drop(columns=["_agency", "reported_at"])
    stats = {"values": dict(zip(world.codes, final.to_dict("records"), strict=True))}
    counts = dict.fromkeys(FAULT_KINDS, 0)
    if spec.resubmission:
        rows, j = _with_resubmission(rows, rng)
        counts["superseded_submission"] = 1
        stats["resubmitted_agency"] = world.codes[j]
    frame = _headers(_format(world, spec, rows, rng), spec, world)
    return [(spec, frame, {**counts, "rows_written": len(frame)})], stats


def _ocsc_files(world: World, instrument: str, year: int, specs, rng):
    (spec,) = specs
    t = GUIDELINE_YEARS.index(year)
    o1_level, o3_level = OCSC_LEVELS[year]
    rows = pd.DataFrame(
        {
            "reported_at": _office_times(f"{year - BE_OFFSET}-10-20", 1, rng, 20),
            "fiscal_year": [year],
            "o1_level": [o1_level],
            "o1_prototypes": [2 + 2 * t + int(rng.integers(0, 2))],
            "o3_level": [o3_level],
            "o3_joint_activities": [int(rng.poisson(6 + 4 * t))],
            "o3_network_agencies": [12 + 6 * t + int(rng.integers(0, 4))],
        }
    )
    stats = {"values": rows.drop(columns="reported_at").iloc[0].to_dict()}
    frame = _headers(_format(world, spec, rows, rng), spec, world)
    counts = dict.fromkeys(FAULT_KINDS, 0)
    return [(spec, frame, {**counts, "rows_written": len(frame)})], stats


INSTRUMENT_FILES = {
    "staff_survey": _respondent_files,
    "citizen_survey": _respondent_files,
    "agency_return": _return_files,
    "ocsc_return": _ocsc_files,
}


# ----------------------------------------------------------------------------- writing


def _xlsx_cell(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str):
        return value or None
    return None if pd.isna(value) else value


def _pin_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The workbook with fixed zip-entry times and document dates (byte-identical reruns)."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + iso, payload)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            dst.writestr(entry, payload, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _xlsx_bytes(frame: pd.DataFrame, stamp: dt.datetime) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.creator = "helpers.demo.generator"
    book.properties.created = stamp
    sheet = book.create_sheet("Sheet1")
    sheet.append([str(c) for c in frame.columns])
    for row in zip(*(frame[c].tolist() for c in frame.columns), strict=True):
        sheet.append([_xlsx_cell(v) for v in row])
    buffer = BytesIO()
    book.save(buffer)
    return _pin_zip(buffer.getvalue(), stamp)


def _write_frame(frame: pd.DataFrame, target: Path, spec: FileSpec, year: int) -> None:
    with atomic.atomic_path(target) as tmp:
        if spec.encoding == "xlsx":
            tmp.write_bytes(_xlsx_bytes(frame, dt.datetime(year - BE_OFFSET, 11, 30)))
        elif spec.encoding == "utf-16":  # little-endian with its byte-order mark, as Excel
            end = "\r\n" if spec.crlf else "\n"
            text = frame.to_csv(index=False, sep=spec.delimiter, lineterminator=end)
            tmp.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
        else:
            end = "\r\n" if spec.crlf else "\n"
            frame.to_csv(
                tmp, index=False, sep=spec.delimiter, encoding=spec.encoding, lineterminator=end
            )


def _by_code(world: World, values) -> dict[str, float]:
    return {code: round(float(v), 6) for code, v in zip(world.codes, values, strict=True)}


def _truth(world: World, year: int, folder: str, stats: dict, files: dict, faults: dict) -> dict:
    """Everything planted in one year, for checking cleaning and analysis against."""
    start, end = fiscal_year_bounds(year)
    citizen = stats["citizen_survey"]
    returns = stats["agency_return"]["values"]
    agencies = {}
    for j, code in enumerate(world.codes):
        agencies[code] = {
            "name_th": world.agencies["name_th"].iloc[j],
            "ministry_code": world.agencies["ministry_code"].iloc[j],
            "headcount": int(world.headcount[year][j]),
            "p_idp": round(float(world.p_idp[year][j]), 6),
            "a3": round(float(world.a3(year)[j]), 6),
            "a6": round(float(world.a6[j]), 6),
            "service_agency": bool(world.service[j]),
            "small_agency": bool(world.small[j]),
            "agency_return": {k: int(v) for k, v in returns[code].items()},
        }
    return {
        "generator": "helpers.demo.generator",
        "seed": world.seed,
        "scale": world.scale,
        "fiscal_year": year,
        "folder": folder,
        "fiscal_year_bounds": [start.isoformat(), end.isoformat()],
        "formulas": FORMULAS,
        "staff_model": {
            **STAFF_B,
            "cutpoints": list(CUTPOINTS),
            "sigma_u": SIGMA_U,
            "u": _by_code(world, world.u),
            "d": _by_code(world, world.d[year]),
            "change_year": CHANGE_YEAR,
            "improving": world.changes["improving"],
            "declining": world.changes["declining"],
            "d_improving": CHANGES["improving"][1],
            "d_declining": CHANGES["declining"][1],
            "construct_correlation": CONSTRUCT_CORR,
            "idp_carried_given_made": IDP_CARRIED,
        },
        "citizen_model": {
            **{f"theta_{name}": theta for name, theta in THETA.items()},
            "a0": A0,
            "lambda": LAMBDA,
            "a3_unit": A3_UNIT,
            "a3_centre": round(world.a3_centre, 6),
            "sigma_v": SIGMA_V,
            "neutral_share": NEUTRAL_SHARE,
            "driver_correlation": DRIVER_CORR,
            "v": _by_code(world, world.v[year]),
            "ame": {k: round(v, 6) for k, v in citizen["ame"].items()},
            "driver_mean": {k: round(v, 6) for k, v in citizen["driver_mean"].items()},
            "driver_sd": {k: round(v, 6) for k, v in citizen["driver_sd"].items()},
            "high_trust_share": round(citizen["high_trust_share"], 6),
        },
        "agencies": agencies,
        "respondents": {
            name: dict(zip(world.codes, world.respondents(name, year).tolist(), strict=True))
            for name in ("staff_survey", "citizen_survey")
        },
        "resubmitted_agency": stats["agency_return"].get("resubmitted_agency"),
        "ocsc_return": {k: int(v) for k, v in stats["ocsc_return"]["values"].items()},
        "files": files,
        "planted_faults": faults,
    }


def folder_name(year: int, root: Path | None = None) -> str:
    """The year folder's name: C.E. for the years listed in ``demo.ce_folder_years``."""
    ce_years = config.pipeline(root)["demo"].get("ce_folder_years", [])
    return str(year - BE_OFFSET) if year in ce_years else str(year)


def _write_year(world: World, year: int, target: Path) -> dict[str, dict]:
    """Write one year folder (staged, then swapped in whole); returns rows per file."""
    staging = atomic.staging_dir(target)
    try:
        files, faults, stats = {}, {}, {}
        for key, instrument in enumerate(INSTRUMENTS, start=1):
            specs = tuple(s for s in layout(world.scale, year) if s.instrument == instrument)
            make = INSTRUMENT_FILES[instrument]
            written, stats[instrument] = make(
                world, instrument, year, specs, _rng(world.seed, year, key)
            )
            for spec, frame, counts in written:
                _write_frame(frame, staging / spec.name, spec, year)
                files[spec.name] = {
                    "instrument": instrument,
                    "encoding": spec.encoding,
                    "rows_written": counts["rows_written"],
                    "made_by": spec.made_by or "spreadsheet",
                    "response_ids": spec.response_ids if instrument in GENERATORS else None,
                    "copy_of": spec.copy_of or None,
                }
                faults[spec.name] = counts
        truth = _truth(world, year, target.name, stats, files, faults)
        atomic.write_json_atomic(truth, staging / "_truth.json")
        atomic.replace_dir_atomic(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return files


# ----------------------------------------------------------------------------- public API


def has_inputs(folder: Path, root: Path | None = None) -> bool:
    """True when ``folder`` has a year folder holding an input file (a type listed in
    ``cleaning.extensions``; ``_*``, ``README*`` and the other ignored names do not count)."""
    extensions = config.pipeline(root)["cleaning"]["extensions"]
    if not folder.is_dir():
        return False
    return any(
        path.suffix.lower() in extensions
        for year_dir in folder.iterdir()
        if year_dir.is_dir() and is_year_name(year_dir.name)
        for path in year_files(year_dir, root)
    )


def raw_has_inputs(root: Path | None = None) -> bool:
    """True when ``data/raw/`` holds a year folder with at least one input file."""
    return has_inputs(paths.raw_dir(root), root)


def resolve_years(years: list[int] | None, scale: str, root: Path | None = None) -> list[int]:
    """The fiscal years (B.E.) to write: given in B.E. or C.E., defaults from the config."""
    if years is None:
        years = [NATIONAL_YEAR] if scale == "national" else config.pipeline(root)["demo"]["years"]
    resolved = sorted({parse_year(y) for y in years})  # the demo command's --year
    unknown = [y for y in resolved if y not in GUIDELINE_YEARS]
    if unknown:
        raise ValueError(f"years {unknown} are outside the guideline years {GUIDELINE_YEARS}")
    return resolved


def generate(
    root: Path | None = None,
    *,
    seed: int | None = None,
    years: list[int] | None = None,
    agencies: int | str | None = None,
    scale: str = "demo",
    out_dir: Path | None = None,
) -> dict:
    """Write the raw files and ``_truth.json`` of each year; returns what was written.

    Each year folder under ``out_dir`` is replaced as a whole. ``agencies`` is a number or
    "all" (national scale always uses every registry agency).
    """
    root = root or paths.project_root()
    demo = config.pipeline(root)["demo"]
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    seed = int(demo["seed"] if seed is None else seed)
    years = resolve_years(years, scale, root)
    out_dir = paths.resolve(out_dir, root) if out_dir is not None else paths.raw_dir(root)
    world = build_world(root, seed, scale, demo["agencies"] if agencies is None else agencies)
    summary = {
        "out_dir": str(out_dir),
        "seed": seed,
        "scale": scale,
        "years": years,
        "agencies": world.codes.tolist(),
        "files": {},
    }
    for year in years:
        folder = folder_name(year, root)
        for name, info in _write_year(world, year, out_dir / folder).items():
            summary["files"][f"{folder}/{name}"] = {
                "rows": info["rows_written"],
                "encoding": info["encoding"],
            }
    return summary


def _agencies_arg(text: str) -> int | str:
    if text == "all":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'all', got {text!r}") from None


def _years_arg(text: str) -> list[int]:
    return [int(part) for part in text.replace(",", " ").split()]


def _occupied(out_dir: Path, folders: list[str]) -> list[Path]:
    return [
        out_dir / f
        for f in folders
        if (out_dir / f).is_dir() and any(p.is_file() for p in (out_dir / f).iterdir())
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.demo",
        description="Write synthetic raw input files (and their _truth.json) for the demo.",
    )
    parser.add_argument("--seed", type=int, help="random seed (default: config demo.seed)")
    parser.add_argument("--years", type=_years_arg, help="fiscal years, e.g. '2563,2564'")
    parser.add_argument("--agencies", type=_agencies_arg, help="number of agencies or 'all'")
    parser.add_argument("--scale", choices=SCALES, default="demo")
    parser.add_argument("--out", type=Path, help="raw folder to write (default: data/raw)")
    parser.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing when the raw folder already holds input files",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace year folders that already hold files"
    )
    args = parser.parse_args(argv)
    root = paths.project_root()
    out_dir = args.out.resolve() if args.out else paths.raw_dir(root)  # a shell path: from cwd
    if args.if_empty and has_inputs(out_dir, root):
        print(f"{out_dir} already holds raw input files; no demo data written (--if-empty).")
        return 0
    try:
        years = resolve_years(args.years, args.scale, root)
    except ValueError as exc:
        parser.error(str(exc))
    busy = _occupied(out_dir, [folder_name(y, root) for y in years])
    if busy and not args.force:
        print(
            f"Refusing to overwrite {', '.join(map(str, busy))}: the folder already holds files. "
            "Pass --force to replace these year folders (everything in them is deleted).",
            file=sys.stderr,
        )
        return 1
    started = time.perf_counter()
    try:
        summary = generate(
            root,
            seed=args.seed,
            years=years,
            agencies=args.agencies,
            scale=args.scale,
            out_dir=out_dir,
        )
    except ValueError as exc:
        parser.error(str(exc))
    for path, info in summary["files"].items():
        print(f"  {path}: {info['rows']} rows ({info['encoding']})")
    elapsed = time.perf_counter() - started
    print(f"wrote {len(summary['files'])} files under {out_dir} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
