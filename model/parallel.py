"""Score batches in worker processes on one machine, each loading the artifact (every language's
model, `model.routing.Router`) once, results in input order. Used by `escalation-score --workers
N`; a cluster is Spark's job (`batch.spark`)."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from model.routing import Router

T = TypeVar("T")
R = TypeVar("R")
# Batches queued per worker: enough to keep each busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2

_router: Router | None = None  # this worker process's models, loaded once by _load


def _load(path: Path) -> None:
    """Pool initializer: load and verify the artifact once in this process."""
    global _router
    _router = Router.load(path)


def _call(fn: Callable[..., R], batch: Any, args: tuple[Any, ...]) -> R:
    """Run `fn(router, batch, *args)` with this process's router."""
    assert _router is not None, "worker started without its model"
    return fn(_router, batch, *args)


def map_ordered(
    path: Path,
    fn: Callable[..., R],
    batches: Iterable[T],
    *args: Any,
    workers: int = 2,
) -> Iterator[R]:
    """`fn(router, batch, *args)` for each batch in `workers` processes (spawned, so nothing of
    the parent's state is shared), yielded in input order with a bounded number in flight.
    `fn` must be importable by name (a module-level function)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_load, initargs=(path,)) as pool:
        pending: deque[Any] = deque()
        for batch in batches:
            pending.append(pool.apply_async(_call, (fn, batch, args)))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
