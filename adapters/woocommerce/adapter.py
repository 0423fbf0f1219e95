"""WooCommerce REST API v3 (reference §4): listings, stock, price and orders of one store.

Authorization is a static REST key (``auth_kind = "api_key"``): the consumer key is a
setting, the consumer secret the stored secret; nothing expires and nothing is refreshed
(§4.1). ``channel connect`` checks the key with one cheap call (:meth:`verify`).

Listings: simple products, and the variations of variable products (stock of a variable
product lives on its variations, §4.6 #2), bound by SKU. Pages are followed by the
``Link: rel="next"`` header, else ``X-WP-TotalPages`` (§4.2, §4.6 #4), 100 per page.

Stock and price: the batch endpoints, ≤ 100 objects per call (§4.2): simple products
through ``POST /products/batch``, variations through ``POST /products/{id}/variations/
batch``, one parent per call ([C] in §4.2). Every stock write sets ``manage_stock: true``
(a product that does not manage stock ignores ``stock_quantity``). :meth:`batches` shapes
the core's batches to that, so one ``push_stock`` is one HTTP call.

Orders: ``GET /orders`` by ``modified_after`` with ``dates_are_gmt=true`` (§4.6 #1),
``orderby=modified`` ascending (UNCONFIRMED: ``modified`` among the accepted ``orderby``
values of every core version still in use). The line items come with the list, so a poll
is one call per page. The cursor is JSON ``{"from": ts, "page": n}``: after a full page the
next read starts one second before its last ``date_modified_gmt`` (only a page all in one
second moves ``page`` on; a page number that is not one, from a spoiled cursor, reads
the window again from its first page); when caught up the next poll starts ``OVERLAP``
seconds before the last modification seen.

Statuses (§4.3, WooCommerce core ``wc-stock-functions.php``): core reduces its stock on
the transitions to processing, on-hold and completed, and restores it on cancelled and
pending when it had been reduced. So ``pending`` is *open* (reserved in syncd), the three
paid states are *shipped* (deducted), and ``cancelled`` is *returned*: a restock when the
order had been deducted, and (the core's ``open → returned`` step) a release when it was
only pending. ``failed`` is not hooked by core: *cancelled* (a release when it was
pending; nothing when it had been paid, as in core). ``refunded`` does not restock by
itself (the refund's line items do, §4.3): it stays *shipped*.

``own_stock_follows_orders`` is False: core moves its stock at a later transition, not when
an order is placed, and store settings and plugins remove these hooks (§4.3, "syncd should
read line_items and statuses rather than assume"); so after an order syncd forgets what
the store shows and sends its value again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qs, urlsplit

from adapters.kit import ApiKeyAuth, HttpAdapter, RateLimits, pages
from adapters.woocommerce import shapes
from adapters.woocommerce.errors import WooReply, classify
from adapters.woocommerce.settings import WooSettings
from adapters.woocommerce.signing import WooAuth
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
    SetAside,
    StockUpdate,
)
from syncd.adapter_settings import AdapterSettings
from syncd.errors import MalformedResponse, Rejected
from syncd.shapes import Answer, read, read_each

__all__ = ["ADAPTER", "API", "STATUS_STATE", "WooAdapter", "gmt"]

_A = TypeVar("_A", bound=Answer)
WEBHOOK_SECRET = "webhook_secret"  # noqa: S105 - the name syncd.webhooks seals it under

API = "/wp-json/wc/v3"
PRODUCTS = "/products"
PRODUCTS_BATCH = "/products/batch"
ORDERS = "/orders"
WEBHOOKS = "/webhooks"
#: the topics syncd subscribes a store to (§4.4): each delivery wakes the order poll
WEBHOOK_TOPICS = ("order.created", "order.updated")
WEBHOOK_NAME = "syncd"  # the webhooks syncd made carry this name (``syncd order.created``)
PER_PAGE = 100  # §4.2: per_page ≤ 100
PER_BATCH = 100  # §4.2: ≤ 100 objects per batch (the default of core's batch limit)
OVERLAP = 120  # seconds re-read at the start of each poll
#: ``stock_quantity`` is an absolute set; an answer far in the future is not a key that expires
NEVER = dt.datetime(2099, 12, 31, tzinfo=dt.UTC)

#: WooCommerce order status → normalized state (§4.3; see the module docstring).
STATUS_STATE: dict[str, OrderState] = {
    "pending": "open",
    "checkout-draft": "open",  # UNCONFIRMED (§4.3): block checkout's draft; no stock moved
    "on-hold": "shipped",
    "processing": "shipped",
    "completed": "shipped",
    "refunded": "shipped",  # no restock by itself (§4.3): refunds restock their own lines
    "cancelled": "returned",  # restock if deducted; release if only pending (core, §4.3)
    "failed": "cancelled",  # not hooked by core: a release of a pending order, else nothing
    "trash": "cancelled",  # UNCONFIRMED: listed only when asked for; not hooked by core
}


def gmt(moment: float) -> str:
    """A time as the ``modified_after`` filter wants it with ``dates_are_gmt=true``."""
    when = dt.datetime.fromtimestamp(moment, dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def _read(shape: type[_A], body: Any, call: str) -> _A:
    return read(shape, body, source=f"WooCommerce {call}")


def _state(status: str) -> OrderState:
    state = STATUS_STATE.get(status)
    if state is None:  # a plugin's own status: we cannot tell what it did to stock
        raise MalformedResponse(f"WooCommerce: unknown order status {status!r}", code="status")
    return state


class WooAdapter(ApiKeyAuth, HttpAdapter):
    """One WooCommerce store."""

    name: ClassVar[str] = "woocommerce"
    own_stock_follows_orders: ClassVar[bool] = False  # see the module docstring
    settings_model: ClassVar[type[AdapterSettings]] = WooSettings
    secret_names: ClassVar[tuple[str, ...]] = ("consumer_secret",)
    title: ClassVar[str] = "WooCommerce"
    key_help: ClassVar[str] = "WooCommerce → Settings → Advanced → REST API (Read/Write)"
    limits: ClassVar[BatchLimits] = BatchLimits(
        stock_per_call=PER_BATCH,
        price_per_call=PER_BATCH,
        one_item_per_call=False,  # simple products mix; variations: one parent (``batches``)
        order_details_per_call=PER_PAGE,
        order_window=None,  # §0.1: no maximum
    )
    # UNCONFIRMED (§4.5): core has no rate limit; a shared host is slow. Conservative.
    rate_limits: ClassVar[RateLimits] = RateLimits(app_rps=10, shop_rps=5)
    classify = staticmethod(classify)

    def __init__(self, ctx: AdapterContext, client: Any, settings: Any, auth: Any) -> None:
        super().__init__(ctx, client, settings, auth)
        #: order id → the refund ids read (and committed) for it: not read again
        self.refunds_read: dict[str, frozenset[str]] = {}
        self._refund_ids: dict[str, frozenset[str]] = {}  # read this page, not yet committed

    @classmethod
    def endpoint(cls, settings: WooSettings) -> str:
        if not settings.base_url:
            raise Rejected("WooCommerce: the store's address (base_url) is not set", code="config")
        return settings.base_url + API

    @classmethod
    def app_id(cls, ctx: AdapterContext, settings: WooSettings) -> str:
        return urlsplit(settings.base_url or "").netloc  # each store is its own app

    @classmethod
    def signer(cls, ctx: AdapterContext, settings: WooSettings, base_url: str) -> WooAuth:
        return WooAuth(
            settings.consumer_key,
            ctx.secret("consumer_secret", source="WooCommerce"),
            query=settings.query_auth,
        )

    def _get(self, path: str, params: dict[str, Any]) -> WooReply:
        reply: WooReply = self.client.request("GET", path, params=params)
        return reply

    def _post(self, path: str, body: Any) -> WooReply:
        reply: WooReply = self.client.request("POST", path, json=body)
        return reply

    # -- webhooks (§4.4) -------------------------------------------------------------------

    registers_webhooks: ClassVar[bool] = True

    def register_webhooks(self, url: str) -> list[str]:
        """Subscribe the store's :data:`WEBHOOK_TOPICS` to ``url`` (``POST /webhooks``),
        signed with the channel's ``webhook_secret`` (``syncd webhooks setup`` makes and
        keeps it). The store's webhooks are read first: per topic, one already at ``url``
        is kept (its secret sent again, and set active: core disables a webhook after 5
        failed deliveries), one syncd made at another address is moved (``POST
        /webhooks/<id>``, WordPress's editable route: no PUT a host may refuse), else one
        is created. A webhook of another integration on the same topic is left alone."""
        secret = self.ctx.secrets.get(WEBHOOK_SECRET, "")
        if not secret:
            raise Rejected(
                "WooCommerce: no webhook_secret stored for this channel "
                "(syncd webhooks setup NAME makes one)",
                code="no_secret",
            )
        hooks = list(self._page_of(WEBHOOKS, shapes.Webhook, {}))
        done: list[str] = []
        for topic in WEBHOOK_TOPICS:
            name = f"{WEBHOOK_NAME} {topic}"
            on_topic = [h for h in hooks if h.topic == topic]
            here = next((h for h in on_topic if h.delivery_url == url), None)
            ours = here or next((h for h in on_topic if h.name == name), None)
            body = {"secret": secret, "status": "active", "delivery_url": url}
            if ours is None:
                self._post(WEBHOOKS, {"name": name, "topic": topic, **body})
                done.append(f"created:{topic}")
                continue
            self._post(f"{WEBHOOKS}/{ours.id}", body)
            moved = here is None or ours.status != "active"
            done.append(f"{'updated' if moved else 'kept'}:{topic}")
        return done

    # -- authorization: a static key (§4.1; the refusals are ``kit.ApiKeyAuth``'s) ------

    def verify(self) -> Credentials:
        """One cheap call with the key (a product list of one); what the core stores as
        this shop's access: no token, and nothing that expires."""
        reply = self._get(PRODUCTS, {"per_page": 1, "_fields": "id"})
        read(shapes.Listed, reply.body, source=f"WooCommerce {PRODUCTS}")  # a product list
        return Credentials(
            access_token="",
            refresh_token="",
            access_expires_at=NEVER,
            extra={"verified_at": self.ctx.now().isoformat(timespec="seconds")},
        )

    # -- listings --------------------------------------------------------------------------

    def _page_of(self, path: str, shape: type[Answer], params: dict[str, Any]) -> Any:
        def fetch(page: int | None) -> tuple[list[Any], int | None]:
            number = page or 1
            reply = self._get(path, {**params, "per_page": PER_PAGE, "page": number})
            if not isinstance(reply.body, list) or len(reply.body) > PER_PAGE:
                raise MalformedResponse(f"WooCommerce {path}: not a page of ours", code="paging")
            items = [_read(shape, raw, path) for raw in reply.body]
            return items, _next_page(reply, number, path)

        return pages(fetch, source=f"WooCommerce {path}")

    def discover(self) -> Iterator[RemoteListing]:
        for product in self._page_of(PRODUCTS, shapes.Product, {}):
            assert isinstance(product, shapes.Product)  # noqa: S101 - its shape
            if product.status == "trash":
                continue
            if product.type == "variable":
                path = f"{PRODUCTS}/{product.id}/variations"
                for variation in self._page_of(path, shapes.Variation, {}):
                    yield _listing(product, variation)
            elif product.type in ("simple", "subscription"):
                yield _listing(product, None)
            # grouped and external products hold no stock of their own

    # -- stock and price -------------------------------------------------------------------

    def batches(self, updates: Sequence[Any], per_call: int) -> list[list[Any]]:
        """Simple products together (≤ 100); each parent's variations on their own (§4.2)."""
        groups: dict[str, list[Any]] = {}
        for update in updates:
            groups.setdefault(update.item_id if update.variant_id else "", []).append(update)
        size = min(per_call, PER_BATCH)
        return [g[i : i + size] for g in groups.values() for i in range(0, len(g), size)]

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[ItemResult]:
        return self._write(
            [(u, {"manage_stock": True, "stock_quantity": max(0, u.quantity)}) for u in updates]
        )

    def push_price(self, updates: Sequence[PriceUpdate]) -> list[ItemResult]:
        return self._write([(u, {"regular_price": str(u.price)}) for u in updates])

    def _write(self, entries: Sequence[tuple[Any, dict[str, Any]]]) -> list[ItemResult]:
        results: list[ItemResult] = []
        for batch in self.batches([u for u, _ in entries], PER_BATCH):
            fields = {id(u): f for u, f in entries}
            first = batch[0]
            path = (
                f"{PRODUCTS}/{first.item_id}/variations/batch"
                if first.variant_id
                else (PRODUCTS_BATCH)
            )
            objects = [{"id": int(_object_id(u)), **fields[id(u)]} for u in batch]
            reply = self._post(path, {"update": objects})
            answer = _read(shapes.BatchResult, reply.body, path)
            by_id = {item.id: item for item in answer.update}
            for update in batch:
                got = by_id.get(_object_id(update))
                if got is None:
                    results.append(
                        ItemResult(
                            update.listing_id, ok=False, error="not in the answer", retry=True
                        )
                    )
                elif got.error is not None:
                    why = f"{got.error.code}: {got.error.message}"[:300]
                    results.append(ItemResult(update.listing_id, ok=False, error=why))
                else:
                    results.append(ItemResult(update.listing_id, ok=True))
        return results

    # -- orders ----------------------------------------------------------------------------

    def pull_orders(self, cursor: str | None, since: dt.datetime) -> OrderPage:
        state = _cursor(cursor, since)
        number = state["page"]
        reply = self._get(
            ORDERS,
            {
                "modified_after": gmt(state["from"]),
                "dates_are_gmt": "true",
                "orderby": "modified",
                "order": "asc",
                "per_page": PER_PAGE,
                "page": number,
            },
        )
        if not isinstance(reply.body, list) or len(reply.body) > PER_PAGE:
            raise MalformedResponse(f"WooCommerce {ORDERS}: not a page of ours", code="paging")
        raw: list[Any] = reply.body
        orders, aside = read_each(raw, shapes.Order, _order, id_key="id")
        orders, returns = self._with_refunds(orders, raw, aside)
        times = [int(o.updated_at.timestamp()) for o in orders]
        now = int(self.ctx.now().timestamp())
        if len(raw) >= PER_PAGE and _next_page(reply, number, ORDERS) is not None:
            last = min(max(times), now) if times else state["from"]
            if last - 1 > state["from"]:
                state = {"from": last - 1, "page": 1}
            else:  # a whole page within one second: step over it by page
                state = {"from": state["from"], "page": number + 1}
            return OrderPage(
                orders, json.dumps(state), more=True, set_aside=tuple(aside), returns=returns
            )
        last = max(times, default=state["from"])
        nxt = {"from": max(state["from"], min(last, now) - OVERLAP), "page": 1}
        return OrderPage(
            orders, json.dumps(nxt), more=False, set_aside=tuple(aside), returns=returns
        )

    # -- refunds: a refund of units is a return whose goods are back ------------------------

    def _with_refunds(
        self, orders: list[RemoteOrder], raw: list[Any], aside: list[SetAside]
    ) -> tuple[list[RemoteOrder], tuple[RemoteReturn, ...]]:
        """The refunds of this page's orders, read from ``/orders/{id}/refunds`` for orders
        that list refunds not read before (refunds do not change once made). An order whose
        refunds cannot be read is set aside with the reason, so it is read again soon."""
        listed = {str(r.get("id")): r.get("refunds") for r in raw if isinstance(r, dict)}
        kept: list[RemoteOrder] = []
        found: list[RemoteReturn] = []
        for order in orders:
            ids = frozenset(
                str(x.get("id")) for x in listed.get(order.order_id) or () if isinstance(x, dict)
            )
            if not ids or self.refunds_read.get(order.order_id) == ids:
                kept.append(order)
                continue
            path = f"{ORDERS}/{order.order_id}/refunds"
            try:
                refunds = list(self._page_of(path, shapes.Refund, {}))
            except MalformedResponse as exc:
                aside.append(SetAside(order.order_id, f"its refunds: {exc}"[:300]))
                continue
            found += [r for r in (_return(order, x) for x in refunds) if r is not None]
            self._refund_ids[order.order_id] = ids
            kept.append(order)
        return kept, tuple(found)

    def ingested(self, orders: Sequence[RemoteOrder], set_aside: Sequence[str] = ()) -> None:
        """Committed: the refunds read with these orders need not be read again."""
        super().ingested(orders, set_aside)
        for order in orders:
            ids = self._refund_ids.pop(order.order_id, None)
            if ids is not None:
                self.refunds_read[order.order_id] = ids
        while len(self.refunds_read) > self.SEEN_ORDERS:
            self.refunds_read.pop(next(iter(self.refunds_read)))


ADAPTER = WooAdapter


def _cursor(cursor: str | None, since: dt.datetime) -> dict[str, int]:
    """Our cursor, read leniently: what cannot be read starts again from ``since`` (the
    time) or from the first page (the page); re-reading is harmless, ingest is idempotent."""
    start = int(since.timestamp())
    try:
        raw = json.loads(cursor) if cursor else {}
    except ValueError:
        raw = {}
    raw = raw if isinstance(raw, dict) else {}
    when, page = raw.get("from"), raw.get("page")
    good_when = isinstance(when, int) and not isinstance(when, bool) and when > 0
    good_page = isinstance(page, int) and not isinstance(page, bool) and 1 <= page <= 10**6
    return {"from": when if good_when else start, "page": page if good_page else 1}  # type: ignore[dict-item]


def _next_page(reply: WooReply, number: int, path: str) -> int | None:
    """The next page number: from ``Link: rel="next"`` (its ``page``), else from
    ``X-WP-TotalPages``. The link's URL is never followed as given: it may name another
    host, and with the query fallback it echoes the consumer secret."""
    if reply.next_url is not None:
        query = parse_qs(urlsplit(reply.next_url).query)
        text = (query.get("page") or [""])[0]
        if not text.isdigit() or int(text) <= number:
            raise MalformedResponse(
                f"WooCommerce {path}: a next link that does not move on", code="paging"
            )
        return int(text)
    if reply.total_pages is not None and number < reply.total_pages:
        return number + 1
    return None


def _object_id(update: StockUpdate | PriceUpdate) -> str:
    return update.variant_id or update.item_id


def _listing(product: shapes.Product, variation: shapes.Variation | None) -> RemoteListing:
    own = variation or product
    return RemoteListing(
        item_id=product.id,
        variant_id=variation.id if variation is not None else "",
        sku=own.sku or None,
        name=product.name,
        stock=own.stock_quantity or 0,
        price=own.regular_price or own.price,
    )


def _return(order: RemoteOrder, refund: Any) -> RemoteReturn | None:
    """A refund of units as a return whose goods are back (None: money only).

    WooCommerce has no return requests of its own (plugins add them): a refund is made
    by the seller, and a refund of units is the seller's word that they came back. Core
    restocks them when the refund asks it to (``api_restock``, the "Restock refunded
    items" box), but the REST answer does not say whether it did (the ``_restock_refunded
    _items`` item meta is protected): UNCONFIRMED either way, so the core is told the
    store may have raised its own stock (``restocked_by_marketplace``) and sends syncd's
    value again, which is right whatever the store did. The tenant's return policy then
    decides whether the units go back into syncd's stock at once or wait for inspection.
    """
    assert isinstance(refund, shapes.Refund)  # noqa: S101 - its shape
    lines = tuple(
        ReturnLine(
            item_id=item.product_id,
            variant_id="" if item.variation_id == "0" else item.variation_id,
            qty=item.quantity,
        )
        for item in refund.line_items
        if item.quantity > 0
    )
    if not lines:
        return None
    return RemoteReturn(
        return_id=refund.id,
        order_id=order.order_id,
        status="refund",
        state="received",
        updated_at=refund.date_created_gmt,
        lines=lines,
        restocked_by_marketplace=True,
    )


def _order(raw: shapes.Order) -> RemoteOrder:
    state = _state(raw.status)
    lines = tuple(
        OrderLine(
            line_id=item.id,
            item_id=item.product_id,
            variant_id="" if item.variation_id == "0" else item.variation_id,
            sku=item.sku or None,
            qty=item.quantity,
        )
        for item in raw.line_items
    )
    return RemoteOrder(
        raw.id, raw.status, state, raw.date_created_gmt, raw.date_modified_gmt, lines
    )
