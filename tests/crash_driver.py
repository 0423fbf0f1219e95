"""Child process for tests/test_crash.py: does real syncd work until it is SIGKILLed.

Usage::

    python tests/crash_driver.py import DB CSV
    python tests/crash_driver.py sales DB START END LOG

``import`` opens DB (creating and migrating it when new), creates the tenant
``toko`` unless it exists, and imports CSV with ``syncd.importer.import_file``.

``sales`` records offline sales ``sale-START`` .. ``sale-(END-1)`` for tenant
``toko``, each in its own transaction (``inventory.record_offline_sale`` with
``allow_negative=True``). After each sale commits it appends ``n N`` (new) or
``n A`` (every line was already applied; ``n P`` would be a mix) to LOG,
flushed, so the parent knows which sales had committed before the kill and
which ones were no-ops.

The content of sale ``n`` is a pure function of ``n`` (``sale_lines``), so a
re-run of the same ``n`` is a true duplicate delivery. The parent imports this
file to compute the expected stock independently of the balance table.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

TENANT = "toko"
#: The SKUs the sales stream sells (the parent gives each an opening stock).
SALE_SKUS = ("KOPI-250", "NASTAR-500", "TEH-100", "GULA-1KG")


def sale_lines(n: int) -> list[tuple[int, str]]:
    """The (qty, SKU) lines of sale ``n``: 1-3 lines, 1-5 units each, a pure function of n."""
    rng = random.Random(f"sale-{n}")  # noqa: S311 - deterministic test data, not crypto
    return [(rng.randint(1, 5), rng.choice(SALE_SKUS)) for _ in range(rng.randint(1, 3))]


def run_import(db: str, csv_path: str) -> None:
    from syncd.catalog import add_tenant, list_tenants
    from syncd.importer import import_file
    from syncd.store import Store

    store = Store(db)
    try:
        tenant = next((t for t in list_tenants(store) if t.name == TENANT), None)
        if tenant is None:
            tenant = add_tenant(store, TENANT)
        report = import_file(store, tenant.id, Path(csv_path), actor="crash-test")
        print(f"created={report.created} unchanged={report.unchanged} stock_set={report.stock_set}")
    finally:
        store.close()


def run_sales(db: str, start: int, end: int, log_path: str) -> None:
    from syncd.catalog import resolve_tenant
    from syncd.inventory import record_offline_sale
    from syncd.store import Store

    store = Store(db)
    try:
        tenant = resolve_tenant(store, TENANT)
        with open(log_path, "a", encoding="utf-8") as log:
            for n in range(start, end):
                applied = record_offline_sale(
                    store,
                    tenant.id,
                    sale_lines(n),
                    channel="cash",
                    key=f"sale-{n}",
                    actor="crash-test",
                    allow_negative=True,
                )
                fresh = {a.already for a in applied}
                log.write(f"{n} {'A' if fresh == {True} else 'N' if fresh == {False} else 'P'}\n")
                log.flush()
    finally:
        store.close()


def main(argv: list[str]) -> int:
    match argv:
        case ["import", db, csv_path]:
            run_import(db, csv_path)
        case ["sales", db, start, end, log_path]:
            run_sales(db, int(start), int(end), log_path)
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
