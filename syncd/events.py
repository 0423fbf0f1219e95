"""Operator events: one row per thing that happened, and the same line in the log.

``syncd logs`` reads the ``event`` table; the structured log (JSON under
systemd) carries the same fields. Messages are English for operators; every
text passes through the secret scrubber before it is stored or logged.
"""

from __future__ import annotations

import json
from typing import Any

import structlog

from syncd.catalog import now
from syncd.log import clean
from syncd.models import LOG_LEVELS
from syncd.store import Store

__all__ = ["LEVELS", "record"]

LEVELS = LOG_LEVELS
_log = structlog.get_logger("syncd")


def record(
    store: Store,
    kind: str,
    message: str,
    *,
    level: str = "info",
    tenant_id: int | None = None,
    account_id: int | None = None,
    sku: str | None = None,
    correlation_id: str = "",
    **data: Any,
) -> None:
    """Write an event row (own transaction unless one is open) and log it."""
    text = clean(message)
    payload = json.loads(clean(json.dumps(data, default=str)))
    getattr(_log, level)(
        kind,
        msg=text,
        tenant=tenant_id,
        account=account_id,
        sku=sku,
        correlation_id=correlation_id or None,
        **payload,
    )
    row = (
        tenant_id,
        account_id,
        now(),
        level,
        kind,
        sku,
        text,
        correlation_id,
        json.dumps(payload, default=str),
    )
    sql = (
        "INSERT INTO event (tenant_id, channel_account_id, at, level, kind, sku, message, "
        "correlation_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    if store.conn.in_transaction:
        store.conn.execute(sql, row)
    else:
        with store.write():
            store.conn.execute(sql, row)
