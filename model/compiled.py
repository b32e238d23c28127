"""The fitted pipeline compiled for scoring: one pass over an article's tokens yields its logit,
every phrase's contribution and its sentences' logits, with scikit-learn's arithmetic.

scikit-learn's TF-IDF is: count each feature, `tf = 1 + log(count)` (sublinear), times idf,
divided by the block's L2 norm; the logit is `bias + sum(x * coef)` over the blocks. The
per-token loops run in a small C kernel (`model/_kernel.c`); this module gives it the model and
decides everything else: what a word's features are (`model.text`, the same functions the
training analyzers call), which tokens are masked as state actors, and when caches are reset.

Each distinct word form seen is an *entry*: its normalised form with its unigram column, its id
in the n-gram table and its in-vocabulary character n-gram columns. Entries are made once per
form and kept until `ENTRY_LIMIT` entries or `CHAR_COLUMN_LIMIT` character columns are held; the
next text then starts afresh, so no input can grow a worker's memory without bound.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from model._kernel import Kernel
from model.text import (
    CharAnalyzer,
    WordAnalyzer,
    actor_runs,
    may_start_actor,
    normalise,
    word_char_ngrams,
)

ENTRY_LIMIT = 200_000
CHAR_COLUMN_LIMIT = 8_000_000
_NO_FLOATS = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class Analysed:
    """A text's tokens as arrays: `[start, end)` spans, entries and the state-actor mask."""

    text: str
    starts: np.ndarray  # int64, code points into `text`
    ends: np.ndarray
    entries: np.ndarray  # int32: the kernel entry of each token
    masked: np.ndarray  # bool: part of a state actor's name, so no features
    words: list[str]  # normalised form of each entry

    def __len__(self) -> int:
        return len(self.entries)

    def norms(self) -> list[str]:
        """Each token's normalised form."""
        words = self.words
        return [words[e] for e in self.entries.tolist()]


@dataclass(frozen=True)
class Scored:
    """What the kernel computed for one text (logits exclude nothing: the bias is in)."""

    logit: float
    sentence_logits: np.ndarray
    word_entries: np.ndarray  # distinct unmasked words with a feature, in first-seen order
    word_weights: np.ndarray  # each: its unigram's contribution plus its character n-gram shares
    ngram_cols: np.ndarray  # distinct multi-word n-grams (word columns), in first-seen order
    ngram_weights: np.ndarray
    occurrence_cols: np.ndarray  # every multi-word n-gram occurrence: column, first, last token
    occurrence_first: np.ndarray
    occurrence_last: np.ndarray


def _vectorisers(features: object) -> list[TfidfVectorizer]:
    """The TF-IDF blocks of the pipeline's feature step, in column order."""
    if isinstance(features, TfidfVectorizer):
        return [features]
    if isinstance(features, FeatureUnion) and not features.transformer_weights:
        return [t for _, t in features.transformer_list]
    raise ValueError("the feature step must be a TfidfVectorizer or an unweighted FeatureUnion")


def _ngram_table(vocab: dict[str, int]) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """Integer keys for the vocabulary's multi-word n-grams.

    Every word that occurs in one gets an id; `w1 w2 ... wn` is keyed
    `((id1 * W + id2) * W + ...) + idn` with `W = len(ids) + 1`. Returns (ids, keys, columns).
    """
    grams = [(g.split(" "), col) for g, col in vocab.items() if " " in g]
    ids: dict[str, int] = {}
    for words, _ in grams:
        for word in words:
            # ids from 1: with a 0, the keys of (0, a, b) and (a, b) would be equal
            ids.setdefault(word, len(ids) + 1)
    width = len(ids) + 1  # ids run 1..len(ids)
    if width ** max((len(w) for w, _ in grams), default=1) >= 2**62:
        raise ValueError("n-grams too long for integer keys")
    keys = np.zeros(len(grams), dtype=np.int64)
    for k, (words, _) in enumerate(grams):
        key = 0
        for word in words:
            key = key * width + ids[word]
        keys[k] = key
    return ids, keys, np.array([c for _, c in grams], dtype=np.int64)


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
        vectorisers = _vectorisers(pipeline.named_steps["features"])
        kinds = [type(v.analyzer) for v in vectorisers]
        if kinds not in ([WordAnalyzer], [WordAnalyzer, CharAnalyzer]):
            raise ValueError("expected a model.text word block, optionally then a char block")
        if sum(len(v.vocabulary_) for v in vectorisers) != len(coef):
            raise ValueError("the classifier's coefficients do not match the vocabularies")
        for vec in vectorisers:
            _check(vec)
        word = vectorisers[0]
        self.word_analyzer: WordAnalyzer = word.analyzer
        self.char_analyzer: CharAnalyzer | None = None
        self._word_vocab: dict[str, int] = word.vocabulary_
        self._char_vocab: dict[str, int] = {}
        size = len(word.vocabulary_)
        char_idf, char_coef = _NO_FLOATS, _NO_FLOATS
        if len(vectorisers) == 2:
            self.char_analyzer = vectorisers[1].analyzer
            if self.char_analyzer.mask_actors != self.word_analyzer.mask_actors:
                raise ValueError("the word and char blocks must mask actors alike")
            self._char_vocab = vectorisers[1].vocabulary_
            char_idf = np.ascontiguousarray(vectorisers[1].idf_, dtype=np.float64)
            char_coef = np.ascontiguousarray(coef[size:])
        self.mask_actors = self.word_analyzer.mask_actors
        self._ids, keys, cols = _ngram_table(word.vocabulary_)
        self._kernel = Kernel(
            np.ascontiguousarray(word.idf_, dtype=np.float64),
            np.ascontiguousarray(coef[:size]),
            char_idf,
            char_coef,
            keys,
            cols,
            len(self._ids) + 1,
            self.word_analyzer.max_n,
            self._resolve,
        )
        self._lock = threading.Lock()  # the kernel's scratch and caches are per model
        self._start_afresh()

    def _start_afresh(self) -> None:
        """Forget every entry (new containers: an `Analysed` keeps the ones it was made with)."""
        self._kernel.clear()
        self._entries: dict[str, int] = {}
        self._words: list[str] = []
        self._may_start = np.zeros(1024, dtype=bool)  # per entry: `may_start_actor`

    def _resolve(self, surface: str) -> int:
        """The entry of a word form the kernel has not seen (called back by the kernel)."""
        norm = normalise(surface)
        entry = self._entries.get(norm)
        if entry is None:
            chars: list[int] = []
            if self.char_analyzer is not None:
                a, vocab = self.char_analyzer, self._char_vocab
                chars = [vocab[g] for g in word_char_ngrams(norm, a.min_n, a.max_n) if g in vocab]
            entry = self._kernel.add_entry(
                self._word_vocab.get(norm, -1),
                self._ids.get(norm, -1),
                np.array(chars, dtype=np.int32),
            )
            self._entries[norm] = entry
            self._words.append(norm)
            if entry >= len(self._may_start):
                self._may_start = np.resize(self._may_start, 2 * len(self._may_start))
            self._may_start[entry] = self.mask_actors and may_start_actor(norm)
        return entry

    def cache_size(self) -> tuple[int, int, int]:
        """(entries, word forms, character n-gram columns) held."""
        return self._kernel.size()

    def run(self, text: str, sentences: Sequence[tuple[int, int]] = ()) -> tuple[Analysed, Scored]:
        """Analyse and score `text` and each of its `sentences` (`[start, end)` character spans
        covering its tokens in order, as `model.text.split_sentences` gives)."""
        with self._lock:
            entries, words, _ = self._kernel.size()
            if entries > ENTRY_LIMIT or words > ENTRY_LIMIT or _ > CHAR_COLUMN_LIMIT:
                self._start_afresh()
            raw = self._kernel.tokenize(text)
            starts, ends = np.frombuffer(raw[0], np.int64), np.frombuffer(raw[1], np.int64)
            tokens = np.frombuffer(raw[2], np.int32)
            n = len(tokens)
            a = Analysed(text, starts, ends, tokens, np.zeros(n, dtype=bool), self._words)
            candidates = np.flatnonzero(self._may_start[tokens]).tolist()
            if candidates:
                norms, s, e = a.norms(), starts.tolist(), ends.tolist()
                for lo, hi in actor_runs(text, norms, s, e, candidates):
                    a.masked[lo:hi] = True
            bounds = np.zeros(len(sentences) + 1, dtype=np.int64)
            if len(sentences):
                bounds[:-1] = np.searchsorted(starts, [s for s, _ in sentences])
                bounds[-1] = n
            out = self._kernel.score(tokens, a.masked, self._sentence_mask(a, bounds), bounds)
        logits = np.frombuffer(out[0], np.float64) + self.bias
        return a, Scored(
            float(logits[0]),
            logits[1:],
            np.frombuffer(out[1], np.int32),
            np.frombuffer(out[2], np.float64),
            np.frombuffer(out[3], np.int32),
            np.frombuffer(out[4], np.float64),
            np.frombuffer(out[5], np.int32),
            np.frombuffer(out[6], np.int64),
            np.frombuffer(out[7], np.int64),
        )

    def _sentence_mask(self, a: Analysed, bounds: np.ndarray) -> np.ndarray:
        """The actor mask each sentence has when read alone: the article's, except where a
        masked name runs across a sentence edge; the sentences on both sides are masked afresh."""
        n, masked = len(a), a.masked
        ends = bounds[1:-1]  # end of sentence k, for k < last
        inner = (ends > 0) & (ends < n)
        crossing = np.zeros(len(ends), dtype=bool)
        crossing[inner] = masked[ends[inner] - 1] & masked[ends[inner]]
        redo = sorted({int(k) + d for k in np.flatnonzero(crossing) for d in (0, 1)})
        if not redo:
            return masked
        local = masked.copy()
        norms, starts, ends = a.norms(), a.starts.tolist(), a.ends.tolist()
        for k in redo:
            lo, hi = int(bounds[k]), int(bounds[k + 1])
            local[lo:hi] = False
            for start, end in actor_runs(a.text, norms[lo:hi], starts[lo:hi], ends[lo:hi]):
                local[lo + start : lo + end] = True
        return local

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Logit of each text, equal to the pipeline's decision function."""
        return np.array([self.run(text)[1].logit for text in texts], dtype=np.float64)
