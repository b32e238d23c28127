"""No input freezes a worker: every costly input of `bench.costly.CATALOGUE`, in batches that
fill the default request budget, two at once per worker of a real gunicorn on loopback, while
`/healthz` is probed; every probe is answered. Figures are printed (`pytest -s`); the benchmark
(`python -m bench.costly --http`) gives the same table against its 1 s target."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.costly import CATALOGUE, PROBE_HEAD, batch_body, probe_row, probes_during
from service.schemas import DEFAULT_MAX_REQUEST_CHARS, MAX_TEXT_CHARS
from tests.service.test_gunicorn import GUNICORN, HOST, gunicorn

pytestmark = [
    pytest.mark.slow,
    pytest.mark.faults,
    pytest.mark.corpora,
    pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed beside python"),
]
WORKERS = 2  # as `gunicorn` starts them
PROBE_BOUND_SECONDS = 3.0  # generous: the suite may share two cores with other work


def test_costly_inputs_never_stop_the_probes(tmp_path: Path, default_model: Path) -> None:
    with gunicorn(tmp_path, default_model.resolve()) as server:  # two workers
        url = f"http://{HOST}:{server.port}"
        print(f"\n{WORKERS} workers, two batches of {DEFAULT_MAX_REQUEST_CHARS:,} characters each")
        print(PROBE_HEAD)
        failures = []
        for name, make in CATALOGUE.items():
            assert len(make(MAX_TEXT_CHARS)) == MAX_TEXT_CHARS, name
            body = batch_body(name, MAX_TEXT_CHARS, DEFAULT_MAX_REQUEST_CHARS)
            r = probes_during(url, [body] * (2 * WORKERS), seconds=120)
            print(probe_row(name, r))
            if r["failed"] or r["max"] > PROBE_BOUND_SECONDS:
                failures.append(name)
        assert not failures
