"""The HTTP endpoints: thin views that load a schema, call the scorer and dump a schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from http import HTTPStatus
from typing import Any, cast

from flask import Response, current_app
from flask_smorest import Blueprint

from model import ArticleScore
from model.routing import Router
from service.config import current_settings
from service.errors import ContentTooLarge, ModelUnavailable
from service.metrics import current_metrics
from service.offload import run_cpu
from service.parsing import ProblemParser
from service.schemas import ARTICLE, BATCH, BATCH_RESULT, MODEL, SCORE, STATUS
from service.state import current_model

SCORE_PATH = "/v1/score"
BATCH_PATH = "/v1/score/batch"
MODEL_INFO_PATH = "/v1/model"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
# Errors any scoring call can return besides 422 (which @arguments documents itself).
SCORING_ERRORS = (400, 401, 413, 415, 503)
# Scoring is handed to the worker's thread in runs of about this many characters.
CHUNK_CHARS = 50_000


class ProblemBlueprint(Blueprint):
    """Blueprint whose request parsing raises the service's own errors."""

    ARGUMENTS_PARSER = ProblemParser()


blp = ProblemBlueprint("escalation", __name__, description="Escalation-risk scoring.")


def documents_errors(*statuses: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Document problem+json responses for these statuses in the OpenAPI document."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        for status in statuses:
            view = blp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view

    return decorator


def require_scorer() -> Router:
    """The loaded scorer, or 503."""
    scorer = current_model().scorer
    if scorer is None:
        raise ModelUnavailable("No model is loaded; see /readyz for the reason.")
    return scorer


def score_articles(articles: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Score each article with its own options; 413 before any work when the texts together
    exceed the request's character budget. Work is handed off in chunks of about CHUNK_CHARS,
    so a large batch never holds a worker's event loop (`run_cpu`) for long."""
    scorer = require_scorer()
    settings = current_settings()
    total = sum(len(a["text"]) for a in articles)
    if total > settings.max_request_chars:
        raise ContentTooLarge(
            f"The texts hold {total} characters; one request may hold at most "
            f"{settings.max_request_chars}. Split the batch."
        )
    histogram = current_metrics().scores
    results: list[dict[str, Any]] = []
    for chunk in _chunks(articles):
        scores = run_cpu(partial(_score_chunk, scorer, chunk, settings.default_top_k))
        for article, score in zip(chunk, scores, strict=True):
            if score.score is not None:
                histogram.observe(score.score)
            results.append({"id": article["id"], **score.to_dict()})
    return results


def _score_chunk(
    scorer: Router, articles: Sequence[dict[str, Any]], default_top_k: int
) -> list[ArticleScore]:
    """Score articles with their own top_k, max_spans, max_sentences and language (no Flask
    here: this may run in another thread)."""
    return [
        scorer.score(
            a["text"],
            top_k=a["top_k"] if a["top_k"] is not None else default_top_k,
            max_spans=a["max_spans"],
            max_sentences=a["max_sentences"],
            language=a["language"],
        )
        for a in articles
    ]


def _chunks(articles: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    """Consecutive runs of articles of about CHUNK_CHARS characters together."""
    start, size = 0, 0
    for end, article in enumerate(articles, 1):
        size += len(article["text"])
        if size >= CHUNK_CHARS:
            yield articles[start:end]
            start, size = end, 0
    if start < len(articles):
        yield articles[start:]


def json_response(payload: dict[str, Any]) -> Response:
    """A 200 JSON response of a payload that is already in its documented form.

    Scores come from `ArticleScore.to_dict`, which builds exactly what SCORE documents (a test
    validates responses against the schemas), so they skip a second pass through marshmallow's
    `dump`: for an article with 30 sentences that pass costs as much as scoring it.
    """
    return cast(Response, current_app.json.response(payload))


@blp.route(SCORE_PATH, methods=["POST"])
@blp.arguments(ARTICLE)
@blp.response(200, SCORE)
@documents_errors(*SCORING_ERRORS)
def score(article: dict[str, Any]) -> Response:
    """Score one article and explain the score."""
    return json_response(score_articles([article])[0])


@blp.route(BATCH_PATH, methods=["POST"])
@blp.arguments(BATCH)
@blp.response(200, BATCH_RESULT)
@documents_errors(*SCORING_ERRORS)
def score_batch(batch: dict[str, Any]) -> Response:
    """Score several articles; results keep the request's order."""
    return json_response({"results": score_articles(batch["articles"])})


@blp.route(MODEL_INFO_PATH, methods=["GET"])
@blp.response(200, MODEL)
@documents_errors(401, 503)
def model_info() -> dict[str, Any]:
    """The loaded artifact's manifest: version, levels, and each language's model (sources,
    metrics, quality gate)."""
    return require_scorer().manifest


@blp.route(HEALTH_PATH, methods=["GET"])
@blp.response(200, STATUS)
def healthz() -> dict[str, Any]:
    """Liveness: the process answers (whether or not a model is loaded)."""
    return {"status": "ok", "model_version": current_model().version}


@blp.route(READY_PATH, methods=["GET"])
@blp.response(200, STATUS)
@documents_errors(503)
def readyz() -> dict[str, Any]:
    """Readiness: a model is loaded and scored a probe text when it was loaded (the reason for
    a failure goes to the log, not to the caller). 200 with a `detail` when the artifact on
    disk failed to load at the last reload and the model loaded before it still serves."""
    loaded = current_model()
    if loaded.scorer is None:
        raise ModelUnavailable("No usable model is loaded; the service log says why.")
    status: dict[str, Any] = {"status": "ready", "model_version": loaded.version}
    if loaded.reload_error is not None:
        status["detail"] = (
            "The model artifact on disk failed to load at the last reload; the model loaded "
            "before it is serving. The service log says why."
        )
    return status
