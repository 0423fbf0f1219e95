"""Toko Mainan's answers mapped to what syncd does about them: one table, one ``classify``."""

from __future__ import annotations

from typing import Any

import httpx

from syncd.errors import (
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

__all__ = ["ERROR_TABLE", "classify"]

ERROR_TABLE = ErrorTable(
    [
        ErrorRule("unauthorized", NeedsReauth, name="bad_key"),  # a key is never refreshed
        ErrorRule("http_401", NeedsReauth),
        ErrorRule("rate_limited", RateLimited),
        ErrorRule("http_429", RateLimited),
        ErrorRule("server_error", Retryable),
        ErrorRule("busy", Retryable),  # "server sibuk": sent in a 200
        ErrorRule("invalid_param", Rejected),
        ErrorRule("not_found", SkippableItem),
        ErrorRule("item_locked", SkippableItem),  # one product of a batch (a promotion)
    ],
    families={"http_5": Retryable},
)


def classify(response: httpx.Response) -> Any:
    """The JSON body of a good answer; else the error its table maps the code to, raised."""
    status = response.status_code
    if status < 400:
        body = json_or_malformed(response)
        if not isinstance(body, dict):
            raise MalformedResponse(f"Toko Mainan: HTTP {status}: not a JSON object")
    else:
        try:
            body = response.json()
        except ValueError:
            body = None
    error = body.get("error") if isinstance(body, dict) else None
    if status < 400 and error is None:
        return body
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        code, message = error["code"], str(error.get("message") or "")[:300]
    else:
        code, message = f"http_{status}", response.reason_phrase
    cls = ERROR_TABLE.error_class(code, message)
    text = f"Toko Mainan: {ERROR_TABLE.label(code, message)}: {message}"[:500]
    if issubclass(cls, Retryable):
        wait = parse_retry_after(response.headers.get("Retry-After"))
        raise cls(text, code=code, status=status, retry_after=wait)
    raise cls(text, code=code, status=status)
