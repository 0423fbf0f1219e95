"""Seller-facing messages: time, the words of argparse, event texts, the demo's screen.

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # -- time (syncd/localtime.py) ---------------------------------------------
    "time.bad_zone": (
        "Zona waktu '{name}' ({source}) tidak dikenal. Tulis nama zona seperti "
        "Asia/Jakarta (WIB), Asia/Makassar (WITA) atau Asia/Jayapura (WIT), "
        'mis. timezone = "Asia/Jakarta" di syncd.toml.',
        "Unknown time zone '{name}' ({source}). Write a zone name such as "
        "Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT), "
        'e.g. timezone = "Asia/Jakarta" in syncd.toml.',
    ),
    "time.bad": (
        "'{value}' bukan waktu yang sah. Tulis tanggal dan jam {zone}: "
        "2026-12-01, 2026-12-01T06:49, 2026-12-01 06:49 atau 01/12/2026 06:49; "
        "atau mundur dari sekarang: 30m (menit), 2h (jam), 1d (hari).",
        "'{value}' is not a valid time. Write a date and time in {zone}: "
        "2026-12-01, 2026-12-01T06:49, 2026-12-01 06:49 or 01/12/2026 06:49; "
        "or a span back from now: 30m (minutes), 2h (hours), 1d (days).",
    ),
    "time.months": (
        "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des",
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    ),
    "time.in_days": ("{date} (dalam {days} hari)", "{date} (in {days} days)"),
    "time.tomorrow": ("{date} (besok)", "{date} (tomorrow)"),
    "time.today": ("{date} (hari ini)", "{date} (today)"),
    "time.expired": ("{date} (sudah lewat)", "{date} (expired)"),
    "time.zone_note": ("Waktu dalam {zone}.", "Times in {zone}."),
    # -- argparse's own words (English side = argparse's exact msgid) -----------
    "argparse.usage": ("penggunaan: ", "usage: "),
    "argparse.positionals": ("isian", "positional arguments"),
    "argparse.options": ("pilihan", "options"),
    "argparse.help": ("tampilkan bantuan ini lalu keluar", "show this help message and exit"),
    "argparse.error": ("%(prog)s: kesalahan: %(message)s\n", "%(prog)s: error: %(message)s\n"),
    "argparse.warning": (
        "%(prog)s: peringatan: %(message)s\n",
        "%(prog)s: warning: %(message)s\n",
    ),
    "argparse.argument": (
        "%(argument_name)s: %(message)s",
        "argument %(argument_name)s: %(message)s",
    ),
    "argparse.required": (
        "ini wajib diisi: %s",
        "the following arguments are required: %s",
    ),
    "argparse.one_required": (
        "salah satu dari %s wajib diisi",
        "one of the arguments %s is required",
    ),
    "argparse.invalid_choice": (
        "pilihan tidak sah: %(value)r (pilih dari %(choices)s)",
        "invalid choice: %(value)r (choose from %(choices)s)",
    ),
    "argparse.invalid_choice_suggest": (  # Python 3.14+, with suggest_on_error
        "pilihan tidak sah: %(value)r, mungkin maksudnya %(closest)r? (pilih dari %(choices)s)",
        "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)",
    ),
    "argparse.invalid_value": (
        "%(value)r bukan angka yang sah",
        "invalid %(type)s value: %(value)r",
    ),
    "argparse.unrecognized": (
        "tidak dikenal: %s",
        "unrecognized arguments: %s",
    ),
    "argparse.expected_one": ("perlu satu nilai", "expected one argument"),
    "argparse.expected_at_most_one": ("paling banyak satu nilai", "expected at most one argument"),
    "argparse.expected_at_least_one": (
        "perlu paling sedikit satu nilai",
        "expected at least one argument",
    ),
    "argparse.expected_n": ("perlu %s nilai", "expected %s argument"),
    "argparse.expected_n_plural": ("perlu %s nilai", "expected %s arguments"),
    "argparse.ambiguous": (
        "pilihan %(option)s tidak jelas, bisa berarti %(matches)s",
        "ambiguous option: %(option)s could match %(matches)s",
    ),
    "argparse.not_allowed_with": (
        "tidak boleh dipakai bersama %s",
        "not allowed with argument %s",
    ),
    "argparse.ignored_explicit": (
        "nilai %r diabaikan (pilihan ini tidak menerima nilai)",
        "ignored explicit argument %r",
    ),
    "argparse.unexpected_option": (
        "pilihan tidak terduga: %s",
        "unexpected option string: %s",
    ),
    "argparse.unknown_parser": (
        "perintah %(parser_name)r tidak dikenal (pilihan: %(choices)s)",
        "unknown parser %(parser_name)r (choices: %(choices)s)",
    ),
    "argparse.cannot_open": (
        "tidak bisa membuka '%(filename)s': %(error)s",
        "can't open '%(filename)s': %(error)s",
    ),
    "argparse.default": (" (bawaan: %(default)s)", " (default: %(default)s)"),
    "argparse.subcommands": ("perintah", "subcommands"),
    "argparse.version_help": (
        "tampilkan versi program lalu keluar",
        "show program's version number and exit",
    ),
    "argparse.command_metavar": ("PERINTAH", "COMMAND"),
    "version.text": ("syncd versi {version}", "syncd version {version}"),
    "help.version": ("tampilkan versi syncd lalu keluar", "show syncd's version and exit"),
}

MESSAGES.update(
    {
        # -- events shown by `syncd logs` (stored in English; see syncd/cli_words.py)
        "event.channel.added": (
            "Kanal ditambahkan ({marketplace}, toko {shop}).",
            "Channel added ({marketplace}, shop {shop}).",
        ),
        "event.channel.connected": (
            "Toko memberi izin; izin berakhir {auth}.",
            "The shop authorized syncd; authorization ends {auth}.",
        ),
        "event.channel.accepted": (
            "Penjual menyetujui pengiriman stok; harga: {price_sync}.",
            "The seller accepted stock pushes; prices: {price_sync}.",
        ),
        "event.channel.edited": ("Pengaturan diubah: {changes}.", "Settings changed: {changes}."),
        "event.channel.secret_replaced": (
            "Kunci rahasia aplikasi diganti.",
            "The app secret was replaced.",
        ),
        "event.channel.paused": ("Kanal dijeda oleh penjual.", "Channel paused by the seller."),
        "event.channel.resumed": ("Kanal berjalan lagi.", "Channel resumed."),
        "event.channel.removed": (
            "Kanal dihapus; pesanan dan gerakan stoknya tetap tercatat sebagai {kept_as}.",
            "Channel removed; its orders and stock movements stay recorded as {kept_as}.",
        ),
        "event.listing.unbound": (
            "{sku} dilepas dari item {item}.",
            "{sku} unbound from item {item}.",
        ),
        "event.listing.moved": (
            "{sku} pindah dari item {old} ke {new}.",
            "{sku} moved from item {old} to {new}.",
        ),
        "event.quarantine.retry": (
            "Pesanan {order} akan dibaca ulang.",
            "Order {order} will be read again.",
        ),
        "event.quarantine.dismissed": (
            "Pesanan {order} dianggap sudah diurus manual.",
            "Order {order} counted as handled by hand.",
        ),
        "event.order.set_aside": (
            "Pesanan {order} disisihkan, stok tidak diubah: {reason}. Lihat: syncd quarantine list",
            "Order {order} set aside, stock not moved: {reason}. See: syncd quarantine list",
        ),
        "event.auth.refreshed": (
            "Token akses diperbarui; berlaku sampai {expires}.",
            "Access token renewed; valid until {expires}.",
        ),
        "event.account.needs_reauth": (
            "Toko dijeda: perlu izin ulang dari penjual ({detail}). "
            "Sambungkan lagi: syncd channel connect {channel}",
            "Shop paused: the seller must authorize again ({detail}). "
            "Connect again: syncd channel connect {channel}",
        ),
        "event.orders.unmatched": (
            "Ada pesanan untuk produk toko yang belum terhubung ke SKU: {items}. "
            "Hubungkan: syncd listing bind SKU --channel {channel} --item-id ID",
            "Orders for shop items not bound to a SKU: {items}. "
            "Bind them: syncd listing bind SKU --channel {channel} --item-id ID",
        ),
        "event.push.failed": (
            "Toko menolak {field} {value}: {error} ({retry})",
            "The shop refused {field} {value}: {error} ({retry})",
        ),
        "event.retry_yes": ("dicoba lagi nanti", "will be retried"),
        "event.retry_no": ("tidak dicoba lagi", "not retried"),
        "event.listings.discovered": (
            "{remote} produk di toko, {bound} baru terhubung, {unmatched} tanpa SKU yang cocok.",
            "{remote} listings in the shop, {bound} newly bound, {unmatched} with no matching SKU.",
        ),
        "event.account.unavailable": (
            "Kanal tidak bisa mulai bekerja: {detail}",
            "The channel cannot start: {detail}",
        ),
        "event.job.failed": ("Tugas {job} gagal: {detail}", "Job {job} failed: {detail}"),
        "event.daemon.started": (
            "Layanan sinkronisasi mulai (pid {pid}, {workers} pekerja).",
            "Sync service started (pid {pid}, {workers} workers).",
        ),
        "event.daemon.stopped": (
            "Layanan sinkronisasi berhenti; pekerjaan yang sedang jalan sudah selesai.",
            "Sync service stopped; the work in progress was finished.",
        ),
        "job.pull": ("ambil pesanan", "pull orders"),
        "job.push": ("kirim stok dan harga", "push stock and prices"),
        "job.refresh": ("perbarui token", "refresh the token"),
        "job.discover": ("baca produk toko", "read the shop's listings"),
        "field.stock": ("stok", "stock"),
        "field.price": ("harga", "price"),
        "level.debug": ("rinci", "debug"),
        "level.info": ("info", "info"),
        "level.warning": ("peringatan", "warning"),
        "level.error": ("kesalahan", "error"),
        # -- the ledger's source and reason columns --------------------------------
        "source.cli": ("dicatat manual", "by hand"),
        "source.import": ("impor berkas", "file import"),
        "source.gone_channel": ("kanal #{id} (sudah dihapus)", "channel #{id} (removed)"),
        "offline.cash": ("tunai", "cash"),
        "offline.whatsapp": ("WhatsApp", "WhatsApp"),
        "offline.instagram": ("Instagram", "Instagram"),
        "offline.other": ("lainnya", "other"),
        "ledger.step.reserve": ("pesanan baru, stok dipesan", "new order, stock reserved"),
        "ledger.step.deduct": ("dikirim, stok berkurang", "shipped, stock taken"),
        "ledger.step.release": ("dibatalkan, pesanan dilepas", "cancelled, reservation released"),
        "ledger.step.restock": ("diretur, stok kembali", "returned, back in stock"),
        "ledger.order_reason": ("pesanan {order}: {step}", "order {order}: {step}"),
        "ledger.import_reason": ("{file} baris {row}", "{file} row {row}"),
        "h.time_in": ("Waktu ({zone})", "Time ({zone})"),
        "sale.item": ("{sku} −{qty} (stok {on_hand})", "{sku} −{qty} ({on_hand} on hand)"),
    }
)

MESSAGES.update(
    {
        # -- the demo's screen (syncd/demo.py) ---------------------------------------
        "demo.start": (
            "Simulator di 127.0.0.1: {names}; {bound} produk terhubung lewat SKU. "
            "Berjualan selama {seconds} detik…",
            "Simulators on 127.0.0.1: {names}; {bound} listings bound by SKU. "
            "Selling for {seconds} s…",
        ),
        "demo.legend": (
            "Cara membaca tiap baris: {example} berarti stok tersedia di syncd (sebelum "
            "aturan tiap toko) → yang tampil di toko {shops} (urutan itu).",
            "How to read each line: {example} means available in syncd (before each "
            "shop's rules) → what the shops {shops} show (in that order).",
        ),
        "demo.live": (
            "[{elapsed} dtk] pesanan {orders} (batal {cancelled})  {items}",
            "[{elapsed}s] orders {orders} (cancelled {cancelled})  {items}",
        ),
        "demo.settling": (
            "Pembeli berhenti; menunggu syncd selesai menyamakan stok…",
            "Buyers stopped; waiting for syncd to settle…",
        ),
        "demo.table_legend": (
            "Akhir demo. Per kanal: angka yang dikirim syncd / angka yang tampil di toko "
            "(! = belum sama).",
            "End of the demo. Per channel: what syncd sends / what the shop shows "
            "(! = not the same yet).",
        ),
        "demo.want_shows": ("{channel} kirim/tampil", "{channel} want/shows"),
    }
)
