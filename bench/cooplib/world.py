"""A cooperative on loopback: three marketplace simulators shared by every member,
T sellers with one shop on each, S SKUs per seller, and a syncd database that
knows them all (catalogue imported, shops authorized through their real OAuth
flows, listings bound by discovery). With ``Spec.own_stores`` some members also
run their own WooCommerce store: one WooCommerce simulator each (a store is its
own site), connected by its REST key.

One world per policy run: fresh simulators and a fresh database built from the
same seed, so every policy starts from the same shops, stock and listings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cooplib.measure import Listing, Seller
from syncd import catalog, credentials, sync
from syncd.importer import import_file
from syncd.models import ChannelIn
from syncd.store import Store

__all__ = ["LATENCY", "RATE_LIMIT", "Spec", "World", "build", "kind"]

MARKETPLACES = ("shopee", "tiktok", "lazada")
OWN_STORE = "woocommerce"  # a member's own store
#: seconds of latency per call, ± jitter (the issue's defaults; WooCommerce: a made-up
#: small shared host, slower than the marketplaces' API gateways)
LATENCY = {
    "shopee": (0.15, 0.05),
    "lazada": (0.20, 0.06),
    "tiktok": (0.25, 0.08),
    "woocommerce": (0.30, 0.10),
}
#: what each simulator enforces per shop, as (calls/s, burst):
#: Shopee documents no limit (§1.7, UNCONFIRMED): a stated conservative 10/s per shop and
#: API family; Lazada 50 calls/s per seller (per API here, §2.7); TikTok 50 QPS per API
#: per (app, shop) (§3.7).
#: WooCommerce core has no rate limit (§4.5): its simulators enforce none.
RATE_LIMIT = {"shopee": (10.0, 10), "lazada": (50.0, 50), "tiktok": (50.0, 50)}
SHOPEE_KEY = "shpk_coop_partner_key_0123456789"  # made up; the simulators' own
LAZADA_KEY, LAZADA_SECRET = "123456", "lzd_coop_app_secret_abcdef0123"
TIKTOK_KEY, TIKTOK_SECRET = "6abcdeftt01", "tts_coop_app_secret_9f8e7d6c5b4a"
WOO_STORE = "store"  # what a WooCommerce simulator calls its one store (its observer's shop)


def kind(sim_key: str) -> str:
    """The marketplace of a key of ``World.sims`` (``woocommerce:<member>``: a store)."""
    return sim_key.split(":", 1)[0]


def woo_keys(tenant: int) -> tuple[str, str]:
    """A member's made-up REST key (consumer key, consumer secret)."""
    return f"ck_coop_{tenant:06d}_0123456789abcdef", f"cs_coop_{tenant:06d}_0123456789abcdef"


@dataclass(frozen=True)
class Spec:
    """What to build."""

    tenants: int = 200
    skus: int = 100
    seed: int = 20261127
    low_share: float = 0.25  # share of SKUs whose opening stock is 1-4
    own_stores: float = 0.0  # share of members that also have their own WooCommerce store

    def store_owners(self) -> frozenset[int]:
        """The members with their own store: round(own_stores × T) of them, seeded."""
        return _owners(self.tenants, self.seed, self.own_stores)

    def channels(self, tenant: int) -> tuple[str, ...]:
        """The marketplaces a member sells on."""
        own = (OWN_STORE,) if tenant in self.store_owners() else ()
        return MARKETPLACES + own


@functools.cache
def _owners(tenants: int, seed: int, share: float) -> frozenset[int]:
    n = round(max(0.0, min(1.0, share)) * tenants)
    rng = random.Random(f"{seed}:own-stores")  # noqa: S311 - who, not security
    return frozenset(rng.sample(range(1, tenants + 1), n))


@dataclass
class Catalogue:
    """One seller's products: (product, [variant SKUs]) and bundles, with popularity."""

    simple: list[str]
    variants: list[tuple[str, list[str]]]
    bundles: dict[str, tuple[tuple[str, int], ...]]
    stock: dict[str, int]
    weights: dict[str, float]  # SKU → how often buyers pick it (Zipf over a random order)

    def sellable(self) -> list[str]:
        return self.simple + [s for _, v in self.variants for s in v] + list(self.bundles)

    def seller(self) -> Seller:
        return Seller(dict(self.stock), dict(self.bundles))


def catalogue(spec: Spec, tenant: int) -> Catalogue:
    """A seller's catalogue: 10 % bundles of two SKUs, 20 % variants (items of 2), the rest
    simple; opening stock low (1-4) for ``low_share`` of the physical SKUs, else 10-40."""
    rng = random.Random(f"{spec.seed}:{tenant}")  # noqa: S311 - made-up stock
    n_bundles = spec.skus // 10
    n_variant_items = spec.skus // 10
    n_simple = spec.skus - n_bundles - 2 * n_variant_items
    simple = [f"KUE-{n:03d}" for n in range(n_simple)]
    variants = [
        (f"KOPI-{n:02d}", [f"KOPI-{n:02d}-V1", f"KOPI-{n:02d}-V2"]) for n in range(n_variant_items)
    ]
    physical = simple + [s for _, v in variants for s in v]
    stock = {
        s: rng.randint(1, 4) if rng.random() < spec.low_share else rng.randint(10, 40)
        for s in physical
    }
    bundles: dict[str, tuple[tuple[str, int], ...]] = {}
    for n in range(n_bundles):
        a, b = rng.sample(simple, 2)
        bundles[f"PAKET-{n:02d}"] = ((a, 1), (b, rng.choice((1, 1, 2))))
    order = simple + [s for _, v in variants for s in v] + list(bundles)
    rng.shuffle(order)
    weights = {s: 1.0 / (rank + 1) for rank, s in enumerate(order)}
    return Catalogue(simple, variants, bundles, stock, weights)


def catalogue_csv(cat: Catalogue) -> str:
    lines = ["sku,name,price,product,variant,stock,components"]
    for sku in cat.simple:
        lines.append(f"{sku},Kue {sku},25000,,,{cat.stock[sku]},")
    for product, skus in cat.variants:
        for sku in skus:
            lines.append(f"{sku},Kopi {product},60000,{product},{sku[-2:]},{cat.stock[sku]},")
    for bundle, parts in cat.bundles.items():
        comps = " ".join(f"{q}x{c}" for c, q in parts)
        lines.append(f"{bundle},Paket {bundle},90000,,,,{comps}")
    return "\n".join(lines) + "\n"


@dataclass
class Shop:
    """One member's shop on one marketplace."""

    tenant: int
    marketplace: str
    shop_id: Any  # as the simulator takes it
    channel: str
    listings: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # sku → (item, variant)

    @property
    def sim_key(self) -> str:
        """Its simulator's key in ``World.sims``: the marketplace's, or the store's own."""
        own = self.marketplace == OWN_STORE
        return f"{OWN_STORE}:{self.tenant}" if own else self.marketplace

    @property
    def observed_as(self) -> Any:
        """The shop id its simulator's observer names."""
        return WOO_STORE if self.marketplace == OWN_STORE else self.shop_id


@dataclass
class World:
    """Simulators, shops, listings and the database of one run."""

    spec: Spec
    db: Path
    sims: dict[str, Any]  # marketplace (or ``woocommerce:<member>``) → simulator
    shops: dict[tuple[int, str], Shop]
    catalogues: dict[int, Catalogue]
    listings: list[Listing] = field(default_factory=list)
    index: dict[tuple[str, Any, Any, Any], int] = field(default_factory=dict)  # sim key → listing
    urls: dict[str, str] = field(default_factory=dict)  # ``sims`` key → simulator base URL

    def sellers(self) -> dict[int, Seller]:
        return {t: c.seller() for t, c in self.catalogues.items()}

    def place(self, tenant: int, marketplace: str, sku: str, qty: int, platform: str) -> Any:
        """A buyer orders on a shop; the order id, or None when the shop shows too few."""
        shop = self.shops[(tenant, marketplace)]
        item, variant = shop.listings[sku]
        sim = self.sims[shop.sim_key]
        if marketplace == "tiktok":
            return sim.place_order(shop.shop_id, [(item, variant, qty)], platform=platform)
        if marketplace == OWN_STORE:
            # paid at checkout (core reduces its stock at once, as the marketplaces do at
            # an order); an unpaid ``pending`` checkout holds no stock and is not played
            return sim.place_order([(item, variant, qty)], status="processing")
        return sim.place_order(shop.shop_id, [(item, variant, qty)])

    def move(self, marketplace: str, order: Any, state: str, *, tenant: int = 0) -> None:
        """Move an order to ``cancelled`` or ``shipped`` in the marketplace's words
        (``tenant``: whose store, for a member's own store)."""
        words = {
            "shopee": {"cancelled": "CANCELLED", "shipped": "SHIPPED"},
            "lazada": {"cancelled": "canceled", "shipped": "shipped"},
            "tiktok": {"cancelled": "CANCELLED", "shipped": "IN_TRANSIT"},
            "woocommerce": {"cancelled": "cancelled", "shipped": "completed"},
        }
        if marketplace == OWN_STORE:
            sim = self.sims[self.shops[(tenant, marketplace)].sim_key]
            sim.set_status(order, words[marketplace][state])
            return
        self.sims[marketplace].set_order_status(order, words[marketplace][state])

    def stop(self) -> None:
        for sim in self.sims.values():
            sim.stop()


def start_simulators(ports: dict[str, int] | None = None) -> dict[str, Any]:
    from adapters.lazada.simulator import LazadaSimulator
    from adapters.shopee.simulator import ShopeeSimulator
    from adapters.tiktok.simulator import TikTokSimulator

    port = (ports or {}).get
    sims: dict[str, Any] = {
        "shopee": ShopeeSimulator(partner_key=SHOPEE_KEY, port=port("shopee", 0)),
        "lazada": LazadaSimulator(
            app_key=LAZADA_KEY, app_secret=LAZADA_SECRET, port=port("lazada", 0)
        ),
        "tiktok": TikTokSimulator(
            app_key=TIKTOK_KEY, app_secret=TIKTOK_SECRET, port=port("tiktok", 0)
        ),
    }
    for sim in sims.values():
        sim.start()
        sim.request_log = _Discard()  # hours of requests would fill memory; nothing reads it
    return sims


def start_store(tenant: int, port: int = 0) -> Any:
    """A member's own WooCommerce store (its own simulator: a store is a site)."""
    from adapters.woocommerce.simulator import WooSimulator

    key, secret = woo_keys(tenant)
    sim = WooSimulator(consumer_key=key, consumer_secret=secret, port=port).start()
    sim.request_log = _Discard()
    return sim


class _Discard(list[Any]):
    """A request log that keeps nothing."""

    def append(self, _item: Any) -> None:
        return None


def settings(marketplace: str, sim: Any, tenant: int = 0) -> tuple[dict[str, Any], str]:
    """Channel settings and app secret for one simulator (the adapters' default rate
    limits); ``tenant``: whose store, for a member's own store."""
    url = sim.base_url
    if marketplace == OWN_STORE:
        key, secret = woo_keys(tenant)
        return {"base_url": url, "consumer_key": key}, secret
    if marketplace == "shopee":
        return {"partner_id": sim.partner_id, "base_url": url}, SHOPEE_KEY
    if marketplace == "lazada":
        return {"app_key": LAZADA_KEY, "base_url": f"{url}/rest", "auth_url": url}, LAZADA_SECRET
    return {
        "app_key": TIKTOK_KEY,
        "service_id": sim.service_id,
        "base_url": url,
        "auth_base_url": url,
        "authorize_url": f"{url}/open/authorize",
    }, TIKTOK_SECRET


def _list(world: World, shop: Shop, cat: Catalogue) -> None:
    """Put a seller's catalogue on one shop, each listing showing its opening availability."""
    sim, t, seller = world.sims[shop.sim_key], shop.tenant, cat.seller()

    def price(sku: str) -> int:
        return 90000 if sku in seller.bundles else 60000 if sku.startswith("KOPI") else 25000

    def show(sku: str) -> int:
        parts = seller.bundles.get(sku)
        return seller.stock[sku] if parts is None else min(seller.stock[c] // q for c, q in parts)

    items: list[tuple[str, list[str]]] = [(s, []) for s in cat.simple]
    items += cat.variants
    items += [(b, []) for b in cat.bundles]
    for n, (product, variants) in enumerate(items, start=1):
        skus = variants or [product]
        if shop.marketplace == OWN_STORE:  # simple products; a variable one per variant item
            if not variants:
                pid = sim.add_simple(
                    product, sku=product, price=price(product), stock=show(product)
                )
                shop.listings[product] = (pid, 0)
            else:
                parent, *ids = sim.add_variable(product, [(s, price(s), show(s)) for s in skus])
                shop.listings.update({s: (parent, v) for s, v in zip(skus, ids, strict=True)})
        elif shop.marketplace == "shopee":
            item = t * 1000 + n
            if not variants:
                sim.add_item(
                    shop.shop_id,
                    item,
                    product,
                    sku=product,
                    price=price(product),
                    stock=show(product),
                )
                shop.listings[product] = (item, 0)
            else:
                models = [(m, s, price(s), show(s)) for m, s in enumerate(skus, 1)]
                sim.add_item(shop.shop_id, item, product, models=models)
                shop.listings.update({s: (item, m) for m, s, _, _ in models})
        elif shop.marketplace == "lazada":
            item = t * 1000 + n
            lz = [(item * 10 + m, s, price(s), show(s)) for m, s in enumerate(skus, 1)]
            sim.add_item(shop.shop_id, item, product, models=lz)
            shop.listings.update({s: (item, i) for i, s, _, _ in lz})
        else:
            pid = f"17{t:07d}{n:04d}"
            tt = [(f"{pid}{m:02d}", s, price(s), show(s)) for m, s in enumerate(skus, 1)]
            sim.add_item(shop.shop_id, pid, product, models=tt)
            shop.listings.update({s: (pid, i) for i, s, _, _ in tt})


def _shop_id(marketplace: str, tenant: int) -> Any:
    if marketplace == OWN_STORE:
        return f"toko-anggota-{tenant:04d}"
    if marketplace == "shopee":
        return 400_000 + tenant
    if marketplace == "lazada":
        return 600_000 + tenant
    return f"74940496{tenant:011d}"


def build(spec: Spec, folder: Path, *, progress: bool = True) -> World:
    """Start the simulators (no latency yet) and seed every member; returns the world."""
    sims = start_simulators()
    db = folder / "coop.db"
    world = World(spec, db, sims, {}, {})
    world.urls = {m: sim.base_url for m, sim in sims.items()}
    store = Store(db)
    vault = credentials.Vault(credentials.load_key(db))
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(timespec="seconds")
    try:
        for t in range(1, spec.tenants + 1):
            cat = catalogue(spec, t)
            world.catalogues[t] = cat
            tenant = catalog.add_tenant(store, f"Anggota {t:04d}")
            path = folder / "katalog.csv"
            path.write_text(catalogue_csv(cat), encoding="utf-8")
            import_file(store, tenant.id, path, actor="bench")
            for m in spec.channels(t):
                shop = Shop(t, m, _shop_id(m, t), m)
                _open(world, shop)
                _list(world, shop, cat)
                world.shops[(t, m)] = shop
                _connect(store, vault, tenant.id, shop, sim=sims[shop.sim_key], since=since)
                for sku, (item, variant) in shop.listings.items():
                    key = (shop.sim_key, shop.observed_as, item, variant)
                    world.index[key] = len(world.listings)
                    world.listings.append(Listing(t, m, sku, str(item), str(variant)))
            if progress and t % 50 == 0:
                print(f"  seeded {t}/{spec.tenants} members", flush=True)
    finally:
        store.close()
    return world


def _open(world: World, shop: Shop, port: int = 0) -> None:
    """Open a member's shop on its marketplace's simulator (or start its own store's)."""
    if shop.marketplace == OWN_STORE:
        sim = start_store(shop.tenant, port)
        world.sims[shop.sim_key] = sim
        world.urls[shop.sim_key] = sim.base_url
    elif shop.marketplace == "tiktok":
        world.sims["tiktok"].add_shop(shop.shop_id, name=f"Anggota {shop.tenant}", region="ID")
    else:
        world.sims[shop.marketplace].add_shop(shop.shop_id)


def _connect(
    store: Store, vault: credentials.Vault, tenant_id: int, shop: Shop, *, sim: Any, since: str
) -> None:
    values, secret = settings(shop.marketplace, sim, shop.tenant)
    ch = catalog.add_channel(
        store,
        tenant_id,
        ChannelIn(name=shop.channel, marketplace=shop.marketplace, shop_id=str(shop.shop_id)),  # type: ignore[arg-type]
        settings=values,
        integration_start=since,
        accepted=True,  # the test accepts pushes from the start
        price_sync="push",
    )
    slot = "consumer_secret" if shop.marketplace == OWN_STORE else "partner_key"
    credentials.save(store, vault, tenant_id, ch.id, app={slot: secret})
    account = sync.load_account(store, ch.id)
    assert account is not None  # noqa: S101
    # seeding runs without latency; the adapters' own rate limits would only slow it down
    fast = {**account.settings, "shop_rps": 10_000, "app_rps": 100_000}
    rt = sync.build_runtime(store, vault, dataclasses.replace(account, settings=fast))
    assert rt.adapter is not None  # noqa: S101
    try:
        if rt.adapter.auth_kind == "api_key":  # a REST key: checked once, nothing to exchange
            sync.verify_key(store, rt)
        else:
            tokens = rt.adapter.exchange_code(sim.authorize(shop.shop_id))
            credentials.save(store, vault, tenant_id, ch.id, tokens=tokens)
        rt.load(store)
        sync.note_storefronts(store, rt)
        sync.discover(store, rt)
    finally:
        rt.adapter.close()


def go_live(world: World) -> None:
    """Turn on latency and rate limits (after seeding, which runs without them)."""
    for m, sim in world.sims.items():
        sim.latency, sim.jitter = LATENCY[kind(m)]
        sim.rate_limit = RATE_LIMIT.get(kind(m))


def clone(template: World, folder: Path) -> World:
    """A fresh world like ``template`` (whose simulators must be stopped): its database
    copied, new simulators on the same ports with the same shops and opening stock,
    and every shop authorized again (tokens are the simulators' own)."""
    import shutil
    import sqlite3

    db = folder / "coop.db"
    src, dst = sqlite3.connect(template.db), sqlite3.connect(db)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    shutil.copy(template.db.with_name(template.db.name + ".key"), db.with_name(db.name + ".key"))
    ports = {m: int(url.rsplit(":", 1)[1]) for m, url in template.urls.items()}
    sims = start_simulators(ports)
    world = World(
        template.spec, db, sims, {}, template.catalogues, template.listings, template.index
    )
    world.urls = {m: sim.base_url for m, sim in sims.items()}
    store = Store(db)
    vault = credentials.Vault(credentials.load_key(db))
    try:
        accounts = {(a.tenant_id, a.marketplace): a for a in sync.load_accounts(store)}
        for (t, m), old in template.shops.items():
            shop = Shop(t, m, old.shop_id, old.channel)
            _open(world, shop, ports.get(shop.sim_key, 0))
            _list(world, shop, template.catalogues[t])  # the same ids, in the same order
            world.shops[(t, m)] = shop
            if m == OWN_STORE:  # the same REST key on the same address: nothing to redo
                continue
            account = accounts[(t, m)]
            fast = {**account.settings, "shop_rps": 10_000, "app_rps": 100_000}
            rt = sync.build_runtime(store, vault, dataclasses.replace(account, settings=fast))
            assert rt.adapter is not None  # noqa: S101
            try:
                tokens = rt.adapter.exchange_code(sims[m].authorize(shop.shop_id))
                credentials.save(store, vault, account.tenant_id, account.id, tokens=tokens)
            finally:
                rt.adapter.close()
    finally:
        store.close()
    return world
