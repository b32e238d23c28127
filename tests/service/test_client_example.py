"""examples/client.py against a real loopback server on the tiny model: batching, keys, retries."""

from __future__ import annotations

import importlib.util
import io
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.service.helpers import COOPERATIVE_TEXT, ESCALATORY_TEXT

CLIENT_PATH = Path(__file__).resolve().parents[2] / "examples/client.py"
SECRET = "client-secret-0123456789"
_spec = importlib.util.spec_from_file_location("example_client", CLIENT_PATH)
assert _spec and _spec.loader
client_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(client_module)


class Recorder:
    """WSGI middleware: records each request's path and article count; can fail the first ones."""

    def __init__(self, app: Flask, failures: list[tuple[int, dict[str, str]]]) -> None:
        self.app, self.failures, self.seen = app.wsgi_app, failures, []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        articles = json.loads(body).get("articles", [None]) if body else []
        self.seen.append((environ["PATH_INFO"], len(articles)))
        if self.failures:
            status, headers = self.failures.pop(0)
            start_response(f"{status} Failure", [("Content-Type", "text/plain"), *headers.items()])
            return [b"try later"]
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


@pytest.fixture
def serve(make_app: Callable[..., Flask]) -> Iterator[Callable[..., tuple[str, Recorder]]]:
    """Start the app on a free loopback port in a thread; return its URL and recorder."""
    servers = []

    def start(failures: list[tuple[int, dict[str, str]]] | None = None, **config: Any):
        app = make_app(**config)
        recorder = Recorder(app, failures or [])
        app.wsgi_app = recorder  # type: ignore[method-assign]
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}", recorder

    yield start
    for server in servers:
        server.shutdown()


def no_sleep(delays: list[float]) -> Callable[[float], None]:
    """A sleep that records the backoff instead of waiting."""
    return delays.append


def test_score_and_model(serve: Callable[..., tuple[str, Recorder]]) -> None:
    url, _ = serve()
    client = client_module.Client(url, timeout=10)
    result = client.score(ESCALATORY_TEXT, id="a1", top_k=3)
    assert result["id"] == "a1" and len(result["phrases"]) <= 3
    assert result["score"] > client.score(COOPERATIVE_TEXT)["score"]
    assert client.model()["version"] == result["model_version"] == "tiny-1"


def test_batches_by_count_and_by_characters(serve: Callable[..., tuple[str, Recorder]]) -> None:
    url, recorder = serve(MAX_REQUEST_CHARS=100_000)
    client = client_module.Client(url, timeout=30, request_chars=100_000)
    short = [{"id": f"s{i}", "text": COOPERATIVE_TEXT} for i in range(300)]
    long = [{"id": f"l{i}", "text": (ESCALATORY_TEXT + " ") * 390} for i in range(5)]  # ~30,000
    results = list(client.score_many(short + long))
    assert [r["id"] for r in results] == [a["id"] for a in short + long]
    # 256 (the count limit), then 44 short and 3 long ones (95,554 characters), then 2 long ones.
    sizes = [n for path, n in recorder.seen if path == "/v1/score/batch"]
    assert sizes == [256, 47, 2]
    assert all(len(batch) <= 256 for batch in client_module.batches(short + long, 100_000))


def test_api_key_is_sent_and_a_401_is_not_retried(
    serve: Callable[..., tuple[str, Recorder]],
) -> None:
    url, recorder = serve(API_KEYS=f"team:{SECRET}")
    assert client_module.Client(url, api_key=SECRET).score(ESCALATORY_TEXT)["score"] > 0.5
    delays: list[float] = []
    with pytest.raises(client_module.ServiceError) as raised:
        client_module.Client(url, sleep=no_sleep(delays)).score(ESCALATORY_TEXT)
    assert raised.value.status == 401 and raised.value.problem["status"] == 401
    assert delays == [] and len(recorder.seen) == 2


@pytest.mark.parametrize(
    ("failures", "delays"),
    [
        ([(503, {}), (503, {})], [0.5, 1.0]),  # exponential backoff
        ([(429, {"Retry-After": "3"})], [3.0]),  # the server's own delay
    ],
)
def test_429_and_503_are_retried_with_backoff(
    serve: Callable[..., tuple[str, Recorder]], failures: list, delays: list[float]
) -> None:
    url, recorder = serve(failures)
    slept: list[float] = []
    result = client_module.Client(url, sleep=no_sleep(slept)).score(ESCALATORY_TEXT)
    assert result["score"] > 0.5 and slept == delays and len(recorder.seen) == len(delays) + 1


def test_retries_give_up_and_validation_errors_are_not_retried(
    serve: Callable[..., tuple[str, Recorder]],
) -> None:
    url, recorder = serve([(503, {})] * 3)
    slept: list[float] = []
    with pytest.raises(client_module.ServiceError) as raised:
        client_module.Client(url, retries=2, sleep=no_sleep(slept)).score(ESCALATORY_TEXT)
    assert raised.value.status == 503 and slept == [0.5, 1.0]
    with pytest.raises(client_module.ServiceError) as raised:
        client_module.Client(url, sleep=no_sleep(slept)).score(" ")
    assert raised.value.status == 422 and len(recorder.seen) == 4 and len(slept) == 2


def test_connection_failures_are_retried() -> None:
    with socket.socket() as sock:  # a loopback port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    slept: list[float] = []
    client = client_module.Client(closed, retries=3, sleep=no_sleep(slept), timeout=5)
    with pytest.raises(OSError):
        client.score(ESCALATORY_TEXT)
    assert slept == [0.5, 1.0, 2.0]


def test_runs_as_a_script(serve: Callable[..., tuple[str, Recorder]], tmp_path: Path) -> None:
    url, _ = serve()
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        json.dumps({"id": "a1", "text": ESCALATORY_TEXT})
        + "\n\n"
        + json.dumps({"id": "a2", "text": COOPERATIVE_TEXT, "top_k": 2})
        + "\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, str(CLIENT_PATH), "--url", url, str(articles)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a2"] and len(rows[1]["phrases"]) <= 2
    bad = subprocess.run(
        [sys.executable, str(CLIENT_PATH), "--url", url],
        input=json.dumps({"text": " "}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1 and bad.stderr.startswith("client: 422 ")
