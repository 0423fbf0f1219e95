"""Shared fixtures: a fresh store per test, a seller, and an in-process CLI runner."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from syncd import catalog, credentials, i18n, localtime, sync
from syncd.adapter import Credentials
from syncd.catalog import Tenant
from syncd.cli import main
from syncd.models import ChannelIn, SkuIn
from syncd.store import Store


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's SYNCD_* settings or config files."""
    for var in ("SYNCD_DB", "SYNCD_LANG", "SYNCD_CONFIG", "SYNCD_TZ", "SYNCD_MASTER_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    i18n.set_lang(None)
    localtime.set_zone(None)
    yield
    i18n.set_lang(None)
    localtime.set_zone(None)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "syncd.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store(db_path)
    yield s
    s.close()


@pytest.fixture
def tenant(store: Store) -> Tenant:
    return catalog.add_tenant(store, "Dapur Bu Sri")


def add_skus(store: Store, tenant: Tenant, *items: SkuIn) -> None:
    with store.write():
        for item in items:
            catalog.upsert_sku(store, tenant.id, item)


@dataclass
class Run:
    code: int
    out: str
    err: str


Cli = Callable[..., Run]


@pytest.fixture
def cli(db_path: Path) -> Cli:
    """Run ``syncd --db <tmp> ARGS`` in-process; returns exit code and output."""

    def run(*args: str, db: bool = True) -> Run:
        out, err = io.StringIO(), io.StringIO()
        argv = (["--db", str(db_path)] if db else []) + list(args)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse usage errors and --help
                code = int(exc.code or 0)
        i18n.set_lang(None)
        return Run(code, out.getvalue(), err.getvalue())

    return run


@contextlib.contextmanager
def expect_error(key: str) -> Iterator[None]:
    """Expect a UserError with this catalogue key (the text itself is localized)."""
    from syncd.errors import UserError

    with pytest.raises(UserError) as info:
        yield
    assert info.value.key == key, f"expected {key}, got {info.value.key}: {info.value}"


def connect_channel(
    store: Store,
    tenant_id: int,
    channel: ChannelIn,
    *,
    settings: dict[str, object],
    secret: str,
    authorize: Callable[[], str],
    integration_start: str | None = None,
    discover: bool = True,
) -> tuple[catalog.Channel, Credentials]:
    """What `channel add`, `connect`, `discover` and `accept` do, for tests that start from
    a connected shop: an accepted channel (stock and prices), its app secret sealed, tokens
    from the marketplace's real code exchange (``authorize`` returns a fresh code), and its
    listings discovered and bound by SKU."""
    ch = catalog.add_channel(
        store,
        tenant_id,
        channel,
        settings=settings,
        integration_start=integration_start,
        accepted=True,
        price_sync="push",
    )
    vault = credentials.Vault(credentials.load_key(store.path))
    credentials.save(store, vault, tenant_id, ch.id, app={"partner_key": secret})
    account = sync.load_account(store, ch.id)
    assert account is not None
    rt = sync.build_runtime(store, vault, account)
    assert rt.adapter is not None
    try:
        tokens = rt.adapter.exchange_code(authorize())
        credentials.save(store, vault, tenant_id, ch.id, tokens=tokens)
        rt.load(store)
        if discover:
            sync.discover(store, rt)
    finally:
        rt.adapter.close()
    return ch, tokens
