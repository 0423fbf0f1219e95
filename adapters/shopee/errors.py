"""Shopee's answers mapped to what syncd does about them: one table, tested as a table.

Shopee reports most errors in the body (``error``, ``message``) and does not
document the HTTP statuses of error replies (reference §1.7, UNCONFIRMED), so
both are read: the HTTP status first (429, 5xx), then the body's ``error``.
"""

from __future__ import annotations

from typing import Any

import httpx

from syncd.errors import (
    AdapterError,
    NeedsReauth,
    RateLimited,
    RefreshAuth,
    Rejected,
    Retryable,
    SkippableItem,
)
from syncd.http import json_or_malformed, parse_retry_after

__all__ = ["ERROR_TABLE", "classify", "error_class"]

#: (error code, lowercase substring of message or "") → class. First match wins.
ERROR_TABLE: list[tuple[str, str, type[AdapterError]]] = [
    ("error_auth", "access_token", RefreshAuth),  # "Invalid access_token."
    ("error_auth", "expired", RefreshAuth),
    ("error_auth", "", NeedsReauth),  # no permission, shop not authorized
    ("error_permission", "", NeedsReauth),
    ("error_shop", "", NeedsReauth),  # shop deauthorized / frozen
    ("error_server", "too many", RateLimited),  # "Too many requests"
    ("error_server", "", Retryable),
    ("error_inner", "", Retryable),
    ("error_network", "", Retryable),
    ("error_system_busy", "", Retryable),
    ("error_busy", "", Retryable),
    ("error_sign", "", Rejected),  # wrong key / host environment
    ("error_param", "timestamp", Rejected),  # clock: fix NTP
    ("error_param", "", Rejected),
    ("order.order_list_invalid_time", "", Rejected),
    ("error_item_not_found", "", SkippableItem),
    ("error_cannt_edit_stock_in_promotion", "", SkippableItem),
    ("error_holiday_mode_change_stock", "", SkippableItem),
    ("error_busi_update_stock_failed", "", SkippableItem),
]


def error_class(code: str, message: str) -> type[AdapterError]:
    """The class for a Shopee ``error`` code and message (Rejected when unknown)."""
    low = message.lower()
    for table_code, fragment, cls in ERROR_TABLE:
        if code == table_code and fragment in low:
            return cls
    if code.startswith("error_busi") or code.startswith("product."):
        return SkippableItem
    return Rejected


def classify(response: httpx.Response) -> Any:
    """The response body when it succeeded, else raise the mapped error."""
    status = response.status_code
    if status == 429:
        raise RateLimited(
            "Shopee: too many requests",
            code="http_429",
            status=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500:
        raise Retryable(f"Shopee: HTTP {status}", code=f"http_{status}", status=status)
    body = json_or_malformed(response)
    if not isinstance(body, dict):
        raise Retryable("Shopee: answer is not a JSON object", code="malformed", status=status)
    code = str(body.get("error") or "")
    if not code and status < 400:
        return body
    message = str(body.get("message") or code or f"HTTP {status}")
    cls = (
        error_class(code, message) if code else (RefreshAuth if status in (401, 403) else Rejected)
    )
    if issubclass(cls, Retryable):
        raise cls(
            f"Shopee: {code}: {message}",
            code=code,
            status=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    raise cls(f"Shopee: {code}: {message}", code=code, status=status)
