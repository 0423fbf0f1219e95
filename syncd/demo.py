"""``syncd demo``: the whole loop on local marketplace simulators, no accounts, no internet.

A home kitchen in Blitar (kue kering, kopi, a leather wallet, a Lebaran hamper)
sells on Shopee, TikTok Shop/Tokopedia and Lazada, in its own WooCommerce store
("toko-web": nastar as one variable product with a variation per size, the rest
simple products), on WhatsApp and at the door. The demo starts the four simulators
on 127.0.0.1 (``syncd.market``), seeds the catalogue, connects each shop through its
real authorization flow (the WooCommerce store by its REST key, checked with one
call), lets discovery bind the listings by SKU, runs the daemon, and lets simulated
buyers order and cancel on every channel while Bu Sri records WhatsApp sales and
bakes a new batch. At the end it waits for the system to settle, prints master vs
each channel, and one last line:

    RESULT orders=<n> cancelled=<n> oversold=<n> mismatched_listings=<n>

``Market``/``start_market``/``seed_seller``/``buyers``/``shown``/``settled`` below are
the older two-shop Shopee market that ``tests/test_e2e.py`` drives.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from syncd import catalog, credentials, inventory, ledger, sync
from syncd.errors import UserError
from syncd.i18n import t
from syncd.importer import import_file
from syncd.models import ChannelIn, MovementIn
from syncd.store import Store

CATALOGUE_CSV = """\
sku,name,price,product,variant,components,stock
NASTAR-250,Nastar Keju,45000,NASTAR,250 g,,40
NASTAR-500,Nastar Keju,85000,NASTAR,500 g,,24
KASTENGEL-500,Kastengel,90000,,,,16
KOPI-250,Kopi Robusta Dampit,45000,KOPI,250 g,,50
KOPI-1000,Kopi Robusta Dampit,160000,KOPI,1 kg,,8
DOMPET-COKLAT,Dompet Kulit Coklat,175000,,,,1
HAMPERS-LEBARAN,Hampers Lebaran,180000,,,2xNASTAR-500 1xKOPI-250,
"""

#: (item name, [(model id, SKU)] or SKU of an item without variants)
SHOP_ITEMS: list[tuple[str, list[tuple[int, str]] | str]] = [
    ("Nastar Keju", [(1, "NASTAR-250"), (2, "NASTAR-500")]),
    ("Kastengel", "KASTENGEL-500"),
    ("Kopi Robusta Dampit", [(1, "KOPI-250"), (2, "KOPI-1000")]),
    ("Dompet Kulit Coklat", "DOMPET-COKLAT"),
    ("Hampers Lebaran", "HAMPERS-LEBARAN"),
]
SHOPS = {"shopee": 220011, "shopee-2": 220012}
PARTNER_KEY = "shpk_demo_partner_key_0123456789"  # the simulator's made-up key
WATCH = ("NASTAR-500", "KOPI-1000", "HAMPERS-LEBARAN", "DOMPET-COKLAT")


@dataclass
class Market:
    """The simulator, what is listed where, and what the buyers did."""

    sim: Any
    listings: list[tuple[str, int, int, int]] = field(
        default_factory=list
    )  # name, shop, item, model
    placed: int = 0
    cancelled: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def start_market(seed: int, *, latency: float = 0.02, jitter: float = 0.01) -> Market:
    """Start the Shopee simulator with both shops and their items (stale stock on purpose)."""
    from adapters.shopee.simulator import ShopeeSimulator  # noqa: PLC0415

    sim = ShopeeSimulator(partner_key=PARTNER_KEY, latency=latency, jitter=jitter).start()
    market = Market(sim)
    rng = random.Random(seed)  # noqa: S311 - a demo's buyers, not security
    for name, shop in SHOPS.items():
        sim.add_shop(shop)
        for n, (title, spec) in enumerate(SHOP_ITEMS, start=1):
            item = shop * 100 + n
            if isinstance(spec, str):
                sim.add_item(shop, item, title, sku=spec, price=1, stock=rng.randint(20, 60))
                market.listings.append((name, shop, item, 0))
            else:
                sim.add_item(
                    shop, item, title, models=[(m, sku, 1, rng.randint(20, 60)) for m, sku in spec]
                )
                market.listings += [(name, shop, item, m) for m, _ in spec]
    return market


def seed_catalogue(store: Store, folder: Path) -> int:
    """Bu Sri's catalogue (imported from CSV, as a seller would) and her rules."""
    from syncd.inventory import set_rule  # noqa: PLC0415

    tenant = catalog.add_tenant(store, "Dapur Bu Sri")
    (folder / "katalog.csv").write_text(CATALOGUE_CSV, encoding="utf-8")
    import_file(store, tenant.id, folder / "katalog.csv", actor="bu-sri")
    set_rule(store, tenant.id, channel=None, sku=None, fields={"buffer": 1})
    set_rule(store, tenant.id, channel=None, sku="DOMPET-COKLAT", fields={"one_of_a_kind": True})
    return tenant.id


def seed_seller(store: Store, folder: Path, market: Market) -> int:
    """Bu Sri's catalogue and rules; both shops connected (real auth flow) and bound by SKU."""
    from decimal import Decimal  # noqa: PLC0415

    from syncd.inventory import set_rule  # noqa: PLC0415

    tenant = catalog.Tenant(seed_catalogue(store, folder), "Dapur Bu Sri")
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(timespec="seconds")
    vault = credentials.Vault(credentials.load_key(store.path))
    for name, shop in SHOPS.items():
        ch = catalog.add_channel(
            store,
            tenant.id,
            ChannelIn(name=name, marketplace="shopee", shop_id=str(shop)),
            settings={
                "partner_id": market.sim.partner_id,
                "base_url": market.sim.base_url,
                "shop_rps": 20,
            },
            integration_start=start,
            price_sync="push",
        )
        if name == "shopee":
            set_rule(
                store,
                tenant.id,
                channel=name,
                sku=None,
                fields={"markup_pct": Decimal(8), "rounding": "end900"},
            )
        credentials.save(store, vault, tenant.id, ch.id, app={"partner_key": PARTNER_KEY})
        account = next(a for a in sync.load_accounts(store) if a.id == ch.id)
        rt = sync.build_runtime(store, vault, account)
        assert rt.adapter is not None  # noqa: S101
        tokens = rt.adapter.exchange_code(market.sim.authorize(shop))  # the seller's login
        credentials.save(store, vault, tenant.id, ch.id, tokens=tokens)
        rt.load(store)
        sync.discover(store, rt)
        rt.adapter.close()
        catalog.accept_channel(store, tenant.id, name, price_sync="push")  # reviewed, accepted
    return tenant.id


def buyers(market: Market, stop: threading.Event, rng: random.Random, rate: float) -> None:
    """Simulated buyers on every shop: order what is shown, cancel some, ship the rest."""
    sim, open_orders = market.sim, []
    while not stop.wait(rng.expovariate(rate)):
        _, shop, item, model = rng.choice(market.listings)
        sn = sim.place_order(shop, [(item, model, rng.choice((1, 1, 1, 2)))])
        if sn is not None:
            with market.lock:
                market.placed += 1
            open_orders.append(sn)
        if open_orders and rng.random() < 0.5:
            sn = open_orders.pop(rng.randrange(len(open_orders)))
            if rng.random() < 0.25:
                sim.set_order_status(sn, "CANCELLED")
                with market.lock:
                    market.cancelled += 1
            else:
                sim.set_order_status(sn, rng.choice(("READY_TO_SHIP", "SHIPPED", "COMPLETED")))


def _seller(
    db: Path, tenant_id: int, stop: threading.Event, rng: random.Random, duration: float
) -> None:
    """Bu Sri: WhatsApp sales now and then, and a fresh batch of nastar halfway through."""
    store, n, baked = Store(db), 0, False
    started = time.monotonic()
    try:
        while not stop.wait(rng.uniform(3, 6)):
            n += 1
            sku = rng.choice(("NASTAR-250", "KOPI-250", "KASTENGEL-500"))
            with contextlib.suppress(UserError):  # sold out: Bu Sri says "habis"
                inventory.record_offline_sale(
                    store, tenant_id, [(1, sku)], channel="whatsapp", key=f"wa-{n}", actor="bu-sri"
                )
            if not baked and time.monotonic() - started > duration / 2:
                baked = True
                inventory.record(
                    store,
                    tenant_id,
                    [
                        MovementIn(
                            sku="NASTAR-500",
                            kind="receipt",
                            qty=20,
                            key="batch-2",
                            source="cli",
                            actor="bu-sri",
                            reason="new batch",
                        )
                    ],
                )
    finally:
        store.close()


def _live(store: Store, tenant_id: int, market: Any, started: float) -> str:
    from syncd.availability import stock_table  # noqa: PLC0415
    from syncd.market import shown  # noqa: PLC0415

    avail = {r.sku: r.available for r in stock_table(store, tenant_id)}
    now_shown = shown(store, tenant_id, market)
    chans = [s.channel for s in market.shops]
    parts = [
        f"{sku} {avail.get(sku, 0)}→" + "/".join(str(now_shown.get((c, sku), "?")) for c in chans)
        for sku in WATCH
    ]
    return t(
        "demo.live",
        elapsed=f"{time.monotonic() - started:5.1f}",
        orders=f"{market.placed:3d}",
        cancelled=f"{market.cancelled:2d}",
        items="  ".join(parts),
    )


def _legend(market: Any) -> str:
    """Which number is which shop in the live lines (printed once, before them)."""
    chans = [s.channel for s in market.shops]
    return t(
        "demo.legend",
        example=f"{WATCH[0]} 23→" + "/".join(str(22 - i) for i in range(len(chans))),
        shops=" / ".join(chans),
    )


def shown(store: Store, tenant_id: int, market: Market) -> dict[tuple[str, str], int]:
    """What each simulated Shopee shop shows, by (channel, SKU) (two-shop market)."""
    out = {}
    for x in catalog.list_listings(store, tenant_id):
        shop = SHOPS[x.channel]
        out[(x.channel, x.sku)] = market.sim.stock(shop, int(x.item_id), int(x.variant_id or 0))
    return out


def settled(store: Store, tenant_id: int, market: Market) -> bool:
    """Every simulated order is ingested in its latest state and nothing is left to push."""
    from adapters.shopee.adapter import STATUS_STATE  # noqa: PLC0415

    query = "SELECT DISTINCT order_id, state FROM order_line WHERE tenant_id = ?"
    states = {r[0]: r[1] for r in store.conn.execute(query, (tenant_id,))}
    for sn, order in market.sim.orders.items():
        if states.get(sn) != STATUS_STATE[order.status]:
            return False
    return not store.scalar(
        "SELECT COUNT(*) FROM outbox WHERE tenant_id = ? AND status IN ('pending', 'failed')",
        (tenant_id,),
    )


def oversold_orders(store: Store, tenant_id: int) -> int:
    """Orders whose reservation found the master already short (on hand − reserved < 0)."""
    balance: dict[int, list[int]] = {}
    bad: set[str] = set()
    rows = store.conn.execute(
        "SELECT sku_id, on_hand_delta, reserved_delta, source, idem_key FROM movement "
        "WHERE tenant_id = ? ORDER BY id",
        (tenant_id,),
    )
    for sku_id, d_hand, d_res, source, key in rows:
        b = balance.setdefault(sku_id, [0, 0])
        b[0] += d_hand
        b[1] += d_res
        if source == "order" and (d_res > 0 or (d_hand < 0 and d_res == 0)) and b[0] - b[1] < 0:
            bad.add(":".join(key.split(":")[1:3]))
    return len(bad)


def _report(store: Store, tenant_id: int, market: Any, out: TextIO) -> int:
    from syncd.availability import desired_all, stock_table  # noqa: PLC0415

    desired = {lid: qty for lid, qty, _ in desired_all(store, tenant_id)}
    listings = catalog.list_listings(store, tenant_id)
    stock = {r.sku: (r.on_hand, r.reserved, r.available) for r in stock_table(store, tenant_id)}
    chans = [s.channel for s in market.shops]
    mismatched = 0
    heads = [t("h.on_hand"), t("h.reserved"), t("h.available")]
    widths = [max(7, len(h)) for h in heads]
    print(f"\n{t('demo.table_legend')}", file=out)
    print(
        f"{t('h.sku'):17} "
        + " ".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True))
        + "  "
        + "  ".join(f"{t('demo.want_shows', channel=c):>21}" for c in chans),
        file=out,
    )
    for sku in sorted({x.sku for x in listings}):
        cells = []
        for chan in chans:
            x = next((y for y in listings if y.sku == sku and y.channel == chan), None)
            if x is None:
                cells.append(f"{'-':>21}")
                continue
            want, has = desired[x.id], market.shop(chan).shown(x.item_id, x.variant_id)
            mismatched += want != has
            cells.append(f"{f'{want}/{has}' + (' !' if want != has else ''):>21}")
        numbers = " ".join(f"{n:>{w}d}" for n, w in zip(stock[sku], widths, strict=True))
        print(f"{sku:17} {numbers}  " + "  ".join(cells), file=out)
    return mismatched


@dataclass
class _Scripted:
    """What happens once during the demo, besides the buyers: a buyer sends a jar back
    to the web store (refunded with restock: a return), and someone types a stock number
    in the store's admin by hand (found by the reconcile job: drift)."""

    store: Store
    tenant_id: int
    market: Any
    duration: float
    returned: bool = False
    edited: bool = False

    def step(self, elapsed: float, out: TextIO) -> None:
        web = next((s for s in self.market.shops if s.marketplace == "woocommerce"), None)
        if web is None:
            return
        if not self.returned and elapsed >= self.duration * 0.35:
            order = web.refund_one()
            self.returned = order is not None
            if order is not None:
                print(t("demo.return", channel=web.channel, order=order), file=out, flush=True)

    def hand_edit(self, out: TextIO) -> None:
        """Once the buyers stop (so no order moves it again before the reconcile job
        reads it): a stock number typed in the web store's admin."""
        web = next((s for s in self.market.shops if s.marketplace == "woocommerce"), None)
        if web is None or self.edited:
            return
        x = next(
            x
            for x in catalog.list_listings(self.store, self.tenant_id)
            if x.channel == web.channel and x.sku == "KASTENGEL-500"
        )
        web.hand_edit(x.item_id, x.variant_id, 99)
        self.edited = True
        print(t("demo.hand_edit", channel=web.channel, sku=x.sku, value=99), file=out)


def _aftermath(store: Store, tenant_id: int, out: TextIO) -> tuple[int, int]:
    """The returns and the drift the demo caused, as ``syncd return list`` and ``syncd
    drift`` tell them; returns (returned lines, hand edits found)."""
    from syncd import reconcile, returns  # noqa: PLC0415

    back = returns.listing(store, tenant_id)
    print(t("demo.returns_head", count=len(back)), file=out)
    for r in back:
        print(
            "  "
            + t(
                "demo.return_line",
                channel=r["channel"],
                order=r["order_id"],
                qty=r["qty"],
                item=catalog.item_text(r["item_id"], r["variant_id"]),
                done=t(f"return.disp.{r['disposition']}"),
            ),
            file=out,
        )
    rows = reconcile.listing(store, tenant_id, limit=10_000)
    counts = {
        c: sum(r["class"] == c for r in rows)
        for c in ("in_flight", "unpulled_sale", "lock", "edited", "unknown")
    }
    print(
        t("demo.drift_head", **counts),
        file=out,
    )
    for line in reconcile.drift_lines(store, tenant_id, classes=("edited", "unknown")):
        print(f"  {line}", file=out)
    return len(back), counts["edited"]


def _finish(store: Store, tenant_id: int, market: Any, out: TextIO, extra: str = "") -> int:
    """The final table and the RESULT line; 0 when every listing shows what syncd wants."""
    mismatched = _report(store, tenant_id, market, out)
    returned, edits = _aftermath(store, tenant_id, out)
    oversold = oversold_orders(store, tenant_id)
    problems, _, _ = ledger.check(store)
    if problems:
        print(t("check.failed", count=len(problems)), file=out)
    print(
        f"RESULT orders={market.placed} cancelled={market.cancelled} "
        f"oversold={oversold} mismatched_listings={mismatched} "
        f"returns={returned} hand_edits_found={edits}{extra}",
        file=out,
        flush=True,
    )
    return 1 if mismatched or problems else 0


class WebSide(Protocol):
    """The web app beside the demo (``syncd.cli_web.DemoWeb``; the demo layer may not
    import the web app, so the command hands it in)."""

    url: str

    def start(self, db: Path, tenant_id: int, out: TextIO) -> None: ...

    def step(self, elapsed: float, out: TextIO) -> None: ...

    def finish(self, out: TextIO) -> str: ...

    def stop(self) -> None: ...


def run_demo(  # noqa: PLR0915 - the demo script, step by step
    *,
    out: TextIO,
    duration: float = 60.0,
    seed: int = 7,
    rate: float = 2.0,
    keep: str | None = None,
    web: WebSide | None = None,
) -> int:
    """Run the marketplace demo on Shopee, TikTok Shop/Tokopedia, Lazada and WooCommerce
    simulators (and the web app beside it, when ``web`` is given)."""
    from syncd import market as markets  # noqa: PLC0415
    from syncd.daemon import Daemon, Intervals  # noqa: PLC0415
    from syncd.log import configure  # noqa: PLC0415

    rng = random.Random(seed)  # noqa: S311 - a demo's buyers, not security
    with tempfile.TemporaryDirectory(prefix="syncd-demo-") as tmp:
        folder = Path(keep) if keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "demo.db"
        log = (folder / "syncd.log").open("w", encoding="utf-8")
        configure(json=True, stream=log)
        market = markets.start_market(seed)
        store = Store(db)
        try:
            tenant_id = seed_catalogue(store, folder)
            markets.connect(
                store, tenant_id, market, since=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            )
            names = ", ".join(f"{s.channel} ({s.marketplace})" for s in market.shops)
            bound = len(catalog.list_listings(store, tenant_id))
            print(t("demo.start", names=names, bound=bound, seconds=f"{duration:.0f}"), file=out)
            print(_legend(market), file=out)
            daemon = Daemon(
                db,
                workers=4,
                # the simulators show a write at once: a short grace after each push
                intervals=Intervals(
                    push=0.5,
                    pull=1.0,
                    refresh=60,
                    reconcile=6.0,
                    reconcile_grace=2.0,
                    safety_net=10.0,  # a shop whose webhooks arrive is still polled
                ),
            )
            runner = threading.Thread(target=daemon.run, kwargs={"beat_every": 2.0}, daemon=True)
            runner.start()
            if web is not None:
                web.start(db, tenant_id, out)
                # the shops tell syncd of each order at once; the polls become a safety net
                markets.enable_webhooks(store, tenant_id, market, web.url, duplicate=0.05)
                print(t("demo.webhooks", url=web.url), file=out, flush=True)
            stop = threading.Event()
            seller_rng = random.Random(seed + 1)  # noqa: S311
            actors = [
                threading.Thread(
                    target=markets.buyers, args=(market, stop, rng, rate), daemon=True
                ),
                threading.Thread(
                    target=_seller, args=(db, tenant_id, stop, seller_rng, duration), daemon=True
                ),
            ]
            for actor in actors:
                actor.start()
            started = time.monotonic()
            scripted = _Scripted(store, tenant_id, market, duration)
            while time.monotonic() - started < duration:
                time.sleep(min(2.0, max(0.1, duration - (time.monotonic() - started))))
                print(_live(store, tenant_id, market, started), file=out, flush=True)
                scripted.step(time.monotonic() - started, out)
                if web is not None:
                    web.step(time.monotonic() - started, out)
            stop.set()
            for actor in actors:
                actor.join()
            scripted.hand_edit(out)
            calm = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
            print(t("demo.settling"), file=out, flush=True)
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline and not markets.settled(
                store, tenant_id, market, calm
            ):
                time.sleep(0.25)
            daemon.stop.set()
            runner.join()
            daemon.close()
            extra = web.finish(out) if web is not None else ""
            if web is not None:
                got = markets.webhooks_received(store)
                told = ", ".join(f"{k} {v}" for k, v in sorted(got.items())) or "-"
                print(t("demo.webhooks_received", told=told), file=out, flush=True)
                extra += f" webhooks={sum(got.values())}"
            return _finish(store, tenant_id, market, out, extra)
        finally:
            if web is not None:
                web.stop()
            store.close()
            market.stop()
            log.close()
