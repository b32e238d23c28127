"""The evaluation report: reliability diagrams, precision-recall curves and Markdown tables."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_curve

from training.metrics import ECE_BINS

Curves = Mapping[str, tuple[np.ndarray, np.ndarray]]  # name -> (labels, probabilities)


def _pyplot() -> Any:
    """matplotlib with a file-only backend (an optional dependency: the `report` extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_reliability(curves: Curves, path: Path, title: str) -> Path:
    """One panel per corpus: observed escalatory rate against mean predicted score per bin."""
    plt = _pyplot()
    cols = min(3, len(curves))
    rows = math.ceil(len(curves) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 4 * rows), squeeze=False)
    edges = np.linspace(0, 1, ECE_BINS + 1)
    for ax, (name, (y, p)) in zip(axes.flat, curves.items(), strict=False):
        which = np.clip(np.digitize(p, edges[1:-1]), 0, ECE_BINS - 1)
        filled = [b for b in range(ECE_BINS) if (which == b).any()]
        predicted = [p[which == b].mean() for b in filled]
        observed = [y[which == b].mean() for b in filled]
        sizes = [int((which == b).sum()) for b in filled]
        ax.plot([0, 1], [0, 1], ls="--", c="grey", lw=1)
        ax.plot(predicted, observed, marker="o")
        for x, o, n in zip(predicted, observed, sizes, strict=True):
            ax.annotate(str(n), (x, o), textcoords="offset points", xytext=(4, -10), fontsize=7)
        ax.set(
            title=f"{name} (n={len(y)})",
            xlim=(0, 1),
            ylim=(0, 1),
            xlabel="mean predicted score",
            ylabel="observed escalatory rate",
        )
    for ax in list(axes.flat)[len(curves) :]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_precision_recall(curves: Curves, path: Path, title: str) -> Path:
    """Precision-recall curve of each corpus on one axes, with its base rate."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5))
    for name, (y, p) in curves.items():
        if len(np.unique(y)) < 2:
            continue
        precision, recall, _ = precision_recall_curve(y, p)
        line = ax.plot(recall, precision, label=f"{name} (base rate {y.mean():.2f})")[0]
        ax.axhline(y.mean(), ls=":", lw=1, c=line.get_color())
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="recall", ylabel="precision", title=title)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _interval(m: Mapping[str, Any], name: str) -> str:
    """`0.812 [0.790, 0.833]`, or the bare value when there is no interval."""
    if f"{name}_low" in m:
        return f"{m[name]:.3f} [{m[name + '_low']:.3f}, {m[name + '_high']:.3f}]"
    return f"{m[name]:.3f}"


def metrics_table(section: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Markdown rows: corpus, n, ROC-AUC and AP with intervals, Brier, ECE, F1."""
    lines = [
        "| corpus | n | ROC-AUC [95% CI] | average precision [95% CI] | Brier | ECE | F1 |",
        "|---|---:|---|---|---:|---:|---:|",
    ]
    for name, m in section.items():
        lines.append(
            f"| {name} | {m['n']} | {_interval(m, 'roc_auc')} | "
            f"{_interval(m, 'average_precision')} | {m['brier']:.3f} | {m['ece']:.3f} | "
            f"{m['f1']:.3f} |"
        )
    return lines


def confusion_table(confusions: Mapping[str, list[Mapping[str, Any]]]) -> list[str]:
    """Markdown rows: counts and precision/recall at each level threshold."""
    lines = [
        "| corpus | flagged at | TP | FP | FN | TN | precision | recall |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, rows in confusions.items():
        for c in rows:
            lines.append(
                f"| {name} | ≥ {c['threshold']} | {c['tp']} | {c['fp']} | {c['fn']} | {c['tn']} "
                f"| {c['precision']:.3f} | {c['recall']:.3f} |"
            )
    return lines
