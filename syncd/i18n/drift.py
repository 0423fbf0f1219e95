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
    "explain.lock_floor": (
        "tidak di bawah kunci kampanye {locked}",
        "not below the campaign lock of {locked}",
    ),
}
