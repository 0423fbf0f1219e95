"""Commands: ops (``syncd key new PATH``, ``syncd key where``, ``syncd secrets rotate``).
Registered by ``syncd.cli.build_parser``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from syncd.cli_base import Context, add_command, add_group, open_vault
from syncd.errors import UserError
from syncd.i18n import t

__all__ = ["commands"]


def cmd_key_new(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.credentials import new_key_file  # noqa: PLC0415

    path = Path(args.path)
    try:
        new_key_file(path)
    except FileExistsError:
        raise UserError("masterkey.exists", path=str(path)) from None
    ctx.print(t("masterkey.created", path=str(path)))
    return 0


def cmd_key_where(ctx: Context, _args: argparse.Namespace) -> int:
    from syncd.credentials import key_source, load_key  # noqa: PLC0415

    db = ctx.store.path
    source = key_source(db, ctx.settings.master_key)
    if source.path is None:
        where = t("masterkey.where_env")
    elif source.path.exists():
        where = source.where
    else:
        where = t("masterkey.where_missing", path=source.where)
    if source.path is None or source.path.exists():
        load_key(db, ctx.settings.master_key, create=False)  # readable, valid, and agreeing
    ctx.print(t("masterkey.where", db=str(db), where=where))
    return 0


def cmd_secrets_rotate(ctx: Context, args: argparse.Namespace) -> int:
    """Replace one tenant's data key; every secret of that tenant is re-sealed under it."""
    from syncd.catalog import resolve_tenant  # noqa: PLC0415
    from syncd.credentials import rotate  # noqa: PLC0415

    tenant = resolve_tenant(ctx.store, args.rotate_tenant) if args.rotate_tenant else ctx.tenant()
    done = rotate(ctx.store, open_vault(ctx), tenant.id)
    ctx.print(
        t("secrets.rotated", tenant=tenant.name, generation=done.generation, count=done.resealed)
    )
    return 0


def commands(sub: Any, channel: Any) -> None:
    """Add this module's commands (``sub``: top level; ``channel``: under ``syncd channel``)."""

    key = add_group(sub, "key", "help.masterkey")
    add_command(key, "new", "help.masterkey_new", cmd_key_new).add_argument(
        "path", help=t("help.masterkey_path")
    )
    add_command(key, "where", "help.masterkey_where", cmd_key_where)
    box = add_group(sub, "secrets", "help.secrets")
    add_command(box, "rotate", "help.secrets_rotate", cmd_secrets_rotate).add_argument(
        "--tenant", dest="rotate_tenant", metavar="NAME", help=t("help.secrets_tenant")
    )
