"""Backing up and restoring a seller's data while syncd runs (issue 9, item 10).

The harm: there was no backup command. The README said nothing, so an operator
would `cp toko.db` while the daemon wrote: a WAL database copied that way can miss
committed sales or come out torn, and the key that opens the shops' secrets was
never part of it, so even a good copy could not reconnect a single shop. And
nothing stopped a restore from landing on a live database under a running daemon.
These tests take a backup while another process writes without pause, restore it,
and check that every sale committed before the backup is there, that `syncd check`
passes, and that the restored shop secrets open; then that restore refuses what
would lose data or cannot work.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from syncd import catalog, credentials
from syncd.models import ChannelIn
from syncd.store import Store
from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
KATALOG = ROOT / "examples" / "katalog.csv"

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from syncd import inventory
    from syncd.models import MovementIn
    from syncd.store import Store

    store = Store(sys.argv[1])
    stop = Path(sys.argv[2])
    i = 0
    while not stop.exists():
        m = MovementIn(sku="KOPI-250", kind="receipt", qty=1, key=f"writer-{i}",
                       source="cli", actor="writer", reason="batch")
        inventory.record(store, 1, [m])
        print(i, flush=True)  # printed only after the commit
        i += 1
    store.close()
    """
)


def _seed(cli: Cli, db: Path) -> None:
    """A seller with the sample catalogue and one shop whose app secret is sealed."""
    assert cli("init").code == 0
    assert cli("tenant", "add", "Dapur Bu Sri").code == 0
    assert cli("product", "import", str(KATALOG)).code == 0
    with Store(db) as store:
        ch = catalog.add_channel(
            store,
            1,
            ChannelIn(name="shopee", marketplace="shopee", shop_id="220011"),
            settings={"partner_id": 2001234},
        )
        vault = credentials.Vault(credentials.load_key(db))
        credentials.save(store, vault, 1, ch.id, app={"partner_key": "shpk-canary-0042"})


def _syncd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncd.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "SYNCD_LANG": "en"},
        timeout=120,
    )


def _keys(db: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT idem_key FROM movement")}
    finally:
        conn.close()


class Writer:
    """Another process recording a receipt after another until told to stop."""

    def __init__(self, db: Path, tmp: Path) -> None:
        self.stop_file = tmp / "stop-writer"
        script = tmp / "writer.py"
        script.write_text(WRITER, encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(db), str(self.stop_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.committed = -1
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._lock:
                self.committed = int(line)

    def last(self) -> int:
        with self._lock:
            return self.committed

    def wait_for(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.last() < n:
            assert self.proc.poll() is None, self.proc.stderr.read() if self.proc.stderr else ""
            assert time.monotonic() < deadline, f"writer reached only {self.last()}"
            time.sleep(0.01)

    def finish(self) -> None:
        self.stop_file.touch()
        _, err = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0, err


def test_backup_while_another_process_writes_restores_clean(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    """Before: no backup command; a `cp` of the live WAL database could miss commits or
    tear, and no key came with it. Now: the backup taken under continuous writes holds
    every movement committed before it started, passes `syncd check` once restored,
    and its key opens the restored shop secrets."""
    _seed(cli, db_path)
    writer = Writer(db_path, tmp_path)
    try:
        writer.wait_for(50)
        before = writer.last()  # every receipt up to here is committed
        dest = tmp_path / "cadangan" / "toko.db"
        dest.parent.mkdir()
        done = _syncd("--db", str(db_path), "backup", str(dest))
        after = writer.last()
        assert done.returncode == 0, done.stderr
        assert after > before  # the writer kept committing while the backup ran
        writer.wait_for(after + 50)  # the writer was not stopped by the backup
    finally:
        writer.finish()

    assert "Traceback" not in done.stderr
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    key_copy = dest.with_name("toko.db.key")
    assert stat.S_IMODE(key_copy.stat().st_mode) == 0o600
    assert str(key_copy) in done.stdout  # the output says where the key went
    assert not list(dest.parent.glob(".*tmp*"))  # no temporary file left behind

    restored = tmp_path / "pulih" / "toko.db"
    restored.parent.mkdir()
    back = _syncd("--db", str(restored), "restore", str(dest))
    assert back.returncode == 0, back.stderr
    check = _syncd("--db", str(restored), "check")
    assert check.returncode == 0, check.stdout + check.stderr

    keys = _keys(restored)
    wanted = {f"writer-{i}" for i in range(before + 1)}
    assert wanted <= keys, f"missing {sorted(wanted - keys)[:5]}"
    assert len([k for k in keys if k.startswith("writer-")]) <= writer.last() + 1
    with Store(restored) as store:  # the restored key opens the restored secrets
        vault = credentials.Vault(credentials.load_key(restored, create=False))
        opened = credentials.load(store, vault, 1, 1)
    assert opened.app["partner_key"] == "shpk-canary-0042"
    assert "shpk-canary-0042" not in back.stdout + back.stderr + done.stdout + done.stderr
    assert _syncd("--db", str(db_path), "check").returncode == 0  # the live one is fine too


def _backup(cli: Cli, db_path: Path, tmp_path: Path) -> Path:
    _seed(cli, db_path)
    dest = tmp_path / "toko-backup.db"
    run = cli("backup", str(dest))
    assert run.code == 0, run.err
    return dest


def test_restore_never_overwrites_without_yes(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    """A restore over a database that has newer sales is refused unless --yes; with it,
    the database it replaces is kept beside it first."""
    dest = _backup(cli, db_path, tmp_path)
    assert cli("sale", "1xKOPI-250", "--channel", "cash").code == 0  # after the backup
    before = _keys(db_path)

    refused = cli("restore", str(dest))
    assert refused.code != 0
    assert "--yes" in refused.err
    assert _keys(db_path) == before

    done = cli("restore", str(dest), "--yes")
    assert done.code == 0, done.err
    kept = list(tmp_path.glob(f"{db_path.name}.before-restore-*[!y]"))
    assert len(kept) == 1
    assert _keys(kept[0]) == before  # the sale after the backup is not lost: it is kept
    assert _keys(db_path) == before - {k for k in before if k.startswith("sale:")}
    assert cli("check").code == 0


def test_restore_refuses_what_is_not_a_whole_syncd_database(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    """A wrong file (the catalogue, another program's SQLite, a damaged copy) is one clear
    message, and nothing is created or changed."""
    dest = _backup(cli, db_path, tmp_path)
    target = tmp_path / "new.db"

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x)")
    conn.close()
    damaged = tmp_path / "damaged.db"
    raw = bytearray(dest.read_bytes())
    page = 4096
    for i in range(page * 3, min(len(raw), page * 12)):  # scribble over b-tree pages
        raw[i] = 0xA5
    damaged.write_bytes(bytes(raw))
    newer = tmp_path / "newer.db"
    newer.write_bytes(dest.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 999")  # written by a syncd from the future
    conn.close()

    for bad in (KATALOG, other, damaged, newer, tmp_path / "missing.db"):
        run = cli("--db", str(target), "restore", str(bad), db=False)
        assert run.code != 0, bad
        assert "Traceback" not in run.err
        assert str(bad) in run.err
        assert not target.exists(), bad


def test_restore_refuses_while_the_daemon_runs(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    """Restoring under a running `syncd run` would swap the data under its feet: refused,
    naming its PID, and the database is untouched."""
    dest = _backup(cli, db_path, tmp_path)
    before = _keys(db_path)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "syncd.cli", "--db", str(db_path), "run", "--poll-every", "60"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while not _heartbeat(db_path):
            assert daemon.poll() is None, "the daemon did not start"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        run = cli("restore", str(dest), "--yes")
        assert run.code != 0
        assert str(daemon.pid) in run.err
        assert "Traceback" not in run.err
        assert _keys(db_path) == before
        assert not list(tmp_path.glob("*.before-restore-*"))
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)


def _heartbeat(db: Path) -> bool:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT 1 FROM daemon_heartbeat").fetchone() is not None
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def test_backup_refuses_to_overwrite_what_is_not_a_backup(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    """`syncd backup katalog.csv` (a slip of the finger) must not destroy the catalogue."""
    _seed(cli, db_path)
    precious = tmp_path / "katalog.csv"
    precious.write_text("kode_sku,nama,harga\n", encoding="utf-8")
    run = cli("backup", str(precious))
    assert run.code != 0
    assert precious.read_text(encoding="utf-8") == "kode_sku,nama,harga\n"
    same = cli("backup", str(db_path))
    assert same.code != 0
    assert cli("check").code == 0


def test_a_backup_without_its_key_says_where_the_key_is(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    """--no-key: the output names the key to keep, and a restore of that copy warns that
    the shops need their secrets again."""
    _seed(cli, db_path)
    dest = tmp_path / "nokey.db"
    run = cli("--lang", "en", "backup", str(dest), "--no-key")
    assert run.code == 0, run.err
    assert not dest.with_name("nokey.db.key").exists()
    assert f"{db_path}.key" in run.out
    restored = tmp_path / "r" / "toko.db"
    restored.parent.mkdir()
    back = cli("--db", str(restored), "restore", str(dest), db=False)
    assert back.code == 0, back.err
    assert "set-secret" in back.err


@pytest.mark.parametrize("lang", ["id", "en"])
def test_backup_output_is_in_the_sellers_language(
    cli: Cli, db_path: Path, tmp_path: Path, lang: str
) -> None:
    _seed(cli, db_path)
    run = cli("--lang", lang, "backup", str(tmp_path / "b.db"))
    assert run.code == 0, run.err
    assert ("Salinan tersimpan" in run.out) == (lang == "id")
    assert ("Copy saved" in run.out) == (lang == "en")


def test_restore_on_another_machine_brings_its_key(
    cli: Cli, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Restoring onto a machine whose syncd already made its own key: with --yes the
    backup's key replaces it (the old one is kept with the old database) and the shop
    secrets open; when the key comes from SYNCD_MASTER_KEY, which syncd cannot rewrite,
    a different key is refused before anything changes."""
    dest = _backup(cli, db_path, tmp_path)
    other = tmp_path / "laptop" / "toko.db"
    other.parent.mkdir()
    assert cli("--db", str(other), "init", db=False).code == 0
    credentials.new_key_file(other.with_name("toko.db.key"))  # this machine's own key
    mine = other.with_name("toko.db.key").read_text(encoding="ascii")

    monkeypatch.setenv("SYNCD_MASTER_KEY", mine.strip())
    refused = cli("--db", str(other), "restore", str(dest), "--yes", db=False)
    assert refused.code != 0
    assert "SYNCD_MASTER_KEY" in refused.err
    assert not list(other.parent.glob("*.before-restore-*"))
    monkeypatch.delenv("SYNCD_MASTER_KEY")

    done = cli("--db", str(other), "restore", str(dest), "--yes", db=False)
    assert done.code == 0, done.err
    assert other.with_name("toko.db.key").read_text(encoding="ascii") != mine
    (kept_key,) = other.parent.glob("*.before-restore-*.key")
    assert kept_key.read_text(encoding="ascii") == mine
    with Store(other) as store:
        vault = credentials.Vault(credentials.load_key(other, create=False))
        assert credentials.load(store, vault, 1, 1).app["partner_key"] == "shpk-canary-0042"
