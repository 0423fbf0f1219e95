"""A Lazada channel's settings (reference §2.1-§2.3): what ``channel add`` asks for."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from syncd.adapter_settings import AdapterSettings, setting

#: the API host per country (§2.1)
COUNTRIES = ("id", "sg", "my", "th", "ph", "vn")


class LazadaSettings(AdapterSettings):
    """The app key (Lazada Open Platform console) and the seller's country."""

    app_key: str = setting(help="help.app_key", required=True)
    #: the name earlier versions stored the app key under (still read; UNCONFIRMED use)
    partner_id: str | None = setting(
        help=("kunci aplikasi (nama lama dari --app-key)", "app key (old name of --app-key)"),
        advanced=True,
    )
    country: str = setting(
        "id", help=("negara toko Lazada", "the Lazada shop's country"), choices=COUNTRIES
    )
    auth_url: str | None = setting(
        help=("alamat API token (uji)", "token API host (tests)"), advanced=True
    )

    @model_validator(mode="before")
    @classmethod
    def _old_name(cls, data: Any) -> Any:
        """Channels added before ``--app-key`` existed keep the key as ``partner_id``."""
        if isinstance(data, dict) and not data.get("app_key") and data.get("partner_id"):
            return {**data, "app_key": str(data["partner_id"])}
        return data
