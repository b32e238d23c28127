"""Tokens, n-grams and sentence spans."""

from __future__ import annotations

import pickle

import pytest

from model.text import (
    CharAnalyzer,
    WordAnalyzer,
    actor_mask,
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
    grams = CharAnalyzer(2, 3)("war ok")
    assert grams == [" w", "wa", "ar", "r ", " wa", "war", "ar ", " o", "ok", "k ", " ok", "ok "]


def test_analyzers_give_the_features_and_pickle() -> None:
    word, char = WordAnalyzer(2), CharAnalyzer(2, 4)
    text = "Troops mobilised; troops withdrew."
    assert word(text) == [
        "troops",
        "troops mobilised",
        "mobilised",
        "mobilised troops",
        "troops",
        "troops withdrew",
        "withdrew",
    ]
    assert char("Ab") == [" a", "ab", "b ", " ab", "ab ", " ab "]
    assert pickle.loads(pickle.dumps(word)) == word
    assert pickle.loads(pickle.dumps(char)) == char


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


def masked_words(text: str) -> list[str]:
    """The words `actor_mask` marks."""
    tokens = tokenize(text)
    return [t.norm for t, m in zip(tokens, actor_mask(text, tokens), strict=True) if m]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia's army and the Russian Federation", ["russia's", "russian", "federation"]),
        ("They told us the US would act", ["us"]),
        (
            "North Korea, Pyongyang and Côte d'Ivoire",
            ["north", "korea", "pyongyang", "côte", "d'ivoire"],
        ),
        ("The car and the male driver", []),
        ("The UK's envoy and U.S. officials met", ["uk's", "u", "s"]),
        (
            "A US-led coalition, pro-Russian groups and Russia-Ukraine talks",
            ["us-led", "pro-russian", "russia-ukraine"],
        ),
        ("Co-operation helps us, and a u s typo stays", []),
        ("They sailed from St John's harbour", ["st", "john's"]),
        ("Norway and Canada", ["norway", "canada"]),
    ],
)
def test_actor_mask(text: str, expected: list[str]) -> None:
    assert masked_words(text) == expected


def test_masked_names_yield_no_features_and_break_ngrams() -> None:
    text = "Iran threatened Norway with sanctions"
    words = WordAnalyzer(2, mask_actors=True)(text)
    assert words == ["threatened", "with", "with sanctions", "sanctions"]
    chars = CharAnalyzer(3, 3, mask_actors=True)(text)
    assert " ir" not in chars and " no" not in chars and " th" in chars
    swapped = "Canada threatened Portugal with sanctions"
    assert WordAnalyzer(2, mask_actors=True)(swapped) == words
