"""A sync log an operator can act on (issue 12, item 4), through the CLI on a store.

``logs --sku/--order/--correlation`` show the order → movement → push → answer chain,
successful pushes included; parked pushes are listed, retried and dropped, each with
who did it; ``history`` shows rule, binding, channel and policy changes (who, old →
new); ``events prune`` keeps the retention period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from syncd import audit
from syncd.store import Store
from tests.conftest import Cli
from tests.contract.harness_woocommerce import WooHarness


@pytest.fixture
def shop(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[WooHarness, str]]:
    """A WooCommerce store connected, discovered and accepted; returns (harness, kopi id)."""
    h = WooHarness()
    h.start()
    try:
        items = h.seed()
        kopi = next(i for i in items if i[0] == "KOPI-250")[1]
        for args in (
            ["init"],
            ["tenant", "add", "Dapur Bu Sri"],
            ["product", "add", "KOPI-250", "--name", "Kopi", "--price", "45000"],
            ["product", "add", "NASTAR-500", "--name", "Nastar", "--price", "85000"],
            ["stock", "set", "KOPI-250", "10", "--reason", "opname"],
            ["stock", "set", "NASTAR-500", "5", "--reason", "opname"],
        ):
            assert cli(*args).code == 0, args
        add = cli(
            "channel", "add", "toko", "--marketplace", "woocommerce", "--shop-id", h.shop_id,
            "--base-url", h.sim.base_url, "--consumer-key", h.consumer_key,
        )  # fmt: skip
        assert add.code == 0, add.err
        monkeypatch.setenv("SYNCD_PARTNER_KEY", h.consumer_secret)
        for args in (["channel", "connect", "toko"], ["channel", "discover", "toko"]):
            assert cli(*args).code == 0, args
        assert cli("--actor", "bu-sri", "channel", "accept", "toko").code == 0
        yield h, kopi
    finally:
        h.stop()


def test_logs_show_the_whole_chain_of_an_order(cli: Cli, shop: tuple[WooHarness, str]) -> None:
    h, kopi = shop
    assert cli("run", "--once").code == 0  # the first values go out
    order = h.sim.place_order([(int(kopi), 0, 3)], status="processing")
    assert order is not None
    for _ in range(2):  # the pull that reads the order, then the push it causes
        assert cli("run", "--once").code == 0
    assert h.shown(kopi, "") == 7
    by_sku = cli("--lang", "en", "logs", "--sku", "KOPI-250")
    assert by_sku.code == 0, by_sku.err
    lines = by_sku.out.splitlines()
    steps = [
        next(w for w in ("order", "movement", "push") if w in ln)
        for ln in lines[1:]
        if any(w in ln for w in ("order", "movement", "push"))
    ]
    assert steps.index("order") < len(steps) - 1 - steps[::-1].index("push")
    assert f"order {order} line" in by_sku.out
    assert "sale 3" in by_sku.out
    assert "stock = 10 → ok" in by_sku.out  # successful pushes too
    assert "stock = 7 → ok" in by_sku.out
    by_order = cli("--lang", "en", "logs", "--order", str(order))
    assert f"order {order} line" in by_order.out
    assert "sale 3" in by_order.out
    assert "stock = 7 → ok" in by_order.out
    assert "stock = 10 → ok" not in by_order.out  # not caused by this order
    cid = cli("--lang", "en", "logs", "--correlation", f"ord:1:{order}")
    assert "stock = 7 → ok" in cid.out
    none = cli("--lang", "en", "logs", "--order", "NO-SUCH")
    assert "Nothing recorded" in none.out


def test_parked_pushes_are_listed_retried_and_dropped(
    cli: Cli, shop: tuple[WooHarness, str], db_path: object
) -> None:
    h, kopi = shop
    h.sim.fail_item(int(kopi), "product is locked by a plugin")
    assert cli("run", "--once").code == 1  # the refused push is a failed job
    parked = cli("--lang", "en", "outbox", "--parked")
    assert "product is locked by a plugin" in parked.out
    seq = next(ln.split()[0] for ln in parked.out.splitlines() if "KOPI-250" in ln)
    assert cli("--lang", "en", "outbox", "retry").code == 1  # neither ids nor --all
    h.sim._failing.clear()  # the plugin lets go
    retried = cli("--lang", "en", "--actor", "operator-ani", "outbox", "retry", seq)
    assert retried.code == 0, retried.err
    assert "1 push(es) will be tried again" in retried.out
    assert cli("run", "--once").code == 0
    assert h.shown(kopi, "") == 10
    assert "No parked pushes" in cli("--lang", "en", "outbox").out
    h.sim.fail_item(int(kopi), "still locked")
    assert cli("stock", "adjust", "KOPI-250", "-1", "--reason", "rusak").code == 0
    assert cli("run", "--once").code == 1
    dropped = cli("--lang", "en", "--actor", "operator-ani", "outbox", "drop", "--all")
    assert "1 push(es) dropped" in dropped.out
    assert cli("run", "--once").code == 0  # nothing tried again
    assert h.shown(kopi, "") == 10
    missing = cli("--lang", "en", "outbox", "retry", "99999")
    assert missing.code == 1
    assert "No parked push numbered 99999" in missing.err
    logs = cli("--lang", "en", "logs", "--sku", "KOPI-250")
    assert "retried by operator-ani" in logs.out
    assert "dropped by operator-ani" in logs.out


def test_history_shows_who_changed_what(cli: Cli, shop: tuple[WooHarness, str]) -> None:
    _h, _ = shop
    for args in (
        ["--actor", "bu-sri", "rule", "set", "--sku", "KOPI-250", "--buffer", "2"],
        ["--actor", "bu-sri", "rule", "set", "--sku", "KOPI-250", "--buffer", "3"],
        ["--actor", "anak", "listing", "unbind", "NASTAR-500", "--channel", "toko"],
        ["--actor", "anak", "channel", "edit", "toko", "--price-sync", "push"],
        ["--actor", "anak", "channel", "pause", "toko"],
        ["--actor", "bu-sri", "return", "policy", "inspect"],
    ):
        done = cli(*args)
        assert done.code == 0, (args, done.err)
    shown = cli("--lang", "en", "history")
    assert shown.code == 0
    rows = shown.out.splitlines()
    rule = [r for r in rows if "rule" in r and "KOPI-250" in r]
    assert len(rule) == 2
    assert "(new)" in rule[0]
    assert '"buffer": 2' in rule[0]
    assert '{"buffer": 2} → {"buffer": 3}' in rule[1]
    assert "bu-sri" in rule[1]
    assert any(
        "binding" in r and "NASTAR-500 @ toko" in r and "(removed)" in r and "anak" in r
        for r in rows
    )
    assert any("toko: price_sync" in r and "off → push" in r for r in rows)
    assert any("toko: paused" in r and "false → true" in r for r in rows)
    assert any("returns" in r and "auto → inspect" in r for r in rows)
    accepted = [r for r in rows if "toko: accepted" in r]
    assert accepted
    assert "bu-sri" in accepted[0]
    only_sku = cli("--lang", "en", "history", "--sku", "KOPI-250")
    assert len([r for r in only_sku.out.splitlines() if "rule" in r]) == 2
    assert "NASTAR" not in only_sku.out


def test_events_and_push_log_are_pruned_after_the_retention(
    cli: Cli, shop: tuple[WooHarness, str], db_path: object
) -> None:
    assert cli("run", "--once").code == 0
    store = Store(db_path)  # type: ignore[arg-type]
    try:
        old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=100)).isoformat(timespec="milliseconds")
        with store.write():
            store.conn.execute(
                "UPDATE event SET at = ? WHERE id IN (SELECT id FROM event LIMIT 2)", (old,)
            )
            store.conn.execute(
                "UPDATE push_log SET at = ? WHERE id IN (SELECT id FROM push_log LIMIT 1)", (old,)
            )
        before = store.scalar("SELECT COUNT(*) FROM event")
        moves = store.scalar("SELECT COUNT(*) FROM movement")
    finally:
        store.close()
    pruned = cli("--lang", "en", "events", "prune")
    assert "Deleted: 2 events and 1 push log rows older than 90 days" in pruned.out
    store = Store(db_path)  # type: ignore[arg-type]
    try:
        assert store.scalar("SELECT COUNT(*) FROM event") == before - 2
        assert store.scalar("SELECT COUNT(*) FROM movement") == moves  # the ledger stays
        assert audit.prune(store, 1, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2))["event"] > 0
    finally:
        store.close()
    assert cli("--lang", "en", "events", "prune", "--days", "0").code == 1
