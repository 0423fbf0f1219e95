"""/metrics, /healthz, /readyz (issue 13 item 5): the token, the checks, and the values
moving as the demo's world runs (the daemon in this process, the simulators on loopback)."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncd import catalog, inventory, market, telemetry
from syncd.config import Settings, WebSettings
from syncd.daemon import Daemon, Intervals
from syncd.demo import seed_catalogue
from syncd.http import ApiClient, HttpPolicy, error_class, marketplace_of
from syncd.log import clean
from syncd.metrics import STALE_BEATS, readiness, routes
from syncd.models import ChannelIn, ListingIn
from syncd.store import Store, acquire_writer_lock, release_writer_lock
from tests.daemonkit import DemoWorld, demo_world

TOKEN = "metrics-token-0123456789abcdef"  # noqa: S105 - a test's made-up token

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def app_for(store: Store | Callable[[], Store], **kwargs: object) -> TestClient:
    settings = kwargs.pop("settings", Settings())
    opener = store if callable(store) else (lambda: store)
    app = Starlette(routes=routes(opener, settings, **kwargs))  # type: ignore[arg-type]
    return TestClient(app)


def parse(text: str) -> Samples:
    """Every sample of an exposition as (name, sorted labels) → value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name`` over the samples whose labels include ``labels``."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


def beat(store: Store, age: float) -> None:
    at = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=age)).isoformat(timespec="milliseconds")
    with store.write():
        store.conn.execute(
            "INSERT INTO daemon_heartbeat (id, pid, started_at, at) VALUES (1, 4242, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET at = excluded.at",
            (at, at),
        )


# -- /healthz, /readyz ------------------------------------------------------------------


def test_healthz_answers_without_touching_the_database() -> None:
    def no_store() -> Store:
        raise AssertionError("healthz opened the database")

    with app_for(no_store) as client:
        answer = client.get("/healthz")
    assert (answer.status_code, answer.text) == (200, "ok\n")
    assert answer.headers["cache-control"] == "no-store"


def test_readyz_wants_a_fresh_daemon_heartbeat(store: Store) -> None:
    with app_for(store, heartbeat_every=1.0) as client:
        missing = client.get("/readyz")  # no daemon ever ran on this database
        assert missing.status_code == 503
        assert missing.json()["checks"]["database"] == {"ok": True}
        assert not missing.json()["checks"]["daemon"]["ok"]
        assert "syncd run" in missing.json()["checks"]["daemon"]["error"]

        beat(store, age=STALE_BEATS * 1.0 + 5)  # three beats missed, and more
        stale = client.get("/readyz")
        assert stale.status_code == 503
        daemon = stale.json()["checks"]["daemon"]
        assert daemon["ok"] is False
        assert daemon["age_seconds"] > 3
        assert "stale after 3 s" in daemon["error"]

        beat(store, age=0.2)
        fresh = client.get("/readyz")
        assert fresh.status_code == 200, fresh.text
        assert fresh.json() == {
            "ok": True,
            "checks": {"database": {"ok": True}, "daemon": fresh.json()["checks"]["daemon"]},
        }
        assert fresh.json()["checks"]["daemon"]["pid"] == 4242


def test_readyz_names_a_database_that_takes_no_write(store: Store) -> None:
    beat(store, age=0)
    held = acquire_writer_lock(store.path, 1.0)  # another process's long write
    try:
        report = readiness(store, timeout=0.2)
    finally:
        release_writer_lock(held)
    assert report["ok"] is False
    assert report["checks"]["daemon"]["ok"] is True
    assert report["checks"]["database"] == {
        "ok": False,
        "error": "writer lock not free within 0.2 s",
    }
    assert store.lock_timeout == 30.0  # the store's own patience is given back
    assert readiness(store)["ok"] is True
    # the check wrote nothing: no transaction left open, the lock free for others
    assert not store.conn.in_transaction
    release_writer_lock(acquire_writer_lock(store.path, 0.1))


def test_a_database_that_does_not_open_is_named_not_a_crash(tmp_path: Path) -> None:
    def gone() -> Store:
        return Store.open_existing(tmp_path / "moved-away.db")

    with app_for(gone) as client:
        ready = client.get("/readyz")
        scraped = client.get("/metrics")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"]["ok"] is False
    assert "moved-away.db" in ready.json()["checks"]["database"]["error"]
    assert scraped.status_code == 200  # the process's own series, and the database down
    assert total(parse(scraped.text), "syncd_database_up") == 0
    assert "syncd_process_cpu_seconds_total" in scraped.text


# -- the token --------------------------------------------------------------------------


def test_metrics_token_is_asked_for_when_set(store: Store) -> None:
    settings = Settings(web=WebSettings(metrics_token=TOKEN))
    with app_for(store, settings=settings) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics").headers["www-authenticate"].startswith("Bearer")
        for wrong in (
            f"Bearer {TOKEN}x",
            f"Basic {TOKEN}",
            TOKEN,
            "Bearer ",
            f"Bearer {TOKEN[:-1]}",
        ):
            answer = client.get("/metrics", headers={"Authorization": wrong})
            assert answer.status_code == 401, wrong
            assert "syncd_" not in answer.text
        good = client.get("/metrics", headers={"Authorization": f"bearer {TOKEN}"})
        assert good.status_code == 200
        assert good.headers["content-type"].startswith("text/plain")
        assert "syncd_database_up 1.0" in good.text
        # health needs no token: a supervisor has none
        assert client.get("/healthz").status_code == 200
    assert TOKEN not in clean(f"scrape failed with Authorization: Bearer {TOKEN} !")


def test_metrics_need_no_token_when_none_is_set(store: Store) -> None:
    with app_for(store) as client:
        answer = client.get("/metrics")
        om = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert answer.status_code == 200
    assert om.headers["content-type"].startswith("application/openmetrics-text")
    assert om.text.rstrip().endswith("# EOF")
    names = {n for n, _ in parse(answer.text)}
    assert "syncd_database_up" in names
    assert all(n.startswith("syncd_") for n in names), sorted(n for n in names if "syncd" not in n)


# -- the HTTP layer's counting ----------------------------------------------------------


def test_every_attempt_is_counted_with_its_error_class() -> None:
    from adapters.shopee.errors import classify as shopee_classify

    assert marketplace_of(shopee_classify) == "shopee"
    answers = iter([httpx.Response(503, text="busy"), httpx.Response(200, json={"ok": 1})])

    def classify(response: httpx.Response) -> object:
        from syncd.errors import Retryable

        if response.status_code >= 500:
            raise Retryable("HTTP 503")
        return response.json()

    def count(name: str, **labels: str) -> float:
        return telemetry.REGISTRY.get_sample_value(name, labels) or 0.0

    before = (
        count("syncd_marketplace_calls_total", marketplace="toy", outcome="ok"),
        count("syncd_marketplace_calls_total", marketplace="toy", outcome="error"),
        count("syncd_marketplace_errors_total", marketplace="toy", error_class="Retryable"),
        count("syncd_marketplace_call_seconds_count", marketplace="toy"),
    )
    with ApiClient(
        "http://toy.test",
        classify=classify,
        transport=httpx.MockTransport(lambda _request: next(answers)),
        policy=HttpPolicy(base_wait=0.01, max_wait=0.01),
        marketplace="toy",
    ) as client:
        assert client.request("GET", "/stock") == {"ok": 1}
    after = (
        count("syncd_marketplace_calls_total", marketplace="toy", outcome="ok"),
        count("syncd_marketplace_calls_total", marketplace="toy", outcome="error"),
        count("syncd_marketplace_errors_total", marketplace="toy", error_class="Retryable"),
        count("syncd_marketplace_call_seconds_count", marketplace="toy"),
    )
    # one logical call, two attempts: each attempt counted
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1, 2]


def test_error_class_is_the_nearest_syncd_class() -> None:
    from syncd.errors import NeedsReauth, RateLimited, Unrecognized

    class ShopRefusal(Unrecognized):
        pass

    assert error_class(RateLimited("slow down")) == "RateLimited"
    assert error_class(NeedsReauth("again")) == "NeedsReauth"
    assert error_class(ShopRefusal("odd")) == "Unrecognized"
    assert error_class(KeyError("x")) == "Unexpected"
    # every class of syncd.errors an attempt can raise has its series from the start
    import syncd.errors

    adapter_errors = {
        name
        for name, cls in vars(syncd.errors).items()
        if isinstance(cls, type) and issubclass(cls, syncd.errors.AdapterError)
    }
    assert adapter_errors | {"Unexpected"} == set(telemetry.ERROR_CLASSES)


# -- the demo's world moving ------------------------------------------------------------


World = DemoWorld


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """Bu Sri's catalogue on the demo's four simulated shops, connected through their real
    flows, and the daemon running in this process (so its counters are ours to scrape)."""
    with demo_world(
        tmp_path,
        seed=7,
        workers=4,
        intervals=Intervals(push=0.2, pull=0.5, refresh=600, reconcile=600),
    ) as w:
        yield w


def settle(w: World, timeout: float = 15.0) -> None:
    since = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    deadline = time.monotonic() + timeout
    while not market.settled(w.store, w.tenant_id, w.market, since):
        assert time.monotonic() < deadline, "the world did not settle"
        time.sleep(0.1)


def scrape(client: TestClient) -> Samples:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    return parse(answer.text)


def test_values_move_as_the_demo_runs(world: World) -> None:
    markets = {"shopee", "tiktok", "lazada", "woocommerce"}
    with app_for(world.store, heartbeat_every=2.0, states_every=0.0) as client:
        settle(world)
        first = scrape(client)
        assert client.get("/readyz").status_code == 200  # the daemon's loop beats

        # a buyer orders on Shopee, Bu Sri sells two jars by WhatsApp, and Lazada
        # answers one call with a 500 (retried by the HTTP layer)
        shopee = world.market.shop("shopee")
        _, item, variant = next(x for x in shopee.listings if x[0] == "KOPI-250")
        assert shopee.place(item, variant, 1, random.Random(1)) is not None  # noqa: S311
        inventory.record_offline_sale(
            world.store,
            world.tenant_id,
            [(2, "NASTAR-250")],
            channel="whatsapp",
            key="wa-metrics-1",
            actor="bu-sri",
        )
        world.market.shop("lazada").sim.inject("500", times=1)
        settle(world)
        body = client.get("/metrics").text
    second = parse(body)

    calls = "syncd_marketplace_calls_total"
    for name in markets:
        assert total(second, calls, marketplace=name) > total(first, calls, marketplace=name)
    assert total(second, "syncd_marketplace_errors_total", marketplace="lazada") > total(
        first, "syncd_marketplace_errors_total", marketplace="lazada"
    )
    pushed = "syncd_push_propagation_seconds_count"
    assert total(second, pushed) > total(first, pushed)
    # the sale's new NASTAR-250 stock reached every shop: each counted its acknowledgement
    for name in markets:
        assert total(second, pushed, marketplace=name) > total(first, pushed, marketplace=name)
    assert 0 < total(second, "syncd_push_propagation_seconds_sum") / total(second, pushed) < 30
    # the sale lowered NASTAR-250 everywhere: each shop's push waited for a worker as a
    # decrease (syncd_job_wait_seconds, by marketplace and priority class)
    waited = "syncd_job_wait_seconds_count"
    for name in markets:
        before = total(first, waited, marketplace=name, priority="push_decrease")
        assert total(second, waited, marketplace=name, priority="push_decrease") > before, name
    assert total(second, waited, priority="pull") > 0  # and the routine polls theirs
    assert total(second, "syncd_marketplace_call_seconds_count") >= total(second, calls)

    # settled: nothing waits, nothing is parked, every channel ok
    for name in markets:
        assert total(second, "syncd_outbox_backlog", marketplace=name) == 0
        assert total(second, "syncd_outbox_oldest_pending_seconds", marketplace=name) == 0
        assert total(second, "syncd_outbox_parked", marketplace=name) == 0
        assert total(second, "syncd_channels", marketplace=name, state="ok") == 1
        assert total(second, "syncd_channels", marketplace=name) == 1  # the others are 0
    assert total(second, "syncd_channels", state="failing") == 0
    horizons = {
        dict(labels)["channel"]: v
        for (n, labels), v in second.items()
        if n == "syncd_token_horizon_seconds"
    }
    assert horizons, "no channel shows its authorization horizon"
    assert all(v > 86_400 for v in horizons.values())
    assert all(dict(ls)["tenant"] == "Dapur Bu Sri" for (n, ls) in second if "horizon" in n)
    assert 0 <= total(second, "syncd_daemon_heartbeat_age_seconds") < 5
    assert total(second, "syncd_database_up") == 1
    assert total(second, "syncd_events_last_hour") > 0
    if shutil.which("promtool"):  # the exposition lints clean where Prometheus's tool is
        check = subprocess.run(
            ["promtool", "check", "metrics"],
            input=body,
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout + check.stderr


def test_a_pending_value_shows_in_the_backlog(store: Store, tmp_path: Path) -> None:
    """Values queued for a shop syncd cannot reach (never connected): the backlog counts
    them and the oldest one's age; parked values are counted apart."""
    tenant_id = seed_catalogue(store, tmp_path)
    catalog.add_channel(
        store,
        tenant_id,
        ChannelIn(name="toko", marketplace="tokopedia", shop_id="77"),
        accepted=True,
        price_sync="push",
    )
    inventory.bind_listings(
        store, tenant_id, [ListingIn(sku="KOPI-250", channel="toko", item_id="i1")]
    )
    twenty_minutes_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)).isoformat()
    with store.write():
        store.conn.execute(
            "UPDATE outbox SET queued_at = ? WHERE field = 'price'", (twenty_minutes_ago,)
        )
        store.conn.execute("UPDATE outbox SET status = 'parked' WHERE field = 'stock'")
    with app_for(store, states_every=0.0) as client:
        samples = scrape(client)
    # a Tokopedia shop is served by TikTok Shop's API: counted under its adapter's name
    assert total(samples, "syncd_outbox_backlog", marketplace="tiktok") == 1
    assert total(samples, "syncd_outbox_parked", marketplace="tiktok") == 1
    oldest = total(samples, "syncd_outbox_oldest_pending_seconds", marketplace="tiktok")
    assert 20 * 60 - 5 < oldest < 20 * 60 + 60
    assert total(samples, "syncd_channels", marketplace="tiktok", state="not_connected") == 1
    assert total(samples, "syncd_channels", marketplace="tiktok") == 1
    assert not any(n == "syncd_token_horizon_seconds" for n, _ in samples)  # no tokens
    assert not any(n == "syncd_daemon_heartbeat_age_seconds" for n, _ in samples)


def test_alert_rules_name_only_series_syncd_serves(world: World) -> None:
    """docs/alerts.yml: every syncd_ series its rules read is one /metrics serves (after
    some traffic, so the counters exist), and Prometheus's own tool accepts the file."""
    import re

    import yaml

    rules = Path(__file__).parent.parent / "docs" / "alerts.yml"
    exprs = [r["expr"] for g in yaml.safe_load(rules.read_text())["groups"] for r in g["rules"]]
    wanted = {n for e in exprs for n in re.findall(r"\bsyncd_\w+", e)}
    with app_for(world.store) as client:
        settle(world)
        served = {n for n, _ in scrape(client)}
    # the lanes' pacing is served only where the daemon runs in the process (`run
    # --web`): the pacing test below scrapes them; here they are checked by name
    lanes = {n for n in wanted if n.startswith("syncd_lane_")}
    assert lanes <= LANE_SERIES, sorted(lanes - LANE_SERIES)
    wanted -= lanes
    assert wanted
    assert wanted <= served, sorted(wanted - served)
    if shutil.which("promtool"):
        check = subprocess.run(
            ["promtool", "check", "rules", str(rules)], capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, check.stdout + check.stderr


# -- pacing (issue 14 item 3) -------------------------------------------------------------

LANE_SERIES = {
    "syncd_lane_poll_asked_seconds",
    "syncd_lane_poll_allowed_seconds",
    "syncd_lane_poll_achieved_seconds",
    "syncd_lane_poll_late_seconds",
    "syncd_lane_shops",
    "syncd_lane_app_calls_per_second",
    "syncd_lane_poll_behind",
}


def test_a_saturated_lanes_pacing_is_served_while_its_daemon_runs_here(store: Store) -> None:
    """Four Lazada shops on one app held to 1 call/s, a poll every 1 s asked: the budget
    allows one every 4 s, so the lane says it cannot keep the interval (the daemon in this
    process, as under `syncd run --web`; read through syncd.telemetry)."""
    from adapters.lazada.simulator import LazadaSimulator
    from tests.conftest import connect_channel

    key, secret, lane = "123456", "lzd_demo_app_secret_abcdef0123", "lazada:app:123456"
    sim = LazadaSimulator(app_key=key, app_secret=secret).start()
    try:
        tenant = catalog.add_tenant(store, "T")
        for shop in (5501, 5502, 5503, 5504):
            sim.add_shop(shop)
            connect_channel(
                store,
                tenant.id,
                ChannelIn(name=f"lz{shop}", marketplace="lazada", shop_id=str(shop)),
                settings={
                    "app_key": key,
                    "base_url": f"{sim.base_url}/rest",
                    "auth_url": sim.base_url,
                    "timeout": 10,
                },
                secret=secret,
                authorize=lambda shop=shop: sim.authorize(shop),  # type: ignore[misc]
                discover=False,
            )
        with store.write():  # the app's budget: one call a second sustained
            store.conn.execute(
                "UPDATE channel_account SET settings = json_set(settings, '$.app_rps', 2)"
            )
        daemon = Daemon(store.path, workers=1, intervals=Intervals(pull=1))
        with daemon.running():
            daemon.load_accounts()
            one = next(iter(daemon.runtimes))
            daemon._polled(one)  # two routine polls of one shop start 0.2 s apart
            time.sleep(0.2)
            daemon._polled(one)
            pace = daemon.pacing()[lane]
            with app_for(store) as client:
                samples = scrape(client)
    finally:
        sim.stop()
    where = (("lane", lane), ("marketplace", "lazada"))
    assert (pace.shops, pace.rate, pace.asked, pace.allowed) == (4, 1.0, 1.0, 4.0)
    assert samples[("syncd_lane_shops", where)] == 4
    assert samples[("syncd_lane_app_calls_per_second", where)] == 1.0
    assert samples[("syncd_lane_poll_asked_seconds", where)] == 1.0
    assert samples[("syncd_lane_poll_allowed_seconds", where)] == 4.0
    assert pace.achieved is not None
    achieved = samples[("syncd_lane_poll_achieved_seconds", where)]
    assert achieved == pytest.approx(pace.achieved)
    assert achieved == pytest.approx(0.2, abs=0.15)
    assert samples[("syncd_lane_poll_behind", where)] == 1
    assert {n for n, _ in samples if n.startswith("syncd_lane_")} == LANE_SERIES
    # no daemon registered in this process: no pacing series at all
    telemetry.watch_pacing(None)
    with app_for(store) as client:
        assert not any(n.startswith("syncd_lane_") for n, _ in scrape(client))
