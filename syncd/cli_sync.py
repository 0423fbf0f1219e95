"""The sync half of the CLI: run, channel connect/discover, status, logs."""

from __future__ import annotations

import argparse
import os
from typing import Any

from syncd.cli_base import Context, add_command, open_vault, parse_since, reading_shop, table
from syncd.cli_channels import missing_settings, note, print_review
from syncd.errors import UserError
from syncd.i18n import t

__all__ = ["sync_commands"]


def _account(ctx: Context, name: str) -> Any:
    from syncd import sync  # noqa: PLC0415
    from syncd.catalog import get_channel  # noqa: PLC0415

    channel = get_channel(ctx.store, ctx.tenant().id, name)
    account = sync.load_account(ctx.store, channel.id)
    if account is None:
        raise UserError("connect.no_adapter", marketplace=channel.marketplace)
    return account


def cmd_connect(ctx: Context, args: argparse.Namespace) -> int:
    from adapters import UnknownAdapter  # noqa: PLC0415
    from syncd import credentials, sync  # noqa: PLC0415
    from syncd.errors import AdapterError, Retryable  # noqa: PLC0415

    account = _account(ctx, args.name)
    try:
        missing = missing_settings(account.marketplace, account.settings)
    except UnknownAdapter:
        raise UserError("connect.no_adapter", marketplace=account.marketplace) from None
    if missing:
        raise UserError(
            "channel.missing_settings_edit",
            name=account.name,
            flags=", ".join(missing.values()),
            example=" ".join(f"{flag} ..." for flag in missing.values()),
        )
    vault = open_vault(ctx)
    sealed = credentials.load(ctx.store, vault, account.tenant_id, account.id)
    name = credentials.secret_name(account.marketplace)
    if not credentials.has_secret(sealed.app, name):
        key = os.environ.get(args.partner_key_env, "")
        if not key:
            raise UserError("connect.no_key", env=args.partner_key_env)
        app = credentials.with_secret(sealed.app, name, key)
        credentials.save(ctx.store, vault, account.tenant_id, account.id, app=app)
    try:
        rt = sync.build_runtime(ctx.store, vault, account)
    except UnknownAdapter:
        raise UserError("connect.no_adapter", marketplace=account.marketplace) from None
    assert rt.adapter is not None  # noqa: S101
    if rt.adapter.auth_kind != "oauth_refresh":  # adapter_settings.CODELESS: no code
        return _connect_key(ctx, account, rt)
    try:
        if not args.code:
            ctx.print(t("connect.url", url=rt.adapter.authorization_url(args.redirect)))
            return 0
        try:
            tokens = rt.adapter.exchange_code(args.code.strip())
        except Retryable as exc:  # timeouts, 5xx: nothing is wrong with the code yet
            raise UserError(
                "connect.unreachable", name=account.name, error=exc.code or exc
            ) from None
        except AdapterError as exc:  # reused, expired or wrong code; refused exchange
            raise UserError("connect.refused", name=account.name, error=exc.code or exc) from None
        credentials.save(ctx.store, vault, account.tenant_id, account.id, tokens=tokens)
        rt.tokens = tokens
        sync.note_storefronts(ctx.store, rt)
        with ctx.store.write():
            ctx.store.conn.execute(
                "UPDATE channel_account SET status = 'active', status_reason = '' WHERE id = ?",
                (account.id,),
            )
    finally:
        rt.adapter.close()
    from syncd.localtime import label, show, until  # noqa: PLC0415

    ctx.print(
        t(
            "connect.done",
            name=account.name,
            access=f"{show(tokens.access_expires_at)} {label(short=True)}",
            auth=until(tokens.auth_expires_at) if tokens.auth_expires_at else "-",
        )
    )

    auth_text = until(tokens.auth_expires_at) if tokens.auth_expires_at else "-"
    note(ctx, "channel.connected", f"authorized until {auth_text}", account.id, auth=auth_text)
    ctx.print(t("channel.next_discover", name=account.name))
    return 0


def _connect_key(ctx: Context, account: Any, rt: Any) -> int:
    """A shop connected with no link and no code: an ``api_key`` shop (WooCommerce) has
    its stored key checked with one cheap call; a ``client_credentials`` one (a Shopify
    store's own app) gets its first token. The account is active once it works."""
    from syncd import sync  # noqa: PLC0415
    from syncd.errors import AdapterError, Retryable  # noqa: PLC0415
    from syncd.localtime import label, show  # noqa: PLC0415

    key = rt.adapter.auth_kind == "api_key"
    try:
        access = sync.verify_key(ctx.store, rt)
    except Retryable as exc:
        raise UserError("connect.unreachable", name=account.name, error=exc.code or exc) from None
    except AdapterError as exc:  # a refused key, a key without access, a wrong address
        refused = "connect.key_refused" if key else "connect.client_refused"
        raise UserError(refused, name=account.name, error=exc) from None
    finally:
        rt.adapter.close()
    with ctx.store.write():
        ctx.store.conn.execute(
            "UPDATE channel_account SET status = 'active', status_reason = '' WHERE id = ?",
            (account.id,),
        )
    if key:
        ctx.print(t("connect.key_done", name=account.name))
    else:
        until = f"{show(access.access_expires_at)} {label(short=True)}"
        ctx.print(t("connect.token_done", name=account.name, access=until))
    note(ctx, "channel.connected", "key checked", account.id, auth="-")
    ctx.print(t("channel.next_discover", name=account.name))
    return 0


def cmd_discover(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import sync  # noqa: PLC0415

    account = _account(ctx, args.name)
    rt = sync.build_runtime(ctx.store, open_vault(ctx), account)
    with reading_shop(ctx, rt):
        report = sync.discover(ctx.store, rt)
    ctx.print(
        t(
            "discover.done",
            name=args.name,
            remote=report.remote,
            bound=report.bound,
            already=report.already,
        )
    )
    if report.unmatched_remote:
        ctx.print(t("discover.unmatched", skus=", ".join(report.unmatched_remote)))
    if report.unlisted_master:
        ctx.print(t("discover.unlisted", skus=", ".join(report.unlisted_master)))
    from syncd.catalog import get_channel  # noqa: PLC0415

    channel = get_channel(ctx.store, ctx.tenant().id, args.name)
    if not channel.accepted_at:  # the first discovery: nothing is pushed until accepted
        print_review(ctx, channel)
    return 0


def cmd_run(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.daemon import Daemon, Intervals  # noqa: PLC0415
    from syncd.instance import run_lock  # noqa: PLC0415
    from syncd.log import configure  # noqa: PLC0415

    path = ctx.store.path  # an existing database only: `run` never creates one
    ctx.close()  # the daemon opens its own connections
    ctx._store = None
    shard = _shard(args.shard)
    # a second `syncd run` on this database refuses, naming our PID (a shard: of its shard)
    ctx.hold(run_lock(path, shard=shard))
    configure(  # one pass (cron, a seller's terminal): warnings only; the event log has the rest
        json={"json": True, "console": False}.get(args.log_format or ""),
        level="warning" if args.once else "info",
    )
    daemon = Daemon(
        path,
        workers=args.workers,
        intervals=Intervals(
            push=args.push_every,
            pull=args.poll_every,
            **({"safety_net": args.safety_net} if args.safety_net is not None else {}),
        ),
        shard=shard,
        master_key=ctx.settings.master_key,
        retention_days=ctx.settings.retention_days,
        settings=ctx.settings,
    )
    web = None
    if args.web:  # the web app in this process: /metrics sees the daemon's own counters
        from syncd.web.app import Server  # noqa: PLC0415

        web = Server(path, ctx.settings, args.web)
        web.start()
        host = args.web.rpartition(":")[0]
        ctx.print(t("web.serving", url=f"http://{host}:{web.port}"))
    try:
        return _run(ctx, args, daemon)
    finally:
        if web is not None:
            web.stop()


def _shard(text: str | None) -> tuple[int, int] | None:
    """``--shard K/N`` as (k, n), or UserError naming the option and the form."""
    if not text:
        return None
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit()) or not 0 <= int(k) < int(n):
        raise UserError("run.bad_shard", value=text)
    return int(k), int(n)


def _run(ctx: Context, args: argparse.Namespace, daemon: Any) -> int:
    with daemon.running():
        if args.once:
            counts = daemon.run_once()
            ctx.print(
                t("run.once", ok=counts["ok"], failed=counts["failed"], skipped=counts["skipped"])
            )
            return _once_verdict(ctx, daemon)
        daemon.install_signals()
        daemon.run()
    return 0


def _once_verdict(ctx: Context, daemon: Any) -> int:
    """``run --once``: name every account that could not start and every failed job;
    non-zero when there is any (cron and monitoring read the exit code)."""
    import sys  # noqa: PLC0415

    for name, error in daemon.unavailable.values():
        print(t("run.unavailable", name=name, error=error), file=sys.stderr)
    for name in daemon.not_connected.values():
        print(f"{name}: " + t("next.not_connected", name=name), file=sys.stderr)
    for name, job, error in daemon.problems:
        print(t("run.job_failed", name=name, job=job, error=error), file=sys.stderr)
    from syncd import sync  # noqa: PLC0415

    store = daemon._store()
    stuck = []
    for account in sync.load_accounts(store):  # cannot work until the seller acts
        if account.status == "needs_reauth" and not account.paused:
            reason = store.scalar(
                "SELECT status_reason FROM channel_account WHERE id = ?", (account.id,)
            )
            stuck.append(account.name)
            print(
                f"{account.name}: " + t("next.needs_reauth", name=account.name, detail=reason),
                file=sys.stderr,
            )
    waiting = [rt.account.name for rt in daemon.runtimes.values() if not rt.account.accepted]
    if waiting:
        ctx.print(t("run.not_accepted", names=", ".join(sorted(waiting))))
    bad = daemon.unavailable or daemon.problems or stuck or daemon.not_connected
    return 1 if bad else 0


def _when(value: str | None) -> str:
    """A stored UTC time as the seller reads it, in the tenant's zone."""
    from syncd import localtime  # noqa: PLC0415

    return localtime.show(value)


def _chain(ctx: Context, args: argparse.Namespace) -> int:
    """``logs --sku/--order/--correlation``: the order → movement → push → answer chain."""
    from syncd import audit, localtime  # noqa: PLC0415
    from syncd.catalog import get_sku  # noqa: PLC0415
    from syncd.cli_words import event_text  # noqa: PLC0415

    tenant = ctx.tenant()
    sku = get_sku(ctx.store, tenant.id, args.sku) if args.sku else None
    links = audit.chain(
        ctx.store,
        tenant.id,
        sku_id=sku.id if sku else None,
        sku=sku.sku if sku else None,
        order=args.order,
        correlation=args.correlation,
        since=parse_since(args.since) if args.since else None,
        limit=args.limit,
    )
    if args.channel:
        links = [x for x in links if x.channel == args.channel]
    if not links:
        ctx.print(t("chain.none"))
        return 0
    heads = [
        t("h.time_in", zone=localtime.label(short=True)),
        *(t(h) for h in ("h.step", "h.channel", "h.sku", "h.detail")),
    ]
    ctx.print(
        table(
            heads,
            [
                [
                    localtime.show(x.at, seconds=True),
                    t(f"chain.{x.step}") + ("" if x.ok else " !"),
                    x.channel,
                    x.sku,
                    x.detail if x.event is None else event_text(*x.event, x.channel),
                ]
                for x in links
            ],
        )
    )
    return 0


def cmd_logs(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import localtime  # noqa: PLC0415
    from syncd.cli_words import event_text, level  # noqa: PLC0415
    from syncd.models import LOG_LEVELS as LEVELS  # noqa: PLC0415

    if args.sku or args.order or args.correlation:
        return _chain(ctx, args)

    sql = (
        "SELECT e.at, e.level, e.kind, c.name AS channel, e.sku, e.message, e.data FROM event e "
        "LEFT JOIN channel_account c ON c.id = e.channel_account_id WHERE 1 = 1"
    )
    params: list[Any] = []
    if args.tenant or ctx.settings.tenant or ctx.store.scalar("SELECT COUNT(*) FROM tenant") == 1:
        sql += " AND (e.tenant_id = ? OR e.tenant_id IS NULL)"
        params.append(ctx.tenant().id)
    if args.level:
        sql += f" AND e.level IN ({','.join('?' * len(LEVELS[LEVELS.index(args.level) :]))})"
        params += LEVELS[LEVELS.index(args.level) :]
    if args.channel:
        sql += " AND c.name = ?"
        params.append(args.channel)
    if args.sku:
        sql += " AND e.sku = ?"
        params.append(args.sku)
    if args.since:
        sql += " AND e.at >= ?"
        params.append(parse_since(args.since))
    rows = ctx.store.all(
        f"SELECT * FROM ({sql} ORDER BY e.id DESC LIMIT ?) ORDER BY at", (*params, args.limit)
    )
    heads = [
        t("h.time_in", zone=localtime.label(short=True)),
        *(t(h) for h in ("h.level", "h.event", "h.channel", "h.sku", "h.message")),
    ]
    ctx.print(
        table(
            heads,
            [
                [
                    localtime.show(r["at"], seconds=True),
                    level(r["level"]),
                    r["kind"],
                    r["channel"] or "",
                    r["sku"] or "",
                    event_text(r["kind"], r["message"], r["data"], r["channel"] or ""),
                ]
                for r in rows
            ],
        )
    )
    return 0


def sync_commands(sub: Any, channel: Any) -> None:
    """Register run, status, logs, and channel connect/discover."""
    from syncd.models import LOG_LEVELS as LEVELS  # noqa: PLC0415

    p = add_command(channel, "connect", "help.channel_connect", cmd_connect)
    p.add_argument("name")
    p.add_argument("--code", help=t("help.code"))
    p.add_argument(
        "--redirect", default="https://localhost/syncd/callback", help=t("help.redirect")
    )
    p.add_argument("--partner-key-env", default="SYNCD_PARTNER_KEY", help=t("help.partner_key_env"))
    add_command(channel, "discover", "help.channel_discover", cmd_discover).add_argument("name")

    p = add_command(sub, "run", "help.run", cmd_run)
    p.add_argument("--once", action="store_true", help=t("help.once"))
    p.add_argument("--workers", type=int, default=4, help=t("help.workers"))
    p.add_argument("--push-every", type=float, default=2.0, help=t("help.push_every"))
    p.add_argument("--poll-every", type=float, default=30.0, help=t("help.poll_every"))
    p.add_argument("--log-format", choices=("json", "console"), help=t("help.log_format"))
    p.add_argument("--web", metavar="HOST:PORT", help=t("help.run_web"))
    p.add_argument("--safety-net", type=float, metavar="SECONDS", help=t("help.safety_net"))
    p.add_argument("--shard", metavar="K/N", help=t("help.shard"))
    p = add_command(sub, "logs", "help.logs", cmd_logs)
    p.add_argument("--level", choices=LEVELS, help=t("help.level"))
    p.add_argument("--channel", help=t("help.log_channel"))
    p.add_argument("--sku", help=t("help.log_sku"))
    p.add_argument("--order", help=t("help.log_order"))
    p.add_argument("--correlation", help=t("help.log_correlation"))
    p.add_argument("--since", help=t("help.since"))
    p.add_argument("--limit", type=int, default=100, help=t("help.limit"))
