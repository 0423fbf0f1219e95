"""Catalogue part: notify (issue 13). Keys: (Indonesian, English)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # -- the messages members receive (always Indonesian; English for the catalogue) ------
    "notify.open": ("Buka: {link}", "Open: {link}"),
    "notify.low.title": ("Stok menipis: {sku}", "Low stock: {sku}"),
    "notify.low.body": (
        "{sku} tinggal {available} (batas stok menipis {threshold}). Tambah stok atau ubah batasnya di halaman SKU.",
        "{sku} is down to {available} (low-stock threshold {threshold}). Restock it or change the threshold on the SKU page.",
    ),
    "notify.reauth.title": (
        "Kanal {channel} perlu diotorisasi ulang",
        "Channel {channel} must be authorized again",
    ),
    "notify.reauth.body": (
        "Marketplace menolak otorisasi syncd untuk {channel}, jadi pesanan dan stok kanal ini berhenti tersinkron. Hubungkan lagi kanal ini di halaman kanal.",
        "The marketplace refused syncd's authorization for {channel}, so this channel's orders and stock no longer sync. Connect the channel again on the channels page.",
    ),
    "notify.expiring.title": (
        "Otorisasi {channel} berakhir dalam {days} hari",
        "Authorization of {channel} ends within {days} day(s)",
    ),
    "notify.expiring.body": (
        "Otorisasi syncd untuk {channel} berakhir {when}. Otorisasi ulang sebelum itu di halaman kanal agar sinkronisasi tidak berhenti.",
        "syncd's authorization for {channel} ends {when}. Authorize it again before then on the channels page so the sync does not stop.",
    ),
    "notify.failing.title": ("Kanal {channel} gagal", "Channel {channel} is failing"),
    "notify.failing.body": (
        "Kanal {channel} gagal sejak {since} ({minutes} menit). Penyebab terakhir: {error}. Selama belum beres, pesanan dan stok kanal ini tidak tersinkron; lihat apa yang harus dilakukan di halaman kanal.",
        "Channel {channel} has been failing since {since} ({minutes} minutes). Last cause: {error}. Until it is fixed, this channel's orders and stock do not sync; see what to do on the channels page.",
    ),
    "notify.oversell.title": ("Stok minus: {sku}", "Oversold: {sku}"),
    "notify.oversell.body": (
        "{sku} terjual melebihi stok: tersedia {available}. Periksa pesanan yang belum terpenuhi, lalu tambah stok atau batalkan pesanan yang kelebihan.",
        "{sku} sold more than the stock: {available} available. Check the unfilled orders, then restock or cancel the extra orders.",
    ),
    "notify.flagged.title": (
        "Penjualan kasir melebihi stok: {skus}",
        "A cashier's sale exceeded the stock: {skus}",
    ),
    "notify.flagged.body": (
        "Penjualan tunai dari kasir tiba saat stok {skus} sudah tidak cukup; penjualan tetap dicatat (stok jadi minus) dan diberi tanda. Periksa di halaman pesanan.",
        "A cashier's cash sale arrived when the stock of {skus} no longer covered it; it was recorded anyway (stock below zero) and flagged. Check it on the orders page.",
    ),
    "notify.flagged.held": (
        "Penjualan tunai dari kasir tiba saat stok {skus} sudah tidak cukup; penjualan ditahan sampai Anda memutuskan. Putuskan di halaman pesanan.",
        "A cashier's cash sale arrived when the stock of {skus} no longer covered it; it is held until you decide. Decide on the orders page.",
    ),
    "notify.digest.title": ("Ringkasan harian syncd, {date}", "syncd daily digest, {date}"),
    "notify.digest.told": (
        "{count} pemberitahuan dikirim sejak ringkasan terakhir.",
        "{count} notification(s) sent since the last digest.",
    ),
    "notify.digest.held": (
        "{count} pemberitahuan ditahan agar tidak membanjiri: {kinds}.",
        "{count} notification(s) held back so as not to flood you: {kinds}.",
    ),
    "notify.digest.low": (
        "Stok menipis sekarang: {count} SKU.",
        "Low on stock now: {count} SKU(s).",
    ),
    "notify.digest.below": (
        "Stok minus sekarang: {count} SKU.",
        "Below zero now: {count} SKU(s).",
    ),
    "notify.digest.channels": (
        "Kanal bermasalah: {failing} gagal, {reauth} perlu otorisasi ulang.",
        "Channels needing you: {failing} failing, {reauth} to authorize again.",
    ),
    "notify.digest.channels_ok": ("Semua kanal berjalan.", "Every channel is running."),
    "notify.test.title": ("Tes pemberitahuan syncd", "syncd test notification"),
    "notify.test.body": (
        "Pesan ini membuktikan bahwa pemberitahuan syncd sampai ke {label}.",
        "This message shows that syncd's notifications reach {label}.",
    ),
    # -- kinds, states ---------------------------------------------------------------------
    "notify.all": ("semua", "everything"),
    "notify.kind.failing": ("kanal gagal", "channel failing"),
    "notify.kind.reauth": ("perlu otorisasi ulang", "needs authorization"),
    "notify.kind.expiring": ("otorisasi segera berakhir", "authorization ending"),
    "notify.kind.low_stock": ("stok menipis", "low stock"),
    "notify.kind.oversell": ("stok minus", "oversold"),
    "notify.kind.digest": ("ringkasan harian", "daily digest"),
    "notify.kind.test": ("tes", "test"),
    "notify.state.sent": ("terkirim", "sent"),
    "notify.state.waiting": ("menunggu", "waiting"),
    "notify.state.failed": ("gagal, berhenti dicoba", "failed, given up"),
    "notify.state.held": ("ditahan (masuk ringkasan)", "held back (in the digest)"),
    "notify.retry_at": ("dicoba lagi {at}: {error}", "retried {at}: {error}"),
    # -- errors ----------------------------------------------------------------------------
    "notify.bad_label": (
        "Label tujuan {label} tidak bisa dipakai: pakai 1 sampai {most} karakter tanpa spasi, misalnya hp-sri.",
        "Target label {label} cannot be used: use 1 to {most} characters without spaces, e.g. hp-sri.",
    ),
    "notify.bad_kind": (
        "Jenis pemberitahuan {kind} tidak dikenal. Pilih dari: {kinds} (atau * untuk semua), dipisah koma di --only.",
        "Unknown notification kind {kind}. Choose from: {kinds} (or * for all), comma-separated in --only.",
    ),
    "notify.bad_url": (
        "Alamat untuk tujuan {label} tidak dikenali apprise. Periksa penulisannya, misalnya tgram://TOKEN_BOT/ID_CHAT (Telegram), mailtos://nama:sandi@gmail.com (e-mail) atau json://host/jalur (webhook); daftar lengkap ada di https://github.com/caronc/apprise/wiki, lalu jalankan syncd notify add lagi.",
        "apprise does not understand the address for target {label}. Check how it is written, e.g. tgram://BOT_TOKEN/CHAT_ID (Telegram), mailtos://name:password@gmail.com (e-mail) or json://host/path (webhook); the full list is at https://github.com/caronc/apprise/wiki, then run syncd notify add again.",
    ),
    "notify.label_taken": (
        "Tujuan {label} sudah ada. Pilih label lain, atau hapus dulu dengan: syncd notify remove {label}",
        "Target {label} already exists. Choose another label, or remove it first: syncd notify remove {label}",
    ),
    "notify.unknown_target": (
        "Tidak ada tujuan pemberitahuan {label}. Yang ada: {known} (lihat syncd notify list).",
        "There is no notification target {label}. Known: {known} (see syncd notify list).",
    ),
    "notify.url_missing": (
        "Alamat (URL apprise) untuk {label} tidak diberikan. Ketik saat diminta, isi variabel {env}, atau beri sebagai argumen kedua.",
        "No address (apprise URL) given for {label}. Type it when asked, set {env}, or give it as the second argument.",
    ),
    "notify.url_prompt": (
        "URL apprise untuk {label} (tidak ditampilkan): ",
        "apprise URL for {label} (not shown): ",
    ),
    # -- the command's lines -----------------------------------------------------------------
    "notify.added": (
        "Tujuan {label} ditambahkan ({scheme}); menerima: {kinds}. Coba dengan: syncd notify test {label}",
        "Target {label} added ({scheme}); receives: {kinds}. Try it: syncd notify test {label}",
    ),
    "notify.removed": ("Tujuan {label} dihapus.", "Target {label} removed."),
    "notify.none": (
        "Belum ada tujuan pemberitahuan. Tambah dengan: syncd notify add LABEL",
        "No notification targets yet. Add one: syncd notify add LABEL",
    ),
    "notify.log_none": (
        "Tidak ada pemberitahuan dalam rentang ini.",
        "No notifications in this period.",
    ),
    "notify.test_ok": ("Pesan tes sampai ke {label}.", "The test message reached {label}."),
    "notify.test_failed": (
        "Pesan tes TIDAK sampai ke {label}: {error}. Periksa alamatnya (hapus lalu tambah lagi) atau koneksi server.",
        "The test message did NOT reach {label}: {error}. Check the address (remove and add it again) or the server's connection.",
    ),
    "notify.h.label": ("tujuan", "target"),
    "notify.h.scheme": ("jenis alamat", "scheme"),
    "notify.h.kinds": ("menerima", "receives"),
    "notify.h.added": ("ditambahkan", "added"),
    "notify.h.at": ("waktu ({zone})", "time ({zone})"),
    "notify.h.kind": ("jenis", "kind"),
    "notify.h.title": ("judul", "title"),
    "notify.h.state": ("status", "state"),
    "notify.h.attempts": ("percobaan", "attempts"),
    "notify.h.note": ("catatan", "note"),
    "history.what.notify": ("tujuan pemberitahuan", "notification target"),
    # -- events (syncd logs) ------------------------------------------------------------------
    "event.notify.gave_up": (
        "Pemberitahuan ke {label} gagal {attempts} kali dan tidak dicoba lagi: {error}",
        "Notification to {label} failed {attempts} times and is given up: {error}",
    ),
    "event.notify.error": (
        "Pemberitahuan ({step}) gagal: {error}",
        "Notifications ({step}) failed: {error}",
    ),
    # -- help ---------------------------------------------------------------------------------
    "help.notify": (
        "pemberitahuan lewat Telegram, e-mail, WhatsApp, webhook (apprise)",
        "notifications by Telegram, e-mail, WhatsApp, webhook (apprise)",
    ),
    "help.notify_add": ("tambah tujuan pemberitahuan", "add a notification target"),
    "help.notify_label": (
        "nama pendek tujuan, misalnya hp-sri",
        "the target's short name, e.g. hp-sri",
    ),
    "help.notify_url": (
        "URL apprise (berisi token/sandi: lebih aman diketik saat diminta atau lewat {env})",
        "apprise URL (it holds tokens/passwords: safer typed when asked, or via {env})",
    ),
    "help.notify_only": (
        "hanya jenis ini, dipisah koma: failing, reauth, expiring, low_stock, oversell, digest",
        "only these kinds, comma-separated: failing, reauth, expiring, low_stock, oversell, digest",
    ),
    "help.notify_list": ("daftar tujuan (tanpa URL)", "list the targets (never their URL)"),
    "help.notify_remove": ("hapus tujuan", "remove a target"),
    "help.notify_test": (
        "kirim satu pesan tes sekarang dan katakan apakah sampai",
        "send one test message now and say whether it arrived",
    ),
    "help.notify_log": (
        "pemberitahuan yang dikirim, menunggu, gagal atau ditahan",
        "notifications sent, waiting, given up or held back",
    ),
    "help.notify_since": (
        "sejak kapan (30m, 2h, 1d, atau tanggal)",
        "since when (30m, 2h, 1d, or a date)",
    ),
}
