"""The member's pages (being written)."""

from __future__ import annotations

from starlette.responses import Response

from syncd.web.core import Req

__all__ = ["stock_page"]


def stock_page(req: Req) -> Response:
    """The member's start page: stock, low-stock first."""
    return req.render("member/stock.html", rows=req.scope.stock(), low=req.scope.low_levels(), q="")
