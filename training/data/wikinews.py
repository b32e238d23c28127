"""Wikinews articles (CC BY 2.5): whole news articles, the unit of the article-level evaluation.

Two toscaData R files (Politics and conflicts, Economy and business) and two yearly CSV files of
vanatteveldt/wikinews. They carry no escalation label: the labels are the project's own, two
independent annotation passes kept where both agree, committed as ids in
`docs/annotation/article-labels.tsv` (guide: `docs/annotation/article-guide.md`). The texts are
always read from the pinned upstream files, never stored in the repository.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training.data.adapters import detokenise, parse_csv
from training.data.sources import DataError, Example

WIKINEWS_DIR = "wikinews"
TOSCA_POLITICS = f"{WIKINEWS_DIR}/tosca-politics.rda"
TOSCA_ECONOMY = f"{WIKINEWS_DIR}/tosca-economy.rda"
VANATTEVELDT_2019 = f"{WIKINEWS_DIR}/vanatteveldt-wikinews_2019.csv"
VANATTEVELDT_2020 = f"{WIKINEWS_DIR}/vanatteveldt-wikinews_2020.csv"
# File -> the prefix of its article ids ("tosca-politics:ID736", "vanatteveldt-2019:<url slug>").
SOURCES: dict[str, str] = {
    TOSCA_POLITICS: "tosca-politics",
    TOSCA_ECONOMY: "tosca-economy",
    VANATTEVELDT_2019: "vanatteveldt-2019",
    VANATTEVELDT_2020: "vanatteveldt-2020",
}

REPO_ROOT = Path(__file__).resolve().parents[2]
LABELS_FILE = REPO_ROOT / "docs" / "annotation" / "article-labels.tsv"
LABELS_HEADER = ("id", "label", "annotator_a", "annotator_b")
# The three article classes of the guide. As an `Example`: `topic` is the class name; label 1 for
# escalatory and mixed (a substantial escalatory part), 0 for not; mixed rows have
# `evaluate=False`, so binary metrics compare escalatory with not and mixed is reported apart.
ARTICLE_LABELS = ("escalatory", "mixed", "not")

_TEXT_TAG = re.compile(r"</?text\b[^>]*>")
_TITLE_TAG = re.compile(r"</?title>")
_WIKI_QUOTES = re.compile(r"'{2,}")
_WIKI_HEADING = re.compile(r"={2,}\s*([^=]+?)\s*={2,}")
_DATELINE = re.compile(
    r"\A\s*(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \w+ \d{1,2}, \d{4}\s*\n"
)
_BLANK_LINES = re.compile(r"\n\s*\n")
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Article:
    """One Wikinews article: a stable id, its title, date and body text."""

    id: str
    title: str
    date: dt.date | None
    body: str

    @property
    def source(self) -> str:
        """The file the article comes from, as its id prefix (e.g. "tosca-politics")."""
        return self.id.split(":", 1)[0]

    @property
    def text(self) -> str:
        """Title, a blank line, the body: what annotators read and the evaluation scores."""
        return f"{self.title}\n\n{self.body}"


def clean_tosca(text: str) -> str:
    """A toscaData text: no <text> tag, entities decoded (twice: `&amp;mdash;`), no wiki quote
    marks, `==Heading==` on a line of its own, detokenised (`Brazil , the` -> `Brazil, the`)."""
    text = html.unescape(html.unescape(_TEXT_TAG.sub(" ", text)))
    parts = _WIKI_HEADING.sub("\n\n\\1\n\n", _WIKI_QUOTES.sub("", text)).split("\n\n")
    return "\n\n".join(p for p in map(detokenise, parts) if p)


def _strings(value: Any) -> list[str]:
    """An R character vector as converted by rdata (array, list or str) as Python strings."""
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _date(days: Any) -> dt.date | None:
    """R Date (days since 1970-01-01) to a date; NA (NaN) to None."""
    value = float(days)
    return None if value != value else _EPOCH + dt.timedelta(days=int(value))


def tosca_articles(obj: Mapping[str, Any], prefix: str, name: str) -> Iterator[Article]:
    """Articles of one converted toscaData object: `meta` (id, date, title) joined to `text`."""
    try:
        meta, texts = obj["meta"], obj["text"]
        rows = zip(meta["id"], meta["date"], meta["title"], strict=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{name}: not a toscaData textmeta object (meta, text): {exc}") from exc
    for n, (meta_id, days, title) in enumerate(rows, start=1):
        key = str(meta_id)
        if key not in texts:
            raise DataError(f"{name}: meta row {n}: no text for id {key!r}")
        body = "\n\n".join(t for t in map(clean_tosca, _strings(texts[key])) if t)
        clean_title = detokenise(html.unescape(_TITLE_TAG.sub("", str(title))))
        yield Article(f"{prefix}:{key}", clean_title, _date(days), body)


def _keep(obj: Any, attrs: Mapping[str, Any]) -> Any:
    """rdata constructor for R classes it does not know (Date, textmeta): the object as is."""
    return obj


def read_tosca(path: Path, prefix: str) -> list[Article]:
    """Articles of a toscaData .rda file (one R object: the textmeta list)."""
    try:
        import rdata  # imported here: only the Wikinews corpus needs it (and pandas)
    except ImportError as exc:
        raise DataError(
            f"{path}: reading the Wikinews articles needs the `train` extra (rdata): "
            "pip install -c constraints.txt -e '.[train]' (or train with "
            "--article-calibration none)"
        ) from exc

    classes = {**rdata.conversion.DEFAULT_CLASS_MAP, "Date": _keep, "textmeta": _keep}
    try:
        objects = rdata.read_rda(path, constructor_dict=classes, default_encoding="utf-8")
    except Exception as exc:  # rdata raises many kinds on a foreign or damaged file
        raise DataError(f"{path}: cannot read as an R data file: {exc}") from exc
    if len(objects) != 1:
        raise DataError(f"{path}: expected one R object, found {len(objects)}")
    return list(tosca_articles(next(iter(objects.values())), prefix, str(path)))


def clean_vanatteveldt(text: str) -> str:
    """A vanatteveldt article text without its leading dateline, one blank line between
    paragraphs."""
    text = _DATELINE.sub("", text.replace("\xa0", " ").replace("\r\n", "\n"), count=1)
    paragraphs = (" ".join(p.split()) for p in _BLANK_LINES.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def read_vanatteveldt(path: Path, prefix: str) -> list[Article]:
    """Articles of a vanatteveldt/wikinews CSV (url, date, title, text); id = the URL's slug."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read as utf-8: {exc}") from exc
    articles = []
    for line, row in parse_csv(raw, str(path), ("url", "date", "title", "text")):
        slug = row["url"].rstrip("/").rsplit("/", 1)[-1]
        try:
            date = dt.date.fromisoformat(row["date"].strip())
        except ValueError as exc:
            raise DataError(f"{path}:{line}: bad date {row['date']!r}") from exc
        if not slug or "\t" in slug:
            raise DataError(f"{path}:{line}: no usable slug in url {row['url']!r}")
        title = " ".join(row["title"].split())
        articles.append(Article(f"{prefix}:{slug}", title, date, clean_vanatteveldt(row["text"])))
    return articles


def wikinews_articles(paths: Mapping[str, Path]) -> list[Article]:
    """Every article of the four files (politics, economy, 2019, 2020); ids checked unique."""
    articles: list[Article] = []
    for key, prefix in SOURCES.items():
        read = read_tosca if key.endswith(".rda") else read_vanatteveldt
        articles.extend(read(paths[key], prefix))
    seen: set[str] = set()
    for a in articles:
        if a.id in seen:
            raise DataError(f"{WIKINEWS_DIR}: article id {a.id!r} is not unique")
        seen.add(a.id)
    return articles


def read_labels(text: str, name: str) -> list[tuple[int, dict[str, str]]]:
    """Rows of the labels file, checked: known classes, one row per id, and an agreed `label`
    only where both annotators gave it (an empty `label` is a disagreement: not used)."""
    rows = parse_csv(text, name, LABELS_HEADER, delimiter="\t")
    seen: set[str] = set()
    for line, row in rows:
        values = {k: row[k].strip() for k in LABELS_HEADER}
        if not values["id"] or values["id"] in seen:
            raise DataError(f"{name}:{line}: empty or repeated id {values['id']!r}")
        seen.add(values["id"])
        for key in LABELS_HEADER[1:]:
            if values[key] not in ("", *ARTICLE_LABELS):
                raise DataError(
                    f"{name}:{line}: {key} {values[key]!r} is not one of {ARTICLE_LABELS}"
                )
        if (
            values["label"]
            and not values["label"] == values["annotator_a"] == values["annotator_b"]
        ):
            raise DataError(f"{name}:{line}: label set where the annotators do not both agree")
        row.update(values)
    return rows


def labelled_examples(
    articles: Iterable[Article], labels_text: str, name: str
) -> Iterator[Example]:
    """One `Example` per agreed label, the text from the pinned articles (mapping:
    `ARTICLE_LABELS`)."""
    by_id = {a.id: a for a in articles}
    for line, row in read_labels(labels_text, name):
        article = by_id.get(row["id"])
        if article is None:
            raise DataError(f"{name}:{line}: unknown article id {row['id']!r}")
        label = row["label"]
        if label:
            yield Example(
                article.text,
                int(label != "not"),
                article.id,
                WIKINEWS_DIR,
                evaluate=label != "mixed",
                topic=label,
            )


def wikinews_examples(paths: Mapping[str, Path], labels: Path = LABELS_FILE) -> Iterator[Example]:
    """The project's labelled Wikinews articles (the registry's `wikinews` adapter)."""
    try:
        text = labels.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{labels}: cannot read the article labels: {exc}") from exc
    return labelled_examples(wikinews_articles(paths), text, str(labels))


def write_tsv(rows: Iterable[Iterable[str]]) -> str:
    """Tab-separated lines (no quoting needed: ids never hold tabs or newlines)."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(rows)
    return out.getvalue()
