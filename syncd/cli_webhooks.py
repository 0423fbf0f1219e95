"""``syncd webhooks``: receive marketplace webhooks without the web app, and
``syncd webhooks setup NAME [--register]``: what to configure where, per marketplace,
and with ``--register`` the subscription made through the API where the marketplace
allows it (TikTok, WooCommerce, Shopify; Shopee and Lazada: console only).

The receiver (``syncd.webhooks``) only writes the durable inbox; the daemon (``syncd run``)
drains it and pulls the woken shops, so this process and the daemon may run apart, over
the same database. When the web app runs (``syncd web`` / ``syncd run --web``) it serves
the same ``POST /webhooks/<marketplace>`` routes and this command is not needed.
"""

from __future__ import annotations

import argparse
import secrets as random_secrets
import threading
from pathlib import Path
from typing import Any, Final

from syncd.cli_base import Context, add_command, open_vault
from syncd.i18n import t

__all__ = ["commands", "webhook_url"]

#: marketplaces whose API can register a subscription (``setup NAME --register``)
_API: Final = {
    "tiktok": "PUT /event/202309/webhooks",
    "woocommerce": "POST /wp-json/wc/v3/webhooks",
    "shopify": "webhookSubscriptionCreate",
}


def webhook_url(base: str, marketplace: str) -> str:
    """The address a marketplace delivers to: ``<base>/webhooks/<family>``."""
    from syncd.catalog import marketplace_family  # noqa: PLC0415

    return f"{base.rstrip('/')}/webhooks/{marketplace_family(marketplace)}"


class _Stores:
    """One Store per server thread (Starlette's pool), all closed at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def __call__(self) -> Any:
        from syncd.store import Store  # noqa: PLC0415

        found = getattr(self._local, "store", None)
        if found is None:
            found = Store(self.path, create=False)
            self._local.store = found
            with self._lock:
                self._all.append(found)
        return found

    def close(self) -> None:
        with self._lock:
            stores, self._all = self._all, []
        for s in stores:
            s.close()


def app(db_path: Path, settings: Any) -> tuple[Any, _Stores]:
    """The standalone ASGI app: only the webhook routes."""
    from starlette.applications import Starlette  # noqa: PLC0415

    from syncd.credentials import Vault, load_key  # noqa: PLC0415
    from syncd.web.webhook_routes import routes  # noqa: PLC0415

    stores = _Stores(db_path)

    def vault() -> Vault:
        return Vault(load_key(db_path, settings.master_key, create=False))

    return Starlette(routes=routes(stores, vault, public_url=settings.web.public_url)), stores


def cmd_webhooks(ctx: Context, args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only when serving

    from syncd.web.app import split_bind  # noqa: PLC0415

    path = ctx.store.path  # an existing database only
    ctx.close()
    bind = args.bind or ctx.settings.web.bind
    host, port = split_bind(bind)
    served, stores = app(path, ctx.settings)
    config = uvicorn.Config(
        served,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_keep_alive=30,
        server_header=False,
    )
    ctx.print(t("webhooks.serving", url=ctx.settings.web.public_url or f"http://{bind}"))
    try:
        uvicorn.Server(config).run()  # in this thread: uvicorn handles Ctrl-C and SIGTERM
    finally:
        stores.close()
    return 0


def cmd_setup(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import webhooks  # noqa: PLC0415
    from syncd.catalog import get_channel, marketplace_family  # noqa: PLC0415

    channel = get_channel(ctx.store, ctx.tenant().id, args.channel)
    family = marketplace_family(channel.marketplace)
    if family not in webhooks.MARKETPLACES:
        ctx.print(t("webhooks.none", marketplace=channel.marketplace, channel=channel.name))
        return 0
    base = args.url or ctx.settings.web.public_url or f"http://{ctx.settings.web.bind}"
    url = webhook_url(base, channel.marketplace)
    ctx.print(t("webhooks.url", channel=channel.name, marketplace=channel.marketplace, url=url))
    if not url.startswith("https://"):
        ctx.print(t("webhooks.not_https"))
    if args.register and family in _API:
        made = family == "woocommerce" and _woo_secret(
            ctx, channel, new=args.new_secret, show=False
        )
        _register(ctx, channel, url)
        if made:
            ctx.print(t("webhooks.woo_secret_made", channel=channel.name))
        ctx.print(t("webhooks.poll_stays"))
        return 0
    if args.register:  # Shopee, Lazada: no API for it
        ctx.print(t("webhooks.console_only", marketplace=channel.marketplace))
    ctx.print("", t(f"webhooks.steps.{family}"))
    if family == "woocommerce":
        _woo_secret(ctx, channel, new=args.new_secret)
    if family in _API:
        ctx.print(t("webhooks.can_register", how=_API[family], channel=channel.name))
    ctx.print(t("webhooks.poll_stays"))
    return 0


def _register(ctx: Context, channel: Any, url: str) -> None:
    """Subscribe the channel's shop to its order webhooks at ``url`` through the
    marketplace's API (``Adapter.register_webhooks``: idempotent), and say per topic
    what was created, moved or kept. A refusal is one catalogue line naming the channel
    and the fix; nothing is paused (the daemon judges the channel's access itself)."""
    from syncd import sync  # noqa: PLC0415 - the engine only for commands that call a shop
    from syncd.errors import AdapterError, NeedsReauth, Retryable, UserError  # noqa: PLC0415
    from syncd.log import clean  # noqa: PLC0415

    account = sync.load_account(ctx.store, channel.id)
    if account is None:
        raise UserError("connect.no_adapter", marketplace=channel.marketplace)
    rt = sync.build_runtime(ctx.store, open_vault(ctx), account)
    adapter: Any = rt.adapter
    try:
        if not getattr(adapter, "registers_webhooks", False):
            raise UserError("webhooks.console_only", marketplace=channel.marketplace)
        if rt.tokens is None:  # never connected (a key is checked and kept on connect)
            raise UserError("webhooks.not_connected", channel=channel.name)
        sync.refresh_tokens(ctx.store, rt)
        done = adapter.register_webhooks(url)
    except Retryable as exc:  # down, slow, or the wrong address
        raise UserError("connect.unreachable", name=channel.name, error=exc.code or exc) from None
    except NeedsReauth as exc:
        error = clean(str(exc))[:300]
        raise UserError(
            "webhooks.register_refused_auth", channel=channel.name, error=error
        ) from None
    except AdapterError as exc:
        error = clean(str(exc))[:300]
        raise UserError(
            "webhooks.register_refused",
            channel=channel.name,
            marketplace=channel.marketplace,
            error=error,
        ) from None
    finally:
        if rt.adapter is not None:
            rt.adapter.close()
    for entry in done:
        state, _, topic = entry.partition(":")
        ctx.print(t(f"webhooks.registered.{state}", topic=topic))
    ctx.print(t("webhooks.registered_done", channel=channel.name, url=url))


def _woo_secret(ctx: Context, channel: Any, *, new: bool, show: bool = True) -> bool:
    """A WooCommerce channel's webhook secret: made when missing or asked (True), and
    shown once (``show``: the seller types it in the store's admin) or handed to the
    store through the API (``--register``: never shown, the caller says so)."""
    from syncd import credentials, webhooks  # noqa: PLC0415

    tenant = ctx.tenant().id
    vault = open_vault(ctx)
    sealed = credentials.load(ctx.store, vault, tenant, channel.id)
    if sealed.app.get(webhooks.WEBHOOK_SECRET) and not new:
        if show:
            ctx.print(t("webhooks.woo_secret_kept", channel=channel.name))
        return False
    # letters and digits only: WooCommerce decodes HTML entities in secrets (reference §4.4)
    secret = random_secrets.token_hex(24)
    app = {**sealed.app, webhooks.WEBHOOK_SECRET: secret}
    credentials.save(ctx.store, vault, tenant, channel.id, app=app)
    if show:
        ctx.print(t("webhooks.woo_secret_new", channel=channel.name, secret=secret))
    return True


def commands(sub: Any, channel: Any) -> None:
    """``syncd webhooks [--bind HOST:PORT]`` and ``syncd webhooks setup NAME``."""
    p = add_command(sub, "webhooks", "help.webhooks", cmd_webhooks)
    p.add_argument("--bind", metavar="HOST:PORT", help=t("help.webhooks_bind"))
    group = p.add_subparsers(dest="webhooks_cmd", required=False, metavar="setup")
    s = add_command(group, "setup", "help.webhooks_setup", cmd_setup)
    s.add_argument("channel", help=t("help.webhooks_channel"))
    s.add_argument("--url", metavar="BASE", help=t("help.webhooks_url"))
    s.add_argument("--new-secret", action="store_true", help=t("help.webhooks_new_secret"))
    s.add_argument("--register", action="store_true", help=t("help.webhooks_register"))
