"""Respondent-level scores shared by the models, the indicators and the reports.

- Construct scores (1-5): the mean of a construct's answered items, reverse-coded items flipped
  (``6 - x`` on a 1-5 scale), kept only when at least half of the construct's items are
  answered.
- Satisfaction index (0-100), the UK People Survey convention: answers 1..5 score
  0/25/50/75/100 and a respondent's index is the mean over the answered satisfaction items.
- ``idp_carried`` (indicator A3): 1 with an IDP that is being carried out, 0 without an IDP or
  with one not carried out (a "no" to either question decides), missing when it cannot be
  told.
"""

from __future__ import annotations

import pandas as pd

from helpers.core import config
from helpers.core.config import Codebook

# OECD Trust Survey on a 0-10 scale: 6-10 high or moderately high, 5 neutral, 0-4 low.
HIGH_TRUST_MIN = 6
TRUST_NEUTRAL = 5

SCORE_COLUMNS = {
    "ecosystem": "eco_score",
    "skillsets": "skl_score",
    "mindset": "mnd_score",
    "persona": "persona_score",
}


def item_values(staff: pd.DataFrame, codebook: Codebook, construct: str) -> pd.DataFrame:
    """A construct's item answers as floats, reverse-coded items flipped.

    A reverse-coded item's answer ``x`` becomes ``min + max - x`` over its scale's codes
    (``6 - x`` on a 1-5 scale).

    Parameters
    ----------
    staff : DataFrame
        Respondent rows with a column for every Likert item of ``construct``.
    codebook : Codebook
        The codebook that lists the construct's items (``codebook.items(construct)``).
    construct : str
        Construct name in the codebook, e.g. ``ecosystem``, ``persona`` or ``satisfaction``.

    Returns
    -------
    DataFrame
        One ``Float64`` column per item, on ``staff``'s index; missing answers stay missing.
    """
    scales = config.scales()
    items = {}
    for column in codebook.items(construct):
        values = staff[column.name].astype("Float64")
        if column.reverse:
            codes = scales[column.scale].codes
            values = (min(codes) + max(codes)) - values
        items[column.name] = values
    return pd.DataFrame(items, index=staff.index)


def construct_score(staff: pd.DataFrame, codebook: Codebook, construct: str) -> pd.Series:
    """Mean item score of a construct, where at least half of its items are answered.

    Parameters
    ----------
    staff : DataFrame
        Respondent rows with a column for every Likert item of ``construct``.
    codebook : Codebook
        The codebook that lists the construct's items.
    construct : str
        Construct name in the codebook.

    Returns
    -------
    Series
        ``Float64`` score on the items' scale (1-5), reverse-coded items flipped: the mean of
        the answered items, missing when fewer than half of the items are answered.
    """
    items = item_values(staff, codebook, construct)
    enough = items.notna().sum(axis=1) * 2 >= items.shape[1]
    return items.mean(axis=1, skipna=True).where(enough).astype("Float64")


def satisfaction_index(staff: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """0-100 index: 1..5 scored 0/25/50/75/100, averaged over the answered items.

    Parameters
    ----------
    staff : DataFrame
        Respondent rows with the codebook's ``satisfaction`` items (1-5).
    codebook : Codebook
        The staff survey codebook.

    Returns
    -------
    Series
        ``Float64`` index, 0-100; missing when no satisfaction item is answered.
    """
    items = item_values(staff, codebook, "satisfaction")
    return ((items - 1) * 25).mean(axis=1, skipna=True).astype("Float64")


def idp_carried(staff: pd.DataFrame) -> pd.Series:
    """1 = an IDP being carried out, 0 = none or not carried out, missing = unknown.

    A 0 in either answer gives 0; otherwise ``idp_carried_out == 1`` gives 1 (carrying out an
    IDP implies having one, so ``idp_made`` may be missing); anything else is missing.

    Parameters
    ----------
    staff : DataFrame
        Respondent rows with ``idp_made`` and ``idp_carried_out`` (1 yes, 0 no, missing).

    Returns
    -------
    Series
        ``Int8`` values 1, 0 or missing, on ``staff``'s index.
    """
    made, carried = staff["idp_made"], staff["idp_carried_out"]
    result = pd.Series(pd.NA, index=staff.index, dtype="Int8")
    # Carrying out an IDP implies having one; but a "no" to either question decides.
    result[(carried == 1).fillna(False)] = 1
    result[(made == 0).fillna(False) | (carried == 0).fillna(False)] = 0
    return result


def staff_scores(staff: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """The staff frame with construct scores, the satisfaction index and ``idp_carried``.

    Parameters
    ----------
    staff : DataFrame
        Staff survey rows with the construct and satisfaction items, ``idp_made`` and
        ``idp_carried_out``.
    codebook : Codebook, optional
        The staff survey codebook; default ``config.codebook("staff_survey")`` of the project.

    Returns
    -------
    DataFrame
        A copy of ``staff`` with the construct scores of :data:`SCORE_COLUMNS` (1-5, see
        :func:`construct_score`), ``sat_index`` (0-100, :func:`satisfaction_index`) and
        ``idp_carried`` (:func:`idp_carried`).
    """
    codebook = codebook or config.codebook("staff_survey")
    scores = {
        name: construct_score(staff, codebook, construct)
        for construct, name in SCORE_COLUMNS.items()
    }
    return staff.assign(
        **scores, sat_index=satisfaction_index(staff, codebook), idp_carried=idp_carried(staff)
    )
