"""Logging: structlog with bound context, and secrets scrubbed out of everything.

* JSON lines when not on a terminal (systemd's journal), readable console lines on a TTY.
* Every event passes through ``scrub_event``: secret query parameters, header values,
  JSON token pairs, and every secret value syncd has loaded (``REGISTRY``) are masked,
  including inside rendered tracebacks. Tracebacks never include local variables.
* httpx/httpcore log their full request URLs at INFO; they are held at WARNING.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

from syncd.redact import SecretRegistry, scrub

__all__ = ["REGISTRY", "clean", "configure", "scrub_event"]

#: Every secret value loaded in this process (tokens, partner keys). One per process.
REGISTRY = SecretRegistry()


def clean(text: str) -> str:
    """``text`` with every known secret and secret-looking value masked."""
    return REGISTRY.scrub(scrub(text))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_clean(v) for v in value)
    return value


def scrub_event(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask secrets in every value (runs after traceback rendering)."""
    return {k: _clean(v) for k, v in event.items()}


class _ScrubFilter(logging.Filter):
    """The same masking for third-party stdlib loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = clean(record.getMessage())
        record.args = None
        return True


def configure(
    *, json: bool | None = None, level: str = "info", stream: TextIO | None = None
) -> None:
    """Set up structlog and stdlib logging for the CLI and the daemon."""
    out = stream or sys.stderr
    if json is None:
        json = not out.isatty() or "JOURNAL_STREAM" in os.environ
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if json:
        tail: list[Any] = [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            scrub_event,
            structlog.processors.JSONRenderer(),
        ]
    else:
        tail = [
            structlog.processors.format_exc_info,
            scrub_event,
            structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback),
        ]
    structlog.configure(
        processors=[*shared, *tail],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=False,
    )
    root = logging.getLogger()
    if not any(isinstance(f, _ScrubFilter) for f in root.filters):
        root.addFilter(_ScrubFilter())
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
