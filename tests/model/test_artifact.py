"""Artifact save/load: round trip, integrity, atomic replacement."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import joblib
import pytest

from model import artifact as artifact_module
from model import features
from model.artifact import ArtifactError, load_artifact, save_artifact

MANIFEST = {"version": "v1", "metrics": {"cv": {}}}


def test_round_trip_keeps_pipeline_and_manifest(tmp_path: Path, tiny_pipeline) -> None:
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    loaded = load_artifact(path)
    stamped = loaded.manifest.pop("features")
    assert loaded.manifest == MANIFEST and loaded.version == "v1"
    assert stamped["spec"] == features.spec() and stamped["sha256"] == features.digest()
    assert stamped["ngrams"]["word"]["max_n"] == 2 and stamped["ngrams"]["char"]["max_n"] == 5
    texts = ["troops mobilised", "trade agreement signed"]
    assert (loaded.pipeline.predict_proba(texts) == tiny_pipeline.predict_proba(texts)).all()


def test_flipped_byte_is_refused(tmp_path: Path, tiny_pipeline) -> None:
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError):
        load_artifact(path)


def test_altered_manifest_fails_integrity_check(tmp_path: Path, tiny_pipeline) -> None:
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    record = joblib.load(path)
    record["manifest_json"] = record["manifest_json"].replace("v1", "v2")
    joblib.dump(record, path)
    with pytest.raises(ArtifactError, match="integrity"):
        load_artifact(path)


@pytest.mark.parametrize("content", [b"", b"not a model", None])
def test_missing_or_foreign_files_are_refused(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "m.joblib"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ArtifactError):
        load_artifact(path)


def test_a_foreign_joblib_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    joblib.dump({"format": "something else"}, path)
    with pytest.raises(ArtifactError, match="not a"):
        load_artifact(path)


def test_failed_write_leaves_previous_artifact(tmp_path: Path, tiny_pipeline, monkeypatch) -> None:
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    before = path.read_bytes()
    real_dump = joblib.dump

    def broken_dump(obj, target, *args, **kwargs):
        if hasattr(target, "write") and isinstance(obj, dict):
            target.write(b"partial")
            raise OSError("disk full")
        return real_dump(obj, target, *args, **kwargs)

    monkeypatch.setattr(artifact_module.joblib, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        save_artifact(tiny_pipeline, {"version": "v2"}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.joblib"]


def test_artifact_is_readable_by_other_users(tmp_path: Path, tiny_pipeline) -> None:
    """mkstemp makes 0600 files; a model must follow the umask so a service account can read."""
    old = os.umask(0o022)
    try:
        path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_an_artifact_trained_under_other_feature_rules_is_refused(
    tmp_path: Path, tiny_pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One more actor name in this code (as if model/actors.py changed): the artifact trained
    before it is refused, naming what differs, instead of masking differently than trained."""
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    rules = features.spec()
    names = [*rules["actors"]["names"], "atlantis"]
    changed = {**rules, "actors": {**rules["actors"], "names": names}}
    monkeypatch.setattr(features, "spec", lambda: changed)
    with pytest.raises(ArtifactError, match="they differ in actors: retrain"):
        load_artifact(path)
    monkeypatch.undo()
    assert load_artifact(path).version == "v1"


def test_an_artifact_without_feature_rules_is_refused(tmp_path: Path, tiny_pipeline) -> None:
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    record = joblib.load(path)
    manifest = json.loads(record["manifest_json"])
    del manifest["features"]
    record["manifest_json"] = json.dumps(manifest, sort_keys=True)
    record["sha256"] = artifact_module._digest(record["manifest_json"], record["pipeline"])
    joblib.dump(record, path)
    with pytest.raises(ArtifactError, match="no feature specification.*retrain"):
        load_artifact(path)
