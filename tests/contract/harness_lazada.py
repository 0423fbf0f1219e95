"""The Lazada harness: its simulator plus the moves the contract suite needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from adapters.lazada.simulator import LazadaSimulator
from syncd.adapter import OrderState
from tests.contract.base import Catalogue, ReturnsHarness, SimHarness


@dataclass
class LazadaHarness(SimHarness):
    """Lazada Open Platform on its simulator (Indonesia)."""

    name: str = "lazada"
    shop_id: str = "1234567"  # the seller id
    app_key: str = "123456"
    app_secret: str = "lzd_demo_app_secret_abcdef0123"  # noqa: S105 - made up (§7.2)
    start_offset: float = 0.0  # seconds the simulator clock runs behind real time at start
    sim: LazadaSimulator = field(init=False)

    STATUS: ClassVar[dict[str, str]] = {
        "open": "packed",
        "shipped": "shipped",
        "cancelled": "canceled",
    }
    #: logical path → the marketplace path a fault targets
    PATHS: ClassVar[dict[str, str]] = {
        "order_reads": "/rest/orders/*",
        "orders": "/rest/orders/get",
        "stock": "/rest/product/stock/sellable/update",
        "items": "/rest/products/get",
        "refresh": "/rest/auth/token/refresh",
    }

    def start(self, *, latency: float = 0.0, rate_limit: tuple[float, int] | None = None) -> None:
        sim = LazadaSimulator(
            app_key=self.app_key,
            app_secret=self.app_secret,
            latency=latency,
            rate_limit=rate_limit,
        )
        self.sim = sim.start()
        if self.start_offset:
            self.sim.advance(-self.start_offset)
        self.sim.add_shop(int(self.shop_id))

    def settings(self) -> dict[str, Any]:
        return {
            "app_key": self.app_key,
            "base_url": f"{self.sim.base_url}/rest",
            "auth_url": self.sim.base_url,
            "shop_rps": 200,
            "app_rps": 200,
        }

    def secrets(self) -> dict[str, str]:
        return {"partner_key": self.app_secret}  # the name ``syncd channel connect`` uses

    def authorize(self) -> str:
        return self.sim.authorize(int(self.shop_id))

    def seed(self) -> Catalogue:
        """Two products, one with two SKUs; one SKU is unknown to the master catalogue."""
        shop = int(self.shop_id)
        self.sim.add_item(
            shop,
            7001,
            "Nastar Keju",
            models=[(70011, "NASTAR-250", 45000, 5), (70012, "NASTAR-500", 85000, 5)],
        )
        self.sim.add_item(shop, 7002, "Kopi", sku="KOPI-250", price=45000, stock=5)
        self.sim.add_item(shop, 7003, "Barang lain", sku="NOT-IN-MASTER", price=1000, stock=5)
        return [
            ("NASTAR-250", "7001", "70011", 5),
            ("NASTAR-500", "7001", "70012", 5),
            ("KOPI-250", "7002", "70020", 5),
            ("NOT-IN-MASTER", "7003", "70030", 5),
        ]

    def place_order(self, item_id: str, variant_id: str, qty: int) -> str | None:
        order = self.sim.place_order(int(self.shop_id), [(int(item_id), int(variant_id), qty)])
        return None if order is None else str(order)

    def set_state(self, order_id: str, state: OrderState) -> None:
        self.sim.set_order_status(int(order_id), self.STATUS[state])

    def shown(self, item_id: str, variant_id: str) -> int:
        return self.sim.stock(int(self.shop_id), int(item_id), int(variant_id))

    def hand_edit(self, item_id: str, variant_id: str, value: int) -> None:
        with self.sim._lock:  # Seller Center sets the sellable quantity
            self.sim._sku(int(self.shop_id), int(item_id), int(variant_id)).sellable = value

    def request_return(self, order_id: str, qty: int) -> str:
        """The parcel is delivered, then the buyer asks to return ``qty`` of its units (a
        reverse order, whose id is the handle)."""
        self.sim.set_order_status(int(order_id), "delivered")
        return str(self.sim.request_return(int(order_id), qty))

    def complete_return(self, handle: str) -> None:
        self.sim.complete_return(int(handle))  # the units are ``returned``

    def close_return(self, handle: str) -> None:
        self.sim.close_return(int(handle), "REQUEST_REJECT")  # the seller refuses it

    def fail_item(self, item_id: str, variant_id: str, reason: str) -> None:
        self.sim.fail_model(int(item_id), int(variant_id), reason)

    def inject(self, kind: str, where: str, times: int = 1) -> None:
        """kind: 429, 500, timeout, malformed, expire_token, retryable_body, fatal_body."""
        kinds = {
            "retryable_body": "error_body:1000:Internal Application Error",
            "fatal_body": "error_body:MissingParameter:The input parameter payload is missing",
        }
        self.sim.inject(kinds.get(kind, kind), self.PATHS.get(where), times)


HARNESS: type[ReturnsHarness] = LazadaHarness  # returns too: mypy checks
