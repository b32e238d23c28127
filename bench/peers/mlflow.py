"""MLflow `models serve` as the HTTP peer: the same fitted pipeline behind MLflow's scoring server.

MLflow lives in its own venv, `bench/.venv-mlflow` (installing it here would downgrade gunicorn),
with this venv's versions of the packages `PINNED` names and the repository installed editable
without dependencies (unpickling the pipeline imports `model.text`):

    .venv/bin/python -m bench.peers.mlflow setup

The benchmark then calls `save` in that venv (`mlflow.sklearn.save_model` with
`pyfunc_predict_fn="predict_proba"`, so the peer computes what our reference computes) and
serves the saved model with `mlflow models serve --env-manager local` on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "bench" / ".venv-mlflow"
PYTHON = VENV / "bin" / "python"
# Same versions as the service's venv: the peer must unpickle and run the very same pipeline,
# and importing `model` needs the look-alike table and the CLDR and ISO 3166 names (their
# versions are part of the feature specification) and the language identifier.
PINNED = (
    "scikit-learn",
    "numpy",
    "scipy",
    "joblib",
    "confusable-homoglyphs",
    "py3langid",
    "babel",
    "pycountry",
)
# No network from MLflow (telemetry), no tracking server, no git lookups.
ENV = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "GIT_PYTHON_REFRESH": "quiet",
}


def bench_extra() -> list[str]:
    """The `bench` optional dependencies declared in pyproject.toml (MLflow's version range)."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return list(tomllib.load(fh)["project"]["optional-dependencies"]["bench"])


def available() -> bool:
    """Whether the MLflow venv exists (run `setup` otherwise)."""
    return (VENV / "bin" / "mlflow").exists()


def setup() -> None:
    """Create bench/.venv-mlflow: MLflow, this venv's `PINNED` versions, the repo with --no-deps."""
    if not PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pins = [f"{name}=={importlib.metadata.version(name)}" for name in PINNED]
    pip = [str(PYTHON), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, *bench_extra(), *pins], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    print(f"MLflow {version()} in {VENV} with {', '.join(pins)}")


def version() -> str:
    """The MLflow version installed in the peer venv."""
    code = "import importlib.metadata as m; print(m.version('mlflow'))"
    out = subprocess.run([str(PYTHON), "-c", code], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def save_in_venv(model_path: Path, out_dir: Path) -> None:
    """Run `save` in the MLflow venv (from the repository root, so `bench` imports)."""
    cmd = [str(PYTHON), "-m", "bench.peers.mlflow", "save", str(model_path), str(out_dir)]
    subprocess.run(cmd, check=True, cwd=ROOT, env={**os.environ, **ENV})


def save(model_path: Path, out_dir: Path) -> None:
    """Save the artifact's pipeline as an MLflow model whose pyfunc calls predict_proba."""
    import mlflow.sklearn
    import sklearn

    from model import load_artifact

    pipeline = load_artifact(model_path).pipeline
    mlflow.sklearn.save_model(
        pipeline,
        str(out_dir),
        # MLflow 3 defaults to skops, which refuses the custom analyzers of `model.text`.
        serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
        pyfunc_predict_fn="predict_proba",
        # Explicit requirements: skips MLflow's slow requirement inference (a subprocess).
        pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
    )


def serve_command(model_dir: Path, port: int, workers: int) -> list[str]:
    """`mlflow models serve` on loopback with `workers` server processes."""
    return [
        str(VENV / "bin" / "mlflow"),
        "models",
        "serve",
        "-m",
        str(model_dir),
        "--env-manager",
        "local",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-w",
        str(workers),
    ]


def request_body(texts: Sequence[str]) -> bytes:
    """An /invocations body: the pipeline's input is a list of strings."""
    return json.dumps({"inputs": list(texts)}).encode()


def probabilities(payload: bytes) -> list[float]:
    """P(escalation) per text from an /invocations response (`predict_proba` rows)."""
    return [row[1] for row in json.loads(payload)["predictions"]]


def main(argv: Sequence[str] | None = None) -> int:
    """`setup` (create the venv) or `save MODEL OUT` (inside the venv)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create bench/.venv-mlflow")
    saver = sub.add_parser("save", help="save an artifact's pipeline as an MLflow model")
    saver.add_argument("model", type=Path)
    saver.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup()
    else:
        save(args.model, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
