"""The HTTP endpoints: thin views that load a schema, call the scorer and dump a schema."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from flask import Response, current_app
from flask_smorest import Blueprint

from model import Scorer
from service.config import current_settings
from service.errors import ModelUnavailable
from service.metrics import current_metrics
from service.parsing import ProblemParser
from service.schemas import ARTICLE, BATCH, BATCH_RESULT, MODEL, SCORE, STATUS
from service.state import current_model, probe

SCORE_PATH = "/v1/score"
BATCH_PATH = "/v1/score/batch"
MODEL_INFO_PATH = "/v1/model"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
# Errors any scoring call can return besides 422 (which @arguments documents itself).
SCORING_ERRORS = (400, 413, 415, 503)


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


def require_scorer() -> Scorer:
    """The loaded scorer, or 503."""
    scorer = current_model().scorer
    if scorer is None:
        raise ModelUnavailable("No model is loaded; see /readyz for the reason.")
    return scorer


def score_articles(articles: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Score at the largest top_k asked for, then cut each article's phrases to its own."""
    scorer = require_scorer()
    default_top_k = current_settings().default_top_k
    top_ks = [a["top_k"] if a["top_k"] is not None else default_top_k for a in articles]
    scores = scorer.score_many([a["text"] for a in articles], top_k=max(top_ks))
    histogram = current_metrics().scores
    results = []
    for article, top_k, score in zip(articles, top_ks, scores, strict=True):
        histogram.observe(score.score)
        result = score.to_dict()
        result["phrases"] = result["phrases"][:top_k]
        result["deescalating_phrases"] = result["deescalating_phrases"][:top_k]
        results.append({"id": article["id"], **result})
    return results


def json_response(payload: dict[str, Any]) -> Response:
    """A 200 JSON response of a payload that is already in its documented form.

    Scores come from `ArticleScore.to_dict`, which builds exactly what SCORE documents (a test
    validates responses against the schemas), so they skip a second pass through marshmallow's
    `dump`: for an article with 30 sentences that pass costs as much as scoring it.
    """
    return current_app.json.response(payload)


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
@documents_errors(503)
def model_info() -> dict[str, Any]:
    """The loaded artifact's manifest: version, training sources, metrics, levels."""
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
    """Readiness: a model is loaded and scores a probe text."""
    loaded = current_model()
    if loaded.scorer is None:
        raise ModelUnavailable(f"No model is loaded: {loaded.error}")
    failure = probe(loaded.scorer)
    if failure is not None:
        raise ModelUnavailable(f"The model is not usable: {failure}")
    return {"status": "ready", "model_version": loaded.version}
