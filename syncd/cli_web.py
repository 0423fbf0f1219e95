"""``syncd web``: serve the cooperative's web app (members, cashiers, operators).

It listens on 127.0.0.1 unless told otherwise (``--bind`` or ``[web] bind``); to open it
to members' phones, put a reverse proxy with TLS in front and set ``[web] behind_tls``
(README, "The web app"). ``syncd run --web HOST:PORT`` serves it beside the daemon.
"""

from __future__ import annotations

import argparse
from typing import Any

from syncd.cli_base import Context, add_command
from syncd.i18n import t

__all__ = ["commands"]


def cmd_web(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.web.app import Server  # noqa: PLC0415 - the web stack only for this command

    path = ctx.store.path  # an existing database only
    ctx.close()
    ctx._store = None
    bind = args.bind or ctx.settings.web.bind
    server = Server(path, ctx.settings, bind)
    ctx.print(t("web.serving", url=f"http://{bind}"))
    server.server.run()  # in this thread: uvicorn handles Ctrl-C and SIGTERM
    return 0


def commands(sub: Any, channel: Any) -> None:
    """``syncd web``."""
    p = add_command(sub, "web", "help.web", cmd_web)
    p.add_argument("--bind", metavar="HOST:PORT", help=t("help.web_bind"))


class DemoWeb:
    """The web app beside ``syncd demo`` (``syncd.demo.WebSide``): demo users with fresh
    passwords, a cash sale from the cashier page's API through the real HTTP stack, and
    ``/metrics`` scraped at the start and the end to show its counters moving."""

    def __init__(self, bind: str) -> None:
        self.bind = bind
        self.server: Any = None
        self.url = ""
        self.password = ""
        self.sold = 0
        self._before: dict[str, float] = {}
        self._sold_at: float | None = None

    def start(self, db: Any, tenant_id: int, out: Any) -> None:
        import secrets  # noqa: PLC0415

        from syncd import users  # noqa: PLC0415
        from syncd.config import Settings  # noqa: PLC0415
        from syncd.store import Store  # noqa: PLC0415
        from syncd.web.app import Server  # noqa: PLC0415

        self.password = "demo-" + secrets.token_urlsafe(9)
        store = Store(db)
        try:
            for login, role in (("pemilik", "owner"), ("kasir", "cashier")):
                users.add_user(
                    store, login, self.password, tenant_id=tenant_id, role=role, actor="demo"
                )
            users.add_user(store, "operator", self.password, operator=True, actor="demo")
        finally:
            store.close()
        try:
            self.server = Server(db, Settings(), self.bind)
            self.server.start()
        except Exception:  # noqa: BLE001 - the port is taken: any free one will do
            self.server = Server(db, Settings(), self.bind.rpartition(":")[0] + ":0")
            self.server.start()
        host = self.bind.rpartition(":")[0]
        self.url = f"http://{host}:{self.server.port}"
        print(t("demo.web", url=self.url, password=self.password), file=out, flush=True)
        self._before = self._scrape()

    def _scrape(self) -> dict[str, float]:
        import httpx  # noqa: PLC0415

        totals: dict[str, float] = {}
        text = httpx.get(f"{self.url}/metrics", timeout=5).text
        for line in text.splitlines():
            if line.startswith("#") or " " not in line:
                continue
            name, value = line.rsplit(" ", 1)
            series = name.split("{", 1)[0]
            totals[series] = totals.get(series, 0.0) + float(value)
        return totals

    def step(self, elapsed: float, out: Any) -> None:
        if self.sold or elapsed < 8 or self.server is None:
            return
        self.sold = self._cashier_sale(out)

    def _cashier_sale(self, out: Any) -> int:
        """Sign in as the cashier and sell one jar, as the phone page does."""
        import re  # noqa: PLC0415
        import uuid  # noqa: PLC0415

        import httpx  # noqa: PLC0415

        with httpx.Client(base_url=self.url, timeout=10, follow_redirects=True) as client:
            login = client.get("/login").text
            pre = re.search(r'name="csrf" value="([^"]+)"', login)
            page = client.post(
                "/login",
                data={
                    "login": "kasir",
                    "password": self.password,
                    "csrf": pre.group(1) if pre else "",
                },
            ).text
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', page)
            items = client.get("/api/cashier/items").json()["items"]
            pick = next((i for i in items if i["available"] > 2), None)
            if csrf is None or pick is None:
                return 0
            answer = client.post(
                "/api/sales",
                json={"key": uuid.uuid4().hex, "items": [{"sku": pick["sku"], "qty": 1}]},
                headers={"x-csrf-token": csrf.group(1)},
            ).json()
        print(
            t("demo.web_sale", sku=pick["sku"], status=answer.get("status"), url=self.url),
            file=out,
            flush=True,
        )
        return 1 if answer.get("status") == "recorded" else 0

    def finish(self, out: Any) -> str:
        if self.server is None:
            return ""
        after = self._scrape()
        calls = "syncd_marketplace_calls_total"
        moved = after.get(calls, 0.0) - self._before.get(calls, 0.0)
        print(
            t(
                "demo.web_metrics",
                before=int(self._before.get(calls, 0)),
                after=int(after.get(calls, 0)),
            ),
            file=out,
            flush=True,
        )
        return f" web_sales={self.sold} metrics_calls_moved={int(moved)}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
