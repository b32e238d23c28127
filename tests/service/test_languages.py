"""Languages over HTTP: a requested or detected language routes each article, a language no
model reads is answered unscored, a malformed language is 422, and /v1/model lists the models."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from model.routing import Router
from service.schemas import BATCH_RESULT, SCORE
from service.state import probe
from tests.helpers import ARABIC_ESCALATORY
from tests.service.helpers import ESCALATORY_TEXT, assert_problem

ARABIC = "حشدت القوات على الحدود مع تصاعد خطر الحرب وهددت الحكومة بشن ضربات عسكرية."
FRENCH = (
    "Le ministre de la Défense a menacé de riposter militairement si l'armée voisine franchit "
    "la frontière, et le gouvernement a rappelé son ambassadeur."
)
LANGUAGE_ERROR = "Must be an ISO 639-1 code: two lowercase letters."


@pytest.fixture
def client(make_app: Callable[..., Flask], tiny_release_path: Path) -> FlaskClient:
    """The service on the two-language tiny artifact (English, Arabic; Spanish unsupported)."""
    return make_app(MODEL_PATH=tiny_release_path).test_client()


@pytest.fixture(scope="module")
def router(tiny_release_path: Path) -> Router:
    return Router.load(tiny_release_path)


def test_a_requested_language_is_scored_by_its_model(client: FlaskClient, router: Router) -> None:
    body = client.post("/v1/score", json={"text": ARABIC, "language": "ar", "id": "a"}).get_json()
    assert body == {"id": "a", **router.score(ARABIC, language="ar").to_dict()}
    assert body["language"] == "ar" and body["score"] is not None and body["phrases"]
    SCORE.load(body)


def test_a_detected_language_is_scored_by_its_model(client: FlaskClient, router: Router) -> None:
    for text, language in [(ARABIC, "ar"), (ESCALATORY_TEXT, "en")]:
        body = client.post("/v1/score", json={"text": text}).get_json()
        assert body["language"] == language and body["score"] is not None
        assert body == {"id": None, **router.scorers[language].score(text).to_dict()}
    # null asks for detection, as an absent field does
    body = client.post("/v1/score", json={"text": ARABIC, "language": None}).get_json()
    assert body["language"] == "ar"


@pytest.mark.parametrize(
    ("text", "language", "said"),
    [
        (FRENCH, None, "reads as language 'fr'"),  # detected
        (FRENCH, "fr", "is 'fr'"),  # requested
        (ARABIC_ESCALATORY[0], "es", "is 'es'"),  # trained, but missed its gate
    ],
)
def test_a_language_without_a_model_is_answered_unscored(
    client: FlaskClient, text: str, language: str | None, said: str
) -> None:
    body = client.post("/v1/score", json={"text": text, "language": language}).get_json()
    expected = language or "fr"
    assert body["score"] is None and body["level"] == "unscored"
    assert body["language"] == expected and body["model_version"] == "tiny-1"
    assert body["phrases"] == body["deescalating_phrases"] == body["sentences"] == []
    assert [w["code"] for w in body["warnings"]] == ["unsupported_language", "not_english"]
    assert said in body["warnings"][0]["message"]
    SCORE.load(body)  # the documented form allows a null score


def test_a_batch_routes_each_article(client: FlaskClient, router: Router) -> None:
    articles = [
        {"text": ESCALATORY_TEXT, "id": "en"},
        {"text": ARABIC, "id": "ar"},
        {"text": FRENCH, "id": "fr"},
        {"text": ESCALATORY_TEXT, "id": "as-ar", "language": "ar"},
        {"text": ARABIC, "id": "as-es", "language": "es"},
    ]
    response = client.post("/v1/score/batch", json={"articles": articles})
    assert response.status_code == 200
    body = response.get_json()
    results = body["results"]
    assert [r["language"] for r in results] == ["en", "ar", "fr", "ar", "es"]
    assert [r["score"] is None for r in results] == [False, False, True, False, True]
    for article, result in zip(articles, results, strict=True):
        expected = router.score(article["text"], language=article.get("language"))
        assert result == {"id": article["id"], **expected.to_dict()}
    BATCH_RESULT.load(body)


@pytest.mark.parametrize(
    "language", ["english", "EN", "En", "e", "", "eng", "ar-EG", "a1", "ar\n", " ar", 7]
)
def test_a_malformed_language_is_422(client: FlaskClient, language: object) -> None:
    problem = assert_problem(
        client.post("/v1/score", json={"text": ARABIC, "language": language}), 422
    )
    assert list(problem["errors"]) == ["language"]
    message = problem["errors"]["language"][0]
    if isinstance(language, str):
        assert message == LANGUAGE_ERROR
        assert f"language: {LANGUAGE_ERROR}" in problem["detail"]
    else:
        assert message == "Not a valid string."


def test_a_malformed_language_in_a_batch_names_its_article(client: FlaskClient) -> None:
    articles = [{"text": ARABIC, "language": "ar"}, {"text": ARABIC, "language": "EN"}]
    problem = assert_problem(client.post("/v1/score/batch", json={"articles": articles}), 422)
    assert problem["errors"] == {"articles": {"1": {"language": [LANGUAGE_ERROR]}}}
    assert f"articles[1].language: {LANGUAGE_ERROR}" in problem["detail"]


def test_the_model_lists_its_languages(client: FlaskClient) -> None:
    body = client.get("/v1/model").get_json()
    assert body["version"] == "tiny-1" and set(body["languages"]) == {"en", "ar"}
    for code in ("en", "ar"):
        entry = body["languages"][code]
        assert entry["features"]["spec"]["language"] == code
        assert entry["metrics"] == {"cv": {}} and entry["sources"] == []
    assert body["unsupported"]["es"]["gate"]["passed"] is False
    assert [level["name"] for level in body["levels"]] == ["low", "elevated", "high", "severe"]


def test_every_language_model_is_probed(
    client: FlaskClient, router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ready when each language's model scores the probe; a broken second model makes the
    worker unready, naming the language."""
    assert client.get("/readyz").get_json() == {"status": "ready", "model_version": "tiny-1"}
    assert probe(router) is None

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("broken")

    monkeypatch.setattr(router.scorers["ar"], "score", broken)
    assert probe(router) == "the ar model failed to score a probe text (RuntimeError)"


def test_the_openapi_document_describes_language(client: FlaskClient) -> None:
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    article = next(s for name, s in schemas.items() if name.startswith("Article"))
    assert article["properties"]["language"]["pattern"] == "^[a-z]{2}$"
    score = next(s for name, s in schemas.items() if name.startswith("Score"))
    assert "language" in score["required"]
    assert score["properties"]["score"].get("nullable") is True or "null" in str(
        score["properties"]["score"].get("type")
    )


def test_unscored_articles_stay_out_of_the_score_histogram(client: FlaskClient) -> None:
    for text in (ESCALATORY_TEXT, FRENCH, ARABIC):
        assert client.post("/v1/score", json={"text": text}).status_code == 200
    text = client.get("/metrics").get_data(as_text=True)
    counts = [
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "escalation_score_count"
    ]
    assert counts == [2]
