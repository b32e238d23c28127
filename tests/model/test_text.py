"""Tokens, n-grams and sentence spans."""

from __future__ import annotations

import pickle
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.features import LINE_WRAP_PATTERN
from model.text import (
    CharAnalyzer,
    WordAnalyzer,
    actor_mask,
    clean,
    normalise,
    split_sentences,
    tokenize,
    unwrap,
    unwrap_by_lines,
    word_ngrams,
)
from tests.samples import DISGUISED, PLAIN

# Text, every kind of blank (line breaks among them) and a sentence end, so that runs of blanks
# around line breaks come up often.
WRAP_ALPHABET = "ab. \n\r\t\x0b\x0c\x1c\x85\xa0\u2028\u3000"


@given(st.text(WRAP_ALPHABET, max_size=40) | st.text(max_size=40))
def test_unwrap_is_the_specified_pattern(text: str) -> None:
    """Both ways of unwrapping give what the specification's pattern gives, and the text itself
    (the same object) when the pattern finds no wrap."""
    expected, wraps = re.subn(LINE_WRAP_PATTERN, " ", text)
    for way in (unwrap, unwrap_by_lines):
        got = way(text)
        assert got == expected
        assert (got is text) == (wraps == 0)


def test_unwrap_joins_lines_not_paragraphs() -> None:
    assert unwrap("a\nb") == "a b"
    assert unwrap("end of line \r\n  next") == "end of line next"
    assert unwrap("a paragraph.\n\nAnother.") == "a paragraph.\n\nAnother."
    assert unwrap(" \nleading and trailing\n ") == " \nleading and trailing\n "


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
        # Days and months carry no rhetoric either; "march" and "may" are also words.
        ("On Tuesday, 3 September, Monday's talks", ["tuesday", "september", "monday's"]),
        ("Troops may march in March or May", []),
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


@pytest.mark.parametrize("name", [n for n in DISGUISED if n != "ligature"])
def test_invisible_and_look_alike_characters_read_as_plain(name: str) -> None:
    assert [t.norm for t in tokenize(DISGUISED[name])] == [t.norm for t in tokenize(PLAIN)]


@pytest.mark.parametrize("text", list(DISGUISED.values()))
def test_cleaned_spans_point_into_the_text_as_sent(text: str) -> None:
    """Each token's span, cleaned again, reads as the token."""
    for token in tokenize(text):
        piece = text[token.start : token.end]
        assert [t.norm for t in tokenize(piece)] == [token.norm], piece


def test_nfc_and_nfd_read_alike() -> None:
    text = "Le ministre a menac\u00e9 d'une fr\u00e9quence \u00e9lev\u00e9e: \u1e9b\u0323 \uac00."
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert [t.norm for t in tokenize(nfd)] == [t.norm for t in tokenize(text)]
    assert clean(nfd).text == clean(text).text == unicodedata.normalize("NFKC", text)


def test_look_alikes_fold_only_in_words_with_a_latin_letter() -> None:
    assert normalise("\u0430ttack") == "attack"  # Cyrillic a in a Latin word
    assert normalise("\u0441\u043e\u0440") == "\u0441\u043e\u0440"  # a Russian word stays
    assert normalise("\u03b1\u03b8\u03ae\u03bd\u03b1") == "\u03b1\u03b8\u03ae\u03bd\u03b1"


def test_clean_leaves_plain_text_alone() -> None:
    for text in (PLAIN, "Caf\u00e9 \u201cquoted\u201d \u2014 ok", ""):
        cleaned = clean(text)
        assert cleaned.text == text and cleaned.starts is None
