"""Lazada's answers mapped to what syncd does about them: one table, tested as a table.

Every answer carries ``code`` (``"0"`` = success), ``type`` and ``message``
(§2.7). Classify by ``code``, never by ``type``: the vendor's pages contradict
each other about what ISV and ISP mean. The HTTP status of error replies is
not documented (UNCONFIRMED, §2.7/§9), so both are read: the HTTP status first
(429, 5xx), then the body's ``code``.

Numeric codes come spelled both ways (``E901`` in prose, ``901`` in answers;
``E005`` and ``5``), so they are looked up without the ``E`` and leading zeros.
An error's ``code`` attribute keeps the spelling Lazada sent.

One answer is not an error of the whole call: ``501`` ("Update product failed")
with a ``detail`` list is a batch write where some SKUs failed; :func:`classify`
returns it and the adapter reads ``detail`` per SKU.

A stock write below a campaign lock (:func:`is_lock_refusal`): the vendor's "Create/Update
Product Q&A" (Q8) gives code ``501`` with "negative sellable on channel inventory" ("you
update the available inventory to be less than the available inventory locked by the
Campaign"), and the API references of UpdateSellableQuantity, UpdatePriceQuantity and
AdjustSellableQuantity list ``4170`` ("During the … campaign, there are restrictions for
stock adjustments in effect between … Sellers can increase stocks, but may not decrease
stocks."). UNCONFIRMED: where the words sit (the adapter reads them in a ``501``'s per-SKU
``detail`` message, or as the whole answer's ``code``/``message``) and that a refusal
never tells the locked units.
"""

from __future__ import annotations

import re
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
    "PARTIAL",
    "THROTTLE_WAIT",
    "classify",
    "error_class",
    "error_for",
    "is_lock_refusal",
    "is_partial",
    "normalize",
]

_NUMERIC = re.compile(r"E?0*(\d+)")


def normalize(code: str) -> str:
    """``E005`` → ``5``, ``E901`` → ``901``; named codes stay as they are."""
    text = code.strip()
    match = _NUMERIC.fullmatch(text)
    return str(int(match.group(1))) if match else text


#: Normalized code → class (§2.7). Anything not listed is Rejected.
ERROR_TABLE = ErrorTable(
    [
        # the token: refresh once, then retry once (the core asks the seller after that)
        ErrorRule("IllegalAccessToken", RefreshAuth),
        # the refresh token: only the seller can fix it by authorizing again
        ErrorRule("IllegalRefreshToken", NeedsReauth),
        ErrorRule("AUTH_TYPE_UNSUPPORTED", NeedsReauth),  # Service Market apps cannot refresh
        # throttling: wait ≥ 1 s ("…this ban will last N seconds"), then retry
        ErrorRule("ApiCallLimit", RateLimited),
        ErrorRule("901", RateLimited),  # "request is too frequent, or … temporarily disabled"
        # transient: back off and retry
        ErrorRule("6", Retryable),  # E006 unexpected internal error
        ErrorRule("21", Retryable),  # E021
        ErrorRule("513", Retryable),  # internal call exception; fewer SKUs per call help (≤ 20)
        ErrorRule("1000", Retryable),  # internal application error
        ErrorRule("ServiceTimeout", Retryable),
        # the request itself: permanent, fix it
        ErrorRule("IncompleteSignature", Rejected),  # wrong app secret (or a bug in our signing)
        ErrorRule("MissingParameter", Rejected),
        ErrorRule("InvalidCode", Rejected),  # authorization code used, expired (30 min) or wrong
        ErrorRule("5", Rejected),  # E005 invalid request format
        ErrorRule("17", Rejected),  # E017 date format: YYYY-MM-DDTHH:mm:ss±HH:MM
        ErrorRule("19", Rejected),  # E019 limit out of range
        ErrorRule("36", Rejected),  # E036 invalid status filter
        ErrorRule("56", Rejected),  # E056 order id list format
        ErrorRule("204", Rejected),  # E204 too many SKUs in one request
        # business: this SKU, not the account (the seller sees why)
        ErrorRule("501", SkippableItem),  # update failed (without a per-SKU detail)
        ErrorRule("4170", SkippableItem),  # campaign in effect: stock may go up, not down
        ErrorRule("4225", SkippableItem),  # Global Plus item: only the sellable APIs apply
        ErrorRule("SellerNotVerified", Rejected),  # the whole account: the seller must verify it
    ],
    normalize=normalize,
)

#: Codes whose answer is a per-SKU report, not an error of the call.
PARTIAL = frozenset({"501"})
#: Codes of a stock write refused because a campaign holds the SKU's stock (vendor API
#: references: ``4170``, stock may go up, not down, during a campaign).
LOCK_CODES = frozenset({"4170"})
#: Words of a per-SKU refusal for a campaign lock: "negative sellable on channel
#: inventory" (vendor Q&A Q8, under code 501) and any refusal naming a campaign (4170's
#: words; Q&A Q5 "under campaign participation"). UNCONFIRMED beyond those two texts.
_LOCK_WORDS = re.compile(r"channel\s*inventor|campaign", re.IGNORECASE)
#: Seconds to wait on a throttle that names no duration (§2.7: "wait at least 1 s").
THROTTLE_WAIT = 1.0

_BAN = re.compile(r"last\s+(\d+(?:\.\d+)?)\s+second", re.IGNORECASE)


def error_class(code: str) -> type[AdapterError]:
    """The class for a Lazada ``code`` (Rejected when unknown)."""
    return ERROR_TABLE.error_class(code)


def is_partial(body: dict[str, Any]) -> bool:
    """A batch write's per-SKU failure report (``501`` with a non-empty ``detail``)."""
    detail = body.get("detail")
    return (
        normalize(str(body.get("code", ""))) in PARTIAL
        and isinstance(detail, list)
        and bool(detail)
    )


def is_lock_refusal(code: str, message: str) -> bool:
    """Whether a refused stock write was refused for a campaign lock (see above)."""
    return normalize(code) in LOCK_CODES or bool(_LOCK_WORDS.search(message))


def _throttle_wait(message: str, retry_after: str | None) -> float:
    """Retry-After if sent, else the ban length in the message, else 1 s; never below 1 s."""
    parsed = parse_retry_after(retry_after)
    if parsed is None and (match := _BAN.search(message)):
        parsed = float(match.group(1))
    return max(THROTTLE_WAIT, parsed or 0.0)


def error_for(
    code: str, message: str, *, status: int | None = None, retry_after: str | None = None
) -> AdapterError:
    """The error to raise for a Lazada ``code`` and ``message``."""
    cls = error_class(code)
    text = f"Lazada: {code}: {message}"
    if issubclass(cls, RateLimited):
        return cls(text, code=code, status=status, retry_after=_throttle_wait(message, retry_after))
    if issubclass(cls, Retryable):
        return cls(text, code=code, status=status, retry_after=parse_retry_after(retry_after))
    return cls(text, code=code, status=status)


def _body_code(response: httpx.Response) -> tuple[str, str]:
    """(code, message) of a reply that may or may not be JSON (for 429 and 5xx)."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("code") or ""), str(body.get("message") or "")


def classify(response: httpx.Response) -> Any:
    """The response body when it succeeded (or is a per-SKU report), else raise the mapped error."""
    status = response.status_code
    retry_after = response.headers.get("Retry-After")
    if status == 429:
        code, message = _body_code(response)
        raise RateLimited(
            f"Lazada: {code or 'HTTP 429'}: {message or 'too many requests'}",
            code=code or "http_429",
            status=status,
            retry_after=_throttle_wait(message, retry_after),
        )
    if status >= 500:
        code, message = _body_code(response)
        raise Retryable(
            f"Lazada: HTTP {status}: {code} {message}".rstrip(),
            code=code or f"http_{status}",
            status=status,
            retry_after=parse_retry_after(retry_after),
        )
    if status >= 400 and not _body_code(response)[0]:  # a gateway's own refusal, no code
        cls = RefreshAuth if status in (401, 403) else Rejected
        raise cls(f"Lazada: HTTP {status}", code=f"http_{status}", status=status)
    body = json_or_malformed(response)
    if not isinstance(body, dict) or "code" not in body:
        raise MalformedResponse(f"Lazada: HTTP {status}: answer has no code", status=status)
    raw = body["code"]
    if isinstance(raw, bool) or not isinstance(raw, str | int) or str(raw).strip() == "":
        raise MalformedResponse(f"Lazada: HTTP {status}: `code` is not a code", status=status)
    code = str(raw)
    if code == "0" or is_partial(body):
        return body
    message = str(body.get("message") or code)
    raise error_for(code, message, status=status, retry_after=retry_after)
