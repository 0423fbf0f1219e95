"""The web app's frame: signing in, sessions, CSRF, throttling, headers, languages, and
the cashier's sale API (recorded once per phone key; a sale that no longer fits is never
dropped)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from syncd import catalog, i18n, users
from syncd.i18n import t
from syncd.web.core import SESSION_COOKIE
from tests.webkit import PASSWORD, Coop, app_for, client_for, copy_coop, csrf_of, sign_in


@pytest.fixture
def coop(tmp_path: Path) -> Iterator[Coop]:
    c = copy_coop(tmp_path / "s.db")
    yield c
    c.store.close()


@pytest.fixture
def client(coop: Coop) -> Iterator[TestClient]:
    yield from client_for(app_for(coop))


def _sales(coop: Coop, tenant_id: int) -> list[tuple[str, int, str]]:
    return [
        (r[0], r[1], r[2])
        for r in coop.store.all(
            "SELECT s.sku, m.qty, m.idem_key FROM movement m JOIN sku s ON s.id = m.sku_id "
            "WHERE m.tenant_id = ? AND m.kind = 'offline_sale' ORDER BY m.id",
            (tenant_id,),
        )
    ]


def _available(client: TestClient, sku: str) -> int:
    items = client.get("/api/cashier/items").json()["items"]
    return next(i["available"] for i in items if i["sku"] == sku)


# -- signing in -------------------------------------------------------------------------


def test_a_stranger_is_sent_to_the_login_page(client: TestClient) -> None:
    for path in ("/", "/cashier", "/operator"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/login?next={path}"
    assert client.get("/api/cashier/items").status_code == 401


def test_sign_in_lands_each_role_on_its_page(coop: Coop, client: TestClient) -> None:
    page = client.get("/login")
    for login, landing in (("cashier.sri", "/cashier"), ("op.koperasi", "/operator")):
        client.cookies.clear()
        page = client.get("/login")
        answer = client.post(
            "/login",
            data={"login": login, "password": PASSWORD, "csrf": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert answer.headers["location"] == landing
    client.cookies.clear()
    sign_in(client, "owner.sri")
    home = client.get("/")
    assert home.status_code == 200
    assert "SRI-NASTAR" in home.text


def test_wrong_password_is_refused_in_indonesian_and_english(client: TestClient) -> None:
    page = client.get("/login")
    answer = client.post(
        "/login", data={"login": "owner.sri", "password": "salah", "csrf": csrf_of(page.text)}
    )
    assert answer.status_code == 401
    with i18n.use_lang("id"):
        refused = t("users.login_refused")
    assert html.escape(refused, quote=True) in answer.text
    client.get("/lang/en")
    page = client.get("/login")
    assert "Sign in to syncd" in page.text
    answer = client.post(
        "/login", data={"login": "nobody", "password": "x" * 12, "csrf": csrf_of(page.text)}
    )
    assert answer.status_code == 401
    assert SESSION_COOKIE not in answer.cookies


def test_login_without_its_csrf_cookie_is_refused(client: TestClient) -> None:
    answer = client.post("/login", data={"login": "owner.sri", "password": PASSWORD, "csrf": "x"})
    assert answer.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_login_is_throttled_after_repeated_failures(client: TestClient) -> None:
    for _ in range(5):
        page = client.get("/login")
        wrong = {"login": "owner.sri", "password": "bukan-ini", "csrf": csrf_of(page.text)}
        client.post("/login", data=wrong)
    page = client.get("/login")
    answer = client.post(
        "/login", data={"login": "owner.sri", "password": PASSWORD, "csrf": csrf_of(page.text)}
    )
    assert answer.status_code == 429  # even the right password waits: the login is throttled
    assert SESSION_COOKIE not in client.cookies


def test_every_sign_in_gets_a_new_session_id(coop: Coop, client: TestClient) -> None:
    """Session fixation: a cookie set before signing in is never the signed-in session."""
    client.cookies.set(SESSION_COOKIE, "planted-by-someone-else", domain="127.0.0.1")
    sign_in(client, "owner.sri")
    first = client.cookies.get(SESSION_COOKIE)
    assert first
    assert first != "planted-by-someone-else"
    client.cookies.clear()
    sign_in(client, "owner.sri")
    second = client.cookies.get(SESSION_COOKIE)
    assert second
    assert second != first
    # the planted value opens nothing
    other = TestClient(client.app, base_url="http://127.0.0.1")
    other.cookies.set(SESSION_COOKIE, "planted-by-someone-else")
    assert other.get("/", follow_redirects=False).status_code == 303


def test_an_expired_session_signs_out(coop: Coop, client: TestClient) -> None:
    sign_in(client, "owner.sri")
    assert client.get("/", follow_redirects=False).status_code == 200
    with coop.store.write():
        coop.store.conn.execute("UPDATE web_session SET expires_at = '2000-01-01T00:00:00+00:00'")
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


def test_logout_ends_the_session_on_the_server(coop: Coop, client: TestClient) -> None:
    csrf = sign_in(client, "owner.sri")
    token = client.cookies.get(SESSION_COOKIE)
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert coop.store.scalar("SELECT COUNT(*) FROM web_session") == 0
    replay = TestClient(client.app, base_url="http://127.0.0.1")
    replay.cookies.set(SESSION_COOKIE, token or "")
    assert replay.get("/", follow_redirects=False).status_code == 303


def test_a_removed_membership_ends_access(coop: Coop, client: TestClient) -> None:
    sign_in(client, "staff.sri")
    assert client.get("/", follow_redirects=False).status_code == 200
    users.revoke(coop.store, "staff.sri", coop.sri.tenant.id, actor="test")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_switching_shops_only_into_ones_own(coop: Coop, client: TestClient) -> None:
    users.grant(coop.store, "owner.sri", coop.budi.tenant.id, "staff", actor="test")
    csrf = sign_in(client, "owner.sri")
    assert "BUDI-NASTAR" not in client.get("/").text
    client.post("/tenant", data={"csrf": csrf, "tenant": str(coop.budi.tenant.id)})
    page = client.get("/")
    assert "BUDI-NASTAR" in page.text
    assert "SRI-NASTAR" not in page.text
    users.revoke(coop.store, "owner.sri", coop.budi.tenant.id, actor="test")
    client.cookies.clear()
    csrf = sign_in(client, "owner.sri")
    answer = client.post("/tenant", data={"csrf": csrf, "tenant": str(coop.budi.tenant.id)})
    assert answer.status_code in (403, 404, 422)
    assert "BUDI-NASTAR" not in client.get("/").text


# -- what every answer carries ----------------------------------------------------------


def test_security_headers_on_pages_json_and_static(coop: Coop) -> None:
    for client in client_for(app_for(coop)):
        for path in ("/login", "/healthz", "/sw.js", "/static/app.css"):
            answer = client.get(path)
            csp = answer.headers["content-security-policy"]
            assert "script-src 'self'" in csp
            assert "frame-ancestors 'none'" in csp
            assert "unsafe-inline" not in csp
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert "strict-transport-security" not in answer.headers  # plain HTTP: no HSTS
        login = client.get("/login")
        assert login.headers["cache-control"] == "no-store"
        assert "<script>" not in login.text  # no inline script anywhere
    from syncd.config import Settings, WebSettings

    behind = Settings(web=WebSettings(behind_tls=True))
    for client in client_for(app_for(coop, behind)):
        answer = client.get("/login")
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        cookie = answer.headers["set-cookie"].lower()
        assert "secure" in cookie
        assert "httponly" in cookie
        assert "samesite=lax" in cookie


def test_session_cookie_flags(client: TestClient) -> None:
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"login": "owner.sri", "password": PASSWORD, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    cookie = next(
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v
    ).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie


def test_oversize_and_broken_bodies_are_refused(client: TestClient) -> None:
    csrf = sign_in(client, "cashier.sri")
    big = client.post(
        "/api/sales",
        content=b"{" + b" " * (70 * 1024) + b"}",
        headers={"content-type": "application/json", "x-csrf-token": csrf},
    )
    assert big.status_code == 413
    broken = client.post(
        "/api/sales",
        content=b"{not json",
        headers={"content-type": "application/json", "x-csrf-token": csrf},
    )
    assert broken.status_code == 400


def test_no_open_redirect_after_login(client: TestClient) -> None:
    page = client.get("/login?next=https://evil.example/")
    answer = client.post(
        "/login",
        data={
            "login": "owner.sri",
            "password": PASSWORD,
            "csrf": csrf_of(page.text),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


# -- the cashier's sales ------------------------------------------------------------------


def _sell(client: TestClient, csrf: str, key: str, sku: str, qty: int) -> dict[str, object]:
    answer = client.post(
        "/api/sales",
        json={"key": key, "items": [{"sku": sku, "qty": qty}], "channel": "cash"},
        headers={"x-csrf-token": csrf},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_a_sale_sent_twice_moves_stock_once(coop: Coop, client: TestClient) -> None:
    csrf = sign_in(client, "cashier.sri")
    assert _sell(client, csrf, "phone-sale-0001", "SRI-NASTAR", 2)["status"] == "recorded"
    assert _sell(client, csrf, "phone-sale-0001", "SRI-NASTAR", 2)["status"] == "already"
    assert _sales(coop, coop.sri.tenant.id) == [("SRI-NASTAR", 2, "web:phone-sale-0001#1")]
    assert _available(client, "SRI-NASTAR") == 8
    source = coop.store.scalar("SELECT source FROM movement WHERE idem_key LIKE 'web:%'")
    assert source == "web"


def test_a_sale_needs_the_session_csrf_token(coop: Coop, client: TestClient) -> None:
    sign_in(client, "cashier.sri")
    for headers in ({}, {"x-csrf-token": "wrong"}):
        answer = client.post(
            "/api/sales",
            json={"key": "phone-sale-0002", "items": [{"sku": "SRI-NASTAR", "qty": 1}]},
            headers=headers,
        )
        assert answer.status_code == 403
    assert _sales(coop, coop.sri.tenant.id) == []


def test_another_members_sku_is_not_found_and_nothing_moves(coop: Coop, client: TestClient) -> None:
    csrf = sign_in(client, "cashier.sri")
    answer = client.post(
        "/api/sales",
        json={"key": "phone-sale-0003", "items": [{"sku": "BUDI-NASTAR", "qty": 1}]},
        headers={"x-csrf-token": csrf},
    )
    assert answer.status_code == 404
    assert "BUDI" not in answer.text
    assert _sales(coop, coop.budi.tenant.id) == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"key": "short", "items": [{"sku": "SRI-NASTAR", "qty": 1}]}, "web.sale_key"),
        ({"key": "phone-sale-0004", "items": []}, "web.sale_empty"),
        ({"key": "phone-sale-0004", "items": [{"sku": "SRI-NASTAR", "qty": "1"}]}, "web.sale_line"),
        ({"key": "phone-sale-0004", "items": [{"sku": "SRI-NASTAR", "qty": 0}]}, "web.sale_qty"),
        (
            {"key": "phone-sale-0004", "items": [{"sku": "SRI-NASTAR", "qty": 1}], "channel": "x"},
            "web.sale_channel",
        ),
    ],
)
def test_a_bad_sale_says_what_is_wrong(
    coop: Coop, client: TestClient, body: dict[str, object], code: str
) -> None:
    csrf = sign_in(client, "cashier.sri")
    answer = client.post("/api/sales", json=body, headers={"x-csrf-token": csrf})
    assert answer.status_code == 422
    assert answer.json()["code"] == code
    assert _sales(coop, coop.sri.tenant.id) == []


def test_a_sale_that_no_longer_fits_is_recorded_and_flagged(coop: Coop, client: TestClient) -> None:
    csrf = sign_in(client, "cashier.sri")
    answer = _sell(client, csrf, "phone-sale-0005", "SRI-NASTAR", 12)
    assert answer["status"] == "flagged"
    assert answer["short"] == ["SRI-NASTAR"]
    assert _sales(coop, coop.sri.tenant.id) == [("SRI-NASTAR", 12, "web:phone-sale-0005#1")]
    flagged = coop.store.one("SELECT kind, level, sku FROM event WHERE kind = 'sale.flagged'")
    assert flagged is not None
    assert (flagged["level"], flagged["sku"]) == ("warning", "SRI-NASTAR")
    assert _sell(client, csrf, "phone-sale-0005", "SRI-NASTAR", 12)["status"] == "already"
    assert len(_sales(coop, coop.sri.tenant.id)) == 1


def test_with_the_hold_policy_a_short_sale_waits_for_the_owner(
    coop: Coop, client: TestClient
) -> None:
    catalog.set_tenant_policy(
        coop.store, coop.sri.tenant.id, "offline_oversell", "hold", actor="test"
    )
    csrf = sign_in(client, "cashier.sri")
    assert _sell(client, csrf, "phone-sale-0006", "SRI-NASTAR", 12)["status"] == "held"
    assert _sell(client, csrf, "phone-sale-0006", "SRI-NASTAR", 12)["status"] == "already"
    assert _sales(coop, coop.sri.tenant.id) == []
    held = coop.store.all("SELECT key, resolved_at FROM held_sale")
    assert [(r[0], r[1]) for r in held] == [("web:phone-sale-0006", None)]
    assert _available(client, "SRI-NASTAR") == 10  # nothing moved: the owner decides


# -- serving ---------------------------------------------------------------------------


def test_the_server_listens_on_loopback_and_stops(coop: Coop) -> None:
    import httpx

    from syncd.config import Settings
    from syncd.web.app import Server

    server = Server(coop.db_path, Settings(), "127.0.0.1:0")
    server.start()
    try:
        url = f"http://127.0.0.1:{server.port}"
        assert httpx.get(f"{url}/healthz", timeout=5).text.strip() == "ok"
        login = httpx.get(f"{url}/login", timeout=5)
        assert "Masuk ke syncd" in login.text
    finally:
        server.stop()
    assert not server.thread.is_alive()


@pytest.mark.parametrize("bind", ["8750", "localhost", "127.0.0.1:http", ":8750", "h:70000"])
def test_a_wrong_bind_says_how_to_write_it(coop: Coop, bind: str) -> None:
    from syncd.config import Settings
    from syncd.errors import UserError
    from syncd.web.app import Server

    with pytest.raises(UserError) as info:
        Server(coop.db_path, Settings(), bind)
    assert info.value.key == "web.bad_bind"
    assert "HOST:PORT" in str(info.value)


def test_run_once_with_the_web_app_beside_it(coop: Coop) -> None:
    import contextlib
    import io
    import re

    from syncd.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(coop.db_path), "run", "--once", "--web", "127.0.0.1:0"])
    assert re.search(r"http://127\.0\.0\.1:[1-9]\d*", out.getvalue())  # the real port
    assert code in (0, 1)  # 1: the demo coop's shops are not connected (said on stderr)
    assert "Traceback" not in err.getvalue()


def test_a_part_of_a_page_asked_after_the_session_ended_takes_the_tab_to_login(
    client: TestClient,
) -> None:
    answer = client.get("/operator", headers={"hx-request": "true"}, follow_redirects=False)
    assert answer.status_code == 204
    assert answer.headers["hx-redirect"] == "/login?next=/operator"


def test_a_value_that_does_not_fit_its_model_is_a_422_naming_the_field(
    coop: Coop, client: TestClient
) -> None:
    sign_in(client, "op.koperasi")
    page = client.get("/operator/members")
    answer = client.post("/operator/members/add", data={"csrf": csrf_of(page.text), "name": ""})
    assert answer.status_code == 422
    assert "name" in answer.text
    assert coop.store.scalar("SELECT COUNT(*) FROM tenant") == 2


def test_the_longest_login_can_still_record_a_sale(coop: Coop, client: TestClient) -> None:
    """A movement's actor is "web:<login>" and may have 64 characters: logins stop at 60."""
    from syncd.errors import UserError

    longest = "k" * 60
    users.add_user(
        coop.store, longest, PASSWORD, tenant_id=coop.sri.tenant.id, role="cashier", actor="t"
    )
    with pytest.raises(UserError):
        users.add_user(
            coop.store, "k" * 61, PASSWORD, tenant_id=coop.sri.tenant.id, role="cashier", actor="t"
        )
    csrf = sign_in(client, longest)
    assert _sell(client, csrf, "phone-sale-long", "SRI-NASTAR", 1)["status"] == "recorded"


def test_the_example_config_web_and_notify_blocks_load() -> None:
    """config/syncd.example.toml's [web] and [notify] lines, uncommented, are valid."""
    import re
    import tomllib

    from syncd.config import Settings

    root = Path(__file__).resolve().parent.parent
    text = (root / "config" / "syncd.example.toml").read_text(encoding="utf-8")
    block = text.split("# [web]", 1)[1]
    lines = ["[web]"] + [
        m.group(1) for ln in block.splitlines() if (m := re.match(r"# (\[notify\]|\w+ = .*)$", ln))
    ]
    settings = Settings.model_validate(tomllib.loads("\n".join(lines)))
    assert settings.web.public_url == "https://koperasi.example.id"
    assert settings.notify.per_hour == 6
