"""``syncd notify``: where a member is told what needs them (``syncd.notify``).

``notify add LABEL [URL] [--only KIND,...]`` adds an apprise URL (Telegram, e-mail,
WhatsApp, a webhook …); the URL holds tokens and passwords, so it is better typed at the
prompt or given in ``SYNCD_NOTIFY_URL`` than on the command line (shell history). It is
sealed at once and never shown again: ``notify list`` gives label, scheme and kinds.
``notify test LABEL`` sends one message now and says whether it arrived; ``notify log``
shows what was sent, what waits for a retry, what gave up and what was held back.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from typing import Any, Final

from syncd.cli_base import Context, add_command, add_group, open_vault, parse_since, table
from syncd.errors import UserError
from syncd.i18n import t

__all__ = ["URL_ENV", "commands"]

URL_ENV: Final = "SYNCD_NOTIFY_URL"


def _kinds_text(kinds: tuple[str, ...] | list[str]) -> str:
    if not kinds or "*" in kinds:
        return t("notify.all")
    return ", ".join(t(f"notify.kind.{k}") for k in kinds)


def _read_url(label: str, given: str | None) -> str:
    """The URL: the argument, else ``SYNCD_NOTIFY_URL``, else typed (not echoed)."""
    value = (given or "").strip()
    if value in ("", "-"):
        value = os.environ.get(URL_ENV, "").strip()
    if not value and sys.stdin.isatty():
        value = getpass.getpass(t("notify.url_prompt", label=label)).strip()
    if not value:
        raise UserError("notify.url_missing", label=label, env=URL_ENV)
    return value


def cmd_notify_add(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import notify  # noqa: PLC0415 - apprise only for the commands that use it

    tenant = ctx.tenant()
    kinds = [k for k in (args.only or "*").split(",") if k.strip()]
    url = _read_url(args.label, args.url)
    notify.add_target(
        ctx.store, open_vault(ctx), tenant.id, args.label, url, kinds=kinds, actor=ctx.actor
    )
    added = next(
        x
        for x in notify.list_targets(ctx.store, tenant.id, vault=open_vault(ctx))
        if x.label == args.label.strip()
    )
    ctx.print(
        t("notify.added", label=added.label, scheme=added.scheme, kinds=_kinds_text(added.kinds))
    )
    return 0


def cmd_notify_list(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import notify  # noqa: PLC0415
    from syncd.localtime import show  # noqa: PLC0415

    targets = notify.list_targets(ctx.store, ctx.tenant().id, vault=open_vault(ctx))
    if not targets:
        ctx.print(t("notify.none"))
        return 0
    heads = ("notify.h.label", "notify.h.scheme", "notify.h.kinds", "notify.h.added")
    ctx.print(
        table(
            [t(h) for h in heads],
            [[x.label, x.scheme, _kinds_text(x.kinds), show(x.created_at)] for x in targets],
        )
    )
    return 0


def cmd_notify_remove(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import notify  # noqa: PLC0415

    notify.remove_target(ctx.store, ctx.tenant().id, args.label, actor=ctx.actor)
    ctx.print(t("notify.removed", label=args.label.strip()))
    return 0


def cmd_notify_test(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import notify  # noqa: PLC0415

    error = notify.send_test(ctx.store, open_vault(ctx), ctx.tenant().id, args.label, ctx.settings)
    if error is None:
        ctx.print(t("notify.test_ok", label=args.label.strip()))
        return 0
    ctx.print(t("notify.test_failed", label=args.label.strip(), error=error))
    return 1


def _note(line: Any) -> str:
    from syncd.localtime import show  # noqa: PLC0415

    if line.state == "waiting" and line.attempts:
        return t("notify.retry_at", at=show(line.due_at), error=line.error)
    return str(line.error)


def cmd_notify_log(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import notify  # noqa: PLC0415
    from syncd.localtime import label, show  # noqa: PLC0415

    since = parse_since(args.since, dt.datetime.now(dt.UTC))
    lines = notify.log(ctx.store, ctx.tenant().id, since=since)
    if not lines:
        ctx.print(t("notify.log_none"))
        return 0
    heads = [
        t("notify.h.at", zone=label(short=True)),
        t("notify.h.label"),
        t("notify.h.kind"),
        t("notify.h.title"),
        t("notify.h.state"),
        t("notify.h.attempts"),
        t("notify.h.note"),
    ]
    ctx.print(
        table(
            heads,
            [
                [
                    show(x.created_at),
                    x.label,
                    t(f"notify.kind.{x.kind}"),
                    x.title,
                    t(f"notify.state.{x.state}"),
                    x.attempts,
                    _note(x),
                ]
                for x in lines
            ],
        )
    )
    return 0


def commands(sub: Any, channel: Any) -> None:
    """Register ``syncd notify …`` under ``sub``."""
    group = add_group(sub, "notify", "help.notify")
    p = add_command(group, "add", "help.notify_add", cmd_notify_add)
    p.add_argument("label", help=t("help.notify_label"))
    p.add_argument("url", nargs="?", help=t("help.notify_url", env=URL_ENV))
    p.add_argument("--only", metavar="KIND,...", help=t("help.notify_only"))
    add_command(group, "list", "help.notify_list", cmd_notify_list)
    p = add_command(group, "remove", "help.notify_remove", cmd_notify_remove)
    p.add_argument("label", help=t("help.notify_label"))
    p = add_command(group, "test", "help.notify_test", cmd_notify_test)
    p.add_argument("label", help=t("help.notify_label"))
    p = add_command(group, "log", "help.notify_log", cmd_notify_log)
    p.add_argument("--since", default="1d", help=t("help.notify_since"))
