"""Fingerprints: file hashes cached by size and time, records, what changed."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

from helpers.build import fingerprint as fp
from helpers.build.fingerprint import CodeIndex, FileHashes, notebook_digest
from helpers.build.pipeline import PACKAGE_DIR


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


# ----------------------------------------------------------------------------- grain

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"


def _saved_from_jupyterlab(path: Path, target: Path) -> Path:
    """The notebook as JupyterLab saves it after a run: outputs, execution counts, metadata."""
    notebook = nbformat.read(str(path), as_version=4)
    for count, cell in enumerate(notebook.cells, 1):
        cell.metadata["collapsed"] = False
        if cell.cell_type == "code":
            cell.execution_count = count
            cell.outputs = [nbformat.v4.new_output("stream", text=f"run {count}\n")]
    notebook.metadata["widgets"] = {"state": {}}
    nbformat.write(notebook, str(target))
    return target


def test_a_notebook_saved_with_outputs_and_counts_has_the_same_digest(tmp_path):
    source = NOTEBOOKS / "05_compute_indicators.ipynb"
    saved = _saved_from_jupyterlab(source, tmp_path / "saved.ipynb")
    assert source.read_bytes() != saved.read_bytes()
    assert notebook_digest(saved) == notebook_digest(source)


def test_a_changed_source_or_tag_changes_the_digest(tmp_path):
    source = NOTEBOOKS / "05_compute_indicators.ipynb"
    notebook = nbformat.read(str(source), as_version=4)
    notebook.cells[-1].source += "\nprint('one more line')"
    nbformat.write(notebook, str(tmp_path / "edited.ipynb"))
    assert notebook_digest(tmp_path / "edited.ipynb") != notebook_digest(source)
    notebook = nbformat.read(str(source), as_version=4)
    notebook.cells[-1].metadata["tags"] = ["remove-from-report"]
    nbformat.write(notebook, str(tmp_path / "tagged.ipynb"))
    assert notebook_digest(tmp_path / "tagged.ipynb") != notebook_digest(source)


def test_the_code_a_stage_depends_on_is_what_its_notebook_imports(tmp_path):
    index = CodeIndex(PACKAGE_DIR, FileHashes())
    clean = index.modules_of([NOTEBOOKS / "01_clean_inputs.ipynb"])
    report = index.modules_of([NOTEBOOKS / "10_agency_report.ipynb"])
    assert {"helpers.ingest.cleaning", "helpers.ingest.readers", "helpers.core.config"} <= clean
    assert not any(
        m.startswith(("helpers.reports", "helpers.stats", "helpers.build")) for m in clean
    )
    assert {"helpers.reports.agency", "helpers.reports.charts", "helpers.reports.fonts"} <= report
    assert "helpers.ingest.readers" not in report  # a reader change does not rebuild reports
    files = {p.relative_to(PACKAGE_DIR).as_posix() for p in index.files(report)}
    assert "reports/assets/fonts/Laksaman.ttf" in files  # data beside the code counts too


def test_a_function_counts_its_own_imports_not_its_modules_other_functions():
    from helpers.app import stages

    index = CodeIndex(PACKAGE_DIR, FileHashes())
    title = index.modules_of([], [stages.agency_title])
    assert "helpers.reports.tables" in title
    assert "helpers.audit.confidentiality" not in title  # imported by another function there


def test_the_parsed_imports_are_kept_between_runs_by_file_content(tmp_path):
    cache = tmp_path / "imports.json"
    first = CodeIndex(PACKAGE_DIR, FileHashes(), cache)
    found = first.modules_of([NOTEBOOKS / "05_compute_indicators.ipynb"])
    first.save()
    assert cache.is_file()
    again = CodeIndex(PACKAGE_DIR, FileHashes(), cache)
    assert again.modules_of([NOTEBOOKS / "05_compute_indicators.ipynb"]) == found
    assert not again._dirty  # no module was parsed again
