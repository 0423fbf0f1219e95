"""The Lazada answers the adapter reads, as documented (reference §2.2, §2.4, §2.7).

Every answer is an envelope (``code``, ``type``, ``message``, ``request_id``; §2.7) with
the result beside it: the token fields at the top level, everything else under ``data``.

Kinds of values, and how they are read here:

* **Ids** (``order_id``, ``order_item_id``, ``item_id``/``product_id``, ``SkuId``/
  ``sku_id``): UNCONFIRMED (§2.4 names the fields, not their types) whether Lazada sends
  them as numbers or as text; its push messages carry order ids as text (§7.2), the
  simulator sends numbers. Either is read, as long as it is a positive 64-bit whole
  number (digits only when text): :data:`LzId`, always kept as text.
* **Order times** (``created_at``, ``updated_at``): UNCONFIRMED (§2.4) format; read as
  ``2026-11-20 10:15:32 +0700`` (what the simulator sends) or ISO 8601, and a time
  without an offset is WIB (:data:`LzTime`).
* **Prices**: UNCONFIRMED whether a number or decimal text (``"45000.00"``, what the
  simulator sends); both are read, in whole rupiah (:data:`Money`).
* **Stock counts** (``quantity``, ``Available``, ``sellableQuantity``, ``total_products``,
  ``items_count``) **and token lifetimes** (``expires_in``, ``refresh_expires_in``, in
  seconds, §2.2): JSON numbers, as the simulator sends them. UNCONFIRMED (the reference
  gives no types) that Lazada never sends them as text; text there is refused.
* **Seller ids** (``country_user_info[].seller_id``): text, as in the push sample (§7.2),
  or a number; any printable id (not only digits: a refused token answer would burn the
  single-use code, §2.2 #2).
* **A SKU's campaign locks** (``channelInventories[]``; vendor reference ``GetProducts``
  demo: ``{"channelName", "startTime", "endTime", "sellableQuantity"}``, times such as
  ``2022-05-28 00:00:00``; the "LazOP 2.0 overview" names the campaign ``CampaignName``,
  demo value the number ``60``, times ``2020-02-03 00:00``): read leniently, entry by
  entry (:func:`campaign`); an entry that does not fit is skipped (the adapter logs it),
  never the SKU. UNCONFIRMED: the time zone of the times (no offset: read as WIB, like the
  order times) and whether ``channelName`` is a name or an id (the demo's is a UUID).
* **A unit's return** (``reverse_order_id``, ``return_status``; vendor reference
  ``GetMultipleOrderItems``): read leniently (:func:`reverse_id`, :func:`return_word`), on
  their own, after the unit: a value that does not fit costs the unit's return record
  (the adapter logs why), never the order.

What is not read is not declared: a marketplace adding a field, or spoiling one we do
not use, stops nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any

from pydantic import AliasChoices, Field, PlainValidator, StrictStr
from pydantic import StringConstraints as Text

from syncd.adapter import MAX_ID_LEN, ORDER_YEARS
from syncd.shapes import Answer, Count, Name, Seconds, Secret

__all__ = [
    "WIB",
    "Campaign",
    "Code",
    "Envelope",
    "Failure",
    "ItemsEntry",
    "Listed",
    "LzId",
    "LzTime",
    "Money",
    "Order",
    "OrderItems",
    "Orders",
    "OrdersData",
    "Product",
    "Products",
    "ProductsData",
    "Ref",
    "Report",
    "SellerInfo",
    "Sku",
    "Stamped",
    "Tokens",
    "Unit",
    "Warehouse",
    "Word",
    "campaign",
    "return_word",
    "reverse_id",
]

#: Indonesia's time (UTC+7): what a Lazada time without an offset is read in.
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
_DIGITS = re.compile(r"[1-9][0-9]{0,18}")
_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? ?(Z|[+-]\d\d:?\d\d)?"
)
#: a campaign time without seconds, as in the vendor's overview (``2020-02-03 00:00``)
_MINUTES = re.compile(r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d)( ?(?:Z|[+-]\d\d:?\d\d))?")
_MONEY = re.compile(r"\d{1,12}(?:\.\d{1,4})?")
_TEXT_ID = re.compile(rf"[!-~]{{1,{MAX_ID_LEN}}}")  # the kit's ``Id``


def _lazada_id(value: Any) -> str:
    """A positive 64-bit id, sent as a number or as digits; as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 < value < 2**63:
            return str(value)
        raise ValueError("an id out of range (1..2^63-1)")
    if isinstance(value, str) and _DIGITS.fullmatch(value) and int(value) < 2**63:
        return value
    raise ValueError("not an id (a positive whole number, or its digits as text)")


def _lazada_time(value: Any) -> dt.datetime:
    """``2026-11-20 10:15:32 +0700`` or ISO 8601; no offset means WIB; years 2010..2100."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("not a time (text such as 2026-11-20 10:15:32 +0700)")
    match = _TIME.fullmatch(value.strip())
    if match is None:
        raise ValueError("not a time (text such as 2026-11-20 10:15:32 +0700)")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    zone: dt.tzinfo = WIB
    if offset == "Z":
        zone = dt.UTC
    elif offset is not None:
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 14 or minutes > 59:
            raise ValueError("a time with an impossible offset")
        sign = -1 if offset[0] == "-" else 1
        zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        when = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError:
        raise ValueError("a date or time of day that does not exist") from None
    if not ORDER_YEARS[0] <= when.year < ORDER_YEARS[1]:
        raise ValueError(f"a time outside {ORDER_YEARS[0]}..{ORDER_YEARS[1]}")
    return when


def _money(value: Any) -> int:
    """A price, as a number or decimal text, in whole rupiah (0..10^12)."""
    if isinstance(value, bool):
        raise ValueError("not a price")
    if isinstance(value, int | float):
        if math.isfinite(value) and 0 <= value <= 10**12:
            return int(value)
        raise ValueError("a price out of range (0..10^12)")
    if isinstance(value, str) and _MONEY.fullmatch(value):
        return int(float(value))
    raise ValueError("not a price (a number, or decimal text such as 45000.00)")


#: A Lazada id: a positive 64-bit whole number, sent as a number or as digits (UNCONFIRMED
#: which, §2.4); kept as text.
LzId = Annotated[str, PlainValidator(_lazada_id)]
#: An order time (UNCONFIRMED format, §2.4): ``2026-11-20 10:15:32 +0700`` or ISO 8601.
LzTime = Annotated[dt.datetime, PlainValidator(_lazada_time)]
#: A price in rupiah (UNCONFIRMED: a number or decimal text), whole rupiah.
Money = Annotated[int, PlainValidator(_money)]
#: A short word from a fixed vocabulary (an order status, a country, an answer's code).
Word = Annotated[StrictStr, Text(min_length=1, max_length=64)]
#: An answer's ``code`` (``"0"`` on success, §2.7) or a country (``id``; ``cb``, §2.2).
Code = Word


# -- the envelope (§2.7) ----------------------------------------------------------------


class Envelope(Answer):
    """What every answer carries: ``code`` ``"0"`` on success, else the error's code."""

    code: Code
    message: Name | None = None


class Failure(Answer):
    """One entry of a ``501`` report: the SKU that failed (named by its SKU id or only
    by its seller SKU: UNCONFIRMED, §2.4) and why."""

    sku_id: LzId | None = Field(None, validation_alias=AliasChoices("sku_id", "SkuId"))
    seller_sku: Name | None = Field(None, validation_alias=AliasChoices("seller_sku", "SellerSku"))
    message: Name | None = None
    field: Name | None = None


class Report(Envelope):
    """A batch write in which some SKUs failed (``501`` with ``detail``, §2.7)."""

    detail: list[Failure] = Field(min_length=1)


# -- authorization (§2.2) -----------------------------------------------------------------


def _seller_id(value: Any) -> str:
    """A seller id: text (as in the push sample, §7.2) or a number; as text."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return str(value)
    if isinstance(value, str) and _TEXT_ID.fullmatch(value):
        return value
    raise ValueError("not a seller id (printable text without spaces, or a number)")


class SellerInfo(Answer):
    country: Code | None = None
    seller_id: Annotated[str, PlainValidator(_seller_id)] | None = None


class Tokens(Answer):
    access_token: Secret
    refresh_token: Secret
    #: seconds; absent: the documented 30 days (§2.2)
    expires_in: Seconds | None = None
    #: seconds; ``0``: cannot be refreshed; absent: UNCONFIRMED, read as 180 days (§2.2)
    refresh_expires_in: Seconds | None = None
    country: Code | None = None
    country_user_info: list[SellerInfo] = []

    def seller(self) -> dict[str, str] | None:
        """The seller this token is for: the ``country_user_info`` entry of its country.

        A local seller has one entry; a cross-border token (``country = "cb"``) spans
        six, and then none is *the* seller (§2.2 #7).
        """
        country = (self.country or "").lower()
        infos = self.country_user_info
        mine = [i for i in infos if (i.country or "").lower() == country] or (
            infos if len(infos) == 1 else []
        )
        if len(mine) != 1 or not mine[0].seller_id:
            return None
        return {"seller_id": mine[0].seller_id, "country": mine[0].country or ""}


# -- products (§2.4 GetProducts) ----------------------------------------------------------


class Warehouse(Answer):
    sellable: Count = Field(alias="sellableQuantity")


class Campaign(Answer):
    """One entry of a SKU's ``channelInventories``: units a campaign keeps (they are part
    of the SKU's sellable quantity, vendor guide "Inventory calculation logic"), until
    ``end`` when told."""

    units: Count
    name: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def _campaign_time(value: Any) -> dt.datetime | None:
    """A campaign's ``startTime``/``endTime``: absent or empty is None; else an order-style
    time, or one without seconds; raises ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and (match := _MINUTES.fullmatch(value.strip())):
        value = f"{match.group(1)}:00{match.group(2) or ''}"
    return _lazada_time(value)


def _campaign_name(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):  # the overview's demo: ``"CampaignName": 60``
        return str(value)
    if isinstance(value, str) and len(value) <= 200 and value.isprintable():
        return value.strip()
    raise ValueError("not a campaign name (short text)")


def campaign(raw: Any) -> Campaign:
    """One ``channelInventories`` entry, read leniently; raises ValueError when its units
    are not a count or a name or time is not one (the caller skips that entry).

    The name is ``CampaignName`` (overview), else ``name``, else ``channelName``
    (``GetProducts`` demo: a UUID).
    """
    if not isinstance(raw, dict):
        raise ValueError("a campaign entry is not an object")
    units = raw.get("sellableQuantity")
    if isinstance(units, bool) or not isinstance(units, int) or not 0 <= units <= 10**9:
        raise ValueError("a campaign's sellableQuantity is not a count")
    names = (raw.get(k) for k in ("CampaignName", "name", "channelName"))
    name = next((n for n in map(_campaign_name, names) if n), "")
    return Campaign(
        units=units,
        name=name,
        start=_campaign_time(raw.get("startTime")),
        end=_campaign_time(raw.get("endTime")),
    )


class Sku(Answer):
    sku_id: LzId = Field(alias="SkuId")
    seller_sku: Name | None = Field(None, alias="SellerSku")
    status: Name = Field("", alias="Status")
    available: Count | None = Field(None, alias="Available")
    quantity: Count | None = None  # the total, held units included (§2.8 #1)
    price: Money = 0
    warehouses: list[Warehouse] = Field([], alias="multiWarehouseInventories")
    #: campaign locks, each read on its own (:func:`campaign`): a bad one costs only itself
    campaigns: list[Any] = Field([], alias="channelInventories")

    @property
    def sellable(self) -> int:
        """What buyers can still buy: the sum of the warehouses' sellable quantity.

        UNCONFIRMED (§2.4): without ``multiWarehouseInventories`` we read ``Available``
        as the sellable quantity; ``quantity`` is the total and only the last resort.
        """
        if self.warehouses:
            return sum(w.sellable for w in self.warehouses)
        if self.available is not None:
            return self.available
        return self.quantity if self.quantity is not None else 0


class Attributes(Answer):
    name: Name = ""


class Product(Answer):
    item_id: LzId
    status: Name = ""
    attributes: Attributes | None = None
    skus: list[Sku] = []

    @property
    def name(self) -> str:
        return self.attributes.name if self.attributes else ""


class ProductsData(Answer):
    total_products: Count = 0
    products: list[Product] = []  # absent on a page past the end


class Products(Answer):
    data: ProductsData


# -- orders (§2.4 GetOrders, GetMultipleOrderItems) ----------------------------------------


class Ref(Answer):
    """Just enough of a listed order to ask for its unit rows."""

    order_id: LzId


class Listed(Ref):
    """What the order list shows of an order."""

    statuses: list[Word] = []  # the units' statuses (their order carries no meaning)
    created_at: LzTime
    updated_at: LzTime
    items_count: Count | None = None  # units

    def shows_units(self, units: int) -> bool:
        """Whether the list's unit count is ``units`` (a list without it says nothing)."""
        return self.items_count == units or "items_count" not in self.model_fields_set


class Unit(Answer):
    """One unit row (no quantity field: one row per unit, §2.4, §2.8 #7)."""

    order_item_id: LzId
    product_id: LzId
    sku_id: LzId
    sku: Name | None = None  # the seller SKU
    status: Word
    # the unit's return, read on its own (``reverse_id``, ``return_word``): not declared
    # as a type, so a spoiled value never sets the order aside
    reverse_order_id: Any = None
    return_status: Any = None


class Stamped(Answer):
    """A unit row's own times (§2.4: ``created_at``, ``updated_at`` on each row), read
    when an order is read by its id, with no list entry to carry the order's."""

    created_at: LzTime
    updated_at: LzTime


def reverse_id(value: Any) -> str | None:
    """A unit's ``reverse_order_id`` (a Long in the vendor reference): the id as text, or
    None when there is none (absent, ``null``, ``0``, ``""``). Raises ValueError for a
    value that is not an id."""
    if value is None or (not isinstance(value, bool) and value in (0, "", "0")):
        return None
    return _lazada_id(value)


def return_word(value: Any) -> str:
    """A unit's ``return_status`` (text in the vendor reference, demo value ``"0"``) as
    sent, stripped; ``""`` when there is none. Raises ValueError for what is not a word."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 64 or not value.isprintable():
        raise ValueError("not a return status (a short word)")
    word = value.strip()
    return "" if word == "0" else word


class Order(Listed):
    """A listed order with the unit rows ``/orders/items/get`` returned for it."""

    order_items: list[Unit] = []


class OrdersData(Answer):
    orders: list[Any] = []  # each order is read on its own: one bad one is set aside


class Orders(Answer):
    data: OrdersData


class ItemsEntry(Answer):
    order_id: LzId
    order_items: list[Any] = []  # read with the order (``Order``): a bad row sets it aside


class OrderItems(Answer):
    data: list[ItemsEntry]
