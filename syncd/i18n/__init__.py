"""The one message catalogue for seller-facing text.

Every string a seller reads comes from here, in Indonesian (default) and
English. Messages live in per-area modules (``core``, ``cli``, ``rules``, ``sync``) that are
merged into one catalogue; code refers to messages only by key.

The language is chosen once per process: ``set_lang()`` (the CLI's
``--lang``), else ``SYNCD_LANG``, else Indonesian.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import string
from collections.abc import Iterator
from typing import Final, Literal

from syncd.i18n import (
    audit,
    channels,
    cli,
    core,
    drift,
    horizon,
    importing,
    lanes,
    notify,
    orders,
    returns,
    rules,
    safety,
    secrets,
    sync,
    tryout,
    users,
    web,
    web_member,
    web_operator,
    webhooks,
    words,
)

Lang = Literal["id", "en"]
LANGS: Final[tuple[Lang, ...]] = ("id", "en")

CATALOGUE: Final[dict[str, tuple[str, str]]] = {}
for _part in (
    core.MESSAGES,
    cli.MESSAGES,
    rules.MESSAGES,
    sync.MESSAGES,
    importing.MESSAGES,
    channels.MESSAGES,
    returns.MESSAGES,
    orders.MESSAGES,
    audit.MESSAGES,
    drift.MESSAGES,
    horizon.MESSAGES,
    safety.MESSAGES,
    tryout.MESSAGES,
    words.MESSAGES,
    web.MESSAGES,
    web_member.MESSAGES,
    web_operator.MESSAGES,
    webhooks.MESSAGES,
    lanes.MESSAGES,
    users.MESSAGES,
    notify.MESSAGES,
    secrets.MESSAGES,
):
    _dupes = CATALOGUE.keys() & _part.keys()
    if _dupes:  # pragma: no cover - caught by the catalogue test at import time
        raise RuntimeError(f"duplicate message keys: {sorted(_dupes)}")
    CATALOGUE.update(_part)

_lang: Lang | None = None
#: the language of one web request (each request may ask for its own; see ``use_lang``)
_request_lang: contextvars.ContextVar[Lang | None] = contextvars.ContextVar("lang", default=None)


@contextlib.contextmanager
def use_lang(lang: str) -> Iterator[None]:
    """Render in ``lang`` inside this block only (a web request's own language)."""
    token = _request_lang.set(_check(lang))
    try:
        yield
    finally:
        _request_lang.reset(token)


def set_lang(lang: str | None) -> None:
    """Choose the language for this process (``None`` falls back to SYNCD_LANG)."""
    global _lang  # noqa: PLW0603 - one process, one language
    _lang = _check(lang) if lang else None


def get_lang() -> Lang:
    """The language in force: a request's ``use_lang``, else set_lang(), else SYNCD_LANG,
    else Indonesian."""
    if (asked := _request_lang.get()) is not None:
        return asked
    if _lang is not None:
        return _lang
    env = os.environ.get("SYNCD_LANG", "").strip().lower()
    return _check(env) if env else "id"


def _check(lang: str) -> Lang:
    low = lang.strip().lower()
    if low in ("id", "en"):
        return "id" if low == "id" else "en"
    raise ValueError(f"unknown language {lang!r}: use 'id' (Bahasa Indonesia) or 'en' (English)")


def t(key: str, /, **params: object) -> str:
    """Render message ``key`` in the current language with ``params``."""
    text = CATALOGUE[key][0 if get_lang() == "id" else 1]
    return text.format(**params) if params else text


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in a catalogue text (used by tests)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def rupiah(amount: int) -> str:
    """Format a rupiah amount the way the seller reads it: ``Rp 25.000`` / ``Rp 25,000``."""
    sep = "." if get_lang() == "id" else ","
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", sep)
