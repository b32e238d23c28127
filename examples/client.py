"""A small client for the escalation-risk service, standard library only.

    python examples/client.py --url http://127.0.0.1:8080 articles.jsonl > scores.jsonl
    ESCALATION_API_KEY=... python examples/client.py < articles.jsonl

Reads JSONL articles (`{"id": ..., "text": ...}` and the optional `top_k`, `max_spans`,
`max_sentences`), sends them in batches the service accepts (at most 256 articles and
1,000,000 characters of text per request), and writes one result per line, in input order.
Retries with exponential backoff on 429, 503 and connection failures only: any other error
(400, 401, 413, 422, ...) is the caller's to fix, and a timed-out request is not resent (the
server may still be scoring it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from typing import Any

BATCH_MAX = 256  # articles per request (service.schemas.BATCH_MAX)
REQUEST_CHARS = 1_000_000  # text characters per request (ESCALATION_MAX_REQUEST_CHARS)
RETRY_STATUSES = frozenset({429, 503})


class ServiceError(Exception):
    """The service answered with an error: the HTTP status and its problem document."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status, self.problem = status, problem
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}")


class Client:
    """Scores articles over HTTP with timeouts, retries and batching."""

    def __init__(
        self,
        url: str = "http://127.0.0.1:8080",
        api_key: str | None = None,
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 0.5,
        request_chars: int = REQUEST_CHARS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url, self.api_key, self.timeout = url.rstrip("/"), api_key, timeout
        self.retries, self.backoff, self.request_chars, self.sleep = (
            retries,
            backoff,
            request_chars,
            sleep,
        )

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """One call, retried on 429/503 and connection failures; the decoded JSON answer."""
        # UTF-8 as is (ensure_ascii=False): \\u escapes would make the body up to 12 bytes per
        # character and a full request over the 8 MiB body limit.
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(self.url + path, data, headers, method=method)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as response:
                    return json.load(response)
            except urllib.error.HTTPError as exc:
                problem = _problem(exc)
                if exc.code not in RETRY_STATUSES or attempt == self.retries:
                    raise ServiceError(exc.code, problem) from None
                delay = _retry_after(exc) or self.backoff * 2**attempt
            except urllib.error.URLError as exc:
                # Refused, reset, unreachable: the request never ran. A timeout is not retried.
                if isinstance(exc.reason, TimeoutError) or attempt == self.retries:
                    raise
                delay = self.backoff * 2**attempt
            except ConnectionError:
                if attempt == self.retries:
                    raise
                delay = self.backoff * 2**attempt
            self.sleep(delay)
        raise AssertionError("unreachable")

    def score(self, text: str, **options: Any) -> dict[str, Any]:
        """Score one article (`id`, `top_k`, `max_spans`, `max_sentences` as keywords)."""
        return self.request("POST", "/v1/score", {"text": text, **options})

    def score_many(self, articles: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Score articles in as few requests as the limits allow; results in input order."""
        for batch in batches(articles, self.request_chars):
            yield from self.request("POST", "/v1/score/batch", {"articles": batch})["results"]

    def model(self) -> dict[str, Any]:
        """The served model's manifest (`version`, `created_at`, levels, and per language
        under `languages` its sources, metrics and gate)."""
        return self.request("GET", "/v1/model")


def batches(
    articles: Iterable[dict[str, Any]], request_chars: int = REQUEST_CHARS
) -> Iterator[list[dict[str, Any]]]:
    """Consecutive groups of at most BATCH_MAX articles and `request_chars` text characters."""
    batch: list[dict[str, Any]] = []
    chars = 0
    for article in articles:
        size = len(article["text"])
        if batch and (len(batch) == BATCH_MAX or chars + size > request_chars):
            yield batch
            batch, chars = [], 0
        batch.append(article)
        chars += size
    if batch:
        yield batch


def _problem(exc: urllib.error.HTTPError) -> dict[str, Any]:
    """The RFC 9457 problem of an error answer, or a stand-in when it is not JSON."""
    try:
        return json.load(exc)
    except ValueError:
        return {"title": exc.reason, "detail": ""}


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    """Seconds from a numeric Retry-After header (a proxy's 429 may send one)."""
    value = exc.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None


def main(argv: list[str] | None = None) -> int:
    """Score JSONL files (or stdin) and write the results as JSONL on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="JSONL articles (default: stdin)")
    parser.add_argument("--url", default=os.environ.get("ESCALATION_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    args = parser.parse_args(argv)
    client = Client(args.url, api_key=os.environ.get("ESCALATION_API_KEY"), timeout=args.timeout)
    streams = [open(f, encoding="utf-8") for f in args.files] or [sys.stdin]
    articles = (json.loads(line) for stream in streams for line in stream if line.strip())
    try:
        for result in client.score_many(articles):
            print(json.dumps(result, ensure_ascii=False))
    except (ServiceError, OSError) as exc:  # OSError: URLError, connection and timeout errors
        print(f"client: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
