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
        "Langganan webhook Shopify dibuat lewat Admin API dengan mutasi webhookSubscriptionCreate (topik ORDERS_CREATE, ORDERS_UPDATED, ORDERS_CANCELLED; callbackUrl = alamat di atas), atau di Partner Dashboard aplikasi Anda. Tandatangannya memakai client secret aplikasi yang sudah tersimpan di syncd.",
        "Shopify webhook subscriptions are made through the Admin API with the webhookSubscriptionCreate mutation (topics ORDERS_CREATE, ORDERS_UPDATED, ORDERS_CANCELLED; callbackUrl = the address above), or in your app's Partner Dashboard. They are signed with the app's client secret syncd already holds.",
    ),
    "webhooks.api_later": (
        "Marketplace ini juga bisa didaftarkan lewat API ({how}); syncd belum melakukannya sendiri, jadi lakukan langkah di atas.",
        "This marketplace can also be registered through its API ({how}); syncd does not do that itself yet, so follow the steps above.",
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
