import pandas as pd
import pytest

from helpers.core import config
from helpers.stats.scores import construct_score, idp_carried, satisfaction_index, staff_scores


@pytest.fixture
def book():
    return config.codebook("staff_survey")


def frame(**columns):
    return pd.DataFrame({k: pd.array(v, dtype="Int8") for k, v in columns.items()})


def test_reverse_coded_item_is_flipped(book):
    staff = frame(eco1=[5], eco2=[5], eco3=[5], eco4=[5], eco5=[1])
    assert construct_score(staff, book, "ecosystem").tolist() == [5.0]


def test_construct_needs_half_of_its_items(book):
    staff = frame(skl1=[4, 4], skl2=[2, None], skl3=[None, None], skl4=[None, None])
    assert construct_score(staff, book, "skillsets").tolist()[0] == 3.0
    assert construct_score(staff, book, "skillsets").isna().tolist() == [False, True]


def test_satisfaction_index_uk_scoring(book):
    staff = frame(sat1=[5, 1], sat2=[4, None], sat3=[3, None], sat_overall=[None, None])
    assert satisfaction_index(staff, book).tolist() == [75.0, 0.0]


# Every (idp_made, idp_carried_out) pair of 1, 0 and missing, and its A3 score (None: excluded).
# The rule of scores.idp_carried, kpi's docstring and config/targets.yaml: a 0 in either gives
# 0; otherwise idp_carried_out == 1 gives 1, idp_made missing included; anything else missing.
IDP_RULE = [
    (1, 1, 1),
    (1, 0, 0),
    (1, None, None),
    (0, 1, 0),
    (0, 0, 0),
    (0, None, 0),
    (None, 1, 1),
    (None, 0, 0),
    (None, None, None),
]


def test_idp_carried_all_nine_combinations():
    made, carried, expected = zip(*IDP_RULE, strict=True)
    result = idp_carried(frame(idp_made=list(made), idp_carried_out=list(carried)))
    assert result.dtype == "Int8"
    assert [None if pd.isna(v) else int(v) for v in result] == list(expected)


def test_staff_scores_adds_columns(book):
    names = [c.name for c in book.columns if c.type in {"likert", "binary"}]
    staff = frame(**{n: [1] for n in names})
    scored = staff_scores(staff, book)
    assert {
        "eco_score",
        "skl_score",
        "mnd_score",
        "persona_score",
        "sat_index",
        "idp_carried",
    } <= set(scored.columns)
    assert scored.loc[0, "eco_score"] == pytest.approx((1 + 1 + 1 + 1 + 5) / 5)
