"""The cooperative's operator, in a real browser: a member's channel that starts failing
shows as failing on the overview within one refresh (the htmx fragment the page polls
every 10 s, and a plain reload)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import expect

from syncd import catalog, credentials, health
from syncd.adapter import Credentials
from syncd.i18n import t, use_lang
from tests.browser.conftest import DESKTOP, Pages, Site, signed_in


def connect(site: Site) -> credentials.Vault:
    """Give every member's channel tokens (sealed), so that its state is its jobs'."""
    vault = credentials.Vault(credentials.load_key(site.coop.db_path))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    for member in site.coop.members():
        channel = catalog.get_channel(site.store, member.tenant.id, member.channel)
        tokens = Credentials(f"akses-{member.mark}", f"segar-{member.mark}", later, later, later)
        credentials.save(site.store, vault, member.tenant.id, channel.id, tokens=tokens)
    return vault


def fail_job(site: Site, tenant_id: int, channel_id: int, error: str) -> None:
    """What the daemon writes when a channel's job fails (``Daemon._job_ran``)."""
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with site.store.write():
        site.store.conn.execute(
            "INSERT INTO job_run (tenant_id, channel_account_id, job) VALUES (?, ?, 'push') "
            "ON CONFLICT (channel_account_id, job) DO NOTHING",
            (tenant_id, channel_id),
        )
        site.store.conn.execute(
            "UPDATE job_run SET last_error = ?, failures = failures + 1, "
            "failing_since = COALESCE(failing_since, ?) "
            "WHERE channel_account_id = ? AND job = 'push'",
            (error, at, channel_id),
        )


def test_a_failing_channel_appears_within_one_refresh(site: Site, new_page: Pages) -> None:
    vault = connect(site)
    sri, budi = site.coop.sri, site.coop.budi
    page: Any = new_page(viewport=DESKTOP)
    signed_in(page, site, site.coop.operator, "/operator")
    assert page.url == site.url + "/operator"
    row = page.locator(f"tr[data-channel='{sri.channel}']")
    other = page.locator(f"tr[data-channel='{budi.channel}']")
    expect(row).to_have_count(1)
    expect(other).to_have_count(1)
    expect(row).not_to_have_attribute("data-state", "failing")
    before = row.get_attribute("data-state")

    channel = catalog.get_channel(site.store, sri.tenant.id, sri.channel)
    fail_job(site, sri.tenant.id, channel.id, "ShopeeError: error_server (shop sedang dibatasi)")
    state = health.channel_health(site.store, channel.id, vault=vault)
    assert state.state == "failing"  # what the database now says

    # the refresh the page does by itself every 10 s: the same request, made now
    refresh = page.locator("#overview").get_attribute("hx-get")
    assert refresh
    assert page.locator("#overview").get_attribute("hx-trigger") == "every 10s"
    page.evaluate(
        "(url) => htmx.ajax('GET', url, {target: '#overview', swap: 'innerHTML'})", refresh
    )
    expect(row).to_have_attribute("data-state", "failing")
    with use_lang("id"):
        failing = t("state.failing")
    expect(row.locator(".badge")).to_have_text(failing)
    expect(row).to_contain_text("error_server")
    expect(other).to_have_attribute("data-state", str(before))  # the other member is untouched

    page.reload()  # and a plain reload shows the same
    expect(row).to_have_attribute("data-state", "failing")
    expect(page.locator("tbody tr").first).to_have_attribute("data-channel", sri.channel)
    for secret in ("akses-SRI", "segar-SRI", "akses-BUDI", "segar-BUDI"):
        assert secret not in page.content()
