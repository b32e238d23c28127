"""`bench.phrases` and `bench.contrast`: thin command lines over
`training.evaluation.contrast` (whose counting tests are in tests/training/test_contrast.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import contrast as contrast_bench
from bench import phrases
from training.data.sources import DataError
from training.evaluation import contrast


def test_the_bench_counts_with_the_reports_functions() -> None:
    for name in ("words", "stop_only", "number_only", "flag", "tally", "Flags", "Tally"):
        assert getattr(phrases, name) is getattr(contrast, name)
    assert contrast_bench.read_pairs is contrast.read_pairs


def test_render_prints_the_shares_then_the_offenders() -> None:
    counted = phrases.tally([["on", "border"], ["2014"], ["army"], ["on"]])
    assert phrases.render("contrast set", counted, 5) == [
        "## contrast set: 4 texts\n",
        "| top 5 phrases hold | texts | share |",
        "|---|---:|---:|",
        "| a stop-word-only phrase | 2 | 50.0% |",
        "| a number-only phrase | 1 | 25.0% |",
        "| either (target at most 10%) | 3 | 75.0% |",
        "\nMost frequent junk phrases (texts with it among the top 5):\n",
        "- 2 'on'",
        "- 1 '2014'",
    ]


def test_top_must_be_positive(capsys) -> None:
    with pytest.raises(SystemExit):
        phrases.main(["--top", "0"])
    assert "--top must be at least 1" in capsys.readouterr().err


def test_contrast_bench_prints_its_tables(tiny_model_path: Path, capsys) -> None:
    assert contrast_bench.main(["--model", str(tiny_model_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Contrast set (en): 180 pairs, model tiny-1\n")
    assert "| category | pairs | ordered right | escalatory at high+ | calm at high+ |" in out
    assert "\n| **all** | 180 | " in out and "Ordered wrong (escalatory score, calm score):" in out


def test_contrast_bench_refuses_a_language_the_model_lacks(tiny_model_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        contrast_bench.main(["--model", str(tiny_model_path), "--language", "ar"])
    assert "has no model of 'ar'" in capsys.readouterr().err


def test_contrast_bench_scores_a_languages_own_set(tiny_release_path: Path, capsys) -> None:
    assert contrast_bench.main(["--model", str(tiny_release_path), "--language", "ar"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Contrast set (ar): 90 pairs, model ")
    assert "\n| **all** | 90 | " in out and "\n| ultimatum | 10 | " in out


def test_contrast_bench_refuses_a_language_without_pairs(tiny_release_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        contrast_bench.main(["--model", str(tiny_release_path), "--language", "fr"])
    assert "no contrast pairs in " in capsys.readouterr().err


def test_phrases_bench_without_its_corpora_ends_in_one_line(
    tiny_model_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """The annotated articles' corpora neither mirrored nor downloadable: an error, exit 2."""

    def unavailable() -> list[str]:
        raise DataError("could not download politics.rda; set ESCALATION_DATA_DIR")

    monkeypatch.setattr(phrases, "annotated_texts", unavailable)
    with pytest.raises(SystemExit) as exited:
        phrases.main(["--model", str(tiny_model_path)])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out.count("## ") == 1 and "## contrast set: " in out  # the first set was printed
    assert err.count("\n") == 1  # no traceback
    assert err.endswith(": error: could not download politics.rda; set ESCALATION_DATA_DIR\n")
