"""Service settings: documented defaults, then ESCALATION_* environment variables, then overrides.

| variable                        | default                              |
|---------------------------------|--------------------------------------|
| ESCALATION_MODEL_PATH           | artifacts/escalation-model.joblib    |
| ESCALATION_MAX_CONTENT_LENGTH   | 8388608 (8 MiB, largest request body)|
| ESCALATION_DEFAULT_TOP_K        | 10 (phrases each way when not sent)  |
| ESCALATION_LOG_LEVEL            | INFO                                 |
| ESCALATION_MAX_REQUEST_CHARS    | 1000000 (characters of all texts)    |
| ESCALATION_API_KEYS             | - (`id:secret,id2:secret2`; none: open) |
| ESCALATION_API_KEYS_FILE        | - (one `id:secret` a line, # comments) |
| ESCALATION_UI                   | 1 (the analyst page at `/`; 0 for API-only deployments: 404) |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, cast

import flask

from model import DEFAULT_MODEL_PATH, DEFAULT_TOP_K
from service.schemas import (
    BATCH_MAX,
    DEFAULT_MAX_REQUEST_CHARS,
    MAX_TEXT_CHARS,
    TOP_K_MAX,
    TOP_K_MIN,
)

# ENV_PREFIX + "MODEL_PATH" is model.MODEL_PATH_ENV: the CLI and the service read the same one.
ENV_PREFIX = "ESCALATION_"
DEFAULT_MAX_CONTENT_LENGTH = 8 * 1024 * 1024
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MIN_SECRET_CHARS = 16
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
SETTINGS_EXTENSION = "escalation.settings"


class ConfigError(RuntimeError, ValueError):
    """A setting has a value the service cannot run with (fail fast at start-up). A
    RuntimeError, so gunicorn stops with its one-line `Error: <message>`, no traceback."""


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    model_path: Path = DEFAULT_MODEL_PATH
    max_content_length: int = DEFAULT_MAX_CONTENT_LENGTH
    default_top_k: int = DEFAULT_TOP_K
    log_level: str = "INFO"
    max_request_chars: int = DEFAULT_MAX_REQUEST_CHARS
    api_keys: str = field(default="", repr=False)
    api_keys_file: Path | None = None
    ui: bool = True
    # id -> secret, from api_keys and api_keys_file (empty: no authentication).
    keys: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Validate once, so a bad deployment fails at start-up, not on a request."""
        if self.max_content_length < 1:
            raise ConfigError(f"{ENV_PREFIX}MAX_CONTENT_LENGTH must be a positive number of bytes")
        if not TOP_K_MIN <= self.default_top_k <= TOP_K_MAX:
            raise ConfigError(
                f"{ENV_PREFIX}DEFAULT_TOP_K must be in {TOP_K_MIN}..{TOP_K_MAX}, "
                f"not {self.default_top_k}"
            )
        if self.log_level not in LOG_LEVELS:
            raise ConfigError(f"{ENV_PREFIX}LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        if not MAX_TEXT_CHARS <= self.max_request_chars <= BATCH_MAX * MAX_TEXT_CHARS:
            raise ConfigError(
                f"{ENV_PREFIX}MAX_REQUEST_CHARS must be in "
                f"{MAX_TEXT_CHARS}..{BATCH_MAX * MAX_TEXT_CHARS}, not {self.max_request_chars}"
            )
        lines = self.api_keys.split(",")
        if self.api_keys_file is not None:
            try:
                lines += self.api_keys_file.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise ConfigError(
                    f"{ENV_PREFIX}API_KEYS_FILE: cannot read it ({exc.strerror})"
                ) from None
        object.__setattr__(self, "keys", parse_keys(lines))


def parse_keys(lines: list[str]) -> dict[str, str]:
    """`id:secret` entries (blank and # lines skipped) -> {id: secret}; ConfigError names the
    entry by position, never its secret."""
    keys: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, _, secret = entry.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not key_id or len(secret) < MIN_SECRET_CHARS:
            raise ConfigError(
                f"{ENV_PREFIX}API_KEYS: entry {number} must be id:secret with a secret of at least "
                f"{MIN_SECRET_CHARS} characters"
            )
        if not (secret.isascii() and secret.isprintable()):  # headers arrive as Latin-1
            raise ConfigError(
                f"{ENV_PREFIX}API_KEYS: entry {number} has a secret outside printable ASCII, "
                "which a client's header would not carry as written"
            )
        if key_id in keys:
            raise ConfigError(f"{ENV_PREFIX}API_KEYS: key id {key_id!r} appears twice")
        keys[key_id] = secret
    return keys


def _convert(name: str, kind: type, raw: Any) -> Any:
    """Coerce a raw environment or override value to the field's type."""
    if kind is bool:
        word = str(raw).strip().lower()
        if isinstance(raw, bool) or word in _TRUE | _FALSE:
            return raw if isinstance(raw, bool) else word in _TRUE
        raise ConfigError(f"{name}: cannot read {raw!r} as a switch (1/0, true/false, on/off)")
    try:
        if kind is int:
            return int(raw)
        if kind is Path:
            return Path(raw)
        if name.endswith("LOG_LEVEL"):
            return str(raw).upper()
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name}: cannot read {raw!r} as {kind.__name__}") from exc


def load_settings(
    environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Settings from `ESCALATION_<NAME>` variables, with `overrides[<NAME>]` taking precedence."""
    kinds = {
        "model_path": Path,
        "max_content_length": int,
        "default_top_k": int,
        "max_request_chars": int,
        "api_keys_file": Path,
        "ui": bool,
    }
    values: dict[str, Any] = {}
    for item in fields(Settings):
        if not item.init:
            continue
        key = item.name.upper()
        if overrides is not None and key in overrides:
            raw = overrides[key]
        elif environ.get(ENV_PREFIX + key):
            raw = environ[ENV_PREFIX + key]
        else:
            continue
        values[item.name] = _convert(ENV_PREFIX + key, kinds.get(item.name, str), raw)
    return Settings(**values)


def current_settings() -> Settings:
    """The settings of the current app (set by create_app)."""
    return cast(Settings, flask.current_app.extensions[SETTINGS_EXTENSION])
