"""The Shopee harness: its simulator plus the moves the contract suite needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from adapters.shopee.simulator import ShopeeSimulator
from syncd.adapter import OrderState
from tests.contract.base import Catalogue, ReturnsHarness, SimHarness


@dataclass
class ShopeeHarness(SimHarness):
    """Shopee v2 on its simulator."""

    name: str = "shopee"
    shop_id: str = "998877"
    partner_key: str = "shpk_demo_partner_key_0123456789"
    start_offset: float = 0.0  # seconds the simulator clock runs behind real time at start
    sim: ShopeeSimulator = field(init=False)

    STATUS: ClassVar[dict[str, str]] = {
        "open": "READY_TO_SHIP",
        "shipped": "SHIPPED",
        "cancelled": "CANCELLED",
    }
    #: logical path → the marketplace path a fault targets
    PATHS: ClassVar[dict[str, str]] = {
        "order_reads": "/api/v2/order/*",
        "orders": "/api/v2/order/get_order_list",
        "stock": "/api/v2/product/update_stock",
        "items": "/api/v2/product/get_item_list",
        "refresh": "/api/v2/auth/access_token/get",
        "returns": "/api/v2/returns/get_return_list",
    }

    def start(self, *, latency: float = 0.0, rate_limit: tuple[float, int] | None = None) -> None:
        sim = ShopeeSimulator(partner_key=self.partner_key, latency=latency, rate_limit=rate_limit)
        self.sim = sim.start()
        if self.start_offset:
            self.sim.advance(-self.start_offset)
        self.sim.add_shop(int(self.shop_id))

    def settings(self) -> dict[str, Any]:
        return {
            "partner_id": self.sim.partner_id,
            "base_url": self.sim.base_url,
            "shop_rps": 200,
            "app_rps": 200,
        }

    def secrets(self) -> dict[str, str]:
        return {"partner_key": self.partner_key}

    def authorize(self) -> str:
        return self.sim.authorize(int(self.shop_id))

    def seed(self) -> Catalogue:
        """Two items, one with two variants; one SKU is unknown to the master catalogue."""
        shop = int(self.shop_id)
        self.sim.add_item(
            shop,
            7001,
            "Nastar Keju",
            models=[(1, "NASTAR-250", 45000, 5), (2, "NASTAR-500", 85000, 5)],
        )
        self.sim.add_item(shop, 7002, "Kopi", sku="KOPI-250", price=45000, stock=5)
        self.sim.add_item(shop, 7003, "Barang lain", sku="NOT-IN-MASTER", price=1000, stock=5)
        return [
            ("NASTAR-250", "7001", "1", 5),
            ("NASTAR-500", "7001", "2", 5),
            ("KOPI-250", "7002", "", 5),
            ("NOT-IN-MASTER", "7003", "", 5),
        ]

    def place_order(self, item_id: str, variant_id: str, qty: int) -> str | None:
        return self.sim.place_order(int(self.shop_id), [(int(item_id), int(variant_id or 0), qty)])

    def set_state(self, order_id: str, state: OrderState) -> None:
        self.sim.set_order_status(order_id, self.STATUS[state])

    def shown(self, item_id: str, variant_id: str) -> int:
        return self.sim.stock(int(self.shop_id), int(item_id), int(variant_id or 0))

    def hand_edit(self, item_id: str, variant_id: str, value: int) -> None:
        with self.sim._lock:  # the seller app writes the model's stock
            self.sim._model(int(self.shop_id), int(item_id), int(variant_id or 0)).stock = value

    def fail_item(self, item_id: str, variant_id: str, reason: str) -> None:
        self.sim.fail_model(int(item_id), int(variant_id or 0), reason)

    def inject(self, kind: str, where: str, times: int = 1) -> None:
        """kind: 429, 500, timeout, malformed, expire_token, retryable_body, fatal_body."""
        kinds = {
            "retryable_body": "error_body:error_server:Something wrong. Please try later.",
            "fatal_body": "error_body:error_param:Invalid item_id.",
        }
        self.sim.inject(kinds.get(kind, kind), self.PATHS.get(where), times)

    # -- returns (issue 12): the buyer's moves on Shopee's return list

    def request_return(self, order_id: str, qty: int) -> str:
        """A return and refund of ``qty`` units of the order's first line (REQUESTED)."""
        line = self.sim.orders[order_id].lines[0]
        return self.sim.request_return(order_id, [(line.item_id, line.model_id, qty)])

    def complete_return(self, handle: str) -> None:
        """The seller has the goods and the refund is accepted (ACCEPTED, return and
        refund: see the adapter's docstring for why that is "received")."""
        self.sim.set_return_status(handle, "ACCEPTED")

    def close_return(self, handle: str) -> None:
        """The buyer cancels the request: nothing comes back (CANCELLED)."""
        self.sim.set_return_status(handle, "CANCELLED")


HARNESS: type[ReturnsHarness] = ShopeeHarness  # returns too: mypy checks
