"""The Shopee simulator behaves like Open Platform v2 (reference §1; signer checked on §7.1).

Everything goes over real HTTP to 127.0.0.1 with plain httpx and a signer written
here, independent of syncd's and of the simulator's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from adapters.shopee.simulator import ShopeeSimulator

PARTNER_ID = 2001234
PARTNER_KEY = "shpk_demo_partner_key_0123456789"
T0 = 1_700_000_000.0
SHOP, OTHER = 998877, 112233
DAY = 86400
V2 = "/api/v2"
STOCK, PRICE = f"{V2}/product/update_stock", f"{V2}/product/update_price"
ITEM_LIST, BASE_INFO = f"{V2}/product/get_item_list", f"{V2}/product/get_item_base_info"
ORDER_LIST, ORDER_DETAIL = f"{V2}/order/get_order_list", f"{V2}/order/get_order_detail"
TOKEN_GET, REFRESH = f"{V2}/auth/token/get", f"{V2}/auth/access_token/get"

Params = list[tuple[str, str | int | float | bool | None]]


def shopee_sign(
    path: str, timestamp: int, token: str = "", shop: str = "", key: str = PARTNER_KEY
) -> str:
    """The test's own signer (§1.3)."""
    base = f"{PARTNER_ID}{path}{timestamp}{token}{shop}"
    return hmac.new(key.encode(), base.encode(), hashlib.sha256).hexdigest()


class Api:
    """A tiny Shopee client: signs with the simulator's clock."""

    def __init__(self, sim: ShopeeSimulator, client: httpx.Client) -> None:
        self.sim, self.http = sim, client
        self.token, self.shop = "", SHOP

    def query(self, path: str, *, shop_api: bool = True, skew: int = 0) -> Params:
        ts = int(self.sim.now()) + skew
        if not shop_api:
            return [("partner_id", PARTNER_ID), ("timestamp", ts), ("sign", shopee_sign(path, ts))]
        sign = shopee_sign(path, ts, self.token, str(self.shop))
        return [
            ("partner_id", PARTNER_ID),
            ("timestamp", ts),
            ("access_token", self.token),
            ("shop_id", self.shop),
            ("sign", sign),
        ]

    def get(self, path: str, params: Params | None = None, **kw: Any) -> httpx.Response:
        return self.http.get(
            self.sim.base_url + path, params=self.query(path) + (params or []), **kw
        )

    def post(self, path: str, body: dict[str, Any], **kw: Any) -> httpx.Response:
        shop_api = not path.startswith(f"{V2}/auth/")
        params = self.query(path, shop_api=shop_api)
        return self.http.post(self.sim.base_url + path, params=params, json=body, **kw)

    def exchange(self, code: str, shop: int = SHOP) -> httpx.Response:
        return self.post(TOKEN_GET, {"code": code, "partner_id": PARTNER_ID, "shop_id": shop})

    def refresh(self, refresh_token: str, shop: int = SHOP) -> httpx.Response:
        body = {"refresh_token": refresh_token, "partner_id": PARTNER_ID, "shop_id": shop}
        return self.post(REFRESH, body)


def ok(resp: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = resp.json()
    assert resp.status_code == 200, body
    assert body["error"] == ""
    assert body["request_id"]
    return body


def err(resp: httpx.Response, status: int, error: str) -> str:
    body = resp.json()
    assert (resp.status_code, body["error"]) == (status, error), body
    assert body["request_id"]
    assert "response" not in body
    return str(body["message"])


@pytest.fixture
def sim() -> Iterator[ShopeeSimulator]:
    with ShopeeSimulator(partner_id=PARTNER_ID, partner_key=PARTNER_KEY, clock=lambda: T0) as s:
        s.add_shop(SHOP)
        s.add_shop(OTHER)
        yield s


@pytest.fixture
def api(sim: ShopeeSimulator) -> Iterator[Api]:
    with httpx.Client(timeout=5.0) as client:
        a = Api(sim, client)
        a.token, _ = sim.issue_tokens(SHOP)
        yield a


# ---------------------------------------------------------------- signing and auth


def test_test_signer_matches_reference_vectors() -> None:
    token, ts = "4a6f4b65546f6b656e41424344454647", 1700000000
    assert (
        shopee_sign(STOCK, ts, token, "998877")
        == "258baeee9888231ebed13f285d6c1218c2ff683cc1dfe3a005af987b83a1d726"
    )
    assert (
        shopee_sign(REFRESH, ts)
        == "010eba931a4f1796627194379c7905085534565a0a996fdd7154c16cc23190c5"
    )


def test_full_auth_flow(sim: ShopeeSimulator) -> None:
    with httpx.Client(timeout=5.0) as client:
        api = Api(sim, client)
        sim.next_login_shop = SHOP
        path = f"{V2}/shop/auth_partner"
        params = [*api.query(path, shop_api=False), ("redirect", "https://seller.example/cb?x=1")]
        link = client.get(sim.base_url + path, params=params)
        assert link.status_code == 302
        location = urlsplit(link.headers["Location"])
        assert location.netloc == "seller.example"
        got = parse_qs(location.query)
        assert got["shop_id"] == [str(SHOP)]
        assert got["x"] == ["1"]
        code = got["code"][0]

        first = ok(api.exchange(code))
        assert first["expire_in"] == 14400
        assert err(api.exchange(code), 403, "error_auth")  # a code is single-use

        api.token = first["access_token"]
        assert ok(api.get(ITEM_LIST, [("offset", 0), ("page_size", 10), ("item_status", "NORMAL")]))

        second = ok(api.refresh(first["refresh_token"]))
        assert {second["access_token"], second["refresh_token"]}.isdisjoint(first.values())
        err(api.refresh(first["refresh_token"]), 403, "error_auth")  # refresh token single-use

        list_params: Params = [("offset", 0), ("page_size", 10), ("item_status", "NORMAL")]
        sim.advance(299)
        ok(api.get(ITEM_LIST, list_params))  # the old access token lives 5 more minutes
        sim.advance(2)
        assert err(api.get(ITEM_LIST, list_params), 403, "error_auth") == "Invalid access_token."
        api.token = second["access_token"]
        ok(api.get(ITEM_LIST, list_params))


def test_code_expires_after_ten_minutes(sim: ShopeeSimulator, api: Api) -> None:
    code = sim.authorize(SHOP)
    err(api.exchange(code, shop=OTHER), 403, "error_auth")  # a code is for its shop only
    sim.advance(600)
    err(api.exchange(code), 403, "error_auth")


def test_token_bodies_need_integer_ids(sim: ShopeeSimulator, api: Api) -> None:
    code = sim.authorize(SHOP)
    body = {"code": code, "partner_id": str(PARTNER_ID), "shop_id": SHOP}
    err(api.post(TOKEN_GET, body), 400, "error_param")
    ok(api.exchange(code))  # the refused call did not use the code up


def test_access_token_expires_after_four_hours(sim: ShopeeSimulator, api: Api) -> None:
    params: Params = [("offset", 0), ("page_size", 1), ("item_status", "NORMAL")]
    sim.advance(4 * 3600 - 1)
    ok(api.get(ITEM_LIST, params))
    sim.advance(1)
    err(api.get(ITEM_LIST, params), 403, "error_auth")


def test_refresh_token_lives_30_days_and_authorization_365(sim: ShopeeSimulator, api: Api) -> None:
    _, refresh = sim.issue_tokens(SHOP)
    sim.advance(30 * DAY)
    err(api.refresh(refresh), 403, "error_auth")
    _, refresh = sim.issue_tokens(SHOP)  # the seller authorizes again: 365 days from now
    for _ in range(12):
        sim.advance(29 * DAY)
        refresh = ok(api.refresh(refresh))["refresh_token"]
    sim.advance(365 * DAY - 12 * 29 * DAY)
    err(api.refresh(refresh), 403, "error_auth")


def test_revoked_shop_tokens_refused(sim: ShopeeSimulator, api: Api) -> None:
    sim.revoke(SHOP)
    err(api.get(BASE_INFO, [("item_id_list", "1")]), 403, "error_auth")


def test_sign_timestamp_and_param_errors(sim: ShopeeSimulator, api: Api) -> None:
    url = sim.base_url + BASE_INFO
    good = dict(api.query(BASE_INFO))
    good["item_id_list"] = "1"
    ts = int(sim.now())

    def call(**change: Any) -> httpx.Response:
        params = {k: v for k, v in {**good, **change}.items() if v is not None}
        return api.http.get(url, params=params)

    ok(call())
    assert err(call(sign=str(good["sign"]).upper()), 403, "error_sign") == "Wrong sign."
    err(call(sign=shopee_sign(BASE_INFO, ts)), 403, "error_sign")  # public
    wrong_key = shopee_sign(BASE_INFO, ts, api.token, str(SHOP), key="x")
    err(call(sign=wrong_key), 403, "error_sign")
    err(call(shop_id=OTHER), 403, "error_sign")  # shop_id is part of the signed string
    assert err(call(timestamp=int(T0) - 301), 400, "error_param") == "Invalid timestamp"
    err(call(sign=None), 400, "error_param")
    err(call(item_id_list=None), 400, "error_param")
    err(call(item_id_list=",".join(str(i) for i in range(51))), 400, "error_param")
    skewed = api.query(BASE_INFO, skew=300)
    ok(api.http.get(url, params=[*skewed, ("item_id_list", "1")]))


def test_token_of_another_shop_refused(sim: ShopeeSimulator, api: Api) -> None:
    api.shop = OTHER  # correctly signed, but the token belongs to SHOP
    assert err(api.get(BASE_INFO, [("item_id_list", "1")]), 403, "error_auth")
    api.token = "00" * 16
    err(api.get(BASE_INFO, [("item_id_list", "1")]), 403, "error_auth")


def test_unknown_path_and_wrong_method(sim: ShopeeSimulator, api: Api) -> None:
    err(api.get(f"{V2}/product/nope"), 404, "error_not_found")
    err(api.get(STOCK), 404, "error_not_found")


# ---------------------------------------------------------------- products


def test_item_list_pages_by_offset_and_filters_status(sim: ShopeeSimulator, api: Api) -> None:
    for item_id in range(101, 108):
        sim.add_item(SHOP, item_id, f"Kaos {item_id}", stock=1)
    sim.add_item(SHOP, 200, "Tersembunyi", status="UNLIST")
    sim.add_item(OTHER, 300, "Toko lain")
    seen, offset = [], 0
    while True:
        params: Params = [("offset", offset), ("page_size", 3), ("item_status", "NORMAL")]
        page = ok(api.get(ITEM_LIST, params))["response"]
        assert page["total_count"] == 7
        seen += [i["item_id"] for i in page["item"]]
        if not page["has_next_page"]:
            break
        offset = page["next_offset"]
    assert seen == list(range(101, 108))
    both: Params = [
        ("offset", 0),
        ("page_size", 100),
        ("item_status", "NORMAL"),
        ("item_status", "UNLIST"),
    ]
    assert ok(api.get(ITEM_LIST, both))["response"]["total_count"] == 8
    joined: Params = [("offset", 0), ("page_size", 100), ("item_status", "NORMAL,UNLIST")]
    err(api.get(ITEM_LIST, joined), 400, "error_param")
    err(
        api.get(ITEM_LIST, [("offset", 0), ("page_size", 101), ("item_status", "NORMAL")]),
        400,
        "error_param",
    )
    err(api.get(ITEM_LIST, [("offset", 0), ("page_size", 10)]), 400, "error_param")


def test_base_info_and_model_list(sim: ShopeeSimulator, api: Api) -> None:
    sim.add_item(SHOP, 1, "Sambal", sku="SMB", price=25_000, stock=12)
    models = [(11, "KAOS-M", 80_000, 5), (12, "KAOS-L", 85_000, 0)]
    sim.add_item(SHOP, 2, "Kaos", sku="KAOS", models=models)
    sim.add_item(OTHER, 3, "Toko lain")
    items = ok(api.get(BASE_INFO, [("item_id_list", "1,2,3,999")]))["response"]["item_list"]
    plain, variants = items
    assert [plain["item_id"], variants["item_id"]] == [1, 2]
    assert (plain["item_sku"], plain["has_model"]) == ("SMB", False)
    assert plain["price_info"][0]["original_price"] == 25_000
    stock = plain["stock_info_v2"]
    assert stock["summary_info"] == {"total_reserved_stock": 0, "total_available_stock": 12}
    assert stock["seller_stock"][0]["stock"] == 12
    assert variants["has_model"] is True
    assert "price_info" not in variants
    assert "stock_info_v2" not in variants
    resp = ok(api.get(f"{V2}/product/get_model_list", [("item_id", 2)]))["response"]
    got = {m["model_id"]: m for m in resp["model"]}
    assert got[11]["model_sku"] == "KAOS-M"
    assert got[11]["stock_info_v2"]["seller_stock"][0]["stock"] == 5
    assert got[12]["price_info"][0]["original_price"] == 85_000
    assert len(resp["tier_variation"][0]["option_list"]) == 2
    err(api.get(f"{V2}/product/get_model_list", [("item_id", 3)]), 200, "error_item_not_found")


def test_update_stock_absolute_with_partial_failure(sim: ShopeeSimulator, api: Api) -> None:
    sim.add_item(
        SHOP, 2, "Kaos", models=[(11, "M", 80_000, 5), (12, "L", 80_000, 5), (13, "XL", 80_000, 5)]
    )
    sim.fail_model(2, 12, "Total stock must be more than reserved stock")
    stock_list = [
        {"model_id": 11, "seller_stock": [{"stock": 40}]},
        {"model_id": 12, "seller_stock": [{"stock": 7}]},
        {"model_id": 13, "seller_stock": [{"stock": -1}]},
        {"model_id": 99, "seller_stock": [{"stock": 1}]},
    ]
    resp = ok(api.post(STOCK, {"item_id": 2, "stock_list": stock_list}))["response"]
    assert [(s["model_id"], s["stock"]) for s in resp["success_list"]] == [(11, 40)]
    assert resp["success_list"][0]["location_id"]
    failed = {f["model_id"]: f["failed_reason"] for f in resp["failure_list"]}
    assert set(failed) == {12, 13, 99}
    assert failed[12] == "Total stock must be more than reserved stock"
    assert (sim.stock(SHOP, 2, 11), sim.stock(SHOP, 2, 12), sim.stock(SHOP, 2, 13)) == (40, 5, 5)
    sim.clear_fail(2, 12)
    body = {"item_id": 2, "stock_list": [{"model_id": 12, "seller_stock": [{"stock": 7}]}]}
    assert ok(api.post(STOCK, body))["response"]["failure_list"] == []
    assert sim.stock(SHOP, 2, 12) == 7


def test_update_stock_batch_limits(sim: ShopeeSimulator, api: Api) -> None:
    sim.add_item(SHOP, 5, "Banyak", models=[(m, f"S{m}", 1000, 0) for m in range(1, 52)])
    entries = [{"model_id": m, "seller_stock": [{"stock": 3}]} for m in range(1, 52)]
    err(api.post(STOCK, {"item_id": 5, "stock_list": entries}), 400, "error_param")
    err(api.post(STOCK, {"item_id": 5, "stock_list": []}), 400, "error_param")
    assert sim.stock(SHOP, 5, 1) == 0
    done = ok(api.post(STOCK, {"item_id": 5, "stock_list": entries[:50]}))["response"]
    assert len(done["success_list"]) == 50
    sim.add_item(SHOP, 6, "Polos", stock=2)
    one = {"item_id": 6, "stock_list": [{"model_id": 0, "seller_stock": [{"stock": 9}]}]}
    ok(api.post(STOCK, one))
    assert sim.stock(SHOP, 6) == 9
    err(api.post(STOCK, {**one, "item_id": 404}), 200, "error_item_not_found")


def test_update_price(sim: ShopeeSimulator, api: Api) -> None:
    sim.add_item(SHOP, 2, "Kaos", models=[(11, "M", 80_000, 5), (12, "L", 80_000, 5)])
    prices = [{"model_id": 11, "original_price": 90_000}, {"model_id": 12, "original_price": 1.5}]
    resp = ok(api.post(PRICE, {"item_id": 2, "price_list": prices}))["response"]
    assert resp["success_list"] == [{"model_id": 11, "original_price": 90_000}]
    assert [f["model_id"] for f in resp["failure_list"]] == [12]
    assert (sim.price(SHOP, 2, 11), sim.price(SHOP, 2, 12)) == (90_000, 80_000)
    too_many = [{"model_id": 11, "original_price": 1000}] * 51
    err(api.post(PRICE, {"item_id": 2, "price_list": too_many}), 400, "error_param")


# ---------------------------------------------------------------- orders


def order_list(
    api: Api, start: int, end: int, size: int = 100, cursor: str = "", field: str = "create_time"
) -> httpx.Response:
    params: Params = [
        ("time_range_field", field),
        ("time_from", start),
        ("time_to", end),
        ("page_size", size),
        ("cursor", cursor),
        ("response_optional_fields", "order_status"),
    ]
    return api.get(ORDER_LIST, params)


def test_order_list_window_is_at_most_15_days(sim: ShopeeSimulator, api: Api) -> None:
    now = int(sim.now())
    ok(order_list(api, now - 15 * DAY, now))
    err(order_list(api, now - 15 * DAY - 1, now), 400, "order.order_list_invalid_time")
    err(order_list(api, now, now - 1), 400, "error_param")
    err(order_list(api, now - DAY, now, size=0), 400, "error_param")
    err(order_list(api, now - DAY, now, cursor="%%%"), 400, "error_param")


def test_order_list_cursor_pages_without_gaps_or_duplicates(sim: ShopeeSimulator, api: Api) -> None:
    sim.add_item(SHOP, 1, "Sambal", stock=1000)
    sim.add_item(OTHER, 9, "Lain", stock=10)
    placed: list[str] = []
    for n in range(23):
        if n % 4 == 0:
            sim.advance(60)  # several orders share a second: the sort must stay stable
        sn = sim.place_order(SHOP, [(1, 0, 1)])
        assert sn is not None
        placed.append(sn)
    sim.place_order(OTHER, [(9, 0, 1)])
    start, end = int(T0), int(sim.now())
    seen: list[str] = []
    cursor, pages = "", 0
    while True:
        resp = ok(order_list(api, start, end, size=5, cursor=cursor))["response"]
        pages += 1
        seen += [o["order_sn"] for o in resp["order_list"]]
        assert all(o["order_status"] == "UNPAID" for o in resp["order_list"])
        if not resp["more"]:
            assert resp["next_cursor"] == ""
            break
        cursor = resp["next_cursor"]
    assert pages == 5
    assert sorted(seen) == sorted(placed)
    assert len(set(seen)) == 23
    mid = ok(order_list(api, start + 61, start + 120))["response"]["order_list"]
    assert len(mid) == 4  # only orders created inside the window


def test_order_list_by_update_time(sim: ShopeeSimulator, api: Api) -> None:
    sim.add_item(SHOP, 1, "Sambal", stock=10)
    first = sim.place_order(SHOP, [(1, 0, 1)])
    sim.place_order(SHOP, [(1, 0, 1)])
    sim.advance(3600)
    assert first is not None
    sim.set_order_status(first, "READY_TO_SHIP")
    now = int(sim.now())
    changed = ok(order_list(api, now - 60, now, field="update_time"))["response"]["order_list"]
    assert changed == [{"order_sn": first, "order_status": "READY_TO_SHIP"}]
    params: Params = [("time_range_field", "update_time"), ("time_from", now - 60)]
    params += [("time_to", now), ("page_size", 10)]
    bare = ok(api.get(ORDER_LIST, params))["response"]["order_list"]
    assert bare == [{"order_sn": first}]  # order_status only when asked for


def test_order_detail_item_list_only_when_asked(sim: ShopeeSimulator, api: Api) -> None:
    sim.add_item(SHOP, 2, "Kaos", sku="KAOS", models=[(11, "KAOS-M", 80_000, 5)])
    sim.add_item(SHOP, 1, "Sambal", sku="SMB", price=25_000, stock=3)
    sn = sim.place_order(SHOP, [(2, 11, 2), (1, 0, 1)])
    assert sn is not None
    bare = ok(api.get(ORDER_DETAIL, [("order_sn_list", sn)]))["response"]["order_list"][0]
    assert bare["order_sn"] == sn
    assert bare["order_status"] == "UNPAID"
    assert "item_list" not in bare
    params: Params = [
        ("order_sn_list", f"{sn},NOPE"),
        ("response_optional_fields", "buyer_user_id,item_list"),
    ]
    full = ok(api.get(ORDER_DETAIL, params))["response"]["order_list"]
    assert len(full) == 1
    lines = {(i["item_id"], i["model_id"]): i for i in full[0]["item_list"]}
    kaos = lines[(2, 11)]
    assert (kaos["item_sku"], kaos["model_sku"]) == ("KAOS", "KAOS-M")
    assert (kaos["model_quantity_purchased"], kaos["model_original_price"]) == (2, 80_000)
    assert kaos["order_item_id"]
    assert lines[(1, 0)]["model_quantity_purchased"] == 1
    fifty_one = ",".join([sn] * 51)
    err(api.get(ORDER_DETAIL, [("order_sn_list", fifty_one)]), 400, "error_param")


def test_place_order_decrements_and_cancel_restores(sim: ShopeeSimulator) -> None:
    sim.add_item(SHOP, 2, "Kaos", models=[(11, "M", 80_000, 5)])
    assert sim.place_order(SHOP, [(2, 11, 6)]) is None  # never sells more than it shows
    assert sim.place_order(SHOP, [(2, 11, 3), (2, 11, 3)]) is None
    sn = sim.place_order(SHOP, [(2, 11, 4)])
    assert sn is not None
    assert sim.stock(SHOP, 2, 11) == 1
    created = sim.orders[sn].update_time
    sim.advance(10)
    sim.set_order_status(sn, "CANCELLED")
    assert sim.stock(SHOP, 2, 11) == 5
    assert sim.orders[sn].update_time == created + 10
    sim.set_order_status(sn, "CANCELLED")  # twice restores once
    assert sim.stock(SHOP, 2, 11) == 5
    with pytest.raises(ValueError, match="reopened"):
        sim.set_order_status(sn, "READY_TO_SHIP")
    shipped = sim.place_order(SHOP, [(2, 11, 2)], status="READY_TO_SHIP")
    assert shipped is not None
    sim.set_order_status(shipped, "COMPLETED")
    assert sim.stock(SHOP, 2, 11) == 3


# ---------------------------------------------------------------- faults, limits, accounting


def test_fault_429_500_and_error_body(sim: ShopeeSimulator, api: Api) -> None:
    sim.add_item(SHOP, 1, "Sambal", stock=1)
    params: Params = [("item_id_list", "1")]
    sim.inject("429", path=BASE_INFO)
    sim.inject("500", path=BASE_INFO)
    sim.inject("error_body:error_server:Something wrong. Please try later.", path=BASE_INFO)
    throttled = api.get(BASE_INFO, params)
    assert throttled.headers["Retry-After"] == "1"
    err(throttled, 429, "error_server")
    err(api.get(BASE_INFO, params), 500, "error_server")
    assert (
        err(api.get(BASE_INFO, params), 200, "error_server") == "Something wrong. Please try later."
    )
    ok(api.get(BASE_INFO, params))


def test_fault_matches_path_and_times(sim: ShopeeSimulator, api: Api) -> None:
    sim.add_item(SHOP, 1, "Sambal", stock=1)
    sim.inject("500", path=ORDER_DETAIL, times=2)
    ok(api.get(BASE_INFO, [("item_id_list", "1")]))
    for _ in range(2):
        err(api.get(ORDER_DETAIL, [("order_sn_list", "X")]), 500, "error_server")
    ok(api.get(ORDER_DETAIL, [("order_sn_list", "X")]))
    with pytest.raises(ValueError, match="unknown fault"):
        sim.inject("teapot")


def test_fault_malformed_body_after_applying(sim: ShopeeSimulator, api: Api) -> None:
    sim.add_item(SHOP, 6, "Polos", stock=2)
    sim.inject("malformed")
    body = {"item_id": 6, "stock_list": [{"model_id": 0, "seller_stock": [{"stock": 9}]}]}
    resp = api.post(STOCK, body)
    assert resp.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.content)
    assert sim.stock(SHOP, 6) == 9


def test_fault_timeout_holds_reply(sim: ShopeeSimulator, api: Api) -> None:
    sim.add_item(SHOP, 6, "Polos", stock=2)
    sim.timeout_hold = 0.6
    sim.inject("timeout", path=STOCK)
    body = {"item_id": 6, "stock_list": [{"model_id": 0, "seller_stock": [{"stock": 4}]}]}
    with pytest.raises(httpx.ReadTimeout):
        api.post(STOCK, body, timeout=0.15)
    assert sim.stock(SHOP, 6) == 4  # applied; only the reply was late
    started = time.monotonic()
    ok(api.post(STOCK, body, timeout=2.0))
    assert time.monotonic() - started < 0.5


def test_fault_expire_token_then_refresh(sim: ShopeeSimulator, api: Api) -> None:
    access, refresh = sim.issue_tokens(SHOP)
    api.token = access
    sim.inject("expire_token")
    err(api.get(BASE_INFO, [("item_id_list", "1")]), 403, "error_auth")
    err(api.get(BASE_INFO, [("item_id_list", "1")]), 403, "error_auth")
    api.token = ok(api.refresh(refresh))["access_token"]
    ok(api.get(BASE_INFO, [("item_id_list", "1")]))


def test_rate_limit_per_shop_and_family(api: Api) -> None:
    clock = [T0]
    with ShopeeSimulator(
        partner_id=PARTNER_ID, partner_key=PARTNER_KEY, clock=lambda: clock[0], rate_limit=(2.0, 3)
    ) as sim:
        sim.add_shop(SHOP)
        api.sim = sim
        api.token, _ = sim.issue_tokens(SHOP)
        params: Params = [("item_id_list", "1")]
        for _ in range(3):
            ok(api.get(BASE_INFO, params))
        limited = api.get(BASE_INFO, params)
        err(limited, 429, "error_server")
        assert int(limited.headers["Retry-After"]) >= 1
        detail: Params = [("order_sn_list", "X")]
        ok(api.get(ORDER_DETAIL, detail))  # another API family has its own bucket
        sim.advance(1)
        ok(api.get(BASE_INFO, params))
        ok(api.get(BASE_INFO, params))
        err(api.get(BASE_INFO, params), 429, "error_server")


def test_latency_and_accounting(
    sim: ShopeeSimulator, api: Api, capfd: pytest.CaptureFixture[str]
) -> None:
    sim.latency, sim.jitter = 0.05, 0.01
    started = time.monotonic()
    ok(api.get(BASE_INFO, [("item_id_list", "1")]))
    assert time.monotonic() - started >= 0.04
    sim.latency = sim.jitter = 0.0
    api.shop = OTHER
    err(api.get(BASE_INFO, [("item_id_list", "1")]), 403, "error_auth")
    assert sim.calls[(SHOP, BASE_INFO)] == 1
    assert sim.calls[(OTHER, BASE_INFO)] == 1
    assert [(e[1], e[2], e[3], e[4]) for e in sim.request_log] == [
        ("GET", BASE_INFO, SHOP, 200),
        ("GET", BASE_INFO, OTHER, 403),
    ]
    out, error = capfd.readouterr()
    assert api.token not in out + error
    assert PARTNER_KEY not in out + error
    assert out + error == ""


def test_stop_releases_held_requests_quickly() -> None:
    sim = ShopeeSimulator(partner_id=PARTNER_ID, partner_key=PARTNER_KEY).start()
    sim.add_shop(SHOP)
    sim.timeout_hold = 30.0
    sim.inject("timeout")
    with httpx.Client(timeout=0.1) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get(sim.base_url + BASE_INFO)
        started = time.monotonic()
        sim.stop()
    assert time.monotonic() - started < 2.0
