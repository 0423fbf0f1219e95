"""The cashier's phone page in a real browser at 360×740: one tap per item, the total in
rupiah, and sales that wait on the phone (IndexedDB + service worker) while the network
is gone, then apply exactly once, even when the page reloads while sending."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import expect

from syncd.i18n import rupiah, t, use_lang
from tests.browser.conftest import PHONE, Pages, Site, signed_in


def id_text(key: str, **params: Any) -> str:
    with use_lang("id"):
        return t(key, **params)


def item(page: Any, sku: str) -> Any:
    return page.locator(f"#items .item[data-sku='{sku}']")


def sell(page: Any, picks: dict[str, int]) -> None:
    """Tap + on each item as often as asked, then Done."""
    for sku, n in picks.items():
        for _ in range(n):
            item(page, sku).locator("button.plus").click()
    page.click("#done")


def queue_shows(page: Any, count: int, timeout: float = 10_000) -> None:
    queue = page.locator("#queue")
    expect(queue).to_have_attribute("data-count", str(count), timeout=timeout)
    expect(queue).to_have_text(id_text("web.cashier.waiting", count=count))


def service_worker_ready(page: Any, timeout: float = 10.0) -> None:
    """Wait until the cashier page's service worker is active and controls the page."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    deadline = time.monotonic() + timeout
    while not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        assert time.monotonic() < deadline, "the service worker never took control of /cashier"
        page.wait_for_timeout(50)


def sale_keys(site: Site) -> list[str]:
    """The phone's key of each recorded line (``web:<key>#<line>``)."""
    return [str(r["idem_key"]) for r in site.movements()]


def test_a_sale_from_the_phone_page_moves_stock_once(site: Site, new_page: Pages) -> None:
    page: Any = new_page(viewport=PHONE)
    signed_in(page, site, "cashier.sri", "/")
    assert page.url == site.url + "/cashier"  # a cashier's home
    sri = site.coop.sri
    nastar = item(page, "SRI-NASTAR")
    expect(nastar.locator(".avail")).to_have_text(id_text("web.cashier.left", count=10))
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the cashier page scrolls sideways at 360 px ({width} px)"

    nastar.locator("button.plus").click()
    nastar.locator("button.plus").click()
    expect(nastar.locator(".n")).to_have_text("2")
    with use_lang("id"):
        expect(page.locator("#total")).to_have_text(rupiah(2 * 25_000))
    page.click("#done")

    expect(page.locator("#last")).to_have_text(id_text("web.cashier.sent"))
    expect(nastar.locator(".avail")).to_have_text(id_text("web.cashier.left", count=8))
    queue_shows(page, 0)
    expect(page.locator("#total")).to_have_text("Rp 0")
    moves = site.movements()
    assert [(m["sku"], m["qty"], m["source"], m["channel"]) for m in moves] == [
        ("SRI-NASTAR", 2, "web", "cash")
    ]
    assert moves[0]["tenant_id"] == sri.tenant.id
    assert site.available(sri.tenant.id, "SRI-NASTAR") == 8


def test_offline_sales_wait_on_the_phone_and_apply_once(site: Site, new_page: Pages) -> None:
    page: Any = new_page(viewport=PHONE)
    signed_in(page, site, "cashier.sri", "/cashier")
    service_worker_ready(page)  # it keeps the page as it installs
    expect(page.locator("#net")).to_have_text(id_text("web.cashier.online"))

    page.context.set_offline(True)
    expect(page.locator("#net")).to_have_text(id_text("web.cashier.offline"))
    picks = [{"SRI-NASTAR": 1}, {"SRI-KASTENGEL": 1}, {"SRI-PUTRI": 2}]
    for n, sale in enumerate(picks, start=1):
        sell(page, sale)
        queue_shows(page, n)
    assert site.movements() == []  # nothing reached the server

    page.reload()  # with no network: the service worker serves the kept page
    expect(page.locator("#items .item")).to_have_count(3)
    queue_shows(page, 3)
    page.wait_for_timeout(300)
    assert site.movements() == []

    page.context.set_offline(False)
    queue_shows(page, 0, timeout=10_000)
    moves = site.movements()
    assert sorted((m["sku"], m["qty"]) for m in moves) == [
        ("SRI-KASTENGEL", 1),
        ("SRI-NASTAR", 1),
        ("SRI-PUTRI", 2),
    ]
    keys = sale_keys(site)
    assert len(set(keys)) == 3  # three sales, none twice
    assert len({k.split("#")[0] for k in keys}) == 3
    sri = site.coop.sri.tenant.id
    assert site.available(sri, "SRI-NASTAR") == 9
    assert site.available(sri, "SRI-PUTRI") == 8
    expect(item(page, "SRI-PUTRI").locator(".avail")).to_have_text(
        id_text("web.cashier.left", count=8)
    )
    page.wait_for_timeout(3_500)  # one more round of the page's 3 s sender: nothing new
    assert len(site.movements()) == 3


def test_a_sale_whose_answer_is_lost_is_sent_again_after_a_reload_and_applies_once(
    site: Site, new_page: Pages
) -> None:
    # no service worker here: the test's hand on /api/sales must see every delivery
    page: Any = new_page(viewport=PHONE, service_workers="block")
    signed_in(page, site, "cashier.sri", "/cashier")
    delivered: list[int] = []
    answers: list[str] = []
    reloaded = False

    def deliver(route: Any) -> None:
        if not delivered:  # the first delivery reaches the server; its answer is lost
            delivered.append(route.fetch().status)
            route.abort("connectionreset")
        elif not reloaded:  # still no answer until the cashier reloads the page
            route.abort("internetdisconnected")
        else:
            response = route.fetch()
            answers.append(response.json()["status"])
            route.fulfill(response=response)

    page.route("**/api/sales", deliver)
    sell(page, {"SRI-NASTAR": 3})
    deadline = time.monotonic() + 10
    while not delivered:
        assert time.monotonic() < deadline, "the sale was never sent"
        page.wait_for_timeout(20)
    assert delivered == [200]
    queue_shows(page, 1)  # recorded on the server, but the phone does not know it
    keys = sale_keys(site)
    assert len(keys) == 1

    reloaded = True
    page.reload()
    queue_shows(page, 0)
    expect(page.locator("#last")).to_have_text(id_text("web.cashier.sent"))
    assert answers
    assert set(answers) == {"already"}
    assert sale_keys(site) == keys  # exactly one movement for that sale
    assert site.available(site.coop.sri.tenant.id, "SRI-NASTAR") == 7
    expect(item(page, "SRI-NASTAR").locator(".avail")).to_have_text(
        id_text("web.cashier.left", count=7)
    )


def test_a_first_visit_is_kept_for_offline(site: Site, new_page: Pages) -> None:
    page: Any = new_page(viewport=PHONE)
    signed_in(page, site, "cashier.sri", "/cashier")
    service_worker_ready(page)
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#items .item")).to_have_count(3)
