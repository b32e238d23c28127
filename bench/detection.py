"""Language detection on news text: per-language accuracy of the router's language call.

    .venv/bin/python -m bench.detection [--model artifacts/escalation-model.joblib]

Texts in the supported languages come from the registered corpora (`load_corpus`), read from
the mirror (`ESCALATION_DATA_DIR`, else `--data-dir`) at run time and never copied: English
from Wikipedia Current events items (held-out days) and Wikinews titles and first sentences;
Arabic from UN QuadClass (`unquad-ar`: documents up to 2010 only) and ANT titles and first
sentences; Spanish from UN QuadClass (`unquad-es`, the same rule) and the fake-news corpus's
headlines and first sentences (its `.xlsx` files need openpyxl). Texts in languages without a
model are the team's own (`docs/detection/*.txt`). Every draw is seeded (`--seed`); short texts
(headlines, one-liners) are included on purpose. The Arabic texts are also read typed with the
letters Persian and Urdu keyboards write for Arabic ones (`retyped`): still Arabic, each
keyboard a row of its own.

Each text's language comes from `route`: `model.scope.language` (py3langid restricted to the
service's candidates, `model.scope.CANDIDATES`), and with `--model` also the service's router
(`model.routing.Router`) over that artifact; for comparison, py3langid restricted to
`--candidates` (default `all`: unrestricted). Per true language: texts, accuracy on all
and on texts of at least 50 characters, the top confusions, and how many went to another
language's model (en, es, ar: for fr/pt/it/ru/de/fa/ur, the harmful errors); then the worst
errors.
"""

from __future__ import annotations

import argparse
import os
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from model.scope import CANDIDATES, LANGUAGE_SAMPLE, language
from training.evaluation.checks import keyboard_typed

if TYPE_CHECKING:
    from model.routing import Router

REPO = Path(__file__).resolve().parents[1]
TEAM_DIR = REPO / "docs" / "detection"
SUPPORTED = ("en", "ar", "es")  # languages with (or about to have) a model
UNSUPPORTED = ("fr", "pt", "it", "ru", "de", "fa", "ur")  # the team's own files, one each
ALL = "all"  # --candidates value: py3langid unrestricted (every language of its model)
LONG = 50  # characters: "long" texts, reported apart
# Arabic as two other keyboards type it (`retyped`), each a row of its own after Arabic.
KEYBOARD_ROWS = ("Persian keyboard letters", "Urdu keyboard letters")
ROWS = ("en", "ar", *(f"ar, {k}" for k in KEYBOARD_ROWS), "es", *UNSUPPORTED)
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")


@dataclass(frozen=True)
class Text:
    """One text of the detection set: its true language, where it comes from, and the keyboard
    whose letters it is typed with when not its own (Arabic as Persian and Urdu keyboards type
    it: `training.evaluation.checks.KEYBOARDS`)."""

    text: str
    lang: str
    source: str
    keyboard: str = ""

    @property
    def row(self) -> str:
        """The row of the tables it counts in: its language, and the keyboard if any."""
        return f"{self.lang}, {self.keyboard}" if self.keyboard else self.lang


# ---- predictions ----------------------------------------------------------------------------


def route(text: str, router: Router | None = None) -> str:
    """The language `text` is routed by: the service's `router` when given (the model it goes
    to, or the language no model reads), else the language identifier the service asks
    (`model.scope.language`, restricted to `model.scope.CANDIDATES`)."""
    if router is not None:
        return router.route(text).language
    return language(text)[0]


def restricted(candidates: Sequence[str]) -> Callable[[str], str]:
    """py3langid restricted to `candidates` (every language when empty), shown the same start
    of a text as `route`."""

    @cache
    def identifier() -> LanguageIdentifier:
        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        if candidates:
            ident.set_languages(list(candidates))
        return ident

    def predict(text: str) -> str:
        return str(identifier().classify(text[:LANGUAGE_SAMPLE])[0])

    return predict


# ---- texts ----------------------------------------------------------------------------------


def first_sentence(text: str, shortest: int = 40) -> str:
    """The opening of the first line of `text` that holds a sentence end: its sentences joined
    until at least `shortest` characters (so "U.S." or "D.C." end no sentence); "" if none."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if not any(c in line for c in ".!?؟"):
            continue  # a dateline, a list item, a table row
        lead = ""
        for part in _SENTENCE_END.split(line):
            lead = f"{lead} {part}".strip()
            if len(lead) >= shortest:
                break
        return lead
    return ""


def pick(rng: random.Random, texts: Sequence[str], n: int) -> list[str]:
    """`n` distinct non-blank texts drawn by `rng` (fewer if there are not enough)."""
    unique = sorted({" ".join(t.split()) for t in texts} - {""})
    return rng.sample(unique, min(n, len(unique)))


def corpus_texts(names: Sequence[str], data_dir: Path) -> list[str]:
    """The texts of registered corpora (`training.data.registry`), read from the mirror.

    UN QuadClass comes with its reservation applied by the registry's adapter: documents from
    2011 on are never read.
    """
    from training.data.registry import load_corpus

    return [e.text for name in names for e in load_corpus(name, data_dir=data_dir).examples]


def ant_articles_whole(data_dir: Path) -> list[str]:
    """Every ANT article whole as sent (its training part, held-out part, mixed categories):
    training reads the training part as titles and sentences, so it is read here whole."""
    from training.data.registry import ant_whole_articles, load_corpus

    training = [e.text for e in load_corpus(ant_whole_articles(), data_dir=data_dir).examples]
    return training + corpus_texts(("ant-heldout", "ant-mixed"), data_dir)


def titles_and_leads(articles: Sequence[str]) -> tuple[list[str], list[str]]:
    """The titles and first sentences of articles sent as title, a blank line, body."""
    split = [a.partition("\n\n") for a in articles]
    return [t for t, _, _ in split], [first_sentence(b) for _, _, b in split]


def english(data_dir: Path, rng: random.Random, n: int) -> Iterator[Text]:
    """Wikipedia Current events items (held-out days), Wikinews titles and first sentences."""
    from training.data.fetch import cache_dir_from_env, corpus_files, resolve_file
    from training.data.registry import REGISTRY
    from training.data.wikinews import wikinews_articles

    items = corpus_texts(("wikicurrent-heldout", "wikiconflict-heldout"), data_dir)
    yield from (Text(t, "en", "wikicurrent") for t in pick(rng, items, n))
    # The articles themselves: the registry's `wikinews` holds the annotated ones only.
    cache_dir = cache_dir_from_env()
    paths = {
        f.path: resolve_file(f, data_dir=data_dir, cache_dir=cache_dir)
        for f in corpus_files(REGISTRY["wikinews"])
    }
    articles = wikinews_articles(paths)
    yield from (Text(t, "en", "wikinews title") for t in pick(rng, [a.title for a in articles], n))
    # Leads of the vanatteveldt articles only: toscaData bodies open with template residue.
    leads = [first_sentence(a.body) for a in articles if a.source.startswith("vanatteveldt")]
    yield from (Text(t, "en", "wikinews lead") for t in pick(rng, leads, n))


def arabic(data_dir: Path, rng: random.Random, n: int) -> Iterator[Text]:
    """UN QuadClass Arabic (documents to 2010), ANT titles and first sentences (every
    category: its training, held-out and mixed parts)."""
    yield from (
        Text(t, "ar", "unquad-ar") for t in pick(rng, corpus_texts(["unquad-ar"], data_dir), n)
    )
    titles, leads = titles_and_leads(ant_articles_whole(data_dir))
    yield from (Text(t, "ar", "ant title") for t in pick(rng, titles, n))
    yield from (Text(t, "ar", "ant lead") for t in pick(rng, leads, n))


def retyped(texts: Sequence[Text]) -> list[Text]:
    """The Arabic texts again, typed with the letters of the other keyboards that write Arabic
    script (`KEYBOARD_ROWS`): the same language, which must reach the same model."""
    return [
        Text(typed, "ar", t.source, name)
        for name in KEYBOARD_ROWS
        for t in texts
        if t.lang == "ar" and not t.keyboard and (typed := keyboard_typed(t.text, name)) != t.text
    ]


def spanish(data_dir: Path, rng: random.Random, n: int) -> Iterator[Text]:
    """UN QuadClass Spanish (documents to 2010), the fake-news corpus's headlines and first
    sentences (train and development files, every topic; reading them needs openpyxl)."""
    yield from (
        Text(t, "es", "unquad-es") for t in pick(rng, corpus_texts(["unquad-es"], data_dir), n)
    )
    names = ("fakenews-es", "fakenews-es-heldout", "fakenews-es-mixed")
    titles, leads = titles_and_leads(corpus_texts(names, data_dir))
    yield from (Text(t, "es", "fakenews headline") for t in pick(rng, titles, n))
    yield from (Text(t, "es", "fakenews lead") for t in pick(rng, leads, n))


def team_written(directory: Path = TEAM_DIR) -> Iterator[Text]:
    """Every line of the team's own files (`fr.txt`, ...): languages without a model."""
    for lang in UNSUPPORTED:
        for line in (directory / f"{lang}.txt").read_text(encoding="utf-8").splitlines():
            yield Text(line, lang, "team")


def detection_set(data_dir: Path, seed: int, per_source: int) -> list[Text]:
    """The whole set: `per_source` texts of each corpus source, then the team's files."""
    texts: list[Text] = []
    for build in (english, arabic, spanish):
        texts.extend(build(data_dir, random.Random(seed), per_source))
    texts.extend(retyped(texts))
    texts.extend(team_written())
    return texts


# ---- report ---------------------------------------------------------------------------------


def table(texts: Sequence[Text], predicted: Sequence[str], title: str) -> str:
    """The per-language Markdown table of one predictor."""
    by_lang: dict[str, list[tuple[Text, str]]] = defaultdict(list)
    for t, p in zip(texts, predicted, strict=True):
        by_lang[t.row].append((t, p))
    lines = [
        f"### {title}\n",
        "| language | texts | accuracy | accuracy, >= 50 chars | top confusions "
        "| to another language's model (en/es/ar) |",
        "|---|---|---|---|---|---|",
    ]
    for row in ROWS:
        pairs = by_lang.get(row, [])
        if not pairs:
            continue
        lang = pairs[0][0].lang
        long = [(t, p) for t, p in pairs if len(t.text) >= LONG]
        wrong = Counter(p for _, p in pairs if p != lang)
        confusions = ", ".join(f"{p} {k}" for p, k in wrong.most_common(3)) or "-"
        harmful = sum(k for p, k in wrong.items() if p in SUPPORTED)
        lines.append(
            f"| {row} | {len(pairs)} | {_share(pairs)} | {_share(long)} ({len(long)}) "
            f"| {confusions} | {harmful} |"
        )
    return "\n".join(lines)


def _share(pairs: Sequence[tuple[Text, str]]) -> str:
    """Accuracy as a percentage with one decimal."""
    if not pairs:
        return "-"
    return f"{100 * sum(t.lang == p for t, p in pairs) / len(pairs):.1f}%"


def source_table(texts: Sequence[Text], predictions: Mapping[str, Sequence[str]]) -> str:
    """Accuracy per language and source under each predictor."""
    names = list(predictions)
    lines = [
        f"| language | source | texts | {' | '.join(names)} |",
        "|---|---|---|" + "---|" * len(names),
    ]
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, t in enumerate(texts):
        groups[(t.row, t.source)].append(i)
    for (row, source), idx in groups.items():
        accs = [
            f"{100 * sum(texts[i].lang == p[i] for i in idx) / len(idx):.1f}%"
            for p in predictions.values()
        ]
        lines.append(f"| {row} | {source} | {len(idx)} | {' | '.join(accs)} |")
    return "\n".join(lines)


def worst(texts: Sequence[Text], predicted: Sequence[str], per_lang: int = 5) -> str:
    """Up to `per_lang` errors per language: those sent to another language's model first,
    then the longest (a long text read wrongly is the worse error)."""
    out = []
    for row in ROWS:
        errors = [
            (t, p) for t, p in zip(texts, predicted, strict=True) if t.row == row and p != t.lang
        ]
        errors.sort(key=lambda e: (e[1] not in SUPPORTED, -len(e[0].text), e[0].text))
        for t, p in errors[:per_lang]:
            shown = t.text if len(t.text) <= 80 else t.text[:79] + "…"
            out.append(f"- {row} -> **{p}** ({t.source}): {shown}")
    return "\n".join(out) or "(none)"


def main(argv: Sequence[str] | None = None) -> int:
    """Build the detection set, predict with each identifier, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("ESCALATION_DATA_DIR") or "../shared/data"),
        help="the corpora mirror (default: $ESCALATION_DATA_DIR, else ../shared/data)",
    )
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--per-source",
        type=int,
        default=120,
        help="texts drawn from each corpus source (3 per language)",
    )
    parser.add_argument(
        "--candidates",
        default=ALL,
        help="comma-separated languages of a second identifier to compare, or 'all' "
        "(default): py3langid unrestricted",
    )
    parser.add_argument("--examples", type=int, default=5, help="worst errors shown per language")
    parser.add_argument(
        "--model", type=Path, help="also route with the service's router over this artifact"
    )
    args = parser.parse_args(argv)
    candidates = [c.strip() for c in args.candidates.split(",") if c.strip() and c != ALL]

    texts = detection_set(args.data_dir, args.seed, args.per_source)
    limited = restricted(candidates)
    predictions: dict[str, list[str]] = {}
    if args.model is not None:
        from model.routing import Router

        router = Router.load(args.model)
        name = f"service router, {args.model.name} ({'/'.join(router.languages)} models)"
        predictions[name] = [route(t.text, router) for t in texts]
    name = f"py3langid restricted to the service's {len(CANDIDATES)} candidates"
    predictions[name] = [route(t.text) for t in texts]
    name = (
        f"py3langid restricted to {len(candidates)} languages" if candidates else "py3langid, all"
    )
    predictions[name] = [limited(t.text) for t in texts]
    print(f"# Language detection: {len(texts)} texts (seed {args.seed})\n")
    for name, predicted in predictions.items():
        print(table(texts, predicted, name))
        print(f"\nWorst errors ({name}):\n")
        print(worst(texts, predicted, args.examples))
        print()
    print("### Accuracy per source\n")
    print(source_table(texts, predictions))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
