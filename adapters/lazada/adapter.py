"""Lazada Open Platform (reference §2): auth, listings, stock, price, orders.

Hosts: one API gateway per country (Indonesia by default; ``base_url`` overrides
it) and the token APIs on ``auth.lazada.com`` (``auth_url`` overrides it).

Stock goes through ``UpdateSellableQuantity`` (§2.8 #1, §8 #2): the value we
push is what buyers can still buy, so units held by Lazada's own open orders
(withheld / occupied) are not counted twice. Price goes through
``UpdatePriceQuantity`` with ``Price`` only — never its ``Quantity``, which is
the *total* stock. Both take up to 50 SKUs of any products per call.

Order lines are one row per unit (§2.8 #7): each row becomes an ``OrderLine``
with ``qty=1``, its ``order_item_id`` as line id, and its own status, so a unit
cancelled on its own is released on its own.

Our order cursor is JSON: ``{"from": ts, "to": ts, "offset": n}``. A window
``[from, to]`` is read sorted by update time; after a full page the next one
starts one second before the page's last ``updated_at`` (re-reading a few orders
is harmless: ingest is idempotent), so an order that moves out of the window
while we page cannot shift another one past us, as plain offset paging would;
only when a page is all one second does the offset advance instead. When a
window is done, the next starts ``OVERLAP`` seconds before its end.

Every answer is read through its shape (``adapters/lazada/shapes.py``): one that does
not fit raises MalformedResponse (retried; the order cursor does not move), and an order
that does not fit, or whose unit rows do not, is set aside while the rest of its page is
read.

Returns come with the orders (``OrderPage.returns``), one ``RemoteReturn`` per unit row:
a unit in ``returned`` is a shipped (deducted) unit of its order *and* a return in
state ``received`` (the goods are back with the seller; the core restocks it by the
tenant's policy), a unit whose ``return_status`` says a return was asked for is
``requested``, and one whose request was rejected or cancelled (or turned into a refund
without goods) is ``closed`` (:data:`RETURN_STATE`). The return id is the unit's
``reverse_order_id`` when its row has one, else ``unit-<order_item_id>``; its one line
is ``ReturnLine(product_id, sku_id, 1, order_item_id)``, as the order's line. A unit
whose return fields do not fit keeps its order line and loses only its return record
(logged ``lazada.return_skipped``). Lazada also lists reverse orders on their own
(``GetReverseOrdersForSeller``, ``/reverse/getreverseordersforseller``: paged by
``page_no``/``page_size``, windowed by ``ReverseOrderLineModifiedTimeRange*`` in
milliseconds, answer under ``result.items[].reverse_order_lines[]``); it is not used:
its ``reverse_status`` words for "the goods are back" are not documented (the
reference lists only ``REQUEST_INITIATE``, ``REQUEST_REJECT``, ``REQUEST_CANCEL``,
``CANCEL_SUCCESS``; the status chart is an image), while the unit status ``returned``
is (§2.5); and reading both would tell of one unit under two return ids.

UNCONFIRMED (§2.4, §2.5, §9), for returns: the words ``return_status`` carries (the
vendor documents the field, demo value ``"0"``, not its values; :data:`RETURN_STATE`
takes the reverse-order words of ``GetReverseOrderDetail`` and of push type 10, and an
unknown word is logged, ``lazada.return_status_unknown``, and makes no return); whether
``reverse_order_id`` on an order item (documented as "cancel order main id") names the
return's reverse order (a unit without one gets an id of its own; should the id change
between two reads, the first return stays ``requested`` and moves nothing); whether a
return request changes the order's ``updated_at`` (if not, ``requested`` and ``closed``
may be missed: harmless, neither moves stock); and how Lazada's own stock reacts to a
returned unit. For that last one a ``received`` return says
``restocked_by_marketplace=True``: the core then forgets what Lazada shows for that
listing and sends syncd's value again, which is right whatever Lazada did (one more
write of one SKU), whereas believing Lazada unchanged would leave a self-restocked
listing showing a unit syncd has not taken back (policy ``inspect``, ``--damaged``).

Campaign locks (issue 12 item 2; reference §2.4, §2.5, §2.8 #2). Lazada keeps the units a
SKU has signed up for a campaign in ``channelInventories`` (vendor guide "Inventory
calculation logic": they are part of the SKU's SellableQuantity, a write of it must stay
≥ them, and they "will be removed at the end of the event"). ``discover`` reads each SKU's
entries (``GetProducts`` demo: ``channelName``, ``startTime``, ``endTime``,
``sellableQuantity``; the "LazOP 2.0 overview" names the campaign ``CampaignName``):
``RemoteListing.locked`` is the sum of the entries not yet ended, ``locked_until`` the
latest end (None when an entry tells no end: in force until read again), ``lock_reason``
their names. A stock write refused for a lock (``errors.is_lock_refusal``: a ``501``
detail "negative sellable on channel inventory", vendor Q&A Q8, or code ``4170``) is
``ItemResult(ok=False, locked=True, error=<Lazada's words>)``; the refusal names no
units, so the adapter reads those SKUs again (one ``/products/get`` by
``sku_seller_list``, §2.4) and ``lock`` is what their ``channelInventories`` show then
(None when that read fails, shows no lock, or the SKU's seller SKU is not known). Only
stock writes are read so: a price refused for a campaign stays a failure. UNCONFIRMED: that an entry
whose ``startTime`` is still ahead already locks (the guide: locked "after participating
in the campaign"; counted here), that an ended entry may still be listed (skipped here),
the times' zone (read as WIB), where the refusal's words sit (per-SKU ``detail`` or the
whole answer) and which SKU a whole-answer ``4170`` of a batch is about (the batch is then
sent one SKU per call).
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx
import structlog
from pydantic import ValidationError

from adapters.kit import HttpAdapter, RateLimits, pages
from adapters.lazada import shapes
from adapters.lazada.errors import LOCK_CODES, classify, error_for, is_lock_refusal, normalize
from adapters.lazada.settings import LazadaSettings
from adapters.lazada.shapes import WIB
from adapters.lazada.signing import LazadaAuth
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
    RemoteReturn,
    ReturnLine,
    ReturnState,
    SetAside,
    StockUpdate,
)
from syncd.adapter_settings import AdapterSettings
from syncd.errors import (
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
from syncd.shapes import Answer, read, read_each

_A = TypeVar("_A", bound=Answer)

__all__ = ["ADAPTER", "HOSTS", "RETURN_STATE", "STATUS_STATE", "WIB", "LazadaAdapter", "wib"]

_log = structlog.get_logger("syncd.adapters.lazada")

#: API gateway per country (§2.1).
HOSTS = {
    "id": "https://api.lazada.co.id/rest",
    "sg": "https://api.lazada.sg/rest",
    "my": "https://api.lazada.com.my/rest",
    "th": "https://api.lazada.co.th/rest",
    "ph": "https://api.lazada.com.ph/rest",
    "vn": "https://api.lazada.vn/rest",
}
AUTH_HOST = "https://auth.lazada.com"  # token APIs under /rest, consent page /oauth/authorize

PRODUCTS = "/products/get"
SELLABLE = "/product/stock/sellable/update"
PRICE = "/product/price_quantity/update"
ORDERS = "/orders/get"
ORDER_ITEMS = "/orders/items/get"
AUTH_CREATE = "/auth/token/create"  # code → tokens
AUTH_REFRESH = "/auth/token/refresh"

SKUS_PER_CALL = 50  # §2.4: ≤ 50 SKUs per stock or price call
SKUS_AFTER_513 = 20  # §2.7: "internal call exception": the vendor says cut to ≤ 20
PRODUCTS_PAGE = 50  # §2.4: /products/get limit ≤ 50
PRODUCTS_MAX_OFFSET = 10_000  # §2.8 #5
ORDERS_PAGE = 100  # §2.4: /orders/get limit ≤ 100
ORDERS_PER_ITEMS_CALL = 50  # §2.4: /orders/items/get takes ≤ 50 order ids
#: /orders/items/get's answer when none of the ids is the seller's order (``E039`` "No
#: orders were found", GetMultipleOrderItems' error list as the simulator has it).
#: UNCONFIRMED (§2.4 lists no error codes for it): the code, and that ids among others
#: that are unknown are left out of the answer rather than refusing the whole call.
NO_ORDERS = "39"
# UNCONFIRMED (§2.4/§9): no maximum /orders/get window was found. We walk a backlog
# 15 days per call, like Shopee's, so no single call asks for an unbounded range.
WINDOW = dt.timedelta(days=15)
OVERLAP = 120  # seconds re-read at the start of each new window
ACCESS_LIFE = dt.timedelta(days=30)  # §2.2, used only when an answer lacks expires_in
REFRESH_LIFE = dt.timedelta(days=180)

#: Lazada order-item status → normalized state (§2.5; the mapping is our design inference).
STATUS_STATE: dict[str, OrderState] = {
    "unpaid": "open",  # Lazada withholds the units (released after 30 min unpaid)
    "pending": "open",
    "topack": "open",
    "packed": "open",
    "toship": "open",
    "ready_to_ship": "shipped",  # at RTS the units leave Lazada's stock (deducted)
    "shipping": "shipped",
    "shipped": "shipped",
    "delivered": "shipped",
    # UNCONFIRMED (§2.5/§9): what a failed delivery or a lost parcel does to stock is not
    # documented. We keep the units deducted: restocking a parcel that never comes back
    # would let us sell stock we do not have; the seller restocks by hand when it does.
    "failed": "shipped",
    "lost": "shipped",
    "canceled": "cancelled",
    "cancelled": "cancelled",  # not a documented spelling; harmless to accept
    # the goods are back: still a shipped unit of its order, plus a ``received`` return
    # (restocked by the tenant's return policy, not by the order)
    "returned": "shipped",
}
_RANK: dict[OrderState, int] = {"open": 0, "shipped": 1, "returned": 2, "cancelled": 3}

#: A unit's ``return_status`` (lower case) → the return's state. UNCONFIRMED (§2.4/§9):
#: Lazada documents the field, not its words; these are its reverse-order statuses
#: (``GetReverseOrderDetail``'s ``reverse_status``; push type 10's keys, §2.6). Only a
#: unit in ``returned`` is ``received``: no word here restocks. ``closed`` is final in
#: the core, so only words that end a return with nothing coming back are ``closed``;
#: the others, whatever the goods are doing, stay ``requested`` (which moves nothing; the
#: seller may ``syncd return receive`` them by hand).
RETURN_STATE: dict[str, ReturnState] = {
    "request_initiate": "requested",  # the buyer asked
    "rtm_init": "requested",  # return to the seller (RTM) opened
    "rtw_init": "requested",  # return to Lazada's warehouse (RTW) opened
    "rtm_shipping_back": "requested",  # on its way back
    "rtw_shipping_back": "requested",
    "rtm_receive_item": "requested",  # at the seller, to inspect: restocked at ``returned``
    "rtw_reject": "requested",  # failed Lazada's inspection: where the goods go is not said
    "rtw_refund_pending": "requested",
    "request_reject": "closed",  # the seller refused the request
    "request_cancel": "closed",  # the buyer withdrew it
    "rtm_canceled": "closed",
    "rtw_canceled": "closed",
    # ONLY_REFUND reverse orders: a refund without the goods (§2.6 push type 10)
    "refund_init": "closed",
    "refund_pending": "closed",
    "refund_success": "closed",
    "refund_rejected": "closed",
}
#: Unit statuses after which a return may be asked for (the reverse-order guide: after
#: delivery; shipped ones too, in case a request comes first). Not failed nor lost units.
_RETURNABLE = frozenset({"ready_to_ship", "shipping", "shipped", "delivered", "returned"})


def wib(moment: dt.datetime | float) -> str:
    """A time as Lazada's filters want it: ISO 8601 in WIB, ``2026-11-20T00:00:00+07:00``."""
    when = moment if isinstance(moment, dt.datetime) else dt.datetime.fromtimestamp(moment, dt.UTC)
    return when.astimezone(WIB).isoformat(timespec="seconds")


def _read(shape: type[_A], body: Any, call: str) -> _A:
    return read(shape, body, source=f"Lazada {call}")


def _state(status: str) -> OrderState:
    state = STATUS_STATE.get(status.strip().lower())
    if state is None:
        raise MalformedResponse(f"Lazada: unknown order status {status!r}", code="status")
    return state


#: (listing id, item id, SKU id, fields to set) of one SKU in a write.
Entry = tuple[int, str, str, dict[str, int]]


class LazadaAdapter(HttpAdapter):
    """One Lazada seller."""

    name: ClassVar[str] = "lazada"
    #: §2.5: ordered units leave *sellable* at once (withhold, occupy) and a cancellation
    #: returns them; the sellable quantity we write is exactly what buyers can take.
    own_stock_follows_orders: ClassVar[bool] = True
    settings_model: ClassVar[type[AdapterSettings]] = LazadaSettings
    secret_names: ClassVar[tuple[str, ...]] = ("app_secret",)
    limits: ClassVar[BatchLimits] = BatchLimits(
        stock_per_call=SKUS_PER_CALL,
        price_per_call=SKUS_PER_CALL,
        one_item_per_call=False,  # one call may mix SKUs of several products
        order_details_per_call=ORDERS_PER_ITEMS_CALL,
        order_window=WINDOW,
    )

    # Rate limits (§2.7): inventory APIs allow 50 calls/s per seller; every other API has
    # its own QPS ceiling, and no app-wide number is documented (UNCONFIRMED).
    # Conservative defaults, overridable per channel (app_rps, shop_rps).
    rate_limits: ClassVar[RateLimits] = RateLimits(app_rps=40, shop_rps=10)
    classify = staticmethod(classify)

    def __init__(
        self, ctx: AdapterContext, client: ApiClient, settings: LazadaSettings, auth: httpx.Auth
    ) -> None:
        super().__init__(ctx, client, settings, auth)
        self.base_url = self.endpoint(settings)
        self.auth_url = (settings.auth_url or AUTH_HOST).rstrip("/")
        self.app_key = settings.app_key
        # seller SKU → (item id, SKU id), learnt by discover: a failed write's detail
        # may name a SKU only by its seller SKU (UNCONFIRMED, §2.4).
        self._by_seller_sku: dict[str, tuple[str, str]] = {}
        self._read_at: dict[str, dt.datetime] = {}  # order id → when its items were read

    @classmethod
    def endpoint(cls, settings: LazadaSettings) -> str:
        if settings.base_url:
            return settings.base_url.rstrip("/")
        country = settings.country.lower()
        if country not in HOSTS:
            raise Rejected(f"Lazada: unknown country {country!r}; set base_url", code="config")
        return HOSTS[country]

    @classmethod
    def app_id(cls, ctx: AdapterContext, settings: LazadaSettings) -> str:
        return settings.app_key

    @classmethod
    def signer(cls, ctx: AdapterContext, settings: LazadaSettings, base_url: str) -> LazadaAuth:
        auth_url = (settings.auth_url or AUTH_HOST).rstrip("/")
        return LazadaAuth(
            settings.app_key,
            ctx.secret("app_secret", source="Lazada"),
            token=lambda: c.access_token if (c := ctx.credentials()) else None,
            prefixes=(urlsplit(base_url).path, urlsplit(f"{auth_url}/rest").path),
            clock=lambda: ctx.now().timestamp(),
        )

    # -- calls --------------------------------------------------------------------------

    def _call(self, method: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """One API call; the body, which succeeded (code "0") or is a per-SKU report."""
        clean = {k: str(v) for k, v in (params or {}).items() if v is not None}
        return self.client.request(method, path, params=clean)

    def _ok(self, method: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """One call that must succeed as a whole (a per-SKU report raises its error)."""
        body = self._call(method, path, params)
        envelope: shapes.Envelope = _read(shapes.Envelope, body, urlsplit(path).path)
        if envelope.code != "0":
            raise error_for(envelope.code, envelope.message or envelope.code)
        return body

    # -- authorization ----------------------------------------------------------------------

    def authorization_url(self, redirect: str) -> str:
        query = {
            "response_type": "code",
            "force_auth": "true",
            "redirect_uri": redirect,
            "client_id": self.app_key,
        }  # no ``uuid``: Lazada errors on it (§2.2)
        return f"{self.auth_url}/oauth/authorize?{urlencode(query)}"

    def _tokens(self, body: Any, current: Credentials | None) -> Credentials:
        """Credentials from a token answer; the re-authorization date never moves later.

        The refresh token lives 180 days from the seller's authorization and a
        refresh does not extend it (§2.2 #5): after that date only the seller can
        help, so it is ``auth_expires_at``. ``refresh_expires_in = 0`` means the
        token cannot be refreshed at all: the seller must authorize again when the
        access token runs out.
        """
        at = self.ctx.now()
        got: shapes.Tokens = _read(shapes.Tokens, body, "token")
        access_in = got.expires_in
        access_at = at + (dt.timedelta(seconds=access_in) if access_in else ACCESS_LIFE)
        if got.refresh_expires_in is None:
            # UNCONFIRMED: an answer without refresh_expires_in; assume the documented 180 days.
            refresh_at = at + REFRESH_LIFE
        else:
            refresh_at = at + dt.timedelta(seconds=got.refresh_expires_in)
        auth_at = refresh_at if refresh_at > at else access_at
        if current is not None:
            if current.refresh_expires_at is not None:
                refresh_at = min(refresh_at, current.refresh_expires_at)
            if current.auth_expires_at is not None:
                auth_at = min(auth_at, current.auth_expires_at)
        extra = dict(current.extra) if current is not None else {}
        seller = got.seller()
        if seller is not None:
            extra.update(seller)
        return Credentials(
            access_token=got.access_token,
            refresh_token=got.refresh_token,
            access_expires_at=access_at,
            refresh_expires_at=refresh_at,
            auth_expires_at=auth_at,
            extra=extra,
        )

    def exchange_code(self, code: str) -> Credentials:
        body = self._ok("POST", f"{self.auth_url}/rest{AUTH_CREATE}", {"code": code})
        tokens = self._tokens(body, None)
        seller = tokens.extra.get("seller_id")
        if seller and self.ctx.shop_id and seller != str(self.ctx.shop_id):
            # The seller logged in to another shop than this channel account is for.
            raise NeedsReauth(
                f"Lazada: authorized seller {seller}, but this account is seller "
                f"{self.ctx.shop_id}; authorize again with the right shop",
                code="seller_mismatch",
            )
        return tokens

    def refresh(self, current: Credentials) -> Credentials:
        now = self.ctx.now()
        if current.refresh_expires_at is not None and current.refresh_expires_at <= now:
            raise NeedsReauth(
                "Lazada: the refresh token has run out (180 days from authorization); "
                "the seller must authorize again",
                code="IllegalRefreshToken",
            )
        try:
            body = self._ok(
                "POST",
                f"{self.auth_url}/rest{AUTH_REFRESH}",
                {"refresh_token": current.refresh_token},
            )
        # an auth error answering the refresh itself means the authorization is gone (revoked):
        # the seller must authorize again; retrying cannot fix it
        except (Rejected, RefreshAuth) as exc:
            raise NeedsReauth(f"refresh refused: {exc}", code=exc.code) from None
        return self._tokens(body, current)

    # -- listings ---------------------------------------------------------------------------

    def discover(self) -> Iterator[RemoteListing]:
        for product in pages(self._product_page, source=f"Lazada {PRODUCTS}"):
            yield from self._skus(product)

    def _product_page(self, offset: int | None) -> tuple[list[shapes.Product], int | None]:
        start = offset or 0
        if start >= PRODUCTS_MAX_OFFSET:
            # §2.8 #5: offset stops at 10,000. Far beyond a small seller's catalogue;
            # say so rather than silently binding only part of the shop.
            raise Rejected(
                "Lazada: more than 10,000 products; discovery by date is not implemented",
                code="offset_limit",
            )
        body = self._ok(
            "GET",
            PRODUCTS,
            {"filter": "all", "offset": start, "limit": PRODUCTS_PAGE, "options": 1},
        )
        page: shapes.ProductsData = _read(shapes.Products, body, PRODUCTS).data
        if len(page.products) > PRODUCTS_PAGE:  # more than asked for: not a page of ours
            raise MalformedResponse(
                f"Lazada {PRODUCTS}: {len(page.products)} products on a page of {PRODUCTS_PAGE}",
                code="paging",
            )
        nxt = start + len(page.products)
        return page.products, nxt if nxt < page.total_products else None

    def _skus(self, product: shapes.Product) -> Iterator[RemoteListing]:
        if product.status.lower() == "deleted":
            return
        for sku in product.skus:
            if sku.status.lower() == "deleted":
                continue
            seller_sku = sku.seller_sku or None
            if seller_sku:
                self._by_seller_sku[seller_sku] = (product.item_id, sku.sku_id)
            locked, until, reason = self._lock(product.item_id, sku)
            yield RemoteListing(
                product.item_id,
                sku.sku_id,
                seller_sku,
                product.name,
                sku.sellable,
                sku.price,
                locked=locked,
                locked_until=until,
                lock_reason=reason,
            )

    def _lock(self, item_id: str, sku: shapes.Sku) -> tuple[int, dt.datetime | None, str]:
        """(units, until, names) of the SKU's campaign locks in force (module docstring)."""
        now = self.ctx.now()
        found: list[shapes.Campaign] = []
        for raw in sku.campaigns:
            try:
                entry = shapes.campaign(raw)
            except ValueError as exc:
                _log.warning(
                    "lazada.campaign_skipped", item=item_id, sku=sku.sku_id, reason=str(exc)
                )
                continue
            # UNCONFIRMED: whether Lazada still lists an ended campaign; it locks nothing
            if entry.units > 0 and (entry.end is None or entry.end > now):
                found.append(entry)
        if not found:
            return 0, None, ""
        ends = [c.end for c in found]
        until = None if None in ends else max(e for e in ends if e is not None)
        names = ", ".join(dict.fromkeys(c.name or "Lazada campaign" for c in found))
        return sum(c.units for c in found), until, names

    # -- stock and price ----------------------------------------------------------------------

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[ItemResult]:
        entries = [
            (u.listing_id, u.item_id, u.variant_id, {"SellableQuantity": max(0, u.quantity)})
            for u in updates
        ]
        return self._write(SELLABLE, entries)

    def push_price(self, updates: Sequence[PriceUpdate]) -> list[ItemResult]:
        entries = [(u.listing_id, u.item_id, u.variant_id, {"Price": u.price}) for u in updates]
        return self._write(PRICE, entries)

    def _write(self, path: str, entries: Sequence[Entry]) -> list[ItemResult]:
        """One write of up to 50 SKUs; a 501 report is resolved SKU by SKU."""
        if len(entries) > SKUS_PER_CALL:
            return [
                r
                for i in range(0, len(entries), SKUS_PER_CALL)
                for r in self._write(path, entries[i : i + SKUS_PER_CALL])
            ]
        try:
            body = self._call("POST", path, {"payload": _payload(entries)})
        except SkippableItem as exc:
            if path != SELLABLE or normalize(exc.code) not in LOCK_CODES:
                raise
            if len(entries) > 1:  # which SKU is locked is not said: one SKU per call
                return [r for e in entries for r in self._write(path, [e])]
            return self._locked([(entries[0], str(exc))])
        except Retryable as exc:
            if normalize(exc.code) != "513" or len(entries) <= SKUS_AFTER_513:
                raise
            # §2.7: 513 "internal call exception" — the vendor's remedy is ≤ 20 SKUs a call.
            return [
                r
                for i in range(0, len(entries), SKUS_AFTER_513)
                for r in self._write(path, entries[i : i + SKUS_AFTER_513])
            ]
        envelope: shapes.Envelope = _read(shapes.Envelope, body, path)
        if envelope.code == "0":
            return [ItemResult(listing, ok=True) for listing, *_ in entries]
        # not "0": the client returns only a per-SKU report (501 with ``detail``) besides
        return self._partial(path, entries, _read(shapes.Report, body, path))

    def _partial(
        self, path: str, entries: Sequence[Entry], report: shapes.Report
    ) -> list[ItemResult]:
        """A 501 report: the SKUs it names failed; the others are sent again.

        UNCONFIRMED (§2.4/§9): whether Lazada applied the other SKUs of a call that
        reports 501 is not documented. Sending them again is harmless (absolute
        values) and tells us for sure. When a failure names no SKU we can place,
        the rest go one per call, where a failure can only be that SKU's.
        """
        summary = report.message or "Update product failed"
        if len(entries) == 1:
            return self._refused(path, {entries[0][0]: _reason(report.detail[0], summary)}, entries)
        by_sku = {(item, sku): listing for listing, item, sku, _ in entries}
        failed: dict[int, str] = {}
        placed_all = True
        for detail in report.detail:
            listing = self._detail_listing(detail, by_sku)
            if listing is None:
                placed_all = False
            else:
                failed[listing] = _reason(detail, summary)
        results = self._refused(path, failed, entries)
        rest = [e for e in entries if e[0] not in failed]
        if placed_all and failed:
            return results + (self._write(path, rest) if rest else [])
        return results + [r for e in rest for r in self._write(path, [e])]

    def _refused(
        self, path: str, failed: dict[int, str], entries: Sequence[Entry]
    ) -> list[ItemResult]:
        """The refused SKUs' results: a stock write refused for a campaign lock is
        ``locked`` (with the lock read again), any other refusal a failure."""
        locked = [
            (e, failed[e[0]])
            for e in entries
            if e[0] in failed and path == SELLABLE and is_lock_refusal("", failed[e[0]])
        ]
        held = {e[0] for e, _ in locked}
        others = [
            ItemResult(listing, ok=False, error=why)
            for listing, why in failed.items()
            if listing not in held
        ]
        return (self._locked(locked) if locked else []) + others

    def _locked(self, refused: Sequence[tuple[Entry, str]]) -> list[ItemResult]:
        """Stock writes refused for a campaign lock; ``lock``: the units read again."""
        sizes = self._read_locks({(item, sku) for (_, item, sku, _), _ in refused})
        return [
            ItemResult(listing, ok=False, error=why, locked=True, lock=sizes.get((item, sku)))
            for (listing, item, sku, _), why in refused
        ]

    def _read_locks(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The campaign locks of these (item, SKU)s now: one ``/products/get`` by their
        seller SKUs (§2.4 ``sku_seller_list``, ≤ 100). Nothing when a seller SKU is not
        known (discover learns them) or the read fails: the lock is then not told."""
        seller = sorted(s for s, ids in self._by_seller_sku.items() if ids in keys)[:100]
        if not seller:
            return {}
        params = {
            "filter": "all",
            "sku_seller_list": json.dumps(seller),
            "limit": PRODUCTS_PAGE,
            "options": 1,
        }
        try:
            body = self._ok("GET", PRODUCTS, params)
            products = _read(shapes.Products, body, PRODUCTS).data.products
        except (Retryable, Rejected, SkippableItem) as exc:  # the refusal stands without it
            _log.warning("lazada.lock_unread", reason=str(exc))
            return {}
        found = {
            (p.item_id, sku.sku_id): self._lock(p.item_id, sku)[0]
            for p in products
            for sku in p.skus
            if (p.item_id, sku.sku_id) in keys
        }
        # none shown (a 4170 "no decrease" window need not show one): not told, not 0
        return {key: units for key, units in found.items() if units > 0}

    def _detail_listing(
        self, detail: shapes.Failure, by_sku: dict[tuple[str, str], int]
    ) -> int | None:
        """The listing a 501 detail entry is about, if it can be told."""
        if detail.sku_id is not None:
            for (_, sku), listing in by_sku.items():
                if sku == detail.sku_id:
                    return listing
        if detail.seller_sku and detail.seller_sku in self._by_seller_sku:
            return by_sku.get(self._by_seller_sku[detail.seller_sku])
        return None

    # -- orders ----------------------------------------------------------------------------------

    def _window(self, cursor: str | None, since: dt.datetime) -> dict[str, int]:
        now = int(self.ctx.now().timestamp())
        state = _stored_window(cursor, since)
        if "to" not in state:  # a new window: as long as allowed, up to now
            state["to"] = max(state["from"], min(now, state["from"] + int(WINDOW.total_seconds())))
            state["offset"] = 0
        return state

    def pull_orders(self, cursor: str | None, since: dt.datetime) -> OrderPage:
        state = self._window(cursor, since)
        body = self._ok(
            "GET",
            ORDERS,
            {
                "update_after": wib(state["from"]),
                "update_before": wib(state["to"]),
                "sort_by": "updated_at",
                "sort_direction": "ASC",
                "offset": state["offset"],
                "limit": ORDERS_PAGE,
            },
        )
        raw: list[Any] = _read(shapes.Orders, body, ORDERS).data.orders
        if len(raw) > ORDERS_PAGE:  # more than asked for: not a page of ours
            raise MalformedResponse(
                f"Lazada {ORDERS}: {len(raw)} orders on a page of {ORDERS_PAGE}", code="paging"
            )
        # what the list shows of each order; one that does not fit is fetched, and then
        # set aside by its own shape (``shapes.Order`` holds every field of ``Listed``)
        heads = [_listed(o) for o in raw]
        # the window's overlap re-lists recent orders: one the list shows as ingested is
        # not fetched again, but only when that read came after its second was over
        # (updated_at has 1-second resolution, so a change in the same second keeps it)
        changed = [o for o, head in zip(raw, heads, strict=True) if not self._unchanged(head)]
        read_at = self.ctx.now()
        found: list[RemoteReturn] = []
        orders, aside = self._with_items(changed, found)
        for order in orders:
            self._read_at[order.order_id] = read_at
        back = tuple(found)
        if len(raw) >= ORDERS_PAGE:  # maybe more in this window
            times = [int(h.updated_at.timestamp()) for h in heads if h is not None]
            # never past the window's end: an order listed as updated after it would
            # otherwise move the window beyond orders not read yet
            last = min(max(times), state["to"]) if times else state["from"]
            if last - 1 > state["from"]:
                state = {"from": last - 1, "to": state["to"], "offset": 0}
            else:  # a whole page within one second: step over it by offset
                state["offset"] += len(raw)
            return OrderPage(
                orders, json.dumps(state), more=True, set_aside=tuple(aside), returns=back
            )
        now = int(self.ctx.now().timestamp())
        caught_up = state["to"] >= now - OVERLAP
        nxt = {"from": max(state["from"], state["to"] - OVERLAP), "offset": 0}
        return OrderPage(
            orders, json.dumps(nxt), more=not caught_up, set_aside=tuple(aside), returns=back
        )

    #: Lazada's trade order message names its order (§2.6 ``trade_order_id``): a woken
    #: pull reads that order's unit rows alone, one ``/orders/items/get`` call (≤ 50
    #: orders) where a walk of the list is two (the list, then the rows)
    reads_named_orders: ClassVar[bool] = True

    def read_orders(self, order_ids: Sequence[str]) -> OrderPage:
        """The orders a trade order message named, read from their unit rows alone.

        The rows carry all an order is made of here (status, SKU and times per unit,
        §2.4); the order's times are its rows' earliest ``created_at`` and latest
        ``updated_at`` (:func:`_from_rows`). An id Lazada returns no rows for (spoiled,
        another seller's, not there yet) is left out: the safety-net poll walks the list.
        """
        wanted = list(dict.fromkeys(order_ids))
        found: list[RemoteReturn] = []
        orders: list[RemoteOrder] = []
        aside: list[SetAside] = []
        read_at = self.ctx.now()
        for i in range(0, len(wanted), ORDERS_PER_ITEMS_CALL):
            chunk = wanted[i : i + ORDERS_PER_ITEMS_CALL]
            try:
                body = self._ok("GET", ORDER_ITEMS, {"order_ids": f"[{','.join(chunk)}]"})
            except Rejected as exc:
                if normalize(exc.code) != NO_ORDERS:
                    raise
                continue  # none of them is this seller's (yet): the list will tell
            asked = set(chunk)
            rows = {
                entry.order_id: entry.order_items
                for entry in _read(shapes.OrderItems, body, ORDER_ITEMS).data
                if entry.order_id in asked and entry.order_items
            }
            whole = [_from_rows(order_id, units) for order_id, units in rows.items()]
            got, bad = read_each(
                whole, shapes.Order, lambda o: self._order(o, found), id_key="order_id"
            )
            orders += got
            aside += bad
        for order in orders:
            self._read_at[order.order_id] = read_at
        return OrderPage(orders, "", more=False, set_aside=tuple(aside), returns=tuple(found))

    def _unchanged(self, listed: shapes.Listed | None) -> bool:
        if listed is None:
            return False
        seen = self.seen_orders.get(listed.order_id)
        if seen is None:
            return False
        updated_at, statuses, units, settled = seen
        return bool(
            settled
            and updated_at == listed.updated_at
            and statuses == _statuses(listed.statuses)
            and listed.shows_units(units)
        )

    def fingerprint(self, order: RemoteOrder) -> Any:
        """What the order list shows (``updated_at``, statuses, unit count) and whether
        the read came after ``updated_at``'s second was over (else it is read again)."""
        read_at = self._read_at.pop(order.order_id, None)
        settled = read_at is not None and read_at - order.updated_at > SAME_SECOND
        return (order.updated_at, tuple(order.status.split(",")), len(order.lines), settled)

    def _with_items(
        self, raw: list[Any], found: list[RemoteReturn]
    ) -> tuple[list[RemoteOrder], list[SetAside]]:
        """The orders of one page with their unit rows (≤ 50 orders per items call), and
        the returns their rows tell of (into ``found``).

        Each order is read with its rows as one ``shapes.Order``: an order that does not
        fit, or for which no rows came back, is set aside and the others are read.
        """
        ids = list(dict.fromkeys(ref.order_id for o in raw if (ref := _ref(o)) is not None))
        items: dict[str, list[Any]] = {}
        for i in range(0, len(ids), ORDERS_PER_ITEMS_CALL):
            chunk = ids[i : i + ORDERS_PER_ITEMS_CALL]
            body = self._ok("GET", ORDER_ITEMS, {"order_ids": f"[{','.join(chunk)}]"})
            for entry in _read(shapes.OrderItems, body, ORDER_ITEMS).data:
                items[entry.order_id] = entry.order_items
        whole = [_with_rows(o, items) for o in raw]
        return read_each(whole, shapes.Order, lambda o: self._order(o, found), id_key="order_id")

    def _order(self, raw: shapes.Order, found: list[RemoteReturn] | None = None) -> RemoteOrder:
        if not raw.order_items:
            # an order without its rows cannot be counted: set aside, read again later
            raise MalformedResponse(
                f"Lazada {ORDER_ITEMS}: no items returned for the order", code="malformed"
            )
        lines = tuple(_line(row) for row in raw.order_items)
        statuses = list(_statuses(raw.statuses)) or sorted({line.status or "" for line in lines})
        # The order's own state is only a fallback (every line carries its own): the
        # least advanced of its units, so a half-shipped order still counts as open.
        state = min((_state(s) for s in statuses), key=_RANK.__getitem__)
        order = RemoteOrder(
            raw.order_id, ",".join(statuses), state, raw.created_at, raw.updated_at, lines
        )
        if found is not None:  # the order is read whole: now its units' returns
            returns = (_unit_return(raw, row) for row in raw.order_items)
            found.extend(r for r in returns if r is not None)
        return order


ADAPTER = LazadaAdapter


def _stored_window(cursor: str | None, since: dt.datetime) -> dict[str, int]:
    """Our stored window, read leniently: a value that is not a whole number (a spoiled
    cursor) is dropped: a bad start reads from ``since``, a bad offset from the window's
    first page, a bad end makes a new window. Re-reading is harmless (ingest is
    idempotent); a cursor that cannot be read must never stop the shop."""
    try:
        raw = json.loads(cursor) if cursor else {}
    except ValueError:
        raw = {}
    raw = raw if isinstance(raw, dict) else {}
    state = {
        k: v
        for k, v in raw.items()
        if k in ("from", "to", "offset")
        and isinstance(v, int)
        and not isinstance(v, bool)
        and 0 <= v < 2**40
    }
    if "from" not in state:
        state.pop("to", None)
        state["from"] = int(since.timestamp())
    state.setdefault("offset", 0)
    return state


#: ``updated_at`` has 1-second resolution; a read less than this after it may have been
#: followed by another change stamped with the same second (plus clock skew).
SAME_SECOND = dt.timedelta(seconds=2)


def _statuses(raw: Sequence[str]) -> tuple[str, ...]:
    """The order list's unit statuses as a sorted set (its order carries no meaning)."""
    return tuple(sorted({s.lower() for s in raw}))


def _ref(raw: Any) -> shapes.Ref | None:
    """The id of a listed order, if it has a readable one (to ask for its rows)."""
    try:
        return shapes.Ref.model_validate(raw)
    except ValidationError:
        return None


def _listed(raw: Any) -> shapes.Listed | None:
    """What the list shows of an order, or None when that does not fit its shape."""
    try:
        return shapes.Listed.model_validate(raw)
    except ValidationError:
        return None


def _with_rows(raw: Any, items: dict[str, list[Any]]) -> Any:
    """A listed order with the rows returned for it (none: it is set aside)."""
    ref = _ref(raw)
    if ref is None or not isinstance(raw, dict):
        return raw  # its shape says what is wrong with it
    return {**raw, "order_items": items.get(ref.order_id, [])}


def _from_rows(order_id: str, rows: list[Any]) -> dict[str, Any]:
    """An order read by its id, as its unit rows tell it (``shapes.Order``): no list
    statuses (the rows' own are used), created at its earliest row, updated at its latest.

    UNCONFIRMED (§2.4): that the list's ``updated_at`` of an order is its latest unit's
    (the simulator keeps it so). Where it is not, the next walk of the list reads the
    rows once more (the fingerprint differs), which is harmless: ingest is idempotent.
    A row without readable times leaves them out, and the order is set aside by its shape.
    """
    stamps: list[tuple[dt.datetime, dt.datetime, Any, Any]] = []
    for row in rows:
        try:
            times = shapes.Stamped.model_validate(row)
        except ValidationError:
            return {"order_id": order_id, "order_items": rows}
        stamps.append((times.created_at, times.updated_at, row["created_at"], row["updated_at"]))
    first = min(stamps, key=lambda s: s[0])[2]
    last = max(stamps, key=lambda s: s[1])[3]
    return {"order_id": order_id, "created_at": first, "updated_at": last, "order_items": rows}


def _line(row: shapes.Unit) -> OrderLine:
    """One unit row (no quantity field: one row per unit, §2.4)."""
    status = row.status.lower()
    return OrderLine(
        line_id=row.order_item_id,
        item_id=row.product_id,
        variant_id=row.sku_id,
        sku=row.sku or None,
        qty=1,
        state=_state(status),
        status=status,
    )


def _unit_return(order: shapes.Order, row: shapes.Unit) -> RemoteReturn | None:
    """The return one unit row tells of, if any (see the module docstring).

    A return field that does not fit costs only this record, logged; the unit's order
    line stands.
    """
    status = row.status.strip().lower()
    if status not in _RETURNABLE:
        return None
    try:
        word = shapes.return_word(row.return_status)
        reverse = shapes.reverse_id(row.reverse_order_id)
    except ValueError as exc:
        _log.warning(
            "lazada.return_skipped",
            order=order.order_id,
            order_item=row.order_item_id,
            reason=str(exc),
        )
        return None
    state: ReturnState | None = "received" if status == "returned" else None
    if state is None and word:
        state = RETURN_STATE.get(word.lower())
        if state is None:
            _log.warning(
                "lazada.return_status_unknown",
                order=order.order_id,
                order_item=row.order_item_id,
                return_status=word,
            )
    if state is None:
        return None
    return RemoteReturn(
        return_id=reverse or f"unit-{row.order_item_id}",
        order_id=order.order_id,
        status=status if state == "received" else word,
        state=state,
        updated_at=order.updated_at,
        lines=(ReturnLine(row.product_id, row.sku_id, 1, line_id=row.order_item_id),),
        # UNCONFIRMED (§2.5) what Lazada's own stock does: the core re-sends our value
        restocked_by_marketplace=state == "received",
    )


def _payload(entries: Sequence[Entry]) -> str:
    """The XML ``payload`` of a stock or price write (§2.4; every vendor example is XML).

    SKUs are named by ``ItemId`` + ``SkuId``; UNCONFIRMED (§2.4) that Lazada needs
    no ``SellerSku`` beside them (its examples send all three).
    """
    request = ET.Element("Request")
    skus = ET.SubElement(ET.SubElement(request, "Product"), "Skus")
    for _, item_id, sku_id, fields in entries:
        sku = ET.SubElement(skus, "Sku")
        ET.SubElement(sku, "ItemId").text = item_id
        ET.SubElement(sku, "SkuId").text = sku_id
        for name, value in fields.items():
            ET.SubElement(sku, name).text = str(value)
    return ET.tostring(request, encoding="unicode")


def _reason(detail: shapes.Failure, summary: str) -> str:
    message = detail.message or summary
    return f"{detail.field}: {message}" if detail.field else message
