"""WooCommerce webhooks (reference §4.4): verify a delivery and read an order hint from it.

``X-WC-Webhook-Signature`` is the **base64** HMAC-SHA256 of the raw body, keyed with the
webhook's secret (WooCommerce core ``class-wc-webhook.php``; worked value in §7.4). Core
passes the secret through ``wp_specialchars_decode(…, ENT_QUOTES)`` first: the secret
syncd holds is the one the seller typed, which is what that decoding gives back, but a
secret with ``& < > " '`` may have been stored entity-encoded by a plugin, so
:func:`secret_problem` asks for a secret without them. A store can change the algorithm
(the ``woocommerce_webhook_hash_algorithm`` filter): then nothing verifies here, by design.

Webhooks are hints that wake the order poll (DESIGN: "webhooks only wake the poll");
delivery can lag on quiet sites (wp-cron, UNCONFIRMED timing) and core disables a webhook
after 5 failed deliveries (UNCONFIRMED for newer core versions, §4.4/§9).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from adapters.kit import base64_hmac, verify_base64_hmac
from adapters.woocommerce.adapter import STATUS_STATE
from syncd.adapter import OrderState

__all__ = ["HEADER", "OrderHint", "order_hint", "secret_problem", "signature", "verify"]

HEADER = "X-WC-Webhook-Signature"
_SPECIAL = frozenset("&<>\"'")


def signature(secret: str, body: bytes) -> str:
    """The ``X-WC-Webhook-Signature`` value core sends for this raw body."""
    return base64_hmac(secret, body)


def verify(secret: str, body: bytes, header: str) -> bool:
    """Whether ``header`` signs this raw body (constant-time compare)."""
    return verify_base64_hmac(secret, body, header)


def secret_problem(secret: str) -> str | None:
    """Why a webhook secret may not verify (core decodes HTML entities in it), or None."""
    if not secret:
        return "empty"
    if _SPECIAL & set(secret):
        return "it holds one of & < > \" ' (WooCommerce decodes HTML entities in secrets)"
    return None


@dataclass(frozen=True, slots=True)
class OrderHint:
    """An order changed (``order.created``/``order.updated``): poll it."""

    order_id: str
    status: str
    state: OrderState | None  # None: a status syncd does not know (poll anyway)


def order_hint(topic: str, body: bytes) -> OrderHint | None:
    """The hint of an order delivery (``X-WC-Webhook-Topic`` ``order.*``), else None."""
    if not topic.startswith("order."):
        return None
    payload: Any = json.loads(body)
    if not isinstance(payload, dict) or "id" not in payload:
        return None
    status = str(payload.get("status", ""))
    return OrderHint(str(payload["id"]), status, STATUS_STATE.get(status))
