"""A hostile network between syncd and a simulator, on 127.0.0.1 (issue 10).

``FaultProxy`` forwards every request to the simulator and spoils the answer as its
plan says: truncate it, cut the connection mid-body, replace it with garbage or an
HTML error page, answer 5xx/429, change one value in the JSON to a hostile one, drop
a key, flood it past the client's size cap, replay the previous answer of that path,
reorder its lists, delay it, or drip it slower than the client's deadline. ``counts``
says how many answers of each kind it served.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

#: Kinds of spoiled answers (``pass``: the simulator's answer as it is).
KINDS = (
    "truncate",
    "cut",
    "garbage",
    "html",
    "status",
    "mutate",
    "drop_key",
    "enlarge",
    "duplicate",
    "reorder",
    "delay",
    "drip",
)
#: Values a marketplace should never send where a field is (mutate).
HOSTILE: tuple[Any, ...] = (
    None,
    "",
    0,
    -3,
    2**63,
    10**12,
    "True",
    "['']",
    "%%not-a-cursor%%",
    [],
    {},
    True,
    1.5,
    "x" * 300,
    "2026-13-45T99:99:99",
)
Fault = tuple[str, int]  # (kind, a number that picks where and what)
Plan = Callable[[str], Fault | None]  # path → the fault for this answer (None: pass)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path


def _containers(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict | list):
        yield path
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            yield from _containers(item, (*path, key))


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def spoil_json(body: Any, kind: str, n: int) -> Any:
    """``body`` with one thing changed as ``kind`` says (``n`` picks where and what)."""
    rng = random.Random(n)  # noqa: S311 - a fault plan, not security
    if kind == "mutate":
        leaves = [p for p in _leaves(body) if p]
        if leaves:
            path = leaves[n % len(leaves)]
            _at(body, path[:-1])[path[-1]] = HOSTILE[rng.randrange(len(HOSTILE))]
    elif kind == "drop_key":
        dicts = [p for p in _containers(body) if isinstance(_at(body, p), dict) and _at(body, p)]
        if dicts:
            target = _at(body, dicts[n % len(dicts)])
            del target[sorted(target)[rng.randrange(len(target))]]
    elif kind == "reorder":
        for path in _containers(body):
            found = _at(body, path)
            if isinstance(found, list):
                rng.shuffle(found)
    return body


class FaultProxy:
    """Forwards to ``upstream``; spoils answers as ``plan`` says. Start, then use ``url``."""

    def __init__(self, upstream: str, plan: Plan, *, cap: int, drip_for: float) -> None:
        self.upstream = upstream.rstrip("/")
        self.plan = plan
        self.cap = cap  # the client's size cap: "enlarge" goes past it
        self.drip_for = drip_for  # how long a drip lasts: longer than the client's deadline
        self.counts: Counter[str] = Counter()
        self._last: dict[str, tuple[int, bytes]] = {}
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=30.0)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                proxy.handle(self)

            def do_POST(self) -> None:
                proxy.handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    # -- one answer ------------------------------------------------------------------

    def handle(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length) if length else b""
        headers = {
            k: v
            for k, v in req.headers.items()
            if k.lower() not in ("host", "content-length", "connection", "accept-encoding")
        }
        upstream = self._client.request(
            req.command, self.upstream + req.path, content=body, headers=headers
        )
        path = req.path.split("?", 1)[0]
        with self._lock:
            fault = self.plan(path)
            kind = fault[0] if fault else "pass"
            self.counts[kind] += 1
            previous = self._last.get(path)
            self._last[path] = (upstream.status_code, upstream.content)
        self._answer(req, upstream, fault, previous)

    def _answer(
        self,
        req: BaseHTTPRequestHandler,
        upstream: httpx.Response,
        fault: Fault | None,
        previous: tuple[int, bytes] | None,
    ) -> None:
        status, content = upstream.status_code, upstream.content
        kind, n = fault if fault else ("pass", 0)
        if kind == "truncate":
            content = content[: len(content) // 2]
        elif kind == "garbage":
            content = random.Random(n).randbytes(64)  # noqa: S311
        elif kind == "html":
            status, content = 200, b"<html><body>502 Bad Gateway</body></html>"
        elif kind == "status":
            status = (500, 502, 503, 429, 400)[n % 5]
            content = b'{"error": "spoiled"}'
        elif kind in ("mutate", "drop_key", "reorder"):
            with contextlib.suppress(ValueError):  # not JSON: left as it is
                content = json.dumps(spoil_json(json.loads(content), kind, n)).encode()
        elif kind == "enlarge":
            content = content.rstrip()[:-1] + b" " * (self.cap + 1024) + b"}"
        elif kind == "duplicate" and previous is not None:
            status, content = previous
        elif kind == "delay":
            time.sleep(0.02)
        if kind == "cut":
            self._send(req, status, content, declared=len(content) + 100, cut=True)
        elif kind == "drip":
            self._drip(req, status, content)
        else:
            self._send(req, status, content)

    @staticmethod
    def _send(
        req: BaseHTTPRequestHandler,
        status: int,
        content: bytes,
        *,
        declared: int | None = None,
        cut: bool = False,
    ) -> None:
        try:
            req.send_response(status)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", str(len(content) if declared is None else declared))
            if cut:
                req.send_header("Connection", "close")
            req.end_headers()
            req.wfile.write(content[: len(content) // 2] if cut else content)
            req.wfile.flush()
        except OSError:
            return
        if cut:
            req.close_connection = True

    def _drip(self, req: BaseHTTPRequestHandler, status: int, content: bytes) -> None:
        try:
            req.send_response(status)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", str(len(content)))
            req.end_headers()
            step = self.drip_for / max(1, min(len(content), 40))
            for i in range(0, len(content), max(1, len(content) // 40)):
                req.wfile.write(content[i : i + max(1, len(content) // 40)])
                req.wfile.flush()
                time.sleep(step)
        except OSError:
            req.close_connection = True
