"""Tokens, n-grams and sentences with character offsets into the text as sent.

Training and scoring share these definitions: cleaning and sentences are the same in every
language; word forms and masked names are a language's (`WordRules`, `rules_for`). The
vectorisers' analyzers are built on `WordRules.tokenize_clean`, `WordRules.actor_mask` and
`word_char_ngrams`; the compiled scorer (`model.compiled`) calls `Names.runs` (which
`actor_mask` is made of), `WordRules.normalise_all` and `word_char_ngrams`, and its C kernel
reproduces the tokens and `split_sentences` character for character (tests compare them), so
every feature the model saw maps back to the characters that made it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import numpy as np

from model.features import (
    ABBREVIATIONS,
    ARABIC_CHARACTER,
    CHAR_NGRAM_PAD,
    FUNCTION_WORDS,
    JOINING_RANGES,
    LATIN_LETTER,
    LINE_WRAP_PATTERN,
    MAX_NON_STARTERS,
    REMOVED_CATEGORIES,
    REMOVED_CHARACTERS,
    SENTENCE_END_PATTERN,
    TOKEN_PATTERN,
    UNICODE_FORM,
    WORD_FOLDS,
    WORD_JOINERS,
    capital_i_lookalikes,
    caseless_i_lookalikes,
    language_rules,
    lookalikes,
    read_as,
    styled_letters,
)
from model.names import Names

if TYPE_CHECKING:  # the reader's module imports this one
    from model.eventfeatures import EventReader

_TOKEN_RE = re.compile(TOKEN_PATTERN)
_LOOKALIKES = str.maketrans(lookalikes())
_STYLED = str.maketrans(styled_letters())
_READ_AS = str.maketrans(read_as())
_CAPITAL_I = capital_i_lookalikes()
_CASELESS_I = caseless_i_lookalikes()
_STROKES = _CAPITAL_I | _CASELESS_I
_TWIN_DIGITS = frozenset(c for c in lookalikes() if c.isdecimal())
_DIGIT_RUN = re.compile(r"\d+")
_ASCII_READ_AS = tuple(c for c in read_as() if c.isascii())
_DISPLAY_FOLDS = str.maketrans(WORD_FOLDS)
# Each look-alike letter to its Latin twin in the same case (a capital for a capital).
_LATIN_TWINS = str.maketrans(
    {c: latin.upper() if c.isupper() else latin for c, latin in lookalikes().items()}
)
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True)
class Cleaned:
    """A text as a reader sees it (`clean`), and where each of its characters came from:
    cleaned character i was made from `[starts[i], ends[i])` of the text as sent (one character
    may become several: "\ufb01" reads "fi"). Both are None when each cleaned character comes
    from the character sent at the same place."""

    text: str
    starts: np.ndarray | None = None
    ends: np.ndarray | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The `[start, end)` in the text as sent of the cleaned characters `[start, end)`."""
        if self.starts is None or self.ends is None or start >= end:
            return start, end
        return int(self.starts[start]), int(self.ends[end - 1])

    def spans(self, spans: np.ndarray) -> np.ndarray:
        """`span` of each row of an `(n, 2)` array of cleaned spans (rows with start < end)."""
        if self.starts is None or self.ends is None or not len(spans):
            return spans
        out = np.empty_like(spans)
        out[:, 0] = self.starts[spans[:, 0]]
        out[:, 1] = self.ends[spans[:, 1] - 1]
        return out


@dataclass(frozen=True)
class _Classes:
    """Character classes of the cleaning rules, as sets (fast tests) and patterns."""

    invisible: frozenset[str]  # dropped: REMOVED_CATEGORIES
    non_starters: frozenset[str]  # combining class other than 0
    joining: frozenset[str]  # characters that join the one before them (`segment`)
    lookalikes: frozenset[str]  # letters and digits that look like Latin letters (`lookalikes`)
    styled: frozenset[str]  # Latin letters in a style NFKC leaves alone (`styled_letters`)
    read_as: frozenset[str]  # the non-ASCII characters read as another (`read_as`)
    decoration: re.Pattern[str]  # the combining marks after a Latin letter or Arabic character
    removed: re.Pattern[str]  # any invisible character
    segment: re.Pattern[str]  # a run of ASCII characters none of which a mark joins, or a
    # character with the characters that join it: marks (category M or a combining class),
    # Hangul vowel and final consonant jamo (NFKC composes them with the syllable's start)
    long_marks: re.Pattern[str]  # more than MAX_NON_STARTERS non-starters in a row
    capped: re.Pattern[str]  # MAX_NON_STARTERS non-starters (group 1), then the rest
    lookalike_word: re.Pattern[str]  # a word made only of look-alikes
    latin_letter: re.Pattern[str]
    other_letter: re.Pattern[str]  # a letter of any other script
    joining_codes: np.ndarray  # `joining` and `invisible` as sorted code points (`_member`)
    invisible_codes: np.ndarray


def _ranges(codes: Iterable[int]) -> str:
    """The body of a character class of code points, as ranges."""
    ranges: list[list[int]] = []
    for c in sorted(codes):
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return "".join(
        re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges
    )


def _char_class(codes: Iterable[int]) -> str:
    """A pattern matching one of these code points. `re` tests a class of BMP characters in a
    bitmap, but one reaching past the BMP range by range (ten times slower): characters past
    the BMP are tested apart, and only when the character is past it."""
    codes = sorted(codes)
    bmp = f"[{_ranges(c for c in codes if c < 0x10000)}]"
    astral = [c for c in codes if c >= 0x10000]
    return f"(?:{bmp}|[\U00010000-\U0010ffff](?<=[{_ranges(astral)}]))" if astral else bmp


@lru_cache(maxsize=1)
def _classes() -> _Classes:
    """The character classes, from the Unicode database (once per process)."""
    invisible, joining, non_starters, marks_all = [], [], [], []
    removed = {c for lo, hi in REMOVED_CHARACTERS for c in range(lo, hi + 1)}
    category, combining = unicodedata.category, unicodedata.combining
    for c in range(0x80, 0x110000):
        ch = chr(c)
        kind = category(ch)
        if kind in REMOVED_CATEGORIES or c in removed:
            invisible.append(c)
        if kind == "Cn":  # unassigned: no mark, joins nothing
            continue
        combines = combining(ch)
        if combines or kind[0] == "M":  # a mark: it joins the character before it
            marks_all.append(c)
            joining.append(c)
            if combines:
                non_starters.append(c)
        elif any(lo <= c <= hi for lo, hi in JOINING_RANGES):
            joining.append(c)
    joins = _char_class(joining)
    marks = _char_class(non_starters)
    letters = lookalikes()
    lookalike = _char_class(map(ord, letters))
    joiner = _char_class(map(ord, WORD_JOINERS))
    return _Classes(
        invisible=frozenset(map(chr, invisible)),
        non_starters=frozenset(map(chr, non_starters)),
        joining=frozenset(map(chr, joining)),
        lookalikes=frozenset(letters),
        styled=frozenset(styled_letters()),
        read_as=frozenset(c for c in read_as() if not c.isascii()),
        decoration=re.compile(
            rf"(?<=[{LATIN_LETTER[1:-1]}{ARABIC_CHARACTER[1:-1]}])(?:{_char_class(marks_all)})+"
        ),
        removed=re.compile(_char_class(invisible)),
        segment=re.compile(rf"(?:[\x00-\x7f](?!{joins}))+|.{joins}*", re.S),
        long_marks=re.compile(f"(?:{marks}){{{MAX_NON_STARTERS + 1}}}"),
        capped=re.compile(f"((?:{marks}){{{MAX_NON_STARTERS}}})(?:{marks})+"),
        # A whole token (`TOKEN_PATTERN`) of look-alikes: not after a letter or a letter
        # and a joiner, not before either (so each start is tried once: linear time).
        lookalike_word=re.compile(
            rf"(?<!\w)(?<!\w{joiner})(?>{lookalike}+(?:{joiner}{lookalike}+)*)(?!\w|{joiner}\w)"
        ),
        latin_letter=re.compile(LATIN_LETTER),
        other_letter=re.compile(rf"(?:(?!{LATIN_LETTER})[^\W\d_])"),
        joining_codes=np.array(sorted(joining), dtype=np.uint32),
        invisible_codes=np.array(sorted(invisible), dtype=np.uint32),
    )


# Cleaned form of short character clusters (most repeat); longer ones are cleaned each time, so
# the cache holds at most _PIECES_LIMIT clusters of CACHED_CLUSTER_CHARS code points.
CACHED_CLUSTER_CHARS = 8
_PIECES: dict[str, str] = {}
_PIECES_LIMIT = 100_000


# NUL joins the clusters cleaned in one pass: a starter that composes with nothing and is
# neither removed nor a mark, so no rule of `_pieces` reaches across it.
_JOIN = "\x00"


def _pieces(segments: Sequence[str]) -> list[str]:
    """Each character with the marks that join it, as a reader sees it: invisible characters
    dropped, at most MAX_NON_STARTERS non-starters in a row kept, then NFKC. An ASCII segment
    stays as it is. The distinct clusters not cached are cleaned in one pass (joined by `_JOIN`,
    then split); one that holds NUL is cleaned on its own."""
    out = [s if s.isascii() else _PIECES.get(s) for s in segments]
    todo = list(dict.fromkeys(s for s, piece in zip(segments, out, strict=True) if piece is None))
    if not todo:
        return cast(list[str], out)
    joined = [c for c in todo if _JOIN not in c]
    cleaned: dict[str, str] = {}
    if joined:
        cleaned = dict(zip(joined, _clean_cluster(_JOIN.join(joined)).split(_JOIN), strict=True))
    cleaned.update((c, _clean_cluster(c)) for c in todo if _JOIN in c)
    for cluster, piece in cleaned.items():
        if len(cluster) <= CACHED_CLUSTER_CHARS:
            if len(_PIECES) >= _PIECES_LIMIT:
                _PIECES.clear()
            _PIECES[cluster] = piece
    return [cleaned[s] if piece is None else piece for s, piece in zip(segments, out, strict=True)]


def _clean_cluster(cluster: str) -> str:
    """The reader's form of a cluster (`_pieces`), with no cache."""
    classes = _classes()
    kept = classes.capped.sub(r"\1", classes.removed.sub("", cluster))
    return classes.decoration.sub("", unicodedata.normalize(UNICODE_FORM, kept.translate(_STYLED)))


def _clean_by_character(text: str) -> Cleaned:
    """`clean` of a text in which no character joins the one before it: each of its distinct
    characters is cleaned on its own (`_pieces`), then the text is translated in one pass."""
    distinct = list(set(text))
    table = dict(zip(map(ord, distinct), _pieces(distinct), strict=True))
    out = text.translate(table)
    if len(out) == len(text) and all(len(piece) == 1 for piece in table.values()):
        return Cleaned(fold_lookalike_words(out))  # character for character
    codes = np.fromiter(table, np.int64, len(table))
    lengths = np.fromiter(map(len, table.values()), np.int64, len(table))
    order = np.argsort(codes)
    sent = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    each = lengths[order][np.searchsorted(codes[order], sent)]
    source = np.repeat(np.arange(len(text), dtype=np.int64), each)
    return Cleaned(fold_lookalike_words(out), source, source + 1)


def clean(text: str) -> Cleaned:
    """The text as a reader sees it. First, one character for one, `read_as`: punctuation
    look-alikes read as the punctuation, blanks as a space, the look-alike letters NFKC would hide
    as ones it keeps. Then each character with the marks that join it is read on its own: format
    characters removed, at most MAX_NON_STARTERS combining marks in a row (the stream-safe limit of
    Unicode Standard Annex 15; more are dropped: no reader sees them, and they would cost quadratic
    time), styled Latin letters NFKC leaves alone as plain ones (small capitals, parenthesized and
    negative circled or squared letters: `styled_letters`), then Unicode compatibility form (NFKC:
    fullwidth, ligature, circled and mathematical letters read as plain ones), and the combining
    marks NFKC leaves on a Latin letter or an Arabic character dropped (underlines, strokes and
    enclosing circles drawn over each letter, Quranic marks; an accent NFKC composes with its
    letter is part of it). Then, in a text
    written in Latin letters, a word made only of look-alikes (`lookalikes`) reads as its Latin
    twin (`fold_lookalike_words`). ASCII, and text already in that form (with no character to
    read as another), is returned as is."""
    read = any(c in text for c in _ASCII_READ_AS)
    if text.isascii():
        return Cleaned(text.translate(_READ_AS) if read else text)
    classes = _classes()
    present = _non_ascii(text)  # every class below is of non-ASCII characters
    if read or not classes.read_as.isdisjoint(present):
        text = text.translate(_READ_AS)  # one character for one: offsets stay
        present = _non_ascii(text)
    capped = classes.non_starters.isdisjoint(present) or classes.long_marks.search(text) is None
    joins = not classes.joining.isdisjoint(present)
    if (
        capped
        and classes.styled.isdisjoint(present)
        and unicodedata.is_normalized(UNICODE_FORM, text)
    ):
        if classes.invisible.isdisjoint(present):
            if not joins or classes.decoration.search(text) is None:  # no mark to drop
                return Cleaned(_fold_lookalike_words(text, present))
        elif joins:
            removed = _clean_by_removal(text)  # None for marks left to drop
            if removed is not None:
                return removed
    return _clean_by_segments(text) if joins else _clean_by_character(text)


def _clean_by_removal(text: str) -> Cleaned | None:
    """`clean` of a text in NFKC form, with no run of marks to cap, when dropping its invisible
    characters leaves it in NFKC form (Arabic with tashkeel or tatweel): the others kept as
    they are, each from its whole cluster (a character with the characters that join it), as
    `_clean_by_segments` maps them. None when the text needs that general path (styled
    letters to read as plain ones, or marks to drop on Latin letters or Arabic characters)."""
    classes = _classes()
    if not text or not classes.styled.isdisjoint(text):
        return None
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    visible = ~_member(codes, classes.invisible_codes)
    kept = codes[visible].tobytes().decode("utf-32-le", "surrogatepass")
    # A removed character may have split a run of marks longer than the cap: the general path
    # caps it. Marks left on a letter to drop (not the removed tashkeel): the general path too.
    if (
        not unicodedata.is_normalized(UNICODE_FORM, kept)
        or classes.long_marks.search(kept)
        or classes.decoration.search(kept)
    ):
        return None
    starts_cluster = ~_member(codes, classes.joining_codes)
    starts_cluster[0] = True
    cluster_start = np.flatnonzero(starts_cluster)
    cluster_end = np.append(cluster_start[1:], len(text))
    source = (np.cumsum(starts_cluster) - 1)[visible]
    return Cleaned(fold_lookalike_words(kept), cluster_start[source], cluster_end[source])


def _member(codes: np.ndarray, sorted_codes: np.ndarray) -> np.ndarray:
    """Whether each code is one of `sorted_codes` (a binary search each: `np.isin` would build
    a table as wide as their range)."""
    at = np.minimum(np.searchsorted(sorted_codes, codes), len(sorted_codes) - 1)
    return np.asarray(sorted_codes[at] == codes)


def _clean_by_segments(text: str) -> Cleaned:
    """`clean` by its definition: each cluster (a character with the characters that join it)
    cleaned on its own (`_pieces`); an ASCII run that no mark joins kept as it is."""
    classes = _classes()
    segments = classes.segment.findall(text)
    pieces = _pieces(segments)
    seg_len = np.fromiter(map(len, segments), np.int64, len(segments))
    out_len = np.fromiter(map(len, pieces), np.int64, len(pieces))
    seg_end = np.cumsum(seg_len)
    seg_start = seg_end - seg_len
    # An ASCII run maps character to character; every character cleaned from a cluster
    # comes from the whole cluster.
    direct = np.fromiter((s.isascii() for s in segments), bool, len(segments))
    out_start = np.cumsum(out_len) - out_len
    total = int(out_len.sum())
    offset = np.arange(total, dtype=np.int64) - np.repeat(out_start, out_len)
    one_to_one = np.repeat(direct, out_len)
    starts = np.repeat(seg_start, out_len) + np.where(one_to_one, offset, 0)
    ends = np.where(one_to_one, starts + 1, np.repeat(seg_end, out_len))
    return Cleaned(fold_lookalike_words("".join(pieces)), starts, ends)


def fold_lookalike_words(text: str) -> str:
    """In a text whose letters are mostly Latin, each word made only of look-alikes
    (`lookalikes`: "\u0440\u0435\u0430\u0441\u0435", all Cyrillic) written with its Latin twins
    ("peace"), case kept, but a number of another script's digits (`_as_latin`). One character
    for one, so offsets stay. A text mostly in another script keeps its words: a Russian or
    Greek word stays itself."""
    return text if text.isascii() else _fold_lookalike_words(text, _non_ascii(text))


def _fold_lookalike_words(text: str, present: set[str]) -> str:
    """`fold_lookalike_words` of a text whose distinct non-ASCII characters are `present`."""
    classes = _classes()
    if classes.lookalikes.isdisjoint(present) or classes.lookalike_word.search(text) is None:
        return text
    latin = classes.latin_letter.subn("", text)[1]
    if latin <= classes.other_letter.subn("", text)[1]:
        return text
    return classes.lookalike_word.sub(lambda m: _as_latin(m.group(), _LATIN_TWINS), text)


def _as_latin(word: str, table: dict[int, str]) -> str:
    """A word's look-alikes read by `table` (`_LOOKALIKES` or `_LATIN_TWINS`), but where a
    capital I is meant and where a number stands. A look-alike of the capital I
    (`capital_i_lookalikes`) reads "I" first in the word or anywhere in a word without small
    letters, one without case (`caseless_i_lookalikes`) in a word without small letters
    ("K\u0406LLED" and "K\u06f1LLED" are "KILLED", "\u0406srael" "Israel"; "ki\u0406\u0406ed" is
    "killed"). A run of digits that holds one with no Latin twin ("F-\u06f1\u06f6"), and a word
    without a letter ("\u06f1\u06f5"), is a number and stays one."""
    digits = not _TWIN_DIGITS.isdisjoint(word)
    if not digits and _STROKES.isdisjoint(word):
        return word.translate(table)
    if digits and not any(c.isalpha() for c in word):
        return word
    kept = {
        i
        for run in _DIGIT_RUN.finditer(word)
        if not _TWIN_DIGITS.issuperset(run.group())
        for i in range(run.start(), run.end())
    }
    capitals = not any(c.islower() for c in word)
    return "".join(
        c
        if i in kept
        else "I"
        if (c in _CAPITAL_I and (capitals or i == 0)) or (c in _CASELESS_I and capitals)
        else c.translate(table)
        for i, c in enumerate(word)
    )


def _non_ascii(text: str) -> set[str]:
    """The distinct non-ASCII characters of `text`."""
    return set("".join(_NON_ASCII.findall(text)))


class Token(NamedTuple):
    """One word of the text: its normalised form and its `[start, end)` span."""

    norm: str
    start: int
    end: int


class WordRules:
    """One language's word forms and masked names (`model.features.language_rules`)."""

    def __init__(self, language: str) -> None:
        """The rules of `language` (one of `model.features.LANGUAGES`)."""
        rules = language_rules(language)
        self.language = language
        self._folds = str.maketrans(rules["word_folds"])
        # Whether its word forms fold letters beyond apostrophes and hyphens (a phrase then
        # shows its words as written: `display`).
        self.folds_letters = rules["word_folds"] != WORD_FOLDS
        self.names = Names(rules["names"], rules["capitals_only"])
        # Caches of per-word work: words repeat across texts. Only words of at most
        # CACHED_WORD_CHARS are kept (real words), so input made of long junk "words" cannot
        # grow a worker's memory.
        self._norms: dict[str, str] = {}  # surface word -> normalise(word)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its language: the rules are this code's."""
        return (rules_for, (self.language,))

    def normalise(self, word: str) -> str:
        """A word's form (of a cleaned text): the language's character folds (apostrophe and
        hyphen variants; Arabic letter variants), then in a word that holds a basic Latin
        letter, look-alikes (`lookalikes`) read as the Latin letter they imitate ("\u0430ttack"
        with a Cyrillic "a" is "attack"; `_as_latin`), then lowercase."""
        return _fold_lookalikes(word.translate(self._folds)).lower()

    def normalise_all(self, forms: list[str]) -> list[str]:
        """`[normalise(f) for f in forms]`, folding and lowercasing in one call each over the
        forms joined by line breaks (the word-level look-alike rule runs per form between them).

        Equal because folding maps each character on its own (`str.translate`, then
        `str.lower`, whose only context rule, the final sigma, stops at a character that is
        neither cased nor case-ignorable, as a line break is) and no form holds a line break
        (they are tokens). A definition under which that fails is caught by the count check
        here (one call per form then) or by the property test beside the kernel's.
        """
        if len(forms) < 2:
            return [self.normalise(form) for form in forms]
        folded = "\n".join(forms).translate(self._folds).split("\n")
        if len(folded) != len(forms):
            return [self.normalise(form) for form in forms]
        return "\n".join(map(_fold_lookalikes, folded)).lower().split("\n")

    def tokenize(self, text: str) -> list[Token]:
        """Split text into words with `[start, end)` offsets into the text as sent (cleaned
        first: `clean`). Every word is kept (even "a"), so a word n-gram is always adjacent
        words as written and its span reads as the phrase."""
        cleaned = clean(text)
        return [
            Token(t.norm, *cleaned.span(t.start, t.end)) for t in self.tokenize_clean(cleaned.text)
        ]

    def tokenize_clean(self, text: str) -> list[Token]:
        """`tokenize` of a text that is already clean: offsets into it."""
        norms = self._norms
        tokens = []
        for m in _TOKEN_RE.finditer(text):
            word = m.group()
            norm = norms.get(word)
            if norm is None:
                norm = self.normalise(word)
                if len(word) <= CACHED_WORD_CHARS:
                    if len(norms) >= _NORMS_LIMIT:
                        norms.clear()
                    norms[word] = norm
            tokens.append(Token(norm, m.start(), m.end()))
        return tokens

    def actor_mask(self, text: str, tokens: Sequence[Token]) -> list[bool]:
        """Which tokens belong to a masked name (`Names.runs`)."""
        starts, ends = [t.start for t in tokens], [t.end for t in tokens]
        return self.names.mask(text, [t.norm for t in tokens], starts, ends)


def display(word: str) -> str:
    """A word as a phrase shows it: apostrophe and hyphen variants folded, lowercase, look-alike
    letters read as Latin ones (`WordRules.normalise` without a language's own letter folds, so
    an Arabic word reads as written; an English word shows exactly its feature's form)."""
    return _fold_lookalikes(word.translate(_DISPLAY_FOLDS)).lower()


def _fold_lookalikes(word: str) -> str:
    """Look-alikes read as Latin letters (small) in a word that holds a basic Latin letter;
    before lowercasing, so that a capital whose small letter looks like no Latin one (Greek
    "\u0395") still reads as the letter it imitates."""
    if not word.isascii() and _ASCII_LETTER.search(word):
        return _as_latin(word, _LOOKALIKES)
    return word


CACHED_WORD_CHARS = 40
_NORMS_LIMIT = 100_000


@cache
def rules_for(language: str) -> WordRules:
    """The word rules of a language (one instance per process)."""
    return WordRules(language)


# English, the language of the functions below (tests and tools that read English text).
ENGLISH = rules_for("en")
normalise = ENGLISH.normalise
normalise_all = ENGLISH.normalise_all
tokenize = ENGLISH.tokenize
tokenize_clean = ENGLISH.tokenize_clean
actor_mask = ENGLISH.actor_mask


def word_ngrams(
    tokens: list[Token],
    max_n: int,
    masked: list[bool] | None = None,
    alone: list[bool] | None = None,
    content: bool = False,
) -> Iterator[tuple[str, int, int]]:
    """Yield `(ngram, first_token, last_token)` for word n-grams of length 1..max_n.

    Masked tokens yield nothing and no n-gram spans them, so every n-gram is adjacent words.
    A token whose `alone` is False yields no unigram (it counts inside longer n-grams only),
    and with `content` no n-gram made only of such tokens either ("it would", "on the").
    """
    norms = [t.norm for t in tokens]
    for i in range(len(norms)):
        ngram_only = 0  # how many of tokens i..i+n-1 count inside n-grams only
        for n in range(1, max_n + 1):
            if i + n > len(norms) or (masked is not None and masked[i + n - 1]):
                break
            if alone is not None and not alone[i + n - 1]:
                ngram_only += 1
                if ngram_only == n and (n == 1 or content):
                    continue  # words that count inside n-grams only, or none with a content word
            yield " ".join(norms[i : i + n]), i, i + n - 1


def is_function_word(norm: str) -> bool:
    """A function word or a bare number (`FUNCTION_WORDS`; every character a decimal digit)."""
    return norm in FUNCTION_WORDS or norm.isdecimal()


def ngram_only_words(function_words: str) -> bool:
    """Whether an analyzer's `function_words` mode gives function words and bare numbers no
    features of their own ("ngrams", "content"; not "features")."""
    return function_words != "features"


def _feature_tokens(
    text: str, language: str, mask_actors: bool, reader: EventReader | None, function_words: str
) -> tuple[list[Token], list[bool] | None, list[bool] | None]:
    """A text's tokens (cleaned first), those that give no features (masked names; words in a
    scope) and those that give features of their own (None: all), as the analyzers and the
    compiled scorer apply them."""
    rules = rules_for(language)
    text = clean(text).text
    tokens = rules.tokenize_clean(text)
    masked = rules.actor_mask(text, tokens) if mask_actors else None
    if reader is not None and reader.masks:
        inside = reader.mask(text, tokens)
        masked = inside if masked is None else [a or b for a, b in zip(masked, inside, strict=True)]
    alone = None
    if ngram_only_words(function_words):
        alone = [not is_function_word(t.norm) for t in tokens]
    return tokens, masked, alone


def word_char_ngrams(norm: str, min_n: int, max_n: int) -> tuple[str, ...]:
    """Character n-grams of one word padded with spaces (like scikit-learn's char_wb)."""
    if len(norm) <= CACHED_WORD_CHARS:
        return _cached_char_ngrams(norm, min_n, max_n)
    return _char_ngrams(norm, min_n, max_n)


def _char_ngrams(norm: str, min_n: int, max_n: int) -> tuple[str, ...]:
    """The n-grams of `word_char_ngrams`, computed."""
    padded = f"{CHAR_NGRAM_PAD}{norm}{CHAR_NGRAM_PAD}"
    return tuple(
        padded[i : i + n] for n in range(min_n, max_n + 1) for i in range(len(padded) - n + 1)
    )


_cached_char_ngrams = lru_cache(maxsize=65536)(_char_ngrams)


@dataclass(frozen=True)
class WordAnalyzer:
    """Picklable analyzer for TfidfVectorizer: word n-grams of length 1..max_n."""

    max_n: int = 2
    mask_actors: bool = False
    language: str = "en"
    # The event reading whose masked words give no features (`EventReader.mask`: words in
    # negated, refused or demanded scopes, words of matched events), if any.
    reader: EventReader | None = None
    # "features": every word has its own features; "ngrams": function words and bare numbers
    # count only inside n-grams (`is_function_word`); "content": only inside n-grams that hold
    # another word too.
    function_words: str = "features"

    def __call__(self, text: str) -> list[str]:
        """Return the document's word n-gram features."""
        tokens, masked, alone = _feature_tokens(
            text, self.language, self.mask_actors, self.reader, self.function_words
        )
        content = self.function_words == "content"
        return [gram for gram, _, _ in word_ngrams(tokens, self.max_n, masked, alone, content)]


@dataclass(frozen=True)
class CharAnalyzer:
    """Picklable analyzer for TfidfVectorizer: within-word character n-grams."""

    min_n: int = 2
    max_n: int = 5
    mask_actors: bool = False
    language: str = "en"
    reader: EventReader | None = None  # as `WordAnalyzer.reader`
    function_words: str = "features"  # as `WordAnalyzer.function_words`

    def __call__(self, text: str) -> list[str]:
        """Return the document's character n-gram features."""
        tokens, masked, alone = _feature_tokens(
            text, self.language, self.mask_actors, self.reader, self.function_words
        )
        out: list[str] = []
        for i, token in enumerate(tokens):
            if (masked is None or not masked[i]) and (alone is None or alone[i]):
                out.extend(word_char_ngrams(token.norm, self.min_n, self.max_n))
        return out


_SENTENCE_END_RE = re.compile(SENTENCE_END_PATTERN)


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at `dot` ends an abbreviation rather than a sentence."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot]
    return "." in word or len(word) == 1 or word.lower() in ABBREVIATIONS


_LINE_WRAP_RE = re.compile(LINE_WRAP_PATTERN)
# A text with fewer line breaks than one per this many characters is unwrapped line by line;
# denser ones by the pattern itself, whose cost does not grow with the number of breaks.
LINES_BELOW = 64


def unwrap(text: str) -> str:
    """A line break between two lines of text read as a space: `re.sub(LINE_WRAP_PATTERN, " ",
    text)`. The text itself (the same object) when nothing wraps, so callers can skip
    recounting. An article has few breaks, and going line by line spares it the pattern, which
    opens with a look-behind and so is tried at every position (0.15 ms of a 4 KB article)."""
    breaks = text.count("\n")
    if not breaks:
        return text
    if breaks * LINES_BELOW > len(text):
        unwrapped, wraps = _LINE_WRAP_RE.subn(" ", text)
        return unwrapped if wraps else text
    return unwrap_by_lines(text)


def unwrap_by_lines(text: str) -> str:
    """`unwrap`, line by line: a break wraps when the lines on both sides hold text, and then
    the blanks around it (never another break) become one space."""
    lines = text.split("\n")
    full = [bool(line) and not line.isspace() for line in lines]
    wraps = [before and after for before, after in zip(full, full[1:], strict=False)]
    if not any(wraps):
        return text
    pieces: list[str] = []
    for k, line in enumerate(lines):
        if k and wraps[k - 1]:
            line = line.lstrip()
        if k < len(wraps):
            pieces += (line.rstrip(), " ") if wraps[k] else (line, "\n")
        else:
            pieces.append(line)
    return "".join(pieces)


def article_sentences(text: str) -> int:
    """How many sentences the article map counts in `text` (cleaned, then `unwrap`ped)."""
    return len(split_sentences(unwrap(clean(text).text)))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """`split_sentences` of the cleaned text (`clean`), as spans into the text as sent."""
    cleaned = clean(text)
    return [cleaned.span(s, e) for s, e in split_sentences(cleaned.text)]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return `[start, end)` spans of the sentences, whitespace trimmed, blank ones dropped.

    The definition the kernel's `split_sentences` (`model/_kernel.c`) reproduces for scoring."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(text):
        if m.group() != "\n" and m.group()[0] == "." and _is_abbreviation(text, m.start()):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out
