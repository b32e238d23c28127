"""The artifact's pipeline payload as joblib and as skops: file size, dump and load time.

    .venv/bin/pip install skops   # not a dependency: only this comparison needs it
    .venv/bin/python -m bench.artifact_formats --model artifacts/escalation-model.joblib

skops.io loads with an explicit trusted-type list (here exactly the types it reports as
untrusted, which must be our analyzers) and so runs no code from the file; the figures say
what that costs. The decision is in `model/artifact.py`'s docstring.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import joblib

from model.artifact import load_artifact

TRUSTED = ["model.text.CharAnalyzer", "model.text.WordAnalyzer"]


def median_seconds(call: Callable[[], object], repeat: int) -> float:
    """Median wall time of `call`."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    import skops.io as sio

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=Path("artifacts/escalation-model.joblib"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    pipeline = load_artifact(args.model).pipeline
    buffer = io.BytesIO()
    joblib_dump = median_seconds(lambda: joblib.dump(pipeline, io.BytesIO()), 1)
    joblib.dump(pipeline, buffer)
    as_joblib = buffer.getvalue()
    skops_dump = median_seconds(lambda: sio.dumps(pipeline), 1)
    as_skops = sio.dumps(pipeline)
    untrusted = sio.get_untrusted_types(data=as_skops)
    if sorted(untrusted) != TRUSTED:
        raise SystemExit(f"skops reports other untrusted types: {untrusted}")
    joblib_load = median_seconds(lambda: joblib.load(io.BytesIO(as_joblib)), args.repeat)
    skops_load = median_seconds(lambda: sio.loads(as_skops, trusted=TRUSTED), args.repeat)
    print("| payload | bytes | dump s | load s (median) |\n|---|---:|---:|---:|")
    print(f"| joblib | {len(as_joblib):,} | {joblib_dump:.2f} | {joblib_load:.2f} |")
    print(f"| skops | {len(as_skops):,} | {skops_dump:.2f} | {skops_load:.2f} |")


if __name__ == "__main__":
    main()
