"""Logging: structlog with bound context, and secrets scrubbed out of everything.

* JSON lines when not on a terminal (systemd's journal), readable console lines on a TTY.
* Every event passes through ``scrub_event``: secret query parameters, header values,
  JSON token pairs, and every secret value syncd has loaded (``REGISTRY``) are masked,
  including inside rendered tracebacks. Tracebacks never include local variables.
* httpx/httpcore log their full request URLs at INFO; they are held at WARNING.
* An unexpected error in a command is written, scrubbed the same way, to the error
  log (``record_crash``): ``$STATE_DIRECTORY/errors.log`` under systemd (StateDirectory=),
  else ``$XDG_STATE_HOME/syncd/errors.log``, else ``~/.local/state/syncd/errors.log``.
  The user sees one line with the entry's reference.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import sys
import traceback
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, TextIO

import structlog

from syncd.redact import SecretRegistry

__all__ = ["REGISTRY", "clean", "configure", "error_log_path", "record_crash", "scrub_event"]

#: Every secret value loaded in this process (tokens, partner keys). One per process.
REGISTRY = SecretRegistry()


def clean(text: str) -> str:
    """``text`` with every known secret and secret-looking value masked.

    One pass of the patterns and one scan for the registered values, whose cost
    does not grow with their number (``REGISTRY.scrub`` runs the patterns too).
    """
    return REGISTRY.scrub(text)


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


def error_log_path() -> Path:
    """Where unexpected errors are written (see the module docstring)."""
    if state := os.environ.get("STATE_DIRECTORY"):
        return Path(state.split(":")[0]) / "errors.log"
    if xdg := os.environ.get("XDG_STATE_HOME"):
        return Path(xdg) / "syncd" / "errors.log"
    return Path.home() / ".local" / "state" / "syncd" / "errors.log"


def record_crash(exc: BaseException, *, command: str = "") -> tuple[str, Path | None]:
    """Append ``exc``'s scrubbed traceback to the error log; return (reference, log path).

    The path is None when the log cannot be written (the reference is still unique
    enough to match a report with a journal line).
    """
    from syncd import __version__  # noqa: PLC0415

    ref = secrets.token_hex(4)
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    body = clean("".join(traceback.format_exception(exc)))
    entry = f"=== {when} ref={ref} pid={os.getpid()} syncd {__version__} {command}\n{body}\n"
    path = error_log_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(entry)
    except OSError:
        return ref, None
    return ref, path
