"""The project's own training sentences, written to teach what happened, one set per language
(English in `training/data/pairs/`, Arabic and Spanish in its `ar/` and `es/` folders):

* minimal pairs (`pairs.tsv`: `id`, `writer`, `category`, `escalatory`, `calm`), news sentences
  that share their actors, place and wording and differ only in what happened (talks broken or
  held, sanctions imposed or lifted, an attack or its halt, a threat or a reassurance, an event
  stated or denied, a refusal or an acceptance, an ultimatum or an offer, coercive or ordinary
  trade). A pair is two rows in one group, 1 for its escalatory member and 0 for its calm one,
  so cross-validation never splits a pair;
* everyday senses (`senses.tsv`: `id`, `writer`, `word`, `text`): ordinary news sentences
  (sport, markets, weather, ...) using a word of the pairs' escalatory members in its everyday
  sense ("an airline suspends flights"), each a row of its own, 0.

How they were written: `training/data/pairs/README.md`. The files are pinned by SHA-256 in the
registry like upstream files, and written apart from the contrast sets of `docs/contrast/`,
evaluation files; a test holds them apart.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from training.data.sources import DataError, Example

_ROOT = Path(__file__).resolve().parents[2]  # the project (or the installed packages)
_NAME = "training/data/pairs"  # how manifests name the files: their path in the project


@dataclass(frozen=True)
class Written:
    """One language's written sentences: its corpus name and its two files."""

    language: str

    @property
    def corpus(self) -> str:
        """The corpus name: `pairs` for English, `pairs-<language>` for the others."""
        return "pairs" if self.language == "en" else f"pairs-{self.language}"

    def _name(self, file: str) -> str:
        return f"{_NAME}/{file}" if self.language == "en" else f"{_NAME}/{self.language}/{file}"

    @property
    def pairs_name(self) -> str:
        """The pairs file as manifests name it."""
        return self._name("pairs.tsv")

    @property
    def senses_name(self) -> str:
        """The senses file as manifests name it."""
        return self._name("senses.tsv")

    @property
    def pairs_path(self) -> Path:
        """The pairs file in this checkout."""
        return _ROOT / self.pairs_name

    @property
    def senses_path(self) -> Path:
        """The senses file in this checkout."""
        return _ROOT / self.senses_name


WRITTEN = {language: Written(language) for language in ("en", "ar", "es")}
PAIRS_NAME = WRITTEN["en"].pairs_name
PAIRS_PATH = WRITTEN["en"].pairs_path
SENSES_NAME = WRITTEN["en"].senses_name
SENSES_PATH = WRITTEN["en"].senses_path
COLUMNS = ("id", "writer", "category", "escalatory", "calm")
SENSE_COLUMNS = ("id", "writer", "word", "text")


def read_rows(path: Path, columns: Sequence[str], texts: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a pairs or senses file (`columns`, of which `texts` hold sentences, stripped);
    DataError (file and line) for a wrong header, a missing, empty or extra field, a repeated
    id, a sentence that repeats another, or a pair whose members are the same."""
    rows: list[dict[str, str]] = []
    ids: set[str] = set()
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        if tuple(reader.fieldnames or ()) != tuple(columns):
            raise DataError(f"{path}: the header must be {' '.join(columns)}")
        for row in reader:
            line = reader.line_num
            if None in row or any(not (row.get(c) or "").strip() for c in columns):
                raise DataError(f"{path}:{line}: every column needs a value, and no more")
            sentences = [row[c].strip() for c in texts]
            problem = (
                "the two members are the same"
                if len(set(sentences)) < len(sentences)
                else f"id {row['id']} repeated"
                if row["id"] in ids
                else "a sentence repeats another row's"
                if seen.intersection(sentences)
                else None
            )
            if problem:
                raise DataError(f"{path}:{line}: {problem}")
            ids.add(row["id"])
            seen.update(sentences)
            rows.append({**row, **dict(zip(texts, sentences, strict=True))})
    return rows


def read_pairs(path: Path = PAIRS_PATH) -> list[dict[str, str]]:
    """The rows of a pairs file (`read_rows`)."""
    return read_rows(path, COLUMNS, ("escalatory", "calm"))


def read_senses(path: Path = SENSES_PATH) -> list[dict[str, str]]:
    """The rows of a senses file (`read_rows`)."""
    return read_rows(path, SENSE_COLUMNS, ("text",))


def written_adapter(written: Written) -> Callable[[Mapping[str, Path]], Iterator[Example]]:
    """The adapter of one language's written sentences: two examples per pair, in one group (the
    escalatory member 1, the calm one 0), then a 0 per everyday sense, in a group of its own."""
    corpus = written.corpus

    def examples(paths: Mapping[str, Path]) -> Iterator[Example]:
        for row in read_pairs(paths[written.pairs_name]):
            group = f"{corpus}:{row['id']}"
            yield Example(row["escalatory"], 1, group, corpus, topic=row["category"])
            yield Example(row["calm"], 0, group, corpus, topic=row["category"])
        for row in read_senses(paths[written.senses_name]):
            yield Example(row["text"], 0, f"{corpus}:{row['id']}", corpus, topic="sense")

    return examples


pairs_examples = written_adapter(WRITTEN["en"])
