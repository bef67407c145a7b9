import pytest

from helpers import config


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
