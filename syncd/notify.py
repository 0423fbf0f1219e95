"""Notifications: tell a member what needs them, where they read it (apprise).

**Where** (``notify_target``): each target is an apprise URL (Telegram ``tgram://``, e-mail
``mailtos://``, WhatsApp ``whatsapp://``, a JSON webhook ``json://`` …) with a label and
the kinds it receives. The URL holds bot tokens and passwords, so it is sealed under the
tenant's data key (``credentials.seal_for``, label ``notify:<id>``), shown nowhere
(:func:`list_targets` gives label, kinds and scheme), registered with the log scrubber
whenever it is opened, and apprise's own log lines (and urllib3's) pass the scrubber too.

**What** (:func:`scan`, one write transaction): the ``event`` rows after
``notify_cursor`` (``stock.low``, ``account.needs_reauth``, ``auth.expiring`` at 14/3/1
days, ``sale.flagged``) and facts derived each time (a channel whose jobs have failed for
longer than ``[notify] failing_minutes``; a SKU sold below zero) become ``notification``
rows for every target that takes their kind, in Indonesian, each with the link to the
page that fixes it. No storms: one fact (its ``dedupe`` key, e.g. ``low:<sku>``) is told
at most once per 6 hours, and each target gets at most ``per_hour`` messages an hour;
the rest are kept with ``suppressed = 1`` and counted in the next daily digest (at
``digest_hour``, the seller's time zone, once a day). A derived fact that is still true
is not re-counted every minute: it is held back at most once an hour.

**Delivery** (:func:`deliver_due`): each due row is claimed (a short lease, so two
processes never send it twice), sent with apprise outside any write transaction (a slow
endpoint never holds the writer lock), and its result recorded. Failures are retried
after 1, 5, 30, 120 and 360 minutes; the sixth failure gives up (``failed_at`` and a
``notify.gave_up`` event). Connect and read timeouts are capped, a target that failed is
skipped for the rest of the round, and a round stops after a time budget.

:func:`tick` (the daemon's job, every minute, on its own thread) scans then delivers and
never raises: a notification can never block or stop the sync.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, unquote

import structlog

from syncd import audit, credentials, events
from syncd.errors import UserError
from syncd.i18n import t, use_lang
from syncd.localtime import show, until, zone
from syncd.log import REGISTRY, clean
from syncd.store import Store

if TYPE_CHECKING:
    from syncd.config import Settings

__all__ = [
    "BACKOFF",
    "KINDS",
    "MAX_ATTEMPTS",
    "LogLine",
    "Target",
    "Tick",
    "add_target",
    "deliver_due",
    "link_base",
    "list_targets",
    "log",
    "remove_target",
    "scan",
    "send_test",
    "tick",
]

_log = structlog.get_logger("syncd.notify")

#: what a target may receive (``--only``); ``*`` is everything
KINDS: Final = ("failing", "reauth", "expiring", "low_stock", "oversell", "digest")
ALL: Final = "*"
#: not counted against ``per_hour`` (the digest is where held-back messages are told)
_UNLIMITED: Final = ("digest", "test")
REPEAT: Final = dt.timedelta(hours=6)  # one fact is told at most once in this long
RATE_WINDOW: Final = dt.timedelta(hours=1)
BACKOFF: Final = tuple(dt.timedelta(minutes=m) for m in (1, 5, 30, 120, 360))
MAX_ATTEMPTS: Final = len(BACKOFF) + 1
LEASE: Final = dt.timedelta(minutes=2)  # a claimed row is due again if its sender died
CONNECT_TIMEOUT: Final = 5.0  # seconds, at most (a URL may ask for less)
READ_TIMEOUT: Final = 10.0
EVENTS_PER_SCAN: Final = 5000
SENDS_PER_ROUND: Final = 50
ROUND_BUDGET: Final = 20.0  # seconds of sending per round; the rest waits for the next
_LABEL_MAX: Final = 40
_PART: Final = re.compile(r"[^/:@?&=#+,;\s]+")  # the pieces of a URL that may be secrets
_SECRET_MIN: Final = 6


@dataclass(frozen=True, slots=True)
class Target:
    """A notification target as it may be shown: never its URL."""

    id: int
    label: str
    kinds: tuple[str, ...]
    scheme: str  # "" when the list was read without the vault
    created_at: str


@dataclass(frozen=True, slots=True)
class Tick:
    """What one :func:`tick` did."""

    queued: int = 0
    held: int = 0
    sent: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class LogLine:
    """One notification as ``syncd notify log`` shows it."""

    created_at: str
    label: str
    kind: str
    title: str
    state: str  # sent | waiting | failed | held
    attempts: int
    due_at: str
    sent_at: str | None
    error: str


@dataclass(frozen=True, slots=True)
class _Fact:
    """Something to tell a tenant. ``event``: told by an event (a repeat inside the
    6 hours is kept, suppressed); otherwise derived each scan (a repeat is dropped)."""

    tenant_id: int
    kind: str
    dedupe: str
    title: str
    body: str
    link: str
    event: bool


def _iso(at: dt.datetime) -> str:
    """The stored form of an instant (as ``catalog.now`` writes it: sorts as text)."""
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def _now(at: dt.datetime | None) -> dt.datetime:
    return dt.datetime.now(dt.UTC) if at is None else at


def link_base(settings: Settings) -> str:
    """The address members open: ``[web] public_url``, else ``http://<bind>``."""
    return (settings.web.public_url or f"http://{settings.web.bind}").rstrip("/")


# -- targets ---------------------------------------------------------------------------


def _label(label: str) -> str:
    text = label.strip()
    if not text or len(text) > _LABEL_MAX or any(c.isspace() for c in text):
        raise UserError("notify.bad_label", label=label, most=_LABEL_MAX)
    return text


def _kinds(kinds: Iterable[str]) -> str:
    """The ``kinds`` column: ``*`` or a comma list of known kinds."""
    chosen = [k.strip().lower() for k in kinds if k.strip()]
    if not chosen or ALL in chosen or "all" in chosen:
        return ALL
    for kind in chosen:
        if kind not in KINDS:
            raise UserError("notify.bad_kind", kind=kind, kinds=", ".join(KINDS))
    return ",".join(k for k in KINDS if k in chosen)


def _takes(kinds: str, kind: str) -> bool:
    return kinds == ALL or kind in kinds.split(",")


def add_target(
    store: Store,
    vault: credentials.Vault,
    tenant_id: int,
    label: str,
    url: str,
    *,
    kinds: Sequence[str] = (ALL,),
    actor: str,
) -> int:
    """Add a target (its URL checked by apprise, then sealed); returns its id. The first
    target starts the event cursor: what happened before it is not told."""
    name, wanted, address = _label(label), _kinds(kinds), url.strip()
    register(address)  # before apprise sees it: its refusal logs the URL it refused
    if _apprise(address) is None:
        raise UserError("notify.bad_url", label=name)
    with store.write():
        if _find(store, tenant_id, name) is not None:
            raise UserError("notify.label_taken", label=name)
        target_id = int(
            store.conn.execute(
                "INSERT INTO notify_target (tenant_id, label, blob, kinds, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (tenant_id, name, b"", wanted, _iso(dt.datetime.now(dt.UTC))),
            ).lastrowid
            or 0
        )
        blob = credentials.seal_for(
            store, vault, tenant_id, _secret_label(target_id), {"url": address}
        )
        store.conn.execute("UPDATE notify_target SET blob = ? WHERE id = ?", (blob, target_id))
        _start_cursor(store)
        audit.record_change(
            store, tenant_id, actor=actor, what="notify", subject=name, old=None, new=wanted
        )
    return target_id


def _secret_label(target_id: int) -> str:
    return f"notify:{target_id}"


def _find(store: Store, tenant_id: int, label: str) -> sqlite3.Row | None:
    return store.one(
        "SELECT id, label, kinds, blob, created_at FROM notify_target "
        "WHERE tenant_id = ? AND label = ?",
        (tenant_id, label.strip()),
    )


def _target(store: Store, tenant_id: int, label: str) -> sqlite3.Row:
    row = _find(store, tenant_id, label)
    if row is None:
        known = [
            r["label"]
            for r in store.all(
                "SELECT label FROM notify_target WHERE tenant_id = ? ORDER BY label", (tenant_id,)
            )
        ]
        raise UserError("notify.unknown_target", label=label, known=", ".join(known) or "-")
    return row


def list_targets(
    store: Store, tenant_id: int, *, vault: credentials.Vault | None = None
) -> list[Target]:
    """The tenant's targets: label, kinds and (with ``vault``) the URL's scheme only."""
    out = []
    for row in store.all(
        "SELECT id, label, kinds, blob, created_at FROM notify_target "
        "WHERE tenant_id = ? ORDER BY label",
        (tenant_id,),
    ):
        scheme = ""
        if vault is not None:
            try:
                scheme = _open(store, vault, tenant_id, row).split("://", 1)[0].lower()
            except UserError:
                scheme = "?"
        kinds = tuple(str(row["kinds"]).split(","))
        out.append(Target(row["id"], row["label"], kinds, scheme, row["created_at"]))
    return out


def remove_target(store: Store, tenant_id: int, label: str, *, actor: str) -> None:
    """Remove a target and its notifications."""
    with store.write():
        row = _target(store, tenant_id, label)
        store.conn.execute("DELETE FROM notification WHERE target_id = ?", (row["id"],))
        store.conn.execute("DELETE FROM notify_target WHERE id = ?", (row["id"],))
        audit.record_change(
            store,
            tenant_id,
            actor=actor,
            what="notify",
            subject=row["label"],
            old=row["kinds"],
            new=None,
        )


def _open(store: Store, vault: credentials.Vault, tenant_id: int, row: Any) -> str:
    """A target's URL (registered with the scrubber before it is returned)."""
    label = _secret_label(int(row["id"]))
    data = credentials.open_for(store, vault, tenant_id, label, bytes(row["blob"]))
    url = str(data["url"])
    register(url)
    return url


def register(url: str) -> None:
    """Mask ``url`` and its secret parts wherever they might be printed: the URL (plain
    and decoded) and every piece of it that apprise's own privacy form hides (a bot
    token, a password)."""
    for value in (url, unquote(url)):
        REGISTRY.add(value)
    shown = _private_form(url)
    if not shown:  # apprise cannot read it: it logs it whole (masked above) or masked
        return
    for part in _PART.findall(unquote(url)):
        if len(part) >= _SECRET_MIN and part not in shown:
            REGISTRY.add(part)


def _private_form(url: str) -> str:
    """What apprise shows of ``url`` when it hides secrets ("" when it cannot read it)."""
    ap = _apprise(url)
    if ap is None:
        return ""
    return " ".join(str(service.url(privacy=True)) for service in ap)


# -- apprise ---------------------------------------------------------------------------


class _Scrub(logging.Filter):
    """apprise and urllib3 log through stdlib logging: their lines are scrubbed too."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = clean(record.getMessage())
        record.args = None
        return True


def _scrub_library_logs() -> None:
    for name in ("apprise", "urllib3.connectionpool"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _Scrub) for f in logger.filters):
            logger.addFilter(_Scrub())


@functools.cache
def _library() -> Any:
    """apprise, its plugins loaded once. Loading them imports ``imghdr`` (through PGPy),
    which warns of its removal on Python 3.11 and 3.12: apprise's to fix, not a reason
    to fail, so that warning is silenced here only."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        import apprise  # noqa: PLC0415 - a cash sale must not pay for apprise
        from apprise import manager_plugins  # noqa: PLC0415

        plugins: Any = manager_plugins.NotificationManager  # a singleton; untyped
        plugins().load_modules()
    _scrub_library_logs()
    return apprise


def _apprise(url: str) -> Any:
    """An apprise object for ``url`` with small timeouts, or None when apprise refuses it."""
    ap = _library().Apprise()
    if not ap.add(url):
        return None
    for service in ap:
        service.socket_connect_timeout = min(service.socket_connect_timeout, CONNECT_TIMEOUT)
        service.socket_read_timeout = min(service.socket_read_timeout, READ_TIMEOUT)
    return ap


def _send(url: str, title: str, body: str) -> str | None:
    """Send one message; None when it arrived, else why not (scrubbed, English)."""
    ap = _apprise(url)
    if ap is None:
        return "the target's URL is not understood by apprise"
    try:
        result = ap.notify(title=title, body=body)
    except Exception as exc:  # noqa: BLE001 - a plugin's bug is a failed delivery, not a crash
        return clean(f"{type(exc).__name__}: {exc}")[:300]
    if result:
        return None
    lines = [
        str(entry.message).rstrip(". ")
        for entry in (result.logs() if hasattr(result, "logs") else ())
        if str(getattr(entry, "level", "")).upper() in ("WARNING", "ERROR", "CRITICAL")
    ]
    return clean("; ".join(lines))[:300] or "not delivered"


# -- producing -------------------------------------------------------------------------


def _start_cursor(store: Store) -> None:
    """Start reading events from now on (when no cursor exists yet). Inside ``write()``."""
    store.conn.execute(
        "INSERT INTO notify_cursor (id, event_id) "
        "SELECT 1, COALESCE(MAX(id), 0) FROM event WHERE 1 ON CONFLICT (id) DO NOTHING"
    )


def _targets(store: Store) -> dict[int, list[tuple[int, str]]]:
    """tenant → [(target id, kinds)]."""
    out: dict[int, list[tuple[int, str]]] = {}
    for row in store.all("SELECT id, tenant_id, kinds FROM notify_target ORDER BY id"):
        out.setdefault(int(row["tenant_id"]), []).append((int(row["id"]), str(row["kinds"])))
    return out


def scan(store: Store, settings: Settings, *, at: dt.datetime) -> Tick:
    """Turn new events and current facts into notifications (one write transaction)."""
    base = link_base(settings)
    with store.write(), use_lang("id"):
        targets = _targets(store)
        rows = _new_events(store, read=bool(targets))
        if not targets:
            return Tick()
        facts = [f for r in rows if r["tenant_id"] in targets for f in _from_event(r, base, at)]
        facts += _failing(store, list(targets), settings.notify.failing_minutes, at, base)
        facts += _oversold(store, list(targets), base)
        queued = held = 0
        for fact in facts:
            for target_id, kinds in targets[fact.tenant_id]:
                if _takes(kinds, fact.kind):
                    outcome = _enqueue(store, target_id, fact, settings.notify.per_hour, at)
                    queued += outcome == "queued"
                    held += outcome == "held"
        queued += _digests(store, targets, settings, at, base)
    return Tick(queued=queued, held=held)


def _new_events(store: Store, *, read: bool) -> list[sqlite3.Row]:
    """The events after the cursor that may be told (none unless ``read``: no target
    yet), and the cursor moved past them. Inside ``write()``: no event can be added
    meanwhile, so every event up to the newest has been seen."""
    _start_cursor(store)
    cursor = int(store.scalar("SELECT event_id FROM notify_cursor WHERE id = 1"))
    rows = store.all(
        "SELECT e.id, e.tenant_id, e.channel_account_id, e.at, e.kind, e.sku, e.data, "
        "c.name AS channel FROM event e "
        "LEFT JOIN channel_account c ON c.id = e.channel_account_id "
        f"WHERE e.id > ? AND e.kind IN ({_marks(list(_EVENT_FACTS))}) ORDER BY e.id LIMIT ?",
        (cursor, *_EVENT_FACTS, EVENTS_PER_SCAN if read else 0),
    )
    last = int(
        rows[-1]["id"]
        if len(rows) == EVENTS_PER_SCAN
        else store.scalar("SELECT COALESCE(MAX(id), 0) FROM event")
    )
    if last != cursor:
        store.conn.execute("UPDATE notify_cursor SET event_id = ? WHERE id = 1", (last,))
    return rows


def _data(row: Any) -> dict[str, Any]:
    try:
        data = json.loads(row["data"] or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _from_event(row: Any, base: str, at: dt.datetime) -> list[_Fact]:
    make = _EVENT_FACTS.get(str(row["kind"]))
    if make is None:
        return []
    try:
        return [make(row, _data(row), base, at)]
    except (KeyError, TypeError, ValueError):  # an older or newer shape of that event
        _log.warning("notify.event_unreadable", event=row["id"], kind=row["kind"])
        return []


def _sku_link(base: str, sku: str) -> str:
    return f"{base}/sku/{quote(sku, safe='')}"


def _low(row: Any, data: dict[str, Any], base: str, at: dt.datetime) -> _Fact:
    sku = str(row["sku"])
    return _fact(
        row["tenant_id"],
        "low_stock",
        f"low:{sku}",
        t("notify.low.title", sku=sku),
        t("notify.low.body", sku=sku, available=data["available"], threshold=data["threshold"]),
        link=_sku_link(base, sku),
        event=True,
    )


def _reauth(row: Any, data: dict[str, Any], base: str, at: dt.datetime) -> _Fact:
    name = str(row["channel"] or "?")
    return _fact(
        row["tenant_id"],
        "reauth",
        f"reauth:{row['channel_account_id']}",
        t("notify.reauth.title", channel=name),
        t("notify.reauth.body", channel=name),
        link=f"{base}/channels",
        event=True,
    )


def _expiring(row: Any, data: dict[str, Any], base: str, at: dt.datetime) -> _Fact:
    name, days = str(row["channel"] or "?"), int(data["days"])
    return _fact(
        row["tenant_id"],
        "expiring",
        f"expiring:{row['channel_account_id']}:{days}",
        t("notify.expiring.title", channel=name, days=days),
        t("notify.expiring.body", channel=name, when=until(data["expires"], at)),
        link=f"{base}/channels",
        event=True,
    )


def _flagged(row: Any, data: dict[str, Any], base: str, at: dt.datetime) -> _Fact:
    skus = [str(s) for s in data.get("skus") or ([row["sku"]] if row["sku"] else [])]
    held = data.get("status") == "held"
    return _fact(
        row["tenant_id"],
        "oversell",
        f"oversell:{skus[0]}" if skus else f"flagged:{row['id']}",
        t("notify.flagged.title", skus=", ".join(skus) or "-"),
        t("notify.flagged.held" if held else "notify.flagged.body", skus=", ".join(skus) or "-"),
        link=f"{base}/orders",
        event=True,
    )


_EVENT_FACTS: Final[dict[str, Callable[[Any, dict[str, Any], str, dt.datetime], _Fact]]] = {
    "stock.low": _low,
    "account.needs_reauth": _reauth,
    "auth.expiring": _expiring,
    "sale.flagged": _flagged,
}


def _fact(
    tenant_id: int, kind: str, dedupe: str, title: str, body: str, *, link: str, event: bool
) -> _Fact:
    """A fact whose body ends with the page that fixes it."""
    return _Fact(
        int(tenant_id), kind, dedupe, title, f"{body}\n{t('notify.open', link=link)}", link, event
    )


def _marks(ids: Sequence[object]) -> str:
    return ",".join("?" * len(ids))


def _failing(
    store: Store, tenants: list[int], minutes: int, at: dt.datetime, base: str
) -> list[_Fact]:
    """Channels whose jobs have been failing for longer than ``minutes`` (job_run)."""
    rows = store.all(
        # SQLite: with MIN(), the bare column comes from the row holding the minimum
        "SELECT c.id, c.tenant_id, c.name, MIN(j.failing_since) AS since, "
        "j.last_error AS error FROM job_run j "
        "JOIN channel_account c ON c.id = j.channel_account_id AND c.tenant_id = j.tenant_id "
        "WHERE j.failures > 0 AND j.failing_since IS NOT NULL AND c.removed_at IS NULL "
        f"AND c.paused_at IS NULL AND c.status = 'active' AND c.tenant_id IN ({_marks(tenants)}) "
        "GROUP BY c.id ORDER BY c.id",
        tenants,
    )
    out = []
    for row in rows:
        since = dt.datetime.fromisoformat(str(row["since"]))
        since = since if since.tzinfo else since.replace(tzinfo=dt.UTC)
        if at - since < dt.timedelta(minutes=minutes):
            continue
        out.append(
            _fact(
                row["tenant_id"],
                "failing",
                f"failing:{row['id']}",
                t("notify.failing.title", channel=row["name"]),
                t(
                    "notify.failing.body",
                    channel=row["name"],
                    since=show(since),
                    minutes=int((at - since).total_seconds() // 60),
                    error=clean(str(row["error"] or "-"))[:200],
                ),
                link=f"{base}/channels",
                event=False,
            )
        )
    return out


def _oversold(store: Store, tenants: list[int], base: str) -> list[_Fact]:
    """SKUs sold below zero (available = on hand − reserved < 0)."""
    rows = store.all(
        "SELECT b.tenant_id, s.sku, SUM(b.on_hand) - SUM(b.reserved) AS available "
        "FROM balance b JOIN sku s ON s.id = b.sku_id AND s.tenant_id = b.tenant_id "
        f"WHERE b.tenant_id IN ({_marks(tenants)}) GROUP BY b.sku_id HAVING available < 0 "
        "ORDER BY b.tenant_id, s.sku",
        tenants,
    )
    return [
        _fact(
            row["tenant_id"],
            "oversell",
            f"oversell:{row['sku']}",
            t("notify.oversell.title", sku=row["sku"]),
            t("notify.oversell.body", sku=row["sku"], available=row["available"]),
            link=f"{base}/orders",
            event=False,
        )
        for row in rows
    ]


def _enqueue(store: Store, target_id: int, fact: _Fact, per_hour: int, at: dt.datetime) -> str:
    """queued | held | skip (a derived fact already told or already held back)."""
    told = store.scalar(
        "SELECT 1 FROM notification WHERE tenant_id = ? AND dedupe = ? AND target_id = ? "
        "AND suppressed = 0 AND created_at > ? LIMIT 1",
        (fact.tenant_id, fact.dedupe, target_id, _iso(at - REPEAT)),
    )
    if told and not fact.event:
        return "skip"
    limited = (
        not told and fact.kind not in _UNLIMITED and _told_within(store, target_id, at) >= per_hour
    )
    if not told and not limited:
        _insert(store, target_id, fact, at, suppressed=False)
        return "queued"
    if not fact.event and store.scalar(
        "SELECT 1 FROM notification WHERE tenant_id = ? AND dedupe = ? AND target_id = ? "
        "AND suppressed = 1 AND created_at > ? LIMIT 1",
        (fact.tenant_id, fact.dedupe, target_id, _iso(at - RATE_WINDOW)),
    ):
        return "skip"
    _insert(store, target_id, fact, at, suppressed=True)
    return "held"


def _told_within(store: Store, target_id: int, at: dt.datetime) -> int:
    return int(
        store.scalar(
            "SELECT COUNT(*) FROM notification WHERE target_id = ? AND suppressed = 0 "
            f"AND kind NOT IN ({_marks(_UNLIMITED)}) AND created_at > ?",
            (target_id, *_UNLIMITED, _iso(at - RATE_WINDOW)),
        )
    )


def _insert(store: Store, target_id: int, fact: _Fact, at: dt.datetime, *, suppressed: bool) -> int:
    return int(
        store.conn.execute(
            "INSERT INTO notification (tenant_id, target_id, kind, dedupe, title, body, link, "
            "created_at, due_at, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                fact.tenant_id,
                target_id,
                fact.kind,
                fact.dedupe,
                fact.title,
                fact.body,
                fact.link,
                _iso(at),
                _iso(at),
                int(suppressed),
            ),
        ).lastrowid
        or 0
    )


# -- the daily digest ------------------------------------------------------------------


def _digests(
    store: Store,
    targets: dict[int, list[tuple[int, str]]],
    settings: Settings,
    at: dt.datetime,
    base: str,
) -> int:
    """Queue today's digest for every target that takes it, once, from ``digest_hour``."""
    local = at.astimezone(zone())
    if local.hour < settings.notify.digest_hour:
        return 0
    dedupe, made = f"digest:{local.date().isoformat()}", 0
    for tenant_id, own in targets.items():
        for target_id, kinds in own:
            if not _takes(kinds, "digest") or store.scalar(
                "SELECT 1 FROM notification WHERE tenant_id = ? AND dedupe = ? AND target_id = ?",
                (tenant_id, dedupe, target_id),
            ):
                continue
            fact = _digest(
                store,
                tenant_id=tenant_id,
                target_id=target_id,
                dedupe=dedupe,
                local=local,
                at=at,
                base=base,
            )
            _insert(store, target_id, fact, at, suppressed=False)
            store.conn.execute(  # the digest has told what it keeps: older rows can go
                "DELETE FROM notification WHERE target_id = ? AND created_at < ?",
                (target_id, _iso(at - dt.timedelta(days=settings.retention_days))),
            )
            made += 1
    return made


def _digest(
    store: Store,
    *,
    tenant_id: int,
    target_id: int,
    dedupe: str,
    local: dt.datetime,
    at: dt.datetime,
    base: str,
) -> _Fact:
    since = store.scalar(
        "SELECT MAX(created_at) FROM notification WHERE target_id = ? AND kind = 'digest'",
        (target_id,),
    ) or _iso(at - dt.timedelta(days=1))
    counts = store.all(
        "SELECT kind, suppressed, COUNT(*) AS n FROM notification WHERE target_id = ? "
        f"AND kind NOT IN ({_marks(_UNLIMITED)}) AND created_at > ? GROUP BY kind, suppressed",
        (target_id, *_UNLIMITED, since),
    )
    told = sum(int(r["n"]) for r in counts if not r["suppressed"])
    held = {str(r["kind"]): int(r["n"]) for r in counts if r["suppressed"]}
    lines = [t("notify.digest.told", count=told)]
    if held:
        kinds = ", ".join(f"{t(f'notify.kind.{k}')} {n}" for k, n in sorted(held.items()))
        lines.append(t("notify.digest.held", count=sum(held.values()), kinds=kinds))
    lines += _digest_now(store, tenant_id)
    return _fact(
        tenant_id,
        "digest",
        dedupe,
        t("notify.digest.title", date=local.strftime("%d/%m/%Y")),
        "\n".join(lines),
        link=f"{base}/",
        event=False,
    )


def _digest_now(store: Store, tenant_id: int) -> list[str]:
    """How things stand now: low stock, SKUs below zero, channels that need the seller."""
    low = int(
        store.scalar(
            "SELECT COUNT(*) FROM sku WHERE tenant_id = ? AND low_stock_at IS NOT NULL",
            (tenant_id,),
        )
    )
    below = int(
        store.scalar(
            "SELECT COUNT(*) FROM (SELECT sku_id FROM balance WHERE tenant_id = ? "
            "GROUP BY sku_id HAVING SUM(on_hand) - SUM(reserved) < 0)",
            (tenant_id,),
        )
    )
    reauth = int(
        store.scalar(
            "SELECT COUNT(*) FROM channel_account WHERE tenant_id = ? AND removed_at IS NULL "
            "AND status = 'needs_reauth'",
            (tenant_id,),
        )
    )
    failing = int(
        store.scalar(
            "SELECT COUNT(DISTINCT c.id) FROM channel_account c JOIN job_run j "
            "ON j.channel_account_id = c.id WHERE c.tenant_id = ? AND c.removed_at IS NULL "
            "AND c.paused_at IS NULL AND c.status = 'active' AND j.failures > 0",
            (tenant_id,),
        )
    )
    lines = [t("notify.digest.low", count=low)]
    if below:
        lines.append(t("notify.digest.below", count=below))
    if failing or reauth:
        lines.append(t("notify.digest.channels", failing=failing, reauth=reauth))
    else:
        lines.append(t("notify.digest.channels_ok"))
    return lines


# -- delivering ------------------------------------------------------------------------


def deliver_due(
    store: Store,
    vault: credentials.Vault,
    *,
    at: dt.datetime,
    limit: int = SENDS_PER_ROUND,
    budget: float = ROUND_BUDGET,
) -> tuple[int, int]:
    """Send what is due (each outside any write transaction); returns (sent, failed).

    A target that failed is not tried again in this round; the round ends after
    ``budget`` seconds (what is left stays due)."""
    sent = failed = 0
    dead: set[int] = set()
    started = time.monotonic()
    for row in store.all(
        "SELECT n.id, n.tenant_id, n.target_id, n.kind, n.title, n.body, n.attempts, n.due_at, "
        "t.label, t.blob FROM notification n JOIN notify_target t ON t.id = n.target_id "
        "WHERE n.sent_at IS NULL AND n.failed_at IS NULL AND n.suppressed = 0 "
        "AND n.due_at <= ? ORDER BY n.due_at, n.id LIMIT ?",
        (_iso(at), limit),
    ):
        if row["target_id"] in dead or time.monotonic() - started > budget:
            continue
        if not _claim(store, row, at):
            continue  # another process took it
        error = _attempt(store, vault, row)
        _record(store, row, at, error)
        if error is None:
            sent += 1
        else:
            failed += 1
            dead.add(row["target_id"])
    return sent, failed


def _claim(store: Store, row: Any, at: dt.datetime) -> bool:
    with store.write():
        return bool(
            store.conn.execute(
                "UPDATE notification SET due_at = ? WHERE id = ? AND due_at = ? "
                "AND sent_at IS NULL AND failed_at IS NULL",
                (_iso(at + LEASE), row["id"], row["due_at"]),
            ).rowcount
        )


def _attempt(store: Store, vault: credentials.Vault, row: Any) -> str | None:
    """Open the target's URL and send; None when it arrived, else why not."""
    try:
        url = _open(
            store, vault, int(row["tenant_id"]), {"id": row["target_id"], "blob": row["blob"]}
        )
    except Exception as exc:  # noqa: BLE001 - a wrong key or a damaged row: a failed attempt
        return clean(f"the target's URL does not open: {type(exc).__name__}: {exc}")[:300]
    return _send(url, str(row["title"]), str(row["body"]))


def _record(store: Store, row: Any, at: dt.datetime, error: str | None) -> None:
    attempts = int(row["attempts"]) + 1
    with store.write():
        if error is None:
            store.conn.execute(
                "UPDATE notification SET sent_at = ?, attempts = ?, last_error = '' WHERE id = ?",
                (_iso(at), attempts, row["id"]),
            )
            return
        _log.warning(
            "notify.failed", target=row["label"], kind=row["kind"], attempt=attempts, error=error
        )
        if attempts < MAX_ATTEMPTS:
            store.conn.execute(
                "UPDATE notification SET due_at = ?, attempts = ?, last_error = ? WHERE id = ?",
                (_iso(at + BACKOFF[attempts - 1]), attempts, error, row["id"]),
            )
            return
        store.conn.execute(
            "UPDATE notification SET failed_at = ?, attempts = ?, last_error = ? WHERE id = ?",
            (_iso(at), attempts, error, row["id"]),
        )
        events.record(
            store,
            "notify.gave_up",
            f"notification {row['kind']} to {row['label']} given up after {attempts} "
            f"attempts: {error}",
            level="error",
            tenant_id=int(row["tenant_id"]),
            label=row["label"],
            attempts=attempts,
            error=error,
        )


def send_test(
    store: Store,
    vault: credentials.Vault,
    tenant_id: int,
    label: str,
    settings: Settings,
    *,
    at: dt.datetime | None = None,
) -> str | None:
    """Send one test message to a target now; None when it arrived, else why not (kept
    in the log; a test is not retried)."""
    when = _now(at)
    row = _target(store, tenant_id, label)
    url = _open(store, vault, tenant_id, row)
    with use_lang("id"):
        fact = _fact(
            tenant_id,
            "test",
            f"test:{_iso(when)}",
            t("notify.test.title"),
            t("notify.test.body", label=row["label"]),
            link=f"{link_base(settings)}/",
            event=False,
        )
    error = _send(url, fact.title, fact.body)
    with store.write():
        ident = _insert(store, int(row["id"]), fact, when, suppressed=False)
        store.conn.execute(
            f"UPDATE notification SET attempts = 1, {'failed_at' if error else 'sent_at'} = ?, "
            "last_error = ? WHERE id = ?",
            (_iso(when), error or "", ident),
        )
    return error


# -- the daemon's job and the log --------------------------------------------------------


def tick(
    store: Store, vault: credentials.Vault, settings: Settings, *, at: dt.datetime | None = None
) -> Tick:
    """Scan, then deliver. Never raises: what fails is logged and recorded."""
    when = _now(at)
    scanned = Tick()
    try:
        scanned = scan(store, settings, at=when)
    except Exception as exc:  # noqa: BLE001 - a notification must never stop the sync
        _failed(store, "scan", exc)
    sent = failed = 0
    try:
        sent, failed = deliver_due(store, vault, at=when)
    except Exception as exc:  # noqa: BLE001
        _failed(store, "deliver", exc)
    done = Tick(scanned.queued, scanned.held, sent, failed)
    if done != Tick():
        _log.info("notify.tick", queued=done.queued, held=done.held, sent=sent, failed=failed)
    return done


def _failed(store: Store, step: str, exc: Exception) -> None:
    message = clean(f"{type(exc).__name__}: {exc}")
    _log.error("notify.crashed", step=step, error=message)
    try:
        events.record(
            store,
            "notify.error",
            f"notifications ({step}) failed: {message}",
            level="error",
            step=step,
            error=message,
        )
    except Exception as again:  # noqa: BLE001 - the store itself may be what failed
        _log.error("notify.unrecorded", error=clean(f"{type(again).__name__}: {again}"))


def log(store: Store, tenant_id: int, *, since: str, limit: int = 200) -> list[LogLine]:
    """The tenant's notifications created since ``since`` (ISO UTC), newest first."""
    rows = store.all(
        "SELECT n.*, t.label FROM notification n JOIN notify_target t ON t.id = n.target_id "
        "WHERE n.tenant_id = ? AND n.created_at >= ? ORDER BY n.created_at DESC, n.id DESC "
        "LIMIT ?",
        (tenant_id, since, limit),
    )
    return [
        LogLine(
            r["created_at"],
            r["label"],
            r["kind"],
            r["title"],
            _state(r),
            int(r["attempts"]),
            r["due_at"],
            r["sent_at"],
            r["last_error"],
        )
        for r in rows
    ]


def _state(row: Any) -> str:
    if row["suppressed"]:
        return "held"
    if row["sent_at"]:
        return "sent"
    return "failed" if row["failed_at"] else "waiting"
