"""The TikTok Shop harness: its simulator plus the moves the contract suite needs.

TikTok Shop also serves Tokopedia shops (the registry maps ``tokopedia`` to
``tiktok``), so this one harness covers both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from adapters.tiktok.simulator import DEFAULT_WAREHOUSE, TikTokSimulator
from syncd.adapter import OrderState
from tests.contract.base import Catalogue, ReturnsHarness, SimHarness

SECOND_WAREHOUSE = "7000714532876273999"


@dataclass
class TikTokHarness(SimHarness):
    """TikTok Shop Partner API on its simulator."""

    name: str = "tiktok"
    shop_id: str = "7494049642642441621"
    app_key: str = "6abcdeftt01"
    app_secret: str = "tts_demo_app_secret_9f8e7d6c5b4a"  # noqa: S105 - §7.3 fixture
    start_offset: float = 0.0  # seconds the simulator clock runs behind real time at start
    sim: TikTokSimulator = field(init=False)

    STATUS: ClassVar[dict[str, str]] = {
        "open": "AWAITING_SHIPMENT",
        "shipped": "IN_TRANSIT",
        "cancelled": "CANCELLED",
    }
    #: logical path → the marketplace path (a glob) a fault targets
    PATHS: ClassVar[dict[str, str]] = {
        "order_reads": "/order/202309/orders/*",
        "orders": "/order/202309/orders/search",
        "stock": "/product/202309/products/*/inventory/update",
        "items": "/product/202502/products/search",
        "refresh": "/api/v2/token/refresh",
        "returns": "/return_refund/202309/returns/search",
    }

    def start(self, *, latency: float = 0.0, rate_limit: tuple[float, int] | None = None) -> None:
        offset = self.start_offset
        sim = TikTokSimulator(
            app_key=self.app_key,
            app_secret=self.app_secret,
            clock=(lambda: time.time() - offset) if offset else None,
            latency=latency,
            rate_limit=rate_limit,
        )
        self.sim = sim.start()
        self.sim.add_shop(self.shop_id, name="Dapur Bu Sri", region="ID")

    def settings(self) -> dict[str, Any]:
        url = self.sim.base_url
        return {
            "app_key": self.app_key,
            "service_id": self.sim.service_id,
            "base_url": url,
            "auth_base_url": url,
            "authorize_url": f"{url}/open/authorize",
            "shop_rps": 200,
            "app_rps": 200,
        }

    def secrets(self) -> dict[str, str]:
        # "partner_key" is the name core code stores an app's signing secret under
        return {"partner_key": self.app_secret}

    def authorize(self) -> str:
        return self.sim.authorize(self.shop_id)

    def seed(self) -> Catalogue:
        """Three products, one with two SKUs, one stocked in two warehouses; one SKU is
        unknown to the master catalogue."""
        shop = self.shop_id
        self.sim.add_item(
            shop,
            "1729592969712207001",
            "Nastar Keju",
            models=[
                ("1729592969712208011", "NASTAR-250", 45000, 5),
                ("1729592969712208012", "NASTAR-500", 85000, 5),
            ],
        )
        self.sim.add_item(
            shop,
            "1729592969712207002",
            "Kopi",
            models=[("1729592969712208021", "KOPI-250", 45000, (3, 2))],
            warehouses=(DEFAULT_WAREHOUSE, SECOND_WAREHOUSE),
        )
        self.sim.add_item(
            shop,
            "1729592969712207003",
            "Barang lain",
            models=[("1729592969712208031", "NOT-IN-MASTER", 1000, 5)],
        )
        return [
            ("NASTAR-250", "1729592969712207001", "1729592969712208011", 5),
            ("NASTAR-500", "1729592969712207001", "1729592969712208012", 5),
            ("KOPI-250", "1729592969712207002", "1729592969712208021", 5),
            ("NOT-IN-MASTER", "1729592969712207003", "1729592969712208031", 5),
        ]

    def place_order(self, item_id: str, variant_id: str, qty: int) -> str | None:
        return self.sim.place_order(self.shop_id, [(item_id, variant_id, qty)])

    def set_state(self, order_id: str, state: OrderState) -> None:
        self.sim.set_order_status(order_id, self.STATUS[state])

    def request_return(self, order_id: str, qty: int) -> str:
        """The buyer asks to return ``qty`` units; a buyer returns a delivered order (the
        overview's table), so a shipped order is delivered first."""
        if self.sim.orders[order_id].status == "IN_TRANSIT":
            self.sim.set_order_status(order_id, "DELIVERED")
        return self.sim.request_return(order_id, qty)

    def complete_return(self, handle: str) -> None:
        """The documented way to the end: approved, shipped back, checked, refunded."""
        for status in (
            "AWAITING_BUYER_SHIP",
            "BUYER_SHIPPED_ITEM",
            "RETURN_OR_REFUND_REQUEST_SUCCESS",
            "RETURN_OR_REFUND_REQUEST_COMPLETE",
        ):
            self.sim.set_return_status(handle, status)

    def close_return(self, handle: str) -> None:
        """The seller rejects the request; no arbitration follows, so the system closes it."""
        self.sim.set_return_status(handle, "REFUND_OR_RETURN_REQUEST_REJECT")
        self.sim.set_return_status(handle, "RETURN_OR_REFUND_REQUEST_CANCEL")

    def shown(self, item_id: str, variant_id: str) -> int:
        return self.sim.stock(self.shop_id, item_id, variant_id)

    def hand_edit(self, item_id: str, variant_id: str, value: int) -> None:
        with self.sim._lock:  # Seller Center: all of it in the first warehouse
            sku = self.sim._sku(self.shop_id, item_id, variant_id)
            first, *rest = sku.stock
            sku.stock = {first: value, **dict.fromkeys(rest, 0)}

    def fail_item(self, item_id: str, variant_id: str, reason: str) -> None:
        self.sim.fail_model(item_id, variant_id, reason)

    def inject(self, kind: str, where: str, times: int = 1) -> None:
        """kind: 429, 500, timeout, malformed, expire_token, retryable_body, fatal_body."""
        kinds = {
            "retryable_body": "error_body:36009003:Internal error. Please try again.",
            "fatal_body": "error_body:36009014:API version 202309 has been retired.",
        }
        self.sim.inject(kinds.get(kind, kind), self.PATHS.get(where), times)


HARNESS: type[ReturnsHarness] = TikTokHarness  # returns too: mypy checks
