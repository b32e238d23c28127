"""What every training-side command computes: the training set as arrays, grouped and
stratified cross-validation with cross-fitted Platt scaling, its metrics, and the final fit.
`escalation-train`, `escalation-evaluate` and the experiments all build on it."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from scipy.special import expit
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline

from model import progress
from model.scoring import DEFAULT_LEVELS
from training.data.sources import DataError, LoadedSource
from training.fit.folds import FoldFeatures, fold_logits
from training.fit.metrics import binary_metrics, source_masks
from training.fit.pipeline import (
    TrainConfig,
    apply_platt,
    build_pipeline,
    corpus_weights,
    fit_platt,
    fold_block_weights,
    fold_platt,
)

log = logging.getLogger("escalation.train")
# The score at which the level becomes "high": F1 and alerting use it.
ALERT_LEVEL = "high"


@dataclass(frozen=True)
class TrainingSet:
    """Examples as aligned arrays."""

    texts: list[str]
    y: np.ndarray
    groups: np.ndarray
    sources: np.ndarray
    weights: np.ndarray
    evaluate: np.ndarray

    @classmethod
    def from_sources(cls, loaded: Sequence[LoadedSource], config: TrainConfig) -> TrainingSet:
        """Flatten loaded sources; corpus weighting multiplies each row's own weight."""
        examples = [ex for src in loaded for ex in src.examples]
        sources = [ex.source for ex in examples]
        own = np.array([ex.weight for ex in examples], dtype=float)
        return cls(
            texts=[ex.text for ex in examples],
            y=np.array([ex.label for ex in examples], dtype=int),
            groups=np.array([f"{ex.source}\x1f{ex.group}" for ex in examples]),
            sources=np.array(sources),
            weights=own * corpus_weights(sources, config.corpus_weighting, config.corpus_boost),
            evaluate=np.array([ex.evaluate for ex in examples], dtype=bool),
        )


def alert_threshold() -> float:
    """Lower bound of the alerting level."""
    return dict(DEFAULT_LEVELS)[ALERT_LEVEL]


def cross_validate(
    data: TrainingSet, config: TrainConfig, jobs: int = 1, features: FoldFeatures | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold logits and calibrated probabilities from grouped, stratified K-fold.

    Platt scaling is cross-fitted: each fold's logits are calibrated with parameters fitted on
    the other folds' out-of-fold logits, so no fold's labels calibrate its own predictions.
    `features`, the term counts of `data.texts` made with a pipeline of the same analyzers,
    `min_df` and TF-IDF settings as `config`'s, saves counting them again when several runs
    differ only in weights or the classifier's settings.
    """
    splits = grouped_splits(data, config)
    folds = len(splits)
    pipeline = build_pipeline(config)
    started = time.perf_counter()
    if features is not None and features.rows != len(data.texts):
        raise ValueError(f"counts of {features.rows} texts given for {len(data.texts)}")
    logits = np.zeros(len(data.y))
    fold_of = np.zeros(len(data.y), dtype=int)
    with progress.bar(desc="cross-validation", total=folds, unit="fold") as shown:
        if features is None:
            shown.set_postfix_str("counting terms")
            features = FoldFeatures(pipeline, data.texts)
            spent = time.perf_counter() - started
            log.info("counted terms of %d texts in %.1fs", len(data.texts), spent)
            shown.set_postfix_str("")
        fitted = Parallel(n_jobs=min(jobs, folds), return_as="generator_unordered")(
            delayed(_timed_fold_logits)(k, features, pipeline, data.y, data.weights, train, test)
            for k, (train, test) in enumerate(splits)
        )
        for done, (k, fold, seconds) in enumerate(fitted, start=1):
            logits[splits[k][1]] = fold
            fold_of[splits[k][1]] = k
            log.info("fold %d fitted in %.1fs (%d of %d)", k + 1, seconds, done, folds)
            shown.update()
    log.info("%d folds fitted in %.1fs", folds, time.perf_counter() - started)
    if config.calibration == "none":
        return logits, apply_platt(logits, (1.0, 0.0))
    return logits, expit(crossfit_platt(logits, data.y, fold_of, data.weights > 0))


def _timed_fold_logits(
    k: int,
    features: FoldFeatures,
    pipeline: Pipeline,
    y: np.ndarray,
    weights: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
) -> tuple[int, np.ndarray, float]:
    """`fold_logits` of fold `k`, with `k` and the seconds it took (folds finish in any order)."""
    started = time.perf_counter()
    logits = fold_logits(features, pipeline, y, weights, train, test)
    return k, logits, time.perf_counter() - started


def grouped_splits(data: TrainingSet, config: TrainConfig) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) row indices of each fold: grouped, stratified, seeded."""
    n_groups = len(np.unique(data.groups))
    folds = min(config.folds, n_groups)
    if folds < 2:
        raise DataError(f"grouped cross-validation needs at least 2 groups, found {n_groups}")
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    return list(splitter.split(data.texts, data.y, data.groups))


def crossfit_platt(
    logits: np.ndarray, y: np.ndarray, fold_of: np.ndarray, rows: np.ndarray | None = None
) -> np.ndarray:
    """Platt-scaled logits, each fold's with parameters fitted on the other folds' logits (of
    `rows` only, when given), so no fold's labels calibrate its own predictions."""
    fit_on = np.ones(len(y), dtype=bool) if rows is None else rows
    out = np.zeros(len(y))
    for k in np.unique(fold_of):
        held = fold_of == k
        a, b = fit_platt(logits[~held & fit_on], y[~held & fit_on])
        out[held] = a * logits[held] + b
    return out


def cv_metrics(data: TrainingSet, probs: np.ndarray, threshold: float) -> dict[str, Any]:
    """Pooled and per-corpus metrics of out-of-fold probabilities on evaluation rows."""
    keep = data.evaluate
    y, p = data.y[keep], probs[keep]
    masks = source_masks(data.sources[keep], pooled_alone=True)
    return {name: binary_metrics(y[m], p[m], threshold) for name, m in masks.items()}


def fit_final(data: TrainingSet, config: TrainConfig, cv_logits: np.ndarray) -> Pipeline:
    """Fit on every row; Platt parameters come from the out-of-fold logits of the rows with a
    training weight."""
    log.info("final fit on all %d rows", len(data.y))
    pipeline = build_pipeline(config)
    pipeline.fit(data.texts, data.y, clf__sample_weight=data.weights)
    fold_block_weights(pipeline)
    if config.calibration == "platt":  # on the rows trained on (evaluation-only rows aside)
        trained = data.weights > 0
        fold_platt(pipeline, fit_platt(cv_logits[trained], data.y[trained]))
    return pipeline


def format_metrics(metrics: dict[str, Any]) -> str:
    """A fixed-width table of CV metrics."""
    cols = ("roc_auc", "average_precision", "brier", "ece", "f1")
    lines = [f"{'corpus':<16}{'n':>7}" + "".join(f"{c:>19}" for c in cols)]
    for name, m in metrics.items():
        lines.append(f"{name:<16}{m['n']:>7}" + "".join(f"{m[c]:>19.3f}" for c in cols))
    return "\n".join(lines)


def command_parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    """A training-side command: progress logged to stderr, the module docstring as help."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    return argparse.ArgumentParser(
        prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
