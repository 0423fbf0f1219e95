"""Issue 11: a marketplace added outside this repository, by entry point, needs no edit of
``syncd/`` or ``adapters/``: ``channel add --help`` shows its settings, ``channel add``
validates them, and the contract suite runs on it (``test_contract_toy.py``)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

import adapters
from syncd.catalog import get_channel
from syncd.store import Store
from tests.conftest import Cli
from tests.toy_market.harness import ToyHarness
from tests.toy_market.install import NAME, ROOT, installed, subprocess_env

ADD = ["channel", "add", "mainan", "--marketplace", NAME, "--shop-id", "toko-bu-sri"]


def test_channel_add_help_shows_its_settings(toy: Path) -> None:
    """A real ``syncd`` process: the entry point is found through ``PYTHONPATH``."""
    run = subprocess.run(
        [sys.executable, "-m", "syncd.cli", "--lang", "en", "channel", "add", "--help"],
        capture_output=True,
        text=True,
        env=subprocess_env(toy),
        check=False,
        cwd=toy,
    )
    assert run.returncode == 0, run.stderr
    shown = " ".join(run.stdout.split())
    assert "--merchant-code" in shown
    assert "the seller's merchant code at Toko Mainan (TM-…) (toko_mainan)" in shown
    assert f",{NAME}," in shown  # among the --marketplace choices
    assert "cannot be loaded" not in run.stderr


def test_channel_add_refuses_a_missing_or_wrong_setting_and_takes_a_good_one(
    toy: Path, cli: Cli, db_path: Path
) -> None:
    assert cli("init").code == 0
    assert cli("tenant", "add", "Dapur Bu Sri").code == 0
    missing = cli("--lang", "en", *ADD)
    assert missing.code == 1
    assert "--merchant-code" in missing.err
    assert "Traceback" not in missing.err
    wrong = cli("--lang", "en", *ADD, "--merchant-code", "1001")
    assert wrong.code == 1
    assert "--merchant-code" in wrong.err
    assert "TM- and digits" in wrong.err
    assert "mainan" not in cli("channel", "list").out  # nothing stored
    good = cli("--lang", "en", *ADD, "--merchant-code", "tm-1001", "--setting", "timeout=5")
    assert good.code == 0, good.err
    with Store(db_path) as store:
        tenant = store.scalar("SELECT id FROM tenant")
        settings = get_channel(store, tenant, "mainan").settings
    assert settings == {"merchant_code": "TM-1001", "timeout": 5.0}


def test_channel_connect_checks_the_key_and_discover_binds(
    toy: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The core's ``api_key`` path, for a marketplace it has never heard of."""
    harness = ToyHarness()
    harness.start()
    try:
        harness.seed()
        assert cli("init").code == 0
        assert cli("tenant", "add", "Dapur Bu Sri").code == 0
        for sku in ("NASTAR-250", "KOPI-250"):
            assert cli("product", "add", sku, "--name", sku, "--price", "45000").code == 0
        added = cli(*ADD, "--merchant-code", "TM-1001", "--base-url", harness.sim.base_url)
        assert added.code == 0, added.err
        monkeypatch.setenv("SYNCD_PARTNER_KEY", "not-the-key")
        refused = cli("--lang", "en", "channel", "connect", "mainan")
        assert refused.code == 1
        assert "unauthorized" in refused.err
        monkeypatch.setenv("SYNCD_PARTNER_KEY", harness.api_key)
        assert cli("channel", "set-secret", "mainan").code == 0  # the right key replaces it
        connected = cli("--lang", "en", "channel", "connect", "mainan")
        assert connected.code == 0, connected.err
        found = cli("--lang", "en", "channel", "discover", "mainan")
        assert found.code == 0, found.err
        assert "NOT-IN-MASTER" in found.out
    finally:
        harness.stop()


def test_the_toy_is_seen_only_while_installed(tmp_path: Path) -> None:
    """Other tests iterate ``adapters.available()`` (the fault and contract suites): the
    toy is there only inside ``installed``; ``importlib.metadata`` keeps nothing of it."""
    from tests.contract.harness import HARNESSES

    assert NAME not in adapters.available()
    with installed(tmp_path / "site"):
        assert adapters.available()[NAME] == "tests.toy_market.adapter:ToyAdapter"
        assert adapters.load(NAME).name == NAME
        assert NAME in adapters.marketplaces()
        assert NAME in HARNESSES
    assert NAME not in adapters.available()
    assert NAME not in adapters.marketplaces()
    assert not importlib.metadata.entry_points(group=adapters.ENTRY_POINT_GROUP, name=NAME)
    assert NAME not in HARNESSES


def test_no_file_of_syncd_or_adapters_names_the_toy() -> None:
    for tree in ("syncd", "adapters"):
        for path in (ROOT / tree).rglob("*.py"):
            text = path.read_text()
            assert "toko_mainan" not in text, path
            assert "toy_market" not in text, path


def test_an_entry_point_no_channel_could_use_is_named_not_offered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hyphenated name was offered by ``--marketplace`` and then refused by ``channel
    add`` (the toy's first try); now it is left out and named on stderr."""
    info = tmp_path / "bad_name-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bad-name\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[syncd.adapters]\ntoko-mainan = tests.toy_market.adapter:ToyAdapter\n"
    )
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    try:
        assert "toko-mainan" not in adapters.available()
        assert "toko-mainan" not in adapters.marketplaces()
    finally:
        sys.path.remove(str(tmp_path))
        importlib.invalidate_caches()
    assert "'toko-mainan' ignored" in capsys.readouterr().err
