"""Catalogue part: web_member pages (issue 13). Keys: (Indonesian, English)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # where a movement came from (``syncd ledger``'s source column)
    "source.web": ("aplikasi web", "web app"),
    # ``syncd logs``: a phone's sale that no longer fitted the stock (``Scope.sell``)
    "event.sale.flagged": (
        "Penjualan dari HP kasir melebihi stok {names}: lihat halaman Stok.",
        "A sale from the cashier's phone was more than the stock of {names}: see the Stock page.",
    ),
    # -- stock ---------------------------------------------------------------------
    "web.member.stock_title": ("Stok {tenant}", "Stock of {tenant}"),
    "web.member.search": ("Cari SKU atau nama…", "Find a SKU or a name…"),
    "web.member.search_go": ("Cari", "Find"),
    "web.member.low": ("menipis (batas {level})", "low (threshold {level})"),
    "web.member.no_skus": (
        "Belum ada produk. Tambahkan lewat halaman Impor.",
        "No products yet. Add them on the Import page.",
    ),
    "web.member.no_match": ("Tidak ada SKU yang cocok dengan '{q}'.", "No SKU matches '{q}'."),
    "web.member.stock_help": (
        "Yang menipis di atas. Tersedia = stok − dipesan − cadangan; angka tiap kanal ada di "
        "halaman SKU.",
        "Low stock first. Available = on hand − reserved − buffer; each channel's number is "
        "on the SKU's page.",
    ),
    "web.member.held_title": (
        "{count} penjualan dari HP kasir menunggu keputusan pemilik",
        "{count} sale(s) from the cashier's phone waiting for the owner",
    ),
    "web.member.held_help": (
        "Saat sampai di server stoknya sudah tidak cukup. Catat: stok boleh di bawah nol "
        "(barangnya memang terjual). Batalkan: penjualan tidak dicatat.",
        "When they reached the server the stock no longer covered them. Record: stock may go "
        "below zero (the goods really were sold). Cancel: the sale is not recorded.",
    ),
    "web.member.held_help_staff": (
        "Saat sampai di server stoknya sudah tidak cukup; pemilik toko yang memutuskan.",
        "When they reached the server the stock no longer covered them; the shop owner decides.",
    ),
    "web.member.sold_at": ("dijual {when} {zone}", "sold {when} {zone}"),
    "web.member.held_apply": ("Catat", "Record"),
    "web.member.held_cancel": ("Batalkan", "Cancel"),
    "web.member.held_apply_confirm": (
        "Catat penjualan ini walau stok jadi di bawah nol?",
        "Record this sale even though stock goes below zero?",
    ),
    "web.member.held_cancel_confirm": (
        "Batalkan penjualan ini? Stok tidak berubah.",
        "Cancel this sale? The stock does not change.",
    ),
    "web.member.held_action": (
        "Pilih 'Catat' atau 'Batalkan' untuk penjualan yang ditahan.",
        "Choose 'Record' or 'Cancel' for the held sale.",
    ),
    # -- one SKU -------------------------------------------------------------------
    "web.member.explain_title": ("Yang tampil di tiap kanal", "What each channel shows"),
    "web.member.explain_help": (
        "Jumlah dan harga yang dikirim syncd ke tiap kanal, dengan rumus dan aturannya.",
        "The quantity and price syncd sends each channel, with the formula and its rules.",
    ),
    "web.member.sell_this": ("Catat penjualan barang ini", "Record a sale of this item"),
    "web.member.ledger_title": ("{count} gerakan stok terakhir", "Last {count} stock movements"),
    "web.member.ledger_none": ("Belum ada gerakan stok.", "No stock movements yet."),
    # -- a count -------------------------------------------------------------------
    "web.member.count_title": ("Hitung stok", "Stock count"),
    "web.member.count_qty_label": ("Jumlah di rak", "Units on the shelf"),
    "web.member.count_submit": ("Simpan hitungan", "Save the count"),
    "web.member.count_reason_default": ("hitung stok", "stock count"),
    "web.member.count_qty": (
        "Tulis jumlah yang dihitung: bilangan bulat 0 atau lebih.",
        "Write the number counted: a whole number, 0 or more.",
    ),
    "web.member.count_bad": (
        "Hitungan tidak bisa disimpan: alasannya terlalu panjang (paling banyak 500 huruf).",
        "The count cannot be saved: the reason is too long (500 characters at most).",
    ),
    "web.member.count_done": (
        "{sku}: hitungan dicatat. Stok {on_hand}, tersedia {available}.",
        "{sku}: count recorded. On hand {on_hand}, available {available}.",
    ),
    "web.member.count_already": (
        "{sku}: hitungan ini sudah dicatat (formulir terkirim dua kali); tidak ada "
        "perubahan. Stok {on_hand}, tersedia {available}.",
        "{sku}: this count was already recorded (the form was sent twice); nothing changed. "
        "On hand {on_hand}, available {available}.",
    ),
    # -- a sale --------------------------------------------------------------------
    "web.member.sale_help": (
        "Penjualan di luar marketplace (tunai, WhatsApp, Instagram). Pilih barang dan "
        "jumlahnya; semua baris dicatat bersama, atau tidak sama sekali.",
        "A sale outside the marketplaces (cash, WhatsApp, Instagram). Choose the items and "
        "how many; all lines are recorded together, or none.",
    ),
    "web.member.item_n": ("Barang {n}", "Item {n}"),
    "web.member.more_items": ("Barang lain", "More items"),
    "web.member.note": ("Catatan (boleh kosong)", "Note (optional)"),
    "web.member.allow_negative": (
        "Barangnya memang ada: catat walau stok di syncd jadi di bawah nol",
        "The goods really are there: record it even if syncd's stock goes below zero",
    ),
    "web.member.sale_submit": ("Catat penjualan", "Record the sale"),
    "web.member.h_sold": ("Terjual", "Sold"),
    "web.member.sale_done": ("Penjualan {channel} dicatat.", "{channel} sale recorded."),
    "web.member.sale_already": (
        "Penjualan ini sudah dicatat (formulir terkirim dua kali); tidak ada perubahan.",
        "This sale was already recorded (the form was sent twice); nothing changed.",
    ),
    "web.member.sale_short": (
        "Stok {sku} tidak cukup: bisa dipakai {available}, diminta {wanted}. Tidak ada yang "
        "dicatat. Bila barangnya memang ada, centang 'Barangnya memang ada' lalu kirim lagi.",
        "Not enough stock for {sku}: {available} usable, {wanted} requested. Nothing was "
        "recorded. If the goods really are there, tick 'The goods really are there' and send "
        "again.",
    ),
    # -- orders and the pick list ---------------------------------------------------
    "web.member.all_channels": ("Semua kanal", "All channels"),
    "web.member.all_states": ("Semua keadaan", "All states"),
    "web.member.day": ("Tanggal", "Day"),
    "web.member.filter": ("Tampilkan", "Show"),
    "web.member.clear": ("Hapus saringan", "Clear the filters"),
    "web.member.orders_none": (
        "Belum ada pesanan yang cocok. Pesanan masuk saat syncd menarik dari marketplace.",
        "No matching orders yet. Orders come in when syncd pulls them from the marketplaces.",
    ),
    "web.member.orders_more": (
        "Menampilkan {count} pesanan terbaru; saring per kanal atau tanggal untuk yang lain.",
        "Showing the newest {count} orders; filter by channel or day for others.",
    ),
    "web.member.orders_unbound": (
        "'Belum terikat': item itu belum dihubungkan ke SKU, jadi stoknya tidak dihitung.",
        "'Not bound': that item is not linked to a SKU yet, so its stock is not counted.",
    ),
    "web.member.pick_unbound": (
        "Juga dikemas, tapi item belum terikat ke SKU (stoknya tidak dihitung)",
        "Also to pack, but the item is not bound to a SKU (its stock is not counted)",
    ),
    # -- channels ------------------------------------------------------------------
    "web.member.backlog": ("Antre dikirim", "Waiting to push"),
    "web.member.what_to_do": ("Yang perlu dilakukan:", "What to do:"),
    "web.member.authorize": ("Beri izin untuk {name}", "Authorize {name}"),
    "web.member.authorize_then": (
        "Masuk sebagai penjual di halaman marketplace. Setelah itu alamat {redirect}?code=… "
        "terbuka: salin KODE dari alamat itu dan berikan ke operator koperasi, atau jalankan:",
        "Log in as the seller on the marketplace's page. It then opens {redirect}?code=…: copy "
        "the CODE from that address and give it to the cooperative's operator, or run:",
    ),
    "web.member.code_word": ("KODE", "CODE"),
    "web.member.authorize_cli": (
        "Tautan izin belum bisa dibuat di sini (kunci aplikasi atau pengaturan kanal belum "
        "lengkap). Operator koperasi menjalankan:",
        "The authorization link cannot be made here yet (the app's key or the channel's "
        "settings are missing). The cooperative's operator runs:",
    ),
    "web.member.ask_owner": (
        "Hanya pemilik toko yang bisa melakukannya.",
        "Only the shop owner can do this.",
    ),
    "web.member.h_stock_change": ("Stok: di toko → dari syncd", "Stock: shop shows → syncd"),
    "web.member.h_price_change": ("Harga: di toko → dari syncd", "Price: shop shows → syncd"),
    "web.member.price_kept": ("(harga tidak dikirim)", "(price not pushed)"),
    "web.member.accept_prices": (
        "Harga juga dikirim syncd (tanpa centang: harga tetap diatur di marketplace)",
        "syncd pushes the prices too (unticked: prices stay managed on the marketplace)",
    ),
    "web.member.accept": ("Setujui {name}", "Accept {name}"),
    "web.member.accept_confirm": (
        "Mulai kirim stok ke {name}? Angka di toko akan diganti hitungan syncd.",
        "Start pushing stock to {name}? The shop's numbers will be replaced by syncd's.",
    ),
    "web.member.resume": ("Lanjutkan {name}", "Resume {name}"),
    # -- import --------------------------------------------------------------------
    "web.member.import_help": (
        "Unggah berkas CSV atau XLSX berisi produk. syncd menampilkan dulu apa yang akan "
        "berubah dan setiap baris yang bermasalah; belum ada yang disimpan sebelum Anda "
        "menekan Terapkan.",
        "Upload a CSV or XLSX file of products. syncd first shows what would change and every "
        "row with a problem; nothing is saved until you press Apply.",
    ),
    "web.member.import_columns": ("Kolom yang dikenal: {known}.", "Known columns: {known}."),
    "web.member.import_file": ("Berkas CSV atau XLSX", "CSV or XLSX file"),
    "web.member.import_file_again": (
        "Berkas yang sudah diperbaiki",
        "The corrected file",
    ),
    "web.member.import_set_stock": (
        "Kolom stok adalah hitungan stok sekarang (tanpa centang: hanya stok awal SKU baru)",
        "The stock column is a stock count made now (unticked: opening stock of new SKUs only)",
    ),
    "web.member.import_preview_button": ("Lihat pratinjau", "Preview"),
    "web.member.import_no_file": (
        "Pilih berkas CSV atau XLSX dulu.",
        "Choose a CSV or XLSX file first.",
    ),
    "web.member.import_preview": (
        "Pratinjau {name}: belum ada yang disimpan.",
        "Preview of {name}: nothing is saved yet.",
    ),
    "web.member.import_would": (
        "Bila diterapkan: {created} SKU baru, {updated} diubah, {unchanged} tetap, stok "
        "dicatat untuk {stock_set} SKU.",
        "If applied: {created} new SKUs, {updated} changed, {unchanged} unchanged, stock "
        "recorded for {stock_set} SKUs.",
    ),
    "web.member.import_counts_note": (
        "Kolom stok dicatat sebagai hitungan stok sekarang: penjualan sejak hitungan terakhir "
        "ditimpa (lihat di atas).",
        "The stock column is recorded as a count made now: sales since the last count are "
        "overridden (see above).",
    ),
    "web.member.import_apply": ("Terapkan", "Apply"),
    "web.member.import_apply_confirm": (
        "Terapkan {name} seperti pratinjau ini?",
        "Apply {name} as previewed?",
    ),
    "web.member.import_apply_help": (
        "Yang diterapkan persis berkas ini, semua baris atau tidak sama sekali; pratinjau "
        "berlaku 1 jam.",
        "Exactly this file is applied, all rows or none; the preview is good for 1 hour.",
    ),
    "web.member.import_nothing": (
        "Berkas ini tidak mengubah apa pun.",
        "This file changes nothing.",
    ),
    "web.member.import_other": ("Unggah berkas lain", "Upload another file"),
    "web.member.import_refused": (
        "{name} tidak bisa diimpor: {count} masalah, daftarnya di bawah. Tidak ada yang disimpan.",
        "{name} cannot be imported: {count} problem(s), listed below. Nothing was saved.",
    ),
    "web.member.import_refused_help": (
        "Perbaiki baris itu di berkasnya lalu unggah lagi ({good} baris lain sudah benar).",
        "Fix those rows in the file and upload it again ({good} other rows are fine).",
    ),
    "web.member.import_refused_fix": (
        "Perbaiki berkasnya lalu unggah lagi.",
        "Fix the file and upload it again.",
    ),
    "web.member.h_row": ("Baris", "Row"),
    "web.member.h_column": ("Kolom", "Column"),
    "web.member.h_problem": ("Masalah", "Problem"),
    "web.member.import_expired": (
        "Pratinjau ini sudah kedaluwarsa (lebih dari 1 jam) atau bukan milik sesi ini: "
        "unggah berkasnya lagi.",
        "This preview has expired (over 1 hour) or belongs to another session: upload the "
        "file again.",
    ),
    "web.member.import_changed": (
        "Berkas berubah sejak pratinjau: tidak ada yang diterapkan. Unggah berkasnya lagi "
        "untuk melihat pratinjau baru.",
        "The file changed since its preview: nothing was applied. Upload it again to see a "
        "new preview.",
    ),
    "web.member.import_done": (
        "{name} diterapkan: {created} SKU baru, {updated} diubah, {unchanged} tetap, stok "
        "dicatat untuk {stock_set} SKU.",
        "{name} applied: {created} new SKUs, {updated} changed, {unchanged} unchanged, stock "
        "recorded for {stock_set} SKUs.",
    ),
    "web.member.to_stock": ("Ke daftar stok", "To the stock list"),
}
