"""Evaluation: grouped bootstrap, confusion, actor swap, and the report command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from tests.helpers import COOPERATIVE, ESCALATORY, write_csv
from training import evaluate
from training.actor_swap import PARAGRAPHS, actor_swap_check, swap_actors
from training.metrics import confusion_at, grouped_bootstrap_ci


def test_grouped_bootstrap_interval_brackets_the_estimate_and_is_seeded() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    p = np.clip(y * 0.3 + rng.random(400) * 0.7, 0, 1)
    groups = np.arange(400) // 4
    low, high = grouped_bootstrap_ci(y, p, groups, roc_auc_score, reps=300)
    assert low < roc_auc_score(y, p) < high
    assert (low, high) == grouped_bootstrap_ci(y, p, groups, roc_auc_score, reps=300)


def test_grouped_bootstrap_moves_whole_groups() -> None:
    """One group holds every positive: a resample has both classes only when it is drawn."""
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0])
    p = np.linspace(0.9, 0.1, 9)
    groups = np.array([0, 0, 0, 1, 1, 2, 2, 3, 3])
    low, high = grouped_bootstrap_ci(y, p, groups, roc_auc_score, reps=200)
    assert low == high == 1.0  # rows never split from their group, so ranking stays perfect


def test_confusion_at_threshold() -> None:
    c = confusion_at(np.array([1, 1, 0, 0]), np.array([0.9, 0.4, 0.6, 0.1]), 0.5)
    assert (c["tp"], c["fp"], c["fn"], c["tn"]) == (1, 1, 1, 1)
    assert c["precision"] == c["recall"] == 0.5


def test_swap_replaces_longest_names_on_word_boundaries() -> None:
    text = "North Korean envoys met North Korea's allies in Russia; Russians and Iranians agreed."
    expected = (
        "New Zealand envoys met New Zealand's allies in Norway; Russians and Iranians agreed."
    )
    assert swap_actors(text) == expected  # plurals are not on the swap list


def test_actor_swap_check_measures_name_sensitivity() -> None:
    blind = actor_swap_check(lambda texts: np.full(len(texts), 0.5))
    assert blind.mean_abs_change == 0.0 and len(blind.original) == len(PARAGRAPHS)
    biased = actor_swap_check(
        lambda texts: np.array([0.9 if "Russia" in t else 0.1 for t in texts])
    )
    assert biased.max_abs_change == pytest.approx(0.8) and biased.mean_abs_change > 0.02


def test_report_on_a_users_labelled_file(tmp_path: Path, tiny_model_path: Path) -> None:
    rows = [(t, 1, f"e{i % 4}") for i, t in enumerate(ESCALATORY)]
    rows += [(t, 0, f"c{i % 4}") for i, t in enumerate(COOPERATIVE)]
    data = write_csv(tmp_path / "held.csv", rows)
    out = tmp_path / "report"
    code = evaluate.main(
        [
            *("--model", str(tiny_model_path), "--data", str(data), "--out", str(out)),
            *("--reps", "50", "--no-ordinary-news"),
        ]
    )
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    held = metrics["sections"]["held_out"]
    m = held["metrics"]["held.csv"]
    assert m["n"] == 24 and m["roc_auc_low"] <= m["roc_auc"] <= m["roc_auc_high"]
    assert [c["threshold"] for c in held["confusion"]["held.csv"]] == [0.25, 0.5, 0.8]
    for figure in held["figures"]:
        assert (out / figure).read_bytes()[:4] == b"\x89PNG"
    report = (out / "report.md").read_text()
    assert "## Held out: " in report and "## Actor swap" in report
    assert "held.csv" in report and metrics["model"]["version"] == "tiny-1"


def test_unusable_model_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert evaluate.main(["--model", str(tmp_path / "none.joblib"), "--out", str(tmp_path)]) == 2
    assert "no model artifact" in capsys.readouterr().err
