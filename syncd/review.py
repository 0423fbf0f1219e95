"""What a channel shows against what syncd would push: the seller reviews it before
accepting that syncd writes to the channel (``syncd channel review`` / ``accept``).

What a listing shows comes from discovery (``outbox.set_known``), refreshed by every
successful push; ``None`` means syncd does not know (never discovered there).
"""

from __future__ import annotations

from dataclasses import dataclass

from syncd.store import Store

__all__ = ["Difference", "differences"]


@dataclass(frozen=True, slots=True)
class Difference:
    """One listing whose shown stock or price differs from what syncd would push."""

    sku: str
    item: str
    shown_stock: int | None
    stock: int
    shown_price: int | None
    price: int

    @property
    def stock_differs(self) -> bool:
        return self.shown_stock != self.stock

    @property
    def price_differs(self) -> bool:
        return self.shown_price != self.price


def differences(store: Store, channel_id: int) -> tuple[int, list[Difference]]:
    """(listings bound, the ones whose stock or price differs), by SKU."""
    rows = store.all(
        "SELECT s.sku, l.item_id, l.variant_id, st.sent_value AS shown_stock, "
        "st.desired AS stock, pr.sent_value AS shown_price, pr.desired AS price "
        "FROM listing l JOIN sku s ON s.id = l.sku_id "
        "JOIN outbox st ON st.listing_id = l.id AND st.field = 'stock' "
        "JOIN outbox pr ON pr.listing_id = l.id AND pr.field = 'price' "
        "WHERE l.channel_account_id = ? ORDER BY s.sku",
        (channel_id,),
    )
    found = [
        Difference(
            r["sku"],
            r["item_id"] + (f"/{r['variant_id']}" if r["variant_id"] else ""),
            r["shown_stock"],
            r["stock"],
            r["shown_price"],
            r["price"],
        )
        for r in rows
    ]
    return len(found), [d for d in found if d.stock_differs or d.price_differs]
