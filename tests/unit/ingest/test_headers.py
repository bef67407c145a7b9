"""Headers as survey tools write them: matched to the codebook, pinned, or refused clearly."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from helpers.app import cli
from helpers.core import config
from helpers.core.errors import StructuralError
from helpers.ingest import cleaning
from helpers.ingest.headers import HeaderMatcher, header_key, load_pins
from tests.conftest import REPO, STAFF, write_csv, write_xlsx

# The staff questionnaire as a Google Form exports it: the Thai question text, numbered, a grid
# question's rows in brackets, line breaks, typographic quotes, 'required' stars, tool columns.
GOOGLE_HEADERS = {
    "ประทับเวลา": "submitted_at",
    "ที่อยู่อีเมล": None,
    "1. หน่วยงานที่ท่านสังกัด": "agency",
    "2. ประเภทตำแหน่ง *": "position_type",
    "3. ระดับตำแหน่ง": "position_level",
    "4. เพศ": "gender",
    "5. อายุ": "age_band",
    "6. อายุราชการ": "tenure_band",
    "7. ความคิดเห็นต่อการพัฒนา [ผู้บังคับบัญชาสนับสนุนให้ท่านเรียนรู้และพัฒนาตนเองอย่างต่อเนื่อง]": "eco1",
    "7. ความคิดเห็นต่อการพัฒนา [“หน่วยงาน”จัดสรรทรัพยากร (งบประมาณ เครื่องมือ สื่อการเรียนรู้)\nเพียงพอต่อการพัฒนา]": "eco2",  # noqa: E501
    "8. ท่านมีเวลาเพียงพอสำหรับการเรียนรู้ในเวลาทำงาน": "eco3",
    "9. วัฒนธรรมองค์กรส่งเสริมการแลกเปลี่ยนเรียนรู้ และการทดลองสิ่งใหม่ๆ": "eco4",
    "10. ภาระงานประจำทำให้ท่านไม่มีโอกาสเข้าร่วมการพัฒนาที่จำเป็น": "eco5",
    "11. ท่านมีทักษะดิจิทัลที่เพียงพอต่อการปฏิบัติงาน": "skl1",
    "12. ท่านใช้ข้อมูลในการวิเคราะห์และตัดสินใจในงานได้": "skl2",
    "13. ท่านได้พัฒนาทักษะการคิดสร้างสรรค์และการแก้ปัญหาที่ซับซ้อน": "skl3",
    "14. ท่านนำความรู้ใหม่มาสร้างนวัตกรรมในงานได้": "skl4",
    "15. ท่านแสวงหาโอกาสเรียนรู้และพัฒนาตนเองอยู่เสมอ": "mnd1",
    "16. ท่านคำนึงถึงประโยชน์ส่วนรวมและประชาชนเป็นสำคัญในการทำงาน": "mnd2",
    "17. ท่านยึดมั่นในมาตรฐานจริยธรรมและความโปร่งใส": "mnd3",
    "18. ท่านติดตามแนวปฏิบัติที่ดีในระดับสากลและนำมาประยุกต์ใช้": "mnd4",
    "19. ท่านพร้อมปรับวิธีทำงานเมื่อมีเทคโนโลยีดิจิทัลใหม่": "mnd5",
    "20. ท่านเข้าใจภารกิจขององค์กรและบริบทที่ส่งผลต่องานของท่าน": "per1",
    "21. ท่านสร้างผลงานใหม่ที่มีคุณค่าต่อส่วนรวมและประชาชน": "per2",
    "22. ท่านปฏิบัติงานอย่างซื่อสัตย์และเป็นธรรมโดยไม่เลือกปฏิบัติ": "per3",
    "23. ท่านทำงานบูรณาการร่วมกับหน่วยงานอื่นและประชาชนผู้รับบริการ": "per4",
    "24. ความพึงพอใจต่อโอกาสในการพัฒนาที่หน่วยงานจัดให้": "sat1",
    "25. ความพึงพอใจต่อความเหมาะสมของหลักสูตรและกิจกรรมการพัฒนากับงานของท่าน": "sat2",
    "26. ความพึงพอใจต่อการนำผลการพัฒนาไปใช้ประโยชน์ในงาน": "sat3",
    "27. โดยรวมท่านพึงพอใจต่อการพัฒนาบุคลากรของหน่วยงานในระดับใด": "sat_overall",
    "28. ท่านมีแผนพัฒนารายบุคคล (IDP) ในปีนี้หรือไม่": "idp_made",
    "29. ท่านได้ดำเนินการตามแผนพัฒนารายบุคคลแล้ว": "idp_carried_out",
    "30. ในปีที่ผ่านมา ผลงานของท่านมีการใช้นวัตกรรม การคิดแบบใหม่ การบูรณาการ หรือเทคโนโลยีดิจิทัลเพื่อประโยชน์ส่วนรวม": "innovative_work",  # noqa: E501
    "31. ข้อเสนอแนะเพิ่มเติม (ถ้ามี)": "comment",
    "คะแนน": None,
}


@pytest.fixture
def staff_book():
    return config.codebook("staff_survey", REPO)


@pytest.fixture
def full_project(project):
    """The project fixture with the real codebooks (every ``in_every_file`` mark kept)."""
    shutil.rmtree(project / "config")
    shutil.copytree(REPO / "config", project / "config")
    config.clear_cache()
    return project


def google_row(agency="กรมสรรพากร", when="15/3/2022, 10:20:30", answer="4 = เห็นด้วย"):
    values = {
        "submitted_at": when,
        "agency": agency,
        "position_type": "วิชาการ",
        "position_level": "ชำนาญการ",
        "gender": "หญิง",
        "age_band": "40-49 ปี",
        "tenure_band": "11-20 ปี",
        "sat1": "มาก (4)",
        "sat2": "มาก (4)",
        "sat3": "มาก (4)",
        "sat_overall": "มากที่สุด (5)",
        "idp_made": "ใช่",
        "idp_carried_out": "ใช่",
        "innovative_work": "ไม่ใช่",
        "comment": "",
    }
    return [values.get(column, answer if column else "") for column in GOOGLE_HEADERS.values()]


def test_header_key_drops_numbering_marks_and_required_stars():
    assert header_key("14. ท่าน “มี” ทักษะ *") == header_key("ท่านมีทักษะ")
    assert header_key("ข้อ ๑๔) ท่านมีทักษะ") == header_key("ท่านมีทักษะ")
    assert header_key("Q3.2 Agency (required)") == header_key("agency")
    assert header_key("4.เพศ") == header_key("เพศ")  # no space after the number, as often typed
    assert header_key("2565 ปีงบประมาณ") == header_key("2565ปีงบประมาณ")  # a year: no numbering


def test_google_form_headers_match_the_codebook(staff_book):
    matches = HeaderMatcher(staff_book).match(list(GOOGLE_HEADERS))
    assert {m.header: m.column for m in matches} == GOOGLE_HEADERS
    how = {m.column: m.how for m in matches}
    assert how["eco1"] == "label"  # the grid row is the codebook text
    assert how["skl1"] == "fuzzy"  # one word added
    assert all(m.score >= 85 for m in matches if m.how == "fuzzy")
    assert {m.header: m.how for m in matches}["ที่อยู่อีเมล"] == "identifier"


def test_short_labels_are_never_matched_by_similarity(staff_book):
    matcher = HeaderMatcher(staff_book)
    assert matcher.column_of("เพศ") == "gender"
    assert matcher.column_of("เพศสภาพ") is None  # close in letters, not the same question
    assert matcher.column_of("อายุงาน") == "tenure_band"  # an alias, not age


def test_a_header_close_to_two_questions_is_not_guessed(staff_book):
    # sat2 and sat3 differ in one phrase: a text between them is matched to neither
    matcher = HeaderMatcher(staff_book, threshold=60)
    column, how, _score, candidates = matcher.match_text("ความพึงพอใจต่อการพัฒนา")
    assert column is None and how == "extra"
    assert {c for c, _ in candidates} & {"sat1", "sat2", "sat3"}


def test_limesurvey_code_prefix_and_microsoft_forms_columns(staff_book):
    matcher = HeaderMatcher(staff_book)
    assert matcher.column_of("eco3. ท่านมีเวลาเพียงพอ") == "eco3"
    assert matcher.column_of("Completion time") == "submitted_at"
    assert matcher.column_of("ID") == "response_id"
    assert matcher.match_text("Email")[1] == "identifier"
    assert matcher.match_text("Name")[1] == "identifier"


def test_pins_take_precedence_and_null_ignores(staff_book, tmp_path):
    (tmp_path / "_columns.yaml").write_text(
        'staff_survey:\n  "Q7 [SQ001]": eco1\n  "ประทับเวลา": null\n', encoding="utf-8"
    )
    pins = load_pins(tmp_path, "staff_survey")
    matcher = HeaderMatcher(staff_book, pins=pins)
    assert matcher.match_text("Q7 [SQ001]")[:2] == ("eco1", "pinned")
    assert matcher.match_text("ประทับเวลา")[:2] == (None, "ignored")
    assert load_pins(tmp_path, "citizen_survey") == {}


def test_a_pin_to_an_unknown_column_stops_the_year(full_project):
    folder = full_project / "data/raw/2565"
    write_csv(folder / "staff_survey.csv", STAFF, [])
    (folder / "_columns.yaml").write_text('staff_survey:\n  "ข้อ 7": eco9\n', encoding="utf-8")
    with pytest.raises(StructuralError, match="pinned to 'eco9', which is not a staff survey"):
        cleaning.clean_year(2565, full_project)


def test_a_google_forms_export_is_read_right(full_project):
    folder = full_project / "data/raw/2565"
    rows = [
        google_row(),
        google_row(agency="03007 กรมสรรพากร", answer="เห็นด้วยอย่างยิ่ง (5)"),
        google_row(answer="5 = เห็นด้วย"),  # number and label disagree: listed, not guessed
    ]
    path = folder / "staff_survey_google.xlsx"
    write_xlsx(path, list(GOOGLE_HEADERS), rows)
    result = cleaning.clean_year(2565, full_project)
    staff = result.tables["staff_survey"]
    assert staff["agency"].tolist() == ["03007"] * 3
    assert staff["eco1"].tolist()[:2] == [4, 5]
    assert pd.isna(staff["eco1"].iloc[2])
    assert staff["sat_overall"].tolist() == [5, 5, 5]
    assert staff["age_band"].tolist() == ["40_49"] * 3
    issues = result.value_issues
    assert {("eco1", "5 = เห็นด้วย")} <= set(zip(issues["column"], issues["value"], strict=True))
    ledger = result.ledger.iloc[0]
    assert ledger["columns_matched"] == sum(c is not None for c in GOOGLE_HEADERS.values())
    assert (
        "skl1 <- '11. ท่านมีทักษะดิจิทัลที่เพียงพอต่อการปฏิบัติงาน' (fuzzy"
        in (ledger["columns_matched_by_similarity_or_pin"])
    )
    assert ledger["identifier_columns_dropped"] == "ที่อยู่อีเมล"
    header_map = result.header_map
    assert len(header_map) == len(GOOGLE_HEADERS)
    assert header_map.set_index("header").loc["คะแนน", "how"] == "extra"


def test_a_missing_question_stops_the_year_naming_the_closest_headers(full_project):
    headers = dict(GOOGLE_HEADERS)
    del headers["24. ความพึงพอใจต่อโอกาสในการพัฒนาที่หน่วยงานจัดให้"]
    headers["24. พึงพอใจกับโอกาสที่ได้รับการพัฒนาจากหน่วยงานมากน้อยเพียงใด"] = "sat1"
    path = full_project / "data/raw/2565/staff_survey.xlsx"
    write_xlsx(path, list(headers), [])
    with pytest.raises(StructuralError) as info:
        cleaning.clean_year(2565, full_project)
    message = str(info.value)
    assert "question 'sat1'" in message and "every file of the instrument must have it" in message
    assert "closest: '24. พึงพอใจกับโอกาสที่ได้รับการพัฒนาจากหน่วยงานมากน้อยเพียงใด'" in message
    assert "_columns.yaml" in message


def test_a_missing_optional_question_is_reported(full_project):
    headers = {h: c for h, c in GOOGLE_HEADERS.items() if c != "tenure_band"}
    rows = [
        [
            v
            for v, c in zip(google_row(), GOOGLE_HEADERS.values(), strict=True)
            if c != "tenure_band"
        ]
    ]
    write_xlsx(full_project / "data/raw/2565/staff_survey.xlsx", list(headers), rows)
    result = cleaning.run_cleaning(2565, full_project)
    # a Google Form has no response id: reported too (duplicates are then found by content)
    assert result.ledger.loc[0, "columns_missing"] == "response_id; tenure_band"
    assert any("no column for 'tenure_band'" in w for w in result.warnings)
    lines = cleaning.input_summary(2565, full_project)
    assert lines[0] == "inputs FY2022 (B.E. 2565) (raw folder 2565):"
    assert lines[1].startswith("  2565/staff_survey.xlsx [xlsx]: read 1; kept 1; set aside 0; ")
    assert "missing: response_id; tenure_band" in lines[1]
    assert lines[2].startswith("  WARNING 2565/staff_survey.xlsx: no column for 'response_id'")


def test_an_empty_year_folder_is_a_clear_message(project):
    (project / "data/raw/2565").mkdir(parents=True)
    with pytest.raises(StructuralError, match="holds no input files"):
        cleaning.clean_year(2565, project)


def test_workbook_columns_prints_the_mapping_and_a_draft(full_project, capsys):
    folder = full_project / "data/raw/2565"
    headers = {**GOOGLE_HEADERS, "Q99 [SQ001]": None}
    write_xlsx(folder / "staff_survey_google.xlsx", list(headers), [])
    assert cli.main(["columns", "--year", "2565"]) == 0
    out = capsys.readouterr().out
    assert "staff_survey_google.xlsx (staff_survey), sheet 'Sheet', header on row 1" in out
    assert "fuzzy" in out and "skl1" in out
    assert "(identifier: dropped)" in out
    assert cli.main(["columns", "--year", "2022", "--yaml"]) == 0
    draft = capsys.readouterr().out
    assert '"Q99 [SQ001]": null' in draft
    assert '"11. ท่านมีทักษะดิจิทัลที่เพียงพอต่อการปฏิบัติงาน": skl1  # fuzzy' in draft
    # the draft, saved as the year's pins, reads the same
    (folder / "_columns.yaml").write_text(draft, encoding="utf-8")
    pins = load_pins(folder, "staff_survey")
    assert pins["Q99 [SQ001]"] is None and pins["11. ท่านมีทักษะดิจิทัลที่เพียงพอต่อการปฏิบัติงาน"] == "skl1"


def test_workbook_columns_exits_1_when_a_question_is_missing(full_project, capsys):
    headers = [h for h, c in GOOGLE_HEADERS.items() if c != "eco2"]
    write_xlsx(full_project / "data/raw/2565/staff_survey.xlsx", headers, [])
    assert cli.main(["columns", "--year", "2565"]) == 1
    assert "MISSING (stops the year): eco2" in capsys.readouterr().out


# ------------------------------------------------------------------ respondents and duplicates


def staff(rid, agency="03007", when="2022-03-15 10:20:31", eco1="4"):
    return [rid, when, agency, "วิชาการ", "ชำนาญการ", eco1, "2", "มาก", "1", "1", ""]


def test_numbered_ids_are_per_file_and_agency(project):
    folder = project / "data/raw/2565"
    # a tool's numbering 1..n in each agency's block, and again in a second file
    write_csv(folder / "staff_survey_a.csv", STAFF, [staff("1"), staff("2"), staff("1", "03005")])
    write_csv(folder / "staff_survey_b.csv", STAFF, [staff("1", when="2022-04-01 09:00:00")])
    result = cleaning.clean_year(2565, project)
    assert len(result.tables["staff_survey"]) == 4
    assert result.set_aside.empty
    assert any("within each agency" in w for w in result.warnings)


def test_a_reexport_with_another_timestamp_precision_is_counted_once(project):
    folder = project / "data/raw/2565"
    rows = [staff(str(i), eco1=str(1 + i % 5)) for i in range(1, 6)]
    for row in rows:
        row[1] = f"2022-03-15 10:2{row[0]}:37"
    write_xlsx(
        folder / "staff_survey_export.xlsx",
        STAFF,
        [[r[0], dt.datetime.fromisoformat(r[1]), *r[2:]] for r in rows],
    )
    write_csv(
        folder / "staff_survey_export.csv", STAFF, [[*r[:1], r[1][:16], *r[2:]] for r in rows]
    )
    result = cleaning.clean_year(2565, project)
    assert len(result.tables["staff_survey"]) == 5
    aside = result.set_aside
    assert aside["reason"].eq("duplicate_submission").sum() == 5
    assert aside["detail"].str.contains("the same response in two files").all()
    assert any(
        w.startswith("suspected double count: 5 of the 5 responses") for w in result.warnings
    )


def test_global_ids_across_split_files_keep_the_latest(project):
    folder = project / "data/raw/2565"
    write_csv(folder / "staff_survey_part1.csv", STAFF, [staff("S-001"), staff("S-002")])
    write_csv(
        folder / "staff_survey_part2.csv",
        STAFF,
        [staff("S-002", when="2022-03-20 08:00:00", eco1="1"), staff("S-003")],
    )
    result = cleaning.clean_year(2565, project)
    table = result.tables["staff_survey"].set_index("response_id")
    assert sorted(table.index) == ["S-001", "S-002", "S-003"]
    assert table.loc["S-002", "eco1"] == 1
    assert any(
        w.startswith("suspected double count: 1 of the 2 responses in 2565/staff_survey_part1.csv")
        for w in result.warnings
    )
    detail = result.set_aside["detail"].iloc[0]
    assert detail == "response_id S-002; kept the later one in 2565/staff_survey_part2.csv row 2"


def test_distinct_people_with_the_same_answers_in_one_file_are_kept(project):
    folder = project / "data/raw/2565"
    write_csv(folder / "staff_survey.csv", STAFF, [staff("S-1"), staff("S-2")])
    assert len(cleaning.clean_year(2565, project).tables["staff_survey"]) == 2


# ------------------------------------------------------------------ dates no value proves


def test_us_dates_that_no_value_proves_are_read_by_their_am_pm_times(project):
    folder = project / "data/raw/2565"
    rows = [
        staff(f"S-{i}", when=f"{m}/{d}/2022 9:1{i}:00 AM")
        for i, (m, d) in enumerate([(2, 3), (4, 2), (9, 10), (1, 5)])
    ]
    write_csv(folder / "staff_survey.csv", STAFF, rows)
    result = cleaning.clean_year(2565, project)
    dates = result.tables["staff_survey"]["submitted_at"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2022-02-03", "2022-04-02", "2022-09-10", "2022-01-05"]
    assert any("read month-first, as the AM/PM times" in w for w in result.warnings)


def test_dates_that_no_value_proves_are_read_in_the_order_that_fits_the_fiscal_year(project):
    folder = project / "data/raw/2565"
    # 1/10/2021 is 1 Oct (inside FY2565) day-first but 10 Jan 2021 (outside) month-first
    rows = [
        staff(f"S-{i}", when=f"{d}/{m}/2021 10:00")
        for i, (d, m) in enumerate([(1, 10), (5, 11), (3, 12), (12, 12)])
    ]
    write_csv(folder / "staff_survey.csv", STAFF, rows)
    result = cleaning.clean_year(2565, project)
    assert len(result.tables["staff_survey"]) == 4
    assert any(
        "read day-first, which puts 4 answers in fiscal year 2565 against 1" in w
        for w in result.warnings
    )


def test_a_header_that_turns_the_question_around_is_not_matched(staff_book):
    matcher = HeaderMatcher(staff_book)
    negated = "ผู้บังคับบัญชาไม่สนับสนุนให้ท่านเรียนรู้และพัฒนาตนเองอย่างต่อเนื่อง"
    assert matcher.match_text(negated)[:2] == (None, "extra")  # 98 % similar to eco1
    assert matcher.match_text(negated)[3][0][0] == "eco1"  # named as the closest for a pin
    assert matcher.column_of("ความพึงพอใจต่อโอกาสในการพัฒนาที่หน่วยงานอื่นจัดให้") is None
    assert matcher.column_of("ท่านมีแผนพัฒนารายบุคคล (IDP) ในปีนี้หรือไม่") == "idp_made"


def test_identical_rows_without_id_or_seconds_far_apart_are_kept(project):
    folder = project / "data/raw/2565"
    alike = staff("", when="15/03/2565")  # paper forms keyed in: a date, no id
    rows = [alike, staff("", when="15/03/2565", eco1="1"), alike, alike]
    write_csv(folder / "staff_survey.csv", STAFF, rows)
    result = cleaning.clean_year(2565, project)
    # rows 4 and 5 follow each other (entered twice): one copy; row 2 is kept as another person
    assert len(result.tables["staff_survey"]) == 3
    assert result.set_aside["source_row"].tolist() == [4]
    assert any("kept as different people" in w for w in result.warnings)
