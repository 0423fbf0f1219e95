"""Write examples/katalog.xlsx from examples/katalog.csv (the same rows, one sheet).

    .venv/bin/python examples/make_katalog_xlsx.py          # rewrite katalog.xlsx
    .venv/bin/python examples/make_katalog_xlsx.py --check  # exit 1 if it differs from the CSV

Prices and stock go in as numbers, the way a seller's spreadsheet holds them; the
file's dates are fixed so that rewriting it from the same CSV gives the same rows.
tests/scenarios/test_tryout.py checks that both files hold the same rows and import.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CSV = HERE / "katalog.csv"
XLSX = HERE / "katalog.xlsx"
NUMERIC = ("harga", "stok")
FIXED_DATE = dt.datetime(2026, 12, 1, 8, 0, 0)


def csv_rows(path: Path = CSV) -> list[list[object]]:
    """Header and rows of the CSV, with numeric columns as ints (empty cells: None)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    numeric = {i for i, name in enumerate(header) if name in NUMERIC}
    out: list[list[object]] = [list(header)]
    for row in body:
        cells: list[object] = []
        for i, cell in enumerate(row):
            if cell == "":
                cells.append(None)
            elif i in numeric:
                cells.append(int(cell))
            else:
                cells.append(cell)
        out.append(cells)
    return out


def xlsx_rows(path: Path = XLSX) -> list[list[object]]:
    """Header and rows of the first sheet of the XLSX."""
    import openpyxl  # noqa: PLC0415

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def write(path: Path = XLSX) -> None:
    """Write the XLSX from the CSV."""
    import openpyxl  # noqa: PLC0415

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = "katalog"
    for row in csv_rows():
        sheet.append(row)
    for column, width in zip("ABCDEFG", (18, 22, 10, 10, 8, 26, 6), strict=True):
        sheet.column_dimensions[column].width = width
    book.properties.created = FIXED_DATE
    book.properties.modified = FIXED_DATE
    book.properties.creator = "syncd"
    book.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    if args.check:
        same = XLSX.exists() and xlsx_rows() == csv_rows()
        print("katalog.xlsx matches katalog.csv" if same else "katalog.xlsx differs from the CSV")
        return 0 if same else 1
    write()
    print(f"wrote {XLSX} ({len(csv_rows()) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
