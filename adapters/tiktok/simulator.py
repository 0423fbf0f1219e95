"""A local TikTok Shop Partner API server (≥202309) for syncd's tests and benchmarks.

``TikTokSimulator`` is a real HTTP server on 127.0.0.1 that checks what TikTok
checks (reference ``marketplace-apis.md`` §3): the signature (its own
implementation of §3.3), the timestamp window (−5 min / +30 s), the
``x-tts-access-token`` header, ``shop_cipher`` (required on shop APIs, refused
on the others), versioned paths, page tokens, and the inventory batch shape
(one product per call, ≤ 100 SKUs, every warehouse of every SKU). It serves the
auth host, the seller's authorization page, and the shop, product, order and
return APIs syncd uses, with TikTok's envelope ``{code, message, request_id, data}``. Time
is the simulator's own (``clock`` plus ``advance``); clients sign with ``sim.now``.

The auth host, the authorization page and the API share this one server: point
``base_url``, ``auth_base_url`` and ``authorize_url`` at it.

Returns follow the vendor's spec of Search Returns 202309 (``search-returns-202309``
in ``lazykern/ecommerce-api-docs``, ``data/raw/tiktok/api-reference/return-and-refund/
search-returns.spec.json``) and the flow of its "Return, refund and cancel API
overview" (``return-refund-and-cancel-api-overview.json`` beside it):
``POST /return_refund/202309/returns/search``, query ``page_size`` 10–50 (default
10), ``page_token``, ``sort_field`` ``create_time``|``update_time`` (default
``create_time``), ``sort_order`` (default ``ASC``); body filters ``return_ids``,
``order_ids``, ``return_types``, ``return_status``, ``create_time_ge/_lt`` and
``update_time_ge/_lt`` (Unix s; a missing end is now, a missing start the shop's
beginning); the answer ``data.return_orders[]`` (one ``return_line_items[]`` entry
per unit, naming its ``order_line_item_id``), ``total_count``, ``next_page_token``;
errors 25001001 (a bad parameter) and 105005 (the ``seller.return_refund.basic``
scope not granted). The buyer's and seller's moves (:meth:`TikTokSimulator.
request_return`, :meth:`TikTokSimulator.set_return_status`) only take the documented
steps. Get Order Detail (``GET /order/202507/orders?ids=…``, ≤ 50 ids, vendor spec
``orders/get-order-detail.spec.json``) answers the orders' line items with their
product ids, which a return line item lacks. UNCONFIRMED: whether TikTok raises the
stock it shows when a return completes (here it does not: syncd pushes its own value),
and that unknown order ids are left out of Get Order Detail (here they are).

Campaign locks (issue 12 item 2) follow the vendor's specs of Inventory Search 202309
(``products/inventory-search.spec.json`` in the same mirror) and Update Inventory
202309 (``products/update-inventory.spec.json``): :meth:`TikTokSimulator.start_campaign`
allocates units of a SKU's stock to a named campaign until a time of the simulator's
clock. ``POST /product/202309/inventory/search`` (body ``product_ids`` ≤ 100 or
``sku_ids`` ≤ 600, ``sku_ids`` winning when both are sent; errors 12019120 / 12019015)
shows it as ``total_available_inventory_distribution.campaign_inventory[]{quantity,
campaign_name}`` beside ``in_shop_inventory`` (the rest of the available stock); the
product search and Get Product show only the whole quantity, campaign units included
(the spec: ``available_quantity`` "is equivalent to the ``inventory.quantity`` value
returned in the Get Product API"). An inventory update that would leave a SKU fewer
units than its campaigns hold is refused with 12052393 "Product locked for Promotion
and stock can't be updated below current stock" (the spec's error list) and changes
nothing; every write is kept in ``writes``. A campaign ends at its time (``advance``).
UNCONFIRMED, the simulator's choices: where 12052393 comes (per SKU in
``data.errors[]`` here; ``lock_error_in_answer = True`` sends it as the answer's
``code`` instead, nothing applied); that the floor is the campaign's units (the vendor's
words say "below current stock", which may mean any decrease); that the answer names
no end time (the spec has none) nor the locked units in the refusal; that
``creator_inventory`` (always empty here) locks nothing; that an ended campaign leaves
the distribution at once; that unknown ids are left out of the inventory search.

HTTP status of each reply. TikTok documents 429 and 503; the status of other
error replies is UNCONFIRMED (one public log shows 401 with a bad sign), so
clients must classify by the body's ``code``.

=======================================================  ====  =======================
reply                                                    HTTP  ``code``
=======================================================  ====  =======================
success                                                  200   0
business error on a valid request (per SKU in ``data``)  200   1201xxxx / 1205xxxx
bad or missing app_key, sign, token header, timestamp    401   36009004
wrong sign                                               401   106001
expired access token                                     401   105002
token not for this shop_cipher                           401   101000
missing shop_cipher                                      400   106013
shop_cipher on a non-shop API, bad API version           400   36009004
retired API version (before 202309)                      400   36009014
unknown path / wrong method                              404   36009009 / 36009010
body not JSON / wrong content-type                       400   36009022
rate limit, injected ``429`` (+ Retry-After)             429   36009002
injected ``500`` / ``503``                               5xx   36009003
injected ``error_body:<code>:<message>``                 200   ``<code>``
injected ``malformed`` (truncated, not JSON)             200   —
authorization page (seller logged in)                    302   —
=======================================================  ====  =======================
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import hashlib
import hmac
import json
import math
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qs, urlencode, urlsplit

from adapters._loopback import FAULT_KINDS as _BASE_FAULTS
from adapters._loopback import Fault
from adapters._loopback import Reply as _Reply
from adapters._webhook_sender import WebhookSimulator

__all__ = [
    "DEFAULT_WAREHOUSE",
    "FAULT_KINDS",
    "LOCK_CODE",
    "LOCK_ERROR",
    "ORDER_STATUSES",
    "RETURN_STATUSES",
    "ApiError",
    "Campaign",
    "Order",
    "Return",
    "TikTokSimulator",
]

JSON = dict[str, Any]
#: (sku_id, seller_sku, price, stock): stock is a number (all in the first warehouse)
#: or one number per warehouse of the product.
SkuSpec = tuple[str, str | None, int, int | Sequence[int]]

ACCESS_TTL: Final = 7 * 86400  # §3.2: access token 7 days
AUTH_TTL: Final = 365 * 86400  # authorization period (= refresh-token life, §3.2; [U] 1 year)
CODE_TTL: Final = 30 * 60  # §3.2: auth code 30 minutes, single use
SKEW_PAST: Final = 5 * 60  # §3.3: timestamp within [now − 5 min, now + 30 s]
SKEW_FUTURE: Final = 30
MAX_PAGE: Final = 100
MAX_SKUS: Final = 100  # §3.4: a product has at most 100 SKUs (12052050)
MAX_QUANTITY: Final = 99_999
SEARCH_CAP: Final = 10_000  # §3.9 #6: product search stops at 10,000 results (12052180)
DEFAULT_WAREHOUSE: Final = "7000714532876273420"
#: The event types ``PUT /event/202309/webhooks`` accepts (§3.6, the ones it lists)
WEBHOOK_EVENT_TYPES: Final = frozenset(
    {
        "ORDER_STATUS_CHANGE",
        "CANCELLATION_STATUS_CHANGE",
        "RETURN_STATUS_CHANGE",
        "PRODUCT_STATUS_CHANGE",
        "PRODUCT_INFORMATION_CHANGE",
        "PRODUCT_CREATION",
        "SELLER_DEAUTHORIZATION",
        "UPCOMING_AUTHORIZATION_EXPIRATION",
    }
)
TOKEN_GET: Final = "/api/v2/token/get"  # noqa: S105 - a path, not a secret
TOKEN_REFRESH: Final = "/api/v2/token/refresh"  # noqa: S105 - a path
AUTHORIZE: Final = "/open/authorize"
OLDEST_VERSION: Final = "202309"  # older versions (and the /api/ paths) are retired
PRODUCT_STATUSES: Final = frozenset(
    {"DRAFT", "PENDING", "FAILED", "ACTIVATE", "SELLER_DEACTIVATED",
     "PLATFORM_DEACTIVATED", "FREEZE", "DELETED"}
)  # fmt: skip
#: §3.4: inventory can be updated in these product statuses.
WRITABLE: Final = frozenset({"DRAFT", "PENDING", "FAILED", "ACTIVATE", "SELLER_DEACTIVATED"})
ORDER_STATUSES: Final = frozenset(
    {"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION",
     "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED"}
)  # fmt: skip
#: A line's ``display_status`` for each order status (lines have no ON_HOLD/PARTIALLY_*).
LINE_STATUS: Final = {
    "UNPAID": "UNPAID",
    "ON_HOLD": "AWAITING_SHIPMENT",
    "AWAITING_SHIPMENT": "AWAITING_SHIPMENT",
    "AWAITING_COLLECTION": "AWAITING_COLLECTION",
    "IN_TRANSIT": "IN_TRANSIT",
    "DELIVERED": "DELIVERED",
    "COMPLETED": "COMPLETED",
    "CANCELLED": "CANCELLED",
}
DISPLAY_STATUSES: Final = frozenset(LINE_STATUS.values())
PACKAGE_STATUS: Final = {
    "UNPAID": "TO_FULFILL",
    "AWAITING_SHIPMENT": "TO_FULFILL",
    "AWAITING_COLLECTION": "PROCESSING",
    "IN_TRANSIT": "FULFILLING",
    "DELIVERED": "COMPLETED",
    "COMPLETED": "COMPLETED",
}
#: the shared kinds plus ``503`` (TikTok documents 503 besides 500)
FAULT_KINDS: Final = _BASE_FAULTS | {"503"}
PLATFORMS: Final = ("TIKTOK_SHOP", "TOKOPEDIA")
#: UNCONFIRMED: the product APIs' "Invalid input parameters" code, used here for every
#: parameter error (the order APIs document no parameter codes).
INVALID_PARAMS: Final = 12052910
RETURN_SCOPE: Final = "seller.return_refund.basic"  # the "Return & Refund Basic" package
GRANTED_SCOPES: Final = (
    "seller.authorization.info",
    "seller.product.basic",
    "seller.order.info",
    RETURN_SCOPE,
)
#: Search Returns' "invalid request parameter" code (its spec's error list).
RETURN_INVALID: Final = 25001001
#: Update Inventory's refusal while a promotion holds the SKU (vendor spec update-inventory).
LOCK_CODE: Final = 12052393
LOCK_ERROR: Final = "Product locked for Promotion and stock can't be updated below current stock"
INVENTORY_PRODUCTS: Final = 100  # Inventory Search: at most 100 product_ids (12019120)
INVENTORY_SKUS: Final = 600  # or 600 sku_ids (12019015)
#: display statuses whose units are still held by the order (``committed_quantity``)
COMMITTED: Final = frozenset({"UNPAID", "AWAITING_SHIPMENT", "AWAITING_COLLECTION"})
RETURN_PAGE: Final = (10, 50, 10)  # page_size: valid range [10-50], default 10
MAX_ORDER_IDS: Final = 50  # Get Order Detail: at most 50 ids
RETURN_TYPES: Final = ("REFUND", "RETURN_AND_REFUND", "REPLACEMENT")
#: Each return status and the ones the documented flow moves it to (overview steps 1-11;
#: AWAITING_BUYER_RESPONSE and the replacement words from the spec's status list).
RETURN_FLOW: Final[dict[str, frozenset[str]]] = {
    "RETURN_OR_REFUND_REQUEST_PENDING": frozenset(
        {"AWAITING_BUYER_SHIP", "REFUND_OR_RETURN_REQUEST_REJECT",
         "RETURN_OR_REFUND_REQUEST_CANCEL", "RETURN_OR_REFUND_REQUEST_SUCCESS",
         "AWAITING_BUYER_RESPONSE"}
    ),
    "AWAITING_BUYER_RESPONSE": frozenset(
        {"RETURN_OR_REFUND_REQUEST_SUCCESS", "AWAITING_BUYER_SHIP",
         "RETURN_OR_REFUND_REQUEST_CANCEL"}
    ),
    "AWAITING_BUYER_SHIP": frozenset({"BUYER_SHIPPED_ITEM", "RETURN_OR_REFUND_REQUEST_CANCEL"}),
    "BUYER_SHIPPED_ITEM": frozenset({"RETURN_OR_REFUND_REQUEST_SUCCESS", "REJECT_RECEIVE_PACKAGE"}),
    "REFUND_OR_RETURN_REQUEST_REJECT": frozenset(
        {"AWAITING_BUYER_SHIP", "RETURN_OR_REFUND_REQUEST_CANCEL"}
    ),
    "REJECT_RECEIVE_PACKAGE": frozenset(
        {"RETURN_OR_REFUND_REQUEST_SUCCESS", "RETURN_OR_REFUND_REQUEST_CANCEL"}
    ),
    "RETURN_OR_REFUND_REQUEST_SUCCESS": frozenset({"RETURN_OR_REFUND_REQUEST_COMPLETE"}),
    "RETURN_OR_REFUND_REQUEST_COMPLETE": frozenset(),
    "RETURN_OR_REFUND_REQUEST_CANCEL": frozenset(),
    "REPLACEMENT_REQUEST_PENDING": frozenset(
        {"REPLACEMENT_REQUEST_REJECT", "REPLACEMENT_REQUEST_REFUND_SUCCESS",
         "REPLACEMENT_REQUEST_CANCEL", "REPLACEMENT_REQUEST_COMPLETE"}
    ),
    "REPLACEMENT_REQUEST_REJECT": frozenset(),
    "REPLACEMENT_REQUEST_REFUND_SUCCESS": frozenset(),
    "REPLACEMENT_REQUEST_CANCEL": frozenset(),
    "REPLACEMENT_REQUEST_COMPLETE": frozenset(),
}  # fmt: skip
RETURN_STATUSES: Final = frozenset(RETURN_FLOW)
#: statuses a refund without return never takes (nothing is shipped back)
SHIPPING_STATUSES: Final = frozenset(
    {"AWAITING_BUYER_SHIP", "BUYER_SHIPPED_ITEM", "REJECT_RECEIVE_PACKAGE"}
)
#: a return in these is over without its units: they may be asked for again
DEAD_RETURN: Final = frozenset(
    {"RETURN_OR_REFUND_REQUEST_CANCEL", "REPLACEMENT_REQUEST_REJECT", "REPLACEMENT_REQUEST_CANCEL"}
)


class ApiError(Exception):
    """A TikTok error reply: ``code``, ``message`` and the HTTP status we chose."""

    def __init__(self, code: int, message: str, status: int = 200) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


def _param(message: str) -> ApiError:
    return ApiError(INVALID_PARAMS, f"Invalid input parameters. {message}", 400)


def _credentials(message: str) -> ApiError:
    return ApiError(36009004, message, 401)


BAD_TOKEN: Final = "Invalid credentials. The `x-tts-access-token` header is invalid."  # noqa: S105


# ---------------------------------------------------------------- state


@dataclass
class _Shop:
    shop_id: str
    name: str
    region: str
    cipher: str
    code: str
    seller: str


@dataclass
class _Sku:
    sku_id: str
    seller_sku: str | None
    price: int
    stock: dict[str, int]  # warehouse id → quantity, in TikTok's order


@dataclass
class _Product:
    shop_id: str
    product_id: str
    title: str
    status: str
    platforms: tuple[str, ...]
    create_time: int
    update_time: int
    skus: dict[str, _Sku]


@dataclass
class Campaign:
    """Units of one SKU allocated to a campaign until ``until`` (the simulator's clock)."""

    product_id: str
    sku_id: str
    units: int
    until: float
    name: str


@dataclass
class OrderLine:
    """One unit of an order (TikTok lists one line item per unit)."""

    line_id: str
    product_id: str
    sku_id: str
    seller_sku: str
    price: int
    warehouse_id: str  # where the unit was taken from (given back there on cancel)
    display_status: str


@dataclass
class Order:
    """A buyer's order held by the simulator."""

    order_id: str
    shop_id: str
    status: str
    create_time: int
    update_time: int
    platform: str
    lines: list[OrderLine]


@dataclass
class Return:
    """A buyer's return (or refund) of some units of one order."""

    return_id: str
    order_id: str
    shop_id: str
    return_type: str
    status: str
    create_time: int
    update_time: int
    lines: list[tuple[str, OrderLine]]  # (return_line_item_id, the order's unit)
    keep_item: bool = False  # can_buyer_keep_item


@dataclass
class _Access:
    seller: str
    expires_at: float


@dataclass
class _Grant:  # an auth code or a refresh token
    seller: str
    expires_at: float
    used: bool = False


@dataclass(frozen=True)
class _Incoming:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    raw: bytes
    shop_id: str | None  # for accounting, rate limits and faults only


@dataclass(frozen=True)
class _Ctx:
    """A verified request: its route match, query, JSON body, shop and simulated now."""

    match: dict[str, str]
    query: dict[str, list[str]]
    body: JSON
    seller: str  # whose access token it is
    shop: _Shop | None
    now: float


@dataclass(frozen=True)
class _Route:
    name: str
    method: str
    pattern: re.Pattern[str]
    versions: frozenset[str]
    shop: bool  # shop-scoped: shop_cipher required; else refused
    handler: Callable[[_Ctx], JSON]


def _json_reply(status: int, payload: JSON, headers: Iterable[tuple[str, str]] = ()) -> _Reply:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return _Reply(status, body, (("Content-Type", "application/json"), *headers))


def _envelope(code: int, message: str, data: JSON | None = None) -> JSON:
    out: JSON = {"code": code, "message": message, "request_id": secrets.token_hex(16).upper()}
    if data is not None:
        out["data"] = data
    return out


def _error_reply(
    status: int, code: int, message: str, headers: Iterable[tuple[str, str]] = ()
) -> _Reply:
    return _json_reply(status, _envelope(code, message), headers)


# ---------------------------------------------------------------- parameters


def _q(query: Mapping[str, list[str]], name: str) -> str:
    values = query.get(name)
    return values[0] if values else ""


def _q_int(query: Mapping[str, list[str]], name: str, lo: int, hi: int, default: int) -> int:
    text = _q(query, name)
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not lo <= int(text) <= hi:
        raise _param(f"{name} must be an integer in [{lo}, {hi}].")
    return int(text)


def _b_time(body: JSON, name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _param(f"{name} must be a Unix timestamp.")
    return value


def _b_strings(body: JSON, name: str, limit: int, code: int) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _param(f"{name} must be a list of strings.")
    if len(value) > limit:
        raise ApiError(code, f"The number of {name} exceeds the limit of {limit}.")
    return value


def _encode_token(payload: JSON) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def _decode_token(token: str, fingerprint: str) -> JSON | None:
    if not token:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _param("Invalid page_token.") from None
    if not isinstance(payload, dict) or payload.get("f") != fingerprint:
        raise _param("Invalid page_token: it belongs to another query.")
    return payload


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _amount(price: int) -> str:
    return str(price)


# ---------------------------------------------------------------- HTTP plumbing


class TikTokSimulator(WebhookSimulator):
    """TikTok Shop Partner API on 127.0.0.1, with catalogue, buyers, faults and accounting.

    Settable attributes: ``latency``/``jitter`` (s), ``rate_limit`` ((rate/s, burst) per
    shop and API, or None), ``timeout_hold`` (s), ``retry_after`` (s, on 429s),
    ``accept_zero_stock``, ``search_cap``, ``next_login_shop``, ``redirect_url``,
    ``lock_error_in_answer``. Read-only by convention: ``calls``, ``request_log``,
    ``webhooks``, ``writes``.

    Webhooks (§3.6): ``webhooks`` records every ORDER_STATUS_CHANGE (type 1) and
    RETURN_STATUS_CHANGE (type 12) TikTok would send; after ``enable_webhooks(url,
    **faults)`` each is also delivered to ``url`` with ``Authorization`` = hex
    HMAC-SHA256(app_secret, app_key + body).
    """

    fault_kinds = FAULT_KINDS
    #: §3.6: retries 2 minutes, 30 minutes, 3 hours and 12 hours after failures, then stop
    webhook_retries = (120.0, 1800.0, 10_800.0, 43_200.0)

    def __init__(
        self,
        *,
        app_key: str = "6abcdeftt01",
        app_secret: str = "tts_demo_app_secret_9f8e7d6c5b4a",  # noqa: S107 - §7.3 fixture
        service_id: str = "7201234567890123456",
        clock: Callable[[], float] | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        rate_limit: tuple[float, int] | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(
            clock=clock, latency=latency, jitter=jitter, rate_limit=rate_limit, port=port
        )
        self.app_key = app_key
        self._secret = app_secret.encode()
        self.service_id = service_id
        # UNCONFIRMED (§3.4/§9): whether inventory update accepts quantity 0 (the docs
        # say 1–99,999). True models the behaviour sellers report; False the docs' letter.
        self.accept_zero_stock = True
        self.search_cap = SEARCH_CAP
        self.next_login_shop: str | None = None
        self.redirect_url = "https://seller.example/tiktok/callback"
        self.webhooks: list[tuple[str, bytes]] = []  # (Authorization header, raw body)
        #: §3.6 URL rules (HTTPS, a domain name, no port) checked on registration; off by
        #: default so a test can register a receiver on 127.0.0.1
        self.strict_webhook_urls = False
        #: the scopes the seller grants (without RETURN_SCOPE the return search is 105005)
        self.granted_scopes: set[str] = set(GRANTED_SCOPES)
        #: UNCONFIRMED where 12052393 comes: False per SKU in ``data.errors[]``, True as
        #: the whole answer's ``code`` (nothing of the call applied)
        self.lock_error_in_answer = False
        self._init_state()
        self._routes = self._build_routes()

    def _init_state(self) -> None:
        self._shops: dict[str, _Shop] = {}
        self._auth_until: dict[str, float] = {}  # seller → end of authorization
        self._codes: dict[str, _Grant] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, _Grant] = {}
        self._products: dict[str, _Product] = {}
        self._orders: dict[str, Order] = {}
        # by shop (shops, products and orders are only ever added): a request reads its
        # own shop's, not every seller's (a city's 3,334 shops share one simulator)
        self._by_cipher: dict[str, _Shop] = {}
        self._shop_products: dict[str, list[_Product]] = {}
        self._shop_orders: dict[str, list[Order]] = {}
        self._returns: dict[str, Return] = {}
        self._spoiled_returns: dict[str, JSON] = {}
        self._failing: dict[tuple[str, str], tuple[int, str]] = {}
        self._campaigns: list[Campaign] = []
        #: every inventory update entry: (product id, SKU id, total asked or None when
        #: unreadable, refusal code or None when applied)
        self.writes: list[tuple[str, str, int | None, int | None]] = []
        self._seq = 0
        #: shop id → event type → (address, create time, update time): the shop
        #: webhooks registered through ``PUT /event/202309/webhooks`` (§3.6)
        self.shop_webhooks: dict[str, dict[str, tuple[str, int, int]]] = {}

    def _build_routes(self) -> list[_Route]:
        pid = r"(?P<pid>\d+)"
        table: list[tuple[str, str, str, tuple[str, ...], bool, Callable[[_Ctx], JSON]]] = [
            ("shops", "GET", "/authorization/{v}/shops", ("202309",), False, self._shops_api),
            ("product_search", "POST", "/product/{v}/products/search", ("202309", "202502"),
             True, self._search_products),
            ("product", "GET", f"/product/{{v}}/products/{pid}", ("202309",), True,
             self._get_product),
            ("inventory_search", "POST", "/product/{v}/inventory/search", ("202309",), True,
             self._search_inventory),
            ("inventory_update", "POST", f"/product/{{v}}/products/{pid}/inventory/update",
             ("202309",), True, self._update_inventory),
            ("price_update", "POST", f"/product/{{v}}/products/{pid}/prices/update",
             ("202309",), True, self._update_price),
            ("order_search", "POST", "/order/{v}/orders/search", ("202309",), True,
             self._search_orders),
            ("order_detail", "GET", "/order/{v}/orders", ("202309", "202507"), True,
             self._order_detail),
            ("return_search", "POST", "/return_refund/{v}/returns/search", ("202309",), True,
             self._search_returns),
            ("webhooks_get", "GET", "/event/{v}/webhooks", ("202309",), True,
             self._get_webhooks),
            ("webhooks_put", "PUT", "/event/{v}/webhooks", ("202309",), True,
             self._put_webhook),
        ]  # fmt: skip
        return [
            _Route(name, method, re.compile("^" + path.replace("{v}", r"(?P<v>\d{6})") + "$"),
                   frozenset(versions), shop, handler)
            for name, method, path, versions, shop, handler in table
        ]  # fmt: skip

    # -- shops and catalogue

    def add_shop(
        self,
        shop_id: str | int,
        *,
        name: str | None = None,
        region: str = "ID",
        seller: str | None = None,
    ) -> str:
        """Create a shop (idempotent) and return its ``shop_cipher``; it still needs
        ``authorize``. Shops with the same ``seller`` come under one authorization."""
        key = str(shop_id)
        with self._lock:
            if key not in self._shops:
                cipher = f"ROW_{secrets.token_urlsafe(18)}"
                code = f"ID{secrets.token_hex(5).upper()}"
                self._shops[key] = _Shop(
                    key, name or f"Toko {key}", region, cipher, code, seller or f"seller-{key}"
                )
                self._by_cipher[cipher] = self._shops[key]
            return self._shops[key].cipher

    def cipher(self, shop_id: str | int) -> str:
        """The shop's ``shop_cipher``."""
        with self._lock:
            return self._need_shop(str(shop_id)).cipher

    def add_item(
        self,
        shop_id: str | int,
        product_id: str | int,
        name: str,
        *,
        sku: str | None = None,
        price: int = 10_000,
        stock: int | Sequence[int] = 0,
        models: Iterable[SkuSpec] | None = None,
        warehouses: Sequence[str] = (DEFAULT_WAREHOUSE,),
        status: str = "ACTIVATE",
        platforms: Sequence[str] = PLATFORMS,
    ) -> list[str]:
        """List a product and return its SKU ids.

        ``models`` as (sku_id, seller_sku, price, stock); without them the product has one
        SKU (id ``<product_id>01``) with ``sku``, ``price`` and ``stock``. A stock number
        goes to the first warehouse; a sequence gives one number per warehouse.
        """
        key = str(product_id)
        specs: list[SkuSpec] = (
            list(models) if models is not None else [(f"{key}01", sku, price, stock)]
        )
        if not warehouses or len(set(warehouses)) != len(warehouses):
            raise ValueError("give one or more distinct warehouses")
        if status not in PRODUCT_STATUSES or not set(platforms) <= set(PLATFORMS) or not platforms:
            raise ValueError(f"unknown status {status!r} or platforms {platforms!r}")
        with self._lock:
            self._need_shop(str(shop_id))
            if key in self._products or not specs or len(specs) > MAX_SKUS:
                raise ValueError(f"product {key} exists or has no / too many SKUs")
            skus: dict[str, _Sku] = {}
            for sku_id, seller_sku, sku_price, qty in specs:
                counts = [qty] if isinstance(qty, int) else list(qty)
                counts += [0] * (len(warehouses) - len(counts))
                if len(counts) != len(warehouses) or any(c < 0 for c in counts):
                    raise ValueError(f"stock of SKU {sku_id} does not fit warehouses {warehouses}")
                skus[str(sku_id)] = _Sku(
                    str(sku_id), seller_sku, sku_price, dict(zip(warehouses, counts, strict=True))
                )
            now = int(self.now())
            self._products[key] = _Product(
                str(shop_id), key, name, status, tuple(platforms), now, now, skus
            )
            self._shop_products.setdefault(str(shop_id), []).append(self._products[key])
            return list(skus)

    def set_product_status(self, product_id: str | int, status: str) -> None:
        """Change a product's status (e.g. DELETED, FREEZE)."""
        if status not in PRODUCT_STATUSES:
            raise ValueError(f"unknown product status {status!r}")
        with self._lock:
            product = self._products[str(product_id)]
            product.status, product.update_time = status, int(self.now())

    def add_warehouse(self, product_id: str | int, warehouse_id: str) -> None:
        """The seller stocks the product in one more warehouse (every SKU, quantity 0)."""
        with self._lock:
            product = self._products[str(product_id)]
            for sku in product.skus.values():
                sku.stock.setdefault(warehouse_id, 0)
            product.update_time = int(self.now())

    def stock(self, shop_id: str | int, product_id: str | int, sku_id: str | int) -> int:
        """The stock TikTok shows for a SKU: the sum over its warehouses."""
        with self._lock:
            return sum(self._sku(str(shop_id), str(product_id), str(sku_id)).stock.values())

    def warehouse_stock(
        self, shop_id: str | int, product_id: str | int, sku_id: str | int
    ) -> dict[str, int]:
        """A SKU's quantity per warehouse."""
        with self._lock:
            return dict(self._sku(str(shop_id), str(product_id), str(sku_id)).stock)

    def price(self, shop_id: str | int, product_id: str | int, sku_id: str | int) -> int:
        """A SKU's price (IDR)."""
        with self._lock:
            return self._sku(str(shop_id), str(product_id), str(sku_id)).price

    def fail_model(
        self, product_id: str | int, sku_id: str | int, reason: str, code: int = 12052990
    ) -> None:
        """Make stock and price updates of this SKU fail with ``code`` and ``reason``."""
        with self._lock:
            self._failing[(str(product_id), str(sku_id))] = (code, reason)

    def clear_fail(self, product_id: str | int, sku_id: str | int) -> None:
        """Undo ``fail_model``."""
        with self._lock:
            self._failing.pop((str(product_id), str(sku_id)), None)

    # -- campaigns (issue 12 item 2; see the module docstring)

    def start_campaign(
        self,
        product_id: str | int,
        sku_id: str | int,
        units: int,
        until: float,
        name: str = "Campaign",
    ) -> None:
        """A campaign takes ``units`` of the SKU's stock until ``until`` (simulator time)."""
        with self._lock:
            product = self._products.get(str(product_id))
            sku = product.skus.get(str(sku_id)) if product else None
            if product is None or sku is None:
                raise KeyError(f"no product {product_id} SKU {sku_id}")
            if units < 1 or until <= self.now() or not name:
                raise ValueError("a campaign takes units ≥ 1, an end to come and a name")
            held = self._held(product.product_id, sku.sku_id, self.now())
            if held + units > sum(sku.stock.values()):
                raise ValueError(f"SKU {sku_id} has not {units} more units to allocate")
            self._campaigns.append(
                Campaign(product.product_id, sku.sku_id, units, float(until), name)
            )

    def locked(self, product_id: str | int, sku_id: str | int) -> int:
        """The units campaigns hold on the SKU now (0 once they have ended)."""
        with self._lock:
            return self._held(str(product_id), str(sku_id), self.now())

    def _active(self, product_id: str, sku_id: str, now: float) -> list[Campaign]:
        return [
            c
            for c in self._campaigns
            if (c.product_id, c.sku_id) == (product_id, sku_id) and now < c.until
        ]

    def _held(self, product_id: str, sku_id: str, now: float) -> int:
        """Units allocated to running campaigns, never more than the SKU has (orders of
        the campaign take its units)."""
        product = self._products.get(product_id)
        sku = product.skus.get(sku_id) if product else None
        units = sum(c.units for c in self._active(product_id, sku_id, now))
        return min(units, sum(sku.stock.values())) if sku else 0

    def _need_shop(self, shop_id: str) -> _Shop:
        shop = self._shops.get(shop_id)
        if shop is None:
            raise KeyError(f"unknown shop {shop_id}; call add_shop first")
        return shop

    def _sku(self, shop_id: str, product_id: str, sku_id: str) -> _Sku:
        product = self._products.get(product_id)
        if product is None or product.shop_id != shop_id or sku_id not in product.skus:
            raise KeyError(f"shop {shop_id} has no product {product_id} SKU {sku_id}")
        return product.skus[sku_id]

    # -- sellers and tokens

    def authorize(self, shop_id: str | int) -> str:
        """The seller logs in and approves the app: a fresh single-use code (30 min)."""
        with self._lock:
            seller = self._need_shop(str(shop_id)).seller
            now = self.now()
            self._auth_until[seller] = now + AUTH_TTL
            code = secrets.token_urlsafe(24)
            self._codes[code] = _Grant(seller, now + CODE_TTL)
            return code

    def issue_tokens(self, shop_id: str | int) -> tuple[str, str]:
        """Shortcut for other tests: authorize and exchange at once -> (access, refresh)."""
        with self._lock:
            seller = self._need_shop(str(shop_id)).seller
            self.authorize(shop_id)
            data = self._issue_pair(seller, self.now())
            return data["access_token"], data["refresh_token"]

    def revoke(self, shop_id: str | int) -> None:
        """The seller cancels the authorization: every token of the seller stops working."""
        with self._lock:
            self._auth_until.pop(self._need_shop(str(shop_id)).seller, None)

    def _authorized(self, seller: str, now: float) -> bool:
        return now < self._auth_until.get(seller, -math.inf)

    def _issue_pair(self, seller: str, now: float) -> JSON:
        access = f"TTP_{secrets.token_urlsafe(32)}"
        refresh = f"TTP_{secrets.token_urlsafe(32)}"
        until = self._auth_until[seller]
        self._access[access] = _Access(seller, now + ACCESS_TTL)
        self._refresh[refresh] = _Grant(seller, until)
        shop = next(s for s in self._shops.values() if s.seller == seller)
        return {
            "access_token": access,
            "access_token_expire_in": int(now + ACCESS_TTL),  # a timestamp (§3.9 #5)
            "refresh_token": refresh,
            "refresh_token_expire_in": int(until),
            "open_id": hashlib.sha256(seller.encode()).hexdigest()[:32],
            "seller_name": shop.name,
            "seller_base_region": shop.region,
            "user_type": 0,
            "granted_scopes": sorted(self.granted_scopes),
        }

    def _expire_access(self, token: str, now: float) -> None:
        """Expire every live access token of the seller that ``token`` belongs to."""
        owner = self._access.get(token)
        for access in self._access.values():
            if owner is not None and access.seller == owner.seller:
                access.expires_at = min(access.expires_at, now)

    # -- buyers

    @property
    def orders(self) -> dict[str, Order]:
        """Every order by id (a snapshot of the table; the orders are live)."""
        with self._lock:
            return dict(self._orders)

    def place_order(
        self,
        shop_id: str | int,
        lines: Iterable[tuple[str | int, str | int, int]],
        status: str = "UNPAID",
        platform: str = "TIKTOK_SHOP",
    ) -> str | None:
        """A buyer orders (product_id, sku_id, qty): one line item per unit. Stock drops at
        once (first warehouse first); None when the shown stock is short."""
        wanted = [(str(p), str(s), q) for p, s, q in lines]
        if status not in ORDER_STATUSES - {"CANCELLED"} or not wanted or platform not in PLATFORMS:
            raise ValueError(f"cannot place an order with {status!r}/{platform!r} and {wanted}")
        shop = str(shop_id)
        with self._lock:
            demand = Counter[tuple[str, str]]()
            for product_id, sku_id, qty in wanted:
                if qty <= 0:
                    raise ValueError("quantities must be positive")
                self._sku(shop, product_id, sku_id)
                demand[(product_id, sku_id)] += qty
            if any(sum(self._sku(shop, p, s).stock.values()) < q for (p, s), q in demand.items()):
                return None
            return self._create_order(shop, wanted, status, platform)

    def _create_order(
        self, shop: str, wanted: list[tuple[str, str, int]], status: str, platform: str
    ) -> str:
        now = int(self.now())
        self._seq += 1
        order_id = f"5764{now % 10**8:08d}{self._seq:06d}"
        out: list[OrderLine] = []
        for product_id, sku_id, qty in wanted:
            sku = self._sku(shop, product_id, sku_id)
            for _ in range(qty):
                warehouse = next(w for w, n in sku.stock.items() if n > 0)
                sku.stock[warehouse] -= 1
                self._observe(shop, product_id, sku_id, sum(sku.stock.values()))
                line_id = f"{order_id[:12]}{len(out) + 1:04d}{self._seq:03d}"
                out.append(
                    OrderLine(
                        line_id,
                        product_id,
                        sku_id,
                        sku.seller_sku or "",
                        sku.price,
                        warehouse,
                        LINE_STATUS.get(status, "AWAITING_SHIPMENT"),
                    )
                )
        order = Order(order_id, shop, status, now, now, platform, out)
        self._orders[order_id] = order
        self._shop_orders.setdefault(order.shop_id, []).append(order)
        self._notify(order)
        return order_id

    def set_order_status(self, order_id: str, status: str) -> None:
        """Move an order on (§3.5); CANCELLED gives the units back. Bumps update_time."""
        with self._lock:
            order = self._orders[order_id]
            if status not in ORDER_STATUSES:
                raise ValueError(f"unknown order status {status!r}")
            if order.status == "CANCELLED" and status != "CANCELLED":
                raise ValueError("a cancelled order cannot be reopened")
            for line in order.lines:
                if line.display_status == "CANCELLED" or status not in LINE_STATUS:
                    continue
                if status == "CANCELLED":
                    self._give_back(order, line)
                line.display_status = LINE_STATUS[status]
            order.status, order.update_time = status, int(self.now())
            self._notify(order)

    def set_line_status(self, order_id: str, line_id: str, display_status: str) -> None:
        """Move one unit on (partial shipment or cancellation); a cancelled unit goes back."""
        if display_status not in DISPLAY_STATUSES:
            raise ValueError(f"unknown line status {display_status!r}")
        with self._lock:
            order = self._orders[order_id]
            line = next(x for x in order.lines if x.line_id == line_id)
            if line.display_status == "CANCELLED":
                raise ValueError("a cancelled line cannot be reopened")
            if display_status == "CANCELLED":
                self._give_back(order, line)
            line.display_status = display_status
            order.update_time = int(self.now())

    def _give_back(self, order: Order, line: OrderLine) -> None:
        product = self._products.get(line.product_id)
        sku = product.skus.get(line.sku_id) if product else None
        if sku is not None:
            sku.stock[line.warehouse_id] = sku.stock.get(line.warehouse_id, 0) + 1
            self._observe(order.shop_id, line.product_id, line.sku_id, sum(sku.stock.values()))

    def webhook_sign(self, url: str, body: bytes) -> dict[str, str]:
        """§3.6: ``Authorization`` = hex HMAC-SHA256(app_secret, app_key + raw body); the
        same value ``webhooks`` records."""
        mac = hmac.new(self._secret, self.app_key.encode() + body, hashlib.sha256)
        return {"Authorization": mac.hexdigest()}

    def _notify(self, order: Order) -> None:
        """Record the ORDER_STATUS_CHANGE webhook TikTok would send (signed, §3.6)."""
        payload = {
            "type": 1,
            "tts_notification_id": str(self._seq * 7919 + len(self.webhooks)),
            "shop_id": order.shop_id,
            "timestamp": order.update_time,
            "data": {
                "order_id": order.order_id,
                # §3.9 #2: the webhook spells a cancellation CANCEL, the API CANCELLED
                "order_status": "CANCEL" if order.status == "CANCELLED" else order.status,
                "is_on_hold_order": order.status == "ON_HOLD",
                "update_time": order.update_time,
            },
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        signature = hmac.new(self._secret, self.app_key.encode() + body, hashlib.sha256)
        self.webhooks.append((signature.hexdigest(), body))
        self.emit_webhook(body)

    # -- returns

    @property
    def returns(self) -> dict[str, Return]:
        """Every return by id (a snapshot of the table; the returns are live)."""
        with self._lock:
            return dict(self._returns)

    def request_return(
        self,
        order_id: str,
        units: int,
        *,
        return_type: str = "RETURN_AND_REFUND",
        keep_item: bool = False,
    ) -> str:
        """The buyer asks to send back (or be refunded for) ``units`` units of an order:
        one return line item per unit, taken from units in no live return. A buyer
        returns a DELIVERED order; a refund may come from AWAITING_COLLECTION on (the
        overview's table). Returns the return id."""
        if return_type not in RETURN_TYPES or units < 1:
            raise ValueError(f"cannot request {units} units as {return_type!r}")
        with self._lock:
            order = self._orders[order_id]
            allowed = ("DELIVERED",) if return_type != "REFUND" else (
                "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED")  # fmt: skip
            if order.status not in allowed:
                raise ValueError(f"order {order_id} is {order.status}: no {return_type} yet")
            busy = {
                unit.line_id
                for r in self._returns.values()
                if r.order_id == order_id and r.status not in DEAD_RETURN
                for _, unit in r.lines
            }
            free = [
                x for x in order.lines if x.display_status != "CANCELLED" and x.line_id not in busy
            ]
            if len(free) < units:
                raise ValueError(f"order {order_id} has {len(free)} units to return")
            now = int(self.now())
            self._seq += 1
            return_id = f"4035{now % 10**8:08d}{self._seq:07d}"
            lines = [
                (f"{return_id[:12]}{i + 1:03d}{self._seq:04d}", x)
                for i, x in enumerate(free[:units])
            ]
            first = "REPLACEMENT_REQUEST_PENDING" if return_type == "REPLACEMENT" else (
                "RETURN_OR_REFUND_REQUEST_PENDING")  # fmt: skip
            ret = Return(return_id, order_id, order.shop_id, return_type, first, now, now, lines,
                         keep_item)  # fmt: skip
            self._returns[return_id] = ret
            self._notify_return(ret)
            return return_id

    def set_return_status(self, return_id: str, status: str) -> None:
        """Move a return one documented step on (``RETURN_FLOW``); bumps update_time.
        The stock TikTok shows does not change (UNCONFIRMED, see the module docstring)."""
        with self._lock:
            ret = self._returns[return_id]
            replacement = ret.return_type == "REPLACEMENT"
            if (
                status not in RETURN_FLOW.get(ret.status, frozenset())
                or replacement != status.startswith("REPLACEMENT_")
                or (ret.return_type == "REFUND" and status in SHIPPING_STATUSES)
            ):
                raise ValueError(f"a {ret.return_type} return cannot go {ret.status} → {status}")
            ret.status, ret.update_time = status, int(self.now())
            self._notify_return(ret)

    def spoil_return(self, return_id: str, **fields: Any) -> None:
        """Fault: the return search shows these values in this return's record (e.g.
        ``return_status="NOPE"``, ``return_line_items=[]``) until ``spoil_return(id)``
        with no fields clears them."""
        with self._lock:
            if fields:
                self._spoiled_returns[return_id] = dict(fields)
            else:
                self._spoiled_returns.pop(return_id, None)

    def _notify_return(self, ret: Return) -> None:
        """Record the RETURN_STATUS_CHANGE webhook (type 12) TikTok would send (§3.6)."""
        payload = {
            "type": 12,
            "tts_notification_id": str(self._seq * 7919 + len(self.webhooks)),
            "shop_id": ret.shop_id,
            "timestamp": ret.update_time,
            "data": {
                "order_id": ret.order_id,
                "return_role": "BUYER",
                "return_type": ret.return_type,
                "return_status": ret.status,
                "return_id": ret.return_id,
                "create_time": ret.create_time,
                "update_time": ret.update_time,
            },
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        signature = hmac.new(self._secret, self.app_key.encode() + body, hashlib.sha256)
        self.webhooks.append((signature.hexdigest(), body))
        self.emit_webhook(body)

    # -- faults

    def inject(self, kind: str, path: str | None = None, times: int = 1) -> None:
        """Make the next ``times`` requests (to ``path``, a glob like
        ``/product/*/inventory/update``, else any) fail as ``kind``.

        ``429``/``500``/``503``/``error_body:<code>:<message>`` (a numeric code) replace the
        answer; ``malformed`` and ``timeout`` (held ``timeout_hold`` s) apply the request,
        then spoil or delay the reply; ``expire_token`` (calls with a token only) expires
        the caller's tokens first.
        """
        if kind.startswith("error_body:") and not kind.split(":", 2)[1].lstrip("-").isdigit():
            raise ValueError(f"unknown fault {kind!r} (or times < 1)")  # TikTok codes are ints
        super().inject(kind, path, times)

    def fault_matches(self, fault: Fault, path: str) -> bool:
        """A fault's ``path`` is a glob here (``fnmatch``, case-sensitive)."""
        return fault.path is None or fnmatch.fnmatchcase(path, fault.path)

    def _canned(self, fault: str) -> _Reply | None:
        """The reply of a fault that replaces the real answer, if it is one."""
        if fault == "429":
            return _error_reply(
                429,
                36009002,
                "Too many requests. You've made too many requests in a short period of time.",
                [("Retry-After", str(self.retry_after))],
            )
        if fault in ("500", "503"):
            message = "Internal error. Please try again."
            return _error_reply(int(fault), 36009003, message)
        if fault.startswith("error_body:"):
            _, code, message = fault.split(":", 2)
            return _error_reply(200, int(code), message)
        return None

    # -- request pipeline

    def _shop_hint(self, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> str | None:
        cipher = _q(query, "shop_cipher")
        for shop in self._shops.values():
            if cipher and shop.cipher == cipher:
                return shop.shop_id
        access = self._access.get(headers.get("x-tts-access-token", ""))
        if access is not None:
            mine = [s.shop_id for s in self._shops.values() if s.seller == access.seller]
            return mine[0] if len(mine) == 1 else None
        return None

    def serve_http(self, method: str, target: str, headers: dict[str, str], body: bytes) -> _Reply:
        """One request from the loopback server."""
        return self._dispatch(method, target, headers, body)

    def _dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> _Reply:
        """Serve one HTTP request: account, delay, fault or answer, log."""
        url = urlsplit(target)
        query = parse_qs(url.query, keep_blank_values=True)
        with self._lock:
            req = _Incoming(method, url.path, query, headers, body, self._shop_hint(query, headers))
            self.count_call(req.path, req.shop_id)
            fault = self.take_fault(req.path, lambda f: self._fault_applies(f, req))
        self.wait_latency()
        reply = self._answer(req, fault)
        self.hold_reply(fault)  # a timeout: the request was applied; the reply is late
        with self._lock:
            self.log_reply(method, req.path, req.shop_id, reply.status)
        return reply

    @staticmethod
    def _fault_applies(fault: Fault, req: _Incoming) -> bool:
        """``expire_token`` waits for a call with a token: only it has one to expire."""
        return fault.kind != "expire_token" or "x-tts-access-token" in req.headers

    def _answer(self, req: _Incoming, fault: str | None) -> _Reply:
        canned = self._canned(fault) if fault else None
        if canned is not None:
            return canned
        with self._lock:
            now = self.now()
            if fault == "expire_token":
                self._expire_access(req.headers["x-tts-access-token"], now)
            # §3.7: TikTok limits per API per app and shop
            wait = self.throttle((req.shop_id, self._api_name(req)), now)
            if wait is not None:
                # UNCONFIRMED (§3.7): TikTok does not document Retry-After; we send one.
                return _error_reply(
                    429,
                    36009002,
                    "Too many requests. You've made too many requests in a short period of time.",
                    [("Retry-After", str(wait))],
                )
            reply = self._process(req, now)
        if fault == "malformed":
            return _Reply(200, reply.body[: len(reply.body) // 2], reply.headers)
        return reply

    def _api_name(self, req: _Incoming) -> str:
        for route in self._routes:
            if route.pattern.match(req.path):
                return route.name
        return req.path

    def _process(self, req: _Incoming, now: float) -> _Reply:
        try:
            if req.path in (TOKEN_GET, TOKEN_REFRESH):
                return self._token(req, now)
            if req.path == AUTHORIZE:
                return self._authorize_page(req)
            route, match = self._route(req)
            ctx = self._verify(route, match, req, now)
            data = route.handler(ctx)
        except ApiError as exc:
            return _error_reply(exc.status, exc.code, exc.message)
        return _json_reply(200, _envelope(0, "Success", data))

    def _route(self, req: _Incoming) -> tuple[_Route, dict[str, str]]:
        """The route for the path, or the documented error for a bad path, method or version."""
        wrong_method = False
        for route in self._routes:
            found = route.pattern.match(req.path)
            if found is None:
                continue
            if route.method != req.method:
                wrong_method = True
                continue
            version = found.group("v")
            if version < OLDEST_VERSION:
                raise ApiError(36009014, f"API version {version} has been retired.", 400)
            if version not in route.versions:
                raise ApiError(36009004, "Invalid API version. The version is invalid.", 400)
            return route, found.groupdict()
        if wrong_method:
            raise ApiError(36009010, "Invalid method. The HTTP method is not supported.", 405)
        raise ApiError(36009009, "Invalid path. The path does not match any endpoint.", 404)

    def _verify(self, route: _Route, match: dict[str, str], req: _Incoming, now: float) -> _Ctx:
        """§3.3: app_key, sign present, timestamp window, sign, token, then shop_cipher."""
        query = req.query
        if _q(query, "app_key") != self.app_key:
            raise _credentials("Invalid credentials. Invalid `app_key` query parameter.")
        sign = _q(query, "sign")
        if not sign:
            raise _credentials(
                "Missing credentials. The request does not include a required signature."
            )
        stamp = _q(query, "timestamp")
        if not (stamp.isascii() and stamp.isdigit()):
            raise _credentials("Invalid timestamp. The `timestamp` query parameter is missing.")
        if int(stamp) < now - SKEW_PAST:
            raise _credentials(
                "Invalid timestamp. The value of the `timestamp` query parameter must not be "
                "earlier than 5 minutes before the current time."
            )
        if int(stamp) > now + SKEW_FUTURE:
            raise _credentials(
                "Invalid timestamp. The value of the `timestamp` query parameter must not "
                "exceed the current time by more than 30 seconds."
            )
        content_type = req.headers.get("content-type", "")
        if req.method in ("POST", "PUT") and not content_type.startswith("application/json"):
            raise ApiError(36009022, "Invalid request format. Use application/json.", 400)
        if not hmac.compare_digest(self._sign(req).encode(), sign.encode()):
            raise ApiError(
                106001, "Invalid credentials. The `sign` query parameter is invalid.", 401
            )
        seller = self._check_token(req.headers.get("x-tts-access-token", ""), now)
        shop = self._check_cipher(route, _q(query, "shop_cipher"), seller)
        body = self._json_body(req.raw) if req.method in ("POST", "PUT") else {}
        return _Ctx(match, query, body, seller, shop, now)

    def _sign(self, req: _Incoming) -> str:
        """TikTok's sign, written here independently of syncd's signer (§3.3).

        Every occurrence counts: a repeated key is written once, its values in the order
        sent joined with "," (``ids=2&ids=1`` → ``ids2,1``), as TikTok's official Go SDK
        signs (``calSign``). UNCONFIRMED: that the live server checks a key repeated on
        the wire this way (§3.3 is silent; the SDK sends one comma-joined value).
        """
        pairs = sorted(
            (k, ",".join(v)) for k, v in req.query.items() if k not in ("sign", "access_token")
        )
        text = req.path + "".join(k + v for k, v in pairs)
        multipart = req.headers.get("content-type", "").startswith("multipart/form-data")
        payload = self._secret + text.encode() + (b"" if multipart else req.raw) + self._secret
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()

    def _check_token(self, token: str, now: float) -> str:
        access = self._access.get(token)
        if access is None or not self._authorized(access.seller, now):
            raise _credentials(BAD_TOKEN)
        if now >= access.expires_at:
            raise ApiError(
                105002, "Expired credentials. The `x-tts-access-token` header has expired.", 401
            )
        return access.seller

    def _check_cipher(self, route: _Route, cipher: str, seller: str) -> _Shop | None:
        """§3.9 #7: shop APIs need the cipher of a shop of this seller; others refuse one."""
        if not route.shop:
            if cipher:
                raise ApiError(
                    36009004,
                    "Unexpected identifier. The `shop_cipher` query parameter is not required "
                    "for this request.",
                    400,
                )
            return None
        if not cipher:
            raise ApiError(
                106013,
                "Missing identifier. The `shop_cipher` query parameter is required.",
                400,
            )
        shop = self._by_cipher.get(cipher)
        if shop is None or shop.seller != seller:
            raise ApiError(
                101000,
                "Invalid query or header. The shop does not match the `x-tts-access-token`.",
                401,
            )
        return shop

    @staticmethod
    def _json_body(raw: bytes) -> JSON:
        try:
            body = json.loads(raw or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError(36009022, "Invalid request format. The body is not JSON.", 400) from None
        if not isinstance(body, dict):
            raise ApiError(36009022, "Invalid request format. The body must be an object.", 400)
        return body

    # -- auth host and the seller's authorization page

    def _token(self, req: _Incoming, now: float) -> _Reply:
        """§3.2: GET token/get or token/refresh; unsigned, app secret in the query."""
        query = req.query
        if req.method != "GET":
            raise ApiError(36009010, "Invalid method. The HTTP method is not supported.", 405)
        secret_ok = hmac.compare_digest(_q(query, "app_secret").encode(), self._secret)
        if _q(query, "app_key") != self.app_key or not secret_ok:
            raise _credentials("Invalid credentials. Invalid `app_key` or `app_secret`.")
        if req.path == TOKEN_GET:
            if _q(query, "grant_type") != "authorized_code":
                raise _param("grant_type must be authorized_code.")
            grant = self._codes.get(_q(query, "auth_code"))
            # UNCONFIRMED (§3.2): the code of a bad/used/expired auth code; 36009004 chosen.
            if grant is None or grant.used or now >= grant.expires_at:
                raise _credentials("Invalid credentials. The auth_code is invalid or was used.")
        else:
            if _q(query, "grant_type") != "refresh_token":
                raise _param("grant_type must be refresh_token.")
            grant = self._refresh.get(_q(query, "refresh_token"))
            # UNCONFIRMED (§3.2): whether refresh tokens rotate. The simulator takes the
            # strict view (a used one is dead), so clients must store what comes back.
            if grant is None or grant.used or now >= grant.expires_at:
                raise _credentials("Invalid credentials. The refresh_token is invalid or expired.")
        if not self._authorized(grant.seller, now):
            raise _credentials("Invalid credentials. The seller's authorization has ended.")
        grant.used = True
        return _json_reply(200, _envelope(0, "success", self._issue_pair(grant.seller, now)))

    def _authorize_page(self, req: _Incoming) -> _Reply:
        """The seller opens the authorization link and approves: 302 to the redirect URL."""
        if _q(req.query, "service_id") != self.service_id:
            raise _param("Unknown service_id.")
        shop = self.next_login_shop
        if shop is None or shop not in self._shops:
            raise _param("Simulator: no seller is logging in (set sim.next_login_shop).")
        params = {"code": self.authorize(shop)}
        if _q(req.query, "state"):
            params["state"] = _q(req.query, "state")
        joiner = "&" if "?" in self.redirect_url else "?"
        return _Reply(302, b"", (("Location", f"{self.redirect_url}{joiner}{urlencode(params)}"),))

    # -- shop webhooks (§3.6)

    def _get_webhooks(self, ctx: _Ctx) -> JSON:
        """GET /event/202309/webhooks: the shop's address per event type. UNCONFIRMED
        (§3.4 names the call only): the answer's field names."""
        assert ctx.shop is not None  # noqa: S101 - a shop route
        hooks = self.shop_webhooks.get(ctx.shop.shop_id, {})
        return {
            "webhooks": [
                {"event_type": e, "address": a, "create_time": c, "update_time": u}
                for e, (a, c, u) in sorted(hooks.items())
            ]
        }

    def _put_webhook(self, ctx: _Ctx) -> JSON:
        """PUT /event/202309/webhooks {address, event_type}: set (create or move) the
        shop's address for one event type; from then on deliveries go there (one address
        per simulator: the last registered). UNCONFIRMED: the error codes of a bad body."""
        assert ctx.shop is not None  # noqa: S101 - a shop route
        address, event = ctx.body.get("address"), ctx.body.get("event_type")
        if not isinstance(event, str) or event not in WEBHOOK_EVENT_TYPES:
            raise _param("event_type is not a known event type.")
        if not isinstance(address, str) or not address:
            raise _param("address is required.")
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _param("address is not a URL.")
        if self.strict_webhook_urls and (
            parts.scheme != "https"
            or parts.port is not None
            or parts.hostname.replace(".", "").isdigit()
        ):
            raise _param("address must be HTTPS, a domain name and no port.")
        hooks = self.shop_webhooks.setdefault(ctx.shop.shop_id, {})
        created = hooks[event][1] if event in hooks else int(ctx.now)
        hooks[event] = (address, created, int(ctx.now))
        self.webhook_registered(address)
        return {}

    # -- shop API

    def _shops_api(self, ctx: _Ctx) -> JSON:
        """GET /authorization/202309/shops: the shops this token may act for, with ciphers."""
        return {
            "shops": [
                {
                    "id": shop.shop_id,
                    "name": shop.name,
                    "region": shop.region,
                    "seller_type": "LOCAL",
                    "cipher": shop.cipher,
                    "code": shop.code,
                }
                for shop in self._shops.values()
                if shop.seller == ctx.seller
            ]
        }

    # -- product API

    def _product(self, ctx: _Ctx, product_id: str) -> _Product:
        product = self._products.get(product_id)
        assert ctx.shop is not None  # noqa: S101 - shop routes always have one
        if product is None or product.shop_id != ctx.shop.shop_id:
            raise ApiError(12052032, "The product does not exist")
        return product

    def _product_json(self, product: _Product) -> JSON:
        out: JSON = {
            "id": product.product_id,
            "title": product.title,
            "skus": [
                {
                    "id": sku.sku_id,
                    "seller_sku": sku.seller_sku or "",
                    "price": {
                        "currency": "IDR",
                        "tax_exclusive_price": _amount(sku.price),
                        "sale_price": _amount(sku.price),
                    },
                    "inventory": [{"warehouse_id": w, "quantity": n} for w, n in sku.stock.items()],
                }
                for sku in product.skus.values()
            ],
            "sales_regions": ["ID"],
            "create_time": product.create_time,
            "update_time": product.update_time,
        }
        # For Indonesian sellers `status` is left out when the product is not on TikTok Shop,
        # and the Tokopedia status comes in integrated_platform_statuses (§3.8).
        if "TIKTOK_SHOP" in product.platforms:
            out["status"] = product.status
        if "TOKOPEDIA" in product.platforms:
            out["integrated_platform_statuses"] = [
                {"platform": "TOKOPEDIA", "status": product.status}
            ]
        return out

    def _search_products(self, ctx: _Ctx) -> JSON:
        assert ctx.shop is not None  # noqa: S101
        size = _q_int(ctx.query, "page_size", 1, MAX_PAGE, 0)
        if size == 0:
            raise ApiError(12019109, "page size is invalid")
        body = ctx.body
        status = body.get("status", "ALL")
        if status != "ALL" and status not in PRODUCT_STATUSES:
            raise _param("Unknown status.")
        seller_skus = _b_strings(body, "seller_skus", 10, 12019027)
        sku_ids = _b_strings(body, "sku_ids", 10, 12019087)
        platforms = _b_strings(body, "listing_platforms", 2, INVALID_PARAMS)
        if platforms and status == "ALL":
            raise _param("listing_platforms needs a status other than ALL.")
        times = {k: _b_time(body, k) for k in ("create_time_ge", "create_time_le",
                                                "update_time_ge", "update_time_le")}  # fmt: skip

        def wanted(p: _Product) -> bool:
            skus = p.skus.values()
            return (
                p.shop_id == ctx.shop.shop_id  # type: ignore[union-attr]
                and status in ("ALL", p.status)
                and (seller_skus is None or any(s.seller_sku in seller_skus for s in skus))
                and (sku_ids is None or any(s.sku_id in sku_ids for s in skus))
                and (not platforms or set(platforms) <= set(p.platforms))
                and (times["create_time_ge"] is None or p.create_time >= times["create_time_ge"])
                and (times["create_time_le"] is None or p.create_time <= times["create_time_le"])
                and (times["update_time_ge"] is None or p.update_time >= times["update_time_ge"])
                and (times["update_time_le"] is None or p.update_time <= times["update_time_le"])
            )

        found = sorted(
            (p for p in self._shop_products.get(ctx.shop.shop_id, ()) if wanted(p)),
            key=lambda p: p.product_id,
        )
        fingerprint = _fingerprint("products", ctx.shop.shop_id, body, size)
        after = _decode_token(_q(ctx.query, "page_token"), fingerprint)
        offset = int(after["o"]) if after else 0
        if offset >= self.search_cap:
            raise ApiError(12052180, "The total number of search results can not exceed 10000.")
        page = found[offset : offset + size]
        more = offset + size < len(found)
        return {
            "total_count": len(found),
            "products": [self._product_json(p) for p in page],
            "next_page_token": _encode_token({"o": offset + size, "f": fingerprint})
            if more
            else "",
        }

    def _get_product(self, ctx: _Ctx) -> JSON:
        return self._product_json(self._product(ctx, ctx.match["pid"]))

    def _sku_list(self, product: _Product, body: JSON) -> list[JSON]:
        """The ``skus`` of an update: 1–100 entries, no duplicates, all of this product."""
        entries = body.get("skus")
        if not isinstance(entries, list) or not entries:
            raise ApiError(12052902, "The SKU list is empty.")
        if len(entries) > MAX_SKUS:
            raise ApiError(12052050, "A single product cannot have more than 100 different SKUs")
        if not all(isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries):
            raise ApiError(12052036, "The SKU ID is necessary")
        ids = [e["id"] for e in entries]
        if len(set(ids)) != len(ids):
            raise ApiError(12052553, "Sku id duplicate")
        stranger = next((i for i in ids if i not in product.skus), None)
        if stranger is not None:
            # §3.4: all SKUs of one call belong to its product (one product per call)
            raise ApiError(12052557, f"The SKU ID {stranger} does not belong to the product.")
        return entries

    def _update_inventory(self, ctx: _Ctx) -> JSON:
        product = self._product(ctx, ctx.match["pid"])
        if product.status not in WRITABLE:
            raise ApiError(12052901, "The product in its current status is not available.")
        done: list[tuple[_Sku, int | None, dict[str, int] | _SkuProblem]] = []
        for entry in self._sku_list(product, ctx.body):
            sku = product.skus[entry["id"]]
            asked = _asked(entry.get("inventory"))
            try:
                done.append((sku, asked, self._new_stock(product, sku, entry, ctx.now)))
            except _SkuProblem as problem:
                done.append((sku, asked, problem))
        whole = self.lock_error_in_answer and any(
            isinstance(got, _SkuProblem) and got.code == LOCK_CODE for _, _, got in done
        )
        errors: list[JSON] = []
        for sku, asked, got in done:
            if isinstance(got, _SkuProblem) or whole:
                why = got.code if isinstance(got, _SkuProblem) else LOCK_CODE
                self.writes.append((product.product_id, sku.sku_id, asked, why))
                if isinstance(got, _SkuProblem):
                    errors.append(got.as_json(sku.sku_id))
                continue
            self.writes.append((product.product_id, sku.sku_id, asked, None))
            sku.stock = got
            product.update_time = int(ctx.now)
            self._observe(product.shop_id, product.product_id, sku.sku_id, sum(got.values()))
        if whole:  # the whole call refused: nothing applied
            raise ApiError(LOCK_CODE, LOCK_ERROR)
        # UNCONFIRMED (§3.4): per-SKU errors come with code 0 and the other SKUs applied.
        return {"errors": errors} if errors else {}

    def _new_stock(self, product: _Product, sku: _Sku, entry: JSON, now: float) -> dict[str, int]:
        """An entry's new per-warehouse stock, or the SKU's refusal (``_SkuProblem``)."""
        failing = self._failing.get((product.product_id, sku.sku_id))
        if failing is not None:
            raise _SkuProblem(*failing)
        value = self._inventory_value(sku, entry.get("inventory"))
        if sum(value.values()) < self._held(product.product_id, sku.sku_id, now):
            raise _SkuProblem(LOCK_CODE, LOCK_ERROR)  # below what the campaigns hold
        return value

    def _search_inventory(self, ctx: _Ctx) -> JSON:
        """POST /product/202309/inventory/search: stock with its campaign allocations."""
        assert ctx.shop is not None  # noqa: S101
        sku_ids = _b_strings(ctx.body, "sku_ids", INVENTORY_SKUS, 12019015)
        product_ids = _b_strings(ctx.body, "product_ids", INVENTORY_PRODUCTS, 12019120)
        if not sku_ids and not product_ids:
            raise _param("product_ids or sku_ids is required.")
        out: list[JSON] = []
        mine = self._shop_products.get(ctx.shop.shop_id, ())
        for product in sorted(mine, key=lambda p: p.product_id):
            if sku_ids:  # sku_ids win when both are sent (the spec)
                skus = [s for s in product.skus.values() if s.sku_id in sku_ids]
            else:
                wanted = product.product_id in (product_ids or ())
                skus = list(product.skus.values()) if wanted else []
            if skus:
                out.append(
                    {
                        "product_id": product.product_id,
                        "skus": [self._inventory_json(product, s, ctx.now) for s in skus],
                    }
                )
        return {"inventory": out}

    def _inventory_json(self, product: _Product, sku: _Sku, now: float) -> JSON:
        committed = Counter(
            line.warehouse_id
            for order in self._shop_orders.get(product.shop_id, ())
            for line in order.lines
            if (line.product_id, line.sku_id) == (product.product_id, sku.sku_id)
            and line.display_status in COMMITTED
        )
        total = sum(sku.stock.values())
        room = total
        campaigns = []
        for c in self._active(product.product_id, sku.sku_id, now):
            share = min(c.units, room)
            room -= share
            if share:
                campaigns.append({"quantity": share, "campaign_name": c.name})
        return {
            "id": sku.sku_id,
            "seller_sku": sku.seller_sku or "",
            "total_available_quantity": total,
            "total_committed_quantity": sum(committed.values()),
            "warehouse_inventory": [
                {"warehouse_id": w, "available_quantity": n, "committed_quantity": committed[w]}
                for w, n in sku.stock.items()
            ],
            "total_available_inventory_distribution": {
                "campaign_inventory": campaigns,
                "creator_inventory": [],
                "in_shop_inventory": {"quantity": room},
            },
        }

    def _inventory_value(self, sku: _Sku, inventory: Any) -> dict[str, int]:
        """The new per-warehouse stock of an entry; it must name every warehouse (§3.9 #3)."""
        if not isinstance(inventory, list) or not inventory:
            raise _SkuProblem(12052037, "Couldn't update inventory. Missing warehouse IDs.")
        given: dict[str, int] = {}
        for item in inventory:
            warehouse = item.get("warehouse_id") if isinstance(item, dict) else None
            if warehouse is None and len(sku.stock) == 1 and len(inventory) == 1:
                warehouse = next(iter(sku.stock))  # optional when there is only one warehouse
            if not isinstance(warehouse, str) or warehouse in given:
                raise _SkuProblem(12019028, "Multiple warehouses detected. Include all of them.")
            if warehouse not in sku.stock:
                unknown = {"warehouse_id": warehouse, "code": 12052097,
                           "message": "The warehouse does not exist"}  # fmt: skip
                raise _SkuProblem(12052990, "Check failed", [unknown])
            given[warehouse] = _quantity(item.get("quantity"), self.accept_zero_stock)
        if set(given) != set(sku.stock):
            raise _SkuProblem(
                12052037,
                "Couldn't update inventory. Missing warehouse IDs (all warehouses that stock "
                "the product must be included).",
            )
        return {w: given[w] for w in sku.stock}

    def _update_price(self, ctx: _Ctx) -> JSON:
        product = self._product(ctx, ctx.match["pid"])
        if product.status != "ACTIVATE":
            raise ApiError(12019113, "product status is invalid")
        prices: dict[str, int] = {}
        for entry in self._sku_list(product, ctx.body):
            problem = self._failing.get((product.product_id, entry["id"]))
            if problem is not None:  # price updates are all or nothing (``data`` is empty)
                raise ApiError(*problem)
            price = entry.get("price")
            if not isinstance(price, dict) or price.get("currency") != "IDR":
                raise ApiError(12052084, "The provided currency is not available for this shop.")
            amount = price.get("amount")
            if not isinstance(amount, str) or not re.fullmatch(r"\d+(\.\d{1,2})?", amount):
                raise ApiError(12052012, "Incorrect price format")
            if float(amount) <= 0 or float(amount) != int(float(amount)):
                raise ApiError(12052073, "The product price is invalid")  # IDR: whole rupiah
            prices[entry["id"]] = int(float(amount))
        for sku_id, value in prices.items():
            product.skus[sku_id].price = value
        product.update_time = int(ctx.now)
        return {}

    # -- order API

    def _search_orders(self, ctx: _Ctx) -> JSON:
        assert ctx.shop is not None  # noqa: S101
        size = _q_int(ctx.query, "page_size", 1, MAX_PAGE, 0)
        if size == 0:
            raise _param("page_size is required, in [1, 100].")
        sort_field = _q(ctx.query, "sort_field") or "create_time"
        sort_order = _q(ctx.query, "sort_order") or "DESC"
        if sort_field not in ("create_time", "update_time") or sort_order not in ("ASC", "DESC"):
            raise _param("sort_field must be create_time|update_time, sort_order ASC|DESC.")
        body = ctx.body
        status = body.get("order_status")
        if status is not None and status not in ORDER_STATUSES:
            raise _param("Unknown order_status.")
        spans = {}
        for name in ("create_time", "update_time"):
            lo, hi = _b_time(body, f"{name}_ge"), _b_time(body, f"{name}_lt")
            if lo is None and hi is None:
                continue
            # a missing end defaults to now (this second included), a missing start to 0
            lo, hi = (0 if lo is None else lo), (int(ctx.now) + 1 if hi is None else hi)
            if lo > hi:
                raise _param(f"{name}_ge must not be after {name}_lt.")
            spans[name] = (lo, hi)
        descending = sort_order == "DESC"
        keyed = sorted(
            (
                ((getattr(o, sort_field), o.order_id), o)
                for o in self._shop_orders.get(ctx.shop.shop_id, ())
                if status in (None, o.status)
                and all(lo <= getattr(o, n) < hi for n, (lo, hi) in spans.items())
            ),
            key=lambda pair: pair[0],
            reverse=descending,
        )
        fingerprint = _fingerprint("orders", ctx.shop.shop_id, body, size, sort_field, sort_order)
        after = _decode_token(_q(ctx.query, "page_token"), fingerprint)
        if after is not None:
            mark = (int(after["k"][0]), str(after["k"][1]))
            keyed = [(k, o) for k, o in keyed if (k < mark if descending else k > mark)]
        page, more = keyed[:size], len(keyed) > size
        token = _encode_token({"k": list(page[-1][0]), "f": fingerprint}) if more else ""
        return {
            "orders": [self._order_json(o) for _, o in page],
            "next_page_token": token,
            "total_count": len(keyed),
        }

    def _order_json(self, order: Order) -> JSON:
        out: JSON = {
            "id": order.order_id,
            "status": order.status,
            "create_time": order.create_time,
            "update_time": order.update_time,
            "commerce_platform": order.platform,
            "fulfillment_type": "FULFILLMENT_BY_SELLER",
            "is_on_hold_order": order.status == "ON_HOLD",
            "payment": {
                "currency": "IDR",
                "total_amount": _amount(sum(x.price for x in order.lines)),
            },
            "line_items": [self._line_json(line) for line in order.lines],
        }
        if order.status == "CANCELLED":
            out.update(cancel_time=order.update_time, cancellation_initiator="BUYER")
        return out

    def _line_json(self, line: OrderLine) -> JSON:
        product = self._products.get(line.product_id)
        out: JSON = {
            "id": line.line_id,
            "sku_id": line.sku_id,
            "product_id": line.product_id,
            "product_name": product.title if product else "",
            "seller_sku": line.seller_sku,
            "display_status": line.display_status,
            "sale_price": _amount(line.price),
            "original_price": _amount(line.price),
            "currency": "IDR",
            "is_gift": False,
        }
        if line.display_status in PACKAGE_STATUS:
            out["package_status"] = PACKAGE_STATUS[line.display_status]
        return out

    def _order_detail(self, ctx: _Ctx) -> JSON:
        """GET /order/202507/orders?ids=a,b: whole orders, at most 50 (§3.4). The spec's
        example sends one comma-joined value; a repeated ``ids`` key counts too."""
        assert ctx.shop is not None  # noqa: S101
        ids = [i for v in ctx.query.get("ids", []) for i in v.split(",") if i]
        if not ids:
            raise _param("ids is required.")
        if len(ids) > MAX_ORDER_IDS:
            raise _param(f"ids: at most {MAX_ORDER_IDS} order ids.")
        found = [self._orders[i] for i in dict.fromkeys(ids) if i in self._orders]
        if any(o.shop_id != ctx.shop.shop_id for o in found):
            raise ApiError(21008111, "The order or package does not belong to the current seller.")
        return {"orders": [self._order_json(o) for o in found]}

    def _search_returns(self, ctx: _Ctx) -> JSON:
        """POST /return_refund/202309/returns/search (see the module docstring)."""
        assert ctx.shop is not None  # noqa: S101
        if RETURN_SCOPE not in self.granted_scopes:
            # UNCONFIRMED: the HTTP status of a scope refusal (the code is §3.7's)
            raise ApiError(105005, f"Access denied. The scope {RETURN_SCOPE} is not granted.", 403)
        low, high, default = RETURN_PAGE
        try:
            size = _q_int(ctx.query, "page_size", low, high, default)
        except ApiError as exc:
            raise _return_param(exc.message) from None
        sort_field = _q(ctx.query, "sort_field") or "create_time"
        sort_order = _q(ctx.query, "sort_order") or "ASC"
        if sort_field not in ("create_time", "update_time") or sort_order not in ("ASC", "DESC"):
            raise _return_param("sort_field must be create_time|update_time, sort_order ASC|DESC.")
        filters = _return_filters(ctx.body)
        spans = _return_spans(ctx.body, ctx.now)

        def wanted(r: Return) -> bool:
            pairs = (("return_ids", r.return_id), ("order_ids", r.order_id),
                     ("return_types", r.return_type), ("return_status", r.status))  # fmt: skip
            return (
                r.shop_id == ctx.shop.shop_id  # type: ignore[union-attr]
                and all(filters[k] is None or v in filters[k] for k, v in pairs)  # type: ignore[operator]
                and not filters["buyer_user_ids"]  # the simulator's buyers have no user ids
                and all(lo <= getattr(r, n) < hi for n, (lo, hi) in spans.items())
            )

        descending = sort_order == "DESC"
        keyed = sorted(
            (
                ((getattr(r, sort_field), r.return_id), r)
                for r in self._returns.values()
                if wanted(r)
            ),
            key=lambda pair: pair[0],
            reverse=descending,
        )
        fingerprint = _fingerprint(
            "returns", ctx.shop.shop_id, ctx.body, size, sort_field, sort_order
        )
        try:
            after = _decode_token(_q(ctx.query, "page_token"), fingerprint)
        except ApiError as exc:
            raise _return_param(exc.message) from None
        if after is not None:
            mark = (int(after["k"][0]), str(after["k"][1]))
            keyed = [(k, r) for k, r in keyed if (k < mark if descending else k > mark)]
        page, more = keyed[:size], len(keyed) > size
        token = _encode_token({"k": list(page[-1][0]), "f": fingerprint}) if more else ""
        return {
            "return_orders": [self._return_json(r) for _, r in page],
            "total_count": len(keyed),
            "next_page_token": token,
        }

    def _return_json(self, ret: Return) -> JSON:
        def money(units: int) -> JSON:
            total = _amount(units)
            return {"currency": "IDR", "refund_total": total, "refund_subtotal": total,
                    "refund_shipping_fee": "0", "refund_tax": "0"}  # fmt: skip

        items = []
        for line_item_id, unit in ret.lines:
            product = self._products.get(unit.product_id)
            items.append(
                {
                    "return_line_item_id": line_item_id,
                    "order_line_item_id": unit.line_id,
                    "sku_id": unit.sku_id,
                    "seller_sku": unit.seller_sku,
                    "product_name": product.title if product else "",
                    "refund_amount": money(unit.price),
                }
            )
        out: JSON = {
            "return_id": ret.return_id,
            "order_id": ret.order_id,
            "return_type": ret.return_type,
            "return_status": ret.status,
            "role": "BUYER",
            "can_buyer_keep_item": ret.keep_item,
            "create_time": ret.create_time,
            "update_time": ret.update_time,
            "return_line_items": items,
            "refund_amount": money(sum(unit.price for _, unit in ret.lines)),
        }
        if ret.return_type != "REFUND":
            out.update(shipment_type="PLATFORM", return_method="PLATFORM_SHIPPED")
        out.update(self._spoiled_returns.get(ret.return_id, {}))
        return out


def _return_param(message: str) -> ApiError:
    return ApiError(
        RETURN_INVALID,
        "An invalid request parameter was passed. Please check that you have the correct "
        f"parameter type(s) and format. {message}",
        400,
    )


def _return_filters(body: JSON) -> dict[str, list[str] | None]:
    """The list filters of a return search, each checked to be a list of known words."""
    known = {"return_types": set(RETURN_TYPES), "return_status": set(RETURN_STATUSES)}
    out: dict[str, list[str] | None] = {}
    for name in ("return_ids", "order_ids", "buyer_user_ids", "return_types", "return_status"):
        value = body.get(name)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            raise _return_param(f"{name} must be a list of strings.")
        if value is not None and name in known and not set(value) <= known[name]:
            raise _return_param(f"Unknown value in {name}.")
        out[name] = value
    return out


def _return_spans(body: JSON, now: float) -> dict[str, tuple[int, int]]:
    """``create_time``/``update_time`` ``_ge``/``_lt``: a missing end is now, a missing
    start the shop's beginning (the spec's notes)."""
    spans = {}
    for name in ("create_time", "update_time"):
        try:
            lo, hi = _b_time(body, f"{name}_ge"), _b_time(body, f"{name}_lt")
        except ApiError as exc:
            raise _return_param(exc.message) from None
        if lo is None and hi is None:
            continue
        lo, hi = (0 if lo is None else lo), (int(now) + 1 if hi is None else hi)
        if lo > hi:
            raise _return_param(f"{name}_ge must not be after {name}_lt.")
        spans[name] = (lo, hi)
    return spans


class _SkuProblem(Exception):
    """One SKU of an inventory update is refused: reported in ``data.errors[]``."""

    def __init__(self, code: int, message: str, extra: list[JSON] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra or []

    def as_json(self, sku_id: str) -> JSON:
        detail: JSON = {"sku_id": sku_id}
        if self.extra:
            detail["extra_errors"] = self.extra
        return {"code": self.code, "message": self.message, "detail": detail}


def _asked(inventory: Any) -> int | None:
    """The total an inventory update entry asks for, None when it is not readable."""
    if not isinstance(inventory, list):
        return None
    total = 0
    for item in inventory:
        qty = item.get("quantity") if isinstance(item, dict) else None
        if not isinstance(qty, int) or isinstance(qty, bool):
            return None
        total += qty
    return total


def _quantity(value: Any, zero_ok: bool) -> int:
    """A warehouse quantity: an integer in [1, 99,999], or [0, …] when 0 is accepted."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise _SkuProblem(12019024, "stock count is invalid")
    if not (0 if zero_ok else 1) <= value <= MAX_QUANTITY:
        raise _SkuProblem(
            12052055, "The SKU inventory quantity for the warehouse must be within allowed limits."
        )
    return value
