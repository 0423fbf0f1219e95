"""Returns: stock comes back only when the goods are back and sellable, exactly once.

A buyer's return reaches syncd from its marketplace (Shopee's and TikTok's return
lists, Lazada's units in ``returned``, WooCommerce and Shopify refunds) as a
``RemoteReturn`` whose state only moves forward::

    requested → received      (the goods are back with the seller)
    requested → closed        (rejected, cancelled by the buyer, refund without goods)

Each line is kept in ``return_line`` with what syncd did about it, its
*disposition*. A line is matched with its order's lines by item and variant:

===========  ==========================================================================
pending      requested: the goods are on their way (or not yet asked for); no stock
early        back before syncd saw the order deducted (a return read before its order,
             or an order still open here); settled when the order is
waiting      back, and the tenant's policy is ``inspect``: waits for the seller's
             ``syncd return receive ORDER`` (good: restocked) or ``--damaged``
restocked    a ``return`` movement put the units back (policy ``auto``, or received)
damaged      written off by the seller: inspected and not sellable; no stock moves
none         nothing to restock (closed; the order was never deducted here, or is not
             tracked, or its units are already back)
===========  ==========================================================================

A restock is a ledger movement keyed ``ret:<account>:<return>:<line row>:<sku>``, so a
return read twice, or read again after a crash, counts once. A line never puts back
more units than its order sold of that listing less what other returns (and the
order's own restore, a WooCommerce order cancelled after payment) already did.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog

from syncd import inventory, outbox
from syncd.adapter import RemoteReturn, ReturnPage, return_problem
from syncd.catalog import bundle_components, now, set_tenant_policy, tenant_policy
from syncd.models import MovementIn
from syncd.store import Store

__all__ = [
    "POLICIES",
    "Received",
    "ReturnReport",
    "apply_returns",
    "ingest",
    "load_cursor",
    "policy",
    "receive",
    "set_policy",
    "settle_orders",
    "waiting",
]

_log = structlog.get_logger("syncd.returns")
Policy = Literal["auto", "inspect"]
POLICIES: tuple[Policy, ...] = ("auto", "inspect")
_RANK = {"requested": 0, "received": 1, "closed": 1}
#: dispositions a later event or the seller may still change
_OPEN = ("pending", "early", "waiting")


@dataclass(slots=True)
class ReturnReport:
    """What one batch of returns did."""

    returns: int = 0
    restocked: int = 0  # units put back
    waiting: int = 0  # lines now waiting for the seller's inspection
    ignored: int = 0  # duplicates and older states
    set_aside: list[str] = field(default_factory=list)  # "return id: why"


def policy(store: Store, tenant_id: int) -> Policy:
    """The tenant's return policy: ``auto`` restocks a received return, ``inspect`` waits."""
    return "inspect" if tenant_policy(store, tenant_id, "return_policy") == "inspect" else "auto"


def set_policy(store: Store, tenant_id: int, value: str, *, actor: str = "syncd") -> None:
    """Set the tenant's return policy (``auto`` or ``inspect``), kept in the change log."""
    set_tenant_policy(store, tenant_id, "return_policy", value, actor=actor)


def _record(
    work: inventory.Change, account_id: int, ret: RemoteReturn, report: ReturnReport
) -> list[int]:
    """Upsert the return's lines; return the row ids whose state moved (or are new)."""
    from syncd.log import clean  # noqa: PLC0415 - marketplace words: scrubbed when stored

    conn = work.store.conn
    moved: list[int] = []
    at = ret.updated_at.isoformat(timespec="seconds")
    status = clean(ret.status)[:64]
    for line in ret.lines:
        row = conn.execute(
            "SELECT id, state FROM return_line WHERE channel_account_id = ? AND return_id = ? "
            "AND item_id = ? AND variant_id = ? AND line_id = ?",
            (account_id, ret.return_id, line.item_id, line.variant_id, line.line_id),
        ).fetchone()
        if row is None:
            cur = conn.execute(
                "INSERT INTO return_line (tenant_id, channel_account_id, return_id, order_id, "
                "line_id, item_id, variant_id, qty, state, status, restocked_by_marketplace, "
                "updated_at, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                (
                    work.tenant_id,
                    account_id,
                    ret.return_id,
                    ret.order_id,
                    line.line_id,
                    line.item_id,
                    line.variant_id,
                    line.qty,
                    ret.state,
                    status,
                    int(ret.restocked_by_marketplace),
                    at,
                    now(),
                ),
            )
            moved.append(int(cur.fetchone()[0]))
        elif row[1] == "requested" and _RANK[ret.state] > 0:
            conn.execute(
                "UPDATE return_line SET state = ?, status = ?, qty = ?, "
                "restocked_by_marketplace = ?, updated_at = ? WHERE id = ?",
                (ret.state, status, line.qty, int(ret.restocked_by_marketplace), at, row[0]),
            )
            moved.append(int(row[0]))
        else:  # a duplicate, or an older state arriving late
            report.ignored += 1
            if row[1] == ret.state:
                conn.execute(
                    "UPDATE return_line SET status = ?, updated_at = MAX(updated_at, ?) "
                    "WHERE id = ?",
                    (status, at, row[0]),
                )
    return moved


def _order_units(
    store: Store, account_id: int, order_id: str, item_id: str, variant_id: str
) -> tuple[int | None, bool, int, int, set[str]] | None:
    """(sku id, tracked, shipped units, restored units, states) of an order's lines of one
    listing, or None when syncd has not seen the order (or that listing in it)."""
    rows = store.conn.execute(
        "SELECT sku_id, tracked, state, qty FROM order_line WHERE channel_account_id = ? "
        "AND order_id = ? AND item_id = ? AND variant_id = ?",
        (account_id, order_id, item_id, variant_id),
    ).fetchall()
    if not rows:
        return None
    sku_ids = {r[0] for r in rows}
    sku_id = next(iter(sku_ids)) if len(sku_ids) == 1 else None
    tracked = all(r[1] for r in rows)
    shipped = sum(r[3] for r in rows if r[2] == "shipped")
    restored = sum(r[3] for r in rows if r[2] == "returned")
    states = {r[2] for r in rows}
    return sku_id, tracked, shipped, restored, states


def claimed(store: Store, account_id: int, order_id: str, item_id: str, variant_id: str) -> int:
    """Units of one listing of an order that returns have put back already."""
    return int(
        store.scalar(
            "SELECT COALESCE(SUM(restocked), 0) FROM return_line WHERE channel_account_id = ? "
            "AND order_id = ? AND item_id = ? AND variant_id = ?",
            (account_id, order_id, item_id, variant_id),
        )
        or 0
    )


def _decide(store: Store, row_id: int, disposition: str, note: str, actor: str = "syncd") -> None:
    store.conn.execute(
        "UPDATE return_line SET disposition = ?, note = ?, decided_by = ?, decided_at = ? "
        "WHERE id = ?",
        (disposition, note, actor, now(), row_id),
    )


def _restock(work: inventory.Change, row: Any, units: int, actor: str) -> int:
    """Put ``units`` of a return line's SKU back (bundles: their components)."""
    store = work.store
    parts = bundle_components(store, row["sku_id"])
    if parts:
        targets = [(c.sku, q * units) for c, q in parts]
    else:
        targets = [(str(store.scalar("SELECT sku FROM sku WHERE id = ?", (row["sku_id"],))), units)]
    account, rid = row["channel_account_id"], row["return_id"]
    for sku, qty in targets:
        m = MovementIn.model_validate(
            {
                "sku": sku,
                "kind": "return",
                "qty": qty,
                "key": f"ret:{account}:{rid}:{row['id']}:{sku.lower()}",
                "source": "return",
                "channel": str(row["channel_account_id"]),
                "actor": actor,
                "reason": f"return {row['return_id']} of order {row['order_id']}",
            }
        )
        done = work.apply(m, allow_negative=True)
        work.touch([done.sku_id])
    store.conn.execute(
        "UPDATE return_line SET restocked = restocked + ? WHERE id = ?", (units, row["id"])
    )
    return units


def _settle(  # noqa: PLR0911 - one outcome each, as the module docstring lists
    work: inventory.Change, row_id: int, pol: Policy, report: ReturnReport | None = None
) -> None:
    """Decide what one return line does now (see the module docstring)."""
    store = work.store
    row = store.one("SELECT * FROM return_line WHERE id = ?", (row_id,))
    if row is None or row["disposition"] not in _OPEN:
        return
    if row["state"] == "closed":
        _decide(store, row_id, "none", "closed on the marketplace: nothing comes back")
        return
    if row["state"] == "requested":
        return  # pending until the goods are back (or the seller receives them)
    if row["disposition"] == "waiting":
        return
    found = _order_units(
        store, row["channel_account_id"], row["order_id"], row["item_id"], row["variant_id"]
    )
    if found is None or (found[2] == 0 and "open" in found[4]):
        _decide(store, row_id, "early", "back before syncd saw the order shipped")
        return
    sku_id, tracked, shipped, restored, _ = found
    if not tracked or sku_id is None:
        why = "order before the channel's start" if not tracked else "item not bound to a SKU"
        _decide(store, row_id, "none", why)
        return
    room = shipped - claimed(
        store, row["channel_account_id"], row["order_id"], row["item_id"], row["variant_id"]
    )
    units = min(row["qty"], max(0, room))
    if units == 0:
        why = "the order's units are back already" if restored else "nothing left to return"
        _decide(store, row_id, "none", why)
        return
    if pol == "inspect":
        _decide(store, row_id, "waiting", "waiting for the seller's inspection")
        if report is not None:
            report.waiting += 1
        return
    _restock(work, {**row, "sku_id": sku_id}, units, "syncd")
    _decide(store, row_id, "restocked", "restocked: the return is complete")
    if report is not None:
        report.restocked += units


def _forget_shown(store: Store, rows: Iterable[Any]) -> None:
    """Listings whose marketplace raised its own stock for a return: send ours again."""
    by_account: dict[int, set[tuple[str, str]]] = {}
    for row in rows:
        if row["restocked_by_marketplace"]:
            by_account.setdefault(row["channel_account_id"], set()).add(
                (row["item_id"], row["variant_id"])
            )
    for account_id, items in by_account.items():
        outbox.forget_shown(store, account_id, items)


def apply_returns(
    work: inventory.Change, account_id: int, returns: Sequence[RemoteReturn]
) -> ReturnReport:
    """Record and settle returns inside an open change (``orders.ingest``, ``ingest``)."""
    report = ReturnReport()
    pol = policy(work.store, work.tenant_id)
    for ret in returns:
        problem = return_problem(ret)
        if problem is not None:
            report.set_aside.append(f"{ret.return_id or '?'}: {problem}")
            _log.warning("return.set_aside", account=account_id, reason=problem)
            continue
        report.returns += 1
        rows = _record(work, account_id, ret, report)
        for row_id in rows:
            _settle(work, row_id, pol, report)
        if rows:
            cid = f"ret:{account_id}:{ret.return_id}"
            _forget_shown(
                work.store,
                work.store.all(
                    f"SELECT * FROM return_line WHERE id IN ({','.join('?' * len(rows))})", rows
                ),
            )
            work.settle(correlation_id=cid)
            _log.info(
                "return.applied",
                correlation_id=cid,
                order=ret.order_id,
                status=ret.status,
                state=ret.state,
            )
    return report


def settle_orders(work: inventory.Change, account_id: int, order_ids: Iterable[str]) -> int:
    """Returns that came back before their order was seen deducted: settle them now that
    these orders are ingested (inside the same change). Returns the lines settled."""
    ids = list(dict.fromkeys(order_ids))
    if not ids:
        return 0
    pol = policy(work.store, work.tenant_id)
    settled = 0
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        rows = work.store.conn.execute(
            "SELECT id FROM return_line WHERE channel_account_id = ? AND disposition = 'early' "
            f"AND order_id IN ({','.join('?' * len(chunk))})",
            (account_id, *chunk),
        ).fetchall()
        for (row_id,) in rows:
            _settle(work, row_id, pol)
            settled += 1
    return settled


def ingest(store: Store, tenant_id: int, account_id: int, page: ReturnPage) -> ReturnReport:
    """Apply one page of a marketplace's return list and save its cursor, in one transaction."""
    with inventory.change(store, tenant_id) as work:
        report = apply_returns(work, account_id, page.returns)
        report.set_aside += list(page.set_aside)
        store.conn.execute(
            "INSERT INTO return_cursor (tenant_id, channel_account_id, cursor, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (channel_account_id) DO UPDATE SET "
            "cursor = excluded.cursor, updated_at = excluded.updated_at",
            (tenant_id, account_id, page.cursor, now()),
        )
    return report


def load_cursor(store: Store, account_id: int) -> str | None:
    """The saved return cursor of an account, or None before its first pull."""
    found = store.scalar(
        "SELECT cursor FROM return_cursor WHERE channel_account_id = ?", (account_id,)
    )
    return None if found is None else str(found)


@dataclass(slots=True)
class Received:
    """What ``receive`` did for one order."""

    restocked: int = 0  # units put back
    damaged: int = 0  # units written off
    lines: int = 0
    not_ready: list[str] = field(default_factory=list)  # why a line could not be received


def receive(
    store: Store,
    tenant_id: int,
    order_id: str,
    *,
    account_id: int | None = None,
    damaged: bool = False,
    actor: str = "seller",
    note: str = "",
) -> Received:
    """The seller has the goods of ``order_id``'s returns in hand and inspected them: put
    them back (good) or write them off (``damaged``). Lines already decided are left."""
    done = Received()
    with inventory.change(store, tenant_id, correlation_id=f"ret:order:{order_id}") as work:
        sql = (
            "SELECT * FROM return_line WHERE tenant_id = ? AND order_id = ? "
            "AND disposition IN ('pending', 'early', 'waiting') AND state != 'closed'"
        )
        params: list[object] = [tenant_id, order_id]
        if account_id is not None:
            sql += " AND channel_account_id = ?"
            params.append(account_id)
        for row in store.all(sql + " ORDER BY id", params):
            found = _order_units(
                store, row["channel_account_id"], order_id, row["item_id"], row["variant_id"]
            )
            if found is None or found[2] == 0:
                done.not_ready.append(f"{row['item_id']}/{row['variant_id']}".rstrip("/"))
                continue
            sku_id, tracked, shipped, _, _ = found
            done.lines += 1
            if damaged:
                _decide(store, row["id"], "damaged", note or "written off: damaged", actor)
                done.damaged += row["qty"]
                continue
            if not tracked or sku_id is None:
                _decide(store, row["id"], "none", "order not tracked or item not bound", actor)
                continue
            room = shipped - claimed(
                store, row["channel_account_id"], order_id, row["item_id"], row["variant_id"]
            )
            units = min(row["qty"], max(0, room))
            if units:
                _restock(work, {**row, "sku_id": sku_id}, units, actor)
            _decide(store, row["id"], "restocked" if units else "none", note or "received", actor)
            done.restocked += units
    return done


def waiting(store: Store, tenant_id: int) -> int:
    """Return lines waiting for the seller's inspection (for ``status``)."""
    return int(
        store.scalar(
            "SELECT COUNT(*) FROM return_line WHERE tenant_id = ? AND disposition = 'waiting'",
            (tenant_id,),
        )
        or 0
    )


def listing(
    store: Store, tenant_id: int, *, account_id: int | None = None, only_open: bool = False
) -> list[Any]:
    """Return lines of a tenant, newest first (``syncd return list``)."""
    sql = (
        "SELECT r.*, c.name AS channel FROM return_line r "
        "JOIN channel_account c ON c.id = r.channel_account_id WHERE r.tenant_id = ?"
    )
    params: list[object] = [tenant_id]
    if account_id is not None:
        sql += " AND r.channel_account_id = ?"
        params.append(account_id)
    if only_open:
        sql += " AND r.disposition IN ('pending', 'early', 'waiting') AND r.state != 'closed'"
    return store.all(sql + " ORDER BY r.updated_at DESC, r.id DESC", params)
