"""WooCommerce's answers mapped to what syncd does about them (reference §4.5).

Errors come as an HTTP status with ``{code, message, data: {status}}``: 400 (invalid
request), 401 (authentication or permission), 404, 500 (§4.5). WooCommerce core has no
rate limit of its own (UNCONFIRMED, §4.5/§9): 429 and 503 come from the host, a WAF or a
security plugin, and are backed off (with their ``Retry-After`` when sent). A host running
ModSecurity can answer PUT/DELETE with **501 "Method Not Implemented"** (§4.5): that is
not transient, so it is refused at once (the adapter writes through POST batches only,
so it should never see it).

A refused key is not a token to refresh: WooCommerce keys have no expiry and nothing
refreshes them (§4.1), so 401 means the seller must make a new key (or give the key
Read/Write access): NeedsReauth at once. "Consumer key is missing" is the one 401 a new
key does not cure: the host stripped the ``Authorization`` header (§4.1), so its message
tells the seller to send the key as URL parameters (the ``query_auth`` setting).

:func:`classify` returns a :class:`WooReply`: the body with the paging headers
(``Link``, ``X-WP-TotalPages``) that ``discover`` and ``pull_orders`` follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from adapters.kit import next_link
from syncd.errors import (
    AdapterError,
    ErrorRule,
    ErrorTable,
    MalformedResponse,
    NeedsReauth,
    RateLimited,
    Rejected,
    Retryable,
    SkippableItem,
)
from syncd.http import json_or_malformed, parse_retry_after

__all__ = ["ERROR_TABLE", "STRIPPED_HINT", "WooReply", "classify", "error_for"]

#: told to the seller with "Consumer key is missing" (§4.1: the header was stripped)
STRIPPED_HINT = (
    "the store received no key: if the host strips the Authorization header, send the key "
    "as URL parameters (syncd channel edit <channel> --setting query_auth=true)"
)

ERROR_TABLE = ErrorTable(
    [
        # the key: never received (§4.1: the host strips ``Authorization``), refused,
        # revoked, its user deleted, or without the access asked for
        ErrorRule(
            "woocommerce_rest_authentication_error",
            NeedsReauth,
            "consumer key is missing",
            name="header_stripped",
        ),
        ErrorRule("woocommerce_rest_authentication_error", NeedsReauth, name="bad_key"),
        ErrorRule("woocommerce_rest_cannot_view", NeedsReauth, name="no_read_access"),
        ErrorRule("woocommerce_rest_cannot_create", NeedsReauth, name="no_write_access"),
        ErrorRule("woocommerce_rest_cannot_edit", NeedsReauth, name="no_write_access"),
        ErrorRule("woocommerce_rest_cannot_batch", NeedsReauth, name="no_write_access"),
        ErrorRule("http_401", NeedsReauth, name="unauthorized"),
        # throttles and outages of the host (core has none of its own, §4.5)
        ErrorRule("http_429", RateLimited, name="host_throttle"),
        ErrorRule("http_503", RateLimited, name="host_unavailable"),
        ErrorRule("http_500", Retryable),
        ErrorRule("http_502", Retryable),
        ErrorRule("http_504", Retryable),
        ErrorRule("woocommerce_rest_cannot_save", Retryable),  # UNCONFIRMED: a failed save
        # the host refuses the method (ModSecurity and PUT/DELETE, §4.5): not transient
        ErrorRule("http_501", Rejected, name="method_not_implemented"),
        # the request itself
        ErrorRule("rest_no_route", Rejected, name="no_route"),  # wrong URL or no permalinks
        ErrorRule("rest_invalid_param", Rejected),
        ErrorRule("woocommerce_rest_invalid_param", Rejected),
        ErrorRule("woocommerce_rest_request_entity_too_large", Rejected),  # > 100 objects
        ErrorRule("woocommerce_rest_invalid_id", SkippableItem),
        ErrorRule("woocommerce_rest_product_invalid_id", SkippableItem),  # deleted meanwhile
        ErrorRule("woocommerce_product_invalid_sku", SkippableItem),
    ],
    families={"woocommerce_rest_cannot_": NeedsReauth},
)


@dataclass(frozen=True, slots=True)
class WooReply:
    """A good answer: its JSON body and the paging headers."""

    body: Any
    next_url: str | None  # ``Link: <…>; rel="next"``
    total_pages: int | None  # ``X-WP-TotalPages``


def error_for(
    code: str, message: str, *, status: int | None, retry_after: str | None
) -> AdapterError:
    """The error to raise for a WooCommerce ``code`` (or ``http_<status>``)."""
    error = ERROR_TABLE.error(
        code,
        message,
        source="WooCommerce",
        status=status,
        retry_after=parse_retry_after(retry_after),
    )
    rule = ERROR_TABLE.rule(code, message)
    if rule is not None and rule.name == "header_stripped":
        error.args = (f"{error} ({STRIPPED_HINT})"[:600],)
    return error


def _error_body(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return "", ""
    return body["code"], str(body.get("message") or "")[:300]


def _total_pages(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 9 else None


def classify(response: httpx.Response) -> WooReply:
    """The answer with its paging headers when it succeeded, else raise the mapped error."""
    status = response.status_code
    retry_after = response.headers.get("Retry-After")
    if status >= 400:
        code, message = _error_body(response)
        if status in (429, 501) or status >= 500 or not code:
            # the host's own answer (a WAF, a proxy, PHP dying): by its status
            code, message = f"http_{status}", message or code or response.reason_phrase
        raise error_for(code, message, status=status, retry_after=retry_after)
    body = json_or_malformed(response)
    if not isinstance(body, dict | list):
        raise MalformedResponse(f"WooCommerce: HTTP {status}: not a JSON object or list")
    return WooReply(
        body,
        next_link(response.headers.get("Link")),
        _total_pages(response.headers.get("X-WP-TotalPages")),
    )
