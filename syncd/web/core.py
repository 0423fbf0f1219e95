"""The web app's frame: the route table, who is asking, and what every answer carries.

Every page is declared with ``@page(path, roles=…, ids=…)`` into ``PAGES``: the one
table the app is built from and the isolation tests are generated from (a route that is
not in it cannot be served, and a page in it without a declared id kind fails the
suite). Each request passes through ``_serve``, the one place that

* finds the session from its cookie (``syncd.users.find_session``), refuses a visitor
  whose role may not see the page (403, or the login page for a stranger) and checks
  the CSRF token of every form or JSON write;
* builds the request's ``Scope`` (``syncd.web.scope``): the only door to the data, bound
  to the session's tenant, so a route can never read another member's rows by naming
  them; an id of another tenant is "not found", with nothing of it in the body;
* renders in the visitor's language (cookie ``syncd_lang``, else the user's, else id).

``SecurityHeaders`` adds the CSP (no inline script), frame-ancestors none, nosniff,
and HSTS when the app sits behind TLS, to every answer, static files included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import jinja2
import pydantic
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as AsgiScope

from syncd import i18n, users
from syncd.config import Settings
from syncd.errors import NotFound, UserError
from syncd.i18n import rupiah, t
from syncd.store import Store

__all__ = [
    "MEMBER",
    "PAGES",
    "ROLES",
    "STAFF",
    "Forbidden",
    "Page",
    "Req",
    "SecurityHeaders",
    "Web",
    "page",
]

#: every role a page may admit: the tenant's three, and the cooperative's operator
ROLES: Final = ("owner", "staff", "cashier", "operator")
STAFF: Final = frozenset({"owner", "staff"})
MEMBER: Final = frozenset({"owner", "staff", "cashier"})
#: what an id named by a page's path, query or form is, for the isolation matrix
#: ("text": a parameter that names no one's data, e.g. a language code)
ID_KINDS: Final = frozenset({"sku", "order", "channel", "user", "tenant", "seq", "held", "text"})

SESSION_COOKIE: Final = "syncd_session"
LANG_COOKIE: Final = "syncd_lang"
LOGIN_COOKIE: Final = "syncd_login"
MAX_FORM: Final = 64 * 1024
MAX_UPLOAD: Final = 5 * 1024 * 1024
HERE: Final = Path(__file__).parent


class Forbidden(UserError):
    """The visitor's role may not see this page (or it belongs to another member)."""

    key = "web.forbidden"


@dataclass(frozen=True, slots=True)
class Page:
    """One route: its path, who may use it, and what the ids it reads are."""

    path: str
    methods: tuple[str, ...]
    handler: Callable[[Req], Response]
    roles: frozenset[str]
    #: parameter name (path, query or form) → id kind (``ID_KINDS``)
    ids: Mapping[str, str]
    #: json: answers JSON (401/403 instead of a redirect to the login page)
    json: bool = False
    #: the largest body it accepts
    max_body: int = MAX_FORM


PAGES: list[Page] = []


def page(
    path: str,
    *,
    roles: frozenset[str] | set[str],
    methods: tuple[str, ...] = ("GET",),
    ids: Mapping[str, str] | None = None,
    json: bool = False,
    max_body: int = MAX_FORM,
) -> Callable[[Callable[[Req], Response]], Callable[[Req], Response]]:
    """Declare a page in ``PAGES`` (the app is built from that table)."""
    unknown_roles = set(roles) - {*ROLES, "anonymous"}
    unknown_ids = set((ids or {}).values()) - ID_KINDS
    if unknown_roles or unknown_ids or not roles:
        raise ValueError(f"page {path}: bad roles {unknown_roles} or id kinds {unknown_ids}")

    def register(fn: Callable[[Req], Response]) -> Callable[[Req], Response]:
        PAGES.append(
            Page(path, methods, fn, frozenset(roles), dict(ids or {}), json=json, max_body=max_body)
        )
        return fn

    return register


# -- the app's shared state --------------------------------------------------------------


class Web:
    """What every request shares: the database (one connection per thread), settings,
    templates, and the static files' version stamps."""

    def __init__(self, db_path: Path, settings: Settings) -> None:
        self.db_path = db_path
        self.settings = settings
        self._local = threading.local()
        self._stores: list[Store] = []
        self._generation = 0
        self._lock = threading.Lock()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(t=t, rupiah=rupiah, static=self.static, lang=i18n.get_lang)
        self._versions = {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:10]
            for p in (HERE / "static").iterdir()
            if p.is_file()
        }

    def store(self) -> Store:
        """This thread's connection (the daemon's threads do the same)."""
        kept: tuple[int, Store] | None = getattr(self._local, "store", None)
        if kept is not None and kept[0] == self._generation:
            return kept[1]
        found = Store(self.db_path, create=False, group=True)
        with self._lock:
            self._local.store = (self._generation, found)
            self._stores.append(found)
        return found

    def close(self) -> None:
        """Close every thread's connection (the app's shutdown); a later request opens
        a new one."""
        with self._lock:
            self._generation += 1
            stores, self._stores = self._stores, []
        for s in stores:
            s.close()

    def static(self, name: str) -> str:
        """A static file's address, stamped with its content's hash (cached for good)."""
        return f"/static/{name}?v={self._versions[name]}"

    @property
    def hours(self) -> int:
        return self.settings.web.session_hours

    @property
    def public_url(self) -> str:
        return self.settings.web.public_url or f"http://{self.settings.web.bind}"


# -- one request ---------------------------------------------------------------------------


@dataclass
class Req:
    """One request as a page handler sees it."""

    web: Web
    request: Request
    page: Page
    session: users.Session | None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    body: Any = None
    #: set by the handler to ask for a new cookie (login) or its removal (logout)
    cookies: list[tuple[str, str | None, int]] = field(default_factory=list)

    @property
    def store(self) -> Store:
        return self.web.store()

    @property
    def scope(self) -> Any:
        """The signed-in member's scope (``syncd.web.scope.Scope``): the door to the data."""
        from syncd.web.scope import Scope  # noqa: PLC0415 - scope imports this module

        s = self.session
        if s is None or s.tenant_id is None or s.role is None:
            raise Forbidden()
        return Scope(self.store, s.tenant_id, s.role, s.user)

    @property
    def operator(self) -> Any:
        """The cooperative-wide scope (``syncd.web.operator_scope.OperatorScope``)."""
        from syncd.web.operator_scope import OperatorScope  # noqa: PLC0415

        if self.session is None or not self.session.user.operator:
            raise Forbidden()
        return OperatorScope(self.store, self.session.user)

    def memberships(self) -> list[users.Membership]:
        """The shops the signed-in user belongs to (the header's shop switch)."""
        return [] if self.session is None else users.memberships(self.store, self.session.user.id)

    @property
    def role(self) -> str | None:
        return None if self.session is None else self.session.role

    @property
    def actor(self) -> str:
        return "web" if self.session is None else f"web:{self.session.user.login}"

    def param(self, name: str, default: str = "") -> str:
        """A path parameter, else a form field, else a query parameter."""
        if name in self.request.path_params:
            return str(self.request.path_params[name])
        if name in self.form:
            return self.form[name]
        return self.request.query_params.get(name, default)

    def render(self, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = self.web.env.get_template(template).render(
            req=self,
            session=self.session,
            csrf=self.session.csrf if self.session else "",
            path=self.request.url.path,
            **ctx,
        )
        return HTMLResponse(html, status_code=status)

    def fragment(self) -> bool:
        """Whether htmx asked for a part of the page only."""
        return self.request.headers.get("hx-request") == "true"

    def redirect(self, path: str) -> RedirectResponse:
        return RedirectResponse(path, status_code=303)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lang_of(request: Request, session: users.Session | None) -> str:
    asked = request.cookies.get(LANG_COOKIE, "")
    if asked in i18n.LANGS:
        return asked
    return session.user.lang if session else "id"


def _csrf_ok(req: Req) -> bool:
    sent = req.form.get("csrf") or req.request.headers.get("x-csrf-token", "")
    if req.page.path == "/login":  # before a session: the double-submit cookie
        expected = req.request.cookies.get(LOGIN_COOKIE, "")
    else:
        expected = req.session.csrf if req.session else ""
    return bool(sent and expected) and hmac.compare_digest(sent.encode(), expected.encode())


def _refuse(req: Req, status: int, key: str) -> Response:
    if req.page.json:
        return JSONResponse({"error": t(key), "code": key}, status_code=status)
    if status == 401:
        login = "/login?next=" + quote(req.request.url.path)
        if req.fragment():  # htmx polling a part of the page: take the whole tab to the login
            return Response(status_code=204, headers={"hx-redirect": login})
        return req.redirect(login)
    return req.render("refused.html", status=status, message=t(key))


def _handle(req: Req) -> Response:  # noqa: PLR0911 - one answer per refusal, in order
    """Everything after the body was read, in a worker thread (the database is sync)."""
    page_ = req.page
    with i18n.use_lang(_lang_of(req.request, req.session)):
        anonymous = "anonymous" in page_.roles
        if req.session is None and not anonymous:
            return _refuse(req, 401, "web.sign_in")
        if not anonymous:
            role = req.role
            allowed = (role in page_.roles) or (
                "operator" in page_.roles and req.session is not None and req.session.user.operator
            )
            if not allowed:
                return _refuse(req, 403, "web.forbidden")
        if req.request.method != "GET" and not _csrf_ok(req):
            return _refuse(req, 403, "web.csrf")
        try:
            return page_.handler(req)
        except Forbidden:
            return _refuse(req, 403, "web.forbidden")
        except NotFound:
            return _refuse(req, 404, "web.not_found")
        except UserError as exc:
            if page_.json:
                return JSONResponse({"error": str(exc), "code": exc.key}, status_code=422)
            return req.render("refused.html", status=422, message=str(exc))
        except pydantic.ValidationError as exc:  # a typed value that does not fit its model
            fields = ", ".join(sorted({str(e["loc"][-1]) for e in exc.errors() if e["loc"]}))
            message = t("web.bad_input", fields=fields or "?")
            if page_.json:
                return JSONResponse({"error": message, "code": "web.bad_input"}, status_code=422)
            return req.render("refused.html", status=422, message=message)


async def _read_body(request: Request, page_: Page) -> tuple[dict[str, str], dict[str, Any], Any]:
    size = int(request.headers.get("content-length") or 0)
    if size > page_.max_body:
        raise _TooLarge()
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        raw = await request.body()
        if len(raw) > page_.max_body:
            raise _TooLarge()
        try:
            return {}, {}, json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            raise _BadBody() from None
    if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form(max_files=1, max_fields=200, max_part_size=page_.max_body)
        fields: dict[str, str] = {}
        files: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read(page_.max_body + 1)
                if len(data) > page_.max_body:
                    raise _TooLarge()
                files[key] = (value.filename or "", data)
            else:
                fields[key] = value
        await form.close()
        return fields, files, None
    return {}, {}, None


class _TooLarge(Exception):
    pass


class _BadBody(Exception):
    pass


def endpoint(web: Web, page_: Page) -> Callable[[Request], Any]:
    """The ASGI endpoint of one page."""

    async def serve(request: Request) -> Response:
        form: dict[str, str] = {}
        files: dict[str, Any] = {}
        body: Any = None
        if request.method != "GET":
            try:
                form, files, body = await _read_body(request, page_)
            except _TooLarge:
                return Response(status_code=413)
            except _BadBody:
                return JSONResponse({"error": "body is not JSON"}, status_code=400)
        return await run_in_threadpool(_serve, web, page_, request, (form, files, body))

    return serve


def _serve(
    web: Web,
    page_: Page,
    request: Request,
    read: tuple[dict[str, str], dict[str, Any], Any],
) -> Response:
    form, files, body = read
    token = request.cookies.get(SESSION_COOKIE, "")
    session = users.find_session(web.store(), token, hours=web.hours) if token else None
    req = Req(web, request, page_, session, form, files, body)
    response = _handle(req)
    secure = web.settings.web.behind_tls
    if token and session is None:  # an expired or unknown cookie: forget it
        response.delete_cookie(SESSION_COOKIE, path="/")
    for name, value, max_age in req.cookies:
        if value is None:
            response.delete_cookie(name, path="/")
        else:
            response.set_cookie(
                name,
                value,
                max_age=max_age,
                path="/",
                httponly=name != LANG_COOKIE,
                secure=secure,
                samesite="lax",
            )
    if "cache-control" not in response.headers:
        response.headers["cache-control"] = "no-store"
    return response


# -- headers on every answer ---------------------------------------------------------------

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class SecurityHeaders:
    """Adds the security headers to every HTTP answer (pages, JSON, static files)."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.extra: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if hsts:
            self.extra.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (k, v) for k, v in self.extra if k not in names
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- small shared helpers --------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
