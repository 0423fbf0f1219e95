"""Orders for the seller: ``syncd orders`` (list, filters, export) and ``syncd picklist``."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from syncd import catalog, inventory, orders, orders_view
from syncd.adapter import OrderLine, OrderPage, RemoteOrder
from syncd.catalog import Tenant
from syncd.errors import UserError
from syncd.models import ChannelIn, ListingIn
from syncd.store import Store
from tests.conftest import Cli
from tests.test_orders import START, T0, make_shop

# T0 is 2026-11-20 00:00 UTC, 07:00 WIB (the seller's zone, Asia/Jakarta by default)
H = dt.timedelta(hours=1)


def _order(
    oid: str, status: str, state: str, at: dt.datetime, *lines: tuple[str, int]
) -> RemoteOrder:
    return RemoteOrder(
        oid,
        status,
        state,  # type: ignore[arg-type]
        at,
        at,
        tuple(OrderLine(f"L{n}", item, "", None, qty) for n, (item, qty) in enumerate(lines, 1)),
    )


def _feed(store: Store, tenant: Tenant, account: int, *events: RemoteOrder) -> None:
    page = OrderPage(list(events), cursor="c", more=False)
    orders.ingest(store, tenant.id, account, page, integration_start=START)


@pytest.fixture
def shops(store: Store, tenant: Tenant) -> tuple[int, int]:
    """Shopee (nastar 10, kopi 20, hampers = 2 nastar + 1 kopi 30) and a WooCommerce store
    (nastar W1), with orders in every state the pick list must tell apart."""
    shopee = make_shop(store, tenant)
    woo = catalog.add_channel(
        store,
        tenant.id,
        ChannelIn(name="toko-web", marketplace="woocommerce", shop_id="toko"),
        integration_start=START,
        accepted=True,
    ).id
    inventory.bind_listing(
        store, tenant.id, ListingIn(sku="NASTAR-500", channel="toko-web", item_id="W1")
    )
    _feed(
        store,
        tenant,
        shopee,
        _order("A1", "READY_TO_SHIP", "open", T0 + 1 * H, ("10", 2), ("30", 1)),
        _order("A2", "UNPAID", "open", T0 + 2 * H, ("20", 1)),
        _order("A3", "SHIPPED", "shipped", T0 + 3 * H, ("20", 1)),
        _order("A4", "CANCELLED", "cancelled", T0 + 4 * H, ("10", 1)),
        _order("A5", "PROCESSED", "open", T0 + 5 * H, ("20", 1), ("99", 4)),
        # 2026-11-19 18:00 UTC is already 20 November in WIB; 14:00 UTC is not
        _order("A6", "READY_TO_SHIP", "open", T0 - 6 * H, ("20", 2)),
        _order("A7", "READY_TO_SHIP", "open", T0 - 10 * H, ("10", 1)),
    )
    _feed(
        store,
        tenant,
        woo,
        _order("W-100", "processing", "shipped", T0 + 6 * H, ("W1", 3)),  # paid: to pack
        _order("W-101", "on-hold", "shipped", T0 + 7 * H, ("W1", 1)),  # awaiting payment
        _order("W-102", "pending", "open", T0 + 8 * H, ("W1", 1)),  # not paid
    )
    return shopee, woo


# -- the list -------------------------------------------------------------------------


def test_orders_come_newest_first_with_their_lines(
    store: Store, tenant: Tenant, shops: tuple[int, int]
) -> None:
    found = orders_view.orders(store, tenant.id)
    assert [o.order_id for o in found] == [
        "W-102",
        "W-101",
        "W-100",
        "A5",
        "A4",
        "A3",
        "A2",
        "A1",
        "A6",
        "A7",
    ]
    a1 = next(o for o in found if o.order_id == "A1")
    assert [(x.sku, x.qty, x.item_id, x.status, x.state) for x in a1.lines] == [
        ("NASTAR-500", 2, "10", "READY_TO_SHIP", "open"),
        ("HAMPERS", 1, "30", "READY_TO_SHIP", "open"),
    ]
    a5 = next(o for o in found if o.order_id == "A5")
    assert [(x.sku, x.item_id) for x in a5.lines] == [("KOPI-250", "20"), (None, "99")]


def test_orders_filters(store: Store, tenant: Tenant, shops: tuple[int, int]) -> None:
    shopee, woo = shops

    def ids(**filters: object) -> list[str]:
        return [o.order_id for o in orders_view.orders(store, tenant.id, **filters)]  # type: ignore[arg-type]

    assert ids(state="cancelled") == ["A4"]
    assert ids(state="shipped", account_id=shopee) == ["A3"]
    assert ids(account_id=woo) == ["W-102", "W-101", "W-100"]
    assert ids(since=(T0 + 5 * H).isoformat()) == ["W-102", "W-101", "W-100", "A5"]
    assert ids(limit=2) == ["W-102", "W-101"]
    other = catalog.add_tenant(store, "Toko Lain")
    assert orders_view.orders(store, other.id) == []  # every query is the tenant's own


def test_orders_command_shows_times_in_the_sellers_zone_and_unbound_items(
    cli: Cli, shops: tuple[int, int]
) -> None:
    run = cli("--lang", "en", "orders", "--channel", "shopee", "--status", "open")
    assert run.code == 0, run.err
    out = run.out
    assert "Placed (WIB)" in out
    assert "2026-11-20 08:00" in out  # A1, placed 01:00 UTC
    assert "2026-11-20 01:00" in out  # A6, placed 2026-11-19 18:00 UTC
    assert "A3" not in out
    assert "A4" not in out
    assert "W-100" not in out
    unbound = next(line for line in out.splitlines() if " 99" in line)
    assert "not bound" in unbound
    assert "4" in unbound
    assert "syncd listing bind" in out  # what to do about it
    assert "READY_TO_SHIP" in out
    assert "open (stock reserved)" in out


def test_orders_command_limit_says_there_are_more(cli: Cli, shops: tuple[int, int]) -> None:
    run = cli("--lang", "en", "orders", "--limit", "2")
    assert run.code == 0, run.err
    assert "W-102" in run.out
    assert "W-101" in run.out
    assert "W-100" not in run.out
    assert "--limit N" in run.out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--status", "paid"), "--status 'paid'"),
        (("--limit", "0"), "--limit must be 1 or more"),
        (("--channel", "nope"), "nope"),
        (("--since", "kemarin sore"), "kemarin sore"),
    ],
)
def test_orders_bad_input_is_one_clear_line(
    cli: Cli, shops: tuple[int, int], args: tuple[str, ...], needle: str
) -> None:
    run = cli("--lang", "en", "orders", *args)
    assert run.code == 1
    assert needle in run.err
    assert "Traceback" not in run.err


# -- export ---------------------------------------------------------------------------

EXPECTED_SHOPEE_OPEN = [
    ["shopee", "A5", "2026-11-20 12:00:00", "PROCESSED", "open", "KOPI-250", "20", "", "1"],
    ["shopee", "A5", "2026-11-20 12:00:00", "PROCESSED", "open", "", "99", "", "4"],
    ["shopee", "A2", "2026-11-20 09:00:00", "UNPAID", "open", "KOPI-250", "20", "", "1"],
    ["shopee", "A1", "2026-11-20 08:00:00", "READY_TO_SHIP", "open", "NASTAR-500", "10", "", "2"],
    ["shopee", "A1", "2026-11-20 08:00:00", "READY_TO_SHIP", "open", "HAMPERS", "30", "", "1"],
    ["shopee", "A6", "2026-11-20 01:00:00", "READY_TO_SHIP", "open", "KOPI-250", "20", "", "2"],
    ["shopee", "A7", "2026-11-19 21:00:00", "READY_TO_SHIP", "open", "NASTAR-500", "10", "", "1"],
]


def test_export_csv_reads_back_the_same_lines(
    cli: Cli, shops: tuple[int, int], tmp_path: Path
) -> None:
    path = tmp_path / "pesanan.csv"
    run = cli(
        "--lang", "en", "orders", "--channel", "shopee", "export", str(path), "--status", "open"
    )
    assert run.code == 0, run.err
    assert "7 order line(s)" in run.out
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == list(orders_view.EXPORT_COLUMNS)
    assert rows[1:] == EXPECTED_SHOPEE_OPEN
    assert sorted(p.name for p in tmp_path.iterdir() if "pesanan" in p.name) == ["pesanan.csv"]


def test_export_xlsx_reads_back_the_same_lines(
    cli: Cli, shops: tuple[int, int], tmp_path: Path
) -> None:
    path = tmp_path / "pesanan.XLSX"  # the extension in any case
    run = cli("orders", "export", str(path), "--channel", "shopee", "--status", "open")
    assert run.code == 0, run.err
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(orders_view.EXPORT_COLUMNS)
    as_text = [
        [v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, dt.datetime) else str(v or "") for v in r]
        for r in rows[1:]
    ]
    assert as_text == EXPECTED_SHOPEE_OPEN
    assert isinstance(rows[1][2], dt.datetime)  # a real date and time: Excel sorts by it
    assert isinstance(rows[1][8], int)


@pytest.mark.parametrize("name", ["pesanan.txt", "pesanan", "pesanan.xls"])
def test_export_refuses_other_extensions(
    cli: Cli, shops: tuple[int, int], tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    run = cli("--lang", "en", "orders", "export", str(path))
    assert run.code == 1
    assert ".csv or .xlsx" in run.err
    assert str(path) in run.err
    assert not path.exists()


def test_export_to_a_missing_folder_says_which(
    cli: Cli, shops: tuple[int, int], tmp_path: Path
) -> None:
    path = tmp_path / "tidak-ada" / "pesanan.csv"
    run = cli("--lang", "en", "orders", "export", str(path))
    assert run.code == 1
    assert "does not exist" in run.err
    assert str(path.parent) in run.err


def test_a_failed_export_leaves_the_old_file_and_no_half_file(
    store: Store, tenant: Tenant, shops: tuple[int, int], tmp_path: Path
) -> None:
    path = tmp_path / "pesanan.csv"
    path.write_text("the good export of yesterday\n", encoding="utf-8")
    good = orders_view.lines(store, tenant.id)
    broken = [*good[:3], object()]  # the fourth row cannot be written
    with pytest.raises(AttributeError):
        orders_view.export(path, broken)  # type: ignore[arg-type]
    assert path.read_text(encoding="utf-8") == "the good export of yesterday\n"
    assert [p.name for p in tmp_path.iterdir() if p.name != "syncd.db" and "pesanan" in p.name] == [
        "pesanan.csv"
    ]
    with pytest.raises(UserError):
        orders_view.export(tmp_path / "pesanan.json", good)


# -- pick list ------------------------------------------------------------------------


def test_picklist_expands_bundles_and_leaves_out_unpaid_cancelled_and_shipped(
    store: Store, tenant: Tenant, shops: tuple[int, int]
) -> None:
    found = orders_view.picklist(store, tenant.id)
    assert [(p.sku, p.qty) for p in found.picks] == [
        # A1's hampers (1 kopi) + A5 (1) + A6 (2)
        ("KOPI-250", 4),
        # A1: 2 + its hampers' 2; A7: 1; W-100 (WooCommerce, paid: processing): 3
        ("NASTAR-500", 8),
    ]
    picks = {p.sku: p.orders for p in found.picks}
    assert picks["KOPI-250"] == ["shopee A6", "shopee A1 (HAMPERS)", "shopee A5"]
    assert picks["NASTAR-500"] == [
        "shopee A7",
        "shopee A1",
        "shopee A1 (HAMPERS)",
        "toko-web W-100",
    ]
    # A2 unpaid, A3 shipped, A4 cancelled, W-101 on-hold (awaiting payment), W-102 unpaid
    named = {o for p in found.picks for o in p.orders}
    for left_out in ("A2", "A3", "A4", "W-101", "W-102"):
        assert not any(left_out in o.split(" ") for o in named), left_out
    assert [(x.order_id, x.item_id, x.qty) for x in found.unbound] == [("A5", "99", 4)]
    assert found.orders == 5  # A7, A6, A1, A5, W-100


def test_picklist_by_channel_and_by_the_sellers_day(
    store: Store, tenant: Tenant, shops: tuple[int, int]
) -> None:
    shopee, _ = shops
    only_shopee = orders_view.picklist(store, tenant.id, account_id=shopee)
    assert [(p.sku, p.qty) for p in only_shopee.picks] == [("KOPI-250", 4), ("NASTAR-500", 5)]
    # A7 was placed 19 November 21:00 WIB; A6 at 01:00 WIB on the 20th (18:00 UTC the 19th)
    day19 = orders_view.picklist(store, tenant.id, day="2026-11-19")
    assert [(p.sku, p.qty, p.orders) for p in day19.picks] == [("NASTAR-500", 1, ["shopee A7"])]
    day20 = orders_view.picklist(store, tenant.id, day="20/11/2026")
    assert "shopee A6" in {o for p in day20.picks for o in p.orders}
    assert "shopee A7" not in {o for p in day20.picks for o in p.orders}


def test_picklist_command(cli: Cli, shops: tuple[int, int]) -> None:
    run = cli("--lang", "en", "picklist")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert "To pack: 5 paid order(s)" in lines[0]
    kopi = next(n for n, line in enumerate(lines) if line.startswith("KOPI-250"))
    nastar = next(n for n, line in enumerate(lines) if line.startswith("NASTAR-500"))
    assert kopi < nastar  # sorted by SKU
    assert " 8 " in lines[nastar]
    assert "toko-web W-100" in lines[nastar]
    assert "not bound" in run.out
    assert any("A5" in x and "99" in x for x in lines)
    empty = cli("--lang", "en", "picklist", "--date", "2026-11-01")
    assert empty.code == 0
    assert "No orders waiting to be packed." in empty.out
    assert "Orders placed on 2026-11-01 (WIB)." in empty.out
    bad = cli("--lang", "en", "picklist", "--date", "besok pagi")
    assert bad.code == 1
    assert "besok pagi" in bad.err


def test_to_pack_words_cover_every_marketplace_family() -> None:
    from adapters import ALIASES, BUILTIN

    families = {ALIASES.get(name, name) for name in BUILTIN}
    assert families <= set(orders_view.TO_PACK)
    for state, words in orders_view.TO_PACK.values():
        assert state in orders_view.STATES
        assert words == {w.lower() for w in words}
        assert "unpaid" not in words
