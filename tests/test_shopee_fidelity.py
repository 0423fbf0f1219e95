"""Shopee adapter fidelity to the vendor's documentation (issue 11 item 4).

* Signing (reference §1.3, vectors §7.1): the public API paths (``public.*``) and the
  push API paths are signed ``partner_id + path + timestamp``, without the token and
  shop; shop API paths keep ``+ access_token + shop_id``.
* ``get_order_detail`` (reference §1.4, §1.8 #1): only documented
  ``response_optional_fields`` values are sent (``item_list``); ``order_status``,
  ``create_time`` and ``update_time`` come back by default. The simulator refuses an
  undocumented value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest

from adapters.shopee import signing
from adapters.shopee import simulator as simulator_module
from adapters.shopee.adapter import ShopeeAdapter
from adapters.shopee.signing import ShopeeAuth, base_string, sign
from adapters.shopee.simulator import ShopeeSimulator
from syncd.adapter import AdapterContext, Credentials
from syncd.errors import Rejected
from syncd.http import CircuitBreaker, Limiter
from tests.contract.harness_shopee import ShopeeHarness

# §7.1 inputs (made up, safe as fixtures)
PARTNER_ID = 2001234
PARTNER_KEY = "shpk_demo_partner_key_0123456789"
TS = 1700000000
TOKEN = "4a6f4b65546f6b656e41424344454647"  # noqa: S105 - made up (§7.1)
SHOP = 998877
V2 = "/api/v2"
ORDER_DETAIL = f"{V2}/order/get_order_detail"
#: get_order_detail's documented ``response_optional_fields`` values. The reference (§1.4)
#: names item_list, package_list, cancel_by, cancel_reason, pay_time, "…"; the rest is the
#: "Available values" list of the vendor page it cites (SH-API:v2.order.get_order_detail,
#: as crawled in lazykern/ecommerce-api-docs data/raw/shopee/apis/order/).
DOCUMENTED_OPTIONAL = frozenset(
    {
        "buyer_user_id", "buyer_username", "estimated_shipping_fee", "recipient_address",
        "actual_shipping_fee", "goods_to_declare", "note", "note_update_time", "item_list",
        "pay_time", "dropshipper", "dropshipper_phone", "split_up", "buyer_cancel_reason",
        "cancel_by", "cancel_reason", "actual_shipping_fee_confirmed", "buyer_cpf_id",
        "fulfillment_flag", "pickup_done_time", "package_list", "shipping_carrier",
        "payment_method", "total_amount", "invoice_data", "order_chargeable_weight_gram",
        "return_request_due_date", "edt", "payment_info",
    }
)  # fmt: skip
#: "Return by default" on the same page: never optional-field values
BY_DEFAULT = frozenset({"order_status", "create_time", "update_time"})


def independent_sign(path: str, token: str = "", shop: str = "") -> str:
    """§1.3 written out here, independent of syncd's signer."""
    base = f"{PARTNER_ID}{path}{TS}{token}{shop}".encode()
    return hmac.new(PARTNER_KEY.encode(), base, hashlib.sha256).hexdigest()


def signed(path: str, method: str = "GET") -> dict[str, list[str]]:
    """The query ShopeeAuth puts on a request to ``path`` (at the §7.1 timestamp)."""
    auth = ShopeeAuth(PARTNER_ID, PARTNER_KEY, SHOP, token=lambda: TOKEN, clock=lambda: TS)
    request = httpx.Request(method, f"https://partner.shopeemobile.com{path}")
    out = next(auth.auth_flow(request))
    return parse_qs(out.url.query.decode(), keep_blank_values=True)


# ---------------------------------------------------------------- signing (§1.3, §7.1)


def test_reference_vectors_still_verify() -> None:
    shop = base_string(PARTNER_ID, f"{V2}/product/update_stock", TS, TOKEN, SHOP)
    assert shop == f"2001234{V2}/product/update_stock1700000000{TOKEN}998877"
    assert sign(PARTNER_KEY, shop) == (
        "258baeee9888231ebed13f285d6c1218c2ff683cc1dfe3a005af987b83a1d726"
    )
    public = base_string(PARTNER_ID, f"{V2}/auth/access_token/get", TS)
    assert public == f"2001234{V2}/auth/access_token/get1700000000"
    assert sign(PARTNER_KEY, public) == (
        "010eba931a4f1796627194379c7905085534565a0a996fdd7154c16cc23190c5"
    )


def test_signer_applies_reference_vectors_by_path_kind() -> None:
    shop = signed(f"{V2}/product/update_stock", "POST")
    assert shop["sign"] == ["258baeee9888231ebed13f285d6c1218c2ff683cc1dfe3a005af987b83a1d726"]
    assert (shop["access_token"], shop["shop_id"]) == ([TOKEN], [str(SHOP)])
    public = signed(f"{V2}/auth/access_token/get", "POST")
    assert public["sign"] == ["010eba931a4f1796627194379c7905085534565a0a996fdd7154c16cc23190c5"]
    assert "access_token" not in public
    assert "shop_id" not in public


PUBLIC = [
    f"{V2}/shop/auth_partner",
    f"{V2}/shop/cancel_auth_partner",  # §1.2 #8: "same link format" as auth_partner
    f"{V2}/auth/token/get",
    f"{V2}/auth/access_token/get",
    f"{V2}/public/get_shopee_ip_ranges",  # §1.3 "public.*"; §1.6 IP allow-listing
    f"{V2}/public/get_access_token",
    f"{V2}/push/set_app_push_config",  # §1.3 "push config"; §1.6 setup
    f"{V2}/push/get_app_push_config",
    f"{V2}/push/get_lost_push_message",  # §1.4 missed pushes (vendor page: api_type Public)
    f"{V2}/push/confirm_consumed_lost_push_message",
]
SHOP_PATHS = [
    f"{V2}/product/update_stock",
    f"{V2}/product/get_item_list",
    f"{V2}/order/get_order_detail",
    f"{V2}/order/get_order_list",
    f"{V2}/shop/get_shop_info",  # /shop/ is not public as a whole: only the auth links
    f"{V2}/publicity/x",  # a prefix look-alike is not public.*
]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_and_push_paths_sign_without_token_and_shop(path: str) -> None:
    query = signed(path)
    assert query["sign"] == [independent_sign(path)]
    assert "access_token" not in query
    assert "shop_id" not in query


def test_push_path_sign_value() -> None:
    # Computed here with python3 hmac from the §7.1 inputs (no published vector for a
    # push path): HMAC-SHA256(key, "2001234/api/v2/push/get_lost_push_message1700000000").
    path = f"{V2}/push/get_lost_push_message"
    assert base_string(PARTNER_ID, path, TS) == f"2001234{path}1700000000"
    assert signed(path)["sign"] == [independent_sign(path)]
    assert signed(path)["sign"] != [independent_sign(path, TOKEN, str(SHOP))]


@pytest.mark.parametrize("path", SHOP_PATHS)
def test_shop_paths_sign_with_token_and_shop(path: str) -> None:
    query = signed(path)
    assert query["sign"] == [independent_sign(path, TOKEN, str(SHOP))]
    assert (query["access_token"], query["shop_id"]) == ([TOKEN], [str(SHOP)])


@pytest.mark.parametrize(
    ("path", "kind"), [(p, "public") for p in PUBLIC] + [(p, "shop") for p in SHOP_PATHS]
)
def test_path_kind(path: str, kind: str) -> None:
    assert signing.path_kind(path) == kind


# ---------------------------------------------------------------- get_order_detail (§1.4)


class Recorder(httpx.HTTPTransport):
    """A real transport that keeps every request as sent."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return super().handle_request(request)


@dataclasses.dataclass
class Shop:
    h: ShopeeHarness
    wire: Recorder
    adapter: ShopeeAdapter | None = None
    tokens: Credentials | None = None

    @property
    def sim(self) -> ShopeeSimulator:
        return self.h.sim

    def make(self) -> ShopeeAdapter:
        ctx = AdapterContext(
            shop_id=self.h.shop_id,
            settings=self.h.settings(),
            secrets=self.h.secrets(),
            credentials=lambda: self.tokens,
            now=self.h.now,
        )
        return ShopeeAdapter.create(
            ctx, limiter=Limiter(), breaker=CircuitBreaker(), transport=self.wire
        )


@pytest.fixture
def shop() -> Iterator[Shop]:
    h = ShopeeHarness()
    h.start()
    s = Shop(h, Recorder())
    s.adapter = s.make()
    s.tokens = s.adapter.exchange_code(h.authorize())
    yield s
    s.adapter.close()
    h.stop()


def sim_api(sim: ShopeeSimulator, path: str, params: list[tuple[str, str]]) -> httpx.Response:
    """A raw shop API call to the simulator, signed here."""
    token, _ = sim.issue_tokens(SHOP)
    ts = int(sim.now())
    base = f"{sim.partner_id}{path}{ts}{token}{SHOP}".encode()
    query: list[tuple[str, str | int | float | bool | None]] = [
        ("partner_id", str(sim.partner_id)),
        ("timestamp", str(ts)),
        ("access_token", token),
        ("shop_id", str(SHOP)),
        ("sign", hmac.new(PARTNER_KEY.encode(), base, hashlib.sha256).hexdigest()),
        *params,
    ]
    return httpx.get(sim.base_url + path, params=query, timeout=5.0)


def test_simulator_documented_optional_fields() -> None:
    assert simulator_module.ORDER_DETAIL_OPTIONAL_FIELDS == DOCUMENTED_OPTIONAL
    assert not BY_DEFAULT & DOCUMENTED_OPTIONAL


@pytest.mark.parametrize(
    "fields",
    ["item_list,order_status", "create_time", "update_time,item_list", "item_list,bogus"],
)
def test_simulator_refuses_undocumented_optional_field(shop: Shop, fields: str) -> None:
    shop.sim.add_item(SHOP, 1, "Sambal", sku="SMB", stock=3)
    sn = shop.sim.place_order(SHOP, [(1, 0, 1)])
    assert sn is not None
    params = [("order_sn_list", sn), ("response_optional_fields", fields)]
    resp = sim_api(shop.sim, ORDER_DETAIL, params)
    body = resp.json()
    assert (resp.status_code, body["error"]) == (400, "error_param"), body
    assert "response_optional_fields" in body["message"]
    assert "response" not in body


def test_simulator_accepts_documented_optional_fields(shop: Shop) -> None:
    shop.sim.add_item(SHOP, 1, "Sambal", sku="SMB", stock=3)
    sn = shop.sim.place_order(SHOP, [(1, 0, 1)])
    assert sn is not None
    params = [("order_sn_list", sn), ("response_optional_fields", "item_list,pay_time,cancel_by")]
    resp = sim_api(shop.sim, ORDER_DETAIL, params)
    assert (resp.status_code, resp.json()["error"]) == (200, ""), resp.json()
    order = resp.json()["response"]["order_list"][0]
    assert order["order_status"] == "UNPAID"  # returned by default
    assert order["item_list"][0]["model_quantity_purchased"] == 1


def detail_fields(wire: Recorder) -> list[set[str]]:
    sent = [r for r in wire.seen if r.url.path == ORDER_DETAIL]
    assert sent
    out = []
    for request in sent:
        query = parse_qs(request.url.query.decode())
        out.append({v for value in query["response_optional_fields"] for v in value.split(",")})
    return out


def test_adapter_asks_only_documented_optional_fields(shop: Shop) -> None:
    shop.sim.add_item(SHOP, 1, "Sambal", sku="SMB", stock=3)
    assert shop.sim.place_order(SHOP, [(1, 0, 1)]) is not None
    assert shop.adapter is not None
    shop.adapter.pull_orders(None, shop.h.now() - dt.timedelta(hours=1))
    for fields in detail_fields(shop.wire):
        assert "item_list" in fields  # §1.8 #1: no lines without it
        assert fields <= DOCUMENTED_OPTIONAL, fields - DOCUMENTED_OPTIONAL
        assert not BY_DEFAULT & fields


def test_adapter_order_details_come_back_with_status_times_and_lines(shop: Shop) -> None:
    sim = shop.sim
    sim.add_item(SHOP, 2, "Kaos", sku="KAOS", models=[(11, "KAOS-M", 80_000, 5)])
    sim.add_item(SHOP, 1, "Sambal", sku="SMB", price=25_000, stock=3)
    created = int(sim.now())
    sn = sim.place_order(SHOP, [(2, 11, 2), (1, 0, 1)])
    assert sn is not None
    sim.advance(90)
    sim.set_order_status(sn, "READY_TO_SHIP")
    assert shop.adapter is not None
    try:
        page = shop.adapter.pull_orders(None, shop.h.now() - dt.timedelta(hours=1))
    except Rejected as exc:  # today: the simulator refuses the undocumented fields
        pytest.fail(f"get_order_detail refused: {exc}")
    (order,) = page.orders
    assert (order.order_id, order.status, order.state) == (sn, "READY_TO_SHIP", "open")
    assert order.created_at == dt.datetime.fromtimestamp(created, dt.UTC)
    assert order.updated_at == dt.datetime.fromtimestamp(created + 90, dt.UTC)
    lines = {(line.item_id, line.variant_id): line for line in order.lines}
    assert set(lines) == {("2", "11"), ("1", "")}
    assert (lines[("2", "11")].sku, lines[("2", "11")].qty) == ("KAOS-M", 2)
    assert (lines[("1", "")].sku, lines[("1", "")].qty) == ("SMB", 1)
