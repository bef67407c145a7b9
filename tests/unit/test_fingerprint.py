"""Fingerprints: file hashes cached by size and time, records, what changed."""

from __future__ import annotations

import os

from helpers import fingerprint as fp


def test_file_hashes_follow_content_and_use_the_cache(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("x,1\n")
    cache = tmp_path / "cache.json"
    hashes = fp.FileHashes(cache)
    first = hashes(path)
    assert first == fp.digest_bytes(b"x,1\n")
    hashes.save()
    # a cached entry is trusted while size and time are unchanged ...
    again = fp.FileHashes(cache)
    assert again(path) == first
    # ... and recomputed when the file changes
    path.write_text("x,2\n")
    os.utime(path, ns=(1, 1))
    assert again(path) == fp.digest_bytes(b"x,2\n")
    assert again(tmp_path / "missing") == fp.ABSENT


def test_digest_json_ignores_key_order():
    assert fp.digest_json({"a": 1, "b": [1, 2]}) == fp.digest_json({"b": [1, 2], "a": 1})
    assert fp.digest_json({"a": 1}) != fp.digest_json({"a": 2})


def test_record_round_trip_and_intact_outputs(tmp_path):
    out = tmp_path / "out.html"
    out.write_text("<html></html>")
    hashes = fp.FileHashes()
    parts = {"inputs": {"raw": {"f": "1"}}, "code": "c"}
    record = fp.Record(fp.fingerprint(parts), parts, {"out.html": hashes(out)})
    path = tmp_path / "record.json"
    path.write_text(record.to_json())
    read = fp.Record.read(path)
    assert read == record
    assert fp.outputs_intact(read, tmp_path, hashes)
    out.write_text("<html>changed</html>")
    assert not fp.outputs_intact(read, tmp_path, fp.FileHashes())
    path.write_text("{not json")
    assert fp.Record.read(path) is None


def test_changed_parts_names_what_differs():
    old = {"code": "1", "config": "a", "inputs": {"raw": 1}}
    new = {"code": "1", "config": "b", "inputs": {"raw": 2}, "notebook": "n"}
    assert fp.changed_parts(old, new) == ["config", "inputs", "notebook"]
