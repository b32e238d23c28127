"""Exact explanations: every feature's logit contribution, as phrases a reader recognises.

A linear model's logit is `bias + sum_j x_j * w_j`. Word n-gram features are phrases as they
are. Character n-grams are folded onto the words that contain them: one that occurs k times in
the text gives each occurrence `x_j * w_j / k`, added to the word it lies in, so a word's phrase
weight is its own unigram feature plus its share of character n-grams. Nothing is dropped or
counted twice: the phrases' weights plus the bias equal the logit. (The kernel,
`model/_kernel.c`, does the folding; this module names the phrases and finds their spans.)

Overlapping n-grams ("pre-emptive" and "pre-emptive strike") are separate phrases, each with its
own feature's weight: their spans may overlap, their weights never double count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.compiled import Analysed, Scored
from model.types import Phrase


@dataclass(frozen=True)
class PhraseTable:
    """Every phrase of one text with its weight; texts and spans are built only when shown.

    Phrases `0..n_ngrams-1` are word n-grams of two or more words (one feature each); the rest
    are single words: the word's unigram feature plus its folded character n-grams.
    """

    analysed: Analysed
    scored: Scored
    weights: np.ndarray

    def _occurrences(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """First and last token of every occurrence of phrase k."""
        a, s = self.analysed, self.scored
        n = len(s.ngram_cols)
        if k >= n:
            where = np.flatnonzero((a.entries == s.word_entries[k - n]) & ~a.masked)
            return where, where
        at = s.occurrence_cols == s.ngram_cols[k]
        return s.occurrence_first[at], s.occurrence_last[at]

    def text(self, k: int) -> str:
        """Phrase k as normalised words joined by spaces."""
        a, s = self.analysed, self.scored
        if k >= len(s.ngram_cols):
            return a.words[s.word_entries[k - len(s.ngram_cols)]]
        first, last = (int(x[0]) for x in self._occurrences(k))
        return " ".join(a.words[e] for e in a.entries[first : last + 1])

    def phrase(self, k: int) -> Phrase:
        """Phrase k with every `[start, end)` span where it occurs (in text order)."""
        first, last = self._occurrences(k)
        starts, ends = self.analysed.starts[first].tolist(), self.analysed.ends[last].tolist()
        return Phrase(self.text(k), float(self.weights[k]), tuple(zip(starts, ends, strict=True)))

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


def phrase_table(analysed: Analysed, scored: Scored) -> PhraseTable:
    """The phrases of one scored text: its n-grams, then its single words."""
    return PhraseTable(
        analysed, scored, np.concatenate([scored.ngram_weights, scored.word_weights])
    )
