"""The genre-gated mixture screen (`training.genre`): experts on their rows, a gate by genre."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from training.crossval import TrainingSet, crossfit_platt
from training.genre import expert_logits, fit_mixture, gated_probabilities, genre_weights, mix
from training.pipeline import TrainConfig

FILLER = "north south east west river hill town field road bridge lake coast".split()


def _genres() -> tuple[TrainingSet, np.ndarray]:
    """Speeches where "alpha" is escalatory and "beta" is not, and three times as many sports
    news items where it is the other way round: one linear model of single words cannot serve
    both, a gate by genre can."""
    rng = np.random.default_rng(3)
    texts, labels, genre = [], [], []
    for i in range(160):
        diplomatic, escalatory = i % 4 == 0, (i // 4) % 2 == 0
        marker = "alpha" if escalatory == diplomatic else "beta"
        frame = "the delegation told the council" if diplomatic else "sports fans at the stadium"
        filler = " ".join(rng.choice(FILLER, size=3))
        texts.append(f"{frame} {marker} {filler}")
        labels.append(int(escalatory != (rng.random() < 0.15)))  # some noise, as in real labels
        genre.append(diplomatic)
    n = len(texts)
    data = TrainingSet(
        texts=texts,
        y=np.array(labels),
        groups=np.array([f"g{i % 10}" for i in range(n)]),
        sources=np.array(["speech" if d else "news" for d in genre]),
        weights=np.ones(n),
        evaluate=np.ones(n, dtype=bool),
    )
    return data, np.array(genre)


def test_genre_weights_give_both_genres_the_same_total() -> None:
    weights = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    other = np.array([True, True, False, False, False])
    out = genre_weights(weights, other)
    assert np.isclose(out[other].sum(), out[~other].sum())
    assert np.isclose(out.sum(), len(out))
    assert np.allclose(out[other] / out[other].sum(), weights[other] / weights[other].sum())


def test_mix_weighs_the_experts_by_the_gate() -> None:
    general, diplomatic = np.array([2.0, 2.0, 2.0]), np.array([-1.0, -1.0, -1.0])
    out = mix(general, diplomatic, np.array([-50.0, 0.0, 50.0]))
    assert np.allclose(out, [-1.0, 0.5, 2.0])


def test_gate_routes_each_genre_to_the_expert_that_ranks_it() -> None:
    data, diplomatic = _genres()
    config = TrainConfig(folds=3, min_df=1, word_max_n=1, use_char=False, mask_actors=False)
    found = expert_logits(data, config, diplomatic, {"speeches": diplomatic})
    general = crossfit_platt(found.general, data.y, found.fold_of)
    gated = gated_probabilities(found, data.y, "speeches", diplomatic)
    # The gate tells the genres apart out of fold.
    assert found.gate[~diplomatic].min() > found.gate[diplomatic].max()
    # The general model follows the larger genre and ranks the speeches backwards; the mixture
    # ranks them the speeches' way and still ranks the news the news' way (labels are noisy:
    # an AUC near 0.85 is the most these rows allow).
    assert roc_auc_score(data.y[diplomatic], general[diplomatic]) < 0.5
    assert roc_auc_score(data.y[diplomatic], gated[diplomatic]) > 0.7
    assert roc_auc_score(data.y[~diplomatic], gated[~diplomatic]) > 0.6


def test_fitted_mixture_reads_each_genre_its_own_way() -> None:
    """Fitted on every row, the mixture scores unseen texts by their genre, where the general
    expert alone reads the speeches backwards."""
    data, diplomatic = _genres()
    config = TrainConfig(folds=3, min_df=1, word_max_n=1, use_char=False, mask_actors=False)
    found = expert_logits(data, config, diplomatic, {"speeches": diplomatic})
    mixture = fit_mixture(data, config, diplomatic, {"speeches": diplomatic}, found)
    speech, news = "the delegation told the council", "sports fans at the stadium"
    x = mixture.transform(
        [f"{frame} {marker} lake" for frame in (speech, news) for marker in ("alpha", "beta")]
    )
    speech_alpha, speech_beta, news_alpha, news_beta = mixture.probabilities(x, "speeches")
    assert speech_alpha > speech_beta and news_beta > news_alpha
    general = mixture.calibrated(x, "general")
    assert general[0] < general[1]
