"""The Shopee answers the adapter reads, as documented (reference §1.3-§1.5, returns §1.4,
promotions: v2.product.get_item_promotion).

Shopee sends ids as numbers (``item_id``, ``model_id``: int64) except the order number
``order_sn`` (text, 14 characters in practice), and times as epoch seconds. The
simulator answers in these shapes; the fault suite sends everything else.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictInt

from syncd.shapes import (
    Answer,
    Cents,
    Count,
    EpochSeconds,
    Flag,
    Id,
    Name,
    NumId,
    PageToken,
    Qty,
    Seconds,
    Secret,
)

# -- authorization (§1.2) ------------------------------------------------------------


class Tokens(Answer):
    access_token: Secret
    refresh_token: Secret
    expire_in: Seconds = 14_400  # 4 hours, documented


# -- listings (§1.4) ------------------------------------------------------------------


class ItemRef(Answer):
    item_id: NumId


class ItemListPage(Answer):
    item: list[ItemRef] = []
    has_next_page: Flag = False
    next_offset: Count = 0


class ItemList(Answer):
    response: ItemListPage


class LocationStock(Answer):
    stock: Count = 0


class StockSummary(Answer):
    total_available_stock: Count = 0
    #: "Stock reserved for promotion" (get_item_base_info / get_model_list): a stock
    #: write below it is refused (update_stock: "the total stock must be larger than or
    #: equal to real-time reserved_stock promotion stock")
    total_reserved_stock: Count = 0


class StockInfo(Answer):
    seller_stock: list[LocationStock] = []
    summary_info: StockSummary | None = None

    @property
    def available(self) -> int:
        """What buyers can buy: the seller's stock over its locations, else the summary."""
        if self.seller_stock:
            return sum(s.stock for s in self.seller_stock)
        return self.summary_info.total_available_stock if self.summary_info else 0

    @property
    def reserved(self) -> int:
        """The units a promotion keeps (``summary_info.total_reserved_stock``)."""
        return self.summary_info.total_reserved_stock if self.summary_info else 0


class Price(Answer):
    original_price: Cents = 0


class Priced(Answer):
    """What an item without models and a model both carry."""

    stock_info_v2: StockInfo | None = None
    price_info: list[Price] = []

    @property
    def stock(self) -> int:
        return self.stock_info_v2.available if self.stock_info_v2 else 0

    @property
    def price(self) -> int:
        return int(self.price_info[0].original_price) if self.price_info else 0

    @property
    def locked(self) -> int:
        return self.stock_info_v2.reserved if self.stock_info_v2 else 0


class Item(Priced):
    item_id: NumId
    item_name: Name = ""
    item_sku: Name = ""
    has_model: Flag = False


class ItemInfoList(Answer):
    item_list: list[Item]


class ItemInfo(Answer):
    response: ItemInfoList


class Model(Priced):
    model_id: NumId
    model_sku: Name = ""


class ModelListBody(Answer):
    model: list[Model]


class ModelList(Answer):
    response: ModelListBody


class Written(Answer):
    model_id: NumId


class Refused(Answer):
    model_id: NumId
    failed_reason: Name = "failed"


class UpdateResult(Answer):
    success_list: list[Written] = []
    failure_list: list[Refused] = []


class Update(Answer):
    response: UpdateResult


# -- promotions (v2.product.get_item_promotion) --------------------------------------------


class PromotionStockSummary(Answer):
    total_reserved_stock: Count = 0


class PromotionStock(Answer):
    summary_info: PromotionStockSummary | None = None


class Promotion(Answer):
    """One promotion of one model (``model_id`` 0: an item without variants, UNCONFIRMED):
    ``promotion_type`` a "Data Definition - PromotionType" word, ``promotion_staging``
    ``ongoing`` or ``upcoming``, and the stock it reserves."""

    promotion_id: NumId
    promotion_type: Name = ""
    model_id: NumId = 0
    start_time: EpochSeconds | None = None
    end_time: EpochSeconds | None = None
    promotion_staging: Name = ""
    promotion_stock_info_v2: PromotionStock | None = None

    @property
    def reserved(self) -> int:
        info = self.promotion_stock_info_v2
        return info.summary_info.total_reserved_stock if info and info.summary_info else 0


class ItemPromotions(Answer):
    item_id: NumId
    promotion: list[Promotion] = []


class ItemPromotionBody(Answer):
    success_list: list[ItemPromotions] = []
    failure_list: list[Any] = []  # items whose promotions could not be read: no end told


class ItemPromotion(Answer):
    response: ItemPromotionBody


# -- orders (§1.5) ----------------------------------------------------------------------


class OrderRef(Answer):
    order_sn: Id
    order_status: Name = "?"


class OrderListPage(Answer):
    order_list: list[OrderRef] = []
    more: Flag = False
    next_cursor: PageToken = ""


class OrderList(Answer):
    response: OrderListPage


class Line(Answer):
    item_id: NumId
    model_id: NumId = 0
    # equals item_id outside bundle deals (§9); a line's identity, so never 0 (a 0 would
    # make a second line of the same units: the fault suite found one, mutated)
    order_item_id: Annotated[StrictInt, Field(ge=1, lt=2**63)] | None = None
    model_quantity_purchased: Qty
    model_sku: Name = ""
    item_sku: Name = ""


class Order(Answer):
    order_sn: Id
    order_status: Name
    create_time: EpochSeconds
    update_time: EpochSeconds
    item_list: list[Line]


class OrderDetailList(Answer):
    order_list: list[Any]  # each order is read on its own: one bad one is set aside


class OrderDetail(Answer):
    response: OrderDetailList


# -- returns (§1.4: v2.returns.get_return_list) -------------------------------------------


class ReturnItem(Answer):
    """One ``item[]`` of a return: ``amount`` units of an item's model (0: no variants)."""

    item_id: NumId
    model_id: NumId = 0
    amount: Qty


class Return(Answer):
    """A return record. ``return_solution`` (added 2024-12-31): 0 return and refund, 1
    refund only; ``needs_logistics``: the items are to be sent back to the seller;
    ``validation_type``: ``seller_validation`` or ``warehouse_validation``."""

    return_sn: Id
    order_sn: Id
    status: Name
    update_time: EpochSeconds
    item: list[ReturnItem]
    needs_logistics: Flag
    return_solution: Annotated[StrictInt, Field(ge=0, le=1)] = 0
    validation_type: Name = ""


class ReturnListPage(Answer):
    more: Flag = False
    # each record is read on its own: one bad one is set aside, never the page
    returns: list[Any] = Field(default=[], alias="return")


class ReturnList(Answer):
    response: ReturnListPage
