"""Core benchmark: ledger throughput, one CLI sale end to end, bulk availability.

Prints numbers; asserts nothing. Run: ``make bench`` or
``.venv/bin/python bench/core.py [--skus 100000] [--channels 5]``.

Targets (issue #2, 2-core machine): >= 500 single-movement transactions/s with
synchronous=FULL; a CLI sale under 0.5 s wall time including interpreter start;
availability for 100,000 SKUs x 5 channels under 5 s and 300 MB peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from syncd import availability, catalog, inventory, ledger
from syncd.models import ChannelIn, MovementIn, SkuIn
from syncd.store import Store


def _movement(n: int, sku: str = "BENCH-1") -> MovementIn:
    return MovementIn(sku=sku, kind="receipt", qty=1, key=f"b{n}", source="bench", actor="bench")


def ledger_throughput(folder: Path, single: int, batched: int, batch: int) -> None:
    store = Store(folder / "ledger.db")
    tenant = catalog.add_tenant(store, "bench")
    with store.write():
        catalog.upsert_sku(store, tenant.id, SkuIn(sku="BENCH-1", name="b", price=1))
    start = time.perf_counter()
    for n in range(single):
        inventory.record(store, tenant.id, [_movement(n)])
    single_rate = single / (time.perf_counter() - start)
    start = time.perf_counter()
    for first in range(single, single + batched, batch):
        inventory.record(store, tenant.id, [_movement(n) for n in range(first, first + batch)])
    batched_rate = batched / (time.perf_counter() - start)
    start = time.perf_counter()
    for n in range(200):  # duplicates: the idempotent no-op path
        inventory.record(store, tenant.id, [_movement(n)])
    dup_rate = 200 / (time.perf_counter() - start)
    problems, _, _ = ledger.check(store)
    store.close()
    print(f"ledger single-movement transactions/s (synchronous=FULL): {single_rate:,.0f}")
    print(f"ledger batched movements/s (batches of {batch}):            {batched_rate:,.0f}")
    print(f"ledger duplicate (already applied) deliveries/s:          {dup_rate:,.0f}")
    print(f"ledger check after run: {problems or 'ok'}")


def cli_sale(folder: Path, runs: int) -> None:
    db = folder / "cli.db"
    store = Store(db)
    tenant = catalog.add_tenant(store, "bench")
    with store.write():
        for sku in ("NASTAR-500", "KOPI-250"):
            catalog.upsert_sku(store, tenant.id, SkuIn(sku=sku, name=sku, price=1000))
    inventory.record(store, tenant.id, [_movement(0, "NASTAR-500"), _movement(1, "KOPI-250")])
    inventory.record(
        store,
        tenant.id,
        [
            MovementIn(
                sku="NASTAR-500",
                kind="receipt",
                qty=10_000,
                key="big",
                source="bench",
                actor="bench",
            )
        ],
    )
    inventory.record(
        store,
        tenant.id,
        [
            MovementIn(
                sku="KOPI-250",
                kind="receipt",
                qty=10_000,
                key="big2",
                source="bench",
                actor="bench",
            )
        ],
    )
    store.close()
    exe = shutil.which("syncd") or str(Path(sys.executable).with_name("syncd"))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [exe, "--db", str(db), "sale", "2xNASTAR-500", "1xKOPI-250", "--channel", "whatsapp"],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    times.sort()
    print(
        f"CLI sale end to end ({runs} runs, wall incl. interpreter start): "
        f"median {statistics.median(times):.3f} s, p90 {times[int(len(times) * 0.9) - 1]:.3f} s, "
        f"max {times[-1]:.3f} s"
    )


def build_catalogue(db: Path, skus: int, channels: int) -> None:
    store = Store(db)
    tenant = catalog.add_tenant(store, "bench")
    names = [f"ch{c}" for c in range(channels)]
    for name in names:
        catalog.add_channel(
            store,
            tenant.id,
            ChannelIn(name=name, marketplace="shopee", shop_id=name),
            accepted=True,  # the test accepts pushes from the start
            price_sync="push",
        )
    start = time.perf_counter()
    with store.write():
        for n in range(skus):
            catalog.upsert_sku(
                store, tenant.id, SkuIn(sku=f"SKU-{n:06d}", name=f"Item {n}", price=10_000 + n)
            )
        for n in range(0, skus, 50):  # every 50th SKU becomes a bundle's component pair
            if n + 1 < skus:
                catalog.upsert_sku(
                    store,
                    tenant.id,
                    SkuIn(
                        sku=f"BUNDLE-{n:06d}",
                        name="b",
                        price=1,
                        components=(
                            {"sku": f"SKU-{n:06d}", "qty": 2},
                            {"sku": f"SKU-{n + 1:06d}", "qty": 1},
                        ),  # type: ignore[arg-type]
                    ),
                )
        for n in range(skus):
            ledger.apply(
                store,
                tenant.id,
                MovementIn(
                    sku=f"SKU-{n:06d}",
                    kind="count",
                    qty=n % 40,
                    key=f"c{n}",
                    source="bench",
                    actor="bench",
                ),
            )
        ids = dict(
            store.conn.execute(
                "SELECT sku, id FROM sku WHERE tenant_id = ?", (tenant.id,)
            ).fetchall()
        )
        chan_ids = [c.id for c in catalog.list_channels(store, tenant.id)]
        store.conn.executemany(
            "INSERT INTO listing (tenant_id, channel_account_id, sku_id, item_id) "
            "VALUES (?, ?, ?, ?)",
            ((tenant.id, cid, sid, f"{cid}-{sid}") for sid in ids.values() for cid in chan_ids),
        )
    inventory.set_rule(store, tenant.id, channel=None, sku=None, fields={"buffer": 1})
    inventory.set_rule(
        store,
        tenant.id,
        channel="ch0",
        sku=None,
        fields={"share_pct": Decimal(80), "markup_pct": Decimal(8), "rounding": "end900"},
    )
    inventory.set_rule(store, tenant.id, channel="ch1", sku=None, fields={"max_shown": 10})
    for n in range(0, skus, 1000):  # a few SKU-level overrides, so the slow merge path runs too
        inventory.set_rule(
            store,
            tenant.id,
            channel=None,
            sku=f"SKU-{n:06d}",
            fields={"last_units": 2, "preferred_channel": "ch0"},
        )
    listings = store.scalar("SELECT COUNT(*) FROM listing")
    store.close()
    took = time.perf_counter() - start
    print(f"catalogue built: {skus:,} SKUs, {listings:,} listings in {took:.1f} s")


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM). Not getrusage's ru_maxrss: Linux carries that over
    exec from the parent's image at fork, which here held the whole catalogue build."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def availability_phase(db: Path) -> None:
    """Runs in its own process so peak RSS is this phase's alone."""
    store = Store(db)
    tenant = catalog.resolve_tenant(store, "bench")
    start = time.perf_counter()
    desired = {lid: (qty, price) for lid, qty, price in availability.desired_all(store, tenant.id)}
    elapsed = time.perf_counter() - start
    sku = catalog.list_skus(store, tenant.id)[0].sku
    t0 = time.perf_counter()
    availability.explain(store, tenant.id, sku)
    explain_s = time.perf_counter() - t0
    rss_mb = _peak_rss_mb()
    shown = sum(q for q, _ in desired.values())
    print(
        f"availability for {len(desired):,} listings: {elapsed:.2f} s, peak RSS {rss_mb:.0f} MB "
        f"(total units shown {shown:,})"
    )
    print(f"explain one SKU across all channels: {explain_s * 1000:.1f} ms")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--channels", type=int, default=5)
    parser.add_argument("--single", type=int, default=2_000)
    parser.add_argument("--batched", type=int, default=50_000)
    parser.add_argument("--cli-runs", type=int, default=20)
    parser.add_argument("--phase", choices=["availability"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "availability":
        availability_phase(Path(args.db))
        return
    print(f"python {sys.version.split()[0]}, cores {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="syncd-bench-", dir=os.environ.get("BENCH_DIR")) as tmp:
        folder = Path(tmp)
        ledger_throughput(folder, args.single, args.batched, 500)
        cli_sale(folder, args.cli_runs)
        build_catalogue(folder / "big.db", args.skus, args.channels)
        subprocess.run(
            [sys.executable, __file__, "--phase", "availability", "--db", str(folder / "big.db")],
            check=True,
        )


if __name__ == "__main__":
    main()
