"""The message catalogue: complete in both languages, consistent placeholders."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd import i18n
from syncd.i18n import CATALOGUE, placeholders, rupiah, set_lang, t

ROOT = Path(__file__).resolve().parent.parent / "syncd"


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_both_languages_present_with_same_placeholders(key: str) -> None:
    indonesian, english = CATALOGUE[key]
    assert indonesian.strip()
    assert english.strip()
    assert placeholders(indonesian) == placeholders(english), key


_LOGGER_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "msg"}
_FILE_ENDINGS = {"db", "csv", "xlsx", "toml", "log", "key", "lock", "json", "py", "txt"}


def _is_note(node: ast.AST) -> bool:
    """A call of ``note(ctx, "kind", …)``: the CLI's way to record a seller's action."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "note"
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
    )


def _not_keys(tree: ast.AST) -> set[int]:
    """English names that look like keys: log event names and stored event kinds."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if _is_note(node):  # cli_channels.note(ctx, kind, …): an event kind
            skip.add(id(node.args[1]))  # type: ignore[attr-defined]
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr in _LOGGER_METHODS and node.args:
            skip.add(id(node.args[0]))
        if node.func.attr == "record" and len(node.args) >= 2:  # events.record(store, kind, …)
            skip.add(id(node.args[1]))
    return skip


def _keys_used_in_code() -> set[str]:
    """Every string in a call, in syncd/ and adapters/, that has the shape of a key."""
    prefixes = {p.split(".")[0] for p in CATALOGUE}
    used: set[str] = set()
    for root in (ROOT, ROOT.parent / "adapters"):
        for path in root.rglob("*.py"):
            if "i18n" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _not_keys(tree)
            for node in ast.walk(tree):
                for const in ast.walk(node) if isinstance(node, ast.Call) else ():
                    if (
                        isinstance(const, ast.Constant)
                        and id(const) not in skip
                        and isinstance(const.value, str)
                        and const.value.count(".") >= 1
                        and const.value.split(".")[0] in prefixes
                        and const.value.rsplit(".", 1)[-1] not in _FILE_ENDINGS
                        and " " not in const.value
                        and const.value.replace(".", "").replace("_", "").isalnum()
                    ):
                        used.add(const.value)
    return used


def test_every_key_used_in_code_exists() -> None:
    used = _keys_used_in_code()
    assert len(used) > 40  # the scan really sees the code's keys
    # keys built at run time (kind.{kind}, rules.field.{name}) are checked elsewhere
    assert {k for k in used if k not in CATALOGUE and not k.endswith(".")} == set()


def test_language_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    assert i18n.get_lang() == "id"
    monkeypatch.setenv("SYNCD_LANG", "EN")
    assert i18n.get_lang() == "en"
    set_lang("id")
    assert i18n.get_lang() == "id"  # the command line beats the environment
    with pytest.raises(ValueError, match="unknown language"):
        set_lang("fr")


@pytest.mark.parametrize(
    ("lang", "amount", "text"),
    [
        ("id", 85000, "Rp 85.000"),
        ("en", 85000, "Rp 85,000"),
        ("id", 1250000, "Rp 1.250.000"),
        ("id", 0, "Rp 0"),
        ("id", -2000, "-Rp 2.000"),
    ],
)
def test_rupiah(lang: str, amount: int, text: str) -> None:
    set_lang(lang)
    assert rupiah(amount) == text


def test_movement_kinds_have_names() -> None:
    from syncd.migrations import MOVEMENT_KINDS

    for kind in MOVEMENT_KINDS:
        set_lang("id")
        indonesian = t(f"kind.{kind}")
        set_lang("en")
        assert indonesian != t(f"kind.{kind}")


# -- every key the code names exists; argparse and events speak from the catalogue ----

SOURCES = [ROOT, ROOT.parent / "adapters"]
_NAMERS = {"t", "UserError", "NotFound", "RowError", "Problem"}


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _source_calls() -> Iterator[tuple[Path, ast.Call]]:
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            if "i18n" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    yield path, node


def test_every_literal_key_passed_to_t_or_an_error_exists() -> None:
    """``t("some.key")``, ``UserError("some.key")``: a typo is a KeyError in front of a
    seller; f-string keys (``t(f"kind.{kind}")``) must at least name a known prefix."""
    missing, seen = [], 0
    for path, call in _source_calls():
        if _callee(call) not in _NAMERS or not call.args:
            continue
        first = call.args[0]
        where = f"{path.relative_to(ROOT.parent)}:{call.lineno}"
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            seen += 1
            if first.value not in CATALOGUE:
                missing.append(f"{where} {first.value}")
        elif isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
            prefix = str(first.values[0].value)
            if not any(key.startswith(prefix) for key in CATALOGUE):
                missing.append(f"{where} {prefix}…")
    assert seen > 100  # the scan really reads the code
    assert missing == []


def test_every_event_kind_recorded_has_a_text_for_syncd_logs() -> None:
    """Events are stored in English; `syncd logs` shows them from the catalogue."""
    from syncd.cli_words import _EVENTS

    kinds = {
        str(call.args[1].value)  # type: ignore[attr-defined]
        for _, call in _source_calls()
        if _is_note(call)
        or (
            _callee(call) == "record"
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "events"
            and len(call.args) >= 2
            and isinstance(call.args[1], ast.Constant)
        )
    }
    assert {"push.failed", "job.failed", "daemon.started", "channel.accepted"} <= kinds
    assert sorted(k for k in kinds if f"event.{k}" not in CATALOGUE or k not in _EVENTS) == []


_PERCENT = re.compile(r"%\((\w+)\)[sr]|%[sr]")


def test_argparse_words_keep_their_placeholders() -> None:
    for key, (indonesian, english) in CATALOGUE.items():
        if not key.startswith("argparse."):
            continue
        named_id = {m for m in _PERCENT.findall(indonesian) if m}
        named_en = {m for m in _PERCENT.findall(english) if m}
        assert named_id <= named_en, key  # argparse formats with a dict: a subset is fine
        assert indonesian.count("%s") + indonesian.count("%r") == english.count(
            "%s"
        ) + english.count("%r"), key


#: argparse texts only a programmer meets (bad parser definitions, FileType, deprecations)
_DEVELOPER_MSGIDS = {
    "%r is not callable",
    "'required' is an invalid argument for positionals",
    ".__call__() not defined",
    'argument "-" with mode %r',
    "cannot have multiple subparser arguments",
    "cannot merge actions - two groups are named %r",
    "conflicting option string: %s",
    "conflicting option strings: %s",
    "conflicting subparser alias: %s",
    "conflicting subparser: %s",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "mutually exclusive arguments must be optional",
    "argument '%(argument_name)s' is deprecated",
    "command '%(parser_name)s' is deprecated",
    "option '%(option)s' is deprecated",
    "%(heading)s:",
}


def test_every_argparse_text_a_seller_can_meet_is_translated() -> None:
    """This Python's argparse, read from its source: a new message in a new Python
    fails here instead of reaching the seller in English."""
    import argparse
    import inspect

    msgids = {
        str(arg.value)
        for node in ast.walk(ast.parse(inspect.getsource(argparse)))
        if isinstance(node, ast.Call) and _callee(node) in ("_", "ngettext")
        for arg in node.args
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    }
    english = {en for key, (_, en) in CATALOGUE.items() if key.startswith("argparse.")}
    assert "usage: " in msgids  # the scan really reads argparse
    assert sorted(msgids - _DEVELOPER_MSGIDS - english) == []


@pytest.mark.parametrize(
    ("kind", "message", "data", "indonesian"),
    [
        ("push.failed", "price 85000 refused: locked", '{"retry": false}', "Toko menolak harga"),
        ("job.failed", "pull failed: Retryable: 500", '{"job": "pull"}', "Tugas ambil pesanan"),
        ("daemon.started", "pid 42", '{"workers": 4}', "(pid 42, 4 pekerja)"),
        # an event of a shape this syncd does not know keeps its stored English text
        ("push.failed", "stock refused somehow", "{}", "stock refused somehow"),
        ("job.failed", "pull failed", "not json", "pull failed"),
        ("channel.something_new", "a new kind of event", "{}", "a new kind of event"),
    ],
)
def test_event_text_renders_known_kinds_and_falls_back(
    kind: str, message: str, data: str, indonesian: str
) -> None:
    from syncd.cli_words import event_text

    set_lang("id")
    assert indonesian in event_text(kind, message, data, "tokoku")


_JARGON = re.compile(r"(?i)\b(idempoten\w*|daemon|detak|galat|heartbeat)\b")


def test_indonesian_texts_use_plain_words() -> None:
    """A home baker does not know "idempotensi", "daemon", "detak" or "galat"."""
    assert sorted(k for k, (indonesian, _) in CATALOGUE.items() if _JARGON.search(indonesian)) == []
