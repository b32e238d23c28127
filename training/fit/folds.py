"""Cross-validation features without re-tokenising every fold.

Refitting `TfidfVectorizer(min_df=m)` on a fold's training texts keeps the terms whose document
frequency in those texts is at least m, in alphabetical order, and fits idf on them. Counting
every text once (all terms, alphabetical) and then, per fold, keeping the columns with training
df >= m and fitting the same TF-IDF weighting on the training rows gives the same matrices,
column for column: tokenising (the slow, pure-Python part) then happens once instead of per fold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.pipeline import Pipeline


class FoldFeatures:
    """Term counts of every text, per TF-IDF block of a pipeline, computed once."""

    def __init__(self, pipeline: Pipeline, texts: Sequence[str]) -> None:
        """Count each block's terms over all texts."""
        union = pipeline.named_steps["features"]
        self._vectorisers = [vec for _, vec in union.transformer_list]
        weights = union.transformer_weights or {}
        self._weights = [float(weights.get(name, 1.0)) for name, _ in union.transformer_list]
        self._counts = [
            CountVectorizer(analyzer=vec.analyzer).fit_transform(texts).tocsr()
            for vec in self._vectorisers
        ]

    @property
    def rows(self) -> int:
        """How many texts were counted."""
        return int(self._counts[0].shape[0])

    def split(self, train: np.ndarray, test: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """TF-IDF matrices of the training and test rows, as a refit on `train` would give."""
        train_parts, test_parts = [], []
        for vec, counts, weight in zip(self._vectorisers, self._counts, self._weights, strict=True):
            train_counts = counts[train]
            df = np.bincount(train_counts.indices, minlength=counts.shape[1])
            keep = np.flatnonzero(df >= vec.min_df)
            if not len(keep):  # no term of this block in enough training rows (few events)
                train_parts.append(sp.csr_matrix((len(train), 0)))
                test_parts.append(sp.csr_matrix((len(test), 0)))
                continue
            weighting = TfidfTransformer(
                norm=vec.norm,
                use_idf=vec.use_idf,
                smooth_idf=vec.smooth_idf,
                sublinear_tf=vec.sublinear_tf,
            ).fit(train_counts[:, keep])
            train_parts.append(weighting.transform(train_counts[:, keep]) * weight)
            test_parts.append(weighting.transform(counts[test][:, keep]) * weight)
        return sp.hstack(train_parts).tocsr(), sp.hstack(test_parts).tocsr()


def fold_logits(
    features: FoldFeatures,
    pipeline: Pipeline,
    y: np.ndarray,
    weights: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
) -> np.ndarray:
    """Fit the pipeline's classifier on the training rows; raw logits of the test rows."""
    x_train, x_test = features.split(train, test)
    clf = clone(pipeline.named_steps["clf"])
    clf.fit(x_train, y[train], sample_weight=weights[train])
    return clf.decision_function(x_test)
