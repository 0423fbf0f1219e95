"""The Shopify harness: its simulator (one store, its own app) plus the contract's moves.

The channel authorizes with client credentials (the merchant-owned app of §5.2): no
code; ``connect`` asks for the first token. The contract's "shop" is the store.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from adapters.shopify.simulator import CLIENT_ID, CLIENT_SECRET, ShopifySimulator
from syncd.adapter import OrderState
from tests.contract.base import Catalogue, ReturnsHarness, SimHarness


@dataclass
class ShopifyHarness(SimHarness):
    """A Shopify store on its simulator, reached through its own app."""

    name: str = "shopify"
    shop_id: str = "toko-bu-sri"
    start_offset: float = 0.0
    auth: str = "client_credentials"
    sim: ShopifySimulator = field(init=False)

    PATHS: ClassVar[dict[str, str]] = {
        "order_reads": "gql:order*",
        "orders": "gql:orders",
        "stock": "gql:inventorySetQuantities",
        "items": "gql:productVariants",
        "refresh": "/admin/oauth/access_token",
    }

    def start(self, *, latency: float = 0.0, rate_limit: tuple[float, int] | None = None) -> None:
        sim = ShopifySimulator(
            shop=self.shop_id,
            clock=lambda: time.time() - self.start_offset,
            latency=latency,
            rate_limit=rate_limit,
        )
        # the Plus plan's 1,000 points/s (§5.5): the suite's shops are not held back by
        # the Standard plan's bucket (tests/test_shopify.py drives the bucket itself)
        sim.restore_rate = 1_000.0
        self.sim = sim.start()

    def settings(self) -> dict[str, Any]:
        return {
            "base_url": self.sim.base_url,
            "client_id": CLIENT_ID,
            "auth": self.auth,
            "shop_rps": 200,
            "app_rps": 200,
        }

    def secrets(self) -> dict[str, str]:
        return {"client_secret": CLIENT_SECRET}

    def authorize(self) -> str:
        return self.sim.issue_code()  # oauth only; client credentials need none

    def seed(self) -> Catalogue:
        """A product with two variants, a one-variant product, one not in master."""
        nastar, v250, v500 = self.sim.add_product(
            "Nastar Keju", [("NASTAR-250", 45000, 5), ("NASTAR-500", 85000, 5)]
        )
        kopi, kopi_v = self.sim.add_product("Kopi", [("KOPI-250", 45000, 5)])
        other, other_v = self.sim.add_product("Barang lain", [("NOT-IN-MASTER", 1000, 5)])
        return [
            ("NASTAR-250", str(nastar), str(v250), 5),
            ("NASTAR-500", str(nastar), str(v500), 5),
            ("KOPI-250", str(kopi), str(kopi_v), 5),
            ("NOT-IN-MASTER", str(other), str(other_v), 5),
        ]

    def place_order(self, item_id: str, variant_id: str, qty: int) -> str | None:
        order = self.sim.place_order([(int(variant_id), qty)])
        return None if order is None else str(order)

    def set_state(self, order_id: str, state: OrderState) -> None:
        if state == "shipped":
            self.sim.fulfil(int(order_id))
        elif state == "cancelled":
            self.sim.cancel(int(order_id))

    def shown(self, item_id: str, variant_id: str) -> int:
        return self.sim.available(int(variant_id))

    def hand_edit(self, item_id: str, variant_id: str, value: int) -> None:
        with self.sim._lock:  # the admin sets available at the location
            level = self.sim._variants[int(variant_id)].levels[1]
            level["on_hand"] = level.get("on_hand", 0) + value - level["available"]
            level["available"] = value

    def fail_item(self, item_id: str, variant_id: str, reason: str) -> None:
        self.sim.fail_item(int(variant_id), reason)

    def request_return(self, order_id: str, qty: int) -> str:
        """The buyer asks to send back ``qty`` units of the order's first line
        (``returnRequest``: a return REQUESTED)."""
        order = int(order_id)
        line = self.sim.order_lines(order)[0]
        return str(self.sim.request_return(order, [(line, qty)]))

    def complete_return(self, handle: str) -> None:
        """The goods are back: the seller approves the request (OPEN), refunds the return
        restocking its units at the location (``restockType: RETURN``) and closes it."""
        ret = int(handle)
        if self.sim.return_status(ret) == "REQUESTED":
            self.sim.approve_return(ret)
        self.sim.process_return(ret, restock=True)
        self.sim.close_return(ret)

    def close_return(self, handle: str) -> None:
        """Nothing comes back: a request is declined, an approved return cancelled."""
        ret = int(handle)
        if self.sim.return_status(ret) == "REQUESTED":
            self.sim.decline_return(ret)
        else:
            self.sim.cancel_return(ret)

    def inject(self, kind: str, where: str, times: int = 1) -> None:
        """kind: 429, 500, timeout, malformed, expire_token, retryable_body, fatal_body."""
        kinds = {
            "retryable_body": "error_body:INTERNAL_SERVER_ERROR:Internal error",
            "fatal_body": "error_body:MAX_COST_EXCEEDED:Query cost exceeds the maximum",
        }
        self.sim.inject(kinds.get(kind, kind), self.PATHS.get(where), times)


HARNESS: type[ReturnsHarness] = ShopifyHarness  # returns too: mypy checks
