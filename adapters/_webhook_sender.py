"""What every marketplace simulator uses to deliver webhooks: a background sender that
POSTs signed deliveries to a receiver's URL with injected loss, duplication, delay and
reordering, retrying failed deliveries on the marketplace's schedule (scaled down) and
then giving up, like the marketplaces do (reference §1.6, §2.6, §3.6, §4.4, §5.4).

:class:`WebhookSender` is the sender; :class:`WebhookSimulator` is the base of a
simulator that can deliver (``enable_webhooks``/``disable_webhooks``, ``emit_webhook``;
``stop`` also closes the sender). Without ``enable_webhooks`` a simulator behaves as
before: ``emit_webhook`` does nothing.

Faults are drawn from one seeded generator, so one seed and one order of ``send`` calls
give the same losses, duplicates and delays. Lost deliveries (dropped by ``loss``, or
failed on every retry) are kept in ``lost`` and handed to ``on_lost`` (the Shopee
simulator serves them from ``get_lost_push_message``).
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import itertools
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

from adapters._loopback import LoopbackSimulator

__all__ = ["Delivery", "SenderClosed", "WebhookSender", "WebhookSimulator"]

#: Signs a delivery: (receiver URL, raw body) → the signature header(s).
Sign = Callable[[str, bytes], Mapping[str, str]]


class SenderClosed(RuntimeError):
    """``send`` on a sender that ``close`` stopped."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook as the marketplace sends it: the raw body and every header."""

    body: bytes
    headers: tuple[tuple[str, str], ...]
    sent_at: float = 0.0  # time.monotonic() of ``send``
    url: str = ""  # the address it was signed for

    def header(self, name: str) -> str | None:
        """A header's value by case-insensitive name, else None."""
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    delivery: Delivery = field(compare=False)
    attempt: int = field(default=0, compare=False)


class WebhookSender:
    """POSTs deliveries to ``url`` from one background thread.

    ``sign(url, body)`` gives the signature headers. Faults: ``loss`` (probability a
    delivery is never sent: kept in ``lost``), ``duplicate`` (sent twice, same headers),
    ``delay`` ((low, high) seconds, uniform, before the first attempt), ``reorder``
    (probability a delivery is held and sent after the next one; a held delivery waits
    at most ``hold`` seconds for a next). A failed attempt (no answer, or not 2xx) is
    retried after each of ``retries`` seconds in turn, then given up (kept in ``lost``);
    after ``disable_after`` consecutive failed attempts the subscription is off (every
    later delivery is lost), as WooCommerce and Shopify do. ``timeout``: seconds to
    connect and answer (Shopify: 5 s).

    Read-only by convention: ``delivered`` (deliveries a receiver acknowledged, in the
    order they were), ``lag`` and ``answer`` (for each of them: seconds from ``send``,
    and seconds the receiver took to answer), ``attempts`` (POSTs made), ``failures``,
    ``lost``, ``disabled``.
    """

    def __init__(
        self,
        url: str,
        sign: Sign,
        *,
        loss: float = 0.0,
        duplicate: float = 0.0,
        delay: tuple[float, float] = (0.0, 0.0),
        reorder: float = 0.0,
        seed: int | None = None,
        retries: Sequence[float] = (),
        disable_after: int | None = None,
        hold: float = 0.5,
        timeout: float = 5.0,
        on_lost: Callable[[Delivery], None] | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"a webhook URL is http(s)://host[:port]/path, not {url!r}")
        for name, p in (("loss", loss), ("duplicate", duplicate), ("reorder", reorder)):
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} is a probability (0..1), not {p!r}")
        if not 0.0 <= delay[0] <= delay[1]:
            raise ValueError(f"delay is (low, high) seconds with 0 <= low <= high, not {delay!r}")
        self.url, self._sign = url, sign
        self._parts = parts
        self.loss, self.duplicate, self.delay, self.reorder = loss, duplicate, delay, reorder
        self.retries = tuple(retries)
        self.disable_after, self.hold, self.timeout = disable_after, hold, timeout
        self.on_lost = on_lost
        # fault injection, not security. Two streams: what ``send`` draws (loss,
        # duplicates, delay) on the simulator's threads, what the worker draws (reorder)
        # on its own; one stream shared by both would give the same seed different
        # faults whenever the threads interleave differently
        self._rng = random.Random(seed)  # noqa: S311
        self._worker_rng = random.Random(None if seed is None else seed + 1)  # noqa: S311
        self._seq = itertools.count()
        self._heap: list[_Job] = []
        self._held: _Job | None = None
        self._held_since = 0.0
        self._busy = False
        self._closing = False
        self._cond = threading.Condition()
        self.delivered: list[Delivery] = []
        #: per acknowledged delivery: seconds from ``send`` to the receiver's 2xx, and
        #: the POST's own seconds (what the receiver took to answer)
        self.lag: list[float] = []
        self.answer: list[float] = []
        self.lost: list[Delivery] = []
        self.attempts = 0
        self.failures = 0
        self._failed_in_row = 0
        self.disabled = False
        self._thread = threading.Thread(target=self._run, name="webhook-sender", daemon=True)
        self._thread.start()

    # -- the marketplace side

    def send(self, body: bytes, headers: Mapping[str, str] | None = None) -> None:
        """Queue one delivery of ``body`` with ``headers`` plus the signature headers."""
        signed = {**(headers or {}), **self._sign(self.url, body)}
        delivery = Delivery(body, tuple(signed.items()), time.monotonic(), self.url)
        with self._cond:
            if self._closing:
                raise SenderClosed("the webhook sender is closed")
            if self.disabled or self._rng.random() < self.loss:
                self.lost.append(delivery)
                lost = True
            else:
                lost = False
                self._queue(delivery)
        if lost and self.on_lost is not None:
            self.on_lost(delivery)  # outside our lock: it may take the simulator's

    def _queue(self, delivery: Delivery) -> None:
        """Queue a delivery (once, or twice as a duplicate); call under the lock."""
        copies = 2 if self._rng.random() < self.duplicate else 1
        for _ in range(copies):
            wait = self._rng.uniform(*self.delay) if self.delay[1] > 0 else 0.0
            heapq.heappush(self._heap, _Job(time.monotonic() + wait, next(self._seq), delivery))
        self._cond.notify_all()

    def retarget(self, url: str) -> None:
        """Deliver to ``url`` from now on (a subscription moved through the API); what is
        queued goes there too. Faults and counters are kept."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"a webhook URL is http(s)://host[:port]/path, not {url!r}")
        with self._cond:
            self.url, self._parts = url, parts

    # -- the worker

    def _next_job(self) -> _Job | None:
        """The next job to attempt (None: closing), honouring due times and the held
        delivery; call under the condition's lock."""
        while not self._closing:
            now = time.monotonic()
            if self._heap and self._heap[0].due <= now:
                job = heapq.heappop(self._heap)
                if (
                    job.attempt == 0
                    and self._held is None
                    and self._worker_rng.random() < self.reorder
                ):
                    self._held, self._held_since = job, now
                    continue
                return job
            if self._held is not None and now - self._held_since >= self.hold:
                job, self._held = self._held, None
                return job
            waits = [self._heap[0].due - now] if self._heap else []
            if self._held is not None:
                waits.append(self._held_since + self.hold - now)
            self._cond.wait(max(0.0, min(waits)) if waits else None)
        return None

    def _run(self) -> None:
        while True:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
                job = self._next_job()
                if job is None:
                    return
                self._busy = True
                held = None
                if self._held is not None and job is not self._held and job.attempt == 0:
                    # the held delivery goes right after the one that overtook it
                    held, self._held = self._held, None
            for item in (job, held):
                if item is not None:
                    self._attempt(item)

    def _attempt(self, job: _Job) -> None:
        began = time.monotonic()
        ok = self._post(job.delivery)
        ended = time.monotonic()
        lost = False
        with self._cond:
            self.attempts += 1
            if ok:
                self._failed_in_row = 0
                self.delivered.append(job.delivery)
                self.lag.append(ended - job.delivery.sent_at)
                self.answer.append(ended - began)
                return
            self.failures += 1
            self._failed_in_row += 1
            if self.disable_after is not None and self._failed_in_row >= self.disable_after:
                self.disabled = True
            if job.attempt < len(self.retries) and not self.disabled:
                due = time.monotonic() + self.retries[job.attempt]
                again = _Job(due, next(self._seq), job.delivery, job.attempt + 1)
                heapq.heappush(self._heap, again)
                self._cond.notify_all()
            else:
                self.lost.append(job.delivery)
                lost = True
        if lost and self.on_lost is not None:
            self.on_lost(job.delivery)  # outside our lock: it may take the simulator's

    def _post(self, delivery: Delivery) -> bool:
        """One POST; True when the receiver answered 2xx."""
        with self._cond:
            parts, url = self._parts, self.url
        if url != delivery.url:  # moved since it was signed (Shopee signs the URL)
            delivery = Delivery(
                delivery.body,
                tuple({**dict(delivery.headers), **self._sign(url, delivery.body)}.items()),
                delivery.sent_at,
                url,
            )
        https = parts.scheme == "https"
        kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
        conn = kind(parts.hostname or "", parts.port, timeout=self.timeout)
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        try:
            headers = {"Content-Type": "application/json", **dict(delivery.headers)}
            conn.request("POST", target, body=delivery.body, headers=headers)
            reply = conn.getresponse()
            reply.read()
            return 200 <= reply.status < 300
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    # -- the test side

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until nothing is queued, held or in flight (a held delivery goes at once;
        pending retries are waited for). False when ``timeout`` ran out first."""
        end = time.monotonic() + timeout
        with self._cond:
            if self._held is not None:
                self._held_since = -self.hold  # release it now
                self._cond.notify_all()
            while self._heap or self._held is not None or self._busy:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def close(self) -> None:
        """Stop the worker and join it; what is still queued is never sent."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class WebhookSimulator(LoopbackSimulator):
    """A simulator that can deliver webhooks: a subclass gives ``webhook_sign`` (its
    marketplace's signature with the secret the adapter is configured with) and
    ``webhook_retries`` (its marketplace's retry schedule, real seconds), and calls
    ``emit_webhook`` where an order is created or changes status."""

    #: the marketplace's retry intervals after a failed delivery (real seconds)
    webhook_retries: tuple[float, ...] = ()
    #: consecutive failed deliveries after which the marketplace stops (None: never)
    webhook_disable_after: int | None = None

    _webhook_sender: WebhookSender | None = None

    def webhook_sign(self, url: str, body: bytes) -> Mapping[str, str]:
        """The signature header(s) of a delivery (a subclass signs as its marketplace)."""
        raise NotImplementedError

    def webhook_lost(self, delivery: Delivery) -> None:
        """A delivery that will never arrive (lost or given up); a subclass may keep it."""

    def enable_webhooks(
        self,
        url: str,
        *,
        loss: float = 0.0,
        duplicate: float = 0.0,
        delay: tuple[float, float] = (0.0, 0.0),
        reorder: float = 0.0,
        seed: int | None = None,
        retry_scale: float = 1e-4,
        hold: float = 0.5,
    ) -> WebhookSender:
        """Deliver a webhook to ``url`` on every order change from now on (faults as
        :class:`WebhookSender`; the retry schedule is ``webhook_retries`` × ``retry_scale``).
        Replaces (and closes) a sender enabled before."""
        self.disable_webhooks()
        sender = WebhookSender(
            url,
            self.webhook_sign,
            loss=loss,
            duplicate=duplicate,
            delay=delay,
            reorder=reorder,
            seed=seed,
            retries=[r * retry_scale for r in self.webhook_retries],
            disable_after=self.webhook_disable_after,
            hold=hold,
            on_lost=self.webhook_lost,
        )
        with self._lock:
            self._webhook_sender = sender
        return sender

    def webhook_registered(self, url: str) -> None:
        """A subscription to ``url`` was made or moved through the marketplace's API (the
        simulators' registration endpoints call this under the simulator's lock): deliver
        there from now on, with the faults of a sender enabled before (its address moves,
        no thread is joined), else a new fault-free sender. One address per simulator:
        the last registered wins for every shop it serves."""
        sender = self._webhook_sender
        if sender is not None:
            sender.retarget(url)
        else:
            self.start_registered_sender(url)

    def start_registered_sender(self, url: str) -> None:
        """The sender a first registration starts (a subclass passes what it needs)."""
        self.enable_webhooks(url)

    @property
    def webhook_sender(self) -> WebhookSender | None:
        """The sender ``enable_webhooks`` started, else None."""
        return self._webhook_sender

    def disable_webhooks(self) -> None:
        """Stop delivering (joins the sender's thread; queued deliveries are dropped)."""
        with self._lock:
            sender, self._webhook_sender = self._webhook_sender, None
        if sender is not None:
            sender.close()

    def emit_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> None:
        """Queue a delivery when webhooks are enabled (else nothing happens)."""
        sender = self._webhook_sender
        if sender is not None:
            with contextlib.suppress(SenderClosed):  # disabled meanwhile: not sent
                sender.send(body, headers)

    def stop(self) -> None:
        """Stop delivering webhooks, then stop listening."""
        self.disable_webhooks()
        super().stop()
