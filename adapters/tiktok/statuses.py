"""TikTok order and return statuses, normalized (§3.5): one table for the API, the webhook
and each line, and one for returns.

The API spells a cancelled order ``CANCELLED``; the order webhook spells it
``CANCEL`` (§3.9 #2). Both, and the US spelling, become ``CANCELLED`` before
anything else looks at them, so a status read from a webhook and the same status
read from the API are one word.

Returns (``return_status`` of Search Returns 202309, vendor spec
``search-returns-202309``; the flow of the "Return, refund and cancel API overview"):
PENDING → AWAITING_BUYER_SHIP → BUYER_SHIPPED_ITEM → SUCCESS (the seller's quality
check passed) → COMPLETE (refunded). A rejected request (``REFUND_OR_RETURN_REQUEST_
REJECT``) or a refused package (``REJECT_RECEIVE_PACKAGE``) is not final: arbitration
may approve it (→ AWAITING_BUYER_SHIP / SUCCESS), else the system cancels it (→
CANCEL). So both stay *requested*, and only SUCCESS/COMPLETE (*received*) and CANCEL
(*closed*) end a return. A refund without return (``return_type`` REFUND) brings
nothing back: *closed* whatever its status.
"""

from __future__ import annotations

from syncd.adapter import OrderState, ReturnState

__all__ = [
    "ALIASES",
    "PACKAGE_STATE",
    "RETURN_ALIASES",
    "RETURN_STATE",
    "RETURN_TYPES",
    "STATUS_STATE",
    "canonical",
    "line_state",
    "return_state",
    "return_word",
    "state_of",
]

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


# -- returns --------------------------------------------------------------------------

#: ``return_type`` values (Search Returns 202309): a refund without return, a return with
#: refund, a replacement.
RETURN_TYPES: frozenset[str] = frozenset({"REFUND", "RETURN_AND_REFUND", "REPLACEMENT"})

#: ``return_status`` → state of a return whose goods come back (``RETURN_AND_REFUND``).
RETURN_STATE: dict[str, ReturnState] = {
    "RETURN_OR_REFUND_REQUEST_PENDING": "requested",
    "AWAITING_BUYER_RESPONSE": "requested",  # the seller offered a partial refund
    "AWAITING_BUYER_SHIP": "requested",
    "BUYER_SHIPPED_ITEM": "requested",  # on its way, not back yet
    # not final: arbitration may approve it (overview steps 9, 10), else it is cancelled
    "REFUND_OR_RETURN_REQUEST_REJECT": "requested",
    # not final: arbitration may approve the refused package (steps 6, 11)
    "REJECT_RECEIVE_PACKAGE": "requested",
    "RETURN_OR_REFUND_REQUEST_SUCCESS": "received",  # after the seller's check (step 3)
    "RETURN_OR_REFUND_REQUEST_COMPLETE": "received",  # refunded (step 4)
    "RETURN_OR_REFUND_REQUEST_CANCEL": "closed",  # by the buyer or the system
    # UNCONFIRMED: whether a replacement's unit comes back to the seller (the docs only
    # say the platform makes a new order to fulfil, which syncd deducts as an order);
    # nothing is restocked for a replacement, so a unit is never counted twice.
    "REPLACEMENT_REQUEST_PENDING": "requested",
    "REPLACEMENT_REQUEST_REJECT": "closed",  # UNCONFIRMED: whether arbitration reopens it
    "REPLACEMENT_REQUEST_REFUND_SUCCESS": "closed",  # refunded instead (no stock)
    "REPLACEMENT_REQUEST_CANCEL": "closed",
    "REPLACEMENT_REQUEST_COMPLETE": "closed",
}

#: Other spellings of return statuses in TikTok's own pages: the overview's status table
#: (``REQUEST_REJECTED``, ``RECEIVE_REJECTED``, ``REQUEST_SUCCESS``, ``RETURN_OR_REFUND_
#: CANCEL``) and the return webhook page (``RETURN_OR_REFUND__REQUEST_CANCELLED``).
#: UNCONFIRMED that the API ever sends them; the API reference lists the long words.
RETURN_ALIASES: dict[str, str] = {
    "REQUEST_REJECTED": "REFUND_OR_RETURN_REQUEST_REJECT",
    "RECEIVE_REJECTED": "REJECT_RECEIVE_PACKAGE",
    "REQUEST_SUCCESS": "RETURN_OR_REFUND_REQUEST_SUCCESS",
    "RETURN_OR_REFUND_CANCEL": "RETURN_OR_REFUND_REQUEST_CANCEL",
    "RETURN_OR_REFUND__REQUEST_CANCELLED": "RETURN_OR_REFUND_REQUEST_CANCEL",
    "RETURN_OR_REFUND_REQUEST_CANCELLED": "RETURN_OR_REFUND_REQUEST_CANCEL",
}


def return_word(status: str) -> str:
    """The API's spelling of a return status (``REQUEST_SUCCESS`` → the long word)."""
    word = status.strip().upper()
    return RETURN_ALIASES.get(word, word)


def return_state(status: str, return_type: str, *, keep_item: bool = False) -> ReturnState | None:
    """The normalized state of a return, None for an unknown status or type.

    ``REFUND`` brings nothing back: closed. A replacement never restocks (see above).
    ``keep_item`` (``can_buyer_keep_item``): the seller let the buyer keep the goods (a
    "return-less refund", overview): a return that ends with the goods kept is closed.
    UNCONFIRMED: that TikTok sets ``can_buyer_keep_item`` on such a return (the field
    says only "whether buyer can keep the item(s)"); reading it so never restocks units
    that did not come back.
    """
    state = RETURN_STATE.get(return_word(status))
    kind = return_type.strip().upper()
    if state is None or kind not in RETURN_TYPES:
        return None
    if kind == "REFUND":
        return "closed"
    if state == "received" and (kind == "REPLACEMENT" or keep_item):
        return "closed"
    return state
