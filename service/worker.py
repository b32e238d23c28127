"""The gunicorn worker: gevent, so a slow client holds a greenlet and not the worker, with
bounded reads and gunicorn's own error answers as problem+json.

- Headers: gunicorn's gevent worker reads each request's headers under a `keepalive`-second
  timeout (gunicorn.conf.py), then closes the connection.
- Body: this worker gives the application a body that must arrive within BODY_READ_SECONDS
  in all; past it the read fails with 408 Request Timeout.
- gunicorn answers malformed requests (400, 414, 431, 501) itself, before the application
  sees them, with an HTML page; here with an RFC 9457 problem that never quotes the request.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, cast

import gevent
from gunicorn import util
from gunicorn.workers.ggevent import GeventWorker
from werkzeug.exceptions import RequestTimeout

BODY_READ_SECONDS = 30.0  # an 8 MiB body at 280 KB/s; a trickling client is cut off here


def write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's `util.write_error`, as application/problem+json (`mesg` is not echoed: it
    quotes the client's bytes)."""
    status = HTTPStatus(status_int) if status_int in HTTPStatus._value2member_map_ else None
    title = status.phrase if status else reason
    body = json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status_int,
            "detail": f"{title}: the server could not read the request as HTTP/1.1.",
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {title}\r\nConnection: close\r\n"
        f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


class DeadlineBody:
    """A request body whose reads must all be done by a deadline (monotonic seconds)."""

    def __init__(self, body: Any, seconds: float) -> None:
        self._body = body
        self._deadline = gevent.get_hub().loop.now() + seconds

    def _call(self, name: str, *args: Any) -> Any:
        """One read under what is left of the deadline."""
        left = self._deadline - gevent.get_hub().loop.now()
        try:
            with gevent.Timeout(max(left, 0.001)):
                return getattr(self._body, name)(*args)
        except gevent.Timeout:
            raise RequestTimeout(
                f"The request body did not arrive within {BODY_READ_SECONDS:.0f} seconds."
            ) from None

    def read(self, *args: Any) -> bytes:
        """Read like the wrapped body."""
        return cast(bytes, self._call("read", *args))

    def readline(self, *args: Any) -> bytes:
        """Read a line like the wrapped body."""
        return cast(bytes, self._call("readline", *args))

    def readlines(self, *args: Any) -> list[bytes]:
        """Read lines like the wrapped body."""
        return cast("list[bytes]", self._call("readlines", *args))

    def __iter__(self) -> Any:
        """Iterate over lines."""
        return iter(self.readline, b"")


class ServiceWorker(GeventWorker):
    """gevent worker with a body deadline and problem+json error answers."""

    def init_process(self) -> None:
        """Answer gunicorn's own errors as problem+json in this process, then run."""
        util.write_error = write_problem
        super().init_process()

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        """Serve one request with its body under the deadline."""
        if req.body is not None:
            req.body = DeadlineBody(req.body, BODY_READ_SECONDS)
        return super().handle_request(listener_name, req, sock, addr)
