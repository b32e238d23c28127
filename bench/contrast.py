"""The contrast set: minimal pairs of English news sentences that differ only in what happened.

    .venv/bin/python -m bench.contrast [--model artifacts/escalation-model.joblib]

Reads `docs/contrast/pairs-*.tsv` (two writers, written independently; an evaluation file,
never trained or tuned on) and scores each member as the service does. Prints, per category and
in all: pairs ordered right (the escalatory member scores higher), escalatory members at `high`
or above, calm members at `high` or above, then the pairs ordered wrong.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from model.artifact import default_model_path
from model.routing import Router

CONTRAST_DIR = Path(__file__).resolve().parents[1] / "docs" / "contrast"
HIGH = "high"


@dataclass(frozen=True)
class Pair:
    """One minimal pair."""

    id: str
    category: str
    escalatory: str
    calm: str


def read_pairs(directory: Path = CONTRAST_DIR) -> list[Pair]:
    """Every pair of every `pairs-*.tsv` file, in file order."""
    pairs = []
    for path in sorted(directory.glob("pairs-*.tsv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                pairs.append(Pair(row["id"], row["category"], row["escalatory"], row["calm"]))
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    """Score the pairs and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args(argv)
    router = Router.load(args.model or default_model_path())
    high = dict(router.levels)[HIGH]
    pairs = read_pairs()
    rows: dict[str, list[tuple[Pair, float, float]]] = defaultdict(list)
    for pair in pairs:
        up = router.score(pair.escalatory, language="en").score
        down = router.score(pair.calm, language="en").score
        if up is None or down is None:
            parser.error(f"{router.version} has no English model")
        rows[pair.category].append((pair, up, down))
        rows["all"].append((pair, up, down))
    print(f"# Contrast set: {len(pairs)} pairs, model {router.version}\n")
    print("| category | pairs | ordered right | escalatory at high+ | calm at high+ |")
    print("|---|---:|---:|---:|---:|")
    for category in [*sorted(c for c in rows if c != "all"), "all"]:
        scored = rows[category]
        n = len(scored)
        right = sum(up > down for _, up, down in scored)
        up_high = sum(up >= high for _, up, _ in scored)
        down_high = sum(down >= high for _, _, down in scored)
        print(f"| {category} | {n} | {right / n:.1%} | {up_high / n:.1%} | {down_high / n:.1%} |")
    print("\nOrdered wrong (escalatory score, calm score):\n")
    for pair, up, down in rows["all"]:
        if up <= down:
            print(f"- {pair.id} {pair.category}: {up:.3f} <= {down:.3f}: {pair.escalatory[:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
