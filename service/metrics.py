"""Prometheus metrics: requests, latency, scores and the model version.

prometheus_client's multiprocess mode is on when PROMETHEUS_MULTIPROC_DIR is set (gunicorn.conf.py
sets it before any worker imports prometheus_client): each worker writes its own files and
/metrics sums them all. Otherwise (one process, the Flask test client) each app has a registry.
"""

from __future__ import annotations

import os
from typing import cast

import flask
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

METRICS_EXTENSION = "escalation.metrics"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
SCORE_BUCKETS = (0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


class Metrics:
    """The app's metrics, in a registry of its own so several apps can live in one process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "escalation_http_requests",
            "HTTP requests.",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "escalation_http_request_duration_seconds",
            "HTTP request latency.",
            ["endpoint", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.scores = Histogram(
            "escalation_score",
            "Escalation-risk scores returned.",
            buckets=SCORE_BUCKETS,
            registry=self.registry,
        )
        # Incremented by the process that reloads (the gunicorn master, on HUP).
        self.reload_failures = Counter(
            "escalation_model_reload_failures",
            "Reloads whose artifact could not be served (the model loaded before stayed).",
            registry=self.registry,
        )
        # An info metric as a gauge: Info is not supported in multiprocess mode; "livemax"
        # drops a worker's series when gunicorn reports it dead, so a HUP retires old versions.
        self.model = Gauge(
            "escalation_model_info",
            "The model version served (value 1).",
            ["model_version"],
            multiprocess_mode="livemax",
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        """The text format: every worker's samples in multiprocess mode, else this registry's."""
        if not os.environ.get(MULTIPROC_ENV):
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def init_app(self, app: flask.Flask) -> None:
        """Keep these metrics on the app."""
        app.extensions[METRICS_EXTENSION] = self


def current_metrics() -> Metrics:
    """The metrics of the current app."""
    return cast(Metrics, flask.current_app.extensions[METRICS_EXTENSION])


def metrics_view() -> flask.Response:
    """Prometheus text format."""
    return flask.Response(current_metrics().exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
