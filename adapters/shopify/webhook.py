"""Shopify webhook deliveries (§5.4): ``X-Shopify-Hmac-Sha256`` is the base64
HMAC-SHA256 of the raw body keyed with the app's client secret (vector in §7.4);
duplicates share ``X-Shopify-Event-Id``. The receiver that wakes the poll is issue 14's;
this is the check it will use."""

from __future__ import annotations

from adapters.kit import base64_hmac, verify_base64_hmac

__all__ = ["EVENT_ID", "SIGNATURE", "signature", "verify"]

SIGNATURE = "X-Shopify-Hmac-Sha256"
EVENT_ID = "X-Shopify-Event-Id"  # dedupe deliveries on it (§5.4)


def signature(secret: str, body: bytes) -> str:
    """The header value Shopify sends for ``body``."""
    return base64_hmac(secret, body)


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of the raw ``body`` (constant-time compare)."""
    return verify_base64_hmac(secret, body, header)
