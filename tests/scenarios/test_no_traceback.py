"""Whatever goes wrong, the seller reads one line, never a Python traceback.

Issue 9, item 6: "No traceback reaches a user".

The original harm: ``main()`` caught ``UserError`` only. A damaged database, a
folder given as ``--db``, a master key file that cannot be read, a closed pipe
(``syncd logs | head``) or Ctrl-C while syncd waited for the database printed forty
lines of Python to a home baker, sometimes with a path or a value in them, and
``Exception ignored ... BrokenPipeError`` after the output she wanted.

The table below is commands × bad situations; every cell must end with a non-zero
exit code and no "Traceback" on stderr. Situations that need a real process (a
closed pipe, Ctrl-C) run one.
"""

from __future__ import annotations

import base64
import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from syncd import catalog
from syncd.log import record_crash
from syncd.models import ChannelIn, SkuIn
from syncd.store import LATEST_VERSION, Store
from tests.conftest import Cli

COMMANDS: list[list[str]] = [
    ["product", "list"],
    ["sale", "1xNASTAR-500", "--channel", "cash"],
    ["stock", "set", "NASTAR-500", "3", "--reason", "opname"],
    ["explain", "NASTAR-500"],
    ["check"],
    ["status"],
    ["logs"],
    ["run", "--once"],
    ["channel", "list"],
    ["export", "stok.csv"],
]


def _shop(db: Path) -> None:
    """A working database: one seller, one SKU, one channel."""
    with Store(db) as store:
        tenant = catalog.add_tenant(store, "Dapur Bu Sri")
        with store.write():
            catalog.upsert_sku(
                store, tenant.id, SkuIn(sku="NASTAR-500", name="Nastar", price=85000)
            )
        catalog.add_channel(
            store,
            tenant.id,
            ChannelIn(name="shopee", marketplace="shopee", shop_id="220011"),
            settings={"partner_id": "2001234", "base_url": "http://127.0.0.1:9"},
        )


def _missing(db: Path) -> None:
    pass


def _directory(db: Path) -> None:
    db.mkdir()


def _text(db: Path) -> None:
    db.write_text("kode,nama,harga\nNASTAR-500,Nastar,85000\n", encoding="utf-8")


def _newer(db: Path) -> None:
    _shop(db)
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    raw.commit()
    raw.close()


def _damaged(db: Path) -> None:
    """A disk that went bad: the header survives, the pages after it are garbage."""
    _shop(db)
    size = db.stat().st_size
    with db.open("r+b") as fh:
        fh.seek(4096)
        fh.write(b"\xde\xad" * ((size - 4096) // 2))


def _table_lost(db: Path) -> None:
    """A table dropped by hand: not a situation syncd knows, so it is logged with a reference."""
    _shop(db)
    raw = sqlite3.connect(db)
    raw.executescript("DROP TABLE event; DROP TABLE rule;")
    raw.close()


SITUATIONS: dict[str, Callable[[Path], None]] = {
    "missing database": _missing,
    "database is a folder": _directory,
    "database is a text file": _text,
    "database from a newer syncd": _newer,
    "database damaged": _damaged,
}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("situation", list(SITUATIONS))
def test_bad_database_times_every_command(
    cli: Cli, db_path: Path, situation: str, command: list[str]
) -> None:
    SITUATIONS[situation](db_path)
    run = cli("--lang", "en", *command)
    assert run.code != 0, (situation, command, run.out)
    assert "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1, run.err  # one line says what and where
    assert str(db_path) in run.err


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "syncd.toml"
    path.write_text(text, encoding="utf-8")
    return path


# (name, setup(tmp_path, db) -> extra global options, command, words the message must have)
Case = tuple[str, Callable[[Path, Path], list[str]], list[str], str]


def _bad_lang_in_config(tmp_path: Path, db: Path) -> list[str]:
    _shop(db)
    return ["--config", str(_config(tmp_path, 'lang = "fr"\n'))]


def _unknown_config_key(tmp_path: Path, db: Path) -> list[str]:
    _shop(db)
    return ["--config", str(_config(tmp_path, "databse = 'x.db'\n"))]


def _missing_config(tmp_path: Path, db: Path) -> list[str]:
    _shop(db)
    return ["--config", str(tmp_path / "tidak-ada.toml")]


def _key_is_a_folder(tmp_path: Path, db: Path) -> list[str]:
    _shop(db)
    (tmp_path / "kunci").mkdir()
    return ["--config", str(_config(tmp_path, 'master_key = "kunci"\n'))]


def _key_is_garbage(tmp_path: Path, db: Path) -> list[str]:
    _shop(db)
    (tmp_path / "kunci").write_text("bukan kunci\n", encoding="utf-8")
    return ["--config", str(_config(tmp_path, 'master_key = "kunci"\n'))]


def _plain(_tmp_path: Path, db: Path) -> list[str]:
    _shop(db)
    return []


def _unknown_tenant(_tmp_path: Path, db: Path) -> list[str]:
    _shop(db)
    return ["--tenant", "Toko Lain"]


def _parent_is_a_file(tmp_path: Path, _db: Path) -> list[str]:
    (tmp_path / "berkas").write_text("x", encoding="utf-8")
    return ["--db", str(tmp_path / "berkas" / "toko.db")]


CASES: list[Case] = [
    ("bad config value", _bad_lang_in_config, ["product", "list"], "lang"),
    ("unknown config key", _unknown_config_key, ["product", "list"], "databse"),
    ("config file missing", _missing_config, ["product", "list"], "tidak-ada.toml"),
    ("key file is a folder", _key_is_a_folder, ["channel", "connect", "shopee"], "kunci"),
    ("key file is not a key", _key_is_garbage, ["channel", "connect", "shopee"], "kunci"),
    ("unknown tenant", _unknown_tenant, ["product", "list"], "Toko Lain"),
    ("unknown SKU: explain", _plain, ["explain", "NOPE-1"], "NOPE-1"),
    ("unknown SKU: ledger", _plain, ["ledger", "NOPE-1"], "NOPE-1"),
    ("unknown SKU: sale", _plain, ["sale", "1xNOPE-1", "--channel", "cash"], "NOPE-1"),
    ("unknown SKU: stock", _plain, ["stock", "set", "NOPE-1", "1", "--reason", "x"], "NOPE-1"),
    ("unknown channel", _plain, ["channel", "connect", "lazada-lama"], "lazada-lama"),
    ("export into a missing folder", _plain, ["export", "tidak/ada/stok.csv"], "tidak/ada"),
    ("import a missing file", _plain, ["product", "import", "tidak-ada.csv"], "tidak-ada.csv"),
    ("import a folder", _plain, ["product", "import", "."], "."),
    (
        "bind to an unknown channel",
        _plain,
        ["listing", "bind", "NASTAR-500", "--channel", "nope", "--item-id", "1"],
        "nope",
    ),
    (
        "rule for an unknown channel",
        _plain,
        ["rule", "set", "--channel", "nope", "--max", "1"],
        "nope",
    ),
    ("discover an unknown channel", _plain, ["channel", "discover", "nope"], "nope"),
    ("init under a file", _parent_is_a_file, ["init"], "berkas"),
]


@pytest.mark.parametrize(("name", "setup", "command", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_situations(
    cli: Cli,
    tmp_path: Path,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    setup: Callable[[Path, Path], list[str]],
    command: list[str],
    words: str,
) -> None:
    monkeypatch.delenv("SYNCD_MASTER_KEY", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    extra = setup(tmp_path, db_path)
    run = cli("--lang", "en", *extra, *command)
    assert run.code != 0, (name, run.out)
    assert "Traceback" not in run.err
    assert words in run.err, run.err


def test_a_bad_master_key_in_the_environment(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shop(db_path)
    monkeypatch.setenv("SYNCD_MASTER_KEY", base64.urlsafe_b64encode(b"short").decode())
    run = cli("--lang", "en", "channel", "connect", "shopee")
    assert run.code == 1
    assert "SYNCD_MASTER_KEY" in run.err
    assert "Traceback" not in run.err


# -- the unexpected: one line and a reference; the traceback goes to the log, scrubbed ---------


def test_an_unexpected_error_is_one_line_with_a_reference(
    cli: Cli, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)  # set by systemd only
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    _table_lost(db_path)
    run = cli("--lang", "en", "logs")
    assert run.code == 70
    (line,) = run.err.strip().splitlines()
    assert "Traceback" not in line
    ref = line.split("reference ")[1].split(")")[0]
    log = tmp_path / "state" / "syncd" / "errors.log"
    assert str(log) in line
    text = log.read_text(encoding="utf-8")
    assert f"ref={ref}" in text
    assert "Traceback (most recent call last)" in text
    assert "no such table: event" in text
    assert oct(log.stat().st_mode & 0o777) == oct(0o600)


def test_the_error_log_is_scrubbed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A secret in an exception's text never reaches the error log."""
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "var-lib-syncd"))  # as under systemd
    secret = "sk-live-CANARY-0d9f8e7a6b5c"  # noqa: S105 - a canary, not a credential
    try:
        raise RuntimeError(f"GET /api?partner_id=1&access_token={secret}&sign={secret} failed")
    except RuntimeError as exc:
        ref, where = record_crash(exc, command="test")
    assert where == tmp_path / "var-lib-syncd" / "errors.log"
    text = where.read_text(encoding="utf-8")
    assert f"ref={ref}" in text
    assert secret not in text
    assert "access_token=***" in text


# -- situations that need a real process -----------------------------------------------------


def _syncd(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "syncd.cli", "--lang", "en", "--db", str(db), *args]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    env["HOME"] = str(tmp_path / "home")
    return env


def test_a_closed_pipe_is_silent(tmp_path: Path, db_path: Path) -> None:
    """``syncd product list | head -1``: the reader went away; syncd says nothing."""
    _shop(db_path)
    with Store(db_path) as store:
        tenant = catalog.resolve_tenant(store, None)
        with store.write():
            for i in range(3000):  # more than a pipe holds, so the write itself fails
                catalog.upsert_sku(store, tenant.id, SkuIn(sku=f"K-{i}", name="Kue", price=1000))
    proc = subprocess.Popen(
        _syncd(db_path, "product", "list"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(tmp_path),
    )
    assert proc.stdout is not None
    proc.stdout.read(100)  # the first line arrived, as `head -1` reads it
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert err.decode() == ""  # no "Exception ignored", no BrokenPipeError
    assert proc.returncode == 141


def test_a_closed_pipe_in_a_shell_pipeline(tmp_path: Path, db_path: Path) -> None:
    _shop(db_path)
    with Store(db_path) as store:
        tenant = catalog.resolve_tenant(store, None)
        with store.write():
            for i in range(3000):
                catalog.upsert_sku(store, tenant.id, SkuIn(sku=f"K-{i}", name="Kue", price=1000))
    command = " ".join(_syncd(db_path, "product", "list")) + " | head -n 1"
    run = subprocess.run(  # noqa: S602 - the seller's own pipeline, with our paths only
        command, shell=True, capture_output=True, text=True, env=_env(tmp_path), check=False
    )
    assert run.stderr == ""
    assert len(run.stdout.splitlines()) == 1


def _has_open(pid: int, path: Path) -> bool:
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd) == str(path) for fd in fd_dir.iterdir())
    except OSError:
        return False


def _ctrl_c_as_at_a_terminal() -> None:
    """A job started in the background (CI, ``make test &``) inherits SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_while_waiting_for_the_database_is_one_line(tmp_path: Path, db_path: Path) -> None:
    """The daemon holds the database; the seller gives up waiting and presses Ctrl-C."""
    _shop(db_path)
    with Store(db_path) as store:
        tenant = catalog.resolve_tenant(store, None)
        before = store.scalar("SELECT COUNT(*) FROM movement WHERE tenant_id = ?", (tenant.id,))
    lock = Path(f"{db_path}.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what a busy writer holds
    try:
        proc = subprocess.Popen(
            _syncd(db_path, "stock", "receive", "NASTAR-500", "5", "--reason", "oven"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(tmp_path),
            preexec_fn=_ctrl_c_as_at_a_terminal,  # noqa: PLW1509 - no threads run here yet
        )
        deadline = time.monotonic() + 30
        while not _has_open(proc.pid, lock.resolve()) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        os.close(fd)
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert err.strip().splitlines() == [err.strip()]
    assert "Ctrl-C" in err
    with Store(db_path) as store:  # and nothing was half-written
        assert (
            store.scalar("SELECT COUNT(*) FROM movement WHERE tenant_id = ?", (tenant.id,))
            == before
        )
