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
