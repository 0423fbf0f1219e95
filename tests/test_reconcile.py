"""Read-back reconciliation (issue 12, item 3) on a WooCommerce store's simulator.

A hand edit between pushes is found and classified *edited* within one reconcile and
handled by each policy; a sale not yet pulled is classified as such and pulled; an
in-flight push is never reported as an edit; random interleavings end with every
listing at its desired value or a recorded, classified difference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd import catalog, inventory, ledger, outbox, reconcile, sync
from syncd.models import MovementIn
from tests.conftest import Cli
from tests.contract.harness_woocommerce import WooHarness
from tests.contract.test_contract import MASTER, World, build_world

LATER = dt.timedelta(minutes=5)  # past reconcile.GRACE: pushes answered then have settled


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world("woocommerce", tmp_path, WooHarness)
    w.harness.seed()
    sync.discover(w.store, w.rt)
    sync.push(w.store, w.rt)
    yield w
    w.close()


def _run(world: World) -> reconcile.ReconcileReport:
    return reconcile.reconcile(world.store, world.rt, at=dt.datetime.now(dt.UTC) + LATER)


def _ids(world: World, sku: str) -> tuple[int, int]:
    x = world.listing(sku)
    return int(x.item_id), int(x.variant_id or 0)


def _balance(world: World, sku: str) -> int:
    found = catalog.get_sku(world.store, world.tenant.id, sku)
    return ledger.balance(world.store, world.tenant.id, found.id)[0]


def test_nothing_to_report_when_every_listing_shows_its_value(world: World) -> None:
    report = _run(world)
    assert report.listings == 3
    assert report.same == 3
    assert report.differences == []
    assert not report.pulled  # nothing to explain: no order pull


def test_a_hand_edit_is_found_and_syncd_wins_by_default(world: World) -> None:
    h: WooHarness = world.harness
    h.sim.edit_stock(*_ids(world, "KOPI-250"), 99)
    report = _run(world)
    assert [(d.sku, d.cls, d.shown, d.sent) for d in report.differences] == [
        ("KOPI-250", "edited", 99, MASTER["KOPI-250"])
    ]
    assert report.differences[0].action == f"resent:{MASTER['KOPI-250']}"
    assert reconcile.action_text(report.differences[0].action, lang="en") == (
        f"syncd's value {MASTER['KOPI-250']} sent again"
    )
    sync.push(world.store, world.rt)
    assert h.sim.stock(*_ids(world, "KOPI-250")) == MASTER["KOPI-250"]
    assert _balance(world, "KOPI-250") == MASTER["KOPI-250"]  # the ledger is untouched


def test_a_hand_edit_becomes_a_stock_count_when_the_seller_says_so(world: World) -> None:
    h: WooHarness = world.harness
    reconcile.set_policy(world.store, world.tenant.id, "count", actor="bu-sri")
    h.sim.edit_stock(*_ids(world, "KOPI-250"), MASTER["KOPI-250"] - 3)  # 3 broken jars
    report = _run(world)
    assert report.differences[0].cls == "edited"
    assert report.differences[0].action == "counted:-3"
    assert _balance(world, "KOPI-250") == MASTER["KOPI-250"] - 3
    moved = world.store.one("SELECT source, kind, qty, reason FROM movement ORDER BY id DESC")
    assert (moved["source"], moved["kind"], moved["qty"]) == ("marketplace", "adjustment", -3)
    assert "edited on woocommerce" in moved["reason"]
    assert sync.push(world.store, world.rt)["stock"].sent == 0  # it shows the count already
    assert _run(world).differences == []


def test_ask_leaves_it_for_the_seller(world: World, cli: Cli, db_path: Path) -> None:
    h: WooHarness = world.harness
    reconcile.set_policy(world.store, world.tenant.id, "ask")
    h.sim.edit_stock(*_ids(world, "NASTAR-500"), 7)
    report = _run(world)
    assert report.differences[0].action == "asked"
    assert sync.push(world.store, world.rt)["stock"].sent == 0
    assert h.sim.stock(*_ids(world, "NASTAR-500")) == 7
    kinds = [r["kind"] for r in world.store.all("SELECT kind FROM event")]
    assert "drift.edited" in kinds


def test_a_sale_not_yet_pulled_is_not_an_edit(world: World) -> None:
    h: WooHarness = world.harness
    x = world.listing("KOPI-250")
    order = h.place_order(x.item_id, x.variant_id, 2)
    assert order is not None
    h.sim.set_status(int(order), "processing")  # the store lowers its own stock
    report = _run(world)
    assert [(d.cls, d.action) for d in report.differences] == [("unpulled_sale", "pulled")]
    assert report.pulled
    assert _balance(world, "KOPI-250") == MASTER["KOPI-250"] - 2  # the pull took the sale
    sync.push(world.store, world.rt)
    assert h.sim.stock(*_ids(world, "KOPI-250")) == MASTER["KOPI-250"] - 2


def test_an_in_flight_push_is_never_reported_as_an_edit(world: World) -> None:
    inventory.record(
        world.store,
        world.tenant.id,
        [MovementIn(sku="KOPI-250", kind="receipt", qty=5, key="more", source="t", actor="t")],
    )  # a new value waits in the outbox, not pushed yet
    report = _run(world)
    assert [(d.sku, d.cls) for d in report.differences] == [("KOPI-250", "in_flight")]
    sync.push(world.store, world.rt)
    just_now = reconcile.reconcile(world.store, world.rt, at=dt.datetime.now(dt.UTC))
    assert just_now.differences == []  # it shows the value pushed a moment ago


def test_a_listing_gone_from_the_store_is_reported(world: World) -> None:
    h: WooHarness = world.harness
    h.sim.delete_product(_ids(world, "KOPI-250")[0])
    report = _run(world)
    assert [(d.sku, d.cls) for d in report.differences] == [("KOPI-250", "unknown")]


def test_drift_and_reconcile_from_the_cli(world: World, cli: Cli, db_path: Path) -> None:
    world.harness.sim.edit_stock(*_ids(world, "KOPI-250"), 99)
    _run(world)
    shown = cli("--db", str(world.store.path), "--lang", "en", "drift", db=False)
    assert shown.code == 0, shown.err
    assert "edited on the marketplace" in shown.out
    assert "99" in shown.out
    assert f"syncd's value {MASTER['KOPI-250']} sent again" in shown.out
    logs = cli("--db", str(world.store.path), "--lang", "en", "logs", db=False)
    assert "Shows 99 on the marketplace (edited by hand), syncd sent" in logs.out
    indonesian = cli("--db", str(world.store.path), "drift", db=False)
    assert "dikirim lagi" in indonesian.out
    policy = cli("--db", str(world.store.path), "--lang", "en", "drift", "policy", "ask", db=False)
    assert "Drift policy: ask" in policy.out
    bad = cli("--db", str(world.store.path), "--lang", "en", "drift", "policy", "never", db=False)
    assert bad.code == 1
    assert "syncd, count or ask" in bad.err


ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.sampled_from(["KOPI-250", "NASTAR-500"]), st.integers(1, 3)),
        st.tuples(st.just("edit"), st.sampled_from(["KOPI-250", "NASTAR-500"]), st.integers(0, 60)),
        st.tuples(st.just("push"), st.just(""), st.just(0)),
        st.tuples(st.just("reconcile"), st.just(""), st.just(0)),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ACTIONS, st.sampled_from(reconcile.POLICIES))
def test_any_interleaving_ends_at_desired_or_reported(
    tmp_path_factory: pytest.TempPathFactory, actions: list[tuple[str, str, int]], pol: str
) -> None:
    w = build_world("woocommerce", tmp_path_factory.mktemp("rec"), WooHarness)
    try:
        w.harness.seed()
        sync.discover(w.store, w.rt)
        sync.push(w.store, w.rt)
        reconcile.set_policy(w.store, w.tenant.id, pol)
        for kind, sku, n in actions:
            if kind == "order":
                x = w.listing(sku)
                order = w.harness.place_order(x.item_id, x.variant_id, n)
                if order is not None:
                    w.harness.sim.set_status(int(order), "processing")
            elif kind == "edit":
                w.harness.sim.edit_stock(*_ids(w, sku), n)
            elif kind == "push":
                sync.push(w.store, w.rt)
            else:
                _run(w)
        final = _run(w)
        sync.push(w.store, w.rt)
        reported = {d.listing_id for d in final.differences if d.cls == "edited" and pol == "ask"}
        desired = dict(
            w.store.conn.execute(
                "SELECT listing_id, desired FROM outbox WHERE field = 'stock'"
            ).fetchall()
        )
        for sku in MASTER:
            x = w.listing(sku)
            shown = w.harness.sim.stock(*_ids(w, sku))
            assert shown == desired[x.id] or x.id in reported, (sku, shown, desired[x.id])
        assert outbox.parked(w.store, w.tenant.id) == []
    finally:
        w.close()
