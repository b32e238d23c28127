"""Article calibration: what a whole-text logit means at the text's length.

The model's own calibration (Platt, folded into its coefficients) is fitted on the training rows,
almost all single sentences. A whole article carries many more features, and its logit is too
high: real news articles that two readers judged not escalatory scored 0.5 or more about one
time in six. The article calibration maps a text of `n` sentences to

    logit' = s(n) * logit + t(n),   s(n) = 1 + w(n) * (slope - 1),   t(n) = w(n) * intercept,
    w(n) = min(1, ln(n) / ln(full_at))   (0 for a text of one sentence or none)

so a single sentence keeps its score (the per-sentence scores are exactly that), and a text of
`full_at` sentences or more gets the whole map. `slope` and `intercept` are fitted at training
time on annotated whole articles (`training.fit.article_map`). Sentences are counted as
`model.text.article_sentences` counts them: a hard-wrapped paragraph counts the sentences it holds,
not its lines. An artifact without the map scores as
trained (the identity). Being affine, the map keeps explanations exact: every phrase's weight is
multiplied by `s(n)` and the intercept becomes `s(n) * bias + t(n)`, so the intercept plus the
phrases' weights still equal the returned logit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.text import article_sentences

MANIFEST_KEY = "article_calibration"


@dataclass(frozen=True)
class ArticleCalibration:
    """The length-aware map of whole-text logits (the identity by default)."""

    slope: float = 1.0
    intercept: float = 0.0
    full_at: int = 8  # sentences from which the whole map applies

    def __post_init__(self) -> None:
        """Refuse a map that is not increasing, or not finite."""
        if not (math.isfinite(self.slope) and math.isfinite(self.intercept)) or self.slope <= 0:
            raise ValueError("the article calibration needs a finite slope > 0 and intercept")
        if isinstance(self.full_at, bool) or not isinstance(self.full_at, int):
            raise ValueError("full_at must be an integer")
        if self.full_at < 2:
            raise ValueError("full_at must be at least 2 sentences")

    def weight(self, sentences: int) -> float:
        """How much of the map applies to a text of this many sentences, in [0, 1]."""
        if sentences <= 1:
            return 0.0
        return min(1.0, math.log(sentences) / math.log(self.full_at))

    def affine(self, sentences: int) -> tuple[float, float]:
        """`(s, t)` for a text of this many sentences: its logit becomes `s * logit + t`."""
        w = self.weight(sentences)
        return 1.0 + w * (self.slope - 1.0), w * self.intercept

    def apply(self, logits: np.ndarray, sentences: np.ndarray) -> np.ndarray:
        """The map applied to the logits of texts with these sentence counts (a new array)."""
        pairs = np.array([self.affine(int(n)) for n in sentences], dtype=np.float64)
        pairs = pairs.reshape(-1, 2)
        return pairs[:, 0] * np.asarray(logits, dtype=np.float64) + pairs[:, 1]

    def to_manifest(self, **provenance: Any) -> dict[str, Any]:
        """JSON-ready form for the manifest, with what it was fitted on."""
        return {
            "slope": self.slope,
            "intercept": self.intercept,
            "full_at_sentences": self.full_at,
            **provenance,
        }

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any]) -> ArticleCalibration:
        """The manifest's calibration; the identity when it has none. ValueError if malformed."""
        entry = manifest.get(MANIFEST_KEY)
        if entry is None:
            return IDENTITY
        try:
            return cls(float(entry["slope"]), float(entry["intercept"]), entry["full_at_sentences"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed {MANIFEST_KEY}: {exc}") from exc


IDENTITY = ArticleCalibration()


def reference_logits(
    pipeline: Any, calibration: ArticleCalibration, texts: Sequence[str]
) -> np.ndarray:
    """What the scorer must return, from scikit-learn's own arithmetic: the pipeline's decision
    function through the map, sentences counted by the Python definition (`model.text`). For
    checks and tests; the scorer computes the same in one compiled pass."""
    logits = pipeline.decision_function(list(texts))
    return calibration.apply(logits, np.array([article_sentences(text) for text in texts]))
