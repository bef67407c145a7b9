"""The ten success indicators of the guideline: A1-A7 per agency and year, O1-O3 for OCSC.

One tidy table, one row per (fiscal_year, indicator, agency_code); the O rows have
``agency_code == "OCSC"``. Columns are :data:`COLUMNS`, then ``secondary_measure`` and
``secondary_value`` (only A2 uses them: ``a2_levels_covered_pct``).

Definitions (also in ``config/targets.yaml``)
-------------------------------------------
A1  ``yes_no``: 1 when the agency return has ``a1_plan_guideline == 1`` AND
    ``a1_plan_strategy == 1``; 0 when either is 0; missing otherwise (three-valued AND).
A2  ``level_1_5``: ``a2_fc_level``. Secondary measure: ``a2_levels_covered_pct``.
A3  ``percent``: weighted percent of staff with an IDP that is being carried out
    (:func:`helpers.stats.scores.idp_carried`): a 0 in either ``idp_made`` or
    ``idp_carried_out`` gives 0, so ``idp_made == 0`` with ``idp_carried_out`` missing counts
    as 0; otherwise ``idp_carried_out == 1`` gives 1, also with ``idp_made`` missing (carrying
    out an IDP implies having one); ``idp_made == 1`` with ``idp_carried_out`` missing, and both
    missing, are excluded. Design-based 95 % CI.
A4  ``count``: ``a4_innovation_outputs``.
A5  ``index_0_100``: staff satisfaction index in the UK People Survey convention: each answer to
    the ``satisfaction`` items (sat1, sat2, sat3, sat_overall) is scored 0/25/50/75/100 for
    1..5, a respondent's score is the mean over the items they answered, and the index is the
    weighted mean of respondents' scores, with a design-based 95 % CI. FEVS percent positive
    per item (top two categories; don't know / missing excluded) is in :func:`item_results`.
A6  ``percent``: weighted percent of staff with ``innovative_work == 1`` among those answering.
A7  ``percent``: weighted percent of service users with high trust (6-10 on the 0-10 trust
    question; OECD "high or moderately high") among those answering, with a 95 % CI.
O1  ``level_1_5``: ``o1_level`` of the OCSC return.
O2  ``percent``: percent of agencies with an A1 value (i.e. an agency return answering A1)
    whose A1 is 1. A census of the returns: no standard error. ``respondents`` holds the number
    of agencies in the denominator.
O3  ``level_1_5``: ``o3_level`` of the OCSC return.

Survey estimates (A3, A5, A6, A7 and the item percentages) use each agency's respondents as
their own design, calibrated as the weights stage calibrated them:
:func:`helpers.stats.weights.calibrated_design` (also importable from here), the final weights
post-stratified on the agency's calibration cells (``weight_cell``: staff weighting cell,
citizen region) to the totals they reproduce. Estimates are those of the final weights; the
standard errors include the calibration (R's ``postStratify`` linearisation, conditional on
the respondents per cell; see :mod:`helpers.stats.weights` for capped weights). An estimate for
part of an agency (a staff group) takes the agency's calibrated design with
``Design.subset``, never a design of its own rows. ``respondents`` is the unweighted number
of respondents with an answer. Intervals are the normal 95 % interval clipped to [0, 100].
Return-based indicators (A1, A2, A4, O1, O3) have no SE and ``respondents`` missing.

Every registry agency with ANY data in the year (a staff or citizen response or an agency
return) gets a row for each of A1-A7; rows without a value have status ``no_data`` (or
``suppressed``, see Confidentiality).

Targets and status
------------------
Targets come from ``config/targets.yaml``. THE GUIDELINE GIVES NO NUMERIC TARGETS: the values
there are placeholders to be set by the evaluators. ``status`` is ``met`` when the POINT
estimate meets the target (``value >= target`` for direction ``>=``, with a 1e-9 tolerance for
floating point), ``not_met`` otherwise, ``no_data`` when there is no value, ``suppressed``
when suppressed, and ``no_target`` when the target is null. The interval is not used for the
status.

Confidentiality
---------------
An estimate from fewer than ``confidentiality.min_respondents`` (10) respondents is suppressed:
value, se, CI and respondents are missing (the small n is not shown), status ``suppressed``,
``suppression_reason`` "fewer than 10 respondents". The same rule applies per item in
:func:`item_results`. No ministry or government pooled (respondent-weighted) figure is
published: the benchmarks ``ministry_median``, ``ministry_q3``, ``gov_median`` and ``gov_q3``
are the median and upper quartile (linear interpolation) of the PUBLISHED agency values, so
they are functions of published numbers only and cannot reveal a suppressed value by
subtraction. ``percentile`` is ``100 * (rank - 1) / (k - 1)`` with average ranks for ties,
among the k agencies with a published value for that indicator and year (missing when k = 1).

Change from the previous year
-----------------------------
``previous_value`` is last year's published value (missing when last year's row was suppressed,
had no data or does not exist), ``change = value - previous_value``. For indicators with a
standard error (A3, A5, A6, A7) the change is tested as independent samples:
``z = change / sqrt(se**2 + se_prev**2)``, both standard errors of the calibrated designs
(as published in each year's table), two-sided ``change_p``; ``change_significant`` is
True only when ``change_p < 0.05``. Other indicators show the change without a test
(``change_p`` missing, ``change_significant`` False).

Funnel plots
------------
:func:`funnel_limits` (proportions, Spiegelhalter's normal approximation
``p0 +/- z * sqrt(p0 (1 - p0) / n)``), :func:`funnel_limits_mean` (a mean index with a given
sd: ``mu0 +/- z * sd / sqrt(n)``) and :func:`funnel_position`.

Pure functions take data frames; only :func:`write_indicators` writes files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from helpers.core import config, paths
from helpers.core.atomic import write_parquet_atomic
from helpers.stats import scores
from helpers.stats.survey import Design
from helpers.stats.weights import calibrated_design

OCSC_CODE = "OCSC"
SIGNIFICANCE = 0.05
STRENGTH_PERCENT_POSITIVE = 65.0  # FEVS: an item is a strength at >= 65 % positive
CHALLENGE_PERCENT_NEGATIVE = 35.0  # FEVS: an item is a challenge at >= 35 % negative
HIGH_TRUST_MIN = scores.HIGH_TRUST_MIN  # OECD: 6-10 is "high or moderately high"
TOLERANCE = 1e-9  # floating-point slack for threshold comparisons
DIRECTIONS = (">=", "<=")
UNITS = ("percent", "index_0_100", "level_1_5", "count", "yes_no")


class KpiError(ValueError):
    """Inputs or configuration the indicators cannot be computed from."""


@dataclass(frozen=True)
class Indicator:
    """One success indicator of :data:`INDICATORS`.

    Attributes
    ----------
    code : str
        ``A1``-``A7`` or ``O1``-``O3``.
    unit : str
        One of :data:`UNITS`.
    source : str
        The instrument the value comes from (``staff_survey``, ``citizen_survey``,
        ``agency_return`` or ``ocsc_return``).
    has_se : bool
        Whether the value is a survey estimate with a standard error.
    en : str
        Short English name.
    """

    code: str
    unit: str
    source: str  # instrument the value comes from
    has_se: bool
    en: str


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator("A1", "yes_no", "agency_return", False, "Plan aligned with guideline, strategy"),
        Indicator("A2", "level_1_5", "agency_return", False, "Functional competency framework"),
        Indicator("A3", "percent", "staff_survey", True, "Staff with an IDP carried out"),
        Indicator("A4", "count", "agency_return", False, "Innovation outputs for learning"),
        Indicator("A5", "index_0_100", "staff_survey", True, "Satisfaction with development"),
        Indicator("A6", "percent", "staff_survey", True, "Staff with innovative work"),
        Indicator("A7", "percent", "citizen_survey", True, "Service users with high trust"),
        Indicator("O1", "level_1_5", "ocsc_return", False, "OCSC prototypes"),
        Indicator("O2", "percent", "agency_return", False, "Agencies meeting A1"),
        Indicator("O3", "level_1_5", "ocsc_return", False, "OCSC network cooperation"),
    )
}
AGENCY_INDICATORS = ("A1", "A2", "A3", "A4", "A5", "A6", "A7")
OCSC_INDICATORS = ("O1", "O2", "O3")

_ESTIMATE_COLUMNS = [
    "fiscal_year",
    "indicator",
    "agency_code",
    "ministry_code",
    "value",
    "se",
    "ci_low",
    "ci_high",
    "respondents",
    "unit",
]
COMPARISON_COLUMNS = [
    "target",
    "status",
    "previous_value",
    "change",
    "change_p",
    "change_significant",
    "percentile",
    "ministry_median",
    "ministry_q3",
    "gov_median",
    "gov_q3",
]
EXTRA_COLUMNS = ["secondary_measure", "secondary_value"]
BASE_COLUMNS = [*_ESTIMATE_COLUMNS, "suppression_reason", *EXTRA_COLUMNS]
COLUMNS = [*_ESTIMATE_COLUMNS, *COMPARISON_COLUMNS, "suppression_reason"]
ITEM_COLUMNS = [
    "fiscal_year",
    "agency_code",
    "ministry_code",
    "item",
    "construct",
    "reverse",
    "respondents",
    "percent_positive",
    "percent_neutral",
    "percent_negative",
    "se_positive",
    "strength",
    "challenge",
    "suppression_reason",
]
INPUT_KEYS = {
    "staff_survey": "staff_survey",
    "staff": "staff_survey",
    "citizen_survey": "citizen_survey",
    "citizen": "citizen_survey",
    "agency_return": "agency_return",
    "ocsc_return": "ocsc_return",
}


# ----------------------------------------------------------------------------- configuration


def load_targets(root: Path | None = None) -> dict[str, dict[str, Any]]:
    """``config/targets.yaml`` as {indicator: {"target", "direction", "unit"}}, checked.

    Parameters
    ----------
    root : Path, optional
        Project root.

    Returns
    -------
    dict of str to dict
        See :func:`check_targets`.

    Raises
    ------
    KpiError
        When the file is missing or not valid YAML, or its ``indicators`` fail
        :func:`check_targets`.
    """
    path = paths.config_dir(root) / "targets.yaml"
    try:
        raw = config.document("targets", root)
    except config.ConfigError as exc:
        raise KpiError(str(exc).replace("Configuration file", "Targets file")) from None
    return check_targets((raw or {}).get("indicators"), source=str(path))


def targets_are_placeholders(root: Path | None = None) -> bool:
    """Whether ``config/targets.yaml`` still marks its targets as placeholders (default yes).

    Parameters
    ----------
    root : Path, optional
        Project root.

    Returns
    -------
    bool
        ``targets_are_placeholders`` of the file, True when the key is absent.

    Raises
    ------
    ConfigError
        When the file is missing or not valid YAML.
    """
    raw = config.document("targets", root)
    return bool((raw or {}).get("targets_are_placeholders", True))


def check_targets(targets: Any, source: str = "targets") -> dict[str, dict[str, Any]]:
    """Check a {indicator: {target, direction, unit}} mapping against :data:`INDICATORS`.

    Parameters
    ----------
    targets : Any
        Expected: a mapping with exactly the indicators of :data:`INDICATORS`, each to
        ``target`` (a number, or None/absent for no target), ``direction`` (``">="`` or
        ``"<="``, default ``">="``) and ``unit`` (default and only allowed value: the
        indicator's unit).
    source : str, default "targets"
        Where the mapping came from, for the error messages.

    Returns
    -------
    dict of str to dict
        ``{indicator: {"target": float or None, "direction": str, "unit": str}}``.

    Raises
    ------
    KpiError
        When ``targets`` is not a mapping, an indicator is missing or unknown, or a direction,
        target or unit is invalid.
    """
    if not isinstance(targets, Mapping):
        raise KpiError(f"{source}: expected a mapping of indicators under 'indicators'.")
    missing = [code for code in INDICATORS if code not in targets]
    unknown = [code for code in targets if code not in INDICATORS]
    if missing or unknown:
        raise KpiError(f"{source}: indicators missing {missing}, unknown {unknown}.")
    checked = {}
    for code, spec in targets.items():
        spec = dict(spec or {})
        target, direction = spec.get("target"), spec.get("direction", ">=")
        if direction not in DIRECTIONS:
            raise KpiError(f"{source}: {code} direction {direction!r}; expected {DIRECTIONS}.")
        if target is not None and not isinstance(target, int | float):
            raise KpiError(f"{source}: {code} target {target!r} is not a number (or null).")
        unit = spec.get("unit", INDICATORS[code].unit)
        if unit != INDICATORS[code].unit:
            raise KpiError(
                f"{source}: {code} unit {unit!r}; helpers.indicators.kpi uses "
                f"{INDICATORS[code].unit!r}."
            )
        checked[code] = {
            "target": None if target is None else float(target),
            "direction": direction,
            "unit": unit,
        }
    return checked


def reporting_threshold(value: int | None = None, root: Path | None = None) -> int:
    """The reporting threshold: ``value`` when given, else ``confidentiality.min_respondents``.

    Parameters
    ----------
    value : int, optional
        An explicit threshold (fewest respondents for a published estimate).
    root : Path, optional
        Project root, for ``config/pipeline.yaml``.

    Returns
    -------
    int
        The threshold.
    """
    if value is not None:
        return int(value)
    return int(config.pipeline(root)["confidentiality"]["min_respondents"])


def _reason(k: int) -> str:
    return f"fewer than {k} respondents"


# ----------------------------------------------------------------------------- inputs


def _float(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series).to_numpy(dtype=float, na_value=np.nan)


def _and3(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Three-valued AND of 1/0/NaN arrays: 0 if either is 0, 1 if both are 1, else NaN."""
    return np.where((a == 0) | (b == 0), 0.0, np.where((a == 1) & (b == 1), 1.0, np.nan))


def _prepare(
    frame: pd.DataFrame | None, year: int, name: str, needed: Sequence[str]
) -> pd.DataFrame | None:
    """Check an input frame: the year, the agency column and the columns used."""
    if frame is None:
        return None
    absent = [c for c in ("agency", *needed) if c not in frame.columns]
    if absent:
        raise KpiError(f"{name}: columns {absent} are missing (the frame has {list(frame)}).")
    if "fiscal_year" in frame.columns:
        other = sorted({int(y) for y in frame["fiscal_year"].dropna()} - {year})
        if other:
            raise KpiError(f"{name}: rows for fiscal year(s) {other}, expected only {year}.")
    return frame


def _likert(frame: pd.DataFrame, column: str, reverse: bool, name: str) -> np.ndarray:
    values = _float(frame[column])
    bad = ~np.isnan(values) & ~np.isin(values, [1, 2, 3, 4, 5])
    if bad.any():
        raise KpiError(
            f"{name}: column '{column}' has values outside 1-5: "
            f"{sorted(set(values[bad].tolist()))[:5]}"
        )
    return 6 - values if reverse else values


def _ministries(registry: pd.DataFrame) -> pd.Series:
    return registry.set_index("agency_code")["ministry_code"]


# ----------------------------------------------------------------------------- records


def _record(year: int, code: str, agency: str, ministry: Any, **fields: Any) -> dict[str, Any]:
    record = {
        "fiscal_year": year,
        "indicator": code,
        "agency_code": agency,
        "ministry_code": ministry,
        "value": np.nan,
        "se": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "respondents": pd.NA,
        "unit": INDICATORS[code].unit,
        "suppression_reason": None,
        "secondary_measure": None,
        "secondary_value": np.nan,
    }
    record.update(fields)
    return record


class _AgencyDesign:
    """One agency's respondents as their own calibrated design, built on first use.

    Parameters
    ----------
    frame : DataFrame
        Every respondent of one agency, with ``agency``, ``weight`` and ``cell``.
    weight : str
        The final weight column.
    cell : str
        The calibration cell column.
    """

    def __init__(self, frame: pd.DataFrame, weight: str, cell: str) -> None:
        self.frame = frame
        self.weight = weight
        self.cell = cell
        self._design: Design | None = None

    @property
    def design(self) -> Design:
        """The agency's :func:`calibrated_design`; a domain is ``design.subset(mask)``."""
        if self._design is None:
            self._design = calibrated_design(self.frame, weight=self.weight, cell=self.cell)
        return self._design

    def estimate(self, column: str, k: int) -> dict[str, Any]:
        """Value/se/CI/respondents of the weighted mean of ``column`` (0-100), or suppressed."""
        n = int(self.frame[column].notna().sum()) if len(self.frame) else 0
        if n == 0:
            return {"respondents": 0}
        if n < k:
            return {"suppression_reason": _reason(k)}
        e = self.design.mean(column)
        return {
            "value": e.estimate,
            "se": e.se,
            "ci_low": max(e.ci_low, 0.0),
            "ci_high": min(e.ci_high, 100.0),
            "respondents": e.n,
        }


def _staff_scores(staff: pd.DataFrame, sat_items: Sequence[Any]) -> pd.DataFrame:
    """Staff frame with 0-100 columns _a3, _a5 (respondent score) and _a6.

    A3 and the A5 index use the shared definitions in ``helpers.stats.scores``.
    """
    for column in sat_items:
        _likert(staff, column.name, False, "staff_survey")  # values outside 1-5 are an error
    out = staff.copy()
    out["_a3"] = 100 * _float(scores.idp_carried(staff))
    out["_a5"] = _float(scores.satisfaction_index(staff, config.codebook("staff_survey")))
    out["_a6"] = 100 * _float(staff["innovative_work"])
    return out


def _citizen_scores(citizen: pd.DataFrame) -> pd.DataFrame:
    out = citizen.copy()
    trust = _float(citizen["trust"])
    out["_a7"] = np.where(np.isnan(trust), np.nan, 100.0 * (trust >= HIGH_TRUST_MIN))
    return out


def _by_agency(frame: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    if frame is None or not len(frame):
        return {}
    return {str(code): part for code, part in frame.groupby("agency", sort=True)}


def _scalar(value: Any) -> float:
    return np.nan if pd.isna(value) else float(value)


def _return_fields(row: pd.Series | None, code: str) -> dict[str, Any]:
    if row is None:
        return {}
    if code == "A1":
        guideline = np.array([_scalar(row["a1_plan_guideline"])])
        strategy = np.array([_scalar(row["a1_plan_strategy"])])
        return {"value": float(_and3(guideline, strategy)[0])}
    if code == "A2":
        return {
            "value": _scalar(row["a2_fc_level"]),
            "secondary_value": _scalar(row["a2_levels_covered_pct"]),
        }
    return {"value": _scalar(row["a4_innovation_outputs"])}


# ----------------------------------------------------------------------------- indicators


STAFF_COLUMNS = ("idp_made", "idp_carried_out", "innovative_work")
CITIZEN_COLUMNS = ("trust",)
RETURN_COLUMNS = (
    "a1_plan_guideline",
    "a1_plan_strategy",
    "a2_fc_level",
    "a2_levels_covered_pct",
    "a4_innovation_outputs",
)


def agency_indicators(
    year: int,
    staff: pd.DataFrame | None,
    citizen: pd.DataFrame | None,
    agency_return: pd.DataFrame | None,
    registry: pd.DataFrame,
    *,
    weight: str = "weight",
    cell: str = "weight_cell",
    min_respondents: int | None = None,
    root: Path | None = None,
) -> pd.DataFrame:
    """A1-A7 for every registry agency with any data in ``year`` (columns :data:`BASE_COLUMNS`).

    Definitions and the suppression rule are in the module docstring.

    Parameters
    ----------
    year : int
        Fiscal year, B.E. Inputs with a ``fiscal_year`` column must hold only this year.
    staff : DataFrame or None
        Clean staff survey rows with ``agency``, ``idp_made``, ``idp_carried_out``,
        ``innovative_work``, the satisfaction items (1-5), ``weight`` and ``cell``
        (:func:`helpers.stats.weights.attach_weights`); None when not collected.
    citizen : DataFrame or None
        Clean citizen survey rows with ``agency``, ``trust`` (0-10), ``weight`` and ``cell``;
        None when not collected.
    agency_return : DataFrame or None
        At most one return per agency, with ``agency`` and the columns of
        :data:`RETURN_COLUMNS`; None when not collected.
    registry : DataFrame
        The agency registry, with ``agency_code`` and ``ministry_code``.
    weight : str, default "weight"
        The survey weight column.
    cell : str, default "weight_cell"
        The calibration cell column of the surveys (module docstring).
    min_respondents : int, optional
        Reporting threshold; default ``confidentiality.min_respondents``.
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        Seven rows (A1-A7) per agency with data, columns :data:`BASE_COLUMNS`.

    Raises
    ------
    KpiError
        When a column is missing, an input has rows of another fiscal year, an agency has
        more than one return, an agency is not in the registry, or a satisfaction answer is
        outside 1-5.
    SurveyError
        When an estimated agency has a missing, zero or negative weight, or a missing cell.
    """
    k = reporting_threshold(min_respondents, root)
    sat_items = config.codebook("staff_survey", root).items("satisfaction")
    staff = _prepare(
        staff, year, "staff_survey", [*STAFF_COLUMNS, *(c.name for c in sat_items), weight, cell]
    )
    citizen = _prepare(citizen, year, "citizen_survey", [*CITIZEN_COLUMNS, weight, cell])
    agency_return = _prepare(agency_return, year, "agency_return", RETURN_COLUMNS)

    staff_parts = _by_agency(None if staff is None else _staff_scores(staff, sat_items))
    citizen_parts = _by_agency(None if citizen is None else _citizen_scores(citizen))
    returns = _by_agency(agency_return)
    repeated = sorted(code for code, part in returns.items() if len(part) > 1)
    if repeated:
        raise KpiError(f"agency_return: more than one return for agencies {repeated}.")

    ministries = _ministries(registry)
    codes = sorted(set(staff_parts) | set(citizen_parts) | set(returns))
    unknown = [c for c in codes if c not in ministries.index]
    if unknown:
        raise KpiError(f"agency codes not in the registry: {unknown}.")

    empty = pd.DataFrame({"_a3": [], "_a5": [], "_a6": [], "_a7": []})
    records = []
    for agency in codes:
        ministry = ministries[agency]
        staff_design = _AgencyDesign(staff_parts.get(agency, empty), weight, cell)
        citizen_design = _AgencyDesign(citizen_parts.get(agency, empty), weight, cell)
        ret = returns[agency].iloc[0] if agency in returns else None
        for code in AGENCY_INDICATORS:
            if code in ("A1", "A2", "A4"):
                fields = _return_fields(ret, code)
                if code == "A2":
                    fields["secondary_measure"] = "a2_levels_covered_pct"
            elif code == "A7":
                fields = citizen_design.estimate("_a7", k)
            else:
                fields = staff_design.estimate(f"_{code.lower()}", k)
            records.append(_record(year, code, agency, ministry, **fields))
    return _frame(records, BASE_COLUMNS)


def ocsc_indicators(
    year: int, ocsc_return: pd.DataFrame | None, agency_indicators_table: pd.DataFrame
) -> pd.DataFrame:
    """O1-O3 (``agency_code == "OCSC"``); O2 from the A1 rows of ``agency_indicators_table``.

    Parameters
    ----------
    year : int
        Fiscal year, B.E.; a ``fiscal_year`` column of ``ocsc_return`` must hold only this year.
    ocsc_return : DataFrame or None
        The OCSC return: at most one row, with ``o1_level`` and ``o3_level``; None (or empty)
        leaves O1 and O3 without a value.
    agency_indicators_table : DataFrame
        The table of :func:`agency_indicators`; O2 is the percent of its non-missing A1
        values that are 1.

    Returns
    -------
    DataFrame
        Three rows, columns :data:`BASE_COLUMNS`.

    Raises
    ------
    KpiError
        When ``ocsc_return`` lacks a column, has rows of another fiscal year or more than one
        row.
    """
    row = None
    if ocsc_return is not None and len(ocsc_return):
        missing = [c for c in ("o1_level", "o3_level") if c not in ocsc_return.columns]
        if missing:
            raise KpiError(f"ocsc_return: columns {missing} are missing.")
        if "fiscal_year" in ocsc_return.columns:
            other = sorted({int(y) for y in ocsc_return["fiscal_year"].dropna()} - {year})
            if other:
                raise KpiError(f"ocsc_return: rows for fiscal year(s) {other}, not {year}.")
        if len(ocsc_return) > 1:
            raise KpiError(f"ocsc_return: {len(ocsc_return)} rows for {year}; expected one.")
        row = ocsc_return.iloc[0]

    table = agency_indicators_table
    a1 = table.loc[(table["indicator"] == "A1") & (table["agency_code"] != OCSC_CODE), "value"]
    a1 = a1.dropna()
    o2 = {"respondents": len(a1)}
    if len(a1):
        o2["value"] = float(100 * (a1 == 1).mean())
    records = [
        _record(year, "O1", OCSC_CODE, None, **_level(row, "o1_level")),
        _record(year, "O2", OCSC_CODE, None, **o2),
        _record(year, "O3", OCSC_CODE, None, **_level(row, "o3_level")),
    ]
    return _frame(records, BASE_COLUMNS)


def _level(row: pd.Series | None, column: str) -> dict[str, Any]:
    return {} if row is None else {"value": _scalar(row[column])}


def _frame(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["fiscal_year"] = frame["fiscal_year"].astype("int64")
    frame["respondents"] = pd.array(frame["respondents"], dtype="Int64")
    for column in ("value", "se", "ci_low", "ci_high", "secondary_value"):
        frame[column] = frame[column].astype(float)
    _none_for_missing(frame, ["ministry_code", "suppression_reason", "secondary_measure"])
    return frame


def _none_for_missing(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Text columns as objects with None (not NaN) where missing, in place."""
    for column in columns:
        if column in frame.columns:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)


# ----------------------------------------------------------------------------- comparisons


def add_comparisons(
    table: pd.DataFrame,
    previous_table: pd.DataFrame | None = None,
    *,
    targets: Mapping[str, Mapping[str, Any]] | None = None,
    root: Path | None = None,
) -> pd.DataFrame:
    """Add target, status, change from ``previous_table``, percentile and benchmarks.

    The rules are in the module docstring.

    Parameters
    ----------
    table : DataFrame
        One year's rows with :data:`BASE_COLUMNS` (from :func:`agency_indicators` and
        :func:`ocsc_indicators`), one per indicator and agency.
    previous_table : DataFrame, optional
        Last year's published table (any earlier year's is accepted), one row per indicator
        and agency; None for no change.
    targets : Mapping of str to Mapping, optional
        Targets as :func:`check_targets` takes them; default :func:`load_targets`.
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        :data:`COLUMNS` plus those of :data:`EXTRA_COLUMNS` that ``table`` has, sorted by
        indicator and agency.

    Raises
    ------
    KpiError
        When ``table`` or ``previous_table`` has more than one row for an indicator and
        agency, ``previous_table`` has rows of this year or later, or the targets are invalid.
    """
    targets = check_targets(targets) if targets is not None else load_targets(root)
    out = table.reset_index(drop=True).copy()
    if out.duplicated(["indicator", "agency_code"]).any():
        raise KpiError("table has more than one row for an (indicator, agency_code).")

    out["target"] = out["indicator"].map(lambda c: targets[c]["target"]).astype(float)
    out["status"] = _status(out, targets)
    out = _changes(out, previous_table)
    out = _positions(out)
    _none_for_missing(out, ["ministry_code", "suppression_reason", "secondary_measure", "status"])
    extras = [c for c in EXTRA_COLUMNS if c in out.columns]
    return out[COLUMNS + extras].sort_values(["indicator", "agency_code"], ignore_index=True)


def _status(table: pd.DataFrame, targets: Mapping[str, Mapping[str, Any]]) -> pd.Series:
    value, target = table["value"], table["target"]
    at_least = table["indicator"].map(lambda c: targets[c]["direction"] == ">=")
    met = np.where(at_least, value >= target - TOLERANCE, value <= target + TOLERANCE)
    status = np.select(
        [
            table["suppression_reason"].notna().to_numpy(),
            value.isna().to_numpy(),
            target.isna().to_numpy(),
            met,
        ],
        ["suppressed", "no_data", "no_target", "met"],
        default="not_met",
    )
    return pd.Series(status, index=table.index, dtype=object)


def _changes(table: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    out = table
    if previous is None or not len(previous):
        out["previous_value"] = np.nan
        prev_se = pd.Series(np.nan, index=out.index)
    else:
        this_year = int(out["fiscal_year"].iloc[0]) if len(out) else None
        if this_year is not None and (previous["fiscal_year"] >= this_year).any():
            raise KpiError(
                f"previous table has rows for {sorted(set(previous['fiscal_year']))};"
                f" expected years before {this_year}."
            )
        prev = previous[["indicator", "agency_code", "value", "se"]]
        if prev.duplicated(["indicator", "agency_code"]).any():
            raise KpiError("previous table has more than one row for an (indicator, agency).")
        prev = prev.rename(columns={"value": "previous_value", "se": "_previous_se"})
        out = out.merge(prev, on=["indicator", "agency_code"], how="left", validate="1:1")
        prev_se = out.pop("_previous_se").astype(float)
    out["previous_value"] = out["previous_value"].astype(float)
    out["change"] = out["value"] - out["previous_value"]
    has_se = out["indicator"].map(lambda c: INDICATORS[c].has_se).to_numpy(dtype=bool)
    spread = np.sqrt(out["se"].to_numpy(float) ** 2 + prev_se.to_numpy(float) ** 2)
    change = out["change"].to_numpy(float)
    testable = has_se & ~np.isnan(change) & (spread > 0)
    z = np.divide(change, spread, out=np.full(len(out), np.nan), where=testable)
    out["change_p"] = np.where(testable, 2 * special.ndtr(-np.abs(z)), np.nan)
    out["change_significant"] = (out["change_p"] < SIGNIFICANCE).fillna(False).astype(bool)
    return out


def _positions(table: pd.DataFrame) -> pd.DataFrame:
    out = table
    for column in ("percentile", "ministry_median", "ministry_q3", "gov_median", "gov_q3"):
        out[column] = np.nan
    agencies = out[out["agency_code"] != OCSC_CODE]
    published = agencies[agencies["value"].notna()]
    by_indicator = published.groupby("indicator")["value"]
    ranks = by_indicator.rank(method="average")
    counts = by_indicator.transform("count")
    percentile = ((ranks - 1) / (counts - 1) * 100).where(counts > 1)
    out.loc[percentile.index, "percentile"] = percentile

    def quartiles(keys: list[str], prefix: str) -> None:
        q = published.groupby(keys)["value"].quantile([0.5, 0.75]).unstack()
        q.columns = [f"{prefix}_median", f"{prefix}_q3"]
        merged = agencies[keys].merge(q, left_on=keys, right_index=True, how="left")
        out.loc[agencies.index, q.columns] = merged[q.columns].to_numpy(float)

    if len(published):
        quartiles(["indicator"], "gov")
        quartiles(["indicator", "ministry_code"], "ministry")
    return out


# ----------------------------------------------------------------------------- the table


def indicator_table(
    year: int,
    tables: Mapping[str, pd.DataFrame | None],
    registry: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    root: Path | None = None,
    *,
    targets: Mapping[str, Mapping[str, Any]] | None = None,
    min_respondents: int | None = None,
    weight: str = "weight",
    cell: str = "weight_cell",
) -> pd.DataFrame:
    """The year's indicator table: A1-A7 per agency, O1-O3, with comparisons.

    :func:`agency_indicators`, :func:`ocsc_indicators` and :func:`add_comparisons` in one call.

    Parameters
    ----------
    year : int
        Fiscal year, B.E.
    tables : Mapping of str to DataFrame or None
        Maps instrument names (``staff_survey``, ``citizen_survey``, ``agency_return``,
        ``ocsc_return``; ``staff`` and ``citizen`` also accepted) to that year's clean frames,
        with ``weight`` and ``cell`` added to the surveys; a missing or None entry is not
        collected.
    registry : DataFrame
        The agency registry, with ``agency_code`` and ``ministry_code``.
    previous : DataFrame, optional
        Last year's indicator table, or None.
    root : Path, optional
        Project root.
    targets : Mapping of str to Mapping, optional
        Targets as :func:`check_targets` takes them; default :func:`load_targets`.
    min_respondents : int, optional
        Reporting threshold; default ``confidentiality.min_respondents``.
    weight : str, default "weight"
        The survey weight column.
    cell : str, default "weight_cell"
        The calibration cell column of the surveys.

    Returns
    -------
    DataFrame
        :data:`COLUMNS` and :data:`EXTRA_COLUMNS`, sorted by indicator and agency.

    Raises
    ------
    KpiError
        On an unknown key in ``tables``, and as the three functions above.
    """
    inputs: dict[str, pd.DataFrame | None] = {}
    for key, frame in tables.items():
        if key not in INPUT_KEYS:
            raise KpiError(f"unknown input {key!r}; expected one of {sorted(INPUT_KEYS)}.")
        inputs[INPUT_KEYS[key]] = frame
    agency = agency_indicators(
        year,
        inputs.get("staff_survey"),
        inputs.get("citizen_survey"),
        inputs.get("agency_return"),
        registry,
        weight=weight,
        cell=cell,
        min_respondents=min_respondents,
        root=root,
    )
    ocsc = ocsc_indicators(year, inputs.get("ocsc_return"), agency)
    table = pd.concat([agency, ocsc], ignore_index=True)
    return add_comparisons(table, previous, targets=targets, root=root)


# ----------------------------------------------------------------------------- items


def item_results(
    staff: pd.DataFrame | None,
    year: int,
    *,
    registry: pd.DataFrame | None = None,
    weight: str = "weight",
    cell: str = "weight_cell",
    min_respondents: int | None = None,
    root: Path | None = None,
) -> pd.DataFrame:
    """FEVS-style results per agency and staff Likert item (columns :data:`ITEM_COLUMNS`).

    Answers of reverse-coded items are reversed (6 - x) first. Weighted percent positive (4-5),
    neutral (3) and negative (1-2) among those answering (missing / don't know excluded), and
    the standard error of percent positive from the calibrated design (``se_positive``, for the
    change since last year); ``strength`` when percent positive >= 65, ``challenge`` when
    percent negative >= 35 (both inclusive). Fewer than ``min_respondents`` answers to an
    item: suppressed (percentages and respondents missing, strength and challenge missing).

    Parameters
    ----------
    staff : DataFrame or None
        Clean staff survey rows with ``agency``, every Likert item of the codebook (1-5),
        ``weight`` and ``cell``; None gives an empty table. Each agency's percentages come
        from its calibrated design (module docstring).
    year : int
        Fiscal year, B.E.; a ``fiscal_year`` column of ``staff`` must hold only this year.
    registry : DataFrame, optional
        The agency registry, for ``ministry_code`` (missing without it).
    weight : str, default "weight"
        The survey weight column.
    cell : str, default "weight_cell"
        The calibration cell column.
    min_respondents : int, optional
        Reporting threshold; default ``confidentiality.min_respondents``.
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        One row per agency and item, columns :data:`ITEM_COLUMNS`; percentages 0-100.

    Raises
    ------
    KpiError
        When a column is missing, ``staff`` has rows of another fiscal year, or an answer is
        outside 1-5.
    """
    k = reporting_threshold(min_respondents, root)
    items = config.codebook("staff_survey", root).items()
    staff = _prepare(staff, year, "staff_survey", [*(c.name for c in items), weight, cell])
    if staff is None:
        staff = pd.DataFrame(columns=["agency", weight, cell, *(c.name for c in items)])
    ministries = _ministries(registry) if registry is not None else pd.Series(dtype=object)
    work = staff[["agency", weight, cell]].copy()
    for column in items:
        work[column.name] = _likert(staff, column.name, column.reverse, "staff_survey")
    records = []
    for agency, part in _by_agency(work).items():
        agency_design = _AgencyDesign(part, weight, cell)
        for column in items:
            n = int(part[column.name].notna().sum())
            record = {
                "fiscal_year": year,
                "agency_code": agency,
                "ministry_code": ministries.get(agency),
                "item": column.name,
                "construct": column.construct,
                "reverse": column.reverse,
                "respondents": pd.NA,
                "percent_positive": np.nan,
                "percent_neutral": np.nan,
                "percent_negative": np.nan,
                "se_positive": np.nan,
                "strength": pd.NA,
                "challenge": pd.NA,
                "suppression_reason": None,
            }
            if 0 < n < k:
                record["suppression_reason"] = _reason(k)
            elif n >= k:
                estimate = agency_design.design.proportion(column.name, {4, 5})
                positive = 100 * estimate.estimate
                negative = 100 * agency_design.design.proportion(column.name, {1, 2}).estimate
                record.update(
                    respondents=n,
                    percent_positive=positive,
                    se_positive=100 * estimate.se,
                    percent_neutral=max(100.0 - positive - negative, 0.0),
                    percent_negative=negative,
                    strength=positive >= STRENGTH_PERCENT_POSITIVE - TOLERANCE,
                    challenge=negative >= CHALLENGE_PERCENT_NEGATIVE - TOLERANCE,
                )
            else:
                record["respondents"] = 0
            records.append(record)
    frame = pd.DataFrame.from_records(records, columns=ITEM_COLUMNS)
    frame["fiscal_year"] = frame["fiscal_year"].astype("int64")
    frame["respondents"] = pd.array(frame["respondents"], dtype="Int64")
    frame["strength"] = pd.array(frame["strength"], dtype="boolean")
    frame["challenge"] = pd.array(frame["challenge"], dtype="boolean")
    frame["reverse"] = frame["reverse"].astype(bool)
    _none_for_missing(frame, ["ministry_code", "suppression_reason"])
    for column in ("percent_positive", "percent_neutral", "percent_negative", "se_positive"):
        frame[column] = frame[column].astype(float)
    return frame


# ----------------------------------------------------------------------------- funnel plots


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise KpiError(f"funnel level {level!r} must be between 0 and 1 (e.g. 0.95).")
    return float(special.ndtri(1 - (1 - level) / 2))


def _level_name(level: float) -> str:
    return f"{level * 100:g}"


def _limits(
    centre: float,
    spread: np.ndarray,
    n: np.ndarray,
    levels: Sequence[float],
    bounds: tuple[float, float] | None,
) -> pd.DataFrame:
    out = pd.DataFrame({"n": n, "centre": centre})
    for level in levels:
        low, high = centre - _z(level) * spread, centre + _z(level) * spread
        if bounds is not None:
            low, high = np.clip(low, *bounds), np.clip(high, *bounds)
        out[f"lower_{_level_name(level)}"] = low
        out[f"upper_{_level_name(level)}"] = high
    return out


def _sizes(n: Any) -> np.ndarray:
    sizes = np.atleast_1d(np.asarray(n, dtype=float))
    if (sizes <= 0).any() or np.isnan(sizes).any():
        raise KpiError("funnel sample sizes must be positive.")
    return sizes


def funnel_limits(
    p0: float,
    n: Any,
    levels: Sequence[float] = (0.95, 0.998),
    *,
    percent: bool = False,
) -> pd.DataFrame:
    """Funnel limits for a proportion: ``p0 +/- z * sqrt(p0 (1 - p0) / n)`` (Spiegelhalter).

    Parameters
    ----------
    p0 : float
        The centre: a share (0-1), or a percent (0-100) with ``percent=True``.
    n : Any
        Sample size, or an array-like of sizes; each positive.
    levels : sequence of float, default (0.95, 0.998)
        Two-sided coverage of each pair of limits, each between 0 and 1.
    percent : bool, default False
        Whether ``p0`` and the limits are percents.

    Returns
    -------
    DataFrame
        One row per size. Columns: n, centre, then ``lower_<L>`` and ``upper_<L>`` per level
        with ``L`` the level in percent (lower_95, upper_95, lower_99.8, upper_99.8 by
        default); limits in the scale of ``p0``, clipped to [0, 1] or [0, 100].

    Raises
    ------
    KpiError
        When ``p0`` is outside its scale, a size is not positive or a level is not between 0
        and 1.
    """
    scale = 100.0 if percent else 1.0
    p = p0 / scale
    if not 0 <= p <= 1:
        raise KpiError(f"funnel p0 {p0!r} is outside [0, {scale:g}].")
    sizes = _sizes(n)
    spread = scale * np.sqrt(p * (1 - p) / sizes)
    return _limits(p0, spread, sizes, levels, (0.0, scale))


def funnel_limits_mean(
    mean0: float,
    sd: float,
    n: Any,
    levels: Sequence[float] = (0.95, 0.998),
    *,
    bounds: tuple[float, float] | None = (0.0, 100.0),
) -> pd.DataFrame:
    """Funnel limits for a mean index: ``mean0 +/- z * sd / sqrt(n)``, clipped to ``bounds``.

    Parameters
    ----------
    mean0 : float
        The centre mean.
    sd : float
        Respondent-level standard deviation of the index.
    n : Any
        Sample size, or an array-like of sizes; each positive.
    levels : sequence of float, default (0.95, 0.998)
        Two-sided coverage of each pair of limits, each between 0 and 1.
    bounds : tuple of float or None, default (0.0, 100.0)
        Range the limits are clipped to; None for no clipping.

    Returns
    -------
    DataFrame
        Columns as :func:`funnel_limits`.

    Raises
    ------
    KpiError
        When a size is not positive or a level is not between 0 and 1.
    """
    sizes = _sizes(n)
    return _limits(mean0, sd / np.sqrt(sizes), sizes, levels, bounds)


def funnel_position(
    value: float,
    n: float,
    p0: float,
    *,
    percent: bool = False,
    sd: float | None = None,
    levels: Sequence[float] = (0.95, 0.998),
) -> str | None:
    """Where ``value`` lies in the funnel: "above 99.8%", "above 95%", "within", "below 95%"
    or "below 99.8%" (a value on a limit is inside it); None when value or n is missing.

    Proportion limits from ``p0`` (see :func:`funnel_limits`), or mean-index limits when
    ``sd`` is given (``p0`` is then the centre mean, see :func:`funnel_limits_mean`; the limits
    are not clipped).

    Parameters
    ----------
    value : float
        The agency's value, in the scale of ``p0``.
    n : float
        Its sample size.
    p0 : float
        The centre: a share (0-1), or a percent (0-100) with ``percent=True``; the centre mean
        when ``sd`` is given.
    percent : bool, default False
        Whether ``p0`` is a percent; ignored when ``sd`` is given.
    sd : float, optional
        Respondent-level standard deviation: use mean-index limits.
    levels : sequence of float, default (0.95, 0.998)
        Coverage of the limits; the labels use them in percent.

    Returns
    -------
    str or None
        ``"above <L>%"`` or ``"below <L>%"`` for the widest level whose limit ``value`` is
        beyond, else ``"within"``; None when ``value`` or ``n`` is missing.

    Raises
    ------
    KpiError
        As :func:`funnel_limits` and :func:`funnel_limits_mean`.
    """
    if value is None or n is None or pd.isna(value) or pd.isna(n):
        return None
    if sd is None:
        limits = funnel_limits(p0, [n], levels, percent=percent).iloc[0]
    else:
        limits = funnel_limits_mean(p0, sd, [n], levels, bounds=None).iloc[0]
    for level in sorted(levels, reverse=True):
        name = _level_name(level)
        if value > limits[f"upper_{name}"]:
            return f"above {name}%"
        if value < limits[f"lower_{name}"]:
            return f"below {name}%"
    return "within"


# ----------------------------------------------------------------------------- output


def indicator_history(year: int, root: Path | None = None) -> pd.DataFrame:
    """The indicator tables of every processed fiscal year up to ``year``, stacked.

    Parameters
    ----------
    year : int
        Fiscal year, B.E.; years after it are left out.
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        Every ``data/processed/<year>/indicators/indicators.parquet`` with a year up to
        ``year``, oldest first; no rows (columns :data:`COLUMNS` and :data:`EXTRA_COLUMNS`)
        when there is none.
    """
    be = year
    processed = paths.processed_dir(be, "indicators", root).parent.parent
    found = sorted(
        int(p.parent.parent.name)
        for p in processed.glob("[0-9][0-9][0-9][0-9]/indicators/indicators.parquet")
        if int(p.parent.parent.name) <= be
    )
    if not found:
        return pd.DataFrame(columns=[*COLUMNS, *EXTRA_COLUMNS])
    return pd.concat(
        [
            pd.read_parquet(paths.processed_dir(y, "indicators", root) / "indicators.parquet")
            for y in found
        ],
        ignore_index=True,
    )


def write_indicators(
    table: pd.DataFrame,
    year: int,
    root: Path | None = None,
    *,
    items: pd.DataFrame | None = None,
) -> list[Path]:
    """Write ``data/processed/<year>/indicators/indicators.parquet`` (and ``items.parquet``
    when ``items`` is given), each atomically.

    Parameters
    ----------
    table : DataFrame
        The indicator table of :func:`indicator_table`.
    year : int
        Fiscal year, B.E.; every row of ``table`` and ``items`` must be of this year.
    root : Path, optional
        Project root.
    items : DataFrame, optional
        The item table of :func:`item_results`.

    Returns
    -------
    list of Path
        The paths written.

    Raises
    ------
    KpiError
        When ``table`` or ``items`` has rows of another fiscal year.
    """
    for name, frame in (("indicators", table), ("items", items)):
        if frame is not None and len(frame) and set(frame["fiscal_year"]) != {year}:
            raise KpiError(f"{name} table is for {sorted(set(frame['fiscal_year']))}, not {year}.")
    folder = paths.resolve(config.pipeline(root)["paths"]["processed"], root)
    folder = folder / str(year) / "indicators"
    written = [write_parquet_atomic(table, folder / "indicators.parquet")]
    if items is not None:
        written.append(write_parquet_atomic(items, folder / "items.parquet"))
    return written
