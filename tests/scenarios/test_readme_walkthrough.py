"""The README's walk-through, typed as a new seller would type it (issue 9, item 9).

The commands are read from README.md ("Try it on a pretend shop"), not copied here, so
the README cannot drift from what works. Only what a person fills in is substituted:
the link and code they read off the screen, a free port instead of 8701, and a
temporary database instead of ~/coba-syncd.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _blocks() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Try it on a pretend shop", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [
        [line.split("  #", 1)[0].strip() for line in b.splitlines() if line.strip()] for b in blocks
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_readme_walkthrough_works_as_typed(tmp_path: Path) -> None:
    setup, session = _blocks()
    assert setup[-1] == "syncd simulator shopee"
    port = _free_port()
    bindir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SYNCD_DB", None)
    sim = subprocess.Popen(
        [str(bindir / "syncd"), "simulator", "shopee", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert sim.stdout is not None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if "Ctrl-C" in (sim.stdout.readline() or ""):
                break
        link = code = ""
        outputs: list[str] = []
        for line in session:
            command = line.replace("8701", str(port))
            command = command.replace("~/coba-syncd", str(tmp_path / "coba"))
            command = command.replace("LINK", link).replace("CODE", code)
            if command.startswith("export PATH="):
                continue  # the test's PATH already has this syncd first
            run = subprocess.run(
                ["bash", "-c", f"{_exports(session, tmp_path)}\n{command}"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if command.startswith("export"):
                continue
            assert "Traceback" not in run.stderr, (command, run.stderr)
            assert run.returncode == 0, (command, run.stdout, run.stderr)
            outputs.append(run.stdout)
            if command == "syncd channel connect shopee":
                link = run.stdout.strip().splitlines()[-1]
                assert link.startswith("http://127.0.0.1:")
            if command.startswith("curl"):
                found = re.search(r"code=([0-9a-f]+)", run.stdout)
                assert found, run.stdout
                code = found.group(1)
        text = "\n".join(outputs)
        assert "harga Rp 89.000 → Rp 85.000 (harga tidak dikirim: tetap Rp 89.000)" in text
        assert "NASTAR-500 −2 (stok 10)" in text
        assert " baik " in text  # status: the shop is ok
    finally:
        sim.send_signal(signal.SIGINT)
        sim.wait(timeout=20)
        if sim.stdout is not None:
            sim.stdout.close()


def _exports(session: list[str], tmp_path: Path) -> str:
    """The `export` lines so far apply to every later command, as in one terminal."""
    lines = [c for c in session if c.startswith("export ") and not c.startswith("export PATH=")]
    return "\n".join(c.replace("~/coba-syncd", str(tmp_path / "coba")) for c in lines)
