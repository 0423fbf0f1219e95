"""The adapter kit's shared paging (adapters/kit.py): one walk for offset, cursor, page
token and ``Link`` paging, which refuses a page that does not move on and a runaway."""

from __future__ import annotations

import pytest

from adapters.kit import next_link, next_page, pages
from syncd.errors import MalformedResponse


def test_offset_paging_walks_to_the_end() -> None:
    data = list(range(23))

    def fetch(offset: int | None) -> tuple[list[int], int | None]:
        start = offset or 0
        page = data[start : start + 10]
        return page, start + len(page) if start + len(page) < len(data) else None

    assert list(pages(fetch, source="x")) == data


def test_token_paging_walks_to_the_end_and_an_empty_page_ends_it() -> None:
    book = {None: ([1, 2], "b"), "b": ([3], "c"), "c": ([], "d")}
    assert list(pages(lambda t: book[t], source="x")) == [1, 2, 3]


@pytest.mark.parametrize(
    "book",
    [
        {None: ([1], "a"), "a": ([2], "a")},  # the same token again
        {None: ([1], "a"), "a": ([2], "b"), "b": ([3], "a")},  # a cycle
    ],
)
def test_a_page_that_does_not_move_on_is_refused(
    book: dict[str | None, tuple[list[int], str]],
) -> None:
    with pytest.raises(MalformedResponse) as caught:
        list(pages(lambda t: book[t], source="Toy list"))
    assert caught.value.code == "paging"
    assert "Toy list" in str(caught.value)


def test_an_offset_that_goes_backwards_is_refused() -> None:
    book = {None: ([1], 10), 10: ([2], 5)}
    with pytest.raises(MalformedResponse, match="already read"):
        list(pages(lambda t: book[t], source="x"))


def test_a_runaway_listing_stops() -> None:
    def fetch(offset: int | None) -> tuple[list[int], int]:
        return [0], (offset or 0) + 1

    with pytest.raises(MalformedResponse, match="more than 50 pages"):
        list(pages(fetch, source="x", max_pages=50))


def test_next_page_of_a_stored_cursor_must_move_on() -> None:
    assert next_page("a", "b", source="x") == "b"
    for bad in ("a", ""):
        with pytest.raises(MalformedResponse):
            next_page("a", bad, source="x")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            '<https://s/wp-json/wc/v3/products?page=3>; rel="next"',
            "https://s/wp-json/wc/v3/products?page=3",
        ),
        (
            '<https://s/p?page=1>; rel="prev", <https://s/p?page=3>; rel="next", '
            '<https://s/p?page=9>; rel="last"',
            "https://s/p?page=3",
        ),
        (
            "<https://x.myshopify.com/admin/api/2025-01/orders.json?page_info=abc>; rel=next",
            "https://x.myshopify.com/admin/api/2025-01/orders.json?page_info=abc",
        ),
        ('<https://s/p?page=1>; rel="prev"', None),
        ("", None),
        (None, None),
        ("garbage", None),
    ],
)
def test_next_link_reads_rfc_8288(header: str | None, expected: str | None) -> None:
    assert next_link(header) == expected
