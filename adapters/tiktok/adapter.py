"""TikTok Shop Partner API, versions 202309 and later (reference §3), also for Tokopedia shops.

Since the Tokopedia–TikTok Shop merger one Seller Center and one API serve both
storefronts (§3.8): a product sold on TikTok Shop and on Tokopedia is *one*
TikTok Shop product with one stock number, so it is bound once. The storefronts
an account sells on go to ``Credentials.extra["storefronts"]`` for display.

Shapes: stock and price updates take one product per call and up to 100 of its
SKUs; a stock update must list every warehouse of every SKU sent (§3.9 #3), so
the warehouses seen at discovery are kept per product (re-read with Get Product
when unknown or when TikTok says they changed). A daemon that starts with none known
reads the whole product search once at its first push (a page per 100 products)
instead of one Get Product per product. Orders come from the order
search, which returns whole orders with their line items, one line per unit
(§3.9 #1): each unit becomes its own ``OrderLine`` (qty 1, its own line item id).

Our order cursor is JSON: ``{"from": ts, "to": ts, "page": "<page token>"}``
over ``update_time_ge``/``update_time_lt``. A pass walks its window page by page;
the next pass starts ``OVERLAP`` seconds before the previous end, so an order
updated while we paged is read again (ingest is idempotent). TikTok documents no
maximum window, so a pass always runs up to now.

Every answer is read through its shape (``adapters/tiktok/shapes.py``): one that does
not fit is a malformed answer (retried), an order that does not fit is set aside.

Returns come from their own list, Search Returns version ``RETURN_VERSION`` = 202309
(``POST /return_refund/202309/returns/search``; the vendor spec
``search-returns-202309`` was read, the 202602 version named in §3.4 was not), with
a cursor of the same form as the orders' over ``update_time_ge``/``update_time_lt``,
50 a page (its most: 10–50). A return line item is one unit (no quantity) naming its
``order_line_item_id`` and ``sku_id`` but not its product, so the orders of a page
of returns are read with Get Order Detail (``GET /order/202507/orders``, ≤ 50 ids):
each returned unit becomes ``ReturnLine(product_id, sku_id, qty=1,
line_id=order_line_item_id)``, the very ids ``pull_orders`` gave that unit. The
status words and their states are in ``statuses.py``. A return that cannot be read
(not as documented, an unknown status, a unit that is not one of its order's) is
logged (``returns.set_aside``) and handed over without lines, so the core sets it
aside with the others (``return_problem``); the rest of its page is taken.

Campaign locks (issue 12 item 2). The product search shows a SKU's whole quantity,
campaign units included; Inventory Search 202309 (``POST /product/202309/inventory/
search``, vendor spec ``inventory-search-202309``: ≤ 100 ``product_ids`` a call) splits
the available stock in ``total_available_inventory_distribution``, whose
``campaign_inventory[]{quantity, campaign_name}`` are the units allocated to campaigns.
``discover`` reads it once per 100 products: ``RemoteListing.locked`` is their sum,
``lock_reason`` the campaigns' names; the stock stays the whole quantity (the locked units
are still TikTok's to sell). A write that would go below them is refused with 12052393
"Product locked for Promotion and stock can't be updated below current stock" (the
vendor's Update Inventory error list), per SKU in ``data.errors[]`` or as the answer's
code: ``ItemResult(ok=False, locked=True)`` with TikTok's words, parked (not retried)
until the value changes; its ``lock`` is the SKUs' campaign units read again by
Inventory Search (the refusal names none; None when the read shows none or fails). A
lock read that fails stops ``discover`` (zero would free units a campaign holds).
UNCONFIRMED (locks): when a campaign ends (the answer gives no end: ``locked_until``
stays None, so a lock holds until the next read); where TikTok puts 12052393 (both
places are read); that "below current stock" means below the campaign's units (a
refusal of any decrease during a promotion is mapped the same way); whether TikTok
refuses writes below ``creator_inventory`` (not taken as a lock); whether the
distribution is left out when nothing is allocated (read as no lock).

UNCONFIRMED (returns): that 202309 is still served (a replaced version lives at least
two months, §3.1; the constant is the one place to change); that ``can_buyer_keep_item``
marks a return-less refund (such a return is closed, never restocked); whether a
replacement's unit comes back (never restocked); the HTTP status of a missing return
scope (105005: the return list is reported failed, orders and pushes go on); that
Get Order Detail leaves unknown ids out; whether TikTok raises its own stock when a
return completes (``restocked_by_marketplace`` stays False).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode

import httpx
import structlog
from pydantic import ValidationError

from adapters.kit import HttpAdapter, RateLimits, next_page, pages
from adapters.tiktok import shapes
from adapters.tiktok.errors import WAREHOUSE_CODES, classify, error_class, is_lock, label
from adapters.tiktok.settings import TikTokSettings
from adapters.tiktok.signing import TikTokAuth, TokenSource
from adapters.tiktok.statuses import STATUS_STATE, canonical, line_state, return_state, return_word
from syncd.adapter import (
    MAX_ID_LEN,
    AdapterContext,
    BatchLimits,
    Credentials,
    ItemResult,
    OrderLine,
    OrderPage,
    PriceUpdate,
    RemoteListing,
    RemoteOrder,
    RemoteReturn,
    ReturnLine,
    ReturnPage,
    StockUpdate,
)
from syncd.adapter_settings import AdapterSettings
from syncd.errors import (
    AdapterError,
    MalformedResponse,
    NeedsReauth,
    RefreshAuth,
    Rejected,
    Retryable,
    SkippableItem,
)
from syncd.http import (
    ApiClient,
)
from syncd.shapes import Answer, describe, read, read_each

_log = structlog.get_logger("syncd.adapters.tiktok")
_A = TypeVar("_A", bound=Answer)

__all__ = ["ADAPTER", "HOSTS", "PATHS", "TikTokAdapter", "storefronts"]

HOSTS = {"production": "https://open-api.tiktokglobalshop.com"}  # the only environment (§3.1)
AUTH_HOST = "https://auth.tiktok-shops.com"
AUTHORIZE_URLS = {
    "global": "https://services.tiktokshop.com/open/authorize",
    "US": "https://services.us.tiktokshop.com/open/authorize",
}
#: Search Returns' version: 202309, whose vendor spec was read (§3.4 also names 202602).
RETURN_VERSION = "202309"
PATHS = {
    "token_get": "/api/v2/token/get",
    "token_refresh": "/api/v2/token/refresh",
    "shops": "/authorization/202309/shops",
    "product_search": "/product/202502/products/search",
    "product": "/product/202309/products/{product_id}",
    "inventory_search": "/product/202309/inventory/search",
    "inventory_update": "/product/202309/products/{product_id}/inventory/update",
    "price_update": "/product/202309/products/{product_id}/prices/update",
    "order_search": "/order/202309/orders/search",
    "order_detail": "/order/202507/orders",
    "return_search": f"/return_refund/{RETURN_VERSION}/returns/search",
    "webhooks": "/event/202309/webhooks",
}
#: The event types syncd subscribes a shop to (§3.6): what moves stock (orders, their
#: cancellations, returns). Each is a hint that wakes the order poll.
WEBHOOK_EVENTS = ("ORDER_STATUS_CHANGE", "CANCELLATION_STATUS_CHANGE", "RETURN_STATUS_CHANGE")
RETURN_PAGE_SIZE = 50  # Search Returns' page_size: 10–50 (its spec)
OVERLAP = 120  # seconds re-read at the start of each new pass
PAGE_SIZE = 100  # the most any search returns per page (§3.4)
INVENTORY_PRODUCTS = 100  # Inventory Search: at most 100 product_ids a call (its spec)
MAX_QUANTITY = 99_999  # the documented upper bound of a warehouse quantity (§3.4)
ACCESS_LIFE = dt.timedelta(days=7)  # default when the answer lacks an expiry (§3.2)
#: ``listing_platforms`` values and how a seller calls them.
STOREFRONT_NAMES = {"TIKTOK_SHOP": "TikTok Shop", "TOKOPEDIA": "Tokopedia"}


def storefronts(settings: Mapping[str, Any], region: str | None) -> list[str]:
    """The storefronts this shop sells on: the ``storefronts`` setting, else by region.

    An Indonesian shop sells on TikTok Shop and Tokopedia through the one API
    (§3.8); the authorized-shops answer does not say which, so a migrated seller
    who only uses one of them says so in the setting.
    """
    configured = settings.get("storefronts")
    if configured:
        return [str(s) for s in configured]
    if (region or "").upper() == "ID":
        return [STOREFRONT_NAMES["TIKTOK_SHOP"], STOREFRONT_NAMES["TOKOPEDIA"]]
    return [STOREFRONT_NAMES["TIKTOK_SHOP"]]


def _ts(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, dt.UTC)


def _read(shape: type[_A], body: Any, call: str) -> _A:
    return read(shape, body, source=f"TikTok {call}")


def _expiry(
    value: int | None, now: dt.datetime, default: dt.timedelta | None
) -> dt.datetime | None:
    """An ``*_expire_in`` field: a Unix timestamp, not a duration (§3.9 #5).

    A value too small to be a timestamp (before 2001) can only be a duration; it is
    read as one rather than as a date in 1970, which would expire the token at once.
    """
    if value is None:
        return None if default is None else now + default
    if value > 1_000_000_000:
        return _ts(value)
    return now + dt.timedelta(seconds=value)


class TikTokAdapter(HttpAdapter):
    """One TikTok Shop shop (and its Tokopedia storefront)."""

    name: ClassVar[str] = "tiktok"
    settings_model: ClassVar[type[AdapterSettings]] = TikTokSettings
    secret_names: ClassVar[tuple[str, ...]] = ("app_secret",)
    limits: ClassVar[BatchLimits] = BatchLimits(
        stock_per_call=100,  # one product, all its SKUs (a product has at most 100)
        price_per_call=100,
        one_item_per_call=True,  # "item" = product: every stock/price call is for one product
        order_details_per_call=50,
        order_window=None,  # no maximum window documented (§3.4)
    )
    #: Product search stops at this many results (§3.9 #6); larger shops are sliced by time.
    search_cap: int = 10_000

    # TikTok allows 50 QPS per API per (app, shop) (§3.7); one bucket for all APIs of a
    # shop stays under that. No app-wide quota is documented: the app bucket only stops
    # a runaway.
    rate_limits: ClassVar[RateLimits] = RateLimits(app_rps=500, shop_rps=50)
    classify = staticmethod(classify)
    lists_returns: ClassVar[bool] = True  # Search Returns (see the module docstring)
    registers_webhooks: ClassVar[bool] = True  # PUT /event/202309/webhooks (§3.6)

    def __init__(
        self, ctx: AdapterContext, client: ApiClient, settings: TikTokSettings, auth: httpx.Auth
    ) -> None:
        super().__init__(ctx, client, settings, auth)
        assert isinstance(auth, TikTokAuth)  # noqa: S101 - built by signer() below
        self.source = auth.source
        self.auth_url = (settings.auth_base_url or AUTH_HOST).rstrip("/")
        self.app_key = settings.app_key
        self.currency = settings.currency
        self._warehouses: dict[str, dict[str, tuple[str, ...]]] = {}  # product → SKU → ids
        self._lock = threading.Lock()
        self._walked = threading.Lock()  # held while the one warm-up search runs
        self._warm = False  # every product's warehouses were read (discover or warm-up)

    @classmethod
    def endpoint(cls, settings: TikTokSettings) -> str:
        return settings.base_url or HOSTS[settings.environment]

    @classmethod
    def app_id(cls, ctx: AdapterContext, settings: TikTokSettings) -> str:
        return settings.app_key

    @classmethod
    def signer(cls, ctx: AdapterContext, settings: TikTokSettings, base_url: str) -> TikTokAuth:
        source = TokenSource(
            token=lambda: c.access_token if (c := ctx.credentials()) else None,
            cipher=lambda: (
                str(c.extra.get("shop_cipher") or "") if (c := ctx.credentials()) else None
            ),
        )
        secret = ctx.secret("app_secret", source="TikTok")
        return TikTokAuth(settings.app_key, secret, source, clock=lambda: ctx.now().timestamp())

    # -- webhooks (§3.6) ------------------------------------------------------------

    def register_webhooks(self, url: str) -> list[str]:
        """Subscribe this shop's :data:`WEBHOOK_EVENTS` to ``url`` (``PUT
        /event/202309/webhooks`` per event type, after reading the shop's subscriptions
        with ``GET``). TikTok keeps one address per shop and event type, so a PUT both
        creates and moves one. TikTok requires HTTPS, a domain name and no port (§3.6);
        it checks the address, syncd does not."""
        body = self.client.request("GET", PATHS["webhooks"])
        listed = _read(shapes.Webhooks, body, "webhooks").data.webhooks
        existing = {w.event_type: w.address for w in listed}
        done: list[str] = []
        for event in WEBHOOK_EVENTS:
            have = existing.get(event)
            if have == url:
                done.append(f"kept:{event}")
                continue
            self.client.request(
                "PUT", PATHS["webhooks"], json={"address": url, "event_type": event}
            )
            done.append(f"{'updated' if have else 'created'}:{event}")
        return done

    # -- authorization --------------------------------------------------------------

    def authorization_url(self, redirect: str) -> str:
        """The seller's authorization link (§3.2). TikTok sends the seller back to the
        redirect URL registered in Partner Center, so ``redirect`` is not part of it."""
        service_id = self.ctx.settings.get("service_id")
        if not service_id:
            raise Rejected(
                "TikTok: set the app's service_id (Partner Center) in the channel settings",
                code="service_id_missing",
            )
        region = "US" if str(self.ctx.settings.get("region", "")).upper() == "US" else "global"
        base = str(self.ctx.settings.get("authorize_url") or AUTHORIZE_URLS[region])
        return f"{base}?{urlencode({'service_id': service_id})}"

    def _token_call(self, path: str, params: dict[str, str]) -> shapes.TokenData:
        """An unsigned call on the auth host; the app secret goes in the query (§3.2)."""
        query = {
            "app_key": self.app_key,
            "app_secret": self.ctx.secret("app_secret", source="TikTok"),
            **params,
        }
        body = self.client.request("GET", f"{self.auth_url}{path}", params=query)
        got: shapes.Tokens = _read(shapes.Tokens, body, f"token {path.rsplit('/', 1)[-1]}")
        return got.data

    def _shop(self, token: str) -> shapes.Shop:
        """This account's shop among the ones the token may act for (matched by id or code)."""
        with self.source.lend(token):
            body = self.client.request("GET", PATHS["shops"])
        shops = _read(shapes.Shops, body, "shops").data.shops
        wanted = str(self.ctx.shop_id)
        for shop in shops:
            if wanted in (shop.id, shop.code) and shop.cipher:
                return shop
        known = ", ".join(f"{s.name or '?'} ({s.id})" for s in shops)
        raise NeedsReauth(
            f"TikTok: shop {wanted} is not among the authorized shops: {known or 'none'}",
            code="shop_not_authorized",
        )

    def _extra(self, shop: shapes.Shop, data: shapes.TokenData) -> dict[str, Any]:
        region = shop.region or data.seller_base_region
        return {
            "shop_cipher": shop.cipher,
            "shop_name": shop.name,
            "shop_code": shop.code,
            "region": region,
            "storefronts": storefronts(self.ctx.settings, region),
        }

    def _credentials(
        self, data: shapes.TokenData, extra: dict[str, Any], previous: Credentials | None = None
    ) -> Credentials:
        now = self.ctx.now()
        refresh_expires = _expiry(data.refresh_token_expire_in, now, None)
        if refresh_expires is None and previous is not None:
            refresh_expires = previous.refresh_expires_at
        access_expires = _expiry(data.access_token_expire_in, now, ACCESS_LIFE)
        assert access_expires is not None  # noqa: S101 - a default was given
        refresh_token = data.refresh_token or (previous.refresh_token if previous else None)
        if not refresh_token:  # a first exchange must give one
            raise MalformedResponse(
                "TikTok token get: answer not as documented: data.refresh_token: missing",
                code="malformed",
            )
        return Credentials(
            access_token=data.access_token,
            refresh_token=refresh_token,
            access_expires_at=access_expires,
            refresh_expires_at=refresh_expires,
            # the refresh token lives as long as the seller's authorization (§3.2)
            auth_expires_at=refresh_expires,
            extra=extra,
        )

    def exchange_code(self, code: str) -> Credentials:
        data = self._token_call(
            PATHS["token_get"], {"auth_code": code, "grant_type": "authorized_code"}
        )
        shop = self._shop(data.access_token)
        return self._credentials(data, self._extra(shop, data))

    def refresh(self, current: Credentials) -> Credentials:
        try:
            data = self._token_call(
                PATHS["token_refresh"],
                {"refresh_token": current.refresh_token, "grant_type": "refresh_token"},
            )
        except (Rejected, RefreshAuth) as exc:  # a refused refresh token cannot be retried
            raise NeedsReauth(f"refresh refused: {exc}", code=exc.code) from None
        # UNCONFIRMED (§3.2): whether the refresh token rotates. We store whatever comes
        # back and keep the old one only when none does.
        extra = dict(current.extra)
        if not extra.get("shop_cipher"):
            extra.update(self._extra(self._shop(data.access_token), data))
        extra["storefronts"] = storefronts(self.ctx.settings, extra.get("region"))
        return self._credentials(data, extra, previous=current)

    # -- listings -------------------------------------------------------------------

    def _search(self, span: tuple[int, int] | None, token: str) -> shapes.ProductPage:
        params: dict[str, Any] = {"page_size": PAGE_SIZE}
        if token:
            params["page_token"] = token
        body: dict[str, Any] = {}
        if span is not None:
            body.update(create_time_ge=span[0], create_time_le=span[1])
        answer = self.client.request("POST", PATHS["product_search"], params=params, json=body)
        return _read(shapes.ProductSearch, answer, "product search").data

    def _products(self) -> Iterator[shapes.Product]:
        """Every product; slices the search by creation time when it holds more than
        ``search_cap`` results (§3.9 #6). ``None`` = no time filter."""
        spans: list[tuple[int, int] | None] = [None]
        while spans:
            span = spans.pop(0)
            page = self._search(span, "")
            if page.total_count > self.search_cap:
                lo, hi = span or (0, int(self.ctx.now().timestamp()))
                if lo >= hi:
                    raise Rejected(
                        f"TikTok: more than {self.search_cap} products created in one second",
                        code="12052180:search_over_10000",
                    )
                mid = (lo + hi) // 2
                spans[:0] = [(lo, mid), (mid + 1, hi)]
                continue
            yield from pages(self._walk(span, page), source="TikTok product search")

    def _walk(
        self, span: tuple[int, int] | None, first: shapes.ProductPage
    ) -> Callable[[str | None], tuple[list[shapes.Product], str | None]]:
        """One slice's pages for ``kit.pages``: the first is already read."""

        def fetch(token: str | None) -> tuple[list[shapes.Product], str | None]:
            got = first if token is None else self._search(span, token)
            return got.products, got.next_page_token or None

        return fetch

    def _remember(self, product: shapes.Product) -> dict[str, tuple[str, ...]]:
        """Keep each SKU's warehouses (in TikTok's order) for the stock updates."""
        table = {sku.id: sku.warehouses for sku in product.skus}
        with self._lock:
            self._warehouses[product.id] = table
        return table

    def discover(self) -> Iterator[RemoteListing]:
        batch: list[shapes.Product] = []
        for product in self._products():
            if product.deleted:
                continue  # deleted everywhere (a Tokopedia-only product has no `status`)
            self._remember(product)
            batch.append(product)
            if len(batch) == INVENTORY_PRODUCTS:
                yield from self._listings(batch)
                batch = []
        if batch:
            yield from self._listings(batch)
        self._warm = True

    def _warm_up(self) -> None:
        """Every product's warehouses, read once by the product search (a page per 100
        products) the first time one is missing: a restarted daemon's first pushes then
        cost a few search pages instead of one Get Product per product."""
        with self._walked:
            if self._warm:
                return
            for product in self._products():
                if not product.deleted:
                    self._remember(product)
            self._warm = True

    def _listings(self, products: list[shapes.Product]) -> Iterator[RemoteListing]:
        """Products' SKUs as listings, with the campaign locks of one Inventory Search."""
        locks = self._campaigns({"product_ids": [p.id for p in products]})
        for product in products:
            for sku in product.skus:
                units, names = locks.get((product.id, sku.id), (0, ""))
                yield RemoteListing(
                    product.id,
                    sku.id,
                    sku.seller_sku or None,
                    product.title,
                    sku.stock,
                    sku.price.whole if sku.price else 0,
                    locked=units,
                    lock_reason=names,
                )

    def _campaigns(self, query: dict[str, list[str]]) -> dict[tuple[str, str], tuple[int, str]]:
        """(product id, SKU id) → (units allocated to campaigns, their names) by Inventory
        Search (``product_ids`` ≤ 100 or ``sku_ids`` ≤ 600); SKUs without any are left out.
        UNCONFIRMED: no end time is given (the lock holds until read again)."""
        body = self.client.request("POST", PATHS["inventory_search"], json=query)
        found: dict[tuple[str, str], tuple[int, str]] = {}
        for product in _read(shapes.InventorySearch, body, "inventory search").data.inventory:
            for sku in product.skus:
                if campaigns := sku.campaigns:
                    names = ", ".join(
                        dict.fromkeys(c.campaign_name for c in campaigns if c.campaign_name)
                    )
                    found[(product.product_id, sku.id)] = (
                        sum(c.quantity for c in campaigns),
                        names or "campaign",
                    )
        return found

    def _warehouses_of(self, product_id: str, sku_id: str) -> tuple[str, ...] | None:
        """A SKU's warehouse ids, read with Get Product when not known; None if no such SKU."""
        with self._lock:
            table = self._warehouses.get(product_id)
        if table is None and not self._warm:
            self._warm_up()
            with self._lock:
                table = self._warehouses.get(product_id)
        if table is None or sku_id not in table:  # newer than the search, or changed
            body = self.client.request("GET", PATHS["product"].format(product_id=product_id))
            product = _read(shapes.ProductDetail, body, "get product").data
            if product.id != product_id:  # another product's SKUs are not this one's
                raise MalformedResponse(
                    f"TikTok get product: answer for another product than {product_id}",
                    code="malformed",
                )
            table = self._remember(product)
        return table.get(sku_id)

    def _forget(self, product_id: str) -> None:
        with self._lock:
            self._warehouses.pop(product_id, None)

    # -- stock and price -----------------------------------------------------------------

    def _inventory(self, warehouses: tuple[str, ...], quantity: int) -> list[dict[str, Any]]:
        """Every warehouse of the SKU (§3.9 #3): syncd's number in the primary one, 0 in the others.

        The primary warehouse is the ``warehouse_id`` setting when the SKU has it, else
        the first TikTok lists. A quantity above 99,999 is lowered to it (showing less
        than we have is safe; more is not).

        UNCONFIRMED (§3.4/§9): the docs give 1–99,999, and whether 0 is accepted is not
        confirmed. Safe choice: send the true 0, never round it up to 1 (that would sell a
        unit we do not have). If TikTok refuses it, the SKU is reported failed with the
        reason (see ``_failure``), so the seller sees it instead of a stale number.
        """
        qty = min(max(0, quantity), MAX_QUANTITY)
        if not warehouses:  # "optional if there is only 1 warehouse"
            return [{"quantity": qty}]
        preferred = str(self.ctx.settings.get("warehouse_id") or "")
        primary = preferred if preferred in warehouses else warehouses[0]
        return [{"warehouse_id": w, "quantity": qty if w == primary else 0} for w in warehouses]

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[ItemResult]:
        product_id = updates[0].item_id
        results: list[ItemResult] = []
        sent: list[tuple[StockUpdate, bool]] = []  # (update, a 0 was sent for some warehouse)
        skus: list[dict[str, Any]] = []
        for u in updates:
            warehouses = self._warehouses_of(product_id, u.variant_id)
            if warehouses is None:
                why = f"SKU {u.variant_id} is not part of TikTok product {product_id}"
                results.append(ItemResult(u.listing_id, ok=False, error=why))
                continue
            inventory = self._inventory(warehouses, u.quantity)
            sent.append((u, any(entry["quantity"] == 0 for entry in inventory)))
            skus.append({"id": u.variant_id, "inventory": inventory})
        if not sent:
            return results
        path = PATHS["inventory_update"].format(product_id=product_id)
        try:
            body = self.client.request("POST", path, json={"skus": skus})
        except AdapterError as exc:
            if exc.code.split(":", 1)[0] in {str(c) for c in WAREHOUSE_CODES}:
                self._forget(product_id)
            if not is_lock(exc.code):
                raise
            # the whole call refused for a promotion (UNCONFIRMED where TikTok sends it)
            refused = [
                ItemResult(u.listing_id, ok=False, error=str(exc), locked=True) for u, _ in sent
            ]
            return results + self._tell_locks(product_id, sent, refused)
        answer: shapes.InventoryUpdate = _read(shapes.InventoryUpdate, body, "inventory update")
        by_sku: dict[str, shapes.SkuError] = {}
        unattributed: list[shapes.SkuError] = []
        for entry in answer.data.errors if answer.data else []:
            sku_id = entry.detail.sku_id if entry.detail else None
            if sku_id:
                by_sku.setdefault(sku_id, entry)
            else:
                unattributed.append(entry)
        answered: list[ItemResult] = []
        for u, zero in sent:
            found = by_sku.get(u.variant_id) or (unattributed[0] if unattributed else None)
            if found is None:
                # UNCONFIRMED (§3.4): that the SKUs without an error were applied when others
                # failed; the documented answer (code 0 with per-SKU errors) implies it.
                answered.append(ItemResult(u.listing_id, ok=True))
            else:
                known = not unattributed
                answered.append(self._failure(u, found, product_id, known=known, zero=zero))
        return results + self._tell_locks(product_id, sent, answered)

    def _tell_locks(
        self,
        product_id: str,
        sent: list[tuple[StockUpdate, bool]],
        results: list[ItemResult],
    ) -> list[ItemResult]:
        """Refusals for a campaign lock, with the units TikTok shows allocated to campaigns
        (Inventory Search of those SKUs: the refusal names none); None when the read shows
        none or fails (the lock is then untold, the refusal still skipped)."""
        refused = {r.listing_id for r in results if r.locked}
        if not refused:
            return results
        sku_of = {u.listing_id: u.variant_id for u, _ in sent}
        try:
            locks = self._campaigns({"sku_ids": sorted({sku_of[i] for i in refused})})
        except AdapterError as exc:
            _log.warning("stock.lock_unread", product_id=product_id, error=str(exc)[:300])
            locks = {}

        def told(result: ItemResult) -> ItemResult:
            got = locks.get((product_id, sku_of[result.listing_id])) if result.locked else None
            return dataclasses.replace(result, lock=got[0]) if got else result

        return [told(r) for r in results]

    def _failure(
        self,
        update: StockUpdate,
        error: shapes.SkuError,
        product_id: str,
        *,
        known: bool,
        zero: bool,
    ) -> ItemResult:
        """One SKU's error from ``data.errors[]``, with its secondary errors."""
        code = error.code
        message = error.message or "failed"
        secondary = error.detail.extra_errors if error.detail else []
        text = f"{label(code, message)}: {message}"
        if secondary:
            details = "; ".join(f"{e.code}: {e.message}" for e in secondary)
            text += f" ({details})"
        if is_lock(code):  # a campaign holds the stock: skipped (parked), not failed
            return ItemResult(update.listing_id, ok=False, error=text, locked=True)
        codes = {code} | {e.code for e in secondary}
        stale = bool(codes & WAREHOUSE_CODES)
        if stale:
            self._forget(product_id)  # re-read the warehouses before the next try
        if zero and code in (12052055, 12019024):
            text += (
                " — TikTok refused stock 0 (UNCONFIRMED whether 0 is accepted): mark the SKU"
                " out of stock or deactivate it in Seller Center"
            )
        retry = issubclass(error_class(code, message), Retryable) or stale or not known
        return ItemResult(update.listing_id, ok=False, error=text, retry=retry)

    def push_price(self, updates: Sequence[PriceUpdate]) -> list[ItemResult]:
        """One call per product; TikTok applies it whole or refuses it whole (``data`` is empty)."""
        product_id = updates[0].item_id
        skus = [
            {"id": u.variant_id, "price": {"amount": str(int(u.price)), "currency": self.currency}}
            for u in updates
        ]
        body = self.client.request(
            "POST", PATHS["price_update"].format(product_id=product_id), json={"skus": skus}
        )
        _read(shapes.PriceUpdate, body, "price update")
        return [ItemResult(u.listing_id, ok=True) for u in updates]

    # -- orders -------------------------------------------------------------------------

    def _window(self, cursor: str | None, since: dt.datetime) -> dict[str, Any]:
        now = int(self.ctx.now().timestamp())
        if cursor:
            state: dict[str, Any] = json.loads(cursor)
        else:
            state = {"from": int(since.timestamp()), "page": ""}
        if not state.get("page"):  # a new pass: up to now, this second included (lt excludes)
            state["to"] = max(now + 1, int(state["from"]))
        return state

    def _time_search(self, path: str, size: int, state: dict[str, Any]) -> Any:
        """One page of an order or return search over the cursor's update-time window."""
        query: dict[str, Any] = {
            "page_size": size,
            "sort_field": "update_time",
            "sort_order": "ASC",
        }
        if state["page"]:
            query["page_token"] = state["page"]
        return self.client.request(
            "POST",
            path,
            params=query,
            json={"update_time_ge": state["from"], "update_time_lt": state["to"]},
        )

    def _first_page(
        self, path: str, size: int, state: dict[str, Any], since: dt.datetime, what: str
    ) -> tuple[Any, dict[str, Any]]:
        """The page the cursor names; when TikTok refuses the page token it gave (or one
        stored wrong), this window again from its start (ingest is idempotent)."""
        try:
            return self._time_search(path, size, state), state
        except (Rejected, SkippableItem) as exc:
            if not state["page"]:
                raise
            _log.warning(f"{what}.cursor_refused", error=str(exc), window_from=state["from"])
            state = self._window(json.dumps({"from": state["from"], "page": ""}), since)
            return self._time_search(path, size, state), state

    def _next(
        self, state: dict[str, Any], token: str, read_any: bool, source: str
    ) -> tuple[str, bool]:
        """The cursor after a page, and whether to call again now: the next page while
        there is one, else a new pass from ``OVERLAP`` s before this one's end."""
        if token and read_any:
            state["page"] = next_page(state["page"], token, source=source)
            return json.dumps(state), True
        now = int(self.ctx.now().timestamp())
        nxt = {"from": max(state["from"], state["to"] - OVERLAP), "page": ""}
        return json.dumps(nxt), state["to"] < now - OVERLAP

    def pull_orders(self, cursor: str | None, since: dt.datetime) -> OrderPage:
        state = self._window(cursor, since)
        body, state = self._first_page(PATHS["order_search"], PAGE_SIZE, state, since, "orders")
        page: shapes.OrderPage = _read(shapes.OrderSearch, body, "order search").data
        orders, aside = read_each(page.orders, shapes.Order, self._order, id_key="id")
        nxt, more = self._next(
            state, page.next_page_token, bool(orders or aside), "TikTok order search"
        )
        return OrderPage(orders, nxt, more=more, set_aside=tuple(aside))

    def _order(self, raw: shapes.Order) -> RemoteOrder:
        status = canonical(raw.status)
        state = STATUS_STATE.get(status)
        if state is None:
            raise MalformedResponse(f"TikTok: unknown order status {status!r}", code="status")
        lines = []
        for item in raw.line_items:
            display = item.display_status or None
            lines.append(
                OrderLine(
                    line_id=item.id,  # one line item per unit: its own id
                    item_id=item.product_id,
                    variant_id=item.sku_id,
                    sku=item.seller_sku or None,
                    qty=1,
                    state=line_state(display, item.package_status),
                    status=canonical(display) if display else None,
                )
            )
        return RemoteOrder(
            raw.id,
            status,
            state,
            _ts(raw.create_time),
            _ts(raw.update_time),
            tuple(lines),
        )

    # -- returns ---------------------------------------------------------------------

    def pull_returns(self, cursor: str | None, since: dt.datetime) -> ReturnPage:
        state = self._window(cursor, since)
        path = PATHS["return_search"]
        try:
            body, state = self._first_page(path, RETURN_PAGE_SIZE, state, since, "returns")
        except NeedsReauth as exc:
            if not exc.code.startswith("105005"):
                raise
            # a shop authorized before syncd read returns: its stock and orders go on
            raise Rejected(
                "TikTok: the seller has not granted the Return & Refund scope "
                "(seller.return_refund.basic); returns are read once they authorize again",
                code=exc.code,
            ) from None
        page: shapes.ReturnPage = _read(shapes.ReturnSearch, body, "return search").data
        returns = self._returns(page.return_orders)
        nxt, more = self._next(
            state, page.next_page_token, bool(page.return_orders), "TikTok return search"
        )
        return ReturnPage(returns, nxt, more=more)

    def _returns(self, raws: Sequence[Any]) -> list[RemoteReturn]:
        """Each record of a page as a ``RemoteReturn``; one that cannot be read is handed
        over without lines (set aside by the core), never the page."""
        read: list[shapes.Return | str] = []
        for raw in raws:
            try:
                read.append(shapes.Return.model_validate(raw))
            except ValidationError as exc:
                read.append(f"not as documented: {describe(exc)}")
        units, why = self._order_units({r.order_id for r in read if isinstance(r, shapes.Return)})
        out: list[RemoteReturn] = []
        for raw, got in zip(raws, read, strict=True):
            if isinstance(got, str):
                out.append(self._aside_return(raw, got))
                continue
            try:
                out.append(self._return(got, units, why))
            except MalformedResponse as exc:
                out.append(self._aside_return(raw, str(exc)))
        return out

    def _order_units(
        self, order_ids: set[str]
    ) -> tuple[dict[str, dict[str, tuple[str, str]]], str]:
        """order id → its units (line item id → (product id, SKU id)) by Get Order Detail,
        the ids ``pull_orders`` gives them; and why none could be read, if so."""
        found: dict[str, dict[str, tuple[str, str]]] = {}
        ids = sorted(order_ids)
        per_call = self.limits.order_details_per_call
        for chunk in (ids[i : i + per_call] for i in range(0, len(ids), per_call)):
            try:
                body = self.client.request(
                    "GET", PATHS["order_detail"], params={"ids": ",".join(chunk)}
                )
            except (Rejected, SkippableItem) as exc:  # refused: these returns wait aside
                return found, f"its order could not be read: {exc}"
            for raw in _read(shapes.OrderDetail, body, "order detail").data.orders:
                try:
                    order = shapes.Order.model_validate(raw)
                except ValidationError as exc:
                    _log.warning("returns.order_unreadable", reason=describe(exc))
                    continue
                found[order.id] = {i.id: (i.product_id, i.sku_id) for i in order.line_items}
        return found, ""

    def _return(
        self, raw: shapes.Return, units: dict[str, dict[str, tuple[str, str]]], why: str
    ) -> RemoteReturn:
        status = return_word(raw.return_status)
        state = return_state(status, raw.return_type, keep_item=raw.can_buyer_keep_item is True)
        if state is None:
            raise MalformedResponse(
                f"TikTok: unknown return status {status!r} or type {raw.return_type!r}",
                code="status",
            )
        if why:
            raise MalformedResponse(f"TikTok return: {why}", code="order_detail")
        order = units.get(raw.order_id)
        if order is None:
            raise MalformedResponse(
                f"TikTok: the order {raw.order_id} of the return is not in Get Order Detail",
                code="order_detail",
            )
        lines: dict[str, ReturnLine] = {}
        for item in raw.return_line_items:
            unit = order.get(item.order_line_item_id)
            if unit is None or unit[1] != item.sku_id:
                raise MalformedResponse(
                    f"TikTok: returned line {item.order_line_item_id} (SKU {item.sku_id}) "
                    f"is not a unit of order {raw.order_id}",
                    code="return_line",
                )
            # one line item per unit (§3.9 #1): its own id, one unit
            lines[item.order_line_item_id] = ReturnLine(
                unit[0], unit[1], 1, line_id=item.order_line_item_id
            )
        return RemoteReturn(
            raw.return_id, raw.order_id, status, state, _ts(raw.update_time), tuple(lines.values())
        )

    def _aside_return(self, raw: Any, reason: str) -> RemoteReturn:
        """A return that cannot be taken: logged with the reason, and handed over without
        lines, so the core sets it aside (``return_problem``) and tells the operator."""

        def text(key: str) -> str:
            value = raw.get(key) if isinstance(raw, dict) else None
            ok = isinstance(value, str | int) and not isinstance(value, bool)
            return str(value)[:MAX_ID_LEN] if ok else ""

        _log.warning(
            "returns.set_aside",
            return_id=text("return_id"),
            order_id=text("order_id"),
            reason=reason[:300],
        )
        return RemoteReturn(
            text("return_id"), text("order_id"), "", "requested", self.ctx.now(), ()
        )


ADAPTER = TikTokAdapter
