"""Seller-facing messages: orders (``syncd orders``, ``orders export``), the pick list
(``syncd picklist``) and low stock (``syncd stock threshold``, the ``stock.low`` event).

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # -- orders ---------------------------------------------------------------------
    "help.orders": (
        "daftar pesanan marketplace dengan barisnya (terbaru dulu); 'orders export BERKAS' "
        "menyimpannya ke .csv/.xlsx",
        "list marketplace orders with their lines (newest first); 'orders export FILE' "
        "writes them to .csv/.xlsx",
    ),
    "help.orders_export": (
        "tulis pesanan ke BERKAS.csv (UTF-8) atau BERKAS.xlsx, satu baris per baris pesanan",
        "write the orders to FILE.csv (UTF-8) or FILE.xlsx, one row per order line",
    ),
    "help.orders_file": (
        "berkas tujuan: diakhiri .csv atau .xlsx",
        "the file to write: ending in .csv or .xlsx",
    ),
    "help.orders_channel": ("hanya pesanan kanal ini", "only orders of this channel"),
    "help.orders_status": (
        "hanya baris dengan keadaan ini di syncd: open (stok ditahan), shipped (stok "
        "dipotong), cancelled, returned",
        "only lines in this syncd state: open (stock reserved), shipped (stock deducted), "
        "cancelled, returned",
    ),
    "help.orders_since": (
        "hanya pesanan yang masuk sejak: tanggal dan jam setempat (2026-12-01 06:49) atau "
        "mundur dari sekarang (2h, 1d)",
        "only orders placed since: a local date and time (2026-12-01 06:49) or a span back "
        "from now (2h, 1d)",
    ),
    "help.orders_limit": (
        "paling banyak N pesanan terbaru (daftar: 50; ekspor: semua)",
        "at most the newest N orders (list: 50; export: all)",
    ),
    "h.placed_in": ("Dipesan ({zone})", "Placed ({zone})"),
    "h.mp_status": ("Status marketplace", "Marketplace status"),
    "h.syncd_state": ("Keadaan di syncd", "State in syncd"),
    "h.product": ("Nama", "Name"),
    "orders.state.open": ("terbuka (stok ditahan)", "open (stock reserved)"),
    "orders.state.shipped": ("terkirim (stok dipotong)", "shipped (stock deducted)"),
    "orders.state.cancelled": ("batal", "cancelled"),
    "orders.state.returned": ("diretur", "returned"),
    "orders.not_bound": ("belum terikat", "not bound"),
    "orders.none": (
        "Belum ada pesanan yang cocok. Pesanan masuk lewat 'syncd run'.",
        "No matching orders yet. Orders come in through 'syncd run'.",
    ),
    "orders.more": (
        "Menampilkan {count} pesanan terbaru; lebih banyak: --limit N.",
        "Showing the newest {count} orders; more: --limit N.",
    ),
    "orders.unbound_hint": (
        "Item 'belum terikat' tidak mengubah stok. Ikat ke SKU: syncd listing bind SKU "
        "--channel KANAL --item-id ITEM",
        "Items 'not bound' move no stock. Bind them to a SKU: syncd listing bind SKU "
        "--channel CHANNEL --item-id ITEM",
    ),
    "orders.bad_status": (
        "--status '{value}' tidak dikenal. Pilih salah satu: {states}.",
        "--status '{value}' is not known. Choose one of: {states}.",
    ),
    "orders.bad_limit": (
        "--limit harus 1 atau lebih, bukan {value}.",
        "--limit must be 1 or more, not {value}.",
    ),
    "orders.bad_export": (
        "Tidak bisa mengekspor ke {path}: nama berkas harus diakhiri .csv atau .xlsx "
        "(mis. pesanan.csv).",
        "Cannot export to {path}: the file name must end in .csv or .xlsx (e.g. orders.csv).",
    ),
    "orders.no_folder": (
        "Tidak bisa mengekspor ke {path}: folder {folder} tidak ada. Buat foldernya dulu "
        "atau pilih tempat lain.",
        "Cannot export to {path}: the folder {folder} does not exist. Create it first or "
        "choose another place.",
    ),
    "orders.exported": (
        "{rows} baris pesanan ditulis ke {path} (waktu dalam {zone}).",
        "{rows} order line(s) written to {path} (times in {zone}).",
    ),
    # -- pick list ------------------------------------------------------------------
    "help.picklist": (
        "yang perlu dikemas: pesanan terbuka yang sudah dibayar, dijumlah per SKU (paket "
        "diurai jadi isinya)",
        "what to pack: open paid orders, totalled by SKU (bundles as their components)",
    ),
    "help.picklist_channel": ("hanya pesanan kanal ini", "only orders of this channel"),
    "help.picklist_date": (
        "hanya pesanan yang masuk pada hari ini (waktu setempat): 2026-12-01, 01/12/2026, "
        "atau 1d untuk kemarin; tanpa ini: semua yang menunggu dikemas",
        "only orders placed on this day (local time): 2026-12-01, 01/12/2026, or 1d for "
        "yesterday; without it: all waiting to be packed",
    ),
    "h.total": ("Jumlah", "Total"),
    "h.from_orders": ("Dari pesanan", "From orders"),
    "picklist.title": (
        "Yang perlu dikemas: {orders} pesanan sudah dibayar dan menunggu dikemas.",
        "To pack: {orders} paid order(s) waiting to be packed.",
    ),
    "picklist.day": (
        "Pesanan yang masuk tanggal {day} ({zone}).",
        "Orders placed on {day} ({zone}).",
    ),
    "picklist.none": (
        "Tidak ada pesanan yang menunggu dikemas.",
        "No orders waiting to be packed.",
    ),
    "picklist.unbound": (
        "Juga dikemas, tapi item belum terikat ke SKU (stoknya tidak dihitung; syncd listing "
        "bind SKU --channel KANAL --item-id ITEM):",
        "Also to pack, but the item is not bound to a SKU (its stock is not counted; syncd "
        "listing bind SKU --channel CHANNEL --item-id ITEM):",
    ),
    # -- low stock ------------------------------------------------------------------
    "help.threshold": (
        "batas stok menipis: 'SKU N' untuk satu SKU, '--default N' untuk semua; tanpa "
        "apa-apa: tampilkan",
        "low-stock threshold: 'SKU N' for one SKU, '--default N' for all; nothing: show",
    ),
    "help.threshold_sku": ("SKU induk (bukan paket)", "master SKU (not a bundle)"),
    "help.threshold_value": (
        "peringatan bila stok tersedia turun ke N atau kurang",
        "warn when available stock falls to N or less",
    ),
    "help.threshold_default": (
        "batas bawaan untuk SKU tanpa batas sendiri",
        "the default for SKUs without their own threshold",
    ),
    "help.threshold_clear": (
        "hapus batas SKU ini (kembali ke bawaan); tanpa SKU: hapus batas bawaan",
        "remove this SKU's threshold (back to the default); without a SKU: remove the default",
    ),
    "h.threshold": ("Batas", "Threshold"),
    "h.low_since": ("Menipis sejak ({zone})", "Low since ({zone})"),
    "lowstock.from_default": ("{value} (bawaan)", "{value} (default)"),
    "lowstock.default_is": (
        "Batas bawaan stok menipis: {value}.",
        "Default low-stock threshold: {value}.",
    ),
    "lowstock.no_default": (
        "Belum ada batas bawaan stok menipis (pasang: syncd stock threshold --default N).",
        "No default low-stock threshold (set one: syncd stock threshold --default N).",
    ),
    "lowstock.set": (
        "Batas stok menipis {sku}: {value}.",
        "Low-stock threshold of {sku}: {value}.",
    ),
    "lowstock.cleared": (
        "Batas stok menipis {sku} dihapus; yang berlaku sekarang: {value}.",
        "Low-stock threshold of {sku} removed; now in force: {value}.",
    ),
    "lowstock.none": ("tidak ada", "none"),
    "lowstock.default_set": (
        "Batas bawaan stok menipis: {value} (untuk SKU tanpa batas sendiri).",
        "Default low-stock threshold: {value} (for SKUs without their own).",
    ),
    "lowstock.default_cleared": (
        "Batas bawaan stok menipis dihapus.",
        "Default low-stock threshold removed.",
    ),
    "lowstock.now_low": (
        "{sku} sudah menipis: tersedia {available}, batas {threshold}.",
        "{sku} is low already: {available} available, threshold {threshold}.",
    ),
    "lowstock.bad": (
        "Batas stok menipis harus 0 atau lebih, bukan {value}.",
        "The low-stock threshold must be 0 or more, not {value}.",
    ),
    "lowstock.bundle": (
        "{sku} adalah paket: stoknya mengikuti isinya. Pasang batas pada isinya "
        "(syncd stock threshold SKU N).",
        "{sku} is a bundle: its stock follows its components. Set the threshold on them "
        "(syncd stock threshold SKU N).",
    ),
    "lowstock.usage": (
        "Tulis 'syncd stock threshold SKU N', 'syncd stock threshold --default N', atau "
        "'--clear' (dengan SKU atau tanpa), tidak dicampur.",
        "Write 'syncd stock threshold SKU N', 'syncd stock threshold --default N', or "
        "'--clear' (with a SKU or without), not mixed.",
    ),
    "history.what.threshold": ("batas stok menipis", "low-stock threshold"),
    "event.stock.low": (
        "Stok menipis: tersedia {available} (batas {threshold}). Tambah stok: syncd stock "
        "receive SKU N",
        "Low stock: {available} available (threshold {threshold}). Restock: syncd stock "
        "receive SKU N",
    ),
}
