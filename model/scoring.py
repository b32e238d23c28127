"""Score texts with a loaded artifact: probability, level, phrases, sentences.

The pipeline is `features` (TF-IDF blocks using the analyzers of `model.text`) followed by `clf`
(a LogisticRegression whose coefficients already include the Platt calibration). It is compiled
once (`model.compiled`); one pass over an article's tokens scores it and all its sentences. The
whole text's logit then goes through the manifest's article calibration (`model.article`): a text
of one sentence keeps the pipeline's score, an article gets the map fitted on whole articles.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.special import expit

from model import scope
from model.article import ArticleCalibration
from model.artifact import Artifact, ArtifactError, load_artifact
from model.compiled import Analysed, CompiledModel, Scored
from model.eventfeatures import EventReader
from model.explain import PhraseTable
from model.types import ArticleScore, Explanation, Phrase, SentenceScore

DEFAULT_TOP_K = 10
# Caps on what one result lists, so an answer's size does not grow with the text: a 100,000-
# character "War. War. ..." has 20,000 sentences and 20,000 spans of "war".
MAX_SPANS = 20  # spans per phrase: the first ones in the text
MAX_SENTENCES = 100  # sentences: the highest-scoring ones, in text order
MAX_PHRASE_CHARS = 64  # longer phrase texts (junk words only) end in "…" after 63 characters
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
        self.language = artifact.language
        self._model = CompiledModel(artifact.pipeline)
        if self._model.language != self.language:
            raise ValueError(
                f"its {self.language!r} model applies the {self._model.language!r} word rules"
            )
        _check_event_rules(self._model, self.manifest)
        self.article = ArticleCalibration.from_manifest(self.manifest)
        levels = self.manifest.get("levels") or [{"name": n, "min": m} for n, m in DEFAULT_LEVELS]
        self.levels: tuple[tuple[str, float], ...] = tuple(
            (str(b["name"]), float(b["min"])) for b in levels
        )

    @classmethod
    def load(cls, path: Path, language: str = "en") -> Scorer:
        """Load and verify an artifact file's model of `language`; ArtifactError if it cannot
        be scored (`model.routing.Router` reads all its languages)."""
        artifact = load_artifact(path, language)
        try:
            return cls(artifact)
        except ValueError as exc:
            raise ArtifactError(f"{path} holds a pipeline this scorer cannot use: {exc}") from exc

    def event_reader(self) -> EventReader | None:
        """How this model reads events (English), or None: it has no event block."""
        events = self._model.events
        return None if events is None else events.analyzer.reader

    def clear_caches(self) -> None:
        """Forget the word forms seen so far (bounded anyway): the next text starts cold."""
        self._model.clear_caches()

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """The calibrated logit of each text, as `score` returns it (no explanation)."""
        return self.article.apply(*self.unmapped_logits(texts))

    def unmapped_logits(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's logit before the article calibration (the pipeline's decision function)
        and its number of sentences."""
        logits = np.empty(len(texts), dtype=np.float64)
        sentences = np.empty(len(texts), dtype=np.int64)
        for i, text in enumerate(texts):
            scored = self._model.run(text)[1]
            logits[i], sentences[i] = scored.logit, scored.sentence_count
        return logits, sentences

    def sentence_logits(self, text: str) -> np.ndarray:
        """The logit of every sentence of `text` on its own, in text order (none left out)."""
        return self._model.run(text, sentences=True)[1].sentence_logits

    def _calibrated(self, text: str, sentences: bool) -> tuple[Analysed, Scored, float]:
        """Run the model on `text`; its phrase weights and logit through the article
        calibration, and the intercept that goes with them (`model.article`)."""
        analysed, scored = self._model.run(text, sentences=sentences)
        s, t = self.article.affine(scored.sentence_count)
        if s == 1.0 and t == 0.0:
            return analysed, scored, self._model.bias
        scored = replace(scored, logit=s * scored.logit + t, weights=scored.weights * s)
        return analysed, scored, s * self._model.bias + t

    def explain(self, text: str) -> Explanation:
        """Every phrase's contribution for one text: `bias + sum(weights) == logit`."""
        analysed, scored, bias = self._calibrated(text, sentences=False)
        phrases = PhraseTable(analysed, scored).all()
        return Explanation(bias=bias, logit=scored.logit, phrases=phrases)

    def score(
        self,
        text: str,
        top_k: int = DEFAULT_TOP_K,
        max_spans: int = MAX_SPANS,
        max_sentences: int = MAX_SENTENCES,
    ) -> ArticleScore:
        """Score and explain one text with this language's model: its probability, level,
        strongest phrases each way (at most `max_spans` spans each) and the `max_sentences`
        highest-scoring sentences' own scores, in text order."""
        return self.assess(text, top_k, max_spans, max_sentences)[0]

    def assess(
        self,
        text: str,
        top_k: int = DEFAULT_TOP_K,
        max_spans: int = MAX_SPANS,
        max_sentences: int = MAX_SENTENCES,
    ) -> tuple[ArticleScore, scope.Coverage]:
        """`score`, and how many of the text's words the model knows (`model.routing` sends a
        text it barely knows to the model of its language)."""
        _check_caps(top_k, max_spans, max_sentences)
        # Every sentence is scored: `escalatory_passages` counts them all, listed or not.
        analysed, scored, _ = self._calibrated(text, sentences=True)
        table = PhraseTable(analysed, scored)
        words, known = self._model.word_counts(analysed)
        score = float(expit(scored.logit))
        logits = scored.sentence_logits
        sentences: tuple[SentenceScore, ...] = ()
        if max_sentences > 0:
            keep = np.arange(len(logits))
            if len(keep) > max_sentences:  # the strongest, ties to the earlier; text order
                keep = np.sort(np.argsort(-logits, kind="stable")[:max_sentences])
            spans = scored.sentence_spans[keep].tolist()
            sentences = tuple(
                SentenceScore(start=s, end=e, score=p)
                for (s, e), p in zip(spans, expit(logits[keep]).tolist(), strict=True)
            )
        result = ArticleScore(
            score=score,
            level=level_for(score, self.levels),
            phrases=_capped(table.top(top_k, +1), max_spans),
            deescalating_phrases=_capped(table.top(top_k, -1), max_spans),
            sentences=sentences,
            model_version=self.version,
            warnings=(
                *scope.evidence_warnings(known),
                *scope.passage_warnings(score, expit(logits), self.levels),
            ),
            language=self.language,
        )
        return result, scope.Coverage(words, known)

    def score_many(
        self,
        texts: Sequence[str],
        top_k: int = DEFAULT_TOP_K,
        max_spans: int = MAX_SPANS,
        max_sentences: int = MAX_SENTENCES,
    ) -> list[ArticleScore]:
        """Score and explain many texts (each costs what `score` does: nothing is shared but
        the model's caches)."""
        _check_caps(top_k, max_spans, max_sentences)
        return [self.score(text, top_k, max_spans, max_sentences) for text in texts]


def _check_event_rules(model: CompiledModel, manifest: dict[str, object]) -> None:
    """Refuse a model whose event patterns or matching rules are not those its manifest
    recorded (the patterns travel in the model; the matching code is this version's)."""
    features = manifest.get("features")
    if model.events is None or not isinstance(features, dict):
        return
    stored = (features.get("ngrams") or {}).get("events") or {}
    patterns = model.events.analyzer.reader.patterns
    rules = json.loads(json.dumps(patterns.rules()))
    if stored.get("patterns_sha256") != patterns.sha256 or stored.get("rules") != rules:
        raise ValueError(
            "its event patterns or matching rules differ from those it was trained with: "
            "retrain the model"
        )


def _check_caps(top_k: int, max_spans: int, max_sentences: int) -> None:
    """Reject caps the result cannot honour."""
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    if not 1 <= max_spans <= MAX_SPANS:
        raise ValueError(f"max_spans must be in 1..{MAX_SPANS}")
    if not 0 <= max_sentences <= MAX_SENTENCES:
        raise ValueError(f"max_sentences must be in 0..{MAX_SENTENCES}")


def _capped(phrases: tuple[Phrase, ...], max_spans: int) -> tuple[Phrase, ...]:
    """The phrases with at most `max_spans` spans and texts of at most MAX_PHRASE_CHARS."""
    out = []
    for phrase in phrases:
        if len(phrase.spans) > max_spans or len(phrase.text) > MAX_PHRASE_CHARS:
            text = phrase.text
            if len(text) > MAX_PHRASE_CHARS:
                text = text[: MAX_PHRASE_CHARS - 1] + "\u2026"
            phrase = replace(phrase, text=text, spans=phrase.spans[:max_spans])
        out.append(phrase)
    return tuple(out)
