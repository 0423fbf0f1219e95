"""How a Shopify request carries its access: the ``X-Shopify-Access-Token`` header
(§5.1), read fresh for every request; the token endpoint is called without one."""

from __future__ import annotations

from collections.abc import Callable, Generator

import httpx

from syncd.adapter import Credentials

__all__ = ["TOKEN_PATH", "ShopifyAuth"]

TOKEN_PATH = "/admin/oauth/access_token"  # noqa: S105 - a path


class ShopifyAuth(httpx.Auth):
    """Adds the shop's current access token to every call but the token endpoint's."""

    def __init__(self, credentials: Callable[[], Credentials | None]) -> None:
        self._credentials = credentials

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.path != TOKEN_PATH:
            tokens = self._credentials()
            if tokens is not None and tokens.access_token:
                request.headers["X-Shopify-Access-Token"] = tokens.access_token
        yield request
