"""Shared fixtures: a tiny model trained from sentences written for the tests (`tests.helpers`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sklearn.pipeline import Pipeline

from model.artifact import save_artifact, save_release
from tests.helpers import TINY_MANIFEST, fit_tiny, shared_data_dir, tiny_config, tiny_patterns
from training.data import knowledge
from training.fit.pipeline import TrainConfig


@pytest.fixture(autouse=True)
def verb_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    """English training reads the CAMEO verb dictionary; without the corpora mirror (the real
    file is pinned by SHA-256 and would be downloaded) it reads the tests' small one."""
    if shared_data_dir() is None:
        monkeypatch.setattr(knowledge, "event_patterns", lambda *_, **__: tiny_patterns())


@pytest.fixture(scope="session")
def tiny_pipeline() -> Pipeline:
    """A fitted tiny pipeline (word, char and event blocks)."""
    return fit_tiny()


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory: pytest.TempPathFactory, tiny_pipeline: Pipeline) -> Path:
    """The tiny pipeline saved as an artifact of one language model, English."""
    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    return save_artifact(tiny_pipeline, dict(TINY_MANIFEST), path)


@pytest.fixture(scope="session")
def tiny_arabic_pipeline() -> Pipeline:
    """A fitted tiny Arabic pipeline (word + char blocks, Arabic word rules)."""
    return fit_tiny(tiny_config("ar"))


@pytest.fixture(scope="session")
def tiny_release_path(
    tmp_path_factory: pytest.TempPathFactory,
    tiny_pipeline: Pipeline,
    tiny_arabic_pipeline: Pipeline,
) -> Path:
    """An artifact of two language models, English (first) and Arabic, and Spanish listed as
    trained but unsupported (it missed its gate)."""
    path = tmp_path_factory.mktemp("release") / "tiny-release.joblib"
    unsupported = {
        "es": {
            "sources": [],
            "metrics": {"cv": {}},
            "gate": {"checks": [], "passed": False},
            "hyperparameters": {},
        }
    }
    models = {
        "en": (tiny_pipeline, dict(TINY_MANIFEST)),
        "ar": (tiny_arabic_pipeline, dict(TINY_MANIFEST)),
    }
    return save_release(models, path, unsupported)


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
    from training.data.registry import LANGUAGE_TRAINING
    from training.fit import train as train_module

    if shared_data_dir() is None:
        pytest.skip("set ESCALATION_DATA_DIR to the corpus mirror to run the corpora tests")
    path = default_model_path()
    # What `escalation-train` trains by default: every language on its corpora.
    plans = {
        code: (list(specs), train_module.language_config(TrainConfig(), code))
        for code, specs in LANGUAGE_TRAINING.items()
    }
    if train_module.already_trained(path, plans):
        return path
    path = tmp_path_factory.mktemp("default") / "escalation-model.joblib"
    assert train_module.main(["--out", str(path)]) == 0
    return path
