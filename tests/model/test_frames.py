"""model.frames: one record per text, in order, each in its language, error rows instead of
failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model import frames
from model.artifact import save_release
from model.routing import Router
from tests.helpers import fit_tiny, tiny_config

TEXTS = [
    "The army threatened a strike unless the rebels withdraw.",
    "",
    "Both sides signed a trade agreement.",
    None,
    "   ",
    42,
]


ESCALATORY = "Troops mobilised for a strike and threatened war."
BAD_CODE = "language must be an ISO 639-1 code (two lowercase letters), not "


@pytest.fixture(scope="module")
def scorer(tiny_model_path: Path) -> Router:
    """The tiny model (English only), loaded once for this module."""
    return Router.load(tiny_model_path)


@pytest.fixture(scope="module")
def two_languages(tiny_pipeline, tmp_path_factory: pytest.TempPathFactory) -> Router:
    """An artifact of two tiny models, English (first) and Spanish (fitted with the Spanish
    word rules on the same sentences)."""
    manifest = {
        "version": "tiny-2",
        "created_at": "2026-01-01T00:00:00+00:00",
        "levels": [{"name": "low", "min": 0.0}, {"name": "high", "min": 0.5}],
        "metrics": {"cv": {}},
        "sources": [],
    }
    spanish = fit_tiny(tiny_config("es"))
    path = tmp_path_factory.mktemp("two") / "two.joblib"
    save_release({"en": (tiny_pipeline, manifest), "es": (spanish, manifest)}, path)
    return Router.load(path)


def test_records_match_scorer_and_bad_rows_are_error_rows(scorer: Router) -> None:
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
            assert record["language"] == "en"  # detected: the first (only) model's
        else:
            assert record["error"] == frames.BLANK_TEXT and record["score"] is None
            assert record["language"] is None


def test_each_row_goes_to_the_model_of_its_language(two_languages: Router) -> None:
    languages = ["es", None, "", "fr", "EN", 5, "en", "spa"]
    texts = [ESCALATORY] * len(languages)
    records = frames.score_records(two_languages, texts, languages=languages, top_k=3)
    assert [r["language"] for r in records] == ["es", "en", "en", "fr", None, None, "en", None]
    spanish = two_languages.scorers["es"].score(ESCALATORY, top_k=3).to_dict()
    assert {k: records[0][k] for k in spanish} == spanish
    unscored = records[3]
    assert unscored["error"] is None and unscored["score"] is None
    assert unscored["level"] == "unscored" and unscored["phrases"] == []
    assert [w["code"] for w in unscored["warnings"]] == ["unsupported_language", "not_english"]
    for record, shown in [(records[4], "'EN'"), (records[5], "5"), (records[7], "'spa'")]:
        assert record["error"] == BAD_CODE + shown and record["score"] is None
    assert all(r["error"] is None for i, r in enumerate(records) if i not in (4, 5, 7))


def test_a_default_language_is_for_rows_that_name_none(two_languages: Router) -> None:
    records = frames.score_records(
        two_languages, [ESCALATORY] * 3, languages=[None, "en", ""], language="es"
    )
    assert [r["language"] for r in records] == ["es", "en", "es"]
    records = frames.score_records(two_languages, [ESCALATORY], language="fr")
    assert records[0]["level"] == "unscored" and records[0]["language"] == "fr"
    with pytest.raises(ValueError, match="two lowercase letters"):
        frames.score_records(two_languages, [ESCALATORY], language="French")
    with pytest.raises(ValueError, match="length"):
        frames.score_records(two_languages, [ESCALATORY], languages=["en", "es"])


def test_scorer_failure_is_an_error_row_without_text(scorer: Router, monkeypatch) -> None:
    real = scorer.score

    def flaky(text: str, *args: object) -> object:
        if "boom" in text:
            raise RuntimeError(f"failed on {text}")
        return real(text, *args)

    monkeypatch.setattr(scorer, "score", flaky)
    records = frames.score_records(scorer, ["secret boom text", "Aid arrived."], ["x", "y"])
    assert records[0]["error"] == "cannot score: RuntimeError"
    assert records[1]["error"] is None and records[1]["score"] > 0


def test_caps_are_checked_once(scorer: Router) -> None:
    with pytest.raises(ValueError, match="max_spans"):
        frames.score_records(scorer, ["war"], max_spans=0)
    with pytest.raises(ValueError, match="length"):
        frames.score_records(scorer, ["war"], ids=["a", "b"])


def test_score_frame_keeps_index_and_json_columns(scorer: Router) -> None:
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


def test_score_frame_reads_a_language_column(two_languages: Router) -> None:
    pd = pytest.importorskip(
        "pandas", reason="score_frame needs the frames extra (make test-engines installs it)"
    )
    frame = pd.DataFrame(
        {"text": [ESCALATORY] * 5, "lang": ["es", None, float("nan"), "fr", "e"]},
        index=[3, 1, 4, 1, 5],
    )
    out = frames.score_frame(two_languages, frame, language_col="lang")
    assert list(out.columns) == list(frames.OUTPUT_COLUMNS) and list(out.index) == [3, 1, 4, 1, 5]
    assert list(out["language"]) == ["es", "en", "en", "fr", None]
    # French: no model, no score; "e": an error row.
    assert out["score"].dtype == "float64"
    assert out["score"].isna().tolist() == [False, False, False, True, True]
    assert list(out["level"])[3] == "unscored" and list(out["error"])[4] == BAD_CODE + "'e'"
    assert json.loads(list(out["warnings"])[3])[0]["code"] == "unsupported_language"
    # No such column: every row detected (or the default language).
    assert list(frames.score_frame(two_languages, frame)["language"]) == ["en"] * 5
    defaulted = frames.score_frame(two_languages, frame, language_col=None, language="es")
    assert list(defaulted["language"]) == ["es"] * 5


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
