"""Run the whole benchmark: in-process, cost against length, HTTP (ours and MLflow), memory.

    .venv/bin/python -m bench.run --model artifacts/escalation-model.joblib \\
        --seed ../shared/data/seed/nato-preemptive-strike.txt \\
        [--skip-http] [--skip-mlflow] [--quick]

Prints a Markdown report and writes the same results as JSON to bench/results/<timestamp>.json
(server logs beside it). Servers listen on free 127.0.0.1 ports and are always stopped.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import platform
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from scipy.special import expit

from bench import httpload, inprocess, report, servers
from bench.httpload import Target, Workload
from bench.inprocess import Budget
from bench.peers import mlflow as mlflow_peer
from bench.texts import SENTENCE, read_seed, variant, variants
from model import MODEL_PATH_ENV, Scorer
from model.article import reference_logits
from service.config import load_settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "artifacts" / "escalation-model.joblib"
DEFAULT_SEED = ROOT.parent / "shared" / "data" / "seed" / "nato-preemptive-strike.txt"
RESULTS = ROOT / "bench" / "results"
BODIES_PER_FILE = 4096  # distinct articles per load (cycled when a run sends more)


def _ints(raw: str) -> list[int]:
    return [int(x) for x in raw.split(",") if x.strip()]


def _floats(raw: str) -> list[float]:
    return [float(x) for x in raw.split(",") if x.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options; --quick shrinks every budget to a smoke test."""
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    env_model = os.environ.get(MODEL_PATH_ENV)
    model = Path(env_model) if env_model else DEFAULT_MODEL
    p.add_argument("--model", type=Path, default=model, help=f"artifact (default {model})")
    p.add_argument("--seed", type=Path, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
    p.add_argument("--workers", type=int, default=2, help="gunicorn and MLflow (default 2)")
    p.add_argument("--duration", type=float, help="seconds per wrk run (default 10, quick 2)")
    p.add_argument("--connections", type=_ints, default=[1, 16, 64], help="default 1,16,64")
    p.add_argument(
        "--http-batches",
        type=_ints,
        default=[64, 128],
        help="seed articles per /v1/score/batch request (default 64,128)",
    )
    p.add_argument("--batch", type=int, help="in-process batch size (default 2000, quick 200)")
    p.add_argument(
        "--sizes",
        type=_floats,
        default=[1, 3, 10, 30, 100],
        help="article lengths in KB (default 1,3,10,30,100)",
    )
    p.add_argument("--skip-http", action="store_true", help="in-process figures only")
    p.add_argument("--skip-mlflow", action="store_true", help="no MLflow peer")
    p.add_argument("--quick", action="store_true", help="smoke run: a few seconds per figure")
    p.add_argument("--out", type=Path, default=RESULTS, help=f"results folder (default {RESULTS})")
    args = p.parse_args(argv)
    args.duration = args.duration or (2.0 if args.quick else 10.0)
    args.batch = args.batch or (200 if args.quick else 2000)
    if args.skip_http:
        args.skip_mlflow = True
    if not args.skip_mlflow and not mlflow_peer.available():
        p.error(
            f"no MLflow venv at {mlflow_peer.VENV}: run "
            "`.venv/bin/python -m bench.peers.mlflow setup` or pass --skip-mlflow"
        )
    return args


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _output(cmd: Sequence[str]) -> str:
    try:
        out = subprocess.run(list(cmd), capture_output=True, text=True, timeout=30, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def _cpu_times() -> tuple[int, int]:
    """(all, idle) jiffies over every CPU from /proc/stat (idle includes iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    return sum(fields), fields[3] + fields[4]


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of the machine's CPU time spent busy (or stolen) over `seconds` while we sleep:
    other processes' load, which lowers every figure."""
    total0, idle0 = _cpu_times()
    time.sleep(seconds)
    total1, idle1 = _cpu_times()
    return 1.0 - (idle1 - idle0) / max(1, total1 - total0)


def load_average() -> float:
    """The 1-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def machine(args: argparse.Namespace, argv: Sequence[str], scorer: Scorer, seed: str) -> dict:
    """Where, when and with what the figures were taken."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")),
        platform.processor() or "?",
    )
    meminfo = Path("/proc/meminfo").read_text().split()
    python = (
        os.path.relpath(sys.executable)
        if sys.executable.startswith(os.getcwd())
        else (sys.executable)
    )
    versions = {d: _version(d) for d in ("scikit-learn", "numpy", "scipy", "flask", "gunicorn")}
    if not args.skip_mlflow:
        versions["mlflow"] = mlflow_peer.version() + " (bench/.venv-mlflow)"
    if not args.skip_http:
        versions["wrk"] = _output(["wrk", "-v"]).split(" [")[0].removeprefix("wrk ")
    dirty = _output(["git", "status", "--porcelain", "--", "model", "service"])
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "command": shlex.join([python, "-m", "bench.run", *argv]),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "memory_gib": int(meminfo[meminfo.index("MemTotal:") + 1]) / 2**20,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": versions,
        "model": str(args.model),
        "model_version": scorer.version,
        "seed": str(args.seed),
        "seed_chars": len(seed),
        "seed_sha256": hashlib.sha256(seed.encode()).hexdigest(),
        "git": _output(["git", "rev-parse", "--short", "HEAD"])
        + (" + uncommitted model/service changes" if dirty not in ("", "?") else ""),
        "quick": args.quick,
        "busy_before": cpu_busy(),
        "load_before": load_average(),
    }


def _own_cpu() -> float:
    """CPU seconds used by this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_inprocess(args: argparse.Namespace, scorer: Scorer, seed: str) -> dict[str, Any]:
    """In-process figures and the length sweep."""
    q = args.quick
    single = Budget(min_calls=5 if q else 20, max_calls=2000, seconds=1.0 if q else 5.0)
    batched = Budget(min_calls=1, max_calls=2 if q else 5, seconds=2.0 if q else 20.0)
    per_size = Budget(min_calls=1 if q else 3, max_calls=200, seconds=0.5 if q else 3.0)
    texts = {"seed": seed, "sentence": SENTENCE}
    started, machine0 = time.perf_counter(), servers.machine_busy_seconds()
    own0 = _own_cpu()
    print(f"in-process: single and batches of {args.batch} ...", file=sys.stderr, flush=True)
    rows = inprocess.single_and_batch(scorer, texts, args.batch, single, batched)
    print(f"in-process: lengths {args.sizes} KB ...", file=sys.stderr, flush=True)
    points = inprocess.by_length(scorer, seed, args.sizes, per_size)
    others = servers.machine_busy_seconds() - machine0 - (_own_cpu() - own0)
    return {
        "inprocess_other_cores": max(0.0, others) / (time.perf_counter() - started),
        "inprocess": [
            {**asdict(r), "per_article_ms": r.per_article_ms, "articles_per_s": r.articles_per_s}
            for r in rows
        ],
        "length": {
            "points": [asdict(p) for p in points],
            "exponent": {
                "score": inprocess.growth_exponent(points, "score_ms"),
                "predict_proba": inprocess.growth_exponent(points, "predict_proba_ms"),
            },
        },
    }


def _memory(target: Target, phase: str, workers: int = 0) -> list[dict[str, Any]]:
    """RSS/PSS of every process of a server (gunicorn: master and workers) now; first wait
    (up to 10 s) until gunicorn has forked `workers` workers."""
    name, root = target.server.name, target.server.pid
    deadline = time.monotonic() + 10
    while name == "gunicorn" and len(servers.tree(root)) < 1 + workers:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    rows = []
    for pid in servers.tree(root):
        cmd = servers.cmdline(pid)
        if pid == root:
            role = "master" if name == "gunicorn" else "mlflow CLI"
        elif name == "gunicorn" or "spawn_main" in cmd:
            role = "worker"
        elif "resource_tracker" in cmd:
            role = "resource tracker"
        elif "uvicorn" in cmd:
            role = "uvicorn supervisor"
        else:
            role = cmd[:40]
        rows.append({"server": name, "phase": phase, **asdict(servers.memory(pid, role))})
    return rows


def _start(stack: ExitStack, args: argparse.Namespace, stamp: str) -> list[Target]:
    """Our gunicorn and (unless skipped) the MLflow peer, stopped when `stack` closes."""
    print("http: starting gunicorn ...", file=sys.stderr, flush=True)
    log = args.out / f"{stamp}.gunicorn.log"
    ours = httpload.gunicorn(args.model, args.workers, servers.free_port(), log)
    targets = [stack.enter_context(ours)]
    if not args.skip_mlflow:
        print("http: saving and starting MLflow ...", file=sys.stderr, flush=True)
        log = args.out / f"{stamp}.mlflow.log"
        peer = httpload.mlflow(args.model, args.workers, servers.free_port(), log)
        targets.append(stack.enter_context(peer))
    return targets


def run_http(args: argparse.Namespace, scorer: Scorer, seed: str, stamp: str) -> dict[str, Any]:
    """Both servers up at once (the idle one costs no CPU); each figure is taken on ours, then
    on the peer, back to back; memory is read before any request and after the load."""
    pipeline = scorer.artifact.pipeline
    texts = {"seed": seed, "sentence": SENTENCE}

    def served(batch: list[str]) -> list[float]:  # what ours returns: the article map applied
        return [float(p) for p in expit(reference_logits(pipeline, scorer.article, batch))]

    def pipeline_only(batch: list[str]) -> list[float]:  # the peer serves the bare pipeline
        return pipeline.predict_proba(batch)[:, 1].tolist()

    plan = [(Workload("score", t, 1), args.connections) for t in ("seed", "sentence")]
    plan += [(Workload("batch", "seed", n), [args.workers]) for n in args.http_batches]
    described = [
        f"ours: gunicorn {_version('gunicorn')} with gunicorn.conf.py, WEB_CONCURRENCY="
        f"{args.workers} workers (its worker class: gevent, scoring in a thread), "
        "ESCALATION_LOG_LEVEL=WARNING",
        f"peer: mlflow models serve --env-manager local -w {args.workers} (uvicorn workers, "
        "access log off), pyfunc predict_fn = predict_proba",
        "every request on a new connection (Connection: close) unless marked keep-alive",
    ]
    loads: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    bodies: dict[tuple[str, Workload], Path] = {}
    one_request: dict[tuple[str, Workload], float] = {}
    args.out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-http-")))
        targets = _start(stack, args, stamp)
        memory = [m for target in targets for m in _memory(target, "idle", args.workers)]

        def measure(target: Target, workload: Workload, conns: int, keepalive: bool) -> None:
            key = (target.server.name, workload)
            seconds = httpload.stretched(args.duration, one_request[key], conns, args.workers)
            how = "keep-alive" if keepalive else "close"
            print(
                f"http: {key[0]} {workload} x{conns} {how}, {seconds:.0f} s ...",
                file=sys.stderr,
                flush=True,
            )
            load = httpload.measure(target, workload, conns, seconds, bodies[key], work, keepalive)
            loads.append({**asdict(load), "articles_per_s": load.articles_per_s})

        for target in targets:  # warm every worker before the first figure
            warm = httpload.write_bodies(target, plan[0][0], seed, 64, work / "warm.jsonl")
            url = target.server.url(target.path(plan[0][0]))
            httpload.wrk(url, warm, 4 * args.workers, 2, work, keepalive=False)
        for workload, connection_counts in plan:
            for target in targets:
                key = (target.server.name, workload)
                path = work / f"{key[0]}-{workload.kind}-{workload.text}-{workload.batch}.jsonl"
                count = max(1, BODIES_PER_FILE // workload.batch)
                text = texts[workload.text]
                bodies[key] = httpload.write_bodies(target, workload, text, count, path)
                reference = served if target is targets[0] else pipeline_only
                one_request[key], diff = httpload.check(target, workload, text, reference)
                checks.append({"server": key[0], **asdict(workload), "max_abs_diff": diff})
            for conns in connection_counts:
                for target in targets:
                    measure(target, workload, conns, keepalive=False)
        for target in targets[1:]:  # the peer as a keep-alive client sees it (see httpload)
            for conns in (1, 16):
                measure(target, plan[0][0], conns, keepalive=True)
        memory += [m for target in targets for m in _memory(target, "after load")]
    servers_used = described if not args.skip_mlflow else [described[0], described[2]]
    return {"http": {"servers": servers_used, "loads": loads, "checks": checks}, "memory": memory}


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds the `with` blocks: servers are stopped


def refuse_oversized_batches(batches: Sequence[int], seed: str) -> None:
    """Exit before any server starts when a batch would exceed the service's character budget
    (the gunicorn started here inherits this environment, so reads the same limit)."""
    limit = load_settings(os.environ).max_request_chars
    longest = len(variant(seed, 10**6))  # the numbered copies a batch sends, at their longest
    too_big = [n for n in batches if n * longest > limit]
    if too_big:
        raise SystemExit(
            f"--http-batches {','.join(map(str, too_big))}: that many seed articles "
            f"({longest} characters each) exceed the service's request limit of {limit} "
            "characters (ESCALATION_MAX_REQUEST_CHARS)"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run everything selected, print the report, write the JSON."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args.model = args.model.resolve()
    seed = read_seed(args.seed)
    if not args.skip_http:
        refuse_oversized_batches(args.http_batches, seed)
    scorer = Scorer.load(args.model)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results: dict[str, Any] = {"meta": machine(args, argv, scorer, seed)}
    probe = [seed, SENTENCE, *variants(seed, 0, 8), *variants(SENTENCE, 0, 8)]
    results["agreement"] = inprocess.agreement(scorer, probe)
    results.update(run_inprocess(args, scorer, seed))
    if not args.skip_http:
        results.update(run_http(args, scorer, seed, stamp))
    results["meta"]["busy_after"] = cpu_busy()
    results["meta"]["load_after"] = load_average()
    results["targets"] = report.targets(results)
    print(report.render(results))
    path = report.write_json(results, args.out / f"{stamp}.json")
    print(f"results: {os.path.relpath(path)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
