"""Trying syncd without writing code (issue 9, item 9).

The harm: a new seller who wanted to see syncd work before giving it a real shop had
to write Python. The simulators existed, but only tests and ``syncd demo`` could
start one, nothing told a person which settings reach it, its authorization page
needed a test to set ``next_login_shop``, there was no sample catalogue to import,
and ``syncd explain`` said nothing about what was available to sell until a shop was
added. These tests follow that seller: start a pretend shop from the command line,
type exactly what it prints, and connect; import the sample catalogue (CSV and
XLSX); ask ``explain`` before any shop is connected.
"""

from __future__ import annotations

import os
import queue
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from syncd.i18n import set_lang, t
from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
KATALOG_SKUS = {
    "NASTAR-250",
    "NASTAR-500",
    "KASTENGEL-500",
    "KOPI-250",
    "KOPI-1000",
    "DOMPET-COKLAT",
    "HAMPERS-LEBARAN",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Simulator:
    """`syncd simulator NAME --port N` as its own process, its output read line by line."""

    def __init__(self, marketplace: str, port: int) -> None:
        env = {**os.environ, "SYNCD_LANG": "en", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "syncd.cli", "simulator", marketplace, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert self.proc.stdout is not None
        stdout = self.proc.stdout
        threading.Thread(target=lambda: [self.lines.put(x) for x in stdout], daemon=True).start()

    def until(self, pattern: str, timeout: float = 20.0) -> re.Match[str]:
        """Read lines until one matches; return the match."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.proc.poll() is None, f"simulator exited: {self.proc.stderr}"
                continue
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no line matching {pattern!r} in {self.seen}")

    def interrupt(self) -> tuple[int, str, str]:
        """Ctrl-C; returns exit code, the rest of stdout, stderr."""
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=20)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return self.proc.returncode, "".join(rest) + out, err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.mark.parametrize("marketplace", ["shopee", "lazada", "tiktok"])
def test_a_person_connects_to_the_simulator_by_typing_what_it_prints(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, marketplace: str
) -> None:
    """Before: no command started a simulator, so trying syncd on a shop meant writing
    Python. Now `syncd simulator NAME` prints the settings, and typing them connects."""
    sim = Simulator(marketplace, _free_port())
    try:
        secret = sim.until(r"^\s*export (SYNCD_PARTNER_KEY)=(\S+)\s*$")
        add_line = sim.until(r"^\s*(syncd channel add .*)$").group(1)
        sim.until(r"Ctrl-C")
        monkeypatch.setenv(secret.group(1), shlex.split(secret.group(2))[0])
        add = shlex.split(add_line)[1:]
        assert "--base-url" in add
        assert any(flag in add for flag in ("--partner-id", "--app-key"))
        name = add[2]

        assert cli("init").code == 0
        assert cli("tenant", "add", "Dapur Bu Sri").code == 0
        assert cli("product", "import", str(EXAMPLES / "katalog.csv")).code == 0
        added = cli(*add)
        assert added.code == 0, added.err

        asked = cli("channel", "connect", name)
        assert asked.code == 0, asked.err
        link = re.search(r"https?://127\.0\.0\.1:\d+/\S+", asked.out)
        assert link, asked.out
        # no browser: the approval is one GET, and the redirect carries the code
        answer = httpx.get(link.group(0), follow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        printed = sim.until(r"(?:Code|Kode) \(.*\): (\S+)")  # the simulator says it too
        assert printed.group(1) == code

        # "--code=": a code may begin with "-" (TikTok's simulator draws them from
        # token_urlsafe: 1 in 64), which "--code CODE" would read as another option
        done = cli("channel", "connect", name, f"--code={code}")
        assert done.code == 0, done.err
        found = cli("channel", "discover", name)
        assert found.code == 0, found.err
        listed = cli("listing", "list")
        assert {sku for sku in KATALOG_SKUS if sku in listed.out} == KATALOG_SKUS

        code_, rest, err = sim.interrupt()
        assert code_ == 0
        assert "Traceback" not in err
        assert err.strip() == ""
        stopped = t_en("tryout.stopped", marketplace=sim_name(name))
        assert rest.strip().splitlines()[-1] == stopped  # one line on exit
        assert rest.count(stopped) == 1
    finally:
        sim.kill()


@pytest.mark.parametrize("marketplace", ["woocommerce", "shopify"])
def test_an_own_store_connects_in_one_step_by_typing_what_it_prints(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, marketplace: str
) -> None:
    """The seller's own stores have no authorization link: a WooCommerce store takes
    its REST key, a Shopify store's own app its client secret. The printed steps say
    so, and typing them connects and binds every SKU of the sample catalogue."""
    sim = Simulator(marketplace, _free_port())
    try:
        secret = sim.until(r"^\s*export (SYNCD_PARTNER_KEY)=(\S+)\s*$")
        add_line = sim.until(r"^\s*(syncd channel add .*)$").group(1)
        sim.until(r"Ctrl-C")
        assert not any("--code" in line for line in sim.seen)  # no code to give
        monkeypatch.setenv(secret.group(1), shlex.split(secret.group(2))[0])
        add = shlex.split(add_line)[1:]
        name = add[2]
        assert cli("init").code == 0
        assert cli("tenant", "add", "Dapur Bu Sri").code == 0
        assert cli("product", "import", str(EXAMPLES / "katalog.csv")).code == 0
        added = cli(*add)
        assert added.code == 0, added.err
        done = cli("channel", "connect", name)
        assert done.code == 0, done.err
        assert "http" not in done.out  # no link to open
        found = cli("channel", "discover", name)
        assert found.code == 0, found.err
        listed = cli("listing", "list")
        assert {sku for sku in KATALOG_SKUS if sku in listed.out} == KATALOG_SKUS
        assert cli("channel", "accept", name).code == 0
        assert cli("run", "--once").code == 0
        code_, rest, err = sim.interrupt()
        assert code_ == 0
        assert err.strip() == ""
        assert re.search(r"shop: item \S+ now shows stock \d+", rest)  # it watched the push
    finally:
        sim.kill()


def t_en(key: str, **params: object) -> str:
    set_lang("en")
    try:
        return t(key, **params)
    finally:
        set_lang(None)


def sim_name(marketplace: str) -> str:
    return t_en(f"tryout.name.{marketplace}")


def test_a_taken_port_is_one_clear_line(cli: Cli) -> None:
    """A second simulator on the same port: one message naming --port, no traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = cli("simulator", "shopee", "--port", str(port), db=False)
    assert run.code != 0
    assert "--port" in run.err
    assert "Traceback" not in run.err
    for bad in ("70000", "abc"):
        typo = cli("simulator", "shopee", "--port", bad, db=False)
        assert typo.code == 2
        assert "Traceback" not in typo.err


@pytest.mark.parametrize("name", ["katalog.csv", "katalog.xlsx"])
def test_the_sample_catalogue_imports(cli: Cli, name: str) -> None:
    """The sample catalogue a new seller starts from imports as it ships."""
    assert cli("init").code == 0
    assert cli("tenant", "add", "Dapur Bu Sri").code == 0
    run = cli("product", "import", str(EXAMPLES / name))
    assert run.code == 0, run.err
    listed = cli("product", "list")
    assert {sku for sku in KATALOG_SKUS if sku in listed.out} == KATALOG_SKUS


def test_the_xlsx_holds_the_same_rows_as_the_csv() -> None:
    """katalog.xlsx is katalog.csv in a spreadsheet: same header, same rows."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "make_katalog_xlsx.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    header = (EXAMPLES / "katalog.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "kode_sku,nama,harga,produk,varian,isi_paket,stok"  # Indonesian names


def test_explain_before_any_shop_is_connected(cli: Cli) -> None:
    """Before: with no shop, explain showed on hand and reserved but not what can be
    sold, and did not say that nothing reaches a marketplace yet. Now it says both."""
    assert cli("init").code == 0
    assert cli("tenant", "add", "Dapur Bu Sri").code == 0
    assert cli("product", "import", str(EXAMPLES / "katalog.csv")).code == 0
    assert cli("sale", "2xNASTAR-500", "--channel", "whatsapp").code == 0

    run = cli("--lang", "en", "explain", "NASTAR-500")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "NASTAR-500 (Nastar Keju 500 g): on hand 10, reserved 0"
    assert t_en("tryout.explain.available", on_hand=10, reserved=0, available=10) in lines
    assert t_en("tryout.explain.no_channel") in lines

    bundle = cli("--lang", "en", "explain", "HAMPERS-LEBARAN")
    assert bundle.code == 0, bundle.err
    # 10 NASTAR-500 / 2 per hamper = 5, 30 KOPI-250 / 1 = 30: five hampers
    assert t_en("tryout.explain.bundle_available", available=5) in bundle.out.splitlines()

    # a shop added but not connected yet: explain says what it would show, and that
    # nothing is sent until it is connected
    added = cli(
        "channel", "add", "shopee", "--marketplace", "shopee", "--shop-id", "220011",
        "--partner-id", "2001234",
    )  # fmt: skip
    assert added.code == 0, added.err
    run = cli("--lang", "en", "explain", "NASTAR-500")
    assert run.code == 0, run.err
    assert t_en("tryout.explain.not_connected", names="shopee") in run.out.splitlines()
    assert any(line.strip().startswith("shopee:") for line in run.out.splitlines())
