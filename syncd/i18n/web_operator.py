"""Catalogue part: web_operator pages (issue 13). Keys: (Indonesian, English)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # -- the operator's menu and page titles ------------------------------------------------
    "web.op.nav": ("Menu operator", "Operator menu"),
    "web.op.nav.overview": ("Ringkasan", "Overview"),
    "web.op.nav.log": ("Log sinkron", "Sync log"),
    "web.op.nav.drift": ("Selisih", "Drift"),
    "web.op.nav.outbox": ("Kiriman diparkir", "Parked pushes"),
    "web.op.nav.members": ("Anggota & pengguna", "Members & users"),
    "web.op.title.overview": ("Kanal semua anggota", "Every member's channels"),
    "web.op.title.log": ("Log sinkronisasi", "Sync log"),
    "web.op.title.drift": ("Selisih di marketplace", "Differences on the marketplaces"),
    "web.op.title.outbox": ("Kiriman yang diparkir", "Parked pushes"),
    "web.op.title.members": ("Anggota dan pengguna", "Members and users"),
    # -- filters -------------------------------------------------------------------------
    "web.op.member": ("Anggota", "Member"),
    "web.op.all_members": ("Semua anggota", "All members"),
    "web.op.any_state": ("Semua keadaan", "Any state"),
    "web.op.any_level": ("Semua tingkat", "Any level"),
    "web.op.level_up": ("{level} ke atas", "{level} and above"),
    "web.op.since_label": ("Sejak (2h, 1d, 2026-12-01)", "Since (2h, 1d, 2026-12-01)"),
    "web.op.correlation": ("ID korelasi", "Correlation id"),
    "web.op.limit": ("Paling banyak", "At most"),
    "web.op.filter": ("Tampilkan", "Show"),
    "web.op.clear": ("Hapus saringan", "Clear the filters"),
    # -- the overview ----------------------------------------------------------------------
    "web.op.counts": ("Jumlah kanal per keadaan", "Channels per state"),
    "web.op.total": ("{count} kanal", "{count} channel(s)"),
    "web.op.h.backlog": ("Antre", "Backlog"),
    "web.op.h.oldest": ("Antre paling lama", "Oldest pending"),
    "web.op.h.parked": ("Diparkir", "Parked"),
    "web.op.h.last_sync": ("Sinkron terakhir ({zone})", "Last sync ({zone})"),
    "web.op.h.last_error": ("Kesalahan terakhir", "Last error"),
    "web.op.since": ("sejak {when}", "since {when}"),
    "web.op.see_log": ("lihat log", "see the log"),
    "web.op.no_channels": (
        "Belum ada kanal marketplace di anggota mana pun (atau tidak ada yang cocok dengan saringan).",
        "No marketplace channel with any member yet (or none matches the filters).",
    ),
    "web.op.refreshes": (
        "Ringkasan ini diperbarui sendiri setiap 10 detik; memuat ulang halaman menampilkan hal yang sama.",
        "This overview refreshes itself every 10 seconds; reloading the page shows the same.",
    ),
    "web.op.as_of": ("Keadaan pada {when}", "As of {when}"),
    "web.op.age.seconds": ("{n} dtk", "{n} s"),
    "web.op.age.minutes": ("{n} mnt", "{n} min"),
    "web.op.age.hours": ("{n} jam", "{n} h"),
    "web.op.age.days": ("{n} hari", "{n} d"),
    # -- the log -------------------------------------------------------------------------------
    "web.op.chain_of": (
        "Rantainya, urut waktu: pesanan → mutasi stok → kiriman → jawaban marketplace.",
        "The chain, in time order: order → stock movement → push → the marketplace's answer.",
    ),
    "web.op.no_events": ("Tidak ada kejadian yang cocok dengan saringan.", "No event matches the filters."),
    # -- parked pushes -------------------------------------------------------------------------
    "web.op.retry": ("Kirim lagi", "Try again"),
    "web.op.drop": ("Lepaskan", "Give up"),
    "web.op.drop_confirm": (
        "Lepaskan kiriman ini? Nilainya baru dikirim lagi bila berubah.",
        "Give up on this push? Its value is sent again only when it changes.",
    ),
    "web.op.outbox_gone": (
        "Kiriman itu sudah tidak diparkir (sudah dicoba lagi atau dilepaskan). Daftar di bawah adalah keadaan sekarang.",
        "That push is no longer parked (already retried or given up). The list below is how things are now.",
    ),
    # -- members and users -----------------------------------------------------------------------
    "web.op.add_member": ("Tambah anggota", "Add a member"),
    "web.op.member_name": ("Nama anggota (toko)", "Member (shop) name"),
    "web.op.add": ("Tambah", "Add"),
    "web.op.add_user": ("Tambah pengguna", "Add a user"),
    "web.op.password_new": ("Kata sandi baru", "New password"),
    "web.op.password_again": ("Ketik ulang kata sandi", "Type the password again"),
    "web.op.password_hint": (
        "Minimal 10 karakter, bukan angka saja dan bukan loginnya. Tidak ditampilkan lagi setelah disimpan: sampaikan langsung ke penggunanya.",
        "At least 10 characters, not only digits and not the login. It is never shown again once saved: tell the user yourself.",
    ),
    "web.op.no_member": ("— tanpa anggota (hanya operator) —", "— no member (operator only) —"),
    "web.op.is_operator": ("Operator koperasi (melihat semua anggota)", "Cooperative operator (sees every member)"),
    "web.op.grant_title": ("Beri pengguna yang sudah ada peran di anggota", "Give an existing user a role with a member"),
    "web.op.grant": ("Beri peran", "Give the role"),
    "web.op.manage": ("Kelola", "Manage"),
    "web.op.change_role": ("Ganti peran", "Change the role"),
    "web.op.revoke": ("Cabut peran di {tenant}", "Revoke the role with {tenant}"),
    "web.op.revoke_confirm": (
        "Cabut peran {login} di {tenant}? Sesinya di sana langsung berakhir.",
        "Revoke the role of {login} with {tenant}? Their sessions there end at once.",
    ),
    "web.op.reset_password": ("Atur ulang kata sandi", "Reset the password"),
    "web.op.disable": ("Nonaktifkan", "Disable"),
    "web.op.enable": ("Aktifkan lagi", "Enable again"),
    "web.op.remove": ("Hapus pengguna", "Remove the user"),
    "web.op.remove_confirm": (
        "Hapus {login} beserta semua peran dan sesinya?",
        "Remove {login} with all their roles and sessions?",
    ),
    "web.op.id": ("no. {id}", "no. {id}"),
    "web.op.no_users": (
        "Belum ada pengguna di anggota ini: tambahkan di atas.",
        "No users with this member yet: add one above.",
    ),
    "web.op.no_members": (
        "Belum ada anggota: tambahkan di atas.",
        "No members yet: add one above.",
    ),
    "web.op.loose": ("Operator dan pengguna tanpa peran", "Operators and users without a role"),
    "web.op.not_self": (
        "Anda tidak bisa menonaktifkan atau menghapus akun Anda sendiri ({login}): minta operator lain melakukannya.",
        "You cannot disable or remove your own account ({login}): ask another operator to do it.",
    ),
    "web.op.no_role": (
        "Pengguna '{login}' perlu peran di satu anggota (pilih anggota dan peran) atau dicentang sebagai operator koperasi.",
        "User '{login}' needs a role with one member (choose the member and the role) or to be ticked as a cooperative operator.",
    ),
    "web.op.password_mismatch": (
        "Kedua kata sandi yang diketik tidak sama: ketik keduanya lagi.",
        "The two passwords typed differ: type both again.",
    ),
    "history.what.tenant": ("penjual", "seller"),
    "web.op.done.member_added": ("Anggota ditambahkan.", "Member added."),
    "web.op.done.user_added": ("Pengguna dibuat: ia bisa masuk sekarang.", "User added: they can sign in now."),
    "web.op.done.granted": ("Peran disimpan.", "Role saved."),
    "web.op.done.revoked": (
        "Peran dicabut; sesinya di anggota itu berakhir.",
        "Role revoked; their sessions with that member ended.",
    ),
    "web.op.done.password": (
        "Kata sandi diganti; semua sesi pengguna itu diakhiri.",
        "Password changed; all of that user's sessions ended.",
    ),
    "web.op.done.disabled": (
        "Pengguna dinonaktifkan: tidak bisa masuk lagi, sesinya diakhiri.",
        "User disabled: they cannot sign in, their sessions ended.",
    ),
    "web.op.done.enabled": ("Pengguna aktif lagi dan bisa masuk.", "User enabled again: they can sign in."),
    "web.op.done.removed": (
        "Pengguna dihapus, bersama peran dan sesinya.",
        "User removed, with their roles and sessions.",
    ),
}
