"""The Toko Mainan adapter: declarations for ``adapters.kit.HttpAdapter`` and the
marketplace's moves (the API is described in this package's docstring).

Orders are read by update time, inclusive, to the second. The cursor is JSON
``{"from": epoch s, "page": n}``: after a full page the next read starts at its last
update time (only a page all within one second moves ``page`` on); when caught up the
next poll starts ``OVERLAP`` seconds back, so a change within the second of a read is
read again. A cursor that cannot be read starts from ``since`` or the first page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Generator, Iterator, Sequence
from typing import Any, ClassVar

import httpx

from adapters.kit import ApiKeyAuth, HttpAdapter, RateLimits, pages
from syncd.adapter import (
    AdapterContext,
    BatchLimits,
    Credentials,
    ItemResult,
    OrderLine,
    OrderPage,
    OrderState,
    PriceUpdate,
    RemoteListing,
    RemoteOrder,
    StockUpdate,
)
from syncd.adapter_settings import AdapterSettings
from syncd.errors import Retryable
from syncd.shapes import read, read_each
from tests.toy_market import shapes
from tests.toy_market.errors import ERROR_TABLE, classify
from tests.toy_market.settings import ToySettings

__all__ = ["ADAPTER", "KeyAuth", "ToyAdapter"]

SOURCE = "Toko Mainan"
PRODUCTION = "https://api.toko-mainan.example"
API = "/api/v1"
PER_PAGE = 50  # products and orders per page, and objects per write
OVERLAP = 120  # seconds re-read at the start of each poll
NEVER = dt.datetime(2099, 12, 31, tzinfo=dt.UTC)  # an API key does not expire
STATE: dict[str, OrderState] = {
    "new": "open",
    "sent": "shipped",
    "cancelled": "cancelled",
    "returned": "returned",
}


class KeyAuth(httpx.Auth):
    """The API key and the merchant code on every request (nothing is signed)."""

    def __init__(self, merchant_code: str, api_key: str) -> None:
        self._merchant, self._key = merchant_code, api_key

    def __repr__(self) -> str:
        return f"KeyAuth(merchant={self._merchant}, api_key=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key}"
        request.headers["X-Merchant"] = self._merchant
        yield request


class ToyAdapter(ApiKeyAuth, HttpAdapter):
    """One Toko Mainan shop."""

    name: ClassVar[str] = "toko_mainan"
    settings_model: ClassVar[type[AdapterSettings]] = ToySettings
    secret_names: ClassVar[tuple[str, ...]] = ("api_key",)
    title: ClassVar[str] = SOURCE
    key_help: ClassVar[str] = "the Toko Mainan seller centre"
    limits: ClassVar[BatchLimits] = BatchLimits(
        stock_per_call=PER_PAGE,
        price_per_call=PER_PAGE,
        one_item_per_call=False,
        order_details_per_call=PER_PAGE,
        order_window=None,
    )
    rate_limits: ClassVar[RateLimits] = RateLimits(app_rps=20, shop_rps=5)
    classify = staticmethod(classify)

    @classmethod
    def endpoint(cls, settings: ToySettings) -> str:
        return (settings.base_url or PRODUCTION) + API

    @classmethod
    def signer(cls, ctx: AdapterContext, settings: ToySettings, base_url: str) -> KeyAuth:
        return KeyAuth(settings.merchant_code, ctx.secret("api_key", source=SOURCE))

    # -- authorization: a static key (the refusals are ``kit.ApiKeyAuth``'s) ----------

    def verify(self) -> Credentials:
        body = self.client.request("GET", "/products", params={"page": 1, "per_page": 1})
        read(shapes.ProductPage, body, source=f"{SOURCE} /products")
        return Credentials(access_token="", refresh_token="", access_expires_at=NEVER)

    # -- listings, stock, price ------------------------------------------------------------

    def discover(self) -> Iterator[RemoteListing]:
        def fetch(page: int | None) -> tuple[list[shapes.Product], int | None]:
            params = {"page": page or 1, "per_page": PER_PAGE}
            body = self.client.request("GET", "/products", params=params)
            answer = read(shapes.ProductPage, body, source=f"{SOURCE} /products")
            return answer.products, answer.next_page

        for p in pages(fetch, source=f"{SOURCE} /products"):
            yield RemoteListing(p.id, "", p.sku or None, p.name, p.stock, p.price)

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[ItemResult]:
        return self._write("/stock", updates, [{"stock": max(0, u.quantity)} for u in updates])

    def push_price(self, updates: Sequence[PriceUpdate]) -> list[ItemResult]:
        return self._write("/price", updates, [{"price": u.price} for u in updates])

    def _write(
        self, path: str, updates: Sequence[StockUpdate | PriceUpdate], values: list[dict[str, int]]
    ) -> list[ItemResult]:
        items = [{"id": u.item_id, **v} for u, v in zip(updates, values, strict=True)]
        body = self.client.request("POST", path, json={"items": items})
        answer = read(shapes.WriteResult, body, source=f"{SOURCE} {path}")
        by_id = {r.id: r for r in answer.results}
        results = []
        for u in updates:
            got = by_id.get(u.item_id)
            if got is None:
                results.append(
                    ItemResult(u.listing_id, ok=False, error="not in the answer", retry=True)
                )
            elif got.error is None:
                results.append(ItemResult(u.listing_id, ok=True))
            else:
                transient = issubclass(ERROR_TABLE.error_class(got.error.code), Retryable)
                why = f"{got.error.code}: {got.error.message}"[:300]
                results.append(ItemResult(u.listing_id, ok=False, error=why, retry=transient))
        return results

    # -- orders ----------------------------------------------------------------------------

    def pull_orders(self, cursor: str | None, since: dt.datetime) -> OrderPage:
        state = _cursor(cursor, since)
        params = {"updated_from": state["from"], "page": state["page"], "per_page": PER_PAGE}
        body = self.client.request("GET", "/orders", params=params)
        page = read(shapes.OrderList, body, source=f"{SOURCE} /orders")
        orders, aside = read_each(page.orders, shapes.Order, _order, id_key="id")
        now = int(self.ctx.now().timestamp())
        last = min(max((int(o.updated_at.timestamp()) for o in orders), default=0), now)
        if page.next_page is not None:
            if last > state["from"]:
                state = {"from": last, "page": 1}
            else:  # a whole page within one second: step over it by page
                state = {"from": state["from"], "page": state["page"] + 1}
            return OrderPage(orders, json.dumps(state), more=True, set_aside=tuple(aside))
        caught_up = {"from": max(state["from"], last - OVERLAP), "page": 1}
        return OrderPage(orders, json.dumps(caught_up), more=False, set_aside=tuple(aside))


ADAPTER = ToyAdapter


def _cursor(cursor: str | None, since: dt.datetime) -> dict[str, int]:
    try:
        raw: Any = json.loads(cursor) if cursor else {}
    except ValueError:
        raw = {}
    raw = raw if isinstance(raw, dict) else {}

    def number(key: str, default: int) -> int:
        value = raw.get(key)
        good = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**40
        return int(value) if good else default

    return {"from": number("from", int(since.timestamp())), "page": number("page", 1)}


def _order(raw: shapes.Order) -> RemoteOrder:
    lines = tuple(OrderLine(x.id, x.product_id, "", x.sku or None, x.qty) for x in raw.lines)
    created, updated = (
        dt.datetime.fromtimestamp(t, dt.UTC) for t in (raw.created_at, raw.updated_at)
    )
    return RemoteOrder(raw.id, raw.status, STATE[raw.status], created, updated, lines)
