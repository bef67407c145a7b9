"""Survey weights for the staff and citizen surveys, set in ``config/weights.yaml``.

Staff survey (:func:`staff_weights`), one agency at a time:

1. Every respondent gets the base weight ``N / n`` (the agency's registry headcount over its
   respondents).
2. Weighting cells are the ``group`` of the respondent's position level in ``scales.yaml``
   (executive, director, academic_entry, academic_senior, general). A respondent without a
   level falls back to the position type: executive, director and general map to the group of
   the same name; an academic without a level cannot be told apart between academic_entry and
   academic_senior, so in an agency with such a respondent those two groups are always merged
   into one ``academic`` cell (the type's name).
3. Cells are collapsed. A cell is *too small* when it has fewer than ``min_cell`` respondents
   while the registry has staff in it (no respondents at all included), or when it has
   respondents but no registry staff. The merges of ``collapse_order`` are tried in order
   (by default executive+director -> ``management``, then academic_entry+academic_senior ->
   ``academic``, then management+academic_senior -> ``senior``); a merge is made only when one
   of the cells it touches is too small, and merges whole current cells. The merged cell is
   named after the step when it holds exactly the step's groups, otherwise its groups joined
   by "+". If a cell is still too small after every merge, the agency has one cell, ``all``:
   plain ``N / n`` weights. Cells with neither respondents nor registry staff are ignored.
   The summary's ``cells_collapsed`` lists each merge made and why.
4. The base weights are raked (:meth:`helpers.stats.survey.Design.rake`; with one margin this is
   post-stratification) to the registry headcount of every cell. Every cell total then equals
   its registry headcount and the agency total equals ``headcount_total``.
5. Weights above ``cap`` x the agency's mean weight ``N / n`` are trimmed to that bound and
   the agency is raked back to its headcount with the same cap (``Design.rake(cap=...)`` on
   the one-cell margin), which spreads the trimmed amount over the untrimmed respondents in
   proportion to their weights. After capping, what is preserved exactly is the agency total
   (= registry headcount) and the ratios between the totals of the cells that were not
   trimmed; a trimmed cell's total falls below its registry headcount and each untrimmed
   cell's total rises above its own by the same factor. Without capping (``capped == 0`` in
   the summary) every cell total equals the registry's.

Citizen survey (:func:`citizen_weights`): the population of each agency's service users is
unknown, so each agency's sample stands for its own users with equal design weights, and the
weights are only post-stratified to region shares within the agency and scaled to sum to the
agency's respondent count (they average 1 per agency; weighted *totals* of citizens mean
nothing, weighted means and shares do). The shares are renormalised over the regions present
in the agency's sample. Rows with a missing region keep weight 1 and take no part in the
post-stratification: the rows with a region share ``n_with_region`` among them in the target
proportions. Weights above ``citizen_cap`` x 1 are trimmed the same way as staff weights,
within the rows that have a region.

Design effects are Kish's effect of unequal weighting, ``n * sum(w^2) / sum(w)^2``, and the
effective sample size is ``n / deff``.

Calibration cells and standard errors
-------------------------------------
Every weighted respondent has a calibration cell, ``weight_cell``: the staff weighting cell,
or the citizen's region (``no_region`` for the rows without one, which keep weight 1). Within
an agency the final weights are constant in each cell (equal base weights, post-stratified,
then capped and raked back by the same factors), so they are exactly the post-stratification of
the agency's equal base weights to the cell totals they reproduce. :func:`calibrated_design`
rebuilds that design from the final weights and the cells
(:meth:`helpers.stats.survey.Design.calibrated_on`, agency x cell): estimates are those of the
final weights, bit for bit, and their variance is R's ``postStratify`` linearisation, which, as
every post-stratified variance, is conditional on the number of respondents per cell.

Capping. Without capping the reproduced totals are the registry headcounts (staff) or the
region shares times the respondents with a region (citizens). Where the cap binds, only the
agency total still equals the headcount: a trimmed cell's total is the bound times its
respondents and the other cells' totals are their headcounts times a common factor. Given the
respondents per cell these totals are fixed, so the post-stratified linearisation on the
reproduced totals is still the right one conditionally; it is what R gives for
``trimWeights(postStratify(...))`` (the calibration is kept; reference test in
``tests/reference``). Unconditionally a trimmed cell's total moves with its number of
respondents, which adds variance the conditional SE leaves out (to first order, a trimmed
cell's rows are centred at the untrimmed cells' mean instead of their own): in the demo's
capped citizen samples that SE lies between the conditional one and that of fixed weights, up
to 12 % above the conditional one where a single respondent of a region was capped. A cell of
one respondent contributes no variance to a post-stratified SE, capped or not; staff cells
have at least ``min_cell`` respondents, citizen regions have no minimum. Citizens without a
region are treated the same way: conditionally on how many gave their region, they form a cell
of their own.

:func:`write_weights` writes, per instrument, ``<instrument>_weights.parquet``: one row per
weighted respondent with the response id, ``source_file`` and ``source_row`` (the row key of
the clean table: survey tools such as Google Forms export no response id), ``agency``,
``weight_cell``, ``cell_total`` (the total of the final weights in the agency's cell: the
post-stratification total for R's ``postStratify`` on agency x cell, or Stata's
``postweight()``) and ``weight``.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.core import atomic, config, paths
from helpers.core.config import ConfigError
from helpers.stats.survey import Design

ALL_CELL = "all"
NO_REGION_CELL = "no_region"
SHARE_TOLERANCE = 1e-6
_RAKE_TOL = 1e-11
_RAKE_MAX_ITER = 10_000
_SETTING_KEYS = ("min_cell", "cap", "citizen_cap", "collapse_order", "citizen_region_shares")


class WeightsError(ValueError):
    """Survey data or a registry that weights cannot be computed from, as given."""


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class CollapseStep:
    """Merge ``cells`` (groups or earlier steps' names) into one cell called ``into``.

    Attributes
    ----------
    into : str
        Name of the merged cell; not a position-level group, an earlier step's name or
        ``all``.
    cells : tuple of str
        At least two position-level groups of ``scales.yaml`` or earlier steps' ``into``.
    """

    into: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class WeightSettings:
    """The checked settings of ``config/weights.yaml`` (see the module docstring).

    Attributes
    ----------
    min_cell : int
        A staff weighting cell with fewer respondents is too small (at least 1).
    cap : float
        Staff weights are trimmed above ``cap`` times the agency's mean weight (above 1).
    citizen_cap : float
        The same cap for citizen weights, whose agency mean is 1 (above 1).
    collapse_order : tuple of CollapseStep
        The merges tried, in order, for too small staff cells.
    citizen_region_shares : dict of str to float
        Population share of every region code of ``scales.yaml``, summing to 1.
    """

    min_cell: int
    cap: float
    citizen_cap: float
    collapse_order: tuple[CollapseStep, ...]
    citizen_region_shares: dict[str, float]


def settings(root: Path | None = None) -> WeightSettings:
    """The checked contents of ``config/weights.yaml`` (cached per project root).

    Parameters
    ----------
    root : Path, optional
        Project root.

    Returns
    -------
    WeightSettings
        The settings.

    Raises
    ------
    ConfigError
        When ``weights.yaml`` is missing or invalid: a key missing, ``min_cell`` not a whole
        number >= 1, a cap not above 1, a malformed ``collapse_order``, region shares not for
        exactly the regions of ``scales.yaml`` or not summing to 1; or when a position level of
        ``scales.yaml`` lacks ``type`` or ``group``.
    """
    config.document("weights", root)  # cached; noted as read (helpers.core.config.recording)
    return _settings(root or paths.project_root())


def clear_cache() -> None:
    """Forget the checked settings and position levels read by this module.

    The parsed YAML files are cached by :mod:`helpers.core.config` as well: after editing
    ``weights.yaml`` or ``scales.yaml`` in place, call ``helpers.core.config.clear_cache()``
    too.
    """
    _settings.cache_clear()
    _levels_cached.cache_clear()


@functools.cache
def _settings(root: Path) -> WeightSettings:
    path = paths.config_dir(root) / "weights.yaml"
    raw = config.document("weights", root)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must be a mapping with the keys {list(_SETTING_KEYS)}.")
    missing = [key for key in _SETTING_KEYS if key not in raw]
    if missing:
        raise ConfigError(f"{path}: missing keys {missing}.")
    min_cell = raw["min_cell"]
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise ConfigError(
            f"{path}: min_cell must be a whole number of at least 1, not {min_cell!r}."
        )
    caps = {key: _check_cap(raw[key], f"{path}: {key}") for key in ("cap", "citizen_cap")}
    groups = list(dict.fromkeys(group for _, group in _levels(root).values()))
    steps = _check_steps(raw["collapse_order"], groups, f"{path}: collapse_order")
    shares = raw["citizen_region_shares"]
    if not isinstance(shares, dict):
        raise ConfigError(f"{path}: citizen_region_shares must map region codes to shares.")
    regions = config.scales(root)["region"].codes
    if set(shares) != set(regions):
        raise ConfigError(
            f"{path}: citizen_region_shares must give a share for exactly the regions of "
            f"scales.yaml {regions}; missing {sorted(set(regions) - set(shares))}, unknown "
            f"{sorted(map(str, set(shares) - set(regions)))}."
        )
    try:
        checked = check_shares(shares)
    except WeightsError as exc:
        raise ConfigError(f"{path}: citizen_region_shares: {exc}") from None
    return WeightSettings(min_cell, caps["cap"], caps["citizen_cap"], steps, checked)


def _check_cap(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 1:
        raise ConfigError(
            f"{where} must be a number above 1 (times the mean weight), not {value!r}."
        )
    return float(value)


def _check_steps(raw: Any, groups: Sequence[str], where: str) -> tuple[CollapseStep, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where} must be a list of {{into: name, cells: [names]}}.")
    known = set(groups)
    steps = []
    for number, step in enumerate(raw, 1):
        if not (isinstance(step, dict) and set(step) == {"into", "cells"}):
            raise ConfigError(f"{where}: step {number} must be {{into: name, cells: [names]}}.")
        into, cells = step["into"], step["cells"]
        if not isinstance(into, str) or into in known or into == ALL_CELL:
            raise ConfigError(
                f"{where}: step {number}: 'into' must be a new cell name, not {into!r} "
                f"(taken: {sorted(known | {ALL_CELL})})."
            )
        if not (isinstance(cells, list) and len(cells) >= 2):
            raise ConfigError(f"{where}: step {number}: 'cells' must list at least two cells.")
        unknown = [c for c in cells if c not in known]
        if unknown:
            raise ConfigError(
                f"{where}: step {number}: unknown cells {unknown}; expected position-level "
                f"groups of scales.yaml {list(groups)} or an earlier step's 'into'."
            )
        known.add(into)
        steps.append(CollapseStep(into, tuple(cells)))
    return tuple(steps)


def check_shares(shares: Mapping[str, float]) -> dict[str, float]:
    """``shares`` as a dict of floats, checked: each finite and >= 0, summing to 1 (+-1e-6).

    Parameters
    ----------
    shares : Mapping of str to float
        Share of each region, 0-1.

    Returns
    -------
    dict of str to float
        The shares with the region codes as strings.

    Raises
    ------
    WeightsError
        When no share is given, a share is not a number >= 0 (booleans included), or the
        shares do not sum to 1 within :data:`SHARE_TOLERANCE`.
    """
    if not shares:
        raise WeightsError("no region shares given")
    values = {}
    for region, share in shares.items():
        if isinstance(share, bool) or not isinstance(share, numbers.Real) or not share >= 0:
            raise WeightsError(f"share of {region!r} must be a number >= 0, not {share!r}")
        values[str(region)] = float(share)
    total = math.fsum(values.values())
    if not math.isfinite(total) or abs(total - 1) > SHARE_TOLERANCE:
        raise WeightsError(
            f"shares must sum to 1 (tolerance {SHARE_TOLERANCE:g}); they sum to {total:.6g}"
        )
    return values


@functools.cache
def _levels_cached(root: Path) -> dict[str, tuple[str, str]]:
    scale = config.scales(root)["position_level"]
    levels = {}
    for point in scale.points:
        if "type" not in point.extra or "group" not in point.extra:
            raise ConfigError(
                f"scales.yaml: position_level {point.code!r} needs both 'type' and 'group'."
            )
        levels[str(point.code)] = (str(point.extra["type"]), str(point.extra["group"]))
    return levels


def _levels(root: Path | None) -> dict[str, tuple[str, str]]:
    """Position level -> (position type, weighting group), from ``scales.yaml``."""
    config.scales(root)  # cached; noted as read (helpers.core.config.recording)
    return _levels_cached(root or paths.project_root())


# ----------------------------------------------------------------------------- shared pieces


def kish_deff(weights: np.ndarray) -> float:
    """Kish's design effect of unequal weighting, ``n * sum(w^2) / sum(w)^2``.

    Parameters
    ----------
    weights : ndarray
        The weights (anything ``numpy.asarray`` takes).

    Returns
    -------
    float
        The design effect, 1 for equal weights.
    """
    w = np.asarray(weights, dtype=float)
    return float(len(w) * (w**2).sum() / w.sum() ** 2)


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise WeightsError(f"{what} has no column(s) {missing}")


def _cap(weights: np.ndarray, cap: float) -> tuple[np.ndarray, int]:
    """Trim weights above ``cap`` x their mean and rake the total back (see module docstring).

    Returns the weights and how many sit at the cap.
    """
    total = weights.sum()
    bound = cap * total / len(weights)
    if weights.max() <= bound * (1 + 1e-12):
        return weights, 0
    frame = pd.DataFrame({"w": weights, "one": 0})
    capped = Design(frame, weight="w").rake(
        {"one": {0: total}}, cap=cap, tol=_RAKE_TOL, max_iter=_RAKE_MAX_ITER
    )
    w = capped.weights.to_numpy()
    w = w * (total / w.sum())
    return w, int((w >= bound * (1 - 1e-9)).sum())


# ----------------------------------------------------------------------------- staff


def staff_weights(
    staff: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    min_cell: int | None = None,
    cap: float | None = None,
    collapse_order: Sequence[CollapseStep] | None = None,
    root: Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weight staff respondents to registry headcounts by position group, agency by agency.

    See the module docstring for the method.

    Parameters
    ----------
    staff : DataFrame
        Staff survey rows with ``agency`` (registry code), ``position_type`` and
        ``position_level``.
    registry : DataFrame
        The agency registry with ``agency_code``, ``headcount_total`` and ``hc_<level>`` for
        every position level (as :func:`helpers.ingest.registry.load_registry` gives).
    min_cell : int, optional
        Fewest respondents in a weighting cell (at least 1). Default: ``min_cell`` of
        ``config/weights.yaml``.
    cap : float, optional
        Trim weights above ``cap`` times the agency's mean weight (above 1). Default: ``cap``
        of ``config/weights.yaml``.
    collapse_order : sequence of CollapseStep, optional
        The merges tried for too small cells. Default: ``collapse_order`` of
        ``config/weights.yaml``.
    root : Path, optional
        Project root.

    Returns
    -------
    weighted : DataFrame
        A copy of ``staff`` with ``weight_cell`` (string) and ``weight``.
    summary : DataFrame
        One row per agency with respondents: ``agency_code``, ``respondents``, ``headcount``,
        ``response_rate``, ``cells_used``, ``cells_collapsed``, ``max_weight_ratio``,
        ``design_effect_weighting`` (Kish), ``effective_n`` and ``capped`` (the number of
        weights at the cap).

    Raises
    ------
    WeightsError
        When ``cap`` or ``min_cell`` is out of range, a column is missing, a staff row has no
        agency, registry codes repeat, an agency is not in the registry, a position level is
        unknown or a row without a level has an unknown or missing position type, or a registry
        row's ``headcount_total`` is not positive or not the sum of its ``hc_<level>``.
    ConfigError
        When ``collapse_order`` names unknown cells or reuses a name, or the settings read
        from ``config/weights.yaml`` or ``scales.yaml`` are invalid.
    """
    if min_cell is None or cap is None or collapse_order is None:
        conf = settings(root)
        min_cell = conf.min_cell if min_cell is None else min_cell
        cap = conf.cap if cap is None else cap
        collapse_order = conf.collapse_order if collapse_order is None else collapse_order
    if not cap > 1:
        raise WeightsError(f"cap must be above 1 (times the mean weight), not {cap!r}")
    if min_cell < 1:
        raise WeightsError(f"min_cell must be at least 1, not {min_cell!r}")
    levels = _levels(root)
    groups = list(dict.fromkeys(group for _, group in levels.values()))
    steps = [
        (s.into, frozenset(s.cells))
        for s in _check_steps(
            [{"into": s.into, "cells": list(s.cells)} for s in collapse_order],
            groups,
            "collapse_order",
        )
    ]
    _require_columns(staff, ["agency", "position_type", "position_level"], "the staff frame")
    hc_columns = [f"hc_{level}" for level in levels]
    _require_columns(registry, ["agency_code", "headcount_total", *hc_columns], "the registry")

    row_group, combined = _row_groups(staff, levels)
    agency = staff["agency"]
    if agency.isna().any():
        raise WeightsError(f"{int(agency.isna().sum())} staff rows have no agency")
    agency = agency.astype(str).to_numpy()
    reg = registry.assign(agency_code=registry["agency_code"].astype(str))
    if reg["agency_code"].duplicated().any():
        dupes = sorted(reg.loc[reg["agency_code"].duplicated(), "agency_code"])
        raise WeightsError(f"agency codes repeat in the registry: {dupes}")
    reg = reg.set_index("agency_code")
    unknown = sorted(set(agency) - set(reg.index))
    if unknown:
        raise WeightsError(
            f"{len(unknown)} agencies have staff respondents but are not in the registry, so "
            f"they have no headcount to weight to: {unknown}"
        )

    weights = np.zeros(len(staff))
    cells = np.empty(len(staff), dtype=object)
    rows = []
    for code in sorted(set(agency)):
        at = np.flatnonzero(agency == code)
        headcounts = {
            group: int(sum(reg.at[code, f"hc_{lv}"] for lv, (_, g) in levels.items() if g == group))
            for group in groups
        }
        total = int(reg.at[code, "headcount_total"])
        if sum(headcounts.values()) != total or total <= 0:
            raise WeightsError(
                f"registry agency {code}: headcount_total {total} must be positive and equal "
                f"the sum of its hc_<level> columns ({sum(headcounts.values())})"
            )
        plan = _collapse(row_group[at], combined, headcounts, steps, min_cell)
        cell_of_row = np.array([plan.mapping[g] for g in row_group[at]], dtype=object)
        used = set(cell_of_row)
        targets = {  # in the order of the groups in scales.yaml
            label: float(sum(headcounts[g] for g in groups if plan.mapping[g] == label))
            for label in dict.fromkeys(plan.mapping[g] for g in groups)
            if label in used
        }
        frame = pd.DataFrame({"cell": cell_of_row, "base": total / len(at)})
        raked = Design(frame, weight="base").rake({"cell": targets}, tol=_RAKE_TOL)
        w, n_capped = _cap(raked.weights.to_numpy(), cap)
        weights[at], cells[at] = w, cell_of_row
        n = len(at)
        deff = kish_deff(w)
        rows.append(
            {
                "agency_code": code,
                "respondents": n,
                "headcount": total,
                "response_rate": n / total,
                "cells_used": ", ".join(targets),
                "cells_collapsed": "; ".join(plan.notes),
                "max_weight_ratio": float(w.max() / w.mean()),
                "design_effect_weighting": deff,
                "effective_n": n / deff,
                "capped": n_capped,
            }
        )
    out = staff.copy()
    out["weight_cell"] = pd.Series(cells, index=staff.index, dtype="string")
    out["weight"] = weights
    return out, pd.DataFrame(rows, columns=_STAFF_SUMMARY)


_STAFF_SUMMARY = [
    "agency_code",
    "respondents",
    "headcount",
    "response_rate",
    "cells_used",
    "cells_collapsed",
    "max_weight_ratio",
    "design_effect_weighting",
    "effective_n",
    "capped",
]


def _row_groups(
    staff: pd.DataFrame, levels: Mapping[str, tuple[str, str]]
) -> tuple[np.ndarray, dict[str, list[str]]]:
    """Each row's weighting group, and the types whose level-less rows span several groups.

    A row without a level gets its type's group when the type has one group, else the type's
    name (e.g. ``academic``), listed in the returned dict with the groups it spans.
    """
    type_groups: dict[str, list[str]] = {}
    for kind, group in levels.values():
        type_groups.setdefault(kind, [])
        if group not in type_groups[kind]:
            type_groups[kind].append(group)
    level = staff["position_level"].astype("string")
    kind = staff["position_type"].astype("string")
    bad_level = sorted(set(level.dropna()) - set(levels))
    if bad_level:
        raise WeightsError(
            f"unknown position level(s) {bad_level}: no weighting group for them in "
            f"scales.yaml position_level (known: {list(levels)})"
        )
    no_level = level.isna()
    bad_type = sorted(set(kind[no_level].dropna()) - set(type_groups))
    if bad_type or kind[no_level].isna().any():
        shown = bad_type + (["<missing>"] if kind[no_level].isna().any() else [])
        raise WeightsError(
            f"staff rows without a position level need a known position type to find their "
            f"weighting group; got {shown} (known types: {list(type_groups)})"
        )
    group = np.empty(len(staff), dtype=object)
    group[~no_level.to_numpy()] = [levels[lv][1] for lv in level[~no_level]]
    fallback = {t: (gs[0] if len(gs) == 1 else t) for t, gs in type_groups.items()}
    group[no_level.to_numpy()] = [fallback[t] for t in kind[no_level]]
    combined = {t: gs for t, gs in type_groups.items() if len(gs) > 1}
    return group, combined


@dataclass
class _Plan:
    mapping: dict[str, str]  # group (or combined type) -> cell label
    notes: list[str]


def _collapse(
    row_group: np.ndarray,
    combined: Mapping[str, list[str]],
    headcounts: Mapping[str, int],
    steps: Sequence[tuple[str, frozenset[str]]],
    min_cell: int,
) -> _Plan:
    """Decide the agency's weighting cells (module docstring, step 3)."""
    counts = pd.Series(row_group).value_counts().to_dict()
    mapping = {g: g for g in headcounts}
    members = {g: {g} for g in headcounts}  # name -> groups it covers
    notes = []
    for kind, spanned in combined.items():
        members[kind] = set(spanned)
        if counts.get(kind):
            for g in [kind, *spanned]:
                mapping[g] = kind
            notes.append(
                f"{'+'.join(spanned)} -> {kind} (position level missing for "
                f"{counts[kind]} {kind} respondents)"
            )

    def cell_size(label: str) -> tuple[int, int]:
        names = [k for k, c in mapping.items() if c == label]
        n = sum(counts.get(k, 0) for k in names)
        staff = sum(headcounts.get(k, 0) for k in names)
        return n, staff

    def problem(label: str) -> str | None:
        n, staff = cell_size(label)
        if n and not staff:
            return f"{label}: n={n} but no registry staff"
        if staff and n < min_cell:
            return f"{label}: n={n}"
        return None

    for into, cells in steps:
        covered = set().union(*(members[c] for c in cells))
        members[into] = covered
        touching = list(dict.fromkeys(mapping[g] for g in headcounts if g in covered))
        problems = [p for p in map(problem, touching) if p]
        if len(touching) > 1 and problems:
            merged = [g for g in headcounts if mapping[g] in touching]
            # Named after the step when it holds exactly the step's groups, else spelt out.
            label = into if set(merged) == covered else "+".join(merged)
            for k, c in list(mapping.items()):
                if c in touching:
                    mapping[k] = label
            notes.append(f"{'+'.join(touching)} -> {label} ({'; '.join(problems)})")
    live = list(dict.fromkeys(mapping.values()))
    problems = [p for p in map(problem, live) if p]
    if problems and len(live) > 1:
        mapping = dict.fromkeys(mapping, ALL_CELL)
        notes.append(f"everything -> {ALL_CELL} ({'; '.join(problems)}; min_cell {min_cell})")
    return _Plan(mapping, notes)


# ----------------------------------------------------------------------------- citizen


def citizen_weights(
    citizen: pd.DataFrame,
    region_shares: Mapping[str, float] | None = None,
    *,
    cap: float | None = None,
    root: Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Post-stratify citizen respondents to region shares within each agency (weights mean 1).

    See the module docstring for the method.

    Parameters
    ----------
    citizen : DataFrame
        Citizen survey rows with ``agency`` and ``region`` (a region code, or missing).
    region_shares : Mapping of str to float, optional
        Share of each region (0-1), summing to 1; within an agency they are renormalised over
        the regions present in its sample. Default: ``citizen_region_shares`` of
        ``config/weights.yaml``.
    cap : float, optional
        Trim weights above ``cap`` times the mean weight 1 (above 1). Default:
        ``citizen_cap`` of ``config/weights.yaml``.
    root : Path, optional
        Project root.

    Returns
    -------
    weighted : DataFrame
        A copy of ``citizen`` with ``weight_cell`` (string: the region, or
        :data:`NO_REGION_CELL`) and ``weight``; rows without a region keep weight 1.
    summary : DataFrame
        One row per agency: ``agency_code``, ``respondents``, ``regions_present``,
        ``missing_region``, ``shares_renormalised``, ``region_shares_used``,
        ``max_weight_ratio``, ``design_effect_weighting`` (Kish), ``effective_n`` and
        ``capped``.

    Raises
    ------
    WeightsError
        When ``cap`` is not above 1, the shares are invalid (:func:`check_shares`), a column
        is missing, a row has no agency, a region has no share, or a region with respondents
        in an agency has a share of 0.
    ConfigError
        When a default is taken from an invalid ``config/weights.yaml``.
    """
    if region_shares is None or cap is None:
        conf = settings(root)
        region_shares = conf.citizen_region_shares if region_shares is None else region_shares
        cap = conf.citizen_cap if cap is None else cap
    if not cap > 1:
        raise WeightsError(f"cap must be above 1 (times the mean weight), not {cap!r}")
    shares = check_shares(region_shares)
    _require_columns(citizen, ["agency", "region"], "the citizen frame")
    if citizen["agency"].isna().any():
        raise WeightsError(f"{int(citizen['agency'].isna().sum())} citizen rows have no agency")
    agency = citizen["agency"].astype(str).to_numpy()
    region = citizen["region"].astype("string")
    unknown = sorted(set(region.dropna()) - set(shares))
    if unknown:
        raise WeightsError(f"regions {unknown} have no share (shares given for {list(shares)})")
    region_values = region.to_numpy(dtype=object, na_value=None)

    weights = np.ones(len(citizen))
    rows = []
    for code in sorted(set(agency)):
        at = np.flatnonzero(agency == code)
        present_at = at[[region_values[i] is not None for i in at]]
        present = [r for r in shares if r in set(region_values[present_at])]
        zero = [r for r in present if shares[r] == 0]
        if zero:
            raise WeightsError(
                f"agency {code}: regions {zero} have respondents but a share of 0; they cannot "
                "be post-stratified"
            )
        used = {}
        n_capped = 0
        if len(present_at):
            scale = math.fsum(shares[r] for r in present)
            used = {r: shares[r] / scale for r in present}
            frame = pd.DataFrame({"region": region_values[present_at], "base": 1.0})
            targets = {r: share * len(present_at) for r, share in used.items()}
            raked = Design(frame, weight="base").rake({"region": targets}, tol=_RAKE_TOL)
            weights[present_at], n_capped = _cap(raked.weights.to_numpy(), cap)
        w = weights[at]
        deff = kish_deff(w)
        rows.append(
            {
                "agency_code": code,
                "respondents": len(at),
                "regions_present": ", ".join(present),
                "missing_region": len(at) - len(present_at),
                "shares_renormalised": len(present) < len(shares),
                "region_shares_used": ", ".join(f"{r}={s:.4f}" for r, s in used.items()),
                "max_weight_ratio": float(w.max() / w.mean()),
                "design_effect_weighting": deff,
                "effective_n": len(at) / deff,
                "capped": n_capped,
            }
        )
    out = citizen.copy()
    out["weight_cell"] = region.fillna(NO_REGION_CELL).set_axis(citizen.index)
    out["weight"] = weights
    return out, pd.DataFrame(rows, columns=_CITIZEN_SUMMARY)


_CITIZEN_SUMMARY = [
    "agency_code",
    "respondents",
    "regions_present",
    "missing_region",
    "shares_renormalised",
    "region_shares_used",
    "max_weight_ratio",
    "design_effect_weighting",
    "effective_n",
    "capped",
]


# ----------------------------------------------------------------------------- the weights stage

# The columns the weights stage adds to each surveyed instrument's clean table.
WEIGHT_COLUMNS = {
    "staff_survey": ("weight_cell", "weight"),
    "citizen_survey": ("weight_cell", "weight"),
}
# The columns of <instrument>_weights.parquet after the respondent id (module docstring).
FILE_COLUMNS = ("source_file", "source_row", "agency", "weight_cell", "cell_total", "weight")
SUMMARY_NAMES = {"staff_survey": "staff_weighting", "citizen_survey": "citizen_weighting"}


def weights_dir(year: int, root: Path | None = None) -> Path:
    """``data/processed/<year>/weights/``, written by the weights stage alone.

    Parameters
    ----------
    year : int
        Fiscal year, B.E.
    root : Path, optional
        Project root.

    Returns
    -------
    Path
        The folder (not created).
    """
    return paths.processed_dir(year, "weights", root)


def write_weights(
    weighted: pd.DataFrame,
    summary: pd.DataFrame,
    instrument: str,
    year: int,
    root: Path | None = None,
) -> list[Path]:
    """Write one instrument's respondent weights and its per-agency weighting summary.

    Parameters
    ----------
    weighted : DataFrame
        The clean table with the weight columns (:func:`staff_weights`, :func:`citizen_weights`),
        in the clean table's row order.
    summary : DataFrame
        The per-agency summary returned beside it.
    instrument : str
        ``staff_survey`` or ``citizen_survey``.
    year : int
        Fiscal year, B.E.
    root : Path, optional
        Project root.

    Returns
    -------
    list of Path
        ``<instrument>_weights.parquet`` (:func:`respondent_weights`) and
        ``<staff|citizen>_weighting.parquet`` (the summary, with ``fiscal_year``).
    """
    folder = weights_dir(year, root)
    return [
        atomic.write_parquet_atomic(
            respondent_weights(weighted, instrument, root), folder / f"{instrument}_weights.parquet"
        ),
        atomic.write_parquet_atomic(
            summary.assign(fiscal_year=year), folder / f"{SUMMARY_NAMES[instrument]}.parquet"
        ),
    ]


def respondent_weights(
    weighted: pd.DataFrame, instrument: str, root: Path | None = None
) -> pd.DataFrame:
    """The respondent weights file: row keys, agency, calibration cell, cell total and weight.

    One row per weighted respondent, in the clean table's order, for re-analysis elsewhere
    (R: ``postStratify`` on agency x ``weight_cell`` with ``cell_total`` as the population;
    Stata: ``svyset [pw=weight], poststrata(<agency x cell>) postweight(cell_total)``). Rows
    join the clean table on the response id or, where a survey tool exported none, on
    ``source_file`` and ``source_row``; the response id is the only identifier kept.

    Parameters
    ----------
    weighted : DataFrame
        The clean table (with ``source_file`` and ``source_row``, as cleaning writes it) with
        the weight columns (:func:`staff_weights`, :func:`citizen_weights`).
    instrument : str
        ``staff_survey`` or ``citizen_survey``.
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        The codebook's id column, then :data:`FILE_COLUMNS`; ``cell_total`` is the sum of the
        final weights of the respondent's agency and cell.

    Raises
    ------
    WeightsError
        When ``weighted`` lacks one of the columns.
    """
    key = config.codebook(instrument, root).id_column
    columns = [key, *(c for c in FILE_COLUMNS if c != "cell_total")]
    _require_columns(weighted, columns, f"the weighted {instrument} table")
    out = weighted[columns].reset_index(drop=True)
    out["agency"] = out["agency"].astype("string")
    out["weight_cell"] = out["weight_cell"].astype("string")
    totals = out.groupby(["agency", "weight_cell"], sort=False, observed=True)["weight"]
    out["cell_total"] = totals.transform("sum").astype(float)
    return out[[key, *FILE_COLUMNS]]


def calibrated_design(
    frame: pd.DataFrame,
    *,
    weight: str = "weight",
    cell: str = "weight_cell",
    agency: str = "agency",
) -> Design:
    """The calibrated survey design of weighted respondents: every published estimate's design.

    The final weights post-stratified on agency x calibration cell to the totals they
    reproduce (module docstring): estimates are those of the weights as they are, standard
    errors include the calibration. Agencies are strata (each agency's respondents are a sample
    of their own), so the design of several agencies gives each agency's estimate the standard
    error of its own design; an agency with a single respondent adds no variance (its one row
    is its cell). Build it on whole agencies (one agency's respondents, or several) and
    estimate a domain, such as a staff group within an agency or government-wide, with
    ``calibrated_design(frame).subset(mask)``, not with a design of the domain's rows.

    Parameters
    ----------
    frame : DataFrame
        Respondents with ``weight``, ``cell`` and ``agency`` (as :func:`attach_weights`
        gives), every respondent of each agency it holds.
    weight : str, default "weight"
        The final weight column.
    cell : str, default "weight_cell"
        The calibration cell column.
    agency : str, default "agency"
        The agency column; cells are read within agencies.

    Returns
    -------
    Design
        ``Design(frame, weight=weight, strata=agency, lonely_psu="certainty")``
        ``.calibrated_on([agency, cell])``.

    Raises
    ------
    SurveyError
        On an unknown column, a missing, zero or negative weight, or a missing cell or agency.
    """
    design = Design(frame, weight=weight, strata=agency, lonely_psu="certainty")
    return design.calibrated_on([agency, cell])


def attach_weights(
    clean: pd.DataFrame, instrument: str, year: int, root: Path | None = None
) -> pd.DataFrame:
    """The clean table with the weight columns the weights stage wrote for it.

    Parameters
    ----------
    clean : DataFrame
        The instrument's clean table for ``year``, as cleaning wrote it.
    instrument : str
        ``staff_survey`` or ``citizen_survey``.
    year : int
        Fiscal year, B.E.
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        A copy of ``clean`` with the columns of :data:`WEIGHT_COLUMNS` (the input of
        :func:`calibrated_design`).

    Raises
    ------
    WeightsError
        When the weights are missing, lack a column of :data:`WEIGHT_COLUMNS`, or were computed
        from another version of the clean table (other rows or another order): run the weights
        stage again.
    """
    key = config.codebook(instrument, root).id_column
    path = weights_dir(year, root) / f"{instrument}_weights.parquet"
    if not path.is_file():
        raise WeightsError(
            f"{path} is missing: run the weights stage for {year} first "
            f"(workbook run --year {year} --stage weights)."
        )
    stored = pd.read_parquet(path)
    absent = [c for c in WEIGHT_COLUMNS[instrument] if c not in stored.columns]
    if absent:
        raise WeightsError(
            f"{path} has no column(s) {absent} (written by an older version): run the weights "
            f"stage again (workbook run --year {year} --stage weights)."
        )
    same = len(stored) == len(clean) and (
        stored[key]
        .astype("string")
        .reset_index(drop=True)
        .equals(clean[key].astype("string").reset_index(drop=True))
    )
    if not same:
        raise WeightsError(
            f"{path} does not match the clean {instrument} table of {year} (rows differ): "
            f"run the weights stage again (workbook run --year {year} --stage weights)."
        )
    out = clean.copy()
    for column in WEIGHT_COLUMNS[instrument]:
        out[column] = stored[column].set_axis(out.index)
    return out


def read_weighting(instrument: str, year: int, root: Path | None = None) -> pd.DataFrame:
    """The per-agency weighting summary of ``instrument`` the weights stage wrote.

    Parameters
    ----------
    instrument : str
        ``staff_survey`` or ``citizen_survey``.
    year : int
        Fiscal year, B.E.
    root : Path, optional
        Project root.

    Returns
    -------
    DataFrame
        The summary of :func:`staff_weights` or :func:`citizen_weights`, with
        ``fiscal_year``.

    Raises
    ------
    FileNotFoundError
        When the weights stage has not written it for ``year``.
    """
    return pd.read_parquet(weights_dir(year, root) / f"{SUMMARY_NAMES[instrument]}.parquet")
