"""Real gunicorn on loopback: the seed article, a model swap with HUP, metrics across workers."""

from __future__ import annotations

import http.client
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.servers import CLEARED_ENV
from bench.servers import children as worker_pids  # a gunicorn master's children are its workers
from tests.service.helpers import (
    ESCALATORY_TEXT,
    SEED_ARTICLE,
    assert_spans_index,
    live_copy,
    publish_tiny_2,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
HOST = "127.0.0.1"
STARTUP_SECONDS = 30
REQUEST_SECONDS = 30  # generous: the suite may share two cores with other work

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not GUNICORN.exists(),
        reason="gunicorn is not installed beside this Python (make setup installs it)",
    ),
]


@dataclass
class Server:
    """A running gunicorn master."""

    process: subprocess.Popen
    port: int
    log: Path

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, dict]:
        """One request on a fresh connection (sync workers close it anyway)."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_SECONDS)
        try:
            data = json.dumps(body) if body is not None else None
            headers = {"Content-Type": "application/json"} if data is not None else {}
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            ctype = response.getheader("Content-Type", "")
            return response.status, json.loads(raw) if "json" in ctype else {"text": raw.decode()}
        finally:
            conn.close()


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(tmp_path: Path, model_path: Path, **env: str) -> Iterator[Server]:
    """Start `gunicorn 'service.app:create_app()'` from the repository root; always stop it."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    # The metrics files in the test's own directory (unless the test names one): a server
    # killed below leaves none behind.
    metrics = tmp_path / f"metrics-{port}"
    metrics.mkdir()
    environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    environ.update(
        BIND=f"{HOST}:{port}", WEB_CONCURRENCY="2", ESCALATION_MODEL_PATH=str(model_path), **env
    )
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "service.app:create_app()"],
            cwd=REPO_ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log)
    try:
        wait_ready(server)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def wait_ready(server: Server) -> None:
    """Poll /readyz until 200 (bounded)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log.read_text()
        try:
            if server.request("GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn not ready in {STARTUP_SECONDS}s:\n{server.log.read_text()}")


def stop(server: Server) -> None:
    """SIGTERM the master; it must exit cleanly within the graceful timeout."""
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=20) == 0, server.log.read_text()


def metric(server: Server, name: str, **labels: str) -> list[float]:
    """Values of one metric's samples with these labels, from /metrics."""
    status, body = server.request("GET", "/metrics")
    assert status == 200
    return [
        s.value
        for family in text_string_to_metric_families(body["text"])
        for s in family.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    ]


def test_hup_swaps_the_model_without_failed_requests(
    tmp_path: Path, tiny_model_path: Path, tiny_pipeline: Any
) -> None:
    model_path = live_copy(tmp_path, tiny_model_path)
    with gunicorn(tmp_path, model_path) as server:
        if SEED_ARTICLE.is_file():  # the rest of the test does not need it
            text = SEED_ARTICLE.read_text(encoding="utf-8")
            status, body = server.request("POST", "/v1/score", {"text": text, "id": "seed"})
            assert status == 200 and body["id"] == "seed" and body["model_version"] == "tiny-1"
            assert_spans_index(text, body)

        publish_tiny_2(model_path, tiny_pipeline)

        seen: list[tuple[int, str | None]] = []
        failures: list[str] = []
        stop_at = time.monotonic() + 30

        def client() -> None:
            """Score until tiny-2 has answered 20 times (or 30 s): none may fail."""
            while time.monotonic() < stop_at and sum(v == "tiny-2" for _, v in seen) < 20:
                try:
                    status, body = server.request("POST", "/v1/score", {"text": ESCALATORY_TEXT})
                    seen.append((status, body.get("model_version")))
                except Exception as exc:  # a reset or timeout is exactly what must not happen
                    failures.append(repr(exc))

        old_workers = set(worker_pids(server.process.pid))
        worker = threading.Thread(target=client)
        worker.start()
        time.sleep(0.2)
        server.process.send_signal(signal.SIGHUP)
        worker.join(timeout=40)
        assert not worker.is_alive()
        assert not failures and all(status == 200 for status, _ in seen), (failures, seen)
        versions = [v for _, v in seen]
        assert versions[0] == "tiny-1" and versions[-1] == "tiny-2"
        # An old worker may accept for up to a second after its SIGTERM (gevent checks once a
        # second), so the two versions interleave briefly; once the old workers have exited
        # (bounded wait), only tiny-2 answers and only tiny-2 is advertised.
        deadline = time.monotonic() + 15
        while old_workers & set(worker_pids(server.process.pid)):
            assert time.monotonic() < deadline, "old workers still running"
            time.sleep(0.1)
        for _ in range(6):
            assert server.request("GET", "/v1/model")[1]["version"] == "tiny-2"
        while metric(server, "escalation_model_info", model_version="tiny-1"):  # child_exit lags
            assert time.monotonic() < deadline, "tiny-1 still advertised"
            time.sleep(0.2)
        assert metric(server, "escalation_model_info", model_version="tiny-2") == [1.0]
        stop(server)


def post_bytes(server: Server, data: bytes) -> tuple[int, str]:
    """POST raw bytes as JSON to /v1/score: (status, content type)."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=REQUEST_SECONDS)
    try:
        conn.request("POST", "/v1/score", body=data, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Content-Type", "")
    finally:
        conn.close()


def test_bodies_the_decoder_refuses_never_reach_the_log(
    tmp_path: Path, tiny_model_path: Path
) -> None:
    """JSON is decoded in the worker's thread pool, which would print a failed call with its
    arguments: the request body."""
    canary = "CANARY-" + "article text " * 2000
    bodies = {
        b'{"text": "%s",}' % canary.encode(): 400,  # malformed
        b'{"text": "%s", "text": "x"}' % canary.encode(): 422,  # a repeated key
        b'{"text": "%s", "n": 1%s}' % (canary.encode(), b"0" * 5000): 400,  # an absurd integer
        b'{"text": "%s", "a": %s1%s}' % (canary.encode(), b"[" * 100_000, b"]" * 100_000): 400,
    }
    with gunicorn(tmp_path, tiny_model_path) as server:
        for data, status in bodies.items():
            assert post_bytes(server, data) == (status, "application/problem+json")
        stop(server)
    log = server.log.read_text()
    assert "CANARY" not in log and "Traceback" not in log, log[:2000]


def test_hup_with_a_broken_artifact_keeps_the_loaded_model(
    tmp_path: Path, tiny_model_path: Path
) -> None:
    """The master loads the model once for both workers; a HUP onto a file that is not a model
    logs the failure and keeps serving the model already loaded."""
    model_path = tmp_path / "escalation-model.joblib"
    shutil.copyfile(tiny_model_path, model_path)
    with gunicorn(tmp_path, model_path) as server:
        assert server.log.read_text().count('"message": "model loaded"') == 1
        model_path.write_bytes(b"not a model")
        old_workers = set(worker_pids(server.process.pid))
        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 15
        while "reload failed" not in server.log.read_text() or old_workers & set(
            worker_pids(server.process.pid)
        ):
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.1)
        for _ in range(10):  # new workers, forked after the failed reload
            status, body = server.request("POST", "/v1/score", {"text": ESCALATORY_TEXT})
            assert status == 200 and body["model_version"] == "tiny-1"
        status, body = server.request("GET", "/readyz")
        assert status == 200 and "failed to load" in body["detail"]
        assert str(model_path) not in json.dumps(body)
        # Counted by the master, which reloads; every worker's /metrics shows it.
        for _ in range(4):
            assert metric(server, "escalation_model_reload_failures_total") == [1.0]
        stop(server)


def test_metrics_sum_over_workers(tmp_path: Path, tiny_model_path: Path) -> None:
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    with gunicorn(tmp_path, tiny_model_path, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)) as server:
        sent = 40
        statuses: list[int | str] = []

        def send(count: int) -> None:
            """Concurrent clients, so that both workers answer some requests."""
            for _ in range(count):
                try:
                    status, _ = server.request("POST", "/v1/score", {"text": ESCALATORY_TEXT})
                    statuses.append(status)
                except Exception as exc:  # recorded, so the assertion below shows it
                    statuses.append(repr(exc))

        threads = [threading.Thread(target=send, args=(sent // 4,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert statuses == [200] * sent, server.log.read_text()[-4000:]
        # Each read is answered by either worker; every one must see all requests.
        for _ in range(6):
            name = "escalation_http_requests_total"
            assert sum(metric(server, name, endpoint="/v1/score", status="200")) == sent
            count = "escalation_http_request_duration_seconds_count"
            assert sum(metric(server, count, endpoint="/v1/score", status="200")) == sent
            assert sum(metric(server, "escalation_score_count")) == sent
        stop(server)


# A stopping worker closes kept-alive connections idle for 0.5 s and exits once nothing is in
# flight: about a second; 2 s is the promise, plus slack for a busy machine.
LEAVE_SECONDS = 3.0


@contextmanager
def kept_alive(server: Server, count: int) -> Iterator[list[http.client.HTTPConnection]]:
    """`count` connections that each had one answer and stay open, as a proxy's pool does."""
    conns: list[http.client.HTTPConnection] = []
    try:
        for _ in range(count):
            conn = http.client.HTTPConnection(HOST, server.port, timeout=REQUEST_SECONDS)
            conns.append(conn)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            assert response.status == 200 and not response.will_close
        yield conns
    finally:
        for conn in conns:
            conn.close()


def closed_by_server(conn: http.client.HTTPConnection) -> bool:
    """True if the server ended the connection (an orderly close, nothing else sent)."""
    assert conn.sock is not None
    conn.sock.settimeout(5)
    try:
        return conn.sock.recv(1) == b""
    except OSError:
        return False


def running(pid: int) -> bool:
    """True while `pid` runs (a zombie its parent has not reaped counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def exit_times(pids: set[int], seconds: float) -> dict[int, float]:
    """Monotonic time each of `pids` exited, watched for at most `seconds`."""
    exits: dict[int, float] = {}
    deadline = time.monotonic() + seconds
    while len(exits) < len(pids) and time.monotonic() < deadline:
        for pid in pids - exits.keys():
            if not running(pid):
                exits[pid] = time.monotonic()
        time.sleep(0.01)
    return exits


def test_old_workers_leave_soon_after_hup_despite_idle_connections(
    tmp_path: Path, tiny_model_path: Path
) -> None:
    """Kept-alive connections with no request do not hold an old worker after a HUP."""
    with gunicorn(tmp_path, tiny_model_path) as server, kept_alive(server, 6) as conns:
        old = set(worker_pids(server.process.pid))
        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not set(worker_pids(server.process.pid)) - old:  # forked; the old ones told
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.005)
        told = time.monotonic()
        exits = exit_times(old, 30)
        stays = [round(exits[pid] - told, 2) if pid in exits else None for pid in old]
        print(f"\nHUP with 6 idle kept-alive connections: old workers left after {stays} s")
        assert all(stay is not None and stay <= LEAVE_SECONDS for stay in stays), stays
        assert all(closed_by_server(conn) for conn in conns)
        assert server.request("GET", "/readyz")[0] == 200
        stop(server)


def test_sigterm_with_idle_connections_exits_soon(tmp_path: Path, tiny_model_path: Path) -> None:
    """Kept-alive connections with no request do not delay a stop."""
    with gunicorn(tmp_path, tiny_model_path) as server, kept_alive(server, 6) as conns:
        assert server.request("POST", "/v1/score", {"text": ESCALATORY_TEXT})[0] == 200
        last_answer = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0, server.log.read_text()
        took = time.monotonic() - last_answer
        print(f"\nSIGTERM with 6 idle kept-alive connections: exited {took:.2f} s after the answer")
        assert took <= LEAVE_SECONDS
        assert all(closed_by_server(conn) for conn in conns)


def test_sigterm_answers_a_request_in_flight_then_exits_soon(
    tmp_path: Path, tiny_model_path: Path
) -> None:
    """A request whose body is still arriving when SIGTERM comes is answered; idle kept-alive
    connections are closed meanwhile, and the server exits soon after the answer."""
    text = json.dumps({"text": " ".join(["war"] * 1_500)}).encode()  # 6 KB, sent over 3 s
    head = "POST /v1/score HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {len(text)}\r\n\r\n"
    with (
        gunicorn(tmp_path, tiny_model_path) as server,
        kept_alive(server, 4) as conns,
        socket.create_connection((HOST, server.port), timeout=REQUEST_SECONDS) as sock,
    ):
        sock.sendall(head.encode())
        for i in range(0, len(text), 1024):
            if i == 2048:
                server.process.send_signal(signal.SIGTERM)
            sock.sendall(text[i : i + 1024])
            time.sleep(0.5)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        answered = time.monotonic()
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert all(closed_by_server(conn) for conn in conns)
        assert server.process.wait(timeout=30) == 0, server.log.read_text()
        took = time.monotonic() - answered
        print(f"\nSIGTERM during an upload: answered 200, exited {took:.2f} s later")
        assert took <= LEAVE_SECONDS


def test_a_worker_told_to_stop_while_booting_stops(tmp_path: Path, tiny_model_path: Path) -> None:
    """A SIGTERM that reaches a worker before its signal handlers are installed is kept until
    they are, not lost (the worker would serve on until killed)."""
    with gunicorn(tmp_path, tiny_model_path) as server:
        before = set(worker_pids(server.process.pid))
        server.process.send_signal(signal.SIGTTIN)  # one more worker
        deadline = time.monotonic() + STARTUP_SECONDS
        while not (new := set(worker_pids(server.process.pid)) - before):
            assert time.monotonic() < deadline, server.log.read_text()
        booting = new.pop()
        os.kill(booting, signal.SIGTERM)  # at once: it is still booting
        told = time.monotonic()
        exits = exit_times({booting}, 10)
        assert booting in exits, f"worker {booting} still running 10 s after SIGTERM"
        print(f"\nSIGTERM to a booting worker: it left after {exits[booting] - told:.2f} s")
        assert exits[booting] - told <= LEAVE_SECONDS
        stop(server)


def test_workers_raise_their_open_file_limit_to_hold_their_connections(
    tmp_path: Path, tiny_model_path: Path
) -> None:
    """Started with a soft limit of 256 open files, each worker raises its own to hold
    `worker_connections` (or, under a lower hard limit, says how many it will serve)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    started = min(256, soft)
    resource.setrlimit(resource.RLIMIT_NOFILE, (started, hard))  # inherited by gunicorn
    try:
        with gunicorn(tmp_path, tiny_model_path) as server:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
            # One worker answered /readyz; another may still be starting: give each a few
            # seconds to raise its limit, which it does first thing.
            deadline = time.monotonic() + 10
            for pid in worker_pids(server.process.pid):
                while True:
                    limits = Path(f"/proc/{pid}/limits").read_text().splitlines()
                    line = next(ln for ln in limits if ln.startswith("Max open files"))
                    worker_soft = int(line.split()[3])
                    if worker_soft != started or time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
                if hard == resource.RLIM_INFINITY or hard >= 2_200:
                    assert worker_soft >= 2_000, line
                else:
                    assert worker_soft == hard and "open-file limit" in server.log.read_text()
            stop(server)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
