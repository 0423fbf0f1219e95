"""A local WooCommerce store (REST API v3) for syncd's tests and benchmarks.

``WooSimulator`` serves ``/wp-json/wc/v3`` on 127.0.0.1 the way WooCommerce core does
(reference ``marketplace-apis.md`` §4): REST keys by HTTP Basic auth or, for hosts that
strip ``Authorization`` (``strip_authorization = True``), the ``consumer_key`` /
``consumer_secret`` query parameters (§4.1), and OAuth 1.0a one-legged (§4.1, below);
products (simple and variable, stock on the variations, §4.6 #2), ``PUT`` on one product
or variation, the batch endpoints (≤ 100 objects, one parent per variations batch),
orders by ``modified_after`` (site time unless ``dates_are_gmt=true``: the site here is
Asia/Jakarta, §4.6 #1), paged by ``Link`` and ``X-WP-TotalPages`` (the ``Link`` echoes
the request's query, credentials included, as WordPress builds it).

Authentication follows core's ``WC_REST_Authentication`` (``class-wc-rest-authentication
.php``, read in a public copy of core; the reference has the outline, §4.1): over HTTPS
the query keys first, else Basic auth, else OAuth; over plain HTTP OAuth only. OAuth
1.0a is checked as core does: the parameters from the query (PHP's ``$_GET``: the last
of a repeated name wins), ``oauth_signature`` left out, sorted by name, each name and
value RFC 3986-encoded, ``name=value`` encoded again and joined with ``%26``; the base
string ``METHOD&enc(url)&params``; HMAC-SHA1 or HMAC-SHA256 keyed with the consumer secret
and ``&``; base64. The timestamp must be within 15 minutes of the store's clock, and a
nonce is refused when it was used within those 15 minutes (core keeps one nonce per
timestamp, so a second request of the same second forgets the first one's nonce; kept).
Nested query names (``status[]``) are signed here as sent, not as PHP arrays (not
simulated; nothing of ours sends them).

Stock follows core's ``wc-stock-functions.php`` (§4.3): an order reduces the stock of its
lines once, on the transition to processing, on-hold or completed, and gives it back on
the transition to cancelled or pending if it had been reduced. Placing a pending order
holds nothing here (core's checkout reservation table is not simulated: it only stops
other checkouts, it does not change ``stock_quantity``).

UNCONFIRMED (not in the reference, written from memory of core): the 413 code for an
oversized batch, the per-object ``error`` shape of a batch answer, and the 400 of a
``PUT`` on an unknown id. The refused-key messages other than "Consumer key is missing"
(§4.1) are core's (``class-wc-rest-authentication.php``), not the reference's. Where
core and the reference differ, the reference decides: with no key at all, core itself
falls through to a permission error (``woocommerce_rest_cannot_view``); the docs, and so
the reference and this store, answer "Consumer key is missing".

Simulation shortcuts, not WooCommerce facts: by default the store stands for an HTTPS one
(a TLS proxy in front of loopback), so Basic auth and the query keys are accepted over
this plain-HTTP socket; ``plain_http = True`` makes it the plain-HTTP store it is, where
core accepts OAuth 1.0a only (§4.1), and OAuth base strings name the socket's ``http``
address either way. Ids are one sequence for products, variations, orders and line items
(as WordPress posts share one, roughly).

=====================================================  ====  ===============================
reply                                                  HTTP  ``code``
=====================================================  ====  ===============================
no key (header stripped, no query parameters)          401   woocommerce_rest_authentication_error
unknown or revoked key / wrong secret                  401   woocommerce_rest_authentication_error
OAuth: bad signature, method, timestamp; used nonce    401   woocommerce_rest_authentication_error
OAuth: some of the five ``oauth_*`` parameters only    401   ..._authentication_missing_parameter
bad parameter (per_page > 100, orderby, dates)         400   rest_invalid_param
more than 100 objects in a batch                       413   ..._request_entity_too_large
unknown product (for a variations route)               404   woocommerce_rest_product_invalid_id
PUT: an unknown id, or an object ``fail_item`` names   400   the object's error ``code``
one object of a batch refused (``fail_item``)          200   per object ``error``
PUT when ``put_501`` (ModSecurity, §4.5)               501   — (an HTML page)
unknown route                                          404   rest_no_route
throttled (``rate_limit``), injected ``429``           429   — (``Retry-After``)
injected ``500`` / ``503``                             500/503 internal_server_error / —
injected ``error_body:<code>:<message>``               400   ``<code>``
=====================================================  ====  ===============================
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from adapters._loopback import FAULT_KINDS, Reply
from adapters._webhook_sender import WebhookSender, WebhookSimulator

__all__ = [
    "OAUTH_WINDOW",
    "REDUCING",
    "RESTORING",
    "STATUSES",
    "STOCK_WRITES",
    "WooSimulator",
    "oauth_signature",
]

JSON = dict[str, Any]
API: Final = "/wp-json/wc/v3"
#: the webhook topics ``POST /webhooks`` takes here (§4.4: syncd's two, and a few more)
WEBHOOK_TOPICS: Final = (
    "order.created",
    "order.updated",
    "order.deleted",
    "product.created",
    "product.updated",
)
#: the logical place of every call that writes stock, batch or PUT (counted and faulted as one)
STOCK_WRITES: Final = "stock-writes"
#: OAuth 1.0a: the timestamp's tolerance and how long a nonce stays used (core: 15 minutes)
OAUTH_WINDOW: Final = 15 * 60
OAUTH_PARAMS: Final = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
_HASHES: Final = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
MAX_PER_PAGE: Final = 100
MAX_BATCH: Final = 100
SITE_TZ: Final = timezone(timedelta(hours=7))  # Asia/Jakarta
STATUSES: Final = frozenset(
    {"pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"}
)
REDUCING: Final = frozenset({"processing", "on-hold", "completed"})  # §4.3
RESTORING: Final = frozenset({"cancelled", "pending"})  # §4.3, if reduced before
ORDERBY: Final = frozenset({"date", "id", "include", "title", "slug", "modified"})
_WHEN: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@dataclass(frozen=True)
class _Req:
    """One request as received: ``query`` as PHP's ``$_GET`` (the last of a repeated name
    wins); ``key``/``secret`` the Basic-or-query key (HTTPS), ``key`` else the OAuth one."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    key: str
    secret: str


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class _Stockable:
    id: int
    sku: str
    price: int
    stock: int | None  # None: stock not managed
    modified: float

    @property
    def manage_stock(self) -> bool:
        return self.stock is not None


@dataclass
class _Product(_Stockable):
    name: str = ""
    type: str = "simple"
    variations: dict[int, _Stockable] = field(default_factory=dict)


@dataclass
class _Line:
    id: int
    product_id: int
    variation_id: int
    sku: str
    qty: int
    reduced: int = 0  # core's ``_reduced_stock`` item meta: units reduced, not restocked
    refunded: int = 0  # units refunded so far


@dataclass
class _Refund:
    id: int
    created: float
    reason: str
    amount: int
    lines: list[tuple[int, _Line, int]]  # (refund line id, order line, units)
    restocked: bool


@dataclass
class _Order:
    id: int
    status: str
    created: float
    modified: float
    lines: list[_Line]
    reduced: bool = False
    refunds: list[_Refund] = field(default_factory=list)


def _json(status: int, body: Any, headers: Iterable[tuple[str, str]] = ()) -> Reply:
    data = json.dumps(body, separators=(",", ":")).encode()
    return Reply(status, data, (("Content-Type", "application/json; charset=UTF-8"), *headers))


def _error(status: int, code: str, message: str) -> Reply:
    return _json(status, {"code": code, "message": message, "data": {"status": status}})


def _gmt(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _site(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, SITE_TZ).strftime("%Y-%m-%dT%H:%M:%S")


class WooSimulator(WebhookSimulator):
    """A WooCommerce store on 127.0.0.1 with one REST key, products, buyers and faults.

    Settable: ``strip_authorization`` (the host drops the header), ``put_501`` (the host
    refuses PUT), ``plain_http`` (the store is served over plain HTTP, as core sees it:
    OAuth 1.0a only), ``latency``/``jitter``, ``rate_limit``, ``timeout_hold``,
    ``retry_after``. Read-only by convention: ``calls`` ((key, path) → n), ``request_log``.

    Webhooks (§4.4): after ``enable_webhooks(url, secret=..., **faults)`` every order
    created (``order.created``) or changed (``order.updated``: status, refund) is
    delivered with the order as the body, ``X-WC-Webhook-Topic``/``-Resource``/``-Event``/
    ``-ID``/``-Delivery-ID``/``-Source`` and ``X-WC-Webhook-Signature`` = base64
    HMAC-SHA256(secret, body).
    """

    fault_kinds = FAULT_KINDS | {"503"}
    #: §4.4: core does not retry a failed delivery (UNCONFIRMED) and disables the webhook
    #: after 5 consecutive failures
    webhook_retries = ()
    webhook_disable_after = 5
    #: the ``X-WC-Webhook-ID`` of the simulated order webhook
    webhook_id = 1

    def __init__(
        self,
        *,
        consumer_key: str = "ck_demo_0123456789abcdef",
        consumer_secret: str = "cs_demo_0123456789abcdef",  # noqa: S107 - made up
        clock: Callable[[], float] | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        rate_limit: tuple[float, int] | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(
            clock=clock, latency=latency, jitter=jitter, rate_limit=rate_limit, port=port
        )
        self.keys: dict[str, str] = {consumer_key: consumer_secret}
        self.strip_authorization = False
        self.put_501 = False
        self.plain_http = False
        self._nonces: dict[str, dict[int, str]] = {}  # key → {timestamp: nonce}, as core
        self._products: dict[int, _Product] = {}
        self._parent: dict[int, int] = {}  # variation id → product id
        self._orders: dict[int, _Order] = {}
        self._failing: dict[int, str] = {}
        self._seq = 1000
        self._webhook_secret = b""
        self._delivery_seq = 0
        #: webhooks made through ``POST /webhooks`` (§4.4): id → its fields (the secret
        #: too, never shown); once there is one, only their active topics are delivered
        self.api_webhooks: dict[int, JSON] = {}

    # -- catalogue and buyers (the test's moves)

    def _next_id(self) -> int:
        self._seq += 1
        return self._seq

    def add_simple(self, name: str, *, sku: str, price: int, stock: int | None) -> int:
        """A simple product; ``stock`` None: not managed. Its id."""
        with self._lock:
            pid = self._next_id()
            self._products[pid] = _Product(pid, sku, price, stock, self.now(), name=name)
            return pid

    def add_variable(self, name: str, variations: Iterable[tuple[str, int, int]]) -> list[int]:
        """A variable product with (sku, price, stock) variations: [parent id, variation ids…]."""
        with self._lock:
            pid = self._next_id()
            product = _Product(pid, "", 0, None, self.now(), name=name, type="variable")
            self._products[pid] = product
            ids = [pid]
            for sku, price, stock in variations:
                vid = self._next_id()
                product.variations[vid] = _Stockable(vid, sku, price, stock, self.now())
                self._parent[vid] = pid
                ids.append(vid)
            return ids

    def _object(self, product_id: int, variation_id: int) -> _Stockable:
        product = self._products[product_id]
        return product.variations[variation_id] if variation_id else product

    def stock(self, product_id: int, variation_id: int = 0) -> int | None:
        """``stock_quantity`` of a product or variation (what buyers can buy)."""
        with self._lock:
            return self._object(product_id, variation_id).stock

    def parent_stock(self, product_id: int) -> int | None:
        """A variable product's own ``stock_quantity`` (not what buyers of a variation see)."""
        with self._lock:
            return self._products[product_id].stock

    def price(self, product_id: int, variation_id: int = 0) -> int:
        with self._lock:
            return self._object(product_id, variation_id).price

    def fail_item(self, object_id: int, reason: str) -> None:
        """Batch writes of this product or variation are refused with ``reason``."""
        with self._lock:
            self._failing[object_id] = reason

    def revoke(self, consumer_key: str) -> None:
        """The seller revokes the key (or deletes its user)."""
        with self._lock:
            self.keys.pop(consumer_key, None)

    def place_order(
        self, lines: Iterable[tuple[int, int, int]], status: str = "pending"
    ) -> int | None:
        """A checkout of (product id, variation id or 0, qty) lines; None when managed stock
        is short. A paid status reduces the stock at once (as payment complete does)."""
        wanted = list(lines)
        with self._lock:
            for pid, vid, qty in wanted:
                obj = self._object(pid, vid)
                if qty < 1 or (obj.stock is not None and obj.stock < qty):
                    return None
            now = self.now()
            order = _Order(self._next_id(), "pending", now, now, [])
            for pid, vid, qty in wanted:
                obj = self._object(pid, vid)
                order.lines.append(_Line(self._next_id(), pid, vid, obj.sku, qty))
            self._orders[order.id] = order
            self._deliver(order, "created")
            if status != "pending":
                self.set_status(order.id, status)
            return order.id

    def set_status(self, order_id: int, status: str) -> None:
        """Move an order on, with core's stock hooks (§4.3)."""
        if status not in STATUSES:
            raise ValueError(f"unknown order status {status!r}")
        with self._lock:
            order = self._orders[order_id]
            if order.status == status:
                return
            if status in REDUCING and not order.reduced:
                self._move_stock(order, -1)
                order.reduced = True
            elif status in RESTORING and order.reduced:
                self._move_stock(order, +1)
                order.reduced = False
            if status == "refunded" and any(ln.refunded < ln.qty for ln in order.lines):
                # ``wc_order_fully_refunded``: the rest of the money, no line items, no restock
                order.refunds.append(_Refund(self._next_id(), self.now(), "", 0, [], False))
            order.status, order.modified = status, self.now()
            self._deliver(order, "updated")

    # -- webhooks (§4.4)

    def enable_webhooks(  # type: ignore[override]
        self, url: str, *, secret: str, **faults: Any
    ) -> WebhookSender:
        """Deliver order webhooks to ``url`` signed with the webhook's ``secret`` (the one
        the seller typed in WooCommerce → Settings → Advanced → Webhooks); faults as
        ``WebhookSimulator.enable_webhooks``."""
        if not secret:
            raise ValueError("a WooCommerce webhook needs a secret to sign its deliveries")
        with self._lock:
            self._webhook_secret = secret.encode()
        return super().enable_webhooks(url, **faults)

    def webhook_sign(self, url: str, body: bytes) -> dict[str, str]:
        """§4.4: ``X-WC-Webhook-Signature`` = base64 HMAC-SHA256(secret, raw body)."""
        mac = hmac.new(self._webhook_secret, body, hashlib.sha256).digest()
        return {"X-WC-Webhook-Signature": base64.b64encode(mac).decode()}

    def _webhooks_route(
        self, method: str, parts: list[str], query: dict[str, str], body: bytes
    ) -> Reply:
        """``GET``/``POST /webhooks`` and ``GET``/``POST``/``PUT /webhooks/<id>`` (§4.2,
        §4.4; the key's own checks already ran). A webhook made or moved here receives the
        deliveries from then on (one address per simulator: the last one written).
        UNCONFIRMED: core pings a new webhook's URL (``webhook_id=N``); not sent here."""
        if len(parts) == 1 and method == "GET":
            return self._list(
                f"{API}/webhooks", query, [self._hook_json(h) for h in self.api_webhooks.values()]
            )
        if len(parts) == 1 and method == "POST":
            data = _object_body(body)
            topic = data.get("topic")
            if topic not in WEBHOOK_TOPICS:
                raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): topic")
            hook: JSON = {
                "id": self._next_id(),
                "name": "",
                "status": "active",
                "topic": topic,
                "delivery_url": "",
                "secret": "",
                "created": self.now(),
            }
            self._write_hook(hook, data)
            self.api_webhooks[hook["id"]] = hook
            return _json(201, self._hook_json(hook))
        hook_id = _id_of(parts[1]) if len(parts) == 2 else None
        if hook_id is None:
            raise ApiError(404, "rest_no_route", "No route was found matching the URL and method")
        found = self.api_webhooks.get(hook_id)
        if found is None:
            raise ApiError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
        if method == "GET":
            return _json(200, self._hook_json(found))
        if method in ("POST", "PUT"):
            self._write_hook(found, _object_body(body))
            return _json(200, self._hook_json(found))
        raise ApiError(404, "rest_no_route", "No route was found matching the URL and method")

    def _write_hook(self, hook: JSON, data: JSON) -> None:
        """Apply a webhook's writable fields; an active one with an address delivers there."""
        for name in ("name", "delivery_url", "secret"):
            if isinstance(data.get(name), str):
                hook[name] = data[name]
        if data.get("status") in ("active", "paused", "disabled"):
            hook["status"] = data["status"]
        url = urlsplit(str(hook["delivery_url"]))
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): delivery_url")
        if not hook["secret"]:  # core: an MD5 of the user when none is given (UNCONFIRMED)
            hook["secret"] = hashlib.md5(b"1|admin").hexdigest()  # noqa: S324 - as core
        if hook["status"] == "active":
            self._webhook_secret = str(hook["secret"]).encode()
            self.webhook_registered(str(hook["delivery_url"]))

    def _hook_json(self, hook: JSON) -> JSON:
        topic = str(hook["topic"])
        resource, _, event = topic.partition(".")
        return {
            "id": hook["id"],
            "name": hook["name"],
            "status": hook["status"],
            "topic": topic,
            "resource": resource,
            "event": event,
            "hooks": [f"woocommerce_{resource}_{event}"],  # near enough (UNCONFIRMED)
            "delivery_url": hook["delivery_url"],
            "date_created_gmt": _gmt(float(hook["created"])),
        }

    def start_registered_sender(self, url: str) -> None:
        self.enable_webhooks(url, secret=self._webhook_secret.decode())

    def _deliver(self, order: _Order, event: str) -> None:
        """The ``order.<event>`` delivery of an order as it is now (body = the order)."""
        if self.webhook_sender is None:
            return
        hook_id = self.webhook_id
        if self.api_webhooks:  # made through the API: only the active topics are sent
            hook = next(
                (h for h in self.api_webhooks.values()
                 if h["topic"] == f"order.{event}" and h["status"] == "active"),
                None,
            )  # fmt: skip
            if hook is None:
                return
            hook_id = int(hook["id"])
        self._delivery_seq += 1
        source = f"{self.base_url}/" if self._server is not None else "http://127.0.0.1/"
        headers = {
            "X-WC-Webhook-Source": source,
            "X-WC-Webhook-Topic": f"order.{event}",
            "X-WC-Webhook-Resource": "order",
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-ID": str(hook_id),
            "X-WC-Webhook-Delivery-ID": str(self._delivery_seq),
        }
        body = json.dumps(_order_json(order), separators=(",", ":")).encode()
        self.emit_webhook(body, headers)

    def edit_stock(self, product_id: int, variation_id: int, value: int) -> None:
        """The seller types a new stock number in WP admin (a hand edit, not through syncd)."""
        with self._lock:
            obj = self._object(product_id, variation_id)
            obj.stock, obj.modified = value, self.now()
            self._observe("store", product_id, variation_id, value)

    def delete_product(self, product_id: int) -> None:
        """The seller deletes a product (it is no longer listed)."""
        with self._lock:
            self._products.pop(product_id, None)

    def orders_with_status(self, statuses: Iterable[str]) -> list[int]:
        """Ids of the orders in these statuses, oldest first."""
        wanted = set(statuses)
        with self._lock:
            return sorted(o.id for o in self._orders.values() if o.status in wanted)

    def line_ids(self, order_id: int) -> list[int]:
        """The ids of an order's line items (a refund names them)."""
        with self._lock:
            return [line.id for line in self._orders[order_id].lines]

    def order_status(self, order_id: int) -> str:
        with self._lock:
            return self._orders[order_id].status

    def _move_stock(self, order: _Order, sign: int) -> None:
        for line in order.lines:
            # core reduces each item once and, on restore, gives back what is still
            # reduced (``_reduced_stock``: a refund's restock already took its units)
            units = line.qty if sign < 0 else line.reduced
            line.reduced = line.qty if sign < 0 else 0
            self._change_stock(line, sign * units)

    def _change_stock(self, line: _Line, units: int) -> None:
        obj = self._object(line.product_id, line.variation_id)
        if obj.stock is not None and units:  # core changes only managed stock (< 0 allowed)
            obj.stock += units
            obj.modified = self.now()
            self._observe("store", line.product_id, line.variation_id, obj.stock)

    def refund(
        self,
        order_id: int,
        lines: Iterable[tuple[int, int]],
        *,
        restock: bool = True,
        reason: str = "",
    ) -> int:
        """The seller refunds (line id, units) of an order (``wc_create_refund``): each
        line's units come back to stock when ``restock`` and the line's stock was reduced
        (``wc_restock_refunded_items``); all units refunded makes the order ``refunded``;
        the order's ``date_modified`` moves either way. Returns the refund's id."""
        with self._lock:
            order = self._orders[order_id]
            by_id = {line.id: line for line in order.lines}
            taken: list[tuple[int, _Line, int]] = []
            for line_id, units in lines:
                line = by_id.get(line_id)
                if line is None or units < 0 or line.refunded + units > line.qty:
                    raise ApiError(
                        400, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount."
                    )
                if units:
                    taken.append((self._next_id(), line, units))
            refund = _Refund(self._next_id(), self.now(), reason, 0, taken, restock)
            for _, line, units in taken:
                line.refunded += units
                if restock and line.reduced:
                    back = min(units, line.reduced)
                    line.reduced -= back
                    self._change_stock(line, back)
            order.refunds.append(refund)
            if all(line.refunded == line.qty for line in order.lines):
                order.status = "refunded"  # ``woocommerce_order_fully_refunded_status``
            order.modified = self.now()
            self._deliver(order, "updated")
            return refund.id

    def _refunds(self, order_id: int) -> list[JSON]:
        order = self._orders.get(order_id)
        if order is None:
            raise ApiError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        return [_refund_json(r) for r in sorted(order.refunds, key=lambda r: -r.id)]

    def _refund_request(self, order_id: int, body: bytes) -> Reply:
        """``POST /orders/{id}/refunds`` (WC_REST_Order_Refunds_Controller): ``line_items``
        ``[{id, quantity, refund_total}]``, ``api_restock`` (default true), ``api_refund``
        (default true: the payment gateway refunds the money; COD and bank transfer
        cannot, so it is refused unless false, as core refuses it)."""
        data = _object_body(body)
        if data.get("api_refund", True) not in (False, "false", 0):
            raise ApiError(
                500,
                "woocommerce_rest_cannot_create_order_refund",
                "The payment gateway for this order does not support automatic refunds.",
            )
        items = data.get("line_items", [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): line_items")
        lines = []
        for item in items:
            try:
                lines.append((int(item["id"]), int(item.get("quantity", 0))))
            except (KeyError, TypeError, ValueError):
                raise ApiError(
                    400, "rest_invalid_param", "Invalid parameter(s): line_items"
                ) from None
        if order_id not in self._orders:
            raise ApiError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        restock = data.get("api_restock", True) not in (False, "false", 0)
        refund_id = self.refund(
            order_id, lines, restock=restock, reason=str(data.get("reason", ""))
        )
        order = self._orders[order_id]
        return _json(201, _refund_json(next(r for r in order.refunds if r.id == refund_id)))

    # -- HTTP

    def serve_http(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        url = urlsplit(target)
        query = dict(parse_qsl(url.query, keep_blank_values=True))  # PHP: the last one wins
        if self.strip_authorization:
            headers = {k: v for k, v in headers.items() if k != "authorization"}
        key, secret = ("", "") if self.plain_http else self._credentials(headers, query)
        key = key or query.get("oauth_consumer_key", "")
        # a write of stock also counts (and takes faults) as ``STOCK_WRITES``: stock and
        # price share the routes, and a test may aim at the stock only
        writes = method == "PUT" or (method == "POST" and url.path.endswith("/batch"))
        stock = writes and b'"stock_quantity"' in body
        with self._lock:
            self.count_call(url.path, key)
            if stock:
                self.count_call(STOCK_WRITES, key)
            fault = (self.take_fault(STOCK_WRITES) if stock else None) or self.take_fault(url.path)
        self.wait_latency()
        reply = self._answer(_Req(method, url.path, query, body, key, secret), fault)
        self.hold_reply(fault)
        with self._lock:
            self.log_reply(method, url.path, key, reply.status)
        return reply

    @staticmethod
    def _credentials(headers: dict[str, str], query: dict[str, str]) -> tuple[str, str]:
        """Core's Basic authentication (HTTPS): the query keys when both are there, else the
        ``Authorization: Basic`` header."""
        if query.get("consumer_key") and query.get("consumer_secret"):
            return query["consumer_key"], query["consumer_secret"]
        auth = headers.get("authorization", "")
        if auth.startswith("Basic "):
            try:
                key, _, secret = base64.b64decode(auth[6:], validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return "", ""
            return key, secret
        return query.get("consumer_key", ""), query.get("consumer_secret", "")

    def _answer(self, req: _Req, fault: str | None) -> Reply:  # noqa: PLR0911 - one per fault
        if fault == "429":
            return Reply(429, b"Too Many Requests", (("Retry-After", str(self.retry_after)),))
        if fault == "500":
            return _error(500, "internal_server_error", "There has been a critical error.")
        if fault == "503":
            return Reply(503, b"<html>Service Unavailable</html>", (("Retry-After", "1"),))
        if fault and fault.startswith("error_body:"):
            _, code, message = fault.split(":", 2)
            return _error(400, code, message)
        with self._lock:
            if fault == "expire_token":
                self.revoke(req.key)
            now = self.now()
            wait = self.throttle(req.key, now)
            if wait is not None:
                return Reply(429, b"Too Many Requests", (("Retry-After", str(wait)),))
            try:
                reply = self._route(req)
            except ApiError as exc:
                reply = _error(exc.status, exc.code, exc.message)
        if fault == "malformed":
            return Reply(200, reply.body[: len(reply.body) // 2], reply.headers)
        return reply

    def _route(self, req: _Req) -> Reply:  # noqa: PLR0911, PLR0912 - one per route
        method, path, query, body = req.method, req.path, req.query, req.body
        if not path.startswith(API + "/"):
            raise ApiError(404, "rest_no_route", "No route was found matching the URL")
        if method == "PUT" and self.put_501:
            return Reply(501, b"<html><h1>Method Not Implemented</h1></html>")
        self._authenticate(req)
        parts = path[len(API) + 1 :].split("/")
        if parts[:1] != ["products"]:
            if parts[0] == "webhooks":
                return self._webhooks_route(method, parts, query, body)
            if method == "GET" and parts == ["orders"]:
                return self._list(path, query, self._order_list(query))
            if len(parts) == 3 and parts[0] == "orders" and parts[2] == "refunds":
                oid = _id_of(parts[1]) or 0
                if method == "GET":
                    with self._lock:
                        return self._list(path, query, self._refunds(oid))
                if method == "POST":
                    with self._lock:
                        return self._refund_request(oid, body)
            raise ApiError(404, "rest_no_route", "No route was found matching the URL and method")
        if method == "GET" and len(parts) == 1:
            return self._list(path, query, self._product_list())
        if method == "GET" and parts[2:] == ["variations"]:
            product = self._product(parts[1])
            return self._list(path, query, [_variation_json(v) for v in _vars(product)])
        if method == "POST" and parts == ["products", "batch"]:
            return _json(200, self._batch(_updates(body), None))
        if method == "POST" and len(parts) == 4 and parts[2:] == ["variations", "batch"]:
            return _json(200, self._batch(_updates(body), self._product(parts[1])))
        if method == "PUT" and len(parts) == 2:
            return _one(self._write_one(None, _id_of(parts[1]), _object_body(body)))
        if method == "PUT" and len(parts) == 4 and parts[2] == "variations":
            parent = self._product(parts[1])
            return _one(self._write_one(parent, _id_of(parts[3]), _object_body(body)))
        raise ApiError(404, "rest_no_route", "No route was found matching the URL and method")

    def _authenticate(self, req: _Req) -> None:
        """Core's order: the Basic-or-query key (not over plain HTTP), else OAuth 1.0a."""
        if req.secret:  # a Basic-or-query key (``_credentials``; never when ``plain_http``)
            self._check_secret(req.key, req.secret)
        elif any(req.query.get(name) for name in OAUTH_PARAMS):
            self._check_oauth(req)
        elif req.key and not self.plain_http:
            self._check_secret(req.key, "")
        else:
            raise ApiError(401, "woocommerce_rest_authentication_error", "Consumer key is missing.")

    def _check_secret(self, key: str, secret: str) -> None:
        expected = self.keys.get(key)
        if expected is None:
            raise ApiError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if not hmac.compare_digest(expected, secret):
            raise ApiError(
                401, "woocommerce_rest_authentication_error", "Consumer secret is invalid."
            )

    def _check_oauth(self, req: _Req) -> None:
        """Core's ``perform_oauth_authentication``: the key, the signature, then the
        timestamp and the nonce (recorded only when all of them pass)."""
        params = req.query
        missing = [name for name in OAUTH_PARAMS if not params.get(name)]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            raise ApiError(
                401,
                "woocommerce_rest_authentication_missing_parameter",
                f"Missing OAuth parameter{plural} {', '.join(missing)}",
            )
        key = params["oauth_consumer_key"]
        secret = self.keys.get(key)
        if secret is None:
            raise ApiError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if params["oauth_signature_method"] not in _HASHES:
            raise ApiError(
                401,
                "woocommerce_rest_authentication_error",
                "Invalid signature - signature method is invalid.",
            )
        expected = oauth_signature(req.method, self.base_url + req.path, params, secret)
        given = unquote(params["oauth_signature"].replace(" ", "+"))  # as core decodes it
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise ApiError(
                401,
                "woocommerce_rest_authentication_error",
                "Invalid signature - provided signature does not match.",
            )
        now, stamp = int(self.now()), params["oauth_timestamp"]
        if not stamp.isdigit() or abs(int(stamp) - now) > OAUTH_WINDOW:
            raise ApiError(401, "woocommerce_rest_authentication_error", "Invalid timestamp.")
        used = self._nonces.setdefault(key, {})
        if params["oauth_nonce"] in used.values():
            raise ApiError(
                401,
                "woocommerce_rest_authentication_error",
                "Invalid nonce - nonce has already been used.",
            )
        used[int(stamp)] = params["oauth_nonce"]
        for old in [t for t in used if t < now - OAUTH_WINDOW]:
            del used[old]

    def _product(self, text: str) -> _Product:
        product = self._products.get(int(text)) if text.isdigit() else None
        if product is None:
            raise ApiError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return product

    def _product_list(self) -> list[JSON]:
        return [_product_json(p) for p in sorted(self._products.values(), key=lambda p: p.id)]

    def _list(self, path: str, query: dict[str, str], items: list[JSON]) -> Reply:
        per_page = _int(query, "per_page", 10, 1, MAX_PER_PAGE)
        page = _int(query, "page", 1, 1, None)
        total_pages = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = [("X-WP-Total", str(len(items))), ("X-WP-TotalPages", str(total_pages))]
        links = []
        for rel, number in (("prev", page - 1), ("next", page + 1)):
            if 1 <= number <= total_pages:
                echoed = {k: v for k, v in query.items() if k != "page"}
                qs = urlencode({**echoed, "page": str(number)})
                links.append(f'<{self.base_url}{path}?{qs}>; rel="{rel}"')
        if links:
            headers.append(("Link", ", ".join(links)))
        return _json(200, chunk, headers)

    def _order_list(self, query: dict[str, str]) -> list[JSON]:
        gmt = _boolean(query, "dates_are_gmt")
        after = _when(query.get("modified_after"), gmt)
        before = _when(query.get("modified_before"), gmt)
        orderby = query.get("orderby", "date")
        direction = query.get("order", "desc")
        if orderby not in ORDERBY or direction not in ("asc", "desc"):
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): orderby, order")
        # UNCONFIRMED: whether modified_after is exclusive; it is, here
        found = [
            o
            for o in self._orders.values()
            if (after is None or o.modified > after) and (before is None or o.modified < before)
        ]
        sort_key: Callable[[_Order], Any] = {
            "modified": lambda o: (o.modified, o.id),
            "id": lambda o: o.id,
        }.get(orderby, lambda o: (o.created, o.id))
        found.sort(key=sort_key, reverse=direction == "desc")
        return [_order_json(o) for o in found]

    def _batch(self, updates: list[JSON], parent: _Product | None) -> JSON:
        if len(updates) > MAX_BATCH:
            raise ApiError(
                413,
                "woocommerce_rest_request_entity_too_large",
                f"Unable to accept more than {MAX_BATCH} items for this request.",
            )
        return {"update": [self._write_one(parent, u.get("id"), u) for u in updates]}

    def _write_one(self, parent: _Product | None, oid: Any, update: JSON) -> JSON:
        """Write one product (``parent`` None) or one of ``parent``'s variations: the
        object as written, or ``{id, error}``."""
        if not isinstance(oid, int) or isinstance(oid, bool):
            return _item_error(0, "woocommerce_rest_invalid_id", "Invalid ID.")
        if oid in self._failing:
            return _item_error(oid, "woocommerce_rest_invalid_param", self._failing[oid])
        if parent is None:
            return self._update_product(oid, update)
        if oid in parent.variations:
            obj = parent.variations[oid]
            self._apply(parent.id, oid, obj, update)
            return _variation_json(obj)
        return _item_error(oid, "woocommerce_rest_invalid_id", "Invalid ID.")

    def _update_product(self, oid: int, update: JSON) -> JSON:
        product = self._products.get(oid)
        if product is None:
            if oid in self._parent:  # a variation through the products route: nothing
                variation = self._products[self._parent[oid]].variations[oid]
                return _variation_json(variation)  # (§4.6 #2: silently does nothing)
            return _item_error(oid, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        if product.type == "variable":
            # §4.6 #2: stock written on a variable parent is the parent's own, not what
            # buyers of any variation see; price on the parent is ignored.
            if update.get("manage_stock") is True and "stock_quantity" in update:
                product.stock = int(update["stock_quantity"])
            return _product_json(product)
        self._apply(oid, 0, product, update)
        return _product_json(product)

    def _apply(self, pid: int, vid: int, obj: _Stockable, update: JSON) -> None:
        if "manage_stock" in update:
            manage = update["manage_stock"] is True
            obj.stock = (obj.stock or 0) if manage else None
        if "stock_quantity" in update and obj.stock is not None:  # ignored when not managed
            value = update["stock_quantity"]
            if isinstance(value, int) and not isinstance(value, bool):
                obj.stock = value
                self._observe("store", pid, vid, value)
        if "regular_price" in update:
            text = str(update["regular_price"])
            if text.replace(".", "", 1).isdigit():
                obj.price = int(float(text))
        obj.modified = self.now()


# ---------------------------------------------------------------- shapes


def _vars(product: _Product) -> list[_Stockable]:
    return sorted(product.variations.values(), key=lambda v: v.id)


def _stock_fields(obj: _Stockable) -> JSON:
    return {
        "sku": obj.sku,
        "manage_stock": obj.manage_stock,
        "stock_quantity": obj.stock,
        "stock_status": "instock" if obj.stock is None or obj.stock > 0 else "outofstock",
        "regular_price": str(obj.price) if obj.price else "",
        "price": str(obj.price) if obj.price else "",
        "date_modified": _site(obj.modified),
        "date_modified_gmt": _gmt(obj.modified),
    }


def _product_json(p: _Product) -> JSON:
    return {
        "id": p.id,
        "name": p.name,
        "type": p.type,
        "status": "publish",
        **_stock_fields(p),
        "variations": [v.id for v in _vars(p)],
    }


def _variation_json(v: _Stockable) -> JSON:
    return {"id": v.id, **_stock_fields(v)}


def _order_json(o: _Order) -> JSON:
    return {
        "id": o.id,
        "status": o.status,
        "currency": "IDR",
        "date_created": _site(o.created),
        "date_created_gmt": _gmt(o.created),
        "date_modified": _site(o.modified),
        "date_modified_gmt": _gmt(o.modified),
        "line_items": [
            {
                "id": line.id,
                "product_id": line.product_id,
                "variation_id": line.variation_id,
                "quantity": line.qty,
                "sku": line.sku,
            }
            for line in o.lines
        ],
        # the order's refunds, as core's orders controller lists them (the line items of
        # each are read from /orders/{id}/refunds)
        "refunds": [
            {"id": r.id, "reason": r.reason, "total": f"-{r.amount}"}
            for r in sorted(o.refunds, key=lambda r: -r.id)
        ],
    }


def _refund_json(r: _Refund) -> JSON:
    """One refund as ``/orders/{id}/refunds`` answers: line items with negative quantities
    (``wc_create_refund`` sets ``quantity * -1``)."""
    return {
        "id": r.id,
        "date_created": _site(r.created),
        "date_created_gmt": _gmt(r.created),
        "amount": str(r.amount),
        "reason": r.reason,
        "refunded_payment": False,
        "line_items": [
            {
                "id": rid,
                "product_id": line.product_id,
                "variation_id": line.variation_id,
                "quantity": -units,
                "sku": line.sku,
                "meta_data": [],  # core's ``_refunded_item_id`` is protected meta: not shown
            }
            for rid, line, units in r.lines
        ],
    }


def _item_error(oid: int, code: str, message: str) -> JSON:
    return {"id": oid, "error": {"code": code, "message": message, "data": {"status": 400}}}


def _object_body(body: bytes) -> JSON:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
    return data


def _updates(body: bytes) -> list[JSON]:
    updates = _object_body(body).get("update", [])
    if not isinstance(updates, list) or not all(isinstance(u, dict) for u in updates):
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): update")
    return updates


def _id_of(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _one(written: JSON) -> Reply:
    """A ``PUT``'s answer: the object written, or its error as the HTTP answer."""
    error = written.get("error")
    if isinstance(error, dict):
        raise ApiError(400, str(error["code"]), str(error["message"]))
    return _json(200, written)


def _rfc3986(text: str) -> str:
    """PHP's ``rawurlencode`` (core's ``wc_rest_urlencode_rfc3986``)."""
    return quote(text, safe="")


def oauth_signature(method: str, url: str, params: dict[str, str], secret: str) -> str:
    """The OAuth 1.0a signature core expects (``check_oauth_signature``) for a request to
    ``url`` (no query) with these query ``params`` (``oauth_signature`` is left out)."""
    fields = sorted(
        ((k, v) for k, v in params.items() if k != "oauth_signature"),
        key=lambda kv: kv[0].encode(),  # strcmp
    )
    joined = "%26".join(_rfc3986(f"{_rfc3986(k)}={_rfc3986(v)}") for k, v in fields)
    base = f"{method.upper()}&{_rfc3986(url)}&{joined}"
    digest = _HASHES[params["oauth_signature_method"]]
    mac = hmac.new(f"{secret}&".encode(), base.encode(), digest).digest()
    return base64.b64encode(mac).decode("ascii")


def _int(query: dict[str, str], name: str, default: int, lo: int, hi: int | None) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < lo or (hi is not None and int(text) > hi):
        raise ApiError(400, "rest_invalid_param", f"Invalid parameter(s): {name}")
    return int(text)


def _boolean(query: dict[str, str], name: str) -> bool:
    """A boolean parameter as WordPress reads one (``rest_is_boolean``: true, false, 1 or 0,
    any case; anything else is refused, never read as false)."""
    text = query.get(name, "false").lower()
    if text not in ("true", "false", "1", "0"):
        raise ApiError(400, "rest_invalid_param", f"Invalid parameter(s): {name}")
    return text in ("true", "1")


def _when(text: str | None, gmt: bool) -> float | None:
    """A filter time: UTC with ``dates_are_gmt``, else the site's time zone (§4.6 #1)."""
    if not text:
        return None
    if not _WHEN.fullmatch(text[:19]):
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): modified_after")
    zone = UTC if gmt else SITE_TZ
    return datetime.fromisoformat(text[:19]).replace(tzinfo=zone).timestamp()
