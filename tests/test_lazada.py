"""The Lazada adapter and simulator (reference §2; signing checked on §7.2).

Beyond the shared contract suite: the signing vector, the error table as a
table, per-unit order lines, out-of-order events, the 180-day re-authorization
date, ``+07:00`` times on the wire, and batch shapes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from adapters.lazada.adapter import (
    ORDER_ITEMS,
    ORDERS,
    SELLABLE,
    STATUS_STATE,
    LazadaAdapter,
    _payload,
    wib,
)
from adapters.lazada.errors import ERROR_TABLE, classify, normalize
from adapters.lazada.signing import base_string, push_signature, sign
from syncd import catalog, ledger, orders, sync
from syncd.adapter import AdapterContext, Credentials, PriceUpdate, StockUpdate
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
from tests.contract.harness_lazada import LazadaHarness
from tests.contract.test_contract import World, build_world

SECRET = "lzd_demo_app_secret_abcdef0123"  # noqa: S105 - made up (§7.2)
DAY = 86_400
WIB_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00")


# ---------------------------------------------------------------- fixtures


class Recorder(httpx.HTTPTransport):
    """A real transport that keeps every request as sent (URL, form body)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.seen.append(request)
        return super().handle_request(request)


@dataclasses.dataclass
class Shop:
    """A started simulator, one seller, and an adapter whose tokens live in ``tokens``."""

    h: LazadaHarness
    adapter: LazadaAdapter
    wire: Recorder
    tokens: Credentials | None = None

    @property
    def seller(self) -> int:
        return int(self.h.shop_id)

    def make(self, **settings: Any) -> LazadaAdapter:
        """Another adapter on the same seller (own limiter and breaker)."""
        ctx = AdapterContext(
            shop_id=self.h.shop_id,
            settings={**self.h.settings(), **settings},
            secrets=self.h.secrets(),
            credentials=lambda: self.tokens,
            now=self.h.now,
        )
        return LazadaAdapter.create(
            ctx, limiter=Limiter(), breaker=CircuitBreaker(), transport=self.wire
        )

    def calls(self, path: str) -> int:
        return sum(n for (_, p), n in self.h.sim.calls.items() if p == f"/rest{path}")


@pytest.fixture
def shop() -> Iterator[Shop]:
    h = LazadaHarness()
    h.start()
    s = Shop(h, adapter=None, wire=Recorder())  # type: ignore[arg-type]
    s.adapter = s.make()
    s.tokens = s.adapter.exchange_code(h.authorize())
    yield s
    s.adapter.close()
    h.stop()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world("lazada", tmp_path)
    w.harness.seed()
    sync.discover(w.store, w.rt)
    sync.push(w.store, w.rt)
    yield w
    w.close()


def reserved(w: World, sku: str) -> tuple[int, int]:
    return ledger.balance(w.store, w.tenant.id, catalog.get_sku(w.store, w.tenant.id, sku).id)


# ---------------------------------------------------------------- signing (§2.3, §7.2)


def test_signing_matches_the_reference_vector() -> None:
    params = {
        "app_key": "123456",
        "sign_method": "sha256",
        "timestamp": "1700000000000",
        "access_token": "50000000000aBcDeFgHiJkLmNoPqRsTuVwXyZ",
        "update_after": "2023-11-14T00:00:00+07:00",
        "status": "pending",
        "sort_by": "updated_at",
        "sort_direction": "ASC",
        "offset": "0",
        "limit": "100",
    }
    assert base_string("/orders/get", params) == (
        "/orders/getaccess_token50000000000aBcDeFgHiJkLmNoPqRsTuVwXyZapp_key123456limit100"
        "offset0sign_methodsha256sort_byupdated_atsort_directionASCstatuspending"
        "timestamp1700000000000update_after2023-11-14T00:00:00+07:00"
    )
    assert sign(SECRET, "/orders/get", params) == (
        "4E0E740909B8E8AD3F9E1F90B2FC9C8B469E43D8E6FE300B90D9E96EB32BC9B9"
    )
    assert sign(SECRET, "/orders/get", {**params, "sign": "ignored"}) == sign(
        SECRET, "/orders/get", params
    )


def test_push_signature_matches_the_reference_vector() -> None:
    body = (
        b'{"seller_id":"1234567","message_type":0,"data":{"order_status":"pending",'
        b'"trade_order_id":"260422900198363","trade_order_line_id":"260422900298363",'
        b'"status_update_time":1700000000},"timestamp":1700000001234,"site":"lazada_id"}'
    )
    assert push_signature("123456", SECRET, body) == (
        "bd2d5fa66122cf1859811d30e1864804f59b19b9f503411f5f9f24f0f8b6d633"
    )


def _form(request: httpx.Request) -> dict[str, str]:
    """A request's form-encoded body as a dict (one value per name)."""
    return {k: v[0] for k, v in parse_qs(request.content.decode(), keep_blank_values=True).items()}


SYSTEM = {"app_key", "timestamp", "sign_method", "access_token", "sign"}


def test_post_sends_system_params_and_sign_in_the_form_body_not_the_query(shop: Shop) -> None:
    """§2.3 #5: the sign goes "query string for GET, form field for POST"; lazop-sdk
    (``lazop/base.py``) posts every parameter, system and API, as the form body of the
    bare URL. The sign is over exactly the parameters sent (§7.2's vector still holds)."""
    shop.h.seed()
    shop.adapter.push_stock([StockUpdate(1, "7002", "70020", 9, 1)])
    sent = [r for r in shop.wire.seen if r.url.path == f"/rest{SELLABLE}"][-1]
    assert sent.method == "POST"
    assert sent.url.query == b""  # nothing in the URL: no token, no sign
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = _form(sent)
    assert SYSTEM | {"payload"} == set(form)
    assert shop.tokens is not None
    assert form["access_token"] == shop.tokens.access_token
    assert form["sign_method"] == "sha256"
    assert re.fullmatch(r"[0-9A-F]{64}", form["sign"])
    assert form["sign"] == sign(shop.h.app_secret, SELLABLE, form)  # signed over what is sent
    assert shop.h.shown("7002", "70020") == 9

    # the token APIs are POSTs too: the code travels in the body, never in a URL
    shop.adapter.exchange_code(shop.h.authorize())
    token = [r for r in shop.wire.seen if r.url.path == "/rest/auth/token/create"][-1]
    assert token.url.query == b""
    created = _form(token)
    assert set(created) == {"app_key", "timestamp", "sign_method", "sign", "code"}
    assert created["sign"] == sign(shop.h.app_secret, "/auth/token/create", created)


def test_get_keeps_system_params_and_sign_in_the_query(shop: Shop) -> None:
    shop.h.seed()
    list(shop.adapter.discover())
    sent = [r for r in shop.wire.seen if r.url.path == "/rest/products/get"][-1]
    query = dict(sent.url.params)
    assert SYSTEM | {"filter", "offset", "limit", "options"} == set(query)
    assert sent.content == b""
    assert query["sign"] == sign(shop.h.app_secret, "/products/get", query)


def test_the_simulator_accepts_a_post_signed_in_the_query_unconfirmed(shop: Shop) -> None:
    """UNCONFIRMED (§2.3/§9): the reference says where a POST's sign goes, not whether
    Lazada refuses one sent in the query; the simulator accepts both, so this is not
    evidence either way. What the adapter sends is pinned by the test above."""
    shop.h.seed()
    assert shop.tokens is not None
    params = {
        "app_key": shop.h.app_key,
        "sign_method": "sha256",
        "timestamp": str(int(shop.h.now().timestamp() * 1000)),
        "access_token": shop.tokens.access_token,
    }
    payload = _payload([(1, "7002", "70020", {"SellableQuantity": 3})])
    params["sign"] = sign(shop.h.app_secret, SELLABLE, {**params, "payload": payload})
    url = f"{shop.h.sim.base_url}/rest{SELLABLE}"
    answer = httpx.post(url, params=params, data={"payload": payload})
    assert answer.json()["code"] == "0"
    assert shop.h.shown("7002", "70020") == 3
    params["sign"] = "0" * 64  # and the sign is still checked wherever it arrives
    answer = httpx.post(url, params=params, data={"payload": payload})
    assert answer.json()["code"] == "IncompleteSignature"


def test_a_failing_post_never_shows_its_token_or_sign(shop: Shop) -> None:
    """The form body carries the access token: no error text may (nor its chain)."""
    shop.h.seed()
    assert shop.tokens is not None
    adapter = shop.make(max_attempts=1)
    texts: list[str] = []
    for kind in ("500", "malformed", "error_body:IncompleteSignature:bad sign"):
        shop.h.sim.inject(kind, f"/rest{SELLABLE}")
        with pytest.raises(AdapterError) as info:
            adapter.client.request(
                "POST", SELLABLE, params={"payload": _payload([(1, "7002", "70020", {})])}
            )
        exc: BaseException | None = info.value
        while exc is not None:
            texts += [str(exc), repr(exc)]
            exc = exc.__cause__ or exc.__context__
    shop.h.sim.fail_model(7002, 70020, "locked by a campaign")  # a per-SKU failure
    result = adapter.push_stock([StockUpdate(1, "7002", "70020", 8, 2)])
    texts += [r.error or "" for r in result]
    adapter.close()
    sent = [_form(r) for r in shop.wire.seen if r.url.path == f"/rest{SELLABLE}"]
    secrets = {f["access_token"] for f in sent} | {f["sign"] for f in sent}
    assert len(secrets) > 2
    assert all(len(s) > 20 for s in secrets)
    assert not [t for t in texts if any(s in t for s in secrets)]
    assert "campaign" in texts[-1]


def test_the_simulator_checks_the_sign_and_the_timestamp_itself(shop: Shop) -> None:
    """IncompleteSignature is Lazada's; the timestamp error's name is UNCONFIRMED (§2.3)."""
    wrong = dataclasses.replace(shop.h, app_secret="not-the-secret")  # noqa: S106
    ctx = AdapterContext(
        shop.h.shop_id, shop.h.settings(), wrong.secrets(), lambda: shop.tokens, now=shop.h.now
    )
    bad = LazadaAdapter.create(ctx, limiter=Limiter(), breaker=CircuitBreaker())
    with pytest.raises(Rejected) as info:
        list(bad.discover())
    assert info.value.code == "IncompleteSignature"
    bad.close()
    late = dataclasses.replace(ctx, now=lambda: shop.h.now() - dt.timedelta(seconds=7300))
    stale = LazadaAdapter.create(late, limiter=Limiter(), breaker=CircuitBreaker())
    with pytest.raises(Rejected) as info:
        list(stale.discover())
    assert "Timestamp" in info.value.code  # the ±7200 s rule is §2.3
    stale.close()


# ---------------------------------------------------------------- the error table (§2.7)


def reply(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    if isinstance(body, bytes):
        return httpx.Response(status, content=body, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def env(code: str, message: str = "m", **extra: Any) -> dict[str, Any]:
    return {"type": "ISV", "code": code, "message": message, "request_id": "r", **extra}


BAN = "The request has exceeded the limit of API calls, this ban will last 3 seconds"

#: (HTTP status, body, headers) → (class, code, retry_after); None class = returned as data
CASES: list[tuple[str, int, Any, dict[str, str] | None, type[AdapterError] | None, str, Any]] = [
    ("success", 200, {"code": "0", "data": {}}, None, None, "0", None),
    ("token", 200, env("IllegalAccessToken"), None, RefreshAuth, "IllegalAccessToken", None),
    ("refresh", 200, env("IllegalRefreshToken"), None, NeedsReauth, "IllegalRefreshToken", None),
    ("market", 200, env("AUTH_TYPE_UNSUPPORTED"), None, NeedsReauth, "AUTH_TYPE_UNSUPPORTED", None),
    ("throttle", 200, env("ApiCallLimit", BAN), None, RateLimited, "ApiCallLimit", 3.0),
    ("throttle 1s", 200, env("ApiCallLimit", "slow down"), None, RateLimited, "ApiCallLimit", 1.0),
    ("901", 200, env("901", "too frequent"), None, RateLimited, "901", 1.0),
    ("E901", 200, env("E901", "too frequent"), None, RateLimited, "E901", 1.0),
    ("http 429", 429, env("ApiCallLimit", BAN), None, RateLimited, "ApiCallLimit", 3.0),
    ("retry-after", 429, b"busy", {"Retry-After": "7"}, RateLimited, "http_429", 7.0),
    ("http 500", 500, env("1000"), None, Retryable, "1000", None),
    ("http 502", 502, b"<html>bad gateway</html>", None, Retryable, "http_502", None),
    ("internal", 200, env("1000"), None, Retryable, "1000", None),
    ("E006", 200, env("E006"), None, Retryable, "E006", None),
    ("513", 200, env("513", "Internal call exception"), None, Retryable, "513", None),
    ("timeout", 200, env("ServiceTimeout"), None, Retryable, "ServiceTimeout", None),
    ("sign", 200, env("IncompleteSignature"), None, Rejected, "IncompleteSignature", None),
    ("missing", 200, env("MissingParameter"), None, Rejected, "MissingParameter", None),
    ("code", 200, env("InvalidCode"), None, Rejected, "InvalidCode", None),
    ("date", 200, env("E017"), None, Rejected, "E017", None),
    ("too many", 200, env("E204"), None, Rejected, "E204", None),
    ("unknown", 200, env("SomethingNew"), None, Unrecognized, "SomethingNew", None),
    ("501 report", 200, env("501", detail=[{"message": "x"}]), None, None, "501", None),
    ("501 bare", 200, env("501", "Update product failed"), None, SkippableItem, "501", None),
    ("campaign", 200, env("4170"), None, SkippableItem, "4170", None),
    ("global plus", 200, env("4225"), None, SkippableItem, "4225", None),
    ("unverified", 200, env("SellerNotVerified"), None, Rejected, "SellerNotVerified", None),
    ("not json", 200, b'{"code": "0", "da', None, MalformedResponse, "", None),
    ("no code", 200, {"data": {}}, None, MalformedResponse, "", None),
    ("gateway 404", 404, b"Not Found", None, Rejected, "http_404", None),
    ("gateway 403", 403, b"Forbidden", None, RefreshAuth, "http_403", None),
]


@pytest.mark.parametrize(
    ("status", "body", "headers", "cls", "code", "wait"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_error_table(
    status: int,
    body: Any,
    headers: dict[str, str] | None,
    cls: type[AdapterError] | None,
    code: str,
    wait: float | None,
) -> None:
    """UNCONFIRMED (§2.7/§9): Lazada documents no HTTP status for errors; both are read."""
    response = reply(status, body, headers)
    if cls is None:
        assert classify(response)["code"] == code
        return
    with pytest.raises(cls) as info:
        classify(response)
    assert type(info.value) is cls
    if code:
        assert info.value.code == code
    if wait is not None:
        assert isinstance(info.value, Retryable)
        assert info.value.retry_after == wait


def test_error_table_keys_are_normalized() -> None:
    assert normalize("E005") == "5" == normalize("5")
    assert normalize("E901") == "901"
    assert normalize("IllegalAccessToken") == "IllegalAccessToken"
    assert all(rule.code == normalize(rule.code) for rule in ERROR_TABLE)


def test_every_documented_status_has_a_state() -> None:
    documented = [  # §2.5 status filter values
        *("unpaid", "pending", "packed", "ready_to_ship", "shipped", "delivered", "canceled"),
        *("returned", "failed", "lost", "topack", "toship", "shipping"),
    ]
    assert set(documented) <= set(STATUS_STATE)
    assert {s for s in documented if STATUS_STATE[s] == "open"} == {
        "unpaid",
        "pending",
        "topack",
        "packed",
        "toship",
    }
    assert STATUS_STATE["ready_to_ship"] == "shipped"  # deducted at RTS (§2.5)
    assert STATUS_STATE["canceled"] == "cancelled"
    # a returned unit stays deducted; it comes back through its return (issue 12), by
    # the tenant's return policy (tests/test_returns_lazada.py)
    assert STATUS_STATE["returned"] == "shipped"


def test_failed_and_lost_parcels_are_not_restocked_unconfirmed() -> None:
    """UNCONFIRMED (§2.5): failed deliveries and lost parcels stay deducted (no restock)."""
    assert STATUS_STATE["failed"] == STATUS_STATE["lost"] == "shipped"


# ---------------------------------------------------------------- orders: one row per unit


def test_an_order_of_three_units_is_three_lines_and_one_unit_cancels_alone(world: World) -> None:
    h = world.harness
    x = world.listing("NASTAR-250")
    order_id = h.sim.place_order(int(h.shop_id), [(int(x.item_id), int(x.variant_id), 3)])
    assert order_id is not None
    assert sync.pull_orders(world.store, world.rt).new_lines == 3
    lines = orders.lines_of(world.store, world.account.id)
    assert [(o, state, qty) for o, _, state, qty in lines] == [(str(order_id), "open", 1)] * 3
    units = h.sim.orders[order_id].units
    assert sorted(line for _, line, _, _ in lines) == sorted(str(u.order_item_id) for u in units)
    assert reserved(world, "NASTAR-250") == (40, 3)

    h.advance(5)
    h.sim.set_item_status(units[0].order_item_id, "canceled")
    sync.pull_orders(world.store, world.rt)
    assert reserved(world, "NASTAR-250") == (40, 2)  # only the cancelled unit is released
    states = {line: state for _, line, state, _ in orders.lines_of(world.store, world.account.id)}
    assert states[str(units[0].order_item_id)] == "cancelled"
    assert sorted(states.values()) == ["cancelled", "open", "open"]

    h.advance(5)
    h.sim.set_order_status(order_id, "ready_to_ship")  # the cancelled unit stays cancelled
    sync.push(world.store, world.rt)
    assert reserved(world, "NASTAR-250") == (38, 0)
    assert h.shown(x.item_id, x.variant_id) == 38  # sellable: what buyers can still buy


def test_a_cancellation_seen_before_the_creation_changes_nothing(world: World) -> None:
    h = world.harness
    x = world.listing("KOPI-250")
    since = dt.datetime.fromisoformat(world.account.integration_start)
    order_id = h.place_order(x.item_id, x.variant_id, 1)
    assert order_id is not None
    assert world.rt.adapter is not None
    stale = world.rt.adapter.pull_orders(None, since)  # the "pending" page, held back
    assert [o.state for o in stale.orders] == ["open"]
    h.advance(5)
    h.set_state(order_id, "cancelled")
    sync.pull_orders(world.store, world.rt)  # the cancellation arrives first
    assert reserved(world, "KOPI-250") == (20, 0)
    late = orders.ingest(
        world.store,
        world.tenant.id,
        world.account.id,
        stale,
        integration_start=world.account.integration_start,
    )
    assert (late.movements, late.ignored) == (0, 1)  # the creation arrives late: ignored
    assert reserved(world, "KOPI-250") == (20, 0)
    assert [s for _, _, s, _ in orders.lines_of(world.store, world.account.id)] == ["cancelled"]


def test_orders_filter_by_update_time_in_wib_on_the_wire(shop: Shop) -> None:
    shop.h.seed()
    since = shop.h.now() - dt.timedelta(hours=1)
    shop.h.sim.place_order(shop.seller, [(7002, 70020, 1)])
    page = shop.adapter.pull_orders(None, since)
    assert len(page.orders) == 1
    sent = [r for r in shop.wire.seen if r.url.path == f"/rest{ORDERS}"][-1]
    after, before = sent.url.params["update_after"], sent.url.params["update_before"]
    assert WIB_TIME.fullmatch(after)
    assert WIB_TIME.fullmatch(before)
    assert after == wib(int(since.timestamp()))
    assert dt.datetime.fromisoformat(before) <= shop.h.now()
    assert wib(dt.datetime(2026, 11, 19, 17, 0, tzinfo=dt.UTC)) == "2026-11-20T00:00:00+07:00"


def test_orders_named_by_their_messages_read_as_the_list_shows_them(shop: Shop) -> None:
    """``read_orders`` (a woken pull reading the orders Lazada's messages named, §2.6):
    one ``/orders/items/get`` call, no list. Each order reads as a walk of the list gives
    it: times, statuses and unit lines; an id with no rows is left out, and ids of which
    none is the seller's (``E039``) are an empty read, not a failure."""
    shop.h.seed()
    since = shop.h.now() - dt.timedelta(hours=1)
    a = shop.h.sim.place_order(shop.seller, [(7002, 70020, 2)])
    shop.h.advance(3)
    b = shop.h.sim.place_order(shop.seller, [(7002, 70020, 1)])
    assert a is not None
    assert b is not None
    shop.h.advance(5)
    shop.h.sim.set_order_status(a, "packed")  # updated after created, both its units
    shop.h.advance(3)
    listed = {o.order_id: o for o in shop.adapter.pull_orders(None, since).orders}
    assert set(listed) == {str(a), str(b)}
    lists, rows = shop.calls(ORDERS), shop.calls(ORDER_ITEMS)
    page = shop.adapter.read_orders([str(b), "999999999", str(a), str(b)])
    assert (shop.calls(ORDERS), shop.calls(ORDER_ITEMS)) == (lists, rows + 1)
    assert {o.order_id: o for o in page.orders} == listed
    assert listed[str(a)].updated_at > listed[str(a)].created_at
    assert not page.set_aside
    nothing = shop.adapter.read_orders(["999999999"])
    assert (nothing.orders, nothing.set_aside) == ([], ())
    assert shop.calls(ORDER_ITEMS) == rows + 2


def test_a_named_order_whose_rows_have_no_readable_time_is_set_aside(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row without a time (an answer not as documented, §2.4): that order is set aside
    with the reason, the other named order is read."""
    shop.h.seed()
    a = shop.h.sim.place_order(shop.seller, [(7002, 70020, 1)])
    b = shop.h.sim.place_order(shop.seller, [(7002, 70020, 1)])
    assert a is not None
    assert b is not None
    row = shop.h.sim._item_row

    def spoiled(order: Any, unit: Any) -> dict[str, Any]:
        got = row(order, unit)
        if order.order_id == a:
            got["updated_at"] = "yesterday"
        return got

    monkeypatch.setattr(shop.h.sim, "_item_row", spoiled)
    page = shop.adapter.read_orders([str(a), str(b)])
    assert [o.order_id for o in page.orders] == [str(b)]
    assert [x.order_id for x in page.set_aside] == [str(a)]
    assert "updated_at" in page.set_aside[0].reason


def test_the_simulator_refuses_a_time_without_an_offset(shop: Shop) -> None:
    with pytest.raises(Rejected) as info:
        shop.adapter.client.request("GET", ORDERS, params={"update_after": "2026-11-20T00:00:00"})
    assert normalize(info.value.code) == "17"


def test_an_order_updated_while_we_page_does_not_push_another_past_us(shop: Shop) -> None:
    """Plain offset paging would skip one order when an earlier one leaves the window."""
    shop.h.seed()
    shop.h.sim.add_item(shop.seller, 8000, "Gula", sku="GULA", stock=1000)
    since = shop.h.now() - dt.timedelta(hours=1)
    placed: list[int | None] = []
    for _ in range(150):
        placed.append(shop.h.sim.place_order(shop.seller, [(8000, 80000, 1)]))
        shop.h.advance(1)
    first = shop.adapter.pull_orders(None, since)
    assert first.more
    shop.h.advance(1)
    assert placed[0] is not None
    shop.h.sim.set_order_status(placed[0], "packed")  # moves past the window's end
    seen = {o.order_id for o in first.orders}
    page = first
    while page.more:
        page = shop.adapter.pull_orders(page.cursor, since)
        seen |= {o.order_id for o in page.orders}
    assert {str(o) for o in placed} <= seen
    again = shop.adapter.pull_orders(page.cursor, since)  # the next window, with its overlap
    assert (str(placed[0]), "packed") in [(o.order_id, o.status) for o in again.orders]


# ---------------------------------------------------------------- tokens (§2.2)


def test_the_reauthorization_date_is_surfaced_and_refresh_does_not_extend_it(shop: Shop) -> None:
    first = shop.tokens
    assert first is not None
    now = shop.h.now()
    assert first.auth_expires_at is not None
    assert abs(first.auth_expires_at - (now + dt.timedelta(days=180))) < dt.timedelta(seconds=5)
    assert abs(first.access_expires_at - (now + dt.timedelta(days=30))) < dt.timedelta(seconds=5)
    assert first.extra["seller_id"] == shop.h.shop_id

    shop.h.advance(100 * DAY)
    second = shop.adapter.refresh(first)
    assert second.access_token != first.access_token
    assert second.auth_expires_at == first.auth_expires_at  # not moved by the refresh
    assert second.refresh_expires_at is not None
    assert first.refresh_expires_at is not None
    assert abs(second.refresh_expires_at - first.refresh_expires_at) < dt.timedelta(seconds=2)
    later = shop.h.now() + dt.timedelta(days=30)
    assert abs(second.access_expires_at - later) < dt.timedelta(seconds=5)

    shop.h.advance(81 * DAY)  # past the 180 days: only the seller can help
    refreshes = shop.calls("/auth/token/refresh")
    with pytest.raises(NeedsReauth):
        shop.adapter.refresh(second)
    assert shop.calls("/auth/token/refresh") == refreshes  # known in advance: no call made
    unknown = dataclasses.replace(second, refresh_expires_at=None, auth_expires_at=None)
    with pytest.raises(NeedsReauth) as info:
        shop.adapter.refresh(unknown)  # and Lazada itself refuses it
    assert info.value.code == "IllegalRefreshToken"


def test_an_expired_access_token_asks_for_a_refresh(shop: Shop) -> None:
    shop.h.seed()
    shop.h.advance(31 * DAY)
    with pytest.raises(RefreshAuth):
        list(shop.adapter.discover())
    assert shop.tokens is not None
    shop.tokens = shop.adapter.refresh(shop.tokens)
    assert len(list(shop.adapter.discover())) == 4


def test_a_code_works_once(shop: Shop) -> None:
    code = shop.h.authorize()
    shop.adapter.exchange_code(code)
    with pytest.raises(Rejected) as info:
        shop.adapter.exchange_code(code)
    assert info.value.code == "InvalidCode"


def test_a_code_for_another_seller_is_refused(shop: Shop) -> None:
    shop.h.sim.add_shop(7654321)
    with pytest.raises(NeedsReauth) as info:
        shop.adapter.exchange_code(shop.h.sim.authorize(7654321))
    assert info.value.code == "seller_mismatch"


def test_authorization_url_and_consent_redirect(shop: Shop) -> None:
    url = shop.adapter.authorization_url("https://example.id/cb")
    assert url.startswith(f"{shop.h.sim.base_url}/oauth/authorize?")
    assert "uuid" not in url
    shop.h.sim.next_login_shop = shop.seller
    answer = httpx.get(url, follow_redirects=False)
    assert answer.status_code == 302
    code = httpx.URL(answer.headers["Location"]).params["code"]
    assert shop.adapter.exchange_code(code).access_token


# ---------------------------------------------------------------- stock and price


def test_discovery_shows_sellable_stock_net_of_held_units(shop: Shop) -> None:
    shop.h.seed()
    shop.h.sim.place_order(shop.seller, [(7002, 70020, 2)], status="unpaid")  # withheld
    shop.h.sim.place_order(shop.seller, [(7002, 70020, 1)])  # occupied
    kopi = next(x for x in shop.adapter.discover() if x.sku == "KOPI-250")
    assert (kopi.item_id, kopi.variant_id, kopi.stock, kopi.price) == ("7002", "70020", 2, 45000)
    assert shop.h.sim.buckets(shop.seller, 7002, 70020) == (2, 2, 1)


def test_a_batch_over_50_skus_goes_in_calls_of_at_most_50(shop: Shop) -> None:
    shop.h.sim.add_item(
        shop.seller, 9000, "Kaos", models=[(90000 + n, f"KAOS-{n}", 50000, 0) for n in range(120)]
    )
    updates = [StockUpdate(n, "9000", str(90000 + n), n, n + 1) for n in range(120)]
    batches = shop.adapter.batches(updates, shop.adapter.limits.stock_per_call)
    assert [len(b) for b in batches] == [50, 50, 20]
    results = [r for batch in batches for r in shop.adapter.push_stock(batch)]
    assert [r.listing_id for r in results if r.ok] == list(range(120))
    assert shop.calls(SELLABLE) == 3
    assert shop.h.sim.stock(shop.seller, 9000, 90119) == 119
    assert len(shop.adapter.push_stock(updates)) == 120  # even handed 120, it sends ≤ 50
    assert shop.calls(SELLABLE) == 6
    sizes = [r.content.count(b"%3CSku%3E") for r in shop.wire.seen if r.url.path.endswith(SELLABLE)]
    assert sizes == [50, 50, 20, 50, 50, 20]
    entries = [(n, "9000", str(90000 + n), {"SellableQuantity": 1}) for n in range(51)]
    with pytest.raises(Rejected) as info:  # and Lazada refuses 51 in one call
        shop.adapter.client.request("POST", SELLABLE, params={"payload": _payload(entries)})
    assert normalize(info.value.code) == "204"


def test_a_failed_sku_is_isolated_even_when_lazada_names_it_only_by_seller_sku(
    shop: Shop,
) -> None:
    """UNCONFIRMED (§2.4): whether the other SKUs of a 501 were applied; we send them again."""
    shop.h.seed()
    shop.h.sim.fail_model(7001, 70012, "Negative sellable: locked by a campaign")
    updates = [
        StockUpdate(1, "7001", "70011", 11, 1),
        StockUpdate(2, "7001", "70012", 12, 2),
        StockUpdate(3, "7002", "70020", 13, 3),
    ]
    fresh = shop.make()  # never ran discover: cannot map a seller SKU to its listing
    results = {r.listing_id: r for r in fresh.push_stock(updates)}
    fresh.close()
    assert (results[1].ok, results[2].ok, results[3].ok) == (True, False, True)
    assert "campaign" in results[2].error
    assert shop.calls(SELLABLE) == 4  # the refused batch, then one call per SKU
    assert [shop.h.shown("7001", "70011"), shop.h.shown("7001", "70012")] == [11, 5]
    list(shop.adapter.discover())  # now it knows the seller SKUs
    results = {r.listing_id: r for r in shop.adapter.push_stock(updates)}
    assert [r.ok for _, r in sorted(results.items())] == [True, False, True]
    assert shop.calls(SELLABLE) == 6  # the refused batch, then the rest in one call


def test_internal_call_exception_cuts_the_batch_to_20(shop: Shop) -> None:
    shop.h.sim.add_item(
        shop.seller, 9000, "Kaos", models=[(90000 + n, f"KAOS-{n}", 50000, 0) for n in range(30)]
    )
    adapter = shop.make(max_attempts=1)
    shop.h.sim.inject("error_body:513:Internal call exception", f"/rest{SELLABLE}")
    updates = [StockUpdate(n, "9000", str(90000 + n), 7, n + 1) for n in range(30)]
    assert all(r.ok for r in adapter.push_stock(updates))
    adapter.close()
    sizes = [r.content.count(b"%3CSku%3E") for r in shop.wire.seen if r.url.path.endswith(SELLABLE)]
    assert sizes == [30, 20, 10]


def test_a_throttle_in_the_body_waits_the_ban_then_succeeds(shop: Shop) -> None:
    shop.h.seed()
    shop.h.sim.inject(
        "error_body:ApiCallLimit:The request has exceeded the limit, this ban will last 1 seconds",
        f"/rest{SELLABLE}",
    )
    waited: list[float] = []
    shop.adapter.client._sleep = waited.append  # the wait the client chose, without sleeping
    assert shop.adapter.push_stock([StockUpdate(1, "7002", "70020", 4, 1)])[0].ok
    assert waited == [1.0]
    assert shop.calls(SELLABLE) == 2


def test_price_goes_alone_and_leaves_stock_alone(shop: Shop) -> None:
    shop.h.seed()
    shop.h.sim.place_order(shop.seller, [(7002, 70020, 2)])
    assert shop.adapter.push_price([PriceUpdate(1, "7002", "70020", 47500, 1)])[0].ok
    assert shop.h.sim.price(shop.seller, 7002, 70020) == 47500
    assert shop.h.sim.buckets(shop.seller, 7002, 70020) == (3, 0, 2)
    sent = [r for r in shop.wire.seen if r.url.path.endswith("/product/price_quantity/update")]
    assert b"%3CPrice%3E47500%3C%2FPrice%3E" in sent[-1].content
    assert b"Quantity" not in sent[-1].content  # never the total quantity (§2.8 #1)
