"""JSON responses serialised with orjson: a scored article with its sentences and phrases
encodes several times faster than with the standard library (request bodies are still parsed
by `service.parsing`)."""

from __future__ import annotations

from typing import Any, cast

import orjson
from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider with orjson behind `jsonify` and `app.json.response`.

    Output is compact, keys keep their order, and types orjson does not know go through Flask's
    own `default` (dates, decimals, UUIDs, dataclasses).
    """

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """A JSON response of the arguments, as `flask.jsonify` takes them."""
        body = orjson.dumps(self._prepare_response_obj(args, kwargs), default=self.default)
        app = cast(Flask, self._app)  # only ever installed on a Flask app
        return app.response_class(body + b"\n", mimetype=self.mimetype)
