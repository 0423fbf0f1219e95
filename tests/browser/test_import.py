"""The import page in a real browser: a file with a bad row is refused with the row's
number and problem shown in the page and nothing imported; the corrected file previews
and, once the seller confirms, applies."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Pages, Site, signed_in

GOOD_ROW = "SRI-BOLU,Bolu Pandan,32000,7"
BAD_ROW = "SRI-WAJIK,Wajik Kletik,dua puluh ribu,5"


def csv_file(*rows: str) -> dict[str, Any]:
    text = "\n".join(["sku,name,price,stock", *rows]) + "\n"
    return {"name": "produk-baru.csv", "mimeType": "text/csv", "buffer": text.encode()}


def catalogue(site: Site) -> list[tuple[Any, ...]]:
    """Every member's SKUs as the stock list shows them (code, name, price, on hand)."""
    from syncd import availability

    return [
        (member.tenant.id, r.sku, r.name, r.price, r.on_hand)
        for member in site.coop.members()
        for r in availability.stock_table(site.store, member.tenant.id)
    ]


def test_a_bad_row_is_shown_in_the_page_and_nothing_is_imported(
    site: Site, new_page: Pages
) -> None:
    page: Any = new_page(viewport=PHONE)
    signed_in(page, site, "owner.sri", "/import")
    before = catalogue(site)
    moves = site.store.scalar("SELECT COUNT(*) FROM movement")

    page.set_input_files("form.upload input[type=file]", csv_file(GOOD_ROW, BAD_ROW))
    with page.expect_response("**/import") as answer:
        page.click("form.upload button.primary")
    assert answer.value.status == 422
    problems = page.locator("table.problems tbody tr")
    expect(problems).to_have_count(1)
    cells = problems.first.locator("td")
    expect(cells.nth(0)).to_have_text("3")  # the header is row 1
    expect(cells.nth(1)).to_have_text("price")  # the column as the file names it
    expect(cells.nth(2)).to_contain_text("dua puluh ribu")
    expect(page.locator(".refused[role=alert]")).to_contain_text("produk-baru.csv")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the import page scrolls sideways at 360 px ({width} px)"
    assert catalogue(site) == before  # nothing imported, not even the good row
    assert site.store.scalar("SELECT COUNT(*) FROM movement") == moves

    # the corrected file: previewed, then applied once the seller confirms
    page.set_input_files("form.upload input[type=file]", csv_file(GOOD_ROW))
    page.click("form.upload button.primary")
    apply = page.locator("form input[name=action][value=apply]")
    expect(apply).to_have_count(1)
    assert catalogue(site) == before  # a preview writes nothing
    page.once("dialog", lambda dialog: dialog.accept())  # the page asks before applying
    page.locator("form:has(input[name=action][value=apply]) button.primary").click()
    expect(page.locator(".card[role=status] .ok")).to_be_visible()
    after = catalogue(site)
    added = sorted(set(after) - set(before))
    assert added == [(site.coop.sri.tenant.id, "SRI-BOLU", "Bolu Pandan", 32000, 7)]
    assert site.available(site.coop.sri.tenant.id, "SRI-BOLU") == 7
