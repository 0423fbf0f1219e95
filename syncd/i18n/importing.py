"""Seller-facing messages: importing a product file (``syncd product import``).

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "help.import_set_stock": (
        "angka di kolom stok adalah hasil hitung stok sekarang: stok SKU yang sudah ada "
        "diganti dengan angka itu (tanpa ini, kolom stok hanya dipakai untuk SKU baru)",
        "the stock column is a count made now: existing SKUs' stock becomes that number "
        "(without this, the stock column only applies to new SKUs)",
    ),
    "help.import_dry_run": (
        "tampilkan apa yang akan berubah tanpa menyimpan apa pun",
        "show what would change without saving anything",
    ),
    # -- why an import was cancelled (nothing applied) ---------------------------
    "import.failed": (
        "Impor {path} dibatalkan: {rows} bermasalah (daftarnya di atas). Tidak ada yang "
        "diterapkan. Perbaiki baris itu lalu impor lagi, atau pakai --skip-bad untuk "
        "memasukkan {good} baris yang benar dan melewati yang bermasalah.",
        "Import of {path} cancelled: {rows} with problems (listed above). Nothing was "
        "applied. Fix them and import again, or use --skip-bad to apply the {good} good "
        "rows and skip the others.",
    ),
    "import.failed_no_good": (
        "Impor {path} dibatalkan: {rows} bermasalah dan tidak ada baris yang benar "
        "(daftarnya di atas). Tidak ada yang diterapkan. Perbaiki barisnya lalu impor lagi.",
        "Import of {path} cancelled: {rows} with problems and no good row (listed above). "
        "Nothing was applied. Fix the rows and import again.",
    ),
    "import.failed_header": (
        "Impor {path} dibatalkan: baris judul (baris 1) bermasalah, lihat di atas. Tidak "
        "ada yang diterapkan. Perbaiki judul kolomnya lalu impor lagi. Kolom yang "
        "dikenal: {known}.",
        "Import of {path} cancelled: the header row (row 1) has problems, see above. "
        "Nothing was applied. Fix the column names and import again. Known columns: {known}.",
    ),
    "import.failed_file": (
        "Impor {path} dibatalkan: berkas ini tidak bisa dipakai, lihat di atas. Tidak ada "
        "yang diterapkan.",
        "Import of {path} cancelled: this file cannot be used, see above. Nothing was applied.",
    ),
    "import.rows.one": ("1 baris", "1 row"),
    "import.rows.many": ("{count} baris", "{count} rows"),
    "import.row_error": (
        "baris {row}, kolom {column}: {reason}",
        "row {row}, column {column}: {reason}",
    ),
    "import.more_errors": ("... dan {count} masalah lain.", "... and {count} more problems."),
    "import.more_lines": ("... dan {count} lagi.", "... and {count} more."),
    "import.unsupported": (
        "Format berkas {path} tidak didukung: pakai .csv atau .xlsx.",
        "File format of {path} is not supported: use .csv or .xlsx.",
    ),
    "import.unreadable": (
        "Berkas {path} tidak bisa dibaca: {problem}",
        "Cannot read file {path}: {problem}",
    ),
    # -- what an import did (or, with --dry-run, would do) ------------------------
    "import.preview": (
        "Pratinjau impor {path} (--dry-run): belum ada yang disimpan.",
        "Preview of importing {path} (--dry-run): nothing is saved yet.",
    ),
    "import.ignored_columns": (
        "Perhatian: kolom {names} tidak dikenal dan diabaikan (isinya tidak diimpor). "
        "Kolom yang dikenal: {known}.",
        "Note: column(s) {names} are not known and were ignored (their contents are not "
        "imported). Known columns: {known}.",
    ),
    "import.created": ("Baru: {sku} ({name}, {price})", "New: {sku} ({name}, {price})"),
    "import.created_stock": (
        "Baru: {sku} ({name}, {price}, stok awal {stock})",
        "New: {sku} ({name}, {price}, opening stock {stock})",
    ),
    "import.created_bundle": (
        "Baru: {sku} ({name}, {price}, paket isi {components})",
        "New: {sku} ({name}, {price}, bundle of {components})",
    ),
    "import.updated": ("Diubah: {sku}: {changes}", "Changed: {sku}: {changes}"),
    "import.field.name": ("nama", "name"),
    "import.field.price": ("harga", "price"),
    "import.field.product": ("produk", "product"),
    "import.field.variant": ("varian", "variant"),
    "import.field.components": ("isi paket", "bundle contents"),
    "import.opening": (
        "Stok awal {sku}: stok {before} → {after} ({delta}) (belum pernah ada catatan stok)",
        "Opening stock {sku}: on hand {before} → {after} ({delta}) (no stock history yet)",
    ),
    "import.count": (
        "Hitung stok {sku}: stok {before} → {after} ({delta})",
        "Stock count {sku}: on hand {before} → {after} ({delta})",
    ),
    "import.overrides": (
        "  menimpa yang terjadi sejak hitung stok terakhir ({since}): {sales}",
        "  overrides what happened since the last count ({since}): {sales}",
    ),
    "import.overrides_none": (
        "  tidak ada penjualan sejak hitung stok terakhir ({since})",
        "  no sales since the last count ({since})",
    ),
    "import.since_start": ("sejak awal, belum pernah dihitung", "never counted before"),
    "import.sale_group": (
        "{what} {units} unit ({times}×, terakhir {last})",
        "{what} {units} units ({times}×, last {last})",
    ),
    "import.sale_offline": ("jual offline {channel}", "offline sale {channel}"),
    "import.sale_order": ("pesanan {channel}", "order on {channel}"),
    "import.sale_adjustment": ("koreksi", "correction"),
    "import.already": (
        "Stok sudah sama dengan hitungan di berkas, tidak dicatat lagi: {skus}",
        "Already at the file's count, nothing recorded again: {skus}",
    ),
    "import.kept": (
        "Kolom stok tidak dipakai untuk SKU yang sudah punya stok (stoknya tetap). Kalau "
        "angka di berkas adalah hasil hitung stok yang baru saja dibuat, impor lagi dengan "
        "--set-stock (coba dulu dengan --dry-run):",
        "Stock column not used for SKUs that already have stock (their stock stays). If the "
        "file's numbers are a count you just made, import again with --set-stock (try "
        "--dry-run first):",
    ),
    "import.kept_line": (
        "  {sku}: berkas {file}, stok tetap {on_hand}",
        "  {sku}: file says {file}, on hand stays {on_hand}",
    ),
    "import.done": (
        "Impor {path}: {created} SKU baru, {updated} diubah, {unchanged} tetap, "
        "stok dicatat untuk {stock_set} SKU, {skipped} baris dilewati.",
        "Import {path}: {created} new SKUs, {updated} changed, {unchanged} unchanged, "
        "stock recorded for {stock_set} SKUs, {skipped} rows skipped.",
    ),
    "import.dry_done": (
        "Uji coba: tidak ada yang disimpan. Tanpa --dry-run, impor {path} akan membuat "
        "{created} SKU baru, mengubah {updated}, {unchanged} tetap, mencatat stok untuk "
        "{stock_set} SKU, dan melewati {skipped} baris.",
        "Dry run: nothing was written. Without --dry-run, importing {path} would add "
        "{created} new SKUs, change {updated}, leave {unchanged} unchanged, record stock "
        "for {stock_set} SKUs and skip {skipped} rows.",
    ),
    # -- one problem in the file (shown as "row N, column C: ...") ----------------
    "import.r.not_utf8": (
        "bukan teks UTF-8 (byte {byte} di posisi {pos}). Simpan ulang sebagai "
        "'CSV UTF-8' (di Excel: Simpan Sebagai > CSV UTF-8). Seluruh berkas ditolak.",
        "not UTF-8 text (byte {byte} at position {pos}). Save it again as "
        "'CSV UTF-8' (in Excel: Save As > CSV UTF-8). The whole file was refused.",
    ),
    "import.r.unknown_column_hint": (
        "kolom '{name}' tidak dikenal; maksudnya '{guess}'? Ganti judul kolomnya supaya "
        "isinya tidak hilang.",
        "unknown column '{name}'; did you mean '{guess}'? Rename the column so its "
        "contents are not lost.",
    ),
    "import.r.missing_column": (
        "kolom wajib '{name}' tidak ada di baris judul.",
        "required column '{name}' is missing from the header row.",
    ),
    "import.r.missing_column_hint": (
        "kolom wajib '{name}' tidak ada di baris judul (apakah kolom '{guess}' maksudnya "
        "'{name}'?).",
        "required column '{name}' is missing from the header row (is column '{guess}' "
        "meant to be '{name}'?).",
    ),
    "import.r.duplicate_column": (
        "kolom '{name}' muncul dua kali di baris judul; sisakan satu.",
        "column '{name}' appears twice in the header row; keep one.",
    ),
    "import.r.same_column": (
        "kolom '{name}' dan '{other}' sama-sama berarti '{meaning}'; sisakan satu.",
        "columns '{name}' and '{other}' both mean '{meaning}'; keep one.",
    ),
    "import.r.empty": ("kosong; kolom ini wajib diisi.", "empty; this column is required."),
    "import.r.bad_sku": (
        "'{value}' bukan SKU yang sah: {problem}.",
        "'{value}' is not a valid SKU: {problem}.",
    ),
    "import.r.duplicate_sku": (
        "SKU '{sku}' sudah ada di baris {first}; setiap SKU hanya boleh satu baris.",
        "SKU '{sku}' already appears in row {first}; each SKU may have one row only.",
    ),
    "import.r.bad_price": (
        "'{value}' bukan harga yang sah; tulis rupiah bulat, mis. 85000, 85.000 atau Rp 85.000.",
        "'{value}' is not a valid price; write whole rupiah, e.g. 85000, 85.000 or Rp 85.000.",
    ),
    "import.r.bad_stock": (
        "'{value}' bukan jumlah stok yang sah; tulis bilangan bulat 0 atau lebih.",
        "'{value}' is not a valid stock count; write a whole number, 0 or more.",
    ),
    "import.r.bad_components": (
        "'{value}' tidak bisa dibaca; tulis seperti '2xNASTAR-500 1xKOPI-250'.",
        "cannot read '{value}'; write it like '2xNASTAR-500 1xKOPI-250'.",
    ),
    "import.r.unknown_component": (
        "komponen '{sku}' tidak ada di berkas ini maupun di katalog.",
        "component '{sku}' is neither in this file nor in the catalogue.",
    ),
    "import.r.nested_bundle": (
        "komponen '{sku}' sendiri adalah paket; paket di dalam paket belum didukung.",
        "component '{sku}' is itself a bundle; bundles inside bundles are not supported.",
    ),
    "import.r.bundle_stock": (
        "paket tidak punya stok sendiri (mengikuti komponennya); kosongkan kolom ini.",
        "a bundle has no stock of its own (it follows its components); leave this empty.",
    ),
    "import.r.becomes_bundle": (
        "{sku} sudah punya catatan stok, jadi tidak bisa dijadikan paket; buat paket dengan "
        "kode baru.",
        "{sku} already has stock history, so it cannot become a bundle; give the bundle a "
        "new code.",
    ),
    "import.r.invalid": ("{problem}", "{problem}"),
    "import.r.too_long": (
        "terlalu panjang (maks. {max} karakter).",
        "too long (max {max} characters).",
    ),
}
