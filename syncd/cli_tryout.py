"""``syncd simulator shopee|lazada|tiktok|woocommerce|shopify``: try syncd on a pretend
shop, without code.

It starts that marketplace's simulator (``adapters/<name>/simulator.py``, the same one
the tests and ``syncd demo`` use) on 127.0.0.1 with one demo shop whose listings
carry the SKUs of ``examples/katalog.csv``, and prints, Indonesian first, exactly
what to type in another terminal: the ``syncd channel add`` line, the app secret to
export, and how to approve the authorization. The shop's seller is "logged in"
already (``next_login_shop``): opening the link that ``syncd channel connect NAME``
prints, in a browser or with ``curl -si``, approves at once; the redirect's
``Location`` carries the code, and this window prints the code too. The shop shows
slightly stale stock and one different price on purpose, so the first review has
something to show. It runs until Ctrl-C (or SIGTERM) and then prints one line.

The seller's own stores connect without a link: a WooCommerce store by its REST key, a
Shopify store's own app by client credentials; ``channel connect NAME`` does it in one
step, and the printed steps say so.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from syncd.cli_base import Context, add_command
from syncd.errors import UserError
from syncd.i18n import t

__all__ = ["DEFAULT_PORTS", "SHOWN", "Tryout", "commands", "start_tryout"]

#: What the demo shop shows per SKU before syncd ever pushes: (price, stock). A little
#: off from examples/katalog.csv on purpose (Nastar 500 g at Rp 89.000, not 85.000), as a
#: real shop is when a seller starts: the first review shows what syncd would change.
SHOWN: Final[dict[str, tuple[int, int]]] = {
    "NASTAR-250": (45_000, 25),
    "NASTAR-500": (89_000, 15),
    "KASTENGEL-500": (90_000, 10),
    "KOPI-250": (45_000, 30),
    "KOPI-1000": (160_000, 6),
    "DOMPET-COKLAT": (175_000, 1),
    "HAMPERS-LEBARAN": (180_000, 3),
}
#: Default ports, fixed so that the README's walk-through can be typed literally.
DEFAULT_PORTS: Final = {
    "shopee": 8701,
    "lazada": 8702,
    "tiktok": 8703,
    "woocommerce": 8704,
    "shopify": 8705,
}
SECRET_ENV: Final = "SYNCD_PARTNER_KEY"  # noqa: S105 - the variable's name, read by `channel connect`
_STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
REDIRECT: Final = "https://localhost/syncd/callback"  # `channel connect`'s default --redirect


@dataclass
class Tryout:
    """A started simulator with its demo shop, and how syncd connects to it."""

    marketplace: str
    sim: Any
    shop_id: str
    secret: str  # the simulator's made-up app secret / partner key (not a real one)
    options: list[str]  # `syncd channel add` options after the name
    skus: list[str] = field(default_factory=list)
    codeless: bool = False  # connected with no link and no code (a key, client credentials)

    @property
    def channel(self) -> str:
        """The channel name the printed commands use."""
        return self.marketplace

    def add_command(self) -> str:
        """The `syncd channel add` line, ready to paste."""
        return shlex.join(["syncd", "channel", "add", self.channel, *self.options])


def _models(spec: list[tuple[int, str]] | str) -> list[tuple[int, str]]:
    return [(1, spec)] if isinstance(spec, str) else spec


def _shopee(port: int) -> Tryout:
    from adapters.shopee.simulator import ShopeeSimulator  # noqa: PLC0415
    from syncd.market import ITEMS  # noqa: PLC0415

    key = "shpk_demo_partner_key_0123456789"  # the simulator's made-up key
    sim = ShopeeSimulator(partner_key=key, port=port).start()
    shop = 220011
    sim.add_shop(shop)
    skus: list[str] = []
    for n, (title, spec) in enumerate(ITEMS, start=1):
        item = shop * 100 + n
        if isinstance(spec, str):
            price, stock = SHOWN[spec]
            sim.add_item(shop, item, title, sku=spec, price=price, stock=stock)
            skus.append(spec)
        else:
            sim.add_item(shop, item, title, models=[(m, s, *SHOWN[s]) for m, s in spec])
            skus += [s for _, s in spec]
    sim.next_login_shop = shop
    options = [
        "--marketplace",
        "shopee",
        "--shop-id",
        str(shop),
        "--partner-id",
        str(sim.partner_id),
        "--base-url",
        sim.base_url,
    ]
    return Tryout("shopee", sim, str(shop), key, options, skus)


def _lazada(port: int) -> Tryout:
    from adapters.lazada.simulator import LazadaSimulator  # noqa: PLC0415
    from syncd.market import ITEMS  # noqa: PLC0415

    key, secret = "123456", "lzd_demo_app_secret_abcdef0123"  # made up (reference §7.2)
    sim = LazadaSimulator(app_key=key, app_secret=secret, port=port).start()
    shop = 5501
    sim.add_shop(shop)
    skus: list[str] = []
    for n, (title, spec) in enumerate(ITEMS, start=1):
        item = shop * 100 + n
        models = [(item * 10 + m, s, *SHOWN[s]) for m, s in _models(spec)]
        sim.add_item(shop, item, title, models=models)
        skus += [s for _, s, _, _ in models]
    sim.next_login_shop = shop
    url = sim.base_url
    options = [
        "--marketplace",
        "lazada",
        "--shop-id",
        str(shop),
        "--app-key",
        key,
        "--base-url",
        f"{url}/rest",
        "--setting",
        f"auth_url={url}",
    ]
    return Tryout("lazada", sim, str(shop), secret, options, skus)


def _tiktok(port: int) -> Tryout:
    from adapters.tiktok.simulator import TikTokSimulator  # noqa: PLC0415
    from syncd.market import ITEMS  # noqa: PLC0415

    key, secret = "6abcdeftt01", "tts_demo_app_secret_9f8e7d6c5b4a"  # made up (§7.3)
    sim = TikTokSimulator(app_key=key, app_secret=secret, port=port).start()
    shop = "7494049642642441621"
    sim.add_shop(shop, name="Dapur Bu Sri", region="ID")
    skus: list[str] = []
    for n, (title, spec) in enumerate(ITEMS, start=1):
        product = f"17295929697122070{n:02d}"
        models = [(f"{product}{m:02d}", s, *SHOWN[s]) for m, s in _models(spec)]
        sim.add_item(shop, product, title, models=models)
        skus += [s for _, s, _, _ in models]
    sim.next_login_shop = shop
    sim.redirect_url = REDIRECT  # TikTok redirects to the app's registered URL
    url = sim.base_url
    options = [
        "--marketplace",
        "tiktok",
        "--shop-id",
        shop,
        "--app-key",
        key,
        "--service-id",
        sim.service_id,
        "--base-url",
        url,
        "--setting",
        f"auth_base_url={url}",
        "--setting",
        f"authorize_url={url}/open/authorize",
    ]
    return Tryout("tiktok", sim, shop, secret, options, skus)


def _woocommerce(port: int) -> Tryout:
    from adapters.woocommerce.simulator import WooSimulator  # noqa: PLC0415
    from syncd.market import ITEMS  # noqa: PLC0415

    key, secret = "ck_demo_0123456789abcdef", "cs_demo_0123456789abcdef"  # made up
    sim = WooSimulator(consumer_key=key, consumer_secret=secret, port=port).start()
    skus: list[str] = []
    for title, spec in ITEMS:
        if isinstance(spec, str):
            price, stock = SHOWN[spec]
            sim.add_simple(title, sku=spec, price=price, stock=stock)
            skus.append(spec)
        else:  # a variable product: stock on each variation (§4.6 #2)
            sim.add_variable(title, [(s, *SHOWN[s]) for _, s in spec])
            skus += [s for _, s in spec]
    options = [
        "--marketplace",
        "woocommerce",
        "--shop-id",
        "toko-web",
        "--base-url",
        sim.base_url,
        "--consumer-key",
        key,
    ]
    return Tryout("woocommerce", sim, "toko-web", secret, options, skus, codeless=True)


def _shopify(port: int) -> Tryout:
    from adapters.shopify.simulator import CLIENT_ID, CLIENT_SECRET, ShopifySimulator  # noqa: PLC0415
    from syncd.market import ITEMS  # noqa: PLC0415

    sim = ShopifySimulator(shop="toko-bu-sri", port=port).start()
    skus: list[str] = []
    for title, spec in ITEMS:
        variants = [spec] if isinstance(spec, str) else [s for _, s in spec]
        sim.add_product(title, [(s, *SHOWN[s]) for s in variants])
        skus += variants
    options = [
        "--marketplace",
        "shopify",
        "--shop-id",
        "toko-bu-sri",
        "--base-url",
        sim.base_url,
        "--client-id",
        CLIENT_ID,
    ]
    return Tryout("shopify", sim, "toko-bu-sri", CLIENT_SECRET, options, skus, codeless=True)


MAKERS: Final[dict[str, Callable[[int], Tryout]]] = {
    "shopee": _shopee,
    "lazada": _lazada,
    "tiktok": _tiktok,
    "woocommerce": _woocommerce,
    "shopify": _shopify,
}


def start_tryout(marketplace: str, port: int, on_code: Callable[[str], None]) -> Tryout:
    """Start ``marketplace``'s simulator on ``port`` with the demo shop; ``on_code`` is
    called with each authorization code the (already logged-in) seller approves."""
    try:
        tryout = MAKERS[marketplace](port)
    except OSError as exc:  # the port is taken (or not ours to bind)
        raise UserError("tryout.port_busy", port=port, problem=exc.strerror or str(exc)) from None
    if tryout.codeless:
        return tryout  # no authorization page to approve
    approve = tryout.sim.authorize

    def announcing(shop_id: Any) -> str:
        code = str(approve(shop_id))
        on_code(code)
        return code

    # the instance attribute shadows the method, so the authorization page calls it too
    setattr(tryout.sim, "authorize", announcing)  # noqa: B010
    return tryout


def _settings_lines(tryout: Tryout) -> list[str]:
    name = tryout.channel
    connect: list[tuple[str, list[Any]]]
    if tryout.codeless:  # a key or the app's own credentials: one step, no link
        connect = [
            (t("tryout.step.connect_codeless"), [f"syncd channel connect {name}"]),
        ]
    else:
        connect = [
            (
                t("tryout.step.link"),
                [
                    f"syncd channel connect {name}",
                    ("  ", t("tryout.step.approve")),
                    f'curl -si "{t("tryout.word.link")}" | grep -i location',
                ],
            ),
            (
                t("tryout.step.code"),
                [f"syncd channel connect {name} --code={t('tryout.word.code')}"],
            ),
        ]
    steps: list[tuple[str, list[Any]]] = [
        (
            t("tryout.step.catalogue"),
            [
                "syncd init",
                'syncd tenant add "Dapur Bu Sri"',
                "syncd product import examples/katalog.csv",
            ],
        ),
        (
            t("tryout.step.secret", env=SECRET_ENV),
            [f"export {SECRET_ENV}={shlex.quote(tryout.secret)}"],
        ),
        (t("tryout.step.add"), [tryout.add_command()]),
        *connect,
        (t("tryout.step.discover"), [f"syncd channel discover {name}"]),
        (t("tryout.step.accept"), [f"syncd channel accept {name}", "syncd run --once"]),
        (
            t("tryout.step.sale"),
            ["syncd sale 2xNASTAR-500 --channel whatsapp", "syncd run --once", "syncd status"],
        ),
    ]
    lines = [
        t(
            "tryout.started",
            marketplace=t(f"tryout.name.{tryout.marketplace}"),
            url=tryout.sim.base_url,
            shop_id=tryout.shop_id,
            skus=len(tryout.skus),
        ),
        t("tryout.pretend_codeless" if tryout.codeless else "tryout.pretend"),
        "",
        t("tryout.steps"),
    ]
    for number, (text, commands) in enumerate(steps, start=1):
        lines.append(f"  {number}. {text}")
        for command in commands:
            if isinstance(command, tuple):  # a note between the commands of a step
                lines.append("     " + command[1])
            else:
                lines.append(f"       {command}")
    return [*lines, "", t("tryout.watch"), t("tryout.stop_hint")]


def cmd_simulator(ctx: Context, args: argparse.Namespace) -> int:
    """Run the simulator in the foreground until Ctrl-C or SIGTERM."""
    lock = threading.Lock()

    def say(*lines: str) -> None:
        with lock:
            ctx.print(*lines)
            ctx.out.flush()

    name = args.marketplace
    port = DEFAULT_PORTS[name] if args.port is None else args.port

    def on_code(code: str) -> None:
        say(
            "",
            t("tryout.approved", code=code),
            f"       syncd channel connect {name} --code={code}",  # a code may begin with -
        )

    tryout = start_tryout(name, port, on_code)

    def on_shown(_shop: Any, item: Any, variant: Any, shown: int) -> None:
        where = f"{item}/{variant}" if variant not in (None, "", 0, "0") else str(item)
        say(t("tryout.shown", item=where, shown=shown))

    tryout.sim.observer = on_shown  # every stock change the shop shows, as it happens
    stop = threading.Event()
    # Ctrl-C and SIGTERM both end the wait (even where a shell started us with SIGINT
    # ignored); the simulator then stops and one line says so.
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
    try:
        say(*_settings_lines(tryout))
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:  # a Ctrl-C that came before our handler was in place
        pass
    finally:
        tryout.sim.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    say(t("tryout.stopped", marketplace=t(f"tryout.name.{name}")))
    return 0


def commands(sub: Any, channel: Any) -> None:
    """Add this module's commands (``sub``: top level; ``channel``: under ``syncd channel``)."""

    p = add_command(sub, "simulator", "tryout.help", cmd_simulator)
    p.add_argument("marketplace", choices=sorted(MAKERS), help=t("tryout.help.marketplace"))
    p.add_argument("--port", type=_port, help=t("tryout.help.port", ports=_ports_text()))


def _port(text: str) -> int:
    """A TCP port number (1-65535), or argparse's one-line usage error."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(t("tryout.bad_port", value=text))
    return value


def _ports_text() -> str:
    return ", ".join(f"{name} {port}" for name, port in DEFAULT_PORTS.items())
