"""Score texts with a loaded artifact: probability, level, phrases, sentences.

The pipeline is `features` (TF-IDF blocks using the analyzers of `model.text`) followed by `clf`
(a LogisticRegression whose coefficients already include the Platt calibration). It is compiled
once (`model.compiled`); one pass over an article's tokens scores it and all its sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.special import expit

from model import scope
from model.artifact import Artifact, ArtifactError, load_artifact
from model.compiled import CompiledModel
from model.explain import PhraseTable
from model.types import ArticleScore, Explanation, SentenceScore

DEFAULT_TOP_K = 10
# Fallback bands when a manifest carries none: lower bound of each level.
DEFAULT_LEVELS: tuple[tuple[str, float], ...] = (
    ("low", 0.0),
    ("elevated", 0.25),
    ("high", 0.5),
    ("severe", 0.8),
)


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
        """Compile the pipeline once; scoring reuses it."""
        self.artifact = artifact
        self.manifest = artifact.manifest
        self.version = artifact.version
        self._model = CompiledModel(artifact.pipeline)
        scope.prepare()
        levels = self.manifest.get("levels") or [{"name": n, "min": m} for n, m in DEFAULT_LEVELS]
        self.levels: tuple[tuple[str, float], ...] = tuple(
            (str(b["name"]), float(b["min"])) for b in levels
        )

    @classmethod
    def load(cls, path: Path) -> Scorer:
        """Load and verify an artifact file; ArtifactError if it cannot be scored."""
        artifact = load_artifact(path)
        try:
            return cls(artifact)
        except ValueError as exc:
            raise ArtifactError(f"{path} holds a pipeline this scorer cannot use: {exc}") from exc

    def clear_caches(self) -> None:
        """Forget the word forms seen so far (bounded anyway): the next text starts cold."""
        self._model.clear_caches()

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """The calibrated logit of each text (no explanation)."""
        return self._model.logits(texts)

    def explain(self, text: str) -> Explanation:
        """Every phrase's contribution for one text, summing exactly to its logit."""
        analysed, scored = self._model.run(text)
        phrases = PhraseTable(analysed, scored).all()
        return Explanation(bias=self._model.bias, logit=scored.logit, phrases=phrases)

    def score(self, text: str, top_k: int = DEFAULT_TOP_K) -> ArticleScore:
        """Score and explain one text: its probability, level, strongest phrases each way and
        every sentence's own score."""
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        analysed, scored = self._model.run(text, sentences=True)
        table = PhraseTable(analysed, scored)
        words, known = self._model.word_counts(analysed)
        score = float(expit(scored.logit))
        spans = scored.sentence_spans.tolist()
        sentences = expit(scored.sentence_logits).tolist()
        return ArticleScore(
            score=score,
            level=level_for(score, self.levels),
            phrases=table.top(top_k, +1),
            deescalating_phrases=table.top(top_k, -1),
            sentences=tuple(
                SentenceScore(start=s, end=e, score=p)
                for (s, e), p in zip(spans, sentences, strict=True)
            ),
            model_version=self.version,
            warnings=scope.warnings_for(analysed.text, words, known),
        )

    def score_many(self, texts: Sequence[str], top_k: int = DEFAULT_TOP_K) -> list[ArticleScore]:
        """Score and explain many texts (each costs what `score` does: nothing is shared but
        the model's caches)."""
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        return [self.score(text, top_k) for text in texts]
