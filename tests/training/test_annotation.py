"""Merging two annotation passes: agreement, kappa, and the labels file the evaluation reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.data.annotation import merge, read_index, read_pass
from training.data.wikinews import read_labels


def test_merge_keeps_agreed_labels_and_reports_kappa(tmp_path: Path) -> None:
    index = tmp_path / "index.tsv"
    index.write_text("n\tid\n1\tsrc:b\n2\tsrc:a\n3\tsrc:c\n4\tsrc:d\n", encoding="utf-8")
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    a.write_text("1\tnot\n2\tescalatory\n3\tmixed\n4\tnot\n", encoding="utf-8")
    # B's slip on 4 corrected by a later line; 3 disagrees.
    b.write_text("1\tnot\n2\tescalatory\n3\tnot\n4\tmixed\n4\tnot\n", encoding="utf-8")
    text, kappa = merge(read_index(index), read_pass(a), read_pass(b))
    rows = [r.split("\t") for r in text.splitlines()]
    assert rows[0] == ["id", "label", "annotator_a", "annotator_b"]
    assert rows[1:] == [
        ["src:a", "escalatory", "escalatory", "escalatory"],
        ["src:b", "not", "not", "not"],
        ["src:c", "", "mixed", "not"],
        ["src:d", "not", "not", "not"],
    ]
    # Observed agreement 3/4, chance agreement (1/4*1/4 + 2/4*3/4 + 1/4*0) = 7/16.
    assert kappa == pytest.approx((3 / 4 - 7 / 16) / (1 - 7 / 16))
    assert len(read_labels(text, "labels.tsv")) == 4


def test_a_pass_with_an_unknown_label_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "a.tsv"
    bad.write_text("1\tnot\n2\tescalating\n", encoding="utf-8")
    with pytest.raises(ValueError, match="a.tsv:2: unknown label 'escalating'"):
        read_pass(bad)
