"""Escalation-risk model: load a verified artifact, score texts and explain the score.

No web framework here: the service and the offline CLI both build on this package. Reading an
artifact's manifest needs no compiled kernel; `Router` (every language of an artifact, each text
to its language's model) and `Scorer` (one language's model), imported on first use, do, and say
what to install when it is missing (`model.kernel`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from model.types import ArticleScore, Explanation, Phrase, SentenceScore

if TYPE_CHECKING:
    from model.routing import Router
    from model.scoring import DEFAULT_TOP_K, Scorer

__all__ = [
    "DEFAULT_MODEL_PATH",
    "DEFAULT_TOP_K",
    "MODEL_PATH_ENV",
    "Artifact",
    "ArtifactError",
    "ArticleScore",
    "Explanation",
    "Phrase",
    "Router",
    "Scorer",
    "SentenceScore",
    "default_model_path",
    "load_artifact",
    "read_manifest",
    "save_artifact",
]


def __getattr__(name: str) -> Any:
    """`Router`, `Scorer` and `DEFAULT_TOP_K`, imported when first asked for (they need the
    kernel)."""
    if name in ("Scorer", "DEFAULT_TOP_K"):
        from model import scoring

        return getattr(scoring, name)
    if name == "Router":
        from model import routing

        return routing.Router
    raise AttributeError(f"module 'model' has no attribute {name!r}")
