"""Spanish news, true and fake (Posadas-Durán et al. 2019): articles of Mexican and Spanish
outlets in two spreadsheets (train.xlsx, development.xlsx).

Topics are not rhetoric labels: sport, science, entertainment, economy, health, education and
society articles, true or fake, are ordinary Spanish text and train as 0; politics and security
may carry conflict and have no label. Articles are split once, by a fixed rule on their group,
into a training part and a held-out part used for evaluation only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from training.data.adapters import collapse, collapse_lines
from training.data.sources import DataError, Example
from training.data.wikicurrent import is_heldout

FAKENEWS_DIR = "fakenews-es"
FAKENEWS_TRAIN = f"{FAKENEWS_DIR}/train.xlsx"
FAKENEWS_DEVELOPMENT = f"{FAKENEWS_DIR}/development.xlsx"
COLUMNS = ("Id", "Topic", "Headline", "Text")
ORDINARY_TOPICS = frozenset(
    {"Sport", "Science", "Entertainment", "Economy", "Health", "Education", "Society"}
)
MIXED_TOPICS = frozenset({"Politics", "Security"})

# "train" and "heldout": ordinary articles (label 0) of each part; "mixed": politics and
# security, all of them (label 0 as a placeholder, never scored: `evaluate=False`).
Part = Literal["train", "heldout", "mixed"]


def article_text(headline: str, text: str) -> str:
    """Headline, a blank line, the text (lines kept); the text's first line is dropped when it
    repeats the headline (most do; where it runs on, it is kept whole)."""
    title, body = collapse(headline), collapse_lines(text)
    if body and body[0] == title:
        body = body[1:]
    lines = "\n".join(body)
    return f"{title}\n\n{lines}".strip()


def read_sheet(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(row number, row) of the first sheet, cells as text; a missing column raises DataError."""
    try:
        import openpyxl  # imported here: only this corpus needs it
    except ImportError as exc:
        raise DataError(
            f"{path}: reading .xlsx needs the `train` extra (openpyxl): "
            "pip install -c constraints.txt -e '.[train]'"
        ) from exc
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a foreign or damaged file
        raise DataError(f"{path}: cannot read as .xlsx: {exc}") from exc
    try:
        cells: list[tuple[Any, ...]] = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    header = [str(c).strip() if c is not None else "" for c in (cells[0] if cells else ())]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DataError(f"{path}:1: missing column {missing[0]!r}")
    rows = []
    for n, values in enumerate(cells[1:], start=2):
        if all(v is None for v in values):
            continue
        row = {h: "" if v is None else str(v) for h, v in zip(header, values, strict=False)}
        rows.append((n, row))
    return rows


def fakenews_examples(paths: Mapping[str, Path], *, part: Part, source: str) -> Iterator[Example]:
    """The articles of one part, `topic` = the corpus's topic.

    Ids restart in each file and a few texts appear twice (in both files, under two topics):
    group = a hash of the text, so copies share a group and a part. A group is held out when
    sha256(group) ends in 0-3 (about a quarter).
    """
    if part not in ("train", "heldout", "mixed"):
        raise ValueError(f"part must be 'train', 'heldout' or 'mixed', not {part!r}")
    for key in (FAKENEWS_TRAIN, FAKENEWS_DEVELOPMENT):
        path = paths[key]
        for line, row in read_sheet(path):
            topic = row["Topic"].strip()
            if topic not in ORDINARY_TOPICS | MIXED_TOPICS:
                raise DataError(f"{path}:{line}: unknown topic {topic!r}")
            if not collapse(row["Text"]):
                raise DataError(f"{path}:{line}: blank text (Id {row['Id']!r})")
            text = article_text(row["Headline"], row["Text"])
            digest = hashlib.sha256(collapse(row["Text"]).encode("utf-8")).hexdigest()
            group = f"{FAKENEWS_DIR}/{digest[:16]}"
            if part == "mixed":
                if topic in MIXED_TOPICS:
                    yield Example(text, 0, group, source, evaluate=False, topic=topic)
            elif topic in ORDINARY_TOPICS and is_heldout(group) == (part == "heldout"):
                yield Example(text, 0, group, source, topic=topic)
