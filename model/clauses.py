"""Clause-bounded scopes of negation, refusal and demands in one sentence.

"No shots were fired", "did not threaten", "refused to withdraw" and "unless all sanctions were
lifted" hold the words of an event that did not happen, was refused or is demanded. `scopes`
finds them with the rules of `model.features.SCOPE_RULES`: a cue, then the tokens after it up to
a boundary (a boundary word, a punctuation boundary in the text between two tokens, the next cue,
the sentence end) or the kind's maximum length.

Precedence (scopes never overlap, and each starts right after its cue):

- Text order: a cue opens its scope and the scan resumes after it.
- A cue ends the scope it stands in and opens its own ("refused to withdraw | unless the sanctions
  were lifted"; "neither side fired | nor withdrew").
- Two cues in a row: the first one's scope is the second cue's words, and the second cue opens its
  own scope ("did not | deny that | its jets struck the convoy" gives negated "deny that" and
  refused "its jets struck the convoy"): a negated refusal stays visible.
- At one place the longest phrase wins: a multi-word cue over a one-word cue ("unless and until"
  over "unless"), a non-cue phrase ("not only", "whether or not") over a cue. A non-cue phrase
  is plain words: none of its tokens is a cue, and past its first token none ends a scope.
- Within a scope a boundary word ends it where it stands, before anything else.

`scopes` is the definition. `sentence_scopes` reads a whole text's sentences at once, in C
(`model/_matcher.c`, on tables `_flat_tables` builds from the rules) when that is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, overload

import numpy as np

from model.features import SCOPE_RULES

if TYPE_CHECKING:
    from model._matcher import Scopes

NEGATED, REFUSED, DEMANDED = "negated", "refused", "demanded"
KINDS: tuple[str, ...] = tuple(SCOPE_RULES["kinds"])


@dataclass(frozen=True)
class Scope:
    """One scope: its kind, its cue's token indices, its first and last token (inclusive; never
    empty, and `first` is the token right after the cue)."""

    kind: str
    cue: tuple[int, ...]
    first: int
    last: int


# A phrase starting at a token: its words and its kind (None: a non-cue phrase, plain words).
_Phrase = tuple[tuple[str, ...], str | None]


def _phrases() -> dict[str, tuple[_Phrase, ...]]:
    """Multi-word cues and non-cue phrases by their first word, longest first."""
    found: dict[str, list[_Phrase]] = {}
    entries: list[tuple[str, str | None]] = [
        (p, kind) for kind in KINDS for p in SCOPE_RULES["phrase_cues"][kind]
    ]
    entries += [(p, None) for p in SCOPE_RULES["not_cues"]]
    for phrase, kind in entries:
        words = tuple(phrase.split())
        found.setdefault(words[0], []).append((words, kind))
    return {w: tuple(sorted(ps, key=lambda p: -len(p[0]))) for w, ps in found.items()}


_CUES: dict[str, str] = {w: kind for kind in KINDS for w in SCOPE_RULES["cues"][kind]}
_SUFFIXES: tuple[tuple[str, str], ...] = tuple(
    (s, kind) for kind in KINDS for s in SCOPE_RULES["cue_suffixes"][kind]
)
_PHRASES = _phrases()
_FOLLOWERS: dict[str, frozenset[str]] = {
    kind: frozenset(SCOPE_RULES["cue_followers"][kind]) for kind in KINDS
}
_BOUNDARIES: dict[str, frozenset[str]] = {
    kind: frozenset(SCOPE_RULES["boundary_words"]) | frozenset(SCOPE_RULES["kind_boundaries"][kind])
    for kind in KINDS
}
_STOPS = frozenset(SCOPE_RULES["boundary_characters"])
_MAX: dict[str, int] = dict(SCOPE_RULES["max_scope"])
# Words that may start a cue or a non-cue phrase, and cue endings: anything else is a plain word.
_STARTS = frozenset(_CUES) | frozenset(_PHRASES)
_ENDS = tuple(suffix for suffix, _ in _SUFFIXES)


def _stops(gap: str) -> bool:
    """Whether the text between two tokens ends a scope (holds a boundary character)."""
    return gap != " " and not _STOPS.isdisjoint(gap)


def _match(words: Sequence[str], gaps: Sequence[str], i: int) -> tuple[str | None, int] | None:
    """What starts at token i: (kind, end) for a cue (end: after its last token, followers
    included), (None, end) for a non-cue phrase, None for a plain word. Phrase words must not be
    separated by a boundary character."""
    word = words[i]
    n = len(words)
    kind: str | None = None
    end = i + 1
    for phrase, phrase_kind in _PHRASES.get(word, ()):
        j = i + len(phrase)
        if j <= n and all(
            words[i + k] == phrase[k] and not _stops(gaps[i + k - 1]) for k in range(1, len(phrase))
        ):
            if phrase_kind is None:
                return None, j
            kind, end = phrase_kind, j
            break
    if kind is None:
        kind = _CUES.get(word)
        if kind is None:
            for suffix, suffix_kind in _SUFFIXES:
                if word.endswith(suffix):
                    kind = suffix_kind
                    break
            else:
                return None
    if end < n and words[end] in _FOLLOWERS[kind] and not _stops(gaps[end - 1]):
        end += 1
    return kind, end


def cue_sentences(words: Sequence[str], bounds: Sequence[int]) -> set[int]:
    """The sentences `words[bounds[k]:bounds[k + 1]]` holding a word that may start a cue: the
    only ones in which `scopes` can find a scope. A text's distinct words are looked at once."""
    present = set(words)
    cues = (present & _STARTS) | {w for w in present if w.endswith(_ENDS)}
    if not cues:
        return set()
    return {
        k for k in range(len(bounds) - 1) if not cues.isdisjoint(words[bounds[k] : bounds[k + 1]])
    }


def scopes(words: Sequence[str], gaps: Sequence[str]) -> list[Scope]:
    """The scopes of one sentence in text order (precedence: the module's docstring).

    words: the sentence's lowercase tokens (normalised: "'" for curly apostrophes, hyphenated
    words and "didn't" one token each); gaps[i]: the text between token i and token i + 1 as
    written (len(words) - 1 items), where punctuation boundaries are seen."""
    n = len(words)
    if len(gaps) != max(n - 1, 0):
        raise ValueError(f"{n} words need {max(n - 1, 0)} gaps, got {len(gaps)}")
    found: list[Scope] = []
    i = 0
    while i < n:
        word = words[i]
        matched = None
        if word in _STARTS or word.endswith(_ENDS):
            matched = _match(words, gaps, i)
        if matched is None:
            i += 1
            continue
        kind, start = matched
        if kind is None:
            i = start
            continue
        bounds = _BOUNDARIES[kind]
        limit = min(n, start + _MAX[kind])
        k = start
        resume: int | None = None  # set when the scope is the next cue: the scan goes on there
        while k < limit:
            word = words[k]
            gap = gaps[k - 1]
            if (gap != " " and not _STOPS.isdisjoint(gap)) or word in bounds:
                break
            if word not in _STARTS and not word.endswith(_ENDS):
                k += 1
                continue
            inner = _match(words, gaps, k)
            if inner is not None:
                inner_kind, inner_end = inner
                if inner_kind is not None:
                    if k == start:  # two cues in a row: the scope is the second cue
                        k, resume = inner_end, start
                    break
                k = min(inner_end, limit)
                continue
            k += 1
        if k > start:
            found.append(Scope(kind, tuple(range(i, start)), start, k - 1))
        i = k if resume is None else resume
    return found


def sentence_scopes(
    words: list[str], bounds: np.ndarray, text: str, starts: np.ndarray, ends: np.ndarray
) -> list[tuple[int, Scope]]:
    """The scopes of each sentence `words[bounds[k]:bounds[k + 1]]` whose tokens lie at
    `[starts, ends)` in `text` (int64 arrays), as (k, scope) in text order; a scope's tokens
    count from its sentence's first word. By the C rules when built, else by `scopes`."""
    if _finder() is None:
        return _scopes_of_sentences(words, bounds, text, starts, ends)
    return [
        (k, Scope(KINDS[kind], tuple(range(cue, first)), first, last))
        for k, kind, cue, first, last in scope_tuples(words, bounds, text, starts, ends)
    ]


def scope_tuples(
    words: list[str], bounds: np.ndarray, text: str, starts: np.ndarray, ends: np.ndarray
) -> list[tuple[int, int, int, int, int]]:
    """`sentence_scopes` as plain tuples (k, kind's index in KINDS, cue's first token, first,
    last), as the C rules give them (and `model._matcher.Events.score` reads them)."""
    finder = _finder()
    if finder is None:
        return [
            (k, KINDS.index(s.kind), s.cue[0], s.first, s.last)
            for k, s in _scopes_of_sentences(words, bounds, text, starts, ends)
        ]
    bounds_, starts_, ends_ = (
        np.ascontiguousarray(a, np.int64).data for a in (bounds, starts, ends)
    )
    return finder.find(words, bounds_, text, starts_, ends_)


def _scopes_of_sentences(
    words: list[str], bounds: np.ndarray, text: str, starts: np.ndarray, ends: np.ndarray
) -> list[tuple[int, Scope]]:
    """`sentence_scopes` by `scopes`, only in the sentences that hold a possible cue."""
    lows, firsts, lasts = bounds.tolist(), starts.tolist(), ends.tolist()
    return [
        (k, scope)
        for k in sorted(cue_sentences(words, lows))
        for scope in scopes(
            words[lows[k] : lows[k + 1]],
            Gaps(text, firsts, lasts, lows[k], lows[k + 1] - lows[k] - 1),
        )
    ]


class Gaps(Sequence[str]):
    """The text between each token of a sentence and the next (`n` of them, from token `lo`
    of `text`'s tokens at `[starts, ends)`), read only where asked: the rules look at few."""

    __slots__ = ("_ends", "_lo", "_n", "_starts", "_text")

    def __init__(self, text: str, starts: list[int], ends: list[int], lo: int, n: int) -> None:
        self._text, self._starts, self._ends, self._lo, self._n = text, starts, ends, lo, max(n, 0)

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(i)
        k = self._lo + (i % self._n)
        return self._text[self._ends[k] : self._starts[k + 1]]


@cache
def _finder() -> Scopes | None:
    """The C scope rules (`model/_matcher.c`), or None when the extension was not built."""
    try:
        from model._matcher import Scopes
    except ImportError:
        return None
    return Scopes(*_flat_tables())


def _flat_tables() -> tuple[dict[str, int], tuple[tuple[str, int], ...], tuple[bytes, ...]]:
    """The rules as the C scopes read them: their vocabulary (word -> id), the cue endings with
    their kinds, and the int32 tables in the order and layout `model/_matcher.c` lists."""
    vocabulary: dict[str, int] = {}

    def word(w: str) -> int:
        return vocabulary.setdefault(w, len(vocabulary))

    kind_of = {kind: k for k, kind in enumerate(KINDS)}
    for w in sorted(_STARTS):
        word(w)
    for phrases in _PHRASES.values():
        for words, _ in phrases:
            for w in words:
                word(w)
    for kind in KINDS:
        for w in sorted(_FOLLOWERS[kind] | _BOUNDARIES[kind]):
            word(w)
    size = len(vocabulary)
    cue, start, follow, bound = [-1] * size, [0] * size, [0] * size, [0] * size
    for w, kind in _CUES.items():
        cue[vocabulary[w]] = kind_of[kind]
    for w in _STARTS:
        start[vocabulary[w]] = 1
    for kind, k in kind_of.items():
        for w in _FOLLOWERS[kind]:
            follow[vocabulary[w]] |= 1 << k
        for w in _BOUNDARIES[kind]:
            bound[vocabulary[w]] |= 1 << k
    index, rows, pool = [0], list[int](), list[int]()
    by_id = {vocabulary[w]: phrases for w, phrases in _PHRASES.items()}
    for i in range(size):
        for words, phrase_kind in by_id.get(i, ()):
            rows += [len(pool), len(words), -1 if phrase_kind is None else kind_of[phrase_kind]]
            pool += [vocabulary[w] for w in words]
        index.append(len(rows) // 3)
    if any(len(c) != 1 for c in _STOPS):
        raise ValueError("boundary characters are single characters")
    stops = sorted(ord(c) for c in _STOPS)
    longest = [_MAX[kind] for kind in KINDS]
    tables = (cue, start, follow, bound, index, rows, pool, stops, longest)
    suffixes = tuple((suffix, kind_of[kind]) for suffix, kind in _SUFFIXES)
    return vocabulary, suffixes, tuple(np.asarray(t, dtype=np.int32).tobytes() for t in tables)
