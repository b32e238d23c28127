"""WSGI entry point for servers that want a module-level app: `gunicorn service.wsgi:app`."""

from __future__ import annotations

from service.app import create_app

app = create_app()
