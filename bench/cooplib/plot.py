"""The picture of a cooperative run (optional: ``pip install '.[bench]'`` for matplotlib).

Left: the CDF of propagation latency per policy (orders never propagated by the end
of the run keep the curve below 1). Right: one hot, low-stock SKU of member 1 over
time: what it should show (the seller's true availability) and what each channel
showed, under syncd.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

__all__ = ["plot", "plot_performance"]

COLOURS = {"syncd": "#1b7837", "full15": "#b2182b", "full5": "#ef8a62", "persku": "#2166ac"}
CHANNELS = {
    "shopee": "#ee4d2d",
    "tiktok": "#111111",
    "lazada": "#0f146d",
    "woocommerce": "#7f54b3",
}


def _steps(points: list[tuple[float, int]], end: float) -> tuple[list[float], list[int]]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return [*xs, end], [*ys, ys[-1]]


def _own(r: dict[str, Any]) -> str:
    n = r.get("own_stores", 0)
    return f" (+{n} own stores)" if n else ""


def _moved(hot: dict[str, Any] | None) -> bool:
    return bool(hot) and len(hot["truth"]) > 1  # type: ignore[index]


def plot(results: list[dict[str, Any]], args: argparse.Namespace, path: Path) -> None:
    try:
        import matplotlib as mpl

        mpl.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise SystemExit(
            "the picture needs matplotlib: pip install '.[bench]' (the numbers do not)"
        ) from exc
    hot_runs = [r for r in results if r["policy"] in ("syncd", "full15") and _moved(r.get("hot"))]
    fig = plt.figure(figsize=(13, 4.8 if len(hot_runs) < 2 else 6.4))
    grid = fig.add_gridspec(max(1, len(hot_runs)), 2)
    cdf = fig.add_subplot(grid[:, 0])
    for r in results:
        lat = sorted(math.inf if x is None else x for x in r["latency_all"])  # JSON: null
        if not lat:
            continue
        finite = [x for x in lat if not math.isinf(x)]
        ys = [(i + 1) / len(lat) for i in range(len(finite))]
        label = r["policy"] if r["policy"] == "syncd" else f"{r['policy']} (model)"
        label += f", {len(finite) / len(lat):.0%} by the end"
        if finite:
            cdf.step(finite, ys, where="post", label=label, color=COLOURS.get(r["policy"]))
        else:
            cdf.plot([], [], label=label, color=COLOURS.get(r["policy"]))
    cdf.set_xscale("log")
    cdf.set_xlabel("seconds from order to every affected listing right (log)")
    cdf.set_ylabel("share of orders")
    cdf.set_ylim(0, 1.01)
    cdf.axvline(args.poll + 5, color="grey", linestyle=":", linewidth=1)
    cdf.text(args.poll + 5, 0.5, "poll + 5 s ", color="grey", fontsize=8, ha="right")
    cdf.set_title("Propagation latency (CDF)")
    cdf.legend(loc="lower right", fontsize=8)
    for row, r in enumerate(hot_runs):
        hot = fig.add_subplot(grid[row, 1])
        h, end = r["hot"], r["seconds"]
        xs, ys = _steps([tuple(p) for p in h["truth"]], end)
        hot.step(xs, ys, where="post", color="grey", linewidth=4, alpha=0.4, label="should show")
        for m, points in h["shown"].items():
            start = [(0.0, h["truth"][0][1])]
            xs, ys = _steps(start + [tuple(p) for p in points], end)
            hot.step(xs, ys, where="post", color=CHANNELS.get(m), linewidth=1.2, label=m)
        hot.set_ylabel("stock shown")
        name = r["policy"] if r["policy"] == "syncd" else f"{r['policy']} (model)"
        hot.set_title(
            f"member {h.get('tenant', 1)}, {h['sku']} (opening {h['opening']}), under {name}",
            fontsize=9,
        )
        hot.legend(fontsize=7, loc="upper right")
        if row == len(hot_runs) - 1:
            hot.set_xlabel("seconds into the run")
    syncd = next((r for r in results if r["policy"] == "syncd"), results[0])
    fig.suptitle(
        f"{syncd['tenants']} members × 3 marketplaces{_own(syncd)}, {args.rate:g} orders/s, "
        f"{args.duration:.0f} s, poll {args.poll:g} s",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


SETTING_COLOURS = {
    "polling": "#2166ac",
    "polling-2p": "#67a9cf",
    "polling-limited": "#92c5de",
    "webhooks": "#1b7837",
    "webhooks-raised": "#7b3294",
    "lossy": "#e08214",
}


def plot_performance(runs: list[dict[str, Any]], growth: list[dict[str, Any]], path: Path) -> None:
    """The README's Performance picture: left, the latency CDF of each run (one curve
    per setting and size, log time axis); right, daemon CPU (% of one core) against the
    shops served, for polling and for webhooks (from the growth rows)."""
    try:
        import matplotlib as mpl

        mpl.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise SystemExit(
            "the picture needs matplotlib: pip install '.[bench]' (the numbers do not)"
        ) from exc
    fig, (cdf, cpu) = plt.subplots(1, 2, figsize=(13, 4.8))
    for r in runs:
        lat = sorted(math.inf if x is None else x for x in r["latency_all"])
        finite = [x for x in lat if not math.isinf(x)]
        if not finite:
            continue
        ys = [(i + 1) / len(lat) for i in range(len(finite))]
        name = r.get("setting") or r["policy"]
        cdf.step(
            finite,
            ys,
            where="post",
            color=SETTING_COLOURS.get(name),
            linestyle="-" if r["tenants"] < 2000 else "--",
            label=f"{name}, {r['tenants']:,} members ({r['accounts']:,} shops)",
        )
    cdf.set_xscale("log")
    cdf.set_xlabel("seconds from order to every affected listing right (log)")
    cdf.set_ylabel("share of orders")
    cdf.set_title("propagation latency")
    cdf.grid(True, which="both", alpha=0.3)
    cdf.legend(fontsize=8, loc="lower right")
    for name in ("polling", "webhooks"):
        rows = sorted((r for r in growth if r.get("setting") == name), key=lambda r: r["accounts"])
        if rows:
            cpu.plot(
                [r["accounts"] for r in rows],
                [r["cpu_pct"] for r in rows],
                marker="o",
                color=SETTING_COLOURS[name],
                label=name,
            )
    cpu.axhline(100, color="#999999", linestyle=":", label="one core")
    cpu.set_xscale("log")
    cpu.set_xlabel("shops served (log)")
    cpu.set_ylabel("daemon CPU, % of one core")
    cpu.set_title("daemon CPU against shops")
    cpu.grid(True, which="both", alpha=0.3)
    cpu.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
