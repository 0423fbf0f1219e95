"""What an adapter declares about its channels' settings, secrets and authorization.

An adapter class carries three declarations (see ``syncd.adapter.Adapter``):

* ``settings_model``: a pydantic model, a subclass of :class:`AdapterSettings`, with one
  field per setting a channel of that marketplace has (never a secret). A field becomes an
  option of ``channel add`` and ``channel edit`` (``partner_id`` → ``--partner-id``), its
  help comes from the field (``help=`` in :func:`setting`), and a channel is validated
  against the model before anything is stored.
* ``secret_names``: the app secrets it needs, by their marketplace's own names
  (``partner_key``, ``app_secret``, ``consumer_secret``, ``client_secret``…).
* ``auth``: how a shop is authorized (:data:`AuthKind`): ``channel connect`` and the
  daemon's refresh job follow it; nothing assumes an authorization code.

The core CLI has no marketplace-specific flags: they all come from here.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["CODELESS", "LOOPBACK", "MARKETPLACE_NAME", "AdapterSettings", "AuthKind", "setting"]

#: A channel's marketplace, and an adapter's registry name, is such a name (``shopee``,
#: ``tokopedia``, ``manual``…); which ones can be added comes from the adapter registry
#: alone (``adapters.marketplaces()``).
MARKETPLACE_NAME = r"^[a-z][a-z0-9_]{1,39}$"

#: Hosts a plain-http address may name (tests, the simulators, a store on this machine).
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

#: How a shop gives syncd access:
#: ``oauth_refresh``: the seller authorizes once (a code), then tokens are refreshed
#: (Shopee, Lazada, TikTok, Shopify app installs);
#: ``client_credentials``: syncd asks for a short-lived token with the app's own secret and
#: asks again when it expires (Shopify merchant-owned apps);
#: ``api_key``: a static key and secret, nothing to refresh (WooCommerce).
AuthKind = Literal["oauth_refresh", "client_credentials", "api_key"]
#: The kinds a shop is connected with no link and no code: ``channel connect`` calls the
#: adapter's ``verify`` (check the key, or ask for the first token) instead.
CODELESS: frozenset[str] = frozenset({"api_key", "client_credentials"})


def setting(
    default: Any = None,
    *,
    help: tuple[str, str] | str,
    required: bool = False,
    ask: bool = False,
    choices: tuple[str, ...] | None = None,
    advanced: bool = False,
) -> Any:
    """A settings field: ``help`` is (Indonesian, English) or a catalogue key; ``required``
    fields must be there for the adapter to run at all; ``ask`` ones must be given at
    ``channel add`` although the shop runs without them (TikTok's service id: only the
    consent link needs it); ``advanced`` ones are set with ``--setting`` (retry and timeout
    knobs) rather than an option of their own."""
    extra: dict[str, Any] = {"help": help, "advanced": advanced, "ask": ask}
    if choices:
        extra["choices"] = list(choices)
    if required:
        return Field(..., json_schema_extra=extra)
    return Field(default, json_schema_extra=extra)


class AdapterSettings(BaseModel):
    """Settings every HTTP adapter's channels share; an adapter's model adds its own.

    Values arrive as text from the command line (``--setting timeout=5``), so numbers
    are read leniently; unknown keys are refused by :func:`syncd.channel_options.check`
    when a channel is added or edited, and ignored at run time (an old setting never stops
    a shop)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    base_url: str | None = setting(
        help="help.base_url",
    )
    app_rps: float | None = setting(
        help=(
            "panggilan/detik maksimum untuk seluruh aplikasi",
            "most calls per second, whole app",
        ),
        advanced=True,
    )
    shop_rps: float | None = setting(
        help=("panggilan/detik maksimum per toko", "most calls per second, per shop"),
        advanced=True,
    )
    timeout: float = setting(
        15.0, help=("batas waktu baca (detik)", "read timeout (s)"), advanced=True
    )
    deadline: float = setting(
        30.0, help=("batas waktu satu panggilan (detik)", "deadline per call (s)"), advanced=True
    )
    max_attempts: int = setting(
        5, help=("percobaan per panggilan", "attempts per call"), advanced=True
    )
    max_elapsed: float = setting(
        60.0,
        help=("batas waktu semua percobaan (detik)", "time for all attempts (s)"),
        advanced=True,
    )
    base_wait: float = setting(
        0.5, help=("jeda awal coba lagi", "first retry wait (s)"), advanced=True
    )
    max_wait: float = setting(
        30.0, help=("jeda coba lagi maksimum", "longest retry wait (s)"), advanced=True
    )
    max_answer_bytes: int = setting(
        8 * 1024 * 1024, help=("ukuran jawaban maksimum", "largest answer (bytes)"), advanced=True
    )
    breaker_threshold: int = setting(
        5, help=("gagal berturut sebelum berhenti", "failures before calls stop"), advanced=True
    )
    breaker_reset_after: float = setting(
        60.0, help=("jeda sebelum mencoba lagi (detik)", "pause before a probe (s)"), advanced=True
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = value.strip().rstrip("/")
        if not text.startswith(("http://", "https://")) or " " in text:
            raise ValueError("not an http:// or https:// address")
        return text

    @staticmethod
    def https_unless_loopback(value: str | None, example: str) -> str:
        """An ``https://`` address (``http://`` only on this machine): a store reached
        with a key or token in every request must not get it in clear. ``example`` is
        the address to show in the message. Returns it without a trailing slash."""
        text = AdapterSettings._http_url(value)
        if text is None:
            raise ValueError(f"the store's address is required ({example})")
        parts = urlsplit(text)
        if parts.scheme != "https" and (parts.hostname or "") not in LOOPBACK:
            raise ValueError(f"plain http:// sends the key in clear: use {example}")
        return text

    @field_validator(
        "timeout",
        "deadline",
        "max_elapsed",
        "max_wait",
        "breaker_reset_after",
        "app_rps",
        "shop_rps",
    )
    @classmethod
    def _positive(cls, value: float | None) -> float | None:
        if value is not None and not value > 0:
            raise ValueError("must be more than 0")
        return value

    @field_validator("max_attempts", "max_answer_bytes", "breaker_threshold")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be 1 or more")
        return value
