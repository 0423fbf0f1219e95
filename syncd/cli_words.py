"""The seller's words where the CLI would otherwise show a program's.

* argparse's own texts (``usage:``, ``options``, its error messages) come from the
  catalogue (``argparse.*`` keys, whose English side is argparse's exact msgid);
* events are stored in English for operators; :func:`event_text` renders the
  known kinds from the catalogue with their data and falls back to the stored text;
* ledger rows: :func:`ledger_source` names the channel (not its id) and
  :func:`ledger_reason` says what an order did in the seller's words.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from typing import Any, Final

from syncd.i18n import CATALOGUE, get_lang, rupiah, t

__all__ = ["event_text", "install_argparse_words", "ledger_reason", "ledger_source", "level"]

# -- argparse ----------------------------------------------------------------------

#: argparse msgid (English, exactly as argparse writes it) → catalogue key
_ARGPARSE: Final[dict[str, str]] = {
    english: key for key, (_, english) in CATALOGUE.items() if key.startswith("argparse.")
}


def _gettext(message: str) -> str:
    """argparse's ``_``: the Indonesian text when the seller reads Indonesian."""
    key = _ARGPARSE.get(message)
    return CATALOGUE[key][0] if key and get_lang() == "id" else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def install_argparse_words() -> None:
    """Make argparse ask the catalogue for its words (3.11 to 3.13 look ``_`` up at call time).

    Unknown texts pass through unchanged, so a newer argparse degrades to English.
    """
    setattr(argparse, "_", _gettext)  # noqa: B010 - argparse's module-level gettext alias
    setattr(argparse, "ngettext", _ngettext)  # noqa: B010


# -- events ------------------------------------------------------------------------

_Params = dict[str, object]


def _after(prefix: str, message: str) -> str:
    return message[len(prefix) :] if message.startswith(prefix) else message


def _job(name: object) -> str:
    key = f"job.{name}"
    return t(key) if key in CATALOGUE else str(name)


def _auth_refreshed(message: str, data: dict[str, Any]) -> _Params:
    from syncd import localtime  # noqa: PLC0415

    return {"expires": localtime.show(data["expires"])}


def _needs_reauth(message: str, data: dict[str, Any]) -> _Params:
    return {"detail": _after("paused: ", message)}


def _unmatched(message: str, data: dict[str, Any]) -> _Params:
    return {"items": ", ".join(str(i) for i in data["items"])}


_PUSH = re.compile(r"(?P<field>stock|price) (?P<value>-?\d+) refused: (?P<error>.*)", re.S)


def _push_failed(message: str, data: dict[str, Any]) -> _Params | None:
    match = _PUSH.fullmatch(message)
    if match is None:
        return None
    value = int(match["value"])
    return {
        "field": t(f"field.{match['field']}"),
        "value": rupiah(value) if match["field"] == "price" else value,
        "error": match["error"],
        "retry": t("event.retry_yes") if data.get("retry") else t("event.retry_no"),
    }


_DISCOVERED = re.compile(r"(\d+) listings, (\d+) newly bound, (\d+) unmatched")


def _discovered(message: str, data: dict[str, Any]) -> _Params | None:
    match = _DISCOVERED.fullmatch(message)
    if match is None:
        return None
    remote, bound, unmatched = match.groups()
    return {"remote": int(remote), "bound": int(bound), "unmatched": int(unmatched)}


def _unavailable(message: str, data: dict[str, Any]) -> _Params:
    return {"detail": _after("cannot start: ", message)}


def _job_failed(message: str, data: dict[str, Any]) -> _Params:
    job = str(data["job"])
    return {"job": _job(job), "detail": _after(f"{job} failed: ", message)}


def _started(message: str, data: dict[str, Any]) -> _Params:
    return {"pid": _after("pid ", message), "workers": data["workers"]}


def _stopped(message: str, data: dict[str, Any]) -> _Params:
    return {}


def _as_recorded(message: str, data: dict[str, Any]) -> _Params:
    """Events whose data carries exactly what their text needs (a channel's lifecycle)."""
    return dict(data)


def _behind(message: str, data: dict[str, Any]) -> _Params:
    from syncd.lanes import behind_cause  # noqa: PLC0415

    return {**data, "cause": behind_cause(data)}


def _drift_edited(message: str, data: dict[str, Any]) -> _Params:
    from syncd.reconcile import action_text  # noqa: PLC0415

    return {**data, "action": action_text(str(data["action"]))}


def _set_aside(message: str, data: dict[str, Any]) -> _Params:
    return {"order": data["order"] or "?", "reason": data["reason"]}


#: A channel's lifecycle, recorded by the CLI (``cli_channels.note``) with its text's data.
_LIFECYCLE: Final = (
    "channel.added",
    "channel.connected",
    "channel.accepted",
    "channel.edited",
    "channel.secret_replaced",
    "channel.paused",
    "channel.resumed",
    "channel.removed",
    "listing.unbound",
    "listing.moved",
    "quarantine.retry",
    "quarantine.dismissed",
    # returns (``sync._note_returns``, ``sync.pull_orders``): their data is their text's
    "return.set_aside",
    "return.waiting",
    "returns.pull_failed",
    "outbox.retry",
    "outbox.drop",
    "push.locked",
)

_EVENTS: Final[dict[str, Callable[[str, dict[str, Any]], _Params | None]]] = {
    "auth.refreshed": _auth_refreshed,
    "auth.expiring": _as_recorded,  # syncd.horizon: its data (days) is its text's
    "account.needs_reauth": _needs_reauth,
    "orders.unmatched": _unmatched,
    "push.failed": _push_failed,
    "listings.discovered": _discovered,
    "account.unavailable": _unavailable,
    "job.failed": _job_failed,
    "daemon.started": _started,
    "daemon.stopped": _stopped,
    "order.set_aside": _set_aside,
    "drift.edited": _drift_edited,
    "stock.low": _as_recorded,  # syncd.lowstock: its data (available, threshold) is its text's
    "daemon.behind": _behind,  # syncd.daemon: title, asked, late, shops, rate, achieved
    "daemon.pacing": _as_recorded,  # syncd.daemon: title, asked, allowed, shops, rate, achieved
    "daemon.upkeep": _as_recorded,  # syncd.daemon: title, asked, every, calls, shops, rate, share
    "webhooks.lost_push": _as_recorded,  # syncd.daemon.recover_lost_pushes: count, orders
    "notify.gave_up": _as_recorded,  # syncd.notify: data label, attempts, error
    "notify.error": _as_recorded,  # syncd.notify: data step, error
    "sale.flagged": _as_recorded,  # syncd.web.scope: a phone's sale that no longer fitted
    "tenant.added": _as_recorded,  # syncd.web.operator_scope: a member added in the web app
    **dict.fromkeys(_LIFECYCLE, _as_recorded),
}


def event_text(
    kind: str, message: str, data: str | dict[str, Any] | None, channel: str = ""
) -> str:
    """An event in the seller's language; the stored English text when the kind is unknown."""
    render = _EVENTS.get(kind)
    key = f"event.{kind}"
    if render is None or key not in CATALOGUE:
        return message
    try:
        payload = json.loads(data) if isinstance(data, str) else dict(data or {})
        params = render(message, payload if isinstance(payload, dict) else {})
        if params is None:
            return message
        return t(key, channel=channel or "-", **params)
    except (KeyError, TypeError, ValueError):  # an older or newer shape of this event
        return message


def level(name: str) -> str:
    """A log level in the seller's words (the option values stay English)."""
    key = f"level.{name}"
    return t(key) if key in CATALOGUE else name


# -- ledger ------------------------------------------------------------------------

_ORDER_REASON = re.compile(r"order (?P<order>\S+) (?P<status>\S+)")
_RETURN_REASON = re.compile(r"return (?P<ret>\S+) of order (?P<order>\S+)")
_IMPORT_REASON = re.compile(r"(?P<file>.+) row (?P<row>\d+)")


def ledger_source(source: str, channel: str | None, channel_name: str | None) -> str:
    """Where a movement came from: a channel's name, the offline channel, an import, by hand."""
    if source in ("order", "return"):
        return channel_name or t("source.gone_channel", id=channel or "?")
    if channel:
        key = f"offline.{channel}"
        return t(key) if key in CATALOGUE else channel
    key = f"source.{source}"
    return t(key) if key in CATALOGUE else source


def ledger_reason(source: str, reason: str, key: str) -> str:
    """The reason in the seller's words: ``pesanan 2412AB: dikirim`` for an order line."""
    if source == "order" and (match := _ORDER_REASON.fullmatch(reason)):
        step = key.split(":")[-2] if key.count(":") >= 5 else ""  # ord:acct:order:line:step:sku
        step_key = f"ledger.step.{step}"
        if step_key in CATALOGUE:
            return t("ledger.order_reason", order=match["order"], step=t(step_key))
        return reason
    if source == "return" and (match := _RETURN_REASON.fullmatch(reason)):
        return t("ledger.return_reason", order=match["order"], ret=match["ret"])
    if source == "import" and (match := _IMPORT_REASON.fullmatch(reason)):
        return t("ledger.import_reason", file=match["file"], row=match["row"])
    return reason
