"""A seller who reads Bahasa Indonesia reads it everywhere syncd speaks.

Issue 9, item 8: "Indonesian all the way". argparse's own words, ``--version``,
``syncd logs`` (events are stored in English for operators), the ledger's source
column, and the same word for the same number in ``product list`` and ``sale``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from syncd import __version__
from tests.conftest import Cli
from tests.contract.harness_shopee import ShopeeHarness

ENGLISH_ARGPARSE = (
    "usage:",
    "options:",
    "positional arguments",
    "show this help message and exit",
    "error:",
    "the following arguments are required",
    "invalid choice",
    "unrecognized arguments",
    "expected one argument",
    "invalid int value",
)


@pytest.mark.parametrize(
    ("args", "code", "indonesian"),
    [
        ([], 2, ["penggunaan:", "kesalahan:", "wajib diisi: PERINTAH"]),
        (["stock", "set", "--help"], 0, ["penggunaan:", "pilihan:", "isian:", "bantuan ini"]),
        (["sale", "1xNASTAR-500"], 2, ["wajib diisi: --channel"]),
        (["sale", "1xNASTAR-500", "--channel", "tokoku"], 2, ["pilihan tidak sah: 'tokoku'"]),
        (["ledger", "NASTAR-500", "lagi"], 2, ["tidak dikenal: lagi"]),
        (["ledger", "NASTAR-500", "--limit"], 2, ["perlu satu nilai"]),
        (["ledger", "NASTAR-500", "--limit", "lima"], 2, ["'lima' bukan angka yang sah"]),
        (["bantu"], 2, ["pilihan tidak sah: 'bantu'"]),
    ],
)
def test_argparse_speaks_the_sellers_language(
    cli: Cli, args: list[str], code: int, indonesian: list[str]
) -> None:
    """The harm: `syncd sale 1xNASTAR-500` (no --channel) answered "usage: ...
    error: the following arguments are required: --channel" to a seller who had
    read every other message in Indonesian. Now argparse's words are hers too."""
    run = cli(*args)
    assert run.code == code
    text = run.out + run.err
    for words in indonesian:
        assert words in text, (words, text)
    for english in ENGLISH_ARGPARSE:
        assert english not in text, (english, text)
    assert "Traceback" not in text


def test_argparse_stays_english_for_an_english_reader(cli: Cli) -> None:
    run = cli("--lang", "en", "sale", "1xNASTAR-500")
    assert run.code == 2
    assert "usage:" in run.err
    assert "the following arguments are required: --channel" in run.err
    help_text = cli("--lang", "en", "stock", "set", "--help").out
    assert "options:" in help_text
    assert "show this help message and exit" in help_text


def test_version_in_the_sellers_words(cli: Cli) -> None:
    """The harm: there was no way to ask which syncd is installed."""
    run = cli("--version", db=False)
    assert run.code == 0
    assert run.out.strip() == f"syncd versi {__version__}"
    english = cli("--lang", "en", "--version", db=False)
    assert english.out.strip() == f"syncd version {__version__}"
    assert "--version" in cli("--help", db=False).out


@pytest.fixture
def harness() -> Iterator[ShopeeHarness]:
    h = ShopeeHarness()
    h.start()
    h.seed()
    yield h
    h.stop()


def _connected_shop(cli: Cli, harness: ShopeeHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    for args in (
        ["init"],
        ["tenant", "add", "Dapur Bu Sri"],
        ["product", "add", "NASTAR-500", "--name", "Nastar", "--price", "85000"],
        ["product", "add", "KOPI-250", "--name", "Kopi", "--price", "45000"],
        ["stock", "set", "NASTAR-500", "7", "--reason", "opname"],
        ["stock", "set", "KOPI-250", "4", "--reason", "opname"],
        [
            "channel",
            "add",
            "tokoku",
            "--marketplace",
            "shopee",
            "--shop-id",
            harness.shop_id,
            "--partner-id",
            str(harness.sim.partner_id),
            "--base-url",
            harness.sim.base_url,
            "--integration-start",  # typed as a seller would; orders from now on count
            "1m",
        ],
    ):
        run = cli(*args)
        assert run.code == 0, (args, run.err)
    monkeypatch.setenv("SYNCD_PARTNER_KEY", harness.partner_key)
    done = cli("channel", "connect", "tokoku", "--code", harness.authorize())
    assert done.code == 0, done.err
    for args in (["channel", "discover", "tokoku"], ["channel", "accept", "tokoku"]):
        run = cli(*args)
        assert run.code == 0, (args, run.err)


def test_logs_and_ledger_speak_indonesian_after_a_real_sync(
    cli: Cli, harness: ShopeeHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harm: `syncd logs` showed "stock 4 refused: stock locked by a promotion"
    and "4 listings, 2 newly bound, 2 unmatched" in English, and `syncd ledger`
    showed an order's source as "3" (a channel id) with the reason
    "order 2412AB READY_TO_SHIP". Now both read in Indonesian, with the channel's
    name and what the order did to the stock."""
    _connected_shop(cli, harness, monkeypatch)
    harness.fail_item("7002", "", "stock locked by a promotion")
    order = harness.place_order("7001", "2", 1)
    assert order is not None
    cli("run", "--once")  # exit code is item 4's business: one push was refused
    harness.set_state(order, "shipped")
    cli("run", "--once")

    logs = cli("logs")
    assert logs.code == 0, logs.err
    assert "Toko menolak stok 4: stock locked by a promotion" in logs.out  # the shop's own text
    assert "produk di toko" in logs.out
    assert "baru terhubung" in logs.out
    assert "refused:" not in logs.out
    assert "newly bound" not in logs.out
    assert "peringatan" in logs.out  # the level, in her words
    english = cli("--lang", "en", "logs")
    assert "The shop refused stock 4: stock locked by a promotion" in english.out

    ledger = cli("ledger", "NASTAR-500")
    assert ledger.code == 0, ledger.err
    rows = ledger.out.splitlines()[2:]
    orders = [r for r in rows if order in r]
    assert len(orders) == 2, ledger.out
    assert all(re.search(r"\btokoku\b", r) for r in orders)  # the name, not the id
    assert "pesanan baru, stok dipesan" in orders[0]
    assert "dikirim, stok berkurang" in orders[1]
    assert "READY_TO_SHIP" not in ledger.out
    assert "SHIPPED" not in ledger.out
    assert "dicatat manual" in rows[0]  # the stock count typed at the keyboard


def _rows(table: str) -> list[dict[str, str]]:
    """A CLI table as dicts, cut at the dashes of its rule line."""
    head, rule, *lines = table.splitlines()
    spans = [m.span() for m in re.finditer(r"-+", rule)]
    names = [head[a:b].strip() for a, b in spans]
    return [
        {name: line[a:b].strip() for name, (a, b) in zip(names, spans, strict=True)}
        for line in lines
    ]


def test_product_list_and_sale_use_the_same_word_for_the_same_number(cli: Cli) -> None:
    """The harm: `product list` showed "Stok 12 ... Tersedia 10" (a buffer of 2),
    `sale` answered "NASTAR-500 −1 → 11" with no word at all, and a refused sale
    said "tersedia 11" — the word of the list's 10 for another number."""
    for args in (
        ["init"],
        ["tenant", "add", "Dapur Bu Sri"],
        ["product", "add", "NASTAR-500", "--name", "Nastar", "--price", "85000"],
        ["stock", "set", "NASTAR-500", "12", "--reason", "opname"],
        ["rule", "set", "--buffer", "2"],
    ):
        assert cli(*args).code == 0, args
    sale = cli("sale", "1xNASTAR-500", "--channel", "whatsapp")
    assert sale.code == 0, sale.err
    assert "Penjualan WhatsApp dicatat" in sale.out
    assert "NASTAR-500 −1 (stok 11)" in sale.out
    (row,) = _rows(cli("product", "list").out)
    assert row["Stok"] == "11"
    assert row["Tersedia"] == "9"
    short = cli("sale", "20xNASTAR-500", "--channel", "cash")
    assert short.code == 1
    assert "tersedia" not in short.err.lower()  # "Tersedia" in the list is a different number
    assert "bisa dipakai 11" in short.err
