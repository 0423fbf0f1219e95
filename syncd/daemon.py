"""``syncd run``: the long-running service.

A heap of per-account timers decides what is due (``schedule`` keeps only the few
coarse periodic tasks); the work waits in lanes (``syncd.lanes``), one per
marketplace app's rate-limit bucket, and a bounded set of workers takes it from the
lane whose bucket can serve now, so one marketplace at its limit, or one slow shop,
never delays the others. Per channel account there are four jobs:

======== ============================================================ =============
job      what                                                         default every
======== ============================================================ =============
push     pull the channel's new orders, then push pending stock/price push_every
pull     pull orders (catches sales even when nothing is pending)     poll_every
refresh  refresh tokens ahead of expiry                               5 minutes
discover read the shop's listings, bind by SKU, note what it shows    24 hours
======== ============================================================ =============

Within a lane the order is: pushes of stock decreases, of increases, of prices, token
refreshes, pulls woken by a webhook (:meth:`Daemon.wake`), routine polls, then
discovery and reconciliation; at one priority the tenants take turns. A push is never
queued behind a routine poll: an account waiting with a poll moves up when a push for
it comes.

Webhooks (``syncd.webhooks``): every second the inbox is drained, each shop with a
delivery gets a pull at webhook priority (:meth:`Daemon.wake`), and a shop whose
webhooks arrive (one accepted within ``webhooks_fresh``) is polled only every
``safety_net`` (lost deliveries are caught there). The net counts from the shop's last
pull that read its orders: while woken pulls come more often than ``safety_net``, no
routine poll runs on top of them (they read the same orders), except to read a return
list (Shopee, TikTok), which any shop's polls read only every ``returns``.

Besides these, once a minute a notification round (``syncd.notify.tick``: events and
facts become messages, what is due is sent) runs on a thread of its own, so a slow
endpoint never delays a job; it never raises.

``push`` is not scheduled per account: every ``push_every`` one query finds the
accounts with pending changes (and whether a decrease is among them) and only those
get a push job (a cooperative of 600 shops would otherwise queue 300 empty checks a
second). Each account's ``pull`` starts at its own offset within the interval, so
polls are spread out instead of arriving together.

Pace from the budget: per lane, the poll interval the app's rate allows for the shops
it serves (calls per poll × shops / rate) is computed whenever accounts are loaded;
when the asked ``poll_every`` cannot be kept it is said once (a ``daemon.pacing``
warning event and log line, shown by ``syncd status``), with the interval really
achieved once measured (:meth:`Daemon.pacing`). Polls are then simply served as the
budget allows: a poll that comes due while the account's previous one still waits
folds into it, so the queue never grows past one per shop.

Jobs never overlap for the same account: a job that comes due while another job of
that account runs (or waits in its lane) is deferred and runs as soon as that one
ends; repeats of a deferred job fold into one. Nothing is dropped. Every job's
exception is caught, logged, recorded in ``job_run`` and counted; none escapes into
the loop. Last-run times are persisted, so a restart does not rediscover everything
at once. SIGTERM/SIGINT stop scheduling and let in-flight jobs finish (warm; what
still waits in a lane is left for the next start: pending changes stay in the outbox);
a second signal exits at once (cold). A heartbeat row is written every loop.

Every thread (the loop and each worker) has its own SQLite connection; writes
are serialized by the store's cross-process writer lock, so the daemon's threads
and CLI commands take turns.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import heapq
import itertools
import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Final

import schedule
import structlog

from syncd import credentials, events, horizon, sync
from syncd.catalog import now
from syncd.errors import AdapterError, NeedsReauth
from syncd.http import calls_here
from syncd.lanes import (
    PRIORITY,
    UPKEEP_SHARE,
    Lanes,
    bucket_wait,
    budget_interval,
    polls_late,
    upkeep_interval,
)
from syncd.log import clean
from syncd.store import Store
from syncd.telemetry import job_waits, observe_job_wait

__all__ = ["Daemon", "Intervals", "Pace"]

_log = structlog.get_logger("syncd.daemon")
_PRIORITY_NAMES: Final = {v: k for k, v in PRIORITY.items()}
#: seconds a shop's read-back waits, while its lane's cost is being measured, before it
#: is looked at again (``Daemon._hold_reconcile``)
PROBE_WAIT: Final = 30.0
#: seconds after which a read-back that was to measure its lane's cost and has not ended
#: is given up (its shop removed, its job dropped), and another shop's measures
PROBE_STALE: Final = 900.0
#: an idle worker's longest sleep when no job is queued anywhere (queueing one wakes a
#: worker at once; this only bounds how long a lost wake-up could go unnoticed)
IDLE_WAIT: Final = 5.0
#: the long-lived heap (runtimes, clients, caches) is frozen out of the cyclic collector
#: after each accounts round (:meth:`Daemon.settle_heap`), and thawed for one full
#: collection this often, so cycles among frozen objects that became garbage (a removed
#: shop's runtime) are still freed
HEAP_THAW: Final = 3600.0
JOBS = ("push", "refresh", "pull", "discover", "reconcile")  # deferred, at one priority: this order


def _job_order(job: str) -> int:
    return JOBS.index(job) if job in JOBS else len(JOBS)


@dataclass(frozen=True, slots=True)
class Intervals:
    """How often each job runs, in seconds."""

    push: float = 2.0
    pull: float = 30.0
    refresh: float = 300.0
    discover: float = 86_400.0
    reconcile: float = 1_800.0  # read every listing back and explain each difference
    reconcile_grace: float = 60.0  # a value answered this recently may not show yet
    accounts: float = 30.0  # look for new or changed channel accounts
    webhooks: float = 1.0  # turn webhook deliveries in the inbox into pulls (syncd.webhooks)
    safety_net: float = 120.0  # the poll of a shop whose webhooks arrive (lost ones: caught)
    #: a shop's return list (where listed apart) is read this often, at a routine poll:
    #: returns restock after inspection, so minutes cost nothing a buyer sees, and read at
    #: every poll they were a third of the calls of 1,000 polled members
    returns: float = 900.0
    webhooks_fresh: float = 86_400.0  # a shop's webhooks count as arriving this long after one
    notify: float = 60.0  # turn events into notifications and send what is due
    lost_pushes: float = 300.0  # read Shopee's lost pushes (get_lost_push_message), wake


class _Collector:
    """The cyclic garbage collector's work in this process, per generation: runs, seconds
    and objects freed (a ``gc.callbacks`` entry; logged as ``daemon.gc`` at close)."""

    def __init__(self) -> None:
        self.runs = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self.freed = [0, 0, 0]
        self._began = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
            return
        g = min(int(info.get("generation", 2)), 2)
        self.runs[g] += 1
        self.seconds[g] += time.perf_counter() - self._began
        self.freed[g] += int(info.get("collected", 0))

    def summary(self) -> dict[str, Any]:
        return {
            "runs": list(self.runs),
            "seconds": [round(x, 3) for x in self.seconds],
            "freed": list(self.freed),
        }


@dataclass(slots=True)
class Pace:
    """One lane's poll pacing: what was asked, what its budget allows, what it achieves."""

    lane: str
    marketplace: str
    shops: int
    rate: float  # the app bucket's sustained calls/s (math.inf: no bucket)
    asked: float
    allowed: float  # the shortest interval the budget allows for these shops
    achieved: float | None = None  # the measured mean between one shop's polls
    #: the measured wait of routine polls for a worker (smoothed): pushes and webhook
    #: pulls ahead of them, or a full bucket, hold them back this long
    late: float | None = None
    #: how long the oldest routine poll still waiting has waited (one that never
    #: starts is the most late of all), at the last :meth:`Daemon._pace`
    waiting: float = 0.0
    warned: bool = False
    #: calls one shop's read-back (reconcile) takes, measured (smoothed); None: none yet
    reconcile_calls: float | None = None
    #: when that was first measured (monotonic): the first round of read-backs still to
    #: come spreads over the paced interval from then
    measured_at: float | None = None
    #: the reconcile interval the lane keeps (``Intervals.reconcile``, or longer where
    #: that would take more than ``UPKEEP_SHARE`` of the budget); 0: not paced yet
    reconcile_every: float = 0.0
    upkeep_said: bool = False
    #: when ``daemon.behind`` was said: every worker was in a job while the lane's
    #: bucket had tokens, so what its polls wait for is a worker, not the budget or the
    #: pushes ahead (the warning says which)
    workers_busy: bool = False

    @property
    def lateness(self) -> float:
        """How late the lane's routine polls are: started late, or still waiting."""
        return max(self.late or 0.0, self.waiting)

    @property
    def behind(self) -> bool:
        """Routine polls fall behind what was asked, measured (:func:`polls_late`)."""
        return polls_late(self.lateness, self.asked)


@dataclass
class Daemon:
    """The scheduler, the worker pool and the per-account runtimes."""

    db_path: Path
    workers: int = 4
    intervals: Intervals = field(default_factory=Intervals)
    transport: Any = None  # injected httpx transport (tests); None = real network
    master_key: Path | None = None  # the config's master_key (credentials.key_source)
    on_job: Callable[[str, int, str], None] | None = None  # (job, account, outcome) hook
    retention_days: int = 90  # events and the push log are pruned daily past this
    settings: Any = None  # syncd.config.Settings ([notify], [web] public_url); None: defaults
    #: (k, n): serve only the tenants whose id % n == k, for the measurement of a second
    #: process (bench/coop.py --processes; ARCHITECTURE.md "One process"). Experimental:
    #: shard 0 alone runs the cooperative-wide tasks (prune, notifications, webhooks).
    shard: tuple[int, int] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    runtimes: dict[int, sync.AccountRuntime] = field(default_factory=dict)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("ok", "failed", "skipped", "deferred", "named_reads"), 0
        )
    )

    def __post_init__(self) -> None:
        from syncd.http import Limiter  # noqa: PLC0415

        self._local = threading.local()
        self._stores: list[Store] = []
        #: account → (job, priority) queued in its lane or running: one per account
        self._assigned: dict[int, tuple[str, int]] = {}
        self._running: set[int] = set()
        #: (account, job) → monotonic time it came due, until a worker starts it
        self._due_at: dict[tuple[int, str], float] = {}
        #: account → job → priority: what came while it was busy, run when it is free
        self._deferred: dict[int, dict[str, int]] = {}
        self._busy_lock = threading.Lock()
        self._work = threading.Condition(self._busy_lock)  # a lane got work, or a job ended
        self._lanes = Lanes(self.workers)
        self._lane_of: dict[int, str] = {}  # account → its lane's key
        self._threads: list[threading.Thread] = []
        self._closing = False
        #: per-account timers: (due on the monotonic clock, order, account, job)
        self._timers: list[tuple[float, int, int, str]] = []
        self._timer_order = itertools.count()
        #: account → (when its timers were set, its place in the spread: 0..1) until its
        #: first read-back: spread over the lane's paced interval once that is known
        self._first_reconcile: dict[int, tuple[float, float]] = {}
        #: lane → (account, since when) whose read-back is measuring the lane's cost:
        #: the others' wait for it (``_hold_reconcile``)
        self._probing: dict[str, tuple[int, float]] = {}
        self._paces: dict[str, Pace] = {}
        self._hooked: set[int] = set()  # accounts whose webhooks arrive (safety-net polls)
        self._siblings: dict[int, list[int]] = {}  # tenant → its accounts (load_accounts)
        self._live = False  # ``run`` (not ``run_once``): the inbox is drained as it fills
        self._watching = False  # /metrics reads this daemon's pacing (``_watch_pacing``)
        self._last_poll: dict[int, float] = {}  # account → monotonic start of its last poll
        #: account → monotonic start of its last pull that read orders, and returns
        self._pulled_at: dict[int, float] = {}
        self._returns_at: dict[int, float] = {}
        self._heap_thawed = -math.inf  # monotonic time of the last thawed collection
        self._idle = 0  # workers waiting for a job (changed under ``_work``)
        self._collector: _Collector | None = None  # while ``run`` runs (``daemon.gc``)
        #: account → the orders its webhooks named since its last pull started (a pull
        #: woken by them reads just those, ``sync.read_named_orders``), or None: news
        #: that named no order (a lost push, a delivery of another kind): walk the list
        self._named: dict[int, set[str] | None] = {}
        self._scheduler = schedule.Scheduler()
        self._limiter = Limiter()
        self._signals = 0
        self._vault = credentials.Vault(credentials.load_key(self.db_path, self.master_key))
        self._started = now()
        #: why an account could not start (account id → error), and every failed job
        #: as (account name, job, error): what ``run --once`` reports
        self.unavailable: dict[int, tuple[str, str]] = {}
        self.not_connected: dict[int, str] = {}  # account id → name: `channel connect` first
        self.problems: list[tuple[str, str, str]] = []
        #: notification rounds run on one thread of their own (its connection is kept)
        self._notifier = ThreadPoolExecutor(1, thread_name_prefix="syncd-notify")
        self._notifying: Future[None] | None = None

    # -- stores and runtimes --------------------------------------------------

    def _store(self) -> Store:
        """This thread's connection (opened on first use)."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.db_path, group=True)  # its commits batched with the others'
            self._local.store = store
            with self._busy_lock:
                self._stores.append(store)
        return store

    def _runtime(self, account: sync.Account) -> sync.AccountRuntime:
        rt = self.runtimes.get(account.id)
        if rt is None or rt.account != account:
            if rt is not None and rt.adapter is not None:
                rt.adapter.close()
            rt = sync.build_runtime(
                self._store(), self._vault, account, limiter=self._limiter, transport=self.transport
            )
            self.runtimes[account.id] = rt
            self._place(rt)
        return rt

    def _place(self, rt: sync.AccountRuntime) -> None:
        """Put the account in the lane of its app's rate-limit bucket (``adapters.kit``
        names it ``<marketplace>:app:<app>``); an adapter without one gets a lane of its
        marketplace's name, never limited."""
        key, bucket = rt.account.marketplace, None
        adapter: Any = rt.adapter
        with contextlib.suppress(Exception):  # not an HTTP adapter: no shared bucket
            from syncd.http import bucket_for_limit  # noqa: PLC0415

            cls = type(adapter)
            settings = adapter.settings
            key = f"{cls.name}:app:{cls.app_id(adapter.ctx, settings)}"
            bucket = bucket_for_limit(
                self._limiter, key, settings.app_rps or cls.rate_limits.app_rps
            )
        with self._busy_lock:
            self._lanes.lane(key, bucket)
            self._lane_of[rt.account.id] = key

    def load_accounts(self) -> list[sync.Account]:
        """(Re)load accounts and schedule jobs for new ones."""
        from adapters import UnknownAdapter  # noqa: PLC0415

        accounts = sync.load_accounts(self._store())
        if self.shard is not None:
            k, n = self.shard
            accounts = [a for a in accounts if a.tenant_id % n == k]
        for gone in set(self.runtimes) - {a.id for a in accounts}:  # removed channels
            self._forget(gone)
        for account in accounts:
            known = account.id in self.runtimes
            if self._servable(account) and not self._connected(account):  # not an error
                self.not_connected[account.id] = account.name
                self.unavailable.pop(account.id, None)
                continue
            self.not_connected.pop(account.id, None)
            try:
                self._runtime(account)
                self.unavailable.pop(account.id, None)
            except (UnknownAdapter, Exception) as exc:  # noqa: BLE001 - never stop the daemon
                self.unavailable[account.id] = (account.name, f"{type(exc).__name__}: {exc}")
                events.record(
                    self._store(),
                    "account.unavailable",
                    f"cannot start: {exc}",
                    level="error",
                    tenant_id=account.tenant_id,
                    account_id=account.id,
                )
                continue
            if not known:
                self._schedule(account.id)
        self._hooked = self._webhook_accounts()
        siblings: dict[int, list[int]] = {}
        for account_id, rt in list(self.runtimes.items()):
            siblings.setdefault(rt.account.tenant_id, []).append(account_id)
        self._siblings = siblings
        self._pace()
        return accounts

    @property
    def _coop_wide(self) -> bool:
        """This process runs the cooperative-wide tasks (all but shards 1..n-1)."""
        return self.shard is None or self.shard[0] == 0

    def _webhook_accounts(self) -> set[int]:
        """Accounts whose webhooks arrive (one accepted within ``webhooks_fresh``): they
        are polled only every ``safety_net``."""
        since = (
            dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.intervals.webhooks_fresh)
        ).isoformat(timespec="milliseconds")
        try:
            rows = self._store().conn.execute(
                "SELECT id FROM channel_account WHERE webhooks_at >= ?", (since,)
            )
            return {account_id for (account_id,) in rows.fetchall()}
        except Exception:  # noqa: BLE001 - a database before v9: no webhooks yet
            return set()

    def poll_every(self, account_id: int) -> float:
        """The account's routine poll interval: ``pull``, or ``safety_net`` (when that is
        longer) for a shop whose webhooks arrive."""
        if account_id in self._hooked:
            return max(self.intervals.pull, self.intervals.safety_net)
        return self.intervals.pull

    @staticmethod
    def _servable(account: sync.Account) -> bool:
        """An installed adapter serves its marketplace (else building it reports why)."""
        from adapters import UnknownAdapter, load  # noqa: PLC0415

        try:
            load(account.marketplace)
        except UnknownAdapter:
            return False
        return True

    def _connected(self, account: sync.Account) -> bool:
        """The shop authorized syncd (tokens stored) and its app secret is there. Secrets
        that do not open are the runtime's error to report (cannot decrypt)."""
        from syncd.errors import UserError  # noqa: PLC0415

        try:
            sealed = credentials.load(self._store(), self._vault, account.tenant_id, account.id)
        except UserError:
            return True
        return sealed.tokens is not None and bool(sealed.app)

    def _forget(self, account_id: int) -> None:
        """A removed channel: no more jobs, adapter closed."""
        rt = self.runtimes.pop(account_id, None)  # its timers lapse when they come due
        self._last_poll.pop(account_id, None)
        with self._busy_lock:  # a job of it that never started: no wait to observe
            for key in [k for k in self._due_at if k[0] == account_id]:
                del self._due_at[key]
            self._first_reconcile.pop(account_id, None)
        if rt is not None and rt.adapter is not None:
            rt.adapter.close()

    def _every(self, job: str) -> float:
        every = self.intervals
        return {
            "pull": every.pull,
            "refresh": every.refresh,
            "discover": every.discover,
            "reconcile": every.reconcile,
        }[job]

    def _interval(self, account_id: int, job: str) -> float:
        """How long until the account's next ``job``: its poll interval for a pull, its
        lane's paced read-back interval for a reconcile (caller holds ``_busy_lock``)."""
        if job == "pull":
            return self.poll_every(account_id)
        if job == "reconcile":
            pace = self._paces.get(self._lane_of.get(account_id, ""))
            if pace is not None and pace.reconcile_every > 0:
                return pace.reconcile_every
        return self._every(job)

    def _hold_reconcile(
        self, account_id: int, job: str, now_at: float, seconds: float
    ) -> float | None:
        """When to look again at a read-back that came due, or None: run it now (and
        for any other ``job``). Caller holds ``_busy_lock``; ``seconds``: the lane's
        paced interval (:meth:`_interval`).

        Until its lane's read-back cost is measured, one shop's read-back measures it
        and the others wait (looked at again every ``PROBE_WAIT`` s, or sooner when asked
        more often): a city's lane would otherwise queue a read-back for every shop
        whose place in the asked interval passed before any was measured. Then a shop's
        first read-back keeps its place in the spread over the paced interval, counted
        from when the cost was known (or its timers were set, if later)."""
        if job != "reconcile":
            return None
        lane = self._lane_of.get(account_id, "")
        pace = self._paces.get(lane)
        if pace is None or pace.reconcile_calls is None:
            probe = self._probing.get(lane)
            # a probe whose shop was removed, or that never ran (its job dropped), is
            # given up after a while: another shop measures
            if probe is not None and probe[0] in self.runtimes and now_at - probe[1] < PROBE_STALE:
                return now_at + min(seconds, PROBE_WAIT)
            self._probing[lane] = (account_id, now_at)
            return None
        first = self._first_reconcile.get(account_id)
        if first is not None:
            # from when the cost was known: places that passed while it was measured do
            # not all come due at once
            place = max(first[0], pace.measured_at or first[0]) + first[1] * seconds
            if place > now_at + 0.5:
                return place
        self._first_reconcile.pop(account_id, None)
        return None

    def _schedule(self, account_id: int) -> None:
        """The account's timers: pull and reconcile spread over their interval (golden
        ratio), refresh and discover one interval from now."""
        start = time.monotonic()
        spread = (account_id * 0.6180339887) % 1.0
        with self._busy_lock:
            self._first_reconcile[account_id] = (start, spread)
            for job in ("pull", "refresh", "discover", "reconcile"):
                seconds = self._every(job)
                offset = spread * seconds if job in ("pull", "reconcile") else seconds
                heapq.heappush(
                    self._timers, (start + offset, next(self._timer_order), account_id, job)
                )

    def _run_timers(self) -> float:
        """Hand every timer that came due to its lane; the seconds until the next one."""
        now_at = time.monotonic()
        due: list[tuple[int, str]] = []
        with self._busy_lock:
            while self._timers and self._timers[0][0] <= now_at:
                at, _, account_id, job = heapq.heappop(self._timers)
                if account_id not in self.runtimes:  # removed: its timers end here
                    continue
                seconds = self._interval(account_id, job)
                hold = self._hold_reconcile(account_id, job, now_at, seconds)
                if hold is not None:
                    heapq.heappush(self._timers, (hold, next(self._timer_order), account_id, job))
                    continue
                if job == "refresh" and not self._refresh_soon(account_id, seconds):
                    heapq.heappush(  # nothing to renew before the next check: no job at all
                        self._timers, (now_at + seconds, next(self._timer_order), account_id, job)
                    )
                    continue
                covered = self._covered(account_id, now_at) if job == "pull" else None
                if covered is not None:  # a woken pull read its orders: the net starts there
                    heapq.heappush(
                        self._timers,
                        (covered + seconds, next(self._timer_order), account_id, job),
                    )
                    self._last_poll[account_id] = covered  # pacing: that pull was this poll
                    continue
                again = at + seconds if at + seconds > now_at else now_at + seconds
                heapq.heappush(self._timers, (again, next(self._timer_order), account_id, job))
                due.append((account_id, job))
            soonest = self._timers[0][0] - now_at if self._timers else math.inf
        for account_id, job in due:
            self.due(job, account_id)
        return soonest

    def _refresh_soon(self, account_id: int, seconds: float) -> bool:
        """Whether the account's refresh job should run now: its access token (as this
        process last read it) is due for renewal before the check after this one. A
        newer pair stored meanwhile (another process, a new authorization) only expires
        later, so a token read as far from due is far from due. Unknown tokens: run.
        Before, every account's check ran as a job every ``refresh`` seconds (a flock, a
        read, a decryption and two job marks each: 10,000 shops, 20,000 transactions in
        one burst every 5 minutes). The caller holds ``_busy_lock``."""
        rt = self.runtimes.get(account_id)
        if rt is None or rt.adapter is None:
            return True
        if rt.adapter.auth_kind == "api_key":
            return False  # a static key: nothing ever to renew (``sync.refresh_tokens``)
        tokens = rt.tokens
        if tokens is None:
            return True
        ahead = sync.REFRESH_AHEAD + dt.timedelta(seconds=seconds)
        return bool(tokens.access_expires_at - ahead <= rt.adapter.ctx.now())

    def _covered(self, account_id: int, now_at: float) -> float | None:
        """When a hooked shop's routine poll is not needed: a pull read its orders within
        ``safety_net`` (and its returns, when listed apart, within ``returns``), so the
        safety net counts from that pull. Returns when it started; None: poll now. The
        caller holds ``_busy_lock``."""
        if account_id not in self._hooked:
            return None
        pulled = self._pulled_at.get(account_id)
        if pulled is None or now_at - pulled >= self.poll_every(account_id):
            return None
        rt = self.runtimes.get(account_id)
        lists = rt is not None and rt.adapter is not None and rt.adapter.lists_returns
        return None if lists and self._returns_stale(account_id, now_at) else pulled

    def _returns_stale(self, account_id: int, now_at: float) -> bool:
        """A routine poll reads the return list every ``returns`` (a shop's polls, or a
        hooked one's safety nets, would read it far more often than restocking after
        inspection needs). The caller holds ``_busy_lock``."""
        return now_at - self._returns_at.get(account_id, -math.inf) >= self.intervals.returns

    def push_due(self) -> None:
        """Hand a push job to every active account with pending changes (one query);
        one with a stock decrease pending (or a first value) goes first in its lane."""
        rows = self._store().conn.execute(
            "SELECT o.channel_account_id, MIN(CASE WHEN o.field = 'price' THEN 2 "
            "WHEN o.sent_value IS NULL OR o.desired < o.sent_value THEN 0 ELSE 1 END) "
            "FROM outbox o JOIN channel_account c ON c.id = o.channel_account_id "
            "WHERE o.status IN ('pending', 'failed') AND c.accepted_at IS NOT NULL "
            "AND c.paused_at IS NULL AND (o.field = 'stock' OR c.price_sync = 'push') "
            "GROUP BY o.channel_account_id"
        )
        kinds = ("push_decrease", "push_increase", "push_price")
        for account_id, kind in rows.fetchall():
            if account_id in self.runtimes:
                self.due("push", account_id, PRIORITY[kinds[kind]])

    # -- running jobs -----------------------------------------------------------

    @staticmethod
    def _priority(job: str) -> int:
        return PRIORITY.get("push_decrease" if job == "push" else job, PRIORITY["pull"])

    def submit(self, job: str, account_id: int, priority: int | None = None) -> None:
        """Queue a job in the account's lane; for a busy account (a job of it waits or
        runs), defer it until the account is free (repeats fold into one). ``priority``
        (``syncd.lanes.PRIORITY``): by default the job's own (a push: a decrease's)."""
        if self.stop.is_set():
            return
        prio = self._priority(job) if priority is None else priority
        with self._work:
            if account_id in self._assigned:
                self._defer(account_id, job, prio)
                self.counts["deferred"] += 1
                return
            self._queue(account_id, job, prio)

    def due(self, job: str, account_id: int, priority: int | None = None) -> None:
        """A job came due (a timer, a pending change, a wake): like :meth:`submit`, but
        folded into the same job already waiting in the lane (moved up to ``priority``
        when that is more urgent), so a backlog never holds two of one job per account."""
        if self.stop.is_set():
            return
        prio = self._priority(job) if priority is None else priority
        with self._work:
            waiting = self._assigned.get(account_id)
            if waiting is not None and account_id not in self._running and waiting[0] == job:
                if prio < waiting[1]:
                    self._assigned[account_id] = (job, prio)
                    self._requeue(account_id, prio)
                return
            if waiting is not None:
                self._defer(account_id, job, prio)
                self.counts["deferred"] += 1
                return
            self._queue(account_id, job, prio)

    def wake(self, account_id: int, reason: str, orders: Sequence[str] | None = None) -> None:
        """A webhook (or anything else) says this account has news: a pull at "webhook"
        priority, ahead of routine polls and behind stock pushes. Folded into a pull
        already waiting (which moves up); one that comes while a pull runs gets one more
        pull after it (the running one may have read the orders before the news).

        ``orders``: the news is these orders (a Shopee order push names its order): the
        pull reads just them where the adapter can (one call, not a walk of the list),
        unless other news without names waits too or the safety-net poll is due."""
        if account_id not in self.runtimes:
            return
        _log.debug("daemon.wake", account=account_id, reason=reason)
        with self._work:
            if orders and account_id not in self._named:
                self._named[account_id] = set(orders)
            elif orders and (have := self._named[account_id]) is not None:
                have.update(orders)
            elif not orders:
                self._named[account_id] = None
        self.due("pull", account_id, PRIORITY["pull_webhook"])

    def _defer(self, account_id: int, job: str, prio: int) -> None:
        """Caller holds the lock. Keep ``job`` for later; a waiting account moves up."""
        later = self._deferred.setdefault(account_id, {})
        later[job] = min(prio, later.get(job, prio))
        self._due_at.setdefault((account_id, job), time.monotonic())
        if account_id not in self._running:
            self._requeue(account_id, prio)

    def _queue(self, account_id: int, job: str, prio: int) -> None:
        """Caller holds the lock: ``job`` is the account's, waiting in its lane."""
        self._assigned[account_id] = (job, prio)
        self._due_at.setdefault((account_id, job), time.monotonic())
        self._requeue(account_id, prio)
        self._start_workers()

    def _requeue(self, account_id: int, prio: int) -> None:
        rt = self.runtimes.get(account_id)
        tenant = rt.account.tenant_id if rt else 0
        self._lanes.put(self._lane_of.get(account_id, ""), tenant, account_id, prio)
        self._work.notify()

    def _start_workers(self) -> None:
        """Caller holds the lock: the workers start with the first job."""
        while len(self._threads) < self.workers:
            thread = threading.Thread(
                target=self._worker, name=f"syncd-job-{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _worker(self) -> None:
        """Take the next account from the lane that can serve now; run its most urgent job."""
        while True:
            with self._work:
                while True:
                    got = math.inf if self.stop.is_set() else self._lanes.take()
                    if isinstance(got, str):
                        account_id = self._lanes.lanes[got].pop()
                        if account_id is not None and account_id in self._assigned:
                            break
                        self._lanes.release(got)  # nothing left there after all
                        continue
                    if self._closing and (not self._assigned or self.stop.is_set()):
                        return
                    # no work at all: sleep until some is queued (``_requeue`` notifies)
                    self._idle += 1
                    try:
                        self._work.wait(IDLE_WAIT if got == math.inf else min(got, 0.5))
                    finally:
                        self._idle -= 1
                lane = got
                job, prio = self._assigned[account_id]
                later = self._deferred.get(account_id)
                if later:  # something more urgent came while it waited: that first
                    best = min(later, key=lambda j: (later[j], _job_order(j)))
                    if later[best] < prio:
                        best_prio = later.pop(best)
                        later[job] = min(prio, later.get(job, prio))
                        job, prio = best, best_prio
                        self._assigned[account_id] = (job, prio)
                self._running.add(account_id)
                since = self._due_at.pop((account_id, job), None)
                # what webhooks named until now is this pull's; later news, the next one's
                named = self._named.pop(account_id, None) if job == "pull" else None
            if since is not None:
                self._observe_wait(account_id, prio, time.monotonic() - since)
            try:
                self._run_job(job, account_id, prio, named)
            finally:
                with self._work:
                    self._lanes.release(lane)
                    # one waiter: any can take what the freed place allows (all 64
                    # woken at each job's end were ~1/9 of a webhook daemon's GIL time)
                    self._work.notify()

    def _probed(self, job: str, account_id: int) -> None:
        """A read-back ended, measured or not (failed, not due): if it was measuring its
        lane's cost, another shop's may now (``_hold_reconcile``)."""
        if job == "reconcile":
            with self._busy_lock:
                lane = self._lane_of.get(account_id, "")
                if self._probing.get(lane, (None,))[0] == account_id:
                    del self._probing[lane]

    def _observe_reconcile(self, account_id: int, calls: int) -> None:
        """What one shop's read-back cost its lane (``Pace.reconcile_calls``)."""
        with self._busy_lock:
            pace = self._paces.get(self._lane_of.get(account_id, ""))
            if pace is not None:
                seen = pace.reconcile_calls
                pace.reconcile_calls = calls if seen is None else 0.8 * seen + 0.2 * calls
                if pace.measured_at is None:
                    pace.measured_at = time.monotonic()

    def _observe_wait(self, account_id: int, prio: int, seconds: float) -> None:
        """``/metrics`` (``syncd_job_wait_seconds``): how long a job waited for a worker."""
        rt = self.runtimes.get(account_id)
        if rt is not None:
            observe_job_wait(rt.account.marketplace, _PRIORITY_NAMES.get(prio, "?"), seconds)
        if prio == PRIORITY["pull"]:  # a routine poll: how far behind its lane is
            with self._busy_lock:
                pace = self._paces.get(self._lane_of.get(account_id, ""))
                if pace is not None:
                    pace.late = seconds if pace.late is None else 0.8 * pace.late + 0.2 * seconds

    def _due(self, store: Store, job: str, rt: sync.AccountRuntime) -> bool:
        if rt.account.status != "active" or rt.account.paused:
            return False
        if job == "push":
            fields = [f for f in ("stock", "price") if rt.account.pushes(f)]
            marks = ",".join("?" * len(fields))
            return bool(fields) and bool(
                store.scalar(
                    "SELECT 1 FROM outbox WHERE channel_account_id = ? "
                    f"AND status IN ('pending', 'failed') AND field IN ({marks}) LIMIT 1",
                    (rt.account.id, *fields),
                )
            )
        if job == "reconcile":  # only what syncd pushes can drift from what it pushed
            return rt.account.pushes("stock")
        if job == "discover":
            last = store.scalar(
                "SELECT last_ok FROM job_run WHERE channel_account_id = ? AND job = 'discover'",
                (rt.account.id,),
            )
            return last is None or dt.datetime.fromisoformat(last) < dt.datetime.now(
                dt.UTC
            ) - dt.timedelta(seconds=self.intervals.discover)
        return True

    def _run_job(
        self,
        job: str,
        account_id: int,
        priority: int | None = None,
        named: set[str] | None = None,
    ) -> None:
        """Run one job; every exception is caught, logged, recorded and counted.
        ``named``: the orders webhooks named for this pull (:meth:`wake`)."""
        outcome = "skipped"
        store = self._store()
        self._local.marks = None  # this job's ``job_run`` marks (sync.JobMarks), once due
        self._local.priority = priority
        self._local.named = named
        if job == "pull" and priority == PRIORITY["pull"]:
            self._polled(account_id)
        try:
            rt = self.runtimes[account_id]
            account = sync.load_account(store, account_id)  # paused, accepted, removed: now
            if account is None:
                return
            if account != rt.account:
                rt = self._runtime(account)
            if not self._due(store, job, rt):
                return
            # a push or pull's start mark rides in its first order page, a pull's ok mark
            # in its last (one transaction per poll page); the other jobs mark it now
            self._local.marks = sync.JobMarks(rt.account.tenant_id, account_id, job)
            if job not in ("push", "pull"):
                self._mark(store, account_id, rt.account.tenant_id, job, started=True)
            with structlog.contextvars.bound_contextvars(
                tenant=rt.account.tenant_id, account=account_id, job=job
            ):
                self._dispatch(store, job, rt)
            self._mark(store, account_id, rt.account.tenant_id, job, ok=True)  # unless done
            outcome = "ok"
        except NeedsReauth as exc:
            outcome = "failed"
            self._fail(store, account_id, job, exc)
            with contextlib.suppress(Exception):
                sync.pause(store, self.runtimes[account_id], exc)
        except Exception as exc:  # noqa: BLE001 - one escaping would stop the loop
            outcome = "failed"
            self._fail(store, account_id, job, exc)
        finally:
            self._local.marks = None
            self._probed(job, account_id)
            with self._work:
                self._running.discard(account_id)
                self._assigned.pop(account_id, None)
                self.counts[outcome] = self.counts.get(outcome, 0) + 1
                waiting = self._deferred.pop(account_id, None)
                if waiting and not self.stop.is_set():  # the most urgent next; the rest wait
                    after = min(waiting, key=lambda j: (waiting[j], _job_order(j)))
                    self._queue(account_id, after, waiting.pop(after))
                    if waiting:
                        self._deferred[account_id] = waiting
            if self.on_job:
                self.on_job(job, account_id, outcome)

    def _dispatch(self, store: Store, job: str, rt: sync.AccountRuntime) -> None:
        if job in ("push", "pull"):
            marks: sync.JobMarks | None = getattr(self._local, "marks", None)
            prio = getattr(self._local, "priority", None)
            if job == "pull" and self._read_named(store, rt, marks, prio):
                pass  # the named orders were read: the list waits for the safety net
            elif job == "pull" or not self._news_by_webhook(store, rt.account.id):
                # returns are not urgent: read at the routine polls, not at every pull a
                # webhook or a push causes, and only every ``returns``
                returns = job == "pull" and prio in (None, PRIORITY["pull"])
                with self._busy_lock:
                    returns = returns and self._returns_stale(rt.account.id, time.monotonic())
                started = time.monotonic()
                pulled = sync.pull_orders(  # a push pulls first (unless webhooks say no news)
                    store, rt, marks=marks, ends_job=job == "pull", returns=returns
                )
                with self._busy_lock:
                    self._pulled_at[rt.account.id] = started
                    if returns:
                        self._returns_at[rt.account.id] = started
                if pulled.movements:
                    self._wake_siblings(rt)
            if job == "push":
                refused = [
                    f"{f} {r.failed} of {r.sent} refused ({r.first_error})"
                    for f, r in sync.push_pending(store, rt, marks=marks).items()
                    if r.failed
                ]
                if refused:  # recorded per item already; the job did not do its work
                    raise sync.PushRefused("; ".join(refused))
        elif job == "refresh":
            sync.refresh_tokens(store, rt)
        elif job == "discover":
            sync.discover(store, rt)
        elif job == "reconcile":
            from syncd.reconcile import reconcile  # noqa: PLC0415

            calls = calls_here()
            reconcile(store, rt, grace=dt.timedelta(seconds=self.intervals.reconcile_grace))
            self._observe_reconcile(rt.account.id, calls_here() - calls)

    def _read_named(
        self,
        store: Store,
        rt: sync.AccountRuntime,
        marks: sync.JobMarks | None,
        prio: int | None,
    ) -> bool:
        """A woken pull whose news is only named orders, of a hooked shop whose list a
        pull walked within the safety net: read just those orders (one call) and say so.
        Else (a routine poll, or one folded into this wake and now due; news without
        names; an adapter that cannot) the caller walks the list."""
        named: set[str] | None = getattr(self._local, "named", None)
        if not named or prio != PRIORITY["pull_webhook"]:
            return False
        with self._busy_lock:  # the list walked within the safety net (returns aside:
            # a woken pull never reads them)
            pulled = self._pulled_at.get(rt.account.id)
            hooked = rt.account.id in self._hooked
        if not hooked or pulled is None:
            return False
        if time.monotonic() - pulled >= self.poll_every(rt.account.id):
            return False
        report = sync.read_named_orders(store, rt, sorted(named), marks=marks)
        if report is None:
            return False
        with self._work:
            self.counts["named_reads"] += 1
        if report.movements:
            self._wake_siblings(rt)
        return True

    def _news_by_webhook(self, store: Store, account_id: int) -> bool:
        """A push may skip its pull first: the running daemon (``run``, its drainer on)
        serves a shop whose webhooks arrive, no delivery for it waits in the inbox and no
        wake waits behind this job. Its news then comes as webhooks (within a second or
        so); a lost one is caught by the safety-net poll and Shopee's lost-push list, so
        the pull before a push would only read again what the last pull read."""
        if not self._live or account_id not in self._hooked:
            return False
        with self._busy_lock:
            if "pull" in self._deferred.get(account_id, {}):
                return False
        waiting = store.scalar(
            "SELECT 1 FROM webhook_inbox WHERE processed_at IS NULL "
            "AND channel_account_id = ? LIMIT 1",
            (account_id,),
        )
        return waiting is None

    def _wake_siblings(self, rt: sync.AccountRuntime) -> None:
        """New orders moved stock: the seller's other channels push now, not at their turn
        (a sale lowers stock: a decrease, first in their lanes)."""
        for other in self._siblings.get(rt.account.tenant_id, ()):
            if other != rt.account.id and other in self.runtimes:
                self.due("push", other, PRIORITY["push_decrease"])

    def _mark(
        self,
        store: Store,
        account_id: int,
        tenant_id: int,
        job: str,
        *,
        started: bool = False,
        ok: bool = False,
        error: str = "",
    ) -> None:
        """Write in a transaction of its own the ``job_run`` marks the job's own writes did
        not carry (``sync.JobMarks``): the start (``started``), or what is left of it and
        the ok mark (``ok``) or the failure (``error``). A job that failed before its first
        page still counts as run. Nothing is written when the poll's last page carried
        it all."""
        marks: sync.JobMarks | None = getattr(self._local, "marks", None)
        if marks is None or (marks.account_id, marks.job) != (account_id, job):
            # not this thread's job (or not started yet): a mark alone, not a new run
            marks = sync.JobMarks(tenant_id, account_id, job, started=not started)
        if started:
            marks.write(store)
        elif ok:
            marks.write(store, ok=True)
        else:
            marks.write(store, error=error)

    def _fail(self, store: Store, account_id: int, job: str, exc: Exception) -> None:
        rt = self.runtimes.get(account_id)
        tenant = rt.account.tenant_id if rt else None
        message = f"{type(exc).__name__}: {exc}"
        with self._busy_lock:
            self.problems.append((rt.account.name if rt else str(account_id), job, message))
        if isinstance(exc, AdapterError):  # the marketplace's answer, not a bug: no traceback
            _log.warning("job.failed", job=job, account=account_id, error=message)
        else:
            _log.error("job.crashed", job=job, account=account_id, exc_info=exc)  # scrubbed
        with contextlib.suppress(Exception):
            self._mark(store, account_id, tenant or 0, job, error=message)
        with contextlib.suppress(Exception):
            events.record(
                store,
                "job.failed",
                f"{job} failed: {message}",
                level="error",
                tenant_id=tenant,
                account_id=account_id,
                job=job,
            )

    # -- the loop ---------------------------------------------------------------

    def heartbeat(self) -> None:
        """Record that the loop is alive."""
        store = self._store()
        with store.write():
            store.conn.execute(
                "INSERT INTO daemon_heartbeat (id, pid, started_at, at) VALUES (1, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, "
                "started_at = excluded.started_at, at = excluded.at",
                (os.getpid(), self._started, now()),
            )

    def run_once(self) -> dict[str, int]:
        """Run every job of every account once (pull and push; refresh and discover when due)."""
        self.load_accounts()
        for job in ("refresh", "discover", "push", "pull"):
            for account_id in list(self.runtimes):
                self.submit(job, account_id)
                self.wait_idle()
        # what the last pulls changed (an order read again after being set aside) is sent
        # in this pass too: one pass leaves nothing it could send pending
        self.push_due()
        self.wait_idle()
        horizon.job(self._store())  # after the refresh: a renewed horizon clears
        self._notify_round()
        self.heartbeat()
        return dict(self.counts)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no job waits in a lane or runs."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._assigned:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _leave_queued(self) -> None:
        """Stopping: what waits in the lanes is left for the next start (pending changes
        stay in the outbox, polls come round again); only running jobs finish."""
        with self._work:
            left = [a for a in self._assigned if a not in self._running]
            for account_id in left:
                del self._assigned[account_id]
            self._deferred.clear()
            for lane in self._lanes.lanes.values():
                lane.levels.clear()
                lane.queued.clear()
            self._work.notify_all()
        if left:
            _log.info("daemon.left_queued", accounts=len(left))

    # -- pace from the budget -------------------------------------------------------

    def _polled(self, account_id: int) -> None:
        """A routine poll starts: measure the lane's achieved interval (mean, smoothed)."""
        at = time.monotonic()
        with self._busy_lock:
            last = self._last_poll.get(account_id)
            self._last_poll[account_id] = at
            pace = self._paces.get(self._lane_of.get(account_id, ""))
            if last is None or pace is None:
                return
            took = at - last
            pace.achieved = took if pace.achieved is None else 0.9 * pace.achieved + 0.1 * took

    def _polls_waiting(self) -> dict[str, float]:
        """Caller holds the lock. Per lane, how long its oldest routine poll still
        queued (or deferred behind the account's push) has waited for a worker."""
        at = time.monotonic()
        oldest: dict[str, float] = {}
        for (account_id, job), since in self._due_at.items():
            if job != "pull":
                continue
            assigned = self._assigned.get(account_id)
            if assigned is not None and assigned[0] == "pull":
                prio: int | None = assigned[1]
            else:
                prio = self._deferred.get(account_id, {}).get("pull")
            if prio != PRIORITY["pull"]:
                continue
            key = self._lane_of.get(account_id, "")
            oldest[key] = max(oldest.get(key, 0.0), at - since)
        return oldest

    def pacing(self) -> dict[str, Pace]:
        """Per lane (marketplace app): asked, allowed and achieved poll intervals."""
        with self._busy_lock:
            return {key: dataclasses.replace(p) for key, p in self._paces.items()}

    def _watch_pacing(self) -> None:
        """Let ``/metrics`` in this process read :meth:`pacing` (a daemon that is gone
        shows nothing: the reader holds it weakly)."""
        import weakref  # noqa: PLC0415

        from syncd import telemetry  # noqa: PLC0415

        me = weakref.ref(self)

        def lanes() -> list[telemetry.LanePace]:
            daemon = me()
            paces = daemon.pacing().values() if daemon is not None else ()
            return [
                telemetry.LanePace(
                    p.lane,
                    p.marketplace,
                    p.shops,
                    p.rate,
                    p.asked,
                    p.allowed,
                    p.achieved,
                    p.lateness,
                )
                for p in paces
            ]

        telemetry.watch_pacing(lanes)
        self._watching = True

    def _pace(self) -> None:
        """Per lane, the interval its budget allows for the shops it serves; said once
        (``daemon.pacing``: a warning event and log line, ``syncd status``) when the asked
        poll interval cannot be kept, as soon as the interval really achieved is measured
        (a shop polled twice: within about two allowed intervals of the start). ``/metrics``
        in this process (``syncd run --web``) reads :meth:`pacing` through
        ``syncd.telemetry.watch_pacing`` (registered at the first call)."""
        if not self._watching:
            self._watch_pacing()
        shops: dict[str, list[sync.AccountRuntime]] = {}
        for rt in list(self.runtimes.values()):
            shops.setdefault(self._lane_of.get(rt.account.id, ""), []).append(rt)
        asked = self.intervals.pull
        said: list[tuple[str, Pace]] = []  # (event kind, the lane's pace as it was said)
        with self._busy_lock:
            waiting = self._polls_waiting()
            for key, rts in shops.items():
                lane = self._lanes.lanes.get(key)
                rate = lane.bucket.rate if lane is not None and lane.bucket else math.inf
                # a shop whose webhooks arrive costs a safety-net poll, not a poll
                hooked = sum(1 for rt in rts if rt.account.id in self._hooked)
                load = len(rts) - hooked + hooked * asked / max(asked, self.intervals.safety_net)
                allowed = budget_interval(load, rate) if rate != math.inf else 0.0
                pace = self._paces.get(key)
                if pace is None:
                    pace = Pace(key, rts[0].account.marketplace, len(rts), rate, asked, allowed)
                    self._paces[key] = pace
                pace.shops, pace.rate, pace.asked, pace.allowed = len(rts), rate, asked, allowed
                pace.waiting = waiting.get(key, 0.0)
                asked_back = self.intervals.reconcile
                if pace.reconcile_calls is not None and rate != math.inf:
                    paced = upkeep_interval(len(rts), rate, pace.reconcile_calls)
                    pace.reconcile_every = max(asked_back, paced)
                    if paced > asked_back and not pace.upkeep_said:
                        pace.upkeep_said = True
                        said.append(("daemon.upkeep", dataclasses.replace(pace)))
                if pace.warned:
                    continue
                if allowed > asked and pace.achieved is not None:
                    pace.warned = True
                    said.append(("daemon.pacing", dataclasses.replace(pace)))
                elif pace.behind and allowed <= asked:  # else: the budget says why
                    pace.warned = True
                    bucket = lane.bucket if lane is not None else None
                    pace.workers_busy = (
                        bool(self._threads) and self._idle == 0 and bucket_wait(bucket) == 0
                    )
                    said.append(("daemon.behind", dataclasses.replace(pace)))
        for kind, pace in said:
            self._say_pace(kind, pace)

    def _say_pace(self, kind: str, pace: Pace) -> None:
        """Record a lane's ``daemon.pacing`` (the budget cannot keep the asked interval),
        ``daemon.behind`` (it can, but routine polls are measured falling behind) or
        ``daemon.upkeep`` (listings read back less often than asked, to keep reconcile
        within its share of the budget: info, no sale waits for it)."""
        title = _title(pace.marketplace)
        level, asked = "warning", pace.asked
        if kind == "daemon.upkeep":
            level, asked = "info", self.intervals.reconcile
            message = (
                f"{title}: every listing read back every {pace.reconcile_every:.0f} s "
                f"({asked:g} s asked): {pace.reconcile_calls or 0:.1f} calls per shop for "
                f"{pace.shops:,} shops, at most {UPKEEP_SHARE:.0%} of the app's "
                f"{pace.rate:g} calls/s"
            )
            data: dict[str, Any] = {
                "every": round(pace.reconcile_every, 1),
                "calls": round(pace.reconcile_calls or 0.0, 2),
                "share": UPKEEP_SHARE,
            }
        elif kind == "daemon.behind":
            achieved = max(pace.achieved or 0.0, pace.asked + pace.lateness)
            cause = (
                f": all {self.workers} workers busy"
                if pace.workers_busy
                else " behind pushes and webhook pulls"
            )
            message = (
                f"{title}: poll every {pace.asked:g} s asked, but routine polls start "
                f"{pace.lateness:.0f} s late{cause} ({pace.shops:,} shops, {pace.rate:g} "
                f"calls/s for the app); achieved: every {achieved:.0f} s"
            )
            data = {"late": round(pace.lateness, 1), "achieved": round(achieved, 1)}
            if pace.workers_busy:
                data["workers"] = self.workers
        else:
            message = (
                f"{title}: poll every {pace.asked:g} s asked, {pace.allowed:.0f} s is what the "
                f"budget allows for {pace.shops:,} shops ({pace.rate:g} calls/s for the app); "
                f"achieved: every {pace.achieved or 0:.0f} s"
            )
            data = {
                "allowed": round(pace.allowed, 1),
                "achieved": round(pace.achieved, 1) if pace.achieved else None,
            }
        events.record(
            self._store(),
            kind,
            message,
            level=level,
            lane=pace.lane,
            marketplace=pace.marketplace,
            title=title,
            shops=pace.shops,
            rate=pace.rate,
            asked=asked,
            **data,
        )

    def install_signals(self) -> None:
        """SIGTERM/SIGINT: finish in-flight work; a second one exits at once."""

        def handler(signum: int, _frame: FrameType | None) -> None:
            self._signals += 1
            if self._signals > 1:
                os._exit(128 + signum)
            _log.info("daemon.stopping", signal=signum)
            self.stop.set()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def settle_heap(self, *, thaw: bool = False) -> None:
        """Keep the cyclic garbage collector off the long-lived heap: collect what is
        young, then freeze every object now alive (``gc.freeze``), so later collections
        scan only what came after. With 3,000 shops' runtimes alive the collector's
        scans of them were ~9 % of the daemon's CPU (``perf``, 1,000 polled members).
        ``thaw``: first unfreeze, so the full collection frees cycles among frozen
        objects that have become garbage since."""
        if thaw:
            gc.unfreeze()
            self._heap_thawed = time.monotonic()
        gc.collect()
        gc.freeze()

    def _accounts_round(self) -> None:
        """Reload the accounts, then freeze what they built (thawed every ``HEAP_THAW``)."""
        self.load_accounts()
        self.settle_heap(thaw=time.monotonic() - self._heap_thawed >= HEAP_THAW)

    def run(self, *, beat_every: float = 5.0) -> None:
        """Run until stopped."""
        self.load_accounts()
        self._collector = _Collector()
        gc.callbacks.append(self._collector)
        gc.freeze()  # the runtimes just built; the first round collects what came after
        self._heap_thawed = time.monotonic()
        self._scheduler.every(self.intervals.accounts).seconds.do(  # type: ignore[arg-type]
            self._accounts_round
        )
        self._scheduler.every(self.intervals.push).seconds.do(self.push_due)  # type: ignore[arg-type]
        self._scheduler.every(1).days.do(self.prune)
        self._scheduler.every(1).hours.do(horizon.job, self._store())  # auth.expiring
        self._scheduler.every(self.intervals.notify).seconds.do(self.notify_due)  # type: ignore[arg-type]
        drainer = threading.Thread(target=self._drainer, name="syncd-webhooks", daemon=True)
        drainer.start()
        self._live = True
        self._scheduler.every(self.intervals.lost_pushes).seconds.do(self.recover_lost_pushes)  # type: ignore[arg-type]
        self.push_due()  # what was pending before the start goes out right away
        self.prune()
        horizon.job(self._store())
        last_beat = 0.0
        events.record(self._store(), "daemon.started", f"pid {os.getpid()}", workers=self.workers)
        while not self.stop.is_set():
            timers = 1.0
            try:
                self._scheduler.run_pending()
                timers = self._run_timers()
                if time.monotonic() - last_beat >= beat_every:
                    self.heartbeat()
                    last_beat = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - the loop must survive anything
                _log.error("daemon.loop_error", error=f"{type(exc).__name__}: {exc}")
            idle = min(self._scheduler.idle_seconds or 0.05, timers)
            self.stop.wait(min(max(idle, 0.05), 1.0))
        drainer.join(timeout=5.0)
        self._leave_queued()
        self.wait_idle()
        events.record(
            self._store(), "daemon.stopped", "in-flight work finished", counts=self.counts
        )
        gc.unfreeze()  # the process goes on (a test, the demo): its heap is collected again
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._collector)

    def _drainer(self) -> None:
        """Drain the inbox as soon as a receiver in this process stores a delivery
        (``webhooks.STORED``), and every ``intervals.webhooks`` seconds in any case (a
        standalone ``syncd webhooks`` writes the same inbox from another process)."""
        from syncd import webhooks  # noqa: PLC0415

        while not self.stop.is_set():
            webhooks.STORED.wait(self.intervals.webhooks)
            webhooks.STORED.clear()
            if not self.stop.is_set():
                self.drain_webhooks()

    def drain_webhooks(self) -> None:
        """Webhook deliveries in the inbox become pulls at webhook priority (each shop
        once per drain; ``syncd.webhooks.drain``); never raises into the loop."""
        from syncd import webhooks  # noqa: PLC0415

        if not self._coop_wide:
            return
        try:
            webhooks.drain(self._store(), self.wake)
        except Exception as exc:  # noqa: BLE001 - the inbox is read again next second
            _log.warning("daemon.webhooks_failed", error=clean(f"{type(exc).__name__}: {exc}"))

    def recover_lost_pushes(self) -> int:
        """Shopee's lost pushes become pulls (every ``lost_pushes`` seconds).

        Per Shopee app (partner) this daemon serves, one of its shops' adapters reads
        ``v2.push.get_lost_push_message`` (a partner-level call: every shop of the app,
        §1.6); each order push (code 3) naming a shop served here becomes
        ``wake(account, "lost_push")``, and the page is confirmed consumed only after its
        wakes are queued (``ShopeeAdapter.consume_lost_pushes``): a failure leaves it to be
        read again next round (Shopee keeps them 3 days; the safety-net poll covers the
        rest). Pushes of shops not served here (a removed channel) are confirmed too: no
        one here could use them. Each woken account gets an info event
        (``webhooks.lost_push``) naming how many and which orders; the log says the total.
        Runs on the loop thread (a few calls every 5 minutes); at most 5 pages (500
        pushes) an app per round. Only an unsharded daemon reads them (a shard would
        confirm the other shards' pushes). Never raises; how many pushes woke a pull."""
        if self.shard is not None or self.stop.is_set():
            return 0
        apps: dict[str, list[sync.AccountRuntime]] = {}
        for rt in list(self.runtimes.values()):
            if rt.adapter is not None and hasattr(rt.adapter, "consume_lost_pushes"):
                key = self._lane_of.get(rt.account.id, rt.account.marketplace)
                apps.setdefault(key, []).append(rt)
        woken = 0
        for key, served in apps.items():
            by_shop = {str(rt.account.shop_id): rt.account for rt in served}
            found: dict[int, tuple[sync.Account, list[str]]] = {}

            def handle(
                page: list[Any],
                by_shop: dict[str, sync.Account] = by_shop,
                found: dict[int, tuple[sync.Account, list[str]]] = found,
            ) -> None:
                if self.stop.is_set():  # a wake would not be queued: leave it unconfirmed
                    raise RuntimeError("the daemon is stopping")
                for push in page:
                    account = by_shop.get(str(push.shop_id))
                    if account is None or push.code != 3:  # 3: order status (§1.6)
                        continue
                    self.wake(account.id, "lost_push")
                    found.setdefault(account.id, (account, []))[1].append(push.order_sn or "")

            try:
                adapter: Any = served[0].adapter
                adapter.consume_lost_pushes(handle, max_pages=5)
            except Exception as exc:  # noqa: BLE001 - read again next round
                error = clean(f"{type(exc).__name__}: {exc}")
                _log.warning("daemon.lost_pushes_failed", app=key, error=error)
            for account_id, (account, orders) in found.items():
                with contextlib.suppress(Exception):  # the wake is queued: the event is extra
                    events.record(
                        self._store(),
                        "webhooks.lost_push",
                        f"{len(orders)} lost Shopee push(es) recovered: pulled now",
                        tenant_id=account.tenant_id,
                        account_id=account_id,
                        count=len(orders),
                        orders=[o for o in orders if o][:20],
                    )
                woken += len(orders)
        if woken:
            _log.info("daemon.lost_pushes_recovered", pushes=woken, apps=len(apps))
        return woken

    def prune(self) -> None:
        """Delete events and push log rows past the retention period, and web sessions
        and sign-in failures that have run out, and processed webhook deliveries older
        than a week (daily)."""
        from syncd import users, webhooks  # noqa: PLC0415
        from syncd.audit import prune  # noqa: PLC0415

        if not self._coop_wide:
            return
        try:
            done = prune(self._store(), self.retention_days)
            done["web_sessions"] = users.prune_sessions(self._store())
            done["webhook_inbox"] = webhooks.prune(self._store())
        except Exception as exc:  # noqa: BLE001 - pruning must never stop the sync
            _log.warning("daemon.prune_failed", error=f"{type(exc).__name__}: {exc}")
            return
        if any(done.values()):
            _log.info("daemon.pruned", days=self.retention_days, **done)

    def notify_due(self) -> None:
        """Start a notification round on its own thread (sending waits on the network,
        never on the loop or the workers); skipped while the previous round runs."""
        if not self._coop_wide or self.stop.is_set():
            return
        if self._notifying is not None and not self._notifying.done():
            return
        self._notifying = self._notifier.submit(self._notify_round)

    def _notify_round(self) -> None:
        """Notifications: scan events and facts, send what is due (``syncd.notify``)."""
        from syncd import notify  # noqa: PLC0415 - apprise is loaded only where it sends
        from syncd.config import Settings  # noqa: PLC0415

        try:
            notify.tick(self._store(), self._vault, self.settings or Settings())
        except Exception as exc:  # noqa: BLE001 - tick never raises; this never stops the sync
            _log.warning("daemon.notify_failed", error=clean(f"{type(exc).__name__}: {exc}"))

    def close(self) -> None:
        """Let the workers finish what is queued, then close every connection."""
        with self._work:
            self._closing = True
            self._work.notify_all()
        for thread in self._threads:
            thread.join()
        self._notifier.shutdown(wait=True)  # a round is bounded (notify.ROUND_BUDGET)
        for rt in self.runtimes.values():
            if rt.adapter is not None:
                rt.adapter.close()
        group = self._stores[0].group_counts() if self._stores else None  # one group
        if group is not None:  # how well the threads' writes shared their fsyncs
            _log.info("store.group_commit", bodies=group[0], commits=group[1])
        if self._live:  # where the jobs waited for a worker (the same as /metrics)
            _log.info("daemon.job_waits", waits=job_waits())
        if self._collector is not None:  # what the cyclic collector cost while it ran
            _log.info("daemon.gc", **self._collector.summary())
        for store in self._stores:
            with contextlib.suppress(Exception):
                store.close()

    @contextlib.contextmanager
    def running(self) -> Iterator[Daemon]:
        """Context manager that always closes."""
        try:
            yield self
        finally:
            self.close()


_TITLES = {"tiktok": "TikTok Shop", "woocommerce": "WooCommerce"}


def _title(marketplace: str) -> str:
    """The marketplace as people write it (Lazada, TikTok Shop), for the pacing line."""
    return _TITLES.get(marketplace, marketplace.capitalize())
