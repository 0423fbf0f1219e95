"""What every ``syncd`` command module shares: the command context, tables, and the
helpers that register commands.

``syncd.cli`` builds the parser from the command modules (``cli_channels``,
``cli_sync``, ``cli_ops``, ``cli_backup``, ``cli_tryout``); they all build on this
module and none imports ``syncd.cli``. Only the standard library and the catalogue
are imported at start-up: a cash sale stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncd.i18n import t

__all__ = [
    "Context",
    "Handler",
    "add_command",
    "add_group",
    "open_vault",
    "parse_since",
    "policy_command",
    "reading_shop",
    "table",
]

Handler = Callable[["Context", argparse.Namespace], int]


@dataclass
class Context:
    """What every command needs: settings, and the store opened on first use.

    ``store`` opens an existing database only: a command pointed at a missing or
    wrong file says so and creates nothing. ``syncd init`` alone calls
    ``open_store(create=True)``.
    """

    args: argparse.Namespace
    out: Any = field(default_factory=lambda: sys.stdout)
    _store: Any = None
    _settings: Any = None
    #: the database path once resolved (named by error messages even if opening failed)
    db_path: Path | None = None
    _held: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def settings(self) -> Any:
        if self._settings is None:
            from syncd.config import config_path, load_settings  # noqa: PLC0415

            self._settings = load_settings(config_path(self.args.config))
        return self._settings

    @property
    def store(self) -> Any:
        if self._store is None:
            self.open_store(create=False)
        return self._store

    def open_store(self, *, create: bool) -> Any:
        """Open the database the flags, environment and config name (see config.py)."""
        from syncd.config import config_path, database_path  # noqa: PLC0415
        from syncd.store import Store  # noqa: PLC0415

        self.db_path = database_path(self.args.db, self.settings, config_path(self.args.config))
        self._store = Store(self.db_path, create=create)
        return self._store

    def hold(self, resource: contextlib.AbstractContextManager[Any]) -> Any:
        """Keep ``resource`` (e.g. the run lock) entered until the command has finished."""
        return self._held.enter_context(resource)

    def tenant(self) -> Any:
        from syncd.catalog import resolve_tenant  # noqa: PLC0415

        return resolve_tenant(self.store, self.args.tenant or self.settings.tenant)

    @property
    def actor(self) -> str:
        return str(self.args.actor or self.settings.actor or _user())

    def print(self, *lines: str) -> None:
        for line in lines:
            print(line, file=self.out)

    def close(self, *, wait: bool = True) -> None:
        """Close the store (``wait=False`` after Ctrl-C: see Store.close)."""
        if self._store is not None:
            store, self._store = self._store, None
            store.close(wait=wait)

    def release(self) -> None:
        """Let go of everything ``hold`` kept."""
        self._held.close()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned text table (numbers right-aligned)."""
    if not rows:
        return t("empty")
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [all(isinstance(r[i], int) for r in rows) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(row, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(cells[0]), rule, *(fmt(r) for r in cells[1:])])


def parse_since(value: str, now: dt.datetime | None = None) -> str:
    """What the seller typed (a time in their zone, or 30m/2h/1d back) → ISO UTC text."""
    from syncd import localtime  # noqa: PLC0415

    return localtime.parse(value, now)


def open_vault(ctx: Context) -> Any:
    """The vault of this database's sealed secrets (the master key as configured)."""
    from syncd.credentials import Vault, load_key  # noqa: PLC0415

    return Vault(load_key(ctx.store.path, ctx.settings.master_key))


def add_command(parent: Any, name: str, help_key: str, handler: Handler) -> argparse.ArgumentParser:
    """A command under ``parent`` whose help is the catalogue text ``help_key``."""
    p: argparse.ArgumentParser = parent.add_parser(name, help=t(help_key), description=t(help_key))
    p.set_defaults(handler=handler)
    return p


def add_group(parent: Any, name: str, help_key: str) -> Any:
    """A command group (``syncd channel …``) under ``parent``; returns its subparsers."""
    p = parent.add_parser(name, help=t(help_key), description=t(help_key))
    return p.add_subparsers(
        dest=f"{name}_cmd", required=True, metavar=t("argparse.command_metavar")
    )


@contextlib.contextmanager
def reading_shop(ctx: Context, rt: Any) -> Iterator[None]:
    """A command's calls to one shop (``rt``: its ``sync.AccountRuntime``): a shop down,
    refusing or asking for authorization again is one catalogue line naming the channel
    (a refused authorization also pauses it), and the adapter's client is closed."""
    from syncd import sync  # noqa: PLC0415 - the engine only for commands that call a shop
    from syncd.errors import AdapterError, NeedsReauth, Retryable, UserError  # noqa: PLC0415

    name = rt.account.name
    try:
        yield
    except Retryable as exc:  # down, slow, or the wrong address
        raise UserError("connect.unreachable", name=name, error=exc.code or exc) from None
    except NeedsReauth as exc:
        sync.pause(ctx.store, rt, exc)
        raise UserError("discover.needs_reauth", name=name, error=exc) from None
    except AdapterError as exc:
        raise UserError("discover.refused", name=name, error=exc) from None
    finally:
        if rt.adapter is not None:
            rt.adapter.close()


def policy_command(ctx: Context, value: str | None, column: str, words: str) -> int:
    """``syncd return policy`` / ``drift policy``: show the tenant's policy, or set it
    first (``words``: the catalogue prefix, ``return`` or ``drift``)."""
    from syncd.catalog import TENANT_POLICIES, set_tenant_policy, tenant_policy  # noqa: PLC0415
    from syncd.errors import UserError  # noqa: PLC0415

    tenant = ctx.tenant()
    if value is not None:
        if value not in TENANT_POLICIES[column][1]:
            raise UserError(f"{words}.bad_policy", value=value)
        set_tenant_policy(ctx.store, tenant.id, column, value, actor=ctx.actor)
    now = tenant_policy(ctx.store, tenant.id, column)
    ctx.print(t(f"{words}.policy_is", policy=now, meaning=t(f"{words}.policy.{now}")))
    return 0
