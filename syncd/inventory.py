"""The inventory unit of work: a stock or catalogue change and its pushes, in one transaction.

Whatever changes what a listing should show (a movement, a rule, a new binding, an
import) goes through ``change``: one ``store.write()`` transaction in which the change
is made and the outbox is refreshed for what it touched, so a crash can never leave a
stock change without its pending push (invariant: the outbox is written in the
ledger's transaction).

This module sits on top of the core domain and is the only one in it that writes
both: ``catalog`` ← ``ledger`` ← ``availability`` ← ``outbox`` ← ``inventory``. The
ledger, the catalogue and the rules only write their own tables and say so
("call inside ``write()``"); they never import the outbox.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from syncd import audit, availability, catalog, ledger, lowstock, outbox
from syncd.catalog import Listing
from syncd.ledger import Applied
from syncd.models import ListingIn, MovementIn
from syncd.store import Store

__all__ = [
    "Change",
    "bind_listing",
    "bind_listings",
    "change",
    "record",
    "record_offline_sale",
    "set_rule",
]


class Change:
    """One change in progress, inside its ``store.write()`` transaction.

    Movements applied through it and SKUs it is told about are refreshed in the
    outbox when it settles: at the end of ``change``, or earlier with ``settle``
    (order ingest settles once per order, each under the order's own id).
    """

    def __init__(self, store: Store, tenant_id: int, correlation_id: str = "") -> None:
        self.store = store
        self.tenant_id = tenant_id
        self.correlation_id = correlation_id
        self._touched: set[int] = set()
        self._everything = False

    def apply(self, m: MovementIn, *, allow_negative: bool = False) -> Applied:
        """Apply one movement (``ledger.apply``); its SKU is refreshed unless it was already in."""
        done = ledger.apply(self.store, self.tenant_id, m, allow_negative=allow_negative)
        self.moved([done])
        return done

    def moved(self, done: Iterable[Applied]) -> None:
        """Movements applied in this transaction: their SKUs are refreshed (repeats are not)."""
        self._touched |= {a.sku_id for a in done if not a.already}

    def touch(self, sku_ids: Iterable[int] | None) -> None:
        """These SKUs (and the bundles containing them) may show something new; None: all."""
        if sku_ids is None:
            self._everything = True
        else:
            self._touched |= set(sku_ids)

    def settle(self, correlation_id: str | None = None) -> int:
        """Refresh the outbox for what was touched so far; return the rows changed."""
        cid = self.correlation_id if correlation_id is None else correlation_id
        if self._everything:
            changed = outbox.refresh(self.store, self.tenant_id, correlation_id=cid)
        elif self._touched:
            changed = outbox.refresh(self.store, self.tenant_id, self._touched, correlation_id=cid)
        else:
            changed = 0
        if self._everything or self._touched:  # a stock.low event where available fell to it
            lowstock.check(
                self.store,
                self.tenant_id,
                None if self._everything else self._touched,
                correlation_id=cid,
            )
        self._touched, self._everything = set(), False
        return changed


@contextlib.contextmanager
def change(store: Store, tenant_id: int, *, correlation_id: str = "") -> Iterator[Change]:
    """One write transaction that ends by refreshing the outbox for what it touched.

    ``store.write()`` does not nest (its lock does, its ``BEGIN IMMEDIATE`` does not):
    open a change where a write would be opened, never inside one. An exception rolls
    the whole change back, outbox included.
    """
    with store.write():
        work = Change(store, tenant_id, correlation_id)
        yield work
        work.settle()


def record(
    store: Store, tenant_id: int, movements: Sequence[MovementIn], *, allow_negative: bool = False
) -> list[Applied]:
    """Apply several movements atomically (all or none) and queue the pushes they cause."""
    with change(store, tenant_id) as work:
        return [work.apply(m, allow_negative=allow_negative) for m in movements]


def record_offline_sale(
    store: Store,
    tenant_id: int,
    items: Sequence[tuple[int, str]],
    *,
    channel: str,
    key: str,
    actor: str,
    reason: str = "",
    allow_negative: bool = False,
    source: str = "cli",
) -> list[Applied]:
    """Record a cash / WhatsApp / Instagram sale of several items atomically.

    Line ``i`` gets the key ``{key}#{i}`` (``ledger.offline_sale``): repeating the command
    with the same key is a no-op, and a failure on any line records nothing at all. The
    pushes it causes carry the key as their correlation id.
    """
    with change(store, tenant_id, correlation_id=key) as work:
        done = ledger.offline_sale(
            store,
            tenant_id,
            items,
            channel=channel,
            key=key,
            actor=actor,
            reason=reason,
            allow_negative=allow_negative,
            source=source,
        )
        work.moved(done)
        return done


def _rule_row(store: Store, tenant_id: int, scope: str) -> dict[str, Any] | None:
    row = store.one("SELECT * FROM rule WHERE tenant_id = ? AND scope = ?", (tenant_id, scope))
    if row is None:
        return None
    skip = ("id", "tenant_id", "scope", "channel_account_id", "sku_id")
    keys = row.keys()  # a Row iterates over its values
    return {k: row[k] for k in keys if k not in skip and row[k] is not None} or None


def set_rule(
    store: Store,
    tenant_id: int,
    *,
    channel: str | None,
    sku: str | None,
    fields: dict[str, Any],
    actor: str = "syncd",
) -> str:
    """Set rule fields for a scope (tenant default, channel, SKU, or SKU on a channel) and
    queue what the new rule changes; return the scope in the seller's words. The change
    is kept in the change log (``syncd history``) with ``actor``."""
    rule = availability.check_rule(store, tenant_id, channel=channel, sku=sku, fields=fields)
    with change(store, tenant_id, correlation_id="rule") as work:
        before = _rule_row(store, tenant_id, rule.scope)
        availability.store_rule(store, tenant_id, rule)
        audit.record_change(
            store,
            tenant_id,
            actor=actor,
            what="rule",
            subject=rule.scope_text,
            old=before,
            new=_rule_row(store, tenant_id, rule.scope),
            account_id=rule.channel.id if rule.channel else None,
            sku_id=rule.sku.id if rule.sku else None,
        )
        work.touch([rule.sku.id] if rule.sku else None)
    return rule.scope_text


def bind_listing(store: Store, tenant_id: int, item: ListingIn, *, actor: str = "syncd") -> Listing:
    """Bind a SKU to a channel item/variant (re-binding the same pair is a no-op)."""
    return bind_listings(store, tenant_id, [item], actor=actor)[0]


def bind_listings(
    store: Store, tenant_id: int, items: Sequence[ListingIn], *, actor: str = "syncd"
) -> list[Listing]:
    """Bind many SKUs at once: one transaction and one outbox refresh (discovering a
    shop of a thousand products is one commit, not a thousand); all or nothing. New and
    moved bindings are kept in the change log with ``actor``."""
    if not items:
        return []
    skus, channels = catalog.listing_parts(store, tenant_id, items)
    with change(store, tenant_id, correlation_id="bind") as work:
        before = {
            (r["channel_account_id"], r["sku_id"]): catalog.item_text(r["item_id"], r["variant_id"])
            for r in store.all(
                "SELECT channel_account_id, sku_id, item_id, variant_id FROM listing "
                "WHERE tenant_id = ?",
                (tenant_id,),
            )
        }
        out = catalog.put_listings(store, tenant_id, items, skus, channels)
        for item in items:
            sku, chan = skus[item.sku], channels[item.channel]
            audit.record_change(
                store,
                tenant_id,
                actor=actor,
                what="binding",
                subject=f"{sku.sku} @ {chan.name}",
                old=before.get((chan.id, sku.id)),
                new=catalog.item_text(item.item_id, item.variant_id),
                account_id=chan.id,
                sku_id=sku.id,
            )
        work.touch(s.id for s in skus.values())
    return out
