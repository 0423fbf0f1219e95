"""The real-browser tests: headless Chromium from the OS packages, driven by Playwright,
against the real web app served by uvicorn on 127.0.0.1.

One browser for the whole package, a new browser context (cookies, storage, service
workers) per test, and a fresh copy of the two-member cooperative (tests/webkit.py) per
test. The cooperative is built once and copied: its seven argon2 password hashes are
the slow part.

No Chromium → every browser test FAILS, saying how to install it (``apt-get install
chromium``), unless ``SYNCD_NO_BROWSER=1`` asks to skip them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from syncd.config import Settings
from syncd.store import Store
from tests.webkit import PASSWORD, Coop, build_coop

# Playwright's own browser downloads are not used: the OS's Chromium is.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
#: how long one step may wait for the page (ms): short, so that a broken page fails fast
STEP_MS = 10_000


def chromium_path() -> str | None:
    """The OS's Chromium (Debian: package ``chromium``; Ubuntu: ``chromium-browser``)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright: Any) -> Any:
    """Launch the OS's Chromium headless (``playwright`` is a started sync Playwright)."""
    exe = chromium_path()
    if exe is None:
        raise RuntimeError(
            "Chromium was not found (looked for 'chromium' and 'chromium-browser' on PATH). "
            "Install it: sudo apt-get install chromium (or run 'make browser' as root); "
            "set SYNCD_NO_BROWSER=1 to skip the browser tests."
        )
    return playwright.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if os.environ.get("SYNCD_NO_BROWSER") == "1":
        pytest.skip("SYNCD_NO_BROWSER=1: the real-browser tests are skipped")
    if chromium_path() is None:
        pytest.fail(
            "The browser tests need the OS's Chromium and it is not installed: "
            "apt-get install chromium (as root; or 'make browser'). "
            "Set SYNCD_NO_BROWSER=1 to skip them instead.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="package")
def coop_template(tmp_path_factory: pytest.TempPathFactory) -> Coop:
    """The cooperative, built once (closed: each test gets a copy of its file)."""
    path = tmp_path_factory.mktemp("coop") / "template.db"
    coop = build_coop(path)
    coop.store.close()
    return coop


@dataclass
class Site:
    """The web app serving a fresh copy of the cooperative."""

    url: str
    coop: Coop
    server: Any

    @property
    def store(self) -> Store:
        return self.coop.store

    def movements(self, kind: str = "offline_sale") -> list[Any]:
        return self.store.all(
            "SELECT m.kind, m.qty, m.idem_key, m.source, m.channel, s.sku, m.tenant_id "
            "FROM movement m JOIN sku s ON s.id = m.sku_id WHERE m.kind = ? ORDER BY m.id",
            (kind,),
        )

    def available(self, tenant_id: int, sku: str) -> int:
        from syncd import availability

        rows = availability.stock_table(self.store, tenant_id)
        return next(r.available for r in rows if r.sku == sku)


def copy_db(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        src = source.with_name(source.name + suffix)
        if src.exists():
            shutil.copyfile(src, target.with_name(target.name + suffix))


@pytest.fixture
def site(browser: Any, coop_template: Coop, tmp_path: Path) -> Iterator[Site]:
    """(``browser`` first: without Chromium nothing else is built.)"""
    from syncd.web.app import Server

    db_path = tmp_path / "s.db"
    copy_db(coop_template.db_path, db_path)
    store = Store(db_path)
    coop = Coop(db_path, store, coop_template.sri, coop_template.budi)
    server = Server(db_path, Settings(), "127.0.0.1:0")
    server.start()
    try:
        assert server.port != 0, "Server.port did not report the bound port"
        yield Site(f"http://127.0.0.1:{server.port}", coop, server)
    finally:
        server.stop()
        store.close()


Pages = Callable[..., Any]


@pytest.fixture
def new_page(browser: Any, site: Site) -> Iterator[Pages]:
    """``new_page(viewport=PHONE, **context_options)``: a page in a new browser context
    (closed after the test)."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] | None = None, **options: Any) -> Any:
        context = browser.new_context(
            viewport=viewport or DESKTOP, base_url=site.url, locale="id-ID", **options
        )
        context.set_default_timeout(STEP_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Any, login: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()


def signed_in(page: Any, site: Site, login: str, path: str = "/") -> None:
    """Open a session for ``login`` straight in the database and put its cookie in the
    browser (what the login form does, without its deliberate argon2 cost), then open
    ``path``. The login form itself is driven by test_login.py."""
    from syncd import users

    user = users.find_user(site.store, login)
    assert user is not None, login
    mine = users.memberships(site.store, user.id)
    token, _ = users.open_session(
        site.store, user, mine[0].tenant_id if mine else None, hours=Settings().web.session_hours
    )
    page.context.add_cookies(
        [{"name": "syncd_session", "value": token, "url": site.url, "httpOnly": True}]
    )
    page.goto(path)
