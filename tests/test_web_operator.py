"""The cooperative operator's web pages (issue 13, item 1 "operator").

Over a cooperative of two members (``tests/webkit.py``: SRI and BUDI, a Shopee channel
each) whose channels hold sealed tokens: every operator page shows both members; a
channel whose job fails shows as failing on the next GET of ``/operator`` and of the
fragment htmx refreshes every 10 s; the log filters narrow the rows and a correlation id
opens its chain; parked pushes are retried and dropped with the operator named; members
and users are managed from the page and a new user signs in; a member's own roles get
403 on every operator page; and no token, password or hash reaches any page, even when a
token was written raw into an error and the web process had not loaded it yet.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from syncd import audit, catalog, credentials, events, inventory, outbox, users
from syncd.adapter import Credentials, ItemResult
from syncd.log import REGISTRY
from syncd.models import ListingIn
from syncd.store import Store
from syncd.web import operator_scope
from syncd.web.app import page_modules
from syncd.web.core import PAGES, SESSION_COOKIE
from tests.webkit import PASSWORD, Coop, Member, app_for, build_coop, client_for, sign_in

OPERATOR_GETS = (
    "/operator",
    "/operator/log",
    "/operator/drift",
    "/operator/outbox",
    "/operator/members",
)


def _now(**delta: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(**delta)).isoformat(timespec="milliseconds")


def _channel_id(coop: Coop, member: Member) -> int:
    return catalog.get_channel(coop.store, member.tenant.id, member.channel).id


def token_of(member: Member) -> str:
    return f"tok-{member.mark}-9f8e7d6c5b4a39281706"


def seal(coop: Coop, member: Member) -> None:
    """Connect the member's channel (tokens sealed under its tenant key) and accept it."""
    vault = credentials.Vault(credentials.load_key(coop.db_path))
    tokens = Credentials(
        access_token=token_of(member),
        refresh_token=token_of(member) + "-refresh",
        access_expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=4),
        auth_expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=300),
    )
    credentials.save(coop.store, vault, member.tenant.id, _channel_id(coop, member), tokens=tokens)
    catalog.accept_channel(coop.store, member.tenant.id, member.channel, actor="test")


def fail_job(coop: Coop, member: Member, error: str, job: str = "push") -> None:
    """A failed job as the daemon records it (``Daemon._mark``), the error unscrubbed."""
    with coop.store.write():
        coop.store.conn.execute(
            "INSERT INTO job_run (tenant_id, channel_account_id, job) VALUES (?, ?, ?) "
            "ON CONFLICT (channel_account_id, job) DO NOTHING",
            (member.tenant.id, _channel_id(coop, member), job),
        )
        coop.store.conn.execute(
            "UPDATE job_run SET last_error = ?, failures = failures + 1, "
            "failing_since = COALESCE(failing_since, ?) WHERE channel_account_id = ? AND job = ?",
            (error, _now(), _channel_id(coop, member), job),
        )


def ok_job(coop: Coop, member: Member, job: str = "pull") -> None:
    with coop.store.write():
        coop.store.conn.execute(
            "INSERT INTO job_run (tenant_id, channel_account_id, job, last_ok) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (channel_account_id, job) DO UPDATE SET last_ok = excluded.last_ok",
            (member.tenant.id, _channel_id(coop, member), job, _now(minutes=-3)),
        )


def bind(coop: Coop, member: Member) -> None:
    inventory.bind_listings(
        coop.store,
        member.tenant.id,
        [
            ListingIn(sku=code, channel=member.channel, item_id=f"{member.mark}{i}00")
            for i, code in enumerate(member.skus)
        ],
        actor="test",
    )


def park(coop: Coop, member: Member, error: str) -> int:
    """The member's first SKU's stock push refused for good (parked, as the pusher does)."""
    waiting = outbox.pending(coop.store, _channel_id(coop, member), "stock")
    first = next(p for p in waiting if p.item_id == f"{member.mark}000")
    with coop.store.write():
        outbox.record_results(
            coop.store, "stock", [(first, ItemResult(first.listing_id, ok=False, error=error))]
        )
    return first.seq


def drift_row(coop: Coop, member: Member) -> None:
    sku = catalog.get_sku(coop.store, member.tenant.id, member.skus[1])
    listing = coop.store.scalar("SELECT id FROM listing WHERE sku_id = ?", (sku.id,))
    with coop.store.write():
        coop.store.conn.execute(
            "INSERT INTO drift (tenant_id, channel_account_id, listing_id, sku_id, shown, sent, "
            "desired, class, action, at) VALUES (?, ?, ?, ?, 4, 10, 10, 'edited', 'resent:10', ?)",
            (member.tenant.id, _channel_id(coop, member), listing, sku.id, _now()),
        )


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Coop:
    """The cooperative built once (its users' argon2 hashes are slow on purpose): each
    test gets a copy of its database and key file."""
    built = build_coop(tmp_path_factory.mktemp("coop") / "s.db")
    for member in built.members():
        seal(built, member)
        bind(built, member)
        ok_job(built, member)
    built.store.close()
    return built


@pytest.fixture
def coop(_template: Coop, tmp_path: Path) -> Iterator[Coop]:
    path = tmp_path / "s.db"
    for suffix in ("", ".key"):
        shutil.copy2(f"{_template.db_path}{suffix}", f"{path}{suffix}")
    copy = Coop(path, Store(path), _template.sri, _template.budi)
    yield copy
    copy.store.close()


@pytest.fixture
def app(coop: Coop) -> object:
    return app_for(coop)


def session_for(client: TestClient, coop: Coop, login: str) -> str:
    """Open a session for ``login`` as the login page does (its first membership's tenant)
    without the argon2 work of the form (``sign_in`` drives the form where that matters);
    returns the session's CSRF token."""
    user = users.find_user(coop.store, login)
    assert user is not None
    mine = users.memberships(coop.store, user.id)
    token, session = users.open_session(
        coop.store, user, mine[0].tenant_id if mine else None, hours=12
    )
    client.cookies.set(SESSION_COOKIE, token)
    return session.csrf


@pytest.fixture
def operator(coop: Coop, app: object) -> Iterator[tuple[TestClient, str]]:
    for client in client_for(app):
        yield client, session_for(client, coop, "op.koperasi")


def english(client: TestClient, path: str, **kwargs: Any) -> Any:
    """A GET read in English (the language cookie, for this request only)."""
    client.cookies.set("syncd_lang", "en")
    try:
        return client.get(path, **kwargs)
    finally:
        client.cookies.delete("syncd_lang")


def _row(html: str, channel: str) -> str:
    found = re.search(rf'<tr [^>]*data-channel="{re.escape(channel)}"[^>]*>', html)
    assert found, f"no row for {channel}"
    return found.group(0)


# -- every page, both members --------------------------------------------------------------


def test_every_operator_page_shows_both_members(
    coop: Coop, operator: tuple[TestClient, str]
) -> None:
    client, _ = operator
    for member in coop.members():
        park(coop, member, f"locked by campaign at {member.mark}")
        drift_row(coop, member)
        events.record(
            coop.store,
            "test.note",
            f"pulled orders of {member.mark}",
            tenant_id=member.tenant.id,
            account_id=_channel_id(coop, member),
            sku=member.skus[0],
        )
    pages = {path: client.get(path) for path in OPERATOR_GETS}
    for path, answer in pages.items():
        assert answer.status_code == 200, (path, answer.text[:300])
        for member in coop.members():
            assert member.tenant.name in answer.text, (path, member.mark)
    for member in coop.members():
        assert member.channel in pages["/operator"].text
        assert f"pulled orders of {member.mark}" in pages["/operator/log"].text
        assert member.skus[1] in pages["/operator/drift"].text
        assert f"locked by campaign at {member.mark}" in pages["/operator/outbox"].text
        for login in member.logins.values():
            assert login in pages["/operator/members"].text
    assert "op.koperasi" in pages["/operator/members"].text
    overview = pages["/operator"].text
    assert 'hx-get="/operator"' in overview
    assert 'hx-trigger="every 10s"' in overview
    assert "<script>" not in overview
    assert "style=" not in overview
    assert re.search(r'href="/static/operator\.css\?v=\w+"', overview)
    assert "This overview refreshes itself" in english(client, "/operator").text


# -- a failing channel appears within one refresh -------------------------------------


def test_a_failing_channel_shows_on_the_next_get_and_fragment(
    coop: Coop, operator: tuple[TestClient, str]
) -> None:
    client, _ = operator
    before = client.get("/operator").text
    assert 'data-state="ok"' in _row(before, coop.sri.channel)
    assert "failing" not in _row(before, coop.budi.channel)

    fail_job(coop, coop.sri, "Retryable: shopee answered 503 Service Unavailable")

    page = client.get("/operator")
    fragment = client.get("/operator", headers={"HX-Request": "true"})
    for answer in (page, fragment):
        assert answer.status_code == 200
        row = _row(answer.text, coop.sri.channel)
        assert 'data-state="failing"' in row
        assert "shopee answered 503" in answer.text
        assert 'data-state="ok"' in _row(answer.text, coop.budi.channel)
        # failing first, and counted on top
        assert answer.text.index(coop.sri.channel) < answer.text.index(coop.budi.channel)
        assert re.search(r'data-state="failing">[^<]*<span class="n">1</span>', answer.text)
    assert "<html" not in fragment.text
    assert "<nav" not in fragment.text
    assert "<html" in page.text

    # needs re-authorization is the next most urgent, and the filter narrows to it
    with coop.store.write():
        coop.store.conn.execute(
            "UPDATE channel_account SET status = 'needs_reauth', status_reason = 'revoked' "
            "WHERE id = ?",
            (_channel_id(coop, coop.budi),),
        )
    answer = client.get("/operator?state=needs_reauth", headers={"HX-Request": "true"})
    assert 'data-state="needs_reauth"' in _row(answer.text, coop.budi.channel)
    assert f'data-channel="{coop.sri.channel}"' not in answer.text
    mine = client.get(f"/operator?tenant={coop.sri.tenant.id}")
    assert coop.sri.channel in mine.text
    assert f'data-channel="{coop.budi.channel}"' not in mine.text
    assert client.get("/operator?tenant=99999").status_code == 404


def test_the_backlog_and_its_oldest_value(coop: Coop, operator: tuple[TestClient, str]) -> None:
    client, _ = operator
    with coop.store.write():
        coop.store.conn.execute(
            "UPDATE outbox SET updated_at = ? WHERE tenant_id = ?",
            (_now(minutes=-42), coop.sri.tenant.id),
        )
    html = english(client, "/operator").text
    start = html.index(f'data-channel="{coop.sri.channel}"')
    row = html[start : html.index("</tr>", start)]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[3] == "3"  # three stock values wait (prices are not pushed)
    assert cells[4] == "42 min"


# -- the log, its filters, and the chain ------------------------------------------------


def _log_rows(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return list(re.findall(r"<tr class=\"level-[^\"]*\">.*?</tr>", body, re.S))


def test_log_filters_narrow_the_rows(coop: Coop, operator: tuple[TestClient, str]) -> None:
    client, _ = operator
    for member in coop.members():
        for level in ("info", "warning", "error"):
            events.record(
                coop.store,
                "test.note",
                f"{level} note of {member.mark}",
                level=level,
                tenant_id=member.tenant.id,
                account_id=_channel_id(coop, member),
            )
    everything = _log_rows(client.get("/operator/log").text)
    assert len(everything) >= 6
    sri = client.get(f"/operator/log?tenant={coop.sri.tenant.id}").text
    assert "note of SRI" in sri
    assert "note of BUDI" not in sri
    bad = client.get("/operator/log?level=warning").text
    assert "warning note of BUDI" in bad
    assert "error note of SRI" in bad
    assert "info note of" not in bad
    by_channel = client.get(f"/operator/log?channel={coop.budi.channel}").text
    assert "note of BUDI" in by_channel
    assert "note of SRI" not in by_channel
    later = client.get("/operator/log", params={"since": _now(hours=1)}).text
    assert "note of" not in later
    recent = client.get("/operator/log?since=1h").text
    assert "error note of SRI" in recent
    wrong = client.get("/operator/log?since=kemarin-sore")
    assert wrong.status_code == 422
    assert "kemarin-sore" in wrong.text
    assert len(_log_rows(client.get("/operator/log?level=error&limit=50").text)) == 2


def test_a_correlation_id_links_to_its_chain(coop: Coop, operator: tuple[TestClient, str]) -> None:
    client, _ = operator
    account = _channel_id(coop, coop.sri)
    cid = f"ord:{account}:ORD-SRI-1"
    waiting = outbox.pending(coop.store, account, "stock")[0]
    pushed = outbox.Pending(
        waiting.listing_id, waiting.item_id, "", 7, waiting.seq, None, correlation_id=cid
    )
    with coop.store.write():
        audit.record_pushes(
            coop.store,
            coop.sri.tenant.id,
            account,
            "stock",
            [(pushed, ItemResult(waiting.listing_id, ok=True))],
        )
    events.record(
        coop.store,
        "test.answer",
        "shopee took the new stock of ORD-SRI-1",
        tenant_id=coop.sri.tenant.id,
        account_id=account,
        correlation_id=cid,
    )
    events.record(coop.store, "test.other", "unrelated BUDI note", tenant_id=coop.budi.tenant.id)
    log = client.get("/operator/log").text
    links = re.findall(r'<a class="cid" href="([^"]+)">' + re.escape(cid) + "</a>", log)
    assert links, "the correlation id links to its chain"
    chain = client.get(links[0].replace("&amp;", "&"))
    assert chain.status_code == 200
    assert "stock = 7 → ok" in chain.text
    assert "shopee took the new stock" in chain.text
    assert "unrelated BUDI note" not in chain.text
    # the same chain by order, and across members when no member is chosen
    by_order = client.get("/operator/log?order=ORD-SRI-1").text
    assert "stock = 7 → ok" in by_order
    assert coop.sri.tenant.name in by_order
    by_sku = client.get(f"/operator/log?sku={coop.sri.skus[0]}").text
    assert "stock = 7 → ok" in by_sku
    none = english(client, "/operator/log?correlation=ord:0:NOTHING")
    assert "Nothing recorded for that" in none.text


# -- parked pushes --------------------------------------------------------------------------


def _status(coop: Coop, seq: int) -> tuple[str, str]:
    row = coop.store.one("SELECT status, last_error FROM outbox WHERE seq = ?", (seq,))
    assert row is not None
    return row["status"], row["last_error"]


def test_parked_pushes_are_retried_and_dropped_with_the_operator_named(
    coop: Coop, operator: tuple[TestClient, str]
) -> None:
    client, csrf = operator
    sri_seq = park(coop, coop.sri, "product locked by a plugin")
    budi_seq = park(coop, coop.budi, "price out of range")
    page = client.get("/operator/outbox").text
    assert f'data-seq="{sri_seq}"' in page
    assert f'data-seq="{budi_seq}"' in page

    no_csrf = client.post(
        "/operator/outbox/retry", data={"tenant": coop.sri.tenant.id, "seq": sri_seq}
    )
    assert no_csrf.status_code == 403
    assert _status(coop, sri_seq)[0] == "parked"

    # a seq named with the wrong member changes nothing
    crossed = client.post(
        "/operator/outbox/retry",
        data={"csrf": csrf, "tenant": coop.budi.tenant.id, "seq": sri_seq},
        follow_redirects=False,
    )
    assert crossed.status_code == 303
    assert "done=gone" in crossed.headers["location"]
    assert _status(coop, sri_seq)[0] == "parked"

    retried = client.post(
        "/operator/outbox/retry", data={"csrf": csrf, "tenant": coop.sri.tenant.id, "seq": sri_seq}
    )
    assert retried.status_code == 200
    assert "akan dicoba lagi" in retried.text
    assert _status(coop, sri_seq)[0] == "pending"
    assert f'data-seq="{sri_seq}"' not in retried.text
    dropped = client.post(
        "/operator/outbox/drop",
        data={"csrf": csrf, "tenant": coop.budi.tenant.id, "seq": budi_seq},
    )
    assert "dilepaskan" in dropped.text
    status, error = _status(coop, budi_seq)
    assert status == "synced"
    assert "dropped by web:op.koperasi" in error
    again = client.post(
        "/operator/outbox/drop", data={"csrf": csrf, "tenant": coop.budi.tenant.id, "seq": budi_seq}
    )
    assert "tidak diparkir" in again.text

    kept = coop.store.all(
        "SELECT kind, tenant_id, data FROM event WHERE kind LIKE 'outbox.%' ORDER BY id"
    )
    assert [(r["kind"], r["tenant_id"]) for r in kept] == [
        ("outbox.retry", coop.sri.tenant.id),
        ("outbox.drop", coop.budi.tenant.id),
    ]
    assert all('"actor": "web:op.koperasi"' in r["data"] for r in kept)
    log = english(client, "/operator/log").text
    assert "retried by web:op.koperasi" in log
    assert "dropped by web:op.koperasi" in log
    assert (
        client.post(
            "/operator/outbox/retry", data={"csrf": csrf, "tenant": "x", "seq": sri_seq}
        ).status_code
        == 404
    )


# -- members and users -------------------------------------------------------------------


def test_members_and_users_are_managed_and_a_new_user_signs_in(
    coop: Coop, operator: tuple[TestClient, str]
) -> None:
    client, csrf = operator

    def post(path: str, **form: object) -> Any:
        return client.post(path, data={"csrf": csrf, **form})

    def status(path: str, **form: object) -> int:
        return int(post(path, **form).status_code)

    def user(login: str) -> users.User | None:
        return users.find_user(coop.store, login)

    def roles() -> list[tuple[int, str]]:
        found = user("owner.ani")
        assert found is not None
        return sorted((m.tenant_id, m.role) for m in users.memberships(coop.store, found.id))

    def signs_in(login: str, password: str) -> bool:
        for other in client_for(app_for(coop)):  # an app of its own (closing one closes its db)
            try:
                sign_in(other, login, password)
            except AssertionError:
                return False
            assert other.get("/").status_code == 200
            assert other.get("/operator").status_code == 403
        return True

    added = post("/operator/members/add", name="Warung Bu Ani")
    assert added.status_code == 200
    assert "Anggota ditambahkan" in added.text
    ani = catalog.resolve_tenant(coop.store, "Warung Bu Ani")
    assert status("/operator/members/add", name="Warung Bu Ani") == 422  # already there

    secret = "rahasia-ani-2026"  # noqa: S105 - a test's password
    new_user = {"login": "owner.ani", "tenant": ani.id, "role": "owner"}
    short = "1234567"
    weak = post("/operator/members/user", password=short, password2=short, **new_user)
    assert weak.status_code == 422
    assert short not in weak.text
    assert 'value="owner.ani"' in weak.text  # the login is kept, never the password
    differ = post("/operator/members/user", password=secret, password2=secret + "x", **new_user)
    assert differ.status_code == 422
    assert secret not in differ.text
    made = post("/operator/members/user", password=secret, password2=secret, **new_user)
    assert made.status_code == 200
    assert secret not in made.text
    assert 'data-login="owner.ani"' in made.text
    assert roles() == [(ani.id, "owner")]
    assert signs_in("owner.ani", secret)

    assert status("/operator/members/role", login="owner.ani", tenant=ani.id, role="staff") == 200
    assert roles() == [(ani.id, "staff")]
    budi = coop.budi.tenant.id
    assert status("/operator/members/role", login="owner.ani", tenant=budi, role="cashier") == 200
    assert roles() == sorted([(ani.id, "staff"), (budi, "cashier")])
    assert status("/operator/members/revoke", login="owner.ani", tenant=budi) == 200
    assert roles() == [(ani.id, "staff")]
    assert status("/operator/members/role", login="nobody", tenant=ani.id, role="staff") == 404
    assert status("/operator/members/role", login="owner.ani", tenant=ani.id, role="boss") == 422

    fresh = "kata-sandi-baru-99"
    reset = post("/operator/members/password", login="owner.ani", password=fresh, password2=fresh)
    assert reset.status_code == 200
    assert fresh not in reset.text
    assert not signs_in("owner.ani", secret)
    assert signs_in("owner.ani", fresh)

    assert status("/operator/members/state", login="owner.ani", action="disable") == 200
    assert getattr(user("owner.ani"), "disabled", False)
    assert not signs_in("owner.ani", fresh)
    assert status("/operator/members/state", login="owner.ani", action="enable") == 200
    assert signs_in("owner.ani", fresh)

    own = post("/operator/members/state", login="op.koperasi", action="disable")
    assert own.status_code == 422  # not one's own account
    assert not getattr(user("op.koperasi"), "disabled", True)
    assert status("/operator/members/remove", login="owner.ani") == 200
    assert user("owner.ani") is None

    assert (
        status(
            "/operator/members/user",
            login="op.kedua",
            password=secret,
            password2=secret,
            tenant="",
            role="owner",
            operator="1",
        )
        == 200
    )
    assert getattr(user("op.kedua"), "operator", False)
    nobody = post(
        "/operator/members/user", login="lost.user", password=secret, password2=secret, tenant=""
    )
    assert nobody.status_code == 422  # neither a member's role nor an operator
    assert user("lost.user") is None
    done = coop.store.all("SELECT DISTINCT what FROM change_log WHERE actor = 'web:op.koperasi'")
    assert {r["what"] for r in done} == {"tenant", "user"}  # kept with who did it


# -- roles: a member's own roles are refused everywhere -------------------------------------


def test_member_roles_get_403_on_every_operator_page(coop: Coop, app: object) -> None:
    page_modules()
    routes = [p for p in PAGES if p.path.startswith("/operator")]
    assert routes
    assert all(p.roles == frozenset({"operator"}) for p in routes)
    ids = {"tenant": str(coop.budi.tenant.id), "seq": "1", "login": coop.budi.logins["owner"]}
    for role in ("owner", "staff", "cashier"):
        for client in client_for(app):
            csrf = session_for(client, coop, coop.sri.logins[role])
            for p in routes:
                for method in p.methods:
                    if method == "GET":
                        answer = client.get(p.path, params=ids)
                    else:
                        answer = client.post(p.path, data={"csrf": csrf, **ids})
                    assert answer.status_code == 403, (role, method, p.path)
                    for mark in filter(None, coop.budi.secrets_in_page):
                        assert mark not in answer.text, (role, p.path, mark)
    for client in client_for(app):  # a stranger is sent to the login page
        for path in OPERATOR_GETS:
            answer = client.get(path, follow_redirects=False)
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/login")
    assert users.find_user(coop.store, coop.budi.logins["owner"]) is not None


# -- no secret reaches a page ---------------------------------------------------------------


def test_no_token_password_or_hash_appears_in_any_page(
    coop: Coop, operator: tuple[TestClient, str]
) -> None:
    client, _ = operator
    tokens = [token_of(m) for m in coop.members()] + [
        token_of(m) + "-refresh" for m in coop.members()
    ]
    seq = park(coop, coop.sri, "x")
    with coop.store.write():  # a marketplace that echoed a token, written past the scrubber
        coop.store.conn.execute(
            "UPDATE outbox SET last_error = ? WHERE seq = ?", (f"bad token {tokens[0]}", seq)
        )
        coop.store.conn.execute(
            "INSERT INTO event (tenant_id, channel_account_id, at, level, kind, sku, message, "
            "correlation_id, data) VALUES (?, ?, ?, 'error', 'push.failed', NULL, ?, '', '{}')",
            (coop.budi.tenant.id, _channel_id(coop, coop.budi), _now(), f"echo {tokens[1]}"),
        )
    fail_job(coop, coop.budi, f"refresh refused for {tokens[3]}")
    # a fresh web process has not loaded these tokens yet: nothing masks them but the page
    for value in tokens:
        REGISTRY.discard(value)
    operator_scope._ARMED.clear()
    hashes = [r[0] for r in coop.store.conn.execute("SELECT password_hash FROM web_user")]
    bodies = [client.get(path).text for path in OPERATOR_GETS]
    bodies.append(client.get("/operator", headers={"HX-Request": "true"}).text)
    bodies += [
        client.get(f"/operator/log?tenant={m.tenant.id}&level=error").text for m in coop.members()
    ]
    bodies.append(client.get(f"/operator/log?sku={coop.sri.skus[0]}").text)
    assert any("bad token" in b for b in bodies)
    assert any("refresh refused" in b for b in bodies)
    for body in bodies:
        for value in [*tokens, PASSWORD, *hashes, "$argon2"]:
            assert value not in body


def test_the_overview_says_cannot_decrypt_without_the_key(
    coop: Coop, operator: tuple[TestClient, str]
) -> None:
    client, _ = operator
    key = coop.db_path.with_name(coop.db_path.name + ".key")
    key.rename(key.with_suffix(".gone"))
    html = client.get("/operator").text
    assert 'data-state="cannot_decrypt"' in _row(html, coop.sri.channel)
    for member in coop.members():
        assert token_of(member) not in html
