"""The CAMEO event patterns on the English public training corpora: how often they match, a random
sample of matches to check by hand, its precision once checked, and each event feature's weight.

    ESCALATION_DATA_DIR=../shared/data .venv/bin/python -m bench.events \
        [--model artifacts/escalation-model.joblib] [--sample 100] [--write FILE] [--judged FILE]

Prints, per corpus, the share of sentences with at least one match and with a negated, refused
or demanded scope; then, with `--write`, a reproducible random sample of matches (seeded) as a
TSV whose `correct` column a person fills in (`docs/events/README.md`); with `--judged`, the
precision of such a filled file; then the model's learned weight of each feature of the event
block, root codes beside their CAMEO name and Goldstein score (`--no-weights`: no model). The
report's "Event patterns" section shows the same figures (`training/evaluation/events.py`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from model.artifact import default_model_path, load_artifact
from training.data.knowledge import event_patterns
from training.data.registry import DEFAULT_TRAINING, public_corpora
from training.evaluation.events import (
    SHARES,
    coverage,
    feature_weights,
    precision,
    read_judged,
    write_sample,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures asked for."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--write", type=Path, help="write the random sample to check here")
    parser.add_argument("--judged", type=Path, help="a checked sample: print its precision")
    parser.add_argument("--no-weights", action="store_true", help="no model: matches only")
    args = parser.parse_args(argv)
    patterns = event_patterns()
    shares, found = coverage(patterns, public_corpora(DEFAULT_TRAINING))
    print(f"{'corpus':<16}{'sentences':>10}" + "".join(f"{k:>10}" for k in SHARES))
    for name, row in shares.items():
        print(f"{name:<16}{row['sentences']:>10}" + "".join(f"{row[k]:>10.1%}" for k in SHARES))
    print(f"{len(found)} matches")
    if args.write:
        written = write_sample(found, patterns, args.sample, args.seed, args.write)
        print(f"wrote {written} matches to {args.write}")
    if args.judged:
        for name, row in precision(read_judged(args.judged)).items():
            print(f"precision, {name}: {row['precision']:.1%} ({row['correct']}/{row['checked']})")
    if not args.no_weights:
        pipeline = load_artifact(args.model or default_model_path(), "en").pipeline
        print(f"\n{'feature':<20}{'weight':>8}  {'CAMEO name':<40}{'Goldstein':>9}")
        for row in feature_weights(pipeline):
            goldstein = "" if row["goldstein"] is None else f"{row['goldstein']:>9.1f}"
            print(f"{row['feature']:<20}{row['weight']:>+8.2f}  {row['name'][:39]:<40}{goldstein}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
