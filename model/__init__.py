"""Escalation-risk model: load a verified artifact, score texts and explain the score.

No web framework here: the service and the offline CLI both build on this package.
"""

from __future__ import annotations

from model.artifact import (
    DEFAULT_MODEL_PATH,
    MODEL_PATH_ENV,
    Artifact,
    ArtifactError,
    default_model_path,
    load_artifact,
    read_manifest,
    save_artifact,
)
from model.scoring import DEFAULT_TOP_K, Scorer
from model.types import ArticleScore, Explanation, Phrase, SentenceScore

__all__ = [
    "DEFAULT_MODEL_PATH",
    "DEFAULT_TOP_K",
    "MODEL_PATH_ENV",
    "Artifact",
    "ArtifactError",
    "ArticleScore",
    "Explanation",
    "Phrase",
    "Scorer",
    "SentenceScore",
    "default_model_path",
    "load_artifact",
    "read_manifest",
    "save_artifact",
]
