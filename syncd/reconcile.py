"""Read-back reconciliation: what each listing shows, against what syncd sent and wants.

The reconcile job (every 30 minutes per channel by default) reads every listing of a
shop the cheap way, the adapter's ``discover()`` (paged reads in the marketplace's
batch shapes), keeps what each shows and its campaign lock (``catalog.record_shown``),
and gives every difference a class:

=================  ===========================================================  ==========
class              when                                                         action
=================  ===========================================================  ==========
``in_flight``      a push is pending or failing, or was answered less than      wait
                   ``GRACE`` ago (the marketplace may not show it yet)
``unpulled_sale``  the order pull that follows at once moved this listing       pulled
                   (a sale or a cancel syncd had not seen yet)
``lock``           the push was refused below a campaign lock                   wait
``edited``         nothing explains it: someone changed it by hand on the       by policy
                   marketplace
``unknown``        a bound listing the marketplace no longer shows              report
=================  ===========================================================  ==========

What a hand edit does is the tenant's ``drift_policy``: ``syncd`` (the default: syncd's
value is sent again), ``count`` (the marketplace's number becomes a stock count in the
ledger: an adjustment by the difference, with the marketplace as source), or ``ask``
(reported in ``syncd drift`` and left for the seller). Every difference is kept in
``drift`` with its class and action; a listing that shows what syncd wants is not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog

from syncd import catalog, events, inventory, outbox, sync
from syncd.catalog import now
from syncd.models import MovementIn
from syncd.store import Store

__all__ = [
    "GRACE",
    "POLICIES",
    "Difference",
    "ReconcileReport",
    "action_text",
    "describe",
    "drift_lines",
    "policy",
    "reconcile",
    "set_policy",
]

_log = structlog.get_logger("syncd.reconcile")
Policy = Literal["syncd", "count", "ask"]
POLICIES: tuple[Policy, ...] = ("syncd", "count", "ask")
#: a value answered this recently may not show on the marketplace yet (how long a
#: marketplace takes to show a write it acknowledged is UNCONFIRMED for all of them;
#: the simulators show it at once, and the demo passes a shorter grace)
GRACE = dt.timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Difference:
    """One listing that does not show what syncd sent or wants."""

    listing_id: int
    sku: str
    item: str
    shown: int | None
    sent: int | None
    desired: int | None
    cls: str
    action: str

    @classmethod
    def of(cls, row: Any, shown: int | None, kind: str, action: str) -> Difference:
        """One difference of the listing in ``row`` (``_rows``)."""
        item = catalog.item_text(row["item_id"], row["variant_id"])
        return cls(
            row["id"], row["sku"], item, shown, row["sent_value"], row["desired"], kind, action
        )


@dataclass(slots=True)
class ReconcileReport:
    """What one reconcile of one channel found."""

    listings: int = 0  # bound listings compared
    remote: int = 0  # listings the marketplace showed
    same: int = 0  # showing what syncd wants
    pulled: bool = False  # the order pull ran (something needed explaining)
    differences: list[Difference] = field(default_factory=list)

    def count(self, cls: str) -> int:
        """Differences of one class."""
        return sum(d.cls == cls for d in self.differences)


def policy(store: Store, tenant_id: int) -> Policy:
    """What a hand edit on a marketplace does for this tenant."""
    found = catalog.tenant_policy(store, tenant_id, "drift_policy")
    return "count" if found == "count" else "ask" if found == "ask" else "syncd"


def set_policy(store: Store, tenant_id: int, value: str, *, actor: str = "syncd") -> None:
    """Set the tenant's drift policy, kept in the change log."""
    catalog.set_tenant_policy(store, tenant_id, "drift_policy", value, actor=actor)


def _rows(store: Store, account_id: int) -> list[Any]:
    return store.all(
        "SELECT l.id, l.item_id, l.variant_id, l.sku_id, l.locked, s.sku, o.desired, "
        "o.sent_value, o.status, o.sent_at, o.seq, o.last_error FROM listing l "
        "JOIN sku s ON s.id = l.sku_id "
        "LEFT JOIN outbox o ON o.listing_id = l.id AND o.field = 'stock' "
        "WHERE l.channel_account_id = ? ORDER BY l.id",
        (account_id,),
    )


def _settling(row: Any, at: dt.datetime, grace: dt.timedelta) -> bool:
    if row["status"] in ("pending", "failed"):
        return True
    sent_at = row["sent_at"]
    return bool(sent_at) and dt.datetime.fromisoformat(sent_at) > at - grace


def _state(row: Any) -> tuple[Any, ...]:
    return (row["desired"], row["sent_value"], row["status"], row["seq"])


def _compare(
    store: Store,
    acct: sync.Account,
    rows: list[Any],
    remote: dict[tuple[str, str], Any],
    *,
    at: dt.datetime,
    grace: dt.timedelta,
    report: ReconcileReport,
) -> tuple[list[Difference], dict[int, tuple[Any, Any]]]:
    """Keep what each listing shows; classify what needs no pull; return the rest."""
    found: list[Difference] = []
    suspects: dict[int, tuple[Any, Any]] = {}  # listing id → (row, remote listing)
    with inventory.change(store, acct.tenant_id, correlation_id=f"reconcile:{acct.id}") as work:
        for row in rows:
            item = remote.get((row["item_id"], row["variant_id"]))
            if item is None:
                found.append(Difference.of(row, None, "unknown", "gone"))
                continue
            if catalog.record_shown(
                store,
                row["id"],
                item.stock,
                locked=item.locked,
                locked_until=item.locked_until,
                lock_reason=item.lock_reason,
            ):
                work.touch([row["sku_id"]])
            if row["desired"] is None or item.stock == row["desired"]:
                if (
                    row["desired"] is not None
                    and row["sent_value"] != item.stock
                    and not _settling(row, at, grace)
                ):
                    outbox.set_known(store, row["id"], "stock", item.stock)  # it shows it: known
                report.same += 1
            elif _settling(row, at, grace):
                found.append(Difference.of(row, item.stock, "in_flight", "wait_push"))
            elif row["status"] == "parked" and (item.locked or row["locked"]):
                found.append(Difference.of(row, item.stock, "lock", "wait_lock"))
            else:
                suspects[row["id"]] = (row, item)
    return found, suspects


def reconcile(
    store: Store,
    rt: sync.AccountRuntime,
    *,
    at: dt.datetime | None = None,
    grace: dt.timedelta = GRACE,
) -> ReconcileReport:
    """Read the shop back, classify every difference, act by the tenant's policy
    (``grace``: how long after its answer a pushed value may not show yet)."""
    assert rt.adapter is not None  # noqa: S101
    adapter, acct, report = rt.adapter, rt.account, ReconcileReport()
    at = at or dt.datetime.now(dt.UTC)
    remote = {
        (x.item_id, x.variant_id): x
        for x in sync.with_auth(store, rt, lambda: list(adapter.discover()))
    }
    report.remote = len(remote)
    rows = _rows(store, acct.id)
    report.listings = len(rows)
    found, suspects = _compare(store, acct, rows, remote, at=at, grace=grace, report=report)
    if suspects:  # a sale or cancel not pulled yet explains most: pull now, then look again
        before = {r["id"]: _state(r) for r in _rows(store, acct.id) if r["id"] in suspects}
        sync.pull_orders(store, rt)
        report.pulled = True
        after = {r["id"]: r for r in _rows(store, acct.id) if r["id"] in suspects}
        pol = policy(store, acct.tenant_id)
        edited: list[tuple[Any, Any]] = []
        for listing_id, (row, item) in suspects.items():
            now_row = after.get(listing_id)
            if now_row is not None and _state(now_row) != before.get(listing_id):
                found.append(Difference.of(row, item.stock, "unpulled_sale", "pulled"))
            else:
                edited.append((row, item))
        found += _edited(store, rt, edited, pol)
    report.differences = found
    _record(store, acct.tenant_id, acct.id, found)
    if found:
        _log.info(
            "reconcile.done",
            account=acct.id,
            listings=report.listings,
            differences=len(found),
            edited=report.count("edited"),
        )
    return report


def _edited(
    store: Store, rt: sync.AccountRuntime, edited: list[tuple[Any, Any]], pol: Policy
) -> list[Difference]:
    """Hand edits on the marketplace, handled by the tenant's policy."""
    acct = rt.account
    out: list[Difference] = []
    if not edited:
        return out
    with inventory.change(store, acct.tenant_id, correlation_id=f"drift:{acct.id}") as work:
        for row, item in edited:
            base = row["sent_value"] if row["sent_value"] is not None else row["desired"]
            if pol == "syncd":
                outbox.forget_shown(
                    store,
                    acct.id,
                    [(row["item_id"], row["variant_id"])],
                    correlation_id=f"drift:{acct.id}",
                )
                action = f"resent:{row['desired']}"
            elif pol == "count":
                delta = item.stock - base
                work.apply(
                    MovementIn.model_validate(
                        {
                            "sku": row["sku"],
                            "kind": "adjustment",
                            "qty": delta,
                            "key": f"drift:{acct.id}:{row['id']}:{now()}",
                            "source": "marketplace",
                            "channel": str(acct.id),
                            "actor": "syncd",
                            "reason": f"edited on {acct.name}: {base} → {item.stock}",
                        }
                    ),
                    allow_negative=True,
                )
                outbox.set_known(store, row["id"], "stock", item.stock)
                action = f"counted:{delta:+d}"
            else:
                action = "asked"
            out.append(Difference.of(row, item.stock, "edited", action))
            events.record(
                store,
                "drift.edited",
                f"{row['sku']} shows {item.stock} on {acct.name}, syncd sent {base}: "
                + action_text(action, lang="en"),
                level="warning",
                tenant_id=acct.tenant_id,
                account_id=acct.id,
                sku=row["sku"],
                shown=item.stock,
                sent=base,
                action=action,
            )
    return out


def _record(store: Store, tenant_id: int, account_id: int, found: list[Difference]) -> None:
    if not found:
        return
    at = now()
    sku_ids = {
        r["id"]: r["sku_id"]
        for r in store.all(
            "SELECT id, sku_id FROM listing WHERE channel_account_id = ?", (account_id,)
        )
    }
    with store.write():
        store.conn.executemany(
            "INSERT INTO drift (tenant_id, channel_account_id, listing_id, sku_id, shown, sent, "
            "desired, class, action, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    tenant_id,
                    account_id,
                    d.listing_id,
                    sku_ids.get(d.listing_id),
                    d.shown,
                    d.sent,
                    d.desired,
                    d.cls,
                    d.action,
                    at,
                )
                for d in found
            ],
        )


def listing(
    store: Store,
    tenant_id: int,
    *,
    account_id: int | None = None,
    since: str | None = None,
    limit: int = 100,
) -> list[Any]:
    """Recorded differences, oldest first (the newest ``limit``), for ``syncd drift``."""
    sql = (
        "SELECT d.*, c.name AS channel, s.sku, l.item_id, l.variant_id FROM drift d "
        "JOIN channel_account c ON c.id = d.channel_account_id "
        "LEFT JOIN sku s ON s.id = d.sku_id LEFT JOIN listing l ON l.id = d.listing_id "
        "WHERE d.tenant_id = ?"
    )
    params: list[object] = [tenant_id]
    if account_id is not None:
        sql += " AND d.channel_account_id = ?"
        params.append(account_id)
    if since:
        sql += " AND d.at >= ?"
        params.append(since)
    return store.all(
        f"SELECT * FROM ({sql} ORDER BY d.id DESC LIMIT ?) ORDER BY id", (*params, limit)
    )


def action_text(action: str, *, lang: str | None = None) -> str:
    """What was done about a difference, in the seller's words (``drift.action`` is kept
    as a code: ``resent:3``, ``counted:-3``, ``asked``, ``pulled``, ``wait_push``,
    ``wait_lock``, ``gone``)."""
    from syncd import i18n  # noqa: PLC0415

    code, _, value = action.partition(":")
    key = f"drift.action.{code}"
    if key not in i18n.CATALOGUE:
        return action
    if lang is None:
        return i18n.t(key, value=value)
    pair = i18n.CATALOGUE[key]
    return (pair[1] if lang == "en" else pair[0]).format(value=value)


def describe(sku: str, item: str, numbers: tuple[int | None, ...], cls: str, action: str) -> str:
    """One difference in the seller's words; ``numbers``: (shown, sent, desired)."""
    from syncd.i18n import t  # noqa: PLC0415

    shown, sent, desired = ("-" if n is None else n for n in numbers)
    return t(
        "drift.line",
        sku=sku,
        item=item,
        shown=shown,
        sent=sent,
        desired=desired,
        cls=t(f"drift.class.{cls}"),
        action=action_text(action),
    )


def drift_lines(
    store: Store, tenant_id: int, *, since: str | None = None, classes: tuple[str, ...] = ()
) -> list[str]:
    """The differences recorded since ``since`` (of ``classes``, else all), one line each."""
    rows = listing(store, tenant_id, since=since, limit=1000)
    return [
        f"{r['channel']}: "
        + describe(
            r["sku"] or "?",
            catalog.item_text(r["item_id"] or "?", r["variant_id"] or ""),
            (r["shown"], r["sent"], r["desired"]),
            r["class"],
            r["action"],
        )
        for r in rows
        if not classes or r["class"] in classes
    ]
