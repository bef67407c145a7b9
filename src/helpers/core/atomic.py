"""Atomic writes: a reader never sees a half-written file.

Each writer writes to a temporary file in the target's folder and renames it into place
(``os.replace`` is atomic on one file system).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from helpers.core import crashpoints


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)  # mkstemp makes 0600; outputs are for readers
        crashpoints.reach(f"replace{target.suffix}")
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_parquet_atomic(frame: pd.DataFrame, target: Path) -> Path:
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)
    return Path(target)


def write_csv_atomic(frame: pd.DataFrame, target: Path) -> Path:
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    return Path(target)


def write_text_atomic(text: str, target: Path) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_json_atomic(data: object, target: Path) -> Path:
    return write_text_atomic(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n", target
    )


def replace_dir_atomic(staging: Path, target: Path) -> Path:
    """Move a fully written ``staging`` folder into place as ``target``.

    The old ``target`` is moved aside first and removed last, so at no moment does ``target``
    hold a mix of old and new files.
    """
    staging, target = Path(staging), Path(target)
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def staging_dir(target: Path) -> Path:
    """A new empty folder beside ``target`` to write into before ``replace_dir_atomic``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))


def remove_files(folder: Path, pattern: str) -> list[Path]:
    """Delete the files in ``folder`` matching ``pattern`` (outputs that no longer apply)."""
    removed = sorted(p for p in Path(folder).glob(pattern) if p.is_file())
    for path in removed:
        path.unlink()
    return removed
