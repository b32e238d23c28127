"""The evaluation report: reliability diagrams, precision-recall curves and Markdown tables."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.calibration import CalibrationDisplay
from sklearn.metrics import PrecisionRecallDisplay

from training.evaluation.checks import EvasionResult
from training.fit.metrics import ECE_BINS

Curves = Mapping[str, tuple[np.ndarray, np.ndarray]]  # name -> (labels, probabilities)


def _pyplot() -> Any:
    """matplotlib with a file-only backend (an optional dependency: the `report` extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_reliability(curves: Curves, path: Path, title: str) -> Path:
    """One panel per corpus: observed escalatory rate against mean predicted score per bin
    (scikit-learn's CalibrationDisplay, `ECE_BINS` equal-width bins as our ECE uses)."""
    plt = _pyplot()
    cols = min(3, len(curves))
    rows = math.ceil(len(curves) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 4 * rows), squeeze=False)
    for ax, (name, (y, p)) in zip(axes.flat, curves.items(), strict=False):
        if len(np.unique(y)) < 2:  # one class: no curve to draw, say so
            ax.set(title=f"{name} (n={len(y)}, one class)")
            continue
        CalibrationDisplay.from_predictions(y, p, n_bins=ECE_BINS, ax=ax, name=name)
        ax.set(title=f"{name} (n={len(y)})", xlim=(0, 1), ylim=(0, 1))
        ax.legend(fontsize=7, loc="upper left")
    for ax in list(axes.flat)[len(curves) :]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_precision_recall(curves: Curves, path: Path, title: str) -> Path:
    """Precision-recall curve of each corpus on one axes (scikit-learn's
    PrecisionRecallDisplay), with its base rate."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5))
    for name, (y, p) in curves.items():
        if len(np.unique(y)) < 2:
            continue
        display = PrecisionRecallDisplay.from_predictions(
            y, p, ax=ax, name=f"{name} (base rate {y.mean():.2f})"
        )
        ax.axhline(y.mean(), ls=":", lw=1, c=display.line_.get_color())
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


def evasion_table(evasion: Mapping[str, Any], twin: str) -> list[str]:
    """The disguised sentence's scores: each disguise's score and change, then NFD against NFC
    of `twin` (what the NFC and NFD texts are)."""
    plain = evasion["plain"]
    lines = ["| disguise | score | change |", "|---|---:|---:|"]
    lines += [f"| {k} | {v:.4f} | {v - plain:+.4f} |" for k, v in evasion["disguised"].items()]
    nfd, nfc = evasion["nfd"], evasion["nfc"]
    return [*lines, f"| NFD against NFC ({twin}) | {nfd:.4f} | {nfd - nfc:+.4f} |"]


def evasion_json(result: EvasionResult) -> dict[str, Any]:
    """`evasion_check`'s result as the report stores it."""
    return {
        "plain": result.plain,
        "disguised": result.disguised,
        "nfc": result.nfc,
        "nfd": result.nfd,
        "max_abs_change": result.max_abs_change,
    }


def swap_table(swap: Mapping[str, Any]) -> list[str]:
    """The actor swap's paragraphs: each one's score as written, swapped, and the change."""
    lines = ["| paragraph | as written | swapped | change |", "|---:|---:|---:|---:|"]
    for i, (a, b) in enumerate(zip(swap["original"], swap["swapped"], strict=True), start=1):
        lines.append(f"| {i} | {a:.3f} | {b:.3f} | {b - a:+.4f} |")
    return lines
