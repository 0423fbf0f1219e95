"""Messages of the sync commands: run, connect, discover, status, logs.

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "help.duration": ("lama demo berjualan, dalam detik", "how long the demo sells, in seconds"),
    "help.seed": (
        "benih acak pembeli (hasil bisa diulang)",
        "buyers' random seed (repeatable runs)",
    ),
    "help.tour": (
        "tur singkat perintah-perintah CLI, tanpa marketplace",
        "a short tour of the CLI commands, without marketplaces",
    ),
    "help.keep": ("simpan berkas demo di folder ini", "keep the demo's files in this folder"),
    "help.run": (
        "jalankan sinkronisasi terus-menerus (biasanya sebagai layanan sistem)",
        "run the sync service (daemon)",
    ),
    "help.once": ("jalankan setiap tugas sekali lalu keluar", "run every due job once, then exit"),
    "help.workers": ("jumlah pekerja paralel", "number of parallel workers"),
    "help.push_every": (
        "detik antar pengiriman stok yang tertunda",
        "seconds between pushes of pending stock",
    ),
    "help.poll_every": ("detik antar penarikan pesanan", "seconds between order pulls"),
    "help.safety_net": (
        "detik antar penarikan pengaman untuk toko yang webhook-nya tiba (bawaan 120)",
        "seconds between safety-net pulls of a shop whose webhooks arrive (default 120)",
    ),
    "help.shard": (
        "eksperimen: layani hanya anggota dengan id %% N == K (proses kedua, lihat ARCHITECTURE.md)",
        "experiment: serve only members whose id %% N == K (a second process, see ARCHITECTURE.md)",
    ),
    "run.bad_shard": (
        "--shard {value} tidak dapat dibaca: tulis K/N dengan 0 <= K < N, mis. --shard 1/2",
        "--shard {value} cannot be read: write K/N with 0 <= K < N, e.g. --shard 1/2",
    ),
    "help.log_format": (
        "format log: json atau console (bawaan: otomatis)",
        "log format: json or console (default: automatic)",
    ),
    "help.channel_connect": (
        "sambungkan toko: tanpa --code mencetak tautan izin; dengan --code menukar kodenya",
        "connect a shop: without --code prints the authorization link; with --code exchanges it",
    ),
    "help.code": (
        "kode dari pengalihan setelah penjual memberi izin",
        "the code from the redirect after the seller authorized",
    ),
    "help.redirect": ("alamat pengalihan setelah izin", "redirect address after authorization"),
    "help.partner_id": ("partner_id aplikasi (Shopee)", "the app's partner_id (Shopee)"),
    "help.partner_key_env": (
        "nama variabel lingkungan yang berisi kunci rahasia aplikasi (disimpan terenkripsi)",
        "name of the environment variable holding the app's secret key (stored encrypted)",
    ),
    "help.app_key": (
        "app_key aplikasi (Lazada, TikTok Shop)",
        "the app's app_key (Lazada, TikTok Shop)",
    ),
    "help.service_id": ("service_id aplikasi (TikTok Shop)", "the app's service_id (TikTok Shop)"),
    "help.setting": (
        "pengaturan lain untuk marketplace ini, mis. warehouse_id=123 (boleh berulang)",
        "any other adapter setting, e.g. warehouse_id=123 (repeatable)",
    ),
    "bad.setting": (
        "'{value}' harus berbentuk KUNCI=NILAI.",
        "'{value}' must look like KEY=VALUE.",
    ),
    "help.base_url": (
        "alamat API (mis. simulator lokal)",
        "API address (e.g. the local simulator)",
    ),
    "help.environment": ("production atau sandbox", "production or sandbox"),
    "help.integration_start": (
        "pesanan sebelum waktu ini tidak mengubah stok: tanggal dan jam setempat "
        "(2026-12-01T06:49) atau mundur dari sekarang (1d); bawaan: sekarang",
        "orders created before this time never touch stock: a local date and time "
        "(2026-12-01T06:49) or a span back from now (1d); default now",
    ),
    "help.channel_discover": (
        "baca produk toko dan hubungkan otomatis berdasarkan SKU",
        "read the shop's listings and bind them by SKU",
    ),
    "help.status": (
        "keadaan tiap kanal: tarik/kirim terakhir, antrean, token",
        "per channel: last pull/push, pending, tokens",
    ),
    "help.logs": ("catatan kejadian sinkronisasi", "sync events log"),
    "help.level": (
        "tingkat minimum: debug (rinci), info, warning (peringatan), error (kesalahan)",
        "minimum level: debug, info, warning, error",
    ),
    "help.since": (
        "sejak kapan: tanggal dan jam setempat (2026-12-01T06:49) atau mundur dari "
        "sekarang (30m, 2h, 1d)",
        "since when: a local date and time (2026-12-01T06:49) or a span back from now "
        "(30m, 2h, 1d)",
    ),
    "help.log_sku": ("hanya kejadian SKU ini", "only events of this SKU"),
    "help.log_channel": ("hanya kejadian kanal ini", "only events of this channel"),
    "connect.url": (
        "Buka tautan ini, masuk sebagai penjual, lalu jalankan lagi dengan --code KODE:\n{url}",
        "Open this link, log in as the seller, then run again with --code CODE:\n{url}",
    ),
    "connect.done": (
        "Kanal {name} tersambung. Token berlaku sampai {access}; izin toko berakhir {auth}.",
        "Channel {name} connected. Token valid until {access}; shop authorization ends {auth}.",
    ),
    "connect.key_done": (
        "Kanal {name} tersambung: kunci REST diterima toko (tidak kedaluwarsa).",
        "Channel {name} connected: the store accepted the REST key (it does not expire).",
    ),
    "connect.token_done": (
        "Kanal {name} tersambung: toko memberi token ke aplikasi (berlaku sampai {access}; "
        "syncd meminta token baru sendiri).",
        "Channel {name} connected: the store gave the app a token (valid until {access}; "
        "syncd asks for a new one by itself).",
    ),
    "connect.client_refused": (
        "Toko menolak aplikasi kanal {name}: {error}. Periksa Client ID (--client-id) dan "
        "Client secret aplikasi di Dev Dashboard, simpan secret dengan set-secret, lalu ulangi.",
        "The store refused channel {name}'s app: {error}. Check the app's client ID "
        "(--client-id) and client secret in the Dev Dashboard, store the secret with "
        "set-secret, then retry.",
    ),
    "connect.key_refused": (
        "Toko menolak kunci kanal {name}: {error}. Buat kunci Read/Write baru di "
        "WooCommerce → Pengaturan → Lanjutan → REST API, simpan dengan set-secret, lalu ulangi.",
        "The store refused channel {name}'s key: {error}. Make a new Read/Write key in "
        "WooCommerce → Settings → Advanced → REST API, store it with set-secret, then retry.",
    ),
    "connect.no_key": (
        "Kunci rahasia aplikasi belum ada. Set variabel {env} lalu ulangi.",
        "The app's secret key is missing. Set the {env} variable and try again.",
    ),
    "connect.no_adapter": (
        "Marketplace {marketplace} belum bisa disambungkan oleh syncd; kanal ini hanya "
        "untuk pencatatan.",
        "Marketplace {marketplace} has no adapter yet; this channel is record-only.",
    ),
    "discover.done": (
        "{name}: {remote} produk di toko, {bound} baru terhubung, {already} sudah terhubung.",
        "{name}: {remote} listings in the shop, {bound} newly bound, {already} already bound.",
    ),
    "discover.unmatched": (
        "SKU di toko yang tidak ada di katalog induk: {skus}",
        "Shop SKUs not in the master catalogue: {skus}",
    ),
    "discover.unlisted": (
        "SKU induk yang belum ada di toko ini: {skus}",
        "Master SKUs not listed in this shop: {skus}",
    ),
    "run.once": (
        "Selesai: {ok} tugas berhasil, {failed} gagal, {skipped} dilewati.",
        "Done: {ok} jobs succeeded, {failed} failed, {skipped} skipped.",
    ),
    "bad.duration": (
        "'{value}' bukan waktu yang sah; tulis ISO 8601 (2026-11-27T10:00) atau durasi (30m, 2h, 1d).",
        "'{value}' is not a valid time; write ISO 8601 (2026-11-27T10:00) or a duration (30m, 2h, 1d).",
    ),
    "h.status": ("Status", "Status"),
    "h.last_pull": ("Tarik terakhir", "Last pull"),
    "h.last_push": ("Kirim terakhir", "Last push"),
    "h.pending": ("Antre", "Pending"),
    "h.failures": ("Gagal", "Failures"),
    "h.token": ("Token s/d", "Token until"),
    "h.auth": ("Izin s/d", "Auth until"),
    "h.level": ("Tingkat", "Level"),
    "h.event": ("Kejadian", "Event"),
    "h.message": ("Pesan", "Message"),
    "status.active": ("aktif", "active"),
    "status.paused": ("dijeda", "paused"),
    "status.needs_reauth": ("perlu izin ulang", "needs re-authorization"),
    "status.heartbeat": (
        "Layanan sinkronisasi: terakhir aktif {at} (pid {pid}).",
        "Daemon: last heartbeat {at} (pid {pid}).",
    ),
    "status.no_daemon": (
        "Layanan sinkronisasi (syncd run) belum pernah berjalan.",
        "The daemon has never run.",
    ),
}
