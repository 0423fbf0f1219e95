"""End to end: the real daemon process against the local Shopee simulator, two shops.

Everything the seller's system does in production happens here for real: the
daemon runs as its own process (``python -m syncd.cli --db DB run``), talks HTTP
to the simulator on 127.0.0.1, and shares the database with this test process,
which records WhatsApp sales and receipts at the same time (so both processes
take turns through the cross-process writer lock). Simulated buyers order,
cancel and ship on both shops throughout.

* ``test_two_shops_settle_exactly`` runs one daemon and stops it warm (SIGTERM).
* ``test_two_shops_survive_sigkill`` SIGKILLs the daemon at random moments (some
  during start-up, most while it works), checks ``PRAGMA integrity_check`` and the
  order/ledger consistency after every kill, and restarts it at once.
* ``test_marketplace_restock_on_cancel_is_overwritten`` is the deterministic form of
  a mismatch those two once found: a marketplace that gives a cancelled order's stock
  back must be pushed back to what syncd wants even when that value did not change.

After the buyers stop and the system settles, both prove the same invariants:
each shop shows exactly the stock and price syncd wants for every listing; the
ledger matches its cached balances; every simulator order is stored with its
latest state; no order line moved stock twice (each step at most once, with the
right kind, SKUs and quantities, and only the steps its history allows); the
reserved stock of each SKU is exactly what the open orders hold; and on hand is
the opening stock plus receipts minus offline sales minus shipped order lines,
computed here rather than read from the ledger.

Timings are random but seeded: set SYNCD_E2E_SEED to replay (the seed is printed
and every failure message names it). Thread and process timing still varies, so
a replay is close, not identical.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import io
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from adapters.shopee.adapter import STATUS_STATE
from syncd import catalog, credentials, demo, inventory, ledger, sync
from syncd.availability import desired_all
from syncd.errors import InsufficientStock
from syncd.models import MovementIn
from syncd.store import Store

LOCAL = "127.0.0.1"
#: Any request not meant for 127.0.0.1 goes to this dead proxy and fails: nothing leaves the host.
PROXY_TRAP = f"http://{LOCAL}:9"
#: the movement kind each step of an order line writes
STEP_KIND = {"reserve": "reservation", "deduct": "sale", "release": "release"}
#: final state → the step sets a line may have taken to get there
ALLOWED_STEPS: dict[str, tuple[frozenset[str], ...]] = {
    "open": (frozenset({"reserve"}),),
    "shipped": (frozenset({"reserve", "deduct"}), frozenset({"deduct"})),
    "cancelled": (frozenset({"reserve", "release"}), frozenset()),
}
OFFLINE_SKUS = ("NASTAR-250", "KOPI-250", "KASTENGEL-500", "HAMPERS-LEBARAN")
RESTOCK_SKUS = ("NASTAR-250", "NASTAR-500", "KASTENGEL-500", "KOPI-250", "KOPI-1000")
SETTLE_TIMEOUT = 45.0


def _seed() -> int:
    text = os.environ.get("SYNCD_E2E_SEED")
    seed = int(text) if text else random.SystemRandom().randrange(2**32)
    print(f"SYNCD_E2E_SEED={seed}")
    return seed


def _opening_stock() -> dict[str, int]:
    rows = csv.DictReader(io.StringIO(demo.CATALOGUE_CSV))
    return {r["sku"]: int(r["stock"]) for r in rows if r["stock"]}


# ---------------------------------------------------------------- the daemon process


@dataclass
class DaemonProcess:
    """``syncd run`` as a child process; every process it ever started is tracked."""

    db: Path
    log_path: Path
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def proc(self) -> subprocess.Popen[bytes]:
        return self.started[-1]

    def start(self) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env |= {
            "HTTP_PROXY": PROXY_TRAP,
            "HTTPS_PROXY": PROXY_TRAP,
            "ALL_PROXY": PROXY_TRAP,
            "NO_PROXY": f"{LOCAL},localhost",
        }
        argv = [sys.executable, "-m", "syncd.cli", "--db", str(self.db), "run"]
        argv += ["--push-every", "0.3", "--poll-every", "0.5", "--log-format", "json"]
        with self.log_path.open("ab") as log:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        self.started.append(proc)
        return proc

    def sigkill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def warm_stop(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait for in-flight work to finish; the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def kill_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return "(no daemon log)"
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])


# ---------------------------------------------------------------- Bu Sri, in this process


class Seller(threading.Thread):
    """WhatsApp sales (bundles too) and receipts from the test process, while the daemon runs."""

    def __init__(
        self, db: Path, tenant_id: int, rng: random.Random, every: tuple[float, float]
    ) -> None:
        super().__init__(daemon=True, name="e2e-seller")
        self.db, self.tenant_id, self.rng, self.every = db, tenant_id, rng, every
        self.stop = threading.Event()
        self.sold: collections.Counter[str] = collections.Counter()  # component SKU → units
        self.received: collections.Counter[str] = collections.Counter()
        self.sales = self.refused = self.receipts = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        store, n = Store(self.db), 0
        try:
            while not self.stop.wait(self.rng.uniform(*self.every)):
                n += 1
                if self.rng.random() < 0.7:
                    self._sale(store, n)
                else:
                    self._receipt(store, n)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            store.close()

    def _sale(self, store: Store, n: int) -> None:
        items = [(self.rng.choice((1, 1, 2)), self.rng.choice(OFFLINE_SKUS))]
        try:
            done = inventory.record_offline_sale(
                store, self.tenant_id, items, channel="whatsapp", key=f"wa-{n}", actor="e2e"
            )
        except InsufficientStock:
            self.refused += 1  # "habis": nothing recorded
            return
        assert all(not a.already for a in done)
        self.sales += 1
        for a in done:
            self.sold[a.sku] += a.qty

    def _receipt(self, store: Store, n: int) -> None:
        sku, qty = self.rng.choice(RESTOCK_SKUS), self.rng.randint(1, 6)
        movement = MovementIn(
            sku=sku, kind="receipt", qty=qty, key=f"rcv-{n}", source="cli", actor="e2e"
        )
        (done,) = inventory.record(store, self.tenant_id, [movement])
        assert not done.already
        self.receipts += 1
        self.received[sku] += qty

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=30)
        assert not self.is_alive(), "the seller thread hangs (writer lock never released?)"


class Buyers:
    """``demo.buyers`` in a thread: orders, cancellations and shipments on both shops."""

    def __init__(self, market: demo.Market, rng: random.Random, rate: float) -> None:
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(
            target=self._run, args=(market, rng, rate), daemon=True, name="e2e-buyers"
        )

    def _run(self, market: demo.Market, rng: random.Random, rate: float) -> None:
        try:
            demo.buyers(market, self.stop, rng, rate)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def start(self) -> None:
        self.thread.start()

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()
        assert self.error is None, f"buyers crashed: {self.error!r}"


# ---------------------------------------------------------------- the world


@dataclass
class World:
    seed: int
    db: Path
    market: demo.Market
    store: Store
    tenant_id: int
    daemon: DaemonProcess

    def why(self, message: str) -> str:
        return f"seed={self.seed}: {message}"


@contextlib.contextmanager
def world(tmp_path: Path, seed: int) -> Iterator[World]:
    """Simulator + seeded seller; everything is stopped, killed and closed at the end."""
    market = demo.start_market(seed)
    store: Store | None = None
    daemon = DaemonProcess(tmp_path / "syncd.db", tmp_path / "daemon.log")
    try:
        assert market.sim.base_url.startswith(f"http://{LOCAL}:")
        store = Store(daemon.db)
        tenant_id = demo.seed_seller(store, tmp_path, market)
        channels = catalog.list_channels(store, tenant_id)
        assert {c.name for c in channels} == set(demo.SHOPS)
        for c in channels:  # the daemon can only ever talk to the local simulator
            assert c.settings["base_url"] == market.sim.base_url
        assert len(catalog.list_listings(store, tenant_id)) == len(market.listings)
        yield World(seed, daemon.db, market, store, tenant_id, daemon)
    finally:
        daemon.kill_all()
        market.sim.stop()
        if store is not None:
            store.close()


def _wait_ready(w: World, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Wait until this daemon process has written its heartbeat (its loop is running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(w.why(f"daemon exited {proc.returncode}:\n{w.daemon.log_tail()}"))
        pid = w.store.scalar("SELECT pid FROM daemon_heartbeat WHERE id = 1")
        if pid == proc.pid:
            return
        time.sleep(0.02)
    pytest.fail(w.why(f"daemon not running after {timeout} s:\n{w.daemon.log_tail()}"))


def _wait_settled(w: World) -> float:
    started = time.monotonic()
    while time.monotonic() - started < SETTLE_TIMEOUT:
        if w.daemon.proc.poll() is not None:
            pytest.fail(w.why(f"daemon died while settling:\n{w.daemon.log_tail()}"))
        if demo.settled(w.store, w.tenant_id, w.market):
            return time.monotonic() - started
        time.sleep(0.2)
    pending = w.store.all(
        "SELECT listing_id, field, desired, sent_value, status, last_error FROM outbox "
        "WHERE tenant_id = ? AND status != 'synced'",
        (w.tenant_id,),
    )
    pytest.fail(
        w.why(
            f"not settled after {SETTLE_TIMEOUT} s; outbox not synced: "
            f"{[dict(r) for r in pending]}\n{w.daemon.log_tail()}"
        )
    )


# ---------------------------------------------------------------- invariants


def _components(store: Store, tenant_id: int) -> dict[int, list[tuple[str, int]]]:
    """SKU id → [(component SKU, units per unit)]; a plain SKU is its own component."""
    out = {}
    for sku in catalog.list_skus(store, tenant_id):
        if sku.is_bundle:
            out[sku.id] = [(c.sku, per) for c, per in catalog.bundle_components(store, sku.id)]
        else:
            out[sku.id] = [(sku.sku, 1)]
    return out


def check_orders(w: World) -> dict[str, Any]:
    """Order lines vs their movements vs reserved stock, in one read snapshot.

    Holds at every commit point (a page of orders and its movements commit together),
    so it is checked after every SIGKILL as well as at the end. Returns counts.
    """
    store, tenant_id = w.store, w.tenant_id
    store.conn.execute("BEGIN")  # a read snapshot: the seller thread may commit meanwhile
    try:
        lines = store.all(
            "SELECT channel_account_id AS acct, order_id, line_id, sku_id, qty, state, tracked "
            "FROM order_line WHERE tenant_id = ?",
            (tenant_id,),
        )
        moves = store.all(
            "SELECT m.idem_key, s.sku, m.kind, m.qty, m.on_hand_delta, m.reserved_delta "
            "FROM movement m JOIN sku s ON s.id = m.sku_id "
            "WHERE m.tenant_id = ? AND m.source = 'order'",
            (tenant_id,),
        )
        reserved = {
            r[0]: r[1]
            for r in store.conn.execute(
                "SELECT s.sku, COALESCE(SUM(b.reserved), 0) FROM sku s "
                "LEFT JOIN balance b ON b.sku_id = s.id "
                "WHERE s.tenant_id = ? AND NOT s.is_bundle GROUP BY s.sku",
                (tenant_id,),
            )
        }
    finally:
        store.conn.execute("COMMIT")
    comps = _components(store, tenant_id)
    by_line: dict[str, list[Any]] = collections.defaultdict(list)
    for m in moves:
        assert m["idem_key"].startswith("ord:"), w.why(f"order movement key {m['idem_key']}")
        by_line[m["idem_key"]].append(m)
    claimed: set[str] = set()
    want_reserved: collections.Counter[str] = collections.Counter()
    for line in lines:
        where = f"line {line['acct']}:{line['order_id']}:{line['line_id']} ({line['state']})"
        assert line["tracked"] == 1, w.why(f"{where} is untracked, but came after the start")
        assert line["sku_id"] is not None, w.why(f"{where} is unbound")
        prefix = f"ord:{line['acct']}:{line['order_id']}:{line['line_id']}:"
        mine = [m for key, ms in by_line.items() if key.startswith(prefix) for m in ms]
        claimed |= {m["idem_key"] for m in mine}
        parts = [(sku, per * line["qty"]) for sku, per in comps[line["sku_id"]]]
        steps: dict[str, list[Any]] = collections.defaultdict(list)
        for m in mine:
            step, _, sku_key = m["idem_key"][len(prefix) :].partition(":")
            steps[step].append(m)
            assert sku_key == m["sku"].lower(), w.why(f"{where}: key {m['idem_key']} vs {m['sku']}")
        assert frozenset(steps) in ALLOWED_STEPS[line["state"]], w.why(
            f"{where} took steps {sorted(steps)}; allowed: "
            f"{[sorted(s) for s in ALLOWED_STEPS[line['state']]]}"
        )
        for step, ms in steps.items():
            got = sorted((m["sku"], m["qty"]) for m in ms)
            assert got == sorted(parts), w.why(f"{where} step {step} moved {got}, want {parts}")
            for m in ms:
                assert m["kind"] == STEP_KIND[step], w.why(f"{where}: {m['idem_key']} {m['kind']}")
                deducted_reserved = step == "release" or (step == "deduct" and "reserve" in steps)
                want = -m["qty"] if deducted_reserved else m["qty"] if step == "reserve" else 0
                assert m["reserved_delta"] == want, w.why(f"{where}: {dict(m)}")
        if line["state"] == "open":
            for sku, qty in parts:
                want_reserved[sku] += qty
    orphans = {m["idem_key"] for m in moves} - claimed
    assert not orphans, w.why(f"order movements of no stored line: {sorted(orphans)[:10]}")
    for sku, got in reserved.items():
        assert got == want_reserved[sku], w.why(
            f"{sku}: ledger reserves {got}, the open order lines hold {want_reserved[sku]}"
        )
    return {"lines": len(lines), "movements": len(moves)}


def check_simulator_orders(w: World) -> int:
    """Every simulator order is stored, line for line, in its latest state; nothing else is."""
    accounts = {int(c.shop_id): c.id for c in catalog.list_channels(w.store, w.tenant_id)}
    stored: dict[tuple[int, str], list[tuple[str, str, int, str]]] = collections.defaultdict(list)
    for r in w.store.conn.execute(
        "SELECT channel_account_id, order_id, item_id, variant_id, qty, state FROM order_line "
        "WHERE tenant_id = ?",
        (w.tenant_id,),
    ):
        stored[(r[0], r[1])].append((r[2], r[3], r[4], r[5]))
    orders = w.market.sim.orders
    for sn, order in orders.items():
        state = STATUS_STATE[order.status]
        want = sorted(
            (str(x.item_id), str(x.model_id) if x.model_id else "", x.qty, state)
            for x in order.lines
        )
        got = sorted(stored.get((accounts[order.shop_id], sn), []))
        assert got == want, w.why(f"order {sn} ({order.status}): stored {got}, simulator {want}")
    extra = set(stored) - {(accounts[o.shop_id], sn) for sn, o in orders.items()}
    assert not extra, w.why(f"stored orders the simulator never had: {sorted(extra)[:10]}")
    return len(orders)


def check_settled_world(w: World, seller: Seller) -> dict[str, Any]:
    """Everything the brief promises, once the buyers stopped and the daemon settled."""
    store, tenant_id = w.store, w.tenant_id
    problems, _, _ = ledger.check(store)
    assert not problems, w.why(f"ledger check: {[(p.key, p.params) for p in problems]}")
    n_orders = check_simulator_orders(w)
    counts = check_orders(w)
    # each shop shows exactly what syncd wants, stock and price
    desired = {lid: (qty, price) for lid, qty, price in desired_all(store, tenant_id)}
    listings = catalog.list_listings(store, tenant_id)
    assert len(listings) == len(w.market.listings)
    shown = demo.shown(store, tenant_id, w.market)
    wrong = []
    for x in listings:
        shop, item, model = demo.SHOPS[x.channel], int(x.item_id), int(x.variant_id or 0)
        has = (shown[(x.channel, x.sku)], w.market.sim.price(shop, item, model))
        if has != desired[x.id]:
            wrong.append(f"{x.channel}/{x.sku}: shows {has}, wanted {desired[x.id]}")
    assert not wrong, w.why(f"shops differ from syncd (stock, price): {wrong}")
    # on hand from first principles: opening + receipts − offline sales − shipped order lines
    comps = _components(store, tenant_id)
    shipped: collections.Counter[str] = collections.Counter()
    for sku_id, qty in store.conn.execute(
        "SELECT sku_id, qty FROM order_line WHERE tenant_id = ? AND state = 'shipped'",
        (tenant_id,),
    ):
        for sku, per in comps[sku_id]:
            shipped[sku] += per * qty
    for sku, opening in _opening_stock().items():
        on_hand, _ = ledger.balance(store, tenant_id, catalog.get_sku(store, tenant_id, sku).id)
        want = opening + seller.received[sku] - seller.sold[sku] - shipped[sku]
        assert on_hand == want, w.why(
            f"{sku}: on hand {on_hand}; opening {opening} + received {seller.received[sku]} "
            f"- sold offline {seller.sold[sku]} - shipped {shipped[sku]} = {want}"
        )
    return {"orders": n_orders, **counts, "oversold": demo.oversold_orders(store, tenant_id)}


def _check_activity(w: World, seller: Seller, min_orders: int) -> None:
    """The run exercised what it claims to: both shops, cancellations, shipments, WhatsApp."""
    orders = w.market.sim.orders.values()
    by_shop = collections.Counter(o.shop_id for o in orders)
    statuses = collections.Counter(STATUS_STATE[o.status] for o in orders)
    assert all(by_shop[shop] >= min_orders // 4 for shop in demo.SHOPS.values()), w.why(
        f"too few orders per shop: {by_shop}"
    )
    assert sum(by_shop.values()) >= min_orders, w.why(f"too few orders: {by_shop}")
    for state in ("open", "shipped", "cancelled"):
        assert statuses[state], w.why(f"no order ended {state}: {statuses}")
    assert seller.error is None, w.why(f"offline sales failed: {seller.error!r}")
    assert seller.sales >= 3, w.why(f"only {seller.sales} offline sales went through")


# ---------------------------------------------------------------- the tests


@pytest.mark.slow
def test_two_shops_settle_exactly(tmp_path: Path) -> None:
    seed = _seed()
    rng = random.Random(seed)  # noqa: S311 - test timing, not security
    with world(tmp_path, seed) as w:
        proc = w.daemon.start()
        _wait_ready(w, proc)
        buyers = Buyers(w.market, random.Random(rng.random()), rate=6.0)  # noqa: S311
        seller = Seller(w.db, w.tenant_id, random.Random(rng.random()), (0.1, 0.4))  # noqa: S311
        buyers.start()
        seller.start()
        time.sleep(10.0)
        buyers.finish()
        seller.finish()
        settle = _wait_settled(w)
        assert w.daemon.warm_stop() == 0, w.why(f"warm stop failed:\n{w.daemon.log_tail()}")
        _check_activity(w, seller, min_orders=20)
        failed = w.store.all("SELECT kind, message FROM event WHERE level = 'error'")
        failed = [tuple(r) for r in failed[:5]]
        assert not failed, w.why(f"jobs failed against a healthy simulator: {failed}")
        summary = check_settled_world(w, seller)
        print(f"settled in {settle:.1f} s; {summary}; offline sales {seller.sales}")


KILLS = 50
FROM_SPAWN = 0.2  # share of kills timed from spawn (start-up, migrations) rather than readiness
#: this process started a job (and marked it so) that never finished: the kill cut it short
MID_JOB = (
    "SELECT COUNT(*) FROM job_run WHERE last_started >= ? AND last_started > COALESCE(last_ok, '')"
)


@pytest.mark.slow
def test_two_shops_survive_sigkill(tmp_path: Path) -> None:
    seed = _seed()
    rng = random.Random(seed)  # noqa: S311 - test timing, not security
    started = time.monotonic()
    with world(tmp_path, seed) as w:
        buyers = Buyers(w.market, random.Random(rng.random()), rate=3.0)  # noqa: S311
        seller = Seller(w.db, w.tenant_id, random.Random(rng.random()), (0.2, 0.8))  # noqa: S311
        buyers.start()
        seller.start()
        early = mid_job = 0
        for kill in range(KILLS):
            spawned = catalog.now()
            proc = w.daemon.start()
            delay = rng.uniform(0.05, 0.6)
            if rng.random() < FROM_SPAWN:
                early += 1
            else:
                _wait_ready(w, proc)
            time.sleep(delay)
            assert proc.poll() is None, w.why(f"daemon exited on its own:\n{w.daemon.log_tail()}")
            w.daemon.sigkill()
            mid_job += bool(w.store.scalar(MID_JOB, (spawned,)))
            with Store(w.db) as fresh:  # "restart": open (migrations run) and check the file
                assert fresh.integrity() == "ok", w.why(f"integrity after kill {kill + 1}")
            check_orders(w)  # lines, movements and reservations agree at every commit point
            problems, _, _ = ledger.check(w.store)
            assert not problems, w.why(f"after kill {kill + 1}: {problems}")
        killed_at = time.monotonic() - started
        proc = w.daemon.start()
        _wait_ready(w, proc)
        time.sleep(1.0)  # the last daemon works under load too
        buyers.finish()
        seller.finish()
        settle = _wait_settled(w)
        assert w.daemon.warm_stop() == 0, w.why(f"warm stop failed:\n{w.daemon.log_tail()}")
        assert mid_job >= KILLS // 10, w.why(f"only {mid_job} kills hit a running job")
        assert len(w.daemon.started) == KILLS + 1
        assert all(p.returncode == -signal.SIGKILL for p in w.daemon.started[:-1])
        _check_activity(w, seller, min_orders=40)
        summary = check_settled_world(w, seller)
        print(
            f"{KILLS} kills ({early} from spawn, {mid_job} mid-job) in {killed_at:.1f} s; "
            f"settled in {settle:.1f} s; {summary}; offline sales {seller.sales}"
        )


def test_marketplace_restock_on_cancel_is_overwritten(tmp_path: Path) -> None:
    """Deterministic form of a mismatch the end-to-end runs hit now and then.

    KOPI-1000: 8 on hand, buffer 1, so both shops show 7. Two buyers take 7 each
    before syncd pulls (oversold: available -6, both shops 0). Shopee-2's buyer
    cancels; Shopee gives the 7 back to that shop's stock. syncd releases the
    reservation: available 1, desired still 0 on both shops, so shopee-2 must be
    pushed back to 0; otherwise it sells 7 units syncd does not have.
    """
    with world(tmp_path, seed=3) as w:
        vault = credentials.Vault(credentials.load_key(w.db))
        runtimes = []
        for account in sync.load_accounts(w.store):
            rt = sync.build_runtime(w.store, vault, account)
            rt.load(w.store)
            runtimes.append(rt)
        try:

            def cycle() -> None:  # what the daemon's push job does, per account
                for rt in runtimes:
                    sync.push(w.store, rt)

            def kopi() -> dict[str, tuple[int, int]]:
                desired = {lid: qty for lid, qty, _ in desired_all(w.store, w.tenant_id)}
                shown = demo.shown(w.store, w.tenant_id, w.market)
                return {
                    x.channel: (shown[(x.channel, x.sku)], desired[x.id])
                    for x in catalog.list_listings(w.store, w.tenant_id)
                    if x.sku == "KOPI-1000"
                }

            items = {
                x.channel: (int(x.item_id), int(x.variant_id or 0))
                for x in catalog.list_listings(w.store, w.tenant_id)
                if x.sku == "KOPI-1000"
            }
            cycle()
            if kopi() != {"shopee": (7, 7), "shopee-2": (7, 7)}:
                pytest.fail(f"setup: {kopi()}")
            orders = {
                name: w.market.sim.place_order(demo.SHOPS[name], [(*items[name], 7)])
                for name in demo.SHOPS
            }
            cycle()
            if kopi() != {"shopee": (0, 0), "shopee-2": (0, 0)}:
                pytest.fail(f"after the oversell: {kopi()}")
            sn = orders["shopee-2"]
            if sn is None:
                pytest.fail("the simulator refused the second order")
            w.market.sim.set_order_status(sn, "CANCELLED")
            cycle()
            cycle()
            if not demo.settled(w.store, w.tenant_id, w.market):
                pytest.fail("not settled")
            assert kopi() == {"shopee": (0, 0), "shopee-2": (0, 0)}  # got shopee-2: (7, 0)
        finally:
            for rt in runtimes:
                if rt.adapter is not None:
                    rt.adapter.close()
