"""Fingerprints: what an output was made from, so that an unchanged output is not rebuilt.

A fingerprint is the SHA-256 of a canonical JSON of named parts: the content of every input
file, the notebook, the helpers code, the configuration and the parameters. File hashes are
cached by (size, modification time) in ``data/processed/.file_hashes.json``, so checking a
whole evaluation with nothing changed reads almost no file.

Each built unit (a stage for a year, or an agency's report) writes a record beside its outputs
(``data/processed/<year>/fingerprints/<stage>[/<agency>].json``) AFTER the outputs, with the
fingerprint and the hashes of the outputs. A unit is up to date when its record exists, its
fingerprint equals the one computed now, and every recorded output still has its hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ABSENT = "absent"


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_json(value: Any) -> str:
    """The hash of a JSON-able value, independent of key order."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return digest_bytes(text.encode("utf-8"))


class FileHashes:
    """SHA-256 of files, cached by (size, mtime) across runs in a JSON file."""

    def __init__(self, cache_file: Path | None = None) -> None:
        self.cache_file = cache_file
        self._lock = threading.Lock()
        self._cache: dict[str, list] = {}
        self._dirty = False
        if cache_file is not None and cache_file.is_file():
            try:
                self._cache = json.loads(cache_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._cache = {}

    def __call__(self, path: Path) -> str:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return ABSENT
        key = str(path)
        stamp = [stat.st_size, stat.st_mtime_ns]
        with self._lock:
            cached = self._cache.get(key)
            if cached and cached[:2] == stamp:
                return cached[2]
        sha = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                sha.update(block)
        value = sha.hexdigest()
        with self._lock:
            self._cache[key] = [*stamp, value]
            self._dirty = True
        return value

    def tree(self, paths: Iterable[Path], base: Path) -> dict[str, str]:
        """{relative path: hash} for files (sorted)."""
        return {p.relative_to(base).as_posix(): self(p) for p in sorted(paths) if p.is_file()}

    def save(self) -> None:
        if self.cache_file is None or not self._dirty:
            return
        from helpers.io import write_text_atomic

        live = {k: v for k, v in self._cache.items() if os.path.exists(k)}
        write_text_atomic(json.dumps(live, sort_keys=True), self.cache_file)
        self._dirty = False


def code_digest(package_dir: Path, hashes: FileHashes) -> str:
    """One hash of the helpers package's Python files and assets."""
    files = [p for p in package_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return digest_json(hashes.tree(files, package_dir))


@dataclass
class Record:
    """What a built unit was made from and what it wrote."""

    fingerprint: str
    parts: dict[str, Any]
    outputs: dict[str, str] = field(default_factory=dict)  # path relative to root -> hash

    def to_json(self) -> str:
        return json.dumps(
            {"fingerprint": self.fingerprint, "parts": self.parts, "outputs": self.outputs},
            indent=1,
            sort_keys=True,
            ensure_ascii=False,
        )

    @classmethod
    def read(cls, path: Path) -> Record | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(data["fingerprint"], data.get("parts", {}), data.get("outputs", {}))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def fingerprint(parts: Mapping[str, Any]) -> str:
    return digest_json(dict(parts))


def outputs_intact(record: Record, root: Path, hashes: FileHashes) -> bool:
    return all(hashes(root / rel) == sha for rel, sha in record.outputs.items())


def changed_parts(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Names of the parts that differ (for `workbook status` and the run log)."""
    keys = sorted(set(old) | set(new))
    return [k for k in keys if old.get(k) != new.get(k)]
