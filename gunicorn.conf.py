"""gunicorn settings, read by default from the repository root.

    gunicorn 'service.app:create_app()'

Environment: PORT (default 8080, on 0.0.0.0) or BIND (e.g. "127.0.0.1:9000"), WEB_CONCURRENCY
(workers), GRACEFUL_TIMEOUT (seconds, default 25), ESCALATION_PIDFILE (default
$XDG_RUNTIME_DIR or /tmp, escalation-risk-<port>.pid). Anything else: GUNICORN_CMD_ARGS, e.g.
GUNICORN_CMD_ARGS="--timeout 120".

The model is loaded once, in the master (preload_app), and the workers forked from it share its
memory pages instead of each holding a copy.

Publishing a new model: write the new artifact beside the live one (same directory, so the
rename is atomic), `os.replace`/`mv` it onto ESCALATION_MODEL_PATH, then
`kill -HUP "$(cat <pidfile>)"`.
gunicorn re-reads this file, the master loads the new artifact (`on_reload`), forks new workers
and stops the old ones gracefully; requests that arrive meanwhile wait in the listen backlog
instead of failing. An artifact that cannot be served is logged and the loaded model stays.
"""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import tempfile

_MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Remembers the metrics directory this file created (the file is re-read on every HUP).
_OWNED_ENV = "_ESCALATION_OWNED_METRICS_DIR"


def _cores() -> int:
    """CPUs this process may run on (respects taskset/cpusets, unlike os.cpu_count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Scoring is CPU-bound: one worker per core keeps every core busy, and one more covers the time
# a worker spends reading a request or writing a response. More workers would only queue for
# the same cores while each holds its own copy of the model; hence the cap.
bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8080')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(_cores() + 1, 8))
# gevent workers (service/worker.py): a connection costs a greenlet, not a worker, so slow
# clients cannot starve the service; scoring runs in each worker's one thread
# (service/offload.py), so the worker keeps reading requests and answering probes meanwhile.
worker_class = "service.worker.ServiceWorker"
# Open connections per worker; more wait in the listen backlog. A connection waiting for its
# headers or for the start of its body costs a worker about 13 KiB (26 MiB for 2,000), and a
# body must keep up 1 KiB/s after 5 s (service/worker.py): one client's 1,000 trickling
# connections leave room for everyone else (bench/flood.py). Each is an open file: the worker
# raises its soft RLIMIT_NOFILE to fit (or serves fewer, with a warning, under a lower hard
# limit).
worker_connections = 2000
keepalive = 5  # seconds for a request's headers to arrive, and for an idle kept-alive connection
preload_app = True  # one model in the master, shared copy-on-write by the workers
# A worker silent this long (its event loop stuck) is killed and replaced.
timeout = 120
# SIGTERM (and the old workers on HUP): workers stop accepting at once, close idle kept-alive
# connections, and exit as soon as the requests in flight are answered; at most this long.
# The largest request (ESCALATION_MAX_REQUEST_CHARS of never-seen words) takes about 0.5 s on
# a quiet core (docs/deployment.md, Limits and security); the bound leaves room for a busy one.
# Give a container engine 30 s to stop it (`docker run --stop-timeout 30`, `podman stop -t 30`;
# Kubernetes waits 30 s by default).
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT") or 25)
# The master's pid, so `kill -HUP "$(cat ...)"` reaches this server and no other.
pidfile = os.environ.get("ESCALATION_PIDFILE") or os.path.join(
    os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir(),
    f"escalation-risk-{bind.rsplit(':', 1)[-1]}.pid",
)
accesslog = None  # the app writes one JSON line per request itself
errorlog = "-"
control_socket_disable = True  # gunicorn >= 25.1 would open a socket under $HOME (read-only)
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files on tmpfs: no stalls on a slow disk


def _remove_metrics_dir(master: int, path: str) -> None:
    """At the master's exit, even one before `on_exit` (a configuration or artifact refused at
    start), remove the metrics directory it created; a forked worker inherits the handler and
    leaves it."""
    if os.getpid() == master:
        shutil.rmtree(path, ignore_errors=True)


# Metrics from every worker: prometheus_client's multiprocess mode needs this directory set
# before any worker imports it, and a fresh one per server (stale files would add old counts).
if not os.environ.get(_MULTIPROC_ENV):
    _base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    os.environ[_MULTIPROC_ENV] = tempfile.mkdtemp(prefix="escalation-metrics-", dir=_base)
    os.environ[_OWNED_ENV] = os.environ[_MULTIPROC_ENV]
    atexit.register(_remove_metrics_dir, os.getpid(), os.environ[_OWNED_ENV])


def on_reload(server) -> None:
    """HUP: the master loads the artifact again before it forks the new workers (the objects
    frozen for the last fork are unfrozen, so the replaced model can be collected)."""
    if server.cfg.preload_app:
        from service.app import reload

        gc.unfreeze()
        reload(server.app.wsgi())
        gc.collect()


def pre_fork(server, worker) -> None:
    """Keep the collector off the master's objects in the workers, so their pages stay shared."""
    gc.freeze()


def post_fork(server, worker) -> None:
    """Each worker reports the model version it serves (its own metrics series)."""
    from service.app import report_model

    report_model(server.app.wsgi())


def child_exit(server, worker) -> None:
    """Drop the dead worker's live gauges (the model version it served)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    """Remove the metrics directory if this file created it."""
    owned = os.environ.get(_OWNED_ENV)
    if owned and owned == os.environ.get(_MULTIPROC_ENV):
        shutil.rmtree(owned, ignore_errors=True)
