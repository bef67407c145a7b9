"""What decides whether an agency report is rebuilt: a hash per agency of what its report shows.

The tables an agency report reads are declared here (:data:`READS`); a test renders reports
and checks that the tables they read (:attr:`helpers.reports.tables.YearData.read`) are
exactly these.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.core.hashing import ABSENT, digest_json
from helpers.indicators import kpi
from helpers.reports.tables import YearData

# The tables an agency report reads, as ``<stage folder>/<table>`` (last year's as
# ``previous:<stage folder>/<table>``): the per-agency ones (its rows are hashed, by the column
# naming the agency, AGENCY_KEYS) and the shared ones (hashed whole). The
# indicator table is hashed in parts (own rows, ranks, funnel points). A test renders reports
# and checks that what YearData.read recorded is exactly READS.
INDICATOR_TABLE = "indicators/indicators"
AGENCY_TABLES = (
    "indicators/items",
    "indicators/measures",
    "indicators/satisfaction_correlations",
    "indicators/set_aside_by_agency",
    "indicators/missing_questions",
    "indicators/breakdowns",
    "weights/staff_weighting",
    "weights/citizen_weighting",
    "models/staff_agency_effects",
    # last year's item results (the item table's change test)
    "previous:indicators/items",
)
# The column naming the agency in a per-agency table (default ``agency_code``).
AGENCY_KEYS = {"indicators/breakdowns": "scope", "models/staff_agency_effects": "group"}
SHARED_TABLES = (
    "indicators/funnel_parameters",
    "models/staff_importance",
    "models/staff_reliability",
)
READS = frozenset({INDICATOR_TABLE, *AGENCY_TABLES, *SHARED_TABLES})


def _row_digests(frame: pd.DataFrame | None, key: str = "agency_code") -> dict[str, str]:
    """{agency: hash of its rows} (row order ignored)."""
    if frame is None or frame.empty or key not in frame:
        return {}
    hashes = pd.util.hash_pandas_object(frame.astype(str), index=False)
    keyed = pd.DataFrame({"k": frame[key].astype(str).to_numpy(), "h": hashes.to_numpy()})
    return {
        str(k): digest_json(sorted(int(x) for x in part["h"]))
        for k, part in keyed.groupby("k", sort=False)
    }


def _frame_digest(frame: pd.DataFrame | None) -> str:
    if frame is None:
        return ABSENT
    hashes = pd.util.hash_pandas_object(frame.astype(str), index=False)
    return digest_json([list(frame.columns), sorted(int(x) for x in hashes)])


def agency_digests(year: int, root: Path | None = None) -> dict[str, str]:
    """A hash per agency of everything its report shows for the year: its own rows in every
    table, its ranks, its history, the ministry peer counts that decide which medians are
    shown, and the year-wide parts every report shows (funnel points, model summaries).
    An agency's report is rebuilt when, and only when, its hash changes (or the notebook,
    code, configuration or registry row does)."""
    data = YearData.load(year, root)
    table = data.indicators
    agencies = table[table["agency_code"] != kpi.OCSC_CODE]
    own = _row_digests(agencies)
    ranked = agencies.assign(
        rank=agencies.groupby("indicator")["value"].rank(method="min", ascending=False),
        of=agencies.groupby("indicator")["value"].transform("count"),
    )[["agency_code", "indicator", "rank", "of"]]
    ranks = _row_digests(ranked)
    history = data.history
    history = history[history["agency_code"] != kpi.OCSC_CODE]
    past = _row_digests(history)
    peers = (
        history[history["value"].notna()]
        .groupby(["fiscal_year", "indicator", "ministry_code"])["agency_code"]
        .nunique()
        .rename("peers")
        .reset_index()
    )
    peer_digest = _row_digests(peers, "ministry_code")
    tables = {
        name: _row_digests(data.get(name), AGENCY_KEYS.get(name, "agency_code"))
        for name in AGENCY_TABLES
    }
    items = data.get("indicators/items")
    item_medians = (  # the item table's government medians (of published agency values)
        items.groupby("item")["percent_positive"].median().round(9).reset_index()
        if items is not None
        else None
    )
    measures = data.get("indicators/measures")
    if measures is not None:
        counts = (
            measures[measures["value"].notna()]
            .groupby(["measure", "ministry_code"])["agency_code"]
            .nunique()
            .rename("peers")
            .reset_index()
        )
        measure_peers = _row_digests(counts, "ministry_code")
    else:
        measure_peers = {}
    funnel = agencies[agencies["indicator"].isin(["A5", "A7"])][
        ["agency_code", "indicator", "value", "respondents"]
    ]
    shared = digest_json(
        {
            "funnel_points": _frame_digest(funnel),
            "item_medians": _frame_digest(item_medians),
            **{name: _frame_digest(data.get(name)) for name in SHARED_TABLES},
        }
    )
    registry = _row_digests(data.registry.reset_index())
    out = {}
    for code in data.agencies:
        ministry = (
            str(data.registry.at[code, "ministry_code"]) if code in data.registry.index else ""
        )
        out[code] = digest_json(
            {
                "indicators": own.get(code),
                "ranks": ranks.get(code),
                "history": past.get(code),
                "ministry_peers": peer_digest.get(ministry),
                "measure_peers": measure_peers.get(ministry),
                "registry": registry.get(code),
                "shared": shared,
                **{name: digests.get(code) for name, digests in tables.items()},
            }
        )
    return out
