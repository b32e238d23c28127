"""Tokens, n-grams and sentence spans."""

from __future__ import annotations

import pickle
import re
import unicodedata

import pytest
import regex
from hypothesis import example, given
from hypothesis import strategies as st
from sklearn.pipeline import Pipeline

from model import Artifact, Scorer, features
from model.features import (
    ARABIC_CHARACTER,
    ARABIC_KEYBOARD_LETTERS,
    ARABIC_LETTER_FOLDS,
    BLANKS,
    LATIN_LETTER,
    LINE_WRAP_PATTERN,
    MAX_NON_STARTERS,
    REMOVED_CATEGORIES,
    REMOVED_CHARACTERS,
    STYLED_LETTER_NAMES,
    UNICODE_FORM,
    WORD_FOLDS,
    capital_i_lookalikes,
    caseless_i_lookalikes,
    lookalikes,
    read_as,
    styled_letters,
)
from model.text import (
    ENGLISH,
    CharAnalyzer,
    WordAnalyzer,
    _clean_by_removal,
    _clean_by_segments,
    actor_mask,
    clean,
    display,
    fold_lookalike_words,
    normalise,
    rules_for,
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


def test_function_words_count_inside_ngrams_only() -> None:
    """`alone` False: no unigram; with `content`, no n-gram made only of such words either."""
    tokens = tokenize("it would attack")
    alone = [False, False, True]
    assert [g for g, _, _ in word_ngrams(tokens, 2, alone=alone)] == [
        "it would",
        "would attack",
        "attack",
    ]
    assert [g for g, _, _ in word_ngrams(tokens, 3, alone=alone, content=True)] == [
        "it would attack",
        "would attack",
        "attack",
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


def test_every_default_ignorable_character_is_removed_but_the_blank_hangul_fillers() -> None:
    """Unicode's Default_Ignorable_Code_Point characters are invisible: each one, assigned or
    reserved, is dropped inside a word and after a letter of another script, whether it is a
    format character (Cf) or one of REMOVED_CHARACTERS. The Hangul fillers, which renderers
    draw as a blank, read as a space, as the braille blank does."""
    ignorable = regex.compile(r"\p{Default_Ignorable_Code_Point}")  # not in unicodedata
    found = [chr(c) for c in range(0x110000) if ignorable.match(chr(c))]
    assert len(found) > 4000  # the property as Unicode defines it, not an empty match
    fillers = set(BLANKS) & set(found)
    assert fillers == {"\u115f", "\u1160", "\u3164", "\uffa0"} and "\u2800" in BLANKS
    for ch in BLANKS:
        assert clean(f"war{ch}ship").text == "war ship", hex(ord(ch))
        assert [t.norm for t in tokenize(f"The{ch}army{ch}attacked")] == ["the", "army", "attacked"]
    for ch in set(found) - fillers:
        assert clean(f"war{ch}ship").text == "warship", hex(ord(ch))
        assert clean(f"\u062d\u0631{ch}\u0628").text == "\u062d\u0631\u0628", hex(ord(ch))


@pytest.mark.parametrize("name", [n for n in DISGUISED if n != "look-alike words"])
def test_cleaned_spans_point_into_the_text_as_sent(name: str) -> None:
    """Each token's span, cleaned again, reads as the token. (A word of look-alike letters
    alone is not in a text of Latin letters: its span is tested with its text.)"""
    text = DISGUISED[name]
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
    # A Greek capital epsilon looks like E, its small letter like no Latin one: folded first.
    assert normalise("THR\u0395AT") == normalise("thr\u0395at") == "threat"
    assert normalise("\u0395\u0398\u039d\u039f\u03a3") == "\u03b5\u03b8\u03bd\u03bf\u03c2"
    assert normalise("\u0441\u043e\u0440") == "\u0441\u043e\u0440"  # a Russian word stays
    assert normalise("\u03b1\u03b8\u03ae\u03bd\u03b1") == "\u03b1\u03b8\u03ae\u03bd\u03b1"


def test_latin_look_alikes_fold_and_accented_letters_stay() -> None:
    """Latin letters that are no basic letter with an accent, yet look like one, fold like the
    other scripts' look-alikes: the dental click "ǀ" as "l", "ɑ" as "a", the dotless "ı" as "i";
    a letter with an accent is a letter of its own language and stays."""
    assert normalise("rebe\u01c0s") == "rebels" and normalise("\u0251rmy") == "army"
    assert normalise("str\u0131ke") == "strike" and normalise("\u0261uns") == "guns"
    assert [normalise(w) for w in ("menac\u00e9", "a\u00f1o", "fran\u00e7ais", "\u00fcber")] == [
        "menac\u00e9",
        "a\u00f1o",
        "fran\u00e7ais",
        "\u00fcber",
    ]
    assert not set(lookalikes()) & set(
        "\u00e1\u00e9\u00ed\u00f3\u00fa\u00f1\u00fc\u00e7\u00e0\u00e8"
    )


def test_apostrophe_look_alikes_read_as_the_apostrophe() -> None:
    """Each character Unicode lists as confusable with the apostrophe, but letters and marks of
    a script of their own, joins a possessive as the apostrophe does, and its span is the text
    as sent; the typeset apostrophe (U+2019) already does without being read as another."""
    apostrophes = [c for c, r in read_as().items() if r == "'"]
    assert {"`", "\u00b4", "\u02bc", "\u2018", "\u2032", "\uff40"} <= set(apostrophes)
    assert not {"\u05d9", "\u07f4", "\ua78c", "\u2019"} & set(apostrophes)  # yod, N'Ko, saltillo
    plain = tokenize("The army's commander")
    for ch in [*apostrophes, "\u2019", "\uff07"]:  # NFKC reads the fullwidth one
        text = f"The army{ch}s commander"
        assert [t.norm for t in tokenize(text)] == [t.norm for t in plain], hex(ord(ch))
        assert [(t.start, t.end) for t in tokenize(text)] == [(t.start, t.end) for t in plain]
    assert clean("army\u00b4s").text == "army's"  # before NFKC, which reads " \u0301"
    assert clean("\u2018quoted\u2019 `code`").text == "'quoted\u2019 'code'"


def test_punctuation_look_alikes_read_as_the_punctuation_the_rules_name() -> None:
    """A minus sign joins a hyphenated word as a hyphen does, a ratio sign or a modifier letter
    colon is a colon, a figure dash a hyphen; the characters the rules name keep their own
    meaning (an en dash stays a dash between words), and no digit, mark, letter of a script of
    its own or character of a script the product reads is read as another."""
    table = read_as()
    assert [t.norm for t in tokenize("cross\u2212border raid")] == ["cross-border", "raid"]
    assert clean("no talks were planned\u2236 troops \ua789 attack").text == (
        "no talks were planned: troops : attack"
    )
    assert clean("1990\u20131995 \u2014 war").text == "1990\u20131995 \u2014 war"
    assert [t.norm for t in tokenize("a figure\u2012dash")] == ["a", "figure-dash"]
    # Arabic's ornate parentheses are Arabic punctuation (script Common, Arabic's block).
    assert clean("\u0642\u0627\u0644 \ufd3e\u0627\ufd3f").text == (
        "\u0642\u0627\u0644 \ufd3e\u0627\ufd3f"
    )
    for ch, read in table.items():
        kind = unicodedata.category(ch)[0]
        assert kind not in "MN", hex(ord(ch))
        assert read in features.read_as_targets() or read == " " or read.isalpha(), hex(ord(ch))
    # Arabic's full stop, decimal and date separators stay Arabic punctuation.
    assert not {"\u06d4", "\u066b", "\u060d", "\ufd3e", "\ufd3f"} & set(table)
    assert not {"\u0660", "\ua4f8", "\ua4f9", "\u01c3"} & set(table)  # a digit, letters


def test_capital_i_look_alikes_read_as_i_where_a_capital_stands() -> None:
    """Unicode's table pairs the capital I's look-alikes with the small "l": one reads as "I"
    first in a word or in a word without small letters, as "l" elsewhere."""
    assert {"\u0406", "\u0399", "\u04c0"} <= capital_i_lookalikes()
    assert "\u13de" not in capital_i_lookalikes()  # Cherokee TLE, paired with the capital L
    assert normalise("K\u0406LLED") == normalise("K\u0399LLED") == "killed"
    # Look-alikes of "l" without case (the extended Arabic-Indic one, the dental click) read as
    # "I" in a word without small letters only.
    assert {"\u06f1", "\u01c0"} <= caseless_i_lookalikes()
    assert normalise("K\u06f1LLED") == normalise("K\u01c0LLED") == "killed"
    assert normalise("\u06f1RAN") == "iran" and normalise("\u01c0ove") == "love"
    assert normalise("ki\u0406\u0406ed") == "killed" and normalise("wi\u0399\u0399") == "will"
    assert normalise("\u0406srael") == "israel" and normalise("\u0406ran") == "iran"
    text = "M\u0406L\u0406TANTS K\u0406LLED in the \u0406sraeli town"
    assert [t.norm for t in tokenize(text)] == [
        t.norm for t in tokenize("MILITANTS KILLED in the Israeli town")
    ]
    assert [(t.start, t.end) for t in tokenize(text)] == [
        (t.start, t.end) for t in tokenize("MILITANTS KILLED in the Israeli town")
    ]


def test_lunate_sigma_reads_as_c_in_latin_words_and_stays_greek_in_greek() -> None:
    """NFKC turns the lunate sigma symbol into a final sigma, which is no look-alike: it reads
    as a look-alike of "c" that NFKC keeps, one character for one, so the look-alike rule reads
    it where it reads the others."""
    assert normalise("a\u03f2\u03f2usations") == "accusations"
    assert normalise("\u03f9ease") == "cease"
    assert [(t.norm, t.start, t.end) for t in tokenize("a\u03f2\u03f2usations of")] == [
        ("accusations", 0, 11),
        ("of", 12, 14),
    ]
    greek = [t.norm for t in tokenize("\u03f2\u03bf\u03c6\u03af\u03b1")]
    assert greek and not any(c.isascii() for c in greek[0])


def test_digits_of_other_scripts_read_as_letters_only_in_latin_words() -> None:
    """A digit of another script that Unicode lists as confusable with a Latin letter reads as
    it in a word of Latin letters ("b\u0966mb") or of look-alikes; a number stays a number: a
    word without a letter, and a run of digits that holds one with no Latin twin."""
    assert normalise("b\u0966mb") == normalise("b\u1040mb") == "bomb"
    assert normalise("ki\u06f1\u06f1ed") == "killed" and normalise("c\u0966\u0966l") == "cool"
    assert normalise("F-\u06f1\u06f6") == "f-\u06f1\u06f6" and normalise("A1\u0966") == "a1\u0966"
    text = (
        "Between \u06f1\u06f5-\u06f1\u06f7 rockets hit \u06f1\u043e\u043e troops, \u0967\u0966 dead"
    )
    assert [t.norm for t in tokenize(text)] == [
        "between",
        "\u06f1\u06f5-\u06f1\u06f7",
        "rockets",
        "hit",
        "loo",
        "troops",
        "\u0967\u0966",
        "dead",
    ]
    arabic = "\u0642\u062a\u0644 \u06f1\u06f5 \u0634\u062e\u0635\u0627"
    assert [t.norm for t in tokenize(arabic)][1] == "\u06f1\u06f5"


def test_format_characters_newer_than_the_rules_unicode_are_removed() -> None:
    """The Egyptian hieroglyph format controls Unicode 15 added are unassigned in the Unicode
    the rules run on, so category Cf does not remove them: REMOVED_CHARACTERS does."""
    for code in range(0x13439, 0x13440):
        assert clean(f"threat{chr(code)}ened").text == "threatened", hex(code)


def plain_letter(ch: str) -> str:
    """The letter a styled Latin letter is, by its Unicode name ("<prefix><one letter A-Z>"),
    in the family's case; any other character as it is."""
    name = unicodedata.name(ch, "")
    for prefix, case in STYLED_LETTER_NAMES:
        letter = name.removeprefix(prefix)
        if letter != name and len(letter) == 1 and "A" <= letter <= "Z":
            return letter.lower() if case == "lower" else letter
    return ch


def test_styled_letters_are_every_letter_their_names_give() -> None:
    """Every code point whose name is one of the families' with one letter A-Z is in the table,
    as that letter; regional indicators (two make a flag) are not."""
    found = {
        chr(c): plain_letter(chr(c))
        for c in range(0x80, 0x110000)
        if plain_letter(chr(c)) != chr(c)
    }
    assert found == styled_letters()
    families = [
        sum(unicodedata.name(c).startswith(p) for c in found) for p, _ in STYLED_LETTER_NAMES
    ]
    assert families == [25, 9, 26, 26, 26, 26]  # Unicode 14: no small capital X, 9 raised
    assert clean("\U0001f1fa\U0001f1e6 Kyiv").text == "\U0001f1fa\U0001f1e6 Kyiv"


@pytest.mark.parametrize(
    ("styled", "plain"),
    [
        (
            "\u1d1b\u0280\u1d0f\u1d0f\u1d18\ua731 \u1d00\u1d1b\u1d1b\u1d00\u1d04\u1d0b",
            "troops attack",
        ),
        ("\u24af\u24ad\u24aa\u24aa\u24ab\u24ae", "troops"),  # NFKC alone gives "(t)(r)(o)..."
        ("\U0001f123\U0001f121\U0001f11e\U0001f11e\U0001f11f\U0001f122", "TROOPS"),
        ("\U0001f183\U0001f181\U0001f17e\U0001f17e\U0001f17f\U0001f182", "TROOPS"),
        ("\U0001f163\U0001f161\U0001f15e\U0001f15e\U0001f15f\U0001f162", "TROOPS"),
        ("\u1d1b\u0301", "t"),  # a mark NFKC leaves on a Latin letter decorates it: dropped
        ("\u1d07\u0301", "\u00e9"),  # one it composes with is part of the letter
        ("\u1da6\u1dab", "il"),  # raised small capitals (NFKC alone gives small capitals)
    ],
)
def test_styled_latin_letters_read_as_plain_ones(styled: str, plain: str) -> None:
    """One character for one: offsets into the text as sent stay exact."""
    cleaned = clean(styled)
    assert cleaned.text == plain
    if cleaned.starts is not None:
        assert cleaned.span(0, len(plain)) == (0, len(styled))


def reference_clean(text: str) -> tuple[str, list[int], list[int]]:
    """The cleaning rules written plainly, before look-alike words: `read_as` (look-alike
    punctuation, blanks, the lunate sigma), then each character with the
    characters that join it (marks, Hangul vowel and final jamo), format characters and the
    removed characters (Arabic tashkeel, tatweel) dropped, at most MAX_NON_STARTERS non-starters
    in a row, styled Latin letters as plain ones, NFKC, the marks left on a Latin letter dropped;
    each cleaned character's source span."""

    def joins(ch: str) -> bool:
        if unicodedata.category(ch) == "Cn":  # unassigned: joins nothing, even among jamo
            return False
        return (
            unicodedata.category(ch)[0] == "M"
            or unicodedata.combining(ch) != 0
            or "\u1160" <= ch <= "\u11ff"
            or "\ud7b0" <= ch <= "\ud7ff"
        )

    def removed(ch: str) -> bool:
        return any(lo <= ord(ch) <= hi for lo, hi in REMOVED_CHARACTERS)

    text = "".join(read_as().get(ch, ch) for ch in text)
    out, starts, ends = [], [], []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and joins(text[j]):
            j += 1
        kept, run = [], 0
        for ch in text[i:j]:
            if unicodedata.category(ch) in REMOVED_CATEGORIES or removed(ch):
                continue
            run = run + 1 if unicodedata.combining(ch) else 0
            if run <= MAX_NON_STARTERS:
                kept.append(plain_letter(ch))
        piece = ""
        for ch in unicodedata.normalize(UNICODE_FORM, "".join(kept)):
            mark = unicodedata.category(ch)[0] == "M" or unicodedata.combining(ch) != 0
            decorated = piece and re.fullmatch(f"{LATIN_LETTER}|{ARABIC_CHARACTER}", piece[-1])
            if not (mark and decorated):
                piece += ch
        out.append(piece)
        starts += [i] * len(piece)
        ends += [j] * len(piece)
        i = j
    return "".join(out), starts, ends


# Marks of several combining classes (and a spacing one), format characters, compatibility
# forms, Hangul jamo, look-alike letters and plain text.
CLEAN_ALPHABET = (
    "ab e.\n\x00\u0301\u0316\u0327\u094d\u093c\u0903\u200b\u200d\u202e\u00ad\ufb01\uff41"
    "\u1100\u1161\u11a8\uac00\u0430\u0440\u0441\u00e9\u2019"
    # Default-ignorable characters that are no format characters: a variation selector, the
    # combining grapheme joiner, Hangul fillers (read as spaces).
    "\ufe0f\u034f\u3164\u1160"
    # Punctuation look-alikes (the grave and acute accents, the modifier letter apostrophe, the
    # minus sign), a lunate sigma, the braille blank.
    "`\u00b4\u02bc\u2212\u03f2\u2800"
    # Arabic letters, tashkeel, tatweel, hamza and madda marks, a presentation form, digits.
    "\u0628\u0627\u0644\u064e\u0651\u0652\u0670\u0640\u0653\u0654\u0655\ufefb\u0663\u061f"
    # Styled Latin letters: a small capital, parenthesized, negative circled and squared letters,
    # a regional indicator (no letter).
    "\u1d07\u24a0\U0001f150\U0001f170\U0001f1fa"
    # Marks drawn over a letter: an underline, an enclosing circle.
    "\u0332\u20dd"
)


@given(st.text(CLEAN_ALPHABET, max_size=80) | st.text(max_size=40))
@example("\x00\u0301 e\u0301 \u1100\u1161")  # a cluster holding NUL is cleaned on its own
@example("\u1100\ud7c7\u0650")  # an unassigned code point among the jamo joins nothing
@example("e\u0301 \u1100\u1161 e\u0301\u0316")  # several clusters cleaned in one pass
@example("`\u0301 \u00b4\u0301")  # an apostrophe look-alike a mark joins
def test_clean_is_the_written_definition(text: str) -> None:
    """`clean` gives the plain definition's text (then look-alike words) and source spans."""
    expected, starts, ends = reference_clean(text)
    cleaned = clean(text)
    assert cleaned.text == fold_lookalike_words(expected)
    if cleaned.starts is None or cleaned.ends is None:  # nothing changed, or one for one
        one_for_one = starts == list(range(len(text))) and ends == list(range(1, len(text) + 1))
        assert expected == text.translate(str.maketrans(read_as())) or one_for_one
    else:
        assert cleaned.starts.tolist() == starts and cleaned.ends.tolist() == ends


@given(st.text(CLEAN_ALPHABET, max_size=80) | st.text(max_size=40))
@example("هدّدت الحكومةُ بردٍّ عسكريٍّ")  # tashkeel: marks to drop that join their letters
@example("a\u200c\u0301")  # dropping the joiner would let the accent compose: the general path
def test_dropping_invisible_characters_maps_as_the_general_path(text: str) -> None:
    """An NFKC text that stays in NFKC form without its invisible characters (Arabic with
    tashkeel or tatweel) is cleaned by dropping them; it gives what cleaning cluster by cluster
    gives, text and source spans."""
    fast = _clean_by_removal(text)
    if fast is None:
        return
    general = _clean_by_segments(text)
    assert fast.text == general.text
    assert fast.starts is not None and fast.ends is not None
    assert general.starts is not None and general.ends is not None
    assert fast.starts.tolist() == general.starts.tolist()
    assert fast.ends.tolist() == general.ends.tolist()


def test_arabic_with_tashkeel_is_cleaned_by_dropping_them() -> None:
    text = "هدّدت الحكومةُ"
    assert _clean_by_removal(text) is not None
    assert _clean_by_removal("a\u200c\u0301") is None  # "á" once the joiner is gone
    cleaned = clean(text)
    assert cleaned.text == "هددت الحكومة"
    assert cleaned.span(0, 4) == (0, 5)  # the word with its shadda
    assert cleaned.span(5, 12) == (6, 14)  # and with its final damma


def test_a_run_of_combining_marks_is_capped() -> None:
    """A letter keeps MAX_NON_STARTERS marks of a run (the rest dropped, in any order), and its
    span still covers every mark it was sent with; on a Latin letter, those NFKC leaves are
    dropped too."""
    marks = "\u0301" * 5_000 + "\u0316" * 5_000
    text = f"war \u05d0{marks} war"  # a Hebrew letter: its marks stay
    cleaned = clean(text)
    kept = unicodedata.normalize(UNICODE_FORM, "\u05d0" + marks[:MAX_NON_STARTERS])
    assert cleaned.text == f"war {kept} war"
    assert clean("\u05d0" + "\u0316" * 100).text == "\u05d0" + "\u0316" * MAX_NON_STARTERS
    tokens = tokenize(text)
    assert [t.norm for t in tokens] == ["war", kept[0], "war"]
    assert (tokens[1].start, tokens[1].end) == (4, 5 + len(marks))
    # A removed character inside the run (a variation selector, the grapheme joiner) caps what
    # is left of it all the same.
    for removed in ("\ufe0f", "\u034f"):
        split = "\u05d0" + ("\u0301" * 30 + removed) * 100
        assert clean(split).text == unicodedata.normalize("NFKC", "\u05d0" + "\u0301" * 30)
    latin = clean(f"war a{marks} war")
    assert latin.text == "war \u00e1 war"  # the first acute composes, the rest decorate
    assert latin.span(4, 5) == (4, 5 + len(marks))


def test_look_alike_words_fold_in_latin_text_only() -> None:
    """A word written wholly in look-alike letters reads as its Latin twin in an English text;
    Russian and Greek texts keep their words."""
    disguised = "Both sides called for \u0440\u0435\u0430\u0441\u0435 talks, the envoy said."
    tokens = tokenize(disguised)
    assert [t.norm for t in tokens] == [
        t.norm for t in tokenize(disguised.replace("\u0440\u0435\u0430\u0441\u0435", "peace"))
    ]
    peace = next(t for t in tokens if t.norm == "peace")
    assert disguised[peace.start : peace.end] == "\u0440\u0435\u0430\u0441\u0435"
    assert clean("\u0412\u041e\u041c\u0412 threats").text == "BOMB threats"
    russian = (
        "\u041f\u0440\u0435\u0437\u0438\u0434\u0435\u043d\u0442 "
        + "\u0441\u043e\u0440 \u0440\u0430\u043a"
    )
    greek = "\u03bf \u03c4\u03b1\u03be\u03af\u03b4\u03b9 \u03bf\u03ba"
    for text in (russian, greek):
        assert clean(text).text == text
        assert [t.norm for t in tokenize(text)] == [w.lower() for w in text.split()]


def test_a_lone_surrogate_is_cleaned_like_any_character() -> None:
    """Offline inputs may carry one (a JSON "\\ud800" escape): it stays, with its span."""
    cleaned = clean("\ufb01\ud800 war")
    assert cleaned.text == "fi\ud800 war"
    assert cleaned.span(0, 3) == (0, 2)


def test_look_alike_words_are_whole_tokens() -> None:
    """Look-alikes joined to a Latin word are the word's (`normalise` folds them), never a
    word of their own."""
    assert [t.norm for t in tokenize("x-\u0440\u0435 \u0430-\u0430z")] == ["x-pe", "a-az"]
    text = "The envoys said the \u0440\u0435\u0430\u0441\u0435-\u0430\u0441\u0435 talks went on"
    assert clean(text).text == "The envoys said the peace-ace talks went on"


def test_clean_leaves_plain_text_alone() -> None:
    for text in (PLAIN, "Caf\u00e9 \u201cquoted\u201d \u2014 ok", ""):
        cleaned = clean(text)
        assert cleaned.text == text and cleaned.starts is None


# Arabic: "he threatened" with its vowels and shadda, "the army" with damma, "a strike"
# stretched with tatweel, then the same words plain.
WRITTEN = "هَدَّدَ الجيشُ بِشَنِّ ضـــربة على العراق؟"
PLAIN_ARABIC = "هدد الجيش بشن ضربة على العراق؟"


def test_tashkeel_and_tatweel_are_removed_in_every_language() -> None:
    assert clean(WRITTEN).text == PLAIN_ARABIC
    for language in features.LANGUAGES:
        rules = rules_for(language)
        assert [t.norm for t in rules.tokenize(WRITTEN)] == [
            t.norm for t in rules.tokenize(PLAIN_ARABIC)
        ]
    # Hamza and madda marks stay: NFKC composes them with their letter.
    assert clean("\u0627\u0654").text == "\u0623" and clean("\u0627\u0653").text == "\u0622"


@pytest.mark.parametrize(
    ("name", "disguise"),
    [
        ("open fathatan of Arabic Extended-A", "\u08f0"),
        ("a Quranic mark", "\u08d3"),
        ("a Latin accent", "\u0301"),
        ("a hamza composing with no letter there", "\u0654"),
        ("a tail fragment", "\ufe73"),
        ("a fatha's medial presentation form", "\ufe77"),
        ("a shadda's isolated presentation form", "\ufe7c"),
        ("a shadda-with-fatha ligature", "\ufc60"),
    ],
)
def test_marks_and_stretching_in_arabic_words_are_dropped(name: str, disguise: str) -> None:
    """A mark NFKC leaves on an Arabic letter, or a tail fragment, inside each word: the words
    read as plain, and each word's span covers what was written in it."""
    written = " ".join(w[:2] + disguise + w[2:] for w in PLAIN_ARABIC.split(" "))
    assert clean(written).text == PLAIN_ARABIC
    tokens = rules_for("ar").tokenize(written)
    assert [t.norm for t in tokens] == [t.norm for t in rules_for("ar").tokenize(PLAIN_ARABIC)]
    assert [written[t.start : t.end] for t in tokens] == written.rstrip("؟").split(" ")


def test_arabic_spans_read_as_written() -> None:
    """Each word's span covers its tashkeel and tatweel as sent: `text[start:end]` is the
    word as written."""
    tokens = rules_for("ar").tokenize(WRITTEN)
    assert [WRITTEN[t.start : t.end] for t in tokens] == WRITTEN.rstrip("؟").split(" ")
    assert [t.norm for t in tokens] == ["هدد", "الجيش", "بشن", "ضربه", "علي", "العراق"]


def test_a_highlighted_arabic_phrase_covers_its_diacritics(
    tiny_arabic_pipeline: Pipeline,
) -> None:
    """The Arabic model scores the text with tashkeel as the plain one, and each phrase's spans
    read, in the text as sent, as the words written with their marks (a phrase shows its words
    cleaned, as written: `model.text.display`)."""
    scorer = Scorer(Artifact(tiny_arabic_pipeline, {"version": "ar", "language": "ar"}))
    written = "حَشَدَتِ القُوّاتُ على الحـــدود مَعَ تَصاعُدِ خطرِ الحرب."
    plain = "حشدت القوات على الحدود مع تصاعد خطر الحرب."
    result = scorer.score(written)
    assert result.language == "ar"
    assert result.score == pytest.approx(scorer.score(plain).score, abs=1e-12)
    shown = {p.text: [written[s:e] for s, e in p.spans] for p in result.phrases}
    assert shown["حشدت"] == ["حَشَدَتِ"] and shown["القوات"] == ["القُوّاتُ"]
    for phrase in result.phrases + result.deescalating_phrases:
        for start, end in phrase.spans:
            span = written[start:end]
            words = [span[t.start : t.end] for t in rules_for("ar").tokenize(span)]
            assert " ".join(display(clean(w).text) for w in words) == phrase.text
            assert " ".join(t.norm for t in rules_for("ar").tokenize(span)) == " ".join(
                rules_for("ar").normalise(w) for w in phrase.text.split(" ")
            )


@pytest.mark.parametrize(("written", "folded"), list(ARABIC_LETTER_FOLDS.items()))
def test_arabic_letter_folds_apply_in_arabic_only(written: str, folded: str) -> None:
    word = f"\u0628{written}\u0628"
    assert rules_for("ar").normalise(word) == f"\u0628{folded}\u0628"
    for language in ("en", "es"):
        assert rules_for(language).normalise(word) == word


def test_arabic_word_forms() -> None:
    ar = rules_for("ar")
    pairs = {"أحمد": "احمد", "إيران": "ايران", "آسيا": "اسيا", "مستشفى": "مستشفي"}
    pairs |= {"الحكومة": "الحكومه", "ٱلله": "الله"}
    assert {w: ar.normalise(w) for w in pairs} == pairs
    assert normalise("الحكومة") == "الحكومة"  # English keeps the letters as written
    # The shared folds apply in Arabic too, and the analyzers read each language's forms.
    assert ar.normalise("Kyiv\u2019s pre\u2011emptive") == "kyiv's pre-emptive"
    assert WordAnalyzer(1, language="ar")("الحكومة أعلنت") == ["الحكومه", "اعلنت"]
    assert WordAnalyzer(1)("الحكومة أعلنت") == ["الحكومة", "أعلنت"]
    forms = ["أإآ", "ىة", "ΟΔΟΣ", "Señor", "أَ"]
    assert ar.normalise_all(forms) == [ar.normalise(f) for f in forms]


# "The army threatened a wide military attack on the city", then typed with each letter that
# Persian, Urdu and Kurdish keyboards write for an Arabic one (`ARABIC_KEYBOARD_LETTERS`).
ARABIC_THREAT = "هدد الجيش بشن هجوم عسكري واسع على المدينة إذا لم ينسحب المسلحون."


@pytest.mark.parametrize(("keyboard", "arabic"), list(ARABIC_KEYBOARD_LETTERS.items()))
def test_arabic_typed_with_other_keyboards_letters_scores_as_plain_arabic(
    keyboard: str, arabic: str, tiny_arabic_pipeline: Pipeline
) -> None:
    """Each such letter reads as the Arabic one: the same word forms and score, and each
    phrase's spans read, in the text as sent, as its words as written."""
    typed = ARABIC_THREAT.replace(arabic, keyboard)
    assert typed != ARABIC_THREAT
    ar = rules_for("ar")
    assert [t.norm for t in ar.tokenize(typed)] == [t.norm for t in ar.tokenize(ARABIC_THREAT)]
    scorer = Scorer(Artifact(tiny_arabic_pipeline, {"version": "ar", "language": "ar"}))
    result = scorer.score(typed)
    assert result.score == pytest.approx(scorer.score(ARABIC_THREAT).score, abs=1e-12)
    for phrase in result.phrases + result.deescalating_phrases:
        for start, end in phrase.spans:
            assert typed[start:end].replace(keyboard, arabic) in ARABIC_THREAT


def masked_in(language: str, text: str) -> list[str]:
    """The words a language's `actor_mask` marks, as written."""
    rules = rules_for(language)
    tokens = rules.tokenize(text)
    masked = rules.actor_mask(text, tokens)
    return [text[t.start : t.end] for t, m in zip(tokens, masked, strict=True) if m]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Conjunction and preposition proclitics on a name's first word; lam + al- is lam-lam.
        ("هددت وروسيا للعراق", ["وروسيا", "للعراق"]),
        ("قالت الولايات المتحدة إن", ["الولايات", "المتحدة"]),
        ("فبروسيا وبالعراق والولايات المتحدة", ["فبروسيا", "وبالعراق", "والولايات", "المتحدة"]),
        # Written with tashkeel or tatweel, a name is masked and its span is as written.
        ("وَرُوسِيَا والعـــراق", ["وَرُوسِيَا", "والعـــراق"]),
        ("زار كوريا الشمالية يوم الأحد", ["كوريا", "الشمالية", "الأحد"]),
        # Demonyms, words that hold a name, names left out as words: not masked.
        ("الروس وروسيانا مالي", []),
    ],
)
def test_arabic_names_are_masked_with_their_clitics(text: str, expected: list[str]) -> None:
    assert masked_in("ar", text) == expected
    assert masked_in("en", text) == []  # English rules know no Arabic name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rusia amenazó a México", ["Rusia", "México"]),
        ("Rusia amenazo a Mexico", ["Rusia", "Mexico"]),  # written without accents
        ("España y Espana, Perú y Peru", ["España", "Espana", "Perú", "Peru"]),
        ("los Estados Unidos y Corea del Norte", ["Estados", "Unidos", "Corea", "del", "Norte"]),
        ("ESTADOS UNIDOS el lunes y en enero", ["ESTADOS", "UNIDOS", "lunes", "enero"]),
        ("los rusos marchan en marzo", ["marzo"]),
    ],
)
def test_spanish_names_are_masked_with_and_without_accents(text: str, expected: list[str]) -> None:
    assert masked_in("es", text) == expected


def test_each_language_has_its_own_specification() -> None:
    """Cleaning, tokens and sentences are shared; word folds and masked names are each
    language's, and so is the digest a model is checked against. Event patterns, scopes and
    function words are English rules only."""
    en, ar, es = (features.spec(code) for code in ("en", "ar", "es"))
    assert len({features.digest(language=code) for code in features.LANGUAGES}) == 3
    assert (en["language"], ar["language"], es["language"]) == ("en", "ar", "es")
    english = {"events", "scopes", "function_words", "bare_numbers"}
    assert english <= en.keys() and not english & (ar.keys() | es.keys())
    shared = {k for k in en if k not in {"language", "word_folds", "actors", "calendar", *english}}
    assert shared == ar.keys() - {"language", "word_folds", "actors", "calendar"}
    for key in shared:
        assert en[key] == ar[key] == es[key], key
    assert en["word_folds"] == es["word_folds"] == WORD_FOLDS
    assert ar["word_folds"] == {**WORD_FOLDS, **ARABIC_LETTER_FOLDS}
    assert "tuesday" in en["calendar"] and "martes" in es["calendar"]
    assert "الثلاثاء" in ar["calendar"] and "والثلاثاء" in ar["calendar"]
    assert en["actors"] != ar["actors"] != es["actors"]
    assert en["removed_characters"] == [list(r) for r in REMOVED_CHARACTERS]


@pytest.mark.parametrize(("trained", "read"), [("en", "ar"), ("ar", "es"), ("es", "en")])
def test_check_refuses_a_model_of_another_languages_rules(trained: str, read: str) -> None:
    entry = {"features": features.manifest_entry({}, trained)}
    features.check(entry, trained)
    with pytest.raises(features.FeatureSpecError, match=f"the {read} model .* differ in") as err:
        features.check(entry, read)
    message = str(err.value)
    assert "language" in message and "actors" in message
    assert ("word_folds" in message) == ("ar" in (trained, read))
    with pytest.raises(features.FeatureSpecError, match="no text rules for language 'fr'"):
        features.check(entry, "fr")
    with pytest.raises(ValueError, match="no text rules for language 'fr'"):
        features.language_rules("fr")


def test_word_rules_are_one_per_language_and_pickle_as_it() -> None:
    assert rules_for("en") is ENGLISH and rules_for("ar") is rules_for("ar")
    assert pickle.loads(pickle.dumps(rules_for("ar"))) is rules_for("ar")
    analyzer = CharAnalyzer(2, 3, mask_actors=True, language="es")
    assert pickle.loads(pickle.dumps(analyzer)) == analyzer
    assert analyzer("Rusia amenazó") == CharAnalyzer(2, 3, language="es")("amenazó")
