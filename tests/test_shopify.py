"""Shopify (reference §5): compare-and-swap stock against a web sale, idempotent writes,
the cost throttle, both ways of authorizing, orders and their states, locations,
settings, the error table and the webhook vector."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from adapters.kit import settings_of
from adapters.shopify import webhook
from adapters.shopify.adapter import CAS_ATTEMPTS, ShopifyAdapter, order_state
from adapters.shopify.errors import classify, retry_after_of
from adapters.shopify.simulator import CLIENT_SECRET, ShopifySimulator
from syncd import catalog, inventory, ledger, sync
from syncd.adapter import AdapterContext, StockUpdate
from syncd.errors import NeedsReauth, RateLimited, RefreshAuth, Rejected, Retryable
from syncd.models import MovementIn, SkuIn
from tests.conftest import Cli
from tests.contract.harness_shopify import ShopifyHarness
from tests.contract.test_contract import MASTER, World, build_world


@dataclass
class _OAuthHarness(ShopifyHarness):
    auth: str = "oauth"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world("shopify", tmp_path, ShopifyHarness)
    yield w
    w.close()


def _sim(world: World) -> ShopifySimulator:
    return world.harness.sim  # type: ignore[no-any-return]


def _writes(world: World) -> int:
    return world.harness.calls("stock")  # type: ignore[no-any-return]


# -- compare-and-swap (§5.3, §8.1) ------------------------------------------------------


def test_a_web_sale_between_read_and_write_is_kept_not_overwritten(world: World) -> None:
    """A buyer on the web store takes a unit after syncd read the level and before its
    write lands: Shopify refuses the swap, the adapter reads again and writes its value
    moved by that sale. Overwriting would have shown one more than exists. The push is
    not called done until syncd has pulled the sale and Shopify holds syncd's number."""
    h, sim = world.harness, _sim(world)
    h.seed()
    sync.discover(world.store, world.rt)
    x = world.listing("KOPI-250")
    variant = int(x.variant_id)
    sold: list[int | None] = []
    sim.after_inventory_read = lambda: sold.append(sim.place_order([(variant, 1)]))
    before = _writes(world)
    report = sync.push(world.store, world.rt)["stock"]
    assert sold
    assert sold[0] is not None  # the web sale happened inside the push
    assert _writes(world) - before == 2  # one refused as stale, one with the new value
    assert sim.available(variant) == MASTER["KOPI-250"] - 1  # the sale is not overwritten
    assert (report.ok, report.failed) == (2, 1)  # the raced one: kept, not yet syncd's number
    status, error = world.store.conn.execute(
        "SELECT status, last_error FROM outbox WHERE listing_id = ? AND field = 'stock'", (x.id,)
    ).fetchone()
    assert status == "failed"  # to be tried again (retry), not parked
    assert "moved by -1" in error
    # the next sync pulls the sale first: master drops by one, which Shopify already shows
    sync.push(world.store, world.rt)
    sku = catalog.get_sku(world.store, world.tenant.id, "KOPI-250")
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (MASTER["KOPI-250"], 1)
    desired, status = world.store.conn.execute(
        "SELECT desired, status FROM outbox WHERE listing_id = ? AND field = 'stock'", (x.id,)
    ).fetchone()
    assert desired == MASTER["KOPI-250"] - 1 == sim.available(variant)
    assert status == "synced"


def test_without_the_swap_the_sale_would_be_overwritten(world: World) -> None:
    """The control for the test above: the same race against a blind absolute write (the
    way WooCommerce's ``stock_quantity`` works, §4.6 #3) leaves one unit too many shown."""
    h, sim = world.harness, _sim(world)
    h.seed()
    sync.discover(world.store, world.rt)
    x = world.listing("KOPI-250")
    variant = int(x.variant_id)
    item = f"gid://shopify/InventoryItem/{sim.inventory_item(variant)}"
    sim.place_order([(variant, 1)])  # a sale syncd has not seen
    blind = {
        "name": "available",
        "reason": "correction",
        "quantities": [
            {
                "inventoryItemId": item,
                "locationId": "gid://shopify/Location/1",
                "quantity": MASTER["KOPI-250"],
                "changeFromQuantity": None,  # opted out of the check
            }
        ],
    }
    mutation = (
        "mutation S($input: InventorySetQuantitiesInput!) { inventorySetQuantities("
        'input: $input) @idempotent(key: "blind-1") { userErrors { code } } }'
    )
    world.rt.adapter.client.request(  # type: ignore[union-attr]
        "POST",
        "/admin/api/2026-10/graphql.json",
        json={"query": mutation, "variables": {"input": blind}},
    )
    assert sim.available(variant) == MASTER["KOPI-250"]  # the sale's unit is shown again


def test_a_level_that_keeps_moving_is_tried_again_at_the_next_sync(world: World) -> None:
    h, sim = world.harness, _sim(world)
    h.seed()
    sync.discover(world.store, world.rt)
    x = world.listing("KOPI-250")
    variant = int(x.variant_id)

    def sell_again() -> None:  # a sale after every read of ours
        sim.place_order([(variant, 1)])
        sim.after_inventory_read = sell_again

    sim.after_inventory_read = sell_again
    update = StockUpdate(x.id, x.item_id, x.variant_id, 20, 7)
    result = world.rt.adapter.push_stock([update])  # type: ignore[union-attr]
    sim.after_inventory_read = None
    assert result[0].ok is False
    assert result[0].retry is True  # not parked: the next sync reads again
    assert "changed on Shopify" in result[0].error
    assert h.calls("stock") >= CAS_ATTEMPTS


def test_a_write_whose_answer_was_lost_is_applied_once(world: World) -> None:
    """The answer of a stock write never arrives (a timeout after Shopify applied it):
    the client sends the same request again with the same ``@idempotent`` key, and
    Shopify answers it from the first run instead of refusing the now-stale swap."""
    h, sim = world.harness, _sim(world)
    h.seed()
    sync.discover(world.store, world.rt)
    sim.timeout_hold = 3.0
    account = world.account
    rt = sync.build_runtime(
        world.store,
        world.vault,
        dataclasses.replace(account, settings={**account.settings, "timeout": 1.0}),
        now=h.now,
    )
    try:
        x = world.listing("NASTAR-250")
        h.inject("timeout", "stock")
        result = rt.adapter.push_stock(  # type: ignore[union-attr]
            [StockUpdate(x.id, x.item_id, x.variant_id, 9, 11)]
        )
    finally:
        rt.adapter.close()  # type: ignore[union-attr]
    assert result[0].ok, result[0].error
    assert h.calls("stock") == 2  # the lost answer and its resend
    assert sim.available(int(x.variant_id)) == 9


def test_an_idempotency_key_reused_with_other_values_is_refused(world: World) -> None:
    sim = _sim(world)
    world.harness.seed()
    sync.discover(world.store, world.rt)
    x = world.listing("NASTAR-250")
    item = f"gid://shopify/InventoryItem/{sim.inventory_item(int(x.variant_id))}"
    mutation = (
        "mutation S($input: InventorySetQuantitiesInput!, $key: String!) {"
        " inventorySetQuantities(input: $input) @idempotent(key: $key) {"
        " userErrors { code } } }"
    )

    def send(qty: int) -> list[dict[str, str]]:
        quantities = [
            {
                "inventoryItemId": item,
                "locationId": "gid://shopify/Location/1",
                "quantity": qty,
                "changeFromQuantity": None,
            }
        ]
        body = {"name": "available", "reason": "correction", "quantities": quantities}
        reply = world.rt.adapter.client.request(  # type: ignore[union-attr]
            "POST",
            "/admin/api/2026-10/graphql.json",
            json={"query": mutation, "variables": {"input": body, "key": "k-1"}},
        )
        return reply.body["data"]["inventorySetQuantities"]["userErrors"]  # type: ignore[no-any-return]

    assert send(7) == []
    assert send(7) == []  # the same request again: answered from the first, not re-applied
    assert send(8) == [{"code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"}]
    assert sim.available(int(x.variant_id)) == 7


def test_from_2026_04_a_stock_write_without_its_key_is_refused(world: World) -> None:
    """§5.3: ``@idempotent`` is mandatory from 2026-04 for inventory writes."""
    world.harness.seed()
    mutation = (
        "mutation S($input: InventorySetQuantitiesInput!) { inventorySetQuantities("
        "input: $input) { userErrors { code } } }"
    )
    body = {"name": "available", "reason": "correction", "quantities": []}
    with pytest.raises(Rejected, match="idempotent"):
        world.rt.adapter.client.request(  # type: ignore[union-attr]
            "POST",
            "/admin/api/2026-10/graphql.json",
            json={"query": mutation, "variables": {"input": body}},
        )


def test_a_query_naming_a_field_shopify_lacks_is_refused(world: World) -> None:
    """The simulator serves Shopify's schema: our adapter cannot drift from it unseen."""
    with pytest.raises(Rejected, match="stockQuantity"):
        world.rt.adapter.client.request(  # type: ignore[union-attr]
            "POST",
            "/admin/api/2026-10/graphql.json",
            json={"query": "{ productVariants(first: 1) { nodes { stockQuantity } } }"},
        )


# -- the cost throttle (§5.5) ---------------------------------------------------------


def test_discovery_paces_itself_on_the_cost_bucket(world: World) -> None:
    """A bucket smaller than a few pages of variants: the adapter reads
    ``throttleStatus`` from each answer and waits for the points, or takes THROTTLED's
    wait, instead of failing discovery."""
    sim = _sim(world)
    for n in range(250):
        sim.add_product(f"Produk {n}", [(f"SKU-{n}", 1000, 3)])
    sim.maximum_available = 1000.0
    sim.restore_rate = 500.0
    listings = list(world.rt.adapter.discover())  # type: ignore[union-attr]
    assert len(listings) == 250
    assert world.harness.calls("items") == 2  # 199 + 51 (997 points a page), none refused


def test_throttled_waits_what_the_bucket_needs() -> None:
    cost = {
        "requestedQueryCost": 502,
        "throttleStatus": {"maximumAvailable": 1000, "currentlyAvailable": 302, "restoreRate": 100},
    }
    assert retry_after_of(cost) == 2.0
    body = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}
    for status in (200, 429):  # §5.5: which one is disputed; both read the same
        response = httpx.Response(
            status, json={**body, "extensions": {"cost": cost}}, request=_request()
        )
        with pytest.raises(RateLimited) as info:
            classify(response)
        assert info.value.retry_after == 2.0


def _request() -> httpx.Request:
    return httpx.Request("POST", "https://toko.myshopify.com/admin/api/2026-10/graphql.json")


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (401, {"errors": "[API] Invalid API key or access token"}, RefreshAuth, "http_401"),
        (402, {"errors": "Unavailable Shop"}, NeedsReauth, "http_402"),
        (403, {"errors": "access denied"}, NeedsReauth, "http_403"),
        (423, {"errors": "This shop is unavailable"}, NeedsReauth, "http_423"),
        (503, {"errors": "busy"}, Retryable, "http_503"),
        (400, {"error": "invalid_client", "error_description": "x"}, NeedsReauth, "invalid_client"),
        (200, {"errors": [{"message": "m", "extensions": {"code": "ACCESS_DENIED"}}]}, NeedsReauth,
         "ACCESS_DENIED"),
        (200, {"errors": [{"message": "m", "extensions": {"code": "MAX_COST_EXCEEDED"}}]}, Rejected,
         "MAX_COST_EXCEEDED"),
    ],
)  # fmt: skip
def test_the_error_table(status: int, body: object, error: type[Exception], code: str) -> None:
    with pytest.raises(error) as info:
        classify(httpx.Response(status, json=body, request=_request()))
    assert info.value.code == code  # type: ignore[attr-defined]


# -- authorization (§5.2) ---------------------------------------------------------------


def test_oauth_tokens_rotate_and_a_used_refresh_token_is_refused(tmp_path: Path) -> None:
    w = build_world("shopify", tmp_path, _OAuthHarness)
    try:
        adapter = w.rt.adapter
        assert adapter is not None
        assert adapter.auth_kind == "oauth_refresh"
        link = adapter.authorization_url("https://syncd.example/cb")
        assert link.startswith(w.harness.sim.base_url + "/admin/oauth/authorize?")
        assert "client_id=" in link
        assert "write_inventory" in link
        first = w.rt.tokens
        assert first is not None
        assert first.refresh_token
        assert first.access_expires_at - w.harness.now() <= dt.timedelta(minutes=60)
        assert sync.refresh_tokens(w.store, w.rt, force=True)
        second = w.rt.tokens
        assert second is not None  # rotated
        assert second.refresh_token != first.refresh_token
        with pytest.raises(NeedsReauth):  # the first refresh token worked once
            adapter.refresh(first)
        w.harness.sim.expire_tokens()
        w.harness.seed()
        assert sync.discover(w.store, w.rt).bound == 3  # 401 → one refresh → done
    finally:
        w.close()


def test_client_credentials_ask_for_a_token_again_instead_of_refreshing(world: World) -> None:
    adapter = world.rt.adapter
    assert adapter is not None
    assert adapter.auth_kind == "client_credentials"
    tokens = world.rt.tokens
    assert tokens is not None
    assert tokens.refresh_token == ""
    assert (
        dt.timedelta(hours=23)
        < tokens.access_expires_at - world.harness.now()
        <= dt.timedelta(hours=24)
    )
    with pytest.raises(Rejected):
        adapter.authorization_url("https://syncd.example/cb")  # nothing to click
    world.harness.sim.expire_tokens()
    world.harness.seed()
    assert sync.discover(world.store, world.rt).bound == 3  # 401 → a new token → done
    assert world.rt.tokens is not None
    assert world.rt.tokens.access_token != tokens.access_token


def test_channel_connect_with_client_credentials(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    h = ShopifyHarness()
    h.start()
    try:
        for args in (["init"], ["tenant", "add", "Dapur Bu Sri"]):
            assert cli(*args).code == 0
        add = cli(
            "channel", "add", "web", "--marketplace", "shopify", "--shop-id", h.shop_id,
            "--base-url", h.sim.base_url, "--client-id", h.settings()["client_id"],
        )  # fmt: skip
        assert add.code == 0, add.err
        monkeypatch.setenv("SYNCD_PARTNER_KEY", "shpss_wrong")
        refused = cli("--lang", "en", "channel", "connect", "web")
        assert refused.code == 1
        assert "refused channel web's app" in refused.err
        assert "shpss_wrong" not in refused.err + refused.out
        monkeypatch.setenv("SYNCD_PARTNER_KEY", CLIENT_SECRET)
        assert cli("channel", "set-secret", "web").code == 0
        done = cli("--lang", "en", "channel", "connect", "web")
        assert done.code == 0, done.err
        assert "the store gave the app a token" in done.out
        assert "/admin/oauth/authorize" not in done.out  # no link to open
        assert cli("channel", "discover", "web").code == 0
    finally:
        h.stop()


# -- locations, settings --------------------------------------------------------------


def test_a_store_with_two_locations_must_name_one(world: World) -> None:
    sim = _sim(world)
    world.harness.seed()
    second = sim.add_location("Gudang Kediri")
    with pytest.raises(Rejected, match="location-id") as info:
        list(world.rt.adapter.discover())  # type: ignore[union-attr]
    assert "Gudang Kediri" in str(info.value)
    ctx = AdapterContext(
        shop_id="toko-bu-sri",
        settings={**world.account.settings, "location_id": str(second)},
        secrets={"client_secret": CLIENT_SECRET},
        credentials=lambda: world.rt.tokens,
    )
    settings = settings_of(ShopifyAdapter, ctx)
    assert settings.location_id == f"gid://shopify/Location/{second}"


@pytest.mark.parametrize(
    ("values", "ok"),
    [
        ({"base_url": "https://toko.myshopify.com"}, True),
        ({"base_url": "http://127.0.0.1:8123"}, True),
        ({"base_url": "http://toko.myshopify.com"}, False),  # the token in clear
        ({"base_url": "https://toko.myshopify.com", "api_version": "2025-10"}, False),
        ({"base_url": "https://toko.myshopify.com", "api_version": "2026-13"}, False),
        ({"base_url": "https://toko.myshopify.com", "auth": "password"}, False),
    ],
)
def test_settings(values: dict[str, str], ok: bool) -> None:
    ctx = AdapterContext(
        shop_id="s",
        settings={"client_id": "abc", **values},
        secrets={},
        credentials=lambda: None,
    )
    if ok:
        assert settings_of(ShopifyAdapter, ctx).base_url == values["base_url"]
    else:
        with pytest.raises(Rejected) as info:
            settings_of(ShopifyAdapter, ctx)
        assert info.value.code == "config"


# -- orders (§5.3) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fulfillment", "cancelled", "state"),
    [
        ("UNFULFILLED", False, "open"),
        ("PARTIALLY_FULFILLED", False, "open"),
        ("FULFILLED", False, "shipped"),
        ("UNFULFILLED", True, "cancelled"),
        # a cancel's restock (CANCEL): released; a return's restock stays shipped and
        # comes back through the return (tests/test_returns_shopify.py)
        ("RESTOCKED", True, "cancelled"),
        ("FULFILLED", True, "shipped"),
    ],
)
def test_order_states(fulfillment: str, cancelled: bool, state: str) -> None:
    assert order_state(fulfillment, cancelled) == state


def test_orders_flow_into_the_ledger_and_shopify_own_moves_are_not_pushed_back(
    world: World,
) -> None:
    """Shopify moves its own available at the order (§5.3): syncd counts the order and
    does not write Shopify's own sale back to it."""
    h, sim = world.harness, _sim(world)
    h.seed()
    sync.discover(world.store, world.rt)
    sync.push(world.store, world.rt)
    h.advance(120)  # the orders come well after syncd's write (outbox.CLOCK_MARGIN)
    x = world.listing("NASTAR-500")
    variant = int(x.variant_id)
    sold = sim.place_order([(variant, 2)])
    kept = sim.place_order([(variant, 1)])
    assert sold is not None
    assert kept is not None
    h.advance(130)  # past the order list's overlap
    writes = _writes(world)
    sync.push(world.store, world.rt)  # pull first, then push
    assert _writes(world) == writes  # nothing to push: Shopify already shows it
    sim.fulfil(sold)
    sim.cancel(kept)
    h.advance(5)
    sync.push(world.store, world.rt)
    sku = catalog.get_sku(world.store, world.tenant.id, "NASTAR-500")
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (MASTER["NASTAR-500"] - 2, 0)
    assert sim.available(variant) == MASTER["NASTAR-500"] - 2


def test_an_order_with_many_lines_and_a_custom_item_is_read_whole(world: World) -> None:
    sim = _sim(world)
    ids = sim.add_product("Paket", [(f"PAKET-{n}", 1000, 10) for n in range(25)])
    with world.store.write():
        for n in range(25):
            catalog.upsert_sku(
                world.store, world.tenant.id, SkuIn(sku=f"PAKET-{n}", name="p", price=1000)
            )
    sync.discover(world.store, world.rt)
    order = sim.place_order([(vid, 1) for vid in ids[1:]])  # 25 lines > 20 per page
    assert order is not None
    custom = sim.place_order([(ids[1], 1)])
    assert custom is not None
    with sim._lock:  # a custom line (no variant) added to that order, as Shopify allows
        line = sim._orders[custom].lines[0]
        sim._orders[custom].lines.append(type(line)(line.id + 1, 0, line.product_id, "", 1, 1))
    report = sync.pull_orders(world.store, world.rt)
    assert report.new_lines == 26  # 25 + the custom order's one stock line
    assert world.harness.calls("order_reads") >= 2  # the list, then the order's other lines
    reserved = sum(
        ledger.balance(
            world.store, world.tenant.id, catalog.get_sku(world.store, world.tenant.id, s).id
        )[1]
        for s in ("PAKET-0", "PAKET-24")
    )
    assert reserved == 3  # PAKET-0 twice (both orders), PAKET-24 once


def test_a_spoiled_order_cursor_reads_the_window_again(world: World) -> None:
    h, sim = world.harness, _sim(world)
    h.seed()
    sync.discover(world.store, world.rt)
    x = world.listing("KOPI-250")
    for _ in range(3):
        sim.place_order([(int(x.variant_id), 1)])
    since = dt.datetime.fromisoformat(world.rt.account.integration_start)
    cursor = json.dumps({"from": int(since.timestamp()), "page": "bm90LWEtY3Vyc29y"})
    page = world.rt.adapter.pull_orders(cursor, since)  # type: ignore[union-attr]
    assert len(page.orders) == 3
    assert not page.more


# -- webhooks (§5.4, vector §7.4) -------------------------------------------------------

WEBHOOK_BODY = b'{"id":820982911946154508,"line_items":[{"sku":"KAOS-M-HITAM","quantity":2}]}'
WEBHOOK_SIGNATURE = "/jZ3PTEPChMqTVUWTSO+CR0pj+fJ6RDMr5Cwmx1nqrs="


def test_webhook_vector_verifies() -> None:
    secret = "shpss_demo_client_secret"  # noqa: S105 - the reference's made-up vector
    assert webhook.signature(secret, WEBHOOK_BODY) == WEBHOOK_SIGNATURE
    assert webhook.verify(secret, WEBHOOK_BODY, WEBHOOK_SIGNATURE)
    assert not webhook.verify(secret, WEBHOOK_BODY + b" ", WEBHOOK_SIGNATURE)
    assert not webhook.verify("another", WEBHOOK_BODY, WEBHOOK_SIGNATURE)
    assert not webhook.verify(secret, WEBHOOK_BODY, None)


def test_a_sale_recorded_in_syncd_reaches_shopify(world: World) -> None:
    """End to end: a cash sale at the door lowers what the web store offers."""
    h, sim = world.harness, _sim(world)
    h.seed()
    sync.discover(world.store, world.rt)
    sync.push(world.store, world.rt)
    inventory.record(
        world.store,
        world.tenant.id,
        [MovementIn(sku="KOPI-250", kind="sale", qty=4, key="door-1", source="cash", actor="t")],
    )
    sync.push(world.store, world.rt)
    x = world.listing("KOPI-250")
    assert sim.available(int(x.variant_id)) == MASTER["KOPI-250"] - 4
