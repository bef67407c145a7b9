from helpers.cli import main


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
