"""Uncertainty and thresholds in the evaluation report: grouped-bootstrap intervals of a metric,
and the confusion counts at a level's threshold."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from model import progress
from training.fit.metrics import binary_metrics


def grouped_bootstrap_ci(
    y: np.ndarray,
    p: np.ndarray,
    groups: np.ndarray,
    metric: Callable[[np.ndarray, np.ndarray], float],
    *,
    reps: int = 1000,
    seed: int = 13,
    level: float = 0.95,
    desc: str = "bootstrap",
) -> tuple[float, float]:
    """Percentile interval of `metric` over resamples of whole groups (rows of a group move
    together, as they do in the grouped split). Resamples with one class only are skipped;
    `desc` names the bar of resamples on a terminal."""
    y, p = np.asarray(y), np.asarray(p)
    _, index = np.unique(np.asarray(groups), return_inverse=True)
    members = np.argsort(index, kind="stable")
    bounds = np.cumsum(np.bincount(index))
    starts = bounds - np.bincount(index)
    rng = np.random.default_rng(seed)
    values = []
    for _ in progress.bar(range(reps), desc=desc, unit="resample"):
        picked = rng.integers(0, len(bounds), len(bounds))
        rows = np.concatenate([members[starts[g] : bounds[g]] for g in picked])
        if len(np.unique(y[rows])) == 2:
            values.append(metric(y[rows], p[rows]))
    if not values:
        return float("nan"), float("nan")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def with_intervals(
    y: np.ndarray, p: np.ndarray, groups: np.ndarray, threshold: float, reps: int = 1000
) -> dict[str, float | int]:
    """`binary_metrics` plus grouped-bootstrap 95% intervals for ROC-AUC and average precision."""
    out = binary_metrics(y, p, threshold)
    if len(np.unique(y)) == 2:
        for name, fn in (
            ("roc_auc", roc_auc_score),
            ("average_precision", average_precision_score),
        ):
            out[f"{name}_low"], out[f"{name}_high"] = grouped_bootstrap_ci(
                y, p, groups, fn, reps=reps, desc=f"bootstrap {name}"
            )
    return out


def confusion_at(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float | int]:
    """Counts and precision/recall when `p >= threshold` flags a text as escalatory."""
    y, flagged = np.asarray(y, dtype=bool), np.asarray(p) >= threshold
    tp, fp = int((flagged & y).sum()), int((flagged & ~y).sum())
    fn, tn = int((~flagged & y).sum()), int((~flagged & ~y).sum())
    return {
        "threshold": threshold,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": tp / (tp + fn) if tp + fn else float("nan"),
    }
