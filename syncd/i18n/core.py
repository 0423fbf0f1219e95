"""Core messages: store, ledger, catalogue, import and CLI.

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "error.generic": ("Terjadi kesalahan.", "Something went wrong."),
    "error.prefix": ("Galat", "Error"),
    "store.too_new": (
        "Basis data {path} berversi skema {found}, lebih baru dari yang dipahami syncd ini "
        "(versi {supported}). Perbarui syncd; jangan pakai versi lama pada berkas ini.",
        "Database {path} has schema version {found}, newer than this syncd understands "
        "(version {supported}). Upgrade syncd; do not use an older version on this file.",
    ),
    "store.busy": (
        "Basis data {path} sedang ditulis proses lain (mis. daemon) terlalu lama. "
        "Coba lagi sebentar lagi.",
        "Database {path} is being written by another process (e.g. the daemon) for too long. "
        "Try again in a moment.",
    ),
    "store.no_db": (
        "Lokasi basis data belum ditentukan. Pakai --db PATH, variabel SYNCD_DB, "
        "atau 'database = \"...\"' di berkas konfigurasi ({config}).",
        "No database location given. Use --db PATH, the SYNCD_DB variable, "
        "or 'database = \"...\"' in the config file ({config}).",
    ),
    "config.bad": (
        "Konfigurasi {path} salah: {problem}",
        "Config {path} is invalid: {problem}",
    ),
    "tenant.none": (
        "Belum ada penjual. Tambahkan dulu: syncd tenant add NAMA",
        "There is no seller yet. Add one first: syncd tenant add NAME",
    ),
    "tenant.ambiguous": (
        "Ada beberapa penjual ({names}); pilih satu dengan --tenant NAMA.",
        "There are several sellers ({names}); choose one with --tenant NAME.",
    ),
    "tenant.unknown": (
        "Penjual '{name}' tidak ada. Lihat daftar: syncd tenant list",
        "Seller '{name}' does not exist. See the list: syncd tenant list",
    ),
    "tenant.exists": ("Penjual '{name}' sudah ada.", "Seller '{name}' already exists."),
    "tenant.added": ("Penjual '{name}' ditambahkan.", "Seller '{name}' added."),
    "sku.unknown": (
        "SKU '{sku}' tidak dikenal. Lihat daftar: syncd product list",
        "Unknown SKU '{sku}'. See the list: syncd product list",
    ),
    "sku.bundle_no_stock": (
        "SKU '{sku}' adalah paket (bundle); stoknya mengikuti komponennya. Ubah stok komponennya.",
        "SKU '{sku}' is a bundle; its stock follows its components. "
        "Change the components' stock instead.",
    ),
    "sku.bad_component": (
        "Komponen paket '{component}' tidak valid: {problem}",
        "Bundle component '{component}' is invalid: {problem}",
    ),
    "product.saved": (
        "Produk {sku} disimpan ({name}, {price}).",
        "Product {sku} saved ({name}, {price}).",
    ),
    "channel.unknown": (
        "Kanal '{name}' tidak ada. Lihat daftar: syncd channel list",
        "Channel '{name}' does not exist. See the list: syncd channel list",
    ),
    "channel.added": (
        "Kanal '{name}' ({marketplace}, toko {shop_id}) ditambahkan.",
        "Channel '{name}' ({marketplace}, shop {shop_id}) added.",
    ),
    "channel.exists": ("Kanal '{name}' sudah ada.", "Channel '{name}' already exists."),
    "listing.bound": (
        "{sku} terhubung ke {channel} item {item_id}{variant}.",
        "{sku} bound to {channel} item {item_id}{variant}.",
    ),
    "listing.taken": (
        "Item {item_id}{variant} di {channel} sudah terhubung ke SKU {sku}.",
        "Item {item_id}{variant} on {channel} is already bound to SKU {sku}.",
    ),
    "rule.saved": ("Aturan untuk {scope} disimpan.", "Rule for {scope} saved."),
    "rule.bad": ("Aturan tidak valid: {problem}", "Invalid rule: {problem}"),
    "ledger.insufficient": (
        "Stok {sku} tidak cukup: tersedia {available}, diminta {wanted}. "
        "Tidak ada yang dicatat. Pakai --allow-negative bila barangnya memang ada.",
        "Not enough stock for {sku}: {available} available, {wanted} requested. "
        "Nothing was recorded. Use --allow-negative if the goods really are there.",
    ),
    "ledger.idem_conflict": (
        "Kunci '{key}' sudah dipakai untuk gerakan stok lain ({existing}). Pakai kunci baru.",
        "Key '{key}' was already used for a different stock movement ({existing}). Use a new key.",
    ),
    "ledger.bad_release": (
        "Tidak bisa melepas {qty} dari {sku}: hanya {reserved} yang dipesan.",
        "Cannot release {qty} of {sku}: only {reserved} reserved.",
    ),
    "ledger.bad_qty": (
        "Jumlah untuk {kind} harus {rule}, bukan {qty}.",
        "The quantity for {kind} must be {rule}, not {qty}.",
    ),
    "ledger.applied": (
        "{sku}: {kind} {qty} dicatat. Stok {on_hand}, dipesan {reserved}.",
        "{sku}: {kind} {qty} recorded. On hand {on_hand}, reserved {reserved}.",
    ),
    "ledger.already": (
        "{sku}: sudah dicatat sebelumnya (kunci {key}); tidak ada perubahan.",
        "{sku}: already applied (key {key}); nothing changed.",
    ),
    "sale.bad_item": (
        "'{item}' tidak bisa dibaca. Tulis seperti 2xNASTAR-500 (jumlah x SKU).",
        "Cannot read '{item}'. Write it like 2xNASTAR-500 (quantity x SKU).",
    ),
    "sale.recorded": (
        "Penjualan {channel} dicatat ({key}): {items}.",
        "{channel} sale recorded ({key}): {items}.",
    ),
    "sale.already": (
        "Penjualan dengan kunci {key} sudah dicatat; tidak ada perubahan.",
        "The sale with key {key} was already recorded; nothing changed.",
    ),
    "check.ok": (
        "Pemeriksaan lulus: {movements} gerakan stok, {balances} saldo cocok, "
        "integritas basis data ok.",
        "Check passed: {movements} stock movements, {balances} balances match, "
        "database integrity ok.",
    ),
    "check.mismatch": (
        "Saldo {sku} di {location} tidak cocok dengan buku stok: tersimpan stok {cached_on_hand}/"
        "dipesan {cached_reserved}, buku stok {on_hand}/{reserved}.",
        "Balance of {sku} at {location} does not match the ledger: cached on hand "
        "{cached_on_hand}/reserved {cached_reserved}, ledger {on_hand}/{reserved}.",
    ),
    "check.integrity": (
        "Pemeriksaan integritas SQLite gagal: {detail}",
        "SQLite integrity check failed: {detail}",
    ),
    "check.failed": ("Pemeriksaan GAGAL: {count} masalah.", "Check FAILED: {count} problems."),
    "export.done": (
        "{rows} baris stok ditulis ke {path}.",
        "{rows} stock rows written to {path}.",
    ),
    "init.done": (
        "Basis data siap di {path} (skema versi {version}).",
        "Database ready at {path} (schema version {version}).",
    ),
}

MESSAGES.update(
    {
        "import.failed": (
            "Impor {path} dibatalkan: {count} baris bermasalah. Tidak ada yang diterapkan. "
            "Perbaiki barisnya, atau pakai --skip-bad untuk melewati baris yang salah.",
            "Import of {path} cancelled: {count} bad rows. Nothing was applied. "
            "Fix the rows, or use --skip-bad to skip the bad ones.",
        ),
        "import.row_error": (
            "baris {row}, kolom {column}: {reason}",
            "row {row}, column {column}: {reason}",
        ),
        "import.more_errors": ("... dan {count} masalah lain.", "... and {count} more problems."),
        "import.done": (
            "Impor {path}: {created} SKU baru, {updated} diubah, {unchanged} tetap, "
            "stok diset untuk {stock_set} SKU, {skipped} baris dilewati.",
            "Import {path}: {created} new SKUs, {updated} changed, {unchanged} unchanged, "
            "stock set for {stock_set} SKUs, {skipped} rows skipped.",
        ),
        "import.unsupported": (
            "Format berkas {path} tidak didukung: pakai .csv atau .xlsx.",
            "File format of {path} is not supported: use .csv or .xlsx.",
        ),
        "import.unreadable": (
            "Berkas {path} tidak bisa dibaca: {problem}",
            "Cannot read file {path}: {problem}",
        ),
        "import.r.not_utf8": (
            "bukan teks UTF-8 (byte {byte} di posisi {pos}). Simpan ulang sebagai "
            "'CSV UTF-8' (di Excel: Simpan Sebagai > CSV UTF-8). Seluruh berkas ditolak.",
            "not UTF-8 text (byte {byte} at position {pos}). Save it again as "
            "'CSV UTF-8' (in Excel: Save As > CSV UTF-8). The whole file was refused.",
        ),
        "import.r.unknown_column": (
            "kolom '{name}' tidak dikenal. Kolom yang dikenal: {known}.",
            "unknown column '{name}'. Known columns: {known}.",
        ),
        "import.r.unknown_column_hint": (
            "kolom '{name}' tidak dikenal (maksudnya '{guess}'?). Kolom yang dikenal: {known}.",
            "unknown column '{name}' (did you mean '{guess}'?). Known columns: {known}.",
        ),
        "import.r.missing_column": (
            "kolom wajib '{name}' tidak ada di baris judul.",
            "required column '{name}' is missing from the header row.",
        ),
        "import.r.duplicate_column": (
            "kolom '{name}' muncul dua kali di baris judul.",
            "column '{name}' appears twice in the header row.",
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
            "'{value}' bukan harga yang sah; tulis rupiah bulat, mis. 85000 atau 85.000.",
            "'{value}' is not a valid price; write whole rupiah, e.g. 85000 or 85.000.",
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
        "import.r.invalid": ("{problem}", "{problem}"),
        "import.r.too_long": (
            "terlalu panjang (maks. {max} karakter).",
            "too long (max {max} characters).",
        ),
    }
)

MESSAGES.update(
    {
        "kind.receipt": ("barang masuk", "receipt"),
        "kind.count": ("hitung stok", "count"),
        "kind.adjustment": ("koreksi", "adjustment"),
        "kind.reservation": ("dipesan", "reservation"),
        "kind.release": ("batal pesan", "release"),
        "kind.sale": ("terjual", "sale"),
        "kind.return": ("retur masuk", "return"),
        "kind.offline_sale": ("jual offline", "offline sale"),
    }
)

MESSAGES.update(
    {
        "secrets.bad_key": (
            "Kunci induk di {where} tidak sah: harus 32 byte dalam base64url. "
            'Buat yang baru dengan: python -c "import base64,secrets;print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"',
            "The master key in {where} is invalid: it must be 32 bytes in base64url. "
            'Make a new one with: python -c "import base64,secrets;print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"',
        ),
        "secrets.unreadable": (
            "Rahasia kanal {account} tidak bisa dibuka dengan kunci induk ini (kunci salah atau data rusak). "
            "Sambungkan ulang kanal ini.",
            "The secrets of channel {account} cannot be opened with this master key (wrong key or damaged data). "
            "Connect this channel again.",
        ),
    }
)
