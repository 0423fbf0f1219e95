"""Tenants, products and their SKUs, bundles, channel accounts and listings.

Every function takes the tenant explicitly; nothing here can touch another
seller's rows. Writers must run inside ``Store.write()``.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from syncd import audit
from syncd.errors import NotFound, UserError
from syncd.models import ChannelIn, Component, ListingIn, SkuIn, TenantIn
from syncd.store import Store

__all__ = [
    "Channel",
    "Listing",
    "Sku",
    "Tenant",
    "add_channel",
    "add_tenant",
    "bundle_components",
    "get_channel",
    "get_sku",
    "list_channels",
    "list_listings",
    "list_skus",
    "list_tenants",
    "listing_parts",
    "location_id",
    "now",
    "put_listings",
    "resolve_tenant",
    "upsert_sku",
]

Change = Literal["created", "updated", "unchanged"]


def now() -> str:
    """The current UTC time as ISO-8601 with milliseconds (sorts as text)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class Tenant:
    """A seller."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Sku:
    """A master SKU (a product variant) or a bundle."""

    id: int
    sku: str
    name: str
    variant: str
    price: int
    is_bundle: bool
    product: str


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel account: one shop on one marketplace."""

    id: int
    name: str
    marketplace: str
    shop_id: str
    settings: dict[str, object]
    accepted_at: str | None = None  # None: the seller has not accepted pushes yet
    price_sync: str = "off"  # 'push': syncd owns prices there too; 'off': the marketplace does
    paused_at: str | None = None
    integration_start: str = ""


@dataclass(frozen=True, slots=True)
class Listing:
    """A master SKU bound to a channel's item and variant."""

    id: int
    sku: str
    channel: str
    item_id: str
    variant_id: str
    moved_from: str = ""  # "item/variant" it was bound to before this bind, if it moved


def _insert(store: Store, table: str, row: dict[str, object]) -> int:
    """Insert one row through sqlite-utils; return its id."""
    return int(store.db.table(table).insert(row).last_pk or 0)


# -- tenants -----------------------------------------------------------------


def add_tenant(store: Store, name: str) -> Tenant:
    """Create a seller with its default location ``main``."""
    item = TenantIn(name=name)
    with store.write():
        if store.scalar("SELECT 1 FROM tenant WHERE name = ?", (item.name,)):
            raise UserError("tenant.exists", name=item.name)
        tenant_id = _insert(store, "tenant", {"name": item.name, "created_at": now()})
        store.db.table("location").insert(
            {"tenant_id": tenant_id, "code": "main", "name": "Gudang utama"}
        )
    return Tenant(tenant_id, item.name)


def list_tenants(store: Store) -> list[Tenant]:
    """All sellers, by name."""
    return [
        Tenant(r[0], r[1]) for r in store.conn.execute("SELECT id, name FROM tenant ORDER BY name")
    ]


def resolve_tenant(store: Store, name: str | None) -> Tenant:
    """The named seller, or the only one when no name is given."""
    if name:
        row = store.one("SELECT id, name FROM tenant WHERE name = ?", (name.strip(),))
        if row is None:
            raise NotFound("tenant.unknown", name=name)
        return Tenant(row["id"], row["name"])
    tenants = list_tenants(store)
    if not tenants:
        raise NotFound("tenant.none")
    if len(tenants) > 1:
        raise UserError("tenant.ambiguous", names=", ".join(t.name for t in tenants))
    return tenants[0]


def location_id(store: Store, tenant_id: int, code: str = "main") -> int:
    """Id of a tenant's location (``main`` always exists)."""
    found = store.scalar(
        "SELECT id FROM location WHERE tenant_id = ? AND code = ?", (tenant_id, code)
    )
    if found is None:
        raise NotFound("error.generic")
    return int(found)


# -- products and SKUs -------------------------------------------------------

_SKU_SELECT = """
SELECT s.id, s.sku, p.name, s.variant, s.price, s.is_bundle, p.code
FROM sku s JOIN product p ON p.id = s.product_id
"""


def _sku(row: sqlite3.Row | tuple[Any, ...]) -> Sku:
    return Sku(
        int(row[0]), str(row[1]), str(row[2]), str(row[3]), int(row[4]), bool(row[5]), str(row[6])
    )


def get_sku(store: Store, tenant_id: int, sku: str) -> Sku:
    """One SKU by its code (case-insensitive), or NotFound."""
    row = store.conn.execute(
        _SKU_SELECT + "WHERE s.tenant_id = ? AND s.sku = ?", (tenant_id, sku.strip())
    ).fetchone()
    if row is None:
        raise NotFound("sku.unknown", sku=sku)
    return _sku(row)


def list_skus(store: Store, tenant_id: int) -> list[Sku]:
    """All SKUs of a seller, by SKU."""
    rows = store.conn.execute(_SKU_SELECT + "WHERE s.tenant_id = ? ORDER BY s.sku", (tenant_id,))
    return [_sku(r) for r in rows]


def bundle_components(store: Store, bundle_id: int) -> list[tuple[Sku, int]]:
    """The components of a bundle with their quantity per bundle."""
    rows = store.conn.execute(
        _SKU_SELECT.replace("SELECT", "SELECT bc.qty,", 1).replace(
            "FROM sku s", "FROM bundle_component bc JOIN sku s ON s.id = bc.component_id", 1
        )
        + "WHERE bc.bundle_id = ? ORDER BY s.sku",
        (bundle_id,),
    )
    return [(_sku(r[1:]), int(r[0])) for r in rows]


def upsert_sku(store: Store, tenant_id: int, item: SkuIn) -> Change:
    """Create or update a SKU (and its product and components). Call inside write()."""
    conn = store.conn
    conn.execute(
        "INSERT INTO product (tenant_id, code, name) VALUES (?, ?, ?) "
        "ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name "
        "WHERE product.name IS NOT excluded.name",
        (tenant_id, item.product_code, item.name),
    )
    product_id = int(
        conn.execute(
            "SELECT id FROM product WHERE tenant_id = ? AND code = ?",
            (tenant_id, item.product_code),
        ).fetchone()[0]
    )
    before = conn.execute(
        "SELECT id, product_id, variant, price, is_bundle FROM sku WHERE tenant_id = ? AND sku = ?",
        (tenant_id, item.sku),
    ).fetchone()
    fields = (product_id, item.variant, item.price, int(bool(item.components)))
    if before is None:
        cur = conn.execute(
            "INSERT INTO sku (tenant_id, product_id, variant, price, is_bundle, sku) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (tenant_id, *fields, item.sku),
        )
        sku_id, change = int(cur.lastrowid or 0), "created"
    else:
        sku_id = int(before[0])
        change = "unchanged" if tuple(before[1:]) == fields else "updated"
        if change == "updated":
            if before[4] == 0 and item.components and _has_movements(store, sku_id):
                raise UserError(
                    "sku.bad_component", component=item.sku, problem="has stock movements"
                )
            conn.execute(
                "UPDATE sku SET product_id = ?, variant = ?, price = ?, is_bundle = ? WHERE id = ?",
                (*fields, sku_id),
            )
    if _set_components(store, tenant_id, sku_id, item.components) and change == "unchanged":
        change = "updated"
    return "created" if change == "created" else change  # type: ignore[return-value]


def _has_movements(store: Store, sku_id: int) -> bool:
    return store.scalar("SELECT 1 FROM movement WHERE sku_id = ? LIMIT 1", (sku_id,)) is not None


def _set_components(
    store: Store, tenant_id: int, bundle_id: int, components: tuple[Component, ...]
) -> bool:
    """Replace a bundle's components; True when they changed."""
    wanted: dict[int, int] = {}
    for comp in components:
        row = store.conn.execute(
            "SELECT id, is_bundle FROM sku WHERE tenant_id = ? AND sku = ?", (tenant_id, comp.sku)
        ).fetchone()
        if row is None:
            raise UserError("sku.bad_component", component=comp.sku, problem="unknown SKU")
        if row[1] or row[0] == bundle_id:
            raise UserError(
                "sku.bad_component", component=comp.sku, problem="a bundle cannot contain a bundle"
            )
        wanted[int(row[0])] = wanted.get(int(row[0]), 0) + comp.qty
    current = dict(
        store.conn.execute(
            "SELECT component_id, qty FROM bundle_component WHERE bundle_id = ?", (bundle_id,)
        ).fetchall()
    )
    if current == wanted:
        return False
    store.conn.execute("DELETE FROM bundle_component WHERE bundle_id = ?", (bundle_id,))
    store.conn.executemany(
        "INSERT INTO bundle_component (tenant_id, bundle_id, component_id, qty) "
        "VALUES (?, ?, ?, ?)",
        [(tenant_id, bundle_id, cid, qty) for cid, qty in wanted.items()],
    )
    return True


# -- channels and listings ---------------------------------------------------


def add_channel(
    store: Store,
    tenant_id: int,
    item: ChannelIn,
    *,
    settings: dict[str, object] | None = None,
    integration_start: str | None = None,
    price_sync: str = "off",
    accepted: bool = False,
) -> Channel:
    """Register a seller's shop on a marketplace.

    Orders created before ``integration_start`` (default: now) never touch stock.
    Nothing is pushed to it until the seller accepts (``accept_channel``); tests and
    the demo pass ``accepted=True`` to say they accept from the start.
    """
    with store.write():
        if store.scalar(
            "SELECT 1 FROM channel_account WHERE tenant_id = ? AND name = ?", (tenant_id, item.name)
        ):
            raise UserError("channel.exists", name=item.name)
        row = {
            "tenant_id": tenant_id,
            "name": item.name,
            "marketplace": item.marketplace,
            "shop_id": item.shop_id,
            "created_at": now(),
            "settings": json.dumps(settings or {}),
            # whole seconds: marketplaces stamp orders to the second, so an order placed in
            # the second the channel was added must not compare as earlier and be ignored
            "integration_start": integration_start or now()[:19] + "+00:00",
            "price_sync": price_sync,
            "accepted_at": now() if accepted else None,
        }
        family = marketplace_family(item.marketplace)
        siblings = sorted({item.marketplace, family, *_family_members(family)})
        holder = store.one(
            "SELECT t.name AS tenant, c.name AS channel FROM channel_account c "
            "JOIN tenant t ON t.id = c.tenant_id WHERE c.shop_id = ? AND c.removed_at IS NULL "
            f"AND c.marketplace IN ({','.join('?' * len(siblings))})",
            (item.shop_id, *siblings),
        )
        if holder is not None:  # one shop, one binding: its orders would move stock twice
            raise UserError(
                "channel.shop_exists",
                marketplace=item.marketplace,
                shop=item.shop_id,
                tenant=holder["tenant"],
                channel=holder["channel"],
            )
        _insert(store, "channel_account", row)
    return get_channel(store, tenant_id, item.name)


def marketplace_family(marketplace: str) -> str:
    """The API a marketplace is served through: Tokopedia shops are TikTok Shop shops."""
    from adapters import ALIASES  # noqa: PLC0415

    return ALIASES.get(marketplace, marketplace)


def _family_members(family: str) -> list[str]:
    from adapters import ALIASES  # noqa: PLC0415

    return [alias for alias, target in ALIASES.items() if target == family]


_CHANNEL_COLUMNS = (
    "id, name, marketplace, shop_id, settings, accepted_at, price_sync, paused_at, "
    "COALESCE(integration_start, created_at)"
)


def _channel(row: sqlite3.Row) -> Channel:
    return Channel(
        row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6], row[7], row[8]
    )


def list_channels(store: Store, tenant_id: int) -> list[Channel]:
    """A seller's channel accounts (removed ones left out), by name."""
    rows = store.all(
        f"SELECT {_CHANNEL_COLUMNS} FROM channel_account "
        "WHERE tenant_id = ? AND removed_at IS NULL ORDER BY name",
        (tenant_id,),
    )
    return [_channel(r) for r in rows]


def get_channel(store: Store, tenant_id: int, name: str) -> Channel:
    """One channel account by name, or NotFound."""
    row = store.one(
        f"SELECT {_CHANNEL_COLUMNS} FROM channel_account "
        "WHERE tenant_id = ? AND name = ? AND removed_at IS NULL",
        (tenant_id, name.strip()),
    )
    if row is None:
        raise NotFound("channel.unknown", name=name)
    return _channel(row)


def record_shown(
    store: Store,
    listing_id: int,
    shown: int,
    *,
    locked: int = 0,
    locked_until: dt.datetime | None = None,
    lock_reason: str = "",
) -> bool:
    """Keep what a listing showed when read back, and its campaign lock; True when the
    lock changed (what the seller's channels should show changes). Call inside ``write()``."""
    from syncd.log import clean  # noqa: PLC0415 - marketplace words: scrubbed when stored

    until = locked_until.astimezone(dt.UTC).isoformat(timespec="seconds") if locked_until else None
    before = store.one("SELECT locked, locked_until FROM listing WHERE id = ?", (listing_id,))
    store.conn.execute(
        "UPDATE listing SET shown = ?, shown_at = ?, locked = ?, locked_until = ?, "
        "lock_reason = ? WHERE id = ?",
        (shown, now(), max(0, locked), until, clean(lock_reason)[:200], listing_id),
    )
    return before is not None and (before["locked"], before["locked_until"]) != (
        max(0, locked),
        until,
    )


#: A tenant's policies: column → (the change log's subject, the choices, the first the
#: default). ``tenant_policy`` / ``set_tenant_policy`` read and change them.
TENANT_POLICIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "return_policy": ("returns", ("auto", "inspect")),
    "drift_policy": ("drift", ("syncd", "count", "ask")),
    "offline_oversell": ("sales", ("allow", "hold")),
}


def tenant_policy(store: Store, tenant_id: int, column: str) -> str:
    """One of a tenant's policies (``TENANT_POLICIES``): its value, else the default."""
    _, choices = TENANT_POLICIES[column]
    found = store.scalar(f"SELECT {column} FROM tenant WHERE id = ?", (tenant_id,))
    return str(found) if found in choices else choices[0]


def set_tenant_policy(
    store: Store, tenant_id: int, column: str, value: str, *, actor: str = "syncd"
) -> None:
    """Change one of a tenant's policies, kept in the change log (who, old → new)."""
    subject, choices = TENANT_POLICIES[column]
    if value not in choices:
        raise ValueError(f"{subject} policy must be one of {', '.join(choices)}, not {value!r}")
    with store.write():
        before = tenant_policy(store, tenant_id, column)
        store.conn.execute(f"UPDATE tenant SET {column} = ? WHERE id = ?", (value, tenant_id))
        audit.record_change(
            store, tenant_id, actor=actor, what="policy", subject=subject, old=before, new=value
        )


def item_text(item_id: str, variant_id: str) -> str:
    """A marketplace item as the seller reads it: ``7001`` or ``7001/2``."""
    return item_id + (f"/{variant_id}" if variant_id else "")


def _channel_change(
    store: Store, tenant_id: int, channel: Channel, change: tuple[str, str, object, object]
) -> None:
    """Keep one change of a channel: (actor, what, old, new)."""
    actor, what, old, new = change
    audit.record_change(
        store,
        tenant_id,
        actor=actor,
        what="channel",
        subject=f"{channel.name}: {what}",
        old=old,
        new=new,
        account_id=channel.id,
    )


def accept_channel(
    store: Store,
    tenant_id: int,
    name: str,
    *,
    price_sync: str | None = None,
    actor: str = "syncd",
) -> Channel:
    """The seller accepts that syncd pushes to this channel (stock; prices if price_sync)."""
    channel = get_channel(store, tenant_id, name)
    with store.write():
        store.conn.execute(
            "UPDATE channel_account SET accepted_at = COALESCE(accepted_at, ?), "
            "price_sync = COALESCE(?, price_sync) WHERE id = ?",
            (now(), price_sync, channel.id),
        )
        after = get_channel(store, tenant_id, name)
        accepted = (channel.accepted_at is not None, after.accepted_at is not None)
        _channel_change(store, tenant_id, channel, (actor, "accepted", *accepted))
        prices = (channel.price_sync, after.price_sync)
        _channel_change(store, tenant_id, channel, (actor, "price_sync", *prices))
    return get_channel(store, tenant_id, name)


def edit_channel(
    store: Store,
    tenant_id: int,
    name: str,
    *,
    settings: dict[str, object] | None = None,
    unset: Sequence[str] = (),
    integration_start: str | None = None,
    price_sync: str | None = None,
    new_name: str | None = None,
    actor: str = "syncd",
) -> tuple[Channel, list[tuple[str, object, object]]]:
    """Change a channel's settings; returns it and (what, before, after) per change."""
    channel = get_channel(store, tenant_id, name)
    merged = dict(channel.settings)
    changes: list[tuple[str, object, object]] = []
    for key, value in (settings or {}).items():
        if merged.get(key) != value:
            changes.append((key, merged.get(key), value))
            merged[key] = value
    for key in unset:
        if key in merged:
            changes.append((key, merged.pop(key), None))
    if integration_start is not None and integration_start != channel.integration_start:
        changes.append(("integration_start", channel.integration_start, integration_start))
    if price_sync is not None and price_sync != channel.price_sync:
        changes.append(("price_sync", channel.price_sync, price_sync))
    if new_name is not None and new_name != channel.name:
        if store.scalar(
            "SELECT 1 FROM channel_account WHERE tenant_id = ? AND name = ? AND id != ?",
            (tenant_id, new_name, channel.id),
        ):
            raise UserError("channel.exists", name=new_name)
        changes.append(("name", channel.name, new_name))
    with store.write():
        store.conn.execute(
            "UPDATE channel_account SET settings = ?, "
            "integration_start = COALESCE(?, integration_start), "
            "price_sync = COALESCE(?, price_sync), name = COALESCE(?, name) WHERE id = ?",
            (json.dumps(merged), integration_start, price_sync, new_name, channel.id),
        )
        for what, before, after in changes:
            _channel_change(store, tenant_id, channel, (actor, what, before, after))
    return get_channel(store, tenant_id, new_name or name), changes


def set_paused(
    store: Store, tenant_id: int, name: str, *, paused: bool, actor: str = "syncd"
) -> Channel:
    """Pause (neither polled nor pushed) or resume a channel."""
    channel = get_channel(store, tenant_id, name)
    with store.write():
        store.conn.execute(
            "UPDATE channel_account SET paused_at = ? WHERE id = ?",
            (now() if paused else None, channel.id),
        )
        was = channel.paused_at is not None
        _channel_change(store, tenant_id, channel, (actor, "paused", was, paused))
    return get_channel(store, tenant_id, name)


@dataclass(frozen=True, slots=True)
class Removed:
    """What removing a channel dropped, and what it kept."""

    channel: Channel
    listings: int
    orders_kept: int
    movements_kept: int
    kept_as: str


def channel_footprint(store: Store, channel_id: int) -> tuple[int, int, int]:
    """(listings bound, orders seen, stock movements those orders made) of a channel."""
    listings = store.scalar(
        "SELECT COUNT(*) FROM listing WHERE channel_account_id = ?", (channel_id,)
    )
    orders = store.scalar(
        "SELECT COUNT(DISTINCT order_id) FROM order_line WHERE channel_account_id = ?",
        (channel_id,),
    )
    movements = store.scalar(
        "SELECT COUNT(*) FROM movement WHERE source = 'order' AND channel = ?", (str(channel_id),)
    )
    return int(listings), int(orders), int(movements)


def remove_channel(store: Store, tenant_id: int, name: str, *, actor: str = "syncd") -> Removed:
    """Remove a channel: its listings, pending pushes, rules, cursor and secrets go; its
    orders and ledger movements stay (they refer to it), under the name ``kept_as``."""
    channel = get_channel(store, tenant_id, name)
    kept_as = f"{channel.name}~{channel.id}"
    with store.write():
        listings, orders, movements = channel_footprint(store, channel.id)
        tables = ["outbox", "listing", "credential", "order_cursor", "job_run", "rule"]
        tables.append("quarantine")
        for table in tables:
            store.conn.execute(f"DELETE FROM {table} WHERE channel_account_id = ?", (channel.id,))
        store.conn.execute(
            "UPDATE channel_account SET removed_at = ?, name = ?, shop_id = shop_id || '~' || id "
            "WHERE id = ?",
            (now(), kept_as, channel.id),
        )
        _channel_change(store, tenant_id, channel, (actor, "removed", False, True))
    return Removed(channel, listings, orders, movements, kept_as)


def unbind_listing(
    store: Store, tenant_id: int, sku: str, channel_name: str, *, actor: str = "syncd"
) -> Listing:
    """Stop syncing a SKU to a channel item: the binding and its pending pushes go."""
    master = get_sku(store, tenant_id, sku)
    channel = get_channel(store, tenant_id, channel_name)
    row = store.one(
        "SELECT id, item_id, variant_id FROM listing WHERE channel_account_id = ? AND sku_id = ?",
        (channel.id, master.id),
    )
    if row is None:
        raise NotFound("listing.unknown", sku=master.sku, channel=channel.name)
    with store.write():
        store.conn.execute("DELETE FROM outbox WHERE listing_id = ?", (row["id"],))
        store.conn.execute("DELETE FROM listing WHERE id = ?", (row["id"],))
        audit.record_change(
            store,
            tenant_id,
            actor=actor,
            what="binding",
            subject=f"{master.sku} @ {channel.name}",
            old=item_text(row["item_id"], row["variant_id"]),
            new=None,
            account_id=channel.id,
            sku_id=master.id,
        )
    return Listing(row["id"], master.sku, channel.name, row["item_id"], row["variant_id"])


def listing_parts(
    store: Store, tenant_id: int, items: Sequence[ListingIn]
) -> tuple[dict[str, Sku], dict[str, Channel]]:
    """The SKUs and channels some bindings name (NotFound for an unknown one); reads only."""
    skus = {item.sku: get_sku(store, tenant_id, item.sku) for item in items}
    channels = {item.channel: get_channel(store, tenant_id, item.channel) for item in items}
    return skus, channels


def put_listings(
    store: Store,
    tenant_id: int,
    items: Sequence[ListingIn],
    skus: dict[str, Sku],
    channels: dict[str, Channel],
) -> list[Listing]:
    """Bind SKUs to channel items/variants (re-binding the same pair is a no-op).

    Must run inside ``store.write()``: ``inventory.bind_listings`` opens it and
    refreshes the outbox for these SKUs in the same transaction."""
    out: list[Listing] = []
    for item in items:
        sku, channel = skus[item.sku], channels[item.channel]
        taken = store.one(
            "SELECT l.id, s.sku FROM listing l JOIN sku s ON s.id = l.sku_id "
            "WHERE l.channel_account_id = ? AND l.item_id = ? AND l.variant_id = ?",
            (channel.id, item.item_id, item.variant_id),
        )
        variant = f"/{item.variant_id}" if item.variant_id else ""
        if taken is not None and taken["sku"].lower() != sku.sku.lower():
            raise UserError(
                "listing.taken",
                item_id=item.item_id,
                variant=variant,
                channel=channel.name,
                sku=taken["sku"],
            )
        before = store.one(
            "SELECT id, item_id, variant_id FROM listing "
            "WHERE channel_account_id = ? AND sku_id = ?",
            (channel.id, sku.id),
        )
        moved = ""
        if before is not None and (before["item_id"], before["variant_id"]) != (
            item.item_id,
            item.variant_id,
        ):
            moved = before["item_id"] + (f"/{before['variant_id']}" if before["variant_id"] else "")
            # what was sent, refused or parked concerned the old item: start afresh
            store.conn.execute(
                "UPDATE outbox SET sent_value = NULL, sent_seq = NULL, status = 'pending', "
                "attempts = 0, last_error = '', updated_at = ? WHERE listing_id = ?",
                (now(), before["id"]),
            )
        store.conn.execute(
            "INSERT INTO listing (tenant_id, channel_account_id, sku_id, item_id, variant_id) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel_account_id, sku_id) DO UPDATE SET "
            "item_id = excluded.item_id, variant_id = excluded.variant_id",
            (tenant_id, channel.id, sku.id, item.item_id, item.variant_id),
        )
        listing_id = int(
            store.scalar(
                "SELECT id FROM listing WHERE channel_account_id = ? AND sku_id = ?",
                (channel.id, sku.id),
            )
        )
        out.append(Listing(listing_id, sku.sku, channel.name, item.item_id, item.variant_id, moved))
    return out


def list_listings(store: Store, tenant_id: int) -> list[Listing]:
    """Every listing of a seller, by channel then SKU."""
    rows = store.conn.execute(
        "SELECT l.id, s.sku, c.name, l.item_id, l.variant_id FROM listing l "
        "JOIN sku s ON s.id = l.sku_id JOIN channel_account c ON c.id = l.channel_account_id "
        "WHERE l.tenant_id = ? AND c.removed_at IS NULL ORDER BY c.name, s.sku",
        (tenant_id,),
    )
    return [Listing(*r) for r in rows]
