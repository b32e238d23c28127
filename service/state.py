"""The model the app serves: loaded once by the factory, kept on the app, reloaded on request."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

import flask

from model import scope
from model.routing import Router
from service.metrics import METRICS_EXTENSION

MODEL_EXTENSION = "escalation.model"
# Short, neutral text that every model can score: the readiness probe.
PROBE_TEXT = "The ministers met in the capital for talks on trade and security."
log = logging.getLogger("service.model")


@dataclass(frozen=True)
class LoadedModel:
    """The scorer, or the reason there is none."""

    scorer: Router | None
    error: str | None = None
    # Why the artifact on disk failed at the last reload, while this (older) model serves.
    reload_error: str | None = None

    @property
    def version(self) -> str | None:
        """The model version, when a model is loaded."""
        return self.scorer.version if self.scorer is not None else None


def probe(scorer: Router) -> str | None:
    """Score the probe text with every language's model; the reason one failed, or None when
    they all work."""
    for language, model in scorer.scorers.items():
        try:
            score = model.score(PROBE_TEXT, top_k=1).score
        except Exception as exc:  # a broken model must make the worker unready, not crash it
            return f"the {language} model failed to score a probe text ({type(exc).__name__})"
        if score is None or not (math.isfinite(score) and 0.0 <= score <= 1.0):
            return f"the {language} model returned an invalid score for a probe text"
    return None


def load_model(path: Path) -> LoadedModel:
    """Load and probe the artifact; a failure is kept as the reason, not raised."""
    try:
        scorer = Router.load(path)
    except Exception as exc:  # ArtifactError, or a pipeline the scorer cannot use
        reason = str(exc) or type(exc).__name__
        log.error("model not loaded", extra={"fields": {"reason": reason, "path": str(path)}})
        return LoadedModel(scorer=None, error=reason)
    scope.prepare()  # in the gunicorn master, before the fork: the workers share its pages
    failure = probe(scorer)
    if failure is not None:
        log.error("model not usable", extra={"fields": {"reason": failure, "path": str(path)}})
        return LoadedModel(scorer=None, error=failure)
    log.info("model loaded", extra={"fields": {"model_version": scorer.version, "path": str(path)}})
    return LoadedModel(scorer=scorer)


def reload_model(app: flask.Flask, path: Path) -> LoadedModel:
    """Load the artifact at `path` again and serve it from now on; if it cannot be served, keep
    the model already loaded (a failed publish never replaces a working model), count the
    failure and remember it for /readyz."""
    fresh = load_model(path)
    loaded = app.extensions[MODEL_EXTENSION]
    if fresh.scorer is None and loaded.scorer is not None:
        fields = {"path": str(path), "reason": fresh.error, "model_version": loaded.version}
        log.error("reload failed; the loaded model stays", extra={"fields": fields})
        app.extensions[METRICS_EXTENSION].reload_failures.inc()
        app.extensions[MODEL_EXTENSION] = replace(loaded, reload_error=fresh.error)
        return cast(LoadedModel, app.extensions[MODEL_EXTENSION])
    app.extensions[MODEL_EXTENSION] = fresh
    return fresh


def current_model() -> LoadedModel:
    """The model of the current app (set by create_app)."""
    return cast(LoadedModel, flask.current_app.extensions[MODEL_EXTENSION])
