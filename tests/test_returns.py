"""The return model (``syncd.returns``) on its own: states, policies, bounds, idempotency.

The marketplaces' own return shapes are tested on their simulators
(``tests/contract/test_returns.py``, ``tests/test_returns_*.py``); here returns are fed
as the adapters hand them over, with the orders they belong to, in every order.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd import catalog, ledger, orders, returns
from syncd.adapter import OrderPage, RemoteReturn, ReturnLine, ReturnPage
from syncd.catalog import Tenant
from syncd.store import Store
from tests.test_orders import START, T0, feed, make_shop, order, shop, stock

__all__ = ["shop"]  # the fixture, shared with test_orders


def ret(
    state: str,
    *,
    rid: str = "R1",
    oid: str = "A1",
    item: str = "10",
    qty: int = 1,
    line: str = "",
    minutes: int = 10,
    restocked: bool = False,
) -> RemoteReturn:
    return RemoteReturn(
        rid,
        oid,
        state.upper(),
        state,  # type: ignore[arg-type]
        T0 + dt.timedelta(minutes=minutes),
        (ReturnLine(item, "", qty, line),),
        restocked_by_marketplace=restocked,
    )


def give(store: Store, tenant: Tenant, account: int, *items: RemoteReturn) -> returns.ReturnReport:
    return returns.ingest(store, tenant.id, account, ReturnPage(list(items), "c", more=False))


def dispositions(store: Store, tenant: Tenant) -> list[str]:
    return [r["disposition"] for r in returns.listing(store, tenant.id)]


def test_a_return_restocks_only_when_the_goods_are_back(
    store: Store, tenant: Tenant, shop: int
) -> None:
    feed(store, tenant, shop, order("shipped"))
    assert stock(store, tenant) == (18, 0)
    give(store, tenant, shop, ret("requested"))
    assert stock(store, tenant) == (18, 0)
    assert dispositions(store, tenant) == ["pending"]
    report = give(store, tenant, shop, ret("received", minutes=20))
    assert report.restocked == 1
    assert stock(store, tenant) == (19, 0)
    for late in (ret("received", minutes=20), ret("requested", minutes=5)):  # dupe, stale
        assert give(store, tenant, shop, late).ignored == 1
    assert stock(store, tenant) == (19, 0)
    assert dispositions(store, tenant) == ["restocked"]
    rows = store.all("SELECT kind, qty, source FROM movement WHERE kind = 'return'")
    assert [(r["kind"], r["qty"], r["source"]) for r in rows] == [("return", 1, "return")]


def test_a_return_seen_before_its_order_waits_for_it(
    store: Store, tenant: Tenant, shop: int
) -> None:
    give(store, tenant, shop, ret("received", qty=2))
    assert dispositions(store, tenant) == ["early"]
    feed(store, tenant, shop, order("open"))  # still open here: it has not shipped yet
    assert dispositions(store, tenant) == ["early"]
    assert stock(store, tenant) == (20, 2)
    feed(store, tenant, shop, order("shipped", minutes=5))
    assert dispositions(store, tenant) == ["restocked"]
    assert stock(store, tenant) == (20, 0)  # sold 2, both back


def test_a_return_never_puts_back_more_than_was_sold(
    store: Store, tenant: Tenant, shop: int
) -> None:
    feed(store, tenant, shop, order("shipped", qty=2))
    give(store, tenant, shop, ret("received", rid="R1", qty=2))
    give(store, tenant, shop, ret("received", rid="R2", qty=1))  # a second return: nothing left
    assert stock(store, tenant) == (20, 0)
    assert dispositions(store, tenant) == ["none", "restocked"]


def test_a_restore_after_a_return_gives_back_only_the_rest(
    store: Store, tenant: Tenant, shop: int
) -> None:
    """WooCommerce: a refund of 1 of 2 with restock, then the order cancelled (core gives
    back what is still reduced); and the other way round, a return after a restore."""
    feed(store, tenant, shop, order("shipped", qty=2))
    give(store, tenant, shop, ret("received", qty=1))
    feed(store, tenant, shop, order("returned", qty=2, minutes=30))
    assert stock(store, tenant) == (20, 0)
    give(store, tenant, shop, ret("received", rid="R2", qty=1, minutes=40))
    assert stock(store, tenant) == (20, 0)


def test_closed_and_untracked_returns_move_nothing(store: Store, tenant: Tenant, shop: int) -> None:
    feed(store, tenant, shop, order("shipped"))
    give(store, tenant, shop, ret("requested"), ret("closed", minutes=20))
    assert dispositions(store, tenant) == ["none"]
    old = order("shipped", oid="OLD", created=T0 - dt.timedelta(days=60))  # before START
    feed(store, tenant, shop, old)
    give(store, tenant, shop, ret("received", rid="R2", oid="OLD"))
    assert stock(store, tenant) == (18, 0)
    assert sorted(dispositions(store, tenant)) == ["none", "none"]


def test_a_bundle_returns_its_components(store: Store, tenant: Tenant, shop: int) -> None:
    feed(store, tenant, shop, order("shipped", item="30", qty=1))  # HAMPERS: 2 nastar + 1 kopi
    assert stock(store, tenant) == (18, 0)
    give(store, tenant, shop, ret("received", item="30"))
    assert stock(store, tenant) == (20, 0)
    assert stock(store, tenant, "KOPI-250") == (10, 0)


def test_inspect_waits_then_receive_or_damaged(store: Store, tenant: Tenant, shop: int) -> None:
    returns.set_policy(store, tenant.id, "inspect")
    feed(store, tenant, shop, order("shipped", qty=2), order("shipped", oid="B2", qty=1))
    give(store, tenant, shop, ret("received", qty=2), ret("received", rid="R2", oid="B2"))
    assert stock(store, tenant) == (17, 0)
    assert returns.waiting(store, tenant.id) == 2
    good = returns.receive(store, tenant.id, "A1", actor="bu-sri")
    assert (good.restocked, good.lines) == (2, 1)
    bad = returns.receive(store, tenant.id, "B2", damaged=True, actor="bu-sri", note="retak")
    assert (bad.damaged, bad.restocked) == (1, 0)
    assert stock(store, tenant) == (19, 0)
    assert returns.waiting(store, tenant.id) == 0
    row = store.one("SELECT disposition, decided_by, note FROM return_line WHERE order_id = 'B2'")
    assert tuple(row) == ("damaged", "bu-sri", "retak")
    assert returns.receive(store, tenant.id, "A1").lines == 0  # decided: nothing again


def test_the_seller_may_receive_goods_before_the_marketplace_says_so(
    store: Store, tenant: Tenant, shop: int
) -> None:
    feed(store, tenant, shop, order("shipped"))
    give(store, tenant, shop, ret("requested"))
    assert returns.receive(store, tenant.id, "A1", actor="bu-sri").restocked == 1
    give(store, tenant, shop, ret("received", minutes=30))  # the marketplace catches up
    assert stock(store, tenant) == (19, 0)


def test_a_return_for_an_order_not_seen_cannot_be_received(
    store: Store, tenant: Tenant, shop: int
) -> None:
    give(store, tenant, shop, ret("requested", oid="Z9"))
    done = returns.receive(store, tenant.id, "Z9")
    assert done.lines == 0
    assert done.not_ready == ["10"]


def test_bad_returns_are_set_aside_and_the_rest_applied(
    store: Store, tenant: Tenant, shop: int
) -> None:
    feed(store, tenant, shop, order("shipped"))
    bad = [
        ret("received", rid=""),
        ret("received", rid="R9", qty=0),
        RemoteReturn("R8", "A1", "X", "received", dt.datetime(2026, 1, 1), (), False),
    ]
    report = give(store, tenant, shop, *bad, ret("received"))
    assert len(report.set_aside) == 3
    assert report.restocked == 1


def test_returns_with_the_orders_share_their_transaction(
    store: Store, tenant: Tenant, shop: int
) -> None:
    page = OrderPage([order("shipped")], "c", more=False, returns=(ret("received"),))
    report = orders.ingest(store, tenant.id, shop, page, integration_start=START)
    assert report.return_report is not None
    assert report.return_report.restocked == 1
    assert stock(store, tenant) == (19, 0)  # 2 sold, 1 back


def test_a_marketplace_that_restocked_itself_is_sent_our_value_again(
    store: Store, tenant: Tenant, shop: int
) -> None:
    feed(store, tenant, shop, order("shipped"))
    with store.write():
        store.conn.execute("UPDATE outbox SET status = 'synced', sent_value = desired")
    returns.set_policy(store, tenant.id, "inspect")  # nothing moves in syncd's stock
    give(store, tenant, shop, ret("received", restocked=True))
    row = store.one(
        "SELECT o.status, o.sent_value FROM outbox o JOIN listing l ON l.id = o.listing_id "
        "WHERE l.item_id = '10' AND o.field = 'stock'"
    )
    assert tuple(row) == ("pending", None)


def test_the_policy_is_checked(store: Store, tenant: Tenant) -> None:
    assert returns.policy(store, tenant.id) == "auto"
    with pytest.raises(ValueError, match="auto, inspect"):
        returns.set_policy(store, tenant.id, "sometimes")


EVENTS = [
    ("order", "open"),
    ("order", "shipped"),
    ("return", "requested"),
    ("return", "received"),
    ("return", "received"),
]


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(range(len(EVENTS)))), st.sampled_from(["auto", "inspect"]))
def test_any_order_of_events_counts_the_return_once(
    tmp_path_factory: pytest.TempPathFactory, perm: list[int], pol: str
) -> None:
    """Whatever order the order's states and the return's arrive in (each possibly twice),
    the sale is deducted once and the return restocked once (``auto``) or not until
    received (``inspect``)."""
    store = Store(tmp_path_factory.mktemp("perm") / "t.db")
    try:
        tenant = catalog.add_tenant(store, "T")
        account = make_shop(store, tenant)
        returns.set_policy(store, tenant.id, pol)
        for i in perm:
            kind, state = EVENTS[i]
            if kind == "order":
                feed(store, tenant, account, order(state, minutes=i))
            else:
                give(store, tenant, account, ret(state, minutes=10 + i))
        feed(store, tenant, account, order("shipped", minutes=9))  # the order's last word
        want = 19 if pol == "auto" else 18
        assert stock(store, tenant) == (want, 0)
        if pol == "inspect":
            returns.receive(store, tenant.id, "A1")
            assert stock(store, tenant) == (19, 0)
        assert ledger.check(store)[0] == []
    finally:
        store.close()
