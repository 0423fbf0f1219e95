"""A seller keeps her catalogue in a spreadsheet and imports it again and again.

Issue 9, item 1: "Import never rewinds stock". Each test is one session at the
keyboard, through the real ``syncd`` command line.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from syncd import catalog, ledger
from syncd.store import Store
from tests.conftest import Cli

KATALOG = """\
kode,nama,harga,stok
NASTAR-500,Nastar Keju 500 g,Rp 85.000,12
KOPI-250,Kopi Dampit 250 g,45000,30
"""


def _start(cli: Cli, tmp_path: Path, text: str = KATALOG) -> Path:
    assert cli("init").code == 0
    assert cli("tenant", "add", "Dapur Bu Sri").code == 0
    path = tmp_path / "katalog.csv"
    path.write_text(text, encoding="utf-8")
    first = cli("product", "import", str(path))
    assert first.code == 0, first.err
    return path


def _stock(db_path: Path, sku: str) -> int:
    with Store(db_path) as store:
        tenant = catalog.resolve_tenant(store, None)
        return ledger.balance(store, tenant.id, catalog.get_sku(store, tenant.id, sku).id)[0]


def _sku(db_path: Path, sku: str) -> catalog.Sku:
    with Store(db_path) as store:
        tenant = catalog.resolve_tenant(store, None)
        return catalog.get_sku(store, tenant.id, sku)


def _snapshot(db_path: Path) -> tuple[str, dict[str, int]]:
    """The database file's hash and every table's row count."""
    digest = hashlib.sha256(db_path.read_bytes()).hexdigest()
    with Store(db_path) as store:
        tables = [
            r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        rows = {name: int(store.scalar(f'SELECT COUNT(*) FROM "{name}"')) for name in tables}
    return digest, rows


def test_reimport_after_a_whatsapp_sale_keeps_the_sale(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    """The harm: Bu Sri imported katalog.csv (NASTAR-500 stock 12), sold 5 jars on
    WhatsApp (stock 7), then fixed a typo in a name and raised a price in the same
    file and imported it again. Stock went back to 12: the WhatsApp sale was undone,
    and with a shop connected that 12 would have been pushed to every marketplace.

    Now the stock column is opening stock only: the edit changes the name and the
    price and leaves stock at 7, and the output says the file's 12 was not used.
    """
    path = _start(cli, tmp_path)
    sale = cli("sale", "5xNASTAR-500", "--channel", "whatsapp")
    assert sale.code == 0, sale.err
    assert _stock(db_path, "NASTAR-500") == 7

    path.write_text(
        KATALOG.replace("Nastar Keju 500 g,Rp 85.000", "Nastar Keju Premium 500 g,Rp 90.000"),
        encoding="utf-8",
    )
    again = cli("--lang", "en", "product", "import", str(path))
    assert again.code == 0, again.err

    assert _stock(db_path, "NASTAR-500") == 7
    assert _stock(db_path, "KOPI-250") == 30
    nastar = _sku(db_path, "NASTAR-500")
    assert (nastar.name, nastar.price) == ("Nastar Keju Premium 500 g", 90000)
    out = again.out
    assert "NASTAR-500" in out
    assert "'Nastar Keju 500 g' → 'Nastar Keju Premium 500 g'" in out
    assert "Rp 85,000 → Rp 90,000" in out
    assert "file says 12, on hand stays 7" in out  # the ignored stock is named, not hidden
    assert "--set-stock" in out


def test_set_stock_is_a_count_that_names_the_sales_it_overrides(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    """The harm: the only way import could touch stock was silently; a seller who
    really had counted 12 jars could not tell what that number would overwrite.

    Now ``--set-stock`` is an explicit stock count: the preview says how many units
    each SKU gains or loses and which sales since the last count it overrides;
    the count is recorded as a count naming the file and row; running it again
    writes nothing more; a sale after it makes the next run a new, visible count.
    """
    path = _start(cli, tmp_path)
    assert cli("sale", "5xNASTAR-500", "--channel", "whatsapp").code == 0

    preview = cli("--lang", "en", "product", "import", str(path), "--set-stock", "--dry-run")
    assert preview.code == 0, preview.err
    assert "NASTAR-500: on hand 7 → 12 (+5)" in preview.out
    assert "whatsapp" in preview.out.lower()
    assert "5" in preview.out
    assert "30 → 30" not in preview.out  # KOPI-250 already has 30: no change to show
    assert _stock(db_path, "NASTAR-500") == 7  # a preview writes nothing

    done = cli("--lang", "en", "product", "import", str(path), "--set-stock")
    assert done.code == 0, done.err
    assert "NASTAR-500: on hand 7 → 12 (+5)" in done.out
    assert _stock(db_path, "NASTAR-500") == 12
    with Store(db_path) as store:
        tenant = catalog.resolve_tenant(store, None)
        sku_id = catalog.get_sku(store, tenant.id, "NASTAR-500").id
        last = ledger.history(store, tenant.id, sku_id)[-1]
    assert (last["kind"], last["qty"], last["source"]) == ("count", 12, "import")
    assert "katalog.csv" in str(last["reason"])
    assert "2" in str(last["reason"])

    before = _snapshot(db_path)[1]["movement"]
    twice = cli("--lang", "en", "product", "import", str(path), "--set-stock")
    assert twice.code == 0, twice.err
    assert _snapshot(db_path)[1]["movement"] == before  # nothing applied twice
    assert "Already at the file's count" in twice.out

    assert cli("sale", "2xNASTAR-500", "--channel", "cash").code == 0
    third = cli("--lang", "en", "product", "import", str(path), "--set-stock")
    assert third.code == 0, third.err
    assert "NASTAR-500: on hand 10 → 12 (+2)" in third.out  # not a silent no-op
    assert "cash" in third.out.lower()
    assert _stock(db_path, "NASTAR-500") == 12


def test_dry_run_writes_nothing(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    """The harm: there was no way to see what an import would do before it did it.

    Now ``--dry-run`` prints what would be created, changed (old → new), which
    stock would move and which rows are refused, and the database file is
    byte-for-byte the same afterwards.
    """
    path = _start(cli, tmp_path)
    assert cli("sale", "5xNASTAR-500", "--channel", "whatsapp").code == 0
    path.write_text(
        "kode,nama,harga,stok\n"
        "NASTAR-500,Nastar Keju 500 g,Rp 95.000,12\n"
        "KOPI-250,Kopi Dampit 250 g,45000,30\n"
        "KASTENGEL-250,Kastengel 250 g,50.000,8\n"
        "RUSAK,Kue Rusak,abc,1\n",
        encoding="utf-8",
    )
    before = _snapshot(db_path)
    run = cli(
        "--lang", "en", "product", "import", str(path), "--dry-run", "--skip-bad", "--set-stock"
    )
    assert run.code == 0, run.err
    assert _snapshot(db_path) == before
    assert "KASTENGEL-250" in run.out  # created
    assert "Rp 85,000 → Rp 95,000" in run.out  # updated
    assert "NASTAR-500: on hand 7 → 12 (+5)" in run.out  # stock change
    assert "row 5, column harga" in run.err  # refused row, named as the file names it
    assert "nothing was written" in run.out.lower()


def test_notes_and_photo_columns_are_ignored_with_one_warning(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    """The harm: a seller's sheet had a `catatan` (notes) and a `foto` column; the
    whole import was refused for columns syncd does not use.

    Now they are named once in a warning and ignored; the products come in.
    """
    cli("init")
    cli("tenant", "add", "Dapur Bu Sri")
    path = tmp_path / "katalog.csv"
    path.write_text(
        "kode,nama,harga,catatan,foto,stok\n"
        "NASTAR-500,Nastar,85000,laris,n.jpg,3\n"
        "KOPI-250,Kopi,45000,,k.jpg,4\n",
        encoding="utf-8",
    )
    run = cli("product", "import", str(path))
    assert run.code == 0, run.err
    warnings = [line for line in (run.out + run.err).splitlines() if "catatan" in line]
    assert len(warnings) == 1
    assert "foto" in warnings[0]
    assert _stock(db_path, "KOPI-250") == 4


def test_a_misspelt_column_is_still_refused_with_the_fix(cli: Cli, tmp_path: Path) -> None:
    """The harm to avoid: ignoring `stokk` would silently drop the stock column.

    A header close to a known column that the file does not already have is an
    error with the suggestion; nothing is applied and --skip-bad is not offered.
    """
    cli("init")
    cli("tenant", "add", "Dapur Bu Sri")
    path = tmp_path / "katalog.csv"
    path.write_text("kode,nama,harga,stokk\nNASTAR-500,Nastar,85000,3\n", encoding="utf-8")
    run = cli("product", "import", str(path))
    assert run.code == 1
    assert "stokk" in run.err
    assert "'stok'" in run.err
    assert "--skip-bad" not in run.err
    assert "Traceback" not in run.err


def test_failure_counts_rows_and_offers_skip_bad_only_when_it_helps(
    cli: Cli, tmp_path: Path
) -> None:
    """The harm: one row with two problems was reported as "2 bad rows", and
    `--skip-bad` was advised even when no row was good or the header was wrong.
    """
    cli("init")
    cli("tenant", "add", "Dapur Bu Sri")
    path = tmp_path / "katalog.csv"
    path.write_text("kode,nama,harga\nA B,,xx\nKOPI-250,Kopi,45000\n", encoding="utf-8")
    run = cli("--lang", "en", "product", "import", str(path))
    assert run.code == 1
    assert "1 row with problems" in run.err
    assert "--skip-bad" in run.err

    path.write_text("kode,nama,harga\nA B,,xx\n", encoding="utf-8")
    run = cli("--lang", "en", "product", "import", str(path))
    assert run.code == 1
    assert "1 row with problems" in run.err
    assert "--skip-bad" not in run.err

    path.write_text("kode,nama\nKOPI-250,Kopi\n", encoding="utf-8")
    for lang, names in (("id", "kode, nama, harga"), ("en", "sku, name, price")):
        run = cli("--lang", lang, "product", "import", str(path))
        assert run.code == 1
        assert "--skip-bad" not in run.err
        assert names in run.err, run.err
