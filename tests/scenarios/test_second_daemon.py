"""An operator starts ``syncd run`` while one is already running.

Issue 9, item 5: "A second ``syncd run`` on the same database refuses to start and
names the first one's PID."

The original harm: nothing stopped a second daemon (a forgotten ``syncd run`` in a
tmux window next to the systemd service, or a cron ``run --once`` beside it). Both
polled the same shops and pushed the same listings: every marketplace call twice,
tokens refreshed by two processes at once (a single-use refresh token is then lost
by one of them), and the rate limits of one shop spent twice.

These tests run real processes, the way the operator does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.instance import lock_path
from syncd.store import Store


def _syncd(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "syncd.cli", "--lang", "en", "--db", str(db), *args]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    env["HOME"] = str(tmp_path / "home")
    return env


def _started(db: Path, pid: int) -> bool:
    """The daemon holds the run lock and has recorded that it started."""
    path = lock_path(db)
    if not path.exists() or path.read_text().strip() != str(pid):
        return False
    with Store(db) as store:
        return bool(store.scalar("SELECT COUNT(*) FROM event WHERE kind = 'daemon.started'"))


def _wait_until_started(db: Path, proc: subprocess.Popen[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if _started(db, proc.pid):
            time.sleep(0.3)  # its signal handlers are installed right after that event
            return
        time.sleep(0.05)
    pytest.fail("the first daemon never started")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "toko.db"
    Store(path).close()
    return path


@pytest.fixture
def first(db: Path, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """The daemon the operator started earlier (no channels yet: it just runs)."""
    proc = subprocess.Popen(
        _syncd(db, "run", "--push-every", "0.2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        _wait_until_started(db, proc)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


@pytest.mark.parametrize("second_args", [["run"], ["run", "--once"]])
def test_a_second_daemon_refuses_and_names_the_first(
    db: Path, tmp_path: Path, first: subprocess.Popen[str], second_args: list[str]
) -> None:
    second = subprocess.run(
        _syncd(db, *second_args),
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(tmp_path),
        check=False,
    )
    assert second.returncode == 1
    assert f"PID {first.pid}" in second.stderr
    assert "already running" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.poll() is None  # the first one is not disturbed
    assert lock_path(db).read_text().strip() == str(first.pid)


def _next_one_runs(db: Path, tmp_path: Path) -> None:
    after = subprocess.run(
        _syncd(db, "run", "--once"),
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(tmp_path),
        check=False,
    )
    assert after.returncode == 0, after.stderr


def test_the_lock_dies_with_the_daemon_even_after_kill_9(
    db: Path, tmp_path: Path, first: subprocess.Popen[str]
) -> None:
    """A daemon killed hard (OOM, kill -9) leaves no lock that blocks the next start."""
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    _next_one_runs(db, tmp_path)


def test_a_daemon_stopped_politely_lets_the_next_one_start(
    db: Path, tmp_path: Path, first: subprocess.Popen[str]
) -> None:
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=60) == 0
    assert lock_path(db).read_text() == ""  # no PID left behind to mislead anyone
    _next_one_runs(db, tmp_path)


def test_two_databases_run_side_by_side(tmp_path: Path, first: subprocess.Popen[str]) -> None:
    """The lock is per database: a cooperative's second database is not blocked."""
    other = tmp_path / "koperasi.db"
    Store(other).close()
    run = subprocess.run(
        _syncd(other, "run", "--once"),
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(tmp_path),
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert first.poll() is None
