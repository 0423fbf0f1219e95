"""A seller points syncd at a database, sometimes the wrong one.

Issue 9, item 5: "The database a command opens is the one the seller meant".

The original harm: every command opened its database with "create if missing". A
typo in ``--db`` (or a ``SYNCD_DB`` left over from another shell) made
``syncd sale 2xNASTAR-500 --channel whatsapp`` create an empty database, with its
parent folders, a ``-wal`` and a ``.lock`` beside it, then fail with "no seller yet"
while the real stock book sat untouched elsewhere; ``syncd status`` on a typo said
all was well with zero channels. A folder, a text file or a database from a newer
syncd each gave a different raw SQLite error, or a traceback.

Each test below is one session at the keyboard through the real command line.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from syncd.store import LATEST_VERSION, Store
from tests.conftest import Cli

#: commands a seller types every day; none of them may create a database
EVERYDAY = [
    ["tenant", "list"],
    ["tenant", "add", "Dapur Bu Sri"],
    ["product", "list"],
    ["product", "add", "NASTAR-500", "--name", "Nastar", "--price", "85000"],
    ["stock", "set", "NASTAR-500", "12", "--reason", "opname"],
    ["sale", "2xNASTAR-500", "--channel", "whatsapp"],
    ["explain", "NASTAR-500"],
    ["ledger", "NASTAR-500"],
    ["check"],
    ["channel", "list"],
    ["status"],
    ["logs"],
    ["run", "--once"],
    ["key", "where"],
]


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("args", EVERYDAY, ids=lambda a: " ".join(a[:2]))
def test_a_mistyped_database_path_creates_nothing(
    cli: Cli, tmp_path: Path, args: list[str]
) -> None:
    """The seller typed ``--db ~/syncd/tokko/toko.db`` (one letter wrong)."""
    where = tmp_path / "typo"
    where.mkdir()
    wrong = where / "tokko" / "toko.db"
    run = cli("--lang", "en", "--db", str(wrong), *args, db=False)
    assert run.code != 0
    assert "syncd init" in run.err
    assert str(wrong) in run.err
    assert "Traceback" not in run.err
    assert _files(where) == []  # no db, no -wal, no .key, no .lock, no parent folder


def test_the_same_typo_from_the_environment_creates_nothing(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SYNCD_DB left over from another shell names a file that is not there."""
    monkeypatch.setenv("SYNCD_DB", str(tmp_path / "lama" / "toko.db"))
    run = cli("sale", "1xNASTAR-500", "--channel", "cash", db=False)
    assert run.code == 1
    assert "syncd init" in run.err  # Indonesian by default, the command name is the same
    assert str(tmp_path / "lama" / "toko.db") in run.err
    assert not (tmp_path / "lama").exists()


def test_only_init_creates_the_database(cli: Cli, db_path: Path) -> None:
    assert cli("tenant", "add", "Dapur Bu Sri").code == 1
    assert not db_path.exists()
    init = cli("--lang", "en", "init")
    assert init.code == 0, init.err
    assert db_path.is_file()
    assert cli("tenant", "add", "Dapur Bu Sri").code == 0
    assert "Dapur Bu Sri" in cli("tenant", "list").out
    again = cli("--lang", "en", "init")  # init on an existing database upgrades, keeps data
    assert again.code == 0
    assert "Dapur Bu Sri" in cli("tenant", "list").out


def _text_file(path: Path) -> None:
    path.write_text("NASTAR-500,12\nKOPI-250,30\n", encoding="utf-8")


def _foreign_sqlite(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE resep (nama TEXT)")
    raw.commit()
    raw.close()


def _newer_syncd(path: Path) -> None:
    Store(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    raw.commit()
    raw.close()


def _empty_file(path: Path) -> None:
    path.touch()


WRONG_FILES = [
    ("a folder", Path.mkdir, "is a folder, not a database file"),
    ("a text file", _text_file, "is not a syncd database (it is not an SQLite file)"),
    ("another program's SQLite", _foreign_sqlite, "is another program's database"),
    ("a newer syncd's database", _newer_syncd, "newer than this syncd understands"),
    ("an empty file", _empty_file, "exists but is empty"),
]


def _snapshot(path: Path) -> object:
    if path.is_dir():
        return ("dir", _files(path))
    return ("file", path.read_bytes())


@pytest.mark.parametrize(("what", "make", "message"), WRONG_FILES, ids=[w[0] for w in WRONG_FILES])
@pytest.mark.parametrize("command", [["product", "list"], ["sale", "1xA", "--channel", "cash"]])
def test_a_wrong_kind_of_file_is_one_clear_message_and_stays_untouched(
    cli: Cli, tmp_path: Path, what: str, make: object, message: str, command: list[str]
) -> None:
    target = tmp_path / "toko.db"
    make(target)  # type: ignore[operator]
    before, siblings = _snapshot(target), _files(tmp_path)
    run = cli("--lang", "en", "--db", str(target), *command, db=False)
    assert run.code == 1, what
    assert message in run.err
    assert str(target) in run.err
    assert len(run.err.strip().splitlines()) == 1  # one message, no traceback
    assert _snapshot(target) == before
    assert _files(tmp_path) == siblings  # no -wal, -shm or .lock appeared


@pytest.mark.parametrize(
    ("what", "make", "message"),
    [w for w in WRONG_FILES if w[0] != "an empty file"],
    ids=[w[0] for w in WRONG_FILES if w[0] != "an empty file"],
)
def test_init_refuses_the_same_wrong_files(
    cli: Cli, tmp_path: Path, what: str, make: object, message: str
) -> None:
    """``syncd init`` creates a missing database; it never takes over a wrong file."""
    target = tmp_path / "toko.db"
    make(target)  # type: ignore[operator]
    before = _snapshot(target)
    run = cli("--lang", "en", "--db", str(target), "init", db=False)
    assert run.code == 1, what
    assert message in run.err
    assert _snapshot(target) == before


def test_a_relative_database_in_the_config_is_beside_the_config(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``database = "toko.db"`` in /etc/syncd/syncd.toml means /etc/syncd/toko.db from any cwd."""
    conf_dir = tmp_path / "etc"
    conf_dir.mkdir()
    config = conf_dir / "syncd.toml"
    config.write_text('database = "toko.db"\n', encoding="utf-8")
    assert cli("--config", str(config), "init", db=False).code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert cli("--config", str(config), "tenant", "add", "Dapur Bu Sri", db=False).code == 0
    assert (conf_dir / "toko.db").is_file()
    assert _files(elsewhere) == []
