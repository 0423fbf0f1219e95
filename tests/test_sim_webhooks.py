"""Every simulator delivers webhooks as its marketplace does (issue 14 item 1): signed
with the secret the adapter is configured with (checked here with an HMAC written in
this file, and on the §7 vectors), with injected loss, duplication, delay and
reordering, retries and giving up; Shopee serves the pushes it lost from
``v2.push.get_lost_push_message`` and ``ShopeeAdapter.lost_pushes`` reads them.

Deliveries go over real HTTP to a tiny receiver on 127.0.0.1.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from adapters._webhook_sender import Delivery, SenderClosed, WebhookSender, WebhookSimulator
from adapters.lazada.simulator import LazadaSimulator
from adapters.shopee.adapter import LostPush, ShopeeAdapter
from adapters.shopee.simulator import ShopeeSimulator
from adapters.shopify.simulator import ShopifySimulator
from adapters.tiktok.simulator import TikTokSimulator
from adapters.woocommerce.simulator import WooSimulator
from syncd.adapter import AdapterContext
from syncd.http import CircuitBreaker, Limiter
from tests.contract.harness_shopee import ShopeeHarness

SHOPEE_KEY = "shpk_demo_partner_key_0123456789"
LAZADA_KEY, LAZADA_SECRET = "123456", "lzd_demo_app_secret_abcdef0123"
TIKTOK_KEY, TIKTOK_SECRET = "6abcdeftt01", "tts_demo_app_secret_9f8e7d6c5b4a"
WOO_SECRET = "wc_demo_webhook_secret"  # noqa: S105 - the §7.4 vector's made-up secret
SHOPIFY_SECRET = "shpss_demo_client_secret"  # noqa: S105 - the §7.4 vector's made-up secret


# ---------------------------------------------------------------- the test's own HMACs


def hex_hmac(key: str, message: bytes) -> str:
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def b64_hmac(key: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), message, hashlib.sha256).digest()).decode()


# ---------------------------------------------------------------- a receiver


@dataclasses.dataclass
class Got:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float  # time.monotonic() on arrival


class Receiver:
    """Records every POST; answers ``codes`` in turn (then ``default``)."""

    def __init__(self, codes: list[int] | None = None, default: int = 200) -> None:
        self.codes, self.default = list(codes or []), default
        self.got: list[Got] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    code = receiver.codes.pop(0) if receiver.codes else receiver.default
                    if 200 <= code < 300:
                        headers = {k.lower(): v for k, v in self.headers.items()}
                        receiver.got.append(Got(self.path, headers, body, time.monotonic()))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


# ---------------------------------------------------------------- one world per simulator


@dataclasses.dataclass
class World:
    sim: WebhookSimulator
    order: Callable[[], Any]  # a buyer orders: the order id
    move: Callable[[Any], None]  # the order moves on (a status change)
    verify: Callable[[str, Got], bool]  # (receiver URL, delivery) signed right?
    order_of: Callable[[Got], str]  # the order a delivery names
    enable: Callable[..., WebhookSender]


def shopee_world() -> World:
    sim = ShopeeSimulator(partner_key=SHOPEE_KEY).start()
    sim.add_shop(998877)
    sim.add_item(998877, 7002, "Kopi", sku="KOPI-250", stock=1000)
    return World(
        sim,
        lambda: sim.place_order(998877, [(7002, 0, 1)], status="READY_TO_SHIP"),
        lambda sn: sim.set_order_status(sn, "SHIPPED"),
        lambda url, g: g.headers["authorization"]
        == hex_hmac(SHOPEE_KEY, f"{url}|".encode() + g.body),
        lambda g: json.loads(g.body)["data"]["ordersn"],
        sim.enable_webhooks,
    )


def lazada_world() -> World:
    sim = LazadaSimulator(app_key=LAZADA_KEY, app_secret=LAZADA_SECRET).start()
    sim.add_shop(1234567)
    sim.add_item(1234567, 7002, "Kopi", sku="KOPI-250", stock=1000)
    return World(
        sim,
        lambda: sim.place_order(1234567, [(7002, 70020, 1)]),
        lambda oid: sim.set_order_status(oid, "ready_to_ship"),
        lambda url, g: g.headers["authorization"]
        == hex_hmac(LAZADA_SECRET, LAZADA_KEY.encode() + g.body),
        lambda g: json.loads(g.body)["data"]["trade_order_id"],
        sim.enable_webhooks,
    )


def tiktok_world() -> World:
    sim = TikTokSimulator(app_key=TIKTOK_KEY, app_secret=TIKTOK_SECRET).start()
    shop = "7494049642642441621"
    sim.add_shop(shop)
    sim.add_item(shop, "1729592969712207001", "Kopi",
                 models=[("1729592969712208011", "KOPI-250", 45000, 1000)])  # fmt: skip
    return World(
        sim,
        lambda: sim.place_order(shop, [("1729592969712207001", "1729592969712208011", 1)],
                                status="AWAITING_SHIPMENT"),
        lambda oid: sim.set_order_status(oid, "IN_TRANSIT"),
        lambda url, g: g.headers["authorization"]
        == hex_hmac(TIKTOK_SECRET, TIKTOK_KEY.encode() + g.body),
        lambda g: json.loads(g.body)["data"]["order_id"],
        sim.enable_webhooks,
    )


def woo_world() -> World:
    sim = WooSimulator().start()
    pid = sim.add_simple("Kopi", sku="KOPI-250", price=45000, stock=1000)
    return World(
        sim,
        lambda: sim.place_order([(pid, 0, 1)]),
        lambda oid: sim.set_status(oid, "processing"),
        lambda url, g: g.headers["x-wc-webhook-signature"] == b64_hmac(WOO_SECRET, g.body),
        lambda g: str(json.loads(g.body)["id"]),
        lambda url, **kw: sim.enable_webhooks(url, secret=WOO_SECRET, **kw),
    )


def shopify_world() -> World:
    sim = ShopifySimulator().start()
    _, vid = sim.add_product("Kopi", [("KOPI-250", 45000, 1000)])
    return World(
        sim,
        lambda: sim.place_order([(vid, 1)]),
        sim.fulfil,
        lambda url, g: g.headers["x-shopify-hmac-sha256"] == b64_hmac(SHOPIFY_SECRET, g.body),
        lambda g: str(json.loads(g.body)["id"]),
        sim.enable_webhooks,
    )


WORLDS = {
    "shopee": shopee_world,
    "lazada": lazada_world,
    "tiktok": tiktok_world,
    "woocommerce": woo_world,
    "shopify": shopify_world,
}


@pytest.fixture(params=sorted(WORLDS))
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    w = WORLDS[request.param]()
    yield w
    w.sim.stop()


def flushed(sender: WebhookSender) -> None:
    assert sender.flush(timeout=10.0), "the sender did not drain"


# ---------------------------------------------------------------- signatures (§7)


def test_signatures_match_the_reference_vectors() -> None:
    shopee = ShopeeSimulator(partner_key=SHOPEE_KEY)
    body = (b'{"data":{"ordersn":"231115ABCDEF12","status":"READY_TO_SHIP","update_time":'
            b'1700000000},"shop_id":998877,"code":3,"timestamp":1700000005}')  # fmt: skip
    assert shopee.webhook_sign("https://example.id/hooks/shopee", body) == {
        "Authorization": "844381e5577300c6b24a907948dcdee6d1443eb62382ec84858d2e8e307deadb"
    }
    lazada = LazadaSimulator(app_key=LAZADA_KEY, app_secret=LAZADA_SECRET)
    body = (b'{"seller_id":"1234567","message_type":0,"data":{"order_status":"pending",'
            b'"trade_order_id":"260422900198363","trade_order_line_id":"260422900298363",'
            b'"status_update_time":1700000000},"timestamp":1700000001234,'
            b'"site":"lazada_id"}')  # fmt: skip
    assert lazada.webhook_sign("https://x.example/", body) == {
        "Authorization": "bd2d5fa66122cf1859811d30e1864804f59b19b9f503411f5f9f24f0f8b6d633"
    }
    tiktok = TikTokSimulator(app_key=TIKTOK_KEY, app_secret=TIKTOK_SECRET)
    body = (b'{"type":1,"tts_notification_id":"7327112393057371910","shop_id":'
            b'"7494049642642441621","timestamp":1700000000,"data":{"order_id":'
            b'"576486316948490001","order_status":"AWAITING_SHIPMENT","is_on_hold_order":'
            b'false,"update_time":1700000000}}')  # fmt: skip
    assert tiktok.webhook_sign("https://x.example/", body) == {
        "Authorization": "5442fdd350c0cd39b2826a06bf4e4636c410b004713ebb3421a85384a4f22e8d"
    }
    woo = WooSimulator()
    with woo.enable_webhooks("http://127.0.0.1:9/hooks", secret=WOO_SECRET):
        body = (b'{"id":727,"status":"processing","line_items":[{"sku":"KAOS-M-HITAM",'
                b'"quantity":2}]}')  # fmt: skip
        assert woo.webhook_sign("http://127.0.0.1:9/hooks", body) == {
            "X-WC-Webhook-Signature": "zvXVXF8Uzrk/qhXzKB82L/xY9S4FJrhA6l+xPIK7xe8="
        }
    woo.stop()
    shopify = ShopifySimulator()
    body = b'{"id":820982911946154508,"line_items":[{"sku":"KAOS-M-HITAM","quantity":2}]}'
    assert shopify.webhook_sign("https://x.example/", body) == {
        "X-Shopify-Hmac-Sha256": "/jZ3PTEPChMqTVUWTSO+CR0pj+fJ6RDMr5Cwmx1nqrs="
    }


def test_every_order_change_is_delivered_signed(world: World, receiver: Receiver) -> None:
    sender = world.enable(receiver.url, seed=1)
    first, second = world.order(), world.order()
    world.move(first)
    flushed(sender)
    assert len(receiver.got) == 3
    assert all(world.verify(receiver.url, g) for g in receiver.got)
    assert [world.order_of(g) for g in receiver.got] == [str(first), str(second), str(first)]
    assert all(g.path == "/hooks" for g in receiver.got)
    assert sender.attempts == 3
    assert not sender.lost


def test_a_changed_byte_or_another_secret_does_not_verify(world: World, receiver: Receiver) -> None:
    sender = world.enable(receiver.url)
    world.order()
    flushed(sender)
    (got,) = receiver.got
    spoiled = dataclasses.replace(got, body=got.body.replace(b"1", b"2", 1))
    assert world.verify(receiver.url, got)
    assert not world.verify(receiver.url, spoiled)
    if isinstance(world.sim, ShopeeSimulator):  # §1.6: Shopee signs the URL too
        assert not world.verify(receiver.url + "/other", got)


def test_the_bodies_and_headers_are_the_marketplaces(receiver: Receiver) -> None:
    shopee, lazada, tiktok, woo, shopify = (make() for make in WORLDS.values())
    try:
        for w in (shopee, lazada, tiktok, woo, shopify):
            w.enable(receiver.url)
            w.move(w.order())
            assert w.sim.webhook_sender is not None
            flushed(w.sim.webhook_sender)
        sp, _, lz, _, tt, _, wc1, wc2, sf1, sf2 = receiver.got
        body = json.loads(sp.body)  # §1.6 order push
        assert (body["code"], body["shop_id"]) == (3, 998877)
        assert body["data"]["status"] == "READY_TO_SHIP"
        assert set(body["data"]) >= {"ordersn", "status", "update_time"}
        body = json.loads(lz.body)  # §2.6 trade order message
        assert (body["message_type"], body["seller_id"]) == (0, "1234567")
        assert body["site"] == "lazada_id"
        assert set(body["data"]) == {
            "order_status", "trade_order_id", "trade_order_line_id", "status_update_time"
        }  # fmt: skip
        assert body["timestamp"] > 10**12  # milliseconds, as the sample
        body = json.loads(tt.body)  # §3.6 ORDER_STATUS_CHANGE
        assert body["type"] == 1
        assert body["tts_notification_id"]
        assert body["data"]["order_status"] == "AWAITING_SHIPMENT"
        assert set(body["data"]) == {"order_id", "order_status", "is_on_hold_order", "update_time"}
        # §4.4: created, then updated; the body is the order
        assert [g.headers["x-wc-webhook-topic"] for g in (wc1, wc2)] == [
            "order.created", "order.updated"
        ]  # fmt: skip
        assert wc1.headers["x-wc-webhook-delivery-id"] != wc2.headers["x-wc-webhook-delivery-id"]
        assert wc1.headers["x-wc-webhook-resource"] == "order"
        assert wc1.headers["x-wc-webhook-source"].startswith("http://127.0.0.1:")
        assert json.loads(wc2.body)["status"] == "processing"
        # §5.4
        assert sf1.headers["x-shopify-topic"] == "orders/updated"
        assert sf1.headers["x-shopify-shop-domain"] == "toko-bu-sri.myshopify.com"
        assert sf1.headers["x-shopify-event-id"] != sf2.headers["x-shopify-event-id"]
        assert json.loads(sf2.body)["fulfillment_status"] == "fulfilled"
        assert json.loads(sf1.body)["line_items"][0]["sku"] == "KOPI-250"
    finally:
        for w in (shopee, lazada, tiktok, woo, shopify):
            w.sim.stop()


# ---------------------------------------------------------------- faults


def test_loss_drops_everything_and_shopee_serves_the_lost_pushes(receiver: Receiver) -> None:
    h = ShopeeHarness()
    h.start()
    ctx = AdapterContext(
        shop_id=h.shop_id,
        settings=h.settings(),
        secrets=h.secrets(),
        credentials=lambda: None,
        now=h.now,
    )
    adapter = ShopeeAdapter.create(ctx, limiter=Limiter(), breaker=CircuitBreaker())
    try:
        h.sim.add_item(int(h.shop_id), 7002, "Kopi", sku="KOPI-250", stock=1000)
        sender = h.sim.enable_webhooks(receiver.url, loss=1.0, seed=3)
        sns = [h.sim.place_order(int(h.shop_id), [(7002, 0, 1)]) for _ in range(3)]
        flushed(sender)
        assert receiver.got == []
        assert len(sender.lost) == 3
        assert sender.attempts == 0
        assert [m["data"]["ordersn"] for m in h.sim.lost_pushes] == sns
        got = adapter.lost_pushes(confirm=False)
        assert got == [LostPush(998877, 3, sn) for sn in sns]
        assert adapter.lost_pushes() == got  # read again, then confirmed consumed
        assert adapter.lost_pushes() == []
        assert h.sim.lost_pushes == []
        # more than a page (100): read page by page, each confirmed
        for _ in range(130):
            h.sim.place_order(int(h.shop_id), [(7002, 0, 1)])
        assert len(adapter.lost_pushes()) == 130
        assert h.sim.lost_pushes == []
        # kept 3 days only
        h.sim.place_order(int(h.shop_id), [(7002, 0, 1)])
        h.advance(3 * 86_400 + 1)
        assert adapter.lost_pushes() == []  # no shop token needed: the push API is public
    finally:
        adapter.close()
        h.stop()


def test_a_push_failed_on_every_retry_is_lost_too(receiver: Receiver) -> None:
    receiver.default = 500
    w = shopee_world()
    try:
        sender = w.enable(receiver.url, retry_scale=1e-5)
        sn = w.order()
        flushed(sender)
        assert sender.attempts == 1 + len(ShopeeSimulator.webhook_retries)
        assert [m["data"]["ordersn"] for m in w.sim.lost_pushes] == [sn]  # type: ignore[attr-defined]
    finally:
        w.sim.stop()


def test_duplicate_delivers_each_twice(world: World, receiver: Receiver) -> None:
    sender = world.enable(receiver.url, duplicate=1.0, seed=5)
    ids = [str(world.order()) for _ in range(3)]
    flushed(sender)
    assert sorted(world.order_of(g) for g in receiver.got) == sorted(ids * 2)
    assert all(world.verify(receiver.url, g) for g in receiver.got)
    if isinstance(world.sim, ShopifySimulator):  # a duplicate shares its event id (§5.4)
        events = [g.headers["x-shopify-event-id"] for g in receiver.got]
        assert len(set(events)) == 3


def test_reorder_changes_the_order_not_the_set(world: World, receiver: Receiver) -> None:
    sender = world.enable(receiver.url, reorder=1.0, seed=7)
    ids = [str(world.order()) for _ in range(6)]
    flushed(sender)
    arrived = [world.order_of(g) for g in receiver.got]
    assert arrived != ids
    assert sorted(arrived) == sorted(ids)


def test_delay_is_respected(receiver: Receiver) -> None:
    w = lazada_world()
    try:
        sender = w.enable(receiver.url, delay=(0.15, 0.25), seed=11)
        for _ in range(4):
            w.order()
        flushed(sender)
        sent = {d.body: d.sent_at for d in sender.delivered}
        lags = [g.at - sent[g.body] for g in receiver.got]
        assert len(lags) == 4
        assert all(0.15 <= lag < 1.0 for lag in lags)
    finally:
        w.sim.stop()


def test_the_same_seed_gives_the_same_faults(receiver: Receiver) -> None:
    outcomes = []
    for _ in range(2):
        w = tiktok_world()
        try:
            sender = w.enable(receiver.url, loss=0.5, duplicate=0.5, seed=42)
            for _ in range(10):
                w.order()
            flushed(sender)
            outcomes.append(([json.loads(d.body)["data"]["order_id"][-6:] for d in sender.lost],
                             len(sender.delivered)))  # fmt: skip
        finally:
            w.sim.stop()
    assert outcomes[0] == outcomes[1]


def test_a_failed_delivery_is_retried_then_arrives(receiver: Receiver) -> None:
    receiver.codes = [500, 503]
    w = tiktok_world()
    try:
        sender = w.enable(receiver.url, retry_scale=1e-5)
        w.order()
        flushed(sender)
        assert sender.attempts == 3
        assert sender.failures == 2
        assert not sender.lost
        assert len(receiver.got) == 1
        assert w.verify(receiver.url, receiver.got[0])
    finally:
        w.sim.stop()


def test_retries_stop_after_the_marketplace_schedule(receiver: Receiver) -> None:
    receiver.default = 500
    w = lazada_world()
    try:
        sender = w.enable(receiver.url, retry_scale=1e-5)
        w.order()
        flushed(sender)
        assert sender.attempts == 13  # §2.6: up to 12 retries
        assert len(sender.lost) == 1
        assert receiver.got == []
    finally:
        w.sim.stop()


def test_woocommerce_disables_the_webhook_after_5_failures(receiver: Receiver) -> None:
    receiver.default = 500
    w = woo_world()
    try:
        sender = w.enable(receiver.url)
        for _ in range(5):
            w.order()
        flushed(sender)
        assert sender.disabled
        assert sender.attempts == 5
        w.order()
        flushed(sender)
        assert sender.attempts == 5
        assert len(sender.lost) == 6
    finally:
        w.sim.stop()


def test_an_unreachable_receiver_is_a_failed_delivery() -> None:
    r = Receiver()
    url = r.url
    r.close()  # nothing listens there any more
    w = shopify_world()
    try:
        sender = w.enable(url, retry_scale=1e-6)
        w.order()
        flushed(sender)
        # §5.4: retried, and 8 consecutive failures remove the subscription
        assert sender.attempts == 8
        assert sender.disabled
        assert len(sender.lost) == 1
    finally:
        w.sim.stop()


# ---------------------------------------------------------------- unchanged without webhooks


def test_without_webhooks_nothing_is_sent(world: World, receiver: Receiver) -> None:
    assert world.sim.webhook_sender is None
    world.move(world.order())
    world.sim.emit_webhook(b"{}")
    time.sleep(0.05)
    assert receiver.got == []


def test_the_tiktok_record_is_kept_with_webhooks_on(receiver: Receiver) -> None:
    w = tiktok_world()
    try:
        sender = w.enable(receiver.url)
        w.move(w.order())
        flushed(sender)
        sim = w.sim
        assert isinstance(sim, TikTokSimulator)
        assert [(a, b) for a, b in sim.webhooks] == [
            (g.headers["authorization"], g.body) for g in receiver.got
        ]
    finally:
        w.sim.stop()


def test_stop_and_disable_join_the_sender(world: World, receiver: Receiver) -> None:
    first = world.enable(receiver.url)
    second = world.enable(receiver.url)  # replaces (and closes) the first
    assert not first._thread.is_alive()
    assert world.sim.webhook_sender is second
    world.sim.stop()
    assert not second._thread.is_alive()
    assert world.sim.webhook_sender is None
    with pytest.raises(SenderClosed):
        second.send(b"{}")
    world.sim.emit_webhook(b"{}")  # disabled: nothing happens


def test_the_sender_refuses_bad_settings() -> None:
    def sign(url: str, body: bytes) -> dict[str, str]:
        return {}

    for bad, why in (
        ({"url": "ftp://x/"}, "webhook URL"),
        ({"loss": 1.5}, "probability"),
        ({"duplicate": -0.1}, "probability"),
        ({"delay": (0.3, 0.1)}, "low <= high"),
    ):
        args: dict[str, Any] = {"url": "http://127.0.0.1:9/", **bad}
        with pytest.raises(ValueError, match=why):
            WebhookSender(args.pop("url"), sign, **args)


def test_a_held_delivery_goes_when_nothing_overtakes_it(receiver: Receiver) -> None:
    def sign(url: str, body: bytes) -> dict[str, str]:
        return {"X-Test": "1"}

    with WebhookSender(receiver.url, sign, reorder=1.0, hold=0.05, seed=1) as sender:
        sender.send(b'{"n":1}')
        time.sleep(0.3)  # held, then released alone after ``hold``
        assert [g.body for g in receiver.got] == [b'{"n":1}']
        assert isinstance(sender.delivered[0], Delivery)
        assert sender.delivered[0].header("x-test") == "1"
