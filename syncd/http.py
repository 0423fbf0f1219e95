"""The one HTTP layer every adapter uses: rate limits, circuit breaker, retries.

An adapter builds an :class:`ApiClient` with its ``classify(response)`` function
(status and body error codes → data or an ``AdapterError``), its ``httpx.Auth``
signer, its token buckets and its breaker. Adapters never write retry loops.

Every attempt, first or retry, passes the breaker and draws a token from every
bucket. Messages never hold a URL or query string: marketplaces put tokens and
signatures there.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import email.utils
import functools
import logging
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Literal, Self

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_base, wait_random_exponential

from syncd.errors import AdapterError, CircuitOpen, MalformedResponse, RateLimited, Retryable
from syncd.redact import scrub
from syncd.telemetry import announce, observe_call

__all__ = [
    "CONNECTION_LIMITS",
    "KEEPALIVE_EXPIRY",
    "MAX_RETRY_AFTER",
    "ApiClient",
    "CircuitBreaker",
    "HttpPolicy",
    "Limiter",
    "TokenBucket",
    "acquire_all",
    "calls_here",
    "error_class",
    "json_or_malformed",
    "log_breaker_change",
    "log_retry",
    "marketplace_of",
    "parse_retry_after",
    "unanswered_attempts",
]

_thread = threading.local()


def calls_here() -> int:
    """API attempts this thread has sent so far (a job's calls: read before and after)."""
    return int(getattr(_thread, "calls", 0))


# Their INFO lines carry full URLs, and Shopee/Lazada put tokens in the query string.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

#: Longest wait a server's Retry-After (or an error's ``retry_after``) can impose.
MAX_RETRY_AFTER = 300.0
_SNIPPET = 80  # characters of a non-JSON body kept in the error message
_DELAY_SECONDS = re.compile(r"-?\d+(?:\.\d+)?")
#: An idle connection is kept this long, longer than the longest routine poll interval
#: (the 120 s safety-net poll of a shop whose webhooks arrive; the 10-30 s poll otherwise):
#: httpx's default 5 s was shorter than a 10 s poll, so every poll paid a new TCP+TLS
#: handshake. A connection the server closed first is noticed when it is taken from the
#: pool (or fails as a transport error, which is retried).
KEEPALIVE_EXPIRY = 130.0
#: One client serves one shop, so few connections each: 3,000 shops must not hold
#: more idle sockets than the process may open (one or two each), and a burst of
#: one shop's calls waits for a connection rather than opening dozens.
CONNECTION_LIMITS = httpx.Limits(
    max_connections=8, max_keepalive_connections=2, keepalive_expiry=KEEPALIVE_EXPIRY
)

Clock = Callable[[], float]
Sleep = Callable[[float], None]
BreakerState = Literal["closed", "open", "half_open"]


# -- token buckets ------------------------------------------------------------------


_WATCH: contextvars.ContextVar[list[Retryable] | None] = contextvars.ContextVar(
    "syncd_http_watch", default=None
)


@contextlib.contextmanager
def unanswered_attempts() -> Iterator[list[Retryable]]:
    """Collect the attempts of the requests made inside that may have reached the server
    without their answer reaching us (a timeout, a cut connection, a 5xx, a misread
    answer; not a 429). A refresh uses it: with single-use refresh tokens, such an
    attempt may have spent the token."""
    failures: list[Retryable] = []
    reset = _WATCH.set(failures)
    try:
        yield failures
    finally:
        _WATCH.reset(reset)


def log_retry(attempt: int, exc: AdapterError, wait: float) -> None:
    """The default ``on_retry`` of :class:`ApiClient`: one log line per retried attempt
    (the daemon binds tenant, account and job around each job)."""
    import structlog  # noqa: PLC0415 - the CLI's sale path never imports structlog

    structlog.get_logger("syncd.http").info(
        "http.retry", attempt=attempt, code=exc.code, error=scrub(str(exc))[:300], wait=wait
    )


def log_breaker_change(old: str, new: str) -> None:
    """An ``on_change`` for :class:`CircuitBreaker`: a line when calls stop or resume."""
    import structlog  # noqa: PLC0415

    # info: the daemon logs it; a one-off command (warnings only) keeps its one line
    structlog.get_logger("syncd.http").info("breaker.changed", old=old, new=new)


class TokenBucket:
    """A token bucket: at most ``burst + rate·W`` grants in any window of W seconds.

    To stay under a limit of L calls per W seconds, pick ``burst + rate·W ≤ L``.
    Kept as GCRA (one "full again at" time) rather than a float token count:
    comparing times cannot spin when a tiny wait vanishes into a large clock value.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"need rate > 0 and burst >= 1, got rate={rate} burst={burst}")
        self.rate = float(rate)
        self.burst = int(burst)
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._full_at = clock()  # when the bucket is full again; starts full
        self._paused_until = float("-inf")  # the marketplace said "wait" until then

    def acquire(self, n: int = 1) -> float:
        """Block until ``n`` tokens are taken; return the seconds waited."""
        return acquire_all((self,), n)

    def pause(self, seconds: float) -> None:
        """The marketplace said to wait (429, Retry-After): no caller gets a token for
        ``seconds`` from now (a longer pause already in force stays)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self.clock() + seconds)

    def paused_for(self) -> float:
        """Seconds until the marketplace's pause ends (0 when there is none)."""
        with self._lock:
            return max(0.0, self._paused_until - self.clock())

    def _wait_for(self, now: float, n: int) -> float:
        """Seconds until ``n`` tokens are there (0 if they are). Caller holds the lock."""
        pace = self._full_at - (self.burst - n) / self.rate - now
        return max(0.0, pace, self._paused_until - now)

    def _take(self, now: float, n: int) -> None:
        self._full_at = max(self._full_at, now) + n / self.rate


def acquire_all(buckets: Sequence[TokenBucket], n: int = 1) -> float:
    """Take ``n`` tokens from every bucket at the same instant; return the seconds waited.

    Taking them together (not one after another) keeps a token of a shared app
    bucket from being held while this call waits on its shop bucket.
    """
    ordered = sorted(set(buckets), key=id)  # one lock order for every caller: no deadlock
    if not ordered:
        return 0.0
    clock, sleep = ordered[0].clock, ordered[0].sleep
    if any(b.clock != clock for b in ordered):
        raise ValueError("buckets acquired together must share one clock")
    if any(n > b.burst for b in ordered):
        raise ValueError(f"cannot take {n} tokens from a bucket with a smaller burst")
    waited = 0.0
    while (wait := _try_take(ordered, clock, n)) > 0:
        sleep(wait)
        waited += wait
    return waited


def _try_take(ordered: Sequence[TokenBucket], clock: Clock, n: int) -> float:
    """Take the tokens if all buckets have them, else return the longest wait."""
    with contextlib.ExitStack() as stack:
        for bucket in ordered:
            stack.enter_context(bucket._lock)
        now = clock()
        wait = max(bucket._wait_for(now, n) for bucket in ordered)
        if wait == 0:
            for bucket in ordered:
                bucket._take(now, n)
        return wait


class Limiter:
    """Registry of named buckets (one per app, one per shop), shared by all accounts."""

    def __init__(self, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, key: str, rate: float, burst: int) -> TokenBucket:
        """The bucket for ``key``, created on first use; other sizes for one key are an error."""
        with self._lock:
            found = self._buckets.get(key)
            if found is None:
                found = TokenBucket(rate, burst, clock=self._clock, sleep=self._sleep)
                self._buckets[key] = found
            elif (found.rate, found.burst) != (float(rate), int(burst)):
                raise ValueError(
                    f"bucket {key!r} exists with rate={found.rate} burst={found.burst}; "
                    f"asked for rate={rate} burst={burst}"
                )
            return found


# -- circuit breaker ----------------------------------------------------------------


class CircuitBreaker:
    """closed → open after ``threshold`` consecutive failures → one probe after ``reset_after``.

    ``on_change(old, new)`` is called after every state change (for logging flips).
    ``wall`` is only used to make :meth:`snapshot` survive a restart.
    """

    def __init__(
        self,
        threshold: int = 5,
        reset_after: float = 60.0,
        *,
        clock: Clock = time.monotonic,
        wall: Clock = time.time,
        on_change: Callable[[str, str], None] | None = None,
    ) -> None:
        if threshold < 1 or reset_after <= 0:
            raise ValueError("need threshold >= 1 and reset_after > 0")
        self.threshold = threshold
        self.reset_after = reset_after
        self._clock = clock
        self._wall = wall
        self._on_change = on_change
        self._lock = threading.Lock()
        self._state: BreakerState = "closed"
        self._failures = 0
        self._opened_at = 0.0  # clock() when it last opened
        self._probe_at: float | None = None  # clock() when the half-open probe went out

    @property
    def state(self) -> BreakerState:
        """``closed``, ``open`` or ``half_open`` (open turns half-open on a later call)."""
        return self._state

    @property
    def failures(self) -> int:
        """Consecutive failures counted so far."""
        return self._failures

    def before_call(self) -> None:
        """Raise ``CircuitOpen`` unless a call may go out now."""
        with self._lock:
            old, wait, new = self._state, self._admit(self._clock()), self._state
        self._notify(old, new)
        if wait > 0:
            raise CircuitOpen(f"circuit open; next probe in {wait:.0f} s")

    def _admit(self, now: float) -> float:
        """0 if the call may go out, else seconds until a probe. Caller holds the lock."""
        if self._state == "closed":
            return 0.0
        since = self._opened_at if self._state == "open" else self._probe_at
        if since is not None and now - since < self.reset_after:
            return self.reset_after - (now - since)
        self._state, self._probe_at = "half_open", now  # a stuck probe expires after reset_after
        return 0.0

    def record_success(self) -> None:
        """The server answered well: close and forget the failures."""
        self._set(self._close)

    def record_failure(self) -> None:
        """The server failed: count it; open at the threshold; a failed probe re-opens."""
        self._set(self._fail)

    def record_neutral(self) -> None:
        """Neither (rate limit, rejection, auth): free the half-open probe slot."""
        self._set(self._free_probe)

    def trip(self) -> None:
        """Open now (operator action, or a revoked credential)."""
        self._set(lambda: self._open(self._clock()))

    def reset(self) -> None:
        """Close now (operator action)."""
        self.record_success()

    def _fail(self) -> None:
        self._failures += 1
        if self._state == "half_open" or self._failures >= self.threshold:
            self._open(self._clock())

    def _free_probe(self) -> None:
        self._probe_at = None

    def _open(self, now: float) -> None:
        self._state, self._opened_at, self._probe_at = "open", now, None

    def _close(self) -> None:
        self._state, self._failures, self._probe_at = "closed", 0, None

    def _set(self, change: Callable[[], None]) -> None:
        with self._lock:
            old = self._state
            change()
            new = self._state
        self._notify(old, new)

    def _notify(self, old: BreakerState, new: BreakerState) -> None:
        if self._on_change is not None and old != new:
            self._on_change(old, new)

    def snapshot(self) -> dict[str, Any]:
        """State to persist; ``opened_at`` is wall-clock (Unix) time so it survives restarts."""
        with self._lock:
            age = self._clock() - self._opened_at
            opened = None if self._state == "closed" else self._wall() - age
            return {"state": self._state, "failures": self._failures, "opened_at": opened}

    def restore(self, data: Mapping[str, Any]) -> None:
        """Load a :meth:`snapshot`; a half-open breaker comes back without a probe in flight."""
        state = data.get("state")
        if state not in ("closed", "open", "half_open"):
            raise ValueError(f"unknown breaker state {state!r}")
        failures = int(data.get("failures") or 0)
        opened = data.get("opened_at")
        with self._lock:
            self._close()
            self._failures = max(0, failures)
            if state != "closed":
                age = max(0.0, self._wall() - float(opened if opened is not None else 0.0))
                self._open(self._clock() - age)
                self._state = state


# -- Retry-After ----------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delay-seconds or HTTP-date), in [0, 300].

    ``now`` is Unix time (for HTTP-dates); garbage gives ``None``.
    """
    text = (value or "").strip()
    if not text:
        return None
    if _DELAY_SECONDS.fullmatch(text):
        return _clamp(float(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; "-0000" parses as naive
        when = when.replace(tzinfo=dt.UTC)
    return _clamp(when.timestamp() - (time.time() if now is None else now))


def _clamp(seconds: float) -> float:
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


# -- the client -----------------------------------------------------------------------


@dataclass(frozen=True)
class HttpPolicy:
    """Retry and timeout numbers; adapters tune these, never the loop."""

    max_attempts: int = 5
    max_elapsed: float = 60.0  # no retry starts (and no wait ends) later than this
    base_wait: float = 0.5
    max_wait: float = 30.0
    timeout: httpx.Timeout = field(default_factory=lambda: httpx.Timeout(15.0, connect=5.0))
    #: one attempt, connect and every read together, ends by then: a server that drips
    #: its answer cannot hold an account longer (httpx's read timeout is per chunk)
    deadline: float = 30.0
    #: an answer longer than this is malformed; reading stops there (real pages are KBs)
    max_answer_bytes: int = 8 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.max_elapsed <= 0:
            raise ValueError("need max_attempts >= 1 and max_elapsed > 0")
        if self.deadline <= 0 or self.max_answer_bytes < 1024:
            raise ValueError("need deadline > 0 and max_answer_bytes >= 1024")
        if not 0 < self.base_wait <= self.max_wait:
            raise ValueError("need 0 < base_wait <= max_wait")


class _Deadline(stop_base):
    """Stop when the coming wait would end after the request's deadline (on the injected
    clock): the last argument of the attempt (``ApiClient._attempt``'s ``budget_ends``),
    so one ``Retrying`` serves every request of its client."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, retry_state: RetryCallState) -> bool:
        deadline: float = retry_state.args[-1]
        return self._clock() + retry_state.upcoming_sleep > deadline


class _ServerOrBackoff(wait_base):
    """The error's ``retry_after`` (≤ 300 s) when set, else full-jitter exponential backoff."""

    def __init__(self, policy: HttpPolicy) -> None:
        self._backoff = wait_random_exponential(
            multiplier=policy.base_wait,
            min=policy.base_wait,
            max=policy.max_wait,
        )

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, Retryable) and exc.retry_after is not None:
            return _clamp(exc.retry_after)
        return self._backoff(retry_state)


#: what a read answer's streamed response keeps as its stream (``ApiClient._read``)
_SPENT: Final = httpx.ByteStream(b"")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context (system CA store, as httpx's default) for every client.

    Building one costs ~50 ms of CPU (it loads the CA bundle); a cooperative's daemon
    has one client per shop, so thousands of shops would spend minutes starting up.
    """
    import certifi  # noqa: PLC0415 - httpx's own dependency, its default CA bundle

    return ssl.create_default_context(cafile=certifi.where())


class ApiClient:
    """One marketplace account's HTTP client: breaker, buckets and retries around httpx.

    ``classify(response)`` returns the parsed data or raises an ``AdapterError``.
    Only ``Retryable`` errors (and transport errors, turned into ``Retryable``)
    are retried; when retries run out the last error is raised.

    Every attempt that goes out is counted in ``syncd.telemetry`` (calls by outcome,
    errors by class, latency) under ``marketplace``: the adapter's name, by default
    read from the module of ``classify`` (``adapters.<name>.errors``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        classify: Callable[[httpx.Response], Any],
        auth: httpx.Auth | None = None,
        buckets: Sequence[TokenBucket] = (),
        breaker: CircuitBreaker | None = None,
        policy: HttpPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        on_retry: Callable[[int, AdapterError, float], None] | None = None,
        pause_on_limit: Sequence[TokenBucket] | None = None,
        marketplace: str | None = None,
    ) -> None:
        if httpx.URL(base_url).scheme not in ("http", "https"):
            raise ValueError("base_url must be an http:// or https:// URL")
        self._sleep = sleep
        self._clock = clock
        self.policy = policy or HttpPolicy()  # the retrying built from it (``policy``)
        #: the ``marketplace`` label of this client's attempts in ``/metrics``
        self.marketplace = marketplace or marketplace_of(classify)
        announce(self.marketplace)
        self._classify = classify
        self._buckets = tuple(buckets)
        #: the buckets a Retry-After pauses for every caller (the shop's; default: all)
        self._pause = tuple(self._buckets if pause_on_limit is None else pause_on_limit)
        self._breaker = breaker
        self._on_retry = log_retry if on_retry is None else on_retry
        self._client = httpx.Client(
            base_url=base_url,
            auth=auth,
            timeout=self.policy.timeout,
            transport=transport,  # a given transport keeps its own limits
            follow_redirects=False,
            verify=tls_context(),
            limits=CONNECTION_LIMITS,
        )

    @property
    def policy(self) -> HttpPolicy:
        return self._policy

    @policy.setter
    def policy(self, policy: HttpPolicy) -> None:
        self._policy = policy
        #: one for every request (its state is per thread): a new one per request left
        #: ~15 objects in reference cycles per call for the cyclic collector
        self._retrying = Retrying(
            stop=stop_after_attempt(policy.max_attempts) | _Deadline(self._clock),
            wait=_ServerOrBackoff(policy),
            retry=retry_if_exception_type(Retryable),
            sleep=self._nap,
            before_sleep=self._before_sleep,
            reraise=True,
        )

    def _nap(self, seconds: float) -> None:
        self._sleep(seconds)  # looked up at each wait: a test may swap it

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send with retries; return what ``classify`` returns or raise an ``AdapterError``."""
        budget_ends = self._clock() + self.policy.max_elapsed
        return self._retrying(self._attempt, method, path, params, json, budget_ends)

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        budget_ends: float,
    ) -> Any:
        paused = max((b.paused_for() for b in self._pause), default=0.0)
        if paused and self._clock() + paused > budget_ends:  # do not call, do not block
            raise RateLimited(
                f"{method} {path.split('?', 1)[0]}: the marketplace asked to wait "
                f"{paused:.0f} s more",
                retry_after=paused,
            )
        if self._breaker is not None:
            self._breaker.before_call()
        acquire_all(self._buckets)  # waits out a shorter pause with the pacing
        _thread.calls = calls_here() + 1
        started = time.perf_counter()  # the wire's time, not a test clock's
        try:
            data = self._classify(self._send(method, path, params, json))
        except BaseException as exc:
            if isinstance(exc, Exception):  # not Ctrl-C: that is no answer of the server
                observe_call(self.marketplace, time.perf_counter() - started, error_class(exc))
            self._account(exc)
            self._watched(exc)
            if isinstance(exc, Retryable) and exc.retry_after:
                for bucket in self._pause:  # every caller of this shop waits too
                    bucket.pause(_clamp(exc.retry_after))
            raise
        observe_call(self.marketplace, time.perf_counter() - started)
        self._account(None)
        return data

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
    ) -> httpx.Response:
        where = f"{method} {path.split('?', 1)[0]}"
        try:
            return self._read(method, path, params, json, where)
        except httpx.TransportError as exc:
            failure = type(exc).__name__
        # Raised outside the except block: no chained httpx error (its request holds the URL).
        raise Retryable(f"{where}: {failure}")

    def _read(
        self, method: str, path: str, params: Mapping[str, Any] | None, json: Any, where: str
    ) -> httpx.Response:
        """The whole answer within the policy's deadline and size cap (streamed: neither a
        drip nor a flood is waited for or held in memory past them)."""
        policy = self.policy
        ends = time.monotonic() + policy.deadline  # real time: the wire's, not a test clock
        response: httpx.Response | None = None
        try:
            with self._client.stream(method, path, params=params, json=json) as response:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > policy.max_answer_bytes:
                        raise MalformedResponse(
                            f"{where}: answer larger than {policy.max_answer_bytes} bytes",
                            status=response.status_code,
                        )
                    if time.monotonic() > ends:
                        raise Retryable(f"{where}: no complete answer within the deadline")
                    chunks.append(chunk)
                headers = [
                    (k, v)
                    for k, v in response.headers.multi_items()
                    if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
                ]
                return httpx.Response(
                    response.status_code,
                    headers=headers,
                    content=b"".join(chunks),
                    request=response.request,
                )
        finally:
            if response is not None:
                # closed: httpx binds a streamed response and its stream to each other;
                # cut that, so both (and the pool's request objects the stream holds) are
                # freed at once, not by the cyclic collector (~40 objects per call)
                response.stream = _SPENT

    def _watched(self, exc: BaseException) -> None:
        failures = _WATCH.get()
        if failures is not None and isinstance(exc, Retryable) and not isinstance(exc, RateLimited):
            failures.append(exc)

    def _account(self, exc: BaseException | None) -> None:
        """Feed the breaker: server trouble fails, success closes, anything else is neutral."""
        if self._breaker is None:
            return
        if exc is None:
            self._breaker.record_success()
        elif isinstance(exc, Retryable) and not isinstance(exc, RateLimited):
            self._breaker.record_failure()
        else:
            self._breaker.record_neutral()

    def _before_sleep(self, retry_state: RetryCallState) -> None:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if self._on_retry is not None and isinstance(exc, AdapterError):
            self._on_retry(retry_state.attempt_number, exc, retry_state.upcoming_sleep)

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def marketplace_of(classify: Callable[..., Any]) -> str:
    """The marketplace a ``classify`` function belongs to: ``<name>`` for one defined in
    ``adapters.<name>...``, else the top package of its module (a third-party adapter)."""
    parts = (getattr(classify, "__module__", None) or "").split(".")
    if len(parts) > 1 and parts[0] == "adapters":
        return parts[1]
    return parts[0] or "unknown"


def error_class(exc: BaseException) -> str:
    """The ``error_class`` label of a failed attempt: the nearest class of
    ``syncd.errors`` it is (a subclass defined elsewhere counts as its syncd parent),
    ``Unexpected`` for anything else (a bug in a ``classify``)."""
    for cls in type(exc).__mro__:
        if cls.__module__ == AdapterError.__module__ and issubclass(cls, AdapterError):
            return cls.__name__
    return "Unexpected"


def json_or_malformed(response: httpx.Response, *, secrets: Iterable[str] = ()) -> Any:
    """Parse the body as JSON, or raise ``MalformedResponse`` (retryable) with a scrubbed excerpt.

    The excerpt is cut *after* scrubbing, so a secret straddling the cut is still masked.
    """
    try:
        return response.json()
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        text = response.content[: _SNIPPET * 16].decode("utf-8", "replace")
        excerpt = scrub(text, secrets)[:_SNIPPET]
    status = response.status_code
    raise MalformedResponse(f"HTTP {status}: body is not JSON: {excerpt!r}", status=status)


def bucket_for_limit(limiter: Limiter, key: str, limit: float) -> TokenBucket:
    """The shared bucket for "at most ``limit`` calls in any second": it keeps
    burst + rate·1 s ≤ limit (reliability.md finding 6)."""
    burst = max(1, int(limit * 0.2))
    return limiter.bucket(key, max(0.5, limit - burst), burst)
