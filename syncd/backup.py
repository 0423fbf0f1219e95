"""Backup and restore of a syncd database, and of the master key that opens its secrets.

``backup`` copies a live database with SQLite's online backup API
(``sqlite3.Connection.backup``), never with ``cp``: copying the files of a WAL
database while the daemon writes can tear it (reference §2.2, §2.3).

Why the copy holds the writer lock. Our SQLite (3.40) has the WAL-reset bug: two
connections that write or checkpoint at the same instant can corrupt the file, so
every write and every checkpoint in syncd runs under the exclusive ``flock`` on
``<db>.lock`` (syncd.store). A connection that only reads cannot trigger the bug
while it reads, but closing the last connection to a WAL database checkpoints it,
and a read connection can be that last one; we also cannot stop SQLite from doing so
here (``SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE`` is not reachable from Python 3.11). So
the backup opens its source connection, copies every page in ONE step
(``pages=-1``: one read transaction, hence a consistent snapshot that includes every
commit made before the lock was ours, and no restart when the daemon writes) and
closes the connection, all inside the writer lock. The daemon's writes wait for that
moment (its lock timeout is 30 s; a 40 MB database copies in well under a second)
and then carry on; nothing else is held. The copy is written to a temporary name in
the destination folder (mode 0600), switched to a single self-contained file
(``journal_mode=DELETE``), checked with ``PRAGMA integrity_check``, flushed to disk,
and only then renamed over the destination.

The master key. Channel secrets are sealed with the master key, which is never in
the database. A backup without its key restores the stock and orders but not the
shops' app secrets or authorizations. So ``backup`` also writes the key in use
(found by ``credentials.key_source``, the one rule the CLI and the service share)
to ``DEST.key`` (0600, temporary name then rename): ``DEST`` and ``DEST.key`` are
then a database and its key the way syncd lays them out, usable as they are with
``--db DEST``. Whoever holds both can open the shop secrets, so the output says to
keep them somewhere only the seller can open. ``--no-key`` skips the key and the
output says where it is and that it must be backed up too.

``restore`` refuses while ``syncd run`` holds the database's run lock
(syncd.instance) and holds that lock itself, so no daemon starts halfway. It checks
that the source is a syncd database (SQLite header, syncd tables, a schema version
this syncd knows) that passes ``integrity_check``, and that its key opens its
secrets, before touching anything. It never overwrites an existing database without
``--yes``; with it, the current database (and key) is first backed up beside itself
(``<db>.before-restore-<time>``). An existing database is overwritten through the
backup API into its own connection (so its WAL is handled by SQLite, under the writer
lock); a new one is written to a temporary name and renamed.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import os
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import quote

from syncd import credentials
from syncd.errors import UserError
from syncd.store import LATEST_VERSION, acquire_writer_lock, release_writer_lock

__all__ = ["BackupReport", "RestoreReport", "backup", "inspect", "restore"]

_MAGIC: Final = b"SQLite format 3\x00"
_TABLES: Final = frozenset({"tenant", "sku", "movement", "balance", "channel_account"})
LOCK_TIMEOUT: Final = 30.0  # s, as syncd.store.Store waits for the writer lock


@dataclass(frozen=True)
class Summary:
    """What a syncd database file holds, as far as a seller cares."""

    version: int
    movements: int
    channels: int


@dataclass(frozen=True)
class BackupReport:
    """A finished backup: where it went and what it holds."""

    path: Path
    summary: Summary
    size: int
    key_copy: Path | None  # where the key was copied (None: not copied)
    key_where: str | None  # where the key in use is (None: there is no key yet)
    key_unreadable: bool = False


@dataclass(frozen=True)
class RestoreReport:
    """A finished restore."""

    path: Path
    source: Path
    summary: Summary
    kept: Path | None  # the previous database, backed up before it was replaced
    key_restored: Path | None  # where the backup's key was written
    key_same: str | None  # the key already in use fits the copy (where it is)
    key_missing: Path | None  # the backup came without a key (where it was looked for)


# -- locks and files -------------------------------------------------------------------


@contextlib.contextmanager
def writer_lock(db_path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """The same exclusive flock on ``<db>.lock`` that syncd.store.Store takes to write."""
    fd = acquire_writer_lock(db_path, timeout)
    try:
        yield
    finally:
        release_writer_lock(fd)


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def _private_new(path: Path) -> None:
    """Create an empty file readable by its owner only (fails if it exists)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(tmp: Path, final: Path) -> None:
    """Flush ``tmp`` and rename it to ``final`` (then flush the folder, so the name sticks)."""
    _fsync(tmp)
    tmp.replace(final)
    _fsync(final.parent)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (0600) through a temporary name and a rename."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)
    _publish(tmp, path)


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%SZ")


def is_sqlite(path: Path) -> bool:
    """True when ``path`` is a file that starts with SQLite's header."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(_MAGIC)) == _MAGIC
    except OSError:
        return False


def _summary(conn: sqlite3.Connection) -> Summary:
    return Summary(
        version=int(conn.execute("PRAGMA user_version").fetchone()[0]),
        movements=int(conn.execute("SELECT COUNT(*) FROM movement").fetchone()[0]),
        channels=int(conn.execute("SELECT COUNT(*) FROM channel_account").fetchone()[0]),
    )


# -- backup ----------------------------------------------------------------------------


def _destination(db_path: Path, dest: Path) -> Path:
    if dest.is_dir():
        dest = dest / f"{db_path.stem}-{_stamp()}{db_path.suffix or '.db'}"
    if not dest.parent.is_dir():
        raise UserError("backup.dest_dir_missing", path=str(dest.parent))
    if dest.exists():
        if dest.samefile(db_path):
            raise UserError("backup.same_file", path=str(dest))
        if not is_sqlite(dest):
            raise UserError("backup.dest_not_syncd", path=str(dest))
    elif dest.resolve() == db_path.resolve():
        raise UserError("backup.same_file", path=str(dest))
    return dest


def copy_database(db_path: Path, tmp: Path) -> None:
    """Online copy of the live database into the new file ``tmp`` (see module docstring)."""
    with writer_lock(db_path):
        src = sqlite3.connect(_uri(db_path, "rw"), uri=True, timeout=10.0)
        try:
            src.execute("PRAGMA synchronous=FULL")  # the closing checkpoint, if any, syncs
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)  # pages=-1: every page in one step, one snapshot
            finally:
                dst.close()
        finally:
            src.close()  # may checkpoint the source: still under the writer lock


def _check_copy(tmp: Path) -> Summary:
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        problem = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        if problem != "ok":
            raise UserError("backup.failed", problem=problem)
        return _summary(conn)
    finally:
        conn.close()


def backup(
    db_path: Path, dest: Path, *, configured_key: Path | None = None, copy_key: bool = True
) -> BackupReport:
    """Copy the database at ``db_path`` to ``dest`` (a file, or a folder to put it in),
    and its master key to ``<dest>.key`` unless ``copy_key`` is False."""
    if not db_path.is_file():
        raise UserError("backup.missing", path=str(db_path))
    # never open() the live database to look at it: closing that descriptor would drop
    # the SQLite locks of any connection this process has on it; SQLite itself refuses
    # a file that is not a database (below, as backup.failed)
    dest = _destination(db_path, dest)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    _private_new(tmp)
    try:
        copy_database(db_path, tmp)
        summary = _check_copy(tmp)
        _publish(tmp, dest)
    except sqlite3.Error as exc:
        raise UserError("backup.failed", problem=str(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)
    key_copy, key_where, unreadable = _backup_key(db_path, dest, configured_key, copy_key)
    return BackupReport(dest, summary, dest.stat().st_size, key_copy, key_where, unreadable)


def _key_text(source: credentials.KeySource) -> str | None:
    """The key in use as text (None: there is no key yet). Raises PermissionError."""
    if source.path is None:
        return os.environ[credentials.KEY_ENV].strip()
    if not source.path.exists():
        return None
    return source.path.read_text(encoding="ascii", errors="replace").strip()


def _backup_key(
    db_path: Path, dest: Path, configured: Path | None, copy_key: bool
) -> tuple[Path | None, str | None, bool]:
    source = credentials.key_source(db_path, configured)
    where = source.where if source.path else f"${source.where}"
    try:
        text = _key_text(source)
    except OSError:  # e.g. a key only the service user may read
        return None, where, True
    if text is None:
        return None, None, False
    if not copy_key:
        return None, where, False
    copy = dest.with_name(dest.name + ".key")
    _write_private(copy, text + "\n")
    return copy, where, False


# -- restore ---------------------------------------------------------------------------


def inspect(src: Path) -> Summary:
    """Check that ``src`` is a whole syncd database this syncd can read; its summary."""
    if not src.is_file():
        raise UserError("restore.src_missing", path=str(src))
    if not is_sqlite(src):
        raise UserError("restore.not_syncd", path=str(src), problem="not a SQLite file")
    try:
        conn = sqlite3.connect(_uri(src, "ro"), uri=True)
    except sqlite3.Error as exc:
        raise UserError("restore.not_syncd", path=str(src), problem=str(exc)) from None
    try:
        return _inspect(conn, src)
    except sqlite3.DatabaseError as exc:
        raise UserError("restore.damaged", path=str(src), problem=str(exc)) from None
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection, src: Path) -> Summary:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version == 0 or not _TABLES.issubset(tables):
        missing = ", ".join(sorted(_TABLES - tables)) or "-"
        raise UserError(
            "restore.not_syncd", path=str(src), problem=f"version {version}, missing {missing}"
        )
    if version > LATEST_VERSION:
        raise UserError("restore.too_new", path=str(src), found=version, supported=LATEST_VERSION)
    problem = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    if problem != "ok":
        raise UserError("restore.damaged", path=str(src), problem=problem)
    return _summary(conn)


def _decode_key(text: str, where: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip())
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != 32:
        raise UserError("secrets.bad_key", where=where)
    return key


def _key_opens(src: Path, key: bytes, key_path: Path) -> None:
    """The backup's key must open the backup's sealed secrets (one is enough to tell)."""
    conn = sqlite3.connect(_uri(src, "ro"), uri=True)
    try:
        opens = credentials.key_opens(conn, key)  # a tenant's data key, or a version 1 blob
    finally:
        conn.close()
    if not opens:
        raise UserError("restore.key_mismatch", key=str(key_path), path=str(src))


@dataclass(frozen=True)
class _KeyPlan:
    """What restore does with the key: write ``text`` to ``target`` (or nothing)."""

    target: Path | None
    text: str | None
    same: str | None
    missing: Path | None


def _managed(source: credentials.KeySource) -> bool:
    """The key comes from the environment or from systemd, not from a file syncd owns."""
    if source.path is None:
        return True
    cred_dir = os.environ.get("CREDENTIALS_DIRECTORY")
    return bool(cred_dir) and source.path == Path(str(cred_dir)) / credentials.KEY_CREDENTIAL


def _plan_key(src: Path, db_path: Path, configured: Path | None, replace: bool) -> _KeyPlan:
    backup_key = src.with_name(src.name + ".key")
    if not backup_key.is_file():
        return _KeyPlan(None, None, None, backup_key)
    text = backup_key.read_text(encoding="ascii", errors="replace").strip()
    key = _decode_key(text, str(backup_key))
    _key_opens(src, key, backup_key)
    source = credentials.key_source(db_path, configured)
    where = source.where if source.path else f"${source.where}"
    try:
        current = _key_text(source)
    except OSError:
        current = None
        if source.path is None or source.path.exists():  # there, but not for us to read
            raise UserError("restore.key_unreadable", where=where) from None
    if current is not None and secrets.compare_digest(_decode_key(current, where), key):
        return _KeyPlan(None, None, where, None)
    target = source.path
    if target is None or _managed(source):  # the environment or systemd: not ours to rewrite
        raise UserError("restore.key_elsewhere", where=where, key=str(backup_key))
    if current is not None and not replace:
        raise UserError("restore.exists", path=str(target))
    if not target.parent.is_dir():
        raise UserError("backup.dest_dir_missing", path=str(target.parent))
    return _KeyPlan(target, text, None, None)


def restore(
    src: Path,
    db_path: Path,
    *,
    configured_key: Path | None = None,
    replace: bool = False,
) -> RestoreReport:
    """Bring the database at ``db_path`` (and its key) back from the backup ``src``."""
    from syncd.instance import run_lock  # noqa: PLC0415

    summary = inspect(src)
    if src.resolve() == db_path.resolve():
        raise UserError("backup.same_file", path=str(src))
    if not db_path.parent.is_dir():
        raise UserError("backup.dest_dir_missing", path=str(db_path.parent))
    exists = db_path.exists()
    if exists and not replace:
        raise UserError("restore.exists", path=str(db_path))
    if not exists and db_path.with_name(db_path.name + "-wal").exists():
        raise UserError("restore.leftover", path=f"{db_path}-wal")
    plan = _plan_key(src, db_path, configured_key, replace)
    with run_lock(db_path):  # no `syncd run` now, and none starts until we are done
        kept = None
        if exists:
            kept = db_path.with_name(f"{db_path.name}.before-restore-{_stamp()}")
            backup(db_path, kept, configured_key=configured_key)
            _copy_into(src, db_path)
        else:
            tmp = db_path.with_name(f".{db_path.name}.tmp-{os.getpid()}")
            tmp.unlink(missing_ok=True)
            _private_new(tmp)
            try:
                _copy_into(src, tmp)
                _publish(tmp, db_path)
            finally:
                tmp.unlink(missing_ok=True)
        if plan.target is not None and plan.text is not None:
            _write_private(plan.target, plan.text + "\n")
    return RestoreReport(db_path, src, summary, kept, plan.target, plan.same, plan.missing)


def _copy_into(src: Path, target: Path) -> None:
    """Every page of ``src`` into ``target`` through SQLite, under the target's writer lock;
    the daemon's heartbeat is dropped (it described another time, maybe another machine)."""
    with writer_lock(target):
        source = sqlite3.connect(_uri(src, "ro"), uri=True)
        try:
            dst = sqlite3.connect(target, isolation_level=None, timeout=10.0)
            try:
                dst.execute("PRAGMA synchronous=FULL")
                source.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
                with contextlib.suppress(sqlite3.OperationalError):  # older schema: no table
                    dst.execute("DELETE FROM daemon_heartbeat")
                problem = str(dst.execute("PRAGMA integrity_check").fetchone()[0])
                if problem != "ok":  # pragma: no cover - the source passed the same check
                    raise UserError("restore.damaged", path=str(target), problem=problem)
            finally:
                dst.close()  # checkpoints the WAL: still under the writer lock
        finally:
            source.close()
