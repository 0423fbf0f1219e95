"""Propagation benchmark across three marketplaces: Shopee, TikTok Shop and Lazada.

Prints numbers; asserts nothing. Run from the repo root:
``python bench/propagation3.py [--quick] [--json PATH]``. Only 127.0.0.1 traffic.

Setup: one simulated shop per marketplace (``syncd.market.start_market``), each with
its own latency (Shopee 150 ms, TikTok 250 ms, Lazada 200 ms, ± jitter) and the
simulators' default (no) rate limits; the adapters' default per-shop rate limits
(``shop_rps`` is removed from the channel settings). 40 master SKUs (24 simple
items, 8 items × 2 variants) listed on every shop with stock 1000, bound by
discovery; ``syncd run --push-every 2 --poll-every 5`` as a separate process.

Latency = from placing an order on one shop until *every other* shop shows the
master's new available stock for that SKU (polled every 20 ms, timeout 30 s).

Calls vs minimum: each order changes one SKU, and all three batch shapes carry one
item per stock-update call here, so the minimum per order is one stock-update call
on *each* marketplace (the originating shop included: its marketplace lowered its
own stock by rules syncd does not know, so syncd re-sends the absolute value).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
for p in (str(BENCH.parent), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from propagation import (  # noqa: E402
    CLK_TCK,
    cpu_ticks,
    fmt,
    memory_kb,
    no_nan,
    scalar,
    start_daemon,
    stop_daemon,
    summary,
    unsynced,
)

from syncd import catalog  # noqa: E402
from syncd.importer import import_file  # noqa: E402
from syncd.market import Market, Shop, connect, start_market  # noqa: E402
from syncd.store import Store  # noqa: E402

STOCK = 1_000
LATENCY = {"shopee": (0.15, 0.05), "tiktok": (0.25, 0.08), "lazada": (0.20, 0.06)}
UPDATE_SUFFIX = {
    "shopee": "/product/update_stock",
    "tiktok": "/inventory/update",
    "lazada": "/product/stock/sellable/update",
}
PULL_SUFFIX = {
    "shopee": ("/order/get_order_list", "/order/get_order_detail"),
    "tiktok": ("/orders/search",),
    "lazada": ("/orders/get", "/orders/items/get"),
}


def build_catalogue() -> list[tuple[str, list[str]]]:
    """(product, [variant SKUs]) — [] for an item without variants; 40 SKUs."""
    items: list[tuple[str, list[str]]] = [(f"KUE-{n:03d}", []) for n in range(24)]
    items += [(f"KOPI-{n:02d}", [f"KOPI-{n:02d}-V1", f"KOPI-{n:02d}-V2"]) for n in range(8)]
    return items


def catalogue_csv(items: list[tuple[str, list[str]]]) -> str:
    lines = ["sku,name,price,product,variant,stock"]
    for product, variants in items:
        for sku in variants or [product]:
            variant = sku.rsplit("-", 1)[1] if variants else ""
            group = product if variants else ""
            lines.append(f"{sku},Item {product},50000,{group},{variant},{STOCK}")
    return "\n".join(lines) + "\n"


def list_items(shop: Shop, items: list[tuple[str, list[str]]]) -> None:
    """List every SKU on this shop (replacing the demo's listings in ``shop.listings``)."""
    sim, shop.listings = shop.sim, []
    for n, (product, variants) in enumerate(items, start=1):
        skus = variants or [product]
        if shop.marketplace == "shopee":
            item = 22001100 + 100 + n
            if not variants:
                sim.add_item(220011, item, product, sku=product, price=50000, stock=STOCK)
                shop.listings.append((product, str(item), ""))
            else:
                models = [(m, s, 50000, STOCK) for m, s in enumerate(skus, 1)]
                sim.add_item(220011, item, product, models=models)
                shop.listings += [(s, str(item), str(m)) for m, s, _, _ in models]
        elif shop.marketplace == "lazada":
            item = 550100 + 100 + n
            models = [(item * 10 + m, s, 50000, STOCK) for m, s in enumerate(skus, 1)]
            sim.add_item(5501, item, product, models=models)
            shop.listings += [(s, str(item), str(i)) for i, s, _, _ in models]
        else:
            pid = f"17295929697122071{n:02d}"
            models = [(f"{pid}{m:02d}", s, 50000, STOCK) for m, s in enumerate(skus, 1)]
            sim.add_item(shop.shop_id, pid, product, models=models)
            shop.listings += [(s, pid, i) for i, s, _, _ in models]


@dataclass
class Track:
    n: int
    origin: str  # marketplace
    sku: str
    expected: int
    t0: float
    latency: float | None = None
    timed_out: bool = False


def where(market: Market) -> dict[tuple[str, str], tuple[str, str]]:
    return {(s.marketplace, sku): (it, v) for s in market.shops for sku, it, v in s.listings}


def watch(market: Market, tr: Track, timeout: float) -> None:
    loc = where(market)
    others = [s for s in market.shops if s.marketplace != tr.origin]
    while True:
        now = time.monotonic()
        if all(s.shown(*loc[(s.marketplace, tr.sku)]) == tr.expected for s in others):
            tr.latency = now - tr.t0
            return
        if now - tr.t0 > timeout:
            tr.timed_out = True
            return
        time.sleep(0.02)


def count(market: Market, suffixes: dict[str, tuple[str, ...]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for s in market.shops:
        for (_, path), c in list(s.sim.calls.items()):
            if path.endswith(suffixes[s.marketplace]):
                out[s.marketplace] += c
    return out


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, help="orders (default 45; --quick 15)")
    parser.add_argument("--spacing", type=float, default=2.0, help="seconds between orders")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--quick", action="store_true", help="a ~60 s run")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    args.orders = args.orders or (15 if args.quick else 45)
    return args


def main() -> None:  # noqa: PLR0915 - one linear run
    from syncd.log import configure

    args = parse_args()
    configure(level="warning")
    rng = random.Random(args.seed)  # noqa: S311 - simulated buyers
    items = build_catalogue()
    market = start_market(args.seed, latency=0.0)
    proc = None
    with tempfile.TemporaryDirectory(prefix="syncd-prop3-", ignore_cleanup_errors=True) as tmp:
        try:
            folder, db = Path(tmp), Path(tmp) / "bench.db"
            for s in market.shops:
                s.sim.latency, s.sim.jitter = LATENCY[s.marketplace]
                s.settings.pop("shop_rps", None)  # the adapters' default rate limits
                list_items(s, items)
            store = Store(db)
            try:
                tenant = catalog.add_tenant(store, "Toko Bench 3")
                (folder / "katalog.csv").write_text(catalogue_csv(items), encoding="utf-8")
                import_file(store, tenant.id, folder / "katalog.csv", actor="bench")
                since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
                connect(store, tenant.id, market, since=since)
            finally:
                store.close()
            print(f"seeded 40 SKUs × 3 shops; unsynced outbox rows: {unsynced(db)}")
            proc, _log = start_daemon(db, folder, 2.0, 5.0)
            t = time.monotonic()
            while time.monotonic() - t < 40:
                beat = scalar(db, "SELECT pid FROM daemon_heartbeat WHERE id = 1")
                if (
                    beat == proc.pid
                    and all(count(market, PULL_SUFFIX).values())
                    and len(count(market, PULL_SUFFIX)) == 3
                ):
                    break
                time.sleep(0.1)
            print(f"daemon pid {proc.pid} ready after {time.monotonic() - t:.1f} s")
            upd0, pull0 = count(market, UPDATE_SUFFIX), count(market, PULL_SUFFIX)
            cpu0, w0 = cpu_ticks(proc.pid), time.monotonic()
            expected = {sku: STOCK for p, v in items for sku in (v or [p])}
            tracks: list[Track] = []
            threads = []
            busy: set[str] = set()
            start = time.monotonic()
            for n in range(args.orders):
                due = start + n * args.spacing + rng.uniform(-0.3, 0.3) * args.spacing
                time.sleep(max(0.0, due - time.monotonic()))
                busy = {tr.sku for tr in tracks if tr.latency is None and not tr.timed_out}
                shop = rng.choice(market.shops)
                sku, item, variant = rng.choice([x for x in shop.listings if x[0] not in busy])
                qty = rng.choice((1, 1, 1, 2))
                expected[sku] -= qty
                tr = Track(n, shop.marketplace, sku, expected[sku], time.monotonic())
                if shop.place(item, variant, qty, rng) is None:
                    raise RuntimeError(f"order refused on {shop.channel} for {sku}")
                tracks.append(tr)
                th = threading.Thread(target=watch, args=(market, tr, args.timeout), daemon=True)
                th.start()
                threads.append(th)
            for th in threads:
                th.join()
            settle = time.monotonic() + 20
            while unsynced(db) and time.monotonic() < settle:
                time.sleep(0.1)
            time.sleep(3)  # the originating shops' re-send after their next pull
            wall = time.monotonic() - w0
            cpu = 100 * (cpu_ticks(proc.pid) - cpu0) / CLK_TCK / wall
            mem = memory_kb(proc.pid)
            upd = count(market, UPDATE_SUFFIX) - upd0
            pulls = count(market, PULL_SUFFIX) - pull0
            left = unsynced(db)
        finally:
            code = stop_daemon(proc)
            market.stop()

    lat = [tr.latency if tr.latency is not None else args.timeout for tr in tracks]
    timeouts = sum(tr.timed_out for tr in tracks)
    n = len(tracks)
    print()
    print(f"Propagation (sale → all other shops show it), {n} orders, timeouts: {timeouts}")
    overall = summary(lat)
    print(f"  all:      {fmt(overall)}")
    per: dict[str, Any] = {}
    for m in LATENCY:
        per[m] = summary([x for x, tr in zip(lat, tracks, strict=True) if tr.origin == m])
        print(f"  {m + ':':9} {fmt(per[m])}")
    print(f"Stock-update calls ({wall:.0f} s; unsynced at end {left}; daemon exit {code}):")
    calls: dict[str, Any] = {}
    for m in LATENCY:
        ms, sfx = int(LATENCY[m][0] * 1000), UPDATE_SUFFIX[m]
        calls[m] = {"calls": upd[m], "minimum": n, "ratio": upd[m] / n if n else None}
        print(f"  {m:7} ({ms} ms, …{sfx}): {upd[m]} vs minimum {n} → {upd[m] / n:.2f}×")
    print(
        "Order-poll calls per minute: "
        + ", ".join(f"{m} {pulls[m] / wall * 60:.1f}" for m in LATENCY)
    )
    print(
        f"daemon: CPU {cpu:.1f} % of a core, RSS {mem['VmRSS'] / 1024:.0f} MB, "
        f"VmHWM {mem['VmHWM'] / 1024:.0f} MB"
    )
    if args.json:
        out = {
            "orders": n,
            "timeouts": timeouts,
            "latency_s": overall,
            "by_origin": per,
            "stock_update_calls": calls,
            "order_polls_per_min": {m: pulls[m] / wall * 60 for m in LATENCY},
            "cpu_pct": cpu,
            "rss_mb": mem["VmRSS"] / 1024,
            "hwm_mb": mem["VmHWM"] / 1024,
        }
        Path(args.json).write_text(json.dumps(no_nan(out), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
