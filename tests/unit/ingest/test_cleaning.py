"""The cleaning stage on small fixtures: one test per kind of messiness real exports show."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers.core import config, paths
from helpers.core.errors import StructuralError
from helpers.ingest import cleaning
from tests.conftest import STAFF, write_csv, write_xlsx


def staff_row(
    rid="r1",
    date="15/03/2565",
    agency="03007",
    ptype="วิชาการ",
    level="ชำนาญการ",
    eco1="4",
    eco5="2",
    sat="มาก",
    idp="1",
    carried="1",
    comment="",
):
    return [rid, date, agency, ptype, level, eco1, eco5, sat, idp, carried, comment]


def clean(project, year=2565):
    return cleaning.clean_year(year, project)


def year_dir(project, name="2565"):
    path = project / "data" / "raw" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def staff(result):
    return result.tables["staff_survey"]


def reasons(result):
    return dict(zip(result.set_aside["source_row"], result.set_aside["reason"], strict=True))


# ------------------------------------------------------------------ encodings and file types


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
def test_csv_encodings(project, encoding):
    write_csv(
        year_dir(project) / "staff_survey.csv",
        STAFF,
        [staff_row(agency="กรมสรรพากร", eco1="เห็นด้วย")],
        encoding,
    )
    result = clean(project)
    assert staff(result)["agency"].tolist() == ["03007"]
    assert staff(result)["eco1"].tolist() == [4]
    assert result.ledger.loc[0, "encoding"] == encoding


def test_xlsx_with_numbers_and_real_dates(project):
    import datetime as dt

    write_xlsx(
        year_dir(project) / "staff_survey.xlsx",
        STAFF,
        [["r1", dt.datetime(2022, 3, 15), 3007, "วิชาการ", "ชำนาญการ", 4, 2, 4, 1, 1, None]],
    )
    result = clean(project)
    row = staff(result).iloc[0]
    assert (row["agency"], row["eco1"], row["submitted_at"]) == (
        "03007",
        4,
        pd.Timestamp("2022-03-15"),
    )


def test_files_of_one_instrument_are_combined(project):
    folder = year_dir(project)
    write_csv(folder / "staff_survey_part1.csv", STAFF, [staff_row("a")], "utf-8-sig")
    write_xlsx(folder / "staff_survey_part2.xlsx", STAFF, [staff_row("b")])
    result = clean(project)
    assert sorted(staff(result)["response_id"]) == ["a", "b"]
    assert len(result.ledger) == 2


# ------------------------------------------------------------------ values


def test_likert_as_numbers_or_thai_labels(project):
    rows = [
        staff_row("a", eco1="เห็นด้วยอย่างยิ่ง", sat="มากที่สุด"),
        staff_row("b", eco1="5", sat="5"),
        staff_row("c", eco1="๕", sat=" มากที่สุด "),
    ]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    assert staff(result)["eco1"].tolist() == [5, 5, 5]
    assert staff(result)["sat_overall"].tolist() == [5, 5, 5]


def test_thai_digits_and_be_ce_dates(project):
    rows = [
        staff_row("a", date="๑๕/๐๓/๒๕๖๕"),
        staff_row("b", date="2022-03-15"),
        staff_row("c", date="2565-03-15"),
        staff_row("d", date="15 มี.ค. 2565"),
    ]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    assert set(staff(result)["submitted_at"]) == {pd.Timestamp("2022-03-15")}


@pytest.mark.parametrize(
    "variant",
    [
        "03007",
        "3007",
        "กรมสรรพากร",
        " กรม สรรพากร ",
        "กรม  สรรพากร",
        "Revenue Department",
        "กสร. กระทรวงการคลัง",
        "03007 กรมสรรพากร",
        "กรมสรรพกร",  # a typo, assigned by similarity and listed in the ledger
    ],
)
def test_agency_as_code_or_name_variant(project, variant):
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, [staff_row(agency=variant)])
    assert staff(clean(project))["agency"].tolist() == ["03007"]


def test_abbreviated_office_names(project):
    rows = [
        staff_row("a", agency="สนง.ปลัดกระทรวงการคลัง"),
        staff_row("b", agency="สำนักงานปลัด กระทรวงการคลัง"),
    ]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    assert staff(clean(project))["agency"].tolist() == ["03002", "03002"]


def test_stray_whitespace_everywhere(project):
    row = [f"  {v}\t" if v else v for v in staff_row(sat="มาก", ptype="วิชาการ")]
    write_csv(year_dir(project) / "staff_survey.csv", [f" {h} " for h in STAFF], [row])
    result = clean(project)
    assert staff(result)[["response_id", "position_type", "sat_overall"]].iloc[0].tolist() == [
        "r1",
        "academic",
        4,
    ]


def test_extra_columns_are_ignored_and_listed(project):
    header = [*STAFF, "หมายเหตุผู้บันทึก", "Unnamed: 5"]
    write_csv(year_dir(project) / "staff_survey.csv", header, [[*staff_row(), "x", "y"]])
    result = clean(project)
    assert "หมายเหตุผู้บันทึก" in result.ledger.loc[0, "extra_columns_ignored"]
    assert set(staff(result).columns) == set(config.codebook("staff_survey").names) | {
        "fiscal_year",
        "source_file",
        "source_row",
    }


def test_thai_headers_from_the_codebook(project):
    book = config.codebook("agency_return")
    header = [
        book.column(c).th
        for c in ("agency", "a2_fc_level", "a2_levels_covered_pct", "a4_innovation_outputs")
    ]
    write_csv(
        year_dir(project) / "agency_return.csv",
        header,
        [["กรมสรรพากร", "๔", "ร้อยละ 80", '"1,204"'], ["03006", "3", "75%", "12"]],
        "utf-8-sig",
    )
    table = clean(project).tables["agency_return"]
    assert table["a2_levels_covered_pct"].tolist() == [80.0, 75.0]
    assert table["a4_innovation_outputs"].tolist() == [1204, 12]


def test_invalid_optional_value_is_kept_as_missing_and_listed(project):
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, [staff_row(eco1="7")])
    result = clean(project)
    assert len(staff(result)) == 1 and pd.isna(staff(result).loc[0, "eco1"])
    issue = result.value_issues.iloc[0]
    assert (issue["source_row"], issue["column"], issue["value"]) == (2, "eco1", "7")
    assert "เห็นด้วย" in issue["expected"]


def test_contradicting_answers_are_listed(project):
    rows = [staff_row("a", ptype="ทั่วไป", level="ชำนาญการ"), staff_row("b", idp="0", carried="1")]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    assert staff(result)["position_level"].isna().tolist() == [True, False]
    assert staff(result)["idp_carried_out"].isna().tolist() == [False, True]
    assert sorted(result.value_issues["column"]) == ["idp_carried_out", "position_level"]


# ------------------------------------------------------------------ rows set aside


def test_blank_rows_are_set_aside(project):
    path = year_dir(project) / "staff_survey.csv"
    write_csv(path, STAFF, [staff_row("a"), [""] * len(STAFF), staff_row("b")])
    with path.open("ab") as fh:
        fh.write(b"\r\n,,,\r\n")
    result = clean(project)
    assert reasons(result) == {3: "blank_row", 5: "blank_row", 6: "blank_row"}
    assert len(staff(result)) == 2


def test_duplicate_submission_keeps_the_latest(project):
    folder = year_dir(project)
    write_csv(
        folder / "staff_survey_1.csv",
        STAFF,
        [staff_row("a", date="16/03/2565", eco1="5"), staff_row("b")],
    )
    write_csv(
        folder / "staff_survey_2.csv",
        STAFF,
        [staff_row("a", date="15/03/2565", eco1="1"), staff_row("b")],
    )
    result = clean(project)
    kept = staff(result).set_index("response_id")
    assert kept.loc["a", "eco1"] == 5  # the later submission, though in the earlier file
    assert len(kept) == 2
    aside = result.set_aside.set_index(["source_file", "source_row"])["reason"]
    assert aside.to_dict() == {
        ("2565/staff_survey_2.csv", 2): "duplicate_submission",
        ("2565/staff_survey_1.csv", 3): "duplicate_submission",
    }
    # the agency of each set-aside row, for the agency's report
    assert set(result.set_aside["agency_code"]) == {staff(result)["agency"].iloc[0]}


def test_identical_rows_without_id_are_duplicates(project):
    row = staff_row("")
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, [row, row, staff_row("", eco1="1")])
    result = clean(project)
    assert len(staff(result)) == 2
    assert list(reasons(result).values()) == ["duplicate_submission"]


def test_unknown_agency_is_set_aside_with_closest_matches(project):
    write_csv(
        year_dir(project) / "staff_survey.csv",
        STAFF,
        [staff_row("a", agency="สรรพากร"), staff_row("b")],
    )
    result = clean(project)
    row = result.set_aside.iloc[0]
    assert row["reason"] == "unknown_agency"
    assert "closest: 03007 กรมสรรพากร" in row["detail"]
    unknown = result.unknown_agencies()
    assert unknown.loc[0, "value"] == "สรรพากร" and unknown.loc[0, "rows"] == 1
    assert pd.isna(row["agency_code"])  # no agency report can claim it


def test_required_values(project):
    write_csv(
        year_dir(project) / "staff_survey.csv",
        STAFF,
        [staff_row("a", ptype=""), staff_row("b", ptype="นักการเมือง"), staff_row("c")],
    )
    result = clean(project)
    assert reasons(result) == {2: "missing_required_value", 3: "invalid_required_value"}
    assert "นักการเมือง" in result.set_aside.loc[1, "detail"]


def test_outside_fiscal_year_and_no_answers(project):
    empty = staff_row("c", eco1="", eco5="", sat="", idp="", carried="")
    write_csv(
        year_dir(project) / "staff_survey.csv",
        STAFF,
        [staff_row("a", date="30/09/2564"), staff_row("b", date="01/10/2564"), empty],
    )
    result = clean(project)
    assert reasons(result) == {2: "outside_fiscal_year", 4: "no_answers"}


def test_agency_return_resubmission_supersedes(project):
    header = ["agency", "reported_at", "a2_fc_level"]
    write_csv(
        year_dir(project) / "agency_return.csv",
        header,
        [["03007", "10/11/2565", "5"], ["03007", "01/11/2565", "3"], ["03006", "01/11/2565", "2"]],
    )
    result = clean(project)
    table = result.tables["agency_return"].set_index("agency")
    assert table.loc["03007", "a2_fc_level"] == 5
    assert reasons(result) == {3: "superseded_submission"}


def test_ocsc_return_keeps_its_stated_year(project):
    write_csv(
        year_dir(project) / "ocsc_return.csv",
        ["fiscal_year", "o1_level"],
        [["2565", "4"], ["2564", "3"]],
    )
    result = clean(project)
    assert result.tables["ocsc_return"]["fiscal_year"].tolist() == [2565]
    assert reasons(result) == {3: "outside_fiscal_year"}


# ------------------------------------------------------------------ ledger and identifiers


def test_ledger_identity_and_reason_columns(project):
    rows = [
        staff_row("a"),
        [""] * len(STAFF),
        staff_row("a"),
        staff_row("b", agency="xx"),
        staff_row("c", date="01/01/2560"),
        staff_row("d", eco1="9"),
    ]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    ledger = clean(project).ledger.iloc[0]
    assert ledger["rows_read"] == 6
    assert ledger["rows_kept"] == 2
    assert ledger["rows_set_aside"] == 4
    assert ledger[list(cleaning.REASONS)].sum() == ledger["rows_set_aside"]
    assert ledger["value_issues"] == 1


def test_direct_identifiers_never_reach_processed_data(project):
    header = [*STAFF, "เลขประจำตัวประชาชน", "เบอร์โทร", "email"]
    rows = [
        [
            *staff_row("a", comment="โทรหาผม 081-234-5678 หรือ 1101700230705"),
            *["1101700230705", "0812345678", "a@b.go.th"],
        ],
        [*staff_row("b", agency="xx", comment="mail a@b.go.th"), "1101700230705", "", ""],
    ]
    write_csv(year_dir(project) / "staff_survey.csv", header, rows)
    result = cleaning.run_cleaning(2565, project)
    out = cleaning.output_dir(2565, project)
    text = "".join(pd.read_parquet(p).to_csv() for p in out.glob("*.parquet"))
    text += (out / "ledger.csv").read_text(encoding="utf-8")
    for identifier in ("1101700230705", "081-234-5678", "0812345678", "a@b.go.th"):
        assert identifier not in text
    assert result.ledger.loc[0, "identifier_columns_dropped"] == "เลขประจำตัวประชาชน; เบอร์โทร; email"
    assert result.ledger.loc[0, "identifiers_scrubbed_from_text"] == 2
    raw_values = json.loads(result.set_aside.loc[0, "raw_values"])
    assert raw_values["agency"] == "xx" and "a@b" not in raw_values["comment"]


def test_raw_files_are_not_modified(project):
    path = write_csv(year_dir(project) / "staff_survey.csv", STAFF, [staff_row()], "cp874")
    before = path.read_bytes()
    cleaning.run_cleaning(2565, project)
    assert path.read_bytes() == before


# ------------------------------------------------------------------ years and folders


def test_year_folder_named_in_ce(project):
    write_csv(year_dir(project, "2022") / "staff_survey.csv", STAFF, [staff_row()])
    result = clean(project, 2565)  # years are B.E. inside; C.E. is read at the edge (years.parse)
    assert result.year == 2565 and result.folder.name == "2022"
    assert staff(result)["fiscal_year"].tolist() == [2565]
    assert paths.raw_years(project) == [2565]


def test_both_era_folders_for_one_year_is_an_error(project):
    year_dir(project, "2565")
    year_dir(project, "2022")
    with pytest.raises(StructuralError, match="two folders hold fiscal year 2565: 2565 and 2022"):
        clean(project)


def test_missing_year_folder_lists_the_years_found(project):
    year_dir(project, "2564")
    with pytest.raises(StructuralError) as info:
        clean(project, 2565)
    assert "no raw data folder for fiscal year 2565" in str(info.value)
    assert "a folder named 2565 (B.E.) or 2022 (C.E.)" in str(info.value)
    assert "Years found: 2564" in str(info.value)


def test_missing_instrument_gives_an_empty_typed_table(project):
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, [staff_row()])
    result = cleaning.run_cleaning(2565, project)
    citizen = pd.read_parquet(cleaning.output_dir(2565, project) / "citizen_survey.parquet")
    assert citizen.empty and "trust" in citizen.columns
    assert result.tables["citizen_survey"].empty


def test_notes_and_demo_truth_files_are_skipped(project):
    folder = year_dir(project)
    write_csv(folder / "staff_survey.csv", STAFF, [staff_row()])
    (folder / "README.txt").write_text("notes")
    (folder / "_truth.json").write_text("{}")
    assert len(clean(project).ledger) == 1


# ------------------------------------------------------------------ clear errors


def test_missing_required_column(project):
    header = [h for h in STAFF if h != "agency"]
    write_csv(year_dir(project) / "staff_survey.csv", header, [staff_row()[:2] + staff_row()[3:]])
    with pytest.raises(StructuralError) as info:
        clean(project)
    message = str(info.value)
    assert message.startswith("2565/staff_survey.csv: required column 'agency' (หน่วยงาน)")
    assert "Expected: a column headed one of: agency, หน่วยงาน, ส่วนราชการ" in message
    assert "Columns found: response_id, submitted_at" in message


def test_unknown_form_version(project):
    write_csv(
        year_dir(project) / "staff_survey.csv",
        [*STAFF, "form_version"],
        [[*staff_row(), "2563.1"], [*staff_row("b"), "2570.9"]],
    )
    with pytest.raises(StructuralError) as info:
        clean(project)
    assert str(info.value) == (
        "2565/staff_survey.csv, row 3, column 'form_version': unknown staff survey on personnel "
        "development form version (value: '2570.9'). Expected: one of 2563.1 (see "
        "config/codebooks/staff_survey.yaml)."
    )


def test_unreadable_file_names_file(project):
    (year_dir(project) / "citizen_survey.csv").write_bytes(b"\x81\xdb\xfc\xff\x00")
    with pytest.raises(StructuralError, match=r"citizen_survey.csv, row 1: the file is neither"):
        clean(project)


def test_file_of_no_instrument(project):
    (year_dir(project) / "budget.csv").write_text("a,b\n1,2\n")
    with pytest.raises(StructuralError) as info:
        clean(project)
    assert "budget.csv: this file belongs to no instrument" in str(info.value)
    assert "staff_survey*" in str(info.value)


def test_ragged_csv_row(project):
    path = year_dir(project) / "staff_survey.csv"
    write_csv(path, STAFF, [staff_row(), [*staff_row("b"), "1,204"]])
    with pytest.raises(StructuralError) as info:
        clean(project)
    assert str(info.value).startswith(
        "2565/staff_survey.csv, row 3: this row has 13 fields but the rows above have 11"
    )


def test_two_columns_for_one_question(project):
    write_csv(
        year_dir(project) / "staff_survey.csv", [*STAFF, "หน่วยงาน"], [[*staff_row(), "03007"]]
    )
    with pytest.raises(StructuralError, match="two columns, 'agency' and 'หน่วยงาน', both hold"):
        clean(project)


def test_nothing_is_written_when_a_file_fails(project):
    folder = year_dir(project)
    write_csv(folder / "staff_survey.csv", STAFF, [staff_row()])
    cleaning.run_cleaning(2565, project)
    before = sorted(p.name for p in cleaning.output_dir(2565, project).iterdir())
    (folder / "citizen_survey.csv").write_bytes(b"")
    with pytest.raises(StructuralError):
        cleaning.run_cleaning(2565, project)
    assert sorted(p.name for p in cleaning.output_dir(2565, project).iterdir()) == before


def test_read_clean_returns_the_written_table_or_says_what_to_run(project):
    with pytest.raises(FileNotFoundError, match=r"run the cleaning stage for 2565 first"):
        cleaning.read_clean(2565, "staff_survey", project)
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, [staff_row()])
    cleaning.run_cleaning(2565, project)
    assert cleaning.read_clean(2565, "staff_survey", project)["response_id"].tolist() == ["r1"]


def test_no_header_names_two_columns():
    """Every accepted header (name, Thai and English text, alias) names one column only, and
    none is also an identifier header that is dropped on read."""
    from helpers.core.thai import match_key

    for book in config.codebooks().values():
        owners: dict[str, set[str]] = {}
        for column in book.columns:
            for label in (column.name, column.th, column.en, *column.aliases):
                owners.setdefault(match_key(label), set()).add(column.name)
        assert {k: v for k, v in owners.items() if len(v) > 1} == {}, book.instrument
        identifiers = {match_key(c) for c in book.identifier_columns}
        assert not identifiers & set(owners), book.instrument


def test_an_agency_not_certain_is_set_aside_with_its_candidates(project):
    rows = [
        staff_row("a", agency="กสร."),  # the abbreviation of two departments
        staff_row("b", agency="03007 กรมสรรพสามิต"),  # one agency's code, another's name
        staff_row("c", agency="กรมสรรพกร"),  # a typo: assigned, and listed in the ledger
    ]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    assert staff(result)["agency"].tolist() == ["03007"]
    aside = result.set_aside.set_index("source_row")
    assert aside.loc[2, "reason"] == "ambiguous_agency"
    assert "03007 กรมสรรพากร" in aside.loc[2, "detail"]
    assert "17005 กรมสวัสดิการและคุ้มครองแรงงาน" in aside.loc[2, "detail"]
    assert aside.loc[3, "reason"] == "conflicting_agency"
    assert {"03007 กรมสรรพากร", "03006 กรมสรรพสามิต"} <= set(
        aside.loc[3, "detail"].split(": ", 1)[1].split("; ")
    )
    assert result.ledger.loc[0, "agencies_matched_by_similarity"].startswith(
        "'กรมสรรพกร' -> 03007 ("
    )
    assert set(result.unknown_agencies()["value"]) == {"กสร.", "03007 กรมสรรพสามิต"}


def test_national_ids_as_response_ids_become_pseudonyms(project, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "keys"))
    monkeypatch.delenv("WORKBOOK_PSEUDONYM_KEY", raising=False)
    rows = [staff_row("1-1017-00230-70-5"), staff_row("1101700230705", eco1="2"), staff_row("r9")]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    pseudonym, plain = staff(result)["response_id"].tolist()
    assert plain == "r9" and pseudonym.startswith("P-") and len(pseudonym) == 18
    assert staff(result)["eco1"].tolist()[0] == 2  # the later of the two kept
    # the same number in another style is the same person: a duplicate
    assert result.set_aside["reason"].tolist() == ["duplicate_submission"]
    assert "1101700230705" not in result.set_aside["detail"].iloc[0]
    assert "national ID numbers" in result.ledger.loc[0, "notes"]
    assert result.ledger.loc[0, "values_pseudonymised"] == 2
    assert (tmp_path / "keys" / "thai-hrd-workbook" / "pseudonym.key").is_file()


def test_answers_that_are_formulas_without_results_stop_the_year(project):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(STAFF)
    sheet.append(staff_row("a"))
    sheet.append(staff_row("b"))
    sheet["F3"] = "=F2"  # eco1 of row 3: saved by a program, never calculated
    for row in range(4, 9):  # a column of them is listed as one range
        sheet.append(staff_row(f"r{row}"))
        sheet[f"G{row}"] = f"=6-F{row}"
    book.create_sheet("lists").append(["=UPPER(A1)"])  # a helper sheet's formulas are harmless
    book.save(year_dir(project) / "staff_survey.xlsx")
    with pytest.raises(StructuralError) as info:
        clean(project)
    message = str(info.value)
    assert "sheet 'Sheet', row 3, column 'eco1': 6 answer cells are formulas" in message
    assert "F3 (eco1: =F2), G4:G8 (eco5: =6-F4 …)" in message and "save it again" in message


def test_mojibake_cells_are_repaired_and_listed(project):
    import ftfy.bad_codecs  # noqa: F401  (registers 'sloppy-cp874': decodes as Windows does)

    garbled = "กรมสรรพากร".encode().decode("sloppy-cp874")  # UTF-8 read as cp874, saved again
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, [staff_row(agency=garbled)])
    result = cleaning.run_cleaning(2565, project)
    assert staff(result)["agency"].tolist() == ["03007"]
    assert result.ledger.loc[0, "cells_repaired"] == 1
    repairs = pd.read_parquet(cleaning.output_dir(2565, project) / "repairs.parquet")
    assert repairs[["source_row", "column", "repaired"]].values.tolist() == [
        [2, "agency", "กรมสรรพากร"]
    ]


def test_a_question_coded_another_way_stops_the_year(project):
    # the form coded agreement 0-4 with labels: '4 = เห็นด้วยอย่างยิ่ง' disagrees with the scale
    rows = [staff_row(f"r{i}", eco1=f"{i % 5} = ไม่แน่ใจ") for i in range(12)]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    with pytest.raises(StructuralError) as info:
        clean(project)
    message = str(info.value)
    assert "column 'eco1': 10 of the 12 answers in this column cannot be read" in message
    assert "coded another way" in message


def test_a_few_unreadable_answers_are_listed_not_refused(project):
    # typing slips: 3 of 100 (a question on another scale would give many more numbers off it)
    rows = [staff_row(f"r{i}", eco1="9" if i < 3 else "4") for i in range(100)]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    assert len(staff(result)) == 100 and len(result.value_issues) == 3


def test_a_question_on_a_seven_point_scale_stops_the_year(project):
    answers = ["1", "3", "5", "6", "7", "7", "4", "6", "2", "5", "7", "6"]
    rows = [staff_row(f"r{i}", eco1=a) for i, a in enumerate(answers)]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    with pytest.raises(StructuralError) as info:
        clean(project)
    assert "column 'eco1': 6 of the 12 answers in this column are numbers off its scale" in str(
        info.value
    )


def test_ids_in_scientific_notation_stop_the_year(project):
    rows = [staff_row("1.10E+12"), staff_row("1.10E+12", eco1="1")]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    with pytest.raises(StructuralError, match="numbers in scientific notation"):
        clean(project)


def test_ids_holding_an_email_or_phone_become_pseudonyms(project, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "keys"))
    monkeypatch.delenv("WORKBOOK_PSEUDONYM_KEY", raising=False)
    rows = [staff_row("somchai.j@rd.go.th"), staff_row("081-234-5678"), staff_row("r3")]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    ids = staff(clean(project))["response_id"].tolist()
    assert ids[2] == "r3" and all(i.startswith("P-") for i in ids[:2])


def test_workbook_percent_cells_saved_as_fractions_are_read_as_percentages(project):
    import datetime as dt

    header = ["agency", "a2_levels_covered_pct", "reported_at"]
    rows = [
        ["03007", 0.8, dt.datetime(2022, 10, 5)],
        ["03006", 0.755, dt.datetime(1965, 3, 15)],  # '15/3/65' typed into Excel
    ]
    write_xlsx(year_dir(project) / "agency_return.xlsx", header, rows)
    result = clean(project)
    table = result.tables["agency_return"].set_index("agency")
    assert table["a2_levels_covered_pct"].to_dict() == {"03007": 80.0, "03006": 75.5}
    assert pd.isna(table.loc["03006", "reported_at"])
    notes = result.ledger.loc[0, "notes"]
    assert "read as fractions of a workbook's percentage cells, x 100" in notes
    assert "1 dates before 2000 (such as 1965-03-15)" in notes
    assert result.value_issues["column"].tolist() == ["reported_at"]


def test_a_tick_in_a_yes_no_column_is_listed_not_read_as_no_answer(project):
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, [staff_row(idp="/"), staff_row("b")])
    result = clean(project)
    assert pd.isna(staff(result)["idp_made"].iloc[0])
    assert result.value_issues[["column", "value"]].values.tolist() == [["idp_made", "/"]]
