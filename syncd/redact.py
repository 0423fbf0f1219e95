"""Keep secrets out of logs, error messages and tracebacks.

Marketplaces put tokens and signatures in query strings (Shopee, Lazada) and in
headers (TikTok Shop), so every URL or free text that may reach a log goes
through :func:`scrub` first. Values the daemon loads are registered in a
:class:`SecretRegistry` so they are masked wherever they turn up.
"""

from __future__ import annotations

import hmac
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote

__all__ = [
    "MASK",
    "SECRET_PARAMS",
    "Secret",
    "SecretRegistry",
    "redact_url",
    "scrub",
]

MASK = "***"

#: Query parameters (and JSON keys) whose values are secrets; matched case-insensitively.
SECRET_PARAMS = frozenset(
    {
        "access_token",
        "auth_code",  # TikTok Shop sends it in the query string
        "refresh_token",
        "sign",
        "signature",
        "code",
        "partner_key",
        "app_secret",
        "client_secret",
        "consumer_secret",  # WooCommerce's query-parameter fallback (§4.1)
        "password",
        "token",
        "authorization",
    }
)

#: Shortest literal secret that :func:`scrub` replaces; shorter ones are common words.
MIN_SECRET_LEN = 6

_NAMES = "|".join(sorted(SECRET_PARAMS - {"code"}, key=len, reverse=True))
_KEYS = rf"(?:{_NAMES}|x-tts-access-token)"
_VALUE = r"[^&#\s'\"<>]*"
# ``code=`` is only a secret in query position (OAuth redirect), not in prose like "code=500".
_QUERY_RE = re.compile(rf"(?i)([?&;](?:{_NAMES}|code)=){_VALUE}")
_TEXT_RE = re.compile(rf"(?i)((?<![\w.-])(?:{_NAMES})=){_VALUE}")
# JSON or Python-repr pairs, plain or backslash-escaped (JSON inside a JSON string).
# "code" is left alone here: it is the marketplaces' error-code field.
_PAIR_RE = re.compile(rf"""(?i)(["']{_KEYS}["']\s*:\s*)(["'])(?:\\.|(?!\2)[^\\])*\2?""")
_ESCAPED_PAIR_RE = re.compile(rf"""(?i)((\\["']){_KEYS}\2\s*:\s*\2)(?:(?!\2).)*""")
_HEADER_RE = re.compile(r"(?i)(\b(?:authorization|x-tts-access-token)\s*:[ \t]*)[^\r\n\"'\\]+")


def redact_url(url: str) -> str:
    """Return ``url`` with the values of secret query parameters replaced by ``***``."""
    return _QUERY_RE.sub(rf"\g<1>{MASK}", url)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask secret query params, auth headers, JSON secret pairs and literal ``secrets``."""
    return _replace_literals(_scrub_patterns(text), _prepare(secrets))


def _scrub_patterns(text: str) -> str:
    text = _PAIR_RE.sub(rf"\g<1>\g<2>{MASK}\g<2>", text)
    text = _ESCAPED_PAIR_RE.sub(rf"\g<1>{MASK}", text)
    text = _HEADER_RE.sub(rf"\g<1>{MASK}", text)
    text = _QUERY_RE.sub(rf"\g<1>{MASK}", text)
    return _TEXT_RE.sub(rf"\g<1>{MASK}", text)


def _prepare(secrets: Iterable[str]) -> tuple[str, ...]:
    """Long-enough secrets plus their URL-encoded forms, longest first."""
    values = {s for s in secrets if len(s) >= MIN_SECRET_LEN}
    values |= {quote(s, safe="") for s in values}
    return tuple(sorted(values, key=len, reverse=True))


def _replace_literals(text: str, prepared: tuple[str, ...]) -> str:
    for value in prepared:
        text = text.replace(value, MASK)
    return text


class SecretRegistry:
    """A thread-safe set of the secret values currently loaded by the daemon."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._prepared: tuple[str, ...] | None = ()  # None: rebuild on the next scrub

    def add(self, value: str | Secret) -> None:
        """Register a secret; values shorter than ``MIN_SECRET_LEN`` are never scrubbed."""
        with self._lock:
            self._values.add(_raw(value))
            self._prepared = None

    def discard(self, value: str | Secret) -> None:
        """Forget a retired secret (e.g. a rotated token) so the set does not grow forever."""
        with self._lock:
            self._values.discard(_raw(value))
            self._prepared = None

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def scrub(self, text: str) -> str:
        """:func:`scrub` with every registered secret."""
        with self._lock:
            if self._prepared is None:
                self._prepared = _prepare(self._values)
            prepared = self._prepared
        return _replace_literals(_scrub_patterns(text), prepared)


class Secret:
    """Holds a secret value; ``str``, ``repr`` and f-strings show ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself; call only where it is sent or signed."""
        return self._value

    def __repr__(self) -> str:
        return MASK

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


def _raw(value: str | Secret) -> str:
    return value.reveal() if isinstance(value, Secret) else value
