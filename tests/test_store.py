"""The store: pragmas, migrations, refusal of newer schemas, the writer lock."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from syncd import catalog
from syncd.errors import SchemaTooNew, StoreBusy, UserError
from syncd.i18n import set_lang
from syncd.migrations import MIGRATIONS
from syncd.store import LATEST_VERSION, Store, wal_reset_safe


def test_connection_pragmas(store: Store) -> None:
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_migrates_empty_database_to_latest(db_path: Path) -> None:
    with Store(db_path) as s:
        assert s.version == LATEST_VERSION == len(MIGRATIONS)
        tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"tenant", "sku", "movement", "balance", "listing", "rule"} <= tables
        assert s.integrity() == "ok"


def test_rerun_on_migrated_database_is_noop(db_path: Path) -> None:
    Store(db_path).close()
    with Store(db_path) as s:
        schema = s.conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
        assert s.migrate() == []
        assert s.conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema


def test_every_table_carries_its_tenant(store: Store) -> None:
    tables = [
        r[0]
        for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    # the tables that belong to no one member, by design:
    shared = {
        "tenant",
        "web_user",  # a person may serve several members: their roles are in membership
        "login_failure",  # a failed sign-in, before anyone is known
        "notify_cursor",  # one cursor over the event table
    }
    for table in tables:
        if table in shared:
            continue
        cols = {r[1] for r in store.conn.execute(f"PRAGMA table_info({table})")}
        assert "tenant_id" in cols, table


def test_newer_schema_is_refused_with_clear_message(db_path: Path) -> None:
    Store(db_path).close()
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    raw.close()
    with pytest.raises(SchemaTooNew) as info:
        Store(db_path)
    set_lang("en")
    text = str(info.value)
    assert f"schema version {LATEST_VERSION + 5}" in text
    assert f"(version {LATEST_VERSION})" in text
    assert "Upgrade syncd" in text


def test_database_file_is_private(db_path: Path) -> None:
    Store(db_path).close()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_write_rolls_back_on_error(store: Store) -> None:
    def failing_write() -> None:
        with store.write():
            store.conn.execute("INSERT INTO tenant (name, created_at) VALUES ('x', 'now')")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_write()
    assert store.scalar("SELECT COUNT(*) FROM tenant") == 0


def test_second_writer_waits_for_the_lock_then_gives_up(db_path: Path) -> None:
    first = Store(db_path)
    second = Store(db_path, lock_timeout=0.2)
    try:
        with first.writer_lock(), pytest.raises(StoreBusy), second.write():
            pass  # pragma: no cover - never reached
        with second.write():  # free again once the first lets go
            second.conn.execute("INSERT INTO tenant (name, created_at) VALUES ('y', 'now')")
        assert first.scalar("SELECT COUNT(*) FROM tenant") == 1
    finally:
        second.close()
        first.close()


def test_writer_lock_is_reentrant(store: Store) -> None:
    with store.writer_lock(), store.write():
        store.conn.execute("INSERT INTO tenant (name, created_at) VALUES ('z', 'now')")
    assert store.scalar("SELECT COUNT(*) FROM tenant") == 1


@pytest.mark.parametrize(
    ("version", "safe"),
    [
        ("3.40.1", False),
        ("3.51.2", False),
        ("3.51.3", True),
        ("3.52.0", True),
        ("3.50.6", False),
        ("3.50.7", True),
        ("3.44.5", False),
        ("3.44.6", True),
        ("3.45.0", False),
    ],
)
def test_wal_reset_safe(version: str, safe: bool) -> None:
    assert wal_reset_safe(version) is safe


# -- opening only what exists (every CLI command but `syncd init`) --------------------------------


def test_open_existing_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "toko.db"
    with pytest.raises(UserError) as info:
        Store(target, create=False)
    assert info.value.key == "store.missing"
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (None, "store.is_dir"),
        (b"", "store.not_initialised"),
        (b"sku,name\nA,Apel\n", "store.not_sqlite"),
    ],
)
def test_open_existing_names_what_is_wrong(tmp_path: Path, content: bytes | None, key: str) -> None:
    target = tmp_path / "toko.db"
    if content is None:
        target.mkdir()
    else:
        target.write_bytes(content)
    with pytest.raises(UserError) as info:
        Store.open_existing(target)
    assert info.value.key == key
    assert sorted(p.name for p in tmp_path.iterdir()) == ["toko.db"]


def test_a_foreign_sqlite_file_is_never_migrated(tmp_path: Path) -> None:
    target = tmp_path / "resep.db"
    raw = sqlite3.connect(target)
    raw.execute("CREATE TABLE resep (nama TEXT)")
    raw.commit()
    raw.close()
    for create in (True, False):
        with pytest.raises(UserError) as info:
            Store(target, create=create)
        assert info.value.key == "store.foreign"
    raw = sqlite3.connect(target)
    assert [r[0] for r in raw.execute("SELECT name FROM sqlite_master")] == ["resep"]
    raw.close()


def test_open_existing_opens_a_real_database(db_path: Path) -> None:
    Store(db_path).close()
    with Store.open_existing(db_path) as s:
        assert s.version == LATEST_VERSION


def test_close_without_waiting_when_another_process_writes(db_path: Path) -> None:
    """After Ctrl-C the CLI must not wait another 30 s for the writer lock just to close."""
    busy = Store(db_path)
    mine = Store(db_path, lock_timeout=30)
    try:
        with busy.writer_lock():
            mine.close(wait=False)  # returns at once
        assert mine.lock_timeout == 30
    finally:
        busy.close()
    with Store(db_path) as again:
        assert again.integrity() == "ok"


def test_opening_another_store_keeps_this_process_sqlite_locks(tmp_path: Path) -> None:
    """Opening a Store must never open() the database file itself: closing any descriptor
    of it drops every POSIX lock SQLite holds on it in this process. The daemon opens one
    Store per thread, so a check that read the file's header dropped the other threads'
    locks, another process's closing checkpoint then reset the WAL under them, and the
    SIGKILL end-to-end test found "database disk image is malformed". Here: while this
    process reads, another process's last close must not be able to delete the WAL."""
    import subprocess
    import sys

    db = tmp_path / "locks.db"
    first = Store(db)
    catalog.add_tenant(first, "T")
    first.conn.execute("BEGIN")
    first.conn.execute("SELECT COUNT(*) FROM tenant").fetchone()  # a read: SQLite's lock held
    second = Store(db)  # another thread's connection, as in the daemon
    writer = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        'c.execute(\'INSERT INTO tenant (name, created_at) VALUES ("U", "x")\')\n'
        "c.close()  # the last connection of its process: deletes the WAL if it can lock\n"
    )
    subprocess.run([sys.executable, "-c", writer, str(db)], check=True, timeout=30)
    assert db.with_name(db.name + "-wal").exists()  # our read still protects the WAL
    first.conn.execute("COMMIT")
    second.close()
    first.close()


def test_threads_wait_in_line_for_the_writer_lock_without_polling(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight threads writing at once all get their turn and every write lands; while one
    holds the lock the others wait on a process lock (no flock polling every 5 ms, which
    under load took the GIL from the holder)."""
    import fcntl
    import threading

    import syncd.store as store_module

    Store(db_path).close()
    attempts = {"n": 0}
    real = fcntl.flock

    def counting(fd: int, op: int) -> None:
        if op & fcntl.LOCK_EX:
            attempts["n"] += 1
        real(fd, op)

    monkeypatch.setattr(store_module.fcntl, "flock", counting)
    holder = Store(db_path)
    waiting = [Store(db_path) for _ in range(8)]
    with holder.write():
        holder.conn.execute("CREATE TABLE t (n INTEGER)")
        threads = [
            threading.Thread(target=lambda s=s: [_insert(s) for _ in range(5)]) for s in waiting
        ]
        for th in threads:
            th.start()
        import time

        time.sleep(0.3)  # 8 pollers at 5 ms would have tried ~480 times by now
        assert attempts["n"] == 1  # the holder's own: the waiters queue on the process lock
    for th in threads:
        th.join()
    assert holder.scalar("SELECT COUNT(*) FROM t") == 40
    for s in [holder, *waiting]:
        s.close()


def _insert(store: Store) -> None:
    with store.write():
        store.conn.execute("INSERT INTO t VALUES (1)")


def test_a_members_reads_use_an_index_instead_of_scanning_every_members_rows(
    store: Store,
) -> None:
    """A city's database holds 300,000 listings; reading one member's must not scan them.
    Every statement these member-scoped reads run is checked with EXPLAIN QUERY PLAN."""
    from syncd import audit, orders_view

    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        catalog.list_listings(store, 1)
        orders_view.lines(store, 1, limit=50)
        audit.chain(store, 1, sku_id=1)
    finally:
        store.conn.set_trace_callback(None)
    scans = []
    for sql in {s for s in seen if s.lstrip().upper().startswith("SELECT")}:
        for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"):
            detail = str(row[3])
            # "SCAN (subquery-1)" reads an inner query's few rows, not a table
            if detail.startswith("SCAN ") and "USING" not in detail and "(" not in detail:
                scans.append(f"{detail}  <-  {sql}")
    assert not scans, "\n".join(scans)
