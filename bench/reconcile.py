"""Reconcile cost (issue 12): API calls and time to read a shop back, against the batch minimum.

Prints numbers; asserts nothing. Run from the repo root:
``.venv/bin/python bench/reconcile.py [--sizes 100,1000] [--markets shopee,lazada,...]``.
Only 127.0.0.1 traffic (each marketplace's simulator, ``adapters/<name>/simulator.py``).

For each marketplace (shopee, lazada, tiktok, woocommerce, shopify) and each size N:

1. A fresh simulator shop listing N listings as a realistic mix: half of them products
   without variants, the other half products with 2 variants (N = 0.5N simple + 0.25N
   products × 2), every SKU in the master catalogue with stock received into the ledger.
   ``sync.discover`` binds them by SKU and ``sync.push`` makes every listing show
   syncd's value (prices are not synced), so the reconcile finds nothing to explain.
2. The simulator clock moves on 5 minutes (past ``reconcile.GRACE``; Shopify's cost
   bucket refills as it would), then one ``reconcile.reconcile(store, rt, at=…)`` call is
   timed and the API calls it made are counted from the simulator's own counters (every
   path; token calls would be shown apart, not counted).
3. The minimum is what the marketplaces' documented batch limits allow for reading every
   listing with its stock (``/work/shared/reference/marketplace-apis.md``, not our
   adapters' page sizes): Shopee ``get_item_list`` ≤ 100 a page + ``get_item_base_info``
   ≤ 50 ids + one ``get_model_list`` per item with variants (§1.4); Lazada
   ``/products/get`` ``limit`` ≤ 50, SKUs come with their product (§2.4); TikTok product
   search ``page_size`` ≤ 100, SKUs with their product (§3.4); WooCommerce ``/products``
   ``per_page`` ≤ 100 + ``/products/{id}/variations`` ≤ 100 per variable product (§4.2);
   Shopify ``productVariants(first: ≤ 250)`` (§5.3), also shown with the single-query
   cost cap that forces fewer a page.

One line per (marketplace, N): calls, minimum, ratio, seconds, calls per 100 listings,
and the rate budget the calls use at the adapter's default per-shop rate (the bench
itself runs with the limiter lifted, as the contract harnesses do, so its seconds are
syncd's and the simulator's own work on loopback, not waiting for a rate limit; Shopify's
cost bucket is the simulator's, and a NOTE says when it did not make the reconcile wait
what a Standard plan would).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `adapters` lives at the repo root
    sys.path.insert(0, str(REPO))

import adapters  # noqa: E402
from syncd import catalog, credentials, inventory, reconcile, sync  # noqa: E402
from syncd.adapter_settings import CODELESS  # noqa: E402
from syncd.models import ChannelIn, MovementIn, SkuIn  # noqa: E402
from syncd.store import Store  # noqa: E402

MARKETS = ("shopee", "lazada", "tiktok", "woocommerce", "shopify")
PRICE = 45_000
SHOWN = 5  # what each listing shows before syncd's first push
LIFTED = {"shop_rps": 200, "app_rps": 200}  # the limiter out of the way (the harnesses' value)
LATER = dt.timedelta(minutes=5)

#: Shopify: points a variant costs in the query reconcile needs (the variant, its product,
#: its inventory item, the level at the location, its one quantity: 1 each; the simulator's
#: cost model of the adapter's query) and the single-query cap (Shopify's documented 1,000
#: points; not in the reference, the simulator enforces it as MAX_COST_EXCEEDED)
SHOPIFY_POINTS_PER_VARIANT = 5
SHOPIFY_QUERY_CAP = 1_000
SHOPIFY_RESTORE = 100  # points/s, Standard plan (§5.5)


# -- the catalogue -----------------------------------------------------------------------


def build_catalogue(n: int) -> list[list[str]]:
    """Products as their SKUs: one SKU = no variants; N listings, half in 2-variant products."""
    pairs = n // 4
    simple = n - 2 * pairs
    products = [[f"BR-{k:05d}"] for k in range(simple)]
    products += [[f"VR-{k:05d}-A", f"VR-{k:05d}-B"] for k in range(pairs)]
    return products


def ceil(a: int, b: int) -> int:
    return math.ceil(a / b) if a else 0


def minimum(name: str, products: list[list[str]]) -> tuple[int, str]:
    """The fewest calls the documented batch limits allow, and how it adds up."""
    p = len(products)
    v = sum(len(skus) > 1 for skus in products)
    listings = sum(map(len, products))
    if name == "shopee":
        a, b = ceil(p, 100), ceil(p, 50)
        return a + b + v, (
            f"get_item_list {a} (≤100/page) + get_item_base_info {b} (≤50 ids) + "
            f"get_model_list {v} (1 item/call, items with variants)"
        )
    if name == "lazada":
        return ceil(p, 50), f"/products/get {ceil(p, 50)} (limit ≤50, §2.4; SKUs inline)"
    if name == "tiktok":
        return ceil(p, 100), f"products/search {ceil(p, 100)} (page_size ≤100; SKUs inline)"
    if name == "woocommerce":
        a = ceil(p, 100)
        b = sum(ceil(len(skus), 100) for skus in products if len(skus) > 1)
        return a + b, f"/products {a} (per_page ≤100) + /products/{{id}}/variations {b}"
    if name == "shopify":
        return ceil(listings, 250), f"productVariants {ceil(listings, 250)} (first ≤250)"
    raise ValueError(name)


def shopify_cost_bound(listings: int) -> tuple[int, int]:
    """(variants a page under the single-query cost cap, calls at that page size)."""
    per_page = (SHOPIFY_QUERY_CAP - 2) // SHOPIFY_POINTS_PER_VARIANT
    return per_page, ceil(listings, per_page)


# -- the marketplaces ----------------------------------------------------------------------


@dataclass
class Market:
    """One marketplace's simulator shop and how syncd connects to it."""

    name: str
    sim: Any
    shop_id: str
    settings: dict[str, Any]
    secrets: dict[str, str]
    authorize: Callable[[], str]
    add: Callable[[int, list[str]], None]  # (product number, its SKUs)
    token_paths: tuple[str, ...] = ()  # authorization calls: shown apart, never counted

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.sim.now(), dt.UTC)


def _shopee() -> Market:
    from adapters.shopee.simulator import ShopeeSimulator

    key, shop = "shpk_demo_partner_key_0123456789", 998877  # the simulator's made-up key
    sim = ShopeeSimulator(partner_key=key).start()
    sim.add_shop(shop)

    def add(k: int, skus: list[str]) -> None:
        item = 100_000 + k
        if len(skus) == 1:
            sim.add_item(shop, item, f"Kue {k}", sku=skus[0], price=PRICE, stock=SHOWN)
        else:
            models = [(m, s, PRICE, SHOWN) for m, s in enumerate(skus, start=1)]
            sim.add_item(shop, item, f"Kopi {k}", models=models)

    return Market(
        "shopee",
        sim,
        str(shop),
        {"partner_id": sim.partner_id, "base_url": sim.base_url, **LIFTED},
        {"partner_key": key},
        lambda: sim.authorize(shop),
        add,
        ("/api/v2/auth/token/get", "/api/v2/auth/access_token/get"),
    )


def _lazada() -> Market:
    from adapters.lazada.simulator import LazadaSimulator

    key, secret, shop = "123456", "lzd_demo_app_secret_abcdef0123", 1234567  # made up (§7.2)
    sim = LazadaSimulator(app_key=key, app_secret=secret).start()
    sim.add_shop(shop)

    def add(k: int, skus: list[str]) -> None:
        item = 100_000 + k
        models = [(item * 10 + m, s, PRICE, SHOWN) for m, s in enumerate(skus)]
        sim.add_item(shop, item, f"Kue {k}", models=models)

    return Market(
        "lazada",
        sim,
        str(shop),
        {"app_key": key, "base_url": f"{sim.base_url}/rest", "auth_url": sim.base_url, **LIFTED},
        {"partner_key": secret},
        lambda: sim.authorize(shop),
        add,
        ("/rest/auth/token/create", "/rest/auth/token/refresh"),
    )


def _tiktok() -> Market:
    from adapters.tiktok.simulator import TikTokSimulator

    key, secret, shop = "6abcdeftt01", "tts_demo_app_secret_9f8e7d6c5b4a", "7494049642642441621"
    sim = TikTokSimulator(app_key=key, app_secret=secret).start()
    sim.add_shop(shop, name="Dapur Bu Sri", region="ID")
    url = sim.base_url

    def add(k: int, skus: list[str]) -> None:
        product = f"17295929697{k:08d}"
        models = [(f"{product}{m:02d}", s, PRICE, SHOWN) for m, s in enumerate(skus, start=1)]
        sim.add_item(shop, product, f"Kue {k}", models=models)

    settings = {
        "app_key": key,
        "service_id": sim.service_id,
        "base_url": url,
        "auth_base_url": url,
        "authorize_url": f"{url}/open/authorize",
        **LIFTED,
    }
    return Market(
        "tiktok",
        sim,
        shop,
        settings,
        {"partner_key": secret},
        lambda: sim.authorize(shop),
        add,
        ("/api/v2/token/get", "/api/v2/token/refresh"),
    )


def _woocommerce() -> Market:
    from adapters.woocommerce.simulator import WooSimulator

    key, secret = "ck_demo_0123456789abcdef", "cs_demo_0123456789abcdef"  # made up
    sim = WooSimulator(consumer_key=key, consumer_secret=secret).start()

    def add(k: int, skus: list[str]) -> None:
        if len(skus) == 1:
            sim.add_simple(f"Kue {k}", sku=skus[0], price=PRICE, stock=SHOWN)
        else:
            sim.add_variable(f"Kopi {k}", [(s, PRICE, SHOWN) for s in skus])

    return Market(
        "woocommerce",
        sim,
        "toko-bu-sri",
        {"base_url": sim.base_url, "consumer_key": key, "query_auth": False, **LIFTED},
        {"consumer_secret": secret},
        lambda: "",  # a REST key: no authorization code
        add,
    )


def _shopify() -> Market:
    from adapters.shopify.simulator import CLIENT_ID, CLIENT_SECRET, ShopifySimulator

    sim = ShopifySimulator(shop="toko-bu-sri").start()

    def add(k: int, skus: list[str]) -> None:
        sim.add_product(f"Kue {k}", [(s, PRICE, SHOWN) for s in skus])

    settings = {
        "base_url": sim.base_url,
        "client_id": CLIENT_ID,
        "auth": "client_credentials",
        **LIFTED,
    }
    return Market(
        "shopify",
        sim,
        "toko-bu-sri",
        settings,
        {"client_secret": CLIENT_SECRET},
        sim.issue_code,
        add,
        ("/admin/oauth/access_token",),
    )


MAKERS: dict[str, Callable[[], Market]] = {
    "shopee": _shopee,
    "lazada": _lazada,
    "tiktok": _tiktok,
    "woocommerce": _woocommerce,
    "shopify": _shopify,
}


# -- one run -------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    n: int
    products: list[list[str]]
    setup_s: float
    seconds: float
    calls: Counter[str]
    fields: Counter[str]  # Shopify: the GraphQL root fields of those calls
    tokens: Counter[str]
    report: reconcile.ReconcileReport
    pushed: int
    unsynced: int
    shop_rps: float
    bucket: tuple[float, float] | None = None  # Shopify: the simulator's (maximum, restore/s)

    @property
    def total(self) -> int:
        return sum(self.calls.values())


def by_path(calls: Counter[tuple[Any, str]]) -> Counter[str]:
    """Calls by path, ids folded (``/products/1234/variations`` → ``/products/{id}/…``)."""
    out: Counter[str] = Counter()
    for (_, path), count in calls.items():
        out[re.sub(r"/\d+(?=/|$)", "/{id}", path)] += count
    return out


def connect(market: Market, folder: Path, products: list[list[str]]) -> tuple[Store, Any]:
    """The master catalogue, a connected channel on the simulator (``build_world``'s steps
    in tests/contract/test_contract.py, without pytest), bound by discovery and pushed."""
    store = Store(folder / f"{market.name}-{sum(map(len, products))}.db")
    tenant = catalog.add_tenant(store, "Dapur Bu Sri")
    skus = [s for group in products for s in group]
    with store.write():
        for sku in skus:
            catalog.upsert_sku(store, tenant.id, SkuIn(sku=sku, name=sku, price=PRICE))
    inventory.record(
        store,
        tenant.id,
        [
            MovementIn(
                sku=s,
                kind="receipt",
                qty=10 + k % 40,
                key=f"open-{s}",
                source="bench",
                actor="bench",
            )
            for k, s in enumerate(skus)
        ],
    )
    for k, group in enumerate(products):
        market.add(k, group)
    start = (market.now() - dt.timedelta(hours=1)).isoformat(timespec="seconds")
    ch = catalog.add_channel(
        store,
        tenant.id,
        ChannelIn(name=market.name, marketplace=market.name, shop_id=market.shop_id),
        settings=market.settings,
        integration_start=start,
        accepted=True,  # the bench accepts pushes from the start
    )
    vault = credentials.Vault(credentials.load_key(store.path))
    credentials.save(store, vault, tenant.id, ch.id, app=market.secrets)
    account = next(a for a in sync.load_accounts(store) if a.id == ch.id)
    rt = sync.build_runtime(store, vault, account, now=market.now)
    assert rt.adapter is not None  # noqa: S101 - the setup, not a measurement
    if rt.adapter.auth_kind in CODELESS:  # a key checked, or a first token: no code
        sync.verify_key(store, rt)
    else:
        tokens = rt.adapter.exchange_code(market.authorize())
        credentials.save(store, vault, tenant.id, ch.id, tokens=tokens)
    rt.load(store)
    sync.discover(store, rt)
    for _ in range(5):  # one push should do; a retried batch may need another
        if not sync.push(store, rt)["stock"].sent:
            break
    return store, rt


def unsynced(store: Store, account_id: int) -> int:
    return int(
        store.scalar(
            "SELECT COUNT(*) FROM outbox WHERE channel_account_id = ? AND field = 'stock' "
            "AND status != 'synced'",
            (account_id,),
        )
        or 0
    )


def run(name: str, n: int, folder: Path) -> Result:
    products = build_catalogue(n)
    market = MAKERS[name]()
    try:
        t0 = time.perf_counter()
        store, rt = connect(market, folder, products)
        setup_s = time.perf_counter() - t0
        pushed = int(
            store.scalar(
                "SELECT COUNT(*) FROM outbox WHERE channel_account_id = ? AND field = 'stock' "
                "AND sent_value IS NOT NULL",
                (rt.account.id,),
            )
            or 0
        )
        left = unsynced(store, rt.account.id)
        market.sim.advance(LATER.total_seconds())  # the reconcile comes 5 minutes later
        before = Counter(market.sim.calls)
        t0 = time.perf_counter()
        report = reconcile.reconcile(store, rt, at=market.now())
        seconds = time.perf_counter() - t0
        made = Counter(market.sim.calls)
        made.subtract(before)
        paths = by_path(+made)
        tokens = Counter({p: c for p, c in paths.items() if p in market.token_paths})
        # Shopify's simulator also counts each GraphQL request by its root fields: a
        # breakdown of the HTTP calls, not more calls
        fields = Counter({p: c for p, c in paths.items() if p.startswith("gql:")})
        calls = Counter(
            {p: c for p, c in paths.items() if p not in market.token_paths and p not in fields}
        )
        shop_rps = float(adapters.load(name).rate_limits.shop_rps)
        bucket = None
        if name == "shopify":
            bucket = (float(market.sim.maximum_available), float(market.sim.restore_rate))
        if rt.adapter is not None:
            rt.adapter.close()
        store.close()
        return Result(
            name,
            n,
            products,
            setup_s,
            seconds,
            calls,
            fields,
            tokens,
            report,
            pushed,
            left,
            shop_rps,
            bucket,
        )
    finally:
        market.sim.stop()


# -- the report ----------------------------------------------------------------------------


def shopify_points(res: Result) -> int:
    """The points the variant pages cost (2 a page + 5 a variant read)."""
    pages = res.fields.get("gql:productVariants", 0)
    return 2 * pages + SHOPIFY_POINTS_PER_VARIANT * res.report.remote


def shopify_wait(res: Result) -> float:
    """Seconds a Standard plan makes the reconcile wait beyond a full bucket."""
    size = res.bucket[0] if res.bucket else 0.0
    return max(0.0, shopify_points(res) - size) / SHOPIFY_RESTORE


def budget(res: Result) -> str:
    """The rate budget the reconcile's calls use."""
    if res.name == "shopify":
        points = shopify_points(res)
        size = res.bucket[0] if res.bucket else 0.0
        return (
            f"≈{points:,} cost points = {points / SHOPIFY_RESTORE:.0f} s of the Standard "
            f"plan's {SHOPIFY_RESTORE} points/s (§5.5); beyond a full {size:,.0f}-point bucket "
            f"(the simulator's maximumAvailable) ≈{shopify_wait(res):.0f} s of waiting"
        )
    documented = {
        "shopee": "none documented (§1.7)",
        "lazada": "per-API QPS caps, /products/get's not given (§2.7)",
        "tiktok": "50 QPS per API per app+shop (§3.7)",
        "woocommerce": "none in core, host-dependent (§4.5)",
    }[res.name]
    return (
        f"{res.total / res.shop_rps:.1f} s of the adapter's default {res.shop_rps:g} calls/s "
        f"per shop; documented: {documented}"
    )


def print_result(res: Result) -> None:
    listings = sum(map(len, res.products))
    least, how = minimum(res.name, res.products)
    ratio = res.total / least if least else math.nan
    per100 = 100 * res.total / listings
    print(
        f"{res.name:12} N={res.n:<5} calls {res.total:5}  minimum {least:4}  "
        f"ratio {ratio:5.2f}×  {res.seconds:6.2f} s  {per100:5.1f} calls/100 listings"
    )
    made = ", ".join(f"{p} {c}" for p, c in sorted(res.calls.items()))
    if res.fields:
        made += f" ({', '.join(f'{p[4:]} {c}' for p, c in sorted(res.fields.items()))})"
    print(f"    calls:   {made}")
    print(f"    minimum: {how}")
    if res.name == "shopify":
        per_page, bound = shopify_cost_bound(listings)
        print(
            f"    cost cap: {SHOPIFY_POINTS_PER_VARIANT} points a variant under the "
            f"{SHOPIFY_QUERY_CAP:,}-point single-query cap (Shopify's; not in the reference) "
            f"→ ≤{per_page} a page → {bound} calls (ratio {res.total / bound:.2f}×)"
        )
    print(f"    budget:  {budget(res)}")
    rep = res.report
    check = (
        f"    read back {rep.remote} listings, {rep.listings} bound, {rep.same} showing "
        f"syncd's value, {len(rep.differences)} differences, order pull "
        f"{'ran' if rep.pulled else 'not needed'}; setup {res.setup_s:.1f} s "
        f"(list {listings} listings in {len(res.products)} products, discover, push "
        f"{res.pushed})"
    )
    print(check)
    if res.tokens:
        print(f"    token calls (not counted): {dict(res.tokens)}")
    if res.name == "shopify" and res.seconds < shopify_wait(res) / 2:
        print(
            f"    NOTE: the simulator's cost bucket did not make the reconcile wait, so "
            f"{res.seconds:.2f} s leaves out the ≈{shopify_wait(res):.0f} s a Standard plan "
            f"would"
        )
    if res.unsynced:
        print(f"    NOTE: {res.unsynced} stock rows not pushed before the reconcile")
    if rep.remote != listings or rep.same != listings:
        print(f"    NOTE: expected {listings} listings all showing syncd's value")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="listings per shop (default 100,1000)")
    parser.add_argument("--markets", default=",".join(MARKETS), help="default: all five")
    args = parser.parse_args()
    args.sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    args.markets = [x.strip() for x in args.markets.split(",") if x.strip()]
    unknown = set(args.markets) - set(MARKETS)
    if unknown:
        parser.error(f"unknown markets {sorted(unknown)}; choose from {', '.join(MARKETS)}")
    if any(n < 1 for n in args.sizes):
        parser.error("sizes must be positive")
    return args


def main() -> None:
    from syncd.log import configure

    args = parse_args()
    configure(level="warning")  # syncd's own log lines stay quiet
    print(
        f"python {sys.version.split()[0]}, cores {os.cpu_count()}; simulators on 127.0.0.1, "
        f"no latency, limiter lifted ({LIFTED['shop_rps']} calls/s); one reconcile per shop, "
        f"{LATER.total_seconds() / 60:g} min after the push"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="syncd-reconcile-") as tmp:
        for name in args.markets:
            for n in args.sizes:
                print_result(run(name, n, Path(tmp)))
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
