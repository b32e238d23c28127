"""The analyst page as served: headers, no inline code, the switch, keys (the browser test is
test_ui_browser.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask

from service.config import ConfigError, load_settings
from service.ui import CONTENT_SECURITY_POLICY, LEVEL_MEANINGS
from tests.service.helpers import ESCALATORY_TEXT, assert_problem

STATIC = ("/static/ui/ui.js", "/static/ui/ui.css")


def test_page_is_served_with_a_strict_policy(client) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    # Every script is a file of ours; no inline script, style or event handler.
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert scripts == [""]
    assert '<script src="/static/ui/ui.js" defer>' in html
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert "http://" not in html and "https://" not in html  # nothing from another origin


def test_page_explains_the_model_levels(client) -> None:
    html = client.get("/").get_data(as_text=True)
    for name in ("low", "elevated", "high", "severe"):  # the tiny model's bands
        assert f'data-level-meaning="{name}">{LEVEL_MEANINGS[name]}</dd>' in html
    assert "(score from 0.50)" in html


@pytest.mark.parametrize(
    ("path", "mimetype"), [(STATIC[0], "text/javascript"), (STATIC[1], "text/css")]
)
def test_static_files_are_served_with_the_policy(client, path: str, mimetype: str) -> None:
    with client.get(path) as response:  # closes the file it streams
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.get_data()


def test_script_never_parses_text_as_html(client) -> None:
    """The script builds the page from DOM nodes and textContent only."""
    with client.get(STATIC[0]) as response:
        script = response.get_data(as_text=True)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    assert 'setAttribute("style"' not in script


@pytest.mark.parametrize("path", ["/", *STATIC])
def test_switched_off_is_404(make_app: Callable[..., Flask], path: str) -> None:
    client = make_app(UI="0").test_client()
    assert_problem(client.get(path), 404)
    assert client.post("/v1/score", json={"text": ESCALATORY_TEXT}).status_code == 200


@pytest.mark.parametrize(
    ("raw", "on"), [("0", False), ("off", False), ("false", False), ("1", True), ("ON", True)]
)
def test_ui_switch_from_the_environment(raw: str, on: bool) -> None:
    assert load_settings({"ESCALATION_UI": raw}).ui is on
    assert load_settings({}).ui is True


def test_ui_switch_rejects_other_values() -> None:
    with pytest.raises(ConfigError, match="ESCALATION_UI"):
        load_settings({"ESCALATION_UI": "maybe"})


def test_with_keys_the_page_is_public_and_asks_for_one(make_app: Callable[..., Flask]) -> None:
    client = make_app(API_KEYS="analyst:secret-0123456789abcdef").test_client()
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="api-key"' in html and 'data-needs-key="true"' in html
    with client.get(STATIC[0]) as response:
        assert response.status_code == 200
    assert_problem(client.post("/v1/score", json={"text": ESCALATORY_TEXT}), 401)
    ok = client.post(
        "/v1/score",
        json={"text": ESCALATORY_TEXT},
        headers={"Authorization": "Bearer secret-0123456789abcdef"},
    )
    assert ok.status_code == 200


def test_without_keys_no_key_field(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'id="api-key"' not in html and 'data-needs-key="false"' in html
