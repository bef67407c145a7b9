"""helpers.stats.survey on small fixtures whose answers are worked out by hand in the comments."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from helpers.stats.survey import Design, Estimate, SurveyError, cronbach_alpha


def srs(y, w=None) -> pd.DataFrame:
    y = list(y)
    return pd.DataFrame({"y": y, "w": w if w is not None else [2.0] * len(y)})


class TestMeanWithoutStrata:
    def test_equal_weights_give_the_srs_formula(self):
        # y = 1 2 3 4 6: mean 3.2, squared deviations sum to 14.8.
        # z_i = (y_i - mean) / n; var = n/(n-1) * sum(z^2) = 14.8 / (n (n-1)) = s^2 / n.
        e = Design(srs([1, 2, 3, 4, 6]), weight="w").mean("y")
        assert e.estimate == pytest.approx(3.2)
        assert e.se == pytest.approx(math.sqrt(14.8 / 20))
        assert e.se == pytest.approx(np.std([1, 2, 3, 4, 6], ddof=1) / math.sqrt(5))
        assert e.n == 5

    def test_interval_is_normal_95(self):
        e = Design(srs([1, 2, 3, 4, 6]), weight="w").mean("y")
        assert e.ci_low == pytest.approx(e.estimate - 1.959964 * e.se)
        assert e.ci_high == pytest.approx(e.estimate + 1.959964 * e.se)

    def test_estimate_is_frozen(self):
        e = Design(srs([1, 2]), weight="w").mean("y")
        assert isinstance(e, Estimate)
        with pytest.raises(dataclasses.FrozenInstanceError):
            e.se = 0.0  # type: ignore[misc]

    def test_missing_values_are_left_out_but_stay_in_the_design(self):
        # Non-missing 1 2 3: mean 2. The missing row is still a PSU with z = 0, so n = 4 PSUs:
        # z = (-1, 0, 1, 0) / 3, var = 4/3 * 2/9 = 8/27.
        e = Design(srs([1, 2, 3, None]), weight="w").mean("y")
        assert e.estimate == pytest.approx(2.0)
        assert e.n == 3
        assert e.se == pytest.approx(math.sqrt(8 / 27))

    def test_total(self):
        # total = 2 * 16 = 32; z = 2 y, var = 5/4 * 4 * 14.8 = 74.
        e = Design(srs([1, 2, 3, 4, 6]), weight="w").total("y")
        assert e.estimate == pytest.approx(32)
        assert e.se == pytest.approx(math.sqrt(74))


def two_strata(fpc_a, fpc_b) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stratum": ["A"] * 3 + ["B"] * 3,
            "y": [1, 2, 3, 4, 6, 8],
            "w": [1.0] * 3 + [10.0] * 3,
            "fpc": [fpc_a] * 3 + [fpc_b] * 3,
        }
    )


class TestStrataAndFpc:
    # Stratum A is a census (N = n = 3). Stratum B: n = 3 of N = 30, weight 10.
    # W = 33; in B, z = 10 (y - mean) / 33 deviates from its stratum mean by 10 (-2, 0, 2) / 33,
    # so var = (1 - 3/30) * 3/2 * 800/1089 = 1080/1089.
    EXPECTED_SE = math.sqrt(1080 / 1089)

    def test_census_stratum_contributes_no_variance(self):
        e = Design(two_strata(3, 30), weight="w", strata="stratum", fpc="fpc").mean("y")
        assert e.estimate == pytest.approx(186 / 33)
        assert e.se == pytest.approx(self.EXPECTED_SE)

    def test_fpc_as_sampling_fractions(self):
        e = Design(two_strata(1.0, 0.1), weight="w", strata="stratum", fpc="fpc").mean("y")
        assert e.se == pytest.approx(self.EXPECTED_SE)

    def test_a_sampled_stratum_does_contribute(self):
        e = Design(two_strata(300, 30), weight="w", strata="stratum", fpc="fpc").mean("y")
        assert e.se > self.EXPECTED_SE

    def test_without_fpc_no_correction(self):
        e = Design(two_strata(3, 30), weight="w", strata="stratum").mean("y")
        # A: z deviations (-1, 0, 1)/33 -> 3/2 * 2/1089; B: 3/2 * 800/1089.
        assert e.se == pytest.approx(math.sqrt(1.5 * 802 / 1089))

    def test_clusters_are_summed_before_the_variance(self):
        frame = pd.DataFrame({"psu": [1, 1, 2, 2, 3, 3], "y": [1, 3, 2, 2, 5, 7], "w": 1.0})
        # mean 20/6; PSU totals of (y - mean)/6: (4 - 20/3, 4 - 20/3, 12 - 20/3)/6.
        totals = (np.array([4, 4, 12]) - 20 / 3) / 6
        expected = 3 / 2 * (totals**2).sum()
        e = Design(frame, weight="w", cluster="psu").mean("y")
        assert e.se == pytest.approx(math.sqrt(expected))


class TestLonelyPsu:
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"stratum": ["A", "A", "B"], "y": [1.0, 3.0, 8.0], "w": [1.0, 1.0, 1.0]}
        )

    def test_singleton_stratum_is_an_error_by_default(self):
        with pytest.raises(SurveyError, match=r"1 strata have a single PSU.*: B\..*lonely_psu"):
            Design(self.frame(), weight="w", strata="stratum")

    def test_certainty_gives_it_no_variance(self):
        # mean 4; A: z = (-3, -1)/3, deviations (-1, 1)/3 -> 2 * 2/9 = 4/9.
        e = Design(self.frame(), weight="w", strata="stratum", lonely_psu="certainty").mean("y")
        assert e.se == pytest.approx(math.sqrt(4 / 9))

    def test_adjust_centres_at_the_mean_psu_total(self):
        # B's z = 4/3, centre = sum(z)/3 PSUs = 0, so B adds (4/3)^2 with scale 1.
        e = Design(self.frame(), weight="w", strata="stratum", lonely_psu="adjust").mean("y")
        assert e.se == pytest.approx(math.sqrt(4 / 9 + 16 / 9))

    def test_census_singleton_is_fine(self):
        frame = self.frame().assign(fpc=[10, 10, 1])
        e = Design(frame, weight="w", strata="stratum", fpc="fpc").mean("y")
        assert e.se > 0


class TestProportion:
    def test_percent_positive_excludes_missing_from_the_denominator(self):
        # Answers 5 4 3 . 2 5 with weights 1 2 1 5 1 1: positive weight 1 + 2 + 1 = 4 of 6.
        # z = w (p - 2/3) / 6 = (1, 2, -2, 0, -2, 1)/18 over 6 PSUs: var = 6/5 * 14/324.
        frame = srs([5, 4, 3, None, 2, 5], w=[1, 2, 1, 5, 1, 1])
        e = Design(frame, weight="w").proportion("y", positive={4, 5})
        assert e.estimate == pytest.approx(2 / 3)
        assert e.n == 5
        assert e.se == pytest.approx(math.sqrt(6 / 5 * 14 / 324))

    def test_text_answers(self):
        frame = pd.DataFrame({"a": ["มาก", "น้อย", None, "มากที่สุด"], "w": 1.0})
        e = Design(frame, weight="w").proportion("a", positive={"มาก", "มากที่สุด"})
        assert e.estimate == pytest.approx(2 / 3)


def raking_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sex": ["F", "F", "F", "M", "M", "F", "M", "M", "F", "M"],
            "age": ["y", "o", "y", "y", "o", "o", "o", "y", "y", "o"],
            "y": [3.0, 5.0, 4.0, 2.0, 6.0, 7.0, 1.0, 4.0, 5.0, 3.0],
            "w": [1.0, 2.0, 1.0, 1.5, 1.0, 2.0, 1.0, 1.0, 1.0, 2.0],
        }
    )


MARGINS = {"sex": {"F": 60.0, "M": 40.0}, "age": {"y": 45.0, "o": 55.0}}


class TestRake:
    def test_reproduces_the_margins(self):
        frame = raking_frame()
        weights = Design(frame, weight="w").rake(MARGINS).weights
        for column, totals in MARGINS.items():
            got = weights.groupby(frame[column]).sum()
            for category, total in totals.items():
                assert got[category] == pytest.approx(total, rel=1e-8, abs=1e-8)

    def test_calibrated_variables_have_zero_variance(self):
        frame = raking_frame().assign(is_f=lambda f: (f.sex == "F").astype(float))
        before = Design(frame, weight="w")
        after = before.rake(MARGINS)
        assert before.mean("is_f").se > 0.05
        assert after.mean("is_f").estimate == pytest.approx(0.6)
        assert after.mean("is_f").se == pytest.approx(0, abs=1e-10)
        assert after.total("is_f").se == pytest.approx(0, abs=1e-8)

    def test_one_margin_is_post_stratification(self):
        # Post-stratified mean: population-weighted cell means (cells F and M).
        frame = raking_frame()
        e = Design(frame, weight="w").rake({"sex": MARGINS["sex"]}).mean("y")
        cell = (frame.y * frame.w).groupby(frame.sex).sum() / frame.w.groupby(frame.sex).sum()
        assert e.estimate == pytest.approx(0.6 * cell["F"] + 0.4 * cell["M"])

    def test_returns_a_new_design(self):
        design = Design(raking_frame(), weight="w")
        design.rake(MARGINS)
        assert design.weights.sum() == pytest.approx(13.5)

    def test_cap_limits_the_weights(self):
        raked = Design(raking_frame(), weight="w").rake(MARGINS, cap=1.5, tol=1e-6)
        assert raked.weights.max() <= 1.5 * raked.weights.mean() * (1 + 1e-5)
        assert raked.weights.max() < Design(raking_frame(), weight="w").rake(MARGINS).weights.max()


def post_stratified_frame() -> pd.DataFrame:
    """Cells A (4 rows, total 40: weight 10) and B (6 rows, total 20: weight 10/3), one answer
    missing: the weights of R's postStratify of equal base weights to A 40, B 20."""
    return pd.DataFrame(
        {
            "agency": "X",
            "cell": ["A"] * 4 + ["B"] * 6,
            "y": [100, 100, 0, 100, 0, 0, 100, 0, np.nan, 100],
            "w": [10.0] * 4 + [10 / 3] * 6,
        }
    )


def post_stratified_se(frame: pd.DataFrame, domain: np.ndarray | None = None) -> float:
    """R's postStratify linearisation by hand: z = w (y - mean) / W over the domain's answers
    (0 elsewhere), less w times z's weighted mean in the cell; n / (n - 1) * sum(r^2)."""
    w, y = frame["w"].to_numpy(), frame["y"].to_numpy()
    used = ~np.isnan(y) & (np.ones(len(y), bool) if domain is None else domain)
    mean = (w[used] * y[used]).sum() / w[used].sum()
    z = np.where(used, w * (np.nan_to_num(y) - mean), 0.0) / w[used].sum()
    cell_mean = pd.Series(z).groupby(frame["cell"]).transform("sum") / frame["w"].groupby(
        frame["cell"]
    ).transform("sum")
    r = z - w * cell_mean.to_numpy()
    n = len(y)
    return math.sqrt(n / (n - 1) * ((r - r.mean()) ** 2).sum())


class TestCalibratedOn:
    # R 4.2.2, survey 4.1.1: svymean(~y, postStratify(svydesign(id=~1, weights=~w0, data=d),
    # ~cell, data.frame(cell=c("A", "B"), Freq=c(40, 20))), na.rm=TRUE) with w0 = 6:
    # 64.7058823529, SE 17.5387362267 (fixed weights: SE 18.2223000306); the domain of rows
    # 1, 3-5, 7-9: 58.3333333333, SE 22.9184202472.

    def test_matches_r_post_stratification(self):
        frame = post_stratified_frame()
        e = Design(frame, weight="w").calibrated_on("cell").mean("y")
        assert e.estimate == pytest.approx(64.7058823529, rel=1e-10)
        assert e.se == pytest.approx(17.5387362267, rel=1e-9)
        assert e.se == pytest.approx(post_stratified_se(frame), rel=1e-12)
        assert Design(frame, weight="w").mean("y").se == pytest.approx(18.2223000306, rel=1e-9)

    def test_domain_is_a_subset_of_the_calibrated_design(self):
        frame = post_stratified_frame()
        domain = np.array([1, 0, 1, 1, 1, 0, 1, 1, 1, 0], dtype=bool)
        e = Design(frame, weight="w").calibrated_on("cell").subset(domain).mean("y")
        assert e.estimate == pytest.approx(58.3333333333, rel=1e-10)
        assert e.se == pytest.approx(22.9184202472, rel=1e-9)
        assert e.se == pytest.approx(post_stratified_se(frame, domain), rel=1e-12)

    def test_weights_and_estimates_kept_bit_for_bit(self):
        frame = raking_frame().assign(w=lambda f: f.w * 3.7)
        plain = Design(frame, weight="w")
        calibrated = plain.calibrated_on(["sex", "age"])
        assert calibrated.weights.equals(plain.weights)
        assert calibrated.mean("y").estimate == plain.mean("y").estimate
        assert calibrated.proportion("y", {4, 5}).estimate == plain.proportion("y", {4, 5}).estimate

    def test_same_as_raking_to_the_totals_the_weights_reproduce(self):
        frame = raking_frame()
        totals = frame.groupby("sex")["w"].sum().to_dict()
        raked = Design(frame, weight="w").rake({"sex": totals}).mean("y")
        declared = Design(frame, weight="w").calibrated_on("sex").mean("y")
        assert declared.estimate == pytest.approx(raked.estimate, rel=1e-12)
        assert declared.se == pytest.approx(raked.se, rel=1e-9)

    def test_cells_are_combinations_of_columns(self):
        frame = raking_frame()
        cross = frame.assign(both=frame.sex + frame.age)
        by_two = Design(frame, weight="w").calibrated_on(["sex", "age"]).mean("y")
        by_one = Design(cross, weight="w").calibrated_on("both").mean("y")
        assert by_two.se == pytest.approx(by_one.se, rel=1e-12)

    def test_errors(self):
        frame = raking_frame()
        with pytest.raises(SurveyError, match="at least one cell column"):
            Design(frame, weight="w").calibrated_on([])
        with pytest.raises(SurveyError, match="unknown column 'region'"):
            Design(frame, weight="w").calibrated_on("region")
        with pytest.raises(SurveyError, match="'sex' has 1 missing values"):
            Design(frame.assign(sex=[None, *frame.sex[1:]]), weight="w").calibrated_on("sex")
        with pytest.raises(SurveyError, match="then take the subset"):
            Design(frame, weight="w").subset(frame.y > 2).calibrated_on("sex")


class TestErrors:
    def test_unknown_column(self):
        with pytest.raises(SurveyError, match=r"unknown column 'pw' given as weight"):
            Design(srs([1, 2]), weight="pw")
        with pytest.raises(SurveyError, match=r"unknown column 'score' given as analysis"):
            Design(srs([1, 2]), weight="w").mean("score")
        with pytest.raises(SurveyError, match=r"unknown column 'region' given as strata"):
            Design(srs([1, 2]), weight="w", strata="region")

    @pytest.mark.parametrize("bad", [0.0, -1.0, None])
    def test_weights_must_be_positive(self, bad):
        with pytest.raises(SurveyError, match=r"weights must be positive.*1 rows of 'w'"):
            Design(srs([1, 2, 3], w=[1.0, bad, 1.0]), weight="w")

    def test_margin_category_absent_from_data(self):
        margins = {"sex": {"F": 50.0, "M": 40.0, "X": 10.0}}
        with pytest.raises(SurveyError, match=r"'sex': margin categories absent.*\['X'\]"):
            Design(raking_frame(), weight="w").rake(margins)

    def test_data_category_missing_from_margins(self):
        margins = {"age": {"y": 100.0}}
        with pytest.raises(SurveyError, match=r"'age': data categories missing.*\['o'\]"):
            Design(raking_frame(), weight="w").rake(margins)

    def test_margins_with_different_population_sizes(self):
        margins = {"sex": {"F": 60.0, "M": 40.0}, "age": {"y": 45.0, "o": 50.0}}
        with pytest.raises(SurveyError, match=r"disagree on the population size"):
            Design(raking_frame(), weight="w").rake(margins)

    def test_non_convergence(self):
        with pytest.raises(SurveyError, match=r"raking did not converge in 1 iterations"):
            Design(raking_frame(), weight="w").rake(MARGINS, max_iter=1)

    def test_impossible_margins_do_not_converge(self):
        # Every F is young and every M old, so F must equal y: the margins contradict that.
        frame = pd.DataFrame({"sex": ["F", "F", "M"], "age": ["y", "y", "o"], "w": 1.0})
        margins = {"sex": {"F": 10.0, "M": 20.0}, "age": {"y": 20.0, "o": 10.0}}
        with pytest.raises(SurveyError, match=r"did not converge in 50 iterations"):
            Design(frame, weight="w").rake(margins, max_iter=50)

    def test_rake_after_subset(self):
        design = Design(raking_frame(), weight="w")
        with pytest.raises(SurveyError, match=r"rake the full design, then take the subset"):
            design.subset(raking_frame().y > 2).rake(MARGINS)

    def test_fpc_varying_within_a_stratum(self):
        frame = two_strata(3, 30)
        frame.loc[0, "fpc"] = 4
        with pytest.raises(SurveyError, match=r"fpc column 'fpc' varies within a stratum"):
            Design(frame, weight="w", strata="stratum", fpc="fpc")

    def test_fpc_smaller_than_the_sample(self):
        with pytest.raises(SurveyError, match=r"population size is smaller"):
            Design(two_strata(2, 30), weight="w", strata="stratum", fpc="fpc")

    def test_text_column_is_not_a_mean(self):
        with pytest.raises(SurveyError, match=r"column 'sex' is not numeric"):
            Design(raking_frame(), weight="w").mean("sex")


class TestSubset:
    def test_domain_keeps_the_full_design(self):
        # Domain y = 1 2 3 of six rows: mean 2. z = (-1, 0, 1, 0, 0, 0)/3 over 6 PSUs:
        # var = 6/5 * 2/9 = 4/15 (a design of the three rows alone gives 3/2 * 2/9 = 1/3).
        frame = srs([1, 2, 3, 4, 5, 6])
        e = Design(frame, weight="w").subset(frame.y <= 3).mean("y")
        alone = Design(frame[frame.y <= 3], weight="w").mean("y")
        assert e.estimate == pytest.approx(2.0) == alone.estimate
        assert e.n == 3
        assert e.se == pytest.approx(math.sqrt(4 / 15))
        assert alone.se == pytest.approx(math.sqrt(1 / 3))

    def test_subsets_combine_and_missing_mask_is_false(self):
        frame = srs([1, 2, 3, 4, 5, 6])
        mask = pd.Series([True, True, None, True, True, False], dtype="boolean")
        e = Design(frame, weight="w").subset(mask).subset(frame.y > 1).mean("y")
        assert e.estimate == pytest.approx(11 / 3)
        assert e.n == 3

    def test_mask_must_match_the_frame(self):
        with pytest.raises(SurveyError, match=r"subset mask has shape"):
            Design(srs([1, 2, 3]), weight="w").subset([True, False])


class TestDesignEffect:
    def test_kish(self):
        # n sum(w^2) / sum(w)^2 = 4 * 22 / 64.
        design = Design(srs([1, 2, 3, 4], w=[1, 1, 2, 4]), weight="w")
        assert design.deff("y", kind="kish") == pytest.approx(88 / 64)
        assert design.effective_n("y") == pytest.approx(4 / (88 / 64))

    def test_simple_random_sample_has_deff_one(self):
        # SRS of 5 from N = 50 with fpc: the design variance is the SRS variance.
        frame = srs([1, 2, 3, 4, 6], w=[10.0] * 5).assign(N=50)
        design = Design(frame, weight="w", fpc="N")
        assert design.deff("y") == pytest.approx(1.0)
        assert design.effective_n("y", kind="variance") == pytest.approx(5.0)


class TestCronbachAlpha:
    # Items a, b, c with variances 5/3, 2, 8/3; sum score 4 7 9 14 has variance 53/3:
    # alpha = 3/2 * (1 - (19/3) / (53/3)) = 51/53.
    ITEMS = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5], "c": [1, 3, 3, 5]})

    def test_hand_computed(self):
        assert cronbach_alpha(self.ITEMS) == pytest.approx(51 / 53)

    def test_listwise_deletion(self):
        with_gaps = pd.concat(
            [self.ITEMS, pd.DataFrame({"a": [5, None], "b": [None, 1], "c": [1, 1]})],
            ignore_index=True,
        )
        assert cronbach_alpha(with_gaps) == pytest.approx(51 / 53)

    def test_needs_two_items(self):
        with pytest.raises(SurveyError, match=r"at least two item columns"):
            cronbach_alpha(self.ITEMS[["a"]])
