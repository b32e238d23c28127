"""Every error is application/problem+json, names the failing field and never echoes the text."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.parsing import error_paths, validation_detail
from service.schemas import BATCH_MAX, MAX_ID_CHARS, MAX_TEXT_CHARS
from service.state import MODEL_EXTENSION
from tests.service.helpers import ESCALATORY_TEXT, assert_problem

SECRET = "Classified article text that must never be echoed"
JSON = "application/json"
TOP_K_RANGE = "Must be greater than or equal to 1 and less than or equal to 50."


def post_raw(client: FlaskClient, path: str, data: bytes, content_type: str | None = JSON) -> Any:
    """POST raw bytes with an optional content type."""
    headers = {"Content-Type": content_type} if content_type else {}
    return client.post(path, data=data, headers=headers)


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"text": "abc"', "not valid JSON"),
        (b"{'text': 'single quotes'}", "not valid JSON"),
        (b'{"text": "caf\xe9 \xff"}', "not valid UTF-8"),
        (b"\xff\xfe{\x00}\x00", "not valid UTF-8"),
        (b"[" * 100_000, "does not accept"),  # nesting deeper than the parser's recursion
        (b'{"text": "a", "top_k": ' + b"9" * 5000 + b"}", "does not accept"),  # int limit
    ],
)
@pytest.mark.parametrize("path", ["/v1/score", "/v1/score/batch"])
def test_unreadable_body_is_400(client: FlaskClient, path: str, data: bytes, detail: str) -> None:
    body = assert_problem(post_raw(client, path, data), 400)
    assert detail in body["detail"] and "errors" not in body


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_body_not_declared_json_is_415(client: FlaskClient, content_type: str | None) -> None:
    data = json.dumps({"text": ESCALATORY_TEXT}).encode()
    assert_problem(post_raw(client, "/v1/score", data, content_type), 415)


def test_json_with_charset_is_accepted(client: FlaskClient) -> None:
    data = json.dumps({"text": ESCALATORY_TEXT}).encode()
    response = post_raw(client, "/v1/score", data, "application/json; charset=utf-8")
    assert response.status_code == 200


def test_body_over_the_limit_is_413(make_app: Callable[..., Flask]) -> None:
    client = make_app(MAX_CONTENT_LENGTH=1000).test_client()
    assert client.post("/v1/score", json={"text": "x" * 900}).status_code == 200
    body = assert_problem(client.post("/v1/score", json={"text": "x" * 1000}), 413)
    assert "1000 bytes" in body["detail"]


def test_default_body_limit_is_8_mib(client: FlaskClient) -> None:
    data = b'{"text": "' + b"x" * (8 * 1024 * 1024) + b'"}'
    assert_problem(post_raw(client, "/v1/score/batch", data), 413)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "text", "Missing data"),
        ({"text": ""}, "text", "Length must be between 1 and"),
        ({"text": " \n\t "}, "text", "Must not be blank"),
        ({"text": None}, "text", "Field may not be null"),
        ({"text": 42}, "text", "Not a valid string"),
        (
            {"text": "x" * (MAX_TEXT_CHARS + 1)},
            "text",
            f"Length must be between 1 and {MAX_TEXT_CHARS}.",
        ),
        ({"text": SECRET, "id": "i" * (MAX_ID_CHARS + 1)}, "id", "Longer than maximum length"),
        ({"text": SECRET, "id": 7}, "id", "Not a valid string"),
        ({"text": SECRET, "top_k": 0}, "top_k", TOP_K_RANGE),
        ({"text": SECRET, "top_k": 51}, "top_k", TOP_K_RANGE),
        ({"text": SECRET, "top_k": -3}, "top_k", TOP_K_RANGE),
        ({"text": SECRET, "top_k": 2.5}, "top_k", "Not a valid integer"),
        ({"text": SECRET, "top_k": "3"}, "top_k", "Not a valid integer"),
        ({"text": SECRET, "top_k": True}, "top_k", "Not a valid integer"),
        ({"text": SECRET, "extra": 1}, "extra", "Unknown field"),
    ],
)
def test_invalid_article_is_422(client: FlaskClient, body: dict, field: str, message: str) -> None:
    problem = assert_problem(client.post("/v1/score", json=body), 422)
    assert list(problem["errors"]) == [field]
    assert message in problem["errors"][field][0]
    assert f"{field}: {message}" in problem["detail"]
    assert SECRET not in json.dumps(problem) and "xxxxxxxx" not in json.dumps(problem)


@pytest.mark.parametrize("document", [[], [{"text": "x"}], "text", 3, None, True])
@pytest.mark.parametrize("path", ["/v1/score", "/v1/score/batch"])
def test_json_that_is_not_an_object_is_422(client: FlaskClient, path: str, document: Any) -> None:
    problem = assert_problem(post_raw(client, path, json.dumps(document).encode()), 422)
    assert problem["errors"] == {"_schema": ["Invalid input type."]}
    assert problem["detail"].endswith("body: Invalid input type.")


def test_batch_with_one_bad_item_names_its_index(client: FlaskClient) -> None:
    articles = [{"text": f"{SECRET} {i}", "id": str(i)} for i in range(5)]
    articles[3]["text"] = "   "
    problem = assert_problem(client.post("/v1/score/batch", json={"articles": articles}), 422)
    assert problem["errors"] == {"articles": {"3": {"text": ["Must not be blank."]}}}
    assert "articles[3].text: Must not be blank." in problem["detail"]
    assert SECRET not in json.dumps(problem)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"articles": ["Missing data for required field."]}),
        ({"articles": []}, {"articles": [f"Length must be between 1 and {BATCH_MAX}."]}),
        (
            {"articles": [{"text": "x"}] * (BATCH_MAX + 1)},
            {"articles": [f"Length must be between 1 and {BATCH_MAX}."]},
        ),
        ({"articles": {"text": "x"}}, {"articles": ["Not a valid list."]}),
        ({"articles": ["x"]}, {"articles": {"0": {"_schema": ["Invalid input type."]}}}),
        ({"articles": [{"text": "x", "top_k": 99}]}, {"articles": {"0": {"top_k": [TOP_K_RANGE]}}}),
        (
            {"articles": [{"text": "x", "score": 1}]},
            {"articles": {"0": {"score": ["Unknown field."]}}},
        ),
        ({"articles": [{"text": "x"}], "top_k": 3}, {"top_k": ["Unknown field."]}),
    ],
)
def test_invalid_batch_is_422(client: FlaskClient, body: dict, errors: dict) -> None:
    assert assert_problem(client.post("/v1/score/batch", json=body), 422)["errors"] == errors


def test_error_paths_name_nested_fields() -> None:
    messages = {"articles": {3: {"text": ["Bad."], "id": ["Worse."]}, 7: {"_schema": ["No."]}}}
    assert list(error_paths(messages)) == [
        ("articles[3].text", "Bad."),
        ("articles[3].id", "Worse."),
        ("articles[7]", "No."),
    ]
    many = {"articles": {i: {"text": ["Bad."]} for i in range(8)}}
    assert validation_detail(many).endswith("articles[4].text: Bad.; and 3 more")


def test_unknown_path_is_404(client: FlaskClient) -> None:
    assert_problem(client.get("/v2/score"), 404)
    assert_problem(client.post("/v1/score/", json={"text": "x"}), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/v1/score"),
        ("put", "/v1/score/batch"),
        ("post", "/v1/model"),
        ("delete", "/healthz"),
    ],
)
def test_wrong_method_is_405(client: FlaskClient, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert_problem(response, 405)
    assert "Allow" in response.headers


def test_unexpected_exception_is_a_bare_500(
    app: Flask, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def explode(text: str, **options: int) -> None:
        raise RuntimeError("internal state in /srv/app/secret.py: " + text)

    monkeypatch.setattr(app.extensions[MODEL_EXTENSION].scorer, "score", explode)
    response = app.test_client().post("/v1/score", json={"text": SECRET})
    problem = assert_problem(response, 500)
    raw = response.get_data(as_text=True)
    for leak in ("Traceback", "RuntimeError", "secret.py", SECRET, "explode"):
        assert leak not in raw
    logged = capsys.readouterr().err
    assert "RuntimeError" in logged and "explode" in logged  # where it failed, for operators
    assert SECRET not in logged  # but not what it said (its message quotes the input)
    assert problem["request_id"] in logged


def test_flask_smorest_error_handler_is_replaced(client: FlaskClient) -> None:
    body = client.post("/v1/score", json={"top_k": 3}).get_json(force=True)
    assert "code" not in body and "message" not in body and body["status"] == 422


@pytest.mark.parametrize("text", ["", " \n\t "])
def test_empty_or_blank_text_gets_one_message(client: FlaskClient, text: str) -> None:
    problem = assert_problem(client.post("/v1/score", json={"text": text}), 422)
    assert len(problem["errors"]["text"]) == 1
