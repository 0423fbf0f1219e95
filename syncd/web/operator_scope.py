"""The operator's cooperative-wide scope (being written)."""

from __future__ import annotations

from typing import Any

from syncd.store import Store

__all__ = ["OperatorScope"]


class OperatorScope:
    """Every member, as the cooperative's operator sees them."""

    def __init__(self, store: Store, user: Any) -> None:
        self.store = store
        self.user = user
