"""Cooperative-scale benchmark: syncd next to MODELS of the policies other tools publish.

Prints a table and (``--json``) writes the numbers; asserts nothing. Only 127.0.0.1.

    python bench/coop.py                 # defaults: 200 members, 10 min per policy
    python bench/coop.py --quick         # 20 members, 60 s per policy
    python bench/coop.py --scale --quick # syncd alone at 10, 100 and 1000 members
    python bench/coop.py --png coop.png  # also the picture (pip install '.[bench]')
    python bench/coop.py --own-stores 0.25 --quick  # a quarter also run a WooCommerce store

One *world* per policy, built from the same seed: the Shopee, Lazada and TikTok
Shop simulators (one app each, shared by the whole cooperative, with per-call
latency and the rate limits of ``cooplib/world.py``), T members with a shop on
each, S SKUs each (variants and bundles, low opening stock for a quarter of
them) and a syncd database that knows them all. With ``--own-stores F`` a share F
of the members also run their own WooCommerce store (a WooCommerce simulator each,
connected by its REST key, the same catalogue: variants as variable products), and
their buyers pick among four channels. The same seeded buyers
(``cooplib/stream.py``) then order for D seconds while the policy runs as its
own process:

``syncd``   ``syncd run --workers W --poll-every P`` (push job every 2 s)
``full15``  MODEL: full push every 15 min per member (Sellbrite, LitCommerce, …)
``full5``   MODEL: full push every 5 min per member (Channable for some marketplaces)
``persku``  MODEL: poll like syncd, then one call per changed listing, no batching

After the buyers stop, ``--settle`` seconds more are recorded. What each number
means is defined in ``cooplib/measure.py``: propagation latency (order → every
affected listing of that member shows the right value), oversold orders against
the true stock, stock-write calls against the minimum for the marketplace's batch
shape, listings showing a wrong value over time; plus the policy process's CPU
seconds and peak RSS, the database size and syncd's outbox backlog over time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for p in (str(REPO), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from cooplib import measure  # noqa: E402
from cooplib.stream import Intent, Recorder, generate, play  # noqa: E402
from cooplib.world import (  # noqa: E402
    LATENCY,
    RATE_LIMIT,
    Spec,
    World,
    build,
    clone,
    go_live,
    kind,
)
from propagation import CLK_TCK, cpu_ticks, memory_kb, scalar  # noqa: E402

POLICIES = ("syncd", "full15", "full5", "persku")
PENDING = "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'failed')"
WRITE = {
    "shopee": ("/product/update_stock",),
    "tiktok": ("/inventory/update",),
    "lazada": ("/product/stock/sellable/update", "/product/price_quantity/update"),
    # the WooCommerce simulator also counts each batch that writes stock under this name
    # (its batch routes carry prices too); the batch routes themselves count as "batch"
    "woocommerce": ("stock-writes",),
}
READ_ORDERS = {
    "shopee": ("/order/get_order_list", "/order/get_order_detail"),
    "tiktok": ("/orders/search",),
    "lazada": ("/orders/get", "/orders/items/get"),
    "woocommerce": ("/wp-json/wc/v3/orders",),
}
#: every channel in report order (a member's own store last)
CHANNELS = ("shopee", "tiktok", "lazada", "woocommerce")


# -- process helpers ----------------------------------------------------------------------


def start_policy(policy: str, db: Path, folder: Path, args: argparse.Namespace) -> Any:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    if policy == "syncd":
        config = folder / "syncd.toml"
        config.write_text("", encoding="utf-8")
        cmd = [
            sys.executable, "-m", "syncd.cli", "--config", str(config), "--db", str(db), "run",
            "--workers", str(args.workers), "--poll-every", str(args.poll), "--log-format", "json",
        ]  # fmt: skip
    else:
        cmd = [
            sys.executable, str(BENCH / "coop_model.py"), str(db), policy,
            "--poll", str(args.poll), "--workers", str(args.workers), "--seed", str(args.seed),
            "--ready", str(folder / "ready"),
        ]  # fmt: skip
    with (folder / f"{policy}.log").open("w", encoding="utf-8") as log:
        return subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd=folder
        )


def wait_ready(
    policy: str, proc: Any, db: Path, folder: Path, *, accounts: int, timeout: float
) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"{policy} exited with {proc.returncode}: see {folder}/{policy}.log")
        if policy == "syncd":
            try:
                found = scalar(
                    db, "SELECT COUNT(*) FROM job_run WHERE job = 'pull' AND last_ok IS NOT NULL"
                )
            except sqlite3.Error:
                found = 0
            if found == accounts:
                return time.monotonic() - started
        elif (folder / "ready").exists():
            return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError(f"{policy} did not become ready in {timeout:.0f} s")


def stop_policy(proc: Any) -> int | None:
    if proc.poll() is not None:
        return int(proc.returncode)
    proc.send_signal(signal.SIGTERM)
    try:
        return int(proc.wait(timeout=60))
    except subprocess.TimeoutExpired:
        proc.kill()
        return int(proc.wait(timeout=10))


def count_calls(world: World) -> Counter[str]:
    """Calls by "<marketplace>:<write|orders|batch|other>" (every member's own store
    together under ``woocommerce``)."""
    out: Counter[str] = Counter()
    for key, sim in world.sims.items():
        m = kind(key)
        for (_, path), n in list(sim.calls.items()):
            what = (
                "write"
                if path.endswith(WRITE[m])
                else "orders"
                if path.endswith(READ_ORDERS[m])
                else "batch"
                if m == "woocommerce" and path.endswith("/batch")
                else "other"
            )
            out[f"{m}:{what}"] += n
    return out


# -- one policy ---------------------------------------------------------------------------


def template(spec: Spec, tmp: Path) -> World:
    """Build the cooperative once; each policy then runs on a clone of it."""
    folder = tmp / "template"
    folder.mkdir()
    t_build = time.monotonic()
    own = len(spec.store_owners())
    extra = f" (+{own} own WooCommerce stores)" if own else ""
    print(f"building {spec.tenants} members × 3 shops{extra} × {spec.skus} SKUs …", flush=True)
    world = build(spec, folder, progress=spec.tenants >= 100)
    world.stop()
    print(f"built in {time.monotonic() - t_build:.0f} s", flush=True)
    return world


def drive(
    world: World, intents: list[Intent], args: argparse.Namespace
) -> tuple[list[measure.Order], Recorder, float, list[tuple[float, int]]]:
    """Play the buyers for ``args.duration`` s and record ``args.settle`` s more: the
    orders, the record of shown stock, when recording ended, and the outbox backlog."""
    start = time.monotonic()
    rec = Recorder(world.index, start)
    for m, sim in world.sims.items():
        sim.observer = rec.observer(m)
    stop = threading.Event()
    backlog: list[tuple[float, int]] = []

    def sample() -> None:
        while not stop.wait(5.0):
            with contextlib.suppress(sqlite3.Error):
                backlog.append((time.monotonic() - start, int(scalar(world.db, PENDING))))

    threading.Thread(target=sample, daemon=True).start()

    def place(i: Intent) -> Any:
        return world.place(i.tenant, i.marketplace, i.sku, i.qty, i.platform)

    def move(i: Intent, order: Any, state: str) -> None:
        with contextlib.suppress(ValueError):  # a move refused from where the order is
            world.move(i.marketplace, order, state, tenant=i.tenant)

    try:
        orders = play(
            intents, place, move, start=start, until=args.duration, stop=threading.Event()
        )
        time.sleep(max(0.0, start + args.duration + args.settle - time.monotonic()))
    finally:
        end = time.monotonic() - start
        for sim in world.sims.values():
            sim.observer = None
        stop.set()
    return orders, rec, end, backlog


def run_policy(
    policy: str, base: World, intents: list[Intent], args: argparse.Namespace, tmp: Path
) -> dict[str, Any]:
    folder = tmp / policy
    folder.mkdir()
    t_build = time.monotonic()
    world = clone(base, folder)
    spec = world.spec
    accounts = len(world.shops)
    pending0 = scalar(world.db, PENDING)
    print(
        f"[{policy}] cloned in {time.monotonic() - t_build:.0f} s; unsynced at start: {pending0}",
        flush=True,
    )
    proc = start_policy(policy, world.db, folder, args)
    try:
        ready = wait_ready(
            policy, proc, world.db, folder, accounts=accounts, timeout=120 + accounts
        )
        go_live(world)
        print(
            f"[{policy}] pid {proc.pid} ready after {ready:.0f} s; "
            f"buyers for {args.duration:.0f} s",
            flush=True,
        )
        calls0, cpu0 = count_calls(world), cpu_ticks(proc.pid) / CLK_TCK
        harness0 = time.process_time()
        orders, rec, end, backlog = drive(world, intents, args)
        calls = count_calls(world) - calls0
        cpu = cpu_ticks(proc.pid) / CLK_TCK - cpu0
        mem = {k: v / 1024 for k, v in memory_kb(proc.pid).items()}
        harness = time.process_time() - harness0
        db_mb = sum(p.stat().st_size for p in folder.glob("coop.db*") if p.is_file()) / 1e6
    finally:
        code = stop_policy(proc)
        world.stop()
    print(f"[{policy}] stopped (exit {code}); evaluating …", flush=True)
    out = measure.evaluate(world.sellers(), world.listings, orders, rec.changes, end=end)
    lat = out.latency
    res: dict[str, Any] = {
        "policy": policy,
        "tenants": spec.tenants,
        "own_stores": len(spec.store_owners()),
        "accounts": accounts,
        "skus": spec.skus,
        "listings": len(world.listings),
        "seconds": end,
        "intents": len(intents),
        "accepted": out.accepted,
        "refused": out.refused,
        "lost_sales": out.lost_sales,
        "cancelled": out.cancelled,
        "oversold_orders": out.oversold_orders,
        "oversold_units": out.oversold_units,
        "latency_s": measure.summary(lat),
        "censored": out.censored,
        "latency_all": lat,
        "calls": dict(calls),
        "minimum": out.minimum,
        "floor": out.floor,
        "stale": out.stale,
        "backlog": backlog,
        "cpu_s": cpu,
        "cpu_pct": 100 * cpu / end,
        "rss_mb": mem.get("VmRSS"),
        "hwm_mb": mem.get("VmHWM"),
        "harness_cpu_s": harness,
        "db_mb": db_mb,
        "exit": code,
        "unknown_listing_changes": rec.unknown,
        "stuck": [
            {
                "order": asdict(orders[n]),
                "listing": asdict(world.listings[i]),
                "should": a,
                "shown": b,
            }
            for n, i, a, b in out.stuck[:50]
        ],
        "hot": hot_sku(world, out, rec.changes, pick_hot(intents, world)),
    }
    if policy == "syncd":
        text = (folder / "syncd.log").read_text(encoding="utf-8", errors="replace")
        res["daemon_errors"] = text.count('"job.crashed"')
    return res


def pick_hot(intents: list[Intent], world: World) -> tuple[int, str]:
    """The low-stock (opening 1-4) SKU buyers try to order most often in the stream."""
    tries: Counter[tuple[int, str]] = Counter()
    for i in intents:
        if world.catalogues[i.tenant].stock.get(i.sku, 99) <= 4:
            tries[(i.tenant, i.sku)] += 1
    if not tries:
        cat = world.catalogues[1]
        return 1, max(cat.stock, key=lambda s: cat.weights[s])
    return tries.most_common(1)[0][0]


def hot_sku(
    world: World, out: measure.Outcome, changes: list[tuple[float, int, int]], hot: tuple[int, str]
) -> dict[str, Any]:
    """What one hot SKU should show and what each channel showed, over the run."""
    tenant, sku = hot
    idx = {
        i: x.marketplace
        for i, x in enumerate(world.listings)
        if x.tenant == tenant and x.sku == sku
    }
    shown: dict[str, list[tuple[float, int]]] = {m: [] for m in idx.values()}
    for t, i, v in changes:
        if i in idx:
            shown[idx[i]].append((t, v))
    return {
        "tenant": tenant,
        "sku": sku,
        "opening": world.catalogues[tenant].stock[sku],
        "truth": out.truth[next(iter(idx))],
        "shown": shown,
    }


# -- report -------------------------------------------------------------------------------


def fmt_s(x: float) -> str:
    if math.isnan(x):
        return "-"
    if math.isinf(x):
        return "never"
    return f"{x:.1f}"


def _writes(r: dict[str, Any]) -> int:
    return sum(v for k, v in r["calls"].items() if k.endswith(":write"))


def _ratio(r: dict[str, Any]) -> float:
    minimum = sum(r["minimum"].values())
    return _writes(r) / minimum if minimum else math.nan


COLUMNS = (  # header, width, cell
    ("policy", 8, lambda r: r["policy"] if r["policy"] == "syncd" else f"{r['policy']}*"),
    ("orders", 6, lambda r: r["accepted"]),
    ("oversold", 8, lambda r: r["oversold_orders"]),
    ("units", 5, lambda r: r["oversold_units"]),
    ("lost", 4, lambda r: r["lost_sales"]),
    ("p50 s", 6, lambda r: fmt_s(r["latency_s"]["p50"])),
    ("p95 s", 6, lambda r: fmt_s(r["latency_s"]["p95"])),
    ("p99 s", 6, lambda r: fmt_s(r["latency_s"]["p99"])),
    ("max s", 6, lambda r: fmt_s(r["latency_s"]["max"])),
    ("never", 5, lambda r: r["censored"]),
    ("writes", 7, _writes),
    ("min", 6, lambda r: sum(r["minimum"].values())),
    ("ratio", 6, lambda r: f"{_ratio(r):.2f}"),
    ("reads", 6, lambda r: sum(v for k, v in r["calls"].items() if k.endswith(":orders"))),
    ("CPU s", 6, lambda r: f"{r['cpu_s']:.0f}"),
    ("RSS MB", 6, lambda r: f"{r['hwm_mb'] or 0:.0f}"),
    ("DB MB", 6, lambda r: f"{r['db_mb']:.1f}"),
)


def table(results: list[dict[str, Any]]) -> list[str]:
    """The comparison table as text lines."""
    head = " ".join(f"{h:>{w}}" if i else f"{h:<{w}}" for i, (h, w, _) in enumerate(COLUMNS))
    lines = [head, "-" * len(head)]
    for r in results:
        cells = [
            f"{cell(r)!s:>{w}}" if i else f"{cell(r)!s:<{w}}"
            for i, (_, w, cell) in enumerate(COLUMNS)
        ]
        lines.append(" ".join(cells))
    return lines


NOTES = (
    "* = a MODEL of a published policy (bench/cooplib/models.py), not that tool itself",
    "p50…max: seconds from an order until every affected listing of that member shows",
    "  the right value; never = orders whose listings were not right by the end",
    "oversold: accepted orders the seller could not fill (units: the shortfall); lost:",
    "  orders refused while the seller had the units",
    "writes/min/ratio: stock-write calls vs the minimum for the same changes in each",
    "  marketplace's batch shape; reads: order list/detail calls",
)


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    first = results[0]
    own = first.get("own_stores", 0)
    extra = f" (+{own} own WooCommerce stores)" if own else ""
    print()
    print(
        f"Cooperative benchmark: {first['tenants']} members × 3 shops{extra} × "
        f"{first['skus']} SKUs, "
        f"{args.rate:g} orders/s for {args.duration:.0f} s (+{args.settle:.0f} s settle), "
        f"seed {args.seed}, poll {args.poll:g} s, {args.workers} workers"
    )
    print("\n".join(table(results)))
    print("\n".join(NOTES))
    for r in results:
        per = ", ".join(
            f"{m} {r['calls'].get(m + ':write', 0)}/{r['minimum'].get(m, 0)}"
            f" (floor {r['floor'].get(m, 0)})"
            for m in CHANNELS
            if m != "woocommerce" or own
        )
        worst = max((n for _, n in r["stale"]), default=0)
        print(f"  {r['policy']:7} writes/minimum: {per}; listings wrong at worst: {worst}")
    syncd = next((r for r in results if r["policy"] == "syncd"), None)
    full15 = next((r for r in results if r["policy"] == "full15"), None)
    if syncd is None:
        return
    p99, bar, ratio = syncd["latency_s"]["p99"], args.poll + 5, _ratio(syncd)
    backlog = max((n for _, n in syncd["backlog"]), default=0)
    print("Targets (syncd):")
    print(f"  p99 propagation {fmt_s(p99)} s ≤ poll + 5 = {bar:g} s: {_met(p99 <= bar)}")
    if full15:
        most = full15["oversold_orders"] / 20
        got = syncd["oversold_orders"]
        print(f"  oversold orders {got} ≤ full15's / 20 = {most:g}: {_met(got <= most)}")
    print(f"  stock writes {ratio:.2f}× the minimum ≤ 1.1×: {_met(ratio <= 1.1)}")
    print(
        f"  daemon: {syncd['cpu_pct']:.0f} % of one core, peak RSS {syncd['hwm_mb']:.0f} MB, "
        f"outbox backlog at most {backlog}, job crashes {syncd.get('daemon_errors', 0)}; "
        f"harness (simulators + buyers) {syncd['harness_cpu_s']:.0f} CPU s"
    )


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report_scale(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print()
    print(
        f"Growth (syncd only; {args.duration:.0f} s, {args.rate_per_member * 200:g} orders/s "
        f"per 200 members, poll {args.poll:g} s, {args.workers} workers)"
    )
    cols = ("members", "accounts", "orders", "p50 s", "p99 s", "max s", "never", "oversold")
    cols += ("ratio", "CPU %", "RSS MB", "DB MB")
    print(" ".join(f"{c:>8}" for c in cols))
    for r in results:
        lat = r["latency_s"]
        accounts = r.get("accounts", 3 * r["tenants"])
        cells = (r["tenants"], accounts, r["accepted"], fmt_s(lat["p50"]))
        cells += (fmt_s(lat["p99"]), fmt_s(lat["max"]), r["censored"], r["oversold_orders"])
        cells += (f"{_ratio(r):.2f}", f"{r['cpu_pct']:.0f}", f"{r['hwm_mb'] or 0:.0f}")
        cells += (f"{r['db_mb']:.1f}",)
        print(" ".join(f"{c!s:>8}" for c in cells))


# -- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n", 2)[2],
    )
    parser.add_argument("--tenants", type=int, help="members (default 200; --quick 20)")
    parser.add_argument("--skus", type=int, default=100, help="SKUs per member")
    parser.add_argument(
        "--rate", type=float, help="orders/s across the cooperative (default 5; --quick 1)"
    )
    parser.add_argument(
        "--duration", type=float, help="seconds of buyers per policy (default 600; --quick 60)"
    )
    parser.add_argument(
        "--settle", type=float, default=30.0, help="seconds recorded after the buyers stop"
    )
    parser.add_argument(
        "--poll", type=float, default=10.0, help="order poll interval of syncd and persku (s)"
    )
    parser.add_argument(
        "--workers", type=int, default=64, help="worker threads of syncd and the models"
    )
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument(
        "--own-stores",
        type=float,
        default=0.0,
        metavar="FRACTION",
        help="share of members that also have their own WooCommerce store (0-1; default 0)",
    )
    parser.add_argument(
        "--policies", default=",".join(POLICIES), help=f"comma-separated, of {','.join(POLICIES)}"
    )
    parser.add_argument(
        "--quick", action="store_true", help="20 members, 1 order/s, 60 s per policy"
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="syncd alone at 10, 100, 1000 members (order rate per member kept)",
    )
    parser.add_argument("--json", metavar="PATH", help="write every number here")
    parser.add_argument("--keep", metavar="DIR", help="keep databases and logs here (a new dir)")
    parser.add_argument("--replot", metavar="JSON", help="only draw --png from a saved --json")
    parser.add_argument(
        "--hot-from", metavar="JSON", help="with --replot: the hot-SKU panels from this run"
    )
    parser.add_argument(
        "--png", metavar="PATH", help="latency CDF and a hot SKU over time (needs matplotlib)"
    )
    args = parser.parse_args(argv)
    args.tenants = args.tenants or (20 if args.quick else 200)
    args.rate = args.rate or (1.0 if args.quick else 5.0)
    args.duration = args.duration or (60.0 if args.quick else 600.0)
    args.rate_per_member = args.rate / args.tenants
    args.policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    if not 0.0 <= args.own_stores <= 1.0:
        parser.error(f"--own-stores is a share of the members, 0 to 1 (not {args.own_stores:g})")
    unknown = set(args.policies) - set(POLICIES)
    if unknown:
        parser.error(f"unknown policies {sorted(unknown)}; choose from {', '.join(POLICIES)}")
    return args


def run(
    args: argparse.Namespace, tenants: int, policies: list[str], rate: float
) -> list[dict[str, Any]]:
    from cooplib.world import catalogue

    spec = Spec(tenants=tenants, skus=args.skus, seed=args.seed, own_stores=args.own_stores)
    weights = {t: catalogue(spec, t).weights for t in range(1, tenants + 1)}
    channels = {t: spec.channels(t) for t in spec.store_owners()}
    intents = generate(
        weights, rate=rate, duration=args.duration, seed=args.seed, channels=channels
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="syncd-coop-", ignore_cleanup_errors=True) as tmp:
        where = Path(args.keep) / f"t{tenants}" if args.keep else Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        base = template(spec, where)
        for policy in policies:
            results.append(run_policy(policy, base, intents, args, where))
    return results


def main(argv: list[str] | None = None) -> None:
    from syncd.log import configure

    args = parse_args(argv)
    configure(level="warning")
    if args.replot:
        from cooplib.plot import plot

        saved = json.loads(Path(args.replot).read_text(encoding="utf-8"))
        if args.hot_from:
            other = json.loads(Path(args.hot_from).read_text(encoding="utf-8"))["results"]
            hot = {r["policy"]: r["hot"] for r in other}
            for r in saved["results"]:
                r["hot"] = hot.get(r["policy"], r["hot"])
        plot(saved["results"], argparse.Namespace(**saved["args"]), Path(args.png or "coop.png"))
        print(f"wrote {args.png or 'coop.png'}")
        return
    print(
        "latency per call (s): "
        + ", ".join(
            f"{m} {a:g}±{j:g}"
            for m, (a, j) in LATENCY.items()
            if m != "woocommerce" or args.own_stores
        )
        + "; simulator rate limits per shop: "
        + ", ".join(f"{m} {r:g}/s" for m, (r, _) in RATE_LIMIT.items())
        + ("; woocommerce none (core has none)" if args.own_stores else "")
    )
    if args.scale:
        results = [run(args, n, ["syncd"], args.rate_per_member * n) for n in (10, 100, 1000)]
        flat = [r[0] for r in results]
        report_scale(flat, args)
        out: dict[str, Any] = {"args": vars(args), "scale": flat}
    else:
        flat = run(args, args.tenants, args.policies, args.rate)
        report(flat, args)
        out = {"args": vars(args), "results": flat}
    if args.json:
        Path(args.json).write_text(json.dumps(_clean(out), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    if args.png and not args.scale:
        from cooplib.plot import plot

        plot(flat, args, Path(args.png))
        print(f"wrote {args.png}")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


if __name__ == "__main__":
    main()
