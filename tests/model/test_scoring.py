"""Scoring: exact explanations, spans as sent, sentences, batching."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import Artifact, Scorer
from model.text import tokenize
from tests.conftest import TINY_CONFIG, fit_tiny

TEXTS = [
    "The army launched a pre-emptive strike. Leaders warned of escalation!",
    "Both governments signed a trade agreement and agreed to exchange prisoners.",
    "PRE-EMPTIVE STRIKE\n\nTroops mobilised; the ministers’ talks collapsed.",
    "İstanbul talks: ﬁnal deal — ÅÄÖ and emoji 🙂 near a threat.",
    "",
    "!!! ...",
]


@pytest.fixture(scope="module")
def scorer(tiny_model_path: Path) -> Scorer:
    return Scorer.load(tiny_model_path)


def assert_exact(scorer: Scorer, text: str) -> None:
    """Bias plus every phrase weight is the logit, and the logit is the pipeline's."""
    explanation = scorer.explain(text)
    total = explanation.bias + math.fsum(p.weight for p in explanation.phrases)
    assert abs(total - explanation.logit) <= 1e-9
    reference = scorer.artifact.pipeline.predict_proba([text])[0, 1]
    score = scorer.score(text).score
    assert abs(score - reference) <= 1e-9
    assert abs(score - 1 / (1 + math.exp(-explanation.logit))) <= 1e-12
    for phrase in explanation.phrases:
        assert phrase.spans, phrase
        for start, end in phrase.spans:
            # The span reads as the phrase, case and punctuation aside.
            assert " ".join(t.norm for t in tokenize(text[start:end])) == phrase.text


@pytest.mark.parametrize("text", TEXTS)
def test_explanation_is_exact(scorer: Scorer, text: str) -> None:
    assert_exact(scorer, text)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_explanation_is_exact_on_random_unicode(scorer: Scorer, text: str) -> None:
    assert_exact(scorer, text)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "strike",
                "threat",
                "agreement",
                "aid",
                "talks",
                "war,",
                "!",
                "Pre-emptive",
                "\n",
                "exchange",
            ]
        ),
        max_size=40,
    )
)
def test_exact_on_vocabulary_heavy_text(scorer: Scorer, words: list[str]) -> None:
    assert_exact(scorer, " ".join(words))


def test_escalatory_text_outranks_cooperative(scorer: Scorer) -> None:
    up, down = scorer.score(TEXTS[0]), scorer.score(TEXTS[1])
    assert up.score > 0.5 > down.score
    assert up.phrases and all(p.weight > 0 for p in up.phrases)
    assert down.deescalating_phrases and all(p.weight < 0 for p in down.deescalating_phrases)
    weights = [p.weight for p in up.phrases]
    assert weights == sorted(weights, reverse=True)


def test_overlapping_ngrams_are_separate_phrases(scorer: Scorer) -> None:
    phrases = {p.text: p for p in scorer.explain("a pre-emptive strike").phrases}
    assert "strike" in phrases and "pre-emptive strike" in phrases
    ((start, end),) = phrases["pre-emptive strike"].spans
    assert "a pre-emptive strike"[start:end] == "pre-emptive strike"


def test_phrase_spans_cover_every_occurrence(scorer: Scorer) -> None:
    text = "Strike now. They said strike again, STRIKE!"
    strike = next(p for p in scorer.explain(text).phrases if p.text == "strike")
    assert [text[s:e] for s, e in strike.spans] == ["Strike", "strike", "STRIKE"]


def test_top_k_limits_both_lists(scorer: Scorer) -> None:
    result = scorer.score(TEXTS[2], top_k=2)
    assert len(result.phrases) <= 2 and len(result.deescalating_phrases) <= 2
    with pytest.raises(ValueError):
        scorer.score(TEXTS[2], top_k=0)


def test_sentences_are_scored_on_their_own(scorer: Scorer) -> None:
    text = TEXTS[0] + " " + TEXTS[1]
    result = scorer.score(text)
    assert [text[s.start : s.end] for s in result.sentences][0] == (
        "The army launched a pre-emptive strike."
    )
    for sentence in result.sentences:
        alone = scorer.score(text[sentence.start : sentence.end]).score
        assert abs(sentence.score - alone) <= 1e-9


def test_score_many_matches_score(scorer: Scorer) -> None:
    many = scorer.score_many(TEXTS)
    for text, result in zip(TEXTS, many, strict=True):
        assert result == scorer.score(text)
    assert len({r.model_version for r in many}) == 1


def test_levels_follow_manifest_bands(scorer: Scorer) -> None:
    for text in TEXTS:
        result = scorer.score(text)
        expected = [b for b, lower in scorer.levels if result.score >= lower][-1]
        assert result.level == expected
    assert np.isclose(scorer.logits(["x"])[0], scorer.explain("x").logit)


def test_model_package_does_not_import_flask() -> None:
    code = "import sys, model, model.cli; assert 'flask' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture(scope="module")
def masked_scorer() -> Scorer:
    """The tiny model with state actor names masked out of its features."""
    pipeline = fit_tiny(replace(TINY_CONFIG, mask_actors=True))
    return Scorer(Artifact(pipeline=pipeline, manifest={"version": "tiny-masked"}))


@pytest.mark.parametrize("text", [*TEXTS, "Russia's army threatened Ukraine; the US and Iran met."])
def test_masked_model_explanation_is_exact(masked_scorer: Scorer, text: str) -> None:
    assert_exact(masked_scorer, text)
    masked_words = {"russia's", "ukraine", "us", "iran"}
    assert not masked_words & {
        w for p in masked_scorer.explain(text).phrases for w in p.text.split()
    }


def test_masked_model_ignores_which_state_is_named(masked_scorer: Scorer) -> None:
    hostile = "Russia threatened a strike on Ukraine as Iranian troops mobilised near Tehran."
    neutral = "Norway threatened a strike on Canada as Portuguese troops mobilised near Lisbon."
    assert masked_scorer.score(hostile).score == pytest.approx(
        masked_scorer.score(neutral).score, abs=1e-12
    )
