"""The house rules of ``helpers``: layers along the data flow, a build engine that knows no
domain, no import cycles, and an import inside a function only with its reason beside it."""

from __future__ import annotations

import ast
from pathlib import Path

import helpers

PACKAGE = Path(helpers.__file__).parent
# What each subpackage may import (besides itself). The data flows core -> ingest -> stats ->
# indicators -> reports -> audit; the build engine stands on core alone; app wires them.
ALLOWED = {
    "core": set(),
    "ingest": {"core"},
    "stats": {"core"},
    "indicators": {"core", "stats"},
    "reports": {"core", "ingest", "stats", "indicators"},
    "audit": {"core", "ingest", "stats", "indicators", "reports"},
    "build": {"core"},
    "demo": {"core", "ingest"},
    "app": {"core", "ingest", "stats", "indicators", "reports", "audit", "build", "demo"},
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _target(name: str) -> str | None:
    """The package module an imported name refers to (a module, or the module holding it)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(path: Path, module: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for sub in ast.walk(node)
    }
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" for a in node.names]
        for name in names:
            target = _target(name) if name.startswith("helpers") else None
            if target and target != module:
                found.append((target, node.lineno, id(node) in nested))
    return found


GRAPH = {m: _imports(p, m) for m, p in MODULES.items()}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_module_belongs_to_a_layer():
    assert {_layer(m) for m in MODULES} - {""} == set(ALLOWED)
    assert [m for m in MODULES if _layer(m) == ""] == ["helpers"]


def test_layers_import_only_what_lies_below_them():
    wrong = [
        f"{module} imports {target} (line {line})"
        for module, imports in GRAPH.items()
        for target, line, _ in imports
        if _layer(module)
        and _layer(target) != _layer(module)
        and _layer(target) not in ALLOWED[_layer(module)]
    ]
    assert wrong == []


def test_the_build_engine_imports_no_domain_module():
    domain = [
        f"{module} imports {target}"
        for module, imports in GRAPH.items()
        if _layer(module) == "build"
        for target, _, _ in imports
        if _layer(target) not in {"core", "build"}
    ]
    assert domain == []


def test_there_is_no_import_cycle_even_through_imports_in_functions():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target, _, _ in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert cycles == []


def test_an_import_inside_a_function_says_why():
    """Deferred imports are for heavy dependencies or for a command that imports only what it
    runs; the reason is a comment on the import or just above it."""
    silent = []
    for module, imports in GRAPH.items():
        lines = MODULES[module].read_text(encoding="utf-8").splitlines()
        for _, line, inside in imports:
            if not inside or "#" in lines[line - 1]:
                continue
            above = line - 2  # the comment may head a block of imports
            while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
                above -= 1
            if above < 0 or not lines[above].strip().startswith("#"):
                silent.append(f"{module}:{line}: {lines[line - 1].strip()}")
    assert silent == []


def test_importing_the_package_has_no_side_effect():
    assert GRAPH["helpers"] == []
    for name in ALLOWED:
        assert GRAPH[f"helpers.{name}"] == [], f"helpers/{name}/__init__.py imports"
