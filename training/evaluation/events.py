"""The CAMEO event patterns in the report: how often they match the English training corpora's
sentences, the precision of a hand-checked random sample of matches, and the learned weight of
each event feature beside its CAMEO name and Goldstein score.

`bench/events.py` is the command line (it also writes the sample to check);
`docs/events/README.md` says what a check asks.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from model.clauses import scopes
from model.eventfeatures import EventAnalyzer, phrase_text
from model.events import EventPatterns
from model.text import clean, split_sentences, tokenize_clean
from training.data.knowledge import codebook
from training.data.registry import load_corpus, public_corpora
from training.data.sources import DataError, LoadedSource
from training.data.wikinews import REPO_ROOT

SAMPLE = REPO_ROOT / "docs" / "events" / "precision-sample.tsv"
COLUMNS = (
    *("id", "corpus", "code", "name", "root", "root_name", "matched", "sentence", "correct"),
    "note",
)
SHARES = ("matched", "negated", "refused", "demanded")
PRECISION_TARGET = 0.90


@dataclass(frozen=True)
class Found:
    """One match in one corpus sentence."""

    corpus: str
    code: str
    matched: str
    sentence: str


def sentences(source: LoadedSource) -> list[str]:
    """Every sentence of a corpus' texts (cleaned), in corpus order."""
    out: list[str] = []
    for example in source.examples:
        text = clean(example.text).text
        out.extend(text[s:e] for s, e in split_sentences(text))
    return out


def read_sentence(
    patterns: EventPatterns, corpus: str, sentence: str
) -> tuple[list[Found], set[str]]:
    """The matches of one (cleaned) sentence and the kinds of its scopes."""
    tokens = tokenize_clean(sentence)
    words = [t.norm for t in tokens]
    gaps = [sentence[a.end : b.start] for a, b in zip(tokens, tokens[1:], strict=False)]
    starts, ends = [t.start for t in tokens], [t.end for t in tokens]
    found = [
        Found(corpus, m.code, phrase_text(sentence, starts, ends, m.tokens), sentence)
        for m in patterns.match(words)
    ]
    return found, {s.kind for s in scopes(words, gaps)}


def coverage(
    patterns: EventPatterns, corpora: Sequence[str]
) -> tuple[dict[str, dict[str, float | int]], list[Found]]:
    """Per corpus (and `all`): its sentences and the share with a match and with each scope
    kind; and every match."""
    every: list[Found] = []
    rows: dict[str, dict[str, float | int]] = {}
    totals: Counter[str] = Counter()
    for name in corpora:
        counts: Counter[str] = Counter()
        for sentence in sentences(load_corpus(name)):
            found, kinds = read_sentence(patterns, name, sentence)
            every.extend(found)
            counts.update({"sentences": 1, "matched": bool(found), **dict.fromkeys(kinds, 1)})
        totals.update(counts)
        rows[name] = _shares(counts)
    rows["all"] = _shares(totals)
    return rows, every


def _shares(counts: Counter[str]) -> dict[str, float | int]:
    n = max(counts["sentences"], 1)
    return {"sentences": counts["sentences"], **{k: counts[k] / n for k in SHARES}}


def write_sample(
    found: Sequence[Found], patterns: EventPatterns, size: int, seed: int, out: Path
) -> int:
    """A seeded random sample of matches, as the TSV a person checks; how many were written."""
    chosen = random.Random(seed).sample(list(found), min(size, len(found)))
    book = codebook()
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        writer.writerow(COLUMNS)
        for k, f in enumerate(chosen, 1):
            code = patterns.codes[f.code]
            sentence = f.sentence.replace("\t", " ")
            root_name = book[code.root].name
            writer.writerow(
                [k, f.corpus, f.code, code.name, code.root, root_name, f.matched, sentence, "", ""]
            )
    return len(chosen)


def read_judged(path: Path) -> list[dict[str, str]]:
    """The rows of a checked sample; DataError unless every `correct` is y or n."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))
    if not rows or any(r["correct"].strip().lower() not in ("y", "n") for r in rows):
        raise DataError(f"{path}: every row's `correct` must be y or n")
    return rows


def precision(rows: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """The share of checked matches marked correct, in all and by side of the CAMEO scale."""

    def share(group: Sequence[Mapping[str, str]]) -> dict[str, float | int]:
        right = sum(r["correct"].strip().lower() == "y" for r in group)
        return {"checked": len(group), "correct": right, "precision": right / max(len(group), 1)}

    return {
        "all": share(rows),
        "cooperation and statements (roots 01-09)": share([r for r in rows if int(r["root"]) < 10]),
        "conflict (roots 10-20)": share([r for r in rows if int(r["root"]) >= 10]),
    }


def feature_weights(pipeline: Pipeline) -> list[dict[str, Any]]:
    """The learned weight of each event feature (Platt folded in), root codes with their CAMEO
    name and Goldstein score; empty for a model without an event block."""
    coef = np.asarray(pipeline.named_steps["clf"].coef_).ravel()
    offset = 0
    for _, vec in pipeline.named_steps["features"].transformer_list:
        if isinstance(vec.analyzer, EventAnalyzer):
            break
        offset += len(vec.vocabulary_)
    else:
        return []
    book = codebook()
    rows = []
    for feature, column in sorted(vec.vocabulary_.items()):
        kind, _, code = feature.partition(":")
        known = book.get(code) if kind in ("root", "code") else None
        rows.append(
            {
                "feature": feature,
                "weight": float(coef[offset + column]),
                "name": "" if known is None else known.name,
                "goldstein": None if known is None else known.goldstein,
            }
        )
    return rows


def event_figures(
    pipeline: Pipeline, patterns: EventPatterns, corpora: Sequence[str], sample: Path = SAMPLE
) -> dict[str, Any]:
    """The report's figures: coverage of the public corpora among `corpora`, precision of the
    checked sample, the learned weights."""
    shares, _ = coverage(patterns, public_corpora(corpora))
    return {
        "dictionary_sha256": patterns.source_sha256,
        "rules": patterns.rules(),
        "coverage": shares,
        "sample": str(sample.relative_to(REPO_ROOT))
        if sample.is_relative_to(REPO_ROOT)
        else str(sample),
        "precision": precision(read_judged(sample)),
        "precision_target": PRECISION_TARGET,
        "weights": feature_weights(pipeline),
    }


def render_events(figures: Mapping[str, Any]) -> list[str]:
    """The report's "Event patterns" section, as Markdown lines."""
    counts = figures["rules"]["counts"]
    lines = [
        "## Event patterns (English)",
        "",
        f"The CAMEO verb pattern dictionary of PETRARCH-2 (`CAMEO.2.0.txt`, SHA-256 "
        f"`{figures['dictionary_sha256'][:12]}…`): {counts['verbs']:,} verbs in "
        f"{counts['blocks']} blocks, {counts['verb_forms']:,} verb forms, "
        f"{counts['patterns_kept']:,} patterns kept. Sentences of the English training corpora "
        "with at least one match, and with a scope of each kind:",
        "",
        "| corpus | sentences | matched | negated | refused | demanded |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in figures["coverage"].items():
        cells = " | ".join(f"{row[k]:.1%}" for k in SHARES)
        shown = f"**{name}**" if name == "all" else name
        lines.append(f"| {shown} | {row['sentences']:,} | {cells} |")
    lines += [
        "",
        f"Precision of {figures['precision']['all']['checked']} random matches checked by hand "
        f"(`{figures['sample']}`; `docs/events/README.md` says what a check asks), target "
        f"≥ {figures['precision_target']:.0%}:",
        "",
        "| matches | checked | correct | precision |",
        "|---|---:|---:|---:|",
    ]
    for name, row in figures["precision"].items():
        lines.append(f"| {name} | {row['checked']} | {row['correct']} | {row['precision']:.1%} |")
    lines += [
        "",
        "The learned weight of each event feature (logit per unit of its TF-IDF value), beside "
        "its CAMEO name and Goldstein score:",
        "",
        "| feature | weight | CAMEO name | Goldstein |",
        "|---|---:|---|---:|",
    ]
    for row in figures["weights"]:
        goldstein = "" if row["goldstein"] is None else f"{row['goldstein']:+.1f}"
        lines.append(
            f"| `{row['feature']}` | {row['weight']:+.2f} | {row['name'].title()} | {goldstein} |"
        )
    return lines
