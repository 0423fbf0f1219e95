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
import datetime as dt
import json
import math
import os
import pickle
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, replace
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
#: calls one order read costs when a webhook wakes the shop's pull (list + detail on
#: Shopee and Lazada; TikTok's search answers with the whole order)
#: calls to read one changed order, once its webhook said so: Shopee's push names the
#: order (get_order_detail alone), Lazada's message too (its unit rows alone,
#: /orders/items/get), TikTok's and WooCommerce's one read
READ_COST = {"shopee": 1, "tiktok": 1, "lazada": 1, "woocommerce": 1}


@dataclass(frozen=True)
class Setting:
    """How syncd runs in one row: by polling alone, or woken by webhooks (faults as
    ``WebhookSimulator.enable_webhooks`` takes them); ``raise_limits``: the simulators'
    per-shop limits and the adapters' per-app buckets lifted, so the limit is the daemon."""

    name: str
    webhooks: dict[str, Any] | None = None
    raise_limits: bool = False
    port: int = 0
    processes: int = 0  # syncd processes, tenants sharded (``run --shard``); 0: --processes


SETTINGS = {
    "polling": Setting("polling", raise_limits=True),
    "polling-limited": Setting("polling-limited"),
    "polling-2p": Setting("polling-2p", raise_limits=True, processes=2),
    "webhooks": Setting("webhooks", webhooks={}),
    # the adapters' conservative per-app defaults (Lazada 40 calls/s, Shopee 50: neither
    # documents an app-wide figure) lifted, as an operator does once the app's quota is
    # known: at a city's order rate they, not the daemon, are the limit
    "webhooks-raised": Setting("webhooks-raised", webhooks={}, raise_limits=True),
    "lossy": Setting(
        "lossy",
        webhooks={"loss": 0.2, "duplicate": 0.1, "reorder": 0.3, "delay": (0.0, 0.5)},
    ),
}


# -- process helpers ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_policy(
    policy: str, db: Path, folder: Path, args: argparse.Namespace, setting: Setting | None = None
) -> list[Any]:
    """The policy's processes (syncd: one, or ``--processes`` shards of the tenants)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    cmds: list[list[str]] = []
    if policy == "syncd":
        config = folder / "syncd.toml"
        config.write_text("", encoding="utf-8")
        base = [
            sys.executable, "-m", "syncd.cli", "--config", str(config), "--db", str(db), "run",
            "--workers", str(args.workers), "--poll-every", str(args.poll), "--log-format", "json",
        ]  # fmt: skip
        if setting is not None and setting.webhooks is not None:
            base += ["--web", f"127.0.0.1:{setting.port}", "--safety-net", str(args.safety_net)]
        n = (setting.processes if setting is not None else 0) or getattr(args, "processes", 1)
        cmds = [base + (["--shard", f"{k}/{n}"] if n > 1 else []) for k in range(n)]
    else:
        cmds = [[
            sys.executable, str(BENCH / "coop_model.py"), str(db), policy,
            "--poll", str(args.poll), "--workers", str(args.workers), "--seed", str(args.seed),
            "--ready", str(folder / "ready"),
        ]]  # fmt: skip
    procs = []
    for k, cmd in enumerate(cmds):
        name = policy if k == 0 else f"{policy}.{k}"
        with (folder / f"{name}.log").open("w", encoding="utf-8") as log:
            procs.append(
                subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd=folder
                )
            )
    return procs


def wait_ready(
    policy: str, procs: list[Any], db: Path, folder: Path, *, accounts: int, timeout: float
) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{policy} exited with {proc.returncode}: see {folder}/{policy}*.log"
                )
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


def stop_policy(procs: list[Any]) -> int | None:
    """Stop every process; the worst exit code."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    codes = []
    for proc in procs:
        try:
            codes.append(int(proc.wait(timeout=60)))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes.append(int(proc.wait(timeout=10)))
    return max(codes, key=abs) if codes else None


def count_paths(world: World) -> Counter[str]:
    """Calls by "<marketplace> <path>" (what ``count_calls`` sums up)."""
    out: Counter[str] = Counter()
    for key, sim in world.sims.items():
        for (_, path), n in list(sim.calls.items()):
            out[f"{kind(key)} {path}"] += n
    return out


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


def template(spec: Spec, tmp: Path, reuse: Path | None = None) -> World:
    """Build the cooperative once; each policy then runs on a clone of it. A built one
    is kept as ``template/world.pickle`` beside its database (the simulators are made
    again from it); ``reuse`` names the ``--keep`` folder of a run that built it."""
    if reuse is not None:
        saved = reuse / f"t{spec.tenants}" / "template" / "world.pickle"
        if not saved.exists():
            raise SystemExit(f"--reuse: no {saved}; build one first with --keep {reuse}")
        world: World = pickle.loads(saved.read_bytes())  # noqa: S301 - our own file
        if world.spec != spec:
            raise SystemExit(f"--reuse: {saved} was built for {world.spec}, not {spec}")
        print(f"reusing the cooperative built in {saved.parent}", flush=True)
        return world
    folder = tmp / "template"
    folder.mkdir()
    t_build = time.monotonic()
    own = len(spec.store_owners())
    extra = f" (+{own} own WooCommerce stores)" if own else ""
    print(f"building {spec.tenants} members × 3 shops{extra} × {spec.skus} SKUs …", flush=True)
    world = build(spec, folder, progress=spec.tenants >= 100)
    world.stop()
    world.sims = {}
    (folder / "world.pickle").write_bytes(pickle.dumps(world))
    print(f"built in {time.monotonic() - t_build:.0f} s", flush=True)
    return world


def drive(
    world: World, intents: list[Intent], args: argparse.Namespace
) -> tuple[list[measure.Order], Recorder, float, list[tuple[float, int]], int]:
    """Play the buyers for ``args.duration`` s and record ``args.settle`` s more: the
    orders, the record of shown stock, when recording ended, the outbox backlog, and
    how many status moves (cancel, ship) the marketplaces took."""
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

    moves = [0]

    def move(i: Intent, order: Any, state: str) -> None:
        with contextlib.suppress(ValueError):  # a move refused from where the order is
            world.move(i.marketplace, order, state, tenant=i.tenant)
            moves[0] += 1

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
    return orders, rec, end, backlog, moves[0]


def prepare(world: World, setting: Setting | None) -> None:
    """Before the daemon starts: lift the adapters' per-app and per-shop buckets (a
    raised-limits setting), and mark every shop's webhooks as arriving (what
    ``syncd webhooks setup`` records once the seller configured them), so the daemon
    polls them only as a safety net."""
    if setting is None:
        return
    conn = sqlite3.connect(world.db)
    try:
        with conn:
            if setting.raise_limits:
                conn.execute(
                    "UPDATE channel_account SET settings = json_set(settings, "
                    "'$.app_rps', 100000, '$.shop_rps', 100000)"
                )
            if setting.webhooks is not None:
                stamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
                conn.execute("UPDATE channel_account SET webhooks_at = ?", (stamp,))
    finally:
        conn.close()


def live(world: World, setting: Setting | None, args: argparse.Namespace) -> None:
    """Latency and limits on (``go_live``); then the setting's: limits lifted, and each
    simulator delivering its webhooks to the daemon's ``/webhooks/<marketplace>``."""
    go_live(world)
    if setting is None:
        return
    if setting.raise_limits:
        for sim in world.sims.values():
            sim.rate_limit = None
    if setting.webhooks is not None:
        for n, (key, sim) in enumerate(sorted(world.sims.items())):
            url = f"http://127.0.0.1:{setting.port}/webhooks/{kind(key)}"
            sim.enable_webhooks(url, seed=args.seed + n, **setting.webhooks)


def run_policy(
    policy: str,
    base: World,
    intents: list[Intent],
    args: argparse.Namespace,
    tmp: Path,
    *,
    setting: Setting | None = None,
) -> dict[str, Any]:
    label = policy if setting is None else f"{policy}/{setting.name}"
    folder = tmp / label.replace("/", "-")
    folder.mkdir()
    t_build = time.monotonic()
    world = clone(base, folder)
    spec = world.spec
    accounts = len(world.shops)
    pending0 = scalar(world.db, PENDING)
    print(
        f"[{label}] cloned in {time.monotonic() - t_build:.0f} s; unsynced at start: {pending0}",
        flush=True,
    )
    if setting is not None and setting.webhooks is not None:
        setting = replace(setting, port=free_port())
    prepare(world, setting)
    procs = start_policy(policy, world.db, folder, args, setting)
    try:
        ready = wait_ready(
            policy, procs, world.db, folder, accounts=accounts, timeout=120 + accounts
        )
        live(world, setting, args)
        print(
            f"[{label}] pid {', '.join(str(p.pid) for p in procs)} ready after {ready:.0f} s; "
            f"buyers for {args.duration:.0f} s",
            flush=True,
        )
        calls0, paths0, seen0 = count_calls(world), count_paths(world), call_seconds(setting)
        cpu0 = sum(cpu_ticks(p.pid) for p in procs) / CLK_TCK
        harness0 = time.process_time()
        run_args = args
        if setting is not None and setting.webhooks and setting.webhooks.get("loss"):
            # a lost delivery waits for the safety-net poll: record until it has run
            settle = max(args.settle, getattr(args, "safety_net", 0.0) + args.poll + 20)
            run_args = argparse.Namespace(**{**vars(args), "settle": settle})
        orders, rec, end, backlog, moves = drive(world, intents, run_args)
        calls, paths = count_calls(world) - calls0, count_paths(world) - paths0
        seen = call_seconds(setting, since=seen0)
        cpu = sum(cpu_ticks(p.pid) for p in procs) / CLK_TCK - cpu0
        mems = [memory_kb(p.pid) for p in procs]
        mem = {k: sum(m.get(k, 0) for m in mems) / 1024 for k in ("VmRSS", "VmHWM")}
        harness = time.process_time() - harness0
        db_mb = sum(p.stat().st_size for p in folder.glob("coop.db*") if p.is_file()) / 1e6
        hooks = webhook_counts(world, setting)
    finally:
        code = stop_policy(procs)
        world.stop()
    print(f"[{label}] stopped (exit {code}); evaluating …", flush=True)
    out = measure.evaluate(world.sellers(), world.listings, orders, rec.changes, end=end)
    lat = out.latency
    res: dict[str, Any] = {
        "policy": policy,
        "setting": setting.name if setting else None,
        "label": label,
        "processes": len(procs),
        "moves": moves,
        "webhooks": hooks,
        "inbox": inbox_counts(world.db),
        "doubled": doubled_movements(world.db),
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
        # p50/p99 by the marketplace the order was placed on (where a tail comes from)
        "latency_by_origin": _by_origin(orders, lat, out.latency_order),
        "calls": dict(calls),
        # what a call took as the daemon saw it (its /metrics), against the simulators'
        # configured latency: the harness shares the box, and a slow answer is its cost
        "call_seconds_seen": seen,
        "paths": dict(paths),
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
        text = "".join(
            f.read_text(encoding="utf-8", errors="replace") for f in folder.glob("syncd*.log")
        )
        res["daemon_errors"] = text.count('"job.crashed"')
        res["pacing_warnings"] = text.count('"daemon.pacing"')
        # the daemon's lines at close: write() bodies and the COMMITs that held them, and
        # how long its jobs waited for a worker
        found = _log_events(text, "store.group_commit")
        res["group_commit"] = [sum(f["bodies"] for f in found), sum(f["commits"] for f in found)]
        res["job_waits"] = next((f["waits"] for f in _log_events(text, "daemon.job_waits")), {})
        res["gc"] = next(iter(_log_events(text, "daemon.gc")), None)
    res["read_minimum"] = read_minimum(orders, moves)
    return res


def _log_events(text: str, event: str) -> list[dict[str, Any]]:
    """The JSON log lines of ``event`` in the daemon's log ``text``."""
    return [
        json.loads(line[line.index("{") :])
        for line in text.splitlines()
        if f'"{event}"' in line and "{" in line
    ]


def _by_origin(
    orders: list[measure.Order], lat: list[float], which: list[int]
) -> dict[str, dict[str, float]]:
    """Latency summaries by the marketplace each order was placed on."""
    return {
        m: measure.summary(
            [x for x, n in zip(lat, which, strict=True) if orders[n].marketplace == m]
        )
        for m in sorted({o.marketplace for o in orders})
    }


def read_minimum(orders: list[measure.Order], moves: int) -> int:
    """Order-read calls a webhook-driven sync needs at least: one order read (in the
    marketplace's calls, ``READ_COST``) per order placed and per status move (moves
    spread over the marketplaces as the accepted orders are)."""
    costs = [READ_COST[o.marketplace] for o in orders if o.accepted]
    if not costs:
        return 0
    return sum(costs) + round(moves * sum(costs) / len(costs))


def call_seconds(
    setting: Setting | None, since: dict[str, list[float]] | None = None
) -> dict[str, list[float]]:
    """marketplace → [attempts, seconds] of the daemon's calls (``/metrics`` of the web
    app it serves in a webhook setting), minus ``since``; {} where it serves none."""
    if setting is None or setting.webhooks is None:
        return {}
    from prometheus_client.parser import text_string_to_metric_families

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{setting.port}/metrics", timeout=10) as r:
            text = r.read().decode()
    except OSError:
        return {}
    out: dict[str, list[float]] = {}
    for family in text_string_to_metric_families(text):
        if family.name != "syncd_marketplace_call_seconds":
            continue
        for sample in family.samples:
            k = {"syncd_marketplace_call_seconds_count": 0, "syncd_marketplace_call_seconds_sum": 1}
            if sample.name in k:
                market = sample.labels["marketplace"]
                out.setdefault(market, [0.0, 0.0])[k[sample.name]] += sample.value
    for market, (n, total) in (since or {}).items():
        if market in out:
            out[market] = [out[market][0] - n, out[market][1] - total]
    return out


def webhook_counts(world: World, setting: Setting | None) -> dict[str, Any]:
    """Per simulator, its sender's counters: deliveries acknowledged, lost, POSTs made, failed."""
    out: dict[str, Any] = {}
    if setting is None or setting.webhooks is None:
        return out
    for key, sim in world.sims.items():
        sender = sim.webhook_sender
        if sender is not None:
            out[key] = {
                "delivered": len(sender.delivered),
                "lost": len(sender.lost),
                "attempts": sender.attempts,
                "failures": sender.failures,
                "lag_s": measure.summary(sender.lag),  # send → acknowledged
                "answer_s": measure.summary(sender.answer),  # the receiver's answer time
            }
    return out


def inbox_counts(db: Path) -> dict[str, int]:
    """Webhook deliveries the daemon accepted (duplicates already dropped), per marketplace."""
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(db)
        try:
            rows = conn.execute("SELECT marketplace, COUNT(*) FROM webhook_inbox GROUP BY 1")
            return {str(m): int(n) for m, n in rows}
        finally:
            conn.close()
    return {}


def doubled_movements(db: Path) -> int:
    """Order lines (per component SKU) whose movements add up to more than one step
    moves: net reserved above the largest single reservation, or net on hand taken
    beyond the largest single take (an order applied twice). Keys are
    ``ord:<account>:<order>:<line>:<step>:<sku>`` (``syncd.orders``); 0 is what
    idempotent ingest guarantees."""
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(db)
        try:
            lines: dict[tuple[str, ...], list[int]] = {}
            rows = conn.execute(
                "SELECT idem_key, on_hand_delta, reserved_delta FROM movement "
                "WHERE source = 'order'"
            )
            for key, d_hand, d_res in rows:
                parts = str(key).split(":")
                if len(parts) < 6 or parts[0] != "ord":
                    continue
                acc = lines.setdefault((parts[1], parts[2], parts[3], parts[-1]), [0, 0, 0, 0])
                acc[0] += d_res
                acc[1] = max(acc[1], d_res)
                acc[2] += d_hand
                acc[3] = max(acc[3], -d_hand)
            return sum(1 for r, most_r, h, most_h in lines.values() if r > most_r or -h > most_h)
        finally:
            conn.close()
    return -1


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
        f"Growth (syncd only; {args.duration:.0f} s, {args.rate_per_member * 100:g} orders/s "
        f"per 100 members, poll {args.poll:g} s, safety net {args.safety_net:g} s, "
        f"{args.workers} workers)"
    )
    cols = ("setting", "members", "accounts", "orders", "p50 s", "p99 s", "max s", "never")
    cols += ("oversold", "ratio", "calls/ord", "CPU %", "ms/call", "RSS MB", "DB MB")
    print(" ".join(f"{c:>9}" for c in cols))
    for r in results:
        lat = r["latency_s"]
        accounts = r.get("accounts", 3 * r["tenants"])
        cells = (r.get("setting") or "-", r["tenants"], accounts, r["accepted"])
        cells += (fmt_s(lat["p50"]), fmt_s(lat["p99"]), fmt_s(lat["max"]), r["censored"])
        cells += (r["oversold_orders"], f"{_ratio(r):.2f}", f"{_per_order(r):.1f}")
        cells += (f"{r['cpu_pct']:.0f}", f"{_ms_per_call(r):.2f}", f"{r['hwm_mb'] or 0:.0f}")
        cells += (f"{r['db_mb']:.1f}",)
        print(" ".join(f"{c!s:>9}" for c in cells))


def _calls_total(r: dict[str, Any]) -> int:
    return sum(r["calls"].values())


def _per_order(r: dict[str, Any]) -> float:
    return _calls_total(r) / r["accepted"] if r["accepted"] else math.nan


def _ms_per_call(r: dict[str, Any]) -> float:
    total = _calls_total(r)
    return 1e3 * r["cpu_s"] / total if total else math.nan


def _warmup(r: dict[str, Any]) -> int:
    """TikTok Get Product reads before a product's first push (its SKUs' warehouses,
    kept in memory by the adapter: once per product per daemon start, not per order)."""
    return sum(
        n
        for k, n in r.get("paths", {}).items()
        if k.startswith("tiktok /product/202309/products/") and k.count("/") == 4
    )


def _driven_minimum(r: dict[str, Any]) -> int:
    """Orders-driven minimum: one order read per order and per status move (in each
    marketplace's calls) plus the minimum stock writes."""
    return int(r.get("read_minimum", 0)) + sum(r["minimum"].values())


def _report_where_time_went(results: list[dict[str, Any]]) -> None:
    """Where latency comes from: by the order's marketplace, a call as the daemon timed
    it, the jobs' waits for a worker, the webhooks' delivery, and how many ``write()``
    transactions each fsync'd COMMIT carried (syncd's log)."""
    for r in results:
        by = r.get("latency_by_origin") or {}
        if by:
            print(
                f"  {r.get('setting')}: p50/p99 by the order's marketplace: "
                + ", ".join(f"{m} {fmt_s(v['p50'])}/{fmt_s(v['p99'])} s" for m, v in by.items())
            )
        seen = r.get("call_seconds_seen") or {}
        if seen:
            print(
                f"  {r.get('setting')}: a call as the daemon timed it: "
                + ", ".join(
                    f"{m} {1000 * t / n:.0f} ms" for m, (n, t) in sorted(seen.items()) if n
                )
            )
        if r.get("gc"):
            g = r["gc"]
            print(
                f"  {r.get('setting')}: the cyclic collector took {sum(g['seconds']):.1f} s of "
                f"the daemon's CPU in {sum(g['runs'])} runs (generation 2: {g['seconds'][2]:.1f} s"
                f" in {g['runs'][2]}), freeing {sum(g['freed']):,} objects"
            )
        for m, per in sorted((r.get("job_waits") or {}).items()):
            print(
                f"    {m} jobs waited for a worker (count, p50 ≤, p99 ≤ s): "
                + ", ".join(
                    f"{p} {v['count']:.0f} {v['p50']:g}/{v['p99']:g}"
                    for p, v in sorted(per.items())
                )
            )
        for m, h in sorted((r.get("webhooks") or {}).items()):
            if "lag_s" in h:
                print(
                    f"    {m} webhooks: send → acknowledged p50 {fmt_s(h['lag_s']['p50'])} s, "
                    f"p99 {fmt_s(h['lag_s']['p99'])} s; the receiver answered in "
                    f"p50 {h['answer_s']['p50'] * 1000:.0f} ms, "
                    f"p99 {h['answer_s']['p99'] * 1000:.0f} ms"
                )
        bodies, commits = r.get("group_commit") or (0, 0)
        if commits:
            print(
                f"  {r.get('setting')}: {bodies} write transactions in {commits} COMMITs "
                f"({bodies / commits:.1f} per fsync, group commit)"
            )


def report_settings(
    results: list[dict[str, Any]], args: argparse.Namespace, floor: dict[str, float]
) -> None:
    """One row per setting (same seeded buyers), then the issue's targets per row."""
    first = results[0]
    print()
    print(
        f"syncd settings side by side: {first['tenants']} members × 3 shops × {first['skus']} "
        f"SKUs, {args.rate:g} orders/s for {args.duration:.0f} s (+{args.settle:.0f} s "
        f"settle), seed {args.seed}, poll {args.poll:g} s, safety net {args.safety_net:g} s, "
        f"{args.workers} workers, {args.processes} process(es)"
    )
    cols = ("setting", "orders", "p50 s", "p99 s", "max s", "never", "oversold", "doubled")
    cols += ("calls", "warm-up", "driven", "ratio", "steady", "per ord", "CPU %", "ms/call")
    cols += ("RSS MB", "hooks")
    print(" ".join(f"{c:>8}" for c in cols))
    for r in results:
        lat = r["latency_s"]
        driven = _driven_minimum(r)
        cells = (r.get("setting") or r["policy"], r["accepted"], fmt_s(lat["p50"]))
        cells += (fmt_s(lat["p99"]), fmt_s(lat["max"]), r["censored"], r["oversold_orders"])
        total, warm = _calls_total(r), _warmup(r)
        cells += (r["doubled"], total, warm, driven)
        cells += (f"{total / driven:.2f}" if driven else "-",)
        cells += (f"{(total - warm) / driven:.2f}" if driven else "-", f"{_per_order(r):.1f}")
        cells += (f"{r['cpu_pct']:.0f}", f"{_ms_per_call(r):.2f}", f"{r['hwm_mb'] or 0:.0f}")
        cells += (sum(r["inbox"].values()),)
        print(" ".join(f"{c!s:>8}" for c in cells))
    print(
        "driven: one order read per order and per status move (calls: "
        + ", ".join(f"{m} {n}" for m, n in READ_COST.items())
        + ") + the minimum stock writes; ratio = calls / driven; warm-up: TikTok "
        "Get Product before a product's first push since the daemon started (steady: "
        "the ratio without them); hooks: webhook "
        "deliveries accepted (duplicates dropped); doubled: order lines moved twice"
    )
    _report_where_time_went(results)
    bare = floor.get("bare")
    print("Targets:")
    for r in results:
        name, p99 = r.get("setting"), r["latency_s"]["p99"]
        cpu_ok = r["cpu_pct"] < 100
        line = f"  {name}: daemon CPU {r['cpu_pct']:.0f} % < 100 %: {_met(cpu_ok)}"
        if name in ("polling", "polling-2p"):
            ms = _ms_per_call(r)
            line += f"; p99 {fmt_s(p99)} s ≤ 15 s: {_met(p99 <= 15)}"
            line += f"; CPU per call {ms:.2f} ms ≤ 2.5 ms: {_met(ms <= 2.5)}"
            if bare:
                line += f" ({ms / bare:.1f}× the {bare:.2f} ms floor, ≤ 4×: {_met(ms <= 4 * bare)})"
        elif name in ("webhooks", "webhooks-raised"):
            bar = 5.0 if r["tenants"] > 1000 else 2.0
            ratio = _calls_total(r) / max(1, _driven_minimum(r))
            steady = (_calls_total(r) - _warmup(r)) / max(1, _driven_minimum(r))
            line += f"; p99 {fmt_s(p99)} s ≤ {bar:g} s: {_met(p99 <= bar)}"
            line += f"; calls {ratio:.2f}× driven ≤ 1.2×: {_met(ratio <= 1.2)}"
            line += f" (without warm-up {steady:.2f}×: {_met(steady <= 1.2)})"
            if r["tenants"] > 1000:
                rss = r["hwm_mb"] or 0
                line += f"; RSS {rss:.0f} MB < 500: {_met(rss < 500)}"
                line += f"; never {r['censored']} = 0: {_met(r['censored'] == 0)}"
        elif name == "lossy":
            bound = args.safety_net + args.poll + 10
            line += f"; p99 {fmt_s(p99)} s ≤ safety net + poll + 10 = {bound:g} s: "
            line += _met(p99 <= bound)
            line += f"; never {r['censored']} = 0: {_met(r['censored'] == 0)}"
            line += f"; doubled {r['doubled']} = 0: {_met(r['doubled'] == 0)}"
        print(line)


# -- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:  # noqa: PLR0915
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
    parser.add_argument(
        "--webhooks",
        action="store_true",
        help="syncd woken by webhooks, polling only as a safety net (setting 'webhooks')",
    )
    parser.add_argument(
        "--lossy", action="store_true", help="webhooks 20%% lost, 10%% doubled, reordered"
    )
    parser.add_argument(
        "--settings",
        help=f"syncd settings side by side, comma-separated, of {','.join(SETTINGS)} "
        "(polling: the limits lifted so the limit is the daemon)",
    )
    parser.add_argument(
        "--safety-net", type=float, default=120.0, help="safety-net poll with webhooks (s)"
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="syncd processes, tenants sharded (--shard)"
    )
    parser.add_argument(
        "--members",
        help="with --scale: the member counts (default 10,100,1000)",
    )
    parser.add_argument(
        "--city",
        action="store_true",
        help="3,334 members (10,000 shops), webhooks, 0.75 orders/s per 100 members",
    )
    parser.add_argument(
        "--per-100",
        type=float,
        help="orders/s per 100 members (instead of --rate; kept across --scale sizes)",
    )
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the bare-httpx CPU-per-call floor"
    )
    parser.add_argument(
        "--perf",
        metavar="JSON,...",
        help="only draw --png: the README's Performance picture from saved --json runs",
    )
    parser.add_argument("--json", metavar="PATH", help="write every number here")
    parser.add_argument("--keep", metavar="DIR", help="keep databases and logs here (a new dir)")
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="clone the cooperative an earlier --keep DIR run built (same size, SKUs, seed)",
    )
    parser.add_argument("--replot", metavar="JSON", help="only draw --png from a saved --json")
    parser.add_argument(
        "--hot-from", metavar="JSON", help="with --replot: the hot-SKU panels from this run"
    )
    parser.add_argument(
        "--png", metavar="PATH", help="latency CDF and a hot SKU over time (needs matplotlib)"
    )
    args = parser.parse_args(argv)
    if args.city:
        args.tenants = args.tenants or 3334
        args.per_100 = args.per_100 or 0.75
        args.webhooks = args.webhooks or not (args.settings or args.lossy)
        args.policies = "syncd"
    if args.per_100 and not args.rate:
        args.rate = args.per_100 * (args.tenants or (20 if args.quick else 200)) / 100
    names = [x.strip() for x in (args.settings or "").split(",") if x.strip()]
    names += ["webhooks"] * args.webhooks + ["lossy"] * args.lossy
    bad = [x for x in names if x not in SETTINGS]
    if bad:
        parser.error(f"unknown settings {bad}; choose from {', '.join(SETTINGS)}")
    args.settings = list(dict.fromkeys(names))
    if args.settings and "syncd" not in args.policies:
        parser.error("--settings/--webhooks/--lossy are syncd's: add syncd to --policies")
    if args.settings and args.policies == ",".join(POLICIES):
        args.policies = "syncd"  # settings compare syncd with itself
    if args.processes > 1 and any(SETTINGS[x].webhooks is not None for x in args.settings):
        parser.error("--processes > 1 is measured with polling only (shard 0 drains webhooks)")
    args.members = [int(x) for x in (args.members or "10,100,1000").split(",")]
    args.tenants = args.tenants or (20 if args.quick else 200)
    args.rate = args.rate or (1.0 if args.quick else 5.0)
    args.duration = args.duration or (60.0 if args.quick else 600.0)
    args.rate_per_member = (args.per_100 / 100) if args.per_100 else args.rate / args.tenants
    args.policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    if not 0.0 <= args.own_stores <= 1.0:
        parser.error(f"--own-stores is a share of the members, 0 to 1 (not {args.own_stores:g})")
    unknown = set(args.policies) - set(POLICIES)
    if unknown:
        parser.error(f"unknown policies {sorted(unknown)}; choose from {', '.join(POLICIES)}")
    return args


def run(
    args: argparse.Namespace,
    tenants: int,
    policies: list[str],
    rate: float,
    settings: list[Setting] | None = None,
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
        base = template(spec, where, Path(args.reuse) if args.reuse else None)
        for policy in policies:
            if policy == "syncd" and settings:
                for setting in settings:
                    results.append(run_policy(policy, base, intents, args, where, setting=setting))
            else:
                results.append(run_policy(policy, base, intents, args, where))
    return results


def main(argv: list[str] | None = None) -> None:  # noqa: PLR0912
    from syncd.log import configure

    args = parse_args(argv)
    configure(level="warning")
    if args.perf:
        from cooplib.plot import plot_performance

        runs: list[dict[str, Any]] = []
        growth: list[dict[str, Any]] = []
        for name in args.perf.split(","):
            saved = json.loads(Path(name).read_text(encoding="utf-8"))
            runs += saved.get("results", [])
            growth += saved.get("scale", []) + saved.get("results", [])
        plot_performance(runs, growth, Path(args.png or "performance.png"))
        print(f"wrote {args.png or 'performance.png'}")
        return
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
    settings = [SETTINGS[x] for x in args.settings]
    floor: dict[str, float] = {}
    if settings and not args.no_floor:
        from floor import bench_calls

        floor = bench_calls(2000, quiet=True)
        print(
            "floor, CPU per API call on loopback with Shopee signing (bench/floor.py): "
            f"bare keep-alive httpx {floor['bare']:.3f} ms, syncd ApiClient "
            f"{floor['syncd']:.3f} ms ({floor['syncd'] / floor['bare']:.2f}x)",
            flush=True,
        )
    if args.scale:
        flat = []
        for n in args.members:
            flat += run(args, n, ["syncd"], args.rate_per_member * n, settings)
            report_scale(flat, args)  # after each size: a long run shows what it has
        out: dict[str, Any] = {"args": vars(args), "scale": flat, "floor": floor}
    else:
        flat = run(args, args.tenants, args.policies, args.rate, settings)
        if settings:
            report_settings(flat, args, floor)
        else:
            report(flat, args)
        out = {"args": vars(args), "results": flat, "floor": floor}
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
