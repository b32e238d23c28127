"""Score texts in the languages an artifact reads: each text goes to its language's model.

A request may name the language (ISO 639-1); otherwise it is found as cheaply as it can be
(`model.scope`): a text in Latin letters goes to the English model (or, in an artifact without
one, the first trained), which keeps it when it knows at least `scope.COVERAGE` of its words;
any other text is shown to the language identifier and goes to that language's model. A text
in a language without a model gets no score (level `unscored`), a warning naming the language,
and no phrases: never a guess from another language's model. Batch items are routed one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from model import scope
from model.artifact import ArtifactError, Release, load_release
from model.scoring import DEFAULT_TOP_K, MAX_SENTENCES, MAX_SPANS, Scorer
from model.types import UNSCORED, ArticleScore, ScopeWarning


@dataclass(frozen=True)
class Route:
    """Where a text goes: `language` (requested or detected), whether a model reads it, and the
    identifier's probability when it was asked (None otherwise)."""

    language: str
    supported: bool
    probability: float | None = None


class Router:
    """The models of one artifact, one per language, and the rule that picks one."""

    def __init__(self, release: Release) -> None:
        """Compile every language's model once."""
        self.release = release
        self.manifest = release.manifest
        self.version = release.version
        self.scorers = {code: Scorer(model) for code, model in release.models.items()}
        # Asked first about a text in Latin letters: English when the artifact reads it.
        self.first = self.scorers.get("en") or next(iter(self.scorers.values()))
        self.levels = self.first.levels

    @classmethod
    def load(cls, path: Path) -> Router:
        """Load and verify an artifact file; ArtifactError if it cannot be scored."""
        release = load_release(path)
        try:
            return cls(release)
        except ValueError as exc:
            raise ArtifactError(f"{path} holds a pipeline this scorer cannot use: {exc}") from exc

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages with a model."""
        return tuple(self.scorers)

    def clear_caches(self) -> None:
        """Forget the word forms seen so far in every language."""
        for scorer in self.scorers.values():
            scorer.clear_caches()

    def route(self, text: str, language: str | None = None) -> Route:
        """Where `score` sends `text` (without scoring it when it can help it)."""
        if language is not None:
            return Route(language, language in self.scorers)
        if self._first_reads(text) and self.first.assess(text, top_k=1, max_sentences=0)[1].enough:
            return Route(self.first.language, True)
        return self._detected(text)

    def _first_reads(self, text: str) -> bool:
        """Whether the first model is asked before the identifier: with an English model,
        texts in Latin letters are and texts in another script go straight to the identifier;
        without one, every text is."""
        return self.first.language != "en" or scope.mostly_ascii(text)

    def _detected(self, text: str) -> Route:
        """The route the language identifier gives: its language's model, or none. A long text
        is read at the start, middle and end of what a reader sees of it (`scope.visible`,
        `scope.sample_starts`) and goes where two of them agree (an English article under a
        French lead is English), else where it starts."""
        found: list[tuple[str, float]] = []
        seen = scope.visible(text)
        for start in scope.sample_starts(seen):
            code, probability = scope.identify(seen[start : start + scope.LANGUAGE_SAMPLE])
            # two samples agree (the first one's probability): the third need not be read
            agreed = next((one for one in found if one[0] == code), None)
            if agreed is not None:
                return Route(code, code in self.scorers, agreed[1])
            found.append((code, probability))
        code, probability = found[0]
        return Route(code, code in self.scorers, probability)

    def score(
        self,
        text: str,
        top_k: int = DEFAULT_TOP_K,
        max_spans: int = MAX_SPANS,
        max_sentences: int = MAX_SENTENCES,
        language: str | None = None,
    ) -> ArticleScore:
        """Score and explain one text with its language's model (`Scorer.score`), or say
        which language no model reads."""
        caps = (top_k, max_spans, max_sentences)
        if language is None and self._first_reads(text):
            result, coverage = self.first.assess(text, *caps)
            if coverage.enough:
                return result
            route = self._detected(text)
            if route.language == self.first.language:
                return result
        else:
            route = self.route(text, language)
        if route.supported:
            return self.scorers[route.language].score(text, *caps)
        return self._unsupported(route)

    def _unsupported(self, route: Route) -> ArticleScore:
        """The answer for a text in a language without a model."""
        warning = scope.unsupported(route.language, route.probability, self.languages)
        alias = scope.NOT_ENGLISH if route.language != "en" else None
        return ArticleScore(
            score=None,
            level=UNSCORED,
            phrases=(),
            deescalating_phrases=(),
            sentences=(),
            model_version=self.version,
            warnings=(warning,) + ((ScopeWarning(alias, warning.message),) if alias else ()),
            language=route.language,
        )

    def score_many(
        self,
        texts: Sequence[str],
        top_k: int = DEFAULT_TOP_K,
        max_spans: int = MAX_SPANS,
        max_sentences: int = MAX_SENTENCES,
        languages: Sequence[str | None] | None = None,
    ) -> list[ArticleScore]:
        """Score and explain many texts, each routed on its own (`languages`: one requested
        language or None per text)."""
        chosen = languages if languages is not None else [None] * len(texts)
        if len(chosen) != len(texts):
            raise ValueError("languages must give one entry per text")
        return [
            self.score(text, top_k, max_spans, max_sentences, language)
            for text, language in zip(texts, chosen, strict=True)
        ]
