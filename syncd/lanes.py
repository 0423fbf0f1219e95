"""Lanes: the daemon's work, queued per rate-limit bucket, in priority order.

One lane per marketplace app (the app's token bucket, ``adapters.kit``: every shop of
that app shares it), so a marketplace at its limit never holds another one back.
Within a lane accounts wait by priority (:data:`PRIORITY`: stock decreases first,
then increases, prices, token refreshes, webhook-woken pulls, routine polls, then
discovery and reconciliation) and, at one priority, round-robin across tenants (one
big member cannot starve the others), first come first served inside a tenant.

:meth:`Lanes.take` hands a worker the next account from the lane whose bucket can
serve now, round-robin across lanes with work, and never more accounts of one lane
at once than :attr:`Lane.cap` (a saturated lane occupies that many workers at most,
never all of them). It returns how long to wait when no lane can serve. Upkeep
(discovery, reconciliation: :data:`UPKEEP`) starts only while its lane's bucket holds
:data:`HEADROOM` of its burst: a job, once started, takes its calls' tokens as they
come, so upkeep started in a lane at its limit would spend the tokens pushes and woken
pulls wait for. At the limit it waits for a lull.

The pacing helpers say what a poll interval costs: :func:`budget_interval` is the
interval an app's rate allows for the shops it serves; :func:`pacing_lines` renders
the daemon's ``daemon.pacing`` events for ``syncd status``.

Nothing here takes the daemon's lock: the daemon calls every method holding its own.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from syncd.http import TokenBucket

__all__ = [
    "CALLS_PER_POLL",
    "HEADROOM",
    "LATE_SAID",
    "PRIORITY",
    "UPKEEP",
    "UPKEEP_SHARE",
    "Lane",
    "Lanes",
    "behind_cause",
    "bucket_wait",
    "budget_interval",
    "pacing_lines",
    "polls_late",
    "upkeep_interval",
]

#: priority classes, most urgent first (lower runs first within a lane)
PRIORITY: Final[dict[str, int]] = {
    "push_decrease": 0,  # a sale elsewhere: the other channels must stop overselling
    "push_increase": 1,
    "push_price": 2,
    "refresh": 3,  # tokens renewed ahead of expiry: every later call needs them
    "pull_webhook": 4,  # the marketplace told us there is news
    "pull": 5,  # routine poll
    "discover": 6,
    "reconcile": 7,
}

#: priorities from here on are upkeep (discovery, reconciliation): they start only
#: while their lane's bucket holds ``HEADROOM`` of its burst (``Lanes.take``)
UPKEEP: Final = PRIORITY["discover"]
HEADROOM: Final = 0.5
#: the share of an app's budget reconciliation may take on average: a lane whose shops
#: cannot all be read back every ``Intervals.reconcile`` at that share reads them back
#: less often (:func:`upkeep_interval`) and says so once (``daemon.upkeep``)
UPKEEP_SHARE: Final = 0.1

#: calls a routine poll makes at least (one page of the order list)
CALLS_PER_POLL: Final = 1.0
#: a call's usual time on the wire: more jobs of one lane at once than rate × this
#: only wait on its bucket (and keep workers from other lanes)
CALL_SECONDS: Final = 0.5


def bucket_wait(bucket: TokenBucket | None, tokens: int = 1) -> float:
    """Seconds until ``bucket`` holds ``tokens`` (at most its burst; 0: now; no bucket:
    always now)."""
    if bucket is None:
        return 0.0
    with bucket._lock:  # a peek, no token taken (syncd.http has no public one yet)
        return bucket._wait_for(bucket.clock(), max(1, min(tokens, bucket.burst)))


def budget_interval(shops: float, rate: float, calls_per_poll: float = CALLS_PER_POLL) -> float:
    """The shortest poll interval (seconds) ``rate`` calls/s allows for ``shops`` shops."""
    return calls_per_poll * shops / rate if rate > 0 else 0.0


def upkeep_interval(shops: float, rate: float, calls_per_shop: float) -> float:
    """The shortest reconcile interval (seconds) for ``shops`` shops whose read-back costs
    ``calls_per_shop`` calls, at :data:`UPKEEP_SHARE` of ``rate`` calls/s."""
    return budget_interval(shops, rate * UPKEEP_SHARE, calls_per_shop)


@dataclass
class Lane:
    """One rate-limit bucket's queue: priority → tenant → accounts (FIFO)."""

    key: str
    bucket: TokenBucket | None = None
    cap: int = 1  # the most accounts of this lane running at once
    running: int = 0
    levels: dict[int, OrderedDict[int, deque[int]]] = field(default_factory=dict)
    queued: dict[int, int] = field(default_factory=dict)  # account → priority it waits at
    counts: dict[int, int] = field(default_factory=dict)  # priority → accounts waiting there

    def put(self, tenant: int, account: int, priority: int) -> None:
        """Queue ``account`` at ``priority``; an account already waiting lower moves up
        (its old place is skipped when reached: lazy removal)."""
        now_at = self.queued.get(account)
        if now_at is not None and now_at <= priority:
            return
        if now_at is not None:
            self._count(now_at, -1)
        self._count(priority, +1)
        self.queued[account] = priority
        self.levels.setdefault(priority, OrderedDict()).setdefault(tenant, deque()).append(account)

    def has_work(self) -> bool:
        return bool(self.queued)

    def head(self) -> int | None:
        """The most urgent priority an account waits at (None: none waits)."""
        return min(self.counts) if self.counts else None

    def _count(self, priority: int, step: int) -> None:
        left = self.counts.get(priority, 0) + step
        if left > 0:
            self.counts[priority] = left
        else:
            self.counts.pop(priority, None)

    def pop(self) -> int | None:
        """The next account: the most urgent priority, the next tenant in turn there."""
        for priority in sorted(self.levels):
            tenants = self.levels[priority]
            while tenants:
                tenant, accounts = next(iter(tenants.items()))
                account = accounts.popleft()
                if accounts:
                    tenants.move_to_end(tenant)  # round-robin across tenants
                else:
                    del tenants[tenant]
                if self.queued.get(account) == priority:  # else: a stale (moved) place
                    del self.queued[account]
                    self._count(priority, -1)
                    if not tenants:
                        del self.levels[priority]
                    return account
            del self.levels[priority]
        return None

    def order(self) -> list[int]:
        """The accounts in the order :meth:`pop` would hand them out (tests, status)."""
        copy = Lane(self.key)
        copy.queued = dict(self.queued)
        copy.levels = {
            p: OrderedDict((t, deque(a)) for t, a in tenants.items())
            for p, tenants in self.levels.items()
        }
        return list(iter(copy.pop, None))


class Lanes:
    """Every lane, and the round-robin that picks which one serves next."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self.lanes: OrderedDict[str, Lane] = OrderedDict()

    def lane(self, key: str, bucket: TokenBucket | None = None) -> Lane:
        """The lane for ``key`` (created on first use with its bucket and cap)."""
        found = self.lanes.get(key)
        if found is None:
            found = Lane(key, bucket, cap=self.cap_for(bucket))
            self.lanes[key] = found
        elif bucket is not None and found.bucket is not bucket:
            found.bucket, found.cap = bucket, self.cap_for(bucket)
        return found

    def cap_for(self, bucket: TokenBucket | None) -> int:
        """At most rate × a call's time accounts at once, and always one worker free
        for the other lanes (when there are two or more workers)."""
        most = max(1, self.workers - 1)
        if bucket is None:
            return most
        return max(1, min(most, math.ceil(bucket.rate * CALL_SECONDS)))

    def put(self, key: str, tenant: int, account: int, priority: int) -> None:
        self.lane(key).put(tenant, account, priority)

    def queued(self) -> int:
        return sum(len(lane.queued) for lane in self.lanes.values())

    def take(
        self, wait: Callable[[TokenBucket | None, int], float] = bucket_wait
    ) -> str | float:
        """The key of the lane to serve next, its running count taken (pop its account);
        else the seconds until one might serve (``math.inf``: no work at all).

        Lanes are tried round-robin: the one served moves to the back. A lane whose most
        urgent work is upkeep serves only while its bucket holds ``HEADROOM`` of its burst
        (a lane at its limit keeps its tokens for pushes and woken pulls)."""
        soonest = math.inf
        for key in list(self.lanes):
            lane = self.lanes[key]
            if not lane.has_work() or lane.running >= lane.cap:
                continue
            head, bucket = lane.head(), lane.bucket
            need = 1
            if head is not None and head >= UPKEEP and bucket is not None:
                need = math.ceil(bucket.burst * HEADROOM)
            ready_in = wait(bucket, need)
            if ready_in > 0:
                soonest = min(soonest, ready_in)
                continue
            self.lanes.move_to_end(key)
            lane.running += 1
            return key
        return soonest

    def release(self, key: str) -> None:
        """An account of lane ``key`` finished its job."""
        lane = self.lanes[key]
        lane.running = max(0, lane.running - 1)


# -- pacing for people ---------------------------------------------------------------

#: routine polls measured starting later than this (and than one asked interval) are
#: said: a ``daemon.behind`` warning (:func:`polls_late`)
LATE_SAID: Final = 2.0


def polls_late(late: float, asked: float) -> bool:
    """Routine polls fall behind the asked interval, measured: they start (or still
    wait) later than one asked interval and than :data:`LATE_SAID` s. The daemon's
    ``daemon.behind`` warning and ``/metrics``' ``syncd_lane_poll_behind`` both ask this."""
    return late > max(asked, LATE_SAID)


def behind_cause(data: dict[str, Any]) -> str:
    """A ``daemon.behind`` event's cause in the seller's words: every worker busy (its
    data names how many) or the lane full of pushes and webhook pulls."""
    from syncd.i18n import t  # noqa: PLC0415

    workers = data.get("workers")
    if workers:
        return t("lanes.cause_workers", workers=int(workers))
    return t("lanes.cause_lane")


def pacing_lines(store: Any, marketplaces: Iterable[str] | None = None) -> list[str]:
    """``syncd status`` lines for the running daemon's ``daemon.pacing`` events (one per
    marketplace app whose budget cannot keep the poll interval), ``daemon.behind`` ones
    (routine polls measured starting late: the lane is full), newest per lane, and
    ``daemon.upkeep`` ones (listings read back less often than asked);
    ``marketplaces``: only these (a member's own)."""
    from syncd.i18n import CATALOGUE, t  # noqa: PLC0415

    started = store.scalar("SELECT started_at FROM daemon_heartbeat WHERE id = 1")
    if started is None:
        return []
    rows = store.conn.execute(
        "SELECT kind, message, data FROM event WHERE kind IN ('daemon.pacing', "
        "'daemon.behind', 'daemon.upkeep') AND at >= ? ORDER BY id",
        (started,),
    ).fetchall()
    latest: dict[str, dict[str, Any]] = {}
    for kind, message, data in rows:
        found = json.loads(data or "{}")
        found["_message"], found["_kind"] = message, kind
        upkeep = kind == "daemon.upkeep"  # beside a lane's poll line, not instead of it
        latest[f"{found.get('lane', '')}{'/upkeep' if upkeep else ''}"] = found
    wanted = None if marketplaces is None else set(marketplaces)
    lines = []
    for found in latest.values():
        if wanted is not None and found.get("marketplace") not in wanted:
            continue
        if "lanes.pacing" not in CATALOGUE:  # its catalogue part not registered: the log's words
            lines.append(str(found["_message"]))
            continue
        if found["_kind"] == "daemon.upkeep":  # listings read back less often than asked
            lines.append(
                t(
                    "lanes.upkeep",
                    marketplace=found.get("title") or found.get("marketplace", "?"),
                    asked=_seconds(found.get("asked")),
                    every=_seconds(found.get("every")),
                    share=f"{float(found.get('share') or 0) * 100:.0f}",
                    shops=_count(int(found.get("shops") or 0)),
                )
            )
            continue
        if found["_kind"] == "daemon.behind":  # the budget allows it, the lane is full
            lines.append(
                t(
                    "lanes.behind",
                    marketplace=found.get("title") or found.get("marketplace", "?"),
                    asked=_seconds(found.get("asked")),
                    late=_seconds(found.get("late")),
                    cause=behind_cause(found),
                    achieved=_seconds(found.get("achieved")),
                    shops=_count(int(found.get("shops") or 0)),
                )
            )
            continue
        lines.append(
            t(
                "lanes.pacing",
                marketplace=found.get("title") or found.get("marketplace", "?"),
                asked=_seconds(found.get("asked")),
                allowed=_seconds(found.get("allowed")),
                achieved=_seconds(found.get("achieved") or found.get("allowed")),
                shops=_count(int(found.get("shops") or 0)),
            )
        )
    return lines


def _seconds(value: Any) -> str:
    number = float(value or 0)
    return f"{number:.0f}" if number >= 10 else f"{number:.1f}".rstrip("0").rstrip(".")


def _count(number: int) -> str:
    """1.000 (Indonesian) or 1,000 (English)."""
    from syncd.i18n import get_lang  # noqa: PLC0415

    return f"{number:,}".replace(",", "." if get_lang() == "id" else ",")
