"""The training data a model records in its manifest, loaded again (for `escalation-evaluate
--cv`): registered corpora by name, the user's files by their recorded path, each file checked
against the SHA-256 recorded when the model was trained."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from training.data.registry import REGISTRY, load_corpus
from training.data.sources import Corpus, DataError, LoadedSource, file_records
from training.data.userdata import load_user_file


def is_user_source(source: Mapping[str, Any]) -> bool:
    """Whether a manifest source is a user's file rather than a registered corpus."""
    return source["name"] not in REGISTRY


def recorded_sources(manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The manifest's training sources; an error when it records none."""
    sources: list[Mapping[str, Any]] = list(manifest.get("sources") or [])
    if not sources:
        raise DataError("the model records no training sources: nothing to cross-validate")
    return sources


def check_user_file(source: Mapping[str, Any]) -> Path:
    """The recorded path of a user source, if the file is there and unchanged."""
    (recorded,) = source["files"]
    path = Path(recorded["path"])
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise DataError(
            f"{path}: the model was trained on this file and it cannot be read now "
            f"({exc.strerror or exc}); run from the directory the model was trained in"
        ) from exc
    if digest != recorded["sha256"]:
        raise DataError(
            f"{path}: changed since the model was trained on it (SHA-256 {digest[:12]}…, "
            f"recorded {recorded['sha256'][:12]}…)"
        )
    return path


def load_training_sources(
    manifest: Mapping[str, Any],
    *,
    positive_class: str | None = None,
    negative_classes: Sequence[str] = (),
    corpus: Mapping[str, Corpus] | None = None,
) -> list[LoadedSource]:
    """Every training source of the model, loaded; `corpus` replaces registered corpora by
    name (e.g. CAMEO without its code definitions for the baseline)."""
    loaded = []
    for source in recorded_sources(manifest):
        if is_user_source(source):
            path = check_user_file(source)
            loaded.append(
                load_user_file(
                    path, positive_class=positive_class, negative_classes=negative_classes
                )
            )
        else:
            check_cut(source)
            loaded.append(load_corpus((corpus or {}).get(source["name"], source["name"])))
    return loaded


def pinned_files(name: str) -> list[dict[str, str]]:
    """A registered corpus' files as a manifest records them: path and SHA-256 of each."""
    return file_records(REGISTRY[name].provenance())


def cut_anew(source: Mapping[str, Any]) -> bool:
    """Whether a registered corpus is read now otherwise than when the model was trained on it:
    its rows cut another way, as the registry's description says (an artifact that records none
    predates it), or other pinned files (the project's own sentences edited and pinned anew)."""
    name = source["name"]
    return bool(
        source.get("description") != REGISTRY[name].description
        or list(source.get("files") or []) != pinned_files(name)
    )


def check_cut(source: Mapping[str, Any]) -> None:
    """A registered corpus is read now as the model was trained on it (`cut_anew`)."""
    if not cut_anew(source):
        return
    recorded, now = source.get("description"), REGISTRY[source["name"]].description
    if recorded != now:
        raise DataError(
            f"{source['name']}: the model was trained on it as "
            f"{'an older release cut it' if recorded is None else repr(recorded)}, this release "
            f"reads {now!r}: retrain the model"
        )
    raise DataError(
        f"{source['name']}: the model was trained on other files of it than this release pins: "
        "retrain the model"
    )
