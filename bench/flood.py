"""One client holding many slow connections: are health probes still answered, and what does a
held connection cost a worker?

    .venv/bin/python -m bench.flood [--model PATH] [--connections 1000] [--seconds 40]

The flood: `--connections` connections from one address, each sending the headers of a
`POST /v1/score` with `Content-Length: 100000` and then one body byte every `--interval`
seconds; a connection the server closes (or answers) is opened again at once, so the client
keeps the count up for `--seconds`. Meanwhile `GET /healthz` on a new connection every 100 ms
(each bounded by `--probe-timeout`): p50/p99/max, failures counted as slower than any answer.
Every second, each worker's VmRSS (/proc/PID/status), Pss and private memory (smaps_rollup)
and open sockets; reported: the peaks above the idle worker. Targets: probe p99 at most 1 s
with no failure; RSS and PSS at most 50 MiB per worker above idle. Loopback only; bounded.
"""

from __future__ import annotations

import argparse
import errno
import http.client
import os
import resource
import selectors
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench import servers
from bench.servers import HOST, ProcessMemory
from bench.shutdown import DEFAULT_MODEL, serve

HEAD = (
    b"POST /v1/score HTTP/1.1\r\nHost: flood\r\nContent-Type: application/json\r\n"
    b"Content-Length: 100000\r\n\r\n"
)
PROBE_EVERY = 0.1
OPEN_PER_SECOND = 1000  # how fast the flood opens connections
FD_HEADROOM = 256  # this process's own files beside the flood's sockets


@dataclass
class Flood:
    """Trickling connections in one thread (non-blocking sockets, a selector)."""

    port: int
    connections: int
    interval: float
    seconds: float
    opened: int = 0
    closed_by_server: list[float] = field(default_factory=list)  # seconds each was held
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Keep `connections` open and trickling until `stop` or `seconds`."""
        deadline = time.monotonic() + self.seconds
        sel = selectors.DefaultSelector()
        due: dict[socket.socket, float] = {}  # next byte's time, per connected socket
        born: dict[socket.socket, float] = {}
        budget, last = 0.0, time.monotonic()
        try:
            while not self.stop.is_set() and time.monotonic() < deadline:
                now = time.monotonic()
                budget = min(budget + (now - last) * OPEN_PER_SECOND, 100.0)
                last = now
                while len(born) < self.connections and budget >= 1:
                    budget -= 1
                    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    sock.setblocking(False)
                    err = sock.connect_ex((HOST, self.port))
                    if err not in (0, errno.EINPROGRESS):
                        sock.close()
                        break
                    born[sock] = now
                    self.opened += 1
                    sel.register(sock, selectors.EVENT_WRITE)
                for key, events in sel.select(timeout=0.05):
                    sock = key.fileobj  # type: ignore[assignment]
                    if events & selectors.EVENT_WRITE and sock not in due:
                        try:
                            sock.send(HEAD)
                            sel.modify(sock, selectors.EVENT_READ)
                            due[sock] = time.monotonic() + self.interval
                        except OSError:
                            self._gone(sel, sock, born, due)
                    elif events & selectors.EVENT_READ:
                        self._gone(sel, sock, born, due)  # an answer (408) or a close
                now = time.monotonic()
                for sock, when in list(due.items()):
                    if when <= now:
                        try:
                            sock.send(b"x")
                            due[sock] = now + self.interval
                        except OSError:
                            self._gone(sel, sock, born, due)
        finally:
            for sock in list(born):
                sock.close()
            sel.close()

    def _gone(
        self,
        sel: selectors.BaseSelector,
        sock: socket.socket,
        born: dict[socket.socket, float],
        due: dict[socket.socket, float],
    ) -> None:
        """The server answered or closed: count it, drop the socket (a new one replaces it)."""
        self.closed_by_server.append(time.monotonic() - born.pop(sock))
        due.pop(sock, None)
        sel.unregister(sock)
        sock.close()


def probe(port: int, timeout: float) -> float | None:
    """Seconds for one `GET /healthz` on a new connection; None if it failed or timed out."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        return time.perf_counter() - started if response.status == 200 else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def sockets(pid: int) -> int:
    """Open sockets of `pid`."""
    count = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                count += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
            except OSError:
                pass
    except OSError:
        pass
    return count


def open_files_limit(pid: int) -> str:
    """Soft/hard 'Max open files' of `pid`."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return f"{soft}/{hard}"
    return "?"


@dataclass
class Sample:
    """One worker at one moment."""

    memory: ProcessMemory
    sockets: int


def sample(workers: Sequence[int]) -> dict[int, Sample]:
    """Memory and sockets of each worker still running."""
    found = {}
    for pid in workers:
        try:
            found[pid] = Sample(servers.memory(pid, "worker"), sockets(pid))
        except OSError:
            pass
    return found


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def raise_open_files(needed: int) -> None:
    """Raise this process's soft open-file limit to `needed` (within the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(f"{needed} open files needed, the hard limit is {hard} (ulimit -Hn)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command line."""
    p = argparse.ArgumentParser(prog="python -m bench.flood", description=__doc__.split("\n")[0])
    env_model = os.environ.get("ESCALATION_MODEL_PATH")
    model = Path(env_model) if env_model else DEFAULT_MODEL
    p.add_argument("--model", type=Path, default=model, help=f"artifact (default {model})")
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--interval", type=float, default=2.0, help="seconds between body bytes")
    p.add_argument("--seconds", type=float, default=40.0, help="how long the flood lasts")
    p.add_argument("--probe-timeout", type=float, default=5.0)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    if not 1 <= args.connections <= 20_000 or not 1 <= args.seconds <= 600:
        p.error("--connections must be in 1..20000 and --seconds in 1..600")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Flood, probe, sample; print the figures."""
    args = parse_args(argv)
    raise_open_files(args.connections + FD_HEADROOM)
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as tmp:
        with serve(args.model, args.workers, Path(tmp) / "gunicorn.log") as server:
            time.sleep(2.0)
            workers = servers.children(server.pid)
            idle = sample(workers)
            quiet = [probe(server.port, args.probe_timeout) for _ in range(20)]
            flood = Flood(server.port, args.connections, args.interval, args.seconds)
            thread = threading.Thread(target=flood.run, daemon=True)
            thread.start()
            peaks: dict[int, list[Sample]] = {pid: [] for pid in workers}
            probes: list[float | None] = []
            next_sample = 0.0
            deadline = time.monotonic() + args.seconds
            while time.monotonic() < deadline and thread.is_alive():
                probes.append(probe(server.port, args.probe_timeout))
                if time.monotonic() >= next_sample:
                    for pid, now in sample(workers).items():
                        peaks[pid].append(now)
                    next_sample = time.monotonic() + 1.0
                time.sleep(PROBE_EVERY)
            flood.stop.set()
            thread.join(timeout=30)
            limits = open_files_limit(workers[0]) if workers else "?"
    report(args, quiet, probes, flood, idle, peaks, limits)
    return 0


def report(
    args: argparse.Namespace,
    quiet: Sequence[float | None],
    probes: Sequence[float | None],
    flood: Flood,
    idle: dict[int, Sample],
    peaks: dict[int, list[Sample]],
    limits: str,
) -> None:
    """Print the figures as Markdown, with PASS/MISS."""
    answered = [p for p in probes if p is not None]
    failed = len(probes) - len(answered)
    everything = [p if p is not None else float("inf") for p in probes]
    p99 = quantile(everything, 0.99) if everything else float("nan")
    held = flood.closed_by_server
    print(
        f"\n{args.connections} trickling connections (1 byte / {args.interval:g} s) for "
        f"{args.seconds:g} s, {args.workers} workers; worker open-file limit (soft/hard) {limits}"
    )
    quiet_ok = [q for q in quiet if q is not None]
    if quiet_ok:
        print(f"probes before the flood: p50 {statistics.median(quiet_ok) * 1e3:.1f} ms")
    print(
        f"flood: {flood.opened} connections opened, {len(held)} closed or answered by the "
        f"server (held median {statistics.median(held) if held else float('nan'):.1f} s, "
        f"max {max(held, default=float('nan')):.1f} s)"
    )
    verdict = "PASS" if failed == 0 and p99 <= 1.0 else "MISS"
    if answered:
        p99_text = f"{p99 * 1e3:.1f} ms" if p99 != float("inf") else "unanswered"
        print(
            f"probes during the flood: {len(probes)}, {failed} failed or over "
            f"{args.probe_timeout:g} s; answered ones p50 {statistics.median(answered) * 1e3:.1f} "
            f"ms, max {max(answered) * 1e3:.1f} ms; p99 of all {p99_text}: {verdict} (p99 <= 1 s)"
        )
    else:
        print(f"probes during the flood: {len(probes)}, all failed: MISS")
    print(
        "\n| worker | idle RSS MiB | peak sockets | peak above idle: RSS MiB | PSS MiB "
        "| private MiB | target (RSS, PSS <= 50 MiB) |"
    )
    print("|---|---|---|---|---|---|---|")
    for pid, samples in peaks.items():
        if pid not in idle or not samples:
            continue
        base = idle[pid].memory
        rss = max(s.memory.rss_mib for s in samples) - base.rss_mib
        pss = max(s.memory.pss_mib or 0.0 for s in samples) - (base.pss_mib or 0.0)
        private = max(s.memory.private_mib or 0.0 for s in samples) - (base.private_mib or 0.0)
        mark = "PASS" if max(rss, pss) <= 50 else "MISS"
        print(
            f"| {pid} | {base.rss_mib:.1f} | {max(s.sockets for s in samples)} | {rss:.1f} "
            f"| {pss:.1f} | {private:.1f} | {mark} |"
        )


if __name__ == "__main__":
    sys.exit(main())
