"""What the build engine knows of a project: registries that the project fills in.

In the style of papermill's engines (``papermill_engines.register(name, engine)``), the engine
holds named registries and the project registers its implementations in them; the engine reads
these declarations and nothing else. ``config/pipeline.yaml`` names the stages and, for each,
the registered names it uses:

``scope``
    a *fan-out*: which units a stage has in a year (``year``: one; ``agency``: one per agency
    with data). Registered in :data:`fan_outs` as ``f(year, root) -> [key, ...]``.
``inputs``
    besides file globs under ``data/processed/<year>/``, named *input kinds* such as ``raw`` or
    ``agency_view``, registered in :data:`input_kinds` as ``f(context) -> JSON-able``, where
    ``context`` is an :class:`InputContext`.
``title`` and ``html``
    a stage with ``html`` is converted to a page by the exporter registered in
    :data:`exporters` under ``html``, titled by :data:`titles` ``[title](year, key, root)``.
``finish``
    (``runner.finish``) what runs after the report stages, in order: registered in
    :data:`finishers` as ``f(years, root, say, *, rebuilt, previous) -> (problems, record)``,
    where ``say(text, show=True, quiet=False)`` writes to the run log, ``rebuilt`` tells whether
    any unit was built, ``previous`` holds the records of the last run's finishers, and the
    returned record goes into the run's manifest.
``years``
    the years that have inputs: ``years`` in :data:`discoveries`, ``f(root) -> [year, ...]``.

The module named by ``runner.declarations`` in ``pipeline.yaml`` declares a project's
implementations in its ``register(registries)`` function; :func:`load` imports it once per
process (the engine, and every worker that runs units).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class DeclarationError(LookupError):
    """A stage uses a name that nothing registered."""


class Registry(Generic[T]):
    """Named implementations of one kind (fan-outs, input kinds, titles ...)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T) -> T:
        """Register ``item`` under ``name`` (a later registration replaces an earlier one)."""
        self._items[name] = item
        return item

    def get(self, name: str) -> T:
        """The item registered under ``name``; a :class:`DeclarationError` names the others."""
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise DeclarationError(
                f"No {self.kind} named {name!r} is registered (registered: {known})."
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def clear(self) -> None:
        self._items.clear()


@dataclass(frozen=True)
class InputContext:
    """What an input kind is asked about: one unit (its year and key) in one project."""

    root: Path
    year: int
    key: str | None
    hashes: Any  # helpers.build.fingerprint.FileHashes, shared by the run
    cache: dict  # per-run memo an input kind may use (e.g. one digest computation per year)


fan_outs: Registry[Callable[[int, Path], list[str]]] = Registry("fan-out")
input_kinds: Registry[Callable[[InputContext], Any]] = Registry("input kind")
titles: Registry[Callable[[int, str | None, Path], str]] = Registry("title")
exporters: Registry[Callable[[Any, str], str]] = Registry("exporter")
finishers: Registry[Callable[..., list[str]]] = Registry("finisher")
discoveries: Registry[Callable[[Path], list[int]]] = Registry("discovery")
REGISTRIES = {
    "fan_outs": fan_outs,
    "input_kinds": input_kinds,
    "titles": titles,
    "exporters": exporters,
    "finishers": finishers,
    "discoveries": discoveries,
}

_loaded: set[str] = set()
_lock = threading.Lock()


def load(module: str) -> None:
    """Import the declarations module ``module`` and let it register (once per process)."""
    with _lock:
        if module in _loaded:
            return
        declarations = importlib.import_module(module)
        declarations.register(REGISTRIES)
        _loaded.add(module)


def reset() -> None:
    """Forget every registration (tests that declare their own stages)."""
    with _lock:
        for registry in REGISTRIES.values():
            registry.clear()
        _loaded.clear()
