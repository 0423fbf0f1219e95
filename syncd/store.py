"""The SQLite store: one writer connection, WAL, FULL sync, versioned migrations.

Facts this module encodes (see ../shared/reference/reliability.md §0, §2):

* WAL with ``synchronous=FULL``: a committed movement survives power loss.
* Every writing transaction starts with ``BEGIN IMMEDIATE`` (a deferred
  transaction that read first cannot wait its way out of SQLITE_BUSY).
* Our SQLite (3.40) has the WAL-reset bug, so at most one connection may write
  or checkpoint at any instant. Every write transaction, and the close that
  checkpoints, runs under an exclusive ``flock`` on ``<db>.lock``, so a CLI
  command and the daemon never write to one file at the same moment.
* sqlite-utils >= 4 nests its own writes as SAVEPOINTs inside ours.

Opening: ``Store(path)`` creates a missing database (tests, the demo, the daemon's
threads); ``Store(path, create=False)`` (every CLI command but ``syncd init``) opens
only an existing syncd database and creates nothing, not even a parent directory or
a lock file. What it refuses, each with its own message: a missing file, a
directory, a file that is not SQLite, a SQLite file of another program, and a
database written by a newer syncd.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from syncd.errors import SchemaTooNew, StoreBusy, UserError
from syncd.migrations import MIGRATIONS

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["LATEST_VERSION", "Store", "wal_reset_safe"]

LATEST_VERSION: Final = len(MIGRATIONS)
BUSY_TIMEOUT_MS: Final = 10_000
_FIXED = ((3, 51, 3), (3, 50, 7), (3, 44, 6))


def wal_reset_safe(version: str) -> bool:
    """True when this SQLite version has the WAL-reset fix (3.51.3, 3.50.7, 3.44.6)."""
    v = tuple(int(x) for x in version.split(".")[:3])
    return v >= _FIXED[0] or any(v[:2] == f[:2] and v >= f for f in _FIXED[1:])


class Store:
    """An open syncd database. Use ``write()`` for every change."""

    def __init__(
        self, path: str | Path, *, lock_timeout: float = 30.0, create: bool = True
    ) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._lock_fd: int | None = None
        self._lock_depth = 0
        #: write transactions committed on this connection (``write()``): what a test of
        #: "one transaction per poll page" counts
        self.commits = 0
        if create:
            _create_private(self.path)
        _check_existing(self.path, empty_ok=create)
        # check_same_thread=False: a connection is used by one thread at a time (the daemon
        # gives each thread its own) but may be closed by the thread that shuts down.
        # mode=rw: when we must not create, not even SQLite may create the file.
        target = self.path if create else f"file:{quote(str(self.path.resolve()))}?mode=rw"
        conn = sqlite3.connect(
            target,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
            uri=not create,
        )
        try:
            self._open(conn, create=create)
        except BaseException:
            conn.close()
            raise

    @classmethod
    def open_existing(cls, path: str | Path, *, lock_timeout: float = 30.0) -> Store:
        """An existing syncd database; refuses (UserError) rather than create anything."""
        return cls(path, lock_timeout=lock_timeout, create=False)

    def _open(self, conn: sqlite3.Connection, *, create: bool) -> None:
        # read the version before any pragma writes to the file (journal_mode=WAL does)
        try:
            found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError:  # "file is not a database"
            raise UserError("store.not_sqlite", path=str(self.path)) from None
        if found > LATEST_VERSION:
            raise SchemaTooNew(path=str(self.path), found=found, supported=LATEST_VERSION)
        if found == 0 and _has_tables(conn):
            raise UserError("store.foreign", path=str(self.path))
        if found == 0 and not create:
            raise UserError("store.not_initialised", path=str(self.path))
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            "trusted_schema=OFF",
            # without it, INSERT OR REPLACE deletes a movement without firing its DELETE trigger
            "recursive_triggers=ON",
        ):
            conn.execute(f"PRAGMA {pragma}")
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self.migrate()

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection (imported on first use: a one-line
        ``syncd sale`` should not pay for it)."""
        if self._db is None:
            import sqlite_utils  # noqa: PLC0415

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    # -- locking and transactions -------------------------------------------

    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the cross-process writer lock (re-entrant within this Store)."""
        if self._lock_depth == 0:
            self._acquire()
        self._lock_depth += 1
        try:
            yield
        finally:
            self._lock_depth -= 1
            if self._lock_depth == 0:
                self._release()

    def _acquire(self) -> None:
        self._lock_fd = acquire_writer_lock(self.path, self.lock_timeout)

    def _release(self) -> None:
        if self._lock_fd is not None:
            release_writer_lock(self._lock_fd)
            self._lock_fd = None

    @contextlib.contextmanager
    def write(self) -> Iterator[Store]:
        """One write transaction: writer lock, BEGIN IMMEDIATE, COMMIT or ROLLBACK."""
        with self.writer_lock():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            self.commits += 1

    # -- reading ------------------------------------------------------------

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        """First row of a query as a mapping, or None."""
        cur = self.conn.execute(sql, params)
        cur.row_factory = sqlite3.Row
        row: sqlite3.Row | None = cur.fetchone()
        return row

    def all(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """All rows of a query as mappings."""
        cur = self.conn.execute(sql, params)
        cur.row_factory = sqlite3.Row
        return cur.fetchall()

    def scalar(self, sql: str, params: Any = ()) -> Any:
        """The single value a query returns (None when no row)."""
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- schema -------------------------------------------------------------

    @property
    def version(self) -> int:
        """The schema version recorded in the file (PRAGMA user_version)."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> list[int]:
        """Apply pending migrations, each in its own transaction; return those applied."""
        if self.version > LATEST_VERSION:
            raise SchemaTooNew(path=str(self.path), found=self.version, supported=LATEST_VERSION)
        applied: list[int] = []
        while self.version < LATEST_VERSION:
            with self.write():
                current = self.version  # re-read under the lock: another process may have won
                if current >= LATEST_VERSION:
                    break
                for statement in _statements(MIGRATIONS[current]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {current + 1}")
            applied.append(current + 1)
        return applied

    def integrity(self) -> str:
        """``PRAGMA integrity_check`` result: 'ok' or the first problem found."""
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self, *, wait: bool = True) -> None:
        """Close the connection under the writer lock (closing checkpoints the WAL).

        ``wait=False`` (after Ctrl-C): if another process holds the writer lock, close at
        once without it. That holder has its own connection open, so ours is not the last
        one and SQLite does not checkpoint on this close.
        """
        if wait:
            with self.writer_lock():
                self.conn.close()
            return
        timeout, self.lock_timeout = self.lock_timeout, 0.0
        try:
            with self.writer_lock():
                self.conn.close()
        except StoreBusy:
            self.conn.close()
        finally:
            self.lock_timeout = timeout

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into complete statements (triggers included)."""
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                yield buf.strip()
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buf.strip()[:60]}")


#: one lock per database file for the threads of this process: they queue on it (a
#: futex, no polling), and only the thread at its head polls the cross-process flock.
#: Before, every waiting thread polled flock every 5 ms, and under load the pollers took
#: the GIL from the holder (a convoy: 57 % of a profiled daemon's samples, bench/web.py).
_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()
_HELD: dict[int, threading.Lock] = {}


def _thread_lock(lock_file: str) -> threading.Lock:
    with _THREAD_LOCKS_GUARD:
        return _THREAD_LOCKS.setdefault(lock_file, threading.Lock())


def acquire_writer_lock(db_path: str | Path, timeout: float) -> int:
    """Take the exclusive ``flock`` on ``<db>.lock`` every writer (and the closing
    checkpoint) holds; returns its descriptor, or raises StoreBusy after ``timeout`` s.

    Threads of this process wait in line on a process lock first; the one at the head
    polls the flock, which another process may hold."""
    lock_file = os.path.abspath(f"{db_path}.lock")
    deadline = time.monotonic() + timeout
    in_line = _thread_lock(lock_file)
    if not in_line.acquire(timeout=max(0.0, timeout)):
        raise StoreBusy(path=str(db_path))
    try:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    except BaseException:
        in_line.release()
        raise
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                in_line.release()
                raise StoreBusy(path=str(db_path)) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.005)
            continue
        except BaseException:
            os.close(fd)
            in_line.release()
            raise
        _HELD[fd] = in_line
        return fd


def release_writer_lock(fd: int) -> None:
    """Give back what ``acquire_writer_lock`` took."""
    # taken out before the close: once closed, the descriptor's number may be handed to
    # another thread's lock at once, and its entry must not be the one released here
    in_line = _HELD.pop(fd, None)
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    finally:
        if in_line is not None:
            in_line.release()


def _has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None


def _check_existing(path: Path, *, empty_ok: bool = False) -> None:
    """Refuse, with the message that fits, a path that is not an existing database file.

    Only ``stat``/``access``, never ``open``: closing any descriptor of the database file
    drops every POSIX lock SQLite holds on it in this process (the daemon's other
    threads' connections), after which another process may reset the WAL under them
    (reference/reliability.md). Whether the file is SQLite is SQLite's to say
    (``_open``)."""
    where = str(path)
    if str(path) == ":memory:":
        return
    if path.is_dir():
        raise UserError("store.is_dir", path=where)
    if not path.exists():
        raise UserError("store.missing", path=where)
    if not os.access(path, os.R_OK | os.W_OK):
        raise UserError("store.no_permission", path=where)
    if path.stat().st_size == 0 and not empty_ok:
        raise UserError("store.not_initialised", path=where)


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only (secrets live in it later)."""
    if str(path) == ":memory:" or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
