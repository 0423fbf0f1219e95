"""Order ingest: marketplace orders become ledger movements, exactly once.

Each order line is upserted by (channel account, order id, line id). Its state
may only move forward along

    (new) → open → shipped → returned
    (new) → open → cancelled          (new) → shipped / cancelled / returned

and each transition writes at most one movement per component SKU, keyed
``ord:<account>:<order>:<line>:<step>:<sku>`` so a redelivered event can never
count twice:

=========================  =====================================================
transition                 movement
=========================  =====================================================
new → open                 reservation (the order appeared, paid or not)
open → shipped             sale from the reservation (deduct)
new → shipped              sale (deduct; first seen already shipped)
open → cancelled           release
open → returned            release (deduct + restock, seen at once)
shipped → returned         return (restock: the goods are back)
=========================  =====================================================

Anything else (a duplicate, an older status arriving late, shipped → cancelled)
changes no stock. A line of an order created before the account's integration
start is recorded but never touches stock, now or later. A line whose item is
not bound to a master SKU is recorded and reported, and touches nothing.

``ingest`` applies one page of orders and saves the page's cursor in the same
transaction, so the cursor never advances past orders that were not committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import structlog

from syncd import inventory, outbox, returns
from syncd.adapter import OrderLine, OrderPage, RemoteOrder, SetAside, order_problem
from syncd.catalog import bundle_components, now
from syncd.models import MovementIn
from syncd.store import Store

__all__ = ["STEPS", "IngestReport", "ingest", "load_cursor"]

_log = structlog.get_logger("syncd.orders")
_RANK = {"open": 1, "shipped": 2, "cancelled": 3, "returned": 3}
#: (from, to) → (step name, movement kind, from_reserved)
STEPS: dict[tuple[str | None, str], tuple[str, str, bool]] = {
    (None, "open"): ("reserve", "reservation", False),
    ("open", "shipped"): ("deduct", "sale", True),
    (None, "shipped"): ("deduct", "sale", False),
    ("open", "cancelled"): ("release", "release", False),
    # open → returned: it shipped and came back while we were not looking; the net
    # effect of deduct + restock is exactly a release of the reservation
    ("open", "returned"): ("release", "release", False),
    ("shipped", "returned"): ("restock", "return", False),
}


@dataclass(slots=True)
class IngestReport:
    """What one page did."""

    orders: int = 0
    new_lines: int = 0
    movements: int = 0
    ignored: int = 0  # duplicates and late, older statuses
    unmatched: list[str] = field(default_factory=list)  # item/variant ids with no binding
    touched: set[int] = field(default_factory=set)
    #: (item, variant) → units the marketplace itself moved its shown stock by (- sold)
    moved_remote: dict[tuple[str, str], int] = field(default_factory=dict)
    set_aside: list[SetAside] = field(default_factory=list)  # new in quarantine this page
    taken: list[RemoteOrder] = field(default_factory=list)  # read well and ingested
    aside_ids: list[str] = field(default_factory=list)  # every order set aside this page
    return_report: returns.ReturnReport | None = None  # what the page's returns did


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def _allowed(old: str | None, new: str) -> bool:
    if old is None:
        return True
    if old in ("cancelled", "returned"):
        return False
    return _RANK[new] > _RANK[old]


@dataclass(slots=True)
class _Page:
    store: Store
    tenant_id: int
    account_id: int
    start: str  # integration start, ISO UTC
    report: IngestReport
    work: inventory.Change
    follows: bool = False  # the marketplace documents how its own stock follows orders


def _binding(ctx: _Page, line: OrderLine) -> int | None:
    found = ctx.store.scalar(
        "SELECT sku_id FROM listing "
        "WHERE channel_account_id = ? AND item_id = ? AND variant_id = ?",
        (ctx.account_id, line.item_id, line.variant_id),
    )
    return None if found is None else int(found)


def _units(ctx: _Page, order: RemoteOrder, line: OrderLine, step: tuple[str, str, bool]) -> int:
    """Units a step moves: the line's, except a restore (WooCommerce: an order cancelled
    after payment) never puts back what a return of the same order already did."""
    if step[0] != "restock":
        return line.qty
    done = returns.claimed(ctx.store, ctx.account_id, order.order_id, line.item_id, line.variant_id)
    if not done:
        return line.qty
    # units of this listing sold by the order, less what was restored or returned before
    sold, restored = ctx.store.conn.execute(
        "SELECT COALESCE(SUM(qty), 0), COALESCE(SUM(CASE WHEN state = 'returned' "
        "AND line_id != ? THEN qty ELSE 0 END), 0) FROM order_line WHERE channel_account_id = ? "
        "AND order_id = ? AND item_id = ? AND variant_id = ? AND state IN ('shipped', 'returned')",
        (line.line_id, ctx.account_id, order.order_id, line.item_id, line.variant_id),
    ).fetchone()
    return max(0, min(line.qty, int(sold) - int(restored) - done))


def _movements(
    ctx: _Page, order: RemoteOrder, line: OrderLine, sku_id: int, step: tuple[str, str, bool]
) -> list[MovementIn]:
    name, kind, from_reserved = step
    units = _units(ctx, order, line, step)
    if units == 0:
        return []
    parts = bundle_components(ctx.store, sku_id)
    if parts:
        targets = [(c.sku, q * units) for c, q in parts]
    else:
        targets = [(str(ctx.store.scalar("SELECT sku FROM sku WHERE id = ?", (sku_id,))), units)]
    return [
        MovementIn.model_validate(
            {
                "sku": sku,
                "kind": kind,
                "qty": qty,
                "from_reserved": from_reserved,
                "key": f"ord:{ctx.account_id}:{order.order_id}:{line.line_id}:{name}:{sku.lower()}",
                "source": "order",
                "channel": str(ctx.account_id),
                "actor": "syncd",
                "reason": f"order {order.order_id} {order.status}",
            }
        )
        for sku, qty in targets
    ]


def _state(order: RemoteOrder, line: OrderLine) -> tuple[str, str]:
    """(normalized state, marketplace status) of a line: its own, else the order's."""
    return line.state or order.state, line.status or order.status


def _record_new(ctx: _Page, order: RemoteOrder, line: OrderLine) -> tuple[int | None, int]:
    sku_id = _binding(ctx, line)
    tracked = int(_iso(order.created_at) >= ctx.start)
    if sku_id is None:
        ctx.report.unmatched.append(f"{line.item_id}/{line.variant_id}".rstrip("/"))
    ctx.store.conn.execute(
        "INSERT INTO order_line (tenant_id, channel_account_id, order_id, line_id, item_id, "
        "variant_id, sku_id, qty, state, status, tracked, created_at, updated_at, first_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ctx.tenant_id,
            ctx.account_id,
            order.order_id,
            line.line_id,
            line.item_id,
            line.variant_id,
            sku_id,
            line.qty,
            *_state(order, line),
            tracked,
            _iso(order.created_at),
            _iso(order.updated_at),
            now(),
        ),
    )
    ctx.report.new_lines += 1
    return sku_id, tracked


def _set_status(ctx: _Page, order: RemoteOrder, line: OrderLine, status: str) -> None:
    ctx.store.conn.execute(
        "UPDATE order_line SET status = ?, updated_at = MAX(updated_at, ?) "
        "WHERE channel_account_id = ? AND order_id = ? AND line_id = ?",
        (status, _iso(order.updated_at), ctx.account_id, order.order_id, line.line_id),
    )


def _follow_renamed_lines(ctx: _Page, order: RemoteOrder) -> None:
    """A line read under an id syncd has not stored, while a stored line of the same
    order with the same listing and units is missing from this read, is that line under
    another id: one of the two answers spoiled its id (an ``order_item_id`` of 10**12,
    found by the fault suite). The stored line takes the new id, so its units are never
    reserved twice; its movements keep their keys (each step moves stock once, by the
    line's state)."""
    read = {line.line_id for line in order.lines}
    stored = ctx.store.conn.execute(
        "SELECT line_id, item_id, variant_id, qty FROM order_line "
        "WHERE channel_account_id = ? AND order_id = ?",
        (ctx.account_id, order.order_id),
    ).fetchall()
    if not stored:
        return
    known = {row[0] for row in stored}
    unclaimed = [row for row in stored if row[0] not in read]
    for line in order.lines:
        if line.line_id in known:
            continue
        twin = next(
            (
                row
                for row in unclaimed
                if (row[1], row[2], row[3]) == (line.item_id, line.variant_id, line.qty)
            ),
            None,
        )
        if twin is None:
            continue
        unclaimed.remove(twin)
        ctx.store.conn.execute(
            "UPDATE order_line SET line_id = ? WHERE channel_account_id = ? AND order_id = ? "
            "AND line_id = ?",
            (line.line_id, ctx.account_id, order.order_id, twin[0]),
        )
        _log.warning("order.line_renamed", order=order.order_id, old=twin[0], new=line.line_id)


def _line(ctx: _Page, order: RemoteOrder, line: OrderLine) -> None:
    row = ctx.store.conn.execute(
        "SELECT state, tracked, sku_id FROM order_line "
        "WHERE channel_account_id = ? AND order_id = ? AND line_id = ?",
        (ctx.account_id, order.order_id, line.line_id),
    ).fetchone()
    old: str | None = None if row is None else row[0]
    state, status = _state(order, line)
    if row is None:
        sku_id, tracked = _record_new(ctx, order, line)
    elif not _allowed(old, state):
        ctx.report.ignored += 1
        if old == state:  # e.g. UNPAID → READY_TO_SHIP: same state, newer word; no stock
            _set_status(ctx, order, line, status)
        return
    else:
        tracked, sku_id = row[1], row[2]
        ctx.store.conn.execute(
            "UPDATE order_line SET state = ?, status = ?, updated_at = ? "
            "WHERE channel_account_id = ? AND order_id = ? AND line_id = ?",
            (
                state,
                status,
                _iso(order.updated_at),
                ctx.account_id,
                order.order_id,
                line.line_id,
            ),
        )
    step = STEPS.get((old, state))
    own = step is not None and (
        not ctx.follows  # undocumented: any step may have moved it (WooCommerce at payment)
        or step[0] in ("reserve", "release")
        or (step[0] == "deduct" and not step[2])
    )
    if step is not None and own:
        # the marketplace moved its own shown stock for this order (down when it was
        # placed, back up when cancelled), tracked or not. Where it documents doing so
        # at once (``own_stock_follows_orders``: Lazada §2.5, Shopify §5.3), shipping an
        # order it had reserved moves nothing buyers see (reserved → deducted); where it
        # does not, every step may have moved it (WooCommerce core reduces its stock when
        # an order is paid, §4.3), so what it shows is forgotten and sent again.
        key = (line.item_id, line.variant_id)
        units = line.qty if step[0] == "release" else -line.qty
        ctx.report.moved_remote[key] = ctx.report.moved_remote.get(key, 0) + units
    if step is None or not tracked or sku_id is None:
        return
    for m in _movements(ctx, order, line, sku_id, step):
        done = ctx.work.apply(m, allow_negative=True)
        if not done.already:
            ctx.report.movements += 1
            ctx.report.touched.add(done.sku_id)


def ingest(
    store: Store,
    tenant_id: int,
    account_id: int,
    page: OrderPage,
    *,
    integration_start: str,
    own_stock_follows_orders: bool = False,
    cursor_before: str | None = None,
    within: Callable[[Store, IngestReport], None] | None = None,
) -> IngestReport:
    """Apply one page of orders and save its cursor, in one transaction.

    ``within(store, report)`` runs last inside that transaction: what the caller writes
    about the page commits with it (its events, the daemon job's marks), or not at all.

    An order that cannot be taken as sent (``adapter.order_problem``: a line of 0, -3 or
    2**63 units, an empty id; or one the adapter could not parse, ``page.set_aside``) is
    set aside in ``quarantine`` with the cursor the page was read with, and the rest of
    the page is ingested: one bad order never blocks a shop, nor reaches the ledger.

    An order moves the stock its own marketplace shows. Where the marketplace documents
    that it does so at once (``own_stock_follows_orders``), what syncd last sent is
    moved by the same units; elsewhere the value is forgotten and sent again.
    """
    report = IngestReport()
    aside = list(page.set_aside)
    with inventory.change(store, tenant_id) as work:
        ctx = _Page(store, tenant_id, account_id, integration_start, report, work)
        ctx.follows = own_stock_follows_orders
        for order in page.orders:
            problem = order_problem(order)
            if problem is not None:
                aside.append(SetAside(order.order_id, problem, repr(order)[:4000]))
                continue
            store.conn.execute(  # read well now: no longer set aside
                "DELETE FROM quarantine WHERE channel_account_id = ? AND order_id = ?",
                (account_id, order.order_id),
            )
            report.taken.append(order)
            report.orders += 1
            before, report.touched = report.touched, set()
            moved = report.movements
            _follow_renamed_lines(ctx, order)
            for line in order.lines:
                _line(ctx, order, line)
            # the id that follows this order to its movements, the pushes, the answers
            cid = f"ord:{account_id}:{order.order_id}"
            work.settle(correlation_id=cid)  # the pushes these lines cause
            # Lazada moves its own shown stock at the order (§2.5), but a write of ours
            # after the order was placed may have overwritten that move: then what it
            # shows is unknown, as on the marketplaces that document nothing
            placed = _iso(order.created_at)
            known = {
                k: n
                for k, n in report.moved_remote.items()
                if ctx.follows and not outbox.written_since(store, account_id, k, placed)
            }
            unknown = {k: n for k, n in report.moved_remote.items() if k not in known}
            if known:
                outbox.expect_shown(store, account_id, known, correlation_id=cid)
            if unknown:
                outbox.forget_shown(store, account_id, unknown, correlation_id=cid)
            if report.touched or report.moved_remote:
                _log.info(
                    "order.applied",
                    correlation_id=cid,
                    status=order.status,
                    state=order.state,
                    movements=report.movements - moved,
                )
            report.moved_remote = {}
            report.touched |= before
        # returns told of with the orders (Lazada, WooCommerce, Shopify), then the ones
        # that came back before their order was seen deducted
        report.return_report = returns.apply_returns(work, account_id, page.returns)
        returns.settle_orders(work, account_id, [o.order_id for o in report.taken])
        report.set_aside = _set_aside(store, tenant_id, account_id, aside, cursor_before)
        report.aside_ids = [item.order_id for item in aside if item.order_id]
        store.conn.execute(
            "INSERT INTO order_cursor (tenant_id, channel_account_id, cursor, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (channel_account_id) DO UPDATE SET "
            "cursor = excluded.cursor, updated_at = excluded.updated_at",
            (tenant_id, account_id, page.cursor, now()),
        )
        if within is not None:
            within(store, report)
    return report


def _set_aside(
    store: Store,
    tenant_id: int,
    account_id: int,
    aside: Sequence[SetAside],
    cursor_before: str | None,
) -> list[SetAside]:
    """Record orders set aside (call inside ``write()``); return the ones new this time."""
    from syncd.log import clean  # noqa: PLC0415 - marketplace text: scrubbed when stored

    new: list[SetAside] = []
    at = now()
    for item in aside:
        cur = store.conn.execute(
            "INSERT INTO quarantine (tenant_id, channel_account_id, order_id, reason, raw, "
            "cursor_before, first_seen, last_seen, retry_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (channel_account_id, order_id) DO UPDATE SET reason = excluded.reason, "
            "raw = excluded.raw, last_seen = excluded.last_seen, times = times + 1 "
            "RETURNING times",
            (
                tenant_id,
                account_id,
                item.order_id,
                clean(item.reason),
                clean(item.raw),
                cursor_before,
                at,
                at,
                at,  # read again at the next poll
            ),
        )
        if cur.fetchone()[0] == 1:
            new.append(item)
            _log.warning("order.set_aside", order=item.order_id, reason=clean(item.reason))
    return new


#: Seconds before the n-th automatic re-read of a set-aside order (then RETRY_WAITS[-1]):
#: the next two polls at once (a spoiled answer is usually one answer), then less and
#: less often for an order the marketplace keeps sending wrong.
RETRY_WAITS = (0, 0, 60, 300, 1_800, 3_600, 21_600)


def rewind(store: Store, account_id: int, cursor_before: str | None) -> None:
    """Move the account's order window back to where a set-aside order was read (call
    inside ``write()``); ingest is idempotent, so what is read twice counts once."""
    if cursor_before is None:  # read on the very first page: start over
        store.conn.execute("DELETE FROM order_cursor WHERE channel_account_id = ?", (account_id,))
    else:
        store.conn.execute(
            "UPDATE order_cursor SET cursor = ? WHERE channel_account_id = ?",
            (cursor_before, account_id),
        )


def retry_set_aside(store: Store, account_id: int) -> int:
    """Before a poll: if orders set aside on this account are due to be read again, move
    the window back to the oldest one's page and schedule their next re-read. Returns how
    many are re-read by this poll (an order read well then leaves ``quarantine``)."""
    at = dt.datetime.now(dt.UTC)
    due_sql = (
        "SELECT id, cursor_before, retries FROM quarantine WHERE channel_account_id = ? "
        "AND state = 'open' AND (retry_at IS NULL OR retry_at <= ?) ORDER BY id"
    )
    params = (account_id, at.isoformat(timespec="milliseconds"))
    if not store.all(due_sql, params):  # the usual case: no writer lock taken before a poll
        return 0
    with store.write():
        due = store.all(due_sql, params)  # again under the writer lock
        if not due:
            return 0
        rewind(store, account_id, due[0]["cursor_before"])
        for row in due:
            wait = RETRY_WAITS[min(row["retries"] + 1, len(RETRY_WAITS) - 1)]
            store.conn.execute(
                "UPDATE quarantine SET retries = retries + 1, retry_at = ? WHERE id = ?",
                ((at + dt.timedelta(seconds=wait)).isoformat(timespec="milliseconds"), row["id"]),
            )
    _log.info("orders.set_aside_retry", account=account_id, orders=len(due))
    return len(due)


def load_cursor(store: Store, account_id: int) -> str | None:
    """The saved order cursor of an account, or None before its first pull."""
    found = store.scalar(
        "SELECT cursor FROM order_cursor WHERE channel_account_id = ?", (account_id,)
    )
    return None if found is None else str(found)


def lines_of(store: Store, account_id: int) -> Sequence[tuple[str, str, str, int]]:
    """(order id, line id, state, qty) of every stored line of an account (for tests and status)."""
    return store.conn.execute(
        "SELECT order_id, line_id, state, qty FROM order_line WHERE channel_account_id = ? "
        "ORDER BY order_id, line_id",
        (account_id,),
    ).fetchall()
