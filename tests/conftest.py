"""Shared fixtures: a tiny model trained from sentences written for the tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from model.artifact import save_artifact
from training.pipeline import TrainConfig, build_pipeline, fit_platt, fold_platt

ESCALATORY = [
    "The government threatened military strikes unless the ultimatum is met.",
    "Troops were mobilised along the border as the threat of war grew.",
    "The minister accused the neighbour of aggression and vowed retaliation.",
    "New sanctions were imposed after the attack on the embassy.",
    "Armed forces launched a pre-emptive strike against the rebel positions.",
    "Leaders warned of a dangerous escalation and threatened force.",
    "The army shelled the town and the attack killed civilians.",
    "Officials condemned the invasion and demanded an immediate withdrawal.",
    "The regime rejected the demand and expelled the ambassador.",
    "Protesters clashed with police as the crisis escalated into violence.",
    "A missile strike hit the capital after weeks of threats.",
    "The president issued an ultimatum and ordered troops to mobilise.",
]
COOPERATIVE = [
    "The two countries signed a trade agreement and praised the talks.",
    "Ministers agreed to exchange prisoners and expand humanitarian aid.",
    "Both sides welcomed the ceasefire agreement and pledged cooperation.",
    "The envoy held consultations and called for dialogue and peace.",
    "The government announced aid for flood victims and thanked donors.",
    "Leaders met for talks and agreed to deepen economic cooperation.",
    "The agreement on trade was welcomed by both governments.",
    "Delegates praised the constructive dialogue and the peace process.",
    "The ministers signed a cooperation accord on health and education.",
    "Officials agreed to resume talks and exchange ambassadors.",
    "The donors pledged humanitarian aid and support for reconstruction.",
    "Both leaders welcomed the exchange of prisoners as a step to peace.",
]
TINY_CONFIG = TrainConfig(min_df=1, C=4.0, folds=3)


def fit_tiny(config: TrainConfig = TINY_CONFIG):
    """Fit the tiny pipeline (with a fixed Platt step folded in)."""
    texts = ESCALATORY + COOPERATIVE
    labels = [1] * len(ESCALATORY) + [0] * len(COOPERATIVE)
    pipeline = build_pipeline(config)
    pipeline.fit(texts, labels)
    fold_platt(pipeline, fit_platt(pipeline.decision_function(texts), labels))
    return pipeline


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


@pytest.fixture(autouse=True)
def _restore_environ() -> Iterator[None]:
    """Configuration comes from the environment: no test may leak changes to it."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def shared_data_dir() -> Path | None:
    """The real corpora mirror, when the environment names one."""
    value = os.environ.get("ESCALATION_DATA_DIR")
    return Path(value) if value else None


@pytest.fixture(scope="session")
def default_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default model trained on the real corpora: the one at `ESCALATION_MODEL_PATH` when it
    is exactly that (CI's `make model` trains it once), else trained here. Skips without the
    corpora mirror."""
    from model.artifact import default_model_path
    from training import train as train_module
    from training.datasets import DEFAULT_TRAINING

    if shared_data_dir() is None:
        pytest.skip("ESCALATION_DATA_DIR is not set: the real corpora are not available")
    path = default_model_path()
    if train_module.already_trained(path, DEFAULT_TRAINING, TrainConfig()):
        return path
    path = tmp_path_factory.mktemp("default") / "escalation-model.joblib"
    assert train_module.main(["--out", str(path)]) == 0
    return path
