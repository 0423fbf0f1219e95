"""Read-back reconciliation on every adapter (issue 12, item 3), on its simulator.

A hand edit in the seller app is classified *edited* within one reconcile and, by the
default policy, syncd's value is sent again; a sale the marketplace already took but
syncd has not pulled is classified as such (and pulled), never as an edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

import adapters
from syncd import reconcile, sync
from tests.contract.test_contract import World, build_world

LATER = dt.timedelta(minutes=5)  # past the grace after the last push


@pytest.fixture(params=sorted(adapters.available()))
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    w = build_world(request.param, tmp_path)
    w.harness.seed()
    sync.discover(w.store, w.rt)
    sync.push(w.store, w.rt)
    yield w
    w.close()


def _run(world: World) -> reconcile.ReconcileReport:
    world.harness.advance(2)
    return reconcile.reconcile(world.store, world.rt, at=dt.datetime.now(dt.UTC) + LATER)


def test_a_settled_shop_reads_back_as_it_should(world: World) -> None:
    report = _run(world)
    assert report.differences == []
    assert report.same == report.listings > 0


def test_a_hand_edit_is_found_and_undone(world: World) -> None:
    x = world.listing("KOPI-250")
    world.harness.hand_edit(x.item_id, x.variant_id, 77)
    report = _run(world)
    assert [(d.sku, d.cls, d.shown) for d in report.differences] == [("KOPI-250", "edited", 77)]
    sync.push(world.store, world.rt)
    want = world.store.scalar(
        "SELECT desired FROM outbox WHERE listing_id = ? AND field = 'stock'", (x.id,)
    )
    assert world.harness.shown(x.item_id, x.variant_id) == want != 77


def test_a_sale_not_yet_pulled_is_not_an_edit(world: World) -> None:
    h = world.harness
    x = world.listing("NASTAR-500")
    order = h.place_order(x.item_id, x.variant_id, 2)
    assert order is not None
    h.advance(2)
    h.set_state(order, "shipped")  # every marketplace has taken its own stock by now
    report = _run(world)
    assert [(d.sku, d.cls) for d in report.differences] == [("NASTAR-500", "unpulled_sale")]
    assert report.pulled
    sync.push(world.store, world.rt)
    want = world.store.scalar(
        "SELECT desired FROM outbox WHERE listing_id = ? AND field = 'stock'", (x.id,)
    )
    assert h.shown(x.item_id, x.variant_id) == want
