"""Per-marketplace harnesses: a started simulator plus the moves the contract suite needs.

Each ``harness_<name>.py`` beside this file defines ``HARNESS: type[Harness]``, a class
that provides every member of ``base.Harness`` (mypy checks it: ``make test`` runs mypy
over ``tests/contract``, so a missing or mistyped move is a type error, not a surprise at
run time). Every built-in adapter must have one (the suite fails otherwise), so a
marketplace cannot land without a simulator the contract runs on.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from tests.contract.base import Catalogue, Harness, Simulator

__all__ = ["HARNESSES", "Catalogue", "Harness", "Simulator"]

HARNESSES: dict[str, type[Harness]] = {}
for _info in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if _info.name.startswith("harness_"):
        _module = importlib.import_module(f"tests.contract.{_info.name}")
        _harness: type[Harness] = _module.HARNESS
        HARNESSES[_harness.name] = _harness
