"""Product import: CSV and XLSX, all or nothing, specific errors, idempotent."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from syncd import catalog, ledger
from syncd.catalog import Tenant
from syncd.errors import ImportFailed
from syncd.i18n import set_lang
from syncd.importer import import_file
from syncd.store import Store

GOOD = """\
sku,name,price,product,variant,components,stock
NASTAR-250,Nastar Keju,45.000,NASTAR,250 g,,20
NASTAR-500,Nastar Keju,Rp 85.000,NASTAR,500 g,,12
KOPI-250,Kopi Dampit,45000,,,,30
HAMPERS,Hampers Lebaran,180000,,,2xNASTAR-500 1xKOPI-250,
"""


def write(tmp_path: Path, text: str | bytes, name: str = "katalog.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def counts(store: Store) -> tuple[int, int, int]:
    return (
        store.scalar("SELECT COUNT(*) FROM sku"),
        store.scalar("SELECT COUNT(*) FROM movement"),
        store.scalar("SELECT COUNT(*) FROM product"),
    )


def on_hand(store: Store, tenant: Tenant, sku: str) -> int:
    return ledger.balance(store, tenant.id, catalog.get_sku(store, tenant.id, sku).id)[0]


def test_valid_csv(store: Store, tenant: Tenant, tmp_path: Path) -> None:
    report = import_file(store, tenant.id, write(tmp_path, GOOD))
    assert (report.created, report.updated, report.stock_set, report.errors) == (4, 0, 3, [])
    assert on_hand(store, tenant, "NASTAR-500") == 12
    nastar = catalog.get_sku(store, tenant.id, "NASTAR-250")
    assert (nastar.price, nastar.product, nastar.variant) == (45000, "NASTAR", "250 g")
    hampers = catalog.get_sku(store, tenant.id, "HAMPERS")
    assert {c.sku: q for c, q in catalog.bundle_components(store, hampers.id)} == {
        "NASTAR-500": 2,
        "KOPI-250": 1,
    }


def test_reimporting_the_same_file_changes_nothing(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD)
    import_file(store, tenant.id, path)
    ledger.record_offline_sale(
        store, tenant.id, [(2, "NASTAR-500")], channel="cash", key="s", actor="t"
    )
    before = counts(store)
    report = import_file(store, tenant.id, path)
    assert (report.created, report.updated, report.unchanged, report.stock_set) == (0, 0, 4, 0)
    assert counts(store) == before
    assert on_hand(store, tenant, "NASTAR-500") == 10  # the sale since the import stands


def test_valid_xlsx(store: Store, tenant: Tenant, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["SKU", "Nama", "Harga", "Stok"])  # Indonesian headers, any case
    sheet.append(["DOMPET-COKLAT", "Dompet Kulit", 175000, 1])
    sheet.append(["KOPI-250", "Kopi", 45000.0, 3.0])  # Excel numbers arrive as floats
    path = tmp_path / "katalog.xlsx"
    book.save(path)
    report = import_file(store, tenant.id, path)
    assert (report.created, report.stock_set) == (2, 2)
    assert on_hand(store, tenant, "KOPI-250") == 3
    assert catalog.get_sku(store, tenant.id, "DOMPET-COKLAT").price == 175000


def test_semicolon_csv_from_indonesian_excel(store: Store, tenant: Tenant, tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffkode;nama;harga\nKOPI-250;Kopi;45.000\n")
    assert import_file(store, tenant.id, path).created == 1


BAD_CASES = [
    ("bad number", "sku,name,price\nA,Apel,12a00\n", 2, "price", "import.r.bad_price"),
    ("bad stock", "sku,name,price,stock\nA,Apel,1000,-3\n", 2, "stock", "import.r.bad_stock"),
    (
        "unknown column",
        "sku,name,price,catatan\nA,Apel,1000,enak\n",
        1,
        "catatan",
        "import.r.unknown_column",
    ),
    (
        "misspelt column",
        "sku,name,price,stokk\nA,Apel,1000,1\n",
        1,
        "stokk",
        "import.r.unknown_column_hint",
    ),
    (
        "duplicate sku",
        "sku,name,price\nA,Apel,1000\na,Apel lagi,1000\n",
        3,
        "sku",
        "import.r.duplicate_sku",
    ),
    ("empty sku", "sku,name,price\n,Apel,1000\n", 2, "sku", "import.r.empty"),
    ("bad sku", "sku,name,price\nA B,Apel,1000\n", 2, "sku", "import.r.bad_sku"),
    ("missing column", "sku,name\nA,Apel\n", 1, "price", "import.r.missing_column"),
    (
        "unknown component",
        "sku,name,price,components\nH,Hampers,1000,2xNOPE\n",
        2,
        "components",
        "import.r.unknown_component",
    ),
    (
        "bundle with stock",
        "sku,name,price,components,stock\nA,Apel,1,,1\nH,H,1,1xA,5\n",
        3,
        "stock",
        "import.r.bundle_stock",
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "row", "column", "key"), BAD_CASES, ids=[c[0] for c in BAD_CASES]
)
def test_malformed_rows_apply_nothing(
    store: Store,
    tenant: Tenant,
    tmp_path: Path,
    case: str,
    body: str,
    row: int,
    column: str,
    key: str,
) -> None:
    good_first = "KOPI-250,Kopi,45000\n"  # a good row before the bad one must not be applied either
    header, _, rest = body.partition("\n")
    cols = header.split(",")
    filler = ",".join(
        {"sku": "KOPI-250", "name": "Kopi", "price": "45000"}.get(c, "") for c in cols
    )
    text = f"{header}\n{filler}\n{rest}" if "price" in cols and row != 1 else body
    path = write(tmp_path, text)
    with pytest.raises(ImportFailed) as info:
        import_file(store, tenant.id, path)
    errors = info.value.report.errors  # type: ignore[attr-defined]
    shift = 1 if text != body else 0
    assert [(e.row, e.column, e.key) for e in errors] == [(row + shift, column, key)], case
    assert counts(store) == (0, 0, 0)
    assert good_first  # documents intent: the filler row is that good row


def test_error_text_names_row_column_and_fix(store: Store, tenant: Tenant, tmp_path: Path) -> None:
    path = write(tmp_path, "sku,name,price\nA,Apel,12a00\n")
    with pytest.raises(ImportFailed) as info:
        import_file(store, tenant.id, path)
    set_lang("en")
    (err,) = info.value.report.errors  # type: ignore[attr-defined]
    assert str(err) == (
        "row 2, column price: '12a00' is not a valid price; "
        "write whole rupiah, e.g. 85000 or 85.000."
    )
    assert "Nothing was applied" in str(info.value)
    set_lang("id")
    assert str(err).startswith("baris 2, kolom price:")


def test_unknown_column_suggests_the_right_one(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    with pytest.raises(ImportFailed) as info:
        import_file(store, tenant.id, write(tmp_path, "sku,name,prise\nA,Apel,1\n"))
    set_lang("en")
    texts = [str(e) for e in info.value.report.errors]  # type: ignore[attr-defined]
    assert any("did you mean 'price'" in x for x in texts)


def test_non_utf8_file_is_refused_whole(store: Store, tenant: Tenant, tmp_path: Path) -> None:
    body = "sku,name,price\nKOPI-250,Kopi,45000\nKUE,Kue Caf\xe9,1000\n".encode("latin-1")
    with pytest.raises(ImportFailed) as info:
        import_file(store, tenant.id, write(tmp_path, body))
    (err,) = info.value.report.errors  # type: ignore[attr-defined]
    assert (err.row, err.key, err.params["byte"]) == (3, "import.r.not_utf8", "0xE9")
    assert counts(store) == (0, 0, 0)


def test_skip_bad_applies_the_good_rows(store: Store, tenant: Tenant, tmp_path: Path) -> None:
    path = write(
        tmp_path, "sku,name,price,stock\nA,Apel,1000,2\nB,Buah,x,1\nC,Ceri,3000,4\nA,Dup,1,1\n"
    )
    report = import_file(store, tenant.id, path, skip_bad=True)
    assert (report.created, report.stock_set, report.skipped) == (2, 2, 2)
    assert [(e.row, e.key) for e in report.errors] == [
        (3, "import.r.bad_price"),
        (5, "import.r.duplicate_sku"),
    ]
    assert on_hand(store, tenant, "C") == 4
    assert catalog.get_sku(store, tenant.id, "A").name == "Apel"


def test_header_errors_are_never_skipped(store: Store, tenant: Tenant, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed):
        import_file(store, tenant.id, write(tmp_path, "sku,nama\nA,Apel\n"), skip_bad=True)
    assert counts(store) == (0, 0, 0)


def test_unsupported_extension(store: Store, tenant: Tenant, tmp_path: Path) -> None:
    from tests.conftest import expect_error

    with expect_error("import.unsupported"):
        import_file(store, tenant.id, write(tmp_path, "x", name="katalog.ods"))
