"""ANT corpus v1.1 (Arabic News Texts, radio JawharaFM): one TREC-like file per article under
nine category folders.

Categories are topics, not rhetoric labels: ordinary news (sport, society, economy, culture,
technology, diverse) trains as 0; politics, international and local news mix diplomacy, war,
crime and protests, and carry no label. Articles are split once, by a fixed rule on the DOCNO,
into a training part and a held-out part used for evaluation only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from training.data.adapters import collapse, collapse_lines
from training.data.sources import DataError, Example
from training.data.wikicurrent import is_heldout

ANT_DIR = "ant"
ORDINARY_CATEGORIES = frozenset({"sport", "society", "economy", "culture", "technology", "diverse"})
MIXED_CATEGORIES = frozenset({"politic", "internationalNews", "localNews"})

# "train" and "heldout": ordinary articles (label 0) of each part; "mixed": the unlabelled
# categories, all of them (label 0 as a placeholder, never scored: `evaluate=False`).
Part = Literal["train", "heldout", "mixed"]

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
    """The articles of one part, `topic` = the category.

    Group = the DOCNO; an article whose body (its title when it has none) repeats an earlier
    one's takes that one's DOCNO, so copies share a group and a part. A group is held out when
    sha256(DOCNO) ends in 0-3 (about a quarter).
    """
    if part not in ("train", "heldout", "mixed"):
        raise ValueError(f"part must be 'train', 'heldout' or 'mixed', not {part!r}")
    first: dict[str, str] = {}
    for a in ant_articles(paths):
        group = first.setdefault(a.body or a.title, a.docno)
        if part == "mixed":
            if a.category in MIXED_CATEGORIES:
                yield Example(a.text, 0, group, source, evaluate=False, topic=a.category)
        elif a.category in ORDINARY_CATEGORIES and is_heldout(group) == (part == "heldout"):
            yield Example(a.text, 0, group, source, topic=a.category)
