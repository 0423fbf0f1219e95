"""The adapter contract: what every marketplace adapter does, and the shapes it speaks.

An adapter is small. It knows its marketplace's signing, endpoints, batch shapes
and error table; it knows nothing of the ledger, the outbox or the database.
The core hands it absolute values to push and a cursor to pull orders from, and
it raises the error classes of ``syncd.errors`` (the class says what to do).

Adapters are found by name through ``adapters.load(name)``, which also reads the
entry-point group ``syncd.adapters``, so a third party can add a marketplace
without forking syncd.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, Self

from syncd.adapter_settings import AdapterSettings, AuthKind

if TYPE_CHECKING:
    import httpx

    from syncd.http import CircuitBreaker, Limiter


class Closeable(Protocol):
    """What an adapter's client must do for the core: be closed when the account goes."""

    def close(self) -> None: ...


__all__ = [
    "Adapter",
    "AdapterContext",
    "BatchLimits",
    "Credentials",
    "ItemResult",
    "OrderLine",
    "OrderPage",
    "OrderState",
    "PriceUpdate",
    "RemoteListing",
    "RemoteReturn",
    "ReturnLine",
    "ReturnPage",
    "ReturnState",
    "SetAside",
    "StockUpdate",
    "order_problem",
    "return_problem",
]

#: Normalized order states, in the only order they may advance:
#: open (reserve) → shipped (deduct) → returned (restock); open → cancelled (release).
OrderState = Literal["open", "shipped", "cancelled", "returned"]


@dataclass(frozen=True, slots=True)
class BatchLimits:
    """How much one call may carry, as the marketplace defines it."""

    stock_per_call: int  # entries (models / SKUs) in one stock call
    price_per_call: int
    one_item_per_call: bool  # Shopee: every stock/price call is for one item only
    order_details_per_call: int
    order_window: dt.timedelta | None  # longest time window one order-list call may span


@dataclass(frozen=True, slots=True)
class RemoteListing:
    """An item or variant as the marketplace shows it."""

    item_id: str
    variant_id: str  # "" when the item has no variants
    sku: str | None
    name: str
    stock: int
    price: int
    #: units the marketplace keeps for a campaign on this listing (Shopee's reserved
    #: promotion stock, Lazada's ``channelInventories``): syncd never pushes below them
    #: and counts them as taken for the seller's other channels
    locked: int = 0
    locked_until: dt.datetime | None = None  # when the campaign ends, when it is told
    lock_reason: str = ""  # the campaign's name or the marketplace's words


@dataclass(frozen=True, slots=True)
class StockUpdate:
    """Set ``quantity`` (absolute) on one listing; ``seq`` is the outbox sequence."""

    listing_id: int
    item_id: str
    variant_id: str
    quantity: int
    seq: int


@dataclass(frozen=True, slots=True)
class PriceUpdate:
    """Set ``price`` (whole rupiah) on one listing."""

    listing_id: int
    item_id: str
    variant_id: str
    price: int
    seq: int


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What the marketplace said about one listing of a batch."""

    listing_id: int
    ok: bool
    error: str = ""  # marketplace's reason, for the seller and the log
    retry: bool = False  # worth trying again later (transient) vs parked until the value changes
    #: refused because a campaign locks stock on this listing (a push below the lock):
    #: skipped with its reason, not a failure; ``lock``: the locked units when told
    locked: bool = False
    lock: int | None = None


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line of an order: ``qty`` units of one listing.

    Marketplaces that list one line per unit (Lazada, TikTok Shop) give one
    ``OrderLine`` per unit with ``qty=1`` and that unit's own id, so a unit cancelled
    on its own is released on its own. ``state`` overrides the order's state for
    this line when the marketplace reports statuses per line.
    """

    line_id: str
    item_id: str
    variant_id: str
    sku: str | None
    qty: int
    state: OrderState | None = None
    status: str | None = None  # the marketplace's own word for this line's status


@dataclass(frozen=True, slots=True)
class RemoteOrder:
    """An order as of its ``updated_at``, with its normalized state."""

    order_id: str
    status: str  # the marketplace's own status word
    state: OrderState
    created_at: dt.datetime
    updated_at: dt.datetime
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True, slots=True)
class SetAside:
    """An order that cannot be taken as the marketplace sent it (a line of 0 or 2**63
    units, a missing field): kept aside with the reason, while the rest of its page is
    ingested; ``syncd quarantine`` lists it, reads it again, or dismisses it."""

    order_id: str  # "" when even the id is unreadable
    reason: str
    raw: str = ""  # what the marketplace sent for it, as text (scrubbed when stored)


#: Normalized return states: a return only moves forward, requested → received or
#: requested → closed. *received*: the goods are back with the seller (the marketplace
#: says the return is complete); *closed*: nothing comes back (rejected, cancelled by the
#: buyer, refund without return).
ReturnState = Literal["requested", "received", "closed"]


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """``qty`` units of one listing coming back; ``line_id`` is the order line they were
    sold on when the marketplace says (kept for the record: the core matches a return
    with its order by item and variant, and never puts back more units of a listing
    than the order sold of it)."""

    item_id: str
    variant_id: str
    qty: int
    line_id: str = ""


@dataclass(frozen=True, slots=True)
class RemoteReturn:
    """A buyer's return (or a refund of goods) as of ``updated_at``.

    ``restocked_by_marketplace``: the marketplace raised the stock it shows for these
    units itself (a WooCommerce refund with restock, a Shopify refund with
    ``restockType: RETURN``); syncd then sends its own value again.
    """

    return_id: str
    order_id: str
    status: str  # the marketplace's own word
    state: ReturnState
    updated_at: dt.datetime
    lines: tuple[ReturnLine, ...]
    restocked_by_marketplace: bool = False


@dataclass(frozen=True, slots=True)
class ReturnPage:
    """One page of a marketplace's return list (``Adapter.pull_returns``)."""

    returns: list[RemoteReturn]
    cursor: str
    more: bool
    #: returns that could not be read as sent, each "return id: why" (an event each)
    set_aside: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OrderPage:
    """One page of orders; ``cursor`` resumes after it. ``more`` means call again now.

    ``returns``: returns the marketplace tells of with its orders (Lazada's units in
    ``returned``, WooCommerce refunds, Shopify refunds); ingested in the same transaction.
    """

    orders: list[RemoteOrder]
    cursor: str
    more: bool
    set_aside: tuple[SetAside, ...] = ()
    returns: tuple[RemoteReturn, ...] = ()


#: More units than this on one order line is not an order a small shop receives.
MAX_LINE_QTY = 1_000_000
#: Marketplace ids are short (Shopee's order_sn: 14); longer is not an id.
MAX_ID_LEN = 64
#: Order times outside these years are not times an order was placed.
ORDER_YEARS = (2010, 2100)


def order_problem(order: RemoteOrder) -> str | None:  # noqa: PLR0911 - one reason each
    """Why this order cannot be ingested as it is (bounds the ledger relies on), or None."""
    if not order.order_id.strip():
        return "empty order id"
    if len(order.order_id) > MAX_ID_LEN:
        return f"order id longer than {MAX_ID_LEN} characters"
    for when in (order.created_at, order.updated_at):
        if when.tzinfo is None or not ORDER_YEARS[0] <= when.year < ORDER_YEARS[1]:
            return f"time out of range: {when!r}"
    for line in order.lines:
        if not str(line.line_id).strip() or not str(line.item_id).strip():
            return "a line without its line or item id"
        if max(len(str(v)) for v in (line.line_id, line.item_id, line.variant_id)) > MAX_ID_LEN:
            return f"line {str(line.line_id)[:20]}: an id longer than {MAX_ID_LEN} characters"
        if not isinstance(line.qty, int) or not 1 <= line.qty <= MAX_LINE_QTY:
            return f"line {line.line_id}: quantity {line.qty!r} outside 1..{MAX_LINE_QTY}"
    if not order.lines:
        return "an order without lines"
    return None


def return_problem(ret: RemoteReturn) -> str | None:  # noqa: PLR0911 - one reason each
    """Why this return cannot be taken as sent (the same bounds as orders), or None."""
    for value, what in ((ret.return_id, "return id"), (ret.order_id, "order id")):
        if not str(value).strip():
            return f"empty {what}"
        if len(str(value)) > MAX_ID_LEN:
            return f"{what} longer than {MAX_ID_LEN} characters"
    when = ret.updated_at
    if when.tzinfo is None or not ORDER_YEARS[0] <= when.year < ORDER_YEARS[1]:
        return f"time out of range: {when!r}"
    if not ret.lines:
        return "a return without lines"
    for line in ret.lines:
        if not str(line.item_id).strip():
            return "a return line without its item id"
        if max(len(str(v)) for v in (line.line_id, line.item_id, line.variant_id)) > MAX_ID_LEN:
            return f"return {ret.return_id}: an id longer than {MAX_ID_LEN} characters"
        if not isinstance(line.qty, int) or not 1 <= line.qty <= MAX_LINE_QTY:
            return f"return {ret.return_id}: quantity {line.qty!r} outside 1..{MAX_LINE_QTY}"
    return None


def _why(exc: Exception) -> str:
    """What was wrong with an order's answer, in words an operator can act on."""
    if isinstance(exc, KeyError):
        return f"the answer lacks the field {exc.args[0]!r}"
    if isinstance(exc, TypeError | AttributeError):
        return f"a field of the wrong kind ({exc})"
    if isinstance(exc, ArithmeticError):
        return f"a number out of range ({exc})"
    if isinstance(exc, ValueError) and not hasattr(exc, "code"):
        return f"a value that is not what it should be ({exc})"
    return str(exc)


@dataclass(slots=True)
class Credentials:
    """A shop's tokens. Stored encrypted; never logged (``repr`` hides the secrets)."""

    access_token: str
    refresh_token: str
    access_expires_at: dt.datetime
    refresh_expires_at: dt.datetime | None = None
    auth_expires_at: dt.datetime | None = None  # when the seller must authorize again
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Credentials(access_token='***', refresh_token='***', "
            f"access_expires_at={self.access_expires_at.isoformat()})"
        )


#: The name earlier versions stored every marketplace's app secret under; still read.
LEGACY_SECRET = "partner_key"  # noqa: S105 - a name, not a secret


@dataclass(slots=True)
class AdapterContext:
    """What the core gives an adapter instance for one channel account."""

    shop_id: str
    settings: dict[str, Any]  # partner ids, base URL, … (no secrets)
    secrets: dict[str, str]  # app keys (partner_key, app_secret)
    credentials: Callable[[], Credentials | None]  # current tokens, read fresh on each call
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))

    def secret(self, name: str, *, source: str) -> str:
        """The app secret stored under ``name`` (else under the legacy name), or Rejected
        naming what is missing and how to store it."""
        from syncd.errors import Rejected  # noqa: PLC0415

        value = self.secrets.get(name) or self.secrets.get(LEGACY_SECRET)
        if not value:
            raise Rejected(
                f"{source}: no {name} stored for this channel "
                "(syncd channel set-secret NAME, or connect it again)",
                code="no_secret",
            )
        return value


#: A paging token longer than this is not one a marketplace sends (theirs are < 200):
#: ``syncd.shapes.PageToken``.
MAX_PAGE_TOKEN = 2048


class Adapter(abc.ABC):
    """One marketplace. Subclasses set ``name`` and ``limits`` and implement the methods."""

    name: ClassVar[str]
    limits: ClassVar[BatchLimits]
    #: True when the marketplace documents that the stock it shows drops as soon as an
    #: order is placed and comes back when it is cancelled; then syncd does not re-send
    #: the value after its own orders (see ``orders.ingest``).
    own_stock_follows_orders: ClassVar[bool] = False
    #: the channels' settings (``syncd.adapter_settings``): ``channel add``/``edit`` take
    #: their options, help and validation from it; required fields must be given.
    settings_model: ClassVar[type[AdapterSettings]] = AdapterSettings
    #: the app secrets the adapter reads, by the marketplace's own names (the first is
    #: what ``channel connect``/``set-secret`` store).
    secret_names: ClassVar[tuple[str, ...]] = ()
    #: how a shop is authorized: ``channel connect`` and the refresh job follow it.
    auth_kind: AuthKind = "oauth_refresh"  # a class default; an adapter may set it per channel

    def __init__(self, ctx: AdapterContext, client: Closeable) -> None:
        self.ctx = ctx
        self.client = client
        #: order id → what the order list said about it when it was last ingested
        #: (status or update time): an order the list shows unchanged is not fetched
        #: again. In memory only, filled by :meth:`ingested` after the commit, so a
        #: restart or a failed ingest just reads it once more.
        self.seen_orders: OrderedDict[str, Any] = OrderedDict()

    @classmethod
    @abc.abstractmethod
    def create(
        cls,
        ctx: AdapterContext,
        *,
        limiter: Limiter,
        breaker: CircuitBreaker,
        transport: httpx.BaseTransport | None = None,
    ) -> Self:
        """Build the adapter with its HTTP client: signing, timeouts, the shared rate
        limiter (per app and per shop) and this account's circuit breaker
        (``adapters.kit.HttpAdapter`` does it from declarations)."""

    def close(self) -> None:
        """Release the HTTP client."""
        self.client.close()

    # -- authorization -------------------------------------------------------

    @abc.abstractmethod
    def authorization_url(self, redirect: str) -> str:
        """The link the seller opens to authorize syncd for their shop."""

    @abc.abstractmethod
    def exchange_code(self, code: str) -> Credentials:
        """Trade the code from the authorization redirect for tokens."""

    @abc.abstractmethod
    def refresh(self, current: Credentials) -> Credentials:
        """New tokens from the refresh token (single-use on some marketplaces)."""

    def verify(self) -> Credentials:
        """``api_key`` adapters: prove the stored key works with one cheap call, and return
        what the core stores as the shop's access (no token, nothing that expires). The
        other kinds authorize with a code (:meth:`exchange_code`) instead."""
        from syncd.errors import Rejected  # noqa: PLC0415

        raise Rejected(f"{self.name}: authorized with a code, not a key", code="auth_kind")

    # -- listings, stock, price -----------------------------------------------

    @abc.abstractmethod
    def discover(self) -> Iterator[RemoteListing]:
        """Every item and variant of the shop with its SKU, stock and price."""

    @abc.abstractmethod
    def push_stock(self, updates: Sequence[StockUpdate]) -> list[ItemResult]:
        """Set absolute stock for one batch (as shaped by ``batches``)."""

    @abc.abstractmethod
    def push_price(self, updates: Sequence[PriceUpdate]) -> list[ItemResult]:
        """Set prices for one batch (as shaped by ``batches``)."""

    def batches(self, updates: Sequence[Any], per_call: int) -> list[list[Any]]:
        """Split updates into the marketplace's call shapes (order kept)."""
        if not self.limits.one_item_per_call:
            return [list(updates[i : i + per_call]) for i in range(0, len(updates), per_call)]
        by_item: dict[str, list[Any]] = {}
        for update in updates:
            by_item.setdefault(update.item_id, []).append(update)
        return [
            group[i : i + per_call]
            for group in by_item.values()
            for i in range(0, len(group), per_call)
        ]

    # -- orders ---------------------------------------------------------------

    @abc.abstractmethod
    def pull_orders(self, cursor: str | None, since: dt.datetime) -> OrderPage:
        """Orders changed after ``cursor`` (or ``since`` when there is none), one page."""

    #: True when :meth:`read_orders` reads named orders (Shopee: ``get_order_detail``
    #: for the order a push names; Lazada: the unit rows of the order its message
    #: names). Optional: the default says no, and a woken pull then walks the order list
    #: as a poll does.
    reads_named_orders: ClassVar[bool] = False

    def read_orders(self, order_ids: Sequence[str]) -> OrderPage:
        """The orders ``order_ids`` as the marketplace has them now (``reads_named_orders``).

        For a webhook that names its order: one read of that order instead of a walk of
        the order list (Shopee: one call, not two). The answer's ``cursor`` is unused
        (the caller keeps the list's own); an id the marketplace does not know is left
        out (the safety-net poll reads the list again)."""
        raise NotImplementedError(f"{self.name} reads no named orders")

    #: True when the marketplace lists returns on their own (:meth:`pull_returns`: Shopee
    #: ``get_return_list``, TikTok's return search); elsewhere returns come with the
    #: orders (``OrderPage.returns``) or not at all.
    lists_returns: ClassVar[bool] = False

    def pull_returns(self, cursor: str | None, since: dt.datetime) -> ReturnPage:
        """Returns changed after ``cursor`` (or ``since``), one page (``lists_returns``)."""
        raise NotImplementedError(f"{self.name} lists no returns")

    #: True when syncd can subscribe this shop to the marketplace's order webhooks through
    #: the API (:meth:`register_webhooks`: TikTok, WooCommerce, Shopify); elsewhere the
    #: subscription is made in the marketplace's console (Shopee, Lazada). Optional: the
    #: default says no and the method refuses, so an adapter without it needs nothing.
    registers_webhooks: ClassVar[bool] = False

    def register_webhooks(self, url: str) -> list[str]:
        """Subscribe this shop's order events to ``url`` (``registers_webhooks``).

        Idempotent: the existing subscriptions are read first; one already at ``url`` is
        kept, one at another address is moved to ``url``, a missing one is created. The
        answer says what happened per topic, as ``"<created|updated|kept>:<topic>"``."""
        raise NotImplementedError(f"{self.name} registers no webhooks through its API")

    #: how many ingested orders :attr:`seen_orders` remembers per account
    SEEN_ORDERS: ClassVar[int] = 5_000

    def ingested(self, orders: Sequence[RemoteOrder], set_aside: Sequence[str] = ()) -> None:
        """These orders are committed. Adapters whose order list says enough to tell an
        unchanged order (see :meth:`fingerprint`) skip fetching it again; an order just
        set aside (``set_aside``: its ids) is fetched again however unchanged it looks."""
        for order_id in set_aside:
            self.seen_orders.pop(order_id, None)
        for order in orders:
            self.seen_orders[order.order_id] = self.fingerprint(order)
            self.seen_orders.move_to_end(order.order_id)
        while len(self.seen_orders) > self.SEEN_ORDERS:
            self.seen_orders.popitem(last=False)

    def fingerprint(self, order: RemoteOrder) -> Any:
        """What the marketplace's order *list* shows of this order (default: its status)."""
        return order.status
