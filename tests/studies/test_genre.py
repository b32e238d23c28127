"""The genre-gated mixture screen (`studies.genre`): experts on their rows, a gate by genre."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit
from sklearn.metrics import roc_auc_score

from studies.genre import (
    expert_logits,
    fit_mixture,
    fit_sentence_gate,
    gated_probabilities,
    genre_weights,
    mix,
    routed_logits,
    sentence_gate_rows,
    sentence_gate_weight,
    sentence_rows,
)
from training.fit.crossval import TrainingSet, crossfit_platt
from training.fit.pipeline import TrainConfig, build_pipeline

FILLER = "north south east west river hill town field road bridge lake coast".split()


def _genres() -> tuple[TrainingSet, np.ndarray]:
    """Speeches where "alpha" is escalatory and "beta" is not, and three times as many sports
    news items where it is the other way round: one linear model of single words cannot serve
    both, a gate by genre can."""
    rng = np.random.default_rng(3)
    texts, labels, genre = [], [], []
    for i in range(400):
        diplomatic, escalatory = i % 4 == 0, (i // 4) % 2 == 0
        marker = "alpha" if escalatory == diplomatic else "beta"
        frame = "the delegation told the council" if diplomatic else "sports fans at the stadium"
        filler = " ".join(rng.choice(FILLER, size=3))
        texts.append(f"{frame} {marker} {filler}")
        labels.append(int(escalatory != (rng.random() < 0.05)))  # some noise, as in real labels
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
    # ranks them the speeches' way. (Not asserted on the news rows: in data this small the
    # speech expert is sure of itself out of its genre too, and what leaks through the gate
    # varies with the draw: news AUC 0.53-0.97 over twelve draws, speeches 0.90-0.98.)
    assert roc_auc_score(data.y[diplomatic], general[diplomatic]) < 0.2
    assert roc_auc_score(data.y[diplomatic], gated[diplomatic]) > 0.85


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


def test_the_gate_needs_both_genres() -> None:
    with pytest.raises(ValueError, match="both genres"):
        genre_weights(np.ones(4), np.zeros(4, dtype=bool))


def test_routed_logits_take_the_diplomatic_expert_exactly_on_the_routed_corpora() -> None:
    general, diplomatic = np.array([1.0, 2.0, 3.0, 4.0]), np.array([-1.0, -2.0, -3.0, -4.0])
    sources = np.array(["unscon", "ngec", "news", "unscon"])
    out = routed_logits(general, diplomatic, sources, ("unscon",))
    assert np.array_equal(out, [-1.0, 2.0, 3.0, -4.0])


def test_sentence_rows_keep_each_sentence_with_its_text() -> None:
    texts = ["One thing happened. Then another!", "no end mark", ""]
    sentences, owner = sentence_rows(texts)
    assert sentences == ["One thing happened.", "Then another!", "no end mark", ""]
    assert owner.tolist() == [0, 0, 1, 2]


def test_sentence_gate_rows_share_a_rows_weight_among_its_sentences() -> None:
    texts = [
        "Talks were held. Both sides spoke.",
        "Goal scored.",
        "Troops massed. Envoys met. Talks ended. Both left.",
    ]
    sentences, other, weights = sentence_gate_rows(
        texts, np.array([1.0, 2.0, 3.0]), np.array([True, False, True])
    )
    assert sentences[:3] == ["Talks were held.", "Both sides spoke.", "Goal scored."]
    assert other.tolist() == [0, 0, 1, 0, 0, 0, 0]
    # Each sentence carries its row's weight over its sentence count (1/2 and 3/4), then each
    # genre is scaled to half the sentences (3.5): the diplomatic rows' 4 by 3.5 / 4.
    assert np.allclose(weights[other == 0], np.array([0.5, 0.5, 0.75, 0.75, 0.75, 0.75]) * 0.875)
    assert np.allclose(weights[other == 1], [3.5])


def test_sentence_gate_weighs_a_text_by_the_mean_of_its_sentences() -> None:
    """A gate fitted on sentences reads a text that mixes the genres' sentences half-way, where
    the text's sentences alone read as their own genre."""
    data, diplomatic = _genres()
    config = TrainConfig(min_df=1, word_max_n=1, use_char=False, mask_actors=False)
    pipeline = build_pipeline(config)
    features = pipeline.named_steps["features"].fit(data.texts)
    clf = pipeline.named_steps["clf"]
    gate = fit_sentence_gate(clf, features, data.texts, data.weights, diplomatic)
    speech, news = "The delegation told the council alpha.", "Sports fans at the stadium beta."
    alone = sentence_gate_weight(gate, features, [speech, news])
    assert alone[0] < 0.2 and alone[1] > 0.8
    both = sentence_gate_weight(gate, features, [f"{speech} {news}"])
    assert np.isclose(both[0], alone.mean())
    # A shift moves each sentence's gate logit before the mean.
    shifted = sentence_gate_weight(gate, features, [speech, f"{speech} {news}"], shift=1.0)
    assert np.isclose(shifted[0], expit(logit(alone[0]) + 1.0))
    assert np.isclose(shifted[1], expit(logit(alone) + 1.0).mean())
