"""From results to action: which areas an agency should keep and which to act on first.

The areas are the drivers of the government-wide staff satisfaction model (stage 03,
``models/staff_importance``): the learning ecosystem, skillsets, mindset (construct scores,
0-100) and IDPs carried out (A3, %). For one agency each area has its published value, the
median of all agencies (the benchmark) and the model's relative importance (Pratt's share of
the variation the model explains).

Ranking rule (:func:`rank_areas`): an area more than :data:`helpers.indicators.kpi.TOLERANCE`
below the median is a *challenge*, above it a *strength*, else *on par*. Within each kind the
areas are ordered by ``priority = |value - median| x importance`` (a shortfall on an area that
goes strongly with satisfaction comes first), then by the distance, then by the model's order.
The prompts come only from ``config/actions.yaml`` (:func:`load_library`); an area without
prompts is named as such, never given invented advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.core import config
from helpers.indicators import kpi
from helpers.reports.formatting import para

# Model term -> (area, where its agency value is: "measure" table or "indicator" table, code)
AREAS: dict[str, tuple[str, str, str]] = {
    "eco_score": ("ecosystem", "measure", "ecosystem"),
    "skl_score": ("skillsets", "measure", "skillsets"),
    "mnd_score": ("mindset", "measure", "mindset"),
    "idp_carried": ("idp", "indicator", "A3"),
}
STRENGTH, CHALLENGE, ON_PAR = "strength", "challenge", "on_par"


@dataclass(frozen=True)
class Library:
    """The action library: its prompts per area and whether they are still placeholders."""

    placeholder: bool
    notice: dict[str, str] = field(default_factory=dict)
    prompts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def for_area(self, area: str) -> list[tuple[str, str]]:
        """The (Thai, English) prompts of an area (empty when the library has none).

        Args:
            area: an area name of :data:`AREAS` (``ecosystem``, ``idp``...).
        """
        return self.prompts.get(area, [])


def load_library(root: Path | None = None) -> Library:
    """``config/actions.yaml`` as a :class:`Library` (placeholder unless it says otherwise).

    Args:
        root: the project root (default: the current project).

    Raises:
        config.ConfigError: when a prompt lacks its Thai or English text.
    """
    raw: Any = config.document("actions", root) or {}
    prompts: dict[str, list[tuple[str, str]]] = {}
    for area, spec in (raw.get("areas") or {}).items():
        items = []
        for prompt in (spec or {}).get("prompts") or []:
            th, en = str(prompt.get("th") or "").strip(), str(prompt.get("en") or "").strip()
            if not th or not en:
                raise config.ConfigError(
                    f"config/actions.yaml: a prompt of {area!r} needs both 'th' and 'en'."
                )
            items.append((th, en))
        prompts[str(area)] = items
    return Library(
        placeholder=bool(raw.get("placeholder", True)),
        notice={k: str(v) for k, v in (raw.get("notice") or {}).items()},
        prompts=prompts,
    )


def library_notice(library: Library) -> str:
    """The notice above the action section while the prompts are placeholders ('' after)."""
    if not library.placeholder:
        return ""
    n = library.notice
    return (
        '<div class="notice" role="note" id="placeholder-actions">'
        + para(
            n.get("title_th", "ข้อเสนอแนวทางดำเนินการเป็นร่างที่รอการทบทวน"),
            n.get("title_en", "The action prompts are drafts awaiting review"),
            css="notice-title",
        )
        + (para(n["th"], n["en"]) if n.get("th") and n.get("en") else "")
        + "</div>"
    )


def rank_areas(frame: pd.DataFrame) -> pd.DataFrame:
    """Strengths and challenges in the order to read them (module docstring).

    Args:
        frame: one row per area with ``area``, ``value``, ``gov_median``, ``ci_low``,
            ``ci_high`` and ``importance`` (the model's share, 0-1); rows without a value or
            median are left out.

    Returns:
        The rows kept, with ``gap`` (value - median), ``kind`` (strength, challenge,
        on_par), ``clear`` (the 95 % interval lies wholly on the gap's side of the median),
        ``priority`` (|gap| x importance, importance below 0 taken as 0) and ``rank`` (1 = first
        within its kind); challenges first, then strengths, then areas on par.
    """
    out = frame.dropna(subset=["value", "gov_median"]).copy()
    out["_order"] = np.arange(len(out))
    out["gap"] = out["value"].astype(float) - out["gov_median"].astype(float)
    out["kind"] = np.where(
        out["gap"] < -kpi.TOLERANCE,
        CHALLENGE,
        np.where(out["gap"] > kpi.TOLERANCE, STRENGTH, ON_PAR),
    )
    low, high = out["ci_low"].astype(float), out["ci_high"].astype(float)
    out["clear"] = ((out["kind"] == CHALLENGE) & (high < out["gov_median"])) | (
        (out["kind"] == STRENGTH) & (low > out["gov_median"])
    )
    importance = out["importance"].astype(float).fillna(0).clip(lower=0)
    out["priority"] = out["gap"].abs() * importance
    out["_kind"] = out["kind"].map({CHALLENGE: 0, STRENGTH: 1, ON_PAR: 2})
    out["_distance"] = -out["gap"].abs()
    out = out.sort_values(
        ["_kind", "priority", "_distance", "_order"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    out["rank"] = out.groupby("kind").cumcount() + 1
    return out.drop(columns=["_order", "_kind", "_distance"]).reset_index(drop=True)
