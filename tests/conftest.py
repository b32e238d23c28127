"""Shared fixtures: a tiny model trained from sentences written for the tests (`tests.helpers`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from model.artifact import save_artifact
from tests.helpers import fit_tiny, shared_data_dir
from training.fit.pipeline import TrainConfig


@pytest.fixture(scope="session")
def tiny_pipeline():
    """A fitted tiny pipeline (word + char blocks)."""
    return fit_tiny()


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory: pytest.TempPathFactory, tiny_pipeline) -> Path:
    """The tiny pipeline saved as an artifact."""
    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    manifest = {
        "version": "tiny-1",
        "created_at": "2026-01-01T00:00:00+00:00",
        "levels": [
            {"name": "low", "min": 0.0},
            {"name": "elevated", "min": 0.25},
            {"name": "high", "min": 0.5},
            {"name": "severe", "min": 0.8},
        ],
        "metrics": {"cv": {}},
        "sources": [],
    }
    return save_artifact(tiny_pipeline, manifest, path)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test on the default model needs the corpora: it must say so, or `make test-fast`
    (`-m "not corpora ..."`) would train the default model."""
    for item in items:
        if "default_model" in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
            "corpora"
        ):
            raise pytest.UsageError(f"{item.nodeid} uses default_model without @corpora")


@pytest.fixture(autouse=True)
def _restore_environ() -> Iterator[None]:
    """Configuration comes from the environment: no test may leak changes to it."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def default_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default model trained on the real corpora: the one at `ESCALATION_MODEL_PATH` when it
    is exactly that (CI's `make model` trains it once), else trained here. Skips without the
    corpora mirror."""
    from model.artifact import default_model_path
    from training.data.registry import DEFAULT_TRAINING
    from training.fit import train as train_module

    if shared_data_dir() is None:
        pytest.skip("set ESCALATION_DATA_DIR to the corpus mirror to run the corpora tests")
    path = default_model_path()
    if train_module.already_trained(path, DEFAULT_TRAINING, TrainConfig()):
        return path
    path = tmp_path_factory.mktemp("default") / "escalation-model.joblib"
    assert train_module.main(["--out", str(path)]) == 0
    return path
