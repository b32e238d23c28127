"""Latency of POST /v1/score against a running server: sequential requests, one connection each.

    gunicorn 'service.app:create_app()' &                 # from the repository root
    python scripts/latency.py --port 8080 --requests 300 --text-file article.txt

Prints one JSON object: requests, text_chars, model_version and median/p90/p99/max in ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from collections.abc import Sequence

DEFAULT_TEXT = "Troops mobilised at the border as the minister threatened a pre-emptive strike."


def post_score(host: str, port: int, body: bytes) -> tuple[float, dict]:
    """One request on a fresh connection (gunicorn's sync workers close it anyway)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("POST", "/v1/score", body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {payload[:200]!r}")
    return elapsed, json.loads(payload)


def main(argv: Sequence[str] | None = None) -> int:
    """Warm up, then time sequential requests."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--text-file", help="UTF-8 article to send (default: one sentence)")
    args = parser.parse_args(argv)
    text = DEFAULT_TEXT
    if args.text_file:
        with open(args.text_file, encoding="utf-8") as fh:
            text = fh.read()
    body = json.dumps({"text": text}).encode("utf-8")
    for _ in range(args.warmup):
        post_score(args.host, args.port, body)
    timings, version = [], None
    for _ in range(args.requests):
        elapsed, result = post_score(args.host, args.port, body)
        timings.append(elapsed * 1000)
        version = result["model_version"]
    cuts = statistics.quantiles(timings, n=100)
    report = {
        "requests": len(timings),
        "text_chars": len(text),
        "model_version": version,
        "median_ms": round(statistics.median(timings), 2),
        "p90_ms": round(cuts[89], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(max(timings), 2),
    }
    json.dump(report, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
