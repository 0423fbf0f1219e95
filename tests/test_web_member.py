"""The member's (seller's) web pages: stock and search, a SKU, a sale and a count once per
form, held phone sales, orders and the pick list, channels with what to do, the import's
preview with its row errors and the apply of exactly the previewed file.

The cooperative (two members, seven users with argon2 hashes) is built once; each test
works on its own copy of that database, and signs in by opening a session directly
(the login form itself is the frame's tests' business).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from syncd import catalog, credentials, inventory, localtime, lowstock, orders, users
from syncd.adapter import Credentials, OrderLine, OrderPage, RemoteOrder
from syncd.errors import NotFound
from syncd.models import ChannelIn, Component, ListingIn, SkuIn
from syncd.store import Store
from tests.webkit import Coop, Member, app_for, build_coop

PAGES = ("/", "/stock?q=", "/sale", "/orders", "/picklist", "/channels", "/import")
START = "2020-01-01T00:00:00+00:00"


# -- a cooperative per test, built once ---------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Coop:
    where = tmp_path_factory.mktemp("coop")
    coop = build_coop(where / "s.db")
    for member in coop.members():  # an order each, so pages have something of both
        _bind(coop.store, member, member.skus[0], f"{member.mark}-ITEM-1")
        member.order_id = f"{member.mark}-ORDER-1"
        _order(coop.store, member, member.order_id, f"{member.mark}-ITEM-1", 2)
    coop.store.close()
    return coop


@pytest.fixture
def coop(built: Coop, tmp_path: Path) -> Iterator[Coop]:
    here = tmp_path / "coop"
    shutil.copytree(built.db_path.parent, here)
    store = Store(here / built.db_path.name, create=False)
    yield dataclasses.replace(built, db_path=store.path, store=store)
    store.close()


@pytest.fixture
def client(coop: Coop) -> Iterator[TestClient]:
    with TestClient(app_for(coop), base_url="http://127.0.0.1") as c:
        yield c


def sign(client: TestClient, coop: Coop, login: str) -> str:
    """Serve ``login``'s first shop in this client; returns the session's CSRF token."""
    user = users.find_user(coop.store, login)
    assert user is not None
    tenant = users.memberships(coop.store, user.id)[0].tenant_id
    token, session = users.open_session(coop.store, user, tenant, hours=12)
    client.cookies.set("syncd_session", token)
    return session.csrf


def _bind(store: Store, member: Member, sku: str, item: str) -> None:
    inventory.bind_listing(
        store, member.tenant.id, ListingIn(sku=sku, channel=member.channel, item_id=item)
    )


def _order(
    store: Store, member: Member, order_id: str, item: str, qty: int, status: str = "READY_TO_SHIP"
) -> None:
    at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    account = catalog.get_channel(store, member.tenant.id, member.channel).id
    found = RemoteOrder(order_id, status, "open", at, at, (OrderLine("L1", item, "", None, qty),))
    page = OrderPage([found], cursor="c", more=False)
    orders.ingest(store, member.tenant.id, account, page, integration_start=START)


def available(coop: Coop, member: Member, sku: str) -> int:
    from syncd.availability import stock_table

    return {r.sku: r.available for r in stock_table(coop.store, member.tenant.id)}[sku]


def leaks(body: str, other: Member) -> list[str]:
    return [s for s in other.secrets_in_page if s and s in body]


def key_of(html: str) -> str:
    found = re.search(r'name="key" value="([^"]+)"', html)
    assert found, "no key in the form"
    return found.group(1)


# -- every page, each member, owner and staff ------------------------------------------------


def test_every_page_shows_the_members_data_and_nothing_of_the_other(
    coop: Coop, client: TestClient
) -> None:
    for member, other in (coop.members(), coop.members()[::-1]):
        for role in ("owner", "staff"):
            sign(client, coop, member.logins[role])
            for path in (*PAGES, f"/sku/{member.skus[0]}"):
                answer = client.get(path)
                assert answer.status_code == 200, (member.mark, role, path, answer.text[-400:])
                assert not leaks(answer.text, other), (member.mark, role, path)
                assert member.tenant.name in answer.text
            assert member.skus[1] in client.get("/").text
            assert member.order_id in client.get("/orders").text
            assert member.channel in client.get("/channels").text
        sign(client, coop, member.logins["cashier"])
        for path in PAGES[1:]:
            assert client.get(path, follow_redirects=False).status_code == 403, path


def test_another_members_ids_are_not_found(coop: Coop, client: TestClient) -> None:
    csrf = sign(client, coop, coop.sri.logins["owner"])
    budi = coop.budi
    asked = [
        client.get(f"/sku/{budi.skus[0]}"),
        client.get(f"/orders?channel={budi.channel}"),
        client.get(f"/picklist?channel={budi.channel}"),
        client.get(f"/sale?sku1={budi.skus[0]}"),
        client.post("/count", data={"csrf": csrf, "sku": budi.skus[0], "qty": "3"}),
        client.post("/sale", data={"csrf": csrf, "sku1": budi.skus[0], "qty1": "1"}),
        client.post(f"/channels/{budi.channel}/accept", data={"csrf": csrf}),
    ]
    for answer in asked:
        assert answer.status_code == 404, answer.request.url
        assert not leaks(answer.text, budi)
    assert available(coop, budi, budi.skus[0]) == 8  # 10 received, 2 reserved by its order


# -- stock and search --------------------------------------------------------------------------


def test_stock_lists_low_stock_first_and_searches(coop: Coop, client: TestClient) -> None:
    sri = coop.sri
    lowstock.set_threshold(coop.store, sri.tenant.id, "SRI-PUTRI", 10)
    sign(client, coop, sri.logins["staff"])
    page = client.get("/").text
    order = list(re.findall(r'href="/sku/([^"]+)"', page))
    assert order == ["SRI-PUTRI", "SRI-KASTENGEL", "SRI-NASTAR"]
    assert 'class="low"' in page
    found = client.get("/stock?q=kasten")
    assert found.status_code == 200
    assert "<html" in found.text
    assert "SRI-KASTENGEL" in found.text
    assert "SRI-NASTAR" not in found.text
    rows = client.get("/stock?q=NASTAR", headers={"HX-Request": "true"})
    assert rows.status_code == 200
    assert "<html" not in rows.text
    assert re.findall(r'href="/sku/([^"]+)"', rows.text) == ["SRI-NASTAR"]
    assert "SRI-" not in client.get("/stock?q=BUDI", headers={"HX-Request": "true"}).text


def test_sku_page_explains_each_channel_and_shows_the_ledger(
    coop: Coop, client: TestClient
) -> None:
    sign(client, coop, coop.sri.logins["owner"])
    page = client.get("/sku/SRI-NASTAR").text
    assert "shopee-sri:" in page  # explain's line for the channel
    assert "barang masuk" in page
    assert "in-SRI-NASTAR" not in page
    assert "dipesan" in page  # the order's reservation
    client.cookies.set("syncd_lang", "en")
    english = client.get("/sku/SRI-NASTAR").text
    assert "receipt" in english
    assert "What each channel shows" in english


# -- a sale and a count --------------------------------------------------------------------


def test_a_sale_from_the_form_moves_stock_once_even_posted_twice(
    coop: Coop, client: TestClient
) -> None:
    sri = coop.sri
    csrf = sign(client, coop, sri.logins["staff"])
    started = client.get("/sale?sku1=SRI-KASTENGEL").text  # the SKU page's link
    assert '<option value="SRI-KASTENGEL" selected>' in started
    key = key_of(started)
    form = {
        "csrf": csrf,
        "key": key,
        "via": "whatsapp",
        "sku1": "SRI-KASTENGEL",
        "qty1": "2",
        "sku2": "SRI-PUTRI",
        "qty2": "",  # one
        "note": "Bu Ani",
    }
    first = client.post("/sale", data=form)
    assert first.status_code == 200
    assert "WhatsApp" in first.text
    assert "dicatat" in first.text
    assert key_of(first.text) != key  # the next sale gets a new key
    again = client.post("/sale", data=form)
    assert again.status_code == 200
    assert "sudah dicatat" in again.text
    assert available(coop, sri, "SRI-KASTENGEL") == 8
    assert available(coop, sri, "SRI-PUTRI") == 9
    lines = coop.store.scalar(
        "SELECT COUNT(*) FROM movement WHERE tenant_id = ? AND idem_key LIKE ?",
        (sri.tenant.id, f"form:{key}#%"),
    )
    assert lines == 2
    # more than the stock: refused whole, said in the page, the form kept
    short = {**form, "key": key_of(again.text), "qty1": "50"}
    refused = client.post("/sale", data=short)
    assert refused.status_code == 422
    assert "tidak cukup" in refused.text
    assert 'value="50"' in refused.text
    assert available(coop, sri, "SRI-KASTENGEL") == 8
    assert available(coop, sri, "SRI-PUTRI") == 9
    done = client.post("/sale", data={**short, "allow_negative": "1"})
    assert done.status_code == 200
    assert (
        coop.store.scalar(
            "SELECT SUM(on_hand) FROM balance WHERE sku_id = ?",
            (catalog.get_sku(coop.store, sri.tenant.id, "SRI-KASTENGEL").id,),
        )
        == 8 - 50
    )


def test_a_stock_count_sets_on_hand_once(coop: Coop, client: TestClient) -> None:
    sri = coop.sri
    csrf = sign(client, coop, sri.logins["owner"])
    key = key_of(client.get("/sku/SRI-PUTRI").text)
    form = {"csrf": csrf, "key": key, "sku": "SRI-PUTRI", "qty": "4", "reason": "rak depan"}
    first = client.post("/count", data=form)
    assert first.status_code == 200
    assert "hitungan dicatat" in first.text
    assert "tersedia 4" in first.text
    again = client.post("/count", data=form)
    assert "sudah dicatat" in again.text
    assert available(coop, sri, "SRI-PUTRI") == 4
    assert "rak depan" in again.text
    assert "aplikasi web" in again.text
    bad = client.post("/count", data={**form, "qty": "-1"})
    assert bad.status_code == 422
    assert available(coop, sri, "SRI-PUTRI") == 4


# -- held phone sales -------------------------------------------------------------------------


def test_held_phone_sales_are_applied_or_cancelled_by_the_owner(
    coop: Coop, client: TestClient
) -> None:
    sri = coop.sri
    catalog.set_tenant_policy(coop.store, sri.tenant.id, "offline_oversell", "hold")
    csrf = sign(client, coop, sri.logins["cashier"])
    for key in ("phone-key-0001", "phone-key-0002"):
        sent = client.post(
            "/api/sales",
            json={"key": key, "items": [{"sku": "SRI-PUTRI", "qty": 12}], "channel": "cash"},
            headers={"X-CSRF-Token": csrf},
        )
        assert sent.json()["status"] == "held"
    held = [r["id"] for r in coop.store.all("SELECT id FROM held_sale ORDER BY id")]
    staff_csrf = sign(client, coop, sri.logins["staff"])
    page = client.get("/").text
    assert "menunggu keputusan pemilik" in page
    assert 'action="/held/' not in page
    refused = client.post(f"/held/{held[0]}", data={"csrf": staff_csrf, "action": "apply"})
    assert refused.status_code == 403
    owner_csrf = sign(client, coop, sri.logins["owner"])
    assert f'action="/held/{held[0]}"' in client.get("/").text
    done = client.post(
        f"/held/{held[0]}", data={"csrf": owner_csrf, "action": "apply"}, follow_redirects=False
    )
    assert done.status_code == 303
    client.post(f"/held/{held[1]}", data={"csrf": owner_csrf, "action": "cancel"})
    on_hand = coop.store.scalar(
        "SELECT SUM(on_hand) FROM balance WHERE sku_id = ?",
        (catalog.get_sku(coop.store, sri.tenant.id, "SRI-PUTRI").id,),
    )
    assert on_hand == 10 - 12  # the applied one only, below zero
    assert "menunggu keputusan pemilik" not in client.get("/").text
    again = client.post(f"/held/{held[0]}", data={"csrf": owner_csrf, "action": "apply"})
    assert again.status_code == 200  # decided already: nothing twice
    assert coop.store.scalar("SELECT COUNT(*) FROM movement WHERE idem_key LIKE 'web:%'") == 1


# -- orders and the pick list ------------------------------------------------------------------


def test_orders_and_the_picklist_with_a_bundle_expanded(coop: Coop, client: TestClient) -> None:
    sri = coop.sri
    with coop.store.write():
        catalog.upsert_sku(
            coop.store,
            sri.tenant.id,
            SkuIn(
                sku="SRI-HAMPERS",
                name="Hampers",
                price=90_000,
                components=(Component(sku="SRI-NASTAR", qty=2), Component(sku="SRI-PUTRI", qty=1)),
            ),
        )
    _bind(coop.store, sri, "SRI-HAMPERS", "SRI-ITEM-H")
    _order(coop.store, sri, "SRI-ORDER-2", "SRI-ITEM-H", 1)
    _order(coop.store, sri, "SRI-ORDER-3", "SRI-ITEM-X", 1, status="UNPAID")  # not bound
    sign(client, coop, sri.logins["staff"])
    page = client.get("/orders").text
    assert all(o in page for o in ("SRI-ORDER-1", "SRI-ORDER-2", "SRI-ORDER-3"))
    assert "belum terikat" in page
    assert not leaks(page, coop.budi)
    assert "SRI-ORDER-1" not in client.get("/orders?status=cancelled").text
    today = dt.datetime.now(localtime.zone()).date()
    assert "SRI-ORDER-2" in client.get(f"/orders?day={today.isoformat()}").text
    earlier = (today - dt.timedelta(days=3)).isoformat()
    assert "SRI-ORDER-2" not in client.get(f"/orders?day={earlier}").text
    mistyped = client.get("/orders?day=kemarin-lusa")
    assert mistyped.status_code == 200
    assert 'class="error"' in mistyped.text
    picks = client.get("/picklist").text
    cells = r'href="/sku/([^"]+)">[^<]*</a></td><td>[^<]*</td><td class="num"><b>(\d+)'
    rows = dict(re.findall(cells, picks))
    assert rows == {"SRI-NASTAR": "4", "SRI-PUTRI": "1"}  # 2 for order 1, 2 in the hampers
    assert "shopee-sri SRI-ORDER-2 (SRI-HAMPERS)" in picks
    assert "SRI-ORDER-3" not in picks  # unpaid: not to pack
    assert "SRI-NASTAR" in client.get(f"/picklist?channel={sri.channel}&day={today}").text


# -- channels ---------------------------------------------------------------------------------


def _connected(coop: Coop, member: Member, name: str, **settings: object) -> int:
    """A channel with its app secret (and tokens when ``tokens``) sealed."""
    vault = credentials.Vault(credentials.load_key(coop.store.path))
    tokens = settings.pop("tokens", False)
    if name == member.channel:
        channel_id = catalog.get_channel(coop.store, member.tenant.id, name).id
    else:
        channel_id = catalog.add_channel(
            coop.store,
            member.tenant.id,
            ChannelIn(name=name, marketplace="shopee", shop_id="77"),
            settings=settings,
        ).id
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    credentials.save(
        coop.store,
        vault,
        member.tenant.id,
        channel_id,
        app={"partner_key": "a-partner-key-for-tests"},
        tokens=Credentials("at", "rt", later, later, later) if tokens else None,
    )
    return channel_id


def test_channels_say_what_to_do_and_the_owner_accepts(coop: Coop, client: TestClient) -> None:
    sri = coop.sri
    _connected(coop, sri, sri.channel, tokens=True)  # connected, never accepted
    _connected(coop, sri, "shopee-sri-2", partner_id=1234)  # no tokens yet
    staff = sign(client, coop, sri.logins["staff"])
    page = client.get("/channels").text
    assert "belum ditinjau" in page
    assert "belum tersambung" in page
    assert "SRI-ITEM-1" in page
    assert "tak diketahui" in page
    assert "/accept" not in page
    assert "auth_partner" not in page
    refused = client.post(f"/channels/{sri.channel}/accept", data={"csrf": staff})
    assert refused.status_code == 403
    assert catalog.get_channel(coop.store, sri.tenant.id, sri.channel).accepted_at is None
    owner = sign(client, coop, sri.logins["owner"])
    page = client.get("/channels").text
    assert f'action="/channels/{sri.channel}/accept"' in page
    assert "/api/v2/shop/auth_partner?partner_id=1234" in page  # the authorization link
    assert "a-partner-key-for-tests" not in page
    done = client.post(f"/channels/{sri.channel}/accept", data={"csrf": owner})
    assert done.status_code == 200
    assert "disetujui" in done.text
    accepted = catalog.get_channel(coop.store, sri.tenant.id, sri.channel)
    assert accepted.accepted_at is not None
    assert accepted.price_sync == "off"
    catalog.set_paused(coop.store, sri.tenant.id, sri.channel, paused=True)
    assert "dijeda" in client.get("/channels").text
    resumed = client.post(f"/channels/{sri.channel}/resume", data={"csrf": owner})
    assert resumed.status_code == 200
    assert catalog.get_channel(coop.store, sri.tenant.id, sri.channel).paused_at is None


# -- import -----------------------------------------------------------------------------------


def _upload(client: TestClient, csrf: str, name: str, text: str, **form: str) -> object:
    return client.post(
        "/import",
        data={"csrf": csrf, **form},
        files={"file": (name, text.encode(), "text/csv")},
    )


def test_import_shows_every_row_error_and_applies_nothing(coop: Coop, client: TestClient) -> None:
    sri = coop.sri
    csrf = sign(client, coop, sri.logins["staff"])
    bad = "sku,nama,harga,stok\nSRI-BOLU,Bolu,25000,5\nSRI-LAPIS,,30000,2\nSRI-TART,Tart,murah,1\n"
    answer = _upload(client, csrf, "produk.csv", bad)
    assert answer.status_code == 422
    body = answer.text
    assert "produk.csv" in body
    assert "Tidak ada yang disimpan" in body
    cells = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>', body)
    assert [(row, column) for row, column, _ in cells] == [("3", "nama"), ("4", "harga")]
    assert all(message.strip() for _, _, message in cells)
    assert len(catalog.list_skus(coop.store, sri.tenant.id)) == 3
    uploads = coop.db_path.parent / f".{coop.db_path.name}.uploads"
    assert not any(uploads.iterdir())  # a refused file is not kept
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Kode", "Nama Barang", "Harga Jual (Rp)"])
    sheet.append(["SRI-BOLU", "Bolu", -5])
    data = io.BytesIO()
    book.save(data)
    xlsx = client.post(
        "/import",
        data={"csrf": csrf},
        files={"file": ("produk.xlsx", data.getvalue(), "application/octet-stream")},
    )
    assert xlsx.status_code == 422
    assert '<td class="num">2</td><td>Harga Jual (Rp)</td>' in xlsx.text
    assert len(catalog.list_skus(coop.store, sri.tenant.id)) == 3
    header = _upload(client, csrf, "kosong.csv", "hraga,nama\n1,2\n")
    assert header.status_code == 422
    assert "hraga" in header.text


def test_a_good_import_previews_then_applies_exactly_that_file(
    coop: Coop, client: TestClient
) -> None:
    sri = coop.sri
    csrf = sign(client, coop, sri.logins["owner"])
    good = "sku,nama,harga,stok\nSRI-BOLU,Bolu Pandan,27500,5\nSRI-NASTAR,Kue SRI 0,26000,\n"
    preview = _upload(client, csrf, "../../etc/produk baru.csv", good)
    assert preview.status_code == 200, preview.text[-500:]
    assert "SRI-BOLU" in preview.text
    assert "1 SKU baru" in preview.text
    assert "/etc" not in preview.text
    with pytest.raises(NotFound):
        catalog.get_sku(coop.store, sri.tenant.id, "SRI-BOLU")  # nothing yet
    token = re.search(r'name="token" value="([^"]+)"', preview.text)
    digest = re.search(r'name="digest" value="([^"]+)"', preview.text)
    assert token
    assert digest
    apply = {"csrf": csrf, "action": "apply", "token": token[1], "digest": digest[1]}
    # another session of the same member cannot apply this one's upload
    mine = client.cookies["syncd_session"]
    other_csrf = sign(client, coop, sri.logins["staff"])
    stolen = client.post("/import", data={**apply, "csrf": other_csrf})
    assert stolen.status_code == 422
    client.cookies.set("syncd_session", mine)
    changed = client.post("/import", data={**apply, "digest": "0" * 64})
    assert changed.status_code == 422
    assert "berubah" in changed.text
    done = client.post("/import", data=apply)
    assert done.status_code == 200
    assert "diterapkan" in done.text
    assert catalog.get_sku(coop.store, sri.tenant.id, "SRI-BOLU").price == 27_500
    assert catalog.get_sku(coop.store, sri.tenant.id, "SRI-NASTAR").price == 26_000
    assert available(coop, sri, "SRI-BOLU") == 5
    assert client.post("/import", data=apply).status_code == 422  # applied once only
    bolu = catalog.get_sku(coop.store, sri.tenant.id, "SRI-BOLU").id
    reason = coop.store.scalar("SELECT reason FROM movement WHERE sku_id = ?", (bolu,))
    assert reason == "produk baru.csv row 2"  # the seller's file name, not the server's
