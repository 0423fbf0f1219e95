"""Shopify returns (issue 12) on the simulator: refunds and returns read with the orders.

What is UNCONFIRMED here (see ``adapters/shopify/adapter.py``'s docstring): that a return
processed from the admin leaves a refund linked to it whose restocked lines say
``RETURN``; that an order whose every item came back shows ``RESTOCKED``; that a CLOSED
return with no restocking refund restocked nothing (its reverse fulfillment's
dispositions are not read); that ``LEGACY_RESTOCK`` counts as returned goods; the cost
Shopify itself charges for the orders query (the simulator's model: 807 points).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse
from structlog.testing import capture_logs

from adapters.shopify import adapter as shopify_adapter
from adapters.shopify.adapter import (
    _COSTS,
    REFUNDS_PER_ORDER,
    RETURN_STATES,
    ShopifyAdapter,
    order_state,
    return_state,
)
from adapters.shopify.simulator import _SCHEMA, CLIENT_ID, CLIENT_SECRET, ShopifySimulator, _cost
from syncd.adapter import OrderPage, RemoteOrder, RemoteReturn, SetAside
from tests.contract.harness_shopify import ShopifyHarness
from tests.contract.test_contract import World, build_world

STATUSES = ("REQUESTED", "OPEN", "CLOSED", "DECLINED", "CANCELED")  # ReturnStatus, all


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world("shopify", tmp_path, ShopifyHarness)
    yield w
    w.close()


def _sim(world: World) -> ShopifySimulator:
    return world.harness.sim  # type: ignore[no-any-return]


def _pull(world: World) -> OrderPage:
    """Every page of orders since the start, with the returns told of with them."""
    adapter = world.rt.adapter
    assert isinstance(adapter, ShopifyAdapter)
    since = dt.datetime.fromisoformat(world.rt.account.integration_start)
    cursor: str | None = None
    orders: list[RemoteOrder] = []
    rets: list[RemoteReturn] = []
    aside: list[SetAside] = []
    for _ in range(20):
        page = adapter.pull_orders(cursor, since)
        orders += page.orders
        rets += page.returns
        aside += page.set_aside
        cursor = page.cursor
        if not page.more:
            break
    return OrderPage(orders, cursor or "", False, tuple(aside), tuple(rets))


def _shipped(world: World, qty: int = 2) -> tuple[int, int, int]:
    """(order, its line, the variant) of a fulfilled order of ``qty`` NASTAR-500."""
    sim = _sim(world)
    catalogue = world.harness.seed()
    variant = int(next(v for sku, _i, v, _s in catalogue if sku == "NASTAR-500"))
    order = sim.place_order([(variant, qty)])
    assert order is not None
    sim.fulfil(order)
    return order, sim.order_lines(order)[0], variant


def _returns_of(page: OrderPage, order: int) -> list[RemoteReturn]:
    return [r for r in page.returns if r.order_id == str(order)]


# -- the mapping: every ReturnStatus word, restocked or not --------------------------------


@pytest.mark.parametrize(
    ("status", "restocked", "state"),
    [
        ("REQUESTED", False, "requested"),
        ("OPEN", False, "requested"),
        ("CLOSED", False, "closed"),  # UNCONFIRMED: dispositions not read
        ("DECLINED", False, "closed"),
        ("CANCELED", False, "closed"),
        ("REQUESTED", True, "received"),
        ("OPEN", True, "received"),
        ("CLOSED", True, "received"),
        ("DECLINED", True, "closed"),
        ("CANCELED", True, "closed"),
        ("ARCHIVED", False, None),  # not a ReturnStatus word: set aside
    ],
)
def test_return_states(status: str, restocked: bool, state: str | None) -> None:
    assert return_state(status, restocked) == state


def test_every_return_status_of_the_schema_is_mapped() -> None:
    assert set(RETURN_STATES) == set(STATUSES)
    assert set(STATUSES) == set(_SCHEMA.type_map["ReturnStatus"].values)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fulfillment", "cancelled", "returned", "state"),
    [
        ("RESTOCKED", False, True, "shipped"),  # every item came back: through returns
        ("RESTOCKED", True, False, "cancelled"),  # a cancel's restock (CANCEL)
        ("RESTOCKED", False, False, "cancelled"),  # unfulfilled items refunded with CANCEL
        ("FULFILLED", False, True, "shipped"),
    ],
)
def test_a_restocked_order_stays_shipped_when_its_goods_came_back_by_returns(
    fulfillment: str, cancelled: bool, returned: bool, state: str
) -> None:
    assert order_state(fulfillment, cancelled, returned) == state


def test_the_orders_query_costs_what_the_adapter_pays_and_stays_under_1000() -> None:
    for name, query in (
        ("Orders", shopify_adapter._ORDERS),
        ("Returns", shopify_adapter._MORE_RETURNS),
    ):
        requested = _cost(_SCHEMA, parse(query), {"first": shopify_adapter.ORDERS_PER_PAGE})
        assert requested == _COSTS[name] <= 1000


# -- a return's life, read with its order ----------------------------------------------------


def test_a_return_is_requested_then_received_under_one_id(world: World) -> None:
    sim = _sim(world)
    order, line, variant = _shipped(world)
    ret = sim.request_return(order, [(line, 1)])
    (got,) = _returns_of(_pull(world), order)
    assert (got.return_id, got.status, got.state) == (f"return-{ret}", "REQUESTED", "requested")
    assert [(x.variant_id, x.qty, x.line_id) for x in got.lines] == [(str(variant), 1, str(line))]
    sim.approve_return(ret)
    (got,) = _returns_of(_pull(world), order)
    assert (got.status, got.state) == ("OPEN", "requested")
    before = sim.available(variant)
    sim.process_return(ret)
    sim.close_return(ret)
    assert sim.available(variant) == before + 1  # Shopify restocked the location itself
    (got,) = _returns_of(_pull(world), order)
    assert (got.return_id, got.state, got.restocked_by_marketplace) == (
        f"return-{ret}",
        "received",
        True,
    )
    (shown,) = [o for o in _pull(world).orders if o.order_id == str(order)]
    assert shown.state == "shipped"


@pytest.mark.parametrize(("approve", "status"), [(False, "DECLINED"), (True, "CANCELED")])
def test_a_declined_or_cancelled_return_is_closed(world: World, approve: bool, status: str) -> None:
    sim = _sim(world)
    order, line, _variant = _shipped(world)
    ret = sim.request_return(order, [(line, 2)])
    if approve:
        sim.approve_return(ret)
        sim.cancel_return(ret)
    else:
        sim.decline_return(ret, "FINAL_SALE")
    (got,) = _returns_of(_pull(world), order)
    assert (got.status, got.state, got.restocked_by_marketplace) == (status, "closed", False)


def test_a_closed_return_without_a_restock_brings_nothing_back(world: World) -> None:
    sim = _sim(world)
    order, line, variant = _shipped(world)
    ret = sim.request_return(order, [(line, 1)])
    sim.approve_return(ret)
    before = sim.available(variant)
    sim.process_return(ret, restock=False)  # refunded, not restocked (NO_RESTOCK)
    sim.close_return(ret)
    assert sim.available(variant) == before
    (got,) = _returns_of(_pull(world), order)
    assert (got.status, got.state) == ("CLOSED", "closed")


def test_admin_refunds_restocked_count_money_only_and_cancels_do_not(world: World) -> None:
    sim = _sim(world)
    order, line, variant = _shipped(world, qty=3)
    back = sim.refund(order, [(line, 1, "RETURN")])
    sim.refund(order, [(line, 1, "NO_RESTOCK")])  # money only: the unit stays out
    unshipped = sim.place_order([(variant, 1)])
    assert unshipped is not None
    sim.cancel(unshipped)  # refunded with CANCEL: released by the order, not a return
    page = _pull(world)
    (got,) = _returns_of(page, order)
    assert (got.return_id, got.status, got.state) == (f"refund-{back}", "REFUND/RETURN", "received")
    assert got.restocked_by_marketplace
    assert [x.qty for x in got.lines] == [1]
    assert _returns_of(page, unshipped) == []
    (cancelled,) = [o for o in page.orders if o.order_id == str(unshipped)]
    assert cancelled.state == "cancelled"


def test_part_of_a_return_restocked_the_rest_closed(world: World) -> None:
    """Two lines asked back; the seller restocks one and refunds the other money-only."""
    sim = _sim(world)
    world.harness.seed()
    variants = list(sim._variants)[:2]
    order = sim.place_order([(variants[0], 1), (variants[1], 1)])
    assert order is not None
    sim.fulfil(order)
    first, second = sim.order_lines(order)
    ret = sim.request_return(order, [(first, 1), (second, 1)])
    sim.approve_return(ret)
    with sim._lock:  # the seller's choice per line, as the admin's return page allows
        refund, errors = sim.refund_create(
            {
                "orderId": f"gid://shopify/Order/{order}",
                "refundLineItems": [
                    {
                        "lineItemId": f"gid://shopify/LineItem/{first}",
                        "quantity": 1,
                        "restockType": "RETURN",
                    },
                    {
                        "lineItemId": f"gid://shopify/LineItem/{second}",
                        "quantity": 1,
                        "restockType": "NO_RESTOCK",
                    },
                ],
            },
            return_id=ret,
        )
    assert refund is not None, errors
    sim.close_return(ret)
    got = {(r.state, x.line_id) for r in _returns_of(_pull(world), order) for x in r.lines}
    assert got == {("received", str(first)), ("closed", str(second))}


# -- paging: more refunds than the orders query reads ------------------------------------------


def test_more_refunds_than_one_page_are_read_with_the_order(world: World) -> None:
    sim = _sim(world)
    order, line, _variant = _shipped(world, qty=REFUNDS_PER_ORDER + 2)
    refunds = [sim.refund(order, [(line, 1, "RETURN")]) for _ in range(REFUNDS_PER_ORDER + 1)]
    reads = world.harness.calls("order_reads")
    got = _returns_of(_pull(world), order)
    assert {r.return_id for r in got} == {f"refund-{f}" for f in refunds}
    assert sim.calls.get(("shopify-demo-client-id", "gql:order"), 0) >= 1  # the order again
    assert world.harness.calls("order_reads") > reads


# -- a malformed record is set aside, never the pull -------------------------------------------


def test_a_malformed_return_record_is_set_aside_and_the_pull_goes_on(world: World) -> None:
    sim = _sim(world)
    order, line, _variant = _shipped(world, qty=3)
    bad = sim.refund(order, [(line, 1, "RETURN")])
    good = sim.request_return(order, [(line, 1)])
    with sim._lock:  # Shopify sends a refund line of 0 units (not a quantity syncd reads)
        sim._orders[order].refunds[0].lines[0].qty = 0
    with capture_logs() as logs:
        page = _pull(world)
    assert [r.return_id for r in _returns_of(page, order)] == [f"return-{good}"]
    assert str(order) in {o.order_id for o in page.orders}  # the order itself is read
    aside = [e for e in logs if e["event"] == "returns.set_aside"]
    assert aside
    assert aside[0]["record"].endswith(f"Refund/{bad}")
    assert "quantity" in aside[0]["reason"]


# -- the mutations, over GraphQL as Shopify serves them ----------------------------------------


def _client(sim: ShopifySimulator) -> httpx.Client:
    token = httpx.post(
        f"{sim.base_url}/admin/oauth/access_token",
        json={
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    ).json()["access_token"]
    return httpx.Client(base_url=sim.base_url, headers={"X-Shopify-Access-Token": token})


def _gql(
    client: httpx.Client, query: str, variables: dict[str, Any], version: str = "2026-10"
) -> Any:
    reply = client.post(
        f"/admin/api/{version}/graphql.json", json={"query": query, "variables": variables}
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


_REFUND = """
mutation Refund($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id refundLineItems(first: 5) { nodes { quantity restockType restocked } } }
    userErrors { field message }
  }
}"""


def test_refund_create_is_applied_once_per_idempotency_key(world: World) -> None:
    sim = _sim(world)
    order, line, variant = _shipped(world)
    data: dict[str, Any] = {
        "orderId": f"gid://shopify/Order/{order}",
        "refundLineItems": [
            {"lineItemId": f"gid://shopify/LineItem/{line}", "quantity": 1, "restockType": "RETURN"}
        ],
    }
    before = sim.available(variant)
    with _client(sim) as client:
        first = _gql(client, _REFUND, {"input": data, "key": "k-1"})
        again = _gql(client, _REFUND, {"input": data, "key": "k-1"})  # a resent request
        assert first["data"] == again["data"]
        assert first["data"]["refundCreate"]["refund"]["refundLineItems"]["nodes"] == [
            {"quantity": 1, "restockType": "RETURN", "restocked": True}
        ]
        assert sim.available(variant) == before + 1  # applied once
        other = {**data, "note": "another"}
        mismatch = _gql(client, _REFUND, {"input": other, "key": "k-1"})
        assert "idempotency key" in mismatch["data"]["refundCreate"]["userErrors"][0]["message"]
        bare = _gql(
            client,
            _REFUND.replace(" @idempotent(key: $key)", "").replace(", $key: String!", ""),
            {"input": data},
        )
        assert "@idempotent" in bare["errors"][0]["message"]  # mandatory from 2026-04
        too_many = {**data, "refundLineItems": [{**data["refundLineItems"][0], "quantity": 5}]}
        refused = _gql(client, _REFUND, {"input": too_many, "key": "k-2"})
        assert refused["data"]["refundCreate"]["userErrors"][0]["field"][-1] == "quantity"


def test_the_return_mutations_move_a_return_and_refuse_a_wrong_move(world: World) -> None:
    sim = _sim(world)
    order, _line, _variant = _shipped(world)
    with _client(sim) as client:
        fulfilled = _gql(
            client,
            "query F($id: ID!) { order(id: $id) { fulfillments(first: 1) { "
            "fulfillmentLineItems(first: 5) { nodes { id } } } } }",
            {"id": f"gid://shopify/Order/{order}"},
        )
        fli = fulfilled["data"]["order"]["fulfillments"][0]["fulfillmentLineItems"]["nodes"][0][
            "id"
        ]
        asked = _gql(
            client,
            "mutation R($input: ReturnRequestInput!) { returnRequest(input: $input) { "
            "return { id status totalQuantity } userErrors { code field message } } }",
            {
                "input": {
                    "orderId": f"gid://shopify/Order/{order}",
                    "returnLineItems": [
                        {"fulfillmentLineItemId": fli, "quantity": 1, "returnReason": "DEFECTIVE"}
                    ],
                }
            },
        )["data"]["returnRequest"]
        assert (asked["return"]["status"], asked["return"]["totalQuantity"]) == ("REQUESTED", 1)
        rid = asked["return"]["id"]
        close = (
            "mutation C($id: ID!) { returnClose(id: $id) { return { status } "
            "userErrors { code } } }"
        )
        assert _gql(client, close, {"id": rid})["data"]["returnClose"]["userErrors"] == [
            {"code": "INVALID_STATE"}
        ]  # a request is approved before it is closed
        approve = (
            "mutation A($input: ReturnApproveRequestInput!) { returnApproveRequest(input: $input) "
            "{ return { status } userErrors { code } } }"
        )
        assert _gql(client, approve, {"input": {"id": rid}})["data"]["returnApproveRequest"] == {
            "return": {"status": "OPEN"},
            "userErrors": [],
        }
        decline = (
            "mutation D($input: ReturnDeclineRequestInput!) { returnDeclineRequest(input: $input) "
            "{ userErrors { code } } }"
        )
        answer = _gql(client, decline, {"input": {"id": rid, "declineReason": "OTHER"}})
        assert answer["data"]["returnDeclineRequest"]["userErrors"] == [{"code": "INVALID_STATE"}]
        assert _gql(client, close, {"id": rid})["data"]["returnClose"] == {
            "return": {"status": "CLOSED"},
            "userErrors": [],
        }
        more = _gql(
            client,
            "mutation R($input: ReturnRequestInput!) { returnRequest(input: $input) { "
            "userErrors { code field } } }",
            {
                "input": {
                    "orderId": f"gid://shopify/Order/{order}",
                    "returnLineItems": [{"fulfillmentLineItemId": fli, "quantity": 2}],
                }
            },
        )  # one of the two units is in a return already
        assert more["data"]["returnRequest"]["userErrors"][0]["code"] == "INVALID"


def test_faults_reach_the_return_mutations_like_any_route(world: World) -> None:
    sim = _sim(world)
    order, line, _variant = _shipped(world)
    sim.inject("500", "gql:returnRequest")
    query = (
        "mutation R($input: ReturnRequestInput!) { returnRequest(input: $input) { "
        "userErrors { code } } }"
    )
    variables = {"input": {"orderId": f"gid://shopify/Order/{order}", "returnLineItems": []}}
    with _client(sim) as client:
        reply = client.post(
            "/admin/api/2026-10/graphql.json", json={"query": query, "variables": variables}
        )
        assert reply.status_code == 500
        assert json.loads(reply.text) == {"errors": "Internal Server Error"}
        ok = _gql(client, query, variables)
        assert ok["data"]["returnRequest"]["userErrors"] == [{"code": "BLANK"}]
    assert line  # the order's line exists; nothing was asked back
