"""Request ids, one JSON log line per request, and the per-request metrics."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

import flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from service.config import Settings
from service.metrics import Metrics, current_metrics, metrics_view
from service.state import current_model

REQUEST_ID_HEADER = "X-Request-ID"
METRICS_PATH = "/metrics"
# Client ids are echoed and logged: printable ASCII without spaces only, else we make one.
_CLIENT_REQUEST_ID = re.compile(r"[\x21-\x7e]{1,200}")
access_log = logging.getLogger("service.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per record; structured fields come from `extra={"fields": {...}}`."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the record."""
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        return json.dumps(entry, default=str)


class StderrHandler(logging.Handler):
    """Write to whatever sys.stderr is at emit time (gunicorn and pytest both swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write one line."""
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def configure_logging(level: str) -> None:
    """JSON lines for the `service` loggers (idempotent: create_app may run many times)."""
    logger = logging.getLogger("service")
    if not any(isinstance(h, StderrHandler) for h in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def current_request_id() -> str | None:
    """The id of the request being handled."""
    return flask.g.get("request_id") if flask.has_request_context() else None


def _start_request() -> None:
    """Take the client's request id (if safe to echo) or make one; start the clock."""
    flask.g.started = time.perf_counter()
    sent = flask.request.headers.get(REQUEST_ID_HEADER, "")
    flask.g.request_id = sent if _CLIENT_REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


def route_label() -> str:
    """The route the path matched (also when the method did not: a 405), else "unmatched";
    bounded label values, never the raw path."""
    rule = flask.request.url_rule
    if rule is not None:
        return rule.rule
    error = flask.request.routing_exception
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        adapter = flask.current_app.url_map.bind_to_environ(flask.request.environ)
        try:
            matched, _ = adapter.match(method=next(iter(error.valid_methods)), return_rule=True)
        except HTTPException:  # includes werkzeug's RequestRedirect
            return "unmatched"
        return str(matched.rule)
    return "unmatched"


def _finish_request(response: flask.Response) -> flask.Response:
    """Echo the request id, count and time the request, and log one line (no body, ever)."""
    seconds = time.perf_counter() - flask.g.get("started", time.perf_counter())
    endpoint = route_label()
    status = str(response.status_code)
    metrics = current_metrics()
    metrics.requests.labels(endpoint, status).inc()
    metrics.latency.labels(endpoint, status).observe(seconds)
    request_id = current_request_id() or uuid.uuid4().hex
    response.headers[REQUEST_ID_HEADER] = request_id
    access_log.info(
        "request",
        extra={
            "fields": {
                "method": flask.request.method,
                "path": flask.request.path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 3),
                "request_id": request_id,
                "model_version": current_model().version,
                "key_id": flask.g.get("api_key_id"),
            }
        },
    )
    return response


def init_app(app: flask.Flask, settings: Settings) -> None:
    """Logging, metrics, request hooks and the /metrics route."""
    configure_logging(settings.log_level)
    Metrics().init_app(app)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.add_url_rule(METRICS_PATH, "metrics", metrics_view, methods=["GET"])
