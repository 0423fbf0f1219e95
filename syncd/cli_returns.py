"""``syncd return``: buyers' returns, and the seller's word on goods that came back.

``return list`` shows every returned line with its state on the marketplace and what
syncd did (``syncd.returns``); ``return receive ORDER`` puts inspected goods back in
stock, or with ``--damaged`` writes them off; ``return policy`` says whether a
completed return restocks at once (``auto``) or waits for that word (``inspect``).
"""

from __future__ import annotations

import argparse
from typing import Any

from syncd import returns
from syncd.catalog import get_channel
from syncd.cli_base import Context, add_command, add_group, policy_command, table
from syncd.errors import UserError
from syncd.i18n import t

__all__ = ["commands"]


def _note(row: Any) -> str:
    """The line's note, with who decided when it was a person."""
    who = row["decided_by"]
    return str(row["note"]) + (f" ({who})" if who not in (None, "syncd") else "")


def cmd_return_list(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.localtime import show  # noqa: PLC0415

    tenant = ctx.tenant()
    account = get_channel(ctx.store, tenant.id, args.channel).id if args.channel else None
    rows = returns.listing(ctx.store, tenant.id, account_id=account, only_open=args.open)
    if not rows:
        ctx.print(t("return.none"))
        return 0
    heads = ["h.channel", "h.order", "h.return", "h.item", "h.qty", "h.on_market", "h.done"]
    ctx.print(
        table(
            [t(h) for h in [*heads, "h.note", "h.at"]],
            [
                [
                    r["channel"],
                    r["order_id"],
                    r["return_id"],
                    f"{r['item_id']}/{r['variant_id']}".rstrip("/"),
                    r["qty"],
                    t(f"return.state.{r['state']}"),
                    t(f"return.disp.{r['disposition']}"),
                    _note(r),
                    show(r["updated_at"]),
                ]
                for r in rows
            ],
        )
    )
    if any(r["disposition"] in ("waiting", "pending", "early") for r in rows):
        ctx.print(t("return.hint"))
    return 0


def cmd_return_receive(ctx: Context, args: argparse.Namespace) -> int:
    tenant = ctx.tenant()
    account = get_channel(ctx.store, tenant.id, args.channel).id if args.channel else None
    done = returns.receive(
        ctx.store,
        tenant.id,
        args.order,
        account_id=account,
        damaged=args.damaged,
        actor=ctx.actor,
        note=args.note or "",
    )
    if not done.lines:
        if done.not_ready:
            raise UserError("return.not_ready", order=args.order, items=", ".join(done.not_ready))
        raise UserError("return.unknown", order=args.order)
    if args.damaged:
        ctx.print(t("return.written_off", order=args.order, units=done.damaged))
    else:
        ctx.print(t("return.received", order=args.order, units=done.restocked))
    if done.not_ready:
        ctx.print(t("return.not_ready", order=args.order, items=", ".join(done.not_ready)))
    return 0


def cmd_return_policy(ctx: Context, args: argparse.Namespace) -> int:
    return policy_command(ctx, args.value, "return_policy", "return")


def commands(sub: Any, channel: Any) -> None:
    group = add_group(sub, "return", "help.return")
    p = add_command(group, "list", "help.return_list", cmd_return_list)
    p.add_argument("--channel", help=t("help.log_channel"))
    p.add_argument("--open", action="store_true", help=t("help.return_open"))
    p = add_command(group, "receive", "help.return_receive", cmd_return_receive)
    p.add_argument("order", help=t("help.return_order"))
    p.add_argument("--channel", help=t("help.log_channel"))
    p.add_argument("--damaged", action="store_true", help=t("help.return_damaged"))
    p.add_argument("--note", help=t("help.return_note"))
    p = add_command(group, "policy", "help.return_policy", cmd_return_policy)
    p.add_argument("value", nargs="?", help=t("help.return_policy_value"))
