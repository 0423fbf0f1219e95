"""Web under load beside the daemon (issue 13, "Benchmark"): page and sale times, and
what the web load does to the daemon's order → push propagation.

Prints a table and (``--json``) writes the numbers; asserts nothing. Only 127.0.0.1.

    python bench/web.py                    # 50 members × 3 shops, 4 min per phase
    python bench/web.py --quick            # ~1 minute smoke run (10 members)
    python bench/web.py --json bench/results/web-50.json
    python bench/web.py --profile web.svg  # py-spy the daemon+web process in phase B

One cooperative (``cooplib/world.py``: the Shopee, Lazada and TikTok Shop simulators
with their per-call latency and rate limits, M members with a shop on each, S SKUs
each) is built once, with web users added: an owner per browsing member and a cashier
for the first few. Two phases then run on clones of it with the same seeded buyers
(``cooplib/stream.py``):

``A``  ``syncd run`` alone: the order → push propagation with no web load.
``B``  ``syncd run --web 127.0.0.1:PORT`` (the web app in a thread of the daemon's
       process) and, from a separate load process, ``--browsers`` signed-in members
       each looping over /, /stock?q= (as htmx's live search asks it), /sku/{code},
       /orders and /channels with ~``--think`` s between pages, and ``--cashiers``
       cashiers each POSTing /api/sales (a fresh key, the session's CSRF header)
       about every ``--sale-every`` s.

What is measured:

* page time: request sent → whole answer read, in the load process (keep-alive
  connections, one per user, as a phone's browser keeps one);
* sale ack: POST /api/sales sent → its answer read (the answer comes after commit);
* sale to ledger: POST sent → the sale's movement row seen in the database by a
  read-only poller in the load process (every 5 ms);
* propagation: ``cooplib/measure.py``'s (a marketplace order → every other affected
  listing of that member shows the right value), over the marketplace orders only,
  which are the same stream in both phases; in B the cash sales change stock too,
  so they enter the ground truth as orders on a channel of their own ("cash") and
  their own propagation (sale sent → all three shops show it) is reported apart;
* CPU seconds of the daemon's process (the web app's too, in B), of the load
  process and of this harness (simulators and buyers), and how busy the whole
  machine was (``/proc/stat``, other programs included).

All of it shares one machine: on a 2-core box the load generator, the simulators and
the daemon+web process compete for the same cores, so phase B measures the app under
that contention, not the app alone.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import random
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for p in (str(REPO), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

PASSWORD = "bench-kue-nastar-2026"  # noqa: S105 - made up; every bench user's
PAGES = ("/", "/stock", "/sku", "/orders", "/channels")
TARGET_PAGE_P95_MS = 300.0
TARGET_ACK_P95_MS = 500.0
TARGET_P99_RATIO = 1.10


# -- small helpers ------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (as ``cooplib.measure.percentile``); nan for none."""
    if not values:
        return math.nan
    ranked = sorted(values)
    return ranked[max(0, math.ceil(p / 100 * len(ranked)) - 1)]


def stats(values: list[float]) -> dict[str, float]:
    return {
        "count": float(len(values)),
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "max": max(values) if values else math.nan,
    }


def bootstrap(values: list[float], p: float, *, rounds: int = 1000, seed: int = 1) -> list[float]:
    """A 95 % bootstrap interval of the ``p``-th percentile: how much of a difference
    between two runs sampling noise alone would make."""
    if len(values) < 2:
        return [math.nan, math.nan]
    rng = random.Random(seed)  # noqa: S311 - resampling, not security
    n = len(values)
    got = sorted(pct([values[rng.randrange(n)] for _ in range(n)], p) for _ in range(rounds))
    return [got[int(0.025 * rounds)], got[int(0.975 * rounds) - 1]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot (``/proc/stat``)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def secs(x: float) -> str:
    """Seconds as the report shows them ("never": not propagated by the end)."""
    text = fmt(x, 1)
    return text if text in ("-", "never") else f"{text} s"


def fmt(x: float, digits: int = 0) -> str:
    if x is None or math.isnan(x):
        return "-"
    if math.isinf(x):
        return "never"
    return f"{x:.{digits}f}"


# -- the load process (``--_load CONFIG``) --------------------------------------------------


class Client:
    """One user's browser: a keep-alive connection and a cookie jar."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        hdrs = {"accept": "text/html,application/json", **(headers or {})}
        if self.cookies:
            hdrs["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # a keep-alive connection the server closed: once more
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
                continue
            for raw in resp.msg.get_all("set-cookie") or []:
                pair, _, attrs = raw.partition(";")
                name, _, value = pair.strip().partition("=")
                gone = "max-age=0" in attrs.lower().replace(" ", "") or not value.strip('"')
                if gone:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
            if resp.getheader("connection", "").lower() == "close":
                self.close()
            return resp.status, resp.msg, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


_CSRF = (
    re.compile(rb'name="csrf-token" content="([^"]+)"'),
    re.compile(rb'name="csrf" value="([^"]+)"'),
)


def _csrf(html: bytes) -> str:
    for pattern in _CSRF:
        found = pattern.search(html)
        if found:
            return found.group(1).decode()
    raise RuntimeError("no CSRF token in the page")


def sign_in(client: Client, login: str) -> str:
    """Through the login form, as a browser does; the session's CSRF token."""
    status, _, html = client.request("GET", "/login")
    if status != 200:
        raise RuntimeError(f"GET /login: {status}")
    form = urlencode({"login": login, "password": PASSWORD, "csrf": _csrf(html), "next": "/"})
    status, msg, _ = client.request(
        "POST",
        "/login",
        body=form.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    if status != 303:
        raise RuntimeError(f"sign-in of {login}: {status}")
    status, _, html = client.request("GET", msg.get("location", "/"))
    if status != 200:  # the landing page failed: the cashier page carries the token too
        print(f"landing page of {login}: {status}", file=sys.stderr, flush=True)
        status, _, html = client.request("GET", "/cashier")
        if status != 200:
            raise RuntimeError(f"no page with a CSRF token for {login}: {status}")
    return _csrf(html)


class Poller:
    """Sees each sale's movement row appear, read-only, from this process."""

    def __init__(self, db: str) -> None:
        self.conn = sqlite3.connect(
            f"file:{db}?mode=ro", uri=True, timeout=5, check_same_thread=False
        )
        self.pending: dict[str, tuple[int, float]] = {}  # idem key → (tenant, sent)
        self.seen: dict[str, float] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def watch(self, key: str, tenant: int, sent: float) -> None:
        with self.lock:
            self.pending[key] = (tenant, sent)

    def run(self) -> None:
        sql = (
            "SELECT 1 FROM movement WHERE tenant_id = ? AND idem_key >= ? AND idem_key < ? LIMIT 1"
        )
        while not self.stop.is_set() or self.pending:
            with self.lock:
                waiting = list(self.pending.items())
            now = time.monotonic()
            for key, (tenant, sent) in waiting:
                try:
                    found = self.conn.execute(
                        sql, (tenant, f"web:{key}#", f"web:{key}$")
                    ).fetchone()
                except sqlite3.Error:
                    found = None
                if found or now - sent > 60 or (self.stop.is_set() and now - sent > 10):
                    with self.lock:
                        self.pending.pop(key, None)
                    if found:
                        self.seen[key] = time.monotonic()
            time.sleep(0.005)
        self.conn.close()


def _browse(conf: dict[str, Any], who: dict[str, Any], i: int, t0: float, out: list[Any]) -> None:
    client: Client = who["client"]
    rng = random.Random(f"{conf['seed']}:browse:{i}")  # noqa: S311 - simulated members
    until = t0 + conf["browse_s"]
    think = conf["think"]
    kinds = list(PAGES)
    step = rng.randrange(len(kinds))
    time.sleep(rng.uniform(0, think))
    while time.monotonic() < until:
        kind = kinds[step % len(kinds)]
        step += 1
        headers: dict[str, str] = {}
        if kind == "/stock":
            path = "/stock?q=" + quote(rng.choice(who["terms"]))
            headers = {"hx-request": "true", "hx-current-url": f"http://{conf['host']}/"}
        elif kind == "/sku":
            path = "/sku/" + quote(rng.choice(who["skus"]), safe="")
        else:
            path = kind
        sent = time.monotonic()
        try:
            status, _, data = client.request("GET", path, headers=headers)
            size = len(data)
        except (OSError, http.client.HTTPException):
            status, size = 0, 0
        done = time.monotonic()
        out.append((sent, kind, status, (done - sent) * 1000, size))
        time.sleep(max(0.0, min(until - time.monotonic(), rng.uniform(0.5, 1.5) * think)))
    client.close()


def _sell(
    conf: dict[str, Any],
    who: dict[str, Any],
    i: int,
    t0: float,
    *,
    poller: Poller,
    out: list[Any],
) -> None:
    client: Client = who["client"]
    rng = random.Random(f"{conf['seed']}:sell:{i}")  # noqa: S311 - simulated cashiers
    until = t0 + conf["sell_s"]
    every = conf["sale_every"]
    time.sleep(rng.uniform(0, every))
    n = 0
    while time.monotonic() < until:
        n += 1
        key = f"bench-{i}-{n}-{secrets.token_hex(4)}"
        sku = rng.choice(who["skus"])
        body = json.dumps({"key": key, "items": [{"sku": sku, "qty": 1}], "channel": "cash"})
        headers = {"content-type": "application/json", "x-csrf-token": who["csrf"]}
        sent = time.monotonic()
        poller.watch(key, who["tenant_id"], sent)
        try:
            status, _, data = client.request(
                "POST", "/api/sales", body=body.encode(), headers=headers
            )
            answer = json.loads(data or b"{}").get("status", "") if status == 200 else ""
        except (OSError, http.client.HTTPException, ValueError):
            status, answer = 0, ""
        acked = time.monotonic()
        out.append((sent, acked, status, answer, key, who["tenant"], sku))
        next_at = sent + rng.uniform(0.5, 1.5) * every
        time.sleep(max(0.0, min(until - time.monotonic(), next_at - time.monotonic())))
    client.close()


def load_main(config: Path) -> None:
    """The load process: sign everyone in, say ``ready``, wait for ``go``, load, write."""
    conf = json.loads(config.read_text(encoding="utf-8"))
    host, port = conf["host"], conf["port"]
    people = conf["browsers"] + conf["cashiers"]
    t_login = time.monotonic()
    logins: list[float] = []
    lock = threading.Lock()

    def login(who: dict[str, Any]) -> None:
        who["client"] = Client(host, port)
        began = time.monotonic()
        who["csrf"] = sign_in(who["client"], who["login"])
        with lock:
            logins.append((time.monotonic() - began) * 1000)

    # a few at a time: sign-in verifies an argon2 hash (slow on purpose)
    chunks = [people[k : k + 4] for k in range(0, len(people), 4)]
    for chunk in chunks:
        threads = [threading.Thread(target=login, args=(w,)) for w in chunk]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    missing = [w["login"] for w in people if "csrf" not in w]
    if missing:
        raise SystemExit(f"could not sign in: {missing}")
    print(f"ready {time.monotonic() - t_login:.1f}", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    t0 = time.monotonic()
    cpu0 = time.process_time()
    poller = Poller(conf["db"])
    poll_thread = threading.Thread(target=poller.run, daemon=True)
    poll_thread.start()
    pages: list[Any] = []
    sales: list[Any] = []
    threads = [
        threading.Thread(target=_browse, args=(conf, w, i, t0, pages), daemon=True)
        for i, w in enumerate(conf["browsers"])
    ]
    threads += [
        threading.Thread(
            target=_sell,
            args=(conf, w, i, t0),
            kwargs={"poller": poller, "out": sales},
            daemon=True,
        )
        for i, w in enumerate(conf["cashiers"])
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    poller.stop.set()
    poll_thread.join(timeout=30)
    out = {
        "t0": t0,
        "cpu_s": time.process_time() - cpu0,
        "login_ms": logins,
        "pages": pages,
        "sales": sales,
        "seen": poller.seen,
    }
    Path(conf["out"]).write_text(json.dumps(out), encoding="utf-8")
    print("done", flush=True)


# -- the harness side of the load ------------------------------------------------------------


@dataclass
class Load:
    """The load process, seen from the harness."""

    proc: Any
    out: Path
    pid: int = 0
    login_s: float = 0.0
    cpu0: float = 0.0

    @classmethod
    def start(cls, conf: dict[str, Any], folder: Path) -> Load:
        config = folder / "load.json"
        config.write_text(json.dumps(conf), encoding="utf-8")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        with (folder / "load.log").open("w", encoding="utf-8") as log:
            proc = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--_load", str(config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=env,
                cwd=folder,
            )
        load = cls(proc, Path(conf["out"]), proc.pid)
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line.startswith("ready"):
            proc.kill()
            proc.wait()
            tail = (folder / "load.log").read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"the load process did not start ({folder}/load.log):\n{tail}")
        load.login_s = float(line.split()[1])
        return load

    def go(self) -> None:
        from propagation import CLK_TCK, cpu_ticks

        self.cpu0 = cpu_ticks(self.pid) / CLK_TCK
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def cpu(self) -> float:
        from propagation import CLK_TCK, cpu_ticks

        with contextlib.suppress(OSError):
            return cpu_ticks(self.pid) / CLK_TCK - self.cpu0
        return math.nan

    def finish(self, timeout: float) -> dict[str, Any]:
        line = self.proc.stdout.readline()  # "done" when it has written its results
        cpu = self.cpu()
        self.proc.stdin.close()
        self.proc.stdout.close()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if line.strip() != "done":
            raise RuntimeError("the load process ended without its results")
        res: dict[str, Any] = json.loads(self.out.read_text(encoding="utf-8"))
        res["proc_cpu_s"] = cpu
        return res

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(Exception):
                f.close()


# -- the cooperative ------------------------------------------------------------------------


@dataclass
class People:
    """Who uses the web app in phase B (logins, what they look at and sell)."""

    browsers: list[dict[str, Any]] = field(default_factory=list)
    cashiers: list[dict[str, Any]] = field(default_factory=list)


def add_people(world: Any, args: argparse.Namespace) -> People:
    """Web users in the template's database: an owner for each of the first ``browsers``
    members and a cashier for each of the first ``cashiers``."""
    from syncd import users
    from syncd.store import Store

    people = People()
    store = Store(world.db)
    try:
        ids = {str(r[0]): int(r[1]) for r in store.all("SELECT name, id FROM tenant")}
        for t in range(1, args.browsers + 1):
            cat = world.catalogues[t]
            tenant_id = ids[f"Anggota {t:04d}"]
            login = f"pemilik.a{t:04d}"
            users.add_user(store, login, PASSWORD, tenant_id=tenant_id, role="owner", actor="bench")
            codes = cat.sellable()
            terms = ["kue", "kopi", "paket", "KUE-0", "V1", *codes[:5]]
            people.browsers.append(
                {"login": login, "tenant": t, "tenant_id": tenant_id, "skus": codes, "terms": terms}
            )
        for t in range(1, args.cashiers + 1):
            cat = world.catalogues[t]
            tenant_id = ids[f"Anggota {t:04d}"]
            login = f"kasir.a{t:04d}"
            users.add_user(
                store, login, PASSWORD, tenant_id=tenant_id, role="cashier", actor="bench"
            )
            physical = [s for s in cat.stock if cat.stock[s] >= 10]  # never runs out here
            people.cashiers.append(
                {"login": login, "tenant": t, "tenant_id": tenant_id, "skus": physical}
            )
    finally:
        store.close()
    return people


def start_daemon(db: Path, folder: Path, args: argparse.Namespace, web: str | None) -> Any:
    """``syncd run`` as coop.py starts it, with ``--web`` in phase B."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    config = folder / "syncd.toml"
    config.write_text("", encoding="utf-8")
    cmd = [
        sys.executable, "-m", "syncd.cli", "--config", str(config), "--db", str(db), "run",
        "--workers", str(args.workers), "--poll-every", str(args.poll), "--log-format", "json",
    ]  # fmt: skip
    if web:
        cmd += ["--web", web]
    with (folder / "syncd.log").open("w", encoding="utf-8") as log:
        return subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd=folder
        )


def wait_web(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status < 500:
                    return
            finally:
                conn.close()
        time.sleep(0.1)
    raise RuntimeError(f"the web app did not answer on port {port}")


def profile(pid: int, seconds: float, out: Path) -> Any:
    """py-spy the daemon+web process (``.venv/bin/pip install py-spy``), or None."""
    spy = Path(sys.executable).with_name("py-spy")
    exe = str(spy) if spy.exists() else "py-spy"
    fmt_ = {".json": "speedscope", ".txt": "raw"}.get(out.suffix, "flamegraph")
    cmd = [exe, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))),
           "--rate", "50", "--nonblocking", "--format", fmt_, "--output", str(out)]  # fmt: skip
    try:
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        print(f"no profile: {exc}", flush=True)
        return None


def load_conf(port: int, db: Path, people: People, args: argparse.Namespace, out: Path) -> Any:
    """What the load process is told: whom to sign in, how long, how fast."""
    return {
        "host": "127.0.0.1",
        "port": port,
        "db": str(db),
        "seed": args.seed,
        "think": args.think,
        "sale_every": args.sale_every,
        "browse_s": args.duration + args.settle,  # members browse while the last orders settle
        "sell_s": args.duration,
        "browsers": people.browsers,
        "cashiers": people.cashiers,
        "out": str(out),
    }


@dataclass
class Ran:
    """What one phase recorded, before it is evaluated."""

    world: Any
    folder: Path
    orders: list[Any]
    rec: Any
    end: float
    backlog: list[tuple[float, int]]
    cpu: float
    harness: float
    busy: float
    hwm_mb: float | None
    code: int | None
    loaded: dict[str, Any] | None


def _stop_profile(spy: Any) -> None:
    try:
        _, err = spy.communicate(timeout=60)
        if spy.returncode:
            print(f"py-spy: {err.strip()[-500:]}", flush=True)
    except subprocess.TimeoutExpired:
        spy.kill()
        spy.communicate()


def drive_phase(
    phase: str,
    *,
    base: Any,
    intents: list[Any],
    people: People,
    args: argparse.Namespace,
    tmp: Path,
) -> Ran:
    """Run one phase on a clone of ``base``: the daemon (with the web app and its load in
    B), the buyers, and every number read from the processes."""
    import coop
    from cooplib.world import clone, go_live
    from propagation import CLK_TCK, cpu_ticks, memory_kb

    web = phase == "B"
    folder = tmp / phase
    folder.mkdir()
    world = clone(base, folder)
    port = free_port() if web else 0
    proc = start_daemon(world.db, folder, args, f"127.0.0.1:{port}" if web else None)
    load: Load | None = None
    spy = None
    try:
        accounts = len(world.shops)
        ready = coop.wait_ready(
            "syncd", [proc], world.db, folder, accounts=accounts, timeout=120 + accounts
        )
        said = f"[{phase}] daemon pid {proc.pid} ready after {ready:.0f} s"
        if web:
            wait_web(port, 30)
            load = Load.start(
                load_conf(port, world.db, people, args, folder / "load-out.json"), folder
            )
            said += f"; web on :{port}, {len(people.browsers) + len(people.cashiers)} users "
            said += f"signed in in {load.login_s:.0f} s"
        go_live(world)
        print(f"{said}; buyers for {args.duration:.0f} s (+{args.settle:.0f} s settle)", flush=True)
        if web and args.profile:
            spy = profile(proc.pid, args.duration, Path(args.profile))
        busy0, total0 = machine_ticks()
        cpu0 = cpu_ticks(proc.pid) / CLK_TCK
        harness0 = time.process_time()
        if load:
            load.go()
        orders, rec, end, backlog, _moves = coop.drive(world, intents, args)
        cpu = cpu_ticks(proc.pid) / CLK_TCK - cpu0
        busy1, total1 = machine_ticks()
        harness = time.process_time() - harness0
        hwm = memory_kb(proc.pid).get("VmHWM")
        loaded = load.finish(60) if load else None
        load = None
    finally:
        if load is not None:
            load.kill()
        if spy is not None:
            _stop_profile(spy)
        code = coop.stop_policy([proc])
        world.stop()
    print(f"[{phase}] stopped (exit {code}); evaluating …", flush=True)
    busy = 100 * (busy1 - busy0) / max(1, total1 - total0)
    return Ran(
        world, folder, orders, rec, end, backlog, cpu, harness, busy,
        hwm / 1024 if hwm else None, code, loaded,
    )  # fmt: skip


def run_phase(
    phase: str,
    *,
    base: Any,
    intents: list[Any],
    people: People,
    args: argparse.Namespace,
    tmp: Path,
) -> dict[str, Any]:
    """One phase, evaluated: propagation over the marketplace orders, and in B the web."""
    from cooplib import measure

    ran = drive_phase(phase, base=base, intents=intents, people=people, args=args, tmp=tmp)
    world, orders, market = ran.world, ran.orders, len(ran.orders)
    cash: list[Any] = []
    for sent, _acked, status, answer, _key, tenant, sku in (ran.loaded or {}).get("sales", []):
        if status == 200 and answer in ("recorded", "flagged"):  # a movement: the truth moved
            cash.append(measure.Order(tenant, "cash", sku, 1, sent - ran.rec.start, accepted=True))
    out = measure.evaluate(
        world.sellers(), world.listings, orders + cash, ran.rec.changes, end=ran.end
    )
    lat_market = [x for x, n in zip(out.latency, out.latency_order, strict=True) if n < market]
    lat_cash = [x for x, n in zip(out.latency, out.latency_order, strict=True) if n >= market]
    text = (ran.folder / "syncd.log").read_text(encoding="utf-8", errors="replace")
    res: dict[str, Any] = {
        "phase": phase,
        "web": ran.loaded is not None,
        "members": world.spec.tenants,
        "accounts": len(world.shops),
        "skus": world.spec.skus,
        "seconds": ran.end,
        "intents": len(intents),
        "accepted": sum(o.accepted for o in orders),
        "oversold_orders": out.oversold_orders,
        "propagation_s": stats(lat_market),
        "propagation_p99_ci": bootstrap(lat_market, 99, seed=args.seed),
        "propagation_all": lat_market,
        "cash_propagation_s": stats(lat_cash),
        "censored": out.censored,
        "daemon_cpu_s": ran.cpu,
        "daemon_cpu_pct": 100 * ran.cpu / ran.end,
        "daemon_hwm_mb": ran.hwm_mb,
        "harness_cpu_s": ran.harness,
        "machine_busy_pct": ran.busy,
        "cores": os.cpu_count(),
        "backlog_max": max((n for _, n in ran.backlog), default=0),
        "daemon_errors": text.count('"job.crashed"'),
        "web_errors": text.count("Traceback"),
        "exit": ran.code,
    }
    if ran.loaded is not None:
        res.update(web_numbers(ran.loaded, ran.end))
    return res


def web_numbers(loaded: dict[str, Any], seconds: float) -> dict[str, Any]:
    """Page and sale times from the load process's record."""
    pages = loaded["pages"]
    ok = [ms for _, _, status, ms, _ in pages if 200 <= status < 300]
    per_page: dict[str, Any] = {}
    for kind in PAGES:
        mine = [(status, ms, size) for _, k, status, ms, size in pages if k == kind]
        good = [ms for status, ms, _ in mine if 200 <= status < 300]
        codes: dict[str, int] = {}
        for status, _, _ in mine:
            codes[str(status)] = codes.get(str(status), 0) + 1
        per_page[kind] = {
            "ms": stats(good),
            "status": codes,
            "kb": (sum(size for s, _, size in mine if 200 <= s < 300) / len(good) / 1024)
            if good
            else math.nan,
        }
    sales = loaded["sales"]
    seen = loaded["seen"]
    ack = [(acked - sent) * 1000 for sent, acked, status, *_ in sales if status == 200]
    ledger = [(seen[key] - sent) * 1000 for sent, _, _, _, key, *_ in sales if key in seen]
    answers: dict[str, int] = {}
    for _, _, status, answer, *_ in sales:
        name = answer or f"http {status}"
        answers[name] = answers.get(name, 0) + 1
    return {
        "pages": len(pages),
        "pages_ok": len(ok),
        "pages_per_s": len(pages) / seconds if seconds else math.nan,
        "page_ms": stats(ok),
        "page_ms_all": stats([ms for _, _, _, ms, _ in pages]),
        "per_page": per_page,
        "sales": len(sales),
        "sale_answers": answers,
        "sale_ack_ms": stats(ack),
        "sale_ledger_ms": stats(ledger),
        "sales_unseen": len(sales) - len(ledger),
        "login_ms": stats(loaded["login_ms"]),
        "load_cpu_s": loaded["proc_cpu_s"],
    }


# -- report ------------------------------------------------------------------------------


COLUMNS = (  # header, width, cell
    ("phase", 12, lambda r: "A (no web)" if not r["web"] else "B (web load)"),
    ("pages", 6, lambda r: r.get("pages_ok", "-")),
    ("p50 ms", 6, lambda r: fmt(r["page_ms"]["p50"]) if r["web"] else "-"),
    ("p95 ms", 6, lambda r: fmt(r["page_ms"]["p95"]) if r["web"] else "-"),
    ("p99 ms", 6, lambda r: fmt(r["page_ms"]["p99"]) if r["web"] else "-"),
    ("sales", 5, lambda r: r.get("sales", "-")),
    ("ack p95", 7, lambda r: fmt(r["sale_ack_ms"]["p95"]) if r["web"] else "-"),
    ("ledger p95", 10, lambda r: fmt(r["sale_ledger_ms"]["p95"]) if r["web"] else "-"),
    ("orders", 6, lambda r: int(r["propagation_s"]["count"])),
    ("prop p50 s", 10, lambda r: fmt(r["propagation_s"]["p50"], 1)),
    ("prop p99 s", 10, lambda r: fmt(r["propagation_s"]["p99"], 1)),
    ("daemon CPU %", 12, lambda r: fmt(r["daemon_cpu_pct"])),
    ("machine %", 9, lambda r: fmt(r["machine_busy_pct"])),
)


def table(results: list[dict[str, Any]]) -> list[str]:
    head = " ".join(f"{h:>{w}}" if i else f"{h:<{w}}" for i, (h, w, _) in enumerate(COLUMNS))
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            " ".join(
                f"{cell(r)!s:>{w}}" if i else f"{cell(r)!s:<{w}}"
                for i, (_, w, cell) in enumerate(COLUMNS)
            )
        )
    return lines


NOTES = (
    "pages/p50…p99 ms: GETs answered 2xx, sent → answer read, in the load process",
    "ack: POST /api/sales sent → answer; ledger: sent → its movement row seen in the DB",
    "prop: marketplace order → every other affected listing shows the right value (s),",
    "  over the same seeded orders in both phases; daemon CPU: % of one core, the daemon's",
    "  process (with the web app in B); machine: all CPUs busy, other programs included",
)


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    first = results[0]
    print()
    print(
        f"Web under load beside the daemon: {first['members']} members × 3 shops × "
        f"{first['skus']} SKUs, {args.rate:g} orders/s for {args.duration:.0f} s "
        f"(+{args.settle:.0f} s settle) per phase, poll {args.poll:g} s, {args.workers} workers; "
        f"B: {args.browsers} members browsing (think ~{args.think:g} s), {args.cashiers} "
        f"cashiers (a sale ~every {args.sale_every:g} s); {first['cores']} cores, seed {args.seed}"
    )
    print("\n".join(table(results)))
    print("\n".join(NOTES))
    a = next((r for r in results if not r["web"]), None)
    b = next((r for r in results if r["web"]), None)
    if b is None:
        return
    print("per page (B):")
    for kind, p in b["per_page"].items():
        codes = ", ".join(f"{k}×{v}" for k, v in sorted(p["status"].items()))
        print(
            f"  {kind:9} p50 {fmt(p['ms']['p50']):>5} ms, p95 {fmt(p['ms']['p95']):>5} ms, "
            f"p99 {fmt(p['ms']['p99']):>5} ms, {fmt(p['kb'], 1):>5} kB; answers {codes}"
        )
    print(
        f"  sales: {', '.join(f'{k} {v}' for k, v in sorted(b['sale_answers'].items()))}; "
        f"ack p50 {fmt(b['sale_ack_ms']['p50'])} ms, p99 {fmt(b['sale_ack_ms']['p99'])} ms; "
        f"ledger p50 {fmt(b['sale_ledger_ms']['p50'])} ms, unseen {b['sales_unseen']}; "
        f"cash sale → all shops p50 {secs(b['cash_propagation_s']['p50'])}, "
        f"p99 {secs(b['cash_propagation_s']['p99'])}"
    )
    print(
        f"  CPU s: daemon+web {b['daemon_cpu_s']:.0f}"
        + (f" (A: daemon {a['daemon_cpu_s']:.0f})" if a else "")
        + f", load process {b['load_cpu_s']:.0f}, harness (simulators + buyers) "
        f"{b['harness_cpu_s']:.0f}; sign-in p50 {fmt(b['login_ms']['p50'])} ms"
    )
    print("Targets:")
    page95, ack95 = b["page_ms"]["p95"], b["sale_ack_ms"]["p95"]
    ok = _met(page95 < TARGET_PAGE_P95_MS)
    print(f"  p95 page {fmt(page95)} ms < {TARGET_PAGE_P95_MS:.0f} ms: {ok}")
    ok = _met(ack95 < TARGET_ACK_P95_MS)
    print(f"  p95 sale ack {fmt(ack95)} ms < {TARGET_ACK_P95_MS:.0f} ms: {ok}")
    if a is not None:
        pa, pb = a["propagation_s"]["p99"], b["propagation_s"]["p99"]
        ci_a, ci_b = a["propagation_p99_ci"], b["propagation_p99_ci"]
        if math.isfinite(pa) and math.isfinite(pb) and pa > 0:
            ratio = f"×{pb / pa:.2f}"
            verdict = _met(pb / pa <= TARGET_P99_RATIO)
        else:
            ratio, verdict = "×-", "not measured (orders not right by the end: a longer --settle)"
        print(
            f"  daemon p99 {secs(pb)} with web vs {secs(pa)} without "
            f"({ratio}) ≤ ×{TARGET_P99_RATIO:.2f}: {verdict}; "
            f"95 % bootstrap of p99: A {secs(ci_a[0])} to {secs(ci_a[1])}, "
            f"B {secs(ci_b[0])} to {secs(ci_b[1])}"
            + (
                " (they overlap: a difference within sampling noise)"
                if ci_a[0] <= ci_b[1] and ci_b[0] <= ci_a[1]
                else ""
            )
        )
    if b["pages_ok"] < b["pages"]:
        print(f"  note: {b['pages'] - b['pages_ok']} page requests were not answered 2xx (above)")


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


# -- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n", 2)[2],
    )
    parser.add_argument(
        "--members", type=int, help="members, 3 shops each (default 50; --quick 10)"
    )
    parser.add_argument("--skus", type=int, help="SKUs per member (default 100; --quick 20)")
    parser.add_argument(
        "--minutes", type=float, help="minutes of buyers per phase (default 4; --quick 1/3)"
    )
    parser.add_argument(
        "--rate", type=float, help="marketplace orders/s across the members (default 2; --quick 1)"
    )
    parser.add_argument(
        "--browsers", type=int, help="members browsing in phase B (default 50, at most --members)"
    )
    parser.add_argument(
        "--cashiers", type=int, help="cashiers recording sales in phase B (default 10; --quick 4)"
    )
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a member's pages")
    parser.add_argument(
        "--sale-every", type=float, default=3.0, help="seconds between a cashier's sales"
    )
    parser.add_argument(
        "--settle", type=float, help="seconds recorded after the buyers stop (poll + 5)"
    )
    parser.add_argument(
        "--poll", type=float, help="the daemon's order poll interval (default 10; --quick 2)"
    )
    parser.add_argument("--workers", type=int, default=64, help="the daemon's worker threads")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--phases", default="A,B", help="A (no web), B (web load), or both")
    parser.add_argument("--quick", action="store_true", help="a ~1 minute smoke run")
    parser.add_argument("--json", metavar="PATH", help="write every number here")
    parser.add_argument("--keep", metavar="DIR", help="keep databases and logs here (a new dir)")
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="py-spy the daemon+web process in B (.svg; .json speedscope; .txt collapsed)",
    )
    parser.add_argument("--_load", metavar="CONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    args.members = args.members or (10 if quick else 50)
    args.skus = args.skus or (20 if quick else 100)
    args.duration = 60.0 * args.minutes if args.minutes is not None else (20.0 if quick else 240.0)
    args.rate = args.rate or (1.0 if quick else 2.0)
    args.browsers = min(args.members, args.browsers if args.browsers is not None else 50)
    args.cashiers = min(
        args.members, args.cashiers if args.cashiers is not None else (4 if quick else 10)
    )
    args.poll = args.poll or (2.0 if quick else 10.0)
    args.settle = args.settle if args.settle is not None else args.poll + 5
    args.phases = [p.strip().upper() for p in args.phases.split(",") if p.strip()]
    if set(args.phases) - {"A", "B"} or not args.phases:
        parser.error("--phases: A, B or A,B")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args._load:
        load_main(Path(args._load))
        return
    import coop
    from cooplib.stream import generate
    from cooplib.world import LATENCY, Spec, catalogue

    from syncd.log import configure

    configure(level="warning")
    print(
        "latency per call (s): "
        + ", ".join(f"{m} {a:g}±{j:g}" for m, (a, j) in LATENCY.items() if m != "woocommerce")
        + f"; {os.cpu_count()} cores; load average now "
        + " ".join(f"{x:.1f}" for x in os.getloadavg()),
        flush=True,
    )
    spec = Spec(tenants=args.members, skus=args.skus, seed=args.seed)
    weights = {t: catalogue(spec, t).weights for t in range(1, args.members + 1)}
    intents = generate(weights, rate=args.rate, duration=args.duration, seed=args.seed)
    results = []
    with tempfile.TemporaryDirectory(prefix="syncd-web-", ignore_cleanup_errors=True) as tmp:
        where = Path(args.keep) if args.keep else Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        base = coop.template(spec, where)
        t_users = time.monotonic()
        people = add_people(base, args)
        print(
            f"{len(people.browsers)} owners and {len(people.cashiers)} cashiers added in "
            f"{time.monotonic() - t_users:.0f} s",
            flush=True,
        )
        for phase in args.phases:
            results.append(
                run_phase(phase, base=base, intents=intents, people=people, args=args, tmp=where)
            )
    report(results, args)
    if args.json:
        out = {"args": vars(args), "results": results}
        Path(args.json).write_text(json.dumps(coop._clean(out), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
