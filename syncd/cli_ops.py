"""Commands: ops. Registered by ``syncd.cli.build_parser``."""

from __future__ import annotations

from typing import Any

__all__ = ["commands"]


def commands(sub: Any, channel: Any) -> None:
    """Add this module's commands (``sub``: top level; ``channel``: under ``syncd channel``)."""
