"""Core messages: store, ledger, catalogue, import and CLI.

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "error.generic": ("Terjadi kesalahan.", "Something went wrong."),
    "error.prefix": ("Gagal", "Error"),
    "store.too_new": (
        "Basis data {path} dibuat oleh syncd yang lebih baru (format versi {found}; syncd "
        "ini hanya sampai versi {supported}). Perbarui syncd; jangan pakai versi lama pada "
        "berkas ini.",
        "Database {path} has schema version {found}, newer than this syncd understands "
        "(version {supported}). Upgrade syncd; do not use an older version on this file.",
    ),
    "store.busy": (
        "Basis data {path} sedang ditulis proses lain (mis. syncd run) terlalu lama. "
        "Coba lagi sebentar lagi.",
        "Database {path} is being written by another process (e.g. syncd run) for too long. "
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
        "Stok {sku} tidak cukup: bisa dipakai {available}, diminta {wanted}. "
        "Tidak ada yang dicatat. Pakai --allow-negative bila barangnya memang ada.",
        "Not enough stock for {sku}: {available} usable, {wanted} requested. "
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
        "berkas basis data utuh.",
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
        "Berkas basis data rusak (pemeriksaan SQLite): {detail}",
        "SQLite integrity check failed: {detail}",
    ),
    "check.failed": ("Pemeriksaan GAGAL: {count} masalah.", "Check FAILED: {count} problems."),
    "export.done": (
        "{rows} baris stok ditulis ke {path}.",
        "{rows} stock rows written to {path}.",
    ),
    "init.done": (
        "Basis data siap di {path} (format versi {version}).",
        "Database ready at {path} (schema version {version}).",
    ),
}

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

# The database a command opens, and how errors end (syncd.store, syncd.cli.main).
MESSAGES.update(
    {
        "store.missing": (
            "Tidak ada basis data di {path}. Kalau ini memang tempatnya, buat dulu dengan "
            "syncd init (dengan --db/--config yang sama). Kalau bukan, periksa --db, SYNCD_DB "
            "atau 'database' di berkas konfigurasi. Tidak ada yang dibuat.",
            "There is no database at {path}. If that is the right place, create it first with "
            "syncd init (with the same --db/--config). If not, check --db, SYNCD_DB or "
            "'database' in the config file. Nothing was created.",
        ),
        "store.is_dir": (
            "{path} adalah folder, bukan berkas basis data. Tunjuk berkasnya, "
            "mis. --db {path}/syncd.db",
            "{path} is a folder, not a database file. Point at the file, e.g. --db {path}/syncd.db",
        ),
        "store.not_sqlite": (
            "{path} bukan basis data syncd (isinya bukan SQLite). Berkas ini tidak diubah. "
            "Periksa lokasinya: --db, SYNCD_DB atau 'database' di berkas konfigurasi.",
            "{path} is not a syncd database (it is not an SQLite file). It was not changed. "
            "Check the location: --db, SYNCD_DB or 'database' in the config file.",
        ),
        "store.foreign": (
            "{path} adalah basis data milik program lain, bukan syncd. Berkas ini tidak diubah; "
            "pakai lokasi lain untuk syncd.",
            "{path} is another program's database, not syncd's. It was not changed; "
            "use another location for syncd.",
        ),
        "store.not_initialised": (
            "{path} ada tetapi masih kosong (belum disiapkan). Siapkan dengan syncd init "
            "(dengan --db/--config yang sama).",
            "{path} exists but is empty (not set up yet). Set it up with syncd init "
            "(with the same --db/--config).",
        ),
        "store.no_permission": (
            "Tidak ada izin membaca basis data {path}. Jalankan sebagai pemiliknya, "
            "mis. sudo -u syncd syncd --config /etc/syncd/syncd.toml ...",
            "No permission to read the database {path}. Run as its owner, "
            "e.g. sudo -u syncd syncd --config /etc/syncd/syncd.toml ...",
        ),
        "store.readonly": (
            "Basis data {path} tidak bisa ditulis (berkas atau foldernya hanya bisa dibaca). "
            "Jalankan sebagai pemiliknya, mis. sudo -u syncd syncd ...",
            "The database {path} cannot be written (the file or its folder is read-only). "
            "Run as its owner, e.g. sudo -u syncd syncd ...",
        ),
        "store.cannot_open": (
            "Basis data {path} tidak bisa dibuka ({problem}). Periksa izin berkas dan foldernya.",
            "The database {path} cannot be opened ({problem}). Check the file's and folder's "
            "permissions.",
        ),
        "store.disk": (
            "Basis data {path} tidak bisa disimpan: masalah disk ({problem}). Periksa sisa ruang "
            "dan kondisi disk, lalu jalankan syncd check.",
            "The database {path} cannot be saved: a disk problem ({problem}). Check free space "
            "and the disk, then run syncd check.",
        ),
        "store.damaged": (
            "Basis data {path} rusak ({problem}). Jangan pakai berkas ini lagi; pulihkan dari "
            "cadangan dengan syncd restore CADANGAN, lalu syncd check.",
            "The database {path} is damaged ({problem}). Stop using this file; restore it from "
            "a backup with syncd restore BACKUP, then run syncd check.",
        ),
        "error.interrupted": (
            "Dihentikan (Ctrl-C). Langkah yang sedang berjalan dibatalkan; "
            "yang sudah tersimpan tetap aman.",
            "Stopped (Ctrl-C). The step in progress was cancelled; what was already saved is kept.",
        ),
        "error.unexpected": (
            "syncd mengalami masalah tak terduga (kode {ref}). Rinciannya dicatat di {log}. "
            "Sebutkan kode itu saat melapor.",
            "syncd hit an unexpected problem (reference {ref}). The details are in {log}. "
            "Quote that reference when you report it.",
        ),
        "error.unexpected_unlogged": (
            "syncd mengalami masalah tak terduga ({kind}, kode {ref}); rinciannya tidak bisa "
            "dicatat (folder catatan tidak bisa ditulis).",
            "syncd hit an unexpected problem ({kind}, reference {ref}); the details could not be "
            "written (the log folder is not writable).",
        ),
        "error.permission": (
            "Tidak ada izin untuk {path}. Jalankan sebagai pemilik berkas itu, "
            "mis. sudo -u syncd syncd ...",
            "No permission for {path}. Run as the owner of that file, e.g. sudo -u syncd syncd ...",
        ),
        "error.os": (
            "Tidak bisa memakai {path}: {problem}",
            "Cannot use {path}: {problem}",
        ),
        "secrets.key_missing": (
            "Kunci induk (pembuka rahasia toko) tidak ada di {path}. Kembalikan dari cadangan, "
            'atau tunjuk lokasinya: master_key = "..." di berkas konfigurasi, atau '
            "SYNCD_MASTER_KEY.",
            "The master key (which opens the shop secrets) is not at {path}. Put it back from "
            'your backup, or say where it is: master_key = "..." in the config file, or '
            "SYNCD_MASTER_KEY.",
        ),
        "secrets.key_lost": (
            "Kunci induk tidak ada di {path}, padahal rahasia toko di {db} sudah dikunci dengan "
            "sebuah kunci. Kunci baru tidak akan bisa membukanya, jadi syncd tidak membuatnya. "
            'Tunjuk kunci yang dulu dipakai: master_key = "..." di berkas konfigurasi '
            "(mis. syncd --config /etc/syncd/syncd.toml ...), SYNCD_MASTER_KEY, atau kembalikan "
            "berkas kunci dari cadangan ke {path}.",
            "There is no master key at {path}, but the shop secrets in {db} were locked with one. "
            "A new key could never open them, so syncd did not make one. Point at the key used "
            'before: master_key = "..." in the config file '
            "(e.g. syncd --config /etc/syncd/syncd.toml ...), SYNCD_MASTER_KEY, or put the key "
            "file back at {path} from your backup.",
        ),
        "secrets.key_unreadable": (
            "Kunci induk {path} tidak bisa dibaca (tidak ada izin, atau bukan berkas). Jalankan "
            "sebagai pengguna layanan, mis. sudo -u syncd syncd --config /etc/syncd/syncd.toml "
            "..., atau periksa master_key di berkas konfigurasi.",
            "The master key {path} cannot be read (no permission, or not a file). Run as the "
            "service's user, e.g. sudo -u syncd syncd --config /etc/syncd/syncd.toml ..., or "
            "check master_key in the config file.",
        ),
        "secrets.key_mismatch": (
            "Ada dua kunci induk yang berbeda: yang dipakai dari {used}, tetapi berkas "
            "konfigurasi menunjuk {configured}. Samakan keduanya (LoadCredential= di unit "
            "systemd menunjuk berkas yang sama dengan master_key), supaya layanan dan perintah "
            "syncd memakai kunci yang sama.",
            "There are two different master keys: the one in use comes from {used}, but the "
            "config file names {configured}. Make them the same (LoadCredential= in the systemd "
            "unit names the same file as master_key), so the service and the syncd command use "
            "one key.",
        ),
    }
)
