"""One ``syncd run`` per database.

``syncd run`` (and ``run --once``) holds an exclusive ``flock`` on ``<db>.run.lock``
for as long as it runs, with its PID written in the file. A second one on the same
database finds the lock taken and refuses to start, naming the first one's PID. The
kernel drops a flock when its process ends, however it ends (kill -9 included), so a
stale file never blocks a restart; the file itself is left in place (removing a lock
file that another process may be opening is a race).

This is not the writer lock (``<db>.lock`` in syncd.store), which every command takes
for a moment around each write.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from syncd.errors import UserError

__all__ = ["lock_path", "run_lock", "running_pid"]


def lock_path(db_path: Path) -> Path:
    """The run lock file of the database at ``db_path``."""
    return db_path.with_name(db_path.name + ".run.lock")


@contextlib.contextmanager
def run_lock(db_path: Path, *, shard: tuple[int, int] | None = None) -> Iterator[None]:
    """Hold the database's run lock, or raise UserError naming the PID that holds it
    (``shard``: the lock of shard k of n, ``syncd run --shard``, an experiment)."""
    path = lock_path(db_path)
    if shard is not None and shard[0] > 0:
        path = path.with_name(f"{path.name}.{shard[0]}")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(
                "instance.running", pid=_holder(fd), db=str(db_path), lock=str(path)
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def _holder(fd: int) -> str:
    """The PID written by the holder ("?" if it has not written it yet)."""
    text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    return text if text.isdigit() else "?"


def running_pid(db_path: Path) -> str | None:
    """The PID of the `syncd run` holding this database's run lock, or None when none
    runs now (a look only: the lock is not kept, and no lock file is created)."""
    path = lock_path(db_path)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
