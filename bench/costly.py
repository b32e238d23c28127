"""Costly inputs: texts built to make one request as slow as possible, and what they cost.

    .venv/bin/python -m bench.costly --model artifacts/escalation-model.joblib \
        --seed ../shared/data/seed/nato-preemptive-strike.txt

Each input of `CATALOGUE` is scored in process at `--chars` characters (the API's longest
text) and compared with news text of the same length (the seed article repeated): seconds and
the ratio (target at most 5). Then, with `--http`, a real gunicorn on loopback gets two
requests of each input per worker at once, each a batch filling the request budget, while a
client probes `/healthz` every 50 ms: probe p50/p99/max (target p99 at most 1 s) and failures.
The fault suite (`tests/service/test_faults.py`) sends the same catalogue.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import string
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import coldwords
from bench.servers import free_port, get_status, post, running
from bench.texts import of_length, read_seed
from model import Scorer

# Marks of ten canonical combining classes (233, 232, 230, 220, 216, 202, 36, 9, 7, 1), in
# descending class order: canonical reordering has the most to move.
_MARKS = "\u035c\u031a\u0301\u0316\u031b\u0327\u0711\u094d\u093c\u0334"


def _descending_marks(chars: int) -> str:
    """A letter, then runs of marks of each class in `_MARKS`, highest class first."""
    run = (chars - 1) // len(_MARKS) + 1
    return ("a" + "".join(mark * run for mark in _MARKS))[:chars]


def _repeat(unit: str, chars: int) -> str:
    """`unit` repeated to exactly `chars` characters."""
    return (unit * (chars // len(unit) + 1))[:chars]


def random_words(chars: int, seed: int = 0) -> str:
    """`chars` characters of never-seen lowercase words: the costliest plain text per character."""
    return coldwords.random_words(random.Random(seed), chars, string.ascii_lowercase)


CATALOGUE: dict[str, Callable[[int], str]] = {
    # One letter carrying every mark, two classes out of canonical order.
    "combining marks, out of order": lambda n: (
        "a" + "\u0301" * (n // 2) + "\u0316" * (n - n // 2 - 1)
    ),
    "combining marks, many classes": _descending_marks,
    "zero-width joiner emoji": lambda n: _repeat(
        "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 war ", n
    ),
    "bidi overrides": lambda n: _repeat("\u202ewar\u202c \u2067strike\u2069 ", n),
    "fullwidth letters": lambda n: _repeat(
        "\uff34\uff52\uff4f\uff4f\uff50\uff53 \uff41\uff54\uff54\uff41\uff43\uff4b ", n
    ),
    "one word": lambda n: _repeat("war", n),
    "50,000 sentences": lambda n: _repeat("a\n", n),
    "never-seen words": random_words,
    "look-alike letters": lambda n: _repeat("\u0430tt\u0430ck \u0440\u0435\u0430\u0441\u0435 ", n),
    "Hangul jamo": lambda n: _repeat("\u1100" + "\u1161" * 9 + " ", n),
    # Styled letters read before NFKC, and marks dropped after it: every letter through both.
    "small capitals": lambda n: _repeat(
        "\u1d1b\u0280\u1d0f\u1d0f\u1d18\ua731 \u1d00\u1d1b\u1d1b\u1d00\u1d04\u1d0b ", n
    ),
    "underlined letters": lambda n: _repeat("t\u0332r\u0332o\u0332o\u0332p\u0332s\u0332 ", n),
    "hyphen chain": lambda n: _repeat("a-", n - 1) + "a",
    # Look-alike letters joined by hyphens, ending in a Latin letter: one token, not a word of
    # look-alikes alone (a pattern that retried from every hyphen took 75 s here).
    "look-alike hyphen chain": lambda n: _repeat("\u0430-", n - 2) + "\u0430z",
    # One sentence of verb forms, multi-word ("go to") between one-word ones ("ban"): every
    # token a verb occurrence for the English event patterns, and their overlap rule at work.
    "verb phrases, one sentence": lambda n: _repeat("go to ban ", n),
    # One sentence of negated verbs: a scope at every other word, a match inside each.
    "negated verbs, one sentence": lambda n: _repeat("not ban ", n),
    # A name masked only in capitals ("US"), and the word it also is ("us"): every token a name
    # the masking must decide by how it is written.
    "capitals-only names": lambda n: _repeat("US us ", n),
}


def timed_score(scorer: Scorer, text: str, repeat: int = 3) -> float:
    """The fastest of `repeat` in-process scores of `text`, each cold (the scorer's word caches
    emptied first: every word is new to it), in seconds; one call when it takes over 1 s."""
    best = float("inf")
    for _ in range(repeat):
        scorer.clear_caches()
        started = time.perf_counter()
        scorer.score(text)
        best = min(best, time.perf_counter() - started)
        if best > 1.0:
            break
    return best


def in_process(model: Path, seed: str, chars: int, names: Sequence[str]) -> float:
    """Print each input's seconds and ratio to news of the same length; return the worst ratio."""
    scorer = Scorer.load(model)
    # As in a service worker (gunicorn.conf.py's pre_fork): the model's objects are kept out of
    # the collector's reach, so a text that allocates much does not pay for scanning them.
    gc.freeze()
    news = timed_score(scorer, of_length(seed, chars / 1024))
    print(f"news text, {chars:,} characters: {news:.3f} s")
    print("| input | seconds | ratio to news |\n|---|---|---|")
    worst = 0.0
    for name in names:
        seconds = timed_score(scorer, CATALOGUE[name](chars))
        worst = max(worst, seconds / news)
        print(f"| {name} | {seconds:.3f} | {seconds / news:.1f} |")
    return worst


def probes_during(url: str, bodies: Sequence[bytes], seconds: float) -> dict[str, float]:
    """Send `bodies` at once to `/v1/score/batch` and probe `/healthz` every 50 ms until they
    are answered (at most `seconds`): probe latencies and the batches' statuses."""
    statuses: list[int] = []

    def send(body: bytes) -> None:
        status, _ = post(f"{url}/v1/score/batch", body, timeout=seconds)
        statuses.append(status)

    threads = [threading.Thread(target=send, args=(b,), daemon=True) for b in bodies]
    for thread in threads:
        thread.start()
    latencies: list[float] = []
    failed = 0
    deadline = time.monotonic() + seconds
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
        started = time.perf_counter()
        if get_status(f"{url}/healthz", timeout=5.0) == 200:
            latencies.append(time.perf_counter() - started)
        else:
            failed += 1
        time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=1)
    ok = sum(s == 200 for s in statuses)
    latencies = latencies or [0.0]
    q = (
        statistics.quantiles(latencies, n=100, method="inclusive")
        if len(latencies) > 1
        else latencies * 99
    )
    return {
        "p50": statistics.median(latencies),
        "p99": q[98],
        "max": max(latencies),
        "probes": len(latencies),
        "failed": failed + len(bodies) - ok,
    }


def over_http(model: Path, chars: int, budget: int, workers: int, names: Sequence[str]) -> None:
    """Two maximal batches of each input per worker at once, probes meanwhile."""
    port = free_port()
    env = {
        **os.environ,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "ESCALATION_MODEL_PATH": str(model),
        "ESCALATION_MAX_REQUEST_CHARS": str(budget),
        "ESCALATION_LOG_LEVEL": "WARNING",
    }
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "service.app:create_app()"]
    log = Path(tempfile.mkdtemp(prefix="costly-")) / "gunicorn.log"
    with running(
        "ours", cmd, port=port, ready_path="/readyz", env=env, cwd=Path.cwd(), log=log
    ) as server:
        url = server.url("").rstrip("/")
        print(f"\n{workers} workers, two batches of {budget:,} characters per worker at once")
        print(PROBE_HEAD)
        for name in names:
            r = probes_during(url, [batch_body(name, chars, budget)] * (2 * workers), seconds=300)
            print(probe_row(name, r))


PROBE_HEAD = "| input | probes | p50 ms | p99 ms | max ms | failed |\n|---|---|---|---|---|---|"


def probe_row(name: str, r: dict[str, float]) -> str:
    """One row of the probe table (`PROBE_HEAD`)."""
    ms = [f"{r[k] * 1e3:.1f}" for k in ("p50", "p99", "max")]
    return f"| {name} | {r['probes']:.0f} | {' | '.join(ms)} | {r['failed']:.0f} |"


def batch_body(name: str, chars: int, budget: int) -> bytes:
    """A `/v1/score/batch` body of texts of `chars` characters of one input, filling `budget`."""
    text = CATALOGUE[name](chars)
    return json.dumps({"articles": [{"text": text}] * (budget // chars)}).encode()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the in-process table, then (with --http) the probe table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=Path("artifacts/escalation-model.joblib"))
    parser.add_argument(
        "--seed", type=Path, default=Path("../shared/data/seed/nato-preemptive-strike.txt")
    )
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--only", nargs="*", choices=sorted(CATALOGUE), default=list(CATALOGUE))
    parser.add_argument("--http", action="store_true", help="also the probe table (real server)")
    parser.add_argument("--budget", type=int, default=1_000_000, help="characters per request")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    in_process(args.model, read_seed(args.seed), args.chars, args.only)
    if args.http:
        over_http(args.model, args.chars, args.budget, args.workers, args.only)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
