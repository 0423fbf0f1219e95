"""Per-marketplace harnesses: a started simulator plus the moves the contract suite needs.

Each ``harness_<name>.py`` beside this file defines ``HARNESS``, a class with the
same methods as ``ShopeeHarness`` (start, stop, settings, secrets, now, advance,
authorize, seed, place_order, set_state, shown, fail_item, inject, calls,
set_retry_after). Every built-in adapter must have one (the suite fails
otherwise), so a marketplace cannot land without a simulator the contract runs on.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

HARNESSES: dict[str, Any] = {}
for _info in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if _info.name.startswith("harness_"):
        _module = importlib.import_module(f"tests.contract.{_info.name}")
        HARNESSES[_module.HARNESS.name] = _module.HARNESS
