"""Commands: backup and restore. Registered by ``syncd.cli.build_parser``.

``syncd backup DEST [--no-key]`` and ``syncd restore SRC [--yes]``; what they do and
why they are safe while the daemon writes is in ``syncd.backup``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from syncd.cli_base import Context, add_command
from syncd.i18n import t

__all__ = ["commands"]


def _db_path(ctx: Context) -> Path:
    """The database the flags, environment and config name (never opened here)."""
    from syncd.config import config_path, database_path  # noqa: PLC0415

    return database_path(ctx.args.db, ctx.settings, config_path(ctx.args.config))


def _size(n: int) -> str:
    """``812 B``, ``48.0 KB``, ``3.2 MB``."""
    if n < 1024:
        return f"{n} B"
    value = n / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def cmd_backup(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.backup import backup  # noqa: PLC0415

    report = backup(
        _db_path(ctx),
        Path(args.dest),
        configured_key=ctx.settings.master_key,
        copy_key=not args.no_key,
    )
    ctx.print(
        t(
            "backup.done",
            path=str(report.path),
            movements=report.summary.movements,
            channels=report.summary.channels,
            size=_size(report.size),
        )
    )
    if report.key_unreadable:
        print(t("backup.key_unreadable", where=report.key_where), file=sys.stderr)
        return 1  # the copy alone cannot open the shops' secrets: not a whole backup
    if report.key_copy is not None:
        ctx.print(t("backup.key_copied", path=str(report.key_copy)))
    elif report.key_where is not None:
        ctx.print(t("backup.key_not_copied", where=report.key_where))
    else:
        ctx.print(t("backup.no_key"))
    return 0


def cmd_restore(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.backup import restore  # noqa: PLC0415

    report = restore(
        Path(args.src),
        _db_path(ctx),
        configured_key=ctx.settings.master_key,
        replace=args.yes,
    )
    if report.kept is not None:
        ctx.print(t("restore.kept_old", path=str(report.kept)))
    ctx.print(
        t(
            "restore.done",
            path=str(report.path),
            src=str(report.source),
            movements=report.summary.movements,
            channels=report.summary.channels,
        )
    )
    if report.key_restored is not None:
        ctx.print(t("restore.key_restored", path=str(report.key_restored)))
    elif report.key_same is not None:
        ctx.print(t("restore.key_same", where=report.key_same))
    elif report.key_missing is not None:
        print(t("restore.no_key", key=str(report.key_missing)), file=sys.stderr)
    return 0


def commands(sub: Any, channel: Any) -> None:
    """Add this module's commands (``sub``: top level; ``channel``: under ``syncd channel``)."""

    p = add_command(sub, "backup", "backup.help", cmd_backup)
    p.add_argument("dest", metavar="DEST", help=t("backup.help.dest"))
    p.add_argument("--no-key", action="store_true", help=t("backup.help.no_key"))
    p = add_command(sub, "restore", "restore.help", cmd_restore)
    p.add_argument("src", metavar="SRC", help=t("restore.help.src"))
    p.add_argument("--yes", "--force", action="store_true", help=t("restore.help.yes"))
