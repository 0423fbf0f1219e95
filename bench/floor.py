"""The daemon's own floor: the secret scrub per log line, and CPU per API call.

Prints two tables; asserts nothing. Network only on 127.0.0.1.

    python bench/floor.py                # both parts
    python bench/floor.py --calls 2000   # more API calls per variant

(a) Cost of scrubbing one log line with 10 / 1,000 / 10,000 registered secrets: the
    old per-secret ``str.replace`` loop (copied below, with the old ``clean`` that ran
    the patterns twice) against ``syncd.log.clean`` / ``SecretRegistry.scrub`` now.
(b) CPU per API call (this process's CPU; the server runs in another process): a bare
    keep-alive ``httpx.Client`` signing like the Shopee adapter (``ShopeeAuth``), the
    same without keep-alive (a new connection per call, what a 5 s keep-alive did to a
    10 s poll), and syncd's ``ApiClient`` path (buckets, breaker, retries, telemetry,
    the Shopee ``classify``) against the same loopback endpoint. The issue's target:
    CPU per call within 4x the bare floor.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import secrets
import sys
import time
import timeit
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from adapters.shopee.errors import classify
from adapters.shopee.signing import ShopeeAuth
from syncd import redact
from syncd.http import CONNECTION_LIMITS, ApiClient, CircuitBreaker, Limiter

# -- (a) the scrub ----------------------------------------------------------------------

LINE = json.dumps(
    {
        "event": "pulled orders",
        "shop": "shopee:220011",
        "account": 1832,
        "count": 12,
        "url": "https://partner.shopeemobile.com/api/v2/order/get_order_list"
        "?partner_id=2001887&timestamp=1764620000&shop_id=220011&access_token=abc&sign=def",
        "elapsed_ms": 183.2,
        "level": "info",
        "timestamp": "2026-12-01T21:40:00.123456Z",
    }
)
PLAIN = json.dumps(
    {
        "event": "pushed stock",
        "shop": "lazada:88120031",
        "sku": "KAOS-POLOS-HITAM-XL",
        "available": 17,
        "elapsed_ms": 91.4,
        "level": "info",
        "timestamp": "2026-12-01T21:40:00.123456Z",
    }
)
TRACEBACK = "Traceback (most recent call last):\n" + (
    '  File "/usr/lib/syncd/syncd/daemon.py", line 512, in _run\n    result = job()\n' * 40
)


def _token(i: int) -> str:
    """Secrets shaped like the marketplaces' (hex, prefixed, url-safe), some with / and +."""
    kind = i % 5
    if kind == 0:
        return secrets.token_hex(16)  # Shopee access token
    if kind == 1:
        return "shpat_" + secrets.token_hex(16)  # Shopify
    if kind == 2:
        return "cs_" + secrets.token_hex(20)  # WooCommerce consumer secret
    if kind == 3:
        return "50000" + secrets.token_urlsafe(40)  # Lazada
    return "ROW_" + secrets.token_urlsafe(30).replace("-", "+").replace("_", "/")  # TikTok


def _old_prepare(values: Iterable[str]) -> tuple[str, ...]:
    long_enough = {s for s in values if len(s) >= redact.MIN_SECRET_LEN}
    long_enough |= {quote(s, safe="") for s in long_enough}
    return tuple(sorted(long_enough, key=len, reverse=True))


def _old_clean(prepared: tuple[str, ...]) -> Callable[[str], str]:
    """The old ``syncd.log.clean``: patterns, then patterns again plus the per-secret loop."""

    def patterns(text: str) -> str:  # the old _scrub_patterns: no quick test first
        text = redact._PAIR_RE.sub(rf"\g<1>\g<2>{redact.MASK}\g<2>", text)
        text = redact._ESCAPED_PAIR_RE.sub(rf"\g<1>{redact.MASK}", text)
        text = redact._HEADER_RE.sub(rf"\g<1>{redact.MASK}", text)
        text = redact._QUERY_RE.sub(rf"\g<1>{redact.MASK}", text)
        return redact._TEXT_RE.sub(rf"\g<1>{redact.MASK}", text)

    def clean(text: str) -> str:
        text = patterns(patterns(text))
        for value in prepared:
            text = text.replace(value, redact.MASK)
        return text

    return clean


def _per_call_us(fn: Callable[[], object], budget: float = 0.4) -> float:
    number = 1
    while True:
        took = timeit.timeit(fn, number=number)
        if took > budget / 4 or number > 1_000_000:
            break
        number *= 4
    best = min(timeit.repeat(fn, number=number, repeat=3))
    return best / number * 1e6


def _scrub_row(count: int, texts: dict[str, str]) -> None:
    values = [_token(i) for i in range(count)]
    old = _old_clean(_old_prepare(values))
    registry = redact.SecretRegistry()
    for value in values:
        registry.add(value)
    planted_value = values[count // 2]
    for name, text in texts.items():
        planted = text.replace("=abc", "=x" + planted_value)
        if planted_value in registry.scrub(planted):
            raise SystemExit(f"the new scrub leaked a secret in {name!r}")
        t_old = _per_call_us(lambda: old(planted))  # noqa: B023 (called at once)
        t_new = _per_call_us(lambda: registry.scrub(planted))  # noqa: B023
        print(f"{count:>8} {name:<18} {t_old:>10.1f} {t_new:>10.1f} {t_old / t_new:>8.1f}x")
    started = time.perf_counter()
    fresh = _token(count)
    registry.add(fresh)
    registry.discard(fresh)
    churn = (time.perf_counter() - started) * 1e6
    print(f"{count:>8} {'add+discard':<18} {'':>10} {churn:>10.1f}")


def bench_scrub() -> None:
    print("(a) secret scrub: microseconds per text (best of 3)")
    header = f"{'secrets':>8} {'text':<18} {'old':>10} {'new':>10} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    texts = {
        "log line, URL": LINE,
        "log line, plain": PLAIN,
        "field 'info'": "info",
        "traceback 3.5 kB": TRACEBACK,
    }
    for count in (10, 1_000, 10_000):
        _scrub_row(count, texts)
    print()


# -- (b) CPU per API call -----------------------------------------------------------------

ANSWER = json.dumps(
    {"error": "", "message": "", "request_id": "r1", "response": {"order_list": [], "more": False}}
).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the client closes
    # headers and body go out in two writes: without TCP_NODELAY a kept-alive connection
    # waits out the client's delayed ACK (40 ms) on every call
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(port_out: multiprocessing.connection.Connection) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    port_out.send(server.server_address[1])
    server.serve_forever()


PATH = "/api/v2/order/get_order_list"
PARAMS: dict[str, str | int] = {
    "time_range_field": "update_time",
    "time_from": 1764610000,
    "time_to": 1764620000,
}


def _auth() -> ShopeeAuth:
    return ShopeeAuth(2001887, secrets.token_hex(32), 220011, lambda: secrets.token_hex(16))


def _cpu_ms(call: Callable[[], object], calls: int) -> float:
    for _ in range(20):  # warm up: connection, imports, caches
        call()
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls * 1e3


def bench_calls(calls: int, *, quiet: bool = False) -> dict[str, float]:
    """CPU ms per call of each variant (printed unless ``quiet``)."""
    here, there = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(there,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{here.recv()}"
    try:
        bare = httpx.Client(base_url=base, auth=_auth(), limits=CONNECTION_LIMITS)
        cold = httpx.Client(
            base_url=base, auth=_auth(), limits=httpx.Limits(max_keepalive_connections=0)
        )
        api = ApiClient(
            base,
            classify=classify,
            auth=_auth(),
            buckets=(Limiter().bucket("shopee:app:bench", 1e9, 1_000_000),),
            breaker=CircuitBreaker(),
            marketplace="shopee",
        )
        with bare, cold, api:
            floor = _cpu_ms(lambda: bare.get(PATH, params=PARAMS).json(), calls)
            no_keepalive = _cpu_ms(lambda: cold.get(PATH, params=PARAMS).json(), calls)
            syncd = _cpu_ms(lambda: api.request("GET", PATH, params=PARAMS), calls)
    finally:
        server.terminate()
        server.join()
    out = {"bare": floor, "no_keepalive": no_keepalive, "syncd": syncd}
    if quiet:
        return out
    print(f"(b) CPU per API call, ms (this process; {calls} calls each, loopback, Shopee signing)")
    rows = (
        ("bare httpx.Client, keep-alive", floor, ""),
        ("bare httpx.Client, new connection each", no_keepalive, ""),
        ("syncd ApiClient, keep-alive", syncd, "  (target <= 4x)"),
    )
    for label, value, note in rows:
        print(f"  {label:<40} {value:6.3f}  {value / floor:5.2f}x{note}")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="API calls per variant")
    parser.add_argument("--only", choices=("scrub", "calls"), help="run one part")
    args = parser.parse_args(argv)
    if args.only != "calls":
        bench_scrub()
    if args.only != "scrub":
        bench_calls(args.calls)


if __name__ == "__main__":
    main()
