"""A channel's authorization horizon: warnings at 14, 3 and 1 day(s), and ``status``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from adapters.shopee.simulator import ShopeeSimulator
from syncd import catalog, credentials, localtime
from syncd.adapter import Credentials
from syncd.catalog import Channel, Tenant
from syncd.cli_words import event_text
from syncd.daemon import Daemon
from syncd.horizon import warn_due
from syncd.i18n import set_lang
from syncd.models import ChannelIn
from syncd.store import Store
from tests.conftest import Cli, connect_channel

NOW = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)  # 12:00 WIB
KEY = "shpk_demo_partner_key_0123456789"


def _channel(store: Store, tenant: Tenant, name: str = "lazada") -> Channel:
    shop = f"{name}-{tenant.id}"
    return catalog.add_channel(
        store, tenant.id, ChannelIn(name=name, marketplace="lazada", shop_id=shop)
    )


def _authorize(
    store: Store,
    tenant: Tenant,
    channel: Channel,
    *,
    auth: dt.datetime | None = None,
    refresh: dt.datetime | None = None,
    at: dt.datetime = NOW,
) -> None:
    """Save tokens as a code exchange would: this authorization ends at ``auth``, its
    refresh token at ``refresh``."""
    tokens = Credentials("acc-tok", "ref-tok", at + dt.timedelta(hours=4), refresh, auth)
    vault = credentials.Vault(credentials.load_key(store.path))
    credentials.save(store, vault, tenant.id, channel.id, app={"app_secret": "s"}, tokens=tokens)


def _warnings(store: Store) -> list[tuple[str, int]]:
    rows = store.all("SELECT level, data FROM event WHERE kind = 'auth.expiring' ORDER BY id")
    return [(r["level"], json.loads(r["data"])["days"]) for r in rows]


def _days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def test_warned_once_at_14_3_and_1_days(store: Store, tenant: Tenant) -> None:
    ch = _channel(store, tenant)
    _authorize(store, tenant, ch, auth=NOW + _days(20))
    for day, expected in (
        (0, []),
        (5, []),  # 15 days ahead: nothing yet
        (6, [("warning", 14)]),  # exactly 14 days ahead
        (7, [("warning", 14)]),  # 13 days: 14 was warned already
        (16, [("warning", 14)]),
        (17, [("warning", 14), ("warning", 3)]),
        (18.5, [("warning", 14), ("warning", 3)]),
        (19, [("warning", 14), ("warning", 3), ("error", 1)]),
        (19.9, [("warning", 14), ("warning", 3), ("error", 1)]),
        (21, [("warning", 14), ("warning", 3), ("error", 1)]),  # passed: health's needs_reauth
    ):
        now = NOW + _days(day)
        warn_due(store, now)
        assert warn_due(store, now) == []  # again at the same moment: nothing new
        assert _warnings(store) == expected, day
    assert store.scalar("SELECT auth_warned FROM channel_account WHERE id = ?", (ch.id,)) == 1


def test_first_seen_late_raises_only_the_nearest_threshold(store: Store, tenant: Tenant) -> None:
    ch = _channel(store, tenant)
    _authorize(store, tenant, ch, auth=NOW + _days(2))
    raised = warn_due(store, NOW)
    assert [(w.account_id, w.threshold, w.horizon) for w in raised] == [(ch.id, 3, NOW + _days(2))]
    assert _warnings(store) == [("warning", 3)]


def test_cleared_by_a_new_authorization_and_raised_again(store: Store, tenant: Tenant) -> None:
    ch = _channel(store, tenant)
    _authorize(store, tenant, ch, auth=NOW + _days(2))
    warn_due(store, NOW)
    assert _warnings(store) == [("warning", 3)]
    later = NOW + _days(1)
    _authorize(store, tenant, ch, auth=later + _days(180), at=later)  # the seller authorized
    assert warn_due(store, later) == []
    assert store.scalar("SELECT auth_warned FROM channel_account WHERE id = ?", (ch.id,)) is None
    nearing = later + _days(180 - 14)
    assert [w.threshold for w in warn_due(store, nearing)] == [14]
    assert _warnings(store) == [("warning", 3), ("warning", 14)]


def test_a_new_horizon_still_within_14_days_keeps_the_marker(store: Store, tenant: Tenant) -> None:
    ch = _channel(store, tenant)
    _authorize(store, tenant, ch, auth=NOW + _days(10))
    warn_due(store, NOW)
    _authorize(store, tenant, ch, auth=NOW + _days(12))
    assert warn_due(store, NOW) == []  # not past 14 days: 14 stays warned
    assert _warnings(store) == [("warning", 14)]


def test_refresh_expiry_counts_like_auth_expiry(store: Store, tenant: Tenant) -> None:
    tiktok = _channel(store, tenant, "tiktok")  # refresh token expiry, no separate auth date
    _authorize(store, tenant, tiktok, refresh=NOW + _days(3))
    lazada = _channel(store, tenant, "lazada")  # the refresh token ends before the 180 days
    _authorize(store, tenant, lazada, auth=NOW + _days(100), refresh=NOW + _days(1))
    far = _channel(store, tenant, "far")
    _authorize(store, tenant, far, auth=NOW + _days(200), refresh=NOW + _days(30))
    raised = {w.name: w.threshold for w in warn_due(store, NOW)}
    assert raised == {"tiktok": 3, "lazada": 1}
    data = json.loads(
        store.scalar("SELECT data FROM event WHERE channel_account_id = ?", (lazada.id,))
    )
    assert data["which"] == "refresh_expires_at"


def test_each_tenant_is_warned_about_its_own_channel(store: Store, tenant: Tenant) -> None:
    other = catalog.add_tenant(store, "Toko Pak Budi")
    mine, theirs = _channel(store, tenant), _channel(store, other)
    _authorize(store, tenant, mine, auth=NOW + _days(3))
    _authorize(store, other, theirs, auth=NOW + _days(50))
    warn_due(store, NOW)
    rows = store.all("SELECT tenant_id, channel_account_id FROM event WHERE kind = 'auth.expiring'")
    assert [(r["tenant_id"], r["channel_account_id"]) for r in rows] == [(tenant.id, mine.id)]


def test_removed_and_revoked_channels_are_not_warned(store: Store, tenant: Tenant) -> None:
    gone, revoked = _channel(store, tenant, "gone"), _channel(store, tenant, "revoked")
    for ch in (gone, revoked):
        _authorize(store, tenant, ch, auth=NOW + _days(3))
    with store.write():
        store.conn.execute("UPDATE channel_account SET removed_at = ? WHERE id = ?", ("x", gone.id))
        store.conn.execute(
            "UPDATE channel_account SET status = 'needs_reauth' WHERE id = ?", (revoked.id,)
        )
    assert warn_due(store, NOW) == []


def test_logs_text_names_the_days_and_the_connect_command(store: Store, tenant: Tenant) -> None:
    ch = _channel(store, tenant)
    _authorize(store, tenant, ch, auth=NOW + _days(1))
    warn_due(store, NOW)
    row = store.one("SELECT kind, message, data FROM event WHERE kind = 'auth.expiring'")
    assert row is not None
    set_lang("en")
    english = event_text(row["kind"], row["message"], row["data"], "lazada")
    set_lang("id")
    indonesian = event_text(row["kind"], row["message"], row["data"], "lazada")
    assert english.startswith("The shop's authorization ends in 1 day(s) or less.")
    assert "syncd channel connect lazada prints the link" in english
    assert indonesian.startswith("Izin toko berakhir dalam 1 hari")
    assert "syncd channel connect lazada" in indonesian


def _noon_in(days: int) -> dt.datetime:
    """Noon in the seller's zone ``days`` calendar days from today (so the count of days
    does not depend on the hour the test runs)."""
    today = dt.datetime.now(localtime.zone()).date() + dt.timedelta(days=days)
    return dt.datetime.combine(today, dt.time(12), localtime.zone())


def test_status_says_re_authorize_within_3_days(cli: Cli, store: Store, tenant: Tenant) -> None:
    ch = _channel(store, tenant)
    _authorize(store, tenant, ch, auth=_noon_in(3))
    other = _channel(store, tenant, "tiktok")
    _authorize(store, tenant, other, refresh=_noon_in(1))  # TikTok: the refresh token ends
    far = _channel(store, tenant, "shopee")
    _authorize(store, tenant, far, auth=_noon_in(15), refresh=_noon_in(30))
    english = cli("--lang", "en", "status")
    assert "lazada: re-authorize within 3 days (before " in english.out
    assert "12:00): syncd channel connect lazada prints the link" in english.out
    assert "tiktok: re-authorize within 1 day (before " in english.out
    assert "syncd channel connect tiktok prints the link" in english.out
    assert "shopee: re-authorize" not in english.out  # 15 days: nothing new
    assert "(in 3 days)" in english.out  # the auth column
    assert "(tomorrow)" in english.out
    assert "(in 15 days)" in english.out  # beyond 14 days: the auth date as before
    indonesian = cli("status")
    assert "lazada: perlu izin ulang dalam 3 hari (sebelum " in indonesian.out
    assert "syncd channel connect lazada menampilkan tautannya" in indonesian.out


def test_status_keeps_needs_reauth_for_a_passed_horizon(
    cli: Cli, store: Store, tenant: Tenant
) -> None:
    ch = _channel(store, tenant)
    _authorize(store, tenant, ch, auth=dt.datetime.now(dt.UTC) - _days(1))
    run = cli("--lang", "en", "status")
    assert run.code == 1
    assert "needs re-authorization" in run.out
    assert "re-authorize within" not in run.out


@pytest.fixture
def shopee_channel(tmp_path: Path) -> tuple[Path, ShopeeSimulator]:
    sim = ShopeeSimulator(partner_key=KEY).start()
    sim.add_shop(1)
    db = tmp_path / "d.db"
    with Store(db) as store:
        tenant = catalog.add_tenant(store, "T")
        ch, tokens = connect_channel(
            store,
            tenant.id,
            ChannelIn(name="shopee", marketplace="shopee", shop_id="1"),
            settings={"partner_id": sim.partner_id, "base_url": sim.base_url, "timeout": 10},
            secret=KEY,
            authorize=lambda: sim.authorize(1),
            discover=False,
        )
        near = dt.datetime.now(dt.UTC) + _days(3) - dt.timedelta(hours=1)
        vault = credentials.Vault(credentials.load_key(db))
        credentials.save(
            store,
            vault,
            tenant.id,
            ch.id,
            tokens=dataclasses.replace(tokens, auth_expires_at=near),
        )
    return db, sim


def test_run_once_raises_the_warning(shopee_channel: tuple[Path, ShopeeSimulator]) -> None:
    db, sim = shopee_channel
    try:
        with Daemon(db, workers=1).running() as daemon:
            daemon.run_once()
            daemon.run_once()
    finally:
        sim.stop()
    with Store(db) as store:
        assert _warnings(store) == [("warning", 3)]
