"""Targets (PASS/MISS) and the Markdown report, both computed from the results dictionary that is
also written as JSON, so the printed table and the file never disagree."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

LINEAR_MAX_EXPONENT = 1.15  # log-log slope of time against length still called linear
Row = dict[str, Any]


def find(rows: Iterable[Row], **match: Any) -> Row | None:
    """The first row whose fields equal `match`."""
    return next((r for r in rows if all(r.get(k) == v for k, v in match.items())), None)


def _load(loads: Iterable[Row], server: str, kind: str, **match: Any) -> Row | None:
    """A new-connection load (the keep-alive rows are reported apart)."""
    return find(loads, server=server, kind=kind, keepalive=False, **match)


def _target(name: str, measured: str, goal: str, ok: bool | None) -> Row:
    status = "n/a" if ok is None else ("PASS" if ok else "MISS")
    return {"target": name, "measured": measured, "goal": goal, "status": status}


def targets(results: Row) -> list[Row]:
    """Each performance target with its measured value and PASS / MISS (n/a if not run)."""
    out = []
    rows = results.get("inprocess", [])
    pp = find(rows, method="predict_proba", text="seed", batch=1)
    score = find(rows, method="score", text="seed", batch=1)
    if pp and score:
        speedup = pp["per_call_ms"] / score["per_call_ms"]
        measured = f"{speedup:.2f}x ({score['per_call_ms']:.2f} vs {pp['per_call_ms']:.2f} ms)"
        ok: bool | None = speedup >= 3
    else:
        measured, ok = "not run", None
    name = "in-process score (phrases, sentences) faster than predict_proba, seed, single"
    out.append(_target(name, measured, ">= 3x", ok))

    loads = results.get("http", {}).get("loads", [])
    ours = _load(loads, "gunicorn", "score", text="seed", connections=16)
    peer = _load(loads, "mlflow", "score", text="seed", connections=16)
    if ours and peer and peer["rps"] > 0:
        ratio = ours["rps"] / peer["rps"]
        measured = f"{ratio:.2f}x ({ours['rps']:.0f} vs {peer['rps']:.0f} req/s)"
        ok = ratio >= 1.5 and ours["errors"] == 0
    else:
        measured, ok = "not run", None
    out.append(_target("/v1/score req/s vs MLflow, seed, 16 conns", measured, ">= 1.5x", ok))
    if ours:
        measured, ok = f"{ours['p99_ms']:.1f} ms", ours["p99_ms"] <= 20 and ours["errors"] == 0
    else:
        measured, ok = "not run", None
    out.append(_target("/v1/score p99, seed, 16 conns", measured, "<= 20 ms", ok))

    batches = [r for r in loads if r["server"] == "gunicorn" and r["kind"] == "batch"]
    if batches:
        best = max(batches, key=lambda r: r["articles_per_s"])
        measured = f"{best['articles_per_s']:.0f} articles/s (batches of {best['batch']})"
        ok = best["articles_per_s"] >= 2000 and best["errors"] == 0
    else:
        measured, ok = "not run", None
    out.append(_target("/v1/score/batch, seed articles/s", measured, ">= 2000", ok))

    growth = results.get("length", {}).get("exponent", {}).get("score")
    if growth is not None and not math.isnan(growth):
        measured, ok = f"time ~ length^{growth:.2f}", growth <= LINEAR_MAX_EXPONENT
    else:
        measured, ok = "needs 2+ sizes of 10 KB or more", None
    goal = f"exponent <= {LINEAR_MAX_EXPONENT}"
    out.append(_target("score cost linear in length (10-100 KB)", measured, goal, ok))

    workers = [m for m in results.get("memory", []) if m["server"] == "gunicorn"]
    workers = [m for m in workers if m["role"] == "worker"]
    if workers:
        measured = ", ".join(_worker_memory(workers, phase) for phase in ("idle", "after load"))
        ok = True
    else:
        measured, ok = "not run", None
    out.append(_target("memory per gunicorn worker", measured, "reported", ok))
    return out


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join("-" if c is None else str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _n(x: float | None, digits: int = 1) -> str:
    if x is None or math.isnan(x):
        return "-"
    return f"{x:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a is not None and b else "-"


def _pcts(load: Row | None) -> str:
    if not load:
        return "-"
    return f"{load['p50_ms']:.1f} / {load['p90_ms']:.1f} / {load['p99_ms']:.1f}"


def _get(row: Row | None, key: str) -> Any:
    return row.get(key) if row else None


def render(results: Row) -> str:
    """The whole report as Markdown."""
    meta = results["meta"]
    out = [
        "# Escalation-risk benchmark",
        "",
        f"- date: {meta['date']}",
        f"- command: `{meta['command']}`",
        f"- machine: {meta['cpu']}, {meta['cores']} cores ({meta['usable_cores']} usable), "
        f"{meta['memory_gib']:.1f} GiB RAM, Linux {meta['kernel']}, Python {meta['python']}",
        "- software: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        f"- model: {meta['model_version']} ({meta['model']}); seed: {meta['seed']} "
        f"({meta['seed_chars']} chars); git {meta['git']}",
        f"- in-process check: max |score - predict_proba through the article map| = "
        f"{results['agreement']:.1e}",
        f"- machine load from others: {meta['busy_before']:.0%} of all CPUs busy in the second "
        f"before the run, {meta.get('busy_after', math.nan):.0%} after; load average "
        f"{meta['load_before']:.2f} before, {meta.get('load_after', math.nan):.2f} after",
    ]
    other = results.get("inprocess_other_cores")
    if other is not None:
        out.append(
            f"- other processes used {other:.2f} cores on average during the in-process "
            "figures (the harness runs on one)"
        )
    if max(meta["busy_before"], meta.get("busy_after", 0.0), other or 0.0) > 0.1:
        out.append("- **warning: other processes were using the CPUs: figures are low**")
    http = results.get("http", {})
    out += [f"- {line}" for line in http.get("servers", [])]
    rows = [
        (t["target"], t["measured"], t["goal"], f"**{t['status']}**") for t in results["targets"]
    ]
    out += ["", "## Targets", "", table(["target", "measured", "goal", "status"], rows)]
    out += _inprocess(results.get("inprocess", []))
    out += _length(results.get("length", {}))
    out += _http(http, results.get("inprocess", []))
    out += _memory(results.get("memory", []))
    return "\n".join(out) + "\n"


def _inprocess(rows: list[Row]) -> list[str]:
    if not rows:
        return []
    body = []
    for r in rows:
        ref = find(rows, method="predict_proba", text=r["text"], batch=r["batch"])
        ratio = r["per_call_ms"] / ref["per_call_ms"] if ref else math.nan
        body.append(
            (
                r["text"],
                r["method"],
                r["batch"],
                r["calls"],
                _n(r["per_article_ms"], 3),
                _n(r["articles_per_s"], 0),
                _n(ratio, 2),
            )
        )
    header = [
        "text",
        "method",
        "articles/call",
        "calls",
        "ms/article (median)",
        "articles/s",
        "time / predict_proba",
    ]
    note = (
        "`score` and `score_many` include phrases, spans and sentences; `score, cold` empties "
        "the scorer's word cache before each call (every word of the article new); a "
        "`time / predict_proba` below 1 is faster than the reference."
    )
    return ["", "## In-process", "", table(header, body), "", note]


def _length(length: Row) -> list[str]:
    points = length.get("points", [])
    if not points:
        return []
    body = []
    for p in points:
        kb = p["chars"] / 1024
        body.append(
            (
                _n(p["kb"], 0),
                p["chars"],
                _n(p["predict_proba_ms"], 2),
                _n(p["predict_proba_ms"] / kb, 3),
                _n(p["score_ms"], 2),
                _n(p["score_ms"] / kb, 3),
            )
        )
    header = ["KB", "chars", "predict_proba ms", "ms/KB", "score ms", "ms/KB"]
    exp = length["exponent"]
    note = (
        f"Growth exponent over 10-100 KB (log-log slope of time on length; 1 = linear): "
        f"score {_n(exp['score'], 2)}, predict_proba {_n(exp['predict_proba'], 2)}."
    )
    return ["", "## Cost against article length (seed repeated)", "", table(header, body), "", note]


def _http(http: Row, inproc: list[Row]) -> list[str]:
    loads = http.get("loads", [])
    if not loads:
        return []
    out = ["", "## HTTP on loopback (wrk, 1 thread)", ""]
    keys = sorted(
        {(r["text"], r["connections"]) for r in loads if r["kind"] == "score"},
        key=lambda k: (k[0] != "seed", k[1]),
    )
    body = []
    for text, conns in keys:
        ours = _load(loads, "gunicorn", "score", text=text, connections=conns)
        peer = _load(loads, "mlflow", "score", text=text, connections=conns)
        body.append(
            (
                text,
                conns,
                _n(_get(ours, "rps"), 0),
                _pcts(ours),
                _n(_get(peer, "rps"), 0),
                _pcts(peer),
                _ratio(_get(ours, "rps"), _get(peer, "rps")),
                _ratio(_get(ours, "p99_ms"), _get(peer, "p99_ms")),
                f"{_get(ours, 'errors')} / {_get(peer, 'errors')}",
            )
        )
    header = [
        "text",
        "conns",
        "/v1/score req/s",
        "p50 / p90 / p99 ms",
        "MLflow req/s",
        "MLflow p50 / p90 / p99 ms",
        "req/s ours/MLflow",
        "p99 ours/MLflow",
        "errors ours / MLflow",
    ]
    out += [table(header, body), ""]

    keys = sorted({(r["batch"], r["connections"]) for r in loads if r["kind"] == "batch"})
    body = []
    for batch, conns in keys:
        ours = _load(loads, "gunicorn", "batch", batch=batch, connections=conns)
        peer = _load(loads, "mlflow", "batch", batch=batch, connections=conns)
        body.append(
            (
                batch,
                conns,
                _n(_get(ours, "articles_per_s"), 0),
                ours and f"{ours['p50_ms']:.0f} / {ours['p99_ms']:.0f}",
                _n(_get(peer, "articles_per_s"), 0),
                peer and f"{peer['p50_ms']:.0f} / {peer['p99_ms']:.0f}",
                _ratio(_get(ours, "articles_per_s"), _get(peer, "articles_per_s")),
                f"{_get(ours, 'seconds')} / {_get(peer, 'seconds')}",
                f"{_get(ours, 'errors')} / {_get(peer, 'errors')}",
            )
        )
    if body:
        header = [
            "seed articles/request",
            "conns",
            "/v1/score/batch articles/s",
            "p50 / p99 ms",
            "MLflow articles/s",
            "MLflow p50 / p99 ms",
            "articles/s ours/MLflow",
            "run s ours / MLflow",
            "errors ours / MLflow",
        ]
        out += [table(header, body), ""]

    alive = [r for r in loads if r["keepalive"]]
    if alive:
        body = []
        for r in alive:
            close = find(
                loads,
                server=r["server"],
                kind=r["kind"],
                text=r["text"],
                connections=r["connections"],
                keepalive=False,
            )
            body.append(
                (
                    r["server"],
                    r["text"],
                    r["connections"],
                    _n(r["rps"], 0),
                    _pcts(r),
                    _n(_get(close, "rps"), 0),
                    _pcts(close),
                )
            )
        header = [
            "server",
            "text",
            "conns",
            "keep-alive req/s",
            "keep-alive p50 / p90 / p99 ms",
            "new-connection req/s",
            "new-connection p50 / p90 / p99 ms",
        ]
        out += [
            "MLflow as a keep-alive client sees it (uvicorn `--workers N` leaves Nagle on: "
            "Kludex/uvicorn#3149):",
            "",
            table(header, body),
            "",
        ]
    out += _where_time_goes(loads, inproc)
    out += _cpu(loads)
    if http.get("checks"):
        worst = max(c["max_abs_diff"] for c in http["checks"])
        out.append(
            "- every server's probabilities match the in-process reference (ours: predict_proba "
            f"through the article map; the peer: predict_proba) within {worst:.1e}"
        )
    return out


def _cpu(loads: list[Row]) -> list[str]:
    """CPU used during the loads: by the server, by wrk, by anything else (competition)."""

    def most(key: str) -> float:
        return max(r[key] for r in loads)

    out = [
        f"- CPU during the loads, at most: servers {most('server_cores'):.2f} cores, wrk "
        f"{most('wrk_cores'):.2f}, anything else (other processes, kernel threads) "
        f"{most('other_cores'):.2f}"
    ]
    busy = [r for r in loads if r["other_cores"] > 0.1]
    if busy:
        runs = ", ".join(
            f"{r['server']} {r['kind']} {r['text']} {r['batch']}/request x{r['connections']} "
            f"({r['other_cores']:.2f})"
            for r in busy
        )
        out.append(f"- **warning: something else used > 0.1 core during**: {runs}")
    return out


def _where_time_goes(loads: list[Row], inproc: list[Row]) -> list[str]:
    """HTTP latency at one connection against the in-process time of the same work."""
    out = []
    for text in ("seed", "sentence"):
        ours = _load(loads, "gunicorn", "score", text=text, connections=1)
        peer = _load(loads, "mlflow", "score", text=text, connections=1)
        score = find(inproc, method="score", text=text, batch=1)
        pp = find(inproc, method="predict_proba", text=text, batch=1)
        if ours and score:
            line = (
                f"- {text}, 1 connection: /v1/score p50 {ours['p50_ms']:.2f} ms = score "
                f"{score['per_call_ms']:.2f} ms in process + "
                f"{ours['p50_ms'] - score['per_call_ms']:.2f} ms of HTTP path"
            )
            if peer and pp:
                line += (
                    f"; MLflow p50 {peer['p50_ms']:.2f} ms = predict_proba "
                    f"{pp['per_call_ms']:.2f} ms + {peer['p50_ms'] - pp['per_call_ms']:.2f}"
                    " ms"
                )
            out.append(line)
    many = find(inproc, method="score_many", text="seed")
    for r in loads:
        if r["server"] == "gunicorn" and r["kind"] == "batch" and many:
            out.append(
                f"- batches of {r['batch']}, {r['connections']} at once: "
                f"{r['p50_ms'] / r['batch']:.2f} ms per article at p50 over HTTP vs "
                f"{many['per_article_ms']:.2f} ms in process (score_many, one caller)"
            )
    return out


def _worker_memory(workers: list[Row], phase: str) -> str:
    """Largest worker RSS, PSS and private memory in one phase."""
    mine = [m for m in workers if m["phase"] == phase]
    pss = [m["pss_mib"] for m in mine if m["pss_mib"] is not None]
    private = [m["private_mib"] for m in mine if m.get("private_mib") is not None]
    text = f"{phase}: RSS {max(m['rss_mib'] for m in mine):.0f} MiB"
    text += f" / PSS {max(pss):.0f} MiB" if pss else ""
    return text + (f" / private {max(private):.0f} MiB" if private else "")


def _memory(rows: list[Row]) -> list[str]:
    if not rows:
        return []
    idle = {(m["server"], m["pid"]): m for m in rows if m["phase"] == "idle"}
    body = []
    for m in rows:
        if m["phase"] == "after load":
            before = idle.get((m["server"], m["pid"]))
            body.append(
                (
                    m["server"],
                    m["role"],
                    m["pid"],
                    _n(_get(before, "rss_mib")),
                    _n(_get(before, "pss_mib")),
                    _n(_get(before, "private_mib")),
                    _n(m["rss_mib"]),
                    _n(m["pss_mib"]),
                    _n(m.get("private_mib")),
                )
            )
    header = [
        "server",
        "process",
        "pid",
        "idle RSS MiB",
        "idle PSS MiB",
        "idle private MiB",
        "after-load RSS MiB",
        "after-load PSS MiB",
        "after-load private MiB",
    ]
    out = [
        "",
        "## Resident memory (idle = started, before any request)",
        "",
        "Private: pages no other process maps, i.e. what one more such process costs.",
        "",
        table(header, body),
        "",
    ]
    for server in sorted({m["server"] for m in rows}):
        mine = [m for m in rows if m["server"] == server and m["phase"] == "after load"]
        pss = sum(m["pss_mib"] or 0 for m in mine)
        rss = sum(m["rss_mib"] for m in mine)
        out.append(
            f"- {server} after load: {len(mine)} processes, RSS sum {rss:.0f} MiB, PSS "
            f"sum {pss:.0f} MiB (PSS splits shared pages between the processes that map "
            "them, so it adds up; RSS counts them in every process)"
        )
    return out


def write_json(results: Row, path: Path) -> Path:
    """Write the results file (parents created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return path
