"""The model artifact: one joblib file holding the fitted pipeline and its manifest.

Layout: a joblib-pickled dict `{"format", "manifest_json", "pipeline", "sha256"}` where
`pipeline` is the joblib bytes of the scikit-learn Pipeline and `sha256` covers the manifest
and those bytes, so a corrupted or altered file is refused before the pipeline is unpickled.
One file means one atomic rename publishes a model (no sidecar to get out of step).

Security: joblib/pickle files run code when loaded. Load only artifacts you trust; the
checksum detects corruption and accidental edits, not a deliberate forgery.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import joblib
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.pipeline import Pipeline

from model import features
from model.compiled import ngram_settings

FORMAT = "escalation-risk-artifact/1"
DEFAULT_MODEL_PATH = Path("artifacts/escalation-model.joblib")
MODEL_PATH_ENV = "ESCALATION_MODEL_PATH"


class ArtifactError(RuntimeError):
    """The artifact is missing, corrupted, altered or incompatible."""


@dataclass(frozen=True)
class Artifact:
    """A loaded, verified model: the fitted pipeline and its manifest."""

    pipeline: Pipeline
    manifest: dict[str, Any]

    @property
    def version(self) -> str:
        """The model version recorded at training time."""
        return str(self.manifest["version"])


def default_model_path() -> Path:
    """The artifact path: `ESCALATION_MODEL_PATH` if set, else the repository default."""
    return Path(os.environ.get(MODEL_PATH_ENV) or DEFAULT_MODEL_PATH)


def _digest(manifest_json: str, payload: bytes) -> str:
    """SHA-256 over the manifest text and the pipeline bytes."""
    h = hashlib.sha256(manifest_json.encode("utf-8"))
    h.update(payload)
    return h.hexdigest()


def _umask_mode() -> int:
    """The mode a plain `open()` would give a new file (mkstemp's 0600 is too strict for a
    model that another user, such as a service account, must read)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write through a temp file beside `path`, fsync, then rename over it: readers see the old
    file or the new one, never a part, and a failure leaves the old one untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save_artifact(pipeline: Pipeline, manifest: dict[str, Any], path: Path) -> Path:
    """Write the artifact atomically (see `write_atomically`), its manifest stamped with the
    feature rules this code applies (`model.features`) and the pipeline's n-gram settings."""
    manifest = {**manifest, "features": features.manifest_entry(ngram_settings(pipeline))}
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    payload = buffer.getvalue()
    manifest_json = json.dumps(manifest, sort_keys=True)
    record = {
        "format": FORMAT,
        "manifest_json": manifest_json,
        "pipeline": payload,
        "sha256": _digest(manifest_json, payload),
    }
    return write_atomically(path, lambda fh: joblib.dump(record, fh))


def load_artifact(path: Path) -> Artifact:
    """Load and verify an artifact; raise ArtifactError with the reason if it is unusable."""
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"no model artifact at {path}: train one with escalation-train")
    try:
        record = joblib.load(path)
    except Exception as exc:  # any unpickling failure means a damaged file
        raise ArtifactError(f"{path} is not a readable model artifact: {exc}") from exc
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ArtifactError(f"{path} is not a {FORMAT} file")
    manifest_json, payload = record.get("manifest_json"), record.get("pipeline")
    if not isinstance(manifest_json, str) or not isinstance(payload, bytes):
        raise ArtifactError(f"{path} is missing its manifest or pipeline")
    if _digest(manifest_json, payload) != record.get("sha256"):
        raise ArtifactError(f"{path} failed its integrity check (corrupted or altered)")
    manifest = json.loads(manifest_json)
    try:
        features.check(manifest)
    except features.FeatureSpecError as exc:
        raise ArtifactError(f"{path}: {exc}") from exc
    try:
        with warnings.catch_warnings():
            # Unpickling across scikit-learn versions is unsupported: refuse instead of guessing.
            warnings.simplefilter("error", InconsistentVersionWarning)
            pipeline = joblib.load(io.BytesIO(payload))
    except InconsistentVersionWarning as exc:
        raise ArtifactError(f"{path} was trained with another scikit-learn: {exc}") from exc
    except Exception as exc:
        raise ArtifactError(f"{path}: the pipeline could not be loaded: {exc}") from exc
    if not isinstance(pipeline, Pipeline):
        raise ArtifactError(f"{path} does not hold a scikit-learn Pipeline")
    return Artifact(pipeline=pipeline, manifest=manifest)
