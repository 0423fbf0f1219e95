"""Seller-facing messages: tryout.

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # -- syncd simulator ----------------------------------------------------------------
    "tryout.help": (
        "jalankan toko tiruan di komputer ini untuk mencoba syncd tanpa toko sungguhan",
        "run a pretend shop on this computer to try syncd without a real shop",
    ),
    "tryout.help.marketplace": ("marketplace yang ditiru", "the marketplace to imitate"),
    "tryout.help.port": (
        "nomor port di 127.0.0.1 (bawaan: {ports})",
        "port number on 127.0.0.1 (default: {ports})",
    ),
    "tryout.bad_port": (
        "'{value}' bukan nomor port (1 sampai 65535)",
        "'{value}' is not a port number (1 to 65535)",
    ),
    "tryout.name.shopee": ("Shopee", "Shopee"),
    "tryout.name.lazada": ("Lazada", "Lazada"),
    "tryout.name.tiktok": ("TikTok Shop/Tokopedia", "TikTok Shop/Tokopedia"),
    "tryout.name.woocommerce": ("WooCommerce", "WooCommerce"),
    "tryout.name.shopify": ("Shopify", "Shopify"),
    "tryout.pretend_codeless": (
        "Toko ini hanya ada di komputer ini: tidak ada pembeli atau uang sungguhan.",
        "This shop exists only on this computer: no real buyers or money.",
    ),
    "tryout.step.connect_codeless": (
        "Sambungkan toko (tanpa tautan dan tanpa kode: syncd memeriksa kuncinya, atau meminta token dengan secret aplikasi toko):",
        "Connect the store (no link and no code: syncd checks the key, or asks for a token with the store's app secret):",
    ),
    "tryout.started": (
        "Toko tiruan {marketplace} berjalan di {url}: toko {shop_id} dengan {skus} SKU dari examples/katalog.csv (stok dan satu harga di toko sengaja sedikit berbeda).",
        "Pretend {marketplace} shop running at {url}: shop {shop_id} with {skus} SKUs from examples/katalog.csv (its stock and one price are a little off on purpose).",
    ),
    "tryout.pretend": (
        "Toko ini hanya ada di komputer ini: tidak ada pembeli dan uang sungguhan. Penjualnya sudah masuk, jadi izin langsung disetujui.",
        "This shop exists only on this computer: no real buyers or money. Its seller is already logged in, so the authorization is approved at once.",
    ),
    "tryout.steps": (
        "Di terminal lain (dengan SYNCD_DB menunjuk ke berkas data Anda, mis. export SYNCD_DB=~/coba-syncd/toko.db):",
        "In another terminal (with SYNCD_DB pointing at your data file, e.g. export SYNCD_DB=~/try-syncd/shop.db):",
    ),
    "tryout.step.catalogue": (
        "Berkas data dan katalog, bila belum ada:",
        "The data file and the catalogue, if you have none yet:",
    ),
    "tryout.step.secret": (
        "Kunci rahasia aplikasi toko ini (syncd membacanya dari {env}, tidak pernah dari baris perintah, dan menyimpannya terkunci):",
        "This shop's app secret (syncd reads it from {env}, never from the command line, and stores it encrypted):",
    ),
    "tryout.step.add": ("Tambahkan tokonya:", "Add the shop:"),
    "tryout.step.link": (
        "Minta tautan izin untuk toko:",
        "Ask for the shop's authorization link:",
    ),
    "tryout.step.approve": (
        "Buka tautan itu di peramban, atau tanpa peramban (ganti TAUTAN dengan tautannya); kodenya ada setelah code= di baris location, dan jendela ini juga mencetaknya:",
        "Open the link in a browser, or without one (replace LINK with the link); the code follows code= in the location line, and this window prints it too:",
    ),
    "tryout.word.link": ("TAUTAN", "LINK"),
    "tryout.word.code": ("KODE", "CODE"),
    "tryout.step.code": ("Kirim kodenya ke syncd:", "Give syncd the code:"),
    "tryout.step.discover": (
        "Cocokkan produk toko dengan SKU Anda:",
        "Match the shop's listings with your SKUs:",
    ),
    "tryout.stop_hint": ("Tekan Ctrl-C untuk berhenti.", "Press Ctrl-C to stop."),
    "tryout.approved": (
        "Penjual menyetujui izin. Kode (sekali pakai): {code}",
        "The seller approved the authorization. Code (single use): {code}",
    ),
    "tryout.stopped": (
        "Toko tiruan {marketplace} dihentikan.",
        "Pretend {marketplace} shop stopped.",
    ),
    "tryout.port_busy": (
        "Port {port} di 127.0.0.1 tidak bisa dipakai ({problem}). Pilih port lain dengan --port, mis. --port 8801.",
        "Port {port} on 127.0.0.1 cannot be used ({problem}). Pick another with --port, e.g. --port 8801.",
    ),
    # -- syncd explain with no shop connected -------------------------------------------
    "tryout.explain.available": (
        "  tersedia untuk dijual: {on_hand} stok − {reserved} dipesan = {available}",
        "  available to sell: {on_hand} on hand − {reserved} reserved = {available}",
    ),
    "tryout.explain.bundle_available": (
        "  tersedia untuk dijual: {available} paket",
        "  available to sell: {available} bundles",
    ),
    "tryout.explain.no_channel": (
        "Belum ada toko yang tersambung, jadi belum ada angka yang dikirim ke marketplace. Tambahkan toko: syncd channel add NAMA --marketplace shopee --shop-id ID (mau coba dulu tanpa toko sungguhan: syncd simulator shopee).",
        "No shop is connected yet, so nothing is sent to any marketplace. Add a shop: syncd channel add NAME --marketplace shopee --shop-id ID (to try first without a real shop: syncd simulator shopee).",
    ),
    "tryout.explain.not_connected": (
        "Belum tersambung, jadi belum ada yang dikirim: {names}. Sambungkan: syncd channel connect NAMA.",
        "Not connected yet, so nothing is sent: {names}. Connect: syncd channel connect NAME.",
    ),
    # -- syncd backup / restore ---------------------------------------------------------
    "backup.help": (
        "simpan salinan berkas data selagi syncd berjalan (beserta kunci rahasianya)",
        "save a copy of the data file while syncd runs (with its secret key)",
    ),
    "backup.help.dest": (
        "berkas tujuan, atau folder (nama berkas diberi tanggal dan jam)",
        "destination file, or a folder (the file name gets the date and time)",
    ),
    "backup.help.no_key": (
        "jangan salin kunci rahasia ke samping salinan (simpan sendiri kuncinya di tempat lain)",
        "do not copy the secret key next to the copy (keep the key elsewhere yourself)",
    ),
    "backup.done": (
        "Salinan tersimpan: {path} ({movements} catatan stok, {channels} toko, {size}). Salinan sudah diperiksa utuh.",
        "Copy saved: {path} ({movements} stock records, {channels} shops, {size}). The copy was checked and is intact.",
    ),
    "backup.key_copied": (
        "Kunci rahasia disalin ke {path}. Tanpa kunci itu, kunci aplikasi dan izin toko di salinan tidak bisa dibuka: simpan keduanya bersama, di tempat yang hanya bisa Anda buka.",
        "Secret key copied to {path}. Without it the app secrets and shop authorizations in the copy cannot be opened: keep both together, somewhere only you can open.",
    ),
    "backup.key_not_copied": (
        "Kunci rahasia TIDAK disalin (--no-key). Kuncinya ada di {where}; simpan juga, karena tanpa kunci itu kunci aplikasi dan izin toko di salinan tidak bisa dibuka.",
        "The secret key was NOT copied (--no-key). It is in {where}; back it up too, because without it the app secrets and shop authorizations in the copy cannot be opened.",
    ),
    "backup.key_unreadable": (
        "Kunci rahasia di {where} tidak bisa dibaca oleh pengguna ini, jadi TIDAK disalin (berkas data sudah tersimpan). Jalankan sebagai pengguna layanan (mis. sudo -u syncd syncd backup ...) atau simpan kunci itu sendiri.",
        "The secret key in {where} cannot be read by this user, so it was NOT copied (the data file was saved). Run as the service user (e.g. sudo -u syncd syncd backup ...) or back the key up yourself.",
    ),
    "backup.no_key": (
        "Belum ada kunci rahasia (belum ada toko yang menyimpan rahasia), jadi hanya berkas data yang disalin.",
        "There is no secret key yet (no shop has stored secrets), so only the data file was copied.",
    ),
    "backup.key.env": ("variabel lingkungan {name}", "the environment variable {name}"),
    "backup.missing": (
        "Tidak ada berkas data di {path}. Periksa --db / SYNCD_DB / database di syncd.toml.",
        "There is no data file at {path}. Check --db / SYNCD_DB / database in syncd.toml.",
    ),
    "backup.same_file": (
        "Tujuan salinan {path} adalah berkas data itu sendiri. Pilih berkas atau folder lain.",
        "The backup destination {path} is the data file itself. Pick another file or folder.",
    ),
    "backup.dest_not_syncd": (
        "{path} sudah ada dan bukan salinan syncd; tidak ditimpa. Pilih nama lain.",
        "{path} already exists and is not a syncd copy; it was not overwritten. Pick another name.",
    ),
    "backup.dest_dir_missing": (
        "Folder {path} tidak ada. Buat dulu (mkdir -p {path}) atau pilih folder lain.",
        "The folder {path} does not exist. Create it first (mkdir -p {path}) or pick another folder.",
    ),
    "backup.failed": (
        "Salinan gagal diperiksa ({problem}); tidak ada yang disimpan. Jalankan syncd check pada berkas data.",
        "The copy failed its check ({problem}); nothing was saved. Run syncd check on the data file.",
    ),
    "restore.help": (
        "kembalikan berkas data dari salinan syncd backup (beserta kuncinya)",
        "bring the data file back from a syncd backup copy (with its key)",
    ),
    "restore.help.src": ("salinan yang dibuat syncd backup", "the copy syncd backup made"),
    "restore.help.yes": (
        "ganti berkas data yang sudah ada (yang lama disimpan dulu di sampingnya)",
        "replace the existing data file (the old one is kept beside it first)",
    ),
    "restore.src_missing": (
        "Salinan {path} tidak ada. Periksa nama berkasnya.",
        "The copy {path} does not exist. Check the file name.",
    ),
    "restore.not_syncd": (
        "{path} bukan salinan syncd ({problem}); tidak ada yang diubah.",
        "{path} is not a syncd copy ({problem}); nothing was changed.",
    ),
    "restore.damaged": (
        "Salinan {path} rusak ({problem}); tidak ada yang diubah. Pakai salinan lain.",
        "The copy {path} is damaged ({problem}); nothing was changed. Use another copy.",
    ),
    "restore.too_new": (
        "Salinan {path} dibuat oleh syncd yang lebih baru (versi data {found}, syncd ini paham sampai {supported}). Perbarui syncd dulu.",
        "The copy {path} was made by a newer syncd (data version {found}; this syncd understands up to {supported}). Update syncd first.",
    ),
    "restore.exists": (
        "Sudah ada berkas data di {path}; tidak ditimpa. Bila memang ingin menggantinya dengan salinan, ulangi dengan --yes (yang lama disimpan dulu di sampingnya).",
        "There is already a data file at {path}; it was not overwritten. To replace it with the copy, repeat with --yes (the old one is kept beside it first).",
    ),
    "restore.running": (
        "syncd run sedang memakai {path} (PID {pid}). Hentikan dulu (mis. sudo systemctl stop syncd, atau Ctrl-C), lalu ulangi.",
        "syncd run is using {path} (PID {pid}). Stop it first (e.g. sudo systemctl stop syncd, or Ctrl-C), then repeat.",
    ),
    "restore.leftover": (
        "Ada sisa berkas {path} tanpa berkas datanya. Pindahkan sisa itu ke tempat lain dulu, lalu ulangi.",
        "There is a leftover {path} without its data file. Move it somewhere else first, then repeat.",
    ),
    "restore.key_mismatch": (
        "Kunci rahasia di {key} tidak cocok dengan salinan {path}: rahasia toko di dalamnya tidak bisa dibuka. Pakai kunci yang dibuat bersama salinan itu; tidak ada yang diubah.",
        "The secret key in {key} does not fit the copy {path}: the shop secrets in it cannot be opened. Use the key made with that copy; nothing was changed.",
    ),
    "restore.key_elsewhere": (
        "Kunci rahasia syncd ini ada di {where} dan berbeda dengan kunci salinan ({key}). Ganti isinya dengan isi {key}, atau rahasia toko tidak bisa dibuka; tidak ada yang diubah.",
        "This syncd's secret key is in {where} and differs from the copy's key ({key}). Replace its content with the content of {key}, or the shop secrets cannot be opened; nothing was changed.",
    ),
    "restore.key_unreadable": (
        "Kunci rahasia di {where} tidak bisa dibaca oleh pengguna ini. Jalankan sebagai pengguna layanan (mis. sudo -u syncd syncd restore ...); tidak ada yang diubah.",
        "The secret key in {where} cannot be read by this user. Run as the service user (e.g. sudo -u syncd syncd restore ...); nothing was changed.",
    ),
    "restore.no_key": (
        "Peringatan: tidak ada kunci rahasia di samping salinan ({key}). Toko yang tersimpan perlu kunci aplikasinya lagi (syncd channel set-secret) dan disambungkan ulang (syncd channel connect).",
        "Warning: there is no secret key next to the copy ({key}). The stored shops need their app secret again (syncd channel set-secret) and a new connection (syncd channel connect).",
    ),
    "restore.done": (
        "Berkas data {path} dikembalikan dari {src} ({movements} catatan stok, {channels} toko). Periksa: syncd check",
        "Data file {path} restored from {src} ({movements} stock records, {channels} shops). Check it: syncd check",
    ),
    "restore.kept_old": (
        "Berkas data sebelumnya disimpan sebagai {path}.",
        "The previous data file was kept as {path}.",
    ),
    "restore.key_restored": (
        "Kunci rahasia dikembalikan ke {path}.",
        "Secret key restored to {path}.",
    ),
    "restore.key_same": (
        "Kunci rahasia di {where} sudah cocok dengan salinan.",
        "The secret key in {where} already fits the copy.",
    ),
    "tryout.step.accept": (
        "Setujui syncd mengirim stok ke toko ini (harga tetap milik toko), lalu sinkronkan:",
        "Accept that syncd pushes stock to this shop (prices stay the shop's), then sync:",
    ),
    "tryout.step.sale": (
        "Catat penjualan WhatsApp dan lihat toko ikut berubah:",
        "Record a WhatsApp sale and watch the shop follow:",
    ),
    "tryout.watch": (
        "Setiap kali stok yang tampil di toko berubah, jendela ini mencetak satu baris.",
        "Each time the stock the shop shows changes, this window prints one line.",
    ),
    "tryout.shown": (
        "  toko: barang {item} sekarang tampil stok {shown}",
        "  shop: item {item} now shows stock {shown}",
    ),
}
