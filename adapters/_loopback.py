"""What every marketplace simulator shares: a quiet HTTP server on 127.0.0.1 in a
background thread, start/stop that also release held requests, a clock that tests can
move forward, injected faults, per-shop rate limits, latency, the call accounting and
the stock observer. A simulator calls ``super().__init__(...)``, then declares only its
routes and records, and answers requests in ``serve_http`` (using ``take_fault``,
``throttle``, ``wait_latency``, ``hold_reply``, ``count_call`` and ``log_reply``)."""

from __future__ import annotations

import abc
import contextlib
import math
import random
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, cast

__all__ = ["FAULT_KINDS", "Bucket", "Fault", "LogEntry", "LoopbackSimulator", "Reply"]

#: Faults every simulator injects: ``429``/``500``/``error_body:<code>:<message>`` replace
#: the answer; ``malformed`` and ``timeout`` apply the request, then spoil or delay the
#: reply; ``expire_token`` expires the caller's shop tokens (a subclass adds its own).
FAULT_KINDS: frozenset[str] = frozenset({"429", "500", "malformed", "timeout", "expire_token"})
#: One line of a simulator's request log: (time, method, path, shop, status).
LogEntry = tuple[float, str, str, Any, int]


@dataclass
class Fault:
    """An injected fault: the next ``times`` requests to ``path`` (None: any) fail as ``kind``."""

    kind: str
    path: str | None
    times: int


@dataclass(frozen=True)
class Reply:
    """An HTTP answer as a simulator builds it."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Bucket:
    """A simulator's server-side rate limit state: tokens left at ``stamp``."""

    tokens: float
    stamp: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, sim: LoopbackSimulator, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.sim = sim
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hung up (timeouts); show simulator bugs."""
        if not isinstance(sys.exception(), OSError):
            super().handle_error(request, client_address)

    def drop_connections(self) -> None:
        """Wake idle keep-alive handlers so their threads end."""
        with self.sockets_lock:
            for sock in list(self.open_sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    @property
    def server_version(self) -> str:  # type: ignore[override]
        return type(cast(_Server, self.server).sim).__name__

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = cast(_Server, self.server).sim.serve_http(method, self.path, headers, body)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:  # the client gave up (e.g. its timeout fired)
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Never print: request lines carry access tokens, secrets and signs."""


class LoopbackSimulator(abc.ABC):
    """Start/stop, ``base_url``, the simulated clock, faults, rate limits, latency and the
    call accounting; subclasses answer requests in ``serve_http``.

    Settable attributes: ``latency``/``jitter`` (s), ``rate_limit`` ((rate/s, burst) per
    key a subclass throttles by, or None), ``timeout_hold`` (s a ``timeout`` fault holds
    the reply), ``retry_after`` (s, on injected 429s only: a throttled request's 429
    carries the wait ``throttle`` computed). Read-only by convention: ``calls``
    ((shop, path) → count) and ``request_log``.
    """

    #: the fault kinds ``inject`` accepts (a subclass may add its own)
    fault_kinds: frozenset[str] = FAULT_KINDS

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        rate_limit: tuple[float, int] | None = None,
        port: int = 0,
    ) -> None:
        self._clock = clock or time.time
        self._offset = 0.0
        self.latency, self.jitter = latency, jitter
        self.rate_limit = rate_limit
        self.timeout_hold = 5.0
        self.retry_after = 1
        self.calls: Counter[tuple[Any, str]] = Counter()
        self.request_log: list[LogEntry] = []
        self._port = port
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._rng = random.Random()  # noqa: S311 - latency jitter, not security
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._faults: list[Fault] = []
        self._buckets: dict[Any, Bucket] = {}

    # -- time

    def advance(self, seconds: float) -> None:
        """Move simulated time forward without sleeping."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._offset += seconds

    # -- faults

    def inject(self, kind: str, path: str | None = None, times: int = 1) -> None:
        """Make the next ``times`` requests (to ``path``, else any) fail as ``kind``
        (one of ``fault_kinds``, or ``error_body:<code>:<message>``)."""
        known = kind in self.fault_kinds or (
            kind.startswith("error_body:") and kind.count(":") >= 2
        )
        if not known or times < 1:
            raise ValueError(f"unknown fault {kind!r} (or times < 1)")
        with self._lock:
            self._faults.append(Fault(kind, path, times))

    def take_fault(self, path: str, applies: Callable[[Fault], bool] | None = None) -> str | None:
        """The kind of the first injected fault for ``path`` (that ``applies`` to this
        request, when given), counting it used; call under the lock."""
        for fault in self._faults:
            if not self.fault_matches(fault, path):
                continue
            if applies is not None and not applies(fault):
                continue
            fault.times -= 1
            if fault.times == 0:
                self._faults.remove(fault)
            return fault.kind
        return None

    def fault_matches(self, fault: Fault, path: str) -> bool:
        """Whether ``fault`` targets ``path`` (exact path here; a subclass may use globs)."""
        return fault.path in (None, path)

    # -- rate limits, latency, accounting

    def throttle(self, key: Any, now: float) -> int | None:
        """Seconds to wait if ``key``'s bucket (``rate_limit`` per key) is empty, else None
        (and a token is taken); call under the lock."""
        if self.rate_limit is None:
            return None
        rate, burst = self.rate_limit
        bucket = self._buckets.setdefault(key, Bucket(float(burst), now))
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return max(1, math.ceil((1 - bucket.tokens) / rate))

    def wait_latency(self) -> None:
        """Hold the request ``latency`` ± ``jitter`` seconds (released by ``stop``)."""
        self._stopping.wait(max(0.0, self.latency + self._rng.uniform(-self.jitter, self.jitter)))

    def hold_reply(self, fault: str | None) -> None:
        """A ``timeout`` fault: the request was applied; its reply comes ``timeout_hold`` late."""
        if fault == "timeout":
            self._stopping.wait(self.timeout_hold)

    def count_call(self, path: str, shop: Any) -> None:
        """Count a request as it arrives (``calls``); call under the lock."""
        self.calls[(shop, path)] += 1

    def log_reply(self, method: str, path: str, shop: Any, status: int) -> None:
        """Log a request's answer (``request_log``); call under the lock."""
        self.request_log.append((self.now(), method, path, shop, status))

    #: Called as ``observer(shop_id, item_id, variant_id, shown)`` after every change of
    #: the stock a listing shows buyers (orders, cancellations, API writes), under the
    #: simulator's lock, so calls come in the order the changes happened. Benchmarks use
    #: it to record stock over time; keep it cheap.
    observer: Callable[[Any, Any, Any, int], None] | None = None

    def _observe(self, shop_id: Any, item_id: Any, variant_id: Any, shown: int) -> None:
        if self.observer is not None:
            self.observer(shop_id, item_id, variant_id, shown)

    @abc.abstractmethod
    def serve_http(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        """Answer one request (``headers`` have lower-case names)."""

    def start(self) -> Self:
        """Listen on 127.0.0.1 (port 0 = any free port) in a background thread."""
        if self._server is None:
            self._stopping.clear()
            self._server = _Server(self, self._port)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening; held requests are released at once."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        server.drop_connections()
        server.server_close()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (after ``start``)."""
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def now(self) -> float:
        """Simulated Unix seconds: ``clock()`` plus everything ``advance`` added."""
        with self._lock:
            return self._clock() + self._offset
