"""The official ``woocommerce`` package (3.0.0, Automattic's Python client) drives our
WooCommerce simulator: an independent client, so the simulator is not only checked by the
adapter it was written for (reference ``marketplace-apis.md`` §4).

The package chooses its authentication by the URL's scheme: HTTP Basic over ``https``
(or, with ``query_string_auth=True``, ``consumer_key``/``consumer_secret`` in the query),
and OAuth 1.0a one-legged, HMAC-SHA256, over plain ``http`` (its ``query_string_auth`` is
then ignored). That is §4.1's split, so the simulator, served on plain-HTTP loopback,
verifies OAuth 1.0a as core does, and the Basic and query modes are driven by telling the
package its store is HTTPS (``is_ssl``), which is what the simulator stands for by default.

Where the package and the reference disagree, the reference (and core, which it follows)
decides; each such test says why in its docstring.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
import requests
from woocommerce import API

from adapters.woocommerce.simulator import OAUTH_WINDOW, WooSimulator

KEY = "ck_demo_0123456789abcdef"
SECRET = "cs_demo_0123456789abcdef"  # noqa: S105 - the simulator's made-up key


@dataclass
class Store:
    sim: WooSimulator
    kopi: int
    teh: int
    gula: int
    parent: int
    v250: int
    v500: int

    def api(self, *, secret: str = SECRET, https: bool = False, query: bool = False) -> API:
        """The package on this store: OAuth over plain HTTP; ``https``: as if the store
        were HTTPS (Basic auth, or the query keys with ``query``)."""
        wcapi = API(
            url=self.sim.base_url,
            consumer_key=KEY,
            consumer_secret=secret,
            version="wc/v3",
            timeout=5,
            query_string_auth=query,
        )
        if https:  # the package reads the scheme once; the socket stays plain loopback
            wcapi.is_ssl = True
        return wcapi


@pytest.fixture
def store() -> Iterator[Store]:
    sim = WooSimulator(consumer_key=KEY, consumer_secret=SECRET).start()
    try:
        kopi = sim.add_simple("Kopi", sku="KOPI-250", price=45000, stock=5)
        teh = sim.add_simple("Teh", sku="TEH-100", price=20000, stock=8)
        gula = sim.add_simple("Gula aren", sku="GULA-1", price=30000, stock=3)
        parent, v250, v500 = sim.add_variable(
            "Nastar Keju", [("NASTAR-250", 45000, 5), ("NASTAR-500", 85000, 6)]
        )
        yield Store(sim, kopi, teh, gula, parent, v250, v500)
    finally:
        sim.stop()


def _page_of(link: str) -> int:
    return int(parse_qs(urlsplit(link).query)["page"][-1])


# -- reading: products, variations, paging headers -----------------------------------


def test_the_package_lists_products_and_variations_over_oauth(store: Store) -> None:
    """Plain HTTP as core sees it (``plain_http``: no Basic, no query keys): the package's
    OAuth 1.0a requests are verified and answered, and it reads our JSON and our paging
    headers (``X-WP-Total``, ``X-WP-TotalPages``, ``Link`` rel=next/prev, §4.2)."""
    store.sim.plain_http = True
    wcapi = store.api()
    first = wcapi.get("products", params={"per_page": 2})
    assert first.status_code == 200, first.text
    assert "oauth_signature=" in first.request.url
    assert first.request.headers.get("Authorization") is None
    assert first.headers["X-WP-Total"] == "4"
    assert first.headers["X-WP-TotalPages"] == "2"
    assert [p["sku"] for p in first.json()] == ["KOPI-250", "TEH-100"]
    assert _page_of(first.links["next"]["url"]) == 2
    assert "prev" not in first.links
    second = wcapi.get("products", params={"per_page": 2, "page": 2})
    assert second.status_code == 200, second.text
    products = second.json()
    assert [p["sku"] for p in products] == ["GULA-1", ""]
    assert products[1]["type"] == "variable"
    assert products[1]["variations"] == [store.v250, store.v500]
    assert _page_of(second.links["prev"]["url"]) == 1
    assert "next" not in second.links
    variations = wcapi.get(f"products/{store.parent}/variations")
    assert variations.status_code == 200, variations.text
    assert variations.headers["X-WP-Total"] == "2"
    assert [(v["id"], v["sku"], v["stock_quantity"]) for v in variations.json()] == [
        (store.v250, "NASTAR-250", 5),
        (store.v500, "NASTAR-500", 6),
    ]


def test_the_echoed_next_link_is_not_a_request_to_replay(store: Store) -> None:
    """WordPress echoes the request's query in ``Link``, OAuth parameters included. Over
    OAuth that URL is the previous request's signature and nonce with another page: the
    store refuses it, which is why the adapter reads only the page number from ``Link``."""
    first = store.api().get("products", params={"per_page": 2})
    assert first.status_code == 200, first.text
    replay = requests.get(first.links["next"]["url"], timeout=5)
    assert replay.status_code == 401
    assert replay.json()["code"] == "woocommerce_rest_authentication_error"
    assert "signature" in replay.json()["message"]


# -- writing: PUT on a product and on a variation, and the batch endpoints ------------


def test_the_package_puts_stock_and_price_on_a_product_and_a_variation(store: Store) -> None:
    wcapi = store.api()
    body = {"manage_stock": True, "stock_quantity": 7, "regular_price": "47000"}
    put = wcapi.put(f"products/{store.kopi}", body)
    assert put.status_code == 200, put.text
    assert (put.json()["stock_quantity"], put.json()["regular_price"]) == (7, "47000")
    assert (store.sim.stock(store.kopi), store.sim.price(store.kopi)) == (7, 47000)
    path = f"products/{store.parent}/variations/{store.v500}"
    put = wcapi.put(path, {"manage_stock": True, "stock_quantity": 2, "regular_price": "80000"})
    assert put.status_code == 200, put.text
    assert put.json()["id"] == store.v500
    assert store.sim.stock(store.parent, store.v500) == 2
    assert store.sim.price(store.parent, store.v500) == 80000
    assert store.sim.stock(store.parent, store.v250) == 5  # its sibling untouched


def test_stock_put_on_a_variable_parent_reaches_no_variation(store: Store) -> None:
    """§4.6 #2: stock of a variable product lives on its variations; a write on the
    parent is answered 200 and does nothing buyers of a variation see."""
    put = store.api().put(f"products/{store.parent}", {"manage_stock": True, "stock_quantity": 99})
    assert put.status_code == 200, put.text
    assert store.sim.stock(store.parent, store.v250) == 5
    assert store.sim.stock(store.parent, store.v500) == 6
    assert store.sim.parent_stock(store.parent) == 99  # the parent's own, shown to no one


def test_a_put_on_an_unknown_id_is_an_error_answer(store: Store) -> None:
    missing = store.api().put("products/999999", {"stock_quantity": 1})
    assert missing.status_code == 400
    error = missing.json()
    assert error["code"] == "woocommerce_rest_product_invalid_id"
    assert error["data"]["status"] == 400
    no_parent = store.api().put(f"products/999999/variations/{store.v250}", {"stock_quantity": 1})
    assert no_parent.status_code == 404


def test_the_package_writes_through_the_batch_endpoints(store: Store) -> None:
    wcapi = store.api()
    batch = wcapi.post(
        "products/batch",
        {
            "update": [
                {"id": store.kopi, "manage_stock": True, "stock_quantity": 11},
                {"id": store.teh, "regular_price": "21000"},
            ]
        },
    )
    assert batch.status_code == 200, batch.text
    assert [o["id"] for o in batch.json()["update"]] == [store.kopi, store.teh]
    assert store.sim.stock(store.kopi) == 11
    assert store.sim.price(store.teh) == 21000
    path = f"products/{store.parent}/variations/batch"
    update = [
        {"id": store.v250, "manage_stock": True, "stock_quantity": 3},
        {"id": store.v500, "manage_stock": True, "stock_quantity": 4, "regular_price": "86000"},
    ]
    batch = wcapi.post(path, {"update": update})
    assert batch.status_code == 200, batch.text
    assert [(o["id"], o["stock_quantity"]) for o in batch.json()["update"]] == [
        (store.v250, 3),
        (store.v500, 4),
    ]
    assert store.sim.price(store.parent, store.v500) == 86000
    # a variation of another parent, in this parent's batch: refused on its own
    batch = wcapi.post(path, {"update": [{"id": store.kopi, "stock_quantity": 1}]})
    assert batch.json()["update"][0]["error"]["code"] == "woocommerce_rest_invalid_id"
    assert store.sim.stock(store.kopi) == 11


def test_a_host_that_refuses_put_still_takes_the_batch(store: Store) -> None:
    """§4.5: ModSecurity hosts answer PUT with 501 (an HTML page, not JSON); the batch
    endpoint is a POST and goes through (why the adapter writes through batches only)."""
    store.sim.put_501 = True
    wcapi = store.api()
    put = wcapi.put(f"products/{store.kopi}", {"manage_stock": True, "stock_quantity": 1})
    assert put.status_code == 501
    assert store.sim.stock(store.kopi) == 5
    update = [{"id": store.kopi, "manage_stock": True, "stock_quantity": 1}]
    batch = wcapi.post("products/batch", {"update": update})
    assert batch.status_code == 200, batch.text
    assert store.sim.stock(store.kopi) == 1


# -- orders: modified_after with dates_are_gmt (§4.6 #1) ------------------------------


def test_the_package_lists_orders_modified_after_in_gmt(store: Store) -> None:
    """``modified_after`` is site time (Asia/Jakarta, +07:00) unless ``dates_are_gmt``.

    The package sends a Python ``True`` as ``True`` (it ``urlencode``s the value): the
    reference writes ``dates_are_gmt=true``; WordPress reads booleans case-blind
    (``rest_is_boolean``), so the store takes ``True`` too rather than reading it as false
    and shifting the window by seven hours."""
    sim, wcapi = store.sim, store.api()
    early = sim.place_order([(store.kopi, 0, 1)], status="processing")
    sim.advance(60)
    late = sim.place_order([(store.parent, store.v250, 2)])
    assert early is not None
    assert late is not None
    between = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sim.now() - 30))
    for flag in ("true", True):
        params = {"modified_after": between, "dates_are_gmt": flag, "orderby": "modified"}
        listed = wcapi.get("orders", params=params)
        assert listed.status_code == 200, listed.text
        assert listed.headers["X-WP-Total"] == "1"
        (order,) = listed.json()
        assert (order["id"], order["status"]) == (late, "pending")
        assert order["date_modified_gmt"] > between
        assert order["line_items"] == [
            {
                "id": order["line_items"][0]["id"],
                "product_id": store.parent,
                "variation_id": store.v250,
                "quantity": 2,
                "sku": "NASTAR-250",
            }
        ]
    # the same text as site time is seven hours earlier: both orders are after it
    site = wcapi.get("orders", params={"modified_after": between, "order": "asc"})
    assert site.status_code == 200, site.text
    assert [o["id"] for o in site.json()] == [early, late]
    refused = wcapi.get("orders", params={"modified_after": between, "dates_are_gmt": "yes"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "rest_invalid_param"


# -- OAuth 1.0a as core verifies it (§4.1) --------------------------------------------


def _enc(text: str) -> str:
    return quote(text, safe="")  # RFC 3986: all but unreserved characters


def _reference_oauth_url(url: str, params: dict[str, str], method: str, algo: str) -> str:
    """§4.1 written out on its own (not the simulator's code): key = secret + "&", base
    string METHOD&enc(url)&enc(sorted, encoded params)."""
    signed = {
        **params,
        "oauth_consumer_key": KEY,
        "oauth_timestamp": str(int(time.time())),
        "oauth_nonce": hashlib.sha256(f"{url} {algo}".encode()).hexdigest()[:32],
        "oauth_signature_method": f"HMAC-{algo.upper()}",
    }
    pairs = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(signed.items()))
    base = f"{method}&{_enc(url)}&{_enc(pairs)}"
    mac = hmac.new(f"{SECRET}&".encode(), base.encode(), getattr(hashlib, algo)).digest()
    signed["oauth_signature"] = base64.b64encode(mac).decode()
    return f"{url}?{urlencode(signed)}"


def test_oauth_hmac_sha1_and_sha256_from_the_reference_recipe(store: Store) -> None:
    """The package signs HMAC-SHA256 only; §4.1 allows HMAC-SHA1 too."""
    url = f"{store.sim.base_url}/wp-json/wc/v3/products/{store.parent}/variations"
    store.sim.plain_http = True
    for algo in ("sha1", "sha256"):
        signed = _reference_oauth_url(url, {"per_page": "1", "page": "2"}, "GET", algo)
        got = requests.get(signed, timeout=5)
        assert got.status_code == 200, (algo, got.text)
        assert [v["id"] for v in got.json()] == [store.v500]
        again = requests.get(signed, timeout=5)  # the same nonce within 15 minutes
        assert again.status_code == 401
        assert again.json()["message"] == "Invalid nonce - nonce has already been used."


def test_oauth_refusals(store: Store) -> None:
    """A wrong secret, a timestamp more than 15 minutes off the store's clock, a missing
    OAuth parameter: each refused as core refuses it (401)."""
    wrong = store.api(secret="cs_wrong").get("products")  # noqa: S106 - made up
    assert wrong.status_code == 401
    assert wrong.json()["message"] == "Invalid signature - provided signature does not match."
    store.sim.advance(OAUTH_WINDOW + 60)  # the store's clock runs 16 minutes ahead
    late = store.api().get("products")
    assert late.status_code == 401
    assert late.json()["message"] == "Invalid timestamp."
    url = f"{store.sim.base_url}/wp-json/wc/v3/products?oauth_consumer_key={KEY}"
    partial = requests.get(url, timeout=5)
    assert partial.status_code == 401
    assert partial.json()["code"] == "woocommerce_rest_authentication_missing_parameter"


def test_a_slash_in_a_parameter_breaks_the_packages_signature(store: Store) -> None:
    """The package percent-encodes parameter values with Python's ``quote``, which keeps
    ``/``; core (and the reference's ``enc()``, RFC 3986) encodes it as ``%2F``. So a
    value with a slash is signed differently from what the store computes, and refused.
    The reference decides: the store keeps core's encoding."""
    refused = store.api().get("products", params={"search": "kopi/teh"})
    assert refused.status_code == 401
    assert refused.json()["message"] == "Invalid signature - provided signature does not match."
    assert store.api().get("products", params={"search": "kopi teh"}).status_code == 200


# -- Basic and the query fallback (§4.1), as if the store were HTTPS ------------------


def test_basic_auth_and_the_query_fallback_through_a_host_that_strips_authorization(
    store: Store,
) -> None:
    """§4.1: Basic auth over HTTPS; a host that strips ``Authorization`` answers
    "Consumer key is missing", and the query parameters get through. Over plain HTTP
    (``plain_http``) core accepts neither: only OAuth."""
    basic, query = store.api(https=True), store.api(https=True, query=True)
    got = basic.get("products", params={"per_page": 1})
    assert got.status_code == 200, got.text
    assert got.request.headers["Authorization"].startswith("Basic ")
    store.sim.strip_authorization = True
    missing = basic.get("products")
    assert missing.status_code == 401
    assert missing.json()["message"] == "Consumer key is missing."
    got = query.get("products", params={"per_page": 1})
    assert got.status_code == 200, got.text
    assert "consumer_secret=" in got.request.url
    assert query.post("products/batch", {"update": [{"id": store.kopi, "stock_quantity": 4}]}).ok
    assert store.sim.stock(store.kopi) == 4
    store.sim.plain_http = True
    store.sim.strip_authorization = False
    for wcapi in (basic, query):
        refused = wcapi.get("products")
        assert refused.status_code == 401
        assert refused.json()["message"] == "Consumer key is missing."
    assert store.api().get("products").status_code == 200  # OAuth
