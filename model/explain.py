"""Exact explanations: map each feature's logit contribution onto words and phrases.

A linear model's logit is `bias + sum_j x_j * w_j`. Word n-gram features become phrases as they
are. Character n-grams are folded onto the words that contain them: a character n-gram that
occurs k times in the text gives each occurrence `x_j * w_j / k`, added to the word that
occurrence lies in. Nothing is dropped or counted twice, so the phrases' weights plus the bias
equal the logit.

Overlapping n-grams ("pre-emptive" and "pre-emptive strike") are listed as separate phrases,
each with its own feature's weight; their spans may overlap but their weights never double
count, because each weight belongs to one feature.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from model.text import (
    CharAnalyzer,
    Token,
    WordAnalyzer,
    actor_mask,
    char_ngrams,
    tokenize,
    word_ngrams,
)
from model.types import Phrase


def _word_block(
    tokens: list[Token],
    masked: list[bool] | None,
    analyzer: WordAnalyzer,
    vocab: dict[str, int],
    contrib: dict[int, float],
    weights: defaultdict[str, float],
    spans: defaultdict[str, set[tuple[int, int]]],
) -> None:
    """Add each word n-gram feature's contribution (once) and all its spans."""
    found: dict[str, int] = {}
    for gram, first, last in word_ngrams(tokens, analyzer.max_n, masked):
        j = vocab.get(gram)
        if j is not None and j in contrib:
            spans[gram].add((tokens[first].start, tokens[last].end))
            found[gram] = j
    for gram, j in found.items():
        weights[gram] += contrib[j]


def _char_block(
    tokens: list[Token],
    masked: list[bool] | None,
    analyzer: CharAnalyzer,
    vocab: dict[str, int],
    contrib: dict[int, float],
    weights: defaultdict[str, float],
    spans: defaultdict[str, set[tuple[int, int]]],
) -> None:
    """Fold each character n-gram's contribution evenly onto the words containing it."""
    hits: list[tuple[int, int]] = []
    counts: defaultdict[int, int] = defaultdict(int)
    for gram, token_index in char_ngrams(tokens, analyzer.min_n, analyzer.max_n, masked):
        j = vocab.get(gram)
        if j is not None and j in contrib:
            hits.append((j, token_index))
            counts[j] += 1
    for j, token_index in hits:
        token = tokens[token_index]
        weights[token.norm] += contrib[j] / counts[j]
        spans[token.norm].add((token.start, token.end))


def explain_row(
    text: str,
    blocks: list[tuple[WordAnalyzer | CharAnalyzer, dict[str, int], int]],
    indices: np.ndarray,
    contributions: np.ndarray,
) -> list[Phrase]:
    """Phrases for one text, given its non-zero feature indices and their contributions.

    `blocks` lists each vectoriser's analyzer, vocabulary and column offset in the feature
    union, in order.
    """
    tokens = tokenize(text)
    actors = actor_mask(text, tokens) if any(a.mask_actors for a, _, _ in blocks) else None
    weights: defaultdict[str, float] = defaultdict(float)
    spans: defaultdict[str, set[tuple[int, int]]] = defaultdict(set)
    bounds = [offset for _, _, offset in blocks[1:]] + [np.iinfo(np.int64).max]
    for (analyzer, vocab, offset), stop in zip(blocks, bounds, strict=True):
        in_block = (indices >= offset) & (indices < stop)
        columns = (indices[in_block] - offset).tolist()
        contrib = dict(zip(columns, contributions[in_block].tolist(), strict=True))
        masked = actors if analyzer.mask_actors else None
        if isinstance(analyzer, WordAnalyzer):
            _word_block(tokens, masked, analyzer, vocab, contrib, weights, spans)
        else:
            _char_block(tokens, masked, analyzer, vocab, contrib, weights, spans)
    return [Phrase(text=g, weight=w, spans=tuple(sorted(spans[g]))) for g, w in weights.items()]
