"""Seller- and operator-facing messages: parked pushes (``syncd outbox``), the change
history (``syncd history``), the chain view of ``syncd logs``, retention.

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "help.outbox": (
        "nilai yang berhenti dikirim (ditolak marketplace atau gagal terus): lihat, "
        "coba lagi (retry) atau lepaskan (drop)",
        "values syncd stopped sending (refused, or failing too often): list, retry or drop",
    ),
    "help.outbox_parked": ("hanya yang diparkir (bawaan)", "only parked values (the default)"),
    "help.outbox_retry": ("kirim lagi sekarang", "send again now"),
    "help.outbox_drop": (
        "lepaskan: tidak dikirim lagi sampai nilainya berubah",
        "give up: not sent again until the value changes",
    ),
    "help.outbox_ids": ("nomor di daftar 'syncd outbox'", "the number in 'syncd outbox'"),
    "help.outbox_all": ("semua yang diparkir", "every parked value"),
    "help.history": (
        "riwayat perubahan aturan, ikatan listing, pengaturan kanal dan kebijakan (siapa, "
        "kapan, dari → ke)",
        "history of changes to rules, bindings, channel settings and policies (who, when, "
        "old → new)",
    ),
    "help.events": ("catatan kejadian", "the event log"),
    "help.events_prune": (
        "hapus kejadian dan log kiriman yang lebih tua dari masa simpan",
        "delete events and push log rows older than the retention period",
    ),
    "help.prune_days": (
        "masa simpan dalam hari (bawaan: retention_days di syncd.toml, 90)",
        "retention in days (default: retention_days in syncd.toml, 90)",
    ),
    "help.log_order": (
        "rantai satu pesanan: pesanan → mutasi stok → kiriman → jawaban",
        "one order's chain: order → movement → push → answer",
    ),
    "help.log_correlation": (
        "rantai satu id korelasi (mis. ord:1:2412AB)",
        "one correlation id's chain (e.g. ord:1:2412AB)",
    ),
    "h.field": ("Data", "Field"),
    "h.value": ("Nilai", "Value"),
    "h.tries": ("Coba", "Tries"),
    "h.who": ("Oleh", "By"),
    "h.what": ("Apa", "What"),
    "h.subject": ("Untuk", "Of"),
    "h.change": ("Perubahan", "Change"),
    "h.step": ("Langkah", "Step"),
    "h.detail": ("Rincian", "Detail"),
    "outbox.none_parked": ("Tidak ada kiriman yang diparkir.", "No parked pushes."),
    "outbox.hint": (
        "Kirim lagi: syncd outbox retry NO (atau --all); lepaskan: syncd outbox drop NO",
        "Send again: syncd outbox retry ID (or --all); give up: syncd outbox drop ID",
    ),
    "outbox.which": (
        "Sebutkan nomor kiriman (lihat syncd outbox) atau --all, tidak keduanya.",
        "Name the push numbers (see syncd outbox) or --all, not both.",
    ),
    "outbox.unknown": (
        "Tidak ada kiriman diparkir bernomor {ids} ({done} lainnya sudah diproses). "
        "Lihat: syncd outbox",
        "No parked push numbered {ids} ({done} others done). See: syncd outbox",
    ),
    "outbox.retry_done": (
        "{count} kiriman akan dicoba lagi.",
        "{count} push(es) will be tried again.",
    ),
    "outbox.drop_done": (
        "{count} kiriman dilepaskan (dikirim lagi bila nilainya berubah).",
        "{count} push(es) dropped (sent again when the value changes).",
    ),
    "history.none": ("Belum ada perubahan tercatat.", "No changes recorded yet."),
    "history.set": ("(baru) {new}", "(new) {new}"),
    "history.removed": ("{old} (dihapus)", "{old} (removed)"),
    "history.what.rule": ("aturan", "rule"),
    "history.what.binding": ("ikatan", "binding"),
    "history.what.channel": ("kanal", "channel"),
    "history.what.policy": ("kebijakan", "policy"),
    "events.pruned": (
        "Dihapus: {events} kejadian dan {pushes} log kiriman lebih tua dari {days} hari.",
        "Deleted: {events} events and {pushes} push log rows older than {days} days.",
    ),
    "events.bad_days": (
        "Masa simpan harus minimal 1 hari, bukan {days}.",
        "The retention must be at least 1 day, not {days}.",
    ),
    "chain.order": ("pesanan", "order"),
    "chain.movement": ("mutasi", "movement"),
    "chain.push": ("kirim", "push"),
    "chain.event": ("kejadian", "event"),
    "chain.none": (
        "Tidak ada yang tercatat untuk itu (dalam masa simpan).",
        "Nothing recorded for that (within the retention period).",
    ),
    "event.outbox.retry": (
        "{field} {value} untuk {sku} dicoba lagi oleh {actor}",
        "{field} {value} for {sku} retried by {actor}",
    ),
    "event.outbox.drop": (
        "{field} {value} untuk {sku} dilepaskan oleh {actor} ({error})",
        "{field} {value} for {sku} dropped by {actor} ({error})",
    ),
}
