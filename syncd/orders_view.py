"""Orders as the seller reads them: the list, the export, and today's pick list.

Everything here reads ``order_line`` (one row per marketplace order line, kept by
``syncd.orders``) of one tenant and writes nothing but export files:

* ``orders``: the tenant's orders, newest first, each with its lines (``syncd orders``);
* ``export``: the same lines to a CSV or XLSX file, written whole or not at all;
* ``picklist``: what to pack, by SKU (bundles as their components), from the orders that
  are paid and waiting for the seller (``TO_PACK``).

Times are kept as ISO UTC text; the CLI shows them in the seller's zone.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TextIO

from syncd import localtime
from syncd.catalog import bundle_components, marketplace_family
from syncd.errors import UserError
from syncd.store import Store

__all__ = [
    "EXPORT_COLUMNS",
    "STATES",
    "TO_PACK",
    "Line",
    "Order",
    "Pick",
    "Picklist",
    "day_bounds",
    "export",
    "lines",
    "orders",
    "picklist",
    "to_pack",
]

#: syncd's own order states (``syncd.orders``), the values of ``--status``
STATES: Final = ("open", "shipped", "cancelled", "returned")
EXPORT_COLUMNS: Final = (
    "channel",
    "order",
    "placed",
    "status",
    "state",
    "sku",
    "item",
    "variant",
    "qty",
)

#: Marketplace → (syncd's state of the line, the marketplace's status words, lower case)
#: of an order that is paid and waits for the seller to pack it. The words and what they
#: mean are each adapter's status map (``adapters/<name>/adapter.py`` ``STATUS_STATE``,
#: ``adapters/tiktok/statuses.py``) and ``../shared/reference/marketplace-apis.md``
#: §1.5 (Shopee), §2.5 (Lazada), §3.5 (TikTok Shop, which also serves Tokopedia shops),
#: §4.3 (WooCommerce), §5.3 (Shopify). An unpaid order is never packed.
TO_PACK: Final[dict[str, tuple[str, frozenset[str]]]] = {
    # READY_TO_SHIP: paid, the seller may arrange shipment; PROCESSED: shipment arranged
    # (the label exists), the parcel is packed before the courier comes. Not UNPAID, not
    # PENDING/INVOICE_PENDING (Shopee is still processing it), not IN_CANCEL (the buyer
    # asked to cancel), not RETRY_SHIP (packed already: only the pickup failed).
    "shopee": ("open", frozenset({"ready_to_ship", "processed"})),
    # AWAITING_SHIPMENT: paid, to ship; AWAITING_COLLECTION: shipping arranged, waiting
    # for the courier; PARTIALLY_SHIPPING: a line not shipped yet of an order partly sent.
    # Not UNPAID, not ON_HOLD (the buyer may still cancel freely: TikTok asks sellers not
    # to ship during it).
    "tiktok": (
        "open",
        frozenset({"awaiting_shipment", "awaiting_collection", "partially_shipping"}),
    ),
    # pending (paid, waiting for the seller), topack/toship (the filter words of the same
    # stretch), packed (the seller pressed "pack": the air waybill exists). Not unpaid;
    # ready_to_ship is already deducted at Lazada and handed over (syncd: shipped).
    "lazada": ("open", frozenset({"pending", "topack", "packed", "toship"})),
    # WooCommerce core reduces its stock when an order is paid (processing), so syncd
    # records it as shipped (deducted) at that point, before it leaves: a paid order
    # waiting to be packed is state 'shipped' with status 'processing'. Not on-hold:
    # WooCommerce's own meaning is "awaiting payment" (a bank transfer to confirm), so it
    # is not packed until it moves to processing; not pending (unpaid), not completed.
    "woocommerce": ("shipped", frozenset({"processing"})),
    # An open order not fulfilled yet (syncd keeps Shopify's displayFulfillmentStatus as
    # the status word). UNCONFIRMED: syncd does not keep displayFinancialStatus, so an
    # order placed with a manual payment still pending is listed too. Not ON_HOLD nor
    # SCHEDULED (a fulfillment held or planned for later).
    "shopify": (
        "open",
        frozenset(
            {"unfulfilled", "partially_fulfilled", "in_progress", "open", "pending_fulfillment"}
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class Line:
    """One order line with its channel and, when it is bound, its master SKU."""

    channel: str
    marketplace: str
    order_id: str
    line_id: str
    placed: str  # ISO UTC
    status: str  # the marketplace's word
    state: str  # syncd's: open, shipped, cancelled, returned
    item_id: str
    variant_id: str
    qty: int
    sku_id: int | None
    sku: str | None  # None: the item is not bound to a master SKU
    name: str


@dataclass(slots=True)
class Order:
    """One marketplace order and its lines (those that passed the filters)."""

    channel: str
    order_id: str
    placed: str
    lines: list[Line] = field(default_factory=list)


_SELECT = """
SELECT c.name AS channel, c.marketplace, o.channel_account_id, o.order_id, o.line_id,
       o.created_at, o.status, o.state, o.item_id, o.variant_id, o.qty, o.sku_id,
       s.sku, TRIM(p.name || ' ' || s.variant)
FROM order_line o
JOIN channel_account c ON c.id = o.channel_account_id AND c.tenant_id = o.tenant_id
LEFT JOIN sku s ON s.id = o.sku_id AND s.tenant_id = o.tenant_id
LEFT JOIN product p ON p.id = s.product_id
"""


def _filters(
    tenant_id: int,
    account_id: int | None,
    state: str | None,
    since: str | None,
    until: str | None = None,
) -> tuple[str, list[object]]:
    """The WHERE clause (on ``order_line o``) shared by the list, the export and the count."""
    sql = "o.tenant_id = ?"
    params: list[object] = [tenant_id]
    if account_id is not None:
        sql += " AND o.channel_account_id = ?"
        params.append(account_id)
    if state is not None:
        if state not in STATES:  # the CLI says it to the seller first; this is the guard
            raise UserError("orders.bad_status", value=state, states=", ".join(STATES))
        sql += " AND o.state = ?"
        params.append(state)
    if since is not None:
        sql += " AND o.created_at >= ?"
        params.append(since)
    if until is not None:
        sql += " AND o.created_at < ?"
        params.append(until)
    return sql, params


def _line(row: Sequence[object]) -> Line:
    return Line(
        channel=str(row[0]),
        marketplace=str(row[1]),
        order_id=str(row[3]),
        line_id=str(row[4]),
        placed=str(row[5]),
        status=str(row[6]),
        state=str(row[7]),
        item_id=str(row[8]),
        variant_id=str(row[9]),
        qty=int(str(row[10])),
        sku_id=None if row[11] is None else int(str(row[11])),
        sku=None if row[12] is None else str(row[12]),
        name="" if row[13] is None else str(row[13]),
    )


def lines(
    store: Store,
    tenant_id: int,
    *,
    account_id: int | None = None,
    state: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[Line]:
    """Order lines of a tenant, the newest ``limit`` orders first (None: every order),
    each order's lines together in line order. Filters: a channel account, syncd's state
    of the line, placed at or after ``since`` (ISO UTC)."""
    where, params = _filters(tenant_id, account_id, state, since)
    sql = (
        "WITH picked AS (SELECT channel_account_id, order_id, MAX(created_at) AS placed "
        f"FROM order_line o WHERE {where} GROUP BY channel_account_id, order_id "
        "ORDER BY placed DESC, order_id DESC LIMIT ?) "
        + _SELECT
        + "JOIN picked ON picked.channel_account_id = o.channel_account_id "
        f"AND picked.order_id = o.order_id WHERE {where} "
        "ORDER BY picked.placed DESC, o.order_id DESC, c.name, o.line_id"
    )
    rows = store.conn.execute(sql, (*params, -1 if limit is None else limit, *params))
    return [_line(r) for r in rows]


def orders(
    store: Store,
    tenant_id: int,
    *,
    account_id: int | None = None,
    state: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[Order]:
    """``lines`` grouped by order, newest first (``syncd orders``)."""
    out: list[Order] = []
    for line in lines(
        store, tenant_id, account_id=account_id, state=state, since=since, limit=limit
    ):
        last = out[-1] if out else None
        if last is None or (last.channel, last.order_id) != (line.channel, line.order_id):
            last = Order(line.channel, line.order_id, line.placed)
            out.append(last)
        last.lines.append(line)
    return out


# -- export --------------------------------------------------------------------------


def _cells(line: Line) -> list[object]:
    """One export row (``EXPORT_COLUMNS``); the time in the seller's zone, to the second."""
    return [
        line.channel,
        line.order_id,
        localtime.show(line.placed, seconds=True),
        line.status,
        line.state,
        line.sku or "",
        line.item_id,
        line.variant_id,
        line.qty,
    ]


def _write_csv(fh: TextIO, rows: Sequence[Line]) -> None:
    writer = csv.writer(fh)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(_cells(r) for r in rows)


def _write_xlsx(path: Path, rows: Sequence[Line]) -> None:
    import openpyxl  # noqa: PLC0415 - only XLSX exports pay for openpyxl (as imports do)

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet  # noqa: S101
    sheet.title = "orders"
    sheet.append(list(EXPORT_COLUMNS))
    for line in rows:
        cells = _cells(line)
        # a real date and time (in the seller's zone: Excel has no zones) so the sheet
        # sorts and filters by it
        cells[2] = dt.datetime.fromisoformat(str(cells[2]))
        sheet.append(cells)
    for (cell,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    book.save(path)


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it only when the block succeeds;
    on any failure it is removed, so a failed export never leaves half a file."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def export(path: Path, rows: Sequence[Line]) -> int:
    """Write order lines to ``path`` (``.csv``: UTF-8 with a header; ``.xlsx``: one sheet),
    whole or not at all. Returns the rows written; any other extension is refused."""
    kind = path.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise UserError("orders.bad_export", path=str(path))
    if not path.parent.is_dir():
        raise UserError("orders.no_folder", path=str(path), folder=str(path.parent))
    with _atomic(path) as tmp:
        if kind == ".csv":
            with tmp.open("w", newline="", encoding="utf-8") as fh:
                _write_csv(fh, rows)
        else:
            _write_xlsx(tmp, rows)
    return len(rows)


# -- pick list -----------------------------------------------------------------------


def to_pack(line: Line) -> bool:
    """Whether a line is of a paid order waiting to be packed (``TO_PACK``)."""
    found = TO_PACK.get(marketplace_family(line.marketplace))
    if found is None:
        return False
    state, words = found
    return line.state == state and line.status.strip().lower() in words


@dataclass(slots=True)
class Pick:
    """One SKU to take from the shelf: its total and the orders it goes to."""

    sku: str
    name: str
    qty: int = 0
    #: "channel order" (with the bundle it is packed in, when it is one's component)
    orders: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Picklist:
    """What to pack: SKUs in SKU order, lines not bound to a SKU apart."""

    picks: list[Pick]
    unbound: list[Line]
    orders: int  # orders with at least one line to pack


def day_bounds(day: str) -> tuple[str, str]:
    """[start, end) in ISO UTC of the seller's day ``day`` (what ``localtime.parse`` reads:
    ``2026-12-01``, ``01/12/2026``, ``1d`` for yesterday)."""
    local = dt.datetime.fromisoformat(localtime.parse(day)).astimezone(localtime.zone())
    start = dt.datetime.combine(local.date(), dt.time(), tzinfo=localtime.zone())
    end = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), localtime.zone())
    return (
        start.astimezone(dt.UTC).isoformat(timespec="seconds"),
        end.astimezone(dt.UTC).isoformat(timespec="seconds"),
    )


def _ready(store: Store, tenant_id: int, account_id: int | None, day: str | None) -> list[Line]:
    """Lines that may be to pack (not cancelled nor returned), filtered by ``to_pack``."""
    since, until = day_bounds(day) if day else (None, None)
    where, params = _filters(tenant_id, account_id, None, since, until)
    rows = store.conn.execute(
        _SELECT + f"WHERE {where} AND o.state IN ('open', 'shipped') "
        "ORDER BY o.created_at, o.order_id, o.line_id",
        params,
    )
    return [line for line in map(_line, rows) if to_pack(line)]


def picklist(
    store: Store, tenant_id: int, *, account_id: int | None = None, day: str | None = None
) -> Picklist:
    """What to pack from the orders ``to_pack`` (placed on the seller's ``day`` when given):
    each SKU's total with the orders it comes from, a bundle counted as its components."""
    ready = _ready(store, tenant_id, account_id, day)
    picks: dict[str, Pick] = {}
    unbound: list[Line] = []
    parts: dict[int, list[tuple[str, str, int]]] = {}
    for line in ready:
        if line.sku_id is None or line.sku is None:
            unbound.append(line)
            continue
        if line.sku_id not in parts:
            found = bundle_components(store, line.sku_id)
            parts[line.sku_id] = [
                (c.sku, f"{c.name} {c.variant}".strip(), q) for c, q in found
            ] or [(line.sku, line.name, 1)]
        bundle = len(parts[line.sku_id]) > 1 or parts[line.sku_id][0][0] != line.sku
        where = f"{line.channel} {line.order_id}" + (f" ({line.sku})" if bundle else "")
        for sku, name, per in parts[line.sku_id]:
            pick = picks.setdefault(sku, Pick(sku, name))
            pick.qty += per * line.qty
            if where not in pick.orders:
                pick.orders.append(where)
    return Picklist(
        picks=[picks[k] for k in sorted(picks, key=str.upper)],
        unbound=unbound,
        orders=len({(line.channel, line.order_id) for line in ready}),
    )
