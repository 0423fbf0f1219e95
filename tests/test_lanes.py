"""Lanes per rate-limit bucket, pushes first, pace from the budget (issue 14 items 2, 3).

The queue itself (``syncd.lanes``) is tested alone and deterministically; the daemon
over real simulators: a Lazada app held to 2 calls/s with four shops, a Shopee shop
beside it on its own app."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.lazada.simulator import LazadaSimulator
from adapters.shopee.simulator import ShopeeSimulator
from syncd import catalog, i18n, inventory
from syncd.cli_words import event_text
from syncd.daemon import PROBE_STALE, Daemon, Intervals
from syncd.http import TokenBucket
from syncd.i18n import lanes as lane_words
from syncd.lanes import PRIORITY, UPKEEP_SHARE, Lane, Lanes, budget_interval, pacing_lines
from syncd.models import ChannelIn, MovementIn, SkuIn
from syncd.store import Store
from tests.conftest import connect_channel

SHOPEE_KEY = "shpk_demo_partner_key_0123456789"
LAZADA_KEY, LAZADA_SECRET = "123456", "lzd_demo_app_secret_abcdef0123"
LAZADA_SHOPS = (5501, 5502, 5503, 5504)


# -- the queue alone ----------------------------------------------------------------


def test_a_lane_serves_pushes_then_webhook_pulls_then_polls_then_discovery() -> None:
    lane = Lane("lazada:app:1")
    lane.put(1, 10, PRIORITY["pull"])
    lane.put(1, 11, PRIORITY["discover"])
    lane.put(1, 12, PRIORITY["push_increase"])
    lane.put(1, 13, PRIORITY["pull_webhook"])
    lane.put(1, 14, PRIORITY["push_decrease"])
    lane.put(1, 15, PRIORITY["reconcile"])
    lane.put(1, 16, PRIORITY["push_price"])
    lane.put(1, 17, PRIORITY["pull"])
    lane.put(1, 17, PRIORITY["pull"])  # a repeat changes nothing
    lane.put(1, 10, PRIORITY["push_decrease"])  # a push for a waiting poll: it moves up
    assert lane.order() == [14, 10, 12, 16, 13, 17, 11, 15]  # 10 moved up: behind 14
    assert [lane.pop() for _ in range(9)] == [14, 10, 12, 16, 13, 17, 11, 15, None]


def test_tenants_share_a_lane_in_turns() -> None:
    lane = Lane("shopee:app:1")
    for account in range(100, 106):  # one big member
        lane.put(1, account, PRIORITY["pull"])
    lane.put(2, 200, PRIORITY["pull"])
    lane.put(2, 201, PRIORITY["pull"])
    lane.put(3, 300, PRIORITY["pull"])
    lane.put(3, 301, PRIORITY["push_decrease"])  # a push still goes first
    assert lane.order() == [301, 100, 200, 300, 101, 201, 102, 103, 104, 105]


def test_a_lane_whose_bucket_is_empty_never_keeps_the_others_waiting() -> None:
    clock = [0.0]
    tight = TokenBucket(1.0, 1, clock=lambda: clock[0])
    lanes = Lanes(workers=4)
    lanes.lane("lazada:app:1", tight)
    lanes.lane("shopee:app:2")
    for account in range(5):
        lanes.put("lazada:app:1", 1, account, PRIORITY["push_decrease"])
    tight.acquire()  # its one token is gone: the next in 1 s
    lanes.put("shopee:app:2", 1, 99, PRIORITY["pull"])  # a routine poll elsewhere
    assert lanes.take() == "shopee:app:2"  # served although less urgent
    assert lanes.lanes["shopee:app:2"].pop() == 99
    wait = lanes.take()
    assert wait == pytest.approx(1.0)  # nothing can serve: how long until one can
    clock[0] = 1.0
    assert lanes.take() == "lazada:app:1"
    # cap: rate × a call's time, at least one; one worker stays free for other lanes
    assert lanes.lanes["lazada:app:1"].cap == 1
    assert lanes.take() == pytest.approx(float("inf"))  # cap reached, no other work
    assert Lanes(workers=8).cap_for(TokenBucket(32.0, 8)) == 7
    assert Lanes(workers=1).cap_for(None) == 1


def test_upkeep_waits_for_a_lull_in_a_lane_at_its_limit() -> None:
    """Reconciliation and discovery start only while the lane's bucket holds half its
    burst: started in a lane at its limit, their calls would take the tokens its pushes
    and woken pulls wait for. A push in the same state is served at the next token."""
    clock = [0.0]
    bucket = TokenBucket(1.0, 4, clock=lambda: clock[0])
    lanes = Lanes(workers=8)
    lane = lanes.lane("shopee:app:1", bucket)
    lane.put(1, 10, PRIORITY["reconcile"])
    lane.put(1, 11, PRIORITY["discover"])
    assert lane.head() == PRIORITY["discover"]
    for _ in range(3):  # the lane's calls took 3 of its 4 tokens: 1 left
        bucket.acquire()
    assert lanes.take() == pytest.approx(1.0)  # a second until 2 (half the burst) are free
    lane.put(2, 20, PRIORITY["pull_webhook"])  # woken: served with the one token left
    assert lane.head() == PRIORITY["pull_webhook"]
    assert lanes.take() == "shopee:app:1"
    assert lane.pop() == 20
    lanes.release("shopee:app:1")
    assert lane.head() == PRIORITY["discover"]
    bucket.acquire()  # the woken pull's call: none left
    assert lanes.take() == pytest.approx(2.0)
    clock[0] = 2.0  # a lull: two tokens back
    assert lanes.take() == "shopee:app:1"
    assert lane.pop() == 11
    lane.put(1, 10, PRIORITY["push_decrease"])  # a waiting account moved up: counted once
    assert lane.counts == {PRIORITY["push_decrease"]: 1}
    assert lane.pop() == 10
    assert (lane.head(), lane.counts) == (None, {})


def test_budget_interval() -> None:
    assert budget_interval(1_000, 32.0) == pytest.approx(31.25)
    assert budget_interval(3, 50.0) == pytest.approx(0.06)


# -- the daemon over simulators -----------------------------------------------------


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Path, LazadaSimulator, ShopeeSimulator]]:
    """One seller: four Lazada shops on one app held to 2 calls/s, one Shopee shop."""
    lazada = LazadaSimulator(app_key=LAZADA_KEY, app_secret=LAZADA_SECRET).start()
    shopee = ShopeeSimulator(partner_key=SHOPEE_KEY).start()
    db = tmp_path / "lanes.db"
    store = Store(db)
    tenant = catalog.add_tenant(store, "T")
    with store.write():
        catalog.upsert_sku(store, tenant.id, SkuIn(sku="KOPI-250", name="Kopi", price=45000))
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(timespec="seconds")
    try:
        for shop in LAZADA_SHOPS:
            lazada.add_shop(shop)
            lazada.add_item(shop, shop * 100, "Kopi", sku="KOPI-250", price=45000)
            connect_channel(
                store,
                tenant.id,
                ChannelIn(name=f"lz{shop}", marketplace="lazada", shop_id=str(shop)),
                settings={
                    "app_key": LAZADA_KEY,
                    "base_url": f"{lazada.base_url}/rest",
                    "auth_url": lazada.base_url,
                    "timeout": 10,
                },
                secret=LAZADA_SECRET,
                authorize=lambda shop=shop: lazada.authorize(shop),  # type: ignore[misc]
                integration_start=start,
            )
        shopee.add_shop(1)
        shopee.add_item(1, 11, "Kopi", sku="KOPI-250", price=45000, stock=0)
        connect_channel(
            store,
            tenant.id,
            ChannelIn(name="sp", marketplace="shopee", shop_id="1"),
            settings={"partner_id": shopee.partner_id, "base_url": shopee.base_url, "timeout": 10},
            secret=SHOPEE_KEY,
            authorize=lambda: shopee.authorize(1),
            integration_start=start,
        )
        with store.write():  # the app's budget: one call a second sustained (after setup)
            store.conn.execute(
                "UPDATE channel_account SET settings = json_set(settings, '$.app_rps', 2) "
                "WHERE marketplace = 'lazada'"
            )
        inventory.record(  # a stock change pending for every shop
            store,
            tenant.id,
            [MovementIn(sku="KOPI-250", kind="receipt", qty=7, key="r", source="t", actor="t")],
        )
        store.close()
        yield db, lazada, shopee
    finally:
        lazada.stop()
        shopee.stop()


def _ids(daemon: Daemon) -> dict[str, int]:
    return {rt.account.name: rt.account.id for rt in daemon.runtimes.values()}


def test_a_saturated_marketplace_does_not_delay_another_ones_push(
    world: tuple[Path, LazadaSimulator, ShopeeSimulator],
) -> None:
    db, _, shopee = world
    done: dict[str, float] = {}
    daemon = Daemon(db, workers=2, intervals=Intervals(pull=600))
    with daemon.running():
        daemon.load_accounts()
        ids = _ids(daemon)
        names = {v: k for k, v in ids.items()}
        started = time.monotonic()
        daemon.on_job = lambda job, acct, outcome: done.setdefault(
            f"{job} {names[acct]}", time.monotonic() - started
        )
        for shop in LAZADA_SHOPS:  # first in: the Lazada app's budget is soon spent
            daemon.submit("discover", ids[f"lz{shop}"])
        daemon.submit("push", ids["sp"])
        assert daemon.wait_idle(60)
    assert shopee.stock(1, 11) == 7
    lazada_last = max(v for k, v in done.items() if "lz" in k)
    assert lazada_last > 2.5, done  # the Lazada lane really was throttled
    assert done["push sp"] < 1.0, done  # the Shopee push did not wait for it


def test_pushes_and_webhook_pulls_go_before_routine_polls(
    world: tuple[Path, LazadaSimulator, ShopeeSimulator],
) -> None:
    db, _, _ = world
    daemon = Daemon(db, workers=1, intervals=Intervals(pull=600))
    ran: list[tuple[str, str]] = []
    gate = threading.Event()
    with daemon.running():
        daemon.load_accounts()
        ids = _ids(daemon)
        names = {v: k for k, v in ids.items()}

        def dispatch(_store: Store, job: str, rt: object) -> None:
            ran.append((job, names[rt.account.id]))  # type: ignore[attr-defined]
            gate.wait(10)  # the first job holds the one worker while the rest queue

        daemon._dispatch = dispatch  # type: ignore[method-assign]
        daemon._due = lambda store, job, rt: True  # type: ignore[method-assign]
        daemon.submit("reconcile", ids["lz5501"])
        deadline = time.monotonic() + 10
        while not ran and time.monotonic() < deadline:
            time.sleep(0.01)
        daemon.due("pull", ids["lz5502"])  # routine polls
        daemon.due("pull", ids["lz5503"])
        daemon.due("pull", ids["lz5504"])
        daemon.due("push", ids["lz5504"], PRIORITY["push_increase"])  # moves 5504 up
        daemon.due("push", ids["lz5502"], PRIORITY["push_decrease"])
        daemon.wake(ids["lz5503"], "test")  # a webhook: ahead of polls
        daemon.wake(ids["lz5503"], "test")  # folded into the one waiting
        daemon.due("pull", ids["lz5502"])  # folded too
        gate.set()
        assert daemon.wait_idle(30)
    assert ran == [
        ("reconcile", "lz5501"),
        ("push", "lz5502"),
        ("push", "lz5504"),
        ("pull", "lz5503"),
        ("pull", "lz5502"),  # deferred behind its push; nothing dropped
        ("pull", "lz5504"),
    ]


def run_for(daemon: Daemon, seconds: float) -> None:
    """The daemon's own loop (timers, pushes, accounts) for ``seconds``."""
    loop = threading.Thread(target=daemon.run, kwargs={"beat_every": 0.2})
    loop.start()
    time.sleep(seconds)
    daemon.stop.set()
    loop.join(30)
    assert not loop.is_alive()


def test_the_pacing_warning_is_said_once_when_the_budget_cannot_keep_the_interval(
    world: tuple[Path, LazadaSimulator, ShopeeSimulator],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db, _, _ = world
    for key, words in lane_words.MESSAGES.items():  # until the part is registered
        if key not in i18n.CATALOGUE:
            monkeypatch.setitem(i18n.CATALOGUE, key, words)
    with Store(db) as store, store.write():  # nothing to push: the polls have the budget
        store.conn.execute("UPDATE outbox SET status = 'synced'")
    # four Lazada shops at one call a second: a poll every 1 s cannot be kept
    daemon = Daemon(db, workers=2, intervals=Intervals(pull=1, accounts=0.5, push=0.5))
    with daemon.running():
        run_for(daemon, 7.0)
        pace = daemon.pacing()["lazada:app:123456"]
        assert (pace.shops, pace.rate, pace.asked, pace.allowed) == (4, 1.0, 1.0, 4.0)
        assert pace.achieved is not None
        assert pace.achieved >= 3.0  # measured: the budget, not the asked interval
        assert daemon.pacing()["shopee:app:2001234"].allowed < 1.0  # Shopee keeps up
        assert daemon.pacing()["shopee:app:2001234"].achieved == pytest.approx(1.0, abs=0.5)
        daemon.heartbeat()
        with Store(db) as store:
            rows = store.all("SELECT level, message, data FROM event WHERE kind = 'daemon.pacing'")
            assert len(rows) == 1  # once, though accounts were loaded a dozen times
            assert rows[0]["level"] == "warning"
            assert rows[0]["message"].startswith(
                "Lazada: poll every 1 s asked, 4 s is what the budget allows for 4 shops "
                "(1 calls/s for the app); achieved: every "
            )
            with i18n.use_lang("en"):
                (line,) = pacing_lines(store, {"lazada"})
                assert line.startswith(
                    "Lazada: poll every 1 s asked, 4 s is what the budget allows for 4 shops "
                    "(achieved: every "
                )
                assert pacing_lines(store, {"shopee"}) == []
    # the same shops polled every 60 s: the budget keeps it, nothing is said
    kept = Daemon(db, workers=2, intervals=Intervals(pull=60, accounts=0.5))
    with kept.running():
        run_for(kept, 1.5)
    with Store(db) as store:
        assert store.scalar("SELECT COUNT(*) FROM event WHERE kind = 'daemon.pacing'") == 1
        assert pacing_lines(store) == []  # the daemon running now has nothing to say


def test_reconciliation_is_paced_to_its_share_of_the_budget_and_said_once(
    world: tuple[Path, LazadaSimulator, ShopeeSimulator],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading every listing back (reconcile) every second asked, four Lazada shops on an
    app of one call a second: that alone would take the whole budget the shops' pushes
    and pulls need. The daemon measures what one read-back costs and reads back no
    faster than ``UPKEEP_SHARE`` of the budget allows (4 shops x calls / 0.1 calls/s),
    and says so once; the Shopee shop, on its own app, keeps the asked interval."""
    db, _, _ = world
    for key, words in lane_words.MESSAGES.items():  # until the part is registered
        if key not in i18n.CATALOGUE:
            monkeypatch.setitem(i18n.CATALOGUE, key, words)
    with Store(db) as store, store.write():  # nothing to push: the budget is upkeep's
        store.conn.execute("UPDATE outbox SET status = 'synced'")
    daemon = Daemon(db, workers=2, intervals=Intervals(pull=600, reconcile=1, accounts=0.3))
    runs: dict[str, int] = {}
    daemon.on_job = lambda job, account, outcome: (
        runs.__setitem__(f"{job} {account}", runs.get(f"{job} {account}", 0) + 1)
        if job == "reconcile" and outcome == "ok"
        else None
    )
    with daemon.running():
        loop = threading.Thread(target=daemon.run, kwargs={"beat_every": 0.2})
        loop.start()
        try:
            ids = {}
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # every Lazada shop read back once
                ids = _ids(daemon)
                if ids and all(runs.get(f"reconcile {ids[f'lz{s}']}") for s in LAZADA_SHOPS):
                    break
                time.sleep(0.1)
            assert daemon.wait_idle(20)  # and what was timed before the cost was known
            time.sleep(0.5)
            before = dict(runs)
            time.sleep(3.0)  # asked: every second; paced: every 30 s and more
            after = dict(runs)
            pace = daemon.pacing()["lazada:app:123456"]
        finally:
            daemon.stop.set()
            loop.join(30)
        assert pace.reconcile_calls is not None
        assert pace.reconcile_calls >= 1
        want = 4 * pace.reconcile_calls / (UPKEEP_SHARE * pace.rate)
        assert pace.reconcile_every == pytest.approx(want, rel=0.3)
        assert pace.reconcile_every >= 30  # against 1 s asked
        shopee = daemon.pacing()["shopee:app:2001234"]
        assert shopee.reconcile_every == pytest.approx(1.0)  # its budget keeps it
    for shop in LAZADA_SHOPS:
        key = f"reconcile {ids[f'lz{shop}']}"
        assert after.get(key) == before.get(key), (before, after)  # quiet
    sp = f"reconcile {ids['sp']}"
    assert after.get(sp, 0) >= before.get(sp, 0) + 2  # every second, as asked
    with Store(db) as store:
        rows = store.all("SELECT level, message FROM event WHERE kind = 'daemon.upkeep'")
        assert [r["level"] for r in rows] == ["info"]  # once, for Lazada's lane alone
        assert rows[0]["message"].startswith("Lazada: every listing read back every ")
        assert "(1 s asked)" in rows[0]["message"]
        daemon.heartbeat()
        with i18n.use_lang("en"):
            assert any(
                line.startswith("Lazada: every listing read back every ")
                and "at most 10% of the app's budget (4 shops)" in line
                for line in pacing_lines(store, {"lazada"})
            )
        with i18n.use_lang("id"):
            assert any("paling banyak 10%" in line for line in pacing_lines(store, {"lazada"}))


def _read_backs(
    db: Path, asked: float, *, workers: int, synced: bool = True
) -> tuple[Daemon, list[tuple[str, int]]]:
    """A daemon reading back every ``asked`` s, and the (job, account) of each job it
    ends; ``synced``: nothing left to push first (the budget is upkeep's)."""
    if synced:
        with Store(db) as store, store.write():
            store.conn.execute("UPDATE outbox SET status = 'synced'")
    daemon = Daemon(db, workers=workers, intervals=Intervals(pull=600, reconcile=asked))
    ran: list[tuple[str, int]] = []
    daemon.on_job = lambda job, account, _outcome: ran.append((job, account))
    return daemon, ran


def test_a_paced_lanes_first_read_backs_spread_over_the_paced_interval(
    world: tuple[Path, LazadaSimulator, ShopeeSimulator],
) -> None:
    """A new daemon times every shop's first read-back within the asked interval (each
    at its place in the spread). Once its lane is measured to need longer, the first
    read-backs still to come spread over the paced interval instead, or a city's start
    would read back every shop within the asked interval anyway. Here every first
    read-back comes due: Lazada's are put back to their place in the paced interval;
    Shopee's, whose lane keeps the asked one, runs."""
    asked = 1.0
    daemon, ran = _read_backs(world[0], asked, workers=1, synced=False)
    with daemon.running():
        start = time.monotonic()
        daemon.load_accounts()
        ids = _ids(daemon)
        daemon._pace()  # the lanes' paces, then one Lazada read-back measured: 3 calls
        daemon._observe_reconcile(ids["lz5501"], 3)
        daemon._pace()
        paced = daemon.pacing()["lazada:app:123456"].reconcile_every
        assert paced == pytest.approx(4 * 3 / (UPKEEP_SHARE * 1.0))
        time.sleep(asked + 0.1 - (time.monotonic() - start))  # every first one came due
        with daemon._busy_lock:  # as if the timers were set a minute before the cost was
            # known (a busy start): places that passed meanwhile do not come due at once
            daemon._first_reconcile = {
                a: (at - 60.0, f) for a, (at, f) in daemon._first_reconcile.items()
            }
        daemon._run_timers()  # (the loop is not running: the test turns the timers)
        with daemon._busy_lock:
            timers = {a: at for at, _, a, job in daemon._timers if job == "reconcile"}
        assert daemon.wait_idle(30)
    for shop in LAZADA_SHOPS:
        account = ids[f"lz{shop}"]
        place = (account * 0.6180339887) % 1.0 * paced
        assert ("reconcile", account) not in ran
        assert timers[account] - start == pytest.approx(place, abs=1.0)
    assert ("reconcile", ids["sp"]) in ran  # its lane keeps the asked interval
    assert timers[ids["sp"]] - start < 3 * asked  # re-armed as asked, not paced


def test_until_a_lanes_read_back_cost_is_known_one_shop_measures_it(
    world: tuple[Path, LazadaSimulator, ShopeeSimulator],
) -> None:
    """Every first read-back comes due before any was measured (a city's start, where
    the lane is busy for minutes): one shop's runs and measures the lane's cost, the
    others wait for it instead of queueing a read-back each; then they keep their place
    in the paced interval. Shopee's lane measures its own."""
    asked = 1.0
    daemon, ran = _read_backs(world[0], asked, workers=2)
    with daemon.running():
        start = time.monotonic()
        daemon.load_accounts()
        ids = _ids(daemon)
        daemon._pace()
        for turn in range(3):  # the loop is not running: the test turns the timers
            time.sleep(max(0.0, (turn + 1) * (asked + 0.1) - (time.monotonic() - start)))
            daemon._run_timers()
            assert daemon.wait_idle(30)
            daemon._pace()
        pace = daemon.pacing()["lazada:app:123456"]
    lazada = [a for job, a in ran if job == "reconcile" and a != ids["sp"]]
    # the one that measured the lane (its next one was timed at the asked interval,
    # before the cost was known)
    assert len(set(lazada)) == 1, ran
    assert len(lazada) <= 2, ran
    assert pace.reconcile_calls is not None
    assert pace.reconcile_every > 10 * asked
    assert ran.count(("reconcile", ids["sp"])) >= 2  # its own lane, as asked


def test_a_read_back_measuring_its_lane_that_never_ends_is_given_up(
    world: tuple[Path, LazadaSimulator, ShopeeSimulator],
) -> None:
    """The shop whose read-back was to measure its lane is removed (its job dropped
    unrun), or the read-back never ends: the lane's other read-backs do not wait for
    ever; another shop's measures."""
    db, _, _ = world
    daemon = Daemon(db, workers=1, intervals=Intervals(pull=600, reconcile=1.0))
    with daemon.running():
        daemon.load_accounts()
        ids = _ids(daemon)
        daemon._pace()
        now = time.monotonic()
        first, second, third = (ids[f"lz{s}"] for s in LAZADA_SHOPS[:3])
        with daemon._busy_lock:
            assert daemon._hold_reconcile(first, "reconcile", now, 1.0) is None  # measures
            assert daemon._hold_reconcile(second, "reconcile", now, 1.0) == now + 1.0
        daemon._forget(first)
        with daemon._busy_lock:
            assert daemon._hold_reconcile(second, "reconcile", now, 1.0) is None  # now it
            assert daemon._hold_reconcile(third, "reconcile", now, 1.0) == now + 1.0
            later = now + PROBE_STALE + 1
            assert daemon._hold_reconcile(third, "reconcile", later, 1.0) is None  # stale
            assert daemon._hold_reconcile(third, "push", now, 1.0) is None  # not a read-back


def test_polls_that_fall_behind_pushes_are_said_though_the_budget_allows_the_interval(
    world: tuple[Path, LazadaSimulator, ShopeeSimulator],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The city's Shopee lane: its budget allowed the interval, but pushes and webhook
    pulls kept it full, so its routine polls waited minutes while status said nothing.
    Here four Lazada shops at one call a second, a poll every 6 s asked (the budget
    allows 4 s) and a sale at the door every 0.3 s: every shop always has a push (a
    pull and an update: two calls) ahead of its poll."""
    db, _, _ = world
    for key, words in lane_words.MESSAGES.items():  # until the part is registered
        if key not in i18n.CATALOGUE:
            monkeypatch.setitem(i18n.CATALOGUE, key, words)
    selling = threading.Event()

    def sell() -> None:
        with Store(db) as store:
            tenant = store.scalar("SELECT id FROM tenant")
            n = 0
            while not selling.wait(0.3):
                n += 1
                inventory.record(
                    store,
                    tenant,
                    [
                        MovementIn(  # up and down by one: a push every time, never below 0
                            sku="KOPI-250",
                            kind="receipt" if n % 2 else "adjustment",
                            qty=1 if n % 2 else -1,
                            key=f"s{n}",
                            source="t",
                            actor="t",
                            reason="a recount",
                        )
                    ],
                )

    daemon = Daemon(db, workers=2, intervals=Intervals(pull=6, accounts=0.5, push=0.3))
    seller = threading.Thread(target=sell)
    seller.start()
    try:
        with daemon.running():
            run_for(daemon, 16.0)
            pace = daemon.pacing()["lazada:app:123456"]
            shopee = daemon.pacing()["shopee:app:2001234"]
            daemon.heartbeat()
    finally:
        selling.set()
        seller.join(10)
    assert (pace.asked, pace.allowed) == (6.0, 4.0)  # the budget keeps the interval
    assert pace.lateness > 6.0, pace  # measured: routine polls could not keep it
    assert shopee.lateness < 2.0, shopee  # its own lane kept up
    with Store(db) as store:
        assert store.scalar("SELECT COUNT(*) FROM event WHERE kind = 'daemon.pacing'") == 0
        rows = store.all("SELECT level, message, data FROM event WHERE kind = 'daemon.behind'")
        assert len(rows) == 1, rows  # once, and only for the lane that fell behind
        assert rows[0]["level"] == "warning"
        assert rows[0]["message"].startswith(
            "Lazada: poll every 6 s asked, but routine polls start "
        )
        assert "late behind pushes and webhook pulls (4 shops, 1 calls/s" in rows[0]["message"]
        with i18n.use_lang("en"):
            (line,) = pacing_lines(store)
            assert line.startswith("Lazada: poll every 6 s asked, but routine polls start ")
        with i18n.use_lang("id"):
            (line,) = pacing_lines(store, {"lazada"})
            assert "pengecekan rutin mulai" in line
            assert pacing_lines(store, {"shopee"}) == []


def test_a_webhook_in_the_inbox_wakes_a_pull_and_slows_that_shops_poll(
    world: tuple[Path, LazadaSimulator, ShopeeSimulator],
) -> None:
    db, _, shopee = world
    with Store(db) as store, store.write():
        store.conn.execute("UPDATE outbox SET status = 'synced'")
        account, tenant = store.conn.execute(
            "SELECT id, tenant_id FROM channel_account WHERE name = 'sp'"
        ).fetchone()
        store.conn.execute(
            "INSERT INTO webhook_inbox (marketplace, event_id, tenant_id, channel_account_id, "
            "received_at, body) VALUES ('shopee', 'e1', ?, ?, ?, x'7b7d')",
            (tenant, account, catalog.now()),
        )
    before = shopee.calls.copy()
    daemon = Daemon(db, workers=2, intervals=Intervals(pull=600, accounts=0.5, webhooks=0.2))
    ran: list[tuple[str, int]] = []
    daemon.on_job = lambda job, acct, outcome: ran.append((job, acct))
    with daemon.running():
        run_for(daemon, 1.5)
        assert daemon.poll_every(account) == 600  # a shop's webhooks never poll it faster
    daemon = Daemon(db, workers=1, intervals=Intervals(pull=5, accounts=0.5))
    with daemon.running():
        daemon.load_accounts()
        assert daemon.poll_every(account) == 120  # webhooks arrive: the safety-net poll
    assert ("pull", account) in ran  # woken, not at its turn (600 s)
    assert sum(shopee.calls.values()) > sum(before.values())
    with Store(db) as store:
        assert store.scalar("SELECT processed_at IS NOT NULL FROM webhook_inbox") == 1


def test_polls_late_because_every_worker_is_busy_say_so_not_that_pushes_are_ahead(
    world: tuple[Path, LazadaSimulator, ShopeeSimulator],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1,000 polled members: every one of 64 workers was waiting on an answer and the
    routine polls came round every 20 s instead of 10, yet the warning said they were
    "behind pushes and webhook pulls", sending an operator to raise the app's budget.
    Here one worker, five shops polled every second, each answer 0.3 s, the app's
    budget lifted: the worker, not the budget or pushes, is what they wait for."""
    db, lazada, _ = world
    for key, words in lane_words.MESSAGES.items():  # until the part is registered
        if key not in i18n.CATALOGUE:
            monkeypatch.setitem(i18n.CATALOGUE, key, words)
    with Store(db) as store, store.write():
        store.conn.execute(
            "UPDATE channel_account SET settings = json_set(settings, '$.app_rps', 1000) "
            "WHERE marketplace = 'lazada'"
        )
    lazada.latency = 0.3
    daemon = Daemon(db, workers=1, intervals=Intervals(pull=1, accounts=0.5, push=60))
    with daemon.running():
        run_for(daemon, 12.0)
        daemon.heartbeat()
    with Store(db) as store:
        rows = store.all("SELECT message, data FROM event WHERE kind = 'daemon.behind'")
        assert rows, "the polls fell behind unsaid"
        (lazada_row,) = [r for r in rows if r["message"].startswith("Lazada")]
        assert "late: all 1 workers busy" in lazada_row["message"], lazada_row["message"]
        assert "behind pushes" not in lazada_row["message"]
        with i18n.use_lang("en"):
            assert any("all 1 workers busy" in line for line in pacing_lines(store, {"lazada"}))
        with i18n.use_lang("id"):
            assert any("1 pekerja" in line for line in pacing_lines(store, {"lazada"}))
            said = event_text("daemon.behind", lazada_row["message"], lazada_row["data"])
            assert "semua 1 pekerja sibuk" in said, said  # `syncd logs`
