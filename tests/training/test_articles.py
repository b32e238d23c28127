"""Fitting the article map (`training.fit.article_map`) and its place in training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit

from model import Scorer, read_manifest
from model.article import MANIFEST_KEY, ArticleCalibration
from tests.helpers import COOPERATIVE, ESCALATORY, shared_data_dir, write_csv
from training.data.sources import DataError
from training.fit import train as train_module
from training.fit.article_map import ArticleSet, cross_fitted, fit
from training.fit.card import card_path

TRUE = ArticleCalibration(slope=1.4, intercept=-2.0, full_at=8)


def synthetic(n: int, seed: int = 3) -> ArticleSet:
    """Texts whose labels follow `TRUE` applied to their logits, lengths 1..40 sentences."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.5, 2.5, n)
    sentences = rng.integers(1, 41, n)
    y = (rng.random(n) < expit(TRUE.apply(logits, sentences))).astype(int)
    return ArticleSet(tuple(f"a{i}" for i in range(n)), y, logits, sentences, np.ones(n, bool))


def test_the_fit_recovers_the_map_that_made_the_labels() -> None:
    found = fit(synthetic(20_000))
    assert found.full_at == TRUE.full_at
    assert found.slope == pytest.approx(TRUE.slope, abs=0.08)
    assert found.intercept == pytest.approx(TRUE.intercept, abs=0.12)


def test_cross_fitting_scores_every_article_and_ranks_as_the_map_does() -> None:
    data = synthetic(600)
    out = cross_fitted(data)
    assert out.shape == (600,) and np.isfinite(out).all()
    insample = fit(data).apply(data.logits, data.sentences)
    assert np.corrcoef(out, insample)[0, 1] > 0.99
    assert not np.allclose(out, insample)  # the folds' maps differ from the whole fit


def test_one_class_cannot_fit_a_map() -> None:
    data = synthetic(50)
    only = ArticleSet(data.ids, np.zeros(50, dtype=int), data.logits, data.sentences, data.evaluate)
    with pytest.raises(DataError, match="escalatory and not"):
        fit(only)


@pytest.mark.corpora
def test_training_fits_the_map_on_the_annotated_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shared_data_dir() is None:
        pytest.skip("set ESCALATION_DATA_DIR to the corpus mirror to run the corpora tests")
    monkeypatch.setenv("ESCALATION_CACHE_DIR", str(tmp_path / "cache"))
    rows = [(t, 1, f"e{i % 6}") for i, t in enumerate(ESCALATORY)]
    rows += [(t, 0, f"c{i % 6}") for i, t in enumerate(COOPERATIVE)]
    data = write_csv(tmp_path / "mine.csv", rows)
    out = tmp_path / "m.joblib"
    assert train_module.main(["--folds", "3", "--data", str(data), "--out", str(out)]) == 0
    manifest = read_manifest(out)
    entry = manifest["languages"]["en"][MANIFEST_KEY]  # the English model's own map
    assert MANIFEST_KEY not in manifest
    assert entry["source"] == "wikinews" and entry["articles"] >= 200
    assert 0 < entry["carrying"] < entry["articles"]
    assert entry["labels"]["path"] == "docs/annotation/article-labels.tsv"
    assert 0.5 <= entry["cross_fitted"]["roc_auc"] <= 1.0
    scorer = Scorer.load(out)
    assert scorer.article == ArticleCalibration.from_manifest(scorer.manifest)
    assert "### Article calibration" in card_path(out).read_text(encoding="utf-8")
