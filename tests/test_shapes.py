"""The answer shapes (syncd/shapes.py): strict types with the ledger's bounds, and errors
that name the place and the reason but never the value (an answer can echo a token)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from syncd.errors import MalformedResponse
from syncd.shapes import (
    Answer,
    Count,
    EpochSeconds,
    Flag,
    Id,
    NumId,
    PageToken,
    Qty,
    Secret,
    read,
    read_each,
)

NOT_TEXT: list[Any] = [None, True, 0, 1.5, [], {}]
NOT_NUMBER: list[Any] = [None, "", "1", "True", True, 1.5, [], {}]


class Ids(Answer):
    text: Id = "a"
    number: NumId = 0


class Line(Answer):
    qty: Qty = 1
    stock: Count = 0
    at: EpochSeconds = 1_800_000_000
    flag: Flag = False
    page: PageToken = ""
    token: Secret = "t"  # noqa: S105 - a made-up token


@pytest.mark.parametrize("value", [*NOT_TEXT, "", " ", "x" * 65, "a b", "ab\x00"])
def test_a_text_id_must_be_short_printable_text(value: Any) -> None:
    with pytest.raises(ValidationError):
        Ids(text=value)


@pytest.mark.parametrize("value", [*NOT_NUMBER, -1, 2**63])
def test_a_numeric_id_must_be_a_json_number_in_range(value: Any) -> None:
    with pytest.raises(ValidationError):
        Ids(number=value)


@pytest.mark.parametrize("value", [*NOT_NUMBER, 0, -3, 10**6 + 1, 10**12, 2**63])
def test_a_line_quantity_is_1_to_a_million_units(value: Any) -> None:
    with pytest.raises(ValidationError):
        Line(qty=value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stock", -1),
        ("stock", 10**12),
        ("at", 2**63),
        ("at", 10**12),  # milliseconds where seconds are documented: year 33658
        ("at", 0),
        ("at", "2026-13-45T99:99:99"),
        ("flag", "true"),
        ("flag", 1),
        ("page", "['']" + " "),
        ("page", "x" * 3000),
        ("page", True),
        ("token", ""),
    ],
)
def test_other_fields_refuse_what_no_marketplace_sends(field: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        Line(**{field: value})


def test_well_formed_values_pass() -> None:
    ids = Ids(text="26120100000001", number=7001)
    line = Line(qty=10**6, stock=0, at=1_796_000_000, flag=True, page="abc=", token="x")  # noqa: S106
    assert (ids.text, ids.number, line.qty, line.page) == ("26120100000001", 7001, 10**6, "abc=")


class Page(Answer):
    lines: list[Line]


def test_read_names_the_place_and_reason_never_the_value() -> None:
    canary = "shpk_canary_secret_value_5f3a"
    with pytest.raises(MalformedResponse) as caught:
        read(Page, {"lines": [{}, {"qty": canary, "token": canary + " x"}]}, source="Shop x")
    text = str(caught.value)
    assert "Shop x" in text
    assert "lines.1.qty" in text
    assert "lines.1.token" in text
    assert canary not in text
    assert caught.value.code == "malformed"


def test_read_each_sets_aside_one_bad_order_and_keeps_the_rest() -> None:
    from syncd.adapter import OrderLine, RemoteOrder

    class Order(Answer):
        order_id: Id
        qty: Qty

    import datetime as dt

    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

    def convert(o: Order) -> RemoteOrder:
        line = OrderLine(o.order_id, "1", "", None, o.qty)
        return RemoteOrder(o.order_id, "PAID", "open", at, at, (line,))

    raws = [{"order_id": "A1", "qty": 2}, {"order_id": "B2", "qty": 0}, "garbage", {"qty": 1}]
    orders, aside = read_each(raws, Order, convert, id_key="order_id")
    assert [o.order_id for o in orders] == ["A1"]
    assert [a.order_id for a in aside] == ["B2", "", ""]
    assert "qty" in aside[0].reason
    assert "order_id" in aside[2].reason


class Tokens(Answer):
    access_token: Secret
    refresh_token: Secret | None = None


def test_a_secret_field_is_never_in_a_models_repr() -> None:
    canary, other = "tok_canary_1234567", "ref_canary_7654321"
    got = Tokens(access_token=canary, refresh_token=other)
    for text in (repr(got), str(got), repr([got])):
        assert canary not in text
        assert other not in text
    assert got.access_token == canary
    assert Line(token=canary).token == canary
