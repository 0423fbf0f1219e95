"""Order ingest: the state machine as a table, duplicates, out-of-order events, cursors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from syncd import catalog, inventory, ledger, orders, outbox
from syncd.adapter import OrderLine, OrderPage, RemoteOrder
from syncd.catalog import Tenant
from syncd.models import ChannelIn, Component, ListingIn, MovementIn, SkuIn
from syncd.store import Store
from tests.conftest import add_skus

START = "2026-11-01T00:00:00+00:00"
T0 = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


@pytest.fixture
def shop(store: Store, tenant: Tenant) -> int:
    return make_shop(store, tenant)


def make_shop(store: Store, tenant: Tenant) -> int:
    """Nastar (20), kopi (10) and a hampers bundle bound on one Shopee channel."""
    add_skus(
        store,
        tenant,
        SkuIn(sku="NASTAR-500", name="Nastar", price=85000),
        SkuIn(sku="KOPI-250", name="Kopi", price=45000),
        SkuIn(
            sku="HAMPERS",
            name="Hampers",
            price=150000,
            components=(Component(sku="NASTAR-500", qty=2), Component(sku="KOPI-250", qty=1)),
        ),
    )
    ch = catalog.add_channel(
        store,
        tenant.id,
        ChannelIn(name="shopee", marketplace="shopee", shop_id="1"),
        integration_start=START,
        accepted=True,  # the test accepts pushes from the start
        price_sync="push",
    )
    for sku, item in (("NASTAR-500", "10"), ("KOPI-250", "20"), ("HAMPERS", "30")):
        inventory.bind_listing(store, tenant.id, ListingIn(sku=sku, channel="shopee", item_id=item))
    inventory.record(
        store,
        tenant.id,
        [
            MovementIn(sku="NASTAR-500", kind="receipt", qty=20, key="r1", source="t", actor="t"),
            MovementIn(sku="KOPI-250", kind="receipt", qty=10, key="r2", source="t", actor="t"),
        ],
    )
    return ch.id


def order(
    state: str,
    *,
    oid: str = "A1",
    item: str = "10",
    qty: int = 2,
    created: dt.datetime = T0,
    minutes: int = 0,
) -> RemoteOrder:
    return RemoteOrder(
        oid,
        state.upper(),
        state,
        created,  # type: ignore[arg-type]
        created + dt.timedelta(minutes=minutes),
        (OrderLine("L1", item, "", None, qty),),
    )


def feed(
    store: Store, tenant: Tenant, account: int, *events: RemoteOrder, follows: bool = False
) -> orders.IngestReport:
    page = OrderPage(list(events), cursor="c", more=False)
    return orders.ingest(
        store, tenant.id, account, page, integration_start=START, own_stock_follows_orders=follows
    )


def stock(store: Store, tenant: Tenant, sku: str = "NASTAR-500") -> tuple[int, int]:
    return ledger.balance(store, tenant.id, catalog.get_sku(store, tenant.id, sku).id)


# (sequence of states) → (on_hand, reserved) of NASTAR-500 afterwards (20 on hand, order of 2)
SEQUENCES = [
    (("open",), (20, 2)),
    (("open", "shipped"), (18, 0)),
    (("shipped",), (18, 0)),
    (("open", "cancelled"), (20, 0)),
    (("cancelled",), (20, 0)),
    (("open", "shipped", "returned"), (20, 0)),
    (("open", "returned"), (20, 0)),
    (("shipped", "cancelled"), (18, 0)),  # failed delivery: stock comes back only by a return
    (("open", "open", "open"), (20, 2)),  # duplicates
    (("shipped", "open"), (18, 0)),  # an older status arriving late
    (("cancelled", "open"), (20, 0)),  # cancellation before the creation event
    (("cancelled", "open", "shipped"), (20, 0)),
    (("open", "cancelled", "shipped"), (20, 0)),
    (("open", "shipped", "shipped", "returned", "returned"), (20, 0)),
]


@pytest.mark.parametrize(("states", "expected"), SEQUENCES, ids=["→".join(s) for s, _ in SEQUENCES])
def test_state_machine(
    store: Store, tenant: Tenant, shop: int, states: tuple[str, ...], expected: tuple[int, int]
) -> None:
    for minute, state in enumerate(states):
        feed(store, tenant, shop, order(state, minutes=minute))
    assert stock(store, tenant) == expected
    assert ledger.check(store)[0] == []


@pytest.mark.parametrize("states", [s for s, _ in SEQUENCES if len(s) >= 2])
def test_at_most_one_movement_per_transition(
    store: Store, tenant: Tenant, shop: int, states: tuple[str, ...]
) -> None:
    for _ in range(3):  # the whole feed delivered three times
        for minute, state in enumerate(states):
            feed(store, tenant, shop, order(state, minutes=minute))
    keys = [
        r[0] for r in store.conn.execute("SELECT idem_key FROM movement WHERE source = 'order'")
    ]
    assert len(keys) == len(set(keys))
    steps = [k.split(":")[4] for k in keys]
    assert len(steps) == len(set(steps))  # reserve/deduct/release/restock at most once each


def test_every_permutation_of_a_lifecycle_counts_once(
    store: Store, tenant: Tenant, shop: int
) -> None:
    """Whatever order open/shipped/returned arrive in, a returned order nets to zero."""
    for n, perm in enumerate(itertools.permutations(["open", "shipped", "returned"])):
        for minute, state in enumerate(perm):
            feed(store, tenant, shop, order(state, oid=f"P{n}", minutes=minute))
    assert stock(store, tenant) == (20, 0)
    assert ledger.check(store)[0] == []


def test_orders_before_integration_start_never_touch_stock(
    store: Store, tenant: Tenant, shop: int
) -> None:
    old = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    feed(store, tenant, shop, order("open", created=old))
    feed(store, tenant, shop, order("cancelled", created=old, minutes=5))
    assert stock(store, tenant) == (20, 0)
    assert orders.lines_of(store, shop) == [("A1", "L1", "cancelled", 2)]


def test_bundle_order_moves_components(store: Store, tenant: Tenant, shop: int) -> None:
    feed(store, tenant, shop, order("open", item="30", qty=2))
    assert stock(store, tenant, "NASTAR-500") == (20, 4)
    assert stock(store, tenant, "KOPI-250") == (10, 2)
    feed(store, tenant, shop, order("shipped", item="30", qty=2, minutes=1))
    assert stock(store, tenant, "NASTAR-500") == (16, 0)
    assert stock(store, tenant, "KOPI-250") == (8, 0)


def test_unbound_item_is_recorded_not_counted(store: Store, tenant: Tenant, shop: int) -> None:
    report = feed(store, tenant, shop, order("open", item="999"))
    assert report.unmatched == ["999"]
    assert report.movements == 0
    assert stock(store, tenant) == (20, 0)


def test_cursor_saved_with_the_page(store: Store, tenant: Tenant, shop: int) -> None:
    assert orders.load_cursor(store, shop) is None
    orders.ingest(
        store,
        tenant.id,
        shop,
        OrderPage([order("open")], "cursor-1", more=True),
        integration_start=START,
    )
    assert orders.load_cursor(store, shop) == "cursor-1"


def test_a_failing_page_saves_neither_orders_nor_cursor(
    store: Store, tenant: Tenant, shop: int
) -> None:
    bad = RemoteOrder(
        "B1",
        "UNPAID",
        "open",
        T0,
        T0,
        (OrderLine("L1", "10", "", None, 1), OrderLine("L2", "20", "", None, 1)),
    )
    orders.ingest(store, tenant.id, shop, OrderPage([], "c0", more=False), integration_start=START)
    store.conn.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON order_line WHEN NEW.item_id = '20' "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    with pytest.raises(Exception, match="boom"):
        orders.ingest(
            store, tenant.id, shop, OrderPage([bad], "c1", more=False), integration_start=START
        )
    assert orders.load_cursor(store, shop) == "c0"
    assert stock(store, tenant) == (20, 0)
    assert orders.lines_of(store, shop) == []


def test_ingest_queues_pushes(store: Store, tenant: Tenant, shop: int) -> None:
    before = {p.listing_id: p.desired for p in outbox.pending(store, shop, "stock")}
    feed(store, tenant, shop, order("open", qty=3))
    after = {p.listing_id: p for p in outbox.pending(store, shop, "stock")}
    nastar = next(x.id for x in catalog.list_listings(store, tenant.id) if x.sku == "NASTAR-500")
    hampers = next(x.id for x in catalog.list_listings(store, tenant.id) if x.sku == "HAMPERS")
    assert before[nastar] == 20
    assert after[nastar].desired == 17
    assert after[hampers].desired == 8  # min(floor(17 / 2), floor(10 / 1))
    assert after[nastar].correlation_id == f"ord:{shop}:A1"


def test_lines_with_their_own_state(store: Store, tenant: Tenant, shop: int) -> None:
    """Per-unit marketplaces: one unit cancelled while the other ships."""
    units = (OrderLine("U1", "10", "", None, 1), OrderLine("U2", "10", "", None, 1))
    feed(store, tenant, shop, RemoteOrder("M1", "pending", "open", T0, T0, units))
    assert stock(store, tenant) == (20, 2)
    later = T0 + dt.timedelta(minutes=3)
    mixed = (
        OrderLine("U1", "10", "", None, 1, state="cancelled", status="canceled"),
        OrderLine("U2", "10", "", None, 1, state="shipped", status="shipped"),
    )
    feed(store, tenant, shop, RemoteOrder("M1", "shipped", "shipped", T0, later, mixed))
    assert stock(store, tenant) == (19, 0)
    assert orders.lines_of(store, shop) == [
        ("M1", "U1", "cancelled", 1),
        ("M1", "U2", "shipped", 1),
    ]


def test_an_order_makes_its_channel_listing_unknown(
    store: Store, tenant: Tenant, shop: int
) -> None:
    """The marketplace moves its own stock for an order; syncd re-sends the absolute value
    even when its desired value did not change (e.g. clamped at 0, or under a cap)."""
    nastar = next(x.id for x in catalog.list_listings(store, tenant.id) if x.sku == "NASTAR-500")
    with store.write():
        outbox.set_known(store, nastar, "stock", 20)
    assert all(p.listing_id != nastar for p in outbox.pending(store, shop, "stock"))
    feed(store, tenant, shop, order("cancelled", oid="Z9"))  # seen only cancelled: no stock
    assert stock(store, tenant) == (20, 0)
    assert all(p.listing_id != nastar for p in outbox.pending(store, shop, "stock"))
    feed(store, tenant, shop, order("open", oid="Z8"))
    again = next(p for p in outbox.pending(store, shop, "stock") if p.listing_id == nastar)
    assert again.sent_value is None
    assert again.correlation_id == f"ord:{shop}:Z8"


def _known(store: Store, listing: int) -> tuple[int | None, str]:
    row = store.conn.execute(
        "SELECT sent_value, status FROM outbox WHERE listing_id = ? AND field = 'stock'",
        (listing,),
    ).fetchone()
    return row[0], row[1]


@pytest.mark.parametrize("follows", [True, False])
def test_shipping_a_reserved_order_leaves_the_shown_value_known_only_where_documented(
    store: Store, tenant: Tenant, shop: int, follows: bool
) -> None:
    """Where the marketplace documents that its stock follows its orders at once (Lazada,
    Shopify), reserved → deducted moves nothing buyers see: no re-send when an order
    ships. Where it does not (Shopee, TikTok: §9 "when total_available_stock drops";
    WooCommerce reduces at payment, §4.3), any step may have moved it: sent again."""
    nastar = next(x.id for x in catalog.list_listings(store, tenant.id) if x.sku == "NASTAR-500")
    feed(store, tenant, shop, order("open"), follows=follows)
    with store.write():
        outbox.set_known(store, nastar, "stock", 18)
    assert _known(store, nastar) == (18, "synced")
    feed(store, tenant, shop, order("shipped", minutes=5), follows=follows)
    assert stock(store, tenant) == (18, 0)
    assert _known(store, nastar) == ((18, "synced") if follows else (None, "pending"))


def test_where_the_marketplace_follows_its_orders_the_known_value_moves_with_them(
    store: Store, tenant: Tenant, shop: int
) -> None:
    """Lazada documents that ordered units leave sellable at once (§2.5): after its own
    order the channel already shows the new value, so nothing is re-sent; a cancellation
    brings both back; a value syncd never knew stays to be sent."""
    nastar = next(x.id for x in catalog.list_listings(store, tenant.id) if x.sku == "NASTAR-500")
    kopi = next(x.id for x in catalog.list_listings(store, tenant.id) if x.sku == "KOPI-250")
    with store.write():
        outbox.set_known(store, nastar, "stock", 20)
    feed(store, tenant, shop, order("open", qty=3), follows=True)
    assert _known(store, nastar) == (17, "synced")
    feed(store, tenant, shop, order("cancelled", qty=3, minutes=2), follows=True)
    assert stock(store, tenant) == (20, 0)
    assert _known(store, nastar) == (20, "synced")
    feed(store, tenant, shop, order("open", oid="K1", item="20", qty=1), follows=True)
    assert _known(store, kopi) == (None, "pending")


def test_a_line_read_under_another_id_is_the_same_line(
    store: Store, tenant: Tenant, shop: int
) -> None:
    """Fault suite: one answer gave a line the id ``1000000000000:0`` (a spoiled
    ``order_item_id``), the next its real id; the units were reserved twice. A new line
    id with the listing and units of a stored line missing from the read is that line."""
    spoiled = RemoteOrder(
        "A1", "UNPAID", "open", T0, T0, (OrderLine("1000000000000:0", "10", "", None, 2),)
    )
    honest = RemoteOrder(
        "A1",
        "UNPAID",
        "open",
        T0,
        T0 + dt.timedelta(minutes=1),
        (OrderLine("10:0", "10", "", None, 2),),
    )
    feed(store, tenant, shop, spoiled)
    feed(store, tenant, shop, honest)
    assert stock(store, tenant) == (20, 2)  # reserved once
    assert [r[1] for r in orders.lines_of(store, shop)] == ["10:0"]
    shipped = RemoteOrder(
        "A1", "SHIPPED", "shipped", T0, T0 + dt.timedelta(minutes=2), honest.lines
    )
    feed(store, tenant, shop, shipped)
    assert stock(store, tenant) == (18, 0)


def test_two_lines_of_the_same_listing_stay_two(store: Store, tenant: Tenant, shop: int) -> None:
    """Lines of the same item and units that are all in the read are never merged."""
    both = RemoteOrder(
        "A2",
        "UNPAID",
        "open",
        T0,
        T0,
        (OrderLine("10:0", "10", "", None, 1), OrderLine("10:0#2", "10", "", None, 1)),
    )
    feed(store, tenant, shop, both)
    feed(store, tenant, shop, dataclasses.replace(both, updated_at=T0 + dt.timedelta(minutes=1)))
    assert stock(store, tenant) == (20, 2)
