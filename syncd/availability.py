"""What each channel should show: the ledger, the catalogue and the rules joined.

``syncd.rules`` holds the pure arithmetic; this module loads what it needs from
the store (balances, bundles, rule layers, listings), checks and stores rules
(``inventory.set_rule`` queues what they change), and builds the explanations
``syncd explain`` prints. ``desired_all`` is the bulk path the
pusher and the benchmark use: no text, rule merges cached per channel.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from syncd import rules
from syncd.catalog import (
    Channel,
    Sku,
    bundle_components,
    get_channel,
    get_sku,
    list_channels,
    list_skus,
)
from syncd.errors import UserError
from syncd.i18n import t
from syncd.ledger import balance
from syncd.store import Store

__all__ = [
    "RuleBook",
    "RuleChange",
    "StockRow",
    "check_rule",
    "desired_all",
    "explain",
    "list_rules",
    "stock_table",
    "store_rule",
]

_STOCK = (
    "buffer",
    "share_pct",
    "max_shown",
    "zero_below",
    "last_units",
    "preferred_channel",
    "one_of_a_kind",
)
_PRICE = ("markup_pct", "markup_fixed", "rounding", "floor_price")
_DECIMALS = ("share_pct", "markup_pct")


# -- storing rules -------------------------------------------------------------


def _scope(channel: Channel | None, sku: Sku | None) -> str:
    if sku and channel:
        return f"sku:{sku.id}/channel:{channel.id}"
    if sku:
        return f"sku:{sku.id}"
    return f"channel:{channel.id}" if channel else "tenant"


def _scope_text(channel: str | None, sku: str | None) -> str:
    if sku and channel:
        return t("scope.sku_channel", sku=sku, channel=channel)
    if sku:
        return t("scope.sku", sku=sku)
    return t("scope.channel", channel=channel) if channel else t("scope.tenant")


@dataclass(frozen=True, slots=True)
class RuleChange:
    """Rule fields for one scope, checked on their own (``check_rule``), ready to store."""

    channel: Channel | None
    sku: Sku | None
    scope: str
    values: dict[str, Any]

    @property
    def scope_text(self) -> str:
        """The scope in the seller's words."""
        return _scope_text(
            self.channel.name if self.channel else None, self.sku.sku if self.sku else None
        )


def check_rule(
    store: Store, tenant_id: int, *, channel: str | None, sku: str | None, fields: dict[str, Any]
) -> RuleChange:
    """Check rule fields for a scope (tenant default, channel, SKU, or SKU on a channel).

    Reads only; ``inventory.set_rule`` stores the result (``store_rule``) and queues
    what it changes, in one transaction."""
    chan = get_channel(store, tenant_id, channel) if channel else None
    item = get_sku(store, tenant_id, sku) if sku else None
    unknown = set(fields) - set(_STOCK) - set(_PRICE)
    if unknown:
        raise UserError("rule.bad", problem=f"unknown fields {sorted(unknown)}")
    if fields.get("preferred_channel"):
        fields["preferred_channel"] = get_channel(
            store, tenant_id, fields["preferred_channel"]
        ).name
    try:  # validate each layer on its own, as rules.py defines it
        rules.StockRule(**{k: v for k, v in fields.items() if k in _STOCK})
        rules.PriceRule(**{k: v for k, v in fields.items() if k in _PRICE})
    except ValueError as exc:
        raise UserError("rule.bad", problem=str(exc)) from None
    values = {k: (str(v) if k in _DECIMALS else v) for k, v in fields.items()}
    return RuleChange(chan, item, _scope(chan, item), values)


def store_rule(store: Store, tenant_id: int, rule: RuleChange) -> None:
    """Store a checked rule; refuse it if the merged result makes no sense on some channel.

    Must run inside ``store.write()`` (the outbox is refreshed by ``inventory.set_rule``)."""
    chan, item, scope, values = rule.channel, rule.sku, rule.scope, rule.values
    store.conn.execute(
        "INSERT INTO rule (tenant_id, scope, channel_account_id, sku_id) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (tenant_id, scope) DO NOTHING",
        (tenant_id, scope, chan.id if chan else None, item.id if item else None),
    )
    if values:
        assignments = ", ".join(f"{k} = ?" for k in values)
        store.conn.execute(
            f"UPDATE rule SET {assignments} WHERE tenant_id = ? AND scope = ?",
            (*values.values(), tenant_id, scope),
        )
    book = RuleBook.load(store, tenant_id)  # the merged result must make sense too
    for ch in list_channels(store, tenant_id):
        try:
            book.stock(ch.id, item.id if item else None)
        except ValueError as exc:
            raise UserError("rule.bad", problem=str(exc)) from None


def list_rules(store: Store, tenant_id: int) -> list[tuple[str, str]]:
    """Every stored rule as (scope text, settings text)."""
    rows = store.db.query(
        "SELECT r.*, c.name AS channel_name, s.sku AS sku_code FROM rule r "
        "LEFT JOIN channel_account c ON c.id = r.channel_account_id "
        "LEFT JOIN sku s ON s.id = r.sku_id WHERE r.tenant_id = ? ORDER BY r.scope",
        (tenant_id,),
    )
    out = []
    for row in rows:
        stock, price = _row_rules(row)
        label = (
            "sku+channel"
            if row["sku_id"] and row["channel_account_id"]
            else ("sku" if row["sku_id"] else "channel" if row["channel_account_id"] else "tenant")
        )
        parts = [
            rules.sources_text(rules.merge_stock([(label, stock)]), row["channel_name"]),
            rules.sources_text(rules.merge_price([(label, price)]), row["channel_name"]),
        ]
        none = t("rules.sources.none")
        text = ", ".join(p for p in parts if p != none) or none
        out.append((_scope_text(row["channel_name"], row["sku_code"]), text))
    return out


def _row_rules(row: dict[str, Any]) -> tuple[rules.StockRule, rules.PriceRule]:
    def val(k: str) -> Any:
        v = row[k]
        if v is None:
            return None
        if k in _DECIMALS:
            return Decimal(v)
        return bool(v) if k == "one_of_a_kind" else v

    return (
        rules.StockRule(**{k: val(k) for k in _STOCK}),
        rules.PriceRule(**{k: val(k) for k in _PRICE}),
    )


@dataclass
class RuleBook:
    """A tenant's rule layers, with merges cached per (channel, SKU override)."""

    tenant: tuple[rules.StockRule, rules.PriceRule] | None
    channel: dict[int, tuple[rules.StockRule, rules.PriceRule]]
    sku: dict[int, tuple[rules.StockRule, rules.PriceRule]]
    sku_channel: dict[tuple[int, int], tuple[rules.StockRule, rules.PriceRule]]
    channel_names: dict[int, str]
    _cache: dict[
        tuple[int | None, int | None], tuple[rules.EffectiveStockRule, rules.EffectivePriceRule]
    ] = dataclasses.field(default_factory=dict)

    @classmethod
    def load(cls, store: Store, tenant_id: int) -> RuleBook:
        """Read all rule rows of a tenant."""
        book = cls(None, {}, {}, {}, {c.id: c.name for c in list_channels(store, tenant_id)})
        for row in store.all("SELECT * FROM rule WHERE tenant_id = ?", (tenant_id,)):
            pair = _row_rules(dict(row))
            ch, sku = row["channel_account_id"], row["sku_id"]
            if ch and sku:
                book.sku_channel[(sku, ch)] = pair
            elif sku:
                book.sku[sku] = pair
            elif ch:
                book.channel[ch] = pair
            else:
                book.tenant = pair
        return book

    def overridden(self) -> set[int]:
        """SKUs with rules of their own (the bulk path merges those per SKU)."""
        return set(self.sku) | {sku for sku, _ in self.sku_channel}

    def has_override(self, sku_id: int) -> bool:
        """True when a SKU has rules of its own."""
        return sku_id in self.sku or any(k[0] == sku_id for k in self.sku_channel)

    def _layers(self, channel_id: int | None, sku_id: int | None) -> list[tuple[str, Any]]:
        layers: list[tuple[str, Any]] = []
        if self.tenant:
            layers.append(("tenant", self.tenant))
        if channel_id is not None and channel_id in self.channel:
            layers.append(("channel", self.channel[channel_id]))
        if sku_id is not None and sku_id in self.sku:
            layers.append(("sku", self.sku[sku_id]))
        if (
            sku_id is not None
            and channel_id is not None
            and (sku_id, channel_id) in self.sku_channel
        ):
            layers.append(("sku+channel", self.sku_channel[(sku_id, channel_id)]))
        return layers

    def both(
        self, channel_id: int | None, sku_id: int | None
    ) -> tuple[rules.EffectiveStockRule, rules.EffectivePriceRule]:
        """Merged (stock, price) rule for a SKU on a channel (either may be None)."""
        key = (channel_id, sku_id if sku_id is not None and self.has_override(sku_id) else None)
        found = self._cache.get(key)
        if found is None:
            layers = self._layers(*key)
            found = (
                rules.merge_stock([(label, pair[0]) for label, pair in layers]),
                rules.merge_price([(label, pair[1]) for label, pair in layers]),
            )
            self._cache[key] = found
        return found

    def stock(self, channel_id: int | None, sku_id: int | None) -> rules.EffectiveStockRule:
        """Merged stock rule."""
        return self.both(channel_id, sku_id)[0]


def _bundle_rule(rule: rules.EffectiveStockRule) -> rules.EffectiveStockRule:
    """A bundle's buffer counts only when set on the bundle itself (components have theirs)."""
    if rule.source("buffer") in ("sku", "sku+channel") or rule.buffer == 0:
        return rule
    sources = list(rule.sources)
    sources[_STOCK.index("buffer")] = "default"
    return dataclasses.replace(rule, buffer=0, sources=tuple(sources))


# -- balances --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockRow:
    """One SKU with its stock, for lists and exports."""

    sku: str
    name: str
    variant: str
    price: int
    on_hand: int
    reserved: int
    available: int
    is_bundle: bool


def _balances(
    store: Store, tenant_id: int, only: Collection[int] | None = None
) -> dict[int, tuple[int, int]]:
    sql = "SELECT sku_id, SUM(on_hand), SUM(reserved) FROM balance WHERE tenant_id = ?"
    params: list[int] = [tenant_id]
    if only is not None:
        sql += f" AND sku_id IN ({','.join('?' * len(only))})"
        params += sorted(only)
    rows = store.conn.execute(sql + " GROUP BY sku_id", params)
    return {r[0]: (r[1], r[2]) for r in rows}


def _components(store: Store, tenant_id: int) -> dict[int, list[tuple[int, str, int]]]:
    rows = store.conn.execute(
        "SELECT bc.bundle_id, bc.component_id, s.sku, bc.qty FROM bundle_component bc "
        "JOIN sku s ON s.id = bc.component_id WHERE bc.tenant_id = ? ORDER BY s.sku",
        (tenant_id,),
    )
    out: dict[int, list[tuple[int, str, int]]] = {}
    for bundle_id, comp_id, sku, qty in rows:
        out.setdefault(bundle_id, []).append((comp_id, sku, qty))
    return out


def _bundle_parts(
    comps: list[tuple[int, str, int]],
    bal: dict[int, tuple[int, int]],
    book: RuleBook,
    channel_id: int | None,
) -> list[rules.Component]:
    return [
        rules.Component(sku, *bal.get(cid, (0, 0)), book.stock(channel_id, cid).buffer, qty)
        for cid, sku, qty in comps
    ]


def stock_table(store: Store, tenant_id: int) -> list[StockRow]:
    """Every SKU with on hand, reserved and available (before channel rules)."""
    bal = _balances(store, tenant_id)
    comps = _components(store, tenant_id)
    book = RuleBook.load(store, tenant_id)
    out = []
    for s in list_skus(store, tenant_id):
        if s.is_bundle:
            parts = _bundle_parts(comps.get(s.id, []), bal, book, None)
            on_hand = reserved = 0
            available = rules.bundle_available(parts) if parts else 0
        else:
            on_hand, reserved = bal.get(s.id, (0, 0))
            available = max(0, on_hand - max(0, reserved) - book.stock(None, s.id).buffer)
        out.append(
            StockRow(s.sku, s.name, s.variant, s.price, on_hand, reserved, available, s.is_bundle)
        )
    return out


# -- explain -------------------------------------------------------------------------


def _not_sent(ch: Channel, *, connected: bool) -> list[str]:
    """What ``explain`` must not let a seller believe reaches this channel."""
    notes = []
    if ch.price_sync != "push":  # the marketplace keeps managing its own price
        notes.append(t("explain.price_not_sent", name=ch.name))
    if ch.accepted_at is None and connected:  # (not connected: said once, below)
        notes.append(t("explain.not_accepted", name=ch.name))
    return notes


def _lock_notes(
    store: Store, sku_id: int, ch: Channel, locks: dict[int, dict[int, int]], book: RuleBook
) -> list[str]:
    """``explain``'s words for campaign locks: this channel's own, and the others' units
    it may not show."""
    from syncd.localtime import show  # noqa: PLC0415

    notes = []
    own = locks.get(sku_id, {}).get(ch.id, 0)
    if own:
        row = store.one(
            "SELECT locked_until, lock_reason FROM listing WHERE channel_account_id = ? "
            "AND sku_id = ?",
            (ch.id, sku_id),
        )
        until = show(row["locked_until"]) if row and row["locked_until"] else ""
        what = row["lock_reason"] if row and row["lock_reason"] else ""
        key = "explain.lock_until" if until else "explain.lock"
        notes.append(t(key, locked=own, until=until, reason=what or t("explain.lock_campaign")))
    for other, units in sorted(locks.get(sku_id, {}).items()):
        if other != ch.id:
            name = book.channel_names.get(other, str(other))
            notes.append(t("explain.lock_elsewhere", locked=units, channel=name))
    return notes


def _quantity_text(
    stock: tuple[int, int],
    rule: rules.EffectiveStockRule,
    ch: Channel,
    locks: dict[int, int],
) -> str:
    """A SKU's quantity on one channel with its formula, campaign locks counted."""
    elsewhere = sum(n for other, n in locks.items() if other != ch.id)
    qty = rules.explain_quantity(stock[0], stock[1] + elsewhere, rule, ch.name)
    own = locks.get(ch.id, 0)
    if own > qty.value:
        return f"{qty.text}; " + t("explain.lock_floor", locked=own)
    return qty.text


def explain(store: Store, tenant_id: int, sku_code: str) -> list[str]:
    """The lines ``syncd explain SKU`` prints: per channel, quantity and price with formulas."""
    sku = get_sku(store, tenant_id, sku_code)
    book = RuleBook.load(store, tenant_id)
    channels = list_channels(store, tenant_id)
    listed = {
        r[0]
        for r in store.conn.execute(
            "SELECT channel_account_id FROM listing WHERE sku_id = ?", (sku.id,)
        )
    }
    connected = {
        r[0]
        for r in store.conn.execute(
            "SELECT channel_account_id FROM credential WHERE tenant_id = ? "
            "AND access_expires_at IS NOT NULL",
            (tenant_id,),
        )
    }
    name = f"{sku.name} {sku.variant}".strip()
    locks = active_locks(store, tenant_id, [sku.id])
    if sku.is_bundle:
        comps = [(c.id, c.sku, q) for c, q in bundle_components(store, sku.id)]
        bal = {cid: balance(store, tenant_id, cid) for cid, _, _ in comps}
        whole = rules.explain_bundle(_bundle_parts(comps, bal, book, None))
        lines = [t("explain.bundle_head", sku=sku.sku, name=name, formula=whole.text)]
        master = t("tryout.explain.bundle_available", available=whole.value)
    else:
        on_hand, reserved = balance(store, tenant_id, sku.id)
        lines = [t("explain.head", sku=sku.sku, name=name, on_hand=on_hand, reserved=reserved)]
        master = t(
            "tryout.explain.available",
            on_hand=on_hand,
            reserved=reserved,
            available=max(on_hand - reserved, 0),
        )
    if not channels:  # nothing is shown anywhere yet: the master numbers are the answer
        return [*lines, master, t("tryout.explain.no_channel")]
    width = max(len(c.name) for c in channels) + 1
    for ch in channels:
        stock_rule, price_rule = book.both(ch.id, sku.id)
        if sku.is_bundle:
            parts = _bundle_parts(comps, bal, book, ch.id)
            base = rules.explain_bundle(parts)
            bundle_rule = _bundle_rule(stock_rule)
            qty = rules.explain_quantity_from_available(base.value, bundle_rule, ch.name)
            trivial = all(src == "default" for src in bundle_rule.sources[: len(_STOCK)])
            qty_text = base.text if trivial else f"{base.text}; {qty.text}"
        else:
            qty_text = _quantity_text((on_hand, reserved), stock_rule, ch, locks.get(sku.id, {}))
        price = rules.explain_price(sku.price, price_rule)
        pad = " " * (width + 3)
        lines.append(
            f"  {(ch.name + ':').ljust(width)} {qty_text}"
            + ("" if ch.id in listed else f"  {t('explain.not_listed')}")
        )
        lines.append(pad + t("explain.price", formula=price.text))
        lines += [pad + note for note in _lock_notes(store, sku.id, ch, locks, book)]
        lines += [pad + note for note in _not_sent(ch, connected=ch.id in connected)]
        fronts = ch.settings.get("storefronts")
        if isinstance(fronts, list) and len(fronts) > 1:  # one stock number, several shop fronts
            lines.append(pad + t("explain.storefronts", names=" + ".join(map(str, fronts))))
        sources = [rules.sources_text(stock_rule, ch.name), rules.sources_text(price_rule, ch.name)]
        none = t("rules.sources.none")
        if any(s != none for s in sources):
            lines.append(
                pad + t("explain.sources", sources=", ".join(s for s in sources if s != none))
            )
    waiting = [ch.name for ch in channels if ch.id not in connected]
    if waiting:  # what they would show, but nothing reaches them before `channel connect`
        if len(waiting) == len(channels):
            lines.append(master)
        lines.append(t("tryout.explain.not_connected", names=", ".join(waiting)))
    return lines


# -- bulk ------------------------------------------------------------------------------


def active_locks(
    store: Store, tenant_id: int, sku_ids: Collection[int] | None = None
) -> dict[int, dict[int, int]]:
    """Campaign locks in force: SKU id → {channel account id → locked units}.

    A lock is what a marketplace keeps for a promotion on one listing (read back by
    discovery and reconciliation); it ends at ``locked_until`` when the marketplace says.
    """
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    sql = (
        "SELECT sku_id, channel_account_id, locked FROM listing WHERE tenant_id = ? "
        "AND locked > 0 AND (locked_until IS NULL OR locked_until > ?)"
    )
    params: list[object] = [tenant_id, at]
    if sku_ids is not None:
        sql += f" AND sku_id IN ({','.join('?' * len(sku_ids))})"
        params += sorted(sku_ids)
    out: dict[int, dict[int, int]] = {}
    for sku_id, channel_id, locked in store.conn.execute(sql, params):
        out.setdefault(sku_id, {})[channel_id] = locked
    return out


def _locked_elsewhere(locks: dict[int, dict[int, int]], sku_id: int, channel_id: int) -> int:
    return sum(n for ch, n in locks.get(sku_id, {}).items() if ch != channel_id)


def affected_skus(store: Store, tenant_id: int, sku_ids: Collection[int]) -> set[int]:
    """The SKUs whose shown quantity may change when ``sku_ids`` move: them and their bundles."""
    found = set(sku_ids)
    marks = ",".join("?" * len(found))
    if found:
        rows = store.conn.execute(
            f"SELECT DISTINCT bundle_id FROM bundle_component WHERE tenant_id = ? "
            f"AND component_id IN ({marks})",
            (tenant_id, *found),
        )
        found |= {r[0] for r in rows}
    return found


def desired_all(
    store: Store, tenant_id: int, sku_ids: Collection[int] | None = None
) -> Iterator[tuple[int, int, int]]:
    """(listing id, quantity, price) for every listing of a tenant; the fast path.

    With ``sku_ids``, only the listings of those SKUs and of bundles containing them.
    Rules are merged once per channel; only SKUs with rules of their own merge per SKU.

    Campaign locks (``active_locks``): units a marketplace keeps for a promotion count as
    reserved for the seller's other channels (a flash sale cannot oversell them), and
    the locked listing is never sent less than its lock (the marketplace refuses it).
    """
    wanted = None if sku_ids is None else affected_skus(store, tenant_id, sku_ids)
    if wanted is not None and not wanted:
        return
    comps = _components(store, tenant_id)
    needed = None
    if wanted is not None:
        needed = set(wanted) | {c[0] for b in wanted for c in comps.get(b, ())}
    bal = _balances(store, tenant_id, needed)
    locks = active_locks(store, tenant_id, wanted)
    book = RuleBook.load(store, tenant_id)
    overridden = book.overridden()
    per_channel = {cid: (*book.both(cid, None), name) for cid, name in book.channel_names.items()}
    quantity, price_of = rules.channel_quantity, rules.channel_price
    sql = (
        "SELECT l.id, l.channel_account_id, l.sku_id, s.price, s.is_bundle "
        "FROM listing l JOIN sku s ON s.id = l.sku_id WHERE l.tenant_id = ?"
    )
    params: list[int] = [tenant_id]
    if wanted is not None:
        sql += f" AND l.sku_id IN ({','.join('?' * len(wanted))})"
        params += sorted(wanted)
    rows = store.conn.execute(sql, params)
    no_stock = (0, 0)
    for listing_id, channel_id, sku_id, base_price, is_bundle in rows:
        stock_rule, price_rule, name = per_channel[channel_id]
        if sku_id in overridden:
            stock_rule, price_rule = book.both(channel_id, sku_id)
        if is_bundle:
            parts = _bundle_parts(comps.get(sku_id, []), bal, book, channel_id)
            base = rules.bundle_available(parts) if parts else 0
            qty = rules.channel_quantity_from_available(base, _bundle_rule(stock_rule), name)
        else:
            on_hand, reserved = bal.get(sku_id, no_stock)
            if sku_id in locks:
                elsewhere = _locked_elsewhere(locks, sku_id, channel_id)
                qty = quantity(on_hand, reserved + elsewhere, stock_rule, name)
                qty = max(qty, locks[sku_id].get(channel_id, 0))
            else:
                qty = quantity(on_hand, reserved, stock_rule, name)
        yield listing_id, qty, price_of(base_price, price_rule)
