"""Toko Mainan on 127.0.0.1 for the tests: a ``LoopbackSimulator`` that declares only its
routes and records. It checks the key and merchant code of every call, pages products
and orders, refuses batches over 50 and lowers a product's stock when it is ordered
(giving it back when the order is cancelled or returned)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from adapters._loopback import LoopbackSimulator, Reply

__all__ = ["API", "ToySimulator"]

API = "/api/v1"
MAX_BATCH = 50
GIVES_BACK = frozenset({"cancelled", "returned"})


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class _Product:
    id: str
    sku: str
    name: str
    stock: int
    price: int


@dataclass
class _Order:
    id: str
    status: str
    created: int
    updated: int
    lines: list[dict[str, Any]] = field(default_factory=list)


def _json(status: int, body: Any, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    data = json.dumps(body).encode()
    return Reply(status, data, (("Content-Type", "application/json"), *headers))


def _error(status: int, code: str, message: str) -> Reply:
    return _json(status, {"error": {"code": code, "message": message}})


class ToySimulator(LoopbackSimulator):
    """One Toko Mainan shop behind one API key; ``calls`` are keyed (api key, path)."""

    def __init__(
        self,
        *,
        api_key: str,
        merchant_code: str,
        clock: Callable[[], float] | None = None,
        latency: float = 0.0,
        rate_limit: tuple[float, int] | None = None,
    ) -> None:
        super().__init__(clock=clock, latency=latency, rate_limit=rate_limit)
        self.keys = {api_key: merchant_code}
        self._products: dict[str, _Product] = {}
        self._orders: dict[str, _Order] = {}
        self._failing: dict[str, str] = {}
        self._seq = 1000

    # -- the test's moves

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq}"

    def add_product(self, name: str, *, sku: str, price: int, stock: int) -> str:
        with self._lock:
            pid = self._next_id("P")
            self._products[pid] = _Product(pid, sku, name, stock, price)
            return pid

    def stock(self, product_id: str) -> int:
        with self._lock:
            return self._products[product_id].stock

    def fail_item(self, product_id: str, reason: str) -> None:
        """Writes to this product are refused (``item_locked``) with ``reason``."""
        with self._lock:
            self._failing[product_id] = reason

    def place_order(self, product_id: str, qty: int) -> str | None:
        """A buyer's order ("new"); None when the shop shows less than ``qty``."""
        with self._lock:
            product = self._products[product_id]
            if not 1 <= qty <= product.stock:
                return None
            now = int(self.now())
            order = _Order(self._next_id("TM"), "new", now, now)
            line = {"id": self._next_id("L"), "product_id": product_id, "sku": product.sku}
            order.lines.append({**line, "qty": qty})
            self._orders[order.id] = order
            self._move(product, -qty)
            return order.id

    def set_status(self, order_id: str, status: str) -> None:
        with self._lock:
            order = self._orders[order_id]
            if status in GIVES_BACK and order.status not in GIVES_BACK:
                for line in order.lines:
                    self._move(self._products[line["product_id"]], line["qty"])
            order.status, order.updated = status, int(self.now())

    def _move(self, product: _Product, by: int) -> None:
        product.stock += by
        self._observe("shop", product.id, "", product.stock)

    # -- HTTP

    def serve_http(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        url = urlsplit(target)
        key = headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            self.count_call(url.path, key)
            fault = self.take_fault(url.path)
        self.wait_latency()
        reply = self._answer(method, url.path, dict(parse_qsl(url.query)), headers, body, fault)
        self.hold_reply(fault)
        with self._lock:
            self.log_reply(method, url.path, key, reply.status)
        return reply

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
        fault: str | None,
    ) -> Reply:
        if fault == "429":
            return Reply(429, b"slow down", (("Retry-After", str(self.retry_after)),))
        if fault == "500":
            return _error(500, "server_error", "internal error")
        if fault and fault.startswith("error_body:"):
            _, code, message = fault.split(":", 2)
            return _error(200, code, message)  # Toko Mainan sends some errors in a 200
        key = headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            if fault == "expire_token":
                self.keys.pop(key, None)  # the seller deleted the key
            wait = self.throttle(key, self.now())
            if wait is not None:
                return Reply(429, b"slow down", (("Retry-After", str(wait)),))
            try:
                if self.keys.get(key) is None or self.keys[key] != headers.get("x-merchant"):
                    raise ApiError(401, "unauthorized", "unknown API key or merchant code")
                reply = self._route(method, path, query, body)
            except ApiError as exc:
                reply = _error(exc.status, exc.code, exc.message)
        if fault == "malformed":
            return Reply(200, reply.body[: len(reply.body) // 2], reply.headers)
        return reply

    def _route(self, method: str, path: str, query: dict[str, str], body: bytes) -> Reply:
        if (method, path) == ("GET", f"{API}/products"):
            rows = [vars(p) for p in self._products.values()]
            return self._page(query, "products", rows)
        if method == "POST" and path in (f"{API}/stock", f"{API}/price"):
            return _json(200, {"results": self._write(path.rsplit("/", 1)[1], body)})
        if (method, path) == ("GET", f"{API}/orders"):
            since = _int(query, "updated_from", None)
            found = sorted(
                (o for o in self._orders.values() if o.updated >= since), key=lambda o: o.updated
            )
            rows = [
                {"id": o.id, "status": o.status, "created_at": o.created, "updated_at": o.updated,
                 "lines": o.lines}
                for o in found
            ]  # fmt: skip
            return self._page(query, "orders", rows)
        raise ApiError(404, "not_found", f"no route {method} {path}")

    def _page(self, query: dict[str, str], name: str, rows: list[dict[str, Any]]) -> Reply:
        page, per_page = _int(query, "page", 1), min(_int(query, "per_page", 20), 100)
        chunk = rows[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(rows)
        return _json(200, {name: chunk, "next_page": page + 1 if more else None})

    def _write(self, field_name: str, body: bytes) -> list[dict[str, Any]]:
        try:
            items = json.loads(body)["items"]
        except (ValueError, KeyError, TypeError):
            raise ApiError(400, "invalid_param", "items: a list of objects") from None
        if not isinstance(items, list) or len(items) > MAX_BATCH:
            raise ApiError(400, "invalid_param", f"items: at most {MAX_BATCH}")
        results: list[dict[str, Any]] = []
        for item in items:
            pid, value = item.get("id"), item.get(field_name)
            product = self._products.get(pid) if isinstance(pid, str) else None
            if product is None:
                results.append(_refused(str(pid), "not_found", "no such product"))
            elif pid in self._failing:
                results.append(_refused(pid, "item_locked", self._failing[pid]))
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                results.append(_refused(pid, "invalid_param", field_name))
            else:
                if field_name == "stock":
                    self._move(product, value - product.stock)
                else:
                    product.price = value
                results.append({"id": pid, "error": None})
        return results


def _refused(pid: str, code: str, message: str) -> dict[str, Any]:
    return {"id": pid, "error": {"code": code, "message": message}}


def _int(query: dict[str, str], name: str, default: int | None) -> int:
    text = query.get(name)
    if text is None and default is not None:
        return default
    if text is None or not text.isdigit() or int(text) < 1:
        raise ApiError(400, "invalid_param", f"{name}: a whole number of 1 or more")
    return int(text)
