"""``syncd outbox``, ``syncd history``, ``syncd events prune``: what waits, what changed.

``outbox`` lists the values syncd stopped trying (``--parked``: refused by the
marketplace, or failing too often) and tries them again or gives up on them
(``retry|drop ID|--all``), each recorded with who did it; ``history`` shows every
change to rules, bindings, channel settings and policies (who, when, old → new);
``events prune`` removes events and push log rows older than the retention period
(the daemon does it daily).
"""

from __future__ import annotations

import argparse
from typing import Any

from syncd import audit, events, outbox
from syncd.catalog import get_channel, get_sku
from syncd.cli_base import Context, add_command, add_group, parse_since, table
from syncd.errors import UserError
from syncd.i18n import t

__all__ = ["commands"]


def cmd_outbox(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.localtime import show  # noqa: PLC0415

    tenant = ctx.tenant()
    account = get_channel(ctx.store, tenant.id, args.channel).id if args.channel else None
    rows = outbox.parked(ctx.store, tenant.id, account)
    if not rows:
        ctx.print(t("outbox.none_parked"))
        return 0
    heads = ["h.id", "h.channel", "h.sku", "h.field", "h.value", "h.tries", "h.reason", "h.at"]
    ctx.print(
        table(
            [t(h) for h in heads],
            [
                [
                    r["seq"],
                    r["channel"],
                    r["sku"],
                    r["field"],
                    r["desired"],
                    r["attempts"],
                    r["last_error"],
                    show(r["updated_at"]),
                ]
                for r in rows
            ],
        )
    )
    ctx.print(t("outbox.hint"))
    return 0


def _which(args: argparse.Namespace) -> set[int] | None:
    if args.all == bool(args.ids):
        raise UserError("outbox.which")
    return None if args.all else set(args.ids)


def _act(ctx: Context, args: argparse.Namespace, step: str) -> int:
    tenant = ctx.tenant()
    which = _which(args)
    with ctx.store.write():
        if step == "retry":
            rows = outbox.retry_parked(ctx.store, tenant.id, which)
        else:
            rows = outbox.drop_parked(ctx.store, tenant.id, which, ctx.actor)
        for r in rows:
            events.record(
                ctx.store,
                f"outbox.{step}",
                f"{r['field']} {r['desired']} for {r['sku']}: "
                + ("retried" if step == "retry" else "dropped")
                + f" by {ctx.actor}",
                tenant_id=tenant.id,
                account_id=r["channel_account_id"],
                sku=r["sku"],
                actor=ctx.actor,
                field=r["field"],
                value=r["desired"],
                error=r["last_error"],
            )
    if which is not None and len(rows) < len(which):
        found = {r["seq"] for r in rows}
        missing = ", ".join(str(i) for i in sorted(which - found))
        raise UserError("outbox.unknown", ids=missing, done=len(rows))
    ctx.print(t(f"outbox.{step}_done", count=len(rows)))
    return 0


def cmd_outbox_retry(ctx: Context, args: argparse.Namespace) -> int:
    return _act(ctx, args, "retry")


def cmd_outbox_drop(ctx: Context, args: argparse.Namespace) -> int:
    return _act(ctx, args, "drop")


def _change_text(row: Any) -> str:
    old, new = row["old"], row["new"]
    if old is None:
        return t("history.set", new=new)
    if new is None:
        return t("history.removed", old=old)
    return f"{old} → {new}"


def cmd_history(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.localtime import label, show  # noqa: PLC0415

    tenant = ctx.tenant()
    rows = audit.history(
        ctx.store,
        tenant.id,
        since=parse_since(args.since) if args.since else None,
        account_id=get_channel(ctx.store, tenant.id, args.channel).id if args.channel else None,
        sku_id=get_sku(ctx.store, tenant.id, args.sku).id if args.sku else None,
        limit=args.limit,
    )
    if not rows:
        ctx.print(t("history.none"))
        return 0
    heads = [t("h.time_in", zone=label(short=True)), t("h.who"), t("h.what"), t("h.subject")]
    ctx.print(
        table(
            [*heads, t("h.change")],
            [
                [
                    show(r["at"], seconds=True),
                    r["actor"],
                    t(f"history.what.{r['what']}"),
                    r["subject"],
                    _change_text(r),
                ]
                for r in rows
            ],
        )
    )
    return 0


def cmd_events_prune(ctx: Context, args: argparse.Namespace) -> int:
    days = args.days if args.days is not None else ctx.settings.retention_days
    if days < 1:
        raise UserError("events.bad_days", days=days)
    done = audit.prune(ctx.store, days)
    ctx.print(t("events.pruned", events=done["event"], pushes=done["push_log"], days=days))
    return 0


def commands(sub: Any, channel: Any) -> None:
    p = sub.add_parser("outbox", help=t("help.outbox"), description=t("help.outbox"))
    p.set_defaults(handler=cmd_outbox)
    p.add_argument("--parked", action="store_true", help=t("help.outbox_parked"))
    p.add_argument("--channel", help=t("help.log_channel"))
    steps = p.add_subparsers(dest="outbox_cmd", metavar="COMMAND")
    for name, key, handler in (
        ("retry", "help.outbox_retry", cmd_outbox_retry),
        ("drop", "help.outbox_drop", cmd_outbox_drop),
    ):
        q = add_command(steps, name, key, handler)
        q.add_argument("ids", nargs="*", type=int, metavar="ID", help=t("help.outbox_ids"))
        q.add_argument("--all", action="store_true", help=t("help.outbox_all"))
    p = add_command(sub, "history", "help.history", cmd_history)
    p.add_argument("--since", help=t("help.since"))
    p.add_argument("--channel", help=t("help.log_channel"))
    p.add_argument("--sku", help=t("help.log_sku"))
    p.add_argument("--limit", type=int, default=100, help=t("help.limit"))
    group = add_group(sub, "events", "help.events")
    p = add_command(group, "prune", "help.events_prune", cmd_events_prune)
    p.add_argument("--days", type=int, help=t("help.prune_days"))
