"""The gunicorn worker: gevent, so a slow client holds a greenlet and not the worker, with
bounded reads, a prompt graceful stop, and gunicorn's own error answers as problem+json.

- Headers: gunicorn's gevent worker reads each request's headers under a `keepalive`-second
  timeout (gunicorn.conf.py), then closes the connection.
- Body: it must keep up MIN_BODY_RATE bytes/s on average once BODY_GRACE_SECONDS have passed,
  and be complete within BODY_READ_SECONDS; past either the read fails with 408 Request
  Timeout and the connection is closed. A client cannot hold a connection for long by
  trickling, and legitimate clients are far faster (8 MiB in 30 s is 280 KB/s). The
  application reads a body only once its first BODY_START_BYTES have come: a trickling client
  waits in the worker (about 13 KiB a connection, against 40 KiB inside the application).
- Connections: up to `worker_connections` per worker (gunicorn.conf.py); the soft open-file
  limit is raised to fit them, or the count lowered to what the hard limit allows.
- Stop (SIGTERM, and the old workers on HUP): the worker stops accepting at once, closes
  kept-alive connections that wait for a request (nothing of one received) once they have
  waited IDLE_CLOSE_SECONDS, answers the requests in flight (up to the graceful timeout) and
  exits as soon as none is left, without tearing the interpreter down. A stop signal that
  arrives while a worker is still booting is held until its handlers are installed
  (gunicorn's would otherwise be lost, and the worker would serve on until killed).
- gunicorn answers malformed requests (400, 414, 431, 501) itself, before the application
  sees them, with an HTML page; here with an RFC 9457 problem that never quotes the request.

The body rate and the idle close need plain HTTP (TLS ends at the proxy or ingress); with TLS
in gunicorn only the 30 s body deadline applies.
"""

from __future__ import annotations

import array
import atexit
import fcntl
import json
import logging
import os
import resource
import signal
import socket
import sys
import termios
import time
import weakref
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from typing import Any, TypeVar, cast

import gevent
from gevent import select as gselect
from gevent.pool import Pool
from gevent.server import StreamServer
from gevent.socket import wait_read
from gunicorn import util
from gunicorn.sock import ssl_context
from gunicorn.workers.ggevent import GeventWorker
from werkzeug.exceptions import RequestTimeout

BODY_READ_SECONDS = 30.0  # the whole body; an 8 MiB body needs 280 KB/s
BODY_GRACE_SECONDS = 5.0  # before the rate counts (a client's first bytes may be slow to come)
MIN_BODY_RATE = 1024  # bytes/s on average, counted from when the headers arrived
IDLE_CLOSE_SECONDS = 0.5  # when stopping: how long a kept-alive connection may sit idle
STOP_POLL_SECONDS = 0.1  # when stopping: how often idle connections are looked for
RECV_SIZED_ABOVE = 512  # reads of more are sized to what has arrived (see _receive)
BODY_START_BYTES = 16 * 1024  # within any receive window: a client can always send it unread
OPEN_FILES_RESERVE = 64  # files a worker opens besides its connections (metrics, logs)
# What the master sends a worker: held from just before the fork until the worker's handlers
# are installed (gunicorn's base worker installs them only after patching and setting up).
_STOP_SIGNALS = frozenset(
    {signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1, signal.SIGABRT, signal.SIGWINCH}
)
_hold = {"next_fork": False, "held": False}
T = TypeVar("T")


def _block_before_fork() -> None:
    """In the master, just before a worker's fork: block the stop signals (the child inherits
    the mask, so a signal sent to it while it boots stays pending)."""
    if _hold["next_fork"]:
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        _hold["held"] = True


def _unblock_in_master() -> None:
    """In the master, right after the fork: deliver what was held."""
    if _hold["held"]:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    _hold.update(next_fork=False, held=False)


def _forget_in_worker() -> None:
    """In the new worker: the signals stay blocked until `init_signals`."""
    _hold.update(next_fork=False, held=False)


os.register_at_fork(
    before=_block_before_fork,
    after_in_parent=_unblock_in_master,
    after_in_child=_forget_in_worker,
)


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


def _now() -> float:
    """The event loop's clock (monotonic seconds)."""
    return cast(float, gevent.get_hub().loop.now())


class Expired(Exception):
    """A call ran out of time (see `_within`)."""


def _within(seconds: float, call: Callable[..., T], *args: Any) -> T:
    """`call(*args)`, or Expired once `seconds` have passed (at once if it can return without
    waiting)."""
    timer = gevent.Timeout(max(seconds, 0.001))
    timer.start()
    try:
        return call(*args)
    except gevent.Timeout as exc:
        if exc is not timer:
            raise
        _forget_stack(exc)
    finally:
        timer.close()
    raise Expired


def _forget_stack(exc: BaseException) -> None:
    """Drop the traceback of a gevent timeout that fired: the timeout and its timer watcher
    refer to each other, so they live until the collector's next full pass, and the traceback
    would keep the whole stack of the cut-off request alive with them (under a flood of slow
    clients, thousands of requests' objects and 64 KiB read buffers)."""
    exc.__traceback__ = None


class BodyTooSlow(Exception):
    """The body fell below MIN_BODY_RATE (raised by a read, turned into 408 by DeadlineBody)."""


class BodyClock:
    """The body's pace: a receive may wait until the body would fall below MIN_BODY_RATE
    (after BODY_GRACE_SECONDS); bytes already received return at once, whatever the time."""

    def __init__(self) -> None:
        self._start = _now()
        self.received = 0

    def seconds_left(self, arrived: int = 0) -> float:
        """How long the next receive may wait (`arrived`: bytes come but not yet read)."""
        pace = (self.received + arrived) / MIN_BODY_RATE
        return self._start + BODY_GRACE_SECONDS + pace - _now()


def _body_start(req: Any) -> int:
    """Bytes of the body to wait for before the application reads it: the first
    BODY_START_BYTES of a body of known length, minus those read with the headers; 0 (do not
    wait) for a chunked body, or when the client waits for `100 Continue` (sent by gunicorn as
    the application starts)."""
    length = None
    for name, value in req.headers:
        if name == "EXPECT" or name == "TRANSFER-ENCODING":
            return 0
        if name == "CONTENT-LENGTH":
            length = int(value)
    buffer = getattr(getattr(req, "unreader", None), "buf", None)
    if not length or buffer is None:
        return 0
    with buffer.getbuffer() as view:
        return min(length, BODY_START_BYTES) - int(view.nbytes)


def _queued(sock: Any) -> int:
    """Bytes waiting in the kernel's receive queue of `sock` (FIONREAD)."""
    count = array.array("i", [0])
    try:
        fcntl.ioctl(sock.fileno(), termios.FIONREAD, count, True)
    except (OSError, ValueError):
        return 0
    return count[0]


def _receive(sock: Any, size: int, flags: int) -> bytes:
    """`sock.recv`, asking for no more than has arrived. gunicorn asks for up to 1 MiB at a time
    of a body (8 KiB of headers); CPython allocates that much and shrinks it to what came. With
    clients sending a byte at a time, each freed remainder is a little too small for the next
    such buffer: a worker's heap grew by 25 MiB in 40 s of 500 trickling connections (5 MiB
    with reads sized)."""
    if size > RECV_SIZED_ABOVE and not flags:
        queued = _queued(sock)
        if not queued:
            wait_read(sock.fileno())
            queued = _queued(sock)
        size = min(size, max(queued, 1))  # 1: read the end of the stream, or the error
    return cast(bytes, sock.recv(size, flags))


class Listener:
    """A listening socket as the connections it accepted see it: its name is asked for when a
    connection's greenlet starts, which may be just after a stopping worker closed it."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._name = sock.getsockname()

    def getsockname(self) -> Any:
        """The address it listened on."""
        return self._name

    def __getattr__(self, name: str) -> Any:
        """Everything else is the socket's."""
        return getattr(self._sock, name)


class Connection:
    """A client socket as gunicorn sees it, with what the worker must know of it: requests
    served, bytes received, since when it waits for a request, the body's pace in a body."""

    __slots__ = ("sock", "served", "received", "waiting_since", "received_then", "body_clock")

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.served = 0
        self.received = 0
        self.waiting_since: float | None = None
        self.received_then = 0
        self.body_clock: BodyClock | None = None

    def __getattr__(self, name: str) -> Any:
        """Everything else is the socket's."""
        return getattr(self.sock, name)

    def recv(self, size: int, flags: int = 0) -> bytes:
        """Receive what has arrived (up to `size`), counted; during a body, at its pace."""
        clock = self.body_clock
        if clock is None:
            data = _receive(self.sock, size, flags)
        else:
            try:
                data = _within(clock.seconds_left(), _receive, self.sock, size, flags)
            except Expired:
                raise BodyTooSlow from None
            clock.received += len(data)
        self.received += len(data)
        return data

    def idle(self, now: float) -> bool:
        """True if, after a request, it has waited IDLE_CLOSE_SECONDS for the next one and no
        byte of it arrived. A new connection is left to the `keepalive` timeout: its first
        request is most likely on its way."""
        since = self.waiting_since
        return (
            since is not None
            and self.served > 0
            and now - since >= IDLE_CLOSE_SECONDS
            and self.received == self.received_then
            and not _queued(self.sock)
        )

    def await_body_start(self, req: Any) -> None:
        """Before the application reads the body, wait (at the body's pace) until its start has
        come, the stream ends, or the pace runs out: the application's read allocates a 64 KiB
        buffer and a request context, held for as long as the body takes, so a trickling
        client waits here at a fraction of the cost. A body too slow then gets its 408 from the
        application's first read."""
        wanted = _body_start(req)
        clock = self.body_clock
        if clock is None or wanted <= 0:
            return
        queued = _queued(self.sock)
        while queued < wanted:
            left = clock.seconds_left(queued)
            if left <= 0:
                return
            try:
                wait_read(self.sock.fileno(), timeout=left)
            except (OSError, ValueError) as exc:  # timed out (an OSError), or closed
                _forget_stack(exc)
                return
            now_queued = _queued(self.sock)
            if now_queued <= queued:  # the end of the stream, or an error: for the reader
                return
            queued = now_queued

    def hang_up(self) -> None:
        """Shut the connection down: the greenlet waiting on it reads the end of the stream and
        closes it as a client's hang-up. Done through a second socket object on the same
        descriptor (detached after): gevent's own `shutdown` would fail the waiting greenlet
        with EBADF, logged as an error."""
        try:
            other = socket.socket(fileno=self.sock.fileno())
        except (OSError, ValueError):  # closed meanwhile (its descriptor is then -1)
            return
        try:
            other.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        finally:
            other.detach()


class WaitForRequest:
    """gunicorn's wait for a request's headers (`keepalive` seconds, then the connection is
    closed), marked on the connection so a stopping worker can tell an idle one."""

    def __init__(self, connection: Connection | None, seconds: float) -> None:
        self._connection = connection
        self._timeout = gevent.Timeout(seconds, False)

    def __enter__(self) -> gevent.Timeout:
        if self._connection is not None:
            self._connection.waiting_since = time.monotonic()
            self._connection.received_then = self._connection.received
        return self._timeout.__enter__()

    def __exit__(self, typ: Any, value: Any, tb: Any) -> bool | None:
        if self._connection is not None:
            self._connection.waiting_since = None
        if value is self._timeout:
            _forget_stack(value)
        return cast("bool | None", self._timeout.__exit__(typ, value, tb))


class DeadlineBody:
    """The request body as the application reads it: every read done within
    BODY_READ_SECONDS of the headers, and a body below MIN_BODY_RATE cut off; both are
    408 and close the connection."""

    def __init__(self, body: Any, req: Any) -> None:
        self._body = body
        self._req = weakref.ref(req)  # the request holds this body: no cycle to collect
        self._deadline = _now() + BODY_READ_SECONDS

    def _call(self, name: str, *args: Any) -> Any:
        """One read under what is left of the deadline."""
        try:
            return _within(self._deadline - _now(), getattr(self._body, name), *args)
        except Expired:
            reason = f"did not arrive within {BODY_READ_SECONDS:.0f} seconds"
        except BodyTooSlow:
            reason = (
                f"arrived slower than {MIN_BODY_RATE} bytes per second "
                f"(after the first {BODY_GRACE_SECONDS:.0f} seconds)"
            )
        req = self._req()
        if req is not None:
            req.force_close()
        raise RequestTimeout(f"The request body {reason}.")

    @property
    def failed(self) -> bool:
        """Whether the wrapped body could not be read (gunicorn then closes the connection
        instead of reading a next request from it)."""
        return bool(getattr(self._body, "failed", False))

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


def _exit_at_once() -> None:
    """At the exit of a worker that stopped cleanly: flush the logs and leave without tearing
    the interpreter down. Tearing it down frees every object, writing to pages shared with the
    master: it kept a stopped worker alive 0.3-2 s more under load (bench/shutdown.py)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


class ServiceWorker(GeventWorker):
    """gevent worker with body limits, a prompt graceful stop and problem+json error answers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.worker_connections: int = self.cfg.worker_connections
        self._connections: dict[Any, Connection] = {}  # by the greenlet serving each
        _hold["next_fork"] = True  # made in the master just before the fork

    def init_process(self) -> None:
        """Answer gunicorn's own errors as problem+json in this process, then run."""
        util.write_error = write_problem
        self._fit_open_files()
        super().init_process()

    def init_signals(self) -> None:
        """Install gunicorn's handlers, then take the signals held since the fork."""
        super().init_signals()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)

    def _fit_open_files(self) -> None:
        """Raise the soft open-file limit to hold `worker_connections`; if the hard limit is
        lower, serve fewer connections (the rest wait in the listen backlog, not fail)."""
        try:
            reserve = len(os.listdir("/proc/self/fd")) + OPEN_FILES_RESERVE
        except OSError:
            reserve = 2 * OPEN_FILES_RESERVE
        wanted = self.worker_connections + reserve
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < wanted:
            raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
                soft = raised
            except (OSError, ValueError):
                pass
        if soft < wanted:
            self.worker_connections = max(soft - reserve, 1)
            self.log.warning(
                "open-file limit %s (hard %s): at most %s connections per worker, not %s",
                soft,
                hard,
                self.worker_connections,
                self.cfg.worker_connections,
            )

    def run(self) -> None:
        """Serve until told to stop; then stop accepting, answer what is in flight, exit."""
        ssl_args = {"ssl_context": ssl_context(self.cfg)} if self.cfg.is_ssl else {}
        servers = []
        for listener in self.sockets:
            listener.setblocking(1)
            server = StreamServer(
                listener,
                handle=partial(self.handle, Listener(listener)),
                spawn=Pool(self.worker_connections),
                **ssl_args,
            )
            if self.cfg.workers > 1:
                server.max_accept = 1
            server.start()
            servers.append(server)
        while self.alive:
            self.notify()
            self._wait_for_signal(1.0)
        for server in servers:
            server.close()
        self._finish(servers)
        atexit.register(_exit_at_once)

    def _wait_for_signal(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking when a signal arrives (the wake-up pipe gunicorn gives
        `signal.set_wakeup_fd`), whichever thread the kernel delivered it to."""
        try:
            if gselect.select([self.PIPE[0]], [], [], seconds)[0]:
                os.read(self.PIPE[0], 512)
        except (OSError, ValueError):
            gevent.sleep(seconds)

    def _finish(self, servers: list[StreamServer]) -> None:
        """Answer the requests in flight (up to the graceful timeout), closing idle
        connections; return as soon as no connection is left."""
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while busy := [server for server in servers if len(server.pool)]:
            left = deadline - time.monotonic()
            if left <= 0:
                self.log.warning("Worker graceful timeout (pid:%s)", self.pid)
                for server in busy:
                    server.stop(timeout=1)
                return
            self.notify()
            now = time.monotonic()
            for connection in list(self._connections.values()):
                if connection.idle(now):
                    connection.hang_up()
            busy[0].pool.join(timeout=min(STOP_POLL_SECONDS, left))

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        """Serve one connection, known to the worker while it lasts (plain HTTP only)."""
        if self.cfg.is_ssl:
            super().handle(listener, client, addr)
            return
        connection = Connection(client)
        greenlet = gevent.getcurrent()
        self._connections[greenlet] = connection
        try:
            super().handle(listener, connection, addr)
        finally:
            self._connections.pop(greenlet, None)

    def timeout_ctx(self) -> WaitForRequest:
        """The wait for the next request's headers."""
        return WaitForRequest(self._connections.get(gevent.getcurrent()), self.cfg.keepalive)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        """Serve one request with its body under the deadline and the minimum rate."""
        connection = sock if isinstance(sock, Connection) else None
        if connection is not None:
            connection.served += 1
        if req.body is not None:
            req.body = DeadlineBody(req.body, req)
            if connection is not None:
                connection.body_clock = BodyClock()
        try:
            if connection is not None and connection.body_clock is not None:
                connection.await_body_start(req)
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            if connection is not None:
                connection.body_clock = None
