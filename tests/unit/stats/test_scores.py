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


def test_idp_carried():
    staff = frame(
        idp_made=[1, 1, 0, None, 1, None, 0], idp_carried_out=[1, 0, None, None, None, 1, 1]
    )
    assert idp_carried(staff).fillna(-1).tolist() == [1, 0, 0, -1, -1, 1, 0]


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
