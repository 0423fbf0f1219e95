"""``syncd users`` commands (issue 13)."""

from __future__ import annotations

from typing import Any

__all__ = ["commands"]


def commands(sub: Any, channel: Any) -> None:
    """Register this module's commands under ``sub``."""
