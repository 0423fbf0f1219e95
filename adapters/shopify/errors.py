"""Shopify's answers mapped to what syncd does about them (reference §5.5).

HTTP statuses (§5.5): 401 a bad or expired token (refresh: ask for a new one), 402 the
shop is frozen (its bill unpaid), 403 a scope the app lacks, 404, 423 a locked shop, 429
(REST-style throttle, ``Retry-After``), 5xx (retry). The shop-level ones (402, 403, 423)
stop calls to that shop until the merchant acts: NeedsReauth, with the reason named.

GraphQL answers with HTTP 200 carry ``errors[].extensions.code``: ``THROTTLED`` (the
cost bucket is empty; whether it can come as 429 instead is disputed, §5.5 UNCONFIRMED,
so both are read the same way) waits the seconds the bucket needs, from
``extensions.cost`` (requested cost minus what is available, over the restore rate);
``MAX_COST_EXCEEDED`` is a query of ours that is too big (refused for good);
``ACCESS_DENIED`` a missing scope; ``INTERNAL_SERVER_ERROR`` is retried. Mutation
``userErrors`` (also HTTP 200) are per input and read by the adapter (§5.5: "treat them
as permanent for that input"), except CHANGE_FROM_QUANTITY_STALE, which the adapter
answers by reading again (compare-and-swap).

The token endpoint answers OAuth 2 errors (UNCONFIRMED shape): ``invalid_client`` (a
wrong client id or secret) and ``invalid_grant`` (a used or expired code or refresh
token) need the merchant; they are NeedsReauth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import httpx

from syncd.errors import (
    AdapterError,
    ErrorRule,
    ErrorTable,
    MalformedResponse,
    RateLimited,
    Rejected,
    Retryable,
)
from syncd.errors import NeedsReauth as Reauth
from syncd.errors import RefreshAuth as Refresh
from syncd.http import json_or_malformed, parse_retry_after

__all__ = ["ERROR_TABLE", "ShopifyReply", "classify", "retry_after_of"]

ERROR_TABLE = ErrorTable(
    [
        ErrorRule("http_401", Refresh, name="token_refused"),
        ErrorRule("http_402", Reauth, name="shop_frozen"),  # the merchant's bill (§5.5)
        ErrorRule("http_403", Reauth, name="missing_scope"),
        ErrorRule("http_404", Rejected, name="not_found"),
        ErrorRule("http_423", Reauth, name="shop_locked"),
        ErrorRule("http_429", RateLimited, name="throttled"),
        ErrorRule("http_500", Retryable),
        ErrorRule("http_502", Retryable),
        ErrorRule("http_503", Retryable),
        ErrorRule("http_504", Retryable),
        ErrorRule("THROTTLED", RateLimited, name="cost_bucket_empty"),
        ErrorRule("MAX_COST_EXCEEDED", Rejected, name="query_too_costly"),
        ErrorRule("ACCESS_DENIED", Reauth, name="missing_scope"),
        ErrorRule("INTERNAL_SERVER_ERROR", Retryable),
        ErrorRule("BAD_REQUEST", Rejected, "invalid cursor", name="invalid_cursor"),
        ErrorRule("BAD_REQUEST", Rejected),
        ErrorRule("MAX_INPUT_SIZE_EXCEEDED", Rejected),
        # the token endpoint (OAuth 2 error codes)
        ErrorRule("invalid_client", Reauth, name="client_refused"),
        ErrorRule("invalid_grant", Reauth, name="grant_refused"),
        ErrorRule("invalid_request", Rejected),
        ErrorRule("unsupported_grant_type", Rejected),
    ],
)


@dataclass(frozen=True, slots=True)
class ShopifyReply:
    """A good answer: its JSON body (``data`` for GraphQL) and the cost bucket's state."""

    body: Any
    available: float | None  # ``throttleStatus.currentlyAvailable``
    restore_rate: float | None


def retry_after_of(cost: Any) -> float | None:
    """Seconds until the cost bucket holds the points a throttled query asked for."""
    if not isinstance(cost, dict):
        return None
    status = cost.get("throttleStatus")
    requested = cost.get("requestedQueryCost")
    if not isinstance(status, dict) or not isinstance(requested, int | float):
        return None
    available, rate = status.get("currentlyAvailable"), status.get("restoreRate")
    if not isinstance(available, int | float) or not isinstance(rate, int | float) or rate <= 0:
        return None
    return max(0.0, min(60.0, math.ceil(max(0.0, requested - available) / rate * 10) / 10))


def _error(code: str, message: str, *, status: int, retry_after: float | None) -> AdapterError:
    return ERROR_TABLE.error(
        code, message, source="Shopify", status=status, retry_after=retry_after
    )


def _first_error(body: Any) -> tuple[str, str] | None:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        return None
    if isinstance(errors, list) and isinstance(errors[0], dict):
        ext = errors[0].get("extensions")
        code = ext.get("code") if isinstance(ext, dict) else None
        return str(code or "BAD_REQUEST")[:60], str(errors[0].get("message") or "")[:300]
    return "", str(errors)[:300]


def classify(response: httpx.Response) -> ShopifyReply:
    """The answer when it succeeded, else raise the mapped error."""
    status = response.status_code
    if status >= 400:
        try:
            body = response.json()
        except ValueError:
            body = None
        oauth = body.get("error") if isinstance(body, dict) else None
        if status == 400 and isinstance(oauth, str):  # the token endpoint
            message = str(body.get("error_description") or "")[:300]
            raise _error(oauth[:60], message, status=status, retry_after=None)
        found = _first_error(body)
        code, message = (found[0], found[1]) if found and found[0] else ("", "")
        if code != "THROTTLED":
            code, message = f"http_{status}", (found[1] if found else response.reason_phrase)
        wait = parse_retry_after(response.headers.get("Retry-After"))
        if code == "THROTTLED" and isinstance(body, dict):
            wait = retry_after_of((body.get("extensions") or {}).get("cost"))
        raise _error(code, message, status=status, retry_after=wait)
    body = json_or_malformed(response)
    if not isinstance(body, dict):
        raise MalformedResponse(f"Shopify: HTTP {status}: not a JSON object")
    cost = (
        (body.get("extensions") or {}).get("cost")
        if isinstance(body.get("extensions"), dict)
        else None
    )
    found = _first_error(body)
    if found is not None:
        code, message = found
        wait = retry_after_of(cost) if code == "THROTTLED" else None
        raise _error(code, message, status=status, retry_after=wait)
    throttle = cost.get("throttleStatus") if isinstance(cost, dict) else None
    available = throttle.get("currentlyAvailable") if isinstance(throttle, dict) else None
    rate = throttle.get("restoreRate") if isinstance(throttle, dict) else None
    return ShopifyReply(
        body,
        float(available) if isinstance(available, int | float) else None,
        float(rate) if isinstance(rate, int | float) else None,
    )
