"""Frozen result types returned by the scorer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

UNSCORED = "unscored"  # the level of a text no model of the artifact can read


@dataclass(frozen=True, slots=True)
class Phrase:
    """A word or word n-gram, its signed contribution to the logit, and where it occurs."""

    text: str
    weight: float
    spans: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: spans as `[start, end]` pairs."""
        return {"text": self.text, "weight": self.weight, "spans": [list(s) for s in self.spans]}


@dataclass(frozen=True, slots=True)
class SentenceScore:
    """One sentence's `[start, end)` span and its own escalation-risk score."""

    start: int
    end: int
    score: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"start": self.start, "end": self.end, "score": self.score}


@dataclass(frozen=True, slots=True)
class ScopeWarning:
    """Why a score may not be trustworthy for this text (`model.scope`): a code and a message."""

    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Every phrase's contribution: `bias + sum(weights) == logit` exactly."""

    bias: float
    logit: float
    phrases: tuple[Phrase, ...]


@dataclass(frozen=True, slots=True)
class ArticleScore:
    """The scorer's answer for one text. A text in a language without a model has no score:
    `score` None, level `UNSCORED`, no phrases or sentences, and a warning saying why."""

    score: float | None
    level: str
    phrases: tuple[Phrase, ...]
    deescalating_phrases: tuple[Phrase, ...]
    sentences: tuple[SentenceScore, ...]
    model_version: str
    warnings: tuple[ScopeWarning, ...] = ()
    language: str = "en"  # the model that read it, or the language detected when none could

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as the HTTP API and the offline CLI emit it."""
        return {
            "score": self.score,
            "level": self.level,
            "language": self.language,
            "model_version": self.model_version,
            "phrases": [p.to_dict() for p in self.phrases],
            "deescalating_phrases": [p.to_dict() for p in self.deescalating_phrases],
            "sentences": [s.to_dict() for s in self.sentences],
            "warnings": [w.to_dict() for w in self.warnings],
        }
