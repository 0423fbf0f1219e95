"""The TikTok Shop answers the adapter reads, as documented (reference §3.2-§3.5).

Every answer is TikTok's envelope ``{code, message, request_id, data}``;
:func:`adapters.tiktok.errors.classify` has already checked ``code`` (0, or the error
it maps to; an HTTP 200 without a usable code is malformed) before a shape sees the
answer, so the shapes below declare only ``data``. TikTok sends ids as text, prices as
decimal text (``"45000.00"``; the simulator sends ``"45000"``), times as epoch seconds,
and token expiries as epoch timestamps (§3.9 #5). The simulator answers in these
shapes; the fault suite sends everything else.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt, StrictStr, model_validator
from pydantic import StringConstraints as Text

from syncd.adapter import MAX_ID_LEN
from syncd.shapes import Answer, Count, EpochSeconds, Flag, Id, Name, PageToken, Secret

# -- field types of TikTok's own ----------------------------------------------------

#: A TikTok id (product, SKU, warehouse, order, line item): an int64 sent as text.
#: UNCONFIRMED: the reference (§3.4) names the id fields but not their form; digits only
#: is what TikTok's published examples and the simulator send (19 digits).
DigitId = Annotated[StrictStr, Text(min_length=1, max_length=MAX_ID_LEN, pattern=r"^[0-9]+$")]
#: A price as decimal text (``"45000.00"``), below 10^12; ``""`` where TikTok leaves one
#: of the price fields empty.
Amount = Annotated[StrictStr, Text(max_length=32, pattern=r"^([0-9]{1,12}(\.[0-9]{1,6})?)?$")]
#: A status word (``AWAITING_SHIPMENT``); unknown words are judged where they are read.
Status = Annotated[StrictStr, Text(max_length=64, pattern=r"^[A-Za-z_]*$")]
#: A ``*_expire_in`` field (§3.2, §3.9 #5): a Unix timestamp (seconds) before 2100; a
#: value too small to be one is read as a duration (see the adapter's ``_expiry``).
Expiry = Annotated[
    StrictInt, Field(ge=0, lt=int(dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp()))
]
#: A business error code inside a successful answer (``data.errors[].code``): an error
#: entry with code 0 (success) or none says nothing we could act on.
ErrorCode = Annotated[StrictInt, Field(ge=1, lt=10**10)]
#: A shop's ``shop_cipher``: printable, no spaces; ``""`` = none (the shop is skipped).
Cipher = Annotated[StrictStr, Text(max_length=512, pattern=r"^[!-~]*$")]


# -- authorization (§3.2) -------------------------------------------------------------


class TokenData(Answer):
    """``data`` of token/get and token/refresh (the same shape)."""

    access_token: Secret
    # UNCONFIRMED (§3.2/§9): whether a refresh returns a new refresh token; none (or "")
    # keeps the old one on a refresh, and is malformed on a first exchange (the adapter).
    refresh_token: Secret | Literal[""] | None = None
    access_token_expire_in: Expiry | None = None  # missing: 7 days (§3.2 default)
    # UNCONFIRMED (§9): the refresh token's lifetime as a number; missing keeps the old one
    refresh_token_expire_in: Expiry | None = None
    seller_name: Name = ""
    seller_base_region: Name = ""


class Tokens(Answer):
    data: TokenData


class Shop(Answer):
    """One of ``GET /authorization/202309/shops`` (§3.2 #5)."""

    id: Id  # matched against the shop id the seller gave (or ``code``), never stored
    name: Name = ""
    region: Name = ""
    code: Name = ""  # the Seller Center shop code
    cipher: Cipher = ""


class ShopList(Answer):
    shops: list[Shop] = []


class Shops(Answer):
    data: ShopList


# -- webhooks (§3.6) ------------------------------------------------------------------


class Webhook(Answer):
    """One of ``GET /event/202309/webhooks``: the shop's address for one event type.
    UNCONFIRMED (§3.4 names the call and ``address``/``event_type`` only): the list's
    name ``webhooks``; ``create_time``/``update_time`` are not read."""

    event_type: Name
    address: Name = ""


class WebhookList(Answer):
    webhooks: list[Webhook] = []


class Webhooks(Answer):
    data: WebhookList


# -- products (§3.4) ------------------------------------------------------------------


class Price(Answer):
    """A SKU's ``price``; local sellers' is ``tax_exclusive_price`` (§3.4)."""

    currency: Name = ""
    tax_exclusive_price: Amount = ""
    sale_price: Amount = ""
    amount: Amount = ""

    @property
    def whole(self) -> int:
        """Whole units (rupiah) of the first price given, else 0."""
        for text in (self.tax_exclusive_price, self.sale_price, self.amount):
            if text:
                return int(Decimal(text))
        return 0


class WarehouseStock(Answer):
    # "optional if there is only 1 warehouse" (§3.4): an entry without one is not kept
    warehouse_id: DigitId | None = None
    quantity: Count = 0


class Sku(Answer):
    id: DigitId
    seller_sku: Name | None = None
    price: Price | None = None
    inventory: list[WarehouseStock] = []

    @model_validator(mode="after")
    def _warehouses_named(self) -> Sku:
        # a warehouse may go unnamed only where it is the SKU's one warehouse
        if len(self.inventory) > 1 and not all(i.warehouse_id for i in self.inventory):
            raise ValueError("a SKU in several warehouses lists one without its warehouse_id")
        return self

    @property
    def stock(self) -> int:
        return sum(i.quantity for i in self.inventory)

    @property
    def warehouses(self) -> tuple[str, ...]:
        """Its warehouse ids, in TikTok's order (§3.9 #3: a stock update lists them all)."""
        return tuple(i.warehouse_id for i in self.inventory if i.warehouse_id)


class PlatformStatus(Answer):
    platform: Name = ""
    status: Status | None = None


class Product(Answer):
    id: DigitId
    title: Name = ""
    # left out for a product that is not on TikTok Shop (a Tokopedia-only one, §3.8)
    status: Status | None = None
    integrated_platform_statuses: list[PlatformStatus] = []
    skus: list[Sku] = []

    @property
    def deleted(self) -> bool:
        """Deleted on every storefront it has a status on (or it has none)."""
        words = [self.status, *(p.status for p in self.integrated_platform_statuses)]
        return all(w in (None, "DELETED") for w in words)


class ProductPage(Answer):
    products: list[Product] = []
    next_page_token: PageToken = ""
    total_count: Count = 0


class ProductSearch(Answer):
    data: ProductPage


class ProductDetail(Answer):
    data: Product


# -- campaign locks (Inventory Search 202309: vendor spec ``inventory-search``) -----------


class CampaignStock(Answer):
    """One of ``total_available_inventory_distribution.campaign_inventory[]``: units of
    the SKU's available stock allocated to a campaign (no end time is given)."""

    quantity: Count = 0
    campaign_name: Name = ""


class Distribution(Answer):
    """``total_available_inventory_distribution``: the available stock split between
    campaigns, creators and the shop. Only ``campaign_inventory`` is read (UNCONFIRMED
    whether TikTok refuses a write below ``creator_inventory``: not taken as a lock)."""

    campaign_inventory: list[CampaignStock] = []


class InventorySku(Answer):
    id: DigitId
    # UNCONFIRMED: whether TikTok leaves the distribution out when nothing is allocated
    # (read as no lock)
    total_available_inventory_distribution: Distribution | None = None

    @property
    def campaigns(self) -> list[CampaignStock]:
        got = self.total_available_inventory_distribution
        return [c for c in got.campaign_inventory if c.quantity] if got else []


class InventoryProduct(Answer):
    product_id: DigitId
    skus: list[InventorySku] = []


class InventoryPage(Answer):
    inventory: list[InventoryProduct] = []


class InventorySearch(Answer):
    data: InventoryPage


# -- stock and price (§3.4) ------------------------------------------------------------


class SubError(Answer):
    code: ErrorCode
    message: Name = ""


class ErrorDetail(Answer):
    sku_id: DigitId | None = None  # None: the error does not say which SKU
    extra_errors: list[SubError] = []


class SkuError(Answer):
    code: ErrorCode
    message: Name = ""
    detail: ErrorDetail | None = None


class InventoryResult(Answer):
    errors: list[SkuError] = []


class InventoryUpdate(Answer):
    # UNCONFIRMED (§3.4): that SKUs without an error were applied when others failed, and
    # whether `data` is always sent on success (none is read as no errors, as before).
    data: InventoryResult | None = None


class PriceUpdate(Answer):
    """``data`` is empty (§3.4): code 0 (checked by ``classify``) is all it says."""


# -- orders (§3.4, §3.5) ------------------------------------------------------------------


class LineItem(Answer):
    """One unit of an order: line items have no quantity (§3.9 #1)."""

    id: DigitId
    product_id: DigitId
    sku_id: DigitId
    seller_sku: Name | None = None
    display_status: Status | None = None
    package_status: Status | None = None


class Order(Answer):
    id: DigitId
    status: Status
    create_time: EpochSeconds
    update_time: EpochSeconds
    line_items: list[LineItem]


class OrderPage(Answer):
    orders: list[Any] = []  # each order is read on its own: one bad one is set aside
    next_page_token: PageToken = ""
    total_count: Count = 0


class OrderSearch(Answer):
    data: OrderPage


class OrderDetails(Answer):
    """``data`` of Get Order Detail (``GET /order/202507/orders?ids=…``, §3.4)."""

    orders: list[Any] = []  # each order is read on its own


class OrderDetail(Answer):
    data: OrderDetails


# -- returns (Search Returns 202309: vendor spec ``search-returns-202309``) -------------


class ReturnLineItem(Answer):
    """One returned unit: it names its order line item (one per unit, §3.9 #1); the
    202309 answer has no quantity and no product id (the order detail gives that)."""

    return_line_item_id: DigitId
    order_line_item_id: DigitId
    sku_id: DigitId
    seller_sku: Name | None = None


class Return(Answer):
    """One of ``data.return_orders[]`` (the fields syncd reads)."""

    return_id: DigitId
    order_id: DigitId
    return_type: Status  # REFUND | RETURN_AND_REFUND | REPLACEMENT (judged by statuses.py)
    return_status: Status
    update_time: EpochSeconds
    create_time: EpochSeconds | None = None
    can_buyer_keep_item: Flag | None = None
    return_line_items: list[ReturnLineItem]


class ReturnPage(Answer):
    return_orders: list[Any] = []  # each return is read on its own: one bad one is set aside
    next_page_token: PageToken = ""
    total_count: Count = 0


class ReturnSearch(Answer):
    data: ReturnPage
