"""The stock ledger: append-only movements, each applied exactly once.

``on_hand`` and ``reserved`` are sums over the ledger. The ``balance`` table
caches them per SKU and location; it is written in the same transaction as
each movement, and ``check()`` proves it equal to the ledger.

Each movement carries an idempotency key, unique per tenant. Applying a key a
second time with the same SKU, kind and quantity is a no-op that reports
``already=True``; the same key for a different movement is an error.

This module writes the ledger and its cache only; ``syncd.inventory`` opens the
transaction and queues the pushes a movement causes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from syncd.catalog import Sku, bundle_components, get_sku, location_id, now
from syncd.errors import IdempotencyConflict, InsufficientStock, UserError
from syncd.models import MovementIn
from syncd.store import Store

__all__ = [
    "Applied",
    "Problem",
    "apply",
    "balance",
    "check",
    "deltas",
    "expand",
    "history",
    "offline_sale",
]


@dataclass(frozen=True, slots=True)
class Applied:
    """The outcome of applying one movement, with the balance after it."""

    movement_id: int
    sku: str
    sku_id: int
    kind: str
    qty: int
    on_hand: int
    reserved: int
    already: bool


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of ``check()``: a catalogue key and its parameters."""

    key: str
    params: dict[str, object]


_POSITIVE = {"receipt", "reservation", "release", "sale", "return", "offline_sale"}


def deltas(
    kind: str, qty: int, on_hand: int, reserved: int, *, from_reserved: bool = False
) -> tuple[int, int]:
    """(on_hand delta, reserved delta) of a movement; raises UserError on a bad qty."""
    if kind in _POSITIVE and qty <= 0:
        raise UserError("ledger.bad_qty", kind=kind, rule="> 0", qty=qty)
    if kind == "count" and qty < 0:
        raise UserError("ledger.bad_qty", kind=kind, rule=">= 0", qty=qty)
    if kind == "adjustment" and qty == 0:
        raise UserError("ledger.bad_qty", kind=kind, rule="≠ 0", qty=qty)
    match kind:
        case "receipt" | "return" | "adjustment":
            return qty, 0
        case "count":
            return qty - on_hand, 0
        case "reservation":
            return 0, qty
        case "release":
            return 0, -qty
        case "sale":
            return -qty, (-qty if from_reserved else 0)
        case "offline_sale":
            return -qty, 0
    raise UserError("ledger.bad_qty", kind=kind, rule="a known kind", qty=qty)


def _balance_row(store: Store, sku_id: int, loc: int) -> tuple[int, int]:
    row = store.conn.execute(
        "SELECT on_hand, reserved FROM balance WHERE sku_id = ? AND location_id = ?", (sku_id, loc)
    ).fetchone()
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


def _existing(store: Store, tenant_id: int, m: MovementIn, sku: Sku) -> Applied | None:
    row = store.conn.execute(
        "SELECT id, sku_id, kind, qty FROM movement WHERE tenant_id = ? AND idem_key = ?",
        (tenant_id, m.key),
    ).fetchone()
    if row is None:
        return None
    if (row[1], row[2], row[3]) != (sku.id, m.kind, m.qty):
        raise IdempotencyConflict(key=m.key, existing=f"{row[2]} {row[3]}")
    on_hand, reserved = balance(store, tenant_id, sku.id)
    return Applied(int(row[0]), sku.sku, sku.id, m.kind, m.qty, on_hand, reserved, already=True)


def _guard_reserved(m: MovementIn, sku: Sku, reserved: int) -> None:
    """Reserved never goes below zero, whatever the caller allows."""
    consumes = m.kind == "release" or (m.kind == "sale" and m.from_reserved)
    if consumes and reserved < m.qty:
        raise UserError("ledger.bad_release", sku=sku.sku, qty=m.qty, reserved=reserved)


def _guard(m: MovementIn, sku: Sku, on_hand: int, reserved: int, d_hand: int) -> None:
    """Refuse to take stock that is not there (unless the caller allows negative)."""
    takes = m.kind == "offline_sale" or (m.kind == "sale" and not m.from_reserved)
    if takes and on_hand - reserved < m.qty:
        raise InsufficientStock(sku=sku.sku, available=max(0, on_hand - reserved), wanted=m.qty)
    if m.kind == "adjustment" and on_hand + d_hand < 0:
        raise InsufficientStock(sku=sku.sku, available=max(0, on_hand), wanted=-m.qty)


def apply(store: Store, tenant_id: int, m: MovementIn, *, allow_negative: bool = False) -> Applied:
    """Apply one movement. Must run inside ``store.write()``."""
    sku = get_sku(store, tenant_id, m.sku)
    if sku.is_bundle:
        raise UserError("sku.bundle_no_stock", sku=sku.sku)
    done = _existing(store, tenant_id, m, sku)
    if done is not None:
        return done
    loc = location_id(store, tenant_id, m.location)
    on_hand, reserved = _balance_row(store, sku.id, loc)
    d_hand, d_res = deltas(m.kind, m.qty, on_hand, reserved, from_reserved=m.from_reserved)
    _guard_reserved(m, sku, reserved)
    if not allow_negative:
        _guard(m, sku, on_hand, reserved, d_hand)
    cur = store.conn.execute(
        "INSERT INTO movement (tenant_id, sku_id, location_id, kind, qty, on_hand_delta, "
        "reserved_delta, idem_key, source, channel, reason, actor, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            tenant_id,
            sku.id,
            loc,
            m.kind,
            m.qty,
            d_hand,
            d_res,
            m.key,
            m.source,
            m.channel,
            m.reason,
            m.actor,
            now(),
        ),
    )
    movement_id = int(cur.lastrowid or 0)
    store.conn.execute(
        "INSERT INTO balance (tenant_id, sku_id, location_id, on_hand, reserved, last_movement_id) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sku_id, location_id) DO UPDATE SET "
        "on_hand = on_hand + excluded.on_hand, reserved = reserved + excluded.reserved, "
        "last_movement_id = excluded.last_movement_id",
        (tenant_id, sku.id, loc, d_hand, d_res, movement_id),
    )
    return Applied(
        movement_id,
        sku.sku,
        sku.id,
        m.kind,
        m.qty,
        on_hand + d_hand,
        reserved + d_res,
        already=False,
    )


def balance(store: Store, tenant_id: int, sku_id: int) -> tuple[int, int]:
    """(on_hand, reserved) of a SKU over all locations, from the cached balance."""
    row = store.conn.execute(
        "SELECT COALESCE(SUM(on_hand), 0), COALESCE(SUM(reserved), 0) FROM balance "
        "WHERE tenant_id = ? AND sku_id = ?",
        (tenant_id, sku_id),
    ).fetchone()
    return int(row[0]), int(row[1])


def history(store: Store, tenant_id: int, sku_id: int, limit: int = 200) -> list[dict[str, object]]:
    """The newest ``limit`` movements of a SKU, oldest first, with running totals.

    ``channel_name`` is the name of the channel an order movement came from (None
    for other movements, or when that channel no longer exists).
    """
    rows = list(
        store.db.query(
            "SELECT m.id, m.at, m.kind, m.qty, m.on_hand_delta, m.reserved_delta, m.source, "
            "m.channel, m.reason, m.actor, m.idem_key, l.code AS location, "
            "c.name AS channel_name, "
            "SUM(m.on_hand_delta) OVER w AS on_hand, SUM(m.reserved_delta) OVER w AS reserved "
            "FROM movement m JOIN location l ON l.id = m.location_id "
            # an order's movement names its channel account by id; show the name
            "LEFT JOIN channel_account c ON m.source = 'order' AND c.tenant_id = m.tenant_id "
            "AND CAST(c.id AS TEXT) = m.channel "
            "WHERE m.tenant_id = ? AND m.sku_id = ? "
            "WINDOW w AS (ORDER BY m.id ROWS UNBOUNDED PRECEDING) ORDER BY m.id",
            (tenant_id, sku_id),
        )
    )
    return rows[-limit:]


def check(store: Store) -> tuple[list[Problem], int, int]:
    """Verify balances against the ledger and SQLite's integrity.

    Returns (problems, movement count, balance count).
    """
    problems: list[Problem] = []
    integrity = store.integrity()
    if integrity != "ok":
        problems.append(Problem("check.integrity", {"detail": integrity}))
    rows = store.db.query(
        """
        WITH ledger AS (
            SELECT sku_id, location_id, SUM(on_hand_delta) AS on_hand,
                   SUM(reserved_delta) AS reserved
            FROM movement GROUP BY sku_id, location_id
        ), pairs AS (
            SELECT sku_id, location_id FROM ledger
            UNION SELECT sku_id, location_id FROM balance
        )
        SELECT s.sku, loc.code AS location,
               COALESCE(l.on_hand, 0) AS on_hand, COALESCE(l.reserved, 0) AS reserved,
               COALESCE(b.on_hand, 0) AS cached_on_hand, COALESCE(b.reserved, 0) AS cached_reserved
        FROM pairs p
        JOIN sku s ON s.id = p.sku_id JOIN location loc ON loc.id = p.location_id
        LEFT JOIN ledger l ON l.sku_id = p.sku_id AND l.location_id = p.location_id
        LEFT JOIN balance b ON b.sku_id = p.sku_id AND b.location_id = p.location_id
        WHERE COALESCE(l.on_hand, 0) != COALESCE(b.on_hand, 0)
           OR COALESCE(l.reserved, 0) != COALESCE(b.reserved, 0)
        """
    )
    problems += [Problem("check.mismatch", r) for r in rows]
    movements = int(store.scalar("SELECT COUNT(*) FROM movement"))
    balances = int(store.scalar("SELECT COUNT(*) FROM balance"))
    return problems, movements, balances


def expand(store: Store, tenant_id: int, items: Sequence[tuple[int, str]]) -> list[tuple[int, Sku]]:
    """Resolve (qty, SKU) pairs, replacing each bundle with its components × qty."""
    out: list[tuple[int, Sku]] = []
    for qty, code in items:
        sku = get_sku(store, tenant_id, code)
        if sku.is_bundle:
            out += [(qty * per, comp) for comp, per in bundle_components(store, sku.id)]
        else:
            out.append((qty, sku))
    return out


def offline_sale(
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
    """Apply the movements of a cash / WhatsApp / Instagram sale of several items.

    Line ``i`` gets the key ``{key}#{i}``: repeating the sale with the same key is a
    no-op. Must run inside ``store.write()`` (``inventory.record_offline_sale`` opens it
    and queues the pushes), so a failure on any line records nothing at all.
    """
    lines = expand(store, tenant_id, items)
    known = int(
        store.scalar(  # lines already recorded under this key: "KEY#1", "KEY#2", …
            "SELECT COUNT(*) FROM movement WHERE tenant_id = ? AND idem_key >= ? AND idem_key < ?",
            (tenant_id, f"{key}#", f"{key}$"),  # '$' sorts right after '#'
        )
    )
    if known and known != len(lines):
        raise IdempotencyConflict(key=key, existing=f"{known} lines")
    return [
        apply(
            store,
            tenant_id,
            MovementIn(
                sku=sku.sku,
                kind="offline_sale",
                qty=qty,
                key=f"{key}#{i}",
                source=source,
                channel=channel,
                actor=actor,
                reason=reason,
            ),
            allow_negative=allow_negative,
        )
        for i, (qty, sku) in enumerate(lines, start=1)
    ]
