"""``POST /webhooks/{marketplace}``: the marketplaces' deliveries (``syncd.webhooks``).

Not ``@page`` routes: there is no session and no CSRF token, the signature is the
authentication. The body is read as raw bytes (the signature covers them exactly) and
never past :data:`syncd.webhooks.MAX_BODY`: a declared or streamed body over it is 413
at once. The check and the one-row write run in the thread pool; every answer has an
empty body (Shopee and TikTok count anything else as a failure).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from syncd import webhooks
from syncd.credentials import Vault
from syncd.store import Store

__all__ = ["routes"]


async def _body(request: Request) -> bytes | None:
    """The raw body, or None when it is (or claims to be) over the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > webhooks.MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > webhooks.MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def routes(
    web_store_factory: Callable[[], Store],
    vault_factory: Callable[[], Vault],
    *,
    public_url: str | None = None,
    clock: Callable[[], float] = time.time,
) -> list[Route]:
    """The webhook routes. ``web_store_factory()`` returns a Store the calling thread may
    use (``Web.store``); ``vault_factory()`` the vault of the sealed app secrets (called
    on the first delivery that needs one); ``public_url``: ``[web] public_url``, the base
    Shopee signs its callback URL with; ``clock``: seconds since the epoch (tests)."""
    receiver = webhooks.Receiver(
        web_store_factory, vault_factory, public_url=public_url, clock=clock
    )

    async def deliver(request: Request) -> Response:
        marketplace = str(request.path_params["marketplace"])
        if marketplace not in webhooks.MARKETPLACES:
            return Response(status_code=404)
        raw = await _body(request)
        if raw is None:
            return Response(status_code=413, headers={"Connection": "close"})
        answer = await run_in_threadpool(
            receiver.receive, marketplace, raw, request.headers, str(request.url)
        )
        return Response(status_code=answer.status)

    return [
        Route("/webhooks/{marketplace}", deliver, methods=["POST"], name="webhooks"),
    ]
