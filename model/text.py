"""Tokens, n-grams and sentences with character offsets into the text as sent.

Training and scoring share these definitions: the vectorisers' analyzers are built on
`tokenize`, `actor_mask` and `word_char_ngrams`; the compiled scorer (`model.compiled`) calls
`actor_runs` (which `actor_mask` is made of), `normalise` and `word_char_ngrams`, and its C
kernel reproduces `tokenize` and `split_sentences` character for character (tests compare them),
so every feature the model saw maps back to the characters that made it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from model.features import (
    ABBREVIATIONS,
    CAPITALS_ONLY,
    CHAR_NGRAM_PAD,
    JOINING_RANGES,
    LATIN_LETTER,
    LINE_WRAP_PATTERN,
    MASKED_NAMES,
    MAX_NON_STARTERS,
    NAME_HYPHENS,
    POSSESSIVE_SUFFIXES,
    REMOVED_CATEGORIES,
    SENTENCE_END_PATTERN,
    TOKEN_PATTERN,
    UNICODE_FORM,
    WORD_FOLDS,
    WORD_JOINERS,
    lookalikes,
)

_TOKEN_RE = re.compile(TOKEN_PATTERN)
_NORMALISE = str.maketrans(WORD_FOLDS)
_LOOKALIKES = str.maketrans(lookalikes())
# Each look-alike letter to its Latin twin in the same case (a capital for a capital).
_LATIN_TWINS = str.maketrans(
    {c: latin.upper() if c.isupper() else latin for c, latin in lookalikes().items()}
)
_ASCII_LETTER = re.compile(r"[a-z]")


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
    lookalikes: frozenset[str]  # letters of other scripts that look like Latin ones
    removed: re.Pattern[str]  # any invisible character
    segment: re.Pattern[str]  # a run of ASCII characters none of which a mark joins, or a
    # character with the characters that join it: marks (category M or a combining class),
    # Hangul vowel and final consonant jamo (NFKC composes them with the syllable's start)
    long_marks: re.Pattern[str]  # more than MAX_NON_STARTERS non-starters in a row
    capped: re.Pattern[str]  # MAX_NON_STARTERS non-starters (group 1), then the rest
    lookalike_word: re.Pattern[str]  # a word made only of look-alike letters
    latin_letter: re.Pattern[str]
    other_letter: re.Pattern[str]  # a letter of any other script


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
    invisible, joining, non_starters = [], [], []
    category, combining = unicodedata.category, unicodedata.combining
    for c in range(0x80, 0x110000):
        ch = chr(c)
        kind = category(ch)
        if kind == "Cn":  # unassigned
            continue
        if kind in REMOVED_CATEGORIES:
            invisible.append(c)
        if combining(ch):
            non_starters.append(c)
            joining.append(c)
        elif kind[0] == "M" or any(lo <= c <= hi for lo, hi in JOINING_RANGES):
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
        removed=re.compile(_char_class(invisible)),
        segment=re.compile(rf"(?:[\x00-\x7f](?!{joins}))+|.{joins}*", re.S),
        long_marks=re.compile(f"(?:{marks}){{{MAX_NON_STARTERS + 1}}}"),
        capped=re.compile(f"((?:{marks}){{{MAX_NON_STARTERS}}})(?:{marks})+"),
        # A whole token (`TOKEN_PATTERN`) of look-alike letters: not after a letter or a letter
        # and a joiner, not before either (so each start is tried once: linear time).
        lookalike_word=re.compile(
            rf"(?<!\w)(?<!\w{joiner})(?>{lookalike}+(?:{joiner}{lookalike}+)*)(?!\w|{joiner}\w)"
        ),
        latin_letter=re.compile(LATIN_LETTER),
        other_letter=re.compile(rf"(?:(?!{LATIN_LETTER})[^\W\d_])"),
    )


# Cleaned form of short character clusters (most repeat); longer ones are cleaned each time, so
# the cache holds at most _PIECES_LIMIT clusters of CACHED_CLUSTER_CHARS code points.
CACHED_CLUSTER_CHARS = 8
_PIECES: dict[str, str] = {}
_PIECES_LIMIT = 100_000


def _piece(cluster: str) -> str:
    """One character with the marks that join it, as a reader sees it: invisible characters
    dropped, at most MAX_NON_STARTERS non-starters in a row kept, then NFKC."""
    piece = _PIECES.get(cluster)
    if piece is None:
        classes = _classes()
        kept = classes.capped.sub(r"\1", classes.removed.sub("", cluster))
        piece = unicodedata.normalize(UNICODE_FORM, kept)
        if len(cluster) <= CACHED_CLUSTER_CHARS:
            if len(_PIECES) >= _PIECES_LIMIT:
                _PIECES.clear()
            _PIECES[cluster] = piece
    return piece


def _clean_by_character(text: str) -> Cleaned:
    """`clean` of a text in which no character joins the one before it: each of its distinct
    characters is cleaned on its own (`_piece`), then the text is translated in one pass."""
    table = {ord(c): _piece(c) for c in set(text)}
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
    """The text as a reader sees it. Each character with the marks that join it is read on its
    own: format characters removed, at most MAX_NON_STARTERS combining marks in a row (the
    stream-safe limit of Unicode Standard Annex 15; more are dropped: no reader sees them, and
    they would cost quadratic time), then Unicode compatibility form (NFKC: fullwidth, ligature
    and mathematical letters read as plain ones). Then, in a text written in Latin letters, a
    word made only of look-alike letters of other scripts reads as its Latin twin
    (`fold_lookalike_words`). ASCII, and text already in that form, is returned as is."""
    if text.isascii():
        return Cleaned(text)
    classes = _classes()
    if (
        unicodedata.is_normalized(UNICODE_FORM, text)
        and classes.invisible.isdisjoint(text)
        and (classes.non_starters.isdisjoint(text) or classes.long_marks.search(text) is None)
    ):
        return Cleaned(fold_lookalike_words(text))
    if classes.joining.isdisjoint(text):
        return _clean_by_character(text)
    segments = classes.segment.findall(text)
    pieces = [s if s.isascii() else _piece(s) for s in segments]
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
    """In a text whose letters are mostly Latin, each word made only of look-alike letters of
    other scripts ("\u0440\u0435\u0430\u0441\u0435", all Cyrillic) written with its Latin twins
    ("peace"), case kept. One character for one, so offsets stay. A text mostly in another
    script keeps its words: a Russian or Greek word stays itself."""
    classes = _classes()
    if (
        text.isascii()
        or classes.lookalikes.isdisjoint(text)
        or classes.lookalike_word.search(text) is None
    ):
        return text
    latin = classes.latin_letter.subn("", text)[1]
    if latin <= classes.other_letter.subn("", text)[1]:
        return text
    return classes.lookalike_word.sub(lambda m: m.group().translate(_LATIN_TWINS), text)


class Token(NamedTuple):
    """One word of the text: its normalised form and its `[start, end)` span."""

    norm: str
    start: int
    end: int


def normalise(word: str) -> str:
    """A word's form (of a cleaned text): apostrophe and hyphen variants folded, lowercase, and
    in a word that holds a basic Latin letter, look-alike letters of other scripts read as the
    Latin letter they imitate ("\u0430ttack" with a Cyrillic "a" is "attack")."""
    return _fold_lookalikes(word.translate(_NORMALISE).lower())


def _fold_lookalikes(norm: str) -> str:
    """Look-alike letters read as Latin in a lowercase word that holds a basic Latin letter."""
    if not norm.isascii() and _ASCII_LETTER.search(norm):
        return norm.translate(_LOOKALIKES)
    return norm


def normalise_all(forms: list[str]) -> list[str]:
    """`[normalise(f) for f in forms]`, folding and lowercasing in one call over the forms
    joined by line breaks (the word-level look-alike rule then runs per form).

    Equal because folding maps each character on its own (`str.translate`, then `str.lower`,
    whose only context rule, the final sigma, stops at a character that is neither cased nor
    case-ignorable, as a line break is) and no form holds a line break (they are tokens). A
    definition under which that fails is caught by the count check here (one call per form
    then) or by the property test beside the kernel's.
    """
    if len(forms) < 2:
        return [normalise(form) for form in forms]
    folded = "\n".join(forms).translate(_NORMALISE).lower().split("\n")
    if len(folded) != len(forms):
        return [normalise(form) for form in forms]
    return [_fold_lookalikes(f) for f in folded]


# Caches of per-word work: words repeat across texts. Only words of at most CACHED_WORD_CHARS
# are kept (real words), so input made of long junk "words" cannot grow a worker's memory.
CACHED_WORD_CHARS = 40
_NORMS: dict[str, str] = {}  # surface word -> normalise(word)
_NORMS_LIMIT = 100_000


def tokenize(text: str) -> list[Token]:
    """Split text into words with `[start, end)` offsets into the text as sent (cleaned first:
    `clean`). Every word is kept (even "a"), so a word n-gram is always adjacent words as
    written and its span reads as the phrase."""
    cleaned = clean(text)
    return [Token(t.norm, *cleaned.span(t.start, t.end)) for t in tokenize_clean(cleaned.text)]


def tokenize_clean(text: str) -> list[Token]:
    """`tokenize` of a text that is already clean: offsets into it."""
    norms = _NORMS
    tokens = []
    for m in _TOKEN_RE.finditer(text):
        word = m.group()
        norm = norms.get(word)
        if norm is None:
            norm = normalise(word)
            if len(word) <= CACHED_WORD_CHARS:
                if len(norms) >= _NORMS_LIMIT:
                    norms.clear()
                norms[word] = norm
        tokens.append(Token(norm, m.start(), m.end()))
    return tokens


def _bare(word: str) -> str:
    """A word without a trailing possessive ("'s")."""
    for suffix in POSSESSIVE_SUFFIXES:
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


_Trie = dict[str, Any]  # word -> sub-trie, and "" -> the name that ends here


def _name_trie(names: frozenset[str]) -> _Trie:
    """Names as a trie of words; a node's "" key holds the name that ends there."""
    root: _Trie = {}
    for name in names:
        node = root
        for word in name.split(" "):
            node = node.setdefault(word, {})
        node[""] = name
    return root


_NAME_TRIE = _name_trie(MASKED_NAMES)


_NAME_HYPHEN = re.compile(f"[{re.escape(NAME_HYPHENS)}]")


def _hyphen_actor(text: str, norm: str, start: int, end: int) -> bool:
    """Whether a hyphenated word holds a state name ("US-led", "pro-Russian")."""
    surfaces = _NAME_HYPHEN.split(text[start:end])
    for part, surface in zip(norm.split("-"), surfaces, strict=False):
        name = _bare(part)
        if name in MASKED_NAMES and (name not in CAPITALS_ONLY or _bare(surface).isupper()):
            return True
    return False


def may_start_actor(norm: str) -> bool:
    """Whether a state actor's name can start at a word with this normalised form: the first
    word of a name (or its possessive), or a hyphenated word holding a name. No name starts at
    any other word, so `actor_runs` need look only at these."""
    if norm in _NAME_TRIE or _bare(norm) in _NAME_TRIE:
        return True
    return "-" in norm and any(_bare(part) in MASKED_NAMES for part in norm.split("-"))


# How `actor_runs` treats a word, from its normalised form alone (`actor_role`).
NEVER, ALONE, PREFIX, MAYBE = 0, 1, 2, 3


def actor_role(norm: str) -> int:
    """NEVER: no name starts here. ALONE: a whole name by itself, never part of a longer one,
    not capitals-only: `actor_runs` always makes it a run of its own. PREFIX: not a name by
    itself, only the start of longer ones, so a name starts here only if the next word
    `continues_name`. MAYBE: anything else; `actor_runs` must look."""
    if not may_start_actor(norm):
        return NEVER
    node = _NAME_TRIE.get(norm)
    hyphen = "-" in norm
    if node is not None:
        name = node.get("")
        if len(node) == 1 and name is not None and name not in CAPITALS_ONLY:
            return ALONE
        bare = _NAME_TRIE.get(_bare(norm), {}).get("")
        if name is None and bare is None and not hyphen:
            return PREFIX
        return MAYBE
    name = _NAME_TRIE.get(_bare(norm), {}).get("")
    return ALONE if name is not None and name not in CAPITALS_ONLY else MAYBE


# Words that occur in a name after its first word (possessive forms match via `_bare`).
_LATER_WORDS = frozenset(w for name in MASKED_NAMES for w in name.split(" ")[1:])


def continues_name(norm: str) -> bool:
    """Whether a word with this form can be the second or a later word of a name."""
    return norm in _LATER_WORDS or _bare(norm) in _LATER_WORDS


def actor_runs(
    text: str,
    norms: Sequence[str],
    starts: Sequence[int] | np.ndarray,
    ends: Sequence[int] | np.ndarray,
    candidates: Iterable[int] | None = None,
) -> list[tuple[int, int]]:
    """`[start, end)` runs of words (normalised forms and spans) that name a state actor
    (`model.actors`), longest match first, scanning left to right. `candidates`: ascending
    indices of the words where `may_start_actor` holds (computed when not given).

    The last word of a name may be possessive ("Russia's"); hyphenated words holding a name
    ("US-led", "Russia-Ukraine") count; names that are also words ("us") count only in capitals
    ("US", "U.S.").
    """
    if candidates is None:
        candidates = [i for i, norm in enumerate(norms) if may_start_actor(norm)]
    runs: list[tuple[int, int]] = []
    covered = 0  # words before this are inside an earlier run
    size = len(norms)
    for i in candidates:
        if i < covered:
            continue
        # path[j]: the trie node of words i..i+j-1 as written.
        path, node = [_NAME_TRIE], _NAME_TRIE.get(norms[i])
        while node is not None:
            path.append(node)
            j = i + len(path) - 1  # the next word
            node = node.get(norms[j]) if j < size else None
        for n in range(min(len(path), size - i), 0, -1):
            last = path[n] if n < len(path) else None
            name = last.get("") if last is not None else None
            if name is None:  # the last word's possessive form
                last = path[n - 1].get(_bare(norms[i + n - 1]))
                name = last.get("") if last is not None else None
            if name is not None:
                if name not in CAPITALS_ONLY or all(
                    _bare(text[starts[j] : ends[j]]).isupper() for j in range(i, i + n)
                ):
                    runs.append((i, i + n))
                    covered = i + n
                    break
        else:
            if "-" in norms[i] and _hyphen_actor(text, norms[i], starts[i], ends[i]):
                runs.append((i, i + 1))
    return runs


def actor_mask(text: str, tokens: Sequence[Token]) -> list[bool]:
    """Which tokens belong to a state actor's name (`actor_runs`)."""
    mask = [False] * len(tokens)
    norms = [t.norm for t in tokens]
    starts, ends = [t.start for t in tokens], [t.end for t in tokens]
    for start, end in actor_runs(text, norms, starts, ends):
        mask[start:end] = [True] * (end - start)
    return mask


def word_ngrams(
    tokens: list[Token], max_n: int, masked: list[bool] | None = None
) -> Iterator[tuple[str, int, int]]:
    """Yield `(ngram, first_token, last_token)` for word n-grams of length 1..max_n.

    Masked tokens yield nothing and no n-gram spans them, so every n-gram is adjacent words.
    """
    norms = [t.norm for t in tokens]
    for i in range(len(norms)):
        for n in range(1, max_n + 1):
            if i + n > len(norms) or (masked is not None and masked[i + n - 1]):
                break
            yield " ".join(norms[i : i + n]), i, i + n - 1


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

    def __call__(self, text: str) -> list[str]:
        """Return the document's word n-gram features."""
        text = clean(text).text
        tokens = tokenize_clean(text)
        masked = actor_mask(text, tokens) if self.mask_actors else None
        return [gram for gram, _, _ in word_ngrams(tokens, self.max_n, masked)]


@dataclass(frozen=True)
class CharAnalyzer:
    """Picklable analyzer for TfidfVectorizer: within-word character n-grams."""

    min_n: int = 2
    max_n: int = 5
    mask_actors: bool = False

    def __call__(self, text: str) -> list[str]:
        """Return the document's character n-gram features."""
        text = clean(text).text
        tokens = tokenize_clean(text)
        masked = actor_mask(text, tokens) if self.mask_actors else None
        out: list[str] = []
        for i, token in enumerate(tokens):
            if masked is None or not masked[i]:
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
