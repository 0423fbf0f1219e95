"""Webhooks (issue 14 item 1): signatures against every §7 vector and the bad cases, the
receiver's answers over real HTTP (Starlette), the durable inbox with dedupe, the worker
that wakes the poll, kill -9 between receipt and processing, and ``syncd webhooks setup``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncd import catalog, credentials, webhooks
from syncd.catalog import Tenant
from syncd.models import ChannelIn
from syncd.store import Store
from syncd.web.webhook_routes import routes
from tests.conftest import Cli

# -- the §7 vectors (reference marketplace-apis.md) ------------------------------------

SHOPEE_URL = "https://example.id/hooks/shopee"
SHOPEE_KEY = "shpk_demo_partner_key_0123456789"
SHOPEE_BODY = (
    b'{"data":{"ordersn":"231115ABCDEF12","status":"READY_TO_SHIP","update_time":1700000000},'
    b'"shop_id":998877,"code":3,"timestamp":1700000005}'
)
SHOPEE_SIG = "844381e5577300c6b24a907948dcdee6d1443eb62382ec84858d2e8e307deadb"

LAZADA_KEY, LAZADA_SECRET = "123456", "lzd_demo_app_secret_abcdef0123"
LAZADA_BODY = (
    b'{"seller_id":"1234567","message_type":0,"data":{"order_status":"pending",'
    b'"trade_order_id":"260422900198363","trade_order_line_id":"260422900298363",'
    b'"status_update_time":1700000000},"timestamp":1700000001234,"site":"lazada_id"}'
)
LAZADA_SIG = "bd2d5fa66122cf1859811d30e1864804f59b19b9f503411f5f9f24f0f8b6d633"

TIKTOK_KEY, TIKTOK_SECRET = "6abcdeftt01", "tts_demo_app_secret_9f8e7d6c5b4a"
TIKTOK_BODY = (
    b'{"type":1,"tts_notification_id":"7327112393057371910","shop_id":"7494049642642441621",'
    b'"timestamp":1700000000,"data":{"order_id":"576486316948490001",'
    b'"order_status":"AWAITING_SHIPMENT","is_on_hold_order":false,"update_time":1700000000}}'
)
TIKTOK_SIG = "5442fdd350c0cd39b2826a06bf4e4636c410b004713ebb3421a85384a4f22e8d"

WOO_SECRET = "wc_demo_webhook_secret"  # noqa: S105 - the reference's made-up fixture
WOO_BODY = b'{"id":727,"status":"processing","line_items":[{"sku":"KAOS-M-HITAM","quantity":2}]}'
WOO_SIG = "zvXVXF8Uzrk/qhXzKB82L/xY9S4FJrhA6l+xPIK7xe8="

SHOPIFY_SECRET = "shpss_demo_client_secret"  # noqa: S105 - the reference's made-up fixture
SHOPIFY_BODY = b'{"id":820982911946154508,"line_items":[{"sku":"KAOS-M-HITAM","quantity":2}]}'
SHOPIFY_SIG = "/jZ3PTEPChMqTVUWTSO+CR0pj+fJ6RDMr5Cwmx1nqrs="

WOO_HOST, SHOPIFY_HOST = "toko-kaos.example", "toko-kaos.myshopify.com"

#: marketplace -> (secrets, raw body, signature header, its §7 value, extra headers)
VECTORS: dict[str, tuple[dict[str, str], bytes, str, str, dict[str, str]]] = {
    "shopee": ({"partner_key": SHOPEE_KEY}, SHOPEE_BODY, "Authorization", SHOPEE_SIG, {}),
    "lazada": (
        {"app_key": LAZADA_KEY, "app_secret": LAZADA_SECRET},
        LAZADA_BODY,
        "Authorization",
        LAZADA_SIG,
        {},
    ),
    "tiktok": (
        {"app_key": TIKTOK_KEY, "app_secret": TIKTOK_SECRET},
        TIKTOK_BODY,
        "Authorization",
        TIKTOK_SIG,
        {},
    ),
    "woocommerce": (
        {"webhook_secret": WOO_SECRET},
        WOO_BODY,
        "X-WC-Webhook-Signature",
        WOO_SIG,
        {
            "X-WC-Webhook-Source": f"https://{WOO_HOST}/",
            "X-WC-Webhook-Topic": "order.updated",
            "X-WC-Webhook-Delivery-ID": "d41d8cd98f00b204e9800998ecf8427e",
        },
    ),
    "shopify": (
        {"client_secret": SHOPIFY_SECRET},
        SHOPIFY_BODY,
        "X-Shopify-Hmac-Sha256",
        SHOPIFY_SIG,
        {
            "X-Shopify-Shop-Domain": SHOPIFY_HOST,
            "X-Shopify-Topic": "orders/updated",
            "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
        },
    ),
}
VECTOR_TIME = 1700000005.0  # "now" for the vectors' bodies (their timestamps are 2023's)


def _headers(marketplace: str, signature: str | None = None) -> dict[str, str]:
    _, _, name, value, extra = VECTORS[marketplace]
    return {**extra, name: value if signature is None else signature}


# -- verify(): every vector, and what must not verify ---------------------------------


@pytest.mark.parametrize("marketplace", sorted(VECTORS))
def test_every_reference_vector_verifies(marketplace: str) -> None:
    secrets, body, _, value, _ = VECTORS[marketplace]
    assert webhooks.sign(marketplace, body, SHOPEE_URL, secrets) == value
    assert webhooks.verify(marketplace, body, _headers(marketplace), SHOPEE_URL, secrets)
    lowered = {k.lower(): v for k, v in _headers(marketplace).items()}  # any header case
    assert webhooks.verify(marketplace, body, lowered, SHOPEE_URL, secrets)


@pytest.mark.parametrize("marketplace", sorted(VECTORS))
def test_bad_deliveries_do_not_verify_and_never_raise(marketplace: str) -> None:
    secrets, body, name, value, _ = VECTORS[marketplace]
    wrong = {k: v + "x" for k, v in secrets.items()}
    assert not webhooks.verify(marketplace, body, _headers(marketplace), SHOPEE_URL, wrong)
    for i in (0, len(body) // 2, len(body) - 1):  # one changed byte anywhere
        changed = body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1 :]
        assert not webhooks.verify(marketplace, changed, _headers(marketplace), SHOPEE_URL, secrets)
    missing = {k: v for k, v in _headers(marketplace).items() if k != name}
    assert not webhooks.verify(marketplace, body, missing, SHOPEE_URL, secrets)
    for odd in ("", "é" + value[1:], value + "\u00ff", "\udcff", "🙂" * 40):  # non-ASCII
        assert not webhooks.verify(
            marketplace, body, _headers(marketplace, odd), SHOPEE_URL, secrets
        )
    assert not webhooks.verify(marketplace, body, _headers(marketplace), SHOPEE_URL, {})
    if marketplace == "shopee":  # Shopee signs the callback URL: another URL is another sig
        assert not webhooks.verify(
            marketplace, body, _headers(marketplace), SHOPEE_URL + "/", secrets
        )


def test_signatures_match_an_independent_hmac() -> None:
    body = b'{"any":"body \xe2\x9c\x93"}'
    assert webhooks.sign("lazada", body, "", {"app_key": "k", "app_secret": "s"}) == (
        hmac.new(b"s", b"k" + body, hashlib.sha256).hexdigest()
    )
    assert webhooks.sign("shopify", body, "", {"client_secret": "s"}) == (
        base64.b64encode(hmac.new(b"s", body, hashlib.sha256).digest()).decode()
    )


def test_event_ids_dedupe_on_the_marketplaces_keys() -> None:
    ids = {m: webhooks.identify(m, v[1], _headers(m)) for m, v in VECTORS.items()}
    assert ids["shopee"].event_id == "998877:231115ABCDEF12:READY_TO_SHIP:1700000000"
    assert ids["lazada"].event_id == ("1234567:260422900198363:260422900298363:pending:1700000000")
    assert ids["lazada"].timestamp == pytest.approx(1700000001.234)  # ms, read as ms
    assert ids["tiktok"].event_id == "7494049642642441621:7327112393057371910"
    assert ids["woocommerce"].shop == WOO_HOST
    assert ids["woocommerce"].event_id.endswith(":d41d8cd98f00b204e9800998ecf8427e")
    assert ids["shopify"].event_id == f"{SHOPIFY_HOST}:98880550-7158-44d4-b7cd-2c97c8a091b5"
    other = b'{"shop_id":998877,"code":12,"data":{"expire_time":1},"timestamp":1700000005}'
    assert webhooks.identify("shopee", other, {}).event_id.startswith("998877:sha256:")


# -- the receiver over HTTP -----------------------------------------------------------


class World:
    """A database with one channel per marketplace, its secrets sealed, and an HTTP client
    on the webhook routes; ``clock`` is the receiver's "now"."""

    def __init__(self, store: Store, tenant: Tenant, clock: list[float]) -> None:
        self.store = store
        self.vault = credentials.Vault(credentials.load_key(store.path))
        self.ids: dict[str, int] = {}
        shops = {
            "shopee": ("998877", {}),
            "lazada": ("1234567", {"app_key": LAZADA_KEY}),
            "tiktok": ("7494049642642441621", {"app_key": TIKTOK_KEY}),
            "woocommerce": (WOO_HOST, {"base_url": f"https://{WOO_HOST}"}),
            "shopify": ("toko-kaos", {"base_url": "http://127.0.0.1:8443"}),  # a simulator's
        }
        for marketplace, (shop, settings) in shops.items():
            ch = catalog.add_channel(
                store,
                tenant.id,
                ChannelIn(name=f"{marketplace}-1", marketplace=marketplace, shop_id=shop),
                settings=dict(settings),
            )
            secrets = {k: v for k, v in VECTORS[marketplace][0].items() if k != "app_key"}
            credentials.save(store, self.vault, tenant.id, ch.id, app=secrets)
            self.ids[marketplace] = ch.id
        self.clock = clock
        self.app = Starlette(
            routes=routes(
                lambda: store,
                lambda: self.vault,
                public_url="https://example.id/hooks/shopee-base",
                clock=lambda: clock[0],
            )
        )
        self.client = TestClient(self.app, base_url="https://example.id")

    def post(self, marketplace: str, body: bytes, headers: dict[str, str], path: str = "") -> int:
        answer = self.client.post(path or f"/webhooks/{marketplace}", content=body, headers=headers)
        assert answer.content == b"", answer.content  # every answer has an empty body
        return answer.status_code

    def rows(self) -> list[tuple[str, str, int, int]]:
        return [
            (r["marketplace"], r["event_id"], r["channel_account_id"], r["processed"])
            for r in self.store.all(
                "SELECT marketplace, event_id, channel_account_id, "
                "processed_at IS NOT NULL AS processed FROM webhook_inbox ORDER BY id"
            )
        ]


@pytest.fixture
def world(store: Store, tenant: Tenant) -> Iterator[World]:
    w = World(store, tenant, [VECTOR_TIME])
    with w.client:
        yield w


def _shopee_sig(url: str, body: bytes) -> str:
    return hmac.new(SHOPEE_KEY.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()


def _vector_post(w: World, marketplace: str) -> int:
    body = VECTORS[marketplace][1]
    if marketplace == "shopee":  # signed over the URL Shopee was given, not the vector's
        return w.post("shopee", body, {"Authorization": _shopee_sig(_public(), body)})
    return w.post(marketplace, body, _headers(marketplace))


def _public() -> str:
    return "https://example.id/hooks/shopee-base/webhooks/shopee"


def test_each_vector_is_stored_once_and_a_replay_changes_nothing(world: World) -> None:
    for marketplace in VECTORS:
        assert _vector_post(world, marketplace) == 200
    first = world.rows()
    assert [r[0] for r in first] == list(VECTORS)
    assert [r[2] for r in first] == [world.ids[m] for m in VECTORS]
    tenants = world.store.all("SELECT DISTINCT tenant_id FROM webhook_inbox")
    assert [r["tenant_id"] for r in tenants] == [
        world.store.scalar("SELECT tenant_id FROM channel_account LIMIT 1")
    ]
    for marketplace in VECTORS:  # a captured delivery replayed: acknowledged, no effect
        assert _vector_post(world, marketplace) == 200
    assert world.rows() == first

    woken: list[tuple[int, str]] = []
    told: dict[int, tuple[str, ...] | None] = {}

    def wake(account: int, reason: str, orders: tuple[str, ...] | None) -> None:
        woken.append((account, reason))
        told[account] = orders

    assert webhooks.drain(world.store, wake) == 5
    assert woken == [(world.ids[m], "webhook") for m in VECTORS]
    # Shopee's order push and Lazada's trade order message name their order (a pull may
    # read just it); the others name none
    named = {"shopee": ("231115ABCDEF12",), "lazada": ("260422900198363",)}
    assert told == {world.ids[m]: named.get(m) for m in VECTORS}
    assert all(r[3] for r in world.rows())
    assert webhooks.drain(world.store, lambda a, r, _o: woken.append((a, r))) == 0
    assert len(woken) == 5
    for marketplace in VECTORS:  # the replay after processing: still nothing new
        assert _vector_post(world, marketplace) == 200
    assert webhooks.drain(world.store, lambda a, r, _o: woken.append((a, r))) == 0
    stamps = world.store.all("SELECT webhooks_at FROM channel_account ORDER BY id")
    assert all(s["webhooks_at"] for s in stamps)


def test_shopee_verifies_the_url_as_seen_without_a_public_url(store: Store, tenant: Tenant) -> None:
    w = World(store, tenant, [VECTOR_TIME])
    w.app = Starlette(routes=routes(lambda: store, lambda: w.vault, clock=lambda: VECTOR_TIME))
    with TestClient(w.app, base_url="https://example.id") as client:
        seen = "https://example.id/webhooks/shopee"
        answer = client.post(
            "/webhooks/shopee",
            content=SHOPEE_BODY,
            headers={"Authorization": _shopee_sig(seen, SHOPEE_BODY)},
        )
        assert (answer.status_code, answer.content) == (200, b"")
        bad = client.post(
            "/webhooks/shopee", content=SHOPEE_BODY, headers={"Authorization": SHOPEE_SIG}
        )
        assert bad.status_code == 401  # signed for another URL


def test_refusals(world: World) -> None:
    # wrong signature, missing signature, non-ASCII signature: 401, nothing stored
    assert world.post("tiktok", TIKTOK_BODY, _headers("tiktok", "0" * 64)) == 401
    assert world.post("tiktok", TIKTOK_BODY, {}) == 401
    answer = world.client.post(
        "/webhooks/shopify",
        content=SHOPIFY_BODY,
        headers=[
            (b"X-Shopify-Shop-Domain", SHOPIFY_HOST.encode()),
            (b"X-Shopify-Hmac-Sha256", "é/jZ3PTEPChMqTVUW🙂".encode()),
        ],
    )
    assert answer.status_code == 401
    # unknown shop and unknown marketplace: 404 (cheap: no secret is even opened)
    other = TIKTOK_BODY.replace(b"7494049642642441621", b"1111111111111111111")
    assert world.post("tiktok", other, _headers("tiktok")) == 404
    assert world.post("blibli", TIKTOK_BODY, {}) == 404
    wrong_store = {**_headers("woocommerce"), "X-WC-Webhook-Source": "https://elsewhere.example/"}
    assert world.post("woocommerce", WOO_BODY, wrong_store) == 404
    # a Shopify shop is found by its base_url's host or by <handle>.myshopify.com
    by_base = {**_headers("shopify"), "X-Shopify-Shop-Domain": "127.0.0.1:8443"}
    assert world.post("shopify", b"{}", by_base) == 401  # found; then its signature checked
    # a body naming no shop, or not JSON: 400
    assert world.post("lazada", b'{"message_type":0}', {"Authorization": "ab"}) == 400
    assert world.post("shopee", b"\xff\xfe not json", {"Authorization": "ab"}) == 400
    # a GET is not a delivery
    assert world.client.get("/webhooks/shopee").status_code == 405
    assert world.rows() == []


def test_oversize_is_413_before_the_body_is_read(world: World) -> None:
    big = b"{" + b" " * webhooks.MAX_BODY + b"}"
    assert world.post("shopify", big, _headers("shopify")) == 413  # Content-Length says so
    sent: list[int] = []

    def stream() -> Iterator[bytes]:  # chunked, no Content-Length: cut off while streaming
        for _ in range(64):
            sent.append(1)
            yield b" " * 65536

    answer = world.client.post("/webhooks/shopify", content=stream(), headers=_headers("shopify"))
    assert answer.status_code == 413
    assert world.rows() == []
    exact = b'{"id":1}' + b" " * (webhooks.MAX_BODY - 8)  # exactly the limit: read and checked
    assert world.post("shopify", exact, _headers("shopify")) == 401


def test_stale_or_future_timestamps_are_acknowledged_but_not_stored(world: World) -> None:
    world.clock[0] = VECTOR_TIME + webhooks.MAX_SKEW + 60  # 16 minutes later
    for marketplace in ("shopee", "lazada", "tiktok"):
        assert _vector_post(world, marketplace) == 200
    world.clock[0] = VECTOR_TIME - webhooks.MAX_SKEW - 60  # the bodies are 16 min ahead
    for marketplace in ("shopee", "lazada", "tiktok"):
        assert _vector_post(world, marketplace) == 200
    assert world.rows() == []
    # Lazada's ms timestamp read as ms: 14 minutes old is fresh (as seconds it would be
    # 53,000 years ahead, and as a bare number compared with seconds it would never pass)
    world.clock[0] = 1700000001.234 + 14 * 60
    assert _vector_post(world, "lazada") == 200
    # a Lazada message type that stamps seconds
    secs = LAZADA_BODY.replace(b"1700000001234", b"1700000001").replace(b'"pending"', b'"canceled"')
    sig = hmac.new(LAZADA_SECRET.encode(), LAZADA_KEY.encode() + secs, hashlib.sha256).hexdigest()
    assert world.post("lazada", secs, {"Authorization": sig}) == 200
    assert [r[0] for r in world.rows()] == ["lazada", "lazada"]
    # Woo and Shopify bodies carry no timestamp: their deliveries are never stale
    world.clock[0] = time.time()
    assert _vector_post(world, "shopify") == 200
    assert len(world.rows()) == 3


def test_woocommerce_creation_ping_is_acknowledged(world: World) -> None:
    ping = {
        "X-WC-Webhook-Source": f"https://{WOO_HOST}/",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert world.post("woocommerce", b"webhook_id=15", ping) == 200
    assert world.rows() == []


def test_tokopedia_shops_arrive_through_tiktok(store: Store, tenant: Tenant) -> None:
    w = World(store, tenant, [VECTOR_TIME])
    toko = catalog.add_channel(
        store,
        tenant.id,
        ChannelIn(name="toped", marketplace="tokopedia", shop_id="555"),
        settings={"app_key": TIKTOK_KEY},
    )
    credentials.save(store, w.vault, tenant.id, toko.id, app={"app_secret": TIKTOK_SECRET})
    body = TIKTOK_BODY.replace(b"7494049642642441621", b"555")
    sig = hmac.new(TIKTOK_SECRET.encode(), TIKTOK_KEY.encode() + body, hashlib.sha256).hexdigest()
    with w.client:
        assert w.post("tiktok", body, {"Authorization": sig}) == 200
    assert w.rows()[0][2] == toko.id


def test_a_rotated_secret_applies_at_the_next_delivery(world: World) -> None:
    assert _vector_post(world, "shopify") == 200
    tenant_id = int(world.store.scalar("SELECT tenant_id FROM channel_account LIMIT 1"))
    credentials.save(
        world.store, world.vault, tenant_id, world.ids["shopify"], app={"client_secret": "new-one"}
    )
    assert _vector_post(world, "shopify") == 401  # the old secret no longer verifies
    fresh = base64.b64encode(hmac.new(b"new-one", SHOPIFY_BODY, hashlib.sha256).digest()).decode()
    headers = {**_headers("shopify", fresh), "X-Shopify-Event-Id": "another"}
    assert world.post("shopify", SHOPIFY_BODY, headers) == 200
    assert len(world.rows()) == 2


def test_secrets_stay_out_of_reprs() -> None:
    receiver = webhooks.Receiver(lambda: None, lambda: None)  # type: ignore[arg-type,return-value]
    receiver._keys[1] = webhooks._Keys(3, {"client_secret": SHOPIFY_SECRET})
    assert SHOPIFY_SECRET not in repr(receiver._keys)
    assert SHOPIFY_SECRET not in repr(receiver)


# -- the worker -----------------------------------------------------------------------


def test_drain_wakes_each_account_once_per_batch_oldest_first(world: World) -> None:
    for n in range(3):  # three TikTok events, two Woo deliveries, interleaved
        body = TIKTOK_BODY.replace(b"7327112393057371910", f"73271123930573719{n}".encode())
        sig = hmac.new(TIKTOK_SECRET.encode(), TIKTOK_KEY.encode() + body, hashlib.sha256)
        assert world.post("tiktok", body, {"Authorization": sig.hexdigest()}) == 200
        if n < 2:
            headers = {**_headers("woocommerce"), "X-WC-Webhook-Delivery-ID": f"d{n}"}
            assert world.post("woocommerce", WOO_BODY, headers) == 200
    woken: list[int] = []
    assert webhooks.pending(world.store) == 5
    assert webhooks.drain(world.store, lambda a, r, _o: woken.append(a), limit=2) == 2
    assert woken == [world.ids["tiktok"], world.ids["woocommerce"]]
    assert webhooks.drain(world.store, lambda a, r, _o: woken.append(a)) == 3
    assert webhooks.pending(world.store) == 0


def test_a_failing_wake_leaves_the_rows_and_is_given_up_after_max_attempts(world: World) -> None:
    assert _vector_post(world, "tiktok") == 200
    assert _vector_post(world, "shopify") == 200
    woken: list[int] = []

    def wake(account: int, reason: str, orders: tuple[str, ...] | None) -> None:
        if account == world.ids["tiktok"]:
            raise RuntimeError("daemon stopping")
        woken.append(account)

    assert webhooks.drain(world.store, wake) == 1  # Shopify's; TikTok's stays
    row = world.store.one(
        "SELECT attempts, error, processed_at FROM webhook_inbox WHERE marketplace = 'tiktok'"
    )
    assert row is not None
    assert (row["attempts"], row["processed_at"]) == (1, None)
    assert "daemon stopping" in row["error"]
    for _ in range(webhooks.MAX_ATTEMPTS - 1):
        webhooks.drain(world.store, wake)
    assert webhooks.pending(world.store) == 0  # given up: the safety-net poll covers it
    assert woken == [world.ids["shopify"]]


def test_prune_keeps_recent_and_unprocessed_rows(world: World) -> None:
    assert _vector_post(world, "tiktok") == 200
    assert _vector_post(world, "shopify") == 200
    webhooks.drain(world.store, lambda a, r, _o: None)
    with world.store.write():
        world.store.conn.execute(
            "UPDATE webhook_inbox SET received_at = '2020-01-01T00:00:00.000+00:00' "
            "WHERE marketplace = 'tiktok'"
        )
    assert webhooks.prune(world.store) == 1
    assert [r[0] for r in world.rows()] == ["shopify"]


# -- kill -9 between receipt and processing --------------------------------------------

_CHILD = textwrap.dedent(
    """
    import hashlib, hmac, sys, time
    from starlette.applications import Starlette
    from starlette.testclient import TestClient
    import structlog
    from syncd import credentials
    from syncd.store import Store

    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    from syncd.web.webhook_routes import routes

    db, count, key, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    store = Store(db, create=False)
    vault = credentials.Vault(credentials.load_key(store.path, create=False))
    app = Starlette(routes=routes(lambda: store, lambda: vault, clock=lambda: 1700000005.0))
    client = TestClient(app)
    template = sys.stdin.buffer.read()
    for n in range(count):
        body = template.replace(b"7327112393057371910", str(n).zfill(19).encode())
        sig = hmac.new(secret.encode(), key.encode() + body, hashlib.sha256).hexdigest()
        status = client.post("/webhooks/tiktok", content=body, headers={"Authorization": sig})
        print(n, status.status_code, flush=True)
    print("done", flush=True)
    time.sleep(600)  # the parent kills us here: received, never drained
    """
)


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return env


@pytest.mark.parametrize("kill_after", [7, None])  # mid-stream, and after all were received
def test_inbox_survives_kill_9_between_receipt_and_processing(
    world: World, kill_after: int | None
) -> None:
    count = 12
    world.client.__exit__()
    world.store.close()  # the child writes; the parent opens the file again afterwards
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CHILD,
            str(world.store.path),
            str(count),
            TIKTOK_KEY,
            TIKTOK_SECRET,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_child_env(),
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    acknowledged: list[int] = []
    try:
        proc.stdin.write(TIKTOK_BODY)
        proc.stdin.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode().split()
            if not line or line[0] == "done":
                break
            assert line[1] == "200", line
            acknowledged.append(int(line[0]))
            if kill_after is not None and len(acknowledged) >= kill_after:
                break
    finally:
        proc.send_signal(signal.SIGKILL)  # received, never drained
        proc.wait(timeout=10)
        err = proc.stderr.read().decode()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, err
    assert len(acknowledged) == (kill_after or count), err

    store = Store(world.store.path, create=False)
    try:
        events = [
            r["event_id"]
            for r in store.all("SELECT event_id FROM webhook_inbox WHERE processed_at IS NULL")
        ]
        shop = "7494049642642441621"
        for n in acknowledged:  # every acknowledged delivery is durable
            assert f"{shop}:{n:019d}" in events
        woken: list[int] = []
        assert webhooks.drain(store, lambda a, r, _o: woken.append(a), limit=5) == 5
        assert webhooks.drain(store, lambda a, r, _o: woken.append(a)) == len(events) - 5
        assert webhooks.drain(store, lambda a, r, _o: woken.append(a)) == 0
        assert woken == [world.ids["tiktok"]] * 2  # one wake per batch, rows once each
        assert store.scalar("SELECT sum(attempts) FROM webhook_inbox") == len(events)
        assert store.scalar("SELECT count(*) FROM webhook_inbox WHERE processed_at IS NULL") == 0
    finally:
        store.close()


# -- the standalone app and `syncd webhooks setup` ------------------------------------


@pytest.fixture
def cli(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The CLI with ``syncd webhooks`` (registered here until syncd/cli.py lists it)."""
    import syncd.cli
    from syncd import cli_web, cli_webhooks

    if "cli_webhooks" not in Path(syncd.cli.__file__).read_text():
        served = cli_web.commands

        def both(sub: object, channel: object) -> None:
            served(sub, channel)
            cli_webhooks.commands(sub, channel)

        monkeypatch.setattr(cli_web, "commands", both)
    return cli


def test_standalone_app_serves_the_routes(world: World) -> None:
    from syncd.cli_webhooks import app
    from syncd.config import Settings

    served, stores = app(world.store.path, Settings())
    try:
        with TestClient(served) as client:
            answer = client.post(
                "/webhooks/shopify", content=SHOPIFY_BODY, headers=_headers("shopify")
            )
            assert (answer.status_code, answer.content) == (200, b"")
            assert (
                client.post(
                    "/webhooks/shopify", content=b"{}", headers=_headers("shopify")
                ).status_code
                == 401
            )
    finally:
        stores.close()
    assert [r[0] for r in world.rows()] == ["shopify"]


def test_setup_prints_the_url_and_the_console_steps(world: World, cli: Cli) -> None:
    run = cli("--lang", "en", "webhooks", "setup", "shopee-1", "--url", "https://sync.koperasi.id/")
    assert run.code == 0, run.err
    assert "https://sync.koperasi.id/webhooks/shopee" in run.out
    assert "Push Mechanism" in run.out
    assert "HTTPS" not in run.out.split("Push")[0]  # no https warning for an https address
    run = cli("--lang", "en", "webhooks", "setup", "lazada-1")
    assert "http://127.0.0.1:8750/webhooks/lazada" in run.out
    assert "OV or EV" in run.out
    assert "marketplaces deliver only to HTTPS" in run.out
    for name, how in (
        ("tiktok-1", "PUT /event/202309/webhooks"),
        ("shopify-1", "webhookSubscriptionCreate"),
    ):
        run = cli("--lang", "en", "webhooks", "setup", name)
        assert how in run.out, run.out


def test_setup_makes_a_woocommerce_secret_once(world: World, cli: Cli) -> None:
    tenant_id = int(world.store.scalar("SELECT tenant_id FROM channel_account LIMIT 1"))
    woo = world.ids["woocommerce"]
    credentials.save(world.store, world.vault, tenant_id, woo, app={"consumer_secret": "cs_1"})
    run = cli("--lang", "en", "webhooks", "setup", "woocommerce-1", "--url", "https://s.example")
    assert run.code == 0, run.err
    assert "order.created" in run.out
    assert "order.updated" in run.out
    secret = run.out.split("show it again): ")[1].split()[0]
    app = credentials.load(world.store, world.vault, tenant_id, woo).app
    assert app == {"consumer_secret": "cs_1", "webhook_secret": secret}
    again = cli("--lang", "en", "webhooks", "setup", "woocommerce-1")
    assert secret not in again.out
    assert "already has a webhook secret" in again.out
    body = json.dumps({"id": 1}).encode()
    sig = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    headers = {**_headers("woocommerce", sig), "X-WC-Webhook-Delivery-ID": "new"}
    assert world.post("woocommerce", body, headers) == 200
    renewed = cli("--lang", "en", "webhooks", "setup", "woocommerce-1", "--new-secret")
    assert "show it again" in renewed.out
    assert secret not in renewed.out
    assert world.post("woocommerce", body, {**headers, "X-WC-Webhook-Delivery-ID": "n2"}) == 401


def test_a_removed_channel_stops_receiving_once_the_directory_is_reread(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _vector_post(world, "shopify") == 200
    with world.store.write():
        world.store.conn.execute(
            "UPDATE channel_account SET removed_at = '2026-01-01' WHERE id = ?",
            (world.ids["shopify"],),
        )
    headers = {**_headers("shopify"), "X-Shopify-Event-Id": "after-removal"}
    assert world.post("shopify", SHOPIFY_BODY, headers) == 200  # within DIRECTORY_TTL
    monkeypatch.setattr(webhooks, "DIRECTORY_TTL", 0.0)
    headers["X-Shopify-Event-Id"] = "later"
    assert world.post("shopify", SHOPIFY_BODY, headers) == 404


def test_a_held_writer_lock_or_an_unreadable_vault_is_503_not_a_hang(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from syncd.errors import UserError

    monkeypatch.setattr(webhooks, "WRITE_TIMEOUT", 0.2)
    other = Store(world.store.path, create=False)
    try:
        with other.writer_lock():  # a long import in another process, say
            started = time.monotonic()
            assert _vector_post(world, "tiktok") == 503
            assert time.monotonic() - started < 2
    finally:
        other.close()
    assert world.store.lock_timeout == 30.0  # put back
    assert _vector_post(world, "tiktok") == 200  # the marketplace's retry

    def no_key() -> credentials.Vault:
        raise UserError("secrets.key_missing", path="/nowhere")

    app = Starlette(routes=routes(lambda: world.store, no_key, clock=lambda: VECTOR_TIME))
    with TestClient(app) as client:
        answer = client.post("/webhooks/shopify", content=SHOPIFY_BODY, headers=_headers("shopify"))
        assert (answer.status_code, answer.content) == (503, b"")


# -- the simulators' own deliveries, over real HTTP ------------------------------------


def test_simulated_deliveries_are_received_over_real_http(world: World) -> None:
    """Shopee's simulator signs ``<the URL it posts to>|<body>`` with the partner key and
    Shopify's signs with the client secret: the standalone receiver (uvicorn) takes them;
    a drain wakes each shop once."""
    import threading

    import uvicorn

    from adapters.shopee.simulator import ShopeeSimulator
    from adapters.shopify.simulator import ShopifySimulator
    from syncd.cli_webhooks import app
    from syncd.config import Settings

    served, stores = app(world.store.path, Settings())
    server = uvicorn.Server(
        uvicorn.Config(served, host="127.0.0.1", port=0, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    shopee = ShopeeSimulator(partner_key=SHOPEE_KEY).start()
    shopify = ShopifySimulator().start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        tenant_id = int(world.store.scalar("SELECT tenant_id FROM channel_account LIMIT 1"))
        with world.store.write():  # the world's Shopify channel becomes the simulator's shop
            world.store.conn.execute(
                "UPDATE channel_account SET shop_id = ? WHERE id = ?",
                (shopify.shop, world.ids["shopify"]),
            )
        credentials.save(
            world.store,
            world.vault,
            tenant_id,
            world.ids["shopify"],
            app={"client_secret": next(iter(shopify.apps.values()))},
        )
        shopee.add_shop(998877)
        shopee.add_item(998877, 7002, "Kopi", sku="KOPI-250", stock=100)
        _, variant = shopify.add_product("Kopi", [("KOPI-250", 45000, 100)])
        with (
            shopee.enable_webhooks(f"{base}/webhooks/shopee") as to_shopee,
            shopify.enable_webhooks(f"{base}/webhooks/shopify") as to_shopify,
        ):
            order = shopee.place_order(998877, [(7002, 0, 1)], status="READY_TO_SHIP")
            shopee.set_order_status(order, "SHIPPED")
            shopify.place_order([(variant, 1)])
            assert to_shopee.flush(timeout=10.0)
            assert to_shopify.flush(timeout=10.0)
    finally:
        shopee.stop()
        shopify.stop()
        server.should_exit = True
        thread.join(timeout=10)
        stores.close()
    rows = world.rows()
    assert [r[0] for r in rows].count("shopee") == 2
    assert "shopify" in [r[0] for r in rows]
    woken: list[int] = []
    assert webhooks.drain(world.store, lambda a, r, _o: woken.append(a)) == len(rows)
    assert sorted(set(woken)) == sorted([world.ids["shopee"], world.ids["shopify"]])


@pytest.mark.parametrize(
    ("marketplace", "body", "named"),
    [
        (
            "shopee",
            b'{"code":3,"shop_id":1,"data":{"ordersn":"2412ABC","status":"UNPAID"}}',
            ("2412ABC",),
        ),
        (
            "shopee",
            b'{"code":12,"shop_id":1,"data":{"ordersn":"2412ABC"}}',
            (),
        ),  # not an order push
        ("shopee", b'{"code":3,"shop_id":1,"data":{"ordersn":""}}', ()),
        ("shopee", b'{"code":3,"shop_id":1,"data":"2412ABC"}', ()),
        ("shopee", b"not json", ()),
        (
            "lazada",
            b'{"message_type":0,"seller_id":"1","data":{"trade_order_id":"9",'
            b'"trade_order_line_id":"10","order_status":"unpaid"}}',
            ("9",),
        ),
        ("lazada", b'{"message_type":0,"seller_id":"1","data":{"trade_order_id":9}}', ("9",)),
        # a reverse order (type 10) or a product message: the list is walked
        ("lazada", b'{"message_type":10,"seller_id":"1","data":{"trade_order_id":"9"}}', ()),
        ("lazada", b'{"message_type":0,"seller_id":"1","data":{"trade_order_id":"9a"}}', ()),
        ("lazada", b'{"message_type":0,"seller_id":"1","data":{"trade_order_id":""}}', ()),
        ("lazada", b'{"message_type":0,"seller_id":"1","data":{}}', ()),
        ("lazada", b'{"message_type":"0","seller_id":"1","data":{"trade_order_id":"9"}}', ()),
        ("tiktok", b'{"type":1,"shop_id":"1","data":{"order_id":"9"}}', ()),
    ],
)
def test_shopee_and_lazada_order_pushes_name_an_order_to_read_alone(
    marketplace: str, body: bytes, named: tuple[str, ...]
) -> None:
    assert webhooks.named_orders(marketplace, body) == named
