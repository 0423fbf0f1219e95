"""Per-marketplace harnesses: a started simulator plus the moves the contract suite needs.

Each ``harness_<name>.py`` beside this file defines ``HARNESS: type[Harness]``, a class
that provides every member of :class:`Harness` (mypy checks it: ``make test`` runs mypy
over ``tests/contract``, so a missing or mistyped move is a type error, not a surprise at
run time). Every built-in adapter must have one (the suite fails otherwise), so a
marketplace cannot land without a simulator the contract runs on.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from pathlib import Path
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


HARNESSES: dict[str, type[Harness]] = {}
for _info in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if _info.name.startswith("harness_"):
        _module = importlib.import_module(f"tests.contract.{_info.name}")
        _harness: type[Harness] = _module.HARNESS
        HARNESSES[_harness.name] = _harness
