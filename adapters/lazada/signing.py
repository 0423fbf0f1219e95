"""Lazada Open Platform request signing (reference §2.3, vectors §7.2).

Every parameter except ``sign`` — system and business, the XML ``payload`` of a
write included — is sorted by name (ASCII order) and concatenated as
``name + value`` with no separators, behind the API path (``/orders/get``: the
gateway's ``/rest`` prefix is not part of it). The digest is HMAC-SHA256 keyed
with the app secret (its UTF-8 bytes), as UPPERCASE hex.

Empty values are never sent: the vendor's Java sample skips them when signing
and its Python SDK signs them, so leaving them out is the one way both agree.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Generator, Iterable, Mapping

import httpx

__all__ = ["SIGN_METHOD", "TOKEN_APIS", "LazadaAuth", "base_string", "push_signature", "sign"]

SIGN_METHOD = "sha256"
#: APIs signed without an access token (the token calls, on auth.lazada.com).
TOKEN_APIS = frozenset({"/auth/token/create", "/auth/token/refresh"})


def base_string(api: str, params: Mapping[str, str]) -> str:
    """The string Lazada signs: the API path, then each ``name + value`` in name order."""
    return api + "".join(f"{name}{params[name]}" for name in sorted(params) if name != "sign")


def sign(app_secret: str, api: str, params: Mapping[str, str]) -> str:
    """Uppercase hex HMAC-SHA256 of :func:`base_string`, keyed with the app secret."""
    base = base_string(api, params).encode()
    return hmac.new(app_secret.encode(), base, hashlib.sha256).hexdigest().upper()


def push_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """A push's ``Authorization`` value: HMAC over ``app_key + raw body``, lowercase (§2.6)."""
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


class LazadaAuth(httpx.Auth):
    """Adds ``app_key``, ``timestamp`` (ms), ``sign_method``, the token and ``sign``.

    The adapter hands every business parameter over as query parameters. For a
    GET they, the system parameters and the sign all go in the query string. For
    a POST all of them go in an ``application/x-www-form-urlencoded`` body sent
    to the bare URL (§2.3 #5: "query string for GET, form field for POST"; the
    vendor's ``lazop-sdk`` posts every parameter, system and API, as the form).
    So neither the access token nor the sign of a POST is ever in a URL, where
    httpx errors, proxies and access logs would see it. The same parameters that
    are sent are the ones signed.

    The token is read on every request, so a retry after a refresh signs with the new one.
    """

    def __init__(
        self,
        app_key: str,
        app_secret: str,
        token: Callable[[], str | None],
        *,
        prefixes: Iterable[str] = ("/rest",),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app_key = app_key
        self._secret = app_secret
        self._token = token
        # longest first, so "/a/rest" wins over "/a"
        self._prefixes = sorted({p.rstrip("/") for p in prefixes if p.rstrip("/")}, key=len)[::-1]
        self._clock = clock

    def __repr__(self) -> str:
        return f"LazadaAuth(app_key={self._app_key}, secret=***)"

    def api_name(self, path: str) -> str:
        """The API path of a URL path: ``/rest/orders/get`` → ``/orders/get``."""
        for prefix in self._prefixes:
            if path.startswith(prefix + "/"):
                return path[len(prefix) :]
        return path

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        api = self.api_name(request.url.path)
        business = {k: v for k, v in request.url.params.multi_items() if v != ""}
        system = {
            "app_key": self._app_key,
            "sign_method": SIGN_METHOD,
            "timestamp": str(int(self._clock() * 1000)),
        }
        if api not in TOKEN_APIS and (token := self._token()):
            system["access_token"] = token
        params = {**business, **system}
        params["sign"] = sign(self._secret, api, params)
        if request.method != "POST":
            request.url = request.url.copy_with(params=params)
            yield request
            return
        headers = [
            (name, value)
            for name, value in request.headers.multi_items()
            if name.lower() not in ("content-length", "content-type", "transfer-encoding")
        ]
        yield httpx.Request(
            "POST",
            request.url.copy_with(query=b""),  # the bare URL: nothing secret in it
            headers=headers,
            data=params,
            extensions=request.extensions,
        )
