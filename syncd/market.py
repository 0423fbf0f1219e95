"""Simulated marketplaces for the demo: one shop each on Shopee, TikTok Shop/Tokopedia
and Lazada, and the seller's own WooCommerce store, all on 127.0.0.1, behind one small
interface.

Each ``Shop`` wraps its marketplace's simulator (``adapters/<name>/simulator.py``)
and knows its channel settings, its app secret (made up), its listings, and its
marketplace's words for the order states buyers move orders through.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from syncd import catalog, credentials, sync
from syncd.adapter_settings import CODELESS
from syncd.models import ChannelIn
from syncd.store import Store

__all__ = [
    "ITEMS",
    "MARKETPLACES",
    "Market",
    "Shop",
    "WooShop",
    "buyers",
    "connect",
    "settled",
    "shown",
    "start_market",
]

#: (item name, [(variant number, SKU)] or the SKU of an item without variants)
ITEMS: list[tuple[str, list[tuple[int, str]] | str]] = [
    ("Nastar Keju", [(1, "NASTAR-250"), (2, "NASTAR-500")]),
    ("Kastengel", "KASTENGEL-500"),
    ("Kopi Robusta Dampit", [(1, "KOPI-250"), (2, "KOPI-1000")]),
    ("Dompet Kulit Coklat", "DOMPET-COKLAT"),
    ("Hampers Lebaran", "HAMPERS-LEBARAN"),
]
#: the family the WooCommerce store lists as one variable product (the others: simple ones)
WOO_VARIABLE = "Nastar Keju"


@dataclass
class Shop:
    """One simulated shop: its simulator, how syncd connects to it, what it lists."""

    channel: str
    marketplace: str
    shop_id: str
    sim: Any
    settings: dict[str, Any]
    secret: str
    words: dict[str, str]  # open / shipped / cancelled → the marketplace's status word
    to_int: bool = True  # the simulator takes integer shop, item and variant ids
    platforms: tuple[str, ...] = ()  # storefronts buyers come from (TikTok: + Tokopedia)
    int_orders: bool = False  # the simulator's order ids are integers (Lazada)
    listings: list[tuple[str, str, str]] = field(default_factory=list)  # sku, item, variant
    app_slot: str = "partner_key"  # the name the adapter reads its app secret by

    def sim_id(self, value: str) -> Any:
        """An id as this simulator takes it."""
        return int(value) if self.to_int else value

    def place(self, item: str, variant: str, qty: int, rng: random.Random) -> str | None:
        """A buyer orders; None when the shop shows too few."""
        line = [(self.sim_id(item), self.sim_id(variant or "0"), qty)]
        shop = self.sim_id(self.shop_id)
        if self.platforms:
            found = self.sim.place_order(shop, line, platform=rng.choice(self.platforms))
        else:
            found = self.sim.place_order(shop, line)
        return None if found is None else str(found)

    def move(self, order_id: str, state: str) -> None:
        """Move an order to ``open``, ``shipped`` or ``cancelled``."""
        order: Any = int(order_id) if self.int_orders else order_id
        self.sim.set_order_status(order, self.words[state])

    def shown(self, item: str, variant: str) -> int:
        """The stock this shop shows buyers."""
        shop, item_id = self.sim_id(self.shop_id), self.sim_id(item)
        return int(self.sim.stock(shop, item_id, self.sim_id(variant or "0")))


def _shopee(rng: random.Random, latency: float) -> Shop:
    from adapters.shopee.simulator import ShopeeSimulator  # noqa: PLC0415

    key = "shpk_demo_partner_key_0123456789"  # the simulator's made-up key
    sim = ShopeeSimulator(partner_key=key, latency=latency, jitter=latency / 2).start()
    settings = {"partner_id": sim.partner_id, "base_url": sim.base_url, "shop_rps": 20}
    words = {"open": "READY_TO_SHIP", "shipped": "SHIPPED", "cancelled": "CANCELLED"}
    shop = Shop("shopee", "shopee", "220011", sim, settings, key, words)
    sim.add_shop(220011)
    for n, (title, spec) in enumerate(ITEMS, start=1):
        item = 22001100 + n
        if isinstance(spec, str):
            sim.add_item(220011, item, title, sku=spec, price=1, stock=rng.randint(20, 60))
            shop.listings.append((spec, str(item), ""))
        else:
            models = [(m, s, 1, rng.randint(20, 60)) for m, s in spec]
            sim.add_item(220011, item, title, models=models)
            shop.listings += [(s, str(item), str(m)) for m, s in spec]
    return shop


def _lazada(rng: random.Random, latency: float) -> Shop:
    from adapters.lazada.simulator import LazadaSimulator  # noqa: PLC0415

    key, secret = "123456", "lzd_demo_app_secret_abcdef0123"  # made up (reference §7.2)
    sim = LazadaSimulator(app_key=key, app_secret=secret, latency=latency, jitter=latency / 2)
    sim.start()
    settings = {
        "app_key": key,
        "base_url": f"{sim.base_url}/rest",
        "auth_url": sim.base_url,
        "shop_rps": 20,
    }
    words = {"open": "packed", "shipped": "shipped", "cancelled": "canceled"}
    shop = Shop("lazada", "lazada", "5501", sim, settings, secret, words, int_orders=True)
    sim.add_shop(5501)
    for n, (title, spec) in enumerate(ITEMS, start=1):
        item = 550100 + n
        pairs = [(1, spec)] if isinstance(spec, str) else spec
        models = [(item * 10 + m, s, 1, rng.randint(20, 60)) for m, s in pairs]
        sim.add_item(5501, item, title, models=models)
        shop.listings += [(s, str(item), str(sku_id)) for sku_id, s, _, _ in models]
    return shop


def _tiktok(rng: random.Random, latency: float) -> Shop:
    from adapters.tiktok.simulator import TikTokSimulator  # noqa: PLC0415

    key, secret = "6abcdeftt01", "tts_demo_app_secret_9f8e7d6c5b4a"  # made up (§7.3)
    sim = TikTokSimulator(app_key=key, app_secret=secret, latency=latency, jitter=latency / 2)
    sim.start()
    url = sim.base_url
    settings = {
        "app_key": key,
        "service_id": sim.service_id,
        "base_url": url,
        "auth_base_url": url,
        "authorize_url": f"{url}/open/authorize",
        "shop_rps": 20,
    }
    words = {"open": "AWAITING_SHIPMENT", "shipped": "IN_TRANSIT", "cancelled": "CANCELLED"}
    shop = Shop(
        "tokopedia",
        "tiktok",
        "7494049642642441621",
        sim,
        settings,
        secret,
        words,
        to_int=False,
        platforms=("TOKOPEDIA", "TIKTOK_SHOP"),
    )
    sim.add_shop(shop.shop_id, name="Dapur Bu Sri", region="ID")
    for n, (title, spec) in enumerate(ITEMS, start=1):
        product = f"17295929697122070{n:02d}"
        pairs = [(1, spec)] if isinstance(spec, str) else spec
        models = [(f"{product}{m:02d}", s, 1, rng.randint(20, 60)) for m, s in pairs]
        sim.add_item(shop.shop_id, product, title, models=models)
        shop.listings += [(s, product, sku_id) for sku_id, s, _, _ in models]
    return shop


@dataclass
class WooShop(Shop):
    """The seller's own WooCommerce store: one store per simulator (no shop id in its
    calls), product and variation ids, and core's order statuses (§4.3)."""

    def place(self, item: str, variant: str, qty: int, rng: random.Random) -> str | None:
        """A checkout: paid at once by e-wallet or virtual account (``processing``), a bank
        transfer waiting to be confirmed (``on-hold``; core reduces its stock at either),
        or unpaid (``pending``: core holds nothing until it is paid, when the demo moves
        it on to ``completed``; syncd reserves it at once and sends its value again after
        the payment, ``orders._line``)."""
        status = rng.choice(("processing", "processing", "on-hold", "pending"))
        found = self.sim.place_order([(int(item), int(variant or 0), qty)], status=status)
        return None if found is None else str(found)

    def move(self, order_id: str, state: str) -> None:
        self.sim.set_status(int(order_id), self.words[state])

    def shown(self, item: str, variant: str) -> int:
        return int(self.sim.stock(int(item), int(variant or 0)) or 0)

    def refund_one(self) -> str | None:
        """A buyer sends one unit back; the seller refunds it in WP admin with "restock
        refunded items" ticked (a WooCommerce return, §4.3). Returns the order, or None
        when no paid order has a unit left to refund."""
        from adapters.woocommerce.simulator import ApiError  # noqa: PLC0415

        for order_id in self.sim.orders_with_status(("completed", "processing")):
            try:
                self.sim.refund(order_id, [(self.sim.line_ids(order_id)[0], 1)], reason="retur")
            except ApiError:  # that line is refunded already: the next order
                continue
            return str(order_id)
        return None

    def hand_edit(self, item: str, variant: str, value: int) -> None:
        """Someone types a stock number in WP admin, not through syncd."""
        self.sim.edit_stock(int(item), int(variant or 0), value)


def _woocommerce(rng: random.Random, latency: float) -> Shop:
    from adapters.woocommerce.simulator import WooSimulator  # noqa: PLC0415

    key, secret = "ck_demo_0123456789abcdef", "cs_demo_0123456789abcdef"  # made up
    sim = WooSimulator(
        consumer_key=key, consumer_secret=secret, latency=latency, jitter=latency / 2
    )
    sim.start()
    settings = {"base_url": sim.base_url, "consumer_key": key, "shop_rps": 20}
    # orders are placed paid or pending (``WooShop.place``); cancelled: core gives their
    # stock back
    words = {"open": "processing", "shipped": "completed", "cancelled": "cancelled"}
    shop = WooShop(
        "toko-web",
        "woocommerce",
        "toko-bu-sri",
        sim,
        settings,
        secret,
        words,
        app_slot="consumer_secret",
    )
    for title, spec in ITEMS:
        if isinstance(spec, str):
            pid = sim.add_simple(title, sku=spec, price=1, stock=rng.randint(20, 60))
            shop.listings.append((spec, str(pid), ""))
        elif title == WOO_VARIABLE:  # one variable product: stock lives on its variations
            parent, *ids = sim.add_variable(title, [(s, 1, rng.randint(20, 60)) for _, s in spec])
            shop.listings += [(s, str(parent), str(v)) for (_, s), v in zip(spec, ids, strict=True)]
        else:  # one simple product per size, as many stores list them
            for _, s in spec:
                pid = sim.add_simple(title, sku=s, price=1, stock=rng.randint(20, 60))
                shop.listings.append((s, str(pid), ""))
    return shop


MAKERS: dict[str, Callable[[random.Random, float], Shop]] = {
    "shopee": _shopee,
    "tiktok": _tiktok,
    "lazada": _lazada,
    "woocommerce": _woocommerce,
}
#: the demo's market: three marketplaces and the seller's own store
MARKETPLACES: tuple[str, ...] = ("shopee", "tiktok", "lazada", "woocommerce")


@dataclass
class Market:
    """The shops, and what the buyers did."""

    shops: list[Shop]
    placed: int = 0
    cancelled: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def shop(self, channel: str) -> Shop:
        """The shop behind a channel name."""
        return next(s for s in self.shops if s.channel == channel)

    def stop(self) -> None:
        """Stop every simulator."""
        for shop in self.shops:
            shop.sim.stop()


def start_market(
    seed: int,
    *,
    latency: float = 0.02,
    marketplaces: tuple[str, ...] = MARKETPLACES,
) -> Market:
    """Start one simulated shop per marketplace, stocked with stale numbers on purpose."""
    rng = random.Random(seed)  # noqa: S311 - a demo's shop stock, not security
    return Market([MAKERS[name](rng, latency) for name in marketplaces])


def connect(store: Store, tenant_id: int, market: Market, *, since: dt.datetime) -> None:
    """Add each shop as a channel, authorize it through its real flow (a REST key is
    checked with one call instead), bind by SKU."""
    vault = credentials.Vault(credentials.load_key(store.path))
    for shop in market.shops:
        ch = catalog.add_channel(
            store,
            tenant_id,
            ChannelIn(
                name=shop.channel,
                marketplace=shop.marketplace,
                shop_id=shop.shop_id,
            ),
            settings=shop.settings,
            integration_start=since.isoformat(timespec="seconds"),
            price_sync="push",
        )
        credentials.save(store, vault, tenant_id, ch.id, app={shop.app_slot: shop.secret})
        account = next(a for a in sync.load_accounts(store) if a.id == ch.id)
        rt = sync.build_runtime(store, vault, account)
        assert rt.adapter is not None  # noqa: S101
        try:
            if rt.adapter.auth_kind in CODELESS:  # a REST key, or client credentials
                sync.verify_key(store, rt)
            else:
                code = shop.sim.authorize(shop.sim_id(shop.shop_id))  # the seller's login
                tokens = rt.adapter.exchange_code(code)
                credentials.save(store, vault, tenant_id, ch.id, tokens=tokens)
            rt.load(store)
            sync.note_storefronts(store, rt)
            sync.discover(store, rt)
        finally:
            rt.adapter.close()
        # the seller reviewed what the shop shows and lets syncd own stock and prices there
        catalog.accept_channel(store, tenant_id, shop.channel, price_sync="push")


def enable_webhooks(
    store: Store, tenant_id: int, market: Market, base_url: str, **faults: Any
) -> None:
    """Each simulator delivers its marketplace's own webhooks to ``base_url`` (the web
    app's ``/webhooks/<marketplace>``), signed as the marketplace signs them; the
    WooCommerce store under a webhook secret the seller set in its admin, kept with the
    channel as ``syncd webhooks setup`` keeps it."""
    import secrets  # noqa: PLC0415

    vault = credentials.Vault(credentials.load_key(store.path))
    for shop in market.shops:
        url = f"{base_url}/webhooks/{shop.marketplace}"
        if shop.marketplace == "woocommerce":
            secret = secrets.token_urlsafe(24)
            ch = catalog.get_channel(store, tenant_id, shop.channel)
            app = credentials.load(store, vault, tenant_id, ch.id).app
            credentials.save(
                store, vault, tenant_id, ch.id, app={**app, "webhook_secret": secret}
            )
            shop.sim.enable_webhooks(url, secret=secret, **faults)
        else:
            shop.sim.enable_webhooks(url, **faults)


def webhooks_received(store: Store) -> dict[str, int]:
    """Deliveries the web app accepted, per marketplace (duplicates already dropped)."""
    return {
        str(r[0]): int(r[1])
        for r in store.all("SELECT marketplace, COUNT(*) FROM webhook_inbox GROUP BY marketplace")
    }


def buyers(market: Market, stop: threading.Event, rng: random.Random, rate: float) -> None:
    """Buyers on every shop: order what is shown, then cancel some and ship the rest."""
    open_orders: list[tuple[Shop, str]] = []
    while not stop.wait(rng.expovariate(rate)):
        shop = rng.choice(market.shops)
        _, item, variant = rng.choice(shop.listings)
        order = shop.place(item, variant, rng.choice((1, 1, 1, 2)), rng)
        if order is not None:
            with market.lock:
                market.placed += 1
            open_orders.append((shop, order))
        if not open_orders or rng.random() >= 0.5:
            continue
        shop, order = open_orders.pop(rng.randrange(len(open_orders)))
        state = "cancelled" if rng.random() < 0.25 else rng.choice(("open", "shipped"))
        try:
            shop.move(order, state)
        except ValueError:  # a move this marketplace does not allow from where it is
            continue
        if state == "cancelled":
            with market.lock:
                market.cancelled += 1


def shown(store: Store, tenant_id: int, market: Market) -> dict[tuple[str, str], int]:
    """What each shop shows, by (channel, SKU)."""
    return {
        (x.channel, x.sku): market.shop(x.channel).shown(x.item_id, x.variant_id)
        for x in catalog.list_listings(store, tenant_id)
    }


def settled(store: Store, tenant_id: int, market: Market, since: str) -> bool:
    """Every account pulled after ``since`` (ISO UTC), nothing waits to be pushed, and
    every shop shows exactly what syncd wants."""
    from syncd.availability import desired_all  # noqa: PLC0415

    pulled = store.conn.execute(
        "SELECT COUNT(DISTINCT c.id) FROM channel_account c JOIN job_run j "
        "ON j.channel_account_id = c.id AND j.job IN ('pull', 'push') "
        "WHERE c.tenant_id = ? AND j.last_ok > ?",
        (tenant_id, since),
    ).fetchone()[0]
    if pulled < len(market.shops):
        return False
    if store.scalar(
        "SELECT COUNT(*) FROM outbox WHERE tenant_id = ? AND status IN ('pending', 'failed')",
        (tenant_id,),
    ):
        return False
    want = {lid: qty for lid, qty, _ in desired_all(store, tenant_id)}
    return all(
        market.shop(x.channel).shown(x.item_id, x.variant_id) == want[x.id]
        for x in catalog.list_listings(store, tenant_id)
    )
