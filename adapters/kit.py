"""Shared plumbing for HTTP adapters: what every marketplace adapter built the same way.

An HTTP adapter subclasses :class:`HttpAdapter` and declares, instead of writing its
own ``create()``:

* ``settings_model`` (``syncd.adapter_settings``) and ``secret_names``;
* ``rate_limits``: the most calls per second its marketplace allows per app and per
  shop (a channel's ``app_rps``/``shop_rps`` settings override them);
* ``classify``: its error table's reading of an answer (``adapters/<name>/errors.py``);
* :meth:`HttpAdapter.endpoint` (the base URL for a channel's settings) and
  :meth:`HttpAdapter.signer` (its ``httpx.Auth``: request signing and tokens).

``create()`` then builds, once, the rate-limit buckets (shared by every channel of the
same app through the daemon's ``Limiter``), the retry policy from the settings, the
circuit breaker's wiring and the client, and hands the adapter its typed settings.
Retries and breaker flips are logged by ``syncd.http`` (``http.retry``,
``breaker.changed``).
"""

from __future__ import annotations

import abc
import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar

import httpx
from pydantic import ValidationError

from syncd.adapter import Adapter, AdapterContext, Credentials
from syncd.adapter_settings import AdapterSettings, AuthKind
from syncd.errors import MalformedResponse, Rejected
from syncd.http import ApiClient, CircuitBreaker, HttpPolicy, Limiter, bucket_for_limit

__all__ = [
    "MAX_PAGES",
    "ApiKeyAuth",
    "HttpAdapter",
    "RateLimits",
    "base64_hmac",
    "next_link",
    "next_page",
    "pages",
    "policy_of",
    "settings_of",
    "verify_base64_hmac",
]


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The most calls in any second a marketplace allows, per app and per shop (a
    conservative default where the marketplace documents none: say so where declared)."""

    app_rps: float
    shop_rps: float


def settings_of(cls: type[Adapter], ctx: AdapterContext) -> Any:
    """The channel's settings as the adapter's model reads them, or ``Rejected`` (code
    ``config``) naming the setting and the fix, never a traceback."""
    try:
        return cls.settings_model.model_validate(ctx.settings)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        name = ".".join(str(p) for p in error["loc"]) or "settings"
        raise Rejected(
            f"{cls.name}: channel setting {name}: {error['msg']} "
            f"(fix it with: syncd channel edit NAME --{name.replace('_', '-')} ...)",
            code="config",
        ) from None


def policy_of(settings: AdapterSettings) -> HttpPolicy:
    """The retry and timeout policy a channel's settings ask for."""
    return HttpPolicy(
        max_attempts=settings.max_attempts,
        max_elapsed=settings.max_elapsed,
        base_wait=settings.base_wait,
        max_wait=settings.max_wait,
        timeout=httpx.Timeout(settings.timeout, connect=min(5.0, settings.timeout)),
        deadline=settings.deadline,
        max_answer_bytes=settings.max_answer_bytes,
    )


class HttpAdapter(Adapter):
    """An adapter that speaks HTTP through one :class:`~syncd.http.ApiClient`."""

    rate_limits: ClassVar[RateLimits]

    @staticmethod
    @abc.abstractmethod
    def classify(response: httpx.Response) -> Any:
        """The marketplace's error table applied to an answer: the body, or the mapped
        error raised (declare it as ``classify = staticmethod(errors.classify)``)."""

    client: ApiClient

    def __init__(
        self, ctx: AdapterContext, client: ApiClient, settings: Any, auth: httpx.Auth
    ) -> None:
        super().__init__(ctx, client)
        self.settings = settings  # the channel's settings, typed by ``settings_model``
        self.http_auth = auth  # the signer the client uses

    @classmethod
    @abc.abstractmethod
    def endpoint(cls, settings: Any) -> str:
        """The base URL of the API for these settings (``base_url`` when set)."""

    @classmethod
    @abc.abstractmethod
    def signer(cls, ctx: AdapterContext, settings: Any, base_url: str) -> httpx.Auth:
        """How each request is signed and carries the shop's token."""

    @classmethod
    def app_id(cls, ctx: AdapterContext, settings: Any) -> str:
        """What tells the marketplace app apart (its rate limits are per app)."""
        return "app"

    @classmethod
    def create(
        cls,
        ctx: AdapterContext,
        *,
        limiter: Limiter,
        breaker: CircuitBreaker,
        transport: httpx.BaseTransport | None = None,
    ) -> Self:
        settings = settings_of(cls, ctx)
        base_url = cls.endpoint(settings)
        app = cls.app_id(ctx, settings)
        limits = cls.rate_limits
        app_bucket = bucket_for_limit(
            limiter, f"{cls.name}:app:{app}", settings.app_rps or limits.app_rps
        )
        shop_bucket = bucket_for_limit(
            limiter, f"{cls.name}:shop:{app}:{ctx.shop_id}", settings.shop_rps or limits.shop_rps
        )
        auth = cls.signer(ctx, settings, base_url)
        client = ApiClient(
            base_url,
            classify=cls.classify,
            auth=auth,
            buckets=(app_bucket, shop_bucket),
            pause_on_limit=(shop_bucket,),  # a Retry-After pauses this shop, not the app
            breaker=breaker,
            policy=policy_of(settings),
            transport=transport,
            marketplace=cls.name,  # the metrics' label, also for a third-party adapter
        )
        return cls(ctx, client, settings, auth)


class ApiKeyAuth:
    """Put before :class:`HttpAdapter` by an adapter whose shops give a static key
    (``auth_kind = "api_key"``): no authorization link, no code, nothing to refresh;
    the adapter writes only :meth:`~syncd.adapter.Adapter.verify`. ``title`` names the
    marketplace for people and ``key_help`` where the seller makes a key."""

    auth_kind: AuthKind = "api_key"
    title: ClassVar[str]
    key_help: ClassVar[str]

    def authorization_url(self, redirect: str) -> str:
        raise Rejected(
            f"{self.title}: no authorization link; the key is made in {self.key_help}",
            code="api_key",
        )

    def exchange_code(self, code: str) -> Credentials:
        raise Rejected(f"{self.title}: no authorization code (api_key)", code="api_key")

    def refresh(self, current: Credentials) -> Credentials:
        raise Rejected(f"{self.title}: keys are not refreshed (api_key)", code="api_key")


# -- paging ------------------------------------------------------------------------

#: More pages than this in one walk is a marketplace answering in circles, not a shop.
MAX_PAGES = 10_000

_Item = TypeVar("_Item")
_Token = TypeVar("_Token", int, str)


def pages(
    fetch: Callable[[_Token | None], tuple[Sequence[_Item], _Token | None]],
    *,
    source: str,
    max_pages: int = MAX_PAGES,
) -> Iterator[_Item]:
    """Every item of a paged listing, whatever the marketplace pages by: ``fetch(token)``
    returns one page's items and the token of the next page (None at the end), where a
    token is an offset (int), a cursor or page token (str) or a ``Link: rel="next"`` URL
    (str). A walk ends at an empty page too. It refuses, as a malformed answer
    (``code=paging``), a token already used (a page that does not move on would never
    end), an offset that goes backwards, and more than ``max_pages`` pages."""
    seen: set[_Token] = set()
    token: _Token | None = None
    for _ in range(max_pages):
        items, nxt = fetch(token)
        yield from items
        if nxt is None or nxt == "" or not items:
            return
        if nxt in seen or (isinstance(nxt, int) and isinstance(token, int) and nxt <= token):
            raise MalformedResponse(
                f"{source}: the next page ({str(nxt)[:40]}) was already read", code="paging"
            )
        seen.add(nxt)
        token = nxt
    raise MalformedResponse(f"{source}: more than {max_pages} pages", code="paging")


def next_page(current: str, nxt: str, *, source: str) -> str:
    """A persisted order cursor's next page token, refused when it does not move on."""
    if not nxt or nxt == current:
        raise MalformedResponse(f"{source}: more pages but no new page token", code="paging")
    return nxt


_LINK = re.compile(r'<([^>]*)>\s*((?:;\s*[a-zA-Z]+\s*=\s*"?[^";,]*"?\s*)*)')


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of an RFC 8288 ``Link`` header (WooCommerce, Shopify REST),
    or None."""
    for url, params in _LINK.findall(header or ""):
        rels = re.findall(r'rel\s*=\s*"?([^";,]*)"?', params)
        if any("next" in rel.split() for rel in rels):
            return str(url)
    return None


# -- webhook signatures ---------------------------------------------------------------


def base64_hmac(secret: str, body: bytes) -> str:
    """Base64 of the HMAC-SHA256 of a raw body: WooCommerce's ``X-WC-Webhook-Signature``
    and Shopify's ``X-Shopify-Hmac-Sha256`` (reference §4.4, §5.4; vectors in §7.4)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_base64_hmac(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is :func:`base64_hmac` of the raw ``body`` (constant time)."""
    if not header:
        return False
    return hmac.compare_digest(base64_hmac(secret, body), header.strip())
