"""TikTok order statuses, normalized (§3.5): one table for the API, the webhook and each line.

The API spells a cancelled order ``CANCELLED``; the order webhook spells it
``CANCEL`` (§3.9 #2). Both, and the US spelling, become ``CANCELLED`` before
anything else looks at them, so a status read from a webhook and the same status
read from the API are one word.
"""

from __future__ import annotations

from syncd.adapter import OrderState

__all__ = ["ALIASES", "PACKAGE_STATE", "STATUS_STATE", "canonical", "line_state", "state_of"]

#: Order status → normalized state (§3.5; the mapping is our design inference).
STATUS_STATE: dict[str, OrderState] = {
    # UNCONFIRMED (§3.5/§9): whether TikTok counts UNPAID as committed stock. We reserve
    # it: reserving too early only hides units for a while, releasing too late oversells.
    "UNPAID": "open",
    "ON_HOLD": "open",  # the buyer can still cancel freely
    "AWAITING_SHIPMENT": "open",
    "PARTIALLY_SHIPPING": "open",  # mixed: each line carries its own display_status
    "AWAITING_COLLECTION": "open",  # shipping arranged, not yet collected
    "IN_TRANSIT": "shipped",
    "DELIVERED": "shipped",
    "COMPLETED": "shipped",
    "CANCELLED": "cancelled",
}

#: Other spellings of the same status: the webhook's ``CANCEL`` (§3.9 #2), US ``CANCELED``.
ALIASES: dict[str, str] = {"CANCEL": "CANCELLED", "CANCELED": "CANCELLED"}

#: A line's ``package_status`` → state, used only when the line has no ``display_status``.
#: ``CANCELLED`` here means a lost or damaged package, not a release: it is left out.
PACKAGE_STATE: dict[str, OrderState] = {
    "TO_FULFILL": "open",
    "PROCESSING": "open",
    "FULFILLING": "shipped",
    "COMPLETED": "shipped",
}


def canonical(status: str) -> str:
    """The API's spelling of a status word (``CANCEL`` → ``CANCELLED``)."""
    word = status.strip().upper()
    return ALIASES.get(word, word)


def state_of(status: str) -> OrderState | None:
    """The normalized state of an order or line status (any spelling), None if unknown."""
    return STATUS_STATE.get(canonical(status))


def line_state(display_status: str | None, package_status: str | None) -> OrderState | None:
    """A line's own state: its ``display_status``, else its ``package_status``, else None."""
    if display_status:
        return state_of(display_status)
    if package_status:
        return PACKAGE_STATE.get(package_status.strip().upper())
    return None
