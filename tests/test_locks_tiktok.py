"""TikTok Shop campaign locks (issue 12, item 2), on the loopback simulator.

What TikTok documents (vendor specs in ``lazykern/ecommerce-api-docs``,
``data/raw/tiktok/api-reference/products/``): Inventory Search 202309 splits a SKU's
available stock in ``total_available_inventory_distribution`` and names the units
allocated to campaigns (``campaign_inventory[]{quantity, campaign_name}``, no end time);
Update Inventory 202309 lists 12052393 "Product locked for Promotion and stock can't be
updated below current stock". UNCONFIRMED, and pinned here only as the adapter's and the
simulator's choices: where 12052393 comes (per SKU in ``data.errors[]``, or as the
answer's code: both are read), that the floor is the campaign's units, that the refusal
names no units (the adapter reads the SKU's campaigns again for them), that a campaign
leaves the distribution when it ends, and that no end time is told (``locked_until``
stays None: the lock holds until discovery reads again).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.tiktok import shapes
from adapters.tiktok.adapter import PATHS, TikTokAdapter
from adapters.tiktok.errors import is_lock
from adapters.tiktok.simulator import LOCK_CODE, LOCK_ERROR, TikTokSimulator
from syncd import availability, catalog, inventory, sync
from syncd.errors import SkippableItem
from syncd.models import ChannelIn, ListingIn, MovementIn
from tests.contract.test_contract import MASTER, World, build_world

PRODUCT, SKU_ID, SKU = "1729592969712207001", "1729592969712208012", "NASTAR-500"  # the seed
OTHER_SKU_ID = "1729592969712208011"  # NASTAR-250, same product
DAY = 86400
SEARCH = PATHS["inventory_search"]

#: The vendor's response sample of Inventory Search (inventory-search.spec.json).
VENDOR_SAMPLE = {
    "inventory": [
        {
            "product_id": "1729592969712207008",
            "skus": [
                {
                    "id": "1729388324987897824",
                    "seller_sku": "Color-Red-XM01",
                    "total_available_quantity": 100,
                    "total_committed_quantity": 10,
                    "warehouse_inventory": [
                        {
                            "warehouse_id": "7054915283043174149",
                            "available_quantity": 100,
                            "committed_quantity": 10,
                        }
                    ],
                    "total_available_inventory_distribution": {
                        "campaign_inventory": [{"quantity": 30, "campaign_name": "Big Sale"}],
                        "creator_inventory": [{"quantity": 20, "creator_name": "py001"}],
                        "in_shop_inventory": {"quantity": 50},
                    },
                }
            ],
        }
    ]
}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world("tiktok", tmp_path)
    w.harness.seed()
    yield w
    w.close()


def _sim(w: World) -> TikTokSimulator:
    sim: TikTokSimulator = w.harness.sim
    return sim


def _adapter(w: World) -> TikTokAdapter:
    assert isinstance(w.rt.adapter, TikTokAdapter)
    return w.rt.adapter


def _listing(w: World) -> tuple[int, str]:
    x = next(x for x in _adapter(w).discover() if (x.item_id, x.variant_id) == (PRODUCT, SKU_ID))
    assert x.locked_until is None  # TikTok tells no end (UNCONFIRMED when it ends)
    return x.locked, x.lock_reason


def _sell_at_door(w: World, qty: int, key: str) -> None:
    inventory.record(
        w.store,
        w.tenant.id,
        [MovementIn(sku=SKU, kind="offline_sale", qty=qty, key=key, source="cash", actor="t")],
    )


def _lock_row(w: World) -> tuple[int, str | None, str]:
    row = w.store.one(
        "SELECT locked, locked_until, lock_reason FROM listing WHERE id = ?", (w.listing(SKU).id,)
    )
    assert row is not None
    return row["locked"], row["locked_until"], row["lock_reason"]


def _writes(w: World) -> list[tuple[int | None, int | None]]:
    """(total asked, refusal code) of every stock write of the locked SKU."""
    return [(n, why) for p, s, n, why in _sim(w).writes if (p, s) == (PRODUCT, SKU_ID)]


def _second_channel(w: World) -> int:
    """Another shop of the seller selling the same SKU (no runtime: only what it is owed)."""
    ch = catalog.add_channel(
        w.store,
        w.tenant.id,
        ChannelIn(name="toko-kedua", marketplace="shopee", shop_id="99"),
        integration_start=w.harness.now().isoformat(timespec="seconds"),
        accepted=True,
    )
    inventory.bind_listing(
        w.store, w.tenant.id, ListingIn(sku=SKU, channel="toko-kedua", item_id="501")
    )
    return ch.id


def _owed(w: World, channel_id: int) -> int:
    mine = {
        r["id"]
        for r in w.store.all("SELECT id FROM listing WHERE channel_account_id = ?", (channel_id,))
    }
    return next(q for lid, q, _ in availability.desired_all(w.store, w.tenant.id) if lid in mine)


def _campaign(w: World, units: int, name: str = "12.12") -> float:
    until = _sim(w).now() + DAY
    _sim(w).start_campaign(PRODUCT, SKU_ID, units, until, name)
    return until


# ---------------------------------------------------------------- the vendor's shapes


def test_the_vendor_sample_reads_as_one_campaign_lock() -> None:
    """Campaign units are the lock; the creators' allocation is not (UNCONFIRMED)."""
    page = shapes.InventorySearch.model_validate({"data": VENDOR_SAMPLE}).data
    sku = page.inventory[0].skus[0]
    assert [(c.quantity, c.campaign_name) for c in sku.campaigns] == [(30, "Big Sale")]
    bare = shapes.InventorySku.model_validate({"id": "1"})  # no distribution: no lock
    assert bare.campaigns == []


def test_only_the_promotion_code_is_a_lock() -> None:
    assert is_lock(12052393)
    assert is_lock("12052393:promotion_lock")
    assert not is_lock("12052038:price_locked")  # a price lock is a plain refusal
    assert not is_lock(12052055)


# ---------------------------------------------------------------- the simulator


def test_the_simulator_shows_the_lock_only_in_the_inventory_search(world: World) -> None:
    sim = _sim(world)
    sim.start_campaign(PRODUCT, SKU_ID, 3, sim.now() + DAY, "Flash Sale")
    sim.start_campaign(PRODUCT, SKU_ID, 1, sim.now() + 60, "12.12")
    assert sim.locked(PRODUCT, SKU_ID) == 4
    assert sim.stock(world.harness.shop_id, PRODUCT, SKU_ID) == 5  # the whole quantity
    with pytest.raises(ValueError, match="units"):
        sim.start_campaign(PRODUCT, SKU_ID, 2, sim.now() + DAY)  # 5 units, 4 held
    adapter = _adapter(world)
    body = adapter.client.request("POST", SEARCH, json={"product_ids": [PRODUCT]})
    skus = {s["id"]: s for s in body["data"]["inventory"][0]["skus"]}
    dist = skus[SKU_ID]["total_available_inventory_distribution"]
    assert dist["campaign_inventory"] == [
        {"quantity": 3, "campaign_name": "Flash Sale"},
        {"quantity": 1, "campaign_name": "12.12"},
    ]
    assert dist["in_shop_inventory"] == {"quantity": 1}
    assert skus[SKU_ID]["total_available_quantity"] == 5
    assert skus[OTHER_SKU_ID]["total_available_inventory_distribution"]["campaign_inventory"] == []
    # sku_ids win over product_ids (the spec); the limits are the spec's
    body = adapter.client.request(
        "POST", SEARCH, json={"product_ids": [PRODUCT], "sku_ids": [OTHER_SKU_ID]}
    )
    assert [s["id"] for s in body["data"]["inventory"][0]["skus"]] == [OTHER_SKU_ID]
    with pytest.raises(SkippableItem, match="12019120"):
        adapter.client.request("POST", SEARCH, json={"product_ids": ["1"] * 101})
    sim.advance(61)  # the 12.12 unit is free
    assert sim.locked(PRODUCT, SKU_ID) == 3


def test_a_write_below_the_lock_is_refused_with_the_documented_error(world: World) -> None:
    sim = _sim(world)
    _campaign(world, 4)
    adapter = _adapter(world)
    path = PATHS["inventory_update"].format(product_id=PRODUCT)

    def write(qty: int) -> dict[str, object]:
        skus = [{"id": SKU_ID, "inventory": [{"quantity": qty}]}]
        answer: dict[str, object] = adapter.client.request("POST", path, json={"skus": skus})
        return answer

    answer = write(3)
    assert answer["code"] == 0
    assert answer["data"] == {
        "errors": [{"code": LOCK_CODE, "message": LOCK_ERROR, "detail": {"sku_id": SKU_ID}}]
    }
    assert sim.stock(world.harness.shop_id, PRODUCT, SKU_ID) == 5  # nothing applied
    assert write(4)["data"] == {}
    assert sim.stock(world.harness.shop_id, PRODUCT, SKU_ID) == 4
    sim.lock_error_in_answer = True  # the other place TikTok may put it (UNCONFIRMED)
    with pytest.raises(SkippableItem, match="12052393:promotion_lock") as refused:
        write(2)
    assert LOCK_ERROR in str(refused.value)
    assert _writes(world) == [(3, LOCK_CODE), (4, None), (2, LOCK_CODE)]


# ---------------------------------------------------------------- discovery


def test_discovery_reads_the_lock_and_frees_it_when_the_campaign_ends(world: World) -> None:
    assert _listing(world) == (0, "")
    _campaign(world, 3, "Flash Sale")
    _sim(world).start_campaign(PRODUCT, SKU_ID, 1, _sim(world).now() + 2 * DAY, "12.12")
    assert _listing(world) == (4, "Flash Sale, 12.12")
    world.harness.advance(DAY + 60)  # the flash sale is over
    assert _listing(world) == (1, "12.12")
    world.harness.advance(DAY)
    assert _listing(world) == (0, "")


def test_a_lock_that_cannot_be_read_stops_discovery(world: World) -> None:
    """Zero would free units a campaign holds: discovery fails instead (and is run again)."""
    _sim(world).inject("error_body:12019114:Seller has no permission", SEARCH)
    with pytest.raises(SkippableItem, match="12019114"):
        list(_adapter(world).discover())


# ---------------------------------------------------------------- push, with syncd's core


def test_a_known_lock_is_never_written_below_and_is_taken_from_the_other_shop(
    world: World,
) -> None:
    """A lock of 5 and 6 available: TikTok keeps ≥ 5 and never gets a lower write; the
    seller's other shop is owed at most 1."""
    _sell_at_door(world, MASTER[SKU] - 6, "door-1")  # 6 left
    other = _second_channel(world)
    assert _owed(world, other) == 6
    _campaign(world, 5)
    assert sync.discover(world.store, world.rt).bound >= 1
    assert _lock_row(world) == (5, None, "12.12")
    report = sync.push(world.store, world.rt)["stock"]
    assert (report.failed, report.locked) == (0, 0)
    assert world.harness.shown(PRODUCT, SKU_ID) >= 5
    assert _writes(world)
    assert all(n is not None and n >= 5 for n, _ in _writes(world))
    assert _owed(world, other) <= 1
    _sell_at_door(world, 4, "door-2")  # 2 left, fewer than the lock: still never below it
    report = sync.push(world.store, world.rt)["stock"]
    assert (report.failed, report.locked) == (0, 0)
    assert world.harness.shown(PRODUCT, SKU_ID) == 5
    assert all(n is not None and n >= 5 and why is None for n, why in _writes(world))
    assert _owed(world, other) == 0


@pytest.mark.parametrize("in_answer", [False, True], ids=["per-sku", "whole-answer"])
def test_a_lock_met_by_a_push_is_skipped_told_and_kept(world: World, in_answer: bool) -> None:
    """The campaign starts after discovery, then the door sells so syncd wants less than
    the lock: TikTok refuses (12052393), the push is ``locked`` (no failure, a
    ``push.locked`` event), and the lock read again is kept as the listing's floor."""
    sim = _sim(world)
    sim.lock_error_in_answer = in_answer
    sync.discover(world.store, world.rt)
    sync.push(world.store, world.rt)
    assert world.harness.shown(PRODUCT, SKU_ID) == MASTER[SKU]
    _campaign(world, 5)
    _sell_at_door(world, MASTER[SKU] - 3, "door")  # 3 left: syncd wants TikTok to show 3
    report = sync.push(world.store, world.rt)["stock"]
    assert (report.failed, report.locked) == (0, 1)
    assert _writes(world)[-1] == (3, LOCK_CODE)
    assert world.harness.shown(PRODUCT, SKU_ID) == MASTER[SKU]  # nothing applied
    event = world.store.one("SELECT sku, message, data FROM event WHERE kind = 'push.locked'")
    assert event is not None
    assert event["sku"] == SKU
    assert "12052393:promotion_lock" in event["message"]
    assert LOCK_ERROR in event["message"]
    assert json.loads(event["data"])["lock"] == 5  # read again after the refusal
    assert _lock_row(world)[0] == 5
    # the lock is a floor now: the next push sends it, and TikTok takes it
    report = sync.push(world.store, world.rt)["stock"]
    assert (report.failed, report.locked) == (0, 0)
    assert world.harness.shown(PRODUCT, SKU_ID) == 5
    assert _writes(world)[-1] == (5, None)


def test_a_refusal_whose_lock_cannot_be_read_tells_no_units(world: World) -> None:
    sync.discover(world.store, world.rt)
    sync.push(world.store, world.rt)
    _campaign(world, 5)
    _sell_at_door(world, MASTER[SKU] - 3, "door")
    _sim(world).inject("error_body:12019114:Seller has no permission", SEARCH)
    report = sync.push(world.store, world.rt)["stock"]
    assert (report.failed, report.locked) == (0, 1)
    event = world.store.one("SELECT data FROM event WHERE kind = 'push.locked'")
    assert event is not None
    assert json.loads(event["data"])["lock"] == "?"
    assert _lock_row(world)[0] == 0  # untold: discovery reads it next time


def test_after_the_campaign_ends_discovery_frees_the_lock(world: World) -> None:
    sim = _sim(world)
    _sell_at_door(world, MASTER[SKU] - 3, "door")  # 3 left
    sim.start_campaign(PRODUCT, SKU_ID, 5, sim.now() + DAY, "12.12")
    sync.discover(world.store, world.rt)
    sync.push(world.store, world.rt)
    assert _lock_row(world) == (5, None, "12.12")
    assert world.harness.shown(PRODUCT, SKU_ID) == 5
    world.harness.advance(DAY + 60)  # the campaign is over
    assert sim.locked(PRODUCT, SKU_ID) == 0
    sync.discover(world.store, world.rt)
    assert _lock_row(world) == (0, None, "")
    report = sync.push(world.store, world.rt)["stock"]
    assert (report.failed, report.locked) == (0, 0)
    assert world.harness.shown(PRODUCT, SKU_ID) == 3
    assert _writes(world)[-1] == (3, None)
