"""The contract suite's moves on the Toko Mainan simulator (``tests/contract/base.py``)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from syncd.adapter import OrderState
from tests.contract.base import Catalogue, Harness, SimHarness
from tests.toy_market.simulator import API, ToySimulator

__all__ = ["HARNESS", "ToyHarness"]


@dataclass
class ToyHarness(SimHarness):
    """One Toko Mainan shop on its simulator."""

    name: str = "toko_mainan"
    shop_id: str = "toko-bu-sri"
    api_key: str = "tm_key_0123456789abcdef"
    merchant_code: str = "TM-1001"
    start_offset: float = 0.0
    sim: ToySimulator = field(init=False)

    STATUS: ClassVar[dict[str, str]] = {
        "open": "new",
        "shipped": "sent",
        "cancelled": "cancelled",
        "returned": "returned",
    }
    PATHS: ClassVar[dict[str, str]] = {
        "order_reads": f"{API}/orders*",
        "orders": f"{API}/orders",
        "stock": f"{API}/stock",
        "items": f"{API}/products",
        "refresh": f"{API}/token*",  # nothing to refresh: never called
    }

    def start(self, *, latency: float = 0.0, rate_limit: tuple[float, int] | None = None) -> None:
        self.sim = ToySimulator(
            api_key=self.api_key,
            merchant_code=self.merchant_code,
            clock=lambda: time.time() - self.start_offset,
            latency=latency,
            rate_limit=rate_limit,
        ).start()

    def settings(self) -> dict[str, Any]:
        return {
            "base_url": self.sim.base_url,
            "merchant_code": self.merchant_code,
            "shop_rps": 200,
            "app_rps": 200,
        }

    def secrets(self) -> dict[str, str]:
        return {"api_key": self.api_key}

    def authorize(self) -> str:
        return ""  # api_key: no authorization code

    def seed(self) -> Catalogue:
        made = [
            (sku, self.sim.add_product(sku.title(), sku=sku, price=45000, stock=5))
            for sku in ("NASTAR-250", "NASTAR-500", "KOPI-250", "NOT-IN-MASTER")
        ]
        return [(sku, pid, "", 5) for sku, pid in made]

    def place_order(self, item_id: str, variant_id: str, qty: int) -> str | None:
        return self.sim.place_order(item_id, qty)

    def set_state(self, order_id: str, state: OrderState) -> None:
        self.sim.set_status(order_id, self.STATUS[state])

    def shown(self, item_id: str, variant_id: str) -> int:
        return self.sim.stock(item_id)

    def hand_edit(self, item_id: str, variant_id: str, value: int) -> None:
        with self.sim._lock:
            self.sim._products[item_id].stock = value

    def fail_item(self, item_id: str, variant_id: str, reason: str) -> None:
        self.sim.fail_item(item_id, reason)

    def inject(self, kind: str, where: str, times: int = 1) -> None:
        """kind: 429, 500, timeout, malformed, expire_token, retryable_body, fatal_body."""
        kinds = {
            "retryable_body": "error_body:busy:server sibuk, coba lagi",
            "fatal_body": "error_body:invalid_param:stock must be a number",
        }
        self.sim.inject(kinds.get(kind, kind), self.PATHS.get(where), times)


HARNESS: type[Harness] = ToyHarness
