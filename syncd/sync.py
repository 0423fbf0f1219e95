"""The jobs the daemon runs per channel account: pull orders, push, discover, refresh.

Each job takes an ``AccountRuntime`` (the account's adapter, tokens and locks)
and a ``Store`` owned by the calling thread. Adapters raise the classes of
``syncd.errors``; this module decides what each means for the account:

* ``RefreshAuth``: refresh the tokens once (single flight), then retry once;
* ``NeedsReauth``: pause the account and tell the seller;
* ``Rejected``/``SkippableItem`` on a push: park those values until they change;
* ``Retryable`` after the HTTP layer's own retries: leave the values pending.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog

from syncd import audit, credentials, events, inventory, orders, outbox, returns
from syncd.adapter import (
    Adapter,
    AdapterContext,
    Credentials,
    ItemResult,
    PriceUpdate,
    RemoteListing,
    StockUpdate,
)
from syncd.catalog import now
from syncd.errors import (
    AdapterError,
    NeedsReauth,
    RefreshAuth,
    Rejected,
    Retryable,
    SkippableItem,
    Unrecognized,
)
from syncd.http import unanswered_attempts
from syncd.log import clean
from syncd.store import Store
from syncd.telemetry import observe_propagation

__all__ = [
    "Account",
    "AccountRuntime",
    "DiscoverReport",
    "JobMarks",
    "PushRefused",
    "PushReport",
    "build_runtime",
    "discover",
    "load_accounts",
    "pause",
    "pull_orders",
    "pull_returns",
    "push",
    "refresh_tokens",
    "sync_account",
]

T = TypeVar("T")
_log = structlog.get_logger("syncd.sync")
#: Refresh tokens this long before they expire (Shopee's live 4 h).
REFRESH_AHEAD = dt.timedelta(minutes=30)
#: At most this many order pages per pull, so one huge backlog cannot starve other jobs.
MAX_PAGES = 100


@dataclass(frozen=True, slots=True)
class Account:
    """A channel account as the daemon needs it."""

    id: int
    tenant_id: int
    name: str
    marketplace: str
    shop_id: str
    settings: dict[str, Any]
    integration_start: str
    status: str
    accepted: bool = True  # the seller accepted pushes to this channel
    price_sync: bool = True  # syncd pushes prices here too
    paused: bool = False  # neither polled nor pushed

    def pushes(self, field_name: str) -> bool:
        """Whether values of ``field_name`` may be pushed to this channel now."""
        if not self.accepted or self.paused:
            return False
        return field_name == "stock" or self.price_sync


_ACCOUNT_SQL = (
    "SELECT id, tenant_id, name, marketplace, shop_id, settings, "
    "COALESCE(integration_start, created_at), status, accepted_at IS NOT NULL, "
    "price_sync = 'push', paused_at IS NOT NULL FROM channel_account "
    "WHERE marketplace != 'manual' AND removed_at IS NULL"
)


def _account(r: Any) -> Account:
    import json  # noqa: PLC0415

    flags = (bool(r[8]), bool(r[9]), bool(r[10]))
    return Account(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7], *flags)


def load_accounts(store: Store) -> list[Account]:
    """Every channel account of every tenant that has an adapter marketplace."""
    rows = store.conn.execute(f"{_ACCOUNT_SQL} ORDER BY tenant_id, id")
    return [_account(r) for r in rows]


def load_account(store: Store, account_id: int) -> Account | None:
    """One account as it is now (None once removed)."""
    row = store.conn.execute(f"{_ACCOUNT_SQL} AND id = ?", (account_id,)).fetchone()
    return None if row is None else _account(row)


@dataclass
class AccountRuntime:
    """An account's adapter, current tokens and the lock that makes refresh single-flight."""

    account: Account
    vault: credentials.Vault
    adapter: Adapter | None = None
    tokens: Credentials | None = None
    generation: int = 0
    refresh_lock: threading.Lock = field(default_factory=threading.Lock)
    refreshes: int = 0  # how many refresh calls this runtime made (tests, status)

    def load(self, store: Store) -> credentials.Sealed:
        """Read app keys and tokens from the store."""
        sealed = credentials.load(store, self.vault, self.account.tenant_id, self.account.id)
        self.tokens, self.generation = sealed.tokens, sealed.generation
        return sealed

    def context(self, sealed: credentials.Sealed) -> AdapterContext:
        """The adapter's view of this account."""
        return AdapterContext(
            shop_id=self.account.shop_id,
            settings=self.account.settings,
            secrets=sealed.app,
            credentials=lambda: self.tokens,
        )


def build_runtime(
    store: Store,
    vault: credentials.Vault,
    account: Account,
    *,
    limiter: Any = None,
    transport: Any = None,
    now: Callable[[], dt.datetime] | None = None,
) -> AccountRuntime:
    """An account's runtime with its adapter built (shared limiter, own circuit breaker).

    ``now`` replaces the clock (tests drive a simulator's clock with it).
    """
    from adapters import load  # noqa: PLC0415
    from syncd.http import CircuitBreaker, Limiter, log_breaker_change  # noqa: PLC0415

    rt = AccountRuntime(account, vault)
    ctx = rt.context(rt.load(store))
    if now is not None:
        ctx.now = now
    rt.adapter = load(account.marketplace).create(
        ctx,
        limiter=limiter or Limiter(),
        breaker=CircuitBreaker(
            int(account.settings.get("breaker_threshold", 5)),
            float(account.settings.get("breaker_reset_after", 60.0)),
            on_change=log_breaker_change,
        ),
        transport=transport,
    )
    return rt


def refresh_tokens(
    store: Store, rt: AccountRuntime, *, failed_generation: int | None = None, force: bool = False
) -> bool:
    """Refresh the account's tokens if still needed; True when this call refreshed.

    Single flight: one refresh at a time per account, across threads and processes
    (a ``flock`` beside the database); a caller that waited for another's refresh
    re-reads the stored pair, sees a newer generation and does nothing. The new pair
    is saved before anything uses it (refresh tokens can be single-use). A refused
    refresh becomes "re-authorize" only when no newer pair was stored meanwhile.
    """
    assert rt.adapter is not None  # noqa: S101 - set by the daemon before any job
    if rt.adapter.auth_kind == "api_key":
        return False  # a static key: nothing to refresh (a refused key is NeedsReauth)
    with rt.refresh_lock, _refresh_lock(store, rt.account.id):
        seen = rt.generation if failed_generation is None else failed_generation
        rt.load(store)
        if rt.tokens is None:
            raise NeedsReauth("no tokens stored; connect the shop first", code="no_tokens")
        if rt.generation > seen:
            return False  # someone else (a thread or another process) refreshed meanwhile
        due = rt.tokens.access_expires_at - REFRESH_AHEAD <= rt.adapter.ctx.now()
        if failed_generation is None and not due and not force:
            return False
        earlier = _refresh_intent(store, rt.account.id, now())  # before the call
        try:
            tokens = rt.tokens
            with unanswered_attempts() as unanswered:
                new = _edge(rt, lambda: rt.adapter.refresh(tokens))  # type: ignore[union-attr]
        except NeedsReauth as exc:
            rt.load(store)
            if rt.generation > seen:  # stored by a refresher the lock did not cover
                return False
            lost = earlier or (now() if unanswered else None)
            if lost is None or rt.adapter.auth_kind == "client_credentials":
                raise  # (a client-credentials token is asked for anew: nothing is lost)
            raise NeedsReauth(  # not "revoked": a refresh's answer never reached us
                f"a token refresh sent at {lost} got no answer (a timeout or a restart), and "
                f"the marketplace has since refused the stored refresh token ({exc.code}): "
                "its refresh tokens work once, so the seller must authorize the shop again",
                code="refresh_lost",
            ) from None
        rt.generation = credentials.save(  # the answer is stored before anything uses it
            store, rt.vault, rt.account.tenant_id, rt.account.id, tokens=new
        )
        _refresh_intent(store, rt.account.id, None)
        rt.tokens = new
        rt.refreshes += 1
    events.record(
        store,
        "auth.refreshed",
        "access token refreshed",
        tenant_id=rt.account.tenant_id,
        account_id=rt.account.id,
        expires=new.access_expires_at.isoformat(),
    )
    return True


def verify_key(store: Store, rt: AccountRuntime) -> Credentials:
    """A shop connected with no code (``adapter_settings.CODELESS``): an ``api_key`` shop's
    stored key is checked with one cheap call (no token; nothing to refresh); a
    ``client_credentials`` shop gets its first token. The access is stored before use.
    Raises what the call raised."""
    assert rt.adapter is not None  # noqa: S101
    access = _edge(rt, rt.adapter.verify)
    rt.generation = credentials.save(
        store, rt.vault, rt.account.tenant_id, rt.account.id, tokens=access
    )
    rt.tokens = access
    return access


def _refresh_intent(store: Store, account_id: int, at: str | None) -> str | None:
    """Record (``at``) or clear (None) that a refresh is being sent; return the one an
    earlier refresher recorded and never cleared (its answer was lost), if any."""
    with store.write():
        earlier = store.scalar(
            "SELECT refresh_sent_at FROM channel_account WHERE id = ?", (account_id,)
        )
        store.conn.execute(
            "UPDATE channel_account SET refresh_sent_at = ? WHERE id = ?", (at, account_id)
        )
    return None if earlier is None else str(earlier)


@contextlib.contextmanager
def _refresh_lock(store: Store, account_id: int, timeout: float = 120.0) -> Iterator[None]:
    """One refresher per shop across processes: an exclusive ``flock`` on
    ``<db>.refresh-<account>.lock`` (a daemon and a CLI, or a second process)."""
    from syncd.store import acquire_writer_lock, release_writer_lock  # noqa: PLC0415

    fd = acquire_writer_lock(f"{store.path}.refresh-{account_id}", timeout)
    try:
        yield
    finally:
        release_writer_lock(fd)


def with_auth(store: Store, rt: AccountRuntime, call: Callable[[], T]) -> T:
    """Run ``call``; on RefreshAuth refresh once (single flight) and retry once."""
    generation = rt.generation
    try:
        return _edge(rt, call)
    except RefreshAuth as exc:
        if rt.adapter is not None and rt.adapter.auth_kind == "api_key":
            # nothing to refresh: a refused key only the seller can replace
            raise NeedsReauth(f"key refused: {exc}", code=exc.code, status=exc.status) from None
        refresh_tokens(store, rt, failed_generation=generation)
    try:
        return _edge(rt, call)
    except RefreshAuth as exc:
        raise NeedsReauth(f"token refused right after a refresh: {exc}", code=exc.code) from None


#: What reading an answer that is not as documented raises inside an adapter.
_MISREAD = (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError)


def _edge(rt: AccountRuntime, call: Callable[[], T]) -> T:
    """An adapter call; an answer it could not read (a field missing, of the wrong kind)
    is a malformed answer, retried like one and named, never a crashed job."""
    from syncd.adapter import _why  # noqa: PLC0415
    from syncd.errors import MalformedResponse  # noqa: PLC0415

    try:
        return call()
    except _MISREAD as exc:
        where = rt.account.marketplace
        raise MalformedResponse(
            f"{where}: answer not as documented: {_why(exc)}", code="malformed"
        ) from None


def note_storefronts(store: Store, rt: AccountRuntime) -> None:
    """Copy the shop fronts an account sells on (e.g. TikTok Shop + Tokopedia) from its
    tokens into its (non-secret) settings, where ``status`` and ``explain`` show them."""
    fronts = rt.tokens.extra.get("storefronts") if rt.tokens else None
    if not fronts or rt.account.settings.get("storefronts") == fronts:
        return
    import json  # noqa: PLC0415

    settings = {**rt.account.settings, "storefronts": list(fronts)}
    with store.write():
        store.conn.execute(
            "UPDATE channel_account SET settings = ? WHERE id = ?",
            (json.dumps(settings), rt.account.id),
        )


def pause(store: Store, rt: AccountRuntime, exc: AdapterError) -> None:
    """Mark the account as needing re-authorization and tell the seller."""
    with store.write():
        store.conn.execute(
            "UPDATE channel_account SET status = 'needs_reauth', status_reason = ? WHERE id = ?",
            (clean(str(exc))[:300], rt.account.id),  # marketplace words may echo a token
        )
    events.record(
        store,
        "account.needs_reauth",
        f"paused: {exc}",
        level="error",
        tenant_id=rt.account.tenant_id,
        account_id=rt.account.id,
        code=exc.code,
    )


@dataclass(slots=True)
class JobMarks:
    """A daemon job's row in ``job_run`` (what ``syncd status``, health and notify read:
    ``runs``, ``last_started``, ``last_ok``, ``failures``, ``failing_since``), written in
    the transactions the job writes anyway (issue 14: one transaction per poll page, the
    marks included): a poll's start mark rides in its first page, its ok mark in its last
    page. What no page carried (a job that writes nothing of its own, the ok mark of a
    push, a failure) is written by :meth:`write` in one transaction.

    :meth:`stage` writes inside an open write transaction; the caller that committed it
    says so with :meth:`committed`. A transaction that rolled back carried nothing: what
    it staged is written again by the next one (or by :meth:`write`)."""

    tenant_id: int
    account_id: int
    job: str
    at: str = field(default_factory=now)  # when the job started: its ``last_started``
    started: bool = False  # the start mark is committed
    ok: bool = False  # the ok mark is committed
    _staged: tuple[bool, bool] = (False, False)  # (start, ok) in the open transaction

    def stage(self, store: Store, *, ok: bool = False, error: str | None = None) -> None:
        """Inside a write transaction: the start mark unless committed, then the ok mark
        (``ok``) or the failure (``error``: the failing period starts, or goes on)."""
        store.conn.execute(
            "INSERT INTO job_run (tenant_id, channel_account_id, job) VALUES (?, ?, ?) "
            "ON CONFLICT (channel_account_id, job) DO NOTHING",
            (self.tenant_id, self.account_id, self.job),
        )
        key = (self.account_id, self.job)
        if not self.started:
            store.conn.execute(
                "UPDATE job_run SET last_started = ?, runs = runs + 1 "
                "WHERE channel_account_id = ? AND job = ?",
                (self.at, *key),
            )
        if ok and not self.ok:
            store.conn.execute(  # recovered: the failing period (and its count) ends
                "UPDATE job_run SET last_ok = ?, last_error = '', failures = 0, "
                "failing_since = NULL WHERE channel_account_id = ? AND job = ?",
                (now(), *key),
            )
        elif error is not None:
            store.conn.execute(
                "UPDATE job_run SET last_error = ?, failures = failures + 1, "
                "failing_since = COALESCE(failing_since, ?) "
                "WHERE channel_account_id = ? AND job = ?",
                (clean(error)[:500], now(), *key),  # marketplace words: scrubbed
            )
        self._staged = (True, ok)

    def committed(self) -> None:
        """The transaction :meth:`stage` wrote into has committed."""
        start, ok = self._staged
        self.started, self.ok = self.started or start, self.ok or ok
        self._staged = (False, False)

    def write(self, store: Store, *, ok: bool = False, error: str | None = None) -> None:
        """In a transaction of its own: what is not committed yet, and ``ok`` or
        ``error`` (nothing at all when it is all committed already)."""
        if self.started and (self.ok or not ok) and error is None:
            return
        with store.write():
            self.stage(store, ok=ok, error=error)
        self.committed()


def pull_orders(
    store: Store,
    rt: AccountRuntime,
    *,
    marks: JobMarks | None = None,
    ends_job: bool = False,
    returns: bool = True,
) -> orders.IngestReport:
    """Pull every changed order page by page; each page and its cursor commit together,
    with what the page caused to be said (set-aside orders, returns, unmatched lines).

    ``marks``: the daemon job's ``job_run`` marks; the start rides in the first page's
    transaction and, when the pull is all the job does (``ends_job``; not for a
    marketplace that lists returns on their own: those are read after), the ok mark in
    the last page's. A poll that finds nothing new is then one transaction. ``returns``:
    also read the return list (a marketplace that lists returns on their own) after."""
    assert rt.adapter is not None  # noqa: S101
    adapter = rt.adapter
    total = orders.IngestReport()
    since = dt.datetime.fromisoformat(rt.account.integration_start)
    orders.retry_set_aside(store, rt.account.id)  # an order spoiled once is read again
    read_returns = returns and adapter.lists_returns
    finish = ends_job and not read_returns
    said_unmatched = False
    for _ in range(MAX_PAGES):
        cursor = orders.load_cursor(store, rt.account.id)
        page = with_auth(store, rt, lambda c=cursor: adapter.pull_orders(c, since))  # type: ignore[misc]
        last = not page.more

        def within(s: Store, report: orders.IngestReport, last: bool = last) -> None:
            """Inside the page's transaction: what it caused to be said, the job's marks."""
            nonlocal said_unmatched
            for item in report.set_aside:  # the operator's to look at: `syncd quarantine list`
                events.record(
                    s,
                    "order.set_aside",
                    f"order {item.order_id or '?'} set aside: {item.reason}",
                    level="warning",
                    tenant_id=rt.account.tenant_id,
                    account_id=rt.account.id,
                    order=item.order_id,
                    reason=item.reason,
                )
            if report.return_report is not None:
                _note_returns(s, rt, report.return_report)
            unmatched = total.unmatched + report.unmatched
            if last and unmatched:
                _unmatched(s, rt, unmatched)
                said_unmatched = True
            if marks is not None and (not marks.started or (last and finish)):
                marks.stage(s, ok=last and finish)

        report = orders.ingest(
            store,
            rt.account.tenant_id,
            rt.account.id,
            page,
            integration_start=rt.account.integration_start,
            own_stock_follows_orders=adapter.own_stock_follows_orders,
            cursor_before=cursor,
            within=within,
        )
        if marks is not None:
            marks.committed()
        # committed: unchanged orders need not be read again (set-aside ones must be)
        adapter.ingested(report.taken, report.aside_ids)
        for name in ("orders", "new_lines", "movements", "ignored"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.unmatched += report.unmatched
        total.touched |= report.touched
        if last:
            break
    if total.unmatched and not said_unmatched:  # the page limit stopped it: said alone
        _unmatched(store, rt, total.unmatched)
    if read_returns:
        # a return list that fails never holds up the orders (committed above) nor the
        # pushes that pull first: it is read again at the next poll
        try:
            pull_returns(store, rt)
        except AdapterError as exc:
            if isinstance(exc, NeedsReauth):
                raise
            _log.warning("returns.pull_failed", account=rt.account.id, error=str(exc))
            events.record(
                store,
                "returns.pull_failed",
                f"return list not read: {exc}",
                level="warning",
                tenant_id=rt.account.tenant_id,
                account_id=rt.account.id,
                detail=str(exc),
            )
    return total


def read_named_orders(
    store: Store, rt: AccountRuntime, order_ids: Sequence[str], *, marks: JobMarks | None = None
) -> orders.IngestReport | None:
    """Read the orders a webhook named (``adapter.read_orders``) and ingest them as one
    page that keeps the order list's cursor where it is: the safety-net poll still walks
    the list from there (and skips, by ``seen_orders``, what this read took). The job's
    marks (start and ok) ride in the page's transaction.

    None, and nothing read: the shop was never pulled (no cursor yet: its first pull
    walks the list from ``integration_start``) or the adapter reads no named orders."""
    assert rt.adapter is not None  # noqa: S101
    adapter = rt.adapter
    cursor = orders.load_cursor(store, rt.account.id)
    if cursor is None or not adapter.reads_named_orders or not order_ids:
        return None
    page = with_auth(store, rt, lambda: adapter.read_orders(order_ids))
    page = dataclasses.replace(page, cursor=cursor, more=False)

    def within(s: Store, report: orders.IngestReport) -> None:
        for item in report.set_aside:
            events.record(
                s,
                "order.set_aside",
                f"order {item.order_id or '?'} set aside: {item.reason}",
                level="warning",
                tenant_id=rt.account.tenant_id,
                account_id=rt.account.id,
                order=item.order_id,
                reason=item.reason,
            )
        if report.unmatched:
            _unmatched(s, rt, report.unmatched)
        if marks is not None:
            marks.stage(s, ok=True)

    report = orders.ingest(
        store,
        rt.account.tenant_id,
        rt.account.id,
        page,
        integration_start=rt.account.integration_start,
        own_stock_follows_orders=adapter.own_stock_follows_orders,
        cursor_before=cursor,
        within=within,
    )
    if marks is not None:
        marks.committed()
    adapter.ingested(report.taken, report.aside_ids)
    return report


def _unmatched(store: Store, rt: AccountRuntime, items: list[str]) -> None:
    events.record(
        store,
        "orders.unmatched",
        "order lines for items not bound to a SKU",
        level="warning",
        tenant_id=rt.account.tenant_id,
        account_id=rt.account.id,
        items=sorted(set(items))[:20],
    )


def _note_returns(store: Store, rt: AccountRuntime, report: returns.ReturnReport) -> None:
    """Events for the operator and the seller: returns set aside, returns to inspect."""
    for why in report.set_aside:
        events.record(
            store,
            "return.set_aside",
            f"return set aside: {why}",
            level="warning",
            tenant_id=rt.account.tenant_id,
            account_id=rt.account.id,
            reason=why,
        )
    if report.waiting:
        events.record(
            store,
            "return.waiting",
            f"{report.waiting} returned line(s) wait for inspection (syncd return list)",
            level="info",
            tenant_id=rt.account.tenant_id,
            account_id=rt.account.id,
            count=report.waiting,
        )


def pull_returns(store: Store, rt: AccountRuntime) -> returns.ReturnReport:
    """Pull every changed return page by page (marketplaces that list returns on their
    own: ``Adapter.lists_returns``); each page and its cursor commit together."""
    assert rt.adapter is not None  # noqa: S101
    adapter = rt.adapter
    total = returns.ReturnReport()
    since = dt.datetime.fromisoformat(rt.account.integration_start)
    for _ in range(MAX_PAGES):
        cursor = returns.load_cursor(store, rt.account.id)
        page = with_auth(store, rt, lambda c=cursor: adapter.pull_returns(c, since))  # type: ignore[misc]
        report = returns.ingest(store, rt.account.tenant_id, rt.account.id, page)
        _note_returns(store, rt, report)
        for name in ("returns", "restocked", "waiting", "ignored"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.set_aside += report.set_aside
        if not page.more:
            break
    return total


class PushRefused(AdapterError):
    """A push job whose values the marketplace refused (each one recorded and logged)."""


@dataclass(slots=True)
class PushReport:
    """What one push did for one field."""

    sent: int = 0
    ok: int = 0
    failed: int = 0
    calls: int = 0
    first_error: str = ""  # the marketplace's words for the first refused value
    locked: int = 0  # refused because a campaign locks the stock: skipped, not failed


def _push_field(
    store: Store,
    rt: AccountRuntime,
    field_name: outbox.Field,
    items: list[outbox.Pending],
    *,
    marks: JobMarks | None = None,
    ends_job: bool = False,
) -> PushReport:
    """Send ``items`` (what is pending for the field, where the account pushes it) in
    the adapter's batches; each batch's results in one transaction, with ``marks``
    staged in it (the ok mark in the job's last batch while none was refused)."""
    assert rt.adapter is not None  # noqa: S101
    adapter, report = rt.adapter, PushReport()
    if not items:
        return report
    send: Callable[[Any], list[ItemResult]]
    if field_name == "stock":
        updates: list[Any] = [
            StockUpdate(p.listing_id, p.item_id, p.variant_id, p.desired, p.seq) for p in items
        ]
        per_call, send = adapter.limits.stock_per_call, adapter.push_stock
    else:
        updates = [
            PriceUpdate(p.listing_id, p.item_id, p.variant_id, p.desired, p.seq) for p in items
        ]
        per_call, send = adapter.limits.price_per_call, adapter.push_price
    by_id = {p.listing_id: p for p in items}
    batches = adapter.batches(updates, per_call)
    batches.sort(key=lambda b: not any(by_id[u.listing_id].decrease for u in b))
    for n, batch in enumerate(batches, start=1):
        results = _send(store, rt, send, batch)
        acked = dt.datetime.now(dt.UTC)
        report.calls += 1
        report.sent += len(batch)
        report.ok += sum(r.ok for r in results)
        report.locked += sum(r.locked and not r.ok for r in results)
        report.failed += sum(not r.ok and not r.locked for r in results)
        if not report.first_error:
            report.first_error = next((r.error for r in results if not r.ok and not r.locked), "")
        sent = [(by_id[r.listing_id], r) for r in results]
        # the outbox, the push log of what was sent and the locks it met, together
        with inventory.change(store, rt.account.tenant_id, correlation_id="lock") as work:
            queued = _queued_at(store, field_name, sent)  # before the results overwrite it
            outbox.record_results(store, field_name, sent)
            audit.record_pushes(store, rt.account.tenant_id, rt.account.id, field_name, sent)
            _note_locks(store, work, [r for r in results if r.locked and r.lock is not None])
            if marks is not None:
                marks.stage(store, ok=ends_job and n == len(batches) and not report.failed)
        if marks is not None:
            marks.committed()
        _observe_propagation(adapter.name, acked, queued)
        _log_results(store, rt, field_name, [(by_id[r.listing_id], r) for r in results])
    return report


def _queued_at(
    store: Store, field_name: str, sent: list[tuple[outbox.Pending, ItemResult]]
) -> list[str]:
    """When each acknowledged value was queued (its outbox row's ``updated_at`` while the
    row still holds that value's seq; a newer value queued meanwhile is not this one's)."""
    found = []
    for item, result in sent:
        if result.ok:
            at = store.scalar(
                "SELECT COALESCE(queued_at, updated_at) FROM outbox "
                "WHERE listing_id = ? AND field = ? AND seq = ?",
                (item.listing_id, field_name, item.seq),
            )
            if at:
                found.append(str(at))
    return found


def _observe_propagation(marketplace: str, acked: dt.datetime, queued: list[str]) -> None:
    """``/metrics``: how long each acknowledged value took from the outbox to the shop."""
    for at in queued:
        observe_propagation(marketplace, (acked - dt.datetime.fromisoformat(at)).total_seconds())


def _note_locks(store: Store, work: inventory.Change, refused: list[ItemResult]) -> None:
    """A push refused below a campaign lock whose size the marketplace told: the lock is
    kept on the listing (a floor for it, taken from the other channels) until the next
    read-back says otherwise."""
    from syncd.log import clean  # noqa: PLC0415 - marketplace words: scrubbed when stored

    for result in refused:
        row = store.one("SELECT sku_id, shown FROM listing WHERE id = ?", (result.listing_id,))
        if row is None or result.lock is None:
            continue
        store.conn.execute(
            "UPDATE listing SET locked = ?, lock_reason = CASE WHEN lock_reason = '' "
            "THEN ? ELSE lock_reason END WHERE id = ?",
            (max(0, result.lock), clean(result.error)[:200], result.listing_id),
        )
        work.touch([row["sku_id"]])


def _log_results(
    store: Store, rt: AccountRuntime, field_name: str, sent: list[tuple[outbox.Pending, ItemResult]]
) -> None:
    """One log line per pushed value, carrying the correlation id of what caused it."""
    for item, result in sent:
        _log.info(
            "push.result",
            field=field_name,
            listing=item.listing_id,
            value=item.desired,
            seq=item.seq,
            ok=result.ok,
            error=result.error or None,
            correlation_id=item.correlation_id or None,
        )
        if not result.ok:
            sku = store.scalar(
                "SELECT s.sku FROM listing l JOIN sku s ON s.id = l.sku_id WHERE l.id = ?",
                (item.listing_id,),
            )
            if result.locked:  # skipped with its reason: a campaign holds the stock
                events.record(
                    store,
                    "push.locked",
                    f"{field_name} {item.desired} not sent: campaign lock ({result.error})",
                    tenant_id=rt.account.tenant_id,
                    account_id=rt.account.id,
                    sku=sku,
                    correlation_id=item.correlation_id,
                    value=item.desired,
                    lock="?" if result.lock is None else result.lock,
                    reason=result.error,
                )
                continue
            events.record(
                store,
                "push.failed",
                f"{field_name} {item.desired} refused: {result.error}",
                level="warning",
                tenant_id=rt.account.tenant_id,
                account_id=rt.account.id,
                sku=sku,
                correlation_id=item.correlation_id,
                retry=result.retry,
            )


def _send(
    store: Store, rt: AccountRuntime, send: Callable[[Any], list[ItemResult]], batch: list[Any]
) -> list[ItemResult]:
    """One batch; a whole-batch failure becomes a failed result for each of its items."""
    try:
        results = with_auth(store, rt, lambda: send(batch))
    except (Rejected, SkippableItem) as exc:
        again = isinstance(exc, Unrecognized)  # a code no table names: a few more syncs
        return [
            ItemResult(u.listing_id, ok=False, error=f"{exc.code}: {exc}", retry=again)
            for u in batch
        ]
    except Retryable as exc:
        return [
            ItemResult(u.listing_id, ok=False, error=f"{exc.code}: {exc}", retry=True)
            for u in batch
        ]
    returned = {r.listing_id for r in results}
    missing = [
        ItemResult(u.listing_id, ok=False, error="no result for this item", retry=True)
        for u in batch
        if u.listing_id not in returned
    ]
    return [r for r in results if r.listing_id in {u.listing_id for u in batch}] + missing


def push(store: Store, rt: AccountRuntime) -> dict[str, PushReport]:
    """Pull this channel's new orders first (they may lower what we show), then push."""
    pull_orders(store, rt)
    return push_pending(store, rt)


def push_pending(
    store: Store, rt: AccountRuntime, *, marks: JobMarks | None = None
) -> dict[str, PushReport]:
    """Push what is pending (callers pull the channel's orders first). ``marks``: the
    push job's ``job_run`` marks ride in its result transactions, the ok mark in the
    last one when nothing was refused (one transaction fewer per push job)."""
    fields: tuple[outbox.Field, ...] = ("stock", "price")
    todo = {
        f: outbox.pending(store, rt.account.id, f) if rt.account.pushes(f) else [] for f in fields
    }
    last = next((f for f in reversed(fields) if todo[f]), None)
    reports: dict[str, PushReport] = {}
    for f in fields:
        clean = all(not r.failed for r in reports.values())
        reports[f] = _push_field(
            store, rt, f, todo[f], marks=marks if clean else None, ends_job=f == last
        )
    return reports


@dataclass(slots=True)
class DiscoverReport:
    """What discovery found and bound."""

    remote: int = 0
    bound: int = 0
    already: int = 0
    unmatched_remote: list[str] = field(default_factory=list)  # channel SKUs with no master SKU
    unlisted_master: list[str] = field(default_factory=list)  # master SKUs with no listing here


def discover(store: Store, rt: AccountRuntime) -> DiscoverReport:
    """Read every listing of the shop, bind by SKU, and record what the channel shows."""
    from syncd import catalog  # noqa: PLC0415
    from syncd.models import ListingIn  # noqa: PLC0415

    assert rt.adapter is not None  # noqa: S101
    adapter, acct, report = rt.adapter, rt.account, DiscoverReport()
    remote = with_auth(store, rt, lambda: list(adapter.discover()))
    note_storefronts(store, rt)
    report.remote = len(remote)
    masters = {s.sku.lower(): s for s in catalog.list_skus(store, acct.tenant_id)}
    bound = {
        (x.item_id, x.variant_id): x
        for x in catalog.list_listings(store, acct.tenant_id)
        if x.channel.lower() == acct.name.lower()
    }
    seen: list[tuple[int, RemoteListing]] = []
    to_bind: list[tuple[ListingIn, RemoteListing]] = []
    for item in remote:
        listing = bound.get((item.item_id, item.variant_id))
        if listing is None and item.sku and item.sku.lower() in masters:
            to_bind.append(
                (
                    ListingIn(
                        sku=masters[item.sku.lower()].sku,
                        channel=acct.name,
                        item_id=item.item_id,
                        variant_id=item.variant_id,
                    ),
                    item,
                )
            )
        elif listing is not None:
            report.already += 1
            seen.append((listing.id, item))
        else:
            report.unmatched_remote.append(item.sku or f"{item.item_id}/{item.variant_id}")
    if to_bind:
        made = inventory.bind_listings(store, acct.tenant_id, [b for b, _ in to_bind])
        report.bound += len(made)
        seen += [(x.id, item) for x, (_, item) in zip(made, to_bind, strict=True)]
    # what the channel shows (and its campaign locks: a change moves what every channel
    # of that SKU should show), in one transaction
    with inventory.change(store, acct.tenant_id, correlation_id="discover") as work:
        for listing_id, item in seen:
            outbox.set_known(store, listing_id, "stock", item.stock)
            outbox.set_known(store, listing_id, "price", item.price)
            if catalog.record_shown(
                store,
                listing_id,
                item.stock,
                locked=item.locked,
                locked_until=item.locked_until,
                lock_reason=item.lock_reason,
            ):
                work.touch(
                    [int(store.scalar("SELECT sku_id FROM listing WHERE id = ?", (listing_id,)))]
                )
    listed = {
        x.sku.lower()
        for x in catalog.list_listings(store, acct.tenant_id)
        if x.channel.lower() == acct.name.lower()
    }
    report.unlisted_master = sorted(s.sku for k, s in masters.items() if k not in listed)
    events.record(
        store,
        "listings.discovered",
        f"{report.remote} listings, {report.bound} newly bound, "
        f"{len(report.unmatched_remote)} unmatched",
        tenant_id=acct.tenant_id,
        account_id=acct.id,
        unmatched=report.unmatched_remote[:20],
    )
    return report


def sync_account(store: Store, rt: AccountRuntime) -> dict[str, Any]:
    """One full cycle for an account (used by ``--once`` and tests)."""
    pulled = pull_orders(store, rt)
    return {"orders": pulled, "push": push_pending(store, rt), "at": now()}
