"""Low stock: one warning when a SKU's available stock falls to its threshold.

A SKU's threshold is its own (``sku.low_stock``), else the tenant's default
(``tenant.low_stock``), else none. Available is on hand − reserved over every location
(the cached balance ``syncd.ledger.balance`` reads). When it is at or below the
threshold, an event ``stock.low`` (level warning, with the SKU and what is available) is
recorded and ``sku.low_stock_at`` remembers when; no second event comes until available
has risen above the threshold (which clears ``low_stock_at``) and fallen again.

``check`` runs at the end of each settle of the inventory unit of work
(``inventory.Change.settle``) with the SKUs the change touched: one query for all of
them, in the change's transaction, so the event is kept exactly when the movement is.
Bundles hold no stock of their own (their components do) and have no threshold.

This module sits below ``syncd.inventory`` and so below ``syncd.events``: it writes its
event row itself, in the same shape ``events.record`` writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import structlog

from syncd import audit
from syncd.catalog import get_sku, now
from syncd.errors import UserError
from syncd.store import Store

__all__ = ["KIND", "Low", "Threshold", "check", "set_default", "set_threshold", "thresholds"]

KIND: Final = "stock.low"
_CHUNK: Final = 500  # SKU ids per query (SQLite's bound-parameter limit is far above)
_log = structlog.get_logger("syncd.lowstock")


@dataclass(frozen=True, slots=True)
class Low:
    """A SKU whose available stock has just fallen to its threshold (an event was kept)."""

    sku: str
    available: int
    threshold: int


@dataclass(frozen=True, slots=True)
class Threshold:
    """A SKU's low-stock setting as ``syncd stock threshold`` shows it."""

    sku: str
    own: int | None  # the SKU's own threshold (None: the tenant's default applies)
    threshold: int | None  # the one in force
    available: int
    low_since: str | None  # ISO UTC: when the low-stock event was raised, if it is low now


_STATE = """
SELECT s.id, s.sku, s.low_stock, COALESCE(s.low_stock, t.low_stock) AS threshold,
       s.low_stock_at,
       COALESCE(SUM(b.on_hand), 0) - COALESCE(SUM(b.reserved), 0) AS available
FROM sku s
JOIN tenant t ON t.id = s.tenant_id
LEFT JOIN balance b ON b.tenant_id = s.tenant_id AND b.sku_id = s.id
WHERE s.tenant_id = ? AND s.is_bundle = 0
"""


def _rows(store: Store, tenant_id: int, sku_ids: list[int] | None, *, watched: bool) -> list[Any]:
    """(id, sku, own, threshold, low_stock_at, available) of a tenant's SKUs (None: all);
    ``watched``: only those with a threshold or a raised event."""
    tail = (
        " AND (COALESCE(s.low_stock, t.low_stock) IS NOT NULL OR s.low_stock_at IS NOT NULL)"
        if watched
        else ""
    )
    if sku_ids is None:
        return store.conn.execute(
            _STATE + tail + " GROUP BY s.id ORDER BY s.sku", (tenant_id,)
        ).fetchall()
    out: list[Any] = []
    for i in range(0, len(sku_ids), _CHUNK):
        chunk = sku_ids[i : i + _CHUNK]
        out += store.conn.execute(
            _STATE + f" AND s.id IN ({','.join('?' * len(chunk))})" + tail + " GROUP BY s.id",
            (tenant_id, *chunk),
        ).fetchall()
    return out


def _raise(store: Store, tenant_id: int, low: Low, correlation_id: str) -> None:
    """Keep the ``stock.low`` event (the row ``events.record`` would write) and log it."""
    message = f"available {low.available} at or below the low-stock threshold {low.threshold}"
    data = {"available": low.available, "threshold": low.threshold}
    if structlog.is_configured():  # the daemon's log (journald); a cash sale prints none
        _log.warning(
            KIND,
            msg=message,
            tenant=tenant_id,
            sku=low.sku,
            correlation_id=correlation_id or None,
            **data,
        )
    store.conn.execute(
        "INSERT INTO event (tenant_id, channel_account_id, at, level, kind, sku, message, "
        "correlation_id, data) VALUES (?, NULL, ?, 'warning', ?, ?, ?, ?, ?)",
        (tenant_id, now(), KIND, low.sku, message, correlation_id, json.dumps(data)),
    )


def check(
    store: Store, tenant_id: int, sku_ids: Iterable[int] | None, *, correlation_id: str = ""
) -> list[Low]:
    """Raise ``stock.low`` for the SKUs (None: every SKU) that are at or below their
    threshold and not yet announced; re-arm those back above it. Call inside ``write()``.
    Returns the SKUs announced now."""
    ids = None if sku_ids is None else sorted(set(sku_ids))
    if ids == []:
        return []
    raised: list[Low] = []
    for sku_id, sku, _, threshold, low_at, available in _rows(store, tenant_id, ids, watched=True):
        low = threshold is not None and available <= threshold
        if low and low_at is None:
            found = Low(str(sku), int(available), int(threshold))
            _raise(store, tenant_id, found, correlation_id)
            store.conn.execute("UPDATE sku SET low_stock_at = ? WHERE id = ?", (now(), sku_id))
            raised.append(found)
        elif not low and low_at is not None:
            store.conn.execute("UPDATE sku SET low_stock_at = NULL WHERE id = ?", (sku_id,))
    return raised


def _checked(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise UserError("lowstock.bad", value=value)
    return value


def set_threshold(
    store: Store, tenant_id: int, sku: str, value: int | None, *, actor: str = "syncd"
) -> Low | None:
    """Set (None: clear) a SKU's own threshold, kept in the change log, and check it at
    once; returns the SKU when it is low now and this is the first time it is said."""
    _checked(value)
    with store.write():
        found = get_sku(store, tenant_id, sku)
        if found.is_bundle:
            raise UserError("lowstock.bundle", sku=found.sku)
        before = store.scalar("SELECT low_stock FROM sku WHERE id = ?", (found.id,))
        store.conn.execute("UPDATE sku SET low_stock = ? WHERE id = ?", (value, found.id))
        audit.record_change(
            store,
            tenant_id,
            actor=actor,
            what="threshold",
            subject=found.sku,
            old=before,
            new=value,
            sku_id=found.id,
        )
        raised = check(store, tenant_id, [found.id], correlation_id="threshold")
    return raised[0] if raised else None


def set_default(
    store: Store, tenant_id: int, value: int | None, *, actor: str = "syncd"
) -> list[Low]:
    """Set (None: clear) the tenant's default threshold and check every SKU at once;
    returns the SKUs low now that had not been said before."""
    _checked(value)
    with store.write():
        before = store.scalar("SELECT low_stock FROM tenant WHERE id = ?", (tenant_id,))
        store.conn.execute("UPDATE tenant SET low_stock = ? WHERE id = ?", (value, tenant_id))
        audit.record_change(
            store,
            tenant_id,
            actor=actor,
            what="threshold",
            subject="default",
            old=before,
            new=value,
        )
        return check(store, tenant_id, None, correlation_id="threshold")


def thresholds(store: Store, tenant_id: int) -> tuple[int | None, list[Threshold]]:
    """The tenant's default and every SKU (not bundles) with its threshold and stock."""
    default = store.scalar("SELECT low_stock FROM tenant WHERE id = ?", (tenant_id,))
    rows = [
        Threshold(str(r[1]), r[2], r[3], int(r[5]), r[4] if r[3] is not None else None)
        for r in _rows(store, tenant_id, None, watched=False)
    ]
    return (None if default is None else int(default)), rows
