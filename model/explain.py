"""Exact explanations: every feature's logit contribution, as phrases a reader recognises.

A linear model's logit is `bias + sum_j x_j * w_j`. Word n-gram features are phrases as they
are. Character n-grams are folded onto the words that contain them: one that occurs k times in
the text gives each occurrence `x_j * w_j / k`, added to the word it lies in, so a word's phrase
weight is its own unigram feature plus its share of character n-grams. Nothing is dropped or
counted twice: the phrases' weights plus the bias equal the logit. (The kernel,
`model/_kernel.c`, does the folding; this module names the phrases and finds their spans.)

Overlapping n-grams ("pre-emptive" and "pre-emptive strike") are separate phrases, each with its
own feature's weight: their spans may overlap, their weights never double count. Event features
(`model.eventfeatures`) are phrases of the words that matched ("talks … collapsed"), with one
span per word.
"""

from __future__ import annotations

import numpy as np

from model.compiled import Analysed, Scored
from model.text import display
from model.types import Phrase


class PhraseTable:
    """Every phrase of one text with its weight (`Scored`); texts and spans are built only
    when shown (through memoryviews: a phrase costs a few list operations, no numpy call)."""

    def __init__(self, analysed: Analysed, scored: Scored) -> None:
        """The phrases of one scored text."""
        self.analysed, self.scored = analysed, scored
        self.weights: np.ndarray = scored.weights
        self._weights = scored.weights.data
        self._heads = _flat(scored.heads)
        self._offsets = _flat(scored.offsets)
        self._spans = _flat(scored.spans)
        self._entries = analysed.entries.data
        self._starts = analysed.starts.data
        self._ends = analysed.ends.data
        self._events = scored.event_texts
        self._first_event = len(scored.weights) - len(scored.event_texts)

    def text(self, k: int) -> str:
        """Phrase k as its first occurrence reads, words joined by spaces: each word's feature
        form, or as written (`model.text.display`) where those forms fold letters."""
        if k >= self._first_event:  # an event phrase: its text is made with it
            return self._events[k - self._first_event]
        first, last = self._heads[2 * k], self._heads[2 * k + 1]
        a = self.analysed
        if not a.as_written:  # each word's feature form is how it reads
            if first == last:
                return a.words[self._entries[first]]
            return " ".join([a.words[e] for e in self._entries[first : last + 1].tolist()])
        text, starts, ends = a.text, self._starts, self._ends
        if first == last:
            return display(text[starts[first] : ends[first]])
        return " ".join(display(text[starts[t] : ends[t]]) for t in range(first, last + 1))

    def phrase(self, k: int) -> Phrase:
        """Phrase k with every `[start, end)` span where it occurs (in text order)."""
        flat = self._spans[2 * self._offsets[k] : 2 * self._offsets[k + 1]].tolist()
        spans = tuple(zip(flat[::2], flat[1::2], strict=True))
        return Phrase(self.text(k), self._weights[k], spans)

    def top(self, k: int, sign: int) -> tuple[Phrase, ...]:
        """The k strongest phrases of this sign: descending |weight|, ties by text."""
        signed = self.weights * sign
        chosen = np.flatnonzero(signed > 0)
        if len(chosen) > k:  # the k largest, and any that tie with the k-th
            cut = np.partition(signed[chosen], len(chosen) - k)[len(chosen) - k]
            chosen = chosen[signed[chosen] >= cut]
        values = np.sort(signed[chosen])
        if np.any(values[1:] == values[:-1]):  # equal weights: their texts decide
            order = sorted(chosen.tolist(), key=lambda i: (-signed[i], self.text(i)))
        else:
            order = chosen[np.argsort(-signed[chosen])].tolist()
        return tuple(self.phrase(i) for i in order[:k])

    def all(self) -> tuple[Phrase, ...]:
        """Every phrase."""
        return tuple(self.phrase(k) for k in range(len(self.weights)))


def _flat(array: np.ndarray) -> memoryview:
    """A 1-D memoryview of an array's items."""
    return np.ascontiguousarray(array).ravel().data
