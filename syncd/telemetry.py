"""What the running process counts for ``/metrics``: marketplace calls and propagation.

The bottom layer (beside ``syncd.errors``): it imports only ``prometheus_client`` and
the standard library, so the HTTP layer and the sync jobs can count without pulling
in anything else. Every series lives in :data:`REGISTRY` (not prometheus_client's
global default registry), and every name starts with ``syncd_``. What is read from
the database at scrape time (backlog, channel states, token horizons) is
``syncd.metrics``'s; this module holds only what exists in this process's memory.

Cheap by design: the daemon makes hundreds of calls a second, so the labelled
children are looked up once and kept (a dict read per observation afterwards).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Final, NamedTuple

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
)

__all__ = [
    "CALLS",
    "CALL_SECONDS",
    "ERRORS",
    "ERROR_CLASSES",
    "HEARTBEAT_EVERY",
    "JOB_WAIT_SECONDS",
    "PROPAGATION_SECONDS",
    "REGISTRY",
    "LanePace",
    "announce",
    "job_waits",
    "observe_call",
    "observe_job_wait",
    "observe_propagation",
    "pacing",
    "watch_pacing",
]

# No ``*_created`` series beside every counter and histogram: they double what is
# scraped and no rule of ours reads them (prometheus_client's own switch, process-wide).
disable_created_metrics()  # type: ignore[no-untyped-call]

#: The registry ``/metrics`` exposes (with the database collector of ``syncd.metrics``).
REGISTRY: Final = CollectorRegistry(auto_describe=True)

# the process's CPU, memory and open files, as syncd_process_* (Linux: read from /proc)
ProcessCollector(namespace="syncd", registry=REGISTRY)

#: How often the daemon's loop writes its heartbeat row (``Daemon.run(beat_every=...)``):
#: ``/readyz`` calls a heartbeat older than three of these stale.
HEARTBEAT_EVERY: Final = 5.0

CALLS: Final = Counter(
    "syncd_marketplace_calls",
    "HTTP attempts sent to a marketplace API (each retry counts: one per attempt, not per "
    "logical call), by outcome: ok, or error when the attempt raised",
    ("marketplace", "outcome"),
    registry=REGISTRY,
)
ERRORS: Final = Counter(
    "syncd_marketplace_errors",
    "HTTP attempts to a marketplace API that failed, by syncd error class (Retryable, "
    "RateLimited, MalformedResponse, RefreshAuth, NeedsReauth, Rejected, Unrecognized, ...)",
    ("marketplace", "error_class"),
    registry=REGISTRY,
)
CALL_SECONDS: Final = Histogram(
    "syncd_marketplace_call_seconds",
    "Seconds one HTTP attempt to a marketplace API took, from sending to its answer read "
    "and classified (rate-limit waits excluded)",
    ("marketplace",),
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
PROPAGATION_SECONDS: Final = Histogram(
    "syncd_push_propagation_seconds",
    "Seconds from a value being queued in the outbox (the order, sale or change that "
    "moved it; for a value that failed first, its last failed try) to the marketplace "
    "acknowledging it",
    ("marketplace",),
    buckets=(0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
    registry=REGISTRY,
)

JOB_WAIT_SECONDS: Final = Histogram(
    "syncd_job_wait_seconds",
    "Seconds a daemon job waited from coming due (a timer, a pending change, a webhook's "
    "wake) to a worker starting it, by marketplace and priority class (push_decrease, "
    "push_increase, push_price, refresh, pull_webhook, pull, discover, reconcile)",
    ("marketplace", "priority"),
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0),
    registry=REGISTRY,
)

#: The ``error_class`` values: the classes of ``syncd.errors`` an attempt can fail with
#: (``syncd.http.error_class``), and ``Unexpected`` for anything else.
ERROR_CLASSES: Final = (
    "Retryable",
    "RateLimited",
    "MalformedResponse",
    "RefreshAuth",
    "NeedsReauth",
    "Rejected",
    "Unrecognized",
    "SkippableItem",
    "CircuitOpen",
    "AdapterError",
    "Unexpected",
)

# Labelled children, resolved once: ``labels()`` takes a lock and builds a tuple each
# time, which a hot path need not pay. Plain dict reads are safe under the GIL; a race
# on first use only resolves the same child twice.
_ok: dict[str, tuple[Counter, Histogram]] = {}
_failed: dict[tuple[str, str], tuple[Counter, Counter, Histogram]] = {}
_propagation: dict[str, Histogram] = {}
_job_wait: dict[tuple[str, str], Histogram] = {}
_announced: set[str] = set()
_lock = threading.Lock()


def announce(marketplace: str) -> None:
    """Create ``marketplace``'s series at 0 before its first call: a counter that first
    appears at 1 hides that first increase from ``rate()`` and from alerts."""
    if marketplace in _announced:
        return
    with _lock:
        _announced.add(marketplace)
        CALLS.labels(marketplace, "ok")
        CALLS.labels(marketplace, "error")
        CALL_SECONDS.labels(marketplace)
        PROPAGATION_SECONDS.labels(marketplace)
        for name in ERROR_CLASSES:
            ERRORS.labels(marketplace, name)


def observe_call(marketplace: str, seconds: float, error_class: str | None = None) -> None:
    """Count one HTTP attempt to ``marketplace`` that took ``seconds``; ``error_class``
    is the syncd error class name when it failed (None: it succeeded)."""
    if error_class is None:
        ok = _ok.get(marketplace)
        if ok is None:
            with _lock:
                ok = (CALLS.labels(marketplace, "ok"), CALL_SECONDS.labels(marketplace))
                _ok[marketplace] = ok
        ok[0].inc()
        ok[1].observe(seconds)
        return
    key = (marketplace, error_class)
    failed = _failed.get(key)
    if failed is None:
        with _lock:
            failed = (
                CALLS.labels(marketplace, "error"),
                ERRORS.labels(marketplace, error_class),
                CALL_SECONDS.labels(marketplace),
            )
            _failed[key] = failed
    failed[0].inc()
    failed[1].inc()
    failed[2].observe(seconds)


def observe_propagation(marketplace: str, seconds: float) -> None:
    """One value acknowledged by ``marketplace`` ``seconds`` after it was queued."""
    child = _propagation.get(marketplace)
    if child is None:
        with _lock:
            child = PROPAGATION_SECONDS.labels(marketplace)
            _propagation[marketplace] = child
    child.observe(max(0.0, seconds))


class LanePace(NamedTuple):
    """One lane's poll pacing as the daemon running in this process sees it
    (``syncd.daemon.Pace``: a lane is a marketplace app's rate-limit bucket)."""

    lane: str  # ``<marketplace>:app:<app>``
    marketplace: str
    shops: int
    rate: float  # the app's sustained calls/s (math.inf: no bucket)
    asked: float  # the configured poll interval, s
    allowed: float  # the shortest interval the budget allows for these shops, s
    achieved: float | None  # the measured mean between one shop's polls (None: not yet)
    #: how late routine polls are, measured: the smoothed wait of those that started,
    #: or the wait of the oldest still queued (pushes and webhook pulls go first)
    late: float = 0.0


_pacing: list[Callable[[], Iterable[LanePace]]] = []


def watch_pacing(source: Callable[[], Iterable[LanePace]] | None) -> None:
    """Register what reads the pacing of the daemon running in this process (``syncd
    run --web``: ``/metrics`` shows it); one daemon a process, so the last one registered
    is read. None forgets it."""
    with _lock:
        _pacing[:] = [] if source is None else [source]


def pacing() -> list[LanePace]:
    """The registered daemon's pacing per lane; empty when no daemon runs here."""
    with _lock:
        sources = list(_pacing)
    return [pace for source in sources for pace in source()]


def observe_job_wait(marketplace: str, priority: str, seconds: float) -> None:
    """One job of ``marketplace`` at ``priority`` started ``seconds`` after it came due."""
    key = (marketplace, priority)
    child = _job_wait.get(key)
    if child is None:
        with _lock:
            child = JOB_WAIT_SECONDS.labels(marketplace, priority)
            _job_wait[key] = child
    child.observe(max(0.0, seconds))


def job_waits() -> dict[str, dict[str, dict[str, float]]]:
    """marketplace → priority → ``count`` and the bucket bounds ``p50`` and ``p99`` of
    the jobs' waits fall under (``inf``: beyond the last bucket), from this process's
    :data:`JOB_WAIT_SECONDS`: what the daemon says in its closing log line."""
    counts: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for metric in JOB_WAIT_SECONDS.collect():
        for sample in metric.samples:
            if sample.name.endswith("_bucket"):
                key = (sample.labels["marketplace"], sample.labels["priority"])
                counts.setdefault(key, []).append((float(sample.labels["le"]), sample.value))
    out: dict[str, dict[str, dict[str, float]]] = {}
    for (marketplace, priority), buckets in counts.items():
        buckets.sort()
        total = buckets[-1][1]  # the +Inf bucket: every observation
        if not total:
            continue
        out.setdefault(marketplace, {})[priority] = {
            "count": total,
            "p50": next(le for le, n in buckets if n >= 0.5 * total),
            "p99": next(le for le, n in buckets if n >= 0.99 * total),
        }
    return out
