"""A local Shopify store (Admin GraphQL API) for syncd's tests and benchmarks.

``ShopifySimulator`` serves, on 127.0.0.1, what reference §5 says of Shopify:

* ``POST /admin/oauth/access_token`` (§5.2): the **client credentials grant** of a
  merchant-owned app (a 24 h token, no refresh token), the authorization-code exchange
  (with ``expiring=1``: a 60-minute token and a refresh token that **rotates on every
  use**), and ``grant_type=refresh_token``. Form or JSON bodies.
* ``POST /admin/api/{version}/graphql.json`` with ``X-Shopify-Access-Token``: a real
  GraphQL server (``graphql-core``) over the schema in ``schema.graphql``, so a query
  naming a field Shopify does not have is refused as Shopify refuses it. Queries
  ``shop``, ``locations``, ``productVariants``, ``nodes``, ``orders``, ``order``;
  mutations ``inventorySetQuantities`` (absolute, compare-and-swap on
  ``changeFromQuantity``, which from 2026-04 every quantity must carry, null to opt out;
  ``@idempotent(key:)`` required from 2026-04, §5.3) and ``productVariantsBulkUpdate``.
* The cost-based throttle (§5.5): a leaky bucket per (app, store) of
  ``maximum_available`` points restored at ``restore_rate`` per second; each answer
  carries ``extensions.cost`` with ``throttleStatus``; a query costing more than is left
  is refused with ``errors[].extensions.code = "THROTTLED"`` (HTTP 200 by default;
  ``throttle_status = 429`` for the other reading, §5.5 UNCONFIRMED); one costing more
  than 1,000 is refused with ``MAX_COST_EXCEEDED``.
* Inventory states (§5.3): ``available``, ``committed``, ``on_hand``. An order moves its
  units from available to committed (refused when available is short: "continue selling
  when out of stock" off); fulfilment removes them from committed and on-hand;
  cancelling an unfulfilled order with restock moves them back to available (and leaves
  a refund of ``CANCEL`` lines; without restock, ``NO_RESTOCK``).
* Returns and refunds (issue 12; shopify.dev admin-graphql ``Return``, ``ReturnStatus``,
  ``Refund``, ``RefundLineItem``, ``RefundLineItemRestockType`` and the mutations'
  pages): ``Order.fulfillments``/``refunds`` (lists, ``first``)/``returns`` (a
  connection) and ``return(id:)``; ``returnRequest`` (a buyer's request of fulfilled
  line items: ``REQUESTED``), ``returnApproveRequest`` (→ ``OPEN``),
  ``returnDeclineRequest`` (→ ``DECLINED``), ``returnCancel`` (→ ``CANCELED``, before
  any refund), ``returnClose`` (``OPEN`` → ``CLOSED``), each refused with a
  ``ReturnUserError`` ``INVALID_STATE`` from another status; ``refundCreate`` under
  ``@idempotent(key:)`` (required from 2026-04, like the inventory mutations, §5.3)
  whose lines restock by ``restockType``: ``RETURN`` (fulfilled units back to available
  and on hand at the location), ``CANCEL`` (unfulfilled: committed back to available),
  ``NO_RESTOCK`` (money only), ``LEGACY_RESTOCK`` refused for new refunds. Each move
  touches the order's ``updatedAt``. Python moves for tests: ``request_return``,
  ``approve_return``, ``decline_return``, ``cancel_return``, ``close_return``,
  ``refund`` and ``process_return`` (a refund linked to the return, restocked or not).

Cost model (a simplification; Shopify's own calculator is not published as code): an
object field costs 1, a connection 2 plus ``first`` times its node's cost, a list of
nodes its length times the node's cost, a scalar 0, a mutation 10. The *actual* cost
charged counts the objects really returned (Shopify refunds the difference too).

UNCONFIRMED (not in the reference): the message texts of refused tokens and of the
token endpoint (OAuth 2 ``error``/``error_description`` here), the exact error when the
``@idempotent`` directive is missing, the refresh token's lifetime (90 days here), and
whether ``inventorySetQuantities`` applies the other quantities when one is refused
(here: nothing is applied when any quantity is refused, as a transaction would).
Returns: the userErrors' messages and codes of ``refundCreate`` (a plain ``UserError``
here) and of the return mutations; that a return's refund made from the admin
(``process_return``) is linked to it and says ``RETURN`` (Shopify's ``returnProcess``
restocks through the reverse fulfillment's dispositions, not modelled); that an order
whose every item was restocked shows ``RESTOCKED``; what ``NO_RESTOCK`` of an
unfulfilled unit does to committed (here: it leaves committed and on hand).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets as random_tokens
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import graphql
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    get_named_type,
    parse,
    validate,
)

from adapters._loopback import FAULT_KINDS, Reply
from adapters._webhook_sender import WebhookSender, WebhookSimulator
from adapters.shopify.signing import TOKEN_PATH

__all__ = [
    "API_VERSIONS",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "TOKEN_PATH",
    "ShopifySimulator",
    "gid",
]

JSON = dict[str, Any]
#: Versions this simulator answers (quarterly, §5.1); an older one is refused here.
API_VERSIONS: Final = ("2026-01", "2026-04", "2026-07", "2026-10")
CLIENT_ID: Final = "shopify-demo-client-id"
CLIENT_SECRET: Final = "shpss_demo_client_secret"  # noqa: S105 - the §7.4 vector's secret
MAX_QUERY_COST: Final = 1000
MUTATION_COST: Final = 10
CLIENT_CREDENTIALS_TTL: Final = 86_399  # §5.2: 24 hours (C)
EXPIRING_TTL: Final = 3_600  # §5.2: 60 minutes
REFRESH_TTL: Final = 90 * 86_400  # UNCONFIRMED
_SCHEMA: GraphQLSchema = build_schema(
    (Path(__file__).with_name("schema.graphql")).read_text(encoding="utf-8")
)


def gid(kind: str, number: int | str) -> str:
    """Shopify's global id: ``gid://shopify/ProductVariant/123``."""
    return f"gid://shopify/{kind}/{number}"


def _num(text: Any, kind: str) -> int | None:
    prefix = f"gid://shopify/{kind}/"
    if isinstance(text, str) and text.startswith(prefix) and text[len(prefix) :].isdigit():
        return int(text[len(prefix) :])
    return None


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Variant:
    id: int
    product_id: int
    sku: str
    title: str
    price: str  # Money: a decimal string
    inventory_item_id: int
    tracked: bool
    updated: float
    #: location id → {"available", "committed", "on_hand"}
    levels: dict[int, dict[str, int]] = field(default_factory=dict)


@dataclass
class _Product:
    id: int
    title: str
    status: str = "ACTIVE"


@dataclass
class _Line:
    id: int
    variant_id: int
    product_id: int
    sku: str
    qty: int
    current: int
    fulfillment_line_id: int | None = None  # set when the line is fulfilled


@dataclass
class _RefundLine:
    id: int
    line_id: int
    qty: int
    restock: str  # RefundLineItemRestockType
    location_id: int | None


@dataclass
class _Refund:
    id: int
    created: float
    lines: list[_RefundLine]
    return_id: int | None = None  # a refund made through the returns process
    note: str = ""


@dataclass
class _ReturnLine:
    id: int
    line_id: int
    fulfillment_line_id: int
    qty: int
    reason: str | None = None
    note: str | None = None


@dataclass
class _Return:
    id: int
    order_id: int
    name: str
    created: float
    lines: list[_ReturnLine]
    status: str = "REQUESTED"  # ReturnStatus
    approved: float | None = None
    closed: float | None = None
    decline: tuple[str, str | None] | None = None


@dataclass
class _Order:
    id: int
    created: float
    updated: float
    lines: list[_Line]
    location_id: int
    financial: str = "PAID"
    fulfillment: str = "UNFULFILLED"
    cancelled: float | None = None
    fulfillment_id: int | None = None
    fulfilled_at: float | None = None
    refunds: list[_Refund] = field(default_factory=list)
    returns: list[_Return] = field(default_factory=list)


@dataclass
class _Token:
    app: str
    expires: float | None  # None: does not expire
    kind: str  # client_credentials | offline | expiring


@dataclass
class _Budget:
    available: float
    stamp: float


class ShopifySimulator(WebhookSimulator):
    """One Shopify store with one app (client id and secret), its locations, products,
    buyers and faults.

    Settable: ``maximum_available``/``restore_rate`` (the cost bucket), ``throttle_status``
    (200 or 429 for THROTTLED), ``latency``/``jitter``, ``rate_limit`` (none by default:
    the cost bucket is Shopify's limit), ``timeout_hold``, ``retry_after``,
    ``after_inventory_read`` (called once, under no lock, after the next answer that read
    inventory levels: a test's web sale "between syncd's read and its write").
    Read-only by convention: ``calls`` ((app, place) → n) where a place is the HTTP path
    or ``gql:<root field>``, and ``request_log``.

    Webhooks (§5.4): after ``enable_webhooks(url, **faults)`` every order created or
    changed (fulfilled, cancelled, refunded, a return moved) is delivered as
    ``orders/updated`` with the order's JSON as the body (REST field names),
    ``X-Shopify-Topic``, ``X-Shopify-Shop-Domain``, ``X-Shopify-Event-Id`` (shared by a
    duplicate), ``X-Shopify-Webhook-Id``, ``X-Shopify-Triggered-At``,
    ``X-Shopify-API-Version`` and ``X-Shopify-Hmac-Sha256`` = base64
    HMAC-SHA256(client secret, body), keyed with the first app's secret unless
    ``enable_webhooks(..., client_id=...)`` names another.
    """

    fault_kinds = FAULT_KINDS | {"401", "402", "423", "throttled"}
    #: §5.4: 8 retries over 4 hours (the spacing is UNCONFIRMED: doubling from 1 min)
    webhook_retries = (60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 3840.0, 6780.0)
    #: §5.4: a subscription made through the API is removed after 8 consecutive failures
    webhook_disable_after = 8
    #: the ``X-Shopify-API-Version`` of the deliveries
    webhook_api_version = "2026-04"

    def __init__(
        self,
        *,
        shop: str = "toko-bu-sri",
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        clock: Callable[[], float] | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        rate_limit: tuple[float, int] | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(
            clock=clock, latency=latency, jitter=jitter, rate_limit=rate_limit, port=port
        )
        self.shop = shop
        self.apps: dict[str, str] = {client_id: client_secret}
        self.maximum_available = 2000.0
        self.restore_rate = 100.0  # §5.5: Standard plan
        self.throttle_status = 200
        self.after_inventory_read: Callable[[], None] | None = None
        self.tokens: dict[str, _Token] = {}
        self.refresh_tokens: dict[str, tuple[str, float]] = {}  # token → (app, expires)
        self.codes: dict[str, str] = {}  # authorization code → app
        self.locations: dict[int, str] = {1: "Toko Blitar"}
        self._products: dict[int, _Product] = {}
        self._variants: dict[int, _Variant] = {}
        self._orders: dict[int, _Order] = {}
        self._failing: dict[int, str] = {}  # variant id → reason its writes are refused
        self._idempotent: dict[str, tuple[str, JSON]] = {}
        self._budgets: dict[str, _Budget] = {}
        self._seq = 820982911946154500
        self._webhook_app = client_id
        self._event_seq = 0
        #: webhook subscriptions made through the API (§5.4): id → {app, topic, uri,
        #: created, updated}; once there is one, only subscribed topics are delivered
        self.subscriptions: dict[int, JSON] = {}

    # -- the test's moves: catalogue, buyers, tokens ---------------------------------------

    def _next_id(self) -> int:
        self._seq += 1
        return self._seq

    def add_product(
        self,
        title: str,
        variants: Iterable[tuple[str, int, int | None]],
        *,
        location_id: int = 1,
    ) -> list[int]:
        """A product with (sku, price, available or None: not tracked) variants:
        [product id, variant ids…]. Every Shopify product has at least one variant."""
        with self._lock:
            pid = self._next_id()
            self._products[pid] = _Product(pid, title)
            ids = [pid]
            for sku, price, available in variants:
                vid = self._next_id()
                variant = _Variant(
                    vid,
                    pid,
                    sku,
                    sku or title,
                    f"{price}.00",
                    self._next_id(),
                    available is not None,
                    self.now(),
                )
                count = available or 0
                variant.levels[location_id] = {
                    "available": count,
                    "committed": 0,
                    "on_hand": count,
                }
                self._variants[vid] = variant
                ids.append(vid)
            return ids

    def add_location(self, name: str) -> int:
        with self._lock:
            lid = max(self.locations) + 1
            self.locations[lid] = name
            return lid

    def available(self, variant_id: int, location_id: int = 1) -> int:
        """What buyers can buy of a variant at a location."""
        with self._lock:
            return self._variants[variant_id].levels[location_id]["available"]

    def quantities(self, variant_id: int, location_id: int = 1) -> dict[str, int]:
        with self._lock:
            return dict(self._variants[variant_id].levels[location_id])

    def price(self, variant_id: int) -> str:
        with self._lock:
            return self._variants[variant_id].price

    def inventory_item(self, variant_id: int) -> int:
        with self._lock:
            return self._variants[variant_id].inventory_item_id

    def fail_item(self, variant_id: int, reason: str) -> None:
        """Stock writes of this variant are refused (its item is not mutable here)."""
        with self._lock:
            self._failing[variant_id] = reason

    def set_available(self, variant_id: int, count: int, location_id: int = 1) -> None:
        """The seller edits the number in the Shopify admin."""
        with self._lock:
            level = self._variants[variant_id].levels[location_id]
            level["on_hand"] += count - level["available"]
            level["available"] = count
            self._observe(self.shop, self._variants[variant_id].product_id, variant_id, count)

    def place_order(self, lines: Iterable[tuple[int, int]], *, location_id: int = 1) -> int | None:
        """A web checkout of (variant id, qty) lines; None when a tracked variant has fewer
        available than asked. Units move from available to committed (§5.3)."""
        wanted = list(lines)
        with self._lock:
            for vid, qty in wanted:
                variant = self._variants[vid]
                if qty < 1 or (
                    variant.tracked and self._level(variant, location_id)["available"] < qty
                ):
                    return None
            now = self.now()
            order = _Order(self._next_id(), now, now, [], location_id)
            for vid, qty in wanted:
                variant = self._variants[vid]
                order.lines.append(
                    _Line(self._next_id(), vid, variant.product_id, variant.sku, qty, qty)
                )
                if variant.tracked:
                    level = self._level(variant, location_id)
                    level["available"] -= qty
                    level["committed"] += qty
                    self._observe(self.shop, variant.product_id, vid, level["available"])
            self._orders[order.id] = order
            self._deliver(order, created=True)
            return order.id

    def fulfil(self, order_id: int) -> None:
        """The seller ships the order: its units leave committed and on-hand."""
        with self._lock:
            order = self._orders[order_id]
            if order.fulfillment == "FULFILLED" or order.cancelled is not None:
                return
            order.fulfillment_id = self._next_id()
            for line in order.lines:
                line.fulfillment_line_id = self._next_id()
                variant = self._variants[line.variant_id]
                if variant.tracked:
                    level = self._level(variant, order.location_id)
                    level["committed"] -= line.qty
                    level["on_hand"] -= line.qty
            order.fulfillment, order.updated = "FULFILLED", self.now()
            order.fulfilled_at = order.updated
            self._deliver(order)

    def cancel(self, order_id: int, *, restock: bool = True) -> None:
        """The seller cancels an unfulfilled order (with restock: back to available)."""
        with self._lock:
            order = self._orders[order_id]
            if order.cancelled is not None:
                return
            if order.fulfillment != "FULFILLED":
                for line in order.lines:
                    variant = self._variants[line.variant_id]
                    if variant.tracked:
                        level = self._level(variant, order.location_id)
                        level["committed"] -= line.qty
                        if restock:
                            level["available"] += line.qty
                        else:
                            level["on_hand"] -= line.qty
                        self._observe(self.shop, variant.product_id, variant.id, level["available"])
                # orderCancel refunds the lines: CANCEL (restocked) or NO_RESTOCK
                kind = "CANCEL" if restock else "NO_RESTOCK"
                lines = [
                    _RefundLine(self._next_id(), line.id, line.current, kind, order.location_id)
                    for line in order.lines
                    if line.current > 0
                ]
                if lines:
                    order.refunds.append(_Refund(self._next_id(), self.now(), lines))
                for line in order.lines:
                    line.current = 0
                order.fulfillment = "RESTOCKED" if restock else order.fulfillment
            order.cancelled = order.updated = self.now()
            order.financial = "VOIDED" if order.financial != "PAID" else "REFUNDED"
            self._deliver(order)

    # -- webhooks (§5.4) ----------------------------------------------------------------

    def enable_webhooks(
        self, url: str, *, client_id: str | None = None, **faults: Any
    ) -> WebhookSender:
        """Deliver ``orders/updated`` to ``url``, signed with the client secret of
        ``client_id`` (default: the first app); faults as
        ``WebhookSimulator.enable_webhooks``."""
        with self._lock:
            app = client_id or next(iter(self.apps))
            if app not in self.apps:
                raise ValueError(f"no app {app!r} in this store")
            self._webhook_app = app
        return super().enable_webhooks(url, **faults)

    def webhook_sign(self, url: str, body: bytes) -> dict[str, str]:
        """§5.4: ``X-Shopify-Hmac-Sha256`` = base64 HMAC-SHA256(client secret, raw body)."""
        secret = self.apps.get(self._webhook_app, "").encode()
        mac = hmac.new(secret, body, hashlib.sha256).digest()
        return {"X-Shopify-Hmac-Sha256": base64.b64encode(mac).decode()}

    def webhook_order_json(self, order: _Order) -> JSON:
        """An order as an ``orders/*`` webhook carries it (REST field names; the fields
        syncd may read, not all of Shopify's)."""
        return {
            "id": order.id,
            "admin_graphql_api_id": gid("Order", order.id),
            "name": f"#{order.id % 100000}",
            "created_at": _iso(order.created),
            "updated_at": _iso(order.updated),
            "cancelled_at": _iso(order.cancelled) if order.cancelled is not None else None,
            "financial_status": order.financial.lower(),
            "fulfillment_status": "fulfilled" if order.fulfillment == "FULFILLED" else None,
            "location_id": order.location_id,
            "line_items": [
                {
                    "id": line.id,
                    "variant_id": line.variant_id,
                    "product_id": line.product_id,
                    "sku": line.sku,
                    "quantity": line.qty,
                    "current_quantity": line.current,
                }
                for line in order.lines
            ],
        }

    def _deliver(self, order: _Order, *, created: bool = False) -> None:
        """The ``orders/updated`` delivery of an order as it is now. With subscriptions
        made through the API, only what they subscribe: a new order as ``orders/create``
        (else ``orders/updated``), a change as ``orders/updated``."""
        if self.webhook_sender is None:
            return
        topic = "orders/updated"
        if self.subscriptions:
            topics = {str(sub["topic"]) for sub in self.subscriptions.values()}
            if created and "ORDERS_CREATE" in topics:
                topic = "orders/create"
            elif "ORDERS_UPDATED" not in topics:
                return
        self._event_seq += 1
        event = f"{self._event_seq:08x}-5a1e-4c0f-9e5b-{order.id % 16**12:012x}"
        headers = {
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": f"{self.shop}.myshopify.com",
            "X-Shopify-Event-Id": event,
            "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-0d8b5c1e2a3f",  # the subscription
            "X-Shopify-Triggered-At": _iso(self.now()),
            "X-Shopify-API-Version": self.webhook_api_version,
        }
        body = json.dumps(self.webhook_order_json(order), separators=(",", ":")).encode()
        self.emit_webhook(body, headers)

    def subscription_json(self, sub: JSON) -> JSON:
        return {
            "__typename": "WebhookSubscription",
            "id": gid("WebhookSubscription", sub["id"]),
            "topic": sub["topic"],
            "uri": sub["uri"],
            "format": "JSON",
            "createdAt": _iso(float(sub["created"])),
            "updatedAt": _iso(float(sub["updated"])),
        }

    def subscribe(self, ctx: _Exec, topic: str, data: JSON, sub_id: str | None = None) -> JSON:
        """``webhookSubscriptionCreate`` (``sub_id`` None) or ``…Update`` (§5.4): the
        app's subscription of ``topic`` at ``data.uri``; deliveries go there from now on,
        signed with that app's client secret (one address per simulator: the last one).
        Refused as a userError: a URI that is not http(s), a second subscription of the
        topic at the same address ("has already been taken"), an unknown id.
        UNCONFIRMED: the userErrors' exact messages."""

        def refused(field: str, message: str) -> JSON:
            return {
                "webhookSubscription": None,
                "userErrors": [{"field": [field], "message": message}],
            }

        uri = data.get("uri")
        parts = urlsplit(uri) if isinstance(uri, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            return refused("webhookSubscription", "Address is invalid")
        number = _num(sub_id, "WebhookSubscription") if sub_id is not None else None
        sub = self.subscriptions.get(number) if number is not None else None
        if sub_id is not None and (sub is None or sub["app"] != ctx.app):
            return refused("id", "Webhook subscription does not exist")
        topic = str(sub["topic"]) if sub is not None else topic
        if any(
            s["app"] == ctx.app and s["topic"] == topic and s["uri"] == uri and s is not sub
            for s in self.subscriptions.values()
        ):
            return refused("address", "Address for this topic has already been taken")
        if sub is None:
            sub = {"id": self._next_id(), "app": ctx.app, "topic": topic, "created": ctx.now}
            self.subscriptions[int(sub["id"])] = sub
        sub["uri"], sub["updated"] = uri, ctx.now
        self._webhook_app = ctx.app
        self.webhook_registered(str(uri))
        return {"webhookSubscription": self.subscription_json(sub), "userErrors": []}

    # -- returns and refunds (issue 12): the buyer's and the seller's moves --------------
    #
    # Each is also a mutation (``returnRequest``, ``returnApproveRequest``,
    # ``returnDeclineRequest``, ``returnCancel``, ``returnClose``, ``refundCreate``); a
    # move returns what the mutation would, or raises ``ValueError`` with its userErrors.

    def request_return(self, order_id: int, lines: Iterable[tuple[int, int]]) -> int:
        """The buyer asks to send back (line id, qty) of a fulfilled order: a return
        ``REQUESTED`` (``returnRequest``). Returns its id."""
        with self._lock:
            order = self._orders[order_id]
            by_line = {line.id: line for line in order.lines}
            wanted = [
                {"fulfillmentLineItemId": gid("FulfillmentLineItem", fli), "quantity": qty}
                for line_id, qty in lines
                if (fli := by_line[line_id].fulfillment_line_id) is not None
            ]
            if not wanted:
                raise ValueError("the order has no fulfilled line to return")
            found, errors = self.return_request(
                {"orderId": gid("Order", order_id), "returnLineItems": wanted}
            )
            if found is None:
                raise ValueError(errors)
            return found.id

    def approve_return(self, return_id: int) -> None:
        """The seller approves the request: ``OPEN`` (``returnApproveRequest``)."""
        self._move_return(return_id, "approve")

    def decline_return(self, return_id: int, reason: str = "OTHER") -> None:
        """The seller declines the request: ``DECLINED`` (``returnDeclineRequest``)."""
        self._move_return(return_id, "decline", reason)

    def cancel_return(self, return_id: int) -> None:
        """The return is cancelled before any work was done: ``CANCELED``."""
        self._move_return(return_id, "cancel")

    def close_return(self, return_id: int) -> None:
        """The return is complete: ``CLOSED`` (``returnClose``)."""
        self._move_return(return_id, "close")

    def process_return(self, return_id: int, *, restock: bool = True) -> int:
        """The goods are back: the seller refunds the return's lines from the return
        (a refund linked to it, as ``returnRefund``/``returnProcess`` make), restocked at
        the order's location (``RETURN``) or not (``NO_RESTOCK``). Returns the refund id."""
        with self._lock:
            ret = self._return_of(return_id)
            order = self._orders[ret.order_id]
            lines = [
                {
                    "lineItemId": gid("LineItem", line.line_id),
                    "quantity": line.qty,
                    "restockType": "RETURN" if restock else "NO_RESTOCK",
                }
                for line in ret.lines
            ]
            refund, errors = self.refund_create(
                {"orderId": gid("Order", order.id), "refundLineItems": lines},
                return_id=return_id,
            )
            if refund is None:
                raise ValueError(errors)
            return refund.id

    def refund(self, order_id: int, lines: Iterable[tuple[int, int, str]]) -> int:
        """The seller refunds (line id, qty, restock type) of an order from the admin
        (``refundCreate``, not linked to a return). Returns the refund id."""
        with self._lock:
            refund, errors = self.refund_create(
                {
                    "orderId": gid("Order", order_id),
                    "refundLineItems": [
                        {"lineItemId": gid("LineItem", lid), "quantity": q, "restockType": k}
                        for lid, q, k in lines
                    ],
                }
            )
            if refund is None:
                raise ValueError(errors)
            return refund.id

    def order_lines(self, order_id: int) -> list[int]:
        """The ids of an order's line items, in order."""
        with self._lock:
            return [line.id for line in self._orders[order_id].lines]

    def return_status(self, return_id: int) -> str:
        with self._lock:
            return self._return_of(return_id).status

    def _return_of(self, return_id: int) -> _Return:
        for order in self._orders.values():
            for ret in order.returns:
                if ret.id == return_id:
                    return ret
        raise KeyError(return_id)

    def _move_return(self, return_id: int, move: str, reason: str = "OTHER") -> None:
        with self._lock:
            _found, errors = self.return_move(gid("Return", return_id), move, reason)
            if errors:
                raise ValueError(errors)

    def issue_code(self, client_id: str = CLIENT_ID) -> str:
        """The code Shopify puts on the redirect after the merchant approves the app."""
        with self._lock:
            code = random_tokens.token_hex(16)
            self.codes[code] = client_id
            return code

    def expire_tokens(self) -> None:
        """Every access token stops working (an expired 24 h or 60 min token)."""
        with self._lock:
            for token in self.tokens.values():
                token.expires = self.now() - 1

    def _level(self, variant: _Variant, location_id: int) -> dict[str, int]:
        return variant.levels.setdefault(
            location_id, {"available": 0, "committed": 0, "on_hand": 0}
        )

    # -- HTTP ------------------------------------------------------------------------------

    def serve_http(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        path = urlsplit(target).path
        token = headers.get("x-shopify-access-token", "")
        app = self.tokens[token].app if token in self.tokens else ""
        places = [path]
        request: JSON | None = None
        if path.endswith("/graphql.json") and method == "POST":
            request = _json_body(body)
            places += [f"gql:{name}" for name in _root_fields(request)]
        with self._lock:
            for place in places:
                self.count_call(place, app)
            fault = None
            for place in reversed(places):  # the most specific place first
                fault = fault or self.take_fault(place)
        self.wait_latency()
        reply, read_inventory = self._answer(
            method, path, headers, body, request=request, fault=fault
        )
        self.hold_reply(fault)
        with self._lock:
            self.log_reply(method, path, app, reply.status)
            hook = self.after_inventory_read if read_inventory else None
            if hook is not None:  # once: taken under the lock, called outside it
                self.after_inventory_read = None
        if hook is not None:
            hook()
        return reply

    def _answer(  # noqa: PLR0911 - one return per fault and route
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        *,
        request: JSON | None,
        fault: str | None,
    ) -> tuple[Reply, bool]:
        if fault == "429":
            return Reply(
                429,
                b'{"errors":"Exceeded 2 calls per second for api client."}',
                (("Retry-After", str(self.retry_after)),),
            ), False
        if fault == "500":
            return _reply(500, {"errors": "Internal Server Error"}), False
        if fault in ("401", "402", "423"):
            return _reply(int(fault), {"errors": _STATUS_TEXT[int(fault)]}), False
        if fault and fault.startswith("error_body:"):
            _, code, message = fault.split(":", 2)
            return _reply(
                200, {"errors": [{"message": message, "extensions": {"code": code}}]}
            ), False
        with self._lock:
            if fault == "expire_token":
                token = self.tokens.get(headers.get("x-shopify-access-token", ""))
                if token is not None:
                    token.expires = self.now() - 1
            wait = self.throttle(headers.get("x-shopify-access-token", ""), self.now())
            if wait is not None:
                return _reply(
                    429,
                    {"errors": "Exceeded 2 calls per second for api client."},
                    (("Retry-After", str(wait)),),
                ), False
            if path == TOKEN_PATH and method == "POST":
                reply, read = self._token(headers, body), False
            elif path.startswith("/admin/api/") and path.endswith("/graphql.json"):
                reply, read = self._graphql(method, path, headers, request, fault)
            else:
                reply, read = _reply(404, {"errors": "Not Found"}), False
        if fault == "malformed":
            return Reply(200, reply.body[: len(reply.body) // 2], reply.headers), read
        return reply, read

    # -- tokens (§5.2)

    def _token(self, headers: dict[str, str], body: bytes) -> Reply:  # noqa: PLR0911 - per grant
        form = _form_or_json(headers, body)
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        expected = self.apps.get(client_id)
        if expected is None or not hmac.compare_digest(expected, secret):
            return _reply(
                400,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        grant = form.get("grant_type", "")
        now = self.now()
        if grant == "client_credentials":
            return self._issue(client_id, "client_credentials", CLIENT_CREDENTIALS_TTL, now)
        if grant in ("", "authorization_code"):
            code = form.get("code", "")
            if self.codes.pop(code, None) != client_id:
                return _reply(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "The authorization code was not found or was used",
                    },
                )
            if form.get("expiring") in ("1", "true", 1, True):
                return self._issue(client_id, "expiring", EXPIRING_TTL, now, refresh=True)
            return self._issue(client_id, "offline", None, now)
        if grant == "refresh_token":
            old = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if old is None or old[0] != client_id or old[1] < now:
                return _reply(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "The refresh token is invalid, expired or used",
                    },
                )
            return self._issue(client_id, "expiring", EXPIRING_TTL, now, refresh=True)
        return _reply(400, {"error": "unsupported_grant_type", "error_description": grant[:40]})

    def _issue(
        self, app: str, kind: str, ttl: int | None, now: float, *, refresh: bool = False
    ) -> Reply:
        token = "shpat_" + random_tokens.token_hex(16)
        self.tokens[token] = _Token(app, None if ttl is None else now + ttl, kind)
        answer: JSON = {
            "access_token": token,
            "scope": "read_products,write_products,read_inventory,write_inventory,read_orders",
        }
        if ttl is not None:
            answer["expires_in"] = ttl
        if refresh:
            rotating = "shprt_" + random_tokens.token_hex(16)
            self.refresh_tokens[rotating] = (app, now + REFRESH_TTL)
            answer["refresh_token"] = rotating
            answer["refresh_token_expires_in"] = REFRESH_TTL
        return _reply(200, answer)

    # -- GraphQL (§5.3, §5.5)

    def _graphql(  # noqa: PLR0911 - one answer per way a query is refused
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        request: JSON | None,
        fault: str | None,
    ) -> tuple[Reply, bool]:
        version = path.split("/")[3]
        if version not in API_VERSIONS:
            return _reply(404, {"errors": f"Not Found: API version {version[:12]}"}), False
        token = self.tokens.get(headers.get("x-shopify-access-token", ""))
        now = self.now()
        if token is None or (token.expires is not None and token.expires <= now):
            return _reply(401, {"errors": _STATUS_TEXT[401]}), False
        if request is None or not isinstance(request.get("query"), str):
            return _reply(
                400, {"errors": {"query": "Required parameter missing or invalid"}}
            ), False
        try:
            document = parse(request["query"])
        except GraphQLError as exc:
            return _reply(200, {"errors": [_error(exc, "BAD_REQUEST")]}), False
        problems = validate(_SCHEMA, document)
        if problems:
            return _reply(200, {"errors": [_error(p, "BAD_REQUEST") for p in problems]}), False
        variables = request.get("variables") or {}
        if not isinstance(variables, dict):
            return _reply(200, {"errors": [{"message": "Variables must be an object"}]}), False
        requested = _cost(_SCHEMA, document, variables)
        budget = self._budget(token.app, now)
        status = self._throttle_status(budget)
        if requested > MAX_QUERY_COST:
            return _reply(
                200,
                {
                    "errors": [
                        {
                            "message": f"Query cost is {requested}, which exceeds the single query "
                            f"max cost limit ({MAX_QUERY_COST}).",
                            "extensions": {
                                "code": "MAX_COST_EXCEEDED",
                                "cost": requested,
                                "maxCost": MAX_QUERY_COST,
                            },
                        }
                    ],
                },
            ), False
        if fault == "throttled" or requested > budget.available:
            return _reply(
                self.throttle_status,
                {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {
                                "code": "THROTTLED",
                                "documentation": "https://shopify.dev/api/usage/rate-limits",
                            },
                        }
                    ],
                    "extensions": {
                        "cost": {
                            "requestedQueryCost": requested,
                            "actualQueryCost": None,
                            "throttleStatus": status,
                        }
                    },
                },
            ), False
        context = _Exec(self, version, now, variables, app=token.app)
        result = graphql.execute_sync(
            _SCHEMA,
            document,
            root_value=_Root(self, context),
            context_value=context,
            variable_values=variables,
            operation_name=request.get("operationName"),
            middleware=[context],  # graphql-core takes an object's ``resolve`` (not a bound method)
        )
        actual = min(requested, context.actual)
        budget.available -= actual
        out: JSON = {"data": result.data}
        if result.errors:
            out["errors"] = [
                _error(
                    e, e.extensions.get("code", "BAD_REQUEST") if e.extensions else "BAD_REQUEST"
                )
                for e in result.errors
            ]
        out["extensions"] = {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": self._throttle_status(budget),
            }
        }
        return _reply(200, out, (("X-Shopify-API-Version", version),)), context.read_inventory

    def _budget(self, app: str, now: float) -> _Budget:
        budget = self._budgets.setdefault(app, _Budget(self.maximum_available, now))
        budget.available = min(
            self.maximum_available, budget.available + (now - budget.stamp) * self.restore_rate
        )
        budget.stamp = now
        return budget

    def _throttle_status(self, budget: _Budget) -> JSON:
        return {
            "maximumAvailable": self.maximum_available,
            "currentlyAvailable": math.floor(budget.available),
            "restoreRate": self.restore_rate,
        }

    # -- resolvers (called by graphql-core under the simulator's lock)

    def variant_json(self, variant: _Variant) -> JSON:
        product = self._products[variant.product_id]

        def inventory_level(_info: Any, locationId: str) -> JSON | None:
            lid = _num(locationId, "Location")
            if lid is None or lid not in variant.levels:
                return None
            level = variant.levels[lid]

            def quantities(info: Any, names: list[str]) -> list[JSON]:
                info.context.read_inventory = True
                return [{"name": n, "quantity": level[n]} for n in names if n in level]

            return {
                "id": f"gid://shopify/InventoryLevel/{variant.inventory_item_id}?"
                f"inventory_item_id={variant.inventory_item_id}",
                "location": self.location_json(lid),
                "quantities": quantities,
            }

        return {
            "__typename": "ProductVariant",
            "id": gid("ProductVariant", variant.id),
            "sku": variant.sku or None,
            "title": variant.title,
            "price": variant.price,
            "updatedAt": _iso(variant.updated),
            "product": self.product_json(product),
            "inventoryItem": {
                "__typename": "InventoryItem",
                "id": gid("InventoryItem", variant.inventory_item_id),
                "sku": variant.sku or None,
                "tracked": variant.tracked,
                "inventoryLevel": inventory_level,
            },
        }

    def product_json(self, product: _Product) -> JSON:
        return {
            "__typename": "Product",
            "id": gid("Product", product.id),
            "title": product.title,
            "status": product.status,
        }

    def location_json(self, lid: int) -> JSON:
        return {
            "__typename": "Location",
            "id": gid("Location", lid),
            "name": self.locations[lid],
            "isActive": True,
        }

    def order_json(self, order: _Order) -> JSON:
        def line_items(_info: Any, first: int | None = None, after: str | None = None) -> JSON:
            rows = [self.line_json(line) for line in order.lines]
            return _connection(rows, first, after)

        def fulfillments(_info: Any, first: int | None = None) -> list[JSON]:
            rows = [] if order.fulfillment_id is None else [self.fulfillment_json(order)]
            return rows[:first] if first is not None else rows

        def refunds(_info: Any, first: int | None = None) -> list[JSON]:
            # a list, not a connection: ``first`` caps it (no cursor: §5.3 UNCONFIRMED)
            rows = [self.refund_json(order, f) for f in order.refunds]
            return rows[: _list_size(first)]

        def returns(_info: Any, first: int | None = None, after: str | None = None) -> JSON:
            return _connection([self.return_json(order, r) for r in order.returns], first, after)

        return {
            "__typename": "Order",
            "id": gid("Order", order.id),
            "name": f"#{order.id % 100000}",
            "createdAt": _iso(order.created),
            "updatedAt": _iso(order.updated),
            "cancelledAt": None if order.cancelled is None else _iso(order.cancelled),
            "displayFinancialStatus": order.financial,
            "displayFulfillmentStatus": order.fulfillment,
            "lineItems": line_items,
            "fulfillments": fulfillments,
            "refunds": refunds,
            "returns": returns,
        }

    def line_json(self, line: _Line) -> JSON:
        variant = self._variants.get(line.variant_id)
        return {
            "id": gid("LineItem", line.id),
            "sku": line.sku or None,
            "quantity": line.qty,
            "currentQuantity": line.current,
            "variant": None if variant is None else self.variant_json(variant),
            "product": self.product_json(self._products[line.product_id]),
        }

    def node(self, text: str) -> JSON | None:  # noqa: PLR0911 - one return per kind
        kind, _, number = text.removeprefix("gid://shopify/").partition("/")
        if not number.isdigit():
            return None
        key = int(number)
        if kind == "ProductVariant" and key in self._variants:
            return self.variant_json(self._variants[key])
        if kind == "Product" and key in self._products:
            return self.product_json(self._products[key])
        if kind == "Order" and key in self._orders:
            return self.order_json(self._orders[key])
        if kind == "Location" and key in self.locations:
            return self.location_json(key)
        if kind == "Return":
            try:
                ret = self._return_of(key)
            except KeyError:
                return None
            return self.return_json(self._orders[ret.order_id], ret)
        return None

    def set_quantities(self, ctx: _Exec, info: Any, data: JSON) -> JSON:
        """``inventorySetQuantities`` (§5.3): absolute, compare-and-swap per quantity."""
        mismatch = {
            "inventoryAdjustmentGroup": None,
            "userErrors": [
                {
                    "code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                    "field": ["input"],
                    "message": _KEY_MISMATCH,
                }
            ],
        }
        strict = ctx.version >= "2026-04"
        return self.once(ctx, info, data, lambda: self._apply_quantities(data, strict), mismatch)

    def once(
        self, ctx: _Exec, info: Any, data: JSON, apply: Callable[[], JSON], mismatch: JSON
    ) -> JSON:
        """A mutation under ``@idempotent(key:)`` (mandatory from 2026-04 for inventory
        adjustments and refunds, §5.3): a key seen again with the same input answers the
        first answer again, applied once; with another input, ``mismatch``."""
        key = _idempotency_key(info, ctx.variables)
        if key is None and ctx.version >= "2026-04":
            raise GraphQLError(
                "The @idempotent directive is required for this mutation",
                extensions={"code": "BAD_REQUEST"},
            )
        fingerprint = json.dumps([info.field_name, data], sort_keys=True)
        if key is not None and key in self._idempotent:
            seen, answer = self._idempotent[key]
            return answer if seen == fingerprint else mismatch
        answer = apply()
        if key is not None:
            self._idempotent[key] = (fingerprint, answer)
        return answer

    def _apply_quantities(self, data: JSON, strict: bool) -> JSON:  # noqa: PLR0912 - per code
        name = data["name"]
        errors: list[JSON] = []
        if name not in ("available", "on_hand"):
            errors.append(
                {
                    "code": "INVALID_NAME",
                    "field": ["input", "name"],
                    "message": "The quantity name must be either 'available' or 'on_hand'.",
                }
            )
        planned: list[tuple[_Variant, int, int, int]] = []
        by_item = {v.inventory_item_id: v for v in self._variants.values()}
        for n, entry in enumerate(data["quantities"]):
            place = ["input", "quantities", str(n)]
            item = _num(entry["inventoryItemId"], "InventoryItem")
            variant = by_item.get(item) if item is not None else None
            lid = _num(entry["locationId"], "Location")
            if variant is None:
                errors.append(
                    {
                        "code": "INVALID_INVENTORY_ITEM",
                        "field": [*place, "inventoryItemId"],
                        "message": "The specified inventory item could not be found.",
                    }
                )
                continue
            if lid not in self.locations:
                errors.append(
                    {
                        "code": "INVALID_LOCATION",
                        "field": [*place, "locationId"],
                        "message": "The specified location could not be found.",
                    }
                )
                continue
            if lid not in variant.levels:
                errors.append(
                    {
                        "code": "ITEM_NOT_STOCKED_AT_LOCATION",
                        "field": place,
                        "message": "The specified inventory item is not stocked at the location.",
                    }
                )
                continue
            if variant.id in self._failing:
                errors.append(
                    {
                        "code": "NON_MUTABLE_INVENTORY_ITEM",
                        "field": place,
                        "message": self._failing[variant.id],
                    }
                )
                continue
            qty = entry["quantity"]
            if qty > 1_000_000_000 or qty < -1_000_000_000:
                errors.append(
                    {
                        "code": "INVALID_QUANTITY_TOO_HIGH"
                        if qty > 0
                        else "INVALID_QUANTITY_TOO_LOW",
                        "field": [*place, "quantity"],
                        "message": "The quantity is out of range.",
                    }
                )
                continue
            level = variant.levels[lid]
            if "changeFromQuantity" not in entry and strict:
                errors.append(
                    {
                        "code": None,
                        "field": [*place, "changeFromQuantity"],
                        "message": "changeFromQuantity is required (pass null to opt "
                        "out of the check).",
                    }
                )
                continue
            expected = entry.get("changeFromQuantity")
            if expected is not None and expected != level[name]:
                errors.append(
                    {
                        "code": "CHANGE_FROM_QUANTITY_STALE",
                        "field": [*place, "changeFromQuantity"],
                        "message": "The changeFromQuantity value does not match the "
                        "persisted value.",
                    }
                )
                continue
            planned.append((variant, lid, qty, qty - level[name]))
        if errors:  # nothing applied (UNCONFIRMED: see the module docstring)
            return {"inventoryAdjustmentGroup": None, "userErrors": errors}
        changes = []
        for variant, lid, qty, delta in planned:
            level = variant.levels[lid]
            level[name] = qty
            if name == "available":
                level["on_hand"] += delta
            else:
                level["available"] += delta
            variant.updated = self.now()
            self._observe(self.shop, variant.product_id, variant.id, level["available"])
            changes.append(
                {
                    "name": name,
                    "delta": delta,
                    "quantityAfterChange": qty,
                    "item": {
                        "__typename": "InventoryItem",
                        "id": gid("InventoryItem", variant.inventory_item_id),
                        "sku": variant.sku or None,
                        "tracked": variant.tracked,
                        "inventoryLevel": None,
                    },
                    "location": self.location_json(lid),
                }
            )
        return {
            "inventoryAdjustmentGroup": {"reason": data["reason"], "changes": changes},
            "userErrors": [],
        }

    def bulk_update(self, product_id: str, variants: list[JSON]) -> JSON:
        """``productVariantsBulkUpdate``: variants of one product (§5.3: details [U])."""
        pid = _num(product_id, "Product")
        if pid is None or pid not in self._products:
            return {
                "product": None,
                "productVariants": None,
                "userErrors": [
                    {
                        "code": "PRODUCT_DOES_NOT_EXIST",
                        "field": ["productId"],
                        "message": "Product does not exist",
                    }
                ],
            }
        errors: list[JSON] = []
        planned: list[tuple[_Variant, str]] = []
        for n, entry in enumerate(variants):
            vid = _num(entry.get("id"), "ProductVariant")
            variant = self._variants.get(vid) if vid is not None else None
            if variant is None or variant.product_id != pid:
                errors.append(
                    {
                        "code": "PRODUCT_VARIANT_DOES_NOT_EXIST",
                        "field": ["variants", str(n), "id"],
                        "message": "Product variant does not exist",
                    }
                )
                continue
            price = entry.get("price")
            if price is not None:
                try:
                    value = float(str(price))
                except ValueError:
                    value = -1.0
                if not 0 <= value < 10**12:
                    errors.append(
                        {
                            "code": "INVALID",
                            "field": ["variants", str(n), "price"],
                            "message": "Price is invalid",
                        }
                    )
                    continue
                planned.append((variant, f"{value:.2f}"))
        if errors:
            return {"product": None, "productVariants": None, "userErrors": errors}
        for variant, price in planned:
            variant.price, variant.updated = price, self.now()
        return {
            "product": self.product_json(self._products[pid]),
            "productVariants": [self.variant_json(v) for v, _ in planned],
            "userErrors": [],
        }

    # -- returns and refunds (called under the lock, by the moves and the mutations)

    def return_request(self, data: JSON) -> tuple[_Return | None, list[JSON]]:
        """``returnRequest``: a return ``REQUESTED`` of fulfilled line items; a unit in
        another return not declined or cancelled cannot be asked for again."""
        number = _num(data.get("orderId"), "Order")
        order = self._orders.get(number) if number is not None else None
        if order is None:
            return None, [_return_error("NOT_FOUND", ["input", "orderId"], "Order not found")]
        by_fli = {line.fulfillment_line_id: line for line in order.lines}
        lines: list[_ReturnLine] = []
        errors: list[JSON] = []
        for n, entry in enumerate(data.get("returnLineItems") or []):
            place = ["input", "returnLineItems", str(n)]
            line = by_fli.get(_num(entry.get("fulfillmentLineItemId"), "FulfillmentLineItem"))
            qty = entry.get("quantity")
            if line is None:
                errors.append(
                    _return_error(
                        "NOT_FOUND",
                        [*place, "fulfillmentLineItemId"],
                        "Fulfillment line item not found",
                    )
                )
            elif not isinstance(qty, int) or qty < 1 or qty > self._returnable(order, line):
                errors.append(
                    _return_error(
                        "INVALID",
                        [*place, "quantity"],
                        "Quantity is not available for return",
                    )
                )
            else:
                lines.append(
                    _ReturnLine(
                        self._next_id(),
                        line.id,
                        line.fulfillment_line_id or 0,
                        qty,
                        entry.get("returnReason"),
                        entry.get("customerNote"),
                    )
                )
        if not lines and not errors:
            errors.append(
                _return_error("BLANK", ["input", "returnLineItems"], "Return line items are blank")
            )
        if errors:
            return None, errors
        now = self.now()
        ret = _Return(
            self._next_id(), order.id, f"#{order.id % 100000}-R{len(order.returns) + 1}", now, lines
        )
        order.returns.append(ret)
        order.updated = now
        self._deliver(order)
        return ret, []

    def _returnable(self, order: _Order, line: _Line) -> int:
        taken = sum(
            r.qty
            for ret in order.returns
            if ret.status not in ("DECLINED", "CANCELED")
            for r in ret.lines
            if r.line_id == line.id
        )
        return (line.qty if line.fulfillment_line_id is not None else 0) - taken

    def return_move(
        self, text: Any, move: str, reason: str = "OTHER"
    ) -> tuple[_Return | None, list[JSON]]:
        """``returnApproveRequest`` (REQUESTED → OPEN), ``returnDeclineRequest``
        (REQUESTED → DECLINED), ``returnCancel`` (REQUESTED/OPEN → CANCELED, before any
        refund), ``returnClose`` (OPEN → CLOSED)."""
        number = _num(text, "Return")
        try:
            ret = self._return_of(number) if number is not None else None
        except KeyError:
            ret = None
        if ret is None:
            return None, [_return_error("NOT_FOUND", ["id"], "Return not found")]
        order = self._orders[ret.order_id]
        allowed = {
            "approve": ("REQUESTED",),
            "decline": ("REQUESTED",),
            "cancel": ("REQUESTED", "OPEN"),
            "close": ("OPEN",),
        }[move]
        refunded = any(f.return_id == ret.id for f in order.refunds)
        if ret.status not in allowed or (move == "cancel" and refunded):
            return ret, [
                _return_error(
                    "INVALID_STATE", ["id"], f"Return is {ret.status.lower()} and cannot be {move}d"
                )
            ]
        now = self.now()
        if move == "approve":
            ret.status, ret.approved = "OPEN", now
        elif move == "decline":
            ret.status, ret.decline = "DECLINED", (reason, None)
        elif move == "cancel":
            ret.status = "CANCELED"
        else:
            ret.status, ret.closed = "CLOSED", now
        order.updated = now
        self._deliver(order)
        return ret, []

    def refund_create(
        self, data: JSON, *, return_id: int | None = None
    ) -> tuple[_Refund | None, list[JSON]]:
        """``refundCreate`` of line items, each restocked at the location by its
        ``restockType`` (§ RefundLineItemRestockType): ``RETURN`` (fulfilled units back
        to available and on hand), ``CANCEL`` (unfulfilled units: committed back to
        available), ``NO_RESTOCK`` (nothing comes back; unfulfilled units leave committed
        and on hand). ``LEGACY_RESTOCK`` is not accepted for new refunds."""
        number = _num(data.get("orderId"), "Order")
        order = self._orders.get(number) if number is not None else None
        if order is None:
            return None, [{"field": ["orderId"], "message": "Order does not exist"}]
        by_id = {line.id: line for line in order.lines}
        planned: list[tuple[_Line, int, str, int]] = []
        errors: list[JSON] = []
        for n, entry in enumerate(data.get("refundLineItems") or []):
            place = ["refundLineItems", str(n)]
            line = by_id.get(_num(entry.get("lineItemId"), "LineItem") or -1)
            kind = entry.get("restockType") or "NO_RESTOCK"
            qty = entry.get("quantity")
            lid = _num(entry.get("locationId"), "Location") or order.location_id
            fulfilled = line is not None and line.fulfillment_line_id is not None
            if line is None:
                errors.append({"field": [*place, "lineItemId"], "message": "Line item not found"})
            elif not isinstance(qty, int) or not 0 < qty <= line.current:
                errors.append(
                    {
                        "field": [*place, "quantity"],
                        "message": "Quantity cannot refund more items than were purchased",
                    }
                )
            elif (
                kind == "LEGACY_RESTOCK"
                or (kind == "RETURN" and not fulfilled)
                or (kind == "CANCEL" and fulfilled)
            ):
                errors.append(
                    {
                        "field": [*place, "restockType"],
                        "message": f"Restock type {kind} is not valid for this line item",
                    }
                )
            elif lid not in self.locations:
                errors.append({"field": [*place, "locationId"], "message": "Location not found"})
            else:
                planned.append((line, qty, kind, lid))
        if errors:
            return None, errors
        for line, qty, kind, lid in planned:
            self._restock(order, line, qty, kind, lid)
        now = self.now()
        refund = _Refund(
            self._next_id(),
            now,
            [_RefundLine(self._next_id(), ln.id, q, k, lid) for ln, q, k, lid in planned],
            return_id,
            str(data.get("note") or ""),
        )
        order.refunds.append(refund)
        order.updated = now
        order.financial = (
            "REFUNDED" if all(line.current == 0 for line in order.lines) else "PARTIALLY_REFUNDED"
        )
        self._deliver(order)
        if all(self._restocked(order, line) >= line.qty for line in order.lines):
            order.fulfillment = "RESTOCKED"  # every item restocked (UNCONFIRMED: module docstring)
        return refund, []

    def _restock(self, order: _Order, line: _Line, qty: int, kind: str, lid: int) -> None:
        line.current -= qty
        variant = self._variants.get(line.variant_id)
        if variant is None or not variant.tracked:
            return
        fulfilled = line.fulfillment_line_id is not None
        if fulfilled and kind != "RETURN":
            return  # money only: the units stay with the buyer (or the seller's bin)
        level = self._level(variant, lid if kind == "RETURN" else order.location_id)
        if kind == "RETURN":
            level["available"] += qty
            level["on_hand"] += qty
        elif kind == "CANCEL":
            level["committed"] -= qty
            level["available"] += qty
        else:
            level["committed"] -= qty
            level["on_hand"] -= qty
        self._observe(self.shop, variant.product_id, variant.id, level["available"])

    def _restocked(self, order: _Order, line: _Line) -> int:
        return sum(
            r.qty
            for refund in order.refunds
            for r in refund.lines
            if r.line_id == line.id and r.restock in ("RETURN", "CANCEL", "LEGACY_RESTOCK")
        )

    def refund_json(self, order: _Order, refund: _Refund) -> JSON:
        by_id = {line.id: line for line in order.lines}

        def lines(_info: Any, first: int | None = None, after: str | None = None) -> JSON:
            rows = [
                {
                    "id": gid("RefundLineItem", r.id),
                    "lineItem": self.line_json(by_id[r.line_id]),
                    "location": None
                    if r.location_id is None
                    else self.location_json(r.location_id),
                    "quantity": r.qty,
                    "restocked": r.restock in ("RETURN", "CANCEL"),
                    "restockType": r.restock,
                }
                for r in refund.lines
            ]
            return _connection(rows, first, after)

        linked = None
        if refund.return_id is not None:
            linked = next((x for x in order.returns if x.id == refund.return_id), None)
        return {
            "__typename": "Refund",
            "id": gid("Refund", refund.id),
            "createdAt": _iso(refund.created),
            "updatedAt": _iso(refund.created),
            "note": refund.note or None,
            "order": lambda _info: self.order_json(order),
            "return": None if linked is None else self.return_json(order, linked),
            "refundLineItems": lines,
        }

    def return_json(self, order: _Order, ret: _Return) -> JSON:
        by_id = {line.id: line for line in order.lines}

        def lines(_info: Any, first: int | None = None, after: str | None = None) -> JSON:
            rows = [
                {
                    "__typename": "ReturnLineItem",
                    "id": gid("ReturnLineItem", r.id),
                    "quantity": r.qty,
                    "returnReason": r.reason,
                    "customerNote": r.note,
                    "fulfillmentLineItem": {
                        "id": gid("FulfillmentLineItem", r.fulfillment_line_id),
                        "quantity": by_id[r.line_id].qty,
                        "lineItem": self.line_json(by_id[r.line_id]),
                    },
                }
                for r in ret.lines
            ]
            return _connection(rows, first, after)

        def refunds(_info: Any, first: int | None = None, after: str | None = None) -> JSON:
            rows = [self.refund_json(order, f) for f in order.refunds if f.return_id == ret.id]
            return _connection(rows, first, after)

        return {
            "__typename": "Return",
            "id": gid("Return", ret.id),
            "name": ret.name,
            "status": ret.status,
            "createdAt": _iso(ret.created),
            "closedAt": None if ret.closed is None else _iso(ret.closed),
            "requestApprovedAt": None if ret.approved is None else _iso(ret.approved),
            "decline": None
            if ret.decline is None
            else {"reason": ret.decline[0], "note": ret.decline[1]},
            "totalQuantity": sum(r.qty for r in ret.lines),
            "order": lambda _info: self.order_json(order),
            "refunds": refunds,
            "returnLineItems": lines,
        }

    def fulfillment_json(self, order: _Order) -> JSON:
        def lines(_info: Any, first: int | None = None, after: str | None = None) -> JSON:
            rows = [
                {
                    "id": gid("FulfillmentLineItem", line.fulfillment_line_id),
                    "quantity": line.qty,
                    "lineItem": self.line_json(line),
                }
                for line in order.lines
                if line.fulfillment_line_id is not None
            ]
            return _connection(rows, first, after)

        return {
            "__typename": "Fulfillment",
            "id": gid("Fulfillment", order.fulfillment_id or 0),
            "status": "SUCCESS",
            "createdAt": _iso(order.fulfilled_at or order.updated),
            "fulfillmentLineItems": lines,
        }

    def order_list(self, query: str | None, sort_key: str | None, reverse: bool) -> list[JSON]:
        since, strict = _updated_filter(query or "")
        rows = [
            o
            for o in self._orders.values()
            if since is None or (o.updated > since if strict else o.updated >= since)
        ]
        key = {
            "UPDATED_AT": lambda o: (o.updated, o.id),
            "CREATED_AT": lambda o: (o.created, o.id),
        }.get(sort_key or "ID", lambda o: o.id)
        rows.sort(key=key, reverse=reverse)
        return [self.order_json(o) for o in rows]


_KEY_MISMATCH: Final = (
    "The same idempotency key cannot be used with different operation parameters."
)


def _return_error(code: str, where: list[str], message: str) -> JSON:
    return {"code": code, "field": where, "message": message}


def _list_size(first: int | None) -> int:
    """A plain list's ``first`` (Order.refunds): 1..250 as connections take."""
    if first is None:
        return 250
    if not 0 < first <= 250:
        raise GraphQLError(
            "The first argument must be between 1 and 250.", extensions={"code": "BAD_REQUEST"}
        )
    return first


_STATUS_TEXT = {
    401: "[API] Invalid API key or access token (unrecognized login or wrong password)",
    402: "Unavailable Shop",
    423: "This shop is unavailable",
}


class _Exec:
    """One GraphQL request's context: the version, the clock, actual cost accounting."""

    def __init__(
        self, sim: ShopifySimulator, version: str, now: float, variables: JSON, *, app: str = ""
    ) -> None:
        self.sim, self.version, self.now = sim, version, now
        self.app = app  # whose token it is (webhook subscriptions are the app's)
        self.variables = variables
        self.actual = 0
        self.read_inventory = False

    def resolve(self, next_: Callable[..., Any], root: Any, info: Any, **args: Any) -> Any:
        """graphql-core middleware: an object returned costs 1 (each of a list: 1).

        (graphql-core 3.3 skips a bound method given as middleware without a word: this
        is given as the object, whose ``resolve`` it calls. Before, every query cost 0
        and the bucket never drained.)"""
        result = next_(root, info, **args)
        named = get_named_type(info.return_type)
        if isinstance(named, GraphQLObjectType):
            if info.parent_type.name == "Mutation":
                self.actual += MUTATION_COST
            elif isinstance(result, list):
                self.actual += len(result)
            elif result is not None:
                self.actual += 1
        return result


class _Root:
    """The query and mutation roots, resolving into the simulator's records."""

    def __init__(self, sim: ShopifySimulator, ctx: _Exec) -> None:
        self.sim, self.ctx = sim, ctx
        setattr(self, "return", self._return)  # a Python keyword as a field name

    def shop(self, _info: Any) -> JSON:
        return {
            "name": "Dapur Bu Sri",
            "myshopifyDomain": f"{self.sim.shop}.myshopify.com",
            "currencyCode": "IDR",
        }

    def locations(self, _info: Any, first: int | None = None, after: str | None = None) -> JSON:
        rows = [self.sim.location_json(lid) for lid in sorted(self.sim.locations)]
        return _connection(rows, first, after)

    def productVariants(
        self,
        _info: Any,
        first: int | None = None,
        after: str | None = None,
        query: str | None = None,
    ) -> JSON:
        rows = [
            self.sim.variant_json(v)
            for v in sorted(self.sim._variants.values(), key=lambda v: v.id)
        ]
        if query:
            wanted = {
                t.removeprefix("sku:").strip("'\"")
                for t in query.split(" OR ")
                if t.startswith("sku:")
            }
            rows = [r for r in rows if r["sku"] in wanted]
        return _connection(rows, first, after)

    def nodes(self, _info: Any, ids: list[str]) -> list[JSON | None]:
        if len(ids) > 250:
            raise GraphQLError(
                "The input array size of 251 is greater than the maximum allowed of 250.",
                extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"},
            )
        return [self.sim.node(text) for text in ids]

    def _return(self, _info: Any, id: str) -> JSON | None:
        return self.sim.node(id) if _num(id, "Return") is not None else None

    def order(self, _info: Any, id: str) -> JSON | None:
        number = _num(id, "Order")
        found = self.sim._orders.get(number) if number is not None else None
        return None if found is None else self.sim.order_json(found)

    def orders(
        self,
        _info: Any,
        first: int | None = None,
        after: str | None = None,
        query: str | None = None,
        sortKey: str | None = None,
        reverse: bool = False,
    ) -> JSON:
        return _connection(self.sim.order_list(query, sortKey, reverse), first, after)

    def webhookSubscriptions(
        self,
        _info: Any,
        first: int | None = None,
        after: str | None = None,
        topics: list[str] | None = None,
    ) -> JSON:
        rows = [
            self.sim.subscription_json(sub)
            for _, sub in sorted(self.sim.subscriptions.items())
            if sub["app"] == self.ctx.app and (not topics or sub["topic"] in topics)
        ]
        return _connection(rows, first, after)

    def webhookSubscriptionCreate(self, _info: Any, topic: str, webhookSubscription: JSON) -> JSON:
        return self.sim.subscribe(self.ctx, topic, webhookSubscription)

    def webhookSubscriptionUpdate(self, _info: Any, id: str, webhookSubscription: JSON) -> JSON:
        return self.sim.subscribe(self.ctx, "", webhookSubscription, sub_id=id)

    def inventorySetQuantities(self, info: Any, input: JSON) -> JSON:
        if len(input["quantities"]) > 250:
            raise GraphQLError(
                "The input array size is greater than the maximum allowed of 250.",
                extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"},
            )
        return self.sim.set_quantities(self.ctx, info, input)

    def productVariantsBulkUpdate(
        self,
        _info: Any,
        productId: str,
        variants: list[JSON],
    ) -> JSON:
        return self.sim.bulk_update(productId, variants)

    def refundCreate(self, info: Any, input: JSON) -> JSON:
        """``refundCreate``: ``@idempotent(key:)`` required from 2026-04 (§5.3)."""

        def apply() -> JSON:
            refund, errors = self.sim.refund_create(input)
            if refund is None:
                return {"order": None, "refund": None, "userErrors": errors}
            order = self.sim._orders[_num(input["orderId"], "Order") or 0]
            return {
                "order": self.sim.order_json(order),
                "refund": self.sim.refund_json(order, refund),
                "userErrors": [],
            }

        mismatch = {
            "order": None,
            "refund": None,
            "userErrors": [{"field": ["input"], "message": _KEY_MISMATCH}],
        }
        return self.sim.once(self.ctx, info, input, apply, mismatch)

    def returnRequest(self, _info: Any, input: JSON) -> JSON:
        ret, errors = self.sim.return_request(input)
        return self._return_payload(ret, errors)

    def returnApproveRequest(self, _info: Any, input: JSON) -> JSON:
        return self._return_payload(*self.sim.return_move(input["id"], "approve"))

    def returnDeclineRequest(self, _info: Any, input: JSON) -> JSON:
        moved = self.sim.return_move(input["id"], "decline", input["declineReason"])
        return self._return_payload(*moved)

    def returnCancel(self, _info: Any, id: str) -> JSON:
        return self._return_payload(*self.sim.return_move(id, "cancel"))

    def returnClose(self, _info: Any, id: str) -> JSON:
        return self._return_payload(*self.sim.return_move(id, "close"))

    def _return_payload(self, ret: _Return | None, errors: list[JSON]) -> JSON:
        shown = None
        if ret is not None and not errors:
            shown = self.sim.return_json(self.sim._orders[ret.order_id], ret)
        return {"return": shown, "userErrors": errors}


def _resolve_node_type(value: Any, _info: Any, _type: Any) -> str | None:
    return value.get("__typename") if isinstance(value, dict) else None


_SCHEMA.type_map["Node"].resolve_type = _resolve_node_type  # type: ignore[attr-defined]
_SCHEMA.type_map["ReturnLineItemType"].resolve_type = _resolve_node_type  # type: ignore[attr-defined]


def _connection(rows: list[JSON], first: int | None, after: str | None) -> JSON:
    """A page of ``rows`` after the opaque cursor ``after`` (base64 of the row index)."""
    size = 50 if first is None else first
    if not 0 < size <= 250:
        raise GraphQLError(
            "The first argument must be between 1 and 250.", extensions={"code": "BAD_REQUEST"}
        )
    start = 0
    if after is not None:
        start = _decode_cursor(after) + 1
    chunk = rows[start : start + size]
    end = start + len(chunk) - 1
    return {
        "nodes": chunk,
        "pageInfo": {
            "hasNextPage": start + size < len(rows),
            "endCursor": _encode_cursor(end) if chunk else None,
        },
    }


def _encode_cursor(index: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"last_id": index}).encode()).decode()


def _decode_cursor(text: str) -> int:
    try:
        value = json.loads(base64.urlsafe_b64decode(text.encode()))["last_id"]
    except (ValueError, KeyError, TypeError, UnicodeError):
        value = None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise GraphQLError(
            "Invalid cursor for current pagination.", extensions={"code": "BAD_REQUEST"}
        )
    return value


def _updated_filter(query: str) -> tuple[float | None, bool]:
    """``updated_at:>='2026-11-20T00:00:00Z'`` (or ``>``) → (time, strict)."""
    for term in query.split():
        if term.startswith("updated_at:"):
            rest = term[len("updated_at:") :]
            strict = not rest.startswith(">=")
            text = rest.lstrip(">=").strip("'\"")
            try:
                when = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return None, False  # Shopify ignores a filter it cannot read (UNCONFIRMED)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return when.timestamp(), strict
    return None, False


def _cost(schema: GraphQLSchema, document: Any, variables: JSON) -> int:
    """The requested cost of the operation (the module docstring's model)."""
    total = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if definition.operation.value == "mutation":
            total += MUTATION_COST * len(definition.selection_set.selections)
            continue
        root = schema.query_type
        assert root is not None  # noqa: S101
        total += _selection_cost(root, definition.selection_set, variables)
    return total


def _selection_cost(parent: Any, selection_set: Any, variables: JSON) -> int:
    cost = 0
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            fields = getattr(parent, "fields", {})
            definition = fields.get(node.name.value)
            if definition is None:
                continue
            kind = get_named_type(definition.type)
            if not isinstance(kind, GraphQLObjectType) and not hasattr(kind, "fields"):
                continue
            inner = _selection_cost(kind, node.selection_set, variables)
            args = {a.name.value: _value(a.value, variables) for a in node.arguments or ()}
            if kind.name.endswith("Connection"):
                first = args.get("first") or 50
                nodes_type = kind.fields["nodes"].type
                node_kind = get_named_type(nodes_type)
                per = 0
                for sub in node.selection_set.selections if node.selection_set else ():
                    if isinstance(sub, FieldNode) and sub.name.value == "nodes":
                        per = 1 + _selection_cost(node_kind, sub.selection_set, variables)
                cost += 2 + int(first) * per
            elif _is_list(definition.type):  # its ids, else its ``first`` (Order.refunds)
                count = len(args.get("ids") or []) or int(args.get("first") or 1)
                cost += count * (1 + inner)
            else:
                cost += 1 + inner
        else:  # an inline fragment (``... on ProductVariant``)
            condition = getattr(node, "type_condition", None)
            kind = _SCHEMA.type_map.get(condition.name.value) if condition else parent
            cost += _selection_cost(kind, node.selection_set, variables)
    return cost


def _is_list(kind: Any) -> bool:
    while isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)


def _value(node: Any, variables: JSON) -> Any:
    if node.kind == "variable":
        return variables.get(node.name.value)
    return graphql.value_from_ast_untyped(node, variables)


def _idempotency_key(info: Any, variables: JSON) -> str | None:
    for node in info.field_nodes:
        for directive in node.directives or ():
            if directive.name.value == "idempotent":
                for arg in directive.arguments or ():
                    if arg.name.value == "key":
                        value = _value(arg.value, variables)
                        return str(value) if value else None
    return None


def _root_fields(request: JSON | None) -> list[str]:
    """The root field names a GraphQL request asks for (its logical places)."""
    if request is None or not isinstance(request.get("query"), str):
        return []
    try:
        document = parse(request["query"])
    except GraphQLError:
        return []
    names = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for node in definition.selection_set.selections:
                if isinstance(node, FieldNode):
                    names.append(node.name.value)
    return names


def _error(exc: GraphQLError, code: str) -> JSON:
    out: JSON = {"message": exc.message, "extensions": {"code": code}}
    if exc.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in exc.locations]
    if exc.path:
        out["path"] = list(exc.path)
    return out


def _json_body(body: bytes) -> JSON | None:
    try:
        value = json.loads(body or b"null")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _form_or_json(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    if "json" in headers.get("content-type", ""):
        value = _json_body(body) or {}
        return {k: v for k, v in value.items() if isinstance(v, str | int | bool)}
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def _reply(status: int, body: Any, headers: Iterable[tuple[str, str]] = ()) -> Reply:
    data = json.dumps(body, separators=(",", ":")).encode()
    return Reply(status, data, (("Content-Type", "application/json; charset=utf-8"), *headers))
