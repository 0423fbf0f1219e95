"""The WooCommerce harness: its simulator (one store) plus the moves the contract needs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from adapters.woocommerce.simulator import STOCK_WRITES, WooSimulator
from syncd.adapter import OrderState
from tests.contract.base import Catalogue, ReturnsHarness, SimHarness


@dataclass
class WooHarness(SimHarness):
    """A WooCommerce store on its simulator; the shop is the store."""

    name: str = "woocommerce"
    shop_id: str = "toko-bu-sri"
    consumer_key: str = "ck_demo_0123456789abcdef"
    consumer_secret: str = "cs_demo_0123456789abcdef"  # noqa: S105 - made up
    start_offset: float = 0.0
    query_auth: bool = False
    sim: WooSimulator = field(init=False)

    STATUS: ClassVar[dict[str, str]] = {
        "open": "pending",
        "shipped": "processing",
        "cancelled": "cancelled",
    }
    PATHS: ClassVar[dict[str, str]] = {
        "order_reads": "/wp-json/wc/v3/orders*",
        "orders": "/wp-json/wc/v3/orders",
        "stock": STOCK_WRITES,  # the batch calls that write stock
        "items": "/wp-json/wc/v3/products",
        "refresh": "/wc-auth/*",  # nothing to refresh: never called
        "returns": "/wp-json/wc/v3/orders/*/refunds",
    }

    def start(self, *, latency: float = 0.0, rate_limit: tuple[float, int] | None = None) -> None:
        sim = WooSimulator(
            consumer_key=self.consumer_key,
            consumer_secret=self.consumer_secret,
            clock=lambda: time.time() - self.start_offset,
            latency=latency,
            rate_limit=rate_limit,
        )
        self.sim = sim.start()

    def settings(self) -> dict[str, Any]:
        return {
            "base_url": self.sim.base_url,
            "consumer_key": self.consumer_key,
            "query_auth": self.query_auth,
            "shop_rps": 200,
            "app_rps": 200,
        }

    def secrets(self) -> dict[str, str]:
        return {"consumer_secret": self.consumer_secret}

    def authorize(self) -> str:
        return ""  # api_key: no authorization code

    def seed(self) -> Catalogue:
        """A variable product with two variations and two simple products."""
        parent, v250, v500 = self.sim.add_variable(
            "Nastar Keju", [("NASTAR-250", 45000, 5), ("NASTAR-500", 85000, 5)]
        )
        kopi = self.sim.add_simple("Kopi", sku="KOPI-250", price=45000, stock=5)
        other = self.sim.add_simple("Barang lain", sku="NOT-IN-MASTER", price=1000, stock=5)
        return [
            ("NASTAR-250", str(parent), str(v250), 5),
            ("NASTAR-500", str(parent), str(v500), 5),
            ("KOPI-250", str(kopi), "", 5),
            ("NOT-IN-MASTER", str(other), "", 5),
        ]

    def place_order(self, item_id: str, variant_id: str, qty: int) -> str | None:
        order = self.sim.place_order([(int(item_id), int(variant_id or 0), qty)])
        return None if order is None else str(order)

    def set_state(self, order_id: str, state: OrderState) -> None:
        self.sim.set_status(int(order_id), self.STATUS[state])

    def shown(self, item_id: str, variant_id: str) -> int:
        return self.sim.stock(int(item_id), int(variant_id or 0)) or 0

    def hand_edit(self, item_id: str, variant_id: str, value: int) -> None:
        self.sim.edit_stock(int(item_id), int(variant_id or 0), value)

    def fail_item(self, item_id: str, variant_id: str, reason: str) -> None:
        self.sim.fail_item(int(variant_id or item_id), reason)

    # WooCommerce core has no return requests (plugins add them): a return is the
    # seller's refund of the units once they are back, with "restock refunded items"
    def request_return(self, order_id: str, qty: int) -> str:
        return f"{order_id}:{qty}"  # nothing on the store yet

    def complete_return(self, handle: str) -> None:
        order_id, qty = handle.split(":")
        first = self.sim.line_ids(int(order_id))[0]
        self.sim.refund(int(order_id), [(first, int(qty))], restock=True, reason="retur")

    def close_return(self, handle: str) -> None:
        """A request the seller turns down: no refund, nothing on the store."""

    def inject(self, kind: str, where: str, times: int = 1) -> None:
        """kind: 429, 500, timeout, malformed, expire_token, retryable_body, fatal_body."""
        kinds = {
            "retryable_body": "503",
            "fatal_body": "error_body:woocommerce_rest_invalid_param:Invalid parameter(s): update",
        }
        self.sim.inject(kinds.get(kind, kind), self.PATHS.get(where), times)


HARNESS: type[ReturnsHarness] = WooHarness  # returns too: mypy checks
