"""``syncd user …``: the web app's users (see ``syncd.users``).

``add LOGIN (--role R | --operator)`` (a role with the ``--tenant`` seller, or a
cooperative operator), ``list [--all]``, ``passwd LOGIN``, ``remove LOGIN``, ``grant
LOGIN --role R`` and ``revoke LOGIN`` (with the ``--tenant`` seller), ``disable`` and
``enable``. A password is typed twice on a terminal (never echoed) or read as one line
with ``--password-stdin``; a weak one is refused before anything is stored.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from syncd.cli_base import Context, add_command, add_group, table
from syncd.errors import UserError
from syncd.i18n import t

__all__ = ["commands"]


def _password(args: argparse.Namespace, login: str, command: str) -> str:
    """The new password: one line of stdin, or typed twice on the terminal."""
    from syncd import users  # noqa: PLC0415 - argon2 and the store only for these commands

    if args.password_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    elif sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass(t("users.prompt_password", login=login))
        if getpass.getpass(t("users.prompt_again")) != password:
            raise UserError("users.password_mismatch")
    else:
        raise UserError("users.password_how", command=command, login=login)
    problem = users.min_password_problem(password, login)
    if problem is not None:
        raise UserError(problem, minimum=users.MIN_PASSWORD, maximum=users.MAX_PASSWORD)
    return password


def _access(memberships: list[Any], operator: bool) -> str:
    parts = [t("users.operator")] if operator else []
    parts += [
        t("users.access_role", role=t(f"users.role.{m.role}"), tenant=m.tenant)
        for m in memberships
    ]
    return "; ".join(parts)


def _state(user: Any) -> str:
    return t("users.state.disabled" if user.disabled else "users.state.active")


def cmd_user_add(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import users  # noqa: PLC0415

    login = users.check_login(args.login)
    if args.role is not None and args.role not in users.ROLES:
        raise UserError("users.bad_role", role=args.role, roles=", ".join(users.ROLES))
    tenant = ctx.tenant() if args.role else None
    if users.find_user(ctx.store, login) is not None:  # before asking for a password
        raise UserError("users.exists", login=login)
    password = _password(args, login, "add")
    user = users.add_user(
        ctx.store,
        login,
        password,
        operator=args.operator,
        tenant_id=tenant.id if tenant else None,
        role=args.role,
        actor=ctx.actor,
    )
    ctx.print(
        t(
            "users.added",
            login=user.login,
            access=_access(users.memberships(ctx.store, user.id), user.operator),
        )
    )
    return 0


def cmd_user_list(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import users  # noqa: PLC0415

    if args.all:
        rows = [
            [user.login, _access(roles, user.operator), _state(user)]
            for user, roles in users.list_users(ctx.store)
        ]
        heads = ["users.h.login", "users.h.access", "h.state"]
    else:
        rows = [
            [user.login, ", ".join(t(f"users.role.{m.role}") for m in roles), _state(user)]
            for user, roles in users.list_users(ctx.store, ctx.tenant().id)
        ]
        heads = ["users.h.login", "users.h.role", "h.state"]
    ctx.print(table([t(h) for h in heads], rows) if rows else t("users.none"))
    return 0


def cmd_user_passwd(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import users  # noqa: PLC0415

    user = users.find_user(ctx.store, args.login)
    if user is None:  # before asking for a password
        raise UserError("users.unknown", login=args.login.strip().lower())
    password = _password(args, user.login, "passwd")
    users.set_password(ctx.store, user.login, password, actor=ctx.actor)
    ctx.print(t("users.password_changed", login=user.login))
    return 0


def cmd_user_remove(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import users  # noqa: PLC0415

    login = args.login.strip().lower()
    users.remove_user(ctx.store, login, actor=ctx.actor)
    ctx.print(t("users.removed", login=login))
    return 0


def cmd_user_grant(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import users  # noqa: PLC0415

    tenant = ctx.tenant()
    login = args.login.strip().lower()
    users.grant(ctx.store, login, tenant.id, args.role, actor=ctx.actor)
    role = t(f"users.role.{args.role}")
    ctx.print(t("users.granted", login=login, role=role, tenant=tenant.name))
    return 0


def cmd_user_revoke(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import users  # noqa: PLC0415

    tenant = ctx.tenant()
    login = args.login.strip().lower()
    users.revoke(ctx.store, login, tenant.id, actor=ctx.actor)
    ctx.print(t("users.revoked", login=login, tenant=tenant.name))
    return 0


def _set_disabled(ctx: Context, args: argparse.Namespace, disabled: bool) -> int:
    from syncd import users  # noqa: PLC0415

    login = args.login.strip().lower()
    users.set_disabled(ctx.store, login, disabled, actor=ctx.actor)
    ctx.print(t("users.now_disabled" if disabled else "users.now_enabled", login=login))
    return 0


def cmd_user_disable(ctx: Context, args: argparse.Namespace) -> int:
    return _set_disabled(ctx, args, disabled=True)


def cmd_user_enable(ctx: Context, args: argparse.Namespace) -> int:
    return _set_disabled(ctx, args, disabled=False)


def _login_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("login", metavar="LOGIN", help=t("help.user_login"))


def commands(sub: Any, channel: Any) -> None:
    """Register ``syncd user …`` under ``sub``."""
    group = add_group(sub, "user", "help.user")
    p = add_command(group, "add", "help.user_add", cmd_user_add)
    _login_arg(p)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--role", metavar="ROLE", help=t("help.user_role"))
    who.add_argument("--operator", action="store_true", help=t("help.user_operator"))
    p.add_argument("--password-stdin", action="store_true", help=t("help.password_stdin"))
    p = add_command(group, "list", "help.user_list", cmd_user_list)
    p.add_argument("--all", action="store_true", help=t("help.user_all"))
    p = add_command(group, "passwd", "help.user_passwd", cmd_user_passwd)
    _login_arg(p)
    p.add_argument("--password-stdin", action="store_true", help=t("help.password_stdin"))
    p = add_command(group, "grant", "help.user_grant", cmd_user_grant)
    _login_arg(p)
    p.add_argument("--role", metavar="ROLE", required=True, help=t("help.user_role"))
    for name, key, handler in (
        ("revoke", "help.user_revoke", cmd_user_revoke),
        ("disable", "help.user_disable", cmd_user_disable),
        ("enable", "help.user_enable", cmd_user_enable),
        ("remove", "help.user_remove", cmd_user_remove),
    ):
        _login_arg(add_command(group, name, key, handler))
