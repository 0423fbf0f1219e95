"""Campaign locks (issue 12, item 2) in the core: a floor for the locked listing, a
reservation against the seller's other channels, words in ``explain``.

The marketplaces' own lock shapes (Shopee's reserved promotion stock, Lazada's
``channelInventories``, TikTok's lock codes) are tested on their simulators.
"""

from __future__ import annotations

import datetime as dt

import pytest

from syncd import availability, catalog, i18n, inventory
from syncd.catalog import Tenant
from syncd.models import ChannelIn, ListingIn, MovementIn, SkuIn
from syncd.store import Store
from tests.conftest import add_skus

START = "2026-11-01T00:00:00+00:00"


@pytest.fixture
def shops(store: Store, tenant: Tenant) -> dict[str, int]:
    add_skus(store, tenant, SkuIn(sku="NASTAR-500", name="Nastar", price=85000))
    ids = {}
    for n, name in enumerate(("shopee", "tiktok", "lazada")):
        ch = catalog.add_channel(
            store,
            tenant.id,
            ChannelIn(name=name, marketplace=name, shop_id=str(n + 1)),
            integration_start=START,
            accepted=True,
        )
        inventory.bind_listing(
            store, tenant.id, ListingIn(sku="NASTAR-500", channel=name, item_id=f"{n + 1}0")
        )
        ids[name] = ch.id
    inventory.record(
        store,
        tenant.id,
        [MovementIn(sku="NASTAR-500", kind="receipt", qty=6, key="r", source="t", actor="t")],
    )
    return ids


def _desired(store: Store, tenant: Tenant) -> dict[str, int]:
    names = {c.id: c.name for c in catalog.list_channels(store, tenant.id)}
    chan = dict(store.conn.execute("SELECT id, channel_account_id FROM listing").fetchall())
    return {names[chan[lid]]: qty for lid, qty, _ in availability.desired_all(store, tenant.id)}


def _lock(
    store: Store, tenant: Tenant, channel_id: int, units: int, until: dt.datetime | None
) -> None:
    listing = int(
        store.scalar("SELECT id FROM listing WHERE channel_account_id = ?", (channel_id,))
    )
    with inventory.change(store, tenant.id) as work:
        changed = catalog.record_shown(
            store, listing, units, locked=units, locked_until=until, lock_reason="12.12"
        )
        assert changed
        work.touch(None)


def test_a_lock_is_a_floor_here_and_taken_from_the_others(
    store: Store, tenant: Tenant, shops: dict[str, int]
) -> None:
    assert _desired(store, tenant) == {"shopee": 6, "tiktok": 6, "lazada": 6}
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    _lock(store, tenant, shops["shopee"], 5, until)
    assert _desired(store, tenant) == {"shopee": 6, "tiktok": 1, "lazada": 1}
    inventory.record(  # three sold at the door: fewer than the lock remain
        store,
        tenant.id,
        [
            MovementIn(
                sku="NASTAR-500", kind="offline_sale", qty=3, key="c", source="cash", actor="t"
            )
        ],
    )
    desired = _desired(store, tenant)
    assert desired["shopee"] == 5  # never sent below the lock (the marketplace refuses it)
    assert desired["tiktok"] == desired["lazada"] == 0
    pending = store.all(
        "SELECT l.channel_account_id, o.desired FROM outbox o "
        "JOIN listing l ON l.id = o.listing_id WHERE o.field = 'stock'"
    )
    assert {r["channel_account_id"]: r["desired"] for r in pending}[shops["tiktok"]] == 0


def test_explain_names_the_lock(store: Store, tenant: Tenant, shops: dict[str, int]) -> None:
    _lock(store, tenant, shops["shopee"], 5, dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    i18n.set_lang("en")
    try:
        text = "\n".join(availability.explain(store, tenant.id, "NASTAR-500"))
    finally:
        i18n.set_lang(None)
    assert "campaign lock 5 until" in text
    assert "(12.12)" in text
    assert "5 unit(s) locked by a campaign on shopee: not shown here" in text


def test_an_ended_campaign_frees_its_units(
    store: Store, tenant: Tenant, shops: dict[str, int]
) -> None:
    _lock(store, tenant, shops["lazada"], 4, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    assert _desired(store, tenant) == {"shopee": 6, "tiktok": 6, "lazada": 6}
    _lock(store, tenant, shops["lazada"], 4, None)  # no end told: in force until read again
    assert _desired(store, tenant) == {"shopee": 2, "tiktok": 2, "lazada": 6}
