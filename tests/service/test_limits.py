"""Bounded cost and bounded answers: the request budget, result caps, surrogates, integers."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from model.scoring import MAX_PHRASE_CHARS, MAX_SENTENCES, MAX_SPANS
from service.errors import MAX_LISTED_ERRORS
from service.parsing import MAX_FIELDS
from service.schemas import BATCH_MAX, MAX_TEXT_CHARS, max_response_bytes
from tests.service.helpers import ESCALATORY_TEXT, assert_problem

JSON = {"Content-Type": "application/json"}


def test_request_character_budget_is_413_before_scoring(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(MAX_REQUEST_CHARS=MAX_TEXT_CHARS)
    scorer = app.extensions["escalation.model"].scorer
    monkeypatch.setattr(scorer, "score", lambda *a, **k: pytest.fail("scored"))
    half = "war " * (MAX_TEXT_CHARS // 8) + "x"
    body = {"articles": [{"text": half}, {"text": half}]}
    problem = assert_problem(app.test_client().post("/v1/score/batch", json=body), 413)
    assert str(MAX_TEXT_CHARS) in problem["detail"]


@pytest.mark.parametrize("path", ["/v1/score", "/v1/score/batch"])
def test_a_text_over_the_limit_says_its_length_and_what_to_do(
    client: FlaskClient, path: str
) -> None:
    text = "war " * 500_000  # 2,000,000 characters: 2 MB, under the body limit
    body = (
        {"text": text} if path == "/v1/score" else {"articles": [{"text": "war"}, {"text": text}]}
    )
    problem = assert_problem(client.post(path, json=body), 422)
    field = "text" if path == "/v1/score" else "articles[1].text"
    message = (
        f"Length must be between 1 and {MAX_TEXT_CHARS}. This text has 2000000 characters: score "
        f"it offline with escalation-score (no length limit) or split it into parts of at most "
        f"{MAX_TEXT_CHARS} characters."
    )
    assert f"{field}: {message}" in problem["detail"]
    assert "war war" not in json.dumps(problem)


def test_an_empty_text_says_its_length(client: FlaskClient) -> None:
    problem = assert_problem(client.post("/v1/score", json={"text": ""}), 422)
    assert problem["errors"] == {
        "text": [f"Length must be between 1 and {MAX_TEXT_CHARS}. This text has 0 characters."]
    }


def test_an_oversized_batch_is_refused_before_its_items_are_read(client: FlaskClient) -> None:
    """Half a million empty articles: one error for the list, none for its items (which are
    never built: that would take minutes)."""
    body = '{"articles": [' + ",".join(["{}"] * 500_000) + "]}"
    response = client.post("/v1/score/batch", data=body, content_type="application/json")
    problem = assert_problem(response, 422)
    assert problem["errors"] == {
        "articles": [
            f"Length must be between 1 and {BATCH_MAX}. This list has 500000 items: split it "
            "into several requests."
        ]
    }


def test_budget_is_inclusive(make_app: Callable[..., Flask]) -> None:
    client = make_app(MAX_REQUEST_CHARS=MAX_TEXT_CHARS).test_client()
    half = ("war " * MAX_TEXT_CHARS)[: MAX_TEXT_CHARS // 2]
    response = client.post("/v1/score/batch", json={"articles": [{"text": half}] * 2})
    assert response.status_code == 200


def test_result_caps_and_options(client: FlaskClient) -> None:
    text = "War. " * 1_000  # 1,000 sentences, 1,000 spans of "war"
    body = client.post("/v1/score", json={"text": text}).get_json()
    assert len(body["sentences"]) == MAX_SENTENCES
    assert max(len(p["spans"]) for p in body["phrases"] + body["deescalating_phrases"]) == MAX_SPANS
    starts = [s["start"] for s in body["sentences"]]
    assert starts == sorted(starts)
    less = {"text": text, "max_spans": 2, "max_sentences": 0, "top_k": 1}
    body = client.post("/v1/score", json=less).get_json()
    assert body["sentences"] == [] and all(
        len(p["spans"]) <= 2 for p in body["phrases"] + body["deescalating_phrases"]
    )


def test_sentences_listed_are_the_strongest(client: FlaskClient) -> None:
    calm = "Both governments signed a trade agreement. "
    text = calm * 3 + "The minister threatened a pre-emptive strike. " + calm
    body = client.post("/v1/score", json={"text": text, "max_sentences": 1}).get_json()
    [sentence] = body["sentences"]
    assert "threatened" in text[sentence["start"] : sentence["end"]]


def test_long_phrase_text_is_cut(client: FlaskClient) -> None:
    body = client.post("/v1/score", json={"text": "war " + "threatened" * 50}).get_json()
    texts = [p["text"] for p in body["phrases"] + body["deescalating_phrases"]]
    assert max(len(t) for t in texts) == MAX_PHRASE_CHARS and any(t.endswith("…") for t in texts)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_spans", 0),
        ("max_spans", MAX_SPANS + 1),
        ("max_sentences", -1),
        ("max_sentences", MAX_SENTENCES + 1),
        ("top_k", 44.5),
        ("top_k", "44"),
        ("top_k", True),
    ],
)
def test_bad_options_are_422(client: FlaskClient, option: str, value: object) -> None:
    body = assert_problem(client.post("/v1/score", json={"text": "war", option: value}), 422)
    assert option in body["errors"]


def test_integral_float_top_k_is_an_integer(client: FlaskClient) -> None:
    body = client.post("/v1/score", json={"text": ESCALATORY_TEXT, "top_k": 2.0}).get_json()
    assert 0 < len(body["phrases"]) <= 2


@pytest.mark.parametrize(
    "raw",
    [
        b'{"text": "a war", "id": "\\ud800"}',
        b'{"text": "a war \\udfff here"}',
        b'{"articles": [{"text": "a war"}, {"text": "war", "id": "x\\udc00"}]}',
    ],
)
def test_lone_surrogates_are_422_never_500(client: FlaskClient, raw: bytes) -> None:
    path = "/v1/score/batch" if b"articles" in raw else "/v1/score"
    body = assert_problem(client.post(path, data=raw, headers=JSON), 422)
    assert "surrogate" in body["detail"]


def test_paired_surrogates_are_text(client: FlaskClient) -> None:
    raw = b'{"text": "war \\ud83d\\ude42", "id": "\\ud83d\\ude42"}'
    response = client.post("/v1/score", data=raw, headers=JSON)
    assert response.status_code == 200 and response.get_json()["id"] == "🙂"


def test_field_errors_are_capped(client: FlaskClient) -> None:
    body = {"text": "a war", **{f"k{i}": 0 for i in range(MAX_FIELDS - 1)}}
    response = client.post("/v1/score", json=body)
    problem = assert_problem(response, 422)
    assert len(problem["errors"]) == MAX_LISTED_ERRORS
    assert f"and {MAX_FIELDS - 6} more" in problem["detail"] and len(response.data) < 4096


def test_options_is_204_with_allow(client: FlaskClient) -> None:
    response = client.options("/v1/score")
    assert response.status_code == 204 and not response.data
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}


def test_a_maximal_batch_stays_under_the_stated_bound(make_app: Callable[..., Flask]) -> None:
    """Every list at its cap: many sentences, long distinct words occurring often, long ids."""
    client = make_app(MAX_REQUEST_CHARS=BATCH_MAX * 4_000).test_client()
    words = [f"{'w' * 63}{i:03d}" for i in range(20)]  # cut to MAX_PHRASE_CHARS
    text = ". ".join(words * 4) + "."
    # Asked for as English: the identifier would take these words for another language.
    article = {"text": text[:4_000], "id": "\u00e9" * 200, "top_k": 50, "language": "en"}
    articles = [article] * BATCH_MAX
    response = client.post("/v1/score/batch", json={"articles": articles})
    assert response.status_code == 200
    size = len(response.data)
    print(f"maximal batch answer: {size:,} bytes; bound {max_response_bytes(BATCH_MAX):,}")
    assert size <= max_response_bytes(BATCH_MAX)
    result = json.loads(response.data)["results"][0]
    assert len(result["phrases"]) + len(result["deescalating_phrases"]) >= 20
    assert max(len(p["spans"]) for p in result["phrases"]) >= 3
