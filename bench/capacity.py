"""Capacity: articles per second in process, with `escalation-score --workers 2`, and in Spark
`local[2]` (after start-up), on the same texts and the same model.

    .venv/bin/python -m bench.capacity --model artifacts/escalation-model.joblib \
        --article ../shared/data/seed/nato-preemptive-strike.txt --rows 2000

Needs the frames and spark extras and Java. Prints one line per measurement and a summary:
Spark's rate after start-up as a share of two in-process cores (the figure docs/scaling.md
quotes). Same text repeated: the word caches are warm, as they are on a steady stream of news.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.servers import stat_fields, tree
from model import frames
from model.routing import Router


def in_process(model: Path, texts: list[str]) -> float:
    """Articles/s on one core: `frames.score_records` after one warm-up pass."""
    scorer = Router.load(model)
    frames.score_records(scorer, texts[:50])
    start, cpu = time.perf_counter(), time.process_time()
    frames.score_records(scorer, texts)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  in process: wall {wall:.1f} s, CPU {cpu:.1f} s ({len(texts) / cpu:.1f} per CPU s)")
    return len(texts) / wall


def cli_workers(model: Path, texts: list[str], workdir: Path, workers: int) -> tuple[float, float]:
    """(wall seconds for 1 row, articles/s after start-up) of `escalation-score --workers N`."""
    exe = Path(sys.executable).with_name("escalation-score")

    def run(rows: list[str]) -> float:
        src = workdir / "cli-in.jsonl"
        src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(rows)))
        start = time.perf_counter()
        argv = [str(exe), "--model", str(model), "--workers", str(workers), str(src)]
        subprocess.run([*argv, "-o", str(workdir / "cli-out.jsonl")], check=True)
        return time.perf_counter() - start

    startup = run(texts[:1])
    total = run(texts)
    return startup, len(texts) / max(total - startup, 1e-9)


def spark_local(model: Path, texts: list[str], workdir: Path, cores: int) -> tuple[float, float]:
    """(start-up seconds: session + first job, rows/s of a second job) on local[cores]."""
    import pandas as pd
    from pyspark.sql import SparkSession

    from batch.spark import read_input, score_table

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    src = workdir / "spark-in"
    src.mkdir()
    parts = cores * 2  # one file per task, two tasks per core: both cores busy to the end
    for p in range(parts):
        rows = texts[p::parts]
        pd.DataFrame({"id": [str(i) for i in range(len(rows))], "text": rows}).to_parquet(
            src / f"part-{p}.parquet"
        )
    start = time.perf_counter()
    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    try:
        df = read_input(spark, str(src), "parquet")
        score_table(spark, df.limit(cores * 10).repartition(cores), model).write.format(
            "noop"
        ).mode("overwrite").save()  # Python workers start and load the model
        startup = time.perf_counter() - start
        # Built (and the artifact verified on the driver) before the clock starts: the job only.
        scored = score_table(spark, read_input(spark, str(src), "parquet"), model)
        jvm = spark.sparkContext._gateway.proc.pid  # type: ignore[union-attr]
        before = cpu_seconds(jvm)
        begin = time.perf_counter()
        scored.write.mode("overwrite").parquet(str(workdir / "spark-out"))
        wall = time.perf_counter() - begin
        after = cpu_seconds(jvm)
        rate = len(texts) / wall
        split = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
        print(
            f"  job wall {wall:.1f} s; CPU s: "
            + ", ".join(f"{k} {v:.1f}" for k, v in split.items())
        )
    finally:
        spark.stop()
    return startup, rate


def cpu_seconds(root: int) -> dict[str, float]:
    """CPU seconds (user + system) of a process tree, by kind: the JVM (with its threads) and
    its Python workers (pyspark.daemon and the workers it forks), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"jvm": 0.0, "python workers": 0.0}
    for pid in tree(root):
        fields = stat_fields(pid)
        if fields is None:
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        # utime, stime and the reaped children's cutime, cstime (short-lived Python workers)
        used = (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / tick
        totals["jvm" if cmd.split(b"\0")[0].endswith(b"java") else "python workers"] += used
    return totals


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=Path("artifacts/escalation-model.joblib"))
    parser.add_argument(
        "--article", type=Path, default=Path("../shared/data/seed/nato-preemptive-strike.txt")
    )
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--skip-spark", action="store_true")
    args = parser.parse_args(argv)
    text = args.article.read_text(encoding="utf-8")
    texts = [text] * args.rows
    print(f"texts: {args.rows} x {args.article.name} ({len(text)} characters)")
    one = in_process(args.model, texts)
    print(f"in process, one core:           {one:8.1f} articles/s")
    with tempfile.TemporaryDirectory() as tmp:
        startup, rate = cli_workers(args.model, texts, Path(tmp), 2)
        print(f"escalation-score --workers 2:   {rate:8.1f} articles/s after {startup:.1f} s start")
        if not args.skip_spark:
            startup, rate = spark_local(args.model, texts, Path(tmp), 2)
            print(f"spark local[2]:                 {rate:8.1f} rows/s after {startup:.1f} s start")
            print(f"spark local[2] / (2 x in process): {rate / (2 * one):.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
