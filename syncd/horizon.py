"""A channel's authorization horizon: when the seller must authorize syncd again.

The horizon is the earlier of the credential's ``auth_expires_at`` (Lazada's 180-day
re-authorization, Shopee's 365 days) and ``refresh_expires_at`` (TikTok's refresh token,
Shopify's expiring refresh tokens): past either one, only the seller can help.

* ``syncd status`` names, from 14 days ahead, how many days are left and the command that
  prints the authorization link (:func:`status_line`);
* :func:`warn_due` raises an ``auth.expiring`` event once as the horizon comes within 14,
  3 and 1 day(s) (level warning; 1 day: error). ``channel_account.auth_warned`` keeps the
  smallest threshold warned so far; it is cleared once the horizon is more than 14 days
  away again (the seller authorized again), so the next horizon is warned afresh.

A horizon already passed is ``needs_reauth`` in :mod:`syncd.health`, not a warning here.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Final

import structlog

from syncd import events
from syncd.i18n import t
from syncd.localtime import show, zone
from syncd.store import Store

__all__ = ["THRESHOLDS", "WINDOW", "Warned", "due", "horizon", "job", "status_line", "warn_due"]

_log = structlog.get_logger("syncd.horizon")

THRESHOLDS: Final = (14, 3, 1)  # days ahead, largest first
WINDOW: Final = dt.timedelta(days=THRESHOLDS[0])
_COLUMNS: Final = ("auth_expires_at", "refresh_expires_at")


@dataclass(frozen=True, slots=True)
class Warned:
    """One ``auth.expiring`` event raised by :func:`warn_due`."""

    tenant_id: int
    account_id: int
    name: str
    threshold: int
    horizon: dt.datetime


def _instant(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    when = dt.datetime.fromisoformat(value)
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def horizon(auth_expires_at: str | None, refresh_expires_at: str | None) -> dt.datetime | None:
    """The earlier of the two stored expiries (ISO text), None when neither is set."""
    known = [w for w in (_instant(auth_expires_at), _instant(refresh_expires_at)) if w]
    return min(known, default=None)


def due(when: dt.datetime | None, now: dt.datetime) -> int | None:
    """The smallest threshold the horizon is within (days), None when it is further away
    than 14 days, not set, or already passed."""
    if when is None or when <= now:
        return None
    left = when - now
    within = [days for days in THRESHOLDS if left <= dt.timedelta(days=days)]
    return min(within, default=None)


def _days_left(when: dt.datetime, now: dt.datetime) -> int:
    """Calendar days in the seller's zone, counted as ``localtime.until`` counts them."""
    return (when.astimezone(zone()).date() - now.astimezone(zone()).date()).days


def status_line(
    name: str,
    auth_expires_at: str | None,
    refresh_expires_at: str | None,
    now: dt.datetime | None = None,
) -> str | None:
    """What ``syncd status`` says about a horizon within 14 days (None otherwise)."""
    now = now or dt.datetime.now(dt.UTC)
    when = horizon(auth_expires_at, refresh_expires_at)
    if when is None or due(when, now) is None:
        return None
    days = _days_left(when, now)
    if days <= 0:
        return t("horizon.today", name=name, at=show(when))
    if days == 1:
        return t("horizon.within_one", name=name, at=show(when))
    return t("horizon.within", name=name, at=show(when), days=days)


_CANDIDATES: Final = """
SELECT c.id, c.tenant_id, c.name, c.auth_warned, cr.auth_expires_at, cr.refresh_expires_at
FROM channel_account c
JOIN credential cr ON cr.channel_account_id = c.id AND cr.tenant_id = c.tenant_id
WHERE c.removed_at IS NULL AND c.status != 'needs_reauth'
ORDER BY c.tenant_id, c.id
"""


def warn_due(store: Store, now: dt.datetime) -> list[Warned]:
    """Raise ``auth.expiring`` for every channel (of every tenant) whose horizon came
    within a threshold not warned yet; clear the marker of those authorized again.

    Calling it again at the same moment raises nothing new: the marker and the event are
    written in one transaction, and only when the stored marker is still larger.
    """
    raised: list[Warned] = []
    for row in store.all(_CANDIDATES):
        when = horizon(row["auth_expires_at"], row["refresh_expires_at"])
        warned = row["auth_warned"]
        threshold = due(when, now)
        if threshold is None:
            if warned is not None and (when is None or when - now > WINDOW):
                _clear(store, row["tenant_id"], row["id"])
            continue
        if warned is not None and warned <= threshold:
            continue
        assert when is not None  # noqa: S101 - due() is None without a horizon
        if _mark(store, row, threshold, when):
            raised.append(Warned(row["tenant_id"], row["id"], row["name"], threshold, when))
    return raised


def _clear(store: Store, tenant_id: int, account_id: int) -> None:
    with store.write():
        store.conn.execute(
            "UPDATE channel_account SET auth_warned = NULL "
            "WHERE id = ? AND tenant_id = ? AND auth_warned IS NOT NULL",
            (account_id, tenant_id),
        )
    _log.info("auth.warning_cleared", tenant=tenant_id, account=account_id)


def _mark(store: Store, row: sqlite3.Row, threshold: int, when: dt.datetime) -> bool:
    """Store the threshold and record its event, unless another process just did."""
    tenant_id, account_id, name = row["tenant_id"], row["id"], row["name"]
    column = next(c for c in _COLUMNS if _instant(row[c]) == when)
    expires = when.astimezone(dt.UTC).isoformat(timespec="seconds")
    with store.write():
        changed = store.conn.execute(
            "UPDATE channel_account SET auth_warned = ? WHERE id = ? AND tenant_id = ? "
            "AND (auth_warned IS NULL OR auth_warned > ?)",
            (threshold, account_id, tenant_id, threshold),
        ).rowcount
        if changed:
            events.record(
                store,
                "auth.expiring",
                f"authorization ends {expires} (within {threshold} day(s), {column}); "
                f"re-authorize: syncd channel connect {name}",
                level="error" if threshold == THRESHOLDS[-1] else "warning",
                tenant_id=tenant_id,
                account_id=account_id,
                days=threshold,
                expires=expires,
                which=column,
            )
    return bool(changed)


def job(store: Store) -> None:
    """The daemon's job (hourly, at start, and in ``run --once``): :func:`warn_due` now.
    An error is logged and never raised, so the sync goes on."""
    try:
        raised = warn_due(store, dt.datetime.now(dt.UTC))
    except Exception as exc:  # noqa: BLE001 - a warning must never stop the sync
        _log.warning("auth.warn_failed", error=f"{type(exc).__name__}: {exc}")
        return
    for warned in raised:
        _log.info("auth.warned", account=warned.account_id, days=warned.threshold)
