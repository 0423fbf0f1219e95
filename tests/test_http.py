"""The HTTP layer: token buckets, circuit breaker, Retry-After and the retry policy.

Everything runs on a fake clock against ``httpx.MockTransport``; nothing sleeps
for real (except one short thread-safety test) and nothing leaves the process.
"""

from __future__ import annotations

import email.utils
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.errors import (
    AdapterError,
    CircuitOpen,
    MalformedResponse,
    NeedsReauth,
    RateLimited,
    RefreshAuth,
    Rejected,
    Retryable,
    SkippableItem,
)
from syncd.http import (
    ApiClient,
    CircuitBreaker,
    HttpPolicy,
    Limiter,
    TokenBucket,
    acquire_all,
    json_or_malformed,
    parse_retry_after,
)

BASE = "https://partner.test"
CANARY = "AT-CANARY-5f3a9c"
WALL = 1_700_000_000.0  # the fake wall clock, Unix seconds


class FakeClock:
    """Monotonic time that only moves when someone sleeps (or the fake server is slow)."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        assert len(self.sleeps) < 10_000, "spinning"
        self.sleeps.append(seconds)
        self.t += seconds

    def wall(self) -> float:
        return WALL + self.t


Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


class FakeServer:
    """Plays scripted replies in order; a request beyond the script fails the test."""

    def __init__(self, *replies: Reply, clock: FakeClock | None = None, latency: float = 0.0):
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []
        self.clock = clock
        self.latency = latency

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.replies:
            raise AssertionError(f"unexpected request: {request.method} {request.url.path}")
        if self.clock is not None:
            self.clock.t += self.latency
        reply = self.replies.pop(0)
        return reply(request) if callable(reply) else reply

    @property
    def calls(self) -> int:
        return len(self.requests)


def classify(response: httpx.Response) -> Any:
    """A minimal adapter error table."""
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("Retry-After"), now=WALL)
    if status == 429:
        raise RateLimited("throttled", status=status, retry_after=retry_after)
    if status >= 500:
        raise Retryable(f"server error {response.text}", status=status, retry_after=retry_after)
    errors: dict[int, type[AdapterError]] = {
        400: Rejected,
        401: RefreshAuth,
        403: NeedsReauth,
        409: SkippableItem,
    }
    if status in errors:
        raise errors[status]("refused", status=status)
    if 300 <= status < 400:
        return {"redirect": response.headers.get("Location")}
    return json_or_malformed(response, secrets=[CANARY])


def ok(data: object = None) -> httpx.Response:
    return httpx.Response(200, json={"data": data})


def status(code: int, text: str = "", **headers: str) -> httpx.Response:
    return httpx.Response(code, text=text, headers=headers)


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def connect_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Iterator[Callable[..., ApiClient]]:
    clients: list[ApiClient] = []

    def make(server: FakeServer, **kwargs: Any) -> ApiClient:
        kwargs.setdefault("policy", HttpPolicy(base_wait=0.5, max_wait=0.5))
        kwargs.setdefault("classify", classify)
        client = ApiClient(
            BASE,
            transport=httpx.MockTransport(server),
            sleep=clock.sleep,
            clock=clock.now,
            **kwargs,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


# -- token buckets ------------------------------------------------------------------


def grant_times(
    rate: float,
    burst: int,
    calls: int,
    gaps: list[float] | None = None,
) -> list[float]:
    """Times at which a bucket grants ``calls`` acquisitions, the caller idling ``gaps`` between."""
    clock = FakeClock()
    bucket = TokenBucket(rate, burst, clock=clock.now, sleep=clock.sleep)
    times = []
    for i in range(calls):
        clock.t += gaps[i % len(gaps)] if gaps else 0.0
        bucket.acquire()
        times.append(clock.t)
    return times


def max_in_window(times: list[float], window: float) -> int:
    """Most grants in any closed window of ``window`` seconds."""
    return max(sum(1 for u in times if t <= u <= t + window + 1e-9) for t in times)


def test_bucket_gives_the_burst_then_paces_at_the_rate(clock: FakeClock) -> None:
    bucket = TokenBucket(2.0, 3, clock=clock.now, sleep=clock.sleep)
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.acquire() == pytest.approx(0.5)
    assert bucket.acquire() == pytest.approx(0.5)
    clock.t += 10.0  # idle refills to the burst, not beyond
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.acquire() == pytest.approx(0.5)


def test_bucket_takes_several_tokens(clock: FakeClock) -> None:
    bucket = TokenBucket(1.0, 4, clock=clock.now, sleep=clock.sleep)
    assert bucket.acquire(4) == 0.0
    assert bucket.acquire(2) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="burst"):
        bucket.acquire(5)


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (1.0, 0)])
def test_bucket_rejects_bad_sizes(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate, burst)


@settings(max_examples=60, deadline=None)
@given(
    rate=st.sampled_from([0.5, 1.0, 2.0, 5.0, 8.0]),
    burst=st.integers(1, 10),
    window=st.sampled_from([0.5, 1.0, 2.5, 10.0]),
    gaps=st.lists(st.floats(0.0, 2.0), min_size=1, max_size=20),
)
def test_bucket_never_exceeds_burst_plus_rate_times_window(
    rate: float,
    burst: int,
    window: float,
    gaps: list[float],
) -> None:
    times = grant_times(rate, burst, 60, gaps)
    assert max_in_window(times, window) <= burst + rate * window + 1e-9


def test_finding_6_sizing_rule() -> None:
    """rate 8/s, burst 8 breaks a 10-per-second limit; burst + rate·W <= L keeps it."""
    limit, window = 10, 1.0
    naive = grant_times(8.0, 8, 40)
    assert max_in_window(naive, window) > limit  # 16 in the first second
    for rate, burst in [(5.0, 5), (8.0, 2), (9.0, 1)]:
        assert burst + rate * window <= limit
        assert max_in_window(grant_times(rate, burst, 60), window) <= limit


@pytest.mark.parametrize("start", [1e9, 1e12, 1e15])
@pytest.mark.parametrize("rate", [3.0, 7.0, 10.0])
def test_bucket_does_not_spin_on_a_large_clock(start: float, rate: float) -> None:
    """A tiny leftover wait can vanish when added to a large clock value (§3.3)."""
    clock = FakeClock()
    clock.t = start
    bucket = TokenBucket(rate, 1, clock=clock.now, sleep=clock.sleep)
    for _ in range(50):
        bucket.acquire()
    assert len(clock.sleeps) <= 2 * 50


class WouldWait(Exception):
    """Raised by a fake sleep: this thread found no token."""


class SlowBucket(TokenBucket):
    """Widens the gap between checking for tokens and taking them."""

    def _wait_for(self, now: float, n: int) -> float:
        wait = super()._wait_for(now, n)
        time.sleep(0.001)  # hand the GIL to another thread in between
        return wait


def test_bucket_is_thread_safe() -> None:
    """Sixteen threads race for a burst of 5 with time frozen: exactly 5 get a token."""

    def no_sleep(seconds: float) -> None:
        raise WouldWait

    bucket = SlowBucket(1.0, 5, clock=lambda: 0.0, sleep=no_sleep)
    granted: list[bool] = []

    def worker() -> None:
        try:
            bucket.acquire()
        except WouldWait:
            granted.append(False)
        else:
            granted.append(True)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(granted) == [False] * 11 + [True] * 5


def test_acquire_all_takes_from_every_bucket_at_once(clock: FakeClock) -> None:
    limiter = Limiter(clock=clock.now, sleep=clock.sleep)
    app = limiter.bucket("app:shopee", rate=10.0, burst=2)
    shop = limiter.bucket("shop:42", rate=1.0, burst=1)
    assert acquire_all([app, shop]) == 0.0
    assert acquire_all([app, shop]) == pytest.approx(1.0)  # waits on the shop bucket
    # The app bucket gave one token per call, both taken when the shop allowed it.
    assert app.acquire() == 0.0
    assert app.acquire() == pytest.approx(0.1)


def test_acquire_all_needs_one_clock(clock: FakeClock) -> None:
    a = TokenBucket(1.0, 1, clock=clock.now, sleep=clock.sleep)
    b = TokenBucket(1.0, 1, clock=FakeClock().now, sleep=clock.sleep)
    with pytest.raises(ValueError, match="clock"):
        acquire_all([a, b])


def test_limiter_returns_one_bucket_per_key(clock: FakeClock) -> None:
    limiter = Limiter(clock=clock.now, sleep=clock.sleep)
    app = limiter.bucket("app:lazada", 5.0, 5)
    assert limiter.bucket("app:lazada", 5.0, 5) is app
    assert limiter.bucket("shop:1", 5.0, 5) is not app
    with pytest.raises(ValueError, match="exists"):
        limiter.bucket("app:lazada", 10.0, 5)


# -- circuit breaker ----------------------------------------------------------------


def breaker(clock: FakeClock, changes: list[tuple[str, str]] | None = None) -> CircuitBreaker:
    on_change = None if changes is None else (lambda old, new: changes.append((old, new)))
    return CircuitBreaker(3, 60.0, clock=clock.now, wall=clock.wall, on_change=on_change)


def state_of(cb: CircuitBreaker) -> str:
    """Read the state through a call, so mypy does not narrow it between steps."""
    return cb.state


def test_breaker_opens_after_threshold_consecutive_failures(clock: FakeClock) -> None:
    cb = breaker(clock)
    cb.record_failure()
    cb.record_failure()
    cb.record_success()  # resets the count: failures must be consecutive
    cb.record_failure()
    cb.record_failure()
    assert state_of(cb) == "closed"
    cb.before_call()
    cb.record_failure()
    assert state_of(cb) == "open"
    with pytest.raises(CircuitOpen, match="60 s"):
        cb.before_call()


def test_breaker_half_open_lets_one_probe_and_success_closes(clock: FakeClock) -> None:
    changes: list[tuple[str, str]] = []
    cb = breaker(clock, changes)
    cb.trip()
    clock.t += 59.9
    with pytest.raises(CircuitOpen):
        cb.before_call()
    clock.t += 0.1
    cb.before_call()  # the probe
    assert state_of(cb) == "half_open"
    with pytest.raises(CircuitOpen):
        cb.before_call()  # only one probe at a time
    cb.record_success()
    assert state_of(cb) == "closed"
    assert cb.failures == 0
    cb.before_call()
    assert changes == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]


def test_breaker_failed_probe_reopens_and_restarts_the_timer(clock: FakeClock) -> None:
    cb = breaker(clock)
    cb.trip()
    clock.t += 60.0
    cb.before_call()
    clock.t += 5.0
    cb.record_failure()
    assert state_of(cb) == "open"
    clock.t += 59.0
    with pytest.raises(CircuitOpen):
        cb.before_call()
    clock.t += 1.0
    cb.before_call()
    assert state_of(cb) == "half_open"


def test_breaker_neutral_probe_frees_the_slot(clock: FakeClock) -> None:
    cb = breaker(clock)
    cb.trip()
    clock.t += 60.0
    cb.before_call()
    cb.record_neutral()  # e.g. the probe was rate limited
    cb.before_call()
    assert state_of(cb) == "half_open"


def test_breaker_stuck_probe_expires(clock: FakeClock) -> None:
    cb = breaker(clock)
    cb.trip()
    clock.t += 60.0
    cb.before_call()  # the probe never reports back
    clock.t += 60.0
    cb.before_call()
    assert state_of(cb) == "half_open"


def test_breaker_snapshot_survives_a_restart(clock: FakeClock) -> None:
    cb = breaker(clock)
    for _ in range(3):
        cb.record_failure()
    clock.t += 20.0
    snap = cb.snapshot()
    assert snap == {"state": "open", "failures": 3, "opened_at": WALL}
    later = FakeClock()  # a new process: monotonic restarts at 0, wall time moved on
    later.t = 30.0
    restored = CircuitBreaker(3, 60.0, clock=later.now, wall=later.wall)
    restored.restore(snap)
    assert state_of(restored) == "open"
    assert restored.failures == 3
    later.t = 59.0
    with pytest.raises(CircuitOpen):
        restored.before_call()
    later.t = 60.0
    restored.before_call()
    assert state_of(restored) == "half_open"


def test_breaker_snapshot_closed_and_bad_input(clock: FakeClock) -> None:
    cb = breaker(clock)
    assert cb.snapshot() == {"state": "closed", "failures": 0, "opened_at": None}
    cb.restore({"state": "closed", "failures": 2, "opened_at": None})
    assert (state_of(cb), cb.failures) == ("closed", 2)
    with pytest.raises(ValueError, match="state"):
        cb.restore({"state": "ajar"})


# -- Retry-After ----------------------------------------------------------------------


def http_date(unix: float) -> str:
    return email.utils.formatdate(unix, usegmt=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-5", 0.0),
        ("100000", 300.0),
        (http_date(WALL + 30), 30.0),
        (http_date(WALL - 3600), 0.0),
        (http_date(WALL + 86400), 300.0),
        ("Wed, 14 Nov 2023 22:13:50 -0000", 30.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("inf", None),
        ("nan", None),
        ("1e3", None),
        ("1_000", None),
        ("Wed, 32 Foo 2023 99:99:99 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=WALL) == expected


# -- the client: retries --------------------------------------------------------------


def test_success_returns_classified_data(make_client: Callable[..., ApiClient]) -> None:
    server = FakeServer(ok([1, 2]))
    client = make_client(server)
    assert client.request("POST", "/api/v2/stock", json={"sku": "A"}) == {"data": [1, 2]}
    assert server.calls == 1
    assert server.requests[0].url == f"{BASE}/api/v2/stock"


def test_429_with_retry_after_waits_that_long(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
) -> None:
    server = FakeServer(status(429, **{"Retry-After": "7"}), ok("done"))
    assert make_client(server).request("GET", "/orders") == {"data": "done"}
    assert server.calls == 2
    assert clock.sleeps == [7.0]


def test_429_with_http_date_retry_after(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
) -> None:
    server = FakeServer(status(429, **{"Retry-After": http_date(WALL + 12)}), ok())
    make_client(server).request("GET", "/orders")
    assert clock.sleeps == [12.0]


def test_429_with_garbage_retry_after_backs_off(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
) -> None:
    server = FakeServer(status(429, **{"Retry-After": "later"}), ok())
    make_client(server).request("GET", "/orders")
    assert clock.sleeps == [0.5]


def test_5xx_retried_with_jittered_backoff_then_succeeds(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
) -> None:
    server = FakeServer(status(503), status(502), status(500), ok("fine"))
    policy = HttpPolicy(base_wait=0.5, max_wait=1.5)
    assert make_client(server, policy=policy).request("GET", "/x") == {"data": "fine"}
    assert server.calls == 4
    first, second, third = clock.sleeps
    assert first == 0.5
    assert 0.5 <= second <= 1.0
    assert 0.5 <= third <= 1.5


def test_exhausted_attempts_raise_the_last_error(make_client: Callable[..., ApiClient]) -> None:
    server = FakeServer(*(status(503, f"try {i}") for i in range(5)))
    with pytest.raises(Retryable, match="try 4") as info:
        make_client(server).request("GET", "/x")
    assert type(info.value) is Retryable
    assert server.calls == 5


def test_elapsed_budget_stops_before_max_attempts(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
) -> None:
    clock_server = FakeServer(*(status(503) for _ in range(5)), clock=clock, latency=1.0)
    policy = HttpPolicy(max_attempts=5, max_elapsed=3.0, base_wait=1.0, max_wait=1.0)
    with pytest.raises(Retryable):
        make_client(clock_server, policy=policy).request("GET", "/x")
    # t=0 call (1 s), wait 1 s, t=2 call (1 s): another 1 s wait would end past t=3.
    assert clock_server.calls == 2
    assert clock.t == 3.0


def test_retry_after_beyond_the_budget_raises_at_once(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
) -> None:
    server = FakeServer(status(429, **{"Retry-After": "120"}))
    with pytest.raises(RateLimited) as info:
        make_client(server).request("GET", "/x")  # max_elapsed is 60 s
    assert info.value.retry_after == 120.0  # the daemon can persist "throttled until"
    assert server.calls == 1
    assert clock.sleeps == []


def test_retry_after_from_a_body_is_clamped_to_300_s(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
) -> None:
    def body_says_wait_an_hour(response: httpx.Response) -> Any:
        if response.status_code == 200:
            return classify(response)
        raise RateLimited("system busy", retry_after=3600.0)

    server = FakeServer(status(503), ok())
    policy = HttpPolicy(max_elapsed=1000.0)
    make_client(server, classify=body_says_wait_an_hour, policy=policy).request("GET", "/x")
    assert clock.sleeps == [300.0]


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (400, Rejected),
        (401, RefreshAuth),
        (403, NeedsReauth),
        (409, SkippableItem),
    ],
)
def test_final_errors_are_not_retried(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
    code: int,
    error: type[AdapterError],
) -> None:
    server = FakeServer(status(code))
    cb = breaker(clock)
    with pytest.raises(error):
        make_client(server, breaker=cb).request("POST", "/x")
    assert server.calls == 1
    assert clock.sleeps == []
    assert (state_of(cb), cb.failures) == ("closed", 0)


def test_timeouts_become_retryable_without_the_query(
    make_client: Callable[..., ApiClient],
) -> None:
    server = FakeServer(*(read_timeout for _ in range(5)))
    with pytest.raises(Retryable) as info:
        make_client(server).request(
            "GET",
            "/api/v2/order/list?sign=abc",
            params={"access_token": CANARY, "shop_id": 9},
        )
    error = info.value
    assert type(error) is Retryable
    assert str(error) == "GET /api/v2/order/list: ReadTimeout"
    assert error.__cause__ is None
    assert error.__context__ is None
    assert server.calls == 5
    assert server.requests[0].url.params["access_token"] == CANARY  # it was really sent


def test_connect_error_is_retried(make_client: Callable[..., ApiClient]) -> None:
    server = FakeServer(connect_error, ok("up"))
    assert make_client(server).request("GET", "/x") == {"data": "up"}
    assert server.calls == 2


def test_retries_draw_tokens_from_the_buckets(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
) -> None:
    limiter = Limiter(clock=clock.now, sleep=clock.sleep)
    buckets = [limiter.bucket("app", 1.0, 1), limiter.bucket("shop", 1.0, 1)]
    server = FakeServer(status(503), ok())
    make_client(server, buckets=buckets).request("GET", "/x")
    # 0.5 s backoff, then 0.5 s more until the bucket has a token for the retry.
    assert clock.sleeps == [0.5, pytest.approx(0.5)]
    assert server.calls == 2


def test_malformed_json_is_retried_then_raised_scrubbed(
    make_client: Callable[..., ApiClient],
) -> None:
    body = f"<html>oops ?access_token={CANARY} partner {CANARY} " + "x" * 200
    server = FakeServer(*(status(200, body) for _ in range(5)))
    with pytest.raises(MalformedResponse) as info:
        make_client(server).request("GET", "/x")
    message = str(info.value)
    assert message.startswith("HTTP 200: body is not JSON: '<html>oops ?access_token=***")
    assert CANARY not in message
    assert info.value.status == 200
    assert server.calls == 5


def test_json_or_malformed_handles_bad_bytes_and_cut_secrets() -> None:
    assert json_or_malformed(httpx.Response(200, json={"a": 1})) == {"a": 1}
    with pytest.raises(MalformedResponse, match="HTTP 502"):
        json_or_malformed(httpx.Response(502, content=b"\xff\xfe not utf-8"))
    secret = "S" * 30
    straddling = httpx.Response(200, content=b"x" * 70 + secret.encode())
    with pytest.raises(MalformedResponse) as info:
        json_or_malformed(straddling, secrets=[secret])
    assert "SSS" not in str(info.value)
    assert info.value.__context__ is None


# -- the client: breaker, callbacks, settings ---------------------------------------


def test_breaker_opens_mid_retry_and_stops_calls(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
) -> None:
    cb = breaker(clock)  # threshold 3
    server = FakeServer(status(503), status(503), status(503))
    client = make_client(server, breaker=cb)
    with pytest.raises(CircuitOpen):
        client.request("GET", "/x")
    assert server.calls == 3
    with pytest.raises(CircuitOpen):
        client.request("GET", "/x")
    assert server.calls == 3  # no call reached the server while open


def test_half_open_probe_through_the_client(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
) -> None:
    cb = breaker(clock)
    cb.trip()
    server = FakeServer(ok("back"))
    client = make_client(server, breaker=cb)
    clock.t += 60.0
    assert client.request("GET", "/x") == {"data": "back"}
    assert state_of(cb) == "closed"


def test_rate_limits_do_not_count_as_breaker_failures(
    make_client: Callable[..., ApiClient],
    clock: FakeClock,
) -> None:
    cb = breaker(clock)
    server = FakeServer(*(status(429, **{"Retry-After": "1"}) for _ in range(4)), ok())
    make_client(server, breaker=cb).request("GET", "/x")
    assert (state_of(cb), cb.failures) == ("closed", 0)


def test_on_retry_is_called_before_each_wait(make_client: Callable[..., ApiClient]) -> None:
    seen: list[tuple[int, str, float]] = []
    server = FakeServer(status(429, **{"Retry-After": "2"}), status(500), ok())
    make_client(server, on_retry=lambda n, e, w: seen.append((n, type(e).__name__, w))).request(
        "GET",
        "/x",
    )
    assert seen == [(1, "RateLimited", 2.0), (2, "Retryable", 0.5)]


def test_redirects_are_not_followed(make_client: Callable[..., ApiClient]) -> None:
    server = FakeServer(status(302, Location="https://elsewhere.test/"))
    assert make_client(server).request("GET", "/x") == {"redirect": "https://elsewhere.test/"}
    assert server.calls == 1


def test_explicit_timeout_reaches_the_transport(make_client: Callable[..., ApiClient]) -> None:
    server = FakeServer(ok())
    make_client(server, policy=HttpPolicy()).request("GET", "/x")
    timeout = server.requests[0].extensions["timeout"]
    assert timeout == {"connect": 5.0, "read": 15.0, "write": 15.0, "pool": 15.0}


def test_unexpected_request_fails_loudly(make_client: Callable[..., ApiClient]) -> None:
    client = make_client(FakeServer())
    with pytest.raises(AssertionError, match="unexpected request: GET /x"):
        client.request("GET", "/x")


def test_context_manager_closes_the_client() -> None:
    with ApiClient(BASE, classify=classify, transport=httpx.MockTransport(FakeServer())) as c:
        pass
    with pytest.raises(RuntimeError, match="closed"):
        c.request("GET", "/x")


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        ApiClient("ftp://partner.test", classify=classify)
    with pytest.raises(ValueError, match="max_attempts"):
        HttpPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="base_wait"):
        HttpPolicy(base_wait=5.0, max_wait=1.0)


def test_httpx_loggers_are_quiet() -> None:
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING


# -- issue 10: shared back-off, a total deadline, a cap on answer size ----------------


def test_retry_after_pauses_the_shop_for_every_caller(
    make_client: Callable[..., ApiClient], clock: FakeClock
) -> None:
    """Issue 10, defect 10: after `429 Retry-After: 120` only the retrying call waited; 27
    more calls reached that shop in 20 s (stock writes among them). The marketplace's
    pause now holds the shop's bucket for every caller until it ends: a call that cannot
    wait that long within its budget is refused without calling."""
    shop = TokenBucket(50, 5, clock=clock.now, sleep=clock.sleep)
    first = FakeServer(status(429, **{"Retry-After": "120"}))
    caller = make_client(first, buckets=[shop], pause_on_limit=[shop])
    with pytest.raises(RateLimited):
        caller.request("GET", "/orders")  # 120 s is past its 60 s budget: raised at once
    other = FakeServer(ok("late"))  # another job of the same shop, 20 s later
    second = make_client(other, buckets=[shop], pause_on_limit=[shop])
    clock.t += 20
    with pytest.raises(RateLimited):
        second.request("POST", "/stock")
    assert other.calls == 0  # nothing reached the shop while it said to wait
    clock.t += 101  # the pause is over
    assert second.request("POST", "/stock") == {"data": "late"}
    assert other.calls == 1


def test_a_short_pause_is_waited_by_the_next_caller(
    make_client: Callable[..., ApiClient], clock: FakeClock
) -> None:
    shop = TokenBucket(50, 5, clock=clock.now, sleep=clock.sleep)
    server = FakeServer(status(429, **{"Retry-After": "7"}), ok("a"), ok("b"))
    client = make_client(server, buckets=[shop], pause_on_limit=[shop])
    assert client.request("GET", "/orders") == {"data": "a"}
    started = clock.t
    assert client.request("GET", "/orders") == {"data": "b"}  # 7 s after the 429 already
    assert clock.t - started == pytest.approx(0.0, abs=0.1)


# -- retries and breaker flips reach the log (issue 11: the hooks were never passed) ----


@pytest.fixture
def info_logs() -> Iterator[None]:
    """structlog at its defaults (another test may have set the CLI's warnings-only)."""
    import structlog

    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


@pytest.mark.usefixtures("info_logs")
def test_every_retry_is_logged_with_its_code_and_no_secret(
    make_client: Callable[..., ApiClient],
) -> None:
    from structlog.testing import capture_logs

    server = FakeServer(status(503, f"access_token={CANARY}"), ok({"done": True}))
    with capture_logs() as logs:
        assert make_client(server).request("GET", "/x") == {"data": {"done": True}}
    retries = [e for e in logs if e["event"] == "http.retry"]
    assert len(retries) == 1
    assert retries[0]["attempt"] == 1
    assert retries[0]["wait"] == 0.5
    assert CANARY not in str(logs)


@pytest.mark.usefixtures("info_logs")
def test_the_runtime_breaker_logs_when_calls_stop_and_resume(clock: FakeClock) -> None:
    from structlog.testing import capture_logs

    from syncd.http import log_breaker_change

    cb = CircuitBreaker(2, 10.0, clock=clock.now, on_change=log_breaker_change)
    with capture_logs() as logs:
        cb.record_failure()
        cb.record_failure()
        clock.sleep(11)
        cb.before_call()
        cb.record_success()
    flips = [(e["old"], e["new"], e["log_level"]) for e in logs if e["event"] == "breaker.changed"]
    assert flips == [
        ("closed", "open", "info"),
        ("open", "half_open", "info"),
        ("half_open", "closed", "info"),
    ]


def test_requests_leave_no_retry_machinery_for_the_cyclic_collector(
    make_client: Callable[..., ApiClient],
) -> None:
    """One ``Retrying`` per client, not per request: a new one per request was ~15
    objects of reference cycles per call (its thread-local state, its bound methods),
    and httpx's streamed response and its stream refer to each other (~40 more with
    the pool's objects): freed only by the cyclic collector, which cost ~1 in 8 of the
    daemon's CPU at 1,000 polled members. The deadline is still each request's own
    (tests above)."""
    server = FakeServer(*([ok({"n": 1})] * 5), status(503), ok({"n": 2}))
    client = make_client(server)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(6):
            client.request("GET", "/x")
        gc.collect()
        left = [
            type(o).__qualname__
            for o in gc.garbage
            if (type(o).__module__ or "").startswith(("tenacity", "syncd", "httpx"))
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert server.calls == 7  # the 503 was retried
    assert left == []
