"""Answer shapes: what a marketplace answer must look like before an adapter reads it.

Each adapter declares one pydantic model per answer it reads (``adapters/<name>/shapes.py``)
from the field types below, and reads every answer through :func:`read` (a whole answer:
a page, a token, a batch result) or :func:`read_each` (the orders of a page, each on its
own). What does not fit is named, place and reason, and nothing of it is used:

* a malformed *answer* raises :class:`~syncd.errors.MalformedResponse` (retried; a page
  that fails never advances the order cursor);
* a malformed *order* is set aside (``syncd quarantine``) and the rest of its page is read.

The models are strict: ``"True"`` is not a number, ``1.5`` is not a count, ``true`` is not
an id. Bounds are the ledger's (quantities 1..10^6 per line, ids non-empty and at most
64 characters, order times 2010..2100, paging tokens printable and bounded). Unknown
fields are ignored, so a marketplace adding one does not stop a shop.

Error messages carry the field's place and pydantic's reason, never the value: an
answer can echo a token, and these messages reach logs and the database.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)
from pydantic import StringConstraints as Text

from syncd.adapter import (
    MAX_ID_LEN,
    MAX_LINE_QTY,
    MAX_PAGE_TOKEN,
    ORDER_YEARS,
    RemoteOrder,
    SetAside,
)
from syncd.errors import MalformedResponse

__all__ = [
    "Answer",
    "Cents",
    "Count",
    "DecimalMoney",
    "EpochSeconds",
    "Flag",
    "Id",
    "Name",
    "NumId",
    "PageToken",
    "Qty",
    "Seconds",
    "Secret",
    "UtcTime",
    "decimal_money",
    "describe",
    "read",
    "read_each",
    "utc_time",
]

_Shape = TypeVar("_Shape", bound=BaseModel)


_SECRET_FIELD = re.compile(r"token|secret|sign|key|password", re.IGNORECASE)


class Answer(BaseModel):
    """Base of every answer shape: strict types, unknown fields ignored, read-only; a
    field named like a secret (``access_token``, ``app_secret``…) shows as ``***``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, "***" if name and _SECRET_FIELD.search(name) and value else value


def _epoch(year: int) -> int:
    return int(dt.datetime(year, 1, 1, tzinfo=dt.UTC).timestamp())


#: A marketplace id sent as text: non-empty, printable, no spaces, at most 64 characters.
Id = Annotated[StrictStr, Text(min_length=1, max_length=MAX_ID_LEN, pattern=r"^[!-~]+$")]
#: A marketplace id sent as a number (Shopee's item and model ids): 0..2^63-1.
NumId = Annotated[StrictInt, Field(ge=0, lt=2**63)]
#: Units on one order line.
Qty = Annotated[StrictInt, Field(ge=1, le=MAX_LINE_QTY)]
#: Stock a listing shows (0..10^9: more is not a small shop's stock).
Count = Annotated[StrictInt, Field(ge=0, le=10**9)]
#: A price in the marketplace's unit (rupiah), as a number.
Cents = Annotated[int | float, Field(ge=0, le=10**12)]
#: Seconds since 1970 for an order's times (2010..2100).
EpochSeconds = Annotated[StrictInt, Field(ge=_epoch(ORDER_YEARS[0]), lt=_epoch(ORDER_YEARS[1]))]
#: A duration in seconds (token lifetimes: up to a year and a bit).
Seconds = Annotated[StrictInt, Field(ge=0, le=400 * 86_400)]
#: A continuation token: printable, no spaces, bounded (theirs are < 200 characters).
PageToken = Annotated[StrictStr, Text(max_length=MAX_PAGE_TOKEN, pattern=r"^[!-~]*$")]
#: A token or secret the marketplace issues (a field named like one is never in a model's
#: repr: see ``Answer``; nor is any value in ``describe``).
Secret = Annotated[StrictStr, Text(min_length=1, max_length=4096, pattern=r"^[!-~]+$")]
#: A name or free text for people (item names, reasons): any string, bounded.
Name = Annotated[StrictStr, Text(max_length=4000)]
#: A JSON true/false (``"true"`` and ``1`` are not).
Flag = StrictBool


_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?(Z|[+-]00:?00)?")
_MONEY = re.compile(r"\d{1,12}(?:\.\d{1,6})?")


def utc_time(value: Any) -> dt.datetime:
    """An ISO 8601 time in UTC (``2026-11-20T03:15:32``, with ``Z`` or ``+00:00`` or no
    offset: WooCommerce's ``*_gmt`` fields, Shopify's ``DateTime``), within the order years."""
    if not isinstance(value, str) or len(value) > 40 or not (m := _TIME.fullmatch(value)):
        raise ValueError("not a UTC time (2026-11-20T03:15:32Z)")
    try:
        y, mo, d, h, mi, sec = (int(g) for g in m.groups()[:6])
        when = dt.datetime(y, mo, d, h, mi, sec, tzinfo=dt.UTC)
    except ValueError:
        raise ValueError("a date or time of day that does not exist") from None
    if not ORDER_YEARS[0] <= when.year < ORDER_YEARS[1]:
        raise ValueError(f"a time outside {ORDER_YEARS[0]}..{ORDER_YEARS[1]}")
    return when


def decimal_money(value: Any) -> int:
    """A price sent as decimal text (``"45000"``, ``"45000.00"``; ``""``/null: 0) or a
    number, in whole rupiah."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and _MONEY.fullmatch(value):
        return int(float(value))
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and math.isfinite(value) and 0 <= value <= 10**12:
        return int(value)
    raise ValueError("not a price (decimal text such as 45000.00)")


#: A time in UTC as ISO 8601 text (see :func:`utc_time`).
UtcTime = Annotated[dt.datetime, PlainValidator(utc_time)]
#: A price as decimal text or a number, read in whole rupiah (see :func:`decimal_money`).
DecimalMoney = Annotated[int, PlainValidator(decimal_money)]


def describe(exc: ValidationError, *, limit: int = 3) -> str:
    """Where and why an answer does not fit, without the values (they may hold tokens)."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False)[:limit]:
        place = ".".join(str(p) for p in error["loc"]) or "answer"
        parts.append(f"{place}: {error['msg']}")
    more = exc.error_count() - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def read(shape: type[_Shape], body: Any, *, source: str) -> _Shape:
    """``body`` as ``shape``, or :class:`MalformedResponse` naming the place and the reason."""
    try:
        return shape.model_validate(body)
    except ValidationError as exc:
        raise MalformedResponse(
            f"{source}: answer not as documented: {describe(exc)}", code="malformed"
        ) from None


def read_each(
    raws: Iterable[Any],
    shape: type[_Shape],
    convert: Callable[[_Shape], RemoteOrder],
    *,
    id_key: str,
) -> tuple[list[RemoteOrder], list[SetAside]]:
    """Each raw order as ``shape``, then ``convert``-ed; one that does not fit (or that
    ``convert`` refuses with a ``MalformedResponse``) is set aside with its id and the
    reason, never the whole page."""
    orders: list[RemoteOrder] = []
    aside: list[SetAside] = []
    for raw in raws:
        try:
            orders.append(convert(shape.model_validate(raw)))
        except ValidationError as exc:
            aside.append(_aside(raw, id_key, f"not as documented: {describe(exc)}"))
        except MalformedResponse as exc:
            aside.append(_aside(raw, id_key, str(exc)))
    return orders, aside


def _aside(raw: Any, id_key: str, reason: str) -> SetAside:
    order_id = raw.get(id_key, "") if isinstance(raw, dict) else ""
    shown = order_id if isinstance(order_id, str | int) and not isinstance(order_id, bool) else ""
    return SetAside(str(shown)[:MAX_ID_LEN], reason[:300], json.dumps(raw, default=str)[:4000])
