"""The model family: TF-IDF word and character blocks + logistic regression, and its fitting."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

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
    calibration: str = "platt"  # or "none": the classifier's own probabilities
    folds: int = 5
    seed: int = 13
    max_iter: int = 2000

    def to_dict(self) -> dict[str, object]:
        """JSON-ready hyper-parameters."""
        return asdict(self)


def build_pipeline(config: TrainConfig) -> Pipeline:
    """An unfitted pipeline: `features` (TF-IDF blocks) then `clf` (logistic regression)."""
    blocks = [
        (
            "word",
            TfidfVectorizer(
                analyzer=WordAnalyzer(config.word_max_n, config.mask_actors),
                sublinear_tf=True,
                min_df=config.min_df,
                dtype=np.float64,
            ),
        ),
    ]
    if config.use_char:
        blocks.append(
            (
                "char",
                TfidfVectorizer(
                    analyzer=CharAnalyzer(config.char_min_n, config.char_max_n, config.mask_actors),
                    sublinear_tf=True,
                    min_df=config.min_df,
                    dtype=np.float64,
                ),
            )
        )
    clf = LogisticRegression(
        C=config.C,
        class_weight=config.class_weight,
        max_iter=config.max_iter,
        random_state=config.seed,
    )
    return Pipeline([("features", FeatureUnion(blocks)), ("clf", clf)])


def corpus_weights(sources: Sequence[str], mode: str) -> np.ndarray:
    """Per-example weights by corpus, mean 1: a corpus of n rows gets total weight ~ n (`none`),
    ~ sqrt(n) (`sqrt`) or the same as every other corpus (`equal`)."""
    power = {"none": 0.0, "sqrt": 0.5, "equal": 1.0}.get(mode)
    if power is None:
        raise ValueError(f"unknown corpus weighting {mode!r}")
    sizes = Counter(sources)
    w = np.array([sizes[s] ** -power for s in sources], dtype=float)
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
