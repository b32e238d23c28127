"""HTTP load on loopback with `wrk`: our gunicorn service and MLflow `models serve`, side by side.

(Named httpload, not http: a module called `http` in a folder on sys.path would shadow the
standard library's.)

Bodies: a file of JSON bodies, one per line, each with fresh variants of the text; a Lua
script cycles through them and prints wrk's summary as JSON (requests, errors, exact latency
percentiles). Every load is bounded by `-d` seconds; each server is checked first with one
request whose probabilities must match the in-process `predict_proba`.

Connections: every request carries `Connection: close` by default. gunicorn's sync workers close
each connection anyway, and MLflow's `--workers N` (uvicorn's multiprocess mode) leaves Nagle's
algorithm on for keep-alive connections, so each keep-alive request after the first waits ~40 ms
for a delayed ACK (Kludex/uvicorn#3149); a new connection per request is both servers' best
case. `keepalive=True` measures the peer as a keep-alive client would see it.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import servers
from bench.peers import mlflow as mlflow_peer
from bench.servers import Server, post, running
from bench.texts import variants

ROOT = Path(__file__).resolve().parents[1]
SCORE_PATH = "/v1/score"
BATCH_PATH = "/v1/score/batch"
INVOCATIONS_PATH = "/invocations"
MAX_DURATION = 60.0  # seconds, the longest a single wrk run may be stretched to
LUA = """\
local bodies = {}
for line in io.lines([==[%(bodies)s]==]) do bodies[#bodies + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(connection)s

request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i - 1) %% #bodies + 1])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class Workload:
    """One kind of request: an endpoint family, a text and how many articles per request."""

    kind: str  # "score" (one article per request) or "batch"
    text: str  # label of the text: seed | sentence
    batch: int


@dataclass(frozen=True)
class Load:
    """One wrk run's outcome."""

    server: str
    kind: str
    text: str
    batch: int
    connections: int
    keepalive: bool
    seconds: float
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    server_cores: float  # CPU used during the run, in cores
    wrk_cores: float
    other_cores: float  # by any other process: competition for the cores

    @property
    def articles_per_s(self) -> float:
        """Articles scored per second."""
        return self.rps * self.batch


@dataclass(frozen=True)
class Target:
    """A running server and how to talk to it."""

    server: Server
    path: Callable[[Workload], str]
    body: Callable[[Workload, Sequence[str]], bytes]
    probabilities: Callable[[bytes], list[float]]


def our_body(workload: Workload, texts: Sequence[str]) -> bytes:
    """A /v1/score body (one text) or a /v1/score/batch body."""
    if workload.kind == "score":
        (text,) = texts
        return json.dumps({"text": text}).encode()
    return json.dumps({"articles": [{"text": t} for t in texts]}).encode()


def our_probabilities(payload: bytes) -> list[float]:
    """Scores from a /v1/score or /v1/score/batch response."""
    data = json.loads(payload)
    return [r["score"] for r in data["results"]] if "results" in data else [data["score"]]


def _ours_path(workload: Workload) -> str:
    return SCORE_PATH if workload.kind == "score" else BATCH_PATH


def _mlflow_path(workload: Workload) -> str:
    return INVOCATIONS_PATH


def _mlflow_body(workload: Workload, texts: Sequence[str]) -> bytes:
    return mlflow_peer.request_body(texts)


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    return {**env, **extra}


@contextmanager
def gunicorn(model: Path, workers: int, port: int, log: Path) -> Iterator[Target]:
    """Our service with the repository's gunicorn.conf.py, per-request logs off."""
    env = _env(
        {
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "ESCALATION_MODEL_PATH": str(model),
            "ESCALATION_LOG_LEVEL": "WARNING",
        }
    )
    cmd = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    cmd.append("service.app:create_app()")
    with running(
        "gunicorn", cmd, port=port, ready_path="/readyz", env=env, cwd=ROOT, log=log
    ) as server:
        yield Target(server, _ours_path, our_body, our_probabilities)


@contextmanager
def mlflow(model: Path, workers: int, port: int, log: Path) -> Iterator[Target]:
    """MLflow `models serve` of the same pipeline (saved to a temporary directory)."""
    with tempfile.TemporaryDirectory(prefix="bench-mlflow-") as tmp:
        model_dir = Path(tmp) / "model"
        mlflow_peer.save_in_venv(model, model_dir)
        env = _env(
            {
                **mlflow_peer.ENV,
                "PATH": f"{mlflow_peer.VENV / 'bin'}:{os.environ.get('PATH', '')}",
                # uvicorn options from the environment: no per-request access log, like ours.
                "UVICORN_ACCESS_LOG": "false",
                "UVICORN_LOG_LEVEL": "warning",
            }
        )
        cmd = mlflow_peer.serve_command(model_dir, port, workers)
        with running(
            "mlflow", cmd, port=port, ready_path="/ping", env=env, cwd=Path(tmp), log=log
        ) as server:
            yield Target(server, _mlflow_path, _mlflow_body, mlflow_peer.probabilities)


def write_bodies(target: Target, workload: Workload, text: str, count: int, path: Path) -> Path:
    """`count` bodies of `workload.batch` fresh variants each, one JSON document per line."""
    n = workload.batch
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(count):
            fh.write(target.body(workload, variants(text, i * n, n)).decode() + "\n")
    return path


def check(
    target: Target, workload: Workload, text: str, reference: Callable[[list[str]], list[float]]
) -> tuple[float, float]:
    """One request outside the load: (seconds it took, largest |p - predict_proba|)."""
    texts = variants(text, 10**6, workload.batch)
    started = time.perf_counter()
    status, payload = post(target.server.url(target.path(workload)), target.body(workload, texts))
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"{target.server.name}: HTTP {status}: {payload[:300]!r}")
    got = target.probabilities(payload)
    want = reference(texts)
    if len(got) != len(want):
        raise RuntimeError(f"{target.server.name}: {len(got)} results for {len(want)} texts")
    return elapsed, max(abs(a - b) for a, b in zip(got, want, strict=True))


def wrk(
    url: str, bodies: Path, connections: int, seconds: float, workdir: Path, keepalive: bool
) -> dict:
    """Run wrk (one thread) for `seconds`; its summary from the Lua `done` hook."""
    script = workdir / "post.lua"
    connection = "" if keepalive else 'wrk.headers["Connection"] = "close"'
    script.write_text(LUA % {"bodies": bodies, "connection": connection})
    cmd = [
        shutil.which("wrk") or "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "60s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 90, check=True)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise RuntimeError(f"no summary from wrk: {out.stdout[-500:]} {out.stderr[-500:]}")


def measure(
    target: Target,
    workload: Workload,
    connections: int,
    seconds: float,
    bodies: Path,
    workdir: Path,
    keepalive: bool = False,
) -> Load:
    """One bounded wrk run of `workload` against `target`, with the CPU it took: the server's
    processes, wrk's, and everything else's (other processes competing for the cores)."""
    url = target.server.url(target.path(workload))
    pids = servers.tree(target.server.pid)
    started = time.perf_counter()
    machine0, server0 = servers.machine_busy_seconds(), servers.cpu_seconds(pids)
    wrk0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    raw = wrk(url, bodies, connections, seconds, workdir, keepalive)
    wrk1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine = servers.machine_busy_seconds() - machine0
    server = servers.cpu_seconds(pids) - server0
    client = wrk1.ru_utime + wrk1.ru_stime - wrk0.ru_utime - wrk0.ru_stime
    wall = time.perf_counter() - started
    duration = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Load(
        server=target.server.name,
        kind=workload.kind,
        text=workload.text,
        batch=workload.batch,
        connections=connections,
        keepalive=keepalive,
        seconds=round(duration, 2),
        requests=raw["requests"],
        errors=errors,
        rps=raw["requests"] / duration if duration else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        server_cores=server / wall,
        wrk_cores=client / wall,
        other_cores=max(0.0, machine - server - client) / wall,
    )


def stretched(seconds: float, one_request: float, connections: int, workers: int) -> float:
    """The run length: `seconds`, or long enough for ~5 rounds of slow requests (capped)."""
    rounds = -(-connections // workers)
    return min(max(seconds, 5 * one_request * rounds), MAX_DURATION)
