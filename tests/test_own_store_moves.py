"""A marketplace that does not document when its own stock moves for an order
(``own_stock_follows_orders`` False) may move it at any status step, not only when the
order is placed or cancelled. WooCommerce core reduces its stock when an order is paid
(pending → processing/on-hold, §4.3): syncd had reserved the units at pending, pushed
that, and then treated the payment as moving nothing, so the store showed the units
twice taken until something else changed the product (found by the demo: KASTENGEL-500
wanted 0, shown -1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd import catalog, ledger, sync
from tests.contract.harness_woocommerce import WooHarness
from tests.contract.test_contract import MASTER, World, build_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world("woocommerce", tmp_path)
    yield w
    w.close()


@pytest.mark.parametrize("paid", ["processing", "on-hold", "completed"])
def test_a_pending_order_paid_later_leaves_the_store_showing_what_syncd_wants(
    world: World, paid: str
) -> None:
    h: WooHarness = world.harness
    h.seed()
    sync.discover(world.store, world.rt)
    sync.push(world.store, world.rt)
    x = world.listing("KOPI-250")
    order = h.place_order(x.item_id, x.variant_id, 2)  # pending: core moves nothing
    assert order is not None
    h.advance(5)
    sync.push(world.store, world.rt)  # syncd reserves 2 and pushes that
    assert h.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"] - 2
    h.advance(5)
    h.sim.set_status(int(order), paid)  # paid: core reduces its own stock by 2 now
    assert h.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"] - 4  # twice taken
    h.advance(5)
    sync.push(world.store, world.rt)  # pull (the payment), then push
    sku = catalog.get_sku(world.store, world.tenant.id, "KOPI-250")
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (MASTER["KOPI-250"] - 2, 0)
    assert h.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"] - 2
