"""`service.wsgi`: the module-level app for `gunicorn service.wsgi:app`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest


def test_module_level_app_serves_the_model_named_by_the_environment(
    tiny_model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESCALATION_MODEL_PATH", str(tiny_model_path))
    monkeypatch.delitem(sys.modules, "service.wsgi", raising=False)
    wsgi = importlib.import_module("service.wsgi")
    client = wsgi.app.test_client()
    assert client.get("/readyz").status_code == 200
    assert client.get("/v1/model").get_json()["version"] == "tiny-1"
    response = client.post("/v1/score", json={"text": "Troops threatened a strike."})
    assert response.status_code == 200 and 0 <= response.get_json()["score"] <= 1
