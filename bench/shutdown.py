"""How long a stopping gunicorn worker stays after its last request, and whether a request
fails, over many model swaps (HUP) and stops (SIGTERM) under load.

    .venv/bin/python -m bench.shutdown [--model PATH] [--cycles 50] [--mode hup,term]

Load, throughout: clients scoring continuously (`--fresh` on a new connection per request,
`--keepalive` on one kept-alive connection each) and `--idle` kept-alive connections that
send one probe and then wait, as a proxy's pooled connections do.

- **hup**: one server; the artifact is published in turn as two versions that differ only in
  their manifest's version (repacked, nothing unpickled), then the master gets SIGHUP, so every
  answer says which generation of workers gave it. Per cycle: the old workers' exit times
  (/proc), the moment the new workers appear (when the master also tells the old ones to stop),
  the last answer of the old version. The next HUP follows 0-1 s after the old workers are gone,
  as a second publish soon after a first would.
- **term**: a fresh server per cycle, loaded for 0.2-2 s after `/readyz` first answers, then
  clients stop sending (a load balancer has taken the pod out) and the master gets SIGTERM;
  the requests in flight must still be answered. A request a client was starting just then
  may find the port closed: it was never in flight, and is counted apart.

A worker "stays" from the later of its stop signal and the last answer it gave (the last answer
of its model version for hup; of any worker for term) until it exits. Target: at most 2 s, and
no failed request. Everything listens on 127.0.0.1; every loop is bounded by a count and a
time; servers are stopped on exit.
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
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sklearn

from bench import servers
from bench.servers import CLEARED_ENV, HOST, Server, running
from model.artifact import FORMAT, PAYLOAD, pack, read_verified, write_atomically

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "artifacts" / "escalation-model.joblib"
TEXT = "Troops massed at the border as the minister threatened a pre-emptive strike."
TARGET_SECONDS = 2.0
EXIT_WAIT = 60.0  # longest wait for a stopping worker before the cycle is counted as stuck


@contextmanager
def serve(model: Path, workers: int, log: Path, **extra: str) -> Iterator[Server]:
    """Our service as in production (repository gunicorn.conf.py) on a free loopback port."""
    port = servers.free_port()
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(
        BIND=f"{HOST}:{port}",
        WEB_CONCURRENCY=str(workers),
        ESCALATION_MODEL_PATH=str(model),
        ESCALATION_LOG_LEVEL="WARNING",
        **extra,
    )
    cmd = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    cmd.append("service.app:create_app()")
    with running(
        "gunicorn", cmd, port=port, ready_path="/readyz", env=env, cwd=ROOT, log=log
    ) as server:
        yield server


def versioned_copy(source: Path, target: Path, version: str) -> Path:
    """`source` with its manifest's version replaced (the pipeline bytes are copied as they
    are: nothing is unpickled)."""
    manifest, payload = read_verified(source)
    header = {
        "format": FORMAT,
        "payload": PAYLOAD,
        "scikit-learn": sklearn.__version__,
        "manifest": {**manifest, "version": version},
    }
    data = pack(header, payload)
    return write_atomically(target, lambda fh: fh.write(data))


def publish(staged: Path, live: Path) -> None:
    """Copy beside the live file, then rename over it (as docs/deployment.md says)."""
    beside = live.with_name(live.name + ".new")
    beside.write_bytes(staged.read_bytes())
    os.replace(beside, live)


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for its parent counts as gone)."""
    fields = servers.stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def watch_exits(pids: Sequence[int], limit: float) -> dict[int, float]:
    """Monotonic exit time of each of `pids` (polled every 10 ms, at most `limit` seconds);
    a pid still running then is absent."""
    exits: dict[int, float] = {}
    deadline = time.monotonic() + limit
    while len(exits) < len(pids) and time.monotonic() < deadline:
        for pid in pids:
            if pid not in exits and not alive(pid):
                exits[pid] = time.monotonic()
        time.sleep(0.01)
    return exits


@dataclass
class Load:
    """Scoring clients and idle kept-alive connections against one port, in threads."""

    port: int
    fresh: int
    keepalive: int
    idle: int
    seconds: float  # hard bound on how long any thread runs
    answers: list[tuple[float, int, str]] = field(default_factory=list)  # (end, status, version)
    failures: list[tuple[float, str]] = field(default_factory=list)  # (sent, what)
    refused: list[float] = field(default_factory=list)  # when a new connection was refused
    sending: threading.Event = field(default_factory=threading.Event)
    quit: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Load:
        """Start every client thread."""
        self.sending.set()
        self._deadline = time.monotonic() + self.seconds
        targets = [(self._scorer, False)] * self.fresh + [(self._scorer, True)] * self.keepalive
        targets += [(self._idler, False)] * self.idle
        for target, keep in targets:
            thread = threading.Thread(target=target, args=(keep,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop_sending(self) -> None:
        """No new request from now on; those in flight go on, idle connections stay open."""
        self.sending.clear()

    def join(self) -> None:
        """Stop every thread and wait for it (each is bounded by `seconds` anyway)."""
        self.sending.clear()
        self.quit.set()
        for thread in self._threads:
            thread.join(timeout=max(self._deadline - time.monotonic(), 0) + 35)

    def _sending(self) -> bool:
        return self.sending.is_set() and time.monotonic() < self._deadline

    def _scorer(self, keep: bool) -> None:
        body = json.dumps({"text": TEXT})
        headers = {"Content-Type": "application/json"}
        if not keep:
            headers["Connection"] = "close"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        while self._sending():
            if conn.sock is None:
                try:
                    conn.connect()
                except ConnectionRefusedError:
                    with self.lock:
                        self.refused.append(time.monotonic())
                    time.sleep(0.01)
                    continue
                except OSError as exc:
                    with self.lock:
                        self.failures.append((time.monotonic(), f"connect: {exc!r}"))
                    time.sleep(0.01)
                    continue
            sent = time.monotonic()
            try:
                conn.request("POST", "/v1/score", body, headers)
                response = conn.getresponse()
                raw = response.read()
                version = json.loads(raw).get("model_version", "") if response.status == 200 else ""
                with self.lock:
                    self.answers.append((time.monotonic(), response.status, version))
                if not keep:
                    conn.close()
            except (OSError, http.client.HTTPException, ValueError) as exc:
                kind = "kept-alive" if keep else "new connection"
                with self.lock:
                    self.failures.append((sent, f"{kind}: {type(exc).__name__}: {exc}"))
                conn.close()
        conn.close()

    def _idler(self, _: bool) -> None:
        """One probe on a kept-alive connection, then silence until the server closes it (then
        again on a new connection while sending)."""
        while self._sending():
            try:
                with socket.create_connection((HOST, self.port), timeout=30) as sock:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
                    sock.settimeout(0.2)
                    while not self.quit.is_set() and time.monotonic() < self._deadline:
                        try:
                            if not sock.recv(65536):
                                break  # closed by the server
                        except TimeoutError:
                            pass
            except OSError:
                time.sleep(0.05)


@dataclass
class Cycle:
    """One stop: how long each old worker stayed after its last answer and its signal."""

    stays: list[float]  # seconds per old worker; inf if it did not exit within EXIT_WAIT
    old_after_new: float = 0.0  # hup: seconds the old version still answered after the new
    failures: list[str] = field(default_factory=list)
    late: int = 0  # term: requests sent at the stop that found the port closed


def failures_of(load: Load, before: float = float("inf")) -> list[str]:
    """Errors of requests sent before `before`, refused connections before it, and non-200
    answers."""
    errors = [what for sent, what in load.failures if sent < before]
    errors += ["connection refused" for when in load.refused if when < before]
    return errors + [f"status {s}" for _, s, _ in load.answers if s != 200]


def hup_cycles(args: argparse.Namespace, work: Path) -> tuple[list[Cycle], int, list[str]]:
    """`args.cycles` model swaps on one server under load."""
    live = work / "models" / "escalation-model.joblib"
    live.parent.mkdir()
    staged = [versioned_copy(args.model, work / f"v{i}.joblib", f"bench-{i}") for i in (0, 1)]
    publish(staged[0], live)
    cycles: list[Cycle] = []
    with serve(live, args.workers, work / "hup.log") as server:
        load = Load(server.port, args.fresh, args.keepalive, args.idle, args.cycles * 90 + 60)
        load.start()
        try:
            time.sleep(1.0)
            for i in range(args.cycles):
                cycles.append(one_hup(server, load, staged[(i + 1) % 2], live, f"bench-{i % 2}"))
                print(f"hup {i + 1:>3}: {describe(cycles[-1])}", flush=True)
                time.sleep(random.uniform(0.0, 1.0))
        finally:
            load.join()
    return cycles, len(load.answers), failures_of(load)


def one_hup(server: Server, load: Load, staged: Path, live: Path, old_version: str) -> Cycle:
    """Publish, HUP, and time the old workers' exit against their last answer."""
    old = servers.children(server.pid)
    failed_before, refused_before = len(load.failures), len(load.refused)
    publish(staged, live)
    os.kill(server.pid, signal.SIGHUP)
    deadline = time.monotonic() + EXIT_WAIT
    signalled = None
    while signalled is None and time.monotonic() < deadline:
        if set(servers.children(server.pid)) - set(old):
            signalled = time.monotonic()  # new workers forked: the master stops the old ones now
        time.sleep(0.01)
    exits = watch_exits(old, EXIT_WAIT)
    signalled = signalled or time.monotonic()
    time.sleep(0.3)  # answers still being read when the last worker exited
    with load.lock:
        answers = list(load.answers)
        failures = [what for _, what in load.failures[failed_before:]]
        failures += ["connection refused"] * (len(load.refused) - refused_before)
    last_old = max((end for end, _, v in answers if v == old_version), default=signalled)
    first_new = min(
        (end for end, _, v in answers if v and v != old_version and end >= signalled),
        default=signalled,
    )
    stays = [exits[pid] - max(signalled, last_old) if pid in exits else float("inf") for pid in old]
    return Cycle(stays, max(last_old - first_new, 0.0), failures)


def term_cycles(args: argparse.Namespace, work: Path) -> tuple[list[Cycle], int, list[str]]:
    """`args.cycles` stops, each of a freshly started server under load."""
    cycles: list[Cycle] = []
    answered = 0
    failures: list[str] = []
    for i in range(args.cycles):
        with serve(args.model, args.workers, work / "term.log") as server:
            load = Load(server.port, args.fresh, args.keepalive, args.idle, 90).start()
            try:
                time.sleep(random.uniform(0.2, 2.0))
                workers = servers.children(server.pid)
                load.stop_sending()
                signalled = time.monotonic()
                os.kill(server.pid, signal.SIGTERM)
                exits = watch_exits([*workers, server.pid], EXIT_WAIT)
            finally:
                load.join()
            last = max((end for end, _, _ in load.answers), default=signalled)
            stays = [
                exits[pid] - max(signalled, last) if pid in exits else float("inf")
                for pid in workers
            ]
            # A request sent as the clients were told to stop may find the port closed: it
            # was never in flight (a load balancer would have sent it elsewhere).
            late = len(failures_of(load)) - len(failures_of(load, signalled))
            cycles.append(Cycle(stays, failures=failures_of(load, signalled), late=late))
            answered += len(load.answers)
            failures += failures_of(load, signalled)
        print(f"term {i + 1:>3}: {describe(cycles[-1])}", flush=True)
    return cycles, answered, failures


def describe(cycle: Cycle) -> str:
    """One line per cycle."""
    stays = ", ".join(f"{s:.2f}" for s in cycle.stays)
    extra = f"; old version answered {cycle.old_after_new:.2f} s after the new" * (
        cycle.old_after_new > 0
    )
    failed = f"; FAILED {len(cycle.failures)}: {cycle.failures[:2]}" * bool(cycle.failures)
    late = f"; {cycle.late} sent at the stop found it closed" * bool(cycle.late)
    return f"old workers stayed {stays} s{extra}{failed}{late}"


def summary(mode: str, cycles: Sequence[Cycle], answered: int, failed: int) -> str:
    """A Markdown row."""
    stays = [s for c in cycles for s in c.stays]
    finite = [s for s in stays if s != float("inf")]
    over = sum(s > TARGET_SECONDS for s in stays)
    old_after = max((c.old_after_new for c in cycles), default=0.0)
    verdict = "PASS" if over == 0 and failed == 0 and old_after <= TARGET_SECONDS else "MISS"
    median = statistics.median(finite) if finite else float("nan")
    return (
        f"| {mode} | {len(cycles)} | {answered} | {failed} | {median:.2f} | {max(stays):.2f} "
        f"| {over} | {old_after:.2f} | {verdict} |"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command line."""
    p = argparse.ArgumentParser(prog="python -m bench.shutdown", description=__doc__.split("\n")[0])
    env_model = os.environ.get("ESCALATION_MODEL_PATH")
    model = Path(env_model) if env_model else DEFAULT_MODEL
    p.add_argument("--model", type=Path, default=model, help=f"artifact (default {model})")
    p.add_argument("--cycles", type=int, default=50, help="HUPs, and SIGTERM stops (50)")
    p.add_argument("--mode", default="hup,term", help="hup, term or both (default)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--fresh", type=int, default=2, help="clients, a new connection a request")
    p.add_argument("--keepalive", type=int, default=2, help="clients on kept-alive connections")
    p.add_argument("--idle", type=int, default=4, help="idle kept-alive connections")
    p.add_argument("--seed", type=int, default=1, help="random pauses between cycles")
    args = p.parse_args(argv)
    if not 1 <= args.cycles <= 1000:
        p.error("--cycles must be in 1..1000")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the cycles and print one row per mode."""
    args = parse_args(argv)
    random.seed(args.seed)
    modes = [m.strip() for m in args.mode.split(",") if m.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-shutdown-") as tmp:
        for mode in modes:
            work = Path(tmp) / mode
            work.mkdir()
            run = hup_cycles if mode == "hup" else term_cycles
            cycles, answered, failures = run(args, work)
            rows.append(summary(mode, cycles, answered, len(failures)))
            if failures:
                print(f"{mode}: {len(failures)} failed, e.g. {failures[:3]}", flush=True)
            if late := sum(c.late for c in cycles):
                print(f"{mode}: {late} requests sent as the clients stopped found the port closed")
    print(
        f"\n{args.workers} workers; load: {args.fresh} clients on new connections, "
        f"{args.keepalive} on kept-alive ones, {args.idle} idle kept-alive connections\n"
    )
    print(
        "| stop | cycles | answers | failed | stay p50 s | stay max s | stays > 2 s "
        "| old version after new, max s | target (<= 2 s, 0 failed) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
