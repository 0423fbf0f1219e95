"""The command line end to end (in-process), in both languages."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from syncd.store import LATEST_VERSION
from tests.conftest import Cli, Run


@pytest.fixture
def shop(cli: Cli) -> None:
    """A seller with a small catalogue, two channels and some rules."""
    for args in (
        ["init"],
        ["tenant", "add", "Dapur Bu Sri"],
        ["product", "add", "NASTAR-500", "--name", "Nastar", "--price", "85000"],
        ["product", "add", "KOPI-250", "--name", "Kopi", "--price", "45000"],
        [
            "product",
            "add",
            "HAMPERS",
            "--name",
            "Hampers",
            "--price",
            "150000",
            "--bundle",
            "2xNASTAR-500 1xKOPI-250",
        ],
        ["stock", "set", "NASTAR-500", "12", "--reason", "opname"],
        ["stock", "receive", "KOPI-250", "5", "--reason", "roasting"],
        [
            "channel",
            "add",
            "shopee",
            "--marketplace",
            "shopee",
            "--shop-id",
            "1",
            "--partner-id",
            "7",
        ],
        [
            "channel",
            "add",
            "tokopedia",
            "--marketplace",
            "tokopedia",
            "--shop-id",
            "2",
            "--app-key",
            "6abcd",
            "--service-id",
            "7001",
        ],
        ["listing", "bind", "NASTAR-500", "--channel", "shopee", "--item-id", "100"],
    ):
        run = cli(*args)
        assert run.code == 0, (args, run.err)


def stock_of(cli, sku: str) -> tuple[int, int]:
    run = cli("--lang", "en", "explain", sku)
    head = run.out.splitlines()[0]  # "SKU (name): on hand N, reserved M"
    on_hand = int(head.split("on hand ")[1].split(",")[0])
    return on_hand, int(head.rsplit("reserved ", 1)[1])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_help_in_both_languages(cli: Cli, lang: str) -> None:
    run: Run = cli("--lang", lang, "--help", db=False)
    assert run.code == 0
    expected = "satu stok induk" if lang == "id" else "one master inventory"
    assert expected in run.out
    sub = cli("--lang", lang, "sale", "--help", db=False)
    assert sub.code == 0
    assert "--allow-negative" in sub.out


@pytest.mark.usefixtures("shop")
def test_sale_of_several_items_is_recorded_atomically(cli: Cli) -> None:
    run = cli("sale", "2xNASTAR-500", "1xKOPI-250", "--channel", "whatsapp")
    assert run.code == 0, run.err
    assert "Penjualan WhatsApp dicatat" in run.out
    assert stock_of(cli, "NASTAR-500") == (10, 0)
    assert stock_of(cli, "KOPI-250") == (4, 0)


@pytest.mark.usefixtures("shop")
@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["1xNASTAR-500", "1xNOPE"], "SKU 'NOPE' tidak dikenal"),
        (["1xNASTAR-500", "9xKOPI-250"], "Stok KOPI-250 tidak cukup: bisa dipakai 5, diminta 9"),
        (["1xNASTAR-500", "1xHAMPERS", "5xKOPI-250"], "Stok KOPI-250 tidak cukup"),
        (["dua-NASTAR!"], "'dua-NASTAR!' tidak bisa dibaca"),
    ],
)
def test_bad_sale_records_nothing(cli: Cli, items: list[str], message: str) -> None:
    run = cli("sale", *items, "--channel", "cash")
    assert run.code == 1
    assert message in run.err
    assert stock_of(cli, "NASTAR-500") == (12, 0)
    assert stock_of(cli, "KOPI-250") == (5, 0)


@pytest.mark.usefixtures("shop")
def test_allow_negative_and_repeated_key(cli: Cli) -> None:
    args = ("sale", "9xKOPI-250", "--channel", "instagram", "--key", "ig-7", "--allow-negative")
    assert cli(*args).code == 0
    assert stock_of(cli, "KOPI-250") == (-4, 0)
    again = cli(*args)
    assert again.code == 0
    assert "sudah dicatat" in again.out
    assert stock_of(cli, "KOPI-250") == (-4, 0)


@pytest.mark.usefixtures("shop")
def test_stock_adjust_negative_and_refusal(cli: Cli) -> None:
    assert cli("stock", "adjust", "NASTAR-500", "-2", "--reason", "pecah").code == 0
    assert stock_of(cli, "NASTAR-500") == (10, 0)
    refused = cli("stock", "adjust", "NASTAR-500", "-11", "--reason", "x")
    assert refused.code == 1
    assert stock_of(cli, "NASTAR-500") == (10, 0)
    missing_reason = cli("stock", "adjust", "NASTAR-500", "-1")
    assert missing_reason.code == 2


@pytest.mark.usefixtures("shop")
def test_explain_prints_formula_per_channel(cli: Cli) -> None:
    assert cli("sale", "3xNASTAR-500", "--channel", "cash").code == 0
    assert cli("rule", "set", "--channel", "shopee", "--share", "80").code == 0
    assert cli("rule", "set", "--sku", "NASTAR-500", "--buffer", "2").code == 0
    assert (
        cli("rule", "set", "--channel", "shopee", "--markup-pct", "10", "--rounding", "end900").code
        == 0
    )
    run = cli("--lang", "en", "explain", "NASTAR-500")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0] == "NASTAR-500 (Nastar): on hand 9, reserved 0"
    assert " ".join(lines[1].split()) == "shopee: floor(80% × (9 on hand − 2 buffer)) = 5"
    assert "price: Rp 85,000 + 10% = Rp 93,500 → rounded to …900 = Rp 93,900" in run.out
    assert "tokopedia: 9 on hand − 2 buffer = 7  (not bound; nothing is pushed)" in run.out
    indo = cli("explain", "NASTAR-500")
    assert "floor(80% × (9 stok − 2 cadangan)) = 5" in indo.out


@pytest.mark.usefixtures("shop")
def test_explain_bundle(cli: Cli) -> None:
    run = cli("--lang", "en", "explain", "HAMPERS")
    assert "min(floor(5 / 1) KOPI-250, floor(12 / 2) NASTAR-500) = 5" in run.out


@pytest.mark.usefixtures("shop")
def test_bad_rule_values_are_clear(cli: Cli) -> None:
    run = cli("--lang", "en", "rule", "set", "--share", "120")
    assert run.code == 1
    assert "share_pct" in run.err
    assert "0 to 100" in run.err
    run = cli("--lang", "en", "rule", "set", "--last-units", "2")
    assert run.code == 1
    assert "preferred_channel" in run.err
    run = cli("--lang", "en", "rule", "set", "--rounding", "750")
    assert run.code == 1
    assert "end900" in run.err


@pytest.mark.usefixtures("shop")
def test_ledger_export_and_check(cli: Cli, tmp_path: Path) -> None:
    assert cli("sale", "1xNASTAR-500", "--channel", "whatsapp").code == 0
    ledger = cli("--lang", "en", "ledger", "NASTAR-500")
    assert ledger.code == 0
    rows = ledger.out.splitlines()[2:]
    assert [r.split()[2] for r in rows] == ["count", "offline"]
    out = tmp_path / "stock.csv"
    assert cli("export", str(out)).code == 0
    with out.open(encoding="utf-8") as fh:
        data = {r["sku"]: r for r in csv.DictReader(fh)}
    assert data["NASTAR-500"]["on_hand"] == "11"
    assert data["HAMPERS"]["available"] == "5"
    check = cli("check")
    assert check.code == 0
    assert "Pemeriksaan lulus" in check.out


@pytest.mark.usefixtures("shop")
def test_check_fails_on_tampered_balance(cli: Cli, db_path: Path) -> None:
    import sqlite3

    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE balance SET reserved = 7")
    raw.commit()
    raw.close()
    run = cli("--lang", "en", "check")
    assert run.code == 1
    assert "does not match the ledger" in run.err


def test_tenant_selection(cli: Cli) -> None:
    assert cli("init").code == 0
    assert cli("tenant", "add", "A").code == 0
    assert cli("tenant", "add", "B").code == 0
    run = cli("--lang", "en", "product", "list")
    assert run.code == 1
    assert "choose one with --tenant" in run.err
    assert cli("--tenant", "B", "product", "add", "X1", "--name", "x", "--price", "1").code == 0
    assert "X1" in cli("--tenant", "B", "product", "list").out
    assert "X1" not in cli("--tenant", "A", "product", "list").out
    assert cli("--lang", "en", "tenant", "list").out.split()[-2:] == ["A", "B"]


def test_database_path_precedence(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = cli("--lang", "en", "init", db=False)
    assert missing.code == 1
    assert "No database location given" in missing.err
    (tmp_path / "syncd.toml").write_text('database = "from-config.db"\nlang = "en"\n')
    assert cli("init", db=False).code == 0
    assert (tmp_path / "from-config.db").exists()
    monkeypatch.setenv("SYNCD_DB", str(tmp_path / "from-env.db"))
    run = cli("init", db=False)
    assert "from-env.db" in run.out
    assert "Database ready" in run.out  # lang from the config file
    run = cli("--db", str(tmp_path / "from-flag.db"), "init", db=False)
    assert "from-flag.db" in run.out


def test_bad_config_value_is_named(cli: Cli, tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('database = "x.db"\nlang = "fr"\ncolour = 1\n')
    run = cli("--lang", "en", "--config", str(cfg), "init", db=False)
    assert run.code == 1
    assert str(cfg) in run.err
    assert "lang" in run.err
    assert "colour" in run.err


def test_bad_syncd_lang_is_an_error(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCD_LANG", "fr")
    run = cli("init")
    assert run.code == 2
    assert "SYNCD_LANG" in run.err


def test_english_from_environment(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCD_LANG", "en")
    assert "Database ready" in cli("init").out


@pytest.mark.usefixtures("shop")
def test_import_via_cli_reports_rows(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name,price\nA,Apel,1000\nB,Buah,abc\n", encoding="utf-8")
    run = cli("product", "import", str(bad))
    assert run.code == 1
    assert "baris 3, kolom price" in run.err
    assert "Tidak ada yang diterapkan" in run.err
    ok = cli("product", "import", str(bad), "--skip-bad")
    assert ok.code == 0
    assert "1 SKU baru" in ok.out


def test_console_script_runs(tmp_path: Path) -> None:
    """The installed entry point works in a fresh interpreter (as a seller runs it)."""
    run = subprocess.run(
        [sys.executable, "-m", "syncd.cli", "--db", str(tmp_path / "x.db"), "--lang", "en", "init"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert f"schema version {LATEST_VERSION}" in run.stdout


def test_demo_walkthrough(cli: Cli) -> None:
    run = cli("--lang", "en", "demo", "--tour", db=False)
    assert run.code == 0, run.out[-2000:]
    assert run.out.rstrip().splitlines()[-1] == "TOUR steps=27 failed=0"
    assert "Not enough stock for KASTENGEL-500" in run.out
