"""What every marketplace simulator shares: a quiet HTTP server on 127.0.0.1 in a
background thread, start/stop that also release held requests, and a clock that
tests can move forward. Each simulator implements ``serve_http``."""

from __future__ import annotations

import abc
import contextlib
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, cast

__all__ = ["Bucket", "LoopbackSimulator", "Reply"]


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
    """Start/stop, ``base_url`` and the simulated clock; subclasses set the attributes
    below in ``__init__`` and answer requests in ``serve_http``."""

    _port: int
    _lock: threading.RLock
    _stopping: threading.Event
    _server: _Server | None
    _thread: threading.Thread | None
    _clock: Callable[[], float]
    _offset: float

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
