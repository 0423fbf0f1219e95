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
    index = _LiteralIndex()
    for value in secrets:
        index.add(value)
    return index.mask(_scrub_patterns(text))


#: Every pattern match contains one of these (lowercased): a cheap test that skips the
#: five regex passes for a text that names no secret parameter or header.
_CLUES = tuple(
    sorted(
        {"secret"}
        | {
            n
            for n in SECRET_PARAMS | {"x-tts-access-token"}
            if "secret" not in n and not any(o != n and o in n for o in SECRET_PARAMS)
        }
    )
)


def _may_match(text: str) -> bool:
    if "=" not in text and ":" not in text:  # every pattern needs one of them
        return False
    if not text.isascii():  # (?i) also folds e.g. U+017F to "s": let the patterns decide
        return True
    lowered = text.lower()
    return any(clue in lowered for clue in _CLUES)


def _scrub_patterns(text: str) -> str:
    if not _may_match(text):
        return text
    text = _PAIR_RE.sub(rf"\g<1>\g<2>{MASK}\g<2>", text)
    text = _ESCAPED_PAIR_RE.sub(rf"\g<1>{MASK}", text)
    text = _HEADER_RE.sub(rf"\g<1>{MASK}", text)
    text = _QUERY_RE.sub(rf"\g<1>{MASK}", text)
    return _TEXT_RE.sub(rf"\g<1>{MASK}", text)


def _forms(value: str) -> set[str]:
    """The literal forms of a secret that are masked: itself and its URL-encoded form."""
    if len(value) < MIN_SECRET_LEN:
        return set()
    return {value, quote(value, safe="")}


class _LiteralIndex:
    """Finds every registered literal in a text at a cost that does not grow with their number.

    Each literal is filed under its last ``MIN_SECRET_LEN`` characters (its *key*;
    the tail, because token formats share prefixes such as ``shpat_`` or ``cs_``,
    not suffixes). A scan reads every window of that width in the text once and
    looks it up in one dict: O(len(text)) set lookups whatever the number of
    secrets, and only a key that matches costs a comparison with the few literals
    filed under it. A secret inside a longer token is found like any other, and a
    text shorter than the shortest literal is not scanned at all.

    Occurrences that overlap are masked as one block (``***``), so no part of any
    secret survives, even where two secrets overlap.
    """

    __slots__ = ("_by_key", "_distinct", "_forms", "_lengths", "scans")

    def __init__(self) -> None:
        #: key -> {literal: number of registered values that produce it}
        self._by_key: dict[str, dict[str, int]] = {}
        self._forms: dict[str, set[str]] = {}  # registered value -> its literal forms
        self._lengths: dict[int, int] = {}  # literal length -> how many literals have it
        self._distinct = 0  # distinct literals
        #: texts actually scanned (not skipped as too short or with nothing registered)
        self.scans = 0

    def __len__(self) -> int:
        return len(self._forms)

    @property
    def shortest(self) -> int:
        """Length of the shortest literal (0 when none is registered)."""
        return min(self._lengths, default=0)

    def add(self, value: str) -> None:
        if value in self._forms:
            return
        forms = _forms(value)
        self._forms[value] = forms
        for form in forms:
            bucket = self._by_key.setdefault(form[-MIN_SECRET_LEN:], {})
            count = bucket.get(form, 0)
            bucket[form] = count + 1
            if not count:
                self._lengths[len(form)] = self._lengths.get(len(form), 0) + 1
                self._distinct += 1

    def discard(self, value: str) -> None:
        for form in self._forms.pop(value, ()):
            key = form[-MIN_SECRET_LEN:]
            bucket = self._by_key[key]
            count = bucket.pop(form) - 1
            if count:
                bucket[form] = count
                continue
            if not bucket:
                del self._by_key[key]
            self._distinct -= 1
            left = self._lengths.pop(len(form)) - 1
            if left:
                self._lengths[len(form)] = left

    def mask(self, text: str) -> str:
        """``text`` with every occurrence of every literal replaced by ``***``."""
        shortest = self.shortest
        if not shortest or len(text) < shortest:
            return text
        self.scans += 1
        spans = self._few_spans(text) if self._distinct <= _FEW else self._spans(text)
        if not spans:
            return text
        spans.sort()
        parts: list[str] = []
        done = 0  # text[:done] is already in parts
        block_start, block_end = spans[0]
        for start, end in spans[1:]:
            if start < block_end:  # overlaps the current block: one mask for both
                block_end = max(block_end, end)
                continue
            parts += (text[done:block_start], MASK)
            done = block_end
            block_start, block_end = start, end
        parts += (text[done:block_start], MASK, text[block_end:])
        return "".join(parts)


    def _spans(self, text: str) -> list[tuple[int, int]]:
        """Every occurrence, by one lookup per window: O(len(text))."""
        by_key = self._by_key
        width = MIN_SECRET_LEN
        ends = [i + width for i in range(len(text) - width + 1) if text[i : i + width] in by_key]
        spans: list[tuple[int, int]] = []
        for end in ends:
            for literal in by_key[text[end - width : end]]:
                start = end - len(literal)
                if start >= 0 and text.startswith(literal, start):
                    spans.append((start, end))
        return spans

    def _few_spans(self, text: str) -> list[tuple[int, int]]:
        """Every occurrence, by ``str.find`` per literal: cheaper while there are few."""
        spans: list[tuple[int, int]] = []
        for bucket in self._by_key.values():
            for literal in bucket:
                start = text.find(literal)
                while start >= 0:
                    spans.append((start, start + len(literal)))
                    start = text.find(literal, start + 1)
        return spans


#: Up to this many literals a ``str.find`` each costs less than the window scan
#: (bench/floor.py); above it the cost stays that of the scan, whatever their number.
_FEW = 48


class SecretRegistry:
    """A thread-safe set of the secret values currently loaded by the daemon.

    Adding or retiring a value updates the index in O(1); a scrub costs
    O(len(text)) whatever the number of values (see :class:`_LiteralIndex`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index = _LiteralIndex()

    def add(self, value: str | Secret) -> None:
        """Register a secret; values shorter than ``MIN_SECRET_LEN`` are never scrubbed."""
        with self._lock:
            self._index.add(_raw(value))

    def discard(self, value: str | Secret) -> None:
        """Forget a retired secret (e.g. a rotated token) so the set does not grow forever."""
        with self._lock:
            self._index.discard(_raw(value))

    def __len__(self) -> int:
        with self._lock:
            return len(self._index)

    @property
    def scans(self) -> int:
        """How many texts were scanned for literals (short texts are skipped, not counted)."""
        return self._index.scans

    def scrub(self, text: str) -> str:
        """:func:`scrub` with every registered secret."""
        text = _scrub_patterns(text)
        with self._lock:  # the scan is short and the index must not change under it
            return self._index.mask(text)


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
