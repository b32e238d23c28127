"""Tokens, n-grams and sentence spans."""

from __future__ import annotations

import pickle

import pytest

from model.text import (
    CharAnalyzer,
    WordAnalyzer,
    char_ngrams,
    normalise,
    split_sentences,
    tokenize,
    word_ngrams,
)


def test_tokens_carry_exact_offsets() -> None:
    text = "NATO’s  pre-emptive Strike, a U.S. plan!"
    tokens = tokenize(text)
    assert [t.norm for t in tokens] == ["nato's", "pre-emptive", "strike", "a", "u", "s", "plan"]
    for t in tokens:
        assert normalise(text[t.start : t.end]) == t.norm


def test_every_word_is_kept_and_unicode_hyphens_fold() -> None:
    assert [t.norm for t in tokenize("a b cd pre\u2011emptive")] == ["a", "b", "cd", "pre-emptive"]


def test_word_ngrams_index_tokens() -> None:
    tokens = tokenize("threat of war")
    assert list(word_ngrams(tokens, 2)) == [
        ("threat", 0, 0),
        ("threat of", 0, 1),
        ("of", 1, 1),
        ("of war", 1, 2),
        ("war", 2, 2),
    ]


def test_char_ngrams_are_padded_per_word() -> None:
    grams = list(char_ngrams(tokenize("war ok"), 2, 3))
    assert (" w", 0) in grams and ("ar ", 0) in grams and ("ok ", 1) in grams
    assert all(" " not in g.strip() for g, _ in grams)


def test_analyzers_match_generators_and_pickle() -> None:
    word, char = WordAnalyzer(2), CharAnalyzer(2, 4)
    text = "Troops mobilised; troops withdrew."
    assert word(text) == [g for g, _, _ in word_ngrams(tokenize(text), 2)]
    assert char(text) == [g for g, _ in char_ngrams(tokenize(text), 2, 4)]
    assert pickle.loads(pickle.dumps(word)) == word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two!  Three?", ["One.", "Two!", "Three?"]),
        ("The U.S. Army left. Gen. Smith stayed.", ["The U.S. Army left.", "Gen. Smith stayed."]),
        ("Headline\nBody text here.\n\n", ["Headline", "Body text here."]),
        ('He said "no." Then left', ['He said "no."', "Then left"]),
        ("   ", []),
        ("no end", ["no end"]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected
