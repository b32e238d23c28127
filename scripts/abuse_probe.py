"""Probe a running server for known abuse cases (slow clients, oversized work and answers,
broken input, a stop under load) and print one line per finding.

    .venv/bin/python scripts/abuse_probe.py --url http://127.0.0.1:8080 [--slow 64] [--pid PID]

Loopback only (the URL must name 127.0.0.1, ::1 or localhost); every loop is bounded in count
and time and the script stops by itself. `--pid` (the gunicorn master) adds the last probe: a
long request in flight while the master gets SIGTERM, which stops the server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import string
import threading
import time
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
TIMEOUT = 10.0


def request(
    url: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection: status, headers, body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def post_json(url: str, path: str, payload: object, key: str | None = None, **kw):
    """POST a JSON payload."""
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return request(url, "POST", path, json.dumps(payload).encode(), headers, **kw)


def raw(url: str, data: bytes, timeout: float = TIMEOUT) -> bytes:
    """Send raw bytes and read the answer until the server closes (bounded)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def describe(answer: bytes) -> str:
    """The status line of a raw answer and the kind of body it carries."""
    line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    kinds = ((b"problem+json", "problem+json"), (b"text/html", "HTML"))
    return f"{line}, " + next((name for mark, name in kinds if mark in answer), "other body")


def slow_clients(url: str, count: int, seconds: float, key: str | None) -> str:
    """`count` connections trickle headers at 1 byte/s while one client scores every 0.2 s."""
    parts = urlsplit(url)
    stop = threading.Event()

    def trickle() -> None:
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
                for byte in b"POST /v1/score HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 60:
                    if stop.wait(1.0):
                        return
                    sock.send(bytes([byte]))
        except OSError:
            pass

    threads = [threading.Thread(target=trickle, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    latencies, failures = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            status, _, _ = post_json(
                url, "/v1/score", {"text": "The army threatened war."}, key, timeout=3.0
            )
            if status != 200:
                failures += 1
            else:
                latencies.append((time.perf_counter() - started) * 1000)
        except OSError:
            failures += 1
        time.sleep(0.2)
    stop.set()
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 2 else float("nan")
    return (
        f"{count} slow clients: {len(latencies)} scored, {failures} failed (3 s timeout), "
        f"p99 {p99:.1f} ms"
    )


def random_words(chars: int, seed: int = 1) -> str:
    """Never-seen words, about `chars` characters."""
    rng = random.Random(seed)
    words, size = [], 0
    while size < chars:
        word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 10)))
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:chars]


def main() -> None:
    """Run the probes and print the findings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--slow", type=int, default=64, help="slow connections (0: skip)")
    parser.add_argument("--slow-seconds", type=float, default=8.0)
    parser.add_argument("--key", default=os.environ.get("PROBE_API_KEY"))
    parser.add_argument("--pid", type=int, help="gunicorn master: probe SIGTERM last")
    parser.add_argument(
        "--long-chars",
        type=int,
        default=8_000_000,
        help="new words in the SIGTERM probe's batch (100,000 per article)",
    )
    args = parser.parse_args()
    url, key = args.url.rstrip("/"), args.key
    if urlsplit(url).hostname not in LOOPBACK:
        parser.error("loopback addresses only")
    auth = {"Authorization": f"Bearer {key}"} if key else {}

    if args.slow:
        print("1.", slow_clients(url, args.slow, args.slow_seconds, key))

    war = "War. " * 20_000  # 100,000 characters, 20,000 sentences
    for count in (76, 10):
        batch = {"articles": [{"text": war} for _ in range(count)]}
        status, _, body = post_json(url, "/v1/score/batch", batch, key, timeout=300)
        print(
            f"3. {count} x 'War. ' x 20,000 ({count * len(war) / 2**20:.1f} MiB of text): "
            f"{status}, {len(body) / 2**20:.2f} MiB answer"
        )
    unknown = {"text": "a war", **{f"k{i}": 0 for i in range(600_000)}}
    status, _, body = post_json(url, "/v1/score", unknown, key, timeout=60)
    print(f"3. 600,000 unknown keys: {status}, {len(body) / 2**20:.3f} MiB answer")
    batch = {"articles": [{"text": random_words(30_000, i)} for i in range(256)]}
    started = time.perf_counter()
    status, _, body = post_json(url, "/v1/score/batch", batch, key, timeout=120)
    print(f"2. 256 x 30,000 chars of new words: {status} in {time.perf_counter() - started:.2f} s")

    sent = b'{"text": "a war", "id": "\\ud800"}'
    status, headers, body = request(
        url, "POST", "/v1/score", sent, {"Content-Type": "application/json", **auth}
    )
    print(f"5. lone surrogate in id: {status} {headers.get('Content-Type')}")
    sent = b'{"text": "a war \\udfff here"}'
    status, headers, body = request(
        url, "POST", "/v1/score", sent, {"Content-Type": "application/json", **auth}
    )
    print(f"5. lone surrogate in text: {status} {headers.get('Content-Type')}")

    status, _, body = request(url, "GET", "/readyz")
    print(f"7. /readyz: {status} {body.decode()[:160]}")
    for path in ("/metrics", "/v1/model"):
        status, _, _ = request(url, "GET", path)
        print(f"9. GET {path} without a key: {status}")
    status, _, _ = post_json(url, "/v1/score", {"text": "a war"})
    print(f"9. POST /v1/score without a key: {status}")

    status, _, body = post_json(url, "/v1/score", {"text": "a war", "top_k": 44.0}, key)
    print(f"10. top_k 44.0: {status}")
    answer = raw(url, b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n")
    print(f"10. bad request line: {describe(answer)}")
    answer = raw(url, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    print(f"10. 9,000-byte URI: {describe(answer)}")
    chunk = b'{"text": "' + b"a" * (9 * 2**20) + b'"}'
    head = b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += b"".join(f"{k}: {v}\r\n".encode() for k, v in auth.items())
    data = head + b"Transfer-Encoding: chunked\r\n\r\n" + f"{len(chunk):x}\r\n".encode()
    answer = raw(url, data + chunk + b"\r\n0\r\n\r\n", timeout=60)
    print(f"10. chunked 9 MiB body: {describe(answer)}")
    status, headers, body = request(url, "OPTIONS", "/v1/score")
    print(
        f"10. OPTIONS /v1/score: {status} {headers.get('Content-Type')} "
        f"Allow={headers.get('Allow')} {len(body)} bytes"
    )

    if args.pid:
        count = max(1, args.long_chars // 100_000)
        articles = [
            {"text": random_words(min(100_000, args.long_chars), 99 + i)} for i in range(count)
        ]
        results: list[str] = []

        def long_request() -> None:
            try:
                results.append(
                    str(
                        post_json(url, "/v1/score/batch", {"articles": articles}, key, timeout=60)[
                            0
                        ]
                    )
                )
            except OSError as exc:
                results.append(type(exc).__name__)

        thread = threading.Thread(target=long_request)
        thread.start()
        time.sleep(0.5)
        os.kill(args.pid, signal.SIGTERM)
        thread.join(timeout=70)
        print(f"6. SIGTERM during a batch of {count} x new words: {results}")


if __name__ == "__main__":
    main()
