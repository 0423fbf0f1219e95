"""Import products, variants, bundles and opening stock from CSV or XLSX.

All or nothing: every row is validated first; if any row is bad, nothing is
applied (unless ``skip_bad``), and each problem names its row, column and
reason. The good rows are applied in one transaction.

The ``stock`` column is *opening* stock. It becomes a ``count`` movement only for
SKUs that have no stock history yet (the ones this import creates, or ones added
without stock). For a SKU that already has stock it is ignored, and the report
says so, because a file made before a sale would otherwise undo that sale. With
``set_stock`` the column is a stock count made now: on hand becomes N, recorded
as a ``count`` naming the file and row, and the report says how many units each
SKU gains or loses and which sales since its last count the new count overrides.
A SKU whose on hand already equals the file's number gets no new movement, so
running the same file twice records nothing twice; after a sale, running it again
is a new count (shown, never silent).

``dry_run`` plans exactly the same way and writes nothing.

Columns (header row, any order, case-insensitive; Indonesian names work too;
units in brackets and marks are ignored, so ``Harga Jual (Rp)`` is ``price``):

=============  ===============================  ======================================
column         also accepted                     meaning
=============  ===============================  ======================================
sku            kode, kode_sku, kode_barang       master SKU (required, unique in file)
name           nama, nama_produk, nama_barang    product name (required)
price          harga, harga_jual                 whole rupiah: 85000, Rp85.000,-, 85.000,00
product        produk, induk                     groups variants of one product
variant        varian, variasi                   variant name, e.g. "500 g"
components     komponen, isi_paket               makes the row a bundle: "2xA 1xB"
stock          stok, stok_awal                   opening stock (see above)
=============  ===============================  ======================================

Any other column (``catatan``, ``foto``, ...) is named once in a warning and
ignored, unless its name is a near miss of a known column the file does not
have (``hraga``, ``stokk``): that is an error with the suggestion, because
ignoring it would silently drop the column's data.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from syncd import catalog, inventory, ledger, localtime
from syncd.errors import ImportFailed, UserError
from syncd.i18n import CATALOGUE, get_lang, rupiah, t
from syncd.models import Component, MovementIn, SkuIn, parse_items, valid_sku
from syncd.store import Store

__all__ = [
    "COLUMNS",
    "Created",
    "ImportReport",
    "RowError",
    "StockChange",
    "StockKept",
    "Updated",
    "column_label",
    "import_file",
    "known_columns",
    "parse_count",
    "parse_price",
    "read_rows",
    "render",
]

COLUMNS: dict[str, tuple[str, ...]] = {
    "sku": ("kode", "kode_sku", "kode_barang"),
    "name": ("nama", "nama_produk", "nama_barang"),
    "price": ("harga", "harga_jual"),
    "product": ("produk", "induk"),
    "variant": ("varian", "variasi"),
    "components": ("komponen", "isi_paket"),
    "stock": ("stok", "stok_awal"),
}
REQUIRED = ("sku", "name", "price")
#: The name a column is listed under for an Indonesian reader.
_LABEL_ID = {
    "sku": "kode",
    "name": "nama",
    "price": "harga",
    "product": "produk",
    "variant": "varian",
    "components": "komponen",
    "stock": "stok",
}
_ALIASES = {alias: col for col, names in COLUMNS.items() for alias in (col, *names)}
#: How alike an unknown header must be to a known name to count as a misspelling.
_MISSPELT = 0.75
_PROGRESS_FROM = 2_000  # rows; smaller files finish before a bar is useful
_SHOW = 50  # lines per section of the report; the rest are counted
_NAMES = 10  # SKUs named on one line
#: Movements a count overrides that the seller should hear about (they lowered stock).
_LOWERING = ("offline_sale", "sale", "adjustment")


def column_label(col: str) -> str:
    """A canonical column's name in the seller's language (``price`` → ``harga``)."""
    return _LABEL_ID.get(col, col) if get_lang() == "id" else col


def known_columns() -> str:
    """The known columns, listed in the seller's language."""
    return ", ".join(column_label(c) for c in COLUMNS)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in the file: where it is and what is wrong.

    ``column`` is the canonical column (``price``); ``label`` is the header as the
    file writes it (``harga``), which is what the message shows.
    """

    row: int
    column: str
    key: str
    params: dict[str, object] = field(default_factory=dict)
    label: str = ""

    def __str__(self) -> str:
        column = self.label or (
            column_label(self.column) if self.column in COLUMNS else self.column
        )
        params: dict[str, object] = {"known": known_columns(), **self.params}
        if self.column in COLUMNS:  # the column's own name, in the language shown now
            params.setdefault("name", column_label(self.column))
            params["meaning"] = column_label(self.column)
        reason = t(self.key, **params)
        return t("import.row_error", row=self.row, column=column, reason=reason)


@dataclass(frozen=True, slots=True)
class Created:
    """A SKU the import creates."""

    sku: str
    row: int
    name: str
    price: int
    stock: int | None
    components: str = ""


@dataclass(frozen=True, slots=True)
class Updated:
    """An existing SKU whose fields change: (field, old, new) each."""

    sku: str
    row: int
    changes: tuple[tuple[str, object, object], ...]


@dataclass(frozen=True, slots=True)
class Lowered:
    """Movements of one kind and channel that lowered stock since the last count."""

    kind: str
    channel: str
    units: int
    times: int
    last_at: str


@dataclass(frozen=True, slots=True)
class StockChange:
    """A count the import records: on hand goes from ``before`` to ``after``.

    ``opening`` when the SKU had no stock history; otherwise a ``--set-stock`` count,
    with what it overrides since ``since`` (the last count, or None: never counted).
    """

    sku: str
    row: int
    before: int
    after: int
    opening: bool
    key: str
    overrides: tuple[Lowered, ...] = ()
    since: str | None = None


@dataclass(frozen=True, slots=True)
class StockKept:
    """An existing SKU whose file stock was ignored (no ``--set-stock``)."""

    sku: str
    row: int
    file_qty: int
    on_hand: int


@dataclass(slots=True)
class ImportReport:
    """What an import did, or with ``dry_run`` would do (or, with errors, refused)."""

    path: str
    dry_run: bool = False
    set_stock: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stock_set: int = 0
    skipped: int = 0  # rows with problems, left out (--skip-bad) or refused
    good_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    new: list[Created] = field(default_factory=list)
    changed: list[Updated] = field(default_factory=list)
    stock: list[StockChange] = field(default_factory=list)
    already: list[tuple[str, int]] = field(default_factory=list)
    kept: list[StockKept] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    item: SkuIn
    stock: int | None


# -- reading -----------------------------------------------------------------


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]], bytes]:
    """(header, numbered data rows, raw bytes) of a CSV or XLSX file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise UserError("import.not_found", path=str(path)) from None
        raise UserError("import.unreadable", path=str(path), problem=exc.strerror) from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return (*_read_csv(raw), raw)
    if suffix in (".xlsx", ".xlsm"):
        return (*_read_xlsx(path, raw), raw)
    raise UserError("import.unsupported", path=str(path))


def _read_csv(raw: bytes) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        err = RowError(
            line, "-", "import.r.not_utf8", {"byte": f"0x{raw[exc.start]:02X}", "pos": col}
        )
        raise _FileRefused([err]) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    return header, ((reader.line_num, row) for row in reader)


def _read_xlsx(path: Path, raw: bytes) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    import openpyxl  # noqa: PLC0415 - only XLSX imports pay for openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise UserError("import.unreadable", path=str(path), problem=str(exc)) from None
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = ["" if v is None else str(v) for v in next(rows, ())]
    return header, ((n, list(row)) for n, row in enumerate(rows, start=2))


class _FileRefused(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("file refused")
        self.errors = errors


# -- the header --------------------------------------------------------------


@dataclass(slots=True)
class _Header:
    mapping: dict[int, str] = field(default_factory=dict)  # column index → canonical name
    labels: dict[str, str] = field(default_factory=dict)  # canonical name → header text
    ignored: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _norm(name: str) -> str:
    """``Harga Jual (Rp)*`` → ``harga_jual``: units in brackets and marks do not count."""
    bare = re.sub(r"\([^)]*\)|[*:]", " ", name).strip().lower()
    return re.sub(r"[\s\-]+", "_", bare)


def _map_header(header: list[str]) -> _Header:
    """Which column is which; unknown columns are ignored unless they look misspelt."""
    found = _Header()
    unknown: list[tuple[str, str]] = []
    for index, raw_name in enumerate(header):
        name = _norm(raw_name)
        col = _ALIASES.get(name)
        if not name:
            continue
        if col is None:
            unknown.append((raw_name.strip(), name))
        elif col in found.labels:
            other = found.labels[col]
            params: dict[str, object] = {"name": raw_name, "other": other}
            key = "import.r.same_column"
            if _norm(other) == name:
                key, params = "import.r.duplicate_column", {"name": raw_name}  # the same name twice
            found.errors.append(RowError(1, col, key, params, raw_name))
        else:
            found.mapping[index] = col
            found.labels[col] = raw_name.strip()
    suggested = _misspelt(found, unknown)
    for col in REQUIRED:
        if col in found.labels or col in suggested:
            continue
        aliases = [col, *COLUMNS[col]]
        near = [
            raw for raw, name in unknown if difflib.get_close_matches(name, aliases, cutoff=0.6)
        ]
        if near:
            found.errors.append(
                RowError(1, col, "import.r.missing_column_hint", {"guess": near[0]})
            )
        else:
            found.errors.append(RowError(1, col, "import.r.missing_column"))
    return found


def _misspelt(found: _Header, unknown: list[tuple[str, str]]) -> set[str]:
    """Refuse near misses of absent known columns, ignore the rest; the columns suggested."""
    suggested: set[str] = set()
    absent = [a for a, c in _ALIASES.items() if c not in found.labels]
    for raw_name, name in unknown:
        guess = difflib.get_close_matches(name, absent, n=1, cutoff=_MISSPELT)
        if guess:
            suggested.add(_ALIASES[guess[0]])
            hint: dict[str, object] = {"name": raw_name, "guess": guess[0]}
            found.errors.append(
                RowError(1, raw_name, "import.r.unknown_column_hint", hint, raw_name)
            )
        else:
            found.ignored.append(raw_name)
    return suggested


# -- cells -------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_MAX_DIGITS = 13


def parse_price(text: str) -> int | None:
    """Whole rupiah as sellers write them, or None.

    ``85000``, ``85.000``, ``Rp 85.000``, ``Rp. 85.000``, ``Rp85.000,-``,
    ``85.000,00``, ``85,000`` and ``IDR 85.000`` are all 85000. Cents other than
    zero, a lone decimal part (``85,5``) and anything else are refused.
    """
    s = re.sub(r"\s+", "", text.replace("\u00a0", " ")).lower()
    s = re.sub(r"^(?:rp|idr)\.?", "", s)
    s = re.sub(r"[.,]?-$", "", s)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,0{1,2})?", s):  # 85.000 / 85.000,00
        s = s.split(",")[0].replace(".", "")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.0{1,2})?", s):  # 85,000 / 85,000.00
        s = s.split(".")[0].replace(",", "")
    elif re.fullmatch(r"\d+([.,]0{1,2})?", s):  # 85000 / 85000,00
        s = re.split(r"[.,]", s)[0]
    return int(s) if re.fullmatch(rf"\d{{1,{_MAX_DIGITS}}}", s) else None


def parse_count(text: str) -> int | None:
    """A stock count: a whole number 0 or more (``12``, ``1.200``), or None."""
    s = re.sub(r"\s+", "", text)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    return int(s) if re.fullmatch(r"\d{1,9}", s) else None


# -- validating --------------------------------------------------------------


def _parse_row(
    number: int, values: dict[str, str], labels: dict[str, str]
) -> tuple[_Row | None, list[RowError]]:
    errors: list[RowError] = []

    def err(col: str, key: str, params: dict[str, object] | None = None) -> None:
        errors.append(RowError(number, col, key, params or {}, labels.get(col, "")))

    for col in REQUIRED:
        if not values.get(col):
            err(col, "import.r.empty")
    sku = values.get("sku", "")
    if sku:
        try:
            valid_sku(sku)
        except ValueError as exc:
            err("sku", "import.r.bad_sku", {"value": sku, "problem": str(exc)})
    price = parse_price(values["price"]) if values.get("price") else 0
    if price is None:
        err("price", "import.r.bad_price", {"value": values["price"]})
    stock = parse_count(values["stock"]) if values.get("stock") else None
    if values.get("stock") and stock is None:
        err("stock", "import.r.bad_stock", {"value": values["stock"]})
    components: tuple[Component, ...] = ()
    if values.get("components"):
        try:
            components = tuple(
                Component(sku=s, qty=q) for q, s in parse_items(values["components"])
            )
        except (ValueError, ValidationError):
            err("components", "import.r.bad_components", {"value": values["components"]})
        if stock is not None:
            err("stock", "import.r.bundle_stock")
    if errors:
        return None, errors
    try:
        item = SkuIn(
            sku=sku,
            name=values["name"],
            price=price or 0,
            product=values.get("product") or None,
            variant=values.get("variant", ""),
            components=components,
        )
    except ValidationError as exc:
        for e in exc.errors():
            err(str(e["loc"][0]) if e["loc"] else "-", "import.r.invalid", {"problem": e["msg"]})
        return None, errors
    return _Row(number, item, stock), []


def _validate(
    store: Store, tenant_id: int, head: _Header, rows: Iterator[tuple[int, list[Any]]]
) -> tuple[list[_Row], list[RowError], int]:
    """(good rows, problems, number of rows with problems)."""
    good: list[_Row] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    bad: set[int] = set()
    for number, raw in rows:
        values = {col: _cell(raw[i]) if i < len(raw) else "" for i, col in head.mapping.items()}
        if not any(values.values()) and not any(_cell(v) for v in raw):
            continue  # blank line
        parsed, row_errors = _parse_row(number, values, head.labels)
        if parsed is not None:
            key = parsed.item.sku.lower()
            if key in seen:
                params = {"sku": parsed.item.sku, "first": seen[key]}
                label = head.labels.get("sku", "")
                row_errors = [RowError(number, "sku", "import.r.duplicate_sku", params, label)]
            else:
                seen[key] = number
                good.append(parsed)
        if row_errors:
            bad.add(number)
            errors += row_errors
    for check in (_check_components, _merge_existing):
        good, found = check(store, tenant_id, good, head)
        bad |= {e.row for e in found}
        errors += found
    return good, sorted(errors, key=lambda e: e.row), len(bad)


def _merge_existing(
    store: Store, tenant_id: int, rows: list[_Row], head: _Header
) -> tuple[list[_Row], list[RowError]]:
    """Keep what the file does not say, and refuse what the ledger cannot take.

    A column the file does not have (``product``, ``variant``, ``components``) keeps
    the existing SKU's value: a sheet without a components column must not turn a
    bundle into a plain SKU. A plain SKU with stock history cannot become a bundle,
    and a SKU that stays a bundle cannot take stock.
    """
    kept: list[_Row] = []
    errors: list[RowError] = []
    for row in rows:
        found = store.conn.execute(
            "SELECT s.id, p.code, s.variant, s.is_bundle FROM sku s "
            "JOIN product p ON p.id = s.product_id WHERE s.tenant_id = ? AND s.sku = ?",
            (tenant_id, row.item.sku),
        ).fetchone()
        if found is None:
            kept.append(row)
            continue
        update: dict[str, object] = {}
        if "product" not in head.labels:
            update["product"] = str(found[1])
        if "variant" not in head.labels:
            update["variant"] = str(found[2])
        if "components" not in head.labels and found[3]:
            update["components"] = tuple(
                Component(sku=c.sku, qty=q)
                for c, q in catalog.bundle_components(store, int(found[0]))
            )
        item = row.item.model_copy(update=update) if update else row.item
        problem = None
        if item.components and not found[3] and _has_history(store, int(found[0])):
            problem = ("components", "import.r.becomes_bundle")
        elif item.components and row.stock is not None:
            problem = ("stock", "import.r.bundle_stock")
        if problem:
            col, key = problem
            errors.append(
                RowError(row.number, col, key, {"sku": item.sku}, head.labels.get(col, ""))
            )
        else:
            kept.append(_Row(row.number, item, row.stock))
    return kept, errors


def _has_history(store: Store, sku_id: int) -> bool:
    return store.scalar("SELECT 1 FROM movement WHERE sku_id = ? LIMIT 1", (sku_id,)) is not None


def _check_components(
    store: Store, tenant_id: int, rows: list[_Row], head: _Header
) -> tuple[list[_Row], list[RowError]]:
    """Components must be plain SKUs, in this file or in the catalogue."""
    label = head.labels.get("components", "")
    bundles_in_file = {r.item.sku.lower() for r in rows if r.item.components}
    plain_in_file = {r.item.sku.lower() for r in rows if not r.item.components}
    errors: list[RowError] = []
    for row in rows:
        for comp in row.item.components:
            key = comp.sku.lower()
            problem = None
            if key in bundles_in_file:
                problem = "import.r.nested_bundle"
            elif key not in plain_in_file:
                found = store.scalar(
                    "SELECT is_bundle FROM sku WHERE tenant_id = ? AND sku = ?",
                    (tenant_id, comp.sku),
                )
                if found is None:
                    problem = "import.r.unknown_component"
                elif found:
                    problem = "import.r.nested_bundle"
            if problem:
                errors.append(RowError(row.number, "components", problem, {"sku": comp.sku}, label))
    bad = {e.row for e in errors}
    return [r for r in rows if r.number not in bad], errors


# -- planning: what the good rows change --------------------------------------


def _components_text(pairs: Sequence[tuple[str, int]]) -> str:
    return " ".join(f"{q}x{s}" for s, q in sorted(pairs, key=lambda p: p[0].lower()))


def _lowered_since(store: Store, sku_id: int, after_id: int) -> tuple[Lowered, ...]:
    """What lowered the SKU's stock after movement ``after_id``, per kind and channel."""
    rows = store.conn.execute(
        "SELECT m.kind, COALESCE(c.name, m.channel, ''), -SUM(m.on_hand_delta), COUNT(*), "
        "MAX(m.at) FROM movement m LEFT JOIN channel_account c "
        "ON m.source = 'order' AND CAST(c.id AS TEXT) = m.channel "
        "WHERE m.sku_id = ? AND m.id > ? AND m.on_hand_delta < 0 "
        f"AND m.kind IN ({', '.join('?' * len(_LOWERING))}) "
        "GROUP BY 1, 2 ORDER BY MIN(m.id)",
        (sku_id, after_id, *_LOWERING),
    )
    return tuple(Lowered(str(k), str(c), int(u), int(n), str(at)) for k, c, u, n, at in rows)


def _plan(
    store: Store, tenant_id: int, rows: list[_Row], report: ImportReport, digest: str
) -> None:
    """Fill the report with what applying ``rows`` changes; reads only."""
    conn = store.conn
    # a name belongs to the product: variants share it, and the last row naming it wins
    names = {r.item.product_code.lower(): r.item.name for r in rows}
    for row in rows:
        item = row.item
        before = conn.execute(
            "SELECT s.id, p.name, s.price, p.code, s.variant, s.is_bundle "
            "FROM sku s JOIN product p ON p.id = s.product_id "
            "WHERE s.tenant_id = ? AND s.sku = ?",
            (tenant_id, item.sku),
        ).fetchone()
        new_parts = [(c.sku, c.qty) for c in item.components]
        if before is None:
            report.new.append(
                Created(
                    item.sku,
                    row.number,
                    item.name,
                    item.price,
                    row.stock,
                    _components_text(new_parts),
                )
            )
            report.created += 1
            if row.stock is not None:
                report.stock.append(
                    StockChange(
                        item.sku,
                        row.number,
                        0,
                        row.stock,
                        True,
                        f"import:{digest}:{item.sku.lower()}",
                    )
                )
            continue
        sku_id = int(before[0])
        old_parts = [(c.sku, q) for c, q in catalog.bundle_components(store, sku_id)]
        changes: list[tuple[str, object, object]] = []
        for name, old, new in (
            ("name", before[1], names[item.product_code.lower()]),
            ("price", int(before[2]), item.price),
            ("product", before[3], item.product_code),
            ("variant", before[4], item.variant),
            ("components", _components_text(old_parts), _components_text(new_parts)),
        ):
            if old != new:
                changes.append((name, old, new))
        if changes:
            report.changed.append(Updated(item.sku, row.number, tuple(changes)))
            report.updated += 1
        else:
            report.unchanged += 1
        _plan_stock(store, tenant_id, sku_id, row, report, digest)
    report.stock_set = len(report.stock)


def _plan_stock(  # noqa: PLR0917 - private helper of _plan, called once
    store: Store, tenant_id: int, sku_id: int, row: _Row, report: ImportReport, digest: str
) -> None:
    sku, stock = row.item.sku, row.stock
    if stock is None:
        return
    last = store.scalar("SELECT MAX(id) FROM movement WHERE sku_id = ?", (sku_id,))
    on_hand = ledger.balance(store, tenant_id, sku_id)[0]
    if last is None:  # added earlier without stock: the file's number is its opening stock
        key = f"import:{digest}:{sku.lower()}"
        report.stock.append(StockChange(sku, row.number, on_hand, stock, True, key))
    elif not report.set_stock:
        if stock != on_hand:
            report.kept.append(StockKept(sku, row.number, stock, on_hand))
    elif stock == on_hand:
        report.already.append((sku, on_hand))
    else:
        counted = store.one(
            "SELECT id, at FROM movement WHERE sku_id = ? AND kind = 'count' "
            "ORDER BY id DESC LIMIT 1",
            (sku_id,),
        )
        since_id, since = (0, None) if counted is None else (int(counted[0]), str(counted[1]))
        report.stock.append(
            StockChange(
                sku,
                row.number,
                on_hand,
                stock,
                False,
                f"import:{digest}:{sku.lower()}:after:{int(last)}",
                _lowered_since(store, sku_id, since_id),
                since,
            )
        )


# -- applying ----------------------------------------------------------------


def import_file(
    store: Store,
    tenant_id: int,
    path: Path,
    *,
    skip_bad: bool = False,
    set_stock: bool = False,
    dry_run: bool = False,
    actor: str = "import",
) -> ImportReport:
    """Validate and apply (or with ``dry_run`` only plan) a product file.

    Raises ImportFailed when the file or its header is bad, or when rows are bad
    and not ``skip_bad``; nothing is written then. ``report.errors`` lists every
    problem either way.
    """
    report = ImportReport(str(path), dry_run=dry_run, set_stock=set_stock)
    try:
        header, rows, raw = read_rows(path)
        head = _map_header(header)
        report.ignored_columns = head.ignored
        if head.errors:
            report.errors = head.errors
            raise ImportFailed(
                "import.failed_header", path=str(path), report=report, known=known_columns
            )
        good, report.errors, report.skipped = _validate(store, tenant_id, head, rows)
    except _FileRefused as refused:
        report.errors = refused.errors
        raise ImportFailed(
            "import.failed_file", path=str(path), report=report, known=known_columns
        ) from None
    report.good_rows = len(good)
    if report.errors and not skip_bad:
        rows_text = report.skipped
        if good:
            raise ImportFailed(
                "import.failed",
                path=str(path),
                rows=rows_text,
                good=len(good),
                report=report,
                known=known_columns,
            )
        raise ImportFailed(
            "import.failed_no_good",
            path=str(path),
            rows=rows_text,
            report=report,
            known=known_columns,
        )
    digest = hashlib.sha256(raw).hexdigest()[:16]
    ordered = sorted(good, key=lambda r: bool(r.item.components))  # components before bundles
    if dry_run:
        _plan(store, tenant_id, ordered, report, digest)
        return report
    from tqdm import tqdm  # noqa: PLC0415 - only real imports draw a progress bar

    with inventory.change(store, tenant_id, correlation_id=f"import:{digest}") as work:
        _plan(store, tenant_id, ordered, report, digest)  # inside the lock: no race
        bar = tqdm(
            ordered, desc=path.name, unit=" rows", disable=len(ordered) < _PROGRESS_FROM or None
        )
        for row in bar:
            catalog.upsert_sku(store, tenant_id, row.item)
        for change in report.stock:
            work.apply(
                MovementIn(
                    sku=change.sku,
                    kind="count",
                    qty=change.after,
                    key=change.key,
                    source="import",
                    actor=actor,
                    reason=f"{path.name} row {change.row}",  # shown translated by `syncd ledger`
                ),
                allow_negative=True,
            )
        if report.created or report.updated or report.stock:
            work.touch(None)  # new SKUs, prices and counts: every listing is recomputed
    return report


# -- telling the seller ------------------------------------------------------


def _value(name: str, value: object) -> str:
    if name == "price" and isinstance(value, int):
        return rupiah(value)
    return f"'{value}'"


def _limited(lines: list[str], limit: int = _SHOW) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], t("import.more_lines", count=len(lines) - limit)]


def _offline(channel: str) -> str:
    key = f"offline.{channel}"
    return t(key) if key in CATALOGUE else channel


def _stock_lines(change: StockChange) -> list[str]:
    delta = change.after - change.before
    params = {
        "sku": change.sku,
        "before": change.before,
        "after": change.after,
        "delta": f"{delta:+d}",
    }
    if change.opening:
        return [t("import.opening", **params)]
    zone = localtime.label(short=True)
    since = f"{localtime.show(change.since)} {zone}" if change.since else t("import.since_start")
    if not change.overrides:
        return [t("import.count", **params), t("import.overrides_none", since=since)]
    sales = []
    for low in change.overrides:
        what = {
            "offline_sale": t("import.sale_offline", channel=_offline(low.channel)),
            "sale": t("import.sale_order", channel=low.channel),
        }.get(low.kind, t("import.sale_adjustment"))
        last = f"{localtime.show(low.last_at)} {zone}"
        sales.append(t("import.sale_group", what=what, units=low.units, times=low.times, last=last))
    return [t("import.count", **params), t("import.overrides", since=since, sales="; ".join(sales))]


def render(report: ImportReport) -> tuple[list[str], list[str]]:
    """(lines for stdout, warnings for stderr) telling the seller what the import did."""
    warnings: list[str] = []
    if report.ignored_columns:
        names = ", ".join(f"'{n}'" for n in report.ignored_columns)
        warnings.append(t("import.ignored_columns", names=names, known=known_columns()))
    out: list[str] = [t("import.preview", path=report.path)] if report.dry_run else []
    created = []
    for c in report.new:
        price = rupiah(c.price)
        if c.components:
            created.append(
                t(
                    "import.created_bundle",
                    sku=c.sku,
                    name=c.name,
                    price=price,
                    components=c.components,
                )
            )
        elif c.stock is not None:
            created.append(
                t("import.created_stock", sku=c.sku, name=c.name, price=price, stock=c.stock)
            )
        else:
            created.append(t("import.created", sku=c.sku, name=c.name, price=price))
    out += _limited(created)
    changed = []
    for u in report.changed:
        parts = [
            f"{t('import.field.' + name)} {_value(name, old)} → {_value(name, new)}"
            for name, old, new in u.changes
        ]
        changed.append(t("import.updated", sku=u.sku, changes="; ".join(parts)))
    out += _limited(changed)
    new = {c.sku for c in report.new}  # their opening stock is on their "new" line
    stock = [line for c in report.stock if c.sku not in new for line in _stock_lines(c)]
    out += _limited(stock, 3 * _SHOW)
    if report.already:
        skus = ", ".join(f"{s} ({n})" for s, n in report.already[:_NAMES])
        more = len(report.already) - _NAMES
        out.append(t("import.already", skus=skus))
        if more > 0:
            out.append("  " + t("import.more_lines", count=more))
    if report.kept:
        out.append(t("import.kept"))
        out += _limited(
            [
                t("import.kept_line", sku=k.sku, file=k.file_qty, on_hand=k.on_hand)
                for k in report.kept
            ]
        )
    counts = {
        "path": report.path,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "stock_set": report.stock_set,
        "skipped": report.skipped,
    }
    out.append(t("import.dry_done" if report.dry_run else "import.done", **counts))
    return out, warnings
