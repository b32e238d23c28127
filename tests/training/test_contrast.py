"""The contrast set and the phrases a reader trusts (`training.evaluation.contrast`): reading
the pairs, counting the summary on hand-made scores, the junk-phrase count, the commit, and the
two report sections (no model needed)."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import COOPERATIVE, ESCALATORY, write_csv
from training.data.sources import DataError
from training.evaluation import contrast, evaluate
from training.evaluation.contrast import (
    CONTRAST_COMMIT,
    Counts,
    Flags,
    Member,
    Pair,
    ScoredPair,
    Tally,
    contrast_figures,
    contrast_texts,
    flag,
    number_only,
    pairs_commit,
    read_pairs,
    render_contrast,
    render_trusted_phrases,
    stop_only,
    summarise,
    tally,
    words,
)

HEADER = "id\tcategory\tescalatory\tcalm\n"


def test_read_pairs_reads_every_file_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "pairs-b.tsv").write_text(HEADER + "b1\tthreat\tB up\tB down\n", encoding="utf-8")
    (tmp_path / "pairs-a.tsv").write_text(
        HEADER + 'a1\ttalks\tTalks "collapsed"\tTalks held\na2\tattack\tShots\tQuiet\n',
        encoding="utf-8",
    )
    (tmp_path / "notes.tsv").write_text(HEADER + "x\tx\tx\tx\n", encoding="utf-8")
    assert read_pairs(tmp_path) == [
        Pair("a1", "talks", 'Talks "collapsed"', "Talks held"),  # quotes kept as written
        Pair("a2", "attack", "Shots", "Quiet"),
        Pair("b1", "threat", "B up", "B down"),
    ]
    assert contrast_texts(read_pairs(tmp_path))[:3] == ['Talks "collapsed"', "Talks held", "Shots"]


def test_the_committed_pairs() -> None:
    pairs = read_pairs()
    assert len(pairs) == 180 and len({p.id for p in pairs}) == 180
    assert Counter(p.category for p in pairs) == dict.fromkeys(
        [
            "attack",
            "economic",
            "mobilisation",
            "negation",
            "refusal",
            "sanctions",
            "talks",
            "threat",
            "ultimatum",
        ],
        20,
    )
    assert all(p.escalatory and p.calm and p.escalatory != p.calm for p in pairs)
    assert len(contrast_texts()) == 360


def _scored(id: str, category: str, up: float, down: float) -> ScoredPair:
    level = lambda s: "high" if s >= 0.5 else "low"  # noqa: E731
    return ScoredPair(
        Pair(id, category, "up", "down"), Member(up, level(up)), Member(down, level(down))
    )


SCORED = [
    _scored("a1", "talks", 0.9, 0.1),  # right, up high
    _scored("a2", "talks", 0.5, 0.5),  # a tie is not ordered right; both at high+ (>=)
    _scored("a3", "attack", 0.3, 0.6),  # wrong, calm high
    _scored("a4", "attack", 0.49, 0.2),  # right, up just below high
    _scored("a5", "talks", 0.8, 0.7),  # right, both high
]


def test_summary_counts_per_category_in_name_order_then_all() -> None:
    summary = summarise(SCORED, high=0.5)
    assert list(summary) == ["attack", "talks", "all"]
    assert summary["talks"] == Counts(pairs=3, ordered_right=2, escalatory_high=3, calm_high=2)
    assert summary["attack"] == Counts(pairs=2, ordered_right=1, escalatory_high=0, calm_high=1)
    assert summary["all"] == Counts(pairs=5, ordered_right=3, escalatory_high=3, calm_high=3)
    assert summary["all"].shares() == {
        "ordered_right": 0.6,
        "escalatory_high": 0.6,
        "calm_high": 0.6,
    }
    assert summarise([], high=0.5) == {"all": Counts(0, 0, 0, 0)}


def test_contrast_figures_and_their_section() -> None:
    files = ["docs/contrast/pairs-a.tsv", "docs/contrast/pairs-b.tsv"]
    figures = contrast_figures(SCORED, 0.5, files, "abc1234")
    assert figures["summary"]["all"]["ordered_right"] == 3
    assert figures["summary"]["all"]["shares"]["calm_high"] == pytest.approx(0.6)
    assert figures["pairs"][1] == {
        "id": "a2",
        "category": "talks",
        "escalatory_score": 0.5,
        "escalatory_level": "high",
        "calm_score": 0.5,
        "calm_level": "high",
        "ordered_right": False,
    }
    lines = render_contrast(figures)
    text = "\n".join(lines)
    assert lines[0] == "## Contrast set"
    assert "`docs/contrast/pairs-a.tsv` and `docs/contrast/pairs-b.tsv`" in text
    assert "independently" in text and "`abc1234`" in text
    assert "| talks | 3 | 66.7% | 100.0% | 66.7% |" in text
    assert "| **all** | 5 | 60.0% | 60.0% | 60.0% |" in text
    assert "| ordered right | 60.0% | ≥ 95% | **no** |" in text
    assert "| calm at high+ | 60.0% | ≤ 10% | **no** |" in text
    assert text.index("<details>") < text.index(
        "| a2 | talks | 0.500 | high | 0.500 | high | **no** |"
    )
    assert "| a1 | talks | 0.900 | high | 0.100 | low | yes |" in text
    assert lines[-1] == "</details>"


def test_pairs_commit_from_git_or_the_constant(tmp_path: Path, monkeypatch) -> None:
    assert pairs_commit(tmp_path) == CONTRAST_COMMIT  # no history: a source tarball
    try:
        subprocess.run(["git", "--version"], capture_output=True, check=True)
    except (OSError, subprocess.SubprocessError):
        pass
    else:
        here = pairs_commit()
        assert here == CONTRAST_COMMIT or len(here) >= 7  # a checkout (or a shallow clone)

    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(contrast.subprocess, "run", no_git)
    assert pairs_commit() == CONTRAST_COMMIT


# The junk-phrase count.


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("on", True),
        ("The", True),
        ("shots were", False),
        ("were from", True),
        ("were \u2026 from", True),
        ("talks \u2026 collapsed", False),
        ("of talks", False),
        ("2014", False),
        ("", False),
        ("\u2026", False),
    ],
)
def test_stop_only(phrase: str, expected: bool) -> None:
    assert stop_only(phrase) is expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("2014", True),
        ("2 000", True),
        ("12 \u2026 30", True),
        ("2 billion", False),
        ("2.5", False),
        ("1st", False),
        ("on", False),
        ("", False),
    ],
)
def test_number_only(phrase: str, expected: bool) -> None:
    assert number_only(phrase) is expected


def test_words_drop_the_ellipsis_of_event_and_cut_phrases() -> None:
    assert words("Talks \u2026 collapsed") == ["talks", "collapsed"]
    assert words("were from the\u2026") == ["were", "from", "the"]


def test_flag_keeps_each_kind_in_order() -> None:
    flags = flag(
        ["border", "on", "2014", "2 billion", "were \u2026 from", "talks \u2026 collapsed"]
    )
    assert flags == Flags(stop=("on", "were \u2026 from"), number=("2014",))
    assert flags.any
    assert not flag(["border", "shots were", "2 billion"]).any


def test_tally_counts_texts_and_each_offender_once_per_text() -> None:
    counted = tally(
        [
            ["border", "on", "on"],  # stop word (twice, counted once)
            ["2014", "army"],  # number
            ["on", "12"],  # both
            ["talks \u2026 collapsed", "2 billion"],  # neither
        ]
    )
    assert (counted.texts, counted.stop, counted.number, counted.either) == (4, 2, 2, 3)
    assert counted.offenders == {"on": 2, "2014": 1, "12": 1}
    figures = counted.figures()
    assert figures["shares"] == {"stop": 0.5, "number": 0.5, "either": 0.75}
    assert list(figures["offenders"].items())[0] == ("on", 2)
    assert Tally().figures()["shares"] == {"stop": None, "number": None, "either": None}


def test_trusted_phrases_section() -> None:
    good = tally([["border"]] * 19 + [["on"]]).figures()  # 5%: met
    phrases = {
        "top": 5,
        "target": 0.10,
        "sets": {"contrast set members": good, "annotated articles": None},
    }
    text = "\n".join(render_trusted_phrases(phrases))
    assert text.startswith("## Phrases a reader trusts\n")
    assert "| contrast set members | 20 | 5.0% | 0.0% | 5.0% | yes |" in text
    assert "| annotated articles | - | - | - | - | not scored (--no-articles) |" in text
    assert '- contrast set members: "on" (1)' in text
    bad = tally([["2014"], ["border"]]).figures()
    phrases["sets"]["annotated articles"] = bad
    assert "| annotated articles | 2 | 0.0% | 50.0% | 50.0% | **no** |" in "\n".join(
        render_trusted_phrases(phrases)
    )


def test_the_report_has_both_sections_after_the_actor_swap(
    tmp_path: Path, tiny_model_path: Path
) -> None:
    rows = [(t, 1, f"e{i % 4}") for i, t in enumerate(ESCALATORY)]
    rows += [(t, 0, f"c{i % 4}") for i, t in enumerate(COOPERATIVE)]
    data = write_csv(tmp_path / "held.csv", rows)
    out = tmp_path / "report"
    args = ["--model", str(tiny_model_path), "--data", str(data), "--out", str(out)]
    code = evaluate.main(
        [*args, "--reps", "20", "--no-ordinary-news", "--no-articles", "--no-events"]
    )
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    figures = metrics["contrast"]
    assert figures["summary"]["all"]["pairs"] == len(figures["pairs"]) == 180
    assert figures["files"] == ["docs/contrast/pairs-a.tsv", "docs/contrast/pairs-b.tsv"]
    assert figures["commit"] == pairs_commit()
    trusted = metrics["trusted_phrases"]["sets"]
    assert trusted["contrast set members"]["texts"] == 360
    assert trusted["annotated articles"] is None  # --no-articles
    report = (out / "report.md").read_text(encoding="utf-8")
    swap, pairs, trust = (
        report.index(h) for h in ("## Actor swap", "## Contrast set", "## Phrases a reader trusts")
    )
    assert swap < pairs < trust
    assert "<details><summary>Every pair (180)</summary>" in report


def test_no_pairs_is_a_clear_error(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(contrast, "read_pairs", lambda: [])
    with pytest.raises(DataError, match="no contrast pairs"):
        contrast.report_figures(None, None, tmp_path)  # type: ignore[arg-type]
