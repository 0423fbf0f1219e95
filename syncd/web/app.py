"""Build the ASGI app from the route table, and serve it (``syncd web``, ``syncd run --web``)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from syncd.config import Settings
from syncd.web.core import HERE, PAGES, SecurityHeaders, Web, endpoint

__all__ = ["Server", "create_app", "page_modules"]


def page_modules() -> None:
    """Import every module that declares pages (they register into ``PAGES``)."""
    from syncd.web import (  # noqa: F401, PLC0415 - imported for their @page declarations
        pages_auth,
        pages_cashier,
        pages_member,
        pages_operator,
    )


class _Static(StaticFiles):
    """Static files named with their content hash (``Web.static``): cached for a year."""

    def file_response(self, *args: Any, **kwargs: Any) -> Any:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=31536000, immutable"
        return response


def create_app(db_path: Path, settings: Settings) -> Starlette:
    """The web app over the database at ``db_path``."""
    from syncd import metrics  # noqa: PLC0415 - /metrics, /healthz, /readyz

    page_modules()
    web = Web(db_path, settings)
    routes: list[BaseRoute] = [
        Route(p.path, endpoint(web, p), methods=list(p.methods), name=f"{p.path}:{p.methods}")
        for p in PAGES
    ]
    routes += metrics.routes(web.store, settings)
    from syncd.credentials import Vault, load_key  # noqa: PLC0415
    from syncd.web import webhook_routes  # noqa: PLC0415 - POST /webhooks/<marketplace>

    routes += webhook_routes.routes(
        web.store,
        lambda: Vault(load_key(db_path, settings.master_key, create=False)),
        public_url=settings.web.public_url,
    )
    routes.append(Mount("/static", app=_Static(directory=HERE / "static"), name="static"))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        web.close()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders, hsts=settings.web.behind_tls)],
        lifespan=lifespan,
    )
    app.state.web = web
    return app


def split_bind(bind: str) -> tuple[str, int]:
    """``HOST:PORT`` → (host, port); a wrong value says how to write it."""
    from syncd.errors import UserError  # noqa: PLC0415

    host, sep, port = bind.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise UserError("web.bad_bind", bind=bind)
    return host.strip("[]"), int(port)


class Server:
    """The web app served by uvicorn in a thread of this process (beside the daemon)."""

    def __init__(self, db_path: Path, settings: Settings, bind: str) -> None:
        import uvicorn  # noqa: PLC0415 - only when serving

        host, port = split_bind(bind)
        self.app = create_app(db_path, settings)
        config = uvicorn.Config(
            self.app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_keep_alive=30,
            server_header=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="syncd-web", daemon=True)

    @property
    def port(self) -> int:
        servers = getattr(self.server, "servers", [])
        for s in servers:
            for sock in s.sockets:
                return int(sock.getsockname()[1])
        return int(self.server.config.port)

    def start(self, timeout: float = 10.0) -> None:
        import time  # noqa: PLC0415

        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                from syncd.errors import UserError  # noqa: PLC0415

                raise UserError(
                    "web.cannot_listen", bind=f"{self.server.config.host}:{self.server.config.port}"
                )
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
