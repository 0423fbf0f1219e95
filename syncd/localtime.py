"""Time as the seller lives it: one tenant time zone for every time shown or typed.

syncd stores every instant as ISO 8601 UTC text (it sorts as text). The seller
never sees UTC: every time printed goes through :func:`show` and every time typed
(``--since``, ``--integration-start``) through :func:`parse`, both in one zone:

1. ``SYNCD_TZ`` (environment), else
2. ``timezone = "..."`` in the config file, else
3. ``Asia/Jakarta`` (WIB).

The CLI calls :func:`set_zone` once per process; commands print :func:`label`
once (a heading or a line) so the seller knows which clock the numbers follow.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo
from typing import Final

from syncd.errors import UserError
from syncd.i18n import t

__all__ = ["DEFAULT_ZONE", "label", "parse", "set_zone", "show", "until", "zone"]

DEFAULT_ZONE: Final = "Asia/Jakarta"
ENV: Final = "SYNCD_TZ"

_zone: zoneinfo.ZoneInfo | None = None

_DURATION = re.compile(r"(\d+)\s*([smhd])", re.IGNORECASE)
_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
#: day-first dates as Indonesians write them: 01/12/2026, 1-12-2026 06:49
_DAY_FIRST = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?"
)


def _load(name: str, source: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise UserError("time.bad_zone", name=name, source=source) from None


def set_zone(name: str | None, *, source: str = "timezone") -> None:
    """Choose this process's zone: ``SYNCD_TZ``, else ``name``, else Asia/Jakarta.

    ``source`` says where ``name`` came from (e.g. ``syncd.toml: timezone``) so a
    bad name is reported at the place the seller can fix it.
    """
    global _zone  # noqa: PLW0603 - one process, one seller's clock
    env = os.environ.get(ENV, "").strip()
    chosen, where = (env, ENV) if env else (name or "", source)
    _zone = _load(chosen, where) if chosen.strip() else None


def zone() -> zoneinfo.ZoneInfo:
    """The zone in force (Asia/Jakarta unless set)."""
    if _zone is not None:
        return _zone
    env = os.environ.get(ENV, "").strip()
    return _load(env, ENV) if env else zoneinfo.ZoneInfo(DEFAULT_ZONE)


def _instant(value: str | dt.datetime) -> dt.datetime:
    """A stored ISO text (UTC when it names no offset) or a datetime → aware datetime."""
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value.strip())
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def show(value: str | dt.datetime | None, *, seconds: bool = False) -> str:
    """``2026-12-01T06:49:00+00:00`` → ``2026-12-01 13:49`` in the seller's zone."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "-"
    try:
        when = _instant(value)
    except ValueError:
        return str(value)  # not a time after all: show it as it is rather than fail
    return when.astimezone(zone()).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _offset(when: dt.datetime) -> str:
    delta = when.utcoffset() or dt.timedelta(0)
    sign = "-" if delta < dt.timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def label(now: dt.datetime | None = None, *, short: bool = False) -> str:
    """The zone as the seller knows it: ``WIB (Asia/Jakarta)``; ``short``: ``WIB``.

    A zone without letters of its own (tzdata writes ``+04``) reads ``UTC+04:00``.
    """
    z = zone()
    local = (now or dt.datetime.now(dt.UTC)).astimezone(z)
    abbrev = local.tzname() or ""
    shown = abbrev if abbrev.isalpha() else _offset(local)
    return shown if short or shown == z.key else f"{shown} ({z.key})"


def parse(text: str, now: dt.datetime | None = None) -> str:
    """What a seller types → ISO UTC text.

    Accepted: a duration back from now (``30m``, ``2h``, ``1d``); an ISO date or
    date and time (``2026-12-01``, ``2026-12-01T06:49``, ``2026-12-01 06:49``),
    read in the seller's zone unless it names its own offset (``…+08:00``, ``…Z``);
    a day-first date (``01/12/2026``, ``01/12/2026 06:49``), in the seller's zone.
    """
    value = text.strip()
    now = now or dt.datetime.now(dt.UTC)
    if match := _DURATION.fullmatch(value):
        delta = dt.timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
        return (now - delta).astimezone(dt.UTC).isoformat(timespec="seconds")
    when = _read(value)
    if when is None:
        raise UserError("time.bad", value=text, zone=label())
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone())
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def _read(value: str) -> dt.datetime | None:
    if match := _DAY_FIRST.fullmatch(value):
        day, month, year, hour, minute, second = match.groups()
        try:
            return dt.datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None


def until(value: str | dt.datetime | None, now: dt.datetime | None = None) -> str:
    """An expiry as the seller reads it: ``12 Des 2026 (dalam 11 hari)``, ``… (sudah lewat)``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "-"
    try:
        when = _instant(value).astimezone(zone())
    except ValueError:
        return str(value)
    current = (now or dt.datetime.now(dt.UTC)).astimezone(zone())
    months = t("time.months").split()
    date = f"{when.day} {months[when.month - 1]} {when.year}"
    if when <= current:
        return t("time.expired", date=date)
    days = (when.date() - current.date()).days
    if days == 0:
        return t("time.today", date=date)
    if days == 1:
        return t("time.tomorrow", date=date)
    return t("time.in_days", date=date, days=days)
