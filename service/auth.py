"""Optional API keys: with ESCALATION_API_KEYS (or _FILE) set, every endpoint but the public
ones needs `Authorization: Bearer <secret>` (or `X-API-Key: <secret>`); 401 otherwise.

Several keys may be valid at once (rotation: add the new one, move clients, drop the old one).
A presented secret is compared with every configured one in constant time (SHA-256 digests
through `hmac.compare_digest`, so neither the match nor the secrets' lengths show in timing).
The key's id goes to the access log, never the secret. No rate limit here: a limit kept in each
gunicorn worker would not add up across workers; limit at the proxy or ingress (docs/deployment.md).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

import flask

from service.config import current_settings
from service.errors import Unauthorized

PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json"})
API_KEY_HEADER = "X-API-Key"
# Endpoints that hold no data and need no key (the analyst page and its files: the page asks
# the user for a key and sends it with each API call).
PUBLIC_ENDPOINTS_EXTENSION = "escalation.public_endpoints"


def presented_key() -> str | None:
    """The secret the request carries, if any."""
    scheme, _, token = flask.request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return flask.request.headers.get(API_KEY_HEADER) or None


def key_id_for(presented: str, keys: Mapping[str, str]) -> str | None:
    """The id of the key whose secret this is; every key is compared, in constant time."""
    given = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()
    found = None
    for key_id, secret in keys.items():
        if hmac.compare_digest(given, hashlib.sha256(secret.encode()).digest()):
            found = key_id
    return found


def authenticate() -> None:
    """before_request: 401 unless keys are off, the path is public or the key is valid."""
    keys = current_settings().keys
    request = flask.request
    if not keys or request.method == "OPTIONS" or request.path in PUBLIC_PATHS:
        return
    if request.endpoint in flask.current_app.extensions.get(PUBLIC_ENDPOINTS_EXTENSION, ()):
        return
    if request.routing_exception is not None:  # 404 and 405 before 401: they say no more
        return
    presented = presented_key()
    if presented is None:
        raise Unauthorized("This endpoint needs an API key: send Authorization: Bearer <key>.")
    key_id = key_id_for(presented, keys)
    if key_id is None:
        raise Unauthorized("The API key is not valid.")
    flask.g.api_key_id = key_id


def make_public(app: flask.Flask, *endpoints: str) -> None:
    """Let these endpoints answer without a key."""
    app.extensions.setdefault(PUBLIC_ENDPOINTS_EXTENSION, set()).update(endpoints)


def init_app(app: flask.Flask) -> None:
    """Check keys before every request."""
    app.before_request(authenticate)
