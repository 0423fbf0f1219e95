"""What a pull costs once a shop's webhooks arrive (issue 14: calls grow with orders,
not with shops).

- A push to such a shop skips its pull first when no delivery for it waits in the
  inbox: its news comes as webhooks, a lost one is caught by the safety-net poll. A
  shop whose webhooks do not arrive still pulls before every push.
- Returns are read at the routine polls, not at the pulls a webhook wakes.

The world: Bu Sri's catalogue on the demo's Shopee and TikTok shops (real HTTP on
127.0.0.1), the daemon running in this process with polls an hour apart, so every
order read within the test comes from a push or a wake.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from syncd import inventory, market
from syncd.daemon import Daemon, Intervals
from syncd.lanes import PRIORITY
from syncd.store import Store
from tests.daemonkit import demo_world, wait_until

ORDER_LIST = {"shopee": "/api/v2/order/get_order_list", "tokopedia": "/order/202309/orders/search"}
RETURNS = "/api/v2/returns/get_return_list"


@dataclass
class World:
    store: Store
    tenant_id: int
    market: market.Market
    daemon: Daemon
    ids: dict[str, int]


def _hook(store: Store, marketplace: str) -> None:
    """The shop's webhooks arrive (one was accepted a moment ago)."""
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    with store.write():
        store.conn.execute(
            "UPDATE channel_account SET webhooks_at = ? WHERE marketplace = ?",
            (stamp, marketplace),
        )


@pytest.fixture
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    hooked: tuple[str, ...] = getattr(request, "param", ("shopee", "tiktok"))
    shops = tuple(dict.fromkeys(("shopee", "tiktok", *hooked)))

    def hook(store: Store, _shops: market.Market) -> None:
        for m in hooked:
            _hook(store, m)

    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(timespec="milliseconds")
    with demo_world(
        tmp_path,
        seed=11,
        marketplaces=shops,
        intervals=Intervals(push=0.2, pull=3600, safety_net=3600, refresh=3600, reconcile=3600),
        before_start=hook,
    ) as base:
        ids = {
            str(r["marketplace"]): int(r["id"])
            for r in base.store.all("SELECT id, marketplace FROM channel_account")
        }
        wait_until(
            "the first pushes",
            lambda: market.settled(base.store, base.tenant_id, base.market, since),
        )
        yield World(base.store, base.tenant_id, base.market, base.daemon, ids)


def _calls(w: World, shop: str, path: str) -> int:
    sim = w.market.shop(shop).sim
    return sum(n for (_, p), n in list(sim.calls.items()) if p == path)


def _sell(w: World, sku: str, key: str) -> None:
    inventory.record_offline_sale(
        w.store, w.tenant_id, [(1, sku)], channel="cash", key=key, actor="t"
    )


def _shown(w: World, shop: str, sku: str) -> int:
    s = w.market.shop(shop)
    _, item, variant = next(x for x in s.listings if x[0] == sku)
    return int(s.shown(item, variant))


def _settle(w: World) -> None:
    wait_until(
        "the outbox to empty",
        lambda: (
            not w.store.scalar("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'failed')")
        ),
    )
    assert w.daemon.wait_idle(10)


def test_a_push_to_a_shop_whose_webhooks_arrive_does_not_read_its_orders_first(
    world: World,
) -> None:
    w = world
    _settle(w)
    before = {s: _calls(w, s, p) for s, p in ORDER_LIST.items()}
    shown = _shown(w, "tokopedia", "KOPI-250")
    _sell(w, "KOPI-250", "cash-1")
    wait_until("TikTok to show the sale", lambda: _shown(w, "tokopedia", "KOPI-250") == shown - 1)
    _settle(w)
    assert {s: _calls(w, s, p) for s, p in ORDER_LIST.items()} == before

    # a delivery waiting for the Shopee shop: its next push reads the orders first
    with w.store.write():
        w.store.conn.execute(
            "INSERT INTO webhook_inbox (marketplace, event_id, tenant_id, channel_account_id, "
            "received_at, body, processed_at) VALUES ('shopee', 'e1', ?, ?, ?, x'7b7d', NULL)",
            (w.tenant_id, w.ids["shopee"], dt.datetime.now(dt.UTC).isoformat()),
        )
    _sell(w, "KOPI-250", "cash-2")
    _settle(w)
    assert _calls(w, "shopee", ORDER_LIST["shopee"]) > before["shopee"]


@pytest.mark.parametrize("world", [("tiktok",)], indirect=True)
def test_a_shop_whose_webhooks_do_not_arrive_still_pulls_before_every_push(
    world: World,
) -> None:
    w = world
    _settle(w)
    before = {s: _calls(w, s, p) for s, p in ORDER_LIST.items()}
    _sell(w, "KOPI-250", "cash-1")
    _settle(w)
    assert _calls(w, "shopee", ORDER_LIST["shopee"]) > before["shopee"]  # not hooked
    assert _calls(w, "tokopedia", ORDER_LIST["tokopedia"]) == before["tokopedia"]


def test_returns_are_read_at_routine_polls_not_at_webhook_pulls(world: World) -> None:
    w = world
    _settle(w)
    orders, returns = _calls(w, "shopee", ORDER_LIST["shopee"]), _calls(w, "shopee", RETURNS)
    w.daemon.wake(w.ids["shopee"], "webhook")
    wait_until("the woken pull", lambda: _calls(w, "shopee", ORDER_LIST["shopee"]) > orders)
    assert w.daemon.wait_idle(10)
    assert _calls(w, "shopee", RETURNS) == returns
    w.daemon.submit("pull", w.ids["shopee"], PRIORITY["pull"])  # the routine poll
    wait_until("the routine poll's returns", lambda: _calls(w, "shopee", RETURNS) > returns)


def test_the_safety_net_counts_from_the_last_pull_a_webhook_woke(tmp_path: Path) -> None:
    """A hooked shop pulled by its webhooks more often than the safety net needs no
    routine poll on top (the woken pulls read the same orders); once the webhooks stop,
    the safety net polls again within its interval."""
    net = 1.0
    with demo_world(
        tmp_path,
        seed=12,
        marketplaces=("shopee",),
        intervals=Intervals(
            push=0.2, pull=net, safety_net=net, returns=3600, refresh=3600, reconcile=3600
        ),
        before_start=lambda store, _shops: _hook(store, "shopee"),
    ) as base:
        shop = base.market.shop("shopee").sim
        account = int(base.store.scalar("SELECT id FROM channel_account"))

        def calls(path: str) -> int:
            return sum(n for (_, p), n in list(shop.calls.items()) if p == path)

        wait_until("the first routine poll's returns", lambda: calls(RETURNS) > 0)
        returns, wakes = calls(RETURNS), 0
        for _ in range(12):  # a delivery every 0.25 s for 3 s: three safety nets' worth
            before = calls(ORDER_LIST["shopee"])
            base.daemon.wake(account, "webhook")
            wait_until("the woken pull", lambda b=before: calls(ORDER_LIST["shopee"]) > b)
            wakes += 1
            time.sleep(0.25)
        assert calls(RETURNS) == returns, "a routine poll ran although woken pulls covered it"
        quiet = calls(ORDER_LIST["shopee"])
        wait_until(  # no delivery now: the net polls within its interval (and a bit)
            "the safety-net poll after the last woken pull",
            lambda: calls(ORDER_LIST["shopee"]) > quiet,
            timeout=net * 3,
        )
        assert wakes == 12

        # returns are listed apart: a routine poll still reads them every ``returns``
        base.daemon.intervals = dataclasses.replace(base.daemon.intervals, returns=0.5)
        returns = calls(RETURNS)
        for _ in range(8):
            base.daemon.wake(account, "webhook")
            time.sleep(0.25)
        assert calls(RETURNS) > returns


@pytest.mark.parametrize("hooked", [True, False], ids=["hooked", "polled"])
def test_a_shops_routine_polls_read_its_return_list_only_every_returns(
    tmp_path: Path, hooked: bool
) -> None:
    """Each routine poll (a hooked shop's safety net, a polled shop's poll) reads the
    orders; the return list only once per ``returns``: returns restock after
    inspection, and at 1,000 members a return list read at every poll was a third of
    the daemon's calls."""
    with demo_world(
        tmp_path,
        seed=13,
        marketplaces=("shopee",),
        intervals=Intervals(
            push=0.2, pull=0.3, safety_net=0.3, returns=3600, refresh=3600, reconcile=3600
        ),
        before_start=lambda store, _shops: _hook(store, "shopee") if hooked else None,
    ) as base:
        shop = base.market.shop("shopee").sim

        def calls(path: str) -> int:
            return sum(n for (_, p), n in list(shop.calls.items()) if p == path)

        wait_until("the first routine poll's returns", lambda: calls(RETURNS) > 0)
        orders = calls(ORDER_LIST["shopee"])
        wait_until("three more safety-net polls", lambda: calls(ORDER_LIST["shopee"]) >= orders + 3)
        assert calls(RETURNS) == 1


ORDER_DETAIL = "/api/v2/order/get_order_detail"


def _deliver(w: World, event: str, body: bytes, marketplace: str = "shopee") -> None:
    """A delivery the receiver accepted (signatures: tests/test_webhooks.py)."""
    with w.store.write():
        w.store.conn.execute(
            "INSERT INTO webhook_inbox (marketplace, event_id, tenant_id, channel_account_id, "
            "received_at, body, processed_at) VALUES (?, ?, ?, ?, ?, ?, NULL)",
            (
                marketplace,
                event,
                w.tenant_id,
                w.ids[marketplace],
                dt.datetime.now(dt.UTC).isoformat(),
                body,
            ),
        )


def _order_push(w: World, order_sn: str) -> bytes:
    shop_id = 1  # the inbox row names the account already
    return json.dumps(
        {
            "data": {"ordersn": order_sn, "status": "UNPAID", "update_time": int(time.time())},
            "shop_id": shop_id,
            "code": 3,
            "timestamp": int(time.time()),
        }
    ).encode()


def _walked(w: World, shop: str = "shopee", path: str = ORDER_LIST["shopee"]) -> None:
    """The shop's order list walked once (a wake without names): the safety net counts
    from there."""
    lists = _calls(w, shop, path)
    w.daemon.wake(w.ids[shop], "webhook")
    wait_until("the list walk", lambda: _calls(w, shop, path) > lists)
    assert w.daemon.wait_idle(10)


def _buy_on_shopee(w: World, sku: str) -> str:
    shop = w.market.shop("shopee")
    _, item, variant = next(x for x in shop.listings if x[0] == sku)
    order = shop.place(item, variant, 1, random.Random(1))  # noqa: S311 - a test buyer
    assert order is not None
    return order


def test_an_order_push_that_names_its_order_is_read_with_one_call(world: World) -> None:
    """Shopee's order push names the order: the woken pull reads that order alone
    (get_order_detail, one call) instead of walking the list (two calls); the order it
    read, not the push's body, moves the stock, and TikTok shows the sale."""
    w = world
    _settle(w)
    _walked(w)
    lists, details = _calls(w, "shopee", ORDER_LIST["shopee"]), _calls(w, "shopee", ORDER_DETAIL)
    shown = _shown(w, "tokopedia", "KOPI-250")
    order = _buy_on_shopee(w, "KOPI-250")
    _deliver(w, f"sp:{order}", _order_push(w, order))
    wait_until("TikTok to show the sale", lambda: _shown(w, "tokopedia", "KOPI-250") == shown - 1)
    _settle(w)
    assert _calls(w, "shopee", ORDER_DETAIL) == details + 1
    assert _calls(w, "shopee", ORDER_LIST["shopee"]) == lists  # the list was not walked
    assert w.daemon.counts["named_reads"] == 1
    line = w.store.one(
        "SELECT qty, state FROM order_line WHERE channel_account_id = ? AND order_id = ?",
        (w.ids["shopee"], order),
    )
    assert (line["qty"], line["state"]) == (1, "open")
    # the list's cursor stayed: the safety-net poll walks from where the last walk ended,
    # and the order it lists again (unchanged) costs no second detail read
    w.daemon.submit("pull", w.ids["shopee"], PRIORITY["pull"])
    wait_until("the routine poll", lambda: _calls(w, "shopee", ORDER_LIST["shopee"]) > lists)
    assert w.daemon.wait_idle(10)
    assert _calls(w, "shopee", ORDER_DETAIL) == details + 1
    moved = w.store.scalar("SELECT COUNT(*) FROM movement WHERE idem_key LIKE ?", (f"%{order}%",))
    assert moved == 1  # read twice (detail, then the list), moved once


def test_news_that_names_no_order_still_walks_the_list(world: World) -> None:
    """A delivery without an order to name (another push code) beside one that names
    its order: the woken pull walks the list, which finds both."""
    w = world
    _settle(w)
    _walked(w)
    lists = _calls(w, "shopee", ORDER_LIST["shopee"])
    shown = _shown(w, "tokopedia", "KOPI-250")
    order = _buy_on_shopee(w, "KOPI-250")
    with w.daemon._work:  # both rows in one drain: hold the workers' lock while they land
        _deliver(w, "sp:other", b'{"code": 12, "shop_id": 1, "data": {}}')
        _deliver(w, f"sp:{order}", _order_push(w, order))
    wait_until("TikTok to show the sale", lambda: _shown(w, "tokopedia", "KOPI-250") == shown - 1)
    _settle(w)
    assert _calls(w, "shopee", ORDER_LIST["shopee"]) > lists
    assert w.daemon.counts["named_reads"] == 0


def test_a_named_order_waits_for_the_list_when_the_safety_net_is_due(world: World) -> None:
    """The shop's last walk of its list is older than the safety net: the woken pull
    walks the list (the routine poll it stands for is due), names or not."""
    w = world
    _settle(w)
    _walked(w)
    lists = _calls(w, "shopee", ORDER_LIST["shopee"])
    w.daemon.intervals = dataclasses.replace(w.daemon.intervals, safety_net=0.0, pull=0.0)
    order = _buy_on_shopee(w, "KOPI-250")
    w.daemon.wake(w.ids["shopee"], "webhook", (order,))
    wait_until("the list walk", lambda: _calls(w, "shopee", ORDER_LIST["shopee"]) > lists)
    assert w.daemon.counts["named_reads"] == 0


LAZADA_LIST, LAZADA_ITEMS = "/rest/orders/get", "/rest/orders/items/get"


def _lazada_push(order_id: str, line: int, status: str) -> bytes:
    """A trade order message (§2.6, type 0) as the simulator signs and sends it."""
    return json.dumps(
        {
            "seller_id": "1",
            "message_type": 0,
            "data": {
                "order_status": status,
                "trade_order_id": order_id,
                "trade_order_line_id": str(line),
                "status_update_time": int(time.time()),
            },
            "timestamp": int(time.time() * 1000),
            "site": "lazada_id",
        }
    ).encode()


@pytest.mark.parametrize("world", [("shopee", "tiktok", "lazada")], indirect=True)
def test_a_lazada_order_push_is_read_with_one_items_call(world: World) -> None:
    """Lazada's trade order message names its order (``trade_order_id``): the woken pull
    reads that order's unit rows alone (``/orders/items/get``, one call) instead of the
    list and then its rows (two calls). The rows, not the message, move the stock; the
    next walk of the list sees the order as read (same ``updated_at``, statuses and
    units) and reads no rows for it again."""
    w = world
    _settle(w)
    _walked(w, "lazada", LAZADA_LIST)
    lists, rows = _calls(w, "lazada", LAZADA_LIST), _calls(w, "lazada", LAZADA_ITEMS)
    shown = _shown(w, "tokopedia", "KOPI-250")
    shop = w.market.shop("lazada")
    _, item, variant = next(x for x in shop.listings if x[0] == "KOPI-250")
    order = shop.place(item, variant, 2, random.Random(1))  # noqa: S311 - a test buyer
    assert order is not None
    time.sleep(2.1)  # past updated_at's second: a later walk may trust its own read
    _deliver(w, f"lz:{order}", _lazada_push(order, 1, "unpaid"), "lazada")
    wait_until("TikTok to show the sale", lambda: _shown(w, "tokopedia", "KOPI-250") == shown - 2)
    _settle(w)
    assert _calls(w, "lazada", LAZADA_ITEMS) == rows + 1
    assert _calls(w, "lazada", LAZADA_LIST) == lists  # the list was not walked
    assert w.daemon.counts["named_reads"] == 1
    lines = w.store.all(  # one row per unit (§2.4)
        "SELECT qty, state FROM order_line WHERE channel_account_id = ? AND order_id = ?",
        (w.ids["lazada"], order),
    )
    assert [(r["qty"], r["state"]) for r in lines] == [(1, "open"), (1, "open")]
    moves = "SELECT COUNT(*) FROM movement WHERE idem_key LIKE ?"
    assert w.store.scalar(moves, (f"%{order}%",)) == 2  # a reservation per unit
    w.daemon.submit("pull", w.ids["lazada"], PRIORITY["pull"])
    wait_until("the routine poll", lambda: _calls(w, "lazada", LAZADA_LIST) > lists)
    assert w.daemon.wait_idle(10)
    assert _calls(w, "lazada", LAZADA_ITEMS) == rows + 1  # listed unchanged: not read again
    assert w.store.scalar(moves, (f"%{order}%",)) == 2  # and moved nothing again


@pytest.mark.parametrize("world", [("shopee", "tiktok", "lazada")], indirect=True)
def test_a_lazada_order_the_rows_do_not_know_is_left_to_the_safety_net(world: World) -> None:
    """A message naming an order Lazada returns no rows for (a spoiled or foreign id):
    nothing is read into the ledger, nothing is set aside, and the shop keeps going."""
    w = world
    _settle(w)
    _walked(w, "lazada", LAZADA_LIST)
    rows = _calls(w, "lazada", LAZADA_ITEMS)
    w.daemon.wake(w.ids["lazada"], "webhook", ("999999999",))
    wait_until("the rows read", lambda: _calls(w, "lazada", LAZADA_ITEMS) > rows)
    assert w.daemon.wait_idle(10)
    assert w.daemon.counts["named_reads"] == 1
    assert not w.store.scalar(
        "SELECT COUNT(*) FROM order_line WHERE channel_account_id = ? AND order_id = '999999999'",
        (w.ids["lazada"],),
    )
    assert not w.store.scalar("SELECT COUNT(*) FROM event WHERE kind = 'order.set_aside'")
