"""Request bodies: JSON decoding and schema errors, raised as the service's own errors."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

import flask
from webargs.flaskparser import FlaskParser, is_json_request

from service.errors import (
    MAX_KEY_CHARS,
    ContentTooLarge,
    MalformedBody,
    UnsupportedMediaType,
    ValidationFailed,
)

MAX_DETAIL_ERRORS = 5  # failing fields named in `detail` (`errors` lists more)


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


class ProblemParser(FlaskParser):
    """webargs parser whose failures are ServiceErrors instead of webargs aborts."""

    def load_json(self, req: flask.Request, schema: Any) -> Any:
        """The body as JSON: 415 unless declared JSON, 400 unless UTF-8 JSON."""
        if not is_json_request(req):
            raise UnsupportedMediaType("Send the body as application/json.")
        data = req.get_data(cache=True)
        limit = req.max_content_length
        if req.content_length is None and limit is not None and len(data) >= limit:
            # A chunked body is cut at the limit by werkzeug: anything left means it was over.
            if req.input_stream.read(1):
                raise ContentTooLarge(f"The request body exceeds the limit of {limit} bytes.")
        if not data.strip():
            raise MalformedBody("The request body is empty; send a JSON object.")
        try:
            return json.loads(data.decode("utf-8"))
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
