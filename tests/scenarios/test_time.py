"""A seller reads and types times by her own kitchen clock.

Issue 9, item 7: "Time as the seller lives it". Every time syncd shows is in the
tenant's zone (default Asia/Jakarta, WIB; ``timezone`` in the config file), the
zone is named once, and every time she types is read in that zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd import catalog, localtime
from syncd.errors import UserError
from syncd.i18n import set_lang
from syncd.store import Store
from tests.conftest import Cli

#: (label, stored UTC instant). Typed "2026-12-01T06:49" is 23:49 UTC the day before
#: in WIB (UTC+7) and 22:49 UTC in WITA (UTC+8).
EVENTS = [
    ("wita-before", "2026-11-30T22:48:59.999+00:00"),
    ("wita-edge", "2026-11-30T22:49:00.000+00:00"),
    ("wib-before", "2026-11-30T23:48:59.999+00:00"),
    ("wib-edge", "2026-11-30T23:49:00.000+00:00"),
    ("wib-after", "2026-11-30T23:49:00.001+00:00"),
    ("utc-reading", "2026-12-01T06:49:00.000+00:00"),
]


@pytest.fixture(autouse=True)
def _own_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SYNCD_TZ", raising=False)
    localtime.set_zone(None)
    yield
    monkeypatch.delenv("SYNCD_TZ", raising=False)
    localtime.set_zone(None)  # the next test starts on the default clock


def _seller_with_events(cli: Cli, db_path: Path) -> None:
    assert cli("init").code == 0
    assert cli("tenant", "add", "Dapur Bu Sri").code == 0
    with Store(db_path) as store, store.write():
        tenant = catalog.resolve_tenant(store, None)
        for label, at in EVENTS:
            store.conn.execute(
                "INSERT INTO event (tenant_id, at, level, kind, message, data) "
                "VALUES (?, ?, 'info', 'note.test', ?, '{}')",
                (tenant.id, at, label),
            )


def _shown(out: str) -> list[str]:
    return [label for label, _ in EVENTS if f" {label}" in out]


def test_logs_since_a_local_time_returns_exactly_what_happened_since(
    cli: Cli, db_path: Path
) -> None:
    """The harm: `syncd logs` printed UTC times (a push failed at 13:49 on Bu Sri's
    clock showed as 06:49) while `--since` read what she typed as WIB, hard-coded:
    the times she typed and the times she read were seven hours apart, and no
    other zone could be chosen. Now both are WIB and the boundary is exact."""
    _seller_with_events(cli, db_path)
    run = cli("logs", "--since", "2026-12-01T06:49")
    assert run.code == 0, run.err
    assert _shown(run.out) == ["wib-edge", "wib-after", "utc-reading"]
    head = run.out.splitlines()[0]
    assert "Waktu (WIB)" in head  # the zone, named once
    lines = {line.split()[-1]: line for line in run.out.splitlines()[2:]}
    assert lines["wib-edge"].startswith("2026-12-01 06:49:00")  # shown as it was typed
    assert lines["utc-reading"].startswith("2026-12-01 13:49:00")
    # the same moment written three more ways a seller might type it
    for typed in ("2026-12-01 06:49", "01/12/2026 06:49", "2026-11-30T23:49:00Z"):
        again = cli("logs", "--since", typed)
        assert _shown(again.out) == ["wib-edge", "wib-after", "utc-reading"], typed


def test_a_seller_in_makassar_sets_her_zone_once(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    """The harm: a seller in Makassar (WITA, UTC+8) had every typed time read as WIB
    and every shown time in UTC. With `timezone = "Asia/Makassar"` in her config
    file, what she types and reads is WITA."""
    _seller_with_events(cli, db_path)
    config = tmp_path / "syncd.toml"
    config.write_text('timezone = "Asia/Makassar"\n', encoding="utf-8")
    run = cli("--config", str(config), "logs", "--since", "2026-12-01T06:49")
    assert run.code == 0, run.err
    assert _shown(run.out) == [
        "wita-edge",
        "wib-before",
        "wib-edge",
        "wib-after",
        "utc-reading",
    ]
    assert "Waktu (WITA)" in run.out.splitlines()[0]
    lines = {line.split()[-1]: line for line in run.out.splitlines()[2:]}
    assert lines["wita-edge"].startswith("2026-12-01 06:49:00")
    english = cli("--lang", "en", "--config", str(config), "logs", "--since", "2026-12-01")
    assert "Time (WITA)" in english.out.splitlines()[0]
    assert len(_shown(english.out)) == len(EVENTS)  # midnight WITA is 16:00 UTC the day before


def test_a_mistyped_zone_or_time_names_the_place_and_the_fix(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    """The harm: a bad time was refused with a message that did not say in which
    zone it would be read; a zone name that does not exist must not silently fall
    back to another clock."""
    _seller_with_events(cli, db_path)
    config = tmp_path / "toko.toml"
    config.write_text('timezone = "WITA"\n', encoding="utf-8")
    run = cli("--config", str(config), "logs")
    assert run.code == 1
    assert "Traceback" not in run.err
    assert str(config) in run.err
    assert "timezone" in run.err
    assert "Asia/Makassar" in run.err
    bad = cli("logs", "--since", "kemarin sore")
    assert bad.code == 1
    assert "'kemarin sore'" in bad.err
    assert "WIB" in bad.err
    assert "30m" in bad.err


def test_ledger_shows_the_seller_time_and_the_zone(cli: Cli, db_path: Path) -> None:
    """The harm: `syncd ledger` printed UTC, so a count made at 09:00 in the
    morning read 02:00, in the middle of the night."""
    assert cli("init").code == 0
    assert cli("tenant", "add", "Dapur Bu Sri").code == 0
    assert cli("product", "add", "NASTAR-500", "--name", "Nastar", "--price", "85000").code == 0
    assert cli("stock", "set", "NASTAR-500", "12", "--reason", "opname").code == 0
    with Store(db_path) as store:
        at = str(store.scalar("SELECT at FROM movement ORDER BY id DESC LIMIT 1"))
    wib = dt.datetime.fromisoformat(at).astimezone(dt.timezone(dt.timedelta(hours=7)))
    run = cli("ledger", "NASTAR-500")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0].startswith("Waktu (WIB)")
    assert run.out.splitlines()[2].startswith(wib.strftime("%Y-%m-%d %H:%M:%S"))


def test_the_environment_can_choose_the_zone(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SYNCD_TZ (documented next to SYNCD_DB) beats the config file."""
    _seller_with_events(cli, db_path)
    monkeypatch.setenv("SYNCD_TZ", "Asia/Jayapura")  # WIT, UTC+9: 06:49 is 21:49 UTC
    run = cli("logs", "--since", "2026-12-01T06:49")
    assert _shown(run.out) == [label for label, _ in EVENTS]
    assert "Waktu (WIT)" in run.out.splitlines()[0]


def test_parse_reads_what_sellers_type() -> None:
    now = dt.datetime(2026, 12, 1, 6, 49, tzinfo=dt.UTC)
    assert localtime.parse("2026-12-01T06:49") == "2026-11-30T23:49:00+00:00"
    assert localtime.parse("2026-12-01") == "2026-11-30T17:00:00+00:00"
    assert localtime.parse("2026-12-01T06:49+08:00") == "2026-11-30T22:49:00+00:00"
    assert localtime.parse("30m", now) == "2026-12-01T06:19:00+00:00"
    assert localtime.parse("1d", now) == "2026-11-30T06:49:00+00:00"
    for bad in ("", "yesterday", "31/02/2026", "2026-13-01", "5x"):
        with pytest.raises(UserError) as info:
            localtime.parse(bad)
        assert info.value.key == "time.bad"


def test_token_expiry_as_a_date_and_days_left() -> None:
    """A token's end as the seller reads it: a date in her zone and how many days are left."""
    now = dt.datetime(2026, 12, 1, 6, 49, tzinfo=dt.UTC)  # 13:49 WIB
    set_lang("id")
    assert localtime.until("2026-12-12T03:00:00+00:00", now) == "12 Des 2026 (dalam 11 hari)"
    assert localtime.until("2026-12-01T16:59:00+00:00", now) == "1 Des 2026 (hari ini)"
    assert localtime.until("2026-12-01T17:00:00+00:00", now) == "2 Des 2026 (besok)"
    assert localtime.until("2026-11-30T06:49:00+00:00", now) == "30 Nov 2026 (sudah lewat)"
    assert localtime.until(None, now) == "-"
    set_lang("en")
    assert localtime.until("2026-12-12T03:00:00+00:00", now) == "12 Dec 2026 (in 11 days)"
    assert localtime.until("2026-11-30T06:49:00+00:00", now) == "30 Nov 2026 (expired)"


def test_show_and_label() -> None:
    assert localtime.show("2026-12-01T06:49:00.000+00:00") == "2026-12-01 13:49"
    assert localtime.show(dt.datetime(2026, 12, 1, 6, 49, tzinfo=dt.UTC)) == "2026-12-01 13:49"
    assert localtime.show("") == "-"
    assert localtime.label() == "WIB (Asia/Jakarta)"
    localtime.set_zone("Asia/Makassar")
    assert localtime.show("2026-12-01T06:49:00+00:00") == "2026-12-01 14:49"
    assert localtime.label() == "WITA (Asia/Makassar)"
    localtime.set_zone("Asia/Dubai")  # tzdata has no letters for it
    assert localtime.label() == "UTC+04:00 (Asia/Dubai)"
    with pytest.raises(UserError) as info:
        localtime.set_zone("Mars/Olympus", source="syncd.toml: timezone")
    assert "syncd.toml: timezone" in str(info.value)


def test_integration_start_is_typed_in_the_sellers_zone(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    """The harm: `--integration-start 2026-12-01T06:49` was read as WIB whatever
    the seller's zone: in Makassar (WITA, an hour ahead of WIB) the orders of her
    first hour, 06:49 to 07:49 WITA, would never have touched stock."""
    assert cli("init").code == 0
    assert cli("tenant", "add", "Dapur Bu Sri").code == 0
    config = tmp_path / "toko.toml"
    config.write_text('timezone = "Asia/Makassar"\n', encoding="utf-8")
    shop = ["--marketplace", "shopee", "--partner-id", "1001", "--integration-start"]
    for name, shop_id, zone in (
        ("jakarta", "11", []),
        ("makassar", "12", ["--config", str(config)]),
    ):
        run = cli(*zone, "channel", "add", name, "--shop-id", shop_id, *shop, "2026-12-01T06:49")
        assert run.code == 0, run.err
    with Store(db_path) as store:
        starts = dict(store.conn.execute("SELECT name, integration_start FROM channel_account"))
    assert starts == {
        "jakarta": "2026-11-30T23:49:00+00:00",
        "makassar": "2026-11-30T22:49:00+00:00",
    }
