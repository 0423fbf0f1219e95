"""Notifications (issue 13): delivered to a local fake endpoint (loopback, apprise's
``json://``), with storms suppressed and failures retried; the target's URL nowhere."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from syncd import catalog, credentials, events, horizon, inventory, lowstock, notify
from syncd.adapter import Credentials
from syncd.catalog import Tenant
from syncd.config import NotifySettings, Settings, WebSettings
from syncd.daemon import Daemon
from syncd.log import configure
from syncd.models import ChannelIn, MovementIn, SkuIn
from syncd.store import Store
from tests.conftest import Cli, add_skus, expect_error

#: 03:00 in Jakarta (WIB, UTC+7): four hours before the digest
AT = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)
DIGEST = dt.datetime(2026, 12, 2, 0, 0, tzinfo=dt.UTC)  # 07:00 WIB
CANARY = "Sup3rS3cretPw-9d2"
SETTINGS = Settings(
    web=WebSettings(public_url="https://koperasi.example/"),
    notify=NotifySettings(failing_minutes=30, digest_hour=7, per_hour=6),
)
NO_DIGEST = ("failing", "reauth", "expiring", "low_stock", "oversell")


@dataclass
class Hook:
    """A webhook on 127.0.0.1 that records every POST and answers from ``codes``."""

    server: ThreadingHTTPServer
    posts: list[dict[str, Any]] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "hook") -> str:
        return f"json://member:{CANARY}@127.0.0.1:{self.port}/{path}"


@pytest.fixture
def hook() -> Iterator[Hook]:
    box: list[Hook] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            me = box[0]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            me.posts.append({"path": self.path, **json.loads(body)})
            code = me.codes.pop(0) if me.codes else 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Hook(server))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield box[0]
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def vault(store: Store) -> credentials.Vault:
    return credentials.Vault(credentials.load_key(store.path))


def _dead_url() -> str:
    with socket.socket() as s:  # a port nobody listens on any more
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"json://member:{CANARY}@127.0.0.1:{port}/hook"


def _skus(store: Store, tenant: Tenant, *codes: str) -> None:
    add_skus(store, tenant, *(SkuIn(sku=c, name=f"Barang {c}", price=10_000) for c in codes))


def _rows(store: Store) -> list[Any]:
    return store.all("SELECT * FROM notification ORDER BY id")


def _target(store: Store, vault: credentials.Vault, tenant: Tenant, url: str, **kw: Any) -> int:
    return notify.add_target(store, vault, tenant.id, "hp-sri", url, actor="sri", **kw)


# -- one fact, one message ---------------------------------------------------------------


def test_a_low_stock_event_is_one_message_in_indonesian_with_its_link(
    store: Store, tenant: Tenant, vault: credentials.Vault, hook: Hook
) -> None:
    _skus(store, tenant, "KOPI-250")
    _target(store, vault, tenant, hook.url(), kinds=NO_DIGEST)
    assert lowstock.set_threshold(store, tenant.id, "KOPI-250", 5) is not None  # stock.low

    done = notify.tick(store, vault, SETTINGS, at=AT)

    assert done == notify.Tick(queued=1, sent=1)
    [post] = hook.posts
    assert post["path"] == "/hook"
    assert post["title"] == "Stok menipis: KOPI-250"
    assert "KOPI-250 tinggal 0 (batas stok menipis 5)" in post["message"]
    assert post["message"].endswith("Buka: https://koperasi.example/sku/KOPI-250")
    [row] = _rows(store)
    assert (row["kind"], row["attempts"], row["link"]) == (
        "low_stock",
        1,
        "https://koperasi.example/sku/KOPI-250",
    )
    assert row["sent_at"] == AT.isoformat(timespec="milliseconds")
    assert notify.tick(store, vault, SETTINGS, at=AT + dt.timedelta(minutes=1)) == notify.Tick()
    assert len(hook.posts) == 1


def test_the_same_fact_twice_is_told_once(
    store: Store, tenant: Tenant, vault: credentials.Vault, hook: Hook
) -> None:
    _skus(store, tenant, "KOPI-250")
    _target(store, vault, tenant, hook.url(), kinds=NO_DIGEST)
    lowstock.set_threshold(store, tenant.id, "KOPI-250", 5)  # low: told
    notify.tick(store, vault, SETTINGS, at=AT)
    lowstock.set_threshold(store, tenant.id, "KOPI-250", None)  # re-armed ...
    lowstock.set_threshold(store, tenant.id, "KOPI-250", 5)  # ... and low again: a 2nd event
    assert store.scalar("SELECT COUNT(*) FROM event WHERE kind = 'stock.low'") == 2

    notify.tick(store, vault, SETTINGS, at=AT + dt.timedelta(hours=1))

    assert len(hook.posts) == 1
    assert [(r["dedupe"], r["suppressed"]) for r in _rows(store)] == [
        ("low:KOPI-250", 0),
        ("low:KOPI-250", 1),  # kept, counted in the digest, never sent
    ]
    # after six hours the same fact may be told again
    lowstock.set_threshold(store, tenant.id, "KOPI-250", None)
    lowstock.set_threshold(store, tenant.id, "KOPI-250", 5)
    notify.tick(store, vault, SETTINGS, at=AT + dt.timedelta(hours=6, minutes=1))
    assert len(hook.posts) == 2


def test_a_storm_is_held_back_and_counted_in_the_digest(
    store: Store, tenant: Tenant, vault: credentials.Vault, hook: Hook
) -> None:
    codes = [f"SKU-{n:02d}" for n in range(50)]
    _skus(store, tenant, *codes)
    _target(store, vault, tenant, hook.url())
    assert len(lowstock.set_default(store, tenant.id, 3)) == 50  # 50 stock.low in one go

    first = notify.tick(store, vault, SETTINGS, at=AT)
    again = notify.tick(store, vault, SETTINGS, at=AT + dt.timedelta(minutes=1))

    assert (first.queued, first.held, first.sent) == (6, 44, 6)  # per_hour = 6
    assert again == notify.Tick()
    assert len(hook.posts) == 6
    assert store.scalar("SELECT COUNT(*) FROM notification WHERE suppressed = 1") == 44
    # the digest at 07:00 WIB says what was held back
    notify.tick(store, vault, SETTINGS, at=DIGEST)
    digest = hook.posts[-1]
    assert len(hook.posts) == 7
    assert digest["title"] == "Ringkasan harian syncd, 02/12/2026"
    assert "6 pemberitahuan dikirim sejak ringkasan terakhir." in digest["message"]
    assert "44 pemberitahuan ditahan agar tidak membanjiri: stok menipis 44." in digest["message"]
    assert "Stok menipis sekarang: 50 SKU." in digest["message"]
    assert digest["message"].endswith("Buka: https://koperasi.example/")


def test_the_digest_comes_once_a_day_at_its_hour(
    store: Store, tenant: Tenant, vault: credentials.Vault, hook: Hook
) -> None:
    _target(store, vault, tenant, hook.url(), kinds=("digest",))
    minute = dt.timedelta(minutes=1)
    for at, expected in (
        (DIGEST - minute, 0),  # 06:59 WIB
        (DIGEST, 1),  # 07:00
        (DIGEST + 30 * minute, 1),
        (DIGEST + dt.timedelta(hours=16), 1),  # 23:00
        (DIGEST + dt.timedelta(days=1) - minute, 1),  # 06:59 the next day
        (DIGEST + dt.timedelta(days=1), 2),
    ):
        notify.tick(store, vault, SETTINGS, at=at)
        assert len(hook.posts) == expected, at
    assert [p["title"] for p in hook.posts] == [
        "Ringkasan harian syncd, 02/12/2026",
        "Ringkasan harian syncd, 03/12/2026",
    ]
    assert "Semua kanal berjalan." in hook.posts[0]["message"]


# -- failures are retried, never block -----------------------------------------------------


def test_a_failed_delivery_is_retried_with_backoff_until_it_arrives(
    store: Store, tenant: Tenant, vault: credentials.Vault, hook: Hook
) -> None:
    _skus(store, tenant, "KOPI-250")
    _target(store, vault, tenant, hook.url(), kinds=NO_DIGEST)
    lowstock.set_threshold(store, tenant.id, "KOPI-250", 5)
    hook.codes = [500, 500]
    minute = dt.timedelta(minutes=1)

    assert notify.tick(store, vault, SETTINGS, at=AT).failed == 1
    [row] = _rows(store)
    assert (row["attempts"], row["sent_at"], row["failed_at"]) == (1, None, None)
    assert row["due_at"] == (AT + minute).isoformat(timespec="milliseconds")
    assert "500" in row["last_error"]
    assert notify.tick(store, vault, SETTINGS, at=AT + 30 * dt.timedelta(seconds=1)) == (
        notify.Tick()
    )  # not due yet
    assert notify.tick(store, vault, SETTINGS, at=AT + minute).failed == 1
    assert _rows(store)[0]["due_at"] == (AT + 6 * minute).isoformat(timespec="milliseconds")
    assert notify.tick(store, vault, SETTINGS, at=AT + 6 * minute).sent == 1

    [row] = _rows(store)
    assert (row["attempts"], row["last_error"]) == (3, "")
    assert row["sent_at"] == (AT + 6 * minute).isoformat(timespec="milliseconds")
    assert len(hook.posts) == 3  # three attempts reached the endpoint, one was accepted


def test_a_delivery_gives_up_after_six_attempts_and_says_so(
    store: Store, tenant: Tenant, vault: credentials.Vault, hook: Hook
) -> None:
    _skus(store, tenant, "KOPI-250")
    _target(store, vault, tenant, hook.url(), kinds=NO_DIGEST)
    lowstock.set_threshold(store, tenant.id, "KOPI-250", 5)
    hook.codes = [503] * 10
    at = AT
    for delay in (*notify.BACKOFF, None):
        assert notify.tick(store, vault, SETTINGS, at=at).failed == 1
        if delay is not None:
            at += delay
    [row] = _rows(store)
    assert row["attempts"] == notify.MAX_ATTEMPTS == 6
    assert row["failed_at"] == at.isoformat(timespec="milliseconds")
    gave_up = store.one("SELECT * FROM event WHERE kind = 'notify.gave_up'")
    assert gave_up is not None
    assert gave_up["tenant_id"] == tenant.id
    assert json.loads(gave_up["data"])["label"] == "hp-sri"
    assert notify.tick(store, vault, SETTINGS, at=at + dt.timedelta(days=1)) == notify.Tick()
    assert len(hook.posts) == 6


def test_an_endpoint_down_never_stops_the_sync(
    store: Store, db_path: Path, tenant: Tenant, vault: credentials.Vault
) -> None:
    _skus(store, tenant, "KOPI-250")
    _target(store, vault, tenant, _dead_url(), kinds=NO_DIGEST)
    lowstock.set_threshold(store, tenant.id, "KOPI-250", 5)

    done = notify.tick(store, vault, SETTINGS, at=AT)  # returns; nothing raised

    assert (done.queued, done.sent, done.failed) == (1, 0, 1)
    [row] = _rows(store)
    assert row["attempts"] == 1
    assert "Connection error" in row["last_error"]
    # the daemon's own round: run --once goes on and finishes with the endpoint still down
    daemon = Daemon(db_path, settings=SETTINGS)
    with daemon.running():
        counts = daemon.run_once()
    assert counts["failed"] == 0
    inventory.record(  # and the seller's next sale is recorded as ever
        store,
        tenant.id,
        [MovementIn(sku="KOPI-250", kind="receipt", qty=4, key="r1", source="t", actor="t")],
    )


def test_tick_never_raises_even_when_its_store_is_gone(
    db_path: Path, tenant: Tenant, vault: credentials.Vault
) -> None:
    gone = Store(db_path)
    gone.close()
    assert notify.tick(gone, vault, SETTINGS, at=AT) == notify.Tick()  # logged, not raised


def test_the_daemon_sends_in_its_round(
    store: Store, db_path: Path, tenant: Tenant, vault: credentials.Vault, hook: Hook
) -> None:
    _skus(store, tenant, "KOPI-250")
    _target(store, vault, tenant, hook.url(), kinds=NO_DIGEST)
    lowstock.set_threshold(store, tenant.id, "KOPI-250", 5)
    daemon = Daemon(db_path, settings=SETTINGS)
    with daemon.running():
        daemon.notify_due()  # on its own thread
        daemon.notify_due()  # while one round runs, another is not started
    assert [p["title"] for p in hook.posts] == ["Stok menipis: KOPI-250"]


# -- what is told --------------------------------------------------------------------------


def _channel(store: Store, tenant: Tenant) -> catalog.Channel:
    return catalog.add_channel(
        store, tenant.id, ChannelIn(name="shopee-sri", marketplace="shopee", shop_id="77")
    )


def test_a_channel_failing_longer_than_failing_minutes_is_told_once(
    store: Store, tenant: Tenant, vault: credentials.Vault, hook: Hook
) -> None:
    ch = _channel(store, tenant)
    _target(store, vault, tenant, hook.url(), kinds=("failing",))
    since = AT - dt.timedelta(minutes=10)
    with store.write():  # what the daemon's failed pulls leave in job_run
        store.conn.execute(
            "INSERT INTO job_run (tenant_id, channel_account_id, job, last_error, failures, "
            "failing_since) VALUES (?, ?, 'pull', 'Retryable: 502 from partner.shopeemobile', "
            "4, ?)",
            (tenant.id, ch.id, since.isoformat(timespec="milliseconds")),
        )
    notify.tick(store, vault, SETTINGS, at=AT)  # failing 10 minutes: not yet
    assert hook.posts == []
    for minutes in (20, 21, 60):
        notify.tick(store, vault, SETTINGS, at=AT + dt.timedelta(minutes=minutes))
    [post] = hook.posts
    assert post["title"] == "Kanal shopee-sri gagal"
    assert "gagal sejak 2026-12-02 02:50 (30 menit)" in post["message"]
    assert "Retryable: 502 from partner.shopeemobile" in post["message"]
    assert post["message"].endswith("Buka: https://koperasi.example/channels")


def test_authorization_due_and_needed_are_told_with_the_channels_page(
    store: Store, tenant: Tenant, vault: credentials.Vault, hook: Hook
) -> None:
    ch = _channel(store, tenant)
    _target(store, vault, tenant, hook.url(), kinds=("reauth", "expiring"))
    tokens = Credentials(
        "a" * 20, "r" * 20, AT + dt.timedelta(hours=4), None, AT + dt.timedelta(days=3)
    )
    credentials.save(store, vault, tenant.id, ch.id, tokens=tokens)
    assert [w.threshold for w in horizon.warn_due(store, AT)] == [3]  # auth.expiring, 3 days
    events.record(  # what sync.pause records when the marketplace refuses the authorization
        store,
        "account.needs_reauth",
        "paused: revoked",
        level="error",
        tenant_id=tenant.id,
        account_id=ch.id,
        code="revoked",
    )
    notify.tick(store, vault, SETTINGS, at=AT)
    assert [p["title"] for p in hook.posts] == [
        "Otorisasi shopee-sri berakhir dalam 3 hari",
        "Kanal shopee-sri perlu diotorisasi ulang",
    ]
    assert "berakhir 5 Des 2026 (dalam 3 hari)" in hook.posts[0]["message"]
    assert all(p["message"].endswith("/channels") for p in hook.posts)


def test_oversold_stock_and_flagged_sales_point_to_the_orders_page(
    store: Store, tenant: Tenant, vault: credentials.Vault, hook: Hook
) -> None:
    _skus(store, tenant, "KOPI-250", "TEH-100")
    _target(store, vault, tenant, hook.url(), kinds=("oversell",))
    inventory.record(  # an order that found the shelf empty (ingest allows below zero)
        store,
        tenant.id,
        [MovementIn(sku="KOPI-250", kind="sale", qty=2, key="o1", source="t", actor="t")],
        allow_negative=True,
    )
    events.record(  # what the cashier page records for a queued sale that no longer fitted
        store,
        "sale.flagged",
        "sale flagged",
        level="warning",
        tenant_id=tenant.id,
        sku="TEH-100",
        status="held",
        skus=["TEH-100"],
    )
    notify.tick(store, vault, SETTINGS, at=AT)
    notify.tick(store, vault, SETTINGS, at=AT + dt.timedelta(minutes=5))  # still below zero
    assert sorted(p["title"] for p in hook.posts) == [
        "Penjualan kasir melebihi stok: TEH-100",
        "Stok minus: KOPI-250",
    ]
    assert all(p["message"].endswith("Buka: https://koperasi.example/orders") for p in hook.posts)


def test_targets_are_checked_and_kept_per_tenant(
    store: Store, tenant: Tenant, vault: credentials.Vault, hook: Hook
) -> None:
    with expect_error("notify.bad_url"):
        notify.add_target(store, vault, tenant.id, "hp-sri", "bukan-url", actor="sri")
    with expect_error("notify.bad_kind"):
        _target(store, vault, tenant, hook.url(), kinds=("stok",))
    with expect_error("notify.bad_label"):
        notify.add_target(store, vault, tenant.id, "hp sri", hook.url(), actor="sri")
    _target(store, vault, tenant, hook.url(), kinds=("low_stock", "failing"))
    with expect_error("notify.label_taken"):
        _target(store, vault, tenant, hook.url())
    other = catalog.add_tenant(store, "Toko Lain")
    notify.add_target(store, vault, other.id, "hp-sri", hook.url("lain"), actor="x")
    [mine] = notify.list_targets(store, tenant.id, vault=vault)
    assert (mine.label, mine.kinds, mine.scheme) == ("hp-sri", ("failing", "low_stock"), "json")
    notify.remove_target(store, tenant.id, "hp-sri", actor="sri")
    assert notify.list_targets(store, tenant.id) == []
    assert [x.label for x in notify.list_targets(store, other.id)] == ["hp-sri"]
    with expect_error("notify.unknown_target"):
        notify.remove_target(store, tenant.id, "hp-sri", actor="sri")


# -- the URL is a secret -------------------------------------------------------------------


def test_the_url_never_shows(
    cli: Cli,
    db_path: Path,
    hook: Hook,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = io.StringIO()
    configure(json=True, level="debug", stream=log)
    caplog.set_level(logging.DEBUG)
    try:
        assert cli("init").code == 0
        assert cli("tenant", "add", "Dapur Bu Sri").code == 0
        url = hook.url()
        added = cli("notify", "add", "hp-sri", url, "--only", "low_stock,failing")
        assert added.code == 0, added.err
        assert "Tujuan hp-sri ditambahkan (json); menerima: kanal gagal, stok menipis" in added.out
        assert cli("notify", "add", "mati", _dead_url()).code == 0
        listed = cli("notify", "list")
        assert "hp-sri" in listed.out
        assert "json" in listed.out
        tested = cli("notify", "test", "hp-sri")
        assert (tested.code, tested.out.strip()) == (0, "Pesan tes sampai ke hp-sri.")
        dead = cli("notify", "test", "mati")
        assert dead.code == 1
        assert "TIDAK sampai ke mati" in dead.out
        store = Store(db_path)
        try:
            tenant = catalog.resolve_tenant(store, None)
            vault = credentials.Vault(credentials.load_key(db_path))
            _skus(store, tenant, "KOPI-250")
            lowstock.set_threshold(store, tenant.id, "KOPI-250", 5)
            hook.codes = [500]
            notify.tick(store, vault, SETTINGS, at=AT)  # one to each: one 500, one refused
            notify.tick(store, vault, SETTINGS, at=AT + dt.timedelta(minutes=1))
        finally:
            store.close()
        history = cli("notify", "log", "--since", "2020-01-01")
        assert "terkirim" in history.out
        assert "menunggu" in history.out
        db_bytes = b"".join(
            p.read_bytes() for p in db_path.parent.glob(db_path.name + "*") if p.suffix != ".key"
        )
    finally:  # not capsys's stream: it is closed after this test, and later tests log
        configure(json=False, level="warning", stream=sys.__stderr__)
    out, err = capsys.readouterr()
    captured = {
        "cli": "".join(r.out + r.err for r in (added, listed, tested, dead, history)),
        "structlog": log.getvalue(),
        "logging": "\n".join(r.getMessage() for r in caplog.records),
        "stdout": out + err,
        "db": db_bytes.decode("latin-1"),
    }
    assert "notify.failed" in captured["structlog"]  # the failure path really logged
    assert any(r.name == "apprise" for r in caplog.records)  # and so did apprise
    for where, text in captured.items():
        assert CANARY not in text, f"the target's password leaked into {where}"
        assert url not in text, f"the target's URL leaked into {where}"
    assert len(hook.posts) == 3  # the test message, the 500, the retry


def test_cli_commands(cli: Cli, hook: Hook) -> None:
    assert cli("init").code == 0
    assert cli("tenant", "add", "Dapur Bu Sri").code == 0
    assert "Belum ada tujuan" in cli("notify", "list").out
    bad = cli("notify", "add", "hp-sri", "tgram://", "--only", "low_stock")
    assert bad.code == 1
    assert "tujuan hp-sri tidak dikenali apprise" in bad.err
    assert "tgram://" in bad.err  # the example, not the URL: nothing else of it is echoed
    kind = cli("notify", "add", "hp-sri", hook.url(), "--only", "stok")
    assert kind.code == 1
    assert "low_stock" in kind.err
    missing = cli("notify", "add", "hp-sri")  # no URL, no terminal, no SYNCD_NOTIFY_URL
    assert missing.code == 1
    assert "SYNCD_NOTIFY_URL" in missing.err
    assert cli("notify", "add", "hp-sri", hook.url()).code == 0
    assert "semua" in cli("notify", "list").out
    assert cli("notify", "test", "hp-sri").code == 0
    assert "Tes pemberitahuan syncd" in cli("notify", "log").out
    assert cli("--lang", "en", "notify", "remove", "hp-sri").out.strip() == "Target hp-sri removed."
    unknown = cli("notify", "test", "hp-sri")
    assert unknown.code == 1
    assert "Tidak ada tujuan pemberitahuan hp-sri" in unknown.err
    assert [p["title"] for p in hook.posts] == ["Tes pemberitahuan syncd"]
