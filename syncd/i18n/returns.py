"""Seller-facing messages: buyers' returns (``syncd return``) and their line in ``status``.

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "help.return": (
        "retur pembeli: lihat, terima (stok kembali) atau catat rusak",
        "buyers' returns: list, receive (stock back) or write off as damaged",
    ),
    "help.return_list": (
        "daftar retur dan apa yang dilakukan syncd dengannya",
        "list returns and what syncd did with each",
    ),
    "help.return_open": (
        "hanya yang belum selesai (menunggu barang atau pemeriksaan)",
        "only those not settled (goods on the way or waiting for inspection)",
    ),
    "help.return_receive": (
        "barang retur pesanan ini sudah di tangan dan diperiksa: kembalikan ke stok",
        "the returned goods of this order are in hand and inspected: put them back in stock",
    ),
    "help.return_order": ("nomor pesanan di marketplace", "the marketplace's order number"),
    "help.return_damaged": (
        "barang rusak/tidak layak jual: dicatat sebagai hapus buku, stok tidak bertambah",
        "damaged or not sellable: recorded as written off, stock does not rise",
    ),
    "help.return_note": (
        "catatan singkat (mis. 'toples retak')",
        "a short note (e.g. 'jar cracked')",
    ),
    "help.return_policy": (
        "apa yang terjadi saat retur selesai: auto = langsung masuk stok, inspect = tunggu "
        "'syncd return receive'",
        "what happens when a return completes: auto = straight back to stock, inspect = wait "
        "for 'syncd return receive'",
    ),
    "help.return_policy_value": (
        "auto atau inspect (kosong: tampilkan)",
        "auto or inspect (none: show)",
    ),
    "h.return": ("Retur", "Return"),
    "h.on_market": ("Di marketplace", "On the marketplace"),
    "h.done": ("Tindakan syncd", "What syncd did"),
    "h.note": ("Catatan", "Note"),
    "h.at": ("Waktu", "When"),
    "return.state.requested": ("diajukan", "requested"),
    "return.state.received": ("barang kembali", "goods back"),
    "return.state.closed": ("ditutup", "closed"),
    "return.disp.pending": ("menunggu barang", "goods on the way"),
    "return.disp.early": ("menunggu pesanannya", "waiting for its order"),
    "return.disp.waiting": ("menunggu pemeriksaan", "waiting for inspection"),
    "return.disp.restocked": ("masuk stok", "restocked"),
    "return.disp.damaged": ("rusak, hapus buku", "damaged, written off"),
    "return.disp.none": ("tidak ada yang dikembalikan", "nothing to restock"),
    "return.none": ("Belum ada retur.", "No returns yet."),
    "return.hint": (
        "Barang sudah di tangan? syncd return receive PESANAN (atau --damaged bila rusak)",
        "Goods in hand? syncd return receive ORDER (or --damaged if not sellable)",
    ),
    "return.received": (
        "Retur pesanan {order}: {units} unit kembali ke stok.",
        "Return of order {order}: {units} unit(s) back in stock.",
    ),
    "return.written_off": (
        "Retur pesanan {order}: {units} unit dicatat rusak (stok tidak bertambah).",
        "Return of order {order}: {units} unit(s) written off as damaged (stock unchanged).",
    ),
    "return.not_ready": (
        "Pesanan {order} belum tercatat terkirim di syncd untuk: {items}. Tarik pesanan dulu "
        "(syncd run --once), lalu ulangi.",
        "Order {order} is not yet recorded as shipped in syncd for: {items}. Pull orders first "
        "(syncd run --once), then try again.",
    ),
    "return.unknown": (
        "Tidak ada retur terbuka untuk pesanan {order}. Lihat: syncd return list",
        "No open return for order {order}. See: syncd return list",
    ),
    "return.policy_is": (
        "Kebijakan retur: {policy} ({meaning})",
        "Return policy: {policy} ({meaning})",
    ),
    "return.policy.auto": (
        "retur selesai langsung masuk stok",
        "a completed return goes straight back to stock",
    ),
    "return.policy.inspect": (
        "retur selesai menunggu 'syncd return receive PESANAN' atau --damaged",
        "a completed return waits for 'syncd return receive ORDER' or --damaged",
    ),
    "return.bad_policy": (
        "Kebijakan retur harus auto atau inspect, bukan '{value}'.",
        "The return policy must be auto or inspect, not '{value}'.",
    ),
    "event.return.set_aside": (
        "Retur disisihkan, stok tidak diubah: {reason}",
        "Return set aside, stock not moved: {reason}",
    ),
    "event.return.waiting": (
        "{count} baris retur menunggu pemeriksaan: syncd return list --open",
        "{count} returned line(s) wait for inspection: syncd return list --open",
    ),
    "event.returns.pull_failed": (
        "Daftar retur belum terbaca (dicoba lagi nanti; pesanan tetap jalan): {detail}",
        "Return list not read (tried again later; orders carry on): {detail}",
    ),
    "ledger.return_reason": (
        "retur {ret} pesanan {order}",
        "return {ret} of order {order}",
    ),
    "status.returns_waiting": (
        "{count} baris retur menunggu pemeriksaan: syncd return list --open",
        "{count} returned line(s) wait for inspection: syncd return list --open",
    ),
}
