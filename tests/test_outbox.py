"""The outbox: latest value only, sequence numbers, stale acknowledgements, ordering."""

from __future__ import annotations

import pytest

from syncd import catalog, inventory, outbox
from syncd.adapter import ItemResult
from syncd.catalog import Tenant
from syncd.models import ChannelIn, ListingIn, MovementIn, SkuIn
from syncd.store import Store
from tests.conftest import add_skus


@pytest.fixture
def account(store: Store, tenant: Tenant) -> int:
    add_skus(store, tenant, *(SkuIn(sku=s, name=s, price=1000) for s in ("A", "B", "C")))
    ch = catalog.add_channel(
        store,
        tenant.id,
        ChannelIn(name="shopee", marketplace="shopee", shop_id="1"),
        accepted=True,  # the test accepts pushes from the start
        price_sync="push",
    )
    for n, sku in enumerate("ABC"):
        inventory.bind_listing(
            store, tenant.id, ListingIn(sku=sku, channel="shopee", item_id=str(n))
        )
    return ch.id


def receive(store: Store, tenant: Tenant, sku: str, qty: int, key: str) -> None:
    inventory.record(
        store,
        tenant.id,
        [
            MovementIn(
                sku=sku,
                kind="receipt" if qty > 0 else "adjustment",
                qty=qty,
                key=key,
                source="t",
                actor="t",
            )
        ],
    )


def rows(store: Store) -> dict[str, tuple[int, int, int | None, str]]:
    found = store.conn.execute(
        "SELECT s.sku, o.desired, o.seq, o.sent_value, o.status FROM outbox o "
        "JOIN listing l ON l.id = o.listing_id JOIN sku s ON s.id = l.sku_id "
        "WHERE o.field = 'stock'"
    )
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in found}


def test_only_the_latest_value_is_kept_with_a_rising_seq(
    store: Store, tenant: Tenant, account: int
) -> None:
    receive(store, tenant, "A", 5, "k1")
    first = rows(store)["A"]
    receive(store, tenant, "A", 2, "k2")
    second = rows(store)["A"]
    assert (first[0], second[0]) == (5, 7)
    assert second[1] > first[1]
    assert store.scalar("SELECT COUNT(*) FROM outbox WHERE field = 'stock'") == 3


def test_a_stale_acknowledgement_never_marks_a_newer_value_synced(
    store: Store, tenant: Tenant, account: int
) -> None:
    receive(store, tenant, "A", 5, "k1")
    in_flight = next(p for p in outbox.pending(store, account, "stock") if p.desired == 5)
    receive(store, tenant, "A", 2, "k2")  # a sale lands while the push of 5 is on the wire
    with store.write():
        outbox.record_results(store, "stock", [(in_flight, ItemResult(in_flight.listing_id, True))])
    desired, _, sent, status = rows(store)["A"]
    assert (desired, sent, status) == (7, 5, "pending")  # 7 still has to go out
    newest = next(
        p for p in outbox.pending(store, account, "stock") if p.listing_id == in_flight.listing_id
    )
    with store.write():
        outbox.record_results(store, "stock", [(newest, ItemResult(newest.listing_id, True))])
        # the old acknowledgement arrives again (a retry after a crash): ignored
        outbox.record_results(store, "stock", [(in_flight, ItemResult(in_flight.listing_id, True))])
    assert rows(store)["A"][2:] == (7, "synced")


def test_decreases_go_first(store: Store, tenant: Tenant, account: int) -> None:
    for sku in "ABC":
        receive(store, tenant, sku, 10, f"k{sku}")
    sent = outbox.pending(store, account, "stock")
    with store.write():
        outbox.record_results(store, "stock", [(p, ItemResult(p.listing_id, True)) for p in sent])
    receive(store, tenant, "A", 5, "up")  # increase
    receive(store, tenant, "C", -4, "down")  # decrease
    receive(store, tenant, "B", 1, "up2")  # increase
    order = [p.desired for p in outbox.pending(store, account, "stock")]
    assert order == [6, 15, 11]  # C's decrease first, then A and B in seq order


def test_values_the_channel_already_has_are_not_sent(
    store: Store, tenant: Tenant, account: int
) -> None:
    listing = next(x.id for x in catalog.list_listings(store, tenant.id) if x.sku == "A")
    with store.write():
        outbox.set_known(store, listing, "stock", 0)  # discovery: the channel shows 0 = desired
    assert rows(store)["A"][3] == "synced"
    receive(store, tenant, "A", 3, "k")
    assert rows(store)["A"][3] == "pending"


def test_rejected_items_are_parked_until_the_value_changes(
    store: Store, tenant: Tenant, account: int
) -> None:
    receive(store, tenant, "A", 3, "k1")
    item = next(p for p in outbox.pending(store, account, "stock") if p.desired == 3)
    with store.write():
        outbox.record_results(
            store, "stock", [(item, ItemResult(item.listing_id, False, "locked"))]
        )
    assert rows(store)["A"][3] == "parked"
    assert all(p.listing_id != item.listing_id for p in outbox.pending(store, account, "stock"))
    receive(store, tenant, "A", 1, "k2")
    assert rows(store)["A"][3] == "pending"


def test_transient_failures_retry_then_park(store: Store, tenant: Tenant, account: int) -> None:
    receive(store, tenant, "A", 3, "k1")
    for attempt in range(1, outbox.park_after + 1):
        item = next(p for p in outbox.pending(store, account, "stock") if p.desired == 3)
        with store.write():
            outbox.record_results(
                store, "stock", [(item, ItemResult(item.listing_id, False, "busy", retry=True))]
            )
        expected = "failed" if attempt < outbox.park_after else "parked"
        assert rows(store)["A"][3] == expected, attempt
