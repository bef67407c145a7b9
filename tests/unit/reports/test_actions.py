"""The action library and the ranking of strengths and challenges (helpers.reports.actions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.core import config
from helpers.reports import actions


def _areas(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "area": ["ecosystem", "skillsets", "mindset", "idp"],
            "value": [50.0, 55.0, 70.0, 40.0],
            "gov_median": [60.0, 60.0, 65.0, 45.0],
            "ci_low": [45.0, 50.0, 66.0, 30.0],
            "ci_high": [55.0, 61.0, 74.0, 50.0],
            "importance": [0.6, 0.2, 0.15, 0.05],
        }
    )
    return frame.assign(**overrides)


def test_challenges_come_first_ranked_by_shortfall_times_importance():
    ranked = actions.rank_areas(_areas())
    # ecosystem 10 x 0.6 = 6; skillsets 5 x 0.2 = 1; idp 5 x 0.05 = 0.25; mindset +5 strength
    assert ranked["area"].tolist() == ["ecosystem", "skillsets", "idp", "mindset"]
    assert ranked["kind"].tolist() == ["challenge"] * 3 + ["strength"]
    assert ranked["rank"].tolist() == [1, 2, 3, 1]
    assert ranked["priority"].tolist() == pytest.approx([6.0, 1.0, 0.25, 0.75])
    # the interval wholly below (above) the median: a clear gap
    assert ranked.set_index("area")["clear"].to_dict() == {
        "ecosystem": True,
        "skillsets": False,
        "idp": False,
        "mindset": True,
    }


def test_importance_can_put_a_smaller_shortfall_first():
    ranked = actions.rank_areas(
        _areas(value=[58.0, 40.0, 70.0, 40.0], importance=[0.9, 0.05, 0.0, 0.05])
    )
    # ecosystem 2 x 0.9 = 1.8 beats skillsets 20 x 0.05 = 1.0
    assert ranked["area"].tolist()[:2] == ["ecosystem", "skillsets"]


def test_areas_on_par_or_without_a_value_are_not_challenges():
    ranked = actions.rank_areas(_areas(value=[60.0, np.nan, 70.0, 40.0]))
    kinds = ranked.set_index("area")["kind"].to_dict()
    assert kinds == {"idp": "challenge", "mindset": "strength", "ecosystem": "on_par"}


def _write_library(root, body: dict) -> None:
    (root / "config" / "actions.yaml").write_text(
        yaml.safe_dump(body, allow_unicode=True), encoding="utf-8"
    )
    config.clear_cache()


def test_the_library_is_a_placeholder_until_the_evaluators_say_otherwise(project):
    library = actions.load_library(project)
    assert library.placeholder
    assert library.for_area("ecosystem") and library.for_area("nowhere") == []
    notice = actions.library_notice(library)
    assert 'id="placeholder-actions"' in notice and 'lang="en"' in notice
    _write_library(project, {"placeholder": False, "areas": {"idp": {"prompts": []}}})
    confirmed = actions.load_library(project)
    assert not confirmed.placeholder and actions.library_notice(confirmed) == ""
    assert confirmed.for_area("idp") == []


def test_a_prompt_needs_both_languages(project):
    _write_library(project, {"areas": {"idp": {"prompts": [{"th": "ทบทวน"}]}}})
    with pytest.raises(config.ConfigError, match="'th' and 'en'"):
        actions.load_library(project)
