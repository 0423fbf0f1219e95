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
    ErrorRule,
    ErrorTable,
    MalformedResponse,
    NeedsReauth,
    RateLimited,
    RefreshAuth,
    Rejected,
    Retryable,
    SkippableItem,
)
from syncd.http import json_or_malformed, parse_retry_after

__all__ = ["ERROR_TABLE", "LOCKED", "classify", "error_class", "is_lock", "lock_words"]

#: A stock write refused because a promotion holds the stock (rule name). The words are
#: the vendor's ``v2.product.update_stock`` error list (lazykern/ecommerce-api-docs
#: ``data/raw/shopee/apis/product/v2.product.update_stock.json``): below the reserved
#: promotion stock, "Total stock must be more than reserved stock." and "Stock should be
#: larger than reserved stock." (``error_auth``), "Can not update item with stock less
#: than reserve(d) stock" (``error_param``, ``error.param``; ``product.error_param`` in
#: the page's error example); and the "under promotion" codes that refuse any change.
#: Which form a refusal takes (this call-level ``error`` or a ``failure_list`` reason) is
#: UNCONFIRMED: both are read (``lock_words``).
LOCKED = "promotion_lock"
_RESERVED = "reserved stock"  # "more than reserved stock", "less than reserved stock"
_RESERVE = "less than reserve stock"
#: "Normal_stock cannot be edited when item is under promotion.", "Cannot change stock when
#: item is under promotion.", "Model stock cannot be editted when item/model is promotion."
_IN_PROMOTION = (
    "error_cannt_edit_stock_in_promotion",
    "error_promotion_cantnot_update_stock",
    "error_model_update_stock_model_in_promotion",
)
#: the same refusal under the page's dotted spellings of error_param (its error list and
#: its error example)
_DOTTED_PARAM = ("error.param", "product.error_param")
#: lowercase words of a ``failure_list[].failed_reason`` that mean the same
LOCK_REASON_WORDS = (_RESERVED, "reserve stock", "under promotion", "is promotion")

#: (error code, lowercase substring of message or "") → class. First match wins.
ERROR_TABLE = ErrorTable(
    [
        # a promotion's reserved stock, before error_auth's re-authorization: it is an
        # item's refusal, never the shop's authorization
        ErrorRule("error_auth", SkippableItem, _RESERVED, LOCKED),
        ErrorRule("error_param", SkippableItem, _RESERVED, LOCKED),
        ErrorRule("error_param", SkippableItem, _RESERVE, LOCKED),
        *(ErrorRule(code, SkippableItem, _RESERVED, LOCKED) for code in _DOTTED_PARAM),
        *(ErrorRule(code, SkippableItem, "", LOCKED) for code in _IN_PROMOTION),
        ErrorRule("error_auth", RefreshAuth, "access_token"),  # "Invalid access_token."
        ErrorRule("error_auth", RefreshAuth, "expired"),
        ErrorRule("error_auth", NeedsReauth),  # no permission, shop not authorized
        ErrorRule("error_permission", NeedsReauth),
        ErrorRule("error_shop", NeedsReauth),  # shop deauthorized / frozen
        ErrorRule("error_server", RateLimited, "too many"),  # "Too many requests"
        ErrorRule("error_server", Retryable),
        ErrorRule("error_inner", Retryable),
        ErrorRule("error_network", Retryable),
        ErrorRule("error_system_busy", Retryable),
        ErrorRule("error_busy", Retryable),
        ErrorRule("error_sign", Rejected),  # wrong key / host environment
        ErrorRule("error_param", Rejected, "timestamp"),  # clock: fix NTP
        ErrorRule("error_param", Rejected),
        ErrorRule("order.order_list_invalid_time", Rejected),
        ErrorRule("error_item_not_found", SkippableItem),
        ErrorRule("error_holiday_mode_change_stock", SkippableItem),
        ErrorRule("error_busi_update_stock_failed", SkippableItem),
    ],
    # business errors of one item: its product family, not the whole account
    families={"error_busi": SkippableItem, "product.": SkippableItem},
)


def error_class(code: str, message: str) -> type[AdapterError]:
    """The class for a Shopee ``error`` code and message (Rejected when unknown)."""
    return ERROR_TABLE.error_class(code, message)


def is_lock(code: str, message: str) -> bool:
    """Whether a call's ``error`` refuses a stock write because of a promotion."""
    rule = ERROR_TABLE.rule(code, message)
    return rule is not None and rule.name == LOCKED


def lock_words(reason: str) -> bool:
    """Whether a ``failure_list[].failed_reason`` refuses a stock write because of a
    promotion (its reserved stock, or "under promotion")."""
    low = reason.lower()
    return any(word in low for word in LOCK_REASON_WORDS)


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
    raw = body.get("error")
    if raw is not None and not isinstance(raw, str):  # Shopee's error is a word or ""
        raise MalformedResponse(
            f"Shopee: HTTP {status}: `error` is not text", code="malformed", status=status
        )
    code = raw or ""
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
