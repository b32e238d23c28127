"""Settings: documented defaults, ESCALATION_* variables, then overrides; bad values fail fast."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bench.servers import CLEARED_ENV
from model import DEFAULT_MODEL_PATH, DEFAULT_TOP_K, MODEL_PATH_ENV
from service.app import create_app
from service.config import ENV_PREFIX, ConfigError, Settings, load_settings


def test_defaults() -> None:
    assert load_settings({}) == Settings(
        model_path=DEFAULT_MODEL_PATH,
        max_content_length=8 * 1024 * 1024,
        default_top_k=DEFAULT_TOP_K,
        log_level="INFO",
    )


def test_model_path_variable_is_the_model_packages() -> None:
    assert f"{ENV_PREFIX}MODEL_PATH" == MODEL_PATH_ENV


def test_environment_then_overrides() -> None:
    environ = {
        "ESCALATION_MODEL_PATH": "/m.joblib",
        "ESCALATION_MAX_CONTENT_LENGTH": "2048",
        "ESCALATION_DEFAULT_TOP_K": "5",
        "ESCALATION_LOG_LEVEL": "debug",
        "MAX_CONTENT_LENGTH": "1",
    }
    settings = load_settings(environ)
    assert settings == Settings(Path("/m.joblib"), 2048, 5, "DEBUG")
    assert load_settings(environ, {"DEFAULT_TOP_K": 7}).default_top_k == 7


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAX_CONTENT_LENGTH", "0"),
        ("MAX_CONTENT_LENGTH", "8MB"),
        ("DEFAULT_TOP_K", "0"),
        ("DEFAULT_TOP_K", "51"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_bad_values_fail_fast(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{ENV_PREFIX}{name}"):
        load_settings({f"{ENV_PREFIX}{name}": value})


def test_a_bad_variable_stops_create_app_naming_it_and_the_range(tiny_model_path: Path) -> None:
    os.environ[MODEL_PATH_ENV] = str(tiny_model_path)
    os.environ["ESCALATION_DEFAULT_TOP_K"] = "99"
    with pytest.raises(ConfigError) as info:
        create_app()
    assert str(info.value) == "ESCALATION_DEFAULT_TOP_K must be in 1..50, not 99"


@pytest.mark.slow
def test_a_bad_variable_stops_gunicorn_with_one_line(tiny_model_path: Path) -> None:
    """...and the metrics directory its configuration made goes with it."""
    env = {**os.environ, MODEL_PATH_ENV: str(tiny_model_path), "ESCALATION_DEFAULT_TOP_K": "99"}
    env["BIND"] = "127.0.0.1:0"
    for name in CLEARED_ENV:  # gunicorn.conf.py makes the metrics directory itself
        env.pop(name, None)
    shm = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    before = set(shm.glob("escalation-metrics-*"))
    done = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "service.app:create_app()"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "Error: ESCALATION_DEFAULT_TOP_K must be in 1..50, not 99" in done.stderr
    assert set(shm.glob("escalation-metrics-*")) <= before


def test_app_reads_the_environment(tiny_model_path: Path) -> None:
    os.environ[MODEL_PATH_ENV] = str(tiny_model_path)
    os.environ["ESCALATION_MAX_CONTENT_LENGTH"] = "4096"
    app = create_app()
    assert app.config["MAX_CONTENT_LENGTH"] == 4096
    assert app.test_client().get("/readyz").status_code == 200
