"""MODELS of the sync policies other tools publish — not syncd, and not those tools.

Each is a small client that reads the same master (a syncd database: orders
ingested by syncd's own ``sync.pull_orders``, availability from syncd's
``desired_all``) and writes to the same simulators through syncd's adapters, so
only the *policy* differs from syncd's:

``full15`` / ``full5``
    Every 15 (5) minutes per member, at a random phase: pull every shop's new
    orders, then write the absolute stock of *every* listing to every shop, packed
    in the marketplace's batch shape (Sellbrite, LitCommerce, Teapplix push every
    15 min; Channable every 5 min for some marketplaces; feature-anchors.md §1.5).
    Pulling orders only just before the push is generous to the model: the values
    it writes are as fresh as continuous ingest would make them.
``persku``
    Poll each shop's orders on the same interval as syncd (staggered); when a poll
    finds orders, write every listing of that member whose value changed, one call
    per listing, no batching (what a naive per-SKU connector does).

Run as its own process (``python bench/coop_model.py``) so its CPU and memory are
measured apart from the harness, like ``syncd run``.
"""

from __future__ import annotations

import contextlib
import heapq
import random
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from syncd import credentials, sync
from syncd.adapter import StockUpdate
from syncd.availability import desired_all
from syncd.http import Limiter
from syncd.store import Store

__all__ = ["POLICIES", "run"]

POLICIES = {"full15": 900.0, "full5": 300.0, "persku": None}


@dataclass(frozen=True, slots=True)
class _Listing:
    id: int
    account: int
    item: str
    variant: str


class _Env:
    """Per-thread stores, account runtimes, listings by member."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.local = threading.local()
        self.stores: list[Store] = []
        self.lock = threading.Lock()
        vault = credentials.Vault(credentials.load_key(db))
        limiter = Limiter()
        store = self.store()
        self.accounts = sync.load_accounts(store)
        self.runtimes = {
            a.id: sync.build_runtime(store, vault, a, limiter=limiter) for a in self.accounts
        }
        self.by_tenant: dict[int, list[int]] = defaultdict(list)
        for a in self.accounts:
            self.by_tenant[a.tenant_id].append(a.id)
        self.listings: dict[int, list[_Listing]] = defaultdict(list)
        for lid, tenant, account, item, variant in store.conn.execute(
            "SELECT id, tenant_id, channel_account_id, item_id, variant_id FROM listing"
        ):
            self.listings[tenant].append(_Listing(lid, account, item, variant))
        self.tenant_locks = {t: threading.Lock() for t in self.by_tenant}

    def store(self) -> Store:
        found: Store | None = getattr(self.local, "store", None)
        if found is None:
            found = Store(self.db)
            self.local.store = found
            with self.lock:
                self.stores.append(found)
        return found

    def want(self, tenant: int) -> dict[int, int]:
        return {lid: qty for lid, qty, _ in desired_all(self.store(), tenant)}

    def write(
        self, account: int, listings: list[_Listing], want: dict[int, int], per_call: int | None
    ) -> int:
        """Write absolute stock; ``per_call`` None = the marketplace's batch shape. Calls made."""
        rt = self.runtimes[account]
        adapter = rt.adapter
        assert adapter is not None  # noqa: S101
        updates = [StockUpdate(x.id, x.item, x.variant, want[x.id], 0) for x in listings]
        batches = adapter.batches(updates, per_call or adapter.limits.stock_per_call)
        for batch in batches:
            with contextlib.suppress(Exception):  # a model keeps going, like a tool would
                sync.with_auth(self.store(), rt, lambda b=batch: adapter.push_stock(b))  # type: ignore[misc]
        return len(batches)

    def pull(self, account: int) -> int:
        with contextlib.suppress(Exception):
            return sync.pull_orders(self.store(), self.runtimes[account]).movements
        return 0

    def close(self) -> None:
        for rt in self.runtimes.values():
            if rt.adapter is not None:
                rt.adapter.close()
        for store in self.stores:
            with contextlib.suppress(Exception):
                store.close()


def _full(env: _Env, tenant: int) -> None:
    for account in env.by_tenant[tenant]:
        env.pull(account)
    want = env.want(tenant)
    per_account: dict[int, list[_Listing]] = defaultdict(list)
    for x in env.listings[tenant]:
        per_account[x.account].append(x)
    for account, listings in per_account.items():
        env.write(account, listings, want, None)


class _PerSku:
    def __init__(self, env: _Env) -> None:
        self.env = env
        self.last = {t: env.want(t) for t in env.by_tenant}  # the run starts in sync

    def poll(self, account: int) -> None:
        env = self.env
        tenant = env.runtimes[account].account.tenant_id
        if not env.pull(account):
            return
        with env.tenant_locks[tenant]:
            want, last = env.want(tenant), self.last[tenant]
            for x in env.listings[tenant]:
                if want[x.id] != last.get(x.id):
                    env.write(x.account, [x], want, 1)
                    last[x.id] = want[x.id]


def run(db: Path, policy: str, *, poll: float, workers: int, seed: int, ready: Path) -> None:
    """Run one policy model until SIGTERM/SIGINT."""
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    env = _Env(db)
    rng = random.Random(seed)  # noqa: S311 - phases, not security
    with ThreadPoolExecutor(workers) as pool:
        period = POLICIES[policy]
        job: Callable[[Any], None]
        if period is None:
            model = _PerSku(env)
            job, every, keys = model.poll, poll, [a.id for a in env.accounts]
        else:
            job, every, keys = (lambda t: _full(env, t)), period, sorted(env.by_tenant)
        ready.write_text("ready\n", encoding="utf-8")
        start = time.monotonic()
        queue = [(start + rng.uniform(0, every), k) for k in keys]
        heapq.heapify(queue)
        busy: dict[Any, Future[None]] = {}
        while not stop.is_set():
            due, key = queue[0]
            if stop.wait(max(0.0, due - time.monotonic())):
                break
            heapq.heapreplace(queue, (due + every, key))
            running = busy.get(key)
            if running is None or running.done():
                busy[key] = pool.submit(job, key)
        pool.shutdown(wait=True, cancel_futures=True)  # queued syncs are dropped on stop
    env.close()
