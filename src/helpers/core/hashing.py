"""Content hashes: of files, of bytes, and of JSON-able values independent of key order."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ABSENT = "absent"  # the hash of what is not there


def digest_bytes(data: bytes) -> str:
    """The SHA-256 of ``data`` as hex."""
    return hashlib.sha256(data).hexdigest()


def digest_json(value: Any) -> str:
    """The SHA-256 of a JSON-able value, independent of key order."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return digest_bytes(text.encode("utf-8"))


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """The SHA-256 of a file's bytes, read in blocks of ``chunk`` bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
