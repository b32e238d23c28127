"""The contrast set: minimal pairs of news sentences that differ only in what happened.

    .venv/bin/python -m bench.contrast [--model artifacts/escalation-model.joblib] [--language ar]

Reads `docs/contrast/pairs-*.tsv` (English: two writers, written independently; an evaluation
file, never trained or tuned on), or a language's own in `docs/contrast/<language>/`, and scores
each member as the service scores a text of that language. Prints, per category and
in all: pairs ordered right (the escalatory member scores higher), escalatory members at `high`
or above, calm members at `high` or above, then the pairs ordered wrong. The reading, scoring
and counting are `training.evaluation.contrast`'s, as the evaluation report uses them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from model.artifact import ArtifactError, default_model_path
from model.routing import Router
from training.evaluation.contrast import (
    CONTRAST_DIR,
    HIGH,
    Pair,
    category_table,
    contrast_dir,
    language_scorer,
    read_pairs,
    score_pairs,
    summary_figures,
)

__all__ = ["CONTRAST_DIR", "HIGH", "Pair", "main", "read_pairs"]


def main(argv: Sequence[str] | None = None) -> int:
    """Score the pairs and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--language", default="en", help="ISO 639-1 (default: en)")
    args = parser.parse_args(argv)
    router = Router.load(args.model or default_model_path())
    high = dict(router.levels)[HIGH]
    pairs = read_pairs(contrast_dir(args.language))
    if not pairs:
        parser.error(f"no contrast pairs in {contrast_dir(args.language)}")
    try:
        scored = score_pairs(language_scorer(router, args.language), pairs)
    except ArtifactError as exc:
        parser.error(str(exc))
    print(f"# Contrast set ({args.language}): {len(pairs)} pairs, model {router.version}\n")
    print("\n".join(category_table(summary_figures(scored, high))))
    print("\nOrdered wrong (escalatory score, calm score):\n")
    for row in scored:
        if not row.ordered_right:
            pair, up, down = row.pair, row.escalatory.score, row.calm.score
            print(f"- {pair.id} {pair.category}: {up:.3f} <= {down:.3f}: {pair.escalatory[:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
