"""Schema migrations, oldest first. Never edit one that has shipped: append.

Migration N (1-based) takes a database from ``user_version`` N-1 to N. Every
row carries its tenant. Stock movements are append-only (triggers refuse
UPDATE and DELETE); ``balance`` is a cache of the ledger that is updated in the
same transaction as each movement and verified by ``syncd check``.
"""

from __future__ import annotations

from typing import Final

MOVEMENT_KINDS: Final = (
    "receipt",  # goods in: +on_hand
    "count",  # stock take: set on_hand to N (delta recorded)
    "adjustment",  # correction: ±on_hand
    "reservation",  # an order appeared: +reserved
    "release",  # a reserved order was cancelled: −reserved
    "sale",  # deduction: −on_hand (and −reserved when it was reserved)
    "return",  # returned goods back to stock: +on_hand
    "offline_sale",  # cash / WhatsApp / Instagram sale: −on_hand
)

_V1 = f"""
CREATE TABLE tenant (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);
CREATE TABLE location (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE TABLE product (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    code TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE TABLE sku (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    product_id INTEGER NOT NULL REFERENCES product(id),
    sku TEXT NOT NULL COLLATE NOCASE,
    variant TEXT NOT NULL DEFAULT '',
    price INTEGER NOT NULL CHECK (price >= 0),
    is_bundle INTEGER NOT NULL DEFAULT 0 CHECK (is_bundle IN (0, 1)),
    UNIQUE (tenant_id, sku)
);
CREATE INDEX sku_product ON sku (product_id);
CREATE TABLE bundle_component (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    bundle_id INTEGER NOT NULL REFERENCES sku(id),
    component_id INTEGER NOT NULL REFERENCES sku(id),
    qty INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (bundle_id, component_id)
);
CREATE INDEX bundle_component_by_component ON bundle_component (component_id);
CREATE TABLE channel_account (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    name TEXT NOT NULL COLLATE NOCASE,
    marketplace TEXT NOT NULL,
    shop_id TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{{}}',
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, marketplace, shop_id)
);
CREATE TABLE listing (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    channel_account_id INTEGER NOT NULL REFERENCES channel_account(id),
    sku_id INTEGER NOT NULL REFERENCES sku(id),
    item_id TEXT NOT NULL,
    variant_id TEXT NOT NULL DEFAULT '',
    UNIQUE (channel_account_id, item_id, variant_id),
    UNIQUE (channel_account_id, sku_id)
);
CREATE INDEX listing_by_sku ON listing (sku_id);
-- One row per scope: scope is 'tenant', 'channel:<id>', 'sku:<id>' or
-- 'sku:<id>/channel:<id>'. NULL fields inherit from the less specific scope.
CREATE TABLE rule (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    scope TEXT NOT NULL,
    channel_account_id INTEGER REFERENCES channel_account(id),
    sku_id INTEGER REFERENCES sku(id),
    buffer INTEGER,
    share_pct TEXT,
    max_shown INTEGER,
    zero_below INTEGER,
    last_units INTEGER,
    preferred_channel TEXT,
    one_of_a_kind INTEGER,
    markup_pct TEXT,
    markup_fixed INTEGER,
    rounding TEXT,
    floor_price INTEGER,
    UNIQUE (tenant_id, scope)
);
CREATE TABLE movement (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    sku_id INTEGER NOT NULL REFERENCES sku(id),
    location_id INTEGER NOT NULL REFERENCES location(id),
    kind TEXT NOT NULL CHECK (kind IN ({", ".join(repr(k) for k in MOVEMENT_KINDS)})),
    qty INTEGER NOT NULL,
    on_hand_delta INTEGER NOT NULL,
    reserved_delta INTEGER NOT NULL,
    idem_key TEXT NOT NULL,
    source TEXT NOT NULL,
    channel TEXT,
    reason TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (tenant_id, idem_key)
);
CREATE INDEX movement_by_sku ON movement (sku_id, id);
CREATE TRIGGER movement_append_only_update BEFORE UPDATE ON movement
BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;
CREATE TRIGGER movement_append_only_delete BEFORE DELETE ON movement
BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;
CREATE TABLE balance (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    sku_id INTEGER NOT NULL REFERENCES sku(id),
    location_id INTEGER NOT NULL REFERENCES location(id),
    on_hand INTEGER NOT NULL,
    reserved INTEGER NOT NULL,
    last_movement_id INTEGER NOT NULL,
    PRIMARY KEY (sku_id, location_id)
);
"""

MIGRATIONS: Final[tuple[str, ...]] = (_V1,)
