"""Screenshots of the web app's main pages, at phone (360×740) and desktop (1280×800) size.

Run by hand (not by the test suite), from the repository's root, after changing a page:

    .venv/bin/python tools/screenshots.py            # writes docs/img/<page>-<phone|desktop>.png

It builds a demo-like cooperative in a temporary folder (Bu Sri's kitchen in Blitar
with her kue kering, coffee and hampers; three more members with their shops in
different states), serves the real web app on 127.0.0.1, and drives the OS's headless
Chromium through Playwright (``apt-get install chromium``; Playwright's own browser
download is not used). Pages: login, stock list, a SKU page, the cashier page with a
few items picked, the operator's overview, and an import preview with row errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from syncd import catalog, credentials, inventory, lowstock, users  # noqa: E402
from syncd.adapter import Credentials  # noqa: E402
from syncd.config import Settings  # noqa: E402
from syncd.importer import import_file  # noqa: E402
from syncd.models import ChannelIn, MovementIn  # noqa: E402
from syncd.store import Store  # noqa: E402
from syncd.web.app import Server  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
PASSWORD = "contoh-saja-bukan-rahasia"  # noqa: S105 - a throwaway demo database

SRI_CSV = """\
sku,name,price,product,variant,components,stock
NASTAR-250,Nastar Keju,45000,NASTAR,250 g,,40
NASTAR-500,Nastar Keju,85000,NASTAR,500 g,,24
KASTENGEL-500,Kastengel Edam,90000,,,,16
PUTRI-SALJU-250,Putri Salju,40000,,,,4
LIDAH-KUCING-250,Lidah Kucing,38000,,,,30
KOPI-250,Kopi Robusta Dampit,45000,KOPI,250 g,,50
KOPI-1000,Kopi Robusta Dampit,160000,KOPI,1 kg,,3
KERIPIK-TEMPE,Keripik Tempe Blitar,15000,,,,60
SAMBAL-PECEL,Sambal Pecel Blitar,22000,,,,2
DOMPET-COKLAT,Dompet Kulit Coklat,175000,,,,1
HAMPERS-LEBARAN,Hampers Lebaran,180000,,,2xNASTAR-500 1xKOPI-250,
"""
#: what a seller's spreadsheet often looks like: a missing price, a word for a number,
#: a bundle naming a SKU that does not exist
BAD_CSV = """\
kode,nama,harga,stok
WAJIK-KLETIK,Wajik Kletik,18000,25
GETUK-PISANG,Getuk Pisang,,12
BROWNIES-TEMPE,Brownies Tempe,tiga puluh ribu,8
KUE-LUMPUR,Kue Lumpur,27500,-4
"""
OTHERS = [
    ("Kopi Pak Budi", "budi", "Kopi Arabika Kawi 250 g", "KAWI-250", 65000),
    ("Batik Bu Ratna", "ratna", "Batik Tulis Blitar", "BATIK-TULIS", 350000),
    ("Keripik Mbak Wati", "wati", "Keripik Singkong Pedas", "SINGKONG-PEDAS", 12000),
]


def _later(days: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


def _job(store: Store, tenant_id: int, channel_id: int, *, ok: bool, error: str = "") -> None:
    """What the daemon writes after a job ran (``Daemon._job_ran``)."""
    at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)
    with store.write():
        store.conn.execute(
            "INSERT INTO job_run (tenant_id, channel_account_id, job) VALUES (?, ?, 'push') "
            "ON CONFLICT (channel_account_id, job) DO NOTHING",
            (tenant_id, channel_id),
        )
        if ok:
            store.conn.execute(
                "UPDATE job_run SET last_ok = ?, runs = runs + 1 "
                "WHERE channel_account_id = ? AND job = 'push'",
                (at.isoformat(timespec="seconds"), channel_id),
            )
        else:
            store.conn.execute(
                "UPDATE job_run SET last_error = ?, failures = failures + 3, "
                "failing_since = ? WHERE channel_account_id = ? AND job = 'push'",
                (error, (at - dt.timedelta(minutes=40)).isoformat(timespec="seconds"), channel_id),
            )


def _channel(
    store: Store,
    vault: credentials.Vault,
    tenant_id: int,
    name: str,
    marketplace: str,
    *,
    state: str,
) -> None:
    """A shop in one of the states the operator sees (ok, failing, needs_reauth,
    not_reviewed, not_connected)."""
    ch = catalog.add_channel(
        store, tenant_id, ChannelIn(name=name, marketplace=marketplace, shop_id=f"{name}-1")
    )
    if state == "not_connected":
        return
    expires = _later(-2) if state == "needs_reauth" else _later(90)
    tokens = Credentials(f"demo-{name}-a", f"demo-{name}-r", _later(1), expires, expires)
    credentials.save(store, vault, tenant_id, ch.id, tokens=tokens)
    if state != "not_reviewed":
        catalog.accept_channel(store, tenant_id, name)
    if state == "ok":
        _job(store, tenant_id, ch.id, ok=True)
    elif state == "failing":
        _job(
            store,
            tenant_id,
            ch.id,
            ok=False,
            error="ShopeeError: error_server: shop sedang dalam pemeliharaan",
        )


def build(folder: Path) -> Path:
    """The demo cooperative's database, with its users (all with ``PASSWORD``)."""
    db = folder / "koperasi.db"
    store = Store(db)
    vault = credentials.Vault(credentials.load_key(db))
    sri = catalog.add_tenant(store, "Dapur Bu Sri")
    (folder / "katalog.csv").write_text(SRI_CSV, encoding="utf-8")
    import_file(store, sri.id, folder / "katalog.csv", set_stock=True, actor="bu-sri")
    lowstock.set_default(store, sri.id, 5, actor="bu-sri")
    inventory.record(
        store,
        sri.id,
        [
            MovementIn(
                sku="NASTAR-500", kind="receipt", qty=12, key="oven-1", source="cli", actor="bu-sri"
            )
        ],
    )
    for n, (lines, channel) in enumerate(
        [
            ([(2, "NASTAR-500"), (1, "KOPI-250")], "whatsapp"),
            ([(1, "NASTAR-500")], "cash"),
            ([(3, "KERIPIK-TEMPE"), (1, "NASTAR-500")], "instagram"),
            ([(1, "KASTENGEL-500")], "cash"),
        ]
    ):
        inventory.record_offline_sale(
            store, sri.id, lines, channel=channel, key=f"demo-sale-{n}", actor="bu-sri"
        )
    _channel(store, vault, sri.id, "shopee-dapursri", "shopee", state="ok")
    _channel(store, vault, sri.id, "tiktok-dapursri", "tiktok", state="needs_reauth")
    _channel(store, vault, sri.id, "lazada-dapursri", "lazada", state="not_reviewed")
    users.add_user(store, "bu.sri", PASSWORD, tenant_id=sri.id, role="owner", actor="demo")
    users.add_user(store, "kasir.sri", PASSWORD, tenant_id=sri.id, role="cashier", actor="demo")
    states = ["failing", "ok", "not_connected"]
    for (name, mark, item, code, price), state in zip(OTHERS, states, strict=True):
        tenant = catalog.add_tenant(store, name)
        (folder / f"{mark}.csv").write_text(
            f"sku,name,price,stock\n{code},{item},{price},20\n", encoding="utf-8"
        )
        import_file(store, tenant.id, folder / f"{mark}.csv", set_stock=True, actor=mark)
        _channel(store, vault, tenant.id, f"shopee-{mark}", "shopee", state=state)
        if mark == "budi":
            _channel(store, vault, tenant.id, f"tokopedia-{mark}", "tiktok", state="ok")
        users.add_user(
            store, f"owner.{mark}", PASSWORD, tenant_id=tenant.id, role="owner", actor="demo"
        )
    users.add_user(store, "op.koperasi", PASSWORD, operator=True, actor="demo")
    store.close()
    return db


class Shots:
    """The browser and the signed-in sessions the screenshots are taken with."""

    def __init__(self, browser: Any, db: Path, url: str, out: Path) -> None:
        self.browser = browser
        self.db = db
        self.url = url
        self.out = out
        self.written: list[Path] = []

    def session(self, login: str) -> str:
        store = Store(self.db, create=False)
        try:
            user = users.find_user(store, login)
            assert user is not None, login  # noqa: S101 - built above
            mine = users.memberships(store, user.id)
            token, _ = users.open_session(
                store, user, mine[0].tenant_id if mine else None, hours=12
            )
        finally:
            store.close()
        return token

    def take(self, name: str, login: str | None, act: Callable[[Any], None]) -> None:
        for size, viewport in SIZES.items():
            context = self.browser.new_context(
                viewport=viewport, base_url=self.url, locale="id-ID", service_workers="block"
            )
            context.set_default_timeout(15_000)
            try:
                if login:
                    context.add_cookies(
                        [{"name": "syncd_session", "value": self.session(login), "url": self.url}]
                    )
                page = context.new_page()
                act(page)
                page.wait_for_load_state("networkidle")
                path = self.out / f"{name}-{size}.png"
                page.screenshot(path=str(path))
                self.written.append(path)
                print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
            finally:
                context.close()


def _login(page: Any) -> None:
    page.goto("/login")
    page.fill("input[name=login]", "bu.sri")
    page.fill("input[name=password]", "xxxxxxxxxx")


def _cashier(page: Any) -> None:
    page.goto("/cashier")
    for sku, taps in (("NASTAR-500", 2), ("KOPI-250", 1), ("KERIPIK-TEMPE", 3)):
        button = page.locator(f"#items .item[data-sku='{sku}'] button.plus")
        for _ in range(taps):
            button.click()
    page.evaluate("() => window.scrollTo(0, 0)")  # the tap scrolled to the item


def _import(folder: Path) -> Callable[[Any], None]:
    bad = folder / "produk-baru.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")

    def act(page: Any) -> None:
        page.goto("/import")
        page.set_input_files("input[type=file]", str(bad))
        page.click("form.upload button.primary")
        page.wait_for_load_state()
        page.locator("table.problems").wait_for()

    return act


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--keep", action="store_true", help="keep the demo database folder")
    args = parser.parse_args(argv)
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        print("Chromium is missing: sudo apt-get install chromium", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="syncd-shots-"))
    try:
        db = build(folder)
        server = Server(db, Settings(), "127.0.0.1:0")
        server.start()
        try:
            url = f"http://127.0.0.1:{server.port}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=exe, args=CHROMIUM_ARGS, headless=True
                )
                try:
                    shots = Shots(browser, db, url, args.out)
                    shots.take("login", None, _login)
                    shots.take("stock", "bu.sri", lambda p: p.goto("/"))
                    shots.take("sku", "bu.sri", lambda p: p.goto("/sku/NASTAR-500"))
                    shots.take("cashier", "kasir.sri", _cashier)
                    shots.take("operator", "op.koperasi", lambda p: p.goto("/operator"))
                    shots.take("import", "bu.sri", _import(folder))
                finally:
                    browser.close()
        finally:
            server.stop()
    finally:
        if args.keep:
            print(f"demo database kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
