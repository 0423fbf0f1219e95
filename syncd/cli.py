"""The ``syncd`` command line.

Every handler returns an exit code; ``main`` is the one place errors end: a known
error is one line in the seller's language on stderr and exit code 1 (see ``main``).
Heavy imports (openpyxl, tqdm) happen only in the commands that need them, so a one-line
``syncd sale`` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import sys
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from syncd import i18n
from syncd.cli_base import Context, add_command, add_group, parse_since, table
from syncd.errors import ImportFailed, UserError
from syncd.i18n import rupiah, t

__all__ = ["build_parser", "main"]

# -- commands ----------------------------------------------------------------


def cmd_init(ctx: Context, _args: argparse.Namespace) -> int:
    store = ctx.open_store(create=True)  # the one command that may create a database
    ctx.print(t("init.done", path=str(store.path), version=store.version))
    return 0


def cmd_tenant_add(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.catalog import add_tenant  # noqa: PLC0415

    tenant = add_tenant(ctx.store, args.name)
    ctx.print(t("tenant.added", name=tenant.name))
    return 0


def cmd_tenant_list(ctx: Context, _args: argparse.Namespace) -> int:
    from syncd.catalog import list_tenants  # noqa: PLC0415

    ctx.print(table([t("h.tenant")], [[x.name] for x in list_tenants(ctx.store)]))
    return 0


def _components(text: str | None) -> tuple[Any, ...]:
    from syncd.models import Component, parse_items  # noqa: PLC0415

    if not text:
        return ()
    try:
        return tuple(Component(sku=s, qty=q) for q, s in parse_items(text))
    except ValueError:
        raise UserError("import.r.bad_components", value=text) from None


def cmd_product_add(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.catalog import upsert_sku  # noqa: PLC0415
    from syncd.models import SkuIn  # noqa: PLC0415

    item = _validated(
        SkuIn,
        sku=args.sku,
        name=args.name,
        price=args.price,
        product=args.product,
        variant=args.variant or "",
        components=_components(args.bundle),
    )
    tenant = ctx.tenant()
    with ctx.store.write():
        upsert_sku(ctx.store, tenant.id, item)
    ctx.print(t("product.saved", sku=item.sku, name=item.name, price=rupiah(item.price)))
    return 0


def _validated(model: Any, **values: Any) -> Any:
    from pydantic import ValidationError  # noqa: PLC0415

    try:
        return model(**values)
    except ValidationError as exc:
        problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise UserError("import.r.invalid", problem=problem) from None


def cmd_product_list(ctx: Context, _args: argparse.Namespace) -> int:
    from syncd.availability import stock_table  # noqa: PLC0415

    rows = stock_table(ctx.store, ctx.tenant().id)
    headers = [
        "h.sku",
        "h.name",
        "h.variant",
        "h.price",
        "h.on_hand",
        "h.reserved",
        "h.available",
        "h.bundle",
    ]
    ctx.print(
        table(
            [t(h) for h in headers],
            [
                [
                    r.sku,
                    r.name,
                    r.variant,
                    rupiah(r.price),
                    r.on_hand,
                    r.reserved,
                    r.available,
                    "✓" if r.is_bundle else "",
                ]
                for r in rows
            ],
        )
    )
    return 0


def cmd_product_import(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.importer import import_file, render  # noqa: PLC0415

    tenant = ctx.tenant()
    try:
        report = import_file(
            ctx.store,
            tenant.id,
            Path(args.file),
            skip_bad=args.skip_bad,
            set_stock=args.set_stock,
            dry_run=args.dry_run,
            actor=ctx.actor,
        )
    except ImportFailed as exc:
        failed: Any = exc.report
        _print_row_errors(failed.errors, render(failed)[1])
        raise
    lines, warnings = render(report)
    _print_row_errors(report.errors, warnings)
    ctx.print(*lines)
    return 0


def _print_row_errors(
    errors: Sequence[object], warnings: Sequence[str] = (), limit: int = 50
) -> None:
    for line in warnings:
        print(line, file=sys.stderr)
    for err in errors[:limit]:
        print(f"  {err}", file=sys.stderr)
    if len(errors) > limit:
        print("  " + t("import.more_errors", count=len(errors) - limit), file=sys.stderr)


def _movement(ctx: Context, args: argparse.Namespace, kind: str, qty: int) -> int:
    from syncd import inventory  # noqa: PLC0415
    from syncd.models import MovementIn  # noqa: PLC0415

    tenant = ctx.tenant()
    key = args.key or f"cli:{uuid.uuid4()}"
    m = _validated(
        MovementIn,
        sku=args.sku,
        kind=kind,
        qty=qty,
        key=key,
        source="cli",
        actor=ctx.actor,
        reason=args.reason,
    )
    (done,) = inventory.record(
        ctx.store, tenant.id, [m], allow_negative=getattr(args, "allow_negative", False)
    )
    if done.already:
        ctx.print(t("ledger.already", sku=done.sku, key=key))
    else:
        ctx.print(
            t(
                "ledger.applied",
                sku=done.sku,
                kind=t(f"kind.{kind}"),
                qty=qty,
                on_hand=done.on_hand,
                reserved=done.reserved,
            )
        )
    return 0


def cmd_stock_set(ctx: Context, args: argparse.Namespace) -> int:
    return _movement(ctx, args, "count", args.qty)


def cmd_stock_adjust(ctx: Context, args: argparse.Namespace) -> int:
    return _movement(ctx, args, "adjustment", args.qty)


def cmd_stock_receive(ctx: Context, args: argparse.Namespace) -> int:
    return _movement(ctx, args, "receipt", args.qty)


def cmd_sale(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.inventory import record_offline_sale  # noqa: PLC0415
    from syncd.models import parse_item  # noqa: PLC0415

    items: list[tuple[int, str]] = []
    for n, text in enumerate(args.items):
        if text.strip().isdigit():  # "2 NASTAR-500": the quantity written apart
            after = args.items[n + 1] if n + 1 < len(args.items) else "SKU"
            raise UserError("sale.qty_apart", qty=text.strip(), sku=after)
        try:
            items.append(parse_item(text))
        except ValueError:
            raise UserError("sale.bad_item", item=text) from None
    key = args.key or f"sale:{uuid.uuid4()}"
    results = record_offline_sale(
        ctx.store,
        ctx.tenant().id,
        items,
        channel=args.channel,
        key=key,
        actor=ctx.actor,
        reason=args.note or "",
        allow_negative=args.allow_negative,
    )
    if all(r.already for r in results):
        ctx.print(t("sale.already", key=key))
        return 0
    # the same word ("stok" / "on hand") for the same number as `product list`
    summary = ", ".join(t("sale.item", sku=r.sku, qty=r.qty, on_hand=r.on_hand) for r in results)
    ctx.print(t("sale.recorded", channel=t(f"offline.{args.channel}"), key=key, items=summary))
    return 0


def cmd_channel_add(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.catalog import add_channel  # noqa: PLC0415
    from syncd.cli_channels import (  # noqa: PLC0415
        channel_settings,
        checked_settings,
        missing_settings,
        note,
    )
    from syncd.models import ChannelIn  # noqa: PLC0415

    item = _validated(ChannelIn, name=args.name, marketplace=args.marketplace, shop_id=args.shop_id)
    settings = channel_settings(args)
    missing = missing_settings(item.marketplace, settings)
    if missing:  # refused before anything is stored: a channel added wrong cannot connect
        raise UserError(
            "channel.missing_settings",
            marketplace=item.marketplace,
            flags=", ".join(missing.values()),
        )
    settings = checked_settings(item.marketplace, settings, settings)
    start = parse_since(args.integration_start) if args.integration_start else None
    channel = add_channel(
        ctx.store,
        ctx.tenant().id,
        item,
        settings=settings,
        integration_start=start,
        price_sync=args.price_sync or "off",
    )
    ctx.print(
        t(
            "channel.added",
            name=channel.name,
            marketplace=channel.marketplace,
            shop_id=channel.shop_id,
        )
    )
    note(
        ctx,
        "channel.added",
        f"added ({channel.marketplace}, shop {channel.shop_id})",
        channel.id,
        marketplace=channel.marketplace,
        shop=channel.shop_id,
    )
    ctx.print(t("channel.next_connect", name=channel.name))
    return 0


def cmd_channel_list(ctx: Context, _args: argparse.Namespace) -> int:
    from syncd.catalog import list_channels  # noqa: PLC0415

    rows = [[c.name, c.marketplace, c.shop_id] for c in list_channels(ctx.store, ctx.tenant().id)]
    ctx.print(table([t("h.channel"), t("h.marketplace"), t("h.shop")], rows))
    return 0


def cmd_listing_bind(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.inventory import bind_listing  # noqa: PLC0415
    from syncd.models import ListingIn  # noqa: PLC0415

    item = _validated(
        ListingIn,
        sku=args.sku,
        channel=args.channel,
        item_id=args.item_id,
        variant_id=args.variant_id or "",
    )
    listing = bind_listing(ctx.store, ctx.tenant().id, item, actor=ctx.actor)
    variant = f"/{listing.variant_id}" if listing.variant_id else ""
    if listing.moved_from:
        from syncd.catalog import get_channel  # noqa: PLC0415
        from syncd.cli_channels import note  # noqa: PLC0415

        moved = {"sku": listing.sku, "old": listing.moved_from, "new": listing.item_id + variant}
        note(
            ctx,
            "listing.moved",
            f"{listing.sku} moved from {listing.moved_from} to {moved['new']}",
            get_channel(ctx.store, ctx.tenant().id, listing.channel).id,
            **moved,
        )
        ctx.print(
            t(
                "listing.moved",
                sku=listing.sku,
                channel=listing.channel,
                old=listing.moved_from,
                new=listing.item_id + variant,
            )
        )
        return 0
    ctx.print(
        t(
            "listing.bound",
            sku=listing.sku,
            channel=listing.channel,
            item_id=listing.item_id,
            variant=variant,
        )
    )
    return 0


def cmd_listing_list(ctx: Context, _args: argparse.Namespace) -> int:
    from syncd.catalog import list_listings  # noqa: PLC0415

    rows = [
        [x.channel, x.sku, x.item_id + (f"/{x.variant_id}" if x.variant_id else "")]
        for x in list_listings(ctx.store, ctx.tenant().id)
    ]
    ctx.print(table([t("h.channel"), t("h.sku"), t("h.item")], rows))
    return 0


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.replace(",", ".").rstrip("%"))
    except InvalidOperation:
        raise UserError("rule.bad", problem=f"'{text}' is not a number") from None


def cmd_rule_set(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.inventory import set_rule  # noqa: PLC0415

    fields = {
        "buffer": args.buffer,
        "share_pct": _decimal(args.share),
        "max_shown": args.max,
        "zero_below": args.zero_below,
        "last_units": args.last_units,
        "preferred_channel": args.prefer,
        "one_of_a_kind": args.one_of_a_kind,
        "markup_pct": _decimal(args.markup_pct),
        "markup_fixed": args.markup,
        "rounding": args.rounding,
        "floor_price": args.floor_price,
    }
    scope = set_rule(
        ctx.store,
        ctx.tenant().id,
        channel=args.channel,
        sku=args.sku,
        fields={k: v for k, v in fields.items() if v is not None},
        actor=ctx.actor,
    )
    ctx.print(t("rule.saved", scope=scope))
    return 0


def cmd_rule_list(ctx: Context, _args: argparse.Namespace) -> int:
    from syncd.availability import list_rules  # noqa: PLC0415

    rows = [[scope, text] for scope, text in list_rules(ctx.store, ctx.tenant().id)]
    ctx.print(table([t("h.scope"), t("h.rule")], rows))
    return 0


def cmd_explain(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.availability import explain  # noqa: PLC0415

    ctx.print(*explain(ctx.store, ctx.tenant().id, args.sku))
    return 0


def cmd_ledger(ctx: Context, args: argparse.Namespace) -> int:
    from syncd import ledger, localtime  # noqa: PLC0415
    from syncd.catalog import get_sku  # noqa: PLC0415
    from syncd.cli_words import ledger_reason, ledger_source  # noqa: PLC0415

    tenant = ctx.tenant()
    sku = get_sku(ctx.store, tenant.id, args.sku)
    rows = ledger.history(ctx.store, tenant.id, sku.id, limit=args.limit)
    headers = [
        t("h.time_in", zone=localtime.label(short=True)),
        t("h.kind"),
        t("h.qty"),
        t("h.on_hand"),
        t("h.reserved"),
        t("h.source"),
        t("h.reason"),
        t("h.actor"),
    ]
    ctx.print(
        table(
            headers,
            [
                [
                    localtime.show(str(r["at"]), seconds=True),
                    t(f"kind.{r['kind']}"),
                    r["qty"],
                    r["on_hand"],
                    r["reserved"],
                    ledger_source(
                        str(r["source"]),
                        str(r["channel"]) if r["channel"] else None,
                        str(r["channel_name"]) if r["channel_name"] else None,
                    ),
                    ledger_reason(str(r["source"]), str(r["reason"]), str(r["idem_key"])),
                    r["actor"],
                ]
                for r in rows
            ],
        )
    )
    return 0


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    from syncd.availability import stock_table  # noqa: PLC0415

    rows = stock_table(ctx.store, ctx.tenant().id)
    path = Path(args.file)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["sku", "name", "variant", "price", "on_hand", "reserved", "available", "bundle"]
        )
        writer.writerows(
            [
                r.sku,
                r.name,
                r.variant,
                r.price,
                r.on_hand,
                r.reserved,
                r.available,
                int(r.is_bundle),
            ]
            for r in rows
        )
    tmp.replace(path)  # a half-written export never replaces a good one
    ctx.print(t("export.done", rows=len(rows), path=str(path)))
    return 0


def cmd_check(ctx: Context, _args: argparse.Namespace) -> int:
    from syncd import ledger  # noqa: PLC0415

    problems, movements, balances = ledger.check(ctx.store)
    if problems:
        for p in problems:
            print(t(p.key, **p.params), file=sys.stderr)
        print(t("check.failed", count=len(problems)), file=sys.stderr)
        return 1
    ctx.print(t("check.ok", movements=movements, balances=balances))
    return 0


def cmd_demo(ctx: Context, args: argparse.Namespace) -> int:
    if args.tour:
        from syncd.tour import run_tour  # noqa: PLC0415

        return run_tour(main, out=ctx.out, keep=args.keep)
    from syncd.cli_web import DemoWeb  # noqa: PLC0415 - the web app beside the demo
    from syncd.demo import run_demo  # noqa: PLC0415

    web = None if args.no_web else DemoWeb(args.web)
    return run_demo(out=ctx.out, duration=args.duration, seed=args.seed, keep=args.keep, web=web)


# -- parser ------------------------------------------------------------------


def _movement_opts(p: argparse.ArgumentParser, *, negative: bool = False) -> None:
    p.add_argument("sku", help=t("help.sku"))
    p.add_argument("qty", type=int, help=t("help.qty"))
    p.add_argument("--reason", required=True, help=t("help.reason"))
    p.add_argument("--key", help=t("help.key"))
    if negative:
        p.add_argument("--allow-negative", action="store_true", help=t("help.allow_negative"))


def _catalog_commands(sub: Any, *, adapter_options: bool) -> Any:
    from adapters import marketplaces  # noqa: PLC0415
    from syncd.cli_channels import add_channel_options, cmd_unbind  # noqa: PLC0415
    from syncd.cli_sync import sync_commands  # noqa: PLC0415

    add_command(sub, "init", "help.init", cmd_init)
    tenant = add_group(sub, "tenant", "help.tenant_cmd")
    add_command(tenant, "add", "help.tenant_add", cmd_tenant_add).add_argument("name")
    add_command(tenant, "list", "help.tenant_list", cmd_tenant_list)

    product = add_group(sub, "product", "help.product")
    p = add_command(product, "add", "help.product_add", cmd_product_add)
    p.add_argument("sku", help=t("help.sku"))
    p.add_argument("--name", required=True, help=t("help.name"))
    p.add_argument("--price", required=True, type=int, help=t("help.price"))
    p.add_argument("--product", help=t("help.product_code"))
    p.add_argument("--variant", help=t("help.variant"))
    p.add_argument("--bundle", help=t("help.bundle"))
    add_command(product, "list", "help.product_list", cmd_product_list)
    p = add_command(product, "import", "help.product_import", cmd_product_import)
    p.add_argument("file", help=t("help.file"))
    p.add_argument("--skip-bad", action="store_true", help=t("help.skip_bad"))
    p.add_argument("--set-stock", action="store_true", help=t("help.import_set_stock"))
    p.add_argument("--dry-run", action="store_true", help=t("help.import_dry_run"))

    channel = add_group(sub, "channel", "help.channel")
    p = add_command(channel, "add", "help.channel_add", cmd_channel_add)
    p.add_argument("name")
    p.add_argument(
        "--marketplace", required=True, choices=marketplaces(), help=t("help.marketplace")
    )
    p.add_argument("--shop-id", required=True, help=t("help.shop_id"))
    add_channel_options(p, adapters=adapter_options)
    add_command(channel, "list", "help.channel_list", cmd_channel_list)
    sync_commands(sub, channel)

    listing = add_group(sub, "listing", "help.listing")
    p = add_command(listing, "bind", "help.listing_bind", cmd_listing_bind)
    p.add_argument("sku", help=t("help.sku"))
    p.add_argument("--channel", required=True, help=t("help.rule_channel"))
    p.add_argument("--item-id", required=True, help=t("help.item_id"))
    p.add_argument("--variant-id", help=t("help.variant_id"))
    add_command(listing, "list", "help.listing_list", cmd_listing_list)
    p = add_command(listing, "unbind", "help.listing_unbind", cmd_unbind)
    p.add_argument("sku", help=t("help.sku"))
    p.add_argument("--channel", required=True, help=t("help.rule_channel"))
    return channel


def _stock_commands(sub: Any) -> None:
    from syncd.models import OFFLINE_CHANNELS  # noqa: PLC0415

    stock = add_group(sub, "stock", "help.stock")
    _movement_opts(add_command(stock, "set", "help.stock_set", cmd_stock_set))
    _movement_opts(
        add_command(stock, "adjust", "help.stock_adjust", cmd_stock_adjust), negative=True
    )
    _movement_opts(add_command(stock, "receive", "help.stock_receive", cmd_stock_receive))

    p = add_command(sub, "sale", "help.sale", cmd_sale)
    p.add_argument("items", nargs="+", metavar="QTYxSKU", help=t("help.sale_items"))
    p.add_argument(
        "--channel", required=True, choices=OFFLINE_CHANNELS, help=t("help.sale_channel")
    )
    p.add_argument("--key", help=t("help.key"))
    p.add_argument("--note", help=t("help.note"))
    p.add_argument("--allow-negative", action="store_true", help=t("help.allow_negative"))


def _rule_commands(sub: Any) -> None:
    rule = add_group(sub, "rule", "help.rule")
    p = add_command(rule, "set", "help.rule_set", cmd_rule_set)
    p.add_argument("--channel", help=t("help.rule_channel"))
    p.add_argument("--sku", help=t("help.rule_sku"))
    p.add_argument("--buffer", type=int, help=t("help.buffer"))
    p.add_argument("--share", metavar="PCT", help=t("help.share"))
    p.add_argument("--max", type=int, help=t("help.max"))
    p.add_argument("--zero-below", type=int, help=t("help.zero_below"))
    p.add_argument("--last-units", type=int, help=t("help.last_units"))
    p.add_argument("--prefer", help=t("help.prefer"))
    p.add_argument(
        "--one-of-a-kind", action=argparse.BooleanOptionalAction, help=t("help.one_of_a_kind")
    )
    p.add_argument("--markup-pct", metavar="PCT", help=t("help.markup_pct"))
    p.add_argument("--markup", type=int, metavar="RP", help=t("help.markup"))
    p.add_argument("--rounding", help=t("help.rounding"))
    p.add_argument("--floor-price", type=int, metavar="RP", help=t("help.floor_price"))
    add_command(rule, "list", "help.rule_list", cmd_rule_list)


def _report_commands(sub: Any) -> None:
    add_command(sub, "explain", "help.explain", cmd_explain).add_argument("sku", help=t("help.sku"))
    p = add_command(sub, "ledger", "help.ledger", cmd_ledger)
    p.add_argument("sku", help=t("help.sku"))
    p.add_argument("--limit", type=int, default=50, help=t("help.limit"))
    add_command(sub, "export", "help.export", cmd_export).add_argument("file", help=t("help.file"))
    add_command(sub, "check", "help.check", cmd_check)
    p = add_command(sub, "demo", "help.demo", cmd_demo)
    p.add_argument("--duration", type=float, default=60.0, help=t("help.duration"))
    p.add_argument("--seed", type=int, default=7, help=t("help.seed"))
    p.add_argument("--tour", action="store_true", help=t("help.tour"))
    p.add_argument("--keep", metavar="DIR", help=t("help.keep"))
    p.add_argument("--web", metavar="HOST:PORT", default="127.0.0.1:8750", help=t("help.demo_web"))
    p.add_argument("--no-web", action="store_true", help=t("help.demo_no_web"))


def _sets_channel_settings(argv: Sequence[str]) -> bool:
    """Whether a command line may be ``channel add``/``edit``: only they need the adapters'
    settings as options, and loading every adapter costs a cash sale 0.4 s of start-up."""
    return "channel" in argv and ("add" in argv or "edit" in argv)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command tree, with help (and argparse's own words) in the current language.

    Given the command line, the adapters' settings options are added only where it may
    use them (``channel add``/``edit``); without one, the tree is whole."""
    from syncd import __version__  # noqa: PLC0415
    from syncd.cli_words import install_argparse_words  # noqa: PLC0415

    install_argparse_words()
    parser = argparse.ArgumentParser(
        prog="syncd", description=t("help.prog"), epilog=t("help.epilog")
    )
    parser.add_argument(
        "--version",
        action="version",
        version=t("version.text", version=__version__),
        help=t("help.version"),
    )
    parser.add_argument("--db", help=t("help.db"))
    parser.add_argument("--config", help=t("help.config"))
    parser.add_argument("--tenant", help=t("help.tenant"))
    parser.add_argument("--lang", choices=i18n.LANGS, help=t("help.lang"))
    parser.add_argument("--actor", help=t("help.actor"))
    sub = parser.add_subparsers(dest="cmd", required=True, metavar=t("argparse.command_metavar"))
    from syncd import (  # noqa: PLC0415
        cli_audit,
        cli_backup,
        cli_channels,
        cli_drift,
        cli_notify,
        cli_ops,
        cli_orders,
        cli_returns,
        cli_tryout,
        cli_users,
        cli_web,
        cli_webhooks,
    )

    adapter_options = argv is None or _sets_channel_settings(argv)
    channel = _catalog_commands(sub, adapter_options=adapter_options)
    channel.adapter_options = adapter_options  # for `channel edit` (cli_channels.commands)
    for add in (_stock_commands, _rule_commands, _report_commands):
        add(sub)
    for module in (
        cli_channels,
        cli_returns,
        cli_orders,
        cli_audit,
        cli_drift,
        cli_ops,
        cli_tryout,
        cli_backup,
        cli_users,
        cli_notify,
        cli_web,
        cli_webhooks,
    ):
        module.commands(sub, channel)
    return parser


def _early_lang(argv: Sequence[str]) -> None:
    """Pick the language before building the parser, so --help is translated too.

    A bad ``--lang`` is left for argparse to report; a bad SYNCD_LANG raises ValueError.
    """
    lang = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    if lang in i18n.LANGS:
        i18n.set_lang(lang)
        return
    i18n.set_lang(None)
    i18n.get_lang()  # validates SYNCD_LANG


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``syncd`` console script.

    The one place errors end: a known error is one catalogue line and exit 1; an
    unexpected one is one line with a reference, its scrubbed traceback goes to the
    error log (syncd.log.record_crash), exit 70; Ctrl-C is one line, exit 130; a
    closed stdout (``syncd logs | head``) is silent, exit 141. argparse's own usage
    errors keep its exit code 2.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    ctx: Context | None = None
    try:
        try:
            _early_lang(argv)
        except ValueError as exc:
            print(f"Gagal/Error: SYNCD_LANG: {exc}", file=sys.stderr)
            return 2
        args = build_parser(sys.argv[1:] if argv is None else argv).parse_args(argv)
        if args.cmd in ("run", "channel", "demo"):  # the commands that log; others stay light
            from syncd.log import configure  # noqa: PLC0415

            configure(level="warning")  # commands print their results; `run` logs at info
        ctx = Context(args)
        interrupted = False
        try:
            if not args.lang and not os.environ.get("SYNCD_LANG") and ctx.settings.lang:
                i18n.set_lang(ctx.settings.lang)
            from syncd import config, localtime  # noqa: PLC0415

            where = config.config_path(args.config) or "syncd.toml"
            localtime.set_zone(ctx.settings.timezone, source=f"{where}: timezone")
            code = int(args.handler(ctx, args))
            sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
        except KeyboardInterrupt:
            interrupted = True  # the seller gave up waiting: do not wait again to close
            raise
        finally:
            try:
                ctx.close(wait=not interrupted)
            finally:
                ctx.release()
    except KeyboardInterrupt:
        _say(t("error.interrupted"))
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 141
    except Exception as exc:  # noqa: BLE001 - the top-level handler: every error ends here
        return _report(exc, ctx)
    return code


def _say(line: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stderr)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _report(exc: Exception, ctx: Context | None) -> int:
    """Print a known error's message (exit 1), or one line with a log reference (exit 70)."""
    known = _known_message(exc, ctx)
    if known is not None:
        _say(f"{t('error.prefix')}: {known}")
        return 1
    from syncd.log import record_crash  # noqa: PLC0415

    command = getattr(getattr(ctx, "args", None), "cmd", "") or ""
    ref, where = record_crash(exc, command=command)
    if where is None:
        _say(t("error.unexpected_unlogged", ref=ref, kind=type(exc).__name__))
    else:
        _say(t("error.unexpected", ref=ref, log=str(where)))
    return 70


_SQLITE_PROBLEMS = (
    ("locked", "store.busy"),
    ("busy", "store.busy"),
    ("readonly", "store.readonly"),
    ("unable to open", "store.cannot_open"),
    ("disk i/o", "store.disk"),
    ("full", "store.disk"),
    ("malformed", "store.damaged"),
    ("not a database", "store.damaged"),
)


def _known_message(exc: Exception, ctx: Context | None) -> str | None:
    """The catalogue text for an error the user can act on, or None for a bug."""
    import sqlite3  # noqa: PLC0415

    if isinstance(exc, UserError):
        return str(exc)
    path = str(ctx.db_path) if ctx is not None and ctx.db_path is not None else "?"
    if isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError:
        return _sqlite_message(exc, path)
    if isinstance(exc, PermissionError):
        return t("error.permission", path=exc.filename or path)
    if isinstance(exc, OSError) and exc.strerror:
        return t("error.os", path=exc.filename or path, problem=exc.strerror)
    return None


def _sqlite_message(exc: Exception, path: str) -> str | None:
    """A database the user can do something about; "no such table" and the like are bugs."""
    import sqlite3  # noqa: PLC0415

    text = str(exc).lower()
    for needle, key in _SQLITE_PROBLEMS:
        if needle in text:
            return t(key, path=path, problem=str(exc))
    if type(exc) is sqlite3.DatabaseError:  # the base class: a file SQLite cannot read
        return t("store.damaged", path=path, problem=str(exc))
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
