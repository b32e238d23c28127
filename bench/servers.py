"""Start, probe, measure and always stop the benchmark's own servers (loopback only)."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
PR_SET_PDEATHSIG = 1  # linux/prctl.h
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")  # units of /proc/PID/stat and /proc/stat times


# Settings of the operator's shell that would change what gunicorn.conf.py does.
CLEARED_ENV = (
    "BIND",
    "PORT",
    "WEB_CONCURRENCY",
    "GUNICORN_CMD_ARGS",
    "PROMETHEUS_MULTIPROC_DIR",
    "prometheus_multiproc_dir",
    "_ESCALATION_OWNED_METRICS_DIR",
)


@dataclass(frozen=True)
class Server:
    """A running server started by the benchmark."""

    name: str
    pid: int
    port: int

    def url(self, path: str) -> str:
        """Loopback URL of `path` on this server."""
        return f"http://{HOST}:{self.port}{path}"


@dataclass(frozen=True)
class ProcessMemory:
    """Resident memory of one process: RSS and, if readable, PSS (shared pages split) and
    private memory (pages no other process maps: what this process alone adds)."""

    pid: int
    role: str
    rss_mib: float
    pss_mib: float | None
    private_mib: float | None = None


def free_port() -> int:
    """A loopback port free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get_status(url: str, timeout: float = 2.0) -> int | None:
    """HTTP status of GET `url`, or None if nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def post(url: str, body: bytes, timeout: float = 120.0) -> tuple[int, bytes]:
    """POST a JSON body; (status, response body)."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it if the benchmark dies (even by SIGKILL)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextmanager
def running(
    name: str,
    cmd: Sequence[str],
    *,
    port: int,
    ready_path: str,
    env: dict[str, str],
    cwd: Path,
    log: Path,
    start_timeout: float = 120.0,
) -> Iterator[Server]:
    """Run `cmd` in its own process group until the block ends; wait until `ready_path`
    answers 200. The group is stopped on the way out, whatever happens."""
    with open(log, "ab") as log_file:
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    server = Server(name, proc.pid, port)
    try:
        deadline = time.monotonic() + start_timeout
        while get_status(server.url(ready_path)) != 200:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready after {start_timeout:.0f} s; see {log}")
            time.sleep(0.25)
        yield server
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """SIGTERM the leader (graceful shutdown), then anything left in its process group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        left = group_members(proc.pid)
        for pid in left:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        if left:
            time.sleep(1.0)


def stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state, ppid, pgrp, ...)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def group_members(pgid: int) -> list[int]:
    """Live processes in process group `pgid` (the group we created for a server)."""
    found = []
    for pid in _pids():
        fields = stat_fields(pid)
        if fields and int(fields[2]) == pgid and fields[0] != "Z":
            found.append(pid)
    return found


def children(pid: int) -> list[int]:
    """Direct children of `pid`."""
    return [p for p in _pids() if (f := stat_fields(p)) and int(f[1]) == pid]


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants, parents first (/proc read once, not once per process)."""
    kids: dict[int, list[int]] = {}
    for p in _pids():
        if fields := stat_fields(p):
            kids.setdefault(int(fields[1]), []).append(p)
    found, frontier = [pid], [pid]
    while frontier:
        below = kids.get(frontier.pop(), [])
        found += below
        frontier += below
    return found


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time used so far by these processes (those still alive)."""
    total = 0
    for pid in pids:
        fields = stat_fields(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU time every CPU has spent busy (or stolen) since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / CLOCK_TICKS


def memory(pid: int, role: str) -> ProcessMemory:
    """VmRSS from /proc/PID/status; Pss and Private_Clean + Private_Dirty from
    /proc/PID/smaps_rollup (None if unreadable)."""
    rss = None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    kib: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("Pss", "Private_Clean", "Private_Dirty"):
                kib[key] = int(value.split()[0])
    except OSError:
        pass
    pss = kib["Pss"] / 1024 if "Pss" in kib else None
    private = None
    if "Private_Clean" in kib and "Private_Dirty" in kib:
        private = (kib["Private_Clean"] + kib["Private_Dirty"]) / 1024
    return ProcessMemory(pid, role, rss or 0.0, pss, private)


def cmdline(pid: int) -> str:
    """The command line of `pid`, for naming processes."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""
