"""Signing in and out, the language switch, and choosing which member's shop to serve."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.responses import Response

from syncd import i18n, users
from syncd.errors import NotFound, UserError
from syncd.web.core import LANG_COOKIE, LOGIN_COOKIE, ROLES, SESSION_COOKIE, Req, new_token, page

__all__: list[str] = []

ANYONE = frozenset({"anonymous"})
SIGNED_IN = frozenset(ROLES)


def _next(target: str) -> str:
    """Only a path of this site may be where the login sends back to (no open redirect)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def home_of(session: users.Session) -> str:
    if session.role == "cashier":
        return "/cashier"
    if session.role is None and session.user.operator:
        return "/operator"
    return "/"


@page("/login", roles=ANYONE, methods=("GET", "POST"))
def login(req: Req) -> Response:
    if req.request.method == "GET":
        pre = req.request.cookies.get(LOGIN_COOKIE) or new_token()
        req.cookies.append((LOGIN_COOKIE, pre, 3600))
        return req.render(
            "login.html", login_csrf=pre, error="", login="", next=_next(req.param("next", "/"))
        )
    login_name = req.form.get("login", "").strip()
    password = req.form.get("password", "")
    target = _next(req.form.get("next", "/"))
    address = req.request.client.host if req.request.client else "?"
    try:
        user = users.authenticate(req.store, login_name, password, address=address)
    except UserError as exc:
        status = 429 if exc.key == "users.throttled" else 401
        pre = new_token()
        req.cookies.append((LOGIN_COOKIE, pre, 3600))
        return req.render(
            "login.html",
            status=status,
            login_csrf=pre,
            error=str(exc),
            login=login_name,
            next=target,
        )
    mine = users.memberships(req.store, user.id)
    tenant_id = mine[0].tenant_id if mine else None
    token, session = users.open_session(req.store, user, tenant_id, hours=req.web.hours)
    # a fresh session id at every sign-in: a cookie planted before login is never adopted
    req.cookies.append((SESSION_COOKIE, token, 7 * 24 * 3600))  # the absolute cap
    req.cookies.append((LOGIN_COOKIE, None, 0))
    return req.redirect(target if target != "/" else home_of(session))


@page("/logout", roles=SIGNED_IN, methods=("POST",))
def logout(req: Req) -> Response:
    token = req.request.cookies.get(SESSION_COOKIE, "")
    if token:
        users.close_session(req.store, token)
    req.cookies.append((SESSION_COOKIE, None, 0))
    return req.redirect("/login")


@page("/lang/{code}", roles=ANYONE, ids={"code": "text"})
def language(req: Req) -> Response:
    code = req.param("code")
    if code not in i18n.LANGS:
        code = "id"
    req.cookies.append((LANG_COOKIE, code, 365 * 24 * 3600))
    back = req.request.headers.get("referer", "/")
    return req.redirect(_next(urlsplit(back).path or "/"))


@page("/tenant", roles=SIGNED_IN, methods=("POST",), ids={"tenant": "tenant"})
def switch(req: Req) -> Response:
    """Serve another member's shop (a user who belongs to several, or an operator)."""
    token = req.request.cookies.get(SESSION_COOKIE, "")
    try:
        wanted = int(req.form.get("tenant", ""))
    except ValueError:
        raise UserError("web.not_found") from None
    if not any(m.tenant_id == wanted for m in req.memberships()):  # operators included
        raise NotFound("web.not_found")
    session = users.switch_tenant(req.store, token, wanted)
    return req.redirect(home_of(session))


@page("/", roles=SIGNED_IN)
def home(req: Req) -> Response:
    """Where a visitor lands: the member's stock, the cashier page, or the operator's."""
    assert req.session is not None  # noqa: S101 - signed in (the page's roles)
    where = home_of(req.session)
    if where != "/":
        return req.redirect(where)
    from syncd.web.pages_member import stock_page  # noqa: PLC0415 - the member pages

    return stock_page(req)
