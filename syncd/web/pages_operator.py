"""The cooperative operator's pages: every member's channels, the sync log, drift, parked
pushes and the members with their users.

Only an operator opens them (``roles={"operator"}``; ``Req.operator`` and the
``OperatorScope`` it builds refuse anyone else). The operator sees every member, so
what these pages guard is secrets: no token, key, password or notification address is
read, and every text that came from a marketplace passes through the scrubber again.

* ``/operator``: each channel's state (``syncd.health``), backlog, oldest pending push,
  last successful sync and last error, what needs the operator first; the counts and
  the table are one htmx fragment that refreshes itself every 10 s (a plain reload
  shows the same), so a channel that starts failing appears within one refresh;
* ``/operator/log``: the events with filters (member, channel, level, since), and the
  order → movement → push → answer chain for a SKU, an order or a correlation id;
* ``/operator/drift``: the differences reconciliation found, by member;
* ``/operator/outbox``: parked pushes with retry and drop, kept with who did it;
* ``/operator/members``: members and their users; add a member, add a user, give or
  change or revoke a role, reset a password, disable, enable, remove a user.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final
from urllib.parse import urlencode

from starlette.responses import Response

from syncd import localtime
from syncd.errors import NotFound, UserError
from syncd.i18n import t
from syncd.models import LOG_LEVELS
from syncd.users import ROLES as TENANT_ROLES
from syncd.web.core import Req, page
from syncd.web.operator_scope import URGENCY, OperatorScope, age_text, key_vault

__all__: list[str] = []

OPERATOR: Final = frozenset({"operator"})
#: how many rows a log, drift or chain page shows at most
LIMITS: Final = (50, 200, 1000)
#: what a member-management form did, as the page says it after the redirect
DONE: Final = (
    "member_added",
    "user_added",
    "granted",
    "revoked",
    "password",
    "disabled",
    "enabled",
    "removed",
)


#: the add forms' fields that are filled in again after a refusal (never a password)
_KEEPS: Final = {
    "name": ("/operator/members/add",),
    "login": ("/operator/members/user",),
    "tenant": ("/operator/members/user",),
    "role": ("/operator/members/user",),
}


def _open(req: Req) -> tuple[OperatorScope, Any]:
    """The operator's scope and the vault (the scrubber armed with every channel's secrets)."""
    op: OperatorScope = req.operator
    vault = key_vault(req.store, req.web.settings.master_key)
    op.arm(vault)
    return op, vault


def _ctx(section: str, **ctx: Any) -> dict[str, Any]:
    return {
        "section": section,
        "show": localtime.show,
        "age": age_text,
        "zone": localtime.label(short=True),
        "notice": "",
        "error": "",
        **ctx,
    }


def _limit(req: Req) -> int:
    try:
        value = int(req.param("limit", "200"))
    except ValueError:
        return 200
    return value if value in LIMITS else 200


# -- 1. every channel at a glance ------------------------------------------------------


@page("/operator", roles=OPERATOR, ids={"tenant": "tenant"})
def overview(req: Req) -> Response:
    op, vault = _open(req)
    tenant = op.maybe_tenant(req.param("tenant"))
    state = req.param("state")
    if state not in URGENCY:
        state = ""
    rows = op.channels(vault, tenant_id=tenant.id if tenant else None)
    query = {k: v for k, v in (("tenant", tenant.id if tenant else ""), ("state", state)) if v}
    ctx = _ctx(
        "overview",
        rows=[r for r in rows if not state or r.state == state],
        counts=op.counts(rows),
        total=len(rows),
        tenants=op.tenants(),
        tenant=tenant,
        state=state,
        states=URGENCY,
        refresh="/operator" + ("?" + urlencode(query) if query else ""),
        tenant_query=("&tenant=" + str(tenant.id)) if tenant else "",
        now=localtime.show(dt.datetime.now(dt.UTC), seconds=True),
    )
    if req.fragment():
        return req.render("operator/_overview.html", **ctx)
    return req.render("operator/overview.html", **ctx)


# -- 2. the sync log and the chain -----------------------------------------------------


@page(
    "/operator/log",
    roles=OPERATOR,
    ids={"tenant": "tenant", "channel": "channel", "sku": "sku", "order": "order"},
)
def log(req: Req) -> Response:
    op, _ = _open(req)
    tenant = op.maybe_tenant(req.param("tenant"))
    asked = {
        name: req.param(name).strip()[:200]
        for name in ("channel", "level", "since", "sku", "order", "correlation")
    }
    if asked["level"] not in LOG_LEVELS:
        asked["level"] = ""
    limit = _limit(req)
    error = ""
    since = None
    if asked["since"]:
        try:
            since = localtime.parse(asked["since"])
        except UserError as exc:
            error = str(exc)
    chained = bool(asked["sku"] or asked["order"] or asked["correlation"])
    rows: list[Any] = []
    links: list[Any] = []
    if not error and chained:
        links = op.chain(
            tenant_id=tenant.id if tenant else None,
            sku=asked["sku"],
            order=asked["order"],
            correlation=asked["correlation"],
            channel=asked["channel"],
            since=since,
            limit=limit,
        )
    elif not error:
        rows = op.log(
            tenant_id=tenant.id if tenant else None,
            channel=asked["channel"],
            level=asked["level"],
            since=since,
            limit=limit,
        )
    return req.render(
        "operator/log.html",
        status=422 if error else 200,
        **_ctx(
            "log",
            error=error,
            tenants=op.tenants(),
            tenant=tenant,
            asked=asked,
            levels=LOG_LEVELS,
            limit=limit,
            limits=LIMITS,
            chained=chained,
            rows=rows,
            links=links,
            chain_url=_chain_url,
        ),
    )


def _chain_url(tenant_id: int | None, correlation: str) -> str:
    query = {"correlation": correlation}
    if tenant_id is not None:
        query = {"tenant": str(tenant_id), **query}
    return "/operator/log?" + urlencode(query)


# -- 3. drift -----------------------------------------------------------------------------


@page("/operator/drift", roles=OPERATOR, ids={"tenant": "tenant"})
def drift(req: Req) -> Response:
    op, _ = _open(req)
    tenant = op.maybe_tenant(req.param("tenant"))
    limit = _limit(req)
    rows = op.drift(tenant_id=tenant.id if tenant else None, limit=limit)
    return req.render(
        "operator/drift.html",
        **_ctx("drift", tenants=op.tenants(), tenant=tenant, rows=rows, limit=limit, limits=LIMITS),
    )


# -- 4. parked pushes -------------------------------------------------------------------


@page("/operator/outbox", roles=OPERATOR, ids={"tenant": "tenant"})
def parked(req: Req) -> Response:
    op, _ = _open(req)
    tenant = op.maybe_tenant(req.param("tenant"))
    notice = ""
    done, count = req.param("done"), req.param("count", "0")
    if done in ("retry", "drop") and count.isdigit():
        notice = t(f"outbox.{done}_done", count=int(count))
    elif done == "gone":
        notice = t("web.op.outbox_gone")
    return req.render(
        "operator/outbox.html",
        **_ctx(
            "outbox",
            notice=notice,
            tenants=op.tenants(),
            tenant=tenant,
            rows=op.parked(tenant_id=tenant.id if tenant else None),
        ),
    )


def _act_parked(req: Req, step: str) -> Response:
    op, _ = _open(req)
    tenant = op.tenant(req.param("tenant"))
    count = op.act_on_parked(tenant.id, req.param("seq"), step, actor=req.actor)
    back = {"done": step if count else "gone", "count": str(count)}
    if req.form.get("filter"):
        back["tenant"] = str(tenant.id)
    return req.redirect("/operator/outbox?" + urlencode(back))


@page(
    "/operator/outbox/retry",
    roles=OPERATOR,
    methods=("POST",),
    ids={"seq": "seq", "tenant": "tenant"},
)
def parked_retry(req: Req) -> Response:
    return _act_parked(req, "retry")


@page(
    "/operator/outbox/drop",
    roles=OPERATOR,
    methods=("POST",),
    ids={"seq": "seq", "tenant": "tenant"},
)
def parked_drop(req: Req) -> Response:
    return _act_parked(req, "drop")


# -- 5. members and users -----------------------------------------------------------------


def _members_page(req: Req, op: OperatorScope, *, error: str = "", status: int = 200) -> Response:
    done = req.param("done")
    members, loose = op.members()
    return req.render(
        "operator/members.html",
        status=status,
        **_ctx(
            "members",
            notice=t(f"web.op.done.{done}") if done in DONE and not error else "",
            error=error,
            members=members,
            loose=loose,
            tenants=op.tenants(),
            roles=TENANT_ROLES,
            me=op.user.login,
            # what the add forms keep after a refusal (never a password)
            kept={
                k: req.form.get(k, "")[:100] if req.page.path in _KEEPS.get(k, ()) else ""
                for k in ("name", "login", "tenant", "role")
            },
        ),
    )


@page("/operator/members", roles=OPERATOR)
def members(req: Req) -> Response:
    op, _ = _open(req)
    return _members_page(req, op)


def _manage(req: Req, done: str, act: Any) -> Response:
    """Run one member-management change: the page again with its message, or the
    refusal's message in the page (the passwords typed are never sent back)."""
    op, _ = _open(req)
    try:
        act(op)
    except NotFound:
        raise
    except UserError as exc:
        return _members_page(req, op, error=str(exc), status=422)
    return req.redirect("/operator/members?" + urlencode({"done": done}))


def _password(req: Req) -> str:
    password = req.form.get("password", "")
    if password != req.form.get("password2", ""):
        raise UserError("web.op.password_mismatch")
    return password


def _tenant_id(op: OperatorScope, value: str) -> int | None:
    return op.tenant(value).id if value.strip() else None


@page("/operator/members/add", roles=OPERATOR, methods=("POST",))
def member_add(req: Req) -> Response:
    name = req.form.get("name", "")
    return _manage(req, "member_added", lambda op: op.add_member(name, actor=req.actor))


@page("/operator/members/user", roles=OPERATOR, methods=("POST",), ids={"tenant": "tenant"})
def user_add(req: Req) -> Response:
    def act(op: OperatorScope) -> None:
        op.add_user(
            req.form.get("login", ""),
            _password(req),
            tenant_id=_tenant_id(op, req.form.get("tenant", "")),
            role=req.form.get("role") or None,
            operator=req.form.get("operator") == "1",
            actor=req.actor,
        )

    return _manage(req, "user_added", act)


@page(
    "/operator/members/role",
    roles=OPERATOR,
    methods=("POST",),
    ids={"login": "user", "tenant": "tenant"},
)
def user_role(req: Req) -> Response:
    def act(op: OperatorScope) -> None:
        op.grant(
            req.param("login"),
            op.tenant(req.param("tenant")).id,
            req.form.get("role", ""),
            actor=req.actor,
        )

    return _manage(req, "granted", act)


@page(
    "/operator/members/revoke",
    roles=OPERATOR,
    methods=("POST",),
    ids={"login": "user", "tenant": "tenant"},
)
def user_revoke(req: Req) -> Response:
    def act(op: OperatorScope) -> None:
        op.revoke(req.param("login"), op.tenant(req.param("tenant")).id, actor=req.actor)

    return _manage(req, "revoked", act)


@page("/operator/members/password", roles=OPERATOR, methods=("POST",), ids={"login": "user"})
def user_password(req: Req) -> Response:
    def act(op: OperatorScope) -> None:
        op.set_password(req.param("login"), _password(req), actor=req.actor)

    return _manage(req, "password", act)


@page("/operator/members/state", roles=OPERATOR, methods=("POST",), ids={"login": "user"})
def user_state(req: Req) -> Response:
    action = req.form.get("action", "")
    if action not in ("disable", "enable"):
        raise NotFound("web.not_found")

    def act(op: OperatorScope) -> None:
        op.set_disabled(req.param("login"), action == "disable", actor=req.actor)

    return _manage(req, "disabled" if action == "disable" else "enabled", act)


@page("/operator/members/remove", roles=OPERATOR, methods=("POST",), ids={"login": "user"})
def user_remove(req: Req) -> Response:
    return _manage(req, "removed", lambda op: op.remove_user(req.param("login"), actor=req.actor))
