"""The analyst page (`GET /`): paste or upload articles, see what drives each score.

The page is HTML rendered here plus one script and one stylesheet from `service/static/`; it
scores through the public API (`/v1/score`, `/v1/score/batch`) like any client, so there is no
second scoring path. Article text is untrusted: the script puts it in the page only as text
nodes, and every answer of this blueprint carries a Content-Security-Policy that allows no
inline script or style and no origin but this one. `ESCALATION_UI=0` leaves the blueprint out
(404): API-only deployments.

Highlighting rule (service/static/ui.js): the text is cut at every span boundary of every listed
phrase (and every sentence boundary); each piece covered by a phrase becomes one element with
`data-start`/`data-end` (code points into the text as sent), `data-phrases` (the covering
phrases) and `data-weight`, the sum of their weights. The sum's sign picks warm or cool, its
size relative to the largest piece one of five tints; a piece under any escalating phrase is
underlined solid, under any de-escalating one bordered dashed, so colour is never the only cue.

Languages: each sentence has `dir="auto"`; the article takes the direction of its language (or
of its first strong character), set by the script since a `dir="auto"` parent cannot see text in
children with a `dir` of their own. A result with no score (level `unscored`: no model reads its
language) shows its language and says it is not scored, with no level colour, bars or highlights.
"""

from __future__ import annotations

import flask

from model.scoring import DEFAULT_LEVELS
from service import auth
from service.api import BATCH_PATH, SCORE_PATH
from service.config import Settings, current_settings
from service.schemas import BATCH_MAX, MAX_TEXT_CHARS
from service.state import current_model

PAGE_PATH = "/"
STATIC_URL_PATH = "/static/ui"
# No inline script or style, no plug-ins, no framing, no origin but ours (offline by design).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# What each level band means to an analyst (bands the model names otherwise get no text).
LEVEL_MEANINGS = {
    "low": "Neutral or cooperative rhetoric: little sign of threat or conflict.",
    "elevated": "Some conflictual language (accusations, warnings) among ordinary reporting.",
    "high": "Clearly escalatory rhetoric: threats, ultimatums, force or sanctions dominate.",
    "severe": "Strongly escalatory: the language of imminent or ongoing force throughout.",
}

bp = flask.Blueprint(
    "ui",
    __name__,
    static_folder="static",
    static_url_path=STATIC_URL_PATH,
    template_folder="templates",
)


@bp.after_request
def _secure(response: flask.Response) -> flask.Response:
    """The page and its files carry the security headers."""
    response.headers.update(SECURITY_HEADERS)
    return response


def _levels() -> list[dict[str, object]]:
    """The loaded model's bands (lower bound, meaning), or the defaults without a model."""
    scorer = current_model().scorer
    bands = scorer.levels if scorer is not None else DEFAULT_LEVELS
    return [{"name": n, "min": m, "meaning": LEVEL_MEANINGS.get(n, "")} for n, m in bands]


@bp.get(PAGE_PATH)
def page() -> flask.Response:
    """The analyst page."""
    settings: Settings = current_settings()
    html = flask.render_template(
        "ui.html",
        levels=_levels(),
        needs_key=bool(settings.keys),
        score_path=SCORE_PATH,
        batch_path=BATCH_PATH,
        batch_max=BATCH_MAX,
        max_text_chars=MAX_TEXT_CHARS,
        max_request_chars=settings.max_request_chars,
    )
    response = flask.make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: flask.Flask, settings: Settings) -> None:
    """Register the page unless the deployment turned it off."""
    if not settings.ui:
        return
    app.register_blueprint(bp)
    auth.make_public(app, "ui.page", "ui.static")
