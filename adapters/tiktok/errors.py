"""TikTok Shop's answers mapped to what syncd does about them: one table, tested as a table.

TikTok wraps every answer in ``{code, message, request_id, data}``; ``code 0``
is success, and a non-zero code can come with HTTP 200 (§3.7). Throttling is
HTTP 429 (body code ``36009002``), overload HTTP 503. So: the HTTP status first
(429, 5xx), then the body's ``code``.

An error's ``code`` attribute is ``"<number>:<name>"`` (e.g. ``106001:sign_invalid``)
for the codes below, so a log line says what happened without a lookup; unknown
codes keep the bare number. Per-SKU errors inside a successful stock update
(``data.errors[]``) go through the same table (:func:`error_class`).
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

__all__ = [
    "ERROR_TABLE",
    "LOCK_CODES",
    "WAREHOUSE_CODES",
    "classify",
    "error_class",
    "is_lock",
    "label",
]

#: (code, lowercase substring of the message or "", class, name). First match wins.
ERROR_TABLE = ErrorTable(
    [
        # authentication (§3.7; common-errors page)
        ErrorRule(105002, RefreshAuth, "", "token_expired"),
        # 36009004 covers several causes; the message tells them apart
        ErrorRule(
            36009004, RefreshAuth, "access_token", "token_invalid"
        ),  # "`access_token` header is invalid"
        ErrorRule(
            36009004, RefreshAuth, "access-token", "token_invalid"
        ),  # "`x-tts-access-token` header …"
        ErrorRule(
            36009004, Rejected, "timestamp", "timestamp"
        ),  # clock outside −5 min/+30 s: fix NTP
        ErrorRule(36009004, Rejected, "shop_cipher", "shop_cipher_unexpected"),
        ErrorRule(36009004, Rejected, "version", "version_invalid"),
        ErrorRule(36009004, Rejected, "", "credentials_invalid"),  # app_key, missing sign, …
        ErrorRule(106001, Rejected, "", "sign_invalid"),
        ErrorRule(106013, Rejected, "", "shop_cipher_missing"),
        # authorization: the seller must authorize (again), with the right shop and scopes
        ErrorRule(101000, NeedsReauth, "", "token_shop_mismatch"),
        ErrorRule(105005, NeedsReauth, "", "scope_not_granted"),
        ErrorRule(
            36009033, Rejected, "", "ip_not_allowed"
        ),  # operator: add the IP in Partner Center
        # throttling and transient trouble
        ErrorRule(36009002, RateLimited, "", "rate_limited"),
        ErrorRule(36009003, Retryable, "", "internal_error"),
        ErrorRule(36009007, Retryable, "", "timeout"),
        # the request itself
        ErrorRule(36009009, Rejected, "", "path_invalid"),
        ErrorRule(36009010, Rejected, "", "method_invalid"),
        ErrorRule(36009014, Rejected, "", "version_retired"),  # upgrade the path version
        ErrorRule(36009022, Rejected, "", "format_invalid"),
        ErrorRule(12052180, Rejected, "", "search_over_10000"),  # slice the search by time
        # returns and order detail (vendor specs search-returns-202309, get-order-detail)
        ErrorRule(25001001, Rejected, "", "return_params_invalid"),
        ErrorRule(25020005, Rejected, "", "return_no_permission"),
        ErrorRule(21008111, Rejected, "", "order_not_this_sellers"),
        # business: this product or SKU, not the whole account (the seller sees it)
        ErrorRule(12052037, SkippableItem, "", "inventory_not_updatable"),
        ErrorRule(12052028, SkippableItem, "", "warehouses_missing"),
        ErrorRule(12019028, SkippableItem, "", "warehouses_missing"),
        ErrorRule(12019022, SkippableItem, "", "warehouse_invalid"),
        ErrorRule(12052097, SkippableItem, "", "warehouse_unknown"),
        ErrorRule(12052533, SkippableItem, "", "warehouses_changed"),
        ErrorRule(12052055, SkippableItem, "", "quantity_out_of_range"),
        ErrorRule(12019024, SkippableItem, "", "quantity_invalid"),
        ErrorRule(12052393, SkippableItem, "", "promotion_lock"),  # LOCK_CODES
        ErrorRule(12052038, SkippableItem, "", "price_locked"),
        ErrorRule(12019045, SkippableItem, "", "price_locked"),
        ErrorRule(12052553, SkippableItem, "", "sku_duplicate"),
        ErrorRule(12052050, SkippableItem, "", "too_many_skus"),
    ],
    # unknown product/inventory codes concern one product: skippable; others are rejected
    families={"1201": SkippableItem, "1205": SkippableItem},
)

#: A stock write refused because a promotion holds the SKU (vendor spec
#: update-inventory-202309: 12052393 "Product locked for Promotion and stock can't be
#: updated below current stock"): a campaign lock, which the core skips, not a failure.
#: No other lock code is in the vendor's Update Inventory list (12052146, "must be greater
#: than the locked quantity", is Update Global Inventory's, an API syncd does not call).
LOCK_CODES = frozenset({12052393})

#: Codes that mean our idea of a SKU's warehouses is stale: re-read the product and retry.
WAREHOUSE_CODES = frozenset({12052037, 12052028, 12019028, 12019022, 12052097, 12052533})


def error_class(code: int, message: str = "") -> type[AdapterError]:
    """The class for a TikTok ``code`` and message (unknown ``1201xxxx``/``1205xxxx``
    codes concern one product and are skippable; any other unknown code is rejected)."""
    return ERROR_TABLE.error_class(code, message)


def label(code: int, message: str = "") -> str:
    """``"<code>:<name>"`` for a known code, else the bare number."""
    return ERROR_TABLE.label(code, message)


def is_lock(code: int | str) -> bool:
    """A campaign lock's refusal: a body ``code`` or an error's ``"<number>:<name>"``."""
    number = _int_code(code.split(":", 1)[0] if isinstance(code, str) else code)
    return number in LOCK_CODES


def _int_code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def classify(response: httpx.Response) -> Any:
    """The response body (a dict) when it succeeded, else raise the mapped error."""
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 429:
        # UNCONFIRMED (§3.7): TikTok does not document Retry-After; honoured when present.
        raise RateLimited(
            "TikTok: too many requests",
            code="36009002:rate_limited",
            status=status,
            retry_after=retry_after,
        )
    if status >= 500:
        raise Retryable(f"TikTok: HTTP {status}", code=f"http_{status}", status=status)
    body = json_or_malformed(response)
    if not isinstance(body, dict):
        raise Retryable("TikTok: answer is not a JSON object", code="malformed", status=status)
    code = _int_code(body.get("code"))
    if code == 0 and status < 400:
        return body
    if code is None and status < 400:  # HTTP 200 without a code that says how it went
        raise MalformedResponse(
            f"TikTok: HTTP {status} answer with no usable `code` "
            f"(code={str(body.get('code'))[:20]!r}, message {str(body.get('message'))[:60]!r})",
            code="malformed",
            status=status,
        )
    message = str(body.get("message") or f"HTTP {status}")
    if not code:  # no usable code (or 0 on an HTTP error): go by the status
        cls: type[AdapterError] = RefreshAuth if status == 401 else Rejected
        name = f"http_{status}"
    else:
        cls, name = error_class(code, message), label(code, message)
    text = f"TikTok: {name}: {message}"
    if issubclass(cls, Retryable):
        raise cls(text, code=name, status=status, retry_after=retry_after)
    raise cls(text, code=name, status=status)
