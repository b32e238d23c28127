"""Artifact save/load: round trip, verification before unpickling, atomic replacement."""

from __future__ import annotations

import io
import json
import os
import pickle
import stat
import struct
from pathlib import Path

import joblib
import pytest
import sklearn
from sklearn.pipeline import Pipeline

from model import features
from model.artifact import (
    CONTAINER_VERSION,
    FORMAT,
    Artifact,
    ArtifactError,
    load_artifact,
    load_release,
    pack,
    read_manifest,
    save_artifact,
    save_release,
)
from model.scoring import Scorer

MANIFEST = {"version": "v1", "metrics": {"cv": {}}}


class Marker:
    """Unpickling this makes a directory: proof that a pickle ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.path),)


def file_manifest(**english: object) -> dict[str, object]:
    """The file's manifest of an English model with MANIFEST's fields: the version shared, the
    rest under `languages` (with `english`'s fields)."""
    return {"version": "v1", "languages": {"en": {"metrics": {"cv": {}}, **english}}}


def header(**changes: object) -> dict[str, object]:
    """A valid container header, with `changes`."""
    return {
        "format": FORMAT,
        "payload": "joblib",
        "scikit-learn": sklearn.__version__,
        "manifest": file_manifest(features=features.manifest_entry({})),
        **changes,
    }


def test_round_trip_keeps_pipeline_and_manifest(tmp_path: Path, tiny_pipeline: Pipeline) -> None:
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    loaded = load_artifact(path)
    stamped = loaded.manifest.pop("features")
    assert loaded.manifest == {**MANIFEST, "language": "en"} and loaded.version == "v1"
    assert loaded.language == "en"
    # The file: the shared fields, then each language model's own under `languages`.
    assert read_manifest(path) == file_manifest(features=stamped)
    assert stamped["spec"] == features.spec() and stamped["sha256"] == features.digest()
    assert stamped["ngrams"]["word"]["max_n"] == 2 and stamped["ngrams"]["char"]["max_n"] == 5
    texts = ["troops mobilised", "trade agreement signed"]
    assert (loaded.pipeline.predict_proba(texts) == tiny_pipeline.predict_proba(texts)).all()


def test_marker_pickle_runs_when_loaded(tmp_path: Path) -> None:
    """The control for the tests below: this payload does run code when unpickled."""
    pickle.loads(pickle.dumps(Marker(tmp_path / "ran")))
    assert (tmp_path / "ran").exists()


def test_a_payload_that_fails_its_digest_is_never_unpickled(tmp_path: Path) -> None:
    marker, path = tmp_path / "ran", tmp_path / "m.joblib"
    payload = pickle.dumps(Marker(marker))
    data = bytearray(pack(header(), payload))
    data[-len(payload) - 1] ^= 0x01  # the digest's last byte: the pickle itself is intact
    path.write_bytes(bytes(data))
    for read in (load_artifact, read_manifest):
        with pytest.raises(ArtifactError, match="integrity"):
            read(path)
    assert not marker.exists()


def test_another_scikit_learn_is_refused_before_unpickling(tmp_path: Path) -> None:
    """A correctly digested file from another scikit-learn: refused from its header."""
    marker, path = tmp_path / "ran", tmp_path / "m.joblib"
    path.write_bytes(pack(header(**{"scikit-learn": "1.0.0"}), pickle.dumps(Marker(marker))))
    with pytest.raises(ArtifactError, match=r"scikit-learn 1\.0\.0.*retrain"):
        load_artifact(path)
    assert not marker.exists()


def test_the_pipeline_of_a_verified_file_is_unpickled(tmp_path: Path) -> None:
    """The same payload with a good digest and header does reach the unpickler (and is then
    refused as no Pipeline): the refusals above come from verification."""
    marker, path = tmp_path / "ran", tmp_path / "m.joblib"
    path.write_bytes(pack(header(), pickle.dumps({"en": Marker(marker)})))
    with pytest.raises(ArtifactError, match="'en' model is not a scikit-learn Pipeline"):
        load_artifact(path)
    assert marker.exists()


def test_altered_manifest_fails_integrity_check(tmp_path: Path, tiny_pipeline: Pipeline) -> None:
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    data = path.read_bytes()
    assert data.count(b'"v1"') == 1
    path.write_bytes(data.replace(b'"v1"', b'"v2"'))
    with pytest.raises(ArtifactError, match="integrity"):
        load_artifact(path)


def test_flipped_byte_is_refused(tmp_path: Path, tiny_pipeline: Pipeline) -> None:
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="integrity"):
        load_artifact(path)


def test_old_pickle_format_is_refused_unread(tmp_path: Path) -> None:
    """The previous format was a joblib pickle: refused with a retrain message, not loaded."""
    marker, path = tmp_path / "ran", tmp_path / "m.joblib"
    joblib.dump({"format": "escalation-risk-artifact/1", "pipeline": Marker(marker)}, path)
    with pytest.raises(ArtifactError, match="old.*retrain"):
        load_artifact(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no model artifact"),
        (b"", "not a readable model artifact"),
        (b"not a model", "not a readable model artifact"),
        (b"ESCRISK\x00\x00", "truncated"),
        (struct.pack(">8sHI", b"ESCRISK\x00", 9, 2) + b"{}", "container version 9"),
        (struct.pack(">8sHI", b"ESCRISK\x00", CONTAINER_VERSION, 10**6) + b"{}", "truncated"),
        # The container of one English model, before artifacts held a model per language.
        (struct.pack(">8sHI", b"ESCRISK\x00", 2, 2) + b"{}", "container version 2, not 3"),
    ],
)
def test_missing_or_foreign_files_are_refused(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "m.joblib"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ArtifactError, match=reason):
        load_artifact(path)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"format": "something else"}, "not a"),
        ({"payload": "skops"}, "not a"),
        ({"manifest": {"metrics": {}}}, "no model version"),
        ({"manifest": None}, "no manifest"),
    ],
)
def test_headers_this_code_cannot_use_are_refused(
    tmp_path: Path, changes: dict[str, object], reason: str
) -> None:
    path = tmp_path / "m.joblib"
    buffer = io.BytesIO()
    joblib.dump([1], buffer)
    path.write_bytes(pack(header(**changes), buffer.getvalue()))
    with pytest.raises(ArtifactError, match=reason):
        load_artifact(path)


def test_header_is_json_before_the_digest(tmp_path: Path, tiny_pipeline: Pipeline) -> None:
    """The layout as documented: magic, version, header length, header, digest, payload."""
    data = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib").read_bytes()
    magic, version, size = struct.unpack_from(">8sHI", data)
    assert (magic, version) == (b"ESCRISK\x00", 3)
    parsed = json.loads(data[14 : 14 + size])
    assert parsed["format"] == "escalation-risk-artifact/3"
    english = parsed["manifest"]["languages"]["en"]
    assert english.pop("features")["sha256"] == features.digest()
    assert parsed["manifest"] == file_manifest() and parsed["scikit-learn"] == sklearn.__version__


def test_failed_write_leaves_previous_artifact(
    tmp_path: Path, tiny_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    before = path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        save_artifact(tiny_pipeline, {"version": "v2"}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.joblib"]


def test_the_file_and_then_its_directory_are_fsynced(
    tmp_path: Path, tiny_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[bool] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    assert synced == [False, True]


def test_artifact_is_readable_by_other_users(tmp_path: Path, tiny_pipeline: Pipeline) -> None:
    """mkstemp makes 0600 files; a model must follow the umask so a service account can read."""
    old = os.umask(0o022)
    try:
        path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_an_artifact_trained_under_other_feature_rules_is_refused(
    tmp_path: Path, tiny_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One more actor name in this code (as if model/actors.py changed): the artifact trained
    before it is refused, naming what differs, instead of masking differently than trained."""
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    rules = features.spec()
    names = [*rules["actors"]["names"], "atlantis"]
    changed = {**rules, "actors": {**rules["actors"], "names": names}}
    monkeypatch.setattr(features, "spec", lambda language="en": changed)
    with pytest.raises(ArtifactError, match="the en model .* they differ in actors: retrain"):
        load_artifact(path)
    monkeypatch.undo()
    assert load_artifact(path).version == "v1"


def test_an_artifact_without_feature_rules_is_refused(tmp_path: Path) -> None:
    """Refused from its verified header: the payload (a marker pickle) never runs."""
    marker = tmp_path / "ran"
    path = tmp_path / "m.joblib"
    path.write_bytes(pack(header(manifest=file_manifest()), pickle.dumps(Marker(marker))))
    with pytest.raises(ArtifactError, match="no feature specification.*retrain"):
        load_artifact(path)
    assert not marker.exists()


def test_a_release_keeps_each_languages_model_and_manifest(
    tmp_path: Path, tiny_pipeline: Pipeline, tiny_arabic_pipeline: Pipeline
) -> None:
    """One file, a model per language: shared fields once, each model's own (its feature rules
    among them) under `languages`, the languages that missed their gate under `unsupported`."""
    gate = {"checks": [], "passed": False}
    unsupported = {"es": {"sources": [], "metrics": {"cv": {}}, "gate": gate}}
    models = {
        "en": (tiny_pipeline, {**MANIFEST, "alert_threshold": 0.5}),
        "ar": (tiny_arabic_pipeline, {**MANIFEST, "alert_threshold": 0.6}),
    }
    path = save_release(models, tmp_path / "m.joblib", unsupported)
    manifest = read_manifest(path)
    assert set(manifest["languages"]) == {"en", "ar"} and manifest["version"] == "v1"
    assert manifest["unsupported"] == unsupported
    assert "metrics" not in manifest and "features" not in manifest  # a language's own
    for code, threshold in (("en", 0.5), ("ar", 0.6)):
        entry = manifest["languages"][code]
        assert entry["alert_threshold"] == threshold
        assert entry["features"]["spec"] == features.spec(code)
        assert entry["features"]["sha256"] == features.digest(language=code)
    assert features.digest(language="ar") != features.digest(language="en")
    release = load_release(path)
    # In the order trained (the header's JSON sorts its keys; English comes first all the same).
    assert release.languages == ("en", "ar") and release.version == "v1"
    arabic = load_artifact(path, "ar")
    assert arabic.language == "ar" and arabic.manifest["alert_threshold"] == 0.6
    assert arabic.manifest["features"]["spec"]["language"] == "ar"
    assert "unsupported" not in arabic.manifest and "languages" not in arabic.manifest
    texts = ["حشدت القوات على الحدود", "troops mobilised"]
    assert (arabic.pipeline.predict_proba(texts) == tiny_arabic_pipeline.predict_proba(texts)).all()
    assert (
        release.model("en").pipeline.predict_proba(texts) == tiny_pipeline.predict_proba(texts)
    ).all()
    with pytest.raises(ArtifactError, match=r"no 'es' model \(languages: en, ar\)"):
        load_artifact(path, "es")
    with pytest.raises(ArtifactError, match="no 'fr' model"):
        release.model("fr")


def test_an_artifact_needs_a_language_model(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="at least one language model"):
        save_release({}, tmp_path / "m.joblib")
    assert not (tmp_path / "m.joblib").exists()


@pytest.mark.parametrize(
    ("languages", "reason"),
    [
        ({}, "lists no language model"),
        (None, "lists no language model"),
        ({"en": "features"}, "the 'en' model has no manifest"),
        # Arabic under English rules: the Arabic model would see other word forms and names.
        ({"ar": {"features": features.manifest_entry({}, "en")}}, "the ar model was trained under"),
        (
            {"fr": {"features": features.manifest_entry({}, "en")}},
            "no text rules for language 'fr'",
        ),
    ],
)
def test_language_models_this_code_cannot_read_are_refused_unread(
    tmp_path: Path, languages: object, reason: str
) -> None:
    marker, path = tmp_path / "ran", tmp_path / "m.joblib"
    manifest = {"version": "v1", "languages": languages}
    path.write_bytes(pack(header(manifest=manifest), pickle.dumps({"en": Marker(marker)})))
    for read in (load_artifact, read_manifest):
        with pytest.raises(ArtifactError, match=reason):
            read(path)
    assert not marker.exists()


def test_pipelines_must_be_the_languages_of_the_manifest(
    tmp_path: Path, tiny_pipeline: Pipeline
) -> None:
    """A payload whose models are not the manifest's languages, in its order, is refused."""
    buffer = io.BytesIO()
    joblib.dump({"ar": tiny_pipeline}, buffer)
    path = tmp_path / "m.joblib"
    path.write_bytes(pack(header(), buffer.getvalue()))
    with pytest.raises(ArtifactError, match="do not match the languages of its manifest"):
        load_artifact(path)


def test_a_model_is_filed_under_the_language_its_rules_read(
    tmp_path: Path, tiny_pipeline: Pipeline, tiny_arabic_pipeline: Pipeline
) -> None:
    """An English pipeline saved as the Arabic model is refused when written, and a file that
    says otherwise (written by other code) is refused when scored."""
    with pytest.raises(ArtifactError, match="'ar' model's analyzers apply the 'en' rules"):
        save_release({"ar": (tiny_pipeline, dict(MANIFEST))}, tmp_path / "m.joblib")
    assert not (tmp_path / "m.joblib").exists()
    with pytest.raises(ValueError, match="'ar' model applies the 'en' word rules"):
        Scorer(Artifact(tiny_pipeline, {**MANIFEST, "language": "ar"}))
    Scorer(Artifact(tiny_arabic_pipeline, {**MANIFEST, "language": "ar"}))


def test_shared_fields_must_agree_across_languages(
    tmp_path: Path, tiny_pipeline: Pipeline, tiny_arabic_pipeline: Pipeline
) -> None:
    """A field every language shares (the version, the levels) that differs is refused, not
    silently taken from the first."""
    models = {
        "en": (tiny_pipeline, dict(MANIFEST)),
        "ar": (tiny_arabic_pipeline, {**MANIFEST, "version": "v2"}),
    }
    with pytest.raises(
        ArtifactError, match=r"'ar' model's manifest differs in shared fields: \['version'\]"
    ):
        save_release(models, tmp_path / "m.joblib")
