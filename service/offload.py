"""CPU-bound work off the event loop: under gevent workers, scoring runs in the hub's thread pool.

A gevent worker serves many connections in one thread; scoring there would stop it reading
other requests and answering health probes until the work is done. Handed to a real thread,
the work still holds the GIL most of the time, but Python switches threads every few
milliseconds, so the loop keeps accepting, reading and answering in between. One thread per
worker: more would only contend for the GIL (and the model's lock) in the same process.
Without gevent (the Flask test client, a sync worker) the work runs inline.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NamedTuple, TypeVar, cast

T = TypeVar("T")
POOL_THREADS = 1


def _patched() -> bool:
    """True in a process gevent has monkey-patched (a gunicorn gevent worker)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("socket")


class _Raised(NamedTuple):
    """An exception `work` raised in the pool, carried back to be raised in the caller."""

    error: BaseException


def _carried(work: Callable[[], T]) -> Callable[[], T | _Raised]:
    """`work` returning what it raises: the pool itself would print an exception with the
    call's arguments (a request body, article text) to the error log."""

    def run() -> T | _Raised:
        try:
            return work()
        except BaseException as exc:  # raised again in the caller's greenlet
            return _Raised(exc)

    return run


def run_cpu(work: Callable[[], T]) -> T:
    """Run `work` and return its result; under gevent in the worker's thread pool."""
    if not _patched():
        return work()
    from gevent import get_hub

    pool = get_hub().threadpool
    if pool.maxsize != POOL_THREADS:
        pool.maxsize = POOL_THREADS
    outcome = pool.apply(_carried(work))
    if isinstance(outcome, _Raised):
        raise outcome.error
    return cast(T, outcome)
