"""The seller's sync path in the CLI: add a shop, connect, discover, sync, status, logs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Cli
from tests.contract.harness_shopee import ShopeeHarness


@pytest.fixture
def harness() -> Iterator[ShopeeHarness]:
    h = ShopeeHarness()
    h.start()
    h.seed()
    yield h
    h.stop()


def test_connect_discover_sync_status_logs(
    cli: Cli, harness: ShopeeHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in (
        ["init"],
        ["tenant", "add", "Dapur Bu Sri"],
        ["product", "add", "NASTAR-500", "--name", "Nastar", "--price", "85000"],
        ["product", "add", "KOPI-250", "--name", "Kopi", "--price", "45000"],
        ["stock", "set", "NASTAR-500", "7", "--reason", "opname"],
    ):
        assert cli(*args).code == 0
    add = cli(
        "channel",
        "add",
        "shopee",
        "--marketplace",
        "shopee",
        "--shop-id",
        harness.shop_id,
        "--partner-id",
        str(harness.sim.partner_id),
        "--base-url",
        harness.sim.base_url,
    )
    assert add.code == 0, add.err
    missing = cli("--lang", "en", "channel", "connect", "shopee")
    assert missing.code == 1
    assert "SYNCD_PARTNER_KEY" in missing.err
    monkeypatch.setenv("SYNCD_PARTNER_KEY", harness.partner_key)
    link = cli("--lang", "en", "channel", "connect", "shopee")
    assert link.code == 0
    assert "/api/v2/shop/auth_partner?" in link.out
    assert "sign=" in link.out
    done = cli("--lang", "en", "channel", "connect", "shopee", "--code", harness.authorize())
    assert done.code == 0, done.err
    assert "Channel shopee connected" in done.out
    found = cli("--lang", "en", "channel", "discover", "shopee")
    assert "4 listings in the shop, 2 newly bound" in found.out
    assert "NOT-IN-MASTER" in found.out  # a shop SKU with no master SKU is reported
    assert "stock" in found.out
    assert "syncd channel accept shopee" in found.out
    assert cli("--lang", "en", "channel", "accept", "shopee").code == 0
    harness.fail_item("7002", "", "stock locked by a promotion")
    once = cli("--lang", "en", "run", "--once")
    # a refused push is a failed job: this used to exit 0 and show "active" (issue 9)
    assert once.code == 1, once.err
    assert "shopee: job push failed" in once.err
    assert harness.shown("7001", "2") == 7
    status = cli("--lang", "en", "status")
    assert status.code == 1
    row = next(line for line in status.out.splitlines() if line.startswith("shopee"))
    assert "failing" in row
    assert "stock locked by a promotion" in status.out
    assert "The sync service is not running now (last active" in status.out
    logs = cli("--lang", "en", "logs", "--level", "warning")
    assert "push.failed" in logs.out
    assert "promotion" in logs.out
    assert "listings.discovered" not in logs.out  # info is below the level asked for
    everything = cli("--lang", "en", "logs", "--since", "1h", "--channel", "shopee")
    assert "listings.discovered" in everything.out
    sku = cli("--lang", "en", "logs", "--sku", "KOPI-250")  # its chain: the refused push
    assert "stock = 0 → refused: stock locked by a promotion" in sku.out  # the answer kept
    assert "The shop refused stock 0" in sku.out  # and its event, in the seller's words
    bad = cli("--lang", "en", "logs", "--since", "yesterday-ish")
    assert bad.code == 1
    assert "not a valid time" in bad.err
