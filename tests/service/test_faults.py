"""Fault injection against real gunicorn on loopback (marked `faults`): slow clients, maximal
batches beside health probes, a killed worker, a model swap and a stop under load, and the
contract edges only a real server shows. Every loop is bounded in count and time; figures are
printed (`pytest -s -m faults`)."""

from __future__ import annotations

import http.client
import json
import os
import resource
import signal
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.costly import random_words
from bench.flood import Flood
from service.schemas import max_response_bytes
from tests.service.helpers import ESCALATORY_TEXT, live_copy, publish_tiny_2
from tests.service.test_gunicorn import GUNICORN, HOST, Server, gunicorn, stop, worker_pids

pytestmark = [
    pytest.mark.slow,
    pytest.mark.faults,
    pytest.mark.skipif(
        not GUNICORN.exists(),
        reason="gunicorn is not installed beside this Python (make setup installs it)",
    ),
]
BUDGET = 300_000  # ESCALATION_MAX_REQUEST_CHARS of these servers: a "maximal" request


def post(server: Server, path: str, body: Any, timeout: float = 30) -> tuple[int, bytes]:
    """POST JSON on a fresh connection: status and raw body."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=timeout)
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def raw(server: Server, data: bytes, timeout: float = 30, half_close: bool = False) -> bytes:
    """Send bytes (then end the sending side if `half_close`), read until the server closes."""
    with socket.create_connection((HOST, server.port), timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks)


def maximal_batch(seed: int) -> dict[str, Any]:
    """BUDGET characters of new words in articles of 100,000."""
    return {"articles": [{"text": random_words(100_000, seed * 10 + i)} for i in range(3)]}


def p99(values: list[float]) -> float:
    """99th percentile."""
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else values[0]


def load(server: Server, seconds: float, clients: int = 4) -> Callable[[], list[Any]]:
    """Clients scoring until `seconds` pass; returns a join that gives their outcomes."""
    outcomes: list[Any] = []
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            try:
                status, body = post(server, "/v1/score", {"text": ESCALATORY_TEXT}, timeout=10)
                outcomes.append((status, json.loads(body).get("model_version")))
            except (OSError, http.client.HTTPException) as exc:
                outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()

    def join() -> list[Any]:
        for thread in threads:
            thread.join(timeout=seconds + 30)
        return outcomes

    return join


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, tiny_model_path: Path) -> Iterator[Server]:
    """One server for the tests that leave it running."""
    with gunicorn(
        tmp_path_factory.mktemp("faults"), tiny_model_path, ESCALATION_MAX_REQUEST_CHARS=str(BUDGET)
    ) as running:
        yield running


def test_slow_clients_do_not_starve_the_service(server: Server) -> None:
    """64 connections trickle headers and 16 trickle bodies at 1 byte/s while a client scores."""
    stop_event = threading.Event()
    closed_by_server: list[float] = []

    def trickle(sent: bytes, head: bytes) -> None:
        started = time.monotonic()
        try:
            with socket.create_connection((HOST, server.port), timeout=15) as sock:
                sock.sendall(sent)
                for byte in head + b"x" * 30:
                    if stop_event.wait(1.0):
                        return
                    sock.send(bytes([byte]))
        except OSError:  # the server closed it: a reset or a broken pipe
            closed_by_server.append(time.monotonic() - started)

    headers = b"POST /v1/score HTTP/1.1\r\nHost: x\r\nX-Slow: "
    body = b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    body += b"Content-Length: 1000\r\n\r\n"
    threads = [threading.Thread(target=trickle, args=(b"", headers)) for _ in range(64)]
    # Headers at once, then the body at 1 byte/s: each holds a request open (up to 30 s).
    threads += [threading.Thread(target=trickle, args=(body, b"")) for _ in range(16)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    latencies, failures = [], []
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            status, _ = post(server, "/v1/score", {"text": ESCALATORY_TEXT}, timeout=3)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                failures.append(status)
        except OSError as exc:
            failures.append(type(exc).__name__)
        time.sleep(0.05)
    stop_event.set()
    for thread in threads:
        thread.join(timeout=20)
    print(
        f"\n80 slow connections: {len(latencies)} scored, {len(failures)} failed, "
        f"p50 {statistics.median(latencies):.1f} ms, p99 {p99(latencies):.1f} ms; "
        f"{len(closed_by_server)} trickling header connections closed by the server"
    )
    assert not failures and len(latencies) > 20
    assert p99(latencies) < 1000
    # Headers must arrive within `keepalive` (5 s): the header tricklers were cut off.
    assert len(closed_by_server) >= 64


def test_maximal_batches_beside_health_probes(server: Server) -> None:
    """Three maximal batches of new words at once; probes keep being answered."""
    batches = [maximal_batch(seed) for seed in range(3)]
    results: list[tuple[int, float]] = []

    def send(batch: dict) -> None:
        started = time.perf_counter()
        status, _ = post(server, "/v1/score/batch", batch, timeout=120)
        results.append((status, time.perf_counter() - started))

    threads = [threading.Thread(target=send, args=(b,)) for b in batches]
    for thread in threads:
        thread.start()
    probes: list[float] = []
    failed: list[Any] = []
    while any(t.is_alive() for t in threads) and len(probes) < 2_000:
        for path in ("/healthz", "/readyz"):
            started = time.perf_counter()
            try:
                status, _ = server.request("GET", path)
                (probes if status == 200 else failed).append((time.perf_counter() - started) * 1e3)
            except OSError as exc:
                failed.append(type(exc).__name__)
        time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=120)
    print(
        f"\n3 batches of {BUDGET:,} new-word characters: "
        f"{', '.join(f'{s} in {t:.2f} s' for s, t in results)}; {len(probes)} probes, "
        f"p50 {statistics.median(probes):.1f} ms, p99 {p99(probes):.1f} ms, "
        f"max {max(probes):.1f} ms"
    )
    assert [s for s, _ in results] == [200] * 3 and not failed
    assert p99(probes) < 1000


def test_answers_stay_under_the_stated_bound(server: Server) -> None:
    war = "War. " * 20_000
    over = {"articles": [{"text": war}] * (BUDGET // len(war) + 1)}
    status, body = post(server, "/v1/score/batch", over)
    assert status == 413 and json.loads(body)["status"] == 413
    articles = BUDGET // len(war)
    status, body = post(server, "/v1/score/batch", {"articles": [{"text": war}] * articles})
    print(f"\n{articles} x 'War. ' x 20,000: {len(body):,} bytes")
    assert status == 200 and len(body) <= max_response_bytes(articles)


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "a war", "id": "\\ud800"}',
        b'{"articles": [' + b'{"text": "a war"}, ' * 255 + b'{"text": "a", "id": "\\ud800"}]}',
    ],
)
def test_lone_surrogate_is_422(server: Server, body: bytes) -> None:
    path = "/v1/score/batch" if b"articles" in body else "/v1/score"
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n"
    answer = raw(server, head.encode() + body)
    assert answer.startswith(b"HTTP/1.1 422") and b"surrogate" in answer


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /" + b"a" * 9_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9_000 + b"\r\n\r\n", 431),
    ],
)
def test_gunicorns_own_errors_are_problems(
    server: Server, request_bytes: bytes, status: int
) -> None:
    head, _, body = raw(server, request_bytes).partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status}".encode())
    assert b"application/problem+json" in head
    assert json.loads(body)["status"] == status and b"aaaa" not in body


def test_chunked_body_over_the_limit_is_413(server: Server) -> None:
    chunk = b'{"text": "' + b"a" * (9 * 2**20) + b'"}'
    head = b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += b"Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
    data = head + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n"
    assert raw(server, data).startswith(b"HTTP/1.1 413")


CHUNKED_HEAD = (
    b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)
FIRST_CHUNK = b'f\r\n{"text": "war"}\r\n'  # a valid chunk before the broken part


def log_lines(server: Server, offset: int, request_id: str) -> tuple[str, list[dict]]:
    """The server log written since `offset`, once it holds the request's access line, and the
    service's JSON lines about that request (bounded wait)."""
    deadline = time.monotonic() + 10
    while True:
        with server.log.open("rb") as log:
            log.seek(offset)
            text = log.read().decode("utf-8", "replace")
        lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        mine = [line for line in lines if line.get("request_id") == request_id]
        if any(line["logger"] == "service.access" for line in mine):
            return text, mine
        assert time.monotonic() < deadline, text
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("broken", "half_close", "error_type"),
    [
        (b"-5\r\nhello\r\n0\r\n\r\n", False, "InvalidChunkSize"),
        (b"CANARY\r\nhello\r\n0\r\n\r\n", False, "InvalidChunkSize"),
        (b"5;=CANARY\r\nhello\r\n0\r\n\r\n", False, "InvalidChunkExtension"),
        (b"5\r\nhelloCANARY\r\n0\r\n\r\n", False, "ChunkMissingTerminator"),
        (b"0\r\n", True, "ChunkMissingTerminator"),  # the body ends without its last CRLF
        (b"0\r\nX-CANARY\r\n\r\n", False, "InvalidHeader"),  # a trailer with no colon
        (b"0\r\nHost: CANARY\r\n\r\n", False, "InvalidHeaderName"),  # not allowed in trailers
        (b"0\r\nX-A: CANARY\r\n continued\r\n\r\n", False, "ObsoleteFolding"),
        (b"10\r\nCANARY", True, "NoMoreData"),  # the connection ends inside a chunk
    ],
)
def test_malformed_chunked_body_is_400(
    server: Server, broken: bytes, half_close: bool, error_type: str
) -> None:
    """A 400 problem and one warning line naming the error's type; no stack, no client bytes."""
    offset = server.log.stat().st_size
    answer = raw(server, CHUNKED_HEAD + FIRST_CHUNK + broken, timeout=15, half_close=half_close)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and b"application/problem+json" in head, answer
    problem = json.loads(body)
    assert problem["status"] == 400
    assert problem["detail"].startswith("The request body could not be read: ")
    written, lines = log_lines(server, offset, problem["request_id"])
    warnings = [line for line in lines if line["level"] == "WARNING"]
    assert [line["error_type"] for line in warnings] == [error_type]
    assert "Traceback" not in written and "ERROR" not in written
    assert b"CANARY" not in answer and "CANARY" not in written


@pytest.mark.parametrize(
    ("request_line", "host", "status"),
    [
        (b"GET /healthz HTTP/1.1", b"", 400),
        (b"GET /healthz HTTP/1.1", b"Host: \r\n", 400),
        (b"GET /healthz HTTP/1.1", b"Host: scoring.internal\r\n", 200),
        (b"GET /healthz HTTP/1.0", b"", 200),
    ],
)
def test_http_1_1_without_host_is_400(
    server: Server, request_line: bytes, host: bytes, status: int
) -> None:
    answer = raw(server, request_line + b"\r\n" + host + b"Connection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ", 2)[1] == str(status).encode(), answer
    if status == 400:
        assert b"application/problem+json" in head
        assert "Host header" in json.loads(body)["detail"]


def test_a_killed_worker_loses_only_its_requests(tmp_path: Path, tiny_model_path: Path) -> None:
    with gunicorn(tmp_path, tiny_model_path) as server:
        join = load(server, seconds=5)
        time.sleep(1.5)
        victim = worker_pids(server.process.pid)[0]
        os.kill(victim, signal.SIGKILL)
        outcomes = join()
        failed = [o for o in outcomes if not (isinstance(o, tuple) and o[0] == 200)]
        print(f"\nworker SIGKILLed under 4 clients: {len(outcomes)} requests, {len(failed)} failed")
        assert len(failed) <= 4 and len(outcomes) > 50  # at most the 4 clients' in-flight ones
        deadline = time.monotonic() + 15
        while len(worker_pids(server.process.pid)) < 2:  # replaced
            assert time.monotonic() < deadline
            time.sleep(0.2)
        stop(server)


def test_hup_under_load_fails_nothing(
    tmp_path: Path, tiny_model_path: Path, tiny_pipeline: Any
) -> None:
    model_path = live_copy(tmp_path, tiny_model_path)
    with gunicorn(tmp_path, model_path) as server:
        publish_tiny_2(model_path, tiny_pipeline)
        join = load(server, seconds=6)
        time.sleep(1.0)
        server.process.send_signal(signal.SIGHUP)
        outcomes = join()
        versions = [o[1] for o in outcomes if isinstance(o, tuple)]
        failed = [o for o in outcomes if not (isinstance(o, tuple) and o[0] == 200)]
        print(f"\nHUP under 4 clients: {len(outcomes)} requests, {len(failed)} failed")
        assert not failed and versions[0] == "tiny-1" and versions[-1] == "tiny-2"
        stop(server)


def test_sigterm_answers_the_largest_request(tmp_path: Path, tiny_model_path: Path) -> None:
    with gunicorn(tmp_path, tiny_model_path, ESCALATION_MAX_REQUEST_CHARS=str(BUDGET)) as server:
        results: list[Any] = []

        def send() -> None:
            started = time.perf_counter()
            status, _ = post(server, "/v1/score/batch", maximal_batch(7), timeout=60)
            results.append((status, time.perf_counter() - started))

        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(0.5)
        stop(server)  # SIGTERM, exit code 0 within its wait
        thread.join(timeout=60)
        print(f"\nSIGTERM during a maximal batch: {results}")
        assert results and results[0][0] == 200


def send_slowly(
    server: Server, head: bytes, body: bytes, step: int, pace: float
) -> tuple[bytes, float]:
    """Send `head`, then `body` `step` bytes every `pace` seconds until it is sent or the server
    answers; return everything the server sent and the seconds until its first byte."""
    with socket.create_connection((HOST, server.port), timeout=30) as sock:
        sock.sendall(head)
        started = time.monotonic()
        answer = b""
        for i in range(0, len(body), step):
            sock.sendall(body[i : i + step])
            sock.settimeout(pace)
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            break
        answered = time.monotonic() - started
        sock.settimeout(30)
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    return answer, answered


def test_a_body_below_the_minimum_rate_is_cut_off_early(server: Server) -> None:
    """1 byte/s is cut off (408) once the first 5 s have passed, long before the 30 s deadline
    for the whole body; 2 KiB/s for 8 s is served."""
    text = json.dumps({"text": " ".join(["war"] * 4_000)}).encode()  # 16 KB
    fair_head = "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    fair_head += f"Connection: close\r\nContent-Length: {len(text)}\r\n\r\n"
    fair: list[tuple[bytes, float]] = []
    thread = threading.Thread(
        target=lambda: fair.append(send_slowly(server, fair_head.encode(), text, 1024, 0.5))
    )
    thread.start()
    head = b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += b"Content-Length: 1000\r\n\r\n"
    answer, seconds = send_slowly(server, head, b"x" * 1000, 1, 1.0)
    thread.join(timeout=30)
    status, _, rest = answer.partition(b"\r\n")
    headers, _, body = rest.partition(b"\r\n\r\n")
    print(f"\nbody at 1 byte/s: {status.decode()} after {seconds:.1f} s")
    assert status.startswith(b"HTTP/1.1 408") and json.loads(body)["status"] == 408, answer
    assert b"connection: close" in headers.lower()  # and the server closed it (read to the end)
    assert 4.0 <= seconds <= 10.0
    assert fair and fair[0][0].startswith(b"HTTP/1.1 200"), fair
    print(f"body of {len(text):,} bytes at 2 KiB/s: 200 after {fair[0][1]:.1f} s")


def test_a_flood_of_trickling_connections_leaves_probes_answered(server: Server) -> None:
    """One client holds 600 connections (more than two workers used to hold), each sending a
    body byte every 2 s; health probes on new connections are still answered at once (probed
    before the server cuts the flood off at 5 s: that is tested above)."""
    count = 600
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = count + 256
    if soft < needed and hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(f"{needed} open files needed, the hard limit is {hard}")
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    flood = Flood(server.port, count, interval=2.0, seconds=30)
    thread = threading.Thread(target=flood.run)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while flood.opened < count and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        latencies: list[float] = []
        failures: list[str] = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status, _ = server.request("GET", "/healthz")
                if status != 200:
                    failures.append(str(status))
                latencies.append((time.perf_counter() - started) * 1000)
            except OSError as exc:
                failures.append(type(exc).__name__)
            time.sleep(0.05)
    finally:
        flood.stop.set()
        thread.join(timeout=30)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    print(
        f"\n{flood.opened} trickling connections: {len(latencies)} probes, "
        f"{len(failures)} failed, p50 {statistics.median(latencies):.1f} ms, "
        f"p99 {p99(latencies):.1f} ms"
    )
    assert flood.opened >= count
    assert not failures and len(latencies) >= 20
    assert p99(latencies) < 1000
