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
    MalformedResponse,
    NeedsReauth,
    RateLimited,
    RefreshAuth,
    Rejected,
    Retryable,
    SkippableItem,
)
from syncd.http import json_or_malformed, parse_retry_after

__all__ = ["ERROR_TABLE", "WAREHOUSE_CODES", "classify", "error_class", "label"]

#: (code, lowercase substring of the message or "", class, name). First match wins.
ERROR_TABLE: list[tuple[int, str, type[AdapterError], str]] = [
    # authentication (§3.7; common-errors page)
    (105002, "", RefreshAuth, "token_expired"),
    # 36009004 covers several causes; the message tells them apart
    (36009004, "access_token", RefreshAuth, "token_invalid"),  # "`access_token` header is invalid"
    (36009004, "access-token", RefreshAuth, "token_invalid"),  # "`x-tts-access-token` header …"
    (36009004, "timestamp", Rejected, "timestamp"),  # clock outside −5 min/+30 s: fix NTP
    (36009004, "shop_cipher", Rejected, "shop_cipher_unexpected"),
    (36009004, "version", Rejected, "version_invalid"),
    (36009004, "", Rejected, "credentials_invalid"),  # app_key, missing sign, …
    (106001, "", Rejected, "sign_invalid"),
    (106013, "", Rejected, "shop_cipher_missing"),
    # authorization: the seller must authorize (again), with the right shop and scopes
    (101000, "", NeedsReauth, "token_shop_mismatch"),
    (105005, "", NeedsReauth, "scope_not_granted"),
    (36009033, "", Rejected, "ip_not_allowed"),  # operator: add the IP in Partner Center
    # throttling and transient trouble
    (36009002, "", RateLimited, "rate_limited"),
    (36009003, "", Retryable, "internal_error"),
    (36009007, "", Retryable, "timeout"),
    # the request itself
    (36009009, "", Rejected, "path_invalid"),
    (36009010, "", Rejected, "method_invalid"),
    (36009014, "", Rejected, "version_retired"),  # upgrade the path version
    (36009022, "", Rejected, "format_invalid"),
    (12052180, "", Rejected, "search_over_10000"),  # slice the search by time
    # business: this product or SKU, not the whole account (the seller sees it)
    (12052037, "", SkippableItem, "inventory_not_updatable"),
    (12052028, "", SkippableItem, "warehouses_missing"),
    (12019028, "", SkippableItem, "warehouses_missing"),
    (12019022, "", SkippableItem, "warehouse_invalid"),
    (12052097, "", SkippableItem, "warehouse_unknown"),
    (12052533, "", SkippableItem, "warehouses_changed"),
    (12052055, "", SkippableItem, "quantity_out_of_range"),
    (12019024, "", SkippableItem, "quantity_invalid"),
    (12052393, "", SkippableItem, "promotion_lock"),
    (12052038, "", SkippableItem, "price_locked"),
    (12019045, "", SkippableItem, "price_locked"),
    (12052553, "", SkippableItem, "sku_duplicate"),
    (12052050, "", SkippableItem, "too_many_skus"),
]

#: Codes that mean our idea of a SKU's warehouses is stale: re-read the product and retry.
WAREHOUSE_CODES = frozenset({12052037, 12052028, 12019028, 12019022, 12052097, 12052533})


def _lookup(code: int, message: str) -> tuple[type[AdapterError], str] | None:
    low = message.lower()
    for table_code, fragment, cls, name in ERROR_TABLE:
        if code == table_code and fragment in low:
            return cls, name
    return None


def error_class(code: int, message: str = "") -> type[AdapterError]:
    """The class for a TikTok ``code`` and message.

    Unknown product/inventory codes (``1201xxxx``/``1205xxxx``) concern one product
    and are skippable; any other unknown code is rejected (never retried blindly).
    """
    found = _lookup(code, message)
    if found is not None:
        return found[0]
    if str(code).startswith(("1201", "1205")):
        return SkippableItem
    return Rejected


def label(code: int, message: str = "") -> str:
    """``"<code>:<name>"`` for a known code, else the bare number."""
    found = _lookup(code, message)
    return f"{code}:{found[1]}" if found else str(code)


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
