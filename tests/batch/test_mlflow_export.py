"""escalation-export-mlflow: the pyfunc model loads and scores as the Router does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batch import mlflow_export
from model.routing import Router

pytestmark = pytest.mark.mlflow
NEEDS_MLFLOW = "mlflow is not installed (the mlflow extra: make test-engines)"
TEXTS = [
    "The army threatened a strike unless the rebels withdraw.",
    "Both sides signed a trade agreement and praised the talks.",
    " ",
]


@pytest.fixture(scope="module")
def exported(tiny_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model exported by the CLI."""
    pytest.importorskip("mlflow.pyfunc", reason=NEEDS_MLFLOW)
    out = tmp_path_factory.mktemp("mlflow") / "model"
    assert mlflow_export.main(["--model", str(tiny_model_path), "--out", str(out)]) == 0
    return out


def test_pyfunc_scores_as_the_scorer(exported: Path, tiny_model_path: Path) -> None:
    import mlflow.pyfunc
    import pandas as pd

    model = mlflow.pyfunc.load_model(str(exported))
    result = model.predict(pd.DataFrame({"text": TEXTS}), params={"top_k": 2})
    assert list(result.columns) == ["score", "level", "language", "phrases"]
    scorer = Router.load(tiny_model_path)
    for i, text in enumerate(TEXTS[:2]):
        want = scorer.score(text, top_k=2)
        assert result["score"][i] == want.score and result["level"][i] == want.level
        assert result["language"][i] == "en"
        assert json.loads(result["phrases"][i]) == [p.to_dict() for p in want.phrases]
    assert pd.isna(result["score"][2]) and result["level"][2] is None
    default = model.predict(pd.DataFrame({"text": TEXTS[:1]}))
    want = [p.to_dict() for p in scorer.score(TEXTS[0]).phrases]  # top_k defaults to 10
    assert json.loads(default["phrases"][0]) == want


def test_an_optional_language_column_routes_each_row(exported: Path) -> None:
    import mlflow.pyfunc
    import pandas as pd

    model = mlflow.pyfunc.load_model(str(exported))
    frame = pd.DataFrame({"text": [TEXTS[0]] * 4, "language": ["fr", None, "en", "EN"]})
    result = model.predict(frame)
    assert result["language"].tolist()[:3] == ["fr", "en", "en"]
    assert pd.isna(result["language"][3])  # a malformed code: an error row, nothing scored
    assert result["score"].isna().tolist() == [True, False, False, True]
    assert result["level"][0] == "unscored" and result["level"][1] == result["level"][2]
    assert result["level"][1] not in ("unscored", None) and result["level"][3] is None
    assert json.loads(result["phrases"][0]) == []


def test_signature_params_and_manifest_metadata(exported: Path, tiny_model_path: Path) -> None:
    from mlflow.models import Model

    meta = Model.load(str(exported))
    assert meta.signature.inputs.input_names() == ["text", "language"]
    assert [c.required for c in meta.signature.inputs.inputs] == [True, False]
    assert meta.signature.outputs.input_names() == ["score", "level", "language", "phrases"]
    assert not any(c.required for c in meta.signature.outputs.inputs)
    assert meta.signature.params.to_dict()[0]["name"] == "top_k"
    assert meta.metadata["escalation_manifest"]["version"] == "tiny-1"
    shipped = list(exported.glob("artifacts/*"))
    assert [p.read_bytes() for p in shipped] == [tiny_model_path.read_bytes()]


def test_unusable_model_exits_2(tmp_path: Path) -> None:
    pytest.importorskip("mlflow.pyfunc", reason=NEEDS_MLFLOW)
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(b"not a model")
    assert mlflow_export.main(["--model", str(bad), "--out", str(tmp_path / "m")]) == 2
