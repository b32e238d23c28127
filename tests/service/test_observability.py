"""Request ids, one JSON log line per request, and the single-process metrics."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from tests.service.helpers import COOPERATIVE_TEXT, ESCALATORY_TEXT, assert_problem

UUID4_HEX = re.compile(r"[0-9a-f]{32}")


def access_lines(err: str) -> list[dict]:
    """The access log records in captured stderr."""
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    return [r for r in records if r["logger"] == "service.access"]


def samples(text: str, name: str) -> dict[tuple, float]:
    """Sample values of one metric, keyed by sorted label items."""
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


@pytest.mark.parametrize("sent", ["abc-123", "0f" * 16, "trace:span/1", "x" * 200])
def test_client_request_id_is_echoed(client: FlaskClient, sent: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    assert response.headers["X-Request-ID"] == sent


@pytest.mark.parametrize("sent", [None, "", "has space", "x" * 201, "line\tbreak", "é"])
def test_request_id_is_generated_otherwise(client: FlaskClient, sent: str | None) -> None:
    headers = {"X-Request-ID": sent} if sent is not None else {}
    response = client.get("/healthz", headers=headers)
    assert UUID4_HEX.fullmatch(response.headers["X-Request-ID"])


def test_request_id_is_in_problems(client: FlaskClient) -> None:
    body = assert_problem(client.get("/nowhere", headers={"X-Request-ID": "req-9"}), 404)
    assert body["request_id"] == "req-9"


def test_one_json_line_per_request_without_text(
    client: FlaskClient, capsys: pytest.CaptureFixture
) -> None:
    capsys.readouterr()
    client.post("/v1/score", json={"text": ESCALATORY_TEXT}, headers={"X-Request-ID": "r1"})
    client.post("/v1/score", json={"text": ESCALATORY_TEXT, "top_k": 0})
    client.get("/missing")
    err = capsys.readouterr().err
    lines = access_lines(err)
    assert [(r["method"], r["path"], r["status"]) for r in lines] == [
        ("POST", "/v1/score", 200),
        ("POST", "/v1/score", 422),
        ("GET", "/missing", 404),
    ]
    assert lines[0]["request_id"] == "r1" and lines[0]["model_version"] == "tiny-1"
    assert all(isinstance(r["duration_ms"], float) for r in lines)
    assert "threatened" not in err.lower() and "mobilised" not in err.lower()


def test_metrics_count_time_and_describe_the_model(client: FlaskClient) -> None:
    for text in (ESCALATORY_TEXT, COOPERATIVE_TEXT, ESCALATORY_TEXT):
        assert client.post("/v1/score", json={"text": text}).status_code == 200
    client.post("/v1/score/batch", json={"articles": [{"text": COOPERATIVE_TEXT}] * 2})
    client.post("/v1/score", json={})
    client.get("/nowhere/at/all")
    client.get("/v1/score")  # a real path, the wrong method: 405 on that route
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    requests = samples(text, "escalation_http_requests_total")
    assert requests[(("endpoint", "/v1/score"), ("status", "200"))] == 3
    assert requests[(("endpoint", "/v1/score"), ("status", "422"))] == 1
    assert requests[(("endpoint", "/v1/score/batch"), ("status", "200"))] == 1
    assert requests[(("endpoint", "unmatched"), ("status", "404"))] == 1
    assert requests[(("endpoint", "/v1/score"), ("status", "405"))] == 1
    assert ("endpoint", "unmatched") not in {k[0] for k, v in requests.items() if k[1][1] == "405"}
    latency = samples(text, "escalation_http_request_duration_seconds_count")
    assert latency[(("endpoint", "/v1/score"), ("status", "200"))] == 3
    assert samples(text, "escalation_score_count") == {(): 5}
    assert samples(text, "escalation_model_info") == {(("model_version", "tiny-1"),): 1}


def test_each_app_has_its_own_metrics(client: FlaskClient, make_app) -> None:
    client.get("/healthz")
    text = make_app().test_client().get("/metrics").get_data(as_text=True)
    assert not samples(text, "escalation_http_requests_total")
