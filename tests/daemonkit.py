"""The demo's simulated shops with Bu Sri's catalogue, connected through their real
flows, and ``Daemon.run`` on a thread of this process: the world several daemon tests
share (webhooks, lost pushes, metrics)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from syncd import market
from syncd.daemon import Daemon, Intervals
from syncd.demo import seed_catalogue
from syncd.store import Store


@dataclass
class DemoWorld:
    db: Path
    store: Store
    tenant_id: int
    market: market.Market
    daemon: Daemon


@contextlib.contextmanager
def demo_world(
    tmp_path: Path,
    *,
    seed: int,
    intervals: Intervals,
    workers: int = 2,
    marketplaces: tuple[str, ...] = market.MARKETPLACES,
    before_start: Callable[[Store, market.Market], None] | None = None,
) -> Iterator[DemoWorld]:
    """Shops started with ``seed`` (the demo's ``marketplaces``), connected a
    minute back; ``before_start`` runs before the daemon does; all stopped after."""
    shops = market.start_market(seed, latency=0.002, marketplaces=marketplaces)
    db = tmp_path / "demo.db"
    store = Store(db)
    runner: threading.Thread | None = None
    daemon: Daemon | None = None
    try:
        tenant_id = seed_catalogue(store, tmp_path)
        since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        market.connect(store, tenant_id, shops, since=since)
        if before_start is not None:
            before_start(store, shops)
        daemon = Daemon(db, workers=workers, intervals=intervals)
        runner = threading.Thread(target=daemon.run, kwargs={"beat_every": 0.5}, daemon=True)
        runner.start()
        yield DemoWorld(db, store, tenant_id, shops, daemon)
    finally:
        if daemon is not None:
            daemon.stop.set()
            if runner is not None:
                runner.join(30)
            daemon.close()
        store.close()
        shops.stop()


def wait_until(what: str, check: Callable[[], object], timeout: float = 15.0) -> None:
    """Poll ``check`` until it is true, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
