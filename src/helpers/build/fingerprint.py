"""Fingerprints: what an output was made from, so that an unchanged output is not rebuilt.

A fingerprint is the SHA-256 of a canonical JSON of named parts: the content of every input
file, the notebook's sources (:func:`notebook_digest`: not its outputs, metadata or execution
counts), the helpers modules the notebook imports (:class:`CodeIndex`), the configuration
values the stage reads, and the parameters. File hashes are
cached by (size, modification time) in ``data/processed/.file_hashes.json``, so checking a
whole evaluation with nothing changed reads almost no file.

Each built unit (a stage for a year, or an agency's report) writes a record beside its outputs
(``data/processed/<year>/fingerprints/<stage>[/<agency>].json``) AFTER the outputs, with the
fingerprint and the hashes of the outputs. A unit is up to date when its record exists, its
fingerprint equals the one computed now, and every recorded output still has its hash.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.core.atomic import write_text_atomic
from helpers.core.hashing import ABSENT, digest_bytes, digest_json  # noqa: F401 (re-exported)


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
        live = {k: v for k, v in self._cache.items() if os.path.exists(k)}
        write_text_atomic(json.dumps(live, sort_keys=True), self.cache_file)
        self._dirty = False


def notebook_digest(path: Path) -> str:
    """A hash of what a notebook runs and how it is shown: each cell's type, source and tags.
    Outputs, execution counts and other metadata do not count, so a notebook saved from
    JupyterLab after a run, or re-synced from its text twin, rebuilds nothing."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ABSENT
    cells = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        cells.append(
            [
                cell.get("cell_type"),
                "".join(source) if isinstance(source, list) else source,
                sorted(cell.get("metadata", {}).get("tags", [])),
            ]
        )
    return digest_json(cells)


class CodeIndex:
    """The modules of one package that a notebook (or a function) imports, transitively.

    Imports are read from the sources (:mod:`ast`), including imports inside functions, so the
    closure is a superset of what runs. A module's closure includes its parent packages (their
    ``__init__`` runs on import) and the data files beside it (fonts, templates), which are
    what the package folder holds besides Python files and sub-packages.
    """

    def __init__(self, package_dir: Path, hashes: FileHashes, cache_file: Path | None = None):
        self.dir = package_dir
        self.package = package_dir.name
        self.hashes = hashes
        self.cache_file = cache_file
        self._imports: dict[str, set[str]] = {}
        # what a module imports, by "<module>:<sha256 of its file>": parsing every module costs
        # about 0.4 s a run; a file's imports change only with its content
        self._known: dict[str, list[str]] = {}
        self._dirty = False
        if cache_file is not None and cache_file.is_file():
            try:
                self._known = json.loads(cache_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._known = {}

    def save(self) -> None:
        """Keep what was parsed for the next run (only the modules that exist now)."""
        if self.cache_file is None or not self._dirty:
            return
        write_text_atomic(json.dumps(self._known, sort_keys=True), self.cache_file)
        self._dirty = False

    def module_file(self, name: str) -> Path | None:
        """The file of module ``name`` (``helpers.core.config``), or None if not in the package."""
        parts = name.split(".")
        if parts[0] != self.package:
            return None
        base = self.dir.joinpath(*parts[1:])
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def imports_in(self, source: str, module: str = "") -> set[str]:
        """Package modules that Python ``source`` imports (``module``: where it lives, for
        relative imports). Lines that are not Python (IPython magics) are skipped."""
        try:
            tree = ast.parse(source)
        except SyntaxError:
            lines = source.splitlines()
            kept = [line for line in lines if not line.lstrip().startswith(("%", "!"))]
            try:
                tree = ast.parse("\n".join(kept))
            except SyntaxError:
                return set()
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = module.split(".")[: -node.level]
                    base = ".".join([*anchor, base] if base else anchor)
                found.add(base)
                found.update(f"{base}.{a.name}" for a in node.names)
        return {name for name in found if self.module_file(name) is not None}

    def closure(self, modules: set[str]) -> set[str]:
        """``modules`` and everything they import in the package, with parent packages."""
        seen: set[str] = set()
        todo = list(modules)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            parts = name.split(".")
            todo += [".".join(parts[:i]) for i in range(1, len(parts))]
            if name not in self._imports:
                self._imports[name] = self._module_imports(name)
            todo += self._imports[name]
        return {name for name in seen if self.module_file(name) is not None}

    def _module_imports(self, name: str) -> set[str]:
        path = self.module_file(name)
        if path is None:
            return set()
        key = f"{name}:{self.hashes(path)}"
        if key not in self._known:
            package = name if path.name == "__init__.py" else name.rpartition(".")[0]
            text = path.read_text(encoding="utf-8")
            self._known = {k: v for k, v in self._known.items() if not k.startswith(f"{name}:")}
            self._known[key] = sorted(self.imports_in(text, package + ".x"))
            self._dirty = True
        return set(self._known[key])

    def files(self, modules: set[str]) -> list[Path]:
        """The modules' files and the data files of their folders."""
        out: set[Path] = set()
        for name in modules:
            path = self.module_file(name)
            if path is None:
                continue
            out.add(path)
            for sub in path.parent.iterdir():
                if (
                    sub.is_dir()
                    and sub.name != "__pycache__"
                    and not (sub / "__init__.py").exists()
                ):
                    out.update(p for p in sub.rglob("*") if p.is_file())
        return sorted(out)

    def modules_of(self, notebooks: list[Path], functions: Iterable[Callable] = ()) -> set[str]:
        """The closure of what ``notebooks`` import and of what ``functions`` import (in their
        own body and at their module's top level, not in the module's other functions)."""
        start: set[str] = set()
        for path in notebooks:
            try:
                cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
            except (OSError, ValueError):
                continue
            for cell in cells:
                if cell.get("cell_type") == "code":
                    source = cell.get("source", "")
                    text = "".join(source) if isinstance(source, list) else source
                    start |= self.imports_in(text)
        for function in functions:
            start |= self._function_imports(function)
        return self.closure(start)

    def _function_imports(self, function: Callable) -> set[str]:
        path = self.module_file(function.__module__)
        if path is None:
            return set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        kept = [
            node
            for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom))
            or (isinstance(node, ast.FunctionDef) and node.name == function.__name__)
        ]
        package = function.__module__.rpartition(".")[0]
        return self.imports_in(ast.unparse(ast.Module(kept, [])), f"{package}.x")

    def digest(self, notebooks: list[Path], functions: Iterable[Callable] = ()) -> str:
        """One hash of the files of :meth:`modules_of` and of the functions' own modules,
        named relative to the package."""
        functions = list(functions)
        files = set(self.files(self.modules_of(notebooks, functions)))
        files |= {p for f in functions if (p := self.module_file(f.__module__)) is not None}
        return digest_json(self.hashes.tree(sorted(files), self.dir))


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
