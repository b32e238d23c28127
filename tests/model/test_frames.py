"""model.frames: one record per text, in order, error rows instead of failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model import Scorer, frames

TEXTS = [
    "The army threatened a strike unless the rebels withdraw.",
    "",
    "Both sides signed a trade agreement.",
    None,
    "   ",
    42,
]


@pytest.fixture(scope="module")
def scorer(tiny_model_path: Path) -> Scorer:
    """The tiny model, loaded once for this module."""
    return Scorer.load(tiny_model_path)


def test_records_match_scorer_and_bad_rows_are_error_rows(scorer: Scorer) -> None:
    ids = ["a", "b", 3, None, "e", "f"]
    records = frames.score_records(scorer, TEXTS, ids, top_k=3, max_spans=2, max_sentences=1)
    assert [r["id"] for r in records] == ["a", "b", "3", None, "e", "f"]
    assert [r["error"] is None for r in records] == [True, False, True, False, False, False]
    for record, text in zip(records, TEXTS, strict=True):
        assert list(record) == list(frames.OUTPUT_COLUMNS)
        assert record["model_version"] == "tiny-1"
        if record["error"] is None:
            expected = scorer.score(text, top_k=3, max_spans=2, max_sentences=1).to_dict()
            assert {k: record[k] for k in expected} == expected
        else:
            assert record["error"] == frames.BLANK_TEXT and record["score"] is None


def test_scorer_failure_is_an_error_row_without_text(scorer: Scorer, monkeypatch) -> None:
    real = scorer.score

    def flaky(text: str, *args: object) -> object:
        if "boom" in text:
            raise RuntimeError(f"failed on {text}")
        return real(text, *args)

    monkeypatch.setattr(scorer, "score", flaky)
    records = frames.score_records(scorer, ["secret boom text", "Aid arrived."], ["x", "y"])
    assert records[0]["error"] == "cannot score: RuntimeError"
    assert records[1]["error"] is None and records[1]["score"] > 0


def test_caps_are_checked_once(scorer: Scorer) -> None:
    with pytest.raises(ValueError, match="max_spans"):
        frames.score_records(scorer, ["war"], max_spans=0)
    with pytest.raises(ValueError, match="length"):
        frames.score_records(scorer, ["war"], ids=["a", "b"])


def test_score_frame_keeps_index_and_json_columns(scorer: Scorer) -> None:
    pd = pytest.importorskip(
        "pandas", reason="score_frame needs the frames extra (make test-engines installs it)"
    )
    frame = pd.DataFrame({"id": [1, 2, 3], "body": [TEXTS[0], None, TEXTS[2]]}, index=[10, 5, 7])
    out = frames.score_frame(scorer, frame, text_col="body", top_k=2)
    assert list(out.columns) == list(frames.OUTPUT_COLUMNS)
    assert list(out.index) == [10, 5, 7] and list(out["id"]) == ["1", "2", "3"]
    assert out["score"].dtype == "float64" and pd.isna(out.loc[5, "score"])
    assert out.loc[5, "error"] == frames.BLANK_TEXT and out.loc[5, "phrases"] is None
    expected = scorer.score(TEXTS[0], top_k=2).to_dict()
    assert out.loc[10, "score"] == expected["score"]
    for column in frames.NESTED_COLUMNS:
        assert json.loads(out.loc[10, column]) == expected[column]
    without_ids = frames.score_frame(scorer, frame, text_col="body", id_col=None)
    assert without_ids["id"].isna().all()
    with pytest.raises(KeyError):
        frames.score_frame(scorer, frame)  # no "text" column


def test_model_and_jsonl_cli_work_without_pandas(tiny_model_path: Path) -> None:
    import subprocess
    import sys

    # None in sys.modules makes `import pandas` fail, as if the frames extra were absent.
    code = (
        "import sys; sys.modules['pandas'] = sys.modules['pyarrow'] = None\n"
        "import io, model.frames, model.cli\n"
        'sys.stdin = io.StringIO(\'{"id": "a", "text": "war"}\')\n'
        f"raise SystemExit(model.cli.main(['--model', {str(tiny_model_path)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == "a"
