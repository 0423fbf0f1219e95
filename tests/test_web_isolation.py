"""The isolation matrix: every page × every role × another member's ids.

Generated from the route table (``syncd.web.core.PAGES``), so a new page is in the
matrix the moment it is declared, and a page whose path names a parameter without
saying what kind of id it is fails here. For each page, each method and each visitor
(a stranger, and SRI's owner, staff, cashier, and the cooperative's operator), the
request names BUDI's ids (SKU, order, channel, user, tenant, parked push, held sale):

* a role the page is not for is refused (403; a stranger is sent to the login page);
* a member page is refused for another member's ids (403/404/422), and no page served
  to SRI's people contains anything of BUDI's (SKU codes, channel, order id, logins,
  the shop's name);
* every form and JSON write without the session's CSRF token is refused;
* with SRI's own ids, every page a role may open does open (so the refusals above are
  not the refusals of a broken page).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from syncd import catalog, inventory, orders
from syncd.adapter import OrderLine, OrderPage, RemoteOrder
from syncd.models import ListingIn
from syncd.web import app as web_app
from syncd.web.core import ID_KINDS, PAGES, SESSION_COOKIE, Page
from tests.webkit import Coop, Member, app_for, copy_coop, sign_in

VISITORS = ("anonymous", "owner", "staff", "cashier", "operator")
#: routes that are not pages: the metrics/health endpoints, the static files, and the
#: marketplaces' webhook deliveries (authenticated by their signature, not a session:
#: tests/test_webhooks.py)
NOT_PAGES = {"/metrics", "/healthz", "/readyz", "/static", "/webhooks/{marketplace}"}


def _furnish(coop: Coop, member: Member) -> dict[str, str]:
    """A listing, an order, a parked push and a held sale for ``member``; its ids by kind."""
    store, tid = coop.store, member.tenant.id
    nastar = member.skus[0]
    inventory.bind_listing(
        store, tid, ListingIn(sku=nastar, channel=member.channel, item_id=f"I-{member.mark}")
    )
    account = catalog.get_channel(store, tid, member.channel).id
    import datetime as dt

    at = dt.datetime.now(dt.UTC)
    order_id = f"ORD-{member.mark}-1"
    page = OrderPage(
        [
            RemoteOrder(
                order_id,
                "READY_TO_SHIP",
                "open",
                at,
                at,
                (OrderLine("L1", f"I-{member.mark}", "", None, 1),),
            )
        ],
        cursor="c",
        more=False,
    )
    orders.ingest(store, tid, account, page, integration_start="2000-01-01T00:00:00+00:00")
    member.order_id = order_id
    with store.write():
        store.conn.execute(
            "UPDATE outbox SET status = 'parked', last_error = 'refused' WHERE tenant_id = ?",
            (tid,),
        )
        store.conn.execute(
            "INSERT INTO held_sale (tenant_id, key, channel, items, actor, sold_at, received_at) "
            "VALUES (?, ?, 'cash', ?, 'test', ?, ?)",
            (tid, f"web:held-{member.mark}", f'[[1, "{nastar}"]]', catalog.now(), catalog.now()),
        )
    seq = store.scalar("SELECT seq FROM outbox WHERE tenant_id = ? ORDER BY seq LIMIT 1", (tid,))
    held = store.scalar("SELECT id FROM held_sale WHERE tenant_id = ?", (tid,))
    user_id = store.scalar("SELECT id FROM web_user WHERE login = ?", (member.logins["owner"],))
    return {
        "sku": nastar,
        "order": order_id,
        "channel": member.channel,
        "user": member.logins["owner"],
        "user_id": str(user_id),
        "tenant": str(tid),
        "seq": str(seq),
        "held": str(held),
    }


class Matrix:
    def __init__(self, coop: Coop, app: Any) -> None:
        self.coop = coop
        self.app = app
        self.own = _furnish(coop, coop.sri)
        self.foreign = _furnish(coop, coop.budi)
        self.clients: dict[str, TestClient] = {}
        self.csrf: dict[str, str] = {}
        self.retired: list[TestClient] = []

    def client(self, visitor: str) -> TestClient:
        if visitor not in self.clients:
            client = TestClient(self.app, base_url="http://127.0.0.1")
            client.__enter__()
            if visitor != "anonymous":
                login = "op.koperasi" if visitor == "operator" else self.coop.sri.logins[visitor]
                self.csrf[visitor] = sign_in(client, login)
            self.clients[visitor] = client
        return self.clients[visitor]

    def close(self) -> None:
        for c in [*self.clients.values(), *self.retired]:
            c.__exit__(None, None, None)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    folder: Path = tmp_path_factory.mktemp("isolation")
    coop = copy_coop(folder / "s.db")
    m = Matrix(coop, app_for(coop))
    yield m
    m.close()
    coop.store.close()


def _value(ids: dict[str, str], kind: str, name: str) -> str:
    if kind == "user" and (name.endswith("_id") or name == "user_id"):
        return ids["user_id"]
    if kind == "text":
        return "en"
    return ids[kind]


def _request(
    m: Matrix, page: Page, method: str, visitor: str, ids: dict[str, str], *, csrf: bool = True
) -> Any:
    client = m.client(visitor)
    params = set(re.findall(r"{(\w+)(?::\w+)?}", page.path))
    path = page.path
    for name in params:
        path = re.sub(r"{" + name + r"(:\w+)?}", _value(ids, page.ids[name], name), path)
    others = {n: _value(ids, k, n) for n, k in page.ids.items() if n not in params}
    token = m.csrf.get(visitor, "") if csrf else ""
    try:
        return _send(client, page, method, path, others, ids, token)
    finally:
        if visitor != "anonymous" and SESSION_COOKIE not in client.cookies:  # signed out
            m.retired.append(m.clients.pop(visitor))


def _send(
    client: TestClient,
    page: Page,
    method: str,
    path: str,
    others: dict[str, str],
    ids: dict[str, str],
    token: str,
) -> Any:
    if method == "GET":
        return client.get(path, params=others, follow_redirects=False)
    if page.json:
        body: dict[str, Any] = dict(others)
        if "sku" in page.ids.values():
            sku_param = next(n for n, k in page.ids.items() if k == "sku")
            body["items"] = [{"sku": others.get(sku_param, ids["sku"]), "qty": 1}]
        body.setdefault("key", "isolation-key-0001")
        return client.request(
            method, path, json=body, headers={"x-csrf-token": token}, follow_redirects=False
        )
    form = {**others, "csrf": token, "action": "cancel"}
    return client.request(method, path, data=form, follow_redirects=False)


def _allowed(page: Page, visitor: str) -> bool:
    if "anonymous" in page.roles:
        return True
    return visitor in page.roles


def _marks(member: Member) -> list[str]:
    return [s for s in member.secrets_in_page if s]


web_app.page_modules()  # the route table, as the app is built from it
CASES = [(p, method) for p in PAGES for method in p.methods]


def _case_id(case: tuple[Page, str]) -> str:
    return f"{case[1]} {case[0].path}"


def test_every_route_is_a_page_in_the_table() -> None:
    """The app serves nothing but the route table (and the metrics, health and static
    files): a route added beside the table would escape the matrix."""
    web_app.page_modules()
    from syncd.config import Settings

    app = web_app.create_app(Path("/nonexistent/never-opened.db"), Settings())
    pages = {p.path for p in PAGES}
    for route in app.routes:
        assert isinstance(route, Route | Mount)
        assert route.path in pages or route.path in NOT_PAGES, f"{route.path} is not in PAGES"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_page_declares_every_id_it_names(case: tuple[Page, str]) -> None:
    page, _ = case
    for name in re.findall(r"{(\w+)(?::\w+)?}", page.path):
        assert name in page.ids, f"{page.path}: say what kind of id {{{name}}} is (ids=…)"
    assert set(page.ids.values()) <= ID_KINDS


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_another_members_ids_are_refused_with_nothing_of_theirs(
    matrix: Matrix, case: tuple[Page, str]
) -> None:
    page, method = case
    operator_only = page.roles == frozenset({"operator"})
    for visitor in VISITORS:
        answer = _request(matrix, page, method, visitor, matrix.foreign)
        where = f"{method} {page.path} as {visitor}"
        assert answer.status_code < 500, f"{where}: {answer.status_code}"
        if "anonymous" in page.roles:
            pass
        elif visitor == "anonymous":
            expected = 401 if page.json else 303
            assert answer.status_code == expected, where
            if not page.json:
                assert answer.headers["location"].startswith("/login"), where
        elif not _allowed(page, visitor):
            assert answer.status_code == 403, f"{where}: {answer.status_code}"
        elif operator_only:
            continue  # the operator's pages are cooperative-wide by design
        elif page.ids:
            assert answer.status_code in (403, 404, 422), f"{where}: {answer.status_code}"
        for mark in _marks(matrix.coop.budi):
            assert mark not in answer.text, f"{where}: shows {mark!r} of another member"


@pytest.mark.parametrize(
    "case", [c for c in CASES if c[1] != "GET"], ids=[_case_id(c) for c in CASES if c[1] != "GET"]
)
def test_every_write_needs_the_csrf_token(matrix: Matrix, case: tuple[Page, str]) -> None:
    page, method = case
    visitors = [v for v in VISITORS if v != "anonymous" and _allowed(page, v)]
    if "anonymous" in page.roles:
        visitors = ["owner"]
    for visitor in visitors:
        answer = _request(matrix, page, method, visitor, matrix.own, csrf=False)
        assert answer.status_code == 403, f"{method} {page.path} as {visitor} without CSRF"


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c[1] == "GET"],
    ids=[_case_id(c) for c in CASES if c[1] == "GET"],
)
def test_each_role_opens_its_pages_with_its_own_ids(matrix: Matrix, case: tuple[Page, str]) -> None:
    page, method = case
    for visitor in VISITORS:
        if visitor == "anonymous" and "anonymous" not in page.roles:
            continue
        if not _allowed(page, visitor):
            continue
        answer = _request(matrix, page, method, visitor, matrix.own)
        assert answer.status_code in (200, 303), (
            f"{method} {page.path} as {visitor}: {answer.status_code} {answer.text[:300]}"
        )
