"""``syncd run --shard K/N`` (the measurement of a second process, ARCHITECTURE.md "One
process or two"): each process serves only its own members, holds its own run lock,
and only shard 0 runs the cooperative-wide tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.shopee.simulator import ShopeeSimulator
from syncd import catalog
from syncd.daemon import Daemon
from syncd.errors import UserError
from syncd.instance import run_lock
from syncd.models import ChannelIn
from syncd.store import Store
from tests.conftest import connect_channel

SHOPEE_KEY = "shpk_demo_partner_key_0123456789"


@pytest.fixture
def coop(tmp_path: Path) -> Iterator[Path]:
    """Four members, one Shopee shop each."""
    sim = ShopeeSimulator(partner_key=SHOPEE_KEY).start()
    db = tmp_path / "coop.db"
    store = Store(db)
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(timespec="seconds")
    try:
        for n in range(1, 5):
            tenant = catalog.add_tenant(store, f"Anggota {n}")
            sim.add_shop(n)
            connect_channel(
                store,
                tenant.id,
                ChannelIn(name="sp", marketplace="shopee", shop_id=str(n)),
                settings={"partner_id": sim.partner_id, "base_url": sim.base_url},
                secret=SHOPEE_KEY,
                authorize=lambda n=n: sim.authorize(n),  # type: ignore[misc]
                integration_start=start,
            )
        store.close()
        yield db
    finally:
        sim.stop()


def test_each_shard_serves_only_its_own_members(coop: Path) -> None:
    served = {}
    for k in (0, 1):
        daemon = Daemon(coop, shard=(k, 2))
        try:
            served[k] = sorted(a.tenant_id for a in daemon.load_accounts())
            assert sorted(rt.account.tenant_id for rt in daemon.runtimes.values()) == served[k]
        finally:
            daemon.close()
    assert served == {0: [2, 4], 1: [1, 3]}
    whole = Daemon(coop)
    try:
        assert sorted(a.tenant_id for a in whole.load_accounts()) == [1, 2, 3, 4]
    finally:
        whole.close()


def test_shards_hold_their_own_run_locks_and_a_second_of_one_is_refused(coop: Path) -> None:
    with run_lock(coop, shard=(0, 2)), run_lock(coop, shard=(1, 2)):
        with pytest.raises(UserError) as refused, run_lock(coop, shard=(1, 2)):
            pass
        assert refused.value.key == "instance.running"
        with pytest.raises(UserError), run_lock(coop):  # shard 0 holds the main lock
            pass


def test_only_shard_zero_runs_the_cooperative_wide_tasks(coop: Path) -> None:
    zero, one = Daemon(coop, shard=(0, 2)), Daemon(coop, shard=(1, 2))
    try:
        assert zero._coop_wide
        assert not one._coop_wide
        one.notify_due()  # shard 1: no notification round starts
        assert one._notifying is None
        zero.notify_due()
        assert zero._notifying is not None
        zero._notifying.result(timeout=30)
    finally:
        zero.close()
        one.close()


@pytest.mark.parametrize("text", ["2", "2/2", "a/b", "-1/2", "1/0"])
def test_a_bad_shard_option_names_the_form(text: str) -> None:
    from syncd.cli_sync import _shard

    with pytest.raises(UserError) as bad:
        _shard(text)
    assert bad.value.key == "run.bad_shard"
    assert _shard("1/2") == (1, 2)
    assert _shard(None) is None
