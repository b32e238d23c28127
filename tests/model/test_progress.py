"""Progress bars: drawn on a terminal only, never in CI, off on request."""

from __future__ import annotations

import io
import logging

import pytest

from model import progress


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_ci(monkeypatch) -> None:
    """CI's own `CI=true` would turn every bar off."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(progress.ENV, raising=False)


def test_bars_only_on_a_terminal(tmp_path) -> None:
    assert progress.enabled(Terminal())
    assert not progress.enabled(io.StringIO())
    with (tmp_path / "log").open("w") as closed:
        pass
    assert not progress.enabled(closed)  # isatty() raises on a closed file


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("CI", "true", False),
        ("CI", "1", False),
        ("CI", "false", True),
        ("CI", "", True),
        (progress.ENV, "0", False),
        (progress.ENV, "off", False),
        (progress.ENV, "1", True),
    ],
)
def test_ci_and_the_switch(monkeypatch, name: str, value: str, shown: bool) -> None:
    monkeypatch.setenv(name, value)
    assert progress.enabled(Terminal()) is shown


def test_a_bar_draws_on_a_terminal_and_not_elsewhere() -> None:
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        with progress.bar(desc="rows", total=3, unit="row", stream=stream) as shown:
            shown.update(3)
    assert "\r" in terminal.getvalue() and "rows:" in terminal.getvalue()
    assert pipe.getvalue() == ""
    with progress.bar(desc="rows", unit="row", stream=Terminal(), show=False) as shown:
        assert shown.disable


def test_steps_name_the_current_step(monkeypatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with progress.steps("train", total=2) as step:
        step("first")
        step("second")
    assert "first" in terminal.getvalue() and "second" in terminal.getvalue()


def test_write_and_logs_go_above_a_bar(monkeypatch) -> None:
    pipe = io.StringIO()
    progress.write("a line", pipe)
    assert pipe.getvalue() == "a line\n"
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    handler = logging.StreamHandler(terminal)  # a console handler: it writes to stderr
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with progress.logs_above_bars(), progress.bar(desc="work", total=2) as shown:
            logging.getLogger("escalation.test").warning("logged")
            progress.write("written", terminal)
            shown.update(2)
    finally:
        root.removeHandler(handler)
    out = terminal.getvalue()
    # Each line is written on a cleared bar line and the bar is drawn again after it.
    assert "logged\n" in out and "written\n" in out and out.count("work:") >= 3
