"""Downloads of pinned files over real HTTP, from a server on 127.0.0.1 (no other network)."""

from __future__ import annotations

import hashlib
import io
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from training.data import fetch
from training.data.fetch import resolve_file
from training.data.sources import DataError, RemoteFile

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "data" / "cameo" / "cameo-codes.csv"
BODY = FIXTURE.read_bytes()
SHA = hashlib.sha256(BODY).hexdigest()


class Upstream:
    """A loopback HTTP server answering each GET with the next scripted (status, body), the
    last one again once the script is used up; it records the paths asked for."""

    def __init__(self) -> None:
        self.script: list[tuple[int, bytes]] = [(200, BODY)]
        self.requests: list[str] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                upstream.requests.append(self.path)
                status, body = upstream.script[0]
                if len(upstream.script) > 1:
                    upstream.script.pop(0)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, name: str) -> str:
        """The URL of `name` on this server."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/{name}"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch) -> None:
    """No proxy from the environment may stand between the client and 127.0.0.1."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    """A running loopback server."""
    server = Upstream()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """pooch's pauses between download attempts, recorded instead of slept."""
    import pooch.core

    pauses: list[float] = []
    monkeypatch.setattr(pooch.core.time, "sleep", pauses.append)
    return pauses


def remote(url: str, sha: str = SHA) -> RemoteFile:
    """The CAMEO fixture as a pinned file at `url`."""
    return RemoteFile("cameo/cameo-codes.csv", url, sha)


def files_under(path: Path) -> list[Path]:
    """Every file below `path`."""
    return sorted(p for p in path.rglob("*") if p.is_file())


def test_downloads_into_the_cache_after_a_server_error(upstream, waits, tmp_path, caplog):
    upstream.script = [(503, b"busy"), (200, BODY)]
    got = resolve_file(remote(upstream.url("codes.csv")), data_dir=None, cache_dir=tmp_path)
    assert got == tmp_path / "cameo" / "cameo-codes.csv" and got.read_bytes() == BODY
    assert upstream.requests == ["/codes.csv", "/codes.csv"] and waits == [1]
    assert "503" in caplog.text and f"attempt 2 of {fetch.RETRIES + 1}" in caplog.text
    assert files_under(tmp_path) == [got]
    # From the cache now: no request.
    assert resolve_file(remote(upstream.url("codes.csv")), data_dir=None, cache_dir=tmp_path)
    assert len(upstream.requests) == 2


def test_a_corrupt_copy_is_refused_and_nothing_is_kept(upstream, waits, tmp_path):
    upstream.script = [(200, b"<html>rate limited</html>")]
    with pytest.raises(DataError, match=r"checksum mismatch for cameo/cameo-codes\.csv") as err:
        resolve_file(
            remote(upstream.url("codes.csv")), data_dir=None, cache_dir=tmp_path, retries=1
        )
    assert SHA in str(err.value) and "(2 attempts)" in str(err.value)
    assert len(upstream.requests) == 2 and files_under(tmp_path) == []


def test_the_mirror_and_the_cache_come_before_the_network(upstream, tmp_path):
    mirror, cache = tmp_path / "mirror", tmp_path / "cache"
    for root in (mirror, cache):
        (root / "cameo").mkdir(parents=True)
        (root / "cameo" / "cameo-codes.csv").write_bytes(BODY)
    f = remote(upstream.url("codes.csv"))
    assert resolve_file(f, data_dir=mirror, cache_dir=cache) == mirror / "cameo/cameo-codes.csv"
    assert resolve_file(f, data_dir=None, cache_dir=cache) == cache / "cameo/cameo-codes.csv"
    assert upstream.requests == []


def test_an_unreachable_server_names_the_url_and_the_mirror(waits, tmp_path):
    with socket.socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/codes.csv"
    with pytest.raises(DataError, match="could not download") as err:
        resolve_file(remote(url), data_dir=None, cache_dir=tmp_path, retries=1)
    assert url in str(err.value) and "ESCALATION_DATA_DIR" in str(err.value)
    assert waits == [1] and files_under(tmp_path) == []


def test_a_terminal_shows_a_bar_of_bytes(upstream, tmp_path, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.delenv("CI", raising=False)
    got = resolve_file(remote(upstream.url("codes.csv")), data_dir=None, cache_dir=tmp_path)
    assert got.read_bytes() == BODY
    shown = terminal.getvalue()
    assert "cameo/cameo-codes.csv:" in shown and "B/s" in shown and "\r" in shown
    assert "%|" in shown  # a percentage: the size came from Content-Length
