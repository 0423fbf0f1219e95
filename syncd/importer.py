"""Import products, variants, bundles and opening stock from CSV or XLSX.

All or nothing: every row is validated first; if any row is bad, nothing is
applied (unless ``skip_bad``), and each problem names its row, column and
reason. The good rows are applied in one transaction. Opening stock is a
``count`` movement keyed by the file's content hash, so importing the same
file again changes nothing.

Columns (header row, any order, case-insensitive; Indonesian names work too):

=============  ====================  ===========================================
column         also accepted          meaning
=============  ====================  ===========================================
sku            kode, kode_sku         master SKU (required, unique in the file)
name           nama, nama_produk      product name (required)
price          harga                  price in whole rupiah: 85000, 85.000, Rp 85.000
product        produk, induk          groups variants of one product (default: sku)
variant        varian                 variant name, e.g. "500 g"
components     komponen, isi_paket    makes the row a bundle: "2xNASTAR-500 1xKOPI-250"
stock          stok                   opening stock count (sets on hand to N)
=============  ====================  ===========================================
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tqdm import tqdm

from syncd import catalog, ledger, outbox
from syncd.errors import ImportFailed, UserError
from syncd.i18n import t
from syncd.models import Component, MovementIn, SkuIn, parse_items, valid_sku
from syncd.store import Store

__all__ = ["COLUMNS", "ImportReport", "RowError", "import_file", "read_rows"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "sku": ("kode", "kode_sku"),
    "name": ("nama", "nama_produk"),
    "price": ("harga",),
    "product": ("produk", "induk"),
    "variant": ("varian",),
    "components": ("komponen", "isi_paket"),
    "stock": ("stok",),
}
REQUIRED = ("sku", "name", "price")
_ALIASES = {alias: col for col, names in COLUMNS.items() for alias in (col, *names)}
_PROGRESS_FROM = 2_000  # rows; smaller files finish before a bar is useful


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in the file: where it is and what is wrong."""

    row: int
    column: str
    key: str
    params: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return t(
            "import.row_error", row=self.row, column=self.column, reason=t(self.key, **self.params)
        )


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, with errors and no skip_bad, would have refused)."""

    path: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stock_set: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)


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


# -- validating --------------------------------------------------------------


def _map_header(header: list[str]) -> tuple[dict[int, str], list[RowError]]:
    """Column index → canonical column name, plus header problems."""
    mapping: dict[int, str] = {}
    errors: list[RowError] = []
    known = ", ".join(COLUMNS)
    for index, raw_name in enumerate(header):
        name = re.sub(r"[\s\-]+", "_", raw_name.strip().lower())
        if not name:
            continue
        col = _ALIASES.get(name)
        if col is None:
            guess = difflib.get_close_matches(name, list(_ALIASES), n=1)
            params: dict[str, object] = {"name": raw_name, "known": known}
            if guess:
                params["guess"] = _ALIASES[guess[0]]
            key = "import.r.unknown_column_hint" if guess else "import.r.unknown_column"
            errors.append(RowError(1, raw_name, key, params))
        elif col in mapping.values():
            errors.append(RowError(1, raw_name, "import.r.duplicate_column", {"name": raw_name}))
        else:
            mapping[index] = col
    for col in REQUIRED:
        if col not in mapping.values():
            errors.append(RowError(1, col, "import.r.missing_column", {"name": col}))
    return mapping, errors


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _int(text: str, *, money: bool) -> int | None:
    s = text.replace(" ", "")
    if money:
        s = re.sub(r"^(?i:rp)\.?", "", s)
        s = re.sub(r",0{1,2}$", "", s)
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
            s = s.replace(".", "")
    return int(s) if re.fullmatch(r"\d{1,13}", s) else None


def _parse_row(number: int, values: dict[str, str]) -> tuple[_Row | None, list[RowError]]:
    errors: list[RowError] = []
    for col in REQUIRED:
        if not values.get(col):
            errors.append(RowError(number, col, "import.r.empty"))
    sku = values.get("sku", "")
    if sku:
        try:
            valid_sku(sku)
        except ValueError as exc:
            errors.append(
                RowError(number, "sku", "import.r.bad_sku", {"value": sku, "problem": str(exc)})
            )
    price = _int(values.get("price", ""), money=True) if values.get("price") else 0
    if price is None:
        errors.append(RowError(number, "price", "import.r.bad_price", {"value": values["price"]}))
    stock = _int(values["stock"], money=False) if values.get("stock") else None
    if values.get("stock") and stock is None:
        errors.append(RowError(number, "stock", "import.r.bad_stock", {"value": values["stock"]}))
    components: tuple[Component, ...] = ()
    if values.get("components"):
        try:
            components = tuple(
                Component(sku=s, qty=q) for q, s in parse_items(values["components"])
            )
        except (ValueError, ValidationError):
            errors.append(
                RowError(
                    number, "components", "import.r.bad_components", {"value": values["components"]}
                )
            )
        if stock is not None:
            errors.append(RowError(number, "stock", "import.r.bundle_stock"))
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
        return None, [
            RowError(
                number,
                str(e["loc"][0]) if e["loc"] else "-",
                "import.r.invalid",
                {"problem": e["msg"]},
            )
            for e in exc.errors()
        ]
    return _Row(number, item, stock), []


def _validate(
    store: Store, tenant_id: int, header: list[str], rows: Iterator[tuple[int, list[Any]]]
) -> tuple[list[_Row], list[RowError], int]:
    mapping, errors = _map_header(header)
    if errors:
        return [], errors, 0
    good: list[_Row] = []
    seen: dict[str, int] = {}
    bad_rows = 0
    for number, raw in rows:
        values = {col: _cell(raw[i]) if i < len(raw) else "" for i, col in mapping.items()}
        if not any(values.values()) and not any(_cell(v) for v in raw):
            continue  # blank line
        parsed, row_errors = _parse_row(number, values)
        if parsed is not None:
            key = parsed.item.sku.lower()
            if key in seen:
                row_errors = [
                    RowError(
                        number,
                        "sku",
                        "import.r.duplicate_sku",
                        {"sku": parsed.item.sku, "first": seen[key]},
                    )
                ]
            else:
                seen[key] = number
                good.append(parsed)
        if row_errors:
            bad_rows += 1
            errors += row_errors
    comp_errors = _check_components(store, tenant_id, good)
    if comp_errors:
        bad = {e.row for e in comp_errors}
        good = [r for r in good if r.number not in bad]
        bad_rows += len(bad)
        errors += comp_errors
    return good, sorted(errors, key=lambda e: e.row), bad_rows


def _check_components(store: Store, tenant_id: int, rows: list[_Row]) -> list[RowError]:
    bundles_in_file = {r.item.sku.lower() for r in rows if r.item.components}
    plain_in_file = {r.item.sku.lower() for r in rows if not r.item.components}
    errors: list[RowError] = []
    for row in rows:
        for comp in row.item.components:
            key = comp.sku.lower()
            if key in bundles_in_file:
                errors.append(
                    RowError(row.number, "components", "import.r.nested_bundle", {"sku": comp.sku})
                )
            elif key not in plain_in_file:
                found = store.scalar(
                    "SELECT is_bundle FROM sku WHERE tenant_id = ? AND sku = ?",
                    (tenant_id, comp.sku),
                )
                if found is None:
                    errors.append(
                        RowError(
                            row.number,
                            "components",
                            "import.r.unknown_component",
                            {"sku": comp.sku},
                        )
                    )
                elif found:
                    errors.append(
                        RowError(
                            row.number, "components", "import.r.nested_bundle", {"sku": comp.sku}
                        )
                    )
    return errors


# -- applying ----------------------------------------------------------------


def import_file(
    store: Store, tenant_id: int, path: Path, *, skip_bad: bool = False, actor: str = "import"
) -> ImportReport:
    """Validate and apply a product file; raise ImportFailed if bad rows and not skip_bad."""
    report = ImportReport(str(path))
    try:
        header, rows, raw = read_rows(path)
        good, report.errors, report.skipped = _validate(store, tenant_id, header, rows)
    except _FileRefused as refused:
        report.errors = refused.errors
        raise ImportFailed(path=str(path), count=len(refused.errors), report=report) from None
    if report.errors and (not skip_bad or any(e.row == 1 for e in report.errors)):
        raise ImportFailed(path=str(path), count=len(report.errors), report=report)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    ordered = sorted(good, key=lambda r: bool(r.item.components))  # components before bundles
    bar = tqdm(ordered, desc=path.name, unit=" rows", disable=len(ordered) < _PROGRESS_FROM or None)
    with store.write():
        for row in bar:
            change = catalog.upsert_sku(store, tenant_id, row.item)
            setattr(report, change, getattr(report, change) + 1)
            if row.stock is not None:
                done = ledger.apply(
                    store,
                    tenant_id,
                    MovementIn(
                        sku=row.item.sku,
                        kind="count",
                        qty=row.stock,
                        key=f"import:{digest}:{row.item.sku.lower()}",
                        source="import",
                        actor=actor,
                        reason=f"{path.name} row {row.number}",
                    ),
                    allow_negative=True,
                )
                report.stock_set += 0 if done.already else 1
        if report.created or report.updated or report.stock_set:
            outbox.refresh(store, tenant_id, correlation_id=f"import:{digest}")
    return report
