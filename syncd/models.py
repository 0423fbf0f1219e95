"""Pydantic models for what crosses syncd's edges (CLI, import files, adapters).

Inside the core, rows travel as plain tuples and dataclasses for speed; these
models validate whatever comes from outside before it reaches the store.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from syncd.adapter_settings import MARKETPLACE_NAME

__all__ = [
    "MARKETPLACE_NAME",
    "OFFLINE_CHANNELS",
    "ChannelIn",
    "Component",
    "ListingIn",
    "MovementIn",
    "MovementKind",
    "SkuIn",
    "TenantIn",
    "valid_sku",
]

MovementKind = Literal[
    "receipt", "count", "adjustment", "reservation", "release", "sale", "return", "offline_sale"
]
#: Levels of operator events and log lines, lowest first.
LOG_LEVELS = ("debug", "info", "warning", "error")
#: Sales that happen outside any marketplace API.
OFFLINE_CHANNELS = ("cash", "whatsapp", "instagram", "other")

_SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-+]{0,63}$")


def valid_sku(value: str) -> str:
    """Strip and check a SKU: letters, digits and . _ / - +, up to 64 characters."""
    sku = value.strip()
    if not _SKU_RE.fullmatch(sku):
        raise ValueError(
            "a SKU is 1-64 characters: letters, digits and . _ / - +, starting with a "
            "letter or digit, no spaces"
        )
    return sku


Name = Annotated[str, Field(min_length=1, max_length=120)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TenantIn(_Model):
    """A seller."""

    name: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w.\- ]+$")]


class Component(_Model):
    """One component of a bundle: ``qty`` units of ``sku`` per bundle."""

    sku: str
    qty: Annotated[int, Field(gt=0, le=10_000)]

    _check_sku = field_validator("sku")(valid_sku)


class SkuIn(_Model):
    """A sellable master SKU: a product's variant, or a bundle of other SKUs."""

    sku: str
    name: Name
    price: Annotated[int, Field(ge=0, le=10_000_000_000)]
    product: str | None = None  # groups variants; defaults to the SKU itself
    variant: Annotated[str, Field(max_length=120)] = ""
    components: tuple[Component, ...] = ()

    _check_sku = field_validator("sku")(valid_sku)

    @field_validator("product")
    @classmethod
    def _product_code(cls, value: str | None) -> str | None:
        return valid_sku(value) if value else None

    @property
    def product_code(self) -> str:
        """The product this SKU is a variant of."""
        return self.product or self.sku


class ChannelIn(_Model):
    """A seller's shop on one marketplace."""

    name: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[\w.\-]+$")]
    marketplace: Annotated[str, Field(pattern=MARKETPLACE_NAME)]
    shop_id: Annotated[str, Field(min_length=1, max_length=64)]


class ListingIn(_Model):
    """Binds a master SKU (or bundle) to one channel item / variant."""

    sku: str
    channel: str
    item_id: Annotated[str, Field(min_length=1, max_length=64)]
    variant_id: Annotated[str, Field(max_length=64)] = ""


class MovementIn(_Model):
    """One stock movement as requested; the ledger computes its deltas."""

    sku: str
    kind: MovementKind
    qty: int
    key: Annotated[str, Field(min_length=1, max_length=255)]
    source: Annotated[str, Field(min_length=1, max_length=64)]
    actor: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Annotated[str, Field(max_length=500)] = ""
    channel: str | None = None
    location: str = "main"
    from_reserved: bool = False  # a sale that consumes an earlier reservation

    _check_sku = field_validator("sku")(valid_sku)


_ITEM_RE = re.compile(r"^(?:(\d{1,6})\s*[xX×*]\s*)?(\S+)$")


def parse_item(text: str) -> tuple[int, str]:
    """Parse ``2xNASTAR-500`` (or ``NASTAR-500`` for one) into (2, "NASTAR-500")."""
    match = _ITEM_RE.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    qty = int(match.group(1) or 1)
    if qty <= 0:
        raise ValueError(text)
    return qty, valid_sku(match.group(2))


def parse_items(text: str) -> list[tuple[int, str]]:
    """Parse ``2xNASTAR-500 1xKOPI-250`` (spaces, commas, ';' or '+' between)."""
    parts = [p for p in re.split(r"[\s,;+]+", text.strip()) if p]
    joined: list[str] = []
    for part in parts:  # allow "2 x NASTAR" as well as "2xNASTAR"
        if joined and (re.fullmatch(r"\d+\s*[xX×*]", joined[-1]) or part in ("x", "X", "×")):
            joined[-1] += part
        else:
            joined.append(part)
    if not joined:
        raise ValueError(text)
    return [parse_item(p) for p in joined]
