"""The fitted pipeline compiled for scoring: one pass over an article's tokens yields its logit,
every phrase's contribution and its sentences' logits, with scikit-learn's arithmetic.

scikit-learn's TF-IDF is: count each feature, `tf = 1 + log(count)` (sublinear), times idf,
divided by the block's L2 norm; the logit is `bias + sum(x * coef)` over the blocks. The
per-token loops run in a small C kernel (`model/_kernel.c`); this module gives it the model and
decides everything else: what a word's features are (`model.text`, the same functions the
training analyzers call), which tokens are masked as state actors, and when caches are reset.

Each distinct normalised word seen is an *entry*: its unigram column, its id in the n-gram table,
its in-vocabulary character n-gram columns and its actor role, made once; the kernel maps each
word form as written to its entry and holds the one word table. The call is one way: the kernel
tokenises and returns the forms it does not know; they are normalised here (`normalise`, one
call each: its definition may change, so the kernel never restates it) and given their roles in
one batch; the kernel makes their entries (character n-grams included) and then scores.
Entries are kept until a limit is passed (`ENTRY_LIMIT` entries or forms, `CHAR_COLUMN_LIMIT`
columns, `CHARACTER_LIMIT` code points of forms held); the next text then starts afresh, so no
input can grow a worker's memory by more than about one text's worth: a forked worker's private
memory stays under 40 MiB after 15,000 requests of random words (`bench/coldwords.py`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple, overload

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from model.clauses import scope_tuples
from model.eventfeatures import EventAnalyzer, EventBlock, Occurrence, phrase_text, phrase_words
from model.eventfeatures import token_bounds as _token_bounds
from model.features import ABBREVIATIONS
from model.kernel import Kernel, split_sentences
from model.names import ALONE, MAYBE, PREFIX
from model.text import (
    CharAnalyzer,
    WordAnalyzer,
    clean,
    is_function_word,
    ngram_only_words,
    rules_for,
    unwrap,
)
from model.vectorisers import vectorisers

ENTRY_LIMIT = 100_000  # entries, and word forms
CHAR_COLUMN_LIMIT = 2_000_000  # character n-gram columns of all entries
CHARACTER_LIMIT = 2_000_000  # code points of the word forms and normalised forms
FUNCTION_WORD = 16  # the entry flag of a word that counts only inside n-grams
BY_CAPITALS = 32  # the entry flag of a capitals-only name by itself (`Names.by_capitals`)
_NO_FLOATS = np.zeros(0, dtype=np.float64)
_NO_SPANS = np.zeros((0, 2), dtype=np.int64)


def _sentence_spans(text: str) -> np.ndarray:
    """The kernel's sentence spans of a cleaned text, `(sentences, 2)` int64."""
    return np.frombuffer(split_sentences(text, ABBREVIATIONS), np.int64).reshape(-1, 2)


class Words(Sequence[str]):
    """The normalised form of each token, looked up in `words` by entry where read."""

    def __init__(self, words: list[str], entries: np.ndarray) -> None:
        self._words, self._entries = words, entries

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return list(map(self._words.__getitem__, self._entries[i].tolist()))
        return self._words[int(self._entries[i])]


@dataclass(frozen=True)
class Analysed:
    """A text's tokens as arrays: `[start, end)` spans, entries and the state-actor mask."""

    text: str
    starts: np.ndarray  # int64, code points into `text`
    ends: np.ndarray
    entries: np.ndarray  # int32: the kernel entry of each token
    masked: np.ndarray  # bool: part of a state actor's name, so no features
    words: list[str]  # normalised form of each entry
    flags: np.ndarray  # uint8 per token: `CompiledModel._flags` of its entry
    # Whether a phrase shows its words as written (`model.text.display`) rather than as their
    # features' forms: for a language whose word forms fold letters (Arabic).
    as_written: bool = False

    def __len__(self) -> int:
        return len(self.entries)

    def norms(self) -> Words:
        """Each token's normalised form (looked up where read)."""
        return Words(self.words, self.entries)


@dataclass(frozen=True)
class Scored:
    """What the kernel computed for one text: logits (bias included) and its phrases.

    Phrases are its multi-word n-grams, then its single words (a word's unigram contribution
    plus its character n-gram shares), each group in first-seen order.
    Phrase k's spans are `spans[offsets[k]:offsets[k + 1]]`, in text order; `heads[k]` is
    the first and last token of its first occurrence.
    """

    logit: float
    sentence_count: int  # the article map's count (`model.text.article_sentences`)
    sentence_logits: np.ndarray  # empty unless sentences were asked for
    sentence_spans: np.ndarray  # (sentences, 2): `[start, end)` in code points
    weights: np.ndarray  # float64, per phrase
    heads: np.ndarray  # (phrases, 2) int64
    offsets: np.ndarray  # (phrases + 1,) int64
    spans: np.ndarray  # (spans, 2) int64: `[start, end)` in code points
    # The texts of the last phrases, the event block's (their `heads` are -1): "talks … collapsed".
    event_texts: tuple[str, ...] = ()


def _ngram_table(vocab: dict[str, int]) -> tuple[dict[str, int], np.ndarray, np.ndarray, int]:
    """Integer keys for the vocabulary's multi-word n-grams.

    Every word that occurs in one gets an id; `w1 w2 ... wn` is keyed
    `((id1 * W + id2) * W + ...) + idn` with `W = len(ids) + 1`. Returns (ids, keys, columns,
    the longest n-gram's length in words: 1 when there is none).
    """
    grams = [(g.split(" "), col) for g, col in vocab.items() if " " in g]
    ids: dict[str, int] = {}
    for words, _ in grams:
        for word in words:
            # ids from 1: with a 0, the keys of (0, a, b) and (a, b) would be equal
            ids.setdefault(word, len(ids) + 1)
    width = len(ids) + 1  # ids run 1..len(ids)
    longest = max((len(w) for w, _ in grams), default=1)
    if width**longest >= 2**62:
        raise ValueError("n-grams too long for integer keys")
    keys = np.zeros(len(grams), dtype=np.int64)
    for k, (words, _) in enumerate(grams):
        key = 0
        for word in words:
            key = key * width + ids[word]
        keys[k] = key
    return ids, keys, np.array([c for _, c in grams], dtype=np.int64), longest


def _check(vec: TfidfVectorizer) -> None:
    """Refuse a vectoriser whose arithmetic the kernel does not reproduce."""
    if not (vec.sublinear_tf and vec.use_idf and vec.norm == "l2") or vec.binary:
        raise ValueError("compiled scoring needs sublinear tf, idf and the l2 norm")


class CompiledModel:
    """Logits and contributions of a fitted `features` + `clf` pipeline."""

    def __init__(self, pipeline: Pipeline) -> None:
        """Read vocabularies, idf and coefficients once and hand them to the kernel."""
        clf = pipeline.named_steps["clf"]
        if np.asarray(clf.coef_).shape[0] != 1:
            raise ValueError("compiled scoring needs a binary classifier")
        coef = np.asarray(clf.coef_, dtype=np.float64).ravel()
        self.bias = float(np.asarray(clf.intercept_, dtype=np.float64).ravel()[0])
        blocks = vectorisers(pipeline.named_steps["features"])
        if sum(len(v.vocabulary_) for v in blocks) != len(coef):
            raise ValueError("the classifier's coefficients do not match the vocabularies")
        self.events: EventBlock | None = None
        if isinstance(blocks[-1].analyzer, EventAnalyzer):
            cut = len(coef) - len(blocks[-1].vocabulary_)
            self.events = EventBlock(blocks[-1], coef[cut:])
            blocks, coef = blocks[:-1], coef[:cut]
        kinds = [type(v.analyzer) for v in blocks]
        if kinds not in ([WordAnalyzer], [WordAnalyzer, CharAnalyzer]):
            raise ValueError(
                "expected a model.text word block, optionally then a char block and an event block"
            )
        for vec in blocks:
            _check(vec)
        word = blocks[0]
        self.word_analyzer: WordAnalyzer = word.analyzer
        self._word_vocab: dict[str, int] = word.vocabulary_
        self.char_analyzer: CharAnalyzer | None = None
        size = len(word.vocabulary_)
        char_idf, char_coef = _NO_FLOATS, _NO_FLOATS
        char_grams: list[str] = []
        char_n = (1, 1)
        if len(blocks) == 2:
            self.char_analyzer = blocks[1].analyzer
            if self.char_analyzer.mask_actors != self.word_analyzer.mask_actors:
                raise ValueError("the word and char blocks must mask actors alike")
            char_vocab: dict[str, int] = blocks[1].vocabulary_
            char_grams = sorted(char_vocab, key=char_vocab.__getitem__)  # in column order
            char_n = (self.char_analyzer.min_n, self.char_analyzer.max_n)
            char_idf = np.ascontiguousarray(blocks[1].idf_, dtype=np.float64)
            char_coef = np.ascontiguousarray(coef[size:])
        if self.char_analyzer is not None and (
            self.char_analyzer.language,
            self.char_analyzer.reader,
            self.char_analyzer.function_words,
        ) != (
            self.word_analyzer.language,
            self.word_analyzer.reader,
            self.word_analyzer.function_words,
        ):
            raise ValueError("the word and char blocks must apply one language's rules alike")
        # Words the event reading masks give no word features (`EventReader`).
        self.masks = self.word_analyzer.reader is not None
        if self.events is not None and (
            self.events.analyzer.language != self.word_analyzer.language
            or (self.masks and self.word_analyzer.reader != self.events.analyzer.reader)
        ):
            raise ValueError("the event block must read events as the word block masks them")
        if self.masks and self.events is None:
            raise ValueError("a model that masks event readings needs an event block")
        self.ngrams_only = ngram_only_words(self.word_analyzer.function_words)
        self.mask_actors = self.word_analyzer.mask_actors
        self.language = self.word_analyzer.language
        self.rules = rules_for(self.language)
        self._names = self.rules.names
        ids, keys, cols, longest = _ngram_table(word.vocabulary_)
        # No key is built for n-grams longer than the vocabulary's (nor could one overflow).
        self.max_ngram = min(self.word_analyzer.max_n, longest)
        self._kernel = Kernel(
            np.ascontiguousarray(word.idf_, dtype=np.float64).data,
            np.ascontiguousarray(coef[:size]).data,
            char_idf.data,
            char_coef.data,
            keys.data,
            cols.data,
            len(ids) + 1,
            self.max_ngram,
            word.vocabulary_,
            ids,
            char_grams,
            *char_n,
        )
        self._lock = threading.Lock()  # the kernel's scratch and caches are per model
        self._clear()

    def clear_caches(self) -> None:
        """Forget every word form seen: the next text starts cold."""
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        """Forget every entry (the kernel starts a new word list: an `Analysed` keeps its own)."""
        self._kernel.clear()

    def _flags(self, norm: str) -> int:
        """An entry's flags for the kernel: its `Names.role` in bits 0-1 and whether it
        `Names.continues` a name in bit 2 (both 0 when names are not masked), whether it has a word
        unigram feature in bit 3 (`word_counts`; a function word or number of a model that reads
        them only inside n-grams counts as known too), whether it counts only inside n-grams
        (such a word: no features of its own) in bit 4, whether `Names.by_capitals` settles it in
        bit 5 (the kernel reads only bit 4)."""
        known = (norm in self._word_vocab) << 3
        if self.ngrams_only and is_function_word(norm):
            known = FUNCTION_WORD | 8  # a word of the vocabulary, read inside its n-grams
        if not self.mask_actors:
            return known
        names = self._names
        return (
            names.role(norm)
            | names.continues(norm) << 2
            | known
            | (BY_CAPITALS if names.by_capitals(norm) else 0)
        )

    def _tokens(self, text: str) -> tuple[bytes, bytes, bytes, bytes]:
        """The kernel's tokens of `text` (starts, ends, entries, flags), after adding the word
        forms it did not know in one batch. On an error every entry is dropped, so none
        disagrees."""
        try:
            new = self._kernel.tokenize(text)
            norms = self.rules.normalise_all(new)
            flags = bytes(map(self._flags, norms))
            return self._kernel.resolve(norms, flags)
        except BaseException:
            self._clear()
            raise

    def cache_size(self) -> tuple[int, int, int, int]:
        """(entries, word forms, character n-gram columns, code points of forms) held."""
        return self._kernel.size()

    def run(self, text: str, sentences: bool = False) -> tuple[Analysed, Scored]:
        """Analyse and score `text`, and with `sentences` each of its sentences on its own (as
        `model.text.split_sentences` splits them). The text is cleaned first (`model.text.clean`):
        `Analysed` is of the cleaned text, the spans of `Scored` are into `text` as sent."""
        cleaned = clean(text)
        analysed, scored = self._run(cleaned.text, sentences)
        if cleaned.starts is None:
            return analysed, scored
        return analysed, replace(
            scored,
            sentence_spans=cleaned.spans(scored.sentence_spans),
            spans=cleaned.spans(scored.spans),
        )

    def _run(self, text: str, sentences: bool) -> tuple[Analysed, Scored]:
        """`run` on a cleaned text."""
        found = _sentence_spans(text)
        spans = found if sentences else _NO_SPANS
        unwrapped = unwrap(text)  # the article map's count (`model.text.article_sentences`)
        count = len(found if unwrapped is text else _sentence_spans(unwrapped))
        with self._lock:
            entries, forms, columns, characters = self._kernel.size()
            if (
                max(entries, forms) > ENTRY_LIMIT
                or columns > CHAR_COLUMN_LIMIT
                or characters > CHARACTER_LIMIT
            ):
                self._clear()
            raw = self._tokens(text)
            starts, ends = np.frombuffer(raw[0], np.int64), np.frombuffer(raw[1], np.int64)
            tokens, flags = np.frombuffer(raw[2], np.int32), np.frombuffer(raw[3], np.uint8)
            n = len(tokens)
            a = Analysed(
                text,
                starts,
                ends,
                tokens,
                np.zeros(n, dtype=bool),
                self._kernel.words(),
                flags,
                self.rules.folds_letters,
            )
            runs = self._actor_runs(a, flags)
            bounds = np.zeros(len(spans) + 1, dtype=np.int64)
            if len(spans):
                bounds[:-1] = np.searchsorted(starts, spans[:, 0])
                bounds[-1] = n
            local = self._sentence_mask(a, bounds, runs)
            masked, events = a.masked, None
            if self.events is not None:
                scoped = np.zeros(n, dtype=bool) if self.masks else None
                events = self._read_events(a, _token_bounds(starts, found), scoped)
                if scoped is not None and scoped.any():
                    masked, local = a.masked | scoped, local | scoped
            out = self._kernel.score(
                tokens.data, starts.data, ends.data, masked.data, local.data, bounds.data
            )
        logits = np.frombuffer(out[0], np.float64) + self.bias
        scored = Scored(
            float(logits[0]),
            count,
            logits[1:],
            spans,
            np.frombuffer(out[1], np.float64),
            np.frombuffer(out[2], np.int64).reshape(-1, 2),
            np.frombuffer(out[3], np.int64),
            np.frombuffer(out[4], np.int64).reshape(-1, 2),
        )
        if events:
            scored = self._with_events(a, scored, events, len(spans) > 0)
        return a, scored

    def _read_events(
        self, a: Analysed, bounds: np.ndarray, scoped: np.ndarray | None
    ) -> list[Occurrence] | _Read:
        """The events of `a` (sentences at `bounds`: `token_bounds`), the tokens they mask set
        in `scoped`: occurrences read by `EventReader.read`, or what the C loops read
        (`EventBlock.loops`) where they are built and the model masks scopes only."""
        assert self.events is not None
        reader = self.events.analyzer.reader
        if self.events.loops is None or a.as_written or reader.mask_events:
            return reader.read(a.text, a.norms(), a.starts, a.ends, bounds, scoped)
        words = a.norms()[0 : len(a)]
        lows: list[int] = bounds.tolist()
        scopes = scope_tuples(words, bounds, a.text, a.starts, a.ends)
        if scoped is not None and reader.mask_scopes:
            for k, _, _, first, last in scopes:
                scoped[lows[k] + first : lows[k] + last + 1] = True
        return _Read(words, bounds, reader.patterns.match_tuples(words, lows), scopes)

    def _with_events(
        self, a: Analysed, scored: Scored, events: list[Occurrence] | _Read, sentences: bool
    ) -> Scored:
        """`scored` with the event block's share of each logit and its phrases after the
        kernel's: an occurrence's phrase is its words ("talks … collapsed"), one phrase per text
        with every occurrence's spans."""
        block = self.events
        assert block is not None
        if isinstance(events, _Read):
            return self._with_read_events(a, scored, events, sentences)
        columns = block.columns_of(events)
        if not any(columns):  # nothing the model weighs: the kernel's scores stand
            return scored
        logits = scored.sentence_logits
        if sentences:
            logits = logits.copy()
            by_sentence: dict[int, list[tuple[int, ...]]] = {}
            for o, cols in zip(events, columns, strict=True):
                if cols:
                    by_sentence.setdefault(o.sentence, []).append(cols)
            for k, group in by_sentence.items():
                logits[k] += block.logit(group)
        starts, ends = a.starts.tolist(), a.ends.tolist()
        words, entries = a.words, a.entries.tolist()
        phrases: dict[str, tuple[float, list[int], tuple[int, ...]]] = {}
        share_of_logit, shares = block.weigh(columns)
        for o, cols, share in zip(events, columns, shares, strict=True):
            if not cols:
                continue  # no feature of the model: not a phrase
            if a.as_written:
                key = phrase_text(a.text, starts, ends, o.tokens)
            else:  # each word's feature form is how it reads (`model.explain.PhraseTable.text`)
                key = phrase_words([words[entries[t]] for t in o.tokens], o.tokens)
            weight, spans, first = phrases.get(key, (0.0, [], o.tokens))
            for t in o.tokens:
                spans += (starts[t], ends[t])
            phrases[key] = (weight + share, spans, first)
        logit = scored.logit + share_of_logit
        weights = scored.weights
        # An event phrase that reads as a word or n-gram phrase ("warned") is that phrase: its
        # weight is added there (the word's spans cover the event's).
        same = _same_phrases(scored.heads, entries, {k: v[2] for k, v in phrases.items()})
        if same:
            weights = weights.copy()
            for key, k in same.items():
                weights[k] += phrases.pop(key)[0]
        texts = tuple(phrases)
        flat = [phrases[t][1] for t in texts]
        return _with_event_phrases(
            scored,
            (logit, logits, weights),
            texts,
            np.array([phrases[t][0] for t in texts], dtype=np.float64),
            np.array([len(f) // 2 for f in flat], dtype=np.int64),
            np.array([x for f in flat for x in f], np.int64).reshape(-1, 2),
        )

    def _with_read_events(
        self, a: Analysed, scored: Scored, read: _Read, sentences: bool
    ) -> Scored:
        """`_with_events` by the C loops, from what `_read_events` read."""
        assert self.events is not None and self.events.loops is not None
        logits = scored.sentence_logits.copy() if sentences else None
        found = self.events.loops.score(
            read.matches,
            read.scopes,
            read.words,
            read.bounds.data,
            a.starts.data,
            a.ends.data,
            a.entries.data,
            scored.heads.data,
            None if logits is None else logits.data,
        )
        if found is None:
            return scored
        share, merged, firsts, weights, sizes, spans = found
        if logits is None:
            logits = scored.sentence_logits
        weights_now = scored.weights
        if merged:
            weights_now = weights_now.copy()
            for row, weight in merged:
                weights_now[row] += weight
        words = read.words
        return _with_event_phrases(
            scored,
            (scored.logit + share, logits, weights_now),
            tuple(phrase_words([words[t] for t in first], first) for first in firsts),
            np.frombuffer(weights, np.float64),
            np.frombuffer(sizes, np.int64),
            np.frombuffer(spans, np.int64).reshape(-1, 2),
        )

    def _actor_runs(self, a: Analysed, flags: np.ndarray) -> list[tuple[int, int]]:
        """Mask `a`'s state actor names (`model.names.Names.runs`); return the runs of more than
        one word. Words whose `Names.role` (in each token's `flags`) settles the matter are not
        looked at one by one."""
        role = flags & 3
        a.masked[role == ALONE] = True
        look = role == MAYBE
        look[:-1] |= (role[:-1] == PREFIX) & (flags[1:] & 4 != 0)
        found = np.flatnonzero(look)
        if not found.size:
            return []
        # A capitals-only name by itself ("US", "us") is settled by how each token is written,
        # without the walk of `runs` (a text of many of them would cost it per token).
        settled = flags[found] & BY_CAPITALS != 0
        picked = found[settled]
        spans = zip(a.starts[picked].tolist(), a.ends[picked].tolist(), strict=True)
        for i, (start, end) in zip(picked.tolist(), spans, strict=True):
            if self._names.in_capitals(a.text[start:end]):
                a.masked[i] = True
        found = found[~settled]
        candidates = found.tolist()
        if not candidates:
            return []
        runs = self._names.runs(a.text, a.norms(), a.starts, a.ends, candidates)
        for lo, hi in runs:
            a.masked[lo:hi] = True
        return [(lo, hi) for lo, hi in runs if hi - lo > 1]

    def _sentence_mask(
        self, a: Analysed, bounds: np.ndarray, runs: Sequence[tuple[int, int]]
    ) -> np.ndarray:
        """The actor mask each sentence has when read alone: the article's, except where a
        name (`runs`: those of several words) runs across a sentence's end ("North" | "Korea");
        the sentences on both sides of that end are masked afresh."""
        sentence_ends = bounds[1:-1]  # the last token + 1 of sentence k, for all k but the last
        redo: set[int] = set()
        for lo, hi in runs:
            first = int(np.searchsorted(sentence_ends, lo, side="right"))
            last = int(np.searchsorted(sentence_ends, hi, side="left"))
            for k in range(first, last):  # lo < sentence_ends[k] < hi
                redo.update((k, k + 1))
        if not redo:
            return a.masked
        local = a.masked.copy()
        norms = a.norms()
        for k in sorted(redo):
            lo, hi = int(bounds[k]), int(bounds[k + 1])
            local[lo:hi] = False
            for start, end in self._names.runs(
                a.text, norms[lo:hi], a.starts[lo:hi], a.ends[lo:hi]
            ):
                local[lo + start : lo + end] = True
        return local

    def word_counts(self, a: Analysed) -> tuple[int, int]:
        """(words, words the model knows: with a word unigram feature, or function words and
        numbers its n-grams read) of an analysed text, masked names aside."""
        kept = ~a.masked
        return int(np.count_nonzero(kept)), int(np.count_nonzero((a.flags & 8 != 0) & kept))


def _with_event_phrases(
    scored: Scored,
    logits: tuple[float, np.ndarray, np.ndarray],
    texts: tuple[str, ...],
    weights: np.ndarray,
    sizes: np.ndarray,
    spans: np.ndarray,
) -> Scored:
    """`scored` with the event block's (logit, sentence logits, kernel phrase weights) and its
    phrases after the kernel's: their texts, weights, numbers of spans and spans (`(spans, 2)`,
    each phrase's in turn); event phrases have no `heads` (-1)."""
    logit, sentence_logits, kernel_weights = logits
    if not texts:
        return replace(scored, logit=logit, sentence_logits=sentence_logits, weights=kernel_weights)
    return replace(
        scored,
        logit=logit,
        sentence_logits=sentence_logits,
        weights=np.concatenate([kernel_weights, weights]),
        heads=np.concatenate([scored.heads, np.full((len(texts), 2), -1, dtype=np.int64)]),
        offsets=np.concatenate([scored.offsets, scored.offsets[-1] + np.cumsum(sizes)]),
        spans=np.concatenate([scored.spans, spans]),
        event_texts=texts,
    )


class _Read(NamedTuple):
    """A text's events as the C loops read them (`CompiledModel._read_events`)."""

    words: list[str]  # each token's normalised form
    bounds: np.ndarray  # `token_bounds`
    matches: list[tuple[int, str, tuple[int, ...], int]]  # `EventPatterns.match_tuples`
    scopes: list[tuple[int, int, int, int, int]]  # `model.clauses.scope_tuples`


def _same_phrases(
    heads: np.ndarray, entries: list[int], events: dict[str, tuple[int, ...]]
) -> dict[str, int]:
    """The kernel phrase (by index) each event phrase reads as, where one does: the event's
    tokens are adjacent and their entries (`entries`, one per token) are those of the phrase's
    first occurrence (`heads`)."""
    wanted = {
        tuple(entries[t[0] : t[-1] + 1]): key
        for key, t in events.items()
        if t[-1] - t[0] == len(t) - 1
    }
    if not wanted:
        return {}
    starting = {k[0] for k in wanted}  # only phrases starting so are looked at whole
    out: dict[str, int] = {}
    for row, (first, last) in enumerate(heads.tolist()):
        if entries[first] in starting:
            found = wanted.get(tuple(entries[first : last + 1]))
            if found is not None:
                out[found] = row
    return out
