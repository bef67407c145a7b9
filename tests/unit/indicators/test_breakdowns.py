"""Results by staff group: estimates against hand computations, primary and complementary
suppression, and a subtraction attacker that finds nothing after suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.audit.confidentiality import derivable_cells
from helpers.core import config
from helpers.indicators import breakdowns
from helpers.indicators.suppression import SuppressionError, attack, suppress
from helpers.ingest.registry import load_registry
from helpers.stats.survey import Z_95, Design
from helpers.stats.weights import calibrated_design

K = 10


def _staff(sizes: dict[str, int], seed: int = 3) -> pd.DataFrame:
    """Staff answers with every measured column, unequal weights and every group column."""
    rng = np.random.default_rng(seed)
    book = config.codebook("staff_survey")
    scales = config.scales()
    rows = []
    for agency, n in sizes.items():
        for _ in range(n):
            row = {"agency": agency, "weight": float(rng.uniform(0.5, 3.0))}
            row.update({c.name: int(rng.integers(1, 6)) for c in book.items()})
            row.update(
                idp_made=int(rng.integers(0, 2)),
                idp_carried_out=int(rng.integers(0, 2)),
                innovative_work=int(rng.integers(0, 2)),
            )
            for column in ("position_type", "position_level", "gender", "age_band"):
                row[column] = str(rng.choice(scales[book.column(column).scale].codes))
            row["tenure_band"] = str(rng.choice(scales["tenure_band"].codes))
            row["weight_cell"] = str(rng.choice(["cell_a", "cell_b"]))
            rows.append(row)
    frame = pd.DataFrame(rows)
    for column in [c.name for c in book.items()] + [
        "idp_made",
        "idp_carried_out",
        "innovative_work",
    ]:
        frame[column] = frame[column].astype("Int8")
    frame["fiscal_year"] = 2565
    return frame


@pytest.fixture
def registry(project):
    return load_registry(project)


# ----------------------------------------------------------------------------- configuration


def test_the_configured_groups_cover_every_code_and_the_missing_answers(project):
    measures, found = breakdowns.load_breakdowns(project)
    assert measures == ["A3", "A5", "A6", "ecosystem", "skillsets", "mindset"]
    by_name = {b.name: b for b in found}
    assert list(by_name) == [
        "position_type",
        "level_group",
        "age_band",
        "gender",
        "years_of_service",
    ]
    assert [g.th for g in by_name["position_type"].groups[:4]] == [
        "บริหาร",
        "อำนวยการ",
        "วิชาการ",
        "ทั่วไป",
    ]
    assert by_name["position_type"].groups[-1].code == "not_stated"  # added for missing answers
    gender = by_name["gender"].assign(pd.Series(["female", None, "other", "not_stated"]))
    assert list(gender) == ["female", "other_or_not_stated"] + ["other_or_not_stated"] * 2


def test_a_code_in_no_group_is_an_error(project):
    path = project / "config" / "pipeline.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("codes: [over_20]", "codes: []"),
        encoding="utf-8",
    )
    config.clear_cache()
    with pytest.raises(breakdowns.BreakdownError, match="over_20"):
        breakdowns.load_breakdowns(project)


# ----------------------------------------------------------------------------- estimates


def _hand_domain_mean(
    y: np.ndarray, w: np.ndarray, domain: np.ndarray, cells: np.ndarray
) -> tuple[float, float]:
    """Weighted domain mean and its linearised SE, one stratum, every row its own PSU, the
    weights post-stratified on ``cells`` (R's ``postStratify``: the weighted influence values
    less their weighted cell means)."""
    used = domain & ~np.isnan(y)
    mean = (w[used] * y[used]).sum() / w[used].sum()
    z = np.where(used, w * (np.nan_to_num(y) - mean), 0.0) / w[used].sum()
    for cell in np.unique(cells):
        inside = cells == cell
        z[inside] -= w[inside] * z[inside].sum() / w[inside].sum()
    n = len(y)
    return mean, float(np.sqrt(n / (n - 1) * ((z - z.mean()) ** 2).sum()))


def test_group_estimates_match_a_hand_computation_and_the_agency_design(project, registry):
    staff = _staff({"01001": 60, "01002": 45})
    table = breakdowns.breakdown_table(staff, 2565, registry, min_respondents=3, root=project)
    part = staff[staff["agency"] == "01001"].reset_index(drop=True)
    y = 100 * part["innovative_work"].to_numpy(dtype=float)
    w = part["weight"].to_numpy(dtype=float)
    female = (part["gender"] == "female").to_numpy()
    mean, se = _hand_domain_mean(y, w, female, part["weight_cell"].to_numpy())
    row = table.set_index(["scope", "measure", "breakdown", "group"]).loc[
        ("01001", "A6", "gender", "female")
    ]
    assert row["estimate"] == pytest.approx(mean)
    assert row["se"] == pytest.approx(se)
    assert row["ci_low"] == pytest.approx(max(mean - Z_95 * se, 0))
    assert row["respondents"] == female.sum()
    # the same as a domain of the agency's whole design, not a design of the group's rows
    design = calibrated_design(part.assign(a6=y))
    assert row["se"] == pytest.approx(design.subset(female).mean("a6").se)
    assert row["se"] != pytest.approx(
        calibrated_design(part[female].assign(a6=y[female])).mean("a6").se
    )
    # and not the design that takes the weights as fixed
    assert row["se"] != pytest.approx(
        Design(part.assign(a6=y), weight="weight").subset(female).mean("a6").se, rel=1e-6
    )
    assert row["overall_estimate"] == pytest.approx((w * y).sum() / w.sum())
    assert row["overall_respondents"] == 60


def test_government_rows_are_the_sums_of_the_published_agencies(project, registry):
    staff = _staff({"01001": 60, "01002": 45, "02001": 7})
    table = breakdowns.breakdown_table(staff, 2565, registry, complementary=False, root=project)
    small = table[table["scope"] == "02001"]
    assert small["suppressed"].eq("primary").all() and small["part_of"].isna().all()
    assert small["overall_respondents"].isna().all() and small["estimate"].isna().all()
    gov = table[(table["scope"] == "gov") & (table["measure"] == "A5")]
    assert (gov["overall_respondents"] == 105).all()  # 02001's seven are left out
    both = staff[staff["agency"] != "02001"]
    shown = gov[(gov["breakdown"] == "gender") & (gov["group"] == "female")].iloc[0]
    assert shown["respondents"] == (both["gender"] == "female").sum()
    frame = both.reset_index(drop=True)
    frame = frame.assign(
        a5=breakdowns.MEASURES["A5"](frame, config.codebook("staff_survey")).astype(float)
    )
    design = calibrated_design(frame)
    expected = design.subset((frame["gender"] == "female").to_numpy()).mean("a5")
    assert shown["estimate"] == pytest.approx(expected.estimate)
    assert shown["se"] == pytest.approx(expected.se)


# ----------------------------------------------------------------------------- suppression


def _one_table(counts: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scope": "A",
            "measure": "m",
            "breakdown": "b",
            "group": [f"g{i}" for i in range(len(counts))],
            "respondents": counts,
            "estimate": 50.0,
        }
    )


@pytest.mark.parametrize(
    ("counts", "primary", "complementary"),
    [
        ([50, 30, 5], {2}, {1}),  # one small group: the smallest other one joins it
        ([50, 30, 6, 5], {2, 3}, set()),  # two small ones of 11 together: enough
        ([50, 30, 4, 3], {2, 3}, {1}),  # two small ones of 7: a third, the smallest, joins
        ([50, 0, 5], {2}, {0}),  # a zero group hides nothing: the next one joins
        ([50, 30, 20], set(), set()),
        ([4, 3], {0, 1}, set()),  # the whole scope is below k
    ],
)
def test_primary_and_complementary_suppression_of_one_table(counts, primary, complementary):
    out = suppress(_one_table(counts), K, value_columns=["estimate"])
    assert set(np.flatnonzero(out["suppressed"] == "primary")) == primary
    assert set(np.flatnonzero(out["suppressed"] == "complementary")) == complementary
    hidden = out["suppressed"].notna()
    assert out.loc[hidden, "respondents"].isna().all() and out.loc[hidden, "estimate"].isna().all()
    assert (out.loc[~hidden, "respondents"] == np.array(counts)[~hidden.to_numpy()]).all()


def _linked(agencies: dict[str, list[int]], k: int = K) -> pd.DataFrame:
    """Agencies' group counts with a government scope summing those at or above k."""
    rows = []
    for agency, counts in agencies.items():
        part_of = "gov" if sum(counts) >= k else None
        for i, n in enumerate(counts):
            rows.append(("m", "b", agency, f"g{i}", n, part_of))
    members = [c for a, c in agencies.items() if sum(c) >= k]
    groups = len(next(iter(agencies.values())))
    for i in range(groups):
        rows.append(("m", "b", "gov", f"g{i}", sum(c[i] for c in members), None))
    return pd.DataFrame(
        rows, columns=["measure", "breakdown", "scope", "group", "respondents", "part_of"]
    )


def _published(table: pd.DataFrame, out: pd.DataFrame, k: int = K) -> pd.DataFrame:
    """The table as a reader sees it: shown counts, and totals published when 0 or >= k."""
    totals = table.groupby(["scope", "measure", "breakdown"])["respondents"].transform("sum")
    shown = (totals >= k) | (totals == 0)
    return out.assign(overall_respondents=totals.where(shown).astype("Int64"))


def test_a_withheld_agency_group_is_not_the_government_group_minus_the_others():
    # every agency table is fine alone, but gov g2 - B g2 - C g2 would give A's 5
    table = _linked({"A": [40, 30, 5, 6], "B": [40, 30, 20, 20], "C": [50, 30, 25, 20]})
    out = suppress(table, K)
    a_small = (out["scope"] == "A") & (out["group"] == "g2")
    assert out.loc[a_small, "suppressed"].item() == "primary"
    g2 = out[(out["group"] == "g2") & (out["scope"] != "gov")]
    assert g2["suppressed"].notna().sum() >= 2  # one more agency's g2 withheld
    assert derivable_cells(_published(table, out), K) == []
    alone = suppress(table, K, complementary=False)
    assert derivable_cells(_published(table, alone), K) != []


def test_tables_that_do_not_add_up_are_refused():
    table = _linked({"A": [40, 30], "B": [40, 30]})
    broken = table.assign(respondents=np.where(table["scope"] == "gov", 1, table["respondents"]))
    with pytest.raises(SuppressionError, match="sum"):
        suppress(broken, K)
    two = pd.concat([_one_table([20, 30]), _one_table([20, 31]).assign(breakdown="c")])
    with pytest.raises(SuppressionError, match="different totals"):
        suppress(two, K)


def test_after_suppression_subtraction_gives_nothing_away_in_random_tables():
    """Property: many random small linked tables (fixed seed); after suppression the attacker
    derives no withheld count and no combined count below k, both the suppression's own
    attacker (on the true counts) and the audit's (on the published numbers only)."""
    rng = np.random.default_rng(2565)
    caught_without = 0
    for _ in range(300):
        groups = int(rng.integers(2, 6))
        agencies = {
            f"a{j}": [int(rng.choice([0, 1, 3, 6, 9, 12, 25, 60])) for _ in range(groups)]
            for j in range(int(rng.integers(1, 6)))
        }
        table = _linked(agencies)
        out = suppress(table, K)
        assert derivable_cells(_published(table, out), K) == [], agencies
        alone = suppress(table, K, complementary=False)
        caught_without += bool(derivable_cells(_published(table, alone), K))
    assert caught_without > 100  # the attack finds plenty when complementary suppression is off


def test_the_suppression_attacker_flags_a_single_withheld_group():
    from helpers.indicators.suppression import _Cells, _withheld

    cells = _Cells(_one_table([50, 30, 5]), K)
    primary_only = _withheld(cells, complementary=False)
    assert attack(cells.relations, cells.n, primary_only, K)
    assert not attack(cells.relations, cells.n, _withheld(cells, complementary=True), K)


def test_the_breakdown_table_passes_the_audit_and_fails_it_without_complementary(project, registry):
    staff = _staff({"01001": 120, "01002": 45, "02001": 30, "02002": 6}, seed=11)
    table = breakdowns.breakdown_table(staff, 2565, registry, root=project)
    assert derivable_cells(table, K) == []
    assert set(table["suppressed"].dropna()) == {"primary", "complementary"}
    assert table.loc[table["suppressed"].notna(), ["respondents", "estimate"]].isna().all().all()
    primary_only = breakdowns.breakdown_table(
        staff, 2565, registry, complementary=False, root=project
    )
    findings = derivable_cells(primary_only, K)
    assert findings and {f.check for f in findings} == {"subtraction"}
    assert all("<10" in f.detail or "worked out" in f.detail for f in findings)
