"""The daemon: --once, no overlap per account, isolation between shops, signals, heartbeat."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import heapq
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.shopee.simulator import ShopeeSimulator
from syncd import catalog, inventory
from syncd.daemon import Daemon, Intervals
from syncd.models import ChannelIn, MovementIn, SkuIn
from syncd.store import Store
from tests.conftest import connect_channel

KEY = "shpk_demo_partner_key_0123456789"


@pytest.fixture
def two_shops(tmp_path: Path) -> Iterator[tuple[Path, ShopeeSimulator, ShopeeSimulator]]:
    """One seller with two shops on two simulators (so one can be made slow)."""
    fast, slow = ShopeeSimulator(partner_key=KEY).start(), ShopeeSimulator(partner_key=KEY).start()
    db = tmp_path / "d.db"
    store = Store(db)
    tenant = catalog.add_tenant(store, "T")
    with store.write():
        catalog.upsert_sku(store, tenant.id, SkuIn(sku="KOPI-250", name="Kopi", price=45000))
    inventory.record(
        store,
        tenant.id,
        [MovementIn(sku="KOPI-250", kind="receipt", qty=10, key="r", source="t", actor="t")],
    )
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(timespec="seconds")
    for name, sim, shop in (("fast", fast, 1), ("slow", slow, 2)):
        sim.add_shop(shop)
        sim.add_item(shop, 10 + shop, "Kopi", sku="KOPI-250", price=45000, stock=0)
        connect_channel(
            store,
            tenant.id,
            ChannelIn(name=name, marketplace="shopee", shop_id=str(shop)),
            settings={"partner_id": sim.partner_id, "base_url": sim.base_url, "timeout": 10},
            secret=KEY,
            authorize=lambda sim=sim, shop=shop: sim.authorize(shop),  # type: ignore[misc]
            integration_start=start,
        )
    store.close()
    try:
        yield db, fast, slow
    finally:
        fast.stop()
        slow.stop()


def test_once_runs_every_job_and_exits(
    two_shops: tuple[Path, ShopeeSimulator, ShopeeSimulator],
) -> None:
    db, fast, slow = two_shops
    run = subprocess.run(
        [sys.executable, "-m", "syncd.cli", "--db", str(db), "--lang", "en", "run", "--once"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "0 failed" in run.stdout
    assert (fast.stock(1, 11), slow.stock(2, 12)) == (10, 10)
    with Store(db) as store:
        jobs = {
            r[0] for r in store.conn.execute("SELECT job FROM job_run WHERE last_ok IS NOT NULL")
        }
        assert {"push", "pull", "refresh"} <= jobs
        assert store.scalar("SELECT pid FROM daemon_heartbeat") is not None


def test_a_slow_shop_does_not_delay_the_others(
    two_shops: tuple[Path, ShopeeSimulator, ShopeeSimulator],
) -> None:
    db, fast, slow = two_shops
    slow.latency = 3.0
    done: dict[str, float] = {}
    daemon = Daemon(db, workers=2, intervals=Intervals(push=0.2, pull=60))
    names = {}
    with daemon.running():
        daemon.load_accounts()
        names = {rt.account.id: rt.account.name for rt in daemon.runtimes.values()}
        started = time.monotonic()
        daemon.on_job = lambda job, acct, outcome: done.setdefault(
            names[acct], time.monotonic() - started
        )
        for account_id in names:
            daemon.submit("push", account_id)
        assert daemon.wait_idle(60)
    assert done["fast"] < 1.5
    assert done["slow"] > 3.0
    assert fast.stock(1, 11) == 10


def test_a_refresh_check_runs_as_a_job_only_for_a_token_near_its_renewal(
    two_shops: tuple[Path, ShopeeSimulator, ShopeeSimulator],
) -> None:
    """Every ``refresh`` seconds each account's token is checked; one that will not be
    due before the next check costs no job (a city's 10,000 shops made 20,000 job-mark
    transactions in one burst every 5 minutes), one that will be runs the refresh."""
    db, _, _ = two_shops
    daemon = Daemon(db, workers=2, intervals=Intervals(refresh=300))
    ran: list[tuple[str, str]] = []
    with daemon.running():
        daemon.load_accounts()
        by_name = {rt.account.name: rt for rt in daemon.runtimes.values()}
        names = {rt.account.id: name for name, rt in by_name.items()}
        slow = by_name["slow"]
        assert slow.tokens is not None
        assert slow.adapter is not None
        # the slow shop's token, as last read: renewed in 30 min + 4 min, inside the next
        # check's reach (REFRESH_AHEAD 30 min + the 5 min interval); the fast one's in hours
        slow.tokens = dataclasses.replace(
            slow.tokens, access_expires_at=slow.adapter.ctx.now() + dt.timedelta(minutes=34)
        )
        daemon.on_job = lambda job, acct, outcome: ran.append((names[acct], job))
        with daemon._busy_lock:  # both refresh checks come due now
            now_at = time.monotonic()
            daemon._timers = [
                (now_at, order, acct, job) if job == "refresh" else (due, order, acct, job)
                for due, order, acct, job in daemon._timers
            ]
            heapq.heapify(daemon._timers)
        daemon._run_timers()
        assert daemon.wait_idle(30)
        assert [r for r in ran if r[1] == "refresh"] == [("slow", "refresh")]
        # the fast shop's check is due again one interval on, still without a job
        with daemon._busy_lock:
            again = [due for due, _, acct, job in daemon._timers if job == "refresh"]
        assert len(again) == 2
        assert min(again) >= now_at + 299


def test_jobs_never_overlap_for_one_account(
    two_shops: tuple[Path, ShopeeSimulator, ShopeeSimulator],
) -> None:
    db, _, slow = two_shops
    slow.latency = 0.5
    daemon = Daemon(db, workers=4)
    with daemon.running():
        daemon.load_accounts()
        slow_id = next(
            rt.account.id for rt in daemon.runtimes.values() if rt.account.name == "slow"
        )
        running: list[int] = []
        most = []

        def pull(store: Store, rt: object) -> None:
            running.append(1)
            most.append(len(running))
            time.sleep(0.3)
            running.pop()

        daemon._dispatch = lambda store, job, rt: pull(store, rt)  # type: ignore[method-assign]
        for _ in range(5):
            daemon.submit("pull", slow_id)
        assert daemon.wait_idle(60)
        time.sleep(0.5)  # the deferred one was handed on as the first ended
        assert daemon.wait_idle(60)
    # the four that came while it ran folded into one, run after it: never two at once
    assert daemon.counts["deferred"] == 4
    assert daemon.counts["ok"] == 2
    assert max(most) == 1


def test_a_failing_job_is_caught_counted_and_the_daemon_goes_on(
    two_shops: tuple[Path, ShopeeSimulator, ShopeeSimulator],
) -> None:
    db, fast, _ = two_shops
    fast.inject("500", times=100)
    daemon = Daemon(db, workers=2)
    with daemon.running():
        daemon.load_accounts()
        for rt in daemon.runtimes.values():
            rt.adapter.client.policy = type(rt.adapter.client.policy)(max_attempts=1)  # type: ignore[union-attr]
        for account_id in list(daemon.runtimes):
            daemon.submit("pull", account_id)
        assert daemon.wait_idle(60)
        assert daemon.counts["failed"] == 1
        assert daemon.counts["ok"] == 1
    with Store(db) as store:
        failures = store.scalar("SELECT SUM(failures) FROM job_run")
        assert failures == 1
        assert store.scalar("SELECT COUNT(*) FROM event WHERE kind = 'job.failed'") == 1


def start_daemon(db: Path, sim: ShopeeSimulator, **pipes: int) -> subprocess.Popen[str]:
    """``syncd run`` in a subprocess, returned once its first call has reached ``sim``."""
    before = sum(sim.calls.values())
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "syncd.cli",
            "--db",
            str(db),
            "run",
            "--push-every",
            "0.2",
            "--log-format",
            "json",
        ],
        text=True,
        **pipes,  # type: ignore[call-overload]
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sum(sim.calls.values()) == before:
        time.sleep(0.05)
    time.sleep(0.3)
    return proc  # type: ignore[no-any-return]


def test_sigterm_finishes_in_flight_work(
    two_shops: tuple[Path, ShopeeSimulator, ShopeeSimulator],
) -> None:
    db, _, slow = two_shops
    slow.latency = 1.5  # a push is on the wire when the signal comes
    proc = start_daemon(db, slow, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "daemon.stopped" in err
    assert slow.stock(2, 12) == 10  # the in-flight push completed


def test_second_signal_exits_at_once(
    two_shops: tuple[Path, ShopeeSimulator, ShopeeSimulator],
) -> None:
    db, _, slow = two_shops
    slow.latency = 20.0  # in-flight work that would take long
    proc = start_daemon(db, slow, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        assert time.monotonic() - started < 5
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGINT


class _Cycle:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_the_daemon_freezes_its_long_lived_heap_and_thaws_it_to_free_old_cycles(
    tmp_path: Path,
) -> None:
    """``settle_heap``: what is alive is frozen out of the collector's scans (its scans of
    3,000 shops' runtimes were ~9 % of the daemon's CPU); a thawed round frees the cycles
    among frozen objects that became garbage since (a removed shop's runtime)."""
    Store(tmp_path / "d.db").close()
    daemon = Daemon(tmp_path / "d.db", workers=1)
    try:
        old = _Cycle()
        gone = weakref.ref(old)
        daemon.settle_heap()
        assert gc.get_freeze_count() > 0
        del old
        gc.collect()
        assert gone() is not None, "a frozen cycle was collected: nothing was frozen"
        daemon.settle_heap()  # a round that does not thaw keeps it frozen
        assert gone() is not None
        daemon.settle_heap(thaw=True)
        assert gone() is None, "the thawed round left a dead cycle alive"
    finally:
        gc.unfreeze()


def test_a_running_daemon_freezes_its_heap_and_hands_it_back_when_it_stops(
    tmp_path: Path,
) -> None:
    Store(tmp_path / "d.db").close()
    gc.unfreeze()
    daemon = Daemon(tmp_path / "d.db", workers=1, intervals=Intervals(pull=600))
    runner = threading.Thread(target=daemon.run, daemon=True)
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while gc.get_freeze_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gc.get_freeze_count() > 0
        gc.collect()  # counted for the ``daemon.gc`` line at close
        assert daemon._collector is not None
        assert daemon._collector.summary()["runs"][2] >= 1
    finally:
        daemon.stop.set()
        runner.join(10)
    assert not runner.is_alive()
    assert daemon._collector not in gc.callbacks
    assert gc.get_freeze_count() == 0, "a stopped daemon left the process's heap frozen"
