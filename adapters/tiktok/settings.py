"""A TikTok Shop channel's settings (reference §3.1-§3.3): what ``channel add`` asks for."""

from __future__ import annotations

from typing import Literal

from syncd.adapter_settings import AdapterSettings, setting


class TikTokSettings(AdapterSettings):
    """The app key and service id (Partner Center), host, currency and storefronts."""

    app_key: str = setting(help="help.app_key", required=True)
    service_id: str | None = setting(help="help.service_id", ask=True)  # the consent link
    environment: Literal["production", "sandbox"] = setting(
        "production", help="help.environment", choices=("production", "sandbox")
    )
    region: str | None = setting(
        help=(
            "wilayah toko (US memakai halaman otorisasi US)",
            "shop region (US: the US consent page)",
        ),
        advanced=True,
    )
    currency: str = setting("IDR", help=("mata uang harga", "price currency"), advanced=True)
    storefronts: list[str] | str | None = setting(
        help=(
            "etalase: tiktok, tokopedia (bawaan: menurut wilayah)",
            "storefronts (default: by region)",
        ),
        advanced=True,
    )
    warehouse_id: str | None = setting(
        help=("gudang untuk stok", "warehouse the stock is written to"), advanced=True
    )
    auth_base_url: str | None = setting(
        help=("alamat API token (uji)", "token API host (tests)"), advanced=True
    )
    authorize_url: str | None = setting(
        help=("halaman otorisasi (uji)", "consent page (tests)"), advanced=True
    )
