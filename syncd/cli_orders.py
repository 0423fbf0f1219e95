"""``syncd orders``, ``syncd picklist``, ``syncd stock threshold``: orders for the seller.

``orders`` lists the marketplace orders syncd has read, with their lines (``syncd.orders_view``);
``orders export FILE.csv|FILE.xlsx`` writes the same lines to a file; ``picklist`` says
what to pack (paid orders waiting for the seller, by SKU, bundles as their components);
``stock threshold`` sets when a SKU counts as low (``syncd.lowstock``: an event
``stock.low`` when available falls to it).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from syncd.cli_base import Context, add_command, parse_since, table
from syncd.errors import UserError
from syncd.i18n import t

__all__ = ["commands"]

_LIST_LIMIT = 50  # orders shown by default (the export writes every order)


def _filters(ctx: Context, args: argparse.Namespace) -> dict[str, Any]:
    """The list's and the export's filters, checked, as ``orders_view.lines`` takes them."""
    from syncd.catalog import get_channel  # noqa: PLC0415
    from syncd.orders_view import STATES  # noqa: PLC0415

    status = getattr(args, "status", None)
    if status is not None and status.strip().lower() not in STATES:
        raise UserError("orders.bad_status", value=status, states=", ".join(STATES))
    limit = getattr(args, "limit", None)
    if limit is not None and limit < 1:
        raise UserError("orders.bad_limit", value=limit)
    tenant = ctx.tenant()
    channel = getattr(args, "channel", None)
    since = getattr(args, "since", None)
    return {
        "account_id": get_channel(ctx.store, tenant.id, channel).id if channel else None,
        "state": status.strip().lower() if status else None,
        "since": parse_since(since) if since else None,
        "limit": limit,
    }


def _item(line: Any) -> str:
    from syncd.catalog import item_text  # noqa: PLC0415

    return item_text(line.item_id, line.variant_id)


def _order_rows(found: list[Any]) -> list[list[object]]:
    """A row per line; an order's channel, id and time on its first line only, its status
    and state again only where a line differs from the one above."""
    from syncd.localtime import show  # noqa: PLC0415

    rows: list[list[object]] = []
    for order in found:
        above: tuple[str, str] | None = None
        for n, line in enumerate(order.lines):
            first = n == 0
            words = (line.status, line.state)
            rows.append(
                [
                    order.channel if first else "",
                    order.order_id if first else "",
                    show(order.placed) if first else "",
                    line.status if words != above else "",
                    t(f"orders.state.{line.state}") if words != above else "",
                    line.sku or t("orders.not_bound"),
                    line.name,
                    line.qty,
                    _item(line),
                ]
            )
            above = words
    return rows


def cmd_orders(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import orders_view  # noqa: PLC0415
    from syncd.localtime import label  # noqa: PLC0415

    filters = _filters(ctx, args)
    filters["limit"] = filters["limit"] or _LIST_LIMIT
    found = orders_view.orders(ctx.store, ctx.tenant().id, **filters)
    if not found:
        ctx.print(t("orders.none"))
        return 0
    heads = [
        t("h.channel"),
        t("h.order"),
        t("h.placed_in", zone=label(short=True)),
        t("h.mp_status"),
        t("h.syncd_state"),
        t("h.sku"),
        t("h.product"),
        t("h.qty"),
        t("h.item"),
    ]
    ctx.print(table(heads, _order_rows(found)))
    if any(line.sku is None for order in found for line in order.lines):
        ctx.print(t("orders.unbound_hint"))
    if len(found) == filters["limit"]:
        ctx.print(t("orders.more", count=len(found)))
    return 0


def cmd_orders_export(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import orders_view  # noqa: PLC0415
    from syncd.localtime import label  # noqa: PLC0415

    path = Path(args.file)
    if path.suffix.lower() not in (".csv", ".xlsx"):  # refused before reading anything
        raise UserError("orders.bad_export", path=str(path))
    rows = orders_view.lines(ctx.store, ctx.tenant().id, **_filters(ctx, args))
    written = orders_view.export(path, rows)
    ctx.print(t("orders.exported", rows=written, path=str(path), zone=label()))
    return 0


def cmd_picklist(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import orders_view  # noqa: PLC0415
    from syncd.catalog import get_channel  # noqa: PLC0415
    from syncd.localtime import label, show  # noqa: PLC0415

    tenant = ctx.tenant()
    account = get_channel(ctx.store, tenant.id, args.channel).id if args.channel else None
    found = orders_view.picklist(ctx.store, tenant.id, account_id=account, day=args.date)
    if args.date:
        start, _ = orders_view.day_bounds(args.date)
        ctx.print(t("picklist.day", day=show(start)[:10], zone=label(short=True)))
    if not found.picks and not found.unbound:
        ctx.print(t("picklist.none"))
        return 0
    ctx.print(t("picklist.title", orders=found.orders))
    if found.picks:
        heads = [t("h.sku"), t("h.product"), t("h.total"), t("h.from_orders")]
        ctx.print(table(heads, [[p.sku, p.name, p.qty, ", ".join(p.orders)] for p in found.picks]))
    if found.unbound:
        ctx.print("", t("picklist.unbound"))
        heads = [t("h.channel"), t("h.order"), t("h.item"), t("h.qty")]
        ctx.print(table(heads, [[x.channel, x.order_id, _item(x), x.qty] for x in found.unbound]))
    return 0


# -- stock threshold -----------------------------------------------------------------


def _say_low(ctx: Context, lows: list[Any]) -> None:
    for low in lows:
        ctx.print(
            t("lowstock.now_low", sku=low.sku, available=low.available, threshold=low.threshold)
        )


def _show_thresholds(ctx: Context, tenant_id: int, only: str | None = None) -> int:
    """The default and each SKU's threshold, available stock and since when it is low."""
    from syncd import lowstock  # noqa: PLC0415
    from syncd.catalog import get_sku  # noqa: PLC0415
    from syncd.localtime import label, show  # noqa: PLC0415

    default, rows = lowstock.thresholds(ctx.store, tenant_id)
    if only is not None:
        code = get_sku(ctx.store, tenant_id, only).sku
        rows = [r for r in rows if r.sku == code]
    ctx.print(
        t("lowstock.no_default") if default is None else t("lowstock.default_is", value=default)
    )

    def shown(r: Any) -> str:
        if r.own is not None:
            return str(r.own)
        return "-" if r.threshold is None else t("lowstock.from_default", value=r.threshold)

    heads = [t("h.sku"), t("h.threshold"), t("h.available")]
    ctx.print(
        table(
            [*heads, t("h.low_since", zone=label(short=True))],
            [
                [r.sku, shown(r), r.available, show(r.low_since) if r.low_since else ""]
                for r in rows
            ],
        )
    )
    return 0


def _set_default(ctx: Context, tenant_id: int, value: int | None) -> int:
    from syncd import lowstock  # noqa: PLC0415

    lows = lowstock.set_default(ctx.store, tenant_id, value, actor=ctx.actor)
    if value is None:
        ctx.print(t("lowstock.default_cleared"))
    else:
        ctx.print(t("lowstock.default_set", value=value))
    _say_low(ctx, lows)
    return 0


def cmd_threshold(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import lowstock  # noqa: PLC0415
    from syncd.catalog import get_sku  # noqa: PLC0415

    tenant = ctx.tenant()
    if (args.clear and (args.value is not None or args.default is not None)) or (
        args.sku is not None and args.default is not None
    ):
        raise UserError("lowstock.usage")
    if args.default is not None or (args.clear and args.sku is None):
        return _set_default(ctx, tenant.id, args.default)
    if args.sku is None or (args.value is None and not args.clear):
        return _show_thresholds(ctx, tenant.id, args.sku)
    sku = get_sku(ctx.store, tenant.id, args.sku).sku
    low = lowstock.set_threshold(ctx.store, tenant.id, sku, args.value, actor=ctx.actor)
    if args.value is None:
        default, _ = lowstock.thresholds(ctx.store, tenant.id)
        fallback = t("lowstock.none") if default is None else str(default)
        ctx.print(t("lowstock.cleared", sku=sku, value=fallback))
    else:
        ctx.print(t("lowstock.set", sku=sku, value=args.value))
    _say_low(ctx, [low] if low else [])
    return 0


# -- registration --------------------------------------------------------------------


def _order_filters(p: argparse.ArgumentParser, *, keep: bool = False) -> None:
    """--channel/--status/--since/--limit; ``keep``: a subcommand's, which leaves the
    values given before it alone (``syncd orders --channel X export F``)."""
    default = argparse.SUPPRESS if keep else None
    p.add_argument("--channel", default=default, help=t("help.orders_channel"))
    p.add_argument("--status", default=default, help=t("help.orders_status"))
    p.add_argument("--since", default=default, help=t("help.orders_since"))
    p.add_argument("--limit", type=int, default=default, help=t("help.orders_limit"))


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    """The subcommands of a group ``syncd.cli`` built (``stock``), to add one to it."""
    for action in parser._actions:  # argparse keeps no public handle on a group's subparsers
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(parser.prog)  # pragma: no cover - the stock group always has some


def commands(sub: Any, channel: Any) -> None:
    p = add_command(sub, "orders", "help.orders", cmd_orders)
    _order_filters(p)
    inner = p.add_subparsers(dest="orders_cmd", metavar=t("argparse.command_metavar"))
    e = add_command(inner, "export", "help.orders_export", cmd_orders_export)
    e.add_argument("file", help=t("help.orders_file"))
    _order_filters(e, keep=True)

    p = add_command(sub, "picklist", "help.picklist", cmd_picklist)
    p.add_argument("--channel", help=t("help.picklist_channel"))
    p.add_argument("--date", metavar="DAY", help=t("help.picklist_date"))

    stock = _subcommands(sub.choices["stock"])
    p = add_command(stock, "threshold", "help.threshold", cmd_threshold)
    p.add_argument("sku", nargs="?", metavar="SKU", help=t("help.threshold_sku"))
    p.add_argument("value", nargs="?", type=int, metavar="N", help=t("help.threshold_value"))
    p.add_argument("--default", type=int, metavar="N", help=t("help.threshold_default"))
    p.add_argument("--clear", action="store_true", help=t("help.threshold_clear"))
