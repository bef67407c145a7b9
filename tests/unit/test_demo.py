"""The demo generator: files, encodings, planted faults (recounted from the files), truths."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers import config, demo
from helpers.privacy import national_id_is_valid, scrub
from helpers.registry import AgencyMatcher, load_registry
from helpers.thai import match_key, to_arabic_digits
from helpers.years import fiscal_year_bounds, to_ce

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
        "citizen_survey_2564.csv": "cp874",
        "agency_return_2564.xlsx": "xlsx",
        "ocsc_return_2564.xlsx": "xlsx",
    },
    "2022": {
        "staff_survey_2565.xlsx": "xlsx",
        "citizen_survey_2565.csv": "utf-8",
        "agency_return_2565.csv": "utf-8",
        "ocsc_return_2565.csv": "utf-8",
    },
}
SURVEYS = ("staff_survey", "citizen_survey")
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "raw"
    demo.generate(agencies=AGENCIES, out_dir=out)
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
    """Every cell as stripped text, every row kept (as cleaning reads it)."""
    if encoding == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        grid = [[_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        width = len(grid[0])
        frame = pd.DataFrame([row + [""] * (width - len(row)) for row in grid[1:]], columns=grid[0])
    else:
        frame = pd.read_csv(
            path, encoding=encoding, dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    return frame.fillna("").astype(str).apply(lambda column: column.str.strip())


def survey_files(raw: Path):
    for folder, files in EXPECTED_FILES.items():
        for name, encoding in files.items():
            if name.startswith(SURVEYS):
                yield folder, name, encoding


def parse_date(text: str) -> dt.date:
    first, month, last = re.match(r"(\d+)[/-](\d+)[/-](\d+)", to_arabic_digits(text)).groups()
    year, day = (first, last) if len(first) == 4 else (last, first)
    return dt.date(to_ce(int(year)), int(month), int(day))


def valid_answers(column: config.Column, scales: dict) -> set[str] | None:
    if column.type == "score":
        return {"", *map(str, range(int(column.minimum), int(column.maximum) + 1))}
    if column.type in {"likert", "binary"}:
        scale = scales[column.scale]
        labels = [str(p.code) for p in scale.points]
        labels += [label for p in scale.points for label in (p.th, p.en, *p.aliases)]
        return {"", *map(match_key, labels)}
    return None


def recount(frame: pd.DataFrame, instrument: str, year: int, matcher: AgencyMatcher) -> dict:
    """Planted faults counted from the file itself."""
    blank = (frame == "").all(axis=1)
    rows = frame[~blank]
    known = rows["agency"].map(matcher.match).notna()
    start, end = fiscal_year_bounds(year)
    dates = rows["submitted_at"].map(parse_date)
    scales = config.scales()
    invalid = 0
    for column in config.codebook(instrument).columns:
        allowed = valid_answers(column, scales)
        if allowed is not None and column.name in rows:
            keys = rows[column.name].map(lambda v: match_key(to_arabic_digits(v)))
            invalid += int((~keys.isin(allowed)).sum())
    return {
        "blank_row": int(blank.sum()),
        "duplicate_submission": int(len(rows) - rows["response_id"].nunique()),
        "unknown_agency": int((~known).sum()),
        "outside_fiscal_year": int(((dates < start) | (dates > end)).sum()),
        "invalid_value": invalid,
        "identifier_in_comment": int(sum(scrub(c)[1] for c in rows["comment"])),
        "superseded_submission": 0,
        "rows_written": len(frame),
    }


def kept_by_agency(frame: pd.DataFrame, year: int, matcher: AgencyMatcher) -> pd.Series:
    """Respondents per agency once blank, unknown, out-of-year and duplicate rows are gone."""
    rows = frame[~(frame == "").all(axis=1)].copy()
    rows["code"] = rows["agency"].map(matcher.match)
    start, end = fiscal_year_bounds(year)
    dates = rows["submitted_at"].map(parse_date)
    rows = rows[rows["code"].notna() & (dates >= start) & (dates <= end)]
    return rows.drop_duplicates("response_id")["code"].value_counts()


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
            else:
                assert data.startswith(BOM) == (encoding == "utf-8-sig")
                data.decode("utf-8")


def test_planted_faults_match_the_files(raw: Path, matcher: AgencyMatcher) -> None:
    for folder, name, encoding in survey_files(raw):
        year = truth(raw, folder)["fiscal_year"]
        instrument = "staff_survey" if name.startswith("staff") else "citizen_survey"
        frame = read(raw / folder / name, encoding)
        planted = truth(raw, folder)["planted_faults"][name]
        assert recount(frame, instrument, year, matcher) == planted, name
        assert planted["blank_row"] and planted["duplicate_submission"], name
        assert planted["unknown_agency"] and planted["outside_fiscal_year"], name
        assert planted["invalid_value"], name
    assert truth(raw, "2564")["planted_faults"]["staff_survey_2564_part1.csv"][
        "identifier_in_comment"
    ]


def test_respondents_left_after_faults_match_the_truth(raw: Path, matcher) -> None:
    for folder in EXPECTED_FILES:
        facts = truth(raw, folder)
        for instrument in SURVEYS:
            kept = pd.concat(
                [
                    kept_by_agency(read(raw / folder / name, enc), facts["fiscal_year"], matcher)
                    for f, name, enc in survey_files(raw)
                    if f == folder and name.startswith(instrument)
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
    identifiers = set(config.codebook("citizen_survey").identifier_columns)
    assert "เบอร์โทรศัพท์" in read(raw / "2564/citizen_survey_2564.csv", "cp874").columns
    assert "email" in read(raw / "2022/citizen_survey_2565.csv", "utf-8").columns
    assert {"เบอร์โทรศัพท์", "email"} <= identifiers
    returns = read(raw / "2563/agency_return_2563.csv", "utf-8-sig")
    assert {"ผู้ประสานงาน", "เบอร์โทรผู้ประสานงาน"} <= set(returns.columns)
    assert {"ผู้ประสานงาน", "เบอร์โทรผู้ประสานงาน"} <= set(
        config.codebook("agency_return").identifier_columns
    )


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
        assert set(faults) == {*demo.FAULT_KINDS, "rows_written"}
    assert (
        truth(raw, "2563")["planted_faults"]["agency_return_2563.csv"]["superseded_submission"] == 1
    )


def test_same_seed_same_bytes_other_seed_other_data(raw: Path, tmp_path: Path) -> None:
    demo.generate(agencies=AGENCIES, out_dir=tmp_path / "same")
    demo.generate(agencies=AGENCIES, out_dir=tmp_path / "other", seed=1, years=[2563])
    for folder, files in EXPECTED_FILES.items():
        for name in [*files, "_truth.json"]:
            assert (raw / folder / name).read_bytes() == (
                tmp_path / "same" / folder / name
            ).read_bytes(), name
    other = tmp_path / "other/2563/staff_survey_2563.csv"
    assert other.read_bytes() != (raw / "2563/staff_survey_2563.csv").read_bytes()


def test_raw_has_inputs(project: Path) -> None:
    raw = project / "data" / "raw"
    assert not demo.raw_has_inputs(project)  # only reference/
    (raw / "2565").mkdir()
    (raw / "2565" / "_truth.json").write_text("{}")
    (raw / "2565" / "notes.txt").write_text("notes")
    (raw / "archive").mkdir()
    (raw / "archive" / "staff_survey.csv").write_text("a,b\n")
    assert not demo.raw_has_inputs(project)
    (raw / "2022").mkdir()
    (raw / "2022" / "staff_survey.xlsx").write_bytes(b"")
    assert demo.raw_has_inputs(project)


def test_generate_defaults_to_the_configured_raw_folder(project: Path) -> None:
    summary = demo.generate(project, agencies=2, years=[2565])
    assert sorted(summary["files"]) == sorted(f"2022/{n}" for n in EXPECTED_FILES["2022"])
    assert (project / "data/raw/2022/_truth.json").is_file()
    assert demo.raw_has_inputs(project)


def test_cli_if_empty_and_force(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "raw"
    args = ["--out", str(out), "--agencies", "3", "--years", "2565"]
    assert demo.main(args) == 0
    written = (out / "2022/staff_survey_2565.xlsx").stat().st_mtime_ns
    capsys.readouterr()
    assert demo.main([*args, "--if-empty"]) == 0
    assert "no demo data written" in capsys.readouterr().out
    assert demo.main(args) == 1
    assert "--force" in capsys.readouterr().err
    assert (out / "2022/staff_survey_2565.xlsx").stat().st_mtime_ns == written
    assert demo.main([*args, "--force", "--seed", "7"]) == 0
    assert truth(out, "2022")["seed"] == 7


@pytest.mark.slow
def test_national_scale(tmp_path: Path) -> None:
    summary = demo.generate(scale="national", out_dir=tmp_path)
    assert summary["years"] == [2565]
    facts = truth(tmp_path, "2022")
    assert len(facts["agencies"]) == len(load_registry())
    for instrument, total in demo.NATIONAL_TOTALS.items():
        assert sum(facts["respondents"][instrument].values()) == total
        name = f"{instrument}_2565.csv"
        faults = facts["planted_faults"][name]
        extra = sum(faults[k] for k in demo.FAULT_KINDS)
        extra -= faults["invalid_value"] + faults["identifier_in_comment"]
        assert faults["rows_written"] == total + extra
        with (tmp_path / "2022" / name).open(encoding="utf-8") as fh:
            assert sum(1 for _ in fh) == faults["rows_written"] + 1
