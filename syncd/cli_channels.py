"""A channel's lifecycle from the CLI: review, accept, edit, set-secret, pause, resume,
remove; ``listing unbind``; and ``status``, one state per channel computed from facts.

Registered by ``syncd.cli.build_parser``. A channel pushes nothing until the seller has
seen what it shows against what syncd would push and accepted; price sync is a
per-channel switch, off until the seller turns it on.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING, Any

from syncd.cli_base import Context, add_command, open_vault, parse_since, table
from syncd.errors import UserError
from syncd.i18n import rupiah, t

if TYPE_CHECKING:
    from syncd.catalog import Channel

__all__ = [
    "add_channel_options",
    "channel_settings",
    "checked_settings",
    "commands",
    "missing_settings",
    "note",
    "print_review",
]

PRICE_SYNC = ("push", "off")


def note(ctx: Context, kind: str, message: str, channel_id: int | None, **data: Any) -> None:
    """Record a seller's action on a channel in the event log (``syncd logs``)."""
    from syncd import events  # noqa: PLC0415

    events.record(
        ctx.store,
        kind,
        message,
        tenant_id=ctx.tenant().id,
        account_id=channel_id,
        actor=ctx.actor,
        **data,
    )


def missing_settings(marketplace: str, settings: dict[str, Any]) -> dict[str, str]:
    """Required adapter settings absent from ``settings`` (setting → the option giving it)."""
    from syncd.channel_options import missing  # noqa: PLC0415

    return missing(marketplace, settings)


def checked_settings(
    marketplace: str, given: dict[str, Any], whole: dict[str, Any]
) -> dict[str, Any]:
    """``given`` in their types, once the channel's ``whole`` settings pass its adapter's
    model (a UserError naming the option otherwise; nothing is stored)."""
    from adapters import UnknownAdapter  # noqa: PLC0415
    from syncd.channel_options import check  # noqa: PLC0415

    try:
        typed = check(marketplace, whole)
    except UnknownAdapter:
        return given
    return {k: typed.get(k, v) for k, v in given.items()}


def channel_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Adapter settings from ``channel add``/``edit`` options (no secrets here)."""
    from syncd.channel_options import settings_from  # noqa: PLC0415

    return settings_from(args)


def add_channel_options(p: argparse.ArgumentParser, *, adapters: bool = True) -> None:
    """Options of ``channel add``/``edit``: the installed adapters' settings (from their
    settings models, ``syncd.channel_options``; left out when ``adapters`` is False, for a
    command line that is neither) and the core's own."""
    if adapters:
        from syncd.channel_options import add_options  # noqa: PLC0415

        add_options(p)
    p.add_argument("--integration-start", help=t("help.integration_start"))
    p.add_argument("--price-sync", choices=("push", "off"), help=t("help.price_sync"))


def _fronts(marketplace: str, settings: str) -> str:
    """``tiktok (TikTok Shop + Tokopedia)`` when an account serves several storefronts."""
    import json  # noqa: PLC0415

    fronts = json.loads(settings or "{}").get("storefronts")
    return f"{marketplace} ({' + '.join(fronts)})" if fronts else marketplace


def _prices(channel: Channel) -> str:
    return t("prices.push" if channel.price_sync == "push" else "prices.off")


def _money(value: int | None) -> str:
    return t("review.unknown") if value is None else rupiah(value)


def print_review(ctx: Context, channel: Channel) -> None:
    """Print what the channel shows against what syncd would push, and the next step."""
    from syncd.localtime import show  # noqa: PLC0415
    from syncd.review import differences  # noqa: PLC0415

    bound, diffs = differences(ctx.store, channel.id)
    if not bound:
        ctx.print(t("review.none_bound", name=channel.name))
        return
    if not diffs:
        ctx.print(t("review.same", name=channel.name, bound=bound))
    else:
        ctx.print(t("review.header", name=channel.name, bound=bound, count=len(diffs)))
        for d in diffs:
            changes = []
            if d.stock_differs:
                shown = t("review.unknown") if d.shown_stock is None else d.shown_stock
                changes.append(t("review.stock", shown=shown, new=d.stock))
            if d.price_differs:
                kept = channel.price_sync != "push"
                note = t("review.price_kept", shown_price=_money(d.shown_price)) if kept else ""
                changes.append(
                    t("review.price", shown=_money(d.shown_price), new=rupiah(d.price), note=note)
                )
            ctx.print(t("review.row", sku=d.sku, item=d.item, changes="; ".join(changes)))
    if channel.accepted_at:
        ctx.print(
            t(
                "review.accepted",
                at=show(channel.accepted_at),
                name=channel.name,
                prices=_prices(channel),
            )
        )
    else:
        ctx.print(t("review.waiting", name=channel.name))


def cmd_review(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.catalog import get_channel  # noqa: PLC0415

    print_review(ctx, get_channel(ctx.store, ctx.tenant().id, args.name))
    return 0


def cmd_accept(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.catalog import accept_channel  # noqa: PLC0415
    from syncd.review import differences  # noqa: PLC0415

    channel = accept_channel(
        ctx.store, ctx.tenant().id, args.name, price_sync=args.price_sync, actor=ctx.actor
    )
    _, diffs = differences(ctx.store, channel.id)
    count = sum(
        d.stock_differs or (channel.price_sync == "push" and d.price_differs) for d in diffs
    )
    note(ctx, "channel.accepted", "pushes accepted", channel.id, price_sync=channel.price_sync)
    ctx.print(t("accept.done", name=channel.name, prices=_prices(channel), count=count))
    ctx.print(t("accept.prices_hint", name=channel.name))
    return 0


def cmd_edit(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.catalog import edit_channel, get_channel  # noqa: PLC0415

    tenant = ctx.tenant()
    before = get_channel(ctx.store, tenant.id, args.name)
    settings = channel_settings(args)
    after = {
        k: v for k, v in {**before.settings, **settings}.items() if k not in (args.unset or ())
    }
    missing = missing_settings(before.marketplace, after)
    if missing:
        raise UserError(
            "channel.missing_settings",
            marketplace=before.marketplace,
            flags=", ".join(missing.values()),
        )
    settings = checked_settings(before.marketplace, settings, after)
    channel, changes = edit_channel(
        ctx.store,
        tenant.id,
        args.name,
        settings=settings,
        unset=args.unset or (),
        integration_start=parse_since(args.integration_start) if args.integration_start else None,
        price_sync=args.price_sync,
        new_name=args.rename,
        actor=ctx.actor,
    )
    if not changes:
        ctx.print(t("channel.unchanged", name=channel.name))
        return 0
    text = ", ".join(
        f"{what}: {'-' if old is None else old} → {'-' if new is None else new}"
        for what, old, new in changes
    )
    note(ctx, "channel.edited", f"settings changed: {text}", channel.id, changes=text)
    ctx.print(t("channel.edited", name=channel.name, changes=text))
    return 0


def read_secret(name: str, env: str) -> str:
    """The app secret from ``env``, else typed at a terminal; never from the command line."""
    value = os.environ.get(env, "").strip()
    if not value and sys.stdin.isatty():
        value = getpass.getpass(t("secret.prompt", name=name)).strip()
    if not value:
        raise UserError("secret.missing", env=env)
    return value


def cmd_set_secret(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import credentials  # noqa: PLC0415
    from syncd.catalog import get_channel  # noqa: PLC0415

    tenant = ctx.tenant()
    channel = get_channel(ctx.store, tenant.id, args.name)
    secret = read_secret(channel.name, args.secret_env)
    box = open_vault(ctx)
    sealed = credentials.load(ctx.store, box, tenant.id, channel.id)
    app = credentials.with_secret(sealed.app, credentials.secret_name(channel.marketplace), secret)
    credentials.save(ctx.store, box, tenant.id, channel.id, app=app)
    note(ctx, "channel.secret_replaced", "app secret replaced", channel.id)
    ctx.print(t("secret.saved", name=channel.name))
    return 0


def cmd_pause(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.catalog import set_paused  # noqa: PLC0415

    channel = set_paused(ctx.store, ctx.tenant().id, args.name, paused=True, actor=ctx.actor)
    note(ctx, "channel.paused", "paused by the seller", channel.id)
    ctx.print(t("channel.paused", name=channel.name))
    return 0


def cmd_resume(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.catalog import set_paused  # noqa: PLC0415

    channel = set_paused(ctx.store, ctx.tenant().id, args.name, paused=False, actor=ctx.actor)
    note(ctx, "channel.resumed", "resumed", channel.id)
    ctx.print(t("channel.resumed", name=channel.name))
    return 0


def cmd_remove(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.catalog import channel_footprint, get_channel, remove_channel  # noqa: PLC0415

    tenant = ctx.tenant()
    channel = get_channel(ctx.store, tenant.id, args.name)
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("remove.need_yes", name=channel.name)
        listings, orders, movements = channel_footprint(ctx.store, channel.id)
        answer = input(
            t(
                "remove.confirm",
                name=channel.name,
                listings=listings,
                orders=orders,
                movements=movements,
            )
        )
        if answer.strip().lower() not in {t("remove.yes"), "ya", "yes", "y"}:
            ctx.print(t("remove.aborted"))
            return 1
    done = remove_channel(ctx.store, tenant.id, channel.name, actor=ctx.actor)
    note(
        ctx, "channel.removed", f"removed, kept as {done.kept_as}", channel.id, kept_as=done.kept_as
    )
    ctx.print(
        t(
            "remove.done",
            name=channel.name,
            listings=done.listings,
            orders=done.orders_kept,
            movements=done.movements_kept,
            kept_as=done.kept_as,
        )
    )
    return 0


def cmd_unbind(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.catalog import get_channel, unbind_listing  # noqa: PLC0415

    gone = unbind_listing(ctx.store, ctx.tenant().id, args.sku, args.channel, actor=ctx.actor)
    item = gone.item_id + (f"/{gone.variant_id}" if gone.variant_id else "")
    channel = get_channel(ctx.store, ctx.tenant().id, args.channel)
    note(
        ctx,
        "listing.unbound",
        f"{gone.sku} unbound from {item}",
        channel.id,
        sku=gone.sku,
        item=item,
    )
    ctx.print(t("listing.unbound", sku=gone.sku, channel=gone.channel, item=item))
    return 0


# -- status ------------------------------------------------------------------------


def cmd_status(ctx: Context, _args: argparse.Namespace) -> int:
    """Per channel: its one state, what to do next, last pull/push, pending, tokens.

    Exit code 1 when any channel is not ``ok`` (cron and monitoring read it)."""
    from syncd.health import channel_health  # noqa: PLC0415
    from syncd.localtime import label, show, until  # noqa: PLC0415

    tenant = ctx.tenant()
    rows = ctx.store.all(
        """
        SELECT c.id, c.name, c.marketplace, c.settings, c.price_sync,
          (SELECT MAX(last_ok) FROM job_run j
             WHERE j.channel_account_id = c.id AND j.job IN ('pull', 'push')) AS pull,
          (SELECT last_ok FROM job_run j
             WHERE j.channel_account_id = c.id AND j.job = 'push') AS push,
          (SELECT COUNT(*) FROM outbox o WHERE o.channel_account_id = c.id
             AND o.status IN ('pending', 'failed', 'parked')
             AND (o.field = 'stock' OR c.price_sync = 'push')) AS pending,
          (SELECT COALESCE(SUM(failures), 0) FROM job_run j WHERE j.channel_account_id = c.id)
             AS failures,
          cr.access_expires_at AS token, cr.auth_expires_at AS auth,
          cr.refresh_expires_at AS refresh
        FROM channel_account c LEFT JOIN credential cr ON cr.channel_account_id = c.id
        WHERE c.tenant_id = ? AND c.removed_at IS NULL ORDER BY c.name
        """,
        (tenant.id,),
    )
    if not rows:
        ctx.print(t("status.no_channels"))
        return 0
    from syncd.credentials import Vault, load_key  # noqa: PLC0415

    try:  # once, by the key rule every command follows; a look never makes a key
        box: Vault | UserError = Vault(
            load_key(ctx.store.path, ctx.settings.master_key, create=False)
        )
    except UserError as exc:
        box = exc
    states = {r["id"]: channel_health(ctx.store, r["id"], vault=box) for r in rows}
    from syncd.horizon import horizon, status_line  # noqa: PLC0415

    soon = {  # within 14 days: the line to re-authorize and the horizon in the auth column
        r["id"]: line
        for r in rows
        if states[r["id"]].state not in ("not_connected", "needs_reauth")
        and (line := status_line(r["name"], r["auth"], r["refresh"]))
    }
    heads = [
        "h.channel",
        "h.marketplace",
        "h.state",
        "h.last_pull",
        "h.last_push",
        "h.pending",
        "h.failures",
        "h.auth",
    ]
    ctx.print(
        table(
            [t(h) for h in heads],
            [
                [
                    r["name"],
                    _fronts(r["marketplace"], r["settings"]),
                    t(f"state.{states[r['id']].state}"),
                    show(r["pull"]),
                    show(r["push"]),
                    r["pending"],
                    r["failures"],
                    until(horizon(r["auth"], r["refresh"]))
                    if r["id"] in soon
                    else (until(r["auth"]) if r["auth"] else "-"),
                ]
                for r in rows
            ],
        )
    )
    ctx.print(t("time.zone_note", zone=label()))
    from syncd.returns import waiting  # noqa: PLC0415

    to_inspect = waiting(ctx.store, ctx.tenant().id)
    if to_inspect:
        ctx.print(t("status.returns_waiting", count=to_inspect))
    bad = 0
    for r in rows:
        health = states[r["id"]]
        if r["id"] in soon:
            ctx.print(f"  {r['name']}: {soon[r['id']]}")
        if health.ok:
            continue
        bad += 1
        since = show(health.since) if health.since else "-"
        ctx.print(
            f"  {r['name']}: "
            + t(f"next.{health.state}", name=r["name"], detail=health.detail, since=since)
        )
    from syncd.instance import running_pid  # noqa: PLC0415

    beat = ctx.store.one("SELECT pid, at FROM daemon_heartbeat WHERE id = 1")
    pid = running_pid(ctx.store.path)
    if pid is not None:
        ctx.print(t("status.running", pid=pid, at=show(beat["at"]) if beat else "-"))
        from syncd.lanes import pacing_lines  # noqa: PLC0415

        for line in pacing_lines(ctx.store, {r["marketplace"] for r in rows}):
            ctx.print(f"  {line}")  # the budget cannot keep the poll interval (issue 14)
    elif beat:
        ctx.print(t("status.not_running", at=show(beat["at"])))
    else:
        ctx.print(t("status.no_daemon"))
    if bad:
        print(t("status.attention", count=bad, total=len(rows)), file=sys.stderr)
        return 1
    return 0


# -- quarantine ----------------------------------------------------------------------


def _quarantined(ctx: Context, entry: int) -> Any:
    row = ctx.store.one(
        "SELECT q.id, q.order_id, q.cursor_before, q.channel_account_id, c.name AS channel "
        "FROM quarantine q JOIN channel_account c ON c.id = q.channel_account_id "
        "WHERE q.id = ? AND q.tenant_id = ?",
        (entry, ctx.tenant().id),
    )
    if row is None:
        raise UserError("quarantine.unknown", id=entry)
    return row


def _quarantine_done(ctx: Context, row: Any, step: str, what: str) -> int:
    """Record and say what the operator did with a set-aside order."""
    order = row["order_id"] or "?"
    note(ctx, f"quarantine.{step}", f"order {order} {what}", row["channel_account_id"], order=order)
    ctx.print(t(f"quarantine.{step}", order=order, channel=row["channel"]))
    return 0


def cmd_quarantine_list(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.localtime import show  # noqa: PLC0415

    sql = (
        "SELECT q.id, c.name AS channel, q.order_id, q.reason, q.first_seen, q.times, q.state "
        "FROM quarantine q JOIN channel_account c ON c.id = q.channel_account_id "
        "WHERE q.tenant_id = ?"
    )
    params: list[Any] = [ctx.tenant().id]
    if args.channel:
        sql += " AND c.name = ?"
        params.append(args.channel)
    if not args.all:
        sql += " AND q.state = 'open'"
    rows = ctx.store.all(sql + " ORDER BY q.id", params)
    heads = ["h.id", "h.channel", "h.order", "h.reason", "h.first_seen", "h.times", "h.state"]
    ctx.print(
        table(
            [t(h) for h in heads],
            [
                [
                    r["id"],
                    r["channel"],
                    r["order_id"] or "?",
                    r["reason"],
                    show(r["first_seen"]),
                    r["times"],
                    t(f"quarantine.{r['state']}"),
                ]
                for r in rows
            ],
        )
    )
    if rows and not args.all:
        ctx.print(t("quarantine.hint"))
    return 0


def cmd_quarantine_retry(ctx: Context, args: argparse.Namespace) -> int:
    """Read the order again: its shop's order window goes back to where it was read."""
    from syncd.orders import rewind  # noqa: PLC0415

    row = _quarantined(ctx, args.id)
    with ctx.store.write():
        rewind(ctx.store, row["channel_account_id"], row["cursor_before"])
        ctx.store.conn.execute(
            "UPDATE quarantine SET state = 'open', retries = 0, retry_at = NULL WHERE id = ?",
            (row["id"],),
        )
    return _quarantine_done(ctx, row, "retry", "to be read again")


def cmd_quarantine_dismiss(ctx: Context, args: argparse.Namespace) -> int:
    """The operator has dealt with the order by hand: it stops counting against the shop."""
    row = _quarantined(ctx, args.id)
    with ctx.store.write():
        ctx.store.conn.execute(
            "UPDATE quarantine SET state = 'dismissed' WHERE id = ?", (row["id"],)
        )
    return _quarantine_done(ctx, row, "dismissed", "dismissed")


# -- parser ------------------------------------------------------------------------


def commands(sub: Any, channel: Any) -> None:
    """``channel review|accept|edit|set-secret|pause|resume|remove`` and ``status``."""

    add_command(channel, "review", "help.channel_review", cmd_review).add_argument("name")
    p = add_command(channel, "accept", "help.channel_accept", cmd_accept)
    p.add_argument("name")
    p.add_argument("--price-sync", choices=PRICE_SYNC, help=t("help.price_sync"))
    p = add_command(channel, "edit", "help.channel_edit", cmd_edit)
    p.add_argument("name")
    add_channel_options(p, adapters=getattr(channel, "adapter_options", True))
    p.add_argument("--unset", action="append", metavar="KEY", help=t("help.unset"))
    p.add_argument("--rename", metavar="NEW", help=t("help.rename"))
    p = add_command(channel, "set-secret", "help.channel_set_secret", cmd_set_secret)
    p.add_argument("name")
    p.add_argument("--secret-env", default="SYNCD_PARTNER_KEY", help=t("help.secret_env"))
    add_command(channel, "pause", "help.channel_pause", cmd_pause).add_argument("name")
    add_command(channel, "resume", "help.channel_resume", cmd_resume).add_argument("name")
    p = add_command(channel, "remove", "help.channel_remove", cmd_remove)
    p.add_argument("name")
    p.add_argument("--yes", action="store_true", help=t("help.yes"))
    add_command(sub, "status", "help.status", cmd_status)
    group = sub.add_parser(
        "quarantine", help=t("help.quarantine"), description=t("help.quarantine")
    ).add_subparsers(dest="quarantine_cmd", required=True, metavar="COMMAND")
    p = add_command(group, "list", "help.quarantine_list", cmd_quarantine_list)
    p.add_argument("--channel", help=t("help.log_channel"))
    p.add_argument("--all", action="store_true", help=t("help.quarantine_all"))
    add_command(group, "retry", "help.quarantine_retry", cmd_quarantine_retry).add_argument(
        "id", type=int
    )
    add_command(group, "dismiss", "help.quarantine_dismiss", cmd_quarantine_dismiss).add_argument(
        "id", type=int
    )
