"""End to end over three marketplaces at once: Shopee, TikTok Shop/Tokopedia, Lazada,
and the seller's own WooCommerce store (the demo's market, ``syncd.market``).

The daemon runs as its own process against the three simulators while buyers
order, ship and cancel on every shop. One test lets it run and stops it warm;
the other kills it with SIGKILL at random moments and restarts it. Afterwards
every shop must show exactly what syncd wants, the ledger must match its
balances, and every open order line must be reserved exactly once.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from syncd import catalog, ledger
from syncd.demo import seed_catalogue
from syncd.market import Market, buyers, connect, settled, start_market
from syncd.store import Store

SEED = int(os.environ.get("SYNCD_E2E_SEED", random.randrange(1 << 30)))  # noqa: S311


@contextmanager
def world(tmp_path: Path, seed: int) -> Iterator[tuple[Path, Store, int, Market]]:
    market = start_market(seed, latency=0.005)
    store = Store(tmp_path / "e2e.db")
    try:
        tenant_id = seed_catalogue(store, tmp_path)
        connect(store, tenant_id, market, since=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        yield tmp_path / "e2e.db", store, tenant_id, market
    finally:
        store.close()
        market.stop()


def daemon(db: Path) -> subprocess.Popen[bytes]:
    """``syncd run`` in its own process; its log is appended to ``daemon.log`` beside the db."""
    argv = [
        sys.executable,
        "-m",
        "syncd.cli",
        "--db",
        str(db),
        "run",
        "--push-every",
        "0.2",
        "--poll-every",
        "0.5",
        "--log-format",
        "json",
    ]
    with (db.parent / "daemon.log").open("ab") as log:
        return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)


def wait_settled(store: Store, tenant_id: int, market: Market, since: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if settled(store, tenant_id, market, since):
            return
        time.sleep(0.25)
    from syncd.market import shown

    stuck = store.all(
        "SELECT listing_id, field, desired, sent_value, status, last_error "
        "FROM outbox WHERE status != 'synced'"
    )
    jobs = store.all("SELECT channel_account_id, job, last_ok, last_error, failures FROM job_run")
    events = store.all(
        "SELECT kind, message FROM event WHERE level IN ('warning', 'error') "
        "ORDER BY id DESC LIMIT 10"
    )
    log = (store.path.parent / "daemon.log").read_text(errors="replace").splitlines()
    problems = [line for line in log if '"level": "error"' in line or "Traceback" in line]
    pytest.fail(
        f"seed={SEED}: not settled within 90 s; daemon errors {problems[-5:]}; "
        f"log tail {log[-5:]}; outbox {[dict(r) for r in stuck]}; "
        f"jobs {[dict(r) for r in jobs]}; events {[dict(r) for r in events]}; "
        f"shown {shown(store, tenant_id, market)}"
    )


def check_reserved(store: Store, tenant_id: int) -> None:
    """Reserved per SKU == the open, tracked order lines (bundles counted as components)."""
    expected: dict[int, int] = {}
    rows = store.conn.execute(
        "SELECT sku_id, qty FROM order_line WHERE tenant_id = ? AND state = 'open' "
        "AND tracked = 1 AND sku_id IS NOT NULL",
        (tenant_id,),
    )
    for sku_id, qty in rows.fetchall():
        parts = catalog.bundle_components(store, sku_id)
        for comp, per in parts or [(catalog.Sku(sku_id, "", "", "", 0, False, ""), 1)]:
            expected[comp.id] = expected.get(comp.id, 0) + qty * per
    actual = dict(
        store.conn.execute(
            "SELECT sku_id, SUM(reserved) FROM balance WHERE tenant_id = ? GROUP BY sku_id",
            (tenant_id,),
        ).fetchall()
    )
    assert {k: v for k, v in actual.items() if v} == expected, f"seed={SEED}"


def check_all(store: Store, tenant_id: int, market: Market) -> None:
    assert ledger.check(store)[0] == [], f"seed={SEED}"
    check_reserved(store, tenant_id)
    marketplaces = {
        r[0]
        for r in store.conn.execute(
            "SELECT DISTINCT c.marketplace FROM order_line o JOIN channel_account c "
            "ON c.id = o.channel_account_id"
        )
    }
    assert marketplaces == {"shopee", "tiktok", "lazada", "woocommerce"}, (
        f"seed={SEED}: orders on every one"
    )
    assert market.placed >= 15


@pytest.mark.slow
def test_three_marketplaces_settle_exactly(tmp_path: Path) -> None:
    with world(tmp_path, SEED) as (db, store, tenant_id, market):
        proc = daemon(db)
        stop = threading.Event()
        rng = random.Random(SEED)  # noqa: S311
        actor = threading.Thread(target=buyers, args=(market, stop, rng, 6.0))
        try:
            actor.start()
            time.sleep(8)
            stop.set()
            actor.join()
            calm = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
            wait_settled(store, tenant_id, market, calm)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            stop.set()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        check_all(store, tenant_id, market)


@pytest.mark.slow
def test_three_marketplaces_survive_sigkill(tmp_path: Path) -> None:
    rng = random.Random(SEED)  # noqa: S311
    with world(tmp_path, SEED) as (db, store, tenant_id, market):
        stop = threading.Event()
        actor = threading.Thread(target=buyers, args=(market, stop, random.Random(SEED + 1), 3.0))  # noqa: S311
        proc = daemon(db)
        try:
            actor.start()
            for _ in range(50):
                time.sleep(rng.uniform(0.2, 1.0))  # start-up takes ~0.4 s: most kills hit work
                proc.send_signal(signal.SIGKILL)
                assert proc.wait(timeout=10) == -signal.SIGKILL
                with Store(db) as after:
                    assert after.integrity() == "ok", f"seed={SEED}"
                    assert ledger.check(after)[0] == [], f"seed={SEED}"
                proc = daemon(db)
            stop.set()
            actor.join()
            calm = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
            wait_settled(store, tenant_id, market, calm)
        finally:
            stop.set()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        check_all(store, tenant_id, market)
