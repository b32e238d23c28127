"""The analyst page in Debian's chromium: page weight and time to first highlight.

    .venv/bin/python -m bench.ui_page --model artifacts/escalation-model.joblib --runs 10

Serves the model with gunicorn on loopback, then per run opens a fresh browser context (no
cache), loads `/`, pastes the seed article and presses Score. Prints the bytes of the HTML,
script and stylesheet, and the median and range of: page load (navigation start to the script
being ready), submit to first highlight (the API call and the drawing), and the drawing alone.
Needs the ui-test extra (playwright) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench.servers import free_port, running

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMINGS = """[performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
    performance.measure('ui', 'ui:submit', 'ui:highlighted').duration,
    performance.measure('draw', 'ui:answered', 'ui:highlighted').duration]"""


def measure(base: str, text: str, runs: int) -> dict[str, object]:
    """Page bytes of the first run; timings of every run."""
    from playwright.sync_api import sync_playwright

    sizes: dict[str, int] = {}
    samples: list[list[float]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for run in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            if run == 0:
                page.on(
                    "response",
                    lambda r: (
                        r.request.resource_type in ("document", "script", "stylesheet")
                        and sizes.__setitem__(r.url.rsplit("/", 1)[-1] or "/", len(r.body()))
                    ),
                )
            page.goto(base + "/")
            page.wait_for_selector("#app[data-state=ready]")
            page.fill("#text", text)
            page.click("#score")
            page.wait_for_selector("#app[data-state=done]")
            samples.append(page.evaluate(TIMINGS))
            context.close()
        browser.close()
    names = ("page_load_ms", "submit_to_highlight_ms", "drawing_ms")
    figures: dict[str, object] = {"page_bytes": sum(sizes.values()), "page_files": sizes}
    for name, values in zip(names, zip(*samples, strict=True), strict=True):
        figures[name] = {
            "median": round(statistics.median(values), 1),
            "min": round(min(values), 1),
            "max": round(max(values), 1),
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    """Serve, measure, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model",
        type=Path,
        default=Path(os.environ.get("ESCALATION_MODEL_PATH", "artifacts/escalation-model.joblib")),
    )
    parser.add_argument(
        "--seed",
        type=Path,
        default=REPO_ROOT.parent / "shared/data/seed/nato-preemptive-strike.txt",
    )
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    text = args.seed.read_text(encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "ESCALATION_MODEL_PATH": str(args.model.resolve()),
    }
    with (
        tempfile.TemporaryDirectory() as tmp,
        running(
            "gunicorn",
            [str(Path(sys.executable).parent / "gunicorn"), "service.app:create_app()"],
            port=port,
            ready_path="/readyz",
            env=env,
            cwd=REPO_ROOT,
            log=Path(tmp) / "gunicorn.log",
        ) as server,
    ):
        figures = measure(server.url(""), text, args.runs)
    figures["runs"] = args.runs
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
