"""The seeded order stream and the buyers who play it against one world.

The stream is decided before any policy runs (Poisson arrivals, members and
each member's marketplaces uniform, SKUs Zipf-skewed per member, ~5 % cancelled, about half
shipped later), so every policy faces the same buyers. Whether an order is
*accepted* depends on what the shop shows at that moment, i.e. on the policy.
"""

from __future__ import annotations

import heapq
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cooplib.measure import Order

__all__ = ["Intent", "Recorder", "generate", "play"]


@dataclass(frozen=True, slots=True)
class Intent:
    """A buyer's plan: order ``qty`` of ``sku`` at ``t``; maybe cancel or ship later."""

    t: float
    tenant: int
    marketplace: str
    sku: str
    qty: int
    platform: str  # TikTok Shop orders come from TikTok or Tokopedia
    follow: str | None  # "cancelled", "shipped" or None
    follow_after: float


def generate(
    weights: dict[int, dict[str, float]],
    *,
    rate: float,
    duration: float,
    seed: int,
    cancel_share: float = 0.05,
    ship_share: float = 0.5,
    marketplaces: tuple[str, ...] = ("shopee", "tiktok", "lazada"),
    channels: dict[int, tuple[str, ...]] | None = None,
) -> list[Intent]:
    """Poisson arrivals at ``rate``/s for ``duration`` s; ``weights``: member → SKU → weight;
    ``channels``: member → where it sells, when not ``marketplaces`` (its own store too)."""
    rng = random.Random(seed)  # noqa: S311 - simulated buyers
    tenants = sorted(weights)
    choices = {t: (list(w), list(w.values())) for t, w in weights.items()}
    out: list[Intent] = []
    t = rng.expovariate(rate)
    while t < duration:
        tenant = rng.choice(tenants)
        skus, w = choices[tenant]
        sku = rng.choices(skus, w)[0]
        roll = rng.random()
        follow = (
            "cancelled"
            if roll < cancel_share
            else "shipped"
            if roll < cancel_share + ship_share
            else None
        )
        out.append(
            Intent(
                t,
                tenant,
                rng.choice((channels or {}).get(tenant, marketplaces)),
                sku,
                1 if rng.random() < 0.85 else 2,
                rng.choice(("TOKOPEDIA", "TIKTOK_SHOP")),
                follow,
                rng.uniform(5.0, 120.0) if follow == "cancelled" else rng.uniform(30.0, 300.0),
            )
        )
        t += rng.expovariate(rate)
    return out


class Recorder:
    """The simulators' observer: every change of shown stock, as (t, listing, value)."""

    def __init__(self, index: dict[tuple[str, Any, Any, Any], int], start: float) -> None:
        self.index, self.start = index, start
        self.changes: list[tuple[float, int, int]] = []
        self.unknown = 0
        self._lock = threading.Lock()

    def observer(self, marketplace: str) -> Callable[[Any, Any, Any, int], None]:
        def seen(shop: Any, item: Any, variant: Any, value: int) -> None:
            at = time.monotonic() - self.start
            listing = self.index.get((marketplace, shop, item, variant))
            with self._lock:
                if listing is None:
                    self.unknown += 1
                else:
                    self.changes.append((at, listing, value))

        return seen


def play(
    intents: list[Intent],
    place: Callable[[Intent], Any],
    move: Callable[[Intent, Any, str], None],
    *,
    start: float,
    until: float,
    stop: threading.Event,
) -> list[Order]:
    """Play the stream in real time from ``start`` (monotonic); follow-ups due after
    ``until`` seconds are dropped. Returns one :class:`Order` per intent."""
    orders = [Order(i.tenant, i.marketplace, i.sku, i.qty, i.t, accepted=False) for i in intents]
    queue: list[tuple[float, int, int]] = [(i.t, 0, n) for n, i in enumerate(intents)]
    heapq.heapify(queue)
    placed: dict[int, Any] = {}
    while queue and not stop.is_set():
        due, kind, n = heapq.heappop(queue)
        wait = start + due - time.monotonic()
        if wait > 0 and stop.wait(wait):
            break
        intent = intents[n]
        if kind == 0:
            orders[n].t = time.monotonic() - start
            found = place(intent)
            if found is None:
                continue
            orders[n].accepted = True
            placed[n] = found
            if intent.follow is not None and due + intent.follow_after <= until:
                heapq.heappush(queue, (due + intent.follow_after, 1, n))
        else:
            assert intent.follow is not None  # noqa: S101
            at = time.monotonic() - start
            move(intent, placed[n], intent.follow)
            if intent.follow == "cancelled":
                orders[n].cancelled_at = at
    return orders
