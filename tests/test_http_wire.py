"""The HTTP layer against a real socket on 127.0.0.1: what only a wire can show (issue 10,
defects 11 and 12). A tiny server drips or floods its answer; the client must give up
at its total deadline, and stop reading at its size cap, whatever the server does."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from syncd.errors import MalformedResponse, Retryable
from syncd.http import ApiClient, HttpPolicy, json_or_malformed


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        server: _Server = self.server  # type: ignore[assignment]
        if self.path == "/drip":  # one byte every 0.2 s, for far longer than any timeout
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "400")
            self.end_headers()
            for _ in range(400):
                if server.stopping.is_set():
                    return
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)
        elif self.path == "/flood":  # a valid JSON answer, far too large
            body = b'{"data": "' + b"x" * (20 * 1024 * 1024) + b'"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            server.sent += 0
            try:
                for i in range(0, len(body), 65536):
                    self.wfile.write(body[i : i + 65536])
                    server.sent += 65536
            except OSError:
                return
        else:
            body = b'{"data": "ok"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stopping: threading.Event
    sent: int


@pytest.fixture
def server() -> Iterator[str]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.stopping, srv.sent = threading.Event(), 0
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    host, port = srv.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        srv.stopping.set()
        srv.shutdown()
        srv.server_close()


def _client(base: str, **policy: object) -> ApiClient:
    return ApiClient(
        base,
        classify=json_or_malformed,
        policy=HttpPolicy(max_attempts=1, **policy),  # type: ignore[arg-type]
    )


def test_a_slow_drip_cannot_hold_a_call_past_its_deadline(server: str) -> None:
    """Defect 11: the read timeout applies per chunk, so a 40 s trickle held an account
    38.8 s with timeout=3. The whole call (connect + every read) now has one deadline."""
    client = _client(server, timeout=httpx.Timeout(3.0, connect=1.0), deadline=3.0)
    started = time.monotonic()
    with pytest.raises(Retryable, match="deadline"):
        client.request("GET", "/drip")
    assert time.monotonic() - started < 10  # the drip would last 80 s
    client.close()


def test_an_enormous_answer_is_refused_at_the_cap(server: str) -> None:
    """Defect 12: one 150 MB body took the daemon from 59 MB to 520 MB. Reading stops at
    the cap (default a few MB, far above any real page) and the answer is malformed."""
    client = _client(server, max_answer_bytes=1024 * 1024)
    with pytest.raises(MalformedResponse, match="larger than"):
        client.request("GET", "/flood")
    assert client.request("GET", "/fine") == {"data": "ok"}  # the client still works
    client.close()


def test_the_default_cap_and_deadline_are_there() -> None:
    policy = HttpPolicy()
    assert 1024 * 1024 <= policy.max_answer_bytes <= 64 * 1024 * 1024
    assert policy.deadline > 0
