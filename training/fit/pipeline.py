"""The model family: TF-IDF word and character blocks + logistic regression, and its fitting."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from model.clauses import KINDS as SCOPE_KINDS
from model.eventfeatures import KINDS as EVENT_KINDS
from model.eventfeatures import EventAnalyzer, EventReader
from model.events import EventPatterns
from model.text import CharAnalyzer, WordAnalyzer


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one training run (all recorded in the manifest)."""

    word_max_n: int = 2
    char_min_n: int = 2
    char_max_n: int = 5
    use_char: bool = True
    # State names, demonyms and capitals produce no features (model.actors): scores follow the
    # rhetoric, not which country is named.
    mask_actors: bool = True
    min_df: int = 2
    C: float = 1.0
    class_weight: str | None = "balanced"
    # Each corpus' total weight grows with the square root of its size, so a large corpus
    # does not drown the small hand-annotated ones.
    corpus_weighting: str = "sqrt"
    # Then a corpus' weight times this factor: Multi-CoPED's 674 real news sentences get about
    # as much total weight as the largest corpus, the armed-conflict news items half theirs,
    # the project's own pairs half, the ordinary news items a quarter more (measured:
    # docs/decisions.md).
    corpus_boost: tuple[tuple[str, float], ...] = (
        ("multicoped", 5.0),
        ("wikiconflict", 0.5),
        ("pairs", 0.5),
        ("wikicurrent", 1.25),
    )
    calibration: str = "platt"  # or "none": the classifier's own probabilities
    # Whole texts: the length-aware map fitted on the annotated Wikinews articles
    # (`training.fit.article_map`), or "none" (the pipeline's score at every length).
    article_calibration: str = "wikinews"
    folds: int = 5
    seed: int = 13
    max_iter: int = 2000
    # The language whose word rules the analyzers apply (`model.text.rules_for`).
    language: str = "en"
    # Event features (`model.eventfeatures`, English): CAMEO verb pattern matches as a third
    # TF-IDF block, with these `event_kinds` (root, code, goldstein).
    events: bool = False
    event_kinds: tuple[str, ...] = ("root",)
    # Words inside negated, refused or demanded scopes give no word features (the scopes and
    # the events inside them are event features), and with `event_words="mask"` neither do the
    # words of a matched event outside scopes (its features stand for them). Need `events`.
    scopes: bool = False
    event_words: str = "keep"
    # A match inside a scope: "quad" (the scope's kind and its quad class, learned) or "cameo"
    # (what CAMEO codes it: a refused cooperation a rejection, a demanded event a demand).
    event_scopes: str = "quad"
    # The scope kinds that are a feature of their own (their cue and the words they govern).
    scope_features: tuple[str, ...] = ("negated", "refused", "demanded")
    # "features"; "ngrams": function words and bare numbers count only inside word n-grams;
    # "content": only inside n-grams that hold another word, and no pattern match made only of
    # them is an event feature.
    function_words: str = "features"
    # The event block's columns times this factor in the features, so its coefficients are
    # penalised less than the n-grams' (folded into the coefficients once fitted).
    event_weight: float = 1.0

    def __post_init__(self) -> None:
        """Refuse settings the pipeline would not honour (nothing is trained on a typo)."""
        choices = {
            "corpus_weighting": ("none", "sqrt", "equal"),
            "calibration": ("platt", "none"),
            "article_calibration": ("wikinews", "none"),
            "class_weight": (None, "balanced"),
            "function_words": ("features", "ngrams", "content"),
            "event_words": ("keep", "mask"),
            "event_scopes": ("quad", "cameo"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, not {getattr(self, name)!r}")
        if not (1 <= self.word_max_n and 1 <= self.char_min_n <= self.char_max_n):
            raise ValueError("n-gram ranges must be 1 <= word_max_n, 1 <= char_min_n <= char_max_n")
        weight = self.event_weight
        if not (math.isfinite(weight) and weight > 0) or (weight != 1 and not self.events):
            raise ValueError("event_weight must be positive and finite, and 1 without events")
        if self.min_df < 1 or self.C <= 0 or self.folds < 2 or self.max_iter < 1:
            raise ValueError("min_df >= 1, C > 0, folds >= 2 and max_iter >= 1 are required")
        # A manifest's JSON gives lists back: keep the field hashable and comparable.
        boost = tuple((str(name), float(factor)) for name, factor in self.corpus_boost)
        if any(factor <= 0 for _, factor in boost):
            raise ValueError("corpus_boost factors must be positive")
        object.__setattr__(self, "corpus_boost", boost)
        kinds = tuple(str(kind) for kind in self.event_kinds)
        if not kinds or set(kinds) - set(EVENT_KINDS):
            raise ValueError(f"event_kinds must be among {EVENT_KINDS}")
        object.__setattr__(self, "event_kinds", kinds)
        object.__setattr__(self, "scope_features", tuple(map(str, self.scope_features)))
        if set(self.scope_features) - set(SCOPE_KINDS):
            raise ValueError(f"scope_features must be among {SCOPE_KINDS}")
        if (self.scopes or self.event_words == "mask") and not self.events:
            raise ValueError("scopes and event words are read with events: they need events=True")
        if self.language != "en" and (self.events or self.function_words != "features"):
            raise ValueError("event patterns, scopes and function words are English rules")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready hyper-parameters."""
        return asdict(self)


def build_pipeline(config: TrainConfig, patterns: EventPatterns | None = None) -> Pipeline:
    """An unfitted pipeline: `features` (TF-IDF blocks) then `clf` (logistic regression). With
    `config.events`, the event block matches `patterns` (default: the CAMEO dictionary,
    `training.data.knowledge.event_patterns`)."""
    reader = None
    if config.events:
        if patterns is None:
            from training.data.knowledge import event_patterns  # reads the dictionary files

            patterns = event_patterns()
        reader = EventReader(
            patterns,
            kinds=config.event_kinds,
            mask_scopes=config.scopes,
            mask_events=config.event_words == "mask",
            scoped=config.event_scopes,
            scope_features=config.scope_features,
            content_only=config.function_words == "content",
        )

    def block(analyzer: object) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=analyzer, sublinear_tf=True, min_df=config.min_df, dtype=np.float64
        )

    # the words the event reading masks give no word or character features
    masks = reader if reader is not None and reader.masks else None
    rules = (config.mask_actors, config.language, masks, config.function_words)
    blocks = [("word", block(WordAnalyzer(config.word_max_n, *rules)))]
    if config.use_char:
        blocks.append(("char", block(CharAnalyzer(config.char_min_n, config.char_max_n, *rules))))
    if reader is not None:
        blocks.append(("events", block(EventAnalyzer(reader, config.language))))
    clf = LogisticRegression(
        C=config.C,
        class_weight=config.class_weight,
        max_iter=config.max_iter,
        random_state=config.seed,
    )
    weights = {"events": config.event_weight} if reader and config.event_weight != 1 else None
    return Pipeline([("features", FeatureUnion(blocks, transformer_weights=weights)), ("clf", clf)])


def fold_block_weights(pipeline: Pipeline) -> None:
    """Fold a fitted union's block weights into the classifier, `(w x).c == x.(w c)`, so the
    pipeline scores the same with an unweighted union (which the compiled scorer reads)."""
    union = pipeline.named_steps["features"]
    if not isinstance(union, FeatureUnion) or not union.transformer_weights:
        return
    clf = pipeline.named_steps["clf"]
    coef = np.array(clf.coef_, dtype=np.float64)
    at = 0
    for name, vec in union.transformer_list:
        size = len(vec.vocabulary_)
        coef[:, at : at + size] *= union.transformer_weights.get(name, 1.0)
        at += size
    clf.coef_ = coef
    union.transformer_weights = None


def corpus_weights(
    sources: Sequence[str], mode: str, boost: Sequence[tuple[str, float]] = ()
) -> np.ndarray:
    """Per-example weights by corpus, mean 1: a corpus of n rows gets total weight ~ n (`none`),
    ~ sqrt(n) (`sqrt`) or the same as every other corpus (`equal`), times its `boost` factor."""
    power = {"none": 0.0, "sqrt": 0.5, "equal": 1.0}.get(mode)
    if power is None:
        raise ValueError(f"unknown corpus weighting {mode!r}")
    sizes = Counter(sources)
    factor = dict(boost)
    w = np.array([sizes[s] ** -power * factor.get(s, 1.0) for s in sources], dtype=float)
    return w * (len(w) / w.sum())


def fit_platt(
    logits: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None
) -> tuple[float, float]:
    """Platt scaling: `a, b` such that `sigmoid(a * logit + b)` is calibrated."""
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(np.asarray(logits).reshape(-1, 1), y, sample_weight=weights)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def apply_platt(logits: np.ndarray, ab: tuple[float, float]) -> np.ndarray:
    """Calibrated probabilities from raw logits."""
    return expit(ab[0] * np.asarray(logits) + ab[1])


def fold_platt(pipeline: Pipeline, ab: tuple[float, float]) -> None:
    """Fold Platt's `a, b` into the classifier so `predict_proba` is calibrated and contributions
    stay additive: `a * (w.x + c) + b == (a w).x + (a c + b)`."""
    clf = pipeline.named_steps["clf"]
    a, b = ab
    clf.coef_ = clf.coef_ * a
    clf.intercept_ = clf.intercept_ * a + b
