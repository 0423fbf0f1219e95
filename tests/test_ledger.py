"""The ledger: deltas per kind, idempotency, refusals, atomic multi-line sales, check."""

from __future__ import annotations

import pytest

from syncd import inventory, ledger
from syncd.catalog import Tenant, get_sku
from syncd.errors import IdempotencyConflict, InsufficientStock
from syncd.models import Component, MovementIn, SkuIn
from syncd.store import Store
from tests.conftest import add_skus, expect_error


def mv(kind: str, qty: int, key: str, sku: str = "NASTAR-500", **kw: object) -> MovementIn:
    return MovementIn(sku=sku, kind=kind, qty=qty, key=key, source="test", actor="t", **kw)  # type: ignore[arg-type]


@pytest.fixture
def skus(store: Store, tenant: Tenant) -> None:
    add_skus(
        store,
        tenant,
        SkuIn(sku="NASTAR-500", name="Nastar", price=85000),
        SkuIn(sku="KOPI-250", name="Kopi", price=45000),
        SkuIn(
            sku="HAMPERS",
            name="Hampers",
            price=150000,
            components=(Component(sku="NASTAR-500", qty=2), Component(sku="KOPI-250", qty=1)),
        ),
    )


@pytest.mark.parametrize(
    ("kind", "qty", "on_hand", "reserved", "from_reserved", "expected"),
    [
        ("receipt", 5, 3, 1, False, (5, 0)),
        ("count", 2, 7, 0, False, (-5, 0)),
        ("count", 9, 7, 0, False, (2, 0)),
        ("count", 0, 7, 0, False, (-7, 0)),
        ("adjustment", -2, 7, 0, False, (-2, 0)),
        ("adjustment", 3, 7, 0, False, (3, 0)),
        ("reservation", 2, 7, 0, False, (0, 2)),
        ("release", 2, 7, 3, False, (0, -2)),
        ("sale", 2, 7, 3, True, (-2, -2)),
        ("sale", 2, 7, 3, False, (-2, 0)),
        ("return", 1, 7, 0, False, (1, 0)),
        ("offline_sale", 4, 7, 0, False, (-4, 0)),
    ],
)
def test_deltas(
    kind: str, qty: int, on_hand: int, reserved: int, from_reserved: bool, expected: tuple[int, int]
) -> None:
    assert ledger.deltas(kind, qty, on_hand, reserved, from_reserved=from_reserved) == expected


@pytest.mark.parametrize(
    ("kind", "qty"), [("receipt", 0), ("sale", -1), ("count", -1), ("adjustment", 0)]
)
def test_deltas_reject_bad_quantities(kind: str, qty: int) -> None:
    with expect_error("ledger.bad_qty"):
        ledger.deltas(kind, qty, 0, 0)


@pytest.mark.usefixtures("skus")
def test_reapplying_a_key_is_a_noop(store: Store, tenant: Tenant) -> None:
    (first,) = inventory.record(store, tenant.id, [mv("receipt", 10, "k1")])
    (second,) = inventory.record(store, tenant.id, [mv("receipt", 10, "k1")])
    assert not first.already
    assert second.already
    assert second.movement_id == first.movement_id
    assert (second.on_hand, second.reserved) == (10, 0)
    assert store.scalar("SELECT COUNT(*) FROM movement") == 1


@pytest.mark.usefixtures("skus")
def test_same_key_for_a_different_movement_is_refused(store: Store, tenant: Tenant) -> None:
    inventory.record(store, tenant.id, [mv("receipt", 10, "k1")])
    with pytest.raises(IdempotencyConflict):
        inventory.record(store, tenant.id, [mv("receipt", 11, "k1")])
    with pytest.raises(IdempotencyConflict):
        inventory.record(store, tenant.id, [mv("receipt", 10, "k1", sku="KOPI-250")])
    assert ledger.balance(store, tenant.id, get_sku(store, tenant.id, "NASTAR-500").id) == (10, 0)


@pytest.mark.usefixtures("skus")
def test_keys_are_per_tenant(store: Store, tenant: Tenant) -> None:
    from syncd.catalog import add_tenant

    other = add_tenant(store, "Other")
    add_skus(store, other, SkuIn(sku="NASTAR-500", name="N", price=1))
    inventory.record(store, tenant.id, [mv("receipt", 10, "same")])
    (done,) = inventory.record(store, other.id, [mv("receipt", 3, "same")])
    assert not done.already
    assert done.on_hand == 3


@pytest.mark.usefixtures("skus")
def test_sale_beyond_available_is_refused_unless_allowed(store: Store, tenant: Tenant) -> None:
    inventory.record(store, tenant.id, [mv("receipt", 5, "r"), mv("reservation", 3, "res")])
    with pytest.raises(InsufficientStock):
        inventory.record(store, tenant.id, [mv("offline_sale", 3, "s1")])
    (done,) = inventory.record(store, tenant.id, [mv("offline_sale", 3, "s1")], allow_negative=True)
    assert (done.on_hand, done.reserved) == (2, 3)


@pytest.mark.usefixtures("skus")
def test_release_more_than_reserved_is_refused(store: Store, tenant: Tenant) -> None:
    inventory.record(store, tenant.id, [mv("reservation", 1, "res")])
    with expect_error("ledger.bad_release"):
        inventory.record(store, tenant.id, [mv("release", 2, "rel")])


@pytest.mark.usefixtures("skus")
def test_offline_sale_expands_bundles_and_is_atomic(store: Store, tenant: Tenant) -> None:
    inventory.record(
        store, tenant.id, [mv("receipt", 5, "r1"), mv("receipt", 2, "r2", sku="KOPI-250")]
    )
    done = inventory.record_offline_sale(
        store,
        tenant.id,
        [(1, "HAMPERS"), (1, "KOPI-250")],
        channel="whatsapp",
        key="wa-1",
        actor="t",
    )
    assert [(d.sku, d.qty) for d in done] == [("KOPI-250", 1), ("NASTAR-500", 2), ("KOPI-250", 1)]
    nastar = get_sku(store, tenant.id, "NASTAR-500").id
    kopi = get_sku(store, tenant.id, "KOPI-250").id
    assert ledger.balance(store, tenant.id, nastar) == (3, 0)
    assert ledger.balance(store, tenant.id, kopi) == (0, 0)
    # the last line fails: nothing of this sale is recorded
    with pytest.raises(InsufficientStock):
        inventory.record_offline_sale(
            store,
            tenant.id,
            [(1, "NASTAR-500"), (1, "KOPI-250")],
            channel="cash",
            key="c-1",
            actor="t",
        )
    assert ledger.balance(store, tenant.id, nastar) == (3, 0)
    assert store.scalar("SELECT COUNT(*) FROM movement WHERE idem_key LIKE 'c-1%'") == 0
    # the same WhatsApp sale again changes nothing
    again = inventory.record_offline_sale(
        store,
        tenant.id,
        [(1, "HAMPERS"), (1, "KOPI-250")],
        channel="whatsapp",
        key="wa-1",
        actor="t",
    )
    assert all(a.already for a in again)
    assert ledger.balance(store, tenant.id, nastar) == (3, 0)


@pytest.mark.usefixtures("skus")
def test_bundle_has_no_stock_of_its_own(store: Store, tenant: Tenant) -> None:
    with expect_error("sku.bundle_no_stock"):
        inventory.record(store, tenant.id, [mv("receipt", 1, "b", sku="HAMPERS")])


@pytest.mark.usefixtures("skus")
def test_check_finds_a_tampered_balance(store: Store, tenant: Tenant) -> None:
    inventory.record(store, tenant.id, [mv("receipt", 5, "r")])
    problems, movements, balances = ledger.check(store)
    assert (problems, movements, balances) == ([], 1, 1)
    store.conn.execute("UPDATE balance SET on_hand = 99")
    problems, _, _ = ledger.check(store)
    assert [p.key for p in problems] == ["check.mismatch"]
    assert problems[0].params["on_hand"] == 5
    assert problems[0].params["cached_on_hand"] == 99


@pytest.mark.usefixtures("skus")
def test_history_has_running_totals(store: Store, tenant: Tenant) -> None:
    inventory.record(
        store,
        tenant.id,
        [mv("receipt", 5, "a"), mv("reservation", 2, "b"), mv("sale", 2, "c", from_reserved=True)],
    )
    rows = ledger.history(store, tenant.id, get_sku(store, tenant.id, "NASTAR-500").id)
    assert [(r["kind"], r["on_hand"], r["reserved"]) for r in rows] == [
        ("receipt", 5, 0),
        ("reservation", 5, 2),
        ("sale", 3, 0),
    ]


@pytest.mark.usefixtures("skus")
def test_sale_key_reused_with_other_items_is_a_conflict(store: Store, tenant: Tenant) -> None:
    inventory.record(
        store, tenant.id, [mv("receipt", 9, "r"), mv("receipt", 9, "r2", sku="KOPI-250")]
    )
    inventory.record_offline_sale(
        store, tenant.id, [(1, "NASTAR-500")], channel="cash", key="c1", actor="t"
    )
    with pytest.raises(IdempotencyConflict):
        inventory.record_offline_sale(
            store,
            tenant.id,
            [(1, "NASTAR-500"), (1, "KOPI-250")],
            channel="cash",
            key="c1",
            actor="t",
        )
    assert store.scalar("SELECT COUNT(*) FROM movement WHERE idem_key LIKE 'c1%'") == 1
