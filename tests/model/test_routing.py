"""Routing: each text to its language's model, or unscored when no model reads its language."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from scipy.special import expit
from sklearn.pipeline import Pipeline

from model import scope
from model.article import ArticleCalibration, reference_logits
from model.artifact import ArtifactError, save_release
from model.features import STYLED_LETTER_NAMES, styled_letters
from model.routing import Route, Router
from model.scoring import Scorer
from model.types import UNSCORED, ArticleScore
from tests.helpers import (
    ARABIC_COOPERATIVE,
    ARABIC_ESCALATORY,
    COOPERATIVE,
    ESCALATORY,
    SPANISH_ESCALATORY,
    TINY_MANIFEST,
)

# Sentences of the tiny models' own words (so the English model knows every word of its own).
ENGLISH = f"{ESCALATORY[0]} {ESCALATORY[1]}"
ARABIC = "حشدت القوات على الحدود مع تصاعد خطر الحرب وهددت الحكومة بشن ضربات عسكرية."
FRENCH = (
    "Le ministre de la Défense a menacé de riposter militairement si l'armée voisine franchit "
    "la frontière, et le gouvernement a rappelé son ambassadeur."
)
# The English model's article map: texts of several sentences are mapped, as in the default model.
ARTICLE_MAP = ArticleCalibration(1.3, -0.7, 4)


@pytest.fixture(scope="module")
def router(tiny_release_path: Path) -> Router:
    return Router.load(tiny_release_path)


@pytest.fixture
def no_identifier(monkeypatch: pytest.MonkeyPatch) -> None:
    """The language identifier fails the test if it is asked."""

    def asked(sample: str) -> tuple[str, float]:
        raise AssertionError(f"the identifier was asked about {sample[:40]!r}")

    monkeypatch.setattr(scope, "identify", asked)


@pytest.fixture
def identifier_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the (real) identifier is asked about."""
    calls: list[str] = []
    real: Callable[[str], tuple[str, float]] = scope.identify

    def spy(sample: str) -> tuple[str, float]:
        calls.append(sample)
        return real(sample)

    monkeypatch.setattr(scope, "identify", spy)
    return calls


def assert_unscored(result: ArticleScore, language: str, router: Router) -> None:
    """The answer for a text no model reads: no score, no phrases, and why."""
    assert result.score is None and result.level == UNSCORED == "unscored"
    assert result.language == language and result.model_version == router.version
    assert result.phrases == () and result.deescalating_phrases == () and result.sentences == ()
    assert [w.code for w in result.warnings] == ["unsupported_language", "not_english"]
    for warning in result.warnings:
        assert f"'{language}'" in warning.message and "en, ar" in warning.message
    body = result.to_dict()
    assert body["score"] is None and body["language"] == language


def test_the_release_has_a_model_per_language(router: Router) -> None:
    assert router.languages == ("en", "ar") and router.version == "tiny-1"
    assert router.first.language == "en" and router.scorers["ar"].language == "ar"
    assert set(router.manifest["languages"]) == {"en", "ar"}
    assert list(router.manifest["unsupported"]) == ["es"]


def test_one_language_of_a_release_loads_as_a_scorer(tiny_release_path: Path) -> None:
    arabic = Scorer.load(tiny_release_path, "ar")
    assert arabic.language == "ar" and arabic.score(ARABIC).language == "ar"
    assert Scorer.load(tiny_release_path).language == "en"
    with pytest.raises(ArtifactError, match=r"no 'es' model \(languages: en, ar\)"):
        Scorer.load(tiny_release_path, "es")


def test_a_requested_language_goes_to_its_model(router: Router, no_identifier: None) -> None:
    """Asked for, a language is used as is, whatever the text looks like."""
    for text, language in [(ARABIC, "ar"), (ENGLISH, "en"), (ENGLISH, "ar"), (ARABIC, "en")]:
        result = router.score(text, language=language)
        assert result == router.scorers[language].score(text)
        assert result.language == language and result.score is not None
        assert router.route(text, language) == Route(language, True)


def test_an_english_text_stays_english_without_the_identifier(
    router: Router, no_identifier: None
) -> None:
    """Every word known to the first (English) model: it keeps the text, nobody asks more."""
    result = router.score(ENGLISH)
    assert result == router.scorers["en"].score(ENGLISH)
    assert result.language == "en" and result.score is not None and result.score > 0.5
    assert [w.code for w in result.warnings] == []
    assert router.route(ENGLISH) == Route("en", True)


def test_english_is_asked_first_whatever_the_training_order(
    tmp_path: Path,
    tiny_pipeline: Pipeline,
    tiny_arabic_pipeline: Pipeline,
    no_identifier: None,
) -> None:
    """An artifact whose Arabic model was trained first still sends an English text straight
    to the English model, without the identifier."""
    models = {
        "ar": (tiny_arabic_pipeline, dict(TINY_MANIFEST)),
        "en": (tiny_pipeline, dict(TINY_MANIFEST)),
    }
    router = Router.load(save_release(models, tmp_path / "ar-first.joblib"))
    assert router.languages == ("ar", "en") and router.first.language == "en"
    assert router.score(ENGLISH) == router.scorers["en"].score(ENGLISH)


def test_an_english_text_the_model_barely_knows_is_identified_and_stays(
    router: Router, identifier_calls: list[str]
) -> None:
    text = "The foreign minister said yesterday that the negotiations had broken down entirely."
    result = router.score(text)
    assert identifier_calls == [text]
    assert result == router.scorers["en"].score(text) and result.language == "en"


def _styled(text: str, upper: int, lower: int) -> str:
    """`text` with its ASCII letters written from another alphabet of Latin letters."""
    return "".join(
        chr(upper + ord(c) - 65)
        if "A" <= c <= "Z"
        else chr(lower + ord(c) - 97)
        if "a" <= c <= "z"
        else c
        for c in text
    )


@pytest.mark.parametrize(
    "letters",
    [(0xFF21, 0xFF41), (0x1D400, 0x1D41A), (0x1D5A0, 0x1D5BA), (0x1D670, 0x1D68A)],
    ids=["fullwidth", "mathematical bold", "sans-serif", "monospace"],
)
def test_letters_a_model_reads_as_plain_ones_route_as_plain_ones(
    router: Router, letters: tuple[int, int]
) -> None:
    """The router reads a text as the models do: English in styled letters is English."""
    for text in (ENGLISH, FRENCH):
        styled = _styled(text, *letters)
        assert router.route(styled) == router.route(text)
        assert router.score(styled).score == router.score(text).score


@pytest.mark.parametrize("prefix", [prefix for prefix, _ in STYLED_LETTER_NAMES])
def test_styled_letters_nfkc_leaves_alone_route_as_plain_ones(router: Router, prefix: str) -> None:
    """English in small capitals or parenthesized letters is English, scored as the letters it
    reads as (a small capital as a small letter); French in them is still French."""
    table = styled_letters()
    routes = []
    for text in (ENGLISH, FRENCH):
        styled = "".join(
            next((s for s in table if unicodedata.name(s) == prefix + c.upper()), c) for c in text
        )
        assert styled != text
        plain = styled.translate(str.maketrans(table))
        assert router.route(styled) == router.route(plain)
        assert router.score(styled).score == router.score(plain).score
        routes.append(router.route(styled).language)
    assert routes == ["en", "fr"]


@pytest.mark.parametrize("text", ["ok", "1234", "\u0085"])
def test_a_text_the_identifier_knows_nothing_about_stays_with_the_first_model(
    router: Router, text: str
) -> None:
    """No evidence for any language (every candidate alike): no language is guessed for it."""
    result = router.score(text)
    assert result == router.scorers["en"].score(text) and result.language == "en"
    assert "little_evidence" in [w.code for w in result.warnings]


def test_a_text_in_latin_letters_is_taken_for_a_language_written_in_them() -> None:
    """Arabic written in Latin letters names a Latin-script language, never Arabic's model;
    its probability is among those languages'."""
    for text in ("Al-hukuma hadadat bi-darb al-mutamarridin fi al-shamal", "ok ya habibi"):
        code, probability = scope.language(text)
        assert code != "ar" and code in scope._latin_candidates() and probability > 0.1


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (f"{ARABIC} https://example.com/news/2024/05/border-attack-report-and-more", "ar"),
        ("S/RES/1979 (2011) إن مجلس الأمن، إذ يشير إلى قراراته السابقة", "ar"),
        ("قناة Shanghai Media Group تبث برنامجا عن الحرب على الحدود", "ar"),
        ("東京で首脳会議 Tokyo Summit 2024 が開幕した", "ja"),
        ("١٢٣٤ - ٥٦٧٨", "ar"),  # no letters at all: Arabic digits are Arabic
        (FRENCH, "fr"),
    ],
)
def test_a_text_with_letters_of_another_script_is_read_among_all_languages(
    text: str, language: str
) -> None:
    """ASCII figures, URLs or names in a text of another script leave every language open."""
    assert scope.language(text)[0] == language


@pytest.mark.parametrize(
    "padding",
    ["\u200b" * 700, "\u200f" * 700, "\ufe0f" * 1500, " " * 700, "\n" * 700, "\u00a0" * 700],
)
@pytest.mark.parametrize(("text", "language"), [(ARABIC, "ar"), (FRENCH, "fr")])
def test_what_a_reader_cannot_see_around_a_text_leaves_its_language(
    router: Router, padding: str, text: str, language: str
) -> None:
    """Invisible characters or blanks before, after or inside a text, more than a sample's
    worth (several samples' after it): the identifier samples the words, and the text goes
    where it goes without them."""
    assert len(padding) > scope.LANGUAGE_SAMPLE
    assert router.route(text).language == language
    for padded in (
        padding + text,
        text + padding * 5,
        f".{padding}{text}",
        padding + text + padding,
    ):
        assert scope.language(padded)[0] == language
        assert router.route(padded).language == language


def test_padding_longer_than_a_text_does_not_move_its_samples(router: Router) -> None:
    """An English lead, invisible characters, then an Arabic body: the middle and end samples
    are read in the body, as without the padding."""
    text = ENGLISH + " " + "\u200b" * 60_000 + " ".join([ARABIC] * 25)
    assert router.route(text).language == "ar"


def test_a_long_text_goes_where_most_of_it_is_written(router: Router) -> None:
    """Read at its start, middle and end: an English article under a French lead is English,
    an Arabic one under an English lead Arabic, a French one ending in an English quote
    French."""
    english = " ".join([ENGLISH] * 40)
    arabic = " ".join([ARABIC] * 25)
    assert len(FRENCH) * 5 > scope.LANGUAGE_SAMPLE and len(english) > 2 * scope.LANGUAGE_SAMPLE
    lead = " ".join([FRENCH] * 5)
    assert router.route(f"{lead} {english}") == Route("en", True)
    assert router.score(f"{lead} {english}").language == "en"
    assert router.route(f"{' '.join([ENGLISH] * 10)} {arabic}").language == "ar"
    french_with_quote = f"{' '.join([FRENCH] * 12)} {ENGLISH} {ENGLISH} {ENGLISH}"
    assert router.route(french_with_quote).language == "fr"
    assert scope.sample_starts(FRENCH) == (0,)


def test_a_long_text_whose_start_and_middle_agree_is_not_read_at_its_end(
    router: Router, identifier_calls: list[str]
) -> None:
    text = " ".join([ARABIC] * 25)
    assert len(scope.sample_starts(text)) == 3
    assert router.route(text).language == "ar" and len(identifier_calls) == 2


def test_an_arabic_text_goes_to_the_arabic_model(
    router: Router, identifier_calls: list[str]
) -> None:
    result = router.score(ARABIC)
    assert identifier_calls == [ARABIC]  # another script: straight to the identifier
    assert result == router.scorers["ar"].score(ARABIC)
    assert result.language == "ar" and result.score is not None and result.phrases
    assert not any(w.code in ("unsupported_language", "not_english") for w in result.warnings)
    route = router.route(ARABIC)
    assert (route.language, route.supported) == ("ar", True) and route.probability


def test_arabic_is_scored_by_the_arabic_model(router: Router) -> None:
    """The Arabic model ranks Arabic escalation above cooperation; the English one knows none
    of those words."""
    arabic, english = router.scorers["ar"], router.scorers["en"]
    up, down = (router.score(text).score for text in (ARABIC_ESCALATORY[1], ARABIC_COOPERATIVE[0]))
    assert up is not None and down is not None and up > 0.5 > down
    up_text = ARABIC_ESCALATORY[1]
    assert english.score(up_text).score != up
    assert [w.code for w in english.score(up_text).warnings] == ["little_evidence"]
    assert arabic.score(up_text).warnings == ()


def test_a_french_text_is_answered_unscored(router: Router) -> None:
    result = router.score(FRENCH)
    assert_unscored(result, "fr", router)
    assert "reads as language 'fr' (p=" in result.warnings[0].message
    route = router.route(FRENCH)
    assert (route.language, route.supported) == ("fr", False)


def test_a_requested_language_without_a_model_is_unscored(
    router: Router, no_identifier: None
) -> None:
    """Spanish was trained but missed its gate: asked for, it is unscored (never read by the
    English model, whose words it partly shares); so is a language never trained."""
    for text, language in [(SPANISH_ESCALATORY[0], "es"), (ENGLISH, "fr")]:
        result = router.score(text, language=language)
        assert_unscored(result, language, router)
        assert f"the text is '{language}'" in result.warnings[0].message
        assert router.route(text, language) == Route(language, False)


def test_an_english_request_on_an_arabic_only_release_keeps_not_english_off(
    tmp_path: Path, tiny_arabic_pipeline: Pipeline, no_identifier: None
) -> None:
    """`not_english` goes with texts that are not English: an English text no model reads is
    `unsupported_language` alone."""
    path = save_release({"ar": (tiny_arabic_pipeline, dict(TINY_MANIFEST))}, tmp_path / "ar.joblib")
    router = Router.load(path)
    result = router.score(ENGLISH, language="en")
    assert result.score is None and result.language == "en"
    assert [w.code for w in result.warnings] == ["unsupported_language"]


def test_batch_items_are_routed_one_by_one(router: Router) -> None:
    texts = [ENGLISH, ARABIC, FRENCH, ENGLISH, SPANISH_ESCALATORY[0]]
    languages = [None, None, None, "ar", "es"]
    results = router.score_many(texts, top_k=3, languages=languages)
    assert [r.language for r in results] == ["en", "ar", "fr", "ar", "es"]
    assert [r.score is None for r in results] == [False, False, True, False, True]
    for text, language, result in zip(texts, languages, results, strict=True):
        assert result == router.score(text, top_k=3, language=language)
    assert router.score_many(texts[:2]) == [router.score(texts[0]), router.score(texts[1])]
    with pytest.raises(ValueError, match="one entry per text"):
        router.score_many(texts, languages=[None])


@pytest.fixture(scope="module")
def mapped_release(
    tmp_path_factory: pytest.TempPathFactory,
    tiny_pipeline: Pipeline,
    tiny_arabic_pipeline: Pipeline,
) -> Path:
    """A release whose English model has an article map, Arabic first in training order."""
    english = {**TINY_MANIFEST, "article_calibration": ARTICLE_MAP.to_manifest(source="test")}
    models = {
        "ar": (tiny_arabic_pipeline, dict(TINY_MANIFEST)),
        "en": (tiny_pipeline, english),
    }
    return save_release(models, tmp_path_factory.mktemp("mapped") / "m.joblib")


def test_each_model_of_a_release_scores_exactly_as_its_pipeline(
    mapped_release: Path, tiny_pipeline: Pipeline, tiny_arabic_pipeline: Pipeline
) -> None:
    """The English model inside a multi-language artifact (not its first) scores as the same
    pipeline's decision function through its article map, to 1e-9; the Arabic one as its own
    pipeline (no map). Texts of one sentence and of many, so the map matters."""
    router = Router.load(mapped_release)
    assert router.languages == ("ar", "en")  # the order trained
    assert router.scorers["en"].article == ARTICLE_MAP
    cases = {
        "en": (tiny_pipeline, ARTICLE_MAP, [*ESCALATORY, *COOPERATIVE]),
        "ar": (
            tiny_arabic_pipeline,
            ArticleCalibration(),
            [*ARABIC_ESCALATORY, *ARABIC_COOPERATIVE],
        ),
    }
    for language, (pipeline, article, sentences) in cases.items():
        texts = [*sentences[:4], " ".join(sentences[::2]), "\n".join(sentences[1::3]), ""]
        reference = expit(reference_logits(pipeline, article, texts))
        for text, expected in zip(texts, reference, strict=True):
            score = router.score(text, language=language).score
            assert score is not None and abs(score - expected) <= 1e-9, (language, text)
    # Routed by itself, an English text of the model's words reaches the same model.
    text = " ".join(ESCALATORY[:5])
    expected = expit(reference_logits(tiny_pipeline, ARTICLE_MAP, [text]))[0]
    routed = router.score(text)
    assert routed.language == "en" and abs(routed.score - expected) <= 1e-9
