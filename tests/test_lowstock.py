"""Low stock: ``stock.low`` once when available falls to the threshold, again only after
it rose above it; a SKU's own threshold beats the tenant's default."""

from __future__ import annotations

import json
import uuid

import pytest

from syncd import catalog, inventory, lowstock
from syncd.catalog import Tenant
from syncd.errors import UserError
from syncd.models import MovementIn
from syncd.store import Store
from tests.conftest import Cli
from tests.test_orders import feed, make_shop, order


def _move(store: Store, tenant: Tenant, sku: str, kind: str, qty: int) -> None:
    m = MovementIn.model_validate(
        {
            "sku": sku,
            "kind": kind,
            "qty": qty,
            "key": f"t:{uuid.uuid4()}",
            "source": "t",
            "actor": "t",
        }
    )
    inventory.record(store, tenant.id, [m])


def _sell(store: Store, tenant: Tenant, sku: str, qty: int) -> None:
    _move(store, tenant, sku, "offline_sale", qty)


def _events(store: Store) -> list[tuple[str, str, dict[str, int]]]:
    return [
        (r["sku"], r["level"], json.loads(r["data"]))
        for r in store.all("SELECT * FROM event WHERE kind = 'stock.low' ORDER BY id")
    ]


@pytest.fixture
def shop(store: Store, tenant: Tenant) -> int:
    """NASTAR-500 20 on hand, KOPI-250 10, a HAMPERS bundle, on one Shopee channel."""
    return make_shop(store, tenant)


def test_raised_once_at_the_threshold_and_again_only_after_rising_above(
    store: Store, tenant: Tenant, shop: int
) -> None:
    lowstock.set_threshold(store, tenant.id, "NASTAR-500", 10)
    _sell(store, tenant, "NASTAR-500", 8)  # 12: above
    assert _events(store) == []
    _sell(store, tenant, "NASTAR-500", 2)  # 10: at the threshold
    assert _events(store) == [("NASTAR-500", "warning", {"available": 10, "threshold": 10})]
    _sell(store, tenant, "NASTAR-500", 3)  # 7: still low, said already
    _sell(store, tenant, "NASTAR-500", 1)
    assert len(_events(store)) == 1
    _move(store, tenant, "NASTAR-500", "receipt", 4)  # 10: back up, but not above
    assert len(_events(store)) == 1
    _move(store, tenant, "NASTAR-500", "receipt", 1)  # 11: above: re-armed
    assert store.scalar("SELECT low_stock_at FROM sku WHERE sku = 'NASTAR-500'") is None
    assert len(_events(store)) == 1
    _sell(store, tenant, "NASTAR-500", 2)  # 9: falls again
    assert _events(store)[1:] == [("NASTAR-500", "warning", {"available": 9, "threshold": 10})]


def test_own_threshold_overrides_the_tenant_default(
    store: Store, tenant: Tenant, shop: int
) -> None:
    assert lowstock.set_default(store, tenant.id, 5) == []  # nothing is low yet
    lowstock.set_threshold(store, tenant.id, "NASTAR-500", 15)
    _sell(store, tenant, "KOPI-250", 4)  # 6 > default 5
    _sell(store, tenant, "NASTAR-500", 4)  # 16 > own 15, though the default is far below
    assert _events(store) == []
    _sell(store, tenant, "NASTAR-500", 1)  # 15: its own threshold, not the default's 5
    _sell(store, tenant, "KOPI-250", 1)  # 5: the default
    assert [(sku, data) for sku, _, data in _events(store)] == [
        ("NASTAR-500", {"available": 15, "threshold": 15}),
        ("KOPI-250", {"available": 5, "threshold": 5}),
    ]
    default, rows = lowstock.thresholds(store, tenant.id)
    assert default == 5
    shown = {r.sku: (r.own, r.threshold, r.available, r.low_since is not None) for r in rows}
    assert shown == {"KOPI-250": (None, 5, 5, True), "NASTAR-500": (15, 15, 15, True)}


def test_reserved_units_count_and_the_event_follows_its_order(
    store: Store, tenant: Tenant, shop: int
) -> None:
    lowstock.set_threshold(store, tenant.id, "KOPI-250", 8)
    # a hampers order reserves 2 nastar and 1 kopi: kopi available 10 - 1 = 9
    feed(store, tenant, shop, order("open", oid="H1", item="30", qty=1))
    assert _events(store) == []
    feed(store, tenant, shop, order("open", oid="K1", item="20", qty=1))  # 10 - 2 = 8
    row = store.one("SELECT * FROM event WHERE kind = 'stock.low'")
    assert row is not None
    assert (row["sku"], row["tenant_id"], row["correlation_id"]) == (
        "KOPI-250",
        tenant.id,
        "ord:1:K1",
    )
    feed(store, tenant, shop, order("cancelled", oid="K1", item="20", qty=1, minutes=1))  # 9
    assert store.scalar("SELECT low_stock_at FROM sku WHERE sku = 'KOPI-250'") is None


def test_a_threshold_set_below_the_stock_already_low_says_so_at_once(
    store: Store, tenant: Tenant, shop: int
) -> None:
    low = lowstock.set_threshold(store, tenant.id, "KOPI-250", 10)
    assert low == lowstock.Low("KOPI-250", 10, 10)
    assert lowstock.set_threshold(store, tenant.id, "KOPI-250", 12) is None  # said already
    assert lowstock.set_threshold(store, tenant.id, "KOPI-250", None) is None  # cleared
    assert store.scalar("SELECT low_stock_at FROM sku WHERE sku = 'KOPI-250'") is None
    assert len(_events(store)) == 1
    lows = lowstock.set_default(store, tenant.id, 20)  # both are at or below 20 now
    assert sorted(x.sku for x in lows) == ["KOPI-250", "NASTAR-500"]


def test_refused_thresholds(store: Store, tenant: Tenant, shop: int) -> None:
    with pytest.raises(UserError) as bundle:
        lowstock.set_threshold(store, tenant.id, "HAMPERS", 3)
    assert bundle.value.key == "lowstock.bundle"
    with pytest.raises(UserError) as negative:
        lowstock.set_default(store, tenant.id, -1)
    assert negative.value.key == "lowstock.bad"
    assert store.scalar("SELECT low_stock FROM tenant WHERE id = ?", (tenant.id,)) is None


def test_tenants_are_apart(store: Store, tenant: Tenant, shop: int) -> None:
    other = catalog.add_tenant(store, "Toko Lain")
    lowstock.set_default(store, other.id, 100)  # another seller's default
    _sell(store, tenant, "NASTAR-500", 1)
    assert _events(store) == []


def test_one_query_per_settle(store: Store, tenant: Tenant, shop: int) -> None:
    lowstock.set_default(store, tenant.id, 1)
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        inventory.record(
            store,
            tenant.id,
            [
                MovementIn(sku=s, kind="offline_sale", qty=1, key=f"q{s}", source="t", actor="t")
                for s in ("NASTAR-500", "KOPI-250")
            ],
        )
    finally:
        store.conn.set_trace_callback(None)
    assert len([q for q in seen if "low_stock" in q]) == 1


def test_cli_threshold_and_the_event_in_logs(
    cli: Cli, store: Store, tenant: Tenant, shop: int
) -> None:
    run = cli("--lang", "en", "stock", "threshold", "--default", "8")
    assert run.code == 0, run.err
    assert "Default low-stock threshold: 8" in run.out
    run = cli("--lang", "en", "stock", "threshold", "kopi-250", "10")
    assert run.code == 0, run.err
    assert "KOPI-250 is low already: 10 available, threshold 10." in run.out
    shown = cli("--lang", "en", "stock", "threshold")
    assert shown.code == 0, shown.err
    kopi = next(line for line in shown.out.splitlines() if line.startswith("KOPI-250"))
    nastar = next(line for line in shown.out.splitlines() if line.startswith("NASTAR-500"))
    assert kopi.split()[:3] == ["KOPI-250", "10", "10"]
    assert "20" in kopi
    assert "8 (default)" in nastar
    logs = cli("--lang", "en", "logs")
    assert "Low stock: 10 available (threshold 10)." in logs.out
    cleared = cli("--lang", "en", "stock", "threshold", "KOPI-250", "--clear")
    assert "now in force: 8" in cleared.out
    history = cli("--lang", "en", "history")
    assert history.code == 0
    assert "low-stock threshold" in history.out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("HAMPERS", "2"), "is a bundle"),
        (("NASTAR-500", "-3"), "must be 0 or more"),
        (("NASTAR-500", "--default", "3"), "not mixed"),
        (("NASTAR-500", "3", "--clear"), "not mixed"),
        (("TIDAK-ADA", "3"), "TIDAK-ADA"),
    ],
)
def test_cli_threshold_refusals(cli: Cli, shop: int, args: tuple[str, ...], needle: str) -> None:
    run = cli("--lang", "en", "stock", "threshold", *args)
    assert run.code == 1
    assert needle in run.err
    assert "Traceback" not in run.err
