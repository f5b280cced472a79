"""Structured events of pytest-supaseed on the stdlib ``logging`` logger ``pytest_supaseed``.

Every event is one log record whose message is readable text and whose ``supaseed`` attribute holds
the structured fields: ``event`` (``phase``, ``table``, ``seed``, ``retry``, ``relaxation``,
``template_db``, ``resume``, ...), ``table`` where one applies, counts and ``duration_ms``. The
records propagate, so pytest's log capture (``caplog``, ``--log-cli-level=INFO``) shows them like any
other library's.

``SUPASEED_LOG=json`` (or ``supaseed --log-json``, ``pytest --supaseed-log-json``) adds a handler
that prints one JSON object per line on stderr::

    {"ts": "2026-12-03T12:00:00.123Z", "level": "info", "event": "table",
     "table": "public.events", "rows": 50000, "duration_ms": 812.4}
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from typing import IO, Any

__all__ = [
    "LOGGER_NAME",
    "JsonFormatter",
    "enable_json",
    "event",
    "json_enabled",
    "json_requested",
    "logger",
]

LOGGER_NAME = "pytest_supaseed"
#: Attribute of a :class:`logging.LogRecord` that carries an event's fields.
FIELDS_ATTR = "supaseed"

logger = logging.getLogger(LOGGER_NAME)


def event(name: str, message: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """Log event ``name`` with ``message`` (readable) and ``fields`` (structured, JSON-able).

    ``duration`` in seconds, when given, is logged as ``duration_ms`` (rounded to 0.1 ms).
    """
    if not logger.isEnabledFor(level):
        return
    seconds = fields.pop("duration", None)
    if seconds is not None:
        fields["duration_ms"] = round(float(seconds) * 1000, 1)
    logger.log(level, message, extra={FIELDS_ATTR: {"event": name, **fields}})


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``ts``, ``level``, ``event``, the event's fields, ``message``.

    Records that are not events (a plain ``logger.info``) get ``event: "log"``.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single line of JSON."""
        fields = getattr(record, FIELDS_ATTR, None) or {"event": "log"}
        stamp = dt.datetime.fromtimestamp(record.created, dt.UTC)
        out: dict[str, Any] = {
            "ts": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            **fields,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


class _JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler :func:`enable_json` installs (recognised so it is installed once)."""


def json_requested() -> bool:
    """Whether the environment asks for JSON logs (``SUPASEED_LOG=json``)."""
    return os.environ.get("SUPASEED_LOG", "").strip().lower() == "json"


def enable_json(stream: IO[str] | None = None, level: int = logging.INFO) -> logging.Handler:
    """Print the ``pytest_supaseed`` events as JSON lines on ``stream`` (default: stderr).

    Idempotent: a second call returns the handler already installed (pointed at ``stream``). The
    logger's level is lowered to ``level`` so the INFO events are emitted; records still propagate.
    """
    for handler in logger.handlers:
        if isinstance(handler, _JsonHandler):
            if stream is not None:
                handler.setStream(stream)
            return handler
    handler = _JsonHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(level)
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    return handler


def json_enabled() -> bool:
    """Whether :func:`enable_json` installed its handler (stderr then carries JSON lines only)."""
    return any(isinstance(h, _JsonHandler) for h in logger.handlers)


def disable_json() -> None:
    """Remove the handler :func:`enable_json` installed (if any)."""
    for handler in list(logger.handlers):
        if isinstance(handler, _JsonHandler):
            logger.removeHandler(handler)
