"""WooCommerce (reference §4): variations, the query-parameter fallback, core's stock
hooks through syncd's ledger, plain-HTTP refusal, and ``channel connect`` with a key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.kit import settings_of
from adapters.woocommerce.adapter import WooAdapter
from adapters.woocommerce.signing import WooAuth
from syncd import catalog, ledger, sync
from syncd.adapter import AdapterContext
from syncd.errors import NeedsReauth, Rejected
from tests.conftest import Cli
from tests.contract.harness_woocommerce import WooHarness
from tests.contract.test_contract import MASTER, World, build_world


@dataclass
class _QueryHarness(WooHarness):
    query_auth: bool = True


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world("woocommerce", tmp_path, WooHarness)
    yield w
    w.close()


def test_variable_product_stock_is_written_on_the_variation(world: World) -> None:
    h: WooHarness = world.harness
    h.seed()
    sync.discover(world.store, world.rt)
    x = world.listing("NASTAR-500")
    assert x.variant_id  # a variation, under its parent
    assert sync.push(world.store, world.rt)["stock"].ok == 3
    parent, variation = int(x.item_id), int(x.variant_id)
    assert h.sim.stock(parent, variation) == MASTER["NASTAR-500"]
    assert h.sim.parent_stock(parent) is None  # the parent was not written
    paths = {p for _, method, p, _, _ in h.sim.request_log if method == "POST"}
    assert f"/wp-json/wc/v3/products/{parent}/variations/batch" in paths
    # §4.6 #2: stock written on the parent does nothing buyers of a variation see
    body = {"update": [{"id": parent, "manage_stock": True, "stock_quantity": 99}]}
    world.rt.adapter.client.request("POST", "/products/batch", json=body)  # type: ignore[union-attr]
    assert h.sim.stock(parent, variation) == MASTER["NASTAR-500"]
    # and a variation written through the products route is silently ignored
    body = {"update": [{"id": variation, "manage_stock": True, "stock_quantity": 98}]}
    world.rt.adapter.client.request("POST", "/products/batch", json=body)  # type: ignore[union-attr]
    assert h.sim.stock(parent, variation) == MASTER["NASTAR-500"]


def test_a_store_that_strips_authorization_works_with_the_query_fallback(tmp_path: Path) -> None:
    plain = build_world("woocommerce", tmp_path / "plain", WooHarness)
    try:
        plain.harness.seed()
        plain.harness.sim.strip_authorization = True
        with pytest.raises(NeedsReauth, match="Consumer key is missing") as info:
            sync.discover(plain.store, plain.rt)
        # a new key would not help: the seller is told to send it as URL parameters
        assert "--setting query_auth=true" in str(info.value)
    finally:
        plain.close()
    w = build_world("woocommerce", tmp_path / "query", _QueryHarness)
    try:
        w.harness.seed()
        w.harness.sim.strip_authorization = True
        assert isinstance(w.rt.adapter.http_auth, WooAuth)
        assert w.rt.adapter.http_auth.query
        assert sync.discover(w.store, w.rt).bound == 3
        assert sync.push(w.store, w.rt)["stock"].ok == 3
        x = w.listing("KOPI-250")
        assert w.harness.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"]
    finally:
        w.close()


def test_processing_then_cancelled_restores_stock_exactly_once(world: World) -> None:
    h: WooHarness = world.harness
    h.seed()
    sync.discover(world.store, world.rt)
    sync.push(world.store, world.rt)
    x = world.listing("KOPI-250")
    sku = catalog.get_sku(world.store, world.tenant.id, "KOPI-250")
    order = h.place_order(x.item_id, x.variant_id, 2)
    assert order is not None
    h.advance(5)
    h.sim.set_status(int(order), "processing")  # core reduces the store's stock here
    assert h.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"] - 2
    sync.pull_orders(world.store, world.rt)
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (MASTER["KOPI-250"] - 2, 0)
    h.advance(5)
    h.sim.set_status(int(order), "cancelled")  # and restores it here, once
    assert h.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"]
    for _ in range(2):
        sync.pull_orders(world.store, world.rt)
    world.rt.adapter.seen_orders.clear()  # type: ignore[union-attr]
    with world.store.write():
        world.store.conn.execute("DELETE FROM order_cursor")  # read everything again
    sync.pull_orders(world.store, world.rt)
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (MASTER["KOPI-250"], 0)
    sync.push(world.store, world.rt)
    assert h.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"]
    assert ledger.check(world.store)[0] == []


def _settle(world: World) -> None:
    """Poll twice, then read every order again from the start (a duplicate poll and a
    relisting of the same orders): ingest must count nothing twice."""
    for _ in range(2):
        sync.pull_orders(world.store, world.rt)
    world.rt.adapter.seen_orders.clear()  # type: ignore[union-attr]
    with world.store.write():
        world.store.conn.execute("DELETE FROM order_cursor")
    sync.pull_orders(world.store, world.rt)


def test_processing_back_to_pending_restores_the_store_once_and_syncd_keeps_the_sale(
    world: World,
) -> None:
    """§4.3: core restores an order's stock on the transition back to pending (it had been
    reduced), reduces it again on the next paid status, and restores nothing more when
    the order is then cancelled. syncd's order states only move forward (syncd/orders.py:
    shipped → open is no step), so the sale stands while the order is pending again (the
    units are unavailable either way) and the cancel gives them back exactly once."""
    h: WooHarness = world.harness
    h.seed()
    sync.discover(world.store, world.rt)
    sync.push(world.store, world.rt)
    x = world.listing("KOPI-250")
    sku = catalog.get_sku(world.store, world.tenant.id, "KOPI-250")
    sold = (MASTER["KOPI-250"] - 2, 0)
    order = h.place_order(x.item_id, x.variant_id, 2)
    assert order is not None
    for status, shown, balance in (
        ("processing", MASTER["KOPI-250"] - 2, sold),
        ("pending", MASTER["KOPI-250"], sold),  # restored by the store; syncd: still sold
        ("processing", MASTER["KOPI-250"] - 2, sold),  # reduced again, once
        ("pending", MASTER["KOPI-250"], sold),
        ("cancelled", MASTER["KOPI-250"], (MASTER["KOPI-250"], 0)),  # nothing more to restore
    ):
        h.advance(5)
        h.sim.set_status(int(order), status)
        assert h.shown(x.item_id, x.variant_id) == shown, status
        _settle(world)
        assert ledger.balance(world.store, world.tenant.id, sku.id) == balance, status
    sync.push(world.store, world.rt)
    assert h.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"]
    assert ledger.check(world.store)[0] == []


@pytest.mark.xfail(
    strict=True,
    reason=(
        "syncd/orders.py: shipped → open and shipped → cancelled change nothing, so an "
        "order that core restocked on its way back to pending and that then failed stays "
        "sold in syncd (reported for the core; not fixable in the adapter)"
    ),
)
def test_processing_back_to_pending_then_failed_gives_the_stock_back(world: World) -> None:
    h: WooHarness = world.harness
    h.seed()
    sync.discover(world.store, world.rt)
    x = world.listing("KOPI-250")
    sku = catalog.get_sku(world.store, world.tenant.id, "KOPI-250")
    order = h.place_order(x.item_id, x.variant_id, 2)
    assert order is not None
    for status in ("processing", "pending", "failed"):
        h.advance(5)
        h.sim.set_status(int(order), status)
        sync.pull_orders(world.store, world.rt)
    assert h.shown(x.item_id, x.variant_id) == 5  # the store has its units back
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (MASTER["KOPI-250"], 0)


def test_a_host_that_refuses_put_still_gets_stock_and_prices_written(world: World) -> None:
    """§4.5: a ModSecurity host answers PUT (and DELETE) with 501. The adapter reads with
    GET and writes with POST batches only, so such a host takes every write."""
    h: WooHarness = world.harness
    kopi = h.seed()[2][1]
    h.sim.put_501 = True
    body = {"manage_stock": True, "stock_quantity": 1}
    with pytest.raises(Rejected, match="method_not_implemented"):  # the host does refuse PUT
        world.rt.adapter.client.request("PUT", f"/products/{kopi}", json=body)  # type: ignore[union-attr]
    sync.discover(world.store, world.rt)
    pushed = sync.push(world.store, world.rt)
    assert pushed["stock"].ok == 3
    for name in MASTER:
        x = world.listing(name)
        assert h.shown(x.item_id, x.variant_id) == MASTER[name], name
    x = world.listing("KOPI-250")
    order = h.place_order(x.item_id, x.variant_id, 1)
    assert order is not None
    h.sim.set_status(int(order), "processing")
    sync.push(world.store, world.rt)
    assert h.shown(x.item_id, x.variant_id) == MASTER["KOPI-250"] - 1
    adapter_calls = [(m, p, status) for _, m, p, _, status in h.sim.request_log if m != "PUT"]
    assert {m for m, _, _ in adapter_calls} == {"GET", "POST"}
    assert all(status == 200 for _, _, status in adapter_calls)


def test_a_pending_order_cancelled_is_a_release(world: World) -> None:
    h: WooHarness = world.harness
    h.seed()
    sync.discover(world.store, world.rt)
    x = world.listing("NASTAR-250")
    sku = catalog.get_sku(world.store, world.tenant.id, "NASTAR-250")
    order = h.place_order(x.item_id, x.variant_id, 1)
    assert order is not None
    sync.pull_orders(world.store, world.rt)
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (MASTER["NASTAR-250"], 1)
    h.advance(5)
    h.sim.set_status(int(order), "cancelled")
    sync.pull_orders(world.store, world.rt)
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (MASTER["NASTAR-250"], 0)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://toko.example.id", False),
        ("http://10.0.0.5:8080", False),
        ("https://toko.example.id", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost", True),
    ],
)
def test_plain_http_store_urls_are_refused_except_loopback(url: str, ok: bool) -> None:
    ctx = AdapterContext(
        shop_id="s",
        settings={"base_url": url, "consumer_key": "ck_1"},
        secrets={"consumer_secret": "cs_1"},
        credentials=lambda: None,
    )
    if ok:
        assert settings_of(WooAdapter, ctx).base_url == url
    else:
        with pytest.raises(Rejected, match="https"):
            settings_of(WooAdapter, ctx)


def test_refresh_auth_from_an_api_key_adapter_is_needs_reauth_at_once(world: World) -> None:
    from syncd.errors import RefreshAuth

    calls = []

    def refused() -> None:
        calls.append(1)
        raise RefreshAuth("WooCommerce: refused", code="x")

    with pytest.raises(NeedsReauth):
        sync.with_auth(world.store, world.rt, refused)
    assert calls == [1]
    assert world.rt.refreshes == 0


def test_channel_connect_checks_the_key(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    h = WooHarness()
    h.start()
    try:
        for args in (["init"], ["tenant", "add", "Dapur Bu Sri"]):
            assert cli(*args).code == 0
        add = cli(
            "channel", "add", "toko", "--marketplace", "woocommerce", "--shop-id", h.shop_id,
            "--base-url", h.sim.base_url, "--consumer-key", h.consumer_key,
        )  # fmt: skip
        assert add.code == 0, add.err
        monkeypatch.setenv("SYNCD_PARTNER_KEY", "cs_wrong")
        refused = cli("--lang", "en", "channel", "connect", "toko")
        assert refused.code == 1
        assert "refused" in refused.err
        assert "Consumer secret is invalid" in refused.err
        monkeypatch.setenv("SYNCD_PARTNER_KEY", h.consumer_secret)
        assert cli("channel", "set-secret", "toko").code == 0
        done = cli("--lang", "en", "channel", "connect", "toko")
        assert done.code == 0, done.err
        assert "accepted the REST key" in done.out
        assert "http" not in done.out.split("accepted")[0]  # no authorization link
    finally:
        h.stop()


# -- webhooks (§4.4, vector §7.4) -----------------------------------------------------

WEBHOOK_SECRET = "wc_demo_webhook_secret"  # noqa: S105 - the reference's made-up vector
WEBHOOK_BODY = (
    b'{"id":727,"status":"processing","line_items":[{"sku":"KAOS-M-HITAM","quantity":2}]}'
)
WEBHOOK_SIGNATURE = "zvXVXF8Uzrk/qhXzKB82L/xY9S4FJrhA6l+xPIK7xe8="


def test_webhook_vector_verifies() -> None:
    from adapters.woocommerce import webhook

    assert webhook.signature(WEBHOOK_SECRET, WEBHOOK_BODY) == WEBHOOK_SIGNATURE
    assert webhook.verify(WEBHOOK_SECRET, WEBHOOK_BODY, WEBHOOK_SIGNATURE + "\n")
    assert not webhook.verify(WEBHOOK_SECRET, WEBHOOK_BODY + b" ", WEBHOOK_SIGNATURE)
    assert not webhook.verify("another", WEBHOOK_BODY, WEBHOOK_SIGNATURE)
    hint = webhook.order_hint("order.updated", WEBHOOK_BODY)
    assert hint == webhook.OrderHint("727", "processing", "shipped")
    assert webhook.order_hint("product.updated", WEBHOOK_BODY) is None
    assert webhook.secret_problem(WEBHOOK_SECRET) is None
    assert webhook.secret_problem("a&b") is not None


def test_the_query_fallback_secret_is_scrubbed_from_logged_urls() -> None:
    from syncd.redact import scrub

    url = "https://toko.example.id/wp-json/wc/v3/orders?consumer_key=ck_1&consumer_secret=cs_abcdef0123456789"
    assert "cs_abcdef0123456789" not in scrub(url)


def test_discovery_follows_pages_of_products_and_of_variations(world: World) -> None:
    """More than 100 products and more than 100 variations of one parent: every page is
    read (Link rel=next), by page number, never by following the link's URL as given."""
    h: WooHarness = world.harness
    for n in range(130):
        h.sim.add_simple(f"P{n}", sku=f"P-{n}", price=1000, stock=n)
    h.sim.add_variable("Kaos", [(f"KAOS-{n}", 50000, 1) for n in range(105)])
    before = len(h.sim.request_log)  # the key check of connect
    listings = list(world.rt.adapter.discover())  # type: ignore[union-attr]
    assert len(listings) == 130 + 105
    assert len({(x.item_id, x.variant_id) for x in listings}) == 235
    paths = [p for _, _, p, _, _ in h.sim.request_log[before:]]
    assert paths.count("/wp-json/wc/v3/products") == 2
    assert sum(p.endswith("/variations") for p in paths) == 2


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (429, b"", "RateLimited"),
        (503, b"<html>busy</html>", "RateLimited"),
        (500, b'{"code":"internal_server_error","message":"x"}', "Retryable"),
        (501, b"<html>Method Not Implemented</html>", "Rejected"),  # ModSecurity, §4.5
        (401, b'{"code":"woocommerce_rest_authentication_error","message":"k"}', "NeedsReauth"),
        (401, b'{"code":"woocommerce_rest_cannot_edit","message":"k"}', "NeedsReauth"),
        (400, b'{"code":"rest_invalid_param","message":"Invalid parameter(s): x"}', "Rejected"),
        (400, b'{"code":"something_new","message":"?"}', "Unrecognized"),
        (200, b"[1, 2", "MalformedResponse"),
    ],
)
def test_the_error_table(status: int, body: bytes, error: str) -> None:
    import httpx

    from adapters.woocommerce.errors import classify

    response = httpx.Response(status, content=body, headers={"Retry-After": "2"})
    with pytest.raises(Exception) as info:  # noqa: PT011 - the class is the parameter
        classify(response)
    assert type(info.value).__name__ == error
