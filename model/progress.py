"""Progress bars (tqdm, on stderr) for the long commands, drawn only on a terminal.

Bars are on when stderr is a terminal, the `CI` environment variable is unset (or 0/false) and
`ESCALATION_PROGRESS` is not 0/false/no/off. Otherwise every bar is a no-op and the commands'
line-based logs are all there is: piped, redirected and CI output has no carriage returns.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

__all__ = ["ENV", "bar", "enabled", "is_terminal", "logs_above_bars", "steps", "write"]

ENV = "ESCALATION_PROGRESS"
_OFF = frozenset({"0", "false", "no", "off"})
T = TypeVar("T")


def _switched_on(name: str) -> bool:
    """Whether an environment variable is set to something other than empty or off."""
    return os.environ.get(name, "").strip().lower() not in _OFF | {""}


def is_terminal(stream: IO[str]) -> bool:
    """Whether a stream is a terminal (False for one without `isatty`, or closed)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def enabled(stream: IO[str] | None = None) -> bool:
    """Whether bars are drawn on `stream` (default: stderr)."""
    if os.environ.get(ENV, "").strip().lower() in _OFF or _switched_on("CI"):
        return False
    return is_terminal(sys.stderr if stream is None else stream)


def bar(
    iterable: Iterable[T] | None = None,
    *,
    desc: str,
    total: float | None = None,
    unit: str = "it",
    stream: IO[str] | None = None,
    show: bool = True,
    **kwargs: Any,
) -> Any:
    """A tqdm bar on `stream` (default: stderr), a no-op unless `show` and `enabled`; transient
    (cleared when closed: the logs keep the record)."""
    stream = sys.stderr if stream is None else stream
    kwargs.setdefault("leave", False)
    return tqdm(
        iterable,
        desc=desc,
        total=total,
        unit=unit,
        file=stream,
        disable=not (show and enabled(stream)),
        dynamic_ncols=True,
        **kwargs,
    )


@contextlib.contextmanager
def steps(desc: str, total: int) -> Iterator[Callable[[str], None]]:
    """A bar of `total` named steps: each call `step(name)` finishes the one before."""
    with bar(desc=desc, total=total, unit="step") as shown:
        begun = False

        def step(name: str) -> None:
            nonlocal begun
            if begun:
                shown.update()
            begun = True
            shown.set_postfix_str(name)

        yield step


def write(message: str, stream: IO[str]) -> None:
    """A line on `stream`, above any bar drawn there (as `print` when bars are off)."""
    if enabled(stream):
        tqdm.write(message, file=stream)
    else:
        print(message, file=stream)


@contextlib.contextmanager
def logs_above_bars(*loggers: logging.Logger) -> Iterator[None]:
    """Console log records (the root logger's and `loggers`') are written above the bars while
    bars are drawn, instead of breaking them; nothing changes when bars are off."""
    if not enabled():
        yield
        return
    with logging_redirect_tqdm(loggers=[logging.root, *loggers]):
        yield
