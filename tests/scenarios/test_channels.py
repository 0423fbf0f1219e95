"""A seller's channel, from `channel add` to `remove`, as the CLI is typed (issue 9, items 2-4).

Each test's docstring names the harm a seller met before; the test shows it cannot
happen now. The marketplace is the Shopee simulator on 127.0.0.1 (signatures, tokens,
single-use codes and revocation checked as the real API does).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.shopee.simulator import ShopeeSimulator
from tests.conftest import Cli

KEY = "shpk_demo_partner_key_0123456789"
SHOP = 220011


@dataclass
class Shop:
    sim: ShopeeSimulator
    cli: Cli
    db: Path

    def add(self, *extra: str) -> list[str]:
        return [
            "channel", "add", "shopee", "--marketplace", "shopee", "--shop-id", str(SHOP),
            "--base-url", self.sim.base_url, *extra,
        ]  # fmt: skip

    def ok(self, *args: str) -> str:
        run = self.cli("--lang", "en", *args)
        assert run.code == 0, (args, run.out, run.err)
        assert "Traceback" not in run.err
        return run.out

    def shop_calls(self) -> int:
        """Calls the simulator answered for the shop's own API (not auth or partner calls)."""
        return sum(n for (shop, _path), n in self.sim.calls.items() if shop == SHOP)


@pytest.fixture
def shop(cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """A Blitar kitchen: nastar 7 and kopi 4 in the master; Shopee shows nastar 3 at Rp 99,000
    (the seller's own marketplace price) and kopi 0."""
    sim = ShopeeSimulator(partner_key=KEY).start()
    sim.add_shop(SHOP)
    sim.add_item(SHOP, 18001, "Nastar", sku="NASTAR-500", price=99_000, stock=3)
    sim.add_item(SHOP, 18002, "Kopi", sku="KOPI-250", price=45_000, stock=0)
    sim.add_item(SHOP, 18003, "Nastar (baru)", sku="NASTAR-NEW", price=99_000, stock=0)
    monkeypatch.setenv("SYNCD_PARTNER_KEY", KEY)
    s = Shop(sim, cli, db_path)
    for args in (
        ["init"],
        ["tenant", "add", "Dapur Bu Sri"],
        ["product", "add", "NASTAR-500", "--name", "Nastar", "--price", "85000"],
        ["product", "add", "KOPI-250", "--name", "Kopi", "--price", "45000"],
        ["stock", "set", "NASTAR-500", "7", "--reason", "opname"],
        ["stock", "set", "KOPI-250", "4", "--reason", "opname"],
    ):
        s.ok(*args)
    try:
        yield s
    finally:
        sim.stop()


def connected(s: Shop) -> Shop:
    s.ok(*s.add("--partner-id", str(s.sim.partner_id)))
    s.ok("channel", "connect", "shopee", "--code", s.sim.authorize(SHOP))
    return s


def accepted(s: Shop) -> Shop:
    connected(s)
    s.ok("channel", "discover", "shopee")
    s.ok("channel", "accept", "shopee")
    assert s.cli("run", "--once").code == 0
    return s


def test_first_discovery_pushes_nothing_until_accepted_and_keeps_prices(shop: Shop) -> None:
    """Harm: the first sync overwrote a marketplace price (Rp 99,000 became Rp 85,000) and
    the stock, with no preview and no way to opt out. Now discovery shows the differences,
    nothing is pushed until the seller accepts, and with price sync off (the default) the
    marketplace keeps its price for good."""
    connected(shop)
    found = shop.ok("channel", "discover", "shopee")
    assert "NASTAR-500 (18001): stock 3 → 7; price Rp 99,000 → Rp 85,000" in found
    assert "price not pushed" in found
    assert "syncd channel accept shopee" in found

    run = shop.cli("--lang", "en", "run", "--once")
    assert run.code == 0, run.err
    assert "Not accepted yet" in run.out
    assert (shop.sim.stock(SHOP, 18001), shop.sim.price(SHOP, 18001)) == (3, 99_000)
    status = shop.cli("--lang", "en", "status")
    assert status.code == 1
    assert "not reviewed" in status.out

    review = shop.ok("channel", "review", "shopee")
    assert "stock 3 → 7" in review
    assert "Nothing has been pushed to shopee" in review

    accept = shop.ok("channel", "accept", "shopee")
    assert "prices stay managed on the marketplace" in accept
    assert shop.cli("run", "--once").code == 0
    assert shop.sim.stock(SHOP, 18001) == 7  # syncd owns stock now
    assert shop.sim.stock(SHOP, 18002) == 4
    assert shop.sim.price(SHOP, 18001) == 99_000  # and never touched the price
    ok = shop.cli("--lang", "en", "status")
    assert ok.code == 0, ok.out + ok.err
    assert "ok" in ok.out

    shop.ok("channel", "edit", "shopee", "--price-sync", "push")  # the seller opts in later
    assert shop.cli("run", "--once").code == 0
    assert shop.sim.price(SHOP, 18001) == 85_000


def test_price_sync_can_be_chosen_at_accept(shop: Shop) -> None:
    """Accepting with --price-sync push lets syncd own prices on that channel only."""
    connected(shop)
    shop.ok("channel", "discover", "shopee")
    shop.ok("channel", "accept", "shopee", "--price-sync", "push")
    assert shop.cli("run", "--once").code == 0
    assert (shop.sim.stock(SHOP, 18001), shop.sim.price(SHOP, 18001)) == (7, 85_000)


def test_a_channel_added_wrong_is_refused_then_fixed_from_the_cli(shop: Shop) -> None:
    """Harm: a shop added without --partner-id could not be fixed from the CLI at all
    (KeyError on connect, IntegrityError on re-add, no edit or remove). Now add refuses
    before storing anything and names the flag; a channel stored without it (an older
    syncd) is fixed with `channel edit`; a mistyped secret with `channel set-secret`."""
    refused = shop.cli("--lang", "en", *shop.add())
    assert refused.code == 1
    assert "--partner-id" in refused.err
    assert "Nothing was stored" in refused.err
    assert "Traceback" not in refused.err
    assert "shopee" not in shop.ok("channel", "list")  # nothing was stored

    with sqlite3.connect(shop.db) as conn:  # what an older syncd stored: no partner id
        conn.execute(
            "INSERT INTO channel_account (tenant_id, name, marketplace, shop_id, settings, "
            "created_at) VALUES (1, 'shopee', 'shopee', ?, ?, '2026-11-30T00:00:00+00:00')",
            (str(SHOP), f'{{"base_url": "{shop.sim.base_url}"}}'),
        )
    stuck = shop.cli("--lang", "en", "channel", "connect", "shopee", "--code", "x")
    assert stuck.code == 1
    assert "syncd channel edit shopee --partner-id" in stuck.err
    assert "Traceback" not in stuck.err
    assert "KeyError" not in stuck.err

    edit = shop.ok("channel", "edit", "shopee", "--partner-id", str(shop.sim.partner_id))
    assert "partner_id: - → " in edit

    # a mistyped secret: the marketplace refuses the signature, one line, no traceback
    import os

    os.environ["SYNCD_PARTNER_KEY"] = "shpk_mistyped"
    first = shop.cli(
        "--lang", "en", "channel", "connect", "shopee", "--code", shop.sim.authorize(SHOP)
    )
    assert first.code == 1
    assert "Traceback" not in first.err
    os.environ["SYNCD_PARTNER_KEY"] = KEY
    shop.ok("channel", "set-secret", "shopee")
    shop.ok("channel", "connect", "shopee", "--code", shop.sim.authorize(SHOP))
    assert "not connected" not in shop.cli("--lang", "en", "status").out


def test_a_reused_or_wrong_code_is_one_line_with_the_next_step(shop: Shop) -> None:
    """Harm: a reused OAuth code ended in a traceback. Now it is one line saying the code
    works once and how to get a new one."""
    shop.ok(*shop.add("--partner-id", str(shop.sim.partner_id)))
    code = shop.sim.authorize(SHOP)
    shop.ok("channel", "connect", "shopee", "--code", code)
    for bad in (code, "not-a-code"):
        again = shop.cli("--lang", "en", "channel", "connect", "shopee", "--code", bad)
        assert again.code == 1
        assert "Traceback" not in again.err
        assert len(again.err.strip().splitlines()) == 1
        assert "syncd channel connect shopee" in again.err


def test_marketplaces_without_an_adapter_are_not_offered(shop: Shop) -> None:
    """Harm: `--marketplace woocommerce` was accepted and then did nothing (before it had
    an adapter; now Blibli is one without)."""
    for market in ("blibli", "manual", "amazon"):
        run = shop.cli(
            "--lang", "en", "channel", "add", "x", "--marketplace", market, "--shop-id", "1"
        )
        assert run.code == 2
        assert "Traceback" not in run.err
    assert shop.ok("channel", "list").strip() == "(empty)"  # nothing was stored


def test_a_revoked_shop_needs_reauthorization_within_one_poll_and_is_not_called(
    shop: Shop,
) -> None:
    """Harm: a revoked shop showed `aktif` and was retried forever. Now the marketplace's
    answer marks it `needs re-authorization` at the first failed call, `run --once` and
    `status` exit non-zero naming it, and syncd stops calling the shop."""
    accepted(shop)
    shop.sim.revoke(SHOP)
    shop.ok("stock", "adjust", "NASTAR-500", "-1", "--reason", "pecah")
    run = shop.cli("--lang", "en", "run", "--once")
    assert run.code == 1
    assert "shopee: " in run.err
    assert "Authorize again: syncd channel connect shopee" in run.err
    assert "Traceback" not in run.err
    status = shop.cli("--lang", "en", "status")
    assert status.code == 1
    assert "needs re-authorization" in status.out
    assert "syncd channel connect shopee" in status.out
    calls = shop.shop_calls()
    assert shop.cli("run", "--once").code == 1
    assert shop.shop_calls() == calls  # stopped calling the revoked shop

    shop.ok("channel", "connect", "shopee", "--code", shop.sim.authorize(SHOP))
    assert shop.cli("run", "--once").code == 0
    assert shop.sim.stock(SHOP, 18001) == 6
    assert shop.cli("status").code == 0


def test_run_once_fails_when_every_push_is_refused_and_status_says_since_when(
    shop: Shop,
) -> None:
    """Harm: `run --once` exited 0 when every push was refused, and status said all was well.
    Now it exits 1 naming the channel; status shows `failing` with the error and since when;
    the failure count belongs to that failing period and resets once the channel recovers."""
    accepted(shop)
    shop.sim.fail_model(18001, 0, "stock locked by a promotion")
    shop.ok("sale", "2xNASTAR-500", "--channel", "whatsapp")
    run = shop.cli("--lang", "en", "run", "--once")
    assert run.code == 1
    assert "shopee" in run.err
    assert "push" in run.err
    status = shop.cli("--lang", "en", "status")
    assert status.code == 1
    assert "failing" in status.out
    assert "failing since" in status.out
    assert "stock locked by a promotion" in status.out

    shop.sim.clear_fail(18001, 0)
    shop.ok("sale", "1xNASTAR-500", "--channel", "cash")  # a new value: the parked one is retried
    assert shop.cli("run", "--once").code == 0
    assert shop.sim.stock(SHOP, 18001) == 4
    healthy = shop.cli("--lang", "en", "status")
    assert healthy.code == 0, healthy.out
    with sqlite3.connect(shop.db) as conn:
        assert conn.execute("SELECT SUM(failures) FROM job_run").fetchone()[0] == 0


def test_status_names_an_unconnected_channel(shop: Shop) -> None:
    """Harm: `syncd status` said `aktif` for a shop that was never connected."""
    shop.ok(*shop.add("--partner-id", str(shop.sim.partner_id)))
    status = shop.cli("--lang", "en", "status")
    assert status.code == 1
    assert "not connected" in status.out
    assert "active" not in status.out


def test_status_says_when_secrets_cannot_be_decrypted(shop: Shop) -> None:
    """Harm: with the wrong master key, status still said `aktif`."""
    accepted(shop)
    key = shop.db.with_name(shop.db.name + ".key")
    key.write_text("A" * 43 + "=")  # a valid key, but not the one that sealed the secrets
    status = shop.cli("--lang", "en", "status")
    assert status.code == 1
    assert "cannot decrypt secrets" in status.out
    assert "Traceback" not in status.err


def test_a_paused_channel_is_neither_polled_nor_pushed(shop: Shop) -> None:
    """A seller on holiday pauses Shopee: syncd makes no call to it, status says paused."""
    accepted(shop)
    shop.ok("channel", "pause", "shopee")
    shop.ok("sale", "1xNASTAR-500", "--channel", "cash")
    calls = shop.shop_calls()
    assert shop.cli("run", "--once").code == 0
    assert shop.shop_calls() == calls
    assert shop.sim.stock(SHOP, 18001) == 7
    status = shop.cli("--lang", "en", "status")
    assert status.code == 1
    assert "paused" in status.out
    shop.ok("channel", "resume", "shopee")
    assert shop.cli("run", "--once").code == 0
    assert shop.sim.stock(SHOP, 18001) == 6


def test_remove_asks_keeps_orders_and_movements_and_frees_the_name(shop: Shop) -> None:
    """A channel added by mistake can be removed (and added again); its orders and the
    stock movements they caused stay recorded and explained."""
    accepted(shop)
    shop.sim.place_order(SHOP, [(18001, 0, 2)])
    assert shop.cli("run", "--once").code == 0
    no_tty = shop.cli("--lang", "en", "channel", "remove", "shopee")
    assert no_tty.code == 1
    assert "--yes" in no_tty.err
    gone = shop.ok("channel", "remove", "shopee", "--yes")
    assert "1 orders and 1 stock movements stay recorded" in gone
    assert "shopee" not in shop.ok("channel", "list")
    assert shop.cli("status").code == 0 or "shopee" not in shop.cli("status").out
    ledger = shop.ok("ledger", "NASTAR-500")
    assert "order" in ledger.lower()
    assert shop.ok("check")
    shop.ok(*shop.add("--partner-id", str(shop.sim.partner_id)))  # the same shop again


def test_rebinding_clears_pushes_parked_on_the_old_item(shop: Shop) -> None:
    """Harm: rebinding a SKU left a push parked on the old item, and said nothing of the
    move. Now bind says what it moved from and to, and the new item gets the value."""
    accepted(shop)
    shop.sim.fail_model(18001, 0, "item deleted")
    shop.ok("sale", "1xNASTAR-500", "--channel", "cash")
    assert shop.cli("run", "--once").code == 1  # refused, parked
    moved = shop.ok("listing", "bind", "NASTAR-500", "--channel", "shopee", "--item-id", "18003")
    assert "moved from item 18001 to 18003" in moved
    assert shop.cli("run", "--once").code == 0
    assert shop.sim.stock(SHOP, 18003) == 6


def test_unbind_stops_pushing_that_sku(shop: Shop) -> None:
    accepted(shop)
    shop.ok("listing", "unbind", "KOPI-250", "--channel", "shopee")
    shop.ok("sale", "1xKOPI-250", "--channel", "cash")
    assert shop.cli("run", "--once").code == 0
    assert shop.sim.stock(SHOP, 18002) == 4  # no longer synced
    assert "KOPI-250" not in shop.ok("listing", "list")


def test_upgrading_keeps_channels_that_already_pushed_accepted(tmp_path: Path) -> None:
    """A seller upgrading syncd must not find pushes silently stopped: a channel that has
    pushed before this version counts as accepted (stock and prices, as it was); one that
    never pushed waits for review like a new one."""
    from syncd.migrations import MIGRATIONS
    from syncd.store import Store, _statements

    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:  # a database written by the previous version (v2)
        for version, script in enumerate(MIGRATIONS[:2], start=1):
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("INSERT INTO tenant (id, name, created_at) VALUES (1, 'T', 'x')")
        conn.execute("INSERT INTO product (id, tenant_id, code, name) VALUES (1, 1, 'K', 'Kopi')")
        conn.execute(
            "INSERT INTO sku (id, tenant_id, product_id, sku, variant, price, is_bundle) "
            "VALUES (1, 1, 1, 'K', '', 45000, 0)"
        )
        for account, name in ((1, "pushed"), (2, "fresh")):
            conn.execute(
                "INSERT INTO channel_account (id, tenant_id, name, marketplace, shop_id, "
                "created_at) VALUES (?, 1, ?, 'shopee', ?, '2026-11-01T00:00:00+00:00')",
                (account, name, str(account)),
            )
            conn.execute(
                "INSERT INTO listing (id, tenant_id, channel_account_id, sku_id, item_id) "
                "VALUES (?, 1, ?, 1, ?)",
                (account, account, str(account)),
            )
        conn.execute(
            "INSERT INTO outbox (tenant_id, listing_id, channel_account_id, field, desired, seq, "
            "sent_value, sent_seq, status, updated_at) VALUES (1, 1, 1, 'stock', 5, 1, 5, 1, "
            "'synced', 'x')"
        )
    with Store(db) as store:
        rows = dict(
            store.conn.execute(
                "SELECT name, accepted_at IS NOT NULL AND price_sync = 'push' FROM channel_account"
            ).fetchall()
        )
    assert rows == {"pushed": 1, "fresh": 0}


def test_a_channel_of_a_marketplace_without_adapter_is_reported(shop: Shop) -> None:
    """Harm: a WooCommerce channel (accepted by an older syncd, no adapter then) showed
    `aktif` and `run --once` exited 0. Now status says unsupported and both exit 1 (a
    marketplace still without an adapter stands in for it)."""
    with sqlite3.connect(shop.db) as conn:
        conn.execute(
            "INSERT INTO channel_account (tenant_id, name, marketplace, shop_id, created_at) "
            "VALUES (1, 'toko-web', 'blibli', 'w1', '2026-11-30T00:00:00+00:00')"
        )
    status = shop.cli("--lang", "en", "status")
    assert status.code == 1
    assert "unsupported" in status.out
    run = shop.cli("--lang", "en", "run", "--once")
    assert run.code == 1
    assert "toko-web: could not start" in run.err


def test_discover_against_a_shop_that_cannot_be_reached_is_one_line(shop: Shop) -> None:
    """Discovering a shop whose simulator (or network) is down ended in the
    "unexpected problem" line; it is a known situation with a next step."""
    connected(shop)
    shop.sim.stop()
    run = shop.cli("--lang", "en", "channel", "discover", "shopee")
    assert run.code == 1
    assert "could not be reached" in run.err
    assert "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_run_once_names_a_channel_that_was_never_connected(shop: Shop) -> None:
    """Harm (found by a newcomer): a shop added but never connected made `run --once` print
    `KeyError: 'partner_key'` and a raw JSON log line. Now it names the shop and the step."""
    shop.ok(*shop.add("--partner-id", str(shop.sim.partner_id)))
    run = shop.cli("--lang", "en", "run", "--once")
    assert run.code == 1
    assert "KeyError" not in run.err
    assert "{" not in run.err  # no log line meant for the service's journal
    assert "shopee: the shop has not authorized syncd yet" in run.err
    assert "syncd channel connect shopee" in run.err


def test_small_mistakes_get_the_fix(shop: Shop) -> None:
    """A newcomer's first typos: a quantity written apart from its SKU, an import file
    that is not there. One line with the fix, in the seller's words, nothing recorded."""
    apart = shop.cli("--lang", "en", "sale", "2", "NASTAR-500", "--channel", "whatsapp")
    assert apart.code == 1
    assert "2xNASTAR-500" in apart.err
    assert "NASTAR-500" in shop.ok("product", "list")
    assert "7" in shop.ok("product", "list")  # nothing was sold
    missing = shop.cli("product", "import", "katalog.csv")
    assert missing.code == 1
    assert "tidak ada" in missing.err
    assert "No such file" not in missing.err


def test_logs_tell_what_the_seller_did_to_a_channel(shop: Shop) -> None:
    """A newcomer found `syncd logs` empty after connecting, accepting and pausing a shop.
    Each step of a channel's life is an event, in the seller's words."""
    accepted(shop)
    shop.ok("channel", "pause", "shopee")
    shop.ok("channel", "resume", "shopee")
    logs = shop.ok("logs", "--channel", "shopee")
    for text in (
        "Channel added (shopee, shop 220011)",
        "The shop authorized syncd",
        "The seller accepted stock pushes",
        "Channel paused by the seller",
        "Channel resumed",
    ):
        assert text in logs, logs
    assert "Kanal dijeda oleh penjual" in shop.cli("logs").out  # Indonesian by default


def test_status_uses_the_master_key_the_config_names(shop: Shop) -> None:
    """Found reviewing the change: `status` looked for the key only beside the database,
    so on a server set up as the README says (`master_key` in the config) every shop
    read `cannot decrypt secrets`. It follows the same key rule as every other command."""
    accepted(shop)
    key = shop.db.with_name(shop.db.name + ".key")
    kept = shop.db.parent / "elsewhere.key"
    key.rename(kept)
    config = shop.db.parent / "syncd.toml"
    config.write_text(f'master_key = "{kept}"\n', encoding="utf-8")
    status = shop.cli("--lang", "en", "--config", str(config), "status")
    assert status.code == 0, status.out + status.err
    assert not key.exists()  # and no key was made beside the database
