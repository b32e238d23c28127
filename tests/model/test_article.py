"""The article map (`model.article`): sentences keep their score, articles get the map, and the
explanation stays exact for the number returned."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit

from model import Artifact, ArtifactError, Scorer, load_artifact, save_artifact
from model.article import IDENTITY, MANIFEST_KEY, ArticleCalibration, reference_logits
from model.scope import ESCALATORY_PASSAGES, MIN_PASSAGES, passage_warnings
from model.scoring import DEFAULT_LEVELS
from model.text import article_sentences, sentence_spans

MAP = ArticleCalibration(slope=1.3, intercept=-1.5, full_at=4)
ONE = "The army threatened a pre-emptive strike and troops mobilised."
ARTICLE = (
    "Leaders warned of escalation. Troops were mobilised along the border.\n\n"
    "The ministers signed a trade agreement. Both sides welcomed the talks. "
    "The regime expelled the ambassador."
)


@pytest.fixture(scope="module")
def mapped(tiny_model_path: Path) -> Scorer:
    artifact = load_artifact(tiny_model_path)
    manifest = {**artifact.manifest, MANIFEST_KEY: MAP.to_manifest(source="test")}
    return Scorer(Artifact(artifact.pipeline, manifest))


@pytest.fixture(scope="module")
def plain(tiny_model_path: Path) -> Scorer:
    return Scorer.load(tiny_model_path)


def test_the_map_is_the_identity_for_one_sentence_and_whole_from_full_at() -> None:
    assert MAP.affine(0) == MAP.affine(1) == (1.0, 0.0)
    assert MAP.affine(4) == MAP.affine(40) == (1.3, -1.5)
    s2, t2 = MAP.affine(2)
    assert s2 == pytest.approx(1.15) and t2 == pytest.approx(-0.75)  # ln 2 / ln 4 = 1/2
    weights = [MAP.weight(n) for n in range(1, 10)]
    assert weights == sorted(weights)


@pytest.mark.parametrize(
    "entry",
    [
        {"slope": 0.0, "intercept": 0.0, "full_at_sentences": 8},
        {"slope": -1.0, "intercept": 0.0, "full_at_sentences": 8},
        {"slope": float("nan"), "intercept": 0.0, "full_at_sentences": 8},
        {"slope": 1.0, "intercept": float("inf"), "full_at_sentences": 8},
        {"slope": 1.0, "intercept": 0.0, "full_at_sentences": 1},
        {"slope": 1.0, "intercept": 0.0, "full_at_sentences": 8.5},
        {"slope": 1.0, "intercept": 0.0, "full_at_sentences": True},
        {"slope": 1.0, "intercept": 0.0},
        {"slope": "x", "intercept": 0.0, "full_at_sentences": 8},
    ],
)
def test_a_malformed_map_is_refused_when_the_model_loads(
    entry: dict[str, object], tiny_model_path: Path, tmp_path: Path
) -> None:
    artifact = load_artifact(tiny_model_path)
    path = save_artifact(
        artifact.pipeline, {**artifact.manifest, MANIFEST_KEY: entry}, tmp_path / "m.joblib"
    )
    with pytest.raises(ArtifactError, match="article_calibration|slope|full_at"):
        Scorer.load(path)


def test_a_manifest_without_a_map_scores_as_the_pipeline(plain: Scorer) -> None:
    assert ArticleCalibration.from_manifest({}) is IDENTITY
    assert plain.article is IDENTITY
    reference = plain.artifact.pipeline.predict_proba([ARTICLE])[0, 1]
    assert plain.score(ARTICLE).score == pytest.approx(reference, abs=1e-12)


def test_one_sentence_keeps_the_pipelines_score(mapped: Scorer) -> None:
    assert len(sentence_spans(ONE)) == 1
    reference = mapped.artifact.pipeline.predict_proba([ONE])[0, 1]
    assert mapped.score(ONE).score == pytest.approx(reference, abs=1e-12)


def test_an_article_gets_the_map_and_its_explanation_stays_exact(
    mapped: Scorer, plain: Scorer
) -> None:
    n = len(sentence_spans(ARTICLE))
    assert n == 5
    s, t = MAP.affine(n)
    raw = plain.explain(ARTICLE)
    explained = mapped.explain(ARTICLE)
    assert explained.logit == pytest.approx(s * raw.logit + t, abs=1e-12)
    total = explained.bias + math.fsum(p.weight for p in explained.phrases)
    assert total == pytest.approx(explained.logit, abs=1e-9)
    assert [p.text for p in explained.phrases] == [p.text for p in raw.phrases]
    for a, b in zip(explained.phrases, raw.phrases, strict=True):
        assert a.weight == pytest.approx(s * b.weight, abs=1e-12)
        assert a.spans == b.spans
    result = mapped.score(ARTICLE)
    expected = expit(reference_logits(mapped.artifact.pipeline, MAP, [ARTICLE]))[0]
    assert result.score == pytest.approx(expected, abs=1e-9)
    assert result.score != pytest.approx(plain.score(ARTICLE).score, abs=1e-3)
    assert mapped.logits([ARTICLE])[0] == pytest.approx(explained.logit, abs=1e-12)
    # Each sentence is a text of one sentence: the map leaves it as it was.
    assert mapped.score(ARTICLE).sentences == plain.score(ARTICLE).sentences


def test_the_scorer_agrees_with_the_python_reference_on_many_texts(mapped: Scorer) -> None:
    texts = [
        ONE,
        ARTICLE,
        "",
        "War.",
        "A. B. C. D. E. F. G. H. I.",
        ARTICLE * 3,
        ONE + " " + ONE,
        ONE.replace(" ", "\n"),
        "Title\n \nLine one\r\nline two.\n\n\nEnd.",
    ]
    expected = reference_logits(mapped.artifact.pipeline, MAP, texts)
    np.testing.assert_allclose(mapped.logits(texts), expected, atol=1e-9, rtol=0)


def test_a_hard_wrapped_text_counts_its_sentences_not_its_lines(mapped: Scorer) -> None:
    wrapped = ONE.replace(" ", "\n", 6)
    assert len(sentence_spans(wrapped)) == 7  # each line is listed as a sentence of its own
    assert article_sentences(wrapped) == 1  # but the map counts one
    assert mapped.score(wrapped).score == pytest.approx(mapped.score(ONE).score, abs=1e-12)
    paragraphs = ARTICLE.replace(". ", ".\n")
    assert article_sentences(paragraphs) == article_sentences(ARTICLE) == 5
    assert article_sentences("One.\n\nTwo.\n \nThree") == 3  # blank lines still end them


def test_the_map_travels_in_the_artifact(mapped: Scorer, tmp_path: Path) -> None:
    path = save_artifact(mapped.artifact.pipeline, mapped.manifest, tmp_path / "m.joblib")
    again = Scorer.load(path)
    assert again.article == MAP
    assert again.score(ARTICLE).score == mapped.score(ARTICLE).score


LEVELS = DEFAULT_LEVELS


def test_escalatory_passages_is_said_of_a_low_text_with_several_severe_sentences() -> None:
    severe = np.array([0.9] * MIN_PASSAGES + [0.1] * 50)
    (warning,) = passage_warnings(0.2, severe, LEVELS)
    assert warning.code == ESCALATORY_PASSAGES
    assert f"{MIN_PASSAGES} sentences" in warning.message
    assert passage_warnings(0.5, severe, LEVELS) == ()  # the score says it already
    assert passage_warnings(0.2, severe[1:], LEVELS) == ()  # one too few
    assert passage_warnings(0.2, np.array([0.79] * 10), LEVELS) == ()


def test_the_scorer_warns_of_passages_its_whole_does_not_carry(mapped: Scorer) -> None:
    threat = "Troops mobilised and the army threatened a pre-emptive strike and war. "
    calm = "The ministers signed a trade agreement and welcomed the talks on aid. "
    low = mapped.score(calm * 10)
    assert low.level == "low" and low.warnings == ()
    mixed = threat * MIN_PASSAGES + calm * 10
    assert (expit(mapped.sentence_logits(mixed)) >= LEVELS[-1][1]).sum() == MIN_PASSAGES
    result = mapped.score(mixed, max_sentences=0)  # counted even when none are listed
    assert result.level == "low" and result.sentences == ()
    assert [w.code for w in result.warnings] == [ESCALATORY_PASSAGES]
    fewer = mapped.score(threat * (MIN_PASSAGES - 1) + calm * 10)
    assert fewer.level == "low" and fewer.warnings == ()
