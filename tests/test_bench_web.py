"""bench/web.py (web under load beside the daemon): its numbers from scripted records,
and one tiny end-to-end run that prints the table (no timing is asserted)."""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import web  # noqa: E402


def test_page_and_sale_times_come_from_the_load_processs_record() -> None:
    loaded = {
        # (sent, page, status, ms, bytes)
        "pages": [
            (1.0, "/", 200, 10.0, 2048),
            (2.0, "/", 200, 30.0, 2048),
            (3.0, "/sku", 200, 20.0, 1024),
            (4.0, "/sku", 404, 2.0, 100),  # not a page time: counted apart
            (5.0, "/orders", 0, 60_000.0, 0),  # no answer at all
        ],
        # (sent, acked, status, answer, key, tenant, sku)
        "sales": [
            (10.0, 10.05, 200, "recorded", "k1", 1, "KUE-001"),
            (11.0, 11.2, 200, "held", "k2", 1, "KUE-002"),
            (12.0, 12.0, 422, "", "k3", 2, "KUE-003"),
        ],
        "seen": {"k1": 10.04},
        "login_ms": [100.0, 300.0],
        "proc_cpu_s": 1.5,
    }
    out = web.web_numbers(loaded, 10.0)
    assert (out["pages"], out["pages_ok"], out["pages_per_s"]) == (5, 3, 0.5)
    assert out["page_ms"]["p50"] == 20.0
    assert out["page_ms"]["max"] == 30.0
    assert out["per_page"]["/sku"]["status"] == {"200": 1, "404": 1}
    assert out["per_page"]["/orders"]["status"] == {"0": 1}
    assert math.isnan(out["per_page"]["/orders"]["ms"]["p50"])
    assert out["per_page"]["/"]["kb"] == 2.0
    assert out["sale_ack_ms"]["count"] == 2  # the refused one has no acknowledgement
    assert out["sale_ack_ms"]["max"] == pytest.approx(200.0)
    assert out["sale_ledger_ms"]["p50"] == pytest.approx(40.0)  # seen before the answer came
    assert out["sales_unseen"] == 2
    assert out["sale_answers"] == {"recorded": 1, "held": 1, "http 422": 1}


def test_percentiles_and_the_bootstrap_interval() -> None:
    values = [float(n) for n in range(1, 101)]
    assert web.pct(values, 99) == 99.0
    assert web.pct(values, 50) == 50.0
    assert math.isnan(web.pct([], 50))
    low, high = web.bootstrap(values, 99, seed=3)
    assert 90.0 <= low <= 99.0 <= high <= 100.0
    assert web.bootstrap(values, 99, seed=3) == [low, high]  # seeded
    assert web.secs(math.inf) == "never"
    assert web.secs(2.25) == "2.2 s"


def test_options_for_a_quick_run() -> None:
    args = web.parse_args(["--quick"])
    assert (args.members, args.browsers, args.cashiers, args.poll) == (10, 10, 4, 2.0)
    assert args.duration == 20.0
    assert args.settle == 7.0
    full = web.parse_args(["--members", "20"])
    assert (full.browsers, full.cashiers, full.duration, full.phases) == (20, 10, 240.0, ["A", "B"])
    assert web.parse_args(["--minutes", "0.2", "--phases", "b"]).phases == ["B"]
    with pytest.raises(SystemExit):
        web.parse_args(["--phases", "C"])


@pytest.mark.slow
def test_a_tiny_run_prints_the_table_and_writes_the_numbers(tmp_path: Path) -> None:
    """Both phases on three members: the daemon alone, then with the web app in its
    process and a load process signed in as three owners and a cashier."""
    out = tmp_path / "web.json"
    cmd = [
        sys.executable, str(BENCH / "web.py"), "--quick", "--minutes", "0.05",
        "--members", "3", "--skus", "10", "--browsers", "2", "--cashiers", "1", "--settle", "1",
        "--workers", "4",
        "--json", str(out),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = done.stdout
    for line in ("A (no web)", "B (web load)", "prop p99 s", "per page (B):", "Targets:"):
        assert line in text, text
    assert "p95 page" in text
    assert "p95 sale ack" in text
    saved = json.loads(out.read_text(encoding="utf-8"))
    a, b = saved["results"]
    assert (a["phase"], a["web"], b["phase"], b["web"]) == ("A", False, "B", True)
    assert (a["exit"], b["exit"]) == (0, 0)
    assert b["pages_ok"] > 0
    assert b["per_page"]["/"]["status"].get("200", 0) > 0
    assert b["page_ms"]["p95"] > 0
    assert set(b["sale_answers"]) <= {"recorded", "flagged"}, b["sale_answers"]
    assert a["intents"] == b["intents"]  # the same seeded buyers in both phases
    assert isinstance(argparse.Namespace(**saved["args"]).members, int)
