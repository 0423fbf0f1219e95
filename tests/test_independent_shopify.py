"""Shopify's official Python package (``ShopifyAPI``, a test-only dependency) drives our
Shopify simulator: the OAuth code exchange, then GraphQL reads and writes of products,
stock, prices and orders. Our simulator must accept what Shopify's own client sends.

The package talks to ``https://<shop>.myshopify.com``; the test routes those requests to
the simulator on 127.0.0.1 at the socket (an ``urllib`` handler, like a hosts file),
so the package's own URLs, headers, bodies and parsing run unchanged.

Where the package and the reference disagree, the reference decides:

* ``Session.request_token`` does not ask for an expiring token (no ``expiring=1``) and
  gets a token that does not expire; §5.2 says public apps created from 2026-04-01 must
  use expiring offline tokens, so syncd's adapter asks for them (tested in
  ``test_shopify.py``). The simulator answers both, as Shopify does.
* The package's REST resources (``shopify.Product``…) are not served: REST is legacy
  since 2024-10 (§5.1) and syncd speaks GraphQL only. Its GraphQL client returns the
  answer as text, which the test parses as JSON.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

shopify = pytest.importorskip("shopify")

from adapters.shopify.simulator import CLIENT_ID, CLIENT_SECRET, ShopifySimulator  # noqa: E402

VERSION = "2026-10"
SHOP = "toko-bu-sri.myshopify.com"


class _Loopback(urllib.request.HTTPSHandler):
    """Sends the package's https://toko-bu-sri.myshopify.com requests to the simulator."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        assert req.host == SHOP  # nothing else is routed (no other host is reachable)
        port = self.port

        def connect(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            return http.client.HTTPConnection("127.0.0.1", port, timeout=10)

        return self.do_open(connect, req)  # type: ignore[arg-type]


@pytest.fixture
def sim() -> Iterator[ShopifySimulator]:
    simulator = ShopifySimulator(shop="toko-bu-sri").start()
    port = int(simulator.base_url.rsplit(":", 1)[1])
    urllib.request.install_opener(urllib.request.build_opener(_Loopback(port)))
    shopify.Session.setup(api_key=CLIENT_ID, secret=CLIENT_SECRET)
    try:
        yield simulator
    finally:
        urllib.request.install_opener(None)  # type: ignore[arg-type]
        shopify.ShopifyResource.clear_session()
        simulator.stop()


def _connect(sim: ShopifySimulator) -> Any:
    """The package's OAuth flow: the permission link, then the code for a token."""
    session = shopify.Session(SHOP, VERSION)
    link = urlsplit(
        session.create_permission_url(
            ["read_products", "write_inventory"], "https://syncd.example/cb", "state-1"
        )
    )
    assert (link.netloc, link.path) == (SHOP, "/admin/oauth/authorize")
    assert {"client_id", "scope", "redirect_uri", "state"} <= set(parse_qs(link.query))
    params = {
        "code": sim.issue_code(),
        "shop": SHOP,
        "state": "state-1",
        "timestamp": str(int(time.time())),
    }
    params["hmac"] = shopify.Session.calculate_hmac(params)  # what Shopify's redirect carries
    token = session.request_token(params)  # POST /admin/oauth/access_token (a form body)
    assert token.startswith("shpat_")
    shopify.ShopifyResource.activate_session(session)
    return session


def _gql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = json.loads(shopify.GraphQL().execute(query, variables))
    assert "errors" not in answer, answer.get("errors")
    cost = answer["extensions"]["cost"]["throttleStatus"]  # §5.5: in every answer
    assert cost["currentlyAvailable"] <= cost["maximumAvailable"]
    return answer["data"]  # type: ignore[no-any-return]


def test_the_package_exchanges_a_code_and_reads_products(sim: ShopifySimulator) -> None:
    product, v250, _v500 = sim.add_product(
        "Nastar", [("NASTAR-250", 45000, 7), ("NASTAR-500", 85000, 3)]
    )
    _connect(sim)
    data = _gql(
        """query($loc: ID!) { productVariants(first: 10) { nodes { id sku price
             product { id title } inventoryItem { id tracked inventoryLevel(locationId: $loc) {
               quantities(names: ["available", "committed", "on_hand"]) { name quantity } } } }
           pageInfo { hasNextPage endCursor } } }""",
        {"loc": "gid://shopify/Location/1"},
    )
    nodes = data["productVariants"]["nodes"]
    assert [n["sku"] for n in nodes] == ["NASTAR-250", "NASTAR-500"]
    assert nodes[0]["id"] == f"gid://shopify/ProductVariant/{v250}"
    assert nodes[0]["product"]["id"] == f"gid://shopify/Product/{product}"
    assert nodes[0]["price"] == "45000.00"
    levels = {
        q["name"]: q["quantity"] for q in nodes[1]["inventoryItem"]["inventoryLevel"]["quantities"]
    }
    assert levels == {"available": 3, "committed": 0, "on_hand": 3}
    assert data["productVariants"]["pageInfo"]["hasNextPage"] is False


def test_the_package_sets_stock_with_compare_and_swap_and_prices(sim: ShopifySimulator) -> None:
    product, variant = sim.add_product("Kopi", [("KOPI-250", 45000, 5)])
    _connect(sim)
    item = f"gid://shopify/InventoryItem/{sim.inventory_item(variant)}"
    mutation = """mutation($input: InventorySetQuantitiesInput!) {
      inventorySetQuantities(input: $input) @idempotent(key: "%s") {
        inventoryAdjustmentGroup { changes { name delta quantityAfterChange } }
        userErrors { code field message } } }"""

    def set_to(qty: int, expected: int, key: str) -> dict[str, Any]:
        data = _gql(
            mutation % key,
            {
                "input": {
                    "name": "available",
                    "reason": "correction",
                    "quantities": [
                        {
                            "inventoryItemId": item,
                            "locationId": "gid://shopify/Location/1",
                            "quantity": qty,
                            "changeFromQuantity": expected,
                        }
                    ],
                }
            },
        )
        return data["inventorySetQuantities"]  # type: ignore[no-any-return]

    done = set_to(12, 5, "k-1")
    assert done["userErrors"] == []
    assert done["inventoryAdjustmentGroup"]["changes"] == [
        {"name": "available", "delta": 7, "quantityAfterChange": 12}
    ]
    stale = set_to(20, 5, "k-2")  # the level is 12 now: the swap is refused
    assert [e["code"] for e in stale["userErrors"]] == ["CHANGE_FROM_QUANTITY_STALE"]
    assert sim.available(variant) == 12
    price = _gql(
        """mutation($p: ID!, $v: [ProductVariantsBulkInput!]!) {
             productVariantsBulkUpdate(productId: $p, variants: $v) {
               productVariants { id price } userErrors { field message } } }""",
        {
            "p": f"gid://shopify/Product/{product}",
            "v": [{"id": f"gid://shopify/ProductVariant/{variant}", "price": "47500.00"}],
        },
    )["productVariantsBulkUpdate"]
    assert price["userErrors"] == []
    assert sim.price(variant) == "47500.00"


def test_the_package_lists_orders_by_update_time_with_cursors(sim: ShopifySimulator) -> None:
    _, variant = sim.add_product("Kopi", [("KOPI-250", 45000, 50)])
    orders = [sim.place_order([(variant, 1)]) for _ in range(5)]
    sim.fulfil(orders[0])  # type: ignore[arg-type]
    _connect(sim)
    query = """query($after: String, $q: String!) {
      orders(first: 2, after: $after, query: $q, sortKey: UPDATED_AT) {
        nodes { id updatedAt displayFulfillmentStatus lineItems(first: 5) {
          nodes { id sku quantity variant { id } } } }
        pageInfo { hasNextPage endCursor } } }"""
    seen: list[str] = []
    after = None
    for _ in range(5):
        page = _gql(query, {"after": after, "q": "updated_at:>='2020-01-01T00:00:00Z'"})["orders"]
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(f"gid://shopify/Order/{o}" for o in orders)
    assert len(set(seen)) == 5  # each once across the pages
