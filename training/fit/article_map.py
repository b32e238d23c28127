"""The article calibration (`model.article`), fitted on whole articles read by people.

The fit uses the project's annotated Wikinews articles (`wikinews`: two independent readers'
agreed labels), scored by the fitted pipeline before the map. The score is the probability that a
text carries escalatory rhetoric, so mixed articles (a substantial escalatory part) count as
carrying it, as escalatory ones do; ranking metrics compare escalatory with not, mixed apart
(`evaluate`). `slope` and `intercept` maximise the likelihood of
`sigmoid(s(n) * logit + t(n))` with `full_at` fixed. `FULL_AT = 8` sentences was chosen by that
likelihood over 2..24 (docs/decisions.md, the article score). The articles are never training rows
of the pipeline, so their logits are out of sample; the evaluation cross-fits the two parameters
(`cross_fitted`) so no article is scored by a map fitted on its own label.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_expit
from sklearn.model_selection import StratifiedKFold

from model import Scorer
from model.article import ArticleCalibration
from training.data.sources import DataError, Example

log = logging.getLogger("escalation.train")

FULL_AT = 8
SOURCE = "wikinews"


@dataclass(frozen=True)
class ArticleSet:
    """Whole texts with binary labels (`evaluate`: part of the ranking metrics), their logits
    before the article map and their sentence counts."""

    ids: tuple[str, ...]
    y: np.ndarray
    logits: np.ndarray
    sentences: np.ndarray
    evaluate: np.ndarray

    @classmethod
    def score(cls, scorer: Scorer, examples: Sequence[Example]) -> ArticleSet:
        """The examples scored by `scorer` before its map."""
        logits, sentences = scorer.unmapped_logits([e.text for e in examples])
        return cls(
            tuple(e.group for e in examples),
            np.array([e.label for e in examples], dtype=int),
            logits,
            sentences,
            np.array([e.evaluate for e in examples], dtype=bool),
        )

    def subset(self, rows: np.ndarray) -> ArticleSet:
        """The articles at these indices."""
        return ArticleSet(
            tuple(self.ids[i] for i in rows.tolist()),
            self.y[rows],
            self.logits[rows],
            self.sentences[rows],
            self.evaluate[rows],
        )


def _weights(sentences: np.ndarray, full_at: int) -> np.ndarray:
    """`ArticleCalibration.weight` of each count."""
    probe = ArticleCalibration(full_at=full_at)
    return np.array([probe.weight(int(n)) for n in sentences])


def fit(articles: ArticleSet, full_at: int = FULL_AT) -> ArticleCalibration:
    """The maximum-likelihood map for these articles. DataError if it cannot be fitted."""
    if len(np.unique(articles.y)) < 2:
        raise DataError("the article calibration needs escalatory and not escalatory articles")
    x, y = articles.logits, articles.y
    w = _weights(articles.sentences, full_at)

    def loss(params: np.ndarray) -> float:
        z = (1.0 + w * (params[0] - 1.0)) * x + w * params[1]
        return float(-(y * log_expit(z) + (1 - y) * log_expit(-z)).sum())

    found = minimize(loss, np.array([1.0, 0.0]), method="BFGS")
    if not found.success:  # BFGS often stops on precision loss at a usable optimum: say so
        log.warning("article calibration: the optimiser reports %s", found.message)
    try:
        return ArticleCalibration(float(found.x[0]), float(found.x[1]), full_at)
    except ValueError as exc:  # a decreasing map: these articles cannot calibrate the model
        raise DataError(f"the article calibration did not fit: {exc}") from exc


def cross_fitted(articles: ArticleSet, folds: int = 5, seed: int = 13) -> np.ndarray:
    """Out-of-fold logits after the map: each fold's map is fitted on the other folds."""
    out = np.zeros(len(articles.y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(articles.logits, articles.y):
        mapping = fit(articles.subset(train), FULL_AT)
        out[test] = mapping.apply(articles.logits[test], articles.sentences[test])
    return out
