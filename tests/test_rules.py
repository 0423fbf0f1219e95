"""Stock and price rules: numbers, layering, explanations, bundles, validation."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from syncd.i18n import CATALOGUE, placeholders, rupiah, set_lang, t
from syncd.rules import (
    LAYERS,
    ROUNDINGS,
    Component,
    EffectivePriceRule,
    EffectiveStockRule,
    PriceRule,
    StockRule,
    bundle_available,
    channel_price,
    channel_quantity,
    channel_quantity_from_available,
    explain_bundle,
    explain_price,
    explain_quantity,
    explain_quantity_from_available,
    merge_price,
    merge_stock,
    sources_text,
)

D = Decimal


@pytest.fixture
def lang() -> Iterator[None]:
    """Tests that choose a language put the process default back afterwards."""
    yield
    set_lang(None)


def stock(**fields: Any) -> EffectiveStockRule:
    return merge_stock([("sku", StockRule(**fields))])


def price(**fields: Any) -> EffectivePriceRule:
    return merge_price([("sku", PriceRule(**fields))])


ROUTE = {"last_units": 3, "preferred_channel": "shopee"}

# --- quantity -------------------------------------------------------------------------

QUANTITY_CASES = [
    # id, on_hand, reserved, rule fields, channel, expected
    ("plain", 12, 3, {}, "shopee", 9),
    ("buffer", 12, 3, {"buffer": 2}, "shopee", 7),
    ("reserved-more-than-on-hand", 3, 5, {}, "shopee", 0),
    ("on-hand-negative", -4, 0, {}, "shopee", 0),
    ("on-hand-negative-with-share-and-cap", -4, 1, {"share_pct": D(50), "max_shown": 3}, "x", 0),
    ("negative-reserved-counts-as-0", 5, -3, {}, "shopee", 5),
    ("buffer-larger-than-available", 5, 1, {"buffer": 10}, "shopee", 0),
    ("share-0", 10, 0, {"share_pct": D(0)}, "shopee", 0),
    ("share-100", 10, 0, {"share_pct": D(100)}, "shopee", 10),
    ("share-29-of-100-exact", 100, 0, {"share_pct": D(29)}, "shopee", 29),
    ("share-rounds-down", 7, 0, {"share_pct": D(50)}, "shopee", 3),
    ("share-fraction", 8, 0, {"share_pct": D("12.5")}, "shopee", 1),
    ("share-32.3-of-1000-exact", 1000, 0, {"share_pct": D("32.3")}, "shopee", 323),
    ("share-just-below-whole", 3, 0, {"share_pct": D("33.33")}, "shopee", 0),
    ("share-just-above-whole", 3, 0, {"share_pct": D("33.34")}, "shopee", 1),
    ("issue-example", 12, 3, {"buffer": 2, "share_pct": D(80)}, "shopee", 5),
    ("cap-0", 10, 0, {"max_shown": 0}, "shopee", 0),
    ("cap-binds", 10, 0, {"max_shown": 4}, "shopee", 4),
    ("cap-not-binding", 3, 0, {"max_shown": 4}, "shopee", 3),
    ("cap-after-share", 100, 0, {"share_pct": D(50), "max_shown": 20}, "shopee", 20),
    ("threshold-equal-to-available", 5, 0, {"zero_below": 5}, "shopee", 5),
    ("threshold-one-above-available", 4, 0, {"zero_below": 5}, "shopee", 0),
    ("threshold-after-buffer", 6, 0, {"zero_below": 5, "buffer": 2}, "shopee", 0),
    ("threshold-before-share", 10, 0, {"zero_below": 5, "share_pct": D(40)}, "x", 4),
    ("last-n-at-n-preferred", 3, 0, ROUTE, "shopee", 3),
    ("last-n-at-n-other", 3, 0, ROUTE, "tokopedia", 0),
    ("last-n-at-n-plus-1-preferred", 4, 0, ROUTE, "shopee", 4),
    ("last-n-at-n-plus-1-other", 4, 0, ROUTE, "tokopedia", 4),
    ("last-n-no-share-on-last-units", 3, 0, {**ROUTE, "share_pct": D(50)}, "shopee", 3),
    ("last-n-plus-1-share-applies", 4, 0, {**ROUTE, "share_pct": D(50)}, "shopee", 2),
    ("last-n-cap-still-applies", 3, 0, {**ROUTE, "max_shown": 2}, "shopee", 2),
    ("last-n-after-buffer", 5, 0, {**ROUTE, "buffer": 2}, "tokopedia", 0),
    ("last-n-zero-available", 0, 0, ROUTE, "shopee", 0),
    ("threshold-before-last-n", 2, 0, {**ROUTE, "zero_below": 3}, "shopee", 0),
    ("last-units-0-turns-routing-off", 2, 0, {"last_units": 0}, "tokopedia", 2),
    ("one-of-a-kind-0-available", 0, 0, {"one_of_a_kind": True}, "shopee", 0),
    ("one-of-a-kind-1-available", 1, 0, {"one_of_a_kind": True}, "shopee", 1),
    ("one-of-a-kind-5-available", 5, 0, {"one_of_a_kind": True}, "shopee", 1),
    ("one-of-a-kind-reserved", 1, 1, {"one_of_a_kind": True}, "shopee", 0),
    ("one-of-a-kind-ignores-buffer", 1, 0, {"one_of_a_kind": True, "buffer": 2}, "x", 1),
    ("one-of-a-kind-buffer-sold", 1, 1, {"one_of_a_kind": True, "buffer": 2}, "x", 0),
    ("one-of-a-kind-ignores-cap-0", 5, 0, {"one_of_a_kind": True, "max_shown": 0}, "x", 1),
    ("one-of-a-kind-ignores-share-0", 5, 0, {"one_of_a_kind": True, "share_pct": D(0)}, "x", 1),
    ("one-of-a-kind-ignores-threshold", 1, 0, {"one_of_a_kind": True, "zero_below": 3}, "x", 1),
    ("one-of-a-kind-ignores-routing", 1, 0, {"one_of_a_kind": True, **ROUTE}, "tokopedia", 1),
    ("one-of-a-kind-false", 5, 0, {"one_of_a_kind": False}, "shopee", 5),
]


@pytest.mark.parametrize(
    ("on_hand", "reserved", "fields", "channel", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in QUANTITY_CASES],
)
def test_channel_quantity(
    on_hand: int, reserved: int, fields: dict[str, Any], channel: str, expected: int
) -> None:
    rule = stock(**fields)
    assert channel_quantity(on_hand, reserved, rule, channel) == expected
    assert explain_quantity(on_hand, reserved, rule, channel).value == expected


@pytest.mark.parametrize(
    ("base", "fields", "channel", "expected"),
    [
        pytest.param(10, {}, "x", 10, id="plain"),
        pytest.param(10, {"buffer": 2, "share_pct": D(50)}, "x", 4, id="bundle-buffer-then-share"),
        pytest.param(-3, {}, "x", 0, id="negative-base"),
        pytest.param(1, {"buffer": 2}, "x", 0, id="buffer-above-base"),
        pytest.param(4, {"one_of_a_kind": True}, "x", 1, id="one-of-a-kind"),
        pytest.param(3, {"zero_below": 4}, "x", 0, id="threshold"),
        pytest.param(2, ROUTE, "tokopedia", 0, id="last-n-other"),
        pytest.param(9, {"max_shown": 5}, "x", 5, id="cap"),
    ],
)
def test_channel_quantity_from_available(
    base: int, fields: dict[str, Any], channel: str, expected: int
) -> None:
    rule = stock(**fields)
    assert channel_quantity_from_available(base, rule, channel) == expected
    assert explain_quantity_from_available(base, rule, channel).value == expected


# --- layering -------------------------------------------------------------------------

FULL_STACK: list[tuple[str, StockRule]] = [
    ("tenant", StockRule(buffer=1, share_pct=D(50), zero_below=2, preferred_channel="shopee")),
    ("channel", StockRule(share_pct=D(80), max_shown=20)),
    ("sku", StockRule(buffer=3, last_units=2)),
    ("sku+channel", StockRule(max_shown=5)),
]


@pytest.mark.parametrize(
    ("name", "value", "source"),
    [
        pytest.param("buffer", 3, "sku", id="buffer-sku-beats-tenant"),
        pytest.param("share_pct", D(80), "channel", id="share-channel-beats-tenant"),
        pytest.param("max_shown", 5, "sku+channel", id="cap-sku-channel-beats-channel"),
        pytest.param("zero_below", 2, "tenant", id="threshold-from-tenant"),
        pytest.param("last_units", 2, "sku", id="last-units-from-sku"),
        pytest.param("preferred_channel", "shopee", "tenant", id="preferred-from-tenant"),
        pytest.param("one_of_a_kind", False, "default", id="one-of-a-kind-built-in"),
    ],
)
def test_merge_stock_field_by_field(name: str, value: object, source: str) -> None:
    rule = merge_stock(FULL_STACK)
    assert getattr(rule, name) == value
    assert rule.source(name) == source


def test_merge_stock_no_layers_gives_built_in_defaults() -> None:
    rule = merge_stock([])
    assert (rule.buffer, rule.share_pct, rule.max_shown, rule.zero_below) == (0, D(100), None, 0)
    assert (rule.last_units, rule.preferred_channel, rule.one_of_a_kind) == (0, None, False)
    assert set(rule.sources) == {"default"}


def test_merge_stock_explicit_zero_overrides_and_none_inherits() -> None:
    rule = merge_stock([("tenant", StockRule(buffer=2, max_shown=9)), ("sku", StockRule(buffer=0))])
    assert (rule.buffer, rule.source("buffer")) == (0, "sku")
    assert (rule.max_shown, rule.source("max_shown")) == (9, "tenant")


@pytest.mark.parametrize(
    ("name", "value", "source"),
    [
        pytest.param("markup_pct", D(10), "tenant", id="markup-pct-from-tenant"),
        pytest.param("markup_fixed", -500, "sku+channel", id="fixed-most-specific"),
        pytest.param("rounding", "end900", "channel", id="rounding-channel-beats-tenant"),
        pytest.param("floor_price", 0, "default", id="floor-built-in"),
    ],
)
def test_merge_price_field_by_field(name: str, value: object, source: str) -> None:
    rule = merge_price(
        [
            ("tenant", PriceRule(markup_pct=D(10), rounding="100", markup_fixed=1000)),
            ("channel", PriceRule(rounding="end900")),
            ("sku", PriceRule(markup_fixed=2000)),
            ("sku+channel", PriceRule(markup_fixed=-500)),
        ]
    )
    assert getattr(rule, name) == value
    assert rule.source(name) == source


@pytest.mark.parametrize(
    "labels",
    [
        pytest.param(["sku", "tenant"], id="wrong-order"),
        pytest.param(["channel", "channel"], id="twice"),
        pytest.param(["global"], id="unknown-label"),
        pytest.param(["sku+channel", "sku"], id="sku-after-sku-channel"),
    ],
)
def test_merge_rejects_bad_layer_labels(labels: list[str]) -> None:
    with pytest.raises(ValueError, match="out of place: use default, tenant, channel, sku"):
        merge_stock([(label, StockRule()) for label in labels])
    with pytest.raises(ValueError, match="out of place"):
        merge_price([(label, PriceRule()) for label in labels])


def test_merge_accepts_every_label_in_order() -> None:
    rule = merge_stock([(label, StockRule(buffer=i)) for i, label in enumerate(LAYERS)])
    assert (rule.buffer, rule.source("buffer")) == (4, "sku+channel")


def test_merged_last_units_needs_a_preferred_channel() -> None:
    with pytest.raises(ValueError, match="last_units is 3 but no layer sets preferred_channel"):
        merge_stock([("tenant", StockRule(buffer=1)), ("sku", StockRule(last_units=3))])


def test_preferred_channel_may_come_from_another_layer() -> None:
    rule = merge_stock(
        [("tenant", StockRule(preferred_channel="shopee")), ("sku", StockRule(last_units=3))]
    )
    assert channel_quantity(3, 0, rule, "shopee") == 3
    assert channel_quantity(3, 0, rule, "lazada") == 0


# --- explanations ---------------------------------------------------------------------

EXPLAIN_CASES = [
    # id, lang, on_hand, reserved, rule fields, channel, expected text
    ("issue-example-en", "en", 12, 3, {"buffer": 2, "share_pct": D(80)}, "shopee",
     "floor(80% × (12 on hand − 3 reserved − 2 buffer)) = 5"),
    ("issue-example-id", "id", 12, 3, {"buffer": 2, "share_pct": D(80)}, "shopee",
     "floor(80% × (12 stok − 3 dipesan − 2 cadangan)) = 5"),
    ("identity-parts-left-out", "en", 12, 0, {}, "shopee", "12 on hand = 12"),
    ("reserved-only", "id", 12, 3, {}, "shopee", "12 stok − 3 dipesan = 9"),
    ("clamped-at-0", "en", 2, 5, {}, "shopee", "max(0, 2 on hand − 5 reserved) = 0"),
    ("negative-on-hand", "en", -2, 0, {}, "shopee", "max(0, −2 on hand) = 0"),
    ("share-single-term-decimal-id", "id", 30, 0, {"share_pct": D("12.5")}, "x",
     "floor(12,5% × 30 stok) = 3"),
    ("cap-binds-en", "en", 12, 3, {"max_shown": 4}, "x", "min(12 on hand − 3 reserved, 4 cap) = 4"),
    ("cap-binds-id", "id", 12, 3, {"max_shown": 4}, "x",
     "min(12 stok − 3 dipesan, 4 batas tampil) = 4"),
    ("cap-not-binding-left-out", "en", 3, 0, {"max_shown": 4}, "x", "3 on hand = 3"),
    ("one-of-a-kind-en", "en", 5, 1, {"one_of_a_kind": True}, "x",
     "5 on hand − 1 reserved = 4, one-of-a-kind item → 1"),
    ("one-of-a-kind-id", "id", 0, 0, {"one_of_a_kind": True}, "x",
     "0 stok, barang satu-satunya → 0"),
    ("below-minimum-en", "en", 5, 1, {"zero_below": 5}, "x",
     "5 on hand − 1 reserved = 4, below the minimum of 5 → 0"),
    ("below-minimum-id", "id", 4, 0, {"zero_below": 5}, "x", "4 stok, di bawah minimum 5 → 0"),
    ("last-n-preferred-en", "en", 3, 0, ROUTE, "shopee",
     "3 on hand, the last 3 units go only to shopee → 3"),
    ("last-n-other-id", "id", 5, 2, ROUTE, "tokopedia",
     "5 stok − 2 dipesan = 3, 3 unit terakhir hanya untuk shopee → 0"),
    ("last-n-capped-en", "en", 3, 0, {**ROUTE, "max_shown": 2}, "shopee",
     "3 on hand, the last 3 units go only to shopee → min(3, 2 cap) = 2"),
]  # fmt: skip


@pytest.mark.usefixtures("lang")
@pytest.mark.parametrize(
    ("language", "on_hand", "reserved", "fields", "channel", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in EXPLAIN_CASES],
)
def test_explain_quantity_text(
    *,
    language: str,
    on_hand: int,
    reserved: int,
    fields: dict[str, Any],
    channel: str,
    expected: str,
) -> None:
    set_lang(language)
    assert explain_quantity(on_hand, reserved, stock(**fields), channel).text == expected


@pytest.mark.usefixtures("lang")
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        pytest.param("en", "floor(50% × (3 available − 1 buffer)) = 1", id="en"),
        pytest.param("id", "floor(50% × (3 tersedia − 1 cadangan)) = 1", id="id"),
    ],
)
def test_explain_quantity_from_available_text(language: str, expected: str) -> None:
    set_lang(language)
    rule = stock(buffer=1, share_pct=D(50))
    assert explain_quantity_from_available(3, rule, "x").text == expected


@pytest.mark.usefixtures("lang")
@pytest.mark.parametrize(
    ("language", "channel", "expected"),
    [
        pytest.param(
            "en", "shopee",
            "buffer 3 (SKU), share 80% (channel shopee), cap 5 (SKU on shopee), "
            "minimum 2 (all products), last 2 units (SKU), "
            "preferred channel shopee (all products)",
            id="en-stock",
        ),
        pytest.param(
            "id", "shopee",
            "cadangan 3 (SKU), porsi 80% (kanal shopee), batas tampil 5 (SKU di shopee), "
            "minimum 2 (semua produk), 2 unit terakhir (SKU), "
            "kanal utama shopee (semua produk)",
            id="id-stock",
        ),
        pytest.param(
            "en", None,
            "buffer 3 (SKU), share 80% (channel), cap 5 (SKU on channel), "
            "minimum 2 (all products), last 2 units (SKU), "
            "preferred channel shopee (all products)",
            id="en-stock-no-channel-name",
        ),
    ],
)  # fmt: skip
def test_sources_text_stock(language: str, channel: str | None, expected: str) -> None:
    set_lang(language)
    assert sources_text(merge_stock(FULL_STACK), channel) == expected


@pytest.mark.usefixtures("lang")
@pytest.mark.parametrize(
    ("language", "layers", "expected"),
    [
        pytest.param("en", [], "all built-in defaults", id="en-all-default"),
        pytest.param("id", [], "semua aturan bawaan", id="id-all-default"),
        pytest.param(
            "id",
            [("sku", StockRule(one_of_a_kind=True))],
            "barang satu-satunya (SKU)",
            id="id-one-of-a-kind",
        ),
        pytest.param(
            "en",
            [("channel", StockRule(share_pct=50))],  # type: ignore[arg-type]
            "share 50% (channel shopee)",
            id="en-share-given-as-int",
        ),
        pytest.param(
            "en",
            [("tenant", StockRule(one_of_a_kind=False))],
            "not one of a kind (all products)",
            id="en-not-one-of-a-kind",
        ),
    ],
)
def test_sources_text_stock_edges(
    language: str, layers: list[tuple[str, StockRule]], expected: str
) -> None:
    set_lang(language)
    assert sources_text(merge_stock(layers), "shopee") == expected


@pytest.mark.usefixtures("lang")
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        pytest.param(
            "en",
            "markup 12.5% (all products), extra Rp 1,000 (SKU), "
            "rounding …900 (channel tokopedia), floor price Rp 20,000 (SKU on tokopedia)",
            id="en",
        ),
        pytest.param(
            "id",
            "kenaikan harga 12,5% (semua produk), tambahan Rp 1.000 (SKU), "
            "pembulatan …900 (kanal tokopedia), harga minimum Rp 20.000 (SKU di tokopedia)",
            id="id",
        ),
    ],
)
def test_sources_text_price(language: str, expected: str) -> None:
    set_lang(language)
    rule = merge_price(
        [
            ("tenant", PriceRule(markup_pct=D("12.5"))),
            ("channel", PriceRule(rounding="end900")),
            ("sku", PriceRule(markup_fixed=1000)),
            ("sku+channel", PriceRule(floor_price=20000)),
        ]
    )
    assert sources_text(rule, "tokopedia") == expected


def test_rules_messages_have_both_languages_with_matching_placeholders() -> None:
    keys = [key for key in CATALOGUE if key.startswith("rules.")]
    assert len(keys) >= 30
    for key in keys:
        indonesian, english = CATALOGUE[key]
        assert indonesian.strip()
        assert english.strip()
        assert placeholders(indonesian) == placeholders(english), key


# --- bundles --------------------------------------------------------------------------


def comp(sku: str, on_hand: int, qty: int, reserved: int = 0, buffer: int = 0) -> Component:
    return Component(sku, on_hand, reserved, buffer, qty)


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        pytest.param([comp("NASTAR-500", 10, 2), comp("KOPI-250", 3, 1)], 3, id="min"),
        pytest.param([comp("NASTAR-500", 7, 2)], 3, id="floor"),
        pytest.param([comp("NASTAR-500", 10, 2), comp("KOPI-250", 0, 1)], 0, id="component-0"),
        pytest.param([comp("NASTAR-500", 1, 2)], 0, id="qty-more-than-available"),
        pytest.param([comp("NASTAR-500", 12, 5, buffer=2)], 2, id="component-buffer"),
        pytest.param([comp("NASTAR-500", 12, 5, reserved=3)], 1, id="component-reserved"),
        pytest.param([comp("NASTAR-500", -4, 1)], 0, id="component-negative"),
        pytest.param([comp("A", 9, 3), comp("B", 8, 2), comp("C", 100, 1)], 3, id="three"),
    ],
)
def test_bundle_available(components: list[Component], expected: int) -> None:
    assert bundle_available(components) == expected
    assert explain_bundle(components).value == expected


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        pytest.param(
            [comp("NASTAR-500", 10, 2), comp("KOPI-250", 3, 1)],
            "min(floor(10 / 2) NASTAR-500, floor(3 / 1) KOPI-250) = 3",
            id="issue-example",
        ),
        pytest.param(
            [comp("NASTAR-500", 12, 5, reserved=1, buffer=2)],
            "floor(9 / 5) NASTAR-500 = 1",
            id="single-component-after-reserved-and-buffer",
        ),
    ],
)
def test_explain_bundle_text(components: list[Component], expected: str) -> None:
    assert explain_bundle(components).text == expected


def test_bundle_quantity_on_channel() -> None:
    base = bundle_available([comp("NASTAR-500", 21, 2), comp("KOPI-250", 30, 1)])
    assert channel_quantity_from_available(base, stock(buffer=1, share_pct=D(50)), "x") == 4


def test_bundle_without_components_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least one component"):
        bundle_available([])


# --- price ----------------------------------------------------------------------------

PRICE_CASES = [
    # id, base, rule fields, expected
    ("nothing", 25000, {}, 25000),
    ("rounding-none", 25049, {"rounding": "none"}, 25049),
    ("round-100-down", 25049, {"rounding": "100"}, 25000),
    ("round-100-half-up", 25050, {"rounding": "100"}, 25100),
    ("round-100-exact", 25000, {"rounding": "100"}, 25000),
    ("round-500-down", 25249, {"rounding": "500"}, 25000),
    ("round-500-half-up", 25250, {"rounding": "500"}, 25500),
    ("round-1000-down", 25499, {"rounding": "1000"}, 25000),
    ("round-1000-half-up", 25500, {"rounding": "1000"}, 26000),
    ("round-1000-small", 400, {"rounding": "1000"}, 0),
    ("end900-up", 25300, {"rounding": "end900"}, 25900),
    ("end900-already", 25900, {"rounding": "end900"}, 25900),
    ("end900-just-past", 25901, {"rounding": "end900"}, 26900),
    ("end900-over-950", 26950, {"rounding": "end900"}, 27900),
    ("end900-round-thousand", 26000, {"rounding": "end900"}, 26900),
    ("end900-zero", 0, {"rounding": "end900"}, 900),
    ("markup-pct-and-fixed", 25000, {"markup_pct": D(10), "markup_fixed": 1000}, 28500),
    ("issue-example", 25000, {"markup_pct": D(10), "markup_fixed": 1000, "rounding": "end900"},
     28900),
    ("markup-pct-half-up", 1004, {"markup_pct": D("12.5")}, 1130),
    ("markup-pct-below-half", 1003, {"markup_pct": D("12.5")}, 1128),
    ("markup-pct-negative", 20000, {"markup_pct": D(-25)}, 15000),
    ("markup-minus-100", 20000, {"markup_pct": D(-100)}, 0),
    ("fixed-negative", 25000, {"markup_fixed": -1000}, 24000),
    ("floor-applies", 25000, {"markup_fixed": -1000, "floor_price": 30000}, 30000),
    ("floor-not-needed", 25000, {"markup_fixed": -1000, "floor_price": 10000}, 24000),
    ("floor-equal", 24000, {"floor_price": 24000}, 24000),
    ("floor-after-rounding", 25300, {"rounding": "end900", "floor_price": 26000}, 26000),
    ("never-negative", 500, {"markup_fixed": -1000}, 0),
]  # fmt: skip


@pytest.mark.parametrize(
    ("base", "fields", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in PRICE_CASES],
)
def test_channel_price(base: int, fields: dict[str, Any], expected: int) -> None:
    rule = price(**fields)
    assert channel_price(base, rule) == expected
    assert explain_price(base, rule).value == expected


EXPLAIN_PRICE_CASES = [
    # id, lang, base, rule fields, expected text
    ("issue-example-en", "en", 25000,
     {"markup_pct": D(10), "markup_fixed": 1000, "rounding": "end900"},
     "Rp 25,000 + 10% + Rp 1,000 = Rp 28,500 → rounded to …900 = Rp 28,900"),
    ("issue-example-id", "id", 25000,
     {"markup_pct": D(10), "markup_fixed": 1000, "rounding": "end900"},
     "Rp 25.000 + 10% + Rp 1.000 = Rp 28.500 → dibulatkan ke …900 = Rp 28.900"),
    ("floor-en", "en", 25000, {"markup_fixed": -1000, "floor_price": 30000},
     "Rp 25,000 − Rp 1,000 = Rp 24,000 → raised to the floor price = Rp 30,000"),
    ("floor-id", "id", 25000, {"markup_fixed": -1000, "floor_price": 30000},
     "Rp 25.000 − Rp 1.000 = Rp 24.000 → dinaikkan ke harga minimum = Rp 30.000"),
    ("nearest-en", "en", 25049, {"rounding": "100"},
     "Rp 25,049 → rounded to the nearest Rp 100 = Rp 25,000"),
    ("nearest-id", "id", 21333, {"markup_pct": D("-12.5"), "rounding": "500"},
     "Rp 21.333 − 12,5% = Rp 18.666 → dibulatkan ke kelipatan Rp 500 terdekat = Rp 18.500"),
    ("rounding-no-change-left-out", "en", 25900, {"markup_fixed": 0, "rounding": "end900"},
     "Rp 25,900, unchanged"),
    ("unchanged-id", "id", 25000, {}, "Rp 25.000, tanpa perubahan"),
    ("markups-cancel-out-still-shown", "en", 25000, {"markup_pct": D(10), "markup_fixed": -2500},
     "Rp 25,000 + 10% − Rp 2,500 = Rp 25,000"),
    ("floor-only-en", "en", 1000, {"floor_price": 1500},
     "Rp 1,000 → raised to the floor price = Rp 1,500"),
]  # fmt: skip


@pytest.mark.usefixtures("lang")
@pytest.mark.parametrize(
    ("language", "base", "fields", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in EXPLAIN_PRICE_CASES],
)
def test_explain_price_text(
    language: str, base: int, fields: dict[str, Any], expected: str
) -> None:
    set_lang(language)
    assert explain_price(base, price(**fields)).text == expected


def test_negative_base_price_is_rejected() -> None:
    with pytest.raises(ValueError, match="base_price must be a whole rupiah amount >= 0"):
        channel_price(-1, price())
    with pytest.raises(ValueError, match="base_price"):
        explain_price(-1, price())


# --- validation -----------------------------------------------------------------------

VALIDATION_CASES = [
    # id, class, fields, message (regex)
    ("buffer-negative", StockRule, {"buffer": -1},
     r"buffer must be a whole number >= 0, got -1"),
    ("buffer-bool", StockRule, {"buffer": True},
     r"buffer must be a whole number"),
    ("buffer-float", StockRule, {"buffer": 1.5},
     r"buffer must be a whole number"),
    ("share-above-100", StockRule, {"share_pct": D(101)},
     r"share_pct must be a Decimal from 0 to 100"),
    ("share-negative", StockRule, {"share_pct": D("-0.1")},
     r"share_pct must be .* 0 to 100"),
    ("share-nan", StockRule, {"share_pct": D("NaN")},
     r"share_pct must be .* 0 to 100"),
    ("share-infinite", StockRule, {"share_pct": D("Infinity")},
     r"share_pct must be .* 0 to 100"),
    ("share-float", StockRule, {"share_pct": 0.29},
     r"share_pct must be a Decimal"),
    ("cap-negative", StockRule, {"max_shown": -1},
     r"max_shown must be a whole number >= 0"),
    ("threshold-negative", StockRule, {"zero_below": -2},
     r"zero_below must be a whole number >= 0"),
    ("last-units-negative", StockRule, {"last_units": -1},
     r"last_units must be a whole number >= 0"),
    ("preferred-empty", StockRule, {"preferred_channel": " "},
     r"preferred_channel must be a non-empty"),
    ("one-of-a-kind-not-bool", StockRule, {"one_of_a_kind": "yes"},
     r"one_of_a_kind must be true or false"),
    ("rounding-unknown", PriceRule, {"rounding": "10"},
     r"rounding must be one of none, 100, 500, 1000, end900"),
    ("rounding-case", PriceRule, {"rounding": "END900"},
     r"rounding must be one of"),
    ("floor-negative", PriceRule, {"floor_price": -1},
     r"floor_price must be a whole number >= 0"),
    ("markup-below-minus-100", PriceRule, {"markup_pct": D(-101)},
     r"markup_pct must be a Decimal from -100 to 1000"),
    ("markup-above-1000", PriceRule, {"markup_pct": D("1000.5")},
     r"markup_pct must be .* -100 to 1000"),
    ("markup-fixed-float", PriceRule, {"markup_fixed": 1.5},
     r"markup_fixed must be a whole number"),
    ("component-qty-0", Component, {"qty_per_bundle": 0},
     r"qty_per_bundle must be a whole number >= 1"),
    ("component-buffer-negative", Component, {"buffer": -1},
     r"buffer must be a whole number >= 0"),
]  # fmt: skip

COMPONENT_DEFAULTS = {"sku": "A", "on_hand": 1, "reserved": 0, "buffer": 0, "qty_per_bundle": 1}


@pytest.mark.parametrize(
    ("cls", "fields", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in VALIDATION_CASES],
)
def test_bad_values_are_rejected(cls: type, fields: dict[str, Any], message: str) -> None:
    if cls is Component:
        fields = {**COMPONENT_DEFAULTS, **fields}
    with pytest.raises(ValueError, match=message):
        cls(**fields)


@pytest.mark.parametrize(
    ("cls", "fields"),
    [
        pytest.param(StockRule, {"share_pct": D(0), "buffer": 0, "max_shown": 0}, id="stock-low"),
        pytest.param(StockRule, {"share_pct": D(100), "last_units": 0}, id="stock-high"),
        pytest.param(StockRule, {"share_pct": 50}, id="share-int"),
        pytest.param(PriceRule, {"markup_pct": D(-100), "markup_fixed": -5000}, id="price-low"),
        pytest.param(PriceRule, {"markup_pct": D(1000), "floor_price": 0}, id="price-high"),
        *(pytest.param(PriceRule, {"rounding": mode}, id=f"rounding-{mode}") for mode in ROUNDINGS),
    ],
)
def test_boundary_values_are_accepted(cls: type, fields: dict[str, Any]) -> None:
    rule = cls(**fields)
    assert all(getattr(rule, name) == value for name, value in fields.items())


# --- properties -----------------------------------------------------------------------

CHANNELS = ("shopee", "tokopedia", "lazada")

stock_rules = st.builds(
    StockRule,
    buffer=st.none() | st.integers(0, 20),
    share_pct=st.none() | st.decimals(0, 100, places=2),
    max_shown=st.none() | st.integers(0, 50),
    zero_below=st.none() | st.integers(0, 20),
    last_units=st.none() | st.integers(0, 10),
    preferred_channel=st.none() | st.sampled_from(CHANNELS),
    one_of_a_kind=st.none() | st.booleans(),
)
price_rules = st.builds(
    PriceRule,
    markup_pct=st.none() | st.decimals(-100, 1000, places=2),
    markup_fixed=st.none() | st.integers(-50_000, 50_000),
    rounding=st.none() | st.sampled_from(ROUNDINGS),
    floor_price=st.none() | st.integers(0, 200_000),
)
layer_labels = st.lists(st.sampled_from(LAYERS[1:]), unique=True, max_size=4).map(
    lambda labels: sorted(labels, key=LAYERS.index)
)


def _merged_stock(labels: list[str], rules: list[StockRule]) -> EffectiveStockRule:
    try:
        return merge_stock(list(zip(labels, rules, strict=False)))
    except ValueError:
        assume(False)
        raise


@given(
    labels=layer_labels,
    rules=st.lists(stock_rules, min_size=4, max_size=4),
    on_hand=st.integers(-50, 500),
    reserved=st.integers(-10, 500),
    channel=st.sampled_from(CHANNELS),
)
def test_explained_quantity_matches_fast_path(
    labels: list[str], rules: list[StockRule], on_hand: int, reserved: int, channel: str
) -> None:
    rule = _merged_stock(labels, rules)
    value = channel_quantity(on_hand, reserved, rule, channel)
    explained = explain_quantity(on_hand, reserved, rule, channel)
    assert explained.value == value
    assert explained.text.rsplit(" ", 1)[1] == str(value)
    assert 0 <= value <= max(0, on_hand)
    if rule.max_shown is not None and not rule.one_of_a_kind:
        assert value <= rule.max_shown


@given(
    rule=stock_rules.filter(lambda r: not r.last_units or r.preferred_channel),
    base=st.integers(-20, 500),
    channel=st.sampled_from(CHANNELS),
)
def test_explained_bundle_quantity_matches_fast_path(
    rule: StockRule, base: int, channel: str
) -> None:
    merged = merge_stock([("sku", rule)])
    value = channel_quantity_from_available(base, merged, channel)
    explained = explain_quantity_from_available(base, merged, channel)
    assert explained.value == value
    assert explained.text.rsplit(" ", 1)[1] == str(value)
    assert 0 <= value <= max(0, base)


@given(
    components=st.lists(
        st.builds(
            Component,
            sku=st.sampled_from(["A", "B", "C"]),
            on_hand=st.integers(-5, 100),
            reserved=st.integers(0, 100),
            buffer=st.integers(0, 10),
            qty_per_bundle=st.integers(1, 6),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_bundle_never_needs_more_than_available(components: list[Component]) -> None:
    value = bundle_available(components)
    assert explain_bundle(components).value == value
    for c in components:
        assert value * c.qty_per_bundle <= max(0, c.on_hand - c.reserved - c.buffer)
    assert any(
        (value + 1) * c.qty_per_bundle > max(0, c.on_hand - c.reserved - c.buffer)
        for c in components
    )


def _marked_up_oracle(base: int, rule: EffectivePriceRule) -> int:
    """Base plus markups computed independently with Decimal half-up rounding."""
    with localcontext() as ctx:
        ctx.prec = 60
        scaled = Decimal(base) * (100 + rule.markup_pct) / 100
        return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP)) + rule.markup_fixed


@given(
    labels=layer_labels,
    rules=st.lists(price_rules, min_size=4, max_size=4),
    base=st.integers(0, 5_000_000),
)
def test_price_properties(labels: list[str], rules: list[PriceRule], base: int) -> None:
    rule = merge_price(list(zip(labels, rules, strict=False)))
    value = channel_price(base, rule)
    explained = explain_price(base, rule)
    assert explained.value == value
    if explained.text == t("rules.price.unchanged", price=rupiah(base)):
        assert value == base
    else:
        assert explained.text.endswith(" = " + rupiah(value))
    assert value >= rule.floor_price
    assert value >= 0
    if value == rule.floor_price:
        return  # the floor (or Rp 0) won; rounding no longer decides
    marked = _marked_up_oracle(base, rule)
    if rule.rounding == "none":
        assert value == marked
    elif rule.rounding == "end900":
        assert value % 1000 == 900
        assert 0 <= value - marked < 1000
    else:
        unit = int(rule.rounding)
        assert value % unit == 0
        assert -unit / 2 < value - marked <= unit / 2
