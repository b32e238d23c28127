"""Evaluation: grouped bootstrap, confusion, actor swap, and the report command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from tests.helpers import COOPERATIVE, ESCALATORY, write_csv
from training.evaluation import evaluate
from training.evaluation.actor_swap import PARAGRAPHS, actor_swap_check, swap_actors
from training.evaluation.intervals import confusion_at, grouped_bootstrap_ci
from training.fit import train


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
            *("--reps", "50", "--no-ordinary-news", "--no-articles"),
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


@pytest.fixture
def user_model(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """A model trained on a user's file (recorded by a relative path, as typed), and the file."""
    monkeypatch.chdir(tmp_path)
    rows = [(t, 1, f"e{i % 6}") for i, t in enumerate(ESCALATORY)]
    rows += [(t, 0, f"c{i % 6}") for i, t in enumerate(COOPERATIVE)]
    data = write_csv(tmp_path / "mine.csv", rows)
    out = tmp_path / "model.joblib"
    args = ["--folds", "3", "--jobs", "1", "--article-calibration", "none"]
    assert train.main([*args, "--data", "mine.csv", "--out", str(out)]) == 0
    return out, data


def evaluate_user_model(model: Path, data: Path, out: Path, *extra: str) -> int:
    """escalation-evaluate on the user's model, small and fast."""
    return evaluate.main(
        [
            *("--model", str(model), "--data", str(data), "--out", str(out), "--jobs", "1"),
            *("--reps", "20", "--no-ordinary-news", "--no-articles", *extra),
        ]
    )


def test_cv_and_baseline_rerun_on_the_users_recorded_file(
    tmp_path: Path, user_model: tuple[Path, Path]
) -> None:
    model, data = user_model
    out = tmp_path / "report"
    assert evaluate_user_model(model, data, out, "--cv", "--baseline") == 0
    sections = json.loads((out / "metrics.json").read_text())["sections"]
    for key in ("cv", "baseline"):
        assert sections[key]["metrics"]["mine.csv"]["n"] == 24
    report = (out / "report.md").read_text()
    assert "## Grouped cross-validation, this configuration" in report
    assert "## Grouped cross-validation, plain baseline" in report
    card = (tmp_path / "model.card.md").read_text()
    assert "the user's own data (`mine.csv`)" in card and "CAMEO" not in card


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.unlink(), "cannot be read now"),
        (lambda p: p.write_text(p.read_text() + '"one more",1,x\n'), "changed since the model"),
    ],
)
def test_cv_refuses_a_users_file_that_is_gone_or_changed(
    tmp_path: Path, user_model: tuple[Path, Path], capsys, change, message: str
) -> None:
    model, data = user_model
    held = write_csv(tmp_path / "held.csv", [(ESCALATORY[0], 1, "a"), (COOPERATIVE[0], 0, "b")])
    change(data)
    assert evaluate_user_model(model, held, tmp_path / "report", "--cv") == 2
    err = capsys.readouterr().err
    assert "mine.csv" in err and message in err


def test_cv_of_a_model_without_recorded_sources_is_a_clear_error(
    tmp_path: Path, tiny_model_path: Path, capsys
) -> None:
    held = write_csv(tmp_path / "held.csv", [(ESCALATORY[0], 1, "a"), (COOPERATIVE[0], 0, "b")])
    assert evaluate_user_model(tiny_model_path, held, tmp_path / "r", "--cv") == 2
    assert "records no training sources" in capsys.readouterr().err


def test_protocol_link_is_relative_inside_the_repository_and_named_outside(
    tmp_path: Path,
) -> None:
    root = evaluate.PROTOCOL.parents[1]
    assert evaluate.protocol_link(root / "docs" / "report") == (
        "[docs/evaluation.md](../evaluation.md)"
    )
    assert evaluate.protocol_link(root / "build" / "r") == (
        "[docs/evaluation.md](../../docs/evaluation.md)"
    )
    assert "[" not in evaluate.protocol_link(tmp_path)
    assert "docs/evaluation.md" in evaluate.protocol_link(tmp_path)
