"""Returns on every adapter (issue 12, item 1), on its simulator.

A buyer's return moves stock only when the goods are back and sellable: by the
tenant's policy at once (``auto``), or when the seller says so (``inspect``:
``returns.receive``), or never (``--damaged``). Each return counts once, however
often and in whatever order its marketplace tells of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import adapters
from syncd import catalog, ledger, returns, sync
from tests.contract.test_contract import MASTER, World, build_world

SKU = "NASTAR-500"


@pytest.fixture(params=sorted(adapters.available()))
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    w = build_world(request.param, tmp_path)
    yield w
    w.close()


def _balance(world: World) -> int:
    sku = catalog.get_sku(world.store, world.tenant.id, SKU)
    return ledger.balance(world.store, world.tenant.id, sku.id)[0]


def _shipped_order(world: World, qty: int = 2, *, pull: bool = True) -> str:
    h = world.harness
    h.seed()
    sync.discover(world.store, world.rt)
    sync.push(world.store, world.rt)
    x = world.listing(SKU)
    order = h.place_order(x.item_id, x.variant_id, qty)
    assert order is not None
    h.advance(2)
    h.set_state(order, "shipped")
    if pull:
        h.advance(2)
        sync.pull_orders(world.store, world.rt)
        assert _balance(world) == MASTER[SKU] - qty
    return str(order)


def _pull(world: World, times: int = 1) -> None:
    for _ in range(times):
        world.harness.advance(2)
        sync.pull_orders(world.store, world.rt)


def _lines(world: World, order: str) -> list[tuple[str, str]]:
    return [
        (r["state"], r["disposition"])
        for r in returns.listing(world.store, world.tenant.id)
        if r["order_id"] == order
    ]


def test_a_completed_return_restocks_once(world: World) -> None:
    h = world.harness
    order = _shipped_order(world)
    handle = h.request_return(order, 1)
    _pull(world)
    assert _balance(world) == MASTER[SKU] - 2  # asked for: the goods are not back yet
    h.complete_return(handle)
    _pull(world, times=3)  # the overlap reads it again: a duplicate counts once
    assert _balance(world) == MASTER[SKU] - 1
    assert {d for _, d in _lines(world, order)} == {"restocked"}
    sync.push(world.store, world.rt)
    x = world.listing(SKU)
    assert h.shown(x.item_id, x.variant_id) == MASTER[SKU] - 1


def test_inspect_policy_waits_for_the_seller(world: World) -> None:
    returns.set_policy(world.store, world.tenant.id, "inspect")
    h = world.harness
    order = _shipped_order(world)
    h.complete_return(h.request_return(order, 2))
    _pull(world, times=2)
    assert _balance(world) == MASTER[SKU] - 2
    assert {d for _, d in _lines(world, order)} == {"waiting"}
    assert returns.waiting(world.store, world.tenant.id) >= 1
    done = returns.receive(world.store, world.tenant.id, order, actor="bu-sri")
    assert done.restocked == 2
    assert _balance(world) == MASTER[SKU]
    again = returns.receive(world.store, world.tenant.id, order, actor="bu-sri")
    assert again.lines == 0
    assert again.restocked == 0
    _pull(world, times=2)
    assert _balance(world) == MASTER[SKU]


def test_a_damaged_return_never_restocks(world: World) -> None:
    returns.set_policy(world.store, world.tenant.id, "inspect")
    h = world.harness
    order = _shipped_order(world)
    h.complete_return(h.request_return(order, 1))
    _pull(world)
    done = returns.receive(world.store, world.tenant.id, order, damaged=True, actor="bu-sri")
    assert done.damaged == 1
    assert done.restocked == 0
    returns.set_policy(world.store, world.tenant.id, "auto")
    _pull(world, times=2)
    assert _balance(world) == MASTER[SKU] - 2
    assert {d for _, d in _lines(world, order)} == {"damaged"}


def test_a_closed_return_moves_nothing(world: World) -> None:
    h = world.harness
    order = _shipped_order(world)
    handle = h.request_return(order, 1)
    _pull(world)
    h.close_return(handle)
    _pull(world, times=2)
    assert _balance(world) == MASTER[SKU] - 2
    assert {d for _, d in _lines(world, order)} <= {"none"}


def test_a_return_seen_with_or_before_its_order_counts_once(world: World) -> None:
    """The order, its shipping and its completed return all happen before syncd's first
    pull: the order is deducted and the return restocked, once each."""
    h = world.harness
    order = _shipped_order(world, pull=False)
    h.complete_return(h.request_return(order, 1))
    _pull(world, times=3)
    assert _balance(world) == MASTER[SKU] - 1
