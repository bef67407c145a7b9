"""The demo generator: files, encodings, planted faults (recounted from the files), truths."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.core import config, paths
from helpers.core.thai import match_key, to_arabic_digits
from helpers.core.years import fiscal_year_bounds, to_ce
from helpers.demo import generator
from helpers.ingest import cleaning
from helpers.ingest.headers import HeaderMatcher
from helpers.ingest.privacy import find_identifiers, national_id_is_valid, scrub
from helpers.ingest.registry import AgencyMatcher, load_registry

AGENCIES = 6
EXPECTED_FILES = {
    "2563": {
        "staff_survey_2563.csv": "cp874",
        "citizen_survey_2563.xlsx": "xlsx",
        "agency_return_2563.csv": "utf-8-sig",
        "ocsc_return_2563.csv": "utf-8",
    },
    "2564": {
        "staff_survey_2564_part1.csv": "utf-8-sig",
        "staff_survey_2564_part2.xlsx": "xlsx",
        "staff_survey_2564_part2.csv": "utf-8-sig",  # the workbook saved again as CSV
        "citizen_survey_2564.csv": "cp874",
        "agency_return_2564.xlsx": "xlsx",
        "ocsc_return_2564.xlsx": "xlsx",
    },
    "2022": {
        "staff_survey_2565.xlsx": "xlsx",
        "staff_survey_2565_google.csv": "utf-8",  # Google Forms
        "citizen_survey_2565.csv": "utf-8",
        "citizen_survey_2565_msforms.csv": "utf-8-sig",  # Microsoft Forms via US-locale Excel
        "agency_return_2565.txt": "utf-16",  # Excel "Unicode Text"
        "ocsc_return_2565.csv": "utf-8",
    },
}
SURVEYS = ("staff_survey", "citizen_survey")
BOM = b"\xef\xbb\xbf"
UTF16_BOM = b"\xff\xfe"
REEXPORT = ("2564", "staff_survey_2564_part2.csv", "staff_survey_2564_part2.xlsx")
GOOGLE = ("2022", "staff_survey_2565_google.csv")
MSFORMS = ("2022", "citizen_survey_2565_msforms.csv")
NUMBERED = ("2563", "staff_survey_2563.csv")
# "มาก (4)", "4 = เห็นด้วย", "5 - Strongly agree": a label and its number
NUMBERED_LABEL = re.compile(
    r"^(?:(?P<label>.+?)\s*\((?P<n>\d+)\)|(?P<n2>\d+)\s*[=-]\s*(?P<l2>.+))$"
)


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "raw"
    generator.generate(agencies=AGENCIES, out_dir=out)
    return out


@pytest.fixture(scope="module")
def matcher() -> AgencyMatcher:
    return AgencyMatcher(load_registry())


def truth(raw: Path, folder: str) -> dict:
    return json.loads((raw / folder / "_truth.json").read_text(encoding="utf-8"))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def read(path: Path, encoding: str) -> pd.DataFrame:
    """Every cell as stripped text under the file's own headers, every row kept."""
    if encoding == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        grid = [[_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        width = len(grid[0])
        frame = pd.DataFrame([row + [""] * (width - len(row)) for row in grid[1:]], columns=grid[0])
    else:
        frame = pd.read_csv(
            path,
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            sep="\t" if encoding == "utf-16" else ",",
        )
    return frame.fillna("").astype(str).apply(lambda column: column.str.strip())


def by_column(frame: pd.DataFrame, instrument: str) -> pd.DataFrame:
    """The file's columns named by the codebook columns they hold (as cleaning matches headers:
    ids, labels, question texts numbered or in grids); other columns keep their header."""
    headers = HeaderMatcher(config.codebook(instrument))
    return frame.rename(columns={h: headers.column_of(h) or h for h in frame.columns})


def survey_files(raw: Path):
    for folder, files in EXPECTED_FILES.items():
        for name, encoding in files.items():
            if name.startswith(SURVEYS):
                yield folder, name, encoding


def instrument_of(name: str) -> str:
    return "staff_survey" if name.startswith("staff") else "citizen_survey"


def survey(raw: Path, folder: str, name: str) -> pd.DataFrame:
    return by_column(read(raw / folder / name, EXPECTED_FILES[folder][name]), instrument_of(name))


def _numeric_date(text: str) -> tuple[int, int, int] | None:
    found = re.match(r"(\d+)[/-](\d+)[/-](\d+)", to_arabic_digits(text))
    return tuple(map(int, found.groups())) if found else None


def date_order(values: pd.Series) -> str:
    """'mdy' when a numeric date can only be month-first (6/15/2022), else 'dmy'."""
    fields = [f for f in values.map(_numeric_date) if f and f[0] < 1000]
    mdy = any(second > 12 for _, second, _ in fields)
    dmy = any(first > 12 for first, _, _ in fields)
    assert not (mdy and dmy), "a column written both day-first and month-first"
    return "mdy" if mdy else "dmy"


def parse_date(text: str, order: str = "dmy") -> dt.date:
    first, middle, last = _numeric_date(text)
    if first >= 1000:  # yyyy-mm-dd
        return dt.date(to_ce(first), middle, last)
    day, month = (first, middle) if order == "dmy" else (middle, first)
    return dt.date(to_ce(last), month, day)


def dates_of(rows: pd.DataFrame) -> pd.Series:
    order = date_order(rows["submitted_at"])
    return rows["submitted_at"].map(lambda v: parse_date(v, order))


def _scale_keys(scale) -> set[str]:
    labels = [str(p.code) for p in scale.points]
    labels += [label for p in scale.points for label in (p.th, p.en, *p.aliases)]
    return {match_key(label) for label in labels}


def answer_is_valid(value: str, column: config.Column, scales: dict) -> bool:
    """Whether an answer is one the column accepts (a label with its number must agree)."""
    value = to_arabic_digits(value)
    if not value:
        return True
    if column.type == "score":
        return value.isdigit() and column.minimum <= int(value) <= column.maximum
    scale = scales[column.scale]
    if column.type == "category" and value.isdigit():  # an age in years
        return True
    if match_key(value) in _scale_keys(scale):
        return True
    if column.type == "likert" and (found := NUMBERED_LABEL.match(value)):
        number = int(found["n"] or found["n2"])
        label = match_key(found["label"] or found["l2"])
        point = next((p for p in scale.points if p.code == number), None)
        texts = (point.th, point.en, *point.aliases) if point else ()
        return label in {match_key(t) for t in texts}
    return False


def agency_keys(rows: pd.DataFrame, matcher: AgencyMatcher) -> pd.Series:
    """The registry code of each row's agency, or the text as written when it matches none."""
    return rows["agency"].map(lambda v: matcher.match(v) or f"?{v}")


def recount(frame: pd.DataFrame, instrument: str, year: int, ids: str, matcher) -> dict:
    """Planted faults counted from the file itself (``frame`` under codebook column names).

    Duplicates: the same response id again (``ids`` 'global'), the same number within one
    agency ('per_agency', 'tool'), the same row again (no id column, 'none')."""
    blank = (frame == "").all(axis=1)
    rows = frame[~blank]
    known = rows["agency"].map(matcher.match).notna()
    start, end = fiscal_year_bounds(year)
    dates = dates_of(rows)
    scales = config.scales()
    invalid = 0
    for column in config.codebook(instrument).columns:
        if column.type in {"score", "likert", "binary", "category"} and column.name in rows:
            ok = rows[column.name].map(lambda v, c=column: answer_is_valid(v, c, scales))
            invalid += int((~ok).sum())
    if ids == "global":
        duplicates = len(rows) - rows["response_id"].nunique()
    elif ids == "none":
        assert "response_id" not in rows
        duplicates = int(rows.duplicated().sum())
    else:
        keyed = rows.assign(_agency=agency_keys(rows, matcher))
        duplicates = int(keyed.duplicated(["_agency", "response_id"]).sum())
    return {
        "blank_row": int(blank.sum()),
        "duplicate_submission": duplicates,
        "unknown_agency": int((~known).sum()),
        "outside_fiscal_year": int(((dates < start) | (dates > end)).sum()),
        "invalid_value": invalid,
        "identifier_in_comment": int(sum(scrub(c)[1] for c in rows["comment"])),
        "superseded_submission": 0,
        "rows_written": len(frame),
    }


def kept_by_agency(frame: pd.DataFrame, year: int, ids: str, matcher) -> pd.Series:
    """Respondents per agency once blank, unknown, out-of-year and duplicate rows are gone."""
    rows = frame[~(frame == "").all(axis=1)].copy()
    rows["code"] = rows["agency"].map(matcher.match)
    start, end = fiscal_year_bounds(year)
    dates = dates_of(rows)
    rows = rows[rows["code"].notna() & (dates >= start) & (dates <= end)]
    if ids == "global":
        rows = rows.drop_duplicates("response_id")
    elif ids == "none":
        rows = rows.drop_duplicates([c for c in rows.columns if c != "code"])
    else:
        rows = rows.drop_duplicates(["code", "response_id"])
    return rows["code"].value_counts()


def test_folders_files_and_encodings(raw: Path) -> None:
    assert sorted(p.name for p in raw.iterdir()) == sorted(EXPECTED_FILES)
    for folder, files in EXPECTED_FILES.items():
        assert sorted(p.name for p in (raw / folder).iterdir()) == sorted([*files, "_truth.json"])
        recorded = truth(raw, folder)["files"]
        for name, encoding in files.items():
            data = (raw / folder / name).read_bytes()
            assert recorded[name]["encoding"] == encoding
            if encoding == "xlsx":
                assert data.startswith(b"PK")
            elif encoding == "cp874":
                data.decode("cp874")
                with pytest.raises(UnicodeDecodeError):
                    data.decode("utf-8")
            elif encoding == "utf-16":
                assert data.startswith(UTF16_BOM)
                text = data[2:].decode("utf-16-le")
                assert "\t" in text.splitlines()[0] and "," not in text.splitlines()[0]
            else:
                assert data.startswith(BOM) == (encoding == "utf-8-sig")
                data.decode("utf-8")


def test_planted_faults_match_the_files(raw: Path, matcher: AgencyMatcher) -> None:
    for folder, name, _encoding in survey_files(raw):
        facts = truth(raw, folder)
        info, planted = facts["files"][name], facts["planted_faults"][name]
        frame = survey(raw, folder, name)
        counted = recount(
            frame, instrument_of(name), facts["fiscal_year"], info["response_ids"], matcher
        )
        assert planted["blank_row"] and planted["duplicate_submission"], name
        assert planted["unknown_agency"] and planted["outside_fiscal_year"], name
        assert planted["invalid_value"], name
        if info["copy_of"]:  # every usable row repeats a response of the original file
            usable = counted["rows_written"] - sum(
                counted[k] for k in ("blank_row", "unknown_agency", "outside_fiscal_year")
            )
            counted["duplicate_submission"] = usable
            assert planted == facts["planted_faults"][info["copy_of"]] | {
                "duplicate_submission": usable
            }
        assert counted == planted, name
    for folder, name in (("2564", "staff_survey_2564_part1.csv"), GOOGLE, MSFORMS):
        assert truth(raw, folder)["planted_faults"][name]["identifier_in_comment"], name


def test_unknown_agencies_are_not_typos_of_registry_names(raw: Path, matcher) -> None:
    registry = load_registry()
    plausible = {*generator.FICTITIOUS_AGENCIES, *generator.LOCAL_OFFICES, *registry["ministry_th"]}
    seen = set()
    for folder, name, _encoding in survey_files(raw):
        frame = survey(raw, folder, name)
        agencies = frame.loc[(frame != "").any(axis=1), "agency"]
        unknown = agencies[agencies.map(matcher.match).isna()]
        assert set(unknown) <= plausible, name
        assert all(matcher.resolve(v).how == "unknown" for v in unknown), name
        seen |= set(unknown)
    # fictitious departments, offices of another level and ministries all appear
    assert seen & set(generator.FICTITIOUS_AGENCIES) and seen & set(generator.LOCAL_OFFICES)
    assert seen & set(registry["ministry_th"])


def test_respondents_left_after_faults_match_the_truth(raw: Path, matcher) -> None:
    for folder in EXPECTED_FILES:
        facts = truth(raw, folder)
        for instrument in SURVEYS:
            kept = pd.concat(
                [
                    kept_by_agency(
                        survey(raw, f, name),
                        facts["fiscal_year"],
                        facts["files"][name]["response_ids"],
                        matcher,
                    )
                    for f, name, _ in survey_files(raw)
                    if f == folder
                    and name.startswith(instrument)
                    and not facts["files"][name]["copy_of"]  # a re-export adds nobody
                ]
            )
            kept = kept.groupby(level=0).sum().to_dict()
            assert kept == facts["respondents"][instrument], (folder, instrument)


def test_sample_sizes(raw: Path) -> None:
    staff = [truth(raw, f)["respondents"]["staff_survey"] for f in EXPECTED_FILES]
    small = [code for code, n in staff[0].items() if any(year[code] < 10 for year in staff)]
    assert len(small) >= 2
    for folder in EXPECTED_FILES:
        facts = truth(raw, folder)
        assert set(facts["respondents"]["citizen_survey"].values()) <= {100, 400}
        assert len(facts["agencies"]) == AGENCIES
        assert all(3 <= n <= 1500 for n in facts["respondents"]["staff_survey"].values())
        assert {code for code, a in facts["agencies"].items() if a["small_agency"]} == set(small)


def test_identifier_columns_and_national_ids(raw: Path) -> None:
    staff = read(raw / "2563/staff_survey_2563.csv", "cp874")
    assert {"เลขประจำตัวประชาชน", "เบอร์โทร", "หมายเหตุผู้บันทึก", "age"} <= set(staff.columns)
    ids = staff.loc[staff["response_id"] != "", "เลขประจำตัวประชาชน"]
    assert ids.map(national_id_is_valid).all()
    assert ids.str.contains("-").any() and ids.str.contains(" ").any()
    identifiers = set(config.codebook("citizen_survey").identifier_columns)
    assert "เบอร์โทรศัพท์" in read(raw / "2564/citizen_survey_2564.csv", "cp874").columns
    assert "email" in read(raw / "2022/citizen_survey_2565.csv", "utf-8").columns
    assert {"เบอร์โทรศัพท์", "email"} <= identifiers
    returns = read(raw / "2563/agency_return_2563.csv", "utf-8-sig")
    assert {"ผู้ประสานงาน", "เบอร์โทรผู้ประสานงาน"} <= set(returns.columns)
    assert {"ผู้ประสานงาน", "เบอร์โทรผู้ประสานงาน"} <= set(
        config.codebook("agency_return").identifier_columns
    )


def test_identifiers_are_written_in_local_styles() -> None:
    rng = np.random.default_rng(5)
    phones = generator.COLUMN_MAKERS["phone"](400, rng)
    for pattern in (
        r"0 2\d{3} \d{4}",
        r"0-2\d{3}-\d{4}",
        r"\(02\) \d{3} \d{4}",
        r"0[689]-\d{4}-\d{4}",
        r"0[689]\d\.\d{3}\.\d{4}",
        r"\+66 [689]\d \d{3} \d{4}",
        r"\(\+66\) [689]\d-\d{3}-\d{4}",
        r"0[689]\d{8}",
    ):
        assert any(re.fullmatch(pattern, p) for p in phones), pattern
    ids = generator.COLUMN_MAKERS["national_id"](200, rng)
    assert all(national_id_is_valid(i) for i in ids)
    for pattern in (r"\d{13}", r"\d-\d{4}-\d{5}-\d{2}-\d", r"\d \d{4} \d{5} \d{2} \d"):
        assert any(re.fullmatch(pattern, i) for i in ids), pattern
    # each comment holds exactly one identifier, which scrubbing finds and removes
    for comment in generator._identifier_comments(300, rng):
        scrubbed, found = scrub(comment)
        assert found == 1 and not find_identifiers(scrubbed), comment


def test_year_specific_messiness(raw: Path) -> None:
    staff63 = read(raw / "2563/staff_survey_2563.csv", "cp874")
    assert "เห็นด้วย" in set(staff63["eco1"]) and "มี" in set(staff63["idp_made"])
    assert staff63["submitted_at"].str.contains(r"/256[23] ").any()
    part1 = read(raw / "2564/staff_survey_2564_part1.csv", "utf-8-sig")
    part2 = read(raw / "2564/staff_survey_2564_part2.xlsx", "xlsx")
    both = pd.concat([part1, part2])
    assert set(both.loc[both["response_id"] != "", "form_version"]) == {"2563.1"}
    assert both["eco1"].isin(["Agree", "Strongly agree", "Disagree"]).any()
    assert both["eco1"].str.contains("[๐-๙]").any()
    staff65 = read(raw / "2022/staff_survey_2565.xlsx", "xlsx")
    assert list(staff65.columns) != [c for c in staff65.columns if c in set(staff63.columns)]
    assert {"survey_channel", "duration_minutes"} <= set(staff65.columns)
    years = staff65.loc[staff65["response_id"] != "", "submitted_at"].str[:4]
    assert {"2565", "2022"} <= set(years)
    returns = read(raw / "2563/agency_return_2563.csv", "utf-8-sig")
    assert returns["หน่วยงาน"].map(lambda v: v != "").sum() == AGENCIES + 1
    percent = config.codebook("agency_return").column("a2_levels_covered_pct").th
    assert returns[percent].str.contains("%|ร้อยละ").all()


def test_response_ids_restart_at_1_in_each_agency(raw: Path, matcher) -> None:
    frame = survey(raw, *NUMBERED)
    rows = frame[(frame != "").any(axis=1)].assign(code=lambda f: f["agency"].map(matcher.match))
    assert rows["response_id"].str.fullmatch(r"\d+").all()
    unknown = int(rows["code"].isna().sum())  # numbered in their agency, written unknown
    for _code, numbers in rows.dropna(subset=["code"]).groupby("code")["response_id"]:
        numbers = sorted(set(numbers.astype(int)))
        assert numbers[0] <= 1 + unknown and numbers[-1] - len(numbers) <= unknown  # 1..n
    assert (rows["response_id"] == "1").sum() >= AGENCIES - unknown  # every agency from 1
    assert truth(raw, "2563")["files"][NUMBERED[1]]["response_ids"] == "per_agency"


def test_google_forms_export(raw: Path) -> None:
    data = (raw / "2022" / GOOGLE[1]).read_bytes()
    assert not data.startswith(BOM) and b"\r\n" not in data  # Google's CSV: plain UTF-8, LF
    frame = read(raw / "2022" / GOOGLE[1], "utf-8")
    headers = list(frame.columns)
    assert headers[:2] == ["ประทับเวลา", "ที่อยู่อีเมล"]
    assert all(re.match(r"\d+\. \S", h) for h in headers[2:]), headers
    assert headers[2] == "1. หน่วยงานที่ท่านสังกัด"
    grid = [h for h in headers if h.startswith("7. ความคิดเห็นต่อการพัฒนาบุคลากร [")]
    assert len(grid) == 18 and all(h.endswith("]") for h in grid)
    assert any("\n" in h or "“" in h for h in grid)
    assert headers[-1] == "15. ข้อเสนอแนะเพิ่มเติม (ถ้ามี)"
    book = config.codebook("staff_survey")
    matched = [HeaderMatcher(book).match_text(h) for h in headers]
    assert "response_id" not in {column for column, *_ in matched}  # Google writes no id
    assert {how for _, how, *_ in matched} >= {"label", "fuzzy", "identifier"}
    assert sum(how == "fuzzy" for _, how, *_ in matched) >= 3  # texts edited a little
    rows = by_column(frame, "staff_survey")
    rows = rows[(rows != "").any(axis=1)]
    stamps = rows["submitted_at"]
    assert stamps.str.fullmatch(r"[1-9]\d?/[1-9]\d?/20\d\d, \d{1,2}:\d\d:\d\d").all()
    assert stamps.map(lambda v: _numeric_date(v)[0] > 12).any()  # provably day-first
    assert rows["agency"].str.match(r"\d{5} \S").any() and rows["agency"].str.match("กรม").any()
    assert set(rows["eco1"]) <= {"เห็นด้วยอย่างยิ่ง", "เห็นด้วย", "ไม่แน่ใจ", "ไม่เห็นด้วย",
                                 "ไม่เห็นด้วยอย่างยิ่ง"}  # fmt: skip
    assert set(rows["idp_made"]) == {"ใช่", "ไม่ใช่"}
    assert rows["ที่อยู่อีเมล"].str.contains("@").all()


def test_microsoft_forms_export(raw: Path) -> None:
    data = (raw / "2022" / MSFORMS[1]).read_bytes()
    assert data.startswith(BOM) and b"\r\n" in data  # Excel "CSV UTF-8" on Windows
    frame = read(raw / "2022" / MSFORMS[1], "utf-8-sig")
    assert list(frame.columns[:6]) == [*generator.MSFORMS_TOOL_COLUMNS, "Last modified time"]
    rows = frame[(frame != "").any(axis=1)]
    ids = rows["ID"].astype(int)
    assert ids.min() == 1 and ids.max() == ids.nunique()  # the tool's numbering, 1..n
    assert (
        ids.duplicated().sum()
        == truth(raw, "2022")["planted_faults"][MSFORMS[1]]["duplicate_submission"]
    )  # the same responses pasted twice
    for column in ("Start time", "Completion time"):
        fields = rows[column].map(_numeric_date)
        assert rows[column].str.fullmatch(r"\d{1,2}/\d{1,2}/2022 \d{1,2}:\d\d").all()
        assert any(second > 12 for _, second, _ in fields)  # provably month-first ...
        assert not any(first > 12 for first, _, _ in fields)  # ... and nothing day-first
    assert set(rows["Email"]) == {"anonymous"} and set(rows["Name"]) == {""}
    satisfaction = config.codebook("citizen_survey").column("satisfaction").th
    assert rows[satisfaction].str.fullmatch(r".+ \([1-5]\)").all()  # 'มาก (4)'
    rows = by_column(rows, "citizen_survey")
    assert rows["drv_reliability"].str.fullmatch(r"\d|10").all()
    assert date_order(rows["submitted_at"]) == "mdy"


def test_the_reexport_repeats_the_workbook(raw: Path) -> None:
    folder, name, original = REEXPORT
    assert truth(raw, folder)["files"][name]["copy_of"] == original
    copy = read(raw / folder / name, "utf-8-sig")
    source = read(raw / folder / original, "xlsx")
    assert list(copy.columns) == list(source.columns) and len(copy) == len(source)
    others = [c for c in copy.columns if c != "submitted_at"]
    pd.testing.assert_frame_equal(copy[others], source[others])
    dated = source["submitted_at"] != ""
    assert (copy["submitted_at"] != "").eq(dated).all()
    # Excel on Thai Windows: d/m/yyyy B.E., no seconds; the same minute as the original
    stamps = copy.loc[dated, "submitted_at"]
    assert stamps.str.fullmatch(r"[1-9]\d?/[1-9]\d?/256\d \d{1,2}:\d\d").all()
    when = [
        dt.datetime(int(y) - 543, int(m), int(d), int(hh), int(mm))
        for d, m, y, hh, mm in stamps.str.findall(r"\d+").tolist()
    ]
    expected = pd.to_datetime(source.loc[dated, "submitted_at"]).dt.floor("min")
    assert when == expected.dt.to_pydatetime().tolist()
    assert (pd.to_datetime(source.loc[dated, "submitted_at"]).dt.second > 0).any()


def test_cleaning_reports_what_was_planted(project: Path) -> None:
    """The demo read by cleaning: every planted fault counted as planted, every agency keeping
    its respondents (the slow end-to-end tests check the same through the whole pipeline)."""
    generator.generate(project, agencies=AGENCIES)
    for year in (2563, 2564, 2565):
        result = cleaning.clean_year(year, project)
        folder = paths.find_year_folder(year, project)
        facts = json.loads((folder / "_truth.json").read_text(encoding="utf-8"))
        ledger = result.ledger.set_index("file")
        for name, planted in facts["planted_faults"].items():
            row = ledger.loc[f"{folder.name}/{name}"]
            assert row["rows_read"] == planted["rows_written"], name
            for reason in ("blank_row", "duplicate_submission", "unknown_agency",
                           "outside_fiscal_year", "superseded_submission"):  # fmt: skip
                assert row[reason] == planted[reason], (name, reason)
            assert row["value_issues"] == planted["invalid_value"], name
            assert row["identifiers_scrubbed_from_text"] == planted["identifier_in_comment"]
            assert row["rows_set_aside"] == sum(
                row[k] for k in ("blank_row", "duplicate_submission", "unknown_agency",
                                 "outside_fiscal_year", "superseded_submission")
            ), name  # fmt: skip
        for instrument in SURVEYS:
            counts = result.tables[instrument]["agency"].value_counts().to_dict()
            assert counts == facts["respondents"][instrument], (year, instrument)
        notes = " ".join(result.ledger["notes"].fillna(""))
        if year == 2565:
            assert "read month-first" in notes
    # the re-export: each of its rows set aside as a copy of the workbook's, which stays
    result = cleaning.clean_year(2564, project)
    aside = result.set_aside
    copies = aside[aside["source_file"] == f"2564/{REEXPORT[1]}"]
    usable = copies[copies["reason"] == "duplicate_submission"]
    assert usable["detail"].str.contains(REEXPORT[2]).all()
    assert not (result.tables["staff_survey"]["source_file"] == f"2564/{REEXPORT[1]}").any()


def test_truth_file_holds_every_planted_value(raw: Path) -> None:
    facts = truth(raw, "2022")
    assert {"seed", "scale", "formulas", "staff_model", "citizen_model", "agencies",
            "respondents", "files", "planted_faults"} <= set(facts)  # fmt: skip
    assert facts["seed"] == config.pipeline()["demo"]["seed"] and facts["scale"] == "demo"
    staff = facts["staff_model"]
    assert {"b_eco", "b_skl", "b_mnd", "b_idp", "cutpoints", "sigma_u", "u", "d",
            "improving", "declining"} <= set(staff)  # fmt: skip
    assert len(staff["cutpoints"]) == 4 and set(staff["u"]) == set(facts["agencies"])
    assert all(staff["d"][code] > 0 for code in staff["improving"])
    assert all(staff["d"][code] < 0 for code in staff["declining"])
    citizen = facts["citizen_model"]
    thetas = {k.removeprefix("theta_"): v for k, v in citizen.items() if k.startswith("theta_")}
    assert len(thetas) == 5 and {"a0", "lambda", "v", "ame"} <= set(citizen)
    assert sorted(citizen["ame"], key=citizen["ame"].get) == sorted(thetas, key=thetas.get)
    for agency in facts["agencies"].values():
        assert {"p_idp", "a3", "a6"} <= set(agency)
        assert agency["a3"] == pytest.approx(agency["p_idp"] * 0.8, abs=1e-5)
    for faults in facts["planted_faults"].values():
        assert set(faults) == {*generator.FAULT_KINDS, "rows_written"}
    assert (
        truth(raw, "2563")["planted_faults"]["agency_return_2563.csv"]["superseded_submission"] == 1
    )


def test_same_seed_same_bytes_other_seed_other_data(raw: Path, tmp_path: Path) -> None:
    generator.generate(agencies=AGENCIES, out_dir=tmp_path / "same")
    generator.generate(agencies=AGENCIES, out_dir=tmp_path / "other", seed=1, years=[2563])
    for folder, files in EXPECTED_FILES.items():
        for name in [*files, "_truth.json"]:
            assert (raw / folder / name).read_bytes() == (
                tmp_path / "same" / folder / name
            ).read_bytes(), name
    other = tmp_path / "other/2563/staff_survey_2563.csv"
    assert other.read_bytes() != (raw / "2563/staff_survey_2563.csv").read_bytes()


def test_raw_has_inputs(project: Path) -> None:
    raw = project / "data" / "raw"
    assert not generator.raw_has_inputs(project)  # only reference/
    (raw / "2565").mkdir()
    (raw / "2565" / "_truth.json").write_text("{}")
    (raw / "2565" / "notes.md").write_text("notes")
    (raw / "2565" / "README.txt").write_text("notes")
    (raw / "archive").mkdir()
    (raw / "archive" / "staff_survey.csv").write_text("a,b\n")
    assert not generator.raw_has_inputs(project)
    (raw / "2022").mkdir()
    (raw / "2022" / "staff_survey.xlsx").write_bytes(b"")
    assert generator.raw_has_inputs(project)


def test_generate_defaults_to_the_configured_raw_folder(project: Path) -> None:
    summary = generator.generate(project, agencies=2, years=[2565])
    assert sorted(summary["files"]) == sorted(f"2022/{n}" for n in EXPECTED_FILES["2022"])
    assert (project / "data/raw/2022/_truth.json").is_file()
    assert generator.raw_has_inputs(project)


def test_cli_if_empty_and_force(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "raw"
    args = ["--out", str(out), "--agencies", "3", "--years", "2565"]
    assert generator.main(args) == 0
    written = (out / "2022/staff_survey_2565.xlsx").stat().st_mtime_ns
    capsys.readouterr()
    assert generator.main([*args, "--if-empty"]) == 0
    assert "no demo data written" in capsys.readouterr().out
    assert generator.main(args) == 1
    assert "--force" in capsys.readouterr().err
    assert (out / "2022/staff_survey_2565.xlsx").stat().st_mtime_ns == written
    assert generator.main([*args, "--force", "--seed", "7"]) == 0
    assert truth(out, "2022")["seed"] == 7


@pytest.mark.slow
def test_national_scale(tmp_path: Path) -> None:
    summary = generator.generate(scale="national", out_dir=tmp_path)
    assert summary["years"] == [2565]
    facts = truth(tmp_path, "2022")
    assert len(facts["agencies"]) == len(load_registry())
    for instrument, total in generator.NATIONAL_TOTALS.items():
        assert sum(facts["respondents"][instrument].values()) == total
        name = f"{instrument}_2565.csv"
        faults = facts["planted_faults"][name]
        extra = sum(faults[k] for k in generator.FAULT_KINDS)
        extra -= faults["invalid_value"] + faults["identifier_in_comment"]
        assert faults["rows_written"] == total + extra
        with (tmp_path / "2022" / name).open(encoding="utf-8") as fh:
            assert sum(1 for _ in fh) == faults["rows_written"] + 1
