"""Cost of words the scorer has never seen, against known ones; and a worker's private memory
after many requests of never-seen words.

    .venv/bin/python -m bench.coldwords --model artifacts/escalation-model.joblib \\
        --seed ../shared/data/seed/nato-preemptive-strike.txt [--requests 15000]

Times are seconds per 100,000 characters (median of `--repeat` texts, each new): the seed
repeated (known words, cache warm), random lowercase words (every word new), and random
Unicode letters in words (every word new, most of them also new to the character vocabulary).
Memory: the model is loaded, then a forked child (as a gunicorn worker is) scores `--requests`
texts of `--request-chars` random words and reports its `Private_*` from
`/proc/self/smaps_rollup`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

from bench.texts import of_length, read_seed
from model import Scorer

SIZE = 100_000
_LETTERS = [chr(c) for c in range(0x20, 0x30000) if chr(c).isalpha()]


def random_words(rng: random.Random, size: int, alphabet: str | list[str]) -> str:
    """`size` characters of words of 3-10 characters drawn from `alphabet`."""
    words: list[str] = []
    total = 0
    while total <= size:
        word = "".join(rng.choices(alphabet, k=rng.randint(3, 10)))
        words.append(word)
        total += len(word) + 1
    return " ".join(words)[:size]


def seconds(scorer: Scorer, texts: list[str]) -> float:
    """Median seconds of `scorer.score` over `texts`."""
    times = []
    for text in texts:
        started = time.perf_counter()
        scorer.score(text)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def private_mib() -> float:
    """This process's private memory (clean + dirty), MiB."""
    total = 0
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith(("Private_Clean:", "Private_Dirty:")):
            total += int(line.split()[1])
    return total / 1024


def memory(scorer: Scorer, requests: int, chars: int) -> None:
    """Fork, score `requests` random-word texts in the child, print its private memory."""
    pid = os.fork()
    if pid:
        _, status = os.waitpid(pid, 0)
        if status:
            sys.exit("the memory child failed")
        return
    rng = random.Random(7)
    print(f"memory: child private {private_mib():.1f} MiB before any request", flush=True)
    started = time.perf_counter()
    for i in range(1, requests + 1):
        scorer.score(random_words(rng, chars, "abcdefghijklmnopqrstuvwxyz"))
        if i % (requests // 5 or 1) == 0:
            print(
                f"memory: after {i} requests of {chars} chars: private {private_mib():.1f} MiB,"
                f" cache {scorer._model.cache_size()}, {time.perf_counter() - started:.0f} s",
                flush=True,
            )
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=Path("artifacts/escalation-model.joblib"))
    parser.add_argument(
        "--seed", type=Path, default=Path("../shared/data/seed/nato-preemptive-strike.txt")
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--requests", type=int, default=0, help="memory run (0: none)")
    parser.add_argument("--request-chars", type=int, default=2000)
    args = parser.parse_args(argv)
    scorer = Scorer.load(args.model)
    rng = random.Random(1)
    known = of_length(read_seed(args.seed), SIZE / 1024)
    scorer.score(known)
    rows = {
        "known words (seed repeated, warm)": [known] * args.repeat,
        "random lowercase words (all new)": [
            random_words(rng, SIZE, "abcdefghijklmnopqrstuvwxyz") for _ in range(args.repeat)
        ],
        "random Unicode letters (all new)": [
            random_words(rng, SIZE, _LETTERS) for _ in range(args.repeat)
        ],
    }
    base = None
    for label, texts in rows.items():
        t = seconds(scorer, texts)
        base = base or t
        print(f"{label}: {t:.4f} s per 100k chars ({t / base:.1f}x known)", flush=True)
    if args.requests:
        scorer.clear_caches()
        memory(scorer, args.requests, args.request_chars)


if __name__ == "__main__":
    main()
