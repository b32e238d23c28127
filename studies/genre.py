"""A genre-gated mixture, measured out of fold (`python -m studies.experiments genre`).

The diplomatic corpora lose ranking and calibration when ordinary news joins the training rows. The
mixture keeps two experts on the same TF-IDF features: `general`, the default model on every row,
and `diplomatic`, trained on the diplomatic corpora alone (or with other named sources); a gate, a
logistic regression on the same features, gives each text the weight `g` of the general expert,
trained to tell the other rows from the diplomatic ones with both genres weighing the same in
total. A text's logit is `g * a + (1 - g) * d` of the experts' calibrated logits: for a fixed text
that is still one linear function of its features, so phrase contributions would stay exact. Two
probes of where a gate could go: hard routing by corpus (`routed_logits`, an oracle) and a gate
fitted on sentences, a text's weight the mean of its sentences' (`fit_sentence_gate`). This is a
screen, not a shipped model: nothing here is in the artifact or the kernel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from scipy.special import expit
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from model.text import sentence_spans
from training.fit.crossval import TrainingSet, crossfit_platt, grouped_splits
from training.fit.folds import FoldFeatures
from training.fit.pipeline import TrainConfig, build_pipeline, fit_platt


@dataclass(frozen=True)
class ExpertLogits:
    """Raw out-of-fold logits of each expert and of the gate, and each row's fold."""

    general: np.ndarray
    diplomatic: dict[str, np.ndarray]  # by name: one per set of training sources
    gate: np.ndarray  # logit of "not a diplomatic row"
    fold_of: np.ndarray


def genre_weights(weights: np.ndarray, other: np.ndarray) -> np.ndarray:
    """`weights` rescaled so that both genres weigh the same in total (and all rows sum to n)."""
    if other.all() or not other.any():
        raise ValueError("the gate needs rows of both genres")
    out = weights.astype(float).copy()
    for side in (other, ~other):
        out[side] *= len(out) / (2 * out[side].sum())
    return out


def fit_experts(
    clf: Any,
    x: Any,
    y: np.ndarray,
    weights: np.ndarray,
    diplomatic: np.ndarray,
    experts: dict[str, np.ndarray],
) -> dict[str, Any]:
    """Clones of `clf` fitted on these rows: "general" on all, each named expert on its rows,
    and "gate" (no class balancing) to tell the non-diplomatic rows, with both genres weighing
    the same."""
    if {"general", "gate"} & set(experts):
        raise ValueError('"general" and "gate" name the other models, not an expert')
    fitted = {"general": clone(clf).fit(x, y, sample_weight=weights)}
    for name, rows in experts.items():
        fitted[name] = clone(clf).fit(x[rows], y[rows], sample_weight=weights[rows])
    other = ~diplomatic
    gate = clone(clf).set_params(class_weight=None)
    fitted["gate"] = gate.fit(x, other.astype(int), sample_weight=genre_weights(weights, other))
    return fitted


def _fold(
    features: FoldFeatures,
    pipeline: Pipeline,
    data: TrainingSet,
    diplomatic: np.ndarray,
    experts: dict[str, np.ndarray],
    train: np.ndarray,
    test: np.ndarray,
) -> dict[str, np.ndarray]:
    """One fold: `fit_experts` on `train`; each one's raw logits on `test`."""
    x_train, x_test = features.split(train, test)
    fitted = fit_experts(
        pipeline.named_steps["clf"],
        x_train,
        data.y[train],
        data.weights[train],
        diplomatic[train],
        {name: rows[train] for name, rows in experts.items()},
    )
    return {name: clf.decision_function(x_test) for name, clf in fitted.items()}


def expert_logits(
    data: TrainingSet,
    config: TrainConfig,
    diplomatic: np.ndarray,
    experts: dict[str, np.ndarray],
    jobs: int = 1,
    features: FoldFeatures | None = None,
) -> ExpertLogits:
    """Out-of-fold logits of the experts and the gate on `cross_validate`'s folds.
    `diplomatic` marks the diplomatic rows (the gate's 0); `experts` names each diplomatic
    expert's training rows."""
    splits = grouped_splits(data, config)
    pipeline = build_pipeline(config)
    if features is None:
        features = FoldFeatures(pipeline, data.texts)
    fitted = Parallel(n_jobs=min(jobs, len(splits)))(
        delayed(_fold)(features, pipeline, data, diplomatic, experts, train, test)
        for train, test in splits
    )
    n = len(data.y)
    out = {name: np.zeros(n) for name in ("general", "gate", *experts)}
    fold_of = np.zeros(n, dtype=int)
    for k, ((_, test), logits) in enumerate(zip(splits, fitted, strict=True)):
        fold_of[test] = k
        for name, values in logits.items():
            out[name][test] = values
    specialists = {name: out[name] for name in experts}
    return ExpertLogits(out["general"], specialists, out["gate"], fold_of)


def gated_probabilities(
    logits: ExpertLogits,
    y: np.ndarray,
    expert: str,
    expert_rows: np.ndarray,
    shift: float = 0.0,
) -> np.ndarray:
    """The mixture's out-of-fold probabilities: each expert Platt-scaled on its own training
    rows of the other folds (`expert_rows`; the general expert on every row), mixed with the
    gate's weight `expit(gate + shift)` (a positive shift leans on the general expert)."""
    general = crossfit_platt(logits.general, y, logits.fold_of)
    special = crossfit_platt(logits.diplomatic[expert], y, logits.fold_of, rows=expert_rows)
    return expit(mix(general, special, logits.gate + shift))


def mix(general: np.ndarray, diplomatic: np.ndarray, gate: np.ndarray) -> np.ndarray:
    """`g * general + (1 - g) * diplomatic` with `g = expit(gate)`."""
    g = expit(gate)
    return g * general + (1.0 - g) * diplomatic


@dataclass(frozen=True)
class Mixture:
    """The experts and the gate fitted on every row, each expert with the Platt step fitted on
    its own rows' out-of-fold logits: scores texts never trained on."""

    features: Any  # the fitted FeatureUnion
    classifiers: dict[str, Any]  # "general", "gate" and each diplomatic expert
    platt: dict[str, tuple[float, float]]  # "general" and each diplomatic expert

    def transform(self, texts: Sequence[str]) -> Any:
        """The texts' TF-IDF features."""
        return self.features.transform(texts)

    def calibrated(self, x: Any, expert: str) -> np.ndarray:
        """One expert's Platt-scaled logits."""
        a, b = self.platt[expert]
        return a * self.classifiers[expert].decision_function(x) + b

    def probabilities(self, x: Any, expert: str, shift: float = 0.0) -> np.ndarray:
        """The mixture's probabilities with this diplomatic expert and gate shift."""
        gate = self.classifiers["gate"].decision_function(x) + shift
        return expit(mix(self.calibrated(x, "general"), self.calibrated(x, expert), gate))


def fit_mixture(
    data: TrainingSet,
    config: TrainConfig,
    diplomatic: np.ndarray,
    experts: dict[str, np.ndarray],
    found: ExpertLogits,
) -> Mixture:
    """`fit_experts` on every row; each expert's Platt step from its out-of-fold logits."""
    pipeline = build_pipeline(config)
    features = pipeline.named_steps["features"]
    x = features.fit_transform(data.texts)
    classifiers = fit_experts(
        pipeline.named_steps["clf"], x, data.y, data.weights, diplomatic, experts
    )
    platt = {"general": fit_platt(found.general, data.y)}
    for name, rows in experts.items():
        platt[name] = fit_platt(found.diplomatic[name][rows], data.y[rows])
    return Mixture(features, classifiers, platt)


def routed_logits(
    general: np.ndarray, diplomatic: np.ndarray, sources: np.ndarray, routed: Sequence[str]
) -> np.ndarray:
    """Hard routing by corpus, an oracle gate told each row's corpus: the diplomatic expert's
    logits on the `routed` corpora's rows, the general expert's elsewhere."""
    return np.where(np.isin(sources, list(routed)), diplomatic, general)


def sentence_rows(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Every text's sentences (`model.text.sentence_spans`; a text without one stays whole)
    and, for each, the index of its text."""
    out: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(texts):
        for start, end in sentence_spans(text) or [(0, len(text))]:
            out.append(text[start:end])
            owner.append(i)
    return out, np.array(owner, dtype=int)


def sentence_gate_rows(
    texts: Sequence[str], weights: np.ndarray, diplomatic: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The sentence gate's training rows: the sentences, 1 for a non-diplomatic row's, and
    weights that share each row's weight equally among its sentences, then give both genres
    the same total (`genre_weights`)."""
    sentences, owner = sentence_rows(texts)
    counts = np.bincount(owner, minlength=len(texts))
    other = ~diplomatic[owner]
    return sentences, other.astype(int), genre_weights((weights / counts)[owner], other)


def fit_sentence_gate(
    clf: Any, features: Any, texts: Sequence[str], weights: np.ndarray, diplomatic: np.ndarray
) -> Any:
    """A clone of `clf` (no class balancing) fitted on `sentence_gate_rows` to tell the
    non-diplomatic rows' sentences from the diplomatic ones'. `features` is fitted already."""
    sentences, other, shared = sentence_gate_rows(texts, weights, diplomatic)
    gate = clone(clf).set_params(class_weight=None)
    return gate.fit(features.transform(sentences), other, sample_weight=shared)


def sentence_gate_weight(
    gate: Any, features: Any, texts: Sequence[str], shift: float = 0.0
) -> np.ndarray:
    """Each text's weight of the general expert from a sentence gate: the mean over its
    sentences of `expit(gate + shift)`."""
    sentences, owner = sentence_rows(texts)
    g = expit(gate.decision_function(features.transform(sentences)) + shift)
    counts = np.bincount(owner, minlength=len(texts))
    return np.bincount(owner, weights=g, minlength=len(texts)) / counts
