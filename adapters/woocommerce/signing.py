"""WooCommerce REST authentication over HTTPS (reference §4.1).

WooCommerce signs nothing over HTTPS: the consumer key and secret go as HTTP Basic auth
(``Authorization: Basic base64(key:secret)``). Some hosts strip the ``Authorization``
header before PHP sees it (WooCommerce then answers "Consumer key is missing"); for them
the key and secret go as the query parameters ``consumer_key`` / ``consumer_secret``
(the channel setting ``query_auth``). That puts the secret in the URL, where access logs
see it: it is the documented fallback, not the default. httpx errors never show our URLs'
queries (``syncd.redact`` scrubs secrets from what is logged).

OAuth 1.0a (plain HTTP) is not implemented: the settings refuse plain-http stores except
on loopback (tests).
"""

from __future__ import annotations

import base64
from collections.abc import Generator

import httpx

__all__ = ["QUERY_NAMES", "WooAuth", "basic_value"]

#: the query parameters of the fallback (§4.1)
QUERY_NAMES = ("consumer_key", "consumer_secret")


def basic_value(key: str, secret: str) -> str:
    """The ``Authorization`` header value for a key and secret."""
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")


class WooAuth(httpx.Auth):
    """Adds the key and secret to every request: Basic auth, or query parameters."""

    def __init__(self, consumer_key: str, consumer_secret: str, *, query: bool = False) -> None:
        self._key = consumer_key
        self._secret = consumer_secret
        self.query = query

    def __repr__(self) -> str:
        return f"WooAuth(consumer_key={self._key[:6]}…, secret=***, query={self.query})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.query:
            params = [(k, v) for k, v in request.url.params.multi_items() if k not in QUERY_NAMES]
            params += [("consumer_key", self._key), ("consumer_secret", self._secret)]
            request.url = request.url.copy_with(params=params)
            request.headers.pop("Authorization", None)
        else:
            request.headers["Authorization"] = basic_value(self._key, self._secret)
        yield request
