"""Catalogue part: webhooks (issue 14). Keys: (Indonesian, English)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "help.webhooks": (
        "Terima webhook dari marketplace (tanpa aplikasi web): setiap kiriman yang tandatangannya sah membangunkan tarikan pesanan toko itu.",
        "Receive marketplace webhooks (without the web app): every delivery with a valid signature wakes that shop's order pull.",
    ),
    "help.webhooks_bind": (
        "alamat HOST:PORT untuk mendengarkan (bawaan: [web] bind)",
        "the HOST:PORT to listen on (default: [web] bind)",
    ),
    "help.webhooks_setup": (
        "Tampilkan alamat webhook sebuah kanal dan langkah yang harus diklik di konsol marketplace.",
        "Show a channel's webhook address and what to click in the marketplace's console.",
    ),
    "help.webhooks_channel": ("nama kanal", "the channel's name"),
    "help.webhooks_url": (
        "alamat publik syncd, mis. https://sync.koperasi.id (bawaan: [web] public_url)",
        "syncd's public address, e.g. https://sync.koperasi.id (default: [web] public_url)",
    ),
    "help.webhooks_new_secret": (
        "buat rahasia webhook WooCommerce yang baru (yang lama berhenti berlaku)",
        "make a new WooCommerce webhook secret (the old one stops working)",
    ),
    "webhooks.serving": (
        "Menerima webhook di {url}/webhooks/<marketplace>. Tekan Ctrl-C untuk berhenti.",
        "Receiving webhooks at {url}/webhooks/<marketplace>. Press Ctrl-C to stop.",
    ),
    "webhooks.none": (
        "Marketplace {marketplace} (kanal {channel}) tidak mengirim webhook ke syncd; kanal ini tetap ditarik berkala.",
        "Marketplace {marketplace} (channel {channel}) sends syncd no webhooks; this channel is still polled on schedule.",
    ),
    "webhooks.url": (
        "Alamat webhook kanal {channel} ({marketplace}): {url}",
        "Webhook address of channel {channel} ({marketplace}): {url}",
    ),
    "webhooks.not_https": (
        "Perhatian: marketplace hanya mengirim ke alamat HTTPS. Pasang proxy dengan TLS di depan syncd dan isi [web] public_url (atau --url) dengan alamat https-nya.",
        "Note: marketplaces deliver only to HTTPS addresses. Put a TLS reverse proxy in front of syncd and set [web] public_url (or --url) to its https address.",
    ),
    "webhooks.poll_stays": (
        "Tarikan berkala tetap berjalan sebagai jaring pengaman untuk kiriman yang hilang.",
        "The routine poll keeps running as a safety net for lost deliveries.",
    ),
    "webhooks.steps.shopee": (
        'Di Shopee Open Platform Console: buka aplikasi Anda → Push Mechanism, isi Callback URL persis dengan alamat di atas (Shopee ikut menandatangani alamat itu), centang push "order status" (kode 3), lalu simpan; Shopee mengirim satu push uji ke alamat itu.',
        'In the Shopee Open Platform Console: open your app → Push Mechanism, set the Callback URL to exactly the address above (Shopee signs that address too), tick the "order status" push (code 3) and save; Shopee sends one test push to it.',
    ),
    "webhooks.steps.lazada": (
        "Di Lazada Open Platform: buka aplikasi Anda → Message Service (Push Mechanism), isi alamat di atas dan verifikasi. Alamat harus HTTPS dengan sertifikat OV atau EV dari CA (DV dan self-signed ditolak Lazada). Pilih jenis pesan 0 (status pesanan) dan 10 (pesanan retur).",
        "In the Lazada Open Platform: open your app → Message Service (Push Mechanism), enter the address above and verify it. It must be HTTPS with an OV or EV certificate from a CA (Lazada refuses DV and self-signed ones). Pick message types 0 (order status) and 10 (reverse order).",
    ),
    "webhooks.steps.tiktok": (
        "Di TikTok Shop Partner Center: buka aplikasi Anda → Webhooks (Manage Webhook), isi alamat di atas untuk ORDER_STATUS_CHANGE, CANCELLATION_STATUS_CHANGE dan RETURN_STATUS_CHANGE. Alamat harus HTTPS (TLS 1.2+), nama domain (bukan IP) dan tanpa port.",
        "In TikTok Shop Partner Center: open your app → Webhooks (Manage Webhook), enter the address above for ORDER_STATUS_CHANGE, CANCELLATION_STATUS_CHANGE and RETURN_STATUS_CHANGE. It must be HTTPS (TLS 1.2+), a domain name (not an IP) and without a port.",
    ),
    "webhooks.steps.woocommerce": (
        'Di admin WordPress toko Anda: WooCommerce → Pengaturan → Lanjutan → Webhook → Tambah webhook. Buat dua webhook, topik "Order created" (order.created) dan "Order updated" (order.updated), status Aktif, URL pengiriman = alamat di atas, Secret = rahasia webhook kanal ini, versi API WP REST v3.',
        'In your store\'s WordPress admin: WooCommerce → Settings → Advanced → Webhooks → Add webhook. Make two webhooks, topics "Order created" (order.created) and "Order updated" (order.updated), status Active, delivery URL = the address above, Secret = this channel\'s webhook secret, API version WP REST v3.',
    ),
    "webhooks.steps.shopify": (
        "Langganan webhook Shopify dibuat lewat Admin API dengan mutasi webhookSubscriptionCreate (topik ORDERS_CREATE, ORDERS_UPDATED, ORDERS_CANCELLED, REFUNDS_CREATE; uri = alamat di atas), atau di Partner Dashboard aplikasi Anda. Tandatangannya memakai client secret aplikasi yang sudah tersimpan di syncd.",
        "Shopify webhook subscriptions are made through the Admin API with the webhookSubscriptionCreate mutation (topics ORDERS_CREATE, ORDERS_UPDATED, ORDERS_CANCELLED, REFUNDS_CREATE; uri = the address above), or in your app's Partner Dashboard. They are signed with the app's client secret syncd already holds.",
    ),
    "help.webhooks_register": (
        "daftarkan langganan webhook lewat API marketplace (TikTok, WooCommerce, Shopify); aman diulang: yang sudah ada tidak digandakan",
        "register the webhook subscription through the marketplace's API (TikTok, WooCommerce, Shopify); safe to repeat: nothing is duplicated",
    ),
    "webhooks.can_register": (
        "Atau biarkan syncd mendaftarkannya lewat API ({how}): syncd webhooks setup {channel} --register",
        "Or let syncd register it through the API ({how}): syncd webhooks setup {channel} --register",
    ),
    "webhooks.console_only": (
        "Marketplace {marketplace} tidak menyediakan API untuk mendaftarkan webhook: atur di konsolnya dengan langkah berikut.",
        "Marketplace {marketplace} has no API to register webhooks: set it up in its console with the steps below.",
    ),
    "webhooks.not_connected": (
        "Kanal {channel} belum tersambung, jadi webhook-nya belum bisa didaftarkan. Sambungkan dulu: syncd channel connect {channel}",
        "Channel {channel} is not connected yet, so its webhooks cannot be registered. Connect it first: syncd channel connect {channel}",
    ),
    "webhooks.registered.created": ("  dibuat: {topic}", "  created: {topic}"),
    "webhooks.registered.updated": (
        "  dipindah ke alamat ini: {topic}",
        "  moved to this address: {topic}",
    ),
    "webhooks.registered.kept": ("  sudah ada, dibiarkan: {topic}", "  already there, kept: {topic}"),
    "webhooks.registered_done": (
        "Webhook kanal {channel} terdaftar ke {url}.",
        "The webhooks of channel {channel} are registered to {url}.",
    ),
    "webhooks.register_refused": (
        "{marketplace} menolak pendaftaran webhook kanal {channel} ({error}). Periksa alamatnya (harus HTTPS yang bisa dijangkau marketplace: --url atau [web] public_url) dan kuncinya: syncd channel set-secret {channel}",
        "{marketplace} refused to register the webhooks of channel {channel} ({error}). Check the address (an HTTPS one the marketplace can reach: --url or [web] public_url) and the key: syncd channel set-secret {channel}",
    ),
    "webhooks.register_refused_auth": (
        "Toko kanal {channel} menolak izin syncd saat mendaftarkan webhook ({error}). Periksa kunci atau token: syncd channel set-secret {channel}, atau sambungkan ulang: syncd channel connect {channel}",
        "The shop of channel {channel} refused syncd's authorization while registering webhooks ({error}). Check the key or token: syncd channel set-secret {channel}, or connect again: syncd channel connect {channel}",
    ),
    "event.webhooks.lost_push": (
        "{count} kabar pesanan dari Shopee sempat hilang (push tak sampai) dan dipulihkan: pesanan toko ini langsung ditarik.",
        "{count} Shopee order push(es) never arrived and were recovered: this shop's orders were pulled at once.",
    ),
    "webhooks.woo_secret_made": (
        "Rahasia webhook baru kanal {channel} dibuat dan langsung diberikan ke toko lewat API (tidak ditampilkan).",
        "A new webhook secret of channel {channel} was made and handed to the store through the API (not shown).",
    ),
    "webhooks.woo_secret_new": (
        "Rahasia webhook baru kanal {channel} (salin sekarang, syncd tidak menampilkannya lagi): {secret}",
        "New webhook secret of channel {channel} (copy it now, syncd will not show it again): {secret}",
    ),
    "webhooks.woo_secret_kept": (
        "Kanal {channel} sudah punya rahasia webhook (tidak ditampilkan). Lupa? Jalankan lagi dengan --new-secret, lalu ganti Secret di kedua webhook WooCommerce.",
        "Channel {channel} already has a webhook secret (not shown). Lost it? Run this again with --new-secret, then change the Secret of both WooCommerce webhooks.",
    ),
}
