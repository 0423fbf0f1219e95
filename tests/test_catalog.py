"""Tenants, SKUs, bundles, channels and listings."""

from __future__ import annotations

import pytest

from syncd import catalog, inventory
from syncd.catalog import Tenant
from syncd.errors import NotFound, UserError
from syncd.models import ChannelIn, Component, ListingIn, SkuIn, parse_items
from syncd.store import Store
from tests.conftest import add_skus, expect_error

NASTAR = SkuIn(sku="NASTAR-500", name="Nastar", price=85000, product="NASTAR", variant="500 g")
KOPI = SkuIn(sku="KOPI-250", name="Kopi", price=45000)


def test_new_tenant_gets_main_location(store: Store, tenant: Tenant) -> None:
    assert catalog.location_id(store, tenant.id, "main") > 0


def test_duplicate_tenant_refused(store: Store, tenant: Tenant) -> None:
    with expect_error("tenant.exists"):
        catalog.add_tenant(store, "dapur bu sri")  # names are case-insensitive


def test_resolve_tenant(store: Store) -> None:
    with pytest.raises(NotFound):
        catalog.resolve_tenant(store, None)
    only = catalog.add_tenant(store, "A")
    assert catalog.resolve_tenant(store, None) == only
    catalog.add_tenant(store, "B")
    with pytest.raises(UserError) as info:
        catalog.resolve_tenant(store, None)
    assert info.value.key == "tenant.ambiguous"
    assert catalog.resolve_tenant(store, "b").name == "B"
    with pytest.raises(NotFound):
        catalog.resolve_tenant(store, "C")


def test_upsert_reports_created_unchanged_updated(store: Store, tenant: Tenant) -> None:
    with store.write():
        assert catalog.upsert_sku(store, tenant.id, NASTAR) == "created"
        assert catalog.upsert_sku(store, tenant.id, NASTAR) == "unchanged"
        changed = NASTAR.model_copy(update={"price": 90000})
        assert catalog.upsert_sku(store, tenant.id, changed) == "updated"
    sku = catalog.get_sku(store, tenant.id, "nastar-500")
    assert (sku.sku, sku.price, sku.product, sku.variant) == (
        "NASTAR-500",
        90000,
        "NASTAR",
        "500 g",
    )


def test_bundle_components_and_validation(store: Store, tenant: Tenant) -> None:
    add_skus(store, tenant, NASTAR, KOPI)
    hampers = SkuIn(
        sku="HAMPERS",
        name="Hampers",
        price=150000,
        components=(Component(sku="NASTAR-500", qty=2), Component(sku="KOPI-250", qty=1)),
    )
    add_skus(store, tenant, hampers)
    sku = catalog.get_sku(store, tenant.id, "HAMPERS")
    assert sku.is_bundle
    parts = {c.sku: q for c, q in catalog.bundle_components(store, sku.id)}
    assert parts == {"NASTAR-500": 2, "KOPI-250": 1}
    nested = SkuIn(sku="BIG", name="Big", price=1, components=(Component(sku="HAMPERS", qty=1),))
    with expect_error("sku.bad_component"):
        add_skus(store, tenant, nested)
    unknown = SkuIn(sku="X", name="X", price=1, components=(Component(sku="NOPE", qty=1),))
    with expect_error("sku.bad_component"):
        add_skus(store, tenant, unknown)
    assert store.scalar("SELECT COUNT(*) FROM sku WHERE sku IN ('BIG', 'X')") == 0


def test_same_sku_in_two_tenants_is_isolated(store: Store, tenant: Tenant) -> None:
    other = catalog.add_tenant(store, "Kopi Pak Budi")
    add_skus(store, tenant, NASTAR)
    add_skus(store, other, NASTAR.model_copy(update={"price": 1000}))
    assert catalog.get_sku(store, tenant.id, "NASTAR-500").price == 85000
    assert catalog.get_sku(store, other.id, "NASTAR-500").price == 1000
    with pytest.raises(NotFound):
        catalog.get_sku(store, other.id, "KOPI-250")


def test_listing_binding(store: Store, tenant: Tenant) -> None:
    add_skus(store, tenant, NASTAR, KOPI)
    catalog.add_channel(
        store, tenant.id, ChannelIn(name="shopee", marketplace="shopee", shop_id="1")
    )
    first = inventory.bind_listing(
        store, tenant.id, ListingIn(sku="NASTAR-500", channel="shopee", item_id="9", variant_id="2")
    )
    again = inventory.bind_listing(
        store, tenant.id, ListingIn(sku="NASTAR-500", channel="shopee", item_id="9", variant_id="2")
    )
    assert first.id == again.id
    with expect_error("listing.taken"):
        inventory.bind_listing(
            store,
            tenant.id,
            ListingIn(sku="KOPI-250", channel="shopee", item_id="9", variant_id="2"),
        )
    assert [(x.sku, x.item_id) for x in catalog.list_listings(store, tenant.id)] == [
        ("NASTAR-500", "9")
    ]


def test_duplicate_channel_refused(store: Store, tenant: Tenant) -> None:
    chan = ChannelIn(name="shopee", marketplace="shopee", shop_id="1")
    catalog.add_channel(store, tenant.id, chan)
    with expect_error("channel.exists"):
        catalog.add_channel(store, tenant.id, chan)


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("2xNASTAR-500 1xKOPI-250", [(2, "NASTAR-500"), (1, "KOPI-250")]),
        ("NASTAR-500", [(1, "NASTAR-500")]),
        ("2 x NASTAR-500, 3×KOPI-250", [(2, "NASTAR-500"), (3, "KOPI-250")]),
        ("2xNASTAR-500;1xKOPI-250", [(2, "NASTAR-500"), (1, "KOPI-250")]),
        ("10*X100", [(10, "X100")]),
    ],
)
def test_parse_items(text: str, items: list[tuple[int, str]]) -> None:
    assert parse_items(text) == items


@pytest.mark.parametrize("text", ["0xNASTAR", "2xNA STAR!", "-1xKOPI", ""])
def test_parse_items_rejects(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError is the contract
        parse_items(text)
