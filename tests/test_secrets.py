"""Secrets never reach logs, errors, tracebacks or the database file in plain text.

Canary values (the partner key and the tokens the simulator issues) are pushed
through every error path we have; then every captured byte is searched for them.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

import adapters
from syncd import catalog, credentials, ledger, sync
from syncd.adapter import StockUpdate
from syncd.daemon import Daemon
from syncd.errors import AdapterError
from syncd.http import CircuitBreaker, Limiter
from syncd.log import configure
from syncd.models import ChannelIn, MovementIn, SkuIn
from syncd.store import Store
from tests.contract.harness_shopee import ShopeeHarness

CANARY_KEY = "CANARY-partner-key-7f3a9c1e5b"


def test_canaries_appear_nowhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    log = io.StringIO()
    configure(json=True, level="debug", stream=log)
    caplog.set_level(logging.DEBUG)
    harness = ShopeeHarness(partner_key=CANARY_KEY)
    harness.start()
    errors: list[str] = []
    db = tmp_path / "s.db"
    try:
        store = Store(db)
        tenant = catalog.add_tenant(store, "T")
        with store.write():
            catalog.upsert_sku(store, tenant.id, SkuIn(sku="KOPI-250", name="Kopi", price=1000))
        ledger.record(
            store,
            tenant.id,
            [MovementIn(sku="KOPI-250", kind="receipt", qty=9, key="r", source="t", actor="t")],
        )
        ch = catalog.add_channel(
            store,
            tenant.id,
            ChannelIn(name="shopee", marketplace="shopee", shop_id=harness.shop_id),
            settings={**harness.settings(), "max_attempts": 2, "timeout": 0.5},
            accepted=True,  # the test accepts pushes from the start
            price_sync="push",
        )
        vault = credentials.Vault(credentials.load_key(db))
        credentials.save(store, vault, tenant.id, ch.id, app={"partner_key": CANARY_KEY})
        account = sync.load_accounts(store)[0]
        rt = sync.build_runtime(store, vault, account)
        assert rt.adapter is not None
        tokens = rt.adapter.exchange_code(harness.authorize())
        credentials.save(store, vault, tenant.id, ch.id, tokens=tokens)
        rt.load(store)
        harness.seed()
        sync.discover(store, rt)
        canaries = [CANARY_KEY, tokens.access_token, tokens.refresh_token]
        harness.sim.timeout_hold = 3.0
        x = catalog.list_listings(store, tenant.id)[0]
        for n, fault in enumerate(
            ("500", "timeout", "malformed", "retryable_body", "fatal_body", "429", "expire_token")
        ):
            harness.inject(fault, "stock", times=3)
            update = StockUpdate(x.id, x.item_id, x.variant_id, n, n + 1)
            try:  # straight to the adapter: the raw errors, after the HTTP layer's retries
                sync.with_auth(store, rt, lambda u=update: rt.adapter.push_stock([u]))  # type: ignore[union-attr,misc]
            except AdapterError as exc:
                errors.append(repr(exc) + str(exc))
            sync.push(store, rt)  # and through the pusher, which records what failed
        # the daemon path: a job that fails, with a traceback logged
        harness.inject("malformed", "orders", times=20)
        daemon = Daemon(db, workers=1)
        with daemon.running():
            daemon.load_accounts()
            daemon.submit("pull", account.id)
            assert daemon.wait_idle(30)
            assert daemon.counts["failed"] == 1
        # a wrong key: the signature error
        ctx = rt.context(credentials.load(store, vault, tenant.id, account.id))
        ctx.secrets = {"partner_key": CANARY_KEY[::-1]}
        wrong = adapters.load("shopee").create(ctx, limiter=Limiter(), breaker=CircuitBreaker())
        try:
            list(wrong.discover())
        except AdapterError as exc:
            errors.append(repr(exc) + str(exc))
        wrong.close()
        rt.adapter.close()
        canaries += [rt.tokens.access_token, rt.tokens.refresh_token]  # type: ignore[union-attr]
        events = json.dumps(store.all("SELECT * FROM event"), default=str)
        outbox_errors = json.dumps(store.all("SELECT last_error FROM outbox"), default=str)
        store.close()
    finally:
        harness.stop()
        configure(json=False, level="warning")
    out, err = capsys.readouterr()
    captured = {
        "structlog": log.getvalue(),
        "stdout": out,
        "stderr": err,
        "errors": "\n".join(errors),
        "logging": "\n".join(r.getMessage() for r in caplog.records),
        "events": events,
        "outbox": outbox_errors,
        "db": b"".join(p.read_bytes() for p in tmp_path.glob("s.db*") if p.suffix != ".key").decode(
            "latin-1"
        ),
    }
    assert "job.crashed" in captured["structlog"]  # the traceback path really ran
    assert "Traceback" in captured["structlog"] or "exception" in captured["structlog"]
    assert len(errors) >= 5  # the error paths really raised
    for where, text in captured.items():
        for canary in canaries:
            assert canary not in text, f"a secret leaked into {where}"
