"""The metrics a model is judged by: binary metrics per corpus and pooled, as grouped
cross-validation reports them at training (the manifest) and the evaluation report reuses."""

from __future__ import annotations

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
