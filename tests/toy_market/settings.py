"""A Toko Mainan channel's settings: what ``channel add --marketplace toko_mainan`` takes."""

from __future__ import annotations

import re

from pydantic import field_validator

from syncd.adapter_settings import AdapterSettings, setting

__all__ = ["ToySettings"]

_MERCHANT = re.compile(r"TM-\d{1,10}")


class ToySettings(AdapterSettings):
    """The seller's merchant code (the API key is the stored secret, never a setting)."""

    merchant_code: str = setting(
        help=(
            "kode penjual di Toko Mainan (TM-…)",
            "the seller's merchant code at Toko Mainan (TM-…)",
        ),
        required=True,
    )

    @field_validator("merchant_code")
    @classmethod
    def _code(cls, value: str) -> str:
        text = value.strip().upper()
        if not _MERCHANT.fullmatch(text):
            raise ValueError("not a merchant code (TM- and digits, e.g. TM-1001)")
        return text
