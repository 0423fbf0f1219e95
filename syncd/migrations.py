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

# v2: marketplace sync. Encrypted credentials, order lines with their state, order
# cursors, the outbox (latest desired value per listing and field, with a sequence
# number), job runs, operator events, and the daemon heartbeat.
_V2 = """
ALTER TABLE channel_account ADD COLUMN integration_start TEXT;
ALTER TABLE channel_account ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'paused', 'needs_reauth'));
ALTER TABLE channel_account ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
CREATE TABLE credential (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    channel_account_id INTEGER PRIMARY KEY REFERENCES channel_account(id),
    blob BLOB NOT NULL,
    generation INTEGER NOT NULL,
    access_expires_at TEXT,
    refresh_expires_at TEXT,
    auth_expires_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE order_line (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    channel_account_id INTEGER NOT NULL REFERENCES channel_account(id),
    order_id TEXT NOT NULL,
    line_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    variant_id TEXT NOT NULL,
    sku_id INTEGER REFERENCES sku(id),
    qty INTEGER NOT NULL CHECK (qty > 0),
    state TEXT NOT NULL CHECK (state IN ('open', 'shipped', 'cancelled', 'returned')),
    status TEXT NOT NULL,
    tracked INTEGER NOT NULL CHECK (tracked IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (channel_account_id, order_id, line_id)
);
CREATE TABLE order_cursor (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    channel_account_id INTEGER PRIMARY KEY REFERENCES channel_account(id),
    cursor TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE outbox (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    listing_id INTEGER NOT NULL REFERENCES listing(id),
    channel_account_id INTEGER NOT NULL REFERENCES channel_account(id),
    field TEXT NOT NULL CHECK (field IN ('stock', 'price')),
    desired INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    sent_value INTEGER,
    sent_seq INTEGER,
    status TEXT NOT NULL CHECK (status IN ('pending', 'synced', 'failed', 'parked')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    correlation_id TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (listing_id, field)
);
CREATE INDEX outbox_pending ON outbox (channel_account_id, field, status);
CREATE UNIQUE INDEX outbox_seq ON outbox (seq);
CREATE TABLE job_run (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    channel_account_id INTEGER NOT NULL REFERENCES channel_account(id),
    job TEXT NOT NULL,
    last_started TEXT,
    last_ok TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    failures INTEGER NOT NULL DEFAULT 0,
    runs INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_account_id, job)
);
CREATE TABLE event (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER REFERENCES tenant(id),
    channel_account_id INTEGER REFERENCES channel_account(id),
    at TEXT NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    sku TEXT,
    message TEXT NOT NULL,
    correlation_id TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX event_by_time ON event (at);
CREATE INDEX event_by_tenant ON event (tenant_id, at);
-- The daemon's own liveness, not a tenant's data: tenant_id is always NULL here.
CREATE TABLE daemon_heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    tenant_id INTEGER,
    pid INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    at TEXT NOT NULL
);
"""

# v3: a channel's lifecycle (issue 9). Nothing is pushed to a channel until the seller
# has reviewed what it shows and accepted (accepted_at); price sync is a per-channel
# switch; pause and remove are the seller's, apart from the authorization state in
# `status`; orders that cannot be ingested as sent wait in `quarantine`. A removed
# channel keeps its row (orders and movements refer to it) under
# a freed name. A job's failure counter counts one failing period (failing_since).
# Channels that already pushed before this version keep doing so: they were accepted.
_V3 = """
ALTER TABLE channel_account ADD COLUMN accepted_at TEXT;
ALTER TABLE channel_account ADD COLUMN price_sync TEXT NOT NULL DEFAULT 'off'
    CHECK (price_sync IN ('push', 'off'));
ALTER TABLE channel_account ADD COLUMN paused_at TEXT;
ALTER TABLE channel_account ADD COLUMN removed_at TEXT;
ALTER TABLE job_run ADD COLUMN failing_since TEXT;
-- when the marketplace last acknowledged a value (a Lazada order placed before then may
-- have been overwritten by that write: what the shop shows is then unknown)
ALTER TABLE outbox ADD COLUMN sent_at TEXT;
UPDATE channel_account SET accepted_at = created_at, price_sync = 'push'
    WHERE id IN (SELECT channel_account_id FROM outbox WHERE sent_seq IS NOT NULL);
-- Orders set aside (a line of 0 or 2**63 units, a field missing): the rest of their page
-- is ingested; `cursor_before` is where the order was read, so a retry reads it again.
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    channel_account_id INTEGER NOT NULL REFERENCES channel_account(id),
    order_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL DEFAULT '',
    cursor_before TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    times INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'dismissed')),
    UNIQUE (channel_account_id, order_id)
);
"""

# v4: an order set aside is read again by the next polls on its own (issue 10: an answer
# spoiled once must not leave an order unreserved until an operator notices): `retries`
# so far, and not before `retry_at` (sooner first, then less and less often).
# A refresh is recorded before it is sent (refresh_sent_at) and cleared once its answer is
# stored: a refresh tokens refuse after one that got no answer is told apart (issue 10).
_V4 = """
ALTER TABLE channel_account ADD COLUMN refresh_sent_at TEXT;
ALTER TABLE quarantine ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quarantine ADD COLUMN retry_at TEXT;
"""

# v5: returns (issue 12). A buyer's return moves stock only when the goods are back and
# sellable: each line of a return is kept with its state on the marketplace (requested →
# received | closed) and what syncd did with it (`disposition`): restocked at once
# (the tenant's `return_policy` 'auto'), waiting for the seller's inspection ('inspect':
# `syncd return receive ORDER [--damaged]`), written off as damaged, nothing to restock,
# or 'early' (the goods are back before syncd has seen the order deducted). Marketplaces
# that list returns on their own (Shopee, TikTok) keep their own cursor.
_V5 = """
ALTER TABLE tenant ADD COLUMN return_policy TEXT NOT NULL DEFAULT 'auto'
    CHECK (return_policy IN ('auto', 'inspect'));
CREATE TABLE return_line (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    channel_account_id INTEGER NOT NULL REFERENCES channel_account(id),
    return_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    line_id TEXT NOT NULL DEFAULT '',
    item_id TEXT NOT NULL,
    variant_id TEXT NOT NULL DEFAULT '',
    qty INTEGER NOT NULL CHECK (qty > 0),
    state TEXT NOT NULL CHECK (state IN ('requested', 'received', 'closed')),
    status TEXT NOT NULL,
    restocked_by_marketplace INTEGER NOT NULL DEFAULT 0,
    disposition TEXT NOT NULL DEFAULT 'pending' CHECK (disposition IN
        ('pending', 'early', 'waiting', 'restocked', 'damaged', 'none')),
    restocked INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    decided_by TEXT,
    decided_at TEXT,
    updated_at TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    UNIQUE (channel_account_id, return_id, item_id, variant_id, line_id)
);
CREATE INDEX return_line_by_order ON return_line (channel_account_id, order_id);
CREATE INDEX return_line_by_tenant ON return_line (tenant_id, disposition);
CREATE TABLE return_cursor (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    channel_account_id INTEGER PRIMARY KEY REFERENCES channel_account(id),
    cursor TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""

# v6: a sync log an operator can act on (issue 12). Every value pushed is kept with the
# marketplace's answer (`push_log`, success too), so `syncd logs --sku/--order` shows the
# order → movement → push → answer chain; every change to rules, bindings, channel
# settings and policies is kept with who made it and what it was before (`change_log`,
# `syncd history`). Both, and `event`, are pruned after the retention period.
_V6 = """
CREATE TABLE push_log (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    channel_account_id INTEGER NOT NULL REFERENCES channel_account(id),
    listing_id INTEGER NOT NULL,
    sku_id INTEGER,
    field TEXT NOT NULL,
    value INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
    error TEXT NOT NULL DEFAULT '',
    correlation_id TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX push_log_by_sku ON push_log (sku_id, id);
CREATE INDEX push_log_by_correlation ON push_log (correlation_id);
CREATE INDEX push_log_by_time ON push_log (at);
CREATE TABLE change_log (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    what TEXT NOT NULL,
    subject TEXT NOT NULL,
    channel_account_id INTEGER,
    sku_id INTEGER,
    old TEXT,
    new TEXT
);
CREATE INDEX change_log_by_tenant ON change_log (tenant_id, at);
"""

# v7: stock that stays right on the marketplace (issue 12). What each listing showed when
# last read back (`shown`, `shown_at`) and the campaign lock on it (`locked` units that
# the marketplace keeps for a promotion, until `locked_until`, with its name): a floor for
# the pushes and a reservation against the other channels. Every difference a
# reconcile finds between what a listing shows and what syncd sent or wants is kept in
# `drift` with its class and what was done (`syncd drift`); the tenant's `drift_policy`
# says what a hand edit on the marketplace does. Low stock: a threshold per SKU or per
# tenant, and when it was last announced (an event each time available falls to it).
# A channel's authorization horizon was warned at 14, 3 and 1 day(s) ahead
# (`auth_warned`: the smallest so far, cleared when it is authorized again).
_V7 = """
ALTER TABLE listing ADD COLUMN shown INTEGER;
ALTER TABLE listing ADD COLUMN shown_at TEXT;
ALTER TABLE listing ADD COLUMN locked INTEGER NOT NULL DEFAULT 0 CHECK (locked >= 0);
ALTER TABLE listing ADD COLUMN locked_until TEXT;
ALTER TABLE listing ADD COLUMN lock_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE tenant ADD COLUMN drift_policy TEXT NOT NULL DEFAULT 'syncd'
    CHECK (drift_policy IN ('syncd', 'count', 'ask'));
ALTER TABLE tenant ADD COLUMN low_stock INTEGER CHECK (low_stock >= 0);
ALTER TABLE sku ADD COLUMN low_stock INTEGER CHECK (low_stock >= 0);
ALTER TABLE sku ADD COLUMN low_stock_at TEXT;
ALTER TABLE channel_account ADD COLUMN auth_warned INTEGER;
CREATE TABLE drift (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    channel_account_id INTEGER NOT NULL REFERENCES channel_account(id),
    listing_id INTEGER NOT NULL,
    sku_id INTEGER,
    shown INTEGER,
    sent INTEGER,
    desired INTEGER,
    class TEXT NOT NULL
        CHECK (class IN ('in_flight', 'unpulled_sale', 'edited', 'lock', 'unknown')),
    action TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX drift_by_tenant ON drift (tenant_id, at);
"""

# v8: the cooperative's server (issue 13). People who sign in to the web app
# (`web_user`: an argon2 hash, never the password; `operator` is cooperative-wide), what
# each may do in which member's shop (`membership`: owner, staff, cashier), server-side
# sessions (`web_session`: only a hash of the cookie is stored, with its CSRF token and
# expiry), failed sign-ins for throttling (`login_failure`). Each tenant's secrets are
# sealed under its own data key (`tenant_key`: the key wrapped by the master key, with a
# generation), so one member's leaked row never decrypts another's. Notifications: where
# a member wants them (`notify_target`: the apprise URL sealed under the tenant's key)
# and each message with its delivery attempts (`notification`). A cash sale queued on a
# phone that no longer fits the stock when it arrives is kept (`held_sale`) when the
# tenant's `offline_oversell` policy is `hold`; with `allow` it is recorded below zero and
# flagged.
_V8 = """
CREATE TABLE web_user (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    operator INTEGER NOT NULL DEFAULT 0 CHECK (operator IN (0, 1)),
    lang TEXT NOT NULL DEFAULT 'id' CHECK (lang IN ('id', 'en')),
    created_at TEXT NOT NULL,
    disabled_at TEXT
);
CREATE TABLE membership (
    user_id INTEGER NOT NULL REFERENCES web_user(id) ON DELETE CASCADE,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    role TEXT NOT NULL CHECK (role IN ('owner', 'staff', 'cashier')),
    PRIMARY KEY (user_id, tenant_id)
);
CREATE TABLE web_session (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES web_user(id) ON DELETE CASCADE,
    tenant_id INTEGER REFERENCES tenant(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_session_by_user ON web_session (user_id);
CREATE TABLE login_failure (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failure_by_login ON login_failure (login, at);
CREATE INDEX login_failure_by_address ON login_failure (address, at);
CREATE TABLE tenant_key (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenant(id),
    wrapped BLOB NOT NULL,
    generation INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE notify_target (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    label TEXT NOT NULL,
    blob BLOB NOT NULL,
    kinds TEXT NOT NULL DEFAULT '*',
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, label)
);
CREATE TABLE notification (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    target_id INTEGER REFERENCES notify_target(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    dedupe TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at TEXT,
    failed_at TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    suppressed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notification_due ON notification (sent_at, failed_at, due_at);
CREATE INDEX notification_by_dedupe ON notification (tenant_id, dedupe, created_at);
CREATE TABLE notify_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    event_id INTEGER NOT NULL
);
CREATE TABLE held_sale (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    key TEXT NOT NULL,
    channel TEXT NOT NULL,
    items TEXT NOT NULL,
    actor TEXT NOT NULL,
    sold_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    resolved_at TEXT,
    resolution TEXT,
    UNIQUE (tenant_id, key)
);
ALTER TABLE tenant ADD COLUMN offline_oversell TEXT NOT NULL DEFAULT 'allow'
    CHECK (offline_oversell IN ('allow', 'hold'));
"""

# v9: webhooks that wake the poll (issue 14). Every delivery a marketplace pushes and
# syncd accepts (signature checked on the raw bytes) is kept in `webhook_inbox` before it
# is acknowledged, deduplicated on the marketplace's event id; a worker turns each row
# into "pull this shop now" (the pulled order, never the webhook body, moves stock) and
# marks it done. `channel_account.webhooks_at`: when the last delivery for that shop was
# accepted (its polls then slow to the safety-net interval). `outbox.queued_at`: when the
# value now desired was queued (failed tries do not move it), for the propagation
# histogram and the oldest pending push.
_V9 = """
CREATE TABLE webhook_inbox (
    id INTEGER PRIMARY KEY,
    marketplace TEXT NOT NULL,
    event_id TEXT NOT NULL,
    tenant_id INTEGER REFERENCES tenant(id),
    channel_account_id INTEGER REFERENCES channel_account(id),
    topic TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL,
    body BLOB NOT NULL,
    processed_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    UNIQUE (marketplace, event_id)
);
CREATE INDEX webhook_inbox_todo ON webhook_inbox (processed_at, id);
ALTER TABLE channel_account ADD COLUMN webhooks_at TEXT;
ALTER TABLE outbox ADD COLUMN queued_at TEXT;
UPDATE outbox SET queued_at = updated_at;
"""

# v10: a city on one box (issue 14). Reads by member were full scans of tables that grow
# with every member's shops: a member's listings (discover, reconcile, market), orders
# (the web app's order pages, audit), pushes (audit) and credentials. At 10,000 shops x
# 30 SKUs one listing scan reads 300,000 rows; with these it reads the member's own.
_V10 = """
CREATE INDEX listing_by_tenant ON listing (tenant_id, channel_account_id);
CREATE INDEX order_line_by_tenant ON order_line (tenant_id);
CREATE INDEX push_log_by_tenant ON push_log (tenant_id, id);
CREATE INDEX credential_by_tenant ON credential (tenant_id);
"""

MIGRATIONS: Final[tuple[str, ...]] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9, _V10)
