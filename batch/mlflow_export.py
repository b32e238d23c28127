"""`escalation-export-mlflow`: the verified artifact as an MLflow pyfunc model.

    escalation-export-mlflow --model artifacts/escalation-model.joblib --out mlflow-model/

The MLflow model directory holds the artifact file itself (an MLflow artifact, verified again
when the model is loaded), a signature (a DataFrame with a string `text` column and an optional
string `language` column in; `score`, `level`, `language` and `phrases` out, `phrases` a JSON
string, all nullable; `top_k` a params entry, default 10) and the artifact's manifest as
metadata. `predict` calls `model.frames.score_frame`: each row goes to the model of the language
its `language` names (ISO 639-1), else to the one detected (null or empty: detected); a language
without a model gives a null score, level `unscored` and that language; a blank text or a
malformed language code gives a null score and level, never an exception. The
`escalation-risk` package (with its compiled kernel) must be installed wherever the model is
loaded, as scikit-learn must be for an sklearn model; hence `--env-manager local` below.

    import mlflow
    model = mlflow.pyfunc.load_model("mlflow-model")
    model.predict(pd.DataFrame({"text": [...], "language": [None, "es", ...]}),
                  params={"top_k": 5})

    # Spark: a pandas UDF that loads the model once per Python worker
    udf = mlflow.pyfunc.spark_udf(spark, "mlflow-model", result_type="score double, "
                                  "level string, language string, phrases string",
                                  env_manager="local")
    df.withColumn("risk", udf("text", "language"))

    # HTTP (needs the full `mlflow` package for its server; see bench/README.md)
    mlflow models serve -m mlflow-model --env-manager local -p 5001
    curl localhost:5001/invocations -H 'Content-Type: application/json' \
        -d '{"dataframe_records": [{"text": "..."}], "params": {"top_k": 3}}'
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from model import frames
from model.artifact import ArtifactError
from model.routing import Router
from model.scoring import DEFAULT_TOP_K

ARTIFACT_KEY = "escalation_artifact"
PREDICT_COLUMNS = ("score", "level", "language", "phrases")
EXAMPLE = {frames.TEXT_COLUMN: ["The army threatened a strike unless the talks resume."]}
NEEDS_MLFLOW = "needs the mlflow extra: pip install 'escalation-risk[mlflow]'"

try:
    import mlflow.pyfunc

    _Base: Any = mlflow.pyfunc.PythonModel
except ImportError:  # the CLI says what to install; nothing else here works without it
    mlflow = None
    _Base = object


class EscalationModel(_Base):  # type: ignore[misc]
    """pyfunc wrapper: loads the artifact (every language's model) once per process and scores
    a `text` column, each row in the language of its optional `language` column."""

    def load_context(self, context: Any) -> None:
        """Load and verify the artifact shipped with the MLflow model."""
        self.router = Router.load(Path(context.artifacts[ARTIFACT_KEY]))

    # No type hints on predict: MLflow reads them as a schema (list[...]) and would convert the
    # DataFrame the signature already describes.
    def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
        """`score`, `level`, `language`, `phrases` (JSON) per row of `model_input["text"]`, in
        order, each in the language of `model_input["language"]` when given, else detected."""
        import pandas as pd

        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        top_k = int((params or {}).get("top_k", DEFAULT_TOP_K))
        scored = frames.score_frame(self.router, frame, id_col=None, top_k=top_k)
        return scored[list(PREDICT_COLUMNS)]


def signature() -> Any:
    """Input `text` (string) and an optional `language` (string), output `score`/`level`/
    `language`/`phrases` (all nullable: `score` is null for a language without a model and on
    error rows), params `top_k`."""
    from mlflow.models import ModelSignature
    from mlflow.types.schema import ColSpec, ParamSchema, ParamSpec, Schema

    return ModelSignature(
        inputs=Schema(
            [
                ColSpec("string", frames.TEXT_COLUMN),
                ColSpec("string", frames.LANGUAGE_COLUMN, required=False),
            ]
        ),
        outputs=Schema(
            [
                ColSpec("double" if c == "score" else "string", c, required=False)
                for c in PREDICT_COLUMNS
            ]
        ),
        params=ParamSchema([ParamSpec("top_k", "long", DEFAULT_TOP_K)]),
    )


def export(model_path: Path, out: Path) -> Path:
    """Save `model_path` (loaded and verified first) as an MLflow pyfunc model in `out`."""
    if mlflow is None:
        raise ImportError(NEEDS_MLFLOW)
    router = Router.load(model_path)
    mlflow.pyfunc.save_model(
        path=str(out),
        python_model=EscalationModel(),
        artifacts={ARTIFACT_KEY: str(model_path)},
        signature=signature(),
        input_example=EXAMPLE,
        metadata={"escalation_manifest": router.manifest},
        pip_requirements=[f"escalation-risk=={version('escalation-risk')}"],
    )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0 exported, 2 unusable model, arguments or missing extra."""
    parser = argparse.ArgumentParser(
        prog="escalation-export-mlflow",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", type=Path, required=True, help="the model artifact")
    parser.add_argument("--out", type=Path, required=True, help="new MLflow model directory")
    args = parser.parse_args(argv)
    try:
        export(args.model, args.out)
    except (ArtifactError, ImportError, FileExistsError) as exc:
        print(f"escalation-export-mlflow: error: {exc}", file=sys.stderr)
        return 2
    print(f"escalation-export-mlflow: wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
