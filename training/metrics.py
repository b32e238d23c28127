"""Evaluation metrics shared by training (grouped CV) and the evaluation report."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, brier_score_loss, f1_score, roc_auc_score

ECE_BINS = 10


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = ECE_BINS) -> float:
    """Mean |observed rate - mean prediction| over equal-width bins, weighted by bin size."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(y[mask].mean() - p[mask].mean())
    return float(total / len(y)) if len(y) else float("nan")


def binary_metrics(y: npt.ArrayLike, p: npt.ArrayLike, threshold: float) -> dict[str, float | int]:
    """ROC-AUC, average precision, Brier, ECE and F1 at `threshold` (NaN when one class only)."""
    y, p = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    both = len(np.unique(y)) == 2
    return {
        "roc_auc": float(roc_auc_score(y, p)) if both else float("nan"),
        "average_precision": float(average_precision_score(y, p)) if both else float("nan"),
        "brier": float(brier_score_loss(y, p)),
        "ece": expected_calibration_error(y, p),
        "f1": float(f1_score(y, p >= threshold, zero_division=0.0)),
        "n": int(len(y)),
    }


def grouped_bootstrap_ci(
    y: np.ndarray,
    p: np.ndarray,
    groups: np.ndarray,
    metric: Callable[[np.ndarray, np.ndarray], float],
    *,
    reps: int = 1000,
    seed: int = 13,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of `metric` over resamples of whole groups (rows of a group move
    together, as they do in the grouped split). Resamples with one class only are skipped."""
    y, p = np.asarray(y), np.asarray(p)
    _, index = np.unique(np.asarray(groups), return_inverse=True)
    members = np.argsort(index, kind="stable")
    bounds = np.cumsum(np.bincount(index))
    starts = bounds - np.bincount(index)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(reps):
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
                y, p, groups, fn, reps=reps
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


# The four corpora of the first models (political and diplomatic rhetoric): their pooled figure
# stays comparable across models trained on more.
DIPLOMATIC = ("unscon", "cameo", "ngec", "unquad")


def source_masks(sources: np.ndarray, *, pooled_alone: bool) -> dict[str, np.ndarray]:
    """Row masks: "pooled" (every row), then one per source in order of appearance. With a single
    source, "pooled" is included only when `pooled_alone` (the manifest always has it)."""
    names = list(dict.fromkeys(np.asarray(sources).tolist()))
    masks = {"pooled": np.ones(len(sources), dtype=bool)} if pooled_alone or len(names) > 1 else {}
    if set(DIPLOMATIC) <= set(names) and len(names) > len(DIPLOMATIC):
        masks["pooled-diplomatic"] = np.isin(sources, DIPLOMATIC)
    for name in names:
        masks[name] = sources == name
    return masks
