"""``syncd webhooks setup NAME --register`` (issue 14 item 1): the subscription is made
through the marketplace's API where it allows one (TikTok ``PUT /event/202309/webhooks``,
WooCommerce ``POST /wp-json/wc/v3/webhooks``, Shopify ``webhookSubscriptionCreate``),
idempotently, and each simulator then delivers its webhooks to the registered address,
where the standalone receiver (uvicorn, real HTTP on 127.0.0.1) puts them in the inbox.
Shopee and Lazada have no such API: the command says so and prints the console steps.

UNCONFIRMED (reference §3.4/§3.6, §4.4, §5.4 name the calls, not every field): TikTok's
list field ``webhooks``, WooCommerce's ``secret`` being write-only, Shopify's ``uri``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn

from syncd import catalog, credentials, sync
from syncd.adapter_settings import CODELESS
from syncd.catalog import Tenant
from syncd.cli_webhooks import app, webhook_url
from syncd.config import Settings
from syncd.models import ChannelIn
from syncd.store import Store
from tests.conftest import Cli
from tests.contract.harness_shopify import ShopifyHarness
from tests.contract.harness_tiktok import TikTokHarness
from tests.contract.harness_woocommerce import WooHarness

Harness = TikTokHarness | WooHarness | ShopifyHarness


@pytest.fixture
def receiver(store: Store) -> Iterator[int]:
    """The standalone receiver (``syncd webhooks``) on a free port; its port."""
    served, stores = app(store.path, Settings())
    server = uvicorn.Server(
        uvicorn.Config(served, host="127.0.0.1", port=0, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield int(server.servers[0].sockets[0].getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        stores.close()


@dataclass
class Shop:
    harness: Any  # one of the three harnesses
    channel: str
    account_id: int
    order: Callable[[], object]  # a buyer orders
    registered: Callable[[], int]  # how many subscriptions the simulator holds


def _connect(store: Store, tenant: Tenant, h: Harness, name: str) -> int:
    """Add the harness's shop as a channel and authorize it through its real flow."""
    vault = credentials.Vault(credentials.load_key(store.path))
    ch = catalog.add_channel(
        store,
        tenant.id,
        ChannelIn(name=name, marketplace=h.name, shop_id=h.shop_id),
        settings=h.settings(),
    )
    credentials.save(store, vault, tenant.id, ch.id, app=h.secrets())
    account = sync.load_account(store, ch.id)
    assert account is not None
    rt = sync.build_runtime(store, vault, account)
    assert rt.adapter is not None
    try:
        if rt.adapter.auth_kind in CODELESS:
            sync.verify_key(store, rt)
        else:
            tokens = rt.adapter.exchange_code(h.authorize())
            credentials.save(store, vault, tenant.id, ch.id, tokens=tokens)
    finally:
        rt.adapter.close()
    return ch.id


def _shop(store: Store, tenant: Tenant, kind: str) -> Shop:
    if kind == "tiktok":
        tt = TikTokHarness()
        tt.start()
        tt.sim.add_item(tt.shop_id, "1729000001", "Kopi", sku="KOPI-250", stock=50)
        shop_webhooks = tt.sim.shop_webhooks
        return Shop(
            tt,
            "tokopedia",
            _connect(store, tenant, tt, "tokopedia"),
            lambda: tt.sim.place_order(tt.shop_id, [("1729000001", "172900000101", 1)]),
            lambda: len(shop_webhooks.get(tt.shop_id, {})),
        )
    if kind == "woocommerce":
        wc = WooHarness()
        wc.start()
        product = wc.sim.add_simple("Kopi", sku="KOPI-250", price=45000, stock=50)
        return Shop(
            wc,
            "toko-web",
            _connect(store, tenant, wc, "toko-web"),
            lambda: wc.sim.place_order([(product, 0, 1)]),
            lambda: len(wc.sim.api_webhooks),
        )
    sf = ShopifyHarness()
    sf.start()
    _, variant = sf.sim.add_product("Kopi", [("KOPI-250", 45000, 50)])
    return Shop(
        sf,
        "shopify",
        _connect(store, tenant, sf, "shopify"),
        lambda: sf.sim.place_order([(variant, 1)]),
        lambda: len(sf.sim.subscriptions),
    )


@pytest.fixture(params=["tiktok", "woocommerce", "shopify"])
def shop(request: pytest.FixtureRequest, store: Store, tenant: Tenant) -> Iterator[Shop]:
    found = _shop(store, tenant, request.param)
    try:
        yield found
    finally:
        found.harness.stop()


def _inbox(store: Store, account_id: int) -> int:
    return int(
        store.scalar(
            "SELECT count(*) FROM webhook_inbox WHERE channel_account_id = ?", (account_id,)
        )
    )


def _delivered(store: Store, s: Shop) -> bool:
    """A buyer orders; True once its delivery is in the inbox."""
    before = _inbox(store, s.account_id)
    assert s.order() is not None
    sender: Any = s.harness.sim.webhook_sender
    assert sender is not None, "registering started the simulator's deliveries"
    assert sender.flush(timeout=10.0)
    return _inbox(store, s.account_id) > before


TOPICS = {"tiktok": 3, "woocommerce": 2, "shopify": 4}


def test_register_twice_then_a_new_address_then_an_order_arrives(
    store: Store, shop: Shop, receiver: int, cli: Cli
) -> None:
    first = f"http://127.0.0.1:{receiver}"
    run = cli("--lang", "en", "webhooks", "setup", shop.channel, "--register", "--url", first)
    assert run.code == 0, run.err
    topics = TOPICS[shop.harness.name]
    assert run.out.count("created:") == topics, run.out
    assert webhook_url(first, shop.harness.name) in run.out
    assert "safety net" in run.out
    assert "Settings → Advanced" not in run.out  # no console steps: it was done by API
    assert shop.registered() == topics

    again = cli("--lang", "en", "webhooks", "setup", shop.channel, "--register", "--url", first)
    assert again.code == 0, again.err
    assert again.out.count("already there, kept:") == topics, again.out
    assert "created:" not in again.out
    assert shop.registered() == topics  # nothing duplicated
    assert _delivered(store, shop)

    # the address changed (another host name for the same receiver): moved, not added
    moved = f"http://localhost:{receiver}"
    run = cli("--lang", "en", "webhooks", "setup", shop.channel, "--register", "--url", moved)
    assert run.code == 0, run.err
    assert run.out.count("moved to this address:") == topics, run.out
    assert shop.registered() == topics
    sender: Any = shop.harness.sim.webhook_sender
    assert sender is not None
    assert sender.url == webhook_url(moved, shop.harness.name)
    assert _delivered(store, shop)


def test_woocommerce_register_makes_the_secret_and_never_shows_it(
    store: Store, tenant: Tenant, receiver: int, cli: Cli
) -> None:
    s = _shop(store, tenant, "woocommerce")
    try:
        base = f"http://127.0.0.1:{receiver}"
        run = cli("--lang", "en", "webhooks", "setup", s.channel, "--register", "--url", base)
        assert run.code == 0, run.err
        vault = credentials.Vault(credentials.load_key(store.path))
        secret = credentials.load(store, vault, tenant.id, s.account_id).app["webhook_secret"]
        assert secret not in run.out
        assert "handed to the store through the API" in run.out
        assert all(h["secret"] == secret for h in s.harness.sim.api_webhooks.values())
        assert {h["topic"] for h in s.harness.sim.api_webhooks.values()} == {
            "order.created",
            "order.updated",
        }
        # a webhook core disabled (5 failed deliveries) is set active again
        hook = next(iter(s.harness.sim.api_webhooks.values()))
        hook["status"] = "disabled"
        run = cli("--lang", "en", "webhooks", "setup", s.channel, "--register", "--url", base)
        assert run.code == 0, run.err
        assert run.out.count("moved to this address:") == 1, run.out
        assert hook["status"] == "active"
        assert _delivered(store, s)
    finally:
        s.harness.stop()


def test_a_wrong_key_or_token_is_a_clear_error(
    store: Store, shop: Shop, receiver: int, cli: Cli
) -> None:
    vault = credentials.Vault(credentials.load_key(store.path))
    tenant_id = int(
        store.scalar("SELECT tenant_id FROM channel_account WHERE id = ?", (shop.account_id,))
    )
    sealed = credentials.load(store, vault, tenant_id, shop.account_id)
    wrong = dict.fromkeys(sealed.app, "not-the-secret")
    credentials.save(store, vault, tenant_id, shop.account_id, app=wrong)
    if shop.harness.name == "shopify":  # its token was granted with the right secret
        shop.harness.sim.expire_tokens()
    base = f"http://127.0.0.1:{receiver}"
    run = cli("--lang", "en", "webhooks", "setup", shop.channel, "--register", "--url", base)
    assert run.code != 0
    text = run.out + run.err
    assert shop.channel in text, text
    assert "syncd channel set-secret" in text or "syncd channel connect" in text, text
    assert "not-the-secret" not in text
    assert shop.registered() == 0


@pytest.mark.parametrize(
    ("marketplace", "steps"), [("shopee", "Push Mechanism"), ("lazada", "Message Service")]
)
def test_shopee_and_lazada_are_console_only(
    store: Store, tenant: Tenant, cli: Cli, marketplace: str, steps: str
) -> None:
    catalog.add_channel(
        store,
        tenant.id,
        ChannelIn(name=f"{marketplace}-1", marketplace=marketplace, shop_id="998877"),
        settings={"app_key": "123456"} if marketplace == "lazada" else {},
    )
    run = cli("--lang", "en", "webhooks", "setup", f"{marketplace}-1", "--register")
    assert run.code == 0, run.err
    assert "has no API to register webhooks" in run.out
    assert steps in run.out
