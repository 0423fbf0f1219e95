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
from typing import TYPE_CHECKING, Any, Final

from syncd import availability, catalog, events, inventory, ledger, orders_view, review, users
from syncd.catalog import Channel, Sku
from syncd.errors import InsufficientStock, NotFound, UserError
from syncd.i18n import t
from syncd.ledger import Applied
from syncd.models import OFFLINE_CHANNELS, MovementIn
from syncd.store import Store

if TYPE_CHECKING:
    from pathlib import Path

    from syncd.credentials import Vault
    from syncd.health import Health
    from syncd.importer import ImportReport

__all__ = ["ChannelState", "SaleResult", "Scope"]

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


@dataclass(frozen=True, slots=True)
class ChannelState:
    """One channel as the member's channel page shows it (what ``syncd status`` says)."""

    channel: Channel
    health: Health
    last_pull: str | None
    last_push: str | None
    #: pushes waiting (pending, failed or parked; prices only where they are pushed)
    pending: int
    failures: int
    #: ``syncd status``'s line about an authorization ending within 14 days, or ''
    horizon: str


#: what ``syncd status`` reads of each channel (the same query, for one tenant)
_STATUS_SQL: Final = """
SELECT c.id,
  (SELECT MAX(last_ok) FROM job_run j
     WHERE j.channel_account_id = c.id AND j.job IN ('pull', 'push')) AS pull,
  (SELECT last_ok FROM job_run j WHERE j.channel_account_id = c.id AND j.job = 'push') AS push,
  (SELECT COUNT(*) FROM outbox o WHERE o.channel_account_id = c.id
     AND o.status IN ('pending', 'failed', 'parked')
     AND (o.field = 'stock' OR c.price_sync = 'push')) AS pending,
  (SELECT COALESCE(SUM(failures), 0) FROM job_run j WHERE j.channel_account_id = c.id)
     AS failures,
  cr.auth_expires_at AS auth, cr.refresh_expires_at AS refresh
FROM channel_account c LEFT JOIN credential cr ON cr.channel_account_id = c.id
WHERE c.tenant_id = ? AND c.removed_at IS NULL
"""


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
            done = self._sold(
                items,
                channel=channel,
                key=idem,
                actor=actor,
                reason=reason,
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
            self._sold(
                items,
                channel=channel,
                key=idem,
                actor=actor,
                reason=t("web.sale_reason_short", when=sold_at or "-"),
                allow_negative=True,
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
            # stored in English like every event; `syncd logs` shows it from the catalogue
            f"a sale from the cashier's phone was more than the stock of {', '.join(short)}: "
            + ("kept for the owner" if status == "held" else "recorded below zero"),
            level="warning",
            tenant_id=self.tenant_id,
            sku=short[0] if short else None,
            correlation_id=idem,
            status=status,
            skus=list(short),
            names=", ".join(short) or "-",  # for `syncd logs` (its text's parameter)
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
            self._sold(
                items,
                channel=row["channel"],
                key=row["key"],
                actor=actor,
                reason=t("web.sale_reason_short", when=row["sold_at"]),
                allow_negative=True,
            )
        with self.store.write():
            self.store.conn.execute(
                "UPDATE held_sale SET resolved_at = ?, resolution = ? WHERE id = ?",
                (catalog.now(), f"{'applied' if apply else 'cancelled'} by {actor}", row["id"]),
            )

    # -- one SKU ---------------------------------------------------------------------------

    def stock_row(self, code: str) -> availability.StockRow:
        """One SKU's on hand, reserved and available (as the stock list shows it)."""
        sku = self.sku(code)
        for row in availability.stock_table(self.store, self.tenant_id):
            if row.sku == sku.sku:
                return row
        raise NotFound("web.not_found")  # pragma: no cover - stock_table lists every SKU

    def explain(self, code: str) -> list[str]:
        """What each channel shows of this SKU and why (``syncd explain``)."""
        return availability.explain(self.store, self.tenant_id, self.sku(code).sku)

    def ledger(self, code: str, limit: int = 50) -> list[dict[str, object]]:
        """The SKU's last ``limit`` movements, newest first, with running totals."""
        sku = self.sku(code)
        return list(reversed(ledger.history(self.store, self.tenant_id, sku.id, limit=limit)))

    # -- sales and counts from the member's pages ------------------------------------------

    def _sold(
        self,
        items: Sequence[tuple[int, str]],
        *,
        channel: str,
        key: str,
        actor: str,
        reason: str = "",
        allow_negative: bool = False,
    ) -> list[Applied]:
        """Every sale made in the web app: the CLI's offline sale, its source ``web``."""
        return inventory.record_offline_sale(
            self.store,
            self.tenant_id,
            items,
            channel=channel,
            key=key,
            actor=actor,
            reason=reason,
            allow_negative=allow_negative,
            source="web",
        )

    def record_sale(
        self,
        items: Sequence[tuple[int, str]],
        *,
        key: str,
        via: str,
        actor: str,
        reason: str = "",
        allow_negative: bool = False,
    ) -> list[Applied]:
        """A cash / WhatsApp / Instagram sale, as ``syncd sale`` records it: all lines or
        none, once per ``key`` (a second post of the same form records nothing)."""
        if via not in OFFLINE_CHANNELS:
            raise UserError("web.sale_channel", channel=via, known=", ".join(OFFLINE_CHANNELS))
        if not items:
            raise UserError("web.sale_empty")
        for qty, code in items:
            self.sku(code)
            if qty <= 0:
                raise UserError("web.sale_qty", sku=code)
        return self._sold(
            items,
            channel=via,
            key=key,
            actor=actor,
            reason=reason,
            allow_negative=allow_negative,
        )

    def count(self, code: str, qty: int, *, key: str, reason: str, actor: str) -> Applied:
        """A stock count (``syncd stock set``): on hand becomes ``qty``, once per ``key``."""
        sku = self.sku(code)
        try:
            movement = MovementIn(
                sku=sku.sku,
                kind="count",
                qty=qty,
                key=key,
                source="web",
                actor=actor,
                reason=reason,
            )
        except ValueError:  # pydantic: a reason longer than the ledger keeps
            raise UserError("web.member.count_bad") from None
        (done,) = inventory.record(self.store, self.tenant_id, [movement])
        return done

    # -- orders ------------------------------------------------------------------------------

    def _account(self, channel: str) -> int | None:
        return self.channel(channel).id if channel else None

    def orders(
        self, *, channel: str = "", status: str = "", day: str = "", limit: int = 50
    ) -> list[orders_view.Order]:
        """The newest ``limit`` orders (``syncd orders``): of one channel, in one of
        syncd's states, placed on the seller's ``day``."""
        account = self._account(channel)
        state = status.strip().lower() or None
        if state is not None and state not in orders_view.STATES:
            raise UserError("orders.bad_status", value=status, states=", ".join(orders_view.STATES))
        if not day:
            return orders_view.orders(
                self.store, self.tenant_id, account_id=account, state=state, limit=limit
            )
        start, end = orders_view.day_bounds(day)
        found: list[orders_view.Order] = []
        for line in orders_view.lines(
            self.store, self.tenant_id, account_id=account, state=state, since=start
        ):
            if line.placed >= end:
                continue
            last = found[-1] if found else None
            if last is None or (last.channel, last.order_id) != (line.channel, line.order_id):
                if len(found) == limit:
                    break
                last = orders_view.Order(line.channel, line.order_id, line.placed)
                found.append(last)
            last.lines.append(line)
        return found

    def picklist(self, *, channel: str = "", day: str = "") -> orders_view.Picklist:
        """What to pack (``syncd picklist``), bundles as their components."""
        return orders_view.picklist(
            self.store, self.tenant_id, account_id=self._account(channel), day=day or None
        )

    # -- channels ------------------------------------------------------------------------------

    def channels(self) -> list[Channel]:
        return catalog.list_channels(self.store, self.tenant_id)

    def channel_states(self, vault: Vault | UserError) -> list[ChannelState]:
        """Every channel with its one state (``health.channel_health``, as ``syncd status``)
        and what it waits for."""
        from syncd.health import channel_health  # noqa: PLC0415 - the channel page only
        from syncd.horizon import status_line  # noqa: PLC0415

        facts = {r["id"]: r for r in self.store.all(_STATUS_SQL, (self.tenant_id,))}
        out = []
        for ch in self.channels():
            row = facts[ch.id]
            health = channel_health(self.store, ch.id, vault=vault)
            soon = ""
            if health.state not in ("not_connected", "needs_reauth"):
                soon = status_line(ch.name, row["auth"], row["refresh"]) or ""
            out.append(
                ChannelState(
                    ch,
                    health,
                    row["pull"],
                    row["push"],
                    int(row["pending"]),
                    int(row["failures"]),
                    soon,
                )
            )
        return out

    def review(self, name: str) -> tuple[int, list[review.Difference]]:
        """(listings bound, the ones whose stock or price differs from what syncd would
        push): what the seller checks before accepting (``syncd channel review``)."""
        return review.differences(self.store, self.channel(name).id)

    def accept(self, name: str, *, prices: bool, actor: str) -> tuple[Channel, int]:
        """The seller accepts that syncd pushes to the channel (``syncd channel accept``);
        returns it and how many listings will change."""
        channel = catalog.accept_channel(
            self.store,
            self.tenant_id,
            self.channel(name).name,
            price_sync="push" if prices else None,
            actor=actor,
        )
        _, diffs = review.differences(self.store, channel.id)
        count = sum(
            d.stock_differs or (channel.price_sync == "push" and d.price_differs) for d in diffs
        )
        events.record(
            self.store,
            "channel.accepted",
            "pushes accepted",
            tenant_id=self.tenant_id,
            account_id=channel.id,
            actor=actor,
            price_sync=channel.price_sync,
        )
        return channel, count

    def resume(self, name: str, *, actor: str) -> Channel:
        """Poll and push a paused channel again (``syncd channel resume``)."""
        channel = catalog.set_paused(
            self.store, self.tenant_id, self.channel(name).name, paused=False, actor=actor
        )
        events.record(
            self.store,
            "channel.resumed",
            "resumed",
            tenant_id=self.tenant_id,
            account_id=channel.id,
            actor=actor,
        )
        return channel

    def authorization_url(self, name: str, vault: Vault | UserError, redirect: str) -> str | None:
        """The link the shop's owner opens to authorize syncd, when the channel's adapter
        builds one without calling the marketplace (codeless shops have none); None when
        it cannot be built here (no app secret stored yet, settings missing)."""
        from adapters import UnknownAdapter  # noqa: PLC0415
        from syncd import sync  # noqa: PLC0415 - only for a channel waiting for its owner
        from syncd.errors import AdapterError  # noqa: PLC0415

        channel = self.channel(name)
        if isinstance(vault, UserError):
            return None
        account = sync.load_account(self.store, channel.id)
        if account is None:
            return None
        try:
            adapter = sync.build_runtime(self.store, vault, account).adapter
        except (UserError, AdapterError, UnknownAdapter, ValueError, KeyError):
            return None
        if adapter is None:
            return None
        try:
            if adapter.auth_kind == "oauth_refresh":
                return adapter.authorization_url(redirect)
        except (UserError, AdapterError, ValueError, KeyError):
            pass
        finally:
            adapter.close()
        return None

    # -- import ------------------------------------------------------------------------------

    def import_file(
        self, path: Path, *, set_stock: bool, dry_run: bool, actor: str
    ) -> ImportReport:
        """Plan (``dry_run``) or apply a product file, all rows or none
        (``syncd product import``; ImportFailed lists every row's problem)."""
        from syncd import importer  # noqa: PLC0415 - openpyxl and tqdm only for imports

        return importer.import_file(
            self.store,
            self.tenant_id,
            path,
            set_stock=set_stock,
            dry_run=dry_run,
            actor=actor,
        )


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()
