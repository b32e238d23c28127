"""Every error is application/problem+json, names the failing field and never echoes the text."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from gunicorn.http import errors as http_errors
from werkzeug.test import EnvironBuilder

from service.errors import MAX_KEY_CHARS, ValidationFailed
from service.parsing import (
    MAX_FIELDS,
    MAX_PATH_DEPTH,
    decode_json,
    error_paths,
    validation_detail,
)
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


class FailingBody:
    """A WSGI input as gunicorn gives it: `data`, then `error` on the next read."""

    def __init__(self, data: bytes, error: Exception) -> None:
        self.data, self.error = data, error

    def read(self, size: int = -1) -> bytes:
        if self.data:
            data, self.data = self.data, b""
            return data
        raise self.error


def post_streamed(app: Flask, body: FailingBody) -> Any:
    """POST a body of no declared length (chunked) that gunicorn reads from `body`."""
    builder = EnvironBuilder(path="/v1/score", method="POST", content_type=JSON)
    environ = builder.get_environ()
    environ.update({"wsgi.input": body, "wsgi.input_terminated": True})
    environ.pop("CONTENT_LENGTH", None)
    return app.response_class.from_app(app, environ)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (http_errors.InvalidChunkSize(b"-5CANARY"), "chunk size is not a hexadecimal number"),
        (http_errors.ChunkMissingTerminator(b"CANARY"), "does not end with CRLF"),
        (http_errors.InvalidChunkExtension("CANARY"), "chunk extension is malformed"),
        (http_errors.InvalidHeaderName("X-CANARY"), "trailer field is malformed or not allowed"),
        (http_errors.InvalidHeader("CANARY: x"), "trailer field is malformed"),
        (http_errors.ObsoleteFolding("CANARY"), "trailer field is malformed"),
        (http_errors.LimitRequestHeaders("CANARY"), "trailer section is too large"),
        (http_errors.NoMoreData(b"CANARY"), "connection ended before the body did"),
        (http_errors.InvalidSchemeHeaders(), "framing is malformed"),  # any other parse error
    ],
)
@pytest.mark.parametrize("sent", [b"", b'{"text": "CANARY', b'{"text": "x"}'])
def test_body_the_server_cannot_read_is_400(
    make_app: Callable[..., Flask],
    capsys: pytest.CaptureFixture,
    error: Exception,
    reason: str,
    sent: bytes,
) -> None:
    """Before any byte, mid-body, and on the read that looks past a body at the limit."""
    app = make_app(MAX_CONTENT_LENGTH=len(sent) or 1000)
    problem = assert_problem(post_streamed(app, FailingBody(sent, error)), 400)
    assert problem["detail"].startswith("The request body could not be read: ")
    assert problem["detail"].endswith(f"{reason}.")
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    warning = next(entry for entry in logged if entry["level"] == "WARNING")
    assert warning["error_type"] == type(error).__name__
    assert warning["request_id"] == problem["request_id"]
    assert "Traceback" not in json.dumps(logged) and "stack" not in warning
    assert "CANARY" not in json.dumps(logged) + json.dumps(problem)


@pytest.mark.parametrize(
    ("data", "path", "detail", "errors"),
    [
        (
            b'{"text": "CANARY one", "text": "CANARY two"}',
            "/v1/score",
            "text: Duplicate key.",
            {"text": ["Duplicate key."]},
        ),
        (
            b'{"articles": [{"text": "a"}, {"text": "b"}, {"text": "c"}, '
            b'{"text": "CANARY", "id": "1", "text": "CANARY"}]}',
            "/v1/score/batch",
            "articles[3].text: Duplicate key.",
            {"articles": {"3": {"text": ["Duplicate key."]}}},
        ),
        (
            b'{"text": "CANARY", "top_k": {"a": 1, "b": [{"c": 1, "c": 2}]}}',
            "/v1/score",
            "top_k.b[0].c: Duplicate key.",
            {"top_k": {"b": {"0": {"c": ["Duplicate key."]}}}},
        ),
        (  # an object replaced by a repeated key is still read, and its repeats still count
            b'{"articles": [{"text": "CANARY", "text": "CANARY"}], "articles": []}',
            "/v1/score/batch",
            'articles: Duplicate key.; body: Duplicate key in a nested object: "text".',
            {
                "articles": ["Duplicate key."],
                "_schema": ['Duplicate key in a nested object: "text".'],
            },
        ),
    ],
)
def test_repeated_key_is_422_naming_it_and_where(
    client: FlaskClient, data: bytes, path: str, detail: str, errors: dict
) -> None:
    problem = assert_problem(post_raw(client, path, data), 422)
    assert problem["detail"] == f"The request body is invalid: {detail}"
    assert problem["errors"] == errors
    assert "CANARY" not in json.dumps(problem)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/score", {"text": "CANARY", **{f"k{i}": 1 for i in range(MAX_FIELDS)}}),
        ("/v1/score/batch", {"articles": [{"text": "CANARY"}, {f"k{i}": 1 for i in range(5000)}]}),
    ],
)
def test_an_object_with_too_many_fields_is_refused_in_a_bounded_answer(
    client: FlaskClient, path: str, body: dict
) -> None:
    fields = max([len(body), *(len(a) for a in body.get("articles", []))])
    problem = assert_problem(post_raw(client, path, json.dumps(body).encode()), 422)
    message = f"An object has {fields:,} fields; at most {MAX_FIELDS} are read."
    assert problem["errors"] == {"_schema": [message]}
    assert problem["detail"] == f"The request body is invalid: body: {message}"
    assert "CANARY" not in json.dumps(problem)


def test_an_object_with_the_most_fields_read_reaches_the_schema(client: FlaskClient) -> None:
    body = {"text": "x", **{f"k{i}": 1 for i in range(MAX_FIELDS - 1)}}
    problem = assert_problem(post_raw(client, "/v1/score", json.dumps(body).encode()), 422)
    assert problem["errors"] and all(
        key.startswith("k") and value == ["Unknown field."]
        for key, value in problem["errors"].items()
    )


def test_repeated_keys_are_named_cut_like_other_keys(client: FlaskClient) -> None:
    key = "k" * (MAX_KEY_CHARS + 50)
    data = json.dumps({"text": "x"})[:-1] + f', "{key}": 1, "{key}": 2, "{key}": 3}}'
    problem = assert_problem(post_raw(client, "/v1/score", data.encode()), 422)
    assert problem["errors"] == {key[:MAX_KEY_CHARS]: ["Duplicate key."]}
    assert f"invalid: {key[:MAX_KEY_CHARS]}: Duplicate key." in problem["detail"]
    assert key[: MAX_KEY_CHARS + 1] not in json.dumps(problem)


def test_repeated_key_deeper_than_paths_go_is_named_without_its_place() -> None:
    deep = '{"a": ' * (MAX_PATH_DEPTH + 5) + '{"b": 1, "b": 2}' + "}" * (MAX_PATH_DEPTH + 5)
    with pytest.raises(ValidationFailed) as raised:
        decode_json(deep)
    assert raised.value.errors == {"_schema": ['Duplicate key in a nested object: "b".']}


def test_repeats_in_an_object_and_in_one_of_its_values_are_both_listed() -> None:
    with pytest.raises(ValidationFailed) as raised:
        decode_json('{"a": 1, "a": {"c": 1, "c": 2}, "d": [{"e": 0, "e": 0, "f": 0, "f": 1}]}')
    assert raised.value.errors == {
        "a": {"_schema": ["Duplicate key."], "c": ["Duplicate key."]},
        "d": {0: {"e": ["Duplicate key."], "f": ["Duplicate key."]}},
    }
    assert raised.value.detail == (
        "The request body is invalid: a: Duplicate key.; a.c: Duplicate key.; "
        "d[0].e: Duplicate key.; d[0].f: Duplicate key."
    )


def test_json_without_repeated_keys_decodes_as_json_does() -> None:
    text = '{"articles": [{"text": "a", "id": "1"}, {"text": "b"}], "nested": [[{}], {"a": {}}]}'
    assert decode_json(text) == json.loads(text)


def host_request(app: Flask, protocol: str, host: str | None, path: str = "/healthz") -> Any:
    """GET `path` over `protocol`, with this Host header or none."""
    environ = EnvironBuilder(path=path).get_environ()
    environ["SERVER_PROTOCOL"] = protocol
    environ.pop("HTTP_HOST")
    if host is not None:
        environ["HTTP_HOST"] = host
    return app.response_class.from_app(app, environ)


@pytest.mark.parametrize("host", [None, ""])
def test_http_1_1_without_host_is_400(app: Flask, host: str | None) -> None:
    problem = assert_problem(host_request(app, "HTTP/1.1", host), 400)
    assert "Host header" in problem["detail"]


def test_host_is_checked_before_the_api_key(make_app: Callable[..., Flask]) -> None:
    keyed = make_app(API_KEYS="ops:secret-0123456789")
    assert_problem(host_request(keyed, "HTTP/1.1", None, "/v1/model"), 400)
    assert_problem(host_request(keyed, "HTTP/1.1", "scoring.internal", "/v1/model"), 401)


@pytest.mark.parametrize(("protocol", "host"), [("HTTP/1.0", None), ("HTTP/1.1", "localhost")])
def test_host_is_optional_in_http_1_0_only(app: Flask, protocol: str, host: str | None) -> None:
    assert host_request(app, protocol, host).status_code == 200


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_body_not_declared_json_is_415(client: FlaskClient, content_type: str | None) -> None:
    data = json.dumps({"text": ESCALATORY_TEXT}).encode()
    assert_problem(post_raw(client, "/v1/score", data, content_type), 415)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Encoding": "gzip"}, 415),
        ({"Content-Encoding": "identity, gzip"}, 415),
        ({"Content-Encoding": "identity"}, 200),
        ({"Content-Type": "application/json; charset=utf-16"}, 415),
        ({"Content-Type": "application/json; charset=latin-1"}, 415),
        ({"Content-Type": "application/json; charset=UTF-8"}, 200),
    ],
)
def test_a_body_is_read_only_as_plain_utf_8(
    client: FlaskClient, headers: dict[str, str], status: int
) -> None:
    """An encoded body, or one declared in another charset, is refused rather than misread."""
    data = json.dumps({"text": ESCALATORY_TEXT}).encode()
    response = client.post("/v1/score", data=data, headers={"Content-Type": JSON, **headers})
    if status == 200:
        assert response.status_code == 200
    else:
        assert_problem(response, status)


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
            {
                "articles": [
                    f"Length must be between 1 and {BATCH_MAX}. This list has {BATCH_MAX + 1} "
                    "items: split it into several requests."
                ]
            },
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
