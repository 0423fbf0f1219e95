"""The WooCommerce answers the adapter reads (reference §4.2), as pydantic shapes.

* **Ids** (``id``, ``product_id``, ``variation_id``): JSON numbers in WooCommerce core;
  kept as text. ``variation_id`` is ``0`` on a line of a simple product.
* **Stock** (``stock_quantity``): a number, or ``null`` when the product does not manage
  stock. WooCommerce allows negative stock (backorders); a negative count is read as 0
  shown (UNCONFIRMED: how a store with backorders wants it counted).
* **Prices** (``regular_price``, ``price``): decimal text (``"45000"``, ``"45000.00"``),
  ``""`` when unset; read in whole rupiah.
* **Times** (``date_created_gmt``, ``date_modified_gmt``): ``2026-11-20T03:15:32``
  without an offset, in UTC (the ``*_gmt`` fields, §4.6 #1).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, PlainValidator, RootModel, StrictStr
from pydantic import StringConstraints as Text

from syncd.shapes import Answer, DecimalMoney, Name, Qty, UtcTime

__all__ = [
    "BatchItem",
    "BatchResult",
    "ItemError",
    "LineItem",
    "Listed",
    "Money",
    "Order",
    "Product",
    "Refund",
    "RefundLine",
    "RefundRef",
    "Variation",
    "WcError",
    "WcId",
    "WcTime",
]

_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?(Z|[+-]00:?00)?")
_MONEY = re.compile(r"\d{1,12}(?:\.\d{1,6})?")


def _wc_id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return str(value)
    raise ValueError("not an id (a whole number 0..2^63-1)")


def _stock(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and -(10**9) <= value <= 10**9:
        return max(0, value)
    raise ValueError("not a stock count (a whole number or null)")


#: A WooCommerce id (a JSON number), kept as text.
WcId = Annotated[str, PlainValidator(_wc_id)]
#: A ``*_gmt`` time: ISO 8601 without an offset, UTC.
WcTime = UtcTime
#: A price as decimal text (``""``: unset, 0), whole rupiah.
Money = DecimalMoney
#: ``stock_quantity``: a count, or None when stock is not managed.
Stock = Annotated[int | None, PlainValidator(_stock)]
Word = Annotated[StrictStr, Text(min_length=1, max_length=64)]


class WcError(Answer):
    """An error answer: ``{code, message, data: {status}}`` (§4.5)."""

    code: Word
    message: Name = ""


class Variation(Answer):
    id: WcId
    sku: Name = ""
    manage_stock: bool | StrictStr = False  # "parent": the parent's stock (UNCONFIRMED use)
    stock_quantity: Stock = None
    regular_price: Money = 0
    price: Money = 0


class Product(Variation):
    name: Name = ""
    type: Word = "simple"
    status: Word = "publish"
    variations: list[Any] = []  # the variation ids; read from /variations instead


class Ref(Answer):
    id: WcId


Listed = RootModel[list[Ref]]  # a list answer of which only the ids are read


class ItemError(Answer):
    code: Word
    message: Name = ""


class BatchItem(Answer):
    """One object of a batch answer: the object written, or ``{id, error}``."""

    id: WcId
    error: ItemError | None = None
    stock_quantity: Stock = None


class BatchResult(Answer):
    update: list[BatchItem] = []


class LineItem(Answer):
    id: WcId
    product_id: WcId
    variation_id: WcId = "0"
    sku: Name | None = None
    quantity: Qty


class RefundRef(Answer):
    """A refund as an order lists it: its id (its line items come from /refunds)."""

    id: WcId


class Order(Answer):
    id: WcId
    status: Word
    date_created_gmt: WcTime
    date_modified_gmt: WcTime
    line_items: list[LineItem] = Field(default_factory=list)
    refunds: list[RefundRef] = Field(default_factory=list)


def _refunded_units(value: Any) -> int:
    """A refund line's ``quantity``: the units refunded, negative (``wc_create_refund``
    stores ``qty * -1``); 0 for a line refunded in money only. Read as units, ≥ 0."""
    if isinstance(value, int) and not isinstance(value, bool) and -(10**6) <= value <= 0:
        return -value
    raise ValueError("not a refunded quantity (a whole number from -1000000 to 0)")


class RefundLine(Answer):
    id: WcId
    product_id: WcId
    variation_id: WcId = "0"
    quantity: Annotated[int, PlainValidator(_refunded_units)] = 0


class Refund(Answer):
    """One refund of ``/orders/{id}/refunds`` (§4.2)."""

    id: WcId
    date_created_gmt: WcTime
    line_items: list[RefundLine] = Field(default_factory=list)


class Webhook(Answer):
    """One of ``GET /webhooks`` (§4.2, §4.4). Its ``secret`` is never read back
    (UNCONFIRMED whether core shows it: syncd sends it again instead)."""

    id: WcId
    name: Name = ""
    status: Word
    topic: Name
    delivery_url: Name = ""
