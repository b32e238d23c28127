"""Service fixtures: a fresh app per test on the tiny model (helpers: `tests.service.helpers`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.app import create_app


@pytest.fixture
def make_app(tiny_model_path: Path) -> Callable[..., Flask]:
    """Build an app on the tiny model; keyword arguments override the configuration."""

    def factory(**config: Any) -> Flask:
        return create_app({"MODEL_PATH": tiny_model_path, "TESTING": True, **config})

    return factory


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """A fresh app on the tiny model."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Test client of `app`."""
    return app.test_client()
