"""How trustworthy the listed phrases are: texts whose top escalating phrases hold a junk phrase.

    ESCALATION_DATA_DIR=/work/shared/data ESCALATION_CACHE_DIR=.cache/corpora \\
        .venv/bin/python -m bench.phrases [--model artifacts/escalation-model.joblib] [--top 5]

Scores two text sets as the service scores English text and reads each text's first `--top`
escalating phrases (`ArticleScore.phrases`): the contrast set (both members of every pair of
`docs/contrast/pairs-*.tsv`, `training.evaluation.contrast.read_pairs`) and the Wikinews
articles both annotators labelled (every row of `docs/annotation/article-labels.tsv`, agreed or
not; the texts come from the corpora named by the environment, as
`training.evaluation.articles` reads them). A phrase is junk when every word of it is an English
stop word (scikit-learn's `ENGLISH_STOP_WORDS`: "on", "were … from") or a bare number ("2014";
"2 billion" is not), the "…" of event phrases and of cut phrase texts dropped first. Prints, per
text set: texts, the share with a stop-word-only phrase among the top ones, with a number-only
phrase, with either (the figure the target "at most 10%" is about), then the most frequent junk
phrases with counts. The counting is `training.evaluation.contrast`'s, as the evaluation report
uses it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from model.artifact import ArtifactError, default_model_path
from model.routing import Router
from training.data.sources import DataError
from training.evaluation.contrast import (
    SHOWN,
    TARGET,
    TOP,
    Flags,
    Tally,
    annotated_texts,
    contrast_texts,
    flag,
    number_only,
    stop_only,
    tally,
    top_phrases,
    words,
)

__all__ = [
    "SHOWN",
    "TARGET",
    "TOP",
    "Flags",
    "Tally",
    "annotated_texts",
    "contrast_texts",
    "flag",
    "main",
    "number_only",
    "render",
    "stop_only",
    "tally",
    "words",
]


def render(name: str, counted: Tally, top: int) -> list[str]:
    """One text set's lines: the shares, then the most frequent junk phrases."""
    n = counted.texts
    lines = [
        f"## {name}: {n} texts\n",
        f"| top {top} phrases hold | texts | share |",
        "|---|---:|---:|",
        f"| a stop-word-only phrase | {counted.stop} | {counted.stop / n:.1%} |",
        f"| a number-only phrase | {counted.number} | {counted.number / n:.1%} |",
        f"| either (target at most {TARGET:.0%}) | {counted.either} | {counted.either / n:.1%} |",
        f"\nMost frequent junk phrases (texts with it among the top {top}):\n",
    ]
    lines += [f"- {count} {phrase!r}" for phrase, count in counted.offenders.most_common(SHOWN)]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Score both text sets and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--top", type=int, default=TOP)
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error("--top must be at least 1")
    router = Router.load(args.model or default_model_path())
    print(f"# Listed phrases: junk among the top {args.top}, model {router.version}\n")
    for name, texts in (("contrast set", contrast_texts), ("annotated articles", annotated_texts)):
        try:
            tops = top_phrases(router, texts(), args.top)
        except (ArtifactError, DataError) as exc:  # a model or a corpus that cannot be read
            parser.exit(2, f"{parser.prog}: error: {exc}\n")
        print("\n".join(render(name, tally(tops), args.top)), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
