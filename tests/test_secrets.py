"""Secrets never reach logs, errors, tracebacks or the database file in plain text.

Canary values (the partner key and the tokens the simulator issues) are pushed
through every error path we have; then every captured byte is searched for them.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

import adapters
from syncd import catalog, credentials, inventory, sync
from syncd.adapter import StockUpdate
from syncd.daemon import Daemon
from syncd.errors import AdapterError
from syncd.http import CircuitBreaker, Limiter
from syncd.log import configure, record_crash
from syncd.models import ChannelIn, MovementIn, SkuIn
from syncd.store import Store
from tests.conftest import Cli, connect_channel, expect_error
from tests.contract.harness_shopee import ShopeeHarness

CANARY_KEY = "CANARY-partner-key-7f3a9c1e5b"


def test_canaries_appear_nowhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    log = io.StringIO()
    configure(json=True, level="debug", stream=log)
    caplog.set_level(logging.DEBUG)
    harness = ShopeeHarness(partner_key=CANARY_KEY)
    harness.start()
    errors: list[str] = []
    db = tmp_path / "s.db"
    try:
        store = Store(db)
        tenant = catalog.add_tenant(store, "T")
        with store.write():
            catalog.upsert_sku(store, tenant.id, SkuIn(sku="KOPI-250", name="Kopi", price=1000))
        inventory.record(
            store,
            tenant.id,
            [MovementIn(sku="KOPI-250", kind="receipt", qty=9, key="r", source="t", actor="t")],
        )
        harness.seed()
        _, tokens = connect_channel(
            store,
            tenant.id,
            ChannelIn(name="shopee", marketplace="shopee", shop_id=harness.shop_id),
            settings={**harness.settings(), "max_attempts": 2, "timeout": 0.5},
            secret=CANARY_KEY,
            authorize=harness.authorize,
        )
        vault = credentials.Vault(credentials.load_key(db))
        account = sync.load_accounts(store)[0]
        rt = sync.build_runtime(store, vault, account)
        assert rt.adapter is not None
        canaries = [CANARY_KEY, tokens.access_token, tokens.refresh_token]
        harness.sim.timeout_hold = 3.0
        x = catalog.list_listings(store, tenant.id)[0]
        for n, fault in enumerate(
            ("500", "timeout", "malformed", "retryable_body", "fatal_body", "429", "expire_token")
        ):
            harness.inject(fault, "stock", times=3)
            update = StockUpdate(x.id, x.item_id, x.variant_id, n, n + 1)
            try:  # straight to the adapter: the raw errors, after the HTTP layer's retries
                sync.with_auth(store, rt, lambda u=update: rt.adapter.push_stock([u]))  # type: ignore[union-attr,misc]
            except AdapterError as exc:
                errors.append(repr(exc) + str(exc))
            sync.push(store, rt)  # and through the pusher, which records what failed
        # the daemon path: a job that fails, with a traceback logged
        harness.inject("malformed", "orders", times=20)
        daemon = Daemon(db, workers=1)
        with daemon.running():
            daemon.load_accounts()
            daemon.submit("pull", account.id)
            assert daemon.wait_idle(30)
            assert daemon.counts["failed"] == 1
        # a wrong key: the signature error
        ctx = rt.context(credentials.load(store, vault, tenant.id, account.id))
        ctx.secrets = {"partner_key": CANARY_KEY[::-1]}
        wrong = adapters.load("shopee").create(ctx, limiter=Limiter(), breaker=CircuitBreaker())
        try:
            list(wrong.discover())
        except AdapterError as exc:
            errors.append(repr(exc) + str(exc))
        wrong.close()
        rt.adapter.close()
        canaries += [rt.tokens.access_token, rt.tokens.refresh_token]  # type: ignore[union-attr]
        # an unexpected error whose text holds every secret: the CLI's error log (record_crash)
        try:
            raise RuntimeError(" ".join(canaries))
        except RuntimeError as exc:
            _ref, crash_log = record_crash(exc, command="test")
        assert crash_log is not None
        events = json.dumps(store.all("SELECT * FROM event"), default=str)
        outbox_errors = json.dumps(store.all("SELECT last_error FROM outbox"), default=str)
        store.close()
    finally:
        harness.stop()
        configure(json=False, level="warning")
    out, err = capsys.readouterr()
    captured = {
        "structlog": log.getvalue(),
        "stdout": out,
        "stderr": err,
        "errors": "\n".join(errors),
        "logging": "\n".join(r.getMessage() for r in caplog.records),
        "events": events,
        "error log": crash_log.read_text(encoding="utf-8"),
        "outbox": outbox_errors,
        "db": b"".join(p.read_bytes() for p in tmp_path.glob("s.db*") if p.suffix != ".key").decode(
            "latin-1"
        ),
    }
    assert "job.failed" in captured["structlog"]  # the daemon's failure path really ran
    assert "Traceback" in captured["error log"]  # and a traceback was really written
    assert len(errors) >= 5  # the error paths really raised
    for where, text in captured.items():
        for canary in canaries:
            assert canary not in text, f"a secret leaked into {where}"


# -- where the master key is: one rule for the CLI and the systemd service ----------------------


def _sealed_shop(db: Path, key_file: Path | None) -> None:
    """A database whose shopee channel has its partner key sealed with ``key_file``."""
    store = Store(db)
    try:
        tenant = catalog.add_tenant(store, "Dapur Bu Sri")
        ch = catalog.add_channel(
            store,
            tenant.id,
            ChannelIn(name="shopee", marketplace="shopee", shop_id="220011"),
            settings={"partner_id": "2001234", "base_url": "http://127.0.0.1:9"},
        )
        vault = credentials.Vault(credentials.load_key(db, key_file))
        credentials.save(store, vault, tenant.id, ch.id, app={"partner_key": CANARY_KEY})
    finally:
        store.close()


@pytest.fixture
def no_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYNCD_MASTER_KEY", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)


@pytest.mark.usefixtures("no_key_env")
def test_the_key_rule_first_found_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "toko.db"
    configured = tmp_path / "etc" / "master.key"
    assert credentials.key_source(db) == credentials.KeySource(str(db) + ".key", Path(f"{db}.key"))
    assert credentials.key_source(db, configured).path == configured
    creds = tmp_path / "creds"
    creds.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert credentials.key_source(db, configured).path == configured  # no such credential here
    (creds / "syncd-master-key").write_text("x")
    assert credentials.key_source(db, configured).path == creds / "syncd-master-key"
    monkeypatch.setenv("SYNCD_MASTER_KEY", "y")
    assert credentials.key_source(db, configured) == credentials.KeySource("SYNCD_MASTER_KEY", None)


@pytest.mark.usefixtures("no_key_env")
def test_cli_and_service_open_the_same_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's setup: the config names /etc/syncd/master.key, the unit hands the same file
    to the service as a systemd credential; both open what the other sealed."""
    from syncd.config import load_settings

    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "syncd.toml").write_text(
        f'database = "{tmp_path / "state" / "syncd.db"}"\nmaster_key = "master.key"\n'
    )
    settings = load_settings(etc / "syncd.toml")
    assert settings.master_key == etc / "master.key"  # relative to the config file
    credentials.new_key_file(etc / "master.key")
    (tmp_path / "state").mkdir()
    db = tmp_path / "state" / "syncd.db"
    _sealed_shop(db, settings.master_key)  # what `sudo -u syncd syncd --config ...` sealed
    # the service: LoadCredential=syncd-master-key:/etc/syncd/master.key
    creds = tmp_path / "run-credentials"
    creds.mkdir()
    (creds / "syncd-master-key").write_bytes((etc / "master.key").read_bytes())
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    daemon = Daemon(db, workers=1, master_key=settings.master_key)
    store = Store(db)
    try:
        account = sync.load_accounts(store)[0]
        sealed = credentials.load(store, daemon._vault, account.tenant_id, account.id)
        assert sealed.app == {"partner_key": CANARY_KEY}
    finally:
        store.close()
    assert not Path(f"{db}.key").exists()  # nobody made a second key beside the database


@pytest.mark.usefixtures("no_key_env")
def test_a_credential_that_disagrees_with_the_config_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = tmp_path / "master.key"
    credentials.new_key_file(configured)
    creds = tmp_path / "creds"
    creds.mkdir()
    credentials.new_key_file(creds / "syncd-master-key")  # a different key
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    with expect_error("secrets.key_mismatch"):
        credentials.load_key(tmp_path / "toko.db", configured)


@pytest.mark.usefixtures("no_key_env")
def test_cli_refuses_to_make_a_new_key_beside_sealed_secrets(cli: Cli, tmp_path: Path) -> None:
    """The harm: the service's key lived in /etc/syncd; the operator ran the CLI without
    --config, which quietly wrote a new <db>.key, and every shop's secrets were unreadable
    from then on (the CLI said "cannot decrypt"; the seller reconnected every shop)."""
    key = tmp_path / "master.key"
    credentials.new_key_file(key)
    db = tmp_path / "syncd.db"
    _sealed_shop(db, key)
    run = cli("--lang", "en", "channel", "connect", "shopee")  # no --config: rule lands on .key
    assert run.code == 1
    assert "could never open them" in run.err
    assert "master_key" in run.err
    assert f"{db}.key" in run.err
    assert not Path(f"{db}.key").exists()
    config = tmp_path / "syncd.toml"
    config.write_text(f'master_key = "{key}"\n')
    where = cli("--lang", "en", "--config", str(config), "key", "where")
    assert where.code == 0, where.err
    assert str(key) in where.out


@pytest.mark.usefixtures("no_key_env")
def test_a_fresh_database_still_gets_its_key_on_first_use(tmp_path: Path) -> None:
    db = tmp_path / "toko.db"
    Store(db).close()
    key = credentials.load_key(db)
    assert Path(f"{db}.key").stat().st_mode & 0o777 == 0o600
    assert credentials.load_key(db) == key
    with expect_error("secrets.key_missing"):
        credentials.load_key(db, tmp_path / "elsewhere.key", create=False)


def test_key_new_writes_a_private_key_and_never_overwrites(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    made = cli("--lang", "en", "key", "new", str(path), db=False)
    assert made.code == 0, made.err
    assert path.stat().st_mode & 0o777 == 0o600
    first = path.read_bytes()
    again = cli("--lang", "en", "key", "new", str(path), db=False)
    assert again.code == 1
    assert "never overwrites" in again.err
    assert path.read_bytes() == first
    assert len(credentials.load_key(tmp_path / "x.db", path)) == 32


@pytest.mark.usefixtures("no_key_env")
def test_the_service_refuses_a_credential_other_than_the_configured_key(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``syncd --config ... run`` under systemd: LoadCredential= named another file."""
    key = tmp_path / "master.key"
    credentials.new_key_file(key)
    db = tmp_path / "syncd.db"
    _sealed_shop(db, key)
    config = tmp_path / "syncd.toml"
    config.write_text(f'database = "{db}"\nmaster_key = "master.key"\n')
    creds = tmp_path / "creds"
    creds.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    credentials.new_key_file(creds / "syncd-master-key")  # not the configured key
    run = cli("--lang", "en", "--config", str(config), "run", "--once", db=False)
    assert run.code == 1
    assert "two different master keys" in run.err
    (creds / "syncd-master-key").write_bytes(key.read_bytes())  # the unit fixed
    run = cli("--lang", "en", "--config", str(config), "run", "--once", db=False)
    assert "master key" not in run.err
    assert "Traceback" not in run.err


def test_the_unit_and_the_example_config_follow_the_rule() -> None:
    """The shipped unit reads the config (no SYNCD_DB/SYNCD_MASTER_KEY of its own, which the
    CLI would not see) and hands the configured key file over as the credential."""
    root = Path(__file__).resolve().parent.parent
    unit = (root / "systemd" / "syncd.service").read_text(encoding="utf-8")
    lines = [ln for ln in unit.splitlines() if ln and not ln.startswith("#")]
    exec_start = next(ln for ln in lines if ln.startswith("ExecStart="))
    assert "--config /etc/syncd/syncd.toml run" in exec_start
    assert "LoadCredential=syncd-master-key:/etc/syncd/master.key" in lines
    assert not any("SYNCD_DB" in ln or "SYNCD_MASTER_KEY" in ln for ln in lines)
    example = (root / "config" / "syncd.example.toml").read_text(encoding="utf-8")
    assert '# As a service: master_key = "/etc/syncd/master.key"' in example
    assert '# As a service: database = "/var/lib/syncd/syncd.db"' in example
