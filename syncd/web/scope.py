"""The one door from a web page to a member's data.

A ``Scope`` is built by ``syncd.web.core`` from the session (never from what the
request says) and holds the tenant it serves. Pages reach data only through it:
every lookup of an id a request names (a SKU, a channel, an order, a user, a held
sale) is resolved inside this tenant, and one that belongs to another member is
``NotFound``, the same answer as an id that does not exist, so a page can neither
read nor reveal another member's rows. The isolation matrix
(``tests/test_web_isolation.py``) drives every page in the route table with another
tenant's ids and checks that nothing of them comes back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from syncd import availability, catalog, events, inventory, users
from syncd.catalog import Channel, Sku
from syncd.errors import InsufficientStock, NotFound, UserError
from syncd.i18n import t
from syncd.store import Store

__all__ = ["SaleResult", "Scope"]

#: the channels a sale on the cashier page may name (the CLI's offline channels)
SALE_CHANNELS: Final = ("cash", "whatsapp", "instagram", "other")


@dataclass(frozen=True, slots=True)
class SaleResult:
    """What became of one sale the cashier page sent."""

    #: recorded | already (sent before: nothing new) | flagged (recorded below zero) |
    #: held (kept apart for the owner: it no longer fits the stock)
    status: str
    key: str
    short: tuple[str, ...] = ()


class Scope:
    """One member's shop, as the signed-in user may see it."""

    def __init__(self, store: Store, tenant_id: int, role: str, user: users.User) -> None:
        self.store = store
        self.tenant_id = tenant_id
        self.role = role
        self.user = user

    def __repr__(self) -> str:
        return f"Scope(tenant={self.tenant_id}, role={self.role})"

    @property
    def tenant_name(self) -> str:
        return str(self.store.scalar("SELECT name FROM tenant WHERE id = ?", (self.tenant_id,)))

    # -- ids a request names: resolved in this tenant only --------------------------------

    def sku(self, code: str) -> Sku:
        return catalog.get_sku(self.store, self.tenant_id, code)

    def channel(self, name: str) -> Channel:
        return catalog.get_channel(self.store, self.tenant_id, name)

    def member(self, login: str) -> users.User:
        """A user who is a member of this tenant (anyone else: not found)."""
        found = users.find_user(self.store, login)
        if found is None or not any(
            m.tenant_id == self.tenant_id for m in users.memberships(self.store, found.id)
        ):
            raise NotFound("web.not_found")
        return found

    def held(self, held_id: str) -> Any:
        try:
            number = int(held_id)
        except ValueError:
            raise NotFound("web.not_found") from None
        row = self.store.one(
            "SELECT * FROM held_sale WHERE id = ? AND tenant_id = ?", (number, self.tenant_id)
        )
        if row is None:
            raise NotFound("web.not_found")
        return row

    # -- stock ---------------------------------------------------------------------------

    def stock(self, search: str = "") -> list[availability.StockRow]:
        """Every SKU, the ones at or below their low-stock level first, then by code."""
        rows = availability.stock_table(self.store, self.tenant_id)
        if search:
            needle = search.strip().lower()
            rows = [r for r in rows if needle in f"{r.sku} {r.name} {r.variant}".lower()]
        low = self.low_levels()
        return sorted(rows, key=lambda r: (not self.is_low(r, low), r.sku))

    def low_levels(self) -> dict[str, int]:
        default = self.store.scalar("SELECT low_stock FROM tenant WHERE id = ?", (self.tenant_id,))
        levels = {
            str(r[0]): (r[1] if r[1] is not None else default)
            for r in self.store.all(
                "SELECT sku, low_stock FROM sku WHERE tenant_id = ?", (self.tenant_id,)
            )
        }
        return {k: int(v) for k, v in levels.items() if v is not None}

    @staticmethod
    def is_low(row: availability.StockRow, levels: dict[str, int]) -> bool:
        level = levels.get(row.sku)
        return level is not None and row.available <= level

    # -- sales from the cashier page -------------------------------------------------------

    def sell(
        self,
        items: Sequence[tuple[int, str]],
        *,
        key: str,
        channel: str,
        actor: str,
        sold_at: str = "",
    ) -> SaleResult:
        """Record a sale exactly once under its phone-made key.

        A sale that no longer fits the stock when it arrives (queued offline while the
        last jar sold on Shopee) is never dropped: with the tenant's ``offline_oversell``
        policy ``allow`` it is recorded below zero and flagged; with ``hold`` it is kept
        in ``held_sale`` for the owner to decide. Either way a ``sale.flagged`` event
        says which SKUs fell short.
        """
        if channel not in SALE_CHANNELS:
            raise UserError("web.sale_channel", channel=channel, known=", ".join(SALE_CHANNELS))
        if not items:
            raise UserError("web.sale_empty")
        for qty, code in items:
            self.sku(code)
            if qty <= 0:
                raise UserError("web.sale_qty", sku=code)
        idem = f"web:{key}"
        held = self.store.one(
            "SELECT id FROM held_sale WHERE tenant_id = ? AND key = ?", (self.tenant_id, idem)
        )
        if held is not None:
            return SaleResult("already", key)
        reason = t("web.sale_reason", when=sold_at) if sold_at else ""
        try:
            done = inventory.record_offline_sale(
                self.store,
                self.tenant_id,
                items,
                channel=channel,
                key=idem,
                actor=actor,
                reason=reason,
                source="web",
            )
        except InsufficientStock:
            return self._short(items, idem, channel=channel, actor=actor, sold_at=sold_at)
        return SaleResult("already" if all(a.already for a in done) else "recorded", key)

    def _short(
        self,
        items: Sequence[tuple[int, str]],
        idem: str,
        *,
        channel: str,
        actor: str,
        sold_at: str,
    ) -> SaleResult:
        key = idem.removeprefix("web:")
        available = {
            r.sku: r.available for r in availability.stock_table(self.store, self.tenant_id)
        }
        wanted: dict[str, int] = {}
        for qty, code in items:
            sku = self.sku(code).sku
            wanted[sku] = wanted.get(sku, 0) + qty
        short = tuple(sorted(s for s, q in wanted.items() if q > available.get(s, 0)))
        policy = catalog.tenant_policy(self.store, self.tenant_id, "offline_oversell")
        if policy == "allow":
            inventory.record_offline_sale(
                self.store,
                self.tenant_id,
                items,
                channel=channel,
                key=idem,
                actor=actor,
                reason=t("web.sale_reason_short", when=sold_at or "-"),
                allow_negative=True,
                source="web",
            )
            status = "flagged"
        else:
            with self.store.write():
                self.store.conn.execute(
                    "INSERT INTO held_sale (tenant_id, key, channel, items, actor, sold_at, "
                    "received_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (tenant_id, key) DO NOTHING",
                    (
                        self.tenant_id,
                        idem,
                        channel,
                        json.dumps([[q, c] for q, c in items]),
                        actor,
                        sold_at or catalog.now(),
                        catalog.now(),
                    ),
                )
            status = "held"
        events.record(
            self.store,
            "sale.flagged",
            t("web.sale_flagged", skus=", ".join(short), status=t(f"web.sale_status.{status}")),
            level="warning",
            tenant_id=self.tenant_id,
            sku=short[0] if short else None,
            correlation_id=idem,
            status=status,
            skus=list(short),
        )
        return SaleResult(status, key, short)

    def held_sales(self) -> list[Any]:
        return self.store.all(
            "SELECT * FROM held_sale WHERE tenant_id = ? AND resolved_at IS NULL ORDER BY id",
            (self.tenant_id,),
        )

    def resolve_held(self, held_id: str, *, apply: bool, actor: str) -> None:
        """The owner decides on a held sale: record it below zero, or cancel it."""
        row = self.held(held_id)
        if row["resolved_at"] is not None:
            return
        if apply:
            items = [(int(q), str(c)) for q, c in json.loads(row["items"])]
            inventory.record_offline_sale(
                self.store,
                self.tenant_id,
                items,
                channel=row["channel"],
                key=row["key"],
                actor=actor,
                reason=t("web.sale_reason_short", when=row["sold_at"]),
                allow_negative=True,
                source="web",
            )
        with self.store.write():
            self.store.conn.execute(
                "UPDATE held_sale SET resolved_at = ?, resolution = ? WHERE id = ?",
                (catalog.now(), f"{'applied' if apply else 'cancelled'} by {actor}", row["id"]),
            )


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()
