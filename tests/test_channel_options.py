"""``channel add``/``edit`` options come from the adapters' settings models (issue 11):
the core CLI names no marketplace, a wrong value is refused naming its option before
anything is stored, and an adapter installed by entry point brings its own options."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def seller(cli: Cli) -> Cli:
    assert cli("init").code == 0
    assert cli("tenant", "add", "Dapur Bu Sri").code == 0
    return cli


def test_the_options_are_the_adapters_settings(seller: Cli) -> None:
    run = seller("--lang", "en", "channel", "add", "--help", db=False)
    assert run.code == 0
    for option in ("--partner-id", "--app-key", "--service-id", "--environment", "--country"):
        assert option in run.out, option
    assert "--timeout" not in run.out  # advanced: --setting timeout=…
    assert "--setting" in run.out


def test_core_cli_names_no_marketplace_flag() -> None:
    core = "\n".join(
        (ROOT / "syncd" / name).read_text()
        for name in ("cli.py", "cli_base.py", "cli_sync.py", "cli_channels.py")
    )
    for option in ("--partner-id", "--app-key", "--service-id", '"partner_id"', '"app_key"'):
        assert option not in core, option


@pytest.mark.parametrize(
    ("extra", "named", "why"),
    [
        (["--partner-id", "abc"], "--partner-id", "integer"),
        (["--partner-id", "7", "--setting", "timeout=0"], "--setting timeout", "more than 0"),
        (["--partner-id", "7", "--base-url", "ftp://x"], "--base-url", "http"),
        (["--partner-id", "7", "--setting", "colour=red"], "colour", "partner_id"),
    ],
)
def test_a_wrong_setting_is_refused_naming_it_and_nothing_is_stored(
    seller: Cli, extra: list[str], named: str, why: str
) -> None:
    args = ["channel", "add", "shopee", "--marketplace", "shopee", "--shop-id", "1", *extra]
    run = seller("--lang", "en", *args)
    assert run.code == 1
    assert named in run.err
    assert why in run.err
    assert "Traceback" not in run.err
    assert "shopee" not in seller("channel", "list").out


def test_settings_are_stored_in_their_types(seller: Cli, db_path: Path) -> None:
    add = ["channel", "add", "shopee", "--marketplace", "shopee", "--shop-id", "1"]
    assert seller(*add, "--partner-id", "2001234", "--setting", "timeout=5").code == 0
    from syncd.catalog import get_channel
    from syncd.store import Store

    with Store(db_path) as store:
        tenant = store.scalar("SELECT id FROM tenant")
        settings = get_channel(store, tenant, "shopee").settings
    assert settings["partner_id"] == 2001234
    assert settings["timeout"] == 5.0
    edit = seller("--lang", "en", "channel", "edit", "shopee", "--environment", "staging")
    assert edit.code == 2  # argparse: not one of the choices
    assert seller("channel", "edit", "shopee", "--environment", "sandbox").code == 0


TOY = '''
    """A toy marketplace outside syncd's tree, installed by entry point."""
    import datetime as dt
    from typing import ClassVar

    from syncd.adapter import Adapter, BatchLimits
    from syncd.adapter_settings import AdapterSettings, setting


    class ToySettings(AdapterSettings):
        store_url: str = setting(help=("alamat toko mainan", "the toy store's address"),
                                 required=True)
        colour: str = setting("red", help=("warna toko", "the store's colour"),
                              choices=("red", "blue"))


    class ToyAdapter(Adapter):
        name: ClassVar[str] = "toy"
        limits: ClassVar[BatchLimits] = BatchLimits(1, 1, False, 1, dt.timedelta(days=1))
        settings_model: ClassVar[type[AdapterSettings]] = ToySettings
        secret_names: ClassVar[tuple[str, ...]] = ("toy_secret",)
'''


def test_an_adapter_installed_by_entry_point_brings_its_options(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "toy_market").mkdir(parents=True)
    (site / "toy_market" / "__init__.py").write_text(textwrap.dedent(TOY))
    info = site / "toy_market-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-market\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[syncd.adapters]\ntoy = toy_market:ToyAdapter\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    db = str(tmp_path / "t.db")

    def syncd(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "syncd.cli", "--lang", "en", "--db", db, *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    helped = syncd("channel", "add", "--help")
    assert helped.returncode == 0
    assert "--store-url" in helped.stdout
    assert "the toy store's address (toy)" in " ".join(helped.stdout.split())
    assert syncd("init").returncode == 0
    assert syncd("tenant", "add", "T").returncode == 0
    refused = syncd("channel", "add", "t", "--marketplace", "toy", "--shop-id", "1")
    assert refused.returncode == 1
    assert "--store-url" in refused.stderr
    added = syncd(
        "channel", "add", "t", "--marketplace", "toy", "--shop-id", "1",
        "--store-url", "https://toko.example", "--colour", "blue",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr


def test_an_adapter_that_cannot_load_is_named_and_does_not_stop_the_cli(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "broken_market").mkdir(parents=True)
    (site / "broken_market" / "__init__.py").write_text("raise ImportError('no module x')\n")
    info = site / "broken_market-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-market\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[syncd.adapters]\nbroken = broken_market:X\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    run = subprocess.run(
        [sys.executable, "-m", "syncd.cli", "--lang", "en", "channel", "add", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0
    assert "--partner-id" in run.stdout
    assert "broken" in run.stderr


def test_a_cash_sale_loads_no_adapter(tmp_path: Path) -> None:
    """The options come from the adapters' models, but only `channel add`/`edit` build them:
    loading every adapter (httpx, their shapes) cost each `syncd sale` 0.4 s at start-up."""
    db = str(tmp_path / "s.db")
    script = textwrap.dedent(
        f"""
        import sys
        from syncd.cli import main
        for args in (["init"], ["tenant", "add", "T"],
                     ["product", "add", "A-1", "--name", "A", "--price", "1000"],
                     ["stock", "set", "A-1", "5", "--reason", "x"],
                     ["sale", "1xA-1", "--channel", "cash"]):
            assert main(["--db", {db!r}, *args]) == 0, args
        print(sorted(m for m in sys.modules if m.startswith("adapters.")))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"
