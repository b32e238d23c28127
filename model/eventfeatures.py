"""Event features: what happened in each sentence, read by the CAMEO verb patterns, with its scope.

A sentence's words go through the compiled dictionary (`model.events`) and the scope rules
(`model.clauses`). Each match is one *occurrence*: its features, and the tokens a reader sees as
its phrase ("talks … collapsed"). A match outside any scope gives its CAMEO root code (and, by the
model's `kinds`, its full code and Goldstein band). A match whose verb is negated, refused or
demanded reads as CAMEO codes it there (`EVENT_RULES["scoped_cameo"]`: a refused cooperation is
a rejection, a demanded event a demand, a negated event none), or as the scope's kind and the
match's quad class; its phrase is led by the cue ("refused … withdraw"). A scope of the kinds the
model names (`EventReader.scope_features`) is a feature of its own ("scope:refused"), its phrase
the cue and the words it governs. Words inside a scope give no word or character features, nor
(by the model's `EventReader`) may the words of a matched event: the event says what they mean.

The block is TF-IDF like the others (sublinear tf, idf, L2 norm), so the logit stays
`bias + sum(x * coef)` and each occurrence's phrase weight is its features' contributions, each
shared equally among the occurrences that gave it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from model.clauses import KINDS as SCOPE_KINDS
from model.clauses import Scope, sentence_scopes
from model.events import EventCode, EventPatterns
from model.features import EVENT_RULES, FUNCTION_WORDS
from model.text import Token, clean, display, is_function_word, rules_for, split_sentences

if TYPE_CHECKING:
    from model._matcher import Events

KINDS: tuple[str, ...] = tuple(EVENT_RULES["kinds"])
_QUADS: tuple[tuple[int, int, str], ...] = tuple(
    (int(lo), int(hi), str(name)) for lo, hi, name in EVENT_RULES["quad_classes"]
)
_BANDS: tuple[float, ...] = tuple(float(b) for b in EVENT_RULES["goldstein_bands"])
_SCOPED_CAMEO: dict[str, dict[str, str | None]] = EVENT_RULES["scoped_cameo"]
SCOPED_MODES: tuple[str, ...] = tuple(EVENT_RULES["scoped_modes"])
GAP = " \u2026 "  # between the words of a phrase that are not adjacent


def quad_class(root: str) -> str:
    """The CAMEO quad class of a root code ("01".."20")."""
    number = int(root)
    for lo, hi, name in _QUADS:
        if lo <= number <= hi:
            return name
    raise ValueError(f"no quad class for root code {root!r}")


def goldstein_band(value: float) -> int:
    """The band of a Goldstein score: how many of `EVENT_RULES["goldstein_bands"]` it reaches."""
    return sum(value >= b for b in _BANDS)


def match_features(
    code: EventCode,
    scope: str | None,
    kinds: Sequence[str],
    scoped: str = "quad",
    codes: Mapping[str, EventCode] | None = None,
) -> tuple[str, ...]:
    """The features of one match: its root (and by `kinds` its code and Goldstein band); inside
    a scope, by `scoped`, the scope's kind and the match's quad class ("quad"), or the features
    of the code CAMEO gives it there (`EVENT_RULES["scoped_cameo"]`: none for a negated event)."""
    if scope is not None:
        if scoped == "quad":
            return (f"{scope}:{quad_class(code.root)}",)
        side = "conflict" if quad_class(code.root).endswith("conflict") else "cooperation"
        meant = _SCOPED_CAMEO[scope][side]
        if meant is None:
            return ()
        return match_features((codes or {}).get(meant, _root_code(meant)), None, kinds)
    out = []
    if "root" in kinds:
        out.append(f"root:{code.root}")
    if "code" in kinds:
        out.append(f"code:{code.code}")
    if "goldstein" in kinds and code.goldstein == code.goldstein:
        out.append(f"goldstein:{goldstein_band(code.goldstein)}")
    return tuple(out)


def _root_code(code: str) -> EventCode:
    """A code the patterns never emit, known by its root only (no Goldstein band)."""
    return EventCode(code, code[:2], "", float("nan"))


class Occurrence(NamedTuple):
    """One match or scope cue: its features and its phrase's tokens (text-level indices)."""

    features: tuple[str, ...]
    tokens: tuple[int, ...]
    sentence: int


def token_bounds(starts: np.ndarray, sentence_spans: np.ndarray) -> np.ndarray:
    """Each sentence's first token index, then the number of tokens (`(sentences + 1,)`)."""
    bounds = np.empty(len(sentence_spans) + 1, dtype=np.int64)
    bounds[:-1] = np.searchsorted(starts, sentence_spans[:, 0]) if len(sentence_spans) else 0
    bounds[-1] = len(starts)
    if len(sentence_spans):
        bounds[0] = 0
    return bounds


@dataclass(frozen=True)
class EventReader:
    """How a model reads events: the compiled patterns, the feature `kinds` of a match, and
    which words give no word features of their own: those in a scope (`mask_scopes`), those of
    a matched event outside scopes (`mask_events`: the event's features stand for them).
    Picklable; the event block and the word and character analyzers share one."""

    patterns: EventPatterns
    kinds: tuple[str, ...] = ("root",)
    mask_scopes: bool = True
    mask_events: bool = False
    scoped: str = "quad"  # how a match inside a scope reads (`match_features`)
    # the scope kinds whose cue and governed words are a feature of their own ("scope:refused")
    scope_features: tuple[str, ...] = ("negated", "refused", "demanded")
    # whether a pattern match made only of function words ("take", "put … on") is left out
    content_only: bool = False

    def __post_init__(self) -> None:
        """Refuse kinds and modes this module does not make."""
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"event feature kinds must be among {KINDS}, not {self.kinds}")
        if self.scoped not in SCOPED_MODES:
            raise ValueError(f"scoped must be one of {SCOPED_MODES}, not {self.scoped!r}")

    @property
    def masks(self) -> bool:
        """Whether some words give no word features."""
        return self.mask_scopes or self.mask_events

    def read(
        self,
        text: str,
        norms: Sequence[str],
        starts: np.ndarray,
        ends: np.ndarray,
        bounds: np.ndarray,
        masked: np.ndarray | None = None,
    ) -> list[Occurrence]:
        """Every occurrence of a (cleaned) text whose tokens are `norms` at `[starts, ends)`,
        sentence by sentence (`bounds`: `token_bounds`), in text order: a sentence's scopes,
        then its matches; with `masked`, the tokens that give no word features are set True."""
        words = list(norms[0 : len(norms)])
        lows: list[int] = bounds.tolist()
        found = sentence_scopes(words, bounds, text, starts, ends)
        out: list[Occurrence] = []
        scoped: dict[int, list[Scope]] = {}  # the scopes of each sentence read so far
        j = 0
        for k, match in self.patterns.match_sentences(words, lows):
            while j < len(found) and found[j][0] <= k:
                self._scope(*found[j], lows, out, masked, scoped)
                j += 1
            lo = lows[k]
            if (
                self.content_only
                and is_function_word(words[lo + match.verb])  # seldom: the rest then
                and all(is_function_word(words[lo + t]) for t in match.tokens)
            ):
                continue
            inside = None
            for scope in scoped.get(k, ()):
                if scope.first <= match.verb <= scope.last:
                    inside = scope
                    break
            features = self._features(match.code, None if inside is None else inside.kind)
            if not features:  # no event there: a negated one, or a refused conflict
                continue
            if inside is None:
                if masked is not None and self.mask_events:
                    masked[[lo + t for t in match.tokens]] = True
                tokens = match.tokens  # sorted, as matched
            else:  # led by its cue
                tokens = tuple(sorted({*match.tokens, *inside.cue}))
            out.append(Occurrence(features, tuple([lo + t for t in tokens]), k))
        for rest in found[j:]:
            self._scope(*rest, lows, out, masked, scoped)
        return out

    def _scope(
        self,
        k: int,
        scope: Scope,
        lows: list[int],
        out: list[Occurrence],
        masked: np.ndarray | None,
        scoped: dict[int, list[Scope]],
    ) -> None:
        """`read` of one scope of sentence k: its words masked, its occurrence (a kind the
        model names) added to `out`, the scope kept in `scoped` for the matches after it."""
        lo = lows[k]
        scoped.setdefault(k, []).append(scope)
        if masked is not None and self.mask_scopes:
            masked[lo + scope.first : lo + scope.last + 1] = True
        if scope.kind in self.scope_features:
            # its phrase: the cue and every word it governs ("unless all sanctions were
            # lifted"), so it reads as the condition, not as a bare "unless"
            governed = (*scope.cue, *range(scope.first, scope.last + 1))
            out.append(Occurrence((f"scope:{scope.kind}",), tuple(lo + t for t in governed), k))

    def _features(self, code: str, scope: str | None) -> tuple[str, ...]:
        """`match_features` of a match of `code` in a scope of kind `scope` (or none), kept."""
        key = (code, scope)
        found = self._feature_cache.get(key)
        if found is None:
            codes = self.patterns.codes
            found = match_features(codes[code], scope, self.kinds, self.scoped, codes)
            self._feature_cache[key] = found
        return found

    @cached_property
    def _feature_cache(self) -> dict[tuple[str, str | None], tuple[str, ...]]:
        return {}

    def __getstate__(self) -> dict[str, object]:
        """The reader's settings, without what it keeps while reading."""
        return {k: v for k, v in self.__dict__.items() if k != "_feature_cache"}

    def read_tokens(self, text: str, tokens: Sequence[Token]) -> list[Occurrence]:
        """`read` of a cleaned text's tokens (`model.text.WordRules.tokenize_clean`)."""
        return self.read(text, *_layout(text, tokens))

    def mask(self, text: str, tokens: Sequence[Token]) -> list[bool]:
        """Which tokens of a cleaned text give no word features (the analyzers' view of
        `read`'s `masked`; the patterns are matched only when event words are masked)."""
        masked = np.zeros(len(tokens), dtype=bool)
        if self.mask_events:
            self.read(text, *_layout(text, tokens), masked)
        elif self.mask_scopes:
            norms, starts, ends, bounds = _layout(text, tokens)
            lows = bounds.tolist()
            for k, scope in sentence_scopes(norms, bounds, text, starts, ends):
                masked[lows[k] + scope.first : lows[k] + scope.last + 1] = True
        return masked.tolist()


def _layout(
    text: str, tokens: Sequence[Token]
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """A cleaned text's token forms, starts, ends and sentence bounds (`token_bounds`)."""
    starts = np.fromiter((t.start for t in tokens), dtype=np.int64, count=len(tokens))
    ends = np.fromiter((t.end for t in tokens), dtype=np.int64, count=len(tokens))
    spans = np.array(split_sentences(text), dtype=np.int64).reshape(-1, 2)
    return [t.norm for t in tokens], starts, ends, token_bounds(starts, spans)


def phrase_text(
    text: str, starts: Sequence[int], ends: Sequence[int], tokens: Sequence[int]
) -> str:
    """An occurrence's phrase: its words as written (`display`), `GAP` where they are not
    adjacent."""
    return phrase_words([display(text[starts[t] : ends[t]]) for t in tokens], tokens)


def phrase_words(forms: Sequence[str], tokens: Sequence[int]) -> str:
    """The phrase of `tokens` (ascending) read as `forms` (one per token): a space between
    adjacent tokens, `GAP` between others."""
    parts = [forms[0]]
    for k in range(1, len(tokens)):
        parts.append(" " if tokens[k] == tokens[k - 1] + 1 else GAP)
        parts.append(forms[k])
    return "".join(parts)


@dataclass(frozen=True)
class EventAnalyzer:
    """Picklable analyzer for TfidfVectorizer: a document's event features (`EventReader`)."""

    reader: EventReader
    language: str = "en"

    def __call__(self, text: str) -> list[str]:
        """Return the document's event features."""
        text = clean(text).text
        found = self.reader.read_tokens(text, rules_for(self.language).tokenize_clean(text))
        return [f for occurrence in found for f in occurrence.features]


def _ordered_sum(values: Iterable[float]) -> float:
    """The values added from 0.0 left to right, as `model/_matcher.c` adds them (the builtin
    `sum` compensates rounding from Python 3.12 on)."""
    total = 0.0
    for value in values:
        total += value
    return total


class EventBlock:
    """A fitted event TF-IDF block and its coefficients: logits and contributions."""

    def __init__(self, vec: TfidfVectorizer, coef: np.ndarray) -> None:
        """Read the block's vocabulary, idf and coefficients."""
        if not (vec.sublinear_tf and vec.use_idf and vec.norm == "l2") or vec.binary:
            raise ValueError("compiled scoring needs sublinear tf, idf and the l2 norm")
        analyzer = vec.analyzer
        if not isinstance(analyzer, EventAnalyzer):
            raise ValueError("the event block's analyzer must be an EventAnalyzer")
        self.analyzer = analyzer
        self.columns: dict[str, int] = dict(vec.vocabulary_)
        self.idf: list[float] = np.asarray(vec.idf_, dtype=np.float64).tolist()
        self.coef: list[float] = np.asarray(coef, dtype=np.float64).tolist()

    @cached_property
    def loops(self) -> Events | None:
        """This block's reading and arithmetic in C (`model/_matcher.c`: what `EventReader.read`
        and `model.compiled.CompiledModel._with_events` do), on tables of every code's columns
        by scope; None when the extension was not built."""
        try:
            from model._matcher import Events
        except ImportError:
            return None
        reader = self.analyzer.reader
        codes = list(reader.patterns.codes)
        has, index, columns = [], [0], []
        for code in codes:
            for scope in (None, *SCOPE_KINDS):
                features = reader._features(code, scope)
                has.append(int(bool(features)))
                columns += [c for f in features if (c := self.columns.get(f)) is not None]
                index.append(len(columns))
        scope_columns = [
            self.columns.get(f"scope:{kind}", -1) if kind in reader.scope_features else -1
            for kind in SCOPE_KINDS
        ]
        settings = [len(SCOPE_KINDS), reader.content_only]
        tables = (settings, has, index, columns, scope_columns)
        return Events(
            {code: k for k, code in enumerate(codes)},
            FUNCTION_WORDS,
            tuple(np.asarray(t, dtype=np.int32).tobytes() for t in tables),
            np.asarray(self.idf, dtype=np.float64).tobytes(),
            np.asarray(self.coef, dtype=np.float64).tobytes(),
        )

    def columns_of(self, found: Sequence[Occurrence]) -> list[tuple[int, ...]]:
        """Each occurrence's feature columns (the features the model does not know left out)."""
        get = self.columns.get
        known: dict[tuple[str, ...], tuple[int, ...]] = {}  # few distinct feature tuples
        out = []
        for o in found:
            cols = known.get(o.features)
            if cols is None:
                cols = tuple(c for f in o.features if (c := get(f)) is not None)
                known[o.features] = cols
            out.append(cols)
        return out

    def contributions(self, columns: Iterable[Sequence[int]]) -> dict[int, tuple[float, int]]:
        """Each touched column's contribution `x * coef` and its number of occurrences, of the
        occurrences whose columns (`columns_of`) are given."""
        counts: dict[int, int] = {}
        for cols in columns:
            for c in cols:
                counts[c] = counts.get(c, 0) + 1
        if not counts:
            return {}
        values = {c: (1.0 + math.log(n)) * self.idf[c] for c, n in counts.items()}
        norm = math.sqrt(_ordered_sum(v * v for v in values.values()))
        return {c: (v / norm * self.coef[c], counts[c]) for c, v in values.items()}

    def logit(self, columns: Sequence[Sequence[int]]) -> float:
        """The block's share of the logit (`contributions` summed)."""
        if len(columns) == 1 and len(columns[0]) == 1:  # one feature once: most sentences
            c = columns[0][0]
            value = self.idf[c]  # its tf is 1; the sums of the general formula start at 0.0
            return 0.0 + value / math.sqrt(0.0 + value * value) * self.coef[c]
        return _ordered_sum(value for value, _ in self.contributions(columns).values())

    def weigh(self, columns: Sequence[Sequence[int]]) -> tuple[float, list[float]]:
        """The block's share of the logit, and each occurrence's share of it: its features'
        contributions divided by their counts."""
        touched = self.contributions(columns)
        weights = []
        for cols in columns:
            weight = 0.0
            for c in cols:
                value, count = touched[c]
                weight += value / count
            weights.append(weight)
        return _ordered_sum(value for value, _ in touched.values()), weights
