"""Constants and helpers several test modules share (fixtures stay in conftest.py)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from sklearn.pipeline import Pipeline

from training.fit.pipeline import TrainConfig, build_pipeline, fit_platt, fold_platt

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


def fit_tiny(config: TrainConfig = TINY_CONFIG) -> Pipeline:
    """Fit the tiny pipeline (with a fixed Platt step folded in)."""
    texts = ESCALATORY + COOPERATIVE
    labels = [1] * len(ESCALATORY) + [0] * len(COOPERATIVE)
    pipeline = build_pipeline(config)
    pipeline.fit(texts, labels)
    fold_platt(pipeline, fit_platt(pipeline.decision_function(texts), labels))
    return pipeline


def shared_data_dir() -> Path | None:
    """The real corpora mirror, when the environment names one."""
    value = os.environ.get("ESCALATION_DATA_DIR")
    return Path(value) if value else None


def write_csv(path: Path, rows: list[tuple[str, object, str]]) -> Path:
    """A user training file with text, label and group columns."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "group"])
        writer.writerows(rows)
    return path
