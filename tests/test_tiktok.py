"""TikTok Shop adapter and simulator (reference §3; vectors §7.3).

The contract suite (tests/contract) runs the shared moves; this file pins what is
TikTok's own: the signature vectors, the error table, status spellings, one line
per unit, Tokopedia storefronts, warehouses, the simulator's checks, and the
UNCONFIRMED stock-0 behaviour.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from adapters.tiktok import errors as tt_errors
from adapters.tiktok.adapter import TikTokAdapter, storefronts
from adapters.tiktok.signing import TikTokAuth, TokenSource, sign, string_to_sign
from adapters.tiktok.simulator import DEFAULT_WAREHOUSE, TikTokSimulator
from adapters.tiktok.statuses import STATUS_STATE, canonical, line_state, state_of
from adapters.tiktok.webhook import order_hint, verify
from syncd import catalog, ledger, orders, sync
from syncd.adapter import AdapterContext, Credentials, OrderPage, PriceUpdate, StockUpdate
from syncd.errors import (
    AdapterError,
    MalformedResponse,
    NeedsReauth,
    RateLimited,
    RefreshAuth,
    Rejected,
    Retryable,
    SkippableItem,
    Unrecognized,
)
from syncd.http import CircuitBreaker, Limiter
from tests.contract.harness_tiktok import SECOND_WAREHOUSE
from tests.contract.test_contract import World, build_world

APP_KEY = "6abcdeftt01"
SECRET = "tts_demo_app_secret_9f8e7d6c5b4a"  # noqa: S105 - §7.3 fixture
SHOP = "7494049642642441621"
T0 = 1_700_000_000.0
P1, P2 = "1729592969712207001", "1729592969712207002"
S11, S12, S21 = "1729592969712208011", "1729592969712208012", "1729592969712208021"
INVENTORY = f"/product/202309/products/{P1}/inventory/update"


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def sim() -> Iterator[TikTokSimulator]:
    with TikTokSimulator(app_key=APP_KEY, app_secret=SECRET, clock=lambda: T0) as s:
        s.add_shop(SHOP, name="Dapur Bu Sri", region="ID")
        s.add_item(
            SHOP,
            P1,
            "Nastar",
            models=[(S11, "NASTAR-250", 45000, 5), (S12, "NASTAR-500", 85000, 5)],
        )
        s.add_item(
            SHOP,
            P2,
            "Kopi",
            models=[(S21, "KOPI-250", 45000, (3, 2))],
            warehouses=(DEFAULT_WAREHOUSE, SECOND_WAREHOUSE),
        )
        yield s


class Shop:
    """An adapter on the simulator with its tokens held here (no store)."""

    def __init__(
        self,
        sim: TikTokSimulator,
        *,
        settings: dict[str, Any] | None = None,
        now: Callable[[], dt.datetime] | None = None,
        shop_id: str = SHOP,
        secret: str = SECRET,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.sim = sim
        self.tokens: Credentials | None = None
        url = sim.base_url
        ctx = AdapterContext(
            shop_id=shop_id,
            settings={
                "app_key": APP_KEY,
                "service_id": sim.service_id,
                "base_url": url,
                "auth_base_url": url,
                "authorize_url": f"{url}/open/authorize",
                "max_attempts": 2,
                "shop_rps": 1000,  # the documented 50 QPS would only slow the tests down
                "app_rps": 1000,
                **(settings or {}),
            },
            secrets={"partner_key": secret},
            credentials=lambda: self.tokens,
            now=now or (lambda: dt.datetime.fromtimestamp(sim.now(), dt.UTC)),
        )
        adapter = TikTokAdapter.create(
            ctx, limiter=Limiter(), breaker=CircuitBreaker(), transport=transport
        )
        assert isinstance(adapter, TikTokAdapter)
        self.adapter = adapter

    def connect(self) -> Credentials:
        self.tokens = self.adapter.exchange_code(self.sim.authorize(SHOP))
        return self.tokens


@pytest.fixture
def shop(sim: TikTokSimulator) -> Iterator[Shop]:
    s = Shop(sim)
    s.connect()
    yield s
    s.adapter.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world("tiktok", tmp_path)
    yield w
    w.close()


_HTTP: list[httpx.Client] = []


@pytest.fixture(scope="module", autouse=True)
def _one_http_client() -> Iterator[None]:
    _HTTP.append(httpx.Client(timeout=5))
    yield
    _HTTP.pop().close()


def raw_call(
    sim: TikTokSimulator,
    method: str,
    path: str,
    *,
    token: str | None,
    params: dict[str, str] | None = None,
    body: bytes = b"",
    skew: int = 0,
) -> dict[str, Any]:
    """A hand-signed request, for the simulator's checks."""
    query = {"app_key": APP_KEY, "timestamp": str(int(sim.now()) + skew), **(params or {})}
    query["sign"] = sign(SECRET, path, query, body)
    headers = {"content-type": "application/json"}
    if token:
        headers["x-tts-access-token"] = token
    reply = _HTTP[0].request(
        method, sim.base_url + path, params=query, content=body, headers=headers
    )
    out: dict[str, Any] = reply.json()
    out["http"] = reply.status_code
    return out


# ---------------------------------------------------------------- signing (§3.3, §7.3)


def test_vendor_example_vector() -> None:
    params = {"app_key": "29a39d", "timestamp": "1623812664"}
    path = "/authorization/202309/shops"
    wrapped = b"e59af819cc" + string_to_sign(path, params) + b"e59af819cc"
    assert (
        wrapped
        == b"e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc"
    )
    assert (
        sign("e59af819cc", path, params)
        == "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    )


def test_post_with_body_vector_leaves_access_token_out() -> None:
    path = "/product/202309/products/1729592969712207013/inventory/update"
    params = {
        "app_key": "6abcdeftt01",
        "shop_cipher": "ROW_demoCipher123",
        "timestamp": "1700000000",
        "access_token": "TTP_should_be_ignored",
    }
    body = (
        b'{"skus":[{"id":"1729592969712207099","inventory":'
        b'[{"warehouse_id":"7000714532876273420","quantity":25}]}]}'
    )
    assert b"TTP_should_be_ignored" not in string_to_sign(path, params, body)
    assert string_to_sign(path, params, body) == (
        path.encode() + b"app_key6abcdeftt01shop_cipherROW_demoCipher123timestamp1700000000" + body
    )
    expected = "4f0c55ada53ed230e6e9a9ebdcc07f524d0f097a2ebd74e18799caaad2d9d80b"
    assert sign(SECRET, path, params, body) == expected
    params.pop("access_token")
    assert sign(SECRET, path, params, body) == expected


def test_webhook_vector_verifies() -> None:
    body = (
        b'{"type":1,"tts_notification_id":"7327112393057371910","shop_id":"7494049642642441621",'
        b'"timestamp":1700000000,"data":{"order_id":"576486316948490001","order_status":'
        b'"AWAITING_SHIPMENT","is_on_hold_order":false,"update_time":1700000000}}'
    )
    header = "5442fdd350c0cd39b2826a06bf4e4636c410b004713ebb3421a85384a4f22e8d"
    assert verify(APP_KEY, SECRET, body, header)
    assert not verify(APP_KEY, SECRET, body.replace(b"AWAITING", b"AWAITINX"), header)


def test_auth_signs_the_bytes_sent_with_the_token_in_a_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 0})

    source = TokenSource(token=lambda: "TTP_token", cipher=lambda: "ROW_cipher")
    auth = TikTokAuth(APP_KEY, SECRET, source, clock=lambda: T0)
    with httpx.Client(auth=auth, transport=httpx.MockTransport(handler)) as client:
        client.post("http://x/product/202309/products/1/inventory/update", json={"a": "é"})
        client.get("http://x/authorization/202309/shops")
        client.get("http://x/api/v2/token/get", params={"app_key": APP_KEY, "auth_code": "c"})
    post, shops, token = seen
    for request in (post, shops):
        query = {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}
        assert request.headers["x-tts-access-token"] == "TTP_token"
        assert "access_token" not in query
        assert query["sign"] == sign(SECRET, request.url.path, query, request.content)
    assert "ROW_cipher" in str(post.url)  # shop API: cipher sent
    assert "shop_cipher" not in str(shops.url)  # not a shop API: cipher refused (§3.9 #7)
    assert "sign" not in str(token.url)  # the auth host is not signed
    assert "x-tts-access-token" not in token.headers


def test_a_shop_api_call_without_a_stored_cipher_asks_for_a_new_connection(shop: Shop) -> None:
    assert shop.tokens is not None
    shop.tokens.extra.pop("shop_cipher")
    with pytest.raises(NeedsReauth) as info:
        list(shop.adapter.discover())
    assert info.value.code == "no_shop_cipher"


# ---------------------------------------------------------------- repeated query keys

# Issue 11 item 4: ``ids=2&ids=1`` went out, and was signed, as ``ids=2``.
#
# §3.3 says "sort by key, concatenate key + value" and is silent on a key sent more
# than once. TikTok's official Go SDK (the Partner Center download, ``sdk_golang``;
# ``apis/client.go`` ``calSign``) writes each key once, sorted, followed by all its
# values in the order sent joined with ",": ``ids=2&ids=1`` signs as ``ids2,1``, the
# same string as the SDK's own wire form ``ids=2,1``. UNCONFIRMED: what the live
# server does with a key *repeated on the wire* (the SDK itself always sends one
# comma-joined value, and the hand-written samples on the vendor's signing page read
# only the first value); no live call was made.
ORDER_DETAIL = "/order/202309/orders"  # Get Order Detail takes the array query ``ids``
REPEATED = [("ids", "2"), ("ids", "1")]


def hand_sign(text: str) -> str:
    """§3.3 steps 5-6 over a string written out by hand, independent of the signer."""
    key = SECRET.encode()
    return hmac.new(key, key + text.encode() + key, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "params",
    [
        [("ids", "2"), ("app_key", APP_KEY), ("ids", "1"), ("timestamp", "1700000000")],
        {"app_key": APP_KEY, "timestamp": "1700000000", "ids": ["2", "1"]},
        httpx.QueryParams([("app_key", APP_KEY), ("timestamp", "1700000000"), *REPEATED]),
    ],
    ids=["pairs", "mapping-of-lists", "httpx-query-params"],
)
def test_signer_signs_every_occurrence_of_a_repeated_key(params: Any) -> None:
    """Every occurrence is signed: key once, values in sent order joined with ","
    (official Go SDK ``calSign``); UNCONFIRMED against the live server for a key repeated
    on the wire. The reference vectors still verify, in the new input forms too."""
    text = f"{ORDER_DETAIL}app_key{APP_KEY}ids2,1timestamp1700000000"
    assert string_to_sign(ORDER_DETAIL, params) == text.encode()
    assert sign(SECRET, ORDER_DETAIL, params) == hand_sign(text)
    one_value = {"app_key": APP_KEY, "timestamp": "1700000000", "ids": "2,1"}  # the SDK's wire form
    assert sign(SECRET, ORDER_DETAIL, one_value) == hand_sign(text)
    swapped = {"app_key": APP_KEY, "timestamp": "1700000000", "ids": ["1", "2"]}
    assert sign(SECRET, ORDER_DETAIL, swapped) != hand_sign(text)  # the sent order counts
    vendor = [("timestamp", "1623812664"), ("app_key", "29a39d")]
    assert sign("e59af819cc", "/authorization/202309/shops", vendor) == (
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    )


def test_auth_sends_and_signs_every_occurrence_of_a_repeated_key() -> None:
    """The httpx Auth keeps every occurrence on the wire and signs them all (rule above;
    UNCONFIRMED against the live server for a key repeated on the wire)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 0})

    source = TokenSource(token=lambda: "TTP_token", cipher=lambda: "ROW_cipher")
    auth = TikTokAuth(APP_KEY, SECRET, source, clock=lambda: T0)
    with httpx.Client(auth=auth, transport=httpx.MockTransport(handler)) as client:
        client.get(f"http://x{ORDER_DETAIL}", params={"ids": ["2", "1"]})
    [request] = seen
    assert request.url.params.get_list("ids") == ["2", "1"]
    assert len(request.url.params.get_list("sign")) == 1
    text = f"{ORDER_DETAIL}app_key{APP_KEY}ids2,1shop_cipherROW_ciphertimestamp{int(T0)}"
    assert request.url.params["sign"] == hand_sign(text)


def test_adapter_sends_every_occurrence_and_the_simulator_accepts_it(
    sim: TikTokSimulator,
) -> None:
    """End to end through the adapter's client: both ``ids`` reach the server, whose own
    check over all occurrences (rule above; UNCONFIRMED for the live server) passes."""
    wire: list[httpx.Request] = []

    class Recording(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            wire.append(request)
            return super().handle_request(request)

    s = Shop(sim, transport=Recording())
    s.connect()
    path = f"/product/202309/products/{P1}"  # any shop API; the simulator ignores ``ids`` here
    answer = s.adapter.client.request("GET", path, params={"ids": ["2", "1"]})
    s.adapter.close()
    assert answer["code"] == 0
    [sent] = [r for r in wire if r.url.path == path]
    assert sent.url.params.get_list("ids") == ["2", "1"]


def test_simulator_refuses_a_sign_over_only_one_occurrence(sim: TikTokSimulator) -> None:
    """The simulator checks the sign over every occurrence, as the real API would (rule
    above; UNCONFIRMED for the live server): a sign over only the last occurrence (or
    only the first, what the old signer sent) is refused with 106001."""
    token, _ = sim.issue_tokens(SHOP)
    path = f"/product/202309/products/{P1}"
    stamp = str(int(sim.now()))
    cipher = sim.cipher(SHOP)

    def call(ids: str) -> tuple[int, int]:
        """GET with ``ids=2&ids=1`` on the wire, signed over ``ids`` + the given text."""
        signed = hand_sign(f"{path}app_key{APP_KEY}{ids}shop_cipher{cipher}timestamp{stamp}")
        query = [("app_key", APP_KEY), ("timestamp", stamp), ("shop_cipher", cipher)]
        query += [*REPEATED, ("sign", signed)]
        headers = {"x-tts-access-token": token, "content-type": "application/json"}
        reply = _HTTP[0].get(sim.base_url + path, params=query, headers=headers)
        return reply.status_code, reply.json()["code"]

    assert call("ids2,1") == (200, 0)  # every occurrence, in the order sent
    assert call("ids1") == (401, 106001)  # only the last occurrence
    assert call("ids2") == (401, 106001)  # only the first
    assert call("ids1,2") == (401, 106001)  # not in the order sent
    assert call("ids2ids1") == (401, 106001)  # each occurrence as its own key+value


# ---------------------------------------------------------------- error table (§3.7)


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers or {})


ERRORS: list[tuple[int, Any, dict[str, str], type[AdapterError], str]] = [
    (429, {"code": 36009002, "message": "Too many requests"}, {"Retry-After": "3"},
     RateLimited, "36009002:rate_limited"),
    (200, {"code": 36009002, "message": "Too many requests"}, {}, RateLimited,
     "36009002:rate_limited"),
    (503, b"Service Unavailable", {}, Retryable, "http_503"),
    (500, {"code": 36009003, "message": "Internal error"}, {}, Retryable, "http_500"),
    (200, {"code": 36009003, "message": "Internal error"}, {}, Retryable,
     "36009003:internal_error"),
    (200, {"code": 36009007, "message": "Request timeout"}, {}, Retryable, "36009007:timeout"),
    (401, {"code": 105002, "message": "Expired credentials."}, {}, RefreshAuth,
     "105002:token_expired"),
    (401, {"code": 36009004, "message": "Invalid credentials. The `x-tts-access-token` header "
           "is invalid."}, {}, RefreshAuth, "36009004:token_invalid"),
    (401, {"code": 36009004, "message": "Invalid timestamp. The value of the `timestamp` query "
           "parameter must not be earlier than 5 minutes before the current time."}, {},
     Rejected, "36009004:timestamp"),
    (401, {"code": 36009004, "message": "Invalid credentials. Invalid `app_key` query "
           "parameter."}, {}, Rejected, "36009004:credentials_invalid"),
    (400, {"code": 36009004, "message": "Unexpected identifier. The `shop_cipher` query "
           "parameter is not required for this request."}, {}, Rejected,
     "36009004:shop_cipher_unexpected"),
    (401, {"code": 106001, "message": "Invalid credentials. The `sign` query parameter is "
           "invalid."}, {}, Rejected, "106001:sign_invalid"),
    (400, {"code": 106013, "message": "Missing identifier."}, {}, Rejected,
     "106013:shop_cipher_missing"),
    (401, {"code": 101000, "message": "Invalid query or header."}, {}, NeedsReauth,
     "101000:token_shop_mismatch"),
    (200, {"code": 105005, "message": "Access denied."}, {}, NeedsReauth,
     "105005:scope_not_granted"),
    (200, {"code": 36009033, "message": "Access denied. Your IP address …"}, {}, Rejected,
     "36009033:ip_not_allowed"),
    (200, {"code": 36009014, "message": "API version retired"}, {}, Rejected,
     "36009014:version_retired"),
    (200, {"code": 12052393, "message": "Product locked for Promotion"}, {}, SkippableItem,
     "12052393:promotion_lock"),
    (200, {"code": 12052038, "message": "Product price locked"}, {}, SkippableItem,
     "12052038:price_locked"),
    (200, {"code": 12052037, "message": "Couldn't update inventory."}, {}, SkippableItem,
     "12052037:inventory_not_updatable"),
    (200, {"code": 12052999, "message": "some new product error"}, {}, SkippableItem, "12052999"),
    (200, {"code": 77777777, "message": "unknown"}, {}, Unrecognized, "77777777"),
    (401, {"message": "no code at all"}, {}, RefreshAuth, "http_401"),
    (200, b"<html>gateway</html>", {}, MalformedResponse, ""),
    (200, [1, 2], {}, Retryable, "malformed"),
]  # fmt: skip


@pytest.mark.parametrize(("status", "body", "headers", "expected", "code"), ERRORS)
def test_error_table(
    status: int, body: Any, headers: dict[str, str], expected: type[AdapterError], code: str
) -> None:
    with pytest.raises(AdapterError) as info:
        tt_errors.classify(response(status, body, headers))
    assert type(info.value) is expected
    assert info.value.code == code
    if headers.get("Retry-After"):
        assert isinstance(info.value, Retryable)
        assert info.value.retry_after == 3.0


def test_success_is_code_zero_even_on_200() -> None:
    ok = {"code": 0, "message": "Success", "data": {"x": 1}, "request_id": "r"}
    assert tt_errors.classify(response(200, ok)) == ok


def test_every_table_row_maps_to_its_own_class() -> None:
    for rule in tt_errors.ERROR_TABLE:
        message = f"… {rule.fragment} …"
        assert tt_errors.error_class(int(rule.code), message) is rule.cls
        assert tt_errors.label(int(rule.code), message) == f"{rule.code}:{rule.name}"


# ---------------------------------------------------------------- statuses (§3.5, §3.9 #2)


@pytest.mark.parametrize(
    ("word", "spelled", "state"),
    [
        ("UNPAID", "UNPAID", "open"),
        ("ON_HOLD", "ON_HOLD", "open"),
        ("AWAITING_SHIPMENT", "AWAITING_SHIPMENT", "open"),
        ("PARTIALLY_SHIPPING", "PARTIALLY_SHIPPING", "open"),
        ("AWAITING_COLLECTION", "AWAITING_COLLECTION", "open"),
        ("IN_TRANSIT", "IN_TRANSIT", "shipped"),
        ("DELIVERED", "DELIVERED", "shipped"),
        ("COMPLETED", "COMPLETED", "shipped"),
        ("CANCELLED", "CANCELLED", "cancelled"),  # the API's spelling
        ("CANCEL", "CANCELLED", "cancelled"),  # the webhook's spelling
        ("CANCELED", "CANCELLED", "cancelled"),
        (" cancel ", "CANCELLED", "cancelled"),
        ("SOMETHING_NEW", "SOMETHING_NEW", None),
    ],
)
def test_status_normalization(word: str, spelled: str, state: str | None) -> None:
    assert canonical(word) == spelled
    assert state_of(word) == state


def test_every_api_status_is_in_the_table() -> None:
    from adapters.tiktok.simulator import ORDER_STATUSES

    assert set(STATUS_STATE) == ORDER_STATUSES


@pytest.mark.parametrize(
    ("display", "package", "state"),
    [
        ("IN_TRANSIT", "FULFILLING", "shipped"),
        ("CANCELLED", None, "cancelled"),
        ("CANCEL", None, "cancelled"),
        ("AWAITING_SHIPMENT", "TO_FULFILL", "open"),
        (None, "PROCESSING", "open"),
        (None, "COMPLETED", "shipped"),
        (None, "CANCELLED", None),  # a lost package is not a release
        (None, None, None),  # no line status: the order's applies
    ],
)
def test_line_state(display: str | None, package: str | None, state: str | None) -> None:
    assert line_state(display, package) == state


def test_the_webhook_says_cancel_and_is_read_as_cancelled(shop: Shop) -> None:
    sim = shop.sim
    order = sim.place_order(SHOP, [(P1, S11, 1)])
    assert order is not None
    sim.set_order_status(order, "CANCELLED")
    header, body = sim.webhooks[-1]
    assert json.loads(body)["data"]["order_status"] == "CANCEL"  # as TikTok sends it
    assert verify(APP_KEY, SECRET, body, header)
    hint = order_hint(body)
    assert hint is not None
    assert (hint.order_id, hint.status, hint.state) == (order, "CANCELLED", "cancelled")
    [pulled] = shop.adapter.pull_orders(None, dt.datetime.fromtimestamp(T0 - 60, dt.UTC)).orders
    assert (pulled.status, pulled.state) == (hint.status, hint.state)  # one word for both


# ---------------------------------------------------------------- orders: one line per unit


def since() -> dt.datetime:
    return dt.datetime.fromtimestamp(T0 - 3600, dt.UTC)


def test_each_unit_is_its_own_line(shop: Shop) -> None:
    order = shop.sim.place_order(SHOP, [(P1, S11, 3), (P2, S21, 1)])
    page = shop.adapter.pull_orders(None, since())
    [pulled] = page.orders
    assert pulled.order_id == order
    assert [line.qty for line in pulled.lines] == [1, 1, 1, 1]
    sim_lines = shop.sim.orders[str(order)].lines
    assert [x.line_id for x in pulled.lines] == [x.line_id for x in sim_lines]
    assert len({x.line_id for x in pulled.lines}) == 4
    assert [(x.item_id, x.variant_id, x.sku) for x in pulled.lines[2:]] == [
        (P1, S11, "NASTAR-250"),
        (P2, S21, "KOPI-250"),
    ]
    assert all(x.state == "open" and x.status == "UNPAID" for x in pulled.lines)


def test_units_counted_in_the_ledger_and_released_one_by_one(world: World) -> None:
    h = world.harness
    h.seed()
    sync.discover(world.store, world.rt)
    x = world.listing("NASTAR-250")
    sku = catalog.get_sku(world.store, world.tenant.id, "NASTAR-250")
    order = h.place_order(x.item_id, x.variant_id, 3)
    assert order is not None
    assert sync.pull_orders(world.store, world.rt).new_lines == 3
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (40, 3)
    first, second, _third = h.sim.orders[order].lines
    h.advance(5)
    h.sim.set_line_status(order, first.line_id, "CANCELLED")  # one unit cancelled on its own
    h.sim.set_line_status(order, second.line_id, "IN_TRANSIT")
    h.sim.set_order_status(order, "PARTIALLY_SHIPPING")
    sync.pull_orders(world.store, world.rt)
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (39, 1)
    states = sorted(s for _, _, s, _ in orders.lines_of(world.store, world.account.id))
    assert states == ["cancelled", "open", "shipped"]


def test_a_cancellation_seen_before_the_creation_moves_no_stock(world: World) -> None:
    h = world.harness
    h.seed()
    sync.discover(world.store, world.rt)
    x = world.listing("KOPI-250")
    sku = catalog.get_sku(world.store, world.tenant.id, "KOPI-250")
    order = h.place_order(x.item_id, x.variant_id, 2)
    assert order is not None
    h.advance(3)
    h.set_state(order, "cancelled")  # the buyer cancels before syncd ever saw the order
    hint = order_hint(h.sim.webhooks[-1][1])  # and the CANCEL webhook arrives first
    assert hint is not None
    assert hint.state == "cancelled"
    report = sync.pull_orders(world.store, world.rt)
    assert (report.new_lines, report.movements) == (2, 0)
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (20, 0)
    # the creation event (an older snapshot: still open) arrives late: it changes nothing
    assert world.rt.adapter is not None
    [seen] = world.rt.adapter.pull_orders(None, dt.datetime.fromisoformat("2000-01-01")).orders
    stale = dataclasses.replace(
        seen,
        status="AWAITING_SHIPMENT",
        state="open",
        updated_at=seen.created_at,
        lines=tuple(
            dataclasses.replace(ln, state="open", status="AWAITING_SHIPMENT") for ln in seen.lines
        ),
    )
    cursor = orders.load_cursor(world.store, world.account.id)
    assert cursor is not None
    late = orders.ingest(
        world.store,
        world.tenant.id,
        world.account.id,
        OrderPage([stale], cursor, more=False),
        integration_start=world.account.integration_start,
    )
    assert (late.ignored, late.movements) == (2, 0)
    assert ledger.balance(world.store, world.tenant.id, sku.id) == (20, 0)


def test_order_cursor_overlaps_and_pages_by_token(shop: Shop) -> None:
    shop.adapter.push_stock([StockUpdate(1, P1, S11, 500, 1)])
    for _ in range(150):
        assert shop.sim.place_order(SHOP, [(P1, S11, 1)]) is not None
    first = shop.adapter.pull_orders(None, since())
    assert (len(first.orders), first.more) == (100, True)
    state = json.loads(first.cursor)
    assert state["page"]
    second = shop.adapter.pull_orders(first.cursor, since())
    assert (len(second.orders), second.more) == (50, False)
    nxt = json.loads(second.cursor)
    assert nxt == {"from": state["to"] - 120, "page": ""}  # the next pass overlaps by 2 min
    assert len({o.order_id for o in first.orders + second.orders}) == 150


# ---------------------------------------------------------------- Tokopedia: storefronts


def test_storefronts_and_cipher_land_in_credentials_extra(shop: Shop) -> None:
    tokens = shop.tokens
    assert tokens is not None
    assert tokens.extra["storefronts"] == ["TikTok Shop", "Tokopedia"]
    assert tokens.extra["shop_cipher"] == shop.sim.cipher(SHOP)
    assert tokens.extra["region"] == "ID"
    refreshed = shop.adapter.refresh(tokens)
    assert refreshed.extra["shop_cipher"] == tokens.extra["shop_cipher"]
    assert refreshed.extra["storefronts"] == ["TikTok Shop", "Tokopedia"]


@pytest.mark.parametrize(
    ("setting", "region", "expected"),
    [
        (None, "ID", ["TikTok Shop", "Tokopedia"]),
        (None, "MY", ["TikTok Shop"]),
        (["Tokopedia"], "ID", ["Tokopedia"]),  # a seller who only sells on Tokopedia says so
    ],
)
def test_storefronts_by_setting_or_region(
    setting: list[str] | None, region: str, expected: list[str]
) -> None:
    assert storefronts({"storefronts": setting} if setting else {}, region) == expected


def test_storefronts_reach_the_account_settings(world: World) -> None:
    world.harness.seed()
    sync.discover(world.store, world.rt)
    settings = json.loads(
        world.store.scalar("SELECT settings FROM channel_account WHERE id = ?", (world.account.id,))
    )
    assert settings["storefronts"] == ["TikTok Shop", "Tokopedia"]


def test_a_product_on_both_storefronts_is_bound_once(shop: Shop) -> None:
    shop.sim.add_item(SHOP, "1729592969712207005", "Tokopedia only", sku="TOKO-1", stock=4,
                      platforms=("TOKOPEDIA",))  # fmt: skip
    shop.sim.add_item(SHOP, "1729592969712207006", "Gone", sku="GONE-1", status="DELETED")
    listings = list(shop.adapter.discover())
    skus = [x.sku for x in listings]
    assert skus.count("NASTAR-250") == 1  # on TikTok Shop and Tokopedia: one product, one SKU
    assert "TOKO-1" in skus  # listed on Tokopedia only (no `status` field): still found
    assert "GONE-1" not in skus  # deleted everywhere


# ---------------------------------------------------------------- tokens and shops


def test_token_expiries_are_timestamps_and_refresh_tokens_are_stored(shop: Shop) -> None:
    tokens = shop.tokens
    assert tokens is not None
    assert tokens.access_expires_at == dt.datetime.fromtimestamp(T0 + 7 * 86400, dt.UTC)
    assert tokens.auth_expires_at == tokens.refresh_expires_at
    new = shop.adapter.refresh(tokens)
    assert new.refresh_token != tokens.refresh_token  # what came back is what we keep
    with pytest.raises(NeedsReauth):  # the simulator's strict view: a used one is dead
        shop.adapter.refresh(tokens)


def test_a_shop_not_covered_by_the_authorization_needs_reauth(sim: TikTokSimulator) -> None:
    other = Shop(sim, shop_id="1111111111111111111")
    with pytest.raises(NeedsReauth) as info:
        other.connect()
    assert info.value.code == "shop_not_authorized"
    other.adapter.close()


def test_the_shop_can_be_named_by_its_seller_center_code(sim: TikTokSimulator) -> None:
    code = raw_shops(sim)[0]["code"]
    by_code = Shop(sim, shop_id=code)
    assert by_code.connect().extra["shop_cipher"] == sim.cipher(SHOP)
    by_code.adapter.close()


def raw_shops(sim: TikTokSimulator) -> list[dict[str, Any]]:
    token, _ = sim.issue_tokens(SHOP)
    reply = raw_call(sim, "GET", "/authorization/202309/shops", token=token)
    shops: list[dict[str, Any]] = reply["data"]["shops"]
    return shops


def test_authorization_link_and_login(sim: TikTokSimulator) -> None:
    s = Shop(sim)
    link = s.adapter.authorization_url("ignored: TikTok uses the URL set in Partner Center")
    assert f"service_id={sim.service_id}" in link
    sim.next_login_shop = SHOP
    reply = _HTTP[0].get(link)
    assert reply.status_code == 302
    code = parse_qs(urlsplit(reply.headers["location"]).query)["code"][0]
    assert s.adapter.exchange_code(code).access_token
    with pytest.raises(Rejected):  # an auth code works once
        s.adapter.exchange_code(code)
    s.adapter.close()


# ---------------------------------------------------------------- stock, warehouses, price


def test_stock_lists_every_warehouse_of_the_sku(shop: Shop) -> None:
    list(shop.adapter.discover())
    result = shop.adapter.push_stock([StockUpdate(7, P2, S21, 9, 1)])
    assert [r.ok for r in result] == [True]
    assert shop.sim.warehouse_stock(SHOP, P2, S21) == {DEFAULT_WAREHOUSE: 9, SECOND_WAREHOUSE: 0}


def test_the_primary_warehouse_can_be_chosen(sim: TikTokSimulator) -> None:
    s = Shop(sim, settings={"warehouse_id": SECOND_WAREHOUSE})
    s.connect()
    s.adapter.push_stock([StockUpdate(7, P2, S21, 9, 1)])  # no discovery: reads the product
    assert sim.warehouse_stock(SHOP, P2, S21) == {DEFAULT_WAREHOUSE: 0, SECOND_WAREHOUSE: 9}
    s.adapter.close()


def test_a_new_warehouse_is_picked_up_on_the_next_try(shop: Shop) -> None:
    list(shop.adapter.discover())
    shop.sim.add_warehouse(P1, "7000714532876273777")
    [failed] = shop.adapter.push_stock([StockUpdate(1, P1, S11, 8, 1)])
    assert not failed.ok
    assert failed.retry  # stale warehouses: worth another try
    assert "12052037" in failed.error
    [ok] = shop.adapter.push_stock([StockUpdate(1, P1, S11, 8, 2)])
    assert ok.ok
    assert shop.sim.warehouse_stock(SHOP, P1, S11)["7000714532876273777"] == 0


def test_one_sku_failing_leaves_the_others_applied(shop: Shop) -> None:
    shop.sim.fail_model(P1, S12, "Product locked for Promotion", code=12052393)
    results = shop.adapter.push_stock(
        [StockUpdate(1, P1, S11, 7, 1), StockUpdate(2, P1, S12, 7, 2)]
    )
    assert [(r.listing_id, r.ok, r.retry) for r in results] == [(1, True, False), (2, False, False)]
    assert results[1].error.startswith("12052393:promotion_lock")
    assert (shop.sim.stock(SHOP, P1, S11), shop.sim.stock(SHOP, P1, S12)) == (7, 5)


def test_quantities_above_the_documented_maximum_are_lowered(shop: Shop) -> None:
    shop.adapter.push_stock([StockUpdate(1, P1, S11, 250_000, 1)])
    assert shop.sim.stock(SHOP, P1, S11) == 99_999


def test_UNCONFIRMED_stock_zero_is_sent_as_zero_never_rounded_up(shop: Shop) -> None:
    """UNCONFIRMED (§3.4/§9): docs say 1–99,999. We send the true 0; never 1."""
    assert shop.sim.accept_zero_stock
    [result] = shop.adapter.push_stock([StockUpdate(1, P1, S11, 0, 1)])
    assert result.ok
    assert shop.sim.stock(SHOP, P1, S11) == 0
    shop.adapter.push_stock([StockUpdate(2, P1, S12, -3, 1)])  # oversold: still 0, not -3
    assert shop.sim.stock(SHOP, P1, S12) == 0


def test_UNCONFIRMED_stock_zero_refused_is_reported_failed_and_parked(shop: Shop) -> None:
    """If TikTok refuses 0 (the docs' letter), the SKU fails with the reason for the seller
    and is not retried until its value changes; the channel is never shown 1 instead."""
    shop.sim.accept_zero_stock = False
    [result] = shop.adapter.push_stock([StockUpdate(1, P1, S11, 0, 1)])
    assert not result.ok
    assert not result.retry
    assert "12052055" in result.error
    assert "stock 0" in result.error
    assert "UNCONFIRMED" in result.error
    assert shop.sim.stock(SHOP, P1, S11) == 5  # untouched, and never 1
    # a SKU in two warehouses gets 0 in the second one: refused the same way, same hint
    [two] = shop.adapter.push_stock([StockUpdate(3, P2, S21, 4, 1)])
    assert (two.ok, two.retry) == (False, False)
    assert "stock 0" in two.error
    assert shop.sim.warehouse_stock(SHOP, P2, S21) == {DEFAULT_WAREHOUSE: 3, SECOND_WAREHOUSE: 2}


def test_price_is_one_call_per_product_all_or_nothing(shop: Shop) -> None:
    results = shop.adapter.push_price(
        [PriceUpdate(1, P1, S11, 47000, 1), PriceUpdate(2, P1, S12, 88000, 1)]
    )
    assert all(r.ok for r in results)
    assert (shop.sim.price(SHOP, P1, S11), shop.sim.price(SHOP, P1, S12)) == (47000, 88000)
    shop.sim.fail_model(P1, S12, "Product price locked due to ongoing promotion.", code=12052038)
    with pytest.raises(SkippableItem) as info:
        shop.adapter.push_price(
            [PriceUpdate(1, P1, S11, 1000, 2), PriceUpdate(2, P1, S12, 1000, 2)]
        )
    assert info.value.code == "12052038:price_locked"
    assert shop.sim.price(SHOP, P1, S11) == 47000  # nothing applied


def test_discovery_slices_searches_beyond_the_result_cap(shop: Shop) -> None:
    shop.sim.search_cap = shop.adapter.search_cap = 3
    for n in range(7):
        shop.sim.advance(10)
        shop.sim.add_item(SHOP, f"17295929697122071{n:02d}", f"Item {n}", sku=f"ITEM-{n}")
    skus = [x.sku for x in shop.adapter.discover()]
    assert sorted(skus) == sorted(
        ["NASTAR-250", "NASTAR-500", "KOPI-250"] + [f"ITEM-{n}" for n in range(7)]
    )


# ---------------------------------------------------------------- the simulator's own checks


def test_simulator_timestamp_window(sim: TikTokSimulator) -> None:
    token, _ = sim.issue_tokens(SHOP)
    path = "/authorization/202309/shops"
    assert raw_call(sim, "GET", path, token=token, skew=-299)["code"] == 0
    assert raw_call(sim, "GET", path, token=token, skew=29)["code"] == 0
    old = raw_call(sim, "GET", path, token=token, skew=-301)
    early = raw_call(sim, "GET", path, token=token, skew=31)
    assert (old["code"], early["code"]) == (36009004, 36009004)
    assert "5 minutes" in old["message"]
    assert "30 seconds" in early["message"]


def test_adapter_with_a_skewed_clock_is_told_to_fix_it(sim: TikTokSimulator) -> None:
    skewed = Shop(sim, now=lambda: dt.datetime.fromtimestamp(sim.now() - 400, dt.UTC))
    with pytest.raises(Rejected) as info:
        skewed.connect()
    assert info.value.code == "36009004:timestamp"
    skewed.adapter.close()


def test_simulator_checks_token_header_cipher_and_versions(sim: TikTokSimulator) -> None:
    token, _ = sim.issue_tokens(SHOP)
    cipher = {"shop_cipher": sim.cipher(SHOP)}
    search = "/product/202502/products/search"
    page = {"page_size": "10"}
    assert (
        raw_call(sim, "POST", search, token=token, params={**page, **cipher}, body=b"{}")["code"]
        == 0
    )
    assert (
        raw_call(sim, "POST", search, token=None, params={**page, **cipher}, body=b"{}")["code"]
        == 36009004
    )
    assert raw_call(sim, "POST", search, token=token, params=page, body=b"{}")["code"] == 106013
    shops = raw_call(sim, "GET", "/authorization/202309/shops", token=token, params=cipher)
    assert shops["code"] == 36009004  # a cipher on a non-shop API is refused
    assert "shop_cipher" in shops["message"]
    retired = raw_call(sim, "POST", "/product/202212/products/search", token=token,
                       params={**page, **cipher}, body=b"{}")  # fmt: skip
    assert retired["code"] == 36009014
    legacy = raw_call(sim, "POST", "/api/products/search", token=token, params=cipher, body=b"{}")
    assert (legacy["http"], legacy["code"]) == (404, 36009009)
    tampered = {**page, **cipher, "sign": "0" * 64}
    query = {"app_key": APP_KEY, "timestamp": str(int(sim.now())), **tampered}
    headers = {"x-tts-access-token": token, "content-type": "application/json"}
    reply = _HTTP[0].post(sim.base_url + search, params=query, content=b"{}", headers=headers)
    assert (reply.status_code, reply.json()["code"]) == (401, 106001)


def test_simulator_checks_inventory_batch_shape(sim: TikTokSimulator) -> None:
    token, _ = sim.issue_tokens(SHOP)
    cipher = {"shop_cipher": sim.cipher(SHOP)}

    def update(skus: list[dict[str, Any]]) -> dict[str, Any]:
        body = json.dumps({"skus": skus}, separators=(",", ":")).encode()
        return raw_call(sim, "POST", INVENTORY, token=token, params=cipher, body=body)

    inv = [{"warehouse_id": DEFAULT_WAREHOUSE, "quantity": 4}]
    assert update([{"id": S11, "inventory": inv}])["code"] == 0
    assert update([{"id": S21, "inventory": inv}])["code"] == 12052557  # another product's SKU
    assert update([{"id": S11, "inventory": inv}] * 2)["code"] == 12052553
    assert update([{"id": str(n), "inventory": inv} for n in range(101)])["code"] == 12052050
    assert update([])["code"] == 12052902
    kopi = f"/product/202309/products/{P2}/inventory/update"
    body = json.dumps({"skus": [{"id": S21, "inventory": inv}]}).encode()
    missing = raw_call(sim, "POST", kopi, token=token, params=cipher, body=body)
    assert missing["code"] == 0  # per-SKU errors come inside a successful answer
    [error] = missing["data"]["errors"]
    assert (error["code"], error["detail"]["sku_id"]) == (12052037, S21)  # a warehouse left out
    assert sim.stock(SHOP, P2, S21) == 5


def test_simulator_page_tokens_belong_to_their_query(sim: TikTokSimulator) -> None:
    token, _ = sim.issue_tokens(SHOP)
    cipher = {"shop_cipher": sim.cipher(SHOP)}
    search = "/product/202502/products/search"
    first = raw_call(
        sim, "POST", search, token=token, params={"page_size": "1", **cipher}, body=b"{}"
    )
    page_token = first["data"]["next_page_token"]
    assert page_token
    again = {"page_size": "1", "page_token": page_token, **cipher}
    assert raw_call(sim, "POST", search, token=token, params=again, body=b"{}")["code"] == 0
    other = raw_call(sim, "POST", search, token=token, params=again, body=b'{"status":"ACTIVATE"}')
    assert other["code"] == 12052910


def test_simulator_rate_limit_answers_429_with_the_throttle_code(sim: TikTokSimulator) -> None:
    sim.rate_limit = (1.0, 2)
    token, _ = sim.issue_tokens(SHOP)
    path = "/authorization/202309/shops"
    codes = [raw_call(sim, "GET", path, token=token) for _ in range(3)]
    assert [(c["http"], c["code"]) for c in codes] == [(200, 0), (200, 0), (429, 36009002)]


# ---------------------------------------------------------------- registry and secrets


def test_tokopedia_shops_use_the_tiktok_adapter() -> None:
    import adapters

    assert adapters.load("tokopedia") is TikTokAdapter
    assert adapters.load("tiktok").limits.one_item_per_call


def test_missing_app_key_or_secret_is_a_clear_error() -> None:
    ctx = AdapterContext("1", {}, {"partner_key": SECRET}, credentials=lambda: None)
    with pytest.raises(Rejected, match="app_key"):
        TikTokAdapter.create(ctx, limiter=Limiter(), breaker=CircuitBreaker())
    ctx = AdapterContext("1", {"app_key": APP_KEY}, {}, credentials=lambda: None)
    with pytest.raises(Rejected, match="secret"):
        TikTokAdapter.create(ctx, limiter=Limiter(), breaker=CircuitBreaker())


def test_secrets_stay_out_of_errors_and_logs(
    sim: TikTokSimulator, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The app secret rides in the token calls' query and the token in a header: neither
    may show up in an error or a log line, whatever fails."""
    caplog.set_level("DEBUG")
    sim.timeout_hold = 1.0
    s = Shop(sim, settings={"timeout": 0.3})
    tokens = s.connect()
    errors: list[str] = []
    faults = ["500", "timeout", "malformed", "error_body:36009003:busy", "429", "expire_token"]
    for fault in faults:
        sim.inject(fault, INVENTORY, times=3)
        try:
            s.adapter.push_stock([StockUpdate(1, P1, S11, 3, 1)])
        except AdapterError as exc:
            errors.append(repr(exc) + str(exc))
    for fault in ("500", "timeout", "error_body:36009004:Invalid credentials."):
        sim.inject(fault, "/api/v2/token/refresh", times=3)
        try:
            s.adapter.refresh(tokens)
        except AdapterError as exc:
            errors.append(repr(exc) + str(exc))
    s.adapter.close()
    wrong = Shop(sim, secret=SECRET[::-1])
    wrong.tokens = tokens
    with pytest.raises(Rejected) as info:
        list(wrong.adapter.discover())
    errors.append(repr(info.value) + str(info.value))
    wrong.adapter.close()
    out, err = capsys.readouterr()
    text = "\n".join([*errors, out, err, *(r.getMessage() for r in caplog.records)])
    assert len(errors) >= 8
    for canary in (SECRET, tokens.access_token, tokens.refresh_token):
        assert canary not in text


def test_a_fresh_adapters_first_pushes_read_the_product_search_once(sim: TikTokSimulator) -> None:
    """A restarted daemon knows no warehouses: one search page, not a Get Product per
    product (the 1,000-member benchmark spent 1,093 calls on those reads)."""
    s = Shop(sim)
    s.connect()
    s.adapter.push_stock([StockUpdate(1, P1, S11, 4, 1)])
    s.adapter.push_stock([StockUpdate(2, P2, S21, 9, 1)])
    paths = [p for (_, p), n in sim.calls.items() for _ in range(n)]
    assert paths.count("/product/202502/products/search") == 1
    assert not [p for p in paths if p.startswith("/product/202309/products/") and "/" not in p[25:]]
    assert sim.warehouse_stock(SHOP, P2, S21) == {DEFAULT_WAREHOUSE: 9, SECOND_WAREHOUSE: 0}
    s.adapter.close()
