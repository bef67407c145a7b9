"""Planted-effect recovery: demo data -> cleaning -> helpers.stats.models, against ``_truth.json``.

Two fiscal years (2564, 2565) for 40 agencies at the project's configured demo seed, cleaned
exactly as the pipeline does, then:

* Staff (a recovery test). The generator draws
  ``y* = b_eco (eco_mean-3) + b_skl (skl_mean-3) + b_mnd (mnd_mean-3) + b_idp idp_carried
  + u_j + d_jt + logistic noise`` and ``sat_overall = 1 + #(y* > cut-points)``: a proportional-
  odds model whose agency-year effect ``u_j + d_jt`` is absorbed by agency-by-year fixed effects.
  The b's are then the model's coefficients; each must lie in its 95 % interval. (Without the
  fixed effects the b's would be the population-averaged, slightly attenuated ones.)
* Citizens (a recovery test). ``P(high) = logistic(a0 + sum_d theta_d z_d + v_jt)``, z
  standardised within each year over the valid respondents (population sd). Agency-by-year fixed
  effects absorb ``a0 + v_jt``; each theta must lie in its 95 % interval. The truth's AME is
  ``theta_d mean(p (1 - p))`` with the true p, which *includes* v_jt, so the comparable estimate
  is the AME of the fixed-effects fit (pooled over both years: the truth is the respondent-
  weighted mean of the two yearly AMEs). A model without agency effects estimates a different
  (marginal) quantity and is not compared.
* Agency effects and year-on-year change (recovery tests). The agency-by-year fixed effects
  estimate ``u_j + d_jt`` against the reference cell: every u_j (2564, where no change is
  planted) and every planted change d_j,2565 - d_j,2564 must lie in its interval, Bonferroni-
  adjusted so each family holds jointly at 95 %.
* Staff development and trust (a recovery test): the trust logit's agency-year effects against
  the true A3 recover lambda through ``fit_panel``.
* Random intercept (not a recovery test). sigma_u is planted on the latent logit scale and the
  satisfaction index (mean of sat1-sat3 per respondent) is a coarsened, noisier version of it,
  so only qualitative checks: a positive agency variance and BLUPs correlated with the planted
  u_j (r > 0.5).
* Panel on staff means (a smoke test of the shapes).

Each family of intervals (the four b's, the five thetas, the five AMEs, the agency effects,
the planted changes) is Bonferroni-adjusted to hold jointly at 95 %, so that a test fails by
bad luck about once in twenty runs of the family, not once in four (with unadjusted 95 %
intervals, some check of the file failed for 3 of 10 seeds of the generator). The seed is fixed
and a failure must be reported, not "fixed" by changing the seed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.core import config, paths
from helpers.demo import generator
from helpers.ingest import cleaning
from helpers.stats import models

pytestmark = pytest.mark.slow

SEED = 2565  # config/pipeline.yaml generator.seed, written out so a config change cannot move it
YEARS = (2564, 2565)
AGENCIES = 40
STAFF_B = {"eco_c": "b_eco", "skl_c": "b_skl", "mnd_c": "b_mnd", "idp_carried": "b_idp"}
THETA = ("reliability", "responsiveness", "integrity", "openness", "fairness")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway project with demo data for two years, cleaned."""
    from tests.conftest import REPO

    root = tmp_path_factory.mktemp("recovery") / "project"
    shutil.copytree(REPO / "config", root / "config")
    (root / "data/raw/reference").mkdir(parents=True)
    shutil.copy(REPO / "data/raw/reference/agencies.csv", root / "data/raw/reference/")
    (root / "data/processed").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HRD_WORKBOOK_ROOT", str(root))
        config.clear_cache()
        generator.generate(root, seed=SEED, agencies=AGENCIES, years=list(YEARS))
        for year in YEARS:
            cleaning.run_cleaning(year, root)
    config.clear_cache()
    return root


@pytest.fixture(scope="module")
def truth(root: Path) -> dict[int, dict]:
    return {
        year: json.loads(
            (paths.find_year_folder(year, root) / "_truth.json").read_text(encoding="utf-8")
        )
        for year in YEARS
    }


def _clean(root: Path, instrument: str) -> pd.DataFrame:
    frames = [
        pd.read_parquet(cleaning.output_dir(year, root) / f"{instrument}.parquet") for year in YEARS
    ]
    frame = pd.concat(frames, ignore_index=True)
    frame["year"] = frame["fiscal_year"].astype("int64")
    return frame


@pytest.fixture(scope="module")
def staff(root: Path) -> pd.DataFrame:
    """Staff answers with the generator's construct scores (eco5 reversed back)."""
    frame = _clean(root, "staff_survey")
    item = lambda name: frame[name].astype("float64")  # noqa: E731
    eco = [item(f"eco{i}") for i in range(1, 5)] + [6 - item("eco5")]
    frame["eco_c"] = sum(eco) / 5 - 3
    frame["skl_c"] = sum(item(f"skl{i}") for i in range(1, 5)) / 4 - 3
    frame["mnd_c"] = sum(item(f"mnd{i}") for i in range(1, 6)) / 5 - 3
    carried = (frame["idp_made"] == 1) & (frame["idp_carried_out"].fillna(0) == 1)
    frame["idp_carried"] = carried.astype("float64")
    frame["sat_index"] = (item("sat1") + item("sat2") + item("sat3")) / 3
    return frame


@pytest.fixture(scope="module")
def citizens(root: Path) -> pd.DataFrame:
    return _clean(root, "citizen_survey")


@pytest.fixture(scope="module")
def staff_fit(staff) -> models.OrdinalFit:
    return models.fit_ordinal(
        staff,
        "sat_overall",
        list(STAFF_B),
        categories=[1, 2, 3, 4, 5],
        fixed_effects=["agency", "year"],
    )


@pytest.fixture(scope="module")
def trust_fit(citizens) -> models.TrustFit:
    return models.fit_trust_logit(
        citizens,
        [f"drv_{d}" for d in THETA],
        "trust",
        standardise_within="year",
        fixed_effects=["agency", "year"],
    )


def _jointly_within(table: pd.DataFrame, planted: dict[str, float]) -> None:
    """Every planted value lies in its estimate's interval, Bonferroni-adjusted over the family
    so that the intervals hold jointly at 95 %."""
    from scipy import stats

    z = stats.norm.ppf(1 - 0.05 / (2 * len(planted)))
    for term, value in planted.items():
        row = table.loc[term]
        assert abs(row["estimate"] - value) <= z * row["se"], (term, value, row.to_dict())


def test_staff_ordinal_recovers_every_planted_b(staff_fit, truth):
    assert staff_fit.converged
    assert len(staff_fit.fixed_effects) == AGENCIES * len(YEARS) - 1
    planted = {}
    for term, name in STAFF_B.items():
        planted[term] = truth[YEARS[0]]["staff_model"][name]
        assert all(truth[y]["staff_model"][name] == planted[term] for y in YEARS)
    _jointly_within(staff_fit.coefficients.set_index("term"), planted)


def test_staff_cluster_robust_fit_runs_on_agencies(staff):
    fit = models.fit_ordinal(staff, "sat_overall", list(STAFF_B), cluster="agency")
    assert fit.n_clusters == AGENCIES and fit.converged
    importance = models.relative_importance(fit).set_index("term")
    assert importance["share_pratt"].sum() == pytest.approx(1.0)
    assert importance["share_pratt"].idxmax() == "eco_c"  # the largest planted b


def test_citizen_standardisation_agrees_with_the_generator(trust_fit, truth):
    """The generator standardised over every valid respondent; cleaning blanked a few planted
    invalid driver answers, so our means and sds differ from the truth's in the 4th digit."""
    scaling = trust_fit.scaling.set_index(["group", "driver"])
    for year in YEARS:
        model = truth[year]["citizen_model"]
        for driver in THETA:
            mean, sd = scaling.loc[(year, f"drv_{driver}"), ["mean", "sd"]]
            assert mean == pytest.approx(model["driver_mean"][driver], abs=5e-3)
            assert sd == pytest.approx(model["driver_sd"][driver], rel=2e-3)


def test_citizen_logit_recovers_every_planted_theta(trust_fit, truth):
    assert trust_fit.converged
    model = truth[YEARS[0]]["citizen_model"]
    planted = {f"drv_{driver}": model[f"theta_{driver}"] for driver in THETA}
    _jointly_within(trust_fit.coefficients.set_index("term"), planted)


def test_citizen_ame_intervals_contain_the_planted_ame(trust_fit, citizens, truth):
    kept = citizens[citizens["trust"] != 5].groupby("year").size()
    planted = {}
    for driver in THETA:
        yearly = pd.Series({y: truth[y]["citizen_model"]["ame"][driver] for y in YEARS})
        planted[f"drv_{driver}"] = float(np.average(yearly, weights=kept.loc[list(YEARS)]))
    _jointly_within(trust_fit.ame.set_index("term"), planted)


def test_random_intercept_shows_the_agency_effect(staff, truth):
    year = YEARS[0]  # no planted change (d_jt = 0), so the agency effect is u_j alone
    fit = models.fit_random_intercept(
        staff[staff["year"] == year], "sat_index", list(STAFF_B), "agency"
    )
    assert fit.converged and fit.n_groups == AGENCIES
    variance = fit.variance_components.set_index("component")["variance"]
    assert variance["agency (intercept)"] > 0
    u = pd.Series(truth[year]["staff_model"]["u"])
    groups = fit.groups.set_index("group")
    assert np.corrcoef(groups["blup"], u.loc[groups.index])[0, 1] > 0.5
    small = groups["n"].idxmin()
    assert groups.loc[small, "reliability"] < groups["reliability"].median()


def test_panel_runs_on_agency_year_means(staff):
    panel = (
        staff.groupby(["agency", "year"])
        .agg(sat_index=("sat_index", "mean"), idp=("idp_carried", "mean"), eco=("eco_c", "mean"))
        .reset_index()
    )
    fit = models.fit_panel(panel, "sat_index", ["idp", "eco"], unit="agency", time="year")
    assert fit.n == AGENCIES * len(YEARS) and fit.n_units == AGENCIES and fit.n_periods == 2
    assert fit.time_effects["term"].tolist() == [f"year{YEARS[1]}"]
    assert "not causal" in fit.limitations and f"{AGENCIES} units" in fit.limitations


def test_staff_year_on_year_change_recovered(staff_fit, truth):
    """d_jt: each improving or declining agency's planted change from 2564 to 2565 lies in its
    interval; Bonferroni-adjusted so that the checks hold jointly at 95 %."""
    from scipy import stats

    model = truth[YEARS[1]]["staff_model"]
    changed = model["improving"] + model["declining"]
    assert all(truth[YEARS[0]]["staff_model"]["d"][code] == 0 for code in changed)
    z = stats.norm.ppf(1 - 0.05 / (2 * len(changed)))
    effects = staff_fit.fixed_effects.set_index("term")["estimate"]
    for code in changed:
        terms = {f"agency:year[{code}:{YEARS[1]}]": 1.0, f"agency:year[{code}:{YEARS[0]}]": -1.0}
        terms = {t: s for t, s in terms.items() if t in effects.index}  # the reference cell is 0
        estimate = sum(s * effects[t] for t, s in terms.items())
        variance = sum(
            sa * sb * staff_fit.vcov.loc[a, b] for a, sa in terms.items() for b, sb in terms.items()
        )
        planted = model["d"][code]
        assert abs(estimate - planted) <= z * np.sqrt(variance), (code, planted, estimate)


def test_staff_development_trust_link_recovered(trust_fit, truth):
    """lambda: the agency-year trust effects (agency-by-year fixed effects of the trust logit)
    rise with the agency's true A3 by lambda per 10 percentage points; fit_panel (year effects,
    agency-clustered SEs) must recover it. True A3 is used: this checks the link model, not the
    attenuation that estimated A3 would add."""
    effects = trust_fit.fixed_effects.set_index("term")["estimate"]
    rows = []
    for year in YEARS:
        for code, agency in truth[year]["agencies"].items():
            term = f"agency:year[{code}:{year}]"
            rows.append(
                {
                    "agency": code,
                    "year": year,
                    "a3_per_10pp": agency["a3"] / 0.1,
                    "effect": effects.get(term, 0.0),
                }
            )
    link = models.fit_panel(
        pd.DataFrame(rows), "effect", ["a3_per_10pp"], unit="agency", time="year"
    )
    planted = truth[YEARS[0]]["citizen_model"]["lambda"]
    low, high = link.coefficients.set_index("term").loc["a3_per_10pp", ["ci_low", "ci_high"]]
    assert low <= planted <= high, (planted, low, high)


def test_staff_agency_effects_recovered(staff_fit, truth):
    """u_j: every agency's planted effect, relative to the reference agency-year cell (whose
    dummy is left out), lies in its interval; Bonferroni-adjusted to hold jointly at 95 %."""
    from scipy import stats

    effects = staff_fit.fixed_effects.set_index("term")
    cells = {(code, year) for year in YEARS for code in truth[year]["staff_model"]["u"]}
    present = {tuple(t[len("agency:year[") : -1].split(":")) for t in effects.index}
    [(ref_code, ref_year)] = [(c, y) for c, y in cells if (c, str(y)) not in present]

    def planted(code: str, year: int) -> float:
        model = truth[year]["staff_model"]
        return model["u"][code] + model["d"][code]

    year = YEARS[0]
    codes = sorted(truth[year]["staff_model"]["u"])
    z = stats.norm.ppf(1 - 0.05 / (2 * len(codes)))
    for code in codes:
        if (code, year) == (ref_code, ref_year):
            continue
        row = effects.loc[f"agency:year[{code}:{year}]"]
        target = planted(code, year) - planted(ref_code, ref_year)
        assert abs(row["estimate"] - target) <= z * row["se"], (code, target, row["estimate"])
