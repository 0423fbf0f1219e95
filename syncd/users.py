"""Who may use the web app: users, their roles per tenant, sessions, login throttling.

* A **user** signs in with a login (3–60 characters ``a-z 0-9 . _ -``, unique whatever the
  case) and a password kept only as an argon2id hash (argon2-cffi's ``PasswordHasher``;
  re-hashed on the next sign-in when its parameters grow). A user has a **role** per tenant
  (``owner``, ``staff``, ``cashier``: ``membership``); an **operator** (the cooperative's
  admin) may serve every tenant.
* ``authenticate`` refuses an unknown login, a wrong password and a disabled user with the
  same message after the same work (an unknown login is verified against a dummy hash).
  Before verifying, it refuses a login with 5 failures in the last 15 minutes, or an
  address with 20, and says when to try again; failures are rows of ``login_failure``.
* A **session** is a random token given to the browser; only its SHA-256 is stored
  (``web_session``), so a copy of the database opens no session. Every sign-in makes a new
  token (a token planted before sign-in is never adopted). It ends after ``hours`` idle
  (sliding: written again at most every 5 minutes, so a page view is one SELECT) and at
  most 7 days after it began; when the user is disabled or removed, or loses the role in
  the tenant the session serves, ``find_session`` no longer finds it.
* Every change to a user is kept in the change log (``what="user"``, subject the login)
  of each tenant it concerns: the tenants of its roles, every tenant for an operator.

Writes happen in ``store.write()`` transactions of their own: call these functions
outside one. Passwords are never logged, stored, or kept in a repr.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from syncd.audit import record_change
from syncd.errors import NotFound, UserError
from syncd.store import Store

__all__ = [
    "ROLES",
    "Membership",
    "Session",
    "User",
    "add_user",
    "authenticate",
    "check_login",
    "close_session",
    "find_session",
    "find_user",
    "get_user",
    "grant",
    "list_users",
    "memberships",
    "min_password_problem",
    "open_session",
    "prune_sessions",
    "remove_user",
    "revoke",
    "set_disabled",
    "set_password",
    "set_user_lang",
    "switch_tenant",
]

ROLES: Final = ("owner", "staff", "cashier")

#: at most 60, so "web:<login>" fits the 64 characters a movement's actor may have
LOGIN_RE: Final = re.compile(r"[a-z0-9._-]{3,60}")
MIN_PASSWORD: Final = 10
MAX_PASSWORD: Final = 1024  # argon2 takes any length; a megabyte "password" is an attack

THROTTLE_WINDOW: Final = dt.timedelta(minutes=15)
LOGIN_FAILURES: Final = 5  # per login in the window
ADDRESS_FAILURES: Final = 20  # per address in the window
FAILURES_KEPT: Final = dt.timedelta(days=1)

SESSION_CAP: Final = dt.timedelta(days=7)  # from the sign-in, however active
REFRESH_EVERY: Final = dt.timedelta(minutes=5)  # the sliding expiry is written at most this often

_HASHER: Final = PasswordHasher()  # argon2id, RFC 9106's low-memory profile


@dataclass(frozen=True, slots=True)
class User:
    """Someone who signs in to the web app (never holds the password or its hash)."""

    id: int
    login: str
    operator: bool
    lang: str
    disabled: bool


@dataclass(frozen=True, slots=True)
class Membership:
    """A user's role in one tenant (``tenant``: its name)."""

    tenant_id: int
    tenant: str
    role: str


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser: whom it is, which tenant it serves and the user's role there
    (``None`` for an operator without a role in it, or when no tenant is chosen)."""

    user: User
    tenant_id: int | None
    csrf: str = field(repr=False)
    expires_at: str
    token_hash: str = field(repr=False)
    role: str | None


# -- time -----------------------------------------------------------------------


def _moment(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    """As the other tables keep time (so that text order is time order)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# -- users ----------------------------------------------------------------------


def _login(text: str) -> str:
    return text.strip().lower()


def check_login(text: str) -> str:
    """The login as stored (lower case), or ``users.bad_login`` when it cannot be one."""
    login = _login(text)
    if not LOGIN_RE.fullmatch(login):
        raise UserError("users.bad_login", login=text.strip()[:80])
    return login


def min_password_problem(password: str, login: str = "") -> str | None:
    """The catalogue key saying why ``password`` is too weak, or None when it will do."""
    if len(password) < MIN_PASSWORD:
        return "users.password_short"
    if len(password) > MAX_PASSWORD:
        return "users.password_long"
    if password.isdigit():
        return "users.password_digits"
    if login and password.strip().lower() == _login(login):
        return "users.password_login"
    return None


def _hash(password: str, login: str) -> str:
    problem = min_password_problem(password, login)
    if problem is not None:
        raise UserError(problem, minimum=MIN_PASSWORD, maximum=MAX_PASSWORD)
    return _HASHER.hash(password)


def _user(row: Any) -> User:
    return User(
        row["id"], row["login"], bool(row["operator"]), row["lang"], row["disabled_at"] is not None
    )


_USER_COLUMNS: Final = "id, login, operator, lang, disabled_at"


def get_user(store: Store, user_id: int) -> User | None:
    """The user with this id, or None."""
    row = store.one(f"SELECT {_USER_COLUMNS} FROM web_user WHERE id = ?", (user_id,))
    return None if row is None else _user(row)


def find_user(store: Store, login: str) -> User | None:
    """The user with this login (any case), or None."""
    row = store.one(f"SELECT {_USER_COLUMNS} FROM web_user WHERE login = ?", (_login(login),))
    return None if row is None else _user(row)


def _known(store: Store, login: str) -> User:
    user = find_user(store, login)
    if user is None:
        raise NotFound("users.unknown", login=_login(login))
    return user


def memberships(store: Store, user_id: int) -> list[Membership]:
    """The user's roles, by tenant name."""
    return [
        Membership(r["tenant_id"], r["name"], r["role"])
        for r in store.all(
            "SELECT m.tenant_id, t.name, m.role FROM membership m "
            "JOIN tenant t ON t.id = m.tenant_id WHERE m.user_id = ? ORDER BY t.name",
            (user_id,),
        )
    ]


def list_users(
    store: Store, tenant_id: int | None = None
) -> list[tuple[User, list[Membership]]]:
    """Users by login with their roles: every user and all their roles (``tenant_id``
    None), or the users with a role in that tenant and only that role (a tenant's list
    says nothing of other tenants; operators without a role there are not in it)."""
    sql = (
        "SELECT m.user_id, m.tenant_id, t.name, m.role FROM membership m "
        "JOIN tenant t ON t.id = m.tenant_id"
    )
    params: tuple[object, ...] = ()
    if tenant_id is not None:
        sql += " WHERE m.tenant_id = ?"
        params = (tenant_id,)
    roles: dict[int, list[Membership]] = {}
    for r in store.all(sql + " ORDER BY t.name", params):
        roles.setdefault(r["user_id"], []).append(Membership(r["tenant_id"], r["name"], r["role"]))
    rows = store.all(f"SELECT {_USER_COLUMNS} FROM web_user ORDER BY login")
    return [
        (_user(r), roles.get(r["id"], []))
        for r in rows
        if tenant_id is None or r["id"] in roles
    ]


def _role(role: str) -> str:
    if role not in ROLES:
        raise UserError("users.bad_role", role=role, roles=", ".join(ROLES))
    return role


def _tenant_name(store: Store, tenant_id: int) -> str:
    name = store.scalar("SELECT name FROM tenant WHERE id = ?", (tenant_id,))
    if name is None:
        raise NotFound("users.no_tenant", tenant_id=tenant_id)
    return str(name)


def _standing(store: Store, user_id: int) -> dict[int, str]:
    """What the user may do in each tenant it reaches (for the change log)."""
    row = store.one("SELECT operator, disabled_at FROM web_user WHERE id = ?", (user_id,))
    if row is None:
        return {}
    roles = {
        r["tenant_id"]: r["role"]
        for r in store.all("SELECT tenant_id, role FROM membership WHERE user_id = ?", (user_id,))
    }
    if row["operator"]:
        everyone = [r[0] for r in store.conn.execute("SELECT id FROM tenant")]
        roles = {tid: ", ".join(filter(None, ("operator", roles.get(tid)))) for tid in everyone}
    suffix = " (disabled)" if row["disabled_at"] else ""
    return {tid: text + suffix for tid, text in roles.items()}


def _log(
    store: Store, actor: str, login: str, before: dict[int, str], after: dict[int, str]
) -> None:
    for tenant_id in sorted(before.keys() | after.keys()):
        record_change(
            store,
            tenant_id,
            actor=actor,
            what="user",
            subject=login,
            old=before.get(tenant_id),
            new=after.get(tenant_id),
        )


def _end_sessions(store: Store, user_id: int) -> int:
    return store.conn.execute("DELETE FROM web_session WHERE user_id = ?", (user_id,)).rowcount


def add_user(
    store: Store,
    login: str,
    password: str,
    *,
    operator: bool = False,
    tenant_id: int | None = None,
    role: str | None = None,
    actor: str,
) -> User:
    """A new user: an operator, or one with ``role`` in ``tenant_id`` (or both)."""
    name = check_login(login)
    if (tenant_id is None) != (role is None) or (tenant_id is None and not operator):
        raise UserError("users.no_role", login=name)
    if role is not None:
        _role(role)
    hashed = _hash(password, name)  # slow on purpose: outside the write lock
    with store.write():
        if tenant_id is not None:
            _tenant_name(store, tenant_id)
        if store.scalar("SELECT 1 FROM web_user WHERE login = ?", (name,)):
            raise UserError("users.exists", login=name)
        user_id = int(
            store.conn.execute(
                "INSERT INTO web_user (login, password_hash, operator, created_at) "
                "VALUES (?, ?, ?, ?)",
                (name, hashed, int(operator), _iso(_moment(None))),
            ).lastrowid
            or 0
        )
        if tenant_id is not None:
            store.conn.execute(
                "INSERT INTO membership (user_id, tenant_id, role) VALUES (?, ?, ?)",
                (user_id, tenant_id, role),
            )
        _log(store, actor, name, {}, _standing(store, user_id))
    return User(user_id, name, operator, "id", disabled=False)


def set_password(store: Store, login: str, password: str, *, actor: str) -> None:
    """Change the user's password and end all their sessions."""
    user = _known(store, login)
    hashed = _hash(password, user.login)
    with store.write():
        done = store.conn.execute(
            "UPDATE web_user SET password_hash = ? WHERE id = ?", (hashed, user.id)
        ).rowcount
        if not done:  # removed meanwhile
            raise NotFound("users.unknown", login=user.login)
        _end_sessions(store, user.id)
        for tenant_id in sorted(_standing(store, user.id)):
            record_change(
                store,
                tenant_id,
                actor=actor,
                what="user",
                subject=user.login,
                old="password",
                new="new password",
            )


def remove_user(store: Store, login: str, *, actor: str) -> None:
    """Delete the user, their roles and their sessions."""
    with store.write():
        user = _known(store, login)
        before = _standing(store, user.id)
        _end_sessions(store, user.id)
        store.conn.execute("DELETE FROM membership WHERE user_id = ?", (user.id,))
        store.conn.execute("DELETE FROM web_user WHERE id = ?", (user.id,))
        _log(store, actor, user.login, before, {})


def set_disabled(store: Store, login: str, disabled: bool, *, actor: str) -> None:
    """Stop (or allow again) the user signing in; disabling ends their sessions."""
    with store.write():
        user = _known(store, login)
        before = _standing(store, user.id)
        store.conn.execute(
            "UPDATE web_user SET disabled_at = ? WHERE id = ?",
            (_iso(_moment(None)) if disabled else None, user.id),
        )
        if disabled:
            _end_sessions(store, user.id)
        _log(store, actor, user.login, before, _standing(store, user.id))


def set_user_lang(store: Store, user_id: int, lang: str) -> None:
    """The language the user reads the web app in (``id`` or ``en``)."""
    if lang not in ("id", "en"):
        raise ValueError(f"unknown language {lang!r}")
    with store.write():
        store.conn.execute("UPDATE web_user SET lang = ? WHERE id = ?", (lang, user_id))


def grant(store: Store, login: str, tenant_id: int, role: str, *, actor: str) -> None:
    """Give the user ``role`` in the tenant (or change the role they have there)."""
    _role(role)
    with store.write():
        user = _known(store, login)
        _tenant_name(store, tenant_id)
        before = _standing(store, user.id)
        store.conn.execute(
            "INSERT INTO membership (user_id, tenant_id, role) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = excluded.role",
            (user.id, tenant_id, role),
        )
        _log(store, actor, user.login, before, _standing(store, user.id))


def revoke(store: Store, login: str, tenant_id: int, *, actor: str) -> None:
    """Take away the user's role in the tenant (their sessions there end with it)."""
    with store.write():
        user = _known(store, login)
        tenant = _tenant_name(store, tenant_id)
        before = _standing(store, user.id)
        gone = store.conn.execute(
            "DELETE FROM membership WHERE user_id = ? AND tenant_id = ?", (user.id, tenant_id)
        ).rowcount
        if not gone:
            raise UserError("users.not_member", login=user.login, tenant=tenant)
        if not user.operator:  # ended, not just refused: a later grant does not revive them
            store.conn.execute(
                "DELETE FROM web_session WHERE user_id = ? AND tenant_id = ?", (user.id, tenant_id)
            )
        _log(store, actor, user.login, before, _standing(store, user.id))


# -- signing in -------------------------------------------------------------------


@functools.cache
def _dummy() -> str:
    """A hash to verify against when the login is unknown (made once, as real ones are)."""
    return _HASHER.hash(secrets.token_urlsafe(24))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _wait(store: Store, column: str, value: str, limit: int, now: dt.datetime) -> int:
    """Minutes until ``value`` (a login or an address) may try again; 0: it may now."""
    since = _iso(now - THROTTLE_WINDOW)
    count = store.scalar(
        f"SELECT COUNT(*) FROM login_failure WHERE {column} = ? AND at > ?", (value, since)
    )
    if count < limit:
        return 0
    # the failure whose ageing out brings the count below the limit
    pivot = store.scalar(
        f"SELECT at FROM login_failure WHERE {column} = ? AND at > ? ORDER BY at LIMIT 1 OFFSET ?",
        (value, since, count - limit),
    )
    seconds = (_parse(pivot) + THROTTLE_WINDOW - now).total_seconds()
    return max(1, math.ceil(seconds / 60))


def authenticate(
    store: Store, login: str, password: str, *, address: str, at: dt.datetime | None = None
) -> User:
    """The user whose login and password these are; else ``users.login_refused`` (unknown,
    wrong or disabled alike) or ``users.throttled`` (too many recent failures)."""
    now = _moment(at)
    name = _login(login)[:64]
    where = (address or "?")[:100]
    minutes = max(
        _wait(store, "login", name, LOGIN_FAILURES, now),
        _wait(store, "address", where, ADDRESS_FAILURES, now),
    )
    if minutes:
        raise UserError("users.throttled", minutes=minutes)
    dummy = _dummy()  # made on the first attempt of any kind: the first unknown login is no slower
    row = store.one(
        f"SELECT {_USER_COLUMNS}, password_hash FROM web_user WHERE login = ?", (name,)
    )
    good = _verify(row["password_hash"] if row else dummy, password)
    if row is None or not good or row["disabled_at"] is not None:
        with store.write():
            store.conn.execute(
                "INSERT INTO login_failure (login, address, at) VALUES (?, ?, ?)",
                (name, where, _iso(now)),
            )
        raise UserError("users.login_refused")
    rehashed = _HASHER.hash(password) if _HASHER.check_needs_rehash(row["password_hash"]) else None
    if rehashed or store.scalar("SELECT 1 FROM login_failure WHERE login = ? LIMIT 1", (name,)):
        with store.write():
            store.conn.execute("DELETE FROM login_failure WHERE login = ?", (name,))
            if rehashed:
                store.conn.execute(
                    "UPDATE web_user SET password_hash = ? WHERE id = ? AND password_hash = ?",
                    (rehashed, row["id"], row["password_hash"]),
                )
    return _user(row)


# -- sessions -------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _access(store: Store, user_id: int, tenant_id: int | None) -> tuple[User, str | None]:
    """The user (enabled) and their role in ``tenant_id``; UserError when they may not.

    A tenant that does not exist and one the user has no role in are refused alike,
    naming neither: a member learns nothing of other tenants by trying their ids."""
    row = store.one(f"SELECT {_USER_COLUMNS} FROM web_user WHERE id = ?", (user_id,))
    if row is None or row["disabled_at"] is not None:
        raise UserError("users.login_refused")
    user = _user(row)
    if tenant_id is None:
        return user, None
    found = store.one(
        "SELECT t.id, m.role FROM tenant t LEFT JOIN membership m "
        "ON m.tenant_id = t.id AND m.user_id = ? WHERE t.id = ?",
        (user_id, tenant_id),
    )
    if found is None or (found["role"] is None and not user.operator):
        raise UserError("users.no_access")
    return user, found["role"]


def open_session(
    store: Store,
    user: User,
    tenant_id: int | None,
    *,
    hours: int,
    at: dt.datetime | None = None,
) -> tuple[str, Session]:
    """A new session for ``user`` serving ``tenant_id`` (one of theirs; any for an
    operator): the token for the browser, and the session."""
    if hours <= 0:
        raise ValueError("a session lasts at least one hour")
    now = _moment(at)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = _iso(min(now + dt.timedelta(hours=hours), now + SESSION_CAP))
    hashed = _token_hash(token)
    with store.write():
        fresh, role = _access(store, user.id, tenant_id)
        store.conn.execute(
            "INSERT INTO web_session (token_hash, user_id, tenant_id, csrf, created_at, "
            "seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (hashed, user.id, tenant_id, csrf, _iso(now), _iso(now), expires),
        )
    return token, Session(fresh, tenant_id, csrf, expires, hashed, role)


_SESSION_SQL: Final = (
    "SELECT s.tenant_id, s.csrf, s.created_at, s.seen_at, s.expires_at, s.user_id AS id, "
    "u.login, u.operator, u.lang, u.disabled_at, m.role, "
    "(s.tenant_id IS NULL OR t.id IS NOT NULL) AS tenant_exists "
    "FROM web_session s JOIN web_user u ON u.id = s.user_id "
    "LEFT JOIN membership m ON m.user_id = s.user_id AND m.tenant_id = s.tenant_id "
    "LEFT JOIN tenant t ON t.id = s.tenant_id "
    "WHERE s.token_hash = ?"
)


def _live(store: Store, hashed: str, now: dt.datetime) -> Any:
    """The session's row when it still counts (one SELECT), else None."""
    row = store.one(_SESSION_SQL, (hashed,))
    if row is None or row["disabled_at"] is not None or not row["tenant_exists"]:
        return None
    if now >= _parse(row["expires_at"]) or now >= _parse(row["created_at"]) + SESSION_CAP:
        return None
    if row["tenant_id"] is not None and row["role"] is None and not row["operator"]:
        return None  # the role in that tenant was taken away
    return row


def _session(row: Any, hashed: str, expires_at: str) -> Session:
    return Session(_user(row), row["tenant_id"], row["csrf"], expires_at, hashed, row["role"])


def find_session(
    store: Store, token: str, *, hours: int, at: dt.datetime | None = None
) -> Session | None:
    """The session this token opens, or None (unknown, expired, the user disabled or
    removed, the role gone). Slides the idle expiry, writing at most every 5 minutes."""
    if not token or len(token) > 200:
        return None
    now = _moment(at)
    hashed = _token_hash(token)
    row = _live(store, hashed, now)
    if row is None:
        return None
    expires = row["expires_at"]
    if now - _parse(row["seen_at"]) >= REFRESH_EVERY:
        cap = _parse(row["created_at"]) + SESSION_CAP
        expires = _iso(min(now + dt.timedelta(hours=hours), cap))
        with store.write():
            store.conn.execute(
                "UPDATE web_session SET seen_at = ?, expires_at = ? "
                "WHERE token_hash = ? AND seen_at = ?",
                (_iso(now), expires, hashed, row["seen_at"]),
            )
    return _session(row, hashed, expires)


def switch_tenant(
    store: Store, token: str, tenant_id: int, *, at: dt.datetime | None = None
) -> Session:
    """Make the session serve another tenant (one of the user's; any for an operator)."""
    now = _moment(at)
    hashed = _token_hash(token)
    with store.write():
        row = _live(store, hashed, now)
        if row is None:
            raise UserError("users.session_gone")
        user, role = _access(store, row["id"], tenant_id)
        store.conn.execute(
            "UPDATE web_session SET tenant_id = ? WHERE token_hash = ?", (tenant_id, hashed)
        )
    return Session(user, tenant_id, row["csrf"], row["expires_at"], hashed, role)


def close_session(store: Store, token: str) -> None:
    """End the session (signing out); an unknown token is no error."""
    with store.write():
        store.conn.execute("DELETE FROM web_session WHERE token_hash = ?", (_token_hash(token),))


def prune_sessions(store: Store, *, at: dt.datetime | None = None) -> int:
    """Delete sessions that have expired and login failures older than a day; return how
    many rows went (both together)."""
    now = _moment(at)
    with store.write():
        sessions = store.conn.execute(
            "DELETE FROM web_session WHERE expires_at <= ? OR created_at <= ?",
            (_iso(now), _iso(now - SESSION_CAP)),
        ).rowcount
        failures = store.conn.execute(
            "DELETE FROM login_failure WHERE at < ?", (_iso(now - FAILURES_KEPT),)
        ).rowcount
    return int(sessions) + int(failures)
