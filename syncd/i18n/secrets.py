"""Catalogue part: secrets (issue 13). Keys: (Indonesian, English)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "secrets.tenant_key_unreadable": (
        "Kunci data toko nomor {tenant} tidak bisa dibuka dengan kunci induk ini (kunci induk "
        "salah atau data rusak). Pakai kunci induk yang dulu dipakai database ini "
        '(master_key = "..." di berkas konfigurasi, atau SYNCD_MASTER_KEY); cek dengan: '
        "syncd key where.",
        "The data key of tenant number {tenant} cannot be opened with this master key (wrong "
        "master key or damaged data). Use the master key this database was used with "
        '(master_key = "..." in the config file, or SYNCD_MASTER_KEY); check with: '
        "syncd key where.",
    ),
    "secrets.rotated": (
        "Kunci data toko {tenant} diganti (generasi {generation}): {count} rahasia dikunci "
        "ulang dengan kunci baru.",
        "The data key of {tenant} was replaced (generation {generation}): {count} secret(s) "
        "re-sealed under the new key.",
    ),
    "help.secrets": (
        "rahasia toko yang dikunci (kunci data per toko)",
        "sealed shop secrets (a data key per tenant)",
    ),
    "help.secrets_rotate": (
        "ganti kunci data satu toko dan kunci ulang semua rahasianya (token kanal, tujuan "
        "notifikasi); toko lain tidak tersentuh",
        "replace one tenant's data key and re-seal all its secrets (channel tokens, "
        "notification targets); other tenants are untouched",
    ),
    "help.secrets_tenant": (
        "toko yang kuncinya diganti (bawaan: --tenant global, atau satu-satunya toko)",
        "the tenant whose key is replaced (default: the global --tenant, or the only tenant)",
    ),
}
