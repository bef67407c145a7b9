"""helpers.stats.models on small simulated data with known parameters (seeded), and its errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit
from statsmodels.miscmodels.ordinal_model import OrderedModel

from helpers.stats import models

CUTS = np.array([-1.0, 0.5, 2.0])
BETA = {"x1": 0.8, "x2": -0.5}


def _ordinal_frame(n: int = 1500, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.integers(0, 2, n).astype(float),
            "g": rng.choice(["a", "b", "c"], n),
        }
    )
    latent = (
        BETA["x1"] * frame["x1"].to_numpy()
        + BETA["x2"] * frame["x2"].to_numpy()
        + np.where(frame["g"] == "b", 0.4, 0.0)
        + rng.logistic(size=n)
    )
    frame["y"] = 1 + (latent[:, None] > CUTS).sum(axis=1)
    return frame


@pytest.fixture(scope="module")
def ordinal_frame() -> pd.DataFrame:
    return _ordinal_frame()


def _within(table: pd.DataFrame, truth: dict[str, float], k: float = 4.0) -> None:
    got = table.set_index("term")
    for term, value in truth.items():
        assert abs(got.loc[term, "estimate"] - value) < k * got.loc[term, "se"], (term, value)


# ----------------------------------------------------------------------------- ordinal


def test_ordinal_recovers_planted_coefficients_and_cutpoints(ordinal_frame):
    fit = models.fit_ordinal(ordinal_frame, "y", ["x1", "x2", "g"])
    assert fit.converged and fit.n == 1500 and fit.n_dropped == 0
    assert fit.categories == [1, 2, 3, 4]
    assert list(fit.coefficients["term"]) == ["x1", "x2", "gb", "gc"]
    assert list(fit.cutpoints["term"]) == ["1|2", "2|3", "3|4"]
    assert list(fit.coefficients.columns) == models.TIDY_COLUMNS
    _within(fit.coefficients, {**BETA, "gb": 0.4, "gc": 0.0})
    _within(fit.cutpoints, dict(zip(["1|2", "2|3", "3|4"], CUTS, strict=True)))
    assert fit.aic == pytest.approx(2 * 7 - 2 * fit.loglik)
    assert fit.table["kind"].tolist() == ["coefficient"] * 4 + ["cutpoint"] * 3


def test_ordinal_matches_statsmodels_numerical_hessian(ordinal_frame):
    fit = models.fit_ordinal(ordinal_frame, "y", ["x1", "x2", "g"])
    exog = pd.get_dummies(ordinal_frame[["x1", "x2", "g"]], drop_first=True).astype(float)
    ref = OrderedModel(ordinal_frame["y"].to_numpy(), exog.to_numpy(), distr="logit").fit(
        method="bfgs", maxiter=2000, gtol=1e-9, disp=False
    )
    ours = fit.coefficients
    assert ours["estimate"].to_numpy() == pytest.approx(np.asarray(ref.params[:4]), abs=1e-4)
    assert ours["se"].to_numpy() == pytest.approx(np.asarray(ref.bse[:4]), rel=1e-3)
    thresholds = ref.model.transform_threshold_params(ref.params)[1:-1]
    assert fit.cutpoints["estimate"].to_numpy() == pytest.approx(thresholds, abs=1e-4)
    assert fit.loglik == pytest.approx(ref.llf, rel=1e-7)


def test_frequency_weights_equal_row_expansion():
    rng = np.random.default_rng(7)
    rows = pd.DataFrame(
        {
            "x": rng.integers(0, 4, 400).astype(float),
            "g": rng.choice(["p", "q"], 400),
        }
    )
    rows["y"] = 1 + (
        (0.6 * rows["x"] + (rows["g"] == "q") * 0.5 + rng.logistic(size=400)).to_numpy()[:, None]
        > np.array([0.5, 2.0])
    ).sum(axis=1)
    counts = rows.groupby(["x", "g", "y"]).size().rename("freq").reset_index()
    weighted = models.fit_ordinal(counts, "y", ["x", "g"], weights="freq")
    expanded = models.fit_ordinal(counts.loc[counts.index.repeat(counts["freq"])], "y", ["x", "g"])
    assert weighted.n == len(counts) and weighted.n_weighted == 400 and expanded.n == 400
    for part in ("coefficients", "cutpoints"):
        a, b = getattr(weighted, part), getattr(expanded, part)
        assert a["estimate"].to_numpy() == pytest.approx(b["estimate"].to_numpy(), rel=1e-7)
        assert a["se"].to_numpy() == pytest.approx(b["se"].to_numpy(), rel=1e-7)
    assert weighted.loglik == pytest.approx(expanded.loglik, rel=1e-10)


def _clustered(seed: int = 3) -> pd.DataFrame:
    """An ordinal outcome driven by a cluster-level predictor and a cluster effect."""
    rng = np.random.default_rng(seed)
    clusters, size = 40, 30
    cluster = np.repeat(np.arange(clusters), size)
    x_cluster = rng.normal(size=clusters)
    effect = rng.normal(0, 1.0, clusters)
    latent = 0.5 * x_cluster[cluster] + effect[cluster] + rng.logistic(size=len(cluster))
    return pd.DataFrame(
        {
            "cluster": cluster,
            "x": x_cluster[cluster],
            "y": 1 + (latent[:, None] > np.array([-0.5, 0.8])).sum(axis=1),
        }
    )


def test_cluster_standard_errors_exceed_model_ones_when_clusters_are_correlated():
    frame = _clustered()
    model = models.fit_ordinal(frame, "y", ["x"])
    robust = models.fit_ordinal(frame, "y", ["x"], cluster="cluster")
    assert model.se_type == "model" and robust.se_type.startswith("cluster")
    assert robust.n_clusters == 40 and model.n_clusters is None
    assert robust.coefficients["estimate"].tolist() == model.coefficients["estimate"].tolist()
    assert robust.coefficients["se"].iloc[0] > 2 * model.coefficients["se"].iloc[0]


def test_cluster_sandwich_matches_statsmodels_logit_for_two_categories():
    frame = _clustered()
    frame["high"] = (frame["y"] == 3).astype(int)
    fit = models.fit_ordinal(frame, "high", ["x"], cluster="cluster")
    logit = sm.Logit(frame["high"], sm.add_constant(frame[["x"]])).fit(
        disp=False, cov_type="cluster", cov_kwds={"groups": frame["cluster"]}
    )
    # logit P(Y <= 0) = zeta - x b: the slope is the logit slope, zeta = -intercept.
    assert fit.coefficients["estimate"].iloc[0] == pytest.approx(logit.params["x"], rel=1e-5)
    assert fit.cutpoints["estimate"].iloc[0] == pytest.approx(-logit.params["const"], rel=1e-5)
    # statsmodels multiplies by (N-1)/(N-K) on top of our G/(G-1).
    n, k = len(frame), 2
    ours = fit.coefficients["se"].iloc[0] * np.sqrt((n - 1) / (n - k))
    assert ours == pytest.approx(logit.bse["x"], rel=1e-5)


def test_relative_importance_shares(ordinal_frame):
    fit = models.fit_ordinal(ordinal_frame, "y", ["x1", "x2"])
    table = models.relative_importance(fit)
    assert table["term"].tolist() == ["x1", "x2"]
    assert table["share_pratt"].sum() == pytest.approx(1.0)
    assert table["share_std_coef"].sum() == pytest.approx(1.0)
    x1 = table.set_index("term").loc["x1"]
    assert x1["sd"] == pytest.approx(ordinal_frame["x1"].std(ddof=0))
    assert x1["std_coef"] == pytest.approx(x1["estimate"] * x1["sd"])
    # Independent drivers: both measures agree closely; x1 dominates (0.8 sd 1 vs 0.5 sd 0.5).
    assert table["share_pratt"].to_numpy() == pytest.approx(
        table["share_std_coef"].to_numpy(), abs=0.02
    )
    assert x1["share_pratt"] > 0.8


def test_ordinal_text_outcome_uses_given_order_and_drops_missing_rows(ordinal_frame):
    frame = ordinal_frame.copy()
    frame["label"] = frame["y"].map({1: "low", 2: "mid", 3: "high", 4: "top"})
    frame.loc[:9, "x1"] = np.nan
    fit = models.fit_ordinal(frame, "label", ["x1"], categories=["low", "mid", "high", "top"])
    assert fit.n == 1490 and fit.n_dropped == 10
    assert fit.cutpoints["term"].tolist() == ["low|mid", "mid|high", "high|top"]
    with pytest.raises(models.ModelError, match="categories"):
        models.fit_ordinal(frame, "label", ["x1"])


def test_ordinal_fixed_effects_are_reported_apart(ordinal_frame):
    fit = models.fit_ordinal(ordinal_frame, "y", ["x1", "x2"], fixed_effects="g")
    assert fit.coefficients["term"].tolist() == ["x1", "x2"]
    assert len(fit.fixed_effects) == 2
    assert all(t.startswith("g[") for t in fit.fixed_effects["term"])


# ----------------------------------------------------------------------------- mixed model


def _grouped(seed: int = 5) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    groups = 30
    sizes = rng.integers(3, 60, groups)
    group = np.repeat(np.arange(groups), sizes)
    u = rng.normal(0, 1.0, groups)
    x = rng.normal(size=len(group))
    y = 2.0 + 0.7 * x + u[group] + rng.normal(0, 2.0, len(group))
    frame = pd.DataFrame({"g": [f"G{j:02d}" for j in group], "x": x, "y": y})
    return frame, u


def test_random_intercept_recovers_parameters_and_shrinks():
    frame, u = _grouped()
    fit = models.fit_random_intercept(frame, "y", ["x"], "g")
    assert fit.converged and fit.reml and fit.aic is None and fit.n_groups == 30
    _within(fit.fixed_effects, {"Intercept": 2.0, "x": 0.7})
    variance = fit.variance_components.set_index("component")["variance"]
    assert variance["g (intercept)"] == pytest.approx(1.0, rel=0.6)
    assert variance["residual"] == pytest.approx(4.0, rel=0.1)
    groups = fit.groups.set_index("group")
    assert groups["n"].sum() == len(frame)
    assert groups["raw_mean"].to_numpy() == pytest.approx(frame.groupby("g")["y"].mean())
    fixed_part = groups["shrunken_mean"] - groups["blup"]
    # The BLUP is the raw deviation from the fixed part, shrunk by the reliability.
    raw_effect = groups["raw_mean"] - fixed_part
    assert groups["blup"].to_numpy() == pytest.approx(
        (groups["reliability"] * raw_effect).to_numpy(), rel=1e-6
    )
    order = groups.sort_values("n")
    assert order["reliability"].is_monotonic_increasing
    # Shrunken estimates of the group effects are closer to the truth than raw ones.
    truth = pd.Series(u, index=[f"G{j:02d}" for j in range(30)])
    assert ((groups["blup"] - truth) ** 2).mean() < ((raw_effect - truth) ** 2).mean()
    assert fit.shrunken_group_means.equals(groups["shrunken_mean"])


def test_random_intercept_ml_reports_aic():
    frame, _ = _grouped()
    fit = models.fit_random_intercept(frame, "y", ["x"], "g", reml=False)
    assert not fit.reml and fit.aic == pytest.approx(2 * 4 - 2 * fit.loglik)


# ----------------------------------------------------------------------------- trust logit

THETA = np.array([0.8, 0.4, 0.0])
DRIVERS = ["d1", "d2", "d3"]


def _citizens(n: int = 3000, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.multivariate_normal(np.zeros(3), 0.5 + 0.5 * np.eye(3), n)
    drivers = np.clip(np.rint(6 + 2 * latent), 0, 10)
    z = (drivers - drivers.mean(axis=0)) / drivers.std(axis=0)
    high = rng.random(n) < expit(0.3 + z @ THETA)
    trust = np.where(high, rng.integers(6, 11, n), rng.integers(0, 5, n))
    trust[rng.random(n) < 0.12] = 5
    frame = pd.DataFrame(drivers, columns=DRIVERS).assign(trust=trust)
    frame["weight"] = rng.uniform(0.5, 3.0, n)
    frame["area"] = rng.choice(["n", "s", "e", "w"], n)
    return frame


@pytest.fixture(scope="module")
def citizens() -> pd.DataFrame:
    return _citizens()


def test_trust_logit_drops_neutral_and_standardises(citizens):
    fit = models.fit_trust_logit(citizens, DRIVERS, "trust")
    neutral = int((citizens["trust"] == 5).sum())
    assert fit.n_neutral == neutral and fit.n == len(citizens) - neutral
    # Population sd over every respondent with an answer, neutral ones included.
    scaling = fit.scaling.set_index("driver")
    assert scaling["mean"].to_numpy() == pytest.approx(citizens[DRIVERS].mean().to_numpy())
    assert scaling["sd"].to_numpy() == pytest.approx(citizens[DRIVERS].std(ddof=0).to_numpy())
    kept = citizens[citizens["trust"] != 5]
    expected = (kept[DRIVERS] - scaling["mean"]) / scaling["sd"]
    assert fit.design.to_numpy() == pytest.approx(expected.to_numpy())
    assert fit.high_share == pytest.approx((kept["trust"] >= 6).mean())
    _within(fit.coefficients, {"Intercept": 0.3, **dict(zip(DRIVERS, THETA, strict=True))})
    assert fit.se_type == "model" and fit.aic is not None


def test_trust_weighted_standardisation_and_robust_se(citizens):
    fit = models.fit_trust_logit(citizens, DRIVERS, "trust", weights="weight")
    w = citizens["weight"]
    mean = np.average(citizens[DRIVERS], axis=0, weights=w)
    sd = np.sqrt(np.average((citizens[DRIVERS] - mean) ** 2, axis=0, weights=w))
    scaling = fit.scaling.set_index("driver")
    assert scaling["mean"].to_numpy() == pytest.approx(mean)
    assert scaling["sd"].to_numpy() == pytest.approx(sd)
    assert fit.weights.mean() == pytest.approx(1.0)
    kept = citizens["trust"] != 5
    exog = sm.add_constant(fit.design.to_numpy())
    y = (citizens.loc[kept, "trust"] >= 6).to_numpy(dtype=float)
    ref = sm.GLM(y, exog, family=sm.families.Binomial(), var_weights=fit.weights).fit(
        cov_type="HC0"
    )
    assert fit.coefficients["estimate"].to_numpy() == pytest.approx(ref.params, rel=1e-6)
    n = fit.n
    assert fit.coefficients["se"].to_numpy() == pytest.approx(
        ref.bse * np.sqrt(n / (n - 1)), rel=1e-6
    )
    assert fit.se_type.startswith("robust") and fit.aic is None


def test_ame_matches_statsmodels_margeff(citizens):
    fit = models.fit_trust_logit(citizens, DRIVERS, "trust")
    kept = citizens["trust"] != 5
    y = (citizens.loc[kept, "trust"] >= 6).to_numpy(dtype=float)
    logit = sm.Logit(y, sm.add_constant(fit.design.to_numpy())).fit(disp=False)
    margeff = logit.get_margeff(at="overall")
    assert fit.ame["estimate"].to_numpy() == pytest.approx(margeff.margeff, rel=1e-6)
    assert fit.ame["se"].to_numpy() == pytest.approx(margeff.margeff_se, rel=1e-5)


@pytest.mark.parametrize("weights", [None, "weight"])
def test_ame_equals_finite_difference(citizens, weights):
    fit = models.fit_trust_logit(citizens, DRIVERS, "trust", weights=weights)
    b = fit.coefficients.set_index("term")["estimate"]
    z = fit.design.to_numpy()
    h = 1e-5
    for d, name in enumerate(DRIVERS):
        up, down = z.copy(), z.copy()
        up[:, d] += h
        down[:, d] -= h
        eta = lambda m: b["Intercept"] + m @ b[DRIVERS].to_numpy()  # noqa: E731
        slope = (expit(eta(up)) - expit(eta(down))) / (2 * h)
        expected = np.average(slope, weights=fit.weights)
        got = fit.ame.set_index("term").loc[name, "estimate"]
        assert got == pytest.approx(expected, rel=1e-6), name


def test_trust_fixed_effects_cluster_and_within_group_standardising(citizens):
    fit = models.fit_trust_logit(
        citizens,
        DRIVERS,
        "trust",
        standardise_within="area",
        fixed_effects="area",
        cluster="area",
    )
    assert fit.n_clusters == 4 and fit.se_type.startswith("cluster")
    assert len(fit.fixed_effects) == 3
    assert set(fit.scaling["group"]) == {"e", "n", "s", "w"}
    one = fit.scaling[(fit.scaling["group"] == "n") & (fit.scaling["driver"] == "d1")]
    area = citizens.loc[citizens["area"] == "n", "d1"]
    assert one["sd"].item() == pytest.approx(area.std(ddof=0))
    importance = models.relative_importance(fit)
    assert importance["term"].tolist() == DRIVERS
    assert importance.set_index("term")["share_pratt"].idxmax() == "d1"


# ----------------------------------------------------------------------------- panel


def _panel(seed: int = 21) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units, years = 30, [2563, 2564, 2565, 2566]
    unit = np.repeat(np.arange(units), len(years))
    year = np.tile(years, units)
    unit_level = rng.normal(size=units)
    x = unit_level[unit] + rng.normal(0, 0.5, len(unit))
    year_effect = dict(zip(years, [0.0, 0.5, 1.0, 1.5], strict=True))
    y = (
        1.0
        + 0.6 * x
        + np.array([year_effect[t] for t in year])
        + rng.normal(0, 0.8, units)[unit]
        + rng.normal(0, 0.3, len(unit))
    )
    return pd.DataFrame({"agency": [f"A{j}" for j in unit], "year": year, "x": x, "y": y})


def test_panel_year_effects_and_unit_clustering():
    frame = _panel()
    fit = models.fit_panel(frame, "y", ["x"], unit="agency", time="year")
    assert fit.n == 120 and fit.n_units == 30 and fit.n_periods == 4
    assert fit.coefficients["term"].tolist() == ["Intercept", "x"]
    assert fit.time_effects["term"].tolist() == ["year2564", "year2565", "year2566"]
    _within(fit.coefficients, {"x": 0.6})
    _within(fit.time_effects, {"year2564": 0.5, "year2565": 1.0, "year2566": 1.5})
    assert "cluster by agency" in fit.se_type
    # The same regression with ordinary (not clustered) SEs: same estimate, smaller SE, because
    # the planted unit effect makes each agency's years correlated.
    design = pd.get_dummies(frame["year"], prefix="year", drop_first=True).astype(float)
    ols = sm.OLS(frame["y"], sm.add_constant(pd.concat([frame[["x"]], design], axis=1))).fit()
    x = fit.coefficients.set_index("term").loc["x"]
    assert x["estimate"] == pytest.approx(ols.params["x"])
    assert x["se"] > 1.3 * ols.bse["x"]
    for phrase in ("not causal", "ecological", "30 units", "t distribution"):
        assert phrase in fit.limitations, phrase


# ----------------------------------------------------------------------------- errors


def test_unknown_column_is_named(ordinal_frame, citizens):
    with pytest.raises(models.ModelError, match=r"unknown column.*'nope'"):
        models.fit_ordinal(ordinal_frame, "y", ["x1", "nope"])
    with pytest.raises(models.ModelError, match="unknown column"):
        models.fit_trust_logit(citizens, DRIVERS, "trust_score")
    with pytest.raises(models.ModelError, match="unknown column"):
        models.fit_random_intercept(citizens, "trust", ["d1"], "agency")
    with pytest.raises(models.ModelError, match="unknown column"):
        models.fit_panel(citizens, "trust", ["d1"], unit="agency", time="year")


def test_outcome_with_a_single_category(ordinal_frame, citizens):
    frame = ordinal_frame.assign(y=3)
    with pytest.raises(models.ModelError, match="single category"):
        models.fit_ordinal(frame, "y", ["x1"])
    only_high = citizens[citizens["trust"] >= 5]
    with pytest.raises(models.ModelError, match="single category"):
        models.fit_trust_logit(only_high, DRIVERS, "trust")


def test_fewer_than_two_clusters(ordinal_frame, citizens):
    with pytest.raises(models.ModelError, match="at least 2 clusters"):
        models.fit_ordinal(ordinal_frame.assign(c="one"), "y", ["x1"], cluster="c")
    with pytest.raises(models.ModelError, match="at least 2 clusters"):
        models.fit_trust_logit(citizens.assign(c=1), DRIVERS, "trust", cluster="c")
    one_unit = _panel().query("agency == 'A0'")
    with pytest.raises(models.ModelError, match="at least 2 clusters"):
        models.fit_panel(one_unit, "y", ["x"], unit="agency", time="year")
    with pytest.raises(models.ModelError, match="at least 2 groups"):
        models.fit_random_intercept(one_unit, "y", ["x"], "agency")


def test_no_respondents_after_dropping_neutral_answers(citizens):
    neutral = citizens.assign(trust=5)
    with pytest.raises(models.ModelError, match="no respondents left after dropping neutral"):
        models.fit_trust_logit(neutral, DRIVERS, "trust")


def test_other_clear_errors(ordinal_frame, citizens):
    with pytest.raises(models.ModelError, match="reference level 'z'"):
        models.fit_ordinal(ordinal_frame, "y", ["g"], reference={"g": "z"})
    with pytest.raises(models.ModelError, match="same value in every row"):
        models.fit_ordinal(ordinal_frame.assign(k=1.0), "y", ["x1", "k"])
    with pytest.raises(models.ModelError, match="rank deficient"):
        models.fit_ordinal(ordinal_frame.assign(x3=lambda f: 2 * f["x1"]), "y", ["x1", "x3"])
    with pytest.raises(models.ModelError, match="whole numbers 0-10"):
        models.fit_trust_logit(citizens.assign(trust=citizens["trust"] + 1), DRIVERS, "trust")
    with pytest.raises(models.ModelError, match="one row per"):
        models.fit_panel(pd.concat([_panel(), _panel()]), "y", ["x"], unit="agency", time="year")


def test_calibration_tables_are_residual_checks():
    """A well-specified model predicts each category's share; the tables show it."""
    rng = np.random.default_rng(7)
    n = 4000
    x = rng.normal(size=n)
    latent = 0.8 * x + rng.logistic(size=n)
    frame = pd.DataFrame({"x": x, "y": np.digitize(latent, [-1.0, 0.0, 1.0]) + 1})
    fit = models.fit_ordinal(frame, "y", ["x"], categories=[1, 2, 3, 4])
    calib = fit.calibration
    assert calib["category"].tolist() == [1, 2, 3, 4]
    assert calib["observed"].sum() == pytest.approx(1.0)
    assert calib["predicted"].sum() == pytest.approx(1.0)
    assert calib["difference"].abs().max() < 0.01  # ML fit with cut-points matches margins

    drivers = pd.DataFrame(rng.normal(size=(n, 2)), columns=["a", "b"])
    p = 1 / (1 + np.exp(-(0.2 + drivers["a"])))
    trust = np.where(rng.random(n) < p, 8, 2)
    trust_fit = models.fit_trust_logit(drivers.assign(trust=trust), ["a", "b"], "trust")
    table = trust_fit.calibration
    assert table["group"].tolist() == list(range(1, 11)) and table["n"].sum() == n
    assert table["predicted"].is_monotonic_increasing
    assert table["difference"].abs().max() < 0.06


def test_ordinal_predicted_probabilities_sum_to_one_and_average_to_the_calibration():
    rng = np.random.default_rng(7)
    x = rng.normal(size=600)
    y = np.digitize(x + rng.logistic(size=600), [-1.5, 0.0, 1.5]) + 1
    fit = models.fit_ordinal(pd.DataFrame({"y": y, "x": x}), "y", ["x"])
    probs = fit.predicted_probabilities()
    assert probs.shape == (fit.n, len(fit.categories))
    assert np.allclose(probs.sum(axis=1), 1)
    mean = probs.mean().to_numpy()
    assert np.allclose(mean, fit.calibration["predicted"].to_numpy(), atol=1e-9)
    # higher x, higher answers: the top category's probability rises with x
    assert np.corrcoef(x, probs.iloc[:, -1])[0, 1] > 0.9


def test_random_intercept_fitted_values_are_the_fixed_part_plus_the_group_blup():
    rng = np.random.default_rng(3)
    groups = np.repeat([f"g{i}" for i in range(8)], 40)
    x = rng.normal(size=len(groups))
    effect = dict(zip(sorted(set(groups)), rng.normal(0, 2, size=8), strict=True))
    y = 10 + 3 * x + np.array([effect[g] for g in groups]) + rng.normal(size=len(groups))
    frame = pd.DataFrame({"y": y, "x": x, "g": groups})
    fit = models.fit_random_intercept(frame, "y", ["x"], "g")
    fitted = fit.fitted(frame, "g")
    fixed = fit.fixed_effects.set_index("term")["estimate"]
    blup = fit.groups.set_index("group")["blup"]
    by_hand = fixed["Intercept"] + fixed["x"] * frame["x"] + frame["g"].map(blup)
    assert np.allclose(fitted, by_hand) and fitted.index.equals(frame.index)
    assert np.corrcoef(fitted, y)[0, 1] > 0.95
