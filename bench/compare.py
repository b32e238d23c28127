"""Two checkouts of this project scoring the seed article alternately: the cost of a change.

    python -m bench.compare --before ../before-tree --before-model ../before.joblib \\
        --seed ../shared/data/seed/nato-preemptive-strike.txt

Each side runs in its own process from its own tree (its code, its model) as a worker runs it:
the model frozen out of the collector, each call on a fresh variant of the text
(`bench.texts.variant`). The two take turns, `--calls` calls each, `--rounds` times, so a change
in the machine's speed reaches both; each round's median per-call time gives one ratio, and the
median of those ratios is the figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in a side's tree: load its model, warm up, then one round per line read.
WORKER = """
import gc, statistics, sys, time
from pathlib import Path
from model import Scorer
from bench.texts import variant
scorer = Scorer.load(Path(sys.argv[1]))
text = Path(sys.argv[2]).read_text(encoding="utf-8")
calls = int(sys.argv[3])
gc.freeze()
n = 0
for _ in range(calls):
    scorer.score(variant(text, 10**6 + n))
    n += 1
print("ready", flush=True)
for _ in sys.stdin:
    times = []
    for _ in range(calls):
        t = variant(text, n)
        n += 1
        started = time.perf_counter()
        scorer.score(t)
        times.append(time.perf_counter() - started)
    print(statistics.median(times) * 1000, flush=True)
"""


def _side(tree: Path, model: Path, seed: Path, calls: int) -> subprocess.Popen[str]:
    """A worker of one side, ready to run rounds."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(model.resolve()), str(seed.resolve()), str(calls)],
        cwd=tree,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    if worker.stdout.readline().strip() != "ready":
        raise SystemExit(f"the worker of {tree} did not start")
    return worker


def compare(sides: dict[str, tuple[Path, Path]], seed: Path, calls: int, rounds: int) -> None:
    """Print each side's per-round medians and the ratios of the second side to the first."""
    workers = {name: _side(tree, model, seed, calls) for name, (tree, model) in sides.items()}
    medians: dict[str, list[float]] = {name: [] for name in workers}
    try:
        for _ in range(rounds):
            for name, worker in workers.items():
                assert worker.stdin is not None and worker.stdout is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
                medians[name].append(float(worker.stdout.readline()))
    finally:
        for worker in workers.values():
            assert worker.stdin is not None
            worker.stdin.close()
            worker.wait(timeout=60)
    first, second = medians.values()
    ratios = [b / a for a, b in zip(first, second, strict=True)]
    for name, values in medians.items():
        print(
            f"{name}: median of the round medians {statistics.median(values):.3f} ms "
            f"(fastest round {min(values):.3f}, slowest {max(values):.3f})"
        )
    print(
        f"ratio after/before: median {statistics.median(ratios):.3f} "
        f"(rounds {min(ratios):.3f} to {max(ratios):.3f}; {rounds} rounds of {calls} calls)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Compare a checkout (`--before`) with this one on the seed article."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--before", type=Path, required=True, help="the other checkout's root")
    parser.add_argument("--before-model", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=ROOT / "artifacts/escalation-model.joblib")
    parser.add_argument("--seed", type=Path, required=True)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args(argv)
    sides = {"before": (args.before, args.before_model), "after": (ROOT, args.model)}
    compare(sides, args.seed, args.calls, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
