"""Seller-facing messages: the daemon's pace against a marketplace's rate budget
(``syncd status``).

Each entry is (Bahasa Indonesia, English). Placeholders must match.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "lanes.pacing": (
        "{marketplace}: diminta cek tiap {asked} dtk, batas panggilan aplikasinya hanya "
        "cukup untuk tiap {allowed} dtk bagi {shops} toko (tercapai: tiap {achieved} dtk)",
        "{marketplace}: poll every {asked} s asked, {allowed} s is what the budget allows "
        "for {shops} shops (achieved: every {achieved} s)",
    ),
    "lanes.behind": (
        "{marketplace}: diminta cek tiap {asked} dtk, tetapi pengecekan rutin mulai {late} "
        "dtk terlambat{cause} ({shops} toko; tercapai: tiap {achieved} dtk)",
        "{marketplace}: poll every {asked} s asked, but routine polls start {late} s "
        "late{cause} ({shops} shops; achieved: every {achieved} s)",
    ),
    # why routine polls start late ({cause} above): the lane is full, or every worker is
    "lanes.cause_lane": (
        " di belakang kiriman stok dan pesanan dari webhook",
        " behind stock pushes and webhook pulls",
    ),
    "lanes.cause_workers": (
        " karena semua {workers} pekerja sibuk (tambah --workers, bila CPU masih longgar)",
        ": all {workers} workers busy (more --workers, while the CPU has room)",
    ),
    "lanes.upkeep": (
        "{marketplace}: cek ulang semua listing diminta tiap {asked} dtk, dilakukan tiap "
        "{every} dtk agar memakai paling banyak {share}% batas panggilan aplikasinya "
        "({shops} toko)",
        "{marketplace}: every listing read back every {every} s ({asked} s asked), so that "
        "it takes at most {share}% of the app's budget ({shops} shops)",
    ),
    # the daemon.upkeep event in `syncd logs` (its data: syncd.daemon.Daemon._pace)
    "event.daemon.upkeep": (
        "{title}: cek ulang semua listing diminta tiap {asked:g} dtk, dilakukan tiap "
        "{every:.0f} dtk: {calls:.1f} panggilan per toko untuk {shops} toko, paling banyak "
        "{share:.0%} dari {rate:g} panggilan/dtk aplikasinya.",
        "{title}: every listing read back every {every:.0f} s ({asked:g} s asked): "
        "{calls:.1f} calls per shop for {shops:,} shops, at most {share:.0%} of the app's "
        "{rate:g} calls/s.",
    ),
    # the daemon.behind event in `syncd logs` (its data: syncd.daemon.Daemon._pace)
    "event.daemon.behind": (
        "{title}: diminta cek tiap {asked:g} dtk, tetapi pengecekan rutin mulai {late:.0f} "
        "dtk terlambat{cause} ({shops} toko, {rate:g} panggilan/dtk untuk aplikasinya); "
        "tercapai: tiap {achieved:.0f} dtk.",
        "{title}: poll every {asked:g} s asked, but routine polls start {late:.0f} s "
        "late{cause} ({shops:,} shops, {rate:g} calls/s for the app); "
        "achieved: every {achieved:.0f} s.",
    ),
    # the daemon.pacing event in `syncd logs` (its data: syncd.daemon.Daemon._pace)
    "event.daemon.pacing": (
        "{title}: diminta cek tiap {asked:g} dtk, batas panggilan aplikasinya ({rate:g} "
        "panggilan/dtk) hanya cukup untuk tiap {allowed:.0f} dtk bagi {shops} toko; "
        "tercapai: tiap {achieved:.0f} dtk.",
        "{title}: poll every {asked:g} s asked, {allowed:.0f} s is what the budget allows "
        "for {shops:,} shops ({rate:g} calls/s for the app); achieved: every {achieved:.0f} s.",
    ),
}
