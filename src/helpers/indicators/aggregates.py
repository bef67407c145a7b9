"""Per-agency aggregate tables for the reports, computed once for all agencies (indicators stage).

The report notebooks read these tables and the indicator table only, never respondent rows, so
their executed notebooks (the audit record) hold aggregates alone.

- :func:`measure_results`: construct scores (ecosystem, skillsets, mindset, 0-100), the four
  personas (one item each, 0-100) and the five OECD trust drivers (0-10): weighted mean, 95 %
  interval, respondents, and the benchmarks ``gov_median``, ``gov_q3``, ``ministry_median``
  (median and upper quartile of the published agency values, as in :mod:`helpers.indicators.kpi`).
- :func:`satisfaction_correlations`: within each agency, the correlation of each driver of
  satisfaction with the satisfaction index ("what drives satisfaction here"); only from
  ``MIN_DRIVER_RESPONDENTS`` complete answers up, since a correlation from a few dozen people
  is noise.
- :func:`set_aside_summary`: rows that cleaning set aside, by agency, survey and reason.
- :func:`funnel_parameters`: centre and spread for the funnel plots of A5 and A7.
- :func:`missing_questions`: questions missing from the raw files an agency's answers came from.

Anything from fewer than ``confidentiality.min_respondents`` respondents is suppressed: value,
interval and respondents missing, with the reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import config, paths
from helpers.core.atomic import write_parquet_atomic
from helpers.indicators import kpi
from helpers.stats import scores
from helpers.stats.weights import calibrated_design

MIN_DRIVER_RESPONDENTS = 30
MEASURE_COLUMNS = [
    "fiscal_year",
    "agency_code",
    "ministry_code",
    "group",
    "measure",
    "value",
    "se",
    "ci_low",
    "ci_high",
    "respondents",
    "scale_max",
    "suppression_reason",
    "gov_median",
    "gov_q3",
    "ministry_median",
]
CORRELATION_COLUMNS = [
    "fiscal_year",
    "agency_code",
    "measure",
    "correlation",
    "respondents",
    "suppression_reason",
]
SET_ASIDE_COLUMNS = ["fiscal_year", "agency_code", "instrument", "reason", "rows"]
FUNNEL_COLUMNS = ["fiscal_year", "indicator", "kind", "centre", "sd"]
MISSING_QUESTION_COLUMNS = ["fiscal_year", "agency_code", "instrument", "column", "files"]
# Codebook column types whose absence a reader of the results should know about (ids, dates and
# form versions are bookkeeping).
QUESTION_TYPES = {"likert", "binary", "score", "category", "integer", "count", "percent"}
# Drivers of satisfaction correlated with the index (score columns from helpers.stats.scores).
SATISFACTION_DRIVERS = {
    "eco_score": "ecosystem",
    "skl_score": "skillsets",
    "mnd_score": "mindset",
    "idp_carried": "idp_carried",
}


def _ministries(registry: pd.DataFrame) -> pd.Series:
    return registry.set_index("agency_code")["ministry_code"]


def _staff_measures(staff: pd.DataFrame, root: Path | None) -> dict[str, tuple[str, pd.Series]]:
    """measure -> (group, respondent values on 0-100) for constructs and personas."""
    book = config.codebook("staff_survey", root)
    out: dict[str, tuple[str, pd.Series]] = {}
    for construct in ("ecosystem", "skillsets", "mindset"):
        score = scores.construct_score(staff, book, construct)
        out[construct] = ("construct", (score - 1) * 25)
    personas = scores.item_values(staff, book, "persona")
    for column in book.items("persona"):
        out[column.name] = ("persona", (personas[column.name] - 1) * 25)
    return out


def _citizen_measures(citizen: pd.DataFrame, root: Path | None) -> dict[str, tuple[str, pd.Series]]:
    book = config.codebook("citizen_survey", root)
    return {
        c.name: ("driver", citizen[c.name].astype("Float64"))
        for c in book.columns
        if c.construct == "trust_driver"
    }


def _estimate_rows(
    frame: pd.DataFrame,
    measures: dict[str, tuple[str, pd.Series]],
    scale_max: float,
    year: int,
    ministries: pd.Series,
    k: int,
    weight: str,
    cell: str,
) -> list[dict]:
    if cell not in frame.columns:
        raise kpi.KpiError(
            f"the survey rows have no calibration cell column {cell!r}: attach the weights "
            "with helpers.stats.weights.attach_weights"
        )
    work = frame[["agency", weight, cell]].copy()
    for name, (_, values) in measures.items():
        work[name] = values.astype("float64")
    rows = []
    for agency, part in work.groupby("agency", sort=True, observed=True):
        design = None
        for name, (group, _) in measures.items():
            n = int(part[name].notna().sum())
            row = {
                "fiscal_year": year,
                "agency_code": str(agency),
                "ministry_code": ministries.get(agency),
                "group": group,
                "measure": name,
                "scale_max": scale_max,
                "respondents": n if n == 0 else pd.NA,
            }
            if 0 < n < k:
                row["suppression_reason"] = kpi._reason(k)
            elif n >= k:
                if design is None:
                    design = calibrated_design(part, weight=weight, cell=cell)
                e = design.mean(name)
                row.update(
                    value=e.estimate,
                    se=e.se,
                    ci_low=max(e.ci_low, 0.0),
                    ci_high=min(e.ci_high, scale_max),
                    respondents=n,
                )
            rows.append(row)
    return rows


def _add_benchmarks(frame: pd.DataFrame) -> pd.DataFrame:
    published = frame.dropna(subset=["value"]).astype({"value": "float64"})
    gov = (
        published.groupby("measure")["value"]
        .quantile([0.5, 0.75])
        .unstack()
        .reindex(columns=[0.5, 0.75])  # no published value at all: no quantile columns
    )
    gov.columns = ["gov_median", "gov_q3"]
    ministry = published.groupby(["measure", "ministry_code"])["value"].median()
    frame = frame.merge(gov, left_on="measure", right_index=True, how="left")
    frame["ministry_median"] = [
        ministry.get((m, c), np.nan)
        for m, c in zip(frame["measure"], frame["ministry_code"], strict=True)
    ]
    return frame


def measure_results(
    staff: pd.DataFrame | None,
    citizen: pd.DataFrame | None,
    year: int,
    registry: pd.DataFrame,
    *,
    weight: str = "weight",
    cell: str = "weight_cell",
    min_respondents: int | None = None,
    root: Path | None = None,
) -> pd.DataFrame:
    """Constructs, personas (0-100) and trust drivers (0-10) per agency, with benchmarks.

    Construct scores (:func:`helpers.stats.scores.construct_score`) and persona items (1-5)
    are rescaled to 0-100 (``(x - 1) * 25``); trust drivers stay 0-10. Each value is the
    weighted mean over the agency's respondents with an answer, with a 95 % interval clipped
    to the scale, from the agency's calibrated design
    (:func:`helpers.stats.weights.calibrated_design`, as the indicators).

    Parameters
    ----------
    staff : DataFrame or None
        Staff survey rows with ``agency``, the construct and persona items and ``weight``;
        None (or empty) for none.
    citizen : DataFrame or None
        Citizen survey rows with ``agency``, the trust driver columns and ``weight``; None (or
        empty) for none.
    year : int
        Fiscal year, B.E.
    registry : DataFrame
        The agency registry, with ``agency_code`` and ``ministry_code``.
    weight : str, default "weight"
        The survey weight column.
    cell : str, default "weight_cell"
        The calibration cell column of the surveys.
    min_respondents : int, optional
        Reporting threshold; default ``confidentiality.min_respondents``.
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        One row per agency and measure, columns :data:`MEASURE_COLUMNS`. ``group`` is
        ``construct``, ``persona`` or ``driver``; ``scale_max`` 100 or 10. Below the threshold
        value, interval and respondents are missing, with ``suppression_reason``; without any
        answer ``respondents`` is 0.
    """
    year, k, ministries = (
        year,
        kpi.reporting_threshold(min_respondents, root),
        _ministries(registry),
    )
    rows: list[dict] = []
    if staff is not None and len(staff):
        rows += _estimate_rows(
            staff, _staff_measures(staff, root), 100.0, year, ministries, k, weight, cell
        )
    if citizen is not None and len(citizen):
        rows += _estimate_rows(
            citizen, _citizen_measures(citizen, root), 10.0, year, ministries, k, weight, cell
        )
    frame = pd.DataFrame.from_records(rows, columns=MEASURE_COLUMNS[:12])
    frame = _add_benchmarks(frame)
    frame["respondents"] = pd.array(frame["respondents"], dtype="Int64")
    for column in ("value", "se", "ci_low", "ci_high", "scale_max"):
        frame[column] = frame[column].astype(float)
    frame["fiscal_year"] = frame["fiscal_year"].astype("int64")
    kpi._none_for_missing(frame, ["ministry_code", "suppression_reason"])
    return frame[MEASURE_COLUMNS].reset_index(drop=True)


def satisfaction_correlations(
    staff: pd.DataFrame | None,
    year: int,
    *,
    min_respondents: int = MIN_DRIVER_RESPONDENTS,
    root: Path | None = None,
) -> pd.DataFrame:
    """Pearson correlation of each driver with the satisfaction index, within each agency,
    over respondents with both answers; suppressed below ``min_respondents`` such pairs.

    The correlation is unweighted. Drivers are :data:`SATISFACTION_DRIVERS` (construct scores
    and ``idp_carried`` of :func:`helpers.stats.scores.staff_scores`).

    Parameters
    ----------
    staff : DataFrame or None
        Staff survey rows with ``agency`` and the columns :func:`helpers.stats.scores.staff_scores`
        needs; None (or empty) gives an empty table.
    year : int
        Fiscal year, B.E.
    min_respondents : int, default MIN_DRIVER_RESPONDENTS
        Fewest respondents with both answers for a published correlation (30).
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        One row per agency and driver, columns :data:`CORRELATION_COLUMNS`. Suppressed rows
        have no correlation or respondents; a driver or index that does not vary gives
        ``suppression_reason`` "no variation" with the respondents.
    """
    if staff is None or not len(staff):
        return pd.DataFrame(columns=CORRELATION_COLUMNS)
    scored = scores.staff_scores(staff, config.codebook("staff_survey", root))
    rows = []
    for agency, part in scored.groupby("agency", sort=True, observed=True):
        outcome = part["sat_index"].astype("float64")
        for column, measure in SATISFACTION_DRIVERS.items():
            driver = part[column].astype("float64")
            both = outcome.notna() & driver.notna()
            n = int(both.sum())
            row = {"fiscal_year": year, "agency_code": str(agency), "measure": measure}
            if n < min_respondents:
                row["suppression_reason"] = (
                    f"fewer than {min_respondents} respondents for a driver analysis"
                )
            elif driver[both].std() == 0 or outcome[both].std() == 0:
                row.update(respondents=n, suppression_reason="no variation")
            else:
                row.update(
                    correlation=float(np.corrcoef(driver[both], outcome[both])[0, 1]),
                    respondents=n,
                )
            rows.append(row)
    frame = pd.DataFrame.from_records(rows, columns=CORRELATION_COLUMNS)
    frame["correlation"] = frame["correlation"].astype(float)
    frame["respondents"] = pd.array(frame["respondents"], dtype="Int64")
    kpi._none_for_missing(frame, ["suppression_reason"])
    return frame


def set_aside_summary(set_aside: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rows set aside by cleaning, counted by agency (where known), survey and reason.

    Parameters
    ----------
    set_aside : DataFrame
        Cleaning's set-aside rows, with ``agency_code`` (may be missing), ``instrument`` and
        ``reason``; None or empty gives an empty table.
    year : int
        Fiscal year, B.E.

    Returns
    -------
    DataFrame
        Columns :data:`SET_ASIDE_COLUMNS`; ``agency_code`` None for rows without an agency.
    """
    if set_aside is None or set_aside.empty:
        return pd.DataFrame(columns=SET_ASIDE_COLUMNS)
    work = set_aside.assign(agency_code=set_aside["agency_code"].astype(object))
    work["agency_code"] = work["agency_code"].where(work["agency_code"].notna(), "")
    counts = (
        work.groupby(["agency_code", "instrument", "reason"], sort=True)
        .size()
        .rename("rows")
        .reset_index()
    )
    counts.insert(0, "fiscal_year", year)
    counts["agency_code"] = counts["agency_code"].replace("", None)
    counts["rows"] = counts["rows"].astype("int64")
    return counts[SET_ASIDE_COLUMNS]


def missing_questions(
    ledger: pd.DataFrame, clean: dict[str, pd.DataFrame], year: int, root: Path | None = None
) -> pd.DataFrame:
    """Questions that no column of a raw file held (the ledger's ``columns_missing``), for each
    agency with answers kept from that file: the reports' methods section names them.

    Only codebook columns of the types in :data:`QUESTION_TYPES` count as questions.

    Parameters
    ----------
    ledger : DataFrame
        The cleaning ledger (``clean/ledger.parquet``): instrument, file, columns_missing
        (names separated by ``"; "``).
    clean : dict of str to DataFrame
        The cleaned tables by instrument, with ``agency`` and ``source_file``.
    year : int
        Fiscal year, B.E.
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        One row per agency, instrument and missing question, with the number of the agency's
        files that lacked it (columns :data:`MISSING_QUESTION_COLUMNS`).
    """
    rows = []
    if ledger is not None and "columns_missing" in ledger:
        for entry in ledger[ledger["columns_missing"].fillna("") != ""].itertuples():
            book = config.codebook(entry.instrument, root)
            table = clean.get(entry.instrument)
            if table is None or table.empty:
                continue
            agencies = sorted(set(table.loc[table["source_file"] == entry.file, "agency"]))
            for name in entry.columns_missing.split("; "):
                if name in book.names and book.column(name).type in QUESTION_TYPES:
                    rows += [
                        {"agency_code": code, "instrument": entry.instrument, "column": name}
                        for code in agencies
                    ]
    if not rows:
        return pd.DataFrame(columns=MISSING_QUESTION_COLUMNS)
    frame = (
        pd.DataFrame(rows)
        .groupby(["agency_code", "instrument", "column"], sort=True)
        .size()
        .rename("files")
        .reset_index()
    )
    frame.insert(0, "fiscal_year", year)
    frame["files"] = frame["files"].astype("int64")
    return frame[MISSING_QUESTION_COLUMNS]


def funnel_parameters(
    staff: pd.DataFrame | None, table: pd.DataFrame, year: int, root: Path | None = None
) -> pd.DataFrame:
    """Funnel centres (the government median of agency values, a published figure) and, for
    the A5 mean index, the respondent-level standard deviation of the index.

    Parameters
    ----------
    staff : DataFrame or None
        Staff survey rows with the satisfaction items; None (or empty) leaves ``sd`` missing.
    table : DataFrame
        The indicator table (:func:`helpers.indicators.kpi.indicator_table`).
    year : int
        Fiscal year, B.E.
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        Two rows, A5 (``kind`` "mean") and A7 (``kind`` "proportion"), columns
        :data:`FUNNEL_COLUMNS`: ``centre`` is the median of the published values (missing
        when none); ``sd`` the unweighted standard deviation of the satisfaction index (0-100)
        over all staff respondents, for A5 only.
    """
    rows = []
    for indicator, kind in (("A5", "mean"), ("A7", "proportion")):
        published = table[(table["indicator"] == indicator) & table["value"].notna()]
        centre = float(published["value"].median()) if len(published) else np.nan
        sd = np.nan
        if kind == "mean" and staff is not None and len(staff):
            index = scores.satisfaction_index(staff, config.codebook("staff_survey", root))
            sd = float(index.astype("float64").std())
        rows.append(
            {"fiscal_year": year, "indicator": indicator, "kind": kind, "centre": centre, "sd": sd}
        )
    return pd.DataFrame(rows, columns=FUNNEL_COLUMNS)


def write_aggregates(
    frames: dict[str, pd.DataFrame], year: int, root: Path | None = None
) -> list[Path]:
    """Write each frame to ``data/processed/<year>/indicators/<name>.parquet`` atomically.

    Parameters
    ----------
    frames : dict of str to DataFrame
        The tables by name.
    year : int
        Fiscal year, B.E.
    root : Path, optional
        Project root.

    Returns
    -------
    list of Path
        The paths written.
    """
    folder = paths.processed_dir(year, "indicators", root)
    return [
        write_parquet_atomic(frame, folder / f"{name}.parquet") for name, frame in frames.items()
    ]
