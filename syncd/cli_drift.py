"""``syncd reconcile`` and ``syncd drift``: what each listing shows, and every difference.

``reconcile [--channel NAME]`` reads the shops back now (the daemon does it every 30
minutes); ``drift [--channel] [--since]`` lists the differences found with their class
and what was done; ``drift policy syncd|count|ask`` says what a hand edit on a
marketplace does (see ``syncd.reconcile``).
"""

from __future__ import annotations

import argparse
from typing import Any

from syncd import reconcile
from syncd.catalog import get_channel, item_text
from syncd.cli_base import (
    Context,
    add_command,
    open_vault,
    parse_since,
    policy_command,
    reading_shop,
    table,
)
from syncd.errors import UserError
from syncd.i18n import t

__all__ = ["commands"]


def cmd_reconcile(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import sync  # noqa: PLC0415

    tenant = ctx.tenant()
    accounts = [
        a
        for a in sync.load_accounts(ctx.store)
        if a.tenant_id == tenant.id
        and (args.channel is None or a.name == args.channel)
        and a.pushes("stock")
    ]
    if args.channel and not accounts:
        get_channel(ctx.store, tenant.id, args.channel)  # unknown: its own message
        raise UserError("reconcile.not_pushed", name=args.channel)
    vault = open_vault(ctx)
    for account in accounts:
        rt = sync.build_runtime(ctx.store, vault, account)
        with reading_shop(ctx, rt):
            report = reconcile.reconcile(ctx.store, rt)
        ctx.print(
            t(
                "reconcile.done",
                name=account.name,
                listings=report.listings,
                same=report.same,
                differences=len(report.differences),
            )
        )
        for d in report.differences:
            numbers = (d.shown, d.sent, d.desired)
            ctx.print("  " + reconcile.describe(d.sku, d.item, numbers, d.cls, d.action))
    if not accounts:
        ctx.print(t("reconcile.nothing"))
    return 0


def cmd_drift(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.localtime import label, show  # noqa: PLC0415

    tenant = ctx.tenant()
    account = get_channel(ctx.store, tenant.id, args.channel).id if args.channel else None
    rows = reconcile.listing(
        ctx.store,
        tenant.id,
        account_id=account,
        since=parse_since(args.since) if args.since else None,
        limit=args.limit,
    )
    if not rows:
        ctx.print(t("drift.none"))
        return 0
    heads = [t("h.time_in", zone=label(short=True))] + [
        t(h)
        for h in (
            "h.channel",
            "h.sku",
            "h.item",
            "h.shown",
            "h.sent",
            "h.desired",
            "h.class",
            "h.action",
        )
    ]
    ctx.print(
        table(
            heads,
            [
                [
                    show(r["at"], seconds=True),
                    r["channel"],
                    r["sku"] or "?",
                    item_text(r["item_id"] or "?", r["variant_id"] or ""),
                    "-" if r["shown"] is None else r["shown"],
                    "-" if r["sent"] is None else r["sent"],
                    "-" if r["desired"] is None else r["desired"],
                    t(f"drift.class.{r['class']}"),
                    reconcile.action_text(r["action"]),
                ]
                for r in rows
            ],
        )
    )
    return 0


def cmd_drift_policy(ctx: Context, args: argparse.Namespace) -> int:
    return policy_command(ctx, args.value, "drift_policy", "drift")


def commands(sub: Any, channel: Any) -> None:
    p = add_command(sub, "reconcile", "help.reconcile", cmd_reconcile)
    p.add_argument("--channel", help=t("help.log_channel"))
    p = sub.add_parser("drift", help=t("help.drift"), description=t("help.drift"))
    p.set_defaults(handler=cmd_drift)
    p.add_argument("--channel", help=t("help.log_channel"))
    p.add_argument("--since", help=t("help.since"))
    p.add_argument("--limit", type=int, default=100, help=t("help.limit"))
    steps = p.add_subparsers(dest="drift_cmd", metavar="COMMAND")
    q = add_command(steps, "policy", "help.drift_policy", cmd_drift_policy)
    q.add_argument("value", nargs="?", help=t("help.drift_policy_value"))
