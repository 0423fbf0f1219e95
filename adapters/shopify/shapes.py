"""The Shopify answers the adapter reads (reference §5.2, §5.3), as pydantic shapes.

* **Ids** are global ids (``gid://shopify/ProductVariant/123``); syncd keeps the number
  (``123``) as the listing's item and variant ids, and builds the gid again to ask.
* **Prices** (``Money``) are decimal text (``"45000.00"``), read in whole rupiah.
* **Times** (``DateTime``) are ISO 8601 in UTC (``2026-11-20T03:15:32Z``).
* **Quantities** (``InventoryQuantity.quantity``) may be negative when a store allows
  overselling; a negative ``available`` is read as 0 shown (UNCONFIRMED how a store that
  continues selling wants it counted).
* **Refunds and returns** come with their order (``Order.refunds``, ``Order.returns``)
  and are read one record at a time (``Refund``, ``Return``): one that does not fit is
  set aside and logged, never its order nor the page.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import Field, PlainValidator, StrictInt, StrictStr

from syncd.shapes import Answer, DecimalMoney, Flag, Name, PageToken, Qty, Seconds, Secret, UtcTime

__all__ = [
    "Gid",
    "LineItem",
    "Location",
    "Order",
    "OrderPage",
    "PageInfo",
    "Refund",
    "Return",
    "SetResult",
    "Token",
    "Variant",
    "VariantPage",
    "gid",
    "number_of",
]

_GID = re.compile(r"gid://shopify/([A-Za-z]+)/(\d{1,20})(?:\?.*)?")


def gid(kind: str, number: str) -> str:
    """The global id of a ``kind`` (``ProductVariant``) numbered ``number``."""
    return f"gid://shopify/{kind}/{number}"


def _gid_number(value: Any) -> str:
    if isinstance(value, str) and len(value) <= 200 and (m := _GID.fullmatch(value)):
        return m.group(2)
    if isinstance(value, str) and value.isdigit() and len(value) <= 20:
        return value  # already the number (the adapter keeps orders' ids as numbers)
    raise ValueError("not a Shopify global id (gid://shopify/Kind/123)")


def number_of(value: Any) -> Any:
    """The number of a global id, or the value as it came when it is not one."""
    try:
        return _gid_number(value)
    except ValueError:
        return value


#: A global id, kept as its number (text).
Gid = Annotated[str, PlainValidator(_gid_number)]
#: A quantity as Shopify sends it (can be below 0 when the store continues selling).
Quantity = Annotated[StrictInt, Field(ge=-(10**9), le=10**9)]


class Token(Answer):
    """``POST /admin/oauth/access_token`` (§5.2)."""

    access_token: Secret
    scope: StrictStr = ""
    expires_in: Seconds | None = None  # absent: an offline token that does not expire
    refresh_token: Secret | None = None  # expiring offline tokens: rotates on every use
    refresh_token_expires_in: Seconds | None = None


class PageInfo(Answer):
    hasNextPage: Flag
    endCursor: PageToken | None = None


class Location(Answer):
    id: Gid
    name: Name


class Locations(Answer):
    nodes: list[Location]


class LocationsData(Answer):
    locations: Locations


class Quantities(Answer):
    name: StrictStr
    quantity: Quantity


class Level(Answer):
    quantities: list[Quantities]

    def get(self, name: str) -> int | None:
        return next((q.quantity for q in self.quantities if q.name == name), None)


class InventoryItem(Answer):
    id: Gid
    tracked: Flag
    inventoryLevel: Level | None = None


class Product(Answer):
    id: Gid
    title: Name = ""
    status: StrictStr = "ACTIVE"


class Variant(Answer):
    id: Gid
    sku: Name | None = None
    title: Name = ""
    price: DecimalMoney = 0
    product: Product
    inventoryItem: InventoryItem


class Variants(Answer):
    nodes: list[Variant]
    pageInfo: PageInfo


class VariantPage(Answer):
    productVariants: Variants


class StockRead(Answer):
    """``nodes(ids:)`` of variants: their inventory item and level (None: deleted)."""

    nodes: list[Variant | None]


class VariantRef(Answer):
    id: Gid
    product: Product | None = None


class LineItem(Answer):
    id: Gid
    sku: Name | None = None
    quantity: Qty
    variant: VariantRef | None = None  # None: a custom item, or its product deleted


class LineItems(Answer):
    nodes: list[LineItem]
    pageInfo: PageInfo


class Order(Answer):
    id: Gid
    createdAt: UtcTime
    updatedAt: UtcTime
    cancelledAt: UtcTime | None = None
    displayFinancialStatus: StrictStr | None = None
    displayFulfillmentStatus: StrictStr
    lineItems: LineItems
    # each refund and return is read on its own (``Refund``, ``Return``): a bad one never
    # sets its order aside
    refunds: list[Any] | None = None
    returns: dict[str, Any] | None = None


class Ref(Answer):
    """An object asked for by its id only (``lineItem { id }``, ``return { id }``)."""

    id: Gid


class More(Answer):
    hasNextPage: Flag


class RefundLine(Answer):
    """``RefundLineItem``: ``restockType`` is ``RefundLineItemRestockType`` (CANCEL,
    LEGACY_RESTOCK, NO_RESTOCK, RETURN)."""

    quantity: Qty
    restockType: StrictStr
    lineItem: Ref


class RefundLines(Answer):
    nodes: list[RefundLine]
    pageInfo: More


class Refund(Answer):
    """``Refund``: linked to a ``Return`` when made through the returns process."""

    id: Gid
    createdAt: UtcTime | None = None
    updatedAt: UtcTime
    return_: Ref | None = Field(None, alias="return")
    refundLineItems: RefundLines


class FulfillmentLine(Answer):
    lineItem: Ref


class ReturnLine(Answer):
    """``ReturnLineItemType``; a ``ReturnLineItem`` names the fulfilled line it sends
    back (an ``UnverifiedReturnLineItem`` does not: it is not read)."""

    quantity: Qty
    fulfillmentLineItem: FulfillmentLine | None = None


class ReturnLines(Answer):
    nodes: list[ReturnLine]
    pageInfo: More


class Return(Answer):
    """``Return``: ``status`` is ``ReturnStatus`` (REQUESTED, OPEN, CLOSED, DECLINED,
    CANCELED)."""

    id: Gid
    status: StrictStr
    createdAt: UtcTime
    closedAt: UtcTime | None = None
    requestApprovedAt: UtcTime | None = None
    returnLineItems: ReturnLines


class Orders(Answer):
    nodes: list[Any]  # each read on its own (``read_each``): one bad order is set aside
    pageInfo: PageInfo


class OrderPage(Answer):
    orders: Orders


class OrderLines(Answer):
    """``order(id:) { lineItems(after:) }``: the lines past the first page."""

    order: dict[str, Any] | None


class UserError(Answer):
    code: StrictStr | None = None
    field: list[StrictStr] | None = None
    message: Name = ""


class ItemRef(Answer):
    id: Gid


class Change(Answer):
    name: StrictStr
    quantityAfterChange: Quantity | None = None
    item: ItemRef | None = None


class Group(Answer):
    changes: list[Change]


class SetPayload(Answer):
    inventoryAdjustmentGroup: Group | None = None
    userErrors: list[UserError]


class SetResult(Answer):
    inventorySetQuantities: SetPayload


class BulkPayload(Answer):
    userErrors: list[UserError]


class BulkResult(Answer):
    productVariantsBulkUpdate: BulkPayload


class Subscription(Answer):
    """A webhook subscription of the app (``webhookSubscriptions``, §5.4)."""

    id: Gid
    topic: Name
    uri: Name = ""


class Subscriptions(Answer):
    nodes: list[Subscription]
    pageInfo: PageInfo


class SubscriptionsData(Answer):
    webhookSubscriptions: Subscriptions


class SubscriptionPayload(Answer):
    webhookSubscription: ItemRef | None = None
    userErrors: list[UserError]


class SubscriptionCreated(Answer):
    webhookSubscriptionCreate: SubscriptionPayload


class SubscriptionMoved(Answer):
    webhookSubscriptionUpdate: SubscriptionPayload


def expires(now: dt.datetime, seconds: int | None) -> dt.datetime | None:
    return None if seconds is None else now + dt.timedelta(seconds=seconds)
