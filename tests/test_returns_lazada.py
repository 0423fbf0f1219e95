"""Lazada returns (issue 12, item 1), on the loopback simulator.

Lazada tells of returns with its orders: each unit row of ``/orders/items/get`` carries
its status (``returned``: the goods are back) and its ``return_status`` (a return asked
for, rejected, cancelled), with the unit's ``reverse_order_id`` (vendor reference
``GetMultipleOrderItems``). UNCONFIRMED (§2.4/§9): the words ``return_status`` carries;
the tests below pin the adapter's table (``RETURN_STATE``, the reverse-order statuses
of ``GetReverseOrderDetail`` and push type 10), not Lazada's behaviour.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from adapters.lazada.adapter import ORDERS_PAGE, RETURN_STATE, STATUS_STATE, LazadaAdapter
from adapters.lazada.simulator import LazadaSimulator
from syncd import catalog, ledger, orders, returns, sync
from syncd.adapter import AdapterContext, Credentials, OrderPage, RemoteReturn
from syncd.http import CircuitBreaker, Limiter
from tests.contract.harness_lazada import LazadaHarness
from tests.contract.test_contract import MASTER, World, build_world

ITEM, SKU_ID = 9001, 90010  # a product of the simulator only (no master catalogue)
SKU = "NASTAR-500"


@dataclasses.dataclass
class Shop:
    """A started simulator with one seller and an adapter on it."""

    h: LazadaHarness
    adapter: LazadaAdapter
    since: dt.datetime

    @property
    def sim(self) -> LazadaSimulator:
        return self.h.sim

    def order(self, units: int, status: str = "delivered") -> int:
        """An order of ``units`` units of the test product, moved on to ``status``."""
        order = self.sim.place_order(int(self.h.shop_id), [(ITEM, SKU_ID, units)])
        assert order is not None
        self.sim.set_order_status(order, status)
        return order

    def pull(self) -> list[OrderPage]:
        """Every page of one order pull from ``since``."""
        pages, cursor = [], None
        for _ in range(20):
            page = self.adapter.pull_orders(cursor, self.since)
            pages.append(page)
            cursor = page.cursor
            if not page.more:
                return pages
        raise AssertionError("the order pull did not end")

    def returns(self) -> dict[str, RemoteReturn]:
        """The returns of one pull, by the order item id of their line."""
        found = [r for page in self.pull() for r in page.returns]
        assert all(len(r.lines) == 1 for r in found)
        return {r.lines[0].line_id: r for r in found}


@pytest.fixture
def shop() -> Iterator[Shop]:
    h = LazadaHarness()
    h.start()
    h.sim.add_item(int(h.shop_id), ITEM, "Teh", sku="TEH-1", price=5000, stock=500)
    tokens: list[Credentials] = []
    ctx = AdapterContext(
        shop_id=h.shop_id,
        settings=h.settings(),
        secrets=h.secrets(),
        credentials=lambda: tokens[0] if tokens else None,
        now=h.now,
    )
    adapter = LazadaAdapter.create(ctx, limiter=Limiter(), breaker=CircuitBreaker())
    tokens.append(adapter.exchange_code(h.authorize()))
    s = Shop(h, adapter, since=h.now() - dt.timedelta(minutes=5))
    h.advance(60)
    yield s
    adapter.close()
    h.stop()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world("lazada", tmp_path)
    w.harness.seed()
    sync.discover(w.store, w.rt)
    sync.push(w.store, w.rt)
    yield w
    w.close()


# ---------------------------------------------------------------- words → states


def test_every_return_status_word_maps_to_its_state(shop: Shop) -> None:
    """Each word of the table, as sent (upper case) on a delivered unit; a unit in
    ``returned`` is received whatever its word; no word, ``"0"`` (the vendor's demo
    value) and an unknown word make no return (UNCONFIRMED vocabulary)."""
    words = sorted(RETURN_STATE)
    order = shop.order(len(words) + 3)
    units = shop.sim.orders[order].units
    for unit, word in zip(units, words, strict=False):
        unit.return_status = word.upper()
    zero, unknown, back = units[len(words) :]
    zero.return_status = "0"
    unknown.return_status = "SOMETHING_NEW"
    back.status, back.return_status = "returned", "REQUEST_INITIATE"
    shop.sim.advance(2)
    with capture_logs() as logs:
        found = shop.returns()
    got = {r.status.lower(): r.state for r in found.values() if r.status != "returned"}
    assert got == RETURN_STATE
    assert found[str(back.order_item_id)].state == "received"
    assert str(zero.order_item_id) not in found
    assert str(unknown.order_item_id) not in found
    assert [e["return_status"] for e in logs if e["event"] == "lazada.return_status_unknown"] == [
        "SOMETHING_NEW"
    ]


def test_the_table_has_each_documented_word_once_and_received_only_from_the_unit() -> None:
    """The reverse-order words (GetReverseOrderDetail; push type 10, §2.6): rejections,
    cancellations and refunds without goods close; none of them restocks."""
    assert set(RETURN_STATE.values()) == {"requested", "closed"}
    assert {w for w, s in RETURN_STATE.items() if s == "closed"} == {
        *("request_reject", "request_cancel", "rtm_canceled", "rtw_canceled"),
        *("refund_init", "refund_pending", "refund_success", "refund_rejected"),
    }
    assert STATUS_STATE["returned"] == "shipped"  # deducted; restocked by its return


def test_a_returned_unit_is_a_shipped_line_and_a_received_return(shop: Shop) -> None:
    order = shop.order(3)
    reverse = shop.sim.request_return(order, 2)
    shop.sim.complete_return(reverse)
    shop.sim.advance(2)
    pages = shop.pull()
    (got,) = [o for p in pages for o in p.orders if o.order_id == str(order)]
    assert {line.state for line in got.lines} == {"shipped"}
    assert sorted(line.status or "" for line in got.lines) == ["delivered", "returned", "returned"]
    back = [r for p in pages for r in p.returns]
    assert {r.return_id for r in back} == {str(reverse)}  # the row's reverse_order_id
    assert {r.state for r in back} == {"received"}
    assert all(r.restocked_by_marketplace for r in back)  # the core re-sends our value
    by_line = {line.line_id: line for line in got.lines}
    for r in back:
        (line,) = r.lines
        assert (line.item_id, line.variant_id, line.qty) == (
            by_line[line.line_id].item_id,
            by_line[line.line_id].variant_id,
            1,
        )
        assert by_line[line.line_id].status == "returned"


def test_a_unit_without_a_reverse_order_id_gets_an_id_of_its_own(shop: Shop) -> None:
    order = shop.order(1)
    (unit,) = shop.sim.orders[order].units
    unit.return_status = "REQUEST_INITIATE"  # no reverse_order_id in its row
    shop.sim.advance(2)
    found = shop.returns()
    ret = found[str(unit.order_item_id)]
    assert (ret.return_id, ret.state, ret.status) == (
        f"unit-{unit.order_item_id}",
        "requested",
        "REQUEST_INITIATE",
    )
    assert not ret.restocked_by_marketplace


def test_failed_lost_and_open_units_tell_of_no_return(shop: Shop) -> None:
    """A reverse order is opened after delivery (vendor guide); a failed delivery or a
    lost parcel stays deducted without one (UNCONFIRMED, §2.5), whatever its row says."""
    ids = [shop.order(1, status) for status in ("failed", "lost", "packed")]
    for order in ids:
        shop.sim.orders[order].units[0].return_status = "REQUEST_INITIATE"
    shop.sim.advance(2)
    assert shop.returns() == {}
    with pytest.raises(ValueError, match="delivered units"):
        shop.sim.request_return(shop.order(1, "shipped"), 1)  # not delivered yet


def test_a_return_closed_by_the_buyer_is_closed(shop: Shop) -> None:
    order = shop.order(2)
    reverse = shop.sim.request_return(order, 2)
    shop.sim.close_return(reverse, "REQUEST_CANCEL")
    shop.sim.advance(2)
    found = shop.returns()
    assert {r.state for r in found.values()} == {"closed"}
    assert {line.status for o in shop.pull()[0].orders for line in o.lines} == {"delivered"}
    with pytest.raises(ValueError, match="closed"):
        shop.sim.complete_return(reverse)


# ---------------------------------------------------------------- malformed and paging


def test_a_malformed_return_field_costs_only_that_units_return(shop: Shop) -> None:
    order = shop.order(4)
    reverse = shop.sim.request_return(order, 4)
    a, b, c, d = shop.sim.orders[order].units
    a.reverse_order_id = "R-12"  # type: ignore[assignment]  # not an id
    b.return_status = "x" * 65  # not a short word
    c.reverse_order_id = -5
    shop.sim.advance(2)
    with capture_logs() as logs:
        pages = shop.pull()
    assert not [s for p in pages for s in p.set_aside]
    (got,) = [o for p in pages for o in p.orders]
    assert len(got.lines) == 4  # the order is whole: its units still count
    found = {r.lines[0].line_id: r for p in pages for r in p.returns}
    assert set(found) == {str(d.order_item_id)}
    assert found[str(d.order_item_id)].return_id == str(reverse)
    skipped = [e for e in logs if e["event"] == "lazada.return_skipped"]
    assert sorted(e["order_item"] for e in skipped) == sorted(
        str(u.order_item_id) for u in (a, b, c)
    )


def test_returns_ride_on_the_order_page_that_lists_their_order(shop: Shop) -> None:
    """More orders than one page (100): each page brings the returns of its own orders,
    and the next page starts after the last one read (the order list's paging)."""
    ids = [shop.order(1) for _ in range(ORDERS_PAGE + 5)]
    first, last = ids[0], ids[-1]
    shop.sim.advance(2)
    for order in (first, last):
        shop.sim.request_return(order, 1)
        shop.sim.advance(1)
    pages = shop.pull()
    assert len(pages) >= 2
    with_returns = [
        (sorted(o.order_id for o in p.orders), [r.order_id for r in p.returns])
        for p in pages
        if p.returns
    ]
    assert all(set(rets) <= set(listed) for listed, rets in with_returns)
    assert {r for _, rets in with_returns for r in rets} == {str(first), str(last)}


# ---------------------------------------------------------------- through the core


def _balance(w: World) -> int:
    return ledger.balance(w.store, w.tenant.id, catalog.get_sku(w.store, w.tenant.id, SKU).id)[0]


def _shipped(w: World, qty: int) -> int:
    h: LazadaHarness = w.harness
    x = w.listing(SKU)
    order = h.sim.place_order(int(h.shop_id), [(int(x.item_id), int(x.variant_id), qty)])
    assert order is not None
    h.sim.set_order_status(order, "delivered")
    h.advance(2)
    sync.pull_orders(w.store, w.rt)
    assert _balance(w) == MASTER[SKU] - qty
    return order


def test_a_returned_unit_restocks_once_by_policy_and_its_line_stays_shipped(
    world: World,
) -> None:
    w = world
    h: LazadaHarness = w.harness
    order = _shipped(w, 2)
    h.sim.complete_return(h.sim.request_return(order, 1))
    for _ in range(3):  # the window's overlap reads the order again
        h.advance(2)
        sync.pull_orders(w.store, w.rt)
    assert _balance(w) == MASTER[SKU] - 1
    states = [state for o, _, state, _ in orders.lines_of(w.store, w.account.id) if o == str(order)]
    assert states == ["shipped", "shipped"]
    assert [r["disposition"] for r in returns.listing(w.store, w.tenant.id)] == ["restocked"]


def test_under_inspect_lazada_is_sent_our_value_again_after_a_return(world: World) -> None:
    """UNCONFIRMED (§2.5) what Lazada's own stock does for a returned unit. Should it
    raise it by itself, the received return (``restocked_by_marketplace``) makes syncd
    send its value again although syncd's own stock waits for the seller."""
    w = world
    returns.set_policy(w.store, w.tenant.id, "inspect")
    h: LazadaHarness = w.harness
    x = w.listing(SKU)
    order = _shipped(w, 2)
    sync.push(w.store, w.rt)
    shown = h.shown(x.item_id, x.variant_id)
    h.sim.complete_return(h.sim.request_return(order, 1))
    sku = h.sim._sku(int(h.shop_id), int(x.item_id), int(x.variant_id))
    sku.sellable += 1  # Lazada restocks the unit itself (one possibility)
    h.advance(2)
    sync.pull_orders(w.store, w.rt)
    assert returns.waiting(w.store, w.tenant.id) == 1
    assert _balance(w) == MASTER[SKU] - 2
    sync.push(w.store, w.rt)
    assert h.shown(x.item_id, x.variant_id) == shown  # not one more than syncd holds
