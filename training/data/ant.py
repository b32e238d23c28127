"""ANT corpus v1.1 (Arabic News Texts, radio JawharaFM): one TREC-like file per article under
nine category folders.

Categories are topics, not rhetoric labels: ordinary news (sport, society, economy, culture,
technology, diverse) trains as 0; politics, international and local news mix diplomacy, war,
crime and protests, and carry no label. Articles are split once, by a fixed rule on the DOCNO,
into a training part and a held-out part used for evaluation only. A training article enters as
its title and its sentences, one row each in the article's group: the units a monitor sends alone
(a headline) and the sentences it is made of. Held-out articles are scored whole as sent, and
their titles alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from training.data.adapters import collapse, collapse_lines, title_and_sentences
from training.data.sources import DataError, Example
from training.data.wikicurrent import is_heldout

ANT_DIR = "ant"
ORDINARY_CATEGORIES = frozenset({"sport", "society", "economy", "culture", "technology", "diverse"})
MIXED_CATEGORIES = frozenset({"politic", "internationalNews", "localNews"})

# "train": the title and sentences of the training part's ordinary articles (label 0), and
# "articles": the same articles whole (how a study compares the two); "heldout": the held-out
# part's ordinary articles, whole; "titles": their titles alone, but those that are also a
# training row (a title several articles share); "mixed": the unlabelled categories' articles,
# whole (label 0 as a placeholder, never scored: `evaluate=False`).
Part = Literal["train", "articles", "heldout", "titles", "mixed"]
PARTS: tuple[Part, ...] = ("train", "articles", "heldout", "titles", "mixed")
HELD_OUT = frozenset({"heldout", "titles"})

_FILE = re.compile(rf"{ANT_DIR}/(\w+)/(JA-[\w-]+)\.txt")  # category folder, DOCNO
# Not well-formed XML ("&" and "<" unescaped in the text): one pattern per tag.
_TAGS = {tag: re.compile(rf"<{tag}>(.*?)</{tag}>", re.S) for tag in ("DOC", "TITLE", "TEXT")}
_CAT = re.compile(r"<CAT>(.*?)</CAT>", re.S)  # missing in one file: the folder decides


@dataclass(frozen=True)
class AntArticle:
    """One article: its DOCNO, category folder, title and body (lines kept)."""

    docno: str  # the file's name, which is its <DOCNO> tag but in two files (cut short there)
    category: str
    title: str
    body: str

    @property
    def text(self) -> str:
        """Title, a blank line, the body: the article as sent."""
        return f"{self.title}\n\n{self.body}".strip()


def _line(raw: str, pos: int) -> int:
    """1-based line of a character offset."""
    return raw.count("\n", 0, pos) + 1


def read_article(path: Path, category: str, docno: str) -> AntArticle:
    """One article file; a missing or repeated tag, or a foreign category, raises DataError."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read as utf-8: {exc}") from exc
    found: dict[str, str] = {}
    for tag, pattern in _TAGS.items():
        opened = [m.start() for m in re.finditer(f"<{tag}>", raw)]
        match = pattern.search(raw)
        if len(opened) > 1:
            raise DataError(f"{path}:{_line(raw, opened[1])}: a second <{tag}>")
        if match is None:
            at = _line(raw, opened[0]) if opened else 1
            raise DataError(f"{path}:{at}: <{tag}> {'not closed' if opened else 'missing'}")
        found[tag] = match.group(1)
    cat = _CAT.search(raw)
    if cat is not None and cat.group(1).strip() != category:
        raise DataError(
            f"{path}:{_line(raw, cat.start())}: <CAT> {cat.group(1).strip()!r} "
            f"in folder {category!r}"
        )
    article = AntArticle(
        docno, category, collapse(found["TITLE"]), "\n".join(collapse_lines(found["TEXT"]))
    )
    if not article.text:
        raise DataError(f"{path}:{_line(raw, raw.find('<TITLE>'))}: neither a title nor a text")
    return article


def ant_articles(paths: Mapping[str, Path]) -> list[AntArticle]:
    """Every article of the corpus files among `paths`, in path order."""
    articles = []
    for key, path in sorted(paths.items()):
        if not key.startswith(f"{ANT_DIR}/"):
            continue
        match = _FILE.fullmatch(key)
        if match is None or match.group(1) not in ORDINARY_CATEGORIES | MIXED_CATEGORIES:
            raise DataError(f"{path}: not an article of a known category ({key})")
        articles.append(read_article(path, *match.groups()))
    return articles


def ant_examples(paths: Mapping[str, Path], *, part: Part, source: str) -> Iterator[Example]:
    """The rows of one part (`Part`), `topic` = the category.

    Group = the DOCNO; an article whose body (its title when it has none) repeats an earlier
    one's takes that one's DOCNO, so copies share a group and a part. A group is held out when
    sha256(DOCNO) ends in 0-3 (about a quarter).
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
    first: dict[str, str] = {}
    grouped = [(a, first.setdefault(a.body or a.title, a.docno)) for a in ant_articles(paths)]
    trained: set[str] = set()  # a held-out title that is also a training row is no test of it
    if part == "titles":
        trained = {
            unit
            for a, group in grouped
            if a.category in ORDINARY_CATEGORIES and not is_heldout(group)
            for unit in title_and_sentences(a.title, a.body)
        }
    for a, group in grouped:
        if part == "mixed":
            if a.category in MIXED_CATEGORIES:
                yield Example(a.text, 0, group, source, evaluate=False, topic=a.category)
        elif a.category not in ORDINARY_CATEGORIES or is_heldout(group) != (part in HELD_OUT):
            continue
        elif part == "train":
            for unit in title_and_sentences(a.title, a.body):
                yield Example(unit, 0, group, source, topic=a.category)
        elif part == "titles":
            if a.title and a.title not in trained:
                yield Example(a.title, 0, group, source, topic=a.category)
        else:
            yield Example(a.text, 0, group, source, topic=a.category)
