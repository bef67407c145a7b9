"""Where the per-agency report runs go: a local process pool (the default) or a Dask cluster.

An executor takes a function and a list of argument tuples and yields ``(args, result)`` as
runs finish, in any order. A run that raises (or whose worker dies) yields the exception as its
result: one failure never stops the others.

Dask (``pip install -e ".[dask]"``, then ``workbook run --scheduler tcp://host:8786``) is for
users with thousands of units, e.g. local administrations. Its workers must see the project at
the same path (a shared file system) and have the project installed with its Jupyter kernel.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol


class Executor(Protocol):
    name: str

    def run(
        self, fn: Callable[..., Any], calls: Sequence[tuple]
    ) -> Iterator[tuple[tuple, Any]]: ...


class InlineExecutor:
    """One run after another in this process (one worker, or a single run)."""

    name = "inline"

    def run(self, fn: Callable[..., Any], calls: Sequence[tuple]) -> Iterator[tuple[tuple, Any]]:
        for args in calls:
            try:
                yield args, fn(*args)
            except Exception as exc:  # reported as that run's failure
                yield args, exc


# What a worker imports to run a notebook (~0.8 s of CPU): with the forkserver start method
# this happens once per run, in the server the workers are forked from, not once per worker.
# The project adds its own modules (``runner.worker_preload`` in pipeline.yaml).
WORKER_PRELOAD = [
    "helpers.build.pipeline",
    "papermill",
    "nbconvert",
    "nbclient",
]


def _adopt_environment(environment: dict[str, str]) -> None:
    """Pool initializer: a worker forked from a long-lived forkserver gets the environment of
    the run that starts it (project root, kernel server), not the one the forkserver began in."""
    os.environ.clear()
    os.environ.update(environment)


class LocalExecutor:
    """A pool of worker processes on this machine, kept for the whole run so that workers start
    once, not once per stage. Workers are forked from multiprocessing's forkserver (which has
    imported the runner once) or spawned; never forked from the parent, which holds zmq
    threads."""

    def __init__(self, workers: int, preload: Sequence[str] = ()) -> None:
        self.workers = max(1, int(workers))
        self.preload = [*WORKER_PRELOAD, *preload]
        self.name = f"local pool, {self.workers} workers"
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(self.preload)
            else:
                context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_adopt_environment,
                initargs=(dict(os.environ),),
            )
        return self._pool

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Start ``fn(*args)`` in a worker; its future. A pool that lost a worker (its
        earlier futures failed with BrokenProcessPool) is replaced."""
        try:
            return self._get_pool().submit(fn, *args)
        except BrokenProcessPool:
            self._pool = None
            return self._get_pool().submit(fn, *args)

    def run(self, fn: Callable[..., Any], calls: Sequence[tuple]) -> Iterator[tuple[tuple, Any]]:
        if self.workers == 1 or (len(calls) <= 1 and self._pool is None):
            yield from InlineExecutor().run(fn, calls)
            return
        pool = self._get_pool()
        futures = {pool.submit(fn, *args): args for args in calls}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except BrokenProcessPool as exc:  # a worker died: this run fails, the pool is renewed
                self._pool = None
                yield futures[future], exc
            except Exception as exc:
                yield futures[future], exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """Runs on a Dask distributed cluster reached at ``address`` (``tcp://host:port``)."""

    def __init__(self, address: str, timeout: float = 10.0) -> None:
        try:
            from dask.distributed import Client
        except ImportError as exc:
            raise RuntimeError(
                'Dask is not installed: pip install -e ".[dask]" (dask[distributed]).'
            ) from exc
        self.client = Client(address, timeout=timeout)
        self.name = f"dask scheduler {address}"

    def run(self, fn: Callable[..., Any], calls: Sequence[tuple]) -> Iterator[tuple[tuple, Any]]:
        from dask.distributed import as_completed as dask_completed

        futures = {}
        for args in calls:
            future = self.client.submit(fn, *args, pure=False)
            futures[future.key] = (future, args)
        for future in dask_completed([f for f, _ in futures.values()]):
            args = futures[future.key][1]
            try:
                yield args, future.result()
            except Exception as exc:
                yield args, exc

    def close(self) -> None:
        self.client.close()


def make_executor(
    workers: int, scheduler: str | None = None, preload: Sequence[str] = ()
) -> Executor:
    """A Dask executor for ``scheduler``, else a local pool of ``workers`` processes that
    import ``preload`` once (in the process they are forked from)."""
    if scheduler:
        return DaskExecutor(scheduler)
    return LocalExecutor(workers, preload)
