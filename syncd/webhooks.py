"""Webhook deliveries: verify them, keep them in a durable inbox, and wake the poll.

A delivery is a hint, never an order (DESIGN: "webhooks only wake the poll"): the receiver
verifies the marketplace's signature over the RAW bytes, writes one ``webhook_inbox`` row
(deduplicated on the marketplace's event id) in one short transaction and answers 200 with
an empty body; :func:`drain` later turns unprocessed rows into ``wake(account_id,
"webhook")``, and the pull that follows reads the order from the API. Nothing here reads
an order out of a body to move stock.

Per marketplace (reference §1.6, §2.6, §3.6, §4.4, §5.4; vectors in §7):

============  =========================  ===========================================  ==========
marketplace   header                     HMAC-SHA256 over, keyed with                 encoding
============  =========================  ===========================================  ==========
shopee        ``Authorization``          ``<callback url>|<body>``, partner_key       hex
lazada        ``Authorization``          ``<app_key><body>``, app_secret              hex
tiktok        ``Authorization``          ``<app_key><body>``, app_secret              hex
woocommerce   ``X-WC-Webhook-Signature``  ``<body>``, the webhook's secret             base64
shopify       ``X-Shopify-Hmac-Sha256``  ``<body>``, the app's client secret          base64
============  =========================  ===========================================  ==========

Which shop a delivery is for comes from the body (Shopee ``shop_id``, Lazada
``seller_id``, TikTok ``shop_id``) or a header (WooCommerce ``X-WC-Webhook-Source``,
Shopify ``X-Shopify-Shop-Domain``); that picks the channel account and so the secret.
A TikTok channel added with its shop *code* rather than its shop id (the adapter accepts
either) is not found: its deliveries get 404 and it is served by the poll alone.

The answers, and why (:func:`receive`):

- **413** for a body over :data:`MAX_BODY`, before reading it all: nothing legitimate is
  that large (an order push is a few hundred bytes; a WooCommerce or Shopify order a few KB).
- **404** for an unknown marketplace or a shop no channel account serves: cheap (no HMAC,
  no vault), it says no more than "not served here", and it is the truth: a 200 would let
  the marketplace believe a shop nobody syncs is delivered, and 401 would claim a check
  that never ran. The marketplace retries and eventually stops, which is right for a shop
  that is not here.
- **401** for a missing, malformed or wrong signature (and for a shop with no secret to
  check it with): TikTok's documented answer to an authentication failure.
- **400** for a body that names no shop where the shop must come from the body.
- **503** when the secrets cannot be opened (no master key) or the writer lock is held
  longer than :data:`WRITE_TIMEOUT` (a long import): the marketplace retries later.
- **200, empty, nothing stored** for a verified delivery whose timestamp is more than
  :data:`MAX_SKEW` old or ahead (replay protection; Lazada's ``timestamp`` is in ms in the
  trade-order message, in s elsewhere: values over 10¹² are ms). Not a 4xx on purpose: the
  signature is good, so this is the marketplace's own retry of an old delivery; a 4xx would
  only earn more retries of the same stale body and count against Shopee's push success
  rate (it disables pushes below 30 %). The safety-net poll covers what it announced.
  Also 200-and-nothing for WooCommerce's unsigned creation ping (``webhook_id=N``).
- **200, empty** for everything verified and fresh: stored once; a duplicate (the same
  event id) is acknowledged again and changes nothing.

Event ids (the dedupe key, always prefixed with the shop): TikTok ``tts_notification_id``,
WooCommerce ``X-WC-Webhook-Delivery-ID``, Shopify ``X-Shopify-Event-Id``; Shopee and
Lazada send none, so it is derived from shop + order (+ order line) + status + update time;
a delivery without those fields (another push type) is keyed by the SHA-256 of its body.

Receipts are logged at debug level only (``webhook.received``), never one event row per
delivery: a city sends many.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import structlog

from syncd import credentials
from syncd.adapter import LEGACY_SECRET
from syncd.catalog import marketplace_family, now
from syncd.errors import StoreBusy
from syncd.store import Store

__all__ = [
    "MARKETPLACES",
    "MAX_BODY",
    "MAX_SKEW",
    "STORED",
    "WEBHOOK_SECRET",
    "Answer",
    "Delivery",
    "Receiver",
    "drain",
    "identify",
    "pending",
    "prune",
    "sign",
    "verify",
]

_log = structlog.get_logger("syncd.webhooks")

#: the marketplaces (API families) with a receiver; Tokopedia shops arrive as TikTok's
MARKETPLACES: Final = ("shopee", "lazada", "tiktok", "woocommerce", "shopify")
MAX_BODY: Final = 256 * 1024
MAX_SKEW: Final = 15 * 60  # seconds a body's timestamp may be old or ahead
#: the name a WooCommerce channel's webhook secret is sealed under (``syncd webhooks setup``)
WEBHOOK_SECRET: Final = "webhook_secret"  # noqa: S105 - a name, not a secret
#: seconds a receipt waits for the writer lock (well inside Shopify's 5 s) before a 503
WRITE_TIMEOUT: Final = 3.0
DIRECTORY_TTL: Final = 30.0  # seconds the shop -> channel account directory is kept
MAX_ATTEMPTS: Final = 5  # a row whose wake keeps failing is given up (the poll covers it)
#: Shopee's order status push (§1.6): ``data.ordersn`` names the order that changed
SHOPEE_ORDER_PUSH: Final = 3
#: Lazada's trade order message (§2.6): ``data.trade_order_id`` names the order
LAZADA_ORDER_PUSH: Final = 0

_SIGNATURE_HEADER: Final = {
    "shopee": "authorization",
    "lazada": "authorization",
    "tiktok": "authorization",
    "woocommerce": "x-wc-webhook-signature",
    "shopify": "x-shopify-hmac-sha256",
}
_SECRET_NAME: Final = {
    "shopee": "partner_key",
    "lazada": "app_secret",
    "tiktok": "app_secret",
    "woocommerce": WEBHOOK_SECRET,
    "shopify": "client_secret",
}


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _bytes(text: str) -> bytes:
    """A header value as bytes for ``compare_digest`` (which refuses non-ASCII ``str``)."""
    return text.strip().encode("utf-8", "replace")


def sign(marketplace: str, raw: bytes, url: str, secrets: Mapping[str, str]) -> str:
    """The signature header value the marketplace sends for ``raw`` (tests, simulators)."""
    key = secrets.get(_SECRET_NAME[marketplace], "")
    if marketplace == "shopee":
        return hmac.new(key.encode(), url.encode() + b"|" + raw, hashlib.sha256).hexdigest()
    if marketplace in ("lazada", "tiktok"):
        message = secrets.get("app_key", "").encode() + raw
        return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    digest = hmac.new(key.encode(), raw, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(
    marketplace: str, raw: bytes, headers: Mapping[str, str], url: str, secrets: Mapping[str, str]
) -> bool:
    """Whether ``headers`` carry the marketplace's signature of the raw body (constant time).

    ``secrets``: ``partner_key`` (Shopee), ``app_key`` and ``app_secret`` (Lazada, TikTok),
    ``webhook_secret`` (WooCommerce), ``client_secret`` (Shopify); ``url`` is the callback
    URL exactly as registered (Shopee signs it). A missing secret or header is False; so is
    a header that is not ASCII (it never raises).
    """
    if marketplace not in _SIGNATURE_HEADER or not secrets.get(_SECRET_NAME[marketplace]):
        return False
    if marketplace in ("lazada", "tiktok") and not secrets.get("app_key"):
        return False
    given = _lower(headers).get(_SIGNATURE_HEADER[marketplace])
    if not given:
        return False
    expected = sign(marketplace, raw, url, secrets)
    if marketplace in ("shopee", "lazada", "tiktok"):  # hex: the case is not meaningful
        return hmac.compare_digest(expected.encode(), _bytes(given).lower())
    return hmac.compare_digest(expected.encode(), _bytes(given))


# -- what a delivery is about ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delivery:
    """What the receiver reads from a delivery before trusting it (only to pick the shop,
    dedupe it and check its age): never used to move stock."""

    marketplace: str
    shop: str
    event_id: str
    topic: str
    timestamp: float | None  # seconds since the epoch, when the body carries one


class Unreadable(ValueError):
    """The delivery names no shop (400)."""


def _json(raw: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Unreadable("not JSON") from None
    if not isinstance(payload, dict):
        raise Unreadable("not a JSON object")
    return payload


def _stamp(value: object) -> float | None:
    """A body's timestamp in seconds (Lazada mixes ms and s: values over 10¹² are ms)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number / 1000 if number > 1e12 else number


def _digest(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _host(value: str) -> str:
    """``https://Shop.example/`` or ``shop.example`` → ``shop.example``."""
    text = value.strip().lower()
    netloc = urlsplit(text if "//" in text else f"//{text}").netloc
    return netloc or text.rstrip("/")


def identify(marketplace: str, raw: bytes, headers: Mapping[str, str]) -> Delivery:
    """Shop, event id, topic and timestamp of a delivery (raises :class:`Unreadable`)."""
    h = _lower(headers)
    if marketplace == "woocommerce":
        shop = _host(h.get("x-wc-webhook-source", ""))
        if not shop:
            raise Unreadable("no X-WC-Webhook-Source")
        event = h.get("x-wc-webhook-delivery-id", "").strip() or _digest(raw)
        return Delivery(marketplace, shop, f"{shop}:{event}", h.get("x-wc-webhook-topic", ""), None)
    if marketplace == "shopify":
        shop = _host(h.get("x-shopify-shop-domain", ""))
        if not shop:
            raise Unreadable("no X-Shopify-Shop-Domain")
        event = (
            h.get("x-shopify-event-id", "").strip()
            or h.get("x-shopify-webhook-id", "").strip()
            or _digest(raw)
        )
        return Delivery(marketplace, shop, f"{shop}:{event}", h.get("x-shopify-topic", ""), None)
    payload = _json(raw)
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    assert isinstance(data, dict)  # noqa: S101 - narrowed above, for mypy
    if marketplace == "shopee":
        shop, topic = str(payload.get("shop_id") or ""), f"code:{payload.get('code', '')}"
        parts = [data.get(k) for k in ("ordersn", "status", "update_time")]
    elif marketplace == "lazada":
        shop, topic = str(payload.get("seller_id") or ""), f"type:{payload.get('message_type')}"
        keys = ("trade_order_id", "trade_order_line_id", "order_status", "status_update_time")
        parts = [data.get(k) for k in keys]
    else:  # tiktok
        shop, topic = str(payload.get("shop_id") or ""), f"type:{payload.get('type', '')}"
        parts = [payload.get("tts_notification_id")]
    if not shop:
        raise Unreadable("no shop id in the body")
    event = ":".join(str(p) for p in parts) if parts[0] else _digest(raw)
    return Delivery(marketplace, shop, f"{shop}:{event}", topic, _stamp(payload.get("timestamp")))


# -- the receiver ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """The HTTP answer to a delivery (the body is always empty) and what happened."""

    status: int
    outcome: str  # stored | duplicate | stale | ping | no-shop | unknown | bad-signature | …


@dataclass(frozen=True, slots=True)
class _Account:
    id: int
    tenant_id: int
    marketplace: str
    settings: dict[str, Any]


@dataclass(slots=True)
class _Keys:
    generation: int
    secrets: dict[str, str] = dataclasses.field(repr=False)

    def __repr__(self) -> str:
        return f"_Keys(generation={self.generation}, secrets=***)"


class Receiver:
    """Verifies deliveries and writes the inbox; one per app (thread-safe).

    ``open_store()`` returns a Store the calling thread may use; ``open_vault()`` the vault
    that opens sealed app secrets (called once, on the first delivery that needs it).
    Each account's secrets are kept in memory with the credential generation they came
    from and re-read when it changes (a rotated secret applies at the next delivery).
    ``public_url``: the base the marketplaces were given (``[web] public_url``); Shopee
    signs the full callback URL, which behind a reverse proxy is not the URL seen here.
    """

    def __init__(
        self,
        open_store: Callable[[], Store],
        open_vault: Callable[[], credentials.Vault],
        *,
        public_url: str | None = None,
        clock: Callable[[], float] = time.time,
        max_skew: float = MAX_SKEW,
    ) -> None:
        self.open_store = open_store
        self._open_vault = open_vault
        self._vault: credentials.Vault | None = None
        self.public_url = (public_url or "").rstrip("/")
        self.clock = clock
        self.max_skew = max_skew
        self._keys: dict[int, _Keys] = {}
        self._directory: dict[str, tuple[float, dict[str, _Account]]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Receiver(public_url={self.public_url!r})"

    def vault(self) -> credentials.Vault:
        with self._lock:
            if self._vault is None:
                self._vault = self._open_vault()
            return self._vault

    # -- lookups --------------------------------------------------------------------

    def account(self, store: Store, marketplace: str, shop: str) -> _Account | None:
        """The live channel account serving ``shop`` on this marketplace family (from a
        directory of the family's shops re-read every :data:`DIRECTORY_TTL` seconds: a
        channel added or removed is seen within that time)."""
        with self._lock:
            kept = self._directory.get(marketplace)
        if kept is None or time.monotonic() - kept[0] > DIRECTORY_TTL:
            kept = (time.monotonic(), _directory(store, marketplace))
            with self._lock:
                self._directory[marketplace] = kept
        return kept[1].get(shop)

    def secrets(self, store: Store, account: _Account) -> dict[str, str]:
        """The account's verification secrets (cached per credential generation)."""
        generation = int(
            store.scalar(
                "SELECT generation FROM credential WHERE channel_account_id = ?", (account.id,)
            )
            or 0
        )
        with self._lock:
            kept = self._keys.get(account.id)
        if kept is not None and kept.generation == generation:
            return kept.secrets
        sealed = credentials.load(store, self.vault(), account.tenant_id, account.id)
        app = dict(sealed.app)
        found = {k: str(v) for k, v in app.items() if isinstance(v, str)}
        family = marketplace_family(account.marketplace)
        name = _SECRET_NAME.get(family, "")
        if name and not found.get(name) and family != "woocommerce":
            found[name] = str(app.get(LEGACY_SECRET) or "")
        if account.settings.get("app_key"):
            found["app_key"] = str(account.settings["app_key"])
        with self._lock:
            self._keys[account.id] = _Keys(sealed.generation, found)
        return found

    def urls(self, marketplace: str, seen: str) -> list[str]:
        """The callback URLs Shopee may have signed: the public one, then the one seen."""
        found = [f"{self.public_url}/webhooks/{marketplace}"] if self.public_url else []
        return [*found, seen] if seen not in found else found

    # -- one delivery ---------------------------------------------------------------

    def receive(  # noqa: PLR0911 - one answer per case, as the module docstring lists
        self, marketplace: str, raw: bytes, headers: Mapping[str, str], url: str = ""
    ) -> Answer:
        """Check and store one delivery (see the module docstring for each answer)."""
        if marketplace not in MARKETPLACES:
            return Answer(404, "unknown-marketplace")
        if len(raw) > MAX_BODY:
            return Answer(413, "too-large")
        h = _lower(headers)
        if (
            marketplace == "woocommerce"
            and not h.get("x-wc-webhook-signature")
            and raw.startswith(b"webhook_id=")
            and raw[11:].isdigit()
        ):
            return Answer(200, "ping")  # core's creation ping carries no signature
        try:
            delivery = identify(marketplace, raw, headers)
        except Unreadable as exc:
            _log.info("webhook.unreadable", marketplace=marketplace, why=str(exc))
            return Answer(400, "no-shop")
        store = self.open_store()
        account = self.account(store, marketplace, delivery.shop)
        if account is None:
            _log.info("webhook.unknown_shop", marketplace=marketplace, shop=delivery.shop[:64])
            return Answer(404, "unknown-shop")
        try:
            keys = self.secrets(store, account)
        except Exception as exc:  # noqa: BLE001 - no master key, a blob that does not open
            _log.error("webhook.secrets_unreadable", account=account.id, error=type(exc).__name__)
            return Answer(503, "secrets-unreadable")  # the marketplace retries later
        if not any(verify(marketplace, raw, h, u, keys) for u in self.urls(marketplace, url)):
            _log.warning("webhook.bad_signature", marketplace=marketplace, account=account.id)
            return Answer(401, "bad-signature")
        if delivery.timestamp is not None and (
            abs(self.clock() - delivery.timestamp) > self.max_skew
        ):
            _log.info("webhook.stale", marketplace=marketplace, account=account.id)
            return Answer(200, "stale")
        kept, store.lock_timeout = store.lock_timeout, min(store.lock_timeout, WRITE_TIMEOUT)
        try:
            with store.write():
                cur = store.conn.execute(
                    "INSERT INTO webhook_inbox (marketplace, event_id, tenant_id, "
                    "channel_account_id, topic, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (marketplace, event_id) DO NOTHING",
                    (
                        marketplace,
                        delivery.event_id,
                        account.tenant_id,
                        account.id,
                        delivery.topic,
                        now(),
                        raw,
                    ),
                )
        except StoreBusy:  # a long writer: better a retry than an answer past the deadline
            _log.warning("webhook.store_busy", marketplace=marketplace, account=account.id)
            return Answer(503, "busy")
        finally:
            store.lock_timeout = kept
        outcome = "stored" if cur.rowcount == 1 else "duplicate"
        if cur.rowcount == 1:
            STORED.set()  # a daemon in this process drains now, not at its next second
        _log.debug(
            "webhook.received",
            marketplace=marketplace,
            account=account.id,
            topic=delivery.topic,
            outcome=outcome,
        )
        return Answer(200, outcome)


def _directory(store: Store, marketplace: str) -> dict[str, _Account]:
    """Every live channel account of the family, by the shop a delivery names: the
    shop id, or for the own web stores the host of the shop id and of ``base_url`` (and
    for Shopify ``<shop id>.myshopify.com``, the shop id being the store's handle)."""
    names = _family(marketplace)
    rows = store.all(
        "SELECT id, tenant_id, marketplace, shop_id, settings FROM channel_account "
        f"WHERE removed_at IS NULL AND marketplace IN ({','.join('?' * len(names))}) "
        "ORDER BY id DESC",  # the oldest binding wins a (refused) duplicate
        names,
    )
    found: dict[str, _Account] = {}
    for row in rows:
        settings = _settings(row["settings"])
        account = _Account(int(row["id"]), int(row["tenant_id"]), row["marketplace"], settings)
        if marketplace in ("woocommerce", "shopify"):
            hosts = [_host(str(row["shop_id"])), _host(str(settings.get("base_url") or ""))]
            if marketplace == "shopify":  # the shop id is the store's handle (README)
                hosts.append(f"{hosts[0]}.myshopify.com")
            for host in hosts:
                if host:
                    found[host] = account
        else:
            found[str(row["shop_id"])] = account
    return found


def _family(marketplace: str) -> list[str]:
    from adapters import ALIASES  # noqa: PLC0415 - the registry, as catalog reads it

    return [marketplace, *(a for a, target in ALIASES.items() if target == marketplace)]


def _settings(text: object) -> dict[str, Any]:
    try:
        found = json.loads(str(text or "{}"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


# -- the worker -----------------------------------------------------------------------


#: Set when a delivery is stored by a receiver in this process (``syncd run --web``): the
#: daemon's drainer wakes at once instead of at its next periodic look (the periodic look
#: stays: a standalone ``syncd webhooks`` process writes the inbox without this).
STORED = threading.Event()


def named_orders(marketplace: str, raw: bytes) -> tuple[str, ...]:
    """The order a delivery says changed, where reading that order alone tells all the
    delivery's news: Shopee's order status push (code 3) names ``data.ordersn``, Lazada's
    trade order message (type 0) ``data.trade_order_id``. ``()`` elsewhere (another
    message type, an id that is not one, another marketplace): a pull walks the list."""
    read = _NAMED.get(marketplace)
    if read is None:
        return ()
    try:
        payload = _json(raw)
    except Unreadable:
        return ()
    data = payload.get("data")
    return read(payload, data) if isinstance(data, dict) else ()


def _shopee_named(payload: dict[str, Any], data: dict[str, Any]) -> tuple[str, ...]:
    sn = data.get("ordersn")
    if payload.get("code") != SHOPEE_ORDER_PUSH or not isinstance(sn, str) or not sn.strip():
        return ()
    return (sn.strip(),)


def _lazada_named(payload: dict[str, Any], data: dict[str, Any]) -> tuple[str, ...]:
    kind, order = payload.get("message_type"), data.get("trade_order_id")
    if kind != LAZADA_ORDER_PUSH or isinstance(kind, bool) or isinstance(order, bool):
        return ()
    # a Long in the vendor's samples, sent as text: digits only, as the items call takes
    # them (anything else is left to the list walk, never put into a request)
    text = str(order).strip() if isinstance(order, str | int) else ""
    if not text.isascii() or not text.isdigit() or len(text) > 20:
        return ()
    return (text,)


_NAMED: Final[dict[str, Callable[[dict[str, Any], dict[str, Any]], tuple[str, ...]]]] = {
    "shopee": _shopee_named,
    "lazada": _lazada_named,
}


def drain(
    store: Store,
    wake: Callable[[int, str, tuple[str, ...] | None], None],
    *,
    limit: int = 500,
) -> int:
    """Turn up to ``limit`` unprocessed inbox rows (oldest first) into ``wake(account_id,
    "webhook", orders)``; return how many rows were processed. ``orders``: the orders
    the account's rows name (:func:`named_orders`) when every one of them names one,
    else None (the pull walks the list).

    One transaction for the batch: each account is woken once (in the order of its oldest
    row), its rows are marked processed and ``channel_account.webhooks_at`` set to its
    newest receipt. A crash before the commit leaves every row unprocessed, so the next
    drain wakes them again (a wake is in-memory: the dead process lost it anyway). A wake
    that raises leaves that account's rows for the next drain, with the error and an
    attempt counted; after :data:`MAX_ATTEMPTS` they are given up (the poll covers them).

    ``wake`` runs inside the write transaction, under the writer lock: it must only queue
    (``Daemon.wake`` takes the lanes' lock, never the store), or it would wait for itself.
    The common case (nothing to do) is one indexed read, without the writer lock: call it
    every second or so.
    """
    processed = 0
    if store.scalar("SELECT 1 FROM webhook_inbox WHERE processed_at IS NULL LIMIT 1") is None:
        return 0  # the common case, every second: a read, no writer lock
    with store.write():
        rows = store.all(
            "SELECT id, marketplace, channel_account_id AS account, received_at, attempts, "
            "body FROM webhook_inbox WHERE processed_at IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        if not rows:
            return 0
        by_account: dict[int | None, list[Any]] = {}
        for row in rows:
            by_account.setdefault(row["account"], []).append(row)
        stamp = now()
        for account, group in by_account.items():
            ids = [r["id"] for r in group]
            marks = ",".join("?" * len(ids))
            error = ""
            if account is not None:
                names = [named_orders(r["marketplace"], bytes(r["body"])) for r in group]
                told = tuple(dict.fromkeys(n for ns in names for n in ns))
                try:
                    wake(int(account), "webhook", told if all(names) else None)
                except Exception as exc:  # noqa: BLE001 - one account's failure stops no other
                    error = f"{type(exc).__name__}: {exc}"[:500]
            if error and max(r["attempts"] for r in group) + 1 < MAX_ATTEMPTS:
                store.conn.execute(
                    f"UPDATE webhook_inbox SET attempts = attempts + 1, error = ? "
                    f"WHERE id IN ({marks})",
                    (error, *ids),
                )
                _log.warning("webhook.wake_failed", account=account, error=error)
                continue
            store.conn.execute(
                f"UPDATE webhook_inbox SET processed_at = ?, attempts = attempts + 1, "
                f"error = ? WHERE id IN ({marks})",
                (stamp, error, *ids),
            )
            processed += len(ids)
            if account is not None and not error:
                newest = max(r["received_at"] for r in group)
                store.conn.execute(
                    "UPDATE channel_account SET webhooks_at = ? WHERE id = ? "
                    "AND (webhooks_at IS NULL OR webhooks_at < ?)",
                    (newest, account, newest),
                )
    return processed


def pending(store: Store) -> int:
    """How many inbox rows wait for :func:`drain`."""
    return int(store.scalar("SELECT count(*) FROM webhook_inbox WHERE processed_at IS NULL"))


def prune(store: Store, *, days: int = 7) -> int:
    """Delete processed rows older than ``days`` (kept that long so a marketplace's retries,
    up to 3 days for Shopee's lost pushes, still dedupe); return how many went."""
    import datetime as dt  # noqa: PLC0415

    cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat(timespec="milliseconds")
    with store.write():
        cur = store.conn.execute(
            "DELETE FROM webhook_inbox WHERE processed_at IS NOT NULL AND received_at < ?",
            (cutoff,),
        )
    return int(cur.rowcount)
