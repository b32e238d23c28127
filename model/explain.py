"""Exact explanations: every feature's logit contribution, as phrases a reader recognises.

A linear model's logit is `bias + sum_j x_j * w_j`. Word n-gram features are phrases as they
are. Character n-grams are folded onto the words that contain them: one that occurs k times in
the text gives each occurrence `x_j * w_j / k`, added to the word it lies in, so a word's phrase
weight is its own unigram feature plus its share of character n-grams. Nothing is dropped or
counted twice: the phrases' weights plus the bias equal the logit.

Overlapping n-grams ("pre-emptive" and "pre-emptive strike") are separate phrases, each with its
own feature's weight: their spans may overlap, their weights never double count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.compiled import NO_COLUMNS, Analysed, Counted
from model.types import Phrase


@dataclass(frozen=True)
class PhraseTable:
    """Every phrase of one text with its weight; texts and spans are built only when shown.

    Phrases `0..n_ngrams-1` are word n-grams of two or more words (one feature each); the rest
    are single words: the word's unigram feature plus its folded character n-grams.
    """

    weights: np.ndarray
    analysed: Analysed
    ngram_first: np.ndarray  # first occurrence index (into analysed.word_*) of each n-gram
    ngram_cols: np.ndarray
    words: list[str]  # the single-word phrases' texts
    word_of_token: np.ndarray  # per token: index into `words`, or -1 (masked / no feature)

    def text(self, k: int) -> str:
        """Phrase k as normalised words joined by spaces."""
        n = len(self.ngram_cols)
        if k >= n:
            return self.words[k - n]
        a, occ = self.analysed, self.ngram_first[k]
        return " ".join(t.norm for t in a.tokens[a.word_first[occ] : a.word_last[occ] + 1])

    def phrase(self, k: int) -> Phrase:
        """Phrase k with every `[start, end)` span where it occurs."""
        a, n = self.analysed, len(self.ngram_cols)
        if k >= n:
            where = np.flatnonzero(self.word_of_token == k - n).tolist()
            spans = [(a.tokens[i].start, a.tokens[i].end) for i in where]
        else:
            where = np.flatnonzero(a.word_cols == self.ngram_cols[k]).tolist()
            spans = [(a.tokens[a.word_first[i]].start, a.tokens[a.word_last[i]].end) for i in where]
        return Phrase(self.text(k), float(self.weights[k]), tuple(sorted(set(spans))))

    def top(self, k: int, sign: int) -> tuple[Phrase, ...]:
        """The k strongest phrases of this sign: descending |weight|, ties by text."""
        signed = self.weights * sign
        chosen = np.flatnonzero(signed > 0)
        if len(chosen) > 2 * k:  # keep ties at the cut: sort a generous candidate set exactly
            cut = np.partition(signed[chosen], len(chosen) - k)[len(chosen) - k]
            chosen = chosen[signed[chosen] >= cut]
        order = sorted(chosen.tolist(), key=lambda i: (-signed[i], self.text(i)))
        return tuple(self.phrase(i) for i in order[:k])

    def all(self) -> tuple[Phrase, ...]:
        """Every phrase."""
        return tuple(self.phrase(k) for k in range(len(self.weights)))


def _rows(counted: Counted, segment: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns (sorted), counts and contributions of one segment."""
    lo, hi = np.searchsorted(counted.segment, [segment, segment + 1])
    return counted.column[lo:hi], counted.count[lo:hi], counted.contribution[lo:hi]


def phrase_table(a: Analysed, counted: Sequence[Counted], segment: int) -> PhraseTable:
    """Fold one whole text's contributions (its segment of `counted`) onto phrases."""
    tokens = a.tokens
    if len(a.masked) != len(tokens):
        raise ValueError("phrases are built for whole texts")
    index: dict[str, int] = {}
    token_word = np.array([index.setdefault(t.norm, len(index)) for t in tokens], dtype=np.int64)
    word_weight = np.zeros(len(index))
    used = np.zeros(len(index), dtype=bool)
    ngram_first, ngram_cols, ngram_weight = NO_COLUMNS, NO_COLUMNS, np.zeros(0)
    cols, _, contrib = _rows(counted[0], segment)
    if len(cols):
        _, first_seen = np.unique(a.word_cols, return_index=True)  # aligned with `cols`
        single = a.word_first[first_seen] == a.word_last[first_seen]
        owners = token_word[a.word_first[first_seen[single]]]
        np.add.at(word_weight, owners, contrib[single])
        used[owners] = True
        ngram_first, ngram_cols, ngram_weight = first_seen[~single], cols[~single], contrib[~single]
    if len(counted) > 1 and len(a.char_cols):
        cols, counts, contrib = _rows(counted[1], segment)
        share = np.zeros(int(cols[-1]) + 1)  # dense by column: a gather beats a search
        share[cols] = contrib / counts
        owners = token_word[a.char_owner]
        word_weight += np.bincount(owners, weights=share[a.char_cols], minlength=len(index))
        used[owners] = True
    phrase_of_word = np.cumsum(used) - 1
    words = [w for w, k in index.items() if used[k]]
    masked = np.array(a.masked, dtype=bool)
    word_of_token = np.where(masked | ~used[token_word], -1, phrase_of_word[token_word])
    return PhraseTable(
        np.concatenate([ngram_weight, word_weight[used]]),
        a,
        ngram_first,
        ngram_cols,
        words,
        word_of_token,
    )
