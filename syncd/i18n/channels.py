"""Seller-facing messages: a channel's lifecycle (add, connect, review, accept, edit,
pause, remove), its state in ``syncd status``, and ``run --once``'s verdict.

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # -- states (syncd.health) --
    "state.paused": ("dijeda", "paused"),
    "state.unsupported": ("tidak didukung", "unsupported"),
    "state.cannot_decrypt": ("rahasia tak terbuka", "cannot decrypt secrets"),
    "state.not_connected": ("belum tersambung", "not connected"),
    "state.needs_reauth": ("perlu izin ulang", "needs re-authorization"),
    "state.failing": ("gagal", "failing"),
    "state.not_reviewed": ("belum ditinjau", "not reviewed"),
    "state.ok": ("baik", "ok"),
    "next.paused": (
        "dijeda sejak {since}; tidak ditarik, tidak dikirim. Lanjutkan: syncd channel resume {name}",
        "paused since {since}; neither polled nor pushed. Resume: syncd channel resume {name}",
    ),
    "next.unsupported": (
        "versi syncd ini belum bisa bekerja dengan {detail}. Hapus: syncd channel remove {name}",
        "this syncd cannot work with {detail} yet. Remove it: syncd channel remove {name}",
    ),
    "next.cannot_decrypt": (
        "{detail} Pakai kunci induk yang dulu dipakai, atau simpan ulang kuncinya: "
        "syncd channel set-secret {name}, lalu syncd channel connect {name}",
        "{detail} Use the master key that was used before, or store the secret again: "
        "syncd channel set-secret {name}, then syncd channel connect {name}",
    ),
    "next.not_connected": (
        "belum diberi izin oleh toko. Sambungkan: syncd channel connect {name}",
        "the shop has not authorized syncd yet. Connect: syncd channel connect {name}",
    ),
    "next.needs_reauth": (
        "izin toko dicabut atau habis ({detail}); syncd berhenti memanggil toko ini. "
        "Minta izin ulang: syncd channel connect {name}",
        "the shop's authorization was revoked or has expired ({detail}); syncd stopped calling "
        "this shop. Authorize again: syncd channel connect {name}",
    ),
    "next.failing": (
        "gagal sejak {since}: {detail}. Rincian: syncd logs --channel {name}",
        "failing since {since}: {detail}. Details: syncd logs --channel {name}",
    ),
    "next.not_reviewed": (
        "belum ada yang dikirim ke toko. Tinjau: syncd channel review {name}, "
        "lalu setujui: syncd channel accept {name}",
        "nothing is pushed to the shop yet. Review: syncd channel review {name}, "
        "then accept: syncd channel accept {name}",
    ),
    "h.state": ("Keadaan", "State"),
    "status.attention": (
        "{count} dari {total} kanal perlu perhatian (kode keluar 1).",
        "{count} of {total} channels need attention (exit code 1).",
    ),
    "status.running": (
        "Layanan sinkronisasi berjalan (pid {pid}); terakhir aktif {at}.",
        "The sync service is running (pid {pid}); last active {at}.",
    ),
    "status.not_running": (
        "Layanan sinkronisasi tidak berjalan sekarang (terakhir aktif {at}). "
        "Jalankan: syncd run (atau syncd run --once)",
        "The sync service is not running now (last active {at}). "
        "Start it: syncd run (or syncd run --once)",
    ),
    "status.no_channels": (
        "Belum ada kanal. Tambahkan: syncd channel add NAMA --marketplace shopee ...",
        "No channels yet. Add one: syncd channel add NAME --marketplace shopee ...",
    ),
    # -- review and accept --
    "review.none_bound": (
        "{name}: belum ada produk yang terhubung. Jalankan: syncd channel discover {name} "
        "(atau syncd listing bind).",
        "{name}: no listings bound yet. Run: syncd channel discover {name} "
        "(or syncd listing bind).",
    ),
    "review.same": (
        "{name}: {bound} produk terhubung; stok dan harga di toko sama dengan hitungan syncd.",
        "{name}: {bound} listings bound; the shop shows the stock and prices syncd would push.",
    ),
    "review.header": (
        "{name}: {bound} produk terhubung, {count} berbeda dari hitungan syncd "
        "(di toko → yang akan dikirim syncd):",
        "{name}: {bound} listings bound, {count} differ from syncd's numbers "
        "(shop shows → syncd would push):",
    ),
    "review.row": ("  {sku} ({item}): {changes}", "  {sku} ({item}): {changes}"),
    "review.stock": ("stok {shown} → {new}", "stock {shown} → {new}"),
    "review.price": ("harga {shown} → {new}{note}", "price {shown} → {new}{note}"),
    "review.price_kept": (
        " (harga tidak dikirim: tetap {shown_price})",
        " (price not pushed: stays {shown_price})",
    ),
    "review.unknown": ("tak diketahui", "unknown"),
    "review.waiting": (
        "Belum ada yang dikirim ke {name}. Bila benar, setujui: syncd channel accept {name} "
        "(stok saja; harga ikut hanya dengan --price-sync push).",
        "Nothing has been pushed to {name}. If this is right, accept: syncd channel accept {name} "
        "(stock only; prices too only with --price-sync push).",
    ),
    "review.accepted": (
        "Sudah disetujui ({at}): stok dikirim ke {name}; harga {prices}.",
        "Accepted ({at}): stock is pushed to {name}; prices {prices}.",
    ),
    "prices.push": ("ikut dikirim", "are pushed too"),
    "prices.off": (
        "tetap diatur di marketplace",
        "stay managed on the marketplace",
    ),
    "accept.done": (
        "{name} disetujui: stok dikirim ke sana mulai sinkronisasi berikutnya (syncd run); "
        "harga {prices}. {count} produk akan diperbarui.",
        "{name} accepted: stock is pushed there from the next sync (syncd run); prices {prices}. "
        "{count} listings will be updated.",
    ),
    "accept.prices_hint": (
        "Ubah kapan saja: syncd channel edit {name} --price-sync push|off",
        "Change it any time: syncd channel edit {name} --price-sync push|off",
    ),
    # -- add, edit, secrets, pause, remove, listings --
    "channel.shop_exists": (
        "Toko {shop} ({marketplace}) sudah terhubung sebagai kanal '{channel}' milik {tenant}. "
        "Satu toko hanya boleh satu kali (pesanannya akan memotong stok dua kali). "
        'Hapus dulu yang lama: syncd --tenant "{tenant}" channel remove {channel}',
        "Shop {shop} ({marketplace}) is already channel '{channel}' of {tenant}. A shop may be "
        "added once only (its orders would move stock twice). Remove the old one first: "
        'syncd --tenant "{tenant}" channel remove {channel}',
    ),
    "channel.missing_settings": (
        "Kanal {marketplace} butuh {flags}. Tidak ada yang disimpan; ulangi dengan opsi itu.",
        "A {marketplace} channel needs {flags}. Nothing was stored; repeat with those options.",
    ),
    "channel.unknown_setting": (
        "Kanal {marketplace} tidak mengenal pengaturan {keys}. Tidak ada yang disimpan. Yang dikenal: {known}.",
        "A {marketplace} channel has no setting {keys}. Nothing was stored. Known: {known}.",
    ),
    "channel.bad_setting": (
        "Pengaturan {option} untuk {marketplace} tidak bisa dipakai: {reason}. Tidak ada yang disimpan; ulangi dengan nilai yang benar.",
        "Setting {option} for {marketplace} cannot be used: {reason}. Nothing was stored; repeat with a right value.",
    ),
    "channel.missing_settings_edit": (
        "Kanal {name} belum punya {flags}. Perbaiki: syncd channel edit {name} {example}",
        "Channel {name} lacks {flags}. Fix it: syncd channel edit {name} {example}",
    ),
    "channel.edited": ("{name} diubah: {changes}.", "{name} changed: {changes}."),
    "channel.unchanged": ("{name}: tidak ada yang berubah.", "{name}: nothing changed."),
    "channel.next_discover": (
        "Langkah berikutnya: syncd channel discover {name} (membaca produk toko; belum mengirim apa pun)",
        "Next: syncd channel discover {name} (reads the shop's listings; sends nothing yet)",
    ),
    "channel.next_connect": (
        "Langkah berikutnya: syncd channel connect {name}",
        "Next: syncd channel connect {name}",
    ),
    "secret.saved": (
        "Kunci rahasia aplikasi {name} diganti (disimpan terenkripsi). "
        "Langkah berikutnya: syncd channel connect {name}",
        "The app secret of {name} was replaced (stored encrypted). "
        "Next: syncd channel connect {name}",
    ),
    "secret.missing": (
        "Kunci rahasia tidak diberikan. Set variabel {env}, atau jalankan di terminal supaya "
        "bisa diketik (kunci tidak pernah ditulis di baris perintah).",
        "No secret given. Set the {env} variable, or run it in a terminal to type it "
        "(a secret is never written on the command line).",
    ),
    "secret.prompt": ("Kunci rahasia aplikasi untuk {name}: ", "App secret for {name}: "),
    "channel.paused": (
        "{name} dijeda: tidak ditarik dan tidak dikirim. Lanjutkan: syncd channel resume {name}",
        "{name} paused: neither polled nor pushed. Resume: syncd channel resume {name}",
    ),
    "channel.resumed": ("{name} berjalan lagi.", "{name} resumed."),
    "remove.confirm": (
        "Hapus kanal {name}? {listings} produk terhubung dan kunci rahasianya dihapus; "
        "{orders} pesanan dan {movements} gerakan stok tetap tercatat. Ketik 'ya' untuk lanjut: ",
        "Remove channel {name}? Its {listings} bound listings and secrets go; {orders} orders "
        "and {movements} stock movements stay recorded. Type 'yes' to go on: ",
    ),
    "remove.yes": ("ya", "yes"),
    "remove.aborted": ("Tidak jadi dihapus.", "Not removed."),
    "remove.need_yes": (
        "Tidak ada terminal untuk bertanya: tambahkan --yes untuk menghapus {name}.",
        "No terminal to ask: add --yes to remove {name}.",
    ),
    "remove.done": (
        "Kanal {name} dihapus: {listings} produk dilepas. {orders} pesanan dan {movements} "
        "gerakan stok tetap tercatat atas nama {kept_as}.",
        "Channel {name} removed: {listings} listings unbound. {orders} orders and {movements} "
        "stock movements stay recorded under the name {kept_as}.",
    ),
    "listing.unbound": (
        "{sku} dilepas dari {channel} item {item}; stoknya tidak dikirim lagi ke sana.",
        "{sku} unbound from {channel} item {item}; its stock is no longer pushed there.",
    ),
    "listing.moved": (
        "{sku} di {channel} pindah dari item {old} ke {new}; kiriman yang tertahan untuk item "
        "lama dibatalkan.",
        "{sku} on {channel} moved from item {old} to {new}; pushes held for the old item "
        "were dropped.",
    ),
    "listing.unknown": (
        "{sku} tidak terhubung ke kanal {channel}. Lihat: syncd listing list",
        "{sku} is not bound to channel {channel}. See: syncd listing list",
    ),
    # -- connect --
    "connect.refused": (
        "{name}: marketplace menolak kode izin ({error}). Kode hanya berlaku sekali dan "
        "sebentar: minta tautan baru dengan syncd channel connect {name}, lalu pakai kode baru.",
        "{name}: the marketplace refused the authorization code ({error}). A code works once "
        "and briefly: get a new link with syncd channel connect {name}, then use the new code.",
    ),
    "connect.unreachable": (
        "{name}: marketplace tidak bisa dihubungi ({error}). Coba lagi sebentar lagi; "
        "periksa alamatnya: syncd channel edit {name} --base-url URL",
        "{name}: the marketplace could not be reached ({error}). Try again shortly; "
        "check its address: syncd channel edit {name} --base-url URL",
    ),
    "discover.needs_reauth": (
        "{name}: toko menolak izin syncd ({error}). Sambungkan ulang: syncd channel connect {name}",
        "{name}: the shop refused syncd's authorization ({error}). Connect again: "
        "syncd channel connect {name}",
    ),
    "discover.refused": (
        "{name}: marketplace menolak membaca produk ({error}). Periksa pengaturan: "
        "syncd channel edit {name} ...; rincian: syncd logs --channel {name}",
        "{name}: the marketplace refused to list the products ({error}). Check the settings: "
        "syncd channel edit {name} ...; details: syncd logs --channel {name}",
    ),
    "explain.price_not_sent": (
        "harga ini tidak dikirim: di {name} harga diatur di marketplace "
        "(ubah: syncd channel edit {name} --price-sync push)",
        "this price is not sent: on {name} prices are managed on the marketplace "
        "(change: syncd channel edit {name} --price-sync push)",
    ),
    "explain.not_accepted": (
        "belum ada yang dikirim ke {name}: syncd channel review {name}, lalu accept",
        "nothing is sent to {name} yet: syncd channel review {name}, then accept",
    ),
    "sale.qty_apart": (
        "Tulis jumlah dan SKU tanpa spasi: {qty}x{sku} (mis. syncd sale {qty}x{sku} "
        "--channel whatsapp). Tidak ada yang dicatat.",
        "Write the quantity and SKU together: {qty}x{sku} (e.g. syncd sale {qty}x{sku} "
        "--channel whatsapp). Nothing was recorded.",
    ),
    "import.not_found": (
        "Berkas {path} tidak ada. Periksa nama dan foldernya (contoh: examples/katalog.csv).",
        "File {path} does not exist. Check its name and folder (example: examples/katalog.csv).",
    ),
    # -- quarantine: orders set aside --
    "quarantine.detail": (
        "{count} pesanan disisihkan ({reason}); lihat: syncd quarantine list",
        "{count} orders set aside ({reason}); see: syncd quarantine list",
    ),
    "quarantine.unknown": (
        "Tidak ada pesanan tersisih nomor {id}. Lihat: syncd quarantine list",
        "No set-aside order number {id}. See: syncd quarantine list",
    ),
    "quarantine.open": ("menunggu", "open"),
    "quarantine.dismissed": (
        "Pesanan {order} di {channel} tidak dihitung lagi sebagai masalah (sudah diurus manual).",
        "Order {order} on {channel} no longer counts as a problem (handled by hand).",
    ),
    "quarantine.retry": (
        "Pesanan {order} di {channel} akan dibaca ulang pada sinkronisasi berikutnya "
        "(syncd run); pesanan lain yang ikut terbaca ulang tidak dihitung dua kali.",
        "Order {order} on {channel} is read again at the next sync (syncd run); other "
        "orders read again with it are not counted twice.",
    ),
    "quarantine.hint": (
        "Pesanan ini belum mengubah stok. syncd membacanya lagi sendiri (dua sinkron "
        "berikutnya, lalu makin jarang, paling lama tiap 6 jam). Sudah diperbaiki di "
        "marketplace? syncd quarantine retry NOMOR (baca sekarang). Sudah diurus manual "
        "(mis. syncd stock adjust)? syncd quarantine dismiss NOMOR.",
        "These orders have not moved stock. syncd reads them again on its own (the next two "
        "syncs, then less often, at least every 6 hours). Fixed on the marketplace? syncd "
        "quarantine retry ID (read now). Handled by hand (e.g. syncd stock adjust)? syncd "
        "quarantine dismiss ID.",
    ),
    "h.id": ("No", "ID"),
    "h.order": ("Pesanan", "Order"),
    "h.first_seen": ("Pertama terlihat", "First seen"),
    "h.times": ("Kali", "Times"),
    "help.quarantine": (
        "pesanan yang disisihkan karena datanya tidak masuk akal",
        "orders set aside because what the marketplace sent made no sense",
    ),
    "help.quarantine_list": ("daftar pesanan yang disisihkan", "list the orders set aside"),
    "help.quarantine_all": ("termasuk yang sudah diurus", "include the ones dismissed"),
    "help.quarantine_retry": (
        "baca ulang pesanan ini dari marketplace",
        "read this order again from the marketplace",
    ),
    "help.quarantine_dismiss": (
        "anggap pesanan ini sudah diurus manual",
        "count this order as handled by hand",
    ),
    # -- run --once --
    "run.unavailable": ("{name}: tidak bisa dimulai: {error}", "{name}: could not start: {error}"),
    "run.job_failed": ("{name}: tugas {job} gagal: {error}", "{name}: job {job} failed: {error}"),
    "run.not_accepted": (
        "Belum disetujui, jadi tidak dikirim: {names} (syncd channel review NAMA)",
        "Not accepted yet, so nothing pushed: {names} (syncd channel review NAME)",
    ),
    # -- help --
    "help.channel_review": (
        "bandingkan yang tampil di toko dengan yang akan dikirim syncd",
        "compare what the shop shows with what syncd would push",
    ),
    "help.channel_accept": (
        "setujui syncd mengirim stok (dan harga, bila dipilih) ke kanal ini",
        "accept that syncd pushes stock (and prices, if chosen) to this channel",
    ),
    "help.price_sync": (
        "harga: push = syncd mengirim harga; off = harga diatur di marketplace",
        "prices: push = syncd pushes prices; off = prices are managed on the marketplace",
    ),
    "help.channel_edit": ("ubah pengaturan kanal", "change a channel's settings"),
    "help.unset": ("hapus pengaturan KEY", "remove setting KEY"),
    "help.rename": ("nama baru kanal", "the channel's new name"),
    "help.channel_set_secret": (
        "ganti kunci rahasia aplikasi (dari variabel lingkungan atau diketik)",
        "replace the app secret (from the environment or typed)",
    ),
    "help.secret_env": (
        "variabel lingkungan berisi kunci (bawaan SYNCD_PARTNER_KEY)",
        "environment variable holding the secret (default SYNCD_PARTNER_KEY)",
    ),
    "help.channel_pause": (
        "jeda kanal: tidak ditarik, tidak dikirim",
        "pause: no polls, no pushes",
    ),
    "help.channel_resume": ("jalankan lagi kanal yang dijeda", "resume a paused channel"),
    "help.channel_remove": (
        "hapus kanal (pesanan dan gerakan stoknya tetap tercatat)",
        "remove a channel (its orders and stock movements stay recorded)",
    ),
    "help.yes": ("jangan bertanya, langsung lakukan", "do not ask, just do it"),
    "help.listing_unbind": (
        "lepas SKU dari item di kanal",
        "unbind a SKU from its item on a channel",
    ),
}
