"""A Shopify channel's settings (reference §5.1, §5.2): what ``channel add`` asks for.

The store is the channel's ``base_url`` (``https://toko-bu-sri.myshopify.com``). Plain
``http://`` is refused except on 127.0.0.1 and localhost (the simulator): the access
token travels in a header on every call.

``auth`` says how syncd gets its access token (§5.2):

* ``client_credentials`` (the default; the UMKM case): an app the merchant made in the Dev
  Dashboard and installed on the store; syncd asks for a 24-hour token with the app's
  client id and secret, and asks again before it expires. Nothing to click.
* ``oauth``: an app installed by another merchant: the merchant approves it once (the link
  from ``channel connect``); syncd receives an expiring offline token (60 minutes) and a
  refresh token that rotates on every use.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import field_validator

from syncd.adapter_settings import AdapterSettings, setting

__all__ = ["API_VERSION", "ShopifySettings"]

#: The version syncd is written against (quarterly versions, §5.1). 2026-01 is the oldest
#: that has ``changeFromQuantity`` (§5.3); 2026-04 makes ``@idempotent`` mandatory.
API_VERSION = "2026-10"
OLDEST_VERSION = "2026-01"
_VERSION = re.compile(r"^20\d\d-(01|04|07|10)$")
_GID = re.compile(r"^gid://shopify/Location/\d{1,20}$")


class ShopifySettings(AdapterSettings):
    """The store's address, the API version, the app's client id and the location."""

    base_url: str | None = setting(
        help=(
            "alamat toko Shopify (https://nama-toko.myshopify.com)",
            "the Shopify store's address (https://shop-name.myshopify.com)",
        ),
        required=True,
    )
    client_id: str = setting(
        help=(
            "Client ID aplikasi (Dev Dashboard → aplikasi → Settings)",
            "the app's client ID (Dev Dashboard → app → Settings)",
        ),
        required=True,
    )
    auth: str = setting(
        "client_credentials",
        help=(
            "cara mendapat token: client_credentials (aplikasi milik toko) atau oauth",
            "how syncd gets its token: client_credentials (the store's own app) or oauth",
        ),
        choices=("client_credentials", "oauth"),
    )
    location_id: str | None = setting(
        help=(
            "lokasi stok (gid://shopify/Location/…); kosong: satu-satunya lokasi toko",
            "the stock location (gid://shopify/Location/…); empty: the store's only one",
        ),
    )
    api_version: str = setting(
        API_VERSION,
        help=("versi Admin API (YYYY-MM)", "Admin API version (YYYY-MM)"),
        advanced=True,
    )
    scopes: str = setting(
        "read_products,write_products,read_inventory,write_inventory,read_orders",
        help=("izin yang diminta (oauth)", "access scopes asked for (oauth)"),
        advanced=True,
    )

    @field_validator("base_url")
    @classmethod
    def _store(cls, value: str | None) -> str | None:
        text = AdapterSettings.https_unless_loopback(value, "https://name.myshopify.com")
        parts = urlsplit(text)
        return f"{parts.scheme}://{parts.netloc}"  # the API paths are syncd's to add

    @field_validator("client_id")
    @classmethod
    def _client_id(cls, value: str) -> str:
        text = value.strip()
        if not text or any(c.isspace() for c in text) or not text.isprintable():
            raise ValueError("not a client ID")
        return text

    @field_validator("auth")
    @classmethod
    def _auth(cls, value: str) -> str:
        if value not in ("client_credentials", "oauth"):
            raise ValueError("client_credentials or oauth")
        return value

    @field_validator("api_version")
    @classmethod
    def _version(cls, value: str) -> str:
        text = value.strip()
        if not _VERSION.match(text):
            raise ValueError("a version is YYYY-01, -04, -07 or -10 (e.g. 2026-10)")
        if text < OLDEST_VERSION:
            raise ValueError(f"{text} has no changeFromQuantity; use {OLDEST_VERSION} or later")
        return text

    @field_validator("location_id")
    @classmethod
    def _location(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        text = value.strip()
        if text.isdigit():
            text = f"gid://shopify/Location/{text}"
        if not _GID.match(text):
            raise ValueError("a location is gid://shopify/Location/<number>")
        return text
