"""Optional API keys: public probes, 401 problems, rotation, key ids logged, never secrets."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from service.auth import key_id_for
from service.config import ENV_PREFIX, ConfigError, load_settings
from tests.service.helpers import ESCALATORY_TEXT, assert_problem

OLD, NEW = "old-secret-0123456789", "new-secret-9876543210"
KEYS = f"old:{OLD}, new:{NEW}"


@pytest.fixture
def keyed(make_app: Callable[..., Flask]) -> Flask:
    """An app with two valid keys (a rotation in progress)."""
    return make_app(API_KEYS=KEYS)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/metrics"), ("GET", "/v1/model"), ("POST", "/v1/score"), ("POST", "/v1/score/batch")],
)
def test_protected_without_a_key_is_401(keyed: Flask, method: str, path: str) -> None:
    response = keyed.test_client().open(path, method=method, json={"text": ESCALATORY_TEXT})
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "status"), [("TRACE", 405), ("DELETE", 405)])
def test_unrouted_methods_are_405_before_401(keyed: Flask, method: str, status: int) -> None:
    assert_problem(keyed.test_client().open("/v1/model", method=method), status)
    assert_problem(keyed.test_client().get("/nowhere"), 404)


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json"])
def test_probes_and_the_document_are_public(keyed: Flask, path: str) -> None:
    assert keyed.test_client().get(path).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Bearer {OLD}"}, {"Authorization": f"bearer {NEW}"}, {"X-API-Key": NEW}],
)
def test_either_key_in_either_header_is_accepted(keyed: Flask, headers: dict) -> None:
    response = keyed.test_client().post("/v1/score", json={"text": "war"}, headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize("secret", [OLD[:-1], OLD + "x", "", NEW.upper(), "Basic " + OLD])
def test_wrong_keys_are_401(keyed: Flask, secret: str) -> None:
    headers = {"Authorization": f"Bearer {secret}"}
    assert_problem(keyed.test_client().get("/v1/model", headers=headers), 401)


def test_key_id_is_logged_never_the_secret(keyed: Flask, capsys: pytest.CaptureFixture) -> None:
    keyed.test_client().get("/v1/model", headers={"X-API-Key": NEW})
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if '"service.access"' in line]
    assert lines[-1]["key_id"] == "new" and NEW not in err and OLD not in err


def test_without_keys_everything_is_open(make_app: Callable[..., Flask]) -> None:
    assert make_app().test_client().get("/v1/model").status_code == 200


def test_keys_file_adds_keys(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(f"# rotated 2026-11\nfile:{NEW}\n\n", encoding="utf-8")
    client = make_app(API_KEYS_FILE=path).test_client()
    assert client.get("/v1/model", headers={"X-API-Key": NEW}).status_code == 200
    assert_problem(client.get("/v1/model", headers={"X-API-Key": OLD}), 401)


def test_key_id_for_compares_every_key() -> None:
    keys = {"a": OLD, "b": NEW}
    assert key_id_for(NEW, keys) == "b" and key_id_for(OLD, keys) == "a"
    assert key_id_for("nope", keys) is None


@pytest.mark.parametrize(
    "value",
    ["short:abc", f":{OLD}", "noseparator", f"a:{OLD},a:{NEW}", f"a:{OLD}\u00e9", f"a:{OLD}\x7f"],
)
def test_bad_keys_fail_fast_without_echoing_secrets(value: str) -> None:
    with pytest.raises(ConfigError, match="API_KEYS") as info:
        load_settings({f"{ENV_PREFIX}API_KEYS": value})
    assert OLD not in str(info.value) and NEW not in str(info.value)


def test_settings_repr_hides_secrets() -> None:
    assert OLD not in repr(load_settings({f"{ENV_PREFIX}API_KEYS": f"a:{OLD}"}))
