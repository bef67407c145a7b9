from helpers.app.cli import main


def test_unknown_year_is_refused_before_running(project, capsys):
    (project / "data/raw/2565").mkdir(parents=True)
    assert main(["run", "--year", "2570"]) == 2
    assert "No raw data for fiscal year 2570; years found in data/raw: 2565" in (
        capsys.readouterr().err
    )


def test_unknown_stage_is_refused(project, capsys):
    (project / "data/raw/2565").mkdir(parents=True)
    assert main(["run", "--stage", "modles"]) == 2
    assert "Unknown stage modles; stages: clean" in capsys.readouterr().err


def test_list_shows_years_and_files(project, capsys):
    folder = project / "data/raw/2022"
    folder.mkdir(parents=True)
    (folder / "staff_survey.csv").write_text("agency\n03007\n")
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "registry: 110 agencies" in out
    assert "FY2022 (B.E. 2565)  folder 2022/  files: staff_survey: 1, citizen_survey: 0" in out


def test_unknown_agency_is_refused_before_running(project, capsys):
    (project / "data/raw/2565").mkdir(parents=True)
    assert main(["run", "--agency", "99999"]) == 2
    assert "Agency 99999 is not in the registry" in capsys.readouterr().err
    assert main(["run", "--agency", "../x"]) == 2
    assert "is not a plain code" in capsys.readouterr().err


def test_audit_exits_0_when_clean_and_1_with_one_line_per_finding(project, capsys):
    import pandas as pd

    clean = project / "data/processed/2565/clean"
    clean.mkdir(parents=True)
    pd.DataFrame(
        {"response_id": [f"S2565-{i:06d}" for i in range(12)], "agency": ["03002"] * 12}
    ).to_parquet(clean / "staff_survey.parquet")
    page = project / "reports/2565/overview.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>12 คน / respondents</p>", encoding="utf-8")
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("audit: 1 outputs checked (years 2565;") and "no findings" in out
    page.write_text("<p>n = 4</p><p>แบบ S2565-000003</p>", encoding="utf-8")
    assert main(["audit", "--year", "2022"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("small-n: reports/2565/overview.html: line 1:")
    assert lines[1].startswith("respondent-row: reports/2565/overview.html: line 1:")
    assert "S2565-000003" not in "".join(lines)
    assert lines[-1].endswith("2 findings (respondent-row 1, small-n 1)")


def test_audit_refuses_a_year_that_is_not_one(project, capsys):
    assert main(["audit", "--year", "65"]) == 2
    assert "not a four-digit year" in capsys.readouterr().err  # years.parse, at the edge
