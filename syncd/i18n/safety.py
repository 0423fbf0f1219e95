"""Seller-facing messages: safety (one daemon per database, the master key commands).

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "instance.running": (
        "syncd run sudah berjalan untuk basis data {db} (PID {pid}); hanya satu boleh "
        "berjalan. Biarkan yang itu bekerja, atau hentikan dulu (mis. sudo systemctl stop "
        "syncd, atau kill {pid}). Penandanya: {lock}.",
        "syncd run is already running on the database {db} (PID {pid}); only one may run. "
        "Let that one work, or stop it first (e.g. sudo systemctl stop syncd, or kill {pid}). "
        "Its marker: {lock}.",
    ),
    "help.masterkey": (
        "kunci induk yang mengunci rahasia toko",
        "the master key that locks the shop secrets",
    ),
    "help.masterkey_new": (
        "buat kunci induk baru di PATH (tidak pernah menimpa berkas)",
        "write a new master key to PATH (never overwrites a file)",
    ),
    "help.masterkey_where": (
        "tunjukkan kunci induk mana yang dipakai untuk basis data ini",
        "show which master key is used for this database",
    ),
    "help.masterkey_path": ("berkas kunci yang akan dibuat", "the key file to create"),
    "masterkey.created": (
        "Kunci induk baru ditulis ke {path} (hanya pemiliknya yang bisa membaca). Simpan "
        "salinannya di tempat aman, terpisah dari cadangan basis data: tanpa kunci ini rahasia "
        "toko tidak bisa dibuka.",
        "A new master key was written to {path} (readable by its owner only). Keep a copy "
        "somewhere safe, apart from the database backups: without it the shop secrets cannot "
        "be opened.",
    ),
    "masterkey.exists": (
        "{path} sudah ada; syncd tidak pernah menimpa kunci induk.",
        "{path} already exists; syncd never overwrites a master key.",
    ),
    "masterkey.where": (
        "Basis data: {db}\nKunci induk: {where}",
        "Database: {db}\nMaster key: {where}",
    ),
    "masterkey.where_env": ("variabel SYNCD_MASTER_KEY", "the SYNCD_MASTER_KEY variable"),
    "masterkey.where_missing": (
        "{path} (belum ada; dibuat saat kanal pertama disimpan)",
        "{path} (not there yet; created when the first channel is saved)",
    ),
}
