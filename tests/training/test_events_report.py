"""The report's event-pattern figures: the checked sample, precision, the rendered section."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.eventfeatures import phrase_text
from model.text import tokenize_clean
from tests.helpers import shared_data_dir
from training.data.sources import DataError
from training.evaluation.events import (
    COLUMNS,
    SAMPLE,
    precision,
    read_judged,
    render_events,
)


def row(root: str, correct: str) -> dict[str, str]:
    return {"root": root, "correct": correct}


def test_precision_counts_y_in_all_and_by_side_of_the_scale() -> None:
    rows = [row("01", "y"), row("06", "n"), row("18", "y"), row("19", "y"), row("13", "n")]
    figures = precision(rows)
    assert figures["all"] == {"checked": 5, "correct": 3, "precision": 0.6}
    assert figures["cooperation and statements (roots 01-09)"]["precision"] == 0.5
    assert figures["conflict (roots 10-20)"] == {
        "checked": 3,
        "correct": 2,
        "precision": pytest.approx(2 / 3),
    }


def test_a_sample_not_fully_checked_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sample.tsv"
    path.write_text(
        "\t".join(COLUMNS) + "\n1\tngec\t190\tFight\t19\tFIGHT\tfired\tThey fired.\t\t\n"
    )
    with pytest.raises(DataError, match="must be y or n"):
        read_judged(path)


def test_the_committed_sample_is_checked_and_still_what_the_matcher_finds() -> None:
    """Every row of docs/events/precision-sample.tsv is judged, and (with the real dictionary)
    each match is still one the shipped matcher makes in its sentence."""
    rows = read_judged(SAMPLE)
    assert len(rows) == 100 and all(r["correct"] in ("y", "n") for r in rows)
    assert all(r["note"].strip() for r in rows if r["correct"] == "n")
    if shared_data_dir() is None:
        pytest.skip("the real CAMEO dictionary needs ESCALATION_DATA_DIR")
    from training.data.knowledge import event_patterns

    patterns = event_patterns()
    for r in rows:
        tokens = tokenize_clean(r["sentence"])
        starts, ends = [t.start for t in tokens], [t.end for t in tokens]
        found = {
            (m.code, phrase_text(r["sentence"], starts, ends, m.tokens))
            for m in patterns.match([t.norm for t in tokens])
        }
        assert (r["code"], r["matched"]) in found, r["id"]


def test_the_section_shows_coverage_precision_and_weights() -> None:
    figures = {
        "dictionary_sha256": "ab" * 32,
        "rules": {"counts": {"verbs": 3, "blocks": 2, "verb_forms": 9, "patterns_kept": 4}},
        "coverage": {
            "ngec": {
                "sentences": 10,
                "matched": 0.5,
                "negated": 0.1,
                "refused": 0.0,
                "demanded": 0.0,
            },
            "all": {
                "sentences": 10,
                "matched": 0.5,
                "negated": 0.1,
                "refused": 0.0,
                "demanded": 0.0,
            },
        },
        "sample": "docs/events/precision-sample.tsv",
        "precision": precision([row("19", "y"), row("06", "n")]),
        "precision_target": 0.9,
        "weights": [
            {"feature": "root:19", "weight": 1.2, "name": "FIGHT", "goldstein": -10.0},
            {"feature": "scope:negated", "weight": 0.3, "name": "", "goldstein": None},
        ],
    }
    text = "\n".join(render_events(figures))
    assert "| **all** | 10 | 50.0% | 10.0% | 0.0% | 0.0% |" in text
    assert "| all | 2 | 1 | 50.0% |" in text and "target ≥ 90%" in text
    assert "| `root:19` | +1.20 | Fight | -10.0 |" in text
    assert "| `scope:negated` | +0.30 |  |  |" in text
