import pytest

from helpers.core import config


def test_every_codebook_loads_with_known_scales():
    books = config.codebooks()
    assert set(books) == {"staff_survey", "citizen_survey", "agency_return", "ocsc_return"}
    scales = config.scales()
    for book in books.values():
        for column in book.columns:
            if column.scale:
                assert column.scale in scales


def test_staff_survey_covers_the_guideline_constructs():
    book = config.codebook("staff_survey")
    constructs = {c.construct for c in book.items()}
    assert {"ecosystem", "skillsets", "mindset", "persona", "satisfaction"} <= constructs
    assert len(book.items("persona")) == 4
    assert any(c.reverse for c in book.items("ecosystem"))


def test_citizen_survey_has_the_five_oecd_drivers():
    drivers = {c.extra.get("driver") for c in config.codebook("citizen_survey").columns}
    assert {"reliability", "responsiveness", "integrity", "openness", "fairness"} <= drivers


def test_unknown_instrument_is_refused():
    with pytest.raises(config.ConfigError, match="Unknown instrument"):
        config.codebook("payroll")


def test_bad_scale_reference_is_reported(project):
    path = project / "config/codebooks/staff_survey.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("scale: gender", "scale: sex"), encoding="utf-8"
    )
    config.clear_cache()
    with pytest.raises(config.ConfigError, match=r"gender.*needs a scale"):
        config.codebook("staff_survey")


def test_values_are_parsed_so_a_comment_changes_nothing(project):
    keys = ["pipeline.confidentiality", "targets", "weights", "codebooks.staff_survey", "scales"]
    before = config.values(keys, project)
    for path in (project / "config").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text("# an evaluator's note\n" + text.replace("\n", "  # why\n", 3), "utf-8")
    config.clear_cache()
    assert config.values(keys, project) == before


def test_a_changed_value_changes_only_its_key(project):
    before = config.values(["pipeline.confidentiality", "pipeline.cleaning"], project)
    path = project / "config/pipeline.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("min_respondents: 10", "min_respondents: 15"), "utf-8")
    config.clear_cache()
    after = config.values(["pipeline.confidentiality", "pipeline.cleaning"], project)
    assert after["pipeline.confidentiality"] == {"min_respondents": 15}
    assert after["pipeline.cleaning"] == before["pipeline.cleaning"]


@pytest.mark.parametrize("key", ["pipeline.nothing", "codebook.staff_survey", "pipeline", "x"])
def test_unknown_keys_are_refused(project, key):
    with pytest.raises(config.ConfigError):
        config.values([key], project)


def test_reads_are_recorded_by_key(project):
    config.pipeline(project)  # read before the recording: not counted
    with config.recording() as read:
        config.pipeline(project)["confidentiality"]["min_respondents"]
        config.pipeline(project).get("paths")
        config.codebook("citizen_survey", project)
        config.document("targets", project)
    assert read == {
        "pipeline.confidentiality",
        "pipeline.paths",
        "pipeline.instruments",  # codebook() checks the instrument is listed
        "codebooks.citizen_survey",
        "targets",
    }
    assert isinstance(config.pipeline(project), dict)  # no recording: the plain mapping


def test_the_fast_yaml_loader_reads_every_config_file_as_the_python_one_does():
    import yaml

    from tests.conftest import REPO

    for path in sorted((REPO / "config").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=config._LOADER) == yaml.safe_load(text), path
