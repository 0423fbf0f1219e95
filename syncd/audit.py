"""What happened, and who did it: the push log, the change log, the chain, retention.

* ``push_log``: every value syncd sent and the marketplace's answer, success too
  (``record_pushes``, in the transaction that records the outbox's results);
* ``change_log``: every change to a rule, a binding, a channel's settings or state and a
  tenant's policy, with who made it and the value before (``record_change``, in the
  transaction of the change), shown by ``syncd history``;
* ``chain``: for a SKU, an order or a correlation id, the order lines, the movements
  they made, the pushes those caused and the answers, in time order (``syncd logs``);
* ``prune``: events and push log rows older than the retention period go (the daemon
  runs it daily; ``syncd events prune``). The change log and the ledger are kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from syncd.store import Store

__all__ = ["Link", "chain", "history", "prune", "record_change", "record_pushes"]


def now() -> str:
    """The current UTC time as the other tables keep it (ISO 8601, milliseconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def record_pushes(
    store: Store,
    tenant_id: int,
    account_id: int,
    field: str,
    sent: Sequence[tuple[Any, Any]],
) -> None:
    """Keep each (``outbox.Pending``, ``ItemResult``) pushed. Call inside ``write()``.

    The answer's words are the marketplace's, which may echo a token: scrubbed here."""
    from syncd.log import clean  # noqa: PLC0415 - structlog stays off the CLI sale path

    at = now()
    rows = []
    for item, result in sent:
        sku_id = store.scalar("SELECT sku_id FROM listing WHERE id = ?", (item.listing_id,))
        rows.append(
            (
                tenant_id,
                account_id,
                item.listing_id,
                sku_id,
                field,
                item.desired,
                item.seq,
                int(bool(result.ok)),
                clean(result.error or "")[:500],
                item.correlation_id or "",
                at,
            )
        )
    store.conn.executemany(
        "INSERT INTO push_log (tenant_id, channel_account_id, listing_id, sku_id, field, value, "
        "seq, ok, error, correlation_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def record_change(
    store: Store,
    tenant_id: int,
    *,
    actor: str,
    what: str,
    subject: str,
    old: object,
    new: object,
    account_id: int | None = None,
    sku_id: int | None = None,
) -> None:
    """Keep one change (``what``: rule, binding, channel, policy) of ``subject`` from
    ``old`` to ``new`` (None: there was none / there is none now). Call inside ``write()``."""
    if old == new:
        return
    store.conn.execute(
        "INSERT INTO change_log (tenant_id, at, actor, what, subject, channel_account_id, "
        "sku_id, old, new) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (tenant_id, now(), actor, what, subject, account_id, sku_id, _text(old), _text(new)),
    )


def history(
    store: Store,
    tenant_id: int,
    *,
    since: str | None = None,
    account_id: int | None = None,
    sku_id: int | None = None,
    limit: int = 100,
) -> list[Any]:
    """The tenant's changes, oldest first (the newest ``limit``)."""
    sql = "SELECT * FROM change_log WHERE tenant_id = ?"
    params: list[object] = [tenant_id]
    if since:
        sql += " AND at >= ?"
        params.append(since)
    if account_id is not None:
        sql += " AND channel_account_id = ?"
        params.append(account_id)
    if sku_id is not None:
        sql += " AND sku_id = ?"
        params.append(sku_id)
    return store.all(
        f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT ?) ORDER BY id", (*params, limit)
    )


@dataclass(frozen=True, slots=True)
class Link:
    """One step of what happened: an order line, a movement, a push, an event."""

    at: str
    step: str  # order, movement, push, event
    channel: str
    sku: str
    detail: str
    correlation_id: str = ""
    ok: bool = True
    event: tuple[str, str, str] | None = None  # an event's (kind, message, data)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True, slots=True)
class _Ask:
    """What a chain is asked for, and the names it shows."""

    tenant_id: int
    sku_id: int | None
    sku: str | None
    order: str | None
    cids: tuple[str, ...]  # the correlation ids asked for (an order: one per channel)
    since: str | None
    limit: int
    names: dict[int, str]  # channel account id → name
    codes: dict[int, str]  # sku id → code


def _newest(store: Store, sql: str, params: list[object], ask: _Ask) -> list[Any]:
    if ask.since:
        sql += " AND at >= ?"
        params.append(ask.since)
    return store.all(
        f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT ?) ORDER BY id", (*params, ask.limit)
    )


def _order_links(store: Store, ask: _Ask, correlation: str | None) -> list[Link]:
    sql = "SELECT * FROM order_line WHERE tenant_id = ?"
    params: list[object] = [ask.tenant_id]
    if ask.order:
        sql += " AND order_id = ?"
        params.append(ask.order)
    elif correlation:
        parts = correlation.split(":", 2)
        if len(parts) < 3 or parts[0] != "ord" or not parts[1].isdigit():
            return []
        sql += " AND channel_account_id = ? AND order_id = ?"
        params += [int(parts[1]), parts[2]]
    if ask.sku_id is not None:
        sql += " AND sku_id = ?"
        params.append(ask.sku_id)
    rows = store.all(sql + " ORDER BY first_seen DESC LIMIT ?", (*params, ask.limit))
    return [
        Link(
            r["first_seen"],
            "order",
            ask.names.get(r["channel_account_id"], "?"),
            ask.codes.get(r["sku_id"], ""),
            f"order {r['order_id']} line {r['line_id']}: {r['qty']} × {r['item_id']}"
            f"{'/' + r['variant_id'] if r['variant_id'] else ''} {r['status']} ({r['state']})",
            f"ord:{r['channel_account_id']}:{r['order_id']}",
        )
        for r in rows
    ]


def _movement_links(store: Store, ask: _Ask) -> list[Link]:
    sql = "SELECT * FROM movement WHERE tenant_id = ?"
    params: list[object] = [ask.tenant_id]
    if ask.sku_id is not None:
        sql += " AND sku_id = ?"
        params.append(ask.sku_id)
    if ask.cids:
        ors = ["idem_key LIKE ? ESCAPE '\\'" for _ in ask.cids]
        params += [_like(cid) + ":%" for cid in ask.cids]
        if ask.order:  # its returns' restocks
            ors.append("(source = 'return' AND reason LIKE ? ESCAPE '\\')")
            params.append(f"% of order {_like(ask.order)}")
        sql += f" AND ({' OR '.join(ors)})"
    links = []
    for r in _newest(store, sql, params, ask):
        chan = r["channel"] or ""
        links.append(
            Link(
                r["at"],
                "movement",
                ask.names.get(int(chan), chan) if chan.isdigit() else chan,
                ask.codes.get(r["sku_id"], ""),
                f"{r['kind']} {r['qty']} (on hand {r['on_hand_delta']:+d}, reserved "
                f"{r['reserved_delta']:+d}) {r['reason']}".rstrip(),
                r["idem_key"],
            )
        )
    return links


def _push_links(store: Store, ask: _Ask) -> list[Link]:
    sql = "SELECT * FROM push_log WHERE tenant_id = ?"
    params: list[object] = [ask.tenant_id]
    if ask.sku_id is not None:
        sql += " AND sku_id = ?"
        params.append(ask.sku_id)
    if ask.cids:
        sql += f" AND correlation_id IN ({','.join('?' * len(ask.cids))})"
        params += ask.cids
    return [
        Link(
            r["at"],
            "push",
            ask.names.get(r["channel_account_id"], "?"),
            ask.codes.get(r["sku_id"], ""),
            f"{r['field']} = {r['value']} → " + ("ok" if r["ok"] else f"refused: {r['error']}"),
            r["correlation_id"],
            bool(r["ok"]),
        )
        for r in _newest(store, sql, params, ask)
    ]


def _event_links(store: Store, ask: _Ask) -> list[Link]:
    sql = "SELECT * FROM event WHERE tenant_id = ?"
    params: list[object] = [ask.tenant_id]
    if ask.sku is not None:
        sql += " AND sku = ?"
        params.append(ask.sku)
    if ask.cids:
        ors = [f"correlation_id IN ({','.join('?' * len(ask.cids))})"]
        params += ask.cids
        if ask.order:
            ors.append("data LIKE ? ESCAPE '\\'")
            params.append(f'%"order": "{_like(ask.order)}"%')
        sql += f" AND ({' OR '.join(ors)})"
    return [
        Link(
            r["at"],
            "event",
            ask.names.get(r["channel_account_id"], "") if r["channel_account_id"] else "",
            r["sku"] or "",
            f"{r['kind']}: {r['message']}",
            r["correlation_id"],
            r["level"] not in ("warning", "error"),
            (r["kind"], r["message"], r["data"]),
        )
        for r in _newest(store, sql, params, ask)
    ]


def chain(
    store: Store,
    tenant_id: int,
    *,
    sku_id: int | None = None,
    sku: str | None = None,
    order: str | None = None,
    correlation: str | None = None,
    since: str | None = None,
    limit: int = 200,
) -> list[Link]:
    """The order → movement → push → answer chain for a SKU, an order or a correlation id
    (give one or more: the steps that match all of them), oldest first."""
    names = {
        r["id"]: r["name"]
        for r in store.all("SELECT id, name FROM channel_account WHERE tenant_id = ?", (tenant_id,))
    }
    codes = {
        r["id"]: r["sku"]
        for r in store.all("SELECT id, sku FROM sku WHERE tenant_id = ?", (tenant_id,))
    }
    cids = ([correlation] if correlation else []) + (
        [f"ord:{acct}:{order}" for acct in names] if order else []
    )
    ask = _Ask(tenant_id, sku_id, sku, order, tuple(cids), since, limit, names, codes)
    links = _movement_links(store, ask) + _push_links(store, ask) + _event_links(store, ask)
    if order or correlation or sku_id is not None:
        links += _order_links(store, ask, correlation)
    links.sort(key=lambda link: link.at)
    return links[-limit:]


def prune(store: Store, days: int, *, at: dt.datetime | None = None) -> dict[str, int]:
    """Delete events and push log rows older than ``days``; return how many of each."""
    cutoff = ((at or dt.datetime.now(dt.UTC)) - dt.timedelta(days=days)).isoformat(
        timespec="milliseconds"
    )
    done: dict[str, int] = {}
    with store.write():
        for table in ("event", "push_log"):
            done[table] = store.conn.execute(
                f"DELETE FROM {table} WHERE at < ?", (cutoff,)
            ).rowcount
    return done
