"""helpers.stats.survey against published R results (see README.md in this folder).

Tolerances: 1e-3 relative on estimates, 1 % relative on standard errors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.stats.survey import Design, cronbach_alpha

DATA = Path(__file__).parent / "data"
ESTIMATE_REL = 1e-3
SE_REL = 0.01


def read_r_csv(name: str) -> pd.DataFrame:
    """A data set written by R's write.csv: row names first, "NA" for missing."""
    return pd.read_csv(DATA / name, index_col=0, na_values=["NA"])


def test_apistrat_stratified_mean():
    # svymean(~api00, svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc)): 662.29, SE 9.4089
    design = Design(read_r_csv("apistrat.csv"), weight="pw", strata="stype", fpc="fpc")
    e = design.mean("api00")
    assert e.estimate == pytest.approx(662.29, rel=ESTIMATE_REL)
    assert e.se == pytest.approx(9.4089, rel=SE_REL)
    assert e.n == 200


def test_apiclus1_cluster_mean():
    # svymean(~api00, svydesign(id=~dnum, weights=~pw, fpc=~fpc)): 644.17, SE 23.542
    e = Design(read_r_csv("apiclus1.csv"), weight="pw", cluster="dnum", fpc="fpc").mean("api00")
    assert e.estimate == pytest.approx(644.17, rel=ESTIMATE_REL)
    assert e.se == pytest.approx(23.542, rel=SE_REL)


def test_apiclus1_raked_mean():
    # rake(dclus1, list(~stype, ~sch.wide), ...) then svymean(~api00): 641.23, SE 23.704
    design = Design(read_r_csv("apiclus1.csv"), weight="pw", cluster="dnum", fpc="fpc")
    raked = design.rake(
        {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}}
    )
    e = raked.mean("api00")
    assert e.estimate == pytest.approx(641.23, rel=ESTIMATE_REL)
    assert e.se == pytest.approx(23.704, rel=SE_REL)


POP_TYPES = {"E": 4421, "H": 755, "M": 1018}


def test_apiclus1_post_stratified_mean():
    # postStratify(dclus1, ~stype, pop.types) then svymean(~api00): 642.31, SE 23.921
    # (tests/api.Rout.save; R 4.2.2 with survey 4.1.1: 642.310788212, SE 23.9204864451).
    design = Design(read_r_csv("apiclus1.csv"), weight="pw", cluster="dnum", fpc="fpc")
    e = design.rake({"stype": POP_TYPES}).mean("api00")
    assert e.estimate == pytest.approx(642.310788212, rel=ESTIMATE_REL)
    assert e.se == pytest.approx(23.9204864451, rel=SE_REL)
    assert e.estimate == pytest.approx(642.31, rel=ESTIMATE_REL)
    assert e.se == pytest.approx(23.921, rel=SE_REL)


def test_apiclus1_trimmed_post_stratified_weights():
    # trimWeights(postStratify(dclus1, ~stype, pop.types), upper=40) then svymean(~api00):
    # 643.315235622, SE 23.7455209408 (R 4.2.2, survey 4.1.1). R keeps the calibration after
    # trimming: the weights are treated as post-stratified to the cell totals they reproduce,
    # which is Design.calibrated_on (how the workbook treats its capped weights).
    frame = read_r_csv("apiclus1.csv")
    design = Design(frame, weight="pw", cluster="dnum", fpc="fpc")
    raked = design.rake({"stype": POP_TYPES}).weights.to_numpy()
    trimmed = np.minimum(raked, 40.0)  # trimWeights: excess shared equally by the others
    outside = raked > 40.0
    trimmed[~outside] += (raked - trimmed).sum() / (~outside).sum()
    frame = frame.assign(final=trimmed)
    e = Design(frame, weight="final", cluster="dnum", fpc="fpc").calibrated_on("stype")
    estimate = e.mean("api00")
    assert estimate.estimate == pytest.approx(643.315235622, rel=ESTIMATE_REL)
    assert estimate.se == pytest.approx(23.7455209408, rel=SE_REL)


def test_cronbach_alpha_published():
    long = pd.read_csv(DATA / "cronbach_alpha.csv")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    assert wide.shape == (15, 10)
    assert abs(cronbach_alpha(wide) - 0.592) < 5e-4


def test_bfi_agreeableness_with_listwise_deletion():
    bfi = pd.read_csv(DATA / "psych_bfi.csv", index_col=0)
    items = bfi[["A1", "A2", "A3", "A4", "A5"]].assign(A1=lambda f: 7 - f.A1)
    incomplete = items.isna().any(axis=1)
    assert incomplete.sum() == 91  # rows of this file with an A item missing

    alpha = cronbach_alpha(items)
    assert 0.6 < alpha < 0.8
    assert alpha == cronbach_alpha(items[~incomplete])
    # Item variances from every available answer would give another value: deletion matters.
    available = 5 / 4 * (1 - items.var().sum() / items.sum(axis=1, min_count=5).var())
    assert alpha != pytest.approx(available, rel=1e-9)
