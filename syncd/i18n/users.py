"""Seller-facing messages: web users, their roles, signing in (``syncd user …``, the
login page).

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # -- refusals ------------------------------------------------------------
    "users.bad_login": (
        "Login '{login}' tidak bisa dipakai: 3–60 karakter huruf kecil, angka, titik, garis "
        "bawah atau tanda minus (a-z 0-9 . _ -), misalnya sri.dapur. Pilih login lain.",
        "Login '{login}' cannot be used: 3–60 characters of lower-case letters, digits, dots, "
        "underscores or dashes (a-z 0-9 . _ -), e.g. sri.dapur. Choose another login.",
    ),
    "users.exists": (
        "Login '{login}' sudah dipakai. Pilih login lain, atau ganti kata sandinya: "
        "syncd user passwd {login}",
        "Login '{login}' is already taken. Choose another login, or change its password: "
        "syncd user passwd {login}",
    ),
    "users.unknown": (
        "Tidak ada pengguna '{login}'. Lihat semua pengguna: syncd user list --all",
        "There is no user '{login}'. See every user: syncd user list --all",
    ),
    "users.bad_role": (
        "Peran '{role}' tidak dikenal. Pilih salah satu: {roles}.",
        "Unknown role '{role}'. Choose one of: {roles}.",
    ),
    "users.no_role": (
        "Pengguna '{login}' perlu peran di satu penjual (--role owner, staff atau cashier, "
        "dengan --tenant NAMA) atau --operator untuk operator koperasi.",
        "User '{login}' needs a role with one seller (--role owner, staff or cashier, with "
        "--tenant NAME) or --operator for a cooperative operator.",
    ),
    "users.no_tenant": (
        "Penjual nomor {tenant_id} tidak ada. Lihat daftar: syncd tenant list",
        "There is no seller number {tenant_id}. See the list: syncd tenant list",
    ),
    "users.not_member": (
        "Pengguna '{login}' tidak punya peran di penjual '{tenant}'. Lihat perannya: "
        "syncd user list --all",
        "User '{login}' has no role with seller '{tenant}'. See their roles: "
        "syncd user list --all",
    ),
    "users.no_access": (
        "Anda tidak punya akses ke penjual itu. Pilih penjual Anda sendiri, atau minta "
        "operator koperasi memberi akses.",
        "You have no access to that seller. Choose one of your own, or ask the "
        "cooperative's operator for access.",
    ),
    "users.password_short": (
        "Kata sandi terlalu pendek: paling sedikit {minimum} karakter. Pakai beberapa kata, "
        "misalnya 'nastar enak sekali'.",
        "The password is too short: at least {minimum} characters. Use a few words, e.g. "
        "'nastar enak sekali'.",
    ),
    "users.password_long": (
        "Kata sandi terlalu panjang: paling banyak {maximum} karakter.",
        "The password is too long: at most {maximum} characters.",
    ),
    "users.password_digits": (
        "Kata sandi tidak boleh hanya angka (mudah ditebak). Tambahkan huruf atau kata.",
        "The password must not be digits only (easy to guess). Add letters or words.",
    ),
    "users.password_login": (
        "Kata sandi tidak boleh sama dengan login. Pilih kata sandi lain.",
        "The password must not be the login. Choose another password.",
    ),
    "users.password_mismatch": (
        "Kedua kata sandi yang diketik tidak sama. Jalankan perintahnya lagi.",
        "The two passwords typed differ. Run the command again.",
    ),
    "users.password_how": (
        "Tidak ada terminal untuk mengetik kata sandi. Kirim lewat masukan standar, satu "
        "baris: syncd user {command} {login} --password-stdin < berkas-sandi",
        "There is no terminal to type the password on. Send it on standard input, one "
        "line: syncd user {command} {login} --password-stdin < password-file",
    ),
    "users.login_refused": (
        "Login atau kata sandi salah (atau pengguna dinonaktifkan). Periksa lalu coba lagi.",
        "Wrong login or password (or the user is disabled). Check them and try again.",
    ),
    "users.throttled": (
        "Terlalu banyak percobaan masuk yang gagal. Tunggu {minutes} menit lalu coba lagi, "
        "atau minta operator koperasi mengganti kata sandi.",
        "Too many failed sign-in attempts. Wait {minutes} minute(s) and try again, or ask "
        "the cooperative's operator to reset the password.",
    ),
    "users.session_gone": (
        "Sesi Anda sudah berakhir. Silakan masuk lagi.",
        "Your session has ended. Please sign in again.",
    ),
    # -- what the commands say -------------------------------------------------
    "users.prompt_password": ("Kata sandi untuk {login}: ", "Password for {login}: "),
    "users.prompt_again": ("Ketik ulang kata sandi: ", "Type the password again: "),
    "users.added": ("Pengguna {login} dibuat: {access}.", "User {login} added: {access}."),
    "users.password_changed": (
        "Kata sandi {login} diganti; semua sesinya di web diakhiri.",
        "Password of {login} changed; all their web sessions ended.",
    ),
    "users.removed": (
        "Pengguna {login} dihapus, bersama peran dan sesinya.",
        "User {login} removed, with their roles and sessions.",
    ),
    "users.granted": (
        "{login} sekarang {role} di penjual {tenant}.",
        "{login} is now {role} with seller {tenant}.",
    ),
    "users.revoked": (
        "{login} tidak lagi punya peran di penjual {tenant}; sesinya di sana berakhir.",
        "{login} no longer has a role with seller {tenant}; their sessions there ended.",
    ),
    "users.now_disabled": (
        "Pengguna {login} dinonaktifkan: tidak bisa masuk lagi, sesinya diakhiri. "
        "Aktifkan lagi: syncd user enable {login}",
        "User {login} disabled: they cannot sign in, their sessions ended. Enable again: "
        "syncd user enable {login}",
    ),
    "users.now_enabled": (
        "Pengguna {login} aktif lagi dan bisa masuk.",
        "User {login} is enabled again and can sign in.",
    ),
    "users.none": (
        "Belum ada pengguna web. Tambah: syncd user add LOGIN --role owner",
        "No web users yet. Add one: syncd user add LOGIN --role owner",
    ),
    "users.access_role": ("{role} di {tenant}", "{role} with {tenant}"),
    "users.operator": ("operator koperasi", "cooperative operator"),
    "users.role.owner": ("pemilik", "owner"),
    "users.role.staff": ("staf", "staff"),
    "users.role.cashier": ("kasir", "cashier"),
    "users.state.active": ("aktif", "active"),
    "users.state.disabled": ("nonaktif", "disabled"),
    "users.h.login": ("Login", "Login"),
    "users.h.role": ("Peran", "Role"),
    "users.h.access": ("Akses", "Access"),
    "history.what.user": ("pengguna", "user"),
    # -- help -----------------------------------------------------------------------
    "help.user": (
        "kelola pengguna aplikasi web (login, peran per penjual, operator koperasi)",
        "manage the web app's users (logins, roles per seller, cooperative operators)",
    ),
    "help.user_add": (
        "tambah pengguna: --role owner|staff|cashier di penjual ini (--tenant) atau "
        "--operator; kata sandi diketik dua kali atau dari --password-stdin",
        "add a user: --role owner|staff|cashier with this seller (--tenant) or --operator; "
        "the password is typed twice or read with --password-stdin",
    ),
    "help.user_list": (
        "pengguna penjual ini dan perannya",
        "this seller's users and their roles",
    ),
    "help.user_all": (
        "semua pengguna semua penjual, operator ditandai",
        "every user of every seller, operators marked",
    ),
    "help.user_passwd": (
        "ganti kata sandi pengguna (semua sesinya diakhiri)",
        "change a user's password (all their sessions end)",
    ),
    "help.user_remove": (
        "hapus pengguna beserta peran dan sesinya",
        "remove a user with their roles and sessions",
    ),
    "help.user_grant": (
        "beri pengguna peran di penjual ini (atau ubah perannya)",
        "give a user a role with this seller (or change it)",
    ),
    "help.user_revoke": (
        "cabut peran pengguna di penjual ini",
        "take away a user's role with this seller",
    ),
    "help.user_disable": (
        "nonaktifkan pengguna (tidak bisa masuk; sesinya diakhiri)",
        "disable a user (cannot sign in; their sessions end)",
    ),
    "help.user_enable": ("aktifkan lagi pengguna", "enable a user again"),
    "help.user_login": (
        "login pengguna (3–60 karakter: a-z 0-9 . _ -)",
        "the user's login (3–60 characters: a-z 0-9 . _ -)",
    ),
    "help.user_role": (
        "peran di penjual: owner (pemilik), staff (staf) atau cashier (kasir)",
        "role with the seller: owner, staff or cashier",
    ),
    "help.user_operator": (
        "operator koperasi: melihat dan mengurus semua penjual",
        "cooperative operator: sees and manages every seller",
    ),
    "help.password_stdin": (
        "baca kata sandi dari masukan standar (satu baris), bukan dari terminal",
        "read the password from standard input (one line), not from the terminal",
    ),
}
