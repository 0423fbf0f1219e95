"""The stock ledger against a plain Python model (hypothesis stateful testing).

Two tenants with the same SKU codes (and a same-named bundle with different
components) share one real ``Store`` on a temp file. Every rule applies real
movements through ``syncd.ledger``; the model predicts the new on hand /
reserved or that the operation must be refused, and a refused operation must
leave the database exactly as it was. Duplicate deliveries re-send earlier
movements (same key: ``already=True``, nothing changes) or re-use a key for a
different movement (``IdempotencyConflict``, nothing changes). After every step
the balances equal the model, ``ledger.check`` is clean, the set of idempotency
keys equals the model's, and available stock stays within [0, max(on hand, 0)].
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from syncd import catalog, inventory, ledger
from syncd.errors import IdempotencyConflict, InsufficientStock, NotFound, UserError
from syncd.models import Component, MovementIn, SkuIn
from syncd.store import Store

TENANTS = ("toko-a", "toko-b")
PLAIN = ("KOPI-250", "NASTAR-500", "TEH-100")
BUNDLE = "PAKET-HEMAT"
#: The same bundle code means different things to each seller.
BUNDLES = {"toko-a": {"KOPI-250": 2, "TEH-100": 1}, "toko-b": {"NASTAR-500": 3}}

tenants = st.sampled_from(TENANTS)
skus = st.sampled_from(PLAIN)
qtys = st.integers(1, 12)
nonzero = st.integers(-15, -1) | st.integers(1, 15)


@dataclass(frozen=True)
class Refusal:
    """The model's prediction that an operation must fail: the error type and its key."""

    error: type[UserError]
    key: str


@dataclass(frozen=True)
class Bal:
    on_hand: int = 0
    reserved: int = 0


def predict(
    bal: Bal, kind: str, qty: int, *, from_reserved: bool = False, allow_negative: bool = False
) -> Bal | Refusal:
    """What one movement must do to a SKU's balance, from the ledger's stated rules."""
    on, res = bal.on_hand, bal.reserved
    takes = kind == "offline_sale" or (kind == "sale" and not from_reserved)
    if takes and on - res < qty and not allow_negative:
        return Refusal(InsufficientStock, "ledger.insufficient")
    if kind == "adjustment" and on + qty < 0 and not allow_negative:
        return Refusal(InsufficientStock, "ledger.insufficient")
    consumes = kind == "release" or (kind == "sale" and from_reserved)
    if consumes and qty > res:  # reserved never goes below zero, whatever the caller allows
        return Refusal(UserError, "ledger.bad_release")
    d_on, d_res = {
        "receipt": (qty, 0),
        "return": (qty, 0),
        "adjustment": (qty, 0),
        "count": (qty - on, 0),
        "reservation": (0, qty),
        "release": (0, -qty),
        "sale": (-qty, -qty if from_reserved else 0),
        "offline_sale": (-qty, 0),
    }[kind]
    return Bal(on + d_on, res + d_res)


def _movement(
    sku: str, kind: str, qty: int, key: str, *, from_reserved: bool = False
) -> MovementIn:
    return MovementIn(
        sku=sku,
        kind=kind,
        qty=qty,
        key=key,
        source="test",
        actor="model",  # type: ignore[arg-type]
        from_reserved=from_reserved,
    )


class LedgerMachine(RuleBasedStateMachine):
    """Real ledger vs. dict model; see the module docstring."""

    # -- set-up ----------------------------------------------------------

    @initialize()
    def open_store(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="syncd-model-")
        self.store = Store(Path(self.dir) / "syncd.db")
        self.tid: dict[str, int] = {}
        self.sku_id: dict[tuple[str, str], int] = {}
        for name in TENANTS:
            tenant = catalog.add_tenant(self.store, name)
            self.tid[name] = tenant.id
            with self.store.write():
                for sku in PLAIN:
                    catalog.upsert_sku(self.store, tenant.id, SkuIn(sku=sku, name=sku, price=5_000))
                components = tuple(Component(sku=s, qty=q) for s, q in BUNDLES[name].items())
                catalog.upsert_sku(
                    self.store,
                    tenant.id,
                    SkuIn(sku=BUNDLE, name="Paket", price=9_000, components=components),
                )
            for sku in (*PLAIN, BUNDLE):
                self.sku_id[name, sku] = catalog.get_sku(self.store, tenant.id, sku).id
        self.bal: dict[tuple[str, str], Bal] = {(t, s): Bal() for t in TENANTS for s in PLAIN}
        # (tenant, idempotency key) -> (SKU, kind, qty) of every movement that was applied
        self.keys: dict[tuple[str, str], tuple[str, str, int]] = {}
        self.movements: dict[tuple[str, str], MovementIn] = {}  # single movements, by key
        self.sales: dict[tuple[str, str], list[tuple[int, str]]] = {}  # offline sales, by key
        self.refused: list[tuple[str, MovementIn, bool]] = []
        self.n = 0

    def teardown(self) -> None:
        store = getattr(self, "store", None)
        if store is not None:
            store.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    def key(self) -> str:
        self.n += 1
        return f"k-{self.n}"

    # -- observing the database --------------------------------------------

    def snapshot(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Every balance row and every movement id: what a refusal must not change."""
        balances = self.store.conn.execute(
            "SELECT tenant_id, sku_id, location_id, on_hand, reserved, last_movement_id "
            "FROM balance ORDER BY tenant_id, sku_id, location_id"
        ).fetchall()
        movements = self.store.conn.execute(
            "SELECT id, tenant_id FROM movement ORDER BY id"
        ).fetchall()
        return balances, movements

    def tenant_rows(self, tenant: str) -> list[tuple[Any, ...]]:
        tid = self.tid[tenant]
        return [row for row in self.snapshot()[0] if row[0] == tid]

    def db_balance(self, tenant: str, sku: str) -> tuple[int, int]:
        return ledger.balance(self.store, self.tid[tenant], self.sku_id[tenant, sku])

    def other(self, tenant: str) -> str:
        return TENANTS[1 - TENANTS.index(tenant)]

    # -- applying, with the model's prediction -----------------------------

    def expect_refused(self, refusal: Refusal, call: Any) -> None:
        before = self.snapshot()
        with pytest.raises(refusal.error) as info:
            call()
        assert info.value.key == refusal.key
        event(f"refused: {refusal.key}")
        assert self.snapshot() == before, "a refused operation changed the database"

    def apply_one(self, tenant: str, m: MovementIn, *, allow_negative: bool = False) -> None:
        """Apply one new movement through ``inventory.record`` and check it against the model."""
        outcome = predict(
            self.bal[tenant, m.sku],
            m.kind,
            m.qty,
            from_reserved=m.from_reserved,
            allow_negative=allow_negative,
        )
        tid = self.tid[tenant]
        if isinstance(outcome, Refusal):
            self.expect_refused(
                outcome,
                lambda: inventory.record(self.store, tid, [m], allow_negative=allow_negative),
            )
            self.refused.append((tenant, m, allow_negative))
            return
        other_before = self.tenant_rows(self.other(tenant))
        (done,) = inventory.record(self.store, tid, [m], allow_negative=allow_negative)
        assert not done.already
        assert (done.sku, done.kind, done.qty) == (m.sku, m.kind, m.qty)
        assert (done.on_hand, done.reserved) == (outcome.on_hand, outcome.reserved)
        assert self.tenant_rows(self.other(tenant)) == other_before, "tenant isolation broken"
        self.bal[tenant, m.sku] = outcome
        self.keys[tenant, m.key] = (m.sku, m.kind, m.qty)
        self.movements[tenant, m.key] = m
        event(f"applied: {m.kind}{' from reserved' if m.from_reserved else ''}")

    # -- rules: one movement of each kind ------------------------------------

    @rule(tenant=tenants, sku=skus, qty=qtys)
    def receive(self, tenant: str, sku: str, qty: int) -> None:
        self.apply_one(tenant, _movement(sku, "receipt", qty, self.key()))

    @rule(tenant=tenants, sku=skus, qty=st.integers(0, 25))
    def count(self, tenant: str, sku: str, qty: int) -> None:
        self.apply_one(tenant, _movement(sku, "count", qty, self.key()))

    @rule(tenant=tenants, sku=skus, qty=nonzero, neg=st.booleans())
    def adjust(self, tenant: str, sku: str, qty: int, neg: bool) -> None:
        self.apply_one(tenant, _movement(sku, "adjustment", qty, self.key()), allow_negative=neg)

    @rule(tenant=tenants, sku=skus, qty=qtys)
    def reserve(self, tenant: str, sku: str, qty: int) -> None:
        self.apply_one(tenant, _movement(sku, "reservation", qty, self.key()))

    def draw_consumed(self, data: st.DataObject) -> tuple[str, str, int]:
        """(tenant, SKU, qty) to take from reserved: often a SKU that has some, often
        within what it has, but anything can come up."""
        pairs: st.SearchStrategy[tuple[str, str]] = st.tuples(tenants, skus)
        held = sorted(k for k, b in self.bal.items() if b.reserved > 0)
        if held:
            pairs = st.sampled_from(held) | pairs
        tenant, sku = data.draw(pairs, label="tenant, sku")
        reserved = self.bal[tenant, sku].reserved
        return tenant, sku, data.draw(st.integers(1, max(reserved, 1)) | qtys, label="qty")

    @rule(data=st.data(), neg=st.booleans())
    def release(self, data: st.DataObject, neg: bool) -> None:
        tenant, sku, qty = self.draw_consumed(data)
        self.apply_one(tenant, _movement(sku, "release", qty, self.key()), allow_negative=neg)

    @rule(tenant=tenants, sku=skus, qty=qtys, neg=st.booleans())
    def sell(self, tenant: str, sku: str, qty: int, neg: bool) -> None:
        self.apply_one(tenant, _movement(sku, "sale", qty, self.key()), allow_negative=neg)

    @rule(data=st.data(), neg=st.booleans())
    def sell_reserved(self, data: st.DataObject, neg: bool) -> None:
        tenant, sku, qty = self.draw_consumed(data)
        m = _movement(sku, "sale", qty, self.key(), from_reserved=True)
        self.apply_one(tenant, m, allow_negative=neg)

    @rule(tenant=tenants, sku=skus, qty=qtys)
    def give_back(self, tenant: str, sku: str, qty: int) -> None:
        self.apply_one(tenant, _movement(sku, "return", qty, self.key()))

    @rule(tenant=tenants, sku=skus, qty=qtys, neg=st.booleans())
    def offline_single(self, tenant: str, sku: str, qty: int, neg: bool) -> None:
        self.apply_one(tenant, _movement(sku, "offline_sale", qty, self.key()), allow_negative=neg)

    # -- rules: several movements in one transaction -------------------------

    @rule(
        tenant=tenants,
        moves=st.lists(
            st.tuples(
                st.sampled_from(
                    ["receipt", "reservation", "release", "sale", "sale*", "offline_sale"]
                ),
                skus,
                qtys,
            ),
            min_size=1,
            max_size=4,
        ),
    )
    def record_batch(self, tenant: str, moves: list[tuple[str, str, int]]) -> None:
        """``inventory.record`` of several movements: all or none (sale* = from reserved)."""
        batch = [
            _movement(sku, kind.rstrip("*"), qty, self.key(), from_reserved=kind.endswith("*"))
            for kind, sku, qty in moves
        ]
        bal = dict(self.bal)
        for m in batch:
            outcome = predict(bal[tenant, m.sku], m.kind, m.qty, from_reserved=m.from_reserved)
            if isinstance(outcome, Refusal):
                self.expect_refused(
                    outcome, lambda: inventory.record(self.store, self.tid[tenant], batch)
                )
                return
            bal[tenant, m.sku] = outcome
        done = inventory.record(self.store, self.tid[tenant], batch)
        assert [d.already for d in done] == [False] * len(batch)
        self.bal = bal
        for m in batch:
            self.keys[tenant, m.key] = (m.sku, m.kind, m.qty)
            self.movements[tenant, m.key] = m
            event(f"applied in a batch: {m.kind}{' from reserved' if m.from_reserved else ''}")

    def expand(self, tenant: str, items: list[tuple[int, str]]) -> list[tuple[int, str]]:
        lines: list[tuple[int, str]] = []
        for qty, sku in items:
            if sku == BUNDLE:
                lines += [(qty * per, comp) for comp, per in sorted(BUNDLES[tenant].items())]
            else:
                lines.append((qty, sku))
        return lines

    def sell_offline(
        self, tenant: str, items: list[tuple[int, str]], key: str, *, allow_negative: bool
    ) -> list[ledger.Applied]:
        return inventory.record_offline_sale(
            self.store,
            self.tid[tenant],
            items,
            channel="whatsapp",
            key=key,
            actor="model",
            allow_negative=allow_negative,
        )

    @rule(
        tenant=tenants,
        items=st.lists(
            st.tuples(st.integers(1, 6), st.sampled_from((*PLAIN, BUNDLE))), min_size=1, max_size=3
        ),
        neg=st.booleans(),
    )
    def offline_sale(self, tenant: str, items: list[tuple[int, str]], neg: bool) -> None:
        """A multi-line cash / WhatsApp sale (bundles expand): every line, or none."""
        key = self.key()
        lines = self.expand(tenant, items)
        bal = dict(self.bal)
        after: list[Bal] = []
        for qty, sku in lines:
            outcome = predict(bal[tenant, sku], "offline_sale", qty, allow_negative=neg)
            if isinstance(outcome, Refusal):
                self.expect_refused(
                    outcome, lambda: self.sell_offline(tenant, items, key, allow_negative=neg)
                )
                return
            bal[tenant, sku] = outcome
            after.append(outcome)
        other_before = self.tenant_rows(self.other(tenant))
        done = self.sell_offline(tenant, items, key, allow_negative=neg)
        assert [(d.qty, d.sku, d.kind, d.already) for d in done] == [
            (qty, sku, "offline_sale", False) for qty, sku in lines
        ]
        assert [(d.on_hand, d.reserved) for d in done] == [(b.on_hand, b.reserved) for b in after]
        assert self.tenant_rows(self.other(tenant)) == other_before, "tenant isolation broken"
        self.bal = bal
        self.sales[tenant, key] = items
        for i, (qty, sku) in enumerate(lines, start=1):
            self.keys[tenant, f"{key}#{i}"] = (sku, "offline_sale", qty)

    # -- rules: duplicate and conflicting deliveries ---------------------------

    @precondition(lambda self: self.movements)
    @rule(data=st.data(), lower=st.booleans(), neg=st.booleans())
    def redeliver(self, data: st.DataObject, lower: bool, neg: bool) -> None:
        """The same movement again (SKU case may differ): already=True, nothing changes."""
        tenant, key = data.draw(st.sampled_from(sorted(self.movements)), label="delivery")
        m = self.movements[tenant, key]
        if lower:
            m = m.model_copy(update={"sku": m.sku.lower()})
        before = self.snapshot()
        (done,) = inventory.record(self.store, self.tid[tenant], [m], allow_negative=neg)
        original = self.movements[tenant, key]
        assert done.already
        assert (done.sku, done.kind, done.qty) == (original.sku, original.kind, original.qty)
        bal = self.bal[tenant, original.sku]
        assert (done.on_hand, done.reserved) == (bal.on_hand, bal.reserved)
        assert self.snapshot() == before, "a duplicate delivery changed the database"

    @precondition(lambda self: self.movements)
    @rule(data=st.data(), change=st.sampled_from(["qty", "kind", "sku"]))
    def conflicting_key(self, data: st.DataObject, change: str) -> None:
        """A key already used for another movement: IdempotencyConflict, nothing changes."""
        tenant, key = data.draw(st.sampled_from(sorted(self.movements)), label="delivery")
        m = self.movements[tenant, key]
        if change == "qty":
            update: dict[str, object] = {"qty": m.qty + 1 if m.qty != -1 else 1}
        elif change == "kind":
            kinds = [k for k in ("receipt", "return", "reservation", "offline_sale") if k != m.kind]
            update = {"kind": data.draw(st.sampled_from(kinds), label="kind")}
        else:
            update = {"sku": data.draw(st.sampled_from([s for s in PLAIN if s != m.sku]))}
        other = m.model_copy(update=update)
        self.expect_refused(
            Refusal(IdempotencyConflict, "ledger.idem_conflict"),
            lambda: inventory.record(self.store, self.tid[tenant], [other], allow_negative=True),
        )

    @precondition(lambda self: self.movements)
    @rule(data=st.data(), qty=qtys)
    def same_key_other_tenant(self, data: st.DataObject, qty: int) -> None:
        """Keys are per tenant: B may use a key A already used, for anything."""
        tenant, key = data.draw(st.sampled_from(sorted(self.movements)), label="delivery")
        other = self.other(tenant)
        if (other, key) in self.keys:
            return
        sku = data.draw(skus, label="sku")
        self.apply_one(other, _movement(sku, "receipt", qty, key))

    @precondition(lambda self: self.refused)
    @rule(data=st.data())
    def retry_refused(self, data: st.DataObject) -> None:
        """A refused movement left no key behind: retrying it is judged afresh."""
        tenant, m, neg = data.draw(st.sampled_from(self.refused), label="refused")
        if (tenant, m.key) in self.keys:
            return  # retried successfully already; redeliver covers that key
        self.apply_one(tenant, m, allow_negative=neg)

    @precondition(lambda self: self.sales)
    @rule(data=st.data(), neg=st.booleans())
    def redeliver_sale(self, data: st.DataObject, neg: bool) -> None:
        """The same offline sale again: every line already applied, nothing changes."""
        tenant, key = data.draw(st.sampled_from(sorted(self.sales)), label="sale")
        items = self.sales[tenant, key]
        before = self.snapshot()
        done = self.sell_offline(tenant, items, key, allow_negative=neg)
        assert [(d.qty, d.sku, d.already) for d in done] == [
            (qty, sku, True) for qty, sku in self.expand(tenant, items)
        ]
        assert self.snapshot() == before, "a repeated sale changed the database"

    @precondition(lambda self: self.sales)
    @rule(data=st.data())
    def conflicting_sale(self, data: st.DataObject) -> None:
        """The same sale key with a different first item: IdempotencyConflict, no change."""
        tenant, key = data.draw(st.sampled_from(sorted(self.sales)), label="sale")
        items = self.sales[tenant, key]
        changed = [(items[0][0] + 1, items[0][1]), *items[1:]]
        self.expect_refused(
            Refusal(IdempotencyConflict, "ledger.idem_conflict"),
            lambda: self.sell_offline(tenant, changed, key, allow_negative=True),
        )

    # -- rules: input the ledger must refuse -----------------------------------

    @rule(
        tenant=tenants,
        bad=st.sampled_from(
            [
                ("receipt", "KOPI-250", 0, "ledger.bad_qty"),
                ("return", "TEH-100", -2, "ledger.bad_qty"),
                ("reservation", "NASTAR-500", 0, "ledger.bad_qty"),
                ("count", "KOPI-250", -1, "ledger.bad_qty"),
                ("adjustment", "TEH-100", 0, "ledger.bad_qty"),
                ("offline_sale", "KOPI-250", -3, "ledger.bad_qty"),
                ("receipt", BUNDLE, 5, "sku.bundle_no_stock"),
            ]
        ),
    )
    def bad_input(self, tenant: str, bad: tuple[str, str, int, str]) -> None:
        kind, sku, qty, error_key = bad
        m = _movement(sku, kind, qty, self.key())
        self.expect_refused(
            Refusal(UserError, error_key),
            lambda: inventory.record(self.store, self.tid[tenant], [m], allow_negative=True),
        )

    @rule(tenant=tenants)
    def unknown_sku(self, tenant: str) -> None:
        m = _movement("TIDAK-ADA", "receipt", 1, self.key())
        self.expect_refused(
            Refusal(NotFound, "sku.unknown"),
            lambda: inventory.record(self.store, self.tid[tenant], [m]),
        )

    # -- invariants -----------------------------------------------------------

    @invariant()
    def balances_equal_model(self) -> None:
        for (tenant, sku), bal in self.bal.items():
            assert self.db_balance(tenant, sku) == (bal.on_hand, bal.reserved), (tenant, sku)
        for tenant in TENANTS:
            assert self.db_balance(tenant, BUNDLE) == (0, 0), "a bundle holds no stock"

    @invariant()
    def ledger_check_is_clean(self) -> None:
        problems, movements, balances = ledger.check(self.store)
        assert problems == []
        assert movements == len(self.keys)
        touched = {(tenant, sku) for (tenant, _), (sku, _, _) in self.keys.items()}
        assert balances == len(touched)

    @invariant()
    def idempotency_keys_equal_model(self) -> None:
        """Exactly the applied movements exist, once each, with their SKU, kind and qty."""
        name = {tid: tenant for tenant, tid in self.tid.items()}
        rows = self.store.conn.execute(
            "SELECT m.tenant_id, m.idem_key, s.sku, m.kind, m.qty FROM movement m "
            "JOIN sku s ON s.id = m.sku_id"
        ).fetchall()
        got = {(name[tid], key): (sku, kind, qty) for tid, key, sku, kind, qty in rows}
        assert len(got) == len(rows)
        assert got == self.keys

    @invariant()
    def available_within_bounds(self) -> None:
        for tenant in TENANTS:
            for sku in PLAIN:
                on_hand, reserved = self.db_balance(tenant, sku)
                available = max(0, on_hand - reserved)
                assert reserved >= 0, (tenant, sku, reserved)
                assert 0 <= available <= max(on_hand, 0), (tenant, sku, on_hand, reserved)


LedgerMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
TestLedgerModel = LedgerMachine.TestCase


# -- plain tests ----------------------------------------------------------------


@pytest.fixture
def store_with_sku(tmp_path: Path) -> Iterator[tuple[Store, int]]:
    store = Store(tmp_path / "syncd.db")
    tenant = catalog.add_tenant(store, "toko")
    with store.write():
        catalog.upsert_sku(store, tenant.id, SkuIn(sku="KOPI-250", name="Kopi", price=5_000))
    try:
        yield store, tenant.id
    finally:
        store.close()


def _movement_rows(store: Store) -> list[tuple[Any, ...]]:
    return store.conn.execute("SELECT * FROM movement ORDER BY id").fetchall()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE movement SET qty = 99",
        "UPDATE movement SET on_hand_delta = on_hand_delta + 1 WHERE id = 1",
        "DELETE FROM movement",
        "DELETE FROM movement WHERE id = 1",
    ],
)
def test_movement_table_is_append_only(store_with_sku: tuple[Store, int], sql: str) -> None:
    store, tenant_id = store_with_sku
    inventory.record(store, tenant_id, [_movement("KOPI-250", "receipt", 5, "r-1")])
    before = _movement_rows(store)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.write():
        store.conn.execute(sql)
    assert _movement_rows(store) == before
    assert ledger.check(store)[0] == []


def test_sale_from_reserved_cannot_consume_more_than_reserved(
    store_with_sku: tuple[Store, int],
) -> None:
    store, tenant_id = store_with_sku
    inventory.record(store, tenant_id, [_movement("KOPI-250", "receipt", 2, "r-1")])
    before = _movement_rows(store)
    with pytest.raises(UserError):
        inventory.record(
            store, tenant_id, [_movement("KOPI-250", "sale", 5, "s-1", from_reserved=True)]
        )
    assert _movement_rows(store) == before


def test_allow_negative_does_not_let_reserved_go_negative(
    store_with_sku: tuple[Store, int],
) -> None:
    store, tenant_id = store_with_sku
    inventory.record(store, tenant_id, [_movement("KOPI-250", "reservation", 1, "res-1")])
    with pytest.raises(UserError):
        inventory.record(
            store, tenant_id, [_movement("KOPI-250", "release", 3, "rel-1")], allow_negative=True
        )
    sku_id = catalog.get_sku(store, tenant_id, "KOPI-250").id
    assert ledger.balance(store, tenant_id, sku_id) == (0, 1)


def test_insert_or_replace_cannot_rewrite_a_movement(tmp_path: Path) -> None:
    """REPLACE deletes the old row, and SQLite fires the DELETE trigger for that only
    with ``PRAGMA recursive_triggers=ON``, which ``Store`` sets on every connection."""
    path = tmp_path / "syncd.db"
    with Store(path) as store:
        tenant = catalog.add_tenant(store, "toko")
        with store.write():
            catalog.upsert_sku(store, tenant.id, SkuIn(sku="KOPI-250", name="Kopi", price=5_000))
        inventory.record(store, tenant.id, [_movement("KOPI-250", "receipt", 5, "r-1")])
        before = _movement_rows(store)
    with Store(path) as store:  # e.g. a `syncd sale` process: never needs sqlite-utils
        with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.write():
            store.conn.execute(
                "INSERT OR REPLACE INTO movement (id, tenant_id, sku_id, location_id, kind, "
                "qty, on_hand_delta, reserved_delta, idem_key, source, actor, at) "
                "SELECT id, tenant_id, sku_id, location_id, kind, 500, 500, 0, idem_key, "
                "source, actor, at FROM movement WHERE id = 1"
            )
        assert _movement_rows(store) == before, "a movement was rewritten in place"
