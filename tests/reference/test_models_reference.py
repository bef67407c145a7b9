"""helpers.stats.models against published R results (data and provenance:
tests/reference/README.md).

Tolerances (issue 3): 1e-3 relative on estimates, 1 % relative on standard errors. R prints the
lme4 variance components to one decimal, so they are compared at 1e-3 relative as well.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.stats import models

DATA = Path(__file__).parent / "data"
EST = 1e-3
SE = 0.01

# MASS ?polr: polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing)
POLR_COEF = {
    "InflMedium": 0.5663937,
    "InflHigh": 1.2888191,
    "TypeApartment": -0.5723501,
    "TypeAtrium": -0.3661866,
    "TypeTerrace": -1.0910149,
    "ContHigh": 0.3602841,
}
POLR_CUTS = {"Low|Medium": -0.4961353, "Medium|High": 0.6907083}
# summary(house.plr), MASS's documented example output (printed to 4 decimals).
POLR_SE = {
    "InflMedium": 0.1046,
    "InflHigh": 0.1271,
    "TypeApartment": 0.1192,
    "TypeAtrium": 0.1551,
    "TypeTerrace": 0.1514,
    "ContHigh": 0.0955,
}


@pytest.fixture(scope="module")
def house() -> models.OrdinalFit:
    housing = pd.read_csv(DATA / "MASS_housing.csv")
    return models.fit_ordinal(
        housing,
        "Sat",
        ["Infl", "Type", "Cont"],
        categories=["Low", "Medium", "High"],
        weights="Freq",
        reference={"Infl": "Low", "Type": "Tower", "Cont": "Low"},
    )


@pytest.fixture(scope="module")
def sleep() -> models.MixedFit:
    sleepstudy = pd.read_csv(DATA / "lme4_sleepstudy.csv")
    return models.fit_random_intercept(sleepstudy, "Reaction", ["Days"], "Subject", reml=True)


def test_polr_housing_coefficients(house):
    assert house.converged
    got = house.coefficients.set_index("term")["estimate"]
    assert set(got.index) == set(POLR_COEF)
    for term, published in POLR_COEF.items():
        assert got[term] == pytest.approx(published, rel=EST), term


def test_polr_housing_cutpoints(house):
    got = house.cutpoints.set_index("term")["estimate"]
    assert list(got.index) == list(POLR_CUTS)
    for term, published in POLR_CUTS.items():
        assert got[term] == pytest.approx(published, rel=EST), term


def test_polr_housing_standard_errors(house):
    got = house.coefficients.set_index("term")["se"]
    for term, published in POLR_SE.items():
        assert got[term] == pytest.approx(published, rel=SE), term


def test_polr_housing_frequency_weights_count_households(house):
    assert house.n == 72
    assert house.n_weighted == 1681


def test_lmer_sleepstudy_variance_components(sleep):
    assert sleep.converged
    variance = sleep.variance_components.set_index("component")["variance"]
    assert variance["Subject (intercept)"] == pytest.approx(1378.2, rel=EST)
    assert variance["residual"] == pytest.approx(960.5, rel=EST)


def test_lmer_sleepstudy_fixed_effects(sleep):
    table = sleep.fixed_effects.set_index("term")
    assert table.loc["Intercept", "estimate"] == pytest.approx(251.4051, rel=EST)
    assert table.loc["Days", "estimate"] == pytest.approx(10.4673, rel=EST)
    assert table.loc["Intercept", "se"] == pytest.approx(9.7467, rel=SE)
    assert table.loc["Days", "se"] == pytest.approx(0.8042, rel=SE)


def test_lmer_sleepstudy_groups(sleep):
    groups = sleep.groups
    assert sleep.n_groups == 18 and (groups["n"] == 10).all()
    # Balanced, so the BLUP is the raw deviation shrunk by the reliability.
    days_mean = 4.5
    fixed = sleep.fixed_effects.set_index("term")["estimate"]
    raw_effect = groups["raw_mean"] - (fixed["Intercept"] + fixed["Days"] * days_mean)
    assert groups["blup"].to_numpy() == pytest.approx(
        (groups["reliability"] * raw_effect).to_numpy(), rel=1e-4
    )
