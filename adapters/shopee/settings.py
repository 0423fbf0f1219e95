"""A Shopee channel's settings (reference §1.1-§1.3): what ``channel add`` asks for."""

from __future__ import annotations

from typing import Literal

from syncd.adapter_settings import AdapterSettings, setting


class ShopeeSettings(AdapterSettings):
    """The app's partner id (Shopee Open Platform console) and the host to use."""

    partner_id: int = setting(help="help.partner_id", required=True)
    environment: Literal["production", "sandbox"] = setting(
        "production", help="help.environment", choices=("production", "sandbox")
    )
