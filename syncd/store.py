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
* Group commit (``Store(path, group=True)``: the daemon's and the web app's threads):
  the fsync of a ``synchronous=FULL`` commit was half the time the city's daemon held
  the writer lock. The group stores of one database in a process share one writer
  connection; each ``write()`` body runs there in a SAVEPOINT, and while other threads
  are queued for it the transaction stays open for them, so one COMMIT (one fsync)
  settles a batch of bodies. ``write()`` still returns only after the COMMIT that
  holds its body: a caller never acts on a write that could be lost. A body that
  raises is rolled back to its savepoint alone.

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
from typing import TYPE_CHECKING, Any, ClassVar, Final
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
        self,
        path: str | Path,
        *,
        lock_timeout: float = 30.0,
        create: bool = True,
        group: bool = False,
    ) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._lock_fd: int | None = None
        self._lock_depth = 0
        self._group: _Group | None = None
        #: the group's connection while this store's ``write()`` body runs on it
        self._shared: _Group | None = None
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
        if group and str(self.path) != ":memory:":
            self._group = _Group.join(self.path)

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
        _configure(conn)
        self._own = conn
        self._db: sqlite_utils.Database | None = None
        self.migrate()

    @property
    def conn(self) -> sqlite3.Connection:
        """This store's connection; inside a group ``write()`` body, the group's."""
        shared = self._shared
        return self._own if shared is None else shared.conn

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection (imported on first use: a one-line
        ``syncd sale`` should not pay for it)."""
        if self._shared is not None:
            return self._shared.db
        if self._db is None:
            import sqlite_utils  # noqa: PLC0415

            self._db = sqlite_utils.Database(self._own)
        return self._db

    # -- locking and transactions -------------------------------------------

    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the cross-process writer lock (re-entrant within this Store)."""
        if self._shared is not None:  # inside a group body: its batch holds the lock
            yield
            return
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
        """One write transaction: writer lock, BEGIN IMMEDIATE, COMMIT or ROLLBACK.

        A group store's body runs in the group's shared transaction (module docstring);
        either way, the body's changes are committed when this returns."""
        if self._group is not None:
            if self._shared is not None:
                raise sqlite3.OperationalError("cannot start a transaction within a transaction")
            with self._group.transaction(self):
                yield self
            self.commits += 1
            return
        with self.writer_lock():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            self.commits += 1

    def group_counts(self) -> tuple[int, int] | None:
        """A group store's (``write()`` bodies, COMMITs) of its group so far; else None."""
        g = self._group
        return None if g is None else (g.bodies, g.commits)

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
        group, self._group = self._group, None
        if group is not None:
            group.leave(self.lock_timeout if wait else 0.0)
        if wait:
            with self.writer_lock():
                self._own.close()
            return
        timeout, self.lock_timeout = self.lock_timeout, 0.0
        try:
            with self.writer_lock():
                self._own.close()
        except StoreBusy:
            self._own.close()
        finally:
            self.lock_timeout = timeout

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _configure(conn: sqlite3.Connection) -> None:
    """The pragmas every syncd connection runs with."""
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


#: a batch is committed once this many bodies are in it, or once it is this old, even
#: while more threads are queued (what a queued body waits for at most, besides its own)
GROUP_BODIES: Final = 64
GROUP_SECONDS: Final = 0.05


class _Batch:
    """One open transaction of a group: the writer lock it holds, the bodies in it."""

    __slots__ = ("bodies", "done", "error", "fd", "opened")

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.opened = time.monotonic()
        self.bodies = 0
        self.done = threading.Event()
        self.error: BaseException | None = None


class _Group:
    """The shared writer connection of one database's group stores in this process."""

    _all: ClassVar[dict[str, _Group]] = {}
    _all_guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)  # fmt: skip
        _configure(conn)
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self.users = 0
        self._mutex = threading.Lock()  # held while one body runs
        self._queued = 0  # threads waiting for the mutex (they join the open batch)
        self._queued_guard = threading.Lock()
        self._batch: _Batch | None = None
        #: COMMITs made, and write() bodies they carried (tests, benchmarks)
        self.commits = 0
        self.bodies = 0

    @classmethod
    def join(cls, path: Path) -> _Group:
        key = os.path.abspath(path)
        with cls._all_guard:
            group = cls._all.get(key)
            if group is None:
                group = cls._all[key] = _Group(path)
            group.users += 1
            return group

    def leave(self, timeout: float) -> None:
        """One store fewer; the last closes the connection (under the writer lock)."""
        key = os.path.abspath(self.path)
        with self._all_guard:
            self.users -= 1
            if self.users > 0:
                return
            del self._all[key]
        try:
            fd = acquire_writer_lock(self.path, timeout)
        except StoreBusy:  # another process writes: ours is not the last connection
            self.conn.close()
            return
        try:
            self.conn.close()
        finally:
            release_writer_lock(fd)

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            import sqlite_utils  # noqa: PLC0415

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    @contextlib.contextmanager
    def transaction(self, store: Store) -> Iterator[None]:
        """Run one ``write()`` body in the open batch (or a new one) and return once the
        COMMIT that holds it is done; raise what the body raised, or the COMMIT's error."""
        with self._queued_guard:
            self._queued += 1
        self._mutex.acquire()
        with self._queued_guard:
            self._queued -= 1
        try:
            batch = self._batch or self._begin(store.lock_timeout)
            self.conn.execute("SAVEPOINT syncd_write")
        except BaseException:
            self._settle()
            raise
        store._shared = self
        try:
            yield
            store._shared = None
            self.conn.execute("RELEASE syncd_write")
        except BaseException as exc:
            store._shared = None
            self._undo(batch, exc)
            self._settle()
            raise
        batch.bodies += 1
        self.bodies += 1
        self._settle()
        batch.done.wait()
        if batch.error is not None:
            raise batch.error

    def _begin(self, timeout: float) -> _Batch:
        fd = acquire_writer_lock(self.path, timeout)
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            release_writer_lock(fd)
            raise
        self._batch = _Batch(fd)
        return self._batch

    def _undo(self, batch: _Batch, exc: BaseException) -> None:
        """A body raised: roll back to its savepoint. Where SQLite already rolled back the
        whole transaction (disk full, I/O error), the batch's other bodies fail with it."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK TO syncd_write")
                self.conn.execute("RELEASE syncd_write")
                return
            except sqlite3.Error:
                pass
        self._close(batch, sqlite3.OperationalError(f"the shared transaction was lost: {exc}"))

    def _settle(self) -> None:
        """With the mutex held: commit the open batch unless more bodies are queued for it
        (and it is neither full nor old), then let the next thread in."""
        try:
            batch = self._batch
            if batch is not None:
                with self._queued_guard:
                    queued = self._queued
                full = batch.bodies >= GROUP_BODIES
                if not queued or full or time.monotonic() - batch.opened >= GROUP_SECONDS:
                    self._close(batch, None)
        finally:
            self._mutex.release()

    def _close(self, batch: _Batch, error: BaseException | None) -> None:
        try:
            if error is None and batch.bodies:
                self.conn.execute("COMMIT")
                self.commits += 1
            elif self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except BaseException as exc:  # noqa: BLE001 - a failed COMMIT fails every body in it
            error = exc
            if self.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
        finally:
            self._batch = None
            batch.error = error
            release_writer_lock(batch.fd)
            batch.done.set()


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
