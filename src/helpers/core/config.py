"""Load and check the configuration: ``config/pipeline.yaml``, ``scales.yaml``, the codebooks,
``reports.yaml``, ``targets.yaml``, ``weights.yaml`` and ``actions.yaml``.

Everything is read lazily and cached per project root; importing this module reads nothing.

Configuration *keys* name what a stage reads, at the grain the build engine fingerprints:
``pipeline.<section>`` (a top-level section of pipeline.yaml), ``scales``, ``reports``,
``targets``, ``weights``, ``actions`` and ``codebooks.<instrument>``. :func:`values` gives their
parsed values (so an edited comment changes nothing), and :func:`recording` records which keys code
reads, so that a test can hold what a stage reads against what it declares.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from helpers.core.root import config_dir, project_root

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


# libyaml's safe loader when PyYAML has it: the same values (tested), about 8 times faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DOCUMENTS = ("pipeline", "scales", "reports", "targets", "weights", "actions")  # config/<name>.yaml
_reads: list[set[str]] = []  # the sets of the open recordings


@contextlib.contextmanager
def recording() -> Iterator[set[str]]:
    """Record the configuration keys read in this process during the block."""
    keys: set[str] = set()
    _reads.append(keys)
    try:
        yield keys
    finally:
        _reads.remove(keys)


def _note(key: str) -> None:
    for keys in _reads:
        keys.add(key)


class _Sections(dict):
    """pipeline.yaml while a recording is open: reading a section records ``pipeline.<it>``."""

    def __getitem__(self, key):
        _note(f"pipeline.{key}")
        return super().__getitem__(key)

    def get(self, key, default=None):
        _note(f"pipeline.{key}")
        return super().get(key, default)


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
            return yaml.load(fh, Loader=_LOADER)
    except FileNotFoundError:
        raise ConfigError(f"Configuration file {path} is missing.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"Configuration file {path} is not valid YAML: {exc}") from None


@functools.cache
def _pipeline(root: Path) -> dict:
    data = _read_yaml(config_dir(root) / "pipeline.yaml")
    if not isinstance(data, dict):
        raise ConfigError(f"{config_dir(root) / 'pipeline.yaml'} must be a mapping.")
    return data


def pipeline(root: Path | None = None) -> dict:
    """The parsed ``config/pipeline.yaml``."""
    data = _pipeline(root or project_root())
    return _Sections(data) if _reads else data


@functools.cache
def _reports(root: Path) -> dict:
    data = _read_yaml(config_dir(root) / "reports.yaml")
    needed = {"indicators", "statuses", "satisfaction_drivers", "personas", "drivers"}
    if not isinstance(data, dict) or not needed <= set(data):
        raise ConfigError(
            f"{config_dir(root) / 'reports.yaml'} must be a mapping with the sections "
            f"{', '.join(sorted(needed))}."
        )
    return data


def reports(root: Path | None = None) -> dict:
    """The parsed ``config/reports.yaml`` (wording of the HTML reports)."""
    _note("reports")
    return _reports(root or project_root())


@functools.cache
def _raw_codebook(root: Path, instrument: str) -> Any:
    return _read_yaml(config_dir(root) / "codebooks" / f"{instrument}.yaml")


@functools.cache
def _document(root: Path, name: str) -> Any:
    return _read_yaml(config_dir(root) / f"{name}.yaml")


def document(name: str, root: Path | None = None) -> Any:
    """The parsed ``config/<name>.yaml`` as written (``targets``, ``weights``); the modules
    that use it check it (:func:`helpers.indicators.kpi.load_targets`,
    :func:`helpers.stats.weights.settings`)."""
    if name not in DOCUMENTS:
        raise ConfigError(f"Unknown configuration document {name!r}; expected one of {DOCUMENTS}.")
    _note(name)
    return _document(root or project_root(), name)


def values(keys: Iterable[str], root: Path | None = None) -> dict[str, Any]:
    """The parsed values of configuration keys (see the module docstring), by key."""
    root = root or project_root()
    out: dict[str, Any] = {}
    for key in keys:
        name, _, part = key.partition(".")
        if name == "codebooks" and part:
            out[key] = _raw_codebook(root, part)
        elif name == "pipeline" and part:
            data = _pipeline(root)
            if part not in data:
                raise ConfigError(f"config/pipeline.yaml has no section {part!r} (key {key!r}).")
            out[key] = data[part]
        elif name in DOCUMENTS and not part and name != "pipeline":
            out[key] = _document(root, name)
        else:
            raise ConfigError(
                f"Unknown configuration key {key!r}: expected pipeline.<section>, "
                f"codebooks.<instrument> or one of {', '.join(DOCUMENTS[1:])}."
            )
    return out


@functools.cache
def _scales(root: Path) -> dict[str, Scale]:
    path = config_dir(root) / "scales.yaml"
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
    _note("scales")
    return _scales(root or project_root())


@functools.cache
def _codebook(root: Path, instrument: str) -> Codebook:
    path = config_dir(root) / "codebooks" / f"{instrument}.yaml"
    raw = _raw_codebook(root, instrument)
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
    root = root or project_root()
    _note(f"codebooks.{instrument}")
    if instrument not in pipeline(root)["instruments"]:
        raise ConfigError(
            f"Unknown instrument {instrument!r}; config/pipeline.yaml lists "
            f"{pipeline(root)['instruments']}."
        )
    return _codebook(root, instrument)


def codebooks(root: Path | None = None) -> dict[str, Codebook]:
    root = root or project_root()
    return {name: codebook(name, root) for name in pipeline(root)["instruments"]}


def clear_cache() -> None:
    """Forget what was read (tests that edit configuration call this)."""
    _pipeline.cache_clear()
    _reports.cache_clear()
    _scales.cache_clear()
    _codebook.cache_clear()
    _document.cache_clear()
    _raw_codebook.cache_clear()
