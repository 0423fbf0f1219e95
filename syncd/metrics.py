"""``/metrics``, ``/healthz`` and ``/readyz``: what Prometheus and a supervisor read.

``/metrics`` is the text exposition (or OpenMetrics, when the scraper asks for it) of
two sources, every series named ``syncd_…``:

* what this process counted (``syncd.telemetry``): HTTP attempts to each marketplace
  by outcome, errors by syncd error class, attempt latency, and the propagation of
  acknowledged values from the outbox to the shop; and, when the daemon runs in this
  process (``syncd run --web``), each lane's poll pacing (:class:`PacingCollector`);
* what the database says at the moment of the scrape (:class:`DatabaseCollector`,
  short reads, never a write): the outbox backlog, its oldest pending value and the
  parked ones per marketplace, how many channels are in each state of
  ``syncd.health`` per marketplace, each channel's authorization horizon, the age of
  the daemon's heartbeat, and the events of the last hour by level.

Labels stay few: ``marketplace`` (the adapter's name: a Tokopedia shop counts as
``tiktok``, whose API serves it), ``state``, ``level``, and ``lane`` for the pacing (a
marketplace app's rate-limit bucket, ``<marketplace>:app:<app>``); only the token
horizon names a tenant and a channel, as an alert must say whose shop to re-authorize.

``/metrics`` needs no session (the web app lets these paths through: ``PUBLIC_PATHS``);
when ``[web] metrics_token`` is set it asks for ``Authorization: Bearer <token>``.
``/healthz`` answers 200 while the process serves requests, without touching the
database. ``/readyz`` answers 200 when the database takes a write transaction (under
the writer lock, within seconds) and the daemon's heartbeat is fresher than three of
its intervals; otherwise 503 with a JSON body naming the check that failed.

Example alert rules: ``docs/alerts.yml``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from syncd import telemetry
from syncd.errors import StoreBusy, UserError
from syncd.health import STATES, channel_health
from syncd.horizon import horizon
from syncd.lanes import polls_late
from syncd.log import REGISTRY as SECRETS
from syncd.log import clean
from syncd.store import BUSY_TIMEOUT_MS, Store

if TYPE_CHECKING:
    from syncd.config import Settings
    from syncd.credentials import Vault

__all__ = [
    "PUBLIC_PATHS",
    "STALE_BEATS",
    "DatabaseCollector",
    "PacingCollector",
    "readiness",
    "routes",
]

#: Paths served without a session (the web app's session check lets them through).
PUBLIC_PATHS: Final = ("/metrics", "/healthz", "/readyz")
#: A heartbeat older than this many daemon intervals is stale.
STALE_BEATS: Final = 3
#: How long ``/readyz`` waits for the writer lock before calling the database busy.
WRITE_TIMEOUT: Final = 2.0
#: Channel states are recomputed at most this often (each costs a few reads and
#: opening the channel's sealed tokens: a cooperative has hundreds of channels).
STATES_EVERY: Final = 15.0

VaultSource = Callable[[], "Vault | UserError"]

_ACTIVE = (  # values the daemon means to push (its push_due query)
    "o.status IN ('pending', 'failed') AND c.accepted_at IS NOT NULL AND c.paused_at IS NULL "
    "AND (o.field = 'stock' OR c.price_sync = 'push')"
)
# From each channel into the outbox through its (channel, field, status) index: no scan
# of the synced rows, which are nearly all of them.
_OUTBOX_SQL = f"""
SELECT c.marketplace AS marketplace,
  COALESCE(SUM({_ACTIVE}), 0) AS backlog,
  MIN(CASE WHEN {_ACTIVE} THEN COALESCE(o.queued_at, o.updated_at) END) AS oldest,
  COALESCE(SUM(o.status = 'parked'), 0) AS parked
FROM channel_account c
LEFT JOIN outbox o ON o.channel_account_id = c.id AND o.field IN ('stock', 'price')
  AND o.status IN ('pending', 'failed', 'parked')
WHERE c.removed_at IS NULL AND c.marketplace != 'manual'
GROUP BY c.marketplace
"""
_HORIZON_SQL = """
SELECT t.name AS tenant, c.name AS channel, cr.auth_expires_at, cr.refresh_expires_at
FROM channel_account c JOIN tenant t ON t.id = c.tenant_id
JOIN credential cr ON cr.channel_account_id = c.id
WHERE c.removed_at IS NULL AND c.marketplace != 'manual'
ORDER BY t.id, c.id
"""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _instant(value: object) -> dt.datetime:
    when = dt.datetime.fromisoformat(str(value))
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _label(marketplace: str) -> str:
    """The adapter's name for a stored marketplace (``tokopedia`` is served by ``tiktok``)."""
    from adapters import ALIASES  # noqa: PLC0415

    return ALIASES.get(marketplace, marketplace)


def key_vault(store: Store, settings: Settings) -> Vault | UserError:
    """The vault by the key rule every command follows (never creating a key), or why
    there is none (channels with sealed secrets then show ``cannot_decrypt``)."""
    from syncd.credentials import Vault, load_key  # noqa: PLC0415

    try:
        return Vault(load_key(store.path, settings.master_key, create=False))
    except UserError as exc:
        return exc


class _States:
    """Channel states per marketplace, kept ``every`` seconds (shared by the threads)."""

    def __init__(self, every: float) -> None:
        self.every = every
        self._lock = threading.Lock()
        self._at = float("-inf")
        self._counts: dict[tuple[str, str], int] = {}

    def get(
        self, store: Store, vault: Callable[[], Vault | UserError], now: dt.datetime
    ) -> dict[tuple[str, str], int]:
        with self._lock:
            if time.monotonic() - self._at < self.every:
                return self._counts
        rows = store.all(
            "SELECT id, marketplace FROM channel_account "
            "WHERE removed_at IS NULL AND marketplace != 'manual' ORDER BY id"
        )
        counts: dict[tuple[str, str], int] = {}
        box = vault() if rows else UserError()
        for row in rows:
            market = _label(row["marketplace"])
            for state in STATES:  # every state of every marketplace, zeros too
                counts.setdefault((market, state), 0)
            try:
                state = channel_health(store, row["id"], vault=box, now=now).state
            except LookupError:  # removed between the two reads
                continue
            counts[(market, state)] += 1
        with self._lock:
            self._counts, self._at = counts, time.monotonic()
        return counts


class DatabaseCollector(Collector):
    """The series read from the database at each scrape (see the module docstring).

    ``store`` must be usable by the scraping thread. A read that fails is logged and
    reported as ``syncd_database_up 0``; the process's own series are still served.
    """

    def __init__(
        self,
        store: Store,
        *,
        vault: Callable[[], Vault | UserError],
        states: _States | None = None,
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self.store = store
        self.vault = vault
        self.states = states or _States(0.0)
        self.now = now

    def collect(self) -> Iterator[Metric]:
        now = self.now()
        try:
            found = list(self._read(now))
        except (sqlite3.Error, UserError, ValueError) as exc:
            _log_failed(exc)
            yield _database_up(0)
            return
        yield _database_up(1)
        yield from found

    def _read(self, now: dt.datetime) -> Iterable[Metric]:
        yield from self._outbox(now)
        channels = GaugeMetricFamily(
            "syncd_channels",
            "Channels (not removed) in each state of syncd.health, by marketplace",
            labels=("marketplace", "state"),
        )
        for (market, state), n in sorted(self.states.get(self.store, self.vault, now).items()):
            channels.add_metric([market, state], n)
        yield channels
        yield self._horizons(now)
        yield from self._heartbeat(now)
        yield self._events(now)

    def _outbox(self, now: dt.datetime) -> Iterable[Metric]:
        backlog = GaugeMetricFamily(
            "syncd_outbox_backlog",
            "Values waiting to be pushed (pending or failed, on accepted channels not paused)",
            labels=("marketplace",),
        )
        oldest = GaugeMetricFamily(
            "syncd_outbox_oldest_pending_seconds",
            "Age of the oldest value waiting to be pushed (since it was queued or last "
            "tried), 0 when none waits",
            labels=("marketplace",),
        )
        parked = GaugeMetricFamily(
            "syncd_outbox_parked",
            "Values no longer tried until they change (refused, or failing too often)",
            labels=("marketplace",),
        )
        totals: dict[str, list[Any]] = {}
        for row in self.store.all(_OUTBOX_SQL):
            market = _label(row["marketplace"])
            seen = totals.setdefault(market, [0, None, 0])  # two aliases fold into one
            seen[0] += row["backlog"]
            seen[2] += row["parked"]
            if row["oldest"] and (seen[1] is None or row["oldest"] < seen[1]):
                seen[1] = row["oldest"]
        for market, (waiting, since, stuck) in sorted(totals.items()):
            backlog.add_metric([market], waiting)
            age = (now - _instant(since)).total_seconds() if since else 0.0
            oldest.add_metric([market], max(0.0, age))
            parked.add_metric([market], stuck)
        return (backlog, oldest, parked)

    def _horizons(self, now: dt.datetime) -> Metric:
        family = GaugeMetricFamily(
            "syncd_token_horizon_seconds",
            "Seconds until the channel must be authorized again (the earlier of its "
            "authorization and refresh-token expiry; negative once passed)",
            labels=("tenant", "channel"),
        )
        for row in self.store.all(_HORIZON_SQL):
            when = horizon(row["auth_expires_at"], row["refresh_expires_at"])
            if when is not None:
                family.add_metric([row["tenant"], row["channel"]], (when - now).total_seconds())
        return family

    def _heartbeat(self, now: dt.datetime) -> Iterable[Metric]:
        at = self.store.scalar("SELECT at FROM daemon_heartbeat WHERE id = 1")
        if at is None:  # no daemon ever ran here: absent(), not a made-up age
            return ()
        family = GaugeMetricFamily(
            "syncd_daemon_heartbeat_age_seconds",
            "Seconds since the daemon's loop last wrote its heartbeat",
        )
        family.add_metric([], max(0.0, (now - _instant(at)).total_seconds()))
        return (family,)

    def _events(self, now: dt.datetime) -> Metric:
        family = GaugeMetricFamily(
            "syncd_events_last_hour",
            "Operator events recorded in the last hour, by level",
            labels=("level",),
        )
        since = (now - dt.timedelta(hours=1)).isoformat(timespec="milliseconds")
        counts = dict.fromkeys(("info", "warning", "error"), 0)
        for level, n in self.store.conn.execute(
            "SELECT level, COUNT(*) FROM event WHERE at > ? GROUP BY level", (since,)
        ):
            counts[str(level)] = int(n)
        for level, n in counts.items():
            family.add_metric([level], n)
        return family


def _database_up(value: int) -> Metric:
    up = GaugeMetricFamily(
        "syncd_database_up", "1 when the database could be read for this scrape, else 0"
    )
    up.add_metric([], value)
    return up


def _log_failed(exc: BaseException) -> None:
    import structlog  # noqa: PLC0415

    structlog.get_logger("syncd.metrics").warning(
        "metrics.database_failed", error=clean(f"{type(exc).__name__}: {exc}")[:300]
    )


class PacingCollector(Collector):
    """Per lane, the pacing of the daemon running in this process (``Daemon.pacing``,
    read through ``syncd.telemetry.pacing``): nothing when no daemon runs here."""

    def collect(self) -> Iterator[Metric]:
        try:
            paces = sorted(telemetry.pacing(), key=lambda p: p.lane)
        except Exception as exc:  # noqa: BLE001 - a scrape never fails on the daemon's view
            _log_failed(exc)
            return
        if not paces:  # no daemon in this process: no pacing series at all
            return
        labels = ("lane", "marketplace")
        asked = GaugeMetricFamily(
            "syncd_lane_poll_asked_seconds",
            "The poll interval asked for (poll_every), per lane (a marketplace app's "
            "rate-limit bucket)",
            labels=labels,
        )
        allowed = GaugeMetricFamily(
            "syncd_lane_poll_allowed_seconds",
            "The shortest poll interval the app's rate budget allows for the shops of the "
            "lane (0: no limit)",
            labels=labels,
        )
        achieved = GaugeMetricFamily(
            "syncd_lane_poll_achieved_seconds",
            "The interval really achieved between one shop's routine polls (a smoothed "
            "mean; absent until a shop was polled twice)",
            labels=labels,
        )
        shops = GaugeMetricFamily(
            "syncd_lane_shops", "Shops (channel accounts) the lane serves", labels=labels
        )
        rate = GaugeMetricFamily(
            "syncd_lane_app_calls_per_second",
            "The app's sustained rate budget in calls/s (absent: the lane has no bucket)",
            labels=labels,
        )
        late = GaugeMetricFamily(
            "syncd_lane_poll_late_seconds",
            "How late routine polls are, measured: the smoothed wait for a worker of those "
            "that started (behind pushes and webhook pulls), or the wait of the oldest "
            "still queued",
            labels=labels,
        )
        behind = GaugeMetricFamily(
            "syncd_lane_poll_behind",
            "1 when the asked poll interval is not kept: the budget cannot keep it "
            "(allowed > asked; a daemon.pacing warning) or routine polls start later than "
            "one asked interval (a daemon.behind warning), else 0",
            labels=labels,
        )
        for pace in paces:
            where = [pace.lane, _label(pace.marketplace)]
            asked.add_metric(where, pace.asked)
            allowed.add_metric(where, pace.allowed)
            if pace.achieved is not None:
                achieved.add_metric(where, pace.achieved)
            shops.add_metric(where, pace.shops)
            if pace.rate != float("inf"):
                rate.add_metric(where, pace.rate)
            late.add_metric(where, pace.late)
            behind.add_metric(
                where, int(pace.allowed > pace.asked or polls_late(pace.late, pace.asked))
            )
        yield from (asked, allowed, achieved, late, shops, rate, behind)


class _Down(Collector):
    """The database did not open for this scrape."""

    def collect(self) -> Iterator[Metric]:
        yield _database_up(0)


class _Scrape(Collector):
    """This process's series and the database's, as one collector for the encoder."""

    def __init__(self, *sources: Collector) -> None:
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()


# -- readiness ------------------------------------------------------------------------


@contextlib.contextmanager
def _waiting_at_most(store: Store, seconds: float) -> Iterator[None]:
    """The writer lock and SQLite's busy wait bounded by ``seconds`` (then restored)."""
    lock_timeout = store.lock_timeout
    store.lock_timeout = seconds
    store.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        store.lock_timeout = lock_timeout
        store.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _writable(store: Store, timeout: float) -> dict[str, Any]:
    try:
        with _waiting_at_most(store, timeout), store.writer_lock():
            store.conn.execute("BEGIN IMMEDIATE")
            store.conn.execute("ROLLBACK")
    except StoreBusy:
        return {"ok": False, "error": f"writer lock not free within {timeout:g} s"}
    except sqlite3.Error as exc:
        return {"ok": False, "error": clean(f"{type(exc).__name__}: {exc}")[:300]}
    return {"ok": True}


def _daemon(store: Store, stale_after: float, now: dt.datetime) -> dict[str, Any]:
    try:
        row = store.one("SELECT pid, at FROM daemon_heartbeat WHERE id = 1")
    except sqlite3.Error as exc:
        return {"ok": False, "error": clean(f"{type(exc).__name__}: {exc}")[:300]}
    if row is None:
        return {"ok": False, "error": "no daemon heartbeat recorded: is `syncd run` running?"}
    age = round((now - _instant(row["at"])).total_seconds(), 3)
    check: dict[str, Any] = {"ok": age <= stale_after, "age_seconds": age, "pid": row["pid"]}
    if not check["ok"]:
        check["error"] = (
            f"daemon heartbeat is {age:.0f} s old (stale after {stale_after:g} s): "
            "is `syncd run` running and its loop alive?"
        )
    return check


def readiness(
    store: Store,
    *,
    heartbeat_every: float = telemetry.HEARTBEAT_EVERY,
    now: dt.datetime | None = None,
    timeout: float = WRITE_TIMEOUT,
) -> dict[str, Any]:
    """What ``/readyz`` checks: ``{"ok": bool, "checks": {"database": …, "daemon": …}}``,
    each check ``{"ok": bool, "error": "…" when not}``."""
    checks = {
        "database": _writable(store, timeout),
        "daemon": _daemon(store, STALE_BEATS * heartbeat_every, now or _utcnow()),
    }
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}


# -- routes ---------------------------------------------------------------------------


def _authorized(request: Request, token: str | None) -> bool:
    if not token:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


_NO_STORE = {"Cache-Control": "no-store"}


def routes(
    open_store: Callable[[], Store],
    settings: Settings,
    *,
    vault: VaultSource | None = None,
    heartbeat_every: float = telemetry.HEARTBEAT_EVERY,
    states_every: float = STATES_EVERY,
    now: Callable[[], dt.datetime] = _utcnow,
) -> list[Route]:
    """``/metrics``, ``/healthz`` and ``/readyz`` for the web app.

    ``open_store()`` returns a Store the calling thread may use (the handlers run in
    Starlette's thread pool). ``vault`` returns the vault that opens sealed tokens (for
    the channel states); by default it is loaded by the key rule at each recount.
    ``heartbeat_every``: the daemon's heartbeat interval (stale after three).
    """
    token = settings.web.metrics_token
    if token:
        SECRETS.add(token)  # masked wherever it might turn up in a log
    states = _States(states_every)

    def metrics(request: Request) -> Response:
        if not _authorized(request, token):
            return PlainTextResponse(
                "unauthorized: send Authorization: Bearer <[web] metrics_token>\n",
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="syncd-metrics"', **_NO_STORE},
            )
        encode, content_type = choose_encoder(request.headers.get("accept", ""))
        try:
            store = open_store()
        except (UserError, sqlite3.Error) as exc:  # this process's own series still go out
            _log_failed(exc)
            return Response(
                encode(_Scrape(telemetry.REGISTRY, PacingCollector(), _Down())),
                media_type=content_type,
                headers=_NO_STORE,
            )
        source: VaultSource = vault or (lambda: key_vault(store, settings))
        database = DatabaseCollector(store, vault=source, states=states, now=now)
        body = encode(_Scrape(telemetry.REGISTRY, PacingCollector(), database))
        return Response(body, media_type=content_type, headers=_NO_STORE)

    def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok\n", headers=_NO_STORE)

    def readyz(_request: Request) -> Response:
        try:
            store = open_store()
        except (UserError, sqlite3.Error) as exc:
            why = {"ok": False, "error": clean(f"{type(exc).__name__}: {exc}")[:300]}
            unknown = {"ok": False, "error": "not checked: the database did not open"}
            report = {"ok": False, "checks": {"database": why, "daemon": unknown}}
        else:
            report = readiness(store, heartbeat_every=heartbeat_every, now=now())
        return JSONResponse(report, status_code=200 if report["ok"] else 503, headers=_NO_STORE)

    return [
        Route("/metrics", metrics, methods=["GET"], name="metrics"),
        Route("/healthz", healthz, methods=["GET"], name="healthz"),
        Route("/readyz", readyz, methods=["GET"], name="readyz"),
    ]
