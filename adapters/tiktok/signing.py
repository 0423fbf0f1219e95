"""TikTok Shop request signing (reference §3.3, vectors §7.3).

The signed string is the request path, then every query parameter except
``sign`` and ``access_token`` sorted by key as ``key + value`` (decoded values),
then the body exactly as sent (unless the request is ``multipart/form-data``).
It is wrapped as ``app_secret + string + app_secret`` and signed with
HMAC-SHA256 keyed with the app secret, lowercase hex, sent as the ``sign`` query
parameter. The access token travels in the ``x-tts-access-token`` header and
is never signed. Token calls on the auth host are not signed at all.

A key sent more than once (``ids=2&ids=1``) is written once, followed by all its
values in the order sent joined with ``,`` (``ids2,1``). §3.3 is silent on repeated
keys; this is what TikTok's official Go SDK does (Partner Center download,
``sdk_golang/apis/client.go`` ``calSign``), and it signs ``ids=2&ids=1`` exactly as
the SDK's own wire form ``ids=2,1``. UNCONFIRMED: how the live server treats a key
repeated on the wire (the SDK always sends one comma-joined value). Every
occurrence is sent and signed; none is dropped.

Serialize once, sign those bytes, send those bytes (§3.9 #4): the httpx
``Auth`` below signs ``request.content``, the very bytes that go on the wire.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence

import httpx

from syncd.errors import NeedsReauth

__all__ = [
    "EXCLUDED_PARAMS",
    "TOKEN_PATH_PREFIX",
    "Params",
    "TikTokAuth",
    "TokenSource",
    "needs_shop_cipher",
    "sign",
    "string_to_sign",
    "webhook_signature",
]

#: Query parameters left out of the signature (§3.3 step 1).
EXCLUDED_PARAMS = frozenset({"sign", "access_token"})
#: Token exchange and refresh on the auth host: unsigned, app secret in the query (§3.2).
TOKEN_PATH_PREFIX = "/api/v2/token/"  # noqa: S105 - a path, not a secret
#: Path prefixes of APIs that are not shop-scoped and refuse a ``shop_cipher`` (§3.9 #7).
NOT_SHOP_SCOPED = ("/authorization/",)
ACCESS_HEADER = "x-tts-access-token"


def needs_shop_cipher(path: str) -> bool:
    """Whether the API at ``path`` is shop-scoped (takes ``shop_cipher``)."""
    return not path.startswith(NOT_SHOP_SCOPED) and not path.startswith(TOKEN_PATH_PREFIX)


#: Query parameters to sign: ``(key, value)`` pairs in the order sent (a key may repeat),
#: ``httpx.QueryParams``, or a mapping whose value is one string or the key's values in order.
Params = Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]]


def _values_by_key(params: Params) -> dict[str, list[str]]:
    """Every value of every key, in the order sent; no occurrence is dropped."""
    pairs: Iterable[tuple[str, str]]
    if isinstance(params, httpx.QueryParams):
        pairs = params.multi_items()  # its ``[key]`` would give the first value only
    elif isinstance(params, Mapping):
        pairs = [(k, v) for k, vs in params.items() for v in ((vs,) if isinstance(vs, str) else vs)]
    else:
        pairs = params
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def string_to_sign(path: str, params: Params, body: bytes = b"") -> bytes:
    """``path + k1v1k2v2… + body`` (unwrapped), keys sorted, ``sign``/``access_token`` left out.

    A repeated key is written once with its values joined by ``,`` in the order sent
    (official Go SDK ``calSign``; UNCONFIRMED against the live server, see above).
    """
    grouped = _values_by_key(params)
    pairs = "".join(
        key + ",".join(grouped[key]) for key in sorted(grouped) if key not in EXCLUDED_PARAMS
    )
    return (path + pairs).encode() + body


def sign(app_secret: str, path: str, params: Params, body: bytes = b"") -> str:
    """Lowercase hex HMAC-SHA256 of the secret-wrapped string, keyed with the app secret."""
    key = app_secret.encode()
    return hmac.new(key, key + string_to_sign(path, params, body) + key, hashlib.sha256).hexdigest()


def webhook_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """The ``Authorization`` header of a webhook: hex HMAC-SHA256(app_secret, app_key + raw body).

    UNCONFIRMED (§3.6): not in vendor text; three independent community SDKs agree.
    """
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


class TokenSource:
    """The access token and shop cipher the signer uses, read fresh for every request.

    ``override`` lends a token to the current thread only: right after a code
    exchange the new token is not stored yet, but the authorized-shops call needs it.
    """

    def __init__(
        self,
        token: Callable[[], str | None],
        cipher: Callable[[], str | None],
    ) -> None:
        self._token = token
        self._cipher = cipher
        self._local = threading.local()

    def token(self) -> str | None:
        lent: str | None = getattr(self._local, "token", None)
        return lent if lent is not None else self._token()

    def cipher(self) -> str | None:
        return self._cipher()

    def lend(self, token: str) -> _Lent:
        """``with source.lend(token): …`` signs this thread's calls with ``token``."""
        return _Lent(self._local, token)


class _Lent:
    def __init__(self, local: threading.local, token: str) -> None:
        self._local, self._token = local, token

    def __enter__(self) -> None:
        self._local.token = self._token

    def __exit__(self, *exc: object) -> None:
        self._local.token = None


class TikTokAuth(httpx.Auth):
    """Adds ``app_key``, ``timestamp``, ``shop_cipher`` (shop APIs), the token and ``sign``."""

    requires_request_body = True

    def __init__(
        self,
        app_key: str,
        app_secret: str,
        source: TokenSource,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app_key = app_key
        self._secret = app_secret
        self._source = source
        self._clock = clock

    @property
    def source(self) -> TokenSource:
        """Where the token and shop cipher come from (``lend`` a token through it)."""
        return self._source

    def __repr__(self) -> str:
        return f"TikTokAuth(app_key={self._app_key}, secret=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        path = request.url.path
        if path.startswith(TOKEN_PATH_PREFIX):
            yield request
            return
        ours = {"app_key": self._app_key, "timestamp": str(int(self._clock()))}
        if needs_shop_cipher(path):
            cipher = self._source.cipher()
            if not cipher:
                raise NeedsReauth(
                    "TikTok: no shop_cipher stored for this shop; connect it again",
                    code="no_shop_cipher",
                )
            ours["shop_cipher"] = cipher
        token = self._source.token()
        if token:
            request.headers[ACCESS_HEADER] = token
        content_type = request.headers.setdefault("content-type", "application/json")
        body = b"" if content_type.startswith("multipart/form-data") else request.content
        # Every occurrence of the caller's keys in the order given (never a dict: it keeps
        # one value per key), then ours; all of them are signed and sent.
        kept = [(k, v) for k, v in request.url.params.multi_items() if k not in {*ours, "sign"}]
        params = [*kept, *ours.items()]
        params.append(("sign", sign(self._secret, path, params, body)))
        request.url = request.url.copy_with(params=httpx.QueryParams(tuple(params)))
        yield request
