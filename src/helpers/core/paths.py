"""Project paths, resolved from the project root and never from the current directory: the
root itself (:mod:`helpers.core.root`) and the data folders ``config/pipeline.yaml`` names."""

from __future__ import annotations

from pathlib import Path

from helpers.core import config, years
from helpers.core.errors import StructuralError
from helpers.core.root import config_dir, project_root, resolve

__all__ = [
    "config_dir",
    "find_year_folder",
    "processed_dir",
    "project_root",
    "raw_dir",
    "raw_years",
    "resolve",
    "year_folders",
]


def _configured(name: str, root: Path | None) -> Path:
    """A folder named in ``paths`` of ``config/pipeline.yaml``, resolved."""
    return resolve(config.pipeline(root)["paths"][name], root)


def processed_dir(year: int, stage: str, root: Path | None = None) -> Path:
    """``data/processed/<year B.E.>/<stage>/``, the folder a stage writes for a year."""
    return _configured("processed", root) / str(year) / stage


def raw_dir(root: Path | None = None) -> Path:
    """``data/raw/``: one folder per fiscal year, named in B.E. or C.E."""
    return _configured("raw", root)


def year_folders(root: Path | None = None) -> dict[int, list[Path]]:
    """The raw year folders by fiscal year (B.E.); a year may have two (2565 and 2022)."""
    raw = raw_dir(root)
    found: dict[int, list[Path]] = {}
    if raw.is_dir():
        for folder in sorted(raw.iterdir(), reverse=True):  # 2565 named before 2022
            if folder.is_dir() and years.is_year_name(folder.name):
                found.setdefault(years.to_be(int(folder.name)), []).append(folder)
    return found


def raw_years(root: Path | None = None) -> list[int]:
    """Fiscal years (B.E.) that have a raw data folder."""
    return sorted(year_folders(root))


def find_year_folder(year: int, root: Path | None = None) -> Path:
    """``data/raw/2565`` or ``data/raw/2022`` for fiscal year 2565 (B.E. or C.E. name)."""
    found = year_folders(root).get(year, [])
    if not found:
        raise StructuralError(
            f"no raw data folder for fiscal year {year}",
            file=raw_dir(root),
            expected=f"a folder named {year} (B.E.) or {year - years.BE_OFFSET} (C.E.)",
            hint=f"Years found: {', '.join(map(str, raw_years(root))) or 'none'}",
        )
    if len(found) > 1:
        raise StructuralError(
            f"two folders hold fiscal year {year}: {found[0].name} and {found[1].name}",
            file=raw_dir(root),
            expected="one folder per fiscal year",
            hint="Merge them into one folder",
        )
    return found[0]
