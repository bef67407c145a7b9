"""Data access for the reports: the aggregate tables of one processed year, read once.

Reports read the aggregate tables of stages 02-05 (``data/processed/<year>/weights``,
``indicators`` and ``models``), never respondent rows. :class:`YearData` records which tables
it was asked for (:attr:`YearData.read`), so that a test can hold the tables an agency report
reads against the tables its fingerprint covers (:mod:`helpers.reports.digests`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.core import config, paths
from helpers.indicators import kpi
from helpers.ingest.registry import load_registry

# The survey each survey-based indicator comes from (audit markers): {"A5": "staff", ...}.
INDICATOR_SURVEY = {
    code: i.source.removesuffix("_survey")
    for code, i in kpi.INDICATORS.items()
    if i.source.endswith("_survey")
}


PREVIOUS = "previous:"  # prefix of the keys of last year's tables (YearData.previous)


class ReportError(ValueError):
    """A report was asked for a year or agency that has no processed data."""


# ----------------------------------------------------------------------------- data


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / f"{name}.parquet"
    return pd.read_parquet(path) if path.is_file() else None


@dataclass
class YearData:
    """The aggregate tables of one processed year (and the indicator history up to it)."""

    year: int
    root: Path
    _tables: dict = field(default_factory=dict, repr=False)
    read: set[str] = field(default_factory=set, repr=False)  # "<folder>/<table>" asked for

    @classmethod
    def load(cls, year: int, root: Path | None = None) -> YearData:
        root = root or paths.project_root()
        data = cls(year, root)
        if data.indicators is None:
            raise ReportError(
                f"No indicator table for fiscal year {data.year}: run the pipeline first "
                f"(`workbook run --year {data.year}`)."
            )
        return data

    def table(self, name: str) -> pd.DataFrame | None:
        """An indicators-stage table of the year (read once; callers must not modify it)."""
        return self._cached("indicators", name)

    def model(self, name: str) -> pd.DataFrame | None:
        """A model table of the year (read once; callers must not modify it)."""
        return self._cached("models", name)

    def weighting(self, name: str) -> pd.DataFrame | None:
        """A weighting summary of the weights stage (``staff_weighting``, ``citizen_weighting``)."""
        return self._cached("weights", name)

    def previous(self, key: str) -> pd.DataFrame | None:
        """A table of the year before, by its ``<stage folder>/<table>`` key (None when that
        year has none); recorded as ``previous:<key>``."""
        folder, _, name = key.partition("/")
        return self._cached(folder, name, previous=True)

    def get(self, key: str) -> pd.DataFrame | None:
        """A table by its ``<stage folder>/<table>`` key (``weights/staff_weighting``), or
        last year's by ``previous:<stage folder>/<table>``."""
        if key.startswith(PREVIOUS):
            return self.previous(key.removeprefix(PREVIOUS))
        folder, _, name = key.partition("/")
        return self._cached(folder, name)

    def _cached(self, folder: str, name: str, previous: bool = False) -> pd.DataFrame | None:
        key = f"{PREVIOUS if previous else ''}{folder}/{name}"
        self.read.add(key)
        if key not in self._tables:
            year = self.year - 1 if previous else self.year
            self._tables[key] = _read(paths.processed_dir(year, folder, self.root), name)
        return self._tables[key]

    @functools.cached_property
    def indicators(self) -> pd.DataFrame | None:
        return self.table("indicators")

    @functools.cached_property
    def history(self) -> pd.DataFrame:
        return kpi.indicator_history(self.year, self.root)

    @functools.cached_property
    def registry(self) -> pd.DataFrame:
        return load_registry(self.root).set_index("agency_code")

    @functools.cached_property
    def agencies(self) -> list[str]:
        table = self.indicators
        return sorted(set(table["agency_code"]) - {kpi.OCSC_CODE})

    def largest_agency(self) -> str:
        """The agency with the most staff respondents (the notebook's default)."""
        a5 = self.indicators[self.indicators["indicator"] == "A5"].dropna(subset=["respondents"])
        if a5.empty:
            return self.agencies[0]
        return str(a5.sort_values(["respondents", "agency_code"]).iloc[-1]["agency_code"])

    @functools.cached_property
    def targets(self) -> dict[str, dict[str, Any]]:
        return kpi.load_targets(self.root)

    def label(self, indicator: str) -> tuple[str, str]:
        spec = config.reports(self.root)["indicators"][indicator]
        return spec["th"], spec["en"]


def report_agencies(year: int, root: Path | None = None) -> list[str]:
    """Agencies with an indicator row in the year (every agency with any data)."""
    return YearData.load(year, root).agencies


def agency_title(year: int, agency: str, root: Path | None = None) -> str:
    """The page title of an agency report (plain text)."""
    registry = YearData(year, root or paths.project_root()).registry
    name = registry.at[agency, "name_th"] if agency in registry.index else agency
    return f"{name} · รายงานผลการพัฒนาบุคลากร ปีงบประมาณ พ.ศ. {year}"


def overview_title(year: int) -> str:
    return f"ภาพรวมทั้งประเทศ / Government-wide overview · ปีงบประมาณ พ.ศ. {year}"
