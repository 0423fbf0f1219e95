"""The outbox: the latest desired value of every listing, and what the channel has.

One row per (listing, field) where field is ``stock`` or ``price``. Whenever the
ledger, the rules or the bindings change, ``refresh`` recomputes the desired
values of the affected listings **in the same transaction** and gives every
changed row a new, globally increasing ``seq``. The pusher sends what is
pending and records results with ``record_results``, which never lets an older
``seq`` overwrite a newer one: a value acknowledged for seq 7 cannot mark a row
synced once seq 8 exists, and a late acknowledgement for seq 6 is ignored.

``sent_value`` is what we believe the channel shows (from the last successful
push or from discovery); a desired value equal to it is not sent again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from syncd.availability import desired_all
from syncd.catalog import now
from syncd.store import Store

if TYPE_CHECKING:
    from syncd.adapter import ItemResult

__all__ = [
    "Field",
    "Pending",
    "expect_shown",
    "forget_shown",
    "park_after",
    "pending",
    "record_results",
    "refresh",
    "set_known",
    "written_since",
]

Field = Literal["stock", "price"]
#: A transiently failing item is retried this many times, then parked until its value changes.
park_after = 8


@dataclass(frozen=True, slots=True)
class Pending:
    """One value waiting to be pushed."""

    listing_id: int
    item_id: str
    variant_id: str
    desired: int
    seq: int
    sent_value: int | None
    correlation_id: str

    @property
    def decrease(self) -> bool:
        """True when this push lowers what the channel shows (or we do not know what it shows)."""
        return self.sent_value is None or self.desired < self.sent_value


def _next_seq(store: Store) -> int:
    return int(store.scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox"))


def refresh(
    store: Store,
    tenant_id: int,
    sku_ids: Collection[int] | None = None,
    *,
    correlation_id: str = "",
) -> int:
    """Recompute desired values (all listings, or those ``sku_ids`` affect); return rows changed.

    Must run inside ``store.write()``, in the transaction that changed the ledger.
    """
    changed = 0
    seq = _next_seq(store)
    at = now()
    rows = (
        store.conn.execute(
            "SELECT o.listing_id, o.field, o.desired FROM outbox o WHERE o.tenant_id = ?",
            (tenant_id,),
        )
        if sku_ids is None
        else ()
    )
    current = {(r[0], r[1]): r[2] for r in rows}
    for listing_id, qty, price in desired_all(store, tenant_id, sku_ids):
        for field, value in (("stock", qty), ("price", price)):
            if sku_ids is None and current.get((listing_id, field)) == value:
                continue
            cur = store.conn.execute(
                "INSERT INTO outbox (tenant_id, listing_id, channel_account_id, field, desired, "
                "seq, status, correlation_id, updated_at, queued_at) "
                "SELECT tenant_id, id, channel_account_id, ?, ?, ?, 'pending', ?, ?, ? "
                "FROM listing WHERE id = ? "
                "ON CONFLICT (listing_id, field) DO UPDATE SET desired = excluded.desired, "
                "seq = excluded.seq, attempts = 0, last_error = '', "
                "correlation_id = excluded.correlation_id, updated_at = excluded.updated_at, "
                "queued_at = excluded.queued_at, "
                "status = CASE WHEN outbox.sent_value IS excluded.desired THEN 'synced' "
                "ELSE 'pending' END "
                "WHERE outbox.desired IS NOT excluded.desired",
                (field, value, seq, correlation_id, at, at, listing_id),
            )
            if cur.rowcount:
                changed += 1
                seq += 1
    return changed


def pending(store: Store, channel_account_id: int, field: Field) -> list[Pending]:
    """Values to push to one channel account: decreases first, then increases."""
    rows = store.conn.execute(
        "SELECT o.listing_id, l.item_id, l.variant_id, o.desired, o.seq, o.sent_value, "
        "o.correlation_id FROM outbox o JOIN listing l ON l.id = o.listing_id "
        "WHERE o.channel_account_id = ? AND o.field = ? AND o.status IN ('pending', 'failed') "
        "ORDER BY o.seq",
        (channel_account_id, field),
    )
    items = [Pending(*r) for r in rows]
    return sorted(items, key=lambda p: not p.decrease)  # stable: seq order within each group


def record_results(store: Store, field: Field, sent: Sequence[tuple[Pending, ItemResult]]) -> None:
    """Record what the marketplace said about each pushed value. Call inside ``write()``.

    Error texts are the marketplace's words, which may echo a token: scrubbed here."""
    from syncd.log import clean  # noqa: PLC0415 - structlog stays off the CLI sale path

    at = now()
    for item, result in sent:
        if result.ok:
            store.conn.execute(
                "UPDATE outbox SET sent_value = ?, sent_seq = ?, attempts = 0, last_error = '', "
                "status = CASE WHEN seq = ? THEN 'synced' ELSE 'pending' END, updated_at = ?, "
                "sent_at = ? "
                "WHERE listing_id = ? AND field = ? AND (sent_seq IS NULL OR sent_seq < ?)",
                (item.desired, item.seq, item.seq, at, at, item.listing_id, field, item.seq),
            )
        else:
            store.conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, updated_at = ?, "
                "status = CASE WHEN ? AND attempts + 1 < ? THEN 'failed' ELSE 'parked' END "
                "WHERE listing_id = ? AND field = ? AND seq = ?",
                (
                    clean(result.error)[:500],
                    at,
                    int(result.retry),
                    park_after,
                    item.listing_id,
                    field,
                    item.seq,
                ),
            )


def forget_shown(
    store: Store, account_id: int, items: Collection[tuple[str, str]], *, correlation_id: str = ""
) -> None:
    """The marketplace changed what it shows for these (item, variant)s by itself (its own
    order or cancellation): we no longer know the value, so the desired one is sent again.

    Shopee and TikTok lower their own stock for an order and raise it again on
    cancellation; exactly when is not documented (reference §1.5, §3.5, §9), so syncd
    never assumes the number, it re-sends the absolute value (Lazada documents it:
    ``expect_shown``). Call inside ``write()``.
    """
    at = now()
    for item_id, variant_id in items:
        store.conn.execute(
            "UPDATE outbox SET sent_value = NULL, status = 'pending', attempts = 0, "
            "seq = (SELECT MAX(seq) + 1 FROM outbox), correlation_id = ?, updated_at = ?, "
            "queued_at = ? WHERE field = 'stock' AND listing_id = (SELECT id FROM listing "
            "WHERE channel_account_id = ? AND item_id = ? AND variant_id = ?)",
            (correlation_id, at, at, account_id, item_id, variant_id),
        )


def written_since(store: Store, account_id: int, item: tuple[str, str], when: str) -> bool:
    """Whether syncd wrote this listing's stock at or after ``when`` (less a clock margin):
    a marketplace's own move for an order of that time may then have been overwritten."""
    sent_at = store.scalar(
        "SELECT o.sent_at FROM outbox o JOIN listing l ON l.id = o.listing_id "
        "WHERE l.channel_account_id = ? AND l.item_id = ? AND l.variant_id = ? "
        "AND o.field = 'stock'",
        (account_id, *item),
    )
    if not sent_at:
        return False
    edge = dt.datetime.fromisoformat(when) - CLOCK_MARGIN
    return dt.datetime.fromisoformat(str(sent_at)) >= edge


#: How far the marketplace's order clock and ours may disagree.
CLOCK_MARGIN = dt.timedelta(seconds=60)


def expect_shown(
    store: Store, account_id: int, moved: dict[tuple[str, str], int], *, correlation_id: str = ""
) -> None:
    """The marketplace moved what it shows for these (item, variant)s by the given units
    for its own orders and documents doing so at once (Lazada, §2.5): what we last sent
    moves by the same units, and is sent again only if it now differs from the desired
    value. Unknown values stay unknown. Call inside ``write()``.
    """
    seq, at = _next_seq(store), now()
    for (item_id, variant_id), units in moved.items():
        cur = store.conn.execute(
            "UPDATE outbox SET sent_value = sent_value + ?, "
            "status = CASE WHEN sent_value + ? = desired THEN 'synced' "
            "WHEN status = 'synced' THEN 'pending' ELSE status END, "
            "seq = ?, correlation_id = ?, updated_at = ?, queued_at = ? "
            "WHERE field = 'stock' AND sent_value IS NOT NULL AND listing_id = (SELECT id "
            "FROM listing WHERE channel_account_id = ? AND item_id = ? AND variant_id = ?)",
            (units, units, seq, correlation_id, at, at, account_id, item_id, variant_id),
        )
        seq += cur.rowcount


def set_known(store: Store, listing_id: int, field: Field, value: int) -> None:
    """Record what the channel shows now (from discovery); a matching desired value is synced."""
    store.conn.execute(
        "UPDATE outbox SET sent_value = ?, status = CASE WHEN desired = ? THEN 'synced' "
        "ELSE 'pending' END, updated_at = ? WHERE listing_id = ? AND field = ?",
        (value, value, now(), listing_id, field),
    )


def parked(store: Store, tenant_id: int, account_id: int | None = None) -> list[Any]:
    """Values that stopped being tried (refused, or failing too often), newest first."""
    sql = (
        "SELECT o.seq, o.field, o.desired, o.sent_value, o.attempts, o.last_error, "
        "o.updated_at, o.listing_id, o.channel_account_id, c.name AS channel, s.sku, "
        "l.item_id, l.variant_id FROM outbox o JOIN listing l ON l.id = o.listing_id "
        "JOIN sku s ON s.id = l.sku_id JOIN channel_account c ON c.id = o.channel_account_id "
        "WHERE o.tenant_id = ? AND o.status = 'parked'"
    )
    params: list[object] = [tenant_id]
    if account_id is not None:
        sql += " AND o.channel_account_id = ?"
        params.append(account_id)
    return store.all(sql + " ORDER BY o.updated_at DESC, o.seq DESC", params)


def retry_parked(store: Store, tenant_id: int, seqs: Collection[int] | None) -> list[Any]:
    """Try parked values again now (``seqs`` None: all of the tenant's). Call inside
    ``write()``; returns the rows as they were (for the record)."""
    rows = [r for r in parked(store, tenant_id) if seqs is None or r["seq"] in seqs]
    for r in rows:
        store.conn.execute(
            "UPDATE outbox SET status = 'pending', attempts = 0, updated_at = ? "
            "WHERE listing_id = ? AND field = ? AND status = 'parked'",
            (now(), r["listing_id"], r["field"]),
        )
    return rows


def drop_parked(
    store: Store, tenant_id: int, seqs: Collection[int] | None, actor: str
) -> list[Any]:
    """Give up on parked values: not tried again until the value to show changes (what
    the marketplace shows stays unknown, so a later change is sent). Call inside
    ``write()``; returns the rows as they were."""
    rows = [r for r in parked(store, tenant_id) if seqs is None or r["seq"] in seqs]
    for r in rows:
        store.conn.execute(
            "UPDATE outbox SET status = 'synced', attempts = 0, updated_at = ?, "
            "last_error = ? WHERE listing_id = ? AND field = ? AND status = 'parked'",
            (now(), f"dropped by {actor}: {r['last_error']}"[:500], r["listing_id"], r["field"]),
        )
    return rows
