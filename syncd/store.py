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
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from syncd.errors import SchemaTooNew, StoreBusy
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

    def __init__(self, path: str | Path, *, lock_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._lock_fd: int | None = None
        self._lock_depth = 0
        _create_private(self.path)
        # check_same_thread=False: a connection is used by one thread at a time (the daemon
        # gives each thread its own) but may be closed by the thread that shuts down.
        conn = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
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
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StoreBusy(path=str(self.path)) from None
                time.sleep(0.005)
        self._lock_fd = fd

    def _release(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
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

    def close(self) -> None:
        """Close the connection under the writer lock (closing checkpoints the WAL)."""
        with self.writer_lock():
            self.conn.close()

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


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only (secrets live in it later)."""
    if str(path) == ":memory:" or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
