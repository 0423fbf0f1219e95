"""Propagation benchmark: an order on one Shopee shop → the seller's other shop shows new stock.

Prints numbers; asserts nothing. Run from the repo root:
``python bench/propagation.py [--quick] [--json PATH]``. Only 127.0.0.1 traffic.

Setup: the Shopee simulator (100 ms latency by default) with two shops of one
seller, 100 master SKUs (40 items without variants, 10 items with 2 models, 10
with 4 models: 60 items per shop, 200 listings), bound by discovery; ``syncd run``
as a separate process (default push interval, ``--poll-every 5``).

What is measured (targets from the issue):

1. **Propagation latency**: N orders, one every ~1.5 s (seeded RNG), each on a
   random listing of shop A or B. Latency = from ``place_order`` on one shop until
   the *other* shop shows the master's new available stock for that SKU (the
   bench polls ``sim.stock`` every 20 ms; timeout 30 s). A SKU with an order still
   in flight is not ordered again, so the expected value is exact. Target:
   p99 ≤ poll interval + 2 s.
2. **Stock-update calls vs the minimum**: ``update_stock`` calls counted by the
   simulator from the first order until everything is pushed. The minimum for
   Shopee's batch shape (one item per call, ≤ 50 models) is one call per
   (shop, item) whose shown stock must be (re)written per order: each order
   changes one SKU's available stock, so

   * the other shop needs 1 call (its listing's desired value changed), and
   * the originating shop needs 1 call too: Shopee lowered its own stock when the
     order was placed, by rules syncd does not know (buffers, reservations,
     when Shopee deducts is undocumented), so syncd re-sends the absolute value.

   minimum = 2 × orders (also shown: the strict floor, 1 × orders, other shop only).
   Calls from several orders batched into one call can put the ratio below 1.
   Order-pull calls (``get_order_list``, ``get_order_detail``) are polling cost,
   reported separately, not per changed item. Target: calls ≤ 1.1 × minimum.
3. **Idle CPU and RSS** of the daemon process: after the orders, no orders for
   ``--idle-seconds``; CPU from ``/proc/<pid>/stat`` (utime + stime) as percent of
   one core; RSS from ``/proc/<pid>/status`` (VmRSS, and VmHWM for the peak).
   Targets: CPU < 1 % of a core, RSS < 150 MB.

The daemon's JSON log is parsed to split each latency into "order seen"
(placed → ``order.applied``) and "pushed" (``order.applied`` → ``push.result`` for
the other shop's listing), which shows what limits the total.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `adapters` lives at the repo root
    sys.path.insert(0, str(REPO))

from syncd import catalog, credentials, sync  # noqa: E402
from syncd.importer import import_file  # noqa: E402
from syncd.models import ChannelIn  # noqa: E402
from syncd.store import Store  # noqa: E402

PARTNER_KEY = "shpk_bench_partner_key_0123456789"  # the simulator's made-up key
SHOPS = {"shopee-a": 330011, "shopee-b": 330012}
STOCK = 1_000  # per SKU: never runs out during the bench
API = "/api/v2"
UPDATE_STOCK = f"{API}/product/update_stock"
UPDATE_PRICE = f"{API}/product/update_price"
ORDER_LIST = f"{API}/order/get_order_list"
ORDER_DETAIL = f"{API}/order/get_order_detail"
PULLS = (ORDER_LIST, ORDER_DETAIL)
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- the catalogue ----------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """One SKU as listed on one shop."""

    channel: str
    shop: int
    item: int
    model: int  # 0 = item without variants
    sku: str


@dataclass
class Catalogue:
    """What is listed where; both shops list every SKU."""

    skus: dict[str, tuple[str, int]] = field(default_factory=dict)  # sku → (name, price)
    items: list[tuple[str, list[str]]] = field(default_factory=list)  # (name, [sku]); [] = none
    by_sku: dict[str, dict[str, Listing]] = field(default_factory=dict)  # sku → channel → Listing

    def listings(self) -> list[Listing]:
        return [x for per in self.by_sku.values() for x in per.values()]


def build_catalogue() -> Catalogue:
    """100 SKUs: 40 simple items, 10 items × 2 models, 10 items × 4 models."""
    cat = Catalogue()
    for n in range(40):
        sku = f"KUE-{n:03d}"
        cat.skus[sku] = (f"Kue {n}", 25_000 + 500 * n)
        cat.items.append((sku, []))
    for n, models in enumerate([2] * 10 + [4] * 10):
        product = f"KOPI-{n:02d}"
        skus = [f"{product}-V{m}" for m in range(1, models + 1)]
        for m, sku in enumerate(skus, start=1):
            cat.skus[sku] = (f"Kopi {n}", 40_000 + 1_000 * n + 5_000 * m)
        cat.items.append((product, skus))
    assert len(cat.skus) == 100  # noqa: S101 - a construction invariant, not a measurement
    return cat


def catalogue_csv(cat: Catalogue) -> str:
    lines = ["sku,name,price,product,variant,stock"]
    for product, variants in cat.items:
        for sku in variants or [product]:
            name, price = cat.skus[sku]
            variant = sku.rsplit("-", 1)[1] if variants else ""
            lines.append(f"{sku},{name},{price},{product if variants else ''},{variant},{STOCK}")
    return "\n".join(lines) + "\n"


def list_on_shops(sim: Any, cat: Catalogue) -> None:
    """Both shops list every SKU with the master's stock and price (nothing to push yet)."""
    for channel, shop in SHOPS.items():
        sim.add_shop(shop)
        for n, (product, variants) in enumerate(cat.items, start=1):
            item = shop * 1000 + n
            if not variants:
                name, price = cat.skus[product]
                sim.add_item(shop, item, name, sku=product, price=price, stock=STOCK)
                cat.by_sku.setdefault(product, {})[channel] = Listing(
                    channel, shop, item, 0, product
                )
                continue
            models = [(m, sku, cat.skus[sku][1], STOCK) for m, sku in enumerate(variants, 1)]
            sim.add_item(shop, item, cat.skus[variants[0]][0], models=models)
            for m, sku in enumerate(variants, start=1):
                cat.by_sku.setdefault(sku, {})[channel] = Listing(channel, shop, item, m, sku)


def seed_seller(db: Path, folder: Path, sim: Any, cat: Catalogue) -> dict[str, int]:
    """Tenant, catalogue, both shops connected through the auth flow and bound by SKU.

    Returns channel name → channel account id.
    """
    store = Store(db)
    try:
        tenant = catalog.add_tenant(store, "Toko Bench")
        (folder / "katalog.csv").write_text(catalogue_csv(cat), encoding="utf-8")
        import_file(store, tenant.id, folder / "katalog.csv", actor="bench")
        start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(timespec="seconds")
        vault = credentials.Vault(credentials.load_key(store.path))
        ids = {}
        for name, shop in SHOPS.items():
            ch = catalog.add_channel(
                store,
                tenant.id,
                ChannelIn(name=name, marketplace="shopee", shop_id=str(shop)),
                settings={"partner_id": sim.partner_id, "base_url": sim.base_url},
                integration_start=start,
                accepted=True,  # the test accepts pushes from the start
                price_sync="push",
            )
            ids[name] = ch.id
            credentials.save(store, vault, tenant.id, ch.id, app={"partner_key": PARTNER_KEY})
            account = next(a for a in sync.load_accounts(store) if a.id == ch.id)
            rt = sync.build_runtime(store, vault, account)
            if rt.adapter is None:
                raise RuntimeError("no adapter for shopee")
            tokens = rt.adapter.exchange_code(sim.authorize(shop))  # the seller's login
            credentials.save(store, vault, tenant.id, ch.id, tokens=tokens)
            rt.load(store)
            report = sync.discover(store, rt)
            rt.adapter.close()
            if report.unmatched_remote or report.unlisted_master:
                raise RuntimeError(f"{name}: discovery did not bind everything: {report}")
        return ids
    finally:
        store.close()


# -- reading the daemon's database and process ------------------------------------------------


def ro(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)


def scalar(db: Path, sql: str, params: tuple[Any, ...] = ()) -> Any:
    conn = ro(db)
    try:
        row = conn.execute(sql, params).fetchone()
        return None if row is None else row[0]
    finally:
        conn.close()


def unsynced(db: Path) -> int:
    return int(
        scalar(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'failed', 'parked')")
    )


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()  # the name may contain spaces
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5)


def memory_kb(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


# -- the latency phase ------------------------------------------------------------------------


@dataclass
class Track:
    """One order waiting for the other shop to show the new stock."""

    n: int
    order_sn: str
    origin: Listing
    other: Listing
    expected: int
    qty: int
    t0: float  # monotonic, just before place_order
    wall0: float  # time.time() at the same moment (to compare with the daemon's log)
    latency: float | None = None
    timed_out: bool = False


@dataclass
class Watcher:
    """Polls the simulator every ``every`` s until each tracked order has propagated."""

    sim: Any
    timeout: float
    every: float = 0.02
    lock: threading.Lock = field(default_factory=threading.Lock)
    inflight: dict[str, Track] = field(default_factory=dict)  # by SKU
    done: list[Track] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def add(self, track: Track) -> None:
        with self.lock:
            self.inflight[track.origin.sku] = track

    def busy(self) -> set[str]:
        with self.lock:
            return set(self.inflight)

    def run(self) -> None:
        while not self.stop.wait(self.every):
            with self.lock:
                tracks = list(self.inflight.values())
            for tr in tracks:
                o = tr.other
                shown = self.sim.stock(o.shop, o.item, o.model)
                now = time.monotonic()
                if shown == tr.expected:
                    tr.latency = now - tr.t0
                elif now - tr.t0 > self.timeout:
                    tr.timed_out = True
                else:
                    continue
                with self.lock:
                    del self.inflight[tr.origin.sku]
                    self.done.append(tr)


def place_orders(
    sim: Any, cat: Catalogue, watcher: Watcher, *, orders: int, spacing: float, seed: int
) -> list[Track]:
    """One order every ``spacing`` s (± 30 %), on a random listing whose SKU is not in flight."""
    rng = random.Random(seed)  # noqa: S311 - simulated buyers, not security
    expected = dict.fromkeys(cat.skus, STOCK)  # master available per SKU (no rules: = on hand)
    listings = cat.listings()
    placed: list[Track] = []
    start = time.monotonic()
    for n in range(orders):
        due = start + n * spacing + rng.uniform(-0.3, 0.3) * spacing
        time.sleep(max(0.0, due - time.monotonic()))
        busy = watcher.busy()
        origin = rng.choice([x for x in listings if x.sku not in busy])
        other = next(x for c, x in cat.by_sku[origin.sku].items() if c != origin.channel)
        qty = rng.choice((1, 1, 1, 2))
        expected[origin.sku] -= qty
        t0, wall0 = time.monotonic(), time.time()
        sn = sim.place_order(origin.shop, [(origin.item, origin.model, qty)])
        if sn is None:
            raise RuntimeError(f"the simulator refused an order for {origin}")
        track = Track(n, sn, origin, other, expected[origin.sku], qty, t0, wall0)
        placed.append(track)
        watcher.add(track)
    return placed


# -- the daemon's log ---------------------------------------------------------------------------


def _wall(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def read_log(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


def breakdown(
    events: list[dict[str, Any]], tracks: list[Track], account: dict[str, int], db: Path
) -> dict[str, list[float]]:
    """Per order: placed → order.applied, applied → pushed to the other shop, origin re-push."""
    conn = ro(db)
    try:
        listing_id = {
            (ch, sku): lid
            for lid, ch, sku in conn.execute(
                "SELECT l.id, c.name, s.sku FROM listing l JOIN channel_account c "
                "ON c.id = l.channel_account_id JOIN sku s ON s.id = l.sku_id"
            )
        }
    finally:
        conn.close()
    applied: dict[str, float] = {}
    pushed: dict[tuple[str, int], float] = {}
    for e in events:
        cid = e.get("correlation_id")
        if not cid or "timestamp" not in e:
            continue
        if e.get("event") == "order.applied":
            applied.setdefault(cid, _wall(e["timestamp"]))
        elif e.get("event") == "push.result" and e.get("field") == "stock" and e.get("ok"):
            pushed.setdefault((cid, int(e["listing"])), _wall(e["timestamp"]))
    seen, push, origin = [], [], []
    for tr in tracks:
        cid = f"ord:{account[tr.origin.channel]}:{tr.order_sn}"
        if cid not in applied:
            continue
        seen.append(applied[cid] - tr.wall0)
        other = pushed.get((cid, listing_id[(tr.other.channel, tr.other.sku)]))
        if other is not None:
            push.append(other - applied[cid])
        mine = pushed.get((cid, listing_id[(tr.origin.channel, tr.origin.sku)]))
        if mine is not None:
            origin.append(mine - tr.wall0)
    return {"seen": seen, "push": push, "origin_repush": origin}


def pull_gaps(
    log: list[tuple[float, str, str, int | None, int]], start: float, end: float
) -> list[float]:
    """Seconds between consecutive ``get_order_list`` calls of each shop in [start, end]."""
    gaps = []
    for shop in SHOPS.values():
        times = sorted(t for t, _, path, s, _ in log if path == ORDER_LIST and s == shop)
        times = [t for t in times if start <= t <= end]
        gaps += [b - a for a, b in itertools.pairwise(times)]
    return gaps


# -- numbers ------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (with 60 samples, p99 is the maximum)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "min": min(values) if values else math.nan,
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "max": max(values) if values else math.nan,
        "mean": statistics.fmean(values) if values else math.nan,
    }


def no_nan(value: Any) -> Any:
    """NaN (an empty sample) as null, so the JSON file is strict JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: no_nan(v) for k, v in value.items()}
    return value


def fmt(s: dict[str, float]) -> str:
    return (
        f"p50 {s['p50']:.2f} s  p95 {s['p95']:.2f} s  p99 {s['p99']:.2f} s  "
        f"max {s['max']:.2f} s  (n={s['n']})"
    )


def by_path(calls: Counter[tuple[int | None, str]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for (_, path), count in calls.items():
        out[path] += count
    return out


def diff(after: Counter[Any], before: Counter[Any]) -> Counter[Any]:
    return Counter({k: after[k] - before.get(k, 0) for k in after if after[k] - before.get(k, 0)})


# -- the run ----------------------------------------------------------------------------------


def start_daemon(db: Path, folder: Path, push: float, poll: float) -> tuple[Any, Path]:
    config = folder / "syncd.toml"
    config.write_text("", encoding="utf-8")  # no user or cwd config leaks in
    log = folder / "daemon.log"
    cmd = [
        sys.executable, "-m", "syncd.cli", "--config", str(config), "--db", str(db),
        "run", "--push-every", str(push), "--poll-every", str(poll), "--log-format", "json",
    ]  # fmt: skip
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    with log.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=env, cwd=folder
        )
    return proc, log


def wait_ready(proc: Any, db: Path, sim: Any, timeout: float) -> float:
    """Until the daemon beats and has pulled orders from both shops once; seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the daemon exited with {proc.returncode}")
        pulled = all(sim.calls[(shop, ORDER_LIST)] for shop in SHOPS.values())
        try:
            beat = scalar(db, "SELECT pid FROM daemon_heartbeat WHERE id = 1")
        except sqlite3.Error:
            beat = None
        if beat == proc.pid and pulled:
            return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError("the daemon did not become ready")


def stop_daemon(proc: Any) -> int | None:
    if proc is None or proc.poll() is not None:
        return None if proc is None else proc.returncode
    proc.send_signal(signal.SIGTERM)  # warm stop: in-flight jobs finish
    try:
        return int(proc.wait(timeout=20))
    except subprocess.TimeoutExpired:
        proc.kill()
        return int(proc.wait(timeout=5))


def idle_phase(pid: int, seconds: float) -> dict[str, float]:
    """CPU % of one core and RSS of the daemon over ``seconds`` with no orders."""
    samples = []  # (monotonic, ticks, rss kB)
    t_end = time.monotonic() + seconds
    while True:
        now = time.monotonic()
        samples.append((now, cpu_ticks(pid), memory_kb(pid)["VmRSS"]))
        if now >= t_end:
            break
        time.sleep(min(1.0, t_end - now))
    mem = memory_kb(pid)
    wall = samples[-1][0] - samples[0][0]
    cpu_s = (samples[-1][1] - samples[0][1]) / CLK_TCK
    window = 10  # worst 10-s window
    worst = 0.0
    for i, (t_a, c_a, _) in enumerate(samples):
        j = next((k for k in range(i, len(samples)) if samples[k][0] - t_a >= window), None)
        if j is not None:
            worst = max(worst, (samples[j][1] - c_a) / CLK_TCK / (samples[j][0] - t_a))
    return {
        "seconds": wall,
        "cpu_seconds": cpu_s,
        "cpu_pct": 100 * cpu_s / wall if wall else math.nan,
        "cpu_pct_worst_10s": 100 * worst,
        "rss_mb": statistics.fmean(s[2] for s in samples) / 1024,
        "rss_mb_end": mem["VmRSS"] / 1024,
        "hwm_mb": mem["VmHWM"] / 1024,
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, help="orders to place (default 60; --quick 12)")
    parser.add_argument("--spacing", type=float, default=1.5, help="seconds between orders")
    parser.add_argument("--idle-seconds", type=float, help="idle sampling (default 60; quick 10)")
    parser.add_argument("--latency", type=float, default=0.1, help="simulator latency, s")
    parser.add_argument("--jitter", type=float, default=0.02, help="simulator latency jitter, s")
    parser.add_argument("--push-every", type=float, default=2.0, help="syncd run --push-every")
    parser.add_argument("--poll-every", type=float, default=5.0, help="syncd run --poll-every")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-order timeout, s")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--quick", action="store_true", help="a ~45 s run")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--keep", metavar="DIR", help="keep the database and daemon log here")
    args = parser.parse_args()
    args.orders = args.orders or (12 if args.quick else 60)
    args.idle_seconds = args.idle_seconds or (10.0 if args.quick else 60.0)
    return args


def measure(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Run the simulator and the daemon, place the orders, sample idle; the raw figures."""
    from adapters.shopee.simulator import ShopeeSimulator

    db = folder / "bench.db"
    for stale in (db, db.with_name(db.name + ".key")):
        stale.unlink(missing_ok=True)
    sim = ShopeeSimulator(partner_key=PARTNER_KEY, latency=args.latency, jitter=args.jitter)
    sim.start()
    proc = None
    watcher = Watcher(sim, args.timeout)
    poller = threading.Thread(target=watcher.run, daemon=True)
    out: dict[str, Any] = {}
    try:
        cat = build_catalogue()
        list_on_shops(sim, cat)
        t = time.monotonic()
        account = seed_seller(db, folder, sim, cat)
        print(
            f"seeded: {len(cat.skus)} SKUs, {len(cat.items)} items × 2 shops, "
            f"{len(cat.listings())} listings bound in {time.monotonic() - t:.1f} s; "
            f"unsynced outbox rows: {unsynced(db)}"
        )
        proc, log = start_daemon(db, folder, args.push_every, args.poll_every)
        ready = wait_ready(proc, db, sim, 30 + args.poll_every)
        print(f"daemon pid {proc.pid} ready (beat + first order pull) after {ready:.1f} s")

        # 1 + 2: orders, latency, calls
        calls0 = Counter(sim.calls)
        cpu0, wall0 = cpu_ticks(proc.pid), time.monotonic()
        poller.start()
        print(f"placing {args.orders} orders, one every ~{args.spacing:g} s…", flush=True)
        tracks = place_orders(
            sim, cat, watcher, orders=args.orders, spacing=args.spacing, seed=args.seed
        )
        deadline = time.monotonic() + args.timeout + 1
        while watcher.busy() and time.monotonic() < deadline:
            time.sleep(0.05)
        settle = time.monotonic() + 2 * (args.poll_every + args.push_every) + 5
        while unsynced(db) and time.monotonic() < settle:  # the originating shops' re-push
            time.sleep(0.1)
        out["unsynced_at_end"] = unsynced(db)
        out["busy_cpu_pct"] = (
            100 * (cpu_ticks(proc.pid) - cpu0) / CLK_TCK / (time.monotonic() - wall0)
        )
        out["busy_rss_mb"] = memory_kb(proc.pid)["VmRSS"] / 1024
        out["calls"] = diff(by_path(Counter(sim.calls)), by_path(calls0))
        first = min(tr.wall0 for tr in tracks)
        out["pull_gaps"] = pull_gaps(list(sim.request_log), first, time.time())

        # 3: idle
        calls1 = Counter(sim.calls)
        print(f"idle: sampling the daemon for {args.idle_seconds:g} s…", flush=True)
        out["idle"] = idle_phase(proc.pid, args.idle_seconds)
        out["idle"]["calls"] = dict(diff(by_path(Counter(sim.calls)), by_path(calls1)))
    finally:
        watcher.stop.set()
        code = stop_daemon(proc)
        sim.stop()
    events = read_log(log)
    out.update(
        tracks=tracks,
        cat=cat,
        daemon_exit=code,
        parts=breakdown(events, tracks, account, db),
        levels=dict(Counter(e.get("level", "?") for e in events)),
        seen_by=dict(
            Counter(e.get("job", "?") for e in events if e.get("event") == "order.applied")
        ),
        problems=[e for e in events if e.get("level") in ("error", "warning", "critical")],
    )
    return out


def report(args: argparse.Namespace, res: dict[str, Any]) -> dict[str, Any]:
    """Print the figures and the table against the targets; the JSON-ready result."""
    tracks: list[Track] = res["tracks"]
    calls: Counter[str] = res["calls"]
    idle: dict[str, Any] = res["idle"]
    parts: dict[str, list[float]] = res["parts"]
    ok = [tr.latency for tr in tracks if tr.latency is not None]
    timeouts = sum(tr.timed_out for tr in tracks)
    lat = summary([*ok, *[args.timeout] * timeouts])  # a timeout counts as the timeout
    n = len(tracks)
    stock, minimum = calls[UPDATE_STOCK], 2 * n
    pulls = calls[ORDER_LIST] + calls[ORDER_DETAIL]
    phase_s = max(tr.t0 for tr in tracks) - min(tr.t0 for tr in tracks)
    other = {p: c for p, c in calls.items() if p not in (UPDATE_STOCK, UPDATE_PRICE, *PULLS)}
    if res["daemon_exit"] not in (0, None):
        print(f"note: the daemon exited with {res['daemon_exit']}")
    print()
    print(f"Propagation (order on one shop → the other shop shows it), {n} orders:")
    print(f"  {fmt(lat)}; timeouts ({args.timeout:g} s): {timeouts}")
    print(f"  order seen (placed → order.applied):        {fmt(summary(parts['seen']))}")
    print(f"  other shop pushed (applied → push.result):  {fmt(summary(parts['push']))}")
    print(f"  origin shop re-sent (placed → push.result): {fmt(summary(parts['origin_repush']))}")
    print(f"  intervals: order poll {args.poll_every:g} s, push {args.push_every:g} s")
    print(f"  orders first seen by job: {res['seen_by']} (a push job pulls orders first)")
    gaps = res["pull_gaps"]
    if gaps:
        late = sum(g > args.poll_every + 0.5 for g in gaps)
        print(
            f"  gaps between a shop's get_order_list calls: p50 {pct(gaps, 50):.2f} s, "
            f"max {max(gaps):.2f} s; {late} of {len(gaps)} longer than poll + 0.5 s"
        )
    print(f"API calls while the orders propagated ({phase_s:.0f} s of orders, then settled; ")
    print(f"  unsynced outbox rows at the end: {res['unsynced_at_end']}):")
    print(
        f"  update_stock {stock} vs minimum {minimum} (2 per order: other shop + originating "
        f"shop re-send) → {stock / minimum:.2f}×"
    )
    print(f"  [strict floor {n}, other shop only → {stock / n:.2f}×]")
    print(f"  update_price {calls[UPDATE_PRICE]} (no price changed)")
    print(
        f"  order pulls (polling, not per item): get_order_list {calls[ORDER_LIST]}, "
        f"get_order_detail {calls[ORDER_DETAIL]} ({pulls / max(phase_s, 1) * 60:.0f}/min)"
    )
    if other:
        print(f"  other calls: {other}")
    print(
        f"  daemon while busy: CPU {res['busy_cpu_pct']:.1f} % of a core, "
        f"RSS {res['busy_rss_mb']:.0f} MB"
    )
    print(f"Idle ({idle['seconds']:.0f} s, no orders):")
    print(
        f"  CPU {idle['cpu_pct']:.2f} % of a core ({idle['cpu_seconds']:.2f} CPU-s; worst 10 s "
        f"{idle['cpu_pct_worst_10s']:.2f} %)"
    )
    print(
        f"  RSS {idle['rss_mb_end']:.0f} MB at the end (mean {idle['rss_mb']:.0f}), "
        f"peak VmHWM {idle['hwm_mb']:.0f} MB"
    )
    print(f"  calls while idle: {idle['calls']}")
    print(f"daemon log levels: {res['levels']}")
    for problem in res["problems"][:3]:
        print(f"  {problem}")

    target, p99 = args.poll_every + 2, lat["p99"]
    rows = [
        ("propagation p99", f"{lat['p99']:.2f} s", f"≤ {target:g} s (poll + 2 s)", p99 <= target),
        ("propagation p50", f"{lat['p50']:.2f} s", "", None),
        ("update_stock / minimum", f"{stock / minimum:.2f}×", "≤ 1.10×", stock <= 1.1 * minimum),
        ("idle CPU", f"{idle['cpu_pct']:.2f} %", "< 1 % of a core", idle["cpu_pct"] < 1),
        ("RSS (peak VmHWM)", f"{idle['hwm_mb']:.0f} MB", "< 150 MB", idle["hwm_mb"] < 150),
    ]  # fmt: skip
    print()
    print(f"{'figure':24} {'measured':>10}  {'target':24} met")
    for name, value, goal, met in rows:
        verdict = "" if met is None else "yes" if met else "NO"
        print(f"{name:24} {value:>10}  {goal:24} {verdict}")
    return {
        "config": {
            "orders": n,
            "spacing_s": args.spacing,
            "latency_s": args.latency,
            "jitter_s": args.jitter,
            "push_every_s": args.push_every,
            "poll_every_s": args.poll_every,
            "skus": len(res["cat"].skus),
            "listings": len(res["cat"].listings()),
            "seed": args.seed,
        },
        "latency_s": lat,
        "timeouts": timeouts,
        "latency_parts_s": {k: summary(v) for k, v in parts.items()},
        "orders_first_seen_by_job": res["seen_by"],
        "order_pull_gaps_s": summary(res["pull_gaps"]),
        "calls": {
            "update_stock": stock,
            "minimum": minimum,
            "ratio": stock / minimum,
            "all": dict(calls),
            "unsynced_at_end": res["unsynced_at_end"],
        },
        "busy": {"cpu_pct": res["busy_cpu_pct"], "rss_mb": res["busy_rss_mb"]},
        "idle": idle,
        "targets_met": {name: met for name, _, _, met in rows if met is not None},
    }


def main() -> None:
    from syncd.log import configure

    args = parse_args()
    configure(level="warning")  # this process's own syncd calls (seeding) stay quiet
    print(
        f"python {sys.version.split()[0]}, cores {os.cpu_count()}; simulator latency "
        f"{args.latency * 1000:.0f} ± {args.jitter * 1000:.0f} ms; syncd run --push-every "
        f"{args.push_every:g} --poll-every {args.poll_every:g}"
    )
    with tempfile.TemporaryDirectory(prefix="syncd-prop-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        res = measure(args, folder)
    result = report(args, res)
    if args.json:
        Path(args.json).write_text(json.dumps(no_nan(result), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
