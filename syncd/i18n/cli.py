"""Command-line help and table headings.

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "help.prog": (
        "syncd: satu stok induk yang diikuti semua marketplace.",
        "syncd: one master inventory that every marketplace follows.",
    ),
    "help.epilog": (
        "Contoh: syncd sale 2xNASTAR-500 1xKOPI-250 --channel whatsapp. "
        "Bahasa: --lang en atau SYNCD_LANG=en untuk bahasa Inggris.",
        "Example: syncd sale 2xNASTAR-500 1xKOPI-250 --channel whatsapp. "
        "Language: --lang id or SYNCD_LANG=id for Bahasa Indonesia.",
    ),
    "help.db": (
        "berkas basis data (atau SYNCD_DB, atau 'database' di konfigurasi)",
        "database file (or SYNCD_DB, or 'database' in the config file)",
    ),
    "help.config": (
        "berkas konfigurasi TOML (atau SYNCD_CONFIG, ./syncd.toml)",
        "TOML config file (or SYNCD_CONFIG, ./syncd.toml)",
    ),
    "help.tenant": (
        "penjual yang dipakai (boleh dikosongkan bila hanya ada satu)",
        "seller to act for (optional when there is only one)",
    ),
    "help.lang": ("bahasa pesan: id atau en", "message language: id or en"),
    "help.actor": ("nama pencatat gerakan stok", "who is recorded as the actor"),
    "help.init": ("buat atau perbarui basis data", "create or upgrade the database"),
    "help.tenant_cmd": ("kelola penjual", "manage sellers"),
    "help.tenant_add": ("tambah penjual", "add a seller"),
    "help.tenant_list": ("daftar penjual", "list sellers"),
    "help.product": ("kelola produk dan SKU", "manage products and SKUs"),
    "help.product_add": (
        "tambah atau ubah SKU (varian atau paket)",
        "add or change a SKU (a variant or a bundle)",
    ),
    "help.product_list": ("daftar SKU dan stoknya", "list SKUs and their stock"),
    "help.product_import": (
        "impor produk dari .csv atau .xlsx (kolom: kode, nama, harga, produk, varian, "
        "komponen, stok; stok hanya untuk SKU baru); semua atau tidak sama sekali",
        "import products from .csv or .xlsx (columns: sku, name, price, product, variant, "
        "components, stock; stock only for new SKUs); all or nothing",
    ),
    "help.skip_bad": (
        "lewati baris yang salah dan terapkan sisanya",
        "skip bad rows and apply the rest",
    ),
    "help.name": ("nama produk", "product name"),
    "help.price": ("harga dalam rupiah", "price in rupiah"),
    "help.product_code": (
        "kode produk induk bila SKU ini sebuah varian",
        "parent product code when this SKU is a variant",
    ),
    "help.variant": ("nama varian, mis. '500 g'", "variant name, e.g. '500 g'"),
    "help.bundle": (
        "jadikan paket: isi seperti '2xNASTAR-500 1xKOPI-250'",
        "make it a bundle of e.g. '2xNASTAR-500 1xKOPI-250'",
    ),
    "help.stock": ("ubah stok", "change stock"),
    "help.stock_set": ("set stok ke N (hasil hitung fisik)", "set on hand to N (a stock count)"),
    "help.stock_adjust": ("tambah/kurangi stok (±N)", "add to or take from stock (±N)"),
    "help.stock_receive": ("catat barang masuk", "record goods received"),
    "help.reason": ("alasan (wajib, masuk buku stok)", "reason (required; kept in the ledger)"),
    "help.key": (
        "kode unik catatan ini; mengulang perintah dengan kode yang sama tidak mencatat dua kali",
        "a unique code for this entry; repeating a command with the same code records nothing "
        "twice",
    ),
    "help.sale": (
        "catat penjualan offline (tunai, WhatsApp, Instagram) beberapa barang sekaligus",
        "record an offline sale (cash, WhatsApp, Instagram) of several items at once",
    ),
    "help.sale_items": (
        "barang, mis. 2xNASTAR-500 1xKOPI-250",
        "items, e.g. 2xNASTAR-500 1xKOPI-250",
    ),
    "help.sale_channel": ("asal penjualan", "where the sale happened"),
    "help.allow_negative": (
        "catat walau stok tidak cukup (barangnya memang ada)",
        "record even when stock is short (the goods really are there)",
    ),
    "help.note": ("catatan", "note"),
    "help.channel": ("kelola kanal (toko di marketplace)", "manage channels (marketplace shops)"),
    "help.channel_add": ("tambah kanal", "add a channel"),
    "help.channel_list": ("daftar kanal", "list channels"),
    "help.marketplace": ("marketplace", "marketplace"),
    "help.shop_id": ("ID toko di marketplace", "shop id on the marketplace"),
    "help.listing": ("hubungkan SKU ke produk di kanal", "bind SKUs to channel items"),
    "help.listing_bind": (
        "hubungkan SKU ke item/varian kanal",
        "bind a SKU to a channel item/variant",
    ),
    "help.listing_list": ("daftar hubungan", "list bindings"),
    "help.item_id": ("ID item di kanal", "item id on the channel"),
    "help.variant_id": ("ID varian di kanal (bila ada)", "variant id on the channel (if any)"),
    "help.rule": ("aturan stok dan harga per kanal/SKU", "stock and price rules per channel/SKU"),
    "help.rule_set": (
        "set aturan; tanpa --channel/--sku berlaku untuk semua produk (aturan dasar)",
        "set a rule; without --channel/--sku it is the seller's default",
    ),
    "help.rule_list": ("daftar aturan", "list rules"),
    "help.rule_channel": ("kanal yang diatur", "channel the rule is for"),
    "help.rule_sku": ("SKU yang diatur", "SKU the rule is for"),
    "help.buffer": ("stok cadangan yang tidak ditampilkan", "safety buffer not shown anywhere"),
    "help.share": (
        "persen stok tersedia yang ditampilkan (dibulatkan ke bawah)",
        "percent of available shown (rounded down)",
    ),
    "help.max": ("tampilkan paling banyak N", "show at most N"),
    "help.zero_below": (
        "tampilkan 0 bila tersedia kurang dari N",
        "show 0 when fewer than N are available",
    ),
    "help.last_units": (
        "N unit terakhir hanya untuk kanal --prefer",
        "the last N units go only to the --prefer channel",
    ),
    "help.prefer": ("kanal yang mendapat unit terakhir", "channel that gets the last units"),
    "help.one_of_a_kind": (
        "barang satu-satunya: 1 di semua kanal sampai terjual",
        "one-of-a-kind: 1 everywhere until sold",
    ),
    "help.markup_pct": ("naikkan harga N persen", "raise the price by N percent"),
    "help.markup": (
        "tambah harga N rupiah (boleh negatif)",
        "add N rupiah to the price (may be negative)",
    ),
    "help.rounding": (
        "pembulatan harga: none, 100, 500, 1000, end900",
        "price rounding: none, 100, 500, 1000, end900",
    ),
    "help.floor_price": ("harga terendah (rupiah)", "lowest price (rupiah)"),
    "help.explain": (
        "tunjukkan angka stok dan harga yang dikirim ke tiap kanal, beserta rumusnya",
        "show the stock and price each channel gets, with the formula",
    ),
    "help.ledger": ("riwayat gerakan stok sebuah SKU", "stock movement history of a SKU"),
    "help.limit": ("paling banyak N baris terbaru", "at most the newest N rows"),
    "help.export": ("ekspor stok semua SKU ke CSV", "export every SKU's stock to CSV"),
    "help.check": (
        "periksa bahwa angka stok cocok dengan buku stok dan berkas basis data utuh",
        "verify balances against the ledger and the database's integrity",
    ),
    "help.demo": (
        "demo di simulator marketplace lokal (tanpa akun, tanpa internet)",
        "demo on local marketplace simulators (no accounts, no internet)",
    ),
    "help.file": ("berkas", "file"),
    "help.sku": ("SKU induk", "master SKU"),
    "help.qty": ("jumlah", "quantity"),
    "h.sku": ("SKU", "SKU"),
    "h.name": ("Nama", "Name"),
    "h.variant": ("Varian", "Variant"),
    "h.price": ("Harga", "Price"),
    "h.on_hand": ("Stok", "On hand"),
    "h.reserved": ("Dipesan", "Reserved"),
    "h.available": ("Tersedia", "Available"),
    "h.bundle": ("Paket", "Bundle"),
    "h.time": ("Waktu", "Time"),
    "h.kind": ("Jenis", "Kind"),
    "h.qty": ("Jumlah", "Qty"),
    "h.source": ("Sumber", "Source"),
    "h.reason": ("Alasan", "Reason"),
    "h.actor": ("Oleh", "Actor"),
    "h.channel": ("Kanal", "Channel"),
    "h.marketplace": ("Marketplace", "Marketplace"),
    "h.shop": ("Toko", "Shop"),
    "h.item": ("Item", "Item"),
    "h.scope": ("Berlaku untuk", "Applies to"),
    "h.rule": ("Aturan", "Rule"),
    "h.tenant": ("Penjual", "Seller"),
    "h.pushed": ("Dikirim", "Pushed"),
    "h.formula": ("Rumus", "Formula"),
    "explain.head": (
        "{sku} ({name}): stok {on_hand}, dipesan {reserved}",
        "{sku} ({name}): on hand {on_hand}, reserved {reserved}",
    ),
    "explain.bundle_head": (
        "{sku} ({name}) adalah paket: {formula}",
        "{sku} ({name}) is a bundle: {formula}",
    ),
    "explain.no_channels": (
        "Belum ada kanal. Tambahkan: syncd channel add NAMA --marketplace shopee --shop-id ID",
        "No channels yet. Add one: syncd channel add NAME --marketplace shopee --shop-id ID",
    ),
    "explain.not_listed": ("(belum terhubung; tidak dikirim)", "(not bound; nothing is pushed)"),
    "explain.price": ("harga: {formula}", "price: {formula}"),
    "explain.storefronts": (
        "satu angka stok untuk etalase: {names}",
        "one stock number for the storefronts: {names}",
    ),
    "explain.sources": ("aturan: {sources}", "rules: {sources}"),
    "scope.tenant": ("semua produk (aturan dasar)", "all (seller default)"),
    "scope.channel": ("kanal {channel}", "channel {channel}"),
    "scope.sku": ("SKU {sku}", "SKU {sku}"),
    "scope.sku_channel": ("SKU {sku} di {channel}", "SKU {sku} on {channel}"),
    "empty": ("(kosong)", "(empty)"),
}
