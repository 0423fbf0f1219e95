"""A local Shopee Open Platform v2 server for syncd's tests and benchmarks.

``ShopeeSimulator`` is a real HTTP server on 127.0.0.1 that checks signatures,
timestamps and tokens the way Shopee does (reference ``marketplace-apis.md`` §1)
and serves the auth, product, promotion, order and return-list endpoints syncd uses,
with Shopee's request and response shapes. Time is the simulator's own (``clock`` plus
``advance``), so tokens and windows expire without sleeping; clients under test
should sign with ``sim.now``.

Promotions (``start_campaign``): a promotion reserves units of one model until its end
(the vendor's ``v2.product.update_stock``: "Whenever there is a promotion ongoing or
upcoming, the total stock must be larger than or equal to real-time reserved_stock
promotion stock"). The reserve shows in ``stock_info_v2.summary_info.total_reserved_stock``
("Stock reserved for promotion") of ``get_item_base_info`` and ``get_model_list``, with
``has_promotion``/``promotion_id`` while it runs, and in ``v2.product.get_item_promotion``
(``promotion_type``, ``start_time``, ``end_time``, ``promotion_staging``,
``promotion_stock_info_v2``) until it ends; it ends at its ``end_time`` on the simulator's
clock (``advance``), or early (``end_campaign``). A stock write below it is refused for
that model in ``failure_list`` with ``LOCK_REFUSAL``, one of the vendor's own words for it
(its error list also names ``error_auth`` "Total stock must be more than reserved stock."
as a whole-call error: inject ``error_body:...`` for that form). UNCONFIRMED (not in the
reference nor the vendor pages read): that the refusal comes per model in
``failure_list`` rather than as the call's ``error``; that a write equal to the reserve is
accepted (the API page says "larger than or equal to", its messages "more than"); that
``seller_stock`` counts the reserved units (the reserve is part of the total stock) and
``total_available_stock`` does too; that an upcoming promotion's reserve already shows in
``total_reserved_stock``; that a buyer's order draws the reserve down first (cancelling
does not give it back); that an item without variants lists its promotion with
``model_id`` 0; that ``get_item_promotion`` lists an item without promotions with an
empty ``promotion`` list. Prices are not discounted (``promotion_price`` is the price).

HTTP status of each reply. Shopee does not document the status of error
replies (UNCONFIRMED, §1.7/§9): clients must classify by the body's ``error``.

======================================================  ====  ==========================
reply                                                   HTTP  ``error``
======================================================  ====  ==========================
success                                                 200   ``""``
business error on a valid request (item not found)      200   ``error_item_not_found``
bad/missing parameter, stale timestamp, order window    400   ``error_param``,
                                                              ``order.order_list_invalid_time``
return window over 15 days, bad ``page_no``/``status``  400   ``error_param``
wrong sign                                              403   ``error_sign``
bad/expired/revoked token, code or refresh token        403   ``error_auth``
unknown path or wrong method                            404   ``error_not_found``
rate limit, injected ``429`` (+ ``Retry-After``)        429   ``error_server``
injected ``500``                                        500   ``error_server``
injected ``error_body:<error>:<message>``               200   ``<error>``
injected ``malformed`` (truncated, not JSON)            200   —
``auth_partner`` (seller logged in)                     302   —
======================================================  ====  ==========================
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qs, urlencode, urlsplit

from adapters._loopback import FAULT_KINDS
from adapters._loopback import Reply as _Reply
from adapters._webhook_sender import Delivery, WebhookSimulator

__all__ = [
    "FAULT_KINDS",
    "LOCK_REFUSAL",
    "ORDER_DETAIL_OPTIONAL_FIELDS",
    "ORDER_STATUSES",
    "PROMOTION_TYPES",
    "RETURN_STATUSES",
    "ApiError",
    "Order",
    "OrderLine",
    "Return",
    "ReturnItem",
    "ShopeeSimulator",
]

JSON = dict[str, Any]
ModelSpec = tuple[int, str | None, int, int]  # (model_id, model_sku, price, stock)

PREFIX: Final = "/api/v2"
ACCESS_TTL: Final = 4 * 3600  # §1.2: access token 4 h
OLD_ACCESS_GRACE: Final = 5 * 60  # §1.2: previous access token lives 5 more minutes
REFRESH_TTL: Final = 30 * 86400  # §1.2: refresh token 30 d, single use
AUTH_TTL: Final = 365 * 86400  # §1.2: shop authorization 365 d
CODE_TTL: Final = 10 * 60  # §1.2: code single use, 10 min
TIMESTAMP_SKEW: Final = 5 * 60  # §1.3: timestamp valid 5 min
LOST_PUSH_DAYS: Final = 3  # §1.4/§1.6: lost pushes are kept 3 days
LOST_PUSH_PAGE: Final = 100  # §1.4: up to 100 per call
ORDER_WINDOW: Final = 15 * 86400  # §1.4/§1.8: get_order_list window ≤ 15 days
MAX_PAGE: Final = 100
MAX_BATCH: Final = 50
# UNCONFIRMED (§1.4): the real location_id values are not in the reference; "IDZ" is a stand-in.
LOCATION_ID: Final = "IDZ"
ITEM_STATUSES: Final = frozenset(
    {"NORMAL", "BANNED", "UNLIST", "REVIEWING", "SELLER_DELETE", "SHOPEE_DELETE"}
)
ORDER_STATUSES: Final = frozenset(
    {
        "UNPAID", "PENDING", "INVOICE_PENDING", "READY_TO_SHIP", "PROCESSED", "RETRY_SHIP",
        "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "IN_CANCEL", "CANCELLED", "TO_RETURN",
    }
)  # fmt: skip
#: get_order_detail's documented ``response_optional_fields`` values (§1.4 names item_list,
#: package_list, cancel_by, cancel_reason, pay_time, "…"; the full list is the vendor page's
#: "Available values", SH-API:v2.order.get_order_detail). order_status, create_time and
#: update_time are "Return by default" there, so they are not among them.
ORDER_DETAIL_OPTIONAL_FIELDS: Final = frozenset(
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
#: get_return_list's ``status`` words: the vendor's "Data Definition - ReturnStatus"
#: (Shopee "Return & Refund Management" guide §3, crawled in lazykern/ecommerce-api-docs
#: data/processed/shopee/guides/api-best-practices/return-refund-management.md), plus
#: REFUND_PAID, which only an SDK lists (LightsoftHub/open-platforms
#: src/ShopeeSdk.Core/Enums/ReturnStatus.cs): UNCONFIRMED that Shopee still sends it.
RETURN_STATUSES: Final = frozenset(
    {
        "REQUESTED", "ACCEPTED", "CANCELLED", "JUDGING", "CLOSED", "PROCESSING",
        "SELLER_DISPUTE", "REFUND_PAID",
    }
)  # fmt: skip
#: return_solution (v2.returns.get_return_list, added 2024-12-31): 0 return and refund,
#: 1 refund only (the buyer keeps the goods)
RETURN_REFUND: Final = 0
REFUND_ONLY: Final = 1
#: order statuses a buyer can ask to return from (the goods were sent)
RETURNABLE: Final = frozenset({"SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"})
RETURN_WINDOW: Final = 15 * 86400  # §1.4/§1.8 #2: each return-list window ≤ 15 days
#: "Data Definition - PromotionType" (Shopee "v2.0 Data Definition", lazykern/
#: ecommerce-api-docs data/processed/shopee/guides/getting-started/v2-0-data-definition.md)
PROMOTION_TYPES: Final = frozenset(
    {
        "Campaign", "Discount Promotions", "Flash Sale", "Whole Sale", "Group Buy",
        "Bundle Deal", "Welcome Package", "Add-on Discount", "Brand Sale", "In ShopFlash Sale",
        "Gift with purchase", "Exclusive Price", "Platform Streaming", "Seller Streaming",
    }
)  # fmt: skip
#: a stock write below a model's reserved promotion stock: the failed_reason given (the
#: vendor's error_auth text on v2.product.update_stock; UNCONFIRMED that it comes per model)
LOCK_REFUSAL: Final = "Total stock must be more than reserved stock."
FIRST_PROMOTION_ID: Final = 649_305_216_139_969  # the vendor page's sample id, counted on
TOO_MANY: Final = "Too many requests, please try again later."  # UNCONFIRMED shape (§1.7)
SERVER_ERROR: Final = "Something wrong. Please try later."


class ApiError(Exception):
    """A Shopee error reply: ``error`` code, ``message`` and the HTTP status we chose."""

    def __init__(self, error: str, message: str, status: int = 200) -> None:
        super().__init__(f"{error}: {message}")
        self.error, self.message, self.status = error, message, status


def _param(message: str) -> ApiError:
    return ApiError("error_param", message, 400)


def _bad_token() -> ApiError:
    return ApiError("error_auth", "Invalid access_token.", 403)


# ---------------------------------------------------------------- state


@dataclass
class _Model:
    model_id: int
    sku: str | None
    price: int
    stock: int


@dataclass
class _Item:
    shop_id: int
    item_id: int
    name: str
    sku: str | None
    status: str
    update_time: int
    has_model: bool
    models: dict[int, _Model]  # model 0 is the item itself when it has no variants


@dataclass
class _Campaign:
    """A promotion reserving ``units`` of one model from ``start`` until ``end``."""

    promotion_id: int
    item_id: int
    model_id: int
    units: int
    start: int
    end: int
    promotion_type: str

    def holds(self, now: float) -> bool:
        """Ongoing or upcoming: its reserve counts (it ends at ``end``)."""
        return now < self.end and self.units > 0

    def ongoing(self, now: float) -> bool:
        return self.start <= now < self.end


@dataclass(frozen=True)
class OrderLine:
    """One line of an order, as ``get_order_detail`` reports it."""

    item_id: int
    model_id: int
    qty: int
    price: int
    item_sku: str
    model_sku: str


@dataclass
class Order:
    """A buyer's order held by the simulator."""

    order_sn: str
    shop_id: int
    status: str
    create_time: int
    update_time: int
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class ReturnItem:
    """One item of a return, as ``get_return_list`` reports it (``item[]``)."""

    item_id: int
    model_id: int
    amount: int
    price: int
    item_sku: str
    model_sku: str


@dataclass
class Return:
    """A buyer's return/refund request held by the simulator (``return_sn``)."""

    return_sn: str
    order_sn: str
    shop_id: int
    status: str
    create_time: int
    update_time: int
    items: tuple[ReturnItem, ...]
    solution: int = RETURN_REFUND
    needs_logistics: bool = True
    validation_type: str = "seller_validation"


@dataclass
class _Access:
    shop_id: int
    expires_at: float


@dataclass
class _Refresh:
    shop_id: int
    access_token: str
    expires_at: float
    used: bool = False


@dataclass
class _Code:
    shop_id: int
    expires_at: float
    used: bool = False


@dataclass(frozen=True)
class _Incoming:
    """An HTTP request as received."""

    method: str
    path: str
    query: dict[str, list[str]]
    raw: bytes
    shop_id: int | None  # for accounting, rate limits and faults only


@dataclass(frozen=True)
class _Ctx:
    """A verified request: query, JSON body, shop (0 for public APIs) and simulated now."""

    query: dict[str, list[str]]
    body: JSON
    shop_id: int
    now: float


@dataclass(frozen=True)
class _Route:
    method: str
    shop: bool  # shop API (token + shop_id signed) or public API
    handler: Callable[[_Ctx], JSON | _Reply]


def _json_reply(status: int, payload: JSON, headers: Iterable[tuple[str, str]] = ()) -> _Reply:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return _Reply(status, body, (("Content-Type", "application/json"), *headers))


def _error_reply(
    status: int, error: str, message: str, headers: Iterable[tuple[str, str]] = ()
) -> _Reply:
    payload = {"request_id": secrets.token_hex(16), "error": error, "message": message}
    return _json_reply(status, payload, headers)


# ---------------------------------------------------------------- parameters


def _q_str(query: dict[str, list[str]], name: str) -> str:
    values = query.get(name)
    if not values or not values[0]:
        raise _param(f"Missing parameter: {name}.")
    return values[0]


def _q_int(query: dict[str, list[str]], name: str, lo: int = 0, hi: int | None = None) -> int:
    text = _q_str(query, name)
    if not (text.isascii() and text.isdigit()):
        raise _param(f"Wrong type of parameter: {name}.")
    value = int(text)
    if value < lo or (hi is not None and value > hi):
        raise _param(f"Parameter {name} out of range [{lo}, {hi}].")
    return value


def _q_csv(query: dict[str, list[str]], name: str) -> list[str]:
    return [part for value in query.get(name, []) for part in value.split(",") if part]


def _q_ints(query: dict[str, list[str]], name: str) -> list[int]:
    parts = _q_csv(query, name)
    if not 1 <= len(parts) <= MAX_BATCH:
        raise _param(f"{name} must hold 1 to {MAX_BATCH} values.")
    if not all(p.isascii() and p.isdigit() for p in parts):
        raise _param(f"Wrong type of parameter: {name}.")
    return [int(p) for p in parts]


def _b_int(body: JSON, name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _param(f"{name} must be an integer.")  # §1.8 #8: integers, not strings
    return value


def _b_str(body: JSON, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise _param(f"Missing parameter: {name}.")
    return value


def _b_list(body: JSON, name: str) -> list[JSON]:
    value = body.get(name)
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_BATCH:
        raise _param(f"{name} must hold 1 to {MAX_BATCH} entries.")
    if not all(isinstance(entry, dict) for entry in value):
        raise _param(f"Wrong type of parameter: {name}.")
    return value


def _json_body(raw: bytes) -> JSON:
    try:
        body = json.loads(raw or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _param("Request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise _param("Request body must be a JSON object.")
    return body


def _shop_hint(query: dict[str, list[str]], raw: bytes) -> int | None:
    """The shop a request is for, for accounting only (query, else the token calls' body)."""
    text = (query.get("shop_id") or [""])[0]
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        body = json.loads(raw) if raw else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    shop = body.get("shop_id") if isinstance(body, dict) else None
    return shop if isinstance(shop, int) and not isinstance(shop, bool) else None


def _encode_cursor(key: tuple[int, str]) -> str:
    return base64.urlsafe_b64encode(f"{key[0]}:{key[1]}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, str] | None:
    if not cursor:
        return None
    try:
        stamp, _, order_sn = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        return int(stamp), order_sn
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _param("Invalid cursor.") from None


def _b36(number: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out.rjust(width, "0")


def _price_info(price: int) -> list[JSON]:
    return [{"currency": "IDR", "current_price": price, "original_price": price}]


def _stock_info(stock: int, reserved: int = 0) -> JSON:
    return {
        "summary_info": {"total_reserved_stock": reserved, "total_available_stock": stock},
        "seller_stock": [{"location_id": LOCATION_ID, "stock": stock, "if_saleable": True}],
        "shopee_stock": [],
    }


# ---------------------------------------------------------------- HTTP plumbing


class ShopeeSimulator(WebhookSimulator):
    """Shopee Open Platform v2 on 127.0.0.1, with catalogue, buyers, faults and accounting.

    Settable attributes: ``latency``/``jitter`` (s), ``rate_limit`` ((rate/s, burst) per shop
    and API family, or None), ``timeout_hold`` (s), ``retry_after`` (s, injected 429s),
    ``next_login_shop``. Read-only by convention: ``calls``, ``request_log``.

    Faults (``inject``): ``429``/``500``/``error_body:<error>:<message>`` replace the
    answer; ``malformed`` and ``timeout`` (held ``timeout_hold`` s) apply the request, then
    spoil or delay the reply; ``expire_token`` (shop API calls only) expires the caller's
    shop tokens.

    Push (§1.6): after ``enable_webhooks(url, **faults)`` every order created or moved on
    is pushed (code 3) to ``url`` with ``Authorization`` = hex HMAC-SHA256(partner_key,
    url|body). Pushes that never arrive (lost, or failed on every retry) are served for
    3 days by ``v2.push.get_lost_push_message`` until confirmed consumed.
    """

    #: UNCONFIRMED (§1.6: "retry counts and intervals differ by push type and are not in
    #: the guide"): three retries, at 1 min, 5 min and 30 min.
    webhook_retries = (60.0, 300.0, 1800.0)

    def __init__(
        self,
        *,
        partner_id: int = 2001234,
        partner_key: str = "shpk_demo_partner_key_0123456789",
        clock: Callable[[], float] | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        rate_limit: tuple[float, int] | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(
            clock=clock, latency=latency, jitter=jitter, rate_limit=rate_limit, port=port
        )
        self.partner_id = partner_id
        self._partner_key = partner_key.encode()
        self.next_login_shop: int | None = None
        self._init_state()
        self._routes = self._build_routes()

    def _init_state(self) -> None:
        self._shops: set[int] = set()
        self._auth_until: dict[int, float] = {}
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, _Refresh] = {}
        self._items: dict[int, _Item] = {}
        self._orders: dict[str, Order] = {}
        self._failing: dict[tuple[int, int], str] = {}
        self._spoiled: dict[str, dict[str, Any]] = {}
        self._order_seq = 0
        self._returns: dict[str, Return] = {}
        self._spoiled_returns: dict[str, dict[str, Any]] = {}
        self._return_seq = 0
        self._campaigns: dict[int, _Campaign] = {}
        self._promotion_seq = 0
        #: every update_stock entry as received: (item_id, model_id, stock, accepted)
        self.stock_writes: list[tuple[int, int, int, bool]] = []
        #: pushes that never arrived, unconfirmed: (message id, lost at, message)
        self._lost_pushes: list[tuple[int, float, JSON]] = []
        self._lost_seq = 0

    def _build_routes(self) -> dict[str, _Route]:
        return {
            f"{PREFIX}/shop/auth_partner": _Route("GET", False, self._auth_partner),
            f"{PREFIX}/auth/token/get": _Route("POST", False, self._token_get),
            f"{PREFIX}/auth/access_token/get": _Route("POST", False, self._access_token_get),
            f"{PREFIX}/product/get_item_list": _Route("GET", True, self._get_item_list),
            f"{PREFIX}/product/get_item_base_info": _Route("GET", True, self._get_item_base_info),
            f"{PREFIX}/product/get_model_list": _Route("GET", True, self._get_model_list),
            f"{PREFIX}/product/get_item_promotion": _Route("GET", True, self._get_item_promotion),
            f"{PREFIX}/product/update_stock": _Route("POST", True, self._update_stock),
            f"{PREFIX}/product/update_price": _Route("POST", True, self._update_price),
            f"{PREFIX}/order/get_order_list": _Route("GET", True, self._get_order_list),
            f"{PREFIX}/order/get_order_detail": _Route("GET", True, self._get_order_detail),
            f"{PREFIX}/returns/get_return_list": _Route("GET", True, self._get_return_list),
            f"{PREFIX}/push/get_lost_push_message": _Route("GET", False, self._get_lost_push),
            f"{PREFIX}/push/confirm_consumed_lost_push_message": _Route(
                "POST", False, self._confirm_lost_push
            ),
        }

    # -- catalogue

    def add_shop(self, shop_id: int) -> None:
        """Create a shop (idempotent); it still needs ``authorize``."""
        with self._lock:
            self._shops.add(shop_id)

    def add_item(
        self,
        shop_id: int,
        item_id: int,
        name: str,
        *,
        sku: str | None = None,
        price: int = 10_000,
        stock: int = 0,
        models: Iterable[ModelSpec] | None = None,
        status: str = "NORMAL",
    ) -> None:
        """List an item; ``models`` as (model_id, model_sku, price, stock), else one model 0."""
        specs = list(models) if models is not None else []
        with self._lock:
            self._need_shop(shop_id)
            if item_id in self._items or status not in ITEM_STATUSES:
                raise ValueError(f"item {item_id} exists or status {status!r} is unknown")
            table = {m[0]: _Model(*m) for m in specs} or {0: _Model(0, None, price, stock)}
            self._items[item_id] = _Item(
                shop_id, item_id, name, sku, status, int(self.now()), bool(specs), table
            )

    def stock(self, shop_id: int, item_id: int, model_id: int = 0) -> int:
        """The stock Shopee shows for a model (0 = item without variants)."""
        with self._lock:
            return self._model(shop_id, item_id, model_id).stock

    def price(self, shop_id: int, item_id: int, model_id: int = 0) -> int:
        """The original price (IDR) of a model."""
        with self._lock:
            return self._model(shop_id, item_id, model_id).price

    # -- promotions

    def start_campaign(
        self,
        item_id: int,
        model_id: int,
        units: int,
        until: float,
        promotion_type: str = "Flash Sale",
        *,
        start: float | None = None,
    ) -> int:
        """The seller puts ``units`` of a model (0: no variants) in a promotion that runs
        from ``start`` (default now; later: upcoming, its reserve already held) until
        ``until`` (simulated Unix seconds). -> promotion_id"""
        with self._lock:
            item = self._items.get(item_id)
            if item is None or model_id not in item.models:
                raise KeyError(f"no item {item_id} model {model_id}")
            now = self.now()
            begin = now if start is None else start
            held = self._reserved(item_id, model_id, now)
            if promotion_type not in PROMOTION_TYPES or not begin < until or units < 1:
                raise ValueError(f"bad promotion {promotion_type!r} {units} {begin}..{until}")
            if held + units > item.models[model_id].stock:
                # UNCONFIRMED: Shopee's own check when a promotion's stock is set
                raise ValueError(f"{held} reserved + {units} is more than the stock")
            self._promotion_seq += 1
            promotion_id = FIRST_PROMOTION_ID + self._promotion_seq
            self._campaigns[promotion_id] = _Campaign(
                promotion_id, item_id, model_id, units, int(begin), int(until), promotion_type
            )
            item.update_time = int(now)
            return promotion_id

    def end_campaign(self, promotion_id: int) -> None:
        """The seller ends a promotion early (e.g. ``v2.discount.end_discount``)."""
        with self._lock:
            campaign = self._campaigns[promotion_id]
            campaign.end = min(campaign.end, int(self.now()))

    def reserved(self, item_id: int, model_id: int = 0) -> int:
        """The stock promotions hold on a model now (``total_reserved_stock``)."""
        with self._lock:
            return self._reserved(item_id, model_id, self.now())

    def _reserved(self, item_id: int, model_id: int, now: float) -> int:
        return sum(c.units for c in self._holding(item_id, model_id, now))

    def _holding(self, item_id: int, model_id: int, now: float) -> list[_Campaign]:
        return [
            c
            for c in self._campaigns.values()
            if c.item_id == item_id and c.model_id == model_id and c.holds(now)
        ]

    def _draw_reserve(self, item_id: int, model_id: int, qty: int) -> None:
        """A buyer's order takes the promotion's units first (UNCONFIRMED)."""
        for campaign in self._holding(item_id, model_id, self.now()):
            if campaign.ongoing(self.now()):
                took = min(qty, campaign.units)
                campaign.units, qty = campaign.units - took, qty - took

    def _promotion_fields(self, item_id: int, model_ids: Iterable[int], now: float) -> JSON:
        """``has_promotion`` (an ongoing promotion) and its ``promotion_id``."""
        running = [c for m in model_ids for c in self._holding(item_id, m, now) if c.ongoing(now)]
        out: JSON = {"has_promotion": bool(running)}
        if running:
            out["promotion_id"] = running[0].promotion_id
        return out

    def fail_model(self, item_id: int, model_id: int, reason: str) -> None:
        """Make stock and price updates of this model fail with ``reason`` until cleared."""
        with self._lock:
            self._failing[(item_id, model_id)] = reason

    def clear_fail(self, item_id: int, model_id: int) -> None:
        """Undo ``fail_model``."""
        with self._lock:
            self._failing.pop((item_id, model_id), None)

    def _need_shop(self, shop_id: int) -> None:
        if shop_id not in self._shops:
            raise KeyError(f"unknown shop {shop_id}; call add_shop first")

    def _model(self, shop_id: int, item_id: int, model_id: int) -> _Model:
        item = self._items.get(item_id)
        if item is None or item.shop_id != shop_id or model_id not in item.models:
            raise KeyError(f"shop {shop_id} has no item {item_id} model {model_id}")
        return item.models[model_id]

    # -- sellers and tokens

    def authorize(self, shop_id: int) -> str:
        """The seller logs in and approves the app: a fresh single-use code (10 min)."""
        with self._lock:
            self._need_shop(shop_id)
            now = self.now()
            self._auth_until[shop_id] = now + AUTH_TTL
            code = secrets.token_hex(16)
            self._codes[code] = _Code(shop_id, now + CODE_TTL)
            return code

    def issue_tokens(self, shop_id: int) -> tuple[str, str]:
        """Shortcut for other tests: authorize and exchange at once -> (access, refresh)."""
        with self._lock:
            self.authorize(shop_id)
            pair = self._issue_pair(shop_id, self.now())
            return pair["access_token"], pair["refresh_token"]

    def revoke(self, shop_id: int) -> None:
        """The seller cancels the authorization: every token of the shop stops working."""
        with self._lock:
            self._auth_until.pop(shop_id, None)

    def _authorized(self, shop_id: int, now: float) -> bool:
        return now < self._auth_until.get(shop_id, -math.inf)

    def _issue_pair(self, shop_id: int, now: float) -> JSON:
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        self._access[access] = _Access(shop_id, now + ACCESS_TTL)
        self._refresh[refresh] = _Refresh(shop_id, access, now + REFRESH_TTL)
        return {"access_token": access, "refresh_token": refresh, "expire_in": ACCESS_TTL}

    def _expire_access(self, token: str, now: float) -> None:
        """Expire every live access token of the shop that ``token`` belongs to."""
        owner = self._access.get(token)
        for access in self._access.values():
            if owner is not None and access.shop_id == owner.shop_id:
                access.expires_at = min(access.expires_at, now)

    # -- buyers

    @property
    def orders(self) -> dict[str, Order]:
        """Every order by order_sn (a snapshot of the table; the orders are live)."""
        with self._lock:
            return dict(self._orders)

    def place_order(
        self, shop_id: int, lines: Iterable[tuple[int, int, int]], status: str = "UNPAID"
    ) -> str | None:
        """A buyer orders (item_id, model_id, qty) lines; None when the shown stock is short."""
        wanted = list(lines)
        if status not in ORDER_STATUSES - {"CANCELLED"} or not wanted:
            raise ValueError(f"cannot place an order with status {status!r} and lines {wanted}")
        with self._lock:
            demand = Counter[tuple[int, int]]()
            for item_id, model_id, qty in wanted:
                if qty <= 0:
                    raise ValueError("quantities must be positive")
                self._model(shop_id, item_id, model_id)
                demand[(item_id, model_id)] += qty
            if any(self._model(shop_id, i, m).stock < q for (i, m), q in demand.items()):
                return None
            return self._create_order(shop_id, wanted, status)

    def _create_order(self, shop_id: int, wanted: list[tuple[int, int, int]], status: str) -> str:
        # UNCONFIRMED (§1.5): when Shopee's own stock drops is not documented; here at creation.
        out = []
        for item_id, model_id, qty in wanted:
            item, model = self._items[item_id], self._model(shop_id, item_id, model_id)
            model.stock -= qty
            self._draw_reserve(item_id, model_id, qty)
            self._observe(shop_id, item_id, model_id, model.stock)
            out.append(
                OrderLine(item_id, model_id, qty, model.price, item.sku or "", model.sku or "")
            )
        now = int(self.now())
        self._order_seq += 1
        day = datetime.fromtimestamp(now, UTC).strftime("%y%m%d")
        order_sn = f"{day}{_b36(self._order_seq, 8)}"
        self._orders[order_sn] = Order(order_sn, shop_id, status, now, now, tuple(out))
        self._push_order(self._orders[order_sn])
        return order_sn

    def set_order_status(self, order_sn: str, status: str) -> None:
        """Move an order on (§1.5); CANCELLED gives the stock back. Bumps update_time."""
        with self._lock:
            order = self._orders[order_sn]
            if status not in ORDER_STATUSES:
                raise ValueError(f"unknown order status {status!r}")
            if order.status == "CANCELLED" and status != "CANCELLED":
                raise ValueError("a cancelled order cannot be reopened")
            if status == "CANCELLED" and order.status != "CANCELLED":
                for line in order.lines:
                    model = self._items[line.item_id].models.get(line.model_id)
                    if model is not None:
                        model.stock += line.qty
                        self._observe(order.shop_id, line.item_id, line.model_id, model.stock)
            order.status, order.update_time = status, int(self.now())
            self._push_order(order)

    @property
    def returns(self) -> dict[str, Return]:
        """Every return by return_sn (a snapshot of the table; the returns are live)."""
        with self._lock:
            return dict(self._returns)

    def request_return(
        self,
        order_sn: str,
        items: Iterable[tuple[int, int, int]] | None = None,
        *,
        solution: int = RETURN_REFUND,
        validation_type: str = "seller_validation",
    ) -> str:
        """The buyer asks to return (item_id, model_id, amount) of a sent order (default:
        all of it); ``solution`` RETURN_REFUND (the goods come back) or REFUND_ONLY. The
        return is REQUESTED; the order turns TO_RETURN (UNCONFIRMED, §1.5: the reference
        says TO_RETURN is "return in progress", not when Shopee sets it). -> return_sn"""
        if solution not in (RETURN_REFUND, REFUND_ONLY):
            raise ValueError(f"unknown return_solution {solution!r}")
        with self._lock:
            order = self._orders[order_sn]
            if order.status not in RETURNABLE:
                raise ValueError(f"order {order_sn} is {order.status}: nothing was sent")
            bought = Counter[tuple[int, int]]()
            for line in order.lines:
                bought[(line.item_id, line.model_id)] += line.qty
            wanted = list(items) if items is not None else [(*k, q) for k, q in bought.items()]
            if not wanted or any(a < 1 or a > bought[(i, m)] for i, m, a in wanted):
                raise ValueError(f"order {order_sn} did not sell {wanted}")
            by_key = {(line.item_id, line.model_id): line for line in order.lines}
            out = tuple(
                ReturnItem(i, m, a, by_key[(i, m)].price, by_key[(i, m)].item_sku,
                           by_key[(i, m)].model_sku)
                for i, m, a in wanted
            )  # fmt: skip
            now = int(self.now())
            self._return_seq += 1
            day = datetime.fromtimestamp(now, UTC).strftime("%y%m%d")
            return_sn = f"{day}{_b36(self._return_seq, 9)}"  # 15 characters, as documented
            self._returns[return_sn] = Return(
                return_sn, order_sn, order.shop_id, "REQUESTED", now, now, out, solution,
                solution == RETURN_REFUND, validation_type,
            )  # fmt: skip
            order.status, order.update_time = "TO_RETURN", now
            self._push_order(order)
            return return_sn

    # -- push (§1.6)

    def webhook_sign(self, url: str, body: bytes) -> dict[str, str]:
        """§1.6: ``Authorization`` = hex HMAC-SHA256(partner_key, callback URL|raw body)."""
        mac = hmac.new(self._partner_key, url.encode() + b"|" + body, hashlib.sha256)
        return {"Authorization": mac.hexdigest()}

    def _push_order(self, order: Order) -> None:
        """The order status push (code 3, §1.6) of an order as it is now."""
        if self.webhook_sender is None:
            return
        payload = {
            "data": {
                "ordersn": order.order_sn,
                "status": order.status,
                "completed_scenario": "",
                "update_time": order.update_time,
                "items": [],
            },
            "shop_id": order.shop_id,
            "code": 3,
            "timestamp": int(self.now()),
        }
        self.emit_webhook(json.dumps(payload, separators=(",", ":")).encode())

    def webhook_lost(self, delivery: Delivery) -> None:
        """Keep a push that never arrived for ``get_lost_push_message``."""
        try:
            message = json.loads(delivery.body)
        except ValueError:
            return
        with self._lock:
            self._lost_seq += 1
            self._lost_pushes.append((self._lost_seq, self.now(), message))

    @property
    def lost_pushes(self) -> list[JSON]:
        """The unconfirmed lost pushes (the messages as they were sent), oldest first."""
        with self._lock:
            return [message for _, _, message in self._lost_pushes]

    def _get_lost_push(self, ctx: _Ctx) -> _Reply:
        """The earliest 100 unconfirmed pushes lost in the last 3 days (SH-API:
        v2.push.get_lost_push_message); ``data`` is the push's data as a JSON string."""
        live = [e for e in self._lost_pushes if ctx.now - e[1] <= LOST_PUSH_DAYS * 86_400]
        page = live[:LOST_PUSH_PAGE]
        listed = [
            {
                "shop_id": m.get("shop_id"),
                "code": m.get("code"),
                "timestamp": int(at),
                "data": json.dumps(m.get("data"), separators=(",", ":")),
            }
            for _, at, m in page
        ]
        response = {
            "push_message_list": listed,
            "has_next_page": len(live) > len(page),
            "last_message_id": page[-1][0] if page else 0,
        }
        payload = {"request_id": secrets.token_hex(16), "error": "", "message": ""}
        return _json_reply(200, {**payload, "response": response})

    def _confirm_lost_push(self, ctx: _Ctx) -> _Reply:
        """Every lost push up to ``last_message_id`` was consumed (SH-API:
        v2.push.confirm_consumed_lost_push_message)."""
        last = _b_int(ctx.body, "last_message_id")
        self._lost_pushes = [e for e in self._lost_pushes if e[0] > last]
        payload = {"request_id": secrets.token_hex(16), "error": "", "message": ""}
        return _json_reply(200, {**payload, "response": {}})

    def set_return_status(self, return_sn: str, status: str) -> None:
        """Move a return on (any ReturnStatus word, e.g. ACCEPTED: refunded, and with
        RETURN_REFUND the goods are back with the seller); bumps its update_time."""
        if status not in RETURN_STATUSES:
            raise ValueError(f"unknown return status {status!r}")
        with self._lock:
            ret = self._returns[return_sn]
            ret.status, ret.update_time = status, int(self.now())

    def set_return_solution(self, return_sn: str, solution: int) -> None:
        """The buyer and seller agree on another solution (negotiation); bumps update_time."""
        if solution not in (RETURN_REFUND, REFUND_ONLY):
            raise ValueError(f"unknown return_solution {solution!r}")
        with self._lock:
            ret = self._returns[return_sn]
            ret.solution, ret.needs_logistics = solution, solution == RETURN_REFUND
            ret.update_time = int(self.now())

    def spoil_return(self, return_sn: str, **fields: Any) -> None:
        """Fault: ``get_return_list`` shows these values in this return's record (``item``
        replaces its item list) until ``spoil_return(sn)`` with no fields clears them."""
        with self._lock:
            if fields:
                self._spoiled_returns[return_sn] = dict(fields)
            else:
                self._spoiled_returns.pop(return_sn, None)

    # -- faults

    def _canned(self, fault: str) -> _Reply | None:
        """The reply of a fault that replaces the real answer, if it is one."""
        if fault == "429":
            return _error_reply(
                429, "error_server", TOO_MANY, [("Retry-After", str(self.retry_after))]
            )
        if fault == "500":
            return _error_reply(500, "error_server", SERVER_ERROR)
        if fault.startswith("error_body:"):
            _, error, message = fault.split(":", 2)
            return _error_reply(200, error, message)
        return None

    # -- request pipeline

    def serve_http(self, method: str, target: str, headers: dict[str, str], body: bytes) -> _Reply:
        """One request from the loopback server."""
        return self._dispatch(method, target, body)

    def _dispatch(self, method: str, target: str, body: bytes) -> _Reply:
        """Serve one HTTP request: account, delay, fault or answer, log."""
        url = urlsplit(target)
        query = parse_qs(url.query, keep_blank_values=True)
        req = _Incoming(method, url.path, query, body, _shop_hint(query, body))
        with self._lock:
            self.count_call(req.path, req.shop_id)
            # only a shop API call carries the token an expire_token fault expires
            fault = self.take_fault(
                req.path, lambda f: f.kind != "expire_token" or "access_token" in req.query
            )
        self.wait_latency()
        reply = self._answer(req, fault)
        self.hold_reply(fault)
        with self._lock:
            self.log_reply(method, req.path, req.shop_id, reply.status)
        return reply

    def _answer(self, req: _Incoming, fault: str | None) -> _Reply:
        canned = self._canned(fault) if fault else None
        if canned is not None:
            return canned
        with self._lock:
            now = self.now()
            if fault == "expire_token":
                self._expire_access(req.query["access_token"][0], now)
            # rate limits are per shop and API family (the path minus its last part)
            wait = self.throttle((req.shop_id, req.path.rsplit("/", 1)[0]), now)
            if wait is not None:
                # UNCONFIRMED (§1.7): Shopee documents no rate limit; this is our 429 shape.
                return _error_reply(429, "error_server", TOO_MANY, [("Retry-After", str(wait))])
            reply = self._process(req, now)
        if fault == "malformed":
            return _Reply(200, reply.body[: len(reply.body) // 2], reply.headers)
        return reply

    def _process(self, req: _Incoming, now: float) -> _Reply:
        request_id = secrets.token_hex(16)
        try:
            route = self._routes.get(req.path)
            if route is None or route.method != req.method:
                raise ApiError("error_not_found", "Wrong method or path.", 404)
            ctx = self._verify(route, req, now)
            out = route.handler(ctx)
        except ApiError as exc:
            payload = {"request_id": request_id, "error": exc.error, "message": exc.message}
            return _json_reply(exc.status, payload)
        if isinstance(out, _Reply):
            return out
        if route.shop:
            wrapped = {"error": "", "message": "", "warning": "", "response": out}
            return _json_reply(200, {"request_id": request_id, **wrapped})
        return _json_reply(200, {**out, "request_id": request_id, "error": "", "message": ""})

    def _verify(self, route: _Route, req: _Incoming, now: float) -> _Ctx:
        """§1.3: partner, timestamp within 5 min, sign, then (shop APIs) the access token."""
        query = req.query
        partner_id = _q_int(query, "partner_id")
        timestamp = _q_int(query, "timestamp")
        sign = _q_str(query, "sign")
        token = _q_str(query, "access_token") if route.shop else ""
        shop_id = _q_int(query, "shop_id") if route.shop else 0
        if partner_id != self.partner_id:
            raise _param("Invalid partner_id.")  # UNCONFIRMED (§1.7): error code of this case
        if abs(now - timestamp) > TIMESTAMP_SKEW:
            raise _param("Invalid timestamp")
        expected = self._sign(req.path, timestamp, token, str(shop_id) if route.shop else "")
        if not hmac.compare_digest(expected.encode(), sign.encode()):
            raise ApiError("error_sign", "Wrong sign.", 403)
        if route.shop:
            self._check_access(token, shop_id, now)
        body = _json_body(req.raw) if route.method == "POST" else {}
        return _Ctx(query, body, shop_id, now)

    def _sign(self, path: str, timestamp: int, token: str, shop: str) -> str:
        """Shopee's sign, written here independently of syncd's signer (§1.3)."""
        base = f"{self.partner_id}{path}{timestamp}{token}{shop}".encode()
        return hmac.new(self._partner_key, base, hashlib.sha256).hexdigest()

    def _check_access(self, token: str, shop_id: int, now: float) -> None:
        access = self._access.get(token)
        if access is None or access.shop_id != shop_id or now >= access.expires_at:
            raise _bad_token()
        if not self._authorized(shop_id, now):
            raise _bad_token()

    # -- auth endpoints

    def _auth_partner(self, ctx: _Ctx) -> _Reply:
        redirect = _q_str(ctx.query, "redirect")
        shop_id = self.next_login_shop
        if shop_id is None or shop_id not in self._shops:
            raise _param("Simulator: no seller is logging in (set sim.next_login_shop).")
        code = self.authorize(shop_id)
        joiner = "&" if "?" in redirect else "?"
        location = f"{redirect}{joiner}{urlencode({'code': code, 'shop_id': shop_id})}"
        return _Reply(302, b"", (("Location", location),))

    def _check_body_partner(self, body: JSON) -> int:
        if _b_int(body, "partner_id") != self.partner_id:
            raise _param("Invalid partner_id.")
        return _b_int(body, "shop_id")

    def _token_get(self, ctx: _Ctx) -> JSON:
        code = _b_str(ctx.body, "code")
        shop_id = self._check_body_partner(ctx.body)
        grant = self._codes.get(code)
        if grant is None or grant.used or grant.shop_id != shop_id or ctx.now >= grant.expires_at:
            # UNCONFIRMED (§1.2/§1.7): the error of a used/expired code; error_auth chosen.
            raise ApiError("error_auth", "Invalid code.", 403)
        if not self._authorized(shop_id, ctx.now):
            raise ApiError("error_auth", "Shop is not authorized.", 403)
        grant.used = True
        return self._issue_pair(shop_id, ctx.now)

    def _access_token_get(self, ctx: _Ctx) -> JSON:
        token = _b_str(ctx.body, "refresh_token")
        shop_id = self._check_body_partner(ctx.body)
        old = self._refresh.get(token)
        if old is None or old.used or old.shop_id != shop_id or ctx.now >= old.expires_at:
            # UNCONFIRMED (§1.2/§1.7): the error for a reused or expired refresh token.
            raise ApiError("error_auth", "Invalid refresh_token.", 403)
        if not self._authorized(shop_id, ctx.now):
            raise ApiError("error_auth", "Shop authorization expired.", 403)
        old.used = True
        previous = self._access.get(old.access_token)
        if previous is not None:
            previous.expires_at = min(previous.expires_at, ctx.now + OLD_ACCESS_GRACE)
        return self._issue_pair(shop_id, ctx.now)

    # -- product endpoints

    def _shop_item(self, ctx: _Ctx, item_id: int) -> _Item:
        item = self._items.get(item_id)
        if item is None or item.shop_id != ctx.shop_id:
            raise ApiError("error_item_not_found", f"Item {item_id} not found.")
        return item

    def _get_item_list(self, ctx: _Ctx) -> JSON:
        offset = _q_int(ctx.query, "offset")
        size = _q_int(ctx.query, "page_size", 1, MAX_PAGE)
        statuses = set(ctx.query.get("item_status", []))
        if not statuses or not statuses <= ITEM_STATUSES:
            raise _param("item_status is required; repeat it for several statuses.")
        items = sorted(
            (i for i in self._items.values() if i.shop_id == ctx.shop_id and i.status in statuses),
            key=lambda i: i.item_id,
        )
        page = items[offset : offset + size]
        more = offset + size < len(items)
        return {
            "item": [
                {"item_id": i.item_id, "item_status": i.status, "update_time": i.update_time}
                for i in page
            ],
            "total_count": len(items),
            "has_next_page": more,
            "next_offset": offset + len(page) if more else 0,
        }

    def _get_item_base_info(self, ctx: _Ctx) -> JSON:
        # UNCONFIRMED (§1.4): unknown ids are left out rather than failing the whole call.
        ids = _q_ints(ctx.query, "item_id_list")
        found = [self._items[i] for i in ids if i in self._items]
        return {
            "item_list": [self._base_info(i, ctx.now) for i in found if i.shop_id == ctx.shop_id]
        }

    def _base_info(self, item: _Item, now: float) -> JSON:
        info: JSON = {
            "item_id": item.item_id,
            "item_name": item.name,
            "item_sku": item.sku or "",
            "item_status": item.status,
            "update_time": item.update_time,
            "has_model": item.has_model,
            # UNCONFIRMED: an item with variants shows its models' running promotion here
            **self._promotion_fields(item.item_id, item.models, now),
        }
        if not item.has_model:
            only = item.models[0]
            info["price_info"] = _price_info(only.price)
            info["stock_info_v2"] = _stock_info(only.stock, self._reserved(item.item_id, 0, now))
        return info

    def _get_model_list(self, ctx: _Ctx) -> JSON:
        item = self._shop_item(ctx, _q_int(ctx.query, "item_id"))
        if not item.has_model:
            return {"tier_variation": [], "model": []}
        models = list(item.models.values())
        options = [{"option": m.sku or str(m.model_id)} for m in models]
        return {
            "tier_variation": [{"name": "Variasi", "option_list": options}],
            "model": [
                {
                    "model_id": m.model_id,
                    "model_sku": m.sku or "",
                    "model_status": "MODEL_NORMAL",
                    "tier_index": [n],
                    **self._promotion_fields(item.item_id, [m.model_id], ctx.now),
                    "price_info": _price_info(m.price),
                    "stock_info_v2": _stock_info(
                        m.stock, self._reserved(item.item_id, m.model_id, ctx.now)
                    ),
                }
                for n, m in enumerate(models)
            ],
        }

    def _writable(self, item: _Item, model_id: Any) -> _Model | str:
        """The model a write goes to, or why it fails before its value is looked at."""
        if not isinstance(model_id, int) or model_id not in item.models:
            return "Model not found."
        return self._failing.get((item.item_id, model_id)) or item.models[model_id]

    def _update_stock(self, ctx: _Ctx) -> JSON:
        item = self._shop_item(ctx, _b_int(ctx.body, "item_id"))
        done: list[JSON] = []
        failed: list[JSON] = []
        for entry in _b_list(ctx.body, "stock_list"):
            model = self._writable(item, entry.get("model_id"))
            stock = _stock_value(entry) if isinstance(model, _Model) else model
            if isinstance(model, _Model) and isinstance(stock, int):
                held = self._reserved(item.item_id, model.model_id, ctx.now)
                self.stock_writes.append((item.item_id, model.model_id, stock, stock >= held))
                if stock < held:  # below the promotions' reserve ("larger than or equal to")
                    stock = LOCK_REFUSAL
            if isinstance(model, str) or isinstance(stock, str):
                failed.append({"model_id": entry.get("model_id"), "failed_reason": stock})
                continue
            model.stock = stock
            self._observe(item.shop_id, item.item_id, model.model_id, stock)
            done.append({"model_id": model.model_id, "location_id": LOCATION_ID, "stock": stock})
        if done:
            item.update_time = int(ctx.now)
        # UNCONFIRMED (§1.7): whether an all-failed call also sets `error`; here only lists.
        return {"success_list": done, "failure_list": failed}

    def _update_price(self, ctx: _Ctx) -> JSON:
        item = self._shop_item(ctx, _b_int(ctx.body, "item_id"))
        done: list[JSON] = []
        failed: list[JSON] = []
        for entry in _b_list(ctx.body, "price_list"):
            model = self._writable(item, entry.get("model_id"))
            price = (
                _price_value(entry.get("original_price")) if isinstance(model, _Model) else model
            )
            if isinstance(model, str) or isinstance(price, str):
                failed.append({"model_id": entry.get("model_id"), "failed_reason": price})
                continue
            model.price = price
            done.append({"model_id": model.model_id, "original_price": price})
        if done:
            item.update_time = int(ctx.now)
        return {"success_list": done, "failure_list": failed}

    def _get_item_promotion(self, ctx: _Ctx) -> JSON:
        """``v2.product.get_item_promotion``: each item's promotions, ongoing or upcoming,
        per model; an unknown item in ``failure_list``."""
        ids = _q_ints(ctx.query, "item_id_list")
        if len(set(ids)) != len(ids):
            raise _param("Repeat item_id.")  # the page's error_list
        done: list[JSON] = []
        failed: list[JSON] = []
        for item_id in ids:
            item = self._items.get(item_id)
            if item is None or item.shop_id != ctx.shop_id:
                failed.append({"item_id": item_id, "failed_reason": "Product not found"})
                continue
            campaigns = sorted(
                (c for m in item.models for c in self._holding(item_id, m, ctx.now)),
                key=lambda c: (c.start, c.promotion_id),
            )
            done.append(
                {"item_id": item_id, "promotion": [self._promotion(c, ctx.now) for c in campaigns]}
            )
        return {"success_list": done, "failure_list": failed}

    def _promotion(self, campaign: _Campaign, now: float) -> JSON:
        model = self._items[campaign.item_id].models[campaign.model_id]
        return {
            "promotion_type": campaign.promotion_type,
            "promotion_id": campaign.promotion_id,
            "model_id": campaign.model_id,
            "start_time": campaign.start,
            "end_time": campaign.end,
            "promotion_price_info": [{"promotion_price": model.price}],
            "promotion_staging": "ongoing" if campaign.ongoing(now) else "upcoming",
            "promotion_stock_info_v2": {"summary_info": {"total_reserved_stock": campaign.units}},
        }

    # -- order endpoints

    def _get_order_list(self, ctx: _Ctx) -> JSON:
        field_name = _q_str(ctx.query, "time_range_field")
        if field_name not in ("create_time", "update_time"):
            raise _param("time_range_field must be create_time or update_time.")
        start, end = _q_int(ctx.query, "time_from"), _q_int(ctx.query, "time_to")
        if end < start:
            raise _param("time_from must not be after time_to.")
        if end - start > ORDER_WINDOW:
            raise ApiError("order.order_list_invalid_time", "Time range exceeds 15 days.", 400)
        size = _q_int(ctx.query, "page_size", 1, MAX_PAGE)
        after = _decode_cursor((ctx.query.get("cursor") or [""])[0])
        wanted_status = (ctx.query.get("order_status") or [""])[0]
        keyed = sorted(
            ((getattr(o, field_name), o.order_sn), o)
            for o in self._orders.values()
            if o.shop_id == ctx.shop_id
            and start <= getattr(o, field_name) <= end
            and wanted_status in ("", o.status)
        )
        rest = [(key, o) for key, o in keyed if after is None or key > after]
        page, more = rest[:size], len(rest) > size
        with_status = "order_status" in _q_csv(ctx.query, "response_optional_fields")
        return {
            "more": more,
            "next_cursor": _encode_cursor(page[-1][0]) if more else "",
            "order_list": [_list_entry(o, with_status) for _, o in page],
        }

    def _get_order_detail(self, ctx: _Ctx) -> JSON:
        numbers = _q_csv(ctx.query, "order_sn_list")
        if not 1 <= len(numbers) <= MAX_BATCH:
            raise _param(f"order_sn_list must hold 1 to {MAX_BATCH} values.")
        optional = {part.strip() for part in _q_csv(ctx.query, "response_optional_fields")}
        unknown = sorted(optional - ORDER_DETAIL_OPTIONAL_FIELDS)
        if unknown:
            # UNCONFIRMED (§1.4): the reference does not say how Shopee answers an
            # undocumented value (it may ignore it); here it is refused with the page's
            # generic error_param "Wrong parameters, detail: {msg}."
            raise _param(
                "Wrong parameters, detail: response_optional_fields has undocumented "
                f"value(s) {','.join(unknown)}."
            )
        # UNCONFIRMED (§1.4): unknown order_sn values are left out rather than failing the call.
        found = [self._orders[sn] for sn in numbers if sn in self._orders]
        mine = [o for o in found if o.shop_id == ctx.shop_id]
        return {"order_list": [self._detail(o, "item_list" in optional) for o in mine]}

    def _detail(self, order: Order, with_items: bool) -> JSON:
        out: JSON = {
            "order_sn": order.order_sn,
            "order_status": order.status,
            "create_time": order.create_time,
            "update_time": order.update_time,
        }
        if with_items:  # §1.8 #1: no line items unless asked for
            out["item_list"] = [self._line(line) for line in order.lines]
            for key, value in self._spoiled.get(order.order_sn, {}).items():
                out["item_list"][0][key] = value
        return out

    def spoil_order(self, order_sn: str, **fields: Any) -> None:
        """Fault: the detail of this order shows these values in its first line (e.g. a
        quantity of 0 or 2**63) until ``spoil_order(sn)`` with no fields clears them."""
        with self._lock:
            if fields:
                self._spoiled[order_sn] = dict(fields)
            else:
                self._spoiled.pop(order_sn, None)

    def _line(self, line: OrderLine) -> JSON:
        item = self._items.get(line.item_id)
        return {
            "item_id": line.item_id,
            "item_name": item.name if item else "",
            "item_sku": line.item_sku,
            "model_id": line.model_id,
            "model_sku": line.model_sku,
            "model_quantity_purchased": line.qty,
            "model_original_price": line.price,
            "model_discounted_price": line.price,
            # Shopee: order_item_id equals item_id except inside bundle deals (none here).
            "order_item_id": line.item_id,
        }

    # -- return endpoint (v2.returns.get_return_list, module 102)

    def _get_return_list(self, ctx: _Ctx) -> JSON:
        """Page paging (``page_no`` from 0, ``page_size`` 1-100, ``more``) over the shop's
        returns in the given create and/or update windows (each ≤ 15 days)."""
        # UNCONFIRMED (§1.4): page_no counts pages from 0 ("Default is 0" on the vendor
        # page, whose sample is 1; a public client pages from 0); required, as one found
        # Shopee failing without it
        page_no = _q_int(ctx.query, "page_no")
        size = _q_int(ctx.query, "page_size", 1, MAX_PAGE)
        # UNCONFIRMED: a call with no window lists every return of the shop
        windows = {f: _window_param(ctx.query, f) for f in ("create_time", "update_time")}
        made, changed = windows["create_time"], windows["update_time"]
        if made and changed and changed[0] < made[0]:
            raise _param("The update_time_from must be after create_time_from.")
        wanted = (ctx.query.get("status") or [""])[0]
        if wanted and wanted not in RETURN_STATUSES:
            raise _param(f"Wrong parameters, detail: unknown status {wanted}.")
        # UNCONFIRMED (§1.4): the order of the list; here oldest update first.
        found = sorted(
            (
                r
                for r in self._returns.values()
                if r.shop_id == ctx.shop_id
                and wanted in ("", r.status)
                and all(
                    span is None or span[0] <= getattr(r, f) <= span[1]
                    for f, span in windows.items()
                )
            ),
            key=lambda r: (r.update_time, r.return_sn),
        )
        start = page_no * size
        page = found[start : start + size]
        return {
            "more": start + size < len(found),
            "return": [self._return_record(r) for r in page],
        }

    def _return_record(self, ret: Return) -> JSON:
        items = [self._return_item(i) for i in ret.items]
        refund = float(sum(i.price * i.amount for i in ret.items))
        record: JSON = {
            "image": [],
            "reason": "CHANGE_MIND",
            "text_reason": "",
            "return_sn": ret.return_sn,
            "refund_amount": refund,
            "currency": "IDR",
            "create_time": ret.create_time,
            "update_time": ret.update_time,
            "status": ret.status,
            "due_date": ret.create_time + 3 * 86400,
            "tracking_number": "",
            "dispute_reason": [],
            "dispute_text_reason": [],
            "needs_logistics": ret.needs_logistics,
            "amount_before_discount": refund,
            "user": {"username": "pembeli", "email": "", "portrait": ""},
            "item": items,
            "order_sn": ret.order_sn,
            "return_ship_due_date": ret.create_time + 7 * 86400,
            "return_seller_due_date": ret.create_time + 10 * 86400,
            "negotiation_status": "TERMINATED",
            "seller_proof_status": "NOT_NEEDED",
            "seller_compensation_status": "COMPENSATION_NOT_APPLICABLE",
            "return_refund_type": "RRAOC",
            "return_solution": ret.solution,
            "is_seller_arrange": False,
            "is_shipping_proof_mandatory": False,
            "return_refund_request_type": 0,
            "validation_type": ret.validation_type,
        }
        record.update(self._spoiled_returns.get(ret.return_sn, {}))
        return record

    def _return_item(self, item: ReturnItem) -> JSON:
        listed = self._items.get(item.item_id)
        return {
            "model_id": item.model_id,
            "name": listed.name if listed else "",
            "images": [],
            "amount": item.amount,
            "item_price": float(item.price),
            "is_add_on_deal": False,
            "is_main_item": False,
            "add_on_deal_id": 0,
            "item_id": item.item_id,
            "item_sku": item.item_sku,
            "variation_sku": item.model_sku,
        }


def _window_param(query: dict[str, list[str]], field: str) -> tuple[int, int] | None:
    """A return-list window ``<field>_from``/``_to`` (both or neither), at most 15 days."""
    given = [name for name in (f"{field}_from", f"{field}_to") if query.get(name)]
    if not given:
        return None
    # UNCONFIRMED (§1.4): whether one end alone is accepted; here both are needed
    start, end = _q_int(query, f"{field}_from"), _q_int(query, f"{field}_to")
    if end < start:
        raise _param(f"{field}_from must not be after {field}_to.")
    if end - start > RETURN_WINDOW:
        # the page's error_list: error_param "The period between create_time_from and
        # created_time_of must not more than 15 days." (said of the update window alike)
        raise _param(f"The period between {field}_from and {field}_to must not more than 15 days.")
    return start, end


def _list_entry(order: Order, with_status: bool) -> JSON:
    entry: JSON = {"order_sn": order.order_sn}
    if with_status:
        entry["order_status"] = order.status
    return entry


def _stock_value(entry: JSON) -> int | str:
    """The stock a stock_list entry sets, or why it is refused (one location, an integer ≥ 0)."""
    locations = entry.get("seller_stock")
    if not isinstance(locations, list) or len(locations) != 1 or not isinstance(locations[0], dict):
        return "Different stock structure: give exactly one seller_stock entry."
    location = locations[0].get("location_id", LOCATION_ID)
    stock = locations[0].get("stock")
    if location != LOCATION_ID:
        return f"Invalid location_id {location!r}."
    if not isinstance(stock, int) or isinstance(stock, bool):
        return "Stock must be an integer."
    return "Stock must not be negative." if stock < 0 else stock


def _price_value(price: Any) -> int | str:
    """The IDR price an original_price sets, or why it is refused (a positive integer, §1.8 #7)."""
    if isinstance(price, bool) or not isinstance(price, int | float):
        return "Price must be a number."
    if not math.isfinite(price) or price <= 0 or price != int(price):
        return "IDR price must be a positive integer."
    return int(price)
