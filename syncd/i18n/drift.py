"""Seller-facing messages: campaign locks (``explain``) and drift between what a
marketplace shows and what syncd sent (``syncd drift``, the reconcile job).

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "explain.lock": (
        "kunci kampanye {locked} ({reason}): tidak pernah dikirim di bawahnya",
        "campaign lock {locked} ({reason}): never sent below it",
    ),
    "explain.lock_until": (
        "kunci kampanye {locked} sampai {until} ({reason}): tidak dikirim di bawahnya",
        "campaign lock {locked} until {until} ends ({reason}): never sent below it",
    ),
    "explain.lock_campaign": ("kampanye", "campaign"),
    "explain.lock_elsewhere": (
        "{locked} unit dikunci kampanye di {channel}: tidak ditampilkan di sini",
        "{locked} unit(s) locked by a campaign on {channel}: not shown here",
    ),
    "event.push.locked": (
        "Stok {value} tidak dikirim: dikunci kampanye (kunci {lock}; {reason}). Dilewati, "
        "bukan gagal; dikirim lagi bila nilainya berubah.",
        "Stock {value} not sent: locked by a campaign (lock {lock}; {reason}). Skipped, "
        "not failed; sent again when the value changes.",
    ),
    "help.reconcile": (
        "baca lagi stok yang ditampilkan tiap toko sekarang dan jelaskan setiap selisih "
        "(layanan melakukannya tiap 30 menit)",
        "read back what every shop shows now and explain each difference (the service "
        "does it every 30 minutes)",
    ),
    "help.drift": (
        "selisih antara yang ditampilkan marketplace dan yang dikirim syncd, dengan "
        "golongannya dan tindakannya",
        "differences between what a marketplace shows and what syncd sent, with their "
        "class and the action taken",
    ),
    "help.drift_policy": (
        "bila stok diubah tangan di marketplace: syncd (nilai syncd dikirim lagi), count "
        "(jadi hitungan stok), ask (tanya penjual)",
        "when stock is edited by hand on a marketplace: syncd (syncd's value is sent "
        "again), count (it becomes a stock count), ask (ask the seller)",
    ),
    "help.drift_policy_value": (
        "syncd, count atau ask (kosong: tampilkan)",
        "syncd, count or ask (none: show)",
    ),
    "h.shown": ("Tampil", "Shows"),
    "h.sent": ("Dikirim", "Sent"),
    "h.desired": ("Seharusnya", "Should"),
    "h.class": ("Golongan", "Class"),
    "h.action": ("Tindakan", "Action"),
    "drift.class.in_flight": ("sedang dikirim", "in flight"),
    "drift.class.unpulled_sale": ("penjualan belum ditarik", "sale not yet pulled"),
    "drift.class.edited": ("diubah di marketplace", "edited on the marketplace"),
    "drift.class.lock": ("kunci kampanye", "campaign lock"),
    "drift.class.unknown": ("tidak diketahui", "unknown"),
    "drift.line": (
        "{sku} ({item}): tampil {shown}, dikirim {sent}, seharusnya {desired}: {cls}; {action}",
        "{sku} ({item}): shows {shown}, sent {sent}, should {desired}: {cls}; {action}",
    ),
    "drift.action.resent": ("nilai syncd {value} dikirim lagi", "syncd's value {value} sent again"),
    "drift.action.counted": ("dihitung sebagai stok: {value}", "counted as stock: {value}"),
    "drift.action.asked": ("menunggu keputusan penjual", "waiting for the seller"),
    "drift.action.pulled": ("pesanan ditarik", "orders pulled"),
    "drift.action.wait_push": ("menunggu kiriman", "waiting for the push"),
    "drift.action.wait_lock": ("menunggu kampanye selesai", "waiting for the campaign to end"),
    "drift.action.gone": (
        "dilaporkan: tidak ada di marketplace",
        "reported: not on the marketplace",
    ),
    "drift.none": ("Tidak ada selisih tercatat.", "No differences recorded."),
    "drift.policy_is": (
        "Kebijakan selisih: {policy} ({meaning})",
        "Drift policy: {policy} ({meaning})",
    ),
    "drift.policy.syncd": (
        "ubahan tangan di marketplace ditimpa: nilai syncd dikirim lagi",
        "a hand edit on a marketplace is overwritten: syncd's value is sent again",
    ),
    "drift.policy.count": (
        "ubahan tangan di marketplace menjadi hitungan stok di buku stok",
        "a hand edit on a marketplace becomes a stock count in the ledger",
    ),
    "drift.policy.ask": (
        "ubahan tangan di marketplace dilaporkan dan dibiarkan sampai penjual memutuskan",
        "a hand edit on a marketplace is reported and left for the seller to decide",
    ),
    "drift.bad_policy": (
        "Kebijakan selisih harus syncd, count atau ask, bukan '{value}'.",
        "The drift policy must be syncd, count or ask, not '{value}'.",
    ),
    "reconcile.done": (
        "{name}: {listings} listing dibaca, {same} sesuai, {differences} selisih.",
        "{name}: {listings} listings read, {same} as they should be, {differences} differences.",
    ),
    "reconcile.nothing": (
        "Belum ada kanal yang menerima kiriman stok (syncd channel accept NAMA).",
        "No channel receives stock pushes yet (syncd channel accept NAME).",
    ),
    "reconcile.not_pushed": (
        "Kanal {name} belum menerima kiriman stok (syncd channel accept {name}), jadi "
        "tidak ada yang dibandingkan.",
        "Channel {name} does not receive stock pushes yet (syncd channel accept {name}), so "
        "there is nothing to compare.",
    ),
    "event.drift.edited": (
        "Tampil {shown} di marketplace (diubah tangan), syncd mengirim {sent}: {action}",
        "Shows {shown} on the marketplace (edited by hand), syncd sent {sent}: {action}",
    ),
    "demo.return": (
        "  ↩ Pembeli mengembalikan 1 barang pesanan {order} di {channel}; Bu Sri "
        "me-refund-nya dengan 'restock'.",
        "  ↩ A buyer sends back 1 unit of order {order} on {channel}; Bu Sri refunds it "
        "with 'restock'.",
    ),
    "demo.hand_edit": (
        "  ✎ Seseorang mengetik stok {sku} = {value} langsung di admin {channel} (bukan "
        "lewat syncd).",
        "  ✎ Someone types {sku} stock = {value} straight into {channel}'s admin (not "
        "through syncd).",
    ),
    "demo.returns_head": (
        "Retur ({count}), seperti syncd return list:",
        "Returns ({count}), as syncd return list shows them:",
    ),
    "demo.return_line": (
        "{channel} pesanan {order}: {qty} × {item} → {done}",
        "{channel} order {order}: {qty} × {item} → {done}",
    ),
    "demo.drift_head": (
        "Selisih yang ditemukan pencocokan (syncd drift): {edited} diubah di marketplace, "
        "{unpulled_sale} penjualan belum ditarik, {in_flight} sedang dikirim, {lock} kunci, "
        "{unknown} tidak diketahui:",
        "Differences found by reconciliation (syncd drift): {edited} edited on the "
        "marketplace, {unpulled_sale} sales not yet pulled, {in_flight} in flight, {lock} "
        "locks, {unknown} unknown:",
    ),
    "explain.lock_floor": (
        "tidak di bawah kunci kampanye {locked}",
        "not below the campaign lock of {locked}",
    ),
}
