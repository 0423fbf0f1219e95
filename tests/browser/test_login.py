"""Signing in, in a real browser: refused with the catalogue's words, then admitted."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from syncd.i18n import t, use_lang
from tests.browser.conftest import PHONE, Pages, Site, sign_in


def test_wrong_password_is_refused_then_the_right_one_lands_on_the_members_page(
    site: Site, new_page: Pages
) -> None:
    page: Any = new_page(viewport=PHONE)
    sign_in(page, "owner.sri", "bukan-kata-sandinya")

    with use_lang("id"):
        refusal = t("users.login_refused")
    expect(page.locator("p.error[role=alert]")).to_have_text(refusal)
    assert page.url.endswith("/login")
    failures = site.store.all("SELECT login FROM login_failure")
    assert [r["login"] for r in failures] == ["owner.sri"]
    assert site.store.scalar("SELECT COUNT(*) FROM web_session") == 0

    sign_in(page, "owner.sri")
    assert page.url == site.url + "/"
    sri = site.coop.sri
    for code in sri.skus:  # the member's own stock list
        expect(page.locator("main")).to_contain_text(code)
    for code in site.coop.budi.skus:
        expect(page.locator("main")).not_to_contain_text(code)
    sessions = site.store.all(
        "SELECT u.login, s.tenant_id FROM web_session s JOIN web_user u ON u.id = s.user_id"
    )
    assert [(r["login"], r["tenant_id"]) for r in sessions] == [("owner.sri", sri.tenant.id)]
    # a good sign-in clears the login's failures (the throttle counts afresh)
    assert site.store.scalar("SELECT COUNT(*) FROM login_failure") == 0
    cookie = next(c for c in page.context.cookies() if c["name"] == "syncd_session")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Lax"
