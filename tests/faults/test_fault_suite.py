"""The fault-injection suite (issue 10): a hostile proxy in front of each simulator.

Hypothesis draws a plan of spoiled answers (``tests/faults/proxy.py``: truncated, cut,
garbage, HTML, 5xx/429, one hostile value, a dropped key, floods past the size cap,
replays, reordered lists, delays, drips past the deadline) while buyers order and the
seller's stock changes. syncd's jobs run as the daemon runs them (an exception is a
failed job, never the end). When the plan is over the shop must recover:

* within two sync cycles every listing shows what syncd wants (no re-read of the shop:
  an order set aside because of a spoiled answer is read again on its own);
* the jobs run without error, and a new order is ingested (no cursor is stuck);
* the daemon itself (``Daemon.run_once`` over the same database) runs every job of the
  shop without a failure, and the listings still show what syncd wants;
* no order line outside 1..10^6 units reached the database; every order set aside is
  listed by ``syncd quarantine list``; no secret is anywhere in the database files.

The suite serves 14 plans of 160 spoiled answers per adapter (11,200 with the five built-in
adapters; ``SYNCD_FAULT_EXAMPLES`` sets the 14); the counts per kind are printed and
written to ``<pytest basetemp>/fault-counts.json``.
"""

from __future__ import annotations

import io
import json
import os
import random
import time
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import adapters
from syncd import catalog, credentials, inventory, sync
from syncd.adapter import MAX_LINE_QTY
from syncd.cli import main
from syncd.daemon import Daemon
from syncd.errors import AdapterError, CircuitOpen
from syncd.models import MovementIn
from tests.contract.test_contract import MASTER, build_world
from tests.faults.proxy import KINDS, FaultProxy

pytestmark = pytest.mark.slow

#: spoiled answers per hypothesis example, and examples per adapter (5 x 14 x 160 = 11,200;
#: issue 10 asks for 10,000; sized so that `make test` stays well inside 15 minutes)
PER_EXAMPLE = 160
EXAMPLES = int(os.environ.get("SYNCD_FAULT_EXAMPLES", "14"))
CAP = 64 * 1024  # the adapters' answer cap here (far above these small pages)
DEADLINE = 0.3  # and their deadline per attempt: a drip lasts longer
TOTALS: Counter[str] = Counter()
#: how often each kind is drawn (a drip costs a deadline of real time: rare)
WEIGHTED = [k for k in KINDS for _ in range({"mutate": 40, "drip": 1}.get(k, 10))]
FAULT = st.tuples(st.sampled_from(WEIGHTED), st.integers(0, 2**20))
TUNING = {  # fast retries and a breaker that recovers at once: the test's clock is real
    "max_attempts": 2,
    "base_wait": 0.001,
    "max_wait": 0.005,
    "timeout": 2.0,
    "deadline": DEADLINE,
    "max_answer_bytes": CAP,
    "breaker_threshold": 50,
    "breaker_reset_after": 0.002,
}


def _db_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*") if p.is_file())


@pytest.mark.parametrize("name", sorted(adapters.available()))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same plans in every run: a failure is reproduced by rerunning
    phases=(Phase.explicit, Phase.generate),  # shrinking 200-answer plans takes many minutes
)
@given(plan=st.lists(FAULT, min_size=PER_EXAMPLE, max_size=PER_EXAMPLE), seed=st.integers())
def test_spoiled_answers_never_stop_a_shop_nor_reach_the_ledger(  # noqa: PLR0912
    tmp_path_factory: pytest.TempPathFactory, name: str, plan: list[tuple[str, int]], seed: int
) -> None:
    rng = random.Random(seed)  # noqa: S311 - the buyers' choices
    w = build_world(name, tmp_path_factory.mktemp(name))
    h = w.harness
    h.seed()
    sync.discover(w.store, w.rt)
    sync.push(w.store, w.rt)
    queue = list(plan)

    def next_fault(path: str) -> tuple[str, int] | None:
        if "/auth" in path or "token" in path or not queue:  # authorization: defect 3
            return None
        return queue.pop(0)

    proxy = FaultProxy(h.sim.base_url, next_fault, cap=CAP, drip_for=DEADLINE + 0.5).start()
    rt = None
    try:
        base = str(w.account.settings["base_url"]).replace(h.sim.base_url, proxy.url)
        tuned = {"base_url": base, **TUNING}
        catalog.edit_channel(w.store, w.tenant.id, w.account.name, settings=tuned)
        account = sync.load_account(w.store, w.account.id)
        assert account is not None
        rt = sync.build_runtime(w.store, w.vault, account, now=h.now)
        failed = 0
        ends = time.monotonic() + 120
        n = 0
        while queue and time.monotonic() < ends:
            n += 1
            x = w.listing(rng.choice(sorted(MASTER)))
            if rng.random() < 0.3:
                h.place_order(x.item_id, x.variant_id, rng.randint(1, 2))
            if rng.random() < 0.1:
                inventory.record(
                    w.store,
                    w.tenant.id,
                    [
                        MovementIn(
                            sku=x.sku, kind="receipt", qty=2, key=f"r{n}", source="t", actor="t"
                        )
                    ],
                )
            try:  # one job, as the daemon runs it: its failure is recorded, never fatal
                sync.push(w.store, rt)
            except CircuitOpen:
                time.sleep(0.003)  # the breaker is open: the next job comes later
            except AdapterError:
                failed += 1
            if rng.random() < 0.2:
                h.advance(1)
        assert not queue, "the plan was not served"
        # -- the faults are over: the shop recovers -------------------------------------
        time.sleep(0.01)  # the breaker lets a probe through
        h.advance(2)
        for _ in range(2):
            sync.push(w.store, rt)  # no error: nothing is stuck
        x = w.listing(sorted(MASTER)[0])
        fresh = h.place_order(x.item_id, x.variant_id, 1)
        h.advance(2)
        sync.pull_orders(w.store, rt)
        if fresh is not None:
            assert w.store.scalar("SELECT COUNT(*) FROM order_line WHERE order_id = ?", (fresh,)), (
                "a new order was not ingested: the cursor is stuck"
            )
        for _ in range(2):
            sync.push(w.store, rt)
        for sku in MASTER:
            listing = w.listing(sku)
            row = w.store.one(
                "SELECT desired, sent_value, status, last_error FROM outbox"
                " WHERE listing_id = ? AND field = 'stock'",
                (listing.id,),
            )
            assert row is not None
            shown = h.shown(listing.item_id, listing.variant_id)
            assert shown == row["desired"], (name, sku, shown, dict(row))
        bounds = w.store.one("SELECT MIN(qty) AS low, MAX(qty) AS high FROM order_line")
        assert bounds is not None
        if bounds["low"] is not None:
            assert 1 <= bounds["low"] <= bounds["high"] <= MAX_LINE_QTY
        aside = [r[0] for r in w.store.conn.execute("SELECT order_id FROM quarantine")]
        if aside:
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err):
                main(["--db", str(w.store.path), "--lang", "en", "quarantine", "list"])
            assert all(order in out.getvalue() for order in aside if order)
        # the daemon itself over the same database, through the (now honest) proxy: alive,
        # every job ends, and the listings still show what syncd wants
        daemon = Daemon(w.store.path)
        with daemon.running():
            counts = daemon.run_once()
        assert counts.get("failed", 0) == 0, counts
        for sku in MASTER:
            listing = w.listing(sku)
            want = w.store.scalar(
                "SELECT desired FROM outbox WHERE listing_id = ? AND field = 'stock'",
                (listing.id,),
            )
            assert h.shown(listing.item_id, listing.variant_id) == want, ("daemon", name, sku)
        sealed = credentials.load(w.store, w.vault, w.tenant.id, w.account.id)
        secrets = [*sealed.app.values()]
        if sealed.tokens is not None:
            secrets += [sealed.tokens.access_token, sealed.tokens.refresh_token]
        raw = _db_bytes(w.store.path)
        assert not [s for s in secrets if len(s) >= 6 and s.encode() in raw]
    finally:
        TOTALS.update({f"{name}:{k}": v for k, v in proxy.counts.items()})
        proxy.stop()
        if rt is not None and rt.adapter is not None:
            rt.adapter.close()
        if w.rt.adapter is not None:
            w.rt.adapter.close()
        w.store.close()
        h.stop()


def test_the_suite_served_enough_spoiled_answers(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Runs after the suite above (same module, file order): its counts, printed."""
    spoiled = sum(v for k, v in TOTALS.items() if not k.endswith(":pass"))
    per_kind: Counter[str] = Counter()
    for key, value in TOTALS.items():
        per_kind[key.split(":", 1)[1]] += value
    report = {"spoiled": spoiled, "per_kind": dict(sorted(per_kind.items())), "raw": dict(TOTALS)}
    (tmp_path_factory.getbasetemp() / "fault-counts.json").write_text(json.dumps(report, indent=1))
    print(f"\nfault suite: {spoiled} spoiled answers; per kind: {dict(sorted(per_kind.items()))}")
    assert spoiled >= len(adapters.available()) * EXAMPLES * PER_EXAMPLE * 0.9  # all served
    if "SYNCD_FAULT_EXAMPLES" not in os.environ:
        assert spoiled >= 10_000  # what issue 10 asks of the suite
