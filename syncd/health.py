"""One state per channel, computed from facts: what ``syncd status`` tells the seller.

The state is derived each time from what the database and the secrets say, never
stored: a channel is ``ok`` only when nothing below holds. In order of precedence:

=================  ==============================================================
state              when
=================  ==============================================================
``paused``         the seller paused it (``syncd channel pause``)
``unsupported``    no installed adapter serves its marketplace
``cannot_decrypt`` its secrets do not open with the master key in use
``not_connected``  no tokens: ``syncd channel connect`` has not completed
``needs_reauth``   the marketplace refused the authorization (revoked), or the
                   stored authorization / refresh token has expired
``failing``        its last job failed (error and since when), orders it sent are set
                   aside (``syncd quarantine``), or values it refused are parked (the
                   listing shows a number syncd did not mean)
``not_reviewed``   nothing is pushed until the seller accepts (``channel accept``)
``ok``             none of the above
=================  ==============================================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from syncd import credentials
from syncd.errors import UserError
from syncd.store import Store

__all__ = ["STATES", "Health", "channel_health"]

STATES: Final = (
    "paused",
    "unsupported",
    "cannot_decrypt",
    "not_connected",
    "needs_reauth",
    "failing",
    "not_reviewed",
    "ok",
)


@dataclass(frozen=True, slots=True)
class Health:
    """A channel's state, what explains it, and since when (ISO UTC, or '')."""

    state: str
    detail: str = ""
    since: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def _expired(value: str | None, now: dt.datetime) -> bool:
    return bool(value) and dt.datetime.fromisoformat(str(value)) <= now


def channel_health(  # noqa: PLR0911, PLR0912 - one return per state, in precedence order
    store: Store,
    channel_id: int,
    *,
    vault: credentials.Vault | UserError,
    now: dt.datetime | None = None,
) -> Health:
    """The state of one channel account (see the module docstring). ``vault``: the one
    the command opened by the key rule, or why it could not (then sealed secrets are
    ``cannot_decrypt``)."""
    from adapters import UnknownAdapter, load  # noqa: PLC0415

    now = now or dt.datetime.now(dt.UTC)
    row = store.one(
        "SELECT c.tenant_id, c.marketplace, c.status, c.status_reason, c.accepted_at, "
        "c.paused_at, cr.blob IS NOT NULL AS sealed, cr.access_expires_at, "
        "cr.refresh_expires_at, cr.auth_expires_at FROM channel_account c "
        "LEFT JOIN credential cr ON cr.channel_account_id = c.id WHERE c.id = ?",
        (channel_id,),
    )
    if row is None:
        raise LookupError(channel_id)
    if row["paused_at"]:
        return Health("paused", since=row["paused_at"])
    try:
        load(row["marketplace"])
    except UnknownAdapter:
        return Health("unsupported", row["marketplace"])
    tokens = None
    if row["sealed"]:
        if isinstance(vault, UserError):
            return Health("cannot_decrypt", str(vault))
        try:
            tokens = credentials.load(store, vault, row["tenant_id"], channel_id).tokens
        except UserError as exc:
            return Health("cannot_decrypt", str(exc))
    if tokens is None:
        return Health("not_connected")
    if row["status"] == "needs_reauth":
        return Health("needs_reauth", row["status_reason"])
    for column in ("auth_expires_at", "refresh_expires_at"):
        if _expired(row[column], now):
            return Health("needs_reauth", f"{column}: {row[column]}", row[column])
    failing = store.one(
        "SELECT job, last_error, failing_since, failures FROM job_run "
        "WHERE channel_account_id = ? AND failures > 0 ORDER BY failing_since LIMIT 1",
        (channel_id,),
    )
    if failing is not None:
        return Health(
            "failing", f"{failing['job']}: {failing['last_error']}", failing["failing_since"] or ""
        )
    aside = store.one(
        "SELECT COUNT(*) AS n, MIN(first_seen) AS since, MIN(reason) AS reason "
        "FROM quarantine WHERE channel_account_id = ? AND state = 'open'",
        (channel_id,),
    )
    if aside is not None and aside["n"]:
        from syncd.i18n import t  # noqa: PLC0415

        detail = t("quarantine.detail", count=aside["n"], reason=aside["reason"])
        return Health("failing", detail, aside["since"] or "")
    parked = store.one(
        "SELECT COUNT(*) AS n, MIN(updated_at) AS since, MAX(last_error) AS error FROM outbox "
        "WHERE channel_account_id = ? AND status = 'parked'",
        (channel_id,),
    )
    if parked is not None and parked["n"]:
        return Health("failing", f"{parked['n']} × {parked['error']}", parked["since"] or "")
    if not row["accepted_at"]:
        return Health("not_reviewed")
    return Health("ok")
