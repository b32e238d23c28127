"""The application factory: `gunicorn 'service.app:create_app()'`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from flask import Flask, Response

from service import auth, observability, protocol, ui
from service.api import blp
from service.config import SETTINGS_EXTENSION, Settings, load_settings
from service.encoding import OrjsonProvider
from service.errors import ProblemApi
from service.metrics import MULTIPROC_ENV, current_metrics
from service.state import MODEL_EXTENSION, current_model, load_model, reload_model

API_TITLE = "Escalation-risk scoring"
API_VERSION = "1.0.0"
OPENAPI_VERSION = "3.1.0"
_SETTING_KEYS = {item.name.upper() for item in fields(Settings) if item.init}


class ServiceFlask(Flask):
    """Flask whose automatic OPTIONS answer is 204 No Content with `Allow`."""

    def make_default_options_response(self) -> Response:
        """204 with the methods the path allows (Flask's own is 200 with an empty HTML body)."""
        response = super().make_default_options_response()
        response.status_code = 204
        response.headers.pop("Content-Type", None)
        return response


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, logging and metrics, the model (loaded once), the API.

    `config` overrides the ESCALATION_* environment (keys without the prefix, e.g.
    `MODEL_PATH`); other keys (e.g. `TESTING`) go to Flask's config.
    """
    settings = load_settings(os.environ, config)
    # No app-wide static folder: the page's files are the ui blueprint's, gone when it is off.
    app = ServiceFlask(__name__, static_folder=None)
    app.json = OrjsonProvider(app)
    app.config.from_mapping(
        API_TITLE=API_TITLE,
        API_VERSION=API_VERSION,
        OPENAPI_VERSION=OPENAPI_VERSION,
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=settings.max_content_length,
    )
    app.config.from_mapping({k: v for k, v in (config or {}).items() if k not in _SETTING_KEYS})
    app.extensions[SETTINGS_EXTENSION] = settings
    observability.init_app(app, settings)
    protocol.init_app(app)
    auth.init_app(app)
    # No model is not fatal: /healthz stays 200 and /readyz reports why (load_model logs it).
    app.extensions[MODEL_EXTENSION] = load_model(settings.model_path)
    if not os.environ.get(MULTIPROC_ENV):  # one process; under gunicorn, each worker reports
        report_model(app)
    api = ProblemApi(app)
    api.register_blueprint(blp)
    ui.init_app(app, settings)
    return app


def reload(app: Flask) -> None:
    """Load the configured artifact again (gunicorn's HUP, in the master before it forks the
    new workers); a broken artifact leaves the loaded model in place."""
    reload_model(app, app.extensions[SETTINGS_EXTENSION].model_path)


def report_model(app: Flask) -> None:
    """Publish the model version this process serves (`escalation_model_info`). gunicorn calls
    it in each worker (post_fork): a preloading master never reports, so a HUP retires the old
    version's series with the old workers."""
    with app.app_context():
        version = current_model().version
        if version is not None:
            current_metrics().model.labels(version).set(1)
