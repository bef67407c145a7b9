"""Primary and complementary cell suppression of tidy breakdown tables.

A breakdown table has one row per cell: a ``scope`` (an agency, or a combined scope such as
``gov``), a ``measure``, a ``breakdown`` (the grouping variable) and a ``group``, with the
unweighted ``respondents`` of the cell. The groups of one (scope, measure, breakdown) partition
the scope's respondents to the measure (a "not stated" group included), so their counts add up
to the scope's total, which is published beside them (the overall value) whenever it reaches the
threshold. A row whose ``part_of`` names a combined scope adds into it: the combined scope's
cell of a group is the sum of its parts' cells of that group, and its total the sum of their
totals.

What an attacker can work out from such tables is their linear relations, each "a total
equals the sum of its parts":

- within a scope, per measure and breakdown: total = sum of the groups;
- across scopes, per measure, breakdown and group: combined cell = sum of its parts' cells
  (and combined total = sum of the parts' totals).

Rules, as :func:`suppress` applies them (k = the threshold):

1. **Primary.** A cell with 1 to k-1 respondents is withheld (``suppressed == "primary"``).
   In a scope whose total is 1 to k-1 every cell is withheld, zeros included, and so is the
   total. A cell of 0 respondents is otherwise shown (it describes no one).
2. **Complementary.** The attacker is played until it finds nothing: cells that are shown or
   published totals are known; a relation with exactly one unknown gives that unknown
   (derived cells count as known from then on, so chains are followed); and a relation with a
   known total gives the combined count of its unknown parts. A finding is a withheld cell
   that can be derived, or withheld parts whose combined count is 1 to k-1. Each finding is
   repaired by withholding the smallest shown part of its relation (fewest respondents, then
   the order of the table) that would not be left alone in another relation (the only group
   with respondents of its scope); failing that, the relation's total when it is a group cell
   (a government-wide group); failing that, the smallest shown part. Then the attacker is
   played again. So whenever a group is withheld,
   at least two are, their combined count is at least k, and a combined cell is never the sum
   of all but one shown part.
3. Totals are never withheld by complementary suppression: a scope's total is published
   elsewhere (the indicator table) whenever it reaches k. Therefore a scope below k must not
   be part of a combined scope (its total could be worked out); :func:`suppress` refuses such
   a table.

The result keeps every row; withheld cells get ``suppressed`` "primary" or "complementary" and
their ``respondents`` and the given value columns missing (never zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

PRIMARY = "primary"
COMPLEMENTARY = "complementary"
KEY_COLUMNS = ("scope", "measure", "breakdown", "group")


class SuppressionError(ValueError):
    """A table whose cells do not add up as :func:`suppress` requires."""


@dataclass(frozen=True)
class Relation:
    """``total == sum(parts)`` over cell numbers (see :class:`_Cells`)."""

    total: int
    parts: tuple[int, ...]


class _Cells:
    """The cells of one (measure, breakdown): group cells first, then one total per scope."""

    def __init__(self, part: pd.DataFrame, k: int) -> None:
        self.k = k
        self.rows = part.index.to_numpy()
        counts = part["respondents"].to_numpy(dtype=float)
        if np.isnan(counts).any() or (counts < 0).any():
            raise SuppressionError("respondents must be present and not negative in every row")
        scopes = part["scope"].astype(str).to_numpy()
        self.scope_names = list(dict.fromkeys(scopes))
        totals = {s: counts[scopes == s].sum() for s in self.scope_names}
        self.n = np.concatenate([counts, [totals[s] for s in self.scope_names]]).astype(int)
        total_cell = {s: len(counts) + i for i, s in enumerate(self.scope_names)}
        self.is_total = np.arange(len(self.n)) >= len(counts)
        self.relations = [
            Relation(total_cell[s], tuple(np.flatnonzero(scopes == s))) for s in self.scope_names
        ]
        self._combine(part, scopes, counts, total_cell)
        self.part_in: dict[int, list[Relation]] = {}
        for relation in self.relations:
            for p in relation.parts:
                self.part_in.setdefault(int(p), []).append(relation)
        small_scope = np.array([0 < totals[s] < k for s in scopes], dtype=bool)
        self.primary = np.zeros(len(self.n), dtype=bool)
        self.primary[: len(counts)] = ((counts > 0) & (counts < k)) | small_scope
        self.primary[len(counts) :] = [0 < totals[s] < k for s in self.scope_names]

    def _combine(
        self, part: pd.DataFrame, scopes: np.ndarray, counts: np.ndarray, total_cell: dict
    ) -> None:
        """Relations of combined scopes: combined cell = sum of its parts' cells, per group."""
        if "part_of" not in part.columns:
            return
        parent = part["part_of"].to_numpy(dtype=object)
        groups = part["group"].astype(str).to_numpy()
        for combined in sorted({str(p) for p in parent if isinstance(p, str)}):
            members = sorted({s for s, p in zip(scopes, parent, strict=True) if p == combined})
            if combined not in total_cell:
                raise SuppressionError(f"the combined scope {combined!r} has no rows")
            small = [s for s in members if 0 < self.n[total_cell[s]] < self.k]
            if small and self.n[total_cell[combined]] >= self.k:
                raise SuppressionError(
                    f"scopes {small} have fewer than {self.k} respondents but are part of "
                    f"{combined!r}: their total would follow from the combined total"
                )
            for group in dict.fromkeys(groups[scopes == combined]):
                own = np.flatnonzero((scopes == combined) & (groups == group))
                parts = np.flatnonzero((parent == combined) & (groups == group))
                if len(own) != 1 or counts[parts].sum() != counts[own[0]]:
                    raise SuppressionError(
                        f"{combined!r} group {group!r}: {counts[own].sum():g} respondents, its "
                        f"parts {counts[parts].sum():g}; a combined cell must be their sum"
                    )
                self.relations.append(Relation(int(own[0]), tuple(int(p) for p in parts)))
            self.relations.append(
                Relation(total_cell[combined], tuple(total_cell[s] for s in members))
            )


def attack(relations: Sequence[Relation], n: np.ndarray, withheld: np.ndarray, k: int) -> list:
    """What subtraction gives away: ``[(relation, unknown parts or derived cell), ...]``.

    Parameters
    ----------
    relations : sequence of Relation
        The table's relations.
    n : ndarray of int
        The true count of every cell.
    withheld : ndarray of bool
        Which cells are not published.
    k : int
        The threshold.

    Returns
    -------
    list of tuple
        ``(relation, (cell,))`` for a withheld cell derived exactly, and ``(relation, cells)``
        for withheld parts of a known total whose combined count is 1 to k-1.
    """
    known = ~withheld
    found: list = []
    changed = True
    while changed:
        changed = False
        for relation in relations:
            cells = (relation.total, *relation.parts)
            unknown = [c for c in cells if not known[c]]
            if len(unknown) == 1:
                known[unknown[0]] = True
                found.append((relation, (unknown[0],)))
                changed = True
    for relation in relations:
        if known[relation.total]:
            hidden = tuple(p for p in relation.parts if not known[p])
            if hidden and 0 < n[list(hidden)].sum() < k:
                found.append((relation, hidden))
    return found


def _dead_end(cells: _Cells, cell: int, withheld: np.ndarray) -> bool:
    """Whether withholding ``cell`` leaves it alone in another relation: the only withheld part
    with respondents and no shown part with respondents to join it (its scope has no other
    group with respondents), so it would be derived from there."""
    for relation in cells.part_in.get(cell, ()):
        others = [p for p in relation.parts if p != cell and cells.n[p] > 0]
        if not any(withheld[p] for p in others) and not any(not withheld[p] for p in others):
            return True
    return False


def _pick(cells: _Cells, relation: Relation, withheld: np.ndarray) -> int | None:
    """The cell to withhold for a finding in ``relation``: its smallest shown part with
    respondents that is not a dead end elsewhere; else its total when that is a group cell;
    else its smallest shown part; None when nothing is left."""
    shown = sorted(
        (p for p in relation.parts if not withheld[p] and cells.n[p] > 0),
        key=lambda p: (cells.n[p], p),
    )
    for p in shown:
        if not _dead_end(cells, p, withheld):
            return p
    if not withheld[relation.total] and not cells.is_total[relation.total]:
        return relation.total
    return shown[0] if shown else None


def _withheld(cells: _Cells, complementary: bool) -> np.ndarray:
    """Primary cells, then complementary ones until :func:`attack` finds nothing."""
    withheld = cells.primary.copy()
    if not complementary:
        return withheld
    while True:
        found = attack(cells.relations, cells.n, withheld, cells.k)
        if not found:
            return withheld
        touched: set[int] = set()
        for relation, _ in found:
            cells_of = {relation.total, *relation.parts}
            if cells_of & touched:
                continue  # an earlier repair of this pass may already cover it
            pick = _pick(cells, relation, withheld)
            if pick is None:
                continue  # a link of a chain another repair of this pass breaks
            withheld[pick] = True
            touched |= cells_of
        if not touched:
            raise SuppressionError("no cell left to withhold; the counts do not add up")


def suppress(
    table: pd.DataFrame,
    threshold: int,
    *,
    value_columns: Sequence[str] = (),
    complementary: bool = True,
) -> pd.DataFrame:
    """Withhold cells below ``threshold`` and enough others that none can be worked out.

    The rules are in the module docstring.

    Parameters
    ----------
    table : DataFrame
        One row per cell with :data:`KEY_COLUMNS`, ``respondents`` (the true count, present)
        and optionally ``part_of`` (the combined scope the row's scope adds into, or missing).
        The groups of each (scope, measure, breakdown) must partition the scope's respondents
        to the measure, so every breakdown of one (scope, measure) has the same total.
    threshold : int
        k: the fewest respondents a published figure may rest on.
    value_columns : sequence of str, default ()
        Columns blanked (set missing) in withheld rows besides ``respondents``.
    complementary : bool, default True
        False applies the primary rule only (to show what the attacker would find).

    Returns
    -------
    DataFrame
        ``table`` with ``suppressed`` ("primary", "complementary" or None) and withheld
        ``respondents`` (``Int64``) and value columns missing; same rows and order.

    Raises
    ------
    SuppressionError
        On a missing or negative count, duplicated cells, breakdowns of one scope and measure
        with different totals, a combined cell that is not the sum of its parts, or a scope
        below the threshold that is part of a combined scope with a published total.
    """
    missing = [c for c in (*KEY_COLUMNS, "respondents") if c not in table.columns]
    if missing:
        raise SuppressionError(f"columns {missing} are missing")
    if table.duplicated(list(KEY_COLUMNS)).any():
        raise SuppressionError("more than one row for a (scope, measure, breakdown, group)")
    totals = table.groupby(["scope", "measure", "breakdown"])["respondents"].sum()
    uneven = totals.groupby(level=["scope", "measure"]).nunique()
    if (uneven > 1).any():
        raise SuppressionError(
            f"breakdowns of {list(uneven[uneven > 1].index[:3])} have different totals; the "
            "groups of each breakdown must cover every respondent (a not-stated group included)"
        )
    out = table.reset_index(drop=True)
    status = pd.Series(None, index=out.index, dtype=object)
    for _, part in out.groupby(["measure", "breakdown"], sort=False):
        cells = _Cells(part, threshold)
        withheld = _withheld(cells, complementary)[: len(part)]
        primary = cells.primary[: len(part)]
        status.loc[cells.rows[withheld & primary]] = PRIMARY
        status.loc[cells.rows[withheld & ~primary]] = COMPLEMENTARY
    out["suppressed"] = status
    hidden = status.notna().to_numpy()
    out["respondents"] = pd.array(out["respondents"], dtype="Int64")
    out.loc[hidden, "respondents"] = pd.NA
    for column in value_columns:
        out[column] = out[column].astype(float).where(~hidden)
    out.index = table.index
    return out
