"""The sync half of the CLI: run, channel connect/discover, status, logs."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
from typing import TYPE_CHECKING, Any

from syncd.errors import UserError
from syncd.i18n import t

if TYPE_CHECKING:
    from syncd.cli import Context

__all__ = ["add_channel_options", "sync_commands"]


def _vault(ctx: Context) -> Any:
    from syncd.credentials import Vault, load_key  # noqa: PLC0415

    return Vault(load_key(ctx.store.path))


def _account(ctx: Context, name: str) -> Any:
    from syncd import sync  # noqa: PLC0415
    from syncd.catalog import get_channel  # noqa: PLC0415

    channel = get_channel(ctx.store, ctx.tenant().id, name)
    return next(a for a in sync.load_accounts(ctx.store) if a.id == channel.id)


def channel_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Adapter settings from ``channel add`` options (no secrets here)."""
    settings: dict[str, Any] = {}
    if args.partner_id is not None:
        settings["partner_id"] = args.partner_id
    if args.base_url:
        settings["base_url"] = args.base_url
    if args.environment:
        settings["environment"] = args.environment
    if args.app_key:
        settings["app_key"] = args.app_key
    if args.service_id:
        settings["service_id"] = args.service_id
    for pair in args.setting or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError("bad.setting", value=pair)
        settings[key.strip()] = value.strip()
    return settings


def cmd_connect(ctx: Context, args: argparse.Namespace) -> int:
    from adapters import UnknownAdapter  # noqa: PLC0415
    from syncd import credentials, sync  # noqa: PLC0415

    account = _account(ctx, args.name)
    vault = _vault(ctx)
    sealed = credentials.load(ctx.store, vault, account.tenant_id, account.id)
    if "partner_key" not in sealed.app:
        key = os.environ.get(args.partner_key_env, "")
        if not key:
            raise UserError("connect.no_key", env=args.partner_key_env)
        credentials.save(ctx.store, vault, account.tenant_id, account.id, app={"partner_key": key})
    try:
        rt = sync.build_runtime(ctx.store, vault, account)
    except UnknownAdapter:
        raise UserError("connect.no_adapter", marketplace=account.marketplace) from None
    assert rt.adapter is not None  # noqa: S101
    try:
        if not args.code:
            ctx.print(t("connect.url", url=rt.adapter.authorization_url(args.redirect)))
            return 0
        tokens = rt.adapter.exchange_code(args.code)
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
    auth = tokens.auth_expires_at.date().isoformat() if tokens.auth_expires_at else "-"
    ctx.print(
        t(
            "connect.done",
            name=account.name,
            access=tokens.access_expires_at.isoformat(timespec="minutes"),
            auth=auth,
        )
    )
    return 0


def cmd_discover(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import sync  # noqa: PLC0415

    rt = sync.build_runtime(ctx.store, _vault(ctx), _account(ctx, args.name))
    try:
        report = sync.discover(ctx.store, rt)
    finally:
        if rt.adapter is not None:
            rt.adapter.close()
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
    return 0


def cmd_run(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.daemon import Daemon, Intervals  # noqa: PLC0415
    from syncd.log import configure  # noqa: PLC0415

    configure(json={"json": True, "console": False}.get(args.log_format or ""), level="info")
    path = ctx.store.path
    ctx.close()  # the daemon opens its own connections
    ctx._store = None
    daemon = Daemon(
        path, workers=args.workers, intervals=Intervals(push=args.push_every, pull=args.poll_every)
    )
    with daemon.running():
        if args.once:
            counts = daemon.run_once()
            ctx.print(
                t("run.once", ok=counts["ok"], failed=counts["failed"], skipped=counts["skipped"])
            )
            return 1 if counts["failed"] else 0
        daemon.install_signals()
        daemon.run()
    return 0


def _when(value: str | None) -> str:
    return "-" if not value else str(value)[:16].replace("T", " ")


def _fronts(marketplace: str, settings: str) -> str:
    """``tiktok (TikTok Shop + Tokopedia)`` when an account serves several storefronts."""
    import json  # noqa: PLC0415

    fronts = json.loads(settings or "{}").get("storefronts")
    return f"{marketplace} ({' + '.join(fronts)})" if fronts else marketplace


def cmd_status(ctx: Context, _args: argparse.Namespace) -> int:
    from syncd.cli import table  # noqa: PLC0415

    tenant = ctx.tenant()
    rows = ctx.store.all(
        """
        SELECT c.name, c.marketplace, c.status, c.status_reason, c.settings,
          (SELECT last_ok FROM job_run j
             WHERE j.channel_account_id = c.id AND j.job = 'pull') AS pull,
          (SELECT last_ok FROM job_run j
             WHERE j.channel_account_id = c.id AND j.job = 'push') AS push,
          (SELECT COUNT(*) FROM outbox o WHERE o.channel_account_id = c.id
             AND o.status IN ('pending', 'failed')) AS pending,
          (SELECT COUNT(*) FROM outbox o WHERE o.channel_account_id = c.id
             AND o.status = 'parked') AS parked,
          (SELECT COALESCE(SUM(failures), 0) FROM job_run j WHERE j.channel_account_id = c.id)
             AS failures,
          cr.access_expires_at AS token, cr.auth_expires_at AS auth
        FROM channel_account c LEFT JOIN credential cr ON cr.channel_account_id = c.id
        WHERE c.tenant_id = ? ORDER BY c.name
        """,
        (tenant.id,),
    )
    heads = [
        "h.channel",
        "h.marketplace",
        "h.status",
        "h.last_pull",
        "h.last_push",
        "h.pending",
        "h.failures",
        "h.token",
        "h.auth",
    ]
    ctx.print(
        table(
            [t(h) for h in heads],
            [
                [
                    r["name"],
                    _fronts(r["marketplace"], r["settings"]),
                    t(f"status.{r['status']}"),
                    _when(r["pull"]),
                    _when(r["push"]),
                    r["pending"] + r["parked"],
                    r["failures"],
                    _when(r["token"]),
                    _when(r["auth"])[:10],
                ]
                for r in rows
            ],
        )
    )
    for r in rows:
        if r["status_reason"]:
            ctx.print(f"  {r['name']}: {r['status_reason']}")
    beat = ctx.store.one("SELECT pid, at FROM daemon_heartbeat WHERE id = 1")
    ctx.print(
        t("status.heartbeat", at=_when(beat["at"]), pid=beat["pid"])
        if beat
        else t("status.no_daemon")
    )
    return 0


def parse_since(value: str, now: dt.datetime | None = None) -> str:
    """ISO 8601 or a duration (``30m``, ``2h``, ``1d``) → ISO UTC text."""
    now = now or dt.datetime.now(dt.UTC)
    match = re.fullmatch(r"(\d+)\s*([smhd])", value.strip())
    if match:
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        return (now - dt.timedelta(**{unit: int(match.group(1))})).isoformat(timespec="seconds")
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise UserError("bad.duration", value=value) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))  # WIB, as sellers write it
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def cmd_logs(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.cli import table  # noqa: PLC0415
    from syncd.models import LOG_LEVELS as LEVELS  # noqa: PLC0415

    sql = (
        "SELECT e.at, e.level, e.kind, c.name AS channel, e.sku, e.message FROM event e "
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
    heads = ["h.time", "h.level", "h.event", "h.channel", "h.sku", "h.message"]
    ctx.print(
        table(
            [t(h) for h in heads],
            [
                [
                    _when(r["at"]),
                    r["level"],
                    r["kind"],
                    r["channel"] or "",
                    r["sku"] or "",
                    r["message"],
                ]
                for r in rows
            ],
        )
    )
    return 0


def add_channel_options(p: argparse.ArgumentParser) -> None:
    """Adapter options of ``channel add``."""
    p.add_argument("--partner-id", type=int, help=t("help.partner_id"))
    p.add_argument("--base-url", help=t("help.base_url"))
    p.add_argument("--environment", choices=("production", "sandbox"), help=t("help.environment"))
    p.add_argument("--integration-start", help=t("help.integration_start"))
    p.add_argument("--app-key", help=t("help.app_key"))
    p.add_argument("--service-id", help=t("help.service_id"))
    p.add_argument("--setting", action="append", metavar="KEY=VALUE", help=t("help.setting"))


def sync_commands(sub: Any, channel: Any) -> None:
    """Register run, status, logs, and channel connect/discover."""
    from syncd.cli import _sub  # noqa: PLC0415
    from syncd.models import LOG_LEVELS as LEVELS  # noqa: PLC0415

    p = _sub(channel, "connect", "help.channel_connect", cmd_connect)
    p.add_argument("name")
    p.add_argument("--code", help=t("help.code"))
    p.add_argument(
        "--redirect", default="https://localhost/syncd/callback", help=t("help.redirect")
    )
    p.add_argument("--partner-key-env", default="SYNCD_PARTNER_KEY", help=t("help.partner_key_env"))
    _sub(channel, "discover", "help.channel_discover", cmd_discover).add_argument("name")

    p = _sub(sub, "run", "help.run", cmd_run)
    p.add_argument("--once", action="store_true", help=t("help.once"))
    p.add_argument("--workers", type=int, default=4, help=t("help.workers"))
    p.add_argument("--push-every", type=float, default=2.0, help=t("help.push_every"))
    p.add_argument("--poll-every", type=float, default=30.0, help=t("help.poll_every"))
    p.add_argument("--log-format", choices=("json", "console"), help=t("help.log_format"))
    _sub(sub, "status", "help.status", cmd_status)
    p = _sub(sub, "logs", "help.logs", cmd_logs)
    p.add_argument("--level", choices=LEVELS, help=t("help.level"))
    p.add_argument("--channel", help=t("help.log_channel"))
    p.add_argument("--sku", help=t("help.log_sku"))
    p.add_argument("--since", help=t("help.since"))
    p.add_argument("--limit", type=int, default=100, help=t("help.limit"))
