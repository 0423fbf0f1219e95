"""Crash safety: SIGKILL a real syncd writer at random moments, restart, prove all-or-nothing.

``tests/crash_driver.py`` does the work in a child process (a 20,000-row product
import, or a stream of offline sales, one transaction each); the test kills it
after a random delay, then "restarts": it opens the database (``Store`` runs the
migrations), runs ``syncd --db DB check`` in a fresh process (must exit 0, which
includes ``PRAGMA integrity_check``), and checks the data itself:

* import: either nothing from the file exists or all of it does (every SKU,
  product, count movement and balance, with the file's prices and stock);
* sales: every sale key is fully applied (all its ``#i`` lines, with the right
  SKU and quantity) or absent; applied keys are exactly ``sale-0 .. sale-(m-1)``;
  every sale the driver reported as committed survived; at most the one in-flight
  sale committed unreported; on hand per SKU equals the opening stock minus the
  lines of the keys that exist (computed here, not read from ``balance``); the
  next run re-delivers some already-applied keys, which must report ``already``
  and change nothing.

Independent lanes (own database, own RNG stream) run side by side to use both
CI cores: 2 x 8 import kills and 4 x 10 sales kills. Kill timings are random
but seeded: set SYNCD_CRASH_SEED to replay a seed (the seed is printed, and
every failure message names it). Timing still depends on the machine, so a
replay is close, not identical.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import importlib.util
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from syncd import catalog, inventory, ledger
from syncd.models import MovementIn, SkuIn
from syncd.store import LATEST_VERSION, Store

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).with_name("crash_driver.py")
_spec = importlib.util.spec_from_file_location("crash_driver", DRIVER)
assert _spec is not None
assert _spec.loader is not None
driver = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(driver)

ROWS = 20_000
IMPORT_LANES, IMPORT_KILLS_PER_LANE, FRESH_DB_EVERY = 2, 8, 4
SALES_LANES, SALES_KILLS_PER_LANE = 4, 10
OPENING = 10_000  # opening stock of each SKU the sales stream sells
REDELIVER = 40  # a sales run restarts up to this many keys before the first missing one
NO_END = 10**9  # a sales run that only a kill ends
WAL_HEADER, WAL_FRAME = 32, 4096 + 24


def _seed() -> int:
    fixed = os.environ.get("SYNCD_CRASH_SEED")
    return int(fixed) if fixed else random.SystemRandom().randrange(2**32)


def _child_env() -> dict[str, str]:
    """The environment without any SYNCD_* setting that could point elsewhere."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}


@dataclass
class Run:
    """One child process: how it ended and what it wrote."""

    rc: int
    killed: bool
    seconds: float
    stdout: str
    stderr: str


def _empty(path: Path) -> bool:
    return not path.exists() or path.stat().st_size == 0


def _run(cmd: list[str], delay: float | None, logs: Path, *, after: Path | None = None) -> Run:
    """Start ``cmd``; SIGKILL it ``delay`` seconds later unless it has exited (None: wait).

    With ``after``, the delay counts from the moment that file is no longer empty
    (the driver's first committed sale), so the kill lands mid-stream on any machine.
    """
    out_path, err_path = logs.with_suffix(".out"), logs.with_suffix(".err")
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=_child_env())
        while after is not None and _empty(after) and proc.poll() is None:
            time.sleep(0.002)
            if time.monotonic() - started > 60:
                proc.kill()
                proc.wait()
                pytest.fail(f"{cmd} never wrote to {after}")
        try:
            rc = proc.wait(timeout=120 if delay is None else delay)
            killed = False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            rc = proc.wait()
            # the child may finish between the timeout and the signal: then it was not
            # killed, and is checked as a finished run (exit 0, everything applied)
            killed = rc != 0
        seconds = time.monotonic() - started
    run = Run(rc, killed, seconds, out_path.read_text(), err_path.read_text())
    if delay is None and killed:
        pytest.fail(f"{cmd} did not finish within 120 s")
    if killed:
        assert rc == -signal.SIGKILL, f"killed child exited {rc}: {run.stderr[-2000:]}"
    else:
        assert rc == 0, f"{cmd} exited {rc}:\n{run.stderr[-3000:]}"
    return run


@contextlib.contextmanager
def _cli_check(db: Path, config: Path) -> Iterator[None]:
    """``syncd --db DB check`` in a fresh process must exit 0 (balances == ledger,
    integrity_check ok). It only reads, so it runs while the body verifies the file."""
    check = subprocess.Popen(
        [sys.executable, "-m", "syncd.cli", "--config", str(config), "--db", str(db), "check"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_child_env(),
    )
    try:
        yield
    finally:
        output, _ = check.communicate(timeout=120)
    assert check.returncode == 0, f"syncd check exited {check.returncode}:\n{output}"


def _restart(db: Path) -> None:
    """What a restarted syncd does first: open the file, which recovers it and migrates."""
    with Store(db) as store:
        assert store.version == LATEST_VERSION


def _wal_frames(db: Path) -> int:
    wal = Path(f"{db}-wal")
    size = wal.stat().st_size if wal.exists() else 0
    return max(0, size - WAL_HEADER) // WAL_FRAME


def _lanes(seed: int, count: int, body: Callable[[int, random.Random], Any]) -> list[Any]:
    """Run ``body(lane, rng)`` for each lane in parallel; failures name the seed and lane."""

    def one(lane: int) -> Any:
        try:
            return body(lane, random.Random(f"{seed}:{lane}"))  # noqa: S311 - test timing only
        except AssertionError as exc:
            raise AssertionError(f"[SYNCD_CRASH_SEED={seed} lane {lane}] {exc}") from exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


@pytest.fixture
def seed() -> int:
    value = _seed()
    print(f"crash test seed: SYNCD_CRASH_SEED={value}")
    return value


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """An empty config file, so the CLI never reads the developer's own."""
    path = tmp_path / "syncd.toml"
    path.write_text("", encoding="utf-8")
    return path


# -- import ------------------------------------------------------------------


def _write_products(path: Path) -> dict[str, tuple[str, int, int]]:
    """A ROWS-row product file; returns SKU -> (name, price, stock)."""
    expected: dict[str, tuple[str, int, int]] = {}
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["sku", "name", "price", "stock"])
        for i in range(ROWS):
            sku, name, price, stock = f"BRG-{i:05d}", f"Barang nomor {i}", 1_000 + 7 * i, i % 97
            out.writerow([sku, name, price, stock])
            expected[sku] = (name, price, stock)
    return expected


def _import_state(db: Path, expected: dict[str, tuple[str, int, int]]) -> tuple[str, bool]:
    """Restart on ``db`` and return ("none" | "all", tenant exists); anything else fails."""
    with Store(db) as store:
        assert store.version == LATEST_VERSION
        tenants = store.scalar("SELECT COUNT(*) FROM tenant")
        assert tenants in (0, 1)
        counts = {
            table: store.scalar(f"SELECT COUNT(*) FROM {table}")
            for table in ("sku", "product", "movement", "balance")
        }
        if set(counts.values()) == {0}:
            return "none", bool(tenants)
        assert counts == dict.fromkeys(counts, ROWS), f"partial import survived a crash: {counts}"
        assert tenants == 1
        rows = store.all(
            "SELECT s.sku, p.name, s.price, m.kind, m.qty, m.on_hand_delta, m.idem_key, "
            "b.on_hand, b.reserved FROM sku s JOIN product p ON p.id = s.product_id "
            "JOIN movement m ON m.sku_id = s.id JOIN balance b ON b.sku_id = s.id"
        )
        got = {r["sku"]: (r["name"], r["price"], r["qty"]) for r in rows}
        assert got == expected
        assert all(r["kind"] == "count" and r["on_hand_delta"] == r["qty"] for r in rows)
        assert all((r["on_hand"], r["reserved"]) == (r["qty"], 0) for r in rows)
        assert len({r["idem_key"] for r in rows}) == ROWS
    return "all", True


def test_import_is_all_or_nothing_under_sigkill(tmp_path: Path, seed: int, config: Path) -> None:
    products = tmp_path / "produk.csv"
    expected = _write_products(products)

    def importer(db: Path, delay: float | None, logs: Path) -> Run:
        cmd = [sys.executable, str(DRIVER), "import", str(db), str(products)]
        return _run(cmd, delay, logs)

    # Calibrate the kill window with one uninterrupted import (re-imports: test_import.py).
    scratch = tmp_path / "scratch.db"
    full = importer(scratch, None, tmp_path / "calibrate")
    assert f"created={ROWS} unchanged=0 stock_set={ROWS}" in full.stdout
    with _cli_check(scratch, config):
        assert _import_state(scratch, expected) == ("all", True)
    window = full.seconds * 1.05

    def lane(n: int, rng: random.Random) -> collections.Counter[str]:
        phases: collections.Counter[str] = collections.Counter()
        db = tmp_path / f"import-{n}-0.db"
        for kill in range(IMPORT_KILLS_PER_LANE):
            fresh = kill % FRESH_DB_EVERY == 0
            if fresh:  # a new file: the first kill may land in migrations or tenant creation
                db = tmp_path / f"import-{n}-{kill}.db"
            delay = rng.uniform(0.05, 0.8) if fresh else rng.uniform(0.3, window)
            run = importer(db, delay, tmp_path / f"import-{n}-{kill}")
            frames = _wal_frames(db)
            _restart(db)
            with _cli_check(db, config):
                state, has_tenant = _import_state(db, expected)
            if not run.killed:
                assert state == "all", "the import finished but its rows are missing"
                phases["finished"] += 1
            elif state == "all":
                phases["killed after commit"] += 1
            elif not has_tenant:
                phases["killed before any commit"] += 1
            else:
                # The import's transaction spills thousands of pages into the WAL early on;
                # migrations and the tenant (on a fresh file) leave a few dozen.
                phases["killed mid-import" if frames > 60 else "killed before writing"] += 1
        # Recovery: the last crashed file still takes the whole import.
        importer(db, None, tmp_path / f"import-{n}-finish")
        with _cli_check(db, config):
            assert _import_state(db, expected) == ("all", True)
        return phases

    phases = sum(_lanes(seed, IMPORT_LANES, lane), collections.Counter())
    print(f"import kill outcomes: {dict(phases)}")
    assert phases.total() == IMPORT_LANES * IMPORT_KILLS_PER_LANE


# -- offline sales -----------------------------------------------------------


@dataclass
class SalesLane:
    """What the test knows about one sales database, independently of its balance table."""

    db: Path
    tenant_id: int
    sku_ids: dict[str, int]
    frontier: int = 0  # sale-0 .. sale-(frontier-1) are applied
    checked_id: int = 0  # movements up to this id have been verified line by line
    sold: collections.Counter[str] = field(default_factory=collections.Counter)
    lines: int = 0  # sale lines in sale-0 .. sale-(frontier-1)

    def advance(self, to: int) -> None:
        for n in range(self.frontier, to):
            for qty, sku in driver.sale_lines(n):
                self.sold[sku] += qty
                self.lines += 1
        self.frontier = to


def _new_sales_db(db: Path) -> SalesLane:
    with Store(db) as store:
        tenant = catalog.add_tenant(store, driver.TENANT)
        with store.write():
            for sku in driver.SALE_SKUS:
                catalog.upsert_sku(store, tenant.id, SkuIn(sku=sku, name=sku, price=10_000))
        inventory.record(
            store,
            tenant.id,
            [
                MovementIn(
                    sku=sku,
                    kind="receipt",
                    qty=OPENING,
                    key=f"opening:{sku}",
                    source="test",
                    actor="test",
                )
                for sku in driver.SALE_SKUS
            ],
        )
        ids = {sku: catalog.get_sku(store, tenant.id, sku).id for sku in driver.SALE_SKUS}
        opening_id = int(store.scalar("SELECT MAX(id) FROM movement"))
    return SalesLane(db, tenant.id, ids, checked_id=opening_id)


def _read_log(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return [(int(n), flag) for n, flag in (line.split() for line in text.splitlines())]


def _verify_sales(lane: SalesLane, start: int, log: list[tuple[int, str]]) -> int:
    """Restart on the lane's file after a run from ``start``; return the new frontier."""
    before = lane.frontier
    assert [n for n, _ in log] == list(range(start, start + len(log))), "log not consecutive"
    for n, flag in log:
        assert flag == ("A" if n < before else "N"), f"sale-{n} reported {flag}, frontier {before}"
    with Store(lane.db) as store:
        assert store.version == LATEST_VERSION
        rows = store.all(
            "SELECT m.id, m.idem_key, s.sku, m.kind, m.qty, m.on_hand_delta, m.reserved_delta "
            "FROM movement m JOIN sku s ON s.id = m.sku_id WHERE m.id > ? ORDER BY m.id",
            (lane.checked_id,),
        )
        new: dict[int, dict[int, tuple[str, int]]] = collections.defaultdict(dict)
        for r in rows:
            key, _, line = r["idem_key"].partition("#")
            assert key.startswith("sale-"), r["idem_key"]
            assert line.isdigit(), r["idem_key"]
            assert (r["kind"], r["on_hand_delta"], r["reserved_delta"]) == (
                "offline_sale",
                -r["qty"],
                0,
            ), dict(r)
            n = int(key.removeprefix("sale-"))
            assert int(line) not in new[n], f"{r['idem_key']} applied twice"
            new[n][int(line)] = (r["sku"], r["qty"])
        after = before + len(new)
        assert sorted(new) == list(range(before, after)), (
            f"applied keys are not contiguous: had sale-0..sale-{before - 1}, "
            f"new {sorted(new)[:5]}..."
        )
        for n, got in new.items():
            want = {i: (sku, qty) for i, (qty, sku) in enumerate(driver.sale_lines(n), start=1)}
            assert got == want, f"sale-{n} is partial or wrong: {got} != {want}"
        last = log[-1][0] if log else start - 1
        assert after in (max(before, last + 1), max(before, last + 2)), (
            f"after a run from {start} that logged up to {last}, frontier {before} -> {after}"
        )
        lane.advance(after)
        lane.checked_id = max([lane.checked_id, *(r["id"] for r in rows)])
        # Totals over the whole ledger, from the keys that exist, not from the balance table.
        sales = store.one(
            "SELECT COUNT(*) AS lines, "
            "COUNT(DISTINCT substr(idem_key, 1, instr(idem_key, '#') - 1)) AS keys "
            "FROM movement WHERE idem_key LIKE 'sale-%'"
        )
        assert sales is not None
        assert (sales["lines"], sales["keys"]) == (lane.lines, lane.frontier)
        for sku, sku_id in lane.sku_ids.items():
            want_on_hand = OPENING - lane.sold[sku]
            summed = store.scalar(
                "SELECT SUM(on_hand_delta) FROM movement WHERE sku_id = ?", (sku_id,)
            )
            assert summed == want_on_hand, f"{sku}: ledger {summed}, keys say {want_on_hand}"
            assert ledger.balance(store, lane.tenant_id, sku_id) == (want_on_hand, 0), sku
    return after


def test_offline_sales_are_all_or_nothing_under_sigkill(
    tmp_path: Path, seed: int, config: Path
) -> None:
    def lane(n: int, rng: random.Random) -> collections.Counter[str]:
        state = _new_sales_db(tmp_path / f"sales-{n}.db")
        outcomes: collections.Counter[str] = collections.Counter()
        for kill in range(SALES_KILLS_PER_LANE + 1):
            last = kill == SALES_KILLS_PER_LANE
            start = rng.randint(max(0, state.frontier - REDELIVER), state.frontier)
            end = state.frontier + 100 if last else NO_END
            log = tmp_path / f"sales-{n}-{kill}.log"
            cmd = [
                sys.executable,
                str(DRIVER),
                "sales",
                str(state.db),
                str(start),
                str(end),
                str(log),
            ]
            if last:
                run = _run(cmd, None, log)
            elif rng.random() < 0.25:  # while it starts: no commit from this run
                run = _run(cmd, rng.uniform(0.02, 0.4), log)
            else:  # once it is writing: mid-stream, or while re-delivering old keys
                run = _run(cmd, rng.uniform(0.0, 0.4), log, after=log)
            before = state.frontier
            entries = _read_log(log)
            _restart(state.db)
            with _cli_check(state.db, config):
                after = _verify_sales(state, start, entries)
            if last:
                assert not run.killed
                assert after == end
                assert len(entries) == end - start
            elif not entries:
                outcomes["killed before its first sale committed"] += 1
            elif after == before:
                outcomes["killed while re-delivering old keys"] += 1
            else:
                outcomes["killed mid-stream"] += 1
        outcomes["sales applied"] = state.frontier
        return outcomes

    outcomes = sum(_lanes(seed, SALES_LANES, lane), collections.Counter())
    print(f"sales kill outcomes: {dict(outcomes)}")
    assert outcomes.total() - outcomes["sales applied"] == SALES_LANES * SALES_KILLS_PER_LANE
    assert outcomes["sales applied"] > 0


def test_crash_driver_sale_lines_are_deterministic() -> None:
    """The replay argument rests on this: sale n has the same lines in every process."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import crash_driver as d; "
        "print([d.sale_lines(n) for n in range(300)])"
    )
    env = {**_child_env(), "PYTHONHASHSEED": "12345"}
    child = subprocess.run(
        [sys.executable, "-c", code, str(DRIVER.parent)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )
    here = [driver.sale_lines(n) for n in range(300)]
    assert child.stdout.strip() == str(here)
    assert all(1 <= len(lines) <= 3 for lines in here)
    assert len({tuple(lines) for lines in here}) > 150
