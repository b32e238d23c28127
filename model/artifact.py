"""The model artifact: one file holding one fitted pipeline per supported language and the
manifest, verified before a single pickle byte is read.

Layout (integers big-endian)::

    magic  b"ESCRISK\\0"                     8 bytes
    container version                       u16 (CONTAINER_VERSION)
    header length                           u32
    header: JSON, UTF-8                     {"format", "payload", "scikit-learn", "manifest"}
    SHA-256 of everything before it and of the payload after it     32 bytes
    payload: the joblib bytes of {language: scikit-learn Pipeline} (to the end of the file)

The manifest holds what all languages share (version, levels, libraries) and, under
`languages`, each language model's own: its sources and licences, hyper-parameters, CV figures,
quality gate and feature specification (`model.features.spec` of that language). `unsupported`
lists languages that were trained but missed their gate, with their figures: they are not in
the payload. `Artifact` is one language's model, its manifest that language's entry merged
over the shared part (`language_manifest`).

`read_verified` reads the file once, compares the digest, parses the header and checks it
(`check_manifest` is the place for manifest-level checks) before anything is unpickled; a file
written by another scikit-learn is refused from its header, so its pickle never runs either.
One file means one atomic rename publishes a model (no sidecar to get out of step).

Payload: joblib, not skops. skops.io with an explicit trusted-type list (our analyzers
`model.text.WordAnalyzer`/`CharAnalyzer`) would load without running code, but on the default
model it was a 159 MB file against joblib's 5.9 MB, loaded in 17 s against 1.9 s and dumped in
50 s against 4.5 s (`bench/artifact_formats.py`): too slow for a worker start or a HUP reload.

Security: the digest detects corruption and edits, not a forgery (whoever can write the file can
recompute it), and a verified pickle still runs code when loaded. Load only artifacts you trust;
protect who can write them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import joblib
import sklearn
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.pipeline import Pipeline

from model import features
from model.vectorisers import ngram_settings, pipeline_language

FORMAT = "escalation-risk-artifact/3"
MAGIC = b"ESCRISK\x00"
CONTAINER_VERSION = 3
PAYLOAD = "joblib"
DEFAULT_MODEL_PATH = Path("artifacts/escalation-model.joblib")
MODEL_PATH_ENV = "ESCALATION_MODEL_PATH"
_PREFIX = struct.Struct(">8sHI")  # magic, container version, header length
_DIGEST_BYTES = 32
_HEADER_LIMIT = 16 * 1024 * 1024
_RETRAIN = "retrain it with escalation-train"


class ArtifactError(RuntimeError):
    """The artifact is missing, corrupted, altered or incompatible."""


# The manifest fields of one language model (under `languages`); every other field is shared.
LANGUAGE_FIELDS = (
    "sources",
    "knowledge",
    "hyperparameters",
    "metrics",
    "features",
    "gate",
    "article_calibration",
    "alert_threshold",
    "language_seconds",
)


@dataclass(frozen=True)
class Artifact:
    """One language's loaded, verified model: its fitted pipeline and manifest (the shared
    fields with its own, `language` among them)."""

    pipeline: Pipeline
    manifest: dict[str, Any]

    @property
    def version(self) -> str:
        """The model version recorded at training time."""
        return str(self.manifest["version"])

    @property
    def language(self) -> str:
        """The language (ISO 639-1) this model reads."""
        return str(self.manifest.get("language", "en"))


@dataclass(frozen=True)
class Release:
    """A loaded, verified artifact file: a model per supported language, one version."""

    models: dict[str, Artifact]
    manifest: dict[str, Any]

    @property
    def version(self) -> str:
        """The version recorded at training time."""
        return str(self.manifest["version"])

    @property
    def languages(self) -> tuple[str, ...]:
        """The supported languages, in the order trained."""
        return tuple(self.models)

    def model(self, language: str) -> Artifact:
        """One language's model; ArtifactError when the file has none."""
        try:
            return self.models[language]
        except KeyError:
            raise ArtifactError(
                f"the model {self.version} has no {language!r} model "
                f"(languages: {', '.join(self.models)})"
            ) from None


def language_manifest(manifest: dict[str, Any], language: str) -> dict[str, Any]:
    """One language model's manifest: the shared fields, its own, and `language`."""
    shared = {k: v for k, v in manifest.items() if k not in ("languages", "unsupported")}
    return {**shared, **manifest["languages"][language], "language": language}


def split_manifest(manifests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The file's manifest of language models' manifests (`language_manifest` undoes it): the
    shared fields (equal in every one: ArtifactError otherwise), each model's own under
    `languages`."""
    first = next(iter(manifests.values()))
    shared = {k: v for k, v in first.items() if k not in LANGUAGE_FIELDS and k != "language"}
    for code, manifest in manifests.items():
        differ = sorted(
            k
            for k in shared.keys() | manifest.keys()
            if k not in LANGUAGE_FIELDS and k != "language" and manifest.get(k) != shared.get(k)
        )
        if differ:
            raise ArtifactError(f"the {code!r} model's manifest differs in shared fields: {differ}")
    return {
        **shared,
        "languages": {
            code: {k: v for k, v in m.items() if k in LANGUAGE_FIELDS}
            for code, m in manifests.items()
        },
    }


def default_model_path() -> Path:
    """The artifact path: `ESCALATION_MODEL_PATH` if set, else the repository default."""
    return Path(os.environ.get(MODEL_PATH_ENV) or DEFAULT_MODEL_PATH)


def _umask_mode() -> int:
    """The mode a plain `open()` would give a new file (mkstemp's 0600 is too strict for a
    model that another user, such as a service account, must read)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _fsync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable (the new entry survives a crash)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write through a temp file beside `path`, fsync, rename over it, fsync the directory:
    readers see the old file or the new one, never a part, and a failure leaves the old one
    untouched."""
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
    _fsync_directory(path.parent)
    return path


def pack(header: dict[str, Any], payload: bytes) -> bytes:
    """The container bytes of a header and a payload (its digest computed here)."""
    header_json = json.dumps(header, sort_keys=True).encode("utf-8")
    prefix = _PREFIX.pack(MAGIC, CONTAINER_VERSION, len(header_json)) + header_json
    digest = hashlib.sha256(prefix)
    digest.update(payload)
    return prefix + digest.digest() + payload


def save_release(
    models: dict[str, tuple[Pipeline, dict[str, Any]]],
    path: Path,
    unsupported: dict[str, Any] | None = None,
) -> Path:
    """Write an artifact of one model per language (`{language: (pipeline, manifest)}`, the
    manifests sharing version and levels) atomically (see `write_atomically`), each language's
    manifest stamped with the feature rules this code applies to it (`model.features`) and its
    pipeline's n-gram settings; `unsupported`: languages trained that missed their gate."""
    if not models:
        raise ArtifactError("an artifact needs at least one language model")
    for code, (pipeline, _) in models.items():
        if (applied := pipeline_language(pipeline)) != code:
            raise ArtifactError(f"the {code!r} model's analyzers apply the {applied!r} rules")
    stamped = {
        code: {
            **manifest,
            "features": features.manifest_entry(ngram_settings(pipeline), code),
        }
        for code, (pipeline, manifest) in models.items()
    }
    manifest = split_manifest(stamped)
    if unsupported:
        manifest["unsupported"] = unsupported
    buffer = io.BytesIO()
    joblib.dump({code: pipeline for code, (pipeline, _) in models.items()}, buffer)
    header = {
        "format": FORMAT,
        "payload": PAYLOAD,
        "scikit-learn": sklearn.__version__,
        "manifest": manifest,
    }
    data = pack(header, buffer.getvalue())
    return write_atomically(path, lambda fh: fh.write(data))


def save_artifact(pipeline: Pipeline, manifest: dict[str, Any], path: Path) -> Path:
    """Write an artifact of one language model (`manifest["language"]`, English when absent)."""
    return save_release({str(manifest.get("language", "en")): (pipeline, manifest)}, path)


def _unpack(path: Path, data: bytes) -> tuple[dict[str, Any], bytes]:
    """The header and payload of a container whose digest verifies; ArtifactError otherwise."""
    if not data.startswith(MAGIC):
        if data[:1] == b"\x80":  # a pickle: the format before this container
            raise ArtifactError(f"{path} is in the old, unverifiable pickle format: {_RETRAIN}")
        raise ArtifactError(f"{path} is not a readable model artifact")
    if len(data) < _PREFIX.size:
        raise ArtifactError(f"{path} is truncated")
    _, version, size = _PREFIX.unpack_from(data)
    if version != CONTAINER_VERSION:
        raise ArtifactError(f"{path} is container version {version}, not {CONTAINER_VERSION}")
    body = _PREFIX.size + size
    if size > _HEADER_LIMIT or len(data) < body + _DIGEST_BYTES:
        raise ArtifactError(f"{path} is truncated or malformed")
    payload = data[body + _DIGEST_BYTES :]
    digest = hashlib.sha256(data[:body])
    digest.update(payload)
    if digest.digest() != data[body : body + _DIGEST_BYTES]:
        raise ArtifactError(f"{path} failed its integrity check (corrupted or altered)")
    try:
        header = json.loads(data[_PREFIX.size : body].decode("utf-8"))
    except ValueError as exc:
        raise ArtifactError(f"{path} has an unreadable header: {exc}") from exc
    if not isinstance(header, dict) or not isinstance(header.get("manifest"), dict):
        raise ArtifactError(f"{path} has no manifest")
    return header, payload


def check_manifest(header: dict[str, Any], path: Path) -> dict[str, Any]:
    """Refuse a verified file this code cannot use, from its header alone; return the manifest.
    Every check that needs no unpickling belongs here."""
    if header.get("format") != FORMAT or header.get("payload") != PAYLOAD:
        raise ArtifactError(f"{path} is not a {FORMAT} file with a {PAYLOAD} payload")
    trained = header.get("scikit-learn")
    if trained != sklearn.__version__:
        # Unpickling across scikit-learn versions is unsupported: refuse instead of guessing.
        raise ArtifactError(
            f"{path} was trained with scikit-learn {trained}, this is {sklearn.__version__}: "
            f"{_RETRAIN}"
        )
    manifest: dict[str, Any] = header["manifest"]
    if not isinstance(manifest.get("version"), str):
        raise ArtifactError(f"{path}: the manifest has no model version")
    languages = manifest.get("languages")
    if not isinstance(languages, dict) or not languages:
        raise ArtifactError(f"{path}: the manifest lists no language model")
    for code, entry in languages.items():
        if not isinstance(entry, dict):
            raise ArtifactError(f"{path}: the {code!r} model has no manifest")
        try:
            features.check(entry, code)
        except features.FeatureSpecError as exc:
            raise ArtifactError(f"{path}: {exc}") from exc
    return manifest


def read_verified(path: Path) -> tuple[dict[str, Any], bytes]:
    """Read `path` once; return its checked manifest and its payload, nothing unpickled."""
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"no model artifact at {path}: train one with escalation-train")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"{path} could not be read: {exc}") from exc
    header, payload = _unpack(path, data)
    return check_manifest(header, path), payload


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a verified artifact (no pipeline is loaded)."""
    return read_verified(path)[0]


def load_release(path: Path) -> Release:
    """Load and verify an artifact; raise ArtifactError with the reason if it is unusable."""
    manifest, payload = read_verified(path)
    try:
        with warnings.catch_warnings():
            # Second line behind check_manifest: a pickle naming other estimator versions.
            warnings.simplefilter("error", InconsistentVersionWarning)
            pipelines = joblib.load(io.BytesIO(payload))
    except InconsistentVersionWarning as exc:
        raise ArtifactError(f"{path} was trained with another scikit-learn: {exc}") from exc
    except Exception as exc:
        raise ArtifactError(f"{path}: the pipeline could not be loaded: {exc}") from exc
    # The header is JSON with sorted keys: the payload keeps the order the languages were
    # trained in, the manifest lists them sorted.
    if not isinstance(pipelines, dict) or sorted(pipelines) != sorted(manifest["languages"]):
        raise ArtifactError(f"{path}: its pipelines do not match the languages of its manifest")
    models = {}
    for code, pipeline in pipelines.items():
        if not isinstance(pipeline, Pipeline):
            raise ArtifactError(f"{path}: the {code!r} model is not a scikit-learn Pipeline")
        models[code] = Artifact(pipeline, language_manifest(manifest, code))
    return Release(models, manifest)


def load_artifact(path: Path, language: str = "en") -> Artifact:
    """One language's model of a verified artifact (`load_release`)."""
    release = load_release(path)
    try:
        return release.model(language)
    except ArtifactError as exc:  # it has no such model
        raise ArtifactError(f"{path}: {exc}") from None
