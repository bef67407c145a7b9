"""Load and check the configuration: ``config/pipeline.yaml``, ``scales.yaml`` and the codebooks.

Everything is read lazily and cached per project root; importing this module reads nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from helpers import paths

COLUMN_TYPES = {
    "text",  # free identifier-like text (response id, form version)
    "free_text",  # respondent's comment: identifiers are scrubbed from it
    "datetime",
    "agency",  # matched to the registry, stored as the agency code
    "category",  # stored as the scale's code
    "likert",  # stored as Int8 1..5
    "binary",  # stored as Int8 1/0
    "score",  # integer on a bounded scale (0-10), stored as Int8
    "integer",  # bounded integer (e.g. a level 1-5), stored as Int64
    "count",  # non-negative integer, stored as Int64
    "percent",  # 0-100, stored as Float64; accepts "80%", "ร้อยละ 80"
    "year",  # a fiscal year in B.E. or C.E., stored as B.E. Int64
}
SCALE_KINDS = {"likert", "binary", "category"}


class ConfigError(ValueError):
    """The configuration itself is wrong (a codebook names an unknown scale, ...)."""


@dataclass(frozen=True)
class ScalePoint:
    code: Any
    th: str
    en: str
    aliases: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Scale:
    name: str
    kind: str
    th: str
    en: str
    points: tuple[ScalePoint, ...]
    missing: tuple[str, ...] = ()

    @property
    def codes(self) -> list:
        return [p.code for p in self.points]

    def point(self, code) -> ScalePoint:
        for p in self.points:
            if p.code == code:
                return p
        raise KeyError(code)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    th: str = ""
    en: str = ""
    required: bool = False
    scale: str | None = None
    aliases: tuple[str, ...] = ()
    construct: str | None = None
    reverse: bool = False
    minimum: float | None = None
    maximum: float | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Codebook:
    instrument: str
    th: str
    en: str
    unit: str
    file_patterns: tuple[str, ...]
    version_column: str
    versions: tuple[str, ...]
    id_column: str | None
    date_column: str | None
    fiscal_year_check: bool
    identifier_columns: tuple[str, ...]
    columns: tuple[Column, ...]
    constructs: dict = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def items(self, construct: str | None = None) -> list[Column]:
        """Likert items, optionally of one construct."""
        return [
            c
            for c in self.columns
            if c.type == "likert" and (construct is None or c.construct == construct)
        ]


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise ConfigError(f"Configuration file {path} is missing.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"Configuration file {path} is not valid YAML: {exc}") from None


@functools.cache
def _pipeline(root: Path) -> dict:
    data = _read_yaml(paths.config_dir(root) / "pipeline.yaml")
    if not isinstance(data, dict):
        raise ConfigError(f"{paths.config_dir(root) / 'pipeline.yaml'} must be a mapping.")
    return data


def pipeline(root: Path | None = None) -> dict:
    """The parsed ``config/pipeline.yaml``."""
    return _pipeline(root or paths.project_root())


@functools.cache
def _reports(root: Path) -> dict:
    data = _read_yaml(paths.config_dir(root) / "reports.yaml")
    needed = {"indicators", "statuses", "satisfaction_drivers", "personas", "drivers"}
    if not isinstance(data, dict) or not needed <= set(data):
        raise ConfigError(
            f"{paths.config_dir(root) / 'reports.yaml'} must be a mapping with the sections "
            f"{', '.join(sorted(needed))}."
        )
    return data


def reports(root: Path | None = None) -> dict:
    """The parsed ``config/reports.yaml`` (wording of the HTML reports)."""
    return _reports(root or paths.project_root())


@functools.cache
def _scales(root: Path) -> dict[str, Scale]:
    path = paths.config_dir(root) / "scales.yaml"
    raw = _read_yaml(path)
    scales = {}
    for name, spec in raw.items():
        kind = spec.get("kind")
        if kind not in SCALE_KINDS:
            raise ConfigError(f"{path}: scale {name!r} has kind {kind!r}; expected {SCALE_KINDS}.")
        points = []
        for code, p in spec["points"].items():
            if kind in {"likert", "binary"}:
                code = int(code)
            extra = {k: v for k, v in p.items() if k not in {"th", "en", "aliases"}}
            points.append(
                ScalePoint(
                    code=code,
                    th=str(p["th"]),
                    en=str(p["en"]),
                    aliases=tuple(str(a) for a in p.get("aliases", [])),
                    extra=extra,
                )
            )
        scales[name] = Scale(
            name=name,
            kind=kind,
            th=spec.get("th", name),
            en=spec.get("en", name),
            points=tuple(points),
            missing=tuple(str(m) for m in spec.get("missing", [])),
        )
    return scales


def scales(root: Path | None = None) -> dict[str, Scale]:
    """Every answer scale, by name."""
    return _scales(root or paths.project_root())


@functools.cache
def _codebook(root: Path, instrument: str) -> Codebook:
    path = paths.config_dir(root) / "codebooks" / f"{instrument}.yaml"
    raw = _read_yaml(path)
    known_scales = _scales(root)
    columns = []
    for name, spec in raw["columns"].items():
        ctype = spec.get("type")
        if ctype not in COLUMN_TYPES:
            raise ConfigError(
                f"{path}: column {name!r} has type {ctype!r}; expected one of "
                f"{sorted(COLUMN_TYPES)}."
            )
        scale = spec.get("scale")
        if ctype in SCALE_KINDS and scale not in known_scales:
            raise ConfigError(
                f"{path}: column {name!r} needs a scale from scales.yaml, got {scale!r}."
            )
        known = {
            "type",
            "th",
            "en",
            "required",
            "scale",
            "aliases",
            "construct",
            "reverse",
            "min",
            "max",
        }
        columns.append(
            Column(
                name=name,
                type=ctype,
                th=str(spec.get("th", "")),
                en=str(spec.get("en", "")),
                required=bool(spec.get("required", False)),
                scale=scale,
                aliases=tuple(str(a) for a in spec.get("aliases", [])),
                construct=spec.get("construct"),
                reverse=bool(spec.get("reverse", False)),
                minimum=spec.get("min"),
                maximum=spec.get("max"),
                extra={k: v for k, v in spec.items() if k not in known},
            )
        )
    names = {c.name for c in columns}
    for key in ("version_column", "id_column", "date_column"):
        if raw.get(key) and raw[key] not in names:
            raise ConfigError(f"{path}: {key} {raw[key]!r} is not one of its columns.")
    return Codebook(
        instrument=raw["instrument"],
        th=raw["th"],
        en=raw["en"],
        unit=raw["unit"],
        file_patterns=tuple(raw["file_patterns"]),
        version_column=raw["version_column"],
        versions=tuple(str(v) for v in raw["versions"]),
        id_column=raw.get("id_column"),
        date_column=raw.get("date_column"),
        fiscal_year_check=bool(raw.get("fiscal_year_check", False)),
        identifier_columns=tuple(str(c) for c in raw.get("identifier_columns", [])),
        columns=tuple(columns),
        constructs=raw.get("constructs", {}) or {},
    )


def codebook(instrument: str, root: Path | None = None) -> Codebook:
    """The codebook of one instrument (staff_survey, citizen_survey, ...)."""
    root = root or paths.project_root()
    if instrument not in pipeline(root)["instruments"]:
        raise ConfigError(
            f"Unknown instrument {instrument!r}; config/pipeline.yaml lists "
            f"{pipeline(root)['instruments']}."
        )
    return _codebook(root, instrument)


def codebooks(root: Path | None = None) -> dict[str, Codebook]:
    root = root or paths.project_root()
    return {name: codebook(name, root) for name in pipeline(root)["instruments"]}


def clear_cache() -> None:
    """Forget what was read (tests that edit configuration call this)."""
    _pipeline.cache_clear()
    _reports.cache_clear()
    _scales.cache_clear()
    _codebook.cache_clear()
