import pandas as pd
import pytest

from helpers.core import atomic, hashing


def test_atomic_write_leaves_no_partial_file_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    atomic.write_text_atomic("old", target)
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_parquet_round_trip(tmp_path):
    frame = pd.DataFrame({"a": pd.array([1, None], dtype="Int8"), "b": ["x", "ย"]})
    atomic.write_parquet_atomic(frame, tmp_path / "t.parquet")
    assert pd.read_parquet(tmp_path / "t.parquet").equals(frame)


def test_replace_dir_swaps_whole_folder(tmp_path):
    target = tmp_path / "clean"
    target.mkdir()
    (target / "old.parquet").write_text("old")
    staging = atomic.staging_dir(target)
    (staging / "new.parquet").write_text("new")
    atomic.replace_dir_atomic(staging, target)
    assert [p.name for p in target.iterdir()] == ["new.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean"]


def test_sha256(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"abc")
    assert hashing.sha256_file(path).startswith("ba7816bf")
