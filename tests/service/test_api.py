"""Endpoints: scoring, batches, the model manifest, health, readiness and the OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from model import Scorer, load_artifact, save_artifact
from model.article import MANIFEST_KEY, ArticleCalibration
from service import api
from service.api import CHUNK_CHARS
from service.schemas import (
    BATCH_MAX,
    BATCH_RESULT,
    MAX_ID_CHARS,
    MAX_TEXT_CHARS,
    SCORE,
    TOP_K_MAX,
)
from service.state import reload_model
from tests.service.helpers import (
    COOPERATIVE_TEXT,
    ESCALATORY_TEXT,
    PROBLEM,
    assert_problem,
    assert_spans_index,
    seed_text,
)

# Tabs, CRLF, accents and an emoji before the phrases: spans must count code points as sent.
UNICODE_TEXT = "Señor 🙂 said:\r\n\tTroops THREATENED a pre-emptive strike; talks failed."


def test_score_returns_the_contract(client: FlaskClient) -> None:
    response = client.post("/v1/score", json={"text": ESCALATORY_TEXT})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {
        "id",
        "score",
        "level",
        "language",
        "model_version",
        "phrases",
        "deescalating_phrases",
        "sentences",
        "warnings",
    }
    assert body["id"] is None and body["model_version"] == "tiny-1" and body["language"] == "en"
    assert 0.5 < body["score"] <= 1 and body["level"] in {"high", "severe"}
    assert all(set(p) == {"text", "weight", "spans"} for p in body["phrases"])
    assert all(set(s) == {"start", "end", "score"} for s in body["sentences"])
    assert_spans_index(ESCALATORY_TEXT, body)


def test_responses_are_what_their_schemas_document(client: FlaskClient) -> None:
    """Scores skip marshmallow's dump: what is sent must load under the documented schema (no
    field missing, none extra, every type right) and be what a dump would have sent."""
    single = client.post("/v1/score", json={"text": UNICODE_TEXT, "id": "a"}).get_json()
    articles = [{"text": ESCALATORY_TEXT}, {"text": UNICODE_TEXT, "top_k": 2}]
    batch = client.post("/v1/score/batch", json={"articles": articles}).get_json()
    for schema, body in [(SCORE, single), (BATCH_RESULT, batch)]:
        schema.load(body)  # raises on any difference from the documented form
        assert json.loads(json.dumps(schema.dump(body))) == body


def test_score_matches_the_model(client: FlaskClient, tiny_model_path: Path) -> None:
    body = client.post("/v1/score", json={"text": UNICODE_TEXT, "id": "a-1"}).get_json()
    expected = Scorer.load(tiny_model_path).score(UNICODE_TEXT).to_dict()
    assert body == {"id": "a-1", **expected}


@pytest.mark.parametrize(
    ("text", "language"),
    # The identifier reads the last as another language: asked for as English, it is scored.
    [(UNICODE_TEXT, None), (ESCALATORY_TEXT, None), ("x" * 10 + " strike " * 3, "en")],
)
def test_spans_index_the_sent_text(client: FlaskClient, text: str, language: str | None) -> None:
    body = client.post("/v1/score", json={"text": text, "language": language}).get_json()
    assert body["phrases"] and body["language"] == "en"
    assert_spans_index(text, body)


def test_seed_article_is_escalatory(client: FlaskClient) -> None:
    text = seed_text()
    body = client.post("/v1/score", json={"text": text, "id": "seed"}).get_json()
    assert body["id"] == "seed" and body["phrases"]
    assert_spans_index(text, body)


@pytest.mark.parametrize("top_k", [1, 2, TOP_K_MAX])
def test_top_k_limits_each_list(client: FlaskClient, top_k: int) -> None:
    text = f"{ESCALATORY_TEXT} {COOPERATIVE_TEXT}"
    body = client.post("/v1/score", json={"text": text, "top_k": top_k}).get_json()
    assert 0 < len(body["phrases"]) <= top_k and 0 < len(body["deescalating_phrases"]) <= top_k


def test_default_top_k_is_configurable(make_app: Callable[..., Flask]) -> None:
    text = f"{ESCALATORY_TEXT} {COOPERATIVE_TEXT}"
    body = make_app(DEFAULT_TOP_K=1).test_client().post("/v1/score", json={"text": text})
    assert len(body.get_json()["phrases"]) == 1


def test_limits_are_inclusive(client: FlaskClient) -> None:
    text = ("strike " * (MAX_TEXT_CHARS // 7 + 1))[:MAX_TEXT_CHARS]
    body = {"text": text, "id": "i" * MAX_ID_CHARS}
    response = client.post("/v1/score", json=body)
    assert response.status_code == 200 and response.get_json()["id"] == body["id"]


def test_batch_keeps_order_and_each_top_k(client: FlaskClient, tiny_model_path: Path) -> None:
    articles: list[dict[str, Any]] = [
        {"text": ESCALATORY_TEXT, "id": "up", "top_k": 1},
        {"text": COOPERATIVE_TEXT},
        {"text": UNICODE_TEXT, "id": "uni", "top_k": 3},
    ]
    response = client.post("/v1/score/batch", json={"articles": articles})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["id"] for r in results] == ["up", None, "uni"]
    scorer = Scorer.load(tiny_model_path)
    for article, result in zip(articles, results, strict=True):
        expected = scorer.score(article["text"], top_k=article.get("top_k", 10)).to_dict()
        assert result == {"id": article.get("id"), **expected}
        assert_spans_index(article["text"], result)


def test_batch_is_handed_off_in_chunks(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work leaves the request's thread in runs of about CHUNK_CHARS, each article keeping its
    own options."""
    calls: list[int] = []

    def spy(work: Any) -> Any:
        calls.append(len(work.args[1]))
        return work()

    monkeypatch.setattr(api, "run_cpu", spy)
    text = (f"{ESCALATORY_TEXT} {COOPERATIVE_TEXT} " * CHUNK_CHARS)[: CHUNK_CHARS // 2 + 1]
    articles = [{"text": text, "top_k": 1}, {"text": text}, {"text": text, "top_k": 2}]
    response = app.test_client().post("/v1/score/batch", json={"articles": articles})
    assert response.status_code == 200 and calls == [2, 1]
    results = response.get_json()["results"]
    phrases = [len(r["phrases"]) + len(r["deescalating_phrases"]) for r in results]
    assert phrases[0] <= 2 and phrases[1] > 2 and phrases[2] <= 4


def test_batch_accepts_the_maximum(client: FlaskClient) -> None:
    articles = [{"text": f"{COOPERATIVE_TEXT} {i}", "id": str(i)} for i in range(BATCH_MAX)]
    results = client.post("/v1/score/batch", json={"articles": articles}).get_json()["results"]
    assert [r["id"] for r in results] == [str(i) for i in range(BATCH_MAX)]


def test_model_manifest(client: FlaskClient) -> None:
    body = client.get("/v1/model").get_json()
    assert body["version"] == "tiny-1" and body["created_at"].startswith("2026-01-01")
    assert [b["name"] for b in body["levels"]] == ["low", "elevated", "high", "severe"]
    assert list(body["languages"]) == ["en"] and "unsupported" not in body
    english = body["languages"]["en"]
    assert english["metrics"] == {"cv": {}} and english["sources"] == []
    assert english["features"]["spec"]["language"] == "en"
    assert "metrics" not in body and "sources" not in body  # each language's own


def test_model_manifest_shows_the_article_map(
    make_app: Callable[..., Flask], tiny_model_path: Path, tmp_path: Path
) -> None:
    artifact = load_artifact(tiny_model_path)
    entry = ArticleCalibration(1.2, -1.5, 8).to_manifest(source="wikinews", articles=225)
    path = save_artifact(
        artifact.pipeline, {**artifact.manifest, MANIFEST_KEY: entry}, tmp_path / "m.joblib"
    )
    client = make_app(MODEL_PATH=path).test_client()
    assert client.get("/v1/model").get_json()["languages"]["en"]["article_calibration"] == entry
    english = make_app().test_client().get("/v1/model").get_json()["languages"]["en"]
    assert "article_calibration" not in english
    text = "Talks went on. Aid was pledged. Officials spoke. Troops were seen."  # mid-range
    mapped = client.post("/v1/score", json={"text": text}).get_json()["score"]
    assert mapped == pytest.approx(Scorer.load(path).score(text).score, abs=1e-12)
    assert mapped != pytest.approx(Scorer.load(tiny_model_path).score(text).score, abs=1e-3)


def test_health_and_readiness(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "model_version": "tiny-1"}
    assert client.get("/readyz").get_json() == {"status": "ready", "model_version": "tiny-1"}


def test_without_a_model_only_liveness_passes(
    make_app: Callable[..., Flask], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "absent.joblib"
    client = make_app(MODEL_PATH=missing).test_client()
    assert client.get("/healthz").status_code == 200
    body = assert_problem(client.get("/readyz"), 503)
    assert str(missing) not in body["detail"] and "log" in body["detail"]
    assert_problem(client.post("/v1/score", json={"text": ESCALATORY_TEXT}), 503)
    assert_problem(client.post("/v1/score/batch", json={"articles": [{"text": "x"}]}), 503)
    assert_problem(client.get("/v1/model"), 503)
    logged = capsys.readouterr().err
    assert "model not loaded" in logged and str(missing) in logged  # details to operators


def test_corrupt_artifact_is_reported_to_the_log_only(
    make_app: Callable[..., Flask], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.joblib"
    broken.write_bytes(b"not a model")
    body = assert_problem(make_app(MODEL_PATH=broken).test_client().get("/readyz"), 503)
    assert "artifact" not in body["detail"] and str(tmp_path) not in body["detail"]
    assert "not a readable model artifact" in capsys.readouterr().err


def test_readiness_fails_when_the_load_probe_fails(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Scorer, "score", broken)
    body = assert_problem(make_app().test_client().get("/readyz"), 503)
    assert "boom" not in body["detail"] and "RuntimeError" not in body["detail"]


def test_failed_reload_keeps_the_model_and_says_so(
    app: Flask, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.joblib"
    broken.write_bytes(b"not a model")
    reload_model(app, broken)
    client = app.test_client()
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready" and body["model_version"] == "tiny-1"
    assert "failed to load" in body["detail"] and str(tmp_path) not in body["detail"]
    assert client.post("/v1/score", json={"text": ESCALATORY_TEXT}).status_code == 200
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "escalation_model_reload_failures_total 1.0" in metrics
    logged = capsys.readouterr().err
    assert "reload failed; the loaded model stays" in logged and str(broken) in logged


def test_openapi_document_is_valid_and_generated(client: FlaskClient) -> None:
    doc = client.get("/openapi.json").get_json()
    validate(doc)
    assert doc["openapi"].startswith("3.")
    for path, schema in [("/v1/score", "Article"), ("/v1/score/batch", "Batch")]:
        post = doc["paths"][path]["post"]
        body_schema = post["requestBody"]["content"]["application/json"]["schema"]
        assert body_schema == {"$ref": f"#/components/schemas/{schema}"}
        assert {"200", "400", "413", "415", "422", "503"} <= set(post["responses"])
    assert {"/v1/model", "/healthz", "/readyz"} <= set(doc["paths"])
    article = doc["components"]["schemas"]["Article"]
    assert article["properties"]["text"]["maxLength"] == MAX_TEXT_CHARS
    assert article["properties"]["top_k"]["maximum"] == TOP_K_MAX
    assert article["additionalProperties"] is False
    assert doc["components"]["schemas"]["Batch"]["properties"]["articles"]["maxItems"] == BATCH_MAX
    invalid = doc["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert invalid[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_openapi_document_has_no_unused_schemas(client: FlaskClient) -> None:
    doc = client.get("/openapi.json").get_json()
    text = json.dumps(doc)
    assert "PaginationMetadata" not in doc["components"]["schemas"]
    assert "PAGINATION" not in doc["components"].get("headers", {})
    for name in doc["components"]["schemas"]:  # each one referenced somewhere
        assert f"#/components/schemas/{name}" in text, name
