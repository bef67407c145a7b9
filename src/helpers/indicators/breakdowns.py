"""Results by staff group: A3, A5, A6 and the constructs per agency and government-wide.

One tidy table (columns :data:`COLUMNS`), one row per scope, measure, breakdown and group:

- ``scope``: an agency code, or ``gov`` (:data:`GOV`) for the government-wide rows;
- ``measure``: ``A3``, ``A5``, ``A6`` (as :mod:`helpers.indicators.kpi` defines them, 0-100)
  or a construct, ``ecosystem``, ``skillsets``, ``mindset`` (construct score rescaled to 0-100,
  as in :func:`helpers.indicators.aggregates.measure_results`); the list is
  ``breakdowns.measures`` in ``config/pipeline.yaml``;
- ``breakdown`` and ``group``: the grouping variable and its group, with Thai and English
  labels, from ``breakdowns.variables`` of ``config/pipeline.yaml`` (position type, level group,
  age band, gender, years of service). Every code of the column's scale belongs to exactly one
  group; respondents without an answer join the group marked ``missing: true`` or else a group
  ``not_stated``, so the groups of a breakdown add up to the scope's respondents;
- ``estimate``, ``se``, ``ci_low``, ``ci_high``: the weighted mean of the measure in the group,
  a domain of the scope's design (:meth:`helpers.stats.survey.Design.subset`, never a design of
  the group's rows alone), with the normal 95 % interval clipped to [0, 100];
- ``respondents``: unweighted respondents in the group with a value of the measure;
- ``overall_*``: the scope's own estimate and respondents for the measure, to compare (for an
  agency the same as the indicator table's A3/A5/A6 and the measure table's constructs);
- ``part_of``: ``gov`` when the agency's respondents are in the government-wide rows of the
  measure, else missing;
- ``suppressed``: ``primary`` or ``complementary`` when withheld (estimate, interval and
  respondents then missing, never zero), else missing.

Government-wide rows cover the agencies whose own result for the measure is published (at
least ``confidentiality.min_respondents`` respondents): a total that included the others would
give their count by subtraction from the published agency counts (the rule the indicator table
follows by publishing no pooled figure). Their design is the agencies' designs side by side
(agencies as strata). Suppression, within each agency, government-wide and across agencies
(government-wide group = sum of the agencies' groups), is :func:`helpers.indicators.
suppression.suppress`; its docstring states the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.core import config, paths
from helpers.core.atomic import write_parquet_atomic
from helpers.indicators import kpi
from helpers.indicators.suppression import suppress
from helpers.stats import scores
from helpers.stats.survey import Design
from helpers.stats.weights import calibrated_design

GOV = "gov"
NOT_STATED = "not_stated"
SCALE_MAX = 100.0
CELL = "weight_cell"  # the calibration cell column (helpers.stats.weights)
VALUE_COLUMNS = ("estimate", "se", "ci_low", "ci_high")
COLUMNS = [
    "fiscal_year",
    "scope",
    "ministry_code",
    "part_of",
    "measure",
    "breakdown",
    "breakdown_th",
    "breakdown_en",
    "group",
    "group_th",
    "group_en",
    "group_order",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "respondents",
    "overall_estimate",
    "overall_ci_low",
    "overall_ci_high",
    "overall_respondents",
    "suppressed",
]


class BreakdownError(ValueError):
    """A breakdown configuration or input the table cannot be made from."""


def _percent(values: pd.Series) -> pd.Series:
    return 100 * values.astype("Float64")


def _construct(name: str) -> Callable[[pd.DataFrame, config.Codebook], pd.Series]:
    def score(staff: pd.DataFrame, book: config.Codebook) -> pd.Series:
        return (scores.construct_score(staff, book, name) - 1) * 25

    return score


# Respondent values (0-100) of each measure that can be broken down, as kpi and aggregates
# define them.
MEASURES: dict[str, Callable[[pd.DataFrame, config.Codebook], pd.Series]] = {
    "A3": lambda staff, book: _percent(scores.idp_carried(staff)),
    "A5": lambda staff, book: scores.satisfaction_index(staff, book),
    "A6": lambda staff, book: _percent(staff["innovative_work"]),
    "ecosystem": _construct("ecosystem"),
    "skillsets": _construct("skillsets"),
    "mindset": _construct("mindset"),
}


@dataclass(frozen=True)
class Group:
    """One group of a breakdown: its code, labels and the scale codes it covers."""

    code: str
    th: str
    en: str
    codes: tuple[str, ...]
    missing: bool  # respondents without an answer belong here


@dataclass(frozen=True)
class Breakdown:
    """A grouping variable: its name, the staff-survey column and the groups in order."""

    name: str
    column: str
    th: str
    en: str
    groups: tuple[Group, ...]

    def assign(self, values: pd.Series) -> pd.Series:
        """The group code of each respondent (the missing-answer group where unanswered).

        Parameters
        ----------
        values : Series
            The respondents' answers to :attr:`column`.

        Returns
        -------
        Series
            Group codes, on ``values``' index.

        Raises
        ------
        BreakdownError
            On an answer that no group covers.
        """
        lookup = {code: g.code for g in self.groups for code in g.codes}
        fallback = next(g.code for g in self.groups if g.missing)
        text = values.astype("string")
        unknown = sorted(set(text.dropna()) - set(lookup))
        if unknown:
            raise BreakdownError(f"{self.name}: answers {unknown[:5]} are in no group")
        return text.map(lookup).fillna(fallback).astype(object)


def load_breakdowns(root: Path | None = None) -> tuple[list[str], list[Breakdown]]:
    """The measures and breakdowns of ``breakdowns`` in ``config/pipeline.yaml``, checked.

    Parameters
    ----------
    root : Path, optional
        Project root.

    Returns
    -------
    tuple of (list of str, list of Breakdown)
        The measures (keys of :data:`MEASURES`) and the breakdowns in the configured order.
        Missing answers go to the group with ``missing: true``; a breakdown without one gets a
        last group ``not_stated`` (labelled by ``breakdowns.not_stated``).

    Raises
    ------
    BreakdownError
        When the section is missing, a measure is unknown, a column is not a category of the
        staff codebook, or a scale code is in no group or in two.
    """
    section = config.pipeline(root).get("breakdowns")
    if not isinstance(section, Mapping):
        raise BreakdownError("config/pipeline.yaml has no 'breakdowns' section")
    measures = list(section.get("measures") or [])
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        raise BreakdownError(f"breakdowns.measures: unknown {unknown}; known {list(MEASURES)}")
    not_stated = section.get("not_stated") or {}
    book, scales = config.codebook("staff_survey", root), config.scales(root)
    out = []
    for name, spec in (section.get("variables") or {}).items():
        column = spec.get("column")
        if column not in book.names or book.column(column).scale not in scales:
            raise BreakdownError(f"breakdowns.{name}: {column!r} is not a staff-survey category")
        scale_codes = [str(c) for c in scales[book.column(column).scale].codes]
        groups = [
            Group(
                str(code),
                g.get("th", str(code)),
                g.get("en", str(code)),
                tuple(str(c) for c in g.get("codes", [])),
                bool(g.get("missing", False)),
            )
            for code, g in (spec.get("groups") or {}).items()
        ]
        listed = [c for g in groups for c in g.codes]
        if sorted(listed) != sorted(scale_codes) or sum(g.missing for g in groups) > 1:
            raise BreakdownError(
                f"breakdowns.{name}: the groups must cover the codes {scale_codes} of "
                f"{column!r} once each (they list {listed}), and at most one takes the missing"
            )
        if not any(g.missing for g in groups):
            groups.append(
                Group(
                    NOT_STATED,
                    not_stated.get("th", "ไม่ระบุ"),
                    not_stated.get("en", "Not stated"),
                    (),
                    True,
                )
            )
        out.append(
            Breakdown(name, column, spec.get("th", name), spec.get("en", name), tuple(groups))
        )
    return measures, out


def _staff_design(frame: pd.DataFrame, weight: str) -> Design:
    """The calibrated staff design of one agency's respondents, or of several agencies side by
    side (agencies as strata): :func:`helpers.stats.weights.calibrated_design`, as the
    indicators use it. Groups are domains of it (``subset``), never designs of their own."""
    return calibrated_design(frame, weight=weight, cell=CELL)


def _estimate(design: Design, column: str, mask: np.ndarray | None) -> dict[str, float]:
    e = (design if mask is None else design.subset(mask)).mean(column)
    return {
        "estimate": e.estimate,
        "se": e.se,
        "ci_low": max(e.ci_low, 0.0),
        "ci_high": min(e.ci_high, SCALE_MAX),
    }


def _scope_rows(
    work: pd.DataFrame,
    design: Design | None,
    scope_mask: np.ndarray,
    measures: list[str],
    breakdowns: list[Breakdown],
    k: int,
) -> list[dict[str, Any]]:
    """Rows of one scope: every measure, breakdown and group, estimates where n >= k."""
    rows = []
    for measure in measures:
        answered = scope_mask & work[measure].notna().to_numpy()
        total = int(answered.sum())
        overall = (
            _estimate(design, measure, scope_mask) if design is not None and total >= k else {}
        )
        base = {
            "measure": measure,
            "overall_estimate": overall.get("estimate", np.nan),
            "overall_ci_low": overall.get("ci_low", np.nan),
            "overall_ci_high": overall.get("ci_high", np.nan),
            "overall_respondents": total,
        }
        for breakdown in breakdowns:
            codes = work[breakdown.name].to_numpy()
            for order, group in enumerate(breakdown.groups, 1):
                in_group = codes == group.code
                n = int((answered & in_group).sum())
                row = {
                    **base,
                    "breakdown": breakdown.name,
                    "breakdown_th": breakdown.th,
                    "breakdown_en": breakdown.en,
                    "group": group.code,
                    "group_th": group.th,
                    "group_en": group.en,
                    "group_order": order,
                    "respondents": n,
                }
                if n >= k and total >= k and design is not None:
                    row.update(_estimate(design, measure, scope_mask & in_group))
                rows.append(row)
    return rows


def breakdown_table(
    staff: pd.DataFrame | None,
    year: int,
    registry: pd.DataFrame,
    *,
    weight: str = "weight",
    min_respondents: int | None = None,
    complementary: bool = True,
    root: Path | None = None,
) -> pd.DataFrame:
    """Results by staff group per agency and government-wide, suppressed (module docstring).

    Parameters
    ----------
    staff : DataFrame or None
        Clean staff survey rows of ``year`` with ``agency``, ``weight``, the calibration cell
        ``weight_cell`` (:func:`helpers.stats.weights.attach_weights`), the columns of the
        measures and of the breakdowns; None (or empty) gives an empty table.
    year : int
        Fiscal year, B.E.; a ``fiscal_year`` column of ``staff`` must hold only this year.
    registry : DataFrame
        The agency registry, with ``agency_code`` and ``ministry_code``.
    weight : str, default "weight"
        The survey weight column.
    min_respondents : int, optional
        Reporting threshold; default ``confidentiality.min_respondents``.
    complementary : bool, default True
        False withholds only the cells below the threshold (for tests of the audit).
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`; agencies in code order, then ``gov``; measures, breakdowns
        and groups in the configured order.

    Raises
    ------
    BreakdownError
        On a configuration :func:`load_breakdowns` rejects, a missing column, rows of another
        year, or an answer in no group.
    SurveyError
        When a published cell's agency has a missing, zero or negative weight.
    """
    k = kpi.reporting_threshold(min_respondents, root)
    measures, breakdowns = load_breakdowns(root)
    if staff is None or not len(staff):
        return pd.DataFrame(columns=COLUMNS)
    needed = ["agency", weight, CELL, *(b.column for b in breakdowns)]
    absent = [c for c in needed if c not in staff.columns]
    if absent:
        raise BreakdownError(f"staff_survey: columns {absent} are missing")
    if "fiscal_year" in staff.columns and set(staff["fiscal_year"].dropna()) - {year}:
        raise BreakdownError(f"staff_survey: rows of years other than {year}")
    book = config.codebook("staff_survey", root)
    work = pd.DataFrame(
        {"agency": staff["agency"].astype(str), weight: staff[weight], CELL: staff[CELL]}
    )
    for measure in measures:
        work[measure] = MEASURES[measure](staff, book).astype("float64")
    for breakdown in breakdowns:
        work[breakdown.name] = breakdown.assign(staff[breakdown.column])
    work = work.reset_index(drop=True)

    ministries = registry.set_index("agency_code")["ministry_code"]
    frames = []
    for agency, part in work.groupby("agency", sort=True):
        part = part.reset_index(drop=True)
        big_enough = any(part[m].notna().sum() >= k for m in measures)
        design = _staff_design(part, weight) if big_enough else None
        rows = _scope_rows(part, design, np.ones(len(part), bool), measures, breakdowns, k)
        frame = pd.DataFrame(rows).assign(scope=agency, ministry_code=ministries.get(agency))
        frame["part_of"] = np.where(frame["overall_respondents"] >= k, GOV, None)
        frames.append(frame)
    frames.append(_government_rows(work, frames, measures, breakdowns, k, weight))
    table = pd.concat(frames, ignore_index=True).assign(fiscal_year=year)
    table = suppress(table, k, value_columns=VALUE_COLUMNS, complementary=complementary)
    small = table["overall_respondents"] < k
    for column in ("overall_estimate", "overall_ci_low", "overall_ci_high"):
        table[column] = table[column].astype(float).where(~small)
    table["overall_respondents"] = pd.array(table["overall_respondents"], dtype="Int64")
    table.loc[small & (table["overall_respondents"] > 0), "overall_respondents"] = pd.NA
    table["fiscal_year"] = table["fiscal_year"].astype("int64")
    table["group_order"] = table["group_order"].astype("int64")
    for column in ("ministry_code", "part_of", "suppressed"):
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table[COLUMNS]


def _government_rows(
    work: pd.DataFrame,
    agency_frames: list[pd.DataFrame],
    measures: list[str],
    breakdowns: list[Breakdown],
    k: int,
    weight: str,
) -> pd.DataFrame:
    """Government-wide rows over the agencies published for each measure."""
    published = pd.concat(agency_frames)
    published = published[published["part_of"] == GOV]
    rows = []
    included = {m: set(published.loc[published["measure"] == m, "scope"]) for m in measures}
    rows_in = work["agency"].isin(set().union(*included.values())).to_numpy()
    frame = work[rows_in].reset_index(drop=True)
    design = _staff_design(frame, weight) if len(frame) else None
    for measure in measures:
        mask = frame["agency"].isin(included[measure]).to_numpy()
        rows += _scope_rows(frame, design, mask, [measure], breakdowns, k)
    return pd.DataFrame(rows).assign(scope=GOV, ministry_code=None, part_of=None)


def write_breakdowns(table: pd.DataFrame, year: int, root: Path | None = None) -> Path:
    """Write ``data/processed/<year>/indicators/breakdowns.parquet`` atomically.

    Parameters
    ----------
    table : DataFrame
        The table of :func:`breakdown_table`.
    year : int
        Fiscal year, B.E.; every row must be of this year.
    root : Path, optional
        Project root.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    BreakdownError
        When ``table`` has rows of another year.
    """
    if len(table) and set(table["fiscal_year"]) != {year}:
        raise BreakdownError(f"breakdowns are for {sorted(set(table['fiscal_year']))}, not {year}")
    folder = paths.resolve(config.pipeline(root)["paths"]["processed"], root) / str(year)
    return write_parquet_atomic(table, folder / "indicators" / "breakdowns.parquet")
