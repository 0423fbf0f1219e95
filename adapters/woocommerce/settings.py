"""A WooCommerce channel's settings (reference §4.1): what ``channel add`` asks for.

The store's address is the channel's ``base_url`` (``https://toko.example.id``; the API
lives under ``/wp-json/wc/v3``). Plain ``http://`` is refused except on 127.0.0.1 and
localhost: over plain HTTP WooCommerce wants OAuth 1.0a, and Basic auth there would send
the consumer secret in clear (§4.1: "syncd should require HTTPS").
"""

from __future__ import annotations

from pydantic import field_validator

from syncd.adapter_settings import AdapterSettings, setting

__all__ = ["WooSettings"]


class WooSettings(AdapterSettings):
    """The store's address and the REST key's consumer key (its secret is stored apart)."""

    base_url: str | None = setting(
        help=(
            "alamat toko WooCommerce (https://toko.example.id)",
            "the WooCommerce store's address (https://shop.example.id)",
        ),
        required=True,
    )
    consumer_key: str = setting(
        help=(
            "consumer key REST API (WooCommerce → Pengaturan → Lanjutan → REST API)",
            "REST API consumer key (WooCommerce → Settings → Advanced → REST API)",
        ),
        required=True,
    )
    query_auth: bool = setting(
        False,
        help=(
            "kirim kunci di parameter URL (server yang membuang header Authorization)",
            "send the key as URL parameters (hosts that strip the Authorization header)",
        ),
        advanced=True,
    )

    @field_validator("base_url")
    @classmethod
    def _https_only(cls, value: str | None) -> str | None:
        text = AdapterSettings.https_unless_loopback(value, "https://toko.example.id")
        return text.removesuffix("/wp-json/wc/v3")

    @field_validator("consumer_key")
    @classmethod
    def _key(cls, value: str) -> str:
        text = value.strip()
        if not text or any(c.isspace() for c in text) or not text.isprintable():
            raise ValueError("not a consumer key (ck_…)")
        return text
