"""The cooperative benchmark's measurements (bench/cooplib) on scripted streams with
known answers, and one small end-to-end run of the harness against ``syncd run``."""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from cooplib.measure import Listing, Order, Seller, evaluate, percentile, summary  # noqa: E402
from cooplib.stream import Intent, generate  # noqa: E402
from cooplib.world import Spec  # noqa: E402

# one member: NASTAR (3 left), KOPI with two variants on one Shopee item, a bundle of
# 1 NASTAR + 2 KASTENGEL; listed on all three marketplaces
SELLER = Seller(
    {"NASTAR": 3, "KOPI-S": 10, "KOPI-L": 10, "KASTENGEL": 4},
    {"PAKET": (("NASTAR", 1), ("KASTENGEL", 2))},
)
ITEMS = {
    "NASTAR": ("1", ""),
    "KOPI-S": ("2", "1"),
    "KOPI-L": ("2", "2"),
    "KASTENGEL": ("3", ""),
    "PAKET": ("4", ""),
}
LISTINGS = [
    Listing(1, m, sku, item, variant)
    for m in ("shopee", "tiktok", "lazada")
    for sku, (item, variant) in ITEMS.items()
]


def at(marketplace: str, sku: str) -> int:
    return next(i for i, x in enumerate(LISTINGS) if x.marketplace == marketplace and x.sku == sku)


def test_an_order_is_measured_until_the_last_affected_listing_is_right() -> None:
    orders = [Order(1, "shopee", "NASTAR", 1, 10.0, accepted=True)]
    shown = [
        (10.0, at("shopee", "NASTAR"), 2),  # Shopee lowered its own listing
        (12.0, at("tiktok", "NASTAR"), 2),
        (13.5, at("lazada", "NASTAR"), 2),
        # the bundle (1 NASTAR + 2 KASTENGEL) still fits min(2, 4 // 2) = 2: unchanged
    ]
    out = evaluate({1: SELLER}, LISTINGS, orders, shown, end=60.0)
    assert out.latency == [3.5]
    assert (out.oversold_orders, out.censored, out.accepted) == (0, 0, 1)
    # Shopee and TikTok re-send the origin (UNCONFIRMED own deduction); Lazada does not need it
    assert out.minimum == {"shopee": 1, "tiktok": 1, "lazada": 1}
    assert out.floor == {"tiktok": 1, "lazada": 1}


def test_a_bundle_order_waits_for_its_components_on_every_channel() -> None:
    orders = [Order(1, "lazada", "PAKET", 1, 5.0, accepted=True)]
    # NASTAR 3 → 2, KASTENGEL 4 → 2, PAKET min(2, 1) = 1
    shown = [(5.0, at("lazada", "PAKET"), 1)]
    for t, m in ((6.0, "shopee"), (7.0, "tiktok"), (9.0, "lazada")):
        shown += [(t, at(m, "NASTAR"), 2), (t, at(m, "KASTENGEL"), 2)]
        if m != "lazada":
            shown.append((t, at(m, "PAKET"), 1))
    out = evaluate({1: SELLER}, LISTINGS, orders, shown, end=60.0)
    assert out.latency == [4.0]  # the components on Lazada itself came last
    # Shopee: three items (NASTAR, KASTENGEL, PAKET) = 3 calls; TikTok likewise; Lazada one
    # call for its two components (the bundle listing is the one bought)
    assert out.minimum == {"shopee": 3, "tiktok": 3, "lazada": 1}


def test_an_oversell_is_counted_with_its_shortfall_and_a_cancellation_gives_back() -> None:
    orders = [
        Order(1, "shopee", "NASTAR", 3, 1.0, accepted=True),  # the last three
        Order(1, "tiktok", "NASTAR", 2, 2.0, accepted=True),  # TikTok still showed 3: oversold 2
        Order(1, "lazada", "KASTENGEL", 1, 3.0, accepted=True, cancelled_at=20.0),
        Order(1, "lazada", "KASTENGEL", 4, 21.0, accepted=False),  # refused though 4 were there
        Order(1, "shopee", "KOPI-S", 1, 30.0, accepted=False),  # refused, and rightly? no: 10 left
    ]
    out = evaluate({1: SELLER}, LISTINGS, orders, [], end=60.0)
    assert (out.oversold_orders, out.oversold_units, out.oversold) == (1, 2, [1])
    assert (out.accepted, out.refused, out.cancelled, out.lost_sales) == (3, 2, 1, 2)
    # nothing was ever pushed: the first order's other listings never became right
    assert out.censored >= 1
    assert math.isinf(max(out.latency))
    # the oversold order changed nothing further (NASTAR already shows 0 everywhere)
    assert 1 not in out.latency_order


def test_a_stale_value_that_the_truth_comes_back_to_counts_as_right() -> None:
    """Order then cancellation before any push: the untouched listings were right again."""
    orders = [Order(1, "shopee", "KOPI-L", 1, 1.0, accepted=True, cancelled_at=4.0)]
    shown = [(1.0, at("shopee", "KOPI-L"), 9), (4.0, at("shopee", "KOPI-L"), 10)]
    out = evaluate({1: SELLER}, LISTINGS, orders, shown, end=60.0)
    assert out.latency == [3.0]
    assert out.stale == [(0.0, 0), (5.0, 0)] + [(t * 5.0, 0) for t in range(2, 13)]


def test_listings_showing_a_wrong_value_are_sampled_over_time() -> None:
    orders = [Order(1, "shopee", "NASTAR", 1, 1.0, accepted=True)]
    shown = [(1.0, at("shopee", "NASTAR"), 2), (7.0, at("tiktok", "NASTAR"), 2)]
    out = evaluate({1: SELLER}, LISTINGS, orders, shown, end=15.0, sample_every=5.0)
    # at 5 s TikTok and Lazada are wrong; at 10 s only Lazada; Lazada never caught up
    assert out.stale == [(0.0, 0), (5.0, 2), (10.0, 1), (15.0, 1)]
    assert out.latency == [math.inf]
    assert out.censored == 1


def test_percentiles_keep_never_as_never() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([1.0, math.inf], 99) == math.inf
    assert math.isnan(percentile([], 50))
    assert summary([2.0, 1.0])["max"] == 2.0


def test_the_order_stream_is_seeded_and_poisson_paced() -> None:
    weights = {1: {"A": 10.0, "B": 1.0}, 2: {"A": 1.0}}
    one = generate(weights, rate=5.0, duration=200.0, seed=7)
    assert one == generate(weights, rate=5.0, duration=200.0, seed=7)
    assert one != generate(weights, rate=5.0, duration=200.0, seed=8)
    assert 850 < len(one) < 1150  # 1000 expected
    assert all(a.t < b.t for a, b in itertools.pairwise(one))
    popular = sum(i.sku == "A" for i in one if i.tenant == 1) / sum(i.tenant == 1 for i in one)
    assert popular > 0.85
    cancels = sum(i.follow == "cancelled" for i in one) / len(one)
    assert 0.02 < cancels < 0.09


def test_an_own_store_packs_simple_products_together_and_each_parents_variations_apart() -> None:
    """WooCommerce: ≤ 100 simple products per call, a variable product's variations in a
    call of their own; the origin listing is re-sent (plugins remove core's stock hooks)."""
    seller = Seller(
        {"NASTAR": 5, "KOPI-S": 5, "KOPI-L": 5}, {"HAMPER": (("NASTAR", 1), ("KOPI-S", 1))}
    )
    woo = {
        "NASTAR": ("10", "0"),
        "KOPI-S": ("20", "21"),
        "KOPI-L": ("20", "22"),
        "HAMPER": ("30", "0"),
    }
    lazada = {
        "NASTAR": ("1", "11"),
        "KOPI-S": ("2", "21"),
        "KOPI-L": ("2", "22"),
        "HAMPER": ("3", "31"),
    }
    listings = [Listing(1, "woocommerce", k, *v) for k, v in woo.items()]
    listings += [Listing(1, "lazada", k, *v) for k, v in lazada.items()]
    # a hamper on Lazada: NASTAR 4, KOPI-S 4, HAMPER 4 change everywhere; Woo needs one
    # call for its two simple products and one for the KOPI variation
    out = evaluate({1: seller}, listings, [Order(1, "lazada", "HAMPER", 1, 1.0, True)], [], end=9)
    assert (out.minimum["woocommerce"], out.floor["woocommerce"]) == (2, 2)
    assert out.minimum["lazada"] == 1  # NASTAR and KOPI-S; Lazada lowered its hamper itself
    # a KOPI-S bought in the store itself: re-sent there (1 call), and the hamper with it
    out = evaluate(
        {1: seller}, listings, [Order(1, "woocommerce", "KOPI-S", 1, 1.0, True)], [], end=9
    )
    assert (out.minimum["woocommerce"], out.floor["woocommerce"]) == (2, 1)


def test_own_stores_are_a_seeded_share_of_the_members_and_add_a_channel_to_their_buyers() -> None:
    import coop

    spec = Spec(tenants=20, seed=3, own_stores=0.25)
    owners = spec.store_owners()
    assert len(owners) == 5
    assert owners == Spec(tenants=20, seed=3, own_stores=0.25).store_owners()
    assert Spec(tenants=20, seed=3).store_owners() == frozenset()
    assert spec.channels(min(owners))[-1] == "woocommerce"
    weights = {t: {"A": 1.0} for t in range(1, 21)}
    plain = generate(weights, rate=5.0, duration=60.0, seed=7)
    channels = {t: spec.channels(t) for t in owners}
    mixed = generate(weights, rate=5.0, duration=60.0, seed=7, channels=channels)
    assert generate(weights, rate=5.0, duration=60.0, seed=7, channels={}) == plain
    woo = {i.tenant for i in mixed if i.marketplace == "woocommerce"}
    assert woo
    assert woo <= owners
    assert coop.parse_args(["--quick", "--own-stores", "0.3"]).own_stores == 0.3
    assert coop.parse_args(["--quick"]).own_stores == 0.0
    with pytest.raises(SystemExit):
        coop.parse_args(["--own-stores", "1.5"])


@pytest.mark.slow
def test_an_own_woocommerce_store_is_synced_like_the_marketplaces(tmp_path: Path) -> None:
    """One member with its own store too (``--own-stores 1``): the last units of a KOPI
    variation sell there, then a bundle sells on Lazada; ``syncd run`` (poll 2 s) brings
    every other listing, the store's simple products and variations included, right."""
    import coop
    from cooplib.world import catalogue

    spec = Spec(tenants=1, skus=10, seed=5, own_stores=1.0)
    cat = catalogue(spec, 1)
    sku = min((s for _, v in cat.variants for s in v), key=lambda s: cat.stock[s])
    bundle = next(iter(cat.bundles))
    intents = [
        Intent(1.0, 1, "woocommerce", sku, cat.stock[sku], "", None, 0.0),
        Intent(2.0, 1, "lazada", bundle, 1, "", None, 0.0),
    ]
    args = argparse.Namespace(workers=4, poll=2.0, seed=1, duration=4.0, settle=8.0)
    res = coop.run_policy("syncd", coop.template(spec, tmp_path), intents, args, tmp_path)
    assert (res["accounts"], res["own_stores"]) == (4, 1)
    assert (res["accepted"], res["oversold_orders"], res["censored"]) == (2, 0, 0)
    assert len(res["latency_all"]) == 2
    assert all(0.0 < x <= args.poll + 5 for x in res["latency_all"]), res["latency_all"]
    assert res["calls"].get("woocommerce:write", 0) >= 1
    assert res["calls"].get("woocommerce:orders", 0) >= 1
    assert res["exit"] == 0
    assert res["unknown_listing_changes"] == 0


@pytest.mark.slow
def test_the_harness_counts_a_real_oversell_and_measures_syncds_propagation(tmp_path: Path) -> None:
    """Two members on the three simulators with ``syncd run`` (poll 2 s): the last units
    of a SKU sell on Shopee, and 0.3 s later one more on Lazada, which cannot know yet."""
    import coop
    from cooplib.world import Spec, catalogue

    spec = Spec(tenants=2, skus=10, seed=5)
    cat = catalogue(spec, 1)
    sku = min(cat.simple, key=lambda s: cat.stock[s])
    left = cat.stock[sku]
    intents = [
        Intent(1.0, 1, "shopee", sku, left, "", None, 0.0),
        Intent(1.3, 1, "lazada", sku, 1, "", None, 0.0),
        Intent(2.0, 2, "tiktok", "KUE-000", 1, "TOKOPEDIA", None, 0.0),
    ]
    args = argparse.Namespace(workers=4, poll=2.0, seed=1, duration=4.0, settle=8.0)
    # built once (as ``--keep DIR`` does) and run from the kept copy (``--reuse DIR``)
    (tmp_path / "t2").mkdir()
    coop.template(spec, tmp_path / "t2")
    with pytest.raises(SystemExit, match="was built for"):
        coop.template(Spec(tenants=2, skus=11, seed=5), tmp_path, reuse=tmp_path)
    runs = tmp_path / "runs"
    runs.mkdir()
    res = coop.run_policy("syncd", coop.template(spec, runs, reuse=tmp_path), intents, args, runs)
    assert (res["accepted"], res["oversold_orders"], res["oversold_units"]) == (3, 1, 1)
    # the first and third orders changed listings elsewhere; both were measured and
    # reached every other channel within a poll and a push
    lat = res["latency_all"]
    assert len(lat) == 2
    assert all(0.0 < x <= args.poll + 5 for x in lat), lat
    assert res["calls"].get("lazada:write", 0) >= 1
    assert res["calls"].get("tiktok:write", 0) >= 1
    assert res["exit"] == 0
    assert res["unknown_listing_changes"] == 0


@pytest.mark.slow
def test_the_lossy_webhook_setting_is_caught_by_the_safety_net_and_moves_stock_once(
    tmp_path: Path,
) -> None:
    """``bench/coop.py --lossy`` on one member: every shop's webhooks marked as arriving
    (polled every 4 s only), half the deliveries lost and a quarter doubled. Orders on
    each marketplace reach every other channel (by a delivery, or the safety net), the
    inbox kept what arrived once, and no order line moved stock twice."""
    import coop
    from cooplib.world import Spec, catalogue

    spec = Spec(tenants=1, skus=10, seed=5)
    cat = catalogue(spec, 1)
    intents = [
        Intent(0.5 + i, 1, m, sku, 1, "TOKOPEDIA" if m == "tiktok" else "", None, 0.0)
        for i, (m, sku) in enumerate(zip(("shopee", "lazada", "tiktok"), cat.simple, strict=False))
    ]
    setting = coop.Setting("lossy", webhooks={"loss": 0.5, "duplicate": 0.25, "reorder": 0.5})
    args = argparse.Namespace(
        workers=4, poll=1.0, seed=3, duration=3.0, settle=9.0, safety_net=4.0
    )
    res = coop.run_policy(
        "syncd", coop.template(spec, tmp_path), intents, args, tmp_path, setting=setting
    )
    assert (res["accepted"], res["oversold_orders"], res["censored"]) == (3, 0, 0)
    assert all(0.0 < x <= args.safety_net + 5 for x in res["latency_all"]), res["latency_all"]
    sent = sum(v["delivered"] + v["lost"] for v in res["webhooks"].values())
    assert sent >= 3  # each order was announced (some of it lost)
    assert sum(res["inbox"].values()) <= sum(v["delivered"] for v in res["webhooks"].values())
    assert res["doubled"] == 0
    # one order read each: Shopee get_order_detail (its push names the order), Lazada
    # its unit rows (its message names it too), TikTok its search
    assert res["read_minimum"] == 1 + 1 + 1
    assert res["exit"] == 0
