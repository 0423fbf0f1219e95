"""Shopify Admin GraphQL API (reference §5): listings, stock, price and orders of one store.

Authorization (§5.2) is a channel setting (``auth``), so the capability is the
instance's: ``client_credentials`` (the merchant's own app, the UMKM case: a 24-hour
token asked for with the app's client id and secret, and asked for again; ``channel
connect`` needs no link and no code) or ``oauth_refresh`` (an app installed through the
authorization link: an expiring offline token of 60 minutes and a refresh token that
rotates on every use, §5.2).

Listings: ``productVariants`` with each variant's inventory item and its level at the
store's location (``location_id``, or the store's only location), 100 per page by cursor.
Every Shopify product has at least one variant; the listing is the variant (item id: the
product's number, variant id: the variant's number), bound by SKU.

Stock (§5.3, §8.1): ``inventorySetQuantities`` with **compare-and-swap**. For each batch
the adapter reads what Shopify holds as ``available`` now, then sets syncd's value with
``changeFromQuantity`` = what it read, under an ``@idempotent`` key (mandatory from
2026-04) made of the shop, the outbox sequence numbers and the values, so a resent
request is applied once. When a buyer on the web store takes a unit between the read and
the write, Shopify refuses the swap (``CHANGE_FROM_QUANTITY_STALE``): the adapter reads
again and writes syncd's value **less what Shopify itself took since the first read**
(never more than syncd's value: a rise is left to the next pull), so the web sale is
never overwritten; syncd counts it when it pulls the order
(Shopify moved its own stock for it: ``own_stock_follows_orders``). Up to
``CAS_ATTEMPTS`` rounds; a listing still racing after that is tried again at the next
sync. Two calls per batch (read + write) of up to 100 variants.

Price: ``productVariantsBulkUpdate``, one product per call (its variants together).

Orders: ``orders(query: "updated_at:>='…'", sortKey: UPDATED_AT)`` 5 per page with up to
20 line items, 3 refunds and 3 returns of 5 lines each (807 points: the query cost stays
under Shopify's 1,000 points per query; an order with more lines has the rest read with
``order(id:)``, one whose refunds or returns fill those pages has them read again, 10 of
each with 10 lines, with ``order(id:)``: 573 points). The cursor is JSON ``{"from": ts,
"page": endCursor}``; when caught up the next poll starts ``OVERLAP`` seconds before the
last update seen (§8.5). Statuses (§5.3): an open, unfulfilled order is *open*
(reserved: Shopify moved its units from available to committed), ``FULFILLED`` is
*shipped*, a cancelled order not fulfilled is *cancelled* (released: Shopify restocks it
to available). ``RESTOCKED`` (every item restocked) is *shipped* when a refund restocked
fulfilled units (``RETURN``: they come back once, through the return), else
*cancelled* (a cancel's ``CANCEL`` restock of units never shipped). A line without a
variant (a custom item) holds no stock and is not read.

Returns (issue 12), told of with the orders (``OrderPage.returns``; a refund or a return
changes its order's ``updatedAt``, so the order poll reads it): a ``Return``'s lines are
*requested* while it is ``REQUESTED`` or ``OPEN`` and *closed* when ``DECLINED`` or
``CANCELED``; units a refund restocked at the location (``refundLineItems`` with
``restockType: RETURN``) are *received*, with ``restocked_by_marketplace`` (Shopify put
them back in ``available`` itself: syncd sends its own value again). A refund made
through a return (``Refund.return``) counts under that return's id (``return-<id>``), so
the request and its goods back are one return; a refund from the admin without a return
is its own (``refund-<id>``). A ``CLOSED`` return's lines that no refund restocked are
*closed*; ``NO_RESTOCK`` is money only and ``CANCEL`` puts back units never shipped (the
order's cancel releases them): neither is a return line. Each refund and return is read
on its own; one that does not fit its shape, or has a status word not in
``ReturnStatus``, is set aside with a logged reason (``returns.set_aside``), never its
order nor the page.

Rate limits (§5.5): Shopify's limit is a cost bucket per (app, store); each answer's
``extensions.cost.throttleStatus`` is read, and a call whose estimated cost the bucket
cannot pay yet waits for it (at most ``MAX_PACE`` seconds) instead of being refused;
a ``THROTTLED`` answer waits what the bucket needs (``errors.retry_after_of``).

UNCONFIRMED (not in the reference, and not checked against a live store): that the token
endpoint takes a JSON body (the ``ShopifyAPI`` package sends a form; the simulator takes
both); that ``@idempotent`` goes on the mutation's field (as shopify.dev's examples show
it); the text of Shopify's answer to a cursor it no longer takes ("Invalid cursor"); the
prices of ``productVariantsBulkUpdate`` (§5.3 [U]) and whether it applies the other
variants when one is refused; whether ``inventorySetQuantities`` applies the other
quantities when one is refused (the adapter is right either way: it reads again).
Returns: that a return processed from the admin (``returnProcess``/``returnRefund``)
leaves a refund linked to it whose restocked lines say ``RETURN`` (the simulator's
``process_return``); that a ``CLOSED`` return whose reverse fulfillment was disposed
``RESTOCKED`` without such a refund restocked anything (its dispositions are not read:
too dear per query, so those lines are *closed* and syncd's next push stands); that the
deprecated ``LEGACY_RESTOCK`` is returned goods (read as ``RETURN``; the core never
restocks more than the order shipped); that a return or refund changes its order's
``updatedAt``; the cost Shopify itself charges for these nested lists (``Order.refunds``
is a list with ``first``, charged here as ``first`` objects); that an order whose every
item came back shows ``RESTOCKED``. A return line partly restocked has its other units
dropped (the core keys a return's lines by order line).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx
import structlog
from pydantic import ValidationError

from adapters.kit import HttpAdapter, RateLimits, pages
from adapters.shopify import shapes
from adapters.shopify.errors import ShopifyReply, classify
from adapters.shopify.settings import ShopifySettings
from adapters.shopify.signing import TOKEN_PATH, ShopifyAuth
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
    StockUpdate,
)
from syncd.adapter_settings import AdapterSettings, AuthKind
from syncd.errors import MalformedResponse, NeedsReauth, RefreshAuth, Rejected
from syncd.http import ApiClient
from syncd.shapes import Answer, describe, read, read_each

__all__ = [
    "ADAPTER",
    "CAS_ATTEMPTS",
    "RETURN_STATES",
    "ShopifyAdapter",
    "order_state",
    "return_state",
]

_log = structlog.get_logger("syncd.adapters.shopify")

_A = TypeVar("_A", bound=Answer)

VARIANTS_PER_PAGE = 199  # 2 + 5 points a variant: 997, under the 1,000-point query cap
ORDERS_PER_PAGE = 5  # with their refunds and returns: under 1,000 points (``_COSTS``)
LINES_PER_ORDER = 20
REFUNDS_PER_ORDER = 3  # Order.refunds is a list (``first``, no cursor)
RETURNS_PER_ORDER = 3
RETURN_LINES = 5  # lines of each refund and return read with the order
MORE_RETURNS = 10  # refunds, returns and their lines read again when the first are full
#: restock types of refund lines whose units came back to the location (§ returns)
RESTOCKED_RETURN = ("RETURN", "LEGACY_RESTOCK")
PER_BATCH = 100
CAS_ATTEMPTS = 3
READ_ATTEMPTS = 3  # tries of a stock read whose answer was spoiled, within one push
OVERLAP = 120  # seconds re-read at the start of each poll (§8.5)
#: seconds the adapter waits at most for the cost bucket before a call: a bucket truly
#: empty answers THROTTLED with its own wait, so pacing only smooths (and one spoiled
#: ``throttleStatus`` cannot stall a shop for long)
MAX_PACE = 10.0  # a full 997-point page at the Standard plan's 100 points/s: ~10 s
NEVER = dt.datetime(2099, 12, 31, tzinfo=dt.UTC)
_KEYS = uuid.UUID("6f1e7a52-8d8f-4a43-9f3e-2d1c0b5a7e11")  # namespace of our idempotency keys

_VARIANTS = """
query Variants($first: Int!, $after: String, $location: ID!) {
  productVariants(first: $first, after: $after) {
    nodes {
      id sku title price
      product { id title status }
      inventoryItem { id tracked inventoryLevel(locationId: $location) {
        quantities(names: ["available"]) { name quantity } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""
_STOCK = """
query Stock($ids: [ID!]!, $location: ID!) {
  ALIAS: nodes(ids: $ids) {
    ... on ProductVariant {
      id product { id }
      inventoryItem { id tracked inventoryLevel(locationId: $location) {
        quantities(names: ["available"]) { name quantity } } }
    }
  }
}"""
_SET_STOCK = """
mutation SetStock($input: InventorySetQuantitiesInput!, $key: String!) {
  ALIAS: inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { changes { name quantityAfterChange item { id } } }
    userErrors { code field message }
  }
}"""
_SET_PRICE = """
mutation SetPrice($product: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $product, variants: $variants) {
    userErrors { code field message }
  }
}"""
_LINE = "id sku quantity variant { id product { id } }"


def _refunds_and_returns(refunds: int, returns: int, lines: int) -> str:
    return f"""
      refunds(first: {refunds}) {{
        id createdAt updatedAt return {{ id }}
        refundLineItems(first: {lines}) {{
          nodes {{ quantity restockType lineItem {{ id }} }} pageInfo {{ hasNextPage }} }}
      }}
      returns(first: {returns}) {{
        nodes {{
          id status createdAt closedAt requestApprovedAt
          returnLineItems(first: {lines}) {{
            nodes {{
              quantity ... on ReturnLineItem {{ fulfillmentLineItem {{ lineItem {{ id }} }} }} }}
            pageInfo {{ hasNextPage }} }}
        }}
        pageInfo {{ hasNextPage }}
      }}"""


_ORDERS = f"""
query Orders($first: Int!, $after: String, $query: String!) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    nodes {{
      id createdAt updatedAt cancelledAt displayFinancialStatus displayFulfillmentStatus
      lineItems(first: {LINES_PER_ORDER}) {{
        nodes {{ {_LINE} }} pageInfo {{ hasNextPage endCursor }} }}
      {_refunds_and_returns(REFUNDS_PER_ORDER, RETURNS_PER_ORDER, RETURN_LINES)}
    }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""
_MORE_RETURNS = f"""
query Returns($id: ID!) {{
  order(id: $id) {{ {_refunds_and_returns(MORE_RETURNS, MORE_RETURNS, MORE_RETURNS)} }}
}}"""
_MORE_LINES = f"""
query Lines($id: ID!, $after: String) {{
  order(id: $id) {{
    lineItems(first: 100, after: $after) {{
      nodes {{ {_LINE} }} pageInfo {{ hasNextPage endCursor }} }}
  }}
}}"""
_LOCATIONS = "query Locations { locations(first: 5) { nodes { id name } } }"

#: estimated query costs (the bucket pays these before a call; see ``_pace``)
#: The topics syncd subscribes the store to (§5.4): a new order, any change (fulfilment,
#: edits), a cancellation, a refund (returns restock through refunds). Each wakes the
#: order poll. UNCONFIRMED (§5.4 names none): which of these a change fires besides
#: ``ORDERS_UPDATED``; subscribing each costs nothing but a folded wake.
WEBHOOK_TOPICS = ("ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "REFUNDS_CREATE")
_SUBSCRIPTIONS = """
query Subscriptions($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    nodes { id topic uri }
    pageInfo { hasNextPage endCursor }
  }
}
"""
_SUBSCRIBE = """
mutation Subscribe($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { id }
    userErrors { field message }
  }
}
"""
_MOVE = """
mutation Move($id: ID!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionUpdate(id: $id, webhookSubscription: $sub) {
    webhookSubscription { id }
    userErrors { field message }
  }
}
"""

_COSTS = {
    "Variants": 2 + 5 * VARIANTS_PER_PAGE,
    "Stock": 4 * PER_BATCH,
    "SetStock": 10,
    "SetPrice": 10,
    # an order: 1, its lines 2 + 3 each, each refund 4 + 2 a line, the returns 2 + each
    # 3 + 3 a line (the simulator charges the same way: tests/test_returns_shopify.py)
    "Orders": 2
    + ORDERS_PER_PAGE
    * (
        3
        + 3 * LINES_PER_ORDER
        + REFUNDS_PER_ORDER * (4 + 2 * RETURN_LINES)
        + 2
        + RETURNS_PER_ORDER * (3 + 3 * RETURN_LINES)
    ),
    "Lines": 303,
    "Returns": 1
    + MORE_RETURNS * (4 + 2 * MORE_RETURNS)
    + 2
    + MORE_RETURNS * (3 + 3 * MORE_RETURNS),
    "Locations": 12,
}


def order_state(fulfillment: str, cancelled: bool, returned: bool = False) -> OrderState:
    """Shopify's display statuses → syncd's order state (§5.3; module docstring).

    ``returned``: a refund of the order restocked fulfilled units (``RETURN``): those
    come back once, through the return (``return_state``), so the order stays shipped."""
    if fulfillment == "RESTOCKED":
        # every item restocked: shipped goods that came back (their returns restock
        # them), else units never shipped put back by a cancel (CANCEL: released)
        return "shipped" if returned else "cancelled"
    if fulfillment == "FULFILLED":
        return "shipped"  # a fulfilled order cancelled later: its refunds tell the rest
    return "cancelled" if cancelled else "open"


#: Shopify's ``ReturnStatus`` → syncd's return state, for the return's lines that no
#: refund restocked (a refund line ``RETURN`` makes its units *received*)
RETURN_STATES: dict[str, ReturnState] = {
    "REQUESTED": "requested",  # the buyer asked; not approved yet
    "OPEN": "requested",  # approved: the goods are on their way
    "CLOSED": "closed",  # complete, and no refund restocked these units (see docstring)
    "DECLINED": "closed",
    "CANCELED": "closed",
}


def return_state(status: str, restocked: bool) -> ReturnState | None:
    """A return's lines → syncd's state: *received* when a refund restocked them at the
    location (``restockType: RETURN``), else by the return's status; None: a status word
    not in Shopify's ``ReturnStatus``."""
    if status not in RETURN_STATES:
        return None
    if restocked and status not in ("DECLINED", "CANCELED"):
        return "received"
    return RETURN_STATES[status]


class ShopifyAdapter(HttpAdapter):
    """One Shopify store at one location."""

    name: ClassVar[str] = "shopify"
    own_stock_follows_orders: ClassVar[bool] = True  # §5.3: available → committed at once
    settings_model: ClassVar[type[AdapterSettings]] = ShopifySettings
    secret_names: ClassVar[tuple[str, ...]] = ("client_secret",)
    auth_kind: AuthKind = "client_credentials"  # per channel: see __init__
    limits: ClassVar[BatchLimits] = BatchLimits(
        stock_per_call=PER_BATCH,
        price_per_call=PER_BATCH,
        one_item_per_call=False,  # stock: any variants; price: one product (``batches``)
        order_details_per_call=ORDERS_PER_PAGE,
        order_window=None,
    )
    # Calls per second are not Shopify's limit (its cost bucket is, read from each
    # answer); these keep a burst of small calls polite.
    rate_limits: ClassVar[RateLimits] = RateLimits(app_rps=40, shop_rps=10)
    classify = staticmethod(classify)

    def __init__(
        self,
        ctx: AdapterContext,
        client: ApiClient,
        settings: ShopifySettings,
        auth: httpx.Auth,
    ) -> None:
        super().__init__(ctx, client, settings, auth)
        self.settings: ShopifySettings = settings
        self.auth_kind = (
            "client_credentials" if settings.auth == "client_credentials" else ("oauth_refresh")
        )
        self.graphql = f"/admin/api/{settings.api_version}/graphql.json"
        self._location: str | None = settings.location_id
        self._bucket: tuple[float, float, float] | None = None  # available, rate, at
        self._bucket_lock = threading.Lock()

    @classmethod
    def endpoint(cls, settings: ShopifySettings) -> str:
        if not settings.base_url:
            raise Rejected("Shopify: the store's address (base_url) is not set", code="config")
        return settings.base_url

    @classmethod
    def app_id(cls, ctx: AdapterContext, settings: ShopifySettings) -> str:
        return urlsplit(settings.base_url or "").netloc  # the cost bucket is per (app, store)

    @classmethod
    def signer(cls, ctx: AdapterContext, settings: ShopifySettings, base_url: str) -> ShopifyAuth:
        return ShopifyAuth(ctx.credentials)

    # -- calls ---------------------------------------------------------------------------

    def _gql(self, operation: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        self._pace(_COSTS.get(operation, 10))
        reply: ShopifyReply = self.client.request(
            "POST",
            self.graphql,
            json={"query": query, "variables": variables, "operationName": operation},
        )
        available, rate = reply.available, reply.restore_rate
        if available is not None and rate is not None and _sane_bucket(available, rate):
            with self._bucket_lock:
                self._bucket = (available, rate, time.monotonic())
        data = reply.body.get("data")
        if not isinstance(data, dict):
            raise MalformedResponse(f"Shopify {operation}: no data in the answer", code="malformed")
        return data

    def _answered(
        self, operation: str, query: str, variables: dict[str, Any], field: str
    ) -> dict[str, Any]:
        """A stock read or write whose answer must be this request's: its root field is
        asked under an alias made of a fresh nonce, which the answer echoes (GraphQL
        answers key fields by alias). An answer of another request (a proxy's replay, a
        cache) lacks it and is malformed, never taken as this one's. Compare-and-swap
        relies on it: an old read or write answer must not confirm a new write."""
        alias = f"{field[:1]}{uuid.uuid4().hex[:12]}"
        data = self._gql(operation, query.replace("ALIAS", alias), variables)
        if alias not in data:
            raise MalformedResponse(
                f"Shopify {operation}: not the answer to this request", code="malformed"
            )
        return {field: data[alias]}

    def _pace(self, cost: float) -> None:
        """Wait until the cost bucket (as the last answer left it) can pay ``cost``."""
        with self._bucket_lock:
            bucket = self._bucket
        if bucket is None:
            return
        available, rate, at = bucket
        now_available = available + (time.monotonic() - at) * rate
        if now_available < cost:
            time.sleep(min(MAX_PACE, (cost - now_available) / rate))

    def _read(self, shape: type[_A], body: Any, call: str) -> _A:
        return read(shape, body, source=f"Shopify {call}")

    # -- authorization (§5.2) --------------------------------------------------------------

    def _token(self, form: dict[str, str]) -> Credentials:
        body = {
            "client_id": self.settings.client_id,
            "client_secret": self.ctx.secret("client_secret", source="Shopify"),
            **form,
        }
        reply: ShopifyReply = self.client.request("POST", TOKEN_PATH, json=body)
        got = self._read(shapes.Token, reply.body, "access_token")
        now = self.ctx.now()
        refresh_ends = shapes.expires(now, got.refresh_token_expires_in)
        return Credentials(
            access_token=got.access_token,
            refresh_token=got.refresh_token or "",
            access_expires_at=shapes.expires(now, got.expires_in) or NEVER,
            refresh_expires_at=refresh_ends,
            auth_expires_at=refresh_ends,  # a refresh token unused that long: authorize again
            extra={"scope": got.scope, "grant": form.get("grant_type", "authorization_code")},
        )

    def authorization_url(self, redirect: str) -> str:
        if self.auth_kind == "client_credentials":
            raise Rejected(
                "Shopify: no authorization link for the store's own app (client credentials): "
                "syncd asks for its token with the app's client secret",
                code="client_credentials",
            )
        query = urlencode(
            {
                "client_id": self.settings.client_id,
                "scope": self.settings.scopes,
                "redirect_uri": redirect,
                "state": uuid.uuid4().hex,
            }
        )
        return f"{self.settings.base_url}/admin/oauth/authorize?{query}"

    def exchange_code(self, code: str) -> Credentials:
        if self.auth_kind == "client_credentials":
            raise Rejected("Shopify: no code with client credentials", code="client_credentials")
        return self._token({"code": code, "expiring": "1"})

    def verify(self) -> Credentials:
        """Client credentials: ask for the first token (nothing for the merchant to do)."""
        if self.auth_kind != "client_credentials":
            return super().verify()
        return self._token({"grant_type": "client_credentials"})

    def refresh(self, current: Credentials) -> Credentials:
        try:
            if self.auth_kind == "client_credentials":  # a new 24 h token, the same way
                return self._token({"grant_type": "client_credentials"})
            if not current.refresh_token:
                raise NeedsReauth(
                    "Shopify: this token does not expire and cannot be refreshed; it was "
                    "refused, so the app must be authorized again",
                    code="no_refresh_token",
                )
            return self._token(
                {"grant_type": "refresh_token", "refresh_token": current.refresh_token}
            )
        except (Rejected, RefreshAuth) as exc:
            raise NeedsReauth(f"Shopify refused the token request: {exc}", code=exc.code) from None

    # -- the location ------------------------------------------------------------------

    def location(self) -> str:
        """The location's global id: the setting, else the store's only location."""
        if self._location is None:
            data = self._gql("Locations", _LOCATIONS, {})
            found = self._read(shapes.LocationsData, data, "locations").locations.nodes
            if len(found) != 1:
                names = (
                    ", ".join(f"{loc.name} ({shapes.gid('Location', loc.id)})" for loc in found)
                    or "none"
                )
                raise Rejected(
                    f"Shopify: the store has {len(found)} locations ({names[:300]}); choose "
                    "one with: syncd channel edit NAME --location-id gid://shopify/Location/N",
                    code="config",
                )
            self._location = shapes.gid("Location", found[0].id)
        return self._location

    # -- listings ------------------------------------------------------------------------

    def discover(self) -> Iterator[RemoteListing]:
        location = self.location()

        def fetch(after: str | None) -> tuple[list[shapes.Variant], str | None]:
            data = self._gql(
                "Variants",
                _VARIANTS,
                {"first": VARIANTS_PER_PAGE, "after": after, "location": location},
            )
            page = self._read(shapes.VariantPage, data, "productVariants").productVariants
            nxt = page.pageInfo.endCursor if page.pageInfo.hasNextPage else None
            return page.nodes, nxt

        for variant in pages(fetch, source="Shopify productVariants"):
            if variant.product.status == "ARCHIVED":
                continue
            yield _listing(variant)

    # -- stock (compare-and-swap) and price ------------------------------------------------

    def batches(self, updates: Sequence[Any], per_call: int) -> list[list[Any]]:
        """Stock: up to 100 variants of any products; price: one product per call."""
        size = min(per_call, PER_BATCH)
        if updates and isinstance(updates[0], PriceUpdate):
            groups: dict[str, list[Any]] = {}
            for update in updates:
                groups.setdefault(update.item_id, []).append(update)
            return [g[i : i + size] for g in groups.values() for i in range(0, len(g), size)]
        return [list(updates[i : i + size]) for i in range(0, len(updates), size)]

    def _stock_now(
        self, updates: Sequence[StockUpdate], location: str
    ) -> dict[int, tuple[str, int] | str]:
        """listing id → (inventory item gid, available now), or why it cannot be written."""
        ids = [shapes.gid("ProductVariant", u.variant_id or u.item_id) for u in updates]
        for attempt in range(READ_ATTEMPTS):  # a read is safe to repeat: a spoiled answer
            try:  # is read again here rather than failing the whole push
                data = self._answered("Stock", _STOCK, {"ids": ids, "location": location}, "nodes")
                read_back = self._read(shapes.StockRead, data, "nodes")
                if len(read_back.nodes) != len(updates):
                    raise MalformedResponse(
                        "Shopify nodes: not one answer per id", code="malformed"
                    )
                break
            except MalformedResponse:
                if attempt == READ_ATTEMPTS - 1:
                    raise
        # matched by the variant each node names, never by position: a node list in
        # another order must not give one variant's item and level to another
        by_variant = {node.id: node for node in read_back.nodes if node is not None}
        out: dict[int, tuple[str, int] | str] = {}
        for update in updates:
            node = by_variant.get(update.variant_id or update.item_id)
            if node is None:
                out[update.listing_id] = "the variant no longer exists on Shopify"
            elif not node.inventoryItem.tracked:
                out[update.listing_id] = (
                    "Shopify does not track this variant's quantity (turn on 'Track quantity')"
                )
            elif node.inventoryItem.inventoryLevel is None:
                out[update.listing_id] = "the variant is not stocked at this location"
            else:
                available = node.inventoryItem.inventoryLevel.get("available") or 0
                out[update.listing_id] = (
                    shapes.gid("InventoryItem", node.inventoryItem.id),
                    available,
                )
        return out

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[ItemResult]:
        location = self.location()
        results: dict[int, ItemResult] = {}
        first: dict[int, int] = {}  # listing → what Shopify held at the first read
        sent: dict[int, int] = {}  # listing → a value written but not confirmed by its answer
        pending = list(updates)
        for attempt in range(CAS_ATTEMPTS):
            current = self._stock_now(pending, location)
            plan: list[tuple[StockUpdate, str, int, int]] = []
            for update in pending:
                got = current[update.listing_id]
                if isinstance(got, str):
                    results[update.listing_id] = ItemResult(update.listing_id, ok=False, error=got)
                    continue
                item, now = got
                if sent.get(update.listing_id) == now:  # applied: this read confirms it
                    results[update.listing_id] = _written(update, now)
                    continue
                base = first.setdefault(update.listing_id, now)
                # keep what Shopify itself took since our first read (a web sale); a rise
                # is not kept (a restock syncd will pull; or a read that lied): never
                # more than syncd's value is written, only less
                value = max(0, max(0, update.quantity) + min(0, now - base))
                plan.append((update, item, value, now))
            if not plan:
                break
            outcome = self._set_stock(plan, location, attempt)
            pending = []
            for n, (update, _item, value, _now) in enumerate(plan):
                got_back = outcome[n]
                if got_back == "applied":
                    results[update.listing_id] = _written(update, value)
                elif got_back in ("unconfirmed", "stale"):
                    if got_back == "unconfirmed":
                        sent[update.listing_id] = value  # perhaps applied: the read tells
                    pending.append(update)
                else:
                    results[update.listing_id] = ItemResult(
                        update.listing_id, ok=False, error=got_back[:300]
                    )
            if not pending:
                break
        for update in pending:
            results.setdefault(
                update.listing_id,
                ItemResult(
                    update.listing_id,
                    ok=False,
                    retry=True,
                    error=f"the stock changed on Shopify while syncd wrote it, or its answers "
                    f"could not be read ({CAS_ATTEMPTS} tries); tried again at the next sync",
                ),
            )
        return [results[u.listing_id] for u in updates]

    def _set_stock(
        self, plan: Sequence[tuple[StockUpdate, str, int, int]], location: str, attempt: int
    ) -> list[str]:
        """One compare-and-swap write; per entry of ``plan``: ``applied`` (the answer says
        so: no error, and its change shows our value), ``stale`` (refused: the level had
        moved), ``unconfirmed`` (no error of its own, yet not shown applied: read again),
        else the refusal as text."""
        quantities = [
            {
                "inventoryItemId": item,
                "locationId": location,
                "quantity": value,
                "changeFromQuantity": now,
            }
            for _update, item, value, now in plan
        ]
        seqs = ",".join(str(u.seq) for u, *_ in plan)
        key = str(
            uuid.uuid5(
                _KEYS, json.dumps([self.ctx.shop_id, seqs, attempt, quantities], sort_keys=True)
            )
        )
        variables = {
            "input": {
                "name": "available",
                "reason": "correction",
                "referenceDocumentUri": f"gid://syncd/StockSync/{plan[0][0].seq}",
                "quantities": quantities,
            },
            "key": key,
        }
        try:
            data = self._answered("SetStock", _SET_STOCK, variables, "inventorySetQuantities")
            payload = self._read(
                shapes.SetResult, data, "inventorySetQuantities"
            ).inventorySetQuantities
        except MalformedResponse:  # applied or not, the answer cannot tell: the read will
            return ["unconfirmed"] * len(plan)
        errors = _by_index(payload.userErrors, "quantities", len(plan))
        after = {
            change.item.id: change.quantityAfterChange
            for change in (
                payload.inventoryAdjustmentGroup.changes if payload.inventoryAdjustmentGroup else []
            )
            if change.name == "available" and change.item is not None
        }
        out: list[str] = []
        for n, (_update, item, value, now) in enumerate(plan):
            error = errors.get(n)
            number = shapes.number_of(item)
            if error is not None and error[0] == "CHANGE_FROM_QUANTITY_STALE":
                out.append("stale")
            elif error is not None:
                out.append(f"{error[0] or 'refused'}: {error[1]}")
            elif not errors and (
                after.get(number) == value or (value == now and number not in after)
            ):
                out.append("applied")  # (an unchanged level may be left out of the changes)
            else:
                out.append("unconfirmed")
        return out

    def push_price(self, updates: Sequence[PriceUpdate]) -> list[ItemResult]:
        results: list[ItemResult] = []
        for batch in self.batches(updates, PER_BATCH):
            product = shapes.gid("Product", batch[0].item_id)
            variants = [
                {
                    "id": shapes.gid("ProductVariant", u.variant_id or u.item_id),
                    "price": f"{u.price}.00",
                }
                for u in batch
            ]
            data = self._gql("SetPrice", _SET_PRICE, {"product": product, "variants": variants})
            payload = self._read(shapes.BulkResult, data, "productVariantsBulkUpdate")
            errors = _by_index(payload.productVariantsBulkUpdate.userErrors, "variants", len(batch))
            for n, update in enumerate(batch):
                error = errors.get(n)
                if error is not None:
                    why = f"{error[0] or 'refused'}: {error[1]}"[:300]
                    results.append(ItemResult(update.listing_id, ok=False, error=why))
                elif errors:  # UNCONFIRMED whether the others were applied: send again
                    results.append(
                        ItemResult(
                            update.listing_id,
                            ok=False,
                            retry=True,
                            error="not applied with the refused ones",
                        )
                    )
                else:
                    results.append(ItemResult(update.listing_id, ok=True))
        return results

    # -- webhooks (§5.4) ---------------------------------------------------------------------

    registers_webhooks: ClassVar[bool] = True

    def register_webhooks(self, url: str) -> list[str]:
        """Subscribe the app to :data:`WEBHOOK_TOPICS` at ``url`` (``webhookSubscriptionCreate``),
        after reading the app's subscriptions (``webhookSubscriptions``): per topic, one
        already at ``url`` is kept, one at another address is moved there
        (``webhookSubscriptionUpdate``; the app is syncd's, so its subscriptions are
        too), else one is created. Deliveries are signed with the app's client secret,
        which the receiver already holds. A refusal (userErrors) raises Rejected."""

        def fetch(after: str | None) -> tuple[list[shapes.Subscription], str | None]:
            data = self._gql("Subscriptions", _SUBSCRIPTIONS, {"after": after})
            page = self._read(shapes.SubscriptionsData, data, "webhookSubscriptions")
            info = page.webhookSubscriptions.pageInfo
            nxt = info.endCursor if info.hasNextPage else None
            return page.webhookSubscriptions.nodes, nxt

        subs = list(pages(fetch, source="Shopify webhookSubscriptions"))
        done: list[str] = []
        for topic in WEBHOOK_TOPICS:
            on_topic = [sub for sub in subs if sub.topic == topic]
            if any(sub.uri == url for sub in on_topic):
                done.append(f"kept:{topic}")
                continue
            sub_input = {"uri": url, "format": "JSON"}
            if on_topic:
                ident = shapes.gid("WebhookSubscription", on_topic[0].id)
                data = self._gql("Move", _MOVE, {"id": ident, "sub": sub_input})
                payload = self._read(shapes.SubscriptionMoved, data, "webhookSubscriptionUpdate")
                errors, state = payload.webhookSubscriptionUpdate.userErrors, "updated"
            else:
                data = self._gql("Subscribe", _SUBSCRIBE, {"topic": topic, "sub": sub_input})
                made = self._read(shapes.SubscriptionCreated, data, "webhookSubscriptionCreate")
                errors, state = made.webhookSubscriptionCreate.userErrors, "created"
            if errors:
                why = "; ".join(e.message for e in errors)[:300]
                raise Rejected(f"Shopify refused the {topic} webhook: {why}", code="webhook")
            done.append(f"{state}:{topic}")
        return done

    # -- orders ------------------------------------------------------------------------------

    def pull_orders(self, cursor: str | None, since: dt.datetime) -> OrderPage:
        state = _cursor(cursor, since)
        query = f"updated_at:>='{_iso(state['from'])}'"
        variables = {"first": ORDERS_PER_PAGE, "after": state["page"] or None, "query": query}
        try:
            data = self._gql("Orders", _ORDERS, variables)
        except Rejected as exc:
            if not state["page"] or "invalid_cursor" not in str(exc):
                raise
            # a cursor Shopify no longer takes: read the window again from its start
            state["page"] = ""
            data = self._gql("Orders", _ORDERS, {**variables, "after": None})
        page = self._read(shapes.OrderPage, data, "orders").orders
        raws = [self._all_returns(self._all_lines(raw)) for raw in page.nodes]
        orders, aside = read_each(raws, shapes.Order, _order, id_key="id")
        by_id = {o.order_id: o for o in orders}
        rets = tuple(
            ret
            for raw in raws
            if isinstance(raw, dict) and raw.get("id") in by_id
            for ret in self._returns(raw, by_id[raw["id"]])
        )
        kept = [o for o in orders if o.lines]  # custom items only: no stock moved
        now = int(self.ctx.now().timestamp())
        if page.pageInfo.hasNextPage and page.pageInfo.endCursor:
            nxt = {"from": state["from"], "page": page.pageInfo.endCursor}
            if nxt["page"] == state["page"]:
                raise MalformedResponse(
                    "Shopify orders: a next page that does not move on", code="paging"
                )
            return OrderPage(kept, json.dumps(nxt), more=True, set_aside=tuple(aside), returns=rets)
        last = max((int(o.updated_at.timestamp()) for o in orders), default=state["from"])
        done = {"from": max(state["from"], min(last, now) - OVERLAP), "page": ""}
        return OrderPage(kept, json.dumps(done), more=False, set_aside=tuple(aside), returns=rets)

    # -- returns (issue 12) ------------------------------------------------------------------

    def _all_returns(self, raw: Any) -> Any:
        """An order as listed, with its refunds and returns read again, more of each,
        when the first ones filled what the orders query asks for."""
        if not isinstance(raw, dict) or not _full(raw, REFUNDS_PER_ORDER):
            return raw
        data = self._gql("Returns", _MORE_RETURNS, {"id": shapes.gid("Order", str(raw["id"]))})
        got = self._read(shapes.OrderLines, data, "order").order
        if got is None:
            return raw
        if _full(got, MORE_RETURNS):  # UNCONFIRMED that a small shop ever has that many
            _log.warning("returns.truncated", order=str(raw["id"])[:64], read=MORE_RETURNS)
        return {**raw, "refunds": got.get("refunds"), "returns": got.get("returns")}

    def _returns(self, raw: dict[str, Any], order: RemoteOrder) -> list[RemoteReturn]:
        """The order's refunds and returns as syncd's returns; each record is read on its
        own, and one that does not fit is set aside (logged), never its order."""
        lines = {line.line_id: line for line in order.lines}
        refunds = _each(raw.get("refunds"), shapes.Refund, order.order_id)
        listed = raw.get("returns")
        nodes = listed.get("nodes") if isinstance(listed, dict) else None
        returns = _each(nodes, shapes.Return, order.order_id)
        restocked: dict[str, dict[str, int]] = {}  # return → line → units restocked
        out: list[RemoteReturn] = []
        for refund in refunds:
            back = _restocked_units(refund)
            got = _return_lines(back, lines)
            if refund.return_ is not None:
                mine = restocked.setdefault(refund.return_.id, {})
                for line_id, qty in back.items():
                    mine[line_id] = mine.get(line_id, 0) + qty
                rid = f"return-{refund.return_.id}"
            else:  # a refund from the admin, no return: its restocked lines came back
                rid = f"refund-{refund.id}"
            if got:
                status = "REFUND/RETURN"
                out.append(
                    RemoteReturn(
                        rid, order.order_id, status, "received", refund.updatedAt, got, True
                    )
                )
        for ret in returns:
            state = return_state(ret.status, restocked=False)
            if state is None:
                _set_return_aside(ret.id, order.order_id, f"return status {ret.status[:40]!r}")
                continue
            units: dict[str, int] = {}
            for node in ret.returnLineItems.nodes:
                if node.fulfillmentLineItem is not None:
                    line_id = node.fulfillmentLineItem.lineItem.id
                    units[line_id] = units.get(line_id, 0) + node.quantity
            done = restocked.get(ret.id, {})
            if ret.status not in ("DECLINED", "CANCELED"):
                units = {k: v for k, v in units.items() if not done.get(k)}  # received above
            got = _return_lines(units, lines)
            if got:
                when = max(t for t in (ret.createdAt, ret.requestApprovedAt, ret.closedAt) if t)
                out.append(
                    RemoteReturn(f"return-{ret.id}", order.order_id, ret.status, state, when, got)
                )
        return out

    def _all_lines(self, raw: Any) -> Any:
        """An order as listed, with the lines past its first page read and added, and its
        id as the number syncd keeps (so an order set aside is known by the same id)."""
        if not isinstance(raw, dict):
            return raw
        raw = {**raw, "id": shapes.number_of(raw.get("id"))}
        lines = raw.get("lineItems")
        info = lines.get("pageInfo") if isinstance(lines, dict) else None
        if not isinstance(info, dict) or info.get("hasNextPage") is not True:
            return raw

        def fetch(after: str | None) -> tuple[list[Any], str | None]:
            ask = {"id": shapes.gid("Order", str(raw.get("id"))), "after": after}
            data = self._gql("Lines", _MORE_LINES, ask)
            got = self._read(shapes.OrderLines, data, "order").order
            more = (got or {}).get("lineItems") or {}
            page = self._read(shapes.LineItems, more, "order lineItems")
            return list(more.get("nodes") or []), (
                page.pageInfo.endCursor if page.pageInfo.hasNextPage else None
            )

        nodes = list(pages(fetch, source="Shopify order lineItems"))
        return {**raw, "lineItems": {"nodes": nodes, "pageInfo": {"hasNextPage": False}}}


ADAPTER = ShopifyAdapter


def _sane_bucket(available: float, rate: float) -> bool:
    """A ``throttleStatus`` worth pacing on: a bucket of 0..100,000 points restored at
    1..100,000 points a second (Shopify's plans: 100 to 2,000, §5.5)."""
    return 0 <= available <= 100_000 and 1 <= rate <= 100_000


def _written(update: StockUpdate, value: int) -> ItemResult:
    """A write Shopify confirmed. When it holds syncd's value, the push is done; when the
    adapter kept a move Shopify made meanwhile (a web sale between its read and its
    write), what Shopify shows is right but not yet syncd's number: the push is tried
    again after the next pull, which brings that sale into the ledger."""
    wanted = max(0, update.quantity)
    if value == wanted:
        return ItemResult(update.listing_id, ok=True)
    return ItemResult(
        update.listing_id,
        ok=False,
        retry=True,
        error=f"Shopify's stock moved by {value - wanted:+d} while syncd wrote it (a web "
        f"sale?): set to {value}, kept; sent again after the next pull",
    )


def _by_index(
    errors: Sequence[shapes.UserError], name: str, size: int
) -> dict[int, tuple[str, str]]:
    """userErrors by the input index their ``field`` names (``[…, name, "3", …]``); an
    error naming no index stands for every input (-1 keys would be lost)."""
    out: dict[int, tuple[str, str]] = {}
    for error in errors:
        field = error.field or []
        index = next(
            (
                int(field[i + 1])
                for i, part in enumerate(field[:-1])
                if part == name and field[i + 1].isdigit()
            ),
            None,
        )
        targets = [index] if index is not None and 0 <= index < size else range(size)
        for n in targets:
            out.setdefault(n, (error.code or "", error.message))
    return out


def _iso(moment: int) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cursor(cursor: str | None, since: dt.datetime) -> dict[str, Any]:
    """Our cursor, read leniently: what cannot be read starts again from ``since`` or
    from the window's first page (re-reading is harmless: ingest is idempotent)."""
    try:
        raw = json.loads(cursor) if cursor else {}
    except ValueError:
        raw = {}
    raw = raw if isinstance(raw, dict) else {}
    when, page = raw.get("from"), raw.get("page")
    good_when = isinstance(when, int) and not isinstance(when, bool) and when > 0
    good_page = (
        isinstance(page, str) and len(page) <= 2048 and page.isprintable() and " " not in page
    )
    return {
        "from": when if good_when else int(since.timestamp()),
        "page": page if good_page else "",
    }


def _listing(variant: shapes.Variant) -> RemoteListing:
    level = variant.inventoryItem.inventoryLevel
    available = level.get("available") if level is not None else None
    title = variant.product.title
    if variant.title and variant.title != "Default Title":
        title = f"{title} - {variant.title}"
    return RemoteListing(
        item_id=variant.product.id,
        variant_id=variant.id,
        sku=variant.sku or None,
        name=title,
        stock=max(0, available or 0),
        price=variant.price,
    )


def _full(raw: dict[str, Any], refunds: int) -> bool:
    """Whether an order's refunds, returns or their lines may go on past what was read
    (``refunds`` of them read: Order.refunds is a list, with no page info)."""
    got = raw.get("refunds")
    listed = raw.get("returns")
    nodes = listed.get("nodes") if isinstance(listed, dict) else None
    return (
        (isinstance(got, list) and len(got) >= refunds)
        or _has_next(listed)
        or any(_has_next(r.get("refundLineItems")) for r in got or () if isinstance(r, dict))
        or any(_has_next(r.get("returnLineItems")) for r in nodes or () if isinstance(r, dict))
    )


def _has_next(connection: Any) -> bool:
    info = connection.get("pageInfo") if isinstance(connection, dict) else None
    return isinstance(info, dict) and info.get("hasNextPage") is True


def _each(raws: Any, shape: type[_A], order_id: str) -> list[_A]:
    """Each record read on its own: one that does not fit is set aside and logged."""
    out: list[_A] = []
    for raw in raws if isinstance(raws, list) else ():
        try:
            out.append(shape.model_validate(raw))
        except ValidationError as exc:
            rid = raw.get("id") if isinstance(raw, dict) else None
            _set_return_aside(rid, order_id, f"not as documented: {describe(exc)}")
    return out


def _set_return_aside(record: Any, order_id: str, reason: str) -> None:
    shown = record if isinstance(record, str) else ""
    _log.warning("returns.set_aside", record=shown[:200], order=order_id[:64], reason=reason[:300])


def _restocked_units(refund: shapes.Refund) -> dict[str, int]:
    """Units per order line a refund restocked as returned goods (RETURN; and the
    deprecated LEGACY_RESTOCK, UNCONFIRMED: a restock not told apart). NO_RESTOCK is
    money only and CANCEL puts back units never shipped (the order's cancel does)."""
    units: dict[str, int] = {}
    for line in refund.refundLineItems.nodes:
        if line.restockType in RESTOCKED_RETURN:
            units[line.lineItem.id] = units.get(line.lineItem.id, 0) + line.quantity
    return units


def _return_lines(units: dict[str, int], lines: dict[str, OrderLine]) -> tuple[ReturnLine, ...]:
    """Return lines of the order's stock lines (a custom item's are not read)."""
    return tuple(
        ReturnLine(lines[lid].item_id, lines[lid].variant_id, qty, line_id=lid)
        for lid, qty in units.items()
        if lid in lines
    )


def _returned(refunds: list[Any] | None) -> bool:
    """Whether a refund of the order restocked fulfilled units (read leniently: the
    records themselves are read with their shape, each on its own)."""
    for refund in refunds or ():
        lines = refund.get("refundLineItems") if isinstance(refund, dict) else None
        nodes = lines.get("nodes") if isinstance(lines, dict) else None
        for line in nodes if isinstance(nodes, list) else ():
            if isinstance(line, dict) and line.get("restockType") in RESTOCKED_RETURN:
                return True
    return False


def _order(raw: shapes.Order) -> RemoteOrder:
    state = order_state(
        raw.displayFulfillmentStatus, raw.cancelledAt is not None, _returned(raw.refunds)
    )
    status = raw.displayFulfillmentStatus + ("/CANCELLED" if raw.cancelledAt else "")
    lines = tuple(
        OrderLine(
            line_id=item.id,
            item_id=item.variant.product.id if item.variant.product else "",
            variant_id=item.variant.id,
            sku=item.sku or None,
            qty=item.quantity,
        )
        for item in raw.lineItems.nodes
        if item.variant is not None  # a custom item: no stock
    )
    return RemoteOrder(raw.id, status, state, raw.createdAt, raw.updatedAt, lines)
