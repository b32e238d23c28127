"""Texts and assertions the service tests share (fixtures stay in conftest.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from model.artifact import save_artifact
from model.text import tokenize
from tests.helpers import assert_event_spans, event_phrase

SEED_ARTICLE = Path(__file__).resolve().parents[3] / "shared/data/seed/nato-preemptive-strike.txt"
ESCALATORY_TEXT = "Troops mobilised at the border. The minister threatened a pre-emptive strike!"
COOPERATIVE_TEXT = "Both governments signed a trade agreement and welcomed the peace talks."
PROBLEM = "application/problem+json"


def seed_text() -> str:
    """The seed article, or skip the test when the shared data is not beside the repo."""
    if not SEED_ARTICLE.is_file():
        pytest.skip(f"seed article not found at {SEED_ARTICLE}")
    return SEED_ARTICLE.read_text(encoding="utf-8")


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.get_json(force=True)
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def assert_spans_index(text: str, result: dict[str, Any]) -> None:
    """Every phrase span reads as the phrase in the text exactly as sent."""
    for phrase in result["phrases"] + result["deescalating_phrases"]:
        assert phrase["spans"]
        spanned = [" ".join(t.norm for t in tokenize(text[s:e])) for s, e in phrase["spans"]]
        if event_phrase(phrase["text"], spanned):
            assert_event_spans(phrase["text"], spanned)
        else:
            assert set(spanned) == {phrase["text"]}
    for sentence in result["sentences"]:
        assert 0 <= sentence["start"] < sentence["end"] <= len(text)


def live_copy(tmp_path: Path, model: Path) -> Path:
    """A copy of `model` as the live model file of a deployment, in a directory of its own."""
    live = tmp_path / "models" / "escalation-model.joblib"
    live.parent.mkdir()
    shutil.copyfile(model, live)
    return live


def publish_tiny_2(live: Path, pipeline: Any) -> None:
    """Publish `pipeline` as version tiny-2 over `live` as docs/deployment.md says: written
    beside it, then renamed over it (atomic on one filesystem)."""
    staged = live.with_name(live.name + ".new")
    manifest = {"version": "tiny-2", "created_at": "2026-02-01T00:00:00+00:00"}
    save_artifact(pipeline, {**manifest, "metrics": {"cv": {}}, "sources": []}, staged)
    os.replace(staged, live)
