"""Rules stored in the database, explained per channel, and computed in bulk."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from syncd import availability, catalog, inventory
from syncd.catalog import Tenant
from syncd.i18n import set_lang
from syncd.models import ChannelIn, Component, ListingIn, MovementIn, SkuIn
from syncd.store import Store
from tests.conftest import add_skus, expect_error


@pytest.fixture
def shop(store: Store, tenant: Tenant) -> Tenant:
    add_skus(
        store,
        tenant,
        SkuIn(sku="NASTAR-500", name="Nastar", price=85000),
        SkuIn(sku="KOPI-250", name="Kopi", price=45000),
        SkuIn(sku="DOMPET", name="Dompet", price=175000),
        SkuIn(
            sku="HAMPERS",
            name="Hampers",
            price=150000,
            components=(Component(sku="NASTAR-500", qty=2), Component(sku="KOPI-250", qty=1)),
        ),
    )
    for name in ("shopee", "tokopedia", "lazada"):
        shop = ChannelIn(name=name, marketplace=name, shop_id=name)  # type: ignore[arg-type]
        # accepted, prices pushed: these tests are about the formulas (the notes for a
        # channel not accepted or keeping its own prices: test_explain_says_what_is_not_sent)
        catalog.add_channel(store, tenant.id, shop, accepted=True, price_sync="push")
        for sku in ("NASTAR-500", "KOPI-250", "DOMPET", "HAMPERS"):
            inventory.bind_listing(
                store, tenant.id, ListingIn(sku=sku, channel=name, item_id=f"{name}-{sku}")
            )
    moves = [
        ("NASTAR-500", "count", 12),
        ("NASTAR-500", "reservation", 3),
        ("KOPI-250", "count", 4),
        ("DOMPET", "count", 1),
    ]
    inventory.record(
        store,
        tenant.id,
        [
            MovementIn(sku=s, kind=k, qty=q, key=f"{s}-{k}", source="t", actor="t")  # type: ignore[arg-type]
            for s, k, q in moves
        ],
    )
    rule = inventory.set_rule
    rule(store, tenant.id, channel=None, sku=None, fields={"buffer": 1})
    rule(
        store,
        tenant.id,
        channel="shopee",
        sku=None,
        fields={"share_pct": Decimal(80), "markup_pct": Decimal(10), "rounding": "end900"},
    )
    rule(
        store, tenant.id, channel="lazada", sku=None, fields={"max_shown": 3, "markup_fixed": 2000}
    )
    rule(store, tenant.id, channel=None, sku="NASTAR-500", fields={"buffer": 2})
    rule(store, tenant.id, channel="tokopedia", sku="KOPI-250", fields={"zero_below": 5})
    rule(store, tenant.id, channel=None, sku="DOMPET", fields={"one_of_a_kind": True})
    return tenant


def desired(store: Store, tenant: Tenant) -> dict[tuple[str, str], tuple[int, int]]:
    names = {x.id: (x.channel, x.sku) for x in catalog.list_listings(store, tenant.id)}
    return {
        names[lid]: (qty, price) for lid, qty, price in availability.desired_all(store, tenant.id)
    }


def test_bulk_values_follow_every_layer(store: Store, shop: Tenant) -> None:
    got = desired(store, shop)
    # NASTAR: 12 − 3 reserved − 2 (SKU buffer beats the seller's 1) = 7
    assert got[("shopee", "NASTAR-500")] == (5, 93900)  # floor(80% × 7); 93,500 → …900
    assert got[("tokopedia", "NASTAR-500")] == (7, 85000)
    assert got[("lazada", "NASTAR-500")] == (3, 87000)  # capped at 3; + Rp 2,000
    # KOPI: 4 − 1 (seller buffer) = 3; tokopedia shows 0 below 5
    assert got[("tokopedia", "KOPI-250")] == (0, 45000)
    assert got[("shopee", "KOPI-250")] == (2, 49900)
    # DOMPET is one of a kind: 1 everywhere although the seller's buffer is 1
    assert {got[(c, "DOMPET")][0] for c in ("shopee", "tokopedia", "lazada")} == {1}
    # HAMPERS: min(floor(7 / 2), floor(3 / 1)) = 3; shopee 80% → 2; lazada cap 3
    assert got[("tokopedia", "HAMPERS")][0] == 3
    assert got[("shopee", "HAMPERS")][0] == 2
    assert got[("lazada", "HAMPERS")][0] == 3


def test_bulk_follows_the_ledger(store: Store, shop: Tenant) -> None:
    inventory.record_offline_sale(
        store, shop.id, [(1, "DOMPET"), (2, "NASTAR-500")], channel="cash", key="s1", actor="t"
    )
    got = desired(store, shop)
    assert {got[(c, "DOMPET")][0] for c in ("shopee", "tokopedia", "lazada")} == {0}
    assert got[("tokopedia", "NASTAR-500")][0] == 5
    assert got[("tokopedia", "HAMPERS")][0] == 2


def test_explain_agrees_with_bulk(store: Store, shop: Tenant) -> None:
    set_lang("en")
    got = desired(store, shop)
    for sku in ("NASTAR-500", "KOPI-250", "DOMPET", "HAMPERS"):
        lines = availability.explain(store, shop.id, sku)
        for channel in ("shopee", "tokopedia", "lazada"):
            line = next(x for x in lines if x.strip().startswith(f"{channel}:"))
            assert re.search(rf"[=→] {got[(channel, sku)][0]}$", line.rstrip()), (sku, line)
            price_line = lines[lines.index(line) + 1]
            price_text = price_line.split("→")[-1].split("=")[-1]
            assert f"Rp {got[(channel, sku)][1]:,}" in price_text, price_line


def test_explain_lines(store: Store, shop: Tenant) -> None:
    set_lang("en")
    lines = availability.explain(store, shop.id, "NASTAR-500")
    assert lines[0] == "NASTAR-500 (Nastar): on hand 12, reserved 3"
    assert (
        " ".join(lines[1].split()) == "lazada: min(12 on hand − 3 reserved − 2 buffer, 3 cap) = 3"
    )
    assert (
        lines[3].strip()
        == "rules: buffer 2 (SKU), cap 3 (channel lazada), extra Rp 2,000 (channel lazada)"
    )


def test_rule_validation(store: Store, shop: Tenant) -> None:
    with expect_error("rule.bad"):
        inventory.set_rule(
            store, shop.id, channel=None, sku=None, fields={"share_pct": Decimal(101)}
        )
    with expect_error("rule.bad"):  # routing without a preferred channel anywhere
        inventory.set_rule(store, shop.id, channel=None, sku="KOPI-250", fields={"last_units": 2})
    with expect_error("channel.unknown"):
        inventory.set_rule(
            store,
            shop.id,
            channel=None,
            sku=None,
            fields={"last_units": 2, "preferred_channel": "blibli"},
        )
    # nothing of the refused rules was stored
    assert all("blibli" not in text for _, text in availability.list_rules(store, shop.id))
    assert desired(store, shop)[("tokopedia", "KOPI-250")] == (0, 45000)


def test_last_units_go_to_the_preferred_channel(store: Store, shop: Tenant) -> None:
    inventory.set_rule(
        store,
        shop.id,
        channel=None,
        sku="NASTAR-500",
        fields={"last_units": 7, "preferred_channel": "tokopedia"},
    )
    got = desired(store, shop)
    assert got[("tokopedia", "NASTAR-500")][0] == 7
    assert got[("shopee", "NASTAR-500")][0] == 0
    assert got[("lazada", "NASTAR-500")][0] == 0


def test_stock_table(store: Store, shop: Tenant) -> None:
    rows = {r.sku: r for r in availability.stock_table(store, shop.id)}
    assert (
        rows["NASTAR-500"].on_hand,
        rows["NASTAR-500"].reserved,
        rows["NASTAR-500"].available,
    ) == (12, 3, 7)
    assert rows["HAMPERS"].is_bundle
    assert rows["HAMPERS"].available == 3


def test_explain_says_what_is_not_sent(store: Store, tenant: Tenant) -> None:
    """A seller reading `explain` must not think a price reaches a channel that keeps its
    own prices, nor that anything reaches one not accepted yet."""
    add_skus(store, tenant, SkuIn(sku="KOPI-250", name="Kopi", price=45000))
    shop = ChannelIn(name="shopee", marketplace="shopee", shop_id="1")
    catalog.add_channel(store, tenant.id, shop)
    inventory.bind_listing(
        store, tenant.id, ListingIn(sku="KOPI-250", channel="shopee", item_id="9")
    )
    set_lang("en")
    text = "\n".join(availability.explain(store, tenant.id, "KOPI-250"))
    assert "this price is not sent: on shopee prices are managed on the marketplace" in text
    assert "Not connected yet, so nothing is sent: shopee" in text
    with store.write():  # connected (tokens stored), not accepted yet
        store.conn.execute(
            "INSERT INTO credential (tenant_id, channel_account_id, blob, generation, "
            "access_expires_at, updated_at) VALUES (?, 1, x'00', 1, '2030-01-01', 'x')",
            (tenant.id,),
        )
    text = "\n".join(availability.explain(store, tenant.id, "KOPI-250"))
    assert "nothing is sent to shopee yet: syncd channel review shopee" in text
    catalog.accept_channel(store, tenant.id, "shopee", price_sync="push")
    text = "\n".join(availability.explain(store, tenant.id, "KOPI-250"))
    assert "not sent" not in text
