"""Group commit (``Store(path, group=True)``): the bodies of several threads' ``write()``
calls share one COMMIT, and each call still returns only once its body is committed.

The daemon's and the web app's threads open their stores this way (syncd/store.py)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from syncd import store as store_module
from syncd.store import GROUP_BODIES, Store


@pytest.fixture(autouse=True)
def _no_age_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The batches here are bounded by their size only (thread 0 holds its body open
    for as long as the others take to queue); the age bound has its own test."""
    monkeypatch.setattr(store_module, "GROUP_SECONDS", 60.0)


def _seen(db_path: Path, sql: str) -> int:
    """What a connection of another program (no group, no shared state) reads."""
    other = sqlite3.connect(db_path)
    try:
        return int(other.execute(sql).fetchone()[0])
    finally:
        other.close()


def _table(db_path: Path) -> None:
    with Store(db_path) as s, s.write():
        s.conn.execute("CREATE TABLE probe (thread INTEGER, n INTEGER)")
        s.conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        s.conn.execute(
            "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) "
            "DEFERRABLE INITIALLY DEFERRED)"
        )


def _queued_behind(
    db_path: Path, others: list[Callable[[Store], None]]
) -> tuple[list[BaseException | None], list[int], Store]:
    """Thread 0's body holds the shared transaction until every other thread is queued
    for it; then each other thread runs its own body. Returns each thread's error (or
    None), what another program saw of each thread's row right after its write()
    returned, and thread 0's store (its group's counters)."""
    _table(db_path)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException | None] = [None] * (len(others) + 1)
    seen = [-1] * (len(others) + 1)
    stores: list[Store] = []

    def first() -> None:
        s = Store(db_path, group=True)
        stores.append(s)
        try:
            with s.write():
                s.conn.execute("INSERT INTO probe VALUES (0, 1)")
                holding.set()
                release.wait(10)
            seen[0] = _seen(db_path, "SELECT count(*) FROM probe WHERE thread = 0")
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            errors[0] = exc

    def other(k: int, body: Callable[[Store], None]) -> None:
        s = Store(db_path, group=True)
        stores.append(s)
        try:
            holding.wait(10)
            with s.write():
                body(s)
            seen[k] = _seen(db_path, f"SELECT count(*) FROM probe WHERE thread = {k}")
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            errors[k] = exc

    threads = [threading.Thread(target=first)]
    threads += [
        threading.Thread(target=other, args=(k, body)) for k, body in enumerate(others, start=1)
    ]
    threads[0].start()
    assert holding.wait(10)
    for t in threads[1:]:
        t.start()
    group = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        group = stores[0]._group
        if group is not None and group._queued == len(others):
            break
        time.sleep(0.005)
    assert group is not None, "the first thread opened no group"
    assert group._queued == len(others), "the others never queued"
    release.set()
    for t in threads:
        t.join(10)
    first_store = stores[0]
    return errors, seen, first_store


def _insert(k: int) -> Callable[[Store], None]:
    return lambda s: s.conn.execute("INSERT INTO probe VALUES (?, 1)", (k,)) and None


def test_bodies_queued_behind_an_open_transaction_share_its_commit(db_path: Path) -> None:
    errors, seen, first = _queued_behind(db_path, [_insert(k) for k in range(1, 6)])
    assert errors == [None] * 6
    # each write() returned only once another program could read its row
    assert seen == [1] * 6
    group = first._group
    assert group is not None
    assert (group.bodies, group.commits) == (6, 1)


def test_a_body_that_raises_is_rolled_back_alone(db_path: Path) -> None:
    def failing(s: Store) -> None:
        s.conn.execute("INSERT INTO probe VALUES (2, 1)")
        raise ValueError("this body fails after writing")

    errors, seen, _ = _queued_behind(db_path, [_insert(1), failing, _insert(3)])
    assert [type(e).__name__ if e else None for e in errors] == [None, None, "ValueError", None]
    assert (seen[0], seen[1], seen[3]) == (1, 1, 1)
    assert _seen(db_path, "SELECT count(*) FROM probe WHERE thread = 2") == 0
    assert _seen(db_path, "SELECT count(*) FROM probe") == 3


def test_a_commit_that_fails_fails_every_body_it_held(db_path: Path) -> None:
    """What group commit trades: a COMMIT refused (here a deferred foreign key; on a real
    box a full disk) loses the whole batch, and every write() in it raises, so no caller
    acts on a write that was not kept."""

    def dangling(s: Store) -> None:
        s.conn.execute("INSERT INTO probe VALUES (2, 1)")
        s.conn.execute("INSERT INTO child VALUES (404)")  # checked only at COMMIT

    errors, _, _ = _queued_behind(db_path, [_insert(1), dangling])
    assert all(isinstance(e, sqlite3.IntegrityError) for e in errors), errors
    assert _seen(db_path, "SELECT count(*) FROM probe") == 0
    # the group is usable again: the next write commits on its own
    with Store(db_path, group=True) as s:
        with s.write():
            s.conn.execute("INSERT INTO probe VALUES (9, 1)")
        assert _seen(db_path, "SELECT count(*) FROM probe") == 1


def test_a_batch_is_committed_once_it_holds_group_bodies(db_path: Path) -> None:
    n = GROUP_BODIES + 3
    errors, seen, first = _queued_behind(db_path, [_insert(k) for k in range(1, n)])
    assert errors == [None] * n
    assert seen == [1] * n
    group = first._group
    assert group is not None
    assert group.bodies == n
    assert group.commits == 2


def test_a_batch_older_than_group_seconds_is_committed_at_once(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "GROUP_SECONDS", 0.0)
    errors, seen, first = _queued_behind(db_path, [_insert(k) for k in range(1, 4)])
    assert errors == [None] * 4
    assert seen == [1] * 4
    group = first._group
    assert group is not None
    assert group.bodies == 4
    assert group.commits == 4


def test_write_does_not_nest_in_a_group_store(db_path: Path) -> None:
    with Store(db_path, group=True) as s, s.write():
        with pytest.raises(sqlite3.OperationalError, match="within a transaction"), s.write():
            pass
        # the writer lock is the batch's: taking it again inside the body does not block
        with s.writer_lock():
            s.conn.execute("INSERT INTO tenant (name, created_at) VALUES ('inside', 'now')")
    assert _seen(db_path, "SELECT count(*) FROM tenant WHERE name = 'inside'") == 1


def test_a_group_store_reads_its_own_connection_outside_write(db_path: Path) -> None:
    """Outside ``write()`` a group store reads on its own connection, and sqlite-utils
    inside a body writes through the shared one."""
    with Store(db_path, group=True) as a, Store(db_path, group=True) as b:
        assert a._group is b._group is not None
        own = a.conn
        with a.write():
            assert a.conn is not own
            assert a.conn is a._group.conn
            a.db["tenant"].insert({"name": "via sqlite-utils", "created_at": "now"})
        assert a.conn is own
        assert b.scalar("SELECT count(*) FROM tenant WHERE name = 'via sqlite-utils'") == 1
    # the last store closed the shared connection
    assert a._group is None


def test_another_process_waits_for_an_open_batch(db_path: Path) -> None:
    """An open batch holds the cross-process writer lock like any write transaction."""
    with Store(db_path, group=True) as g, Store(db_path, lock_timeout=0.2) as plain:
        from syncd.errors import StoreBusy

        with g.write(), pytest.raises(StoreBusy), plain.write():
            pass
        with plain.write():
            plain.conn.execute("INSERT INTO tenant (name, created_at) VALUES ('after', 'now')")
