"""TikTok Shop webhooks (§3.6): verify a delivery and read an order-status hint from it.

Webhooks are hints that wake the order poll (DESIGN: "webhooks only wake the
poll"); the poll reads the order with its line items. The order webhook spells a
cancellation ``CANCEL`` where the API says ``CANCELLED`` (§3.9 #2): the status is
normalized here with the same table the API answers go through.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from dataclasses import dataclass
from typing import Any

from adapters.tiktok.signing import webhook_signature
from adapters.tiktok.statuses import canonical, state_of
from syncd.adapter import OrderState

__all__ = ["ORDER_STATUS_CHANGE", "TYPES", "OrderHint", "order_hint", "verify"]

ORDER_STATUS_CHANGE = 1
#: The webhook types syncd cares about (§3.6).
TYPES = {
    1: "ORDER_STATUS_CHANGE",
    5: "PRODUCT_STATUS_CHANGE",
    6: "SELLER_DEAUTHORIZATION",
    7: "UPCOMING_AUTHORIZATION_EXPIRATION",
    11: "CANCELLATION_STATUS_CHANGE",
    12: "RETURN_STATUS_CHANGE",
    15: "PRODUCT_INFORMATION_CHANGE",
    16: "PRODUCT_CREATION",
    27: "INVENTORY_STATUS_CHANGE",
    35: "TOKOPEDIA_MIRROR_STATUS_CHANGE",
}


def verify(app_key: str, app_secret: str, body: bytes, authorization: str) -> bool:
    """Whether ``authorization`` is the signature of this raw body (constant-time compare).

    UNCONFIRMED (§3.6): the recipe (HMAC over app_key + raw body) comes from three
    community SDKs, not vendor text; confirm it with one real delivery.
    """
    expected = webhook_signature(app_key, app_secret, body)
    return hmac.compare_digest(expected.encode(), authorization.strip().lower().encode())


@dataclass(frozen=True, slots=True)
class OrderHint:
    """An order changed: poll it. ``status`` is the API's spelling."""

    shop_id: str
    order_id: str
    status: str
    state: OrderState | None  # None for a status syncd does not know (poll anyway)
    updated_at: dt.datetime | None


def order_hint(body: bytes) -> OrderHint | None:
    """The order-status hint of a type-1 delivery, or None for any other type."""
    payload: Any = json.loads(body)
    if not isinstance(payload, dict) or payload.get("type") != ORDER_STATUS_CHANGE:
        return None
    data = payload.get("data") or {}
    status = canonical(str(data.get("order_status", "")))
    stamp = data.get("update_time")
    return OrderHint(
        shop_id=str(payload.get("shop_id", "")),
        order_id=str(data.get("order_id", "")),
        status=status,
        state=state_of(status),
        updated_at=dt.datetime.fromtimestamp(int(stamp), dt.UTC) if stamp else None,
    )
