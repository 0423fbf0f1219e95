"""Seller-facing messages: a shop's authorization running out (``syncd status``, ``logs``).

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "horizon.within": (
        "perlu izin ulang dalam {days} hari (sebelum {at}): "
        "syncd channel connect {name} menampilkan tautannya",
        "re-authorize within {days} days (before {at}): "
        "syncd channel connect {name} prints the link",
    ),
    "horizon.within_one": (
        "perlu izin ulang dalam 1 hari (sebelum {at}): "
        "syncd channel connect {name} menampilkan tautannya",
        "re-authorize within 1 day (before {at}): syncd channel connect {name} prints the link",
    ),
    "horizon.today": (
        "perlu izin ulang hari ini (sebelum {at}): "
        "syncd channel connect {name} menampilkan tautannya",
        "re-authorize today (before {at}): syncd channel connect {name} prints the link",
    ),
    # `syncd logs` (stored in English; see syncd/cli_words.py)
    "event.auth.expiring": (
        "Izin toko berakhir dalam {days} hari atau kurang. "
        "Beri izin ulang: syncd channel connect {channel} menampilkan tautannya.",
        "The shop's authorization ends in {days} day(s) or less. "
        "Re-authorize: syncd channel connect {channel} prints the link.",
    ),
}
