"""WooCommerce refunds as returns (issue 11 item 2, issue 12 item 1; reference §4.2-§4.3).

A refund of units is the seller's word that they came back; core restocks them in the
store when the refund asks (``api_restock``), and the tenant's return policy decides
whether they go back into syncd's stock at once or wait for inspection. A refund of
money only, and the refund core makes when an order is set to ``refunded``, return
nothing. The refunds of an order are read once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd import catalog, ledger, returns, sync
from tests.conftest import Cli
from tests.contract.harness_woocommerce import WooHarness
from tests.contract.test_contract import MASTER, World, build_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world("woocommerce", tmp_path, WooHarness)
    yield w
    w.close()


def _balance(world: World, sku: str) -> int:
    return ledger.balance(
        world.store, world.tenant.id, catalog.get_sku(world.store, world.tenant.id, sku).id
    )[0]


def _paid_order(world: World, sku: str, qty: int) -> tuple[int, int]:
    h: WooHarness = world.harness
    h.seed()
    sync.discover(world.store, world.rt)
    sync.push(world.store, world.rt)
    x = world.listing(sku)
    order = h.place_order(x.item_id, x.variant_id, qty)
    assert order is not None
    h.advance(2)
    h.sim.set_status(int(order), "processing")  # core reduces the store's stock
    h.advance(2)
    sync.pull_orders(world.store, world.rt)
    assert _balance(world, sku) == MASTER[sku] - qty
    return int(order), h.sim.line_ids(int(order))[0]


def _pull(world: World, times: int = 1) -> None:
    for _ in range(times):
        world.harness.advance(2)
        sync.pull_orders(world.store, world.rt)


def test_a_refund_with_restock_of_a_variation_returns_it_once(world: World) -> None:
    h: WooHarness = world.harness
    order, line = _paid_order(world, "NASTAR-500", 3)  # a variation of a variable product
    x = world.listing("NASTAR-500")
    assert x.variant_id
    h.sim.refund(order, [(line, 2)], restock=True)
    assert h.shown(x.item_id, x.variant_id) == MASTER["NASTAR-500"] - 1  # the store's restock
    _pull(world, times=3)
    assert _balance(world, "NASTAR-500") == MASTER["NASTAR-500"] - 1
    assert h.calls("returns") == 1  # read once, though the order is listed three times
    sync.push(world.store, world.rt)
    assert h.shown(x.item_id, x.variant_id) == MASTER["NASTAR-500"] - 1


def test_a_refund_then_a_cancel_gives_each_unit_back_once(world: World) -> None:
    """Core's cancel restores what is still reduced (``_reduced_stock``): after a refund
    of 1 of 2 with restock, the cancel gives back 1; syncd's ledger does the same."""
    h: WooHarness = world.harness
    order, line = _paid_order(world, "KOPI-250", 2)
    x = world.listing("KOPI-250")
    h.sim.refund(order, [(line, 1)], restock=True)
    _pull(world)
    assert _balance(world, "KOPI-250") == MASTER["KOPI-250"] - 1
    h.sim.set_status(order, "cancelled")
    assert h.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"]
    _pull(world, times=2)
    assert _balance(world, "KOPI-250") == MASTER["KOPI-250"]
    sync.push(world.store, world.rt)
    assert h.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"]
    assert ledger.check(world.store)[0] == []


def test_money_only_refunds_return_nothing(world: World) -> None:
    h: WooHarness = world.harness
    order, line = _paid_order(world, "KOPI-250", 2)
    h.sim.refund(order, [(line, 0)], restock=False)  # money back, goods kept by the buyer
    _pull(world)
    h.sim.set_status(order, "refunded")  # core's own refund for the rest: no line items
    _pull(world, times=2)
    assert _balance(world, "KOPI-250") == MASTER["KOPI-250"] - 2
    assert returns.listing(world.store, world.tenant.id) == []


def test_a_refund_without_restock_still_comes_back_by_policy(world: World) -> None:
    """The REST answer does not say whether a refund restocked (UNCONFIRMED, §4.3): syncd
    counts the refunded units as back and sends its own value again either way."""
    h: WooHarness = world.harness
    returns.set_policy(world.store, world.tenant.id, "inspect")
    order, line = _paid_order(world, "KOPI-250", 2)
    x = world.listing("KOPI-250")
    h.sim.refund(order, [(line, 1)], restock=False)
    _pull(world)
    assert _balance(world, "KOPI-250") == MASTER["KOPI-250"] - 2  # waiting for inspection
    returns.receive(world.store, world.tenant.id, str(order), actor="bu-sri")
    assert _balance(world, "KOPI-250") == MASTER["KOPI-250"] - 1
    sync.push(world.store, world.rt)
    assert h.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"] - 1


def test_unreadable_refunds_set_the_order_aside_until_they_read_well(world: World) -> None:
    h: WooHarness = world.harness
    order, line = _paid_order(world, "KOPI-250", 2)
    h.sim.refund(order, [(line, 1)], restock=True)
    refund = h.sim._orders[order].refunds[0]  # a plugin spoils the answer: quantity +1
    good, refund.lines[0] = refund.lines[0], (refund.lines[0][0], refund.lines[0][1], -1)
    _pull(world)
    aside = world.store.all("SELECT order_id, reason FROM quarantine WHERE state = 'open'")
    assert [r["order_id"] for r in aside] == [str(order)]
    assert "refunds" in aside[0]["reason"]
    assert _balance(world, "KOPI-250") == MASTER["KOPI-250"] - 2
    refund.lines[0] = good
    _pull(world, times=2)  # the set-aside order is read again at the next polls
    assert _balance(world, "KOPI-250") == MASTER["KOPI-250"] - 1
    assert world.store.all("SELECT 1 FROM quarantine WHERE state = 'open'") == []


def test_the_refunds_route_behaves_as_core(world: World) -> None:
    """``POST /orders/{id}/refunds``: a COD order cannot be refunded through the gateway
    (``api_refund`` must be false); more units than were sold are refused."""
    import httpx

    h: WooHarness = world.harness
    order, line = _paid_order(world, "KOPI-250", 2)
    url = f"{h.sim.base_url}/wp-json/wc/v3/orders/{order}/refunds"
    auth = (h.consumer_key, h.consumer_secret)
    body = {"line_items": [{"id": line, "quantity": 1, "refund_total": 45000}]}
    gateway = httpx.post(url, json=body, auth=auth)
    assert gateway.status_code == 500
    assert "does not support automatic refunds" in gateway.json()["message"]
    too_many = httpx.post(
        url,
        json={**body, "api_refund": False, "line_items": [{"id": line, "quantity": 3}]},
        auth=auth,
    )
    assert too_many.status_code == 400
    made = httpx.post(url, json={**body, "api_refund": False}, auth=auth)
    assert made.status_code == 201
    assert made.json()["line_items"][0]["quantity"] == -1
    listed = httpx.get(url, auth=auth).json()
    assert [r["id"] for r in listed] == [made.json()["id"]]


def test_the_seller_inspects_returns_from_the_cli(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = WooHarness()
    h.start()
    try:
        items = h.seed()
        kopi = next(i for i in items if i[0] == "KOPI-250")
        for args in (
            ["init"],
            ["tenant", "add", "Dapur Bu Sri"],
            ["product", "add", "KOPI-250", "--name", "Kopi", "--price", "45000"],
            ["stock", "set", "KOPI-250", "10", "--reason", "opname"],
            ["return", "policy", "inspect"],
        ):
            assert cli(*args).code == 0, args
        add = cli(
            "channel", "add", "toko", "--marketplace", "woocommerce", "--shop-id", h.shop_id,
            "--base-url", h.sim.base_url, "--consumer-key", h.consumer_key,
        )  # fmt: skip
        assert add.code == 0, add.err
        monkeypatch.setenv("SYNCD_PARTNER_KEY", h.consumer_secret)
        assert cli("channel", "connect", "toko").code == 0
        assert cli("channel", "discover", "toko").code == 0
        assert cli("channel", "accept", "toko").code == 0
        order = h.sim.place_order([(int(kopi[1]), 0, 3)], status="processing")
        assert order is not None
        assert cli("run", "--once").code == 0
        h.advance(2)
        h.sim.refund(order, [(h.sim.line_ids(order)[0], 2)], restock=True, reason="retur")
        for _ in range(2):  # the pull that reads the refund, then the push it causes
            assert cli("run", "--once").code == 0
        listed = cli("--lang", "en", "return", "list", "--open")
        assert str(order) in listed.out
        assert "waiting for inspection" in listed.out
        status = cli("--lang", "en", "status")
        assert "1 returned line(s) wait for inspection" in status.out
        assert h.shown(kopi[1], "") == 7  # syncd's value again, not the store's restock
        damaged = cli(
            "--lang",
            "en",
            "--actor",
            "bu-sri",
            "return",
            "receive",
            str(order),
            "--damaged",
            "--note",
            "kemasan sobek",
        )
        assert damaged.code == 0, damaged.err
        assert "2 unit(s) written off as damaged" in damaged.out
        again = cli("--lang", "en", "return", "receive", str(order))
        assert again.code == 1
        assert f"No open return for order {order}" in again.err
        assert cli("run", "--once").code == 0
        assert h.shown(kopi[1], "") == 7
        shown = cli("--lang", "en", "return", "list")
        assert "damaged, written off" in shown.out
        assert "kemasan sobek (bu-sri)" in shown.out
        policy = cli("return", "policy")  # Indonesian by default
        assert "Kebijakan retur: inspect" in policy.out
        bad = cli("--lang", "en", "return", "policy", "sometimes")
        assert bad.code == 1
        assert "auto or inspect" in bad.err
    finally:
        h.stop()
