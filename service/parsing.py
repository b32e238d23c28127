"""Request bodies: reading, JSON decoding and schema errors, raised as the service's own errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from functools import partial
from itertools import islice
from typing import Any, NoReturn

import flask
from gunicorn.http import errors as http_errors
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import ClientDisconnected

from service.errors import (
    MAX_KEY_CHARS,
    ContentTooLarge,
    MalformedBody,
    UnsupportedMediaType,
    ValidationFailed,
)
from service.observability import current_request_id
from service.offload import run_cpu

MAX_DETAIL_ERRORS = 5  # failing fields named in `detail` (`errors` lists more)
MAX_REPEATS = 20  # objects with a repeated key, and keys per object, reported in one answer
LOCATE_BUDGET = 20_000  # JSON values searched for where those objects are
MAX_PATH_DEPTH = 32  # deeper objects are not located (error paths are rendered recursively)
# Members of one JSON object (repeated keys included): no object of this API has more than a
# dozen fields. A larger one is refused while decoding, off the event loop: the schema would
# name each unknown field on it.
MAX_FIELDS = 64
log = logging.getLogger("service.parsing")

# Why gunicorn could not read the body: what each of its errors means, without its message
# (which quotes the client's bytes). Trailer fields are parsed like headers, hence the header
# errors; anything else from gunicorn.http.errors is a framing error too.
_UNREADABLE: tuple[tuple[type[Exception], str], ...] = (
    (http_errors.InvalidChunkSize, "a chunk size is not a hexadecimal number"),
    (http_errors.InvalidChunkExtension, "a chunk extension is malformed"),
    (http_errors.ChunkMissingTerminator, "a chunk, or the body, does not end with CRLF"),
    (http_errors.InvalidHeaderName, "a trailer field is malformed or not allowed"),
    (http_errors.InvalidHeader, "a trailer field is malformed"),
    (http_errors.ObsoleteFolding, "a trailer field is malformed"),
    (http_errors.LimitRequestHeaders, "the trailer section is too large"),
    (http_errors.NoMoreData, "the connection ended before the body did"),
    (ClientDisconnected, "the connection ended before the body did"),
    (http_errors.ParseException, "its framing is malformed"),
)
_UNREADABLE_TYPES = tuple(error for error, _ in _UNREADABLE)


def error_paths(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(`articles[3].text`, message) pairs from marshmallow's nested error messages."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                name = str(key)[:MAX_KEY_CHARS]
                path = f"{prefix}.{name}" if prefix else name
            yield from error_paths(value, path)
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from error_paths(item, prefix)
    else:
        yield prefix or "body", str(messages)


def validation_detail(messages: Any) -> str:
    """One sentence naming each failing field, e.g. `articles[3].text: Must not be blank.`."""
    pairs = [f"{path}: {message}" for path, message in error_paths(messages)]
    more = len(pairs) - MAX_DETAIL_ERRORS
    listed = "; ".join(pairs[:MAX_DETAIL_ERRORS]) + (f"; and {more} more" if more > 0 else "")
    return f"The request body is invalid: {listed}"


def read_body(req: flask.Request) -> bytes:
    """The whole body: 413 when a chunked body goes past the limit, 400 when the server cannot
    read it (bad chunk framing or trailers, or a connection that ends first), logged as a
    warning that names the error's type only."""
    try:
        data = req.get_data(cache=True)
        limit = req.max_content_length
        if req.content_length is None and limit is not None and len(data) >= limit:
            # A chunked body is cut at the limit by werkzeug: anything left means it was over.
            if req.input_stream.read(1):
                raise ContentTooLarge(f"The request body exceeds the limit of {limit} bytes.")
    except _UNREADABLE_TYPES as exc:
        reason = next(text for error, text in _UNREADABLE if isinstance(exc, error))
        # werkzeug turns the server's read errors (NoMoreData, a reset) into ClientDisconnected.
        cause = exc.__context__ if isinstance(exc, ClientDisconnected) else None
        fields = {"error_type": type(cause or exc).__name__, "request_id": current_request_id()}
        log.warning("unreadable request body", extra={"fields": fields})
        raise MalformedBody(f"The request body could not be read: {reason}.") from exc
    return data


def decode_json(text: str) -> Any:
    """The JSON document; 422 naming the keys that appear twice in one object, and where, or
    when an object has more than MAX_FIELDS members (repeats included)."""
    repeats: list[tuple[dict[str, Any], list[str]]] = []
    largest = 0

    def json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal largest
        largest = max(largest, len(pairs))
        obj = dict(pairs)
        if len(obj) < len(pairs) and len(repeats) < MAX_REPEATS:
            repeats.append((obj, _repeated_keys(pairs)))
        return obj

    document = json.loads(text, object_pairs_hook=json_object)
    if largest > MAX_FIELDS:
        errors = {"_schema": [f"An object has {largest:,} fields; at most {MAX_FIELDS} are read."]}
        raise ValidationFailed(validation_detail(errors), errors=errors)
    if repeats:
        errors = repeated_key_errors(document, repeats)
        raise ValidationFailed(validation_detail(errors), errors=errors)
    return document


def _repeated_keys(pairs: list[tuple[str, Any]]) -> list[str]:
    """The first MAX_REPEATS keys that appear more than once, in the order they repeat."""
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for key, _ in pairs:
        if key in seen:
            repeated[key] = None
            if len(repeated) == MAX_REPEATS:
                break
        seen.add(key)
    return list(repeated)


def repeated_key_errors(
    document: Any, repeats: list[tuple[dict[str, Any], list[str]]]
) -> dict[Any, Any]:
    """Errors keyed like the body, e.g. `{"articles": {3: {"text": ["Duplicate key."]}}}`, in
    document order. An object not found within LOCATE_BUDGET values, or deeper than
    MAX_PATH_DEPTH, has its keys named under the body's `_schema` instead."""
    paths = _locate(document, {id(obj) for obj, _ in repeats})
    errors: dict[Any, Any] = {}
    keys_of = {id(obj): keys for obj, keys in repeats}
    for found, path in paths.items():
        node = errors
        for step in path:
            child = node.setdefault(step, {})
            if isinstance(child, list):  # `step` repeats in its own object too
                child = node[step] = {"_schema": child}
            node = child
        for key in keys_of.pop(found):
            messages = node.setdefault(key, [])
            if isinstance(messages, dict):
                messages = messages.setdefault("_schema", [])
            messages.append("Duplicate key.")
    for keys in keys_of.values():
        names = ", ".join(f'"{key[:MAX_KEY_CHARS]}"' for key in keys[:MAX_DETAIL_ERRORS])
        more = len(keys) - MAX_DETAIL_ERRORS
        names += f" and {more} more" if more > 0 else ""
        errors.setdefault("_schema", []).append(f"Duplicate key in a nested object: {names}.")
    return errors


def _locate(document: Any, wanted: set[int]) -> dict[int, list[Any]]:
    """Paths (keys and list indices) to the containers whose ids are `wanted`, depth first in
    document order, looking at no more than LOCATE_BUDGET values."""
    found: dict[int, list[Any]] = {}
    budget = LOCATE_BUDGET
    # A path is a chain of (key, parent's chain): pushing a child costs one tuple.
    stack: list[tuple[Any, Any]] = [(document, None)]
    while stack and budget > 0 and len(found) < len(wanted):
        node, chain = stack.pop()
        if id(node) in wanted:
            path = _path(chain)
            if len(path) <= MAX_PATH_DEPTH:
                found[id(node)] = path
        items = node.items() if isinstance(node, dict) else enumerate(node)
        children = [
            (child, (key, chain))
            for key, child in islice(items, budget)
            if isinstance(child, dict | list)
        ]
        budget -= len(node)
        stack.extend(reversed(children))
    return found


def _path(chain: tuple[Any, Any] | None) -> list[Any]:
    """The keys and indices from the document down to a value."""
    path = []
    while chain is not None:
        key, chain = chain
        path.append(key)
    return path[::-1]


class ProblemParser(FlaskParser):
    """webargs parser whose failures are ServiceErrors instead of webargs aborts."""

    def load_json(self, req: flask.Request, schema: Any) -> Any:
        """The body as JSON: 415 unless declared JSON, plain (no Content-Encoding) and UTF-8;
        400 unless UTF-8 JSON; 422 when a key repeats in an object or an object has more than
        MAX_FIELDS members."""
        if not is_json_request(req):
            raise UnsupportedMediaType("Send the body as application/json.")
        encodings = ",".join(req.headers.getlist("Content-Encoding")).lower().split(",")
        if any(coding.strip() not in ("", "identity") for coding in encodings):
            raise UnsupportedMediaType("Send the body without a Content-Encoding.")
        if req.mimetype_params.get("charset", "utf-8").strip().lower() not in ("utf-8", "utf8"):
            raise UnsupportedMediaType("Send the body as UTF-8 JSON (charset=utf-8).")
        data = read_body(req)
        if not data.strip():
            raise MalformedBody("The request body is empty; send a JSON object.")
        try:
            # Off the event loop, like scoring: 8 MiB of JSON takes up to half a second.
            return run_cpu(partial(decode_json, data.decode("utf-8")))
        except UnicodeDecodeError as exc:
            raise MalformedBody("The request body is not valid UTF-8.") from exc
        except json.JSONDecodeError as exc:
            # exc.msg and the position only: the message must not quote the body.
            raise MalformedBody(
                f"The request body is not valid JSON: {exc.msg} "
                f"(line {exc.lineno}, column {exc.colno})."
            ) from exc
        except (ValueError, RecursionError) as exc:  # over-long integers, absurd nesting
            raise MalformedBody("The request body is JSON this service does not accept.") from exc

    def handle_error(
        self,
        error: Any,
        req: flask.Request,
        schema: Any,
        *,
        error_status_code: int | None,
        error_headers: Any,
    ) -> NoReturn:
        """Schema errors -> 422 with the errors keyed like the JSON body."""
        messages = error.messages.get("json", error.messages)
        raise ValidationFailed(validation_detail(messages), errors=messages)
