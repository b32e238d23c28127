"""The project's own training sentences (`training.data.pairs`): reading, refusals, the pinned
files of each language, and the line that keeps them apart from the contrast sets the models are
measured on."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from training.data import registry
from training.data.pairs import (
    COLUMNS,
    PAIRS_NAME,
    PAIRS_PATH,
    SENSE_COLUMNS,
    SENSES_NAME,
    WRITTEN,
    pairs_examples,
    read_pairs,
    read_senses,
    written_adapter,
)
from training.data.registry import REGISTRY, load_corpus
from training.data.sources import DataError, ProjectFile, SourceFile
from training.evaluation.contrast import contrast_dir
from training.evaluation.contrast import read_pairs as read_contrast_pairs

HEADER = "\t".join(COLUMNS) + "\n"
SENSES_HEADER = "\t".join(SENSE_COLUMNS) + "\n"


def write(tmp_path: Path, body: str, name: str = "pairs.tsv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def test_a_pair_is_two_rows_in_one_group_and_a_sense_one_row(tmp_path: Path) -> None:
    paths = {
        PAIRS_NAME: write(
            tmp_path,
            "w1-01\t1\ttalks\tTalks collapsed.\tTalks resumed.\n"
            'w2-01\t2\tthreat\t"We will strike," he said.\t"We will talk," he said.\n',
        ),
        SENSES_NAME: write(
            tmp_path, "s1-01\t1\tcollapsed\tA bridge collapsed.\n", "senses.tsv", SENSES_HEADER
        ),
    }
    got = [(e.text, e.label, e.group, e.topic) for e in pairs_examples(paths)]
    assert got == [
        ("Talks collapsed.", 1, "pairs:w1-01", "talks"),
        ("Talks resumed.", 0, "pairs:w1-01", "talks"),
        ('"We will strike," he said.', 1, "pairs:w2-01", "threat"),  # quotes as written
        ('"We will talk," he said.', 0, "pairs:w2-01", "threat"),
        ("A bridge collapsed.", 0, "pairs:s1-01", "sense"),
    ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("w1-01\t1\ttalks\tSame.\tSame.\n", r"pairs\.tsv:2: the two members are the same"),
        ("w1-01\t1\ttalks\tA.\t\n", r"pairs\.tsv:2: every column needs a value"),
        ("w1-01\t1\ttalks\tA.\tB.\tC.\n", r"pairs\.tsv:2: every column needs a value, and no more"),
        ("\nw1-01\t1\ttalks\tSame.\tSame.\n", r"pairs\.tsv:3: the two members are the same"),
        ("w1-01\t1\ttalks\tA.\tB.\nw1-01\t1\ttalks\tC.\tD.\n", r":3: id w1-01 repeated"),
        ("w1-01\t1\ttalks\tA.\tB.\nw1-02\t1\ttalks\tC.\tA.\n", r":3: a sentence repeats"),
    ],
)
def test_a_bad_pairs_file_names_the_line(tmp_path: Path, body: str, problem: str) -> None:
    with pytest.raises(DataError, match=problem):
        read_pairs(write(tmp_path, body))


def test_a_bad_senses_file_names_the_line(tmp_path: Path) -> None:
    body = "s1-01\t1\thit\tThe striker hit the post.\ns1-02\t1\thit\tThe striker hit the post.\n"
    with pytest.raises(DataError, match=r"senses\.tsv:3: a sentence repeats another row's"):
        read_senses(write(tmp_path, body, "senses.tsv", SENSES_HEADER))


def test_a_pairs_file_needs_its_header(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("id\tcategory\tescalatory\tcalm\nx\ttalks\tA.\tB.\n", encoding="utf-8")
    with pytest.raises(DataError, match="the header must be id writer category"):
        read_pairs(path)


def test_the_shipped_files_load_with_their_pins(tmp_path: Path) -> None:
    source = load_corpus("pairs", data_dir=tmp_path, cache_dir=tmp_path)
    pairs, senses = read_pairs(), read_senses()
    assert len(pairs) >= 400 and len(senses) >= 200
    assert source.n_rows == 2 * len(pairs) + len(senses)
    assert source.files == tuple(
        SourceFile(f.name, f.sha256) for f in REGISTRY["pairs"].project_files
    )
    assert [f.name for f in REGISTRY["pairs"].project_files] == [PAIRS_NAME, SENSES_NAME]
    assert Counter(e.label for e in source.examples) == {1: len(pairs), 0: len(pairs) + len(senses)}
    assert len(Counter(r["category"] for r in pairs)) == 9
    assert len(Counter(r["writer"] for r in pairs)) == 6


def test_an_edited_pairs_file_is_refused_until_pinned_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = write(tmp_path, "w1-01\t1\ttalks\tTalks collapsed.\tTalks resumed.\n")
    pinned, senses = REGISTRY["pairs"].project_files
    moved = dataclasses.replace(
        REGISTRY["pairs"],
        project_files=(ProjectFile(PAIRS_NAME, edited, pinned.sha256), senses),
    )
    monkeypatch.setitem(registry.REGISTRY, "pairs", moved)
    with pytest.raises(DataError, match="the registry pins .*: pin the edited file anew"):
        load_corpus("pairs", data_dir=tmp_path, cache_dir=tmp_path)


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


def test_no_training_sentence_comes_near_a_contrast_pair() -> None:
    """The contrast set measures what the pairs teach on sentences the model never saw, of
    other events: no training sentence holds 40% of a contrast member's content words (those
    not in scikit-learn's English stop words), which takes out the pairs written about the
    same events ("Indonesia halts nickel exports ...")."""
    contrast = [
        words(t) - ENGLISH_STOP_WORDS for p in read_contrast_pairs() for t in (p.escalatory, p.calm)
    ]
    assert len(contrast) == 360
    texts = [r[c] for r in read_pairs() for c in ("escalatory", "calm")]
    texts += [r["text"] for r in read_senses()]
    closest = max(len(words(t) & c) / len(c) for t in texts for c in contrast)
    assert 0.2 < closest < 0.4  # near in topic, never the same event


# --- the other languages' written sentences ---------------------------------------------------

OTHER_LANGUAGES = [code for code in WRITTEN if code != "en"]


def test_each_language_has_its_own_corpus_and_files() -> None:
    assert {code: w.corpus for code, w in WRITTEN.items()} == {
        "en": "pairs",
        "ar": "pairs-ar",
        "es": "pairs-es",
    }
    assert WRITTEN["es"].pairs_name == "training/data/pairs/es/pairs.tsv"
    assert WRITTEN["en"].pairs_path == PAIRS_PATH


def test_another_languages_pair_is_grouped_under_its_corpus(tmp_path: Path) -> None:
    written = WRITTEN["es"]
    paths = {
        written.pairs_name: write(
            tmp_path, "w1-01\t1\ttalks\tSe rompió el diálogo.\tSe reanudó el diálogo.\n"
        ),
        written.senses_name: write(
            tmp_path, "s1-01\t1\tataque\tEl ataque del equipo.\n", "senses.tsv", SENSES_HEADER
        ),
    }
    got = [(e.label, e.group, e.source) for e in written_adapter(written)(paths)]
    assert got == [
        (1, "pairs-es:w1-01", "pairs-es"),
        (0, "pairs-es:w1-01", "pairs-es"),
        (0, "pairs-es:s1-01", "pairs-es"),
    ]


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_another_languages_files_load_with_their_pins(language: str, tmp_path: Path) -> None:
    written = WRITTEN[language]
    corpus = REGISTRY[written.corpus]
    source = load_corpus(written.corpus, data_dir=tmp_path, cache_dir=tmp_path)
    pairs, senses = read_pairs(written.pairs_path), read_senses(written.senses_path)
    assert corpus.language == language and corpus.clean_licence
    assert len(pairs) >= 150 and len(senses) >= 150
    assert Counter(e.label for e in source.examples) == {1: len(pairs), 0: len(pairs) + len(senses)}
    assert [f.name for f in corpus.project_files] == [written.pairs_name, written.senses_name]
    assert len(Counter(r["category"] for r in pairs)) == 9
    assert len(Counter(r["writer"] for r in pairs)) == 3


def long_words(text: str) -> set[str]:
    """Words of four letters or more: a language-neutral stand-in for content words."""
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) >= 4}


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_no_written_sentence_comes_near_the_languages_contrast_pair(language: str) -> None:
    """As for English: no training sentence of the language holds 40% of a contrast member's
    words of four letters or more (the same events written twice are left out)."""
    contrast = [
        long_words(t)
        for p in read_contrast_pairs(contrast_dir(language))
        for t in (p.escalatory, p.calm)
    ]
    assert len(contrast) == 180
    written = WRITTEN[language]
    texts = [r[c] for r in read_pairs(written.pairs_path) for c in ("escalatory", "calm")]
    texts += [r["text"] for r in read_senses(written.senses_path)]
    closest = max(len(long_words(t) & c) / len(c) for t in texts for c in contrast)
    assert 0.2 < closest < 0.4
