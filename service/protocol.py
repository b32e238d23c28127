"""HTTP/1.1 rules that gunicorn leaves to the application."""

from __future__ import annotations

import flask

from service.errors import MalformedRequest


def require_host() -> None:
    """before_request: 400 for an HTTP/1.1 request without a Host header, or with an empty one
    (RFC 9112, section 3.2). HTTP/1.0 did not have to send one."""
    environ = flask.request.environ
    if environ.get("SERVER_PROTOCOL") == "HTTP/1.1" and not environ.get("HTTP_HOST"):
        raise MalformedRequest("An HTTP/1.1 request must name the server in a Host header.")


def init_app(app: flask.Flask) -> None:
    """Check every request, before authentication: without a Host it is malformed."""
    app.before_request(require_host)
