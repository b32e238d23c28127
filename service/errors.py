"""One exception hierarchy and one renderer: every error leaves as application/problem+json.

Bodies follow RFC 9457 with `type` "about:blank" (so `title` is the HTTP status phrase), a
`detail` that never quotes the article text, field `errors` for validation failures, and the
request's `request_id`. flask-smorest's own JSON error handler is replaced by `ProblemApi`.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from service.observability import current_request_id
from service.schemas import ProblemSchema

PROBLEM_MIMETYPE = "application/problem+json"
MAX_KEY_CHARS = 100  # field names in `errors` are chosen by the client: keep them short
MAX_LISTED_ERRORS = 20  # field errors listed in one answer (600,000 unknown keys: 20 listed)
log = logging.getLogger("service.errors")


class ServiceError(Exception):
    """Base of the errors the service raises on purpose; carries the HTTP status."""

    status: int = 500
    headers: Mapping[str, str] = {}

    def __init__(self, detail: str, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors

    @property
    def title(self) -> str:
        """The HTTP status phrase (RFC 9457 with type about:blank)."""
        return HTTPStatus(self.status).phrase


class MalformedRequest(ServiceError):
    """The request breaks an HTTP/1.1 rule that the server leaves to the application."""

    status = 400


class MalformedBody(ServiceError):
    """The body cannot be read (chunk framing, trailers) or is empty, not UTF-8 or not JSON."""

    status = 400


class UnsupportedMediaType(ServiceError):
    """The body is not declared as JSON."""

    status = 415


class Unauthorized(ServiceError):
    """No API key, or not one of the configured keys."""

    status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="escalation-risk"'}


class ContentTooLarge(ServiceError):
    """The request asks for more work than one request may cause."""

    status = 413


class ValidationFailed(ServiceError):
    """The JSON does not match the request schema."""

    status = 422


class ModelUnavailable(ServiceError):
    """No model is loaded, or it cannot score."""

    status = 503


def problem(
    status: int,
    detail: str,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> flask.Response:
    """The one place that renders an error response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = _first_errors(errors, [MAX_LISTED_ERRORS])
    body["request_id"] = current_request_id()
    response = flask.current_app.response_class(
        json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE
    )
    response.headers.extend(headers or {})
    return response


def _first_errors(value: Any, budget: list[int]) -> Any:
    """JSON-safe errors, at most `budget[0]` messages: list indices become "3", over-long
    (client-chosen) keys are cut, and the listing stops when the budget is spent."""
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if budget[0] <= 0:
                break
            out[str(key)[:MAX_KEY_CHARS]] = _first_errors(item, budget)
        return out
    if isinstance(value, list | tuple):
        kept = []
        for item in value:
            if budget[0] <= 0:
                break
            kept.append(_first_errors(item, budget))
        return kept
    budget[0] -= 1
    return value


def _handle_service_error(exc: ServiceError) -> flask.Response:
    """Errors raised on purpose."""
    return problem(exc.status, exc.detail, exc.errors, headers=exc.headers)


def _handle_http_exception(exc: HTTPException) -> flask.Response:
    """Werkzeug/Flask errors: 404, 405, 413 and any abort()."""
    status = exc.code if exc.code and exc.code >= 400 else 500
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    detail = exc.description or HTTPStatus(status).description
    if isinstance(exc, RequestEntityTooLarge):
        limit = flask.current_app.config["MAX_CONTENT_LENGTH"]
        detail = f"The request body exceeds the limit of {limit} bytes."
    return problem(status, detail, headers=headers)


def _handle_unexpected(exc: Exception) -> flask.Response:
    """Anything else: log where it happened (not its message, which may quote input) -> 500."""
    fields = {
        "error_type": type(exc).__name__,
        "request_id": current_request_id(),
        "stack": "".join(traceback.format_tb(exc.__traceback__)),
    }
    log.error("unhandled exception", extra={"fields": fields})
    return problem(500, "An unexpected error occurred; quote the request_id when reporting it.")


def init_app(app: flask.Flask) -> None:
    """Register the handlers (overwriting flask-smorest's HTTPException handler)."""
    app.register_error_handler(ServiceError, _handle_service_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)


class ProblemApi(Api):
    """flask-smorest Api whose errors, served and documented, are problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Use this module's handlers instead of flask-smorest's application/json one."""
        init_app(self._app)

    def _register_pagination_header(self) -> None:
        """Nothing is paginated: no pagination header, nor its PaginationMetadata schema."""

    def _register_responses(self) -> None:
        """Lazily document each status (errors as problem+json) and DEFAULT_ERROR."""
        named = [(s.name, s.phrase, s >= 400) for s in HTTPStatus]
        for name, phrase, is_error in [*named, (self.DEFAULT_ERROR_RESPONSE_NAME, "Error", True)]:
            response: dict[str, Any] = {"description": phrase}
            if is_error:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(name, response, lazy=True)
