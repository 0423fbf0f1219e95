"""Catalogue part: the web app's frame, sign-in and the cashier page (issue 13).
Keys: (Indonesian, English)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "web.nav.stock": ("Stok", "Stock"),
    "web.nav.sale": ("Catat penjualan", "Record a sale"),
    "web.nav.orders": ("Pesanan", "Orders"),
    "web.nav.picklist": ("Daftar ambil", "Picklist"),
    "web.nav.channels": ("Kanal", "Channels"),
    "web.nav.import": ("Impor", "Import"),
    "web.nav.cashier": ("Kasir", "Cashier"),
    "web.nav.operator": ("Operator", "Operator"),
    "web.shop": ("Toko", "Shop"),
    "web.switch": ("Ganti", "Switch"),
    "web.logout": ("Keluar", "Sign out"),
    "web.login.title": ("Masuk ke syncd", "Sign in to syncd"),
    "web.login.login": ("Nama pengguna", "Login"),
    "web.login.password": ("Kata sandi", "Password"),
    "web.login.submit": ("Masuk", "Sign in"),
    "web.refused.title": ("Tidak bisa dibuka", "Cannot be opened"),
    "web.refused.home": ("Kembali ke halaman awal", "Back to the start page"),
    "web.sign_in": ("Silakan masuk dulu.", "Please sign in first."),
    "web.forbidden": (
        "Halaman ini bukan untuk peran Anda. Minta pemilik toko atau operator koperasi untuk memberi akses.",
        "This page is not for your role. Ask the shop owner or the cooperative's operator for access.",
    ),
    "web.csrf": (
        "Formulir ini sudah kedaluwarsa atau tidak berasal dari halaman syncd. Muat ulang halaman lalu coba lagi.",
        "This form has expired or did not come from a syncd page. Reload the page and try again.",
    ),
    "web.not_found": ("Tidak ditemukan.", "Not found."),
    "web.bad_input": (
        "Isian tidak sesuai: {fields}. Periksa isian itu lalu kirim lagi.",
        "Some values do not fit: {fields}. Check them and send again.",
    ),
    "web.bad_bind": (
        "Alamat web '{bind}' tidak bisa dipakai: tulis HOST:PORT, mis. 127.0.0.1:8750.",
        "Web address '{bind}' cannot be used: write HOST:PORT, e.g. 127.0.0.1:8750.",
    ),
    "web.cannot_listen": (
        "Aplikasi web tidak bisa mendengarkan di {bind}: port dipakai program lain? Pilih port lain dengan --bind.",
        "The web app cannot listen on {bind}: is the port taken by another program? Choose another with --bind.",
    ),
    "web.serving": (
        "Aplikasi web berjalan di {url} (Ctrl-C untuk berhenti).",
        "The web app is running at {url} (Ctrl-C to stop).",
    ),
    "help.web": (
        "jalankan aplikasi web koperasi (anggota, kasir, operator)",
        "run the cooperative's web app (members, cashiers, operators)",
    ),
    "help.web_bind": (
        "alamat HOST:PORT (bawaan dari [web] bind, 127.0.0.1:8750); di balik reverse proxy dengan TLS untuk dibuka dari luar",
        "HOST:PORT to listen on (default [web] bind, 127.0.0.1:8750); put a TLS reverse proxy in front to open it to others",
    ),
    "help.run_web": (
        "jalankan juga aplikasi web di HOST:PORT dalam proses yang sama",
        "also serve the web app at HOST:PORT in the same process",
    ),
    # the cashier page
    "web.cashier.title": ("Kasir", "Cashier"),
    "web.cashier.find": ("Cari barang…", "Find an item…"),
    "web.cashier.left": ("sisa {count}", "{count} left"),
    "web.cashier.less": ("kurangi {sku}", "one less {sku}"),
    "web.cashier.more": ("tambah {sku}", "one more {sku}"),
    "web.cashier.channel": ("Dijual lewat", "Sold through"),
    "web.cashier.total": ("Total", "Total"),
    "web.cashier.done": ("Selesai", "Done"),
    "web.cashier.waiting": ("{count} menunggu dikirim", "{count} waiting to be sent"),
    "web.cashier.online": ("Tersambung", "Online"),
    "web.cashier.offline": ("Tidak tersambung: penjualan disimpan di HP", "Offline: sales are kept on this phone"),
    "web.cashier.sent": ("Tercatat.", "Recorded."),
    "web.cashier.flagged": (
        "Tercatat, tetapi stok {skus} kurang: periksa di halaman stok.",
        "Recorded, but {skus} was short of stock: check the stock page.",
    ),
    "web.cashier.held": (
        "Stok {skus} tidak cukup: penjualan disimpan untuk diputuskan pemilik toko.",
        "Not enough {skus}: the sale is kept for the shop owner to decide.",
    ),
    "web.cashier.relogin": (
        "Sesi berakhir: masuk lagi, penjualan yang menunggu tetap tersimpan di HP.",
        "Your session ended: sign in again; the waiting sales stay on this phone.",
    ),
    "web.cashier.refused": ("Ditolak server", "Refused by the server"),
    "web.channel.cash": ("Tunai", "Cash"),
    "web.channel.whatsapp": ("WhatsApp", "WhatsApp"),
    "web.channel.instagram": ("Instagram", "Instagram"),
    "web.channel.other": ("Lainnya", "Other"),
    "web.sale_channel": (
        "Saluran penjualan '{channel}' tidak dikenal: pilih salah satu dari {known}.",
        "Unknown sales channel '{channel}': choose one of {known}.",
    ),
    "web.sale_empty": ("Penjualan tanpa barang: pilih minimal satu barang.", "A sale with no items: pick at least one item."),
    "web.sale_line": (
        "Baris penjualan harus berisi sku (teks) dan qty (bilangan bulat).",
        "A sale line must have sku (text) and qty (a whole number).",
    ),
    "web.sale_qty": ("Jumlah {sku} harus lebih dari 0.", "The quantity of {sku} must be more than 0."),
    "web.sale_key": (
        "Penjualan tanpa kunci yang sah (8–80 huruf, angka, - atau _): muat ulang halaman kasir.",
        "A sale without a valid key (8–80 letters, digits, - or _): reload the cashier page.",
    ),
    "web.sale_reason": ("dari HP kasir, dijual {when}", "from the cashier's phone, sold {when}"),
    "web.sale_reason_short": (
        "dari HP kasir, dijual {when}; stok tidak cukup saat diterima",
        "from the cashier's phone, sold {when}; not enough stock when it arrived",
    ),
    "sales.policy.allow": (
        "penjualan dari HP yang melebihi stok dicatat di bawah nol dan ditandai",
        "a phone's sale that no longer fits the stock is recorded below zero and flagged",
    ),
    "sales.policy.hold": (
        "penjualan dari HP yang melebihi stok disimpan untuk diputuskan pemilik",
        "a phone's sale that no longer fits the stock is kept for the owner to decide",
    ),
    "help.demo_web": (
        "alamat aplikasi web selama demo (bawaan 127.0.0.1:8750; port lain dipilih jika terpakai)",
        "where the web app listens during the demo (default 127.0.0.1:8750; another port if taken)",
    ),
    "help.demo_no_web": ("demo tanpa aplikasi web", "the demo without the web app"),
    "demo.web": (
        "Aplikasi web: {url}  (masuk sebagai pemilik, kasir atau operator; kata sandi {password}; HP kasir: {url}/cashier)",
        "Web app: {url}  (sign in as pemilik, kasir or operator; password {password}; cashier's phone: {url}/cashier)",
    ),
    "demo.web_sale": (
        "  web: kasir menjual 1× {sku} lewat {url}/cashier → {status}",
        "  web: the cashier sold 1× {sku} through {url}/cashier → {status}",
    ),
    "demo.web_metrics": (
        "/metrics: syncd_marketplace_calls_total {before} → {after} selama demo",
        "/metrics: syncd_marketplace_calls_total {before} → {after} during the demo",
    ),
    "demo.webhooks": (
        "Webhook: tiap toko mengabari syncd di {url}/webhooks/<marketplace> begitu ada pesanan (5% terkirim dua kali); penarikan berkala tetap jalan sebagai jaring pengaman.",
        "Webhooks: each shop tells syncd at {url}/webhooks/<marketplace> the moment an order changes (5% delivered twice); the polls go on as a safety net.",
    ),
    "demo.webhooks_received": (
        "Webhook yang diterima (duplikat sudah dibuang): {told}",
        "Webhooks received (duplicates dropped): {told}",
    ),
}
