"""Score texts with a loaded artifact: probability, level, phrases, sentences.

The pipeline is `features` (a TfidfVectorizer, or a FeatureUnion of them, using the analyzers of
`model.text`) followed by `clf` (a LogisticRegression whose coefficients already include the
Platt calibration). One `transform` call vectorises every article and every sentence of a batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from model.artifact import Artifact, load_artifact
from model.explain import explain_row
from model.text import CharAnalyzer, WordAnalyzer, split_sentences
from model.types import ArticleScore, Explanation, Phrase, SentenceScore

DEFAULT_TOP_K = 10
# Fallback bands when a manifest carries none: lower bound of each level.
DEFAULT_LEVELS: tuple[tuple[str, float], ...] = (
    ("low", 0.0),
    ("elevated", 0.25),
    ("high", 0.5),
    ("severe", 0.8),
)


def _vectorisers(features: Any) -> list[TfidfVectorizer]:
    """The TF-IDF blocks of the pipeline's feature step, in column order."""
    if isinstance(features, TfidfVectorizer):
        return [features]
    if isinstance(features, FeatureUnion):
        if features.transformer_weights:
            raise ValueError("weighted feature unions are not supported")
        return [t for _, t in features.transformer_list]
    raise ValueError(f"unsupported feature step {type(features).__name__}")


def level_for(score: float, levels: Sequence[tuple[str, float]]) -> str:
    """The highest band whose lower bound the score reaches."""
    name = levels[0][0]
    for band, lower in levels:
        if score >= lower:
            name = band
    return name


class Scorer:
    """A loaded model that scores and explains texts."""

    def __init__(self, artifact: Artifact) -> None:
        """Prepare the pipeline's pieces once; scoring reuses them."""
        self.artifact = artifact
        self.manifest = artifact.manifest
        self.version = artifact.version
        self._features = artifact.pipeline.named_steps["features"]
        clf = artifact.pipeline.named_steps["clf"]
        self._coef = np.asarray(clf.coef_, dtype=np.float64).ravel()
        self._bias = float(np.asarray(clf.intercept_).ravel()[0])
        self._blocks: list[tuple[WordAnalyzer | CharAnalyzer, dict[str, int], int]] = []
        offset = 0
        for vec in _vectorisers(self._features):
            if not isinstance(vec.analyzer, WordAnalyzer | CharAnalyzer):
                raise ValueError("vectorisers must use model.text analyzers")
            self._blocks.append((vec.analyzer, vec.vocabulary_, offset))
            offset += len(vec.vocabulary_)
        levels = self.manifest.get("levels") or [{"name": n, "min": m} for n, m in DEFAULT_LEVELS]
        self.levels: tuple[tuple[str, float], ...] = tuple(
            (str(b["name"]), float(b["min"])) for b in levels
        )

    @classmethod
    def load(cls, path: Path) -> Scorer:
        """Load and verify an artifact file."""
        return cls(load_artifact(path))

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """The calibrated logit of each text (no explanation)."""
        return self._features.transform(list(texts)) @ self._coef + self._bias

    def explain(self, text: str) -> Explanation:
        """Every phrase's contribution for one text, summing exactly to its logit."""
        row = self._features.transform([text]).tocsr()
        return self._explain_row(text, row.indices, row.data)

    def _explain_row(self, text: str, indices: np.ndarray, data: np.ndarray) -> Explanation:
        """Explanation from one sparse row's column indices and TF-IDF values."""
        contributions = data * self._coef[indices]
        phrases = explain_row(text, self._blocks, indices, contributions)
        logit = self._bias + float(contributions.sum())
        return Explanation(bias=self._bias, logit=logit, phrases=tuple(phrases))

    def score(self, text: str, top_k: int = DEFAULT_TOP_K) -> ArticleScore:
        """Score and explain one text."""
        return self.score_many([text], top_k=top_k)[0]

    def score_many(self, texts: Sequence[str], top_k: int = DEFAULT_TOP_K) -> list[ArticleScore]:
        """Score and explain many texts with one vectorisation pass over articles and sentences."""
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        texts = list(texts)
        sentence_spans = [split_sentences(t) for t in texts]
        sentence_texts = [
            t[s:e] for t, spans in zip(texts, sentence_spans, strict=True) for s, e in spans
        ]
        matrix = self._features.transform(texts + sentence_texts).tocsr()
        sentence_scores = expit(matrix[len(texts) :] @ self._coef + self._bias)
        results = []
        cursor = 0
        for i, text in enumerate(texts):
            row = matrix[i]
            explanation = self._explain_row(text, row.indices, row.data)
            n = len(sentence_spans[i])
            sentences = tuple(
                SentenceScore(start=s, end=e, score=float(p))
                for (s, e), p in zip(
                    sentence_spans[i], sentence_scores[cursor : cursor + n], strict=True
                )
            )
            cursor += n
            results.append(self._result(explanation, sentences, top_k))
        return results

    def _result(
        self, explanation: Explanation, sentences: tuple[SentenceScore, ...], top_k: int
    ) -> ArticleScore:
        """Assemble the answer: probability, band and the strongest phrases each way."""
        score = float(expit(explanation.logit))
        ranked = sort_phrases(explanation.phrases)
        up = tuple(p for p in ranked if p.weight > 0)[:top_k]
        down = tuple(p for p in reversed(ranked) if p.weight < 0)[:top_k]
        return ArticleScore(
            score=score,
            level=level_for(score, self.levels),
            phrases=up,
            deescalating_phrases=down,
            sentences=sentences,
            model_version=self.version,
        )


def sort_phrases(phrases: Sequence[Phrase]) -> list[Phrase]:
    """Phrases by descending weight, ties by text (a stable, documented order)."""
    return sorted(phrases, key=lambda p: (-p.weight, p.text))
