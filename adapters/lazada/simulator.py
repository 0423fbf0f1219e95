"""A local Lazada Open Platform server for syncd's tests and benchmarks.

``LazadaSimulator`` is a real HTTP server on 127.0.0.1 that checks signatures,
timestamps and tokens the way Lazada does (reference ``marketplace-apis.md`` §2)
and serves the token, product and order APIs syncd uses, with Lazada's request
and response shapes, under ``/rest`` (the gateway's prefix; the token APIs,
which live on ``auth.lazada.com/rest``, are served by the same server). The
consent page is ``/oauth/authorize``. Time is the simulator's own (``clock``
plus ``advance``), so tokens expire without sleeping; clients under test should
sign with ``sim.now``.

Stock per SKU is kept in Lazada's buckets (§2.5): *sellable* (what buyers can
buy, what ``stock`` returns), *withhold* (units of unpaid orders) and *occupy*
(units of orders from pending to packed). At ready-to-ship a unit leaves the
buckets (deducted); a cancellation puts it back into sellable. An order has one
row per unit, each with its own ``order_item_id`` and status.

Returns (reverse orders). Lazada opens a *reverse order* when a buyer asks to return
units of a delivered order (vendor guide "Reverse order overview"; API reference
``GetReverseOrdersForSeller``, ``GetMultipleOrderItems``, read in the
``lazykern/ecommerce-api-docs`` mirror, ``data/raw/lazada/apis/return-and-refund-api/``
and ``order-api/getmultipleorderitems.json``). Here ``request_return`` opens one over N
units in ``delivered``: each unit's row then carries ``reverse_order_id``,
``return_status`` ``REQUEST_INITIATE``, ``cancel_return_initiator`` ``return-customer``
and the buyer's ``reason``; ``complete_return`` moves the units to ``returned`` (the
goods are back with the seller; ``return_status`` ``RTM_RECEIVE_ITEM``) and
``close_return`` rejects (``REQUEST_REJECT``) or cancels (``REQUEST_CANCEL``) it, the
units staying ``delivered``. Each move stamps the units' ``updated_at``, so the order is
listed again by ``/orders/get``. UNCONFIRMED (§2.4/§9): the words ``return_status``
carries (the vendor documents the field, with the demo value ``"0"``, not its values:
these are the reverse-order statuses of ``GetReverseOrderDetail`` and of push type 10),
whether a return request changes the order's ``updated_at``, and what Lazada's own stock
does for a returned unit (here: nothing; the unit stays deducted).

Campaigns (issue 12 item 2; reference §2.4, §2.5, §2.8 #2; vendor guides "Inventory
calculation logic" and "Inventory Management API", ``GetProducts`` demo, "Create/Update
Product Q&A" Q8, read in the ``lazykern/ecommerce-api-docs`` mirror). ``start_campaign``
signs N units of a SKU up for a campaign until a time: they stay part of its sellable
quantity (the guide: SellableQuantity "includes the inventory locked by the campaign")
and show in ``/products/get`` as a ``channelInventories`` entry ``{channelName,
startTime, endTime, sellableQuantity}`` (the demo's fields; times ``2026-11-20 10:15:32``
in WIB). A write of a sellable quantity below the SKUs' campaign locks, or of a total
``Quantity`` below withheld + occupied + locked, is refused SKU by SKU: ``501`` with the
detail message ``negative sellable on channel inventory`` (the Q&A's words), nothing
applied. At its end time the campaign is gone (the guide: the units "will be removed at
the end of the event and will become a modifiable SellableQuantity"). UNCONFIRMED: the
detail's shape (as every 501 here), whether the time is WIB, whether ``channelName`` is
the campaign's name (the demo's is a UUID; here the name given), and what a buyer's order
does to the lock (here: the lock shrinks to what remains sellable, units sold through the
campaign). Lazada's ``4170`` (a mega campaign in which stock may go up, not down) is not
simulated; inject it with ``error_body:4170:…``. ``writes`` logs every SKU line written:
(item id, SKU id, fields, the refusal or None). ``/products/get`` takes
``sku_seller_list`` (a JSON array of seller SKUs, whole-word match, ≤ 100: §2.4; E070
otherwise) and answers the products with one of them, all their SKUs (UNCONFIRMED).

HTTP status of each reply. Lazada reports errors in the body's ``code`` and
does not document the HTTP status of error replies (UNCONFIRMED, §2.7/§9), so
every error here is HTTP 200 except the injected gateway faults:

=====================================================  ====  ==========================
reply                                                  HTTP  ``code``
=====================================================  ====  ==========================
success                                                200   ``"0"``
some SKUs of a write failed (nothing applied)          200   ``501`` + ``detail``
a stock write below a campaign lock (nothing applied)  200   ``501`` + ``detail`` ``negative
                                                             sellable on channel inventory``
bad ``sku_seller_list``                                200   ``E070``
missing parameter                                      200   ``MissingParameter``
wrong app_key / sign_method / stale timestamp          200   ``InvalidAppKey`` /
                                                             ``InvalidSignMethod`` /
                                                             ``InvalidTimestamp`` (all
                                                             UNCONFIRMED names)
wrong sign                                             200   ``IncompleteSignature``
bad/expired access token                               200   ``IllegalAccessToken``
bad/used/expired refresh token                         200   ``IllegalRefreshToken``
bad/used/expired code                                  200   ``InvalidCode``
bad parameter value (date without offset, limit, …)    200   ``E017``, ``E019``, ``E005``…
too many SKUs in a write                               200   ``E204``
rate limit                                             200   ``ApiCallLimit``
unknown path or wrong method                           404   ``InvalidApiPath``
injected ``error_body:<code>:<message>``               200   ``<code>``
injected ``429`` (gateway throttle)                    429   ``ApiCallLimit``
injected ``500``                                       500   ``1000``
injected ``malformed`` (truncated, not JSON)           200   —
``/oauth/authorize`` (seller logged in)                302   —
=====================================================  ====  ==========================

Throttle replies name their length in the message ("…this ban will last N
seconds", §2.7) and send no ``Retry-After`` header.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import re
import secrets
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Final
from urllib.parse import parse_qs, urlencode, urlsplit

from adapters._loopback import FAULT_KINDS, Fault
from adapters._loopback import Reply as _Reply
from adapters._webhook_sender import WebhookSimulator

__all__ = [
    "FAULT_KINDS",
    "ITEM_STATUSES",
    "ApiError",
    "Campaign",
    "LazadaSimulator",
    "Order",
    "Unit",
]

JSON = dict[str, Any]
ModelSpec = tuple[int, str | None, int, int]  # (sku_id, seller_sku, price, sellable stock)
Params = dict[str, str]

PREFIX: Final = "/rest"
ACCESS_TTL: Final = 30 * 86400  # §2.2: access token 30 d (7 d while the app is in test)
REFRESH_TTL: Final = 180 * 86400  # §2.2: refresh token 180 d (30 d in test), not extended
TEST_ACCESS_TTL: Final = 7 * 86400
TEST_REFRESH_TTL: Final = 30 * 86400
CODE_TTL: Final = 30 * 60  # §2.2: code single use, 30 min
TIMESTAMP_SKEW: Final = 7200  # §2.3: ±7,200 s
MAX_SKUS: Final = 50  # §2.4: ≤ 50 SKUs per write
MAX_PRODUCTS_PAGE: Final = 50
MAX_PRODUCTS_OFFSET: Final = 10_000
MAX_ORDERS_PAGE: Final = 100
MAX_ITEMS_ORDERS: Final = 50
WIB: Final = timezone(timedelta(hours=7))
WAREHOUSE: Final = "dropshipping"  # UNCONFIRMED stand-in for a single-warehouse seller's code
COUNTRY: Final = "id"

#: Unit status → the stock bucket the unit sits in (None: it has left the stock).
BUCKET: Final[dict[str, str | None]] = {
    "unpaid": "withhold",
    "pending": "occupy",
    "topack": "occupy",
    "packed": "occupy",
    "toship": "occupy",
    "ready_to_ship": None,
    "shipping": None,
    "shipped": None,
    "delivered": None,
    "failed": None,  # UNCONFIRMED (§2.5): Lazada's stock after a failed delivery; not restored
    "lost": None,
    "returned": None,  # UNCONFIRMED (§2.5): returns are not restocked by Lazada here
    "canceled": None,
}
ITEM_STATUSES: Final = frozenset(BUCKET)
FINAL: Final = frozenset({"canceled", "returned", "lost"})
#: Reverse order guide: a return is asked for after the order is delivered.
RETURNABLE: Final = frozenset({"delivered"})
RETURN_ASKED: Final = "REQUEST_INITIATE"  # GetReverseOrderDetail's reverse_status words
RETURN_BACK: Final = "RTM_RECEIVE_ITEM"  # push type 10: "received at seller"
RETURN_CLOSED: Final = frozenset({"REQUEST_REJECT", "REQUEST_CANCEL"})
ISO_OFFSET: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
SIGN_ERROR: Final = "The request signature does not conform to lazada standards"
#: Vendor "Create/Update Product Q&A" Q8 (code 501): a write below a campaign's lock.
LOCK_ERROR: Final = "negative sellable on channel inventory"
MAX_SELLER_SKUS: Final = 100  # §2.4: sku_seller_list takes ≤ 100


class ApiError(Exception):
    """A Lazada error reply: ``code``, ``message``, and the HTTP status we chose."""

    def __init__(self, code: str, message: str, status: int = 200, detail: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status, self.detail = code, message, status, detail


def _missing(name: str) -> ApiError:
    return ApiError(
        "MissingParameter",
        f'The input parameter "{name}" that is mandatory for processing this request '
        "is not supplied",
    )


def _bad_token() -> ApiError:
    return ApiError("IllegalAccessToken", "The specified access token is invalid or expired")


def _ban(seconds: int) -> str:
    return f"The request has exceeded the limit of API calls, this ban will last {seconds} seconds"


# ---------------------------------------------------------------- state


@dataclass
class Campaign:
    """Units of a SKU signed up for a campaign (a ``channelInventories`` entry)."""

    name: str
    units: int
    start: int
    end: int


@dataclass
class _Sku:
    sku_id: int
    seller_sku: str | None
    price: int
    sellable: int
    withhold: int = 0
    occupy: int = 0
    campaigns: list[Campaign] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.sellable + self.withhold + self.occupy

    def live(self, now: float) -> list[Campaign]:
        """The campaigns not ended at ``now`` (an ended one is dropped: its units are free)."""
        self.campaigns = [c for c in self.campaigns if c.end > now]
        return self.campaigns

    def locked(self, now: float) -> int:
        return sum(c.units for c in self.live(now))

    def sold(self, now: float) -> None:
        """Sellable fell below the locks: units sold through the campaigns (UNCONFIRMED)."""
        over = self.locked(now) - self.sellable
        for camp in self.campaigns:
            take = min(over, camp.units)
            camp.units, over = camp.units - take, over - take


@dataclass
class _Item:
    shop_id: int
    item_id: int
    name: str
    status: str
    updated: int
    skus: dict[int, _Sku]


@dataclass
class Unit:
    """One unit of an order: Lazada's order item row."""

    order_item_id: int
    item_id: int
    sku_id: int
    seller_sku: str
    price: int
    status: str
    created: int
    updated: int
    reverse_order_id: int | None = None  # the reverse order (return) the unit is in
    return_status: str = ""
    reason: str = ""


@dataclass
class Order:
    """A buyer's order held by the simulator."""

    order_id: int
    shop_id: int
    created: int
    units: list[Unit]

    @property
    def updated(self) -> int:
        return max(u.updated for u in self.units)

    @property
    def statuses(self) -> list[str]:
        return sorted({u.status for u in self.units})


@dataclass
class _Access:
    shop_id: int
    expires_at: float


@dataclass
class _Refresh:
    shop_id: int
    expires_at: float  # fixed at authorization: a refresh does not extend it (§2.2 #5)
    used: bool = False


@dataclass
class _Code:
    shop_id: int
    expires_at: float
    used: bool = False


@dataclass(frozen=True)
class _Incoming:
    """An HTTP request as received: query and form parameters merged (see ``_dispatch``)."""

    method: str
    path: str
    params: Params


@dataclass(frozen=True)
class _Ctx:
    """A verified request: parameters, seller (0 for token APIs) and simulated now."""

    params: Params
    shop_id: int
    now: float


@dataclass(frozen=True)
class _Route:
    methods: frozenset[str]
    kind: str  # "api" (token checked), "token" (signed, no token) or "page" (not signed)
    handler: Callable[[_Ctx], JSON | _Reply]


@dataclass
class _Write:
    """One SKU line of a write payload."""

    item_id: str | None
    sku_id: str | None
    seller_sku: str | None
    fields: dict[str, str] = field(default_factory=dict)


def _json_reply(status: int, payload: JSON, headers: Iterable[tuple[str, str]] = ()) -> _Reply:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return _Reply(status, body, (("Content-Type", "application/json;charset=UTF-8"), *headers))


def _error_reply(status: int, code: str, message: str, detail: Any = None) -> _Reply:
    payload: JSON = {
        "type": "ISV",
        "code": code,
        "message": message,
        "request_id": secrets.token_hex(12),
    }
    if detail is not None:
        payload["detail"] = detail
    return _json_reply(status, payload)


# ---------------------------------------------------------------- parameters


def _p_str(params: Params, name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise _missing(name)
    return value


def _p_int(params: Params, name: str, code: str, lo: int = 0, hi: int | None = None) -> int:
    text = _p_str(params, name)
    if not (text.isascii() and text.isdigit()):
        raise ApiError(code, f"Invalid {name}")
    value = int(text)
    if value < lo or (hi is not None and value > hi):
        raise ApiError(code, f"{name} must be between {lo} and {hi}")
    return value


def _p_time(params: Params, name: str) -> int | None:
    """An ISO 8601 time with an explicit offset (§2.8 #4), as Unix seconds."""
    text = params.get(name, "")
    if not text:
        return None
    if not ISO_OFFSET.fullmatch(text):
        raise ApiError("E017", f"Invalid Date Format: {name} must be YYYY-MM-DDTHH:mm:ss+HH:MM")
    return int(datetime.fromisoformat(text).timestamp())


def _wib_text(stamp: int) -> str:
    # UNCONFIRMED (§2.4): the format of the answers' times; "2026-11-20 10:15:32 +0700" here.
    return datetime.fromtimestamp(stamp, WIB).strftime("%Y-%m-%d %H:%M:%S %z")


def _parse_payload(text: str) -> list[_Write]:
    """The ``Sku`` lines of a write's XML payload, or E005 when it is not one."""
    try:
        root = ET.fromstring(text)  # noqa: S314 - loopback test server; expat has no XXE
    except ET.ParseError:
        raise ApiError("E005", "Invalid Request Format") from None
    skus = root.findall("./Product/Skus/Sku") if root.tag == "Request" else []
    if not skus:
        raise ApiError("E005", "Invalid Request Format: no Request/Product/Skus/Sku")
    if len(skus) > MAX_SKUS:
        raise ApiError("E204", f"Too many SKU in one request: at most {MAX_SKUS}")
    out = []
    for sku in skus:
        values = {child.tag: (child.text or "").strip() for child in sku}
        out.append(
            _Write(
                values.pop("ItemId", None) or None,
                values.pop("SkuId", None) or None,
                values.pop("SellerSku", None) or None,
                values,
            )
        )
    return out


# ---------------------------------------------------------------- HTTP plumbing


class LazadaSimulator(WebhookSimulator):
    """Lazada Open Platform on 127.0.0.1, with catalogue, buyers, faults and accounting.

    Shops are sellers, keyed by ``seller_id``. Settable attributes:
    ``latency``/``jitter`` (s), ``rate_limit`` ((rate/s, burst) per seller and API,
    or None), ``timeout_hold`` (s), ``retry_after`` (s, the ban of injected 429s),
    ``next_login_shop``. Read-only by convention: ``calls``, ``request_log``.

    Push (§2.6): after ``enable_webhooks(url, **faults)`` every order item (unit) created
    or moved on is pushed as a trade order message (``message_type`` 0) with
    ``Authorization`` = hex HMAC-SHA256(app_secret, app_key + body).
    """

    #: §2.6: Lazada retries every 30 minutes, up to 12 times
    webhook_retries = (1800.0,) * 12

    def __init__(
        self,
        *,
        app_key: str = "123456",
        app_secret: str = "lzd_demo_app_secret_abcdef0123",  # noqa: S107 - made up (§7.2)
        clock: Callable[[], float] | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        rate_limit: tuple[float, int] | None = None,
        test_app: bool = False,
        port: int = 0,
    ) -> None:
        super().__init__(
            clock=clock, latency=latency, jitter=jitter, rate_limit=rate_limit, port=port
        )
        self.app_key = app_key
        self._secret = app_secret.encode()
        self.access_ttl = TEST_ACCESS_TTL if test_app else ACCESS_TTL
        self.refresh_ttl = TEST_REFRESH_TTL if test_app else REFRESH_TTL
        self.next_login_shop: int | None = None
        self._init_state()
        self._routes = self._build_routes()

    def _init_state(self) -> None:
        self._shops: set[int] = set()
        self._auth_until: dict[int, float] = {}  # seller → end of the 180-day authorization
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, _Refresh] = {}
        self._items: dict[int, _Item] = {}
        self._shop_items: dict[int, list[_Item]] = {}  # seller → items (an index)
        self._sku_item: dict[tuple[int, int], int] = {}  # (seller, sku_id) → item_id
        self._orders: dict[int, Order] = {}
        self._units: dict[int, tuple[Order, Unit]] = {}
        self._failing: dict[tuple[int, int], str] = {}
        self.writes: list[tuple[int, int, dict[str, str], str | None]] = []
        self._reverse: dict[int, tuple[Order, list[Unit]]] = {}  # reverse order id → units
        self._order_seq = 0
        self._unit_seq = 0
        self._reverse_seq = 0

    def _build_routes(self) -> dict[str, _Route]:
        get, both = frozenset({"GET"}), frozenset({"GET", "POST"})
        return {
            "/oauth/authorize": _Route(get, "page", self._authorize_page),
            f"{PREFIX}/auth/token/create": _Route(both, "token", self._token_create),
            f"{PREFIX}/auth/token/refresh": _Route(both, "token", self._token_refresh),
            f"{PREFIX}/products/get": _Route(get, "api", self._get_products),
            f"{PREFIX}/product/stock/sellable/update": _Route(both, "api", self._update_sellable),
            f"{PREFIX}/product/price_quantity/update": _Route(both, "api", self._update_price_qty),
            f"{PREFIX}/orders/get": _Route(get, "api", self._get_orders),
            f"{PREFIX}/orders/items/get": _Route(get, "api", self._get_multiple_items),
        }

    # -- time

    def advance(self, seconds: float) -> None:
        """Move simulated time forward (negative only to start behind real time: the
        contract harness's ``start_offset``; the base refuses negative seconds)."""
        with self._lock:
            self._offset += seconds

    # -- catalogue

    def add_shop(self, shop_id: int) -> None:
        """Create a seller (idempotent); it still needs ``authorize``."""
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
        status: str = "Active",
    ) -> None:
        """List a product; ``models`` as (sku_id, seller_sku, price, stock).

        Every Lazada product has SKUs: without ``models`` it gets one, whose
        ``sku_id`` is ``item_id * 10``, with ``sku``, ``price`` and ``stock``.
        """
        specs = list(models) if models is not None else [(item_id * 10, sku, price, stock)]
        with self._lock:
            self._need_shop(shop_id)
            if item_id in self._items or not specs:
                raise ValueError(f"item {item_id} exists or has no SKUs")
            table = {s[0]: _Sku(*s) for s in specs}
            item = _Item(shop_id, item_id, name, status, int(self.now()), table)
            self._items[item_id] = item
            self._shop_items.setdefault(shop_id, []).append(item)
            self._sku_item.update({(shop_id, sku_id): item_id for sku_id in table})

    def stock(self, shop_id: int, item_id: int, sku_id: int) -> int:
        """The sellable quantity Lazada shows buyers for a SKU."""
        with self._lock:
            return self._sku(shop_id, item_id, sku_id).sellable

    def buckets(self, shop_id: int, item_id: int, sku_id: int) -> tuple[int, int, int]:
        """(sellable, withhold, occupy) of a SKU."""
        with self._lock:
            s = self._sku(shop_id, item_id, sku_id)
            return s.sellable, s.withhold, s.occupy

    def price(self, shop_id: int, item_id: int, sku_id: int) -> int:
        """The price (IDR) of a SKU."""
        with self._lock:
            return self._sku(shop_id, item_id, sku_id).price

    def start_campaign(
        self,
        item_id: int,
        sku_id: int,
        units: int,
        until: float | datetime,
        name: str = "Flash Sale",
    ) -> None:
        """The seller signs ``units`` of a SKU up for a campaign ending at ``until`` (Unix
        seconds on the simulator's clock, or a datetime): Lazada locks them until then.
        The units must be sellable (they stay part of the sellable quantity)."""
        end = until.timestamp() if isinstance(until, datetime) else float(until)
        with self._lock:
            item = self._items[item_id]
            sku = item.skus[sku_id]
            now = self.now()
            if units <= 0 or end <= now or sku.locked(now) + units > sku.sellable:
                raise ValueError(
                    f"cannot lock {units} of {sku.sellable} sellable (locked "
                    f"{sku.locked(now)}) until {end}"
                )
            sku.campaigns.append(Campaign(name, units, int(now), int(end)))
            item.updated = int(now)

    def locked(self, item_id: int, sku_id: int) -> int:
        """The units of a SKU locked by campaigns now."""
        with self._lock:
            return self._items[item_id].skus[sku_id].locked(self.now())

    def fail_model(self, item_id: int, sku_id: int, reason: str) -> None:
        """Make stock and price writes of this SKU fail with ``reason`` until cleared."""
        with self._lock:
            self._failing[(item_id, sku_id)] = reason

    def clear_fail(self, item_id: int, sku_id: int) -> None:
        """Undo ``fail_model``."""
        with self._lock:
            self._failing.pop((item_id, sku_id), None)

    def _need_shop(self, shop_id: int) -> None:
        if shop_id not in self._shops:
            raise KeyError(f"unknown shop {shop_id}; call add_shop first")

    def _sku(self, shop_id: int, item_id: int, sku_id: int) -> _Sku:
        item = self._items.get(item_id)
        if item is None or item.shop_id != shop_id or sku_id not in item.skus:
            raise KeyError(f"shop {shop_id} has no item {item_id} SKU {sku_id}")
        return item.skus[sku_id]

    # -- sellers and tokens

    def authorize(self, shop_id: int) -> str:
        """The seller logs in and approves the app: a fresh single-use code (30 min).

        Each authorization starts a new 180-day period for the refresh tokens.
        """
        with self._lock:
            self._need_shop(shop_id)
            now = self.now()
            self._auth_until[shop_id] = now + self.refresh_ttl
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
        """The seller cancels the authorization: every token of the seller stops working."""
        with self._lock:
            self._auth_until.pop(shop_id, None)

    def _issue_pair(self, shop_id: int, now: float) -> JSON:
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        until = self._auth_until[shop_id]
        self._access[access] = _Access(shop_id, now + self.access_ttl)
        self._refresh[refresh] = _Refresh(shop_id, until)
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": self.access_ttl,
            "refresh_expires_in": max(0, int(until - now)),
            "country": COUNTRY,
            "account_platform": "seller_center",
            "account": f"seller{shop_id}@example.id",
            "country_user_info": [
                {
                    "country": COUNTRY,
                    "seller_id": str(shop_id),
                    "user_id": str(shop_id + 1),
                    "short_code": f"ID{shop_id}",
                }
            ],
        }

    def _expire_access(self, token: str, now: float) -> None:
        """Expire every live access token of the seller that ``token`` belongs to."""
        owner = self._access.get(token)
        for access in self._access.values():
            if owner is not None and access.shop_id == owner.shop_id:
                access.expires_at = min(access.expires_at, now)

    # -- buyers

    @property
    def orders(self) -> dict[int, Order]:
        """Every order by order_id (a snapshot of the table; the orders are live)."""
        with self._lock:
            return dict(self._orders)

    def place_order(
        self, shop_id: int, lines: Iterable[tuple[int, int, int]], status: str = "pending"
    ) -> int | None:
        """A buyer orders (item_id, sku_id, qty) lines: one unit row per unit.

        The units leave sellable for their bucket; None when sellable stock is short.
        """
        wanted = list(lines)
        if BUCKET.get(status) is None or not wanted:
            raise ValueError(f"cannot place an order with status {status!r} and lines {wanted}")
        with self._lock:
            demand = Counter[tuple[int, int]]()
            for item_id, sku_id, qty in wanted:
                if qty <= 0:
                    raise ValueError("quantities must be positive")
                self._sku(shop_id, item_id, sku_id)
                demand[(item_id, sku_id)] += qty
            if any(self._sku(shop_id, i, s).sellable < q for (i, s), q in demand.items()):
                return None
            now = int(self.now())
            self._order_seq += 1
            order = Order(300_000_000_000_000 + self._order_seq, shop_id, now, [])
            for item_id, sku_id, qty in wanted:
                sku = self._sku(shop_id, item_id, sku_id)
                for _ in range(qty):
                    self._unit_seq += 1
                    unit = Unit(
                        400_000_000_000_000 + self._unit_seq,
                        item_id,
                        sku_id,
                        sku.seller_sku or "",
                        sku.price,
                        status,
                        now,
                        now,
                    )
                    sku.sellable -= 1
                    sku.sold(now)
                    self._observe(shop_id, item_id, sku_id, sku.sellable)
                    self._hold(sku, status, +1)
                    order.units.append(unit)
                    self._units[unit.order_item_id] = (order, unit)
            self._orders[order.order_id] = order
            for unit in order.units:
                self._push_unit(order, unit)
            return order.order_id

    @staticmethod
    def _hold(sku: _Sku, status: str, n: int) -> None:
        bucket = BUCKET[status]
        if bucket == "withhold":
            sku.withhold += n
        elif bucket == "occupy":
            sku.occupy += n

    def _move(self, order: Order, unit: Unit, status: str) -> None:
        if status not in ITEM_STATUSES:
            raise ValueError(f"unknown order item status {status!r}")
        if unit.status == status:
            return
        if unit.status in FINAL:
            raise ValueError(f"unit {unit.order_item_id} is {unit.status} and cannot move on")
        sku = self._items[unit.item_id].skus.get(unit.sku_id)
        if sku is not None:
            self._hold(sku, unit.status, -1)
            self._hold(sku, status, +1)
            if status == "canceled":  # §2.5: a cancellation returns the unit to sellable
                sku.sellable += 1
                self._observe(order.shop_id, unit.item_id, unit.sku_id, sku.sellable)
        unit.status, unit.updated = status, int(self.now())
        self._push_unit(order, unit)

    # -- push (§2.6)

    def webhook_sign(self, url: str, body: bytes) -> dict[str, str]:
        """§2.6: ``Authorization`` = hex HMAC-SHA256(app_secret, app_key + raw body)."""
        mac = hmac.new(self._secret, self.app_key.encode() + body, hashlib.sha256)
        return {"Authorization": mac.hexdigest()}

    def _push_unit(self, order: Order, unit: Unit) -> None:
        """The trade order message (type 0, §2.6) of one order item as it is now."""
        if self.webhook_sender is None:
            return
        payload = {
            "seller_id": str(order.shop_id),
            "message_type": 0,
            "data": {
                "order_status": unit.status,
                "trade_order_id": str(order.order_id),
                "trade_order_line_id": str(unit.order_item_id),
                "status_update_time": unit.updated,
            },
            "timestamp": int(self.now() * 1000),  # §2.6: milliseconds in the sample
            "site": "lazada_id",
        }
        self.emit_webhook(json.dumps(payload, separators=(",", ":")).encode())

    def set_order_status(self, order_id: int, status: str) -> None:
        """Move every unit of an order on (§2.5); ``canceled`` gives the stock back.

        Units already cancelled, returned or lost stay as they are.
        """
        with self._lock:
            order = self._orders[order_id]
            for unit in order.units:
                if unit.status not in FINAL:
                    self._move(order, unit, status)

    def set_item_status(self, order_item_id: int, status: str) -> None:
        """Move one unit of an order on (Lazada statuses are per unit)."""
        with self._lock:
            order, unit = self._units[order_item_id]
            self._move(order, unit, status)

    # -- returns (reverse orders)

    def request_return(self, order_id: int, qty: int, reason: str = "Not as described") -> int:
        """The buyer asks to return ``qty`` delivered units of an order: a reverse order
        (its id) over the first units not in another one."""
        with self._lock:
            order = self._orders[order_id]
            free = [u for u in order.units if u.status in RETURNABLE and u.reverse_order_id is None]
            if qty <= 0 or len(free) < qty:
                raise ValueError(f"order {order_id} has {len(free)} delivered units to return")
            self._reverse_seq += 1
            reverse_id = 500_000_000_000_000 + self._reverse_seq
            units = free[:qty]
            now = int(self.now())
            for unit in units:
                unit.reverse_order_id, unit.return_status = reverse_id, RETURN_ASKED
                unit.reason, unit.updated = reason, now
            self._reverse[reverse_id] = (order, units)
            return reverse_id

    def complete_return(self, reverse_order_id: int) -> None:
        """The goods are back with the seller: the reverse order's units are ``returned``."""
        with self._lock:
            order, units = self._reverse[reverse_order_id]
            for unit in units:
                if unit.return_status in RETURN_CLOSED:
                    raise ValueError(f"reverse order {reverse_order_id} is closed")
                self._move(order, unit, "returned")
                unit.return_status = RETURN_BACK

    def close_return(self, reverse_order_id: int, status: str = "REQUEST_REJECT") -> None:
        """The seller rejects the request (or the buyer cancels it, ``REQUEST_CANCEL``):
        nothing comes back and the units stay delivered."""
        if status not in RETURN_CLOSED:
            raise ValueError(f"a return closes as one of {sorted(RETURN_CLOSED)}")
        with self._lock:
            _, units = self._reverse[reverse_order_id]
            now = int(self.now())
            for unit in units:
                if unit.status == "returned":
                    raise ValueError(f"reverse order {reverse_order_id} is complete")
                unit.return_status, unit.updated = status, now

    # -- faults (``inject``/``take_fault`` are the base's; Lazada adds no kinds)

    @staticmethod
    def _applies(req: _Incoming) -> Callable[[Fault], bool]:
        """Whether a fault may fire on ``req``: ``expire_token`` only on an API call, the
        only kind that carries the token to expire."""
        return lambda fault: fault.kind != "expire_token" or "access_token" in req.params

    def _canned(self, fault: str) -> _Reply | None:
        """The reply of a fault that replaces the real answer, if it is one."""
        if fault == "429":
            return _error_reply(429, "ApiCallLimit", _ban(self.retry_after))
        if fault == "500":
            return _error_reply(500, "1000", "Internal Application Error")
        if fault.startswith("error_body:"):
            _, code, message = fault.split(":", 2)
            return _error_reply(200, code, message)
        return None

    # -- request pipeline

    def serve_http(self, method: str, target: str, headers: dict[str, str], body: bytes) -> _Reply:
        """One request from the loopback server."""
        return self._dispatch(method, target, body, headers.get("content-type", ""))

    def _dispatch(self, method: str, target: str, body: bytes, content_type: str) -> _Reply:
        """Serve one HTTP request: account, delay, fault or answer, log."""
        url = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        form: Params = {}
        if body and "x-www-form-urlencoded" in content_type:
            parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            form = {k: v[0] for k, v in parsed.items()}
        # §2.3 #5 says a POST's sign (with its system parameters) goes in the form body,
        # as lazop-sdk sends it and as syncd does. UNCONFIRMED (§2.3/§9): whether Lazada
        # also accepts them in a POST's query string, or refuses that; the reference is
        # silent, so both are accepted here and the sign is checked over the union (the
        # form wins a name given twice). Tests pin what the adapter sends on the wire.
        req = _Incoming(method, url.path, {**query, **form})
        with self._lock:
            shop = self._shop_hint(req.params)
            self.count_call(req.path, shop)
            fault = self.take_fault(req.path, self._applies(req))
        self.wait_latency()
        reply = self._answer(req, shop, fault)
        self.hold_reply(fault)  # a timeout fault: the request was applied; the reply is late
        with self._lock:
            self.log_reply(method, req.path, shop, reply.status)
        return reply

    def _shop_hint(self, params: Params) -> int | None:
        """The seller a request is for, for accounting only (from its token or code)."""
        access = self._access.get(params.get("access_token", ""))
        refresh = self._refresh.get(params.get("refresh_token", ""))
        code = self._codes.get(params.get("code", ""))
        grant = access or refresh or code
        return None if grant is None else grant.shop_id

    def _answer(self, req: _Incoming, shop: int | None, fault: str | None) -> _Reply:
        canned = self._canned(fault) if fault else None
        if canned is not None:
            return canned
        with self._lock:
            now = self.now()
            if fault == "expire_token":
                self._expire_access(req.params["access_token"], now)
            wait = self.throttle((shop, req.path), now)  # per seller and API (§2.7)
            if wait is not None:
                reply = _error_reply(200, "ApiCallLimit", _ban(wait))
            else:
                reply = self._process(req, now)
        if fault == "malformed":
            return _Reply(200, reply.body[: len(reply.body) // 2], reply.headers)
        return reply

    def _process(self, req: _Incoming, now: float) -> _Reply:
        request_id = secrets.token_hex(12)
        try:
            route = self._routes.get(req.path)
            if route is None or req.method not in route.methods:
                raise ApiError("InvalidApiPath", "The specified API path is invalid", 404)
            ctx = self._verify(route, req, now)
            out = route.handler(ctx)
        except ApiError as exc:
            return _error_reply(exc.status, exc.code, exc.message, exc.detail)
        if isinstance(out, _Reply):
            return out
        return _json_reply(200, {"code": "0", **out, "request_id": request_id})

    def _verify(self, route: _Route, req: _Incoming, now: float) -> _Ctx:
        """§2.3: app key, sign method, timestamp within 7,200 s, sign, then the token."""
        params = req.params
        if route.kind == "page":
            return _Ctx(params, 0, now)
        app_key = _p_str(params, "app_key")
        method = _p_str(params, "sign_method")
        stamp = _p_str(params, "timestamp")
        sign = _p_str(params, "sign")
        if app_key != self.app_key:
            raise ApiError("InvalidAppKey", "The specified app key is invalid")
        if method != "sha256":
            raise ApiError("InvalidSignMethod", "Only sign_method=sha256 is served here")
        if not (stamp.isascii() and stamp.isdigit()) or abs(now - int(stamp) / 1000) > (
            TIMESTAMP_SKEW
        ):
            raise ApiError("InvalidTimestamp", "The timestamp must be within 7200 s of UTC")
        if not hmac.compare_digest(self._sign(req.path[len(PREFIX) :], params), sign):
            raise ApiError("IncompleteSignature", SIGN_ERROR)
        if route.kind == "token":
            return _Ctx(params, 0, now)
        token = _p_str(params, "access_token")
        access = self._access.get(token)
        if access is None or now >= access.expires_at or access.shop_id not in self._auth_until:
            raise _bad_token()
        return _Ctx(params, access.shop_id, now)

    def _sign(self, api: str, params: Params) -> str:
        """Lazada's sign, written here independently of syncd's signer (§2.3)."""
        text = api
        for name in sorted(params):
            if name != "sign":
                text += name + params[name]
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest().upper()

    # -- auth endpoints

    def _authorize_page(self, ctx: _Ctx) -> _Reply:
        if ctx.params.get("client_id") != self.app_key:
            raise ApiError("InvalidAppKey", "Unknown client_id")
        if ctx.params.get("response_type") != "code" or "uuid" in ctx.params:
            raise ApiError("E005", "response_type must be code; uuid is not accepted")
        redirect = _p_str(ctx.params, "redirect_uri")
        shop_id = self.next_login_shop
        if shop_id is None or shop_id not in self._shops:
            raise ApiError("E005", "Simulator: no seller is logging in (set sim.next_login_shop)")
        code = self.authorize(shop_id)
        joiner = "&" if "?" in redirect else "?"
        return _Reply(302, b"", (("Location", f"{redirect}{joiner}{urlencode({'code': code})}"),))

    def _token_create(self, ctx: _Ctx) -> JSON:
        code = _p_str(ctx.params, "code")
        grant = self._codes.get(code)
        if grant is None or grant.used or ctx.now >= grant.expires_at:
            raise ApiError("InvalidCode", "The specified code is invalid or expired")
        if grant.shop_id not in self._auth_until:
            raise ApiError("InvalidCode", "The seller's authorization was cancelled")
        grant.used = True
        return self._issue_pair(grant.shop_id, ctx.now)

    def _token_refresh(self, ctx: _Ctx) -> JSON:
        token = _p_str(ctx.params, "refresh_token")
        old = self._refresh.get(token)
        until = self._auth_until.get(old.shop_id) if old is not None else None
        if old is None or old.used or until is None or ctx.now >= min(old.expires_at, until):
            raise ApiError(
                "IllegalRefreshToken", "The specified refresh token is invalid or expired"
            )
        # UNCONFIRMED (§2.2): whether the old refresh token keeps working; here it is used up.
        old.used = True
        return self._issue_pair(old.shop_id, ctx.now)

    # -- product endpoints

    def _get_products(self, ctx: _Ctx) -> JSON:
        filters = {"all", "live", "inactive", "deleted", "pending", "rejected", "sold-out"}
        wanted = ctx.params.get("filter") or "all"
        if wanted not in filters:
            raise ApiError("E005", f"Invalid filter {wanted!r}")
        offset = _p_int({"offset": "0", **ctx.params}, "offset", "E005", 0, MAX_PRODUCTS_OFFSET)
        limit = _p_int(
            {"limit": "10", **ctx.params}, "limit", "E019", 1, MAX_PRODUCTS_PAGE
        )  # §2.4: ≤ 50
        sellers = _seller_list(ctx.params.get("sku_seller_list", ""))
        mine = sorted(
            (
                i
                for i in self._shop_items.get(ctx.shop_id or 0, [])
                if _matches(i, wanted)
                and (sellers is None or any(s.seller_sku in sellers for s in i.skus.values()))
            ),
            key=lambda i: i.item_id,
        )
        page = mine[offset : offset + limit]
        data: JSON = {"total_products": len(mine)}
        if page:
            data["products"] = [_product(i, ctx.now) for i in page]
        return {"data": data}

    def _resolve(self, ctx: _Ctx, line: _Write) -> tuple[_Sku | None, str | None]:
        """The SKU a payload line writes to (if found), and why it cannot be written (if so)."""
        for item in self._shop_items.get(ctx.shop_id or 0, []):
            for sku in item.skus.values():
                by_ids = (
                    line.item_id == str(item.item_id)
                    and line.sku_id == str(sku.sku_id)
                    and line.item_id is not None
                )
                by_seller = line.seller_sku is not None and line.seller_sku == sku.seller_sku
                if by_ids or (line.sku_id is None and by_seller):
                    return sku, self._failing.get((item.item_id, sku.sku_id))
        return None, "SKU not found"

    def _write(self, ctx: _Ctx, apply: Callable[[_Sku, _Write], str | None]) -> JSON:
        """A batch write. UNCONFIRMED (§2.4/§9): whether Lazada applies the valid SKUs of
        a call in which some fail; here nothing is applied, and ``501`` lists the failures
        in ``detail`` naming each by ``seller_sku`` (also UNCONFIRMED: the detail's shape).
        """
        lines = _parse_payload(_p_str(ctx.params, "payload"))
        checked: list[tuple[_Sku, _Write]] = []
        detail: list[JSON] = []
        for line in lines:
            target, why = self._resolve(ctx, line)
            if target is not None and why is None:
                why = apply(_copy(target), line)  # check on a copy: nothing applied yet
            if target is not None:
                item_id = self._sku_item[(ctx.shop_id, target.sku_id)]
                self.writes.append((item_id, target.sku_id, dict(line.fields), why))
            if why is not None:
                seller_sku = line.seller_sku or (target.seller_sku if target else None)
                detail.append({"field": "SellerSku", "message": why, "seller_sku": seller_sku})
            elif target is not None:
                checked.append((target, line))
        if detail:
            raise ApiError("501", "Update product failed", detail=detail)
        for sku, line in checked:
            apply(sku, line)
            item_id = self._sku_item[(ctx.shop_id, sku.sku_id)]
            self._observe(ctx.shop_id, item_id, sku.sku_id, sku.sellable)
        return {"data": {}}

    def _update_sellable(self, ctx: _Ctx) -> JSON:
        def apply(sku: _Sku, line: _Write) -> str | None:
            if "MultiWarehouseInventories" in line.fields:
                return "This seller uses a single warehouse: give SellableQuantity"
            value = _whole(line.fields.get("SellableQuantity"))
            if value is None:
                return "SellableQuantity must be a whole number of at least 0"
            if value < sku.locked(ctx.now):  # the guide: ≥ the campaign's lock
                return LOCK_ERROR
            sku.sellable = value
            return None

        return self._write(ctx, apply)

    def _update_price_qty(self, ctx: _Ctx) -> JSON:
        def apply(sku: _Sku, line: _Write) -> str | None:
            if "Price" not in line.fields and "Quantity" not in line.fields:
                return "Give Price or Quantity"
            if "Price" in line.fields:
                price = _whole(line.fields["Price"].removesuffix(".00"))
                if not price:
                    return "Price must be a positive whole number of rupiah"
                sku.price = price
            if "Quantity" in line.fields:  # §2.8 #1: the total, including held units
                total = _whole(line.fields["Quantity"])
                if total is None or total < sku.withhold + sku.occupy:
                    return "Negative sellable quantity"
                if total < sku.withhold + sku.occupy + sku.locked(ctx.now):
                    return LOCK_ERROR  # the guide: ≥ withhold + occupy + channelInventories
                sku.sellable = total - sku.withhold - sku.occupy
            return None

        return self._write(ctx, apply)

    # -- order endpoints

    def _get_orders(self, ctx: _Ctx) -> JSON:
        p = ctx.params
        update_after, update_before = _p_time(p, "update_after"), _p_time(p, "update_before")
        created_after, created_before = _p_time(p, "created_after"), _p_time(p, "created_before")
        if update_after is None and created_after is None:
            raise _missing("update_after or created_after")
        sort_by = p.get("sort_by") or "created_at"
        direction = p.get("sort_direction") or "DESC"
        if sort_by not in ("created_at", "updated_at") or direction not in ("ASC", "DESC"):
            raise ApiError("E005", "sort_by: created_at|updated_at; sort_direction: ASC|DESC")
        status = p.get("status") or ""
        if status and status not in ITEM_STATUSES:
            raise ApiError("E036", f"Invalid status filter {status!r}")
        offset = _p_int({"offset": "0", **p}, "offset", "E005", 0)
        limit = _p_int({"limit": "100", **p}, "limit", "E019", 1, MAX_ORDERS_PAGE)

        def inside(o: Order) -> bool:
            # UNCONFIRMED (§2.4): whether the bounds are inclusive; both are, here.
            return (
                (update_after is None or o.updated >= update_after)
                and (update_before is None or o.updated <= update_before)
                and (created_after is None or o.created >= created_after)
                and (created_before is None or o.created <= created_before)
                and (not status or status in o.statuses)
            )

        key = "updated" if sort_by == "updated_at" else "created"
        found = sorted(
            (o for o in self._orders.values() if o.shop_id == ctx.shop_id and inside(o)),
            key=lambda o: (getattr(o, key), o.order_id),
            reverse=direction == "DESC",
        )
        page = found[offset : offset + limit]
        return {
            "data": {
                "count": len(page),
                "countTotal": len(found),
                "orders": [_order_entry(o) for o in page],
            }
        }

    def _get_multiple_items(self, ctx: _Ctx) -> JSON:
        text = _p_str(ctx.params, "order_ids")
        try:
            ids = json.loads(text)
        except json.JSONDecodeError:
            ids = None
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids) or not ids:
            raise ApiError("E056", "Invalid OrdersIdList format. Must use array format [1,2]")
        if len(ids) > MAX_ITEMS_ORDERS:
            raise ApiError("E038", f"Too many orders were requested: at most {MAX_ITEMS_ORDERS}")
        found = [self._orders[i] for i in ids if i in self._orders]
        mine = [o for o in found if o.shop_id == ctx.shop_id]
        if not mine:
            raise ApiError("E039", "No orders were found")
        return {
            "data": [
                {
                    "order_id": o.order_id,
                    "order_number": o.order_id + 1,
                    "order_items": [self._item_row(o, u) for u in o.units],
                }
                for o in mine
            ]
        }

    def _item_row(self, order: Order, unit: Unit) -> JSON:
        item = self._items.get(unit.item_id)
        row: JSON = {
            "order_item_id": unit.order_item_id,
            "order_id": order.order_id,
            "name": item.name if item else "",
            "sku": unit.seller_sku,
            "shop_sku": f"{unit.item_id}_ID-{unit.sku_id}",
            "sku_id": unit.sku_id,
            "product_id": unit.item_id,
            "status": unit.status,
            "item_price": f"{unit.price:.2f}",
            "paid_price": f"{unit.price:.2f}",
            "reason": unit.reason,
            "return_status": unit.return_status,
            "warehouse_code": WAREHOUSE,
            "is_fbl": 0,
            "created_at": _wib_text(unit.created),
            "updated_at": _wib_text(unit.updated),
        }
        if unit.reverse_order_id is not None:  # GetMultipleOrderItems: optional, a Long
            row["reverse_order_id"] = unit.reverse_order_id
            row["cancel_return_initiator"] = "return-customer"
        return row


# ---------------------------------------------------------------- shapes


def _matches(item: _Item, wanted: str) -> bool:
    if wanted == "all":
        return item.status.lower() != "deleted"
    if wanted == "live":
        return item.status == "Active"
    if wanted == "sold-out":
        return item.status == "Active" and all(s.sellable == 0 for s in item.skus.values())
    return item.status.lower() == wanted


def _seller_list(text: str) -> set[str] | None:
    """``sku_seller_list``: a JSON array of seller SKUs (≤ 100), or None when not given."""
    if not text:
        return None
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        values = None
    if (
        not isinstance(values, list)
        or not values
        or len(values) > MAX_SELLER_SKUS
        or not all(isinstance(v, str) for v in values)
    ):
        raise ApiError("E070", "You have corrupt data in your sku seller list.")
    return set(values)


def _campaign_entry(camp: Campaign) -> JSON:
    return {
        "channelName": camp.name,
        "startTime": datetime.fromtimestamp(camp.start, WIB).strftime("%Y-%m-%d %H:%M:%S"),
        "endTime": datetime.fromtimestamp(camp.end, WIB).strftime("%Y-%m-%d %H:%M:%S"),
        "sellableQuantity": camp.units,
    }


def _product(item: _Item, now: float) -> JSON:
    return {
        "item_id": item.item_id,
        "status": item.status,
        "updated_time": str(item.updated * 1000),
        "attributes": {"name": item.name},
        "skus": [
            {
                "SkuId": s.sku_id,
                "SellerSku": s.seller_sku or "",
                "ShopSku": f"{item.item_id}_ID-{s.sku_id}",
                "Status": "active",
                "quantity": s.total,
                "Available": s.sellable,
                "price": f"{s.price:.2f}",
                "special_price": 0,
                "multiWarehouseInventories": [
                    {
                        "warehouseCode": WAREHOUSE,
                        "totalQuantity": s.total,
                        "quantity": s.total,
                        "sellableQuantity": s.sellable,
                        "occupyQuantity": s.occupy,
                        "withholdQuantity": s.withhold,
                    }
                ],
                "channelInventories": [_campaign_entry(c) for c in s.live(now) if c.units],
            }
            for s in item.skus.values()
        ],
    }


def _order_entry(order: Order) -> JSON:
    price = sum(u.price for u in order.units)
    return {
        "order_id": order.order_id,
        "order_number": order.order_id + 1,
        "statuses": order.statuses,
        "created_at": _wib_text(order.created),
        "updated_at": _wib_text(order.updated),
        "items_count": len(order.units),
        "price": f"{price:.2f}",
        "warehouse_code": WAREHOUSE,
    }


def _copy(sku: _Sku) -> _Sku:
    return _Sku(
        sku.sku_id,
        sku.seller_sku,
        sku.price,
        sku.sellable,
        sku.withhold,
        sku.occupy,
        [dataclasses.replace(c) for c in sku.campaigns],
    )


def _whole(text: str | None) -> int | None:
    """A whole number ≥ 0 from a payload field, else None."""
    if text is None or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
