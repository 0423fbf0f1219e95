"""The Toko Mainan answers the adapter reads, from ``syncd.shapes``' strict field types."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt

from syncd.shapes import Answer, Count, EpochSeconds, Id, Name, NumId, Qty

__all__ = ["ItemError", "Line", "Order", "OrderList", "Product", "ProductPage", "WriteResult"]

#: A price in whole rupiah.
Rupiah = Annotated[StrictInt, Field(ge=0, le=10**12)]


class Product(Answer):
    id: Id
    sku: Name = ""
    name: Name = ""
    stock: Count
    price: Rupiah


class ProductPage(Answer):
    products: list[Product]
    next_page: NumId | None = None


class ItemError(Answer):
    code: Id
    message: Name = ""


class Written(Answer):
    id: Id
    error: ItemError | None = None


class WriteResult(Answer):
    results: list[Written]


class Line(Answer):
    id: Id
    product_id: Id
    sku: Name = ""
    qty: Qty


class Order(Answer):
    id: Id
    status: Literal["new", "sent", "cancelled", "returned"]
    created_at: EpochSeconds
    updated_at: EpochSeconds
    lines: list[Line]


class OrderList(Answer):
    orders: list[Any]  # each read on its own (``read_each``): one bad order is set aside
    next_page: NumId | None = None
