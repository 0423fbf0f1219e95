"""Stock and price rules: pure functions that return a number and, on request, its explanation.

Rules come in layers, least to most specific: ``default`` (built in), ``tenant``,
``channel``, ``sku``, ``sku+channel``. ``merge_stock``/``merge_price`` merge them
field by field (the most specific non-None value wins) and remember each field's layer.

Quantity shown on a channel, in this order:

1. available = max(0, on_hand − reserved − buffer); a negative ``reserved`` counts as 0,
   so available is never negative and never above ``on_hand``.
2. one_of_a_kind: 1 if available ≥ 1 else 0, where the buffer is ignored (a buffer
   would hide a single handmade item forever); nothing below applies.
3. zero_below: available < zero_below → 0.
4. last-N routing: when last_units > 0 and available ≤ last_units, the preferred channel
   gets all of ``available`` (no share), every other channel 0; the cap (6) still applies.
5. share: floor(share_pct × available / 100), in exact integer arithmetic.
6. max_shown: min(value, max_shown).

Price: base + markup_pct (rounded half-up to whole rupiah) + markup_fixed, then the
rounding mode, then never below floor_price (built-in floor Rp 0). Integer rupiah throughout.

``explain_*`` return the same number as the fast functions plus the formula, localized
through ``syncd.i18n`` (keys ``rules.*``); steps that change nothing are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from typing import Any, Final

from syncd.i18n import get_lang, rupiah, t

LAYERS: Final[tuple[str, ...]] = ("default", "tenant", "channel", "sku", "sku+channel")
ROUNDINGS: Final[tuple[str, ...]] = ("none", "100", "500", "1000", "end900")
_MINUS: Final = " − "

_RANK: Final = {label: rank for rank, label in enumerate(LAYERS)}
_STOCK_FIELDS: Final = (
    "buffer", "share_pct", "max_shown", "zero_below",
    "last_units", "preferred_channel", "one_of_a_kind",
)  # fmt: skip
_PRICE_FIELDS: Final = ("markup_pct", "markup_fixed", "rounding", "floor_price")
_HUNDRED: Final = Decimal(100)


# --- validation -----------------------------------------------------------------------


def _check_int(name: str, value: object, low: int | None = 0) -> None:
    """Raise ValueError unless ``value`` is None or a whole number >= ``low``."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value}")


def _check_pct(name: str, value: object, low: int, high: int) -> None:
    """Raise ValueError unless ``value`` is None or an exact number in [low, high]."""
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, Decimal | int)
        or not Decimal(value).is_finite()
        or not low <= value <= high
    ):
        raise ValueError(f"{name} must be a Decimal from {low} to {high} (percent), got {value!r}")


@lru_cache(maxsize=1024)
def _ratio(pct: Decimal | int) -> tuple[int, int]:
    """``pct`` as an exact fraction (numerator, denominator); cached, rules repeat a lot."""
    return pct.as_integer_ratio()


# --- rules and layering ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockRule:
    """One layer of stock settings; None means "inherit from a less specific layer"."""

    buffer: int | None = None
    share_pct: Decimal | None = None
    max_shown: int | None = None
    zero_below: int | None = None
    last_units: int | None = None
    preferred_channel: str | None = None
    one_of_a_kind: bool | None = None

    def __post_init__(self) -> None:
        for name in ("buffer", "max_shown", "zero_below", "last_units"):
            _check_int(name, getattr(self, name))
        _check_pct("share_pct", self.share_pct, 0, 100)
        channel = self.preferred_channel
        if channel is not None and (not isinstance(channel, str) or not channel.strip()):
            raise ValueError(f"preferred_channel must be a non-empty channel name, got {channel!r}")
        if self.one_of_a_kind is not None and not isinstance(self.one_of_a_kind, bool):
            raise ValueError(f"one_of_a_kind must be true or false, got {self.one_of_a_kind!r}")


@dataclass(frozen=True, slots=True)
class PriceRule:
    """One layer of price settings; None means "inherit from a less specific layer"."""

    markup_pct: Decimal | None = None
    markup_fixed: int | None = None
    rounding: str | None = None
    floor_price: int | None = None

    def __post_init__(self) -> None:
        _check_pct("markup_pct", self.markup_pct, -100, 1000)
        _check_int("markup_fixed", self.markup_fixed, low=None)
        _check_int("floor_price", self.floor_price)
        if self.rounding is not None and self.rounding not in ROUNDINGS:
            raise ValueError(
                f"rounding must be one of {', '.join(ROUNDINGS)}, got {self.rounding!r}"
            )


@dataclass(frozen=True, slots=True)
class EffectiveStockRule:
    """Merged stock rule; ``sources`` holds each field's layer label in field order."""

    buffer: int = 0
    share_pct: Decimal = _HUNDRED
    max_shown: int | None = None
    zero_below: int = 0
    last_units: int = 0
    preferred_channel: str | None = None
    one_of_a_kind: bool = False
    sources: tuple[str, ...] = ("default",) * len(_STOCK_FIELDS)
    share: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.last_units and self.preferred_channel is None:
            raise ValueError(
                f"last_units is {self.last_units} but no layer sets preferred_channel: "
                "set preferred_channel, or last_units 0 to turn routing off"
            )
        object.__setattr__(self, "share", _ratio(self.share_pct))

    def source(self, name: str) -> str:
        """Layer label the field ``name`` came from."""
        return self.sources[_STOCK_FIELDS.index(name)]


@dataclass(frozen=True, slots=True)
class EffectivePriceRule:
    """Merged price rule; ``sources`` holds each field's layer label in field order."""

    markup_pct: Decimal = Decimal(0)
    markup_fixed: int = 0
    rounding: str = "none"
    floor_price: int = 0
    sources: tuple[str, ...] = ("default",) * len(_PRICE_FIELDS)
    markup: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "markup", _ratio(self.markup_pct))

    def source(self, name: str) -> str:
        """Layer label the field ``name`` came from."""
        return self.sources[_PRICE_FIELDS.index(name)]


_STOCK_DEFAULTS: Final = attrgetter(*_STOCK_FIELDS)(EffectiveStockRule())
_PRICE_DEFAULTS: Final = attrgetter(*_PRICE_FIELDS)(EffectivePriceRule())
_stock_values: Final = attrgetter(*_STOCK_FIELDS)
_price_values: Final = attrgetter(*_PRICE_FIELDS)


def _merge(
    layers: Sequence[tuple[str, object]],
    defaults: tuple[object, ...],
    values_of: Callable[[object], tuple[object, ...]],
) -> list[Any]:
    """Field-by-field merge, then the sources tuple; labels must be in LAYERS order."""
    values, sources = list(defaults), ["default"] * len(defaults)
    last = -1
    for label, rule in layers:
        rank = _RANK.get(label, -1)
        if rank <= last:
            raise ValueError(
                f"layer {label!r} out of place: use {', '.join(LAYERS)}, "
                "each at most once, least specific first"
            )
        last = rank
        for i, value in enumerate(values_of(rule)):
            if value is not None:
                values[i] = value
                sources[i] = label
    return [*values, tuple(sources)]


def merge_stock(layers: Sequence[tuple[str, StockRule]]) -> EffectiveStockRule:
    """Merge stock layers (least specific first) into one effective rule."""
    return EffectiveStockRule(*_merge(layers, _STOCK_DEFAULTS, _stock_values))


def merge_price(layers: Sequence[tuple[str, PriceRule]]) -> EffectivePriceRule:
    """Merge price layers (least specific first) into one effective rule."""
    return EffectivePriceRule(*_merge(layers, _PRICE_DEFAULTS, _price_values))


# --- stock ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Explained:
    """A computed number and the localized formula that produced it."""

    value: int
    text: str


@dataclass(frozen=True, slots=True)
class Component:
    """One component of a bundle and how many of it one bundle uses."""

    sku: str
    on_hand: int
    reserved: int
    buffer: int
    qty_per_bundle: int

    def __post_init__(self) -> None:
        _check_int("buffer", self.buffer)
        _check_int("qty_per_bundle", self.qty_per_bundle, low=1)


def _shown(available: int, rule: EffectiveStockRule, channel: str) -> int:
    """Steps 2-6 of the module docstring for an already non-negative ``available``."""
    if rule.one_of_a_kind:
        return 1 if available >= 1 else 0
    if available < rule.zero_below:
        return 0
    if available <= rule.last_units:
        value = available if channel == rule.preferred_channel else 0
    else:
        num, den = rule.share
        value = available * num // (den * 100)
    cap = rule.max_shown
    return value if cap is None or value <= cap else cap


def _buffer(rule: EffectiveStockRule) -> int:
    """The buffer in force: none for a one-of-a-kind item (a buffer would hide it forever)."""
    return 0 if rule.one_of_a_kind else rule.buffer


def channel_quantity(on_hand: int, reserved: int, rule: EffectiveStockRule, channel: str) -> int:
    """Units to show on ``channel`` (fast path, no text)."""
    return _shown(max(0, on_hand - max(0, reserved) - _buffer(rule)), rule, channel)


def channel_quantity_from_available(
    base_available: int, rule: EffectiveStockRule, channel: str
) -> int:
    """Units to show for an already computed base (bundles); the rule's buffer still applies."""
    return _shown(max(0, base_available - _buffer(rule)), rule, channel)


def _num(n: int) -> str:
    """An integer with a real minus sign."""
    return f"−{-n}" if n < 0 else str(n)


def _pct(pct: Decimal | int) -> str:
    """``12.5`` → ``12.5%`` (``12,5%`` in Indonesian)."""
    text = format(Decimal(pct).normalize(), "f")
    return (text.replace(".", ",") if get_lang() == "id" else text) + "%"


def _capped(expr: str, value: int, cap: int | None) -> tuple[str, int]:
    """Wrap ``expr`` in min(…, cap) when the cap binds."""
    if cap is None or value <= cap:
        return expr, value
    return f"min({expr}, {t('rules.qty.cap', n=cap)})", cap


def _formula(terms: list[str], raw: int) -> tuple[str, int, str]:
    """(availability expression, available, text for conditional steps)."""
    expr = _MINUS.join(terms)
    available = max(0, raw)
    if raw < 0:
        expr = f"max(0, {expr})"
    simple = len(terms) == 1 and raw >= 0
    return expr, available, expr if simple else f"{expr} = {available}"


def _explain_routed(calc: str, available: int, rule: EffectiveStockRule, channel: str) -> str:
    """Text for step 4: the last units go only to the preferred channel (cap still applies)."""
    routed = available if channel == rule.preferred_channel else 0
    capped, value = _capped(str(routed), routed, rule.max_shown)
    result = str(value) if value == routed else f"{capped} = {value}"
    n, preferred = rule.last_units, rule.preferred_channel
    return t("rules.qty.last_units", calc=calc, n=n, channel=preferred, result=result)


def _explain_shown(terms: list[str], raw: int, rule: EffectiveStockRule, channel: str) -> str:
    """Text for steps 2-6; ``terms`` spell out the subtraction giving ``raw``."""
    expr, available, calc = _formula(terms, raw)
    if rule.one_of_a_kind:
        value = 1 if available >= 1 else 0
        return t("rules.qty.one_of_a_kind", calc=calc, value=value)
    if available < rule.zero_below:
        return t("rules.qty.below_minimum", calc=calc, minimum=rule.zero_below)
    if rule.last_units and available <= rule.last_units:
        return _explain_routed(calc, available, rule, channel)
    if rule.share_pct != _HUNDRED:
        num, den = rule.share
        inner = f"({expr})" if len(terms) > 1 and raw >= 0 else expr
        expr, available = f"floor({_pct(rule.share_pct)} × {inner})", available * num // (den * 100)
    expr, value = _capped(expr, available, rule.max_shown)
    return f"{expr} = {value}"


def _buffer_terms(first: str, reserved: int, buffer: int) -> list[str]:
    terms = [first]
    if reserved > 0:
        terms.append(t("rules.qty.reserved", n=reserved))
    if buffer > 0:
        terms.append(t("rules.qty.buffer", n=buffer))
    return terms


def explain_quantity(
    on_hand: int, reserved: int, rule: EffectiveStockRule, channel: str
) -> Explained:
    """``channel_quantity`` with its formula."""
    terms = _buffer_terms(t("rules.qty.on_hand", n=_num(on_hand)), reserved, _buffer(rule))
    raw = on_hand - max(0, reserved) - _buffer(rule)
    text = _explain_shown(terms, raw, rule, channel)
    return Explained(channel_quantity(on_hand, reserved, rule, channel), text)


def explain_quantity_from_available(
    base_available: int, rule: EffectiveStockRule, channel: str
) -> Explained:
    """``channel_quantity_from_available`` with its formula."""
    first = t("rules.qty.available", n=_num(base_available))
    terms = _buffer_terms(first, 0, _buffer(rule))
    text = _explain_shown(terms, base_available - _buffer(rule), rule, channel)
    return Explained(channel_quantity_from_available(base_available, rule, channel), text)


# --- bundles --------------------------------------------------------------------------


def _component_available(c: Component) -> int:
    return max(0, c.on_hand - max(0, c.reserved) - c.buffer)


def bundle_available(components: Sequence[Component]) -> int:
    """Whole bundles the components make: min of floor(available / qty_per_bundle)."""
    if not components:
        raise ValueError("a bundle needs at least one component")
    return min(_component_available(c) // c.qty_per_bundle for c in components)


def explain_bundle(components: Sequence[Component]) -> Explained:
    """``bundle_available`` with its formula, one term per component."""
    value = bundle_available(components)
    parts = [f"floor({_component_available(c)} / {c.qty_per_bundle}) {c.sku}" for c in components]
    expr = parts[0] if len(parts) == 1 else f"min({', '.join(parts)})"
    return Explained(value, f"{expr} = {value}")


# --- price ----------------------------------------------------------------------------


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up (denominator > 0)."""
    quotient, remainder = divmod(numerator, denominator)
    return quotient + 1 if 2 * remainder >= denominator else quotient


def _round(price: int, mode: str) -> int:
    """Apply a rounding mode from ROUNDINGS."""
    if mode == "none":
        return price
    if mode == "end900":
        return price + (900 - price) % 1000
    unit = int(mode)
    return _half_up(price, unit) * unit


def _check_base(base_price: int) -> None:
    if base_price < 0:
        raise ValueError(f"base_price must be a whole rupiah amount >= 0, got {base_price}")


def _marked_up(base_price: int, rule: EffectivePriceRule) -> int:
    num, den = rule.markup
    return _half_up(base_price * (100 * den + num), 100 * den) + rule.markup_fixed


def channel_price(base_price: int, rule: EffectivePriceRule) -> int:
    """Price on the channel in whole rupiah (fast path, no text)."""
    _check_base(base_price)
    return max(_round(_marked_up(base_price, rule), rule.rounding), rule.floor_price)


def _signed(value: Decimal | int, text: str) -> str:
    return f"{' − ' if value < 0 else ' + '}{text}"


def _markup_text(base_price: int, rule: EffectivePriceRule) -> str:
    """``Rp 25.000 + 10% + Rp 1.000 = Rp 28.500`` (markups that apply only)."""
    text = rupiah(base_price)
    if rule.markup_pct:
        text += _signed(rule.markup_pct, _pct(abs(rule.markup_pct)))
    if rule.markup_fixed:
        text += _signed(rule.markup_fixed, rupiah(abs(rule.markup_fixed)))
    if rule.markup_pct or rule.markup_fixed:
        text += f" = {rupiah(_marked_up(base_price, rule))}"
    return text


def _rounding_label(mode: str) -> str:
    if mode == "none":
        return t("rules.rounding.none")
    return "…900" if mode == "end900" else rupiah(int(mode))


def explain_price(base_price: int, rule: EffectivePriceRule) -> Explained:
    """``channel_price`` with each step that changes the price."""
    value = channel_price(base_price, rule)
    marked = _marked_up(base_price, rule)
    steps = [_markup_text(base_price, rule)]
    rounded = _round(marked, rule.rounding)
    if rounded != marked:
        key = "rules.price.rounded_end900" if rule.rounding == "end900" else "rules.price.rounded"
        steps.append(t(key, unit=_rounding_label(rule.rounding), price=rupiah(rounded)))
    if value != rounded:
        steps.append(t("rules.price.floor", price=rupiah(value)))
    if len(steps) == 1 and not (rule.markup_pct or rule.markup_fixed):
        return Explained(value, t("rules.price.unchanged", price=steps[0]))
    return Explained(value, " → ".join(steps))


# --- where each setting came from -----------------------------------------------------


def _layer(label: str, channel: str | None) -> str:
    key = "rules.layer." + label.replace("+", "_")
    if label not in ("channel", "sku+channel"):
        return t(key)
    return t(key, channel=channel) if channel else t(key + "_any")


def _field_value(name: str, value: object) -> str:
    if name in ("share_pct", "markup_pct") and isinstance(value, Decimal | int):
        return _pct(value)
    if name in ("markup_fixed", "floor_price") and isinstance(value, int):
        return rupiah(value)
    if name == "rounding":
        return _rounding_label(str(value))
    return str(value)


def _field_text(name: str, value: object) -> str:
    if name == "one_of_a_kind":
        return t("rules.field.one_of_a_kind" if value else "rules.field.not_one_of_a_kind")
    return t("rules.field." + name, value=_field_value(name, value))


def sources_text(rule: EffectiveStockRule | EffectivePriceRule, channel: str | None = None) -> str:
    """Settings not left at the built-in default, each with its layer.

    E.g. ``buffer 2 (SKU), share 80% (channel shopee)``; ``channel`` names the channel
    layers (omit it for a generic label).
    """
    names = _STOCK_FIELDS if isinstance(rule, EffectiveStockRule) else _PRICE_FIELDS
    parts = [
        f"{_field_text(name, getattr(rule, name))} ({_layer(source, channel)})"
        for name, source in zip(names, rule.sources, strict=True)
        if source != "default"
    ]
    return ", ".join(parts) if parts else t("rules.sources.none")
