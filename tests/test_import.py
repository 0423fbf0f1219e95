"""Product import: CSV and XLSX, all or nothing, specific errors, idempotent."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from syncd import catalog, inventory, ledger
from syncd.catalog import Tenant
from syncd.errors import ImportFailed, NotFound
from syncd.i18n import set_lang
from syncd.importer import ImportReport, import_file, parse_price, render
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
    inventory.record_offline_sale(
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
    # issue 9: an unknown column such as `catatan` used to be fatal here; it is now
    # ignored with a warning (test_unknown_columns_are_ignored_and_named). A near miss
    # of a column the file lacks is still refused, since ignoring it would drop data.
    (
        "misspelt required column",
        "sku,name,hraga\nA,Apel,1000\n",
        1,
        "hraga",
        "import.r.unknown_column_hint",
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
        "write whole rupiah, e.g. 85000, 85.000 or Rp 85.000."
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


# -- issue 9: import never rewinds stock ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "rupiah"),
    [
        ("85000", 85000),
        ("85.000", 85000),
        ("Rp 85.000", 85000),
        ("Rp85.000,-", 85000),
        ("Rp 85.000,-", 85000),
        ("85.000,00", 85000),
        ("85.000,-", 85000),
        ("Rp. 85.000", 85000),
        ("rp.85.000", 85000),
        ("85,000", 85000),
        ("85,000.00", 85000),
        ("85000,00", 85000),
        ("IDR 85.000", 85000),
        ("Rp\u00a085.000", 85000),  # a non-breaking space, as spreadsheets paste it
        ("1.250.000", 1250000),
        ("0", 0),
    ],
)
def test_prices_as_sellers_write_them(text: str, rupiah: int) -> None:
    assert parse_price(text) == rupiah


@pytest.mark.parametrize(
    "text",
    ["abc", "12a00", "85.000,50", "85,5", "8.50", "Rp", "-85000", "85.00.0", "1e5", "85 000 x"],
)
def test_garbage_prices_are_refused(text: str) -> None:
    assert parse_price(text) is None


def test_garbage_price_names_row_and_column_as_the_file_does(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    path = write(tmp_path, "kode,nama,harga\nA,Apel,Rp 85.000\nB,Buah,delapan ribu\n")
    with pytest.raises(ImportFailed) as info:
        import_file(store, tenant.id, path)
    (err,) = info.value.report.errors  # type: ignore[attr-defined]
    assert (err.row, err.column, err.key) == (3, "price", "import.r.bad_price")
    assert str(err).startswith("baris 3, kolom harga: 'delapan ribu'")
    assert counts(store) == (0, 0, 0)


def test_reimporting_an_edited_file_changes_name_and_price_never_stock(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    """Issue 9: the edited file used to put the stock back to the file's number."""
    path = write(tmp_path, GOOD)
    import_file(store, tenant.id, path)
    inventory.record_offline_sale(
        store, tenant.id, [(5, "NASTAR-500")], channel="whatsapp", key="wa", actor="t"
    )
    edited = GOOD.replace("Nastar Keju,Rp 85.000", "Nastar Keju Premium,Rp 90.000")
    report = import_file(store, tenant.id, write(tmp_path, edited))
    assert on_hand(store, tenant, "NASTAR-500") == 7
    assert catalog.get_sku(store, tenant.id, "NASTAR-500").price == 90000
    assert report.stock_set == 0
    assert [(k.sku, k.file_qty, k.on_hand) for k in report.kept] == [("NASTAR-500", 12, 7)]
    (changed,) = [u for u in report.changed if u.sku == "NASTAR-500"]
    assert ("price", 85000, 90000) in changed.changes


def test_opening_stock_applies_to_a_sku_without_stock_history(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    """A SKU added earlier with no stock at all takes the file's number as opening stock."""
    import_file(store, tenant.id, write(tmp_path, "sku,name,price\nKOPI-250,Kopi,45000\n"))
    report = import_file(
        store, tenant.id, write(tmp_path, "sku,name,price,stock\nKOPI-250,Kopi,45000,9\n")
    )
    assert on_hand(store, tenant, "KOPI-250") == 9
    assert [(c.sku, c.before, c.after, c.opening) for c in report.stock] == [
        ("KOPI-250", 0, 9, True)
    ]


def test_set_stock_is_a_count_and_lists_what_it_overrides(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD)
    import_file(store, tenant.id, path)
    inventory.record_offline_sale(
        store, tenant.id, [(5, "NASTAR-500")], channel="whatsapp", key="wa", actor="t"
    )
    inventory.record_offline_sale(
        store, tenant.id, [(1, "NASTAR-500"), (2, "KOPI-250")], channel="cash", key="c", actor="t"
    )
    report = import_file(store, tenant.id, path, set_stock=True)
    assert on_hand(store, tenant, "NASTAR-500") == 12
    assert on_hand(store, tenant, "KOPI-250") == 30
    by_sku = {c.sku: c for c in report.stock}
    assert (by_sku["NASTAR-500"].before, by_sku["NASTAR-500"].after) == (6, 12)
    assert [(o.kind, o.channel, o.units, o.times) for o in by_sku["NASTAR-500"].overrides] == [
        ("offline_sale", "whatsapp", 5, 1),
        ("offline_sale", "cash", 1, 1),
    ]
    assert by_sku["NASTAR-500"].since is not None  # the opening count from the first import
    assert report.already == [("NASTAR-250", 20)]
    assert "KOPI-250" in by_sku
    again = import_file(store, tenant.id, path, set_stock=True)
    assert (again.stock, again.stock_set) == ([], 0)  # at the count already: nothing twice
    assert len(again.already) == 3


def test_set_stock_names_a_marketplace_order_by_its_channel(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    """A shipped marketplace order lowered stock: the count says which shop it was."""
    from syncd.models import ChannelIn, MovementIn

    path = write(tmp_path, GOOD)
    import_file(store, tenant.id, path)
    shop = catalog.add_channel(
        store, tenant.id, ChannelIn(name="shopee", marketplace="shopee", shop_id="1")
    )
    inventory.record(
        store,
        tenant.id,
        [
            MovementIn(
                sku="KOPI-250",
                kind="sale",
                qty=3,
                key="ord:x",
                source="order",
                channel=str(shop.id),
                actor="syncd",
            )
        ],
    )
    report = import_file(store, tenant.id, path, set_stock=True)
    (kopi,) = [c for c in report.stock if c.sku == "KOPI-250"]
    assert [(o.kind, o.channel, o.units) for o in kopi.overrides] == [("sale", "shopee", 3)]
    set_lang("en")
    out = "\n".join(render(report)[0])
    assert "Stock count KOPI-250: on hand 27 → 30 (+3)" in out
    assert "order on shopee 3 units" in out


def test_dry_run_plans_the_same_and_writes_nothing(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD)
    preview = import_file(store, tenant.id, path, dry_run=True)
    assert counts(store) == (0, 0, 0)
    assert store.scalar("SELECT COUNT(*) FROM outbox") == 0
    real = import_file(store, tenant.id, path)
    assert (preview.created, preview.stock_set) == (real.created, real.stock_set) == (4, 3)
    assert [c.sku for c in preview.new] == [c.sku for c in real.new]


def test_unknown_columns_are_ignored_and_named(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    path = write(tmp_path, "kode,nama,harga,harga_modal,catatan,Foto\nA,Apel,1000,700,enak,a.jpg\n")
    report = import_file(store, tenant.id, path)
    assert report.created == 1
    assert report.ignored_columns == ["harga_modal", "catatan", "Foto"]  # harga is there
    set_lang("en")
    _, warnings = render(report)
    assert warnings == [
        "Note: column(s) 'harga_modal', 'catatan', 'Foto' are not known and were ignored "
        "(their contents are not imported). Known columns: sku, name, price, product, "
        "variant, components, stock."
    ]


@pytest.mark.parametrize(
    ("header", "key", "shown"),
    [
        ("kode,nama,hraga", "import.r.unknown_column_hint", "maksudnya 'harga'?"),
        ("kode,nama,harga,stokk", "import.r.unknown_column_hint", "maksudnya 'stok'?"),
        ("kode,nama,harga,variasi,varian", "import.r.same_column", "'varian' dan 'variasi'"),
        ("kode,nama,harga,harga", "import.r.duplicate_column", "dua kali"),
        ("kode,nama", "import.r.missing_column", "kolom wajib 'harga'"),
        ("sko,nama,harga", "import.r.missing_column_hint", "kolom 'sko'"),
    ],
)
def test_header_problems_are_refused_with_the_fix(
    store: Store, tenant: Tenant, tmp_path: Path, header: str, key: str, shown: str
) -> None:
    path = write(tmp_path, f"{header}\nA,Apel,1000,1,1\n")
    with pytest.raises(ImportFailed) as info:
        import_file(store, tenant.id, path, skip_bad=True)
    assert info.value.key == "import.failed_header"
    (err,) = info.value.report.errors  # type: ignore[attr-defined]
    assert err.key == key
    assert shown in str(err)
    assert "--skip-bad" not in str(info.value)
    assert "kode, nama, harga, produk, varian, komponen, stok" in str(info.value)
    assert counts(store) == (0, 0, 0)


def test_failure_counts_rows_not_problems(store: Store, tenant: Tenant, tmp_path: Path) -> None:
    body = "sku,name,price,stock\nA B,,x,-1\nKOPI-250,Kopi,45000,1\nC,,y,\n"
    with pytest.raises(ImportFailed) as info:
        import_file(store, tenant.id, write(tmp_path, body))
    report: ImportReport = info.value.report  # type: ignore[assignment]
    assert len(report.errors) == 6
    assert (report.skipped, report.good_rows) == (2, 1)
    set_lang("en")
    assert "2 rows with problems" in str(info.value)
    assert "apply the 1 good rows" in str(info.value)
    with pytest.raises(ImportFailed) as info:
        import_file(store, tenant.id, write(tmp_path, "sku,name,price\nA B,,x\n"))
    assert info.value.key == "import.failed_no_good"
    assert "--skip-bad" not in str(info.value)


def test_a_sku_with_stock_cannot_become_a_bundle_and_nothing_is_half_applied(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    import_file(store, tenant.id, write(tmp_path, GOOD))
    before = counts(store)
    body = "sku,name,price,components\nBARU,Baru,1000,\nKOPI-250,Kopi,45000,1xBARU\n"
    with pytest.raises(ImportFailed) as info:
        import_file(store, tenant.id, write(tmp_path, body))
    assert [(e.row, e.key) for e in info.value.report.errors] == [  # type: ignore[attr-defined]
        (3, "import.r.becomes_bundle")
    ]
    assert counts(store) == before
    with pytest.raises(NotFound):
        catalog.get_sku(store, tenant.id, "BARU")


def test_a_file_without_some_columns_keeps_what_it_does_not_say(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    """A short sheet (kode, nama, harga) must not turn a bundle plain or drop variants."""
    import_file(store, tenant.id, write(tmp_path, GOOD))
    short = "kode,nama,harga\nHAMPERS,Hampers Lebaran,185000\nNASTAR-250,Nastar Keju,45000\n"
    report = import_file(store, tenant.id, write(tmp_path, short))
    hampers = catalog.get_sku(store, tenant.id, "HAMPERS")
    assert (hampers.is_bundle, hampers.price) == (True, 185000)
    assert len(catalog.bundle_components(store, hampers.id)) == 2
    nastar = catalog.get_sku(store, tenant.id, "NASTAR-250")
    assert (nastar.product, nastar.variant) == ("NASTAR", "250 g")
    assert [(u.sku, u.changes) for u in report.changed] == [
        ("HAMPERS", (("price", 180000, 185000),))
    ]
    assert report.unchanged == 1


def test_a_product_name_shared_by_variants_is_reported_as_it_ends_up(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    import_file(store, tenant.id, write(tmp_path, GOOD))
    renamed = GOOD.replace("NASTAR-500,Nastar Keju,", "NASTAR-500,Nastar Keju Premium,")
    report = import_file(store, tenant.id, write(tmp_path, renamed))
    assert catalog.get_sku(store, tenant.id, "NASTAR-250").name == "Nastar Keju Premium"
    assert sorted(u.sku for u in report.changed) == ["NASTAR-250", "NASTAR-500"]


def test_headers_with_units_and_marks_are_recognised(
    store: Store, tenant: Tenant, tmp_path: Path
) -> None:
    path = write(
        tmp_path, "Kode Barang*,Nama Produk,Harga Jual (Rp),Stok (pcs)\nA,Apel,Rp 1.000,4\n"
    )
    report = import_file(store, tenant.id, path)
    assert (report.created, report.ignored_columns) == (1, [])
    assert on_hand(store, tenant, "A") == 4
