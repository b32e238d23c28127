"""The fitted pipeline compiled for scoring: one tokenisation pass per article yields its logit,
every feature's contribution, the spans, and its sentences' logits, with scikit-learn's
arithmetic.

scikit-learn's TF-IDF is: count each feature, `tf = 1 + log(count)` (sublinear), times idf,
divided by the block's L2 norm; the logit is `bias + sum(x * coef)` over the blocks. Here every
text of a batch (articles and their sentences alike) is a segment, and counting is one
`np.unique` over `segment * V + column` per block, so a batch costs a few numpy calls. A
sentence's features are the article's own occurrences that lie inside it, so articles are
tokenised once. Each word's unigram and character n-gram columns are cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from model.text import (
    CACHED_WORD_CHARS,
    CharAnalyzer,
    Token,
    WordAnalyzer,
    actor_mask,
    tokenize,
    word_char_ngrams,
)

_CACHE_LIMIT = 100_000
NO_COLUMNS = np.zeros(0, dtype=np.int64)  # an empty array of column indices


@dataclass(frozen=True)
class Block:
    """One TF-IDF block: vocabulary, idf and the classifier's coefficients for its columns."""

    vocab: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray


@dataclass(frozen=True)
class Analysed:
    """A text's tokens and every feature occurrence in `tokens[lo:hi]`, as flat arrays."""

    tokens: list[Token]
    masked: list[bool]  # per token of the range: part of an actor name, no features
    word_cols: np.ndarray  # word n-gram column of each occurrence
    word_first: np.ndarray  # first and last token of each occurrence
    word_last: np.ndarray
    char_cols: np.ndarray  # character n-gram column of each occurrence
    char_owner: np.ndarray  # the token each occurrence lies in


@dataclass(frozen=True)
class Counted:
    """Distinct (segment, column) pairs of one block, sorted, with counts and contributions."""

    segment: np.ndarray
    column: np.ndarray
    count: np.ndarray
    contribution: np.ndarray


def _vectorisers(features: object) -> list[TfidfVectorizer]:
    """The TF-IDF blocks of the pipeline's feature step, in column order."""
    if isinstance(features, TfidfVectorizer):
        return [features]
    if isinstance(features, FeatureUnion) and not features.transformer_weights:
        return [t for _, t in features.transformer_list]
    raise ValueError("the feature step must be a TfidfVectorizer or an unweighted FeatureUnion")


def _ngram_table(vocab: dict[str, int]) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """Integer keys for the vocabulary's multi-word n-grams, sorted for `np.searchsorted`.

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
    order = np.argsort(keys)
    return ids, keys[order], np.array([c for _, c in grams], dtype=np.int64)[order]


def _block(vec: TfidfVectorizer, coef: np.ndarray) -> Block:
    """A fitted vectoriser's block, checking it computes what `CompiledModel.count` does."""
    if not (vec.sublinear_tf and vec.use_idf and vec.norm == "l2") or vec.binary:
        raise ValueError("compiled scoring needs sublinear tf, idf and the l2 norm")
    return Block(vec.vocabulary_, np.asarray(vec.idf_, dtype=np.float64), coef)


class CompiledModel:
    """Logits and contributions of a fitted `features` + `clf` pipeline."""

    def __init__(self, pipeline: Pipeline) -> None:
        """Read vocabularies, idf and coefficients once."""
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
        size = len(vectorisers[0].vocabulary_)
        self.word = _block(vectorisers[0], coef[:size])
        self.word_analyzer: WordAnalyzer = vectorisers[0].analyzer
        self.char: Block | None = None
        if len(vectorisers) == 2:
            self.char = _block(vectorisers[1], coef[size:])
            self.char_analyzer: CharAnalyzer = vectorisers[1].analyzer
            if self.char_analyzer.mask_actors != self.word_analyzer.mask_actors:
                raise ValueError("the word and char blocks must mask actors alike")
        self.mask_actors = self.word_analyzer.mask_actors
        self._ids, self._ngram_keys, self._ngram_cols = _ngram_table(self.word.vocab)
        self._words: dict[str, tuple[int, int, np.ndarray]] = {}

    def _word(self, norm: str) -> tuple[int, int, np.ndarray]:
        """A word's id in the n-gram table (-1: in none), its unigram column (-1: none) and its
        in-vocabulary character n-gram columns (cached)."""
        entry = self._words.get(norm)
        if entry is None:
            found: list[int] = []
            if self.char is not None:
                a, vocab = self.char_analyzer, self.char.vocab
                found = [vocab[g] for g in word_char_ngrams(norm, a.min_n, a.max_n) if g in vocab]
            chars = np.array(found, dtype=np.int64) if found else NO_COLUMNS
            entry = (self._ids.get(norm, -1), self.word.vocab.get(norm, -1), chars)
            if len(norm) <= CACHED_WORD_CHARS:
                if len(self._words) >= _CACHE_LIMIT:
                    self._words.clear()
                self._words[norm] = entry
        return entry

    def analyse(self, text: str, tokens: list[Token], lo: int, hi: int) -> Analysed:
        """Feature occurrences of `tokens[lo:hi]` read as one text (as if `text` held only them)."""
        part = tokens[lo:hi]
        masked = actor_mask(text, part) if self.mask_actors else [False] * len(part)
        entries = [self._word(t.norm) for t in part]
        n = len(part)
        ids = np.array([e[0] for e in entries], dtype=np.int64)
        live = ~np.array(masked, dtype=bool)
        unigram = np.array([e[1] for e in entries], dtype=np.int64)
        at = np.flatnonzero(live & (unigram >= 0))
        cols, first, last = [unigram[at]], [at], [at]
        # n-grams: words i..i+n-1 all live and all in the table, looked up by integer key
        keys, ok = ids.copy(), live & (ids >= 0)
        width = len(self._ids) + 1
        for size in range(2, self.word_analyzer.max_n + 1):
            if n < size or not len(self._ngram_keys):
                break
            keys = keys[:-1] * width + ids[size - 1 :]
            ok = ok[:-1] & live[size - 1 :] & (ids[size - 1 :] >= 0)
            start = np.flatnonzero(ok)
            pos = np.searchsorted(self._ngram_keys, keys[start])
            pos[pos == len(self._ngram_keys)] = 0
            hit = self._ngram_keys[pos] == keys[start]
            cols.append(self._ngram_cols[pos[hit]])
            first.append(start[hit])
            last.append(start[hit] + size - 1)
        arrays = [entries[i][2] for i in range(n) if not masked[i]]
        owners = [i for i in range(n) if not masked[i]]
        char_cols = np.concatenate(arrays) if arrays else NO_COLUMNS
        owner = np.repeat(np.array(owners, dtype=np.int64) + lo, [len(x) for x in arrays])
        return Analysed(
            tokens,
            masked,
            np.concatenate(cols),
            np.concatenate(first) + lo,
            np.concatenate(last) + lo,
            char_cols,
            owner,
        )

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Logit of each text, equal to the pipeline's decision function."""
        segments = Segments(self)
        for text in texts:
            tokens = tokenize(text)
            segments.add(self.analyse(text, tokens, 0, len(tokens)))
        return segments.logits()


def count(block: Block, segments: np.ndarray, columns: np.ndarray, n: int) -> Counted:
    """TF-IDF contributions of each distinct (segment, column), as scikit-learn computes them."""
    size = len(block.idf)
    keys, counts = np.unique(segments * size + columns, return_counts=True)
    seg, col = np.divmod(keys, size)
    values = (np.log(counts) + 1.0) * block.idf[col]
    norms = np.sqrt(np.bincount(seg, weights=values * values, minlength=n))
    return Counted(seg, col, counts, values / norms[seg] * block.coef[col])


class Segments:
    """The texts of a batch (articles and their sentences), counted together."""

    def __init__(self, model: CompiledModel) -> None:
        """An empty batch."""
        self.model = model
        self.n = 0
        self._word: list[tuple[np.ndarray, np.ndarray]] = []  # (segment ids, columns)
        self._char: list[tuple[np.ndarray, np.ndarray]] = []
        self._counted: list[Counted] | None = None

    def _extend(
        self, word: tuple[np.ndarray, np.ndarray], char: tuple[np.ndarray, np.ndarray]
    ) -> None:
        """Append occurrences already labelled with their segment ids."""
        self._word.append(word)
        self._char.append(char)
        self._counted = None

    def add(self, a: Analysed) -> int:
        """Add one text's occurrences as a new segment; return its id."""
        seg = self.n
        self.n += 1
        self._extend(
            (np.full(len(a.word_cols), seg), a.word_cols),
            (np.full(len(a.char_cols), seg), a.char_cols),
        )
        return seg

    def add_sentences(
        self, text: str, article: Analysed, ranges: Sequence[tuple[int, int]]
    ) -> None:
        """Add consecutive token ranges covering an article, each as a text of its own.

        A range's features are the article's occurrences inside it: the n-grams that do not
        cross its edges and the character n-grams of its words. Actor masks agree too, unless a
        masked name runs across an edge: such ranges are analysed afresh.
        """
        sizes = [hi - lo for lo, hi in ranges]
        if sum(sizes) != len(article.tokens):
            raise ValueError("sentence ranges must cover the article's tokens in order")
        base = self.n
        self.n += len(ranges)
        sentence_of = np.repeat(np.arange(len(ranges)), sizes)
        masked, n_tokens = article.masked, len(article.tokens)
        edges = [k for k, (_, hi) in enumerate(ranges[:-1]) if 0 < hi < n_tokens]
        redo = sorted(
            {
                k + d
                for k in edges
                if masked[ranges[k][1] - 1] and masked[ranges[k][1]]
                for d in (0, 1)
            }
        )
        first, last = sentence_of[article.word_first], sentence_of[article.word_last]
        inside = first == last
        word_seg, word_cols = first[inside], article.word_cols[inside]
        char_seg, char_cols = sentence_of[article.char_owner], article.char_cols
        if redo:
            w, c = ~np.isin(word_seg, redo), ~np.isin(char_seg, redo)
            word_seg, word_cols = word_seg[w], word_cols[w]
            char_seg, char_cols = char_seg[c], char_cols[c]
            for k in redo:
                fresh = self.model.analyse(text, article.tokens, *ranges[k])
                self._extend(
                    (np.full(len(fresh.word_cols), base + k), fresh.word_cols),
                    (np.full(len(fresh.char_cols), base + k), fresh.char_cols),
                )
        self._extend((word_seg + base, word_cols), (char_seg + base, char_cols))

    def counted(self) -> list[Counted]:
        """Every block counted over all segments (computed once)."""
        if self._counted is None:
            model = self.model
            self._counted = [count(model.word, *_concat(self._word), self.n)]
            if model.char is not None:
                self._counted.append(count(model.char, *_concat(self._char), self.n))
        return self._counted

    def logits(self) -> np.ndarray:
        """`bias + sum of contributions` of each segment."""
        total = np.full(self.n, self.model.bias)
        for c in self.counted():
            total += np.bincount(c.segment, weights=c.contribution, minlength=self.n)
        return total


def _concat(pairs: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated segment ids and columns (empty arrays when there are none)."""
    if not pairs:
        return NO_COLUMNS, NO_COLUMNS
    return (
        np.concatenate([p[0] for p in pairs]).astype(np.int64, copy=False),
        np.concatenate([p[1] for p in pairs]),
    )
