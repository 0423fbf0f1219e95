"""``syncd run``: the long-running service.

``schedule`` decides what is due; a bounded thread pool runs it, so one slow
shop never delays the others. Per channel account there are four jobs:

======== ============================================================ =============
job      what                                                         default every
======== ============================================================ =============
push     pull the channel's new orders, then push pending stock/price push_every
pull     pull orders (catches sales even when nothing is pending)     poll_every
refresh  refresh tokens ahead of expiry                               5 minutes
discover read the shop's listings, bind by SKU, note what it shows    24 hours
======== ============================================================ =============

Besides these, once a minute a notification round (``syncd.notify.tick``: events and
facts become messages, what is due is sent) runs on a thread of its own, so a slow
endpoint never delays a job; it never raises.

``push`` is not scheduled per account: every ``push_every`` one query finds the
accounts with pending changes and only those get a push job (a cooperative of
600 shops would otherwise queue 300 empty checks a second). Each account's
``pull`` starts at its own offset within the interval, so polls are spread out
instead of arriving together.

Jobs never overlap for the same account: a job that comes due while another
job of that account runs (or waits in the queue) is deferred and runs as soon
as that one ends; repeats of a deferred job fold into one. Every job's exception
is caught, logged, recorded in ``job_run`` and counted; none escapes into
``schedule``. Last-run times are persisted, so a restart does not rediscover
everything at once. SIGTERM/SIGINT stop scheduling and let in-flight jobs
finish (warm); a second signal exits at once (cold). A heartbeat row is written
every loop.

Every thread (the loop and each worker) has its own SQLite connection; writes
are serialized by the store's cross-process writer lock, so the daemon's threads
and CLI commands take turns.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import schedule
import structlog

from syncd import credentials, events, horizon, sync
from syncd.catalog import now
from syncd.errors import AdapterError, NeedsReauth
from syncd.log import clean
from syncd.store import Store

__all__ = ["Daemon", "Intervals"]

_log = structlog.get_logger("syncd.daemon")
JOBS = ("pull", "push", "refresh", "discover", "reconcile")  # also the order deferred jobs run in


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
    notify: float = 60.0  # turn events into notifications and send what is due


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
    stop: threading.Event = field(default_factory=threading.Event)
    runtimes: dict[int, sync.AccountRuntime] = field(default_factory=dict)
    counts: dict[str, int] = field(
        default_factory=lambda: {"ok": 0, "failed": 0, "skipped": 0, "deferred": 0}
    )

    def __post_init__(self) -> None:
        from syncd.http import Limiter  # noqa: PLC0415

        self._local = threading.local()
        self._stores: list[Store] = []
        self._busy: set[int] = set()
        self._deferred: dict[int, set[str]] = {}  # account → jobs to run when it is free
        self._busy_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="syncd-job")
        self._inflight: set[Future[None]] = set()
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
            store = Store(self.db_path)
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
        return rt

    def load_accounts(self) -> list[sync.Account]:
        """(Re)load accounts and schedule jobs for new ones."""
        from adapters import UnknownAdapter  # noqa: PLC0415

        accounts = sync.load_accounts(self._store())
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
        return accounts

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
        self._scheduler.clear(f"acct:{account_id}")
        rt = self.runtimes.pop(account_id, None)
        if rt is not None and rt.adapter is not None:
            rt.adapter.close()

    def _schedule(self, account_id: int) -> None:
        every = self.intervals
        for job, seconds in (
            ("pull", every.pull),
            ("refresh", every.refresh),
            ("discover", every.discover),
            ("reconcile", every.reconcile),
        ):
            scheduled = self._scheduler.every(seconds).seconds.do(  # type: ignore[arg-type]
                self.submit, job, account_id
            )
            scheduled.tag(f"acct:{account_id}")
            if job in ("pull", "reconcile"):  # spread them over the interval (golden ratio)
                offset = (account_id * 0.6180339887) % 1.0 * seconds
                scheduled.next_run = dt.datetime.now() + dt.timedelta(
                    seconds=offset
                )  # schedule is naive-local

    def push_due(self) -> None:
        """Hand a push job to every active account with pending changes (one query)."""
        rows = self._store().conn.execute(
            "SELECT DISTINCT o.channel_account_id FROM outbox o "
            "JOIN channel_account c ON c.id = o.channel_account_id "
            "WHERE o.status IN ('pending', 'failed') AND c.accepted_at IS NOT NULL "
            "AND c.paused_at IS NULL AND (o.field = 'stock' OR c.price_sync = 'push')"
        )
        for (account_id,) in rows.fetchall():
            if account_id in self.runtimes:
                self.submit("push", account_id)

    # -- running jobs -----------------------------------------------------------

    def submit(self, job: str, account_id: int) -> None:
        """Hand a job to the pool; for a busy account, defer it until the account is free."""
        if self.stop.is_set():
            return
        with self._busy_lock:
            if account_id in self._busy:
                self._deferred.setdefault(account_id, set()).add(job)
                self.counts["deferred"] += 1
                return
            self._busy.add(account_id)
        future = self._pool.submit(self._run_job, job, account_id)
        self._inflight.add(future)
        future.add_done_callback(self._inflight.discard)

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

    def _run_job(self, job: str, account_id: int) -> None:
        """Run one job; every exception is caught, logged, recorded and counted."""
        outcome = "skipped"
        store = self._store()
        try:
            rt = self.runtimes[account_id]
            account = sync.load_account(store, account_id)  # paused, accepted, removed: now
            if account is None:
                return
            if account != rt.account:
                rt = self._runtime(account)
            if not self._due(store, job, rt):
                return
            self._mark(store, account_id, rt.account.tenant_id, job, started=True)
            with structlog.contextvars.bound_contextvars(
                tenant=rt.account.tenant_id, account=account_id, job=job
            ):
                self._dispatch(store, job, rt)
            self._mark(store, account_id, rt.account.tenant_id, job, ok=True)
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
            with self._busy_lock:
                self._busy.discard(account_id)
                self.counts[outcome] = self.counts.get(outcome, 0) + 1
                waiting = self._deferred.get(account_id)
                after = None
                if waiting:  # a pull first: a push only pulls when something is pending
                    after = next(j for j in (*JOBS, *sorted(waiting)) if j in waiting)
                    waiting.discard(after)
            if self.on_job:
                self.on_job(job, account_id, outcome)
            if after is not None:
                self.submit(after, account_id)

    def _dispatch(self, store: Store, job: str, rt: sync.AccountRuntime) -> None:
        if job in ("push", "pull"):
            pulled = sync.pull_orders(store, rt)  # a push always pulls first
            if pulled.movements:
                self._wake_siblings(rt)
            if job == "push":
                refused = [
                    f"{f} {r.failed} of {r.sent} refused ({r.first_error})"
                    for f, r in sync.push_pending(store, rt).items()
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

            reconcile(store, rt, grace=dt.timedelta(seconds=self.intervals.reconcile_grace))

    def _wake_siblings(self, rt: sync.AccountRuntime) -> None:
        """New orders moved stock: the seller's other channels push now, not at their turn."""
        for other in list(self.runtimes.values()):
            if other.account.tenant_id == rt.account.tenant_id and other is not rt:
                self.submit("push", other.account.id)

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
        at = now()
        with store.write():
            store.conn.execute(
                "INSERT INTO job_run (tenant_id, channel_account_id, job) VALUES (?, ?, ?) "
                "ON CONFLICT (channel_account_id, job) DO NOTHING",
                (tenant_id, account_id, job),
            )
            if started:
                store.conn.execute(
                    "UPDATE job_run SET last_started = ?, runs = runs + 1 "
                    "WHERE channel_account_id = ? AND job = ?",
                    (at, account_id, job),
                )
            elif ok:
                store.conn.execute(  # recovered: the failing period (and its count) ends
                    "UPDATE job_run SET last_ok = ?, last_error = '', failures = 0, "
                    "failing_since = NULL WHERE channel_account_id = ? AND job = ?",
                    (at, account_id, job),
                )
            else:
                store.conn.execute(
                    "UPDATE job_run SET last_error = ?, failures = failures + 1, "
                    "failing_since = COALESCE(failing_since, ?) "
                    "WHERE channel_account_id = ? AND job = ?",
                    (clean(error)[:500], at, account_id, job),  # marketplace words: scrubbed
                )

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
        horizon.job(self._store())  # after the refresh: a renewed horizon clears
        self._notify_round()
        self.heartbeat()
        return dict(self.counts)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no job is in flight."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._inflight:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

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

    def run(self, *, beat_every: float = 5.0) -> None:
        """Run until stopped."""
        self.load_accounts()
        self._scheduler.every(self.intervals.accounts).seconds.do(  # type: ignore[arg-type]
            self.load_accounts
        )
        self._scheduler.every(self.intervals.push).seconds.do(self.push_due)  # type: ignore[arg-type]
        self._scheduler.every(1).days.do(self.prune)
        self._scheduler.every(1).hours.do(horizon.job, self._store())  # auth.expiring
        self._scheduler.every(self.intervals.notify).seconds.do(self.notify_due)  # type: ignore[arg-type]
        self.push_due()  # what was pending before the start goes out right away
        self.prune()
        horizon.job(self._store())
        last_beat = 0.0
        events.record(self._store(), "daemon.started", f"pid {os.getpid()}", workers=self.workers)
        while not self.stop.is_set():
            try:
                self._scheduler.run_pending()
                if time.monotonic() - last_beat >= beat_every:
                    self.heartbeat()
                    last_beat = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - the loop must survive anything
                _log.error("daemon.loop_error", error=f"{type(exc).__name__}: {exc}")
            idle = self._scheduler.idle_seconds
            self.stop.wait(min(max(idle or 0.05, 0.05), 1.0))
        self.wait_idle()
        events.record(
            self._store(), "daemon.stopped", "in-flight work finished", counts=self.counts
        )

    def prune(self) -> None:
        """Delete events and push log rows past the retention period, and web sessions
        and sign-in failures that have run out (daily)."""
        from syncd import users  # noqa: PLC0415
        from syncd.audit import prune  # noqa: PLC0415

        try:
            done = prune(self._store(), self.retention_days)
            done["web_sessions"] = users.prune_sessions(self._store())
        except Exception as exc:  # noqa: BLE001 - pruning must never stop the sync
            _log.warning("daemon.prune_failed", error=f"{type(exc).__name__}: {exc}")
            return
        if any(done.values()):
            _log.info("daemon.pruned", days=self.retention_days, **done)

    def notify_due(self) -> None:
        """Start a notification round on its own thread (sending waits on the network,
        never on the loop or the workers); skipped while the previous round runs."""
        if self.stop.is_set() or (self._notifying is not None and not self._notifying.done()):
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
        """Shut the pool and close every connection."""
        self._pool.shutdown(wait=True)
        self._notifier.shutdown(wait=True)  # a round is bounded (notify.ROUND_BUDGET)
        for rt in self.runtimes.values():
            if rt.adapter is not None:
                rt.adapter.close()
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
