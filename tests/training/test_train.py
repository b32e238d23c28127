"""Training end to end on small files written here; the real corpora when the mirror is set."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.special import expit

from model import ArticleScore, Scorer, load_artifact, read_manifest
from model.artifact import load_release
from model.routing import Router
from tests.helpers import (
    ARABIC_COOPERATIVE,
    ARABIC_ESCALATORY,
    COOPERATIVE,
    ESCALATORY,
    scored,
    tiny_config,
    write_csv,
)
from training.data.provenance import pinned_files
from training.data.registry import DEFAULT_TRAINING, REGISTRY, load_sources
from training.data.sources import LoadedSource
from training.evaluation.checks import (
    ARABIC_EVASION_SENTENCE,
    OFF_TOPIC_PROBES,
    arabic_disguises,
    evasion_check,
)
from training.fit import gates
from training.fit import train as train_module
from training.fit.card import card_path
from training.fit.card import main as card_main
from training.fit.crossval import TrainingSet, cross_validate, crossfit_platt, cv_metrics
from training.fit.folds import FoldFeatures, fold_logits
from training.fit.metrics import expected_calibration_error
from training.fit.pipeline import TrainConfig, build_pipeline, fit_platt, fold_block_weights

METRIC_KEYS = {"roc_auc", "average_precision", "brier", "ece", "f1", "n"}


@pytest.fixture
def user_csv(tmp_path: Path) -> Path:
    rows = [(t, 1, f"e{i % 6}") for i, t in enumerate(ESCALATORY)]
    rows += [(t, 0, f"c{i % 6}") for i, t in enumerate(COOPERATIVE)]
    return write_csv(tmp_path / "mine.csv", rows)


@pytest.fixture
def arabic_csv(tmp_path: Path) -> Path:
    """A user's Arabic training file (the tiny Arabic texts)."""
    rows = [(t, 1, f"e{i % 6}") for i, t in enumerate(ARABIC_ESCALATORY)]
    rows += [(t, 0, f"c{i % 6}") for i, t in enumerate(ARABIC_COOPERATIVE)]
    return write_csv(tmp_path / "arabic.csv", rows)


def train_cli(*args: str) -> int:
    """Run escalation-train with small-data settings (no article map: that needs the
    Wikinews corpus; `test_training_fits_the_map_on_the_annotated_articles` covers it)."""
    return train_module.main(["--folds", "3", "--article-calibration", "none", *args])


def test_training_writes_artifact_card_and_manifest(tmp_path: Path, user_csv: Path) -> None:
    out = tmp_path / "model.joblib"
    assert train_cli("--data", str(user_csv), "--out", str(out)) == 0
    manifest = load_artifact(out).manifest
    assert manifest["language"] == "en" and list(read_manifest(out)["languages"]) == ["en"]
    assert set(manifest["metrics"]["cv"]) == {"pooled", "mine.csv"}
    for metrics in manifest["metrics"]["cv"].values():
        assert METRIC_KEYS <= set(metrics) and metrics["n"] == 24
    (source,) = manifest["sources"]
    assert source["rows"] == 24 and source["positives"] == 12 and len(source["files"]) == 1
    assert manifest["hyperparameters"]["folds"] == 3 and manifest["levels"][0]["name"] == "low"
    assert {"scikit-learn", "numpy", "joblib"} <= set(manifest["libraries"])
    card = card_path(out).read_text(encoding="utf-8")
    assert manifest["version"] in card
    assert "article_calibration" not in manifest  # --article-calibration none
    assert "### Article calibration\nNone: a text of any length" in card
    # English's gate checks the corpora it names: a user's file trains on none of them.
    assert manifest["gate"]["passed"] is True
    assert [c["passed"] for c in manifest["gate"]["checks"]] == [None, None, None]
    assert "## English (en)" in card and "### Quality gate" in card
    # English reads events: the dictionary's files are named, with their licences
    knowledge = {f["path"]: f for f in manifest["knowledge"]}
    assert set(knowledge) == {"petrarch/CAMEO.2.0.txt", "cameo/cameo-codes.csv"}
    assert all(f"`{path}` {f['sha256'][:12]}" in card for path, f in knowledge.items())
    assert manifest["features"]["ngrams"]["events"]["kinds"] == ["root"]
    scorer = Scorer.load(out)
    assert scored(scorer.score(ESCALATORY[0])) > scored(scorer.score(COOPERATIVE[0]))


def test_published_model_gets_its_own_card(
    tmp_path: Path, user_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The publishing recipe of docs/deployment.md: train beside, rename, regenerate the card."""
    live, new = tmp_path / "escalation-model.joblib", tmp_path / "escalation-model.joblib.new"
    assert train_cli("--data", str(user_csv), "--out", str(live)) == 0
    assert train_cli("--data", str(user_csv), "--seed", "7", "--out", str(new)) == 0
    old_version, new_version = (load_artifact(p).version for p in (live, new))
    assert old_version != new_version
    new.rename(live)
    assert old_version in card_path(live).read_text(encoding="utf-8")  # the stale card
    assert card_main([str(live), "--out", str(card_path(live))]) == 0
    card = card_path(live).read_text(encoding="utf-8")
    assert f"# Escalation-risk model {new_version}" in card and old_version not in card
    assert card_main([str(live)]) == 0
    assert capsys.readouterr().out == card


def test_card_of_a_missing_or_foreign_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "notes.joblib"
    foreign.write_text("not a model", encoding="utf-8")
    for path in (tmp_path / "missing.joblib", foreign):
        assert card_main([str(path)]) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err.startswith("escalation-card: error: ")


def test_training_is_deterministic(tmp_path: Path, user_csv: Path) -> None:
    a, b = tmp_path / "a.joblib", tmp_path / "b.joblib"
    assert train_cli("--data", str(user_csv), "--out", str(a)) == 0
    assert train_cli("--data", str(user_csv), "--out", str(b)) == 0
    ma, mb = load_artifact(a), load_artifact(b)
    assert ma.manifest["metrics"] == mb.manifest["metrics"]
    ca, cb = (m.pipeline.named_steps["clf"] for m in (ma, mb))
    assert np.array_equal(ca.coef_, cb.coef_) and np.array_equal(ca.intercept_, cb.intercept_)


def test_bad_data_stops_before_anything_is_written(
    tmp_path: Path, user_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model.joblib"
    assert train_cli("--data", str(user_csv), "--out", str(out)) == 0
    before = out.read_bytes()
    bad = write_csv(tmp_path / "bad.csv", [("fine text", 1, "g"), ("  ", 0, "g")])
    assert train_cli("--data", str(user_csv), "--data", str(bad), "--out", str(out)) == 2
    assert "bad.csv" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_arabic_is_trained_on_a_users_file(tmp_path: Path, arabic_csv: Path) -> None:
    """`--language ar --data file`: an artifact of one Arabic model, Arabic word rules and all."""
    out = tmp_path / "model.joblib"
    assert train_cli("--language", "ar", "--data", str(arabic_csv), "--out", str(out)) == 0
    release = load_release(out)
    assert release.languages == ("ar",)
    manifest = release.model("ar").manifest
    assert manifest["language"] == "ar" and manifest["features"]["spec"]["language"] == "ar"
    assert manifest["hyperparameters"]["language"] == "ar"
    assert manifest["gate"]["passed"] is True
    analyzer = release.model("ar").pipeline.named_steps["features"].transformer_list[0][1].analyzer
    assert analyzer.language == "ar"
    scorer = Scorer.load(out, "ar")
    assert scored(scorer.score(ARABIC_ESCALATORY[0])) > scored(scorer.score(ARABIC_COOPERATIVE[0]))
    assert "## Arabic (ar)" in card_path(out).read_text(encoding="utf-8")


def test_a_users_file_trains_one_language(
    tmp_path: Path, user_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model.joblib"
    args = ("--language", "en", "--language", "ar", "--data", str(user_csv), "--out", str(out))
    assert train_cli(*args) == 2
    assert "--data trains one --language" in capsys.readouterr().err
    assert not out.exists()


def test_a_language_that_misses_its_gate_is_listed_not_published(
    tmp_path: Path, user_csv: Path, arabic_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arabic's held-out news scores high (its gate allows 1% at high or above): the artifact
    holds English only, and lists Arabic under `unsupported` with its figures. (The Arabic gate
    is made to check held-out news after training on this file, and the news is given here.)"""
    config = TrainConfig(folds=3, article_calibration="none")
    english, arabic = load_sources([str(user_csv)]), load_sources([str(arabic_csv)])
    held_out_of = arabic[0].name
    monkeypatch.setitem(
        gates.GATES, "ar", (gates.Check("heldout", "ant-heldout", 0.01, trained=held_out_of),)
    )
    scored: list[tuple[str, list[str]]] = []

    def heldout(scorer: Scorer, trained_on: Sequence[str]) -> dict[str, list[float]]:
        scored.append((scorer.language, list(trained_on)))
        return {"ant-heldout": [0.9, 0.1, 0.2]} if scorer.language == "ar" else {}

    monkeypatch.setattr(train_module, "heldout_scores", heldout)
    plans: dict[str, tuple[Sequence[LoadedSource], TrainConfig]] = {
        "en": (english, config),
        "ar": (arabic, train_module.language_config(config, "ar")),
    }
    out = tmp_path / "model.joblib"
    manifest = train_module.train(plans, out)
    assert manifest == read_manifest(out)
    assert list(manifest["languages"]) == ["en"] and list(manifest["unsupported"]) == ["ar"]
    missed = manifest["unsupported"]["ar"]
    assert missed["gate"]["passed"] is False
    (share,) = [c for c in missed["gate"]["checks"] if c["check"].startswith("ant-heldout")]
    assert share["value"] == pytest.approx(1 / 3) and share["passed"] is False
    assert {"sources", "metrics", "hyperparameters"} <= set(missed)
    assert scored == [("en", [english[0].name]), ("ar", [held_out_of])]
    assert load_release(out).languages == ("en",)
    card = card_path(out).read_text(encoding="utf-8")
    assert "## Arabic (ar): not published (missed its quality gate)" in card
    assert "| ant-heldout: share at high+ <= 1% | 0.333 | **no** |" in card


def test_nothing_is_written_when_no_language_passes(
    tmp_path: Path,
    user_csv: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "model.joblib"
    assert train_cli("--data", str(user_csv), "--out", str(out)) == 0
    before = out.read_bytes()
    # English's gate, made to check its held-out news after this file; the news scores high.
    check = gates.Check("heldout", "wikicurrent-heldout", 0.02, trained=str(user_csv))
    monkeypatch.setitem(gates.GATES, "en", (check,))
    monkeypatch.setattr(
        train_module,
        "heldout_scores",
        lambda scorer, trained_on: {"wikicurrent-heldout": [0.6] * 9},
    )
    assert train_cli("--data", str(user_csv), "--seed", "7", "--out", str(out)) == 2
    assert "no language passed its quality gate (en): nothing written" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_evaluation_only_corpus_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert train_cli("--data", "petrarch", "--out", str(tmp_path / "m.joblib")) == 2
    assert "evaluation only" in capsys.readouterr().err
    assert not (tmp_path / "m.joblib").exists()


def test_a_corpus_of_another_language_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """English corpora never train an Arabic model (nor Arabic ones an English model)."""
    out = tmp_path / "m.joblib"
    assert train_cli("--language", "ar", "--data", "unquad", "--out", str(out)) == 2
    assert "unquad is not ar text: train it with --language en" in capsys.readouterr().err
    assert train_cli("--data", "unquad-ar", "--out", str(out)) == 2
    assert "unquad-ar is not en text: train it with --language ar" in capsys.readouterr().err
    assert not out.exists()


def test_if_missing_keeps_a_valid_artifact(tmp_path: Path, user_csv: Path) -> None:
    out = tmp_path / "model.joblib"
    assert train_cli("--data", str(user_csv), "--out", str(out)) == 0
    stamp = out.stat().st_mtime_ns
    assert train_cli("--if-missing", "--data", str(user_csv), "--out", str(out)) == 0
    assert out.stat().st_mtime_ns == stamp


def test_if_missing_retrains_a_model_of_other_data_or_settings(
    tmp_path: Path, user_csv: Path
) -> None:
    out = tmp_path / "model.joblib"
    assert train_cli("--data", str(user_csv), "--out", str(out)) == 0
    version = load_artifact(out).version
    assert train_cli("--if-missing", "--C", "2", "--data", str(user_csv), "--out", str(out)) == 0
    retrained = load_artifact(out)
    assert retrained.version != version and retrained.manifest["hyperparameters"]["C"] == 2.0
    with user_csv.open("a", encoding="utf-8") as fh:
        fh.write("Troops shelled the border town again.,1,e9\n")
    assert train_cli("--if-missing", "--C", "2", "--data", str(user_csv), "--out", str(out)) == 0
    assert load_artifact(out).version != retrained.version


def _first_file_edited(source: dict[str, Any]) -> None:
    """The recorded files of a model trained before the corpus' first file was edited."""
    first, *rest = source["files"]
    source["files"] = [{**first, "sha256": "0" * 64}, *rest]


@pytest.mark.parametrize(
    ("language", "corpus", "edit"),
    [
        # an artifact of the rows before they were cut anew
        ("ar", "ant", lambda s: s.update(description="ANT Arabic news articles, whole")),
        # an artifact written before descriptions were recorded
        ("ar", "ant", lambda s: s.pop("description")),
        # an artifact of the project's own sentences before an edit pinned anew
        ("en", "pairs", _first_file_edited),
    ],
    ids=["rows cut anew", "no description recorded", "project file edited"],
)
def test_if_missing_retrains_a_model_of_a_corpus_now_read_otherwise(
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    corpus: str,
    edit: Callable[[dict[str, Any]], object],
) -> None:
    config = replace(TrainConfig(), article_calibration="none")
    source = {
        "name": corpus,
        "description": REGISTRY[corpus].description,
        "files": pinned_files(corpus),
    }
    entry = {"sources": [source], "hyperparameters": json.loads(json.dumps(config.to_dict()))}
    monkeypatch.setattr(
        train_module, "read_manifest", lambda path: {"languages": {language: entry}}
    )
    plans = {language: ([corpus], config)}
    assert train_module.already_trained(Path("model.joblib"), plans)
    edit(source)
    assert not train_module.already_trained(Path("model.joblib"), plans)


def test_model_path_env_is_the_default_output(
    tmp_path: Path, user_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "env" / "model.joblib"
    monkeypatch.setenv("ESCALATION_MODEL_PATH", str(target))
    assert train_cli("--data", str(user_csv)) == 0
    assert load_artifact(target).manifest["sources"][0]["name"].endswith("mine.csv")


def toy_set() -> TrainingSet:
    """The test sentences as one corpus in nine groups, every row weighed and evaluated."""
    texts = ESCALATORY + COOPERATIVE
    n = len(texts)
    return TrainingSet(
        texts=texts,
        y=np.array([1] * len(ESCALATORY) + [0] * len(COOPERATIVE)),
        groups=np.array([f"g{i % 9}" for i in range(n)]),
        sources=np.array(["a"] * n),
        weights=np.ones(n),
        evaluate=np.ones(n, dtype=bool),
    )


def test_cv_metrics_skip_rows_not_meant_for_evaluation() -> None:
    data = TrainingSet(
        texts=["a", "b", "c", "d", "e"],
        y=np.array([1, 0, 1, 0, 1]),
        groups=np.array(list("abcde")),
        sources=np.array(["x", "x", "x", "y", "y"]),
        weights=np.ones(5),
        evaluate=np.array([True, True, False, True, True]),
    )
    metrics = cv_metrics(data, np.array([0.9, 0.1, 0.0, 0.2, 0.8]), 0.5)
    assert metrics["pooled"]["n"] == 4 and metrics["x"]["n"] == 2
    assert metrics["x"]["roc_auc"] == 1.0 and metrics["pooled"]["f1"] == 1.0


@pytest.mark.parametrize(
    ("y", "p", "expected"),
    [([0, 1], [0.0, 1.0], 0.0), ([1, 1, 0, 0], [0.9, 0.9, 0.9, 0.9], 0.4), ([1], [0.25], 0.75)],
)
def test_expected_calibration_error(y: list[int], p: list[float], expected: float) -> None:
    assert expected_calibration_error(np.array(y), np.array(p)) == pytest.approx(expected)


SEED = Path(__file__).resolve().parents[3] / "shared/data/seed/nato-preemptive-strike.txt"
COOPERATIVE_PARAGRAPH = (
    "The two governments signed a trade agreement on Tuesday that cuts tariffs on farm goods "
    "and machinery. Under the deal, both sides will also complete a prisoner exchange next "
    "month, releasing detained fishermen and aid workers. The foreign ministers welcomed the "
    "talks as constructive and agreed to meet again to expand cooperation on investment, "
    "health and education."
)


@pytest.mark.corpora
def test_default_corpora_model_meets_acceptance(default_model: Path) -> None:
    """Trained on the public corpora: the seed article is severe, the cooperative paragraph low."""
    if not SEED.is_file():
        pytest.skip(f"the seed article is not at {SEED}")
    manifest = load_artifact(default_model).manifest
    cv = manifest["metrics"]["cv"]
    assert {"pooled", "pooled-diplomatic", *DEFAULT_TRAINING} <= set(cv)
    assert cv["pooled"]["roc_auc"] > 0.8
    scorer = Scorer.load(default_model)
    seed = SEED.read_text(encoding="utf-8")
    article = scorer.score(seed)
    whole = float(expit(scorer.unmapped_logits([seed])[0][0]))
    print(
        json.dumps(
            {
                "seed_score": article.score,
                "whole_text": whole,
                "top5": [p.text for p in article.phrases[:5]],
            }
        )
    )
    # The acceptance figure is the whole text at the pipeline's calibration; the served score goes
    # through the article map, where a typical escalatory article reads `high`.
    assert whole >= 0.8
    assert article.level in ("high", "severe")
    assert any(
        k in p.text for p in article.phrases[:5] for k in ("pre-emptive", "strike", "escalat")
    )
    assert scored(scorer.score(COOPERATIVE_PARAGRAPH)) < 0.3
    # State names are masked: they never appear as phrases, whichever way they push.
    named = {p.text for p in article.phrases + article.deescalating_phrases}
    assert not named & {"russia", "russian", "ukraine", "moscow", "kyiv"}


@pytest.mark.corpora
def test_disguised_text_scores_as_plain_on_the_default_model(default_model: Path) -> None:
    """Invisible, look-alike and fullwidth characters, and NFD: within 0.02 of the plain text."""
    scorer = Scorer.load(default_model)
    result = evasion_check(lambda texts: [scored(scorer.score(t)) for t in texts])
    print(json.dumps({"plain": result.plain, "disguised": result.disguised}))
    assert result.plain >= 0.5
    assert result.max_abs_change <= 0.02


@pytest.mark.corpora
def test_disguised_arabic_scores_as_plain_on_the_default_model(default_model: Path) -> None:
    """Arabic with tashkeel, tatweel, invisible marks, presentation forms, the letters of
    Persian, Urdu and Kurdish keyboards, and NFD: within 0.02 of the plain text."""
    scorer = Router.load(default_model).scorers["ar"]
    result = evasion_check(lambda texts: [scored(scorer.score(t)) for t in texts], "ar")
    print(json.dumps({"plain": result.plain, "disguised": result.disguised}, ensure_ascii=False))
    assert set(result.disguised) == set(arabic_disguises(ARABIC_EVASION_SENTENCE))
    assert result.plain >= 0.5
    assert result.max_abs_change <= 0.02


@pytest.mark.corpora
def test_out_of_scope_input_is_flagged_on_the_default_model(default_model: Path) -> None:
    """A greeting is scored but flagged, an English sentence is not; the Spanish threat goes to
    the Spanish model when Spanish passed its gate, and is answered unscored otherwise."""
    router = Router.load(default_model)
    probes = dict(OFF_TOPIC_PROBES)
    results = {name: router.score(text) for name, text in probes.items()}
    codes = {name: [w.code for w in result.warnings] for name, result in results.items()}
    spanish = results.pop("Spanish threat")
    assert spanish.language == "es"
    if "es" in router.languages:
        assert spanish.score is not None and codes["Spanish threat"] == []
    else:
        assert "es" in router.manifest["unsupported"]
        assert spanish.score is None and spanish.level == "unscored"
        assert codes["Spanish threat"] == ["unsupported_language", "not_english"]
    assert codes["greeting"] == ["little_evidence"]
    assert codes["weather"] == codes["markets"] == []
    assert {result.language for result in results.values()} == {"en"}


@pytest.mark.corpora
def test_the_default_arabic_model_reads_arabic(default_model: Path) -> None:
    """When Arabic passed its gate: an Arabic threat scores high, an Arabic agreement low, and
    state names (with their proclitics) are never phrases."""
    router = Router.load(default_model)
    if "ar" not in router.languages:
        pytest.skip(f"Arabic missed its gate: {router.manifest['unsupported']['ar']['gate']}")
    threat = "حشدت روسيا القوات على الحدود مع تصاعد خطر الحرب وهددت الحكومة بشن ضربات عسكرية."
    agreement = "وقع البلدان اتفاقية تجارية وأشادا بالمحادثات والتعاون مع العراق."
    up, down = router.score(threat), router.score(agreement)
    assert up.language == down.language == "ar"
    assert up.score is not None and down.score is not None and up.score > 0.5 > down.score
    named = {p.text for r in (up, down) for p in r.phrases + r.deescalating_phrases}
    assert not named & {"روسيا", "العراق", "مع العراق"}
    gate = router.manifest["languages"]["ar"]["gate"]
    assert gate["passed"] is True and all(c["passed"] is not False for c in gate["checks"])


@pytest.mark.corpora
def test_the_default_arabic_model_reads_ordinary_headlines_as_calm(default_model: Path) -> None:
    """Short Arabic texts of sport, markets, weather and culture, sent alone, read `low` (the
    model learned ordinary news as headlines and sentences, not only as whole articles); a short
    attack report still reads `high` or above."""
    router = Router.load(default_model)
    if "ar" not in router.languages:
        pytest.skip(f"Arabic missed its gate: {router.manifest['unsupported']['ar']['gate']}")
    calm = (
        "فاز الفريق بالمباراة",
        "ارتفعت أسعار النفط",
        "الطقس جميل اليوم",
        "افتتاح مهرجان المدينة للموسيقى",
        "شكرا جزيلا",
    )
    levels = {t: router.score(t, language="ar").level for t in calm}
    assert set(levels.values()) == {"low"}, levels
    attack = router.score("قتل ثلاثة جنود في هجوم", language="ar")
    assert attack.level in ("high", "severe")


@pytest.mark.parametrize(
    "config",
    [TrainConfig(min_df=2, folds=3), tiny_config(min_df=2, event_weight=3.0)],
    ids=["word and char", "events weighted 3"],
)
def test_fold_features_equal_a_refit_pipeline(config: TrainConfig) -> None:
    """Counting once then selecting per fold gives the logits of a pipeline refit on the fold,
    a weighted event block included."""
    texts = ESCALATORY + COOPERATIVE
    y = np.array([1] * len(ESCALATORY) + [0] * len(COOPERATIVE))
    weights = np.linspace(0.5, 1.5, len(texts))
    train, test = np.arange(0, len(texts), 2), np.arange(1, len(texts), 2)
    fast = fold_logits(
        FoldFeatures(build_pipeline(config), texts), build_pipeline(config), y, weights, train, test
    )
    refit = build_pipeline(config)
    refit.fit([texts[i] for i in train], y[train], clf__sample_weight=weights[train])
    slow = refit.decision_function([texts[i] for i in test])
    assert np.allclose(fast, slow, atol=1e-9, rtol=0)


def test_english_training_reads_content_words_only() -> None:
    """The product's English settings reach the analyzers: no n-gram and no pattern match made
    only of function words, the event block weighted."""
    pipeline = build_pipeline(tiny_config(event_weight=16.0))
    union = pipeline.named_steps["features"]
    blocks = dict(union.transformer_list)
    assert blocks["word"].analyzer.function_words == "content"
    assert blocks["events"].analyzer.reader.content_only is True
    assert union.transformer_weights == {"events": 16.0}
    assert build_pipeline(tiny_config()).named_steps["features"].transformer_weights is None


def test_a_weighted_event_block_is_folded_into_the_coefficients() -> None:
    """The fitted pipeline scores the same once its block weights are folded into the classifier,
    and the weight changes the fit (the event coefficients are penalised less)."""
    texts = ESCALATORY + COOPERATIVE
    y = np.array([1] * len(ESCALATORY) + [0] * len(COOPERATIVE))
    weighted = build_pipeline(tiny_config(event_weight=4.0))
    weighted.fit(texts, y)
    before = weighted.decision_function(texts)
    fold_block_weights(weighted)
    assert weighted.named_steps["features"].transformer_weights is None
    assert np.allclose(weighted.decision_function(texts), before, atol=1e-9, rtol=0)
    plain = build_pipeline(tiny_config()).fit(texts, y)
    assert not np.allclose(plain.decision_function(texts), before)
    with pytest.raises(ValueError, match="event_weight"):
        tiny_config(event_weight=0.0)


def test_counts_shared_between_weightings_give_each_its_own_cv() -> None:
    """`cross_validate` on counts made once (as `studies.experiments frontier` reuses them, under
    another classifier setting) equals a run that counts for itself, for each weighting, and
    the weightings differ; counts of other texts are refused."""
    base = toy_set()
    texts, n = base.texts, len(base.texts)
    config = TrainConfig(min_df=2, folds=3, C=3.0)
    shared = FoldFeatures(build_pipeline(replace(config, C=0.5)), texts)
    runs = []
    for weights in (np.ones(n), np.linspace(0.2, 3.0, n)):
        data = replace(base, weights=weights)
        logits, probs = cross_validate(data, config, features=shared)
        alone_logits, alone_probs = cross_validate(data, config)
        assert np.allclose(logits, alone_logits, atol=1e-9, rtol=0)
        assert np.allclose(probs, alone_probs, atol=1e-9, rtol=0)
        runs.append(logits)
    assert not np.allclose(runs[0], runs[1])
    with pytest.raises(ValueError, match="counts of"):
        cross_validate(base, config, features=FoldFeatures(build_pipeline(config), texts[:-1]))


def test_a_model_the_scorer_disagrees_with_is_not_written(
    tmp_path: Path,
    user_csv: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "model.joblib"
    assert train_cli("--data", str(user_csv), "--out", str(out)) == 0
    before = out.read_bytes()
    real = Scorer.score_many  # the class training checks with (`train_module.Scorer`)

    def off_by_a_little(self: Scorer, texts: list[str], top_k: int = 10) -> list[ArticleScore]:
        return [replace(r, score=scored(r) + 1e-6) for r in real(self, texts, top_k)]

    monkeypatch.setattr(Scorer, "score_many", off_by_a_little)
    assert train_cli("--data", str(user_csv), "--out", str(out)) == 2
    assert "differs from the pipeline" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_clean_profile_drops_unclean_defaults_and_refuses_named_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert train_module.clean_profile(["cameo", "multicoped", "x.csv"], explicit=False) == [
        "cameo",
        "x.csv",
    ]
    args = ("--profile", "clean", "--data", "multicoped", "--out", str(tmp_path / "m.joblib"))
    assert train_cli(*args) == 2
    assert "multicoped has no clean licence" in capsys.readouterr().err
    assert not (tmp_path / "m.joblib").exists()


def test_ctrl_c_exits_130_with_one_line_and_writes_nothing(
    tmp_path: Path,
    user_csv: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "cross_validate", interrupted)
    out = tmp_path / "model.joblib"
    assert train_cli("--data", str(user_csv), "--out", str(out)) == 130
    assert capsys.readouterr().err == "escalation-train: interrupted; nothing was written\n"
    assert list(tmp_path.iterdir()) == [user_csv]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"calibration": "isotonic"}, "calibration must be one of"),
        ({"corpus_weighting": "log"}, "corpus_weighting must be one of"),
        ({"class_weight": "auto"}, "class_weight must be one of"),
        ({"char_min_n": 6}, "n-gram ranges"),
        ({"C": 0.0}, "C > 0"),
        ({"corpus_boost": (("multicoped", 0.0),)}, "factors must be positive"),
        ({"events": True, "event_kinds": ("verbs",)}, "event_kinds must be among"),
        ({"events": True, "scope_features": ("maybe",)}, "scope_features must be among"),
        ({"scopes": True}, "need events=True"),
        ({"events": True, "language": "ar"}, "are English rules"),
        ({"function_words": "ngrams", "language": "es"}, "are English rules"),
        ({"event_scopes": "both"}, "event_scopes must be one of"),
    ],
)
def test_train_config_refuses_settings_it_would_not_honour(
    changes: dict[str, object], message: str
) -> None:
    """`calibration="isotonic"` used to store calibrated CV metrics and ship a raw model."""
    with pytest.raises(ValueError, match=message):
        TrainConfig(**changes)  # type: ignore[arg-type]


def test_train_config_from_a_manifest_equals_the_original() -> None:
    """JSON gives the boosts back as lists: the config made from them is the same config."""
    config = TrainConfig()
    assert TrainConfig(**json.loads(json.dumps(config.to_dict()))) == config


def test_crossfit_platt_never_calibrates_a_fold_with_its_own_labels() -> None:
    rng = np.random.default_rng(0)
    logits, fold_of = rng.normal(size=300), np.arange(300) % 3
    y = (logits + rng.normal(size=300) > 0).astype(int)
    rows = rng.random(300) < 0.7
    out = crossfit_platt(logits, y, fold_of, rows=rows)
    flipped = y.copy()
    flipped[fold_of == 1] = 1 - flipped[fold_of == 1]
    again = crossfit_platt(logits, flipped, fold_of, rows=rows)
    assert np.array_equal(out[fold_of == 1], again[fold_of == 1])
    assert not np.allclose(out[fold_of != 1], again[fold_of != 1])
    a, b = fit_platt(logits[(fold_of != 0) & rows], y[(fold_of != 0) & rows])
    assert np.allclose(out[fold_of == 0], a * logits[fold_of == 0] + b)


def test_cross_validation_logs_each_fold_and_keeps_fold_order(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One line per fold (piped runs see progress), and folds fitted in parallel, which finish
    in any order, give the same out-of-fold logits as one after the other."""
    data = toy_set()
    config = TrainConfig(min_df=2, folds=3)
    with caplog.at_level(logging.INFO, logger="escalation.train"):
        alone = cross_validate(data, config, jobs=1)
        parallel = cross_validate(data, config, jobs=2)
    folds = [
        match.group(1)
        for record in caplog.records
        if (match := re.fullmatch(r"fold (\d) fitted in \d+\.\ds \([123] of 3\)", record.message))
    ]
    assert sorted(folds) == ["1", "1", "2", "2", "3", "3"]
    assert np.array_equal(alone[0], parallel[0]) and np.array_equal(alone[1], parallel[1])


def test_piped_training_draws_no_bar(
    tmp_path: Path,
    user_csv: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Off a terminal (pytest captures stderr) the steps and folds are log lines only."""
    monkeypatch.delenv("CI", raising=False)
    with caplog.at_level(logging.INFO):
        assert train_cli("--data", str(user_csv), "--out", str(tmp_path / "m.joblib")) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "fold/s" not in err and "step/s" not in err
    assert "pooled" in err  # the metrics table, as before
    assert sum(r.message.startswith("fold ") for r in caplog.records) == 3


def test_no_events_trains_english_on_word_and_character_ngrams(
    tmp_path: Path, user_csv: Path
) -> None:
    out = tmp_path / "plain.joblib"
    assert train_cli("--data", str(user_csv), "--no-events", "--out", str(out)) == 0
    manifest = load_artifact(out).manifest
    assert manifest["hyperparameters"]["events"] is False and "knowledge" not in manifest
    assert set(manifest["features"]["ngrams"]) == {"word", "char"}
    assert Scorer.load(out).event_reader() is None
