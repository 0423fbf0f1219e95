"""What every harness does the same way, whatever its marketplace."""

from __future__ import annotations

import datetime as dt
import fnmatch
from typing import Any, ClassVar, Protocol

from syncd.adapter import OrderState

#: A shop's catalogue as the contract sees it: (SKU or None, item id, variant id, stock)
Catalogue = list[tuple[str | None, str, str, int]]


class Simulator(Protocol):
    """What the suite reads of a harness's simulator."""

    @property
    def base_url(self) -> str: ...

    timeout_hold: float


class Harness(Protocol):
    """The moves the contract suite makes on a marketplace's simulator."""

    name: str  # the adapter's registry name
    shop_id: str
    start_offset: float  # seconds the simulator clock runs behind real time at start
    #: logical place (order_reads, orders, stock, items, refresh) → simulator path (glob)
    PATHS: ClassVar[dict[str, str]]

    @property
    def sim(self) -> Simulator: ...

    def start(
        self, *, latency: float = 0.0, rate_limit: tuple[float, int] | None = None
    ) -> None: ...
    def stop(self) -> None: ...
    def settings(self) -> dict[str, Any]: ...  # the channel's settings (no secrets)
    def secrets(self) -> dict[str, str]: ...  # the app's secrets by their names
    def now(self) -> dt.datetime: ...  # the simulator's clock
    def advance(self, seconds: float) -> None: ...
    def authorize(self) -> str: ...  # an authorization code for the shop
    def seed(self) -> Catalogue: ...  # listings the contract relies on
    def place_order(self, item_id: str, variant_id: str, qty: int) -> str | None: ...
    def set_state(self, order_id: str, state: OrderState) -> None: ...
    def shown(self, item_id: str, variant_id: str) -> int: ...  # stock buyers see
    def fail_item(self, item_id: str, variant_id: str, reason: str) -> None: ...
    def inject(self, kind: str, where: str, times: int = 1) -> None: ...
    def calls(self, where: str) -> int: ...
    def set_retry_after(self, seconds: int) -> None: ...
    # someone types a stock number in the marketplace's seller app, not through syncd
    def hand_edit(self, item_id: str, variant_id: str, value: int) -> None: ...


class ReturnsHarness(Harness, Protocol):
    """A marketplace with buyers' returns (every built-in one; ``test_returns.py``)."""

    # the buyer asks to send back ``qty`` units of the order's line; the handle names
    # that return for the next two moves
    def request_return(self, order_id: str, qty: int) -> str: ...
    # the goods are back with the seller: the marketplace's "return completed"
    def complete_return(self, handle: str) -> None: ...
    # nothing comes back: the return is rejected or cancelled
    def close_return(self, handle: str) -> None: ...


class SimHarness:
    """Clock, stop and call counting over a simulator held in ``self.sim``."""

    sim: Any
    #: logical path (orders, stock, items, refresh) → the simulator path (glob allowed)
    PATHS: ClassVar[dict[str, str]]

    def stop(self) -> None:
        self.sim.stop()

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.sim.now(), dt.UTC)

    def advance(self, seconds: float) -> None:
        self.sim.advance(seconds)

    def calls(self, where: str) -> int:
        pattern = self.PATHS[where]
        return sum(n for (_, p), n in self.sim.calls.items() if fnmatch.fnmatchcase(p, pattern))

    def set_retry_after(self, seconds: int) -> None:
        self.sim.retry_after = seconds
