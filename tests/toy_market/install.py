"""Toko Mainan installed the way a third party's package is: a real entry point of the
group ``syncd.adapters``, in a ``*.dist-info`` directory on ``sys.path``, which
``importlib.metadata`` (and so ``adapters.available()``) finds; its contract harness is
put beside the built-in ones. Nothing in ``syncd/`` or ``adapters/`` names it."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.contract.harness import HARNESSES
from tests.toy_market.harness import ToyHarness

NAME = "toko_mainan"
ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINTS = f"[syncd.adapters]\n{NAME} = tests.toy_market.adapter:ToyAdapter\n"


@contextlib.contextmanager
def installed(site: Path) -> Iterator[Path]:
    """What ``pip install`` of a package declaring the entry point leaves for
    ``importlib.metadata``: its ``dist-info`` in a directory on ``sys.path``."""
    info = site / "toko_mainan-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toko-mainan\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    HARNESSES[NAME] = ToyHarness
    try:
        yield site
    finally:
        HARNESSES.pop(NAME, None)
        sys.path.remove(str(site))
        importlib.invalidate_caches()


def subprocess_env(site: Path) -> dict[str, str]:
    """A CLI subprocess's environment that finds the entry point and this package."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
