"""What the cooperative benchmark measures, as pure functions over what happened.

Nothing here does I/O or reads a clock: the harness records orders, cancellations
and every change of the stock a marketplace shows (the simulators' ``observer``),
and these functions turn them into the reported numbers. The suite checks them on
small scripted streams with known answers (``tests/test_bench_coop.py``).

Ground truth
    The seller's *true availability* of a SKU at time t is its opening stock minus
    the units of every order accepted before t on any channel, plus the units of
    those orders cancelled before t; a bundle's is the minimum over its components
    of ``floor(component availability / units per bundle)``. What a listing *should
    show* is that, floored at 0. With syncd's default rules (no buffer, no share)
    this is exactly the master's available stock once every order is ingested, so
    the same yardstick serves syncd and the policy models.

Oversold order
    An accepted order for more units than the true availability when it was placed
    (so the seller cannot ship all of it); its oversold units are the shortfall.

Propagation latency of an order
    The order changes what some listings of that seller should show: the SKU on the
    other channels, and for bundles the components (and other bundles sharing them)
    on every channel. The listing the buyer bought from is left out: its
    marketplace lowered it itself. Latency = from the order until *every* one of
    those listings has shown the value it should show at that moment; a listing
    never seen right before the end is censored (reported as ``inf``).

Minimum stock-write calls
    For each order or cancellation, each channel account needs one write per
    listing whose should-show value changed, packed into that marketplace's batch
    shape (Shopee: one item per call, ≤ 50 models; TikTok Shop: one product per
    call; Lazada: ≤ 50 SKUs of any products; a member's own WooCommerce store: ≤ 100
    simple products per call, each variable product's variations in calls of their
    own). ``floor`` leaves out the listing the buyer used (its marketplace changed
    it); ``minimum`` keeps it on Shopee and TikTok Shop, where when the marketplace
    lowers its own stock is UNCONFIRMED (marketplace-apis.md §1.5, §3.5), and on
    WooCommerce, where store settings and plugins remove core's stock hooks (§4.3),
    so any correct sync must write the absolute value back; Lazada documents that
    ordered units leave *sellable* (§2.5).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "BATCH",
    "RESEND_ORIGIN",
    "VARIANTS_APART",
    "Listing",
    "Order",
    "Outcome",
    "Seller",
    "evaluate",
    "percentile",
    "summary",
]

#: marketplace → (one item/product per call, entries per call); from the adapters' BatchLimits
BATCH: dict[str, tuple[bool, int]] = {
    "shopee": (True, 50),
    "tiktok": (True, 100),
    "lazada": (False, 50),
    "woocommerce": (False, 100),
}
#: marketplaces whose batches take simple listings together but one item's variants apart
#: (WooCommerce: ``/products/batch``, and ``/products/{id}/variations/batch`` per parent)
VARIANTS_APART = frozenset({"woocommerce"})
#: marketplaces whose own stock change on an order is UNCONFIRMED: the value is re-sent
RESEND_ORIGIN = frozenset({"shopee", "tiktok", "woocommerce"})


@dataclass(frozen=True, slots=True)
class Listing:
    """One SKU (or bundle) as listed on one channel of one seller."""

    tenant: int
    marketplace: str
    sku: str
    item: str
    variant: str = ""


@dataclass(frozen=True, slots=True)
class Seller:
    """A seller's opening stock and bundles."""

    stock: dict[str, int]  # physical SKU → opening stock
    bundles: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def units(self, sku: str, qty: int) -> dict[str, int]:
        """Physical units an order of ``qty`` × ``sku`` takes."""
        parts = self.bundles.get(sku)
        if parts is None:
            return {sku: qty}
        return {comp: qty * per for comp, per in parts}


@dataclass(slots=True)
class Order:
    """One buyer's attempt, as the harness recorded it (times in seconds from start)."""

    tenant: int
    marketplace: str
    sku: str
    qty: int
    t: float
    accepted: bool
    cancelled_at: float | None = None


@dataclass
class Outcome:
    """Everything :func:`evaluate` derives."""

    accepted: int = 0
    refused: int = 0
    lost_sales: int = 0  # refused although the seller had the units
    cancelled: int = 0
    oversold_orders: int = 0
    oversold_units: int = 0
    oversold: list[int] = field(default_factory=list)  # indexes into the orders
    latency: list[float] = field(default_factory=list)  # per order that changed a listing
    latency_order: list[int] = field(default_factory=list)  # which order each latency is for
    censored: int = 0
    stuck: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # order, listing, should, shown
    minimum: dict[str, int] = field(default_factory=dict)  # marketplace → calls
    floor: dict[str, int] = field(default_factory=dict)
    stale: list[tuple[float, int]] = field(default_factory=list)  # (t, listings showing wrong)
    truth: dict[int, list[tuple[float, int]]] = field(default_factory=dict)  # listing → steps


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``inf`` stays ``inf``); nan for no values."""
    if not values:
        return math.nan
    ranked = sorted(values)
    return ranked[max(0, math.ceil(p / 100 * len(ranked)) - 1)]


def summary(values: Sequence[float]) -> dict[str, float]:
    """count, p50, p95, p99, max."""
    return {
        "count": float(len(values)),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else math.nan,
    }


def _calls(marketplace: str, listings: Iterable[Listing]) -> int:
    one_item, per_call = BATCH[marketplace]
    chosen = list(listings)
    if not one_item and marketplace not in VARIANTS_APART:
        return math.ceil(len(chosen) / per_call)
    per_item: dict[str, int] = defaultdict(int)
    for x in chosen:
        simple = not one_item and x.variant in ("", "0")  # packed together
        per_item["" if simple else x.item] += 1
    return sum(math.ceil(n / per_call) for n in per_item.values())


def _value_at(steps: list[tuple[float, int]], times: list[float], t: float) -> int:
    return steps[bisect.bisect_right(times, t) - 1][1]


def evaluate(  # noqa: PLR0912, PLR0915 - one sweep over time, kept in one place
    sellers: dict[int, Seller],
    listings: Sequence[Listing],
    orders: Sequence[Order],
    shown: Iterable[tuple[float, int, int]],
    *,
    end: float,
    sample_every: float = 5.0,
) -> Outcome:
    """Derive the outcome of a run.

    ``listings`` are every listing of every seller; ``shown`` is the record of what
    they showed: (t, listing index, value) for every change, in time order, where
    each listing showed its should-show value at t = 0 (the run starts in sync).
    ``end`` is when recording stopped.
    """
    out = Outcome()
    by_sku: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, x in enumerate(listings):
        by_sku[(x.tenant, x.sku)].append(i)
    users: dict[tuple[int, str], set[str]] = defaultdict(set)  # physical SKU → SKUs using it
    for tenant, seller in sellers.items():
        for sku in seller.stock:
            users[(tenant, sku)].add(sku)
        for bundle, parts in seller.bundles.items():
            for comp, _ in parts:
                users[(tenant, comp)].add(bundle)
    remaining = {(t, s): n for t, seller in sellers.items() for s, n in seller.stock.items()}

    def available(tenant: int, sku: str) -> int:
        parts = sellers[tenant].bundles.get(sku)
        if parts is None:
            return remaining[(tenant, sku)]
        return min(remaining[(tenant, c)] // per for c, per in parts)

    truth: dict[int, list[tuple[float, int]]] = {
        i: [(0.0, max(0, available(x.tenant, x.sku)))] for i, x in enumerate(listings)
    }

    # 1. the truth, order by order (cancellations interleaved by time)
    events: list[tuple[float, int, int]] = []  # (t, 0 = order / 1 = cancel, order index)
    for n, o in enumerate(orders):
        if o.accepted:
            events.append((o.t, 0, n))
            if o.cancelled_at is not None:
                events.append((o.cancelled_at, 1, n))
        else:
            events.append((o.t, 2, n))
    events.sort()
    changed_by: dict[int, list[int]] = {}
    for t, kind, n in events:
        o = orders[n]
        if kind == 2:  # refused: was it a lost sale?
            out.refused += 1
            if available(o.tenant, o.sku) >= o.qty:
                out.lost_sales += 1
            continue
        units = sellers[o.tenant].units(o.sku, o.qty)
        if kind == 0:
            out.accepted += 1
            short = o.qty - max(0, available(o.tenant, o.sku))
            if short > 0:
                out.oversold_orders += 1
                out.oversold_units += min(short, o.qty)
                out.oversold.append(n)
        else:
            out.cancelled += 1
        sign = -1 if kind == 0 else 1
        touched: set[str] = set()
        for comp, k in units.items():
            remaining[(o.tenant, comp)] += sign * k
            touched |= users[(o.tenant, comp)]
        changed: list[int] = []
        for sku in sorted(touched):
            value = max(0, available(o.tenant, sku))
            for i in by_sku[(o.tenant, sku)]:
                if truth[i][-1][1] != value:
                    truth[i].append((t, value))
                    changed.append(i)
        # minimum writes for this event, per channel account
        per_channel: dict[str, list[Listing]] = defaultdict(list)
        per_channel_floor: dict[str, list[Listing]] = defaultdict(list)
        for i in changed:
            x = listings[i]
            own = x.marketplace == o.marketplace and x.sku == o.sku
            if not own or x.marketplace in RESEND_ORIGIN:
                per_channel[x.marketplace].append(x)
            if not own:
                per_channel_floor[x.marketplace].append(x)
        for m, chosen in per_channel.items():
            out.minimum[m] = out.minimum.get(m, 0) + _calls(m, chosen)
        for m, chosen in per_channel_floor.items():
            out.floor[m] = out.floor.get(m, 0) + _calls(m, chosen)
        if kind == 0:
            changed_by[n] = [
                i
                for i in changed
                if not (listings[i].marketplace == o.marketplace and listings[i].sku == o.sku)
            ]
    out.truth = truth

    # 2. what was shown, per listing
    shown_steps: dict[int, list[tuple[float, int]]] = {i: [steps[0]] for i, steps in truth.items()}
    record = sorted(shown, key=lambda r: r[0])
    for t, i, value in record:
        shown_steps[i].append((t, value))

    # 3. latency per order: first moment at or after it when each affected listing is right
    truth_t = {i: [s[0] for s in steps] for i, steps in truth.items()}
    shown_t = {i: [s[0] for s in steps] for i, steps in shown_steps.items()}
    for n, affected in sorted(changed_by.items()):
        if not affected:
            continue
        t0 = orders[n].t
        worst = 0.0
        for i in affected:
            points = [t0] + [
                s for s in truth_t[i][bisect.bisect_right(truth_t[i], t0) :] if s <= end
            ]
            points += [s for s in shown_t[i][bisect.bisect_right(shown_t[i], t0) :] if s <= end]
            hit = math.inf
            for s in sorted(points):
                if _value_at(shown_steps[i], shown_t[i], s) == _value_at(truth[i], truth_t[i], s):
                    hit = s - t0
                    break
            worst = max(worst, hit)
            if math.isinf(hit):
                out.stuck.append((n, i, truth[i][-1][1], shown_steps[i][-1][1]))
        out.latency.append(worst)
        out.latency_order.append(n)
        out.censored += math.isinf(worst)

    # 4. listings showing a wrong value over time (a sweep over both step functions)
    changes = sorted(
        [(t, 0, i, v) for i, steps in truth.items() for t, v in steps[1:]]
        + [(t, 1, i, v) for t, i, v in record]
    )
    current_truth = {i: steps[0][1] for i, steps in truth.items()}
    current_shown = dict(current_truth)
    wrong: set[int] = set()
    next_sample, k = 0.0, 0
    while next_sample <= end:
        while k < len(changes) and changes[k][0] <= next_sample:
            _, which, i, v = changes[k]
            (current_truth if which == 0 else current_shown)[i] = v
            if current_truth[i] == current_shown[i]:
                wrong.discard(i)
            else:
                wrong.add(i)
            k += 1
        out.stale.append((next_sample, len(wrong)))
        next_sample += sample_every
    return out
