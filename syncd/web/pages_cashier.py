"""The cashier's phone page: one tap per item, and sales that wait on the phone offline.

``/cashier`` is sized for a 360 px screen and works with no connection: its service
worker (``/sw.js``) keeps the page, and ``cashier.js`` queues each sale in IndexedDB
under a key made on the phone. ``/api/sales`` records a sale once per key (the ledger's
idempotency keys), so a sale sent twice (the answer lost on 3G, the page reloaded while
sending) moves stock once.
"""

from __future__ import annotations

import re
from typing import Any, Final

from starlette.responses import JSONResponse, Response

from syncd.errors import UserError
from syncd.web.core import HERE, MEMBER, Req, page
from syncd.web.scope import SALE_CHANNELS

__all__: list[str] = []

_KEY: Final = re.compile(r"[A-Za-z0-9_-]{8,80}")
ANYONE: Final = frozenset({"anonymous"})


def _items(req: Req) -> list[dict[str, Any]]:
    return [
        {
            "sku": r.sku,
            "name": r.name,
            "variant": r.variant,
            "price": r.price,
            "available": r.available,
        }
        for r in req.scope.stock()
    ]


@page("/cashier", roles=MEMBER)
def cashier(req: Req) -> Response:
    scope = req.scope
    return req.render(
        "cashier.html", items=_items(req), tenant=scope.tenant_name, channels=SALE_CHANNELS
    )


@page("/api/cashier/items", roles=MEMBER, json=True)
def items(req: Req) -> Response:
    return JSONResponse({"items": _items(req)})


def _sale_lines(body: Any) -> list[tuple[int, str]]:
    lines = body.get("items") if isinstance(body, dict) else None
    if not isinstance(lines, list) or not lines or len(lines) > 100:
        raise UserError("web.sale_empty")
    out = []
    for line in lines:
        if not isinstance(line, dict):
            raise UserError("web.sale_empty")
        sku, qty = line.get("sku"), line.get("qty")
        if not isinstance(sku, str) or not isinstance(qty, int) or isinstance(qty, bool):
            raise UserError("web.sale_line")
        out.append((qty, sku))
    return out


@page("/api/sales", roles=MEMBER, methods=("POST",), json=True, ids={"sku": "sku"})
def sale(req: Req) -> Response:
    body = req.body if isinstance(req.body, dict) else {}
    key = body.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise UserError("web.sale_key")
    channel = body.get("channel") or "cash"
    sold_at = body.get("sold_at") if isinstance(body.get("sold_at"), str) else ""
    result = req.scope.sell(
        _sale_lines(body),
        key=key,
        channel=str(channel),
        actor=req.actor,
        sold_at=str(sold_at)[:40],
    )
    stock = {r["sku"]: r["available"] for r in _items(req)}
    return JSONResponse(
        {"status": result.status, "key": result.key, "short": list(result.short), "stock": stock}
    )


@page("/sw.js", roles=ANYONE)
def service_worker(req: Req) -> Response:
    """The service worker, served from the root so that its scope covers /cashier."""
    return Response(
        (HERE / "static" / "sw.js").read_text(encoding="utf-8"),
        media_type="text/javascript",
        headers={"cache-control": "no-cache", "service-worker-allowed": "/"},
    )


@page("/cashier.webmanifest", roles=ANYONE)
def manifest(req: Req) -> Response:
    return JSONResponse(
        {
            "name": "syncd kasir",
            "short_name": "kasir",
            "start_url": "/cashier",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1f6f4a",
        },
        media_type="application/manifest+json",
        headers={"cache-control": "no-cache"},
    )
