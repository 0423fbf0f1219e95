"""The member's (seller's) pages: stock, one SKU, sales and counts, orders, channels, import.

Every page reads and writes through ``req.scope`` (the signed-in member's shop): each
id a request names (a SKU, a channel, a held sale) is resolved there, so another
member's id is "not found". The words are the CLI's where the CLI already says the
thing (``syncd status``, ``explain``, ``ledger``, ``product import --dry-run``).

* ``/`` and ``/stock?q=``: the stock list, low stock first, with a live search (htmx asks
  for the table's rows only) and the phone sales held for the owner on top;
* ``/sku/{code}``: what each channel shows of the SKU and why, and its last movements;
* ``/sale`` and ``/count``: a cash / WhatsApp / Instagram sale and a stock count, each
  recorded once per key made in the form (a double tap or a reload records nothing new);
* ``/orders`` and ``/picklist``: the marketplace orders and what to pack;
* ``/channels``: each channel's state with what to do (the owner accepts or resumes);
* ``/import``: a CSV/XLSX previewed with every row's problem, then applied as it was
  previewed (the file waits on the server under a token of this session and member).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from starlette.responses import Response

from syncd import localtime
from syncd.errors import ImportFailed, InsufficientStock, NotFound, UserError
from syncd.i18n import t
from syncd.models import OFFLINE_CHANNELS
from syncd.web.core import MAX_UPLOAD, STAFF, Req, new_token, page

__all__ = ["stock_page"]

OWNER: Final = frozenset({"owner"})
#: sale lines the form offers (one sale of more items: record it in two)
SALE_LINES: Final = 6
#: orders the list shows (the newest; filters reach the others)
ORDERS_SHOWN: Final = 50
#: a key made in a form: the idempotency key of what the form records
_KEY: Final = re.compile(r"[A-Za-z0-9_-]{8,80}")
#: how long an uploaded file waits for "apply" after its preview
IMPORT_TTL: Final = 3600
_SUFFIXES: Final = (".csv", ".xlsx", ".xlsm")
#: where the marketplace sends the owner back after authorizing (``channel connect``'s
#: default); the code in the address it lands on goes to ``syncd channel connect --code``
REDIRECT: Final = "https://localhost/syncd/callback"


def _head(req: Req, **ctx: Any) -> dict[str, Any]:
    return {
        "tenant": req.scope.tenant_name,
        "zone": localtime.label(short=True),
        "show": localtime.show,
        **ctx,
    }


def _key(req: Req) -> str:
    """The form's key (a fresh one when the post carries none or a malformed one)."""
    sent = req.form.get("key", "")
    return sent if _KEY.fullmatch(sent) else new_token()


def _number(text: str, *, default: int | None = None) -> int | None:
    text = text.strip().replace(".", "")
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        return None


# -- stock ---------------------------------------------------------------------------------


def _held(req: Req) -> list[dict[str, Any]]:
    out = []
    for row in req.scope.held_sales():
        items = [(int(q), str(c)) for q, c in json.loads(row["items"])]
        out.append(
            {
                "id": row["id"],
                "items": items,
                "channel": row["channel"],
                "actor": row["actor"],
                "sold_at": localtime.show(row["sold_at"]),
                "received_at": localtime.show(row["received_at"]),
            }
        )
    return out


def _stock(req: Req, q: str) -> Response:
    scope = req.scope
    rows = scope.stock(q)
    low = scope.low_levels()
    if req.fragment():
        return req.render("member/_stock_rows.html", rows=rows, low=low, q=q)
    return req.render("member/stock.html", **_head(req, rows=rows, low=low, q=q, held=_held(req)))


def stock_page(req: Req) -> Response:
    """The member's start page: stock, low-stock first (pages_auth's ``/`` calls it)."""
    return _stock(req, "")


@page("/stock", roles=STAFF)
def stock(req: Req) -> Response:
    return _stock(req, req.param("q")[:100])


@page("/held/{held_id}", roles=OWNER, methods=("POST",), ids={"held_id": "held"})
def held(req: Req) -> Response:
    """The owner records a held phone sale below zero (apply) or drops it (cancel)."""
    row = req.scope.held(req.param("held_id"))
    action = req.form.get("action", "")
    if action not in ("apply", "cancel"):
        raise UserError("web.member.held_action")
    req.scope.resolve_held(str(row["id"]), apply=action == "apply", actor=req.actor)
    return req.redirect("/")


# -- one SKU ------------------------------------------------------------------------------


def _sku_page(
    req: Req, code: str, *, status: int = 200, result: str = "", error: str = ""
) -> Response:
    scope = req.scope
    sku = scope.sku(code)
    rows = [
        {
            **r,
            "at": localtime.show(str(r["at"]), seconds=True),
            "kind_text": t(f"kind.{r['kind']}"),
            "source_text": _source(r),
            "reason_text": _reason(r),
        }
        for r in scope.ledger(sku.sku)
    ]
    return req.render(
        "member/sku.html",
        status=status,
        **_head(
            req,
            sku=sku,
            row=scope.stock_row(sku.sku),
            low=scope.low_levels().get(sku.sku),
            explain=[_indent(line) for line in scope.explain(sku.sku)],
            ledger=rows,
            key=new_token(),
            result=result,
            error=error,
        ),
    )


def _indent(line: str) -> tuple[int, str]:
    """An ``explain`` line and how deep it sits: 0 the SKU, 1 a channel, 2 its details
    (the CLI indents them with spaces, which a phone's narrow page cannot keep)."""
    depth = len(line) - len(line.lstrip(" "))
    return (0 if depth == 0 else 1 if depth <= 2 else 2), " ".join(line.split())


def _source(r: dict[str, object]) -> str:
    from syncd.cli_words import ledger_source  # noqa: PLC0415 - the ledger's words

    return ledger_source(
        str(r["source"]),
        str(r["channel"]) if r["channel"] else None,
        str(r["channel_name"]) if r["channel_name"] else None,
    )


def _reason(r: dict[str, object]) -> str:
    from syncd.cli_words import ledger_reason  # noqa: PLC0415

    return ledger_reason(str(r["source"]), str(r["reason"]), str(r["idem_key"]))


@page("/sku/{code:path}", roles=STAFF, ids={"code": "sku"})
def sku(req: Req) -> Response:
    return _sku_page(req, req.param("code"))


# -- a sale and a count -------------------------------------------------------------------


def _sale_lines(req: Req) -> list[tuple[int, str]]:
    items: list[tuple[int, str]] = []
    for n in range(1, SALE_LINES + 1):
        code = req.form.get(f"sku{n}", "").strip()
        if not code:
            continue
        qty = _number(req.form.get(f"qty{n}", ""), default=1)
        if qty is None or qty <= 0:
            raise UserError("web.sale_qty", sku=req.scope.sku(code).sku)
        items.append((qty, req.scope.sku(code).sku))
    return items


@dataclass(frozen=True, slots=True)
class _Done:
    """One line of what a form recorded, with the SKU's stock after it."""

    sku: str
    qty: int
    on_hand: int
    available: int


def _sale_form(req: Req, *, status: int = 200, **ctx: Any) -> Response:
    scope = req.scope
    return req.render(
        "member/sale.html",
        status=status,
        **_head(
            req,
            skus=scope.stock(),
            lines=range(1, SALE_LINES + 1),
            channels=OFFLINE_CHANNELS,
            **{"key": new_token(), "result": "", "done": [], "error": "", "form": {}, **ctx},
        ),
    )


@page(
    "/sale",
    roles=STAFF,
    methods=("GET", "POST"),
    ids={f"sku{n}": "sku" for n in range(1, SALE_LINES + 1)},
)
def sale(req: Req) -> Response:
    """A sale outside the marketplaces (``syncd sale``): all its lines or none, once per
    the form's key. ``GET /sale?sku1=CODE`` starts the form with that SKU (the SKU page
    links there)."""
    if req.request.method == "GET":
        asked = {}
        for n in range(1, SALE_LINES + 1):
            code = req.param(f"sku{n}").strip()
            if code:  # another member's SKU: not found
                asked[f"sku{n}"] = req.scope.sku(code).sku
        return _sale_form(req, form=asked)
    items = _sale_lines(req)
    key = _key(req)
    via = req.form.get("via", "cash")
    try:
        done = req.scope.record_sale(
            items,
            key=f"form:{key}",
            via=via,
            actor=req.actor,
            reason=req.form.get("note", "").strip()[:500],
            allow_negative=req.form.get("allow_negative") == "1",
        )
    except InsufficientStock as exc:
        return _sale_form(
            req,
            status=422,
            key=key,
            form=req.form,
            error=t("web.member.sale_short", **exc.params),
        )
    stock = {r.sku: r.available for r in req.scope.stock()}
    lines = [_Done(a.sku, a.qty, a.on_hand, stock.get(a.sku, 0)) for a in done]
    if all(a.already for a in done):
        result = t("web.member.sale_already")
    else:
        result = t("web.member.sale_done", channel=t(f"offline.{via}"))
    return _sale_form(req, result=result, done=lines)


@page("/count", roles=STAFF, methods=("POST",), ids={"sku": "sku"})
def count(req: Req) -> Response:
    """A stock count of one SKU (``syncd stock set``): on hand becomes the number counted."""
    code = req.scope.sku(req.param("sku")).sku
    qty = _number(req.form.get("qty", ""))
    if qty is None or qty < 0:
        return _sku_page(req, code, status=422, error=t("web.member.count_qty"))
    reason = req.form.get("reason", "").strip() or t("web.member.count_reason_default")
    done = req.scope.count(
        code, qty, key=f"count:{_key(req)}", reason=reason[:500], actor=req.actor
    )
    available = req.scope.stock_row(code).available
    if done.already:
        result = t("web.member.count_already", sku=code, on_hand=done.on_hand, available=available)
    else:
        result = t("web.member.count_done", sku=code, on_hand=done.on_hand, available=available)
    return _sku_page(req, code, result=result)


# -- orders --------------------------------------------------------------------------------


def _filters(req: Req) -> dict[str, str]:
    return {
        "channel": req.param("channel").strip(),
        "status": req.param("status").strip().lower(),
        "day": req.param("day").strip()[:40],
    }


@page("/orders", roles=STAFF, ids={"channel": "channel"})
def orders(req: Req) -> Response:
    from syncd.orders_view import STATES  # noqa: PLC0415

    scope = req.scope
    asked = _filters(req)
    if asked["channel"]:
        scope.channel(asked["channel"])  # another member's channel: not found
    error = ""
    try:
        found = scope.orders(**asked, limit=ORDERS_SHOWN)
    except NotFound:
        raise
    except UserError as exc:  # a day or a status the seller mistyped: said by the filter
        found, error = [], str(exc)
    return req.render(
        "member/orders.html",
        **_head(
            req,
            orders=found,
            filters=asked,
            channels=scope.channels(),
            states=STATES,
            error=error,
            limit=ORDERS_SHOWN,
            unbound=any(line.sku is None for o in found for line in o.lines),
        ),
    )


@page("/picklist", roles=STAFF, ids={"channel": "channel"})
def picklist(req: Req) -> Response:
    scope = req.scope
    asked = _filters(req)
    error, day_text = "", ""
    try:
        found = scope.picklist(channel=asked["channel"], day=asked["day"])
        if asked["day"]:
            from syncd.orders_view import day_bounds  # noqa: PLC0415

            day_text = localtime.show(day_bounds(asked["day"])[0])[:10]
    except NotFound:
        raise
    except UserError as exc:
        from syncd.orders_view import Picklist  # noqa: PLC0415

        found, error = Picklist([], [], 0), str(exc)
    return req.render(
        "member/picklist.html",
        **_head(
            req, pick=found, filters=asked, channels=scope.channels(), error=error, day=day_text
        ),
    )


# -- channels ------------------------------------------------------------------------------


def _vault(req: Req) -> Any:
    """The vault by the key rule every command follows (a look never makes a key), or
    why it cannot be opened (then sealed secrets read as ``cannot_decrypt``)."""
    from syncd.credentials import Vault, load_key  # noqa: PLC0415

    try:
        return Vault(load_key(req.store.path, req.web.settings.master_key, create=False))
    except UserError as exc:
        return exc


def _channels_page(req: Req, *, status: int = 200, message: str = "") -> Response:
    from syncd.i18n import rupiah  # noqa: PLC0415

    scope = req.scope
    vault = _vault(req)
    cards = []
    for state in scope.channel_states(vault):
        ch, health = state.channel, state.health
        since = localtime.show(health.since) if health.since else "-"
        card: dict[str, Any] = {
            "state": state,
            "last_pull": localtime.show(state.last_pull),
            "last_push": localtime.show(state.last_push),
            "next": ""
            if health.ok
            else t(f"next.{health.state}", name=ch.name, detail=health.detail, since=since),
            "link": None,
            "bound": 0,
            "diffs": [],
        }
        if health.state in ("not_connected", "needs_reauth") and scope.role == "owner":
            card["link"] = scope.authorization_url(ch.name, vault, REDIRECT)
        if health.state == "not_reviewed":
            card["bound"], card["diffs"] = scope.review(ch.name)
        cards.append(card)
    return req.render(
        "member/channels.html",
        status=status,
        **_head(req, cards=cards, message=message, redirect=REDIRECT, money=_money(rupiah)),
    )


def _money(rupiah: Any) -> Any:
    def money(value: int | None) -> str:
        return t("review.unknown") if value is None else str(rupiah(value))

    return money


@page("/channels", roles=STAFF)
def channels(req: Req) -> Response:
    return _channels_page(req)


@page("/channels/{name}/accept", roles=OWNER, methods=("POST",), ids={"name": "channel"})
def accept(req: Req) -> Response:
    """The owner accepts that syncd pushes to a channel (``syncd channel accept``)."""
    channel, changes = req.scope.accept(
        req.param("name"), prices=req.form.get("prices") == "push", actor=req.actor
    )
    prices = t("prices.push" if channel.price_sync == "push" else "prices.off")
    return _channels_page(
        req, message=t("accept.done", name=channel.name, prices=prices, count=changes)
    )


@page("/channels/{name}/resume", roles=OWNER, methods=("POST",), ids={"name": "channel"})
def resume(req: Req) -> Response:
    channel = req.scope.resume(req.param("name"), actor=req.actor)
    return _channels_page(req, message=t("channel.resumed", name=channel.name))


# -- import --------------------------------------------------------------------------------


def _uploads(req: Req) -> Path:
    """Files waiting between their preview and "apply": beside the database (private to
    syncd, like the database), one folder per upload."""
    db = req.store.path
    where = db.parent / f".{db.name}.uploads"
    where.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for old in where.iterdir():  # expired previews go
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > IMPORT_TTL:
                shutil.rmtree(old, ignore_errors=True)
    return where


def _file_name(name: str) -> str:
    """The uploaded file's own name, safe to keep (its folder, if any, left out)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    safe = re.sub(r"[^\w.\- ]", "_", base)[-100:].lstrip(".")
    return safe or "upload.csv"


@dataclass(frozen=True, slots=True)
class _Staged:
    token: str
    path: Path
    name: str
    digest: str
    set_stock: bool


def _owner_of(req: Req) -> str:
    """The session and the member an upload belongs to (never shown)."""
    assert req.session is not None  # noqa: S101 - the page's roles need a session
    return hashlib.sha256(f"{req.session.token_hash}:{req.scope.tenant_id}".encode()).hexdigest()


def _stage(req: Req, name: str, data: bytes, *, set_stock: bool) -> _Staged:
    token = new_token()
    folder = _uploads(req) / token
    folder.mkdir(mode=0o700)
    path = folder / name
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    meta = {"owner": _owner_of(req), "digest": digest, "set_stock": set_stock, "name": name}
    (folder / "upload.json").write_text(json.dumps(meta), encoding="utf-8")
    return _Staged(token, path, name, digest, set_stock)


def _staged(req: Req, token: str, digest: str) -> _Staged:
    """The upload previewed under ``token``: this session's, this member's, not expired,
    and the very bytes that were previewed; anything else is refused."""
    if not _KEY.fullmatch(token):
        raise UserError("web.member.import_expired")
    folder = _uploads(req) / token
    try:
        meta = json.loads((folder / "upload.json").read_text(encoding="utf-8"))
        path = folder / str(meta["name"])
        data = path.read_bytes()
    except (OSError, ValueError, KeyError):
        raise UserError("web.member.import_expired") from None
    if meta.get("owner") != _owner_of(req):
        raise UserError("web.member.import_expired")
    actual = hashlib.sha256(data).hexdigest()
    if actual != meta.get("digest") or actual != digest:
        raise UserError("web.member.import_changed")
    return _Staged(token, path, str(meta["name"]), actual, bool(meta.get("set_stock")))


def _problems(errors: list[Any]) -> list[dict[str, object]]:
    """Each row's problem as (row, column, what is wrong), in the seller's words."""
    from syncd.importer import COLUMNS, column_label  # noqa: PLC0415

    out = []
    for err in errors:
        column = err.label or (column_label(err.column) if err.column in COLUMNS else err.column)
        whole = str(err)
        prefix = t("import.row_error", row=err.row, column=column, reason="")
        out.append(
            {
                "row": err.row,
                "column": column,
                "message": whole.removeprefix(prefix) if whole.startswith(prefix) else whole,
            }
        )
    return out


def _plan(report: Any, name: str) -> tuple[list[str], list[str]]:
    """``importer.render``'s lines of a preview without its first and last (the CLI's
    ``--dry-run`` words; the page says them its own way)."""
    from syncd.importer import render  # noqa: PLC0415

    report.path = name
    lines, warnings = render(report)
    return lines[1:-1] if report.dry_run else lines[:-1], warnings


def _counts(report: Any) -> dict[str, int]:
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "stock_set": report.stock_set,
    }


def _run(req: Req, staged: _Staged, *, dry_run: bool) -> Any:
    """The import's report, or the page listing every row's problem when it is refused
    (then nothing was written)."""
    try:
        return req.scope.import_file(
            staged.path, set_stock=staged.set_stock, dry_run=dry_run, actor=req.actor
        )
    except ImportFailed as exc:
        report: Any = exc.report
        _, warnings = _plan(report, staged.name)
        return req.render(
            "member/import.html",
            status=422,
            **_head(
                req,
                stage="refused",
                name=staged.name,
                problems=_problems(report.errors),
                warnings=warnings,
                good=report.good_rows,
                bad=report.skipped,
            ),
        )


@page("/import", roles=STAFF, methods=("GET", "POST"), max_body=MAX_UPLOAD)
def import_page(req: Req) -> Response:
    """Upload a product file, see what it would change and every row's problem, then
    apply exactly that file (all rows or none)."""
    if req.request.method == "GET":
        from syncd.importer import known_columns  # noqa: PLC0415

        return req.render("member/import.html", **_head(req, stage="choose", known=known_columns()))
    if req.form.get("action") == "apply":
        return _apply(req)
    name, data = req.files.get("file", ("", b""))
    if not data:
        raise UserError("web.member.import_no_file")
    name = _file_name(name)
    if not name.lower().endswith(_SUFFIXES):
        raise UserError("import.unsupported", path=name)
    staged = _stage(req, name, data, set_stock=req.form.get("set_stock") == "1")
    report = _run(req, staged, dry_run=True)
    if isinstance(report, Response):
        shutil.rmtree(staged.path.parent, ignore_errors=True)
        return report
    lines, warnings = _plan(report, name)
    return req.render(
        "member/import.html",
        **_head(
            req,
            stage="preview",
            name=name,
            lines=lines,
            warnings=warnings,
            counts=_counts(report),
            token=staged.token,
            digest=staged.digest,
            set_stock=staged.set_stock,
            changes=bool(report.created or report.updated or report.stock),
        ),
    )


def _apply(req: Req) -> Response:
    staged = _staged(req, req.form.get("token", ""), req.form.get("digest", ""))
    try:
        report = _run(req, staged, dry_run=False)
    finally:
        shutil.rmtree(staged.path.parent, ignore_errors=True)  # applied or refused: once
    if isinstance(report, Response):
        return report
    lines, warnings = _plan(report, staged.name)
    return req.render(
        "member/import.html",
        **_head(
            req,
            stage="applied",
            name=staged.name,
            lines=lines,
            warnings=warnings,
            counts=_counts(report),
        ),
    )
