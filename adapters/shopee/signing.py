"""Shopee Open Platform v2 request signing (reference §1.3, vectors §7.1).

The base string is a plain concatenation: ``partner_id + path + timestamp``
for public APIs, then ``+ access_token + shop_id`` for shop APIs (merchant APIs
put ``merchant_id`` in the shop's place; syncd calls none). The digest is
HMAC-SHA256 keyed with the partner key (its UTF-8 bytes, not hex-decoded),
lowercase hex, sent in the query string. The JSON body is not signed.

Which paths are public (§1.3): "auth link, ``auth/token/get``,
``auth/access_token/get``, ``public.*``, push config". The auth links are
``shop/auth_partner`` and ``shop/cancel_auth_partner`` (§1.2 #8: "same link
format"). Every ``push.*`` API is public, not only the push config ones: the
vendor pages the reference cites (SH-API:v2.push.get_lost_push_message,
…confirm_consumed_lost_push_message, …get_app_push_config) give ``api_type``
"Public" and sign "partner_id, api path, timestamp and partner_key".
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Generator
from typing import Literal

import httpx

__all__ = [
    "PUBLIC_PATHS",
    "PUBLIC_PREFIXES",
    "PathKind",
    "ShopeeAuth",
    "base_string",
    "path_kind",
    "push_signature",
    "sign",
]

PathKind = Literal["public", "shop"]

#: Single paths signed without a token and shop: the auth links and the token calls.
PUBLIC_PATHS = frozenset(
    {
        "/api/v2/shop/auth_partner",
        "/api/v2/shop/cancel_auth_partner",
        "/api/v2/auth/token/get",
        "/api/v2/auth/access_token/get",
    }
)
#: Whole modules signed without a token and shop: ``v2.public.*`` and ``v2.push.*``.
PUBLIC_PREFIXES = ("/api/v2/public/", "/api/v2/push/")


def path_kind(path: str) -> PathKind:
    """Whether ``path`` is a public API (partner_id + path + timestamp) or a shop API."""
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return "public"
    return "shop"


def base_string(
    partner_id: int, path: str, timestamp: int, access_token: str = "", shop_id: int | str = ""
) -> str:
    """The string Shopee signs: leave ``access_token`` and ``shop_id`` empty for public APIs."""
    return f"{partner_id}{path}{timestamp}{access_token}{shop_id}"


def sign(partner_key: str, base: str) -> str:
    """Lowercase hex HMAC-SHA256 of ``base`` keyed with the partner key."""
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def push_signature(partner_key: str, url: str, body: bytes) -> str:
    """The ``Authorization`` value of a push: HMAC over ``url|raw body``."""
    return hmac.new(partner_key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()


class ShopeeAuth(httpx.Auth):
    """Adds ``partner_id``, ``timestamp`` and ``sign`` (and the token and shop for shop APIs).

    The token is read on every request, so a retry after a refresh signs with the new one.
    """

    def __init__(
        self,
        partner_id: int,
        partner_key: str,
        shop_id: int,
        token: Callable[[], str | None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._partner_id = partner_id
        self._key = partner_key
        self._shop_id = shop_id
        self._token = token
        self._clock = clock

    def __repr__(self) -> str:
        return f"ShopeeAuth(partner_id={self._partner_id}, key=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        path = request.url.path
        timestamp = int(self._clock())
        params: dict[str, str | int] = {"partner_id": self._partner_id, "timestamp": timestamp}
        if path_kind(path) == "public":
            params["sign"] = sign(self._key, base_string(self._partner_id, path, timestamp))
        else:
            token = self._token() or ""
            base = base_string(self._partner_id, path, timestamp, token, self._shop_id)
            params.update(access_token=token, shop_id=self._shop_id, sign=sign(self._key, base))
        request.url = request.url.copy_merge_params(params)
        yield request
