"""One write transaction per poll page, the job's marks riding in them (issue 14 item 4).

A profile of a cooperative's daemon found an fsync'd transaction per job mark: "started",
each page, "ok" (3 for a poll that finds nothing). Counted here: ``Store.commits`` (every
``Store.write()`` that committed) summed over the daemon's connections, against the order
pages the simulator served, for one routine poll of a Lazada shop (a simulator on
loopback, orders paged 2 at a time) that finds 0 orders (1 page), 1 order (1 page) and 5
orders (3 pages or more: Lazada's window re-lists its overlap). Before: pages + 2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.lazada import adapter as lazada_adapter
from adapters.lazada.simulator import LazadaSimulator
from syncd import catalog, inventory, orders
from syncd.daemon import Daemon, Intervals
from syncd.lanes import PRIORITY
from syncd.models import ChannelIn, MovementIn, SkuIn
from syncd.store import Store
from tests.conftest import connect_channel

KEY, SECRET = "123456", "lzd_demo_app_secret_abcdef0123"
SHOP, ITEM = 5501, 550100
SKU_ID = ITEM * 10  # the simulator's one SKU of an item without models


@pytest.fixture
def shop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, LazadaSimulator]]:
    """A seller with one Lazada shop, its one listing bound, nothing waiting to be pushed."""
    monkeypatch.setattr(lazada_adapter, "ORDERS_PAGE", 2)  # 5 orders: pages of 2, 2, 1
    sim = LazadaSimulator(app_key=KEY, app_secret=SECRET).start()
    db = tmp_path / "poll.db"
    store = Store(db)
    try:
        tenant = catalog.add_tenant(store, "T")
        with store.write():
            catalog.upsert_sku(store, tenant.id, SkuIn(sku="KOPI-250", name="Kopi", price=45000))
        inventory.record(
            store,
            tenant.id,
            [MovementIn(sku="KOPI-250", kind="receipt", qty=50, key="r", source="t", actor="t")],
        )
        sim.add_shop(SHOP)
        sim.add_item(SHOP, ITEM, "Kopi", sku="KOPI-250", price=45000, stock=50)
        start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(timespec="seconds")
        connect_channel(
            store,
            tenant.id,
            ChannelIn(name="lz", marketplace="lazada", shop_id=str(SHOP)),
            settings={
                "app_key": KEY,
                "base_url": f"{sim.base_url}/rest",
                "auth_url": sim.base_url,
                "timeout": 10,
            },
            secret=SECRET,
            authorize=lambda: sim.authorize(SHOP),
            integration_start=start,
        )
        with store.write():  # a routine poll alone: no push is due
            store.conn.execute("UPDATE outbox SET status = 'synced'")
        store.close()
        yield db, sim
    finally:
        sim.stop()


def pages(sim: LazadaSimulator) -> int:
    """Order pages the shop was asked for so far."""
    return sum(n for (_, path), n in sim.calls.items() if path.endswith(lazada_adapter.ORDERS))


def poll(daemon: Daemon, sim: LazadaSimulator) -> tuple[int, int]:
    """Run one routine poll of the shop: (pages it read, write transactions it committed)."""
    (account_id,) = daemon.runtimes
    before, read = sum(s.commits for s in daemon._stores), pages(sim)
    daemon.submit("pull", account_id, PRIORITY["pull"])
    assert daemon.wait_idle(30)
    return pages(sim) - read, sum(s.commits for s in daemon._stores) - before


def buy(sim: LazadaSimulator, n: int) -> None:
    for _ in range(n):
        assert sim.place_order(SHOP, [(ITEM, SKU_ID, 1)]) is not None


def marks(db: Path) -> dict[str, object]:
    with Store(db) as store:
        row = store.one("SELECT * FROM job_run WHERE job = 'pull'")
        assert row is not None
        return dict(row)


def test_a_poll_writes_one_transaction_per_page_its_marks_included(
    shop: tuple[Path, LazadaSimulator],
) -> None:
    db, sim = shop
    daemon = Daemon(db, workers=1, intervals=Intervals(pull=600))
    seen: list[str] = []
    daemon.on_job = lambda job, _account, outcome: seen.append(f"{job} {outcome}")
    with daemon.running():
        daemon.load_accounts()
        assert poll(daemon, sim) == (1, 1)  # nothing new: one page (its cursor), both marks
        first = marks(db)
        assert (first["runs"], first["failures"], first["last_error"]) == (1, 0, "")
        assert first["last_ok"] is not None
        assert first["last_started"] is not None
        assert first["last_started"] <= first["last_ok"]

        buy(sim, 1)
        assert poll(daemon, sim) == (1, 1)  # one order: one page

        buy(sim, 5)
        read, written = poll(daemon, sim)
        assert read >= 3  # five orders, two a page (Lazada re-lists its window's overlap)
        assert written == read  # one transaction per page, the marks riding in them
        (account_id,) = daemon.runtimes
        with Store(db) as store:
            assert len(orders.lines_of(store, account_id)) == 6
        last = marks(db)
        assert (last["runs"], last["failures"]) == (3, 0)
        assert str(last["last_started"]) > str(first["last_ok"])
        assert str(last["last_ok"]) >= str(last["last_started"])
    assert seen == ["pull ok"] * 3


def test_a_poll_that_fails_before_its_first_page_still_counts_as_run(
    shop: tuple[Path, LazadaSimulator],
) -> None:
    """The start mark rides in the first page's transaction; a poll that never reaches
    one (the marketplace is down) writes it with the failure, in one transaction."""
    db, sim = shop
    daemon = Daemon(db, workers=1, intervals=Intervals(pull=600))
    with daemon.running():
        daemon.load_accounts()
        assert poll(daemon, sim) == (1, 1)
        sim.inject("error_body:MissingParameter:order list refused", times=10)
        _, failed = poll(daemon, sim)  # the next poll cannot read a page
        row = marks(db)
        assert (row["runs"], row["failures"]) == (2, 1)
        assert row["failing_since"] is not None
        assert "order list refused" in str(row["last_error"])
        assert str(row["last_started"]) > str(row["last_ok"])
    assert failed == 2  # the failure mark (with the start) and the job.failed event


def test_a_push_job_writes_its_ok_mark_in_its_last_batchs_transaction(
    shop: tuple[Path, LazadaSimulator],
) -> None:
    """A push job: its pull's page (the start mark riding in it), then one transaction
    per batch of results, the last carrying the ok mark. Before: one more for the mark."""
    db, sim = shop
    daemon = Daemon(db, workers=1, intervals=Intervals(pull=600, push=600))
    with daemon.running():
        daemon.load_accounts()
        (account_id,) = daemon.runtimes
        with Store(db) as store:
            tenant_id = int(store.scalar("SELECT id FROM tenant"))
            inventory.record_offline_sale(
                store, tenant_id, [(2, "KOPI-250")], channel="cash", key="c1", actor="t"
            )
        before, read = sum(s.commits for s in daemon._stores), pages(sim)
        daemon.submit("push", account_id, PRIORITY["push_decrease"])
        assert daemon.wait_idle(30)
        assert pages(sim) - read == 1
        assert sum(s.commits for s in daemon._stores) - before == 2
        with Store(db) as store:
            row = store.one("SELECT * FROM job_run WHERE job = 'push'")
            assert row is not None
            assert (row["runs"], row["failures"], row["last_error"]) == (1, 0, "")
            assert str(row["last_ok"]) >= str(row["last_started"])
            sent = store.one("SELECT status, sent_value FROM outbox WHERE field = 'stock'")
            assert sent is not None
            assert (sent["status"], sent["sent_value"]) == ("synced", 48)
