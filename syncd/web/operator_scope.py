"""The operator's cooperative-wide scope: every member, as the cooperative's admin sees them.

An ``OperatorScope`` is built by ``syncd.web.core`` (``Req.operator``) only for a session
whose user is an operator (anyone else gets a 403 there); it refuses anyone else itself
too. It reads across tenants
(that is the operator's job) but never what is secret: no token, key, password hash or
notification address is selected, and every text that came from a marketplace or an
error (job errors, event messages, push answers) passes through the secret scrubber
(``syncd.log.clean``) again before it reaches a page, after the channels' sealed secrets
have been registered with it (``arm``).

Ids a request names (a tenant, a user's login, a parked push's seq) are resolved here:
one that does not exist is ``NotFound``, the generic 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from syncd import audit, catalog, credentials, events, health, outbox, reconcile, users
from syncd.catalog import Tenant
from syncd.errors import NotFound, UserError
from syncd.log import clean
from syncd.models import LOG_LEVELS
from syncd.store import Store

__all__ = [
    "URGENCY",
    "ChainRow",
    "ChannelRow",
    "LogRow",
    "Member",
    "OperatorScope",
    "age_text",
    "key_vault",
]

#: the order channels are listed in: what needs the operator first
URGENCY: Final = (
    "failing",
    "needs_reauth",
    "cannot_decrypt",
    "unsupported",
    "not_connected",
    "not_reviewed",
    "paused",
    "ok",
)
#: (database, channel id) → the credential generation already registered with the scrubber
_ARMED: dict[tuple[str, int], int] = {}

# values the daemon means to push (its push_due query; the same as /metrics' backlog)
_ACTIVE: Final = (
    "o.status IN ('pending', 'failed') AND (o.field = 'stock' OR c.price_sync = 'push')"
)
_CHANNELS_SQL: Final = f"""
SELECT c.id, c.tenant_id, t.name AS tenant, c.name, c.marketplace,
  (SELECT COUNT(*) FROM outbox o WHERE o.channel_account_id = c.id AND {_ACTIVE}) AS backlog,
  (SELECT MIN(o.updated_at) FROM outbox o WHERE o.channel_account_id = c.id AND {_ACTIVE})
     AS oldest,
  (SELECT COUNT(*) FROM outbox o WHERE o.channel_account_id = c.id AND o.status = 'parked')
     AS parked,
  (SELECT MAX(j.last_ok) FROM job_run j WHERE j.channel_account_id = c.id) AS last_ok,
  (SELECT group_concat(j.job || ': ' || j.last_error, ' | ') FROM job_run j
     WHERE j.channel_account_id = c.id AND j.failures > 0 AND j.last_error != '') AS last_error
FROM channel_account c JOIN tenant t ON t.id = c.tenant_id
WHERE c.removed_at IS NULL AND c.marketplace != 'manual'
"""


def key_vault(store: Store, master_key: Any = None) -> credentials.Vault | UserError:
    """The vault by the key rule every command follows (never making a key), or why there
    is none: channels with sealed secrets then show ``cannot_decrypt``."""
    try:
        return credentials.Vault(credentials.load_key(store.path, master_key, create=False))
    except UserError as exc:
        return exc


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def age_text(value: str | None, now: dt.datetime | None = None) -> str:
    """How long ago a stored UTC time was, in the seller's words (``12 mnt``), or ``-``."""
    from syncd.i18n import t  # noqa: PLC0415

    if not value:
        return "-"
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return "-"
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    seconds = max(0, int(((now or _now()) - when).total_seconds()))
    if seconds < 60:
        return t("web.op.age.seconds", n=seconds)
    if seconds < 3600:
        return t("web.op.age.minutes", n=seconds // 60)
    if seconds < 2 * 86400:
        return t("web.op.age.hours", n=seconds // 3600)
    return t("web.op.age.days", n=seconds // 86400)


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """One member's channel on the overview."""

    id: int
    tenant_id: int
    tenant: str
    name: str
    marketplace: str
    state: str
    detail: str
    since: str
    backlog: int
    oldest: str | None
    parked: int
    last_ok: str | None
    last_error: str


@dataclass(frozen=True, slots=True)
class LogRow:
    """One event of the sync log."""

    id: int
    at: str
    tenant_id: int | None
    tenant: str
    level: str
    kind: str
    channel: str
    sku: str
    text: str
    correlation_id: str


@dataclass(frozen=True, slots=True)
class ChainRow:
    """One step of an order → movement → push → answer chain, with its member."""

    tenant_id: int
    tenant: str
    link: audit.Link
    text: str


@dataclass(frozen=True, slots=True)
class Member:
    """A member (tenant) and its users with their role there."""

    tenant: Tenant
    users: list[tuple[users.User, str]] = field(default_factory=list)


class OperatorScope:
    """Every member, as the cooperative's operator sees them."""

    def __init__(self, store: Store, user: Any) -> None:
        if not getattr(user, "operator", False):  # Req.operator refuses first (a 403)
            raise UserError("web.forbidden")
        self.store = store
        self.user = user

    def __repr__(self) -> str:
        return f"OperatorScope(user={getattr(self.user, 'login', '?')})"

    # -- the secret scrubber ----------------------------------------------------------

    def arm(self, vault: credentials.Vault | UserError) -> None:
        """Register every channel's sealed secrets with the scrubber (once per generation)
        so that a token a marketplace echoed into an error is masked on every page."""
        if isinstance(vault, UserError):
            return
        where = str(self.store.path)
        for r in self.store.all("SELECT tenant_id, channel_account_id, generation FROM credential"):
            key = (where, int(r["channel_account_id"]))
            if _ARMED.get(key) == r["generation"]:
                continue
            try:  # load() registers what it opens
                credentials.load(self.store, vault, r["tenant_id"], r["channel_account_id"])
            except UserError:
                continue
            _ARMED[key] = int(r["generation"])

    # -- ids a request names -------------------------------------------------------------

    def tenants(self) -> list[Tenant]:
        return catalog.list_tenants(self.store)

    def tenant(self, value: str | int) -> Tenant:
        """The member with this id (the text of a form field or query); else NotFound."""
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise NotFound("web.not_found") from None
        row = self.store.one("SELECT id, name FROM tenant WHERE id = ?", (number,))
        if row is None:
            raise NotFound("web.not_found")
        return Tenant(row["id"], row["name"])

    def maybe_tenant(self, value: str) -> Tenant | None:
        """A filter's member: None when the filter is empty."""
        return self.tenant(value) if value.strip() else None

    def user_named(self, login: str) -> users.User:
        found = users.find_user(self.store, login)
        if found is None:
            raise NotFound("web.not_found")
        return found

    # -- 1. every channel at a glance ----------------------------------------------------

    def channels(
        self,
        vault: credentials.Vault | UserError,
        *,
        tenant_id: int | None = None,
        now: dt.datetime | None = None,
    ) -> list[ChannelRow]:
        """Every member's channels, what needs the operator first (``URGENCY``)."""
        now = now or _now()
        sql = _CHANNELS_SQL
        params: tuple[int, ...] = ()
        if tenant_id is not None:
            sql += " AND c.tenant_id = ?"
            params = (tenant_id,)
        rows = []
        for r in self.store.all(sql, params):
            try:
                state = health.channel_health(self.store, r["id"], vault=vault, now=now)
            except LookupError:  # removed between the two reads
                continue
            rows.append(
                ChannelRow(
                    id=r["id"],
                    tenant_id=r["tenant_id"],
                    tenant=r["tenant"],
                    name=r["name"],
                    marketplace=r["marketplace"],
                    state=state.state,
                    detail=clean(state.detail or ""),
                    since=state.since,
                    backlog=int(r["backlog"] or 0),
                    oldest=r["oldest"],
                    parked=int(r["parked"] or 0),
                    last_ok=r["last_ok"],
                    last_error=clean(r["last_error"] or ""),
                )
            )
        rank = {state: i for i, state in enumerate(URGENCY)}
        rows.sort(key=lambda c: (rank.get(c.state, len(URGENCY)), c.tenant.lower(), c.name))
        return rows

    @staticmethod
    def counts(rows: Sequence[ChannelRow]) -> list[tuple[str, int]]:
        """How many channels are in each state (the states that occur, most urgent first)."""
        found: dict[str, int] = {}
        for row in rows:
            found[row.state] = found.get(row.state, 0) + 1
        return [(s, found[s]) for s in URGENCY if s in found]

    # -- 2. the sync log and the chain ---------------------------------------------------

    def log(
        self,
        *,
        tenant_id: int | None = None,
        channel: str = "",
        level: str = "",
        since: str | None = None,
        limit: int = 200,
    ) -> list[LogRow]:
        """Events, newest first (``syncd logs`` across members)."""
        from syncd.cli_words import event_text  # noqa: PLC0415

        sql = (
            "SELECT e.id, e.at, e.tenant_id, t.name AS tenant, e.level, e.kind, "
            "c.name AS channel, e.sku, e.message, e.data, e.correlation_id FROM event e "
            "LEFT JOIN channel_account c ON c.id = e.channel_account_id "
            "LEFT JOIN tenant t ON t.id = e.tenant_id WHERE 1 = 1"
        )
        params: list[Any] = []
        if tenant_id is not None:
            sql += " AND e.tenant_id = ?"
            params.append(tenant_id)
        if level in LOG_LEVELS:
            wanted = LOG_LEVELS[LOG_LEVELS.index(level) :]
            sql += f" AND e.level IN ({','.join('?' * len(wanted))})"
            params += wanted
        if channel:
            sql += " AND c.name = ?"
            params.append(channel)
        if since:
            sql += " AND e.at >= ?"
            params.append(since)
        rows = self.store.all(sql + " ORDER BY e.id DESC LIMIT ?", (*params, limit))
        return [
            LogRow(
                id=r["id"],
                at=r["at"],
                tenant_id=r["tenant_id"],
                tenant=r["tenant"] or "",
                level=r["level"],
                kind=r["kind"],
                channel=r["channel"] or "",
                sku=r["sku"] or "",
                text=clean(event_text(r["kind"], r["message"], r["data"], r["channel"] or "")),
                correlation_id=r["correlation_id"] or "",
            )
            for r in rows
        ]

    def chain(
        self,
        *,
        tenant_id: int | None = None,
        sku: str = "",
        order: str = "",
        correlation: str = "",
        channel: str = "",
        since: str | None = None,
        limit: int = 200,
    ) -> list[ChainRow]:
        """The order → movement → push → answer chain (``syncd logs --sku/--order/
        --correlation``) in one member, or in every member that has it; oldest first."""
        from syncd.cli_words import event_text  # noqa: PLC0415

        tenants = [self.tenant(tenant_id)] if tenant_id is not None else self.tenants()
        found: list[ChainRow] = []
        for tenant in tenants:
            sku_row = None
            if sku:
                try:
                    sku_row = catalog.get_sku(self.store, tenant.id, sku)
                except NotFound:
                    continue
            links = audit.chain(
                self.store,
                tenant.id,
                sku_id=sku_row.id if sku_row else None,
                sku=sku_row.sku if sku_row else None,
                order=order or None,
                correlation=correlation or None,
                since=since,
                limit=limit,
            )
            for link in links:
                if channel and link.channel != channel:
                    continue
                text = link.detail if link.event is None else event_text(*link.event, link.channel)
                found.append(ChainRow(tenant.id, tenant.name, link, clean(text)))
        found.sort(key=lambda row: row.link.at)
        return found[-limit:]

    # -- 3. drift ------------------------------------------------------------------------

    def drift(self, *, tenant_id: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Recorded differences between what listings show and what syncd sent, newest
        first (``syncd drift`` across members)."""
        tenants = [self.tenant(tenant_id)] if tenant_id is not None else self.tenants()
        rows: list[dict[str, Any]] = []
        for tenant in tenants:
            for r in reconcile.listing(self.store, tenant.id, limit=limit):
                rows.append(
                    {
                        "id": r["id"],
                        "at": r["at"],
                        "tenant_id": tenant.id,
                        "tenant": tenant.name,
                        "channel": r["channel"],
                        "sku": r["sku"] or "?",
                        "item": catalog.item_text(r["item_id"] or "?", r["variant_id"] or ""),
                        "shown": r["shown"],
                        "sent": r["sent"],
                        "desired": r["desired"],
                        "class": r["class"],
                        "action": reconcile.action_text(r["action"]),
                    }
                )
        rows.sort(key=lambda r: (r["at"], r["id"]), reverse=True)
        return rows[:limit]

    # -- 4. parked pushes ----------------------------------------------------------------

    def parked(self, *, tenant_id: int | None = None) -> list[dict[str, Any]]:
        """Values syncd stopped trying, across members, newest first."""
        tenants = [self.tenant(tenant_id)] if tenant_id is not None else self.tenants()
        rows: list[dict[str, Any]] = []
        for tenant in tenants:
            for r in outbox.parked(self.store, tenant.id):
                rows.append(
                    {
                        "tenant_id": tenant.id,
                        "tenant": tenant.name,
                        "seq": r["seq"],
                        "channel": r["channel"],
                        "sku": r["sku"],
                        "item": catalog.item_text(r["item_id"], r["variant_id"] or ""),
                        "field": r["field"],
                        "desired": r["desired"],
                        "attempts": r["attempts"],
                        "error": clean(r["last_error"] or ""),
                        "updated_at": r["updated_at"],
                    }
                )
        rows.sort(key=lambda r: (r["updated_at"], r["seq"]), reverse=True)
        return rows

    def act_on_parked(self, tenant_id: int, seq: str, step: str, *, actor: str) -> int:
        """Try one parked value again now (``retry``) or give up on it (``drop``), kept in
        the log with who did it (as ``syncd outbox retry|drop``). Returns how many rows
        changed: 0 when it is no longer parked (already retried or dropped)."""
        if step not in ("retry", "drop"):
            raise NotFound("web.not_found")
        tenant = self.tenant(tenant_id)
        try:
            number = int(seq)
        except ValueError:
            raise NotFound("web.not_found") from None
        with self.store.write():
            if step == "retry":
                rows = outbox.retry_parked(self.store, tenant.id, {number})
            else:
                rows = outbox.drop_parked(self.store, tenant.id, {number}, actor)
            for r in rows:
                events.record(
                    self.store,
                    f"outbox.{step}",
                    f"{r['field']} {r['desired']} for {r['sku']}: "
                    + ("retried" if step == "retry" else "dropped")
                    + f" by {actor}",
                    tenant_id=tenant.id,
                    account_id=r["channel_account_id"],
                    sku=r["sku"],
                    actor=actor,
                    field=r["field"],
                    value=r["desired"],
                    error=r["last_error"],
                )
        return len(rows)

    # -- 5. members and users ------------------------------------------------------------

    def members(self) -> tuple[list[Member], list[tuple[users.User, list[users.Membership]]]]:
        """Every member with its users and their roles; and the users with no role in any
        member (operators, or users whose roles were all revoked)."""
        everyone = users.list_users(self.store)
        by_tenant: dict[int, Member] = {t.id: Member(t) for t in self.tenants()}
        loose = []
        for user, roles in everyone:
            if not roles:
                loose.append((user, roles))
            for m in roles:
                if m.tenant_id in by_tenant:
                    by_tenant[m.tenant_id].users.append((user, m.role))
        return list(by_tenant.values()), loose

    def operators(self) -> list[users.User]:
        return [u for u, _ in users.list_users(self.store) if u.operator]

    def add_member(self, name: str, *, actor: str) -> Tenant:
        """A new member (``syncd tenant add``), kept in its change log with who added it."""
        tenant = catalog.add_tenant(self.store, name)
        with self.store.write():
            audit.record_change(
                self.store,
                tenant.id,
                actor=actor,
                what="tenant",
                subject=tenant.name,
                old=None,
                new=tenant.name,
            )
        return tenant

    def add_user(
        self,
        login: str,
        password: str,
        *,
        tenant_id: int | None,
        role: str | None,
        operator: bool,
        actor: str,
    ) -> users.User:
        if tenant_id is not None:
            self.tenant(tenant_id)
        elif not operator:  # the CLI's message names its flags: say it in the form's words
            raise UserError("web.op.no_role", login=login.strip()[:64])
        return users.add_user(
            self.store,
            login,
            password,
            operator=operator,
            tenant_id=tenant_id,
            role=role if tenant_id is not None else None,
            actor=actor,
        )

    def grant(self, login: str, tenant_id: int, role: str, *, actor: str) -> None:
        user = self.user_named(login)
        users.grant(self.store, user.login, self.tenant(tenant_id).id, role, actor=actor)

    def revoke(self, login: str, tenant_id: int, *, actor: str) -> None:
        user = self.user_named(login)
        users.revoke(self.store, user.login, self.tenant(tenant_id).id, actor=actor)

    def set_password(self, login: str, password: str, *, actor: str) -> None:
        users.set_password(self.store, self.user_named(login).login, password, actor=actor)

    def set_disabled(self, login: str, disabled: bool, *, actor: str) -> None:
        user = self.user_named(login)
        if disabled and user.id == self.user.id:
            raise UserError("web.op.not_self", login=user.login)
        users.set_disabled(self.store, user.login, disabled, actor=actor)

    def remove_user(self, login: str, *, actor: str) -> None:
        user = self.user_named(login)
        if user.id == self.user.id:
            raise UserError("web.op.not_self", login=user.login)
        users.remove_user(self.store, user.login, actor=actor)
