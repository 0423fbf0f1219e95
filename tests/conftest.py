"""Shared fixtures: a fresh store per test, a seller, and an in-process CLI runner."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from syncd import catalog, i18n, localtime
from syncd.catalog import Tenant
from syncd.cli import main
from syncd.models import SkuIn
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
