"""The user's own labelled CSV/JSONL files, validated with the file, line and problem."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from training.data.adapters import parse_csv
from training.data.sources import DataError, Example, LoadedSource, SourceFile

__all__ = ["load_user_file"]

_MAX_ERRORS = 20

_TRUE = frozenset({"1", "true"})
_FALSE = frozenset({"0", "false"})


def _label(value: Any, positive_class: str | None, negative_classes: Collection[str]) -> int:
    """0 or 1 from a user label; raises ValueError with the problem.

    0/1 and true/false always work. With `--positive-class X`, a label equal to X is 1 and a label
    named by `--negative-class` is 0; any other name (a typo, a class nobody declared) is an error.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and value in (0, 1):
        return int(value)
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError("blank label")
    if positive_class is not None and text == positive_class:
        return 1
    if isinstance(value, str) and text in negative_classes:
        return 0
    if text.lower() in _TRUE:
        return 1
    if text.lower() in _FALSE:
        return 0
    if positive_class is None:
        hint = "; pass --positive-class and --negative-class to use class names"
    else:
        hint = f", {positive_class!r} or a --negative-class name"
    raise ValueError(f"unknown label {value!r} (expected 0/1 or true/false{hint})")


def _weight(value: Any) -> float:
    """A positive finite weight (1.0 when absent); raises ValueError with the problem."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1.0
    weight = math.nan
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            weight = float(value)
        except ValueError:
            pass
    if not (math.isfinite(weight) and weight > 0):
        raise ValueError(f"bad weight {value!r} (expected a positive number)")
    return weight


def _user_records(path: Path, text: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(line, record) pairs of a CSV or JSONL user file; structural problems raise DataError."""
    name = str(path)
    if path.suffix.lower() == ".csv":
        yield from parse_csv(text, name, ("text", "label"))
        return
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DataError(f"{name}:{line}: invalid JSON: {exc.msg}") from exc
        if not isinstance(record, dict):
            raise DataError(f"{name}:{line}: expected a JSON object, got {type(record).__name__}")
        for key in ("text", "label"):
            if key not in record:
                raise DataError(f"{name}:{line}: missing key {key!r}")
        yield line, record


def load_user_file(
    path: Path, *, positive_class: str | None = None, negative_classes: Collection[str] = ()
) -> LoadedSource:
    """Read a labelled CSV or JSONL file (text, label, optional group and weight), validated."""
    path = Path(path)
    name = str(path)
    if path.suffix.lower() not in (".csv", ".jsonl", ".ndjson"):
        raise DataError(f"{name}: unsupported file type {path.suffix!r} (use .csv or .jsonl)")
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as exc:
        raise DataError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: not valid UTF-8 (byte {exc.start})") from exc
    examples: list[Example] = []
    errors: list[str] = []
    for line, record in _user_records(path, text):
        try:
            body = record["text"]
            if not isinstance(body, str) or not body.strip():
                raise ValueError("blank text")
            label = _label(record["label"], positive_class, frozenset(negative_classes))
            weight = _weight(record.get("weight"))
        except ValueError as exc:
            errors.append(f"{name}:{line}: {exc}")
            continue
        group = record.get("group")
        group = str(group).strip() if group is not None else ""
        examples.append(
            Example(body.strip(), label, group or f"{path.name}:{line}", path.name, weight)
        )
    if len(errors) > _MAX_ERRORS:
        errors[_MAX_ERRORS:] = [f"... and {len(errors) - _MAX_ERRORS} more errors"]
    if errors:
        raise DataError("\n".join(errors))
    if not examples:
        raise DataError(f"{name}: empty file (no examples)")
    classes = {ex.label for ex in examples}
    if len(classes) < 2:
        hint = ""
        if positive_class is not None and classes == {0}:
            hint = f"; --positive-class {positive_class!r} never occurs"
        raise DataError(f"{name}: only one class present (every label is {classes.pop()}){hint}")
    return LoadedSource(
        name=name,
        examples=tuple(examples),
        files=(SourceFile(name, hashlib.sha256(data).hexdigest()),),
    )
